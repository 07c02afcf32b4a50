//! Load test of the running service: a release `expert-api serve` in its own
//! process, a 100,000-expert pool, and N concurrent keep-alive clients
//! driven by a load generator in a second process (`wrk`).
//!
//! `cargo bench -p expert-api --bench http_load -- [--backend sqlite|postgres]
//! [--clients 50] [--seconds 20] [--runs 3] [--experts 100000] [--workers 2]
//! [--generator wrk|threads] [--pace-ms 100] [--db URL]`
//!
//! Reports p50/p95/p99 latency and throughput for filtered list pages, per
//! run and the median over the runs. `wrk` (Debian: `apt-get install -y
//! wrk`) is the default generator: C with epoll, two threads, so it takes
//! little of the CPU the server needs. `--generator threads` is the older
//! in-process client (one OS thread per client); `--pace-ms` (one request
//! per client every N ms) needs it. `--db` runs against an existing,
//! already imported pool instead of building a fresh one.

mod support;

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const BIN: &str = env!("CARGO_BIN_EXE_expert-api");

struct Args {
    backend: String,
    clients: usize,
    seconds: u64,
    runs: usize,
    experts: usize,
    workers: u32,
    generator: String,
    pace_ms: Option<u64>,
    db: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        backend: "sqlite".into(),
        clients: 50,
        seconds: 20,
        runs: 3,
        experts: 100_000,
        workers: 2,
        generator: "wrk".into(),
        pace_ms: None,
        db: None,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--backend" => a.backend = next,
            "--clients" => a.clients = next.parse().unwrap_or(a.clients),
            "--seconds" => a.seconds = next.parse().unwrap_or(a.seconds),
            "--runs" => a.runs = next.parse().unwrap_or(a.runs).max(1),
            "--experts" => a.experts = next.parse().unwrap_or(a.experts),
            "--workers" => a.workers = next.parse().unwrap_or(a.workers),
            "--generator" => a.generator = next,
            "--pace-ms" => a.pace_ms = next.parse().ok(),
            "--db" => a.db = Some(next),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    if a.pace_ms.is_some() {
        a.generator = "threads".into();
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

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown", |(_, m)| m.trim())
        .to_owned();
    format!(
        "{cores} cores (nproc), CPU {model}, load average {}",
        load()
    )
}

fn load() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// User + system CPU time of processes, in ms (`/proc/PID/stat`, clock
/// ticks of 10 ms, as on every Linux build machine here).
fn cpu_ms(pids: &[u32]) -> f64 {
    pids.iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/stat")).ok())
        .map(|stat| {
            // Fields after the command name, which may hold spaces.
            let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
            let f: Vec<f64> = rest
                .split_whitespace()
                .map(|v| v.parse().unwrap_or(0.0))
                .collect();
            (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) * 10.0
        })
        .sum()
}

/// The PostgreSQL backends serving `db` (none for SQLite).
fn backend_pids(db: &str) -> Vec<u32> {
    if !db.starts_with("postgres") {
        return Vec::new();
    }
    run(Command::new("psql").args([
        db,
        "-Atc",
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    ]))
    .map(|out| out.lines().filter_map(|l| l.trim().parse().ok()).collect())
    .unwrap_or_default()
}

/// `next_cursor` from a page, without parsing the rest (cursors are
/// base64url, so they hold no quotes or escapes).
fn next_cursor(body: &str) -> Option<String> {
    let rest = body.split("\"next_cursor\":\"").nth(1)?;
    Some(rest.split('"').next()?.to_owned())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len().saturating_sub(1)) as f64 * p).round() as usize;
    sorted
        .get(i)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// One load window's result.
#[derive(Debug, Clone, Copy)]
struct Window {
    requests: usize,
    seconds: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    errors: usize,
    /// CPU time per request of the server process and of its PostgreSQL
    /// backends: unlike latency, it hardly depends on other load.
    server_cpu_ms: f64,
    database_cpu_ms: f64,
}

impl Window {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }
}

/// The filters operators use: status + region, a specialty prefix, a
/// name fragment, an employer, and the next page by cursor.
const QUERIES: [&str; 7] = [
    "/api/v1/experts?status=active&region=420100&limit=50",
    "/api/v1/experts?status=active&region=420600&limit=50",
    "/api/v1/experts?status=active&specialty=EN&limit=50",
    "/api/v1/experts?specialty=ENA01&limit=50",
    "/api/v1/experts?q=%E5%BC%A0&limit=50",
    "/api/v1/experts?region=420500&status=active&limit=50",
    "/api/v1/experts?limit=50",
];

fn cursor_path(cursor: &str) -> String {
    format!("/api/v1/experts?status=active&limit=50&cursor={cursor}")
}

