//! Draw receipts: one signed note per draw, naming what its `draw.reveal`
//! entry says, carried in a c2sp.org/tlog-proof@v1 with the inclusion proof
//! of that entry into a signed checkpoint. Verifiable alone, with only the
//! log's verifier key (docs/RECEIPTS.md has the byte-level format).
//!
//! The receipt note's body, one field per line in this order:
//!
//! ```text
//! expert-draw/1 receipt
//! <log origin>
//! draw <draw id>
//! time <YYYY-MM-DDTHH:MM:SSZ of the reveal entry>
//! statement <hex H(JCS(statement))>
//! nonce-commitment <hex H(nonce)>
//! seed <hex seed>
//! result <JCS(result)>
//! index <log index of the draw.reveal entry>
//! leaf <base64 leaf hash of that entry>
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use expert_core::draw::DrawResult;
use serde_json::Value;

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::entry::{self, Entry, EntryError};
use crate::jcs;
use crate::merkle::{self, Hash, ProofError};
use crate::note::{self, NoteError, NoteSigner, NoteVerifier};
use crate::tlog_proof::{self, TlogProof, TlogProofError};

/// First line of every receipt note of this version.
pub const RECEIPT_HEADER: &str = "expert-draw/1 receipt";

/// The entry kind a receipt is about (SPEC §7).
pub const REVEAL_KIND: &str = "draw.reveal";

/// What a draw's `draw.reveal` entry says, and where it sits in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The log's origin (the checkpoint's first line).
    pub origin: String,
    pub draw_id: String,
    /// The reveal entry's time.
    pub time: DateTime<Utc>,
    pub statement_hash: Hash,
    pub nonce_commitment: Hash,
    pub seed: Hash,
    pub result: DrawResult,
    /// Log index (`seq`) of the reveal entry.
    pub index: u64,
    /// RFC 6962 leaf hash of the reveal entry.
    pub leaf_hash: Hash,
}

