//! The audit log over HTTP: the signed checkpoint and verifier key for
//! anyone; the entries, the streamed export and proofs for supervisors and
//! admins (`proof` holds the proof endpoints).

pub mod proof;

use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use draw_audit::merkle::Hash;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::extract::Query;
use super::problem::ApiError;
use crate::auth::{Caller, Role};
use crate::db::DbConn;
use crate::store::audit;
use proof::{consistency, inclusion};

// One line per route: the route table test reads them from the source.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit/checkpoint", web::get().to(checkpoint))
        .route("/audit/vkey", web::get().to(vkey))
        .route("/audit/entries", web::get().to(entries))
        .route("/audit/export", web::get().to(export))
        .route("/audit/proof/inclusion", web::get().to(inclusion))
        .route("/audit/proof/consistency", web::get().to(consistency));
}

/// The latest tree head as a c2sp tlog-checkpoint, signed as a signed note
/// (by both keys during a key rotation), pinned before it is returned.
#[utoipa::path(get, path = "/api/v1/audit/checkpoint", tag = "audit",
    responses((status = 200, description = "Signed checkpoint (text/plain)", content_type = "text/plain")))]
pub async fn checkpoint(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let ring = state.signer.clone();
    let (note, _) = state.db(move |conn| Ok(ring.sign_committed(conn)?)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(note))
}

/// A checkpoint for `(size, root)` signed now by the key ring (which
/// checks it against the pinned checkpoint and pins it); only ever called
/// with a head just read, so it never names a tree the log has not had.
async fn sign_head(state: &AppState, size: u64, root: Hash) -> Result<String, ApiError> {
    let ring = state.signer.clone();
    let head = audit::TreeHead { size, root };
    state
        .db(move |conn| Ok(ring.sign_committed_head(conn, &head)?))
        .await
}

/// Standard base64, as checkpoints and tlog-proof files write hashes.
fn b64(hash: &Hash) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(hash)
}

/// Supervisors and admins read the log itself; everyone else is refused.
fn auditors_only(caller: &Caller) -> Result<(), ApiError> {
    if caller.is(&[Role::Admin, Role::Supervisor]) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only supervisors and admins read log entries and proofs",
        ))
    }
}

/// The verifier keys that sign checkpoints now, `name+keyid+base64`, one
/// per line: two during a key rotation (the old key first).
#[utoipa::path(get, path = "/api/v1/audit/vkey", tag = "audit",
    responses((status = 200, description = "Verifier keys, one per line (text/plain)", content_type = "text/plain")))]
pub async fn vkey(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let ring = state.signer.clone();
    let vkeys = state
        .db(move |conn| {
            let size = audit::head(conn)?.size;
            Ok(ring.vkeys_at(conn, size)?)
        })
        .await?;
    let mut body = vkeys.join("\n");
    body.push('\n');
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(body))
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
    auditors_only(&caller)?;
    let from = query.0.from.unwrap_or(0);
    let limit = query.0.limit.unwrap_or(1_000);
    if limit == 0 || limit > MAX_ENTRIES {
        return Err(ApiError::bad_request(
            "limit",
            "range",
            format!("limit must be between 1 and {MAX_ENTRIES}"),
        ));
    }
    let now = state.now();
    let actor = caller.actor();
    let leaves = state
        .db(move |conn| read_leaves(conn, from, limit, now, &actor))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/jsonl; charset=utf-8")
        .body(json_lines(&leaves)))
}

/// Leaf bytes `from..from+limit`. Expert ids of a sealed panel are sealed
/// data, so a page holding any is logged as a `panel.view` per panel.
fn read_leaves(
    conn: &mut DbConn,
    from: u64,
    limit: u64,
    now: DateTime<Utc>,
    actor: &str,
) -> Result<Vec<String>, ApiError> {
    let leaves = audit::leaves(conn, from, limit)?;
    let sealed = crate::store::draws::sealed_panels_in(conn, &leaves, now)?;
    if !sealed.is_empty() {
        audit::write(conn, now, |tx| {
            sealed
                .iter()
                .try_for_each(|id| crate::store::draws::log_view(tx, actor, id, "log_entries"))
        })?;
    }
    Ok(leaves)
}

fn json_lines(leaves: &[String]) -> Vec<u8> {
    let mut body = Vec::with_capacity(leaves.iter().map(|l| l.len() + 1).sum());
    for leaf in leaves {
        body.extend_from_slice(leaf.as_bytes());
        body.push(b'\n');
    }
    body
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// First `seq` to export (default 0).
    pub from: Option<u64>,
    /// End of the export, exclusive: entries `from..to` (default: the log's
    /// size when the request starts; at most that size).
    pub to: Option<u64>,
}

/// Rows per database read of an export: memory stays flat for any size.
const EXPORT_CHUNK: u64 = 2_000;

/// The log as JSON Lines: exactly the leaf bytes of entries `from..to`, one
/// per line, in `seq` order, streamed in chunks. `Tlog-Size` and `Tlog-Root`
/// give the tree the export ends at (size `to` and its root), so a verifier
/// can check an export from 0 against them or a signed checkpoint.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", params(ExportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Leaf bytes as JSON Lines, entries from..to", content_type = "application/jsonl",
            headers(("Tlog-Size" = u64, description = "Tree size at `to`"),
                    ("Tlog-Root" = String, description = "Root hash at `to`, base64"))),
        (status = 400, description = "Bad parameter, or `to` beyond the log's size", body = super::problem::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = super::problem::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a supervisor or admin", body = super::problem::Problem, content_type = "application/problem+json")))]
pub async fn export(
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    auditors_only(&caller)?;
    let ExportQuery { from, to } = query.0;
    let (from, to, root) = state
        .db(move |conn| {
            let head = audit::head(conn)?.size;
            let to = to.unwrap_or(head);
            if to > head {
                return Err(ApiError::bad_request(
                    "to",
                    "range",
                    format!("to {to} is beyond the log's current size {head}"),
                ));
            }
            let from = from.unwrap_or(0);
            if from > to {
                return Err(ApiError::bad_request(
                    "from",
                    "range",
                    format!("from {from} is after to {to}"),
                ));
            }
            Ok((from, to, audit::root_at(conn, to)?))
        })
        .await?;
    let now = state.now();
    let actor = caller.actor();
    let chunks = futures_util::stream::unfold(Some(from), move |next| {
        let (state, actor) = (state.clone(), actor.clone());
        async move {
            let next = next.filter(|n| *n < to)?;
            let limit = (to - next).min(EXPORT_CHUNK);
            let read = state
                .db(move |conn| read_leaves(conn, next, limit, now, &actor))
                .await;
            Some(match read {
                Ok(leaves) if leaves.len() as u64 == limit => {
                    (Ok(Bytes::from(json_lines(&leaves))), Some(next + limit))
                }
                // The body has started: a failure can only cut it short,
                // which a verifier sees as a size below `Tlog-Size`.
                Ok(_) => (
                    Err(export_failed(&"entries are missing from the log")),
                    None,
                ),
                Err(e) => (Err(export_failed(&e)), None),
            })
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/jsonl; charset=utf-8")
        .insert_header(("Tlog-Size", to.to_string()))
        .insert_header(("Tlog-Root", b64(&root)))
        .streaming(chunks))
}

fn export_failed(cause: &dyn std::fmt::Display) -> std::io::Error {
    tracing::error!(error = %cause, "log export cut short");
    std::io::Error::other("log export failed")
}
