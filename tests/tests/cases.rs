//! The regulator's chain of issue 5 through the real API: violations
//! recorded on site reach a points threshold and propose a sanction; a
//! regulator opens a case from the proposal, serves the notice, receives
//! the defence, decides inside the baseline, the decision takes effect (the
//! suspended expert is out of the next draw), is published on the public
//! penalties page (only then), and the civil-servant expert's employer gets
//! a letter whose delivery is recorded. Every refusal (outside the range,
//! before the window, a second decision, wrong role or region) writes
//! nothing.

use diesel::prelude::*;
use expert_draw_tests::cases::{civil_servant, step};
use expert_draw_tests::fixtures::{self, assert_problem, audit_lines, get_expert, log_size};
use expert_draw_tests::{Api, Backend, Server, award, both_backends, pool};
use serde_json::{Value, json};

fn day(offset: i64) -> String {
    fixtures::days_after(fixtures::today(), offset).to_string()
}

fn six_months() -> Value {
    json!({"measure": {"kind": "suspension", "months": 6, "restore": "after_test"}, "fine_yuan": null})
}

fn record(api: &Api, expert: &str, body: Value) -> expert_draw_tests::Response {
    api.post(&format!("/api/v1/experts/{expert}/violations"), &body)
}

fn get_case(api: &Api, case_no: &str) -> Value {
    let r = api.get(&format!("/api/v1/cases/{case_no}"));
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

/// `call` is refused with this status, type and rule, and neither the log
/// nor the case changes.
fn refused(
    s: &Server,
    case_no: &str,
    status: u16,
    kind: &str,
    rule: Option<&str>,
    call: impl FnOnce() -> expert_draw_tests::Response,
) -> Value {
    let size = log_size(s);
    let before = get_case(&s.admin(), case_no);
    let r = call();
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(
        r.json["type"],
        format!("urn:expert-draw:problem:{kind}"),
        "{}",
        r.text
    );
    if let Some(rule) = rule {
        assert_eq!(r.json["rule"], rule, "{}", r.text);
    }
    assert_eq!(log_size(s), size, "a refusal wrote to the log: {}", r.text);
    let after = get_case(&s.admin(), case_no);
    assert_eq!(after["version"], before["version"]);
    assert_eq!(after["case"], before["case"]);
    r.json
}

fn public_penalties(s: &Server) -> Vec<Value> {
    let r = s.anonymous().get("/api/v1/public/penalties?limit=100");
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["items"].as_array().expect("items").clone()
}

/// The subjects of the stored entries of `kind`, read behind the API.
fn subjects_of(s: &Server, kind: &str) -> Vec<Option<String>> {
    use expert_api::db::schema::audit_entries;
    let mut conn = s.db.connect();
    audit_entries::table
        .filter(audit_entries::kind.eq(kind))
        .order(audit_entries::seq.asc())
        .select(audit_entries::subject)
        .load(&mut conn)
        .expect("entries")
}

fn a_full_case_from_the_site_to_the_public_notice(backend: Backend) {
    let s = award::start(backend, "");
    let admin = s.admin();
    let regulator = s.token("regulator", None);
    let on_site = s.token("supervisor", Some("420500"));
    let operator = s.token("operator", Some("420100"));

    // The pool: seven experts and one civil servant, all of the draws'
    // specialty and from outside the project's region.
    pool::seed_pool(&admin, &award::pool12()[..7]);
    let mut app = fixtures::application_in("420500");
    app["specialties"] = json!([award::SPECIALTY]);
    app["civil_servant"] = json!(true);
    app["employer_contact"] = json!({"name": "人事处", "phone": "027-88886666", "address": null});
    let (expert, app) = fixtures::active_expert(&s, app);
    let name = app["name"].as_str().expect("name").to_owned();
    let employer = app["employer"]["name"]
        .as_str()
        .expect("employer")
        .to_owned();

    let r = operator.post("/api/v1/draws", &award::request("P-CASE-1"));
    assert_eq!(r.status, 201, "{}", r.text);
    let first_draw = r.json["id"].as_str().expect("id").to_owned();
    assert_eq!(r.json["candidate_count"], 8, "{}", r.text);

    // On site: three violations bring the expert to 12 points; the third
    // makes a proposal, never a sanction.
    let evidence = json!(["现场记录 2026-118"]);
    let r = record(
        &on_site,
        &expert,
        json!({"code": "ignore_evaluation_criteria", "occurred_on": day(-40), "draw_id": first_draw, "evidence": evidence}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["violation"]["points"], 6);
    assert_eq!(r.json["proposal"], Value::Null);
    for code in ["leave_early", "phone_in_room"] {
        let r = record(
            &on_site,
            &expert,
            json!({"code": code, "occurred_on": day(-39), "evidence": evidence}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let last = discipline_of(&on_site, &expert);
    assert_eq!(last["points"]["total"], 12, "{last}");
    assert_eq!(last["points"]["unsettled"], 12, "{last}");
    assert_eq!(last["violations"].as_array().map(Vec::len), Some(3));
    let proposals = regulator.get("/api/v1/proposals");
    assert_eq!(proposals.status, 200, "{}", proposals.text);
    let proposal = proposals.json.as_array().expect("list")[0].clone();
    assert_eq!(proposal["expert_id"], expert.as_str());
    assert_eq!(
        proposal["ground"],
        json!({"kind": "points_threshold", "points": 12})
    );
    let key = proposal["key"].as_str().expect("key").to_owned();
    assert!(key.starts_with("points:12:V"), "{key}");
    // A regulator bound to another region sees none of it.
    let elsewhere = s.token("regulator", Some("420600"));
    let r = elsewhere.get("/api/v1/proposals");
    assert_eq!(r.json, json!([]), "{}", r.text);

    // The case, from the proposal; a second case from it is refused.
    let r = regulator.post(
        &format!("/api/v1/experts/{expert}/cases"),
        &json!({"proposal": key, "opened_on": day(-35)}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let case_no = r.json["case_no"].as_str().expect("case_no").to_owned();
    let year = fixtures::today().format("%Y").to_string();
    assert!(
        case_no.starts_with(&format!("CF-{year}-")) && case_no.len() == 14,
        "{case_no}"
    );
    assert_eq!(r.json["stage"], "opened");
    assert_eq!(r.json["case"]["civil_servant"], true);
    // The regulator's work list: by stage, bound callers their region only.
    let listed = regulator.get("/api/v1/cases?stage=opened");
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(
        listed.json["items"][0]["case_no"],
        case_no.as_str(),
        "{}",
        listed.text
    );
    assert_eq!(listed.json["items"][0]["expert_id"], expert.as_str());
    assert_eq!(
        regulator.get("/api/v1/cases?stage=closed").json["items"],
        json!([])
    );
    assert_eq!(elsewhere.get("/api/v1/cases").json["items"], json!([]));
    let listed = regulator.get("/api/v1/cases?stage=nope");
    assert_eq!(
        (listed.status, listed.field()),
        (400, Some("stage")),
        "{}",
        listed.text
    );
    let listed = regulator.get("/api/v1/cases?cursor=bm9wZQ");
    assert_eq!(
        (listed.status, listed.field()),
        (400, Some("cursor")),
        "{}",
        listed.text
    );
    assert_eq!(
        r.json["case"]["origin"],
        json!({"kind": "proposal", "key": key})
    );
    assert_eq!(r.json["baseline"][0]["rule"], "points:12");
    assert_eq!(r.json["deadlines"]["defence_window_ends"], Value::Null);
    let size = log_size(&s);
    let r = regulator.post(
        &format!("/api/v1/experts/{expert}/cases"),
        &json!({"proposal": key}),
    );
    assert_problem(&r, 409, "conflict", None, Some("proposal_taken"));
    assert_eq!(log_size(&s), size);

    // The notice, 30 days ago: the window is 5 working days by the calendar.
    let served = fixtures::days_after(fixtures::today(), -30);
    let notice = json!({
        "served_on": served.to_string(),
        "facts": "在P-CASE-1项目评标中未按招标文件规定的评标标准评审，并提前离场、使用手机",
        "evidence": ["现场记录 2026-118", "评标录像"],
        "legal_basis": ["《评标专家和评标专家库管理办法》"],
        "proposed": six_months(),
    });
    let v = step(&regulator, &case_no, "notice", &notice, 200);
    let ends = expert_core::discipline::WorkCalendar::default()
        .add_working_days(served, 5)
        .expect("window");
    assert_eq!(v["deadlines"]["defence_window_ends"], ends.to_string());
    assert_eq!(v["deadlines"]["hearing"], "offered");
    assert_eq!(v["deadlines"]["defence_working_days_left"], 0);
    step(
        &regulator,
        &case_no,
        "statements",
        &json!({"received_on": day(-29), "reference": "陈述书", "summary": "承认事实，请求从轻"}),
        200,
    );

    // Refused, nothing written: outside the baseline, the wrong role or
    // region.
    let decision = |sanction: Value| {
        json!({
            "decided_on": day(0),
            "outcome": {"kind": "sanction", "sanction": sanction},
            "found": [{"kind": "points_threshold", "points": 12}],
            "reasons": "记分达到12分，当事人陈述不足以免除处理",
            "effective_on": day(0),
        })
    };
    let path = format!("/api/v1/cases/{case_no}/decision");
    let removal = json!({"measure": {"kind": "removal", "ban_years": 2}, "fine_yuan": null});
    let p = refused(
        &s,
        &case_no,
        422,
        "validation",
        Some("outside_baseline"),
        || regulator.post(&path, &decision(removal.clone())),
    );
    assert_eq!(p["field"], "outcome");
    refused(&s, &case_no, 403, "forbidden", None, || {
        operator.post(&path, &decision(six_months()))
    });
    refused(&s, &case_no, 403, "forbidden", None, || {
        on_site.post(&path, &decision(six_months()))
    });
    refused(&s, &case_no, 404, "not-found", None, || {
        elsewhere.post(&path, &decision(six_months()))
    });

    let v = step(
        &regulator,
        &case_no,
        "decision",
        &decision(six_months()),
        200,
    );
    assert_eq!(v["stage"], "decided");
    assert_eq!(v["standing_sanction"], six_months());
    // The violations behind the proposal are settled: still counted.
    let tally = discipline_of(&regulator, &expert);
    assert_eq!(tally["points"]["total"], 12);
    assert_eq!(tally["points"]["unsettled"], 0);
    refused(&s, &case_no, 409, "conflict", Some("not_allowed"), || {
        regulator.post(&path, &decision(six_months()))
    });

    // The employer letter, generated from the template; it stays out of
    // the log.
    let letter = step(
        &regulator,
        &case_no,
        "employer-letter",
        &json!({"authority": "湖北省公共资源交易监督管理局"}),
        201,
    );
    let text = letter["text"].as_str().expect("text");
    for part in [
        name.as_str(),
        employer.as_str(),
        case_no.as_str(),
        "暂停评标专家资格6个月",
    ] {
        assert!(text.contains(part), "{part} missing from:\n{text}");
    }
    assert_eq!(letter["recipient"], employer.as_str());
    assert_eq!(letter["employer_contact"]["name"], "人事处");

    // Decided but not yet public.
    assert!(public_penalties(&s).is_empty());

    // In effect: suspended, and out of the next draw.
    let v = step(&regulator, &case_no, "effect", &json!({"on": day(0)}), 200);
    assert_eq!(v["stage"], "effective");
    let record = get_expert(&s, &expert);
    assert_eq!(record["status"], "suspended");
    assert_eq!(record["status_detail"]["restore"], "after_test");
    let r = operator.post("/api/v1/draws", &award::request("P-CASE-2"));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["candidate_count"], 7, "{}", r.text);
    assert_eq!(r.json["excluded"]["not_active"], 1, "{}", r.text);
    let second = r.json["id"].as_str().expect("id").to_owned();
    let r = operator.post(&format!("/api/v1/draws/{second}/reveal"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let reveal = audit_lines(&s)
        .into_iter()
        .map(|(_, v)| v)
        .find(|e| e["kind"] == "draw.reveal" && e["data"]["draw_id"] == second.as_str())
        .expect("the reveal");
    let candidates: Vec<&str> = reveal["data"]["statement"]["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(candidates.len(), 7);
    assert!(!candidates.contains(&expert.as_str()), "{candidates:?}");
    assert!(public_penalties(&s).is_empty(), "public before the notice");

    // The public notice: now, and only now, on the public page.
    step(
        &regulator,
        &case_no,
        "publication",
        &json!({"on": day(0), "reference": "公示〔2026〕18号"}),
        200,
    );
    let items = public_penalties(&s);
    assert_eq!(items.len(), 1);
    let p = &items[0];
    assert_eq!(p["case_no"], case_no.as_str());
    assert_eq!(p["name"], name.as_str());
    assert_eq!(p["employer"], employer.as_str());
    assert_eq!(p["violations"][0]["rule"], "points:12");
    assert_eq!(p["sanction"], six_months());
    assert_eq!(
        p["sanction_zh"],
        "暂停评标专家资格6个月，期满经考试合格后恢复"
    );
    assert_eq!(p["decided_on"], day(0));
    assert_eq!(p["effective_on"], day(0));
    assert_eq!(p["published_on"], day(0));

    // A civil servant's case closes only after the letter's delivery.
    let close = json!({"on": day(0)});
    refused(
        &s,
        &case_no,
        409,
        "conflict",
        Some("employer_letter_missing"),
        || regulator.post(&format!("/api/v1/cases/{case_no}/close"), &close),
    );
    step(
        &regulator,
        &case_no,
        "employer-letter/delivery",
        &json!({"on": day(0), "channel": "post", "reference": "挂号信 XA100"}),
        200,
    );
    let v = step(&regulator, &case_no, "close", &close, 200);
    assert_eq!(v["stage"], "closed");
    assert_eq!(v["employer_letter"]["delivered_on"], day(0));
    assert_eq!(v["employer_letter"]["channel"], "post");
    let kinds: Vec<&str> = v["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "open",
            "serve_notice",
            "receive_statement",
            "decide",
            "take_effect",
            "publish_notice",
            "deliver_employer_letter",
            "close"
        ]
    );
    refused(&s, &case_no, 409, "conflict", Some("not_allowed"), || {
        regulator.post(&path, &decision(six_months()))
    });

    // Every step is an entry; entries name ids and codes, never the
    // expert, the facts or the letter.
    let lines = audit_lines(&s);
    let logged: Vec<&str> = lines
        .iter()
        .filter_map(|(_, v)| v["kind"].as_str())
        .filter(|k| {
            k.starts_with("case.")
                || k.starts_with("violation.")
                || k.starts_with("proposal.")
                || *k == "expert.suspend"
        })
        .collect();
    assert_eq!(
        logged,
        [
            "violation.record",
            "violation.record",
            "violation.record",
            "proposal.create",
            "case.open",
            "case.serve_notice",
            "case.receive_statement",
            "case.decide",
            "case.employer_letter",
            "case.take_effect",
            "expert.suspend",
            "case.publish_notice",
            "case.deliver_employer_letter",
            "case.close",
        ]
    );
    let rid = app["resident_id"].as_str().expect("rid");
    let mobile = app["mobile"].as_str().expect("mobile");
    for (line, _) in &lines {
        for secret in [name.as_str(), rid, mobile, "未按招标文件规定", text] {
            assert!(!line.contains(secret), "{secret} in the log: {line}");
        }
    }
    // The entry that changes the expert's row names the expert as subject
    // (the registry's read model finds changes by it).
    for kind in ["expert.suspend", "case.take_effect", "case.decide"] {
        assert_eq!(subjects_of(&s, kind), [Some(expert.clone())], "{kind}");
    }
    // The registry's list shows the suspension at once.
    let r = admin.get("/api/v1/experts?status=suspended");
    assert_eq!(r.status, 200, "{}", r.text);
    let ids: Vec<&str> = r.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [expert.as_str()]);
}

/// The expert's violations and points, as `api` reads them.
fn discipline_of(api: &Api, expert: &str) -> Value {
    let r = api.get(&format!("/api/v1/experts/{expert}/violations"));
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

both_backends!(full_case, a_full_case_from_the_site_to_the_public_notice);

fn the_window_the_waiver_and_rights(backend: Backend) {
    let s = Server::start(backend);
    let regulator = s.token("regulator", Some("420100"));
    let (expert, _) = fixtures::active_expert(&s, fixtures::application_in("420100"));
    let (servant, _) = civil_servant(&s, "420600");

    // Violations: supervisors and regulators of the expert's region only.
    let late = json!({"code": "late_arrival", "occurred_on": day(0), "evidence": ["签到表"]});
    let operator = s.token("operator", Some("420100"));
    let supervisor_elsewhere = s.token("supervisor", Some("420600"));
    let regulator_elsewhere = s.token("regulator", Some("420600"));
    let supervisor = s.token("supervisor", None);
    let size = log_size(&s);
    let r = record(&operator, &expert, late.clone());
    assert_problem(&r, 403, "forbidden", None, None);
    let r = record(&supervisor_elsewhere, &expert, late.clone());
    assert_problem(&r, 404, "not-found", None, None);
    let r = record(&regulator, &servant, late.clone());
    assert_problem(&r, 404, "not-found", None, None);
    let r = record(
        &regulator,
        &expert,
        json!({"code": "sleeping", "occurred_on": day(0), "evidence": ["x"]}),
    );
    assert_problem(
        &r,
        422,
        "validation",
        Some("code"),
        Some("unknown_violation"),
    );
    let r = record(
        &regulator,
        &expert,
        json!({"code": "late_arrival", "occurred_on": day(2), "evidence": []}),
    );
    assert_eq!(r.status, 422, "{}", r.text);
    let fields: Vec<&str> = r.json["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, ["occurred_on", "evidence"]);
    let r = record(
        &regulator,
        &expert,
        json!({"code": "late_arrival", "occurred_on": day(0), "draw_id": "D-2000-000001", "evidence": ["x"]}),
    );
    assert_problem(
        &r,
        422,
        "validation",
        Some("draw_id"),
        Some("unknown_reference"),
    );
    assert_eq!(log_size(&s), size, "refused violations wrote to the log");
    let r = record(&regulator, &expert, late);
    assert_eq!(r.status, 201, "{}", r.text);

    // A case opened today on a minor violation: no hearing right, and no
    // decision inside the window.
    let r = regulator.post(
        &format!("/api/v1/experts/{expert}/cases"),
        &json!({"grounds": [{"kind": "violation", "code": "leave_early"}], "summary": "提前离场"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let case_no = r.json["case_no"].as_str().expect("case_no").to_owned();
    let three = json!({"measure": {"kind": "suspension", "months": 3, "restore": "automatic"}, "fine_yuan": null});
    let v = step(
        &regulator,
        &case_no,
        "notice",
        &json!({
            "served_on": day(0), "facts": "评标未结束即离场", "evidence": ["签到表"],
            "legal_basis": ["《中华人民共和国招标投标法实施条例》第七十一条"], "proposed": three,
        }),
        200,
    );
    assert_eq!(v["deadlines"]["hearing"], "not_required");
    let decision = json!({
        "decided_on": day(0),
        "outcome": {"kind": "sanction", "sanction": three},
        "found": [{"kind": "violation", "code": "leave_early"}],
        "reasons": "事实清楚",
        "effective_on": day(0),
    });
    let path = format!("/api/v1/cases/{case_no}/decision");
    let p = refused(
        &s,
        &case_no,
        409,
        "conflict",
        Some("defence_window_open"),
        || regulator.post(&path, &decision),
    );
    assert_eq!(p["field"], "decided_on");
    // Bad bodies name the field.
    refused(
        &s,
        &case_no,
        400,
        "bad-request",
        Some("missing_field"),
        || regulator.post(&path, &json!({"decided_on": day(0)})),
    );
    refused(
        &s,
        &case_no,
        400,
        "bad-request",
        Some("unknown_field"),
        || regulator.post(&path, &json!({"event": "close", "on": day(0)})),
    );
    let p = refused(&s, &case_no, 422, "validation", Some("future_date"), || {
        regulator.post(
            &format!("/api/v1/cases/{case_no}/defence-waiver"),
            &json!({"on": day(3), "reference": "声明"}),
        )
    });
    assert_eq!(p["field"], "on");
    // A heavier sanction than notified needs a new notice.
    let mut heavier = decision.clone();
    heavier["outcome"]["sanction"]["measure"]["restore"] = json!("on_application");
    step(
        &regulator,
        &case_no,
        "defence-waiver",
        &json!({"on": day(0), "reference": "放弃陈述申辩声明"}),
        200,
    );
    refused(
        &s,
        &case_no,
        422,
        "validation",
        Some("exceeds_notice"),
        || regulator.post(&path, &heavier),
    );
    // Waived: the decision may come now.
    let v = step(&regulator, &case_no, "decision", &decision, 200);
    assert_eq!(v["stage"], "decided");
    assert_eq!(v["deadlines"]["decision_from"], day(0));
    // Not a civil servant: no letter.
    refused(
        &s,
        &case_no,
        409,
        "conflict",
        Some("not_civil_servant"),
        || {
            regulator.post(
                &format!("/api/v1/cases/{case_no}/employer-letter"),
                &json!({"authority": "武汉市公共资源交易监督管理局"}),
            )
        },
    );
    refused(
        &s,
        &case_no,
        409,
        "conflict",
        Some("not_civil_servant"),
        || {
            regulator.post(
                &format!("/api/v1/cases/{case_no}/employer-letter/delivery"),
                &json!({"on": day(0), "channel": "post", "reference": "x"}),
            )
        },
    );
    // Reads: another region's regulator finds nothing; operators none.
    let r = regulator_elsewhere.get(&format!("/api/v1/cases/{case_no}"));
    assert_problem(&r, 404, "not-found", None, None);
    let r = operator.get(&format!("/api/v1/cases/{case_no}"));
    assert_problem(&r, 403, "forbidden", None, None);
    let r = supervisor.get(&format!("/api/v1/cases/{case_no}"));
    assert_eq!(r.status, 200, "{}", r.text);

    // In effect: an automatic suspension of three months.
    step(&regulator, &case_no, "effect", &json!({"on": day(0)}), 200);
    let record = get_expert(&s, &expert);
    assert_eq!(record["status"], "suspended");
    assert_eq!(record["status_detail"]["restore"], "automatic");
    // A reconsideration that revokes the decision puts the status back.
    step(
        &regulator,
        &case_no,
        "reviews",
        &json!({"kind": "reconsideration", "reference": "复议〔2026〕3号", "filed_on": day(0), "body": "武汉市人民政府"}),
        200,
    );
    let v = step(
        &regulator,
        &case_no,
        "review-outcome",
        &json!({"reference": "复议〔2026〕3号", "on": day(0), "outcome": {"kind": "revoked"}}),
        200,
    );
    assert_eq!(v["standing_sanction"], Value::Null);
    assert_eq!(get_expert(&s, &expert)["status"], "active");
    assert_eq!(
        subjects_of(&s, "case.resolve_review"),
        [Some(expert.clone())]
    );
    // Never published: nothing public.
    assert!(public_penalties(&s).is_empty());
}

both_backends!(window_and_rights, the_window_the_waiver_and_rights);

/// The periodic review proposes where points reach a threshold: points
/// recorded while the centre's baseline had no threshold are proposed by
/// the next review under one that has (once; a dry run writes nothing). A
/// discipline section that cannot work stops the server at start.
fn the_review_proposes_on_points(backend: Backend) {
    let db = expert_draw_tests::TestDb::new(backend);
    let config = db.path("policy.toml");
    std::fs::write(&config, "[discipline.baseline]\nthresholds = []\n").expect("policy");
    let s = Server::start_with(db, &["--config", config.to_str().expect("path")]);
    let (expert, _) = fixtures::active_expert(&s, fixtures::application_in("420100"));
    let regulator = s.token("regulator", None);
    // 12 points at once, and no threshold to reach.
    let r = record(
        &regulator,
        &expert,
        json!({"code": "accept_property", "occurred_on": day(-1), "evidence": ["举报材料"]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["points"], Value::Null, "{}", r.text);
    assert_eq!(r.json["violation"]["points"], 12, "{}", r.text);
    assert_eq!(r.json["proposal"], Value::Null, "{}", r.text);
    let db = s.stop();
    std::fs::write(&config, "[discipline.baseline]\ncycle_months = 0\n").expect("policy");
    let (code, log) =
        expert_draw_tests::serve_refused(&db, &["--config", config.to_str().expect("path")]);
    assert_ne!(code, 0);
    assert!(log.contains("discipline.baseline.cycle_months"), "{log}");
    std::fs::write(&config, "").expect("policy");
    let s = Server::start_with(db, &["--config", config.to_str().expect("path")]);
    let regulator = s.token("regulator", None);
    let review = |dry_run: bool| {
        let r = regulator.post(
            "/api/v1/review",
            &json!({"as_of": day(0), "dry_run": dry_run}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        r.json
    };
    let size = log_size(&s);
    let dry = review(true);
    assert_eq!(dry["counts"]["points_threshold"], 1, "{dry}");
    assert_eq!(log_size(&s), size, "a dry run wrote to the log");
    let report = review(false);
    let action = report["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .find(|a| a["kind"] == "points_threshold")
        .expect("a points_threshold action")
        .clone();
    assert_eq!(action["expert_id"], expert.as_str());
    assert_eq!(action["new_status"], Value::Null);
    let proposals = regulator.get("/api/v1/proposals");
    let list = proposals.json.as_array().expect("list");
    assert_eq!(list.len(), 1, "{}", proposals.text);
    assert_eq!(list[0]["expert_id"], expert.as_str());
    // The expert is not sanctioned by it.
    assert_eq!(get_expert(&s, &expert)["status"], "active");
    // Proposed once.
    assert_eq!(review(false)["counts"]["points_threshold"], 0);
    assert_eq!(subjects_of(&s, "proposal.create"), [Some(expert.clone())]);
}

both_backends!(review_proposes, the_review_proposes_on_points);
