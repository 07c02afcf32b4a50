//! Draw receipts and awards over HTTP: the receipt a tenderer is handed
//! (sealed data: expert ids), and the award that makes a panel checkable by
//! the public.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::draws::{OptionalBody, may_operate, may_read};
use super::problem::{ApiError, Problem};
use crate::auth::{Caller, Role};
use crate::store::awards::{self, AwardRow, Recorded};
use crate::store::draws as store;
use crate::store::receipts::{self, SealedRead};
use crate::store::{audit, from_db_time};

// One line per route: the route table test reads them from the source.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/draws/{id}/receipt", web::get().to(receipt))
        .route("/draws/{id}/receipt/qr", web::get().to(receipt_qr))
        .route("/draws/{id}/award", web::post().to(award));
}

/// The draw's receipt (text/plain, a c2sp tlog-proof whose extra line is
/// the signed receipt note; docs/RECEIPTS.md). It names expert ids, so it
/// is sealed data: operators of the region get it once the panel has
/// unsealed; supervisors and admins at any time, each read of a sealed
/// panel's receipt logged as `panel.view` (`"what": "receipt"`).
#[utoipa::path(get, path = "/api/v1/draws/{id}/receipt", tag = "draws", security(("bearer" = [])),
    params(("id" = String, Path, description = "Draw id, D-YYYY-NNNNNN")),
    responses(
        (status = 200, description = "Draw receipt (c2sp tlog-proof, text/plain)", content_type = "text/plain"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The draw is not revealed", body = Problem, content_type = "application/problem+json")))]
pub async fn receipt(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.now();
    let actor = caller.actor();
    let flow = state.flow();
    let (draw_id, text) = state
        .db(move |conn| {
            let d = store::get(conn, &id)?;
            may_read(&caller, &d)?;
            let root = store::get(conn, &d.panel_id)?;
            let sealed = root.sealed(now);
            if sealed && caller.role == Role::Operator {
                return Err(ApiError::forbidden(
                    "the receipt names the panel, which is sealed until every member has signed in or the evaluation has started",
                ));
            }
            let read = sealed.then_some(SealedRead {
                actor: &actor,
                panel_id: &root.id,
            });
            let signing = (flow.signer.as_ref(), flow.origin.as_str());
            let text = receipts::receipt(conn, now, &d.id, signing, read)?;
            Ok((d.id, text))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{draw_id}.tlog-proof\""),
        ))
        .body(text))
}

/// The receipt's link (`{public_base_url}/api/v1/draws/{id}/receipt`) as
/// a QR code, for the printed panel record (抽取记录表): an SVG of one
/// square per dark module with a four-module quiet zone. The link names
/// no sealed data, so anyone who may read the draw gets it.
#[utoipa::path(get, path = "/api/v1/draws/{id}/receipt/qr", tag = "draws", security(("bearer" = [])),
    params(("id" = String, Path, description = "Draw id, D-YYYY-NNNNNN")),
    responses(
        (status = 200, description = "QR code of the receipt link (SVG)", content_type = "image/svg+xml"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn receipt_qr(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let base = state.settings.policy.notify.public_base_url.clone();
    let draw_id = state
        .db(move |conn| {
            let d = store::get(conn, &id)?;
            may_read(&caller, &d)?;
            Ok(d.id)
        })
        .await?;
    let link = format!(
        "{}/api/v1/draws/{draw_id}/receipt",
        base.trim_end_matches('/')
    );
    let svg = qr_svg(&link).map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("X-Receipt-Link", link))
        .body(svg))
}

/// `text` as a QR code (error correction M) in SVG, with `text` as its
/// title (what a screen reader reads, and what the printed record shows
/// beneath it).
fn qr_svg(text: &str) -> Result<String, qrcode::types::QrError> {
    use std::fmt::Write;
    const QUIET: usize = 4;
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)?;
    let width = code.width();
    let side = width + 2 * QUIET;
    let title = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\"><title>{title}</title><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><g fill=\"#000\">"
    );
    for (i, colour) in code.to_colors().iter().enumerate() {
        if *colour == qrcode::Color::Dark {
            let (x, y) = (i % width + QUIET, i / width + QUIET);
            let _ = write!(svg, "<rect x=\"{x}\" y=\"{y}\" width=\"1\" height=\"1\"/>");
        }
    }
    svg.push_str("</g></svg>");
    Ok(svg)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardInput {
    /// When the award was announced (UTC); now when left out. Not before
    /// the evaluation ended, not in the future.
    #[serde(default)]
    pub awarded_at: Option<DateTime<Utc>>,
}

/// An award as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardView {
    pub panel_id: String,
    pub project_id: String,
    pub bid_section: String,
    pub awarded_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// How many experts served (their names stay out of this answer).
    pub served: usize,
}

fn award_view(row: AwardRow, served: usize) -> AwardView {
    AwardView {
        awarded_at: from_db_time(row.awarded_at),
        recorded_at: from_db_time(row.recorded_at),
        panel_id: row.panel_id,
        project_id: row.project_id,
        bid_section: row.bid_section,
        served,
    }
}

/// Record the award (中标) for the panel's project and bid section, after
/// its evaluation has ended: `draw.award` names the members who served, and
/// from then on anyone may check an award notice against the panel
/// (`POST /api/v1/public/panel-check`). 201 when recorded, 200 with the
/// same award when the panel was already awarded.
#[utoipa::path(post, path = "/api/v1/draws/{id}/award", tag = "draws", request_body = AwardInput,
    security(("bearer" = [])), params(("id" = String, Path, description = "The panel's own draw id")),
    responses(
        (status = 201, body = AwardView),
        (status = 200, description = "Already awarded", body = AwardView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not revealed, evaluation not over, or another panel of the project and bid section is awarded", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn award(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: OptionalBody<AwardInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.now();
    let awarded_at = body.0.unwrap_or_default().awarded_at.unwrap_or(now);
    if awarded_at > now {
        return Err(ApiError::bad_request(
            "awarded_at",
            "in_future",
            "awarded_at must not be in the future",
        ));
    }
    let actor = caller.actor();
    let flow = state.flow();
    let (created, view) = state
        .db(move |conn| {
            let d = store::get(conn, &id)?;
            may_operate(&caller, &d)?;
            if d.panel_id != d.id {
                return Err(ApiError::bad_request(
                    "id",
                    "not_a_panel",
                    format!("award the panel's own draw {}", d.panel_id),
                ));
            }
            if now >= d.end() && awarded_at < d.end() {
                return Err(ApiError::bad_request(
                    "awarded_at",
                    "before_evaluation_end",
                    "awarded_at must not be before the evaluation ended",
                ));
            }
            let recorded = audit::write(conn, now, |tx| {
                let r = awards::record(tx, &actor, &d, awarded_at)?;
                // Receipts handed out from now on prove into a checkpoint
                // that already holds the award.
                if matches!(r, Recorded::New(_)) {
                    store::sign_checkpoint(tx, (flow.signer.as_ref(), flow.origin.as_str()))?;
                }
                Ok::<_, ApiError>(r)
            })?;
            let served = awards::served(conn, &d.id)?.len();
            Ok(match recorded {
                Recorded::New(row) => (true, award_view(row, served)),
                Recorded::Existing(row) => (false, award_view(row, served)),
            })
        })
        .await?;
    Ok(if created {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}
