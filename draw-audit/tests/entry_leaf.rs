//! SPEC §7 entries: exact leaf bytes, whole-second times, and a strict
//! reader that accepts only canonical leaves.

#![cfg(test)]

use chrono::{DateTime, TimeZone as _, Utc};
use draw_audit::entry::{Entry, EntryError, format_time, parse_time};
use draw_audit::jcs::JcsError;
use draw_audit::merkle::leaf_hash;
use serde_json::json;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn commit() -> Entry {
    Entry::new(
        0,
        t("2026-11-25T08:30:00Z"),
        "draw.commit",
        "operator:张三",
        json!({"draw_id": "D-2026-000123", "statement_hash": "ab", "nonce_commitment": "cd"}),
    )
}

const COMMIT_LEAF: &str = "{\"actor\":\"operator:张三\",\"data\":{\"draw_id\":\"D-2026-000123\",\
\"nonce_commitment\":\"cd\",\"statement_hash\":\"ab\"},\"kind\":\"draw.commit\",\"seq\":0,\
\"time\":\"2026-11-25T08:30:00Z\"}";

#[test]
fn leaf_bytes_are_exact() {
    let e = commit();
    assert_eq!(
        String::from_utf8(e.leaf_bytes().unwrap()).unwrap(),
        COMMIT_LEAF
    );
    assert_eq!(e.leaf_hash().unwrap(), leaf_hash(COMMIT_LEAF.as_bytes()));
    assert_eq!(Entry::parse_leaf(COMMIT_LEAF.as_bytes()).unwrap(), e);
}

#[test]
fn new_truncates_to_whole_seconds() {
    let precise = t("2026-11-25T08:30:00.999999999Z");
    let e = Entry::new(1, precise, "k", "a", json!({}));
    assert_eq!(e.time, t("2026-11-25T08:30:00Z"));
    let leaf = e.leaf_bytes().unwrap();
    assert_eq!(Entry::parse_leaf(&leaf).unwrap(), e);

    // Bypassing Entry::new with a fractional time is caught, not rounded.
    let mut raw = e.clone();
    raw.time = precise;
    assert_eq!(raw.leaf_bytes(), Err(EntryError::SubSecondTime));
}

#[test]
fn times() {
    let ok = t("2026-01-02T03:04:05Z");
    assert_eq!(format_time(&ok).unwrap(), "2026-01-02T03:04:05Z");
    assert_eq!(parse_time("2026-01-02T03:04:05Z").unwrap(), ok);
    assert_eq!(
        parse_time("0000-01-01T00:00:00Z").unwrap().to_rfc3339(),
        "0000-01-01T00:00:00+00:00"
    );
    for bad in [
        "2026-01-02T03:04:05.0Z",
        "2026-01-02T03:04:05+00:00",
        "2026-01-02T03:04:05z",
        "2026-01-02 03:04:05Z",
        "2026-1-02T03:04:05Z",
        "2026-01-02T3:04:05Z",
        "2026-01-02T03:04:5Z",
        "+2026-01-02T03:04:05Z",
        "12026-01-02T03:04:05Z",
        "2026-02-30T00:00:00Z",
        "2026-12-31T23:59:60Z",
        "2026-01-02T24:00:00Z",
        "2026-01-02T03:04:05Z ",
        "",
    ] {
        assert!(
            matches!(parse_time(bad), Err(EntryError::InvalidTime(_))),
            "{bad:?}"
        );
    }
    let far = Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(format_time(&far), Err(EntryError::TimeOutOfRange));
    let before = Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(format_time(&before), Err(EntryError::TimeOutOfRange));
}

#[test]
fn entry_fields_are_checked_when_writing() {
    let mut e = commit();
    e.data = json!([1]);
    assert!(matches!(
        e.leaf_bytes(),
        Err(EntryError::WrongType { field: "data", .. })
    ));
    let mut e = commit();
    e.kind = String::new();
    assert!(matches!(
        e.leaf_bytes(),
        Err(EntryError::WrongType { field: "kind", .. })
    ));
    let mut e = commit();
    e.seq = 1 << 53;
    assert_eq!(
        e.leaf_bytes(),
        Err(EntryError::Jcs(JcsError::OutOfRange {
            path: "/seq".into()
        }))
    );
    let mut e = commit();
    e.data = json!({"x": 0.5});
    assert_eq!(
        e.leaf_bytes(),
        Err(EntryError::Jcs(JcsError::NonInteger {
            path: "/data/x".into()
        }))
    );
}

