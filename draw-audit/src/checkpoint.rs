//! c2sp.org/tlog-checkpoint: the signed statement "the log with this origin
//! has this many entries and this root", as text and as a signed note.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::merkle::Hash;
use crate::note::{self, LogSigner, NoteError, NoteVerifier, OpenedNote};

/// A tree head: origin line, tree size, root hash, optional extension lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub extensions: Vec<String>,
}

/// Why a checkpoint body or signed checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint text must end with a newline")]
    MissingFinalNewline,
    #[error("checkpoint needs origin, size and root lines")]
    TooFewLines,
    #[error("origin line must be non-empty without control characters")]
    InvalidOrigin,
    #[error("tree size {0:?} is not a decimal number without sign or leading zeros")]
    InvalidSize(String),
    #[error("root hash line is not the standard base64 of 32 bytes")]
    InvalidRoot,
    #[error("extension line {0} is empty or has control characters")]
    InvalidExtension(usize),
    #[error(transparent)]
    Note(#[from] NoteError),
}

impl Checkpoint {
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Self {
        Self {
            origin: origin.into(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// Checks that the fields can be written as a checkpoint that parses
    /// back to the same value.
    pub fn validate(&self) -> Result<(), CheckpointError> {
        if !is_clean_line(&self.origin) {
            return Err(CheckpointError::InvalidOrigin);
        }
        for (i, ext) in self.extensions.iter().enumerate() {
            if !is_clean_line(ext) {
                return Err(CheckpointError::InvalidExtension(i + 1));
            }
        }
        Ok(())
    }

    /// The checkpoint body: `origin\nsize\nbase64(root)\n` then one line per
    /// extension. Only meaningful for a checkpoint that passes
    /// [`Checkpoint::validate`], which [`Checkpoint::sign`] enforces.
    pub fn to_text(&self) -> String {
        let mut text = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        );
        for ext in &self.extensions {
            text.push_str(ext);
            text.push('\n');
        }
        text
    }

    /// Parses a checkpoint body strictly: exactly one text form per value.
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingFinalNewline)?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::TooFewLines);
        };
        if !is_clean_line(origin) {
            return Err(CheckpointError::InvalidOrigin);
        }
        let size = parse_size(size)?;
        let root = STANDARD
            .decode(root)
            .ok()
            .and_then(|b| Hash::try_from(b.as_slice()).ok())
            .ok_or(CheckpointError::InvalidRoot)?;
        let mut extensions = Vec::new();
        for (i, ext) in lines.enumerate() {
            if !is_clean_line(ext) {
                return Err(CheckpointError::InvalidExtension(i + 1));
            }
            extensions.push(ext.to_owned());
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// The checkpoint as a signed note, one signature per signer in order.
    pub fn sign<S: LogSigner + ?Sized>(&self, signers: &[&S]) -> Result<String, CheckpointError> {
        self.validate()?;
        Ok(note::sign_note(&self.to_text(), signers)?)
    }

    /// Verifies a signed checkpoint and parses its body.
    pub fn open(
        signed: &str,
        verifiers: &[NoteVerifier],
    ) -> Result<(Checkpoint, OpenedNote), CheckpointError> {
        let opened = note::open(signed, verifiers)?;
        let checkpoint = Self::parse(&opened.text)?;
        Ok((checkpoint, opened))
    }
}

/// Non-empty, and no control characters (a newline would split the line).
fn is_clean_line(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_control)
}

/// ASCII decimal without sign or leading zeros: `u64::from_str` alone would
/// also take "+5" and "007", giving one size several texts.
fn parse_size(s: &str) -> Result<u64, CheckpointError> {
    let invalid = || CheckpointError::InvalidSize(s.to_owned());
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return Err(invalid());
    }
    s.parse().map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("0"), Ok(0));
        assert_eq!(parse_size("18446744073709551615"), Ok(u64::MAX));
        for bad in [
            "",
            "00",
            "01",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1e3",
            "18446744073709551616",
            "１",
        ] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }
}
