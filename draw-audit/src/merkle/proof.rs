//! Proof generation from stored leaf hashes: RFC 9162 §2.1.3.1 PATH and
//! §2.1.4.1 SUBPROOF, using cached perfect-subtree hashes when offered.

use super::{Hash, ProofError, node_hash, split_point};

/// A failure of the storage behind a [`HashStore`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("leaf {0} is not in the store")]
    MissingLeaf(u64),
    #[error("hash store failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Read access to the leaf hashes of a log, as needed to build proofs.
pub trait HashStore {
    /// Leaf hash of the entry at `index`.
    fn leaf_hash(&self, index: u64) -> Result<Hash, StoreError>;

    /// Cached root of the perfect, aligned subtree `[start, end)` if the
    /// store keeps one. Only called with `end - start` a power of two (at
    /// least 2) and `start` a multiple of it. `None` makes the caller compute
    /// it from leaves, so answering `None` is always correct, merely slower.
    fn subtree_hash(&self, start: u64, end: u64) -> Result<Option<Hash>, StoreError> {
        let _ = (start, end);
        Ok(None)
    }
}

/// A slice of leaf hashes is a store: handy for small logs and tests.
impl HashStore for [Hash] {
    fn leaf_hash(&self, index: u64) -> Result<Hash, StoreError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.get(i))
            .copied()
            .ok_or(StoreError::MissingLeaf(index))
    }
}

impl HashStore for Vec<Hash> {
    fn leaf_hash(&self, index: u64) -> Result<Hash, StoreError> {
        self.as_slice().leaf_hash(index)
    }
}

impl<S: HashStore + ?Sized> HashStore for &S {
    fn leaf_hash(&self, index: u64) -> Result<Hash, StoreError> {
        (**self).leaf_hash(index)
    }

    fn subtree_hash(&self, start: u64, end: u64) -> Result<Option<Hash>, StoreError> {
        (**self).subtree_hash(start, end)
    }
}

/// MTH(D[start:end]) for a non-empty range whose `start` is aligned as the
/// RFC's recursion leaves it (every range reached from `[0, n)` is), so the
/// left part of each split is a perfect subtree. Recursion depth is at most
/// 64 because each level at least halves the range.
pub fn subtree_root<S: HashStore + ?Sized>(
    store: &S,
    start: u64,
    end: u64,
) -> Result<Hash, StoreError> {
    let n = end.saturating_sub(start);
    if n <= 1 {
        return store.leaf_hash(start);
    }
    if n.is_power_of_two()
        && start.is_multiple_of(n)
        && let Some(h) = store.subtree_hash(start, end)?
    {
        return Ok(h);
    }
    let mid = start + split_point(n);
    let left = subtree_root(store, start, mid)?;
    let right = subtree_root(store, mid, end)?;
    Ok(node_hash(&left, &right))
}

/// Inclusion proof (RFC 9162 PATH) for leaf `index` in the tree of `size`
/// leaves, ordered from the leaf's sibling up to the root's child.
pub fn inclusion_proof<S: HashStore + ?Sized>(
    store: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    // Walk down from the root; siblings come out top first and are
    // reversed at the end to match PATH's bottom-up order.
    let mut path = Vec::new();
    let (mut start, mut end) = (0u64, size);
    while end - start > 1 {
        let mid = start + split_point(end - start);
        if index < mid {
            path.push(subtree_root(store, mid, end)?);
            end = mid;
        } else {
            path.push(subtree_root(store, start, mid)?);
            start = mid;
        }
    }
    path.reverse();
    Ok(path)
}

