//! Signer and verifier keys of signed notes and their string forms
//! (`name+keyid+base64(0x01 || key)`, with `PRIVATE+KEY+` for signers).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};

use super::{ALG_ED25519, NoteError, is_valid_key_name, key_id};

const PRIVATE_PREFIX: &str = "PRIVATE+KEY+";

/// A named Ed25519 key that signs notes (checkpoints).
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    key: SigningKey,
    key_id: u32,
}

impl NoteSigner {
    pub fn new(name: &str, key: SigningKey) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName(name.to_owned()));
        }
        let key_id = key_id(name, key.verifying_key().as_bytes());
        Ok(Self {
            name: name.to_owned(),
            key,
            key_id,
        })
    }

    /// Parses a sumdb-style signer key `PRIVATE+KEY+name+hex8+base64(0x01||seed)`.
    pub fn parse(skey: &str) -> Result<Self, NoteError> {
        let rest = skey
            .strip_prefix(PRIVATE_PREFIX)
            .ok_or(NoteError::MalformedKey(
                "signer key must start with PRIVATE+KEY+",
            ))?;
        let (name, stated, seed) = split_key_string(rest)?;
        let signer = Self::new(name, SigningKey::from_bytes(&seed))?;
        if signer.key_id != stated {
            return Err(NoteError::KeyIdMismatch {
                name: name.to_owned(),
                stated,
                computed: signer.key_id,
            });
        }
        Ok(signer)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The matching verifier.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Public key string `name+hex8(keyid)+base64(0x01 || public_key)`, the
    /// form published for supervisors.
    pub fn verifier_key_string(&self) -> String {
        self.verifier().to_string()
    }

    /// Secret key string in sumdb form. It holds the private key: keep it
    /// out of logs.
    pub fn private_key_string(&self) -> String {
        key_string(
            &format!("{PRIVATE_PREFIX}{}", self.name),
            self.key_id,
            self.key.as_bytes(),
        )
    }

    /// Signs `text` (which must end with a newline) as a note with this key
    /// alone.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        super::sign_note(text, &[self])
    }
}

/// The private key stays out of debug output.
impl fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.key_id))
            .field("key", &"<redacted>")
            .finish()
    }
}

/// A named Ed25519 public key that verifies notes.
#[derive(Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key_id: u32,
    key: VerifyingKey,
}

impl NoteVerifier {
    pub fn new(name: &str, key: VerifyingKey) -> Result<Self, NoteError> {
        if !is_valid_key_name(name) {
            return Err(NoteError::InvalidKeyName(name.to_owned()));
        }
        // Small-order keys admit signatures that verify for many messages.
        if key.is_weak() {
            return Err(NoteError::WeakKey);
        }
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, key.as_bytes()),
            key,
        })
    }

    /// Parses a verifier key `name+hex8(keyid)+base64(0x01 || public_key)`,
    /// checking the algorithm, the key id and the key itself.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let (name, stated, public) = split_key_string(vkey)?;
        let key = VerifyingKey::from_bytes(&public).map_err(|_| NoteError::WeakKey)?;
        let verifier = Self::new(name, key)?;
        if verifier.key_id != stated {
            return Err(NoteError::KeyIdMismatch {
                name: name.to_owned(),
                stated,
                computed: verifier.key_id,
            });
        }
        Ok(verifier)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Strict Ed25519 verification (rejects non-canonical and small-order
    /// components, so one message has no malleable second signature).
    pub(super) fn verify(&self, msg: &[u8], sig: &[u8; 64]) -> bool {
        self.key
            .verify_strict(msg, &Signature::from_bytes(sig))
            .is_ok()
    }
}

/// Writes the verifier key string.
impl fmt::Display for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&key_string(&self.name, self.key_id, self.key.as_bytes()))
    }
}

impl fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NoteVerifier({self})")
    }
}

fn key_string(name: &str, key_id: u32, key: &[u8; 32]) -> String {
    let mut data = Vec::with_capacity(33);
    data.push(ALG_ED25519);
    data.extend_from_slice(key);
    format!("{name}+{key_id:08x}+{}", STANDARD.encode(data))
}

/// Splits `name+hex8+base64` into its parts. The name and id cannot contain
/// `+`, so splitting at the first two is exact even though base64 may
/// contain `+` itself.
fn split_key_string(s: &str) -> Result<(&str, u32, [u8; 32]), NoteError> {
    let (name, rest) = s
        .split_once('+')
        .ok_or(NoteError::MalformedKey("expected name+keyid+key"))?;
    let (id_hex, key_b64) = rest
        .split_once('+')
        .ok_or(NoteError::MalformedKey("expected name+keyid+key"))?;
    if !is_valid_key_name(name) {
        return Err(NoteError::InvalidKeyName(name.to_owned()));
    }
    if id_hex.len() != 8
        || !id_hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(NoteError::MalformedKey(
            "key id must be 8 lowercase hex digits",
        ));
    }
    let stated = u32::from_str_radix(id_hex, 16)
        .map_err(|_| NoteError::MalformedKey("key id must be 8 lowercase hex digits"))?;
    let data = STANDARD
        .decode(key_b64)
        .map_err(|_| NoteError::MalformedKey("key data is not standard padded base64"))?;
    let (&alg, key) = data
        .split_first()
        .ok_or(NoteError::MalformedKey("key data is empty"))?;
    if alg != ALG_ED25519 {
        return Err(NoteError::UnsupportedAlgorithm(alg));
    }
    let key: [u8; 32] = key
        .try_into()
        .map_err(|_| NoteError::MalformedKey("Ed25519 key data must be 33 bytes"))?;
    Ok((name, stated, key))
}
