//! Per-bid assessment (一标一评) records: the tenderer's representative's
//! one-time rating links, and the sheets, each checked by
//! `expert_core::discipline::validate_sheet` and stored as the next version
//! with its `panel.assessment` entry. A version is never changed.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use expert_core::discipline::{
    AssessedOn, AssessmentConfig, AssessmentSheet, Rater, RaterRole, SheetContext, WorkCalendar,
    validate_sheet,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::audit::AuditTx;
use super::draws::DrawRow;
use super::{StoreError, awards, db_time};
use crate::db::DbConn;
use crate::db::schema::{assessment_links, assessment_sheets};
use crate::draws::filter::china_date;

/// The day a panel's evaluation is assessed for: the China day it ended.
pub fn evaluation_on(draw: &DrawRow) -> NaiveDate {
    china_date(draw.end())
}

/// The last day a sheet is accepted, `None` if the calendar finds none.
pub fn deadline(
    draw: &DrawRow,
    config: &AssessmentConfig,
    calendar: &WorkCalendar,
) -> Option<NaiveDate> {
    config.deadline(evaluation_on(draw), calendar)
}

/// The end of a China day as a UTC instant (the next day's 00:00 at UTC+8).
pub fn end_of_china_day(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day
        .succ_opt()
        .unwrap_or(day)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    DateTime::from_naive_utc_and_offset(midnight, Utc) - Duration::hours(8)
}

// --- rating links -------------------------------------------------------

/// A rating link as stored (the token itself is never kept).
#[derive(Debug, Clone, Queryable)]
pub struct LinkRow {
    pub id: String,
    pub token_hash: Vec<u8>,
    pub panel_id: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

impl LinkRow {
    /// The rater this link makes its holder.
    pub fn rater(&self) -> Rater {
        Rater {
            role: RaterRole::TendererRepresentative,
            rater_id: self.id.clone(),
        }
    }

    pub fn live_at(&self, now: DateTime<Utc>) -> bool {
        now < super::from_db_time(self.expires_at)
    }
}

/// A link just issued: the row and the secret token, shown once.
pub struct IssuedLink {
    pub row: LinkRow,
    pub token: String,
}

impl std::fmt::Debug for IssuedLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedLink")
            .field("row", &self.row)
            .field("token", &"[redacted]")
            .finish()
    }
}

fn random_id(prefix: &str) -> Result<String, StoreError> {
    let raw = crate::auth::random_bytes::<8>().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(format!("{prefix}{}", hex::encode(raw)))
}

