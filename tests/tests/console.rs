//! The web console (issue 6) in a real headless Chromium against a real
//! `expert-api` on SQLite: an operator signs in, filters the pool, requests
//! a draw (a validation message in Chinese first), reveals it and sees the
//! members by pseudonym, and records a sign-in; a supervisor replays that
//! draw in the page (replay.js) and sees the matching result, the audit
//! log and the offline command; an operator of another region sees nothing
//! of it. The console's security headers and redirects are checked over
//! plain HTTP on both backends.
//!
//! Without Chromium and chromedriver the browser test fails under `CI=true`
//! and skips otherwise. A failing browser test leaves its screenshots in a
//! directory it prints.

use expert_draw_tests::browser::{Browser, TestDir, available_or_skip};
use expert_draw_tests::fixtures::SPECIALTY;
use expert_draw_tests::pool::{Seed, entries, seed_pool};
use expert_draw_tests::{Api, Backend, Server, both_backends};
use serde_json::{Value, json};

fn mint(s: &Server, role: &str, region: Option<&str>) -> String {
    let r = s.admin().post(
        "/api/v1/tokens",
        &json!({"role": role, "region": region, "label": format!("console {role}")}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["token"].as_str().expect("token").to_owned()
}

fn sign_in(b: &Browser, base: &str, token: &str) {
    b.goto(&format!("{base}/console/#/signin"));
    b.type_into("#signin-form [name=token]", token);
    b.click("#signin-form button[type=submit]");
    b.wait_until("the signed-in navigation", |b| !b.text("#who").is_empty());
}

fn sign_out(b: &Browser) {
    b.click("#sign-out");
    b.wait("#signin-form");
}

/// Beijing wall-clock time `hours` from now, as a `datetime-local` value.
fn beijing_in(hours: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::hours(hours + 8))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn ids_of(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|x| x["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn operator_supervisor_and_other_region_in_a_browser() {
    if !available_or_skip("console browser test") {
        return;
    }
    let s = Server::start(Backend::Sqlite);
    // Twelve experts: eight of Wuhan, four of Xiangyang, each employer once.
    let seeds: Vec<Seed> = (0..12)
        .map(|i| Seed {
            region: if i < 8 { "420100" } else { "420600" },
            specialty: SPECIALTY,
            employer: 500 + i,
        })
        .collect();
    seed_pool(&s.admin(), &seeds);
    let operator = mint(&s, "operator", Some("420100"));
    let supervisor = mint(&s, "supervisor", None);
    let stranger = mint(&s, "operator", Some("420600"));

    let dir = TestDir::new("expert-draw-console");
    let b = Browser::launch(&dir.0);

    // `/` leads to the console, which asks for a token first.
    b.goto(&format!("{}/", s.base));
    b.wait("#signin-form");
    assert!(
        b.current_url().contains("/console/#/signin"),
        "{}",
        b.current_url()
    );
    assert_eq!(b.attr("html", "lang").as_deref(), Some("zh-CN"));
    // A wrong token is refused next to the field, in Chinese.
    b.type_into("#signin-form [name=token]", "ed_not_a_token");
    b.click("#signin-form button[type=submit]");
    b.wait_until("the bad-token message", |b| {
        b.text("#signin-form .error").contains("令牌无效")
    });
    assert_eq!(
        b.attr("#signin-form [name=token]", "aria-invalid")
            .as_deref(),
        Some("true")
    );

    // --- The operator. -------------------------------------------------
    sign_in(&b, &s.base, &operator);
    assert!(b.text("#who").contains("操作员"), "{}", b.text("#who"));
    let nav = b.text("#nav");
    assert!(nav.contains("申请抽取") && nav.contains("专家库"), "{nav}");
    assert!(
        !nav.contains("审计日志"),
        "operators do not read the log: {nav}"
    );
    // The token is in sessionStorage, never in the address.
    assert!(!b.current_url().contains(&operator));

    // The language switch and back.
    b.click("#lang");
    b.wait_until("English navigation", |b| {
        b.text("#nav").contains("Request a draw")
    });
    assert_eq!(b.attr("html", "lang").as_deref(), Some("en"));
    b.click("#lang");
    b.wait_until("Chinese navigation", |b| {
        b.text("#nav").contains("申请抽取")
    });

    // Filter the pool: two per page, as the API pages it for this operator.
    let api_op = s.api(&operator);
    let first = api_op.get("/api/v1/experts?specialty=ENA08&status=active&limit=2");
    assert_eq!(first.status, 200, "{}", first.text);
    let second = api_op.get(&format!(
        "/api/v1/experts?specialty=ENA08&status=active&limit=2&cursor={}",
        first.json["next_cursor"].as_str().expect("a second page")
    ));
    b.goto(&format!("{}/console/#/pool", s.base));
    b.wait("#pool-filters");
    b.set_value("#pool-filters [name=status]", "active");
    b.type_into("#pool-filters [name=specialty]", "ENA08");
    b.type_into("#pool-filters [name=limit]", "2");
    b.click("#pool-filters button[type=submit]");
    b.wait_until("two rows of the first page", |b| {
        b.count("#pool-results tbody tr") == 2
            && ids_of(&first.json)
                .iter()
                .all(|id| b.text("#pool-results").contains(id))
    });
    b.click("#pool-next");
    b.wait_until("the second page", |b| {
        ids_of(&second.json)
            .iter()
            .all(|id| b.text("#pool-results").contains(id))
    });
    // Bound to Wuhan: no Xiangyang expert on any page.
    assert!(!b.text("#pool-results").contains("420600"));

    // Request a draw: empty fields are named in Chinese next to them.
    b.goto(&format!("{}/console/#/draws/new", s.base));
    b.wait("#draw-form");
    b.wait("#draw-form [name='panel/0/specialty'] option[value=ENA08]");
    b.click("#draw-submit");
    b.wait_until("the required-field message", |b| {
        b.text("#draw-form [name='project/id'] ~ .error")
            .contains("此项必填")
    });
    b.type_into("#draw-form [name='project/id']", "P-CONSOLE-1");
    b.type_into("#draw-form [name='project/name']", "控制台测试项目");
    b.type_into("#draw-form [name='project/tenderer']", "91420100MA4K00000X");
    b.set_value("#draw-form [name='evaluation/start']", &beijing_in(2));
    b.set_value("#draw-form [name='evaluation/end']", &beijing_in(6));
    b.type_into("#draw-form [name='evaluation/venue']", "第一评标室");
    b.set_value("#draw-form [name='panel/0/specialty']", "ENA08");
    b.type_into("#draw-form [name='panel/0/count']", "5");
    b.type_into("#draw-form [name='panel/0/reserve']", "2");
    // An invalid credit code: the API's problem+json, shown at the field.
    b.click("#draw-submit");
    b.wait_until("the API's message at the tenderer field", |b| {
        b.text("#draw-form [name='project/tenderer'] ~ .error")
            .contains("统一社会信用代码无效")
    });
    assert_eq!(
        b.attr("#draw-form [name='project/tenderer']", "aria-invalid")
            .as_deref(),
        Some("true")
    );
    let tenderer = expert_draw_tests::fixtures::credit_code("420100", 8_800_001);
    b.type_into("#draw-form [name='project/tenderer']", &tenderer);
    b.click("#draw-submit");
    b.wait_until("the committed draw", |b| {
        b.attr("#draw-state", "data-state").as_deref() == Some("committed")
    });
    let url = b.current_url();
    let draw_id = url
        .rsplit_once("#/draws/")
        .map(|(_, id)| id.to_owned())
        .unwrap_or_else(|| panic!("no draw id in {url}"));
    let view = api_op.get(&format!("/api/v1/draws/{draw_id}"));
    assert_eq!(view.status, 200, "{}", view.text);
    assert_eq!(
        b.text("#statement-hash"),
        view.json["statement_hash"].as_str().expect("hash")
    );

    // Reveal with a beacon, then the members by pseudonym.
    b.type_into("#reveal-form [name=beacon]", "监督人抽签 3 7 9");
    b.click("#reveal");
    b.wait_until("the revealed draw", |b| {
        b.attr("#draw-state", "data-state").as_deref() == Some("revealed")
    });
    let view = api_op.get(&format!("/api/v1/draws/{draw_id}"));
    let members = view.json["members"].as_array().expect("members").clone();
    assert!(!members.is_empty(), "{}", view.text);
    let table = b.text("main table");
    for m in &members {
        assert!(
            table.contains(m["pseudonym"].as_str().expect("pseudonym")),
            "{table}"
        );
    }
    assert_eq!(b.text("#seed"), view.json["seed"].as_str().expect("seed"));
    // Sealed: no expert id anywhere on the operator's page.
    let reveal = entries(&s.admin())
        .into_iter()
        .find(|e| e["kind"] == "draw.reveal" && e["data"]["draw_id"] == draw_id.as_str())
        .expect("the reveal entry");
    let result = reveal["data"]["result"].clone();
    let page = b.text("main");
    for id in result["primaries"][0].as_array().expect("primaries") {
        assert!(
            !page.contains(id.as_str().expect("id")),
            "sealed id {id} shown"
        );
    }
    b.picture("console-draw-revealed");
    // Sign-in at the venue for the first seat.
    let first_seat = b
        .attr("button.sign-in", "data-pseudonym")
        .expect("a sign-in button");
    b.click("button.sign-in");
    b.wait_until("the sign-in recorded", |b| {
        b.text("#draw-status")
            .contains(&format!("{first_seat} 已签到"))
    });
    let view = api_op.get(&format!("/api/v1/draws/{draw_id}"));
    let signed = view.json["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["pseudonym"] == first_seat.as_str())
        .expect("the member")["state"]
        .clone();
    assert_eq!(signed, "signed_in", "{}", view.text);
    sign_out(&b);

    // --- The supervisor replays the draw in the page. ---------------------
    sign_in(&b, &s.base, &supervisor);
    assert!(b.text("#nav").contains("复核抽取"), "{}", b.text("#nav"));
    b.goto(&format!("{}/console/#/replay/{draw_id}", s.base));
    b.wait("#replay-verdict");
    assert_eq!(
        b.attr("#replay-verdict", "data-verdict").as_deref(),
        Some("match"),
        "{}",
        b.text("#replay-out")
    );
    assert!(b.text("#replay-verdict").contains("与服务器结果一致"));
    b.picture("console-replay");
    // What the page computed is the server's result, group by group.
    let primaries: Vec<String> = result["primaries"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            g.as_array()
                .expect("group")
                .iter()
                .map(|x| x.as_str().expect("id"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(b.text("#replay-primaries"), primaries.join(" | "));

    // The audit log filtered by kind and draw: its one reveal.
    b.goto(&format!("{}/console/#/audit", s.base));
    b.wait("#audit-filters");
    b.type_into("#audit-filters [name=kind]", "draw.reveal");
    b.type_into("#audit-filters [name=draw]", &draw_id);
    b.click("#audit-filters button[type=submit]");
    b.wait_until("one reveal row", |b| {
        b.count("#audit-results tbody tr") == 1 && b.text("#audit-results").contains(&draw_id)
    });
    // The checkpoint, the key and the exact offline command.
    b.goto(&format!("{}/console/#/checkpoint", s.base));
    b.wait("#verify-command");
    let cp = s.anonymous().get("/api/v1/audit/vkey");
    assert_eq!(b.text("#vkey-text"), cp.text.trim());
    assert!(
        b.text("#verify-command")
            .contains("draw-audit verify --export log.jsonl --vkey @log.vkey --checkpoint cp.txt"),
        "{}",
        b.text("#verify-command")
    );
    sign_out(&b);

    // --- An operator of another region sees nothing of it. ---------------
    sign_in(&b, &s.base, &stranger);
    b.goto(&format!("{}/console/#/draws", s.base));
    b.wait_until("the draws page", |b| b.text("main h2") == "抽取记录");
    assert!(!b.text("main").contains(&draw_id));
    b.goto(&format!("{}/console/#/draws/{draw_id}", s.base));
    b.wait(".status.bad");
    assert!(!b.exists("#draw-state"), "{}", b.text("main"));
    assert!(!b.exists("#statement-hash"));
    // No replay or audit pages for an operator either.
    assert!(!b.text("#nav").contains("复核抽取"));
}

fn console_headers(backend: Backend) {
    let s = Server::start(backend);
    let anon = s.anonymous();
    for path in [
        "/console/",
        "/console/app.js",
        "/console/replay.js",
        "/console/console.css",
    ] {
        let r = anon.get(path);
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    assert!(anon.get("/console/").content_type.starts_with("text/html"));
    assert!(
        anon.get("/console/app.js")
            .content_type
            .starts_with("text/javascript")
    );
    // No inline script in the page: every <script> has a src.
    let html = anon.get("/console/").text;
    assert!(
        html.contains("<script type=\"module\" src=\"/console/app.js\">"),
        "{html}"
    );
    assert_eq!(
        html.matches("<script").count(),
        html.matches("<script type=\"module\" src=").count()
    );
    // Unknown files are 404, and nothing outside the folder is reachable.
    assert_eq!(anon.get("/console/nope.js").status, 404);
    assert_eq!(anon.get("/console/..%2FCargo.toml").status, 404);
    // `/` and `/console` redirect to the console.
    for path in ["/", "/console"] {
        let r = Api::new(&s.base, None).get_no_redirect(path);
        assert_eq!(r.status, 302, "{path}");
        assert_eq!(r.header("location"), Some("/console/"), "{path}");
    }
    // The session the navigation reads: role and region, nothing secret.
    let op = mint(&s, "operator", Some("420100"));
    let r = s.api(&op).get("/api/v1/session");
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["role"], "operator");
    assert_eq!(r.json["region"], "420100");
    assert!(!r.text.contains(&op));
    assert_eq!(anon.get("/api/v1/session").status, 401);
}

both_backends!(headers, console_headers);

/// The public pages without a token: an awarded project with its panel's
/// names, and the award-notice check (matching names, then not).
#[test]
fn public_pages_in_a_browser() {
    use expert_draw_tests::award::{members, pool12, revealed, start};
    use expert_draw_tests::panel::{end_evaluation, sign_in_all};
    if !available_or_skip("console public pages") {
        return;
    }
    let s = start(Backend::Sqlite, "");
    seed_pool(&s.admin(), &pool12());
    let op = s.token("operator", Some("420100"));
    let id = revealed(&op, "P-PUBLIC-1");
    sign_in_all(&op, &id);
    end_evaluation(&s, &id);
    let r = op.post(&format!("/api/v1/draws/{id}/award"), &json!({}));
    assert_eq!(r.status, 201, "{}", r.text);
    let (served, _) = members(&s, &id);
    assert!(!served.is_empty());

    let dir = TestDir::new("expert-draw-console-public");
    let b = Browser::launch(&dir.0);
    b.goto(&format!("{}/console/#/public", s.base));
    b.wait_until("the awarded project", |b| {
        b.text("#public-projects").contains("P-PUBLIC-1")
    });
    b.click("#public-projects a");
    b.wait(".panel-names");
    let shown = b.text(".panel-names");
    for (name, _) in &served {
        assert!(shown.contains(name.as_str()), "{name} missing from {shown}");
    }
    assert!(b.text("main").contains(&id));

    b.goto(&format!("{}/console/#/panel-check", s.base));
    b.wait("#panel-check-form");
    b.click("#panel-check-form button[type=submit]");
    b.wait_until("the required-field messages", |b| {
        b.text("#panel-check-form [name=project_id] ~ .error")
            .contains("此项必填")
    });
    b.type_into("#panel-check-form [name=project_id]", "P-PUBLIC-1");
    let names: Vec<&str> = served.iter().map(|(n, _)| n.as_str()).collect();
    b.type_into("#panel-check-form [name=names]", &names.join("\n"));
    b.click("#panel-check-form button[type=submit]");
    b.wait_until("the match", |b| {
        b.text("#panel-check-out").contains("名单与记录一致")
    });
    // The receipts shown are the ones the API gives for these names.
    let check = s.anonymous().post(
        "/api/v1/public/panel-check",
        &json!({"project_id": "P-PUBLIC-1", "names": names}),
    );
    assert_eq!(check.status, 200, "{}", check.text);
    let receipt = check.json["receipts"][0].as_str().expect("a receipt");
    let first_line = receipt.lines().next().expect("a line");
    assert!(
        b.text("#panel-check-out pre").contains(first_line),
        "{first_line:?} not in {:?}",
        b.text("#panel-check-out")
    );
    b.type_into(
        "#panel-check-form [name=names]",
        &names[..names.len() - 1].join("\n"),
    );
    b.click("#panel-check-form button[type=submit]");
    b.wait_until("the mismatch", |b| {
        b.text("#panel-check-out").contains("名单与记录不一致")
    });
}