/// Why a receipt could not be made, read or verified. Each variant names
/// the one check that failed.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    #[error("receipt line {line}: {reason}")]
    Line { line: usize, reason: String },
    #[error("receipt note: {0}")]
    Note(#[source] NoteError),
    #[error(transparent)]
    Container(#[from] TlogProofError),
    #[error("the tlog-proof has no extra line: it is a bare proof, not a draw receipt")]
    NoExtra,
    #[error("the extra data is not a UTF-8 signed note")]
    ExtraNotText,
    #[error("checkpoint: {0}")]
    Checkpoint(#[source] CheckpointError),
    #[error("the receipt is for log {receipt:?}, the checkpoint is of log {checkpoint:?}")]
    OriginMismatch { receipt: String, checkpoint: String },
    #[error("the receipt names index {receipt}, the proof is for index {proof}")]
    IndexMismatch { receipt: u64, proof: u64 },
    #[error("inclusion proof of leaf {index} into the checkpoint (size {size}): {source}")]
    Inclusion {
        index: u64,
        size: u64,
        #[source]
        source: ProofError,
    },
    #[error("entry {index}: {reason}")]
    Entry { index: u64, reason: String },
}

impl Receipt {
    /// The receipt of the reveal entry at `index` whose leaf bytes are
    /// `leaf`: every field is taken from the leaf itself, so the receipt
    /// says exactly what the log says.
    pub fn from_reveal_leaf(origin: &str, index: u64, leaf: &[u8]) -> Result<Self, ReceiptError> {
        let bad = |reason: String| ReceiptError::Entry { index, reason };
        let e = Entry::parse_leaf(leaf).map_err(|e: EntryError| bad(e.to_string()))?;
        if e.seq != index {
            return Err(bad(format!("the leaf says seq {}", e.seq)));
        }
        if e.kind != REVEAL_KIND {
            return Err(bad(format!("is {:?}, not {REVEAL_KIND:?}", e.kind)));
        }
        let field = |name: &str| {
            e.data
                .get(name)
                .ok_or_else(|| bad(format!("data has no {name:?}")))
        };
        let text = |name: &str| {
            field(name)?
                .as_str()
                .ok_or_else(|| bad(format!("data.{name} is not a string")))
        };
        let hex32 = |name: &str| {
            let s = text(name)?;
            parse_hex32(s).ok_or_else(|| bad(format!("data.{name} is not 64 lowercase hex digits")))
        };
        let statement =
            jcs::canonical(field("statement")?).map_err(|e| bad(format!("data.statement: {e}")))?;
        let result: DrawResult = serde_json::from_value(field("result")?.clone())
            .map_err(|e| bad(format!("data.result: {e}")))?;
        Ok(Self {
            origin: origin.to_owned(),
            draw_id: text("draw_id")?.to_owned(),
            time: e.time,
            statement_hash: merkle::sha256(&statement),
            nonce_commitment: merkle::sha256(&hex32("nonce")?),
            seed: hex32("seed")?,
            result,
            index,
            leaf_hash: merkle::leaf_hash(leaf),
        })
    }

    /// The note body (see the module documentation).
    pub fn to_text(&self) -> Result<String, ReceiptError> {
        let line = |line, reason: &str| ReceiptError::Line {
            line,
            reason: reason.to_owned(),
        };
        if !is_clean_field(&self.origin) {
            return Err(line(
                2,
                "the origin must be one line without control characters",
            ));
        }
        if !is_clean_field(&self.draw_id) || self.draw_id.contains(' ') {
            return Err(line(
                3,
                "the draw id must be one word without control characters",
            ));
        }
        let time = entry::format_time(&self.time).map_err(|e| line(4, &e.to_string()))?;
        let result = result_text(&self.result).map_err(|e| line(8, &e))?;
        Ok(format!(
            "{RECEIPT_HEADER}\n{}\ndraw {}\ntime {time}\nstatement {}\nnonce-commitment {}\nseed {}\nresult {result}\nindex {}\nleaf {}\n",
            self.origin,
            self.draw_id,
            hex::encode(self.statement_hash),
            hex::encode(self.nonce_commitment),
            hex::encode(self.seed),
            self.index,
            STANDARD.encode(self.leaf_hash),
        ))
    }

    /// Parses a note body strictly: the fields in order, each in its one
    /// textual form, nothing else.
    pub fn parse(text: &str) -> Result<Self, ReceiptError> {
        let body = text.strip_suffix('\n').ok_or(ReceiptError::Line {
            line: 1,
            reason: "the receipt must end with a newline".into(),
        })?;
        let mut lines = body.split('\n').enumerate().map(|(i, l)| (i + 1, l));
        let mut next = |key: &'static str| -> Result<(usize, &str), ReceiptError> {
            let (n, l) = lines.next().ok_or_else(|| ReceiptError::Line {
                line: 0,
                reason: format!("the receipt ends before its {key:?} line"),
            })?;
            if key.is_empty() {
                return Ok((n, l));
            }
            l.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix(' '))
                .map(|v| (n, v))
                .ok_or_else(|| ReceiptError::Line {
                    line: n,
                    reason: format!("expected \"{key} …\""),
                })
        };
        let bad = |line: usize, reason: &str| ReceiptError::Line {
            line,
            reason: reason.to_owned(),
        };
        let (n, header) = next("")?;
        if header != RECEIPT_HEADER {
            return Err(bad(n, "not an expert-draw/1 receipt"));
        }
        let (n, origin) = next("")?;
        if !is_clean_field(origin) {
            return Err(bad(
                n,
                "the origin must be non-empty without control characters",
            ));
        }
        let (n, draw_id) = next("draw")?;
        if !is_clean_field(draw_id) || draw_id.contains(' ') {
            return Err(bad(n, "the draw id must be one word"));
        }
        let (n, time) = next("time")?;
        let time = entry::parse_time(time).map_err(|e| bad(n, &e.to_string()))?;
        let mut hex_line = |key: &'static str| {
            let (n, v) = next(key)?;
            parse_hex32(v).ok_or_else(|| bad(n, "expected 64 lowercase hex digits"))
        };
        let statement_hash = hex_line("statement")?;
        let nonce_commitment = hex_line("nonce-commitment")?;
        let seed = hex_line("seed")?;
        let (n, result) = next("result")?;
        let result = parse_result(result).map_err(|e| bad(n, &e))?;
        let (n, index) = next("index")?;
        let index = tlog_proof::parse_decimal(index)
            .ok_or_else(|| bad(n, "expected a decimal number without leading zeros"))?;
        let (n, leaf) = next("leaf")?;
        let leaf_hash = tlog_proof::decode_hash(leaf)
            .ok_or_else(|| bad(n, "expected the base64 of 32 bytes"))?;
        if let Some((n, _)) = lines.next() {
            return Err(bad(n, "unexpected line after \"leaf\""));
        }
        Ok(Self {
            origin: origin.to_owned(),
            draw_id: draw_id.to_owned(),
            time,
            statement_hash,
            nonce_commitment,
            seed,
            result,
            index,
            leaf_hash,
        })
    }

    /// The receipt as a signed note. The service's only receipt signing.
    pub fn sign(&self, signer: &NoteSigner) -> Result<String, ReceiptError> {
        signer.sign(&self.to_text()?).map_err(ReceiptError::Note)
    }

    /// Opens a signed receipt note with `verifiers` and parses its body.
    pub fn open(
        signed: &str,
        verifiers: &[NoteVerifier],
    ) -> Result<(Self, Vec<String>), ReceiptError> {
        let opened = note::open(signed, verifiers).map_err(ReceiptError::Note)?;
        Ok((Self::parse(&opened.text)?, signers_of(&opened.verified)))
    }
}

