//! Proofs and past roots served from stored tree nodes agree with
//! draw-audit's proof code run over every leaf hash, for every index and
//! pair of sizes of a small log grown by single appends and bulk appends;
//! a log whose nodes are missing is backfilled at start.

use chrono::Utc;
use diesel::prelude::*;
use draw_audit::merkle::{self, Hash, root_of_leaf_hashes, verify_consistency, verify_inclusion};
use expert_api::db::DbConn;
use expert_api::db::schema::{audit_entries, audit_nodes};
use expert_api::store::StoreError;
use expert_api::store::audit::{self, NewEntry, TreeArg};
use expert_draw_tests::{Backend, TestDb, both_backends};
use serde_json::json;

/// Grow the log to `sizes.sum()` entries, one transaction per batch, odd
/// batches entry by entry and even ones with `append_all`.
fn grow(conn: &mut DbConn, batches: &[usize]) {
    for (b, &n) in batches.iter().enumerate() {
        audit::write(conn, Utc::now(), |tx| -> Result<(), StoreError> {
            if b % 2 == 0 {
                for i in 0..n {
                    tx.append("test.one", "test", None, json!({"b": b, "i": i}))?;
                }
                Ok(())
            } else {
                tx.append_all(
                    (0..n)
                        .map(|i| NewEntry {
                            kind: "test.bulk".into(),
                            actor: "test".into(),
                            subject: None,
                            data: json!({"b": b, "i": i}),
                        })
                        .collect(),
                )
            }
        })
        .expect("append");
    }
}

fn leaf_hashes(conn: &mut DbConn) -> Vec<Hash> {
    let rows: Vec<Vec<u8>> = audit_entries::table
        .order(audit_entries::seq.asc())
        .select(audit_entries::leaf_hash)
        .load(conn)
        .expect("leaf hashes");
    rows.iter()
        .map(|h| Hash::try_from(h.as_slice()).expect("32 bytes"))
        .collect()
}

/// Every inclusion proof, consistency proof and past root of the stored log
/// equals the one computed from all leaf hashes, and verifies.
fn assert_all_proofs(conn: &mut DbConn) {
    let leaves = leaf_hashes(conn);
    let n = leaves.len() as u64;
    assert_eq!(audit::head(conn).expect("head").size, n);
    let roots: Vec<Hash> = (0..=n)
        .map(|size| root_of_leaf_hashes(leaves[..size as usize].iter().copied()).expect("root"))
        .collect();
    for size in 0..=n {
        let root = roots[size as usize];
        assert_eq!(
            audit::root_at(conn, size).expect("root_at"),
            root,
            "root at {size}"
        );
        for index in 0..size {
            let got = audit::inclusion_proof(conn, index, size).expect("inclusion");
            let want = merkle::inclusion_proof(&leaves, index, size).expect("reference");
            assert_eq!(got, want, "inclusion {index} in {size}");
            verify_inclusion(&leaves[index as usize], index, size, &got, &root)
                .unwrap_or_else(|e| panic!("inclusion {index} in {size}: {e}"));
            // What the HTTP endpoint reads in one statement: the same.
            let all = audit::inclusion(conn, index, size).expect("inclusion bundle");
            assert_eq!(
                (all.head.size, all.leaf, all.root, all.proof),
                (n, leaves[index as usize], root, got),
                "inclusion bundle {index} in {size}"
            );
        }
        for old in 1..=size {
            let got = audit::consistency_proof(conn, old, size).expect("consistency");
            let want = merkle::consistency_proof(&leaves, old, size).expect("reference");
            assert_eq!(got, want, "consistency {old} -> {size}");
            verify_consistency(old, size, &got, &roots[old as usize], &root)
                .unwrap_or_else(|e| panic!("consistency {old} -> {size}: {e}"));
            let all = audit::consistency(conn, old, size).expect("consistency bundle");
            assert_eq!(
                (all.old_root, all.new_root, all.proof),
                (roots[old as usize], root, got),
                "consistency bundle {old} -> {size}"
            );
        }
    }
}

fn node_count(conn: &mut DbConn) -> i64 {
    audit_nodes::table
        .count()
        .get_result(conn)
        .expect("count nodes")
}

