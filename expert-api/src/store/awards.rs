//! Awards (中标) per panel, and what the public panel check reads once a
//! panel is awarded: the names of the experts who served and the panel's
//! draws.
//!
//! An award is recorded after the evaluation has ended (so the panel is no
//! longer sealed), at most once per project and bid section; `draw.award`
//! names the members who served, by id, so the log itself says what the
//! public check compares with.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::json;

use super::audit::AuditTx;
use super::draws::{self, DrawRow, member, state};
use super::{StoreError, db_time};
use crate::db::DbConn;
use crate::db::schema::{awards, draws as draw_table, panel_members};

/// One award as stored.
#[derive(Debug, Clone, Queryable)]
pub struct AwardRow {
    pub panel_id: String,
    pub project_id: String,
    pub bid_section: String,
    pub awarded_at: NaiveDateTime,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// What recording an award did.
#[derive(Debug, Clone)]
pub enum Recorded {
    New(AwardRow),
    /// The panel was already awarded: nothing changed.
    Existing(AwardRow),
}

pub fn of_panel(conn: &mut DbConn, panel_id: &str) -> Result<Option<AwardRow>, StoreError> {
    Ok(awards::table
        .find(panel_id)
        .first::<AwardRow>(conn)
        .optional()?)
}

/// Awards of a project, of one bid section when given.
pub fn of_project(
    conn: &mut DbConn,
    project_id: &str,
    bid_section: Option<&str>,
) -> Result<Vec<AwardRow>, StoreError> {
    let mut q = awards::table
        .filter(awards::project_id.eq(project_id))
        .into_boxed();
    if let Some(b) = bid_section {
        q = q.filter(awards::bid_section.eq(b.to_owned()));
    }
    Ok(q.order(awards::bid_section.asc()).load::<AwardRow>(conn)?)
}

/// Record the award of `panel` (the panel's own draw). Refused unless the
/// draw is revealed (not short) and its evaluation has ended; a panel
/// already awarded is returned as it is. `draw.award` is logged with the
/// ids of the members who served.
pub fn record(
    tx: &mut AuditTx<'_>,
    actor: &str,
    panel: &DrawRow,
    awarded_at: DateTime<Utc>,
) -> Result<Recorded, StoreError> {
    if let Some(existing) = of_panel(tx.conn, &panel.id)? {
        return Ok(Recorded::Existing(existing));
    }
    if panel.state != state::REVEALED {
        return Err(StoreError::Conflict {
            rule: "not_revealed",
            message: format!(
                "draw {} is {}; only a revealed panel is awarded",
                panel.id, panel.state
            ),
        });
    }
    let now = tx.now();
    if now < panel.end() {
        return Err(StoreError::Conflict {
            rule: "evaluation_not_over",
            message: format!(
                "the evaluation of draw {} ends at {}; record the award after it",
                panel.id,
                panel.end().format("%Y-%m-%dT%H:%M:%SZ")
            ),
        });
    }
    if let Some(other) = of_project(tx.conn, &panel.project_id, Some(&panel.bid_section))?.first() {
        return Err(StoreError::Conflict {
            rule: "already_awarded",
            message: format!(
                "the panel of draw {} is already awarded for this project and bid section",
                other.panel_id
            ),
        });
    }
    let served = served(tx.conn, &panel.id)?;
    diesel::insert_into(awards::table)
        .values((
            awards::panel_id.eq(&panel.id),
            awards::project_id.eq(&panel.project_id),
            awards::bid_section.eq(&panel.bid_section),
            awards::awarded_at.eq(db_time(awarded_at)),
            awards::recorded_by.eq(actor),
            awards::recorded_at.eq(db_time(now)),
        ))
        .execute(tx.conn)?;
    tx.append(
        "draw.award",
        actor,
        Some(&panel.id),
        json!({
            "draw_id": panel.id,
            "awarded_at": awarded_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "served": served,
        }),
    )?;
    let row = of_panel(tx.conn, &panel.id)?.ok_or_else(|| StoreError::NotFound {
        what: "award",
        id: panel.id.clone(),
    })?;
    Ok(Recorded::New(row))
}

/// Ids of the experts who served on the panel: members holding a seat who
/// accepted or signed in (after every substitution; declines, no-answers,
/// void members and reserves never called in hold no seat), sorted.
pub fn served(conn: &mut DbConn, panel_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(panel_members::table
        .filter(panel_members::panel_id.eq(panel_id))
        .filter(panel_members::seat.eq(true))
        .filter(panel_members::state.eq_any([member::ACCEPTED, member::SIGNED_IN]))
        .order(panel_members::expert_id.asc())
        .select(panel_members::expert_id)
        .load(conn)?)
}

/// Names of the experts who served (see [`served`]).
pub fn served_names(conn: &mut DbConn, panel_id: &str) -> Result<Vec<String>, StoreError> {
    let ids = served(conn, panel_id)?;
    let who = draws::identities(conn, &ids)?;
    ids.iter()
        .map(|id| {
            who.get(id)
                .map(|(name, _)| name.clone())
                .ok_or_else(|| StoreError::Corrupt(format!("member {id} has no record")))
        })
        .collect()
}

/// The revealed draws of a panel, its own first and then its supplementary
/// draws, oldest first: the draws a receipt is given for.
pub fn revealed_draws(conn: &mut DbConn, panel_id: &str) -> Result<Vec<String>, StoreError> {
    let mut ids: Vec<String> = vec![panel_id.to_owned()];
    ids.extend(
        draw_table::table
            .filter(draw_table::panel_id.eq(panel_id))
            .filter(draw_table::id.ne(panel_id))
            .filter(draw_table::result.is_not_null())
            .order((draw_table::created_at.asc(), draw_table::id.asc()))
            .select(draw_table::id)
            .load::<String>(conn)?,
    );
    Ok(ids)
}

/// Awards, most recent first (by award time, then panel id), after the
/// award `after` (the previous page's last) when given.
pub fn recent(
    conn: &mut DbConn,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<AwardRow>, StoreError> {
    let mut q = awards::table.into_boxed();
    if let Some((at, panel)) = after {
        q = q.filter(
            awards::awarded_at
                .lt(at)
                .or(awards::awarded_at.eq(at).and(awards::panel_id.lt(panel))),
        );
    }
    Ok(
        q.order((awards::awarded_at.desc(), awards::panel_id.desc()))
            .limit(limit)
            .load::<AwardRow>(conn)?,
    )
}
