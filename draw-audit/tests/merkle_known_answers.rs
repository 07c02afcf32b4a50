//! RFC 6962 known answers from tlog-known-answers.json: hasher outputs, roots
//! by size, and inclusion/consistency proofs both generated and verified.

#![cfg(test)]

mod common;

use common::{hex_list, hex32, known_answers};
use draw_audit::merkle::{
    self, CompactRange, Hash, consistency_proof, empty_root, inclusion_proof, leaf_hash, node_hash,
    root_from_inclusion_proof, verify_consistency, verify_inclusion,
};

#[test]
fn hasher_known_answers() {
    let ka = known_answers();
    let h = &ka["hasher"];
    assert_eq!(empty_root(), hex32(&h["empty_tree"]));
    assert_eq!(leaf_hash(b""), hex32(&h["leaf_of_empty"]));
    assert_eq!(leaf_hash(b"L123456"), hex32(&h["leaf_of_ascii_L123456"]));
    // The Go test hashes the raw strings "N123" and "N456" as children,
    // which are not 32 bytes; reproduce its byte layout directly.
    let mut buf = vec![0x01];
    buf.extend_from_slice(b"N123");
    buf.extend_from_slice(b"N456");
    assert_eq!(merkle::sha256(&buf), hex32(&h["node_of_ascii_N123_N456"]));
    let (l, r) = ([0x11; 32], [0x22; 32]);
    let mut buf = vec![0x01];
    buf.extend_from_slice(&l);
    buf.extend_from_slice(&r);
    assert_eq!(node_hash(&l, &r), merkle::sha256(&buf));
}

fn tree_leaf_hashes() -> Vec<Hash> {
    let ka = known_answers();
    ka["tree"]["leaves_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| leaf_hash(&hex::decode(l.as_str().unwrap()).unwrap()))
        .collect()
}

#[test]
fn roots_by_size() {
    let ka = known_answers();
    let roots = hex_list(&ka["tree"]["root_by_size"]);
    assert_eq!(roots.len(), 9);
    let leaves = tree_leaf_hashes();
    let mut range = CompactRange::new();
    assert_eq!(range.root(), roots[0]);
    for (i, h) in leaves.iter().enumerate() {
        range.append(*h).unwrap();
        assert_eq!(range.root(), roots[i + 1], "root of size {}", i + 1);
        assert_eq!(
            merkle::subtree_root(&leaves, 0, i as u64 + 1).unwrap(),
            roots[i + 1]
        );
    }
    assert_eq!(
        merkle::root_of_leaf_hashes(leaves.iter().copied()).unwrap(),
        roots[8]
    );
}

#[test]
fn inclusion_known_answers() {
    let ka = known_answers();
    let roots = hex_list(&ka["tree"]["root_by_size"]);
    let leaves = tree_leaf_hashes();
    let cases = ka["tree"]["inclusion"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for c in cases {
        let index = c["index"].as_u64().unwrap();
        let size = c["size"].as_u64().unwrap();
        let want = hex_list(&c["proof"]);
        let got = inclusion_proof(&leaves, index, size).unwrap();
        assert_eq!(got, want, "inclusion proof {index} in {size}");
        let leaf = leaves[index as usize];
        let root = roots[size as usize];
        verify_inclusion(&leaf, index, size, &want, &root).unwrap();
        assert_eq!(
            root_from_inclusion_proof(&leaf, index, size, &want).unwrap(),
            root
        );
    }
}

#[test]
fn consistency_known_answers() {
    let ka = known_answers();
    let roots = hex_list(&ka["tree"]["root_by_size"]);
    let leaves = tree_leaf_hashes();
    let cases = ka["tree"]["consistency"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for c in cases {
        let size1 = c["size1"].as_u64().unwrap();
        let size2 = c["size2"].as_u64().unwrap();
        let want = hex_list(&c["proof"]);
        let got = consistency_proof(&leaves, size1, size2).unwrap();
        assert_eq!(got, want, "consistency proof {size1} -> {size2}");
        verify_consistency(
            size1,
            size2,
            &want,
            &roots[size1 as usize],
            &roots[size2 as usize],
        )
        .unwrap();
    }
}

#[test]
fn every_proof_of_the_eight_leaf_tree() {
    let ka = known_answers();
    let roots = hex_list(&ka["tree"]["root_by_size"]);
    let leaves = tree_leaf_hashes();
    for size in 1..=8u64 {
        for index in 0..size {
            let p = inclusion_proof(&leaves, index, size).unwrap();
            verify_inclusion(
                &leaves[index as usize],
                index,
                size,
                &p,
                &roots[size as usize],
            )
            .unwrap();
        }
        for size1 in 1..=size {
            let p = consistency_proof(&leaves, size1, size).unwrap();
            verify_consistency(
                size1,
                size,
                &p,
                &roots[size1 as usize],
                &roots[size as usize],
            )
            .unwrap();
        }
    }
}
