//! Statistics: 200,000 seeded draws of a small pool match the exact pick
//! probabilities of §4–5 (chi-square, fail below p = 1e-6), and biased
//! samplers written here fail the same test, so the test can see bias.
//!
//! The exact distribution is enumerated from the SPEC's definition with f64
//! arithmetic, independently of the library's sampler.
#![expect(
    clippy::unwrap_used,
    reason = "clippy only exempts #[test] fns; the fixture helpers fail loudly"
)]

use std::collections::BTreeMap;
use std::num::NonZeroU64;

use expert_core::draw::{DrawStatement, PreparedPool, WordStream, uniform, validate};
use serde_json::json;
use sha2::{Digest, Sha256};

const DRAWS: u64 = 200_000;
const ALPHA: f64 = 1e-6;

/// id, local, employer, matches the group, recent. Weights are small on
/// purpose (1..=7 with remote_weight 3) so that an off-by-one in the running
/// sum moves whole percents of probability; the local cap (1 of 3 locals)
/// and an employer cap (two candidates of ORG-X) bind; one candidate weighs 0.
const POOL: [(&str, bool, &str, bool, u32); 8] = [
    ("E01", true, "ORG-A", true, 999_999),   // 1
    ("E02", true, "ORG-B", true, 499_999),   // 2
    ("E03", false, "ORG-C", true, 999_999),  // 3
    ("E04", true, "ORG-D", true, 1_000_000), // 0
    ("E05", false, "ORG-X", true, 599_999),  // 5
    ("E06", false, "ORG-X", true, 428_570),  // 7
    ("E07", false, "ORG-E", false, 0),       // does not match
    ("E08", true, "ORG-F", true, 333_332),   // 3
];
const REMOTE_WEIGHT: u64 = 3;
const LOCAL_MAX: usize = 1;
const COUNT: usize = 2;

fn weight(local: bool, recent: u32) -> u64 {
    let m = if local { 1 } else { REMOTE_WEIGHT };
    1_000_000 * m / (1 + u64::from(recent))
}

fn statement() -> DrawStatement {
    let candidates: Vec<_> = POOL
        .iter()
        .map(|&(id, local, employer, matches, recent)| {
            json!({
                "id": id,
                "region": if local { "420100" } else { "420500" },
                "employer": employer,
                "specialties": [if matches { "A0801" } else { "B01" }],
                "recent": recent,
            })
        })
        .collect();
    validate(&json!({
        "spec": "expert-draw/1",
        "project": {"region": "420100"},
        "panel": [{"specialty": "A08", "count": COUNT, "reserve": 0}],
        "policy": {"remote_weight": REMOTE_WEIGHT, "local_max": LOCAL_MAX, "max_per_employer": 1},
        "candidates": candidates,
    }))
    .unwrap()
}

/// Outcome of one draw: the ordered primaries, as pool indices.
type Outcome = Vec<usize>;

/// The exact probability of every ordered outcome, by walking the pick tree
/// of §5 (eligibility re-derived here from the SPEC's words).
fn exact() -> BTreeMap<Outcome, f64> {
    fn walk(prefix: &mut Outcome, p: f64, out: &mut BTreeMap<Outcome, f64>) {
        let eligible: Vec<(usize, u64)> = POOL
            .iter()
            .enumerate()
            .filter(|&(i, &(_, local, employer, matches, _))| {
                let locals = prefix.iter().filter(|&&j| POOL[j].1).count();
                let same_employer = prefix.iter().filter(|&&j| POOL[j].2 == employer).count();
                matches
                    && !prefix.contains(&i)
                    && !(local && locals >= LOCAL_MAX)
                    && same_employer < 1
            })
            .map(|(i, c)| (i, weight(c.1, c.4)))
            .collect();
        let total: u64 = eligible.iter().map(|e| e.1).sum();
        if prefix.len() == COUNT || total == 0 {
            *out.entry(prefix.clone()).or_insert(0.0) += p;
            return;
        }
        for (i, w) in eligible {
            if w > 0 {
                prefix.push(i);
                walk(prefix, p * w as f64 / total as f64, out);
                prefix.pop();
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&mut Vec::new(), 1.0, &mut out);
    out
}

fn seed_of(k: u64) -> [u8; 32] {
    Sha256::digest(k.to_le_bytes()).into()
}

fn index_of(id: &str) -> usize {
    POOL.iter().position(|c| c.0 == id).unwrap()
}

/// ln Γ(x), Lanczos (g = 7, n = 9); ample for p-values.
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let t = x + 7.5;
    let series: f64 = C[0] + (1..9).map(|i| C[i] / (x + i as f64)).sum::<f64>();
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

/// Regularised upper incomplete gamma Q(a, x) (Numerical Recipes 6.2).
fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let front = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        1.0 - sum * front
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        front * h
    }
}

