//! Per-bid assessment (一标一评) and the supervisors' signals, over real
//! HTTP on both backends: sheets by the on-site supervisor and by the
//! tenderer's representative through a one-time rating link; a score off
//! the scale, a rater not entitled (another panel's link, an expired link,
//! a supervisor of another region), a sheet after the deadline and an
//! overwrite are refused writing nothing; a correction is a new version;
//! a low credit is proposed by the periodic review; and the score and pair
//! signals on small constructed histories whose flags are known.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use expert_api::db::schema::{assessment_links, draws, panel_members};
use expert_draw_tests::award::{members, pool12, request, revealed, start};
use expert_draw_tests::fixtures::{audit_lines, log_size, validation_errors};
use expert_draw_tests::panel::{end_evaluation, sign_in_all};
use expert_draw_tests::pool::{Seed, credit_code, seed_pool};
use expert_draw_tests::{Api, Backend, Server, both_backends};
use serde_json::{Value, json};

/// Scores for the default items (maxima 30, 30, 20, 20).
fn scores(pc: u32, eq: u32, d: u32, i: u32) -> Value {
    json!({"professional_competence": pc, "evaluation_quality": eq, "discipline": d, "integrity": i})
}

fn sheet(expert: &str, s: Value) -> Value {
    json!({"expert_id": expert, "scores": s})
}

/// The served members' ids, sorted.
fn served_ids(s: &Server, id: &str) -> Vec<String> {
    let (served, _) = members(s, id);
    let mut ids: Vec<String> = served.into_iter().map(|(_, i)| i).collect();
    ids.sort();
    ids
}

/// Moves a panel's evaluation `days` days into the past, behind the API.
fn evaluation_days_ago(s: &Server, panel_id: &str, days: i64) {
    let end = Utc::now().naive_utc() - Duration::days(days);
    let start = end - Duration::hours(4);
    let mut conn = s.db.connect();
    diesel::update(draws::table.filter(draws::panel_id.eq(panel_id)))
        .set((draws::window_start.eq(start), draws::window_end.eq(end)))
        .execute(&mut conn)
        .expect("move the draws");
    diesel::update(panel_members::table.filter(panel_members::panel_id.eq(panel_id)))
        .set((
            panel_members::window_start.eq(start),
            panel_members::window_end.eq(end),
        ))
        .execute(&mut conn)
        .expect("move the seats");
}

fn entries_of(s: &Server, kind: &str) -> Vec<Value> {
    audit_lines(s)
        .into_iter()
        .map(|(_, e)| e)
        .filter(|e| e["kind"] == kind)
        .collect()
}

/// A rating link for the panel; its token and id.
fn rating_link(op: &Api, id: &str) -> (String, String) {
    let r = op.post(&format!("/api/v1/draws/{id}/rating-links"), &json!({}));
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        r.json["link"]
            .as_str()
            .expect("link")
            .ends_with(r.json["token"].as_str().expect("token")),
        "{}",
        r.text
    );
    (
        r.json["token"].as_str().expect("token").to_owned(),
        r.json["id"].as_str().expect("id").to_owned(),
    )
}

