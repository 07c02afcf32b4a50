//! The OpenAPI document tells the truth: it is OpenAPI 3.1, every operation
//! it lists is served, and it lists exactly the routes of the access matrix,
//! which in turn are exactly the routes registered in the source. Swagger UI
//! answers.

use std::collections::BTreeSet;

use expert_draw_tests::routes::ROUTES;
use expert_draw_tests::{Backend, Server, both_backends};
use serde_json::{Value, json};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths");
    let mut set = BTreeSet::new();
    for (path, item) in paths {
        for (method, _) in item.as_object().expect("path item") {
            assert!(METHODS.contains(&method.as_str()), "{method} {path}");
            set.insert((method.to_uppercase(), path.clone()));
        }
    }
    set
}

fn is_unknown_route(r: &expert_draw_tests::Response) -> bool {
    r.status == 404
        && r.json["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("route "))
}

fn the_document_matches_the_server(backend: Backend) {
    let s = Server::start(backend);
    let r = s.anonymous().get("/api/v1/openapi.json");
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.content_type.starts_with("application/json"),
        "{}",
        r.content_type
    );
    let doc = r.json;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "expert-draw API");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"],
        json!({"type": "http", "scheme": "bearer"})
    );
    assert!(doc["components"]["schemas"]["Problem"].is_object());

    // Every documented operation exists: with a dummy id and an empty body
    // it may be refused, but never as an unknown route.
    let ops = documented(&doc);
    let admin = s.admin();
    for (method, path) in &ops {
        let concrete = path
            .replace("{id}", "E9999999")
            .replace("{pseudonym}", "P1")
            .replace("{token}", "r_unknown");
        assert!(!concrete.contains('{'), "unfilled parameter in {path}");
        let body = (method != "GET" && method != "DELETE").then(|| json!({}));
        for api in [&admin, &s.anonymous()] {
            let r = api.call(method, &concrete, body.as_ref());
            assert!(
                !is_unknown_route(&r),
                "{method} {path} is documented but not served: {}",
                r.text
            );
            assert!(r.status < 500, "{method} {path}: {}", r.text);
        }
        // Protected operations say so.
        let op = &doc["paths"][path][method.to_lowercase()];
        let open = [
            "/healthz",
            "/api/v1/audit/checkpoint",
            "/api/v1/audit/vkey",
            "/api/v1/respond/{token}",
            "/api/v1/rate/{token}",
            "/api/v1/public/panel-check",
            "/api/v1/public/projects",
            "/api/v1/public/project",
            "/api/v1/public/penalties",
        ];
        assert_eq!(
            op.get("security").is_some(),
            !open.contains(&path.as_str()),
            "{method} {path}: security requirement"
        );
    }
    // The unknown-route check itself can fail.
    assert!(is_unknown_route(&admin.get("/api/v1/not-a-route")));

    // The document lists exactly the matrix's documented routes.
    let table: BTreeSet<(String, String)> = ROUTES
        .iter()
        .filter(|r| r.documented)
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    let missing: Vec<_> = table.difference(&ops).collect();
    let extra: Vec<_> = ops.difference(&table).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "routes without documentation: {missing:?}; documented but not in the matrix: {extra:?}"
    );
    assert_eq!(
        table.len(),
        ROUTES.iter().filter(|r| r.documented).count(),
        "duplicate rows"
    );

    // Swagger UI.
    let r = s.anonymous().get("/api/v1/docs/");
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.content_type.starts_with("text/html"),
        "{}",
        r.content_type
    );
    assert!(r.text.contains("swagger"), "{}", r.text);
    let r = s.anonymous().get("/api/v1/docs/swagger-initializer.js");
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("/api/v1/openapi.json"), "{}", r.text);
}

both_backends!(openapi, the_document_matches_the_server);

/// Routes registered in `expert-api/src/http/*.rs`, read from the source:
/// `.route("/path", web::method()` inside `routes` functions (under
/// `/api/v1`), and in `mod.rs` at the root.
fn registered_in_source() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../expert-api/src/http");
    let mut set = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("http sources") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source");
        let prefix = if path.file_name().is_some_and(|n| n == "mod.rs") {
            ""
        } else {
            "/api/v1"
        };
        let mut rest = text.as_str();
        while let Some(at) = rest.find(".route(\"") {
            rest = &rest[at + 8..];
            let end = rest.find('"').expect("closing quote");
            let route = &rest[..end];
            let after = &rest[end..];
            let method = after
                .find("web::")
                .map(|i| &after[i + 5..])
                .and_then(|m| m.split('(').next())
                .expect("web::method()");
            // actix's `{name}` segments keep their names, as documented.
            let normalised = route;
            set.insert((method.to_uppercase(), format!("{prefix}{normalised}")));
        }
    }
    set
}

#[test]
fn the_matrix_lists_every_route_in_the_source() {
    let source = registered_in_source();
    assert!(source.len() >= 20, "{source:?}");
    let table: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    // Swagger UI is a service, not a `.route`.
    let not_routes: BTreeSet<(String, String)> =
        [("GET".to_owned(), "/api/v1/docs/".to_owned())].into();
    let table: BTreeSet<_> = table.difference(&not_routes).cloned().collect();
    assert_eq!(
        source, table,
        "the route table in tests/src/routes.rs and the routes in expert-api/src/http differ"
    );
}
