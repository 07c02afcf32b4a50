//! `POST /api/v1/experts/import` (the web console's roster upload) on each
//! backend: the row report for CSV and XLSX, the two modes and a dry run,
//! an operator bound to its region, and every unusable request named by
//! its field, with nothing written.

use base64::Engine;
use expert_api::synth::{self, SynthExpert};
use expert_draw_tests::{Api, Backend, Server, both_backends};
use serde_json::{Value, json};

fn roster(n: usize, seed: u64, region: &str) -> Vec<SynthExpert> {
    let mut rows = synth::roster(n, seed, chrono::Utc::now().date_naive());
    for r in &mut rows {
        r.region = region.into();
    }
    rows
}

fn csv_of(rows: &[SynthExpert]) -> String {
    let mut out = Vec::new();
    synth::write_csv(&mut out, rows).expect("csv");
    base64::engine::general_purpose::STANDARD.encode(out)
}

fn upload(api: &Api, body: &Value) -> expert_draw_tests::Response {
    api.post("/api/v1/experts/import", body)
}

fn log_size(s: &Server) -> usize {
    let r = s.admin().get("/api/v1/audit/entries?limit=10000");
    assert_eq!(r.status, 200, "{}", r.text);
    r.text.lines().count()
}

fn broken(mut rows: Vec<SynthExpert>, i: usize) -> Vec<SynthExpert> {
    let id = &rows[i].resident_id;
    let (head, last) = id.split_at(17);
    rows[i].resident_id = format!("{head}{}", if last == "0" { "1" } else { "0" });
    rows
}

