//! A panel through the rest of its life, for the receipt and award tests:
//! every seat signed in, and the evaluation moved into the past behind the
//! API — the one way to reach "after the evaluation" without waiting hours.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use expert_api::db::schema::{draws, panel_members};
use serde_json::{Value, json};

use crate::client::Api;
use crate::server::Server;

/// Pseudonyms of the members of a draw view who hold a seat.
pub fn seated(view: &Value) -> Vec<String> {
    view["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter(|m| m["seat"] == true)
        .map(|m| m["pseudonym"].as_str().expect("pseudonym").to_owned())
        .collect()
}

/// Signs in every seated member of panel `draw_id` as `api`; the last
/// sign-in unseals the panel.
pub fn sign_in_all(api: &Api, draw_id: &str) {
    let view = api.get(&format!("/api/v1/draws/{draw_id}"));
    assert_eq!(view.status, 200, "{}", view.text);
    let seats = seated(&view.json);
    assert!(!seats.is_empty(), "no seats: {}", view.text);
    for (i, p) in seats.iter().enumerate() {
        let r = api.post(
            &format!("/api/v1/draws/{draw_id}/members/{p}/sign-in"),
            &json!({}),
        );
        assert_eq!(r.status, 200, "sign-in {p}: {}", r.text);
        assert_eq!(r.json["unsealed"], i + 1 == seats.len(), "{}", r.text);
    }
}

/// Moves the evaluation of panel `panel_id` (its draws and its members'
/// seats) to the window [now − 5 h, now − 1 h], writing the tables
/// directly: the evaluation is over.
pub fn end_evaluation(s: &Server, panel_id: &str) {
    let now = Utc::now().naive_utc();
    let (start, end) = (now - Duration::hours(5), now - Duration::hours(1));
    let mut conn = s.db.connect();
    let moved = diesel::update(draws::table.filter(draws::panel_id.eq(panel_id)))
        .set((draws::window_start.eq(start), draws::window_end.eq(end)))
        .execute(&mut conn)
        .expect("move the draws' window");
    assert!(moved >= 1, "panel {panel_id} has no draws");
    diesel::update(panel_members::table.filter(panel_members::panel_id.eq(panel_id)))
        .set((
            panel_members::window_start.eq(start),
            panel_members::window_end.eq(end),
        ))
        .execute(&mut conn)
        .expect("move the seats' window");
}

/// The one-time token of the latest invitation queued for delivery (from
/// the outbox, as the expert's message would carry it).
pub fn latest_invitation(s: &Server) -> String {
    let mut conn = s.db.connect();
    let queued = expert_api::store::outbox::due(
        &mut conn,
        Utc::now() + Duration::hours(1),
        u32::MAX,
        100_000,
    )
    .expect("outbox");
    let last = queued
        .iter()
        .rev()
        .find(|m| m.channel == "invitation")
        .expect("an invitation");
    let payload: Value = serde_json::from_str(&last.payload).expect("payload");
    payload["link"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .expect("link")
        .to_owned()
}
