//! `validate_text` (the verifier's zero-copy path) against `validate` on the
//! parsed value: the same verdict, rule, message and typed statement, on
//! every vector and on random valid and damaged statements.

use expert_core::draw::{validate, validate_text};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Both paths on `text`; panics with the text on any difference.
fn agree(text: &str) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        panic!("test text is not JSON: {text}");
    };
    let slow = validate(&value);
    let fast = validate_text(text);
    match (&slow, &fast) {
        (Ok(s), Ok(f)) => {
            assert_eq!(s, &f.statement, "typed statement differs on {text}");
            let mut rest = value.as_object().cloned().unwrap_or_default();
            rest.remove("candidates");
            assert_eq!(rest, f.fields, "fields differ on {text}");
        }
        (Err(s), Err(f)) => assert_eq!(s, f, "error differs on {text}"),
        _ => panic!("verdicts differ on {text}: {slow:?} vs {fast:?}"),
    }
    slow.is_ok()
}

#[test]
fn every_vector_statement_agrees() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/expert-draw-1.json");
    let text = std::fs::read_to_string(path).expect("vectors file");
    let v: Value = serde_json::from_str(&text).expect("vectors parse");
    let mut n = 0;
    for kind in ["valid", "invalid"] {
        for case in v[kind].as_array().expect("case list") {
            if let Some(st) = case.get("statement") {
                agree(&st.to_string());
                n += 1;
            }
        }
    }
    assert!(n > 20, "vectors exercised: {n}");
}

#[test]
fn text_that_is_not_json_breaks_rule_one() {
    let err = validate_text("{\"spec\":").expect_err("not JSON");
    assert_eq!(err.rule, 1);
}

#[test]
fn escaped_strings_and_extra_fields_take_the_slow_path_alike() {
    let base = statement(&[(0, 1, 0, &[0], 2), (1, 0, 1, &[1, 2], 0)]);
    assert!(agree(&base.to_string()));
    // An escaped id cannot be borrowed; the verdict must not change.
    let escaped = base
        .to_string()
        .replacen("\"E01\"", "\"\\u0045\\u00301\"", 1);
    assert!(agree(&escaped));
    let mut extra = base.clone();
    extra["candidates"][0]["note"] = json!({"n": 1.5});
    assert!(!agree(&extra.to_string()));
    extra["candidates"][0]["note"] = json!({"n": 1});
    assert!(agree(&extra.to_string()));
}

const REGIONS: [&str; 3] = ["420100", "420200", "\u{6e56}\u{5317}"];
const SPECIALTIES: [&str; 4] = ["A08", "A0801", "B01", "B0102"];

fn statement(cands: &[(usize, usize, usize, &[usize], u32)]) -> Value {
    let candidates: Vec<Value> = cands
        .iter()
        .map(|&(id, region, employer, specs, recent)| {
            let specs: Vec<&str> = specs.iter().map(|&s| SPECIALTIES[s % 4]).collect();
            json!({
                "id": format!("E{id:02}"),
                "region": REGIONS[region % 3],
                "employer": format!("O{employer}"),
                "specialties": specs,
                "recent": recent,
            })
        })
        .collect();
    json!({
        "spec": "expert-draw/1",
        "draw_id": "D-1",
        "parent": "D-0",
        "parent_group": 0,
        "project": {"id": "P-1", "region": "420100"},
        "panel": [{"specialty": "A08", "count": 2, "reserve": 1}],
        "policy": {"remote_weight": 3, "local_max": 1, "max_per_employer": 1},
        "excluded": {"not_active": 0},
        "candidates": candidates,
    })
}

/// Replacement values that sit on the borders of rules 1–5.
fn replacement(k: usize) -> Value {
    let texts = [
        "null",
        "true",
        "0",
        "-1",
        "1",
        "1.5",
        "1E2",
        "100.0",
        "1000000",
        "1000001",
        "10000",
        "10001",
        "9007199254740991",
        "9007199254740992",
        "-0",
        "\"\"",
        "\"E00\"",
        "\"E99\"",
        "\"A0801\"",
        "\"expert-draw/1\"",
        "[]",
        "[\"A08\"]",
        "[1]",
        "{}",
        "{\"x\":1}",
        "{\"x\":0.5}",
    ];
    serde_json::from_str(texts[k % texts.len()]).unwrap_or(Value::Null)
}

/// Every object member and array element, as a JSON pointer.
fn pointers(v: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_owned());
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| pointers(x, &format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| pointers(x, &format!("{at}/{i}"), out)),
        _ => {}
    }
}

/// One damage: replace a node, remove a member, or add a member.
fn damage(v: &mut Value, at: usize, op: u8, with: usize) {
    let mut all = Vec::new();
    pointers(v, "", &mut all);
    let Some(path) = all.get(at % all.len()).cloned() else {
        return;
    };
    match op % 3 {
        0 => {
            if let Some(node) = v.pointer_mut(&path) {
                *node = replacement(with);
            }
        }
        1 => {
            let (parent, key) = path.rsplit_once('/').unwrap_or(("", ""));
            if let Some(Value::Object(m)) = v.pointer_mut(parent) {
                m.remove(key);
            }
        }
        _ => {
            if let Some(Value::Object(m)) = v.pointer_mut(&path) {
                m.insert(format!("k{}", with % 3), replacement(with / 3));
            }
        }
    }
}

prop_compose! {
    fn candidates()(
        n in 0..8usize,
    )(
        cands in proptest::collection::vec(
            (0..3usize, 0..3usize, proptest::collection::vec(0..4usize, 1..3),
             prop_oneof![0..5u32, Just(1_000_000u32)]),
            n..=n),
        ids in proptest::collection::btree_set(0..100usize, n..=n),
    ) -> Value {
        let rows: Vec<(usize, usize, usize, Vec<usize>, u32)> = ids
            .into_iter()
            .zip(cands)
            .map(|(id, (r, e, s, rec))| (id, r, e, s, rec))
            .collect();
        let borrowed: Vec<(usize, usize, usize, &[usize], u32)> = rows
            .iter()
            .map(|(id, r, e, s, rec)| (*id, *r, *e, s.as_slice(), *rec))
            .collect();
        statement(&borrowed)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn valid_statements_agree(st in candidates()) {
        prop_assert!(agree(&st.to_string()));
    }

    #[test]
    fn damaged_statements_agree(
        st in candidates(),
        damages in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 1..4),
        escape in any::<bool>(),
    ) {
        let mut st = st;
        for (at, op, with) in damages {
            damage(&mut st, at, op, with);
        }
        let mut text = st.to_string();
        if escape {
            text = text.replacen("\"O", "\"\\u004f", 1);
        }
        agree(&text);
    }
}
