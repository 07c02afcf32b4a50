//! Property checks over random trees: every generated proof verifies against
//! CompactRange roots, a cached store gives the same proofs, and any single
//! flipped bit or shifted parameter makes verification fail.

#![cfg(test)]

use std::collections::HashMap;

use draw_audit::merkle::{
    CompactRange, Hash, HashStore, ProofError, StoreError, consistency_proof, inclusion_proof,
    leaf_hash, subtree_root, verify_consistency, verify_inclusion,
};

/// SplitMix64: a tiny deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn flip_bit(h: &mut Hash, bit: u64) {
    h[(bit / 8) as usize % 32] ^= 1 << (bit % 8);
}

/// A store that also serves every perfect aligned subtree from a cache, the
/// way the server's node table would.
struct Cached {
    leaves: Vec<Hash>,
    nodes: HashMap<(u64, u64), Hash>,
}

impl Cached {
    fn new(leaves: Vec<Hash>) -> Self {
        let mut nodes = HashMap::new();
        let n = leaves.len() as u64;
        let mut width = 2;
        while width <= n {
            let mut start = 0;
            while start + width <= n {
                let h = subtree_root(&leaves, start, start + width).unwrap();
                nodes.insert((start, start + width), h);
                start += width;
            }
            width *= 2;
        }
        Self { leaves, nodes }
    }
}

impl HashStore for Cached {
    fn leaf_hash(&self, index: u64) -> Result<Hash, StoreError> {
        self.leaves.leaf_hash(index)
    }
    fn subtree_hash(&self, start: u64, end: u64) -> Result<Option<Hash>, StoreError> {
        assert!((end - start).is_power_of_two() && start.is_multiple_of(end - start));
        Ok(self.nodes.get(&(start, end)).copied())
    }
}

fn setup(n: u64) -> (Vec<Hash>, Vec<Hash>) {
    let leaves: Vec<Hash> = (0..n)
        .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
        .collect();
    let mut range = CompactRange::new();
    let mut roots = vec![range.root()];
    for h in &leaves {
        range.append(*h).unwrap();
        roots.push(range.root());
    }
    (leaves, roots)
}

#[test]
fn inclusion_proofs_verify_and_tampering_fails() {
    let mut rng = Rng(0x5eed_0001);
    let (leaves, roots) = setup(300);
    let cached = Cached::new(leaves.clone());
    let mut checked = 0;
    for _ in 0..60 {
        let size = 1 + rng.below(300);
        let root = roots[size as usize];
        for index in 0..size {
            let proof = inclusion_proof(&leaves, index, size).unwrap();
            assert_eq!(proof, inclusion_proof(&cached, index, size).unwrap());
            let leaf = leaves[index as usize];
            verify_inclusion(&leaf, index, size, &proof, &root).unwrap();
            checked += 1;

            // A flipped bit anywhere in the proof, the leaf or the root.
            if !proof.is_empty() {
                let mut bad = proof.clone();
                let i = rng.below(bad.len() as u64) as usize;
                flip_bit(&mut bad[i], rng.below(256));
                assert!(verify_inclusion(&leaf, index, size, &bad, &root).is_err());
            }
            let mut bad_leaf = leaf;
            flip_bit(&mut bad_leaf, rng.below(256));
            assert!(verify_inclusion(&bad_leaf, index, size, &proof, &root).is_err());
            let mut bad_root = root;
            flip_bit(&mut bad_root, rng.below(256));
            assert!(verify_inclusion(&leaf, index, size, &proof, &bad_root).is_err());

            // Wrong position or size, longer or shorter proofs.
            if size > 1 {
                let other = (index + 1 + rng.below(size - 1)) % size;
                assert!(verify_inclusion(&leaf, other, size, &proof, &root).is_err());
            }
            // (A different size can share the same hashing pattern, e.g.
            // index 0 in sizes 5 and 6, so only the index is varied here;
            // the size is bound by the signed checkpoint, not by the proof.)
            let mut longer = proof.clone();
            longer.push(root);
            assert!(matches!(
                verify_inclusion(&leaf, index, size, &longer, &root),
                Err(ProofError::WrongProofLength { .. })
            ));
            if let Some((_, shorter)) = proof.split_last() {
                assert!(verify_inclusion(&leaf, index, size, shorter, &root).is_err());
            }
        }
    }
    assert!(checked > 1000, "only {checked} proofs checked");
}

#[test]
fn every_bit_of_a_proof_matters() {
    let (leaves, roots) = setup(300);
    for (index, size) in [(0, 300), (137, 300), (299, 300), (5, 6), (64, 129)] {
        let proof = inclusion_proof(&leaves, index, size).unwrap();
        let root = roots[size as usize];
        for i in 0..proof.len() {
            for bit in 0..256 {
                let mut bad = proof.clone();
                flip_bit(&mut bad[i], bit);
                assert!(
                    verify_inclusion(&leaves[index as usize], index, size, &bad, &root).is_err()
                );
            }
        }
    }
    for (size1, size2) in [(1, 300), (7, 300), (128, 300), (255, 256), (3, 5)] {
        let proof = consistency_proof(&leaves, size1, size2).unwrap();
        let (r1, r2) = (roots[size1 as usize], roots[size2 as usize]);
        for i in 0..proof.len() {
            for bit in 0..256 {
                let mut bad = proof.clone();
                flip_bit(&mut bad[i], bit);
                assert!(verify_consistency(size1, size2, &bad, &r1, &r2).is_err());
            }
        }
    }
}

#[test]
fn consistency_proofs_verify_and_tampering_fails() {
    let mut rng = Rng(0x5eed_0002);
    let (leaves, roots) = setup(300);
    let cached = Cached::new(leaves.clone());
    let mut checked = 0;
    for _ in 0..25 {
        let size2 = 1 + rng.below(300);
        let r2 = roots[size2 as usize];
        for size1 in 1..=size2 {
            let r1 = roots[size1 as usize];
            let proof = consistency_proof(&leaves, size1, size2).unwrap();
            assert_eq!(proof, consistency_proof(&cached, size1, size2).unwrap());
            verify_consistency(size1, size2, &proof, &r1, &r2).unwrap();
            checked += 1;

            if !proof.is_empty() {
                let mut bad = proof.clone();
                let i = rng.below(bad.len() as u64) as usize;
                flip_bit(&mut bad[i], rng.below(256));
                assert!(verify_consistency(size1, size2, &bad, &r1, &r2).is_err());
            }
            let mut bad1 = r1;
            flip_bit(&mut bad1, rng.below(256));
            assert!(verify_consistency(size1, size2, &proof, &bad1, &r2).is_err());
            let mut bad2 = r2;
            flip_bit(&mut bad2, rng.below(256));
            assert!(verify_consistency(size1, size2, &proof, &r1, &bad2).is_err());
            if size1 < size2 {
                // Claiming a different old size with the same proof fails.
                let other = 1 + (size1 + rng.below(size2 - 1)) % (size2 - 1);
                if other != size1 {
                    let ro = roots[other as usize];
                    assert!(verify_consistency(other, size2, &proof, &ro, &r2).is_err());
                }
                assert!(verify_consistency(size2, size1, &proof, &r2, &r1).is_err());
            }
            let mut longer = proof.clone();
            longer.push(r1);
            assert!(verify_consistency(size1, size2, &longer, &r1, &r2).is_err());
            if let Some((_, shorter)) = proof.split_last() {
                assert!(verify_consistency(size1, size2, shorter, &r1, &r2).is_err());
            }
        }
    }
    assert!(checked > 1000, "only {checked} proofs checked");
}
