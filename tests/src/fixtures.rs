//! Shared test data and look-ups: valid applications with real check digits,
//! people who are unique within a test process, and readers of the audit log
//! (entries, tree size) that tests use to prove what changed and what did not.

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{Datelike, Months, NaiveDate, Utc};
use expert_core::identity::{with_check_char, with_check_digit};
use serde_json::{Value, json};

use crate::client::{Api, Response};
use crate::server::Server;

/// Every person made here is different (resident ID, mobile, name,
/// employer), so tests never trip over `already_registered` by accident.
static NEXT_PERSON: AtomicU32 = AtomicU32::new(0);

/// A specialty at level 5, deep under `ENA08` (工程施工).
pub const SPECIALTY: &str = "ENA080101";

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// The server's "today" (it reads the wall clock in UTC).
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub fn years_after(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(Months::new(years * 12))
        .expect("date in range")
}

pub fn years_before(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(years * 12))
        .expect("date in range")
}

pub fn days_after(d: NaiveDate, days: i64) -> NaiveDate {
    d + chrono::Duration::days(days)
}

/// A birth date giving a completed age of `age` today, `margin` days past
/// the birthday (so the age holds for a while either side of midnight).
pub fn born_aged(age: u32, margin: i64) -> NaiveDate {
    days_after(years_before(today(), age), -margin)
}

/// A valid GB 11643 resident ID: address code, birth date, sequence and the
/// computed check character.
pub fn resident_id(address: &str, birth: NaiveDate, sequence: u32) -> String {
    let first17 = format!(
        "{address}{:04}{:02}{:02}{:03}",
        birth.year(),
        birth.month(),
        birth.day(),
        sequence % 1000
    );
    with_check_digit(&first17).expect("17 digits")
}

/// The same ID with a wrong check character.
pub fn with_wrong_check_digit(id: &str) -> String {
    let (head, last) = id.split_at(17);
    let replacement = if last == "1" { "2" } else { "1" };
    format!("{head}{replacement}")
}

/// A valid GB 32100 credit code registered in `region`.
pub fn credit_code(region: &str, serial: u32) -> String {
    with_check_char(&format!("91{region}MA{serial:07}")).expect("17 alphabet characters")
}

/// The same code with a wrong check character.
pub fn with_wrong_check_char(code: &str) -> String {
    let (head, last) = code.split_at(17);
    let replacement = if last == "1" { "2" } else { "1" };
    format!("{head}{replacement}")
}

const SURNAMES: [char; 20] = [
    '赵', '钱', '孙', '李', '周', '吴', '郑', '王', '冯', '陈', '褚', '卫', '蒋', '沈', '韩', '杨',
    '朱', '秦', '尤', '许',
];
const GIVEN: [char; 20] = [
    '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明',
    '超', '秀', '霞', '平',
];

/// A person's name that no other call returns (three characters).
pub fn unique_name(n: u32) -> String {
    let idx = |i: u32| usize::try_from(i % 20).expect("small");
    [
        SURNAMES[idx(n)],
        GIVEN[idx(n / 20)],
        GIVEN[idx(n / 400 + 7)],
    ]
    .iter()
    .collect()
}

/// A valid application (all admission rules met: associate-senior title,
/// 15 years in the field, one level-5 specialty, both documents, employed
/// since 2015) for a new person of `region` born on `birth`.
pub fn application(region: &str, birth: NaiveDate) -> Value {
    let n = NEXT_PERSON.fetch_add(1, Ordering::Relaxed);
    // The address code is the Wuchang district of Wuhan for every person
    // (it is not checked against the region); varying its last digits keeps
    // IDs unique past a thousand people of one birth date.
    let address = format!("4201{:02}", 6 + n / 1000);
    json!({
        "name": unique_name(n),
        "resident_id": resident_id(&address, birth, n),
        "mobile": format!("139{n:08}"),
        "region": region,
        "employer": {
            "name": format!("湖北省第{n}建筑设计研究院"),
            "code": credit_code(region, n),
        },
        "employed_since": "2015-03-01",
        "specialties": [SPECIALTY],
        "title": "associate_senior",
        "senior_equivalent": false,
        "years_in_field": 15,
        "civil_servant": false,
        "employer_contact": null,
        "documents": {"integrity_pledge": "doc/pledge", "no_criminal_record": "doc/record"},
    })
}

/// A valid application of a 45-year-old.
pub fn application_in(region: &str) -> Value {
    application(region, born_aged(45, 30))
}

/// Submit `app` and insist on 201; returns the created record.
pub fn apply_ok(api: &Api, app: &Value) -> Value {
    let r = api.post("/api/v1/experts", app);
    assert_eq!(r.status, 201, "apply: {}", r.text);
    r.json
}

/// Approve applicant `id` (admin or regulator) and insist on 200.
pub fn approve_ok(api: &Api, id: &str) -> Value {
    let r = api.post(
        &format!("/api/v1/experts/{id}/admission"),
        &json!({"decision": "approve"}),
    );
    assert_eq!(r.status, 200, "approve {id}: {}", r.text);
    r.json
}

