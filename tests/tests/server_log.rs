//! What the service writes about its requests never holds a secret: no API
//! token, no full resident ID or mobile number, in the server log or in the
//! (exportable) audit log; database passwords are never printed.

use expert_draw_tests::audit::leaves;
use expert_draw_tests::fixtures::application_in;
use expert_draw_tests::{Backend, Server, both_backends, cli};
use serde_json::Value;
use serde_json::json;

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    assert!(!text.contains("edt_"), "{what} holds a token:\n{text}");
    for s in secrets {
        assert!(!text.contains(s.as_str()), "{what} holds {s}:\n{text}");
    }
}

fn no_secrets_in_logs(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    let mut secrets = vec![s.admin_token.clone()];

    let mint = |body: serde_json::Value| {
        let r = admin.post("/api/v1/tokens", &body);
        assert_eq!(r.status, 201, "{}", r.text);
        (
            r.json["token"].as_str().expect("secret").to_owned(),
            r.json["id"].as_str().expect("id").to_owned(),
        )
    };
    let (op_secret, _) = mint(json!({"role": "operator", "region": "420100", "label": "op"}));
    let (sup_secret, _) = mint(json!({"role": "supervisor", "label": "sup"}));
    let (gone_secret, gone_id) = mint(json!({"role": "regulator", "label": "reg"}));
    secrets.extend([op_secret.clone(), sup_secret.clone(), gone_secret.clone()]);
    assert!(secrets.iter().all(|t| t.starts_with("edt_")));
    let apps: Vec<Value> = (0..3).map(|_| application_in("420100")).collect();
    let resident_id = |i: usize| apps[i]["resident_id"].as_str().expect("id").to_owned();
    let mobile = |i: usize| apps[i]["mobile"].as_str().expect("mobile").to_owned();
    for n in 0..3 {
        secrets.push(resident_id(n));
        secrets.push(mobile(n));
    }
    let new_mobile = "13712345678".to_owned();
    secrets.push(new_mobile.clone());

    let op = s.api(&op_secret);
    let r = op.post("/api/v1/experts", &apps[0]);
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().expect("id").to_owned();
    // The operator sees masked data; the admin sees it whole.
    assert!(!r.text.contains(&resident_id(0)));
    let full = admin.get(&format!("/api/v1/experts/{id}"));
    assert_eq!(full.json["resident_id"], resident_id(0));
    assert_eq!(full.json["mobile"], mobile(0));

    // Refused requests that carry personal data in body or query.
    let r = op.post("/api/v1/experts", &apps[0]);
    assert_eq!(r.status, 409, "{}", r.text);
    let mut bad = apps[1].clone();
    bad["years_in_field"] = json!(1);
    assert_eq!(op.post("/api/v1/experts", &bad).status, 422);
    let mut bad = apps[2].clone();
    bad["mobile"] = json!(format!("{}x", mobile(2)));
    assert_eq!(op.post("/api/v1/experts", &bad).status, 422);
    let r = admin.get(&format!("/api/v1/experts?q={}", resident_id(0)));
    assert_eq!(r.status, 200, "{}", r.text);
    let r = admin.get(&format!("/api/v1/experts?employer={}&nope=1", mobile(1)));
    assert_eq!(r.status, 400, "{}", r.text);
    let r = op.patch(
        &format!("/api/v1/experts/{id}/contact"),
        &json!({"mobile": new_mobile}),
    );
    assert_eq!(r.status, 200, "{}", r.text);

    // Tokens that do not work, and ones that do.
    assert_eq!(
        admin.delete(&format!("/api/v1/tokens/{gone_id}")).status,
        200
    );
    assert_eq!(s.api(&gone_secret).get("/api/v1/experts").status, 401);
    let made_up = format!("edt_{}", "A".repeat(43));
    secrets.push(made_up.clone());
    let r = admin.get_with_auth("/api/v1/experts", &format!("Bearer {made_up}"));
    assert_eq!(r.status, 401);
    assert_eq!(admin.get_with_auth("/api/v1/experts", &made_up).status, 401);
    assert_eq!(s.api(&sup_secret).get("/api/v1/audit/entries").status, 200);

    let log = s.log();
    assert!(
        log.contains("/api/v1/experts") && log.contains("/api/v1/tokens"),
        "the server log should record requests:\n{log}"
    );
    assert_clean("server log", &log, &secrets);
    let exported = leaves(&admin, 1000).join("\n");
    assert!(exported.contains(&id));
    assert_clean("audit log", &exported, &secrets);
}

both_backends!(secrets, no_secrets_in_logs);

#[test]
fn database_passwords_are_never_printed() {
    // Trust authentication ignores the password, so the command works and
    // must still not echo it; a refused connection must not either.
    let password = "pw-9f3c1e";
    let admin = expert_draw_tests::backend::postgres_admin_url();
    let Some(rest) = admin.strip_prefix("postgres://postgres@") else {
        eprintln!("SKIPPED: unusual EXPERT_DRAW_TEST_PG");
        return;
    };
    let url = format!(
        "postgres://postgres:{password}@{rest}/ed_no_such_db_{}",
        std::process::id()
    );
    let (code, out, err) = cli(&["migrate", "--db", &url]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        !out.contains(password) && !err.contains(password),
        "{out}{err}"
    );
    assert!(err.contains("postgres:***@"), "{err}");
    let url = format!("mysql://root:{password}@localhost/x");
    let (code, out, err) = cli(&["migrate", "--db", &url]);
    assert_ne!(code, 0);
    assert!(
        !out.contains(password) && !err.contains(password),
        "{out}{err}"
    );
}
