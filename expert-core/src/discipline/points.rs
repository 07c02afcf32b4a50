//! Points (记分) in a rolling cycle, and the sanction proposals a threshold
//! produces. A proposal opens a case at most; it never sanctions anyone.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::baseline::{Baseline, BaselineError, Ground};
use super::sanction::Sanction;

/// One violation recorded against an expert. `points` is copied from the
/// baseline when the violation is recorded, so a later change of the table
/// does not rewrite the past.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViolationRecord {
    pub code: String,
    pub occurred_on: NaiveDate,
    pub points: u32,
    /// Where it was recorded: a draw, a score sheet, a case number.
    pub reference: String,
    /// Already the basis of a decided threshold case: still counted in the
    /// cycle's total, no longer towards a new threshold proposal, so one set
    /// of violations is not sanctioned twice.
    #[serde(default)]
    pub settled: bool,
}

impl ViolationRecord {
    /// A record of `code` on `occurred_on` with the baseline's points.
    pub fn new(
        baseline: &Baseline,
        code: &str,
        occurred_on: NaiveDate,
        reference: impl Into<String>,
    ) -> Result<Self, BaselineError> {
        let rule = baseline
            .violation(code)
            .ok_or_else(|| BaselineError::UnknownViolation {
                code: code.to_owned(),
            })?;
        Ok(Self {
            code: rule.code.clone(),
            occurred_on,
            points: rule.points,
            reference: reference.into(),
            settled: false,
        })
    }
}

/// The points of one expert in the cycle ending on `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsTally {
    pub as_of: NaiveDate,
    /// First day of the cycle: `as_of` minus the cycle, plus one day.
    pub window_from: NaiveDate,
    pub total: u32,
    /// `total` without settled records.
    pub unsettled: u32,
    /// The records counted, by date then reference.
    pub counted: Vec<ViolationRecord>,
}

/// Sums the records with `window_from <= occurred_on <= as_of`, where the
/// window is `cycle_months` long: on 2026-06-01 a 12-month cycle counts
/// 2025-06-02 to 2026-06-01. Records after `as_of` are not counted yet.
pub fn tally(records: &[ViolationRecord], cycle_months: u32, as_of: NaiveDate) -> PointsTally {
    let window_from = as_of
        .checked_sub_months(Months::new(cycle_months))
        .and_then(|d| d.succ_opt())
        .unwrap_or(NaiveDate::MIN);
    let mut counted: Vec<ViolationRecord> = records
        .iter()
        .filter(|r| window_from <= r.occurred_on && r.occurred_on <= as_of)
        .cloned()
        .collect();
    counted.sort_by(|a, b| (a.occurred_on, &a.reference).cmp(&(b.occurred_on, &b.reference)));
    let sum = |settled: bool| {
        counted
            .iter()
            .filter(|r| settled || !r.settled)
            .fold(0u32, |n, r| n.saturating_add(r.points))
    };
    PointsTally {
        as_of,
        window_from,
        total: sum(true),
        unsettled: sum(false),
        counted,
    }
}

/// A proposed sanction: the reason to open a case, never a sanction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SanctionProposal {
    pub expert_id: String,
    pub as_of: NaiveDate,
    pub ground: Ground,
    pub proposed: Sanction,
    /// Identifies the situation, so the store can refuse to propose it
    /// twice: `points:12:<reference of the record that reached 12>` or
    /// `low_credit:<cycle start>`.
    pub key: String,
    /// References of the records behind it.
    pub evidence: Vec<String>,
    pub detail_zh: String,
    pub detail_en: String,
}