/// An active expert made by the admin; returns (id, application).
pub fn active_expert(s: &Server, app: Value) -> (String, Value) {
    let admin = s.admin();
    let created = apply_ok(&admin, &app);
    let id = created["id"].as_str().expect("id").to_owned();
    let approved = approve_ok(&admin, &id);
    assert_eq!(approved["status"], "active");
    (id, app)
}

/// The record as the admin sees it (unmasked).
pub fn get_expert(s: &Server, id: &str) -> Value {
    let r = s.admin().get(&format!("/api/v1/experts/{id}"));
    assert_eq!(r.status, 200, "get {id}: {}", r.text);
    r.json
}

/// The log's tree size from the signed checkpoint (second line).
pub fn log_size(s: &Server) -> u64 {
    let r = s.anonymous().get("/api/v1/audit/checkpoint");
    assert_eq!(r.status, 200, "checkpoint: {}", r.text);
    r.text
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .unwrap_or_else(|| panic!("checkpoint without a size line:\n{}", r.text))
}

/// Every log entry, read as admin, as raw lines and parsed.
pub fn audit_lines(s: &Server) -> Vec<(String, Value)> {
    let r = s.admin().get("/api/v1/audit/entries?limit=10000");
    assert_eq!(r.status, 200, "entries: {}", r.text);
    assert!(
        r.content_type.starts_with("application/jsonl"),
        "{}",
        r.content_type
    );
    r.text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            (l.to_owned(), v)
        })
        .collect()
}

/// The kinds of the log entries from `from` on, in order.
pub fn audit_kinds_from(s: &Server, from: usize) -> Vec<String> {
    audit_lines(s)
        .into_iter()
        .skip(from)
        .map(|(_, v)| v["kind"].as_str().expect("kind").to_owned())
        .collect()
}

/// Asserts an RFC 9457 problem with this status, type suffix, field and
/// rule (`None` means the member must be absent).
pub fn assert_problem(
    r: &Response,
    status: u16,
    type_code: &str,
    field: Option<&str>,
    rule: Option<&str>,
) {
    assert_eq!(r.status, status, "{}", r.text);
    let p = r.problem();
    assert_eq!(
        p["type"],
        format!("urn:expert-draw:problem:{type_code}"),
        "{}",
        r.text
    );
    assert_eq!(p.get("field").and_then(Value::as_str), field, "{}", r.text);
    assert_eq!(p.get("rule").and_then(Value::as_str), rule, "{}", r.text);
    // A bad request names its field again in `errors`, with a Chinese
    // sentence a form shows next to it.
    if let (400, Some(field)) = (status, field) {
        let one = &p["errors"][0];
        assert_eq!(one["field"], field, "{}", r.text);
        assert!(
            one["message"]
                .as_str()
                .is_some_and(|m| m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
            "no Chinese message: {}",
            r.text
        );
    }
}

/// The (field, rule) pairs of a 422 validation problem, in order.
pub fn validation_errors(r: &Response) -> Vec<(String, String)> {
    assert_eq!(r.status, 422, "{}", r.text);
    let p = r.problem();
    assert_eq!(
        p["type"], "urn:expert-draw:problem:validation",
        "{}",
        r.text
    );
    let errors: Vec<(String, String)> = p["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors: {}", r.text))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().expect("field").to_owned(),
                e["rule"].as_str().expect("rule").to_owned(),
            )
        })
        .collect();
    // The top-level field and rule are the first error's.
    assert_eq!(p["field"].as_str(), errors.first().map(|e| e.0.as_str()));
    assert_eq!(p["rule"].as_str(), errors.first().map(|e| e.1.as_str()));
    errors
}

/// `pairs` as owned (field, rule) tuples, for comparing with
/// [`validation_errors`].
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, r)| ((*f).to_owned(), (*r).to_owned()))
        .collect()
}

/// The number of experts the admin sees.
pub fn expert_count(s: &Server) -> usize {
    let r = s.admin().get("/api/v1/experts?limit=200");
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["items"].as_array().map_or(0, Vec::len)
}

/// Percent-encodes `s` for a query string (everything but unreserved
/// characters).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The messages the file sender has written to `path` so far, one JSON
/// object per line; a line still being written (no newline yet) is left
/// for the next read.
pub fn outbox_messages(path: &std::path::Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let complete = text.rfind('\n').map_or("", |i| &text[..=i]);
    complete
        .lines()
        .map(|l| serde_json::from_str(l).expect("an outbox line is JSON"))
        .collect()
}

/// Wait (at most 30 s) until the outbox at `path` holds `n` messages.
pub fn wait_messages(path: &std::path::Path, n: usize) -> Vec<Value> {
    let started = std::time::Instant::now();
    loop {
        let lines = outbox_messages(path);
        if lines.len() >= n {
            return lines;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "only {} of {n} messages delivered",
            lines.len()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
