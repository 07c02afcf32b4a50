//! Pairs of experts who sat on the same panel, against how often the draws
//! would seat them together by chance.
//!
//! The expectation. For a panel `d` whose draw had both `a` and `b` among
//! its candidates, with `π_a,d` and `π_b,d` their chances of a seat from the
//! draw's statement (first-order inclusion probabilities under the policy's
//! weights, `statement_chances`), the chance that both sit is taken as
//! `π_a,d · π_b,d`, as if the two seats were independent (a draw without
//! replacement makes it slightly smaller, so the expectation errs high and
//! flags err on the side of silence). Summed over the period's panels this
//! is `λ_ab`, the number of panels the pair is expected to share, and the
//! observed count is compared with a Poisson(`λ_ab`) tail, as in the
//! supervisors' pair signal. Under a plain local draw in a small region
//! both `π` are large, so a high count can be *expected*: the policy itself
//! makes the pair. The raw counts say what happened; the expectation says
//! whether the draw explains it.
//!
//! `λ` is computed for the pairs seen together at least twice (a pair seen
//! once can be no "regular"), from each expert's chances sorted by panel.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{MetricsOptions, PanelChances, SeatRecord};
use crate::discipline::signals::poisson_upper_tail;

/// One pair, `a < b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairCount {
    pub a: String,
    pub b: String,
    /// Panels they sat on together.
    pub together: u32,
    /// `λ_ab`: panels they would share by chance under the draws' policy.
    pub expected: f64,
    /// `together / expected` (infinite for an expectation of 0).
    pub ratio: f64,
    /// P(X ≥ together) for X ~ Poisson(expected).
    pub p_value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairCooccurrence {
    /// Panels with at least two seats.
    pub panels: u32,
    /// Distinct pairs who sat together at least once.
    pub pairs: u64,
    /// Pairs who sat together at least 2 / 3 / 5 times.
    pub repeated: u64,
    pub at_least_3: u64,
    pub at_least_5: u64,
    pub max_together: u32,
    /// Over the repeated pairs: the panels they shared, and the panels
    /// the same pairs would share by chance (Σ `λ_ab`).
    pub repeated_together: u64,
    pub repeated_expected: f64,
    /// Pairs meeting the supervisors' pair signal (`min_together`,
    /// `min_ratio`, `max_p_value`).
    pub flagged: u64,
    /// The pairs seen together most often, then by ratio, then by ids.
    pub top: Vec<PairCount>,
}

/// Each expert's chances by panel index, sorted, for `λ` look-ups.
struct ChanceIndex<'a> {
    by_expert: HashMap<&'a str, Vec<(u32, f64)>>,
}

impl<'a> ChanceIndex<'a> {
    fn new(chances: &'a [PanelChances]) -> Self {
        let mut by_expert: HashMap<&str, Vec<(u32, f64)>> = HashMap::new();
        for (k, panel) in chances.iter().enumerate() {
            let k = u32::try_from(k).unwrap_or(u32::MAX);
            for (id, p) in &panel.chances {
                if *p > 0.0 {
                    by_expert.entry(id).or_default().push((k, *p));
                }
            }
        }
        Self { by_expert }
    }

    /// `λ_ab = Σ_d π_a,d · π_b,d`: the shorter list looked up in the longer.
    fn lambda(&self, a: &str, b: &str) -> f64 {
        let (Some(la), Some(lb)) = (self.by_expert.get(a), self.by_expert.get(b)) else {
            return 0.0;
        };
        let (short, long) = if la.len() <= lb.len() {
            (la, lb)
        } else {
            (lb, la)
        };
        short
            .iter()
            .filter_map(|&(k, p)| {
                long.binary_search_by_key(&k, |&(j, _)| j)
                    .ok()
                    .and_then(|i| long.get(i))
                    .map(|&(_, q)| p * q)
            })
            .sum()
    }
}