fn tree_arg(r: Result<impl std::fmt::Debug, StoreError>) -> TreeArg {
    match r {
        Err(StoreError::TreeArg { arg, .. }) => arg,
        other => panic!("expected an argument error, got {other:?}"),
    }
}

fn proofs_from_stored_nodes(backend: Backend) {
    let db = TestDb::new(backend);
    let mut conn = db.connect();
    expert_api::db::run_migrations(&mut conn).expect("migrate");
    assert_all_proofs(&mut conn);
    grow(&mut conn, &[1, 1, 2, 3, 5, 8, 1, 13, 4, 1]);
    // One node per perfect subtree above the leaves: n - popcount(n).
    assert_eq!(node_count(&mut conn), 39 - 39u32.count_ones() as i64);
    assert_all_proofs(&mut conn);

    // Arguments out of range are typed errors naming the argument.
    assert_eq!(
        tree_arg(audit::inclusion_proof(&mut conn, 39, 39)),
        TreeArg::Index
    );
    assert_eq!(
        tree_arg(audit::inclusion_proof(&mut conn, 0, 0)),
        TreeArg::Index
    );
    assert_eq!(
        tree_arg(audit::inclusion_proof(&mut conn, 3, 40)),
        TreeArg::Size
    );
    assert_eq!(tree_arg(audit::root_at(&mut conn, 40)), TreeArg::Size);
    assert_eq!(
        tree_arg(audit::consistency_proof(&mut conn, 5, 4)),
        TreeArg::OldSize
    );
    assert_eq!(
        tree_arg(audit::consistency_proof(&mut conn, 0, 4)),
        TreeArg::OldSize
    );
    assert_eq!(
        tree_arg(audit::consistency_proof(&mut conn, 4, 40)),
        TreeArg::NewSize
    );
    assert!(
        audit::consistency_proof(&mut conn, 0, 0)
            .expect("0 -> 0")
            .is_empty()
    );
    // The bundles check their arguments in the same order.
    assert_eq!(
        tree_arg(audit::inclusion(&mut conn, 39, 39)),
        TreeArg::Index
    );
    assert_eq!(tree_arg(audit::inclusion(&mut conn, 40, 40)), TreeArg::Size);
    assert_eq!(
        tree_arg(audit::inclusion(&mut conn, u64::MAX, u64::MAX)),
        TreeArg::Size
    );
    assert_eq!(
        tree_arg(audit::consistency(&mut conn, 5, 4)),
        TreeArg::OldSize
    );
    assert_eq!(
        tree_arg(audit::consistency(&mut conn, 0, 40)),
        TreeArg::NewSize
    );
    assert_eq!(tree_arg(audit::root_at(&mut conn, u64::MAX)), TreeArg::Size);
    let empty = audit::consistency(&mut conn, 0, 0).expect("0 -> 0");
    assert_eq!(
        (empty.old_root, empty.new_root, empty.proof.len()),
        (merkle::empty_root(), merkle::empty_root(), 0)
    );

    // A log from before the nodes table: the next start rebuilds them.
    diesel::delete(audit_nodes::table)
        .execute(&mut conn)
        .expect("drop nodes");
    assert!(matches!(
        audit::inclusion_proof(&mut conn, 0, 39),
        Err(StoreError::Corrupt(_))
    ));
    expert_api::db::run_migrations(&mut conn).expect("migrate and backfill");
    assert_eq!(node_count(&mut conn), 39 - 39u32.count_ones() as i64);
    assert_all_proofs(&mut conn);

    // A changed node is noticed too (it sits on the compact range).
    diesel::update(audit_nodes::table.filter(audit_nodes::level.eq(5)))
        .set(audit_nodes::hash.eq(vec![7u8; 32]))
        .execute(&mut conn)
        .expect("tamper");
    expert_api::db::run_migrations(&mut conn).expect("backfill");
    assert_all_proofs(&mut conn);

    // Appends after a backfill build on it.
    grow(&mut conn, &[2, 30]);
    assert_eq!(node_count(&mut conn), 71 - 71u32.count_ones() as i64);
    assert_all_proofs(&mut conn);
}

both_backends!(stored_nodes, proofs_from_stored_nodes);
