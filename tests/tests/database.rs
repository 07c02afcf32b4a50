//! SQLite connections are set up for durability and integrity on every
//! pooled connection, and the database file (with its directory) is created
//! on first use; PostgreSQL connections plan every statement afresh.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use expert_api::db::{Checkpoints, DbConn, DbUrl, checkpoint, open_pool};
use expert_draw_tests::{Backend, TestDb, cli_ok};

#[derive(QueryableByName)]
struct Mode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

#[derive(QueryableByName)]
struct ForeignKeys {
    #[diesel(sql_type = BigInt)]
    foreign_keys: i64,
}

#[derive(QueryableByName)]
struct BusyTimeout {
    #[diesel(sql_type = BigInt)]
    timeout: i64,
}

#[derive(QueryableByName)]
struct Synchronous {
    #[diesel(sql_type = BigInt)]
    synchronous: i64,
}

#[test]
fn every_pooled_sqlite_connection_is_set_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir
        .path()
        .join("nested")
        .join("deeper")
        .join("expert-draw.db");
    assert!(!path.parent().expect("parent").exists());
    let url = DbUrl::parse(&format!("sqlite://{}", path.display())).expect("url");
    let pool = open_pool(&url, 3).expect("pool");
    assert!(path.is_file(), "database file created with its directories");

    // Hold all three at once so that each is a separate connection.
    let mut conns: Vec<_> = (0..3).map(|_| pool.get().expect("connection")).collect();
    for conn in &mut conns {
        let conn: &mut DbConn = conn;
        let DbConn::Sqlite(c) = &mut *conn else {
            panic!("sqlite:// must give an SQLite connection")
        };
        let mode = diesel::sql_query("PRAGMA journal_mode")
            .get_result::<Mode>(c)
            .expect("journal_mode");
        assert_eq!(mode.journal_mode, "wal");
        let fk = diesel::sql_query("PRAGMA foreign_keys")
            .get_result::<ForeignKeys>(c)
            .expect("foreign_keys");
        assert_eq!(fk.foreign_keys, 1);
        let busy = diesel::sql_query("PRAGMA busy_timeout")
            .get_result::<BusyTimeout>(c)
            .expect("busy_timeout");
        assert!(busy.timeout > 0, "busy_timeout {}", busy.timeout);
        let sync = diesel::sql_query("PRAGMA synchronous")
            .get_result::<Synchronous>(c)
            .expect("synchronous");
        assert_eq!(sync.synchronous, 2, "synchronous = FULL");

        // Foreign keys are enforced, not just declared.
        let r = diesel::sql_query(
            "INSERT INTO expert_specialties (expert_id, code) VALUES ('E-none', 'ENA010101')",
        )
        .execute(c);
        assert!(r.is_err(), "a specialty of a missing expert was accepted");
    }
}

#[derive(QueryableByName)]
struct PlanCacheMode {
    #[diesel(sql_type = Text)]
    plan_cache_mode: String,
}

/// Every pooled PostgreSQL connection plans each statement for its
/// parameters: a generic plan cached while a table was small would keep
/// scanning it whole as it grows (docs/PERFORMANCE.md, draws over HTTP).
#[test]
fn every_pooled_postgres_connection_plans_per_statement() {
    if let Some(skip) = expert_draw_tests::backend::postgres_unavailable() {
        eprintln!("SKIPPED every_pooled_postgres_connection_plans_per_statement: {skip}");
        return;
    }
    let db = TestDb::new(Backend::Postgres);
    let url = DbUrl::parse(&db.url).expect("url");
    let pool = open_pool(&url, 3).expect("pool");
    let mut conns: Vec<_> = (0..3).map(|_| pool.get().expect("connection")).collect();
    for conn in &mut conns {
        let conn: &mut DbConn = conn;
        let DbConn::Postgres(c) = &mut *conn else {
            panic!("postgres:// must give a PostgreSQL connection")
        };
        let mode = diesel::sql_query("SHOW plan_cache_mode")
            .get_result::<PlanCacheMode>(c)
            .expect("plan_cache_mode");
        assert_eq!(mode.plan_cache_mode, "force_custom_plan");
    }
}

