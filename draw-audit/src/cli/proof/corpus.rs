//! `--corpus`: check one transparency-dev/merkle testdata file (the Go
//! library's proof probes) with this crate's verifier, ignoring `wantErr`.

use std::path::Path;

use anyhow::{Context as _, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use draw_audit::merkle::{Hash, sha256, verify_consistency, verify_inclusion};
use serde_json::Value;

use crate::cli::{Outcome, emit, input, rejected};

/// One testdata case, read as JSON; the caller compares the exit status with
/// its `wantErr`, so this only says valid or invalid.
struct Case {
    v: Value,
    name: String,
}

impl Case {
    fn read(path: &Path) -> anyhow::Result<Self> {
        let text = input::read_text(path)?;
        let v: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        let desc = v.get("desc").and_then(Value::as_str).unwrap_or("no desc");
        let name = format!("{} ({desc})", path.display());
        Ok(Self { v, name })
    }

    fn field(&self, key: &str) -> anyhow::Result<&Value> {
        self.v
            .get(key)
            .ok_or_else(|| anyhow!("{} has no {key:?}", self.name))
    }

    fn number(&self, key: &str) -> anyhow::Result<u64> {
        self.field(key)?
            .as_u64()
            .ok_or_else(|| anyhow!("{}: {key:?} is not an unsigned integer", self.name))
    }

    fn bytes(&self, key: &str, v: &Value) -> anyhow::Result<Vec<u8>> {
        let s = v
            .as_str()
            .ok_or_else(|| anyhow!("{}: {key} is not a base64 string", self.name))?;
        STANDARD
            .decode(s)
            .map_err(|_| anyhow!("{}: {key} is not standard base64", self.name))
    }

    /// The proof list, each element as the bytes it decodes to.
    fn proof(&self) -> anyhow::Result<Vec<Vec<u8>>> {
        match self.field("proof")? {
            Value::Null => Ok(Vec::new()),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.bytes(&format!("proof[{i}]"), item))
                .collect(),
            _ => Err(anyhow!(
                "{}: \"proof\" is neither a list nor null",
                self.name
            )),
        }
    }
}

/// A hash that gets hashed (leaf hash, proof element) must be 32 bytes; the
/// corpus feeds other lengths precisely to see them refused.
fn hashed(what: &str, bytes: &[u8]) -> Result<Hash, String> {
    Hash::try_from(bytes).map_err(|_| format!("{what} is {} bytes, not 32", bytes.len()))
}

/// Roots are only compared, and the corpus uses arbitrary strings for roots
/// that must not match ("don't care" values). The Go verifier compares bytes,
/// so two equal 12-byte roots of equal-size trees are consistent there; an
/// injective stand-in keeps that meaning with 32-byte types: equal inputs
/// stay equal, and a stand-in never equals a real tree hash.
fn compared(bytes: &[u8]) -> Hash {
    match Hash::try_from(bytes) {
        Ok(h) => h,
        Err(_) => {
            let mut tagged = b"not a 32-byte hash:".to_vec();
            tagged.extend_from_slice(bytes);
            sha256(&tagged)
        }
    }
}

pub(super) fn inclusion(path: &Path) -> Outcome {
    let case = Case::read(path)?;
    let index = case.number("leafIdx")?;
    let size = case.number("treeSize")?;
    let root = compared(&case.bytes("root", case.field("root")?)?);
    let leaf = case.bytes("leafHash", case.field("leafHash")?)?;
    let proof = case.proof()?;

    let invalid =
        |reason: String| rejected(format!("{}: inclusion proof invalid: {reason}", case.name));
    let leaf = hashed("the leaf hash", &leaf).map_err(invalid)?;
    let proof = proof
        .iter()
        .enumerate()
        .map(|(i, p)| hashed(&format!("proof[{i}]"), p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    verify_inclusion(&leaf, index, size, &proof, &root).map_err(|e| invalid(e.to_string()))?;
    emit(&format!("{}: inclusion proof valid\n", case.name))
}

pub(super) fn consistency(path: &Path) -> Outcome {
    let case = Case::read(path)?;
    let size1 = case.number("size1")?;
    let size2 = case.number("size2")?;
    let root1 = compared(&case.bytes("root1", case.field("root1")?)?);
    let root2 = compared(&case.bytes("root2", case.field("root2")?)?);
    let proof = case.proof()?;

    let invalid = |reason: String| {
        rejected(format!(
            "{}: consistency proof invalid: {reason}",
            case.name
        ))
    };
    let proof = proof
        .iter()
        .enumerate()
        .map(|(i, p)| hashed(&format!("proof[{i}]"), p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    verify_consistency(size1, size2, &proof, &root1, &root2).map_err(|e| invalid(e.to_string()))?;
    emit(&format!("{}: consistency proof valid\n", case.name))
}
