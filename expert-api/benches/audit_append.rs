//! What the audit log adds to a write: the same durable transaction with and
//! without its log entry (leaf insert, head lock and compact-range update).
//!
//! `cargo bench -p expert-api --bench audit_append` — SQLite with the app's
//! settings (WAL, synchronous=FULL); PostgreSQL too when reachable.

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use expert_api::db::{DbConn, DbUrl, open_pool};
use expert_api::store::StoreError;
use expert_api::store::audit;
use serde_json::json;

const ROUNDS: usize = 2_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn change(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::sql_query("UPDATE counters SET value = value + 1 WHERE name = 'bench'").execute(conn)
}

fn run(url: &DbUrl, label: &str) -> Result<(), Box<dyn std::error::Error>> {
    let pool = open_pool(url, 1)?;
    let mut conn = pool.get()?;
    conn.batch_execute("INSERT INTO counters (name, value) VALUES ('bench', 0)")?;
    // Grow the log first, so appends work on a realistic tree (~100k entries).
    let warm = 100_000;
    let mut done = 0;
    while done < warm {
        audit::write(&mut conn, Utc::now(), |tx| {
            for _ in 0..5_000 {
                tx.append("bench.warm", "bench", None, json!({"n": done}))?;
                done += 1;
            }
            Ok::<_, StoreError>(())
        })?;
    }
    let mut plain = Vec::with_capacity(ROUNDS);
    let mut logged = Vec::with_capacity(ROUNDS);
    // Interleave the two kinds so that disk noise hits both alike.
    for i in 0..ROUNDS {
        let t = Instant::now();
        conn.transaction(|c| change(c))?;
        plain.push(t.elapsed());
        let t = Instant::now();
        audit::write(&mut conn, Utc::now(), |tx| {
            change(tx.conn)?;
            tx.append(
                "expert.update_contact",
                "operator:T0123456789ab@420100",
                Some("E0000001"),
                json!({"expert_id": "E0000001", "fields": ["mobile", "employer_contact"], "region": "420100", "i": i}),
            )?;
            Ok::<_, StoreError>(())
        })?;
        logged.push(t.elapsed());
    }
    // Paired differences: each logged write against the plain write just
    // before it, which shared the same disk weather.
    let mut added: Vec<f64> = plain
        .iter()
        .zip(&logged)
        .map(|(p, l)| l.as_secs_f64() * 1000.0 - p.as_secs_f64() * 1000.0)
        .collect();
    added.sort_by(f64::total_cmp);
    let pick = |p: f64| {
        added
            .get(((added.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    plain.sort();
    logged.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<10} plain write  p50 {:7.3} ms  p95 {:7.3} ms  p99 {:7.3} ms",
        ms(percentile(&plain, 0.5)),
        ms(percentile(&plain, 0.95)),
        ms(percentile(&plain, 0.99))
    );
    println!(
        "{label:<10} + audit     p50 {:7.3} ms  p95 {:7.3} ms  p99 {:7.3} ms",
        ms(percentile(&logged, 0.5)),
        ms(percentile(&logged, 0.95)),
        ms(percentile(&logged, 0.99))
    );
    println!(
        "{label:<10} added by the audit append: p50 {:+.3} ms, p95 {:+.3} ms ({ROUNDS} writes each, log of {warm}+ entries)",
        ms(percentile(&logged, 0.5)) - ms(percentile(&plain, 0.5)),
        ms(percentile(&logged, 0.95)) - ms(percentile(&plain, 0.95)),
    );
    println!(
        "{label:<10} paired difference per write: p50 {:+.3} ms, p95 {:+.3} ms",
        pick(0.5),
        pick(0.95)
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    println!(
        "machine: {} cores, {cpu}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0)
    );
    let dir = tempfile::tempdir()?;
    let sqlite = DbUrl::parse(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))?;
    println!(
        "SQLite: WAL, synchronous=FULL (the app's settings), file on {}",
        dir.path().display()
    );
    run(&sqlite, "sqlite")?;

    let admin = "postgres://postgres@127.0.0.1:5432";
    if let Ok(mut c) = diesel::PgConnection::establish(&format!("{admin}/postgres")) {
        let name = format!("ed_bench_{}", std::process::id());
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut c)?;
        let settings: Vec<String> = ["fsync", "synchronous_commit"]
            .iter()
            .map(|k| {
                #[derive(QueryableByName)]
                struct S {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    v: String,
                }
                diesel::sql_query(format!(
                    "SELECT setting AS v FROM pg_settings WHERE name = '{k}'"
                ))
                .get_result::<S>(&mut c)
                .map(|s| format!("{k}={}", s.v))
                .unwrap_or_default()
            })
            .collect();
        println!("PostgreSQL: {}", settings.join(", "));
        let r = run(&DbUrl::parse(&format!("{admin}/{name}"))?, "postgres");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut c)?;
        r?;
    } else {
        println!("PostgreSQL not reachable: skipped");
    }
    Ok(())
}
