//! Seeding a pool through the API (register as admin, approve) and
//! replaying every draw in the log with `draw_audit::replay`, for the draw
//! flow tests.

use draw_audit::replay::DrawReplay;
use serde_json::{Value, json};

use crate::client::Api;

/// One expert to register.
#[derive(Debug, Clone)]
pub struct Seed {
    pub region: &'static str,
    pub specialty: &'static str,
    /// Distinguishes employers: experts with the same number share one.
    pub employer: u32,
}

/// A valid credit code for employer number `n` (registered in Wuhan).
pub fn credit_code(n: u32) -> String {
    expert_core::identity::with_check_char(&format!("91420100MA4K{n:05}")).expect("credit code")
}

/// Register one expert as an applicant (number `n`, 1-999, makes the
/// resident ID and phone unique); returns the id.
pub fn register(admin: &Api, n: u32, s: &Seed) -> String {
    assert!((1..1000).contains(&n), "expert numbers are 1-999");
    let rid = expert_core::identity::with_check_digit(&format!("42010219700101{n:03}"))
        .expect("resident id");
    let r = admin.post(
        "/api/v1/experts",
        &json!({
            "name": format!("测试专家{n}"),
            "resident_id": rid,
            "mobile": format!("139{:08}", 10_000_000 + n),
            "region": s.region,
            "employer": {"name": format!("单位{}", s.employer), "code": credit_code(s.employer)},
            "employed_since": "2015-01-01",
            "specialties": [s.specialty],
            "title": "senior",
            "years_in_field": 12,
            "civil_servant": false,
            "documents": {"integrity_pledge": "pledge.pdf", "no_criminal_record": "ncr.pdf"},
        }),
    );
    assert_eq!(r.status, 201, "register: {}", r.text);
    r.json["id"].as_str().expect("id").to_owned()
}

/// Approve an applicant: the expert joins the pool.
pub fn approve(admin: &Api, id: &str) {
    let r = admin.post(
        &format!("/api/v1/experts/{id}/admission"),
        &json!({"decision": "approve"}),
    );
    assert_eq!(r.status, 200, "approve: {}", r.text);
}

/// Register and approve experts; returns their ids in order.
pub fn seed_pool(admin: &Api, seeds: &[Seed]) -> Vec<String> {
    seeds
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let id = register(admin, i as u32 + 1, s);
            approve(admin, &id);
            id
        })
        .collect()
}

/// Every log entry, parsed, as a supervisor or admin reads them.
pub fn entries(api: &Api) -> Vec<Value> {
    let r = api.get("/api/v1/audit/entries?limit=10000");
    assert_eq!(r.status, 200, "entries: {}", r.text);
    r.text
        .lines()
        .map(|l| serde_json::from_str(l).expect("entry JSON"))
        .collect()
}

/// What the replay checked.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Replay {
    pub reveals: usize,
    pub substitutions: usize,
    pub abandoned: Vec<String>,
}

/// Replay every draw in the log as an outside verifier would, with the
/// same library the `draw-audit verify` command uses
/// (`draw_audit::replay`): each `draw.reveal` against its `draw.commit` and
/// sections 4–5, each `draw.substitute` against section 6 (supplementary
/// picks joining the panel named by the statement's `parent`). Panics on
/// the first entry that fails, naming it.
pub fn replay(entries: &[Value]) -> Replay {
    let mut replay = DrawReplay::new();
    for e in entries {
        let seq = e["seq"].as_u64().expect("seq");
        let kind = e["kind"].as_str().expect("kind");
        if let Err(err) = replay.entry(seq, kind, &e["data"], None) {
            panic!("draw replay failed: {err}\n{e}");
        }
    }
    Replay {
        reveals: usize::try_from(replay.draws_replayed()).expect("count"),
        substitutions: usize::try_from(replay.substitutions_checked()).expect("count"),
        abandoned: replay.abandoned().into_iter().map(|a| a.draw_id).collect(),
    }
}
