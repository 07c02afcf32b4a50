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

/// Wall and this thread's CPU time of `f` (on SQLite all the work is in
/// this thread, so CPU time is the figure a loaded machine does not blur).
fn timed<T>(
    wall: &mut Vec<Duration>,
    cpu: &mut Vec<Duration>,
    f: impl FnOnce() -> Result<T, BoxError>,
) -> Result<T, BoxError> {
    let (t, c) = (Instant::now(), thread_cpu());
    let out = f()?;
    wall.push(t.elapsed());
    cpu.push(thread_cpu().saturating_sub(c));
    Ok(out)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().map(ms).unwrap_or(0.0)
}

/// Latencies of one round, sorted; `cpu` is this thread's CPU time (on
/// SQLite all the work).
#[derive(Default)]
struct Series {
    name: &'static str,
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
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
fn round(conn: &mut DbConn, size: u64, n: usize, rng: &mut Rng) -> Result<Vec<Series>, BoxError> {
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
        let proof = timed(&mut inc.wall, &mut inc.cpu, || {
            Ok(audit::inclusion_proof(conn, index, tree)?)
        })?;
        let root = timed(&mut roots.wall, &mut roots.cpu, || {
            Ok(audit::root_at(conn, tree)?)
        })?;
        let cons = timed(&mut con.wall, &mut con.cpu, || {
            Ok(audit::consistency_proof(conn, old, tree)?)
        })?;
        let all = timed(&mut inc_all.wall, &mut inc_all.cpu, || {
            Ok(audit::inclusion(conn, index, tree)?)
        })?;
        let call = timed(&mut con_all.wall, &mut con_all.cpu, || {
            Ok(audit::consistency(conn, old, tree)?)
        })?;
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
        s.wall.sort();
        s.cpu.sort();
    }
    Ok(v)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// CPU time (user + system) of process `pid` so far, from `/proc` (clock
/// ticks of 10 ms: meaningful over a round, not per proof).
fn process_cpu(pid: i32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which ends with the last ')'.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
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
    let mut rng = Rng(0x5eed);
    // Warm the caches once, as a running server would be.
    round(&mut conn, a.size, a.proofs.min(200), &mut rng)?;
    let mut p50s: Vec<[Vec<f64>; 2]> = SERIES.iter().map(|_| Default::default()).collect();
    let mut p95s: Vec<[Vec<f64>; 2]> = SERIES.iter().map(|_| Default::default()).collect();
    for r in 0..a.rounds {
        let load = loadavg();
        let server_before = backend.and_then(process_cpu);
        let sorted = round(&mut conn, a.size, a.proofs, &mut rng)?;
        let server = backend
            .and_then(process_cpu)
            .zip(server_before)
            .map(|(after, before)| after.saturating_sub(before));
        let mut line = format!("{label} round {r} (load {load}):");
        for (k, s) in sorted.iter().enumerate() {
            for (j, d) in [&s.wall, &s.cpu].into_iter().enumerate() {
                p50s[k][j].push(pct(d, 0.5));
                p95s[k][j].push(pct(d, 0.95));
            }
            line += &format!(
                " {} p50 {:.3} p95 {:.3} (cpu {:.3}/{:.3}) |",
                s.name,
                pct(&s.wall, 0.5),
                pct(&s.wall, 0.95),
                pct(&s.cpu, 0.5),
                pct(&s.cpu, 0.95),
            );
        }
        if let Some(cpu) = server {
            // Each iteration runs 5 timed calls and 2 checks.
            line += &format!(
                " server CPU {:.0} ms for {} statements, {:.3} ms each",
                ms(cpu),
                a.proofs * 7,
                ms(cpu) / (a.proofs * 7) as f64
            );
        }
        println!("{line}");
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    for (k, name) in SERIES.iter().enumerate() {
        for (j, what) in ["wall", "thread CPU"].iter().enumerate() {
            println!(
                "{label}: {name:<20} {what:<10} over {} rounds of {} proofs: median p50 {:.3} ms, median p95 {:.3} ms",
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
