//! The real `expert-api` binary, started as a child process on a free port
//! against a test database, and stopped when the test ends.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::backend::{Backend, TestDb};
use crate::client::Api;

/// The binaries this package builds from the real `main.rs` files. Cargo
/// puts them beside the directory of the test executables (`target/*/deps`).
pub fn bin(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target directory");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run the tests with cargo test",
        path.display()
    );
    path
}

pub fn api_bin() -> std::path::PathBuf {
    bin("expert-api-under-test")
}

pub fn audit_bin() -> std::path::PathBuf {
    bin("draw-audit-under-test")
}

/// A running server with its database and a first admin token.
pub struct Server {
    pub db: TestDb,
    pub base: String,
    pub admin_token: String,
    child: Child,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Server({})", self.base)
    }
}

/// Run the CLI with the given arguments; returns (exit code, stdout, stderr).
pub fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(api_bin())
        .args(args)
        .env_remove("EXPERT_DRAW_DB")
        .output()
        .expect("run expert-api");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run the CLI and insist that it succeeds; returns stdout.
pub fn cli_ok(args: &[&str]) -> String {
    let (code, out, err) = cli(args);
    assert_eq!(code, 0, "expert-api {args:?} failed:\n{out}\n{err}");
    out
}

impl Server {
    pub fn start(backend: Backend) -> Server {
        Self::start_with(TestDb::new(backend), &[])
    }

    /// Start on an existing database (e.g. to restart after a change) with
    /// extra `serve` arguments.
    pub fn start_with(db: TestDb, extra: &[&str]) -> Server {
        let token_out = cli_ok(&[
            "token",
            "create",
            "--role",
            "admin",
            "--label",
            "test-admin",
            "--db",
            &db.url,
        ]);
        let admin_token = token_out
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let key = db.path("log-key.pem");
        let log = std::fs::File::create(db.path("server.log")).expect("log file");
        let mut child = Command::new(api_bin())
            .args([
                "serve",
                "--db",
                &db.url,
                "--listen",
                "127.0.0.1:0",
                "--workers",
                "2",
            ])
            .arg("--key-file")
            .arg(&key)
            .args(["--log-origin", "test.expert-draw.local/log"])
            .args(extra)
            .env_remove("EXPERT_DRAW_DB")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("spawn expert-api serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let started = Instant::now();
        let mut base = None;
        let mut seen = String::new();
        while started.elapsed() < Duration::from_secs(60) {
            match lines.next() {
                Some(Ok(line)) => {
                    seen.push_str(&line);
                    seen.push('\n');
                    if let Some(addr) = line.strip_prefix("listening on ") {
                        base = Some(addr.trim().to_owned());
                        break;
                    }
                }
                _ => break,
            }
        }
        let Some(base) = base else {
            let _ = child.kill();
            let log = std::fs::read_to_string(db.path("server.log")).unwrap_or_default();
            panic!("server did not start:\n{seen}\n{log}");
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            db,
            base,
            admin_token,
            child,
        }
    }

    pub fn backend(&self) -> Backend {
        self.db.backend
    }

    pub fn admin(&self) -> Api {
        Api::new(&self.base, Some(&self.admin_token))
    }

    pub fn anonymous(&self) -> Api {
        Api::new(&self.base, None)
    }

    pub fn api(&self, token: &str) -> Api {
        Api::new(&self.base, Some(token))
    }

    /// Mint a token through the API as admin and return a client for it.
    pub fn token(&self, role: &str, region: Option<&str>) -> Api {
        let r = self.admin().post(
            "/api/v1/tokens",
            &serde_json::json!({"role": role, "region": region, "label": format!("test {role}")}),
        );
        assert_eq!(r.status, 201, "token create: {}", r.text);
        self.api(r.json["token"].as_str().expect("token"))
    }

    /// Stop the server and hand back its database (for restarts).
    pub fn stop(mut self) -> TestDb {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Move the database out without running Server's Drop twice.
        std::mem::replace(&mut self.db, TestDb::new(Backend::Sqlite))
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.db.path("server.log")).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- server log (last 40 lines) ---");
            for l in tail.iter().rev() {
                eprintln!("{l}");
            }
        }
    }
}
