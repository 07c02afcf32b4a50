//! The expert list: every filter (status, region, specialty prefix,
//! employer, text) against a model of what was registered, walked page by
//! page with the cursor; bound callers only ever see their own region.

use std::collections::BTreeSet;

use expert_draw_tests::fixtures::{self, apply_ok, approve_ok, assert_problem, enc};
use expert_draw_tests::{Api, Backend, Server, both_backends};
use serde_json::{Value, json};

/// What the test registered, to compute the expected result of a filter.
#[derive(Debug, Clone)]
struct Registered {
    id: String,
    name: String,
    region: String,
    specialties: Vec<String>,
    employer_code: String,
    employer_name: String,
    status: &'static str,
}

/// Walks every page of `query` with page size `limit`; returns the ids in
/// order and checks the page shapes.
fn walk(api: &Api, query: &str, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = format!("/api/v1/experts?limit={limit}");
        if !query.is_empty() {
            path.push('&');
            path.push_str(query);
        }
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = api.get(&path);
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        let items = r.json["items"].as_array().expect("items");
        assert!(items.len() <= limit, "{path}");
        ids.extend(
            items
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned()),
        );
        pages += 1;
        assert!(pages < 100, "endless pages for {query}");
        match r.json["next_cursor"].as_str() {
            Some(next) => {
                // A page with a successor is full.
                assert_eq!(items.len(), limit, "{path}");
                cursor = Some(next.to_owned());
            }
            None => {
                assert!(r.json.get("next_cursor").is_some(), "{}", r.text);
                break;
            }
        }
    }
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "duplicates in {query}: {ids:?}");
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, ids, "{query}: not in id order");
    ids
}

fn expected(all: &[Registered], keep: impl Fn(&Registered) -> bool) -> Vec<String> {
    all.iter()
        .filter(|r| keep(r))
        .map(|r| r.id.clone())
        .collect()
}

fn register(
    s: &Server,
    region: &str,
    specialties: &[&str],
    employer: Option<(&str, &str)>,
    status: &'static str,
) -> Registered {
    let admin = s.admin();
    let mut app = fixtures::application_in(region);
    app["specialties"] = json!(specialties);
    if let Some((name, code)) = employer {
        app["employer"] = json!({"name": name, "code": code});
    }
    let created = apply_ok(&admin, &app);
    let id = created["id"].as_str().expect("id").to_owned();
    match status {
        "applicant" => {}
        "active" => {
            approve_ok(&admin, &id);
        }
        "rejected" => {
            let r = admin.post(
                &format!("/api/v1/experts/{id}/admission"),
                &json!({"decision": "reject", "reasons": ["材料不全"]}),
            );
            assert_eq!(r.status, 200, "{}", r.text);
        }
        other => panic!("unsupported status {other}"),
    }
    Registered {
        id,
        name: app["name"].as_str().expect("name").to_owned(),
        region: region.to_owned(),
        specialties: specialties.iter().map(|s| (*s).to_owned()).collect(),
        employer_code: app["employer"]["code"].as_str().expect("code").to_owned(),
        employer_name: app["employer"]["name"].as_str().expect("name").to_owned(),
        status,
    }
}

