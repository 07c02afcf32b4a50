//! c2sp.org/signed-note with Ed25519 keys: key names and ids, signer and
//! verifier key strings, signing notes and opening (verifying) them.

mod format;
mod keys;
mod signer;

pub use format::{MAX_SIGNATURES, OpenedNote, open, open_bytes, sign_note};
pub use keys::{NoteSigner, NoteVerifier};
pub use signer::{LogSigner, SignError};

use sha2::{Digest, Sha256};

/// Algorithm byte of Ed25519 keys in signed-note key strings.
pub const ALG_ED25519: u8 = 0x01;

/// Key id: the first four bytes (big-endian) of
/// `SHA-256(name || "\n" || 0x01 || public_key)`. Binding the name into the
/// id means a signature line cannot be relabelled to another key name.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ALG_ED25519]);
    h.update(public_key);
    let digest: [u8; 32] = h.finalize().into();
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]])
}

/// A key name is non-empty and has no whitespace, `+` or ASCII control
/// characters: `+` separates key-string fields, a space ends the name on a
/// signature line, and controls cannot appear in a note at all.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c == '+' || c.is_whitespace() || is_ascii_control(c))
}

/// ASCII control characters (C0 and DEL); notes allow none but newline.
fn is_ascii_control(c: char) -> bool {
    c < ' ' || c == '\u{7f}'
}

/// Why a key string, note or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error(
        "invalid key name {0:?}: it must be non-empty without spaces, '+' or control characters"
    )]
    InvalidKeyName(String),
    #[error("malformed key string: {0}")]
    MalformedKey(&'static str),
    #[error("unsupported key algorithm byte {0:#04x}; only Ed25519 (0x01) is supported")]
    UnsupportedAlgorithm(u8),
    #[error(
        "key id {stated:08x} in the key string does not match {computed:08x} computed for {name:?}"
    )]
    KeyIdMismatch {
        name: String,
        stated: u32,
        computed: u32,
    },
    #[error("the public key is not a valid Ed25519 point or has small order")]
    WeakKey,
    #[error("note text must end with a newline")]
    MissingFinalNewline,
    #[error(
        "note contains control character U+{code:04X} at byte {offset}; only newline is allowed"
    )]
    ControlCharacter { code: u32, offset: usize },
    #[error("note is not valid UTF-8")]
    InvalidUtf8,
    #[error("signer {name}+{key_id:08x} failed: {reason}")]
    SigningFailed {
        name: String,
        key_id: u32,
        reason: String,
    },
    #[error("a note needs at least one signer")]
    NoSigners,
    #[error("signer {name}+{key_id:08x} is given twice")]
    DuplicateSigner { name: String, key_id: u32 },
    #[error("note has no signature block after a blank line")]
    MissingSignatureBlock,
    #[error("signature line {line} is malformed: {reason}")]
    MalformedSignatureLine { line: usize, reason: &'static str },
    #[error("signature line {line} repeats an earlier line")]
    DuplicateSignatureLine { line: usize },
    #[error("note has more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    #[error("signature by {name}+{key_id:08x} does not verify")]
    InvalidSignature { name: String, key_id: u32 },
    #[error("no signature by a known key ({unverified} by unknown keys)")]
    NoVerifiedSignature { unverified: usize },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names() {
        assert!(is_valid_key_name("example.com/foo"));
        assert!(is_valid_key_name("公共资源交易中心"));
        for bad in [
            "",
            "a b",
            "a+b",
            "a\nb",
            "a\tb",
            "a\u{a0}b",
            "a\u{3000}b",
            "a\u{7f}",
        ] {
            assert!(!is_valid_key_name(bad), "{bad:?}");
        }
    }
}
