//! Inclusion and consistency proofs (and past roots) on a 10,000,000-entry
//! log, served by the store functions from the stored tree nodes.
//!
//! `cargo bench -p expert-api --bench proofs -- [--size N] [--proofs N]
//! [--rounds N] [--sqlite PATH] [--postgres URL|none]`
//!
//! The log is filled directly, not over HTTP: synthetic leaves
//! (`{"bench":i}`, with their real leaf hashes) inserted with multi-row
//! inserts, and the tree nodes computed by the same code appends use
//! (`audit::nodes_completed_by`, `audit::insert_nodes`), then the head. A
//! database already holding a log of the asked size is reused, so repeated
//! runs skip the fill. Each proof is verified against the root at its size
//! (outside the timing) so a fast wrong answer cannot pass.
//!
//! Per call: wall time and this thread's CPU time; on PostgreSQL also the
//! backend process's CPU time and run-queue wait during the call (from
//! `/proc/PID/schedstat`, read outside the timed span), so on a loaded
//! machine the cost of a proof (client + server CPU) can be told from the
//! time spent waiting for a core. Each round line prints the load average.

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::prelude::*;
use draw_audit::merkle::{CompactRange, leaf_hash, verify_consistency, verify_inclusion};
use expert_api::db::schema::{audit_entries, audit_head};
use expert_api::db::{DbConn, DbUrl, open_pool};
use expert_api::store::audit;

type BoxError = Box<dyn std::error::Error>;

struct Args {
    size: u64,
    proofs: usize,
    rounds: usize,
    sqlite: Option<String>,
    postgres: Option<String>,
}

fn args() -> Result<Args, BoxError> {
    let mut a = Args {
        size: 10_000_000,
        proofs: 1_000,
        rounds: 5,
        sqlite: None,
        postgres: Some("postgres://postgres@127.0.0.1:5432".into()),
    };
    let mut it = std::env::args().skip(1).filter(|s| s != "--bench");
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--size" => a.size = value()?.parse()?,
            "--proofs" => a.proofs = value()?.parse()?,
            "--rounds" => a.rounds = value()?.parse()?,
            "--sqlite" => a.sqlite = Some(value()?),
            "--postgres" => {
                let v = value()?;
                a.postgres = (v != "none").then_some(v);
            }
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(a)
}

/// splitmix64: reproducible indices without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn log_size(conn: &mut DbConn) -> Result<u64, BoxError> {
    Ok(audit::head(conn)?.size)
}

