//! Draw engine benchmark of BENCHMARKS.md: 10 primaries and 10 reserves
//! from 1,000,000 candidates, from a prepared pool and from a statement.
//!
//! Plain `std::time` harness (no criterion): run with
//! `cargo bench -p expert-core --bench draw`; prints medians over runs.
//!
//! Peers, measured in the same run on the same pool (BENCHMARKS.md):
//! rand's `seq::index::sample_weighted` over weights already in an `f64`
//! array, and numpy's `default_rng(seed).choice(n, 20, replace=False, p=w)`
//! with `w` already a normalised float array, run as a `python3` subprocess
//! (`DRAW_BENCH_PYTHON` names another interpreter). Without numpy the bench
//! says so and goes on. Neither peer applies the local or employer caps.

mod support;

use support::{CANDIDATES, Gen, load_average, machine, statement_text};

use std::error::Error;
use std::hint::black_box;
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use expert_core::draw::{PickStrategy, PreparedPool, WordStream, select_reference, validate};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::Value;

fn seed(k: u64) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&k.to_le_bytes());
    s[8..16].copy_from_slice(&Gen(k).next().to_le_bytes());
    s
}

/// Medians of one timed call repeated: wall clock, and the CPU time of this
/// thread, which other processes on a loaded machine cannot inflate (cache
/// and memory-bandwidth contention still can).
#[derive(Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

impl Timing {
    fn show(self) -> String {
        format!(
            "{:>9.3} ms wall, {:>9.3} ms on CPU",
            self.wall.as_secs_f64() * 1e3,
            self.cpu.as_secs_f64() * 1e3
        )
    }
}

fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs.get(xs.len() / 2).copied().unwrap_or_default()
}

fn time<T>(
    runs: usize,
    mut f: impl FnMut(u64) -> Result<T, Box<dyn Error>>,
) -> Result<Timing, Box<dyn Error>> {
    let mut walls = Vec::with_capacity(runs);
    let mut cpus = Vec::with_capacity(runs);
    for k in 0..runs as u64 {
        let c = thread_cpu();
        let t = Instant::now();
        let out = black_box(f(k)?);
        walls.push(t.elapsed());
        cpus.push(thread_cpu().saturating_sub(c));
        // Freeing the result is not part of the work measured.
        drop(out);
    }
    Ok(Timing {
        wall: median(walls),
        cpu: median(cpus),
    })
}

/// numpy's weighted choice without replacement on the same weights. The
/// weights go through a temporary file of little-endian `u64`; loading,
/// converting and normalising happen before the clock starts, so the timed
/// call is exactly `default_rng(k).choice(n, 20, replace=False, p=w)`.
const NUMPY_PEER: &str = r#"
import sys, time
try:
    import numpy as np
except ImportError:
    print("no-numpy")
    sys.exit(0)
path, runs = sys.argv[1], int(sys.argv[2])
w = np.fromfile(path, dtype="<u8").astype(np.float64)
w = w / w.sum()
n = w.size
walls, cpus = [], []
for k in range(runs):
    c0 = time.thread_time_ns()
    t = time.perf_counter_ns()
    c = np.random.default_rng(k).choice(n, 20, replace=False, p=w)
    walls.append(time.perf_counter_ns() - t)
    cpus.append(time.thread_time_ns() - c0)
    if len(set(c.tolist())) != 20:
        sys.exit("numpy returned a repeated index")
