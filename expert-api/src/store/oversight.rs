//! What the oversight metrics read for a period (China days, both ends
//! included) and optionally one project region: seats of panels no longer
//! sealed, every draw, each panel's chances from its statement, declines
//! and sealed reads. The figures are `expert_core::oversight`.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use expert_core::oversight::{
    DeclineRecord, DrawRecord, PanelChances, PeriodRecords, SealedRead, SeatRecord,
};

use super::draws::{DrawRow, state};
use super::{StoreError, db_time, from_db_time, snapshot};
use crate::db::DbConn;
use crate::db::schema::{
    audit_entries, draws, expert_declines, experts, invitations, panel_members,
};
use crate::draws::filter::china_date;

/// A period of China days and the project region it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub from: NaiveDate,
    /// Included.
    pub to: NaiveDate,
    pub region: Option<String>,
}

impl Scope {
    /// `[from 00:00, to + 1 00:00)` in China time, as stored UTC.
    fn bounds(&self) -> (NaiveDateTime, NaiveDateTime) {
        let start = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default() - Duration::hours(8);
        (start(self.from), start(self.to + Duration::days(1)))
    }
}

/// Every record of the scope, read in one snapshot at `now`. A panel still
/// sealed at `now` is left out (its members are not known to supervisors
/// without a logged read); a committed draw whose window began without a
/// reveal counts as abandoned.
pub fn period_records(
    conn: &mut DbConn,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<PeriodRecords, StoreError> {
    snapshot(conn, |conn| read(conn, scope, now))
}

fn read(conn: &mut DbConn, scope: &Scope, now: DateTime<Utc>) -> Result<PeriodRecords, StoreError> {
    let (from, to) = scope.bounds();
    let now_db = db_time(now);
    let region = scope.region.clone();

    let mut q = draws::table
        .filter(draws::window_start.ge(from))
        .filter(draws::window_start.lt(to))
        .into_boxed();
    if let Some(r) = &region {
        q = q.filter(draws::region.eq(r.clone()));
    }
    let rows: Vec<DrawRow> = q
        .order(draws::id.asc())
        .select(DrawRow::as_select())
        .load(conn)?;
    let relaxed: BTreeSet<String> = audit_entries::table
        .filter(audit_entries::kind.eq("draw.approve_relaxation"))
        .filter(audit_entries::subject.is_not_null())
        .select(audit_entries::subject)
        .load::<Option<String>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    let mut out = PeriodRecords::default();
    for row in &rows {
        let shortfall = row
            .shortfall_list()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|g| g.get("missing").and_then(serde_json::Value::as_u64))
            .map(|m| u32::try_from(m).unwrap_or(u32::MAX))
            .sum();
        out.draws.push(DrawRecord {
            id: row.id.clone(),
            date: china_date(row.start()),
            project_region: row.region.clone(),
            shortfall,
            parent: row.parent.clone(),
            relaxation: relaxed.contains(&row.id),
            abandoned: row.state == state::COMMITTED && row.window_start <= now_db,
        });
        let unsealed = row.unsealed_at.is_some() || row.window_start <= now_db;
        if row.id == row.panel_id && row.result.is_some() && unsealed {
            out.chances.push(PanelChances::of(
                row.id.clone(),
                &*row.parsed_statement(conn)?,
            ));
        }
    }

    let mut q = panel_members::table
        .inner_join(draws::table.on(draws::id.eq(panel_members::panel_id)))
        .inner_join(experts::table.on(experts::id.eq(panel_members::expert_id)))
        .filter(panel_members::seat.eq(true))
        .filter(draws::window_start.ge(from))
        .filter(draws::window_start.lt(to))
        .filter(
            draws::unsealed_at
                .is_not_null()
                .or(draws::window_start.le(now_db)),
        )
        .select((
            panel_members::expert_id,
            experts::region,
            experts::employer_code,
            draws::region,
            draws::tenderer,
            panel_members::panel_id,
            draws::window_start,
        ))
        .into_boxed();
    if let Some(r) = &region {
        q = q.filter(draws::region.eq(r.clone()));
    }
    type SeatRow = (
        String,
        String,
        String,
        String,
        String,
        String,
        NaiveDateTime,
    );
    let seats: Vec<SeatRow> = q
        .order((
            panel_members::panel_id.asc(),
            panel_members::expert_id.asc(),
        ))
        .load(conn)?;
    out.seats = seats
        .into_iter()
        .map(
            |(expert, expert_region, employer, project_region, tenderer, panel, start)| {
                SeatRecord {
                    expert,
                    expert_region,
                    employer,
                    project_region,
                    tenderer,
                    panel,
                    date: china_date(from_db_time(start)),
                }
            },
        )
        .collect();

    let mut q = expert_declines::table
        .inner_join(invitations::table.on(invitations::id.eq(expert_declines::reference)))
        .inner_join(draws::table.on(draws::id.eq(invitations::panel_id)))
        .filter(expert_declines::declined_at.ge(from))
        .filter(expert_declines::declined_at.lt(to))
        .select((
            expert_declines::expert_id,
            expert_declines::reason,
            expert_declines::declined_at,
        ))
        .into_boxed();
    if let Some(r) = &region {
        q = q.filter(draws::region.eq(r.clone()));
    }
    let declines: Vec<(String, String, NaiveDateTime)> = q
        .order((
            expert_declines::declined_at.asc(),
            expert_declines::expert_id.asc(),
        ))
        .load(conn)?;
    out.declines = declines
        .into_iter()
        .map(|(expert, reason, at)| DeclineRecord {
            expert,
            reason,
            date: china_date(from_db_time(at)),
        })
        .collect();

    let mut q = audit_entries::table
        .inner_join(draws::table.on(audit_entries::subject.eq(draws::id.nullable())))
        .filter(audit_entries::kind.eq("panel.view"))
        .filter(audit_entries::time.ge(from))
        .filter(audit_entries::time.lt(to))
        .select((audit_entries::actor, audit_entries::time))
        .into_boxed();
    if let Some(r) = &region {
        q = q.filter(draws::region.eq(r.clone()));
    }
    let reads: Vec<(String, NaiveDateTime)> = q.order(audit_entries::seq.asc()).load(conn)?;
    out.sealed_reads = reads
        .into_iter()
        .map(|(actor, at)| SealedRead {
            actor,
            date: china_date(from_db_time(at)),
        })
        .collect();

    if region.is_none() {
        let pool: i64 = experts::table
            .filter(experts::status.eq_any(["active", "on_leave"]))
            .count()
            .get_result(conn)?;
        out.pool_size = u32::try_from(pool).ok();
    }
    Ok(out)
}

