//! The draw flow over HTTP: request and commit, reveal, the pseudonymous
//! panel, the sealed panel for those allowed to see it (each sealed read
//! logged), operator-entered declines and sign-in at the venue.
//!
//! Sealing: until the panel unseals, operators see pseudonyms (`P1`, …),
//! counts and states only — never expert ids, names or phones, in any
//! response or error message.

use actix_web::{FromRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::AppState;
use super::extract::Body;
use super::problem::{ApiError, FieldProblem, Problem};
use crate::auth::{Caller, Role};
use crate::draws::DrawRequest;
use crate::draws::request::{RequestError, check_policy};
use crate::store::audit;
use crate::store::draws::{
    self as store, Departure, DepartureInfo, DrawRow, FlowContext, InviteSettings, Placement,
    Replacement, member as member_state, state as draw_state,
};
use crate::store::{StoreError, tokens};

// One line per route: the route table test reads them from the source.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/draws", web::post().to(create))
        .route("/draws", web::get().to(list))
        .route("/draws/{id}", web::get().to(get))
        .route("/draws/{id}/reveal", web::post().to(reveal))
        .route("/draws/{id}/panel", web::get().to(panel))
        .route("/draws/{id}/members/{pseudonym}/decline", web::post().to(decline))
        .route("/draws/{id}/members/{pseudonym}/sign-in", web::post().to(sign_in));
}

/// A JSON body that may be left out entirely (no body, or an empty one);
/// when present it is parsed like [`Body`], naming the failing field.
#[derive(Debug)]
pub struct OptionalBody<T>(pub Option<T>);

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for OptionalBody<T> {
    type Error = ApiError;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, ApiError>>>>;

    fn from_request(
        req: &actix_web::HttpRequest,
        payload: &mut actix_web::dev::Payload,
    ) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|_| {
                ApiError::bad_request("body", "unreadable", "the request body could not be read")
            })?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalBody(None));
            }
            super::extract::parse_json(&bytes).map(|v| OptionalBody(Some(v)))
        })
    }
}

impl From<RequestError> for FieldProblem {
    fn from(e: RequestError) -> Self {
        FieldProblem {
            field: e.field,
            rule: e.rule.to_owned(),
            message: e.message_zh,
            message_en: e.message_en,
        }
    }
}

fn refuse(e: RequestError) -> ApiError {
    ApiError::validation(vec![e.into()])
}

impl AppState {
    /// The flow's settings, shared by handlers and the worker.
    pub fn flow(&self) -> FlowContext {
        flow_context(&self.settings, self.signer.clone())
    }
}

pub fn flow_context(
    settings: &crate::config::Settings,
    signer: std::sync::Arc<crate::keys::KeyRing>,
) -> FlowContext {
    let p = &settings.policy;
    FlowContext {
        cfg: p.draw.clone(),
        invite: InviteSettings {
            public_base_url: p.notify.public_base_url.clone(),
            answer_deadline: chrono::Duration::seconds(i64::from(p.draw.answer_deadline_seconds)),
        },
        signer,
        origin: settings.log_origin.clone(),
    }
}

// --- access -----------------------------------------------------------------

/// Operators act on their own region's draws, admins on all.
pub(super) fn may_operate(caller: &Caller, draw: &DrawRow) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin => Ok(()),
        Role::Operator if caller.reaches(&draw.region) => Ok(()),
        Role::Operator => Err(ApiError::not_found("draw", &draw.id)),
        _ => Err(ApiError::forbidden(format!(
            "role {} may not act on draws",
            caller.role
        ))),
    }
}

/// Operators of the region, supervisors and admins read draws.
pub(super) fn may_read(caller: &Caller, draw: &DrawRow) -> Result<(), ApiError> {
    match caller.role {
        Role::Admin | Role::Supervisor => Ok(()),
        Role::Operator if caller.reaches(&draw.region) => Ok(()),
        Role::Operator => Err(ApiError::not_found("draw", &draw.id)),
        Role::Regulator => Err(ApiError::forbidden("regulators do not read draws")),
    }
}

