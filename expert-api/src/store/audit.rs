//! The audit log's storage: entries with their leaf bytes and leaf hashes,
//! and one head row holding the RFC 6962 compact range and root.
//!
//! `write` is the only way to change state: it locks the head row first
//! (serialising writers on both backends, so `seq` has no gaps or
//! duplicates), runs the change, appends its entries and stores the new head,
//! all in one transaction, with the interior hashes the new entries complete
//! (`nodes`), from which proofs and past roots are served (`proofs`).

mod nodes;
mod proofs;

pub use nodes::{Node, completed_by as nodes_completed_by, insert as insert_nodes};
pub use proofs::{
    Consistency, Inclusion, TreeArg, consistency, consistency_proof, inclusion, inclusion_proof,
    root_at,
};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use draw_audit::entry::Entry;
use draw_audit::merkle::{CompactRange, Hash, leaf_hash};
use serde_json::Value;

use super::{StoreError, db_time};
use crate::db::DbConn;
use crate::db::schema::{audit_entries, audit_head, checkpoints};

/// The log's current size and root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

/// A transaction that may append to the log. Obtained only from [`write`].
pub struct AuditTx<'c> {
    pub conn: &'c mut DbConn,
    now: DateTime<Utc>,
    range: CompactRange,
    appended: usize,
    /// Tree nodes the appended entries complete, written before commit.
    nodes: Vec<Node>,
    after_commit: Vec<AfterCommit>,
}

/// Work that must follow a successful commit before [`write`] returns
/// (pinning a checkpoint signed in the transaction).
pub type AfterCommit = Box<dyn FnOnce() -> Result<(), StoreError> + Send>;

impl std::fmt::Debug for AuditTx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditTx")
            .field("size", &self.range.size())
            .field("appended", &self.appended)
            .finish()
    }
}

