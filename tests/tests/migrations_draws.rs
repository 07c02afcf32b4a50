//! The draws migration goes down and up again on both backends, and the
//! two dialects declare the same tables and columns.

use expert_draw_tests::{Backend, TestDb, both_backends};

fn round_trip(backend: Backend) {
    let db = TestDb::new(backend);
    let mut conn = db.connect();
    expert_api::db::run_migrations(&mut conn).unwrap();
    // Later migrations go down first, then the draws migration.
    let mut reverted = Vec::new();
    loop {
        let version = expert_api::db::revert_last_migration(&mut conn).unwrap();
        let done = version.contains("000002");
        assert!(!version.contains("000001"), "{reverted:?}");
        reverted.push(version);
        if done {
            break;
        }
    }
    let applied = expert_api::db::run_migrations(&mut conn).unwrap();
    assert_eq!(applied.len(), reverted.len(), "{applied:?}");
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

/// The draw-facts migration fills the new columns of experts already in
/// the registry from `status_data`: the same values the store writes.
fn draw_facts_backfill(backend: Backend) {
    use diesel::prelude::*;
    use expert_api::db::schema::experts;
    use expert_api::store::{StoreError, audit, experts as store};
    use expert_core::admission::{AdmissionPolicy, Decision};
    use expert_core::lifecycle::Command;

    let db = TestDb::new(backend);
    let mut conn = db.connect();
    expert_api::db::run_migrations(&mut conn).unwrap();
    let today = chrono::Utc::now().date_naive();
    let policy = AdmissionPolicy::default();
    // An applicant, an active expert and one on leave.
    for (n, leave) in [(1, None), (2, Some(false)), (3, Some(true))] {
        let mut app = expert_draw_tests::fixtures::application_in("420100");
        app["resident_id"] = serde_json::json!(expert_draw_tests::fixtures::resident_id(
            "420102",
            expert_draw_tests::fixtures::born_aged(45, 30),
            n
        ));
        app["mobile"] = serde_json::json!(format!("1390000000{n}"));
        let input: expert_api::intake::ApplicationInput = serde_json::from_value(app).unwrap();
        let intake = expert_api::intake::to_application(input, today, &policy).unwrap();
        audit::write(
            &mut conn,
            chrono::Utc::now(),
            |tx| -> Result<_, StoreError> {
                let r = store::apply(
                    tx,
                    "test",
                    &intake.application,
                    intake.employed_since,
                    &policy,
                    today,
                )?;
                if let Some(on_leave) = leave {
                    let d = Decision::approve(&intake.application, today, &policy).unwrap();
                    store::command(tx, "test", &r.id, &d.command(), today, None, None)?;
                    if on_leave {
                        let cmd = Command::GrantLeave {
                            from: today,
                            to: today + chrono::Duration::days(3),
                            reason: "出差".into(),
                        };
                        store::command(tx, "test", &r.id, &cmd, today, None, None)?;
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    }
    type Facts = (
        String,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
    );
    let read = |conn: &mut expert_api::db::DbConn| -> Vec<Facts> {
        experts::table
            .select((
                experts::status,
                experts::term_start,
                experts::term_end,
                experts::leave_from,
                experts::leave_to,
            ))
            .order(experts::id.asc())
            .load(conn)
            .unwrap()
    };
    let written = read(&mut conn);
    assert_eq!(
        written.iter().filter(|f| f.1.is_some()).count(),
        2,
        "{written:?}"
    );
    assert_eq!(
        written.iter().filter(|f| f.3.is_some()).count(),
        1,
        "{written:?}"
    );
    // Down to below the draw-facts migration (later ones first), then up.
    let mut reverted = Vec::new();
    while !reverted.iter().any(|v: &String| v.contains("000003")) {
        reverted.push(expert_api::db::revert_last_migration(&mut conn).unwrap());
        assert!(
            reverted.len() <= 64,
            "draw-facts migration never reverted: {reverted:?}"
        );
    }
    expert_api::db::run_migrations(&mut conn).unwrap();
    assert_eq!(read(&mut conn), written);
}

both_backends!(draw_facts_columns_are_backfilled, draw_facts_backfill);