#[test]
fn leaves_never_contain_raw_newlines() {
    let e = Entry::new(
        7,
        t("2026-11-25T08:30:00Z"),
        "note",
        "a\nb",
        json!({"s": "x\ny\r\u{2028}"}),
    );
    let leaf = e.leaf_bytes().unwrap();
    assert!(!leaf.contains(&b'\n') && !leaf.contains(&b'\r'));
    assert_eq!(Entry::parse_leaf(&leaf).unwrap(), e);
}

#[test]
fn only_canonical_leaves_parse() {
    let canonical = COMMIT_LEAF.to_owned();
    let not_canonical = [
        canonical.replace(",\"seq\"", ", \"seq\""),
        canonical.replace("{\"actor\":\"operator:张三\",", "{") + "",
        format!("{canonical}\n"),
        format!(" {canonical}"),
        canonical.replace("\"ab\"", "\"\\u0061b\""),
        canonical.replace("张三", "\\u5f20\\u4e09"),
    ];
    // The second case drops a field, so it fails for that reason instead.
    for (i, bad) in not_canonical.iter().enumerate() {
        let err = Entry::parse_leaf(bad.as_bytes()).unwrap_err();
        if i == 1 {
            assert_eq!(err, EntryError::MissingField("actor"));
        } else {
            assert_eq!(err, EntryError::NotCanonical, "{bad}");
        }
    }
    // Unsorted keys.
    let unsorted =
        "{\"seq\":0,\"actor\":\"a\",\"data\":{},\"kind\":\"k\",\"time\":\"2026-11-25T08:30:00Z\"}";
    assert_eq!(
        Entry::parse_leaf(unsorted.as_bytes()),
        Err(EntryError::NotCanonical)
    );
}

#[test]
fn malformed_leaves() {
    let base = |seq: &str, time: &str, kind: &str, data: &str| {
        format!("{{\"actor\":\"a\",\"data\":{data},\"kind\":{kind},\"seq\":{seq},\"time\":{time}}}")
    };
    let time = "\"2026-11-25T08:30:00Z\"";
    let cases: Vec<(String, EntryError)> = vec![
        (base("-1", time, "\"k\"", "{}"), EntryError::WrongType { field: "seq", expected: "a non-negative integer" }),
        (base("\"1\"", time, "\"k\"", "{}"), EntryError::WrongType { field: "seq", expected: "a non-negative integer" }),
        (base("1", "1", "\"k\"", "{}"), EntryError::WrongType { field: "time", expected: "a string" }),
        (base("1", "\"2026-11-25T08:30:00.5Z\"", "\"k\"", "{}"), EntryError::InvalidTime("2026-11-25T08:30:00.5Z".into())),
        (base("1", time, "\"\"", "{}"), EntryError::WrongType { field: "kind", expected: "a non-empty string" }),
        (base("1", time, "null", "{}"), EntryError::WrongType { field: "kind", expected: "a non-empty string" }),
        (base("1", time, "\"k\"", "[]"), EntryError::WrongType { field: "data", expected: "an object" }),
        (base("1", time, "\"k\"", "null"), EntryError::WrongType { field: "data", expected: "an object" }),
        ("[]".into(), EntryError::NotAnObject),
        ("{\"actor\":\"a\",\"data\":{},\"extra\":1,\"kind\":\"k\",\"seq\":0,\"time\":\"2026-11-25T08:30:00Z\"}".into(), EntryError::UnexpectedField("extra".into())),
        ("{\"actor\":\"a\",\"data\":{},\"kind\":\"k\",\"seq\":0}".into(), EntryError::MissingField("time")),
    ];
    for (leaf, want) in cases {
        assert_eq!(Entry::parse_leaf(leaf.as_bytes()), Err(want), "{leaf}");
    }
    // Profile violations come through from the strict parser.
    for leaf in [
        base("1", time, "\"k\"", "{\"x\":1.5}"),
        base("1", time, "\"k\"", "{\"x\":1,\"x\":1}"),
        base("9007199254740992", time, "\"k\"", "{}"),
        base("1", time, "\"k\"", "{\"x\":\"\\ud800\"}"),
        "".into(),
    ] {
        assert!(
            matches!(Entry::parse_leaf(leaf.as_bytes()), Err(EntryError::Json(_))),
            "{leaf}"
        );
    }
    assert_eq!(
        Entry::parse_leaf(b"{\"a\":\"\xff\"}"),
        Err(EntryError::NotUtf8)
    );
}
