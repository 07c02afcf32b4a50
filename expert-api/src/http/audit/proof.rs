//! Inclusion and consistency proofs over HTTP (RFC 9162 §2.1.3–2.1.4), as
//! JSON or as text: a c2sp.org/tlog-proof@v1 file for inclusion, one base64
//! hash per line for consistency.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{AppState, auditors_only, b64, sign_head};
use crate::auth::Caller;
use crate::http::extract::Query;
use crate::http::problem::ApiError;
use crate::store::StoreError;
use crate::store::audit::{self, TreeArg};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InclusionQuery {
    /// The entry (`seq`) to prove (default: the last entry of the tree).
    pub index: Option<u64>,
    /// Tree size the proof leads to (default: the log's current size).
    pub size: Option<u64>,
    /// `json` (default) or `tlog-proof` (also chosen by `Accept: text/plain`).
    pub format: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyQuery {
    /// The older tree size, at least 1 unless `to` is 0 (default: `to`,
    /// which gives the empty proof).
    pub from: Option<u64>,
    /// The newer tree size (default: the log's current size).
    pub to: Option<u64>,
    /// `json` (default) or `text` (also chosen by `Accept: text/plain`).
    pub format: Option<String>,
}

/// An inclusion proof; hashes are standard base64.
#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionProof {
    pub index: u64,
    pub size: u64,
    /// RFC 6962 leaf hash of the entry, `SHA-256(0x00 || leaf bytes)`.
    pub leaf_hash: String,
    /// Root of the tree of `size` entries.
    pub root: String,
    /// From the leaf's sibling up to the root's child.
    pub proof: Vec<String>,
}

/// A consistency proof; hashes are standard base64.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub new_size: u64,
    pub old_root: String,
    pub new_root: String,
    pub proof: Vec<String>,
}

/// Whether the caller wants text: `format` first, then `Accept`.
fn wants_text(req: &HttpRequest, format: Option<&str>, text_name: &str) -> Result<bool, ApiError> {
    match format {
        Some("json") => Ok(false),
        Some(f) if f == text_name || f == "text" => Ok(true),
        Some(other) => Err(ApiError::bad_request(
            "format",
            "one_of",
            format!("format must be json or {text_name}, not {other:?}"),
        )),
        None => Ok(req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/plain") && !a.contains("application/json"))),
    }
}

/// The inclusion proof of entry `index` in the tree of `size` entries. With
/// `format=tlog-proof` or `Accept: text/plain`: a c2sp.org/tlog-proof@v1
/// file whose checkpoint is signed now when `size` is the current head, or
/// the checkpoint the server kept at that size (kept at every draw commit and
/// reveal); for another size no signed checkpoint exists and the answer is
/// 404 naming `size`.
#[utoipa::path(get, path = "/api/v1/audit/proof/inclusion", tag = "audit", params(InclusionQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Inclusion proof (JSON)", body = InclusionProof),
        (status = 200, description = "c2sp.org/tlog-proof@v1 file", content_type = "text/plain"),
        (status = 400, description = "Bad parameter: index not below size, size beyond the log's size, unknown format", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor or admin", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 404, description = "tlog-proof asked for a past size with no kept signed checkpoint", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
pub async fn inclusion(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<InclusionQuery>,
) -> Result<HttpResponse, ApiError> {
    auditors_only(&caller)?;
    let InclusionQuery {
        index,
        size,
        format,
    } = query.0;
    let text = wants_text(&req, format.as_deref(), "tlog-proof")?;
    let (head, index, size, leaf, root, proof, kept) = state
        .db(move |conn| {
            // With both given, one statement reads the head, the proof, the
            // leaf hash and the root; a default needs the head first.
            let size = match size {
                Some(size) => size,
                None => audit::head(conn)?.size,
            };
            let index = index.unwrap_or(size.saturating_sub(1));
            let audit::Inclusion {
                head,
                leaf,
                root,
                proof,
            } = audit::inclusion(conn, index, size)?;
            let head = head.size;
            let kept = if text && size != head {
                audit::stored_checkpoint(conn, size)?
            } else {
                None
            };
            Ok((head, index, size, leaf, root, proof, kept))
        })
        .await?;
    if !text {
        return Ok(HttpResponse::Ok().json(InclusionProof {
            index,
            size,
            leaf_hash: b64(&leaf),
            root: b64(&root),
            proof: proof.iter().map(b64).collect(),
        }));
    }
    let checkpoint = match kept {
        Some(note) => note,
        None if size == head => sign_head(&state, size, root).await?,
        None => {
            return Err(ApiError::not_found(
                "signed checkpoint at size",
                &format!(
                    "{size} (a tlog-proof needs one: ask for size={head}, the current \
                     size, or a size at which a draw was committed or revealed)"
                ),
            )
            .with_field("size"));
        }
    };
    let body = draw_audit::tlog_proof::TlogProof {
        extra: None,
        index,
        hashes: proof,
        checkpoint,
    }
    .to_text();
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(body))
}

/// The consistency proof that the tree of `from` entries is a prefix of the
/// tree of `to` entries. With `format=text` or `Accept: text/plain`: one
/// base64 hash per line (what `draw-audit proof consistency --proof` reads),
/// sizes and roots in the `Tlog-Old-Size`, `Tlog-New-Size`, `Tlog-Old-Root`
/// and `Tlog-New-Root` headers.
#[utoipa::path(get, path = "/api/v1/audit/proof/consistency", tag = "audit", params(ConsistencyQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Consistency proof (JSON)", body = ConsistencyProof),
        (status = 200, description = "One base64 hash per line", content_type = "text/plain"),
        (status = 400, description = "Bad parameter: from after to, from 0 with to above 0, to beyond the log's size, unknown format", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor or admin", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
pub async fn consistency(
    caller: Caller,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: Query<ConsistencyQuery>,
) -> Result<HttpResponse, ApiError> {
    auditors_only(&caller)?;
    let ConsistencyQuery { from, to, format } = query.0;
    let text = wants_text(&req, format.as_deref(), "text")?;
    let (old_size, new_size, old_root, new_root, proof) = state
        .db(move |conn| {
            let to = match to {
                Some(to) => to,
                None => audit::head(conn)?.size,
            };
            let from = from.unwrap_or(to);
            let audit::Consistency {
                old_root,
                new_root,
                proof,
            } = audit::consistency(conn, from, to).map_err(http_names)?;
            Ok((from, to, old_root, new_root, proof))
        })
        .await?;
    if !text {
        return Ok(HttpResponse::Ok().json(ConsistencyProof {
            old_size,
            new_size,
            old_root: b64(&old_root),
            new_root: b64(&new_root),
            proof: proof.iter().map(b64).collect(),
        }));
    }
    let body: String = proof.iter().map(|h| b64(h) + "\n").collect();
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header(("Tlog-Old-Size", old_size.to_string()))
        .insert_header(("Tlog-New-Size", new_size.to_string()))
        .insert_header(("Tlog-Old-Root", b64(&old_root)))
        .insert_header(("Tlog-New-Root", b64(&new_root)))
        .body(body))
}

/// The store names sizes as in its signature; this endpoint calls them
/// `from` and `to`.
fn http_names(e: StoreError) -> ApiError {
    match e {
        StoreError::TreeArg { arg, reason } => {
            let field = match arg {
                TreeArg::OldSize => "from",
                TreeArg::NewSize | TreeArg::Size => "to",
                TreeArg::Index => "index",
            };
            ApiError::bad_request(field, "range", reason)
        }
        other => other.into(),
    }
}
