//! Discipline over HTTP, the regulator's chain (issue 5): violations
//! recorded on site, points and proposals, sanction cases with due process
//! (one POST per step), the employer letter, and the public list of
//! decided and published penalties.
//!
//! Who may do what: supervisors (on site) and regulators record
//! violations; regulators open and move cases; supervisors read them;
//! admins do everything. A caller bound to a region reaches the experts of
//! that region only (anything else is "not found"). Every step is one
//! audit transaction: a refused step writes nothing.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use expert_core::discipline::{
    Case, CaseError, CaseEvent, DisciplinePolicy, Ground, Sanction, SanctionProposal,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::cursor;
use super::extract::{Body, Query, parse_json};
use super::problem::{ApiError, FieldProblem, Problem};
use super::ratelimit::PublicRead;
use crate::auth::{Caller, Role};
use crate::draws::filter::china_date;
use crate::store::cases::{self, CaseFailure, CaseRow, LetterRow, Opening};
use crate::store::violations::{self, NewViolation, ProposalRow, ViolationRow};
use crate::store::{audit, experts, from_db_time};

// One line per route: the route table test reads them from the source.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/experts/{id}/violations", web::post().to(record_violation))
        .route("/experts/{id}/violations", web::get().to(expert_violations))
        .route("/experts/{id}/cases", web::post().to(open_case))
        .route("/proposals", web::get().to(proposals))
        .route("/cases", web::get().to(list_cases))
        .route("/cases/{id}", web::get().to(get_case))
        .route("/cases/{id}/notice", web::post().to(serve_notice))
        .route("/cases/{id}/statements", web::post().to(receive_statement))
        .route("/cases/{id}/defence-waiver", web::post().to(waive_defence))
        .route("/cases/{id}/hearing-request", web::post().to(request_hearing))
        .route("/cases/{id}/hearing", web::post().to(hold_hearing))
        .route("/cases/{id}/hearing-waiver", web::post().to(waive_hearing))
        .route("/cases/{id}/decision", web::post().to(decide))
        .route("/cases/{id}/effect", web::post().to(take_effect))
        .route("/cases/{id}/publication", web::post().to(publish_notice))
        .route("/cases/{id}/employer-letter", web::post().to(generate_letter))
        .route("/cases/{id}/employer-letter/delivery", web::post().to(deliver_letter))
        .route("/cases/{id}/reviews", web::post().to(file_review))
        .route("/cases/{id}/review-outcome", web::post().to(resolve_review))
        .route("/cases/{id}/close", web::post().to(close))
        .route("/cases/{id}/withdrawal", web::post().to(withdraw))
        .route("/public/penalties", web::get().to(penalties));
}

const RECORD: &[Role] = &[Role::Admin, Role::Supervisor, Role::Regulator];
const READ: &[Role] = &[Role::Admin, Role::Supervisor, Role::Regulator];
const DISCIPLINE: &[Role] = &[Role::Admin, Role::Regulator];

fn require(caller: &Caller, roles: &[Role], action: &str) -> Result<(), ApiError> {
    if caller.is(roles) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "role {} may not {action}",
            caller.role
        )))
    }
}

/// Case dates are calendar days in China.
fn today(state: &AppState) -> NaiveDate {
    china_date(state.now())
}

fn split(text: &str) -> (String, String) {
    match text.split_once(" / ") {
        Some((zh, en)) => (zh.to_owned(), en.to_owned()),
        None => (text.to_owned(), text.to_owned()),
    }
}

/// A domain refusal as a problem: a step the case's state forbids (wrong
/// stage, the defence window still open, a hearing pending, a letter
/// missing) is 409 with the rule; input that breaks a rule (a date, a blank
/// text, a decision outside the baseline) is 422 naming the field.
impl From<CaseFailure> for ApiError {
    fn from(e: CaseFailure) -> Self {
        match e {
            CaseFailure::Store(e) => ApiError::from(e),
            CaseFailure::Case(e) => case_problem(&e),
            CaseFailure::Letter(e) => {
                use expert_core::discipline::case::LetterError as L;
                match e {
                    L::NotCivilServant | L::NoSanction => {
                        ApiError::conflict(e.code(), e.to_string())
                    }
                    other => ApiError::internal(&other),
                }
            }
        }
    }
}