/// Pearson's chi-square of observed counts against exact probabilities;
/// cells expecting fewer than 5 are pooled. Returns (statistic, df, p).
fn chi_square<K: Ord + Clone>(
    observed: &BTreeMap<K, u64>,
    exact: &BTreeMap<K, f64>,
    n: u64,
) -> (f64, usize, f64) {
    let n = n as f64;
    let (mut stat, mut cells) = (0.0, 0usize);
    let (mut pooled_o, mut pooled_e) = (0.0, 0.0);
    for (k, &p) in exact {
        let o = observed.get(k).copied().unwrap_or(0) as f64;
        let e = p * n;
        if e < 5.0 {
            pooled_o += o;
            pooled_e += e;
        } else {
            stat += (o - e) * (o - e) / e;
            cells += 1;
        }
    }
    // Outcomes the exact distribution gives probability 0 must not occur.
    let impossible: u64 = observed
        .iter()
        .filter(|(k, _)| !exact.contains_key(*k))
        .map(|(_, &o)| o)
        .sum();
    pooled_o += impossible as f64;
    if pooled_e > 0.0 {
        stat += (pooled_o - pooled_e) * (pooled_o - pooled_e) / pooled_e;
        cells += 1;
    } else if pooled_o > 0.0 {
        return (f64::INFINITY, cells, 0.0);
    }
    let df = cells - 1;
    (stat, df, gamma_q(df as f64 / 2.0, stat / 2.0))
}

fn tally(mut draw: impl FnMut(u64) -> Outcome) -> BTreeMap<Outcome, u64> {
    let mut counts = BTreeMap::new();
    for k in 0..DRAWS {
        *counts.entry(draw(k)).or_insert(0) += 1;
    }
    counts
}

/// A selection with the §5 rules but a pick that takes the first candidate
/// whose running sum is `>= r` instead of `> r`.
fn off_by_one_draw(s: &DrawStatement, seed: [u8; 32]) -> Outcome {
    let mut stream = WordStream::new(seed);
    let mut picked: Outcome = Vec::new();
    for _ in 0..COUNT {
        let eligible: Vec<usize> = (0..POOL.len())
            .filter(|&i| {
                let at = |j: usize| s.candidates().get(j).unwrap();
                let c = at(i);
                let locals = picked.iter().filter(|&&j| s.is_local(&at(j))).count();
                let same = picked
                    .iter()
                    .filter(|&&j| at(j).employer() == c.employer())
                    .count();
                s.panel()[0].matches(&c)
                    && !picked.contains(&i)
                    && !(s.is_local(&c) && locals >= LOCAL_MAX)
                    && same < 1
            })
            .collect();
        let weight = |i: usize| s.weight(&s.candidates().get(i).unwrap());
        let total: u64 = eligible.iter().map(|&i| weight(i)).sum();
        let Some(total) = NonZeroU64::new(total) else {
            break;
        };
        let r = uniform(&mut stream, total);
        let mut running = 0;
        for &i in &eligible {
            running += weight(i);
            if running >= r {
                picked.push(i);
                break;
            }
        }
    }
    picked
}

