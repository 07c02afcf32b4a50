//! The periodic review (动态调整) over HTTP and from the CLI: lifting ended
//! automatic suspensions and leaves, flagging frequent decliners and expired
//! terms, retiring at 70; a dry run changes nothing, a real run logs one
//! `review.*` entry per action and one `review.run`.

use chrono::Utc;
use expert_draw_tests::fixtures::{
    self, active_expert, apply_ok, audit_lines, born_aged, days_after, get_expert, log_size, today,
    years_after,
};
use expert_draw_tests::{Backend, Server, both_backends, cli, cli_ok};
use serde_json::{Value, json};

/// (expert id, action kind) pairs of a report, in report order.
fn actions(report: &Value) -> Vec<(String, String)> {
    report["actions"]
        .as_array()
        .unwrap_or_else(|| panic!("no actions: {report}"))
        .iter()
        .map(|a| {
            (
                a["expert_id"].as_str().expect("id").to_owned(),
                a["kind"].as_str().expect("kind").to_owned(),
            )
        })
        .collect()
}

fn expect(list: &[(&String, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(id, k)| ((*id).clone(), (*k).to_owned()))
        .collect()
}

fn counts(report: &Value) -> Value {
    report["counts"].clone()
}

fn the_review(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    let today = today();
    let young = || fixtures::application_in("420100");

    // Aged 64 at admission: 70 within the next six years and a bit.
    let (old, old_app) = active_expert(&s, fixtures::application("420100", born_aged(64, 30)));
    // An automatic suspension ending in 5 days.
    let (ends_soon, _) = active_expert(&s, young());
    let r = admin.post(
        &format!("/api/v1/experts/{ends_soon}/suspend"),
        &json!({"until": days_after(today, 5).to_string(), "restore": "automatic", "reason": "无故缺席"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    // Nothing special until the term ends.
    let (plain, _) = active_expert(&s, young());
    // Four declines in the last 12 months: one too many.
    let (decliner, _) = active_expert(&s, young());
    // A leave ending in 3 days.
    let (on_leave, _) = active_expert(&s, young());
    let r = admin.post(
        &format!("/api/v1/experts/{on_leave}/leave"),
        &json!({"from": today.to_string(), "to": days_after(today, 3).to_string(), "reason": "出差"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    // Not a member yet: never reviewed.
    let applicant = apply_ok(&admin, &young());
    let applicant = applicant["id"].as_str().expect("id").to_owned();
    // An automatic suspension ending in 30 days.
    let (ends_later, _) = active_expert(&s, young());
    let r = admin.post(
        &format!("/api/v1/experts/{ends_later}/suspend"),
        &json!({"until": days_after(today, 30).to_string(), "restore": "automatic", "reason": "无故缺席"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    // Exactly three declines: at the limit, not over it.
    let (three_declines, _) = active_expert(&s, young());
    {
        let mut conn = s.db.connect();
        for (id, n) in [(&decliner, 4), (&three_declines, 3)] {
            for k in 0..n {
                let at = Utc::now() - chrono::Duration::days(10 * (k + 1));
                expert_api::store::experts::record_decline(
                    &mut conn,
                    id,
                    at,
                    &format!("DRAW-{k}"),
                    "时间冲突",
                )
                .expect("record decline");
            }
        }
        // A decline more than a year before the review does not count.
        let long_ago = Utc::now() - chrono::Duration::days(400);
        expert_api::store::experts::record_decline(
            &mut conn,
            &three_declines,
            long_ago,
            "DRAW-OLD",
            "时间冲突",
        )
        .expect("record decline");
    }

    // --- ten days on, as a dry run: the report, and no change -------------
    let soon = days_after(today, 10);
    let before: Vec<Value> = [&ends_soon, &on_leave, &decliner]
        .iter()
        .map(|id| get_expert(&s, id))
        .collect();
    let size = log_size(&s);
    let r = admin.post(
        "/api/v1/review",
        &json!({"as_of": soon.to_string(), "dry_run": true}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let dry = r.json;
    let expected_soon = expect(&[
        (&ends_soon, "lift_suspension"),
        (&decliner, "excessive_declines"),
        (&on_leave, "end_leave"),
    ]);
    assert_eq!(actions(&dry), expected_soon);
    assert_eq!(dry["as_of"], soon.to_string());
    assert_eq!(dry["problems"], json!([]));
    assert_eq!(
        counts(&dry),
        json!({"retire_at_age_limit": 0, "lift_suspension": 1, "end_leave": 1,
               "term_expired": 0, "excessive_declines": 1, "points_threshold": 0})
    );
    let lift = &dry["actions"][0];
    assert_eq!(lift["new_status"]["status"], "active");
    assert!(
        lift["detail_en"]
            .as_str()
            .unwrap_or_default()
            .contains(&days_after(today, 5).to_string()),
        "{lift}"
    );
    assert_eq!(dry["actions"][1]["new_status"], Value::Null);
    assert_eq!(
        dry["actions"][1]["detail_en"],
        "declined 4 times in 12 months; limit 3"
    );
    assert_eq!(log_size(&s), size);
    let after: Vec<Value> = [&ends_soon, &on_leave, &decliner]
        .iter()
        .map(|id| get_expert(&s, id))
        .collect();
    assert_eq!(after, before, "a dry run changed records");

    // --- the same, for real --------------------------------------------------
    let entries_before = audit_lines(&s).len();
    let r = admin.post("/api/v1/review", &json!({"as_of": soon.to_string()}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(actions(&r.json), expected_soon);
    let lines = audit_lines(&s);
    let new: Vec<&Value> = lines[entries_before..].iter().map(|(_, v)| v).collect();
    let kinds: Vec<(&str, &str)> = new
        .iter()
        .map(|v| {
            (
                v["kind"].as_str().expect("kind"),
                v["data"]["expert_id"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("review.lift_suspension", ends_soon.as_str()),
            ("review.excessive_declines", decliner.as_str()),
            ("review.end_leave", on_leave.as_str()),
            ("review.run", "-"),
        ]
    );
    for v in &new {
        assert_eq!(v["data"]["as_of"], soon.to_string(), "{v}");
        assert!(
            v["actor"]
                .as_str()
                .unwrap_or_default()
                .starts_with("admin:T"),
            "{v}"
        );
    }
    assert_eq!(new[0]["data"]["from"], "suspended");
    assert_eq!(new[0]["data"]["to"], "active");
    assert_eq!(new[3]["data"]["subjects"], 7);
    assert_eq!(new[3]["data"]["counts"], counts(&r.json));
    let term = get_expert(&s, &plain)["status_detail"]["term"].clone();
    let lifted = get_expert(&s, &ends_soon);
    assert_eq!(lifted["status"], "active");
    assert_eq!(lifted["status_detail"]["term"], term);
    assert_eq!(get_expert(&s, &on_leave)["status"], "active");
    assert_eq!(get_expert(&s, &decliner)["status"], "active");
    assert_eq!(get_expert(&s, &ends_later)["status"], "suspended");
    assert_eq!(get_expert(&s, &old)["status"], "active");
    assert_eq!(get_expert(&s, &applicant)["status"], "applicant");

    // --- six years on, from the command line -----------------------------
    let later = days_after(years_after(today, 6), 60);
    let later_s = later.to_string();
    let size = log_size(&s);
    let out = cli_ok(&[
        "review",
        "--as-of",
        &later_s,
        "--db",
        &s.db.url,
        "--json",
        "--dry-run",
    ]);
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}:\n{out}"));
    let expected_later = expect(&[
        (&old, "retire_at_age_limit"),
        (&ends_soon, "term_expired"),
        (&plain, "term_expired"),
        (&decliner, "term_expired"),
        (&on_leave, "term_expired"),
        (&ends_later, "lift_suspension"),
        (&ends_later, "term_expired"),
        (&three_declines, "term_expired"),
    ]);
    assert_eq!(actions(&report), expected_later);
    assert_eq!(report["as_of"], later_s.as_str());
    assert_eq!(
        counts(&report),
        json!({"retire_at_age_limit": 1, "lift_suspension": 1, "end_leave": 0,
               "term_expired": 6, "excessive_declines": 0, "points_threshold": 0})
    );
    assert_eq!(
        report["actions"][0]["new_status"],
        json!({"status": "retired", "on": later_s, "reason": "age_limit"})
    );
    assert_eq!(log_size(&s), size, "a CLI dry run wrote to the log");
    assert_eq!(get_expert(&s, &old)["status"], "active");

    let table = cli_ok(&["review", "--as-of", &later_s, "--db", &s.db.url]);
    assert!(table.contains(&format!("as of {later_s}")), "{table}");
    for (id, kind) in &expected_later {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(id.as_str()) && l.contains(kind.as_str())),
            "{id} {kind} missing from:\n{table}"
        );
    }
    assert!(
        table.contains(
            "total 8: retire_at_age_limit 1, lift_suspension 1, end_leave 0, term_expired 6, excessive_declines 0"
        ),
        "{table}"
    );
    assert!(!table.contains(&applicant), "{table}");
    let retired = get_expert(&s, &old);
    assert_eq!(
        retired["status_detail"],
        json!({"status": "retired", "on": later_s, "reason": "age_limit"})
    );
    assert_eq!(get_expert(&s, &ends_later)["status"], "active");
    let lines = audit_lines(&s);
    assert_eq!(log_size(&s), size + 9);
    let last: Vec<&str> = lines[lines.len() - 9..]
        .iter()
        .map(|(_, v)| v["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        last,
        [
            "review.retire_at_age_limit",
            "review.term_expired",
            "review.term_expired",
            "review.term_expired",
            "review.term_expired",
            "review.lift_suspension",
            "review.term_expired",
            "review.term_expired",
            "review.run",
        ]
    );
    assert!(
        lines[lines.len() - 1].1["actor"]
            .as_str()
            .unwrap_or_default()
            .starts_with("cli:"),
        "{}",
        lines[lines.len() - 1].0
    );
    // The review log names experts by id only.
    for (text, _) in &lines {
        for p in [
            &old_app["resident_id"],
            &old_app["mobile"],
            &old_app["name"],
        ] {
            assert!(!text.contains(p.as_str().expect("str")), "{text}");
        }
    }

    // A retired expert is no longer reviewed; a second run finds only flags.
    let r = admin.post(
        "/api/v1/review",
        &json!({"as_of": later_s, "dry_run": true}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        actions(&r.json),
        expected_later
            .into_iter()
            .filter(|(id, k)| id != &old && k == "term_expired")
            .collect::<Vec<_>>()
    );

    // Bad command lines fail with a message.
    let (code, _, err) = cli(&["review", "--as-of", "2025-02-30", "--db", &s.db.url]);
    assert_ne!(code, 0);
    assert!(err.contains("--as-of"), "{err}");
}

both_backends!(review, the_review);
