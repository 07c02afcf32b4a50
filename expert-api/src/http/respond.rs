//! The expert's answer to an invitation, through the one-time link in the
//! message: public (the token is the credential), showing the time, the
//! venue and the deadline only — never the project or the tenderer.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::extract::Body;
use super::problem::{ApiError, Problem};
use crate::store::audit;
use crate::store::draws::{self as store, Departure, DepartureInfo, InvitationRow};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/respond/{token}", web::get().to(show))
        .route("/respond/{token}", web::post().to(answer));
}

/// What the invited expert is asked.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    /// `open`, `accept`, `decline`, `no_answer` or `cancelled`.
    pub state: String,
    pub evaluation_start: DateTime<Utc>,
    pub evaluation_end: DateTime<Utc>,
    pub venue: String,
    pub deadline: DateTime<Utc>,
    pub question: String,
}

fn unknown() -> ApiError {
    ApiError::not_found("invitation", "for this link")
}

fn load(
    conn: &mut crate::db::DbConn,
    token: &str,
) -> Result<(InvitationRow, store::DrawRow), ApiError> {
    if token.len() > 100 {
        return Err(unknown());
    }
    let inv = store::invitation_by_token(conn, token)?.ok_or_else(unknown)?;
    let draw = store::get(conn, &inv.panel_id)?;
    Ok((inv, draw))
}

fn view(inv: &InvitationRow, draw: &store::DrawRow) -> InvitationView {
    InvitationView {
        state: inv.answer.clone().unwrap_or_else(|| "open".to_owned()),
        evaluation_start: draw.start(),
        evaluation_end: draw.end(),
        venue: draw.venue.clone(),
        deadline: crate::store::from_db_time(inv.deadline),
        question: "您是否参加本次评标？请回复 accept（参加）或 decline（不参加）。Will you attend this evaluation? Answer accept or decline.".to_owned(),
    }
}

/// Show an invitation.
#[utoipa::path(get, path = "/api/v1/respond/{token}", tag = "respond",
    params(("token" = String, Path, description = "The one-time token from the invitation")),
    responses((status = 200, body = InvitationView),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn show(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let out = state
        .db(move |conn| {
            let (inv, draw) = load(conn, &token)?;
            Ok(view(&inv, &draw))
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// `accept` or `decline`.
    pub answer: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub conflict_of_interest: bool,
}

/// Answer an invitation, once. A decline is replaced at once by the rule
/// of SPEC §6; an answer after the deadline is refused (it already counts
/// as a decline).
#[utoipa::path(post, path = "/api/v1/respond/{token}", tag = "respond", request_body = AnswerInput,
    params(("token" = String, Path)),
    responses((status = 200, body = InvitationView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn answer(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: Body<AnswerInput>,
) -> Result<HttpResponse, ApiError> {
    let token = token.into_inner();
    let a = body.0;
    let why = match a.answer.as_str() {
        "accept" => None,
        "decline" if a.conflict_of_interest => Some(Departure::ConflictOfInterest),
        "decline" => Some(Departure::Declined),
        _ => {
            return Err(ApiError::bad_request(
                "answer",
                "invalid_answer",
                "answer must be accept or decline",
            ));
        }
    };
    if a.reason.as_deref().is_some_and(|r| r.chars().count() > 500) {
        return Err(ApiError::bad_request(
            "reason",
            "too_long",
            "reason must be at most 500 characters",
        ));
    }
    let now = state.now();
    let flow = state.flow();
    let out = state
        .db(move |conn| {
            let (inv, draw) = load(conn, &token)?;
            if inv.answer.is_some() {
                return Err(ApiError::conflict(
                    "already_answered",
                    "this invitation has been answered",
                ));
            }
            if crate::store::from_db_time(inv.deadline) <= now {
                let info = DepartureInfo {
                    why: Departure::NoAnswer,
                    reason: None,
                    evidence: None,
                };
                // The worker may have processed it a moment ago: that is fine.
                match store::depart_and_fill(
                    conn,
                    now,
                    "system",
                    &inv.panel_id,
                    &inv.expert_id,
                    &info,
                    &flow,
                ) {
                    Ok(_) | Err(crate::store::StoreError::Conflict { .. }) => {}
                    Err(e) => return Err(e.into()),
                }
                return Err(ApiError::conflict(
                    "deadline_passed",
                    "the deadline to answer has passed; the invitation counts as declined",
                ));
            }
            match why {
                None => audit::write(conn, now, |tx| store::accept(tx, &inv))?,
                Some(why) => {
                    let info = DepartureInfo {
                        why,
                        reason: a.reason,
                        evidence: None,
                    };
                    store::depart_and_fill(
                        conn,
                        now,
                        "expert",
                        &inv.panel_id,
                        &inv.expert_id,
                        &info,
                        &flow,
                    )?;
                }
            }
            let (inv, _) = load(conn, &token)?;
            Ok(view(&inv, &draw))
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