fn sheets_by_both_raters(backend: Backend) {
    let s = start(backend, "");
    seed_pool(&s.admin(), &pool12());
    let op = s.token("operator", Some("420100"));
    let sup = s.token("supervisor", None);
    let sup_here = s.token("supervisor", Some("420100"));
    let sup_elsewhere = s.token("supervisor", Some("420600"));
    let reg = s.token("regulator", None);
    let anon = s.anonymous();

    let id = revealed(&op, "P-AS1");
    let submit = format!("/api/v1/draws/{id}/assessments");
    // Sealed: no link yet; nothing written.
    let size = log_size(&s);
    let r = op.post(&format!("/api/v1/draws/{id}/rating-links"), &json!({}));
    assert_eq!(
        (r.status, r.problem()["rule"].clone()),
        (409, json!("sealed"))
    );
    assert_eq!(log_size(&s), size);

    sign_in_all(&op, &id);
    let ids = served_ids(&s, &id);
    assert_eq!(ids.len(), 5);
    // During the evaluation: no sheet.
    let r = sup.post(&submit, &sheet(&ids[0], scores(25, 25, 18, 18)));
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.problem()["rule"], "evaluation_not_over");
    // After sign-in the operator issues the representative's link.
    let (token, link_id) = rating_link(&op, &id);
    let link = anon.with_token(None);
    let rate = format!("/api/v1/rate/{token}");
    end_evaluation(&s, &id);

    let r = reg.get(&format!("{submit}/missing"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["missing"].as_array().expect("missing").len(), 10);
    assert_eq!(r.json["deadline_passed"], false);

    // Who may not score: other roles, and no token at all.
    let size = log_size(&s);
    let good = sheet(&ids[1], scores(25, 26, 18, 19));
    assert_eq!(op.post(&submit, &good).status, 403);
    assert_eq!(reg.post(&submit, &good).status, 403);
    assert_eq!(s.admin().post(&submit, &good).status, 403);
    assert_eq!(anon.post(&submit, &good).status, 401);
    assert_eq!(log_size(&s), size);

    // The supervisor scores everyone; the first member low.
    let before = log_size(&s);
    for (i, e) in ids.iter().enumerate() {
        let body = if i == 0 {
            sheet(e, scores(10, 10, 5, 5))
        } else {
            sheet(e, scores(25, 26, 18, 19))
        };
        let r = sup.post(&submit, &body);
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(
            (r.json["version"].clone(), r.json["rater_role"].clone()),
            (json!(1), json!("on_site_supervisor"))
        );
    }
    assert_eq!(log_size(&s), before + 5);

    // The representative sees the panel they sat with and scores it.
    let r = link.get(&rate);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["draw_id"], id.as_str());
    assert_eq!(r.json["expired"], false);
    let mut shown: Vec<&str> = r.json["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["expert_id"].as_str().expect("id"))
        .collect();
    shown.sort_unstable();
    assert_eq!(shown, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        r.json["members"][0]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    assert_eq!(r.json["items"].as_array().expect("items").len(), 4);
    for (i, e) in ids.iter().enumerate() {
        let mut body = if i == 0 {
            sheet(e, scores(9, 9, 6, 6))
        } else {
            sheet(e, scores(28, 27, 19, 20))
        };
        body["draw_id"] = json!(id);
        let r = link.post(&rate, &body);
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.json["rater_role"], "tenderer_representative");
        assert_eq!(r.json["rater_id"], link_id.as_str());
    }
    let r = sup.get(&format!("{submit}/missing"));
    assert_eq!(r.json["missing"], json!([]), "{}", r.text);
    assert_eq!(
        link.get(&rate).json["sheets"].as_array().map(Vec::len),
        Some(5)
    );

    // Entries: ids, codes and numbers; never a name or the comment.
    let entries = entries_of(&s, "panel.assessment");
    assert_eq!(entries.len(), 10);
    for e in &entries {
        let mut keys: Vec<&str> = e["data"]
            .as_object()
            .expect("data")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "draw_id",
                "expert_id",
                "rater_id",
                "rater_role",
                "scores",
                "sheet_sha256",
                "total",
                "version"
            ]
        );
    }
    assert_eq!(
        entries_of(&s, "panel.rating_link")[0]["data"]["link_id"],
        link_id.as_str()
    );
    assert!(!audit_lines(&s).iter().any(|(l, _)| l.contains(&token)));
    let log = s.log();
    assert!(log.contains("/rate/[redacted]"), "requests are logged");
    assert!(!log.contains(&token), "the link's token is never logged");

    // Refusals, each writing nothing.
    let size = log_size(&s);
    let refuse = |api: &Api, path: &str, body: Value| api.post(path, &body);
    // A score outside the scale, an unknown item, a missing one.
    let r = refuse(
        &sup,
        &submit,
        json!({"expert_id": ids[1], "version": 2, "correction_reason": "复核",
        "scores": {"professional_competence": 31, "evaluation_quality": 25, "discipline": 18, "integrity": 18}}),
    );
    assert_eq!(
        validation_errors(&r),
        vec![(
            "scores/professional_competence".to_owned(),
            "score_out_of_scale".to_owned()
        )]
    );
    let r = refuse(
        &sup,
        &submit,
        json!({"expert_id": ids[1], "version": 2, "correction_reason": "复核",
        "scores": {"professional_competence": 20, "evaluation_quality": 25, "discipline": 18, "speed": 5}}),
    );
    assert_eq!(
        validation_errors(&r),
        vec![
            ("scores/integrity".to_owned(), "missing_score".to_owned()),
            ("scores/speed".to_owned(), "unknown_item".to_owned())
        ]
    );
    let r = refuse(
        &sup,
        &submit,
        json!({"expert_id": ids[1], "scores": {"professional_competence": -1}}),
    );
    assert_eq!(r.status, 400, "{}", r.text);
    // An overwrite (version 1 again) and a correction without a reason.
    let r = refuse(&sup, &submit, sheet(&ids[1], scores(20, 20, 15, 15)));
    assert_eq!(
        validation_errors(&r),
        vec![("version".to_owned(), "version_conflict".to_owned())]
    );
    let r = refuse(
        &sup,
        &submit,
        json!({"expert_id": ids[1], "version": 2, "scores": scores(20, 20, 15, 15)}),
    );
    assert_eq!(
        validation_errors(&r),
        vec![("correction_reason".to_owned(), "required".to_owned())]
    );
    // An expert who did not sit on the panel.
    let r = refuse(&sup, &submit, sheet("E-NOT-HERE", scores(20, 20, 15, 15)));
    assert_eq!(
        validation_errors(&r),
        vec![("expert_id".to_owned(), "not_on_panel".to_owned())]
    );
    // A supervisor bound to another region does not find the draw.
    let r = refuse(
        &sup_elsewhere,
        &submit,
        sheet(&ids[1], scores(20, 20, 15, 15)),
    );
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(sup_elsewhere.get(&submit).status, 404);
    // An unknown link.
    let mut body = sheet(&ids[1], scores(20, 20, 15, 15));
    body["draw_id"] = json!(id);
    assert_eq!(link.post("/api/v1/rate/a_unknown", &body).status, 404);
    assert_eq!(log_size(&s), size);
    assert_eq!(entries_of(&s, "panel.assessment").len(), 10);

    // A correction is the next version; the first stays.
    let r = sup.post(
        &submit,
        &json!({"expert_id": ids[1], "version": 2,
        "correction_reason": "专业能力分录入错误", "scores": scores(22, 26, 18, 19)}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["version"], 2);
    let r = sup_here.get(&submit);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["versions"].as_array().map(Vec::len), Some(11));
    assert_eq!(r.json["effective"].as_array().map(Vec::len), Some(10));
    let of = |list: &Value, version: u64| -> Vec<Value> {
        list.as_array()
            .expect("list")
            .iter()
            .filter(|v| {
                v["expert_id"] == ids[1].as_str() && v["rater_role"] == "on_site_supervisor"
            })
            .filter(|v| v["version"] == version)
            .cloned()
            .collect()
    };
    assert_eq!(
        of(&r.json["versions"], 1)[0]["scores"]["professional_competence"],
        25
    );
    assert_eq!(
        of(&r.json["versions"], 2)[0]["scores"]["professional_competence"],
        22
    );
    assert_eq!(of(&r.json["effective"], 1), Vec::<Value>::new());
    assert_eq!(of(&r.json["effective"], 2)[0]["total"], 85);
    assert_eq!(
        of(&r.json["versions"], 2)[0]["correction_reason"],
        "专业能力分录入错误"
    );

    // A second panel and its own link.
    let id2 = {
        let mut req = request("P-AS2");
        req["project"]["tenderer"] = json!(credit_code(2));
        let r = op.post("/api/v1/draws", &req);
        assert_eq!(r.status, 201, "{}", r.text);
        let id2 = r.json["id"].as_str().expect("id").to_owned();
        let r = op.post(&format!("/api/v1/draws/{id2}/reveal"), &json!({}));
        assert_eq!(r.status, 200, "{}", r.text);
        id2
    };
    sign_in_all(&op, &id2);
    let ids2 = served_ids(&s, &id2);
    let (token2, _) = rating_link(&op, &id2);
    end_evaluation(&s, &id2);
    let rate2 = format!("/api/v1/rate/{token2}");
    let size = log_size(&s);
    // Another panel's link: not entitled to score this panel.
    let r = link.post(&rate2, &body);
    assert_eq!(
        validation_errors(&r),
        vec![("rater".to_owned(), "rater_not_entitled".to_owned())]
    );
    // An expired link.
    {
        let mut conn = s.db.connect();
        diesel::update(assessment_links::table.filter(assessment_links::panel_id.eq(&id2)))
            .set(assessment_links::expires_at.eq(Utc::now().naive_utc() - Duration::minutes(1)))
            .execute(&mut conn)
            .expect("expire the link");
    }
    let mut body2 = sheet(&ids2[0], scores(20, 20, 15, 15));
    body2["draw_id"] = json!(id2);
    let r = link.post(&rate2, &body2);
    assert_eq!(
        validation_errors(&r),
        vec![("rater".to_owned(), "rater_not_entitled".to_owned())]
    );
    let r = link.get(&rate2);
    assert_eq!(
        (r.json["expired"].clone(), r.json["members"].clone()),
        (json!(true), json!([]))
    );
    assert_eq!(log_size(&s), size);

    // After the deadline: no sheet, no link.
    evaluation_days_ago(&s, &id2, 40);
    let r = sup.post(
        &format!("/api/v1/draws/{id2}/assessments"),
        &sheet(&ids2[0], scores(20, 20, 15, 15)),
    );
    assert_eq!(
        validation_errors(&r),
        vec![("submitted_on".to_owned(), "deadline_passed".to_owned())]
    );
    let r = op.post(&format!("/api/v1/draws/{id2}/rating-links"), &json!({}));
    assert_eq!(
        (r.status, r.problem()["rule"].clone()),
        (409, json!("deadline_passed"))
    );
    let r = sup.get(&format!("/api/v1/draws/{id2}/assessments/missing"));
    assert_eq!(r.json["deadline_passed"], true);
    assert_eq!(r.json["missing"].as_array().map(Vec::len), Some(10));
    assert_eq!(log_size(&s), size);

    // The periodic review: the first member's credit (30 % and 30 %) is
    // below 60, a proposal; logged once, the same situation not again.
    let admin = s.admin();
    let today = (Utc::now() + Duration::hours(8)).date_naive().to_string();
    let size = log_size(&s);
    let r = admin.post("/api/v1/review", &json!({"as_of": today, "dry_run": true}));
    assert_eq!(r.status, 200, "{}", r.text);
    let proposals = r.json["proposals"].as_array().expect("proposals").clone();
    assert_eq!(proposals.len(), 1, "{}", r.text);
    assert_eq!(proposals[0]["expert_id"], ids[0].as_str());
    assert_eq!(proposals[0]["ground"]["kind"], "low_credit", "{}", r.text);
    assert!(
        proposals[0]["evidence"]
            .as_array()
            .expect("evidence")
            .contains(&json!("mean_assessment=30")),
        "{}",
        r.text
    );
    assert_eq!(log_size(&s), size);
    let r = admin.post("/api/v1/review", &json!({"as_of": today}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["proposals"].as_array().map(Vec::len), Some(1));
    let logged = entries_of(&s, "proposal.create");
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0]["data"]["expert_id"], ids[0].as_str());
    assert_eq!(logged[0]["data"]["ground"]["kind"], "low_credit");
    assert!(
        logged[0]["data"]["evidence"]
            .as_array()
            .expect("evidence")
            .contains(&json!("mean_assessment=30")),
        "{}",
        logged[0]
    );
    let r = admin.post("/api/v1/review", &json!({"as_of": today}));
    assert_eq!(r.json["proposals"].as_array().map(Vec::len), Some(1));
    assert_eq!(entries_of(&s, "proposal.create").len(), 1);
    // A regulator opens a case from the low-credit proposal.
    let key = logged[0]["data"]["key"].as_str().expect("key");
    let r = s.token("regulator", None).post(
        &format!("/api/v1/experts/{}/cases", ids[0]),
        &json!({"proposal": key}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["stage"], "opened", "{}", r.text);

    // Violation points count against the credit: the second member's good
    // sheets (85 % and 88 %) less 3 per point of an accepted gift (12
    // points) fall below 60, a low-credit proposal beside the points one.
    let r = sup.post(
        &format!("/api/v1/experts/{}/violations", ids[1]),
        &json!({"code": "accept_property", "occurred_on": today, "evidence": ["现场记录 9"]}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let r = admin.post("/api/v1/review", &json!({"as_of": today, "dry_run": true}));
    assert_eq!(r.status, 200, "{}", r.text);
    let low: Vec<&Value> = r.json["proposals"]
        .as_array()
        .expect("proposals")
        .iter()
        .filter(|p| p["ground"]["kind"] == "low_credit")
        .collect();
    assert_eq!(low.len(), 2, "{}", r.text);
    assert!(
        low.iter().any(|p| p["expert_id"] == ids[1].as_str()),
        "{}",
        r.text
    );
}

/// Five experts, so every draw of five seats them all: three awarded
/// panels whose results have the first expert put bidder B first each
/// time while the rest put A first.
fn score_signals(backend: Backend) {
    let s = start(backend, "");
    let mut ids = seed_pool(&s.admin(), &pool12()[..5]);
    ids.sort();
    let op = s.token("operator", Some("420100"));
    let (a, b) = (credit_code(901), credit_code(902));
    let mut panels = Vec::new();
    for k in 0..3u32 {
        let mut req = request(&format!("P-SG{k}"));
        req["project"]["tenderer"] = json!(credit_code(10 + k));
        req["panel"][0]["reserve"] = json!(0);
        let r = op.post("/api/v1/draws", &req);
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json["id"].as_str().expect("id").to_owned();
        assert_eq!(
            op.post(&format!("/api/v1/draws/{id}/reveal"), &json!({}))
                .status,
            200
        );
        sign_in_all(&op, &id);
        assert_eq!(served_ids(&s, &id), ids);
        end_evaluation(&s, &id);
        assert_eq!(
            op.post(&format!("/api/v1/draws/{id}/award"), &json!({}))
                .status,
            201
        );
        let mut sheets = Vec::new();
        for (i, e) in ids.iter().enumerate() {
            let (sa, sb) = if i == 0 { (60, 95) } else { (90, 70) };
            sheets.push(json!({"expert_id": e, "bidder": a, "items": {"tech": sa.to_string()}, "total": sa.to_string()}));
            sheets.push(json!({"expert_id": e, "bidder": b, "items": {"tech": sb.to_string()}, "total": sb.to_string()}));
        }
        let results = json!({
            "items": [{"code": "tech", "name": "技术方案", "max": "100"}],
            "bidders": [{"code": a, "name": "甲建设有限公司"}, {"code": b, "name": "乙工程有限公司"}],
            "scores": sheets,
            "candidates": [{"rank": 1, "bidder": a, "score": "84"}, {"rank": 2, "bidder": b, "score": "75"}],
        });
        let r = op.post(
            &format!("/api/v1/draws/{id}/evaluation"),
            &json!({"results": results}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        panels.push(id);
    }
    panels.sort();

    let (sup, sup_here, sup_elsewhere) = (
        s.token("supervisor", None),
        s.token("supervisor", Some("420100")),
        s.token("supervisor", Some("420600")),
    );
    let size = log_size(&s);
    let r = sup.get("/api/v1/signals/scores");
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["evaluations"], 3);
    let devs = r.json["deviations"].as_array().expect("deviations");
    assert_eq!(devs.len(), 5);
    for d in devs {
        let favourite = d["expert_id"] == ids[0].as_str();
        // Against the mean of the other four: the first expert is 30 under
        // on A and 25 over on B; every other is 7.5 over on A (the four
        // others' mean 82.5) and 6.25 under on B (76.25).
        let mad = if favourite { 27.5 } else { 6.875 };
        assert_eq!(d["evaluations"], 3, "{d}");
        assert!(
            (d["mean_abs_deviation"].as_f64().expect("mad") - mad).abs() < 1e-9,
            "{d}"
        );
        assert_eq!(d["flagged"], favourite, "{d}");
        let points = d["points"].as_array().expect("points");
        assert_eq!(points.len(), 3);
        let mean = if favourite { -2.5 } else { 0.625 };
        assert!(
            (points[0]["mean_deviation"].as_f64().expect("mean") - mean).abs() < 1e-9,
            "{d}"
        );
    }
    let favourites = r.json["favourites"].as_array().expect("favourites");
    assert_eq!(favourites.len(), 1, "{}", r.text);
    let f = &favourites[0];
    assert_eq!(
        (f["expert_id"].as_str(), f["bidder_id"].as_str()),
        (Some(ids[0].as_str()), Some(b.as_str()))
    );
    assert_eq!(
        (f["times"].clone(), f["opportunities"].clone()),
        (json!(3), json!(3))
    );
    let evidence = f["evidence"].as_array().expect("evidence");
    let mut seen: Vec<&str> = evidence
        .iter()
        .map(|e| e["evaluation_id"].as_str().expect("id"))
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, panels.iter().map(String::as_str).collect::<Vec<_>>());
    for e in evidence {
        assert_eq!(e["own_score"], 95.0);
        assert_eq!(e["others_mean"], 70.0);
        assert_eq!(e["panel_top"], a.as_str());
        assert_eq!(e["panel_top_mean"], 90.0);
    }
    // Bound supervisors see their region's panels only; operators none.
    let r = sup_here.get("/api/v1/signals/scores");
    assert_eq!(
        (
            r.json["evaluations"].clone(),
            r.json["favourites"].as_array().map(Vec::len)
        ),
        (json!(3), Some(1))
    );
    let r = sup_elsewhere.get("/api/v1/signals/scores");
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.json["evaluations"].clone(), r.json["deviations"].clone()),
        (json!(0), json!([]))
    );
    assert_eq!(op.get("/api/v1/signals/scores").status, 403);
    assert_eq!(log_size(&s), size, "reading signals writes nothing");
}

