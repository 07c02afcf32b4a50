//! End-to-end draws over HTTP: a release `expert-api serve` in its own
//! process on a database of 100,000 active experts, and N concurrent
//! clients, each doing request → commit → reveal for its own projects with
//! non-overlapping evaluation windows (so the pool never runs dry and no
//! seat clashes). One draw's latency covers the statement built from the
//! live registry, the commit with its signed checkpoint, the reveal and
//! the stored panel with its invitations, each a durable transaction.
//!
//! `cargo bench -p expert-api --bench http_draws -- --backend sqlite|postgres
//! [--pool realistic|uniform] [--clients 2] [--draws 400] [--experts 100000]
//! [--template PATH|NAME]`
//!
//! Two clients by default: in a closed loop the mean latency is clients ÷
//! throughput (Little's law), so 8 clients at 50 draws/s would wait 160 ms
//! on average whatever the server did, and the draws serialise on the log
//! head, so more clients add queueing, not throughput.
//!
//! `--template` keeps the seeded pool and reuses it: an SQLite file path or
//! a PostgreSQL database name, seeded on first use (when it does not exist
//! yet) and copied for every run (a file copy; `CREATE DATABASE … TEMPLATE`),
//! so runs start from the same registry without paying the import again.
//! It must have been seeded with the same `--pool` and `--experts`, on the
//! same day (the roster's dates are relative to today).
//!
//! `--pool realistic` (the default) is `expert-api synth roster` (the
//! specialty weights of a real provincial pool, its regions and employers),
//! loaded with `expert-api import --admit`; each request names 2 groups
//! (5 + 2 reserves each, and one tenderer's representative, so the
//! committee of 11 is odd) whose specialties are those of experts picked at
//! random from the same roster, so specialties are requested as often as
//! the pool holds them. `--pool uniform` is the worst case: the pool spread
//! over 4 specialties (written with `expert_api::store`, apply + approve,
//! 1,000 per transaction), one group per request, so each statement holds
//! about a quarter of the registry.

mod support;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use diesel::RunQueryDsl;
use expert_api::intake::{ApplicationInput, to_application};
use expert_api::store::{StoreError, audit, experts};
use expert_core::admission::Decision;
use expert_core::identity::{with_check_char, with_check_digit};
use serde_json::json;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const BIN: &str = env!("CARGO_BIN_EXE_expert-api");
/// Specialties the pool is spread over (level-5 codes under ENA0101…).
const SPECIALTIES: [&str; 4] = ["ENA0101", "ENA0102", "ENA0201", "ENA0301"];