/// Co-occurrence over `seats`, with expectations from `chances`.
#[must_use]
pub fn pair_cooccurrence(
    seats: &[SeatRecord],
    chances: &[PanelChances],
    options: &MetricsOptions,
) -> PairCooccurrence {
    let mut panels: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in seats {
        panels.entry(&s.panel).or_default().push(&s.expert);
    }
    let mut together: HashMap<(&str, &str), u32> = HashMap::new();
    let mut shared = 0u32;
    for members in panels.values_mut() {
        members.sort_unstable();
        members.dedup();
        if members.len() >= 2 {
            shared += 1;
        }
        for (i, a) in members.iter().enumerate() {
            for b in members.iter().skip(i + 1) {
                *together.entry((a, b)).or_insert(0) += 1;
            }
        }
    }
    let index = ChanceIndex::new(chances);
    let policy = &options.pairs;
    let count_at = |k: u32| together.values().filter(|&&n| n >= k).count() as u64;
    let mut repeated: Vec<PairCount> = together
        .iter()
        .filter(|&(_, &n)| n >= 2)
        .map(|(&(a, b), &n)| {
            let expected = index.lambda(a, b);
            PairCount {
                a: a.to_owned(),
                b: b.to_owned(),
                together: n,
                expected,
                ratio: if expected > 0.0 {
                    f64::from(n) / expected
                } else {
                    f64::INFINITY
                },
                p_value: poisson_upper_tail(n, expected),
            }
        })
        .collect();
    let flagged = repeated
        .iter()
        .filter(|p| {
            p.together >= policy.min_together
                && p.ratio >= policy.min_ratio
                && p.p_value <= policy.max_p_value
        })
        .count() as u64;
    repeated.sort_by(|x, y| {
        y.together
            .cmp(&x.together)
            .then_with(|| y.ratio.total_cmp(&x.ratio))
            .then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b)))
    });
    PairCooccurrence {
        panels: shared,
        pairs: together.len() as u64,
        repeated: repeated.len() as u64,
        at_least_3: count_at(3),
        at_least_5: count_at(5),
        max_together: together.values().copied().max().unwrap_or(0),
        repeated_together: repeated.iter().map(|p| u64::from(p.together)).sum(),
        repeated_expected: repeated.iter().map(|p| p.expected).sum(),
        flagged,
        top: repeated.into_iter().take(options.top).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oversight::fixture::seat;

    fn chances(panel: &str, list: &[(&str, f64)]) -> PanelChances {
        PanelChances {
            panel: panel.into(),
            chances: list.iter().map(|(e, p)| ((*e).to_owned(), *p)).collect(),
        }
    }

    #[test]
    fn observed_against_expected() {
        // A and B share P1, P2, P3; C joins P1 and P2; D sits alone on P4.
        let seats = vec![
            seat("A", "r", "P1", "T", "r", 1),
            seat("B", "r", "P1", "T", "r", 1),
            seat("C", "r", "P1", "T", "r", 1),
            seat("B", "r", "P2", "T", "r", 2),
            seat("A", "r", "P2", "T", "r", 2),
            seat("C", "r", "P2", "T", "r", 2),
            seat("A", "r", "P3", "T", "r", 3),
            seat("B", "r", "P3", "T", "r", 3),
            seat("D", "r", "P4", "T", "r", 4),
        ];
        // Chances: A 0.5 and B 0.2 on P1..P3 (λ_AB = 3 · 0.1 = 0.3);
        // C 0.5 on P1 only, so λ_AC = 0.25 and λ_BC = 0.1.
        let ch = vec![
            chances("P1", &[("A", 0.5), ("B", 0.2), ("C", 0.5)]),
            chances("P2", &[("A", 0.5), ("B", 0.2)]),
            chances("P3", &[("A", 0.5), ("B", 0.2), ("D", 1.0)]),
        ];
        let options = MetricsOptions {
            top: 2,
            ..MetricsOptions::default()
        };
        let c = pair_cooccurrence(&seats, &ch, &options);
        assert_eq!(c.panels, 3);
        // AB, AC, BC.
        assert_eq!(
            (c.pairs, c.repeated, c.at_least_3, c.at_least_5),
            (3, 3, 1, 0)
        );
        assert_eq!(c.max_together, 3);
        assert_eq!(c.repeated_together, 3 + 2 + 2);
        assert!((c.repeated_expected - (0.3 + 0.25 + 0.1)).abs() < 1e-12);
        let ab = &c.top[0];
        assert_eq!((ab.a.as_str(), ab.b.as_str(), ab.together), ("A", "B", 3));
        assert!((ab.expected - 0.3).abs() < 1e-12);
        assert!((ab.ratio - 10.0).abs() < 1e-9);
        // P(X ≥ 3; 0.3) = 1 - e^-0.3 (1 + 0.3 + 0.045).
        let tail = 1.0 - (-0.3f64).exp() * (1.0 + 0.3 + 0.045);
        assert!((ab.p_value - tail).abs() < 1e-12);
        // Flag needs p ≤ 0.001: tail ≈ 0.0036, so not flagged.
        assert_eq!(c.flagged, 0);
        // BC (ratio 20) before AC (ratio 8) among the pairs seen twice.
        assert_eq!((c.top[1].a.as_str(), c.top[1].b.as_str()), ("B", "C"));
        let loose = MetricsOptions {
            pairs: crate::discipline::signals::PairPolicy {
                max_p_value: 0.01,
                ..Default::default()
            },
            ..options
        };
        assert_eq!(pair_cooccurrence(&seats, &ch, &loose).flagged, 1);
    }

    #[test]
    fn unknown_chances_expect_nothing() {
        let seats = vec![
            seat("A", "r", "P1", "T", "r", 1),
            seat("B", "r", "P1", "T", "r", 1),
            seat("A", "r", "P2", "T", "r", 2),
            seat("B", "r", "P2", "T", "r", 2),
        ];
        let c = pair_cooccurrence(&seats, &[], &MetricsOptions::default());
        assert_eq!(c.repeated, 1);
        assert_eq!(c.top[0].expected, 0.0);
        assert!(c.top[0].ratio.is_infinite());
    }
}
