//! The draw facts read model (`expert_api::facts`) gives the same pool as
//! reading the database, after every kind of change a draw's filters see:
//! seats taken by a reveal, a decline and its substitution, a leave, a new
//! employer, a suspension, a new expert. One model is caught up step by
//! step from the log (as the server's is); a second is loaded whole at the
//! end. Both are compared, for several requests, with
//! `CandidatePool::read` — the exclusion counts and the candidates' exact
//! canonical text.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use expert_api::db::DbConn;
use expert_api::draws::FilterContext;
use expert_api::facts::DrawFacts;
use expert_api::store::audit;
use expert_api::store::pool::CandidatePool;
use expert_draw_tests::pool::{Seed, credit_code, seed_pool};
use expert_draw_tests::{Backend, Server, TestDb, both_backends};
use serde_json::json;

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// The requests compared at every step: the window the draws below use,
/// a window inside the leave granted below, another group, and tight caps.
fn contexts(window: (DateTime<Utc>, DateTime<Utc>)) -> Vec<FilterContext> {
    let base = FilterContext {
        start: window.0,
        end: window.1,
        tenderer: credit_code(1),
        avoided_organisations: [credit_code(1), credit_code(2), credit_code(3)].into(),
        avoided_experts: Default::default(),
        group_specialties: vec!["ENA01".into()],
        lookback_days: 180,
        max_seats_lookback: Some(3),
        max_seats_same_tenderer_12m: Some(2),
        excluded_ids: Default::default(),
        excluded_employers: Default::default(),
    };
    let mut in_leave = base.clone();
    in_leave.start = utc("2030-01-05T01:00:00Z");
    in_leave.end = utc("2030-01-05T09:00:00Z");
    let mut wider = base.clone();
    wider.group_specialties = vec!["EN".into(), "ZZ".into()];
    wider.avoided_organisations.insert(credit_code(105));
    let mut tight = base.clone();
    tight.start = window.1 + Duration::days(1);
    tight.end = tight.start + Duration::hours(4);
    tight.max_seats_lookback = Some(0);
    tight.max_seats_same_tenderer_12m = Some(0);
    vec![base, in_leave, wider, tight]
}

/// The pool's exclusion counts and candidates' text.
fn reading(pool: CandidatePool) -> (String, usize, String) {
    let excluded = format!("{:?}", pool.excluded());
    let prepared = pool.into_candidates().unwrap();
    (excluded, prepared.count, prepared.text)
}

/// At each step: the model caught up and read whole, and each pool built at
/// the step before brought up to date by `refresh` (what a draw does under
/// the log-head lock: only experts whose seats changed assessed again, or
/// a rebuild), both equal to reading the database.
struct Checker {
    ctxs: Vec<FilterContext>,
    earlier: Vec<Option<CandidatePool>>,
}

impl Checker {
    fn check(&mut self, conn: &mut DbConn, model: &Arc<DrawFacts>, step: &str) {
        let head = audit::size(conn).unwrap();
        for (i, ctx) in self.ctxs.iter().enumerate() {
            let from_db = reading(CandidatePool::read(conn, ctx).unwrap());
            let pool = model.pool(conn, ctx).unwrap();
            if let Some(mut earlier) = self.earlier[i].take() {
                earlier.refresh(conn, ctx, head, true).unwrap();
                assert_eq!(
                    reading(earlier),
                    from_db,
                    "step {step}, request {i}, refreshed"
                );
            }
            self.earlier[i] = Some(pool.clone());
            assert_eq!(reading(pool), from_db, "step {step}, request {i}");
        }
    }
}

