//! The status an expert is in, with the data each status needs, and its
//! fieldless kind for database columns and filters.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Term;

/// Serialised with a `status` tag: `{"status":"active","term":{...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Applied, awaiting the admission decision.
    Applicant,
    Rejected {
        reasons: Vec<String>,
    },
    Active {
        term: Term,
    },
    /// 暂停 at the expert's request, `[from, to]`.
    OnLeave {
        term: Term,
        from: NaiveDate,
        to: NaiveDate,
        reason: String,
    },
    /// 暂停 as a measure: not drawn until reinstated, never before `until`.
    Suspended {
        term: Term,
        from: NaiveDate,
        until: Option<NaiveDate>,
        restore: RestoreMode,
        reason: String,
    },
    /// Left the pool without blame; only `Remove` still applies.
    Retired {
        on: NaiveDate,
        reason: RetireReason,
    },
    /// 清除出库: terminal. `ban_until` is the first day a new application may
    /// be admitted; `None` bars the person for good.
    Removed {
        on: NaiveDate,
        reason: String,
        ban_until: Option<NaiveDate>,
    },
}

/// How a suspension may end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RestoreMode {
    /// On `until`, without anyone acting (the periodic review lifts it).
    Automatic,
    /// After the expert applies and the application is approved.
    OnApplication,
    /// After the expert passes a test (e.g. on the rules after a violation).
    AfterTest,
}

impl RestoreMode {
    pub fn as_str(self) -> &'static str {
        match self {
            RestoreMode::Automatic => "automatic",
            RestoreMode::OnApplication => "on_application",
            RestoreMode::AfterTest => "after_test",
        }
    }
}

/// Serialised as `"age_limit"`, `"voluntary"`, `"term_not_renewed"` or
/// `{"other":"..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetireReason {
    AgeLimit,
    Voluntary,
    TermNotRenewed,
    Other(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    Applicant,
    Rejected,
    Active,
    OnLeave,
    Suspended,
    Retired,
    Removed,
}

impl StatusKind {
    pub const ALL: [StatusKind; 7] = [
        StatusKind::Applicant,
        StatusKind::Rejected,
        StatusKind::Active,
        StatusKind::OnLeave,
        StatusKind::Suspended,
        StatusKind::Retired,
        StatusKind::Removed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Applicant => "applicant",
            StatusKind::Rejected => "rejected",
            StatusKind::Active => "active",
            StatusKind::OnLeave => "on_leave",
            StatusKind::Suspended => "suspended",
            StatusKind::Retired => "retired",
            StatusKind::Removed => "removed",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            StatusKind::Applicant => "申请中",
            StatusKind::Rejected => "未通过",
            StatusKind::Active => "在库",
            StatusKind::OnLeave => "请假暂停",
            StatusKind::Suspended => "暂停",
            StatusKind::Retired => "退出",
            StatusKind::Removed => "清除出库",
        }
    }

    /// The inverse of [`StatusKind::as_str`], for reading database columns.
    pub fn parse(s: &str) -> Option<StatusKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for StatusKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Status {
    pub fn kind(&self) -> StatusKind {
        match self {
            Status::Applicant => StatusKind::Applicant,
            Status::Rejected { .. } => StatusKind::Rejected,
            Status::Active { .. } => StatusKind::Active,
            Status::OnLeave { .. } => StatusKind::OnLeave,
            Status::Suspended { .. } => StatusKind::Suspended,
            Status::Retired { .. } => StatusKind::Retired,
            Status::Removed { .. } => StatusKind::Removed,
        }
    }

    /// The current term of an expert in the pool (active, on leave or
    /// suspended).
    pub fn term(&self) -> Option<&Term> {
        match self {
            Status::Active { term }
            | Status::OnLeave { term, .. }
            | Status::Suspended { term, .. } => Some(term),
            _ => None,
        }
    }

    /// Members of the pool: active, on leave or suspended.
    pub fn is_in_pool(&self) -> bool {
        self.term().is_some()
    }

    pub fn is_terminal(&self) -> bool {
        matches!(self, Status::Removed { .. })
    }

    /// Whether the expert may be drawn for an evaluation on `date`: active,
    /// or on a leave that does not cover `date`, within the current term.
    /// A suspension excludes the expert until reinstated, whatever the date.
    pub fn available_on(&self, date: NaiveDate) -> bool {
        match self {
            Status::Active { term } => term.contains(date),
            Status::OnLeave { term, from, to, .. } => {
                term.contains(date) && !(*from <= date && date <= *to)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn kinds_round_trip() {
        for k in StatusKind::ALL {
            assert_eq!(StatusKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), json!(k.as_str()));
        }
        assert_eq!(StatusKind::parse("Active"), None);
    }

    #[test]
    fn serde_shapes() {
        let term = Term::new(1, d(2025, 1, 1), 4).unwrap();
        let cases = [
            (Status::Applicant, json!({"status": "applicant"})),
            (
                Status::Active { term },
                json!({"status": "active", "term": {"number": 1, "start": "2025-01-01", "end": "2029-01-01"}}),
            ),
            (
                Status::Suspended {
                    term,
                    from: d(2025, 6, 1),
                    until: Some(d(2025, 12, 1)),
                    restore: RestoreMode::AfterTest,
                    reason: "评审失职".into(),
                },
                json!({"status": "suspended", "term": {"number": 1, "start": "2025-01-01", "end": "2029-01-01"},
                       "from": "2025-06-01", "until": "2025-12-01", "restore": "after_test", "reason": "评审失职"}),
            ),
            (
                Status::Retired {
                    on: d(2026, 3, 1),
                    reason: RetireReason::AgeLimit,
                },
                json!({"status": "retired", "on": "2026-03-01", "reason": "age_limit"}),
            ),
            (
                Status::Retired {
                    on: d(2026, 3, 1),
                    reason: RetireReason::Other("调离".into()),
                },
                json!({"status": "retired", "on": "2026-03-01", "reason": {"other": "调离"}}),
            ),
            (
                Status::Removed {
                    on: d(2026, 3, 1),
                    reason: "收受财物".into(),
                    ban_until: None,
                },
                json!({"status": "removed", "on": "2026-03-01", "reason": "收受财物", "ban_until": null}),
            ),
        ];
        for (status, expected) in cases {
            assert_eq!(serde_json::to_value(&status).unwrap(), expected);
            assert_eq!(serde_json::from_value::<Status>(expected).unwrap(), status);
            assert_eq!(
                serde_json::to_value(status.kind()).unwrap(),
                serde_json::to_value(&status).unwrap()["status"]
            );
        }
    }

    #[test]
    fn availability() {
        let term = Term::new(1, d(2025, 1, 1), 4).unwrap();
        let leave = Status::OnLeave {
            term,
            from: d(2025, 3, 1),
            to: d(2025, 3, 10),
            reason: "出差".into(),
        };
        assert!(Status::Active { term }.available_on(d(2025, 1, 1)));
        assert!(!Status::Active { term }.available_on(d(2029, 1, 1)));
        assert!(!Status::Active { term }.available_on(d(2024, 12, 31)));
        assert!(leave.available_on(d(2025, 2, 28)));
        assert!(!leave.available_on(d(2025, 3, 1)));
        assert!(!leave.available_on(d(2025, 3, 10)));
        assert!(leave.available_on(d(2025, 3, 11)));
        assert!(!Status::Applicant.available_on(d(2025, 3, 11)));
    }
}
