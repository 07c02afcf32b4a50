//! The database: one diesel connection type over SQLite and PostgreSQL, an
//! r2d2 pool that sets up every connection, and the embedded migrations.
//!
//! The backend is chosen from the URL scheme here, never by diesel's
//! `establish`, which would take any string as an SQLite path.

pub mod schema;

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// The one connection type the store uses; each query compiles for both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

impl std::fmt::Debug for DbConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DbConn::Postgres(_) => "DbConn::Postgres",
            DbConn::Sqlite(_) => "DbConn::Sqlite",
        })
    }
}

/// Runs `$body` with `$c` bound to the concrete connection of whichever
/// backend `$conn` holds, so the body is compiled once per backend. Only for
/// statements diesel's `MultiConnection` cannot express, such as multi-row
/// inserts (see the pitfalls on `MultiConnection`).
macro_rules! with_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}
pub(crate) use with_backend;

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// A database location, parsed from `sqlite://PATH` or `postgres://…`.
#[derive(Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl std::fmt::Debug for DbUrl {
    // A PostgreSQL URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.redacted())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "unsupported database URL {0:?}: use sqlite://PATH (for example sqlite://./data/expert-draw.db) or postgres://USER@HOST:PORT/DB"
    )]
    BadUrl(String),
    #[error("cannot create the directory for the SQLite file {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to {url}: {source}")]
    Connect {
        url: String,
        source: diesel::ConnectionError,
    },
    #[error("cannot set up the connection: {0}")]
    Setup(#[from] diesel::result::Error),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("cannot start the write-ahead log checkpoint thread: {0}")]
    Thread(std::io::Error),
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbError::BadUrl(url.to_owned()));
            }
            Ok(DbUrl::Sqlite(PathBuf::from(path)))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbUrl::Postgres(url.to_owned()))
        } else {
            Err(DbError::BadUrl(redact_url(url)))
        }
    }

    /// The URL with any password replaced, fit for logs and messages.
    pub fn redacted(&self) -> String {
        match self {
            DbUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DbUrl::Postgres(u) => redact_url(u),
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            DbUrl::Sqlite(_) => "sqlite",
            DbUrl::Postgres(_) => "postgres",
        }
    }

    /// Open one connection, set up as every pooled connection is.
    pub fn connect(&self) -> Result<DbConn, DbError> {
        self.connect_with(Checkpoints::OnCommit)
    }

    /// Open one connection; on SQLite, `checkpoints` says who copies the
    /// write-ahead log back into the database file.
    pub fn connect_with(&self, checkpoints: Checkpoints) -> Result<DbConn, DbError> {
        match self {
            DbUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| DbError::CreateDir {
                        path: dir.display().to_string(),
                        source,
                    })?;
                }
                create_private_file(path)?;
                let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(|source| DbError::Connect {
                        url: self.redacted(),
                        source,
                    })?;
                // Durability first: the log's signed checkpoints must never
                // name entries that a power cut could take back.
                // Reads through a memory map: in WAL mode a connection drops
                // its page cache whenever another one has written, so
                // without it every read transaction after a write (every
                // draw's pool) reads its pages again with pread. Writes
                // still go through the WAL, so durability is unchanged.
                // The log file is cut back to `WAL_SIZE_LIMIT` whenever a
                // writer starts it over (see `checkpoint`).
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = 10000;
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA mmap_size = 1073741824;
                     PRAGMA journal_size_limit = {WAL_SIZE_LIMIT};"
                ))?;
                if checkpoints == Checkpoints::Background {
                    conn.batch_execute("PRAGMA wal_autocheckpoint = 0;")?;
                }
                Ok(DbConn::Sqlite(conn))
            }
            DbUrl::Postgres(url) => {
                let mut conn =
                    diesel::PgConnection::establish(url).map_err(|source| DbError::Connect {
                        url: self.redacted(),
                        source,
                    })?;
                // Plan every statement for its parameters and the tables as
                // they are now. Diesel keeps its prepared statements for the
                // connection's life, and PostgreSQL's generic plan for one is
                // made once, after five executions: a plan made while the
                // outbox or the panels were nearly empty kept scanning them
                // whole as they grew, until an ANALYZE that autovacuum may
                // never run (off on CI machines, late on busy ones).
                conn.batch_execute("SET plan_cache_mode = force_custom_plan")?;
                Ok(DbConn::Postgres(conn))
            }
        }
    }
}

/// The database holds identity numbers and phones: create it readable by its
/// owner only (SQLite's WAL and SHM files inherit the main file's mode).
fn create_private_file(path: &std::path::Path) -> Result<(), DbError> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(DbError::CreateDir {
            path: path.display().to_string(),
            source,
        }),
    }
}