fn case_problem(e: &CaseError) -> ApiError {
    use CaseError as E;
    let conflict_field = match e {
        E::DefenceWindowOpen { .. } | E::HearingPending => Some("decided_on"),
        E::NotEffectiveYet { .. } => Some("on"),
        _ => None,
    };
    match e {
        E::NotAllowed { .. }
        | E::DefenceWindowOpen { .. }
        | E::WindowClosed { .. }
        | E::DefenceWaived
        | E::Hearing { .. }
        | E::HearingPending
        | E::NotCivilServant
        | E::LetterAlreadyDelivered
        | E::EmployerLetterMissing
        | E::NotEffectiveYet { .. }
        | E::NothingToReview
        | E::DuplicateReview { .. }
        | E::ReviewResolved { .. }
        | E::CalendarExhausted => {
            let p = ApiError::conflict(e.code(), e.to_string());
            match conflict_field {
                Some(f) => p.with_field(f),
                None => p,
            }
        }
        _ => {
            let (message, message_en) = split(&e.to_string());
            let field = match e {
                E::UnknownReview { .. } => "reference",
                _ => e.field().unwrap_or("body"),
            };
            ApiError::validation(vec![FieldProblem {
                field: field.to_owned(),
                rule: e.code().to_owned(),
                message,
                message_en,
            }])
        }
    }
}

/// The expert, if the caller reaches their region; else "not found".
fn expert_in_reach(
    conn: &mut crate::db::DbConn,
    caller: &Caller,
    id: &str,
) -> Result<experts::ExpertRecord, ApiError> {
    let record = experts::get(conn, id)?;
    if !caller.reaches(&record.profile.region) {
        return Err(ApiError::not_found("expert", id));
    }
    Ok(record)
}

/// The case, if the caller reaches its expert's region; else "not found".
fn case_in_reach(
    conn: &mut crate::db::DbConn,
    caller: &Caller,
    case_no: &str,
) -> Result<(CaseRow, experts::ExpertRecord), ApiError> {
    let row = cases::get(conn, case_no)?;
    let record = experts::get(conn, &row.expert_id)?;
    if !caller.reaches(&record.profile.region) {
        return Err(ApiError::not_found("case", case_no));
    }
    Ok((row, record))
}