/// Issue a rating link for panel `panel` valid until `expires_at`; logged
/// as `panel.rating_link` with the link's id (never the token).
pub fn issue_link(
    tx: &mut AuditTx<'_>,
    actor: &str,
    panel: &DrawRow,
    expires_at: DateTime<Utc>,
) -> Result<IssuedLink, StoreError> {
    use base64::Engine;
    let raw = crate::auth::random_bytes::<32>().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let token = format!(
        "a_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    );
    let row = LinkRow {
        id: random_id("L")?,
        token_hash: Sha256::digest(token.as_bytes()).to_vec(),
        panel_id: panel.id.clone(),
        created_by: actor.to_owned(),
        created_at: db_time(tx.now()),
        expires_at: db_time(expires_at),
    };
    diesel::insert_into(assessment_links::table)
        .values((
            assessment_links::id.eq(&row.id),
            assessment_links::token_hash.eq(&row.token_hash),
            assessment_links::panel_id.eq(&row.panel_id),
            assessment_links::created_by.eq(&row.created_by),
            assessment_links::created_at.eq(row.created_at),
            assessment_links::expires_at.eq(row.expires_at),
        ))
        .execute(tx.conn)?;
    tx.append(
        "panel.rating_link",
        actor,
        Some(&panel.id),
        json!({
            "draw_id": panel.id,
            "link_id": row.id,
            "role": RaterRole::TendererRepresentative.as_str(),
            "expires_at": expires_at.timestamp(),
        }),
    )?;
    Ok(IssuedLink { row, token })
}

pub fn link_by_token(conn: &mut DbConn, token: &str) -> Result<Option<LinkRow>, StoreError> {
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    Ok(assessment_links::table
        .filter(assessment_links::token_hash.eq(hash))
        .first::<LinkRow>(conn)
        .optional()?)
}

/// The rating links issued for a panel, oldest first.
pub fn links(conn: &mut DbConn, panel_id: &str) -> Result<Vec<LinkRow>, StoreError> {
    Ok(assessment_links::table
        .filter(assessment_links::panel_id.eq(panel_id))
        .order((
            assessment_links::created_at.asc(),
            assessment_links::id.asc(),
        ))
        .load(conn)?)
}

// --- sheets --------------------------------------------------------------

/// One stored version of a sheet.
#[derive(Debug, Clone, Queryable)]
pub struct SheetRow {
    pub draw_id: String,
    pub expert_id: String,
    pub rater_role: String,
    pub rater_id: String,
    pub version: i32,
    /// Canonical JSON of the checked [`AssessmentSheet`].
    pub body: String,
    pub total: i32,
    pub percent: i32,
    pub evaluation_on: NaiveDate,
    pub submitted_on: NaiveDate,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

impl SheetRow {
    pub fn sheet(&self) -> Result<AssessmentSheet, StoreError> {
        serde_json::from_str(&self.body).map_err(|e| {
            StoreError::Corrupt(format!(
                "assessment sheet of {} for {} by {} v{}: {e}",
                self.draw_id, self.expert_id, self.rater_id, self.version
            ))
        })
    }
}

/// Every version of every sheet of a panel, by expert, rater, version.
pub fn sheets(conn: &mut DbConn, draw_id: &str) -> Result<Vec<SheetRow>, StoreError> {
    Ok(assessment_sheets::table
        .filter(assessment_sheets::draw_id.eq(draw_id))
        .order((
            assessment_sheets::expert_id.asc(),
            assessment_sheets::rater_role.asc(),
            assessment_sheets::rater_id.asc(),
            assessment_sheets::version.asc(),
        ))
        .load(conn)?)
}

/// The versions of one sheet, oldest first.
fn history(
    conn: &mut DbConn,
    draw_id: &str,
    expert_id: &str,
    rater: &Rater,
) -> Result<Vec<AssessmentSheet>, StoreError> {
    let rows: Vec<SheetRow> = assessment_sheets::table
        .filter(assessment_sheets::draw_id.eq(draw_id))
        .filter(assessment_sheets::expert_id.eq(expert_id))
        .filter(assessment_sheets::rater_role.eq(rater.role.as_str()))
        .filter(assessment_sheets::rater_id.eq(&rater.rater_id))
        .order(assessment_sheets::version.asc())
        .load(conn)?;
    rows.iter().map(SheetRow::sheet).collect()
}

/// What a submission is checked against besides the sheet.
#[derive(Debug)]
pub struct Rules<'a> {
    pub config: &'a AssessmentConfig,
    pub calendar: &'a WorkCalendar,
    /// The raters entitled to score this panel now.
    pub entitled: &'a [Rater],
    /// Today in China.
    pub today: NaiveDate,
}

/// Check `sheet` for panel `panel` and store it as the next version of its
/// sheet. Refused, writing nothing, when any rule fails (every failure
/// named, fields as in the request body). The panel is the members who
/// served; the history is read under the log lock, so two submissions of
/// the same version cannot both pass.
pub fn submit(
    tx: &mut AuditTx<'_>,
    actor: &str,
    panel: &DrawRow,
    sheet: &AssessmentSheet,
    rules: &Rules<'_>,
) -> Result<SheetRow, StoreError> {
    let served = awards::served(tx.conn, &panel.id)?;
    let history = history(tx.conn, &panel.id, &sheet.expert_id, &sheet.rater)?;
    let evaluation_on = evaluation_on(panel);
    let ctx = SheetContext {
        evaluation_on,
        panel: &served,
        entitled: rules.entitled,
        history: &history,
    };
    let errors = validate_sheet(sheet, rules.config, &ctx, rules.calendar, rules.today);
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let value = serde_json::to_value(sheet)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode an assessment sheet: {e}")))?;
    let body = draw_audit::jcs::canonical_string(&value)
        .map_err(|e| StoreError::Corrupt(format!("assessment sheet is not canonical: {e}")))?;
    let to_i32 = |n: u32, what: &str| {
        i32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} {n} out of range")))
    };
    let row = SheetRow {
        draw_id: panel.id.clone(),
        expert_id: sheet.expert_id.clone(),
        rater_role: sheet.rater.role.as_str().to_owned(),
        rater_id: sheet.rater.rater_id.clone(),
        version: to_i32(sheet.version, "version")?,
        total: to_i32(sheet.total(), "total")?,
        percent: to_i32(sheet.percent(rules.config).unwrap_or(0), "percent")?,
        body,
        evaluation_on,
        submitted_on: sheet.submitted_on,
        recorded_by: actor.to_owned(),
        recorded_at: db_time(tx.now()),
    };
    diesel::insert_into(assessment_sheets::table)
        .values((
            assessment_sheets::draw_id.eq(&row.draw_id),
            assessment_sheets::expert_id.eq(&row.expert_id),
            assessment_sheets::rater_role.eq(&row.rater_role),
            assessment_sheets::rater_id.eq(&row.rater_id),
            assessment_sheets::version.eq(row.version),
            assessment_sheets::body.eq(&row.body),
            assessment_sheets::total.eq(row.total),
            assessment_sheets::percent.eq(row.percent),
            assessment_sheets::evaluation_on.eq(row.evaluation_on),
            assessment_sheets::submitted_on.eq(row.submitted_on),
            assessment_sheets::recorded_by.eq(&row.recorded_by),
            assessment_sheets::recorded_at.eq(row.recorded_at),
        ))
        .execute(tx.conn)?;
    // Ids, codes and numbers only: the comment and the reason are free
    // text and may name people, so the entry commits to them by the
    // sheet's hash instead.
    tx.append(
        "panel.assessment",
        actor,
        Some(&panel.id),
        json!({
            "draw_id": row.draw_id,
            "expert_id": row.expert_id,
            "rater_role": row.rater_role,
            "rater_id": row.rater_id,
            "version": row.version,
            "scores": sheet.scores,
            "total": row.total,
            "sheet_sha256": hex::encode(Sha256::digest(row.body.as_bytes())),
        }),
    )?;
    Ok(row)
}

