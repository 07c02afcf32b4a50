//! Statement rules beyond the vectors: the order in which rules 1–5 are
//! named, the integer profile, and the typed form of a valid statement.
//!
//! The vectors fix one failing rule per case; these pin the borderlines
//! between rules that a reader of the SPEC could place either way.

use expert_core::draw::{DrawStatement, validate};
use serde_json::{Value, json};

fn base() -> Value {
    json!({
        "spec": "expert-draw/1",
        "draw_id": "D-1",
        "project": {"id": "P-1", "region": "420100"},
        "panel": [{"specialty": "A08", "count": 2, "reserve": 1}],
        "policy": {"remote_weight": 3, "local_max": 1, "max_per_employer": 1},
        "candidates": [
            {"id": "E1", "region": "420100", "employer": "O1", "specialties": ["A0801"], "recent": 0},
            {"id": "E2", "region": "420200", "employer": "O2", "specialties": ["A0802", "B01"], "recent": 3},
        ],
    })
}

fn with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut v = base();
    edit(&mut v);
    v
}

fn rule(v: &Value) -> u8 {
    match validate(v) {
        Ok(_) => 0,
        Err(e) => e.rule,
    }
}

#[test]
fn the_base_statement_is_valid_and_typed() {
    let s: DrawStatement = validate(&base()).unwrap();
    assert_eq!(s.draw_id(), Some("D-1"));
    assert_eq!(s.project_region(), "420100");
    assert_eq!(s.panel()[0].count, 2);
    assert_eq!(s.policy().remote_weight, 3);
    assert_eq!(s.candidates().len(), 2);
    let (local, remote) = (
        s.candidates().get(0).unwrap(),
        s.candidates().get(1).unwrap(),
    );
    assert!(s.is_local(&local) && !s.is_local(&remote));
    assert_eq!(s.weight(&local), 1_000_000);
    assert_eq!(s.weight(&remote), 750_000); // floor(3_000_000 / 4)
    assert_eq!(
        (remote.id(), remote.region(), remote.employer()),
        ("E2", "420200", "O2")
    );
    assert_eq!(remote.specialties().collect::<Vec<_>>(), ["A0802", "B01"]);
    assert_eq!(remote.recent(), 3);
    assert_eq!(s.candidate("E2").map(|c| c.index()), Some(1));
    assert!(s.candidate("E3").is_none() && s.candidate("E0").is_none());
}

#[test]
fn extra_fields_are_allowed_anywhere() {
    let v = with(|v| {
        v["operator"] = json!("op-7");
        v["excluded"] = json!({"leave": 3, "conflict": [1, -2]});
        v["candidates"][0]["name"] = json!("杨帆");
        v["panel"][0]["note"] = json!(null);
        v["parent"] = json!("D-0");
    });
    assert_eq!(rule(&v), 0);
}

#[test]
fn rule_one() {
    assert_eq!(rule(&json!([])), 1);
    assert_eq!(rule(&with(|v| v["spec"] = json!(null))), 1);
    assert_eq!(rule(&with(|v| v["project"]["region"] = json!(""))), 1);
    assert_eq!(rule(&with(|v| v["project"]["region"] = json!(420100))), 1);
    assert_eq!(rule(&with(|v| v["project"] = json!("420100"))), 1);
}

#[test]
fn rule_two() {
    assert_eq!(rule(&with(|v| v["panel"] = json!({}))), 2);
    assert_eq!(rule(&with(|v| v["panel"][0]["specialty"] = json!(""))), 2);
    assert_eq!(rule(&with(|v| v["panel"][0]["specialty"] = json!(8))), 2);
    // 2.0 has a fraction: not an integer, so rule 2 names it before rule 5.
    assert_eq!(rule(&with(|v| v["panel"][0]["count"] = json!(2.0))), 2);
    assert_eq!(rule(&with(|v| v["panel"][0]["reserve"] = json!(-1))), 2);
    assert_eq!(rule(&with(|v| v["panel"][0]["reserve"] = json!("1"))), 2);
}

