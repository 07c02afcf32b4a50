//! The audit log over HTTP: the signed checkpoint and verifier key for
//! anyone, the entries themselves for supervisors and admins.

use actix_web::{HttpResponse, web};
use draw_audit::checkpoint::Checkpoint;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::extract::Query;
use super::problem::ApiError;
use crate::auth::{Caller, Role};
use crate::store::audit;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit/checkpoint", web::get().to(checkpoint))
        .route("/audit/vkey", web::get().to(vkey))
        .route("/audit/entries", web::get().to(entries));
}

/// The latest tree head as a c2sp tlog-checkpoint, signed as a signed note.
#[utoipa::path(get, path = "/api/v1/audit/checkpoint", tag = "audit",
    responses((status = 200, description = "Signed checkpoint (text/plain)", content_type = "text/plain")))]
pub async fn checkpoint(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let head = state.db(|conn| Ok(audit::head(conn)?)).await?;
    let note = Checkpoint {
        origin: state.settings.log_origin.clone(),
        size: head.size,
        root: head.root,
        extensions: Vec::new(),
    }
    .sign(&[state.signer.as_ref()])
    .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(note))
}

/// The verifier key that checks checkpoints: `name+keyid+base64`.
#[utoipa::path(get, path = "/api/v1/audit/vkey", tag = "audit",
    responses((status = 200, description = "Verifier key (text/plain)", content_type = "text/plain")))]
pub async fn vkey(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(format!("{}\n", state.signer.verifier_key_string()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EntriesQuery {
    /// First `seq` to return (default 0).
    pub from: Option<u64>,
    /// How many entries (default 1000, at most 10000).
    pub limit: Option<u64>,
}

pub const MAX_ENTRIES: u64 = 10_000;

/// Entries as JSON Lines: exactly the leaf bytes, one per line, by `seq`.
#[utoipa::path(get, path = "/api/v1/audit/entries", tag = "audit", params(EntriesQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Leaf bytes as JSON Lines", content_type = "application/jsonl"),
        (status = 400, description = "Bad parameter", body = super::problem::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor or admin", body = super::problem::Problem, content_type = "application/problem+json")))]
pub async fn entries(
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<EntriesQuery>,
) -> Result<HttpResponse, ApiError> {
    if !caller.is(&[Role::Admin, Role::Supervisor]) {
        return Err(ApiError::forbidden(
            "only supervisors and admins read log entries",
        ));
    }
    let from = query.0.from.unwrap_or(0);
    let limit = query.0.limit.unwrap_or(1_000);
    if limit == 0 || limit > MAX_ENTRIES {
        return Err(ApiError::bad_request(
            "limit",
            "range",
            format!("limit must be between 1 and {MAX_ENTRIES}"),
        ));
    }
    let leaves = state
        .db(move |conn| Ok(audit::leaves(conn, from, limit)?))
        .await?;
    let mut body = String::with_capacity(leaves.iter().map(|l| l.len() + 1).sum());
    for leaf in leaves {
        body.push_str(&leaf);
        body.push('\n');
    }
    Ok(HttpResponse::Ok()
        .content_type("application/jsonl; charset=utf-8")
        .body(body))
}
