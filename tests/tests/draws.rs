//! The verifiable draw end to end, over real HTTP on both backends:
//! request → commit → reveal → invitations (file sender) → declines by
//! response link → substitutions → sign-in → unseal; shortfall and a
//! supervisor-approved child draw; the open-draw guard; committee and
//! window rules; sealing; and a replay of every draw in the log.

use std::time::{Duration, Instant};

use chrono::Utc;
use expert_draw_tests::pool::{Seed, credit_code, entries, replay, seed_pool};
use expert_draw_tests::{Backend, Server, both_backends};
use serde_json::{Value, json};

const SPECIALTY: &str = "ENA0101";
const GROUP: &str = "ENA01";

fn start(backend: Backend, deadline_seconds: u32) -> (Server, std::path::PathBuf) {
    start_with_draw_policy(backend, deadline_seconds, "")
}

/// As [`start`], with extra `[draw]` keys.
fn start_with_draw_policy(
    backend: Backend,
    deadline_seconds: u32,
    draw_keys: &str,
) -> (Server, std::path::PathBuf) {
    Server::start_with_outbox(backend, deadline_seconds, draw_keys)
}

/// Twelve experts of one specialty from outside the project's region
/// (Yichang and Xiangyang), each with an employer of their own, so that
/// every reserve qualifies (the local cap is exercised by the replay of
/// the other scenarios and by expert-core's own tests).
fn pool12() -> Vec<Seed> {
    (0..12)
        .map(|i| Seed {
            region: if i % 2 == 0 { "420500" } else { "420600" },
            specialty: SPECIALTY,
            employer: 100 + i,
        })
        .collect()
}