// --- violations -------------------------------------------------------------

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViolationInput {
    /// A violation code of the baseline (`late_arrival`, `phone_in_room`, …).
    pub code: String,
    /// The day it happened (China date, not in the future).
    pub occurred_on: NaiveDate,
    /// The draw (evaluation) it happened at, if any.
    #[serde(default)]
    pub draw_id: Option<String>,
    /// References to the evidence (documents, recordings); at least one.
    pub evidence: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ViolationView {
    pub id: String,
    pub expert_id: String,
    pub code: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    /// Copied from the baseline when recorded.
    pub points: i32,
    pub occurred_on: NaiveDate,
    pub draw_id: Option<String>,
    pub evidence: Vec<String>,
    /// Already the basis of a decided threshold case.
    pub settled: bool,
    pub recorded_at: DateTime<Utc>,
}

fn violation_view(
    row: &ViolationRow,
    policy: &DisciplinePolicy,
) -> Result<ViolationView, ApiError> {
    let rule = policy.baseline.violation(&row.code);
    Ok(ViolationView {
        id: row.id.clone(),
        expert_id: row.expert_id.clone(),
        code: row.code.clone(),
        name_zh: rule.map(|r| r.name_zh.clone()),
        name_en: rule.map(|r| r.name_en.clone()),
        points: row.points,
        occurred_on: row.occurred_on,
        draw_id: row.draw_id.clone(),
        evidence: row.evidence()?,
        settled: row.settled,
        recorded_at: from_db_time(row.recorded_at),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalView {
    pub key: String,
    pub expert_id: String,
    pub as_of: NaiveDate,
    #[schema(value_type = Object)]
    pub ground: Ground,
    #[schema(value_type = Object)]
    pub proposed: Sanction,
    /// The violation ids behind it.
    pub evidence: Vec<String>,
    pub detail_zh: String,
    pub detail_en: String,
    /// The case opened from it, if any.
    pub case_no: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn proposal_view(row: &ProposalRow) -> Result<ProposalView, ApiError> {
    let p: SanctionProposal = row.proposal()?;
    Ok(ProposalView {
        key: row.key.clone(),
        expert_id: row.expert_id.clone(),
        as_of: row.as_of,
        ground: p.ground,
        proposed: p.proposed,
        evidence: p.evidence,
        detail_zh: p.detail_zh,
        detail_en: p.detail_en,
        case_no: row.case_no.clone(),
        created_at: from_db_time(row.created_at),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedView {
    pub violation: ViolationView,
    /// The sanction proposal this violation made, when it brought the
    /// points to a threshold.
    pub proposal: Option<ProposalView>,
}

/// Record a violation (违规记录) against the baseline: its points are
/// copied from the baseline; reaching a threshold stores a sanction
/// proposal (never a sanction). Supervisors on site and regulators, within
/// their region; admins.
#[utoipa::path(post, path = "/api/v1/experts/{id}/violations", tag = "cases", request_body = ViolationInput,
    security(("bearer" = [])), params(("id" = String, Path, description = "Expert id")),
    responses(
        (status = 201, body = RecordedView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn record_violation(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<ViolationInput>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, RECORD, "record violations")?;
    let input = body.0;
    let id = id.into_inner();
    let now = state.now();
    let today = today(&state);
    let policy = state.settings.policy.discipline.clone();
    let actor = caller.actor();
    let view = state
        .db(move |conn| {
            audit::write(conn, now, |tx| {
                let expert = expert_in_reach(tx.conn, &caller, &id)?;
                let new = NewViolation {
                    code: input.code.trim().to_owned(),
                    occurred_on: input.occurred_on,
                    draw_id: input.draw_id.map(|d| d.trim().to_owned()),
                    evidence: input.evidence,
                };
                let (row, proposal) =
                    violations::record(tx, &actor, &expert.id, &new, &policy.baseline, today)?;
                Ok::<_, ApiError>(RecordedView {
                    violation: violation_view(&row, &policy)?,
                    proposal: proposal.as_ref().map(proposal_view).transpose()?,
                })
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PointsView {
    pub as_of: NaiveDate,
    pub cycle_months: u32,
    pub window_from: NaiveDate,
    pub total: u32,
    /// Without violations already settled by a decided threshold case.
    pub unsettled: u32,
    /// The baseline's thresholds (points that propose a sanction).
    pub thresholds: Vec<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseRef {
    pub case_no: String,
    pub stage: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertDiscipline {
    pub expert_id: String,
    pub points: PointsView,
    /// Every violation, oldest first.
    pub violations: Vec<ViolationView>,
    pub cases: Vec<CaseRef>,
}

/// An expert's violations and points in the current cycle (记分), with the
/// expert's cases.
#[utoipa::path(get, path = "/api/v1/experts/{id}/violations", tag = "cases",
    security(("bearer" = [])), params(("id" = String, Path, description = "Expert id")),
    responses(
        (status = 200, body = ExpertDiscipline),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn expert_violations(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, READ, "read violations")?;
    let id = id.into_inner();
    let today = today(&state);
    let policy = state.settings.policy.discipline.clone();
    let view = state
        .db(move |conn| {
            let expert = expert_in_reach(conn, &caller, &id)?;
            let rows = violations::of_expert(conn, &expert.id)?;
            let t = violations::points(conn, &expert.id, &policy.baseline, today)?;
            let case_rows = cases::of_expert(conn, &expert.id)?;
            Ok(ExpertDiscipline {
                expert_id: expert.id,
                points: PointsView {
                    as_of: t.as_of,
                    cycle_months: policy.baseline.cycle_months,
                    window_from: t.window_from,
                    total: t.total,
                    unsettled: t.unsettled,
                    thresholds: policy
                        .baseline
                        .thresholds
                        .iter()
                        .map(|th| th.points)
                        .collect(),
                },
                violations: rows
                    .iter()
                    .map(|r| violation_view(r, &policy))
                    .collect::<Result<_, _>>()?,
                cases: case_rows
                    .into_iter()
                    .map(|c| CaseRef {
                        case_no: c.case_no,
                        stage: c.stage,
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Sanction proposals no case has been opened from, oldest first (a
/// regulator bound to a region sees its region's experts only).
#[utoipa::path(get, path = "/api/v1/proposals", tag = "cases", security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<ProposalView>),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn proposals(
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, DISCIPLINE, "read sanction proposals")?;
    let region = if caller.role == Role::Admin {
        None
    } else {
        caller.region.clone()
    };
    let list = state
        .db(move |conn| {
            violations::open_proposals(conn, region.as_deref())?
                .iter()
                .map(|(row, _)| proposal_view(row))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

// --- cases ------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CasesQuery {
    /// opened, notice_served, decided, effective, published, closed, withdrawn.
    pub stage: Option<String>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
}

/// One case in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    pub case_no: String,
    pub expert_id: String,
    pub stage: String,
    pub opened_on: NaiveDate,
    pub published_on: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    pub next_cursor: Option<String>,
}

const CASE_CURSOR: &str = "c1:";

/// Sanction cases in number order, of one stage when asked: the
/// regulator's work list. Callers bound to a region see its experts' cases
/// only.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CasesQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, body = CasePage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_cases(
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<CasesQuery>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, READ, "read cases")?;
    let q = query.0;
    if let Some(st) = q.stage.as_deref()
        && expert_core::discipline::case::Stage::parse(st).is_none()
    {
        return Err(ApiError::bad_request(
            "stage",
            "unknown_stage",
            format!("unknown case stage {st:?}"),
        ));
    }
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request(
            "limit",
            "range",
            "limit must be between 1 and 200",
        ));
    }
    let after = q
        .cursor
        .as_deref()
        .map(|c| cursor::decode(CASE_CURSOR, c))
        .transpose()?;
    let region = if caller.role == Role::Admin {
        None
    } else {
        caller.region.clone()
    };
    let page = state
        .db(move |conn| {
            let mut rows = cases::list(
                conn,
                region.as_deref(),
                q.stage.as_deref(),
                after.as_deref(),
                i64::from(limit) + 1,
            )?;
            let more = rows.len() > limit as usize;
            rows.truncate(limit as usize);
            let next_cursor =
                more.then(|| rows.last().map(|r| cursor::encode(CASE_CURSOR, &r.case_no)));
            Ok::<_, ApiError>(CasePage {
                next_cursor: next_cursor.flatten(),
                items: rows
                    .into_iter()
                    .map(|r| CaseSummary {
                        updated_at: from_db_time(r.updated_at),
                        case_no: r.case_no,
                        expert_id: r.expert_id,
                        stage: r.stage,
                        opened_on: r.opened_on,
                        published_on: r.published_on,
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCaseInput {
    /// Open from this stored proposal (its key); or give `grounds`.
    #[serde(default)]
    pub proposal: Option<String>,
    /// The grounds in the baseline: `{"kind":"violation","code":"…"}`,
    /// `{"kind":"points_threshold","points":12}`, `{"kind":"low_credit"}`.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Object>>)]
    pub grounds: Option<Vec<Ground>>,
    /// What the case is about (required with `grounds`).
    #[serde(default)]
    pub summary: Option<String>,
    /// Default today (China date); not in the future.
    #[serde(default)]
    pub opened_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Deadlines {
    /// The last day of the defence window (陈述申辩期限), inclusive,
    /// computed by the working-day calendar from the notice.
    pub defence_window_ends: Option<NaiveDate>,
    /// Working days left in the window today (0 once it has ended).
    pub defence_working_days_left: Option<u32>,
    pub defence_waived: bool,
    /// The first day a decision may be made (the day after the window,
    /// or today once the expert waived the defence).
    pub decision_from: Option<NaiveDate>,
    /// `not_required`, `offered`, `requested`, `held`, `waived`.
    pub hearing: Option<String>,
    /// From the decision: the day the sanction applies.
    pub effective_on: Option<NaiveDate>,
}

/// What the baseline allows on one of the case's grounds.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaselineRange {
    /// `violation:late_arrival`, `points:12`, `low_credit`.
    pub rule: String,
    #[schema(value_type = Object)]
    pub range: expert_core::discipline::SanctionRange,
    pub allowed_zh: String,
    pub allowed_en: String,
    pub legal_basis: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    pub position: i32,
    pub kind: String,
    /// The stage after it.
    pub stage: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LetterView {
    pub case_no: String,
    /// The employer.
    pub recipient: String,
    pub title: String,
    pub text: String,
    pub text_sha256: String,
    pub issued_on: NaiveDate,
    pub generated_at: DateTime<Utc>,
    pub delivered_on: Option<NaiveDate>,
    pub channel: Option<String>,
    pub reference: Option<String>,
    /// Where it goes: the employer contact on the expert's record.
    #[schema(value_type = Option<Object>)]
    pub employer_contact: Option<expert_core::expert::EmployerContact>,
}

fn letter_view(
    row: LetterRow,
    contact: Option<expert_core::expert::EmployerContact>,
) -> LetterView {
    LetterView {
        case_no: row.case_no,
        recipient: row.recipient,
        title: row.title,
        text: row.text,
        text_sha256: row.text_sha256,
        issued_on: row.issued_on,
        generated_at: from_db_time(row.generated_at),
        delivered_on: row.delivered_on,
        channel: row.channel,
        reference: row.reference,
        employer_contact: contact,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    pub case_no: String,
    pub expert_id: String,
    pub stage: String,
    pub version: i64,
    /// The whole case as `expert_core::discipline::Case` keeps it.
    #[schema(value_type = Object)]
    pub case: Case,
    pub deadlines: Deadlines,
    /// The baseline's range beside the case: a decision must stay inside.
    pub baseline: Vec<BaselineRange>,
    /// After any review; `null` before a decision, for no sanction, or
    /// once revoked.
    #[schema(value_type = Option<Object>)]
    pub standing_sanction: Option<Sanction>,
    pub history: Vec<HistoryItem>,
    pub employer_letter: Option<LetterView>,
}

fn case_view(
    conn: &mut crate::db::DbConn,
    row: &CaseRow,
    record: &experts::ExpertRecord,
    policy: &DisciplinePolicy,
    today: NaiveDate,
) -> Result<CaseView, ApiError> {
    let case = row.case()?;
    let notice = case.notice.as_ref();
    let waived = notice.is_some_and(|n| n.defence_waived.is_some());
    let deadlines = Deadlines {
        defence_window_ends: notice.map(|n| n.window_ends),
        defence_working_days_left: notice
            .map(|n| policy.calendar.working_days_between(today, n.window_ends)),
        defence_waived: waived,
        decision_from: notice.map(|n| match &n.defence_waived {
            Some(w) => w.on.max(n.served_on),
            None => n.window_ends.succ_opt().unwrap_or(n.window_ends),
        }),
        hearing: notice.map(|n| n.hearing.kind().as_str().to_owned()),
        effective_on: case.decision.as_ref().map(|d| d.effective_on),
    };
    let baseline = case
        .grounds
        .iter()
        .filter_map(|g| {
            let (range, basis) = policy.baseline.range_for(g).ok()?;
            Some(BaselineRange {
                rule: g.rule_name(),
                allowed_zh: range.describe_zh(),
                allowed_en: range.describe_en(),
                range: range.clone(),
                legal_basis: basis.to_owned(),
            })
        })
        .collect();
    let history = cases::history(conn, &row.case_no)?
        .into_iter()
        .map(|h| HistoryItem {
            position: h.position,
            kind: h.kind,
            stage: h.stage,
            recorded_at: from_db_time(h.recorded_at),
        })
        .collect();
    let letter = cases::letter(conn, &row.case_no)?
        .map(|l| letter_view(l, record.profile.employer_contact.clone()));
    Ok(CaseView {
        case_no: row.case_no.clone(),
        expert_id: row.expert_id.clone(),
        stage: row.stage.clone(),
        version: row.version,
        standing_sanction: case.standing_sanction(),
        case,
        deadlines,
        baseline,
        history,
        employer_letter: letter,
    })
}

/// Open a case (立案) against an expert: from a stored proposal, or
/// directly on grounds of the baseline with a summary. Numbered
/// `CF-<year>-<n>`. Regulators within their region; admins.
#[utoipa::path(post, path = "/api/v1/experts/{id}/cases", tag = "cases", request_body = OpenCaseInput,
    security(("bearer" = [])), params(("id" = String, Path, description = "Expert id")),
    responses(
        (status = 201, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn open_case(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<OpenCaseInput>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, DISCIPLINE, "open cases")?;
    let input = body.0;
    let opening = match (input.proposal, input.grounds) {
        (Some(key), None) => {
            if input.summary.is_some() {
                return Err(ApiError::bad_request(
                    "summary",
                    "not_with_proposal",
                    "a case from a proposal takes the proposal's summary",
                ));
            }
            Opening::Proposal {
                key: key.trim().to_owned(),
            }
        }
        (None, Some(grounds)) => Opening::Direct {
            officer_id: caller.token_id.clone(),
            grounds,
            summary: input.summary.unwrap_or_default(),
        },
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "grounds",
                "one_of",
                "give either proposal or grounds, not both",
            ));
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "grounds",
                "required",
                "give either proposal (a stored proposal's key) or grounds",
            ));
        }
    };
    let id = id.into_inner();
    let now = state.now();
    let today = today(&state);
    let opened_on = input.opened_on.unwrap_or(today);
    let policy = state.settings.policy.discipline.clone();
    let actor = caller.actor();
    let view = state
        .db(move |conn| {
            let (row, record) = audit::write(conn, now, |tx| {
                let expert = expert_in_reach(tx.conn, &caller, &id)?;
                let row = cases::open(tx, &actor, &expert, opening, opened_on, &policy, today)?;
                Ok::<_, ApiError>((row, expert))
            })?;
            case_view(conn, &row, &record, &policy, today)
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// A case with its deadlines (the defence window by the working-day
/// calendar), the baseline's range beside it, its history and the employer
/// letter.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case number, CF-2026-000001")),
    responses(
        (status = 200, body = CaseView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_case(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, READ, "read cases")?;
    let id = id.into_inner();
    let today = today(&state);
    let policy = state.settings.policy.discipline.clone();
    let view = state
        .db(move |conn| {
            let (row, record) = case_in_reach(conn, &caller, &id)?;
            case_view(conn, &row, &record, &policy, today)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// One step: the body's fields are the event's (`expert_core`'s
/// `CaseEvent`, without its `event` tag).
async fn step(
    caller: Caller,
    state: web::Data<AppState>,
    case_no: String,
    kind: &'static str,
    mut fields: Map<String, Value>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, DISCIPLINE, "act on cases")?;
    if fields.contains_key("event") {
        return Err(ApiError::bad_request(
            "event",
            "unknown_field",
            "the path names the event; leave out `event`",
        ));
    }
    fields.insert("event".into(), Value::String(kind.to_owned()));
    let bytes = serde_json::to_vec(&fields).map_err(|e| ApiError::internal(&e))?;
    let event: CaseEvent = parse_json(&bytes)?;
    let now = state.now();
    let today = today(&state);
    let policy = state.settings.policy.discipline.clone();
    let actor = caller.actor();
    let view = state
        .db(move |conn| {
            let (row, record) = audit::write(conn, now, |tx| {
                let (_, record) = case_in_reach(tx.conn, &caller, &case_no)?;
                let row = cases::apply_event(tx, &actor, &case_no, &event, &policy, today)?;
                Ok::<_, ApiError>((row, record))
            })?;
            case_view(conn, &row, &record, &policy, today)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Serve the notice (行政处罚事先告知): facts, evidence references, legal basis and the proposed sanction, inside the baseline. Starts the defence window (working days by the calendar) and offers a hearing where the sanction carries one. Served again before the decision, it amends the notice and restarts the window.
///
/// Body: `{"served_on":"2026-11-02","facts":"…","evidence":["…"],"legal_basis":["…"],"proposed":{"measure":{"kind":"suspension","months":6,"restore":"after_test"},"fine_yuan":null}}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notice", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn serve_notice(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "serve_notice", body.0).await
}

/// A written statement or defence received (陈述、申辩), inside the window.
///
/// Body: `{"received_on":"…","reference":"…","summary":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/statements", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn receive_statement(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "receive_statement", body.0).await
}

/// The expert gives up the defence window in writing; a decision may then come sooner (a hearing right must be given up too).
///
/// Body: `{"on":"…","reference":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/defence-waiver", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn waive_defence(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "waive_defence", body.0).await
}

/// The expert asks for the hearing the notice offered (听证), inside the window.
///
/// Body: `{"on":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/hearing-request", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn request_hearing(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "request_hearing", body.0).await
}

/// The requested hearing was held.
///
/// Body: `{"on":"…","record":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/hearing", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn hold_hearing(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "hold_hearing", body.0).await
}

/// The expert gives up the hearing right.
///
/// Body: `{"on":"…","reference":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/hearing-waiver", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn waive_hearing(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "waive_hearing", body.0).await
}

/// The decision with reasons: inside the baseline's range for the grounds found, no heavier than the notice, and not before the defence window ends unless the expert waived it (a requested hearing must be held or waived first). 不予处罚 closes the case.
///
/// Body: `{"decided_on":"…","outcome":{"kind":"sanction","sanction":{…}},"found":[{…}],"reasons":"…","effective_on":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/decision", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn decide(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "decide", body.0).await
}

/// The decision takes effect: a suspension or removal (with its ban) is applied to the expert's status in the same transaction, so the draw filter excludes them from now on.
///
/// Body: `{"on":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/effect", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn take_effect(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "take_effect", body.0).await
}

/// The public notice (公示): from now on the penalty is on `GET /public/penalties`.
///
/// Body: `{"on":"…","reference":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/publication", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn publish_notice(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "publish_notice", body.0).await
}

/// The generated employer letter of a civil-servant expert was delivered.
///
/// Body: `{"on":"…","channel":"post","reference":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/employer-letter/delivery", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn deliver_letter(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(
        caller,
        state,
        id.into_inner(),
        "deliver_employer_letter",
        body.0,
    )
    .await
}

/// A reconsideration (行政复议) or appeal (行政诉讼) filed against the decision.
///
/// Body: `{"kind":"reconsideration","reference":"…","filed_on":"…","body":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reviews", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn file_review(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "file_review", body.0).await
}

/// A review's outcome: upheld, varied (a reconsideration stays inside the baseline) or revoked; a varied or revoked decision in effect puts the expert's status back.
///
/// Body: `{"reference":"…","on":"…","outcome":{"kind":"revoked"}}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/review-outcome", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn resolve_review(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "resolve_review", body.0).await
}

/// Close the case after its public notice (a civil servant's only after the employer letter was delivered).
///
/// Body: `{"on":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/close", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn close(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "close", body.0).await
}

/// Drop the case before a decision (撤销立案).
///
/// Body: `{"on":"…","reason":"…"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/withdrawal", tag = "cases",
    request_body(content = Object, description = "The event's fields"),
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the case's state", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn withdraw(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<Map<String, Value>>,
) -> Result<HttpResponse, ApiError> {
    step(caller, state, id.into_inner(), "withdraw", body.0).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterInput {
    /// The issuing authority (某某市公共资源交易监督管理局).
    pub authority: String,
    /// Default today (China date).
    #[serde(default)]
    pub issued_on: Option<NaiveDate>,
}

/// Generate the letter to a civil-servant expert's employer (通报函) from
/// the policy's template, once the case is decided; once per case. Its
/// delivery is recorded with `POST /cases/{id}/employer-letter/delivery`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/employer-letter", tag = "cases", request_body = LetterInput,
    security(("bearer" = [])), params(("id" = String, Path, description = "Case number")),
    responses(
        (status = 201, body = LetterView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a civil servant, no sanction standing, or already generated", body = Problem, content_type = "application/problem+json")))]
pub async fn generate_letter(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<LetterInput>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, DISCIPLINE, "generate employer letters")?;
    let input = body.0;
    let authority = input.authority.trim().to_owned();
    let n = authority.chars().count();
    if n == 0 || n > 100 {
        return Err(ApiError::bad_request(
            "authority",
            "length",
            "authority must be 1 to 100 characters",
        ));
    }
    let case_no = id.into_inner();
    let now = state.now();
    let today = today(&state);
    if input.issued_on.is_some_and(|d| d > today) {
        return Err(ApiError::bad_request(
            "issued_on",
            "future",
            "issued_on must not be in the future",
        ));
    }
    let issued_on = input.issued_on.unwrap_or(today);
    let policy = state.settings.policy.discipline.clone();
    let actor = caller.actor();
    let view = state
        .db(move |conn| {
            audit::write(conn, now, |tx| {
                let (_, record) = case_in_reach(tx.conn, &caller, &case_no)?;
                let row =
                    cases::generate_letter(tx, &actor, &case_no, &authority, issued_on, &policy)?;
                Ok::<_, ApiError>(letter_view(row, record.profile.employer_contact))
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

// --- public penalties (处罚结果公开) -------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PenaltiesQuery {
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1-100 (default 20).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicViolation {
    /// `violation:late_arrival`, `points:12`, `low_credit`.
    pub rule: String,
    pub name_zh: String,
    pub name_en: String,
}

/// One decided and published penalty.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicPenalty {
    pub case_no: String,
    /// The expert's name.
    pub name: String,
    pub employer: String,
    /// The grounds the decision found proven.
    pub violations: Vec<PublicViolation>,
    /// The sanction decided.
    #[schema(value_type = Object)]
    pub sanction: Sanction,
    pub sanction_zh: String,
    pub sanction_en: String,
    /// The sanction after any review (`null`: revoked).
    #[schema(value_type = Option<Object>)]
    pub standing: Option<Sanction>,
    pub decided_on: NaiveDate,
    pub effective_on: NaiveDate,
    pub published_on: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PenaltiesPage {
    pub items: Vec<PublicPenalty>,
    pub next_cursor: Option<String>,
}

const PENALTY_CURSOR: &str = "p1:";

fn penalty_cursor(on: NaiveDate, case_no: &str) -> String {
    cursor::encode(PENALTY_CURSOR, &format!("{on}:{case_no}"))
}

fn decode_penalty_cursor(c: &str) -> Result<(NaiveDate, String), ApiError> {
    let rest = cursor::decode(PENALTY_CURSOR, c)?;
    let (on, case_no) = rest.split_once(':').ok_or_else(cursor::invalid)?;
    let on = on.parse::<NaiveDate>().map_err(|_| cursor::invalid())?;
    if case_no.is_empty() || case_no.len() > 64 {
        return Err(cursor::invalid());
    }
    Ok((on, case_no.to_owned()))
}

fn public_violation(g: &Ground, policy: &DisciplinePolicy) -> PublicViolation {
    let (name_zh, name_en) = match g {
        Ground::Violation { code } => policy.baseline.violation(code).map_or_else(
            || (code.clone(), code.clone()),
            |v| (v.name_zh.clone(), v.name_en.clone()),
        ),
        Ground::PointsThreshold { points } => (
            format!("记分周期内累计记分达到{points}分"),
            format!("{points} points reached in the cycle"),
        ),
        Ground::LowCredit => ("信用评价过低".to_owned(), "low credit score".to_owned()),
    };
    PublicViolation {
        rule: g.rule_name(),
        name_zh,
        name_en,
    }
}

/// Decided penalties made public (处罚结果公开), latest public notice
/// first: name, employer, violations, sanction, dates and case number.
/// Only after the case's public-notice step; nothing of an undecided or
/// unpublished case. No authentication; rate-limited.
#[utoipa::path(get, path = "/api/v1/public/penalties", tag = "public", params(PenaltiesQuery),
    responses(
        (status = 200, body = PenaltiesPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limit; see Retry-After", body = Problem, content_type = "application/problem+json")))]
pub async fn penalties(
    _: PublicRead,
    state: web::Data<AppState>,
    query: Query<PenaltiesQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request(
            "limit",
            "range",
            "limit must be between 1 and 100",
        ));
    }
    let after = q.cursor.as_deref().map(decode_penalty_cursor).transpose()?;
    let policy = state.settings.policy.discipline.clone();
    let page = state
        .db(move |conn| {
            let mut rows = cases::published(conn, after, i64::from(limit) + 1)?;
            let more = rows.len() > limit as usize;
            rows.truncate(limit as usize);
            let next_cursor = more
                .then(|| {
                    rows.last().and_then(|r| {
                        r.row
                            .published_on
                            .map(|on| penalty_cursor(on, &r.row.case_no))
                    })
                })
                .flatten();
            let mut items = Vec::with_capacity(rows.len());
            for r in rows {
                let case = r.row.case()?;
                let (Some(decision), Some(published), Some(sanction)) = (
                    case.decision.as_ref(),
                    case.published.as_ref(),
                    case.decided_sanction(),
                ) else {
                    return Err(ApiError::internal(&format!(
                        "published case {} has no decided sanction",
                        r.row.case_no
                    )));
                };
                items.push(PublicPenalty {
                    case_no: r.row.case_no.clone(),
                    name: r.expert_name,
                    employer: r.employer_name,
                    violations: decision
                        .found
                        .iter()
                        .map(|g| public_violation(g, &policy))
                        .collect(),
                    sanction_zh: sanction.describe_zh(),
                    sanction_en: sanction.describe_en(),
                    sanction,
                    standing: case.standing_sanction(),
                    decided_on: decision.decided_on,
                    effective_on: decision.effective_on,
                    published_on: published.on,
                });
            }
            Ok(PenaltiesPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_strangers() {
        let on = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let c = penalty_cursor(on, "CF-2026-000001");
        assert_eq!(
            decode_penalty_cursor(&c).unwrap(),
            (on, "CF-2026-000001".to_owned())
        );
        for bad in ["", "x", &penalty_cursor(on, "")] {
            let e = decode_penalty_cursor(bad).unwrap_err();
            assert_eq!(e.problem().field.as_deref(), Some("cursor"));
        }
    }

    #[test]
    fn state_refusals_are_conflicts_and_input_refusals_name_the_field() {
        let e = case_problem(&CaseError::DefenceWindowOpen {
            ends: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        });
        assert_eq!(e.problem().status, 409);
        assert_eq!(e.problem().rule.as_deref(), Some("defence_window_open"));
        assert_eq!(e.problem().field.as_deref(), Some("decided_on"));
        let e = case_problem(&CaseError::Blank { field: "reasons" });
        assert_eq!(e.problem().status, 422);
        assert_eq!(e.problem().field.as_deref(), Some("reasons"));
        assert_eq!(e.problem().rule.as_deref(), Some("blank"));
    }
}
