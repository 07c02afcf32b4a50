//! Draw receipts and the public award-notice check, over real HTTP on both
//! backends: who may download a receipt and when (sealed reads logged), the
//! receipt verified alone and against an export by the `draw-audit` binary,
//! every tampered part refused; the award and its rules; the public check
//! before the award (the same answer as an unknown project), after it
//! (match and mismatch, with receipts), without authentication, its rate
//! limit, and the submitted names kept out of the server log.

use std::path::{Path, PathBuf};
use std::process::Command;

use draw_audit::note::NoteSigner;
use draw_audit::tlog_proof::TlogProof;
use expert_draw_tests::award::{members, pool12, request, revealed, start};
use expert_draw_tests::fixtures::{audit_lines, log_size};
use expert_draw_tests::panel::{end_evaluation, seated, sign_in_all};
use expert_draw_tests::pool::seed_pool;
use expert_draw_tests::{Api, Backend, Response, Server, audit_bin, both_backends};
use serde_json::{Value, json};

const CHECK: &str = "/api/v1/public/panel-check";

fn receipt_path(id: &str) -> String {
    format!("/api/v1/draws/{id}/receipt")
}

/// `panel.view` entries of one kind of sealed read.
fn views(s: &Server, what: &str) -> usize {
    audit_lines(s)
        .iter()
        .filter(|(_, e)| e["kind"] == "panel.view" && e["data"]["what"] == what)
        .count()
}

/// Exit code and output of `draw-audit receipt verify`.
fn verify(file: &Path, vkey: &str, export: Option<&Path>) -> (i32, String) {
    let mut cmd = Command::new(audit_bin());
    cmd.args(["receipt", "verify"])
        .arg(file)
        .args(["--vkey", vkey]);
    if let Some(e) = export {
        cmd.arg("--export").arg(e);
    }
    let out = cmd.output().expect("run draw-audit");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("panicked"), "{text}");
    (out.status.code().unwrap_or(-1), text)
}

fn vkey(s: &Server) -> String {
    let r = s.anonymous().get("/api/v1/audit/vkey");
    assert_eq!(r.status, 200, "{}", r.text);
    r.text.trim().to_owned()
}

fn write(s: &Server, name: &str, text: &str) -> PathBuf {
    let path = s.db.path(name);
    std::fs::write(&path, text).expect("write");
    path
}

/// The receipt with one line of its signed note changed.
fn with_note_line(receipt: &str, key: &str, change: impl Fn(&str) -> String) -> String {
    let mut c = TlogProof::parse(receipt).expect("tlog-proof");
    let note = String::from_utf8(c.extra.clone().expect("extra")).expect("UTF-8");
    let lines: Vec<String> = note
        .split('\n')
        .map(|l| match l.strip_prefix(key) {
            Some(rest) if key.is_empty() || rest.starts_with(' ') => change(l),
            _ => l.to_owned(),
        })
        .collect();
    let changed = lines.join("\n");
    assert_ne!(changed, note, "no {key:?} line");
    c.extra = Some(changed.into_bytes());
    c.to_text()
}

/// Replaces the last character of a line's value by another.
fn flip_last(line: &str) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    let last = chars.last_mut().expect("non-empty line");
    *last = if *last == '0' { '1' } else { '0' };
    chars.into_iter().collect()
}