#[test]
fn selection_frequencies_match_the_exact_distribution() {
    let s = statement();
    let pool = PreparedPool::new(&s).unwrap();
    let exact = exact();
    let total: f64 = exact.values().sum();
    assert!(
        (total - 1.0).abs() < 1e-12,
        "exact distribution sums to {total}"
    );
    assert!(
        exact.len() >= 10,
        "a non-trivial outcome space: {}",
        exact.len()
    );

    let observed = tally(|k| {
        let r = pool.draw(seed_of(k)).unwrap();
        r.primaries[0].iter().map(|id| index_of(id)).collect()
    });
    let (stat, df, p) = chi_square(&observed, &exact, DRAWS);
    eprintln!("fast path: chi2 = {stat:.2}, df = {df}, p = {p:.4}");
    assert!(
        p > ALPHA,
        "fast path deviates from the SPEC: chi2 {stat}, df {df}, p {p}"
    );

    // Per expert: selection frequency against the exact marginal.
    for (i, c) in POOL.iter().enumerate() {
        let p_exact: f64 = exact
            .iter()
            .filter(|(o, _)| o.contains(&i))
            .map(|(_, p)| p)
            .sum();
        let seen: u64 = observed
            .iter()
            .filter(|(o, _)| o.contains(&i))
            .map(|(_, n)| n)
            .sum();
        let n = DRAWS as f64;
        let sd = (n * p_exact * (1.0 - p_exact)).sqrt();
        if p_exact == 0.0 {
            assert_eq!(seen, 0, "{} has probability 0 but was picked", c.0);
            continue;
        }
        let z = (seen as f64 - n * p_exact) / sd;
        eprintln!(
            "{}: exact {p_exact:.5}, observed {:.5}, z = {z:+.2}",
            c.0,
            seen as f64 / n
        );
        // |z| > 5.33 has two-sided probability below 1e-7.
        assert!(z.abs() < 5.33, "{}: z = {z}", c.0);
    }
}

#[test]
fn an_off_by_one_running_sum_is_detected() {
    let s = statement();
    let exact = exact();
    let observed = tally(|k| off_by_one_draw(&s, seed_of(k)));
    let (stat, df, p) = chi_square(&observed, &exact, DRAWS);
    eprintln!("off-by-one: chi2 = {stat:.2}, df = {df}, p = {p:e}");
    assert!(p < ALPHA, "the test failed to see an off-by-one: p = {p}");
}

/// `uniform(n)` for an n where skipping the rejection step is blatant:
/// n = 3·2^62, so plain `x mod n` puts half the mass in the first third.
#[test]
fn modulo_without_rejection_is_detected_and_uniform_is_not() {
    const N: u64 = 3 << 62;
    let third = |x: u64| (x / (1 << 62)) as usize;
    let exact: BTreeMap<usize, f64> = (0..3).map(|b| (b, 1.0 / 3.0)).collect();
    let (mut fair, mut biased) = (BTreeMap::new(), BTreeMap::new());
    let mut stream = WordStream::new(seed_of(u64::MAX));
    let mut raw = WordStream::new(seed_of(u64::MAX - 1));
    for _ in 0..DRAWS {
        *fair
            .entry(third(uniform(&mut stream, NonZeroU64::new(N).unwrap())))
            .or_insert(0) += 1;
        *biased.entry(third(raw.next_word() % N)).or_insert(0) += 1;
    }
    let (_, _, p_fair) = chi_square(&fair, &exact, DRAWS);
    let (stat, _, p_biased) = chi_square(&biased, &exact, DRAWS);
    eprintln!("uniform: p = {p_fair:.4}; x mod n: chi2 = {stat:.0}, p = {p_biased:e}");
    assert!(p_fair > ALPHA);
    assert!(p_biased < ALPHA);
}

#[test]
fn the_p_value_function_is_calibrated() {
    // Known chi-square upper tails: P(X > 3.841 | 1 df) = 0.05,
    // P(X > 18.307 | 10 df) = 0.05, P(X > 29.588 | 10 df) = 0.001.
    for (x, df, want) in [
        (3.841_459, 1.0, 0.05),
        (18.307_04, 10.0, 0.05),
        (29.588_3, 10.0, 0.001),
    ] {
        let got = gamma_q(df / 2.0, x / 2.0);
        assert!((got - want).abs() < want * 1e-3, "Q({df}, {x}) = {got}");
    }
}