#[test]
fn rule_three() {
    assert_eq!(
        rule(&with(|v| v["policy"]["remote_weight"] = json!(3.5))),
        3
    );
    assert_eq!(rule(&with(|v| v["policy"]["local_max"] = json!(-1))), 3);
    assert_eq!(rule(&with(|v| v["policy"] = json!(null))), 3);
}

#[test]
fn rule_four() {
    assert_eq!(rule(&with(|v| v["candidates"] = json!({}))), 4);
    assert_eq!(rule(&with(|v| v["candidates"][1] = json!("E3"))), 4);
    assert_eq!(rule(&with(|v| v["candidates"][1]["id"] = json!("E1"))), 4);
    assert_eq!(rule(&with(|v| v["candidates"][1]["id"] = json!(""))), 4);
    assert_eq!(
        rule(&with(|v| v["candidates"][0]["recent"] = json!(1_000_001))),
        4
    );
    assert_eq!(
        rule(&with(|v| v["candidates"][0]["recent"] = json!(0.5))),
        4
    );
    assert_eq!(
        rule(&with(|v| v["candidates"][0]["specialties"] = json!("A0801"))),
        4
    );
    // Sorting is by UTF-8 bytes: "E10" < "E2".
    assert_eq!(rule(&with(|v| v["candidates"][0]["id"] = json!("E10"))), 0);
    assert_eq!(rule(&with(|v| v["candidates"][0]["id"] = json!("e1"))), 4);
    // A rule 4 failure later in the list wins over an earlier rule 5 one.
    let v = with(|v| {
        v["candidates"][0]["region"] = json!(1);
        v["candidates"][1]["recent"] = json!(-1);
    });
    assert_eq!(rule(&v), 4);
    // The empty pool is valid: every group simply falls short.
    assert_eq!(rule(&with(|v| v["candidates"] = json!([]))), 0);
}

#[test]
fn rule_five() {
    assert_eq!(rule(&with(|v| v["panel"][0]["count"] = json!(10_001))), 5);
    assert_eq!(rule(&with(|v| v["panel"][0]["reserve"] = json!(10_001))), 5);
    assert_eq!(rule(&with(|v| v["policy"]["local_max"] = json!(10_001))), 5);
    assert_eq!(rule(&with(|v| v["panel"][0]["count"] = json!(10_000))), 0);
    assert_eq!(
        rule(&with(
            |v| v["policy"]["max_per_employer"] = json!(9_007_199_254_740_991_u64)
        )),
        0
    );
    assert_eq!(
        rule(&with(
            |v| v["policy"]["max_per_employer"] = json!(9_007_199_254_740_992_u64)
        )),
        5
    );
    assert_eq!(
        rule(&with(|v| v["x"] = json!(-9_007_199_254_740_992_i64))),
        5
    );
    assert_eq!(rule(&with(|v| v["x"] = json!([[{"y": 1e3}]]))), 5);
    assert_eq!(rule(&with(|v| v["candidates"][1]["score"] = json!(0.1))), 5);
    assert_eq!(
        rule(&with(|v| v["candidates"][0]["employer"] = json!(null))),
        5
    );
    let no_region = with(|v| {
        v["candidates"][0].as_object_mut().unwrap().remove("region");
    });
    assert_eq!(rule(&no_region), 5);
    // A non-string id is a type error of rule 5, not a sorting error.
    assert_eq!(rule(&with(|v| v["candidates"][0]["id"] = json!(1))), 5);
    assert_eq!(
        rule(&with(
            |v| v["candidates"][1]["specialties"][1] = json!(["B01"])
        )),
        5
    );
}

#[test]
fn number_forms_as_serde_json_parses_them() {
    let parse = |t: &str| -> Value { serde_json::from_str(t).unwrap() };
    // Exponent and fraction forms are not integers, whatever their value.
    assert_eq!(rule(&with(|v| v["x"] = parse("1E2"))), 5);
    assert_eq!(rule(&with(|v| v["x"] = parse("100.0"))), 5);
    assert_eq!(rule(&with(|v| v["x"] = parse("9007199254740991"))), 0);
    assert_eq!(rule(&with(|v| v["x"] = parse("-9007199254740991"))), 0);
    assert_eq!(
        rule(&with(|v| v["x"] = parse("123456789012345678901234567890"))),
        5
    );
}
