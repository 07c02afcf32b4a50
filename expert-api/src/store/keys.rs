//! The log's key history as the log itself records it (`log.key_rotation`
//! entries).

use diesel::prelude::*;
use draw_audit::entry::Entry;
use serde_json::json;

use super::StoreError;
use super::audit::AuditTx;
use crate::db::DbConn;
use crate::db::schema::audit_entries;

/// The entry kind of both steps of a key rotation.
pub const ROTATION_KIND: &str = "log.key_rotation";

/// The two steps of a rotation, as `"phase"` in the entry's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Both keys sign from here on.
    Begin,
    /// The old key is retired: only the new key signs after this entry.
    Finish,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Begin => "begin",
            Phase::Finish => "finish",
        }
    }
}

/// The latest rotation entry: which verifier keys it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub seq: u64,
    pub phase: Phase,
    /// Verifier key strings `name+keyid+base64`.
    pub old: String,
    pub new: String,
}

impl Rotation {
    /// The verifier keys that sign a checkpoint of `size` entries: both
    /// during the changeover, and for the checkpoint that ends with the
    /// finish entry (so a supervisor who holds only the old key sees the
    /// retirement signed); the new key alone after that.
    pub fn signers_at(&self, size: u64) -> Vec<String> {
        match self.phase {
            Phase::Finish if size > self.seq + 1 => vec![self.new.clone()],
            _ => vec![self.old.clone(), self.new.clone()],
        }
    }
}

/// The latest rotation entry in the first `size` entries of the log.
pub fn rotation_at(conn: &mut DbConn, size: u64) -> Result<Option<Rotation>, StoreError> {
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    let leaf: Option<String> = audit_entries::table
        .filter(audit_entries::kind.eq(ROTATION_KIND))
        .filter(audit_entries::seq.lt(size))
        .order(audit_entries::seq.desc())
        .select(audit_entries::leaf)
        .first(conn)
        .optional()?;
    leaf.map(|l| parse_rotation(&l)).transpose()
}

fn parse_rotation(leaf: &str) -> Result<Rotation, StoreError> {
    let bad = |why: &str| StoreError::Corrupt(format!("key rotation entry: {why}"));
    let entry = Entry::parse_leaf(leaf.as_bytes()).map_err(|e| bad(&e.to_string()))?;
    let text = |field: &str| {
        entry.data[field]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| bad(&format!("no {field}")))
    };
    let phase = match text("phase")?.as_str() {
        "begin" => Phase::Begin,
        "finish" => Phase::Finish,
        other => return Err(bad(&format!("unknown phase {other:?}"))),
    };
    Ok(Rotation {
        seq: entry.seq,
        phase,
        old: text("old")?,
        new: text("new")?,
    })
}

/// Log one step of a rotation. The caller signs a checkpoint in the same
/// transaction, so the entry is covered by a checkpoint both keys signed.
pub fn log_rotation(
    tx: &mut AuditTx<'_>,
    actor: &str,
    phase: Phase,
    old: &str,
    new: &str,
) -> Result<Entry, StoreError> {
    tx.append(
        ROTATION_KIND,
        actor,
        None,
        json!({"phase": phase.as_str(), "old": old, "new": new}),
    )
}
