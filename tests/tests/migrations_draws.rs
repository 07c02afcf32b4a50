//! The draws migration goes down and up again on both backends, and the
//! two dialects declare the same tables and columns.

use expert_draw_tests::{Backend, TestDb, both_backends};

fn round_trip(backend: Backend) {
    let db = TestDb::new(backend);
    let mut conn = db.connect();
    expert_api::db::run_migrations(&mut conn).unwrap();
    let reverted = expert_api::db::revert_last_migration(&mut conn).unwrap();
    assert!(reverted.contains("000002"), "{reverted}");
    let applied = expert_api::db::run_migrations(&mut conn).unwrap();
    assert_eq!(applied.len(), 1, "{applied:?}");
}

both_backends!(draws_migration_round_trips, round_trip);

/// `name type` pairs of every column, in order, per dialect.
fn columns(sql: &str) -> Vec<String> {
    sql.lines()
        .map(str::trim)
        .filter(|l| {
            !l.starts_with("--") && !l.starts_with("CREATE") && !l.starts_with(')') && !l.is_empty()
        })
        .filter(|l| !l.starts_with("PRIMARY KEY"))
        .map(|l| {
            let mut parts = l.split_whitespace();
            let name = parts.next().unwrap_or_default();
            let ty = parts.next().unwrap_or_default().replace("BYTEA", "BLOB");
            format!("{name} {ty}")
        })
        .collect()
}

#[test]
fn dialects_declare_the_same_columns() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations");
    let read = |d: &str| {
        std::fs::read_to_string(format!("{dir}/{d}/2026-11-25-000002_draws/up.sql")).unwrap()
    };
    assert_eq!(columns(&read("sqlite")), columns(&read("postgres")));
}
