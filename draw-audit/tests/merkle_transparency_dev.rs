//! Every probe of the transparency-dev/merkle test corpus (testdata/inclusion
//! and testdata/consistency): `wantErr: true` must fail, `false` must pass.

#![cfg(test)]

mod common;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use draw_audit::merkle::{Hash, sha256, verify_consistency, verify_inclusion};
use serde_json::Value;

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn bytes(v: &Value) -> Vec<u8> {
    STANDARD.decode(v.as_str().unwrap()).unwrap()
}

/// A hash that gets hashed (leaf hash, proof element) must be 32 bytes; the
/// Go corpus feeds other lengths to check they are refused.
fn hashed(v: &Value) -> Option<Hash> {
    bytes(v).try_into().ok()
}

fn proof(v: &Value) -> Option<Vec<Hash>> {
    match v {
        Value::Null => Some(Vec::new()),
        Value::Array(items) => items.iter().map(hashed).collect(),
        _ => panic!("proof is neither null nor a list"),
    }
}

/// Roots are only compared, so the corpus uses arbitrary byte strings
/// ("don't care 1") for them. A typed API cannot take those; an injective
/// stand-in keeps their meaning: equal inputs stay equal, and a stand-in
/// never equals a real tree hash.
fn compared(v: &Value) -> Hash {
    let b = bytes(v);
    match Hash::try_from(b.as_slice()) {
        Ok(h) => h,
        Err(_) => {
            let mut tagged = b"not a 32-byte hash:".to_vec();
            tagged.extend_from_slice(&b);
            sha256(&tagged)
        }
    }
}

fn corpus(sub: &str) -> Vec<PathBuf> {
    json_files(
        &common::vectors_dir()
            .join("transparency-dev-merkle")
            .join(sub),
    )
}

#[test]
fn inclusion_corpus() {
    let files = corpus("inclusion");
    let (mut pass, mut fail, mut undecodable) = (0, 0, 0);
    for f in &files {
        let c: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let want_err = c["wantErr"].as_bool().unwrap();
        let index = c["leafIdx"].as_u64().unwrap();
        let size = c["treeSize"].as_u64().unwrap();
        let root = compared(&c["root"]);
        let result = match (hashed(&c["leafHash"]), proof(&c["proof"])) {
            (Some(leaf), Some(p)) => verify_inclusion(&leaf, index, size, &p, &root).is_ok(),
            _ => {
                undecodable += 1;
                false
            }
        };
        assert_eq!(result, !want_err, "{}: {}", f.display(), c["desc"]);
        if want_err { fail += 1 } else { pass += 1 }
    }
    println!(
        "inclusion corpus: {} files, {pass} must pass, {fail} must fail \
         ({undecodable} of them refused for a hashed value not 32 bytes long)",
        files.len()
    );
    assert_eq!(files.len(), 98);
    assert_eq!(pass, 6);
}

#[test]
fn consistency_corpus() {
    let files = corpus("consistency");
    let (mut pass, mut fail, mut undecodable) = (0, 0, 0);
    for f in &files {
        let c: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let want_err = c["wantErr"].as_bool().unwrap();
        let size1 = c["size1"].as_u64().unwrap();
        let size2 = c["size2"].as_u64().unwrap();
        let root1 = compared(&c["root1"]);
        let root2 = compared(&c["root2"]);
        let result = match proof(&c["proof"]) {
            Some(p) => verify_consistency(size1, size2, &p, &root1, &root2).is_ok(),
            None => {
                undecodable += 1;
                false
            }
        };
        assert_eq!(result, !want_err, "{}: {}", f.display(), c["desc"]);
        if want_err { fail += 1 } else { pass += 1 }
    }
    println!(
        "consistency corpus: {} files, {pass} must pass, {fail} must fail \
         ({undecodable} of them refused for a hashed value not 32 bytes long)",
        files.len()
    );
    assert_eq!(files.len(), 98);
    assert_eq!(pass, 6);
}