fn lists_filter_and_page(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    let changjiang = (
        "长江勘测规划设计研究院",
        fixtures::credit_code("420100", 1_234_567),
    );
    let shared = (changjiang.0, changjiang.1.as_str());
    // (region, specialties, employer (name, code) or a fresh one, status)
    type Plan<'a> = (
        &'a str,
        Vec<&'a str>,
        Option<(&'a str, &'a str)>,
        &'static str,
    );
    let plan: Vec<Plan> = vec![
        ("420100", vec!["ENA080101"], Some(shared), "active"),
        ("420100", vec!["ENA080201", "ENB0101"], None, "active"),
        ("420100", vec!["ENA0601"], None, "applicant"),
        ("420600", vec!["ENA080101"], Some(shared), "active"),
        ("420100", vec!["ENB0101"], None, "rejected"),
        ("420500", vec!["ENA0601", "ENA080301"], None, "active"),
        ("420600", vec!["ENB01"], None, "applicant"),
        ("420100", vec!["ENA08"], None, "active"),
        ("420600", vec!["ENA0801"], Some(shared), "active"),
        ("420100", vec!["ENC0101"], None, "active"),
        ("420500", vec!["ENB0101"], None, "applicant"),
        ("420100", vec!["ENA080101", "ENA0601"], None, "active"),
        ("420600", vec!["ENC01"], None, "rejected"),
    ];
    let all: Vec<Registered> = plan
        .iter()
        .map(|(region, specs, employer, status)| register(&s, region, specs, *employer, status))
        .collect();
    let ids_all = expected(&all, |_| true);
    assert_eq!(ids_all.len(), 13);

    // Every page size walks the same list, without gaps or duplicates.
    for limit in [1, 4, 5, 13, 50] {
        assert_eq!(walk(&admin, "", limit), ids_all, "limit {limit}");
    }
    // The default page holds them all and says there is no more.
    let r = admin.get("/api/v1/experts");
    assert_eq!(r.json["items"].as_array().map(Vec::len), Some(13));
    assert_eq!(r.json["next_cursor"], Value::Null);

    let has_prefix = |r: &Registered, p: &str| r.specialties.iter().any(|c| c.starts_with(p));
    let cases: Vec<(String, Vec<String>)> = vec![
        (
            "status=active".into(),
            expected(&all, |r| r.status == "active"),
        ),
        (
            "status=applicant".into(),
            expected(&all, |r| r.status == "applicant"),
        ),
        (
            "status=rejected".into(),
            expected(&all, |r| r.status == "rejected"),
        ),
        ("status=removed".into(), vec![]),
        (
            "region=420600".into(),
            expected(&all, |r| r.region == "420600"),
        ),
        (
            "region=420500".into(),
            expected(&all, |r| r.region == "420500"),
        ),
        ("region=421000".into(), vec![]),
        (
            "specialty=ENA08".into(),
            expected(&all, |r| has_prefix(r, "ENA08")),
        ),
        (
            "specialty=ENA0801".into(),
            expected(&all, |r| has_prefix(r, "ENA0801")),
        ),
        (
            "specialty=ENA080101".into(),
            expected(&all, |r| has_prefix(r, "ENA080101")),
        ),
        (
            "specialty=ENA".into(),
            expected(&all, |r| has_prefix(r, "ENA")),
        ),
        (
            "specialty=ENB01".into(),
            expected(&all, |r| has_prefix(r, "ENB01")),
        ),
        ("specialty=EN".into(), ids_all.clone()),
        ("specialty=ENA0801011".into(), vec![]),
        (
            format!("employer={}", changjiang.1),
            expected(&all, |r| r.employer_code == changjiang.1),
        ),
        (format!("q={}", enc(&all[4].name)), vec![all[4].id.clone()]),
        (
            format!("q={}", enc(&all[6].name[..6])),
            expected(&all, |r| r.name.starts_with(&all[6].name[..6])),
        ),
        (
            format!("q={}", enc("长江")),
            expected(&all, |r| r.employer_name.contains("长江")),
        ),
        (
            format!("q={}", enc("建筑设计研究院")),
            expected(&all, |r| r.employer_name.contains("建筑设计研究院")),
        ),
        ("q=%25".into(), vec![]),
        ("q=_".into(), vec![]),
        ("q=%20%20".into(), ids_all.clone()),
        (
            "status=active&region=420100&specialty=ENA08".into(),
            expected(&all, |r| {
                r.status == "active" && r.region == "420100" && has_prefix(r, "ENA08")
            }),
        ),
        (
            format!("region=420600&employer={}&status=active", changjiang.1),
            expected(&all, |r| {
                r.region == "420600" && r.employer_code == changjiang.1 && r.status == "active"
            }),
        ),
    ];
    for (query, want) in &cases {
        assert_eq!(&walk(&admin, query, 2), want, "{query}");
    }

    // A bound caller sees their own region only, whatever they ask for.
    let wuhan = expected(&all, |r| r.region == "420100");
    let op = s.token("operator", Some("420100"));
    assert_eq!(walk(&op, "", 3), wuhan);
    assert_eq!(walk(&op, "region=420100", 3), wuhan);
    assert_eq!(
        walk(&op, "specialty=ENA08", 1),
        expected(&all, |r| r.region == "420100" && has_prefix(r, "ENA08"))
    );
    assert_eq!(
        walk(&op, &format!("employer={}", changjiang.1), 1),
        vec![all[0].id.clone()]
    );
    let r = op.get("/api/v1/experts?region=420600");
    assert_problem(&r, 403, "forbidden", Some("region"), None);
    let xiangyang = expected(&all, |r| r.region == "420600");
    let bound_supervisor = s.token("supervisor", Some("420600"));
    assert_eq!(walk(&bound_supervisor, "", 2), xiangyang);
    let bound_regulator = s.token("regulator", Some("420600"));
    assert_eq!(
        walk(&bound_regulator, "status=active", 2),
        expected(&all, |r| r.region == "420600" && r.status == "active")
    );
    // A cursor from the admin's walk does not widen an operator's view.
    let r = admin.get("/api/v1/experts?limit=1");
    let cursor = r.json["next_cursor"].as_str().expect("cursor");
    let r = op.get(&format!("/api/v1/experts?limit=200&cursor={cursor}"));
    assert_eq!(r.status, 200, "{}", r.text);
    for item in r.json["items"].as_array().expect("items") {
        assert_eq!(item["region"], "420100", "{item}");
    }
}