impl AuditTx<'_> {
    /// The time of this transaction (microsecond precision).
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Append one entry; `subject` (an expert or draw id) makes the entry
    /// findable by filter, it is not part of the leaf.
    pub fn append(
        &mut self,
        kind: &str,
        actor: &str,
        subject: Option<&str>,
        data: Value,
    ) -> Result<Entry, StoreError> {
        let entry = Entry::new(self.range.size(), self.now, kind, actor, data);
        let leaf = entry
            .leaf_bytes()
            .map_err(|e| StoreError::Corrupt(format!("entry is not canonical JSON: {e}")))?;
        self.push(entry.seq, &entry.kind, &entry.actor, leaf, subject)?;
        Ok(entry)
    }

    /// [`AuditTx::append`] of `data` with `data[key]` set to the value
    /// whose canonical JSON is `canonical`, already at hand (a draw's
    /// statement, stored canonical at its commit): the leaf is built by
    /// [`leaf_with_member`] without parsing or encoding that value again.
    pub fn append_with_member(
        &mut self,
        kind: &str,
        actor: &str,
        subject: Option<&str>,
        mut data: Value,
        key: &str,
        canonical: &str,
    ) -> Result<(), StoreError> {
        let entry = Entry::new(self.range.size(), self.now, kind, actor, data.clone());
        let leaf = match leaf_with_member(&entry, key, canonical)? {
            Some(leaf) => leaf,
            None => {
                // Encode the whole entry (never taken for an object `data`).
                let value: Value = serde_json::from_str(canonical)
                    .map_err(|e| StoreError::Corrupt(format!("{key} is not JSON: {e}")))?;
                if let Some(obj) = data.as_object_mut() {
                    obj.insert(key.to_owned(), value);
                }
                Entry::new(self.range.size(), self.now, kind, actor, data)
                    .leaf_bytes()
                    .map_err(|e| StoreError::Corrupt(format!("entry is not canonical JSON: {e}")))?
            }
        };
        self.push(entry.seq, &entry.kind, &entry.actor, leaf, subject)
    }

    fn push(
        &mut self,
        seq: u64,
        kind: &str,
        actor: &str,
        leaf: Vec<u8>,
        subject: Option<&str>,
    ) -> Result<(), StoreError> {
        let hash = leaf_hash(&leaf);
        let leaf_text = String::from_utf8(leaf)
            .map_err(|e| StoreError::Corrupt(format!("leaf is not UTF-8: {e}")))?;
        let seq_i = i64::try_from(seq).map_err(|_| StoreError::Corrupt("log full".into()))?;
        diesel::insert_into(audit_entries::table)
            .values((
                audit_entries::seq.eq(seq_i),
                audit_entries::time.eq(db_time(self.now)),
                audit_entries::kind.eq(kind),
                audit_entries::actor.eq(actor),
                audit_entries::subject.eq(subject),
                audit_entries::leaf.eq(leaf_text),
                audit_entries::leaf_hash.eq(hash.to_vec()),
            ))
            .execute(self.conn)?;
        self.push_leaf(hash)?;
        self.appended += 1;
        Ok(())
    }

    /// The log's size and root including this transaction's entries so far
    /// (what a checkpoint signed before the commit names).
    pub fn head(&self) -> TreeHead {
        TreeHead {
            size: self.range.size(),
            root: self.range.root(),
        }
    }

    /// Append many entries with multi-row inserts: the same entries, hashes
    /// and `seq` numbers as calling [`AuditTx::append`] for each in order,
    /// but one statement per thousand rows (a bulk import on PostgreSQL
    /// would otherwise pay one network round trip per entry).
    pub fn append_all(&mut self, entries: Vec<NewEntry>) -> Result<(), StoreError> {
        // 7 bound values per row keeps a chunk far below both backends'
        // limits on bound parameters (SQLite 32,766; PostgreSQL 65,535).
        const CHUNK: usize = 1_000;
        let time = db_time(self.now);
        let mut rows = Vec::with_capacity(entries.len());
        for e in entries {
            let seq = self.range.size();
            let entry = Entry::new(seq, self.now, e.kind.as_str(), e.actor.as_str(), e.data);
            let leaf = entry
                .leaf_bytes()
                .map_err(|e| StoreError::Corrupt(format!("entry is not canonical JSON: {e}")))?;
            let hash = leaf_hash(&leaf);
            let leaf_text = String::from_utf8(leaf)
                .map_err(|e| StoreError::Corrupt(format!("leaf is not UTF-8: {e}")))?;
            let seq_i = i64::try_from(seq).map_err(|_| StoreError::Corrupt("log full".into()))?;
            self.push_leaf(hash)?;
            rows.push((seq_i, e.kind, e.actor, e.subject, leaf_text, hash.to_vec()));
            self.appended += 1;
        }
        for chunk in rows.chunks(CHUNK) {
            let values: Vec<_> = chunk
                .iter()
                .map(|(seq, kind, actor, subject, leaf, hash)| {
                    (
                        audit_entries::seq.eq(*seq),
                        audit_entries::time.eq(time),
                        audit_entries::kind.eq(kind),
                        audit_entries::actor.eq(actor),
                        audit_entries::subject.eq(subject.as_deref()),
                        audit_entries::leaf.eq(leaf),
                        audit_entries::leaf_hash.eq(hash),
                    )
                })
                .collect();
            crate::db::with_backend!(&mut *self.conn, c => {
                diesel::insert_into(audit_entries::table)
                    .values(&values)
                    .execute(c)
            })?;
        }
        Ok(())
    }

    /// How many entries this transaction appended so far.
    pub fn appended(&self) -> usize {
        self.appended
    }

    /// Run `work` once this transaction has committed, before [`write`]
    /// returns; if it fails, `write` fails although the change committed.
    pub fn after_commit(&mut self, work: AfterCommit) {
        self.after_commit.push(work);
    }

    /// Extend the tree by one leaf, keeping the nodes it completes.
    fn push_leaf(&mut self, hash: Hash) -> Result<(), StoreError> {
        self.nodes.extend(nodes::completed_by(&self.range, hash));
        self.range
            .append(hash)
            .map_err(|e| StoreError::Corrupt(format!("log full: {e}")))
    }
}

/// The leaf bytes of `entry` with `data[key]` set to the value whose
/// canonical JSON is `canonical`, or `None` when they cannot be built that
/// way (then encode the whole entry). RFC 8785 writes each member's value
/// independently of its siblings, so the canonical entry with a
/// placeholder string at `data[key]`, the placeholder's (unique) encoding
/// replaced by `canonical`, is the canonical entry with the value there.
pub fn leaf_with_member(
    entry: &Entry,
    key: &str,
    canonical: &str,
) -> Result<Option<Vec<u8>>, StoreError> {
    const PLACEHOLDER: &str = "\u{0}member\u{0}";
    let mut entry = entry.clone();
    let Some(obj) = entry.data.as_object_mut() else {
        return Ok(None);
    };
    obj.insert(key.to_owned(), Value::String(PLACEHOLDER.to_owned()));
    let leaf = entry
        .leaf_bytes()
        .map_err(|e| StoreError::Corrupt(format!("entry is not canonical JSON: {e}")))?;
    let leaf = String::from_utf8(leaf)
        .map_err(|e| StoreError::Corrupt(format!("leaf is not UTF-8: {e}")))?;
    let marker = draw_audit::jcs::canonical_string(&Value::String(PLACEHOLDER.to_owned()))
        .map_err(|e| StoreError::Corrupt(format!("placeholder: {e}")))?;
    let mut found = leaf.match_indices(&marker);
    let (Some((at, _)), None) = (found.next(), found.next()) else {
        return Ok(None);
    };
    let mut out = String::with_capacity(leaf.len() + canonical.len());
    out.push_str(leaf.get(..at).unwrap_or_default());
    out.push_str(canonical);
    out.push_str(leaf.get(at + marker.len()..).unwrap_or_default());
    Ok(Some(out.into_bytes()))
}

