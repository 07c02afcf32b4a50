//! Evaluation results and their public disclosure (评标结果公开), over real
//! HTTP on both backends: nothing of a project is public before its award;
//! after it the panel's names; once uploaded, the candidates, the rejected
//! bids with reasons and every expert's item-by-item scores. Inconsistent
//! totals are refused naming the field, writing nothing; corrections are
//! new versions; who may upload and read is checked per role and region.

use expert_draw_tests::award::{members, pool12, revealed, start};
use expert_draw_tests::fixtures::{audit_lines, log_size, validation_errors};
use expert_draw_tests::panel::{end_evaluation, sign_in_all};
use expert_draw_tests::pool::{credit_code, seed_pool};
use expert_draw_tests::{Api, Backend, Server, both_backends};
use serde_json::{Value, json};

/// Points in hundredths as the API writes them: a decimal string, no
/// trailing zeros (`"87.25"`, `"87.5"`, `"87"`).
fn pts(centi: u64) -> Value {
    let (whole, frac) = (centi / 100, centi % 100);
    json!(match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    })
}

/// The same results with every decimal string as a JSON number, as a
/// spreadsheet export would send them.
fn numeric(v: &Value) -> Value {
    match v {
        Value::String(s) if s.parse::<f64>().is_ok() && !s.starts_with("91") => {
            json!(s.parse::<f64>().expect("number"))
        }
        Value::Array(a) => Value::Array(a.iter().map(numeric).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), numeric(v))).collect()),
        other => other.clone(),
    }
}

/// The mean of `totals` in hundredths, rounded half up.
fn mean(totals: &[u64]) -> u64 {
    let n = totals.len() as u64;
    (2 * totals.iter().sum::<u64>() + n) / (2 * n)
}

/// Results for the members `ids`: bidders A and B scored, C rejected;
/// member i gives A (38 + i/4, 50 + i) and B (35, 44 + i/2) points.
fn results(ids: &[String], bump: u64) -> Value {
    let (a, b, c) = (credit_code(901), credit_code(902), credit_code(903));
    let mut scores = Vec::new();
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for (i, id) in ids.iter().enumerate() {
        let i = i as u64;
        let (pa, xa) = (3800 + i * 25, 5000 + i * 100 + bump);
        let (pb, xb) = (3500, 4400 + i * 50);
        ta.push(pa + xa);
        tb.push(pb + xb);
        scores.push(json!({"expert_id": id, "bidder": a, "items": {"price": pts(pa), "tech": pts(xa)}, "total": pts(pa + xa)}));
        scores.push(json!({"expert_id": id, "bidder": b, "items": {"price": pts(pb), "tech": pts(xb)}, "total": pts(pb + xb)}));
    }
    json!({
        "items": [
            {"code": "price", "name": "投标报价", "max": "40"},
            {"code": "tech", "name": "技术方案", "max": "60"},
        ],
        "bidders": [
            {"code": a, "name": "甲建设有限公司"},
            {"code": b, "name": "乙工程有限公司"},
            {"code": c, "name": "丙集团有限公司"},
        ],
        "rejected": [{"bidder": c, "reason": "投标保证金未按要求提交", "basis": "招标文件第 3.4.1 条"}],
        "scores": scores,
        "candidates": [
            {"rank": 1, "bidder": a, "score": pts(mean(&ta))},
            {"rank": 2, "bidder": b, "score": pts(mean(&tb))},
        ],
    })
}

fn public_project(anon: &Api, project: &str) -> expert_draw_tests::Response {
    anon.get(&format!("/api/v1/public/project?project_id={project}"))
}

fn results_entries(s: &Server) -> Vec<Value> {
    audit_lines(s)
        .into_iter()
        .map(|(_, e)| e)
        .filter(|e| e["kind"] == "evaluation.results")
        .collect()
}

