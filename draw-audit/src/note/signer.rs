//! The signing side of a log key behind a trait, so the key can live in a
//! file read into memory today and in a hardware module later.

use ed25519_dalek::{Signature, Signer as _, VerifyingKey};

use super::{NoteError, NoteSigner, NoteVerifier};

/// An Ed25519 key that signs notes without handing out its private half.
/// An implementation for a hardware security module needs only these four
/// methods; everything else (note format, key ids, checks) is built on them.
pub trait LogSigner: Send + Sync {
    /// The signed-note key name (for a log, its origin line).
    fn key_name(&self) -> &str;
    /// The signed-note key id, SPEC §7: the first four bytes of
    /// `SHA-256(name || "\n" || 0x01 || public_key)`, big-endian.
    fn key_id(&self) -> u32;
    /// The Ed25519 public key.
    fn public_key(&self) -> [u8; 32];
    /// An Ed25519 signature over `msg`.
    fn sign(&self, msg: &[u8]) -> Result<[u8; 64], SignError>;

    /// The verifier key of this signer.
    fn verifier(&self) -> Result<NoteVerifier, NoteError> {
        let key = VerifyingKey::from_bytes(&self.public_key()).map_err(|_| NoteError::WeakKey)?;
        NoteVerifier::new(self.key_name(), key)
    }
}

/// Why a signer produced no signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// The device or service holding the key failed.
    #[error("the signing key is unavailable: {0}")]
    Unavailable(String),
}

/// A key file read into memory.
impl LogSigner for NoteSigner {
    fn key_name(&self) -> &str {
        self.name()
    }

    fn key_id(&self) -> u32 {
        NoteSigner::key_id(self)
    }

    fn public_key(&self) -> [u8; 32] {
        self.signing_key().verifying_key().to_bytes()
    }

    fn sign(&self, msg: &[u8]) -> Result<[u8; 64], SignError> {
        Ok(self.signing_key().sign(msg).to_bytes())
    }
}

/// Signs `msg` with `signer` and checks the signature against the signer's
/// own public key: a faulty device (or one holding another key) must not
/// put a signature into a note that no verifier accepts.
pub(super) fn sign_checked<S: LogSigner + ?Sized>(
    signer: &S,
    msg: &[u8],
) -> Result<[u8; 64], NoteError> {
    let failed = |reason: String| NoteError::SigningFailed {
        name: signer.key_name().to_owned(),
        key_id: signer.key_id(),
        reason,
    };
    let sig = signer.sign(msg).map_err(|e| failed(e.to_string()))?;
    let key = VerifyingKey::from_bytes(&signer.public_key()).map_err(|_| NoteError::WeakKey)?;
    key.verify_strict(msg, &Signature::from_bytes(&sig))
        .map_err(|_| failed("the signature does not verify with the signer's public key".into()))?;
    Ok(sig)
}