/// Each expert's effective assessments (the latest version of every sheet)
/// for evaluations on days in `[from, to]`, as the credit score reads them.
pub fn assessed(
    conn: &mut DbConn,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<String, Vec<AssessedOn>>, StoreError> {
    let rows: Vec<(String, String, String, String, i32, i32, NaiveDate)> = assessment_sheets::table
        .filter(assessment_sheets::evaluation_on.ge(from))
        .filter(assessment_sheets::evaluation_on.le(to))
        .select((
            assessment_sheets::draw_id,
            assessment_sheets::expert_id,
            assessment_sheets::rater_role,
            assessment_sheets::rater_id,
            assessment_sheets::version,
            assessment_sheets::percent,
            assessment_sheets::evaluation_on,
        ))
        .load(conn)?;
    // The latest version per sheet: (version, percent, day) by key.
    type Key = (String, String, String, String);
    let mut latest: BTreeMap<Key, (i32, i32, NaiveDate)> = BTreeMap::new();
    for (draw, expert, role, rater, version, percent, on) in rows {
        let slot = latest
            .entry((draw, expert, role, rater))
            .or_insert((version, percent, on));
        if version > slot.0 {
            *slot = (version, percent, on);
        }
    }
    let mut out: HashMap<String, Vec<AssessedOn>> = HashMap::new();
    for ((_, expert, _, _), (_, percent, on)) in latest {
        out.entry(expert).or_default().push(AssessedOn {
            evaluation_on: on,
            percent: u32::try_from(percent).unwrap_or(0),
        });
    }
    Ok(out)
}
