//! Bad requests of every kind: each gets a precise RFC 9457 problem naming
//! the field and the rule, and none of them changes anything.

use expert_draw_tests::fixtures::{
    self, active_expert, assert_problem, expert_count, get_expert, log_size, pairs,
    validation_errors,
};
use expert_draw_tests::{Backend, Server, both_backends};
use serde_json::{Value, json};

fn without(mut v: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer");
    v.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("parent object")
        .remove(key);
    v
}

/// `v` with the member at `pointer` set (added if absent).
fn with(mut v: Value, pointer: &str, new: Value) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer");
    v.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("parent object")
        .insert(key.to_owned(), new);
    v
}

fn bad_requests_change_nothing(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    let (id, _) = active_expert(&s, fixtures::application_in("420100"));
    let op = s.token("operator", Some("420100"));
    let record = get_expert(&s, &id);
    let size = log_size(&s);
    let valid = fixtures::application_in("420100");

    // --- JSON that does not parse, or does not fit --------------------------
    let raw = |body: &str| {
        admin.send(
            "POST",
            "/api/v1/experts",
            "application/json",
            body.as_bytes().to_vec(),
        )
    };
    assert_problem(
        &raw(r#"{"name": "#),
        400,
        "bad-request",
        Some("body"),
        Some("malformed_json"),
    );
    assert_problem(
        &raw(""),
        400,
        "bad-request",
        Some("body"),
        Some("malformed_json"),
    );
    assert_problem(
        &raw(&format!("{valid} {{}}")),
        400,
        "bad-request",
        Some("body"),
        Some("trailing_characters"),
    );
    assert_problem(
        &raw("[]"),
        400,
        "bad-request",
        Some("body"),
        Some("invalid_type"),
    );
    let typed: Vec<(Value, &str, &str)> = vec![
        (
            with(valid.clone(), "/years_in_field", json!("ten")),
            "years_in_field",
            "invalid_type",
        ),
        (
            with(valid.clone(), "/years_in_field", json!(-1)),
            "years_in_field",
            "invalid_type",
        ),
        (
            with(valid.clone(), "/years_in_field", json!(8.5)),
            "years_in_field",
            "invalid_type",
        ),
        (
            with(valid.clone(), "/employer/code", json!(91_420_100)),
            "employer/code",
            "invalid_type",
        ),
        (
            with(valid.clone(), "/employer", json!("湖北省设计院")),
            "employer",
            "invalid_type",
        ),
        (
            with(valid.clone(), "/specialties", json!("ENA080101")),
            "specialties",
            "invalid_type",
        ),
        (
            with(valid.clone(), "/specialties", json!(["ENA080101", 7])),
            "specialties/1",
            "invalid_type",
        ),
        (
            with(valid.clone(), "/title", json!("professor")),
            "title",
            "invalid_type",
        ),
        (
            with(valid.clone(), "/civil_servant", json!("no")),
            "civil_servant",
            "invalid_type",
        ),
        (
            with(valid.clone(), "/employed_since", json!("2015-02-30")),
            "employed_since",
            "invalid_type",
        ),
        (
            with(valid.clone(), "/nickname", json!("老张")),
            "nickname",
            "unknown_field",
        ),
        (
            with(valid.clone(), "/employer/address", json!("武汉")),
            "employer/address",
            "unknown_field",
        ),
        (
            with(valid.clone(), "/documents/photo", json!("x")),
            "documents/photo",
            "unknown_field",
        ),
        (
            with(
                valid.clone(),
                "/employer_contact",
                json!({"name": "人事处", "phone": "1", "fax": "2"}),
            ),
            "employer_contact/fax",
            "unknown_field",
        ),
        (without(valid.clone(), "/mobile"), "mobile", "missing_field"),
        (without(valid.clone(), "/name"), "name", "missing_field"),
        (
            without(valid.clone(), "/employer/code"),
            "employer/code",
            "missing_field",
        ),
    ];
    for (body, field, rule) in typed {
        let r = admin.post("/api/v1/experts", &body);
        assert_eq!(r.status, 400, "{field} {rule}: {}", r.text);
        assert_problem(&r, 400, "bad-request", Some(field), Some(rule));
        assert!(!r.json["detail"].as_str().unwrap_or_default().is_empty());
    }

    // --- well-formed but invalid identifiers and references ---------------
    let rid = valid["resident_id"].as_str().expect("rid").to_owned();
    let code = valid["employer"]["code"].as_str().expect("code").to_owned();
    let impossible_birth =
        expert_core::identity::with_check_digit(&format!("{}19900230{}", &rid[..6], &rid[14..17]))
            .expect("17 digits");
    let invalid: Vec<(Value, &str, &str)> = vec![
        (
            with(
                valid.clone(),
                "/resident_id",
                json!(fixtures::with_wrong_check_digit(&rid)),
            ),
            "resident_id",
            "check_character",
        ),
        (
            with(valid.clone(), "/resident_id", json!(impossible_birth)),
            "resident_id",
            "invalid_birth_date",
        ),
        (
            with(valid.clone(), "/resident_id", json!(&rid[..17])),
            "resident_id",
            "invalid_length",
        ),
        (
            with(
                valid.clone(),
                "/resident_id",
                json!(format!("A{}", &rid[1..])),
            ),
            "resident_id",
            "invalid_character",
        ),
        (
            with(
                valid.clone(),
                "/employer/code",
                json!(fixtures::with_wrong_check_char(&code)),
            ),
            "employer/code",
            "check_character",
        ),
        (
            with(
                valid.clone(),
                "/employer/code",
                json!(format!("{}I{}", &code[..8], &code[9..])),
            ),
            "employer/code",
            "invalid_character",
        ),
        (
            with(
                valid.clone(),
                "/employer/code",
                json!(format!("91ABCDEF{}", &code[8..])),
            ),
            "employer/code",
            "invalid_region_code",
        ),
        (
            with(valid.clone(), "/mobile", json!("12812345678")),
            "mobile",
            "invalid_mobile_prefix",
        ),
        (
            with(valid.clone(), "/mobile", json!("138-1234567")),
            "mobile",
            "invalid_character",
        ),
        (
            with(valid.clone(), "/mobile", json!("+8613812345678")),
            "mobile",
            "invalid_length",
        ),
        (
            with(valid.clone(), "/region", json!("429999")),
            "region",
            "unknown_region",
        ),
        (
            with(valid.clone(), "/specialties", json!(["ZZ0101"])),
            "specialties/0",
            "unknown_specialty",
        ),
    ];
    for (body, field, rule) in invalid {
        let r = admin.post("/api/v1/experts", &body);
        assert_eq!(validation_errors(&r), pairs(&[(field, rule)]), "{body}");
    }
    // An operator may not even name another region.
    let r = op.post(
        "/api/v1/experts",
        &with(valid.clone(), "/region", json!("429999")),
    );
    assert_problem(&r, 403, "forbidden", Some("region"), None);

    // --- size and media type ------------------------------------------------
    let huge = with(valid.clone(), "/name", json!("张".repeat(100_000)));
    let r = admin.post("/api/v1/experts", &huge);
    assert_problem(&r, 413, "payload-too-large", None, None);
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/jsonx",
    ] {
        let r = admin.send(
            "POST",
            "/api/v1/experts",
            content_type,
            valid.to_string().into_bytes(),
        );
        assert_problem(&r, 415, "unsupported-media-type", None, None);
    }
    let r = admin.send(
        "PATCH",
        &format!("/api/v1/experts/{id}/contact"),
        "text/plain",
        b"{\"mobile\":\"13700000000\"}".to_vec(),
    );
    assert_problem(&r, 415, "unsupported-media-type", None, None);

    // --- query strings ------------------------------------------------------
    let query_cases: Vec<(&str, &str, &str)> = vec![
        ("/api/v1/experts?cursor=!!!", "cursor", "invalid_cursor"),
        ("/api/v1/experts?cursor=ZTE6", "cursor", "invalid_cursor"),
        (
            "/api/v1/experts?cursor=eDE6RTAwMDAwMDE",
            "cursor",
            "invalid_cursor",
        ),
        (
            "/api/v1/experts?status=sleeping",
            "status",
            "unknown_status",
        ),
        ("/api/v1/experts?status=Active", "status", "unknown_status"),
        ("/api/v1/experts?limit=0", "limit", "range"),
        ("/api/v1/experts?limit=201", "limit", "range"),
        ("/api/v1/experts?limit=abc", "limit", "invalid_query"),
        ("/api/v1/experts?limit=-5", "limit", "invalid_query"),
        ("/api/v1/experts?region=999999", "region", "unknown_region"),
        (
            "/api/v1/experts?specialty=A-08",
            "specialty",
            "invalid_code",
        ),
        ("/api/v1/experts?specialty=", "specialty", "invalid_code"),
        ("/api/v1/experts?page=2", "page", "invalid_query"),
        ("/api/v1/audit/entries?limit=0", "limit", "range"),
        ("/api/v1/audit/entries?limit=10001", "limit", "range"),
        ("/api/v1/audit/entries?from=first", "from", "invalid_query"),
        (
            "/api/v1/reference/specialties?parent=ZZ",
            "parent",
            "unknown_specialty",
        ),
        ("/api/v1/reference/specialties?level=9", "level", "range"),
        (
            "/api/v1/reference/specialties?level=x",
            "level",
            "invalid_query",
        ),
    ];
    for (path, field, rule) in query_cases {
        let r = admin.get(path);
        assert_problem(&r, 400, "bad-request", Some(field), Some(rule));
    }
    let r = admin.get(&format!(
        "/api/v1/experts?q={}",
        fixtures::enc(&"张".repeat(51))
    ));
    assert_problem(&r, 400, "bad-request", Some("q"), Some("too_long"));

    // --- other bodies ---------------------------------------------------------
    let body_cases: Vec<(&str, String, Value, &str, &str)> = vec![
        (
            "POST",
            "/api/v1/review".into(),
            json!({}),
            "as_of",
            "missing_field",
        ),
        (
            "POST",
            "/api/v1/review".into(),
            json!({"as_of": "2025-02-30"}),
            "as_of",
            "invalid_type",
        ),
        (
            "POST",
            "/api/v1/review".into(),
            json!({"as_of": "2025-01-01", "dry_run": "yes"}),
            "dry_run",
            "invalid_type",
        ),
        (
            "POST",
            format!("/api/v1/experts/{id}/admission"),
            json!({"decision": "maybe"}),
            "decision",
            "invalid_type",
        ),
        (
            "POST",
            format!("/api/v1/experts/{id}/leave"),
            json!({"from": "2030-01-10", "to": "2030-01-09", "reason": "出差"}),
            "to",
            "before_from",
        ),
        (
            "POST",
            format!("/api/v1/experts/{id}/leave"),
            json!({"from": "2030-01-10", "to": "2030-01-19", "reason": "出".repeat(501)}),
            "reason",
            "length",
        ),
        (
            "POST",
            format!("/api/v1/experts/{id}/suspend"),
            json!({"restore": "never", "reason": "x"}),
            "restore",
            "invalid_type",
        ),
        (
            "POST",
            format!("/api/v1/experts/{id}/reinstate"),
            json!({"via": {"kind": "pardon"}}),
            "via/kind",
            "invalid_type",
        ),
        (
            "POST",
            format!("/api/v1/experts/{id}/reinstate"),
            json!({"via": {"kind": "test_passed", "reference": "T-1", "score": 90}}),
            "via",
            "unknown_field",
        ),
        (
            "POST",
            format!("/api/v1/experts/{id}/retire"),
            json!({"reason": "tired"}),
            "reason",
            "invalid_type",
        ),
        (
            "POST",
            format!("/api/v1/experts/{id}/remove"),
            json!({"reason": "x", "ban_until": "2020-01-01"}),
            "ban_until",
            "past",
        ),
        (
            "POST",
            format!("/api/v1/experts/{id}/employer"),
            json!({"employer": {"name": "x", "code": code}}),
            "since",
            "missing_field",
        ),
        (
            "PATCH",
            format!("/api/v1/experts/{id}/contact"),
            json!({"email": "a@b.c"}),
            "email",
            "unknown_field",
        ),
    ];
    for (method, path, body, field, rule) in body_cases {
        let r = admin.call(method, &path, Some(&body));
        assert_problem(&r, 400, "bad-request", Some(field), Some(rule));
    }

    // --- unknown things -------------------------------------------------------
    for (method, path) in [
        ("GET", "/api/v1/nothing-here"),
        ("GET", "/api/v2/experts"),
        ("POST", "/api/v1/experts/E0000001/promote"),
        // `/` is the console's redirect; its files are one level deep.
        ("GET", "/console/a/b.js"),
    ] {
        let body = (method == "POST").then(|| json!({}));
        let r = admin.call(method, path, body.as_ref());
        assert_problem(&r, 404, "not-found", None, None);
        assert_eq!(
            r.json["detail"],
            format!("route {method} {path} does not exist")
        );
    }
    // A known path with a method it does not serve is an unknown route too.
    for (method, path) in [
        ("DELETE", "/api/v1/experts".to_owned()),
        ("PUT", format!("/api/v1/experts/{id}")),
        ("GET", format!("/api/v1/experts/{id}/suspend")),
    ] {
        let body = (method == "PUT").then(|| json!({}));
        let r = admin.call(method, &path, body.as_ref());
        assert_problem(&r, 404, "not-found", None, None);
        assert_eq!(
            r.json["detail"],
            format!("route {method} {path} does not exist")
        );
    }
    let r = admin.get("/api/v1/experts/E9999999");
    assert_problem(&r, 404, "not-found", None, None);
    assert_eq!(r.json["detail"], "expert E9999999 does not exist");
    let r = admin.post(
        "/api/v1/experts/E9999999/retire",
        &json!({"reason": "voluntary"}),
    );
    assert_problem(&r, 404, "not-found", None, None);

    // --- no token, or a wrong one ------------------------------------------------
    let r = s.anonymous().post("/api/v1/experts", &valid);
    assert_problem(&r, 401, "unauthorized", Some("Authorization"), None);
    let r = s.api("edt_wrong").post("/api/v1/experts", &valid);
    assert_problem(&r, 401, "unauthorized", Some("Authorization"), None);
    let r = s.anonymous().get_with_auth("/api/v1/experts", "Token abc");
    assert_problem(&r, 401, "unauthorized", Some("Authorization"), None);

    // Nothing of all that left a trace.
    assert_eq!(log_size(&s), size);
    assert_eq!(expert_count(&s), 1);
    assert_eq!(get_expert(&s, &id), record);

    // And a well-formed request still works, with a charset parameter too.
    let r = admin.send(
        "POST",
        "/api/v1/experts",
        "application/json; charset=utf-8",
        valid.to_string().into_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.text);
}

both_backends!(bad_input, bad_requests_change_nothing);
