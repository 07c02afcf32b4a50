//! The case record, its stages and events, and the due-process settings.
//! Every enum has a stable snake_case code for columns and audit entries.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::letter::{DEFAULT_LETTER_TEMPLATE, template_errors};
use crate::discipline::baseline::Ground;
use crate::discipline::sanction::{Measure, Sanction};
use crate::expert::{FieldError, Rule};

/// Due-process settings. Deserialises from a partial TOML or JSON table;
/// missing keys take the defaults, unknown keys are an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DueProcess {
    /// The defence window after a notice is served, in working days.
    pub defence_working_days: u32,
    /// A suspension of at least this many months carries a hearing right.
    pub hearing_min_suspension_months: u32,
    /// Removal carries a hearing right.
    pub hearing_for_removal: bool,
    /// The employer letter (see `letter` for the placeholders).
    pub employer_letter_template: String,
}

impl Default for DueProcess {
    fn default() -> Self {
        Self {
            defence_working_days: 5,
            hearing_min_suspension_months: 6,
            hearing_for_removal: true,
            employer_letter_template: DEFAULT_LETTER_TEMPLATE.to_owned(),
        }
    }
}

impl DueProcess {
    /// Whether a sanction proposing `measure` gives the expert a hearing right.
    pub fn hearing_required(&self, measure: &Measure) -> bool {
        match measure {
            Measure::Warning => false,
            Measure::Suspension { months, .. } => *months >= self.hearing_min_suspension_months,
            Measure::Removal { .. } => self.hearing_for_removal,
        }
    }

    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !(1..=30).contains(&self.defence_working_days) {
            errors.push(FieldError::new(
                "defence_working_days",
                Rule::OutOfRange,
                "陈述申辩期限须为1至30个工作日",
                "defence_working_days must be between 1 and 30",
            ));
        }
        if self.hearing_min_suspension_months == 0 {
            errors.push(FieldError::new(
                "hearing_min_suspension_months",
                Rule::OutOfRange,
                "须听证的暂停月数须至少为1",
                "hearing_min_suspension_months must be at least 1",
            ));
        }
        errors.extend(
            template_errors(&self.employer_letter_template)
                .into_iter()
                .map(|e| e.nested_in("employer_letter_template")),
        );
        errors
    }
}

/// Where a case came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CaseOrigin {
    /// A regulator opened it (on a complaint, an inspection, a report).
    Regulator { officer_id: String },
    /// From a sanction proposal, by its key (`SanctionProposal::key`).
    Proposal { key: String },
}

/// What opening a case needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenCase {
    pub case_no: String,
    pub expert_id: String,
    /// 国家工作人员: the employer must be told of a sanction.
    pub civil_servant: bool,
    pub origin: CaseOrigin,
    pub grounds: Vec<Ground>,
    pub opened_on: NaiveDate,
    pub summary: String,
}

impl OpenCase {
    /// A case opened from a sanction proposal on its ground, citing the
    /// proposal's key as its origin.
    pub fn from_proposal(
        proposal: &crate::discipline::points::SanctionProposal,
        case_no: impl Into<String>,
        civil_servant: bool,
        opened_on: NaiveDate,
    ) -> Self {
        Self {
            case_no: case_no.into(),
            expert_id: proposal.expert_id.clone(),
            civil_servant,
            origin: CaseOrigin::Proposal {
                key: proposal.key.clone(),
            },
            grounds: vec![proposal.ground.clone()],
            opened_on,
            summary: proposal.detail_zh.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Opened,
    /// Notice served; the defence window and any hearing run here.
    NoticeServed,
    Decided,
    Effective,
    Published,
    Closed,
    /// Dropped before a decision.
    Withdrawn,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Opened,
        Stage::NoticeServed,
        Stage::Decided,
        Stage::Effective,
        Stage::Published,
        Stage::Closed,
        Stage::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Opened => "opened",
            Stage::NoticeServed => "notice_served",
            Stage::Decided => "decided",
            Stage::Effective => "effective",
            Stage::Published => "published",
            Stage::Closed => "closed",
            Stage::Withdrawn => "withdrawn",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Stage::Opened => "已立案",
            Stage::NoticeServed => "已告知",
            Stage::Decided => "已决定",
            Stage::Effective => "已生效",
            Stage::Published => "已公示",
            Stage::Closed => "已结案",
            Stage::Withdrawn => "已撤销立案",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A written statement or defence (陈述、申辩) received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub received_on: NaiveDate,
    /// The document (file-store key, registered mail number).
    pub reference: String,
    pub summary: String,
}

/// A right given up, with the signed document that says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub on: NaiveDate,
    pub reference: String,
}

/// Where and when the decision was made public (公示).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publication {
    pub on: NaiveDate,
    pub reference: String,
}

