//! `scan_candidates` (the verifier's one-pass read of a canonical candidate
//! list) against `validate` on the parsed statement: whatever the scan
//! accepts, `validate` accepts with the very same candidates, on every
//! vector and on random candidate lists damaged byte by byte; and the scan
//! accepts every valid list in the shape a service writes.

use expert_core::draw::{
    Candidates, ScanMemo, plain_run, scan_candidates, scan_candidates_with, validate,
    validate_scanned,
};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The statement around `candidates` (a JSON text), as a value.
fn with_candidates(candidates: Value) -> Value {
    json!({
        "spec": "expert-draw/1",
        "draw_id": "D-1",
        "project": {"id": "P-1", "region": "420100"},
        "panel": [{"specialty": "A08", "count": 2, "reserve": 1}],
        "policy": {"remote_weight": 3, "local_max": 1, "max_per_employer": 1},
        "candidates": candidates,
    })
}

/// The scan over `array` (the candidate list's text); when it accepts,
/// `validate` must accept the statement with the same candidates, and the
/// split form (`validate_scanned`) must give `validate`'s statement.
/// Returns whether the scan accepted.
fn scan_agrees(array: &str) -> bool {
    // The scan is given the list inside some text, at an offset.
    let text = format!("{{\"candidates\":{array},\"z\":0}}");
    let at = "{\"candidates\":".len();
    let Some((scanned, end)) = scan_candidates(&text, at) else {
        return false;
    };
    // The scan reads one value and stops after it; what follows is the
    // caller's to check.
    let Some(read) = text.get(at..end) else {
        panic!("end {end} outside the text");
    };
    assert!(array.starts_with(read), "{read} read from {array}");
    let value: Value = serde_json::from_str(read)
        .unwrap_or_else(|e| panic!("scan accepted text that is not JSON ({e}): {read}"));
    let st = with_candidates(value);
    let typed = validate(&st).unwrap_or_else(|e| panic!("scan accepted {array}, but {e}"));
    assert_eq!(typed.candidates(), scanned.candidates(), "on {array}");
    let mut head: Map<String, Value> = st.as_object().cloned().unwrap_or_default();
    head.remove("candidates");
    let Some(split) = validate_scanned(head.clone(), scanned) else {
        panic!("the split form refused a valid statement: {array}");
    };
    assert_eq!(split.statement, typed, "typed statement differs on {array}");
    assert_eq!(split.fields, head);
    true
}

/// Canonical text of a candidate list whose strings need no escapes: keys
/// sorted, no whitespace, integers only (what `serde_json` writes for it).
fn text(candidates: &Value) -> String {
    serde_json::to_string(candidates).unwrap_or_default()
}

fn row(id: &str, region: &str, employer: &str, specs: &[&str], recent: u32) -> Value {
    json!({"id": id, "region": region, "employer": employer,
           "specialties": specs, "recent": recent})
}

#[test]
fn the_service_shape_is_read() {
    let list = json!([
        row("E01", "420100", "O1", &["A0801"], 0),
        row("E02", "\u{6e56}\u{5317}", "", &["A08", "B01"], 1_000_000),
        row("E10", "420200", "O1", &["B0102"], 7),
    ]);
    assert!(scan_agrees(&text(&list)));
    assert!(scan_agrees("[]"));
}

#[test]
fn anything_else_is_left_to_the_ordinary_path() {
    let good = text(&json!([row("E01", "420100", "O1", &["A0801"], 3)]));
    assert!(scan_agrees(&good));
    let cases = [
        // Rules broken.
        good.replace("\"E01\"", "\"\""),
        good.replace("[\"A0801\"]", "[]"),
        good.replace(":3,", ":1000001,"),
        text(&json!([
            row("E02", "r", "e", &["A"], 0),
            row("E01", "r", "e", &["A"], 0)
        ])),
        text(&json!([
            row("E01", "r", "e", &["A"], 0),
            row("E01", "r", "e", &["A"], 0)
        ])),
        // Valid, but not the one shape.
        good.replace("\"E01\"", "\"\\u0045\""),
        good.replace(":3,", ":-0,"),
        good.replace(":3,", ":03,"),
        good.replace(":3,", ": 3,"),
        good.replace("}]", ",\"note\":1}]"),
        good.replace("\"O1\"", "1"),
        good.replace("[\"A0801\"]", "[1]"),
        good.replace(",\"recent\":3", ""),
        good.replace("}]", "} ]"),
        good.replace("[{", "[ {"),
    ];
    for case in &cases {
        assert!(!scan_agrees(case), "{case}");
    }
}

