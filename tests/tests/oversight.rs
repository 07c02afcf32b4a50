//! Oversight metrics and the report over real HTTP on both backends, from
//! draws made through the API: seats, the share from other regions, pairs,
//! a decline, an abandoned draw and a sealed read are counted as they
//! happened; bound callers see their region; bad periods are refused
//! naming the field; reading writes nothing to the log.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use expert_api::db::schema::{draws, panel_members};
use expert_draw_tests::award::{request, start};
use expert_draw_tests::fixtures::{assert_problem, days_after, log_size, today};
use expert_draw_tests::panel::{end_evaluation, latest_invitation};
use expert_draw_tests::pool::{Seed, credit_code, seed_pool};
use expert_draw_tests::{Backend, Server, both_backends};
use serde_json::{Value, json};

/// Seats as stored: (panel, expert) of every member holding one.
fn stored_seats(s: &Server, panels: &[String]) -> Vec<(String, String)> {
    let mut conn = s.db.connect();
    panel_members::table
        .filter(panel_members::panel_id.eq_any(panels))
        .filter(panel_members::seat.eq(true))
        .select((panel_members::panel_id, panel_members::expert_id))
        .load(&mut conn)
        .expect("seats")
}

fn period() -> String {
    format!(
        "from={}&to={}",
        days_after(today(), -7),
        days_after(today(), 1)
    )
}