both_backends!(list, lists_filter_and_page);

/// Every list item is the record `GET /experts/{id}` gives the same caller,
/// less the employment history, with the same masking per role.
fn assert_items_are_records(s: &Server, api: &Api, query: &str) {
    let r = api.get(&format!("/api/v1/experts?limit=200&{query}"));
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.json["items"].as_array().expect("items");
    assert!(!items.is_empty(), "{query}: {}", r.text);
    for item in items {
        let id = item["id"].as_str().expect("id");
        let one = api.get(&format!("/api/v1/experts/{id}"));
        assert_eq!(one.status, 200, "{}", one.text);
        let mut record = one.json;
        record
            .as_object_mut()
            .expect("object")
            .remove("employment_history");
        assert_eq!(item, &record, "{:?} {query}", s.backend());
    }
}

/// The list follows every change at once, also one made through another
/// instance of the service on the same database, and its items are the
/// records themselves.
fn follows_changes_across_instances(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    let mut app = fixtures::application_in("420100");
    app["employer"]["name"] = json!("Acme工程咨询有限公司");
    app["civil_servant"] = json!(true);
    app["employer_contact"] =
        json!({"name": "人事处", "phone": "027-87654321", "address": "武汉市武昌区中北路1号"});
    let a = apply_ok(&admin, &app)["id"]
        .as_str()
        .expect("id")
        .to_owned();
    approve_ok(&admin, &a);
    let b = register(&s, "420600", &["ENA0601"], None, "active").id;

    let other = s.start_second();
    let admin2 = other.admin();
    // The second instance has read the registry before the changes below.
    assert_eq!(walk(&admin2, "", 50), vec![a.clone(), b.clone()]);
    // ASCII letters match regardless of case, on both backends.
    assert_eq!(walk(&admin2, "q=acme", 50), vec![a.clone()]);
    assert_eq!(
        walk(&admin2, "q=ACME%E5%B7%A5%E7%A8%8B", 50),
        vec![a.clone()]
    );

    // Changes through the first instance show on the second's next page.
    let r = admin.patch(
        &format!("/api/v1/experts/{a}/contact"),
        &json!({"mobile": "13500001111", "region": "420500"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(walk(&admin2, "region=420500", 50), vec![a.clone()]);
    assert_eq!(walk(&admin2, "region=420100", 50), Vec::<String>::new());
    let new_employer =
        json!({"name": "中南建筑设计院", "code": fixtures::credit_code("420500", 7_777_777)});
    let r = admin.post(
        &format!("/api/v1/experts/{b}/employer"),
        &json!({"employer": new_employer, "since": "2024-01-01"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let code = new_employer["code"].as_str().expect("code");
    assert_eq!(
        walk(&admin2, &format!("employer={code}"), 50),
        vec![b.clone()]
    );
    assert_eq!(
        walk(&admin2, &format!("q={}", enc("中南")), 50),
        vec![b.clone()]
    );
    let r = admin.post(
        &format!("/api/v1/experts/{b}/suspend"),
        &json!({"restore": "after_test", "reason": "评审中未按规定回避"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(walk(&admin2, "status=suspended", 50), vec![b.clone()]);
    assert_eq!(walk(&admin2, "status=active", 50), vec![a.clone()]);
    let c = register(&s, "420600", &["ENB0101"], None, "applicant").id;
    assert_eq!(walk(&admin2, "specialty=ENB", 50), vec![c.clone()]);
    assert_eq!(walk(&admin2, "", 1), vec![a.clone(), b.clone(), c.clone()]);

    // Items equal records for every kind of caller, on both instances.
    for server in [&s, &other] {
        assert_items_are_records(server, &server.admin(), "");
        assert_items_are_records(server, &server.token("regulator", None), "");
        assert_items_are_records(
            server,
            &server.token("supervisor", None),
            "status=suspended",
        );
        assert_items_are_records(server, &server.token("operator", Some("420500")), "");
    }
    let masked = s
        .token("supervisor", None)
        .get("/api/v1/experts?region=420500");
    let item = &masked.json["items"][0];
    assert_eq!(item["mobile"], "135****1111", "{}", masked.text);
    assert_eq!(item["employer_contact"], Value::Null, "{}", masked.text);
    let full = s
        .token("regulator", None)
        .get("/api/v1/experts?region=420500");
    assert_eq!(
        full.json["items"][0]["employer_contact"],
        app["employer_contact"]
    );
}

both_backends!(follows_instances, follows_changes_across_instances);