// --- views ------------------------------------------------------------------

/// One member as everyone allowed to read the draw sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub pseudonym: String,
    pub group: i32,
    /// `primary` or `reserve`: how the draw named them.
    pub drawn_as: String,
    pub state: String,
    pub seat: bool,
    /// The member's latest invitation, if invited.
    pub invitation: Option<InvitationProgress>,
}

/// An invitation's progress, without any identity.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationProgress {
    pub deadline: DateTime<Utc>,
    /// `accept`, `decline`, `no_answer`, `cancelled`; none while open.
    pub answer: Option<String>,
    /// Whether the notification channel took the message.
    pub delivered: bool,
    pub delivery_attempts: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupView {
    pub specialty: String,
    pub count: u64,
    pub reserve: u64,
    pub seated: usize,
}

/// A draw without sealed data.
#[derive(Debug, Serialize, ToSchema)]
pub struct DrawView {
    pub id: String,
    pub panel_id: String,
    pub parent: Option<String>,
    pub state: String,
    pub project_id: String,
    pub region: String,
    pub bid_section: String,
    pub evaluation_start: DateTime<Utc>,
    pub evaluation_end: DateTime<Utc>,
    pub venue: String,
    pub statement_hash: String,
    pub nonce_commitment: String,
    pub candidate_count: i32,
    #[schema(value_type = Object)]
    pub excluded: Value,
    #[schema(value_type = Option<Vec<Object>>)]
    pub shortfall: Option<Value>,
    pub seed: Option<String>,
    pub sealed: bool,
    pub groups: Vec<GroupView>,
    pub members: Vec<MemberView>,
    /// The checkpoint signed right after the commit (on create only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
    /// Supplementary draws filling this panel.
    pub supplementary: Vec<String>,
}

fn draw_view(
    d: &DrawRow,
    members: &[store::MemberRow],
    invitations: &std::collections::BTreeMap<String, store::InvitationStatus>,
    supplementary: Vec<String>,
    now: DateTime<Utc>,
) -> DrawView {
    // The request as stored names the statement's groups; the statement
    // itself (every candidate) is not parsed for a view.
    let request: Value = serde_json::from_str(&d.request).unwrap_or(Value::Null);
    let groups = request["panel"]
        .as_array()
        .map(|gs| {
            gs.iter()
                .enumerate()
                .map(|(i, g)| GroupView {
                    specialty: g["specialty"].as_str().unwrap_or_default().to_owned(),
                    count: g["count"].as_u64().unwrap_or(0),
                    reserve: g["reserve"].as_u64().unwrap_or(0),
                    seated: members
                        .iter()
                        .filter(|m| m.seat && usize::try_from(m.group_index).ok() == Some(i))
                        .count(),
                })
                .collect()
        })
        .unwrap_or_default();
    DrawView {
        id: d.id.clone(),
        panel_id: d.panel_id.clone(),
        parent: d.parent.clone(),
        state: d.state.clone(),
        project_id: d.project_id.clone(),
        region: d.region.clone(),
        bid_section: d.bid_section.clone(),
        evaluation_start: d.start(),
        evaluation_end: d.end(),
        venue: d.venue.clone(),
        statement_hash: d.statement_hash.clone(),
        nonce_commitment: d.nonce_commitment.clone(),
        candidate_count: d.candidate_count,
        excluded: d.excluded_counts(),
        shortfall: d.shortfall_list(),
        seed: d.seed.clone(),
        sealed: d.sealed(now),
        groups,
        members: members
            .iter()
            .map(|m| MemberView {
                pseudonym: m.pseudonym.clone(),
                group: m.group_index,
                drawn_as: m.drawn_as.clone(),
                state: m.state.clone(),
                seat: m.seat,
                invitation: invitations.get(&m.expert_id).map(|i| InvitationProgress {
                    deadline: i.deadline,
                    answer: i.answer.clone(),
                    delivered: i.delivered,
                    delivery_attempts: i.attempts,
                }),
            })
            .collect(),
        checkpoint: None,
        supplementary,
    }
}

