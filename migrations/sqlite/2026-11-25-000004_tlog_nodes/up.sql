-- The interior hash of every perfect subtree of the audit log, written in the
-- same transaction as the entry that completes it, so inclusion and
-- consistency proofs read O(log n) stored hashes instead of rehashing leaves.
-- Node (level, idx) is the root of leaves [idx * 2^level, (idx + 1) * 2^level);
-- leaves themselves (level 0) stay in audit_entries.leaf_hash.
-- A log that predates this table is backfilled from the leaf hashes when the
-- server starts (store::audit::backfill_nodes): SQL cannot hash portably.
CREATE TABLE audit_nodes (
    level INTEGER NOT NULL,
    idx   BIGINT NOT NULL,
    hash  BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;
