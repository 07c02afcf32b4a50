//! How far each expert's scores for each bidder sit from the rest of the
//! panel, over time; and the expert who keeps ranking one company first
//! against the panel.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One evaluation's published scores: expert id → bidder id → total score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelScores {
    pub evaluation_id: String,
    pub evaluated_on: NaiveDate,
    pub scores: BTreeMap<String, BTreeMap<String, f64>>,
}

impl PanelScores {
    /// The members' totals from checked evaluation results, in points.
    pub fn from_results(
        evaluation_id: impl Into<String>,
        evaluated_on: NaiveDate,
        results: &crate::evaluation::EvaluationResults,
    ) -> Self {
        let mut scores: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        for sheet in &results.scores {
            scores
                .entry(sheet.expert_id.clone())
                .or_default()
                .insert(sheet.bidder.clone(), sheet.total.0 as f64 / 100.0);
        }
        Self {
            evaluation_id: evaluation_id.into(),
            evaluated_on,
            scores,
        }
    }
}

/// Thresholds for flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviationPolicy {
    /// An expert is flagged for deviation only with at least this many
    /// evaluations behind the figure.
    pub min_evaluations: u32,
    /// Flag when the mean absolute deviation from the rest of the panel
    /// is at least this many points.
    pub mean_abs_deviation_at_least: f64,
    /// Flag a (expert, bidder) pair when the expert ranked the bidder first
    /// against the panel this many times.
    pub favourite_min_times: u32,
}

impl Default for DeviationPolicy {
    fn default() -> Self {
        Self {
            min_evaluations: 3,
            mean_abs_deviation_at_least: 8.0,
            favourite_min_times: 3,
        }
    }
}

/// One expert in one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviationPoint {
    pub evaluation_id: String,
    pub evaluated_on: NaiveDate,
    /// Bidders compared (scored by this expert and at least one other).
    pub bidders: u32,
    /// Mean over bidders of (own score − mean of the others' scores).
    pub mean_deviation: f64,
    pub mean_abs_deviation: f64,
    pub max_abs_deviation: f64,
}

/// One expert's deviation over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpertDeviation {
    pub expert_id: String,
    /// By date, then evaluation id.
    pub points: Vec<DeviationPoint>,
    pub evaluations: u32,
    /// Over every compared score, not the mean of the per-evaluation means.
    pub mean_abs_deviation: f64,
    pub flagged: bool,
}

/// Every expert's deviation from the rest of the panel, by expert id.
/// Experts alone on a panel, or scoring no bidder another expert scored,
/// have no point for that evaluation.
pub fn score_deviations(
    evaluations: &[PanelScores],
    policy: &DeviationPolicy,
) -> Vec<ExpertDeviation> {
    let mut by_expert: BTreeMap<&str, (Vec<DeviationPoint>, f64, u32)> = BTreeMap::new();
    for ev in evaluations {
        for (expert, own) in &ev.scores {
            let mut devs = Vec::new();
            for (bidder, score) in own {
                if let Some(others) = others_mean(ev, expert, bidder) {
                    devs.push(score - others);
                }
            }
            if devs.is_empty() {
                continue;
            }
            let n = devs.len() as f64;
            let abs_sum: f64 = devs.iter().map(|d| d.abs()).sum();
            let point = DeviationPoint {
                evaluation_id: ev.evaluation_id.clone(),
                evaluated_on: ev.evaluated_on,
                bidders: u32::try_from(devs.len()).unwrap_or(u32::MAX),
                mean_deviation: devs.iter().sum::<f64>() / n,
                mean_abs_deviation: abs_sum / n,
                max_abs_deviation: devs.iter().map(|d| d.abs()).fold(0.0, f64::max),
            };
            let entry = by_expert.entry(expert.as_str()).or_default();
            entry.0.push(point);
            entry.1 += abs_sum;
            entry.2 = entry
                .2
                .saturating_add(u32::try_from(devs.len()).unwrap_or(u32::MAX));
        }
    }
    by_expert
        .into_iter()
        .map(|(expert, (mut points, abs_sum, compared))| {
            points.sort_by(|a, b| {
                (a.evaluated_on, &a.evaluation_id).cmp(&(b.evaluated_on, &b.evaluation_id))
            });
            let evaluations = u32::try_from(points.len()).unwrap_or(u32::MAX);
            let mean_abs_deviation = if compared == 0 {
                0.0
            } else {
                abs_sum / f64::from(compared)
            };
            ExpertDeviation {
                expert_id: expert.to_owned(),
                points,
                evaluations,
                mean_abs_deviation,
                flagged: evaluations >= policy.min_evaluations
                    && mean_abs_deviation >= policy.mean_abs_deviation_at_least,
            }
        })
        .collect()
}

