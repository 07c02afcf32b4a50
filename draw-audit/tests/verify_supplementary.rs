//! The replay of a supplementary draw (SPEC §6) on a small hand-built log:
//! a first draw, departures until no reserve qualifies, the supplementary
//! draw that fills the gap. The honest log verifies; each forged
//! supplementary draw — with its commitment, seed and result recomputed so
//! that only §6 can catch it — is named at its reveal.

#![cfg(test)]

use draw_audit::jcs::canonical;
use draw_audit::sha256;
use draw_audit::verify::{ExportSummary, ExportVerifier};
use expert_core::draw::{
    DrawResult, Panel, SupplementaryDraw, nonce_commitment, seed, select, validate,
};
use serde_json::{Value, json};

const NONCE: [u8; 32] = [7; 32];

/// The pool: ids E01..E12, two locals, employers shared in pairs.
fn pool() -> Vec<Value> {
    (1..=12)
        .map(|i| {
            json!({"id": format!("E{i:02}"),
                   "region": if i % 6 == 0 { "420100" } else { "420200" },
                   "employer": format!("ORG{}", i / 2),
                   "specialties": [if i % 3 == 0 { "B01" } else { "A0801" }],
                   "recent": i % 4})
        })
        .collect()
}

fn first_statement() -> Value {
    json!({
        "spec": "expert-draw/1",
        "draw_id": "D-1",
        "project": {"id": "P-1", "region": "420100"},
        "panel": [{"specialty": "A08", "count": 2, "reserve": 1},
                  {"specialty": "B01", "count": 1, "reserve": 0}],
        "policy": {"remote_weight": 3, "local_max": 1, "max_per_employer": 1},
        "candidates": pool(),
    })
}

/// The statement a service writes for the gap `supp` describes.
fn supplementary_statement(supp: &SupplementaryDraw) -> Value {
    let candidates: Vec<Value> = pool()
        .into_iter()
        .filter(|c| supp.admits(c["id"].as_str().unwrap(), c["employer"].as_str().unwrap()))
        .collect();
    json!({
        "spec": "expert-draw/1",
        "draw_id": "D-2",
        "parent": "D-1",
        "parent_group": 0,
        "project": {"id": "P-1", "region": "420100"},
        "panel": [{"specialty": supp.specialty, "count": 1, "reserve": 1}],
        "policy": {"remote_weight": supp.policy.remote_weight,
                   "local_max": supp.policy.local_max,
                   "max_per_employer": supp.policy.max_per_employer},
        "candidates": candidates,
    })
}

/// `draw.commit` and `draw.reveal` data of a statement, consistent with
/// each other and with SPEC §4–5 (whatever §6 says of it).
fn draw(statement: &Value) -> (Value, Value, DrawResult) {
    let hash = sha256(&canonical(statement).unwrap());
    let st = validate(statement).unwrap();
    let s = seed(&hash, &NONCE, "");
    let result = select(&st, s).unwrap();
    let id = statement["draw_id"].clone();
    let commit = json!({"draw_id": id, "statement_hash": hex::encode(hash),
                        "nonce_commitment": hex::encode(nonce_commitment(&NONCE))});
    let reveal = json!({"draw_id": id, "statement": statement, "nonce": hex::encode(NONCE),
                        "beacon": "", "seed": hex::encode(s), "result": result});
    (commit, reveal, result)
}

fn entry(kind: &str, data: Value) -> Value {
    json!({"seq": 0, "time": "2026-01-05T02:00:00Z", "kind": kind, "actor": "svc", "data": data})
}

/// The honest log, the gap's parameters and the index of the
/// supplementary draw's commit in it (its reveal follows).
struct Log {
    entries: Vec<Value>,
    supp: SupplementaryDraw,
    commit: usize,
}

