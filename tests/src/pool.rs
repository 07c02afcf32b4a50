//! Seeding a pool through the API (register as admin, approve) and
//! replaying every draw in the log with `expert_core::draw`, for the draw
//! flow tests.

use std::collections::BTreeMap;

use expert_core::draw::{DrawResult, DrawStatement, Member, Panel, seed, select, validate};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

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

fn hex32(s: &str) -> [u8; 32] {
    hex::decode(s).expect("hex").try_into().expect("32 bytes")
}

/// What the replay checked.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Replay {
    pub reveals: usize,
    pub substitutions: usize,
    pub abandoned: Vec<String>,
}

/// Replay every draw in the log as an outside verifier would: each
/// `draw.reveal` against its `draw.commit` and sections 4–5, and each
/// `draw.substitute` against section 6 (with supplementary picks joining
/// the panel named by the statement's `parent`). Panics on any mismatch.
pub fn replay(entries: &[Value]) -> Replay {
    let mut commits: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut revealed: BTreeMap<String, ()> = BTreeMap::new();
    // Per draw: statement and result. Per panel: the Panel, and per member
    // the draw that drew them.
    let mut draws: BTreeMap<String, (DrawStatement, DrawResult)> = BTreeMap::new();
    let mut panels: BTreeMap<String, Panel> = BTreeMap::new();
    let mut source: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut out = Replay::default();
    for e in entries {
        let d = &e["data"];
        match e["kind"].as_str().unwrap_or_default() {
            "draw.commit" => {
                let id = d["draw_id"].as_str().unwrap().to_owned();
                assert!(
                    commits
                        .insert(
                            id,
                            (
                                d["statement_hash"].as_str().unwrap().to_owned(),
                                d["nonce_commitment"].as_str().unwrap().to_owned()
                            )
                        )
                        .is_none()
                );
            }
            "draw.reveal" => {
                let id = d["draw_id"].as_str().unwrap().to_owned();
                let (sh, nc) = commits.get(&id).expect("reveal follows a commit").clone();
                assert!(revealed.insert(id.clone(), ()).is_none(), "revealed twice");
                let statement_value = &d["statement"];
                let canonical = draw_audit::jcs::canonical(statement_value).unwrap();
                let h: [u8; 32] = Sha256::digest(&canonical).into();
                assert_eq!(hex::encode(h), sh, "statement hash of {id}");
                let nonce = hex32(d["nonce"].as_str().unwrap());
                assert_eq!(
                    hex::encode(expert_core::draw::nonce_commitment(&nonce)),
                    nc,
                    "nonce commitment of {id}"
                );
                let st = validate(statement_value).expect("valid statement");
                let s = seed(&h, &nonce, d["beacon"].as_str().unwrap());
                assert_eq!(hex::encode(s), d["seed"].as_str().unwrap(), "seed of {id}");
                let result = select(&st, s).unwrap();
                let logged: DrawResult = serde_json::from_value(d["result"].clone()).unwrap();
                assert_eq!(result, logged, "result of {id}");
                out.reveals += 1;
                if let Some(root) = statement_value
                    .get("parent_group")
                    .and(statement_value["parent"].as_str())
                {
                    let g = statement_value["parent_group"].as_u64().unwrap() as usize;
                    if let Some(pick) = result.primaries.first().and_then(|p| p.first()) {
                        let panel = panels
                            .get_mut(root)
                            .expect("supplementary of a known panel");
                        panel.join(g, Member::of(&st, pick).unwrap()).unwrap();
                        source.insert((root.to_owned(), pick.clone()), id.clone());
                    }
                } else {
                    let short = result.shortfall(st.panel()).iter().any(|&s| s > 0);
                    if !short {
                        panels.insert(id.clone(), Panel::new(&st, &result).unwrap());
                        for ids in &result.primaries {
                            for p in ids {
                                source.insert((id.clone(), p.clone()), id.clone());
                            }
                        }
                    }
                }
                draws.insert(id, (st, result));
            }
            "draw.substitute" => {
                let panel_id = d["draw_id"].as_str().unwrap().to_owned();
                let g = d["group"].as_u64().unwrap() as usize;
                let out_id = d["out"].as_str().unwrap().to_owned();
                let src = source
                    .get(&(panel_id.clone(), out_id.clone()))
                    .expect("outgoing member's draw")
                    .clone();
                let (st, res) = draws.get(&src).unwrap();
                let reserves = if src == panel_id {
                    Panel::reserves_of(st, res, g).unwrap()
                } else {
                    Panel::reserves_of(st, res, 0).unwrap()
                };
                let panel = panels.get_mut(&panel_id).expect("panel");
                let expected = panel
                    .replacement_among(g, &out_id, &reserves)
                    .unwrap()
                    .map(|m| m.id.clone());
                assert_eq!(
                    d["in"].as_str().map(str::to_owned),
                    expected,
                    "substitution in {panel_id}"
                );
                if let Some(i) = &expected {
                    if src == panel_id {
                        // `replacement` of the core API agrees for the first draw.
                        assert_eq!(
                            expert_core::draw::replacement(st, res, panel, g, &out_id).unwrap(),
                            Some(i.clone())
                        );
                    }
                    source.insert((panel_id.clone(), i.clone()), src.clone());
                }
                panel.substitute_among(g, &out_id, &reserves).unwrap();
                out.substitutions += 1;
            }
            _ => {}
        }
    }
    out.abandoned = commits
        .keys()
        .filter(|id| !revealed.contains_key(*id))
        .cloned()
        .collect();
    out
}