fn receipts_by_role_and_verification(backend: Backend) {
    let s = start(backend, "");
    seed_pool(&s.admin(), &pool12());
    let op = s.token("operator", Some("420100"));
    let elsewhere = s.token("operator", Some("420600"));
    let sup = s.token("supervisor", None);
    let reg = s.token("regulator", None);

    let r = op.post("/api/v1/draws", &request("P-R1"));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().expect("id").to_owned();
    let r = sup.get(&receipt_path(&id));
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.problem()["rule"], "not_revealed");
    let r = op.post(&format!("/api/v1/draws/{id}/reveal"), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);

    // Sealed: the operator and others are refused, and nothing is logged.
    let size = log_size(&s);
    for (api, status) in [
        (&op, 403),
        (&elsewhere, 404),
        (&reg, 403),
        (&s.anonymous(), 401),
    ] {
        let r = api.get(&receipt_path(&id));
        assert_eq!(r.status, status, "{}", r.text);
        r.problem();
    }
    assert_eq!(log_size(&s), size);
    assert_eq!(s.admin().get(&receipt_path("D-2000-999999")).status, 404);

    // A supervisor reads it while sealed: the read is logged.
    let r = sup.get(&receipt_path(&id));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.content_type.starts_with("text/plain"),
        "{}",
        r.content_type
    );
    assert!(
        r.header("content-disposition")
            .is_some_and(|d| d.contains(&format!("{id}.tlog-proof"))),
        "{:?}",
        r.headers
    );
    assert_eq!(views(&s, "receipt"), 1);
    let receipt = r.text;
    assert!(
        receipt.starts_with("c2sp.org/tlog-proof@v1\nextra "),
        "{receipt}"
    );

    // It verifies alone, with the verifier key only.
    let key = vkey(&s);
    let file = write(&s, "receipt.tlog-proof", &receipt);
    let (code, out) = verify(&file, &key, None);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("draw: {id}")), "{out}");
    // And against the log: the entry says what the receipt says, and the
    // draw replays.
    let export: String = audit_lines(&s)
        .iter()
        .map(|(line, _)| format!("{line}\n"))
        .collect();
    let export_file = write(&s, "export.jsonl", &export);
    let (code, out) = verify(&file, &key, Some(&export_file));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("replayed"), "{out}");
    let reveal = audit_lines(&s)
        .into_iter()
        .find(|(_, e)| e["kind"] == "draw.reveal" && e["data"]["draw_id"] == id.as_str())
        .expect("the reveal entry");
    assert!(
        out.contains(&format!("index: {}", reveal.1["seq"])),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "seed: {}",
            reveal.1["data"]["seed"].as_str().expect("seed")
        )),
        "{out}"
    );

    // Any change fails: each field of the signed receipt, the proof, the
    // index, the checkpoint, another key, an export whose entry differs.
    let mut tampered: Vec<(String, String)> = [
        "draw",
        "time",
        "statement",
        "nonce-commitment",
        "seed",
        "result",
        "index",
        "leaf",
        "expert-draw/1",
    ]
    .iter()
    .map(|k| (format!("field {k}"), with_note_line(&receipt, k, flip_last)))
    .collect();
    let container = TlogProof::parse(&receipt).expect("tlog-proof");
    let mut c = container.clone();
    c.hashes[0][3] ^= 0x10;
    tampered.push(("a proof hash".into(), c.to_text()));
    let mut c = container.clone();
    c.index += 1;
    tampered.push(("the index".into(), c.to_text()));
    let mut c = container.clone();
    c.checkpoint = c.checkpoint.replacen('\n', "\n1", 1);
    tampered.push(("the checkpoint size".into(), c.to_text()));
    let mut c = container.clone();
    c.extra = None;
    tampered.push(("no receipt note".into(), c.to_text()));
    for (what, text) in &tampered {
        let f = write(&s, "tampered.tlog-proof", text);
        let (code, out) = verify(&f, &key, None);
        assert_eq!(code, 1, "{what} changed, yet: {out}");
    }
    let other = NoteSigner::new(
        "test.expert-draw.local/log",
        ed25519_dalek::SigningKey::from_bytes(&[9; 32]),
    )
    .expect("key")
    .verifier_key_string();
    let (code, out) = verify(&file, &other, None);
    assert_eq!(code, 1, "another key: {out}");
    let changed_export = export.replace(
        &reveal.0,
        &reveal.0.replace("\"beacon\":\"\"", "\"beacon\":\"x\""),
    );
    assert_ne!(changed_export, export);
    let f = write(&s, "changed-export.jsonl", &changed_export);
    let (code, out) = verify(&file, &key, Some(&f));
    assert_eq!(code, 1, "a changed export entry: {out}");

    // Unsealed: the operator gets it, and no read is logged any more.
    sign_in_all(&op, &id);
    let r = op.get(&receipt_path(&id));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(views(&s, "receipt"), 1);
    let f = write(&s, "unsealed.tlog-proof", &r.text);
    let (code, out) = verify(&f, &key, None);
    assert_eq!(code, 0, "{out}");
}

