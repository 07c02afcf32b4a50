//! The stored interior hashes of the log's perfect subtrees (`audit_nodes`):
//! which nodes an append completes, writing them, and the one-off backfill
//! of a log that predates the table.

use std::collections::{BTreeMap, BTreeSet};

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Binary, Integer};
use draw_audit::merkle::{CompactRange, Hash, node_hash};

use super::super::StoreError;
use super::TreeHead;
use crate::db::DbConn;
use crate::db::schema::{audit_entries, audit_nodes};

/// The root of the perfect subtree over leaves
/// `[index * 2^level, (index + 1) * 2^level)`; level 0 is a leaf hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Node {
    pub level: u32,
    pub index: u64,
    pub hash: Hash,
}

/// The nodes that appending the leaf `leaf` to `range` completes, lowest
/// first: one per trailing 1-bit of the old size (about one per append on
/// average). Call it before `range.append(leaf)`.
pub fn completed_by(range: &CompactRange, leaf: Hash) -> Vec<Node> {
    let size = range.size();
    let merges = size.trailing_ones() as usize;
    let mut merged = leaf;
    let mut out = Vec::with_capacity(merges);
    // The compact range ends with the roots of the subtrees the new leaf
    // completes, smallest last.
    for (level, left) in (1u32..).zip(range.hashes().iter().rev().take(merges)) {
        merged = node_hash(left, &merged);
        out.push(Node {
            level,
            index: size >> level,
            hash: merged,
        });
    }
    out
}

