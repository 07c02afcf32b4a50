//! Pair co-occurrence: experts who sit together far more often than the
//! draw would make them, with the expected count and a Poisson tail
//! probability behind each flag.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One drawn panel: who sat, and each candidate's probability of being
/// seated in that draw (the seated must be among the candidates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawPanel {
    pub draw_id: String,
    pub seated: Vec<String>,
    pub inclusion: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PairPolicy {
    pub min_together: u32,
    /// Observed over expected at least this.
    pub min_ratio: f64,
    /// Poisson upper tail at most this.
    pub max_p_value: f64,
}

impl Default for PairPolicy {
    fn default() -> Self {
        Self {
            min_together: 3,
            min_ratio: 3.0,
            max_p_value: 0.001,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairFlag {
    /// `a < b`.
    pub a: String,
    pub b: String,
    pub together: u32,
    /// Σ over draws where both were candidates of `p_a · p_b`.
    pub expected: f64,
    pub ratio: f64,
    /// P(X ≥ together) for X ~ Poisson(expected).
    pub p_value: f64,
    pub draws: Vec<String>,
}

/// First-order inclusion probabilities of a weighted draw of `seats` from
/// `weights`: `π_i = min(1, c · w_i)` with `c` chosen so that they sum to
/// the seats filled. The draw's successive sampling has no closed form; this
/// is the usual approximation, exact for equal weights. Caps and groups are
/// the caller's to apply (one call per group).
pub fn inclusion_probabilities(weights: &[(String, u64)], seats: u32) -> BTreeMap<String, f64> {
    let shares = inclusion_shares(&weights.iter().map(|(_, w)| *w).collect::<Vec<_>>(), seats);
    weights
        .iter()
        .zip(shares)
        .map(|((id, _), p)| (id.clone(), p))
        .collect()
}

/// [`inclusion_probabilities`] by position: `π_i` for `weights[i]`, with
/// no id at all (the simulation and the oversight metrics call it once per
/// draw and cannot afford a map per call).
pub fn inclusion_shares(weights: &[u64], seats: u32) -> Vec<f64> {
    let mut out = vec![0.0; weights.len()];
    let positive: Vec<usize> = (0..weights.len())
        .filter(|&i| weights.get(i).copied().unwrap_or(0) > 0)
        .collect();
    let filled = f64::from(seats).min(positive.len() as f64);
    let mut seats_left = filled;
    let mut certain = vec![false; positive.len()];
    let weight = |i: usize| weights.get(i).copied().unwrap_or(0) as f64;
    loop {
        let open_weight: f64 = positive
            .iter()
            .zip(&certain)
            .filter(|(_, c)| !**c)
            .map(|(&i, _)| weight(i))
            .sum();
        if open_weight <= 0.0 || seats_left <= 0.0 {
            break;
        }
        let mut changed = false;
        for (k, &i) in positive.iter().enumerate() {
            if certain.get(k).copied().unwrap_or(true) {
                continue;
            }
            if seats_left * weight(i) / open_weight >= 1.0 {
                if let Some(c) = certain.get_mut(k) {
                    *c = true;
                }
                changed = true;
            }
        }
        if !changed {
            for (k, &i) in positive.iter().enumerate() {
                if !certain.get(k).copied().unwrap_or(true)
                    && let Some(slot) = out.get_mut(i)
                {
                    *slot = seats_left * weight(i) / open_weight;
                }
            }
            break;
        }
        let now_certain = certain.iter().filter(|c| **c).count() as f64;
        seats_left = filled - now_certain;
    }
    for (k, &i) in positive.iter().enumerate() {
        if certain.get(k).copied().unwrap_or(false)
            && let Some(slot) = out.get_mut(i)
        {
            *slot = 1.0;
        }
    }
    out
}

/// Each candidate's chance of a seat from a statement, in statement order:
/// the sum over the panel's groups it matches of [`inclusion_shares`] of
/// that group (weights as the statement gives them), capped at 1. Caps per
/// employer and locality are left out, as in [`inclusion_probabilities`].
pub fn statement_chances(statement: &crate::draw::DrawStatement) -> Vec<f64> {
    let candidates = statement.candidates();
    let mut chances = vec![0.0; candidates.len()];
    for group in statement.panel() {
        let (members, weights): (Vec<usize>, Vec<u64>) = candidates
            .iter()
            .filter(|c| group.matches(c))
            .map(|c| (c.index(), statement.weight(&c)))
            .unzip();
        for (i, p) in members
            .into_iter()
            .zip(inclusion_shares(&weights, group.count))
        {
            if let Some(slot) = chances.get_mut(i) {
                *slot = (*slot + p).min(1.0);
            }
        }
    }
    chances
}

/// P(X ≥ k) for X ~ Poisson(λ).
pub fn poisson_upper_tail(k: u32, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    let ln_fact: f64 = (2..=k).map(|i| f64::from(i).ln()).sum();
    let mut term = (-lambda + f64::from(k) * lambda.ln() - ln_fact).exp();
    let mut sum = 0.0;
    let mut i = f64::from(k);
    for _ in 0..100_000 {
        sum += term;
        i += 1.0;
        term *= lambda / i;
        if term < sum * 1e-17 || term == 0.0 {
            break;
        }
    }
    sum.clamp(0.0, 1.0)
}

/// Pairs that sat together at least `min_together` times, at least
/// `min_ratio` times the expected count, with a Poisson tail at most
/// `max_p_value`; by descending ratio, then names. Treating the two
/// seatings as independent slightly overstates the expected count of a
/// draw without replacement, so flags err on the side of silence.
pub fn pair_flags(panels: &[DrawPanel], policy: &PairPolicy) -> Vec<PairFlag> {
    let mut together: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for p in panels {
        let mut seated: Vec<&str> = p.seated.iter().map(String::as_str).collect();
        seated.sort_unstable();
        seated.dedup();
        for (i, a) in seated.iter().enumerate() {
            for b in seated.iter().skip(i + 1) {
                together.entry((a, b)).or_default().push(&p.draw_id);
            }
        }
    }
    let mut flags: Vec<PairFlag> = together
        .into_iter()
        .filter(|(_, draws)| {
            draws.len() >= usize::try_from(policy.min_together).unwrap_or(usize::MAX)
        })
        .filter_map(|((a, b), draws)| {
            let expected: f64 = panels
                .iter()
                .filter_map(|p| Some(p.inclusion.get(a)? * p.inclusion.get(b)?))
                .sum();
            let n = u32::try_from(draws.len()).unwrap_or(u32::MAX);
            let ratio = if expected > 0.0 {
                f64::from(n) / expected
            } else {
                f64::INFINITY
            };
            let p_value = poisson_upper_tail(n, expected);
            (ratio >= policy.min_ratio && p_value <= policy.max_p_value).then(|| PairFlag {
                a: a.to_owned(),
                b: b.to_owned(),
                together: n,
                expected,
                ratio,
                p_value,
                draws: draws.into_iter().map(str::to_owned).collect(),
            })
        })
        .collect();
    flags.sort_by(|x, y| {
        y.ratio
            .total_cmp(&x.ratio)
            .then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b)))
    });
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("X{i:02}")).collect()
    }

    #[test]
    fn equal_weights_are_exact() {
        let weights: Vec<(String, u64)> = ids(10).into_iter().map(|id| (id, 7)).collect();
        let p = inclusion_probabilities(&weights, 3);
        assert!(p.values().all(|v| (v - 0.3).abs() < 1e-12), "{p:?}");
        let all = inclusion_probabilities(&weights, 20);
        assert!(all.values().all(|v| *v == 1.0));
    }

    #[test]
    fn heavy_weights_are_capped_and_zero_stays_zero() {
        let weights = vec![
            ("big".to_owned(), 1_000_000),
            ("a".to_owned(), 1),
            ("b".to_owned(), 1),
            ("c".to_owned(), 2),
            ("none".to_owned(), 0),
        ];
        let p = inclusion_probabilities(&weights, 2);
        assert_eq!(p["big"], 1.0);
        assert_eq!(p["none"], 0.0);
        assert!(
            (p["a"] - 0.25).abs() < 1e-12 && (p["c"] - 0.5).abs() < 1e-12,
            "{p:?}"
        );
        let sum: f64 = p.values().sum();
        assert!((sum - 2.0).abs() < 1e-9);
    }

    #[test]
    fn poisson_tail() {
        assert_eq!(poisson_upper_tail(0, 3.0), 1.0);
        assert_eq!(poisson_upper_tail(1, 0.0), 0.0);
        // P(X >= 1) = 1 - e^-λ.
        assert!((poisson_upper_tail(1, 0.5) - (1.0 - (-0.5f64).exp())).abs() < 1e-12);
        // P(X >= 2; 1) = 1 - 2/e.
        assert!((poisson_upper_tail(2, 1.0) - (1.0 - 2.0 / std::f64::consts::E)).abs() < 1e-12);
        // Far tail stays positive and tiny; huge λ does not overflow.
        let tiny = poisson_upper_tail(30, 1.0);
        assert!(tiny > 0.0 && tiny < 1e-30, "{tiny}");
        assert!((poisson_upper_tail(1000, 1000.0) - 0.5).abs() < 0.02);
    }

    #[test]
    fn a_pair_that_sits_together_too_often() {
        let pool = ids(20);
        let weights: Vec<(String, u64)> = pool.iter().map(|id| (id.clone(), 1)).collect();
        let inclusion = inclusion_probabilities(&weights, 5);
        // 40 draws of 5 seats rotating through the pool; X00 and X01 are
        // together in 10 of them (expected 40 · 0.25² = 2.5).
        let panels: Vec<DrawPanel> = (0..40usize)
            .map(|k| {
                let mut seated: Vec<String> =
                    (0..5).map(|j| pool[(k * 7 + j * 3) % 20].clone()).collect();
                if k % 4 == 0 {
                    seated = vec![
                        "X00".into(),
                        "X01".into(),
                        pool[(k + 2) % 18 + 2].clone(),
                        pool[(k + 5) % 18 + 2].clone(),
                        pool[(k + 11) % 18 + 2].clone(),
                    ];
                }
                DrawPanel {
                    draw_id: format!("D{k}"),
                    seated,
                    inclusion: inclusion.clone(),
                }
            })
            .collect();
        let flags = pair_flags(&panels, &PairPolicy::default());
        assert!(!flags.is_empty());
        let top = &flags[0];
        assert_eq!((top.a.as_str(), top.b.as_str()), ("X00", "X01"));
        assert!(top.together >= 10, "{top:?}");
        assert!((top.expected - 2.5).abs() < 1e-9, "{top:?}");
        assert!(top.p_value < 1e-3 && top.ratio >= 4.0, "{top:?}");
        assert_eq!(top.draws.len(), usize::try_from(top.together).unwrap());
        // The default bar does not flag a pair seen at about the expected rate.
        let strict = PairPolicy {
            min_together: 30,
            ..PairPolicy::default()
        };
        assert!(pair_flags(&panels, &strict).is_empty());
    }

    proptest! {
        /// Probabilities lie in [0, 1] and sum to the seats filled.
        #[test]
        fn inclusion_sums_to_seats(ws in proptest::collection::vec(0u64..1000, 1..30), seats in 0u32..40) {
            let weights: Vec<(String, u64)> = ws.iter().enumerate().map(|(i, w)| (format!("c{i}"), *w)).collect();
            let p = inclusion_probabilities(&weights, seats);
            let positive = ws.iter().filter(|w| **w > 0).count() as f64;
            let sum: f64 = p.values().sum();
            prop_assert!(p.values().all(|v| (0.0..=1.0 + 1e-12).contains(v)));
            prop_assert!((sum - f64::from(seats).min(positive)).abs() < 1e-6, "{} vs {}", sum, seats);
        }
    }
}
