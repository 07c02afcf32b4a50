//! Load test of the running service: a release `expert-api serve` in its own
//! process, a 100,000-expert pool, and N concurrent keep-alive clients.
//!
//! `cargo bench -p expert-api --bench http_load [-- --backend sqlite|postgres]
//! [--clients 50] [--seconds 20] [--experts 100000]`
//! Reports p50/p95/p99 latency and throughput for filtered list pages.

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
    experts: usize,
    pace_ms: Option<u64>,
}

fn args() -> Args {
    let mut a = Args {
        backend: "sqlite".into(),
        clients: 50,
        seconds: 20,
        experts: 100_000,
        pace_ms: None,
    };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--backend" => a.backend = next,
            "--clients" => a.clients = next.parse().unwrap_or(a.clients),
            "--seconds" => a.seconds = next.parse().unwrap_or(a.seconds),
            "--experts" => a.experts = next.parse().unwrap_or(a.experts),
            "--pace-ms" => a.pace_ms = next.parse().ok(),
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

fn main() -> Res<()> {
    let a = args();
    let dir = tempfile::tempdir()?;
    let pg_name = format!("ed_load_{}", std::process::id());
    let pg_admin = "postgres://postgres@127.0.0.1:5432";
    let db = match a.backend.as_str() {
        "postgres" => {
            run(Command::new("psql").args([
                &format!("{pg_admin}/postgres"),
                "-qc",
                &format!("CREATE DATABASE {pg_name}"),
            ]))?;
            format!("{pg_admin}/{pg_name}")
        }
        _ => format!("sqlite://{}", dir.path().join("load.db").display()),
    };
    let roster = dir.path().join("roster.csv");
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
        .arg(&roster))?;
    run(Command::new(BIN)
        .arg("import")
        .arg(&roster)
        .args(["--admit", "--db", &db]))?;
    println!(
        "pool: {} experts imported and admitted in {:.1} s ({})",
        a.experts,
        t.elapsed().as_secs_f64(),
        a.backend
    );
    let token_out = run(Command::new(BIN).args([
        "token",
        "create",
        "--role",
        "supervisor",
        "--label",
        "load",
        "--db",
        &db,
    ]))?;
    let token = token_out
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned();

    let server = support::serve(BIN, &db, &dir.path().join("key.pem"), 2)?;
    let base = server.base.clone();

    // The filters operators use: status + region, a specialty prefix, a
    // name fragment, an employer, and the next page by cursor.
    let queries = [
        "/api/v1/experts?status=active&region=420100&limit=50",
        "/api/v1/experts?status=active&region=420600&limit=50",
        "/api/v1/experts?status=active&specialty=EN&limit=50",
        "/api/v1/experts?specialty=ENA01&limit=50",
        "/api/v1/experts?q=%E5%BC%A0&limit=50",
        "/api/v1/experts?region=420500&status=active&limit=50",
        "/api/v1/experts?limit=50",
    ];
    // Warm the caches, then time each query alone (one client, 21 runs),
    // so a slow filter shows up by name before the load hides it.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    for q in queries {
        let mut alone = Vec::new();
        for _ in 0..21 {
            let t = Instant::now();
            let mut r = agent
                .get(format!("{base}{q}"))
                .header("Authorization", format!("Bearer {token}"))
                .call()?;
            let _ = r.body_mut().read_to_string();
            alone.push(t.elapsed());
        }
        alone.sort();
        println!("  alone: median {:6.2} ms  {q}", percentile(&alone, 0.5));
    }
    let pace = a.pace_ms.map(Duration::from_millis);

    let latencies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(0usize));
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let started = Instant::now();
    let mut handles = Vec::new();
    for c in 0..a.clients {
        let (base, token, latencies, errors) = (
            base.clone(),
            token.clone(),
            latencies.clone(),
            errors.clone(),
        );
        handles.push(std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let mut mine = Vec::new();
            let mut n = c;
            let mut cursor: Option<String> = None;
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
                let q = queries[n % queries.len()];
                n += 1;
                let url = match (&cursor, n % 5) {
                    (Some(cur), 0) => {
                        format!("{base}/api/v1/experts?status=active&limit=50&cursor={cur}")
                    }
                    _ => format!("{base}{q}"),
                };
                let t = Instant::now();
                match agent
                    .get(&url)
                    .header("Authorization", format!("Bearer {token}"))
                    .call()
                {
                    Ok(mut r) if r.status() == 200 => {
                        let body = r.body_mut().read_to_string().unwrap_or_default();
                        mine.push(t.elapsed());
                        // The generator shares the 2 cores with the server:
                        // it reads the one field it needs, not the whole page.
                        cursor = next_cursor(&body);
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
    let elapsed = started.elapsed().as_secs_f64();
    drop(server);
    if a.backend == "postgres" {
        let _ = run(Command::new("psql").args([
            &format!("{pg_admin}/postgres"),
            "-qc",
            &format!("DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"),
        ]));
    }
    let mut l = latencies.lock().map_err(|_| "poisoned")?.clone();
    l.sort();
    let errors = *errors.lock().map_err(|_| "poisoned")?;
    let mode = match a.pace_ms {
        Some(p) => format!("paced, one request per {p} ms per client"),
        None => "closed loop, no think time".to_owned(),
    };
    println!("mode: {mode}");
    println!(
        "list pages ({}): {} clients, {} requests in {:.1} s = {:.0} req/s; p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms; {} errors",
        a.backend,
        a.clients,
        l.len(),
        elapsed,
        l.len() as f64 / elapsed,
        percentile(&l, 0.5),
        percentile(&l, 0.95),
        percentile(&l, 0.99),
        errors
    );
    Ok(())
}