/// Write `nodes` with multi-row inserts (3 bound values per row, far below
/// either backend's limit on bound parameters).
pub fn insert(conn: &mut DbConn, nodes: &[Node]) -> Result<(), StoreError> {
    const CHUNK: usize = 2_000;
    for chunk in nodes.chunks(CHUNK) {
        let rows = chunk
            .iter()
            .map(|n| {
                Ok((
                    audit_nodes::level.eq(i32::try_from(n.level).map_err(|_| full())?),
                    audit_nodes::idx.eq(i64::try_from(n.index).map_err(|_| full())?),
                    audit_nodes::hash.eq(n.hash.to_vec()),
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        crate::db::with_backend!(&mut *conn, c => {
            diesel::insert_into(audit_nodes::table).values(&rows).execute(c)
        })?;
    }
    Ok(())
}

fn full() -> StoreError {
    StoreError::Corrupt("log full".into())
}

/// What one read of the tree gives: the log's head and the stored hashes
/// asked for, by `(level, index)`, from the same snapshot.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub head: TreeHead,
    /// Keys that are not stored are simply missing.
    pub hashes: BTreeMap<(u32, u64), Hash>,
}

/// The head row comes back as this level (no node has it).
const HEAD_LEVEL: i32 = -1;

/// The head and the stored hashes `wanted` (level 0 from `audit_entries`,
/// the rest from `audit_nodes`) in ONE statement, so a proof that checks
/// its arguments against the head costs one round trip to the database,
/// and the head and hashes are read from one snapshot. A key no row can
/// have (an index beyond `i64`) is left out of the query: it is missing.
pub fn fetch(conn: &mut DbConn, wanted: &BTreeSet<(u32, u64)>) -> Result<Fetched, StoreError> {
    let keys = Keys::new(wanted);
    let rows: Vec<(i32, i64, Vec<u8>)> = match conn {
        DbConn::Postgres(c) => keys.load(c)?,
        DbConn::Sqlite(c) => by_literal_keys(&keys)
            .load::<Row>(c)?
            .into_iter()
            .map(|r| (r.level, r.idx, r.hash))
            .collect(),
    };
    let mut head = None;
    let mut hashes = BTreeMap::new();
    for (level, idx, hash) in rows {
        if level == HEAD_LEVEL {
            let size =
                u64::try_from(idx).map_err(|_| StoreError::Corrupt("negative log size".into()))?;
            let root = Hash::try_from(hash.as_slice())
                .map_err(|_| StoreError::Corrupt("root is not 32 bytes".into()))?;
            head = Some(TreeHead { size, root });
            continue;
        }
        let hash = Hash::try_from(hash.as_slice()).map_err(|_| bad_node("not 32 bytes"))?;
        let key = (
            u32::try_from(level).map_err(|_| bad_node("negative level"))?,
            u64::try_from(idx).map_err(|_| bad_node("negative index"))?,
        );
        hashes.insert(key, hash);
    }
    let head = head.ok_or_else(|| StoreError::Corrupt("the log has no head row".into()))?;
    Ok(Fetched { head, hashes })
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Integer)]
    level: i32,
    #[diesel(sql_type = BigInt)]
    idx: i64,
    #[diesel(sql_type = Binary)]
    hash: Vec<u8>,
}

/// The wanted keys as the database types them: leaf indices, and the
/// levels and indices of interior nodes as two parallel arrays.
#[derive(Debug, Clone)]
struct Keys {
    leaves: Vec<i64>,
    levels: Vec<i32>,
    indices: Vec<i64>,
}

impl Keys {
    fn new(wanted: &BTreeSet<(u32, u64)>) -> Self {
        let mut q = Keys {
            leaves: Vec::new(),
            levels: Vec::new(),
            indices: Vec::new(),
        };
        for &(level, index) in wanted {
            let (Ok(level), Ok(index)) = (i32::try_from(level), i64::try_from(index)) else {
                continue;
            };
            if level == 0 {
                q.leaves.push(index);
            } else {
                q.levels.push(level);
                q.indices.push(index);
            }
        }
        q
    }
}

/// The head row first, then the hashes: its level is [`HEAD_LEVEL`].
const HEAD_SQL: &str = "SELECT -1 AS level, size AS idx, root AS hash FROM audit_head WHERE id = 1";

/// SQLite: the keys written into the SQL as literals (they are numbers this
/// module computed, never caller text). SQLite prepares a statement in
/// microseconds, so one text per proof shape costs little.
fn by_literal_keys(keys: &Keys) -> diesel::query_builder::SqlQuery {
    let mut sql = String::from(HEAD_SQL);
    if !keys.leaves.is_empty() {
        let leaves: Vec<String> = keys.leaves.iter().map(i64::to_string).collect();
        sql.push_str(&format!(
            " UNION ALL SELECT 0, seq, leaf_hash FROM audit_entries WHERE seq IN ({})",
            leaves.join(",")
        ));
    }
    let mut by_level: BTreeMap<i32, Vec<String>> = BTreeMap::new();
    for (level, index) in keys.levels.iter().zip(&keys.indices) {
        by_level.entry(*level).or_default().push(index.to_string());
    }
    if !by_level.is_empty() {
        let clauses: Vec<String> = by_level
            .iter()
            .map(|(level, idx)| format!("(level = {level} AND idx IN ({}))", idx.join(",")))
            .collect();
        sql.push_str(&format!(
            " UNION ALL SELECT level, idx, hash FROM audit_nodes WHERE {}",
            clauses.join(" OR ")
        ));
    }
    diesel::sql_query(sql)
}

/// PostgreSQL: one statement whose text never changes, the keys bound as
/// arrays, so diesel keeps it prepared per connection (cached by type, as
/// `HAS_STATIC_QUERY_ID` says) and PostgreSQL does not plan every proof
/// shape afresh. (`sql_query` is never cached: diesel cannot know its text
/// is fixed.)
impl QueryId for Keys {
    type QueryId = Keys;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for Keys {
    type SqlType = (Integer, BigInt, Binary);
}

impl RunQueryDsl<diesel::PgConnection> for Keys {}

impl QueryFragment<Pg> for Keys {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(HEAD_SQL);
        out.push_sql(
            " UNION ALL SELECT 0, seq, leaf_hash FROM audit_entries \
             WHERE seq = ANY(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.leaves)?;
        out.push_sql(
            ") UNION ALL SELECT n.level, n.idx, n.hash FROM audit_nodes n \
             JOIN unnest(",
        );
        out.push_bind_param::<Array<Integer>, _>(&self.levels)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.indices)?;
        out.push_sql(") AS k(level, idx) ON n.level = k.level AND n.idx = k.idx");
        Ok(())
    }
}

fn bad_node(why: &str) -> StoreError {
    StoreError::Corrupt(format!("stored tree node: {why}"))
}

/// Whether `audit_nodes` holds every node of the log whose compact range is
/// `range`: the range's own subtree roots (equal to the stored compact
/// range) and the newest level-1 node. Nodes are written with their entries,
/// so only a log from before the table (or one whose nodes were edited)
/// fails this.
pub fn complete(conn: &mut DbConn, range: &CompactRange) -> Result<bool, StoreError> {
    let roots = compact_nodes(range);
    let mut wanted: BTreeSet<(u32, u64)> = roots.iter().map(|n| (n.level, n.index)).collect();
    let newest_pair = (range.size() / 2).checked_sub(1).map(|i| (1, i));
    wanted.extend(newest_pair);
    let stored = fetch(conn, &wanted)?.hashes;
    Ok(roots
        .iter()
        .all(|n| stored.get(&(n.level, n.index)) == Some(&n.hash))
        && newest_pair.is_none_or(|k| stored.contains_key(&k)))
}

/// The compact range's perfect subtrees above the leaves, as nodes.
fn compact_nodes(range: &CompactRange) -> Vec<Node> {
    let size = range.size();
    let mut start = 0u64;
    let mut out = Vec::new();
    // Left to right, largest first: one subtree per set bit of the size.
    for (bit, hash) in (0..64u32)
        .rev()
        .filter(|b| size >> b & 1 == 1)
        .zip(range.hashes())
    {
        if bit > 0 {
            out.push(Node {
                level: bit,
                index: start >> bit,
                hash: *hash,
            });
        }
        start += 1 << bit;
    }
    out
}

/// Rebuild `audit_nodes` from the stored leaf hashes, in pages, inside the
/// caller's transaction; returns the compact range the leaves give, which the
/// caller compares with the head.
pub fn rebuild(conn: &mut DbConn) -> Result<(CompactRange, u64), StoreError> {
    const PAGE: i64 = 10_000;
    diesel::delete(audit_nodes::table).execute(conn)?;
    let mut range = CompactRange::new();
    let mut written = 0u64;
    loop {
        let next = i64::try_from(range.size()).map_err(|_| full())?;
        let rows: Vec<(i64, Vec<u8>)> = audit_entries::table
            .filter(audit_entries::seq.ge(next))
            .order(audit_entries::seq.asc())
            .limit(PAGE)
            .select((audit_entries::seq, audit_entries::leaf_hash))
            .load(conn)?;
        if rows.is_empty() {
            break;
        }
        let mut nodes = Vec::with_capacity(rows.len());
        for (seq, hash) in rows {
            if u64::try_from(seq).ok() != Some(range.size()) {
                return Err(StoreError::Corrupt(format!(
                    "entry {} is missing (next stored is {seq})",
                    range.size()
                )));
            }
            let hash = Hash::try_from(hash.as_slice())
                .map_err(|_| StoreError::Corrupt(format!("leaf hash {seq} is not 32 bytes")))?;
            nodes.extend(completed_by(&range, hash));
            range.append(hash).map_err(|_| full())?;
        }
        insert(conn, &nodes)?;
        written += nodes.len() as u64;
    }
    Ok((range, written))
}

#[cfg(test)]
mod tests {
    use super::*;
    use draw_audit::merkle::{leaf_hash, subtree_root};

    #[test]
    fn every_perfect_subtree_is_completed_once_with_its_root() {
        let leaves: Vec<Hash> = (0..70u64).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut range = CompactRange::new();
        let mut nodes = Vec::new();
        for h in &leaves {
            nodes.extend(completed_by(&range, *h));
            range.append(*h).unwrap();
            // The compact range's subtrees are all among the nodes so far.
            for n in compact_nodes(&range) {
                assert!(nodes.contains(&n), "{n:?}");
            }
        }
        // n - popcount(n) interior nodes of perfect subtrees.
        assert_eq!(nodes.len(), 70 - 70u64.count_ones() as usize);
        for n in &nodes {
            let start = n.index << n.level;
            let end = start + (1 << n.level);
            assert_eq!(n.hash, subtree_root(&leaves, start, end).unwrap());
        }
    }
}