/// A receipt file: the signed receipt note as the `extra` of a tlog-proof
/// whose index is the reveal entry's and whose checkpoint covers it.
pub fn receipt_file(
    signed_receipt: &str,
    index: u64,
    proof: Vec<Hash>,
    signed_checkpoint: &str,
) -> String {
    TlogProof {
        extra: Some(signed_receipt.as_bytes().to_vec()),
        index,
        hashes: proof,
        checkpoint: signed_checkpoint.to_owned(),
    }
    .to_text()
}

/// A receipt file whose every check passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReceipt {
    pub receipt: Receipt,
    pub checkpoint: Checkpoint,
    /// `name+keyid` of the keys whose signatures on the receipt verified.
    pub receipt_signed_by: Vec<String>,
    /// The same for the checkpoint.
    pub checkpoint_signed_by: Vec<String>,
}

/// Verifies a receipt file with only the log's verifier key(s): the
/// receipt note's signature, the checkpoint's signature (signed-note
/// rules), that both are of one log, that the proof is for the receipt's
/// index, and the inclusion of the receipt's leaf hash into the
/// checkpoint's root.
pub fn verify(text: &str, verifiers: &[NoteVerifier]) -> Result<VerifiedReceipt, ReceiptError> {
    let container = TlogProof::parse(text)?;
    let extra = container.extra.ok_or(ReceiptError::NoExtra)?;
    let signed = String::from_utf8(extra).map_err(|_| ReceiptError::ExtraNotText)?;
    let (receipt, receipt_signed_by) = Receipt::open(&signed, verifiers)?;
    let (checkpoint, opened) =
        Checkpoint::open(&container.checkpoint, verifiers).map_err(ReceiptError::Checkpoint)?;
    if checkpoint.origin != receipt.origin {
        return Err(ReceiptError::OriginMismatch {
            receipt: receipt.origin,
            checkpoint: checkpoint.origin,
        });
    }
    if container.index != receipt.index {
        return Err(ReceiptError::IndexMismatch {
            receipt: receipt.index,
            proof: container.index,
        });
    }
    merkle::verify_inclusion(
        &receipt.leaf_hash,
        receipt.index,
        checkpoint.size,
        &container.hashes,
        &checkpoint.root,
    )
    .map_err(|source| ReceiptError::Inclusion {
        index: receipt.index,
        size: checkpoint.size,
        source,
    })?;
    Ok(VerifiedReceipt {
        receipt,
        checkpoint,
        receipt_signed_by,
        checkpoint_signed_by: signers_of(&opened.verified),
    })
}

fn signers_of(verified: &[(String, u32)]) -> Vec<String> {
    verified
        .iter()
        .map(|(name, id)| format!("{name}+{id:08x}"))
        .collect()
}

/// Non-empty, no control characters (so no line break, nothing a note
/// refuses).
fn is_clean_field(s: &str) -> bool {
    !s.is_empty() && !s.chars().any(char::is_control)
}

