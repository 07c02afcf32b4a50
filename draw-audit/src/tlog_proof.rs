//! c2sp.org/tlog-proof@v1: an offline inclusion proof as text — a header,
//! optional opaque `extra` data, the leaf index, the proof hashes, a blank
//! line and the signed checkpoint they lead to.
//!
//! Parsing is strict, so one proof has exactly one text: standard padded
//! base64, decimal without sign or leading zeros, no stray lines.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::merkle::Hash;

/// The first line of every proof of this version.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";

/// A parsed tlog-proof. Nothing in it is verified yet: the checkpoint is
/// still a signed note to open, and `extra` is unauthenticated by design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Application data (`extra` line), already base64-decoded.
    pub extra: Option<Vec<u8>>,
    /// Zero-based index of the entry in the log.
    pub index: u64,
    /// RFC 6962 inclusion path, from the leaf's sibling up.
    pub hashes: Vec<Hash>,
    /// The signed checkpoint, verbatim (it ends with a newline).
    pub checkpoint: String,
}

/// Why a text is not a tlog-proof of this version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogProofError {
    #[error("not a tlog-proof: the first line must be {HEADER:?}")]
    Header,
    #[error("tlog-proof has no blank line before its checkpoint")]
    NoCheckpointSeparator,
    #[error("tlog-proof has no checkpoint after the blank line")]
    EmptyCheckpoint,
    #[error("tlog-proof extra data is not standard padded base64")]
    Extra,
    #[error("tlog-proof has no \"index N\" line after its header")]
    MissingIndex,
    #[error("tlog-proof index {0:?} is not a decimal number without sign or leading zeros")]
    Index(String),
    #[error("tlog-proof hash line {0} is not the standard base64 of 32 bytes")]
    Hash(usize),
}

impl TlogProof {
    /// Parses a proof text strictly.
    pub fn parse(text: &str) -> Result<Self, TlogProofError> {
        let (head, checkpoint) = text
            .split_once("\n\n")
            .ok_or(TlogProofError::NoCheckpointSeparator)?;
        let mut lines = head.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(TlogProofError::Header);
        }
        let mut line = lines.next();
        let mut extra = None;
        if let Some(data) = line.and_then(|l| l.strip_prefix("extra ")) {
            extra = Some(STANDARD.decode(data).map_err(|_| TlogProofError::Extra)?);
            line = lines.next();
        }
        let index = line
            .and_then(|l| l.strip_prefix("index "))
            .ok_or(TlogProofError::MissingIndex)?;
        let index = parse_decimal(index).ok_or_else(|| TlogProofError::Index(index.to_owned()))?;
        let hashes = lines
            .enumerate()
            .map(|(i, l)| decode_hash(l).ok_or(TlogProofError::Hash(i + 1)))
            .collect::<Result<_, _>>()?;
        if checkpoint.is_empty() {
            return Err(TlogProofError::EmptyCheckpoint);
        }
        Ok(Self {
            extra,
            index,
            hashes,
            checkpoint: checkpoint.to_owned(),
        })
    }

    /// The proof as text; [`TlogProof::parse`] gives back the same value.
    pub fn to_text(&self) -> String {
        let mut text = String::with_capacity(
            HEADER.len() + 64 + self.hashes.len() * 45 + self.checkpoint.len(),
        );
        text.push_str(HEADER);
        text.push('\n');
        if let Some(extra) = &self.extra {
            text.push_str("extra ");
            text.push_str(&STANDARD.encode(extra));
            text.push('\n');
        }
        text.push_str(&format!("index {}\n", self.index));
        for h in &self.hashes {
            text.push_str(&STANDARD.encode(h));
            text.push('\n');
        }
        text.push('\n');
        text.push_str(&self.checkpoint);
        text
    }
}

/// ASCII decimal without sign or leading zeros (one text per number).
pub(crate) fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// Standard padded base64 of exactly 32 bytes.
pub(crate) fn decode_hash(s: &str) -> Option<Hash> {
    STANDARD
        .decode(s)
        .ok()
        .and_then(|b| Hash::try_from(b.as_slice()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const H1: &str = "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=";

    #[test]
    fn round_trip() {
        let text = format!(
            "c2sp.org/tlog-proof@v1\nextra AAEC\nindex 7\n{H1}\n{H1}\n\nlog\n8\n{H1}\n\n— log x\n"
        );
        let p = TlogProof::parse(&text).unwrap();
        assert_eq!(p.extra.as_deref(), Some(&[0u8, 1, 2][..]));
        assert_eq!(p.index, 7);
        assert_eq!(p.hashes.len(), 2);
        assert_eq!(p.checkpoint, format!("log\n8\n{H1}\n\n— log x\n"));
        assert_eq!(p.to_text(), text);

        let bare = format!("c2sp.org/tlog-proof@v1\nindex 0\n\nlog\n1\n{H1}\n");
        let p = TlogProof::parse(&bare).unwrap();
        assert_eq!((p.extra, p.hashes.len()), (None, 0));
        assert_eq!(TlogProof::parse(&bare).unwrap().to_text(), bare);
    }

    #[test]
    fn refusals() {
        for (bad, want) in [
            (
                "c2sp.org/tlog-proof@v2\nindex 0\n\ncp\n",
                TlogProofError::Header,
            ),
            (
                "c2sp.org/tlog-proof@v1\nindex 0\n",
                TlogProofError::NoCheckpointSeparator,
            ),
            (
                "c2sp.org/tlog-proof@v1\n\ncp\n",
                TlogProofError::MissingIndex,
            ),
            (
                "c2sp.org/tlog-proof@v1\nindex 01\n\ncp\n",
                TlogProofError::Index("01".into()),
            ),
            (
                "c2sp.org/tlog-proof@v1\nindex -1\n\ncp\n",
                TlogProofError::Index("-1".into()),
            ),
            (
                "c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\ncp\n",
                TlogProofError::Hash(1),
            ),
            (
                "c2sp.org/tlog-proof@v1\nindex 0\n\n",
                TlogProofError::EmptyCheckpoint,
            ),
            (
                "c2sp.org/tlog-proof@v1\nextra !!\nindex 0\n\ncp\n",
                TlogProofError::Extra,
            ),
        ] {
            assert_eq!(TlogProof::parse(bad), Err(want), "{bad:?}");
        }
    }
}
