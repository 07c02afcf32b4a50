//! The credit score the periodic review reads: per-bid assessment scores
//! and points in the cycle together; below the baseline's threshold it
//! makes a sanction proposal (never a sanction).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::baseline::{Baseline, Ground};
use super::points::{SanctionProposal, ViolationRecord, tally};

/// One effective assessment of the expert: the evaluation day and the
/// sheet's total as a percentage (`AssessmentSheet::percent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessedOn {
    pub evaluation_on: NaiveDate,
    pub percent: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditScore {
    pub expert_id: String,
    pub as_of: NaiveDate,
    pub window_from: NaiveDate,
    /// All points in the cycle, settled or not: credit remembers.
    pub points: u32,
    /// Assessments in the cycle.
    pub sheets: u32,
    /// Their mean percentage, rounded down; `None` below `min_sheets`.
    pub mean_assessment: Option<u32>,
    /// 0..=100.
    pub score: u32,
    /// The latest day among the inputs counted (for the proposal key).
    pub latest_input: Option<NaiveDate>,
}

/// The credit of one expert on `as_of` over the baseline's cycle.
pub fn credit_score(
    expert_id: &str,
    records: &[ViolationRecord],
    assessments: &[AssessedOn],
    baseline: &Baseline,
    as_of: NaiveDate,
) -> CreditScore {
    let rule = &baseline.low_credit;
    let t = tally(records, baseline.cycle_months, as_of);
    let counted: Vec<&AssessedOn> = assessments
        .iter()
        .filter(|a| t.window_from <= a.evaluation_on && a.evaluation_on <= as_of)
        .collect();
    let sheets = u32::try_from(counted.len()).unwrap_or(u32::MAX);
    let mean_assessment = (sheets > 0 && sheets >= rule.min_sheets).then(|| {
        let sum: u64 = counted.iter().map(|a| u64::from(a.percent.min(100))).sum();
        u32::try_from(sum / u64::from(sheets)).unwrap_or(100)
    });
    let base = mean_assessment.unwrap_or(100);
    let score = base.saturating_sub(t.total.saturating_mul(rule.deduction_per_point));
    let latest_input = t
        .counted
        .iter()
        .map(|r| r.occurred_on)
        .chain(counted.iter().map(|a| a.evaluation_on))
        .max();
    CreditScore {
        expert_id: expert_id.to_owned(),
        as_of,
        window_from: t.window_from,
        points: t.total,
        sheets,
        mean_assessment,
        score,
        latest_input,
    }
}

/// The proposal a credit below the baseline's threshold makes, or `None`.
/// Its key changes only when a new input arrives, so a daily review does
/// not propose the same situation again.
pub fn credit_proposal(credit: &CreditScore, baseline: &Baseline) -> Option<SanctionProposal> {
    let rule = &baseline.low_credit;
    if credit.score >= rule.below {
        return None;
    }
    let latest = credit
        .latest_input
        .map_or_else(|| "-".to_owned(), |d| d.to_string());
    let mean = credit
        .mean_assessment
        .map_or_else(|| "-".to_owned(), |m| m.to_string());
    Some(SanctionProposal {
        expert_id: credit.expert_id.clone(),
        as_of: credit.as_of,
        ground: Ground::LowCredit,
        proposed: rule.proposed,
        key: format!("low_credit:{latest}"),
        evidence: vec![
            format!("points={}", credit.points),
            format!("sheets={}", credit.sheets),
            format!("mean_assessment={mean}"),
        ],
        detail_zh: format!(
            "{}至{}信用分{}（考核均分{mean}，记分{}），低于{}分，建议{}",
            credit.window_from,
            credit.as_of,
            credit.score,
            credit.points,
            rule.below,
            rule.proposed.describe_zh()
        ),
        detail_en: format!(
            "credit {} from {} to {} (mean assessment {mean}, {} points) is below {}; proposed: {}",
            credit.score,
            credit.window_from,
            credit.as_of,
            credit.points,
            rule.below,
            rule.proposed.describe_en()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn a(on: NaiveDate, percent: u32) -> AssessedOn {
        AssessedOn {
            evaluation_on: on,
            percent,
        }
    }

    #[test]
    fn score_from_assessments_and_points() {
        let b = Baseline::default();
        let as_of = d(2026, 6, 1);
        let records = [
            ViolationRecord::new(&b, "leave_early", d(2026, 2, 1), "r1").unwrap(),
            ViolationRecord::new(&b, "late_arrival", d(2025, 1, 1), "old").unwrap(),
        ];
        let sheets = [
            a(d(2026, 1, 5), 90),
            a(d(2026, 4, 5), 81),
            a(d(2025, 5, 1), 10),
        ];
        let c = credit_score("E1", &records, &sheets, &b, as_of);
        assert_eq!(c.points, 3);
        assert_eq!(c.sheets, 2);
        assert_eq!(c.mean_assessment, Some(85));
        assert_eq!(c.score, 85 - 9);
        assert_eq!(c.latest_input, Some(d(2026, 4, 5)));
        assert_eq!(credit_proposal(&c, &b), None);

        // Too few sheets to judge: the assessments count as 100.
        let c = credit_score("E1", &records, &sheets[..1], &b, as_of);
        assert_eq!((c.mean_assessment, c.score), (None, 91));
        // No input at all.
        let c = credit_score("E1", &[], &[], &b, as_of);
        assert_eq!((c.score, c.latest_input), (100, None));
    }

    #[test]
    fn low_credit_proposes() {
        let b = Baseline::default();
        let as_of = d(2026, 6, 1);
        let records = [
            ViolationRecord::new(&b, "ignore_evaluation_criteria", d(2026, 2, 1), "r1").unwrap(),
            ViolationRecord::new(&b, "phone_in_room", d(2026, 3, 1), "r2").unwrap(),
        ];
        let sheets = [a(d(2026, 1, 5), 70), a(d(2026, 4, 5), 60)];
        let c = credit_score("E1", &records, &sheets, &b, as_of);
        assert_eq!(c.score, 65 - 27);
        let p = credit_proposal(&c, &b).unwrap();
        assert_eq!(p.ground, Ground::LowCredit);
        assert_eq!(p.key, "low_credit:2026-04-05");
        assert_eq!(
            b.check(std::slice::from_ref(&p.ground), &p.proposed),
            Ok(())
        );
        assert!(p.detail_zh.contains("信用分38"), "{}", p.detail_zh);
        // The same inputs a day later: the same key.
        let later = credit_score("E1", &records, &sheets, &b, d(2026, 6, 2));
        assert_eq!(credit_proposal(&later, &b).unwrap().key, p.key);
        // The boundary: exactly `below` is not low.
        let mut at = c.clone();
        at.score = b.low_credit.below;
        assert_eq!(credit_proposal(&at, &b), None);
        at.score -= 1;
        assert!(credit_proposal(&at, &b).is_some());
    }
}