fn request(project: &str, count: u32, reserve: u32) -> Value {
    let start = Utc::now() + chrono::Duration::hours(2);
    json!({
        "project": {
            "id": project,
            "name": "某市政道路改造工程（保密）",
            "region": "420100",
            "tenderer": credit_code(1),
            "bid_section": "1",
        },
        "evaluation": {
            "start": start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "end": (start + chrono::Duration::hours(8)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "venue": "市公共资源交易中心 3号评标室",
        },
        "panel": [{"specialty": GROUP, "count": count, "reserve": reserve}],
        "avoid": {"bidders": [credit_code(2)], "agency": credit_code(3)},
        "representatives": 0,
    })
}

fn token_of(message: &Value) -> String {
    let link = message["payload"]["link"].as_str().unwrap();
    link.rsplit('/').next().unwrap().to_owned()
}

/// Nothing in `text` names an expert: neither an id nor a name.
fn assert_no_identity(text: &str, ids: &[String]) {
    for id in ids {
        assert!(!text.contains(id.as_str()), "{id} leaked: {text}");
    }
    assert!(!text.contains("测试专家"), "a name leaked: {text}");
    assert!(!text.contains("\"E0"), "an expert id leaked: {text}");
}

fn seated(view: &Value) -> Vec<String> {
    view["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["seat"] == true)
        .map(|m| m["pseudonym"].as_str().unwrap().to_owned())
        .collect()
}

fn full_path(backend: Backend) {
    let (s, outbox) = start(backend, 3600);
    let ids = seed_pool(&s.admin(), &pool12());
    let op = s.token("operator", Some("420100"));
    let sup = s.token("supervisor", None);

    // 1. Request and commit.
    let r = op.post("/api/v1/draws", &request("P-88", 5, 3));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().unwrap().to_owned();
    assert!(
        id.starts_with("D-") && id.len() == "D-2026-000001".len(),
        "{id}"
    );
    assert_eq!(r.json["candidate_count"], 12);
    assert_eq!(r.json["state"], "committed");
    // The checkpoint signed before the answer covers the commit entry.
    let vkey = s.anonymous().get("/api/v1/audit/vkey").text;
    let verifier = draw_audit::note::NoteVerifier::parse(vkey.trim()).unwrap();
    let (checkpoint, _) = draw_audit::checkpoint::Checkpoint::open(
        r.json["checkpoint"].as_str().unwrap(),
        &[verifier],
    )
    .unwrap();
    let commit = entries(&sup)
        .into_iter()
        .find(|e| e["kind"] == "draw.commit")
        .unwrap();
    assert!(checkpoint.size > commit["seq"].as_u64().unwrap());
    assert_eq!(commit["data"]["draw_id"], id.as_str());
    assert_no_identity(&r.text, &ids);
    assert!(!r.text.contains("保密"), "the project name is sealed");

    // 2. Reveal with a beacon.
    let r = op.post(
        &format!("/api/v1/draws/{id}/reveal"),
        &json!({"beacon": "07 19 23 31 42"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["state"], "revealed");
    assert_eq!(seated(&r.json).len(), 5);
    assert_no_identity(&r.text, &ids);

    // Sealed: operators get pseudonyms only, everywhere.
    for path in [
        format!("/api/v1/draws/{id}"),
        "/api/v1/draws".to_owned(),
        "/api/v1/experts?status=active".to_owned(),
    ] {
        let r = op.get(&path);
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        if path.contains("draws") {
            assert_no_identity(&r.text, &ids);
        } else {
            assert!(!r.text.contains(&id), "the expert list names no draw");
        }
    }
    let r = op.get(&format!("/api/v1/draws/{id}/panel"));
    assert_eq!(r.status, 403);
    assert_no_identity(&r.text, &ids);
    // Every GET route of the API, as this operator, with this draw's id.
    for route in expert_draw_tests::routes::ROUTES
        .iter()
        .filter(|r| r.method == "GET")
    {
        let path = route
            .path
            .replace("{id}", &id)
            .replace("{pseudonym}", "P1")
            .replace("{token}", "r_x");
        let r = op.get(&path);
        assert!(r.status < 500, "{path}: {}", r.text);
        assert_no_identity(&r.text, &ids);
    }
    let r = op.get("/api/v1/audit/entries");
    assert_eq!(r.status, 403);
    // Supervisors and admins may read the sealed panel; each read is logged.
    let r = sup.get(&format!("/api/v1/draws/{id}/panel"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("测试专家"));
    assert!(
        !r.text.contains("13910000"),
        "phones are masked for supervisors"
    );
    let r = s.admin().get(&format!("/api/v1/draws/{id}/panel"));
    assert_eq!(r.status, 200);
    let views: Vec<Value> = entries(&sup)
        .into_iter()
        .filter(|e| e["kind"] == "panel.view" && e["data"]["what"] == "panel")
        .collect();
    assert_eq!(views.len(), 2);
    assert!(
        views[0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("supervisor:")
    );
    assert_eq!(
        views[1]["actor"].as_str().unwrap(),
        format!("admin:{}", admin_token_id(&s))
    );

    // 3. Invitations: five messages, time, venue and link only.
    let messages = expert_draw_tests::fixtures::wait_messages(&outbox, 5);
    for m in &messages {
        let text = m["payload"]["text"].as_str().unwrap();
        assert!(text.contains("3号评标室"), "{text}");
        assert!(!text.contains("保密") && !text.contains("P-88"), "{text}");
        assert!(
            m["idempotency_key"]
                .as_str()
                .unwrap()
                .starts_with("invitation-")
        );
    }
    let anon = s.anonymous();
    let t0 = token_of(&messages[0]);
    let r = anon.get(&format!("/api/v1/respond/{t0}"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["state"], "open");
    assert!(!r.text.contains("保密"));

    // Two declines via the response links.
    for m in &messages[..2] {
        let r = anon.post(
            &format!("/api/v1/respond/{}", token_of(m)),
            &json!({"answer": "decline", "reason": "出差"}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["state"], "decline");
    }
    let r = anon.post(
        &format!("/api/v1/respond/{t0}"),
        &json!({"answer": "accept"}),
    );
    assert_eq!(r.status, 409, "one answer per link");
    assert!(!s.log().contains(&t0), "response tokens are never logged");
    assert!(s.log().contains("/respond/[redacted]"));
    // The rest accept.
    for m in &messages[2..] {
        let r = anon.post(
            &format!("/api/v1/respond/{}", token_of(m)),
            &json!({"answer": "accept"}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // Replacements are invited too and accept.
    let messages = expert_draw_tests::fixtures::wait_messages(&outbox, 7);
    for m in &messages[5..] {
        let r = anon.post(
            &format!("/api/v1/respond/{}", token_of(m)),
            &json!({"answer": "accept"}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let log = entries(&sup);
    let subs: Vec<&Value> = log
        .iter()
        .filter(|e| e["kind"] == "draw.substitute")
        .collect();
    assert_eq!(subs.len(), 2);
    for e in &subs {
        assert_eq!(e["data"]["draw_id"], id.as_str());
        assert_eq!(e["data"]["reason"], "declined");
        assert!(
            e["data"]["in"].is_string(),
            "three reserves cover two declines: {e}"
        );
        let keys: Vec<&String> = e["data"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["draw_id", "group", "in", "out", "reason"]);
    }

    // 4. Sign-in unseals.
    let view = op.get(&format!("/api/v1/draws/{id}")).json;
    let seats = seated(&view);
    assert_eq!(seats.len(), 5);
    for (i, p) in seats.iter().enumerate() {
        let r = op.post(
            &format!("/api/v1/draws/{id}/members/{p}/sign-in"),
            &json!({}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["unsealed"], i + 1 == seats.len());
    }
    let r = op.get(&format!("/api/v1/draws/{id}/panel"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("测试专家"));
    assert!(r.text.contains("****"), "masked phones: {}", r.text);
    let log = entries(&sup);
    assert_eq!(
        log.iter().filter(|e| e["kind"] == "panel.unseal").count(),
        1
    );
    let sealed_reads = |log: &[Value], what: &str| {
        log.iter()
            .filter(|e| e["kind"] == "panel.view" && e["data"]["what"] == what)
            .count()
    };
    assert_eq!(
        sealed_reads(&log, "panel"),
        2,
        "reads after unseal are not sealed reads"
    );
    // Log entries name the experts of a sealed panel: reading them is logged.
    let log_reads = sealed_reads(&log, "log_entries");
    assert!(log_reads >= 2, "{log_reads}");
    assert!(log.iter().any(|e| e["kind"] == "panel.view"
        && e["data"]["what"] == "log_entries"
        && e["actor"].as_str().unwrap().starts_with("supervisor:")));
    assert_eq!(sealed_reads(&entries(&sup), "log_entries"), log_reads);

    // Every draw replays.
    let checked = replay(&log);
    assert_eq!(checked.reveals, 1);
    assert_eq!(checked.substitutions, 2);
    assert!(checked.abandoned.is_empty());
}

fn admin_token_id(s: &Server) -> String {
    let r = s.admin().get("/api/v1/tokens");
    r.json
        .as_array()
        .or_else(|| r.json["items"].as_array())
        .unwrap()
        .iter()
        .find(|t| t["role"] == "admin")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

both_backends!(full_path_declines_substitution_unseal, full_path);

fn shortfall_and_relaxed_child(backend: Backend) {
    let (s, _outbox) = start(backend, 3600);
    // Four experts, two of them sharing an employer: with one per employer
    // only three can be primaries of a panel of five.
    let seeds: Vec<Seed> = (0..6)
        .map(|i| Seed {
            region: "420600",
            specialty: SPECIALTY,
            employer: if i < 4 { 200 } else { 201 + i },
        })
        .collect();
    let ids = seed_pool(&s.admin(), &seeds);
    let op = s.token("operator", Some("420100"));
    let sup_token = {
        let r = s.admin().post(
            "/api/v1/tokens",
            &json!({"role": "supervisor", "label": "supervisor on duty"}),
        );
        assert_eq!(r.status, 201);
        r.json["token"].as_str().unwrap().to_owned()
    };
    let sup = s.api(&sup_token);

    let r = op.post("/api/v1/draws", &request("P-S", 5, 0));
    assert_eq!(r.status, 201, "{}", r.text);
    let first = r.json["id"].as_str().unwrap().to_owned();
    let r = op.post(&format!("/api/v1/draws/{first}/reveal"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["state"], "short");
    assert_eq!(r.json["shortfall"][0]["group"], 0);
    assert_eq!(r.json["shortfall"][0]["missing"], 2);
    assert_no_identity(&r.text, &ids);

    // A looser policy without approval: 422 naming the field.
    let mut child = request("P-S", 5, 0);
    child["parent"] = json!(first);
    child["policy"] = json!({"max_per_employer": 4});
    let r = op.post("/api/v1/draws", &child);
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.problem()["field"], "policy/max_per_employer");
    assert_eq!(r.json["rule"], "loosening_needs_approval");
    // An operator's own token is no supervisor approval.
    child["approval"] = json!({"supervisor_token": "edt_not-a-token", "reason": "x"});
    let r = op.post("/api/v1/draws", &child);
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.problem()["field"], "approval/supervisor_token");
    child["approval"] =
        json!({"supervisor_token": sup_token, "reason": "专业人数不足，经批准放宽同单位限制"});
    let r = op.post("/api/v1/draws", &child);
    assert_eq!(r.status, 201, "{}", r.text);
    let second = r.json["id"].as_str().unwrap().to_owned();
    assert_eq!(r.json["parent"], first.as_str());
    let r = op.post(
        &format!("/api/v1/draws/{second}/reveal"),
        &json!({"beacon": "x"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["state"], "revealed");
    assert_eq!(
        op.get(&format!("/api/v1/draws/{first}")).json["state"],
        "superseded"
    );

    let log = entries(&sup);
    let approval = log
        .iter()
        .find(|e| e["kind"] == "draw.approve_relaxation")
        .expect("approval logged");
    assert_eq!(approval["data"]["draw_id"], second.as_str());
    let sup_id = sup_token_id(&s);
    assert_eq!(approval["data"]["supervisor_token_id"], sup_id.as_str());
    let reveal = log
        .iter()
        .find(|e| e["kind"] == "draw.reveal" && e["data"]["draw_id"] == second.as_str())
        .unwrap();
    assert_eq!(reveal["data"]["statement"]["parent"], first.as_str());
    assert_eq!(reveal["data"]["statement"]["policy"]["max_per_employer"], 4);
    let checked = replay(&log);
    assert_eq!(checked.reveals, 2);
}

fn sup_token_id(s: &Server) -> String {
    let r = s.admin().get("/api/v1/tokens");
    r.json
        .as_array()
        .or_else(|| r.json["items"].as_array())
        .unwrap()
        .iter()
        .find(|t| t["role"] == "supervisor")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

both_backends!(
    shortfall_then_approved_relaxed_child,
    shortfall_and_relaxed_child
);

fn guards_and_rules(backend: Backend) {
    let (s, _outbox) = start(backend, 3600);
    seed_pool(&s.admin(), &pool12());
    let op = s.token("operator", Some("420100"));
    let other = s.token("operator", Some("420600"));
    let sup_token = {
        let r = s.admin().post(
            "/api/v1/tokens",
            &json!({"role": "supervisor", "label": "sup"}),
        );
        r.json["token"].as_str().unwrap().to_owned()
    };

    // Committee rules (招标投标法 art. 37).
    let r = op.post("/api/v1/draws", &request("P-C", 4, 1));
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.problem()["field"], "panel");
    assert_eq!(r.json["rule"], "committee_size");
    let mut req = request("P-C", 6, 1);
    let r = op.post("/api/v1/draws", &req);
    assert_eq!(r.status, 422);
    assert_eq!(r.json["rule"], "committee_odd");
    req = request("P-C", 3, 1);
    req["representatives"] = json!(2);
    let r = op.post("/api/v1/draws", &req);
    assert_eq!(r.status, 422);
    assert_eq!(r.problem()["field"], "representatives");
    // The draw window: not 3 days ahead, not after the start.
    let mut req = request("P-C", 5, 1);
    let start = Utc::now() + chrono::Duration::days(3);
    req["evaluation"]["start"] = json!(start.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    req["evaluation"]["end"] = json!(
        (start + chrono::Duration::hours(4))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    );
    let r = op.post("/api/v1/draws", &req);
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.problem()["field"], "evaluation/start");
    assert_eq!(r.json["rule"], "draw_window");
    // Another region's operator may not draw for this project.
    let r = other.post("/api/v1/draws", &request("P-C", 5, 1));
    assert_eq!(r.status, 403);
    assert_eq!(r.problem()["field"], "project/region");
    // Regulators do not draw.
    let reg = s.token("regulator", None);
    assert_eq!(reg.post("/api/v1/draws", &request("P-C", 5, 1)).status, 403);

    // The open-draw guard.
    let r = op.post("/api/v1/draws", &request("P-O", 5, 1));
    assert_eq!(r.status, 201, "{}", r.text);
    let open = r.json["id"].as_str().unwrap().to_owned();
    let r = op.post("/api/v1/draws", &request("P-O", 5, 1));
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.json["rule"], "open_draw");
    let mut approved = request("P-O", 5, 1);
    approved["approval"] = json!({"supervisor_token": sup_token, "reason": "系统故障重抽"});
    let r = op.post("/api/v1/draws", &approved);
    assert_eq!(r.status, 201, "{}", r.text);
    // Another region's operator cannot see or reveal it.
    assert_eq!(other.get(&format!("/api/v1/draws/{open}")).status, 404);
    assert_eq!(
        other
            .post(&format!("/api/v1/draws/{open}/reveal"), &json!({}))
            .status,
        404
    );
    let sup = s.api(&sup_token);
    assert_eq!(
        sup.post(&format!("/api/v1/draws/{open}/reveal"), &json!({}))
            .status,
        403
    );
    let log = entries(&sup);
    assert_eq!(
        log.iter()
            .filter(|e| e["kind"] == "draw.approve_concurrent")
            .count(),
        1
    );
    // The first draw is never revealed: the verifier lists it.
    let checked = replay(&log);
    assert_eq!(checked.abandoned.len(), 2);
    assert!(checked.abandoned.contains(&open));
}

both_backends!(committee_window_and_open_draw_guards, guards_and_rules);

/// Ten remote experts with employers of their own.
fn pool10_remote() -> Vec<Seed> {
    (0..10)
        .map(|i| Seed {
            region: "420600",
            specialty: SPECIALTY,
            employer: 300 + i,
        })
        .collect()
}

fn member_state(view: &Value, pseudonym: &str) -> String {
    view["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["pseudonym"] == pseudonym)
        .map(|m| m["state"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

fn supplementary_operator_decline_and_conflict(backend: Backend) {
    let (s, outbox) = start(backend, 3600);
    let ids = seed_pool(&s.admin(), &pool10_remote());
    let op = s.token("operator", Some("420100"));
    let sup = s.token("supervisor", None);
    let r = op.post("/api/v1/draws", &request("P-X", 5, 1));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().unwrap().to_owned();
    let r = op.post(
        &format!("/api/v1/draws/{id}/reveal"),
        &json!({"beacon": "b"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let view = r.json.clone();
    let primaries = seated(&view);
    assert_eq!(primaries.len(), 5);
    // The five invitations go out before anyone answers (a departure
    // cancels an invitation not yet sent, so waiting keeps the count fixed).
    expert_draw_tests::fixtures::wait_messages(&outbox, 5);

    // Seats are bookings: an overlapping draw of another project excludes them.
    let r = op.post("/api/v1/draws", &request("P-Y", 5, 0));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["excluded"]["booked"], 5, "{}", r.text);
    assert_eq!(r.json["candidate_count"], 5);

    // An operator-entered decline needs evidence.
    let p1 = &primaries[0];
    let r = op.post(
        &format!("/api/v1/draws/{id}/members/{p1}/decline"),
        &json!({"evidence": " "}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.problem()["field"], "evidence");
    let r = op.post(
        &format!("/api/v1/draws/{id}/members/{p1}/decline"),
        &json!({"evidence": "电话录音 2026-11-25 10:02 #4411", "reason": "身体原因"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_no_identity(&r.text, &ids);
    let reserve = r.json["replacement"].as_str().unwrap().to_owned();
    assert!(r.json["supplementary_draw"].is_null());
    // Declining again is refused without naming anyone.
    let r = op.post(
        &format!("/api/v1/draws/{id}/members/{p1}/decline"),
        &json!({"evidence": "x"}),
    );
    assert_eq!(r.status, 409);
    assert_no_identity(&r.text, &ids);

    // The only reserve is used: the next decline needs a supplementary draw.
    let p2 = &primaries[1];
    let r = op.post(
        &format!("/api/v1/draws/{id}/members/{p2}/decline"),
        &json!({"evidence": "短信回复", "conflict_of_interest": true}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_no_identity(&r.text, &ids);
    let supp = r.json["supplementary_draw"].as_str().unwrap().to_owned();
    let joined = r.json["replacement"].as_str().unwrap().to_owned();
    let view = op.get(&format!("/api/v1/draws/{id}")).json;
    assert_eq!(view["supplementary"], json!([supp]));
    assert_eq!(member_state(&view, &reserve), "invited");
    assert_eq!(member_state(&view, &joined), "invited");
    assert_eq!(seated(&view).len(), 5);
    let sv = op.get(&format!("/api/v1/draws/{supp}")).json;
    assert_eq!(sv["state"], "revealed");
    assert_eq!(sv["parent"], id.as_str());
    // Five first invitations, the reserve, the supplementary pick.
    expert_draw_tests::fixtures::wait_messages(&outbox, 7);

    // A conflict found at sign-in: that member is replaced, their work void.
    let view = op.get(&format!("/api/v1/draws/{id}")).json;
    let p3 = &primaries[2];
    let r = op.post(
        &format!("/api/v1/draws/{id}/members/{p3}/sign-in"),
        &json!({"conflict": "与投标人存在利害关系"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_no_identity(&r.text, &ids);
    let after = op.get(&format!("/api/v1/draws/{id}")).json;
    assert_eq!(member_state(&after, p3), "void");
    assert_eq!(seated(&after).len(), seated(&view).len());

    let log = entries(&sup);
    let subs: Vec<&Value> = log
        .iter()
        .filter(|e| e["kind"] == "draw.substitute")
        .collect();
    assert_eq!(subs.len(), 3);
    assert!(subs[1]["data"]["in"].is_null(), "{}", subs[1]);
    assert_eq!(subs[1]["data"]["reason"], "conflict_of_interest");
    assert_eq!(subs[2]["data"]["reason"], "conflict_at_sign_in");
    let departs: Vec<&Value> = log.iter().filter(|e| e["kind"] == "panel.depart").collect();
    assert_eq!(departs[0]["data"]["operator_entered"], true);
    let supp_reveal = log
        .iter()
        .find(|e| e["kind"] == "draw.reveal" && e["data"]["draw_id"] == supp.as_str())
        .unwrap();
    let st = &supp_reveal["data"]["statement"];
    assert_eq!(st["parent"], id.as_str());
    assert_eq!(st["panel"][0]["count"], 1);
    assert_eq!(supp_reveal["data"]["beacon"], "");
    let checked = replay(&log);
    assert_eq!(checked.substitutions, 3);
    assert!(checked.reveals >= 3);
    // The offline verifier (draw-audit draw) reproduces every reveal.
    for e in log.iter().filter(|e| e["kind"] == "draw.reveal") {
        let d = &e["data"];
        let input =
            json!({"statement": d["statement"], "nonce": d["nonce"], "beacon": d["beacon"]});
        let mut child = std::process::Command::new(expert_draw_tests::audit_bin())
            .args(["draw", "--input", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        {
            use std::io::Write;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(input.to_string().as_bytes())
                .unwrap();
        }
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(got["seed"], d["seed"]);
        assert_eq!(got["result"], d["result"]);
    }

    // A later evaluation the same day: seats held count as `recent`.
    let mut later = request("P-Z", 5, 0);
    let start = Utc::now() + chrono::Duration::hours(11);
    later["evaluation"]["start"] = json!(start.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    later["evaluation"]["end"] = json!(
        (start + chrono::Duration::hours(1))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    );
    let r = op.post("/api/v1/draws", &later);
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.json["excluded"].get("booked").is_none(), "{}", r.text);
    let z = r.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        op.post(&format!("/api/v1/draws/{z}/reveal"), &json!({}))
            .status,
        200
    );
    let log = entries(&sup);
    let st = &log
        .iter()
        .find(|e| e["kind"] == "draw.reveal" && e["data"]["draw_id"] == z.as_str())
        .unwrap()["data"]["statement"];
    let recent: u64 = st["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["recent"].as_u64().unwrap())
        .sum();
    let seats = seated(&op.get(&format!("/api/v1/draws/{id}")).json).len() as u64;
    assert_eq!(recent, seats, "each seat of the earlier panel counts once");
    replay(&log);
}

both_backends!(
    supplementary_draw_operator_decline_and_sign_in_conflict,
    supplementary_operator_decline_and_conflict
);

fn no_answer_counts_as_decline(backend: Backend) {
    let (s, outbox) = start(backend, 5);
    // Half the pool is local: the replay checks the local cap on real data.
    let mixed: Vec<Seed> = pool10_remote()
        .into_iter()
        .enumerate()
        .map(|(i, mut seed)| {
            if i % 2 == 0 {
                seed.region = "420100";
            }
            seed
        })
        .collect();
    seed_pool(&s.admin(), &mixed);
    let op = s.token("operator", Some("420100"));
    let sup = s.token("supervisor", None);
    let r = op.post("/api/v1/draws", &request("P-N", 5, 2));
    let id = r.json["id"].as_str().unwrap().to_owned();
    let r = op.post(&format!("/api/v1/draws/{id}/reveal"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let messages = expert_draw_tests::fixtures::wait_messages(&outbox, 5);
    // Operators follow the invitations by pseudonym.
    let view = op.get(&format!("/api/v1/draws/{id}")).json;
    let invited: Vec<&Value> = view["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["seat"] == true)
        .collect();
    assert_eq!(invited.len(), 5);
    for m in &invited {
        assert!(m["invitation"]["deadline"].is_string(), "{m}");
        assert!(m["invitation"]["answer"].is_null(), "{m}");
    }
    // One answers in time; the others never do.
    let r = s.anonymous().post(
        &format!("/api/v1/respond/{}", token_of(&messages[0])),
        &json!({"answer": "accept"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    std::thread::sleep(Duration::from_secs(6));
    let r = s.anonymous().post(
        &format!("/api/v1/respond/{}", token_of(&messages[1])),
        &json!({"answer": "accept"}),
    );
    assert_eq!(r.status, 409, "{}", r.text);
    // The worker's sweep processes the expired invitations.
    let started = Instant::now();
    loop {
        let log = entries(&sup);
        let no_answer = log
            .iter()
            .filter(|e| e["kind"] == "draw.substitute" && e["data"]["reason"] == "no_answer")
            .count();
        if no_answer >= 4 {
            replay(&log);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "expired invitations were not processed"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let view = op.get(&format!("/api/v1/draws/{id}")).json;
    assert!(
        view["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["state"] == "no_answer")
    );
}

both_backends!(
    unanswered_invitations_count_as_declines,
    no_answer_counts_as_decline
);

fn hard_filters(backend: Backend) {
    let (s, _outbox) = start(backend, 3600);
    let admin = s.admin();
    let remote = |employer| Seed {
        region: "420600",
        specialty: SPECIALTY,
        employer,
    };
    let mut ids = seed_pool(&admin, &(0..6).map(|i| remote(500 + i)).collect::<Vec<_>>());
    // 7: an applicant, never approved.
    let applicant = expert_draw_tests::pool::register(&admin, 7, &remote(507));
    // 8: on leave over the evaluation.
    let on_leave = expert_draw_tests::pool::register(&admin, 8, &remote(508));
    expert_draw_tests::pool::approve(&admin, &on_leave);
    let today = Utc::now().date_naive();
    let r = admin.post(
        &format!("/api/v1/experts/{on_leave}/leave"),
        &json!({"from": today.to_string(), "to": (today + chrono::Duration::days(3)).to_string(), "reason": "出国"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    // 9: works for a bidder (credit_code(2) in the request).
    let bidder = expert_draw_tests::pool::register(&admin, 9, &remote(2));
    expert_draw_tests::pool::approve(&admin, &bidder);
    // 10: another specialty.
    let other = expert_draw_tests::pool::register(
        &admin,
        10,
        &Seed {
            region: "420600",
            specialty: "ENA0201",
            employer: 510,
        },
    );
    expert_draw_tests::pool::approve(&admin, &other);
    // 11 and 12: another specialty, on leave or an applicant. Experts of
    // other specialties are counted in SQL, not read one by one: they are
    // still counted under the first filter that excludes them.
    let other_seed = Seed {
        region: "420600",
        specialty: "ENA0201",
        employer: 511,
    };
    let other_leave = expert_draw_tests::pool::register(&admin, 11, &other_seed);
    expert_draw_tests::pool::approve(&admin, &other_leave);
    let r = admin.post(
        &format!("/api/v1/experts/{other_leave}/leave"),
        &json!({"from": today.to_string(), "to": (today + chrono::Duration::days(3)).to_string(), "reason": "出差"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    expert_draw_tests::pool::register(&admin, 12, &other_seed);
    // ids[0] is avoided by name.
    let op = s.token("operator", Some("420100"));
    let sup = s.token("supervisor", None);
    let mut req = request("P-F", 5, 0);
    req["avoid"]["experts"] = json!([{"id": ids[0], "reason": "与招标人存在利害关系"}]);
    let r = op.post("/api/v1/draws", &req);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.json["excluded"],
        json!({
            "not_active": 2,
            "on_leave": 2,
            "conflict_of_interest": 1,
            "no_matching_specialty": 1,
            "avoided_by_name": 1,
        }),
        "{}",
        r.text
    );
    assert_eq!(r.json["candidate_count"], 5);
    let id = r.json["id"].as_str().unwrap().to_owned();
    // The beacon is optional, and so is the body.
    let r = op.send(
        "POST",
        &format!("/api/v1/draws/{id}/reveal"),
        "application/json",
        Vec::new(),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let log = entries(&sup);
    let reveal = log.iter().find(|e| e["kind"] == "draw.reveal").unwrap();
    let st = &reveal["data"]["statement"];
    let candidates = st["candidates"].as_array().unwrap();
    let got: Vec<&str> = candidates
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    ids.remove(0);
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    for c in candidates {
        let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["employer", "id", "recent", "region", "specialties"]);
        assert_eq!(c["recent"], 0);
    }
    for excluded in [&applicant, &on_leave, &bidder, &other] {
        assert!(!st.to_string().contains(excluded.as_str()));
    }
    assert!(
        !st.to_string().contains("测试专家"),
        "no names in a statement"
    );
    assert!(
        !reveal.to_string().contains("保密"),
        "no project name in the log"
    );
    assert_eq!(
        st["policy"],
        json!({"remote_weight": 3, "local_max": 1, "max_per_employer": 1})
    );
    // The registry's counts are kept between draws (store::pool): an expert
    // admitted since is counted by the next statement, and the counts
    // carried over draw entries alone still add up to the registry.
    let newcomer = expert_draw_tests::pool::register(&admin, 13, &other_seed);
    expert_draw_tests::pool::approve(&admin, &newcomer);
    for project in ["P-F2", "P-F3"] {
        let mut req = request(project, 5, 0);
        window(&mut req, 11, 2);
        let r = op.post("/api/v1/draws", &req);
        assert_eq!(r.status, 201, "{}", r.text);
        let excluded = r.json["excluded"].as_object().unwrap();
        assert_eq!(excluded["not_active"], 2, "{}", r.text);
        assert_eq!(excluded["on_leave"], 2, "{}", r.text);
        assert_eq!(excluded["no_matching_specialty"], 2, "{}", r.text);
        let counted: u64 = excluded.values().map(|n| n.as_u64().unwrap()).sum();
        assert_eq!(
            counted + r.json["candidate_count"].as_u64().unwrap(),
            13,
            "{}",
            r.text
        );
    }
    // The OpenAPI document lists the flow.
    let doc = s.anonymous().get("/api/v1/openapi.json").json;
    for path in [
        "/api/v1/draws",
        "/api/v1/draws/{id}/reveal",
        "/api/v1/draws/{id}/panel",
        "/api/v1/draws/{id}/members/{pseudonym}/sign-in",
        "/api/v1/respond/{token}",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from OpenAPI"
        );
    }
}

both_backends!(hard_filters_are_counted_by_reason, hard_filters);

fn concurrent_declines(backend: Backend) {
    let (s, outbox) = start(backend, 3600);
    seed_pool(&s.admin(), &pool12());
    let op = s.token("operator", Some("420100"));
    let sup = s.token("supervisor", None);
    let r = op.post("/api/v1/draws", &request("P-K", 5, 5));
    let id = r.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        op.post(&format!("/api/v1/draws/{id}/reveal"), &json!({}))
            .status,
        200
    );
    let messages = expert_draw_tests::fixtures::wait_messages(&outbox, 5);
    // All five primaries decline at once.
    let threads: Vec<_> = messages
        .iter()
        .map(|m| {
            let api = s.anonymous();
            let token = token_of(m);
            std::thread::spawn(move || {
                api.post(
                    &format!("/api/v1/respond/{token}"),
                    &json!({"answer": "decline"}),
                )
                .status
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 200);
    }
    let view = op.get(&format!("/api/v1/draws/{id}")).json;
    let seats = seated(&view);
    assert_eq!(seats.len(), 5, "five reserves fill five seats: {view}");
    let log = entries(&sup);
    let subs: Vec<&Value> = log
        .iter()
        .filter(|e| e["kind"] == "draw.substitute")
        .collect();
    assert_eq!(subs.len(), 5);
    let ins: std::collections::BTreeSet<&str> = subs
        .iter()
        .map(|e| e["data"]["in"].as_str().unwrap())
        .collect();
    assert_eq!(ins.len(), 5, "no reserve is called twice");
    assert_eq!(replay(&log).substitutions, 5);
}

both_backends!(concurrent_declines_are_serialised, concurrent_declines);

fn window(req: &mut Value, from_hours: i64, hours: i64) {
    let start = Utc::now() + chrono::Duration::hours(from_hours);
    req["evaluation"]["start"] = json!(start.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    req["evaluation"]["end"] = json!(
        (start + chrono::Duration::hours(hours))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    );
}

fn frequency_caps(backend: Backend) {
    let (s, _outbox) = start_with_draw_policy(
        backend,
        3600,
        "max_seats_same_tenderer_12m = 1\nmax_seats_lookback = 2\n",
    );
    seed_pool(&s.admin(), &pool12());
    let op = s.token("operator", Some("420100"));
    // A morning evaluation for the tenderer: five seats.
    let mut first = request("P-T1", 5, 0);
    window(&mut first, 1, 2);
    let id = op.post("/api/v1/draws", &first).json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        op.post(&format!("/api/v1/draws/{id}/reveal"), &json!({}))
            .status,
        200
    );
    // The same tenderer in the afternoon: those five are at the cap.
    let mut same = request("P-T2", 5, 0);
    window(&mut same, 4, 2);
    let r = op.post("/api/v1/draws", &same);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["excluded"]["same_tenderer_12m"], 5, "{}", r.text);
    assert_eq!(r.json["candidate_count"], 7);
    // Another tenderer: they are candidates with one recent seat.
    let mut other = request("P-T3", 5, 0);
    other["project"]["tenderer"] = json!(credit_code(9));
    window(&mut other, 4, 2);
    let r = op.post("/api/v1/draws", &other);
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        r.json["excluded"].get("same_tenderer_12m").is_none(),
        "{}",
        r.text
    );
    assert_eq!(r.json["candidate_count"], 12);
}

both_backends!(frequency_caps_exclude_by_reason, frequency_caps);
