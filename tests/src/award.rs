//! A panel up to its award, shared by the receipt, award and evaluation
//! tests: a server with a policy, a pool of twelve, a draw request, a
//! revealed draw, and the members who served.

use chrono::Utc;
use serde_json::{Value, json};

use crate::backend::{Backend, TestDb};
use crate::client::Api;
use crate::pool::{Seed, credit_code};
use crate::server::Server;

pub const SPECIALTY: &str = "ENA0101";

/// A server whose policy file adds `policy` to a one-hour answer deadline.
pub fn start(backend: Backend, policy: &str) -> Server {
    let db = TestDb::new(backend);
    let config = db.path("policy.toml");
    std::fs::write(
        &config,
        format!("[draw]\nanswer_deadline_seconds = 3600\n{policy}"),
    )
    .expect("policy file");
    Server::start_with(db, &["--config", config.to_str().expect("path")])
}

/// Twelve experts from outside the project's region, each with an employer
/// of their own, so every reserve qualifies.
pub fn pool12() -> Vec<Seed> {
    (0..12)
        .map(|i| Seed {
            region: if i % 2 == 0 { "420500" } else { "420600" },
            specialty: SPECIALTY,
            employer: 100 + i,
        })
        .collect()
}

pub fn request(project: &str) -> Value {
    let start = Utc::now() + chrono::Duration::hours(2);
    json!({
        "project": {
            "id": project,
            "name": "某学校改扩建工程",
            "region": "420100",
            "tenderer": credit_code(1),
            "bid_section": "1",
        },
        "evaluation": {
            "start": start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "end": (start + chrono::Duration::hours(8)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "venue": "评标室",
        },
        "panel": [{"specialty": "ENA01", "count": 5, "reserve": 2}],
        "representatives": 0,
    })
}

/// A committed draw of `project`, then revealed; its id.
pub fn revealed(op: &Api, project: &str) -> String {
    let r = op.post("/api/v1/draws", &request(project));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().expect("id").to_owned();
    let r = op.post(&format!("/api/v1/draws/{id}/reveal"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["state"], "revealed", "{}", r.text);
    id
}

/// (name, expert id) of panel members.
pub type People = Vec<(String, String)>;

/// Names and ids of the panel's members as the admin sees the unsealed
/// panel: (served, departed).
pub fn members(s: &Server, id: &str) -> (People, People) {
    let r = s.admin().get(&format!("/api/v1/draws/{id}/panel"));
    assert_eq!(r.status, 200, "{}", r.text);
    let mut served = Vec::new();
    let mut departed = Vec::new();
    for m in r.json.as_array().expect("members") {
        let pair = (
            m["name"].as_str().expect("name").to_owned(),
            m["expert_id"].as_str().expect("id").to_owned(),
        );
        match (m["seat"].as_bool(), m["state"].as_str()) {
            (Some(true), Some("signed_in")) => served.push(pair),
            (_, Some("declined")) => departed.push(pair),
            _ => {}
        }
    }
    (served, departed)
}