fn redact_url(url: &str) -> String {
    // scheme://user:password@host → scheme://user:***@host
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.chars().take(64).collect();
    };
    let Some((userinfo, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Who copies SQLite's write-ahead log back into the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checkpoints {
    /// The connection whose commit finds the log past 1,000 pages (SQLite's
    /// default): fine for the CLI's one connection.
    OnCommit,
    /// A thread of the server's own ([`open_serving_pool`]): a commit
    /// never copies pages, so a write holding the log head is not made to
    /// wait for a checkpoint of everyone's writes.
    Background,
}

/// The r2d2 manager: picks the backend from the URL and applies the
/// per-connection settings (WAL, foreign keys, busy timeout on SQLite).
#[derive(Debug)]
pub struct Manager {
    url: DbUrl,
    checkpoints: Checkpoints,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = DbError;

    fn connect(&self) -> Result<DbConn, DbError> {
        self.url.connect_with(self.checkpoints)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), DbError> {
        conn.batch_execute("SELECT 1").map_err(DbError::Setup)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// Build the pool and bring the schema up to date.
pub fn open_pool(url: &DbUrl, size: u32) -> Result<Pool, DbError> {
    build_pool(url, size, Checkpoints::OnCommit)
}

/// The server's pool: as [`open_pool`], and on SQLite a thread that
/// checkpoints the write-ahead log every [`CHECKPOINT_EVERY`] (see
/// [`checkpoint`]), so no request's commit copies the log into the database
/// file under the log head's lock.
pub fn open_serving_pool(url: &DbUrl, size: u32) -> Result<Pool, DbError> {
    let DbUrl::Sqlite(_) = url else {
        return open_pool(url, size);
    };
    let pool = build_pool(url, size, Checkpoints::Background)?;
    let mut conn = url.connect()?;
    // How long a `RESTART` may hold the writers back waiting for readers:
    // past it the round gives up and the next one tries again.
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {};",
        RESTART_WAIT.as_millis()
    ))?;
    std::thread::Builder::new()
        .name("wal-checkpoint".into())
        .spawn(move || {
            // Rounds left before the next `RESTART` may be tried: a reader
            // that outlasts the wait (a whole-log check, a report) would
            // otherwise hold the writers back for it every round.
            let (mut pause, mut backoff) = (0u32, 1u32);
            loop {
                std::thread::sleep(CHECKPOINT_EVERY);
                let restart_at = if pause == 0 {
                    RESTART_AT_FRAMES
                } else {
                    pause -= 1;
                    i64::MAX
                };
                match checkpoint(&mut conn, restart_at) {
                    Ok(round) if round.frames >= restart_at && !round.restarted => {
                        pause = backoff;
                        backoff = (backoff * 2).min(RESTART_BACKOFF_MAX);
                    }
                    Ok(round) => {
                        if round.restarted {
                            backoff = 1;
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "write-ahead log checkpoint failed; retrying");
                    }
                }
            }
        })
        .map_err(DbError::Thread)?;
    Ok(pool)
}

/// How often the server checkpoints SQLite's write-ahead log.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// The longest the server's checkpointer waits for readers (and so holds
/// writers back) in a `RESTART`.
pub const RESTART_WAIT: Duration = Duration::from_millis(100);

/// The most rounds the checkpointer lets pass between two `RESTART`s that
/// a reader kept from finishing (doubling from one): 5 s, so a long reader
/// holds writers back at most [`RESTART_WAIT`] in 5 s.
pub const RESTART_BACKOFF_MAX: u32 = 25;

/// Bytes SQLite's write-ahead log file is cut back to when it starts over.
pub const WAL_SIZE_LIMIT: u64 = 64 * 1024 * 1024;

/// Frames (pages) in the write-ahead log past which [`checkpoint`] makes
/// the next writer start it over: 64 MB of 4 kB pages.
pub const RESTART_AT_FRAMES: i64 = 16_384;

/// What one [`checkpoint`] found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointOutcome {
    /// Frames in the write-ahead log.
    pub frames: i64,
    /// Frames copied into the database file, by now or earlier.
    pub copied: i64,
    /// Whether the log was past `restart_at` and the next writer will start
    /// it over from its beginning.
    pub restarted: bool,
}

#[derive(QueryableByName)]
struct CheckpointRow {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    log: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    checkpointed: i64,
}