/// Fill an empty log with `size` synthetic entries and their tree nodes.
fn fill(conn: &mut DbConn, size: u64) -> Result<(), BoxError> {
    const BATCH: u64 = 100_000;
    const ROWS: usize = 1_000;
    let time = Utc::now().naive_utc();
    let started = Instant::now();
    let mut range = CompactRange::new();
    while range.size() < size {
        let end = (range.size() + BATCH).min(size);
        conn.transaction(|conn| -> Result<(), BoxError> {
            let mut rows = Vec::with_capacity(ROWS);
            let mut nodes = Vec::new();
            for seq in range.size()..end {
                let leaf = format!("{{\"bench\":{seq}}}");
                let hash = leaf_hash(leaf.as_bytes());
                nodes.extend(audit::nodes_completed_by(&range, hash));
                range.append(hash)?;
                rows.push((
                    audit_entries::seq.eq(i64::try_from(seq)?),
                    audit_entries::time.eq(time),
                    audit_entries::kind.eq("bench"),
                    audit_entries::actor.eq("bench"),
                    audit_entries::leaf.eq(leaf),
                    audit_entries::leaf_hash.eq(hash.to_vec()),
                ));
                if rows.len() == ROWS || seq + 1 == end {
                    match &mut *conn {
                        DbConn::Sqlite(c) => diesel::insert_into(audit_entries::table)
                            .values(&rows)
                            .execute(c)?,
                        DbConn::Postgres(c) => diesel::insert_into(audit_entries::table)
                            .values(&rows)
                            .execute(c)?,
                    };
                    rows.clear();
                }
            }
            audit::insert_nodes(conn, &nodes)?;
            let compact: Vec<u8> = range.hashes().concat();
            diesel::update(audit_head::table.find(1))
                .set((
                    audit_head::size.eq(i64::try_from(range.size())?),
                    audit_head::compact.eq(compact),
                    audit_head::root.eq(range.root().to_vec()),
                ))
                .execute(conn)?;
            Ok(())
        })?;
        if end.is_multiple_of(1_000_000) || end == size {
            eprintln!(
                "  filled {end} entries in {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec.max(0) as u64, t.tv_nsec.max(0) as u32)
}

/// The PostgreSQL backend process serving the bench's connection.
struct ServerProcess {
    schedstat: String,
}

impl ServerProcess {
    /// Its time on a CPU and waiting in the run queue so far, in ns
    /// (`/proc/PID/schedstat`, settled while it waits for the next query).
    fn read(&self) -> Option<(u64, u64)> {
        let s = std::fs::read_to_string(&self.schedstat).ok()?;
        let mut f = s.split_whitespace().map(str::parse::<u64>);
        Some((f.next()?.ok()?, f.next()?.ok()?))
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().map(ms).unwrap_or(0.0)
}

/// Latencies of one round, sorted; `cpu` is this thread's CPU time (on
/// SQLite all the work), `server` and `queued` the PostgreSQL backend's CPU
/// time and run-queue wait during the call, `total` this thread's CPU plus
/// the backend's.
#[derive(Default)]
struct Series {
    name: &'static str,
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
    server: Vec<Duration>,
    queued: Vec<Duration>,
    total: Vec<Duration>,
}

impl Series {
    /// Time `f`; the server's counters are read outside the timed span.
    fn timed<T>(
        &mut self,
        server: Option<&ServerProcess>,
        f: impl FnOnce() -> Result<T, BoxError>,
    ) -> Result<T, BoxError> {
        let before = server.and_then(ServerProcess::read);
        let (t, c) = (Instant::now(), thread_cpu());
        let out = f()?;
        let (wall, cpu) = (t.elapsed(), thread_cpu().saturating_sub(c));
        self.wall.push(wall);
        self.cpu.push(cpu);
        if let (Some(b), Some(a)) = (before, server.and_then(ServerProcess::read)) {
            let on_cpu = Duration::from_nanos(a.0.saturating_sub(b.0));
            self.server.push(on_cpu);
            self.queued
                .push(Duration::from_nanos(a.1.saturating_sub(b.1)));
            self.total.push(cpu + on_cpu);
        }
        Ok(out)
    }

    fn sort(&mut self) {
        for v in [
            &mut self.wall,
            &mut self.cpu,
            &mut self.server,
            &mut self.queued,
            &mut self.total,
        ] {
            v.sort();
        }
    }

    /// The figures reported, by name.
    fn figures(&self) -> [(&'static str, &Vec<Duration>); 5] {
        [
            ("wall", &self.wall),
            ("thread CPU", &self.cpu),
            ("server CPU", &self.server),
            ("thread+server CPU", &self.total),
            ("server run-queue wait", &self.queued),
        ]
    }
}

const SERIES: [&str; 5] = [
    "inclusion",
    "consistency",
    "root_at",
    "inclusion+leaf+root",
    "consistency+roots",
];

/// One round: `n` proofs of each kind at random indices and sizes, timed
/// through the store functions: `inclusion_proof`, `consistency_proof` and
/// `root_at` alone, and `inclusion` / `consistency` (the proof with the
/// leaf hash and roots a verifier needs, what the HTTP endpoints call).
/// Each answer is checked outside the timing.
fn round(
    conn: &mut DbConn,
    server: Option<&ServerProcess>,
    size: u64,
    n: usize,
    rng: &mut Rng,
) -> Result<Vec<Series>, BoxError> {
    let mut v: Vec<Series> = SERIES
        .iter()
        .map(|name| Series {
            name,
            ..Series::default()
        })
        .collect();
    let [inc, con, roots, inc_all, con_all] = v.as_mut_slice() else {
        return Err("five series".into());
    };
    for _ in 0..n {
        let tree = rng.between(1, size);
        let index = rng.between(0, tree - 1);
        let old = rng.between(1, tree);
        let proof = inc.timed(server, || Ok(audit::inclusion_proof(conn, index, tree)?))?;
        let root = roots.timed(server, || Ok(audit::root_at(conn, tree)?))?;
        let cons = con.timed(server, || Ok(audit::consistency_proof(conn, old, tree)?))?;
        let all = inc_all.timed(server, || Ok(audit::inclusion(conn, index, tree)?))?;
        let call = con_all.timed(server, || Ok(audit::consistency(conn, old, tree)?))?;
        let leaf = audit::leaf_hash_at(conn, index)?;
        let old_root = audit::root_at(conn, old)?;
        verify_inclusion(&leaf, index, tree, &proof, &root)?;
        verify_consistency(old, tree, &cons, &old_root, &root)?;
        if (all.leaf, all.root, &all.proof) != (leaf, root, &proof)
            || (call.old_root, call.new_root, &call.proof) != (old_root, root, &cons)
        {
            return Err(format!(
                "the bundled answers differ at index {index}, sizes {old}, {tree}"
            )
            .into());
        }
    }
    for s in &mut v {
        s.sort();
    }
    Ok(v)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

#[derive(QueryableByName)]
struct BackendPid {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pid: i32,
}

fn run(url: &DbUrl, label: &str, a: &Args) -> Result<(), BoxError> {
    let pool = open_pool(url, 1)?;
    let mut conn = pool.get()?;
    let have = log_size(&mut conn)?;
    if have == 0 {
        eprintln!("{label}: filling {} entries", a.size);
        let t = Instant::now();
        fill(&mut conn, a.size)?;
        println!(
            "{label}: filled {} entries and their tree nodes in {:.0} s",
            a.size,
            t.elapsed().as_secs_f64()
        );
    } else if have != a.size {
        return Err(format!(
            "{label}: the database holds a log of {have} entries, not {}",
            a.size
        )
        .into());
    } else {
        println!("{label}: reusing a log of {have} entries");
    }
    // The server process doing the work, when there is one.
    let backend = match &mut *conn {
        DbConn::Postgres(c) => diesel::sql_query("SELECT pg_backend_pid() AS pid")
            .get_result::<BackendPid>(c)
            .ok()
            .map(|b| b.pid),
        DbConn::Sqlite(_) => None,
    };
    let server = backend.map(|pid| ServerProcess {
        schedstat: format!("/proc/{pid}/schedstat"),
    });
    let server = server.as_ref().filter(|s| s.read().is_some());
    let mut rng = Rng(0x5eed);
    // Warm the caches once, as a running server would be.
    round(&mut conn, server, a.size, a.proofs.min(200), &mut rng)?;
    // [series][figure] -> per-round p50 / p95.
    let mut p50s = vec![vec![Vec::new(); 5]; SERIES.len()];
    let mut p95s = vec![vec![Vec::new(); 5]; SERIES.len()];
    for r in 0..a.rounds {
        let load = loadavg();
        let sorted = round(&mut conn, server, a.size, a.proofs, &mut rng)?;
        let mut line = format!("{label} round {r} (load {load}):");
        for (k, s) in sorted.iter().enumerate() {
            for (j, (_, d)) in s.figures().iter().enumerate() {
                p50s[k][j].push(pct(d, 0.5));
                p95s[k][j].push(pct(d, 0.95));
            }
            line += &format!(
                " {} p50 {:.3} p95 {:.3} (cpu {:.3}/{:.3}) |",
                s.name,
                pct(&s.wall, 0.5),
                pct(&s.wall, 0.95),
                pct(&s.total, 0.5).max(pct(&s.cpu, 0.5)),
                pct(&s.total, 0.95).max(pct(&s.cpu, 0.95)),
            );
        }
        println!("{line}");
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let figures = Series::default().figures().map(|(what, _)| what);
    for (k, name) in SERIES.iter().enumerate() {
        for (j, what) in figures.iter().enumerate() {
            if server.is_none() && j >= 2 {
                continue;
            }
            println!(
                "{label}: {name:<20} {what:<22} over {} rounds of {} proofs: median p50 {:.3} ms, median p95 {:.3} ms",
                a.rounds,
                a.proofs,
                median(&mut p50s[k][j]),
                median(&mut p95s[k][j]),
            );
        }
    }
    Ok(())
}

fn main() -> Result<(), BoxError> {
    let a = args()?;
    let tmp = tempfile::tempdir()?;
    let sqlite = match &a.sqlite {
        Some(path) => std::path::PathBuf::from(path),
        None => tmp.path().join("proofs.db"),
    };
    run(&DbUrl::Sqlite(sqlite), "sqlite", &a)?;
    if let Some(base) = &a.postgres {
        let name = format!("ed_bench_proofs_{}", a.size);
        let url = format!("{base}/{name}");
        let created = DbUrl::Postgres(format!("{base}/postgres"))
            .connect()
            .and_then(|mut admin| {
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .map_err(expert_api::db::DbError::Setup)
            });
        match created {
            Ok(_) => {}
            Err(e) if e.to_string().contains("already exists") => {}
            Err(e) => {
                println!("postgres: skipped ({e})");
                return Ok(());
            }
        }
        run(&DbUrl::Postgres(url), "postgres", &a)?;
    }
    Ok(())
}
