//! Conformance: every expert-draw/1 vector that needs no JCS parser, through
//! the public API (seed, commitment, both selections, substitution scripts).
//!
//! Raw `statement_text` cases and the statement hash need the strict parser
//! and RFC 8785 encoder of `draw-audit`; they are checked there.
#![expect(
    clippy::expect_used,
    reason = "clippy only exempts #[test] fns; the loaders here fail loudly on a broken vectors file"
)]

use std::num::NonZeroU64;

use expert_core::draw::select::select_with;
use expert_core::draw::{
    DrawResult, Panel, PickStrategy, PreparedPool, WordStream, nonce_commitment, seed,
    select_reference, uniform, validate,
};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/expert-draw-1.json");
    let text = std::fs::read_to_string(path).expect("vectors file");
    serde_json::from_str(&text).expect("vectors parse")
}

fn hex32(v: &Value) -> [u8; 32] {
    let bytes = hex::decode(v.as_str().expect("hex string")).expect("hex");
    bytes.try_into().expect("32 bytes")
}

fn cases<'a>(v: &'a Value, kind: &str) -> &'a [Value] {
    v[kind].as_array().expect("case list")
}

#[test]
fn uniform_known_answers() {
    let v = vectors();
    let seed = hex32(&v["uniform"]["seed"]);
    let mut checked = 0;
    for case in v["uniform"]["cases"].as_array().expect("cases") {
        let n: u64 = case["n"].as_str().expect("n").parse().expect("u64");
        let mut stream = WordStream::new(seed);
        for out in case["outputs"].as_array().expect("outputs") {
            let want: u64 = out.as_str().expect("s").parse().expect("u64");
            assert_eq!(
                uniform(&mut stream, NonZeroU64::new(n).expect("n > 0")),
                want,
                "n = {n}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 9 * 8, "every uniform known answer exercised");
}

#[test]
fn valid_vectors_seed_and_commitment() {
    let v = vectors();
    let mut checked = 0;
    for case in cases(&v, "valid") {
        let name = case["name"].as_str().expect("name");
        let expect = &case["expect"];
        let nonce = hex32(&case["nonce"]);
        let beacon = case["beacon"].as_str().expect("beacon");
        let statement_hash = hex32(&expect["statement_hash"]);
        assert_eq!(
            hex::encode(nonce_commitment(&nonce)),
            expect["nonce_commitment"],
            "{name}"
        );
        assert_eq!(
            hex::encode(seed(&statement_hash, &nonce, beacon)),
            expect["seed"],
            "{name}"
        );
        checked += 1;
    }
    assert_eq!(checked, 10);
}

#[test]
fn valid_vectors_result_by_every_implementation() {
    let v = vectors();
    let mut checked = 0;
    for case in cases(&v, "valid") {
        let name = case["name"].as_str().expect("name");
        let statement = validate(&case["statement"]).expect("valid statement");
        let seed = hex32(&case["expect"]["seed"]);
        let want: DrawResult =
            serde_json::from_value(case["expect"]["result"].clone()).expect("result shape");

        let mut reference_stream = WordStream::new(seed);
        let reference = select_reference(&statement, &mut reference_stream).expect("reference");
        assert_eq!(reference, want, "{name}: reference");

        let pool = PreparedPool::new(&statement).expect("pool");
        assert_eq!(pool.draw(seed).expect("draw"), want, "{name}: default");
        for strategy in [
            PickStrategy::Adaptive,
            PickStrategy::PrefixSums,
            PickStrategy::Fenwick,
        ] {
            let mut stream = WordStream::new(seed);
            let got = select_with(&statement, &mut stream, strategy).expect("fast");
            assert_eq!(got, want, "{name}: {strategy:?}");
            assert_eq!(
                stream.words_taken(),
                reference_stream.words_taken(),
                "{name}: {strategy:?} words"
            );
        }
        // The serialised form is the SPEC's, key for key.
        assert_eq!(
            serde_json::to_value(&reference).expect("json"),
            case["expect"]["result"]
        );
        checked += 1;
    }
    assert_eq!(checked, 10);
}

#[test]
fn valid_vectors_substitution_scripts() {
    let v = vectors();
    let (mut scripts, mut steps) = (0, 0);
    for case in cases(&v, "valid") {
        let name = case["name"].as_str().expect("name");
        let statement = validate(&case["statement"]).expect("valid statement");
        let result: DrawResult =
            serde_json::from_value(case["expect"]["result"].clone()).expect("result shape");
        let mut panel = Panel::new(&statement, &result).expect("panel");
        for (i, step) in case["substitutions"]
            .as_array()
            .expect("script")
            .iter()
            .enumerate()
        {
            let group = usize::try_from(step["group"].as_u64().expect("group")).expect("usize");
            let out = step["out"].as_str().expect("out");
            let want = step["in"].as_str();
            let got = panel
                .substitute(&statement, &result, group, out)
                .expect("substitute");
            assert_eq!(got.as_deref(), want, "{name}: step {i}");
            steps += 1;
        }
        scripts += 1;
    }
    assert_eq!(scripts, 10);
    assert_eq!(steps, 28, "every substitution step exercised");
}

#[test]
fn invalid_vectors_name_the_rule() {
    let v = vectors();
    let (mut checked, mut raw) = (0, 0);
    for case in cases(&v, "invalid") {
        let name = case["name"].as_str().expect("name");
        let rule = case["rule"].as_u64().expect("rule");
        let Some(statement) = case.get("statement") else {
            assert!(case["statement_text"].is_string(), "{name}: raw text case");
            raw += 1;
            continue;
        };
        let err = validate(statement).expect_err(name);
        assert_eq!(u64::from(err.rule), rule, "{name}: {err}");
        checked += 1;
    }
    assert_eq!(checked, 16, "parsed invalid cases exercised");
    assert_eq!(raw, 2, "raw-text cases are left to draw-audit");
}
