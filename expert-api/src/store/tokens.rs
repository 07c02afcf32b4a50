//! API tokens: minted by the CLI or an admin, looked up by hash on every
//! request, revoked but never deleted. Minting and revoking are logged.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::audit::AuditTx;
use super::{StoreError, db_time, from_db_time};
use crate::auth::{Caller, NewToken, Role, hash_token};
use crate::db::DbConn;
use crate::db::schema::api_tokens;

/// A token as listed: never the secret, never the hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: String,
    pub role: Role,
    pub region: Option<String>,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

type Row = (
    String,
    String,
    Option<String>,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    Option<chrono::NaiveDateTime>,
);

fn info(row: Row) -> Result<TokenInfo, StoreError> {
    let (id, role, region, label, created, expires, revoked) = row;
    Ok(TokenInfo {
        role: role
            .parse()
            .map_err(|e: String| StoreError::Corrupt(format!("token {id}: {e}")))?,
        id,
        region,
        label,
        created_at: from_db_time(created),
        expires_at: expires.map(from_db_time),
        revoked_at: revoked.map(from_db_time),
    })
}

const COLUMNS: (
    api_tokens::id,
    api_tokens::role,
    api_tokens::region,
    api_tokens::label,
    api_tokens::created_at,
    api_tokens::expires_at,
    api_tokens::revoked_at,
) = (
    api_tokens::id,
    api_tokens::role,
    api_tokens::region,
    api_tokens::label,
    api_tokens::created_at,
    api_tokens::expires_at,
    api_tokens::revoked_at,
);

/// Store a new token and log its creation (the secret is never logged).
pub fn create(
    tx: &mut AuditTx<'_>,
    actor: &str,
    token: &NewToken,
    role: Role,
    region: Option<&str>,
    label: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<TokenInfo, StoreError> {
    let now = tx.now();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(&token.id),
            api_tokens::token_hash.eq(token.hash.to_vec()),
            api_tokens::role.eq(role.as_str()),
            api_tokens::region.eq(region),
            api_tokens::label.eq(label),
            api_tokens::created_at.eq(db_time(now)),
            api_tokens::expires_at.eq(expires_at.map(db_time)),
        ))
        .execute(tx.conn)?;
    tx.append(
        "token.create",
        actor,
        Some(&token.id),
        json!({
            "token_id": token.id,
            "role": role.as_str(),
            "region": region,
            "label": label,
            "expires_at": expires_at.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        }),
    )?;
    get(tx.conn, &token.id)
}

pub fn get(conn: &mut DbConn, id: &str) -> Result<TokenInfo, StoreError> {
    let row: Option<Row> = api_tokens::table
        .find(id)
        .select(COLUMNS)
        .first(conn)
        .optional()?;
    info(row.ok_or_else(|| StoreError::NotFound {
        what: "token",
        id: id.to_owned(),
    })?)
}

pub fn list(conn: &mut DbConn) -> Result<Vec<TokenInfo>, StoreError> {
    let rows: Vec<Row> = api_tokens::table
        .order(api_tokens::created_at.asc())
        .then_order_by(api_tokens::id.asc())
        .select(COLUMNS)
        .load(conn)?;
    rows.into_iter().map(info).collect()
}

pub fn revoke(tx: &mut AuditTx<'_>, actor: &str, id: &str) -> Result<TokenInfo, StoreError> {
    let current = get(tx.conn, id)?;
    if current.revoked_at.is_some() {
        return Err(StoreError::Conflict {
            rule: "already_revoked",
            message: format!("token {id} is already revoked"),
        });
    }
    let now = tx.now();
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::revoked_at.eq(Some(db_time(now))))
        .execute(tx.conn)?;
    tx.append("token.revoke", actor, Some(id), json!({ "token_id": id }))?;
    get(tx.conn, id)
}

/// Why a presented token was refused; the API turns each into a 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Revoked,
    Expired,
}

/// Look a presented secret up by its hash.
pub fn authenticate(
    conn: &mut DbConn,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<Result<Caller, Refusal>, StoreError> {
    let hash = hash_token(secret);
    let row: Option<Row> = api_tokens::table
        .filter(api_tokens::token_hash.eq(hash.to_vec()))
        .select(COLUMNS)
        .first(conn)
        .optional()?;
    row.map_or(Ok(Err(Refusal::Unknown)), |row| check(row, now))
}

/// [`authenticate`], and in the same statement the audit log's size: what
/// a reader that keeps a model of the log (the registry) must compare with,
/// for one round trip instead of two. The size is `None` when the token is
/// unknown.
pub fn authenticate_at_size(
    conn: &mut DbConn,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<(Result<Caller, Refusal>, Option<u64>), StoreError> {
    use crate::db::schema::audit_head;
    let hash = hash_token(secret);
    let size = audit_head::table
        .filter(audit_head::id.eq(1))
        .select(audit_head::size)
        .single_value();
    let row: Option<(Row, Option<i64>)> = api_tokens::table
        .filter(api_tokens::token_hash.eq(hash.to_vec()))
        .select((COLUMNS, size))
        .first(conn)
        .optional()?;
    let Some((row, size)) = row else {
        return Ok((Err(Refusal::Unknown), None));
    };
    let size = size
        .map(u64::try_from)
        .transpose()
        .map_err(|_| StoreError::Corrupt("negative log size".into()))?
        .ok_or_else(|| StoreError::Corrupt("the log head is missing".into()))?;
    Ok((check(row, now)?, Some(size)))
}

fn check(row: Row, now: DateTime<Utc>) -> Result<Result<Caller, Refusal>, StoreError> {
    let t = info(row)?;
    if t.revoked_at.is_some() {
        return Ok(Err(Refusal::Revoked));
    }
    if t.expires_at.is_some_and(|e| e <= now) {
        return Ok(Err(Refusal::Expired));
    }
    Ok(Ok(Caller {
        token_id: t.id,
        role: t.role,
        region: t.region,
    }))
}

/// Whether any admin token that still works exists (for the first-run hint).
pub fn has_live_admin(conn: &mut DbConn, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let n: i64 = api_tokens::table
        .filter(api_tokens::role.eq(Role::Admin.as_str()))
        .filter(api_tokens::revoked_at.is_null())
        .filter(
            api_tokens::expires_at
                .is_null()
                .or(api_tokens::expires_at.gt(db_time(now))),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
