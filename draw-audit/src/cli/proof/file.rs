//! Proof files in the formats people have: c2sp.org/tlog-proof@v1, a plain
//! list of hashes, or JSON with a "proof" list (transparency-dev testdata).

use std::path::Path;

use anyhow::{Context as _, anyhow, bail};
use draw_audit::merkle::Hash;
use draw_audit::tlog_proof::TlogProof;
use serde_json::Value;

use super::hash;
use crate::cli::input;

/// What a proof file holds.
#[derive(Debug, Default)]
pub(super) struct ProofFile {
    pub hashes: Vec<Hash>,
    /// The leaf index, when the format carries one (tlog-proof).
    pub index: Option<u64>,
    /// The signed checkpoint a tlog-proof carries, still unverified.
    pub checkpoint: Option<String>,
}

pub(super) fn read(path: &Path) -> anyhow::Result<ProofFile> {
    let text = input::read_text(path)?;
    parse(&text).with_context(|| format!("proof file {}", input::describe(path)))
}

fn parse(text: &str) -> anyhow::Result<ProofFile> {
    if text.trim_start().starts_with('{') {
        parse_json(text)
    } else if text.starts_with("c2sp.org/tlog-proof@") {
        parse_tlog_proof(text)
    } else {
        parse_list(text)
    }
}

/// `{"proof": [..] | null, ...}`; other members (the testdata's sizes and
/// roots) are ignored, since the command line says what is being proved.
fn parse_json(text: &str) -> anyhow::Result<ProofFile> {
    let v: Value = serde_json::from_str(text).context("not valid JSON")?;
    let proof = v
        .get("proof")
        .ok_or_else(|| anyhow!("JSON proof file has no \"proof\" member"))?;
    let hashes = match proof {
        Value::Null => Vec::new(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let s = item
                    .as_str()
                    .ok_or_else(|| anyhow!("proof[{i}] is not a string"))?;
                hash::parse(&format!("proof[{i}]"), s)
            })
            .collect::<anyhow::Result<_>>()?,
        _ => bail!("\"proof\" must be a list of hashes or null"),
    };
    Ok(ProofFile {
        hashes,
        ..ProofFile::default()
    })
}

/// c2sp.org/tlog-proof@v1, parsed by the library (`draw_audit::tlog_proof`).
fn parse_tlog_proof(text: &str) -> anyhow::Result<ProofFile> {
    let proof = TlogProof::parse(text)?;
    Ok(ProofFile {
        hashes: proof.hashes,
        index: Some(proof.index),
        checkpoint: Some(proof.checkpoint),
    })
}

/// One hash per line, base64 or hex; blank lines and `#` comments skipped.
fn parse_list(text: &str) -> anyhow::Result<ProofFile> {
    let hashes = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(n, l)| hash::parse(&format!("line {n}"), l))
        .collect::<anyhow::Result<_>>()?;
    Ok(ProofFile {
        hashes,
        ..ProofFile::default()
    })
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    const H1: &str = "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=";

    #[test]
    fn formats() {
        let hex1 = hex::encode(STANDARD.decode(H1).unwrap());
        let list = parse(&format!("# proof\n{H1}\n\n{hex1}\n")).unwrap();
        assert_eq!(list.hashes.len(), 2);
        assert_eq!(list.hashes[0], list.hashes[1]);
        assert_eq!(list.index, None);
        assert!(parse("").unwrap().hashes.is_empty());

        let json = parse(&format!(
            r#"{{"proof": ["{H1}", "{hex1}"], "treeSize": 3}}"#
        ))
        .unwrap();
        assert_eq!(json.hashes.len(), 2);
        assert!(parse(r#"{"proof": null}"#).unwrap().hashes.is_empty());
        assert!(parse(r#"{"hashes": []}"#).is_err());
        assert!(parse(r#"{"proof": [1]}"#).is_err());

        let tlog = parse(&format!(
            "c2sp.org/tlog-proof@v1\nextra AAEC\nindex 7\n{H1}\n{H1}\n\nlog\n8\n{H1}\n\n— log x\n"
        ))
        .unwrap();
        assert_eq!(tlog.index, Some(7));
        assert_eq!(tlog.hashes.len(), 2);
        assert_eq!(
            tlog.checkpoint.as_deref(),
            Some(&*format!("log\n8\n{H1}\n\n— log x\n"))
        );
        let no_hashes = parse(&format!(
            "c2sp.org/tlog-proof@v1\nindex 0\n\nlog\n1\n{H1}\n"
        ))
        .unwrap();
        assert!(no_hashes.hashes.is_empty());
    }

    #[test]
    fn bad_tlog_proofs() {
        for bad in [
            "c2sp.org/tlog-proof@v2\nindex 0\n\ncp\n",
            "c2sp.org/tlog-proof@v1\nindex 0\n",
            "c2sp.org/tlog-proof@v1\n\ncp\n",
            "c2sp.org/tlog-proof@v1\nindex 01\n\ncp\n",
            "c2sp.org/tlog-proof@v1\nindex -1\n\ncp\n",
            "c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\ncp\n",
            "c2sp.org/tlog-proof@v1\nindex 0\n\n",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
