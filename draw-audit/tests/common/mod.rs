//! Helpers shared by the integration tests: locating the vector copies in
//! this crate and decoding their hex and base64 fields.
#![cfg(test)]
#![allow(dead_code)]

use std::path::PathBuf;

use draw_audit::merkle::Hash;

pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

pub fn known_answers() -> serde_json::Value {
    let path = vectors_dir().join("tlog-known-answers.json");
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub fn hex32(s: &serde_json::Value) -> Hash {
    hex::decode(s.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

pub fn hex_list(v: &serde_json::Value) -> Vec<Hash> {
    v.as_array().unwrap().iter().map(hex32).collect()
}