/// Fifteen experts and six draws of three; the seats are then rewritten
/// behind the API so that the first two experts sat together on all six
/// panels, each time with a different third: a pair no draw of three from
/// fifteen explains, and no other pair together more than once.
fn pair_signals(backend: Backend) {
    let s = start(backend, "[draw.committee]\nmin_size = 3\n");
    let seeds: Vec<Seed> = (0..15)
        .map(|i| Seed {
            region: if i % 2 == 0 { "420500" } else { "420600" },
            specialty: expert_draw_tests::award::SPECIALTY,
            employer: 200 + i,
        })
        .collect();
    let mut ids = seed_pool(&s.admin(), &seeds);
    ids.sort();
    let op = s.token("operator", Some("420100"));
    let mut panels = Vec::new();
    for k in 0..6u32 {
        let mut req = request(&format!("P-PR{k}"));
        req["project"]["tenderer"] = json!(credit_code(30 + k));
        req["panel"] = json!([{"specialty": "ENA01", "count": 3, "reserve": 0}]);
        let r = op.post("/api/v1/draws", &req);
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json["id"].as_str().expect("id").to_owned();
        let r = op.post(&format!("/api/v1/draws/{id}/reveal"), &json!({}));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            r.json["candidate_count"], 15,
            "every expert a candidate: {}",
            r.text
        );
        end_evaluation(&s, &id);
        panels.push(id);
    }
    panels.sort();
    let sup = s.token("supervisor", None);
    let (sup_elsewhere, reg) = (
        s.token("supervisor", Some("420600")),
        s.token("regulator", None),
    );
    let r = sup.get("/api/v1/signals/pairs");
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["panels"], 6);

    let (x, y) = (&ids[0], &ids[1]);
    {
        let mut conn = s.db.connect();
        for (k, panel) in panels.iter().enumerate() {
            let want = [x.clone(), y.clone(), ids[2 + k].clone()];
            let have: Vec<String> = panel_members::table
                .filter(panel_members::panel_id.eq(panel))
                .select(panel_members::expert_id)
                .load(&mut conn)
                .expect("members");
            assert_eq!(have.len(), 3, "no reserves");
            let mut free = want.iter().filter(|w| !have.contains(w));
            for old in have.iter().filter(|h| !want.contains(h)) {
                let new = free.next().expect("a free place");
                diesel::update(
                    panel_members::table
                        .filter(panel_members::panel_id.eq(panel))
                        .filter(panel_members::expert_id.eq(old)),
                )
                .set(panel_members::expert_id.eq(new))
                .execute(&mut conn)
                .expect("reseat");
            }
        }
    }

    let size = log_size(&s);
    let r = sup.get("/api/v1/signals/pairs");
    assert_eq!(r.status, 200, "{}", r.text);
    let flags = r.json["flags"].as_array().expect("flags");
    assert_eq!(flags.len(), 1, "{}", r.text);
    let f = &flags[0];
    assert_eq!(
        (f["a"].as_str(), f["b"].as_str()),
        (Some(x.as_str()), Some(y.as_str()))
    );
    assert_eq!(f["together"], 6);
    assert_eq!(f["draws"], json!(panels));
    // Each draw seats 3 of 15: about 0.2 each, so about 0.04 together per
    // draw; `recent` weights move it a little, never near one together.
    let expected = f["expected"].as_f64().expect("expected");
    assert!(0.05 < expected && expected < 1.0, "{f}");
    let ratio = f["ratio"].as_f64().expect("ratio");
    assert!((ratio - 6.0 / expected).abs() < 1e-9, "{f}");
    let p = f["p_value"].as_f64().expect("p");
    assert!(p > 0.0 && p <= 0.001, "{f}");
    let r = sup_elsewhere.get("/api/v1/signals/pairs");
    assert_eq!(
        (r.json["panels"].clone(), r.json["flags"].clone()),
        (json!(0), json!([]))
    );
    assert_eq!(reg.get("/api/v1/signals/pairs").status, 403);
    assert_eq!(log_size(&s), size, "reading signals writes nothing");
}

both_backends!(sheets_by_both_raters_and_refusals, sheets_by_both_raters);
both_backends!(score_deviation_and_favourites, score_signals);
both_backends!(pair_co_occurrence, pair_signals);
