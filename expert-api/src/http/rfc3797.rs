//! A public manual draw by RFC 3797 over HTTP (for example, which bid
//! evaluation room, or which of several qualified agencies): the key from
//! announced lottery numbers (or given), the MD5 selections of
//! `expert_core::rfc3797`, and an `rfc3797.select` audit entry with the
//! inputs and the outputs, so that the draw is on the record and anyone can
//! recompute it. Candidates are logged as given: pass identifiers, never
//! personal names (the log is exported and kept forever).

use actix_web::{HttpResponse, web};
use expert_core::rfc3797::{self, Rfc3797Error};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::AppState;
use super::extract::Body;
use super::problem::{ApiError, Problem};
use crate::auth::{Caller, Role};
use crate::store::audit;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/rfc3797", web::post().to(select));
}

/// Bounds that keep one log entry small.
pub const MAX_CANDIDATES: usize = 10_000;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_SOURCES: usize = 64;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rfc3797Request {
    /// The published list, in its published order (identifiers, not names).
    pub candidates: Vec<String>,
    /// The announced random sources, one text each ("9319", "2 5 8 10 12");
    /// give these or `key`.
    #[serde(default)]
    pub sources: Option<Vec<String>>,
    /// A key string made beforehand (RFC 3797 §4 form).
    #[serde(default)]
    pub key: Option<String>,
    /// How many to select.
    pub count: usize,
    /// What the draw is for (logged).
    pub purpose: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Rfc3797Selection {
    /// The selected candidates, in selection order.
    pub selected: Vec<String>,
    /// The key string used.
    pub key: String,
    /// The `seq` of the `rfc3797.select` entry.
    pub seq: u64,
}

fn refuse(field: &str, e: &Rfc3797Error) -> ApiError {
    let rule = match e {
        Rfc3797Error::NoSources => "required",
        Rfc3797Error::EmptySource { .. } | Rfc3797Error::EmptyKey => "empty",
        Rfc3797Error::NotAnInteger { .. } => "not_an_integer",
        Rfc3797Error::TooLarge { .. } => "too_large",
        Rfc3797Error::CountExceedsCandidates { .. } => "exceeds_candidates",
        Rfc3797Error::TooManySelections { .. } => "too_many",
    };
    ApiError::bad_request(field, rule, e.to_string())
}

fn check(req: &Rfc3797Request) -> Result<String, ApiError> {
    if req.candidates.is_empty() || req.candidates.len() > MAX_CANDIDATES {
        return Err(ApiError::bad_request(
            "candidates",
            "range",
            format!("candidates must list 1 to {MAX_CANDIDATES} entries"),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, c) in req.candidates.iter().enumerate() {
        if c.trim().is_empty() || c.chars().count() > MAX_NAME_CHARS {
            return Err(ApiError::bad_request(
                &format!("candidates[{i}]"),
                "length",
                format!("each candidate is 1 to {MAX_NAME_CHARS} characters, not blank"),
            ));
        }
        if !seen.insert(c.as_str()) {
            return Err(ApiError::bad_request(
                &format!("candidates[{i}]"),
                "duplicate",
                format!("candidate {c:?} is listed twice"),
            ));
        }
    }
    if req.purpose.trim().is_empty() || req.purpose.chars().count() > 500 {
        return Err(ApiError::bad_request(
            "purpose",
            "length",
            "purpose is 1 to 500 characters, not blank",
        ));
    }
    if req.count == 0 {
        return Err(ApiError::bad_request(
            "count",
            "range",
            "count must be at least 1",
        ));
    }
    let key = match (&req.sources, &req.key) {
        (Some(sources), None) => {
            if sources.len() > MAX_SOURCES {
                return Err(ApiError::bad_request(
                    "sources",
                    "range",
                    format!("at most {MAX_SOURCES} sources"),
                ));
            }
            rfc3797::key_from_source_texts(sources).map_err(|e| refuse("sources", &e))?
        }
        (None, Some(key)) => {
            if key.is_empty() || key.chars().count() > 4096 {
                return Err(ApiError::bad_request(
                    "key",
                    "length",
                    "key is 1 to 4096 characters",
                ));
            }
            key.clone()
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "key",
                "exclusive",
                "give sources or key, not both",
            ));
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "sources",
                "required",
                "give the announced sources (or a key)",
            ));
        }
    };
    Ok(key)
}

/// Select `count` of `candidates` by RFC 3797 from announced random sources
/// (or a key); logged as `rfc3797.select` with inputs and outputs.
#[utoipa::path(post, path = "/api/v1/rfc3797", tag = "draws", request_body = Rfc3797Request,
    security(("bearer" = [])),
    responses((status = 200, body = Rfc3797Selection),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn select(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<Rfc3797Request>,
) -> Result<HttpResponse, ApiError> {
    if !caller.is(&[Role::Admin, Role::Operator, Role::Supervisor]) {
        return Err(ApiError::forbidden(
            "only operators, supervisors and admins make RFC 3797 selections",
        ));
    }
    let req = body.0;
    let key = check(&req)?;
    let selected =
        rfc3797::select(&req.candidates, &key, req.count).map_err(|e| refuse("count", &e))?;
    let now = state.now();
    let actor = caller.actor();
    let data = json!({
        "purpose": req.purpose,
        "candidates": req.candidates,
        "sources": req.sources,
        "key": key,
        "count": req.count,
        "selected": selected,
    });
    let seq = state
        .db(move |conn| {
            Ok(audit::write(conn, now, |tx| {
                tx.append("rfc3797.select", &actor, None, data)
                    .map(|e| e.seq)
            })?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Rfc3797Selection { selected, key, seq }))
}
