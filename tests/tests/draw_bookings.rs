//! A seat is a booking, also when two draws for overlapping windows are
//! both committed before either is revealed: the second reveal's clashing
//! members leave by SPEC §6 with reason `booked` (deterministic regression
//! test for the double booking found by `draw_concurrency`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use chrono::{Duration, Utc};
use expert_draw_tests::pool::{Seed, credit_code, entries, replay, seed_pool};
use expert_draw_tests::replay::check_log;
use expert_draw_tests::{Backend, Server, TestDb, both_backends};
use serde_json::{Value, json};

fn request(i: u32) -> Value {
    let start = Utc::now() + Duration::hours(2) + Duration::minutes(i64::from(i) * 10);
    json!({
        "project": {"id": format!("P-K{i}"), "name": "预约冲突测试", "region": "420100",
            "tenderer": credit_code(500 + i), "bid_section": "1"},
        "evaluation": {
            "start": start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "end": (start + Duration::hours(8)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "venue": "评标室"},
        "panel": [{"specialty": "ENA01", "count": 5, "reserve": 2}],
        "avoid": {"bidders": [credit_code(600 + i)], "agency": credit_code(700 + i)},
        "representatives": 0,
    })
}

fn committed_twice_then_revealed(backend: Backend) {
    let db = TestDb::new(backend);
    let outbox = db.path("outbox.jsonl");
    let config = db.path("policy.toml");
    std::fs::write(&config, "[notify]\npoll_ms = 100\nretry_base_ms = 100\npublic_base_url = \"https://centre.example\"\n").unwrap();
    let s = Server::start_with(
        db,
        &[
            "--config",
            config.to_str().unwrap(),
            "--notify-file",
            outbox.to_str().unwrap(),
        ],
    );
    // Nine experts, two panels of five: at least one is drawn by both.
    let seeds: Vec<Seed> = (0..9)
        .map(|i| Seed {
            region: if i % 2 == 0 { "420500" } else { "420600" },
            specialty: "ENA0101",
            employer: 100 + i,
        })
        .collect();
    seed_pool(&s.admin(), &seeds);
    let op = s.token("operator", Some("420100"));
    let ids: Vec<String> = (1..=2)
        .map(|i| {
            let r = op.post("/api/v1/draws", &request(i));
            assert_eq!(r.status, 201, "{}", r.text);
            assert_eq!(r.json["candidate_count"], 9, "both before any seat");
            r.json["id"].as_str().unwrap().to_owned()
        })
        .collect();
    for id in &ids {
        let r = op.post(&format!("/api/v1/draws/{id}/reveal"), &json!({}));
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let admin = s.admin();
    let mut held: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in &ids {
        let r = admin.get(&format!("/api/v1/draws/{id}/panel"));
        assert_eq!(r.status, 200, "{}", r.text);
        for m in r.json.as_array().unwrap() {
            if m["seat"] == true {
                held.entry(m["expert_id"].as_str().unwrap().to_owned())
                    .or_default()
                    .push(id.clone());
            }
        }
    }
    for (expert, panels) in &held {
        assert_eq!(panels.len(), 1, "{expert} booked twice: {panels:?}");
    }
    let log = check_log(&admin);
    let booked: Vec<&Value> = log
        .entries
        .iter()
        .filter(|e| e["kind"] == "draw.substitute" && e["data"]["reason"] == "booked")
        .collect();
    assert!(!booked.is_empty(), "the second reveal clashed");
    for e in &booked {
        assert_eq!(
            e["data"]["draw_id"],
            ids[1].as_str(),
            "the later seat leaves: {e}"
        );
    }
    let checked = replay(&entries(&admin));
    assert_eq!(checked.substitutions, booked.len());
    assert_booked_invitations_not_sent(&log.entries, &booked, &ids[1], &outbox);
}

/// The invitations to `panel` of members who left it as `booked` in the
/// transaction that invited them are cancelled: every other invitation is
/// delivered, those never are.
fn assert_booked_invitations_not_sent(
    log: &[Value],
    booked: &[&Value],
    panel: &str,
    outbox: &Path,
) {
    let outs: BTreeSet<&str> = booked
        .iter()
        .map(|e| e["data"]["out"].as_str().unwrap())
        .collect();
    let sends: Vec<&Value> = log
        .iter()
        .filter(|e| e["kind"] == "invitation.send")
        .collect();
    let (cancelled, sent): (Vec<&Value>, Vec<&Value>) = sends.into_iter().partition(|e| {
        e["data"]["draw_id"] == panel && outs.contains(e["data"]["expert_id"].as_str().unwrap())
    });
    assert_eq!(
        cancelled.len(),
        outs.len(),
        "each booked member was invited once"
    );
    let key = |e: &Value| {
        format!(
            "invitation-{}",
            e["data"]["invitation_id"].as_str().unwrap()
        )
    };
    let started = Instant::now();
    let lines: Vec<Value> = loop {
        let lines = expert_draw_tests::fixtures::outbox_messages(outbox);
        if lines.len() >= sent.len() {
            break lines;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "only {} of {} invitations delivered",
            lines.len(),
            sent.len()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let delivered: BTreeSet<String> = lines
        .iter()
        .map(|l| l["idempotency_key"].as_str().unwrap().to_owned())
        .collect();
    for e in &cancelled {
        assert!(
            !delivered.contains(&key(e)),
            "a cancelled invitation was sent: {e}"
        );
    }
    for e in &sent {
        assert!(
            delivered.contains(&key(e)),
            "an invitation was not sent: {e}"
        );
    }
    assert_eq!(lines.len(), sent.len(), "{lines:?}");
}

both_backends!(
    second_reveal_releases_clashing_seats,
    committed_twice_then_revealed
);