/// The mean score the other experts gave `bidder`, or `None` if none did.
fn others_mean(ev: &PanelScores, expert: &str, bidder: &str) -> Option<f64> {
    let others: Vec<f64> = ev
        .scores
        .iter()
        .filter(|(e, _)| e.as_str() != expert)
        .filter_map(|(_, s)| s.get(bidder).copied())
        .collect();
    (!others.is_empty()).then(|| others.iter().sum::<f64>() / others.len() as f64)
}

/// The bidder with the strictly highest score, or `None` on a tie or when
/// empty.
fn unique_top<'a>(scores: impl Iterator<Item = (&'a str, f64)>) -> Option<(&'a str, f64)> {
    let mut best: Option<(&str, f64)> = None;
    let mut tied = false;
    for (bidder, score) in scores {
        match best {
            None => best = Some((bidder, score)),
            Some((_, top)) if score > top => {
                best = Some((bidder, score));
                tied = false;
            }
            Some((_, top)) if score == top => tied = true,
            Some(_) => {}
        }
    }
    if tied { None } else { best }
}

/// One evaluation where the expert put the bidder first and the rest of
/// the panel did not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FavouriteEvidence {
    pub evaluation_id: String,
    pub evaluated_on: NaiveDate,
    pub own_score: f64,
    /// The others' mean for the same bidder.
    pub others_mean: f64,
    /// The bidder the others' means put strictly first.
    pub panel_top: String,
    pub panel_top_mean: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FavouriteFlag {
    pub expert_id: String,
    pub bidder_id: String,
    /// Evaluations where the expert ranked the bidder first against the panel.
    pub times: u32,
    /// Evaluations where the expert scored the bidder at all.
    pub opportunities: u32,
    pub evidence: Vec<FavouriteEvidence>,
}

