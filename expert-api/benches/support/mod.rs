//! Shared by the HTTP benches: a release `expert-api serve` started in its
//! own process on a free port, stopped when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct Served {
    pub base: String,
    pub child: Child,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `bin serve` on `db` with `workers` HTTP workers; returns once it
/// prints the address it listens on.
pub fn serve(
    bin: &str,
    db: &str,
    key: &Path,
    workers: u32,
) -> Result<Served, Box<dyn std::error::Error>> {
    let workers = workers.to_string();
    let mut child = Command::new(bin)
        .args([
            "serve",
            "--db",
            db,
            "--listen",
            "127.0.0.1:0",
            "--workers",
            &workers,
            "--pool-size",
            "16",
        ])
        .arg("--key-file")
        .arg(key)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut base = String::new();
    for line in lines.by_ref() {
        if let Some(addr) = line?.strip_prefix("listening on ") {
            base = addr.trim().to_owned();
            break;
        }
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let served = Served { base, child };
    if served.base.is_empty() {
        return Err("server did not start".into());
    }
    Ok(served)
}