struct Args {
    backend: String,
    pool: String,
    clients: usize,
    draws: usize,
    experts: usize,
    template: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        backend: "sqlite".into(),
        pool: "realistic".into(),
        clients: 2,
        draws: 400,
        experts: 100_000,
        template: None,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--backend" => a.backend = next,
            "--pool" => a.pool = next,
            "--clients" => a.clients = next.parse().unwrap_or(a.clients),
            "--draws" => a.draws = next.parse().unwrap_or(a.draws),
            "--experts" => a.experts = next.parse().unwrap_or(a.experts),
            "--template" => a.template = Some(next),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

fn run(cmd: &mut Command) -> Res<String> {
    let out = cmd.output()?;
    if !out.status.success() {
        return Err(format!("{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
    sorted
        .get(i)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

fn application(n: usize) -> Res<ApplicationInput> {
    let birth = NaiveDate::from_ymd_opt(1970, 1, 1).ok_or("date")?
        + chrono::Duration::days((n / 1000) as i64);
    let rid = with_check_digit(&format!("420102{}{:03}", birth.format("%Y%m%d"), n % 1000))
        .ok_or("resident id")?;
    let employer = with_check_char(&format!("91420100MA4K{n:05}")).ok_or("credit code")?;
    let region = ["420100", "420500", "420600", "420700"][n % 4];
    Ok(serde_json::from_value(json!({
        "name": format!("压测专家{n}"),
        "resident_id": rid,
        "mobile": format!("139{:08}", n),
        "region": region,
        "employer": {"name": format!("单位{n}"), "code": employer},
        "employed_since": "2015-01-01",
        "specialties": [SPECIALTIES[n % SPECIALTIES.len()]],
        "title": "senior",
        "years_in_field": 12,
        "civil_servant": false,
        "documents": {"integrity_pledge": "pledge.pdf", "no_criminal_record": "ncr.pdf"},
    }))?)
}

/// Apply and approve `count` experts, 1,000 per logged transaction.
fn seed(db: &str, count: usize) -> Res<()> {
    let url = expert_api::db::DbUrl::parse(db)?;
    let mut conn = url.connect()?;
    let policy = expert_api::config::load_policy(None)?.admission;
    let today = Utc::now().date_naive();
    let mut n = 0;
    while n < count {
        let end = (n + 1000).min(count);
        let mut apps = Vec::with_capacity(end - n);
        for i in n..end {
            let intake = to_application(application(i)?, today, &policy)
                .map_err(|e| format!("expert {i}: {e:?}"))?;
            apps.push(intake);
        }
        audit::write(&mut conn, Utc::now(), |tx| {
            for intake in &apps {
                let r = experts::apply(
                    tx,
                    "bench",
                    &intake.application,
                    intake.employed_since,
                    &policy,
                    today,
                )?;
                let d = Decision::approve(&intake.application, today, &policy)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                experts::command(tx, "bench", &r.id, &d.command(), today, None, None)?;
            }
            Ok::<_, StoreError>(())
        })?;
        n = end;
    }
    Ok(())
}

/// User plus system CPU seconds of these processes (Linux `/proc`, 100
/// ticks per second); 0 where unreadable.
fn cpu_seconds(pids: &[u32]) -> f64 {
    pids.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| {
            // Fields after the command name, which is in parentheses.
            let rest = stat.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = f.get(11)?.parse().ok()?;
            let stime: f64 = f.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .sum()
}

/// The PostgreSQL backends serving database `name` (their process title
/// names it), so that other databases of a shared server are not counted.
fn postgres_pids(name: &str) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let needle = format!(" {name} ");
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
                && std::fs::read(format!("/proc/{pid}/cmdline"))
                    .is_ok_and(|c| String::from_utf8_lossy(&c).contains(&needle))
        })
        .collect()
}

/// What each request asks for.
enum Requests {
    /// One group of 5 + 2, the specialties in turn.
    Uniform,
    /// Two groups of 5 + 2; per group, the first specialty of an expert
    /// picked at random from the roster (each expert's specialties, so
    /// specialties come as often as the pool holds them).
    Realistic(Vec<Vec<String>>),
}

impl Requests {
    /// The tenderer's representatives: the committee (experts and
    /// representatives) must be odd, so two groups of 5 take one.
    fn representatives(&self) -> u32 {
        match self {
            Requests::Uniform => 0,
            Requests::Realistic(_) => 1,
        }
    }

    fn panel(&self, k: usize) -> serde_json::Value {
        match self {
            Requests::Uniform => {
                json!([{"specialty": SPECIALTIES[k % SPECIALTIES.len()], "count": 5, "reserve": 2}])
            }
            Requests::Realistic(specialties) => {
                // A fixed pseudo-random walk over the roster (splitmix64).
                let mut x = (k as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut next = || {
                    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
                    let mut z = x;
                    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                    z ^ (z >> 31)
                };
                let mut groups: Vec<&str> = Vec::new();
                while groups.len() < 2 {
                    let i = (next() % specialties.len().max(1) as u64) as usize;
                    let Some(code) = specialties.get(i).and_then(|s| s.first()) else {
                        break;
                    };
                    if !groups.contains(&code.as_str()) {
                        groups.push(code);
                    }
                }
                groups
                    .into_iter()
                    .map(|g| json!({"specialty": g, "count": 5, "reserve": 2}))
                    .collect()
            }
        }
    }
}

/// `expert-api synth roster` as CSV, loaded with `expert-api import
/// --admit`; returns each expert's specialties.
fn seed_roster(db: &str, count: usize, dir: &std::path::Path) -> Res<Vec<Vec<String>>> {
    let roster = expert_api::synth::roster(count, 2026, Utc::now().date_naive());
    let file = dir.join("roster.csv");
    expert_api::synth::write_csv(std::fs::File::create(&file)?, &roster)?;
    let path = file.to_str().ok_or("path")?;
    run(Command::new(BIN).args(["import", path, "--admit", "--db", db]))?;
    Ok(roster.into_iter().map(|e| e.specialties).collect())
}

fn durability(db: &str, backend: &str) -> String {
    let Ok(mut conn) = expert_api::db::DbUrl::parse(db).and_then(|u| u.connect()) else {
        return "unknown".into();
    };
    #[derive(diesel::QueryableByName)]
    struct S {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    let q = |conn: &mut expert_api::db::DbConn, sql: &str| -> String {
        diesel::sql_query(sql)
            .load::<S>(conn)
            .ok()
            .and_then(|r| r.into_iter().next())
            .map(|s| s.v)
            .unwrap_or_else(|| "?".into())
    };
    if backend == "postgres" {
        format!(
            "PostgreSQL fsync={}, synchronous_commit={}; the server over loopback TCP with sslmode=disable",
            q(&mut conn, "SELECT current_setting('fsync') AS v"),
            q(
                &mut conn,
                "SELECT current_setting('synchronous_commit') AS v"
            )
        )
    } else {
        "SQLite journal_mode=WAL, synchronous=FULL (set on every pooled connection by expert-api; \
         the server's own thread checkpoints the WAL, PASSIVE, every 200 ms)"
            .into()
    }
}

/// Migrate `db` and seed the pool into it; returns what each request asks.
fn seed_pool(a: &Args, db: &str, dir: &std::path::Path) -> Res<Requests> {
    run(Command::new(BIN).args(["migrate", "--db", db]))?;
    let t = Instant::now();
    let requests = if a.pool == "uniform" {
        seed(db, a.experts)?;
        Requests::Uniform
    } else {
        Requests::Realistic(seed_roster(db, a.experts, dir)?)
    };
    println!(
        "pool ({}): {} experts applied and approved in {:.1} s ({})",
        a.pool,
        a.experts,
        t.elapsed().as_secs_f64(),
        a.backend
    );
    Ok(requests)
}

/// What each request asks for, for a pool seeded earlier (the roster is
/// generated again, without loading it).
fn requests_of(a: &Args) -> Requests {
    if a.pool == "uniform" {
        Requests::Uniform
    } else {
        let roster = expert_api::synth::roster(a.experts, 2026, Utc::now().date_naive());
        Requests::Realistic(roster.into_iter().map(|e| e.specialties).collect())
    }
}

/// Request `k` of a run: its own project and tenderer, evaluating in
/// `[t0 + 30k s, t0 + 30(k+1) s)`, so windows never overlap.
fn draw_body(requests: &Requests, t0: chrono::DateTime<Utc>, k: usize) -> serde_json::Value {
    let start = t0 + chrono::Duration::seconds(30 * k as i64);
    let tenderer = with_check_char(&format!("91420600MA4K{k:05}")).unwrap_or_default();
    json!({
        "project": {"id": format!("P-B{k}"), "name": "压测项目", "region": "420100",
            "tenderer": tenderer, "bid_section": "1"},
        "evaluation": {
            "start": start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "end": (start + chrono::Duration::seconds(30)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "venue": "评标室"},
        "panel": requests.panel(k),
        "representatives": requests.representatives(),
    })
}

/// One list page and one draw, untimed.
fn warm_up(base: &str, token: &str, body: &serde_json::Value) -> Res<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let auth = format!("Bearer {token}");
    agent
        .get(format!("{base}/api/v1/experts?limit=1"))
        .header("Authorization", &auth)
        .call()?;
    let mut r = agent
        .post(format!("{base}/api/v1/draws"))
        .header("Authorization", &auth)
        .send_json(body)?;
    let v: serde_json::Value = r.body_mut().read_json()?;
    let id = v["id"].as_str().ok_or("warm-up draw refused")?;
    agent
        .post(format!("{base}/api/v1/draws/{id}/reveal"))
        .header("Authorization", &auth)
        .send_json(json!({}))?;
    Ok(())
}

fn main() -> Res<()> {
    let a = args();
    let dir = tempfile::tempdir()?;
    let pg_name = format!("ed_draws_{}", std::process::id());
    let pg_admin = "postgres://postgres@127.0.0.1:5432";
    let psql = |sql: &str| -> Res<String> {
        run(Command::new("psql").args([&format!("{pg_admin}/postgres"), "-tAqc", sql]))
    };
    // The server's connections skip TLS: on loopback it protects nothing
    // and cost a sixth of the server's CPU (libpq's default, `prefer`,
    // takes TLS when the server offers it, as Debian's does). Across a
    // network a centre keeps `sslmode=require` or stricter in its URL.
    let db = match a.backend.as_str() {
        "postgres" => format!("{pg_admin}/{pg_name}?sslmode=disable"),
        _ => format!("sqlite://{}", dir.path().join("draws.db").display()),
    };
    let requests = match (&a.template, a.backend.as_str()) {
        (None, "postgres") => {
            psql(&format!("CREATE DATABASE {pg_name}"))?;
            seed_pool(&a, &db, dir.path())?
        }
        (None, _) => seed_pool(&a, &db, dir.path())?,
        (Some(name), "postgres") => {
            let exists = psql(&format!(
                "SELECT 1 FROM pg_database WHERE datname = '{name}'"
            ))?;
            if exists.trim().is_empty() {
                psql(&format!("CREATE DATABASE {name}"))?;
                seed_pool(&a, &format!("{pg_admin}/{name}"), dir.path())?;
            }
            psql(&format!("CREATE DATABASE {pg_name} TEMPLATE {name}"))?;
            requests_of(&a)
        }
        (Some(path), _) => {
            if !std::path::Path::new(path).exists() {
                seed_pool(&a, &format!("sqlite://{path}"), dir.path())?;
            }
            std::fs::copy(path, dir.path().join("draws.db"))?;
            // A WAL not checkpointed into the file holds part of the pool.
            let wal = format!("{path}-wal");
            if std::path::Path::new(&wal).exists() {
                std::fs::copy(&wal, dir.path().join("draws.db-wal"))?;
            }
            requests_of(&a)
        }
    };
    // Catch up on migrations added since the template was seeded.
    run(Command::new(BIN).args(["migrate", "--db", &db]))?;
    let requests = Arc::new(requests);
    let token_out = run(Command::new(BIN).args([
        "token", "create", "--role", "operator", "--region", "420100", "--label", "bench", "--db",
        &db,
    ]))?;
    let token = token_out
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned();

    let server = support::serve(BIN, &db, &dir.path().join("key.pem"), 4)?;
    let base = server.base.clone();

    // Draw k evaluates in [t0 + 30k s, t0 + 30(k+1) s): windows never
    // overlap, all inside the 24-hour draw window.
    let t0 = Utc::now() + chrono::Duration::hours(1);
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let candidates = Arc::new(Mutex::new(Vec::<u64>::new()));
    let shorts = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    // The read models load in the background at start: one untimed list
    // page and one untimed draw (its window after every timed draw's)
    // wait for them, so the figures below are the steady state.
    warm_up(&base, &token, &draw_body(&requests, t0, a.draws))?;
    let server_pid = server.child.id();
    let cpu_before = (
        cpu_seconds(&[server_pid]),
        cpu_seconds(&postgres_pids(&pg_name)),
    );
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..a.clients {
        let (base, token, next, latencies, errors) = (
            base.clone(),
            token.clone(),
            next.clone(),
            latencies.clone(),
            errors.clone(),
        );
        let (requests, candidates, shorts) = (requests.clone(), candidates.clone(), shorts.clone());
        let total = a.draws;
        handles.push(std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let mut mine = Vec::new();
            let mut counts = Vec::new();
            let mut errs = Vec::new();
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= total {
                    break;
                }
                let body = draw_body(&requests, t0, k);
                let t = Instant::now();
                let r = agent
                    .post(format!("{base}/api/v1/draws"))
                    .header("Authorization", format!("Bearer {token}"))
                    .send_json(&body);
                let id = match r {
                    Ok(mut r) if r.status() == 201 => {
                        let v = r.body_mut().read_json::<serde_json::Value>().ok();
                        if let Some(n) = v.as_ref().and_then(|v| v["candidate_count"].as_u64()) {
                            counts.push(n);
                        }
                        v.and_then(|v| v["id"].as_str().map(str::to_owned))
                    }
                    Ok(mut r) => {
                        errs.push(format!(
                            "commit {}: {}",
                            r.status(),
                            r.body_mut().read_to_string().unwrap_or_default()
                        ));
                        None
                    }
                    Err(e) => {
                        errs.push(format!("commit: {e}"));
                        None
                    }
                };
                let Some(id) = id else { continue };
                match agent
                    .post(format!("{base}/api/v1/draws/{id}/reveal"))
                    .header("Authorization", format!("Bearer {token}"))
                    .send_json(json!({"beacon": format!("{k}")}))
                {
                    Ok(mut r) if r.status() == 200 => {
                        mine.push(t.elapsed());
                        let v = r.body_mut().read_json::<serde_json::Value>().ok();
                        if v.is_some_and(|v| v["state"] == "short") {
                            shorts.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Ok(mut r) => errs.push(format!(
                        "reveal {}: {}",
                        r.status(),
                        r.body_mut().read_to_string().unwrap_or_default()
                    )),
                    Err(e) => errs.push(format!("reveal: {e}")),
                }
            }
            if let Ok(mut l) = latencies.lock() {
                l.extend(mine);
            }
            if let Ok(mut c) = candidates.lock() {
                c.extend(counts);
            }
            if let Ok(mut e) = errors.lock() {
                e.extend(errs);
            }
        }));
    }
    for h in handles {
        let _ = h.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after = (
        cpu_seconds(&[server_pid]),
        cpu_seconds(&postgres_pids(&pg_name)),
    );
    drop(server);
    let settings = durability(&db, &a.backend);
    if a.backend == "postgres" {
        let _ = run(Command::new("psql").args([
            &format!("{pg_admin}/postgres"),
            "-qc",
            &format!("DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"),
        ]));
    }
    let mut l = latencies.lock().map_err(|_| "poisoned")?.clone();
    l.sort();
    let errors = errors.lock().map_err(|_| "poisoned")?.clone();
    let mut c = candidates.lock().map_err(|_| "poisoned")?.clone();
    c.sort_unstable();
    let pick = |p: f64| {
        c.get(((c.len().saturating_sub(1)) as f64 * p).round() as usize)
            .copied()
            .unwrap_or(0)
    };
    println!("durability: {settings}");
    println!(
        "candidates per statement: min {}, median {}, p95 {}, max {}; {} of {} draws short",
        c.first().copied().unwrap_or(0),
        pick(0.5),
        pick(0.95),
        c.last().copied().unwrap_or(0),
        shorts.load(Ordering::Relaxed),
        l.len()
    );
    println!(
        "draws over HTTP ({}, {} pool, {} experts): {} clients, {} draws (request+commit+reveal) in {:.1} s = {:.1} draws/s; p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms; {} errors",
        a.backend,
        a.pool,
        a.experts,
        a.clients,
        l.len(),
        elapsed,
        l.len() as f64 / elapsed,
        percentile(&l, 0.5),
        percentile(&l, 0.95),
        percentile(&l, 0.99),
        errors.len()
    );
    let per_draw = |before: f64, after: f64| (after - before) * 1000.0 / l.len().max(1) as f64;
    println!(
        "CPU per draw: server {:.1} ms{}; load average at the end: {}",
        per_draw(cpu_before.0, cpu_after.0),
        if a.backend == "postgres" {
            // This database's backends (the server's pool, open throughout).
            format!(
                ", PostgreSQL backends {:.1} ms",
                per_draw(cpu_before.1, cpu_after.1)
            )
        } else {
            String::new()
        },
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    for e in errors.iter().take(3) {
        println!("  error: {e}");
    }
    Ok(())
}
