//! Evaluation results of awarded panels (评标结果), versioned: the operator
//! uploads them after the award, expert-core checks them against the
//! members who served, and each upload is a new version with its
//! `evaluation.results` entry. A version is never changed; the public sees
//! the latest.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use expert_core::evaluation::{self, EvaluationResults, Outcome};
use serde_json::json;

use super::audit::AuditTx;
use super::{StoreError, awards, db_time};
use crate::db::DbConn;
use crate::db::schema::evaluation_results;

/// One stored version.
#[derive(Debug, Clone, Queryable)]
pub struct ResultsRow {
    pub panel_id: String,
    pub version: i32,
    /// Canonical JSON of the checked [`EvaluationResults`].
    pub body: String,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

impl ResultsRow {
    pub fn results(&self) -> Result<EvaluationResults, StoreError> {
        serde_json::from_str(&self.body).map_err(|e| {
            StoreError::Corrupt(format!(
                "evaluation results of {} v{}: {e}",
                self.panel_id, self.version
            ))
        })
    }
}

/// Every version of a panel's results, oldest first.
pub fn versions(conn: &mut DbConn, panel_id: &str) -> Result<Vec<ResultsRow>, StoreError> {
    Ok(evaluation_results::table
        .filter(evaluation_results::panel_id.eq(panel_id))
        .order(evaluation_results::version.asc())
        .load(conn)?)
}

/// The latest version of a panel's results, if any was uploaded.
pub fn latest(conn: &mut DbConn, panel_id: &str) -> Result<Option<ResultsRow>, StoreError> {
    Ok(evaluation_results::table
        .filter(evaluation_results::panel_id.eq(panel_id))
        .order(evaluation_results::version.desc())
        .first(conn)
        .optional()?)
}

/// What an upload did.
#[derive(Debug)]
pub enum Uploaded {
    New(ResultsRow, Outcome),
    /// The same results as the latest version: nothing written.
    Same(ResultsRow, Outcome),
}

/// Check `results` against the awarded panel `panel_id` and store them as
/// its next version. Refused, writing nothing, before the award or when
/// any rule fails (every failure named).
pub fn upload(
    tx: &mut AuditTx<'_>,
    actor: &str,
    panel_id: &str,
    results: &EvaluationResults,
    note: Option<&str>,
) -> Result<Uploaded, StoreError> {
    if awards::of_panel(tx.conn, panel_id)?.is_none() {
        return Err(StoreError::Conflict {
            rule: "not_awarded",
            message: format!(
                "the panel of draw {panel_id} is not awarded; evaluation results are published after the award"
            ),
        });
    }
    let served = awards::served(tx.conn, panel_id)?;
    // Fields are named as in the request body, under `results`.
    let outcome = evaluation::check(results, &served).map_err(|errors| {
        StoreError::Invalid(errors.into_iter().map(|e| e.nested_in("results")).collect())
    })?;
    let value = serde_json::to_value(results)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode evaluation results: {e}")))?;
    let body = draw_audit::jcs::canonical_string(&value)
        .map_err(|e| StoreError::Corrupt(format!("evaluation results are not canonical: {e}")))?;
    let previous = latest(tx.conn, panel_id)?;
    if let Some(prev) = previous.as_ref().filter(|p| p.body == body) {
        return Ok(Uploaded::Same(prev.clone(), outcome));
    }
    let version = previous.map_or(1, |p| p.version + 1);
    let now = db_time(tx.now());
    diesel::insert_into(evaluation_results::table)
        .values((
            evaluation_results::panel_id.eq(panel_id),
            evaluation_results::version.eq(version),
            evaluation_results::body.eq(&body),
            evaluation_results::note.eq(note),
            evaluation_results::recorded_by.eq(actor),
            evaluation_results::recorded_at.eq(now),
        ))
        .execute(tx.conn)?;
    // Bidders are companies and members appear by id: no personal data.
    tx.append(
        "evaluation.results",
        actor,
        Some(panel_id),
        json!({"draw_id": panel_id, "version": version, "note": note, "results": value}),
    )?;
    Ok(Uploaded::New(
        ResultsRow {
            panel_id: panel_id.to_owned(),
            version,
            body,
            note: note.map(str::to_owned),
            recorded_by: actor.to_owned(),
            recorded_at: now,
        },
        outcome,
    ))
}
