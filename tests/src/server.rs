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
    log_name: String,
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

/// The key file, log origin and state file every test server uses; pass
/// them to `expert-api keys …` to act on a test server's keys.
pub fn key_args(db: &TestDb) -> Vec<String> {
    vec![
        "--key-file".into(),
        db.path("log-key.pem").display().to_string(),
        "--log-origin".into(),
        crate::audit::ORIGIN.into(),
    ]
}

/// `expert-api serve` on `db` with the test key file, stdout piped (its
/// lines returned), stderr to `log_name` in the test directory.
fn serve_child(
    db: &TestDb,
    log_name: &str,
    extra: &[&str],
) -> (Child, std::io::Lines<BufReader<std::process::ChildStdout>>) {
    let log = std::fs::File::create(db.path(log_name)).expect("log file");
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
        .args(key_args(db))
        .args(extra)
        .env_remove("EXPERT_DRAW_DB")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("spawn expert-api serve");
    let stdout = child.stdout.take().expect("stdout");
    (child, BufReader::new(stdout).lines())
}

/// Start `serve` on `db` and expect it to refuse: returns its exit code and
/// what it wrote to stderr. Panics if it starts listening instead.
pub fn serve_refused(db: &TestDb, extra: &[&str]) -> (i32, String) {
    let (mut child, lines) = serve_child(db, "refused.log", extra);
    // The server prints "listening on" once it serves; a refusal ends its
    // stdout without it.
    for line in lines.map_while(Result::ok) {
        if line.starts_with("listening on ") {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server started although it should have refused");
        }
    }
    let status = child.wait().expect("wait for expert-api serve");
    let log = std::fs::read_to_string(db.path("refused.log")).unwrap_or_default();
    (status.code().unwrap_or(-1), log)
}

/// The public address of the servers of [`Server::start_with_outbox`]:
/// where their response links point.
pub const CENTRE: &str = "https://centre.example";

impl Server {
    pub fn start(backend: Backend) -> Server {
        Self::start_with(TestDb::new(backend), &[])
    }

    /// A server whose invitations go to a file (the notifier's development
    /// sender, polled every 100 ms), with response links under
    /// [`CENTRE`]; `draw_keys` join the `[draw]` section. Returns the
    /// server and the outbox file (JSON Lines).
    pub fn start_with_outbox(
        backend: Backend,
        deadline_seconds: u32,
        draw_keys: &str,
    ) -> (Server, std::path::PathBuf) {
        let db = TestDb::new(backend);
        let outbox = db.path("outbox.jsonl");
        let config = db.path("policy.toml");
        std::fs::write(
            &config,
            format!(
                "[draw]\nanswer_deadline_seconds = {deadline_seconds}\n{draw_keys}\n[notify]\npoll_ms = 100\nretry_base_ms = 100\npublic_base_url = \"{CENTRE}\"\n"
            ),
        )
        .expect("policy file");
        let s = Server::start_with(
            db,
            &[
                "--config",
                config.to_str().expect("path"),
                "--notify-file",
                outbox.to_str().expect("path"),
            ],
        );
        (s, outbox)
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
        Self::spawn(db, admin_token, "server.log", extra)
    }

    /// A second `serve` process on this server's database, with the same
    /// signing key file and admin token, logging to its own file.
    pub fn start_second(&self) -> Server {
        Self::spawn(
            self.db.clone(),
            self.admin_token.clone(),
            "server-2.log",
            &[],
        )
    }

    fn spawn(db: TestDb, admin_token: String, log_name: &str, extra: &[&str]) -> Server {
        let (mut child, mut lines) = serve_child(&db, log_name, extra);
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
            let log = std::fs::read_to_string(db.path(log_name)).unwrap_or_default();
            panic!("server did not start:\n{seen}\n{log}");
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            db,
            base,
            admin_token,
            log_name: log_name.to_owned(),
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
        std::fs::read_to_string(self.db.path(&self.log_name)).unwrap_or_default()
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
