//! All of discipline's settings in one table, loadable from one TOML file
//! beside the admission policy; every section and key has a default.

use serde::{Deserialize, Serialize};

use super::assessment::AssessmentConfig;
use super::baseline::Baseline;
use super::calendar::WorkCalendar;
use super::case::DueProcess;
use super::signals::{DeviationPolicy, PairPolicy, RaterPolicy};
use crate::expert::{FieldError, Rule};

/// `[assessment]`, `[baseline]` (with `[[baseline.violations]]`),
/// `[due_process]`, `[calendar]` and `[signals.*]`. Unknown keys are an
/// error at every level.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DisciplinePolicy {
    pub assessment: AssessmentConfig,
    pub baseline: Baseline,
    pub due_process: DueProcess,
    pub calendar: WorkCalendar,
    pub signals: SignalPolicy,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignalPolicy {
    pub deviation: DeviationPolicy,
    pub raters: RaterPolicy,
    pub pairs: PairPolicy,
}

impl DisciplinePolicy {
    /// Every problem, with paths from the top (`baseline/violations/2/code`).
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut nest = |prefix: &str, list: Vec<FieldError>| {
            errors.extend(list.into_iter().map(|e| e.nested_in(prefix)));
        };
        nest("assessment", self.assessment.validate());
        nest("baseline", self.baseline.validate());
        nest("due_process", self.due_process.validate());
        nest("calendar", self.calendar.validate());
        nest("signals", self.signals.validate());
        errors
    }
}

impl SignalPolicy {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut check = |field: &str, ok: bool, zh: &str, en: &str| {
            if !ok {
                errors.push(FieldError::new(field, Rule::OutOfRange, zh, en));
            }
        };
        let finite_non_negative = |x: f64| x.is_finite() && x >= 0.0;
        check(
            "deviation/mean_abs_deviation_at_least",
            finite_non_negative(self.deviation.mean_abs_deviation_at_least),
            "须为非负有限数",
            "must be a finite number, at least 0",
        );
        check(
            "raters/mean_deviation_at_least",
            finite_non_negative(self.raters.mean_deviation_at_least),
            "须为非负有限数",
            "must be a finite number, at least 0",
        );
        check(
            "pairs/min_ratio",
            finite_non_negative(self.pairs.min_ratio),
            "须为非负有限数",
            "must be a finite number, at least 0",
        );
        check(
            "pairs/max_p_value",
            (0.0..=1.0).contains(&self.pairs.max_p_value),
            "须在0至1之间",
            "must be between 0 and 1",
        );
        check(
            "pairs/min_together",
            self.pairs.min_together >= 2,
            "须至少为2",
            "must be at least 2",
        );
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let p = DisciplinePolicy::default();
        assert!(p.validate().is_empty(), "{:?}", p.validate());
        let text = toml::to_string(&p).unwrap();
        assert_eq!(toml::from_str::<DisciplinePolicy>(&text).unwrap(), p);
        assert_eq!(toml::from_str::<DisciplinePolicy>("").unwrap(), p);
    }

    #[test]
    fn a_partial_file() {
        let p: DisciplinePolicy = toml::from_str(
            r#"
[assessment]
deadline_working_days = 5

[due_process]
defence_working_days = 7

[calendar]
holidays = ["2027-01-01"]

[signals.pairs]
min_together = 4
"#,
        )
        .unwrap();
        assert_eq!(p.assessment.deadline_working_days, 5);
        assert_eq!(p.due_process.defence_working_days, 7);
        assert_eq!(p.calendar.holidays.len(), 1);
        assert_eq!(p.signals.pairs.min_together, 4);
        assert_eq!(p.baseline, Baseline::default());
        assert!(p.validate().is_empty());
        let err =
            toml::from_str::<DisciplinePolicy>("[due_process]\ndefence_days = 5\n").unwrap_err();
        assert!(err.to_string().contains("defence_days"), "{err}");
    }

    #[test]
    fn errors_carry_their_section() {
        let mut p = DisciplinePolicy::default();
        p.assessment.deadline_working_days = 0;
        p.baseline.violations[0].points = 1000;
        p.due_process.defence_working_days = 0;
        p.calendar
            .adjusted_workdays
            .insert(chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
        p.signals.pairs.max_p_value = 2.0;
        p.signals.pairs.min_together = 1;
        p.signals.deviation.mean_abs_deviation_at_least = f64::NAN;
        p.signals.raters.mean_deviation_at_least = -1.0;
        p.signals.pairs.min_ratio = f64::INFINITY;
        let fields: Vec<String> = p.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "assessment/deadline_working_days",
                "baseline/violations/0/points",
                "due_process/defence_working_days",
                "calendar/adjusted_workdays",
                "signals/deviation/mean_abs_deviation_at_least",
                "signals/raters/mean_deviation_at_least",
                "signals/pairs/min_ratio",
                "signals/pairs/max_p_value",
                "signals/pairs/min_together",
            ]
        );
    }
}
