//! The expert registry over HTTP: applications, the filtered list, records,
//! contact and employer changes, admission decisions and lifecycle steps.
//!
//! Who may do what: operators register and maintain experts of their own
//! region; regulators decide admissions and discipline; supervisors read;
//! admins do everything. Identity and phone numbers are masked for all but
//! admins.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use expert_core::admission::{Application, Decision, check_admission};
use expert_core::expert::{EmployerContact, Employment};
use expert_core::lifecycle::{
    Command, ReinstateVia, RestoreMode, RetireReason, Status, StatusKind,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::cursor;
use super::extract::{Body, Presented, Query};
use super::problem::{ApiError, Problem};
use crate::auth::{Caller, Role};
use crate::intake::{self, ApplicationInput, EmployerInput};
use crate::registry::Audience;
use crate::store::experts::{self as store, ContactPatch, ExpertRecord, ListFilter};
use crate::store::{StoreError, audit};

// One line per route: the route table test reads them from the source.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/experts", web::post().to(apply))
        .route("/experts/import", web::post().to(super::import::import_roster))
        .route("/experts", web::get().to(list))
        .route("/experts/{id}", web::get().to(get))
        .route("/experts/{id}/contact", web::patch().to(update_contact))
        .route("/experts/{id}/employer", web::post().to(change_employer))
        .route("/experts/{id}/admission", web::post().to(decide_admission))
        .route("/experts/{id}/leave", web::post().to(grant_leave))
        .route("/experts/{id}/suspend", web::post().to(suspend))
        .route("/experts/{id}/reinstate", web::post().to(reinstate))
        .route("/experts/{id}/retire", web::post().to(retire))
        .route("/experts/{id}/remove", web::post().to(remove))
        .route("/experts/{id}/reapply", web::post().to(reapply))
        .route("/experts/{id}/renewal", web::post().to(renew));
}

// --- wire types -----------------------------------------------------------