fn main() -> Res<()> {
    let a = args();
    println!("machine: {}", machine());
    let dir = tempfile::tempdir()?;
    let pg_name = format!("ed_load_{}", std::process::id());
    let pg_admin = "postgres://postgres@127.0.0.1:5432";
    let fresh = a.db.is_none();
    let db = match (&a.db, a.backend.as_str()) {
        (Some(url), _) => url.clone(),
        (None, "postgres") => {
            run(Command::new("psql").args([
                &format!("{pg_admin}/postgres"),
                "-qc",
                &format!("CREATE DATABASE {pg_name}"),
            ]))?;
            format!("{pg_admin}/{pg_name}")
        }
        (None, _) => format!("sqlite://{}", dir.path().join("load.db").display()),
    };
    if fresh {
        build_pool(&a, &db, &dir.path().join("roster.csv"))?;
    }
    let result = load_test(&a, &db, dir.path());
    if fresh && db.starts_with("postgres") {
        let _ = run(Command::new("psql").args([
            &format!("{pg_admin}/postgres"),
            "-qc",
            &format!("DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"),
        ]));
    }
    result
}

/// A fresh pool: a synthetic roster, imported and admitted by the CLI.
fn build_pool(a: &Args, db: &str, roster: &std::path::Path) -> Res<()> {
    let t = Instant::now();
    run(Command::new(BIN)
        .args([
            "synth",
            "roster",
            "--count",
            &a.experts.to_string(),
            "--seed",
            "7",
            "--out",
        ])
        .arg(roster))?;
    run(Command::new(BIN)
        .arg("import")
        .arg(roster)
        .args(["--admit", "--db", db]))?;
    println!(
        "pool: {} experts imported and admitted in {:.1} s ({})",
        a.experts,
        t.elapsed().as_secs_f64(),
        a.backend
    );
    Ok(())
}

fn load_test(a: &Args, db: &str, dir: &std::path::Path) -> Res<()> {
    let token_out = run(Command::new(BIN).args([
        "token",
        "create",
        "--role",
        "supervisor",
        "--label",
        "load",
        "--db",
        db,
    ]))?;
    let token = token_out
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let server = support::serve(BIN, db, &dir.join("key.pem"), a.workers)?;
    let base = server.base.clone();
    println!(
        "server: {} HTTP workers, {}; {}",
        a.workers,
        base,
        durability(db)
    );
    let cursors = time_alone(&base, &token)?;
    // The rotation every client walks: the queries in turn, and every fifth
    // request the next page of the previous query, by its cursor.
    let mut paths = Vec::new();
    for n in 0..QUERIES.len() * 5 {
        let q = n % QUERIES.len();
        match cursors.get((q + QUERIES.len() - 1) % QUERIES.len()) {
            Some(Some(c)) if n % 5 == 4 => paths.push(cursor_path(c)),
            _ => paths.push(QUERIES[q].to_owned()),
        }
    }
    let mut windows = Vec::new();
    let server_pid = [server.child.id()];
    for i in 0..a.runs {
        let backends = backend_pids(db);
        let (server_cpu, db_cpu) = (cpu_ms(&server_pid), cpu_ms(&backends));
        let mut w = match a.generator.as_str() {
            "wrk" => wrk_window(a, &base, &token, &paths, dir)?,
            "threads" => threads_window(a, &base, &token, &paths),
            other => return Err(format!("unknown --generator {other:?}: wrk or threads").into()),
        };
        let n = w.requests.max(1) as f64;
        w.server_cpu_ms = (cpu_ms(&server_pid) - server_cpu) / n;
        w.database_cpu_ms = (cpu_ms(&backends) - db_cpu) / n;
        println!(
            "  run {}: {} requests in {:.1} s = {:.0} req/s; p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms; {} errors; CPU per request: server {:.3} ms, database backends {:.3} ms; load average {}",
            i + 1,
            w.requests,
            w.seconds,
            w.rate(),
            w.p50_ms,
            w.p95_ms,
            w.p99_ms,
            w.errors,
            w.server_cpu_ms,
            w.database_cpu_ms,
            load()
        );
        windows.push(w);
    }
    drop(server);
    let mode = match a.pace_ms {
        Some(p) => format!("paced, one request per {p} ms per client"),
        None => "closed loop, no think time".to_owned(),
    };
    let median = |f: fn(&Window) -> f64| {
        let mut v: Vec<f64> = windows.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    println!("mode: {mode}; generator: {}", a.generator);
    println!(
        "list pages ({}): {} clients, median of {} runs of {} s: {:.0} req/s; p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms; CPU per request: server {:.3} ms, database backends {:.3} ms; {} errors in all",
        a.backend,
        a.clients,
        windows.len(),
        a.seconds,
        median(Window::rate),
        median(|w| w.p50_ms),
        median(|w| w.p95_ms),
        median(|w| w.p99_ms),
        median(|w| w.server_cpu_ms),
        median(|w| w.database_cpu_ms),
        windows.iter().map(|w| w.errors).sum::<usize>()
    );
    Ok(())
}

/// The durability the server runs with, as the database reports it.
fn durability(db: &str) -> String {
    if db.starts_with("postgres") {
        let show = |name: &str| {
            run(Command::new("psql").args([db, "-Atc", &format!("SHOW {name}")]))
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|_| "?".into())
        };
        format!(
            "PostgreSQL fsync={}, synchronous_commit={}",
            show("fsync"),
            show("synchronous_commit")
        )
    } else {
        "SQLite WAL, synchronous=FULL (set by the app on every connection)".into()
    }
}