/// An entry waiting for [`AuditTx::append_all`].
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub kind: String,
    pub actor: String,
    /// An expert or draw id that makes the entry findable by filter.
    pub subject: Option<String>,
    pub data: Value,
}

/// Run `change` in one transaction with the log head locked; its entries and
/// the new head commit with it or not at all.
pub fn write<T, E>(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    change: impl FnOnce(&mut AuditTx<'_>) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StoreError> + From<diesel::result::Error>,
{
    let now = super::from_db_time(db_time(now));
    let mut after_commit = Vec::new();
    let out = conn.transaction(|conn| {
        lock_head(conn)?;
        let range = load_range(conn)?;
        // `now` was read before the lock was ours; a writer that got the
        // lock first may have logged a later time. Times never go back
        // along the log, across processes too, so a verifier can order
        // entries (a commit before its reveal) by either seq or time.
        let last: Option<chrono::NaiveDateTime> = audit_entries::table
            .order(audit_entries::seq.desc())
            .select(audit_entries::time)
            .first(conn)
            .optional()?;
        let now = last.map(super::from_db_time).map_or(now, |t| t.max(now));
        let mut tx = AuditTx {
            conn,
            now,
            range,
            appended: 0,
            nodes: Vec::new(),
            after_commit: Vec::new(),
        };
        let out = change(&mut tx)?;
        nodes::insert(tx.conn, &tx.nodes)?;
        if tx.appended > 0 {
            let size = i64::try_from(tx.range.size())
                .map_err(|_| StoreError::Corrupt("log full".into()))?;
            let compact: Vec<u8> = tx.range.hashes().iter().flatten().copied().collect();
            diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
                .set((
                    audit_head::size.eq(size),
                    audit_head::compact.eq(compact),
                    audit_head::root.eq(tx.range.root().to_vec()),
                ))
                .execute(tx.conn)?;
        }
        after_commit = std::mem::take(&mut tx.after_commit);
        Ok::<T, E>(out)
    })?;
    for work in after_commit {
        work()?;
    }
    Ok(out)
}

/// Bring `audit_nodes` up to the head if it is behind (a log from before
/// the table existed, or nodes edited behind the application's back):
/// rebuild every node from the stored leaf hashes in one transaction, with
/// the head locked. Returns how many nodes were written, `None` when the
/// table was already complete (the usual case: one small query).
pub fn backfill_nodes(conn: &mut DbConn) -> Result<Option<u64>, StoreError> {
    conn.transaction(|conn| {
        lock_head(conn)?;
        let range = load_range(conn)?;
        if nodes::complete(conn, &range)? {
            return Ok(None);
        }
        let (rebuilt, written) = nodes::rebuild(conn)?;
        if rebuilt != range {
            return Err(StoreError::Corrupt(format!(
                "the stored leaf hashes ({} entries) do not give the stored head \
                 ({} entries); run `expert-api audit check`",
                rebuilt.size(),
                range.size()
            )));
        }
        Ok(Some(written))
    })
}

/// An UPDATE, not a SELECT, comes first: on SQLite it takes the write lock at
/// once (no deadlocking read-to-write upgrade), on PostgreSQL it locks the
/// head row until commit.
fn lock_head(conn: &mut DbConn) -> Result<(), StoreError> {
    diesel::update(audit_head::table.filter(audit_head::id.eq(1)))
        .set(audit_head::size.eq(audit_head::size))
        .execute(conn)?;
    Ok(())
}

fn load_range(conn: &mut DbConn) -> Result<CompactRange, StoreError> {
    let (size, compact): (i64, Vec<u8>) = audit_head::table
        .find(1)
        .select((audit_head::size, audit_head::compact))
        .first(conn)?;
    let size = u64::try_from(size).map_err(|_| StoreError::Corrupt("negative log size".into()))?;
    let hashes = compact
        .chunks(32)
        .map(|c| Hash::try_from(c).map_err(|_| StoreError::Corrupt("compact range".into())))
        .collect::<Result<Vec<_>, _>>()?;
    CompactRange::from_parts(size, hashes)
        .map_err(|e| StoreError::Corrupt(format!("compact range: {e}")))
}

/// The current size and root, as stored.
pub fn head(conn: &mut DbConn) -> Result<TreeHead, StoreError> {
    let (size, root): (i64, Vec<u8>) = audit_head::table
        .find(1)
        .select((audit_head::size, audit_head::root))
        .first(conn)?;
    Ok(TreeHead {
        size: u64::try_from(size).map_err(|_| StoreError::Corrupt("negative log size".into()))?,
        root: Hash::try_from(root.as_slice())
            .map_err(|_| StoreError::Corrupt("root is not 32 bytes".into()))?,
    })
}

/// The log's size alone: the cheapest "has anything changed?" a reader can
/// ask, since every change of state appends an entry.
pub fn size(conn: &mut DbConn) -> Result<u64, StoreError> {
    let size: i64 = audit_head::table
        .find(1)
        .select(audit_head::size)
        .first(conn)?;
    u64::try_from(size).map_err(|_| StoreError::Corrupt("negative log size".into()))
}

/// The distinct subjects (expert, draw, token … ids) of the entries from
/// `seq` on, at most `limit` of them (`None` when there are more: the
/// caller then reads everything afresh).
pub fn subjects_since(
    conn: &mut DbConn,
    seq: u64,
    limit: usize,
) -> Result<Option<Vec<String>>, StoreError> {
    let from = i64::try_from(seq).unwrap_or(i64::MAX);
    // A range of the primary key, in order, deduplicated here: a
    // `DISTINCT subject` lets the planner walk the whole subject index
    // (every expert's entries) to find the few logged since.
    let rows = limit.saturating_mul(4).max(1_000);
    let cap = i64::try_from(rows).unwrap_or(i64::MAX);
    let subjects: Vec<Option<String>> = audit_entries::table
        .filter(audit_entries::seq.ge(from))
        .order(audit_entries::seq.asc())
        .select(audit_entries::subject)
        .limit(cap)
        .load(conn)?;
    if subjects.len() >= rows {
        return Ok(None);
    }
    let distinct: std::collections::BTreeSet<String> = subjects.into_iter().flatten().collect();
    if distinct.len() > limit {
        return Ok(None);
    }
    Ok(Some(distinct.into_iter().collect()))
}

/// The stored leaf hash of entry `index`.
pub fn leaf_hash_at(conn: &mut DbConn, index: u64) -> Result<Hash, StoreError> {
    let seq = i64::try_from(index).unwrap_or(i64::MAX);
    let hash: Option<Vec<u8>> = audit_entries::table
        .find(seq)
        .select(audit_entries::leaf_hash)
        .first(conn)
        .optional()?;
    let hash = hash.ok_or_else(|| StoreError::NotFound {
        what: "log entry",
        id: index.to_string(),
    })?;
    Hash::try_from(hash.as_slice())
        .map_err(|_| StoreError::Corrupt(format!("leaf hash {index} is not 32 bytes")))
}

/// The signed checkpoint kept for tree size `size` (one is kept whenever
/// a draw is committed or revealed), if any.
pub fn stored_checkpoint(conn: &mut DbConn, size: u64) -> Result<Option<String>, StoreError> {
    let Ok(size) = i64::try_from(size) else {
        return Ok(None);
    };
    Ok(checkpoints::table
        .find(size)
        .select(checkpoints::note)
        .first(conn)
        .optional()?)
}

/// Leaf bytes of entries `from..from+limit`, in `seq` order.
pub fn leaves(conn: &mut DbConn, from: u64, limit: u64) -> Result<Vec<String>, StoreError> {
    let from = i64::try_from(from).unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Ok(audit_entries::table
        .filter(audit_entries::seq.ge(from))
        .order(audit_entries::seq.asc())
        .limit(limit)
        .select(audit_entries::leaf)
        .load(conn)?)
}

/// What a full check of the stored log found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogCheck {
    Consistent(TreeHead),
    /// The first entry whose stored bytes, hash or position is wrong.
    BadEntry {
        seq: u64,
        reason: String,
    },
    /// Every entry is well-formed but the head does not match them.
    BadHead {
        reason: String,
    },
}

/// Recompute every leaf hash, the root and the compact range from the
/// stored leaf bytes, in pages, and compare them with what is stored. This
/// catches any change made to the tables behind the application's back,
/// except a rewrite that recomputes every hash and the head as well: only a
/// checkpoint signed earlier (held by someone else) exposes that.
pub fn check_log(conn: &mut DbConn) -> Result<LogCheck, StoreError> {
    // One snapshot for the head and every page: a writer committing between
    // two reads must not look like tampering.
    super::snapshot(conn, check_snapshot)
}

fn check_snapshot(conn: &mut DbConn) -> Result<LogCheck, StoreError> {
    const PAGE: i64 = 5_000;
    let stored = head(conn)?;
    let mut range = CompactRange::new();
    let mut next: u64 = 0;
    loop {
        let after = i64::try_from(next).unwrap_or(i64::MAX);
        let rows: Vec<(i64, String, Vec<u8>)> = audit_entries::table
            .filter(audit_entries::seq.ge(after))
            .order(audit_entries::seq.asc())
            .limit(PAGE)
            .select((
                audit_entries::seq,
                audit_entries::leaf,
                audit_entries::leaf_hash,
            ))
            .load(conn)?;
        if rows.is_empty() {
            break;
        }
        for (seq, leaf, stored_hash) in rows {
            let seq_u = u64::try_from(seq).unwrap_or(u64::MAX);
            if seq_u != next {
                return Ok(LogCheck::BadEntry {
                    seq: next,
                    reason: format!("entry {next} is missing (next stored is {seq})"),
                });
            }
            let entry = match Entry::parse_leaf(leaf.as_bytes()) {
                Ok(e) => e,
                Err(e) => {
                    return Ok(LogCheck::BadEntry {
                        seq: next,
                        reason: format!("not a canonical entry: {e}"),
                    });
                }
            };
            if entry.seq != next {
                return Ok(LogCheck::BadEntry {
                    seq: next,
                    reason: format!("leaf says seq {} at position {next}", entry.seq),
                });
            }
            let hash = leaf_hash(leaf.as_bytes());
            if stored_hash.as_slice() != hash.as_slice() {
                return Ok(LogCheck::BadEntry {
                    seq: next,
                    reason: "leaf bytes do not match the stored leaf hash".into(),
                });
            }
            range
                .append(hash)
                .map_err(|e| StoreError::Corrupt(format!("log full: {e}")))?;
            next += 1;
        }
    }
    if range.size() != stored.size {
        return Ok(LogCheck::BadHead {
            reason: format!(
                "head says {} entries, {} are stored",
                stored.size,
                range.size()
            ),
        });
    }
    if range.root() != stored.root {
        return Ok(LogCheck::BadHead {
            reason: "the stored root is not the root of the stored entries".into(),
        });
    }
    // The next append builds on the compact range, not on the root: a wrong
    // one would have the server sign roots that no entries produce.
    let compact: Vec<u8> = audit_head::table
        .find(1)
        .select(audit_head::compact)
        .first(conn)?;
    if compact != range.hashes().concat() {
        return Ok(LogCheck::BadHead {
            reason: "the stored compact range does not match the stored entries".into(),
        });
    }
    Ok(LogCheck::Consistent(stored))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leaf_with_member_is_the_plain_leaf() {
        let now = chrono::DateTime::from_timestamp(1_764_000_000, 0).unwrap();
        let statement = json!({
            "candidates": [{"id": "E1", "employer": "单位\u{1F600}\u{e000}", "recent": 2}],
            "draw_id": "D-2026-000001",
            "excluded": {"not_active": 3},
        });
        let canonical = draw_audit::jcs::canonical_string(&statement).unwrap();
        // Beacons that imitate the placeholder must not confuse the splice.
        for beacon in [
            "",
            "42",
            "\"\u{0}member\u{0}\"",
            "\\u0000member\\u0000",
            "\u{0}member\u{0}",
        ] {
            let data = json!({"draw_id": "D-2026-000001", "beacon": beacon, "nonce": "00"});
            let entry = Entry::new(7, now, "draw.reveal", "op:1", data.clone());
            let spliced = leaf_with_member(&entry, "statement", &canonical).unwrap();
            let mut full = data.clone();
            full["statement"] = statement.clone();
            let plain = Entry::new(7, now, "draw.reveal", "op:1", full)
                .leaf_bytes()
                .unwrap();
            if let Some(spliced) = spliced {
                assert_eq!(
                    String::from_utf8(spliced).unwrap(),
                    String::from_utf8(plain).unwrap()
                );
            } else {
                // Only a placeholder seen twice falls back to the plain path.
                assert!(beacon.contains("member"), "no splice for beacon {beacon:?}");
            }
        }
    }
}
