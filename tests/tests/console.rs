//! The web console (issue 6) in a real headless Chromium against a real
//! `expert-api` on SQLite, as the scenario: an operator imports a
//! roster (the row report), requests a draw (validation messages in
//! Chinese, a supervisor's approval for a looser policy) and reveals it;
//! two experts decline through the response links the notifier sent (one
//! in the page, one while the operator's page is open, which shows the
//! substitution live); a decline taken by phone is recorded with its
//! evidence; sign-in unseals the panel and the panel record prints with
//! its QR code (decoded here); a supervisor replays that draw in the page
//! (replay.js) and sees the matching result; an operator of another region
//! sees nothing of it. A regulator takes a case from opening to a
//! published decision, and the public penalties page shows it. The
//! console's headers and redirects are checked over plain HTTP on both
//! backends.
//!
//! Without Chromium and chromedriver the browser tests fail under `CI=true`
//! and skip otherwise. A failing browser test leaves its screenshots in a
//! directory it prints.

use expert_draw_tests::browser::{Browser, TestDir, available_or_skip};
use expert_draw_tests::fixtures::SPECIALTY;
use expert_draw_tests::pool::{Seed, approve, entries, seed_pool};
use expert_draw_tests::server::CENTRE;
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

/// The invitations delivered so far (one JSON message per line).
fn invitations(outbox: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(outbox)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["payload"]["link"].is_string())
        .collect()
}

/// A roster of `n` Wuhan experts of the draw's specialty as CSV, and one
/// more row whose resident ID has a wrong check character.
fn roster_csv(dir: &std::path::Path, n: usize) -> (std::path::PathBuf, usize) {
    let mut rows = expert_api::synth::roster(n + 1, 4_242, chrono::Utc::now().date_naive());
    for r in &mut rows {
        r.region = "420100".into();
        r.specialties = vec![SPECIALTY.into()];
    }
    let bad = rows.last_mut().expect("a row");
    let (head, last) = bad.resident_id.split_at(17);
    bad.resident_id = format!("{head}{}", if last == "0" { "1" } else { "0" });
    let path = dir.join("名册.csv");
    let file = std::fs::File::create(&path).expect("roster file");
    expert_api::synth::write_csv(file, &rows).expect("write roster");
    // Row numbers as a spreadsheet shows them: the header is row 1.
    (path, n + 2)
}

