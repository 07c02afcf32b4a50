//! Raters whose per-bid assessments deviate from the other raters of the
//! same expert and draw: always lenient, or always harsh.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::discipline::assessment::{AssessmentConfig, AssessmentSheet, Rater};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RaterPolicy {
    /// Compared sheets needed before a rater can be flagged.
    pub min_sheets: u32,
    /// Flag when the mean signed deviation is at least this many percentage
    /// points either way.
    pub mean_deviation_at_least: f64,
}

impl Default for RaterPolicy {
    fn default() -> Self {
        Self {
            min_sheets: 5,
            mean_deviation_at_least: 15.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaterDeviation {
    pub rater: Rater,
    /// Sheets with at least one other rater's sheet for the same expert and
    /// draw.
    pub compared: u32,
    /// Mean of (own percentage − the others' mean percentage): positive is
    /// lenient, negative harsh.
    pub mean_deviation: f64,
    pub mean_abs_deviation: f64,
    pub flagged: bool,
}

/// Each rater's deviation over `effective` sheets (one per key: fold the
/// histories first with `effective_sheets`), by rater.
pub fn rater_deviations(
    effective: &[&AssessmentSheet],
    config: &AssessmentConfig,
    policy: &RaterPolicy,
) -> Vec<RaterDeviation> {
    let mut by_subject: BTreeMap<(&str, &str), Vec<(&Rater, f64)>> = BTreeMap::new();
    for s in effective {
        if let Some(p) = s.percent(config) {
            by_subject
                .entry((s.draw_id.as_str(), s.expert_id.as_str()))
                .or_default()
                .push((&s.rater, f64::from(p)));
        }
    }
    let mut by_rater: BTreeMap<&Rater, Vec<f64>> = BTreeMap::new();
    for sheets in by_subject.values() {
        for (i, (rater, own)) in sheets.iter().enumerate() {
            let others: Vec<f64> = sheets
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, (_, p))| *p)
                .collect();
            if others.is_empty() {
                continue;
            }
            let mean = others.iter().sum::<f64>() / others.len() as f64;
            by_rater.entry(rater).or_default().push(own - mean);
        }
    }
    by_rater
        .into_iter()
        .map(|(rater, devs)| {
            let n = devs.len() as f64;
            let mean_deviation = devs.iter().sum::<f64>() / n;
            let compared = u32::try_from(devs.len()).unwrap_or(u32::MAX);
            RaterDeviation {
                rater: rater.clone(),
                compared,
                mean_deviation,
                mean_abs_deviation: devs.iter().map(|d| d.abs()).sum::<f64>() / n,
                flagged: compared >= policy.min_sheets
                    && mean_deviation.abs() >= policy.mean_deviation_at_least,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discipline::assessment::RaterRole;
    use chrono::NaiveDate;

    fn sheet(
        draw: &str,
        expert: &str,
        rater: &str,
        role: RaterRole,
        total: u32,
    ) -> AssessmentSheet {
        let config = AssessmentConfig::default();
        // Spread `total` over the items in order, each up to its max.
        let mut left = total;
        let scores = config
            .items
            .iter()
            .map(|i| {
                let s = left.min(i.max);
                left -= s;
                (i.code.clone(), s)
            })
            .collect();
        AssessmentSheet {
            draw_id: draw.into(),
            expert_id: expert.into(),
            rater: Rater {
                role,
                rater_id: rater.into(),
            },
            version: 1,
            scores,
            comment: String::new(),
            correction_reason: None,
            submitted_on: NaiveDate::from_ymd_opt(2026, 3, 6).unwrap(),
        }
    }

    #[test]
    fn a_lenient_rater_is_flagged() {
        let mut sheets = Vec::new();
        for draw in ["D1", "D2", "D3", "D4", "D5", "D6"] {
            for expert in ["E1", "E2"] {
                sheets.push(sheet(
                    draw,
                    expert,
                    "T1",
                    RaterRole::TendererRepresentative,
                    98,
                ));
                sheets.push(sheet(draw, expert, "S1", RaterRole::OnSiteSupervisor, 70));
            }
        }
        // A sheet with no counterpart is not compared.
        sheets.push(sheet("D9", "E1", "S1", RaterRole::OnSiteSupervisor, 10));
        let refs: Vec<&AssessmentSheet> = sheets.iter().collect();
        let devs = rater_deviations(&refs, &AssessmentConfig::default(), &RaterPolicy::default());
        assert_eq!(devs.len(), 2);
        let t = devs.iter().find(|d| d.rater.rater_id == "T1").unwrap();
        let s = devs.iter().find(|d| d.rater.rater_id == "S1").unwrap();
        assert_eq!((t.compared, s.compared), (12, 12));
        assert!((t.mean_deviation - 28.0).abs() < 1e-9);
        assert!((s.mean_deviation + 28.0).abs() < 1e-9);
        assert!((s.mean_abs_deviation - 28.0).abs() < 1e-9);
        // With two raters both sides deviate equally; both are flagged and
        // the sign tells lenient from harsh.
        assert!(t.flagged && s.flagged);

        let few: Vec<&AssessmentSheet> = sheets.iter().take(4).collect();
        let devs = rater_deviations(&few, &AssessmentConfig::default(), &RaterPolicy::default());
        assert!(devs.iter().all(|d| !d.flagged));
    }
}