fn model_equals_database(backend: Backend) {
    let db = TestDb::new(backend);
    let outbox = db.path("outbox.jsonl");
    let config = db.path("policy.toml");
    std::fs::write(
        &config,
        "[notify]\npoll_ms = 100\nretry_base_ms = 100\npublic_base_url = \"https://centre.example\"\n",
    )
    .unwrap();
    let mut conn = db.connect();
    let s = Server::start_with(
        db,
        &[
            "--config",
            config.to_str().unwrap(),
            "--notify-file",
            outbox.to_str().unwrap(),
        ],
    );
    let seeds: Vec<Seed> = (0..14)
        .map(|i| Seed {
            region: ["420100", "420500", "420600"][i as usize % 3],
            specialty: if i < 11 { "ENA0101" } else { "ENB0201" },
            employer: 100 + i % 9,
        })
        .collect();
    let ids = seed_pool(&s.admin(), &seeds);
    let admin = s.admin();
    let op = s.token("operator", Some("420100"));
    let day = (Utc::now() + Duration::days(1)).date_naive();
    let start = day
        .and_time(NaiveTime::from_hms_opt(1, 0, 0).unwrap())
        .and_utc();
    let window = (start, start + Duration::hours(8));
    let ctxs = contexts(window);
    let mut checker = Checker {
        earlier: vec![None; ctxs.len()],
        ctxs: ctxs.clone(),
    };
    let mut check = |conn: &mut DbConn, model: &Arc<DrawFacts>, _: &[FilterContext], step: &str| {
        checker.check(conn, model, step)
    };

    let incremental = Arc::new(DrawFacts::new());
    check(&mut conn, &incremental, &ctxs, "seeded");

    // Two panels in the window: seats taken.
    let mut draws = Vec::new();
    for (n, offset) in [(1, 0), (2, 2)] {
        let s0 = start + Duration::hours(offset);
        let r = op.post(
            "/api/v1/draws",
            &json!({
                "project": {"id": format!("P-F{n}"), "name": "模型一致性", "region": "420100",
                    "tenderer": credit_code(1), "bid_section": "1"},
                "evaluation": {"start": s0.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    "end": (s0 + Duration::hours(4)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                    "venue": "评标室"},
                "panel": [{"specialty": "ENA01", "count": 5, "reserve": 1}],
                "avoid": {"bidders": [credit_code(2)], "agency": credit_code(3)},
                "representatives": 0,
            }),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json["id"].as_str().unwrap().to_owned();
        check(&mut conn, &incremental, &ctxs, "committed");
        let r = op.post(&format!("/api/v1/draws/{id}/reveal"), &json!({}));
        assert_eq!(r.status, 200, "{}", r.text);
        check(&mut conn, &incremental, &ctxs, "revealed");
        draws.push(id);
    }

    // A decline through the response link: a reserve takes the seat.
    let messages = expert_draw_tests::fixtures::wait_messages(&outbox, 3);
    let link = messages[0]["payload"]["link"].as_str().unwrap();
    let token = link.rsplit('/').next().unwrap();
    let r = s.anonymous().post(
        &format!("/api/v1/respond/{token}"),
        &json!({"answer": "decline", "reason": "出差"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    check(&mut conn, &incremental, &ctxs, "declined");

    // A leave, a new employer (an avoided one), a suspension.
    let r = admin.post(
        &format!("/api/v1/experts/{}/leave", ids[4]),
        &json!({"from": "2030-01-01", "to": "2030-01-10", "reason": "出差"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    check(&mut conn, &incremental, &ctxs, "leave");
    let r = admin.post(
        &format!("/api/v1/experts/{}/employer", ids[5]),
        &json!({"employer": {"name": "投标单位", "code": credit_code(2)}, "since": day.to_string()}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    check(&mut conn, &incremental, &ctxs, "employer");
    let r = admin.post(
        &format!("/api/v1/experts/{}/suspend", ids[6]),
        &json!({"restore": "on_application", "reason": "核查"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    check(&mut conn, &incremental, &ctxs, "suspended");

    // A new expert joins.
    let id = expert_draw_tests::pool::register(
        &admin,
        99,
        &Seed {
            region: "420500",
            specialty: "ENA0102",
            employer: 150,
        },
    );
    check(&mut conn, &incremental, &ctxs, "applied");
    expert_draw_tests::pool::approve(&admin, &id);
    check(&mut conn, &incremental, &ctxs, "approved");

    // A model loaded whole agrees too, and with the stepped one.
    let whole = Arc::new(DrawFacts::new());
    for ctx in &ctxs {
        assert_eq!(
            reading(whole.pool(&mut conn, ctx).unwrap()),
            reading(CandidatePool::read(&mut conn, ctx).unwrap()),
            "loaded whole"
        );
    }
    assert_eq!(incremental.seq().unwrap(), whole.seq().unwrap());
    // The scenario did exercise the filters: someone is booked, someone on
    // leave, someone in conflict.
    let base = reading(whole.pool(&mut conn, &ctxs[0]).unwrap()).0;
    for reason in ["booked", "conflict_of_interest", "not_active"] {
        assert!(base.contains(reason), "{reason} in {base}");
    }
    let leave = reading(whole.pool(&mut conn, &ctxs[1]).unwrap()).0;
    assert!(leave.contains("on_leave"), "{leave}");
    drop(draws);
}

both_backends!(
    model_equals_database_after_every_change,
    model_equals_database
);