fn parse_hex32(s: &str) -> Option<Hash> {
    if s.len() != 64
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    hex::decode(s)
        .ok()
        .and_then(|b| Hash::try_from(b.as_slice()).ok())
}

/// `JCS(result)`, which must fit on one note line.
fn result_text(result: &DrawResult) -> Result<String, String> {
    let value = serde_json::to_value(result).map_err(|e| e.to_string())?;
    let text = jcs::canonical_string(&value).map_err(|e| e.to_string())?;
    if text.chars().any(char::is_control) {
        return Err("the result holds a character a note line cannot carry".into());
    }
    Ok(text)
}

/// The result line's value: exactly `JCS(result)` of a result object.
fn parse_result(text: &str) -> Result<DrawResult, String> {
    let value: Value = jcs::parse_strict(text).map_err(|e| format!("result: {e}"))?;
    let result: DrawResult = serde_json::from_value(value).map_err(|e| format!("result: {e}"))?;
    if result_text(&result)? != text {
        return Err("result is not in canonical (RFC 8785) form".into());
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;
    use serde_json::json;

    use super::*;

    const ORIGIN: &str = "test.example/log";

    fn signer(seed: u8) -> NoteSigner {
        NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[seed; 32])).unwrap()
    }

    fn reveal_leaf(seq: u64) -> Vec<u8> {
        let data = json!({
            "draw_id": "D-2026-000001",
            "statement": {"spec": "expert-draw/1", "x": [1, 2]},
            "nonce": "11".repeat(32),
            "beacon": "",
            "seed": "22".repeat(32),
            "result": {"primaries": [["E1", "E2"]], "reserves": [["E3"]]},
        });
        let t = entry::parse_time("2026-11-25T08:30:00Z").unwrap();
        Entry::new(seq, t, REVEAL_KIND, "op", data)
            .leaf_bytes()
            .unwrap()
    }

    /// A log of `n` leaves whose leaf `at` is a reveal; returns the receipt
    /// file for it with a checkpoint at size `n`.
    fn file_for(n: u64, at: u64, key: &NoteSigner) -> (Receipt, String) {
        let leaves: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                if i == at {
                    reveal_leaf(i)
                } else {
                    format!("leaf {i}").into_bytes()
                }
            })
            .collect();
        let hashes: Vec<Hash> = leaves.iter().map(|l| merkle::leaf_hash(l)).collect();
        let receipt = Receipt::from_reveal_leaf(ORIGIN, at, &leaves[at as usize]).unwrap();
        let proof = merkle::inclusion_proof(&hashes, at, n).unwrap();
        let root = merkle::root_of_leaf_hashes(hashes.iter().copied()).unwrap();
        let cp = Checkpoint::new(ORIGIN, n, root).sign(&[key]).unwrap();
        (
            receipt.clone(),
            receipt_file(&receipt.sign(key).unwrap(), at, proof, &cp),
        )
    }

    #[test]
    fn fields_come_from_the_leaf_and_round_trip() {
        let r = Receipt::from_reveal_leaf(ORIGIN, 4, &reveal_leaf(4)).unwrap();
        assert_eq!(r.draw_id, "D-2026-000001");
        assert_eq!(
            r.statement_hash,
            merkle::sha256(br#"{"spec":"expert-draw/1","x":[1,2]}"#)
        );
        assert_eq!(r.nonce_commitment, merkle::sha256(&[0x11; 32]));
        assert_eq!(r.seed, [0x22; 32]);
        let text = r.to_text().unwrap();
        assert!(
            text.contains("\nresult {\"primaries\":[[\"E1\",\"E2\"]],\"reserves\":[[\"E3\"]]}\n")
        );
        assert_eq!(Receipt::parse(&text).unwrap(), r);
        // The leaf must be the reveal at that index.
        assert!(Receipt::from_reveal_leaf(ORIGIN, 5, &reveal_leaf(4)).is_err());
        assert!(Receipt::from_reveal_leaf(ORIGIN, 0, b"{}").is_err());
    }

    #[test]
    fn verifies_alone_for_every_position() {
        let key = signer(7);
        for n in 1..=9 {
            for at in 0..n {
                let (r, file) = file_for(n, at, &key);
                let v = verify(&file, &[key.verifier()]).unwrap();
                assert_eq!(v.receipt, r);
                assert_eq!(v.checkpoint.size, n);
                assert_eq!(v.receipt_signed_by.len(), 1);
            }
        }
    }

    #[test]
    fn another_key_is_refused() {
        let (_, file) = file_for(5, 2, &signer(7));
        assert!(matches!(
            verify(&file, &[signer(8).verifier()]),
            Err(ReceiptError::Note(NoteError::NoVerifiedSignature { .. }))
        ));
    }

    /// Change one field of the signed body, re-encode, and the signature
    /// fails; change the proof, index or checkpoint and their checks fail.
    #[test]
    fn tampering_with_any_part_fails() {
        let key = signer(7);
        let vk = [key.verifier()];
        let (_, file) = file_for(7, 3, &key);
        let container = TlogProof::parse(&file).unwrap();
        let note = String::from_utf8(container.extra.clone().unwrap()).unwrap();
        let body_end = note.find("\n\n").unwrap();
        for (i, line) in note[..body_end].split('\n').enumerate() {
            let mut changed: Vec<String> =
                note[..body_end].split('\n').map(str::to_owned).collect();
            // Flip the last character of the line to a different one.
            let mut chars: Vec<char> = line.chars().collect();
            let last = chars.last_mut().unwrap();
            *last = if *last == 'a' { 'b' } else { 'a' };
            changed[i] = chars.into_iter().collect();
            let tampered = format!("{}{}", changed.join("\n"), &note[body_end..]);
            let mut c = container.clone();
            c.extra = Some(tampered.into_bytes());
            assert!(
                verify(&c.to_text(), &vk).is_err(),
                "line {i} changed: accepted"
            );
        }
        let mut c = container.clone();
        c.hashes[0][0] ^= 1;
        assert!(matches!(
            verify(&c.to_text(), &vk),
            Err(ReceiptError::Inclusion { .. })
        ));
        let mut c = container.clone();
        c.hashes.pop();
        assert!(matches!(
            verify(&c.to_text(), &vk),
            Err(ReceiptError::Inclusion { .. })
        ));
        let mut c = container.clone();
        c.index = 4;
        assert!(matches!(
            verify(&c.to_text(), &vk),
            Err(ReceiptError::IndexMismatch { .. })
        ));
        let mut c = container.clone();
        c.checkpoint = c.checkpoint.replacen("\n7\n", "\n8\n", 1);
        assert!(matches!(
            verify(&c.to_text(), &vk),
            Err(ReceiptError::Checkpoint(_))
        ));
        let mut c = container.clone();
        c.extra = None;
        assert!(matches!(
            verify(&c.to_text(), &vk),
            Err(ReceiptError::NoExtra)
        ));
        // A checkpoint of another log signed by the same key.
        let other = NoteSigner::new("other.example/log", SigningKey::from_bytes(&[7; 32])).unwrap();
        let mut c = container.clone();
        let (cp, _) = Checkpoint::open(&container.checkpoint, &vk).unwrap();
        c.checkpoint = Checkpoint::new("other.example/log", cp.size, cp.root)
            .sign(&[&other])
            .unwrap();
        assert!(matches!(
            verify(&c.to_text(), &[key.verifier(), other.verifier()]),
            Err(ReceiptError::OriginMismatch { .. })
        ));
    }

    #[test]
    fn strict_body() {
        let r = Receipt::from_reveal_leaf(ORIGIN, 4, &reveal_leaf(4)).unwrap();
        let text = r.to_text().unwrap();
        for bad in [
            text.replace("index 4", "index 04"),
            text.replace("\nseed ", "\nseed  "),
            text.replace("result {\"primaries\"", "result { \"primaries\""),
            text.replace("\"reserves\":[[\"E3\"]]", "\"reserves\":[[\"E3\"]],\"x\":1"),
            text.replace("draw D-", "draw  D-"),
            format!("{text}extra line\n"),
            text.trim_end().to_owned(),
            text.replace("expert-draw/1 receipt", "expert-draw/2 receipt"),
            text.replace("2026-11-25T08:30:00Z", "2026-11-25T08:30:00.0Z"),
        ] {
            assert!(Receipt::parse(&bad).is_err(), "{bad}");
        }
    }
}