/// Experts who ranked the same company first against the rest of the panel
/// at least `policy.favourite_min_times` times, with every instance; by
/// expert id, then bidder id.
pub fn favourite_flags(
    evaluations: &[PanelScores],
    policy: &DeviationPolicy,
) -> Vec<FavouriteFlag> {
    let mut found: BTreeMap<(&str, &str), (u32, Vec<FavouriteEvidence>)> = BTreeMap::new();
    for ev in evaluations {
        for (expert, own) in &ev.scores {
            for bidder in own.keys() {
                found
                    .entry((expert.as_str(), bidder.as_str()))
                    .or_default()
                    .0 += 1;
            }
            let Some((top, own_score)) = unique_top(own.iter().map(|(b, s)| (b.as_str(), *s)))
            else {
                continue;
            };
            // The others' means for every bidder this expert scored.
            let means: Vec<(&str, f64)> = own
                .keys()
                .filter_map(|b| others_mean(ev, expert, b).map(|m| (b.as_str(), m)))
                .collect();
            let Some(others_for_top) = means.iter().find(|(b, _)| *b == top).map(|(_, m)| *m)
            else {
                continue;
            };
            // Against the panel: the others put another bidder strictly first.
            let Some((panel_top, panel_top_mean)) =
                unique_top(means.iter().copied()).filter(|(b, _)| *b != top)
            else {
                continue;
            };
            if let Some(entry) = found.get_mut(&(expert.as_str(), top)) {
                entry.1.push(FavouriteEvidence {
                    evaluation_id: ev.evaluation_id.clone(),
                    evaluated_on: ev.evaluated_on,
                    own_score,
                    others_mean: others_for_top,
                    panel_top: panel_top.to_owned(),
                    panel_top_mean,
                });
            }
        }
    }
    found
        .into_iter()
        .filter_map(|((expert, bidder), (opportunities, mut evidence))| {
            let times = u32::try_from(evidence.len()).unwrap_or(u32::MAX);
            if times < policy.favourite_min_times.max(1) {
                return None;
            }
            evidence.sort_by(|a, b| {
                (a.evaluated_on, &a.evaluation_id).cmp(&(b.evaluated_on, &b.evaluation_id))
            });
            Some(FavouriteFlag {
                expert_id: expert.to_owned(),
                bidder_id: bidder.to_owned(),
                times,
                opportunities,
                evidence,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn ev(id: &str, day: u32, rows: &[(&str, &[(&str, f64)])]) -> PanelScores {
        PanelScores {
            evaluation_id: id.into(),
            evaluated_on: d(2026, 1, day),
            scores: rows
                .iter()
                .map(|(e, s)| {
                    (
                        (*e).to_owned(),
                        s.iter().map(|(b, v)| ((*b).to_owned(), *v)).collect(),
                    )
                })
                .collect(),
        }
    }

    /// Three evaluations where X puts company C first and the panel puts A
    /// first; a fourth where X agrees with the panel.
    fn history() -> Vec<PanelScores> {
        let round = |id: &str, day: u32, x_c: f64| {
            ev(
                id,
                day,
                &[
                    ("P", &[("A", 90.0), ("B", 80.0), ("C", 70.0)]),
                    ("Q", &[("A", 88.0), ("B", 82.0), ("C", 72.0)]),
                    ("X", &[("A", 80.0), ("B", 75.0), ("C", x_c)]),
                ],
            )
        };
        vec![
            round("ev3", 3, 95.0),
            round("ev1", 1, 95.0),
            round("ev2", 2, 99.0),
            round("ev4", 4, 60.0),
        ]
    }

    #[test]
    fn deviation_per_expert_over_time() {
        let devs = score_deviations(&history(), &DeviationPolicy::default());
        let ids: Vec<&str> = devs.iter().map(|d| d.expert_id.as_str()).collect();
        assert_eq!(ids, ["P", "Q", "X"]);
        let x = &devs[2];
        let order: Vec<&str> = x.points.iter().map(|p| p.evaluation_id.as_str()).collect();
        assert_eq!(order, ["ev1", "ev2", "ev3", "ev4"]);
        // ev1: A 80-89 = -9, B 75-81 = -6, C 95-71 = 24.
        let p = &x.points[0];
        assert_eq!(p.bidders, 3);
        assert!((p.mean_deviation - 3.0).abs() < 1e-9, "{p:?}");
        assert!((p.mean_abs_deviation - 13.0).abs() < 1e-9, "{p:?}");
        assert!((p.max_abs_deviation - 24.0).abs() < 1e-9);
        assert!(x.flagged, "{x:?}");
        assert_eq!(x.evaluations, 4);
        // P sits close to the panel.
        assert!(!devs[0].flagged, "{:?}", devs[0]);
        // Too few evaluations: never flagged.
        let few = score_deviations(&history()[..2], &DeviationPolicy::default());
        assert!(few.iter().all(|d| !d.flagged));
    }

    #[test]
    fn the_same_company_first_against_the_panel() {
        let flags = favourite_flags(&history(), &DeviationPolicy::default());
        assert_eq!(flags.len(), 1, "{flags:?}");
        let f = &flags[0];
        assert_eq!((f.expert_id.as_str(), f.bidder_id.as_str()), ("X", "C"));
        assert_eq!((f.times, f.opportunities), (3, 4));
        let ev: Vec<&str> = f
            .evidence
            .iter()
            .map(|e| e.evaluation_id.as_str())
            .collect();
        assert_eq!(ev, ["ev1", "ev2", "ev3"]);
        let e = &f.evidence[1];
        assert_eq!(e.own_score, 99.0);
        assert!((e.others_mean - 71.0).abs() < 1e-9);
        assert_eq!(e.panel_top, "A");
        assert_eq!(e.panel_top_mean, 89.0);
        // Raising the bar to 4 times clears it.
        let strict = DeviationPolicy {
            favourite_min_times: 4,
            ..DeviationPolicy::default()
        };
        assert!(favourite_flags(&history(), &strict).is_empty());
    }

    #[test]
    fn from_published_results() {
        use crate::evaluation::{Centi, EvaluationResults, ScoreSheet};
        let sheet = |e: &str, b: &str, total| ScoreSheet {
            expert_id: e.into(),
            bidder: b.into(),
            items: BTreeMap::new(),
            total: Centi(total),
        };
        let results = EvaluationResults {
            items: vec![],
            bidders: vec![],
            rejected: vec![],
            scores: vec![sheet("E1", "B1", 8725), sheet("E2", "B1", 9000)],
            candidates: vec![],
        };
        let p = PanelScores::from_results("P-1", d(2026, 1, 1), &results);
        assert_eq!(p.scores["E1"]["B1"], 87.25);
        assert_eq!(p.scores["E2"]["B1"], 90.0);
        assert_eq!(p.evaluation_id, "P-1");
    }

    #[test]
    fn ties_and_lone_experts() {
        // X ties A and C: no unique favourite. P puts A first but the rest
        // of the panel (X) has no unique first: not against the panel. A
        // lone expert has no panel.
        let tied = ev(
            "t",
            1,
            &[
                ("P", &[("A", 90.0), ("C", 70.0)]),
                ("X", &[("A", 90.0), ("C", 90.0)]),
            ],
        );
        let lone = ev("l", 2, &[("Y", &[("A", 1.0)])]);
        let policy = DeviationPolicy {
            favourite_min_times: 1,
            ..DeviationPolicy::default()
        };
        assert!(favourite_flags(&[tied.clone(), lone.clone()], &policy).is_empty());
        let devs = score_deviations(&[tied, lone], &policy);
        assert!(devs.iter().all(|d| d.expert_id != "Y"));
        assert_eq!(
            unique_top([("a", 1.0), ("b", 2.0), ("c", 2.0)].into_iter()),
            None
        );
        assert_eq!(
            unique_top([("a", 3.0), ("b", 2.0), ("c", 2.0)].into_iter()),
            Some(("a", 3.0))
        );
        assert_eq!(unique_top(std::iter::empty()), None);
    }
}
