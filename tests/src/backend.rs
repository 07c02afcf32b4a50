//! A database per test: an SQLite file in a temporary directory, or a
//! PostgreSQL database created on the local server and dropped afterwards.

use std::path::PathBuf;

use diesel::Connection;
use diesel::RunQueryDsl;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the PostgreSQL server for tests lives (trust auth, user postgres).
pub fn postgres_admin_url() -> String {
    std::env::var("EXPERT_DRAW_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// `Some(reason)` when PostgreSQL tests must be skipped. Under `CI=true`
/// an unreachable server is a failure, never a skip.
pub fn postgres_unavailable() -> Option<String> {
    let url = format!("{}/postgres", postgres_admin_url());
    match diesel::PgConnection::establish(&url) {
        Ok(_) => None,
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true and PostgreSQL at {url} is unreachable: {e}");
            }
            Some(format!("PostgreSQL at {url} is unreachable: {e}"))
        }
    }
}

/// A database that exists for one test.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_name: Option<String>,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TestDb({})", self.url)
    }
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => {
                let path = dir.path().join("data").join("expert-draw.db");
                TestDb {
                    backend,
                    url: format!("sqlite://{}", path.display()),
                    dir,
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("ed_test_{}", hex::encode(random::<8>()));
                let mut admin =
                    diesel::PgConnection::establish(&format!("{}/postgres", postgres_admin_url()))
                        .expect("connect to PostgreSQL");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .expect("create test database");
                TestDb {
                    backend,
                    url: format!("{}/{name}", postgres_admin_url()),
                    dir,
                    pg_name: Some(name),
                }
            }
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A direct connection, for tests that must reach behind the API
    /// (tampering with stored rows, for example).
    pub fn connect(&self) -> expert_api::db::DbConn {
        expert_api::db::DbUrl::parse(&self.url)
            .expect("url")
            .connect()
            .expect("connect")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name
            && let Ok(mut admin) =
                diesel::PgConnection::establish(&format!("{}/postgres", postgres_admin_url()))
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

pub fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("OS random source");
    b
}