/// Group 0's primaries leave one by one (each replaced by SPEC §6 while a
/// reserve qualifies) until a departure finds none: the gap.
fn honest() -> Log {
    let first = first_statement();
    let (commit, reveal, result) = draw(&first);
    let st = validate(&first).unwrap();
    let mut entries = vec![entry("draw.commit", commit), entry("draw.reveal", reveal)];
    let mut panel = Panel::new(&st, &result).unwrap();
    loop {
        let out = panel.groups()[0][0].id.clone();
        let r#in = panel.substitute(&st, &result, 0, &out).unwrap();
        entries.push(entry(
            "draw.substitute",
            json!({"draw_id": "D-1", "group": 0, "out": out, "in": r#in, "reason": "decline"}),
        ));
        if r#in.is_none() {
            break;
        }
    }
    let supp = panel.supplementary(&st, &result, 0).unwrap();
    let (commit, reveal, _) = draw(&supplementary_statement(&supp));
    let at = entries.len();
    entries.push(entry("draw.commit", commit));
    entries.push(entry("draw.reveal", reveal));
    Log {
        entries,
        supp,
        commit: at,
    }
}

fn run(entries: &[Value]) -> ExportSummary {
    let mut v = ExportVerifier::new(&[]);
    for (i, e) in entries.iter().enumerate() {
        let mut e = e.clone();
        e["seq"] = json!(i);
        v.push(&canonical(&e).unwrap());
    }
    v.finish()
}

/// The honest log with the supplementary draw's statement replaced by
/// `forge(statement)`, commit, seed and result recomputed; the reason its
/// reveal fails.
fn forged(log: &Log, forge: impl FnOnce(&mut Value)) -> String {
    let mut statement = supplementary_statement(&log.supp);
    forge(&mut statement);
    let (commit, reveal, _) = draw(&statement);
    let mut entries = log.entries.clone();
    entries[log.commit] = entry("draw.commit", commit);
    entries[log.commit + 1] = entry("draw.reveal", reveal);
    let f = run(&entries)
        .first_error
        .expect("the forged supplementary draw must fail");
    assert_eq!(f.seq, Some(log.commit as u64 + 1), "{}", f.reason);
    f.reason
}

#[test]
fn the_honest_supplementary_draw_verifies() {
    let log = honest();
    let s = run(&log.entries);
    assert_eq!(s.first_error, None);
    assert_eq!(s.draws_replayed, 2);
    // The gap's parameters are what this test's pool makes interesting.
    assert_eq!(log.supp.specialty, "A08");
    assert!(!log.supp.excluded_employers.is_empty(), "{:?}", log.supp);
    assert!(log.supp.excluded_ids.len() >= 3, "{:?}", log.supp);
}

#[test]
fn every_forged_supplementary_draw_is_named() {
    let log = honest();
    let excluded_id = log.supp.excluded_ids.iter().next().unwrap().clone();
    let excluded_employer = log.supp.excluded_employers.iter().next().unwrap().clone();
    let local_max = log.supp.policy.local_max;
    let cases: Vec<(&str, Forge)> = vec![
        (
            "groups",
            Box::new(|s: &mut Value| {
                s["panel"] = json!([{"specialty": "A08", "count": 1, "reserve": 1},
                                    {"specialty": "B01", "count": 1, "reserve": 0}]);
            }),
        ),
        (
            "specialty",
            Box::new(|s: &mut Value| s["panel"][0]["specialty"] = json!("A0801")),
        ),
        (
            "count",
            Box::new(|s: &mut Value| s["panel"][0]["count"] = json!(2)),
        ),
        (
            "policy",
            Box::new(move |s: &mut Value| {
                s["policy"]["local_max"] = json!(local_max + 1);
            }),
        ),
        (
            "policy",
            Box::new(|s: &mut Value| s["policy"]["remote_weight"] = json!(1000)),
        ),
        (
            "named in the first draw's result",
            Box::new(move |s: &mut Value| {
                let mut c = pool()
                    .into_iter()
                    .find(|c| c["id"] == excluded_id.as_str())
                    .unwrap();
                // Keep the employer rule out of the way.
                c["employer"] = json!("ORG-NEW");
                insert_sorted(s, c);
            }),
        ),
        (
            "already has max_per_employer",
            Box::new(move |s: &mut Value| {
                insert_sorted(
                    s,
                    json!({"id": "E99", "region": "420200", "employer": excluded_employer,
                           "specialties": ["A0801"], "recent": 0}),
                );
            }),
        ),
    ];
    for (needle, forge) in cases {
        let reason = forged(&log, forge);
        assert!(reason.contains(needle), "{needle}: {reason}");
        assert!(reason.contains("supplementary draw"), "{reason}");
    }
}

/// One way to forge a supplementary statement.
type Forge = Box<dyn FnOnce(&mut Value)>;

fn insert_sorted(statement: &mut Value, candidate: Value) {
    let list = statement["candidates"].as_array_mut().unwrap();
    list.push(candidate);
    list.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
}

#[test]
fn a_supplementary_draw_without_a_gap_is_named() {
    let log = honest();
    // Committed before the departure that left the gap: nothing to fill.
    let mut entries = log.entries.clone();
    let commit = entries.remove(log.commit);
    entries.insert(log.commit - 1, commit);
    let f = run(&entries).first_error.expect("no gap");
    assert_eq!(f.seq, Some(log.commit as u64 + 1));
    assert!(f.reason.contains("fills no gap"), "{}", f.reason);

    // A second supplementary draw for the one gap.
    let mut entries = log.entries.clone();
    let mut again = supplementary_statement(&log.supp);
    again["draw_id"] = json!("D-3");
    let (commit, reveal, _) = draw(&again);
    entries.push(entry("draw.commit", commit));
    entries.push(entry("draw.reveal", reveal));
    let f = run(&entries).first_error.expect("gap already filled");
    assert_eq!(f.seq, Some(entries.len() as u64 - 1));
    assert!(f.reason.contains("fills no gap"), "{}", f.reason);

    // The honest log stays good with the supplementary draw in group 1,
    // where nobody left, named as its parent group: no gap there.
    let mut entries = log.entries.clone();
    let mut other = supplementary_statement(&log.supp);
    other["parent_group"] = json!(1);
    let (commit, reveal, _) = draw(&other);
    entries[log.commit] = entry("draw.commit", commit);
    entries[log.commit + 1] = entry("draw.reveal", reveal);
    let f = run(&entries).first_error.expect("no gap in group 1");
    assert!(f.reason.contains("fills no gap"), "{}", f.reason);
}