fn load_view(
    conn: &mut crate::db::DbConn,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(DrawRow, DrawView), ApiError> {
    let d = store::get(conn, id)?;
    let members: Vec<store::MemberRow> = store::members(conn, &d.panel_id)?
        .into_iter()
        .filter(|m| m.draw_id == d.id || d.panel_id == d.id)
        .collect();
    let supplementary = if d.panel_id == d.id {
        store::list_panel_draws(conn, &d.id)?
    } else {
        Vec::new()
    };
    let invitations = store::invitation_statuses(conn, &d.panel_id)?;
    let view = draw_view(&d, &members, &invitations, supplementary, now);
    Ok((d, view))
}

// --- handlers -----------------------------------------------------------------

/// Request a draw (抽取申请): the statement is built from the live pool
/// under the hard filters, the nonce drawn from the OS, `draw.commit`
/// logged and a checkpoint signed before this answers.
#[utoipa::path(post, path = "/api/v1/draws", tag = "draws", request_body = DrawRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, body = DrawView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<DrawRequest>,
) -> Result<HttpResponse, ApiError> {
    if !caller.is(&[Role::Admin, Role::Operator]) {
        return Err(ApiError::forbidden(format!(
            "role {} may not request draws",
            caller.role
        )));
    }
    let req = body.0;
    if !caller.reaches(&req.project.region) {
        return Err(ApiError::forbidden(
            "operators request draws for their own region's projects only",
        )
        .with_field("project/region"));
    }
    let problems = req.check();
    if !problems.is_empty() {
        return Err(ApiError::validation(
            problems.into_iter().map(FieldProblem::from).collect(),
        ));
    }
    let cfg = state.settings.policy.draw.clone();
    req.check_committee(&cfg.committee).map_err(refuse)?;
    let now = state.now();
    req.check_window(&cfg, now).map_err(refuse)?;
    let policy = req.effective_policy(&cfg);
    check_policy(&policy).map_err(refuse)?;
    if let (Some(field), None) = (policy.loosened.first(), &req.approval) {
        return Err(refuse(RequestError {
            field: (*field).to_owned(),
            rule: "loosening_needs_approval",
            message_zh: "放宽抽取规则须经监督人员批准".into(),
            message_en: "loosening the centre's policy needs a supervisor's approval (approval)"
                .into(),
        }));
    }
    let actor = caller.actor();
    let flow = state.flow();
    let facts = state.draw_facts.clone();
    let (draw, checkpoint) = state
        .db(move |conn| {
            // The approval is checked against the token store, never trusted.
            let approver = match &req.approval {
                Some(a) => {
                    let who = tokens::authenticate(conn, &a.supervisor_token, now)?;
                    match who {
                        Ok(c) if c.role == Role::Supervisor => Some(c),
                        _ => {
                            return Err(ApiError::forbidden(
                                "the approval's token is not a valid supervisor token",
                            )
                            .with_field("approval/supervisor_token"));
                        }
                    }
                }
                None => None,
            };
            // The pool is read before the log head is locked (reading it
            // is most of a draw's work); the commit brings it up to date.
            let ctx = store::filter_context(&req, &flow.cfg);
            let mut pool = facts.pool(conn, &ctx)?;
            pool.prepare()?;
            let out = audit::write(conn, now, |tx| {
                let parent = match &req.parent {
                    Some(p) => {
                        let parent = store::get(tx.conn, p).map_err(|_| {
                            ApiError::bad_request("parent", "unknown_draw", "the parent draw does not exist")
                        })?;
                        if parent.project_id != req.project.id
                            || parent.bid_section != req.project.bid_section
                        {
                            return Err(ApiError::conflict(
                                "parent_mismatch",
                                "the parent draw is for another project or bid section",
                            )
                            .with_field("parent"));
                        }
                        if parent.state != draw_state::SHORT {
                            return Err(ApiError::conflict(
                                "parent_not_short",
                                format!("the parent draw is {}; only a short draw is redrawn", parent.state),
                            )
                            .with_field("parent"));
                        }
                        Some(parent.id)
                    }
                    None => None,
                };
                let open = store::open_draw(tx.conn, &req.project.id, &req.project.bid_section)?;
                if let (Some(open), None) = (&open, &approver) {
                    return Err(ApiError::conflict(
                        "open_draw",
                        format!(
                            "draw {open} for this project and bid section is committed and not revealed; reveal it, or give a supervisor's approval"
                        ),
                    )
                    .with_field("approval"));
                }
                let placement = Placement {
                    parent: parent.clone(),
                    supplementary: None,
                };
                let draw =
                    store::commit(tx, &actor, &req, &policy, &flow.cfg, &ctx, &placement, pool)?;
                if let (Some(a), Some(by)) = (&req.approval, &approver) {
                    if !policy.loosened.is_empty() {
                        tx.append(
                            "draw.approve_relaxation",
                            &actor,
                            Some(&draw.id),
                            json!({
                                "draw_id": draw.id,
                                "parent": parent,
                                "supervisor_token_id": by.token_id,
                                "reason": a.reason,
                                "loosened": policy.loosened,
                            }),
                        )?;
                    }
                    if let Some(open) = &open {
                        tx.append(
                            "draw.approve_concurrent",
                            &actor,
                            Some(&draw.id),
                            json!({
                                "draw_id": draw.id,
                                "open_draw": open,
                                "supervisor_token_id": by.token_id,
                                "reason": a.reason,
                            }),
                        )?;
                    }
                }
                if let Some(p) = &parent {
                    store::supersede(tx, &actor, p, &draw.id)?;
                }
                let checkpoint =
                    store::sign_checkpoint(tx, (flow.signer.as_ref(), flow.origin.as_str()))?;
                Ok::<_, ApiError>((draw, checkpoint))
            })?;
            Ok(out)
        })
        .await?;
    let mut view = draw_view(&draw, &[], &Default::default(), Vec::new(), now);
    view.checkpoint = Some(checkpoint);
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
}

