//! An expert's life over HTTP: application, admission, rejection and
//! re-application, leave, the three kinds of suspension, retirement,
//! removal, contact and employer changes. Every refused step is a 409 that
//! changes nothing; every accepted one adds exactly its audit entry, and the
//! exported log carries no personal data.

use expert_draw_tests::fixtures::{
    self, apply_ok, assert_problem, audit_lines, born_aged, days_after, get_expert, log_size,
    today, validation_errors, years_after,
};
use expert_draw_tests::{Api, Backend, Server, both_backends};
use serde_json::{Value, json};

fn path(id: &str, action: &str) -> String {
    format!("/api/v1/experts/{id}/{action}")
}

/// Runs a step that must succeed; returns the new record.
fn step(api: &Api, id: &str, action: &str, body: Option<Value>) -> Value {
    let r = api.call("POST", &path(id, action), body.as_ref());
    assert_eq!(r.status, 200, "{action} on {id}: {}", r.text);
    r.json
}

/// Runs a step that the state forbids: 409 naming `rule`, and the record
/// and the log are exactly as before.
fn refused(s: &Server, api: &Api, method: &str, id: &str, action: &str, body: Value, rule: &str) {
    let before = get_expert(s, id);
    let size = log_size(s);
    let r = api.call(method, &path(id, action), Some(&body));
    assert_problem(&r, 409, "conflict", None, Some(rule));
    let after = get_expert(s, id);
    assert_eq!(after, before, "{action} on {id} changed the record");
    assert_eq!(log_size(s), size, "{action} on {id} wrote to the log");
}

fn illegal(s: &Server, api: &Api, id: &str, action: &str, body: Value) {
    refused(s, api, "POST", id, action, body, "illegal_transition");
}

fn leave_body() -> Value {
    json!({"from": today().to_string(), "to": days_after(today(), 14).to_string(), "reason": "出国访问"})
}

fn suspend_body(restore: &str) -> Value {
    json!({"restore": restore, "reason": "评审中未按规定回避"})
}

fn via(kind: &str) -> Value {
    match kind {
        "automatic" => json!({"via": {"kind": "automatic", "on": today().to_string()}}),
        other => json!({"via": {"kind": other, "reference": "REF-2025-01"}}),
    }
}

/// Every command that is illegal from the given status, with a body that
/// would be valid otherwise.
fn all_steps() -> Vec<(&'static str, Value)> {
    vec![
        ("admission", json!({"decision": "approve"})),
        (
            "admission",
            json!({"decision": "reject", "reasons": ["不符合条件"]}),
        ),
        ("reapply", json!({})),
        ("leave", leave_body()),
        ("suspend", suspend_body("after_test")),
        ("reinstate", via("test_passed")),
        ("retire", json!({"reason": "voluntary"})),
        ("remove", json!({"reason": "收受财物"})),
    ]
}

fn illegal_all_but(s: &Server, api: &Api, id: &str, allowed: &[&str]) {
    for (action, body) in all_steps() {
        let key = match body.get("decision").and_then(Value::as_str) {
            Some(d) => format!("admission:{d}"),
            None => action.to_owned(),
        };
        if !allowed.contains(&key.as_str()) {
            illegal(s, api, id, action, body);
        }
    }
}

fn masked_rid(full: &str) -> String {
    format!("{}********{}", &full[..6], &full[14..])
}

fn masked_mobile(full: &str) -> String {
    format!("{}****{}", &full[..3], &full[7..])
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing: {v}"))
}

