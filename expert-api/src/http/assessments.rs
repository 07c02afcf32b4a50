//! Per-bid assessment (一标一评) over HTTP. The on-site supervisor (a
//! supervisor token reaching the project's region) scores each member who
//! served; the tenderer's representative, who has no account, scores
//! through a one-time rating link the region's operator issues for the
//! panel. Staff read the sheets and what is still owed.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use expert_core::discipline::{
    AssessmentConfig, AssessmentSheet, Rater, RaterRole, ScoringItem, WorkCalendar,
    effective_sheets, missing_sheets,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::draws::may_operate;
use super::extract::Body;
use super::problem::{ApiError, Problem};
use crate::auth::{Caller, Role};
use crate::db::DbConn;
use crate::draws::filter::china_date;
use crate::store::assessments::{self as store, LinkRow, Rules, SheetRow};
use crate::store::draws::{self as draws_store, DrawRow};
use crate::store::{audit, awards, from_db_time};

// One line per route: the route table test reads them from the source.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/draws/{id}/rating-links", web::post().to(issue_link))
        .route("/draws/{id}/assessments", web::post().to(submit))
        .route("/draws/{id}/assessments", web::get().to(list))
        .route("/draws/{id}/assessments/missing", web::get().to(missing))
        .route("/rate/{token}", web::get().to(show_link))
        .route("/rate/{token}", web::post().to(rate));
}

/// One sheet as submitted: a score per item, a whole number in `0..=max`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetInput {
    pub expert_id: String,
    /// Item code → score.
    pub scores: BTreeMap<String, u32>,
    #[serde(default)]
    pub comment: String,
    /// 1 for a new sheet; a correction gives the latest version + 1.
    #[serde(default = "first_version")]
    pub version: u32,
    /// Required for a correction.
    #[serde(default)]
    pub correction_reason: Option<String>,
}

fn first_version() -> u32 {
    1
}

/// A sheet through a rating link: the panel's draw is named, so a link
/// used for another panel is refused as a rater not entitled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateInput {
    pub draw_id: String,
    pub expert_id: String,
    pub scores: BTreeMap<String, u32>,
    #[serde(default)]
    pub comment: String,
    #[serde(default = "first_version")]
    pub version: u32,
    #[serde(default)]
    pub correction_reason: Option<String>,
}