fn import_over_http(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();

    // All or nothing (the default) with one bad row: the report, no write.
    let rows = broken(roster(4, 31, "420100"), 2);
    let before = log_size(&s);
    let r = upload(
        &admin,
        &json!({"format": "csv", "content_base64": csv_of(&rows)}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["rows"], 4);
    assert_eq!(r.json["rejected_rows"], 1);
    assert_eq!(r.json["imported"], json!([]));
    let e = &r.json["errors"][0];
    // Data row 3 is spreadsheet row 4.
    assert_eq!(
        (e["row"].clone(), e["column"].clone(), e["rule"].clone()),
        (json!(4), json!("resident_id"), json!("check_character")),
        "{}",
        r.text
    );
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(log_size(&s), before, "all or nothing wrote nothing");

    // A dry run of the valid rows writes nothing either.
    let body = json!({"format": "csv", "content_base64": csv_of(&rows), "mode": "valid_only", "dry_run": true});
    let r = upload(&admin, &body);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["valid_rows"], 3);
    assert_eq!(r.json["imported"], json!([]));
    assert_eq!(log_size(&s), before);

    // Valid only: three applicants, each an expert.apply entry.
    let r = upload(
        &admin,
        &json!({"format": "csv", "content_base64": csv_of(&rows), "mode": "valid_only"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let ids: Vec<String> = r.json["imported"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|v| v.as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 3, "{}", r.text);
    assert_eq!(log_size(&s), before + 3);
    for id in &ids {
        let x = admin.get(&format!("/api/v1/experts/{id}"));
        assert_eq!(x.json["status"], "applicant", "{}", x.text);
    }
    // The same file again: every good row is now a registered person.
    let r = upload(
        &admin,
        &json!({"format": "csv", "content_base64": csv_of(&rows), "mode": "valid_only"}),
    );
    assert_eq!(r.json["imported"], json!([]), "{}", r.text);
    assert_eq!(r.json["rejected_rows"], 4, "{}", r.text);

    // XLSX, admitted at once by an admin.
    let xrows = roster(2, 32, "420100");
    let path = s.db.path("roster.xlsx");
    synth::write_xlsx(&path, &xrows).expect("xlsx");
    let content =
        base64::engine::general_purpose::STANDARD.encode(std::fs::read(&path).expect("read"));
    let r = upload(
        &admin,
        &json!({"format": "xlsx", "content_base64": content, "admit": true}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["admitted"], 2, "{}", r.text);
    let id = r.json["imported"][0].as_str().expect("id");
    assert_eq!(
        admin.get(&format!("/api/v1/experts/{id}")).json["status"],
        "active"
    );

    // An operator imports its own region only, and admits no one.
    let op = s.token("operator", Some("420600"));
    let mixed = [roster(1, 33, "420600"), roster(1, 34, "420100")].concat();
    let r = upload(
        &op,
        &json!({"format": "csv", "content_base64": csv_of(&mixed), "mode": "valid_only"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json["imported"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.text
    );
    assert_eq!(
        r.json["errors"][0]["rule"], "region_not_allowed",
        "{}",
        r.text
    );
    assert_eq!(r.json["errors"][0]["row"], 3, "{}", r.text);
    let supervisor = s.token("supervisor", None);
    let size = log_size(&s);
    let r = upload(
        &op,
        &json!({"format": "csv", "content_base64": csv_of(&roster(1, 35, "420600")), "admit": true}),
    );
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.problem()["field"], "admit");
    assert_eq!(
        supervisor.post("/api/v1/experts/import", &json!({})).status,
        403
    );

    // Unusable requests, each named by its field; nothing written.
    let refusals = [
        (
            json!({"format": "pdf", "content_base64": ""}),
            400,
            "format",
        ),
        (
            json!({"format": "csv", "content_base64": "***"}),
            400,
            "content_base64",
        ),
        (
            json!({"format": "csv", "content_base64": csv_of(&rows), "mode": "some"}),
            400,
            "mode",
        ),
        (
            json!({"format": "csv", "content_base64": base64::engine::general_purpose::STANDARD.encode("a,b\n1,2\n")}),
            422,
            "content_base64",
        ),
        (
            json!({"format": "xlsx", "content_base64": base64::engine::general_purpose::STANDARD.encode("not a workbook")}),
            422,
            "content_base64",
        ),
        (json!({"format": "csv"}), 400, "content_base64"),
    ];
    for (body, status, field) in refusals {
        let r = upload(&admin, &body);
        assert_eq!(r.status, status, "{body}: {}", r.text);
        assert_eq!(r.problem()["field"], field, "{body}: {}", r.text);
    }
    let r = admin.send(
        "POST",
        "/api/v1/experts/import",
        "text/csv",
        b"name\n".to_vec(),
    );
    assert_eq!(r.status, 415, "{}", r.text);
    assert_eq!(log_size(&s), size);
}

/// With `Accept: application/x-ndjson` the import streams its progress as
/// JSON lines, then the same report; a failure after the stream began is
/// the last line, as problem+json with its status; refusals before the
/// work are plain 4xx problem+json as without the stream.
fn import_progress_stream(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    let lines = |r: &expert_draw_tests::Response| -> Vec<Value> {
        r.text
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect()
    };
    // 2,500 rows: parsing, checking and writing; the server reports rows
    // done within each phase as it looks (every 200 ms) and every phase's
    // last counts when the import ends, however fast it ran.
    let n = 2_500;
    let supervisor = s.token("supervisor", None);
    let before = log_size(&s);
    let r = admin.post_accept(
        "/api/v1/experts/import",
        &json!({"format": "csv", "content_base64": csv_of(&roster(n, 47, "420100"))}),
        "application/x-ndjson",
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.content_type.starts_with("application/x-ndjson"),
        "{}",
        r.content_type
    );
    let all = lines(&r);
    let (last, progress) = all.split_last().expect("at least the report");
    assert!(!progress.is_empty(), "no progress line: {}", r.text);
    let report = &last["report"];
    assert_eq!(report["rows"], n, "{}", r.text);
    assert_eq!(report["rejected_rows"], 0);
    assert_eq!(report["imported"].as_array().map(Vec::len), Some(n));
    assert_eq!(log_size(&s), before + n, "one expert.apply per row");
    // Every other line is progress: a known phase, done within total, and
    // never backwards inside a phase.
    let order = ["parsing", "checking", "writing"];
    let mut seen: Option<(usize, u64)> = None;
    for p in progress {
        let p = &p["progress"];
        let phase = p["phase"].as_str().expect("phase");
        let k = order
            .iter()
            .position(|x| *x == phase)
            .unwrap_or_else(|| panic!("unknown phase {phase}"));
        let (done, total) = (
            p["done"].as_u64().expect("done"),
            p["total"].as_u64().expect("total"),
        );
        assert!(done <= total && total <= n as u64, "{p}");
        if let Some((k0, d0)) = seen {
            assert!(k > k0 || (k == k0 && done > d0), "progress went back: {p}");
        }
        seen = Some((k, done));
    }
    // Each phase ran, and its last line has all its rows done.
    for phase in order {
        let last = progress
            .iter()
            .rev()
            .map(|p| &p["progress"])
            .find(|p| p["phase"] == phase)
            .unwrap_or_else(|| panic!("no {phase} line: {}", r.text));
        assert_eq!(last["done"], n, "{phase}: {last}");
        assert_eq!(last["total"], n, "{phase}: {last}");
    }

    // The same rows again: every one is now a duplicate of the pool. The
    // all-or-nothing import writes nothing, and says why in its report.
    let r = admin.post_accept(
        "/api/v1/experts/import",
        &json!({"format": "csv", "content_base64": csv_of(&roster(n, 47, "420100"))}),
        "application/x-ndjson",
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let mut again = lines(&r);
    let last = again.pop().expect("a last line");
    assert_eq!(last["report"]["rejected_rows"], n, "{last}");
    assert_eq!(log_size(&s), before + n);
    // It checked every row and, refused, never began writing.
    let phases: Vec<&Value> = again.iter().map(|l| &l["progress"]["phase"]).collect();
    assert!(phases.contains(&&json!("checking")), "{}", r.text);
    assert!(!phases.contains(&&json!("writing")), "{}", r.text);

    // A file that cannot be imported at all fails inside the work: the
    // last line is the problem the plain request answers with 422.
    let empty = base64::engine::general_purpose::STANDARD.encode("姓名,身份证号\n");
    let r = admin.post_accept(
        "/api/v1/experts/import",
        &json!({"format": "csv", "content_base64": empty}),
        "application/x-ndjson",
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let problem = &lines(&r).pop().expect("a last line")["problem"];
    assert_eq!(problem["status"], 422, "{}", r.text);
    assert_eq!(
        problem["errors"][0]["field"], "content_base64",
        "{}",
        r.text
    );
    let plain = upload(&admin, &json!({"format": "csv", "content_base64": empty}));
    assert_eq!(plain.status, 422, "{}", plain.text);

    // Refused before any work: plain problem+json, stream or not.
    let r = admin.post_accept(
        "/api/v1/experts/import",
        &json!({"format": "ods", "content_base64": empty}),
        "application/x-ndjson",
    );
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.problem()["field"], "format", "{}", r.text);
    let r = supervisor.post_accept(
        "/api/v1/experts/import",
        &json!({"format": "csv", "content_base64": empty}),
        "application/x-ndjson",
    );
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(log_size(&s), before + n);
}

both_backends!(import_http, import_over_http);
both_backends!(import_progress, import_progress_stream);