/// How the employer letter reached the employer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterDelivery {
    pub on: NaiveDate,
    /// `post`, `hand`, `official_system`: free text, recorded as given.
    pub channel: String,
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withdrawal {
    pub on: NaiveDate,
    pub reason: String,
}

/// The hearing (听证) right of a notice. Serialised with a `status` tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case", deny_unknown_fields)]
pub enum Hearing {
    /// The proposed sanction carries no hearing right.
    NotRequired,
    /// The right was offered in the notice; not exercised (yet).
    Offered,
    Requested {
        on: NaiveDate,
    },
    Held {
        requested_on: NaiveDate,
        on: NaiveDate,
        record: String,
    },
    Waived {
        on: NaiveDate,
        reference: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HearingKind {
    NotRequired,
    Offered,
    Requested,
    Held,
    Waived,
}

impl HearingKind {
    pub const ALL: [HearingKind; 5] = [
        HearingKind::NotRequired,
        HearingKind::Offered,
        HearingKind::Requested,
        HearingKind::Held,
        HearingKind::Waived,
    ];

    pub fn parse(s: &str) -> Option<HearingKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HearingKind::NotRequired => "not_required",
            HearingKind::Offered => "offered",
            HearingKind::Requested => "requested",
            HearingKind::Held => "held",
            HearingKind::Waived => "waived",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            HearingKind::NotRequired => "无须听证",
            HearingKind::Offered => "已告知听证权利",
            HearingKind::Requested => "已申请听证",
            HearingKind::Held => "已举行听证",
            HearingKind::Waived => "已放弃听证",
        }
    }
}

impl Hearing {
    pub fn kind(&self) -> HearingKind {
        match self {
            Hearing::NotRequired => HearingKind::NotRequired,
            Hearing::Offered => HearingKind::Offered,
            Hearing::Requested { .. } => HearingKind::Requested,
            Hearing::Held { .. } => HearingKind::Held,
            Hearing::Waived { .. } => HearingKind::Waived,
        }
    }
}

/// The notice of the proposed sanction (行政处罚事先告知) and what
/// followed it: statements, a waiver, the hearing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub served_on: NaiveDate,
    pub facts: String,
    /// References to the evidence (documents, recordings, sheets).
    pub evidence: Vec<String>,
    pub legal_basis: Vec<String>,
    pub proposed: Sanction,
    /// The last day of the defence window (inclusive).
    pub window_ends: NaiveDate,
    pub statements: Vec<Statement>,
    pub defence_waived: Option<Waiver>,
    pub hearing: Hearing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    Sanction {
        sanction: Sanction,
    },
    /// 不予处罚: closes the case.
    NoSanction,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseDecision {
    pub decided_on: NaiveDate,
    pub outcome: Outcome,
    /// The grounds the decision finds proven: some or all of the case's.
    pub found: Vec<Ground>,
    pub reasons: String,
    /// From this day the sanction applies (the draw filter honours it).
    pub effective_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    /// 行政复议.
    Reconsideration,
    /// 行政诉讼.
    Appeal,
}

impl ReviewKind {
    pub const ALL: [ReviewKind; 2] = [ReviewKind::Reconsideration, ReviewKind::Appeal];

    pub fn parse(s: &str) -> Option<ReviewKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::Reconsideration => "reconsideration",
            ReviewKind::Appeal => "appeal",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ReviewKind::Reconsideration => "行政复议",
            ReviewKind::Appeal => "行政诉讼",
        }
    }
}