/// The proposal for the highest threshold the unsettled points reach on
/// `as_of`, or `None`.
pub fn points_proposal(
    expert_id: &str,
    records: &[ViolationRecord],
    baseline: &Baseline,
    as_of: NaiveDate,
) -> Option<SanctionProposal> {
    let t = tally(records, baseline.cycle_months, as_of);
    let threshold = baseline
        .thresholds
        .iter()
        .filter(|th| th.points > 0 && th.points <= t.unsettled)
        .max_by_key(|th| th.points)?;
    let unsettled: Vec<&ViolationRecord> = t.counted.iter().filter(|r| !r.settled).collect();
    let mut running = 0u32;
    let crossing = unsettled.iter().find(|r| {
        running = running.saturating_add(r.points);
        running >= threshold.points
    })?;
    let points = threshold.points;
    let total = t.unsettled;
    let cycle = baseline.cycle_months;
    Some(SanctionProposal {
        expert_id: expert_id.to_owned(),
        as_of,
        ground: Ground::PointsThreshold { points },
        proposed: threshold.proposed,
        key: format!("points:{points}:{}", crossing.reference),
        evidence: unsettled.iter().map(|r| r.reference.clone()).collect(),
        detail_zh: format!(
            "{}至{}记分{total}分，达到{points}分阈值，建议{}",
            t.window_from,
            as_of,
            threshold.proposed.describe_zh()
        ),
        detail_en: format!(
            "{total} points in the {cycle}-month cycle {} to {as_of}, reaching the threshold of {points}; proposed: {}",
            t.window_from,
            threshold.proposed.describe_en()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discipline::baseline::PointThreshold;
    use crate::discipline::range::SanctionRange;
    use crate::discipline::sanction::Measure;
    use crate::lifecycle::RestoreMode;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rec(code: &str, on: NaiveDate, reference: &str) -> ViolationRecord {
        ViolationRecord::new(&Baseline::default(), code, on, reference).unwrap()
    }

    #[test]
    fn records_take_the_baseline_points() {
        let r = rec("phone_in_room", d(2026, 1, 5), "draw-1");
        assert_eq!(r.points, 3);
        assert!(!r.settled);
        assert_eq!(
            ViolationRecord::new(&Baseline::default(), "nope", d(2026, 1, 5), "x"),
            Err(BaselineError::UnknownViolation {
                code: "nope".into()
            })
        );
    }

    #[test]
    fn the_window_is_twelve_months_ending_today() {
        let records = [
            rec("late_arrival", d(2025, 6, 1), "a"),
            rec("late_arrival", d(2025, 6, 2), "b"),
            rec("phone_in_room", d(2026, 6, 1), "c"),
            rec("leave_early", d(2026, 6, 2), "d"),
        ];
        let t = tally(&records, 12, d(2026, 6, 1));
        assert_eq!(t.window_from, d(2025, 6, 2));
        assert_eq!(t.total, 1 + 3);
        let refs: Vec<&str> = t.counted.iter().map(|r| r.reference.as_str()).collect();
        assert_eq!(refs, ["b", "c"]);
        // Leap day: the cycle ending 2025-02-28 starts 2024-02-29.
        assert_eq!(tally(&[], 12, d(2025, 2, 28)).window_from, d(2024, 2, 29));
        assert_eq!(tally(&[], 1, d(2026, 3, 31)).window_from, d(2026, 3, 1));
    }

    #[test]
    fn thresholds_propose_and_never_sanction() {
        let b = Baseline::default();
        let mut records = vec![
            rec("ignore_evaluation_criteria", d(2026, 1, 10), "r1"),
            rec("leave_early", d(2026, 2, 10), "r2"),
        ];
        assert_eq!(points_proposal("E1", &records, &b, d(2026, 3, 1)), None);
        records.push(rec("phone_in_room", d(2026, 3, 1), "r3"));
        let p = points_proposal("E1", &records, &b, d(2026, 3, 1)).unwrap();
        assert_eq!(p.ground, Ground::PointsThreshold { points: 12 });
        assert_eq!(p.key, "points:12:r3");
        assert_eq!(p.evidence, ["r1", "r2", "r3"]);
        assert_eq!(
            p.proposed.measure,
            Measure::Suspension {
                months: 6,
                restore: RestoreMode::AfterTest
            }
        );
        assert!(p.detail_zh.contains("记分12分"), "{}", p.detail_zh);
        // The proposal is within its own range, so a case can decide it.
        assert_eq!(
            b.check(std::slice::from_ref(&p.ground), &p.proposed),
            Ok(())
        );
        // A year later r1 has left the cycle.
        assert_eq!(points_proposal("E1", &records, &b, d(2027, 1, 10)), None);
        // Settled records no longer propose.
        for r in &mut records {
            r.settled = true;
        }
        assert_eq!(points_proposal("E1", &records, &b, d(2026, 3, 1)), None);
        assert_eq!(tally(&records, 12, d(2026, 3, 1)).total, 12);
        assert_eq!(tally(&records, 12, d(2026, 3, 1)).unsettled, 0);
    }

    #[test]
    fn the_highest_threshold_reached_wins() {
        let mut b = Baseline::default();
        b.thresholds.push(PointThreshold {
            points: 24,
            proposed: Sanction::new(Measure::Removal { ban_years: Some(1) }),
            range: SanctionRange {
                removal: Some(crate::discipline::range::RemovalRange {
                    ban_years: Some(crate::discipline::range::AmountRange { min: 1, max: 2 }),
                    permanent: false,
                }),
                ..SanctionRange::default()
            },
            legal_basis: "x".into(),
        });
        assert!(b.validate().is_empty());
        let records = [
            rec("accept_property", d(2026, 1, 1), "a"),
            rec("accept_property", d(2026, 1, 2), "b"),
        ];
        let p = points_proposal("E", &records, &b, d(2026, 2, 1)).unwrap();
        assert_eq!(p.ground, Ground::PointsThreshold { points: 24 });
        assert_eq!(p.key, "points:24:b");
        let p = points_proposal("E", &records[..1], &b, d(2026, 2, 1)).unwrap();
        assert_eq!(p.key, "points:12:a");
    }
}