fn evaluation_results_published(backend: Backend) {
    let s = start(backend, "[public_check]\nburst = 200\n");
    seed_pool(&s.admin(), &pool12());
    let op = s.token("operator", Some("420100"));
    let elsewhere = s.token("operator", Some("420600"));
    let sup = s.token("supervisor", None);
    let reg = s.token("regulator", None);
    let anon = s.anonymous();

    let id = revealed(&op, "P-E1");
    sign_in_all(&op, &id);
    let (served, _) = members(&s, &id);
    let mut ids: Vec<String> = served.iter().map(|(_, i)| i.clone()).collect();
    ids.sort();
    let upload = format!("/api/v1/draws/{id}/evaluation");

    // Before the award: nothing public, the same answer as no project.
    let unknown = public_project(&anon, "P-NONE");
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    let before = public_project(&anon, "P-E1");
    assert_eq!((before.status, &before.text), (404, &unknown.text));
    let list = anon.get("/api/v1/public/projects");
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json["items"], json!([]), "{}", list.text);
    let size = log_size(&s);
    let r = op.post(&upload, &json!({"results": results(&ids, 0)}));
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.problem()["rule"], "not_awarded");
    assert_eq!(log_size(&s), size);

    end_evaluation(&s, &id);
    let r = op.post(&format!("/api/v1/draws/{id}/award"), &json!({}));
    assert_eq!(r.status, 201, "{}", r.text);

    // After the award: the panel's names, no results yet.
    let r = public_project(&anon, "P-E1");
    assert_eq!(r.status, 200, "{}", r.text);
    let section = &r.json["sections"][0];
    let mut names: Vec<&str> = section["panel"]
        .as_array()
        .expect("panel")
        .iter()
        .map(|n| n.as_str().expect("name"))
        .collect();
    names.sort_unstable();
    let mut want: Vec<&str> = served.iter().map(|(n, _)| n.as_str()).collect();
    want.sort_unstable();
    assert_eq!(names, want);
    assert_eq!(section["results"], Value::Null);
    assert_eq!(section["draws"], json!([id]));
    let list = anon.get("/api/v1/public/projects");
    assert_eq!(list.json["items"][0]["project_id"], "P-E1", "{}", list.text);
    assert_eq!(list.json["items"][0]["results_published"], false);

    // Who may upload: the operator of the region and admins.
    let good = json!({"results": results(&ids, 0)});
    assert_eq!(sup.post(&upload, &good).status, 403);
    assert_eq!(reg.post(&upload, &good).status, 403);
    assert_eq!(elsewhere.post(&upload, &good).status, 404);
    assert_eq!(anon.post(&upload, &good).status, 401);

    // Inconsistent results: refused, naming the field, nothing written.
    let size = log_size(&s);
    let bad = |change: &dyn Fn(&mut Value)| {
        let mut body = good.clone();
        change(&mut body["results"]);
        op.post(&upload, &body)
    };
    let r = bad(&|r| {
        r["scores"][0]["items"]["price"] = json!(40.5);
        r["scores"][0]["total"] = json!(100.5);
    });
    let errors = validation_errors(&r);
    assert_eq!(
        errors[0],
        ("results/scores/0/items/price".into(), "out_of_range".into())
    );
    let r = bad(&|r| r["scores"][1]["total"] = json!(1.0));
    assert_eq!(
        validation_errors(&r),
        vec![(
            "results/scores/1/total".to_owned(),
            "total_mismatch".to_owned()
        )]
    );
    let r = bad(&|r| r["candidates"][0]["score"] = json!(99.99));
    assert_eq!(
        validation_errors(&r),
        vec![(
            "results/candidates/0/score".to_owned(),
            "total_mismatch".to_owned()
        )]
    );
    let r = bad(&|r| {
        r["candidates"][1]["bidder"] = r["rejected"][0]["bidder"].clone();
    });
    assert!(
        validation_errors(&r).contains(&("results/candidates/1/bidder".into(), "rejected".into())),
        "{}",
        r.text
    );
    let r = bad(&|r| r["scores"][0]["expert_id"] = json!("E-NOT-ON-PANEL"));
    assert!(
        validation_errors(&r)
            .contains(&("results/scores/0/expert_id".into(), "not_on_panel".into())),
        "{}",
        r.text
    );
    let r = bad(&|r| {
        r["scores"].as_array_mut().expect("scores").pop();
    });
    assert_eq!(
        validation_errors(&r),
        vec![("results/scores".to_owned(), "required".to_owned())]
    );
    let r = bad(&|r| r["scores"][0]["items"]["price"] = json!(38.001));
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(
        r.field(),
        Some("results/scores/0/items/price"),
        "{}",
        r.text
    );
    let r = bad(&|r| r["bidders"][0]["code"] = json!("91420100MA00009010"));
    assert!(
        validation_errors(&r)
            .iter()
            .any(|(f, _)| f == "results/bidders/0/code"),
        "{}",
        r.text
    );
    let r = op.post(&upload, &json!({"results": good["results"], "extra": 1}));
    assert_eq!((r.status, r.field()), (400, Some("extra")), "{}", r.text);
    assert_eq!(log_size(&s), size);
    assert!(results_entries(&s).is_empty());
    assert_eq!(
        public_project(&anon, "P-E1").json["sections"][0]["results"],
        Value::Null
    );

    // Valid: version 1 with the finals; the same again writes nothing.
    let r = op.post(&upload, &good);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["version"], 1);
    assert_eq!(
        r.json["finals"][0]["bidder"],
        good["results"]["candidates"][0]["bidder"]
    );
    assert_eq!(
        r.json["finals"][0]["score"],
        good["results"]["candidates"][0]["score"]
    );
    assert_eq!(r.json["results"], good["results"]);
    // Numbers are taken as well; the same results again write nothing.
    let r = op.post(&upload, &json!({"results": numeric(&good["results"])}));
    assert_eq!(
        (r.status, r.json["version"].clone()),
        (200, json!(1)),
        "{}",
        r.text
    );
    assert_eq!(results_entries(&s).len(), 1);

    // A correction is a new version; the first stays.
    let corrected = json!({"results": results(&ids, 25), "note": "专家复核更正技术分"});
    let r = op.post(&upload, &corrected);
    assert_eq!(
        (r.status, r.json["version"].clone()),
        (201, json!(2)),
        "{}",
        r.text
    );
    let logged = results_entries(&s);
    assert_eq!(logged.len(), 2);
    assert_eq!(logged[1]["data"]["version"], 2);
    assert_eq!(logged[1]["data"]["results"], corrected["results"]);
    for api in [&op, &sup, &reg, &s.admin()] {
        let r = api.get(&upload);
        assert_eq!(r.status, 200, "{}", r.text);
        let versions = r.json["versions"].as_array().expect("versions");
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0]["results"], good["results"]);
        assert_eq!(versions[1]["note"], "专家复核更正技术分");
    }
    assert_eq!(elsewhere.get(&upload).status, 404);
    assert_eq!(anon.get(&upload).status, 401);

    // Public: the latest version, experts by name, never by id.
    let r = public_project(&anon, "P-E1");
    assert_eq!(r.status, 200, "{}", r.text);
    let published = &r.json["sections"][0]["results"];
    assert_eq!(published["version"], 2);
    assert_eq!(published["candidates"], corrected["results"]["candidates"]);
    assert_eq!(published["rejected"], corrected["results"]["rejected"]);
    assert_eq!(published["items"], corrected["results"]["items"]);
    let sheets = published["scores"].as_array().expect("scores");
    assert_eq!(sheets.len(), 2 * ids.len());
    for (sheet, wanted) in sheets
        .iter()
        .zip(corrected["results"]["scores"].as_array().expect("scores"))
    {
        let id = wanted["expert_id"].as_str().expect("id");
        let name = &served.iter().find(|(_, i)| i == id).expect("served").0;
        assert_eq!(sheet["expert"], json!(name));
        assert_eq!(sheet["items"], wanted["items"]);
        assert_eq!(sheet["total"], wanted["total"]);
    }
    for id in &ids {
        assert!(!r.text.contains(id.as_str()), "{id} in {}", r.text);
    }
    let list = anon.get("/api/v1/public/projects");
    assert_eq!(list.json["items"][0]["results_published"], true);

    // A second awarded project: the list pages newest first.
    let second = revealed(&op, "P-E2");
    sign_in_all(&op, &second);
    end_evaluation(&s, &second);
    let r = op.post(&format!("/api/v1/draws/{second}/award"), &json!({}));
    assert_eq!(r.status, 201, "{}", r.text);
    let first = anon.get("/api/v1/public/projects?limit=1");
    assert_eq!(
        first.json["items"][0]["project_id"], "P-E2",
        "{}",
        first.text
    );
    let cursor = first.json["next_cursor"].as_str().expect("cursor");
    let next = anon.get(&format!("/api/v1/public/projects?limit=1&cursor={cursor}"));
    assert_eq!(next.json["items"][0]["project_id"], "P-E1", "{}", next.text);
    assert_eq!(next.json["next_cursor"], Value::Null);

    // Bad queries name the parameter.
    for (path, field) in [
        ("/api/v1/public/projects?limit=0", "limit"),
        ("/api/v1/public/projects?cursor=bm9wZQ", "cursor"),
        ("/api/v1/public/project", "project_id"),
        ("/api/v1/public/project?project_id=%20", "project_id"),
    ] {
        let r = anon.get(path);
        assert_eq!(
            (r.status, r.field()),
            (400, Some(field)),
            "{path}: {}",
            r.text
        );
    }
}

both_backends!(published, evaluation_results_published);

/// The disclosure pages have their own bucket: a client browsing them
/// does not use up the award-notice check's, and the other way round.
fn public_reads_are_rate_limited_apart(backend: Backend) {
    let s = start(backend, "[public_read]\nrate_per_hour = 1\nburst = 2\n");
    let anon = s.anonymous();
    for _ in 0..2 {
        assert_eq!(anon.get("/api/v1/public/projects").status, 200);
    }
    let r = anon.get("/api/v1/public/project?project_id=P-1");
    assert_eq!(r.status, 429, "{}", r.text);
    assert!(r.header("retry-after").is_some(), "{:?}", r.headers);
    let check = anon.post(
        "/api/v1/public/panel-check",
        &json!({"project_id": "P-1", "names": ["张三"]}),
    );
    assert_eq!(check.status, 404, "{}", check.text);
}

both_backends!(read_limit, public_reads_are_rate_limited_apart);