both_backends!(receipts_by_role, receipts_by_role_and_verification);

fn check(api: &Api, body: &Value) -> Response {
    api.post(CHECK, body)
}

fn award_and_public_check(backend: Backend) {
    // Room for this test's own checks under the rate limit.
    let s = start(backend, "[public_check]\nburst = 100\n");
    seed_pool(&s.admin(), &pool12());
    let op = s.token("operator", Some("420100"));
    let elsewhere = s.token("operator", Some("420600"));
    let sup = s.token("supervisor", None);
    let anon = s.anonymous();

    // A panel on which three members declined by phone: the two reserves
    // took the first two seats, a supplementary draw filled the third;
    // everyone seated signed in.
    let id = revealed(&op, "P-A1");
    let view = op.get(&format!("/api/v1/draws/{id}"));
    let mut supplementary = None;
    for p in &seated(&view.json)[..3] {
        let r = op.post(
            &format!("/api/v1/draws/{id}/members/{p}/decline"),
            &json!({"evidence": "电话记录 #7"}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.json["replacement"].is_string(), "{}", r.text);
        supplementary = r.json["supplementary_draw"].as_str().map(str::to_owned);
    }
    let supplementary = supplementary.expect("the third decline needed a supplementary draw");
    sign_in_all(&op, &id);
    let (served, departed) = members(&s, &id);
    assert_eq!(served.len(), 5);
    assert_eq!(departed.len(), 3);
    let names: Vec<String> = served.iter().map(|(n, _)| n.clone()).collect();

    // Before the award: exactly the answer for a project that does not exist.
    let before = check(
        &anon,
        &json!({"project_id": "P-A1", "bid_section": "1", "names": names}),
    );
    let unknown = check(
        &anon,
        &json!({"project_id": "P-NONE", "bid_section": "1", "names": names}),
    );
    let no_section = check(&anon, &json!({"project_id": "P-A1", "names": names}));
    for r in [&before, &unknown, &no_section] {
        assert_eq!(r.status, 404, "{}", r.text);
        r.problem();
        assert_eq!(r.text, unknown.text);
        assert_eq!(r.content_type, unknown.content_type);
    }

    // The award: not before the evaluation ended, not by supervisors or
    // operators of other regions.
    let award = format!("/api/v1/draws/{id}/award");
    let r = op.post(&award, &json!({}));
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.problem()["rule"], "evaluation_not_over");
    assert_eq!(sup.post(&award, &json!({})).status, 403);
    assert_eq!(elsewhere.post(&award, &json!({})).status, 404);
    end_evaluation(&s, &id);
    let r = op.post(&award, &json!({"awarded_at": "2000-01-01T00:00:00Z"}));
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.field(), Some("awarded_at"));
    assert_eq!(
        check(&anon, &json!({"project_id": "P-A1", "names": names})).text,
        unknown.text
    );
    let r = op.post(&award, &json!({}));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["served"], 5);
    assert!(!r.text.contains(&names[0]), "{}", r.text);
    let again = op.post(&award, &json!({}));
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json["awarded_at"], r.json["awarded_at"]);
    let logged: Vec<Value> = audit_lines(&s)
        .into_iter()
        .map(|(_, e)| e)
        .filter(|e| e["kind"] == "draw.award")
        .collect();
    assert_eq!(logged.len(), 1, "{logged:?}");
    let mut ids: Vec<&str> = served.iter().map(|(_, i)| i.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(logged[0]["data"]["served"], json!(ids));

    // After the award: order, padding and surrounding spaces do not matter.
    let mut notice: Vec<String> = names.iter().rev().cloned().collect();
    notice[0] = format!(" {} ", notice[0]);
    let mut chars: Vec<char> = notice[1].chars().collect();
    chars.insert(1, '\u{3000}');
    notice[1] = chars.into_iter().collect();
    let key = vkey(&s);
    for body in [
        json!({"project_id": "P-A1", "bid_section": "1", "names": notice}),
        json!({"project_id": "P-A1", "names": notice}),
    ] {
        let r = check(&anon, &body);
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["match"], true, "{}", r.text);
        // The panel's own draw first, then its supplementary draw.
        let receipts = r.json["receipts"].as_array().expect("receipts");
        assert_eq!(receipts.len(), 2, "{}", r.text);
        for (receipt, draw) in receipts.iter().zip([&id, &supplementary]) {
            let f = write(&s, "public.tlog-proof", receipt.as_str().expect("text"));
            let (code, out) = verify(&f, &key, None);
            assert_eq!(code, 0, "{out}");
            assert!(out.contains(&format!("draw: {draw}")), "{out}");
        }
    }
    // No token needed, and a bogus one changes nothing.
    let r = check(
        &anon.with_token(Some("edt_not_a_token")),
        &json!({"project_id": "P-A1", "names": names}),
    );
    assert_eq!(
        (r.status, r.json["match"].clone()),
        (200, json!(true)),
        "{}",
        r.text
    );

    // Mismatches: the one who declined instead of the one who served, one
    // name missing, one name twice, a stranger.
    let mut swapped = names.clone();
    swapped[0] = departed[0].0.clone();
    let mut twice = names.clone();
    twice[0] = names[1].clone();
    for wrong in [
        swapped,
        names[1..].to_vec(),
        twice,
        [names.clone(), vec!["检查姓名甲".to_owned()]].concat(),
    ] {
        let r = check(&anon, &json!({"project_id": "P-A1", "names": wrong}));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["match"], false, "{wrong:?}: {}", r.text);
        assert_eq!(r.json["receipts"].as_array().map(Vec::len), Some(2));
    }

    // Bad input names the field.
    let r = check(&anon, &json!({"project_id": "P-A1", "names": []}));
    assert_eq!((r.status, r.field()), (422, Some("names")), "{}", r.text);
    let r = check(
        &anon,
        &json!({"project_id": "P-A1", "names": ["张三", " \u{3000} "]}),
    );
    assert_eq!((r.status, r.field()), (422, Some("names/1")), "{}", r.text);
    let r = check(&anon, &json!({"names": ["张三"]}));
    assert_eq!(
        (r.status, r.field()),
        (400, Some("project_id")),
        "{}",
        r.text
    );

    // A second panel of the same project and bid section is not awarded.
    let second = revealed(&op, "P-A1");
    end_evaluation(&s, &second);
    let r = op.post(&format!("/api/v1/draws/{second}/award"), &json!({}));
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(r.problem()["rule"], "already_awarded");

    // The names submitted never reach the server log.
    let log = s.log();
    for name in names
        .iter()
        .chain([&departed[0].0, &"检查姓名甲".to_owned()])
    {
        assert!(!log.contains(name.as_str()), "{name} in the server log");
    }
}

both_backends!(award_and_panel_check, award_and_public_check);

fn public_check_is_rate_limited(backend: Backend) {
    let s = start(backend, "[public_check]\nrate_per_hour = 1\nburst = 2\n");
    let anon = s.anonymous();
    let body = json!({"project_id": "P-NONE", "names": ["张三"]});
    for _ in 0..2 {
        assert_eq!(check(&anon, &body).status, 404);
    }
    let r = check(&anon, &body);
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.problem()["type"], "urn:expert-draw:problem:rate-limited");
    let wait: u64 = r
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After: {:?}", r.headers));
    assert!((1..=3600).contains(&wait), "{wait}");
    // Refused before the body is read: bad input is refused the same way.
    let r = anon.send("POST", CHECK, "application/json", b"{".to_vec());
    assert_eq!(r.status, 429, "{}", r.text);
    // Signed-in callers share the address's bucket too.
    assert_eq!(check(&s.admin(), &body).status, 429);
}

both_backends!(rate_limited, public_check_is_rate_limited);
