//! Migrations go up, all the way down and up again on both backends, and the
//! SQLite and PostgreSQL schemas (and diesel's `schema.rs`) cannot drift
//! apart: same versions, same tables, same columns, types and nullability.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use expert_api::db::{DbConn, known_migrations, revert_last_migration, run_migrations};
use expert_draw_tests::backend::postgres_unavailable;
use expert_draw_tests::fixtures::application_in;
use expert_draw_tests::{Backend, TestDb, both_backends, cli_ok};

const TABLES: [&str; 27] = [
    "api_tokens",
    "assessment_links",
    "assessment_sheets",
    "audit_entries",
    "audit_head",
    "audit_nodes",
    "awards",
    "bans",
    "case_events",
    "cases",
    "checkpoints",
    "counters",
    "draw_statements",
    "draws",
    "employer_letters",
    "employment_history",
    "evaluation_results",
    "expert_declines",
    "expert_leaves",
    "expert_specialties",
    "experts",
    "invitations",
    "outbox",
    "panel_changes",
    "panel_members",
    "sanction_proposals",
    "violations",
];

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// One column as both backends can describe it: name, type in PostgreSQL's
/// spelling, and whether it may hold NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    name: String,
    ty: String,
    nullable: bool,
}

type Schema = BTreeMap<String, Vec<Column>>;

/// User tables (not diesel's bookkeeping, not SQLite's internals).
fn tables(conn: &mut DbConn) -> BTreeSet<String> {
    let q = match conn {
        DbConn::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'"
        }
        DbConn::Postgres(_) => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'"
        }
    };
    diesel::sql_query(q)
        .load::<Name>(conn)
        .expect("list tables")
        .into_iter()
        .map(|r| r.name)
        .collect()
}

/// Index names, without the ones both backends make for keys themselves.
fn indexes(conn: &mut DbConn) -> BTreeSet<String> {
    let q = match conn {
        DbConn::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'index' \
             AND name NOT LIKE 'sqlite_autoindex_%'"
        }
        DbConn::Postgres(_) => {
            "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = 'public' \
             AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'"
        }
    };
    diesel::sql_query(q)
        .load::<Name>(conn)
        .expect("list indexes")
        .into_iter()
        .map(|r| r.name)
        .collect()
}

fn applied_versions(conn: &mut DbConn) -> i64 {
    diesel::sql_query("SELECT COUNT(*) AS n FROM __diesel_schema_migrations")
        .get_result::<Count>(conn)
        .expect("count applied migrations")
        .n
}

fn sqlite_type(declared: &str) -> String {
    match declared {
        "BIGINT" => "bigint",
        "INTEGER" => "integer",
        "TEXT" => "text",
        "BLOB" => "bytea",
        "TIMESTAMP" => "timestamp without time zone",
        "DATE" => "date",
        "BOOLEAN" => "boolean",
        other => panic!("SQLite column type {other} has no PostgreSQL counterpart here"),
    }
    .to_owned()
}

fn schema(conn: &mut DbConn) -> Schema {
    match conn {
        DbConn::Sqlite(c) => {
            #[derive(QueryableByName)]
            struct Col {
                #[diesel(sql_type = Text)]
                name: String,
                #[diesel(sql_type = Text)]
                ty: String,
                #[diesel(sql_type = BigInt)]
                not_null: i64,
                #[diesel(sql_type = BigInt)]
                pk: i64,
            }
            let names: Vec<Name> = diesel::sql_query(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'",
            )
            .load(c)
            .expect("tables");
            names
                .into_iter()
                .map(|t| {
                    let cols: Vec<Col> = diesel::sql_query(format!(
                        "SELECT name, type AS ty, \"notnull\" AS not_null, pk \
                         FROM pragma_table_info('{}') ORDER BY cid",
                        t.name
                    ))
                    .load(c)
                    .expect("table_info");
                    let cols = cols
                        .into_iter()
                        .map(|col| Column {
                            name: col.name,
                            ty: sqlite_type(&col.ty),
                            // SQLite lets a non-INTEGER primary key hold NULL
                            // unless NOT NULL is declared: require it.
                            nullable: col.not_null == 0 && col.pk == 0,
                        })
                        .collect();
                    (t.name, cols)
                })
                .collect()
        }
        DbConn::Postgres(c) => {
            #[derive(QueryableByName)]
            struct Col {
                #[diesel(sql_type = Text)]
                table_name: String,
                #[diesel(sql_type = Text)]
                column_name: String,
                #[diesel(sql_type = Text)]
                data_type: String,
                #[diesel(sql_type = Text)]
                is_nullable: String,
            }
            let cols: Vec<Col> = diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name, \
                 data_type::text AS data_type, is_nullable::text AS is_nullable \
                 FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' \
                 ORDER BY table_name, ordinal_position",
            )
            .load(c)
            .expect("columns");
            let mut s = Schema::new();
            for col in cols {
                s.entry(col.table_name).or_default().push(Column {
                    name: col.column_name,
                    ty: col.data_type,
                    nullable: col.is_nullable == "YES",
                });
            }
            s
        }
    }
}

