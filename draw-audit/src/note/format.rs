//! The note wire format: text, a blank line, then one `— name base64` line
//! per signature; signing and strict opening.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::signer::sign_checked;
use super::{LogSigner, NoteError, NoteVerifier, is_ascii_control, is_valid_key_name};

/// Most signature lines a note may carry; bounds the work an opener does.
pub const MAX_SIGNATURES: usize = 100;

/// Em dash and space that begin every signature line.
const SIG_PREFIX: &str = "\u{2014} ";

/// A note whose signatures were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedNote {
    /// The signed text, ending with a newline.
    pub text: String,
    /// Known keys whose signatures verified, as (name, key id), in order of
    /// first appearance.
    pub verified: Vec<(String, u32)>,
    /// Signatures by keys the caller did not supply (left unchecked).
    pub unverified_count: usize,
}

/// Notes allow no ASCII control characters except newline.
fn check_characters(s: &str) -> Result<(), NoteError> {
    match s
        .char_indices()
        .find(|&(_, c)| c != '\n' && is_ascii_control(c))
    {
        Some((offset, c)) => Err(NoteError::ControlCharacter {
            code: u32::from(c),
            offset,
        }),
        None => Ok(()),
    }
}

/// Signs `text` with every signer: `text`, a blank line, one signature line
/// per signer in the given order. Each signature is checked against its
/// signer's public key before it goes into the note.
pub fn sign_note<S: LogSigner + ?Sized>(text: &str, signers: &[&S]) -> Result<String, NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::MissingFinalNewline);
    }
    check_characters(text)?;
    if signers.is_empty() {
        return Err(NoteError::NoSigners);
    }
    let mut note = String::with_capacity(text.len() + 1 + signers.len() * 120);
    note.push_str(text);
    note.push('\n');
    let mut seen: Vec<(&str, u32)> = Vec::new();
    for s in signers {
        let id = (s.key_name(), s.key_id());
        if seen.contains(&id) {
            return Err(NoteError::DuplicateSigner {
                name: s.key_name().to_owned(),
                key_id: s.key_id(),
            });
        }
        if !is_valid_key_name(s.key_name()) {
            return Err(NoteError::InvalidKeyName(s.key_name().to_owned()));
        }
        seen.push(id);
        let mut blob = Vec::with_capacity(68);
        blob.extend_from_slice(&s.key_id().to_be_bytes());
        blob.extend_from_slice(&sign_checked(*s, text.as_bytes())?);
        note.push_str(SIG_PREFIX);
        note.push_str(s.key_name());
        note.push(' ');
        note.push_str(&STANDARD.encode(blob));
        note.push('\n');
    }
    Ok(note)
}

/// [`open`] for raw bytes, refusing anything that is not UTF-8.
pub fn open_bytes(note: &[u8], verifiers: &[NoteVerifier]) -> Result<OpenedNote, NoteError> {
    let note = std::str::from_utf8(note).map_err(|_| NoteError::InvalidUtf8)?;
    open(note, verifiers)
}

/// Parses a signed note and verifies every signature by a key in
/// `verifiers`. Fails on any malformed line, repeated line, bad signature by
/// a known key, or when no known key signed at all.
pub fn open(note: &str, verifiers: &[NoteVerifier]) -> Result<OpenedNote, NoteError> {
    check_characters(note)?;
    // Signature lines never contain a blank line, so the last one splits.
    let split = note.rfind("\n\n").ok_or(NoteError::MissingSignatureBlock)?;
    let (text, sigs) = note
        .split_at_checked(split + 1)
        .ok_or(NoteError::MissingSignatureBlock)?;
    let sigs = sigs.strip_prefix('\n').unwrap_or(sigs);
    let body = sigs
        .strip_suffix('\n')
        .ok_or(NoteError::MissingSignatureBlock)?;
    if body.is_empty() {
        return Err(NoteError::MissingSignatureBlock);
    }

    let lines: Vec<&str> = body.split('\n').collect();
    if lines.len() > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures);
    }
    let mut verified: Vec<(String, u32)> = Vec::new();
    let mut unverified_count = 0;
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        if lines.get(..i).is_some_and(|earlier| earlier.contains(line)) {
            return Err(NoteError::DuplicateSignatureLine { line: number });
        }
        let (name, key_id, sig) = parse_signature_line(line, number)?;
        let Some(v) = verifiers
            .iter()
            .find(|v| v.name() == name && v.key_id() == key_id)
        else {
            unverified_count += 1;
            continue;
        };
        let bad = || NoteError::InvalidSignature {
            name: name.to_owned(),
            key_id,
        };
        let sig: &[u8; 64] = sig.as_slice().try_into().map_err(|_| bad())?;
        if !v.verify(text.as_bytes(), sig) {
            return Err(bad());
        }
        if !verified.iter().any(|(n, id)| n == name && *id == key_id) {
            verified.push((name.to_owned(), key_id));
        }
    }
    if verified.is_empty() {
        return Err(NoteError::NoVerifiedSignature {
            unverified: unverified_count,
        });
    }
    Ok(OpenedNote {
        text: text.to_owned(),
        verified,
        unverified_count,
    })
}

/// Splits `— name base64(keyid || signature)` into name, key id and the
/// signature bytes (of any length: unknown algorithms are not ours to judge).
fn parse_signature_line(line: &str, number: usize) -> Result<(&str, u32, Vec<u8>), NoteError> {
    let malformed = |reason| NoteError::MalformedSignatureLine {
        line: number,
        reason,
    };
    let rest = line
        .strip_prefix(SIG_PREFIX)
        .ok_or(malformed("must start with an em dash and a space"))?;
    let (name, b64) = rest
        .split_once(' ')
        .ok_or(malformed("expected a key name, a space and base64"))?;
    if !is_valid_key_name(name) {
        return Err(malformed("invalid key name"));
    }
    let blob = STANDARD
        .decode(b64)
        .map_err(|_| malformed("signature is not standard padded base64"))?;
    let (id, sig) = blob
        .split_first_chunk::<4>()
        .ok_or(malformed("signature is shorter than its key id"))?;
    if sig.is_empty() {
        return Err(malformed("signature is empty"));
    }
    Ok((name, u32::from_be_bytes(*id), sig.to_vec()))
}
