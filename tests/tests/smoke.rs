//! The service starts on each backend, answers health, and the first admin
//! token from the CLI works while a missing one is refused.

use expert_draw_tests::{Backend, Server, both_backends};

fn starts_and_authenticates(backend: Backend) {
    let s = Server::start(backend);
    let h = s.anonymous().get("/healthz");
    assert_eq!(h.status, 200, "{}", h.text);
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(h.json["database"], expected);

    let r = s.admin().get("/api/v1/experts");
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["items"].as_array().map(Vec::len), Some(0));

    let r = s.anonymous().get("/api/v1/experts");
    assert_eq!(r.status, 401);
    assert_eq!(r.problem()["field"], "Authorization");
}

both_backends!(service_starts, starts_and_authenticates);
