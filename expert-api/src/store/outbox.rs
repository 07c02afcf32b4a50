//! The notification outbox: messages written in the same transaction as
//! the change that causes them, delivered later by the worker with retries.
//! Each row carries an idempotency key the receiver can deduplicate on.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{StoreError, db_time, from_db_time};
use crate::db::DbConn;
use crate::db::schema::outbox;

/// One message waiting for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    pub channel: String,
    pub recipient_ref: String,
    pub payload: String,
    pub idempotency_key: String,
    pub attempts: u32,
}

/// Queue a message (inside the caller's transaction).
pub fn enqueue(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    channel: &str,
    recipient_ref: &str,
    payload: &serde_json::Value,
    idempotency_key: &str,
) -> Result<String, StoreError> {
    let message = NewMessage {
        channel: channel.to_owned(),
        recipient_ref: recipient_ref.to_owned(),
        payload: payload.clone(),
        idempotency_key: idempotency_key.to_owned(),
    };
    enqueue_all(conn, now, &[message])?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("no message id".into()))
}

/// A message for [`enqueue_all`].
#[derive(Debug)]
pub struct NewMessage {
    pub channel: String,
    pub recipient_ref: String,
    pub payload: serde_json::Value,
    pub idempotency_key: String,
}

/// Queue messages in one statement (inside the caller's transaction), as
/// [`enqueue`] would one by one; returns their ids in order.
pub fn enqueue_all(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    messages: &[NewMessage],
) -> Result<Vec<String>, StoreError> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    let mut ids = Vec::with_capacity(messages.len());
    for _ in messages {
        ids.push(format!(
            "M{}",
            hex::encode(
                crate::auth::random_bytes::<8>().map_err(|e| StoreError::Corrupt(e.to_string()))?
            )
        ));
    }
    let payloads: Vec<String> = messages.iter().map(|m| m.payload.to_string()).collect();
    let at = db_time(now);
    let values: Vec<_> = messages
        .iter()
        .zip(&ids)
        .zip(&payloads)
        .map(|((m, id), payload)| {
            (
                outbox::id.eq(id),
                outbox::channel.eq(&m.channel),
                outbox::recipient_ref.eq(&m.recipient_ref),
                outbox::payload.eq(payload),
                outbox::idempotency_key.eq(&m.idempotency_key),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(at),
                outbox::created_at.eq(at),
            )
        })
        .collect();
    crate::db::with_backend!(&mut *conn, c => {
        diesel::insert_into(outbox::table).values(&values).execute(c)
    })?;
    Ok(ids)
}

/// Undelivered messages whose next attempt is due, oldest first.
pub fn due(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    max_attempts: u32,
    limit: i64,
) -> Result<Vec<Message>, StoreError> {
    let rows: Vec<(String, String, String, String, String, i32)> = outbox::table
        .filter(outbox::delivered_at.is_null())
        .filter(outbox::cancelled_at.is_null())
        .filter(outbox::next_attempt_at.le(db_time(now)))
        .filter(outbox::attempts.lt(i32::try_from(max_attempts).unwrap_or(i32::MAX)))
        .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
        .limit(limit)
        .select((
            outbox::id,
            outbox::channel,
            outbox::recipient_ref,
            outbox::payload,
            outbox::idempotency_key,
            outbox::attempts,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, channel, recipient_ref, payload, key, attempts)| Message {
                id,
                channel,
                recipient_ref,
                payload,
                idempotency_key: key,
                attempts: u32::try_from(attempts).unwrap_or(0),
            },
        )
        .collect())
}

/// Cancel the messages to `recipient_ref` not yet delivered (inside the
/// caller's transaction): they are not sent unless [`restore`]d. Returns
/// how many.
pub fn cancel(
    conn: &mut DbConn,
    recipient_ref: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        outbox::table
            .filter(outbox::recipient_ref.eq(recipient_ref))
            .filter(outbox::delivered_at.is_null())
            .filter(outbox::cancelled_at.is_null()),
    )
    .set(outbox::cancelled_at.eq(Some(db_time(now))))
    .execute(conn)?)
}

/// Undo [`cancel`] for the undelivered messages to these recipients.
///
/// The messages are read by recipient alone and updated one by one by
/// primary key, with no other condition in either statement: with
/// `delivered_at IS NULL` in the same `WHERE`, SQLite's planner took the
/// due index and walked every undelivered message, the whole outbox when
/// no sender delivers (a scan that grew with every draw, under the
/// log-head lock).
pub fn restore(conn: &mut DbConn, recipient_refs: &[String]) -> Result<usize, StoreError> {
    if recipient_refs.is_empty() {
        return Ok(0);
    }
    let held: Vec<(String, Option<NaiveDateTime>, Option<NaiveDateTime>)> = outbox::table
        .filter(outbox::recipient_ref.eq_any(recipient_refs))
        .select((outbox::id, outbox::delivered_at, outbox::cancelled_at))
        .load(conn)?;
    let mut restored = 0;
    for (id, delivered, cancelled) in held {
        if delivered.is_none() && cancelled.is_some() {
            restored += diesel::update(outbox::table.find(&id))
                .set(outbox::cancelled_at.eq(None::<NaiveDateTime>))
                .execute(conn)?;
        }
    }
    Ok(restored)
}

pub fn mark_delivered(conn: &mut DbConn, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::delivered_at.eq(Some(db_time(now))),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Record a failed attempt; the next one waits `base × 2^attempts`.
pub fn mark_failed(
    conn: &mut DbConn,
    message: &Message,
    now: DateTime<Utc>,
    base_ms: u64,
    error: &str,
) -> Result<DateTime<Utc>, StoreError> {
    let factor = 1u64 << message.attempts.min(16);
    let delay = Duration::milliseconds(
        i64::try_from(base_ms.saturating_mul(factor)).unwrap_or(i64::MAX / 2),
    );
    let next = now + delay;
    let error: String = error.chars().take(500).collect();
    diesel::update(outbox::table.find(&message.id))
        .set((
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::next_attempt_at.eq(db_time(next)),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(next)
}

/// Delivery state of one message, for the API and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub attempts: u32,
    pub delivered_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

pub fn delivery(conn: &mut DbConn, id: &str) -> Result<Delivery, StoreError> {
    let (attempts, delivered, last_error): (i32, Option<chrono::NaiveDateTime>, Option<String>) =
        outbox::table
            .find(id)
            .select((outbox::attempts, outbox::delivered_at, outbox::last_error))
            .first(conn)?;
    Ok(Delivery {
        attempts: u32::try_from(attempts).unwrap_or(0),
        delivered_at: delivered.map(from_db_time),
        last_error,
    })
}
