//! RFC 3797 over HTTP: the RFC's §6 example reproduced through
//! `POST /api/v1/rfc3797`, the `rfc3797.select` entry on the record, roles,
//! and problem+json errors naming the field.

use expert_draw_tests::pool::entries;
use expert_draw_tests::{Backend, Server, both_backends};
use serde_json::{Value, json};

/// The eligible volunteers of RFC 3797 §6, in the published order.
const POOL: [&str; 25] = [
    "John",
    "Mary",
    "Bashful",
    "Dopey",
    "Sleepy",
    "Grouchy",
    "Doc",
    "Sneazy",
    "Handsome",
    "Cassandra",
    "Pollyanna",
    "Pendragon",
    "Pandora",
    "Faith",
    "Hope",
    "Charity",
    "Lee",
    "Longsuffering",
    "Chastity",
    "Smith",
    "Pride",
    "Sloth",
    "Envy",
    "Anger",
    "Kasczynski",
];

const EXPECTED: [&str; 11] = [
    "Lee",
    "Doc",
    "Mary",
    "Charity",
    "Kasczynski",
    "Envy",
    "Sneazy",
    "Anger",
    "Chastity",
    "Pandora",
    "Sloth",
];

const KEY: &str = "9319./2.5.8.10.12./9.18.26.34.41.45./";

fn body() -> Value {
    json!({
        "candidates": POOL,
        // As announced: the second source unsorted, leading zeros.
        "sources": ["9319", "2 5 12 8 10", "09, 18, 26, 34, 41, 45"],
        "count": 11,
        "purpose": "RFC 3797 §6 example",
    })
}

fn rfc_example(backend: Backend) {
    let s = Server::start(backend);
    let op = s.token("operator", Some("420100"));
    let r = op.post("/api/v1/rfc3797", &body());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["selected"], json!(EXPECTED));
    assert_eq!(r.json["key"], KEY);
    // The same with the key given.
    let mut by_key = body();
    by_key.as_object_mut().unwrap().remove("sources");
    by_key["key"] = json!(KEY);
    by_key["count"] = json!(2);
    let r2 = s.token("supervisor", None).post("/api/v1/rfc3797", &by_key);
    assert_eq!(r2.status, 200, "{}", r2.text);
    assert_eq!(r2.json["selected"], json!(["Lee", "Doc"]));

    // On the record, inputs and outputs.
    let log = entries(&s.admin());
    let e = log
        .iter()
        .find(|e| e["seq"] == r.json["seq"])
        .expect("the entry");
    assert_eq!(e["kind"], "rfc3797.select");
    assert!(e["actor"].as_str().unwrap().starts_with("operator:"), "{e}");
    assert_eq!(e["data"]["selected"], json!(EXPECTED));
    assert_eq!(e["data"]["candidates"], json!(POOL));
    assert_eq!(e["data"]["key"], KEY);
    assert_eq!(e["data"]["count"], 11);
    assert_eq!(e["data"]["sources"], body()["sources"]);

    // Roles: regulators have no part; anonymous callers none either.
    let regulator = s.token("regulator", None);
    let size = entries(&s.admin()).len();
    let r = regulator.post("/api/v1/rfc3797", &body());
    assert_eq!(r.status, 403);
    r.problem();
    assert_eq!(s.anonymous().post("/api/v1/rfc3797", &body()).status, 401);

    // Errors name the field, and change nothing.
    let cases: Vec<(Value, &str)> = vec![
        (json!({"count": 26}), "count"),
        (json!({"count": 0}), "count"),
        (json!({"sources": ["9319", "2 x 5"]}), "sources"),
        (json!({"sources": []}), "sources"),
        (json!({"sources": null}), "sources"),
        (json!({"key": KEY}), "key"),
        (json!({"purpose": " "}), "purpose"),
        (json!({"candidates": []}), "candidates"),
        (json!({"candidates": ["A", "B", "A"]}), "candidates[2]"),
    ];
    for (patch, field) in cases {
        let mut b = body();
        for (k, v) in patch.as_object().unwrap() {
            b[k] = v.clone();
        }
        let r = op.post("/api/v1/rfc3797", &b);
        assert_eq!(r.status, 400, "{patch}: {}", r.text);
        assert_eq!(r.problem()["field"], field, "{patch}: {}", r.text);
    }
    assert_eq!(entries(&s.admin()).len(), size, "refusals log nothing");
}

both_backends!(rfc3797_section6_example_over_http, rfc_example);