/// A sanction decided in the period (a case's `decide` step).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DecidedSanction {
    pub case_no: String,
    pub expert_id: String,
    pub decided_on: Option<NaiveDate>,
    /// The decision's outcome as canonical JSON.
    pub outcome: String,
    /// The case's stage now.
    pub stage: String,
}

/// Sanctions decided in the scope (recorded in the period), of experts of
/// the region when one is given.
pub fn decided_sanctions(
    conn: &mut DbConn,
    scope: &Scope,
) -> Result<Vec<DecidedSanction>, StoreError> {
    use crate::db::schema::{case_events, cases};
    let (from, to) = scope.bounds();
    let mut q = case_events::table
        .inner_join(cases::table.on(cases::case_no.eq(case_events::case_no)))
        .inner_join(experts::table.on(experts::id.eq(cases::expert_id)))
        .filter(case_events::kind.eq("decide"))
        .filter(case_events::recorded_at.ge(from))
        .filter(case_events::recorded_at.lt(to))
        .select((
            case_events::case_no,
            cases::expert_id,
            case_events::body,
            cases::stage,
        ))
        .into_boxed();
    if let Some(r) = &scope.region {
        q = q.filter(experts::region.eq(r.clone()));
    }
    let rows: Vec<(String, String, String, String)> = q
        .order((case_events::recorded_at.asc(), case_events::case_no.asc()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(case_no, expert_id, body, stage)| {
            let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            let event = body.get("event").cloned().unwrap_or_default();
            DecidedSanction {
                case_no,
                expert_id,
                decided_on: event
                    .get("decided_on")
                    .and_then(serde_json::Value::as_str)
                    .and_then(|d| d.parse().ok()),
                outcome: event
                    .get("outcome")
                    .map(serde_json::Value::to_string)
                    .unwrap_or_default(),
                stage,
            }
        })
        .collect())
}

/// The last checkpoint kept before the end of the period: `(size, note)`.
pub fn checkpoint_at_end(
    conn: &mut DbConn,
    scope: &Scope,
) -> Result<Option<(u64, String)>, StoreError> {
    use crate::db::schema::checkpoints;
    let (_, to) = scope.bounds();
    let row: Option<(i64, String)> = checkpoints::table
        .filter(checkpoints::time.lt(to))
        .order(checkpoints::size.desc())
        .select((checkpoints::size, checkpoints::note))
        .first(conn)
        .optional()?;
    Ok(row.map(|(size, note)| (u64::try_from(size).unwrap_or(0), note)))
}