fn seated_of(view: &Value) -> Vec<(String, String)> {
    view["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|m| m["seat"] == true)
        .map(|m| {
            (
                m["pseudonym"].as_str().expect("pseudonym").to_owned(),
                m["drawn_as"].as_str().expect("drawn_as").to_owned(),
            )
        })
        .collect()
}

/// The QR code of an SVG made of unit squares (as the server draws it),
/// decoded: the text it holds.
fn decode_qr(svg: &str) -> String {
    let side: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a square viewBox");
    let mut dark = vec![false; side * side];
    for rect in svg.split("<rect x=\"").skip(1) {
        let mut it = rect.split('"');
        let x: usize = it.next().and_then(|v| v.parse().ok()).expect("x");
        let y: usize = it.nth(1).and_then(|v| v.parse().ok()).expect("y");
        dark[y * side + x] = true;
    }
    // Eight pixels per module: the detector wants more than one.
    let scale = 8;
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(side * scale, side * scale, |x, y| {
            if dark[(y / scale) * side + x / scale] {
                0
            } else {
                255
            }
        });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    let (_, text) = grids[0].decode().expect("a decodable QR code");
    text
}

#[test]
fn operator_supervisor_and_other_region_in_a_browser() {
    if !available_or_skip("console browser test") {
        return;
    }
    let (s, outbox) = Server::start_with_outbox(Backend::Sqlite, 3600, "");
    // Ten experts from outside Wuhan, each employer once: the local cap
    // (a third of the panel) leaves most seats to them.
    let seeds: Vec<Seed> = (0..10)
        .map(|i| Seed {
            region: if i % 2 == 0 { "420500" } else { "420600" },
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
    assert!(
        nav.contains("申请抽取") && nav.contains("专家库") && nav.contains("导入名册"),
        "{nav}"
    );
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

    // Import a roster: four good rows and one with a broken resident ID,
    // valid rows only; the row report names the bad row and its rule.
    let (roster, bad_row) = roster_csv(&dir.0, 4);
    b.goto(&format!("{}/console/#/import", s.base));
    b.wait("#import-form");
    b.click("#import-submit");
    b.wait_until("the required-file message", |b| {
        b.text("#import-form [name=content_base64] ~ .error")
            .contains("此项必填")
    });
    b.upload("#import-form [name=content_base64]", &roster);
    b.set_value("#import-form [name=mode]", "valid_only");
    b.click("#import-submit");
    b.wait("#import-summary");
    assert_eq!(
        b.attr("#import-summary", "data-imported").as_deref(),
        Some("4"),
        "{}",
        b.text("#import-report")
    );
    assert_eq!(
        b.attr("#import-summary", "data-rejected").as_deref(),
        Some("1")
    );
    assert_eq!(b.attr("#import-progress", "value").as_deref(), Some("100"));
    let report = b.text("#import-report");
    assert!(
        report.contains(&bad_row.to_string()) && report.contains("check_character"),
        "{report}"
    );
    let imported: Vec<String> = b
        .text("#import-ids")
        .split_whitespace()
        .filter(|w| w.starts_with('E'))
        .map(str::to_owned)
        .collect();
    assert_eq!(imported.len(), 4, "{}", b.text("#import-ids"));
    // The log holds their applications; an admin admits them.
    let log = entries(&s.admin());
    for id in &imported {
        assert!(
            log.iter()
                .any(|e| e["kind"] == "expert.apply" && e["data"]["expert_id"] == id.as_str()),
            "no expert.apply for {id}"
        );
        approve(&s.admin(), id);
    }

    // Filter the pool: two per page, as the API pages it for this operator.
    let api_op = s.api(&operator);
    let first = api_op.get("/api/v1/experts?status=active&limit=2");
    assert_eq!(first.status, 200, "{}", first.text);
    let second = api_op.get(&format!(
        "/api/v1/experts?status=active&limit=2&cursor={}",
        first.json["next_cursor"].as_str().expect("a second page")
    ));
    b.goto(&format!("{}/console/#/pool", s.base));
    b.wait("#pool-filters");
    b.set_value("#pool-filters [name=status]", "active");
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
    // Bound to Wuhan: no expert of another region on any page.
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
    b.type_into("#draw-form [name='panel/0/reserve']", "3");
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
    // Loosening the policy without a supervisor's approval is refused at
    // the field; with the supervisor's own token it goes through.
    b.type_into("#draw-form [name='policy/max_per_employer']", "2");
    b.click("#draw-submit");
    b.wait_until("the approval message", |b| {
        b.text("#draw-form [name='policy/max_per_employer'] ~ .error")
            .contains("监督人员批准")
    });
    b.type_into("#draw-form [name='approval/supervisor_token']", &supervisor);
    b.type_into(
        "#draw-form [name='approval/reason']",
        "专业人数少，经批准放宽同单位限制",
    );
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
    assert!(
        entries(&s.admin())
            .iter()
            .any(|e| e["kind"] == "draw.approve_relaxation"
                && e["data"]["draw_id"] == draw_id.as_str()),
        "the approval is on the record"
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
    let table = b.text("#members");
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
    let primaries_before = seated_of(&view.json);
    assert_eq!(primaries_before.len(), 5, "{}", view.text);

    // --- Two experts decline through their response links. -------------
    b.wait_until("five invitations delivered", |_| {
        invitations(&outbox).len() >= 5
    });
    let links: Vec<String> = invitations(&outbox)
        .iter()
        .map(|m| m["payload"]["link"].as_str().expect("link").to_owned())
        .collect();
    for l in &links {
        assert!(
            l.starts_with(&format!("{CENTRE}/console/#/respond/")),
            "{l}"
        );
    }
    // The first opens the link as the message gives it (on this server).
    let on_here = |link: &str| link.replacen(CENTRE, &s.base, 1);
    b.goto(&on_here(&links[0]));
    b.wait("#respond-form");
    assert_eq!(
        b.attr("#respond-state", "data-state").as_deref(),
        Some("open")
    );
    let facts = b.text("#respond-facts");
    assert!(facts.contains("第一评标室"), "{facts}");
    assert!(
        !facts.contains("P-CONSOLE-1") && !facts.contains("控制台测试项目"),
        "the project stays sealed: {facts}"
    );
    b.type_into("#respond-form [name=reason]", "出差");
    b.click("#respond-decline");
    b.wait_until("the decline recorded", |b| {
        b.text("#respond-done").contains("已登记不参加")
    });
    // The operator's page is open while the second declines: the
    // substitution appears without reloading it.
    b.goto(&format!("{}/console/#/draws/{draw_id}", s.base));
    b.wait("#members");
    let token_1 = links[1].rsplit('/').next().expect("token");
    let r = s.anonymous().post(
        &format!("/api/v1/respond/{token_1}"),
        &json!({"answer": "decline"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let after = |b: &Browser| {
        b.count("#members tr[data-seat=true]") == 5
            && b.count("#members td.member-state[data-state=declined]") == 2
    };
    b.wait_until("two declines and two substitutes on the page", after);
    assert_eq!(
        b.count("#draw-changes li"),
        2,
        "{}",
        b.text("#draw-changes")
    );
    let view = api_op.get(&format!("/api/v1/draws/{draw_id}"));
    let seated = seated_of(&view.json);
    assert_eq!(
        seated.iter().filter(|(_, how)| how == "reserve").count(),
        2,
        "{}",
        view.text
    );
    for (p, _) in &seated {
        assert!(
            b.attr(&format!("#members tr[data-pseudonym='{p}']"), "data-seat")
                .as_deref()
                == Some("true"),
            "{p} seated in the API but not on the page"
        );
    }

    // A decline taken by phone needs its evidence, named at the field.
    let third = &seated
        .iter()
        .find(|(_, how)| how == "primary")
        .expect("a primary still seated")
        .0;
    b.set_value("#decline-form [name=pseudonym]", third);
    b.click("#decline-submit");
    b.wait_until("the evidence message", |b| {
        b.text("#decline-form [name=evidence] ~ .error")
            .contains("此项必填")
    });
    b.type_into("#decline-form [name=evidence]", "通话记录 2026-11-26-0931");
    b.click("#decline-submit");
    b.wait_until("the phone decline recorded", |b| {
        b.text("#draw-status")
            .contains(&format!("{third} 已登记拒绝"))
            && b.count("#members td.member-state[data-state=declined]") == 3
    });
    let log = entries(&s.admin());
    assert_eq!(
        log.iter()
            .filter(|e| e["kind"] == "draw.substitute" && e["data"]["draw_id"] == draw_id.as_str())
            .count(),
        3,
        "three substitutions on the record"
    );

    // Sign-in at the venue, seat by seat; the last unseals the panel.
    let seats = seated_of(&api_op.get(&format!("/api/v1/draws/{draw_id}")).json);
    assert_eq!(seats.len(), 5);
    for (i, (p, _)) in seats.iter().enumerate() {
        b.click(&format!("button.sign-in[data-pseudonym='{p}']"));
        if i + 1 < seats.len() {
            b.wait_until("the sign-in recorded", |b| {
                b.text("#draw-status").contains(&format!("{p} 已签到"))
            });
        }
    }
    b.wait_until("the unsealed panel", |b| {
        b.text("#draw-status").contains("名单已解封") && b.exists("#record-link")
    });

    // The panel record, as printed.
    b.click("#record-link");
    b.wait("#panel-record #record-qr");
    let view = api_op.get(&format!("/api/v1/draws/{draw_id}"));
    assert_eq!(b.text("#record-draw-id"), draw_id);
    assert_eq!(
        b.text("#record-statement-hash"),
        view.json["statement_hash"].as_str().expect("hash")
    );
    assert_eq!(
        b.text("#record-seed"),
        view.json["seed"].as_str().expect("seed")
    );
    let panel = api_op.get(&format!("/api/v1/draws/{draw_id}/panel"));
    assert_eq!(panel.status, 200, "{}", panel.text);
    let record = b.text("#panel-record");
    for m in panel.json.as_array().expect("members") {
        if m["seat"] == true {
            assert!(
                record.contains(m["name"].as_str().expect("name")),
                "{m} missing from the record"
            );
        }
    }
    // The QR code is the server's, and decodes to the receipt link.
    let qr = api_op.get(&format!("/api/v1/draws/{draw_id}/receipt/qr"));
    assert_eq!(qr.status, 200, "{}", qr.text);
    assert!(qr.content_type.starts_with("image/svg+xml"));
    let receipt_link = format!("{CENTRE}/api/v1/draws/{draw_id}/receipt");
    assert_eq!(decode_qr(&qr.text), receipt_link);
    assert_eq!(b.text("#record-receipt-link"), receipt_link);
    {
        use base64::Engine;
        let src = b.attr("#record-qr", "src").expect("an image");
        let shown = src
            .strip_prefix("data:image/svg+xml;base64,")
            .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
            .expect("an SVG data URL");
        assert_eq!(String::from_utf8_lossy(&shown), qr.text);
    }
    // On paper: the record alone, without the navigation or the buttons.
    b.emulate_media("print");
    assert!(b.rendered("#panel-record") && b.rendered("#record-qr"));
    assert!(!b.rendered("header") && !b.rendered("#print-record") && !b.rendered("footer"));
    b.picture("console-record");
    b.emulate_media("");
    assert!(b.rendered("header") && b.rendered("#print-record"));
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
    // Each of the three substitutions checked by SPEC section 6 in the page.
    assert_eq!(
        b.text("#replay-checks").matches("替补").count(),
        3,
        "{}",
        b.text("#replay-checks")
    );
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

    // The audit log filtered by kind and draw: its one reveal; then only
    // what needs attention, which holds the approval.
    b.goto(&format!("{}/console/#/audit", s.base));
    b.wait("#audit-filters");
    b.type_into("#audit-filters [name=kind]", "draw.reveal");
    b.type_into("#audit-filters [name=draw]", &draw_id);
    b.click("#audit-filters button[type=submit]");
    b.wait_until("one reveal row", |b| {
        b.count("#audit-results tbody tr") == 1 && b.text("#audit-results").contains(&draw_id)
    });
    b.type_into("#audit-filters [name=kind]", "");
    b.click("#audit-filters [name=marked]");
    b.click("#audit-filters button[type=submit]");
    b.wait_until("the approval highlighted", |b| {
        b.exists("#audit-results tr.highlight[data-mark=approval]")
    });
    assert_eq!(
        b.count("#audit-results tbody tr"),
        b.count("#audit-results tr.highlight"),
        "only highlighted rows"
    );
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
    b.goto(&format!("{}/console/#/record/{draw_id}", s.base));
    b.wait(".status.bad");
    assert!(!b.exists("#panel-record"), "{}", b.text("main"));
    // No replay or audit pages for an operator either.
    assert!(!b.text("#nav").contains("复核抽取"));
}

/// A regulator takes a case from opening to a published decision in the
/// page: the defence window and the baseline's range beside the decision,
/// the employer letter and the public notice previewed before publishing;
/// then the public penalties page shows it.
#[test]
fn regulator_case_to_published_decision_in_a_browser() {
    use expert_draw_tests::cases::civil_servant;
    if !available_or_skip("console regulator test") {
        return;
    }
    let s = Server::start(Backend::Sqlite);
    let (expert, app) = civil_servant(&s, "420100");
    let name = app["name"].as_str().expect("name").to_owned();
    let regulator = mint(&s, "regulator", Some("420100"));
    let days_ago = |n: i64| {
        expert_draw_tests::fixtures::days_after(expert_draw_tests::fixtures::today(), -n)
            .to_string()
    };

    let dir = TestDir::new("expert-draw-console-regulator");
    let b = Browser::launch(&dir.0);
    sign_in(&b, &s.base, &regulator);
    b.wait("#case-list");
    assert!(b.current_url().ends_with("#/cases"), "{}", b.current_url());
    assert!(!b.text("#nav").contains("申请抽取"), "{}", b.text("#nav"));

    // A violation on site, recorded against the baseline: its points.
    b.type_into("#violation-form [name=expert_id]", &expert);
    b.type_into("#violation-form [name=code]", "late_arrival");
    b.type_into("#violation-form [name=evidence]", "现场签到记录");
    b.click("#violation-form button[type=submit]");
    b.wait_until("the violation recorded", |b| {
        b.text("#violation-recorded").contains("记 1 分")
    });
    let v = s
        .api(&regulator)
        .get(&format!("/api/v1/experts/{expert}/violations"));
    assert_eq!(v.status, 200, "{}", v.text);
    assert!(v.text.contains("late_arrival"), "{}", v.text);

    // Open the case (a month ago, so the defence window is long over).
    b.click("#open-case-submit");
    b.wait_until("the required-field message", |b| {
        b.text("#open-case-form [name=expert_id] ~ .error")
            .contains("此项必填")
    });
    b.type_into("#open-case-form [name=expert_id]", &expert);
    b.type_into(
        "#open-case-form [name=grounds]",
        "ignore_evaluation_criteria",
    );
    b.type_into(
        "#open-case-form [name=summary]",
        "评标时未按招标文件规定的标准评审",
    );
    b.set_value("#open-case-form [name=opened_on]", &days_ago(30));
    b.click("#open-case-submit");
    b.wait("#case-stage[data-stage=opened]");
    let case_no = b
        .current_url()
        .rsplit_once("#/cases/")
        .map(|(_, c)| c.to_owned())
        .expect("a case number in the address");
    assert!(b.text("main").contains(&name), "the regulator sees whom");

    // Serve the notice with the proposed sanction.
    b.set_value("#step-notice [name=served_on]", &days_ago(30));
    b.type_into(
        "#step-notice [name=facts]",
        "在某项目评标中未按招标文件规定的评标标准和方法评标",
    );
    b.type_into(
        "#step-notice [name=evidence]",
        "评标录像 2026-001\n评标报告第3页",
    );
    b.type_into(
        "#step-notice [name=legal_basis]",
        "《中华人民共和国招标投标法实施条例》第七十一条第（三）项",
    );
    b.click("#step-notice button[type=submit]");
    b.wait("#case-stage[data-stage=notice_served]");
    // The defence window and its end, by the working-day calendar.
    let api_reg = s.api(&regulator);
    let c = api_reg.get(&format!("/api/v1/cases/{case_no}"));
    assert_eq!(c.status, 200, "{}", c.text);
    let window_ends = c.json["deadlines"]["defence_window_ends"]
        .as_str()
        .expect("a window")
        .to_owned();
    assert!(b.text("#defence-window").contains(&window_ends));
    // The baseline's range stands beside the decision form.
    let allowed = c.json["baseline"][0]["allowed_zh"]
        .as_str()
        .expect("a range")
        .to_owned();
    assert!(
        b.text(".decision-with-baseline #case-baseline")
            .contains(&allowed),
        "{}",
        b.text(".decision-with-baseline")
    );
    // A sanction outside the range is refused at the field.
    b.type_into("#step-decision [name='sanction/measure/months']", "36");
    b.type_into(
        "#step-decision [name=reasons]",
        "事实清楚，证据确凿，当事人未在期限内提出陈述申辩",
    );
    b.click("#step-decision button[type=submit]");
    b.wait_until("the baseline refusal", |b| {
        b.script(
            "return [...document.querySelectorAll('#step-decision .error')].map((e) => e.innerText).join('');",
            json!([]),
        )
        .as_str()
        .is_some_and(|t| !t.trim().is_empty())
    });
    assert_eq!(b.text("#case-stage"), "已告知");
    b.type_into("#step-decision [name='sanction/measure/months']", "6");
    b.click("#step-decision button[type=submit]");
    b.wait("#case-stage[data-stage=decided]");

    // In effect, then the employer letter generated and shown, delivered.
    b.click("#step-effect button[type=submit]");
    b.wait("#case-stage[data-stage=effective]");
    b.type_into(
        "#step-employer-letter [name=authority]",
        "武汉市公共资源交易监督管理局",
    );
    b.click("#step-employer-letter button[type=submit]");
    b.wait("#letter-text");
    let c = api_reg.get(&format!("/api/v1/cases/{case_no}"));
    let letter = c.json["employer_letter"]["text"]
        .as_str()
        .expect("a letter")
        .to_owned();
    assert_eq!(b.text("#letter-text").trim(), letter.trim());
    b.type_into(
        "#step-employer-letter-delivery [name=reference]",
        "挂号信 XA123",
    );
    b.click("#step-employer-letter-delivery button[type=submit]");
    b.wait_until("the delivery", |b| {
        b.text("#letter-preview").contains("送达日期")
    });

    // Publish: the first press shows the notice as it will read.
    b.type_into("#step-publication [name=reference]", "公示 2026-01");
    b.click("#step-publication button[type=submit]");
    b.wait("#publish-preview-box #notice-preview");
    let preview = b.text("#publish-preview-box");
    assert!(
        preview.contains(&case_no)
            && preview.contains(&name)
            && preview.contains("暂停评标资格 6 个月"),
        "{preview}"
    );
    assert_eq!(b.text("#case-stage"), "已生效", "nothing published yet");
    b.picture("console-case-preview");
    b.click("#step-publication button[type=submit]");
    b.wait("#case-stage[data-stage=published]");
    assert!(b.exists("#case-published"));
    sign_out(&b);

    // The public penalties page, without a token.
    b.goto(&format!("{}/console/#/penalties", s.base));
    b.wait_until("the published penalty", |b| {
        b.exists(&format!("#public-penalties tr[data-case='{case_no}']"))
    });
    let row = b.text(&format!("#public-penalties tr[data-case='{case_no}']"));
    assert!(row.contains(&name), "{row}");
    let public = s.anonymous().get("/api/v1/public/penalties");
    assert_eq!(public.status, 200, "{}", public.text);
    let sanction = public.json["items"][0]["sanction_zh"]
        .as_str()
        .expect("a sanction")
        .to_owned();
    assert!(row.contains(&sanction), "{row} lacks {sanction}");
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

/// One expert through the console: an operator fills in the application
/// form (a wrong check character is refused next to its field, in
/// Chinese), the record shows masked identity to the operator, and a
/// regulator admits the applicant from the admissions queue after a
/// refusal without reasons was refused by the API.
#[test]
fn expert_added_and_admitted_in_a_browser() {
    use expert_draw_tests::fixtures::application_in;
    if !available_or_skip("console expert form") {
        return;
    }
    let s = Server::start(Backend::Sqlite);
    let operator = mint(&s, "operator", Some("420100"));
    let regulator = mint(&s, "regulator", Some("420100"));
    let app = application_in("420100");
    let field = |k: &str| app[k].as_str().expect(k).to_owned();
    let rid = field("resident_id");
    let wrong_rid = format!(
        "{}{}",
        &rid[..17],
        if rid.ends_with('0') { "1" } else { "0" }
    );

    let dir = TestDir::new("expert-draw-console-expert");
    let b = Browser::launch(&dir.0);
    sign_in(&b, &s.base, &operator);
    assert!(b.text("#nav").contains("申请入库"), "{}", b.text("#nav"));
    assert!(!b.text("#nav").contains("入库审核"), "{}", b.text("#nav"));
    b.goto(&format!("{}/console/#/experts/new", s.base));
    b.wait("#expert-form");
    // Empty: the required fields say so.
    b.click("#expert-submit");
    b.wait_until("the required-field message", |b| {
        b.text("#expert-form [name=name] ~ .error")
            .contains("此项必填")
    });
    b.type_into("#expert-form [name=name]", &field("name"));
    b.type_into("#expert-form [name=resident_id]", &wrong_rid);
    b.type_into("#expert-form [name=mobile]", &field("mobile"));
    b.set_value("#expert-form [name=region]", "420100");
    b.type_into(
        "#expert-form [name='employer/name']",
        app["employer"]["name"].as_str().expect("employer"),
    );
    b.type_into(
        "#expert-form [name='employer/code']",
        app["employer"]["code"].as_str().expect("code"),
    );
    b.script(
        "const sel = document.querySelector('#expert-form [name=specialties]'); \
         for (const o of sel.options) o.selected = o.value === arguments[0];",
        json!([SPECIALTY]),
    );
    b.set_value("#expert-form [name=title]", "associate_senior");
    b.type_into("#expert-form [name=years_in_field]", "15");
    b.type_into(
        "#expert-form [name='documents/integrity_pledge']",
        "doc/pledge",
    );
    b.type_into(
        "#expert-form [name='documents/no_criminal_record']",
        "doc/record",
    );
    b.click("#expert-submit");
    b.wait_until("the resident ID refused next to its field", |b| {
        b.attr("#expert-form [name=resident_id]", "aria-invalid")
            .as_deref()
            == Some("true")
    });
    assert!(
        !b.text("#expert-form [name=resident_id] ~ .error")
            .is_empty(),
        "{}",
        b.text("#expert-form")
    );
    assert!(b.current_url().ends_with("#/experts/new"));
    b.picture("console-expert-form");
    assert_eq!(
        s.admin().get("/api/v1/experts?status=applicant").json["items"],
        json!([]),
        "nothing written"
    );
    b.type_into("#expert-form [name=resident_id]", &rid);
    b.click("#expert-submit");
    b.wait_until("the applicant's record", |b| {
        b.text("#expert-status").contains("申请中")
    });
    let id = b
        .current_url()
        .rsplit_once("#/experts/")
        .map(|(_, id)| id.to_owned())
        .expect("the expert's id in the address");
    // The operator sees the identity masked, never whole.
    let facts = b.text("#expert-facts");
    assert!(facts.contains(&field("name")), "{facts}");
    assert!(!facts.contains(&rid), "{facts}");
    assert!(!facts.contains(&field("mobile")), "{facts}");
    assert!(!b.exists("#admission-form"), "operators do not admit");
    sign_out(&b);

    // The regulator: the admissions queue, then the record.
    sign_in(&b, &s.base, &regulator);
    assert!(b.text("#nav").contains("入库审核"), "{}", b.text("#nav"));
    b.goto(&format!("{}/console/#/admissions", s.base));
    b.wait_until("the applicant in the queue", |b| {
        b.text("#pool-results").contains(&id)
    });
    b.click(&format!("#pool-results a[href='#/experts/{id}']"));
    b.wait("#admission-form");
    // A refusal without reasons is the API's 400, shown at the field.
    b.click("#admission-form [name=decision][value=reject]");
    b.click("#admission-submit");
    b.wait_until("the reasons required", |b| {
        b.attr("#admission-form [name=reasons]", "aria-invalid")
            .as_deref()
            == Some("true")
    });
    assert!(
        b.text("#admission-form [name=reasons] ~ .error")
            .contains("此项必填"),
        "{}",
        b.text("#admission-form")
    );
    assert!(b.text("#expert-status").contains("申请中"));
    b.picture("console-admission");
    b.click("#admission-form [name=decision][value=approve]");
    b.click("#admission-submit");
    b.wait_until("the expert admitted", |b| {
        b.text("#expert-status").contains("在库")
    });
    assert!(b.text("#expert-note").contains("准予入库"));
    assert!(!b.exists("#admission-form"));
    let x = s.admin().get(&format!("/api/v1/experts/{id}"));
    assert_eq!(x.json["status"], "active", "{}", x.text);
    assert_eq!(x.json["resident_id"], rid.as_str());
    let log = entries(&s.admin());
    assert!(
        log.iter().any(|e| e["kind"] == "expert.approve"
            && e["data"]["expert_id"] == id.as_str()
            && e["data"]["to"] == "active"),
        "no expert.approve entry for {id}"
    );
}
