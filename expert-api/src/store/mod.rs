//! Queries and state changes, each a function near its tables. Every change
//! of state runs inside `audit::write`, which appends its log entries in the
//! same transaction.

pub mod assessments;
pub mod audit;
pub mod awards;
pub mod bookings;
pub mod cases;
pub mod credit;
pub mod draws;
pub mod evaluations;
pub mod experts;
pub mod keys;
pub mod outbox;
pub mod oversight;
pub mod pool;
pub mod receipts;
pub mod signals;
pub mod tokens;
pub mod violations;

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use diesel::RunQueryDsl;
use diesel::connection::Connection;

use crate::db::DbConn;

/// Why a store call failed. Domain refusals carry what the API needs to name
/// the field and rule; database failures stay opaque to clients.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(#[from] diesel::result::Error),
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("conflict ({rule}): {message}")]
    Conflict { rule: &'static str, message: String },
    #[error("invalid input")]
    Invalid(Vec<expert_core::expert::FieldError>),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// A proof or root asked of the log with an argument out of range
    /// (beyond the head, an index not below the size, sizes reversed).
    #[error("{}: {reason}", arg.name())]
    TreeArg { arg: audit::TreeArg, reason: String },
    /// No checkpoint could be signed: a key is missing, or the head
    /// contradicts the last signed checkpoint (see `keys::pin`).
    #[error("cannot sign a checkpoint: {0}")]
    Signing(String),
}

/// Times are stored as UTC `Timestamp`s with microsecond precision, the
/// finest both backends keep; truncating before writing makes a value read
/// back equal to the one written.
pub fn db_time(t: DateTime<Utc>) -> NaiveDateTime {
    let t = t.naive_utc();
    t.with_nanosecond(t.nanosecond() / 1_000 * 1_000)
        .unwrap_or(t)
}

pub fn from_db_time(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

/// Run `read` in one read-only snapshot: SQLite in WAL mode keeps the
/// snapshot of a transaction's first read; PostgreSQL needs REPEATABLE
/// READ, set before the first query. A writer committing between two of
/// `read`'s queries is then invisible to all of them.
pub fn snapshot<T>(
    conn: &mut DbConn,
    read: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.transaction(|conn| {
        if matches!(conn, DbConn::Postgres(_)) {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(conn)?;
        }
        read(conn)
    })
}

/// The next value of the named counter (1 for a counter not yet used), in
/// the caller's transaction: ids and numbers (`D-2026-000001`, `CF-…`,
/// `V…`) are dense and never reused, because the writer holds the log head.
pub fn next_in(conn: &mut DbConn, name: &str) -> Result<i64, StoreError> {
    use crate::db::schema::counters;
    use diesel::prelude::*;
    let exists: Option<i64> = counters::table
        .find(name)
        .select(counters::value)
        .first(conn)
        .optional()?;
    if exists.is_none() {
        diesel::insert_into(counters::table)
            .values((counters::name.eq(name), counters::value.eq(0_i64)))
            .execute(conn)?;
    }
    diesel::update(counters::table.find(name))
        .set(counters::value.eq(counters::value + 1))
        .execute(conn)?;
    Ok(counters::table
        .find(name)
        .select(counters::value)
        .first(conn)?)
}