/// SQLite's checkpoint starvation, and the server's checkpointer out of it.
/// A writer starts the write-ahead log over only if, when it begins, every
/// frame has been copied and no reader is inside the log; under steady
/// load some reader always is, and a `PASSIVE` checkpoint (which never
/// waits) leaves the log growing for ever. Past its threshold,
/// [`checkpoint`] waits for those readers, and the next write starts the
/// log over.
#[test]
fn the_checkpointer_starts_a_busy_write_ahead_log_over() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url =
        DbUrl::parse(&format!("sqlite://{}", dir.path().join("wal.db").display())).expect("url");
    let open = || url.connect_with(Checkpoints::Background).expect("connect");
    let (mut writer, mut reader, mut checkpointer) = (open(), open(), open());
    writer
        .batch_execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, b BLOB)")
        .expect("table");
    let mut write = |n: usize| {
        for _ in 0..n {
            writer
                .batch_execute("INSERT INTO scratch (b) VALUES (randomblob(65536))")
                .expect("write");
        }
    };
    let frames = |c: &mut DbConn| checkpoint(c, i64::MAX).expect("checkpoint").frames;
    let begin_read = |r: &mut DbConn| {
        r.batch_execute("BEGIN; SELECT count(*) FROM scratch;")
            .expect("read");
    };

    // Starvation: a reader inside the log while the writers go on; the
    // passive checkpoint copies what it may, and the log only grows.
    write(10);
    begin_read(&mut reader);
    write(10);
    let passive = checkpoint(&mut checkpointer, i64::MAX).expect("checkpoint");
    assert!(!passive.restarted);
    assert!(passive.copied < passive.frames, "{passive:?}");
    reader.batch_execute("COMMIT").expect("end read");
    write(1);
    let grown = frames(&mut checkpointer);
    assert!(grown > passive.frames, "{grown} after {passive:?}");

    // Past the threshold the checkpointer waits for the reader (which ends
    // a moment later, on its own thread) and the next write starts over.
    // One write first, so that the reader's snapshot is inside the log.
    write(1);
    begin_read(&mut reader);
    write(10);
    let restart = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(std::time::Duration::from_millis(200));
            reader.batch_execute("COMMIT").expect("end read");
        });
        checkpoint(&mut checkpointer, 64).expect("checkpoint")
    });
    assert!(restart.restarted, "{restart:?}");
    assert_eq!(restart.copied, restart.frames, "{restart:?}");
    write(1);
    let after = frames(&mut checkpointer);
    assert!(
        after < 64 && after < restart.frames,
        "the log went on from frame {} to {after}",
        restart.frames
    );

    // A reader that outlasts the checkpointer's wait: the round gives up
    // (no error, nothing restarted) and lets the writers go on.
    checkpointer
        .batch_execute("PRAGMA busy_timeout = 50;")
        .expect("short wait");
    write(1);
    begin_read(&mut reader);
    write(10);
    let gave_up = checkpoint(&mut checkpointer, 64).expect("checkpoint");
    assert!(!gave_up.restarted, "{gave_up:?}");
    write(1);
    reader.batch_execute("COMMIT").expect("end read");
    assert!(frames(&mut checkpointer) > gave_up.frames);
}

#[test]
fn cli_creates_the_database_and_its_directory() {
    let db = TestDb::new(Backend::Sqlite);
    let path = std::path::PathBuf::from(db.url.strip_prefix("sqlite://").expect("sqlite url"));
    assert!(!path.parent().expect("parent").exists());
    let out = cli_ok(&["migrate", "--db", &db.url]);
    assert!(out.contains("migration(s) applied"), "{out}");
    assert!(path.is_file());
}

#[test]
fn urls_pick_the_backend_by_scheme() {
    // A bare path is refused rather than silently opened as SQLite.
    assert!(DbUrl::parse("./data/x.db").is_err());
    let (code, _, err) = expert_draw_tests::cli(&["migrate", "--db", "./data/x.db"]);
    assert_ne!(code, 0);
    assert!(err.contains("sqlite://"), "{err}");
}

/// When SQLite's busy timeout expires (another process holds the write
/// lock throughout), a write answers 503 problem+json with Retry-After,
/// not 500; once the lock is released the same request succeeds. SQLite
/// only: PostgreSQL writers wait on the row lock instead of timing out.
#[test]
fn sqlite_busy_answers_503_with_retry_after() {
    let s = expert_draw_tests::Server::start(Backend::Sqlite);
    let admin = s.admin();
    let mut lock = s.db.connect();
    diesel::sql_query("BEGIN IMMEDIATE")
        .execute(&mut lock)
        .expect("take the write lock");
    let app = expert_draw_tests::fixtures::application_in("420100");
    let r = admin.post("/api/v1/experts", &app);
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.retry_after.as_deref(), Some("1"));
    assert_eq!(r.problem()["status"], 503);
    assert!(!r.text.contains("locked"), "no internals: {}", r.text);
    diesel::sql_query("ROLLBACK")
        .execute(&mut lock)
        .expect("release the write lock");
    let r = admin.post("/api/v1/experts", &app);
    assert_eq!(r.status, 201, "{}", r.text);
}