/// One round of the server's SQLite checkpointer. First `PASSIVE`: copy
/// what no reader still needs, never waiting for a reader or a writer.
/// That alone does not keep the log bounded: a writer starts the log over
/// only if, when it begins, every frame has been copied and no reader is
/// inside the log, and under steady load some reader always is (SQLite's
/// checkpoint starvation; the bench's log grew by 100 MB a second, and the
/// writes into ever-new file pages slowed every commit). So once the log
/// holds `restart_at` frames or more, `RESTART`: copy the rest and wait
/// (by the connection's busy timeout, [`RESTART_WAIT`] on the server's)
/// for the readers still inside the log to finish; writers wait meanwhile,
/// readers do not. The next writer then starts the log over and cuts the
/// file back to [`WAL_SIZE_LIMIT`]. A round whose wait runs out restarts
/// nothing (`restarted` false) and leaves the next round to try again.
pub fn checkpoint(conn: &mut DbConn, restart_at: i64) -> Result<CheckpointOutcome, DbError> {
    let DbConn::Sqlite(c) = conn else {
        return Ok(CheckpointOutcome {
            frames: 0,
            copied: 0,
            restarted: false,
        });
    };
    let run = |c: &mut diesel::SqliteConnection, mode: &str| {
        diesel::sql_query(format!("PRAGMA wal_checkpoint({mode})")).get_result::<CheckpointRow>(c)
    };
    let passive = run(c, "PASSIVE")?;
    if passive.log < restart_at {
        return Ok(CheckpointOutcome {
            frames: passive.log,
            copied: passive.checkpointed,
            restarted: false,
        });
    }
    let restart = run(c, "RESTART")?;
    Ok(CheckpointOutcome {
        frames: restart.log,
        copied: restart.checkpointed,
        restarted: restart.busy == 0,
    })
}

fn build_pool(url: &DbUrl, size: u32, checkpoints: Checkpoints) -> Result<Pool, DbError> {
    {
        let mut conn = url.connect()?;
        run_migrations(&mut conn)?;
    }
    let pool = r2d2::Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(30))
        // A PostgreSQL connection can drop with the network or a server
        // restart, so it is probed on checkout; an SQLite file cannot, and
        // the probe was a query on every request.
        .test_on_check_out(matches!(url, DbUrl::Postgres(_)))
        .build(Manager {
            url: url.clone(),
            checkpoints,
        })?;
    Ok(pool)
}

/// Apply every pending migration, then bring the audit log's stored tree
/// nodes up to its head (SQL cannot hash portably, so a log from before
/// `audit_nodes` is backfilled here, once, in one transaction); returns the
/// versions applied.
pub fn run_migrations(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    let applied: Vec<String> = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?
    .iter()
    .map(|v| v.to_string())
    .collect();
    let started = std::time::Instant::now();
    match crate::store::audit::backfill_nodes(conn) {
        Ok(None) => {}
        Ok(Some(nodes)) => tracing::warn!(
            nodes,
            seconds = started.elapsed().as_secs_f64(),
            "audit log: tree nodes were behind the head; rebuilt them from the stored leaf hashes"
        ),
        Err(e) => {
            return Err(DbError::Migration(format!(
                "rebuilding the audit log's tree nodes: {e}"
            )));
        }
    }
    Ok(applied)
}

/// Whether the schema lacks a migration this binary knows; a dry run checks
/// this instead of migrating, since migrating is a write.
pub fn has_pending_migrations(conn: &mut DbConn) -> Result<bool, DbError> {
    match conn {
        DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        DbConn::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| DbError::Migration(e.to_string()))
}

/// Undo the most recent migration (used by the round-trip test and by
/// operators who roll back a release).
pub fn revert_last_migration(conn: &mut DbConn) -> Result<String, DbError> {
    let reverted = match conn {
        DbConn::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
        DbConn::Postgres(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    Ok(reverted.to_string())
}

/// Every migration version known to this binary, oldest first.
pub fn known_migrations(conn: &DbConn) -> Result<Vec<String>, DbError> {
    use diesel::migration::MigrationSource;
    fn versions<DB: diesel::backend::Backend>(
        source: &EmbeddedMigrations,
    ) -> Result<Vec<String>, DbError> {
        let list = MigrationSource::<DB>::migrations(source)
            .map_err(|e| DbError::Migration(e.to_string()))?;
        Ok(list
            .iter()
            .map(|m| m.name().version().to_string())
            .collect())
    }
    match conn {
        DbConn::Sqlite(_) => versions::<diesel::sqlite::Sqlite>(&SQLITE_MIGRATIONS),
        DbConn::Postgres(_) => versions::<diesel::pg::Pg>(&POSTGRES_MIGRATIONS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_scheme_picks_backend() {
        assert_eq!(
            DbUrl::parse("sqlite://./data/x.db").ok(),
            Some(DbUrl::Sqlite(PathBuf::from("./data/x.db")))
        );
        assert!(matches!(
            DbUrl::parse("postgres://postgres@127.0.0.1/x"),
            Ok(DbUrl::Postgres(_))
        ));
        assert!(DbUrl::parse("./data/x.db").is_err());
        assert!(DbUrl::parse("mysql://x").is_err());
        assert!(DbUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn password_never_printed() {
        let u = DbUrl::parse("postgres://u:secret@h/db").unwrap();
        assert!(!format!("{u:?}").contains("secret"));
        assert!(!u.redacted().contains("secret"));
        let e = DbUrl::parse("mysql://u:secret@h/db").unwrap_err();
        assert!(!e.to_string().contains("secret"));
    }
}
