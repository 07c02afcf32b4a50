//! Violations recorded against the baseline (违规记录) and the sanction
//! proposals point thresholds make (处理建议). A proposal is a reason to
//! open a case, never a sanction; each situation is proposed once (its key).
//! Entries name the expert, the violation and the proposal by id and code.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use expert_core::discipline::{
    Baseline, PointsTally, SanctionProposal, ViolationRecord, points_proposal, tally,
};
use expert_core::expert::{FieldError, Rule};
use serde_json::json;

use super::audit::AuditTx;
use super::{StoreError, db_time};
use crate::db::DbConn;
use crate::db::schema::{draws, experts, sanction_proposals, violations};

/// One violation as stored; its id is the `reference` of its
/// `ViolationRecord`.
#[derive(Debug, Clone, Queryable)]
pub struct ViolationRow {
    pub id: String,
    pub expert_id: String,
    pub draw_id: Option<String>,
    pub code: String,
    pub points: i32,
    pub occurred_on: NaiveDate,
    /// JSON array of evidence references.
    pub evidence: String,
    pub settled: bool,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

impl ViolationRow {
    pub fn evidence(&self) -> Result<Vec<String>, StoreError> {
        serde_json::from_str(&self.evidence)
            .map_err(|e| StoreError::Corrupt(format!("violation {}: evidence: {e}", self.id)))
    }

    pub fn record(&self) -> ViolationRecord {
        ViolationRecord {
            code: self.code.clone(),
            occurred_on: self.occurred_on,
            points: u32::try_from(self.points).unwrap_or(0),
            reference: self.id.clone(),
            settled: self.settled,
        }
    }
}

/// What recording a violation needs.
#[derive(Debug, Clone)]
pub struct NewViolation {
    pub code: String,
    pub occurred_on: NaiveDate,
    pub draw_id: Option<String>,
    pub evidence: Vec<String>,
}

/// One stored proposal.
#[derive(Debug, Clone, Queryable)]
pub struct ProposalRow {
    pub key: String,
    pub expert_id: String,
    pub as_of: NaiveDate,
    /// Canonical JSON of the [`SanctionProposal`].
    pub body: String,
    pub case_no: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

impl ProposalRow {
    pub fn proposal(&self) -> Result<SanctionProposal, StoreError> {
        serde_json::from_str(&self.body)
            .map_err(|e| StoreError::Corrupt(format!("proposal {}: {e}", self.key)))
    }
}

fn invalid(field: &str, rule: Rule, zh: &str, en: impl Into<String>) -> StoreError {
    StoreError::Invalid(vec![FieldError::new(field, rule, zh, en)])
}

fn canonical<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    let value = serde_json::to_value(value)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))?;
    draw_audit::jcs::canonical_string(&value)
        .map_err(|e| StoreError::Corrupt(format!("not canonical: {e}")))
}

fn next_violation_id(conn: &mut DbConn) -> Result<String, StoreError> {
    let n = super::next_in(conn, "violation")?;
    Ok(format!("V{n:07}"))
}

/// Every violation of an expert, oldest first.
pub fn of_expert(conn: &mut DbConn, expert_id: &str) -> Result<Vec<ViolationRow>, StoreError> {
    Ok(violations::table
        .filter(violations::expert_id.eq(expert_id))
        .order((violations::occurred_on.asc(), violations::id.asc()))
        .load(conn)?)
}

/// The expert's points in the cycle ending on `as_of`.
pub fn points(
    conn: &mut DbConn,
    expert_id: &str,
    baseline: &Baseline,
    as_of: NaiveDate,
) -> Result<PointsTally, StoreError> {
    let records: Vec<ViolationRecord> = of_expert(conn, expert_id)?
        .iter()
        .map(ViolationRow::record)
        .collect();
    Ok(tally(&records, baseline.cycle_months, as_of))
}

