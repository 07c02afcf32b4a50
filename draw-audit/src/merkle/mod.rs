//! RFC 6962 / RFC 9162 §2.1 Merkle tree math for the audit log: leaf and node
//! hashing, the compact range the server keeps, proof generation and checks.

mod compact;
mod proof;
mod verify;

use sha2::{Digest, Sha256};

pub use compact::{CompactError, CompactRange, root_of_leaf_hashes};
pub use proof::{HashStore, StoreError, consistency_proof, inclusion_proof, subtree_root};
pub use verify::{
    consistency_proof_len, inclusion_proof_len, root_from_inclusion_proof, verify_consistency,
    verify_inclusion,
};

/// A SHA-256 digest: every leaf, node and root hash of the log.
pub type Hash = [u8; 32];

/// Length in bytes of a [`Hash`].
pub const HASH_LEN: usize = 32;

/// Plain SHA-256 (`H(x)` of the spec), used for statement hashes, nonce
/// commitments and seeds as well as for the tree.
pub fn sha256(bytes: &[u8]) -> Hash {
    Sha256::digest(bytes).into()
}

/// RFC 6962 leaf hash `H(0x00 || leaf)`; the prefix keeps leaves and interior
/// nodes in separate domains, so a node can never pose as a leaf.
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(leaf);
    h.finalize().into()
}

/// RFC 6962 interior node hash `H(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Root of the empty tree, `H("")`.
pub fn empty_root() -> Hash {
    sha256(b"")
}

/// Turns bytes read from outside (base64, hex) into a [`Hash`], refusing any
/// length other than 32.
pub fn hash_from_slice(bytes: &[u8]) -> Result<Hash, ProofError> {
    Hash::try_from(bytes).map_err(|_| ProofError::HashLength { got: bytes.len() })
}

/// Why a proof could not be built or did not verify.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is outside a tree of size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("first tree size {size1} is larger than second tree size {size2}")]
    SizeOrder { size1: u64, size2: u64 },
    #[error(
        "a consistency proof from the empty tree to size {size2} proves nothing; \
         trust the size-{size2} checkpoint directly"
    )]
    FromEmptyTree { size2: u64 },
    #[error("proof has {got} hashes, a proof for these sizes has {want}")]
    WrongProofLength { got: usize, want: usize },
    #[error("a hash must be 32 bytes, got {got}")]
    HashLength { got: usize },
    #[error("the proof does not lead to the expected root hash")]
    RootMismatch,
    #[error("the proof does not lead to the expected first root hash (size {size1})")]
    FirstRootMismatch { size1: u64 },
    #[error("the proof does not lead to the expected second root hash (size {size2})")]
    SecondRootMismatch { size2: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Largest power of two strictly below `n`; the RFC's split point `k`.
/// Callers guarantee `n >= 2`; for smaller `n` it returns 0 instead of
/// panicking.
fn split_point(n: u64) -> u64 {
    if n < 2 {
        return 0;
    }
    1u64 << (63 - (n - 1).leading_zeros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_point_is_largest_power_of_two_below() {
        assert_eq!(split_point(0), 0);
        assert_eq!(split_point(1), 0);
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(8), 4);
        assert_eq!(split_point(9), 8);
        assert_eq!(split_point(u64::MAX), 1 << 63);
        assert_eq!(split_point((1 << 63) + 1), 1 << 63);
        assert_eq!(split_point(1 << 63), 1 << 62);
    }

    #[test]
    fn hash_from_slice_checks_length() {
        assert!(hash_from_slice(&[0; 32]).is_ok());
        assert!(matches!(
            hash_from_slice(&[0; 31]),
            Err(ProofError::HashLength { got: 31 })
        ));
        assert!(hash_from_slice(&[]).is_err());
    }
}
