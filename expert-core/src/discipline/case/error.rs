//! Why a case cannot be opened or moved by an event. Every illegal step is
//! an error; none is silently ignored.

use chrono::NaiveDate;

use super::types::{EventKind, HearingKind, Stage};
use crate::discipline::baseline::BaselineError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error(
        "案件处于“{}”阶段，不能“{}” / {event} is not allowed in stage {stage}",
        stage.name_zh(),
        event.name_zh()
    )]
    NotAllowed { stage: Stage, event: EventKind },
    #[error("“{field}”不能为空 / {field} must not be blank")]
    Blank { field: &'static str },
    #[error("须至少提供一项证据 / the notice needs at least one evidence reference")]
    NoEvidence,
    #[error("须至少列明一项法律依据 / the notice needs at least one legal basis")]
    NoLegalBasis,
    #[error("“{field}”日期{on}晚于今天{today} / {field} {on} is after today {today}")]
    FutureDate {
        field: &'static str,
        on: NaiveDate,
        today: NaiveDate,
    },
    #[error("“{field}”日期{on}早于{earliest} / {field} {on} is before {earliest}")]
    TooEarly {
        field: &'static str,
        on: NaiveDate,
        earliest: NaiveDate,
    },
    #[error("{0}")]
    Baseline(#[from] BaselineError),
    #[error(
        "决定“{decided}”重于告知的“{notified}”，须重新告知 / the decision {decided} is heavier than the notified {notified}; serve a new notice"
    )]
    ExceedsNotice { decided: String, notified: String },
    #[error("认定的依据{rule}未在立案时列明 / ground {rule} was not among the case's grounds")]
    GroundNotInCase { rule: String },
    #[error(
        "陈述申辩期限至{ends}，届满前不能作出决定（当事人放弃的除外） / the defence window runs until {ends}; no decision before it ends unless the expert waived it"
    )]
    DefenceWindowOpen { ends: NaiveDate },
    #[error("陈述申辩期限已于{ends}届满 / the defence window ended on {ends}")]
    WindowClosed { ends: NaiveDate },
    #[error("当事人已放弃陈述申辩 / the expert has waived the defence")]
    DefenceWaived,
    #[error(
        "听证状态为“{}”，不能执行该操作 / not possible while the hearing is {}",
        status.name_zh(),
        status.as_str()
    )]
    Hearing { status: HearingKind },
    #[error(
        "当事人已申请听证，须举行听证或当事人放弃后方可决定 / a hearing was requested; hold it or record its waiver before deciding"
    )]
    HearingPending,
    #[error(
        "该当事人不属国家工作人员，无须通报所在单位 / the expert is not a civil servant; no employer letter"
    )]
    NotCivilServant,
    #[error("单位通报函已送达 / the employer letter was already delivered")]
    LetterAlreadyDelivered,
    #[error(
        "国家工作人员的处理须通报所在单位后方可结案 / a civil servant's case closes only after the employer letter is delivered"
    )]
    EmployerLetterMissing,
    #[error("决定自{effective_on}起生效 / the decision takes effect on {effective_on}")]
    NotEffectiveYet { effective_on: NaiveDate },
    #[error("没有可复议或起诉的处理决定 / there is no sanction to review")]
    NothingToReview,
    #[error("复议或诉讼“{reference}”已登记 / review {reference} is already recorded")]
    DuplicateReview { reference: String },
    #[error("没有复议或诉讼“{reference}” / no review {reference}")]
    UnknownReview { reference: String },
    #[error("复议或诉讼“{reference}”已有结果 / review {reference} already has an outcome")]
    ReviewResolved { reference: String },
    #[error("工作日历在十年内没有工作日 / the work calendar has no working day within ten years")]
    CalendarExhausted,
}

impl CaseError {
    /// A stable snake_case code for problem responses and tests; a baseline
    /// error gives its own code.
    pub fn code(&self) -> &'static str {
        match self {
            CaseError::NotAllowed { .. } => "not_allowed",
            CaseError::Blank { .. } => "blank",
            CaseError::NoEvidence => "no_evidence",
            CaseError::NoLegalBasis => "no_legal_basis",
            CaseError::FutureDate { .. } => "future_date",
            CaseError::TooEarly { .. } => "too_early",
            CaseError::Baseline(e) => e.code(),
            CaseError::ExceedsNotice { .. } => "exceeds_notice",
            CaseError::GroundNotInCase { .. } => "ground_not_in_case",
            CaseError::DefenceWindowOpen { .. } => "defence_window_open",
            CaseError::WindowClosed { .. } => "window_closed",
            CaseError::DefenceWaived => "defence_waived",
            CaseError::Hearing { .. } => "hearing_state",
            CaseError::HearingPending => "hearing_pending",
            CaseError::NotCivilServant => "not_civil_servant",
            CaseError::LetterAlreadyDelivered => "letter_already_delivered",
            CaseError::EmployerLetterMissing => "employer_letter_missing",
            CaseError::NotEffectiveYet { .. } => "not_effective_yet",
            CaseError::NothingToReview => "nothing_to_review",
            CaseError::DuplicateReview { .. } => "duplicate_review",
            CaseError::UnknownReview { .. } => "unknown_review",
            CaseError::ReviewResolved { .. } => "review_resolved",
            CaseError::CalendarExhausted => "calendar_exhausted",
        }
    }

    /// The request field an error is about, where there is one, for the
    /// `errors` entry of a problem response.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CaseError::Blank { field }
            | CaseError::FutureDate { field, .. }
            | CaseError::TooEarly { field, .. } => Some(field),
            CaseError::NoEvidence => Some("evidence"),
            CaseError::NoLegalBasis => Some("legal_basis"),
            CaseError::Baseline(_) | CaseError::ExceedsNotice { .. } => Some("outcome"),
            CaseError::GroundNotInCase { .. } => Some("found"),
            _ => None,
        }
    }
}
