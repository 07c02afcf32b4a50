//! Seed derivation and nonce commitment of SPEC §4: the only place where the
//! statement, the operator's nonce and the public beacon meet.
//!
//! The nonce is committed (its hash logged) before the beacon is known, so
//! neither the operator nor the beacon source alone can choose the seed.

use sha2::{Digest, Sha256};

/// Domain-separation prefix of the seed hash; the 0x00 that follows it in the
/// preimage is appended separately, as the SPEC writes it.
const SEED_DOMAIN: &[u8] = b"expert-draw/1 seed";

/// `H(nonce)`: logged in `draw.commit` before the beacon exists.
#[must_use]
pub fn nonce_commitment(nonce: &[u8; 32]) -> [u8; 32] {
    Sha256::digest(nonce).into()
}

/// `H("expert-draw/1 seed" || 0x00 || statement_hash || nonce || H(beacon))`.
///
/// The beacon is hashed first so that its length cannot shift the other
/// fields: every field before it has a fixed size.
#[must_use]
pub fn seed(statement_hash: &[u8; 32], nonce: &[u8; 32], beacon: &str) -> [u8; 32] {
    let beacon_hash = Sha256::digest(beacon.as_bytes());
    let mut h = Sha256::new();
    h.update(SEED_DOMAIN);
    h.update([0u8]);
    h.update(statement_hash);
    h.update(nonce);
    h.update(beacon_hash);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitment_is_sha256_of_the_nonce() {
        // SHA-256 of 32 zero bytes, a well-known value.
        assert_eq!(
            hex::encode(nonce_commitment(&[0u8; 32])),
            "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"
        );
    }

    #[test]
    fn seed_depends_on_every_input() {
        let base = seed(&[1; 32], &[2; 32], "b");
        assert_ne!(base, seed(&[9; 32], &[2; 32], "b"));
        assert_ne!(base, seed(&[1; 32], &[9; 32], "b"));
        assert_ne!(base, seed(&[1; 32], &[2; 32], ""));
    }
}
