//! Who may call what: every route of `routes::ROUTES` by every caller, with
//! the exact status; then tokens (revoked, expired, malformed), masking of
//! personal data for every role but admin, and secrets kept out of listings
//! and the server log.

use expert_draw_tests::fixtures::{
    self, active_expert, apply_ok, assert_problem, get_expert, log_size,
};
use expert_draw_tests::routes::{CALLERS, Caller, ROUTES, Route, Subject};
use expert_draw_tests::{Api, Backend, Server, both_backends};
use serde_json::{Value, json};

/// A client for `caller`, with a token minted by the admin.
fn client_for(s: &Server, caller: Caller) -> Api {
    match caller {
        Caller::Anonymous => s.anonymous(),
        Caller::Admin => s.admin(),
        Caller::Operator(r) => s.token("operator", Some(r)),
        Caller::Supervisor => s.token("supervisor", None),
        Caller::Regulator(r) => s.token("regulator", r),
    }
}

/// Make the route's subject afresh; returns the concrete path and, for an
/// expert, its record before the call.
fn prepare(s: &Server, route: &Route) -> (String, Option<Value>) {
    let admin = s.admin();
    let expert_path = |id: &str| (route.path.replace("{id}", id), Some(get_expert(s, id)));
    match route.subject {
        Subject::Nothing => (route.path.to_owned(), None),
        Subject::ConsoleFile => (route.path.replace("{file}", "app.js"), None),
        Subject::Period => {
            let today = expert_draw_tests::fixtures::today();
            let from = expert_draw_tests::fixtures::days_after(today, -182);
            (format!("{}?from={from}&to={today}", route.path), None)
        }
        Subject::Token => {
            let r = admin.post(
                "/api/v1/tokens",
                &json!({"role": "supervisor", "label": "to revoke"}),
            );
            assert_eq!(r.status, 201, "{}", r.text);
            let id = r.json["id"].as_str().expect("token id");
            (route.path.replace("{id}", id), None)
        }
        Subject::Applicant => {
            let created = apply_ok(&admin, &fixtures::application_in("420100"));
            expert_path(created["id"].as_str().expect("id"))
        }
        Subject::Active => {
            let (id, _) = active_expert(s, fixtures::application_in("420100"));
            expert_path(&id)
        }
        Subject::Rejected => {
            let created = apply_ok(&admin, &fixtures::application_in("420100"));
            let id = created["id"].as_str().expect("id");
            let r = admin.post(
                &format!("/api/v1/experts/{id}/admission"),
                &json!({"decision": "reject", "reasons": ["材料不全"]}),
            );
            assert_eq!(r.status, 200, "{}", r.text);
            expert_path(id)
        }
        Subject::Draw => (route.path.replace("{id}", &committed_draw(s)), None),
        Subject::RevealedDraw => {
            let (id, pseudonym) = revealed_draw(s);
            (
                route
                    .path
                    .replace("{id}", &id)
                    .replace("{pseudonym}", &pseudonym),
                None,
            )
        }
        Subject::EvaluatedDraw => {
            let (id, _) = revealed_draw(s);
            expert_draw_tests::panel::end_evaluation(s, &id);
            (route.path.replace("{id}", &id), None)
        }
        Subject::RatingLink => {
            let (id, _) = revealed_draw(s);
            expert_draw_tests::panel::end_evaluation(s, &id);
            let r = admin.post(&format!("/api/v1/draws/{id}/rating-links"), &json!({}));
            assert_eq!(r.status, 201, "{}", r.text);
            let token = r.json["token"].as_str().expect("token");
            (route.path.replace("{token}", token), None)
        }
        Subject::Invitation => {
            revealed_draw(s);
            (route.path.replace("{token}", &open_invitation(s)), None)
        }
        Subject::CaseOpened
        | Subject::CaseNoticed
        | Subject::CaseHearingRequested
        | Subject::CaseDecided
        | Subject::CaseLetter
        | Subject::CaseEffective
        | Subject::CasePublished
        | Subject::CaseReviewFiled => {
            let (case_no, expert) = expert_draw_tests::cases::case_at(s, route.subject);
            (
                route.path.replace("{id}", &case_no),
                Some(get_expert(s, &expert)),
            )
        }
        Subject::SuspendedAfterTest => {
            let (id, _) = active_expert(s, fixtures::application_in("420100"));
            let r = admin.post(
                &format!("/api/v1/experts/{id}/suspend"),
                &json!({"restore": "after_test", "reason": "评审失职"}),
            );
            assert_eq!(r.status, 200, "{}", r.text);
            expert_path(&id)
        }
    }
}

