//! A seat is a booking, also when two draws for overlapping windows are
//! both committed before either is revealed: the second reveal's clashing
//! members leave by SPEC §6 with reason `booked` (deterministic regression
//! test for the double booking found by `draw_concurrency`).

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use expert_draw_tests::pool::{Seed, credit_code, entries, replay, seed_pool};
use expert_draw_tests::replay::check_log;
use expert_draw_tests::{Backend, Server, both_backends};
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
    let s = Server::start(backend);
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
}

both_backends!(
    second_reveal_releases_clashing_seats,
    committed_twice_then_revealed
);
