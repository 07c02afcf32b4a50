//! Hashes as people paste them: 64 hex digits (as this project's APIs write
//! them) or standard base64 (as checkpoints and tlog proofs write them).

use anyhow::anyhow;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use draw_audit::merkle::Hash;

/// Parses a 32-byte hash; `what` names it in the error. The two forms cannot
/// be confused: 32 bytes are 64 characters in hex and 44 in base64.
pub(super) fn parse(what: &str, s: &str) -> anyhow::Result<Hash> {
    let bytes = if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(s).ok()
    } else {
        STANDARD.decode(s).ok()
    };
    bytes
        .and_then(|b| Hash::try_from(b.as_slice()).ok())
        .ok_or_else(|| {
            anyhow!(
                "{what}: expected a 32-byte hash as 64 hex digits or standard base64, got {s:?}"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms() {
        let h = [0xab; 32];
        assert_eq!(parse("x", &hex::encode(h)).unwrap(), h);
        assert_eq!(parse("x", &hex::encode_upper(h)).unwrap(), h);
        assert_eq!(parse("x", &STANDARD.encode(h)).unwrap(), h);
        for bad in ["", "abcd", &STANDARD.encode([1; 31]), &hex::encode([1; 33])] {
            assert!(parse("x", bad).is_err(), "{bad:?}");
        }
    }
}
