//! Proof verification: RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2
//! (consistency), with the edge cases of transparency-dev/merkle.

use super::{Hash, ProofError, empty_root, node_hash};

/// Number of hashes in the inclusion proof of leaf `index` in a tree of
/// `size` leaves (0 when `index >= size`, where no proof exists). The path
/// has one hash per level below the point where the paths to `index` and to
/// the last leaf diverge, plus one per left-hand perfect subtree above it.
pub fn inclusion_proof_len(index: u64, size: u64) -> usize {
    if index >= size {
        return 0;
    }
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner + border) as usize
}

/// Number of hashes in the consistency proof from `size1` to `size2` (0 when
/// no non-empty proof exists: sizes equal, reversed, or `size1 == 0`).
pub fn consistency_proof_len(size1: u64, size2: u64) -> usize {
    if size1 == 0 || size1 >= size2 {
        return 0;
    }
    // The proof is the inclusion path of the last old leaf, minus the levels
    // inside the largest perfect subtree ending at size1, plus that subtree's
    // root unless it is the whole old tree (which the verifier has).
    let last = size1 - 1;
    let inner = 64 - (last ^ (size2 - 1)).leading_zeros();
    let border = last.checked_shr(inner).unwrap_or(0).count_ones();
    let shift = size1.trailing_zeros();
    let seed = u32::from(!size1.is_power_of_two());
    (seed + inner.saturating_sub(shift) + border) as usize
}

/// Root implied by an inclusion proof for `leaf_hash` at `index` in a tree of
/// `size` leaves; errors when the proof has the wrong shape.
pub fn root_from_inclusion_proof(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let want = inclusion_proof_len(index, size);
    if proof.len() != want {
        return Err(ProofError::WrongProofLength {
            got: proof.len(),
            want,
        });
    }
    // RFC 9162 §2.1.3.2 steps 2-5, verbatim.
    let mut f = index;
    let mut s = size - 1;
    let mut r = *leaf_hash;
    for p in proof {
        if s == 0 {
            return Err(ProofError::WrongProofLength {
                got: proof.len(),
                want,
            });
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongProofLength {
            got: proof.len(),
            want,
        });
    }
    Ok(r)
}

/// Checks that `leaf_hash` is leaf `index` of the tree of `size` leaves with
/// root `root`.
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion_proof(leaf_hash, index, size, proof)?;
    if computed != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `size1` leaves with root `root1` is a prefix of
/// the tree of `size2` leaves with root `root2`.
///
/// Edge cases follow the transparency-dev/merkle corpus: `size1 > size2`
/// fails; equal sizes need an empty proof and equal roots (and at size 0,
/// both roots must be `H("")`); `size1 == 0 < size2` fails, since a proof
/// from the empty tree carries no information.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    proof: &[Hash],
    root1: &Hash,
    root2: &Hash,
) -> Result<(), ProofError> {
    if size1 > size2 {
        return Err(ProofError::SizeOrder { size1, size2 });
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(ProofError::WrongProofLength {
                got: proof.len(),
                want: 0,
            });
        }
        if size1 == 0 && *root1 != empty_root() {
            return Err(ProofError::FirstRootMismatch { size1 });
        }
        if root1 != root2 {
            return Err(ProofError::SecondRootMismatch { size2 });
        }
        return Ok(());
    }
    if size1 == 0 {
        return Err(ProofError::FromEmptyTree { size2 });
    }
    let want = consistency_proof_len(size1, size2);
    let wrong_length = || ProofError::WrongProofLength {
        got: proof.len(),
        want,
    };
    if proof.len() != want {
        return Err(wrong_length());
    }

    // RFC 9162 §2.1.4.2. Step 2: a power-of-two old tree is itself the
    // starting subtree, so its root stands in for the omitted first hash.
    let (first, rest) = if size1.is_power_of_two() {
        (root1, proof)
    } else {
        proof.split_first().ok_or_else(wrong_length)?
    };
    let mut f = size1 - 1;
    let mut s = size2 - 1;
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let mut fr = *first;
    let mut sr = *first;
    for c in rest {
        if s == 0 {
            return Err(wrong_length());
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(wrong_length());
    }
    if fr != *root1 {
        return Err(ProofError::FirstRootMismatch { size1 });
    }
    if sr != *root2 {
        return Err(ProofError::SecondRootMismatch { size2 });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_at_extremes() {
        assert_eq!(inclusion_proof_len(0, 1), 0);
        assert_eq!(inclusion_proof_len(0, 0), 0);
        assert_eq!(inclusion_proof_len(5, 5), 0);
        assert_eq!(inclusion_proof_len(0, 8), 3);
        assert_eq!(inclusion_proof_len(4, 5), 1);
        assert_eq!(inclusion_proof_len(0, u64::MAX), 64);
        assert_eq!(inclusion_proof_len(u64::MAX - 1, u64::MAX), 63);
        assert_eq!(consistency_proof_len(1, 8), 3);
        assert_eq!(consistency_proof_len(6, 8), 3);
        assert_eq!(consistency_proof_len(2, 5), 2);
        assert_eq!(consistency_proof_len(8, 8), 0);
        assert_eq!(consistency_proof_len(0, 8), 0);
        assert_eq!(consistency_proof_len(1 << 63, u64::MAX), 1);
        assert_eq!(consistency_proof_len(1, u64::MAX), 64);
        assert_eq!(consistency_proof_len(3, u64::MAX), 65);
    }

    #[test]
    fn equal_sizes() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        assert!(verify_consistency(3, 3, &[], &a, &a).is_ok());
        assert!(verify_consistency(3, 3, &[], &a, &b).is_err());
        assert!(verify_consistency(3, 3, &[a], &a, &a).is_err());
        let e = empty_root();
        assert!(verify_consistency(0, 0, &[], &e, &e).is_ok());
        assert!(verify_consistency(0, 0, &[], &a, &a).is_err());
        assert!(verify_consistency(0, 5, &[], &e, &a).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let h = [9u8; 32];
        let proofs: Vec<Vec<Hash>> = (0..70).map(|n| vec![h; n]).collect();
        let sizes = [
            0,
            1,
            2,
            3,
            7,
            8,
            9,
            1 << 32,
            (1 << 63) - 1,
            1 << 63,
            u64::MAX,
        ];
        for &a in &sizes {
            for &b in &sizes {
                for p in &proofs {
                    let _ = verify_inclusion(&h, a, b, p, &h);
                    let _ = verify_consistency(a, b, p, &h, &h);
                }
            }
        }
    }
}