/// Consistency proof (RFC 9162 PROOF = SUBPROOF(m, D[n], true)) that the tree
/// of `size1` leaves is a prefix of the tree of `size2` leaves.
///
/// Equal sizes give the empty proof. `size1 == 0 < size2` is refused, as
/// transparency-dev/merkle does: there is nothing to prove about the empty
/// tree, and a verifier would reject whatever came back.
pub fn consistency_proof<S: HashStore + ?Sized>(
    store: &S,
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, ProofError> {
    if size1 > size2 {
        return Err(ProofError::SizeOrder { size1, size2 });
    }
    if size1 == size2 {
        return Ok(Vec::new());
    }
    if size1 == 0 {
        return Err(ProofError::FromEmptyTree { size2 });
    }
    let mut path = Vec::new();
    let (mut start, mut end) = (0u64, size2);
    // `whole` is SUBPROOF's b: true while the subtree under consideration
    // starts at leaf 0, whose old root the verifier already knows.
    let mut whole = true;
    loop {
        if size1 == end {
            if !whole {
                path.push(subtree_root(store, start, end)?);
            }
            break;
        }
        let mid = start + split_point(end - start);
        if size1 <= mid {
            path.push(subtree_root(store, mid, end)?);
            end = mid;
        } else {
            path.push(subtree_root(store, start, mid)?);
            start = mid;
            whole = false;
        }
    }
    path.reverse();
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{CompactRange, leaf_hash};

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_le_bytes())).collect()
    }

    #[test]
    fn subtree_root_matches_compact_range() {
        let all = leaves(40);
        let mut r = CompactRange::new();
        for (i, h) in all.iter().enumerate() {
            r.append(*h).unwrap();
            assert_eq!(subtree_root(&all, 0, i as u64 + 1).unwrap(), r.root());
        }
    }

    #[test]
    fn edge_cases() {
        let all = leaves(5);
        assert!(matches!(
            inclusion_proof(&all, 0, 0),
            Err(ProofError::IndexOutOfRange { index: 0, size: 0 })
        ));
        assert!(matches!(
            inclusion_proof(&all, 5, 5),
            Err(ProofError::IndexOutOfRange { .. })
        ));
        assert_eq!(inclusion_proof(&all, 0, 1).unwrap(), Vec::<Hash>::new());
        assert!(matches!(
            consistency_proof(&all, 3, 2),
            Err(ProofError::SizeOrder { .. })
        ));
        assert!(matches!(
            consistency_proof(&all, 0, 2),
            Err(ProofError::FromEmptyTree { size2: 2 })
        ));
        assert!(consistency_proof(&all, 0, 0).unwrap().is_empty());
        assert!(consistency_proof(&all, 4, 4).unwrap().is_empty());
        // Sizes beyond what the store holds surface as store errors.
        assert!(matches!(
            inclusion_proof(&all, 0, 6),
            Err(ProofError::Store(StoreError::MissingLeaf(5)))
        ));
        assert!(matches!(
            consistency_proof(&all, 2, 9),
            Err(ProofError::Store(StoreError::MissingLeaf(_)))
        ));
    }

    #[test]
    fn huge_sizes_do_not_overflow() {
        // A store that answers every perfect subtree from a cache, standing
        // in for a log of 2^63 + 5 leaves that no test could hold.
        struct Synthetic;
        impl HashStore for Synthetic {
            fn leaf_hash(&self, index: u64) -> Result<Hash, StoreError> {
                Ok(leaf_hash(&index.to_be_bytes()))
            }
            fn subtree_hash(&self, start: u64, end: u64) -> Result<Option<Hash>, StoreError> {
                let mut h = [0u8; 32];
                h[..8].copy_from_slice(&start.to_be_bytes());
                h[8..16].copy_from_slice(&end.to_be_bytes());
                Ok(Some(h))
            }
        }
        let size = (1u64 << 63) + 5;
        let p = inclusion_proof(&Synthetic, size - 1, size).unwrap();
        assert_eq!(p.len(), crate::merkle::inclusion_proof_len(size - 1, size));
        let c = consistency_proof(&Synthetic, 3, u64::MAX).unwrap();
        assert_eq!(c.len(), crate::merkle::consistency_proof_len(3, u64::MAX));
    }
}