fn metrics_from_real_draws(backend: Backend) {
    let s = start(backend, "[draw.committee]\nmin_size = 3\n");
    // Ten experts: four in the project's region (420100), six outside.
    let regions = ["420100", "420500", "420600", "420100", "420500"];
    let seeds: Vec<Seed> = (0..10)
        .map(|i| Seed {
            region: regions[i % regions.len()],
            specialty: expert_draw_tests::award::SPECIALTY,
            employer: 300 + u32::try_from(i).expect("small"),
        })
        .collect();
    let ids = seed_pool(&s.admin(), &seeds);
    let region_of: BTreeMap<String, &str> = ids
        .iter()
        .cloned()
        .zip(seeds.iter().map(|x| x.region))
        .collect();
    let op = s.token("operator", Some("420100"));
    let sup = s.token("supervisor", None);

    let mut panels = Vec::new();
    for k in 0..4u32 {
        let mut req = request(&format!("P-OV{k}"));
        req["project"]["tenderer"] = json!(credit_code(40 + k % 2));
        req["panel"] = json!([{"specialty": "ENA01", "count": 3, "reserve": 2}]);
        let r = op.post("/api/v1/draws", &req);
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json["id"].as_str().expect("id").to_owned();
        let r = op.post(&format!("/api/v1/draws/{id}/reveal"), &json!({}));
        assert_eq!(r.status, 200, "{}", r.text);
        if k == 0 {
            // One member declines; a reserve is called in.
            let token = latest_invitation(&s);
            let r = s.anonymous().post(
                &format!("/api/v1/respond/{token}"),
                &json!({"answer": "decline", "reason": "出差"}),
            );
            assert_eq!(r.status, 200, "{}", r.text);
            // A sealed read by the supervisor, logged as panel.view.
            let r = sup.get(&format!("/api/v1/draws/{id}/panel"));
            assert_eq!(r.status, 200, "{}", r.text);
        }
        panels.push(id);
    }
    // A draw committed and never revealed before its window began.
    let r = op.post("/api/v1/draws", &request("P-OV-GONE"));
    assert_eq!(r.status, 201, "{}", r.text);
    let gone = r.json["id"].as_str().expect("id").to_owned();
    for id in panels.iter().chain([&gone]) {
        end_evaluation(&s, id);
    }

    let seats = stored_seats(&s, &panels);
    let mut per_expert: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_panel: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (p, e) in &seats {
        *per_expert.entry(e).or_insert(0) += 1;
        by_panel.entry(p).or_default().push(e);
    }
    let outside = seats
        .iter()
        .filter(|(_, e)| region_of.get(e).copied() != Some("420100"))
        .count();
    let mut pairs: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for members in by_panel.values_mut() {
        members.sort_unstable();
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                *pairs.entry((a, b)).or_insert(0) += 1;
            }
        }
    }

    let size = log_size(&s);
    let r = sup.get(&format!("/api/v1/oversight/metrics?{}", period()));
    assert_eq!(r.status, 200, "{}", r.text);
    let m = &r.json["metrics"];
    assert_eq!(r.json["region"], Value::Null);
    assert_eq!(m["seats"]["seats"], seats.len() as u64, "{}", r.text);
    assert_eq!(m["seats"]["experts_seated"], per_expert.len() as u64);
    assert_eq!(m["seats"]["experts_counted"], 10, "the pool counts zeros");
    assert_eq!(
        m["seats"]["max"],
        *per_expert.values().max().expect("seats")
    );
    let share = m["regions"]["share_outside"].as_f64().expect("share");
    assert!(
        (share - outside as f64 / seats.len() as f64).abs() < 1e-9,
        "{share}"
    );
    assert_eq!(m["regions"]["outside"], outside as u64);
    assert_eq!(m["pairs"]["pairs"], pairs.len() as u64);
    assert_eq!(
        m["pairs"]["repeated"],
        pairs.values().filter(|&&n| n >= 2).count() as u64
    );
    // Four panels, any supplementary draw, and the abandoned draw.
    let stored_draws: i64 = {
        let mut conn = s.db.connect();
        draws::table.count().get_result(&mut conn).expect("draws")
    };
    assert!(stored_draws >= 5);
    assert_eq!(m["draws"]["draws"], stored_draws);
    assert_eq!(m["draws"]["abandoned"], 1);
    // Panels whose windows overlap book their experts: later draws may
    // run short, as stored.
    let short: i64 = {
        let mut conn = s.db.connect();
        draws::table
            .filter(draws::shortfall.is_not_null())
            .count()
            .get_result(&mut conn)
            .expect("short draws")
    };
    assert_eq!(m["draws"]["short"], short);
    assert_eq!(m["declines"]["declines"], 1);
    assert_eq!(m["declines"]["by_reason"][0]["key"], "declined");
    assert_eq!(m["sealed_reads"]["reads"], 1, "{}", m["sealed_reads"]);
    let actor = m["sealed_reads"]["by_actor"][0]["key"]
        .as_str()
        .expect("actor");
    assert!(actor.starts_with("supervisor:"), "{actor}");
    // Two tenderers, each with two panels.
    assert_eq!(m["streaks"]["tenderers"], 2);
    let gini = m["seats"]["gini"].as_f64().expect("gini");
    assert!((0.0..1.0).contains(&gini));
    assert!(!m["months"].as_array().expect("months").is_empty());
    assert_eq!(log_size(&s), size, "reading the metrics writes nothing");

    // The same through the report, as HTML.
    let r = sup.get(&format!("/api/v1/oversight/report?{}", period()));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "{:?}",
        r.header("content-type")
    );
    assert!(r.text.matches("<svg").count() >= 3);
    assert!(r.text.contains(&format!("{:.3}", gini)));
    assert!(r.text.contains("draw-audit verify"));
    assert!(
        r.text.contains("tree size"),
        "a checkpoint was kept by the draws"
    );
    assert_eq!(log_size(&s), size, "reading the report writes nothing");

    // The same period from the CLI, as a file, and its PDF where a browser
    // can print one (CI installs Chromium, so there it must).
    let out = s.db.path("report.html");
    let (from, to) = (
        days_after(today(), -7).to_string(),
        days_after(today(), 1).to_string(),
    );
    let (code, _, err) = expert_draw_tests::cli(&[
        "report",
        "--from",
        &from,
        "--to",
        &to,
        "--out",
        out.to_str().unwrap(),
        "--db",
        &s.db.url,
    ]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains(&format!("{:.3}", gini)) && html.contains("draw-audit verify"));
    let pdf = s.db.path("report.pdf");
    let browser = std::path::Path::new("/usr/bin/chromium").exists();
    if browser || std::env::var("CI").is_ok_and(|v| v == "true") {
        let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("no PDF ({e}): {err}"));
        assert!(bytes.starts_with(b"%PDF-"), "{err}");
    } else {
        assert!(err.contains("no PDF"), "{err}");
    }

    // Bound callers see their own region; another region is refused.
    let sup_elsewhere = s.token("supervisor", Some("420600"));
    let r = sup_elsewhere.get(&format!("/api/v1/oversight/metrics?{}", period()));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["region"], "420600");
    assert_eq!(r.json["metrics"]["seats"]["seats"], 0);
    assert_eq!(r.json["metrics"]["draws"]["draws"], 0);
    let r = sup_elsewhere.get(&format!(
        "/api/v1/oversight/metrics?{}&region=420100",
        period()
    ));
    assert_eq!(r.status, 403, "{}", r.text);
    let reg = s.token("regulator", None);
    let r = reg.get(&format!(
        "/api/v1/oversight/metrics?{}&region=420100",
        period()
    ));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["metrics"]["seats"]["seats"], seats.len() as u64);
    assert_eq!(
        r.json["metrics"]["seats"]["experts_counted"],
        per_expert.len() as u64,
        "a region's figures count the seated only"
    );
    assert_eq!(
        op.get(&format!("/api/v1/oversight/metrics?{}", period()))
            .status,
        403
    );

    // Bad periods name the field.
    let r = sup.get("/api/v1/oversight/metrics?from=2026-13-01&to=2026-06-30");
    assert_problem(&r, 400, "bad-request", Some("from"), Some("invalid_query"));
    let r = sup.get("/api/v1/oversight/metrics?from=2026-06-30&to=2026-01-01");
    assert_problem(&r, 400, "bad-request", Some("to"), Some("range"));
    let r = sup.get("/api/v1/oversight/metrics?from=2025-01-01&to=2026-06-30");
    assert_problem(&r, 400, "bad-request", Some("to"), Some("range"));
    let r = sup.get(&format!(
        "/api/v1/oversight/metrics?{}&region=999999",
        period()
    ));
    assert_problem(
        &r,
        400,
        "bad-request",
        Some("region"),
        Some("unknown_region"),
    );
    let r = sup.get("/api/v1/oversight/report?to=2026-06-30");
    assert_problem(&r, 400, "bad-request", Some("from"), Some("invalid_query"));
    let seated: BTreeSet<&str> = seats.iter().map(|(_, e)| e.as_str()).collect();
    assert!(seated.len() >= 3);
}

both_backends!(oversight_metrics_and_report, metrics_from_real_draws);