#[test]
fn every_vector_candidate_list_agrees() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/expert-draw-1.json");
    let text = std::fs::read_to_string(path).expect("vectors file");
    let v: Value = serde_json::from_str(&text).expect("vectors parse");
    let (mut accepted, mut plain) = (0, 0);
    for kind in ["valid", "invalid"] {
        for case in v[kind].as_array().expect("case list") {
            let Some(list) = case.get("statement").and_then(|s| s.get("candidates")) else {
                continue;
            };
            // As it is, and with only the five fields the algorithm reads.
            for list in [list.clone(), five_fields(list)] {
                let ok = scan_agrees(&self::text(&list));
                // A valid list in the plain shape is always read.
                if validate(&with_candidates(list.clone())).is_ok() && plain_shape(&list) {
                    assert!(ok, "valid list not read: {list}");
                    plain += 1;
                }
                accepted += usize::from(ok);
            }
        }
    }
    assert_eq!(accepted, plain);
    assert!(plain >= 10, "vector lists read by the scan: {plain}");
}

/// The list with every candidate cut down to the five fields it has of
/// `id`, `region`, `employer`, `specialties`, `recent`.
fn five_fields(list: &Value) -> Value {
    let mut list = list.clone();
    if let Some(a) = list.as_array_mut() {
        for c in a {
            if let Some(o) = c.as_object_mut() {
                o.retain(|k, _| {
                    ["id", "region", "employer", "specialties", "recent"].contains(&k.as_str())
                });
            }
        }
    }
    list
}

/// Exactly the five fields, strings without characters to escape,
/// `recent` a non-negative integer.
fn plain_shape(list: &Value) -> bool {
    let plain = |v: &Value| {
        v.as_str()
            .is_some_and(|s| !s.chars().any(|c| c == '"' || c == '\\' || c < ' '))
    };
    list.as_array().is_some_and(|a| {
        a.iter().all(|c| {
            c.as_object().is_some_and(|o| {
                o.len() == 5
                    && ["id", "region", "employer"]
                        .iter()
                        .all(|k| o.get(*k).is_some_and(plain))
                    && o.get("specialties")
                        .and_then(Value::as_array)
                        .is_some_and(|s| !s.is_empty() && s.iter().all(plain))
                    && o.get("recent").and_then(Value::as_u64).is_some()
            })
        })
    })
}

const REGIONS: [&str; 3] = ["420100", "420200", "\u{6e56}\u{5317}"];
const SPECIALTIES: [&str; 4] = ["A08", "A0801", "B01", "B0102"];
/// Bytes a damage inserts or writes: JSON's structure, digits, letters,
/// an escape, a control character and the start of a non-ASCII character.
const NOISE: &[u8] = b"\"\\,:{}[]01-9.eEa \x01\xc3";