/// What a review body decided. Serialised with a `kind` tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReviewOutcome {
    /// 维持.
    Upheld,
    /// 变更: the sanction that now stands.
    Varied { sanction: Sanction },
    /// 撤销.
    Revoked,
}

impl ReviewOutcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            ReviewOutcome::Upheld => "upheld",
            ReviewOutcome::Varied { .. } => "varied",
            ReviewOutcome::Revoked => "revoked",
        }
    }
}

/// A reconsideration or appeal against the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub kind: ReviewKind,
    /// Unique within the case (the review body's file number).
    pub reference: String,
    pub filed_on: NaiveDate,
    /// The review body (复议机关 or court).
    pub body: String,
    pub outcome: Option<ReviewOutcome>,
    pub resolved_on: Option<NaiveDate>,
}

/// One step of a case. Serialised with an `event` tag:
/// `{"event":"serve_notice","served_on":"2026-03-02",...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum CaseEvent {
    /// Serve the notice; served again from `notice_served`, it amends the
    /// notice (kept in `superseded_notices`) and restarts the window.
    ServeNotice {
        served_on: NaiveDate,
        facts: String,
        evidence: Vec<String>,
        legal_basis: Vec<String>,
        proposed: Sanction,
    },
    ReceiveStatement {
        received_on: NaiveDate,
        reference: String,
        summary: String,
    },
    /// The expert gives up the defence window (a decision may come sooner).
    WaiveDefence {
        on: NaiveDate,
        reference: String,
    },
    RequestHearing {
        on: NaiveDate,
    },
    HoldHearing {
        on: NaiveDate,
        record: String,
    },
    WaiveHearing {
        on: NaiveDate,
        reference: String,
    },
    Decide {
        decided_on: NaiveDate,
        outcome: Outcome,
        found: Vec<Ground>,
        reasons: String,
        effective_on: NaiveDate,
    },
    /// The sanction starts to apply: the lifecycle change happens with it.
    TakeEffect {
        on: NaiveDate,
    },
    PublishNotice {
        on: NaiveDate,
        reference: String,
    },
    /// The employer letter of a civil-servant expert was delivered.
    DeliverEmployerLetter {
        on: NaiveDate,
        channel: String,
        reference: String,
    },
    Close {
        on: NaiveDate,
    },
    Withdraw {
        on: NaiveDate,
        reason: String,
    },
    FileReview {
        kind: ReviewKind,
        reference: String,
        filed_on: NaiveDate,
        body: String,
    },
    ResolveReview {
        reference: String,
        on: NaiveDate,
        outcome: ReviewOutcome,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    ServeNotice,
    ReceiveStatement,
    WaiveDefence,
    RequestHearing,
    HoldHearing,
    WaiveHearing,
    Decide,
    TakeEffect,
    PublishNotice,
    DeliverEmployerLetter,
    Close,
    Withdraw,
    FileReview,
    ResolveReview,
}

