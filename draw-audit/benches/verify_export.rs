//! The verifier bench of issue 4 and BENCHMARKS.md: `draw-audit verify` over
//! a 1,000,000-entry export (see `support/export.rs` for the mix), timed
//! and measured by `/usr/bin/time -v` (wall, CPU, peak RSS from the OS),
//! beside this machine's single-core SHA-256 throughput (sha2, one
//! `Sha256::digest` over the same bytes held in memory) measured in the same
//! run, alternating with the verifier runs.
//!
//! `cargo bench -p draw-audit --bench verify_export [-- --entries N --runs R]`
//! The export is generated once into the target directory and reused while
//! its entry count matches.

#[path = "../../expert-core/benches/support/mod.rs"]
#[expect(
    dead_code,
    reason = "the statement generator of the other benches is not used here"
)]
mod support;

#[path = "support/export.rs"]
mod export;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// One verifier run under `/usr/bin/time -v`.
#[derive(Debug)]
struct Run {
    wall: f64,
    cpu: f64,
    max_rss_kb: u64,
}

fn field<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .map(str::trim)
}

/// `h:mm:ss` or `m:ss.cc` to seconds.
fn clock(s: &str) -> f64 {
    s.split(':').fold(0.0, |acc, part| {
        acc * 60.0 + part.parse::<f64>().unwrap_or(0.0)
    })
}

fn verify(dir: &Path) -> Result<Run, Box<dyn Error>> {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_draw-audit"))
        .arg("verify")
        .arg("--export")
        .arg(dir.join("export.jsonl"))
        .arg("--vkey")
        .arg(format!("@{}", dir.join("vkey").display()))
        .arg("--checkpoint")
        .arg(dir.join("checkpoint"))
        .arg("--json")
        .output()?;
    let report = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !report.contains(r#""verdict":"verified""#) {
        return Err(format!("verify failed ({}):\n{report}\n{stderr}", out.status).into());
    }
    let user: f64 = field(&stderr, "User time (seconds):")
        .unwrap_or("0")
        .parse()?;
    let sys: f64 = field(&stderr, "System time (seconds):")
        .unwrap_or("0")
        .parse()?;
    Ok(Run {
        wall: clock(field(&stderr, "Elapsed (wall clock) time (h:mm:ss or m:ss):").unwrap_or("0")),
        cpu: user + sys,
        max_rss_kb: field(&stderr, "Maximum resident set size (kbytes):")
            .unwrap_or("0")
            .parse()?,
    })
}

fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

fn main() -> Result<(), Box<dyn Error>> {
    let entries = arg("--entries", 1_000_000);
    let runs = arg("--runs", 5);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("verify-export-{entries}"));
    std::fs::create_dir_all(&dir)?;
    let export_path = dir.join("export.jsonl");
    if !dir.join("done").exists() {
        let t = Instant::now();
        let g = export::generate(entries, &export_path, &dir.join("checkpoint"))?;
        std::fs::write(
            dir.join("vkey"),
            export::signer()?.verifier_key_string() + "\n",
        )?;
        std::fs::write(dir.join("done"), format!("{g:?}\n"))?;
        println!("generated in {:.1} s: {g:?}", t.elapsed().as_secs_f64());
    }
    println!(
        "export: {} ({})",
        export_path.display(),
        std::fs::read_to_string(dir.join("done"))?.trim()
    );
    let bytes = std::fs::read(&export_path)?;
    let mb = bytes.len() as f64 / 1e6;
    println!("machine: {}", support::machine());
    println!("{entries} entries, {mb:.1} MB; {runs} runs, SHA-256 and verify alternating");
    let (mut sha_wall, mut sha_cpu, mut v_wall, mut v_cpu, mut rss) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let (w0, c0) = (Instant::now(), thread_cpu());
        let digest = Sha256::digest(&bytes);
        let (w, c) = (
            w0.elapsed().as_secs_f64(),
            (thread_cpu() - c0).as_secs_f64(),
        );
        std::hint::black_box(digest);
        sha_wall.push(mb / w);
        sha_cpu.push(mb / c);
        let r = verify(&dir)?;
        println!(
            "run {run}: sha256 {:.0} MB/s wall ({:.0} on CPU); verify {:.2} s wall, {:.2} s CPU, \
             {:.0} MB/s wall, max RSS {} kB; load {}",
            mb / w,
            mb / c,
            r.wall,
            r.cpu,
            mb / r.wall,
            r.max_rss_kb,
            support::load_average()
        );
        v_wall.push(mb / r.wall);
        v_cpu.push(mb / r.cpu);
        rss.push(r.max_rss_kb as f64);
    }
    let (sw, sc, vw, vc) = (
        median(sha_wall),
        median(sha_cpu),
        median(v_wall),
        median(v_cpu),
    );
    println!("median SHA-256: {sw:.0} MB/s wall, {sc:.0} MB/s CPU");
    println!("median verify:  {vw:.0} MB/s wall, {vc:.0} MB/s CPU");
    println!(
        "ratio: {:.1} % (wall), {:.1} % (CPU); goal >= 25 %",
        100.0 * vw / sw,
        100.0 * vc / sc
    );
    println!(
        "median max RSS: {:.1} MB; goal < 100 MB",
        median(rss) / 1024.0
    );
    Ok(())
}
