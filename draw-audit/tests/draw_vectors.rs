//! The expert-draw/1 vectors that need this crate's JSON: statement hashes
//! (RFC 8785 + SHA-256) and the raw-text cases the strict parser must refuse.
//!
//! Together with expert-core's `draw_vectors` test this replays every case
//! the way a verifier would: text → strict parse → rules → hash → seed → draw.
#![expect(
    clippy::expect_used,
    reason = "clippy only exempts #[test] fns; the loaders fail loudly on a broken vectors file"
)]

use draw_audit::jcs::{ProfileViolation, canonical, parse_strict};
use expert_core::draw::{DrawResult, nonce_commitment, seed, select, validate};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The conformance vectors live once in the repository, beside expert-core.
fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../expert-core/vectors/expert-draw-1.json"
    );
    let text = std::fs::read_to_string(path).expect("vectors file");
    serde_json::from_str(&text).expect("vectors parse")
}

fn hex32(v: &Value) -> [u8; 32] {
    let bytes = hex::decode(v.as_str().expect("hex string")).expect("hex");
    bytes.try_into().expect("32 bytes")
}

/// The rule a verifier names for a statement given as text: the strict
/// parser's refusals are rule 5 (duplicate keys, lone surrogates, numbers
/// outside the integer profile); everything else is for the rules proper.
fn rule_of(text: &str) -> Option<u8> {
    match parse_strict(text) {
        Err(_) => Some(5),
        Ok(v) => validate(&v).err().map(|e| e.rule),
    }
}

#[test]
fn statement_hashes_and_the_whole_pipeline() {
    let v = vectors();
    let mut checked = 0;
    for case in v["valid"].as_array().expect("valid cases") {
        let name = case["name"].as_str().expect("name");
        let expect = &case["expect"];
        // As a verifier receives it: text.
        let text = serde_json::to_string(&case["statement"]).expect("text");
        let statement = parse_strict(&text).expect(name);
        let hash: [u8; 32] = Sha256::digest(canonical(&statement).expect(name)).into();
        assert_eq!(
            hex::encode(hash),
            expect["statement_hash"],
            "{name}: statement hash"
        );

        let nonce = hex32(&case["nonce"]);
        assert_eq!(
            hex::encode(nonce_commitment(&nonce)),
            expect["nonce_commitment"]
        );
        let seed = seed(&hash, &nonce, case["beacon"].as_str().expect("beacon"));
        assert_eq!(hex::encode(seed), expect["seed"], "{name}: seed");

        let typed = validate(&statement).expect(name);
        let want: DrawResult = serde_json::from_value(expect["result"].clone()).expect("result");
        assert_eq!(select(&typed, seed).expect(name), want, "{name}: result");
        checked += 1;
    }
    assert_eq!(checked, 10, "every valid vector exercised");
}

#[test]
fn raw_text_cases_are_refused_by_the_parser() {
    let v = vectors();
    let mut raw = 0;
    for case in v["invalid"].as_array().expect("invalid cases") {
        let Some(text) = case["statement_text"].as_str() else {
            continue;
        };
        let name = case["name"].as_str().expect("name");
        assert_eq!(case["rule"], 5, "{name}");
        let err = parse_strict(text).expect_err(name);
        match name {
            "duplicate-key" => assert!(
                matches!(err.violation, ProfileViolation::DuplicateKey(_)),
                "{err}"
            ),
            "lone-surrogate" => assert!(
                matches!(err.violation, ProfileViolation::LoneSurrogate(_)),
                "{err}"
            ),
            other => panic!("unexpected raw-text case {other}"),
        }
        raw += 1;
    }
    assert_eq!(raw, 2, "both raw-text cases exercised");
}

#[test]
fn every_invalid_case_names_its_rule_from_text() {
    let v = vectors();
    let mut checked = 0;
    for case in v["invalid"].as_array().expect("invalid cases") {
        let name = case["name"].as_str().expect("name");
        let text = match case["statement_text"].as_str() {
            Some(t) => t.to_owned(),
            None => serde_json::to_string(&case["statement"]).expect("text"),
        };
        let want = u8::try_from(case["rule"].as_u64().expect("rule")).expect("u8");
        assert_eq!(rule_of(&text), Some(want), "{name}");
        checked += 1;
    }
    assert_eq!(checked, 18, "every invalid vector exercised");
}