fn a_life_over_http(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    let op = s.token("operator", Some("420100"));
    let reg = s.token("regulator", None);
    let today = today();
    let mut kinds = vec!["token.create"; 3];
    // Everything personal the log must never hold.
    let mut personal: Vec<String> = Vec::new();

    // --- apply: an operator registers a person of their region ----------
    let app = fixtures::application("420100", born_aged(50, 40));
    let rid = str_of(&app, "resident_id").to_owned();
    let mobile = str_of(&app, "mobile").to_owned();
    personal.extend([rid.clone(), mobile.clone(), str_of(&app, "name").to_owned()]);
    let r = op.post("/api/v1/experts", &app);
    assert_eq!(r.status, 201, "{}", r.text);
    kinds.push("expert.apply");
    let created = r.json;
    let a = str_of(&created, "id").to_owned();
    assert!(
        a.len() == 8 && a.starts_with('E') && a[1..].bytes().all(|b| b.is_ascii_digit()),
        "{a}"
    );
    assert_eq!(created["status"], "applicant");
    assert_eq!(created["status_detail"], json!({"status": "applicant"}));
    assert_eq!(created["version"], 1);
    assert_eq!(created["term_number"], 1);
    assert_eq!(created["resident_id"], masked_rid(&rid));
    assert!(str_of(&created, "resident_id").starts_with("420106********"));
    assert_eq!(created["mobile"], masked_mobile(&mobile));
    assert_eq!(created["name"], app["name"]);
    assert_eq!(created["region"], "420100");
    assert_eq!(created["employer"], app["employer"]);
    assert_eq!(created["specialties"], json!([fixtures::SPECIALTY]));
    assert_eq!(created["title"], "associate_senior");
    assert_eq!(created["years_in_field"], 15);
    assert_eq!(created["civil_servant"], false);
    assert_eq!(created["senior_equivalent"], false);
    assert_eq!(created["employer_contact"], Value::Null);
    assert!(created.get("employment_history").is_none(), "{created}");
    // The admin sees the record in full, with its employment history.
    let full = get_expert(&s, &a);
    assert_eq!(full["resident_id"], rid.as_str());
    assert_eq!(full["mobile"], mobile.as_str());
    assert_eq!(
        full["employment_history"],
        json!([{"employer": app["employer"], "from": "2015-03-01", "to": null}])
    );
    // So does the operator's own read, masked.
    let seen = op.get(&format!("/api/v1/experts/{a}"));
    assert_eq!(seen.status, 200);
    assert_eq!(seen.json["resident_id"], masked_rid(&rid));
    assert_eq!(seen.json["mobile"], masked_mobile(&mobile));

    // An applicant can only be decided (or removed).
    illegal_all_but(
        &s,
        &admin,
        &a,
        &["admission:approve", "admission:reject", "remove"],
    );

    // --- approve: active for a four-year term from today -----------------
    let approved = step(&reg, &a, "admission", Some(json!({"decision": "approve"})));
    kinds.push("expert.approve");
    assert_eq!(approved["status"], "active");
    let term =
        json!({"number": 1, "start": today.to_string(), "end": years_after(today, 4).to_string()});
    assert_eq!(
        approved["status_detail"],
        json!({"status": "active", "term": term})
    );
    assert_eq!(approved["version"], 2);
    assert_eq!(approved["term_number"], 1);
    // The regulator's view is masked too.
    assert_eq!(approved["resident_id"], masked_rid(&rid));
    illegal_all_but(&s, &admin, &a, &["leave", "suspend", "retire", "remove"]);

    // --- leave -------------------------------------------------------------
    let on_leave = step(&op, &a, "leave", Some(leave_body()));
    kinds.push("expert.grant_leave");
    assert_eq!(on_leave["status"], "on_leave");
    assert_eq!(
        on_leave["status_detail"],
        json!({"status": "on_leave", "term": term, "from": today.to_string(),
               "to": days_after(today, 14).to_string(), "reason": "出国访问"})
    );
    assert_eq!(on_leave["version"], 3);
    illegal_all_but(&s, &admin, &a, &["suspend", "retire", "remove"]);

    // --- suspension after a test, from leave ------------------------------
    let suspended = step(&reg, &a, "suspend", Some(suspend_body("after_test")));
    kinds.push("expert.suspend");
    assert_eq!(suspended["status"], "suspended");
    assert_eq!(
        suspended["status_detail"],
        json!({"status": "suspended", "term": term, "from": today.to_string(), "until": null,
               "restore": "after_test", "reason": "评审中未按规定回避"})
    );
    // Only a passed test ends it.
    illegal(&s, &reg, &a, "reinstate", via("application"));
    illegal(&s, &reg, &a, "reinstate", via("automatic"));
    illegal_all_but(&s, &admin, &a, &["reinstate", "retire", "remove"]);
    let back = step(&reg, &a, "reinstate", Some(via("test_passed")));
    kinds.push("expert.reinstate");
    assert_eq!(
        back["status_detail"],
        json!({"status": "active", "term": term})
    );

    // --- automatic suspension whose period is over: only automatically ------
    let over = json!({"from": days_after(today, -10).to_string(), "until": today.to_string(),
                       "restore": "automatic", "reason": "无故缺席评标"});
    step(&reg, &a, "suspend", Some(over));
    kinds.push("expert.suspend");
    illegal(&s, &reg, &a, "reinstate", via("test_passed"));
    illegal(&s, &reg, &a, "reinstate", via("application"));
    let back = step(&reg, &a, "reinstate", Some(via("automatic")));
    kinds.push("expert.reinstate");
    assert_eq!(
        back["status_detail"],
        json!({"status": "active", "term": term})
    );

    // --- suspension until an application is approved -----------------------
    step(&admin, &a, "suspend", Some(suspend_body("on_application")));
    kinds.push("expert.suspend");
    illegal(&s, &reg, &a, "reinstate", via("test_passed"));
    illegal(&s, &reg, &a, "reinstate", via("automatic"));
    let back = step(&reg, &a, "reinstate", Some(via("application")));
    kinds.push("expert.reinstate");
    assert_eq!(back["status"], "active");

    // Input that no state could accept is a 400, not a conflict.
    let size = log_size(&s);
    let r = reg.post(
        &path(&a, "suspend"),
        &json!({"restore": "automatic", "reason": "无故缺席评标"}),
    );
    assert_problem(&r, 400, "bad-request", Some("until"), Some("required"));
    let r = reg.post(
        &path(&a, "suspend"),
        &json!({"from": today.to_string(), "until": today.to_string(), "restore": "automatic", "reason": "x"}),
    );
    assert_problem(&r, 400, "bad-request", Some("until"), Some("before_from"));
    let r = reg.post(
        &path(&a, "suspend"),
        &json!({"restore": "after_test", "reason": " "}),
    );
    assert_problem(&r, 400, "bad-request", Some("reason"), Some("length"));
    assert_eq!(log_size(&s), size);

    // --- automatic suspension still running: not before `until` --------------
    let running = json!({"from": today.to_string(), "until": days_after(today, 30).to_string(),
                          "restore": "automatic", "reason": "无故缺席评标"});
    let suspended = step(&reg, &a, "suspend", Some(running));
    kinds.push("expert.suspend");
    assert_eq!(
        suspended["status_detail"]["until"],
        days_after(today, 30).to_string()
    );
    illegal(&s, &reg, &a, "reinstate", via("automatic"));
    illegal(&s, &reg, &a, "reinstate", via("test_passed"));
    let r = reg.post(
        &path(&a, "reinstate"),
        &json!({"via": {"kind": "application", "reference": "  "}}),
    );
    assert_problem(
        &r,
        400,
        "bad-request",
        Some("via/reference"),
        Some("required"),
    );

    // --- retire (from the suspension), then remove ---------------------------
    let retired = step(&reg, &a, "retire", Some(json!({"reason": "voluntary"})));
    kinds.push("expert.retire");
    assert_eq!(
        retired["status_detail"],
        json!({"status": "retired", "on": today.to_string(), "reason": "voluntary"})
    );
    illegal_all_but(&s, &admin, &a, &["remove"]);
    let removed = step(
        &admin,
        &a,
        "remove",
        Some(json!({"reason": "收受投标人财物"})),
    );
    kinds.push("expert.remove");
    assert_eq!(
        removed["status_detail"],
        json!({"status": "removed", "on": today.to_string(), "reason": "收受投标人财物", "ban_until": null})
    );
    // Removed is terminal: nothing applies, nothing can be edited.
    illegal_all_but(&s, &admin, &a, &[]);
    refused(
        &s,
        &admin,
        "PATCH",
        &a,
        "contact",
        json!({"mobile": "13700000000"}),
        "terminal_status",
    );
    refused(
        &s,
        &admin,
        "POST",
        &a,
        "employer",
        json!({"employer": {"name": "新单位", "code": fixtures::credit_code("420100", 7_777_777)},
               "since": today.to_string()}),
        "terminal_status",
    );
    // A removed person without an end to the ban is barred for good: the
    // admission rules refuse before the duplicate check.
    let size = log_size(&s);
    let mut again = app.clone();
    again["mobile"] = json!("13600000001");
    let r = op.post("/api/v1/experts", &again);
    assert_eq!(
        validation_errors(&r),
        fixtures::pairs(&[("history/previously_removed", "permanently_barred")])
    );
    assert_eq!(log_size(&s), size);

    // --- removal with a ban that ends ------------------------------------------
    let app_d = fixtures::application("420100", born_aged(45, 200));
    let rid_d = str_of(&app_d, "resident_id").to_owned();
    personal.extend([
        rid_d.clone(),
        str_of(&app_d, "mobile").to_owned(),
        str_of(&app_d, "name").to_owned(),
    ]);
    let (d, _) = fixtures::active_expert(&s, app_d.clone());
    kinds.extend(["expert.apply", "expert.approve"]);
    let ban_until = days_after(today, 365).to_string();
    let removed = step(
        &reg,
        &d,
        "remove",
        Some(json!({"reason": "串通投标", "ban_until": ban_until})),
    );
    kinds.push("expert.remove");
    assert_eq!(removed["status_detail"]["ban_until"], ban_until.as_str());
    let size = log_size(&s);
    let r = op.post("/api/v1/experts", &app_d);
    assert_eq!(
        validation_errors(&r),
        fixtures::pairs(&[("history/ban_until", "banned")])
    );
    // Once the ban is over (moved into the past behind the API's back) the
    // person may apply again, as a new record: the removed one stays as it
    // was, and the new application is one more `expert.apply`.
    {
        use diesel::prelude::*;
        use expert_api::db::schema::bans;
        let mut conn = s.db.connect();
        let n = diesel::update(bans::table.filter(bans::resident_id.eq(&rid_d)))
            .set(bans::until.eq(Some(days_after(today, -1))))
            .execute(&mut conn)
            .expect("end the ban");
        assert_eq!(n, 1);
    }
    let r = op.post("/api/v1/experts", &app_d);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_ne!(r.json["id"], json!(d));
    assert_eq!(r.json["status"], "applicant");
    let d2 = r.json["id"].as_str().expect("id").to_owned();
    assert_eq!(log_size(&s), size + 1);
    kinds.push("expert.apply");
    let old = s.admin().get(&format!("/api/v1/experts/{d}"));
    assert_eq!(old.json["status"], "removed");
    // While that new record is live, a third application is refused.
    let size = log_size(&s);
    let r = op.post("/api/v1/experts", &app_d);
    assert_problem(&r, 409, "conflict", None, Some("already_registered"));
    assert_eq!(log_size(&s), size);

    // --- rejection with reasons, re-application, approval -------------------
    let app_b = fixtures::application("420100", born_aged(40, 100));
    personal.extend([
        str_of(&app_b, "resident_id").to_owned(),
        str_of(&app_b, "mobile").to_owned(),
        str_of(&app_b, "name").to_owned(),
    ]);
    let b = str_of(&apply_ok(&op, &app_b), "id").to_owned();
    kinds.push("expert.apply");
    for reasons in [json!([]), json!(["  "]), json!(["材料不全", ""])] {
        let size = log_size(&s);
        let r = reg.post(
            &path(&b, "admission"),
            &json!({"decision": "reject", "reasons": reasons}),
        );
        assert_problem(&r, 400, "bad-request", Some("reasons"), Some("required"));
        assert_eq!(log_size(&s), size);
    }
    let reasons = json!(["业绩证明材料不全", "职称证书已过期"]);
    let rejected = step(
        &reg,
        &b,
        "admission",
        Some(json!({"decision": "reject", "reasons": reasons})),
    );
    kinds.push("expert.reject");
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(
        rejected["status_detail"],
        json!({"status": "rejected", "reasons": reasons})
    );
    illegal_all_but(&s, &admin, &b, &["reapply", "remove"]);
    let reapplied = step(&op, &b, "reapply", None);
    kinds.push("expert.reapply");
    assert_eq!(reapplied["status"], "applicant");
    assert_eq!(reapplied["version"], 3);
    let approved = step(
        &admin,
        &b,
        "admission",
        Some(json!({"decision": "approve"})),
    );
    kinds.push("expert.approve");
    assert_eq!(approved["status"], "active");
    // --- renewal: the next term follows the current one without a gap -------
    let renewed = step(&reg, &b, "renewal", Some(json!({"decision": "approve"})));
    kinds.push("expert.renew");
    let end1 = years_after(today, 4);
    assert_eq!(
        renewed["status_detail"],
        json!({"status": "active", "term": {"number": 2, "start": end1.to_string(),
               "end": years_after(end1, 4).to_string()}})
    );
    assert_eq!(renewed["term_number"], 2);
    refused(
        &s,
        &reg,
        "POST",
        &a,
        "renewal",
        json!({"decision": "approve"}),
        "not_a_member",
    );
    // The same person cannot be registered twice.
    let size = log_size(&s);
    let r = op.post("/api/v1/experts", &app_b);
    assert_problem(&r, 409, "conflict", None, Some("already_registered"));
    assert_eq!(log_size(&s), size);

    // --- contact and employer changes ---------------------------------------
    let app_c = fixtures::application("420100", born_aged(38, 10));
    personal.extend([
        str_of(&app_c, "resident_id").to_owned(),
        str_of(&app_c, "mobile").to_owned(),
        str_of(&app_c, "name").to_owned(),
    ]);
    let (c, _) = fixtures::active_expert(&s, app_c.clone());
    kinds.extend(["expert.apply", "expert.approve"]);
    let new_mobile = "13588887777";
    personal.push(new_mobile.to_owned());
    let r = op.patch(&path(&c, "contact"), &json!({"mobile": new_mobile}));
    assert_eq!(r.status, 200, "{}", r.text);
    kinds.push("expert.update_contact");
    assert_eq!(r.json["mobile"], "135****7777");
    assert_eq!(r.json["version"], 3);
    assert_eq!(get_expert(&s, &c)["mobile"], new_mobile);

    let contact =
        json!({"name": "人事处", "phone": "027-87654321", "address": "武汉市武昌区中北路1号"});
    let r = op.patch(&path(&c, "contact"), &json!({"employer_contact": contact}));
    assert_eq!(r.status, 200, "{}", r.text);
    kinds.push("expert.update_contact");
    // Operators do not see the employer contact; admins do.
    assert_eq!(r.json["employer_contact"], Value::Null);
    assert_eq!(get_expert(&s, &c)["employer_contact"], contact);
    let r = admin.patch(&path(&c, "contact"), &json!({"employer_contact": null}));
    assert_eq!(r.status, 200, "{}", r.text);
    kinds.push("expert.update_contact");
    assert_eq!(r.json["employer_contact"], Value::Null);
    assert_eq!(get_expert(&s, &c)["employer_contact"], Value::Null);

    // Empty changes and invalid values are refused and change nothing.
    let before = get_expert(&s, &c);
    let size = log_size(&s);
    let r = op.patch(&path(&c, "contact"), &json!({}));
    assert_problem(&r, 400, "bad-request", Some("body"), Some("empty_change"));
    let r = op.patch(&path(&c, "contact"), &json!({"mobile": "12345678901"}));
    assert_eq!(
        validation_errors(&r),
        fixtures::pairs(&[("mobile", "invalid_mobile_prefix")])
    );
    let r = admin.patch(&path(&c, "contact"), &json!({"region": "429999"}));
    assert_eq!(
        validation_errors(&r),
        fixtures::pairs(&[("region", "unknown_region")])
    );
    let r = op.patch(
        &path(&c, "contact"),
        &json!({"employer_contact": {"name": "人事处"}}),
    );
    assert_eq!(
        validation_errors(&r),
        fixtures::pairs(&[("employer_contact", "missing_contact_channel")])
    );
    // An operator cannot move an expert out of their region.
    let r = op.patch(&path(&c, "contact"), &json!({"region": "420600"}));
    assert_problem(&r, 403, "forbidden", Some("region"), None);
    assert_eq!(get_expert(&s, &c), before);
    assert_eq!(log_size(&s), size);

    // A new employer: the old one stays in the history, closed.
    let old_employer = app_c["employer"].clone();
    let new_employer =
        json!({"name": "中南建筑设计院", "code": fixtures::credit_code("420100", 8_888_888)});
    let r = op.post(
        &path(&c, "employer"),
        &json!({"employer": new_employer, "since": "2024-01-01"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    kinds.push("expert.change_employer");
    assert_eq!(r.json["employer"], new_employer);
    let record = get_expert(&s, &c);
    assert_eq!(record["employer"], new_employer);
    assert_eq!(
        record["employment_history"],
        json!([
            {"employer": old_employer, "from": "2015-03-01", "to": "2024-01-01"},
            {"employer": new_employer, "from": "2024-01-01", "to": null},
        ])
    );
    // Going back in time, or "moving" to the current employer, is refused.
    let size = log_size(&s);
    let other = json!({"name": "另一单位", "code": fixtures::credit_code("420100", 6_666_666)});
    let r = op.post(
        &path(&c, "employer"),
        &json!({"employer": other, "since": "2023-12-31"}),
    );
    assert_eq!(
        validation_errors(&r),
        fixtures::pairs(&[("since", "out_of_range")])
    );
    let r = op.post(
        &path(&c, "employer"),
        &json!({"employer": new_employer, "since": "2025-01-01"}),
    );
    assert_eq!(
        validation_errors(&r),
        fixtures::pairs(&[("employer/code", "duplicate")])
    );
    let r = op.post(
        &path(&c, "employer"),
        &json!({"employer": {"name": "x", "code": fixtures::with_wrong_check_char(str_of(&other, "code"))},
                "since": "2025-01-01"}),
    );
    assert_eq!(
        validation_errors(&r),
        fixtures::pairs(&[("employer/code", "check_character")])
    );
    assert_eq!(get_expert(&s, &c), record);
    assert_eq!(log_size(&s), size);

    // The admin moves the expert to Xiangyang: the Wuhan operator loses them.
    let r = admin.patch(&path(&c, "contact"), &json!({"region": "420600"}));
    assert_eq!(r.status, 200, "{}", r.text);
    kinds.push("expert.update_contact");
    assert_eq!(r.json["region"], "420600");
    let r = op.get(&format!("/api/v1/experts/{c}"));
    assert_problem(&r, 404, "not-found", None, None);

    // A refused renewal retires the expert.
    let size = log_size(&s);
    let r = admin.post(&path(&c, "renewal"), &json!({"decision": "reject"}));
    assert_problem(&r, 400, "bad-request", Some("reasons"), Some("required"));
    assert_eq!(log_size(&s), size);
    let retired = step(
        &admin,
        &c,
        "renewal",
        Some(json!({"decision": "reject", "reasons": ["年度考核不合格"]})),
    );
    kinds.push("expert.retire");
    assert_eq!(
        retired["status_detail"],
        json!({"status": "retired", "on": today.to_string(), "reason": "term_not_renewed"})
    );

    // --- the log: exactly these entries, dense, without personal data -------
    let lines = audit_lines(&s);
    let got: Vec<&str> = lines
        .iter()
        .map(|(_, v)| v["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(got, kinds);
    assert_eq!(log_size(&s), u64::try_from(lines.len()).expect("size"));
    for (i, (text, v)) in lines.iter().enumerate() {
        assert_eq!(v["seq"], i, "{text}");
        let keys: Vec<&str> = v
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["actor", "data", "kind", "seq", "time"], "{text}");
        for p in &personal {
            assert!(!text.contains(p.as_str()), "entry {i} holds {p}: {text}");
        }
        if let Some(kind) = v["kind"].as_str().filter(|k| k.starts_with("expert.")) {
            let subject = v["data"]["expert_id"].as_str().expect("expert_id");
            assert!(
                [&a, &b, &c, &d, &d2]
                    .iter()
                    .any(|id| id.as_str() == subject),
                "{kind}: {text}"
            );
        }
    }
    // The one who acted is named by role and token, never by person.
    let first_apply = &lines[3].1;
    assert!(
        str_of(first_apply, "actor").starts_with("operator:T")
            && str_of(first_apply, "actor").ends_with("@420100"),
        "{first_apply}"
    );
    assert_eq!(first_apply["data"]["expert_id"], a.as_str());
}

both_backends!(lifecycle, a_life_over_http);