prop_compose! {
    fn list()(
        n in 0..8usize,
    )(
        cands in proptest::collection::vec(
            (0..3usize, 0..3usize, proptest::collection::vec(0..4usize, 1..3),
             prop_oneof![0..5u32, Just(1_000_000u32)]),
            n..=n),
        ids in proptest::collection::btree_set(0..100usize, n..=n),
    ) -> Value {
        let rows: Vec<Value> = ids
            .into_iter()
            .zip(cands)
            .map(|(id, (r, e, s, rec))| {
                let specs: Vec<&str> = s.iter().map(|&k| SPECIALTIES[k % 4]).collect();
                row(&format!("E{id:02}"), REGIONS[r % 3], &format!("O{e}"), &specs, rec)
            })
            .collect();
        Value::Array(rows)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn valid_lists_are_read(list in list()) {
        prop_assert!(scan_agrees(&text(&list)));
    }

    #[test]
    fn damaged_lists_agree(
        list in list(),
        damages in proptest::collection::vec((any::<usize>(), 0..3u8, any::<usize>()), 1..4),
    ) {
        let mut bytes = text(&list).into_bytes();
        for (at, op, with) in damages {
            let at = at % (bytes.len() + 1);
            let noise = NOISE[with % NOISE.len()];
            match op {
                0 if at < bytes.len() => { bytes.remove(at); }
                1 if at < bytes.len() => bytes[at] = noise,
                _ => bytes.insert(at, noise),
            }
        }
        // The scan reads text; damage that broke UTF-8 is not a case.
        if let Ok(array) = String::from_utf8(bytes) {
            scan_agrees(&array);
        }
    }
}

/// One damage of [`NOISE`] at `at`: delete, overwrite or insert.
fn damage(bytes: &mut Vec<u8>, (at, op, with): (usize, u8, usize)) {
    let at = at % (bytes.len() + 1);
    let noise = NOISE[with % NOISE.len()];
    match op {
        0 if at < bytes.len() => {
            bytes.remove(at);
        }
        1 if at < bytes.len() => bytes[at] = noise,
        _ => bytes.insert(at, noise),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// A memo carried from list to list (successive statements of one pool:
    /// rows dropped, `recent` bumped, now and then a damaged byte) never
    /// changes what a scan gives: the same candidates, codes, end, or `None`.
    #[test]
    fn a_memo_changes_no_scan(
        master in list(),
        steps in proptest::collection::vec(
            (proptest::collection::vec(any::<bool>(), 8), any::<usize>(),
             proptest::option::of((any::<usize>(), 0..3u8, any::<usize>()))),
            1..6),
    ) {
        let rows = master.as_array().cloned().unwrap_or_default();
        let mut memo = ScanMemo::default();
        for (keep, bump, hurt) in steps {
            let mut list: Vec<Value> = rows
                .iter()
                .zip(keep.iter().cycle())
                .filter(|(_, k)| **k)
                .map(|(r, _)| r.clone())
                .collect();
            if !list.is_empty() {
                let n = list.len();
                if let Some(r) = list.get_mut(bump % n) {
                    r["recent"] = json!(r["recent"].as_u64().unwrap_or(0) % 7 + 1);
                }
            }
            let mut bytes = format!("{{\"candidates\":{},\"z\":0}}", text(&Value::Array(list)))
                .into_bytes();
            if let Some(hurt) = hurt {
                damage(&mut bytes, hurt);
            }
            let Ok(whole) = String::from_utf8(bytes) else { continue };
            let at = "{\"candidates\":".len().min(whole.len());
            let fresh = scan_candidates(&whole, at);
            let memoised = scan_candidates_with(&whole, at, &mut memo);
            prop_assert_eq!(memoised, fresh, "on {}", whole);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// `plain_run` (eight bytes at a time) stops exactly where a byte-wise
    /// search for a quote, a backslash or a control character does.
    #[test]
    fn plain_run_stops_at_the_first_special_byte(
        bytes in proptest::collection::vec(
            prop_oneof![
                1 => Just(b'"'), 1 => Just(b'\\'), 1 => 0..0x20u8,
                20 => 0x20..=0xffu8, 20 => Just(b'a'),
            ],
            0..40,
        ),
    ) {
        let want = bytes
            .iter()
            .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            .unwrap_or(bytes.len());
        prop_assert_eq!(plain_run(&bytes), want);
    }
}

#[test]
fn the_same_candidates_whichever_way_they_are_built() {
    // Interning codes follow first-seen order on both paths.
    let list = json!([
        row("A", "r2", "e2", &["S2", "S1"], 1),
        row("B", "r1", "e1", &["S1"], 2),
        row("C", "r2", "e1", &["S3", "S2"], 3),
    ]);
    assert!(scan_agrees(&text(&list)));
    let st = validate(&with_candidates(list)).expect("valid");
    let c: &Candidates = st.candidates();
    let regions: Vec<&str> = c.iter().map(|x| x.region()).collect();
    assert_eq!(regions, ["r2", "r1", "r2"]);
}

/// A list longer than a memo keeps is read as a fresh scan reads it, and
/// the memo starts over after it: the list before it is not taken for the
/// one after.
#[test]
fn a_list_longer_than_the_memo_keeps_is_read_and_not_kept() {
    let small: Vec<Value> = (0..50)
        .map(|i| row(&format!("E{i:07}"), "420100", "ORG1", &["A08"], i % 3))
        .collect();
    let big: Vec<Value> = (0..=expert_core::draw::statement::MEMO_RECORDS)
        .map(|i| {
            let employer = format!("ORG{}", i % 97);
            row(
                &format!("E{i:07}"),
                "420200",
                &employer,
                &["A0801", "B01"],
                0,
            )
        })
        .collect();
    let mut memo = ScanMemo::default();
    for list in [&small, &big, &small, &big] {
        let whole = format!(
            "{{\"candidates\":{},\"z\":0}}",
            text(&Value::Array(list.clone()))
        );
        let at = "{\"candidates\":".len();
        let fresh = scan_candidates(&whole, at);
        assert!(fresh.is_some());
        assert_eq!(scan_candidates_with(&whole, at, &mut memo), fresh);
    }
}