walls.sort()
cpus.sort()
print("numpy", np.__version__, walls[runs // 2] / 1e6, cpus[runs // 2] / 1e6)
"#;

/// The numpy peer's medians and numpy's version, or why there is none.
fn numpy_peer(
    weights: &[u64],
    runs: usize,
) -> Result<Result<(Timing, String), String>, Box<dyn Error>> {
    let path = std::env::temp_dir().join(format!(
        "expert-draw-bench-weights-{}.u64",
        std::process::id()
    ));
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for w in weights {
            f.write_all(&w.to_le_bytes())?;
        }
        f.flush()?;
    }
    let python = std::env::var("DRAW_BENCH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let output = Command::new(&python)
        .arg("-c")
        .arg(NUMPY_PEER)
        .arg(&path)
        .arg(runs.to_string())
        .output();
    std::fs::remove_file(&path)?;
    let output = match output {
        Ok(o) => o,
        Err(e) => return Ok(Err(format!("could not run {python}: {e}"))),
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Ok(Err(format!(
            "{python} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let mut words = stdout.split_whitespace();
    let ms = |x: &str| -> Result<Duration, Box<dyn Error>> {
        Ok(Duration::from_secs_f64(x.parse::<f64>()? / 1e3))
    };
    match (words.next(), words.next(), words.next(), words.next()) {
        (Some("numpy"), Some(version), Some(wall), Some(cpu)) => Ok(Ok((
            Timing {
                wall: ms(wall)?,
                cpu: ms(cpu)?,
            },
            version.to_owned(),
        ))),
        (Some("no-numpy"), ..) => Ok(Err(format!(
            "numpy is not installed for {python} (pip install numpy)"
        ))),
        _ => Ok(Err(format!("unexpected output from {python}: {stdout:?}"))),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    println!("machine: {}", machine());
    let t = Instant::now();
    let text = statement_text();
    eprintln!(
        "generated {} bytes ({:.1} MB) of statement JSON in {:?}",
        text.len(),
        text.len() as f64 / 1e6,
        t.elapsed()
    );
    let t = Instant::now();
    let value: Value = serde_json::from_str(&text)?;
    eprintln!(
        "serde_json parse (not part of the figures): {:?}",
        t.elapsed()
    );
    let statement = validate(&value)?;
    if std::env::var_os("DRAW_BENCH_VALIDATE_ONLY").is_some() {
        // For profiling the statement rules alone.
        let m = time(7, |_| Ok(validate(&value)?))?;
        println!("validate: {}", m.show());
        return Ok(());
    }
    let pool = PreparedPool::new(&statement)?;

    // Sanity: the fast path agrees with the definition on this pool too.
    let mut a = WordStream::new(seed(7));
    let reference_start = Instant::now();
    let reference = select_reference(&statement, &mut a)?;
    let reference_time = reference_start.elapsed();
    let mut b = WordStream::new(seed(7));
    let fast = pool.draw_with(&mut b, PickStrategy::Adaptive)?;
    if reference != fast || a.words_taken() != b.words_taken() {
        return Err("fast path and reference disagree".into());
    }

    println!("draw engine, {CANDIDATES} candidates, 10 primaries + 10 reserves (median of runs)");
    for (name, strategy) in [
        ("adaptive (default)", PickStrategy::Adaptive),
        ("prefix sums", PickStrategy::PrefixSums),
        ("fenwick", PickStrategy::Fenwick),
    ] {
        let runs = if strategy == PickStrategy::Fenwick {
            21
        } else {
            501
        };
        let m = time(runs, |k| {
            Ok(pool.draw_with(&mut WordStream::new(seed(k)), strategy)?)
        })?;
        println!(
            "  (1) prepared pool, {name:<35} {}  ({runs} runs)",
            m.show()
        );
    }

    // Peers on the same pool, same run. Weights already computed for both;
    // neither applies the local or employer caps.
    let weights: Vec<u64> = (0..pool.len()).filter_map(|i| pool.weight(i)).collect();
    let weights_f64: Vec<f64> = weights.iter().map(|&w| w as f64).collect();
    let runs = 51;
    let m = time(runs, |k| {
        let mut rng = ChaCha20Rng::from_seed(seed(k));
        Ok(rand::seq::index::sample_weighted(
            &mut rng,
            weights_f64.len(),
            |i| weights_f64[i],
            20,
        )?)
    })?;
    println!(
        "  peer: rand 0.10 sample_weighted, 20 of n:      {}  ({runs} runs, f64 weights ready, ChaCha20Rng)",
        m.show()
    );
    let runs = 21;
    match numpy_peer(&weights, runs)? {
        Ok((m, version)) => println!(
            "  peer: numpy {version} choice(n,20,replace=False,p=w): {}  ({runs} runs, w normalised f64)",
            m.show()
        ),
        Err(why) => println!("  peer: numpy: not measured: {why}"),
    }

    let m = time(11, |k| {
        let pool = PreparedPool::new(&statement)?;
        Ok(pool.draw(seed(k))?)
    })?;
    println!(
        "  (2) typed statement -> pool -> draw:           {}  (11 runs)",
        m.show()
    );
    let m = time(5, |k| {
        let statement = validate(&value)?;
        let pool = PreparedPool::new(&statement)?;
        Ok(pool.draw(seed(k))?)
    })?;
    println!(
        "  (2') JSON value -> validate -> pool -> draw:   {}  (5 runs)",
        m.show()
    );
    let m = time(5, |_| Ok(validate(&value)?))?;
    println!(
        "       of which validate (rules 1-5, typed):   {}  (5 runs)",
        m.show()
    );
    let m = time(11, |_| Ok(PreparedPool::new(&statement)?))?;
    println!(
        "       of which PreparedPool::new:             {}  (11 runs)",
        m.show()
    );
    println!(
        "  reference transcription (one run):             {:>9.1} ms wall",
        reference_time.as_secs_f64() * 1e3
    );
    println!("load average at the end: {}", load_average());
    Ok(())
}
