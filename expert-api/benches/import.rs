//! The import benchmark: a synthetic 100,000-expert roster imported by the
//! real `expert-api` binary into a fresh SQLite file and a fresh PostgreSQL
//! database, wall time per backend, median of several runs.
//!
//! Run: `cargo bench -p expert-api --bench import`. Environment:
//! `IMPORT_BENCH_ROWS` (default 100000), `IMPORT_BENCH_RUNS` (default 3),
//! `IMPORT_BENCH_PG` (default postgres://postgres@127.0.0.1:5432; set to
//! `none` to skip PostgreSQL). The goals: under 20 s on SQLite, under 40 s on
//! PostgreSQL, with the durability settings the service runs with.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

const BIN: &str = env!("CARGO_BIN_EXE_expert-api");

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
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
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "{cores} cores (nproc), CPU {model}, load average {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = Integer)]
    synchronous: i32,
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    value: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn sqlite_settings(url: &str) -> anyhow::Result<String> {
    let conn = expert_api::db::DbUrl::parse(url)?.connect()?;
    let expert_api::db::DbConn::Sqlite(mut c) = conn else {
        anyhow::bail!("not SQLite");
    };
    let sync: Pragma = diesel::sql_query("PRAGMA synchronous").get_result(&mut c)?;
    let mode: JournalMode = diesel::sql_query("PRAGMA journal_mode").get_result(&mut c)?;
    let sync = match sync.synchronous {
        0 => "OFF",
        1 => "NORMAL",
        2 => "FULL",
        3 => "EXTRA",
        _ => "?",
    };
    Ok(format!(
        "synchronous={sync}, journal_mode={} (as the app sets them)",
        mode.journal_mode
    ))
}

fn pg_settings(admin: &str) -> anyhow::Result<String> {
    let mut c = diesel::PgConnection::establish(&format!("{admin}/postgres"))?;
    let mut show = |name: &str| -> anyhow::Result<String> {
        let s: Setting = diesel::sql_query(format!(
            "SELECT setting AS value FROM pg_settings WHERE name = '{name}'"
        ))
        .get_result(&mut c)?;
        Ok(s.value)
    };
    Ok(format!(
        "fsync={}, synchronous_commit={}, wal_sync_method={}",
        show("fsync")?,
        show("synchronous_commit")?,
        show("wal_sync_method")?
    ))
}

fn run(args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(BIN).args(args).output()?;
    if !out.status.success() {
        anyhow::bail!(
            "expert-api {args:?} failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Migrate `url` (not timed), then time one import of `file`.
fn time_import(url: &str, file: &Path, mode: &str, rows: usize) -> anyhow::Result<Duration> {
    run(&["migrate", "--db", url])?;
    let file = file.to_string_lossy();
    let started = Instant::now();
    run(&["import", &file, "--mode", mode, "--db", url])?;
    let elapsed = started.elapsed();
    let mut conn = expert_api::db::DbUrl::parse(url)?.connect()?;
    let experts: Count =
        diesel::sql_query("SELECT COUNT(*) AS n FROM experts").get_result(&mut conn)?;
    let entries: Count =
        diesel::sql_query("SELECT COUNT(*) AS n FROM audit_entries").get_result(&mut conn)?;
    let want = i64::try_from(rows)?;
    if experts.n != want || entries.n != want {
        anyhow::bail!(
            "expected {rows} experts and entries, found {} and {}",
            experts.n,
            entries.n
        );
    }
    Ok(elapsed)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn report(backend: &str, mode: &str, rows: usize, times: &[Duration]) {
    let m = median(times.to_vec());
    let all: Vec<String> = times
        .iter()
        .map(|t| format!("{:.2}", t.as_secs_f64()))
        .collect();
    println!(
        "{backend:<10} {mode:<15} {rows} rows: median {:.2} s = {:.0} rows/s (runs: {} s)",
        m.as_secs_f64(),
        rows as f64 / m.as_secs_f64().max(1e-9),
        all.join(", ")
    );
}

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; this harness has no options of its own.
    let rows: usize = env_or("IMPORT_BENCH_ROWS", 100_000);
    let runs: usize = env_or("IMPORT_BENCH_RUNS", 3).max(1);
    let pg: String = env_or(
        "IMPORT_BENCH_PG",
        "postgres://postgres@127.0.0.1:5432".to_owned(),
    );
    println!("import benchmark: {rows} rows, {runs} run(s) per backend");
    println!("machine: {}", machine());
    // On the project disk, not a tmpfs: fsync must cost what it costs.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR"))?;
    let as_of = chrono::Utc::now().date_naive();
    let started = Instant::now();
    let roster = expert_api::synth::roster(rows, 2026, as_of);
    let file = dir.path().join("roster.csv");
    expert_api::synth::write_csv(std::fs::File::create(&file)?, &roster)?;
    drop(roster);
    println!(
        "roster generated in {:.2} s: {} ({} MB)",
        started.elapsed().as_secs_f64(),
        file.display(),
        std::fs::metadata(&file)?.len() / 1_000_000
    );
    println!(
        "command: expert-api import roster.csv --mode MODE --db URL (fresh, migrated database per run)"
    );

    let mut times = Vec::new();
    for i in 0..runs {
        let url = format!("sqlite://{}", dir.path().join(format!("s{i}.db")).display());
        if i == 0 {
            println!("SQLite: {}", sqlite_settings(&url)?);
        }
        times.push(time_import(&url, &file, "all-or-nothing", rows)?);
    }
    report("SQLite", "all-or-nothing", rows, &times);
    let url = format!("sqlite://{}", dir.path().join("valid-only.db").display());
    let t = time_import(&url, &file, "valid-only", rows)?;
    report("SQLite", "valid-only", rows, &[t]);

    if pg == "none" {
        println!("PostgreSQL: skipped (IMPORT_BENCH_PG=none)");
        return Ok(());
    }
    println!("PostgreSQL: {}", pg_settings(&pg)?);
    let mut admin = diesel::PgConnection::establish(&format!("{pg}/postgres"))?;
    let mut pg_run = |i: usize, mode: &str| -> anyhow::Result<Duration> {
        let name = format!("ed_bench_import_{}_{i}", std::process::id());
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}")).execute(&mut admin)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
        let result = time_import(&format!("{pg}/{name}"), &file, mode, rows);
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)?;
        result
    };
    let mut times = Vec::new();
    for i in 0..runs {
        times.push(pg_run(i, "all-or-nothing")?);
    }
    report("PostgreSQL", "all-or-nothing", rows, &times);
    let t = pg_run(runs, "valid-only")?;
    report("PostgreSQL", "valid-only", rows, &[t]);
    Ok(())
}