/// Record a violation of `expert_id` (`violation.record`), with the
/// baseline's points copied; then propose a sanction if a threshold is now
/// reached (see [`propose`]). Refused, writing nothing, for a code not in
/// the baseline, a future date, a draw that does not exist or no evidence.
pub fn record(
    tx: &mut AuditTx<'_>,
    actor: &str,
    expert_id: &str,
    input: &NewViolation,
    baseline: &Baseline,
    today: NaiveDate,
) -> Result<(ViolationRow, Option<ProposalRow>), StoreError> {
    let mut errors = Vec::new();
    if baseline.violation(&input.code).is_none() {
        errors.push(FieldError::new(
            "code",
            Rule::UnknownViolation,
            format!("裁量基准中没有违规代码“{}”", input.code),
            format!("no violation {} in the baseline", input.code),
        ));
    }
    if input.occurred_on > today {
        errors.push(FieldError::new(
            "occurred_on",
            Rule::OutOfRange,
            "违规日期不能晚于今天",
            format!("occurred_on {} is after today {today}", input.occurred_on),
        ));
    }
    if input.evidence.is_empty() {
        errors.push(FieldError::new(
            "evidence",
            Rule::Required,
            "须至少提供一项证据",
            "name at least one evidence reference",
        ));
    }
    for (i, e) in input.evidence.iter().enumerate() {
        let n = e.trim().chars().count();
        if n == 0 || n > 200 {
            errors.push(FieldError::new(
                format!("evidence/{i}"),
                Rule::InvalidLength,
                "证据编号须为1至200个字符",
                "an evidence reference is 1-200 characters",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    if let Some(draw_id) = &input.draw_id {
        let found: Option<String> = draws::table
            .find(draw_id)
            .select(draws::id)
            .first(tx.conn)
            .optional()?;
        if found.is_none() {
            return Err(invalid(
                "draw_id",
                Rule::UnknownReference,
                "没有该抽取",
                format!("draw {draw_id} does not exist"),
            ));
        }
    }
    let record = ViolationRecord::new(baseline, &input.code, input.occurred_on, "")
        .map_err(|e| StoreError::Invalid(vec![e.to_field_error("code")]))?;
    let id = next_violation_id(tx.conn)?;
    let now = db_time(tx.now());
    let evidence: Vec<String> = input.evidence.iter().map(|e| e.trim().to_owned()).collect();
    let row = ViolationRow {
        id: id.clone(),
        expert_id: expert_id.to_owned(),
        draw_id: input.draw_id.clone(),
        code: record.code.clone(),
        points: i32::try_from(record.points).unwrap_or(i32::MAX),
        occurred_on: input.occurred_on,
        evidence: serde_json::to_string(&evidence)
            .map_err(|e| StoreError::Corrupt(format!("cannot encode evidence: {e}")))?,
        settled: false,
        recorded_by: actor.to_owned(),
        recorded_at: now,
    };
    diesel::insert_into(violations::table)
        .values((
            violations::id.eq(&row.id),
            violations::expert_id.eq(&row.expert_id),
            violations::draw_id.eq(&row.draw_id),
            violations::code.eq(&row.code),
            violations::points.eq(row.points),
            violations::occurred_on.eq(row.occurred_on),
            violations::evidence.eq(&row.evidence),
            violations::settled.eq(false),
            violations::recorded_by.eq(actor),
            violations::recorded_at.eq(now),
        ))
        .execute(tx.conn)?;
    // Evidence references are free text: the entry counts them.
    tx.append(
        "violation.record",
        actor,
        Some(expert_id),
        json!({
            "violation_id": id,
            "expert_id": expert_id,
            "draw_id": input.draw_id,
            "code": row.code,
            "points": record.points,
            "occurred_on": input.occurred_on.to_string(),
            "evidence_count": evidence.len(),
        }),
    )?;
    let proposal = propose(tx, actor, expert_id, baseline, today)?;
    Ok((row, proposal))
}

/// The points-threshold proposal of `expert_id` as of `as_of`, stored with
/// its `proposal.create` entry when it is new; `None` when no threshold is
/// reached or this situation was proposed before.
pub fn propose(
    tx: &mut AuditTx<'_>,
    actor: &str,
    expert_id: &str,
    baseline: &Baseline,
    as_of: NaiveDate,
) -> Result<Option<ProposalRow>, StoreError> {
    let records: Vec<ViolationRecord> = of_expert(tx.conn, expert_id)?
        .iter()
        .map(ViolationRow::record)
        .collect();
    let Some(proposal) = points_proposal(expert_id, &records, baseline, as_of) else {
        return Ok(None);
    };
    store_proposal(tx, actor, &proposal)
}

/// Store `proposal` unless its key is known; `None` when it is.
pub fn store_proposal(
    tx: &mut AuditTx<'_>,
    actor: &str,
    proposal: &SanctionProposal,
) -> Result<Option<ProposalRow>, StoreError> {
    if get_proposal(tx.conn, &proposal.key)?.is_some() {
        return Ok(None);
    }
    let now = db_time(tx.now());
    let row = ProposalRow {
        key: proposal.key.clone(),
        expert_id: proposal.expert_id.clone(),
        as_of: proposal.as_of,
        body: canonical(proposal)?,
        case_no: None,
        created_by: actor.to_owned(),
        created_at: now,
    };
    diesel::insert_into(sanction_proposals::table)
        .values((
            sanction_proposals::key.eq(&row.key),
            sanction_proposals::expert_id.eq(&row.expert_id),
            sanction_proposals::as_of.eq(row.as_of),
            sanction_proposals::body.eq(&row.body),
            sanction_proposals::case_no.eq(None::<String>),
            sanction_proposals::created_by.eq(actor),
            sanction_proposals::created_at.eq(now),
        ))
        .execute(tx.conn)?;
    tx.append(
        "proposal.create",
        actor,
        Some(&proposal.expert_id),
        json!({
            "key": proposal.key,
            "expert_id": proposal.expert_id,
            "as_of": proposal.as_of.to_string(),
            "ground": proposal.ground,
            "proposed": proposal.proposed,
            "evidence": proposal.evidence,
        }),
    )?;
    Ok(Some(row))
}

pub fn get_proposal(conn: &mut DbConn, key: &str) -> Result<Option<ProposalRow>, StoreError> {
    Ok(sanction_proposals::table.find(key).first(conn).optional()?)
}

/// Proposals no case has been opened from, oldest first, with each
/// expert's region; `region` limits them to one region's experts.
pub fn open_proposals(
    conn: &mut DbConn,
    region: Option<&str>,
) -> Result<Vec<(ProposalRow, String)>, StoreError> {
    let rows: Vec<(ProposalRow, String)> = sanction_proposals::table
        .inner_join(experts::table.on(experts::id.eq(sanction_proposals::expert_id)))
        .filter(sanction_proposals::case_no.is_null())
        .order((
            sanction_proposals::created_at.asc(),
            sanction_proposals::key.asc(),
        ))
        .select((
            (
                sanction_proposals::key,
                sanction_proposals::expert_id,
                sanction_proposals::as_of,
                sanction_proposals::body,
                sanction_proposals::case_no,
                sanction_proposals::created_by,
                sanction_proposals::created_at,
            ),
            experts::region,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, r)| region.is_none_or(|want| want == r))
        .collect())
}

/// Mark a proposal as taken by case `case_no`; refused when a case was
/// opened from it already.
pub fn take_proposal(
    conn: &mut DbConn,
    key: &str,
    case_no: &str,
) -> Result<ProposalRow, StoreError> {
    let row = get_proposal(conn, key)?.ok_or_else(|| StoreError::NotFound {
        what: "proposal",
        id: key.to_owned(),
    })?;
    if let Some(taken) = &row.case_no {
        return Err(StoreError::Conflict {
            rule: "proposal_taken",
            message: format!("case {taken} was already opened from proposal {key}"),
        });
    }
    diesel::update(sanction_proposals::table.find(key))
        .set(sanction_proposals::case_no.eq(case_no))
        .execute(conn)?;
    Ok(row)
}

/// Mark violations as the basis of a decided threshold case: still counted,
/// never proposed again.
pub fn settle(conn: &mut DbConn, ids: &[String]) -> Result<usize, StoreError> {
    Ok(
        diesel::update(violations::table.filter(violations::id.eq_any(ids)))
            .set(violations::settled.eq(true))
            .execute(conn)?,
    )
}
