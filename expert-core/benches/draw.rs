//! Draw engine benchmark of BENCHMARKS.md: 10 primaries and 10 reserves
//! from 1,000,000 candidates, from a prepared pool and from a statement.
//!
//! Plain `std::time` harness (no criterion): run with
//! `cargo bench -p expert-core --bench draw`; prints medians over runs.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use expert_core::draw::{PickStrategy, PreparedPool, WordStream, select_reference, validate};
use serde_json::Value;

const CANDIDATES: usize = 1_000_000;
const EMPLOYERS: u64 = 100_000;

/// splitmix64: a fixed generator for the synthetic pool, so every run
/// measures the same statement.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// The statement as JSON text: about half local, 100,000 employers,
/// `recent` 0..=8, `remote_weight` 3, `local_max` 3, `max_per_employer` 1.
fn statement_text() -> String {
    let mut g = Gen(2026);
    let mut s = String::with_capacity(CANDIDATES * 110);
    s.push_str(
        r#"{"spec":"expert-draw/1","draw_id":"D-bench","project":{"id":"P-bench","region":"420100"},"panel":[{"specialty":"A08","count":10,"reserve":10}],"policy":{"remote_weight":3,"local_max":3,"max_per_employer":1},"candidates":["#,
    );
    for i in 0..CANDIDATES {
        if i > 0 {
            s.push(',');
        }
        let region = if g.next().is_multiple_of(2) {
            "420100"
        } else {
            "420600"
        };
        let employer = g.next() % EMPLOYERS;
        let specialty = ["A0801", "A0802", "A0803"][(g.next() % 3) as usize];
        let recent = g.next() % 9;
        s.push_str(&format!(
            r#"{{"id":"E{i:07}","region":"{region}","employer":"ORG{employer:06}","specialties":["{specialty}"],"recent":{recent}}}"#
        ));
    }
    s.push_str("]}");
    s
}

fn seed(k: u64) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&k.to_le_bytes());
    s[8..16].copy_from_slice(&Gen(k).next().to_le_bytes());
    s
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn time<T>(
    runs: usize,
    mut f: impl FnMut(u64) -> Result<T, Box<dyn Error>>,
) -> Result<Duration, Box<dyn Error>> {
    let mut xs = Vec::with_capacity(runs);
    for k in 0..runs as u64 {
        let t = Instant::now();
        black_box(f(k)?);
        xs.push(t.elapsed());
    }
    Ok(median(xs))
}

fn main() -> Result<(), Box<dyn Error>> {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let t = Instant::now();
    let text = statement_text();
    eprintln!(
        "generated {:.1} MB of statement JSON in {:?}",
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
        println!("validate: {:.1} ms", m.as_secs_f64() * 1e3);
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
            "  (1) prepared pool, {name:<18}: {:>10.3} ms  ({runs} runs)",
            m.as_secs_f64() * 1e3
        );
    }
    let m = time(11, |k| {
        let pool = PreparedPool::new(&statement)?;
        Ok(pool.draw(seed(k))?)
    })?;
    println!(
        "  (2) typed statement -> pool -> draw:    {:>10.3} ms  (11 runs)",
        m.as_secs_f64() * 1e3
    );
    let m = time(5, |k| {
        let statement = validate(&value)?;
        let pool = PreparedPool::new(&statement)?;
        Ok(pool.draw(seed(k))?)
    })?;
    println!(
        "  (2') JSON value -> validate -> pool -> draw: {:>6.1} ms  (5 runs)",
        m.as_secs_f64() * 1e3
    );
    let m = time(5, |_| Ok(validate(&value)?))?;
    println!(
        "       of which validate (rules 1-5, typed form): {:>6.1} ms",
        m.as_secs_f64() * 1e3
    );
    let m = time(11, |_| Ok(PreparedPool::new(&statement)?))?;
    println!(
        "       of which PreparedPool::new:           {:>6.1} ms",
        m.as_secs_f64() * 1e3
    );
    println!(
        "  reference transcription (one run):         {:>6.1} ms",
        reference_time.as_secs_f64() * 1e3
    );
    Ok(())
}