/// The columns `expert-api/src/db/schema.rs` declares, read from its text
/// so that a column added to the migrations but not to diesel's view (or
/// the other way round) fails here.
fn diesel_schema() -> Schema {
    let text = include_str!("../../expert-api/src/db/schema.rs");
    let mut s = Schema::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(open) = line.strip_suffix('{').filter(|l| l.contains('(')) {
            let name = open.split('(').next().unwrap_or_default().trim().to_owned();
            s.insert(name.clone(), Vec::new());
            current = Some(name);
        } else if let (Some(t), Some((col, ty))) = (&current, line.split_once("->")) {
            let ty = ty.trim().trim_end_matches(',');
            let (nullable, inner) = match ty.strip_prefix("Nullable<") {
                Some(rest) => (true, rest.trim_end_matches('>')),
                None => (false, ty),
            };
            let ty = match inner {
                "BigInt" => "bigint",
                "Integer" => "integer",
                "Text" => "text",
                "Binary" => "bytea",
                "Timestamp" => "timestamp without time zone",
                "Date" => "date",
                "Bool" => "boolean",
                other => panic!("schema.rs type {other} not mapped"),
            };
            s.get_mut(t).expect("table").push(Column {
                name: col.trim().to_owned(),
                ty: ty.to_owned(),
                nullable,
            });
        } else if line == "}" {
            current = None;
        }
    }
    s
}