impl EventKind {
    pub const ALL: [EventKind; 14] = [
        EventKind::ServeNotice,
        EventKind::ReceiveStatement,
        EventKind::WaiveDefence,
        EventKind::RequestHearing,
        EventKind::HoldHearing,
        EventKind::WaiveHearing,
        EventKind::Decide,
        EventKind::TakeEffect,
        EventKind::PublishNotice,
        EventKind::DeliverEmployerLetter,
        EventKind::Close,
        EventKind::Withdraw,
        EventKind::FileReview,
        EventKind::ResolveReview,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ServeNotice => "serve_notice",
            EventKind::ReceiveStatement => "receive_statement",
            EventKind::WaiveDefence => "waive_defence",
            EventKind::RequestHearing => "request_hearing",
            EventKind::HoldHearing => "hold_hearing",
            EventKind::WaiveHearing => "waive_hearing",
            EventKind::Decide => "decide",
            EventKind::TakeEffect => "take_effect",
            EventKind::PublishNotice => "publish_notice",
            EventKind::DeliverEmployerLetter => "deliver_employer_letter",
            EventKind::Close => "close",
            EventKind::Withdraw => "withdraw",
            EventKind::FileReview => "file_review",
            EventKind::ResolveReview => "resolve_review",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            EventKind::ServeNotice => "送达告知书",
            EventKind::ReceiveStatement => "收到陈述申辩",
            EventKind::WaiveDefence => "放弃陈述申辩",
            EventKind::RequestHearing => "申请听证",
            EventKind::HoldHearing => "举行听证",
            EventKind::WaiveHearing => "放弃听证",
            EventKind::Decide => "作出决定",
            EventKind::TakeEffect => "决定生效",
            EventKind::PublishNotice => "公示",
            EventKind::DeliverEmployerLetter => "送达单位通报函",
            EventKind::Close => "结案",
            EventKind::Withdraw => "撤销立案",
            EventKind::FileReview => "申请复议或起诉",
            EventKind::ResolveReview => "复议或诉讼结果",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl CaseEvent {
    pub fn kind(&self) -> EventKind {
        match self {
            CaseEvent::ServeNotice { .. } => EventKind::ServeNotice,
            CaseEvent::ReceiveStatement { .. } => EventKind::ReceiveStatement,
            CaseEvent::WaiveDefence { .. } => EventKind::WaiveDefence,
            CaseEvent::RequestHearing { .. } => EventKind::RequestHearing,
            CaseEvent::HoldHearing { .. } => EventKind::HoldHearing,
            CaseEvent::WaiveHearing { .. } => EventKind::WaiveHearing,
            CaseEvent::Decide { .. } => EventKind::Decide,
            CaseEvent::TakeEffect { .. } => EventKind::TakeEffect,
            CaseEvent::PublishNotice { .. } => EventKind::PublishNotice,
            CaseEvent::DeliverEmployerLetter { .. } => EventKind::DeliverEmployerLetter,
            CaseEvent::Close { .. } => EventKind::Close,
            CaseEvent::Withdraw { .. } => EventKind::Withdraw,
            CaseEvent::FileReview { .. } => EventKind::FileReview,
            CaseEvent::ResolveReview { .. } => EventKind::ResolveReview,
        }
    }
}

/// The whole case as stored (one JSON document, or columns per field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub case_no: String,
    pub expert_id: String,
    pub civil_servant: bool,
    pub origin: CaseOrigin,
    pub grounds: Vec<Ground>,
    pub opened_on: NaiveDate,
    pub summary: String,
    pub stage: Stage,
    pub notice: Option<Notice>,
    /// Earlier notices an amended one replaced, oldest first.
    pub superseded_notices: Vec<Notice>,
    pub decision: Option<CaseDecision>,
    pub took_effect_on: Option<NaiveDate>,
    /// The public notice (公示).
    pub published: Option<Publication>,
    /// Delivery of the employer letter.
    pub employer_letter: Option<LetterDelivery>,
    pub closed_on: Option<NaiveDate>,
    pub withdrawn: Option<Withdrawal>,
    pub reviews: Vec<Review>,
}

impl Case {
    /// The sanction as it stands after every resolved review, in the order
    /// they were resolved: a revocation removes it, a variation replaces it.
    /// `None` before a decision, for no sanction, or once revoked.
    pub fn standing_sanction(&self) -> Option<Sanction> {
        let decided = match &self.decision.as_ref()?.outcome {
            Outcome::Sanction { sanction } => *sanction,
            Outcome::NoSanction => return None,
        };
        let mut resolved: Vec<&Review> = self
            .reviews
            .iter()
            .filter(|r| r.outcome.is_some())
            .collect();
        resolved.sort_by_key(|r| r.resolved_on);
        let mut standing = Some(decided);
        for r in resolved {
            match &r.outcome {
                Some(ReviewOutcome::Varied { sanction }) => standing = Some(*sanction),
                Some(ReviewOutcome::Revoked) => standing = None,
                Some(ReviewOutcome::Upheld) | None => {}
            }
        }
        standing
    }

    /// The sanction decided, before any review.
    pub fn decided_sanction(&self) -> Option<Sanction> {
        match &self.decision.as_ref()?.outcome {
            Outcome::Sanction { sanction } => Some(*sanction),
            Outcome::NoSanction => None,
        }
    }
}