/// A committed draw of a 420100 project, by the admin.
fn committed_draw(s: &Server) -> String {
    let body = expert_draw_tests::routes::draw_body().expect("body");
    let r = s.admin().post("/api/v1/draws", &body);
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["id"].as_str().expect("id").to_owned()
}

/// A revealed draw with five seats (five fresh experts from another
/// region); returns its id and a seated member's pseudonym.
fn revealed_draw(s: &Server) -> (String, String) {
    for _ in 0..5 {
        active_expert(s, fixtures::application_in("420600"));
    }
    let id = committed_draw(s);
    let r = s
        .admin()
        .post(&format!("/api/v1/draws/{id}/reveal"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["state"], "revealed", "{}", r.text);
    let pseudonym = r.json["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["seat"] == true)
        .and_then(|m| m["pseudonym"].as_str())
        .expect("a seated member")
        .to_owned();
    (id, pseudonym)
}

/// The response token of an invitation nobody has answered, read from the
/// outbox behind the API (no notification channel is configured here).
fn open_invitation(s: &Server) -> String {
    expert_draw_tests::panel::latest_invitation(s)
}

fn every_route_by_every_caller(backend: Backend) {
    let s = Server::start(backend);
    let clients: Vec<Api> = CALLERS.iter().map(|c| client_for(&s, *c)).collect();
    let mut mismatches = Vec::new();
    for route in ROUTES {
        for (i, caller) in CALLERS.iter().enumerate() {
            let (path, before) = prepare(&s, route);
            let size_before = log_size(&s);
            let body = (route.body)();
            let r = clients[i].call(route.method, &path, body.as_ref());
            let cell = format!("{} {} as {}", route.method, route.path, caller.label());
            if r.status != route.expect[i] {
                mismatches.push(format!(
                    "{cell}: expected {}, got {}: {}",
                    route.expect[i],
                    r.status,
                    r.text.chars().take(200).collect::<String>()
                ));
                continue;
            }
            if r.status < 400 {
                continue;
            }
            // A refusal is a problem+json and changes nothing.
            let p = r.problem();
            // 400, 409 and 422 are refusals by a rule after the access
            // check passed (the table says which).
            let expected_type = match r.status {
                400 => "bad-request",
                401 => "unauthorized",
                403 => "forbidden",
                404 => "not-found",
                409 => "conflict",
                422 => "validation",
                other => panic!("{cell}: unexpected refusal {other}"),
            };
            assert_eq!(
                p["type"],
                format!("urn:expert-draw:problem:{expected_type}"),
                "{cell}"
            );
            if r.status == 401 {
                assert_eq!(p["field"], "Authorization", "{cell}");
            }
            assert_eq!(log_size(&s), size_before, "{cell} wrote to the log");
            if let Some(before) = before {
                let id = before["id"].as_str().expect("id");
                let after = get_expert(&s, id);
                assert_eq!(after["version"], before["version"], "{cell} changed it");
                assert_eq!(after["status"], before["status"], "{cell} changed it");
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} cell(s) differ from the table:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

both_backends!(access_matrix, every_route_by_every_caller);

fn create_token(s: &Server, body: &Value) -> (String, String) {
    let r = s.admin().post("/api/v1/tokens", body);
    assert_eq!(r.status, 201, "{}", r.text);
    (
        r.json["id"].as_str().expect("id").to_owned(),
        r.json["token"].as_str().expect("token").to_owned(),
    )
}

fn refused_token(r: &expert_draw_tests::Response, detail: &str) {
    assert_problem(r, 401, "unauthorized", Some("Authorization"), None);
    assert_eq!(r.json["detail"], detail, "{}", r.text);
}

fn tokens_are_checked(backend: Backend) {
    let s = Server::start(backend);
    let mut secrets = vec![s.admin_token.clone()];

    // A working token, then revoked: refused from then on.
    let (id, secret) = create_token(&s, &json!({"role": "supervisor", "label": "soon revoked"}));
    secrets.push(secret.clone());
    let api = s.api(&secret);
    assert_eq!(api.get("/api/v1/experts").status, 200);
    let r = s.admin().delete(&format!("/api/v1/tokens/{id}"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["id"], id);
    assert!(r.json["revoked_at"].is_string(), "{}", r.text);
    refused_token(&api.get("/api/v1/experts"), "the token has been revoked");
    // Revoking twice is a conflict, and a stranger's id is not found.
    let r = s.admin().delete(&format!("/api/v1/tokens/{id}"));
    assert_problem(&r, 409, "conflict", None, Some("already_revoked"));
    let r = s.admin().delete("/api/v1/tokens/T000000000000");
    assert_problem(&r, 404, "not-found", None, None);

    // The API refuses to mint an expired token; one made to expire in the
    // database is refused.
    let r = s.admin().post(
        "/api/v1/tokens",
        &json!({"role": "supervisor", "label": "past", "expires_at": "2020-01-01T00:00:00Z"}),
    );
    assert_problem(&r, 400, "bad-request", Some("expires_at"), Some("past"));
    let (id, secret) = create_token(
        &s,
        &json!({"role": "regulator", "label": "expiring", "expires_at": "2999-01-01T00:00:00Z"}),
    );
    secrets.push(secret.clone());
    let api = s.api(&secret);
    assert_eq!(api.get("/api/v1/experts").status, 200);
    {
        use diesel::prelude::*;
        use expert_api::db::schema::api_tokens;
        let past = fixtures::date(2020, 1, 1)
            .and_hms_opt(0, 0, 0)
            .expect("time");
        let mut conn = s.db.connect();
        let n = diesel::update(api_tokens::table.find(&id))
            .set(api_tokens::expires_at.eq(Some(past)))
            .execute(&mut conn)
            .expect("expire the token");
        assert_eq!(n, 1);
    }
    refused_token(&api.get("/api/v1/experts"), "the token has expired");

    // Malformed headers.
    let anon = s.anonymous();
    for (header, detail) in [
        (
            format!("Basic {}", s.admin_token),
            "use the Bearer scheme: Authorization: Bearer <token>",
        ),
        (
            "Bearer".to_owned(),
            "use the Bearer scheme: Authorization: Bearer <token>",
        ),
        (
            "Bearer    ".to_owned(),
            "use the Bearer scheme: Authorization: Bearer <token>",
        ),
        (
            format!("bearer{}", s.admin_token),
            "use the Bearer scheme: Authorization: Bearer <token>",
        ),
        (
            "Bearer edt_not-a-real-token".to_owned(),
            "the token is not known",
        ),
        (
            format!("Bearer {}x", s.admin_token),
            "the token is not known",
        ),
    ] {
        refused_token(&anon.get_with_auth("/api/v1/experts", &header), detail);
    }
    refused_token(
        &anon.get("/api/v1/experts"),
        "send Authorization: Bearer <token>",
    );

    // Bad token requests.
    let r = s
        .admin()
        .post("/api/v1/tokens", &json!({"role": "operator", "label": "x"}));
    assert_problem(&r, 400, "bad-request", Some("region"), Some("binding"));
    let r = s.admin().post(
        "/api/v1/tokens",
        &json!({"role": "admin", "region": "420100", "label": "x"}),
    );
    assert_problem(&r, 400, "bad-request", Some("region"), Some("binding"));
    let r = s.admin().post(
        "/api/v1/tokens",
        &json!({"role": "operator", "region": "999999", "label": "x"}),
    );
    assert_problem(&r, 400, "bad-request", Some("region"), Some("binding"));
    let r = s.admin().post(
        "/api/v1/tokens",
        &json!({"role": "supervisor", "label": " "}),
    );
    assert_problem(&r, 400, "bad-request", Some("label"), Some("length"));
    let r = s
        .admin()
        .post("/api/v1/tokens", &json!({"role": "boss", "label": "x"}));
    assert_problem(&r, 400, "bad-request", Some("role"), Some("invalid_type"));

    // Secrets appear once, at creation: never in the listing or the log.
    let (_, secret) = create_token(
        &s,
        &json!({"role": "operator", "region": "420600", "label": "listed"}),
    );
    secrets.push(secret);
    let list = s.admin().get("/api/v1/tokens");
    assert_eq!(list.status, 200, "{}", list.text);
    let items = list.json.as_array().expect("array");
    assert_eq!(items.len(), 4, "{}", list.text);
    for t in items {
        let keys: Vec<&str> = t
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "created_at",
                "expires_at",
                "id",
                "label",
                "region",
                "revoked_at",
                "role"
            ],
            "{t}"
        );
    }
    let log = s.log();
    assert!(log.contains("request"), "the server log is empty:\n{log}");
    for secret in &secrets {
        assert!(
            !list.text.contains(secret.as_str()),
            "secret in the listing"
        );
        assert!(!log.contains(secret.as_str()), "secret in the server log");
        for (_, entry) in fixtures::audit_lines(&s) {
            assert!(
                !entry.to_string().contains(secret.as_str()),
                "secret in the audit log"
            );
        }
    }
    assert!(!list.text.contains("edt_"), "{}", list.text);
    assert!(!log.contains("edt_"), "a token prefix in the server log");
}

both_backends!(tokens, tokens_are_checked);

/// Identity and phone numbers masked as `420106********1234` and
/// `138****5678`.
fn masked_resident_id(full: &str) -> String {
    format!("{}********{}", &full[..6], &full[14..])
}

fn masked_mobile(full: &str) -> String {
    format!("{}****{}", &full[..3], &full[7..])
}

fn check_view(who: &str, v: &Value, app: &Value, full: bool, sees_contact: bool) {
    let rid = app["resident_id"].as_str().expect("rid");
    let mobile = app["mobile"].as_str().expect("mobile");
    if full {
        assert_eq!(v["resident_id"], rid, "{who}");
        assert_eq!(v["mobile"], mobile, "{who}");
    } else {
        assert_eq!(v["resident_id"], masked_resident_id(rid), "{who}");
        assert_eq!(v["mobile"], masked_mobile(mobile), "{who}");
        let text = v.to_string();
        assert!(!text.contains(rid), "{who} sees the resident ID");
        assert!(!text.contains(mobile), "{who} sees the mobile number");
    }
    if sees_contact {
        assert_eq!(v["employer_contact"], app["employer_contact"], "{who}");
    } else {
        assert_eq!(v["employer_contact"], Value::Null, "{who}");
    }
    assert_eq!(v["name"], app["name"], "{who}");
}

fn personal_data_is_masked(backend: Backend) {
    let s = Server::start(backend);
    let contact = json!({"name": "人事处", "phone": "027-88886666", "address": null});
    let mut wuhan = fixtures::application_in("420100");
    wuhan["civil_servant"] = json!(true);
    wuhan["employer_contact"] = contact.clone();
    let mut xiangyang = fixtures::application_in("420600");
    xiangyang["civil_servant"] = json!(true);
    xiangyang["employer_contact"] = contact;
    let (wuhan_id, _) = active_expert(&s, wuhan.clone());
    let (xiangyang_id, _) = active_expert(&s, xiangyang.clone());

    // (caller, sees unmasked, sees employer contact, experts it reaches)
    type Reached<'a> = Vec<(&'a str, &'a Value)>;
    let cases: [(Caller, bool, bool, Reached); 6] = [
        (
            Caller::Admin,
            true,
            true,
            vec![(&wuhan_id, &wuhan), (&xiangyang_id, &xiangyang)],
        ),
        (
            Caller::Operator("420100"),
            false,
            false,
            vec![(&wuhan_id, &wuhan)],
        ),
        (
            Caller::Operator("420600"),
            false,
            false,
            vec![(&xiangyang_id, &xiangyang)],
        ),
        (
            Caller::Supervisor,
            false,
            false,
            vec![(&wuhan_id, &wuhan), (&xiangyang_id, &xiangyang)],
        ),
        (
            Caller::Regulator(None),
            false,
            true,
            vec![(&wuhan_id, &wuhan), (&xiangyang_id, &xiangyang)],
        ),
        (
            Caller::Regulator(Some("420600")),
            false,
            true,
            vec![(&xiangyang_id, &xiangyang)],
        ),
    ];
    for (caller, full, sees_contact, reached) in cases {
        let api = client_for(&s, caller);
        let who = caller.label();
        let list = api.get("/api/v1/experts");
        assert_eq!(list.status, 200, "{who}: {}", list.text);
        let items = list.json["items"].as_array().expect("items");
        let ids: Vec<&str> = items
            .iter()
            .map(|i| i["id"].as_str().expect("id"))
            .collect();
        let expected: Vec<&str> = reached.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, expected, "{who} lists");
        for ((id, app), item) in reached.iter().zip(items) {
            check_view(&format!("{who} list"), item, app, full, sees_contact);
            let one = api.get(&format!("/api/v1/experts/{id}"));
            assert_eq!(one.status, 200, "{who}: {}", one.text);
            check_view(&format!("{who} get"), &one.json, app, full, sees_contact);
        }
    }
}

both_backends!(masking, personal_data_is_masked);