#[derive(Debug, Serialize, ToSchema)]
pub struct EmployerView {
    pub name: String,
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmploymentView {
    pub employer: EmployerView,
    pub from: NaiveDate,
    /// The day after the last day (`null` for the current employer).
    pub to: Option<NaiveDate>,
}

/// An expert as the caller may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertView {
    pub id: String,
    pub name: String,
    /// Masked (`420106********1234`) for every role but admin.
    pub resident_id: String,
    /// Masked (`138****5678`) for every role but admin.
    pub mobile: String,
    pub region: String,
    pub employer: EmployerView,
    pub specialties: Vec<String>,
    pub title: String,
    pub senior_equivalent: bool,
    pub years_in_field: u32,
    pub civil_servant: bool,
    /// Where sanction notices go; shown to admins and regulators only.
    #[schema(value_type = Option<Object>)]
    pub employer_contact: Option<EmployerContact>,
    /// `applicant`, `rejected`, `active`, `on_leave`, `suspended`, `retired`, `removed`.
    pub status: String,
    /// The full status with its dates, reasons and term.
    #[schema(value_type = Object)]
    pub status_detail: Status,
    pub term_number: u32,
    /// Only on single-record reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employment_history: Option<Vec<EmploymentView>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

fn view(r: ExpertRecord, caller: &Caller, history: Option<Vec<Employment>>) -> ExpertView {
    let full = caller.sees_personal_data();
    let p = r.profile;
    ExpertView {
        resident_id: if full {
            p.resident_id.as_str().to_owned()
        } else {
            p.resident_id.masked()
        },
        mobile: if full {
            p.mobile.as_str().to_owned()
        } else {
            p.mobile.masked()
        },
        employer_contact: if caller.is(&[Role::Admin, Role::Regulator]) {
            p.employer_contact
        } else {
            None
        },
        id: r.id,
        name: p.name,
        region: p.region,
        employer: EmployerView {
            name: p.employer.name,
            code: p.employer.code.as_str().to_owned(),
        },
        specialties: p.specialties,
        title: p.title.as_str().to_owned(),
        senior_equivalent: p.senior_equivalent,
        years_in_field: p.years_in_field,
        civil_servant: p.civil_servant,
        status: r.status.kind().as_str().to_owned(),
        status_detail: r.status,
        term_number: r.term_number,
        employment_history: history.map(|h| {
            h.into_iter()
                .map(|e| EmploymentView {
                    employer: EmployerView {
                        name: e.employer.name,
                        code: e.employer.code.as_str().to_owned(),
                    },
                    from: e.from,
                    to: e.to,
                })
                .collect()
        }),
        created_at: r.created_at,
        updated_at: r.updated_at,
        version: r.version,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertPage {
    pub items: Vec<ExpertView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

// --- access rules ---------------------------------------------------------

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

/// A record outside the caller's region is reported as absent, so that ids
/// of other regions cannot be probed.
fn reach(caller: &Caller, record: &ExpertRecord) -> Result<(), ApiError> {
    if caller.reaches(&record.profile.region) {
        Ok(())
    } else {
        Err(ApiError::not_found("expert", &record.id))
    }
}

const WRITE_CONTACT: &[Role] = &[Role::Admin, Role::Operator];
const DISCIPLINE: &[Role] = &[Role::Admin, Role::Regulator];
const READ: &[Role] = &[
    Role::Admin,
    Role::Operator,
    Role::Supervisor,
    Role::Regulator,
];

fn today(state: &AppState) -> NaiveDate {
    state.now().date_naive()
}

/// Load the expert, check reach, then run `change` in an audited
/// transaction; returns the updated record as the caller may see it.
async fn change_expert<F>(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    change: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut audit::AuditTx<'_>, &str, &ExpertRecord) -> Result<ExpertRecord, ApiError>
        + Send
        + 'static,
{
    let now = state.now();
    let actor = caller.actor();
    let c = caller.clone();
    let record = state
        .db(move |conn| {
            audit::write(conn, now, |tx| {
                let current = store::get(tx.conn, &id)?;
                reach(&c, &current)?;
                change(tx, &actor, &current)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(record, &caller, None)))
}

// --- handlers -------------------------------------------------------------

/// Register an application (申请入库). Every failed admission rule is
/// reported at once; nothing is stored unless all pass.
#[utoipa::path(post, path = "/api/v1/experts", tag = "experts", request_body = ApplicationInput,
    security(("bearer" = [])),
    responses(
        (status = 201, body = ExpertView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn apply(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<ApplicationInput>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, WRITE_CONTACT, "register experts")?;
    let input = body.0;
    if !caller.reaches(input.region.trim()) {
        return Err(
            ApiError::forbidden("operators register experts of their own region only")
                .with_field("region"),
        );
    }
    let today = today(&state);
    let intake = intake::to_application(input, today, &state.settings.policy.admission)
        .map_err(|e| ApiError::from(StoreError::Invalid(e)))?;
    let policy = state.settings.policy.admission.clone();
    let now = state.now();
    let actor = caller.actor();
    let record = state
        .db(move |conn| {
            Ok(audit::write(conn, now, |tx| {
                store::apply(
                    tx,
                    &actor,
                    &intake.application,
                    intake.employed_since,
                    &policy,
                    today,
                )
            })?)
        })
        .await?;
    Ok(HttpResponse::Created().json(view(record, &caller, None)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// applicant, rejected, active, on_leave, suspended, retired, removed.
    pub status: Option<String>,
    /// GB/T 2260 region code.
    pub region: Option<String>,
    /// Specialty code prefix (`A08` matches `A0801`).
    pub specialty: Option<String>,
    /// Employer credit code.
    pub employer: Option<String>,
    /// Part of the name or the employer's name.
    pub q: Option<String>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
}

const CURSOR_PREFIX: &str = "e1:";

fn encode_cursor(id: &str) -> String {
    cursor::encode(CURSOR_PREFIX, id)
}

fn decode_cursor(c: &str) -> Result<String, ApiError> {
    let id = cursor::decode(CURSOR_PREFIX, c)?;
    if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(cursor::invalid());
    }
    Ok(id)
}

/// List experts with filters, in id order, a page at a time.
#[utoipa::path(get, path = "/api/v1/experts", tag = "experts", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ExpertPage), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    token: Presented,
    state: web::Data<AppState>,
    query: Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let registry = state.registry.clone();
    let now = state.now();
    // One database hop and one query when nothing changed: the token and
    // the log's size together; the page comes from the read model, caught
    // up to that size.
    let body = state
        .db(move |conn| {
            let (caller, size) = token.authenticate_at_size(conn, now)?;
            let filter = list_filter(&caller, q)?;
            let audience = Audience {
                personal_data: caller.sees_personal_data(),
                employer_contact: caller.is(&[Role::Admin, Role::Regulator]),
            };
            Ok(registry.page(conn, size, &filter, audience, encode_cursor)?)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::json())
        .body(body))
}

/// The caller's list query as a store filter; refuses what the caller may
/// not ask and every malformed parameter, naming it.
fn list_filter(caller: &Caller, q: ListQuery) -> Result<ListFilter, ApiError> {
    require(caller, READ, "list experts")?;
    let status = q
        .status
        .as_deref()
        .map(|s| {
            StatusKind::parse(s).ok_or_else(|| {
                ApiError::bad_request("status", "unknown_status", format!("unknown status {s:?}"))
            })
        })
        .transpose()?;
    if let Some(r) = q.region.as_deref()
        && !expert_core::reference::Regions::builtin().is_known(r)
    {
        return Err(ApiError::bad_request(
            "region",
            "unknown_region",
            format!("unknown region code {r:?}"),
        ));
    }
    // A bound caller always sees its own region only.
    let region = match (&caller.region, q.region) {
        (Some(own), Some(asked)) if caller.role != Role::Admin && *own != asked => {
            return Err(
                ApiError::forbidden("this token is bound to another region").with_field("region")
            );
        }
        (Some(own), _) if caller.role != Role::Admin => Some(own.clone()),
        (_, asked) => asked,
    };
    if let Some(s) = q.specialty.as_deref()
        && (s.is_empty() || s.len() > 20 || !s.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(ApiError::bad_request(
            "specialty",
            "invalid_code",
            "specialty must be a code prefix such as A08",
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
    if q.q.as_deref().is_some_and(|t| t.chars().count() > 50) {
        return Err(ApiError::bad_request(
            "q",
            "too_long",
            "q must be at most 50 characters",
        ));
    }
    Ok(ListFilter {
        status,
        region,
        specialty: q.specialty,
        employer: q.employer,
        text: q
            .q
            .filter(|t| !t.trim().is_empty())
            .map(|t| t.trim().to_owned()),
        after: q.cursor.as_deref().map(decode_cursor).transpose()?,
        limit,
    })
}

/// One expert with the employment history.
#[utoipa::path(get, path = "/api/v1/experts/{id}", tag = "experts", security(("bearer" = [])),
    params(("id" = String, Path, description = "Expert id")),
    responses((status = 200, body = ExpertView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, READ, "read experts")?;
    let id = id.into_inner();
    let (record, history) = state
        .db(move |conn| {
            let r = store::get(conn, &id)?;
            let h = store::employment(conn, &id)?;
            Ok((r, h))
        })
        .await?;
    reach(&caller, &record)?;
    Ok(HttpResponse::Ok().json(view(record, &caller, Some(history))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactChange {
    pub mobile: Option<String>,
    pub region: Option<String>,
    /// `null` clears it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<Object>)]
    pub employer_contact: Option<Option<EmployerContact>>,
}

mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(d).map(Some)
    }
}

/// Correct the mobile number, region or employer contact.
#[utoipa::path(patch, path = "/api/v1/experts/{id}/contact", tag = "experts", request_body = ContactChange,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ExpertView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_contact(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<ContactChange>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, WRITE_CONTACT, "change expert records")?;
    let c = body.0;
    let mut errors = Vec::new();
    let mobile = c
        .mobile
        .as_deref()
        .and_then(|m| intake::mobile("mobile", m, &mut errors));
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors).into());
    }
    if let Some(r) = c.region.as_deref()
        && !caller.reaches(r)
    {
        return Err(
            ApiError::forbidden("cannot move an expert to another region").with_field("region"),
        );
    }
    if mobile.is_none() && c.region.is_none() && c.employer_contact.is_none() {
        return Err(ApiError::bad_request(
            "body",
            "empty_change",
            "name at least one of mobile, region, employer_contact",
        ));
    }
    let patch = ContactPatch {
        mobile,
        region: c.region,
        employer_contact: c.employer_contact,
    };
    change_expert(state, caller, id.into_inner(), move |tx, actor, r| {
        Ok(store::update_contact(tx, actor, &r.id, &patch)?)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployerChange {
    pub employer: EmployerInput,
    /// First day at the new employer.
    pub since: NaiveDate,
}

/// Record a move to a new employer; the history keeps the old one.
#[utoipa::path(post, path = "/api/v1/experts/{id}/employer", tag = "experts", request_body = EmployerChange,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ExpertView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_employer(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<EmployerChange>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, WRITE_CONTACT, "change expert records")?;
    let c = body.0;
    let mut errors = Vec::new();
    let employer = intake::employer("employer", &c.employer, &mut errors);
    let Some(employer) = employer.filter(|_| errors.is_empty()) else {
        return Err(StoreError::Invalid(errors).into());
    };
    change_expert(state, caller, id.into_inner(), move |tx, actor, r| {
        Ok(store::change_employer(tx, actor, &r.id, employer, c.since)?)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct AdmissionDecision {
    /// `approve` or `reject`.
    pub decision: DecisionKind,
    /// Required (non-empty) for a rejection.
    #[serde(default)]
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Approve,
    Reject,
}

impl AdmissionDecision {
    /// A refusal must say why: at least one reason, none blank.
    fn check_reasons(&self) -> Result<(), ApiError> {
        if matches!(self.decision, DecisionKind::Reject)
            && (self.reasons.is_empty() || self.reasons.iter().any(|r| r.trim().is_empty()))
        {
            return Err(ApiError::bad_request(
                "reasons",
                "required",
                "a refusal needs at least one non-blank reason",
            ));
        }
        Ok(())
    }
}

/// Every admission rule again, as of `today`, with the person's bans: an
/// approval or a renewal is decided under the policy in force.
fn recheck(
    tx: &mut audit::AuditTx<'_>,
    app: &Application,
    policy: &expert_core::admission::AdmissionPolicy,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let history = store::admission_history(tx.conn, app.profile.resident_id.as_str())?;
    check_admission(app, &history, policy, today)
        .map_err(|v| ApiError::from(StoreError::Invalid(intake::input_fields(v))))
}

/// The reviewer's admission decision (准入审核). Approval re-runs every
/// admission rule as of today and starts a term.
#[utoipa::path(post, path = "/api/v1/experts/{id}/admission", tag = "experts", request_body = AdmissionDecision,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ExpertView), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn decide_admission(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<AdmissionDecision>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, DISCIPLINE, "decide admissions")?;
    let d = body.0;
    let policy = state.settings.policy.admission.clone();
    let today = today(&state);
    d.check_reasons()?;
    change_expert(state, caller, id.into_inner(), move |tx, actor, r| {
        let app = Application {
            profile: r.profile.clone(),
            documents: r.documents.clone(),
            term_number: r.term_number.max(1),
        };
        let decision = match d.decision {
            DecisionKind::Approve => {
                if r.status.kind() == StatusKind::Applicant {
                    recheck(tx, &app, &policy, today)?;
                }
                Decision::approve(&app, today, &policy)
            }
            DecisionKind::Reject => Decision::reject(d.reasons),
        }
        .map_err(|e| ApiError::bad_request("decision", "invalid_decision", e.to_string()))?;
        Ok(store::command(
            tx,
            actor,
            &r.id,
            &decision.command(),
            today,
            None,
            None,
        )?)
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveRequest {
    pub from: NaiveDate,
    /// Last day away.
    pub to: NaiveDate,
    pub reason: String,
}

/// Grant a leave (请假): the expert is not drawn for evaluations in the period.
#[utoipa::path(post, path = "/api/v1/experts/{id}/leave", tag = "experts", request_body = LeaveRequest,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ExpertView), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn grant_leave(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<LeaveRequest>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, WRITE_CONTACT, "grant leave")?;
    let b = body.0;
    check_reason(&b.reason)?;
    if b.to < b.from {
        return Err(ApiError::bad_request(
            "to",
            "before_from",
            "the leave cannot end before it starts",
        ));
    }
    let today = today(&state);
    let cmd = Command::GrantLeave {
        from: b.from,
        to: b.to,
        reason: b.reason,
    };
    run_command(state, caller, id.into_inner(), cmd, today).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    /// Default today.
    pub from: Option<NaiveDate>,
    /// First day the suspension no longer applies; required for `automatic`.
    pub until: Option<NaiveDate>,
    /// `automatic`, `on_application` or `after_test`.
    #[schema(value_type = String)]
    pub restore: RestoreMode,
    pub reason: String,
}

/// Suspend (暂停): not drawn until reinstated.
#[utoipa::path(post, path = "/api/v1/experts/{id}/suspend", tag = "experts", request_body = SuspendRequest,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ExpertView), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn suspend(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<SuspendRequest>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, DISCIPLINE, "suspend experts")?;
    let b = body.0;
    check_reason(&b.reason)?;
    // Input no status could accept is the caller's to fix (400), not a
    // conflict with the expert's state.
    if b.restore == RestoreMode::Automatic && b.until.is_none() {
        return Err(ApiError::bad_request(
            "until",
            "required",
            "an automatic suspension needs until, the day it no longer applies",
        ));
    }
    let today = today(&state);
    let from = b.from.unwrap_or(today);
    if b.until.is_some_and(|u| u <= from) {
        return Err(ApiError::bad_request(
            "until",
            "before_from",
            "until must be after from",
        ));
    }
    let cmd = Command::Suspend {
        from,
        until: b.until,
        restore: b.restore,
        reason: b.reason,
    };
    run_command(state, caller, id.into_inner(), cmd, today).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReinstateRequest {
    /// `{"kind":"automatic","on":"2026-12-01"}`, `{"kind":"application","reference":"…"}`
    /// or `{"kind":"test_passed","reference":"…"}`; must match the suspension.
    #[schema(value_type = Object)]
    pub via: ReinstateVia,
}

/// End a suspension the way it allows.
#[utoipa::path(post, path = "/api/v1/experts/{id}/reinstate", tag = "experts", request_body = ReinstateRequest,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ExpertView), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn reinstate(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<ReinstateRequest>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, DISCIPLINE, "reinstate experts")?;
    let via = body.0.via;
    if let ReinstateVia::Application { reference } | ReinstateVia::TestPassed { reference } = &via
        && reference.trim().is_empty()
    {
        return Err(ApiError::bad_request(
            "via/reference",
            "required",
            "name the approved application or the passed test",
        ));
    }
    let today = today(&state);
    let cmd = Command::Reinstate { via };
    run_command(state, caller, id.into_inner(), cmd, today).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireRequest {
    /// `age_limit`, `voluntary`, `term_not_renewed` or `{"other":"…"}`.
    #[schema(value_type = Object)]
    pub reason: RetireReason,
}

/// Retire (退出) without blame.
#[utoipa::path(post, path = "/api/v1/experts/{id}/retire", tag = "experts", request_body = RetireRequest,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ExpertView), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn retire(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<RetireRequest>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, DISCIPLINE, "retire experts")?;
    let today = today(&state);
    let cmd = Command::Retire {
        on: today,
        reason: body.0.reason,
    };
    run_command(state, caller, id.into_inner(), cmd, today).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveRequest {
    pub reason: String,
    /// First day a new application may be admitted; omit to bar for good.
    pub ban_until: Option<NaiveDate>,
}

/// Remove from the pool (清除出库): terminal, with a ban.
#[utoipa::path(post, path = "/api/v1/experts/{id}/remove", tag = "experts", request_body = RemoveRequest,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ExpertView), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn remove(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<RemoveRequest>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, DISCIPLINE, "remove experts")?;
    let b = body.0;
    check_reason(&b.reason)?;
    let today = today(&state);
    if b.ban_until.is_some_and(|u| u <= today) {
        return Err(ApiError::bad_request(
            "ban_until",
            "past",
            "ban_until must be in the future",
        ));
    }
    let cmd = Command::Remove {
        on: today,
        reason: b.reason,
        ban_until: b.ban_until,
    };
    run_command(state, caller, id.into_inner(), cmd, today).await
}

/// The re-review of a member whose term is ending (续聘复审). Approval
/// checks the admission rules again for the next term (later-term specialty
/// caps) and starts it; a rejection retires the expert (`term_not_renewed`).
#[utoipa::path(post, path = "/api/v1/experts/{id}/renewal", tag = "experts", request_body = AdmissionDecision,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ExpertView), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn renew(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<AdmissionDecision>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, DISCIPLINE, "decide renewals")?;
    let d = body.0;
    let policy = state.settings.policy.admission.clone();
    let today = today(&state);
    d.check_reasons()?;
    change_expert(state, caller, id.into_inner(), move |tx, actor, r| {
        let Some(term) = r.status.term().copied() else {
            return Err(ApiError::conflict(
                "not_a_member",
                format!("expert {} is {} and has no term to renew", r.id, r.status.kind().as_str()),
            ));
        };
        let cmd = match d.decision {
            DecisionKind::Approve => {
                let app = Application {
                    profile: r.profile.clone(),
                    documents: r.documents.clone(),
                    term_number: term.number + 1,
                };
                recheck(tx, &app, &policy, today)?;
                // The next term follows the current one without a gap.
                let start = term.end.max(today);
                let next = expert_core::lifecycle::Term::new(term.number + 1, start, policy.term_years)
                    .ok_or_else(|| ApiError::bad_request("decision", "invalid_term", "cannot compute the next term"))?;
                Command::Renew { term: next }
            }
            DecisionKind::Reject => Command::Retire { on: today, reason: RetireReason::TermNotRenewed },
        };
        let note = serde_json::json!({"renewal": matches!(d.decision, DecisionKind::Approve), "reasons": d.reasons});
        Ok(store::command(tx, actor, &r.id, &cmd, today, None, Some(note))?)
    })
    .await
}

/// A rejected applicant applies again (back to `applicant`).
#[utoipa::path(post, path = "/api/v1/experts/{id}/reapply", tag = "experts",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ExpertView), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn reapply(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    require(&caller, WRITE_CONTACT, "resubmit applications")?;
    let today = today(&state);
    run_command(state, caller, id.into_inner(), Command::Reapply, today).await
}

async fn run_command(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    cmd: Command,
    today: NaiveDate,
) -> Result<HttpResponse, ApiError> {
    change_expert(state, caller, id, move |tx, actor, r| {
        Ok(store::command(tx, actor, &r.id, &cmd, today, None, None)?)
    })
    .await
}

fn check_reason(reason: &str) -> Result<(), ApiError> {
    let n = reason.trim().chars().count();
    if n == 0 || n > 500 {
        return Err(ApiError::bad_request(
            "reason",
            "length",
            "reason must be 1 to 500 characters",
        ));
    }
    Ok(())
}