/// Draws of the caller's region (all for supervisors and admins), newest
/// first, without sealed data.
#[utoipa::path(get, path = "/api/v1/draws", tag = "draws", params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<DrawView>),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let region = match caller.role {
        Role::Admin | Role::Supervisor => None,
        Role::Operator => caller.region.clone(),
        Role::Regulator => return Err(ApiError::forbidden("regulators do not read draws")),
    };
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::bad_request(
            "limit",
            "range",
            "limit must be between 1 and 200",
        ));
    }
    let now = state.now();
    let views = state
        .db(move |conn| {
            let rows = store::list(conn, region.as_deref(), i64::from(limit))?;
            rows.iter()
                .map(|d| Ok(load_view(conn, &d.id, now)?.1))
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}

/// One draw: state, hashes, counts and the members by pseudonym.
#[utoipa::path(get, path = "/api/v1/draws/{id}", tag = "draws", security(("bearer" = [])),
    params(("id" = String, Path, description = "Draw id, D-YYYY-NNNNNN")),
    responses((status = 200, body = DrawView),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.now();
    let (d, view) = state.db(move |conn| load_view(conn, &id, now)).await?;
    may_read(&caller, &d)?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealInput {
    /// Public randomness known only after the commitment (a beacon round,
    /// numbers read out by the supervisor); empty by default.
    #[serde(default)]
    pub beacon: String,
}

/// Reveal (开标抽取): `draw.reveal` with the statement, nonce, beacon, seed
/// and result; the panel is stored and the primaries invited. A short draw
/// is recorded as `short` with the groups it misses.
#[utoipa::path(post, path = "/api/v1/draws/{id}/reveal", tag = "draws", request_body = RevealInput,
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = DrawView),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn reveal(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: OptionalBody<RevealInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let beacon = body.0.unwrap_or_default().beacon;
    if beacon.chars().count() > 1000 {
        return Err(ApiError::bad_request(
            "beacon",
            "too_long",
            "beacon must be at most 1000 characters",
        ));
    }
    let now = state.now();
    let actor = caller.actor();
    let flow = state.flow();
    let view = state
        .db(move |conn| {
            let d = store::get(conn, &id)?;
            may_operate(&caller, &d)?;
            if d.is_supplementary() {
                return Err(ApiError::conflict(
                    "supplementary",
                    "a supplementary draw is revealed by the service itself",
                ));
            }
            // A seat is a booking: seats clashing with a draw revealed since
            // this one's commit leave by SPEC §6 in the same transaction.
            let pending = audit::write(conn, now, |tx| {
                let r = store::reveal(tx, &actor, &id, &beacon, &flow.invite)?;
                crate::store::bookings::release_clashes(tx, &actor, &r.draw.panel_id, &flow)
            })?;
            crate::store::bookings::reveal_supplementary(conn, now, pending, &flow)?;
            Ok(load_view(conn, &id, now)?.1)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// A panel member with identity, for those allowed to see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SealedMemberView {
    pub pseudonym: String,
    pub expert_id: String,
    pub name: String,
    /// Masked unless the caller is an admin.
    pub mobile: String,
    pub group: i32,
    pub drawn_as: String,
    pub state: String,
    pub seat: bool,
    /// The draw that named this member (a supplementary draw's id, or the
    /// panel's own).
    pub draw_id: String,
}

/// The panel with names. Supervisors and admins may read it while sealed
/// (each read is logged as `panel.view`); operators only once it has
/// unsealed (every member signed in, or the evaluation has started).
#[utoipa::path(get, path = "/api/v1/draws/{id}/panel", tag = "draws", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<SealedMemberView>),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn panel(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.now();
    let actor = caller.actor();
    let views = state
        .db(move |conn| {
            let d = store::get(conn, &id)?;
            may_read(&caller, &d)?;
            let root = store::get(conn, &d.panel_id)?;
            let sealed = root.sealed(now);
            if sealed && caller.role == Role::Operator {
                return Err(ApiError::forbidden(
                    "the panel is sealed until every member has signed in or the evaluation has started",
                ));
            }
            let members = store::members(conn, &root.id)?;
            let ids: Vec<String> = members.iter().map(|m| m.expert_id.clone()).collect();
            let who = store::identities(conn, &ids)?;
            if sealed {
                audit::write(conn, now, |tx| store::log_view(tx, &actor, &root.id, "panel"))?;
            }
            Ok(members
                .into_iter()
                .map(|m| {
                    let (name, mobile) = who.get(&m.expert_id).cloned().unwrap_or_default();
                    SealedMemberView {
                        mobile: if caller.sees_personal_data() {
                            mobile
                        } else {
                            expert_core::identity::mask_mobile(&mobile)
                        },
                        pseudonym: m.pseudonym,
                        expert_id: m.expert_id,
                        name,
                        group: m.group_index,
                        drawn_as: m.drawn_as,
                        state: m.state,
                        seat: m.seat,
                        draw_id: m.draw_id,
                    }
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(views))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorDecline {
    /// Where the answer is recorded (call log id, recording reference).
    pub evidence: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub conflict_of_interest: bool,
}

/// What a departure led to, by pseudonym only.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepartureView {
    pub pseudonym: String,
    /// The reserve who takes the seat.
    pub replacement: Option<String>,
    /// The supplementary draw committed when no reserve qualified.
    pub supplementary_draw: Option<String>,
}

async fn run_departure(
    state: web::Data<AppState>,
    caller: Caller,
    id: String,
    pseudonym: String,
    info: DepartureInfo,
) -> Result<HttpResponse, ApiError> {
    let now = state.now();
    let actor = caller.actor();
    let flow = state.flow();
    let view = state
        .db(move |conn| {
            let d = store::get(conn, &id)?;
            may_operate(&caller, &d)?;
            if d.panel_id != d.id {
                return Err(ApiError::bad_request(
                    "id",
                    "not_a_panel",
                    format!("use the panel's own draw {}", d.panel_id),
                ));
            }
            let m = store::member_by_pseudonym(conn, &d.id, &pseudonym)?;
            let r = store::depart_and_fill(conn, now, &actor, &d.id, &m.expert_id, &info, &flow)
                .map_err(|e| match e {
                    StoreError::Conflict { rule, message } => ApiError::conflict(rule, message),
                    other => ApiError::from(other),
                })?;
            let (replacement, supplementary_draw) = match r {
                Replacement::Reserve(p) => (Some(p), None),
                Replacement::Supplementary(id) => {
                    let joined = store::members(conn, &d.id)?
                        .into_iter()
                        .find(|m| m.draw_id == id && m.seat)
                        .map(|m| m.pseudonym);
                    (joined, Some(id))
                }
            };
            Ok(DepartureView {
                pseudonym: m.pseudonym,
                replacement,
                supplementary_draw,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Record a decline taken by phone (operator-entered, with evidence); the
/// replacement of SPEC §6 follows automatically.
#[utoipa::path(post, path = "/api/v1/draws/{id}/members/{pseudonym}/decline", tag = "draws",
    request_body = OperatorDecline, security(("bearer" = [])),
    params(("id" = String, Path), ("pseudonym" = String, Path)),
    responses((status = 200, body = DepartureView),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn decline(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: Body<OperatorDecline>,
) -> Result<HttpResponse, ApiError> {
    let (id, pseudonym) = path.into_inner();
    let b = body.0;
    if b.evidence.trim().is_empty() || b.evidence.chars().count() > 500 {
        return Err(ApiError::bad_request(
            "evidence",
            "required",
            "an operator-entered decline needs an evidence reference (1-500 characters)",
        ));
    }
    let info = DepartureInfo {
        why: if b.conflict_of_interest {
            Departure::ConflictOfInterest
        } else {
            Departure::Declined
        },
        reason: b.reason,
        evidence: Some(b.evidence),
    };
    run_departure(state, caller, id, pseudonym, info).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInInput {
    /// A conflict of interest found at sign-in: the member is replaced and
    /// their work is void.
    #[serde(default)]
    pub conflict: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignInView {
    pub pseudonym: String,
    pub state: String,
    pub unsealed: bool,
}

/// Sign-in at the venue (签到). When every seat is signed in the panel
/// unseals (`panel.unseal`).
#[utoipa::path(post, path = "/api/v1/draws/{id}/members/{pseudonym}/sign-in", tag = "draws",
    request_body = SignInInput, security(("bearer" = [])),
    params(("id" = String, Path), ("pseudonym" = String, Path)),
    responses((status = 200, body = SignInView),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn sign_in(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: OptionalBody<SignInInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, pseudonym) = path.into_inner();
    if let Some(reason) = body.0.unwrap_or_default().conflict {
        if reason.trim().is_empty() {
            return Err(ApiError::bad_request(
                "conflict",
                "required",
                "name the conflict",
            ));
        }
        let info = DepartureInfo {
            why: Departure::ConflictAtSignIn,
            reason: Some(reason),
            evidence: None,
        };
        return run_departure(state, caller, id, pseudonym, info).await;
    }
    let now = state.now();
    let actor = caller.actor();
    let view = state
        .db(move |conn| {
            let d = store::get(conn, &id)?;
            may_operate(&caller, &d)?;
            let unsealed = audit::write(conn, now, |tx| {
                store::sign_in(tx, &actor, &d.id, &pseudonym)
            })?;
            Ok(SignInView {
                pseudonym,
                state: member_state::SIGNED_IN.to_owned(),
                unsealed,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
