//! Evaluation results over HTTP: the operator uploads an awarded panel's
//! results (a correction is a new version), staff read every version. The
//! public reads the latest through `public`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use expert_core::evaluation::{Centi, EvaluationResults};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::draws::may_operate;
use super::extract::Body;
use super::problem::{ApiError, Problem};
use crate::auth::Caller;
use crate::store::evaluations::{self, ResultsRow, Uploaded};
use crate::store::{audit, draws as store, from_db_time};

// One line per route: the route table test reads them from the source.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/draws/{id}/evaluation", web::post().to(upload))
        .route("/draws/{id}/evaluation", web::get().to(versions));
}

const MAX_NOTE: usize = 500;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadInput {
    /// The results as the panel signed them.
    #[schema(value_type = Object)]
    pub results: EvaluationResults,
    /// Why a correction replaces the previous version.
    #[serde(default)]
    pub note: Option<String>,
}

/// One version of a panel's results, with each scored bid's final score.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultsView {
    pub draw_id: String,
    pub version: i32,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub results: EvaluationResults,
    /// Each scored bid's final score (mean of the members' totals), best
    /// first.
    pub finals: Vec<FinalScore>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FinalScore {
    pub bidder: String,
    #[schema(value_type = f64)]
    pub score: Centi,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionsView {
    /// Oldest first; the last is what the public sees.
    pub versions: Vec<ResultsView>,
}

/// A stored version as a view: the finals are recomputed by the same
/// check that admitted it.
pub fn results_view(row: &ResultsRow, served: &[String]) -> Result<ResultsView, ApiError> {
    let results = row.results()?;
    let outcome = expert_core::evaluation::check(&results, served).map_err(|e| {
        ApiError::internal(&format!(
            "stored results of {} v{} no longer check: {} problem(s)",
            row.panel_id,
            row.version,
            e.len()
        ))
    })?;
    Ok(ResultsView {
        draw_id: row.panel_id.clone(),
        version: row.version,
        note: row.note.clone(),
        recorded_at: from_db_time(row.recorded_at),
        finals: outcome
            .finals
            .into_iter()
            .map(|(bidder, score)| FinalScore { bidder, score })
            .collect(),
        results,
    })
}

/// Upload the evaluation results of an awarded panel (评标结果): scoring
/// items, bidders, rejected bids with reasons, each member's item-by-item
/// scores per bid, and the recommended candidates. Every total is checked
/// (a member's total is the sum of the items, a final score the mean of the
/// members' totals rounded half up to 0.01, candidates best first, at most
/// three); every failure is named. A new upload is a new version; the same
/// results again change nothing.
#[utoipa::path(post, path = "/api/v1/draws/{id}/evaluation", tag = "draws", request_body = UploadInput,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The panel's own draw id")),
    responses(
        (status = 201, description = "New version", body = ResultsView),
        (status = 200, description = "Same as the latest version; nothing written", body = ResultsView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not awarded", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn upload(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Body<UploadInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.0;
    if input
        .note
        .as_deref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE)
    {
        return Err(ApiError::bad_request(
            "note",
            "too_long",
            format!("note must be at most {MAX_NOTE} characters"),
        ));
    }
    let now = state.now();
    let actor = caller.actor();
    let (created, view) = state
        .db(move |conn| {
            let d = store::get(conn, &id)?;
            may_operate(&caller, &d)?;
            if d.panel_id != d.id {
                return Err(ApiError::bad_request(
                    "id",
                    "not_a_panel",
                    format!("upload the results on the panel's own draw {}", d.panel_id),
                ));
            }
            let uploaded = audit::write(conn, now, |tx| {
                Ok::<_, ApiError>(evaluations::upload(
                    tx,
                    &actor,
                    &d.id,
                    &input.results,
                    input
                        .note
                        .as_deref()
                        .map(str::trim)
                        .filter(|n| !n.is_empty()),
                )?)
            })?;
            let served = crate::store::awards::served(conn, &d.id)?;
            Ok(match uploaded {
                Uploaded::New(row, _) => (true, results_view(&row, &served)?),
                Uploaded::Same(row, _) => (false, results_view(&row, &served)?),
            })
        })
        .await?;
    Ok(if created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}

/// Every version of a panel's evaluation results. Every staff role reads
/// them (regulators assess the experts by them); a caller bound to another
/// region gets 404.
#[utoipa::path(get, path = "/api/v1/draws/{id}/evaluation", tag = "draws", security(("bearer" = [])),
    params(("id" = String, Path, description = "The panel's own draw id")),
    responses(
        (status = 200, body = VersionsView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn versions(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db(move |conn| {
            let d = store::get(conn, &id)?;
            // Staff read; a caller bound to another region finds nothing.
            if !caller.reaches(&d.region) {
                return Err(ApiError::not_found("draw", &d.id));
            }
            let served = crate::store::awards::served(conn, &d.panel_id)?;
            let versions = evaluations::versions(conn, &d.panel_id)?
                .iter()
                .map(|row| results_view(row, &served))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(VersionsView { versions })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
