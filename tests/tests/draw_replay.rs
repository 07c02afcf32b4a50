//! Every draw of a full flow replays with the INDEPENDENT Python
//! implementation of expert-draw/1: commit, reveal, operator-entered
//! declines replaced from the reserves, a supplementary draw when none is
//! left, a conflict at sign-in; then the log export is checked (dense seq,
//! root as signed) and replayed by `expert_draw_1.py replay`.

use chrono::{Duration, Utc};
use expert_draw_tests::panel::seated;
use expert_draw_tests::pool::{Seed, credit_code, entries, replay, seed_pool};
use expert_draw_tests::replay::{check_log, replay_independent};
use expert_draw_tests::{Api, Backend, Server, both_backends};
use serde_json::{Value, json};

fn pool(n: u32) -> Vec<Seed> {
    (0..n)
        .map(|i| Seed {
            region: if i % 2 == 0 { "420500" } else { "420600" },
            specialty: "ENA0101",
            employer: 100 + i,
        })
        .collect()
}

fn request(project: &str, count: u32, reserve: u32) -> Value {
    let start = Utc::now() + Duration::hours(2);
    json!({
        "project": {
            "id": project,
            "name": "回放测试项目",
            "region": "420100",
            "tenderer": credit_code(1),
            "bid_section": "1",
        },
        "evaluation": {
            "start": start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "end": (start + Duration::hours(8)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "venue": "市公共资源交易中心",
        },
        "panel": [{"specialty": "ENA01", "count": count, "reserve": reserve}],
        "avoid": {"bidders": [credit_code(2)], "agency": credit_code(3)},
        "representatives": 0,
    })
}

fn decline(op: &Api, id: &str, pseudonym: &str) -> Value {
    let r = op.post(
        &format!("/api/v1/draws/{id}/members/{pseudonym}/decline"),
        &json!({"evidence": "电话录音 #1", "reason": "出差"}),
    );
    assert_eq!(r.status, 200, "decline {pseudonym}: {}", r.text);
    r.json
}

/// A panel of five with one reserve: two primaries decline (the reserve,
/// then a supplementary draw), a third has a conflict at sign-in.
fn setup(backend: Backend) -> (Server, Api, String, Value) {
    let s = Server::start(backend);
    seed_pool(&s.admin(), &pool(12));
    let op = s.token("operator", Some("420100"));
    let r = op.post("/api/v1/draws", &request("P-R1", 5, 1));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().expect("id").to_owned();
    let r = op.post(
        &format!("/api/v1/draws/{id}/reveal"),
        &json!({"beacon": "12 19 27 33 41"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let primaries = seated(&r.json);
    assert_eq!(primaries.len(), 5);
    let first = decline(&op, &id, &primaries[0]);
    assert!(first["supplementary_draw"].is_null(), "{first}");
    let second = decline(&op, &id, &primaries[1]);
    assert!(second["supplementary_draw"].is_string(), "{second}");
    let r = op.post(
        &format!("/api/v1/draws/{id}/members/{}/sign-in", primaries[2]),
        &json!({"conflict": "与投标人存在利害关系"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    (s, op, id, second)
}

fn full_flow_replays(backend: Backend) {
    let (s, _op, _id, _) = setup(backend);
    let admin = s.admin();
    let log = check_log(&admin);
    let kinds = |k: &str| log.entries.iter().filter(|e| e["kind"] == k).count();
    assert!(kinds("draw.reveal") >= 3, "first, supplementary(s)");
    assert_eq!(kinds("draw.substitute"), 3);
    let rust = replay(&entries(&admin));
    assert_eq!(rust.substitutions, 3);
    if let Some(summary) = replay_independent(&admin) {
        assert_eq!(summary["substitutions_checked"], 3, "{summary}");
        assert_eq!(summary["abandoned"], json!([]), "{summary}");
    }
}

both_backends!(full_flow_replays_independently, full_flow_replays);

/// The supplementary draw's pick declines too. The service logs that
/// `draw.substitute` under the panel's `draw_id` and the group the pick
/// joined (SPEC §6: the pick "joins the panel"); the independent verifier
/// resolves it to the supplementary draw's own reserves.
fn supplementary_pick_declines(backend: Backend) {
    let (s, op, id, second) = setup(backend);
    let joined = second["replacement"].as_str().expect("supplementary pick");
    decline(&op, &id, joined);
    let admin = s.admin();
    check_log(&admin);
    replay(&entries(&admin));
    replay_independent(&admin);
}

both_backends!(
    supplementary_pick_decline_replays_independently,
    supplementary_pick_declines
);
