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
    prefixed_sha256(0x00, leaf)
}

/// RFC 6962 interior node hash `H(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    // `0x01 ‖ left ‖ right` is 65 bytes: two blocks, padded by hand.
    let mut blocks = [[0u8; 64]; 2];
    let [first, second] = &mut blocks;
    first[0] = 0x01;
    first[1..33].copy_from_slice(left);
    first[33..].copy_from_slice(&right[..31]);
    second[0] = right[31];
    second[1] = 0x80;
    second[56..].copy_from_slice(&(65u64 * 8).to_be_bytes());
    let mut state = SHA256_IV;
    sha2::block_api::compress256(&mut state, &blocks);
    digest_of(&state)
}

/// SHA-256's initial state (FIPS 180-4, 5.3.3).
const SHA256_IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

fn digest_of(state: &[u32; 8]) -> Hash {
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// `SHA-256(prefix ‖ data)`, fed to the compression function straight from
/// `data`: the first block is the prefix and 63 bytes of it, the whole
/// blocks after that are read where they lie, and only the tail is copied
/// for the padding. (The hasher's own buffering and finalisation cost a
/// fifth as much again on the log's many short leaves.)
fn prefixed_sha256(prefix: u8, data: &[u8]) -> Hash {
    let mut state = SHA256_IV;
    let total_bits = (data.len() as u64 + 1) * 8;
    let mut block = [0u8; 64];
    block[0] = prefix;
    let head = data.len().min(63);
    block[1..=head].copy_from_slice(&data[..head]);
    let mut rest = &data[head..];
    let mut filled = head + 1;
    if filled == 64 {
        sha2::block_api::compress256(&mut state, std::slice::from_ref(&block));
        let (whole, tail) = rest.as_chunks::<64>();
        sha2::block_api::compress256(&mut state, whole);
        rest = tail;
        block = [0u8; 64];
        block[..rest.len()].copy_from_slice(rest);
        filled = rest.len();
    }
    // Padding: 0x80, zeros, the length in bits; a second block when the
    // length does not fit after the 0x80.
    block[filled] = 0x80;
    if filled >= 56 {
        sha2::block_api::compress256(&mut state, std::slice::from_ref(&block));
        block = [0u8; 64];
    }
    block[56..].copy_from_slice(&total_bits.to_be_bytes());
    sha2::block_api::compress256(&mut state, std::slice::from_ref(&block));
    digest_of(&state)
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

    /// The hand-padded paths against the hasher, at every length around
    /// the block boundaries.
    #[test]
    fn leaf_and_node_hashes_agree_with_the_hasher() {
        let data: Vec<u8> = (0..600u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in 0..data.len() {
            let leaf = &data[..len];
            let want: Hash = Sha256::new()
                .chain_update([0x00])
                .chain_update(leaf)
                .finalize()
                .into();
            assert_eq!(leaf_hash(leaf), want, "length {len}");
        }
        let (l, r) = (sha256(b"left"), sha256(b"right"));
        let want: Hash = Sha256::new()
            .chain_update([0x01])
            .chain_update(l)
            .chain_update(r)
            .finalize()
            .into();
        assert_eq!(node_hash(&l, &r), want);
    }

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
