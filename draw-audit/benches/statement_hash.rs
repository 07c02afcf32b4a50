//! Statement hashing of BENCHMARKS.md, reported apart from the draw engine:
//! for the 1,000,000-candidate statement of `expert-core/benches/draw.rs`,
//! strict parsing (`jcs::parse_strict`), RFC 8785 encoding (`jcs::canonical`)
//! and SHA-256 of the canonical bytes, each timed on its own, plus this
//! machine's single-core SHA-256 throughput over those same bytes.
//!
//! Plain `std::time` harness (no criterion): run with
//! `cargo bench -p draw-audit --bench statement_hash`; prints medians.

#[path = "../../expert-core/benches/support/mod.rs"]
mod support;

use support::{CANDIDATES, load_average, machine, statement_text};

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use draw_audit::jcs;
use sha2::{Digest, Sha256};

fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// Medians over `runs` calls of the wall time and of this thread's CPU time
/// (which other processes on a loaded machine cannot inflate). The result is
/// dropped after the clocks stop: freeing a million-object `Value` is not
/// part of parsing it.
fn time<T>(
    runs: usize,
    mut f: impl FnMut() -> Result<T, Box<dyn Error>>,
) -> Result<(Duration, Duration), Box<dyn Error>> {
    let mut walls = Vec::with_capacity(runs);
    let mut cpus = Vec::with_capacity(runs);
    for _ in 0..runs {
        let c = thread_cpu();
        let t = Instant::now();
        let out = black_box(f()?);
        walls.push(t.elapsed());
        cpus.push(thread_cpu().saturating_sub(c));
        drop(out);
    }
    walls.sort();
    cpus.sort();
    match (walls.get(runs / 2), cpus.get(runs / 2)) {
        (Some(&w), Some(&c)) => Ok((w, c)),
        _ => Err("no runs".into()),
    }
}

/// `ms wall, ms on CPU, MB/s on CPU` for `mb` megabytes.
fn show((wall, cpu): (Duration, Duration), mb: f64) -> String {
    format!(
        "{:>8.1} ms wall, {:>8.1} ms on CPU, {:>7.1} MB/s on CPU",
        wall.as_secs_f64() * 1e3,
        cpu.as_secs_f64() * 1e3,
        mb / cpu.as_secs_f64()
    )
}

fn main() -> Result<(), Box<dyn Error>> {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    println!("machine: {}", machine());
    let text = statement_text();
    let value = jcs::parse_strict(&text)?;
    let bytes = jcs::canonical(&value)?;
    let digest = Sha256::digest(&bytes);
    println!(
        "statement: {CANDIDATES} candidates, text {} bytes ({:.1} MB), canonical {} bytes ({:.1} MB), SHA-256 {}",
        text.len(),
        text.len() as f64 / 1e6,
        bytes.len(),
        bytes.len() as f64 / 1e6,
        hex::encode(digest)
    );

    let mb = bytes.len() as f64 / 1e6;
    let text_mb = text.len() as f64 / 1e6;
    let runs = 7;
    let parse = time(runs, || Ok(jcs::parse_strict(&text)?))?;
    let canonical = time(runs, || Ok(jcs::canonical(&value)?))?;
    let sha_runs = 21;
    let sha = time(sha_runs, || Ok(Sha256::digest(&bytes)))?;
    println!("statement hashing, median of runs (one thread):");
    println!(
        "  parse_strict (text -> Value):      {}  ({runs} runs)",
        show(parse, text_mb)
    );
    println!(
        "  jcs::canonical (Value -> bytes):   {}  ({runs} runs)",
        show(canonical, mb)
    );
    println!(
        "  SHA-256 of the canonical bytes:    {}  ({sha_runs} runs; single-core SHA-256 throughput)",
        show(sha, mb)
    );
    let total = (parse.0 + canonical.0 + sha.0, parse.1 + canonical.1 + sha.1);
    println!(
        "  sum (parse + canonical + SHA-256): {}",
        show(total, text_mb)
    );
    println!("load average at the end: {}", load_average());
    Ok(())
}
