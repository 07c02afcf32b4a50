//! The periodic review (动态调整) over HTTP, for regulators and admins.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::AppState;
use super::extract::Body;
use super::problem::{ApiError, Problem};
use crate::auth::{Caller, Role};
use crate::store::{audit, experts};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/review", web::post().to(run));
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    /// The date the review is made as of.
    pub as_of: NaiveDate,
    /// Report what would change without changing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// Run the review: retire at the age limit, lift ended automatic
/// suspensions and leaves, flag expired terms and frequent decliners, and
/// propose a sanction for a credit score below the baseline's threshold
/// (`proposals`; each situation stored once as a proposal a case can be
/// opened from, `proposal.create`) or
/// points reaching a threshold (`points_threshold`, stored as a proposal
/// a case can be opened from). Every
/// action is an audit entry; the report lists them.
#[utoipa::path(post, path = "/api/v1/review", tag = "review", request_body = ReviewRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "The review report", body = Object),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn run(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    if !caller.is(&[Role::Admin, Role::Regulator]) || caller.region.is_some() {
        return Err(ApiError::forbidden(
            "only province-wide regulators and admins run the review",
        ));
    }
    let req = body.0;
    let policy = state.settings.policy.admission.clone();
    let discipline = state.settings.policy.discipline.clone();
    let now = state.now();
    let actor = caller.actor();
    let report = state
        .db(move |conn| {
            Ok(audit::write(conn, now, |tx| {
                experts::run_review(tx, &actor, &policy, &discipline, req.as_of, req.dry_run)
            })?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
