//! The officer's admission decision, turned into the lifecycle command that
//! records it, so a decision and the status it produces cannot disagree.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{AdmissionPolicy, Application, RuleViolation};
use crate::lifecycle::{Command, Term};

/// Serialised with a `decision` tag: `{"decision":"approve","term":{...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Approve { term: Term },
    Reject { reasons: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionError {
    #[error("聘期序号须从1开始 / term_number starts at 1")]
    InvalidTermNumber,
    #[error("无法从{start}起计算{years}年聘期 / cannot compute a {years}-year term from {start}")]
    TermOutOfRange { start: NaiveDate, years: u32 },
    #[error("不予准入须至少有一条非空理由 / a rejection needs at least one non-blank reason")]
    NoReasons,
}

impl Decision {
    /// Approves `app` for its term number, starting `today` and lasting
    /// `policy.term_years`. Does not re-run the admission check: that is the
    /// caller's gate, and an officer decides after it.
    pub fn approve(
        app: &Application,
        today: NaiveDate,
        policy: &AdmissionPolicy,
    ) -> Result<Decision, DecisionError> {
        if app.term_number == 0 {
            return Err(DecisionError::InvalidTermNumber);
        }
        let term = Term::new(app.term_number, today, policy.term_years).ok_or(
            DecisionError::TermOutOfRange {
                start: today,
                years: policy.term_years,
            },
        )?;
        Ok(Decision::Approve { term })
    }

    /// Rejects with `reasons`, each non-blank, at least one.
    pub fn reject(reasons: Vec<String>) -> Result<Decision, DecisionError> {
        if reasons.is_empty() || reasons.iter().any(|r| r.trim().is_empty()) {
            return Err(DecisionError::NoReasons);
        }
        Ok(Decision::Reject { reasons })
    }

    /// Rejects for the failed rules of an admission check, one bilingual
    /// reason per violation.
    pub fn reject_for(violations: &[RuleViolation]) -> Result<Decision, DecisionError> {
        Self::reject(
            violations
                .iter()
                .map(|v| format!("{} / {}", v.message_zh, v.message_en))
                .collect(),
        )
    }

    /// The lifecycle command that records this decision on an applicant.
    pub fn command(&self) -> Command {
        match self {
            Decision::Approve { term } => Command::Approve { term: *term },
            Decision::Reject { reasons } => Command::Reject {
                reasons: reasons.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expert::test_support::profile;
    use crate::lifecycle::{Status, StatusKind, transition};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn app(term_number: u32) -> Application {
        Application {
            profile: profile(),
            documents: Default::default(),
            term_number,
        }
    }

    #[test]
    fn approval_starts_a_term_and_records_it() {
        let policy = AdmissionPolicy::default();
        let decision = Decision::approve(&app(2), d(2024, 2, 29), &policy).unwrap();
        let term = Term {
            number: 2,
            start: d(2024, 2, 29),
            end: d(2028, 2, 29),
        };
        assert_eq!(decision, Decision::Approve { term });
        let status = transition(&Status::Applicant, &decision.command(), d(2024, 2, 29)).unwrap();
        assert_eq!(status, Status::Active { term });
        assert_eq!(
            serde_json::to_value(&decision).unwrap(),
            serde_json::json!({"decision": "approve", "term": {"number": 2, "start": "2024-02-29", "end": "2028-02-29"}})
        );
    }

    #[test]
    fn approval_errors() {
        let policy = AdmissionPolicy::default();
        assert_eq!(
            Decision::approve(&app(0), d(2025, 1, 1), &policy),
            Err(DecisionError::InvalidTermNumber)
        );
        let zero_years = AdmissionPolicy {
            term_years: 0,
            ..policy
        };
        assert_eq!(
            Decision::approve(&app(1), d(2025, 1, 1), &zero_years),
            Err(DecisionError::TermOutOfRange {
                start: d(2025, 1, 1),
                years: 0
            })
        );
    }

    #[test]
    fn rejection_needs_reasons() {
        assert_eq!(Decision::reject(vec![]), Err(DecisionError::NoReasons));
        assert_eq!(
            Decision::reject(vec![" ".into()]),
            Err(DecisionError::NoReasons)
        );
        assert_eq!(Decision::reject_for(&[]), Err(DecisionError::NoReasons));
        let violation = RuleViolation::new(
            "profile/title",
            crate::expert::Rule::TitleTooLow,
            "职称不符",
            "title too low",
        );
        let decision = Decision::reject_for(&[violation]).unwrap();
        assert_eq!(
            decision,
            Decision::Reject {
                reasons: vec!["职称不符 / title too low".into()]
            }
        );
        let status = transition(&Status::Applicant, &decision.command(), d(2025, 1, 1)).unwrap();
        assert_eq!(status.kind(), StatusKind::Rejected);
    }
}
