//! The Merkle frontier of the range [0, size): one root per perfect subtree,
//! enough to append in O(log n) and to compute the root without old leaves.

use super::{Hash, empty_root, node_hash};

/// Perfect-subtree roots covering leaves `[0, size)`, left to right, largest
/// first: one per set bit of `size`. The server stores this beside the log so
/// an append never reads old leaves; a verifier streaming an export uses it
/// to recompute the root with O(log n) memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompactRange {
    size: u64,
    hashes: Vec<Hash>,
}

/// A compact range that cannot be built or extended.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CompactError {
    #[error("a compact range of size {size} has {want} hashes, got {got}")]
    WrongHashCount { size: u64, want: u32, got: usize },
    #[error("the tree is full: size {0} cannot grow")]
    Full(u64),
}

impl CompactRange {
    /// The range of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a range from stored parts, checking that there is exactly one
    /// hash per perfect subtree.
    pub fn from_parts(size: u64, hashes: Vec<Hash>) -> Result<Self, CompactError> {
        let want = size.count_ones();
        if usize::try_from(want).ok() != Some(hashes.len()) {
            return Err(CompactError::WrongHashCount {
                size,
                want,
                got: hashes.len(),
            });
        }
        Ok(Self { size, hashes })
    }

    /// Number of leaves covered.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect subtree roots, left to right.
    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// Splits into `(size, hashes)` for storage.
    pub fn into_parts(self) -> (u64, Vec<Hash>) {
        (self.size, self.hashes)
    }

    /// Appends one leaf (given by its leaf hash). Each trailing 1-bit of the
    /// old size is a perfect subtree that the new leaf completes, so it is
    /// merged with its left neighbour.
    pub fn append(&mut self, leaf_hash: Hash) -> Result<(), CompactError> {
        let new_size = self
            .size
            .checked_add(1)
            .ok_or(CompactError::Full(self.size))?;
        let mut merged = leaf_hash;
        for _ in 0..self.size.trailing_ones() {
            // from_parts and append keep one hash per set bit, so a trailing
            // 1-bit always has its hash; the check only guards the invariant.
            let Some(left) = self.hashes.pop() else {
                return Err(CompactError::WrongHashCount {
                    size: self.size,
                    want: self.size.count_ones(),
                    got: 0,
                });
            };
            merged = node_hash(&left, &merged);
        }
        self.hashes.push(merged);
        self.size = new_size;
        Ok(())
    }

    /// The RFC 6962 root of the covered tree: the perfect subtree roots
    /// folded from the right, `H("")` when empty.
    pub fn root(&self) -> Hash {
        let mut iter = self.hashes.iter().rev();
        let Some(last) = iter.next() else {
            return empty_root();
        };
        iter.fold(*last, |acc, left| node_hash(left, &acc))
    }
}

/// Root of the tree whose leaf hashes come one by one from `leaf_hashes`,
/// keeping only O(log n) hashes in memory.
pub fn root_of_leaf_hashes<I>(leaf_hashes: I) -> Result<Hash, CompactError>
where
    I: IntoIterator<Item = Hash>,
{
    let mut range = CompactRange::new();
    for h in leaf_hashes {
        range.append(h)?;
    }
    Ok(range.root())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::leaf_hash;

    #[test]
    fn empty_range_has_empty_root() {
        assert_eq!(CompactRange::new().root(), empty_root());
        assert_eq!(root_of_leaf_hashes([]).unwrap(), empty_root());
    }

    #[test]
    fn hash_count_follows_popcount() {
        let mut r = CompactRange::new();
        for i in 0..100u64 {
            assert_eq!(r.hashes().len(), r.size().count_ones() as usize);
            r.append(leaf_hash(&i.to_be_bytes())).unwrap();
        }
        let (size, hashes) = r.clone().into_parts();
        assert_eq!(CompactRange::from_parts(size, hashes).unwrap(), r);
    }

    #[test]
    fn from_parts_rejects_wrong_count() {
        assert_eq!(
            CompactRange::from_parts(3, vec![[0; 32]]),
            Err(CompactError::WrongHashCount {
                size: 3,
                want: 2,
                got: 1
            })
        );
        assert!(CompactRange::from_parts(0, vec![[0; 32]]).is_err());
        assert!(CompactRange::from_parts(u64::MAX, vec![[0; 32]; 64]).is_ok());
    }

    #[test]
    fn full_tree_refuses_append_without_panic() {
        let mut r = CompactRange::from_parts(u64::MAX, vec![[7; 32]; 64]).unwrap();
        assert_eq!(r.append([1; 32]), Err(CompactError::Full(u64::MAX)));
        assert_eq!(r.size(), u64::MAX);
        assert_eq!(r.hashes().len(), 64);
    }

    #[test]
    fn append_to_huge_sizes_merges_correctly() {
        // 2^63 - 1 leaves: 63 perfect subtrees; one more leaf merges them all.
        let mut r = CompactRange::from_parts((1 << 63) - 1, vec![[3; 32]; 63]).unwrap();
        r.append([4; 32]).unwrap();
        assert_eq!(r.size(), 1 << 63);
        assert_eq!(r.hashes().len(), 1);
    }
}