fn migration_dirs(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| {
            for f in ["up.sql", "down.sql"] {
                assert!(
                    e.path().join(f).is_file(),
                    "{} lacks {f}",
                    e.path().display()
                );
            }
            e.file_name().to_string_lossy().into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Put some rows in every table that references another, so that `down`
/// must drop them in the right order.
fn fill(conn: &mut DbConn) {
    use expert_api::store::{StoreError, audit, experts};
    let today = Utc::now().date_naive();
    let input: expert_api::intake::ApplicationInput =
        serde_json::from_value(application_in("420100")).expect("application input");
    let intake = expert_api::intake::to_application(
        input,
        today,
        &expert_core::admission::AdmissionPolicy::default(),
    )
    .expect("valid application");
    audit::write(conn, Utc::now(), |tx| -> Result<_, StoreError> {
        experts::apply(
            tx,
            "test",
            &intake.application,
            intake.employed_since,
            &expert_core::admission::AdmissionPolicy::default(),
            today,
        )
    })
    .expect("apply");
}

fn migrations_round_trip(backend: Backend) {
    let db = TestDb::new(backend);

    // The CLI on a fresh database applies everything, then has nothing to do.
    let out = cli_ok(&["migrate", "--db", &db.url]);
    let mut conn = db.connect();
    let known = known_migrations(&conn).expect("known migrations");
    assert!(!known.is_empty());
    for v in &known {
        assert!(out.contains(&format!("applied {v}\n")), "{out}");
    }
    assert!(
        out.contains(&format!("{} migration(s) applied", known.len())),
        "{out}"
    );
    let out = cli_ok(&["migrate", "--db", &db.url]);
    assert!(out.trim_end().ends_with(": schema is up to date"), "{out}");
    assert!(!out.contains("applied"), "{out}");

    let want: BTreeSet<String> = TABLES.iter().map(|t| (*t).to_owned()).collect();
    assert_eq!(tables(&mut conn), want);
    assert_eq!(applied_versions(&mut conn), known.len() as i64);
    assert!(run_migrations(&mut conn).expect("no-op").is_empty());
    let indexes_before = indexes(&mut conn);
    fill(&mut conn);

    // All the way down, newest first, to an empty schema.
    for v in known.iter().rev() {
        assert_eq!(&revert_last_migration(&mut conn).expect("revert"), v);
    }
    assert_eq!(applied_versions(&mut conn), 0);
    assert!(
        tables(&mut conn).is_empty(),
        "left behind: {:?}",
        tables(&mut conn)
    );
    assert!(indexes(&mut conn).is_empty(), "{:?}", indexes(&mut conn));
    assert!(
        revert_last_migration(&mut conn).is_err(),
        "nothing left to revert"
    );

    // And up again: the same schema, with the log's empty head seeded.
    assert_eq!(run_migrations(&mut conn).expect("re-apply"), known);
    assert_eq!(tables(&mut conn), want);
    assert_eq!(indexes(&mut conn), indexes_before);
    assert!(run_migrations(&mut conn).expect("no-op").is_empty());
    let head = expert_api::store::audit::head(&mut conn).expect("head");
    assert_eq!(head.size, 0);
    assert_eq!(head.root, draw_audit::merkle::empty_root());
    drop(conn);
    let out = cli_ok(&["migrate", "--db", &db.url]);
    assert!(out.contains("schema is up to date"), "{out}");
}

both_backends!(round_trip, migrations_round_trip);

#[test]
fn backends_cannot_drift() {
    // The folders hold the same versions, each with up and down.
    let sqlite_dirs = migration_dirs("sqlite");
    assert!(!sqlite_dirs.is_empty());
    assert_eq!(sqlite_dirs, migration_dirs("postgres"));

    let sqlite = TestDb::new(Backend::Sqlite);
    let mut lite = sqlite.connect();
    let versions = known_migrations(&lite).expect("sqlite versions");
    assert_eq!(versions.len(), sqlite_dirs.len());
    // Two folders with one version (branches landing the same number) would
    // leave one of them silently unapplied.
    let distinct: BTreeSet<&String> = versions.iter().collect();
    assert_eq!(
        distinct.len(),
        versions.len(),
        "duplicate migration version: {versions:?}"
    );
    for (v, d) in versions.iter().zip(&sqlite_dirs) {
        assert!(d.replace('-', "").starts_with(v.as_str()), "{v} vs {d}");
    }
    run_migrations(&mut lite).expect("sqlite migrations");
    let lite_schema = schema(&mut lite);
    assert_eq!(
        lite_schema.keys().cloned().collect::<BTreeSet<_>>(),
        TABLES.iter().map(|t| (*t).to_owned()).collect()
    );
    // diesel's schema.rs says the same as the SQLite migrations.
    assert_eq!(lite_schema, diesel_schema(), "SQLite vs schema.rs");

    if let Some(skip) = postgres_unavailable() {
        eprintln!("SKIPPED PostgreSQL half of backends_cannot_drift: {skip}");
        return;
    }
    let pg = TestDb::new(Backend::Postgres);
    let mut pgc = pg.connect();
    assert_eq!(known_migrations(&pgc).expect("pg versions"), versions);
    run_migrations(&mut pgc).expect("pg migrations");
    let pg_schema = schema(&mut pgc);
    for (table, cols) in &lite_schema {
        assert_eq!(
            pg_schema.get(table),
            Some(cols),
            "table {table}: SQLite and PostgreSQL differ"
        );
    }
    assert_eq!(pg_schema, lite_schema);
    assert_eq!(indexes(&mut pgc), indexes(&mut lite));
}