/// One stored version of a sheet.
#[derive(Debug, Serialize, ToSchema)]
pub struct SheetView {
    pub draw_id: String,
    pub expert_id: String,
    /// `on_site_supervisor` or `tenderer_representative`.
    pub rater_role: String,
    /// The supervisor's token id, or the rating link's id.
    pub rater_id: String,
    pub version: u32,
    pub scores: BTreeMap<String, u32>,
    pub total: u32,
    /// The total as a whole percentage of the items' maximum.
    pub percent: i32,
    pub comment: String,
    pub correction_reason: Option<String>,
    pub submitted_on: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

fn sheet_view(row: &SheetRow) -> Result<SheetView, ApiError> {
    let sheet = row.sheet()?;
    Ok(view_of(&sheet, row.percent, from_db_time(row.recorded_at)))
}

fn view_of(sheet: &AssessmentSheet, percent: i32, recorded_at: DateTime<Utc>) -> SheetView {
    SheetView {
        draw_id: sheet.draw_id.clone(),
        expert_id: sheet.expert_id.clone(),
        rater_role: sheet.rater.role.as_str().to_owned(),
        rater_id: sheet.rater.rater_id.clone(),
        version: sheet.version,
        total: sheet.total(),
        scores: sheet.scores.clone(),
        percent,
        comment: sheet.comment.clone(),
        correction_reason: sheet.correction_reason.clone(),
        submitted_on: sheet.submitted_on,
        recorded_at,
    }
}

/// Settings the handlers check against.
fn rules_of(state: &AppState) -> (AssessmentConfig, WorkCalendar) {
    (
        state.settings.policy.assessment.clone(),
        state.settings.policy.work_calendar(),
    )
}

/// The panel's own draw, or 400 naming `id` for a supplementary draw.
fn panel_draw(conn: &mut DbConn, id: &str) -> Result<DrawRow, ApiError> {
    let d = draws_store::get(conn, id)?;
    if d.panel_id != d.id {
        return Err(ApiError::bad_request(
            "id",
            "not_a_panel",
            format!(
                "assessments are kept on the panel's own draw {}",
                d.panel_id
            ),
        ));
    }
    Ok(d)
}

/// Refused unless the evaluation is over.
fn evaluation_over(d: &DrawRow, now: DateTime<Utc>) -> Result<(), ApiError> {
    if d.result.is_none() || now < d.end() {
        return Err(ApiError::conflict(
            "evaluation_not_over",
            format!(
                "draw {} has no finished evaluation; members are assessed after it",
                d.id
            ),
        ));
    }
    Ok(())
}

fn deadline_or_error(
    d: &DrawRow,
    config: &AssessmentConfig,
    calendar: &WorkCalendar,
) -> Result<NaiveDate, ApiError> {
    store::deadline(d, config, calendar)
        .ok_or_else(|| ApiError::internal(&format!("no assessment deadline for draw {}", d.id)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkIssued {
    pub id: String,
    pub draw_id: String,
    /// The link to hand to the tenderer's representative; shown once.
    pub link: String,
    /// The secret in the link; shown once, only its hash is kept.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Issue a one-time rating link for the tenderer's representative of a
/// panel (the region's operators and admins), once the panel is unsealed
/// (every member signed in, or the evaluation started). It lets its holder
/// submit and correct sheets for this panel only, until the end of the
/// assessment deadline (working days after the evaluation day). Logged as
/// `panel.rating_link` with the link's id, never the token.
#[utoipa::path(post, path = "/api/v1/draws/{id}/rating-links", tag = "assessments",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The panel's own draw id")),
    responses(
        (status = 201, body = LinkIssued),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Sealed, or the deadline has passed", body = Problem, content_type = "application/problem+json")))]
pub async fn issue_link(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.now();
    let actor = caller.actor();
    let (config, calendar) = rules_of(&state);
    let base = state.settings.policy.notify.public_base_url.clone();
    let issued = state
        .db(move |conn| {
            let d = panel_draw(conn, &id)?;
            may_operate(&caller, &d)?;
            if d.result.is_none() || d.sealed(now) {
                return Err(ApiError::conflict(
                    "sealed",
                    "a rating link is issued after every member signed in or the evaluation started",
                ));
            }
            let deadline = deadline_or_error(&d, &config, &calendar)?;
            let expires_at = store::end_of_china_day(deadline);
            if expires_at <= now {
                return Err(ApiError::conflict(
                    "deadline_passed",
                    format!("the assessment deadline {deadline} has passed"),
                ));
            }
            Ok(audit::write(conn, now, |tx| {
                store::issue_link(tx, &actor, &d, expires_at)
            })?)
        })
        .await?;
    Ok(HttpResponse::Created().json(LinkIssued {
        link: format!(
            "{}/api/v1/rate/{}",
            base.trim_end_matches('/'),
            issued.token
        ),
        id: issued.row.id.clone(),
        draw_id: issued.row.panel_id.clone(),
        token: issued.token,
        expires_at: from_db_time(issued.row.expires_at),
    }))
}

/// Who submits a sheet, and who may.
struct By<'a> {
    actor: &'a str,
    rater: Rater,
    entitled: &'a [Rater],
}

/// Store one sheet for `d` by `by.rater`.
fn store_sheet(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    d: &DrawRow,
    by: By<'_>,
    input: SheetInput,
    (config, calendar): (&AssessmentConfig, &WorkCalendar),
) -> Result<SheetView, ApiError> {
    let By {
        actor,
        rater,
        entitled,
    } = by;
    let today = china_date(now);
    let sheet = AssessmentSheet {
        draw_id: d.id.clone(),
        expert_id: input.expert_id,
        rater,
        version: input.version,
        scores: input.scores,
        comment: input.comment.trim().to_owned(),
        correction_reason: input
            .correction_reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty()),
        submitted_on: today,
    };
    let rules = Rules {
        config,
        calendar,
        entitled,
        today,
    };
    let row = audit::write(conn, now, |tx| store::submit(tx, actor, d, &sheet, &rules))?;
    sheet_view(&row)
}

/// Submit or correct the on-site supervisor's sheet for one member who
/// served (supervisors reaching the project's region; a supervisor bound to
/// another region finds no such draw). Every item needs a whole score in
/// `0..=max`; a correction is the next version with a reason, never an
/// overwrite; nothing is accepted after the deadline. Each sheet is a
/// `panel.assessment` entry (ids, scores and the sheet's hash; no text).
#[utoipa::path(post, path = "/api/v1/draws/{id}/assessments", tag = "assessments",
    request_body = SheetInput, security(("bearer" = [])),
    params(("id" = String, Path, description = "The panel's own draw id")),
    responses(
        (status = 201, body = SheetView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The evaluation is not over", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A score outside the scale, an expert not on the panel, a version out of turn, the deadline passed", body = Problem, content_type = "application/problem+json")))]
pub async fn submit(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<SheetInput>,
) -> Result<HttpResponse, ApiError> {
    if caller.role != Role::Supervisor {
        return Err(ApiError::forbidden(
            "the on-site supervisor's sheet is submitted by a supervisor",
        ));
    }
    let id = id.into_inner();
    let input = body.0;
    let now = state.now();
    let actor = caller.actor();
    let (config, calendar) = rules_of(&state);
    let view = state
        .db(move |conn| {
            let d = panel_draw(conn, &id)?;
            if !caller.reaches(&d.region) {
                return Err(ApiError::not_found("draw", &d.id));
            }
            evaluation_over(&d, now)?;
            let rater = Rater {
                role: RaterRole::OnSiteSupervisor,
                rater_id: caller.token_id.clone(),
            };
            let entitled = [rater.clone()];
            let by = By {
                actor: &actor,
                rater,
                entitled: &entitled,
            };
            store_sheet(conn, now, &d, by, input, (&config, &calendar))
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SheetsView {
    pub draw_id: String,
    pub evaluation_on: NaiveDate,
    /// The last day a sheet is accepted.
    pub deadline: NaiveDate,
    /// The latest version of every sheet, by expert and rater.
    pub effective: Vec<SheetView>,
    /// Every version, by expert, rater and version.
    pub versions: Vec<SheetView>,
}

/// Staff who read a panel's assessments: every role, a caller bound to
/// another region finding nothing.
fn readable(conn: &mut DbConn, caller: &Caller, id: &str) -> Result<DrawRow, ApiError> {
    let d = panel_draw(conn, id)?;
    if !caller.reaches(&d.region) {
        return Err(ApiError::not_found("draw", &d.id));
    }
    Ok(d)
}

/// Every sheet of a panel, each version and the effective (latest) ones.
/// Staff of every role read them; a caller bound to another region gets 404.
#[utoipa::path(get, path = "/api/v1/draws/{id}/assessments", tag = "assessments",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The panel's own draw id")),
    responses(
        (status = 200, body = SheetsView),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (config, calendar) = rules_of(&state);
    let view = state
        .db(move |conn| {
            let d = readable(conn, &caller, &id)?;
            let rows = store::sheets(conn, &d.id)?;
            let versions = rows.iter().map(sheet_view).collect::<Result<Vec<_>, _>>()?;
            let sheets = rows
                .iter()
                .map(SheetRow::sheet)
                .collect::<Result<Vec<_>, _>>()?;
            let latest = effective_sheets(&sheets)
                .map_err(|e| ApiError::internal(&format!("sheets of {}: {e}", d.id)))?;
            let effective = latest
                .into_iter()
                .map(|s| {
                    let row = rows.iter().find(|r| {
                        r.expert_id == s.expert_id
                            && r.rater_id == s.rater.rater_id
                            && r.rater_role == s.rater.role.as_str()
                            && i64::from(r.version) == i64::from(s.version)
                    });
                    row.map_or_else(
                        || Err(ApiError::internal(&"an effective sheet without its row")),
                        sheet_view,
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(SheetsView {
                draw_id: d.id.clone(),
                evaluation_on: store::evaluation_on(&d),
                deadline: deadline_or_error(&d, &config, &calendar)?,
                effective,
                versions,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Owed {
    pub expert_id: String,
    /// `on_site_supervisor` or `tenderer_representative`.
    pub rater_role: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MissingView {
    pub draw_id: String,
    pub evaluation_on: NaiveDate,
    pub deadline: NaiveDate,
    pub deadline_passed: bool,
    /// Each member who served without a sheet from a rater of each role.
    pub missing: Vec<Owed>,
}

/// The sheets a panel still owes: for each member who served and each
/// configured rater role, whether any rater of that role has scored them
/// (a role is one seat: any supervisor's sheet, any of the panel's links').
#[utoipa::path(get, path = "/api/v1/draws/{id}/assessments/missing", tag = "assessments",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The panel's own draw id")),
    responses(
        (status = 200, body = MissingView),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn missing(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.now();
    let (config, calendar) = rules_of(&state);
    let view = state
        .db(move |conn| {
            let d = readable(conn, &caller, &id)?;
            let served = awards::served(conn, &d.id)?;
            // One seat per role: a sheet counts for its role whoever gave it.
            let seat = |role: RaterRole| Rater {
                role,
                rater_id: role.as_str().to_owned(),
            };
            let sheets = store::sheets(conn, &d.id)?
                .iter()
                .map(|r| {
                    r.sheet().map(|mut s| {
                        s.rater = seat(s.rater.role);
                        s
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let seats: Vec<Rater> = config.raters.iter().map(|r| seat(*r)).collect();
            let deadline = deadline_or_error(&d, &config, &calendar)?;
            Ok(MissingView {
                missing: missing_sheets(&served, &seats, &sheets, &d.id)
                    .into_iter()
                    .map(|(expert_id, rater)| Owed {
                        expert_id,
                        rater_role: rater.role.as_str().to_owned(),
                    })
                    .collect(),
                draw_id: d.id.clone(),
                evaluation_on: store::evaluation_on(&d),
                deadline_passed: china_date(now) > deadline,
                deadline,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

// --- the representative's link ---------------------------------------------

fn unknown_link() -> ApiError {
    ApiError::not_found("rating link", "for this link")
}

fn link_row(conn: &mut DbConn, token: &str) -> Result<LinkRow, ApiError> {
    if token.len() > 100 {
        return Err(unknown_link());
    }
    store::link_by_token(conn, token)?.ok_or_else(unknown_link)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RatedMember {
    pub expert_id: String,
    pub pseudonym: String,
    pub name: String,
}

/// What the representative sees: the panel they sat with, the items, the
/// deadline and their own sheets so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    pub draw_id: String,
    pub venue: String,
    pub evaluation_end: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub expired: bool,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<ScoringItem>,
    pub members: Vec<RatedMember>,
    /// The latest version of each sheet given through this link.
    pub sheets: Vec<SheetView>,
}

/// Show a rating link: the members who served (names, as the
/// representative met them; none once the link expired), the items and
/// scales, the deadline, and the sheets already given through it.
#[utoipa::path(get, path = "/api/v1/rate/{token}", tag = "assessments",
    params(("token" = String, Path, description = "The token of the rating link")),
    responses((status = 200, body = LinkView),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn show_link(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let now = state.now();
    let config = state.settings.policy.assessment.clone();
    let view = state
        .db(move |conn| {
            let link = link_row(conn, &token)?;
            let d = draws_store::get(conn, &link.panel_id)?;
            // Names only while the link may score.
            let served = if link.live_at(now) {
                awards::served(conn, &d.id)?
            } else {
                Vec::new()
            };
            let who = draws_store::identities(conn, &served)?;
            let members = draws_store::members(conn, &d.id)?
                .into_iter()
                .filter(|m| served.contains(&m.expert_id))
                .map(|m| RatedMember {
                    name: who
                        .get(&m.expert_id)
                        .map(|(name, _)| name.clone())
                        .unwrap_or_default(),
                    expert_id: m.expert_id,
                    pseudonym: m.pseudonym,
                })
                .collect();
            let rows: Vec<SheetRow> = store::sheets(conn, &d.id)?
                .into_iter()
                .filter(|r| r.rater_id == link.id)
                .collect();
            let sheets = rows
                .iter()
                .map(SheetRow::sheet)
                .collect::<Result<Vec<_>, _>>()?;
            let latest = effective_sheets(&sheets)
                .map_err(|e| ApiError::internal(&format!("sheets of link {}: {e}", link.id)))?;
            let sheets = latest
                .into_iter()
                .map(|s| {
                    let percent = s
                        .percent(&config)
                        .map_or(0, |p| i32::try_from(p).unwrap_or(0));
                    let at = rows
                        .iter()
                        .find(|r| {
                            r.expert_id == s.expert_id
                                && i64::from(r.version) == i64::from(s.version)
                        })
                        .map_or(now, |r| from_db_time(r.recorded_at));
                    view_of(s, percent, at)
                })
                .collect();
            Ok(LinkView {
                draw_id: d.id.clone(),
                venue: d.venue.clone(),
                evaluation_end: d.end(),
                expires_at: from_db_time(link.expires_at),
                expired: !link.live_at(now),
                items: config.items.clone(),
                members,
                sheets,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Submit or correct a sheet as the tenderer's representative, through the
/// link: the same rules as the supervisor's sheet, and the link must be
/// this panel's and not expired (otherwise `rater` is refused as not
/// entitled). No token needed: the link is the credential.
#[utoipa::path(post, path = "/api/v1/rate/{token}", tag = "assessments", request_body = RateInput,
    params(("token" = String, Path, description = "The token of the rating link")),
    responses((status = 201, body = SheetView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The evaluation is not over", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn rate(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: Body<RateInput>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let input = body.0;
    let now = state.now();
    let (config, calendar) = rules_of(&state);
    let view = state
        .db(move |conn| {
            let link = link_row(conn, &token)?;
            let d = panel_draw(conn, &input.draw_id).map_err(|e| e.with_field("draw_id"))?;
            evaluation_over(&d, now)?;
            // The panel's raters by link: its own links, while they last.
            let entitled: Vec<Rater> = store::links(conn, &d.id)?
                .iter()
                .filter(|l| l.live_at(now))
                .map(LinkRow::rater)
                .collect();
            let actor = format!("rating_link:{}", link.id);
            let sheet = SheetInput {
                expert_id: input.expert_id,
                scores: input.scores,
                comment: input.comment,
                version: input.version,
                correction_reason: input.correction_reason,
            };
            let by = By {
                actor: &actor,
                rater: link.rater(),
                entitled: &entitled,
            };
            store_sheet(conn, now, &d, by, sheet, (&config, &calendar))
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}