/// Warm the caches, then time each query alone (one client, 21 runs), so a
/// slow filter shows up by name before the load hides it. Returns the
/// `next_cursor` of each query's first page.
fn time_alone(base: &str, token: &str) -> Res<Vec<Option<String>>> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut cursors = Vec::new();
    for q in QUERIES {
        let mut alone = Vec::new();
        let mut cursor = None;
        for _ in 0..21 {
            let t = Instant::now();
            let mut r = agent
                .get(format!("{base}{q}"))
                .header("Authorization", format!("Bearer {token}"))
                .call()?;
            let status = r.status();
            let body = r.body_mut().read_to_string()?;
            alone.push(t.elapsed());
            if status != 200 {
                return Err(format!("{q}: HTTP {status}: {body}").into());
            }
            cursor = next_cursor(&body);
        }
        alone.sort();
        println!("  alone: median {:6.2} ms  {q}", percentile(&alone, 0.5));
        cursors.push(cursor);
    }
    Ok(cursors)
}

/// The Lua script `wrk` runs: each connection's thread walks the rotation
/// from its own offset; `done` prints one machine-readable line.
fn wrk_script(token: &str, paths: &[String]) -> String {
    let list = paths
        .iter()
        .map(|p| format!("  \"{p}\","))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        r#"local paths = {{
{list}
}}
local requests = {{}}
local n = 0
local threads = {{}}
function setup(thread)
  thread:set("offset", #threads * 3)
  table.insert(threads, thread)
end
function init(args)
  for i, p in ipairs(paths) do
    requests[i] = wrk.format("GET", p, {{["Authorization"] = "Bearer {token}"}})
  end
  n = offset or 0
end
function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end
function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"#
    )
}

fn wrk_window(
    a: &Args,
    base: &str,
    token: &str,
    paths: &[String],
    dir: &std::path::Path,
) -> Res<Window> {
    let script = dir.join("list.lua");
    std::fs::write(&script, wrk_script(token, paths))?;
    let out = Command::new("wrk")
        .args([
            "-c",
            &a.clients.to_string(),
            "-t",
            "2",
            "-d",
            &format!("{}s", a.seconds),
            "--timeout",
            "10s",
            "--latency",
            "-s",
        ])
        .arg(&script)
        .arg(base)
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                "the load generator `wrk` is not installed: `apt-get install -y wrk` \
                 (Debian/Ubuntu), or pass --generator threads"
                    .to_owned()
            } else {
                format!("cannot run wrk: {e}")
            }
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("WRK "))
        .ok_or_else(|| {
            format!(
                "wrk printed no result: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    let field = |name: &str| -> f64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    Ok(Window {
        requests: field("requests") as usize,
        seconds: field("duration_us") / 1e6,
        p50_ms: field("p50_us") / 1e3,
        p95_ms: field("p95_us") / 1e3,
        p99_ms: field("p99_us") / 1e3,
        errors: field("errors") as usize,
        server_cpu_ms: 0.0,
        database_cpu_ms: 0.0,
    })
}

/// The in-process generator: one OS thread and keep-alive connection per
/// client. It shares the server's cores and costs far more CPU per request
/// than `wrk`; kept for paced runs.
fn threads_window(a: &Args, base: &str, token: &str, paths: &[String]) -> Window {
    let pace = a.pace_ms.map(Duration::from_millis);
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(0usize));
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let started = Instant::now();
    let mut handles = Vec::new();
    for c in 0..a.clients {
        let urls: Vec<String> = paths.iter().map(|p| format!("{base}{p}")).collect();
        let (token, latencies, errors) = (token.to_owned(), latencies.clone(), errors.clone());
        handles.push(std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let mut mine = Vec::new();
            let mut n = c * 3;
            let mut next_at = Instant::now();
            while Instant::now() < deadline {
                // Paced mode: each client sends one request per `pace`,
                // latency measured from the request, as users would see it.
                if let Some(p) = pace {
                    let now = Instant::now();
                    if next_at > now {
                        std::thread::sleep(next_at - now);
                    }
                    next_at += p;
                }
                n += 1;
                let Some(url) = urls.get(n % urls.len()) else {
                    break;
                };
                let t = Instant::now();
                match agent
                    .get(url)
                    .header("Authorization", format!("Bearer {token}"))
                    .call()
                {
                    Ok(mut r) if r.status() == 200 => {
                        let _ = r.body_mut().read_to_vec();
                        mine.push(t.elapsed());
                    }
                    _ => {
                        if let Ok(mut e) = errors.lock() {
                            *e += 1;
                        }
                    }
                }
            }
            if let Ok(mut l) = latencies.lock() {
                l.extend(mine);
            }
        }));
    }
    for h in handles {
        let _ = h.join();
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut l = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    l.sort();
    let errors = errors.lock().map(|e| *e).unwrap_or(0);
    Window {
        requests: l.len(),
        seconds,
        p50_ms: percentile(&l, 0.5),
        p95_ms: percentile(&l, 0.95),
        p99_ms: percentile(&l, 0.99),
        errors,
        server_cpu_ms: 0.0,
        database_cpu_ms: 0.0,
    }
}
