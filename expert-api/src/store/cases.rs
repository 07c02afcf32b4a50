//! Sanction cases (处理案件) with due process: opened by a regulator or
//! from a proposal, moved one event at a time by `expert_core::discipline`
//! (`Case::open`, `apply`), each step stored with the whole case as
//! canonical JSON, its history row and one `case.<event>` entry. Taking
//! effect changes the expert's status in the same transaction; a review
//! that varies or revokes the decision puts the status back
//! (`effect::after_review`). Employer letters are generated from the
//! policy's template and kept here, never in the log (they name the expert).
//!
//! Entries carry ids, codes and dates only; free text (facts, reasons,
//! statements, references) is committed to by the SHA-256 of the event.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use expert_core::discipline::case::{
    CaseOrigin, EmployerLetter, LetterError, LetterParties, OpenCase, ReviewOutcome,
    employer_letter,
};
use expert_core::discipline::{
    Case, CaseContext, CaseError, CaseEvent, DisciplinePolicy, Ground, Stage, after_review, apply,
    sanction_command,
};
use expert_core::lifecycle::Status;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::audit::AuditTx;
use super::experts::{self, ExpertRecord};
use super::violations;
use super::{StoreError, db_time};
use crate::db::DbConn;
use crate::db::schema::{case_events, cases, employer_letters, experts as experts_t};

/// Why a case step was refused: the store's reasons, or the domain's.
#[derive(Debug, thiserror::Error)]
pub enum CaseFailure {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Case(#[from] CaseError),
    #[error("{0}")]
    Letter(#[from] LetterError),
}

impl From<diesel::result::Error> for CaseFailure {
    fn from(e: diesel::result::Error) -> Self {
        CaseFailure::Store(StoreError::Db(e))
    }
}

/// One case as stored.
#[derive(Debug, Clone, Queryable)]
pub struct CaseRow {
    pub case_no: String,
    pub expert_id: String,
    pub stage: String,
    /// Canonical JSON of the [`Case`].
    pub body: String,
    pub opened_on: NaiveDate,
    pub published_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl CaseRow {
    pub fn case(&self) -> Result<Case, StoreError> {
        serde_json::from_str(&self.body)
            .map_err(|e| StoreError::Corrupt(format!("case {}: {e}", self.case_no)))
    }
}

/// One step of a case's history.
#[derive(Debug, Clone, Queryable)]
pub struct EventRow {
    pub case_no: String,
    pub position: i32,
    pub kind: String,
    /// `{"event": …, "status_before": …}`: the event as applied and, for
    /// `take_effect`, the expert's status before it.
    pub body: String,
    /// The stage after the event.
    pub stage: String,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// A generated employer letter and its delivery.
#[derive(Debug, Clone, Queryable)]
pub struct LetterRow {
    pub case_no: String,
    pub recipient: String,
    pub title: String,
    pub text: String,
    pub text_sha256: String,
    pub issued_on: NaiveDate,
    pub generated_by: String,
    pub generated_at: NaiveDateTime,
    pub delivered_on: Option<NaiveDate>,
    pub channel: Option<String>,
    pub reference: Option<String>,
}

/// How a case is opened.
#[derive(Debug, Clone)]
pub enum Opening {
    /// From a stored proposal, by its key.
    Proposal { key: String },
    /// By a regulator (the officer's token id) directly, with the grounds
    /// and a summary.
    Direct {
        officer_id: String,
        grounds: Vec<Ground>,
        summary: String,
    },
}

fn canonical(value: &Value) -> Result<String, StoreError> {
    draw_audit::jcs::canonical_string(value)
        .map_err(|e| StoreError::Corrupt(format!("not canonical: {e}")))
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, StoreError> {
    serde_json::to_value(v).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn next_case_no(conn: &mut DbConn, year: i32) -> Result<String, StoreError> {
    let n = super::next_in(conn, &format!("case-{year}"))?;
    Ok(format!("CF-{year:04}-{n:06}"))
}

pub fn get(conn: &mut DbConn, case_no: &str) -> Result<CaseRow, StoreError> {
    cases::table
        .find(case_no)
        .first::<CaseRow>(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "case",
            id: case_no.to_owned(),
        })
}

/// The cases of one expert, oldest first.
pub fn of_expert(conn: &mut DbConn, expert_id: &str) -> Result<Vec<CaseRow>, StoreError> {
    Ok(cases::table
        .filter(cases::expert_id.eq(expert_id))
        .order(cases::case_no.asc())
        .load(conn)?)
}

/// Cases in number order after `after`, at most `limit`: of one stage
/// when given, of experts of `region` when given.
pub fn list(
    conn: &mut DbConn,
    region: Option<&str>,
    stage: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<CaseRow>, StoreError> {
    let mut q = cases::table
        .inner_join(experts_t::table.on(experts_t::id.eq(cases::expert_id)))
        .select(cases::all_columns)
        .into_boxed();
    if let Some(r) = region {
        q = q.filter(experts_t::region.eq(r.to_owned()));
    }
    if let Some(st) = stage {
        q = q.filter(cases::stage.eq(st.to_owned()));
    }
    if let Some(a) = after {
        q = q.filter(cases::case_no.gt(a.to_owned()));
    }
    Ok(q.order(cases::case_no.asc()).limit(limit).load(conn)?)
}

/// A case's history, in order.
pub fn history(conn: &mut DbConn, case_no: &str) -> Result<Vec<EventRow>, StoreError> {
    Ok(case_events::table
        .filter(case_events::case_no.eq(case_no))
        .order(case_events::position.asc())
        .load(conn)?)
}

pub fn letter(conn: &mut DbConn, case_no: &str) -> Result<Option<LetterRow>, StoreError> {
    Ok(employer_letters::table
        .find(case_no)
        .first(conn)
        .optional()?)
}

fn push_event(
    tx: &mut AuditTx<'_>,
    actor: &str,
    case_no: &str,
    kind: &str,
    body: &Value,
    stage: Stage,
) -> Result<(), StoreError> {
    let position: Option<i32> = case_events::table
        .filter(case_events::case_no.eq(case_no))
        .select(diesel::dsl::max(case_events::position))
        .first(tx.conn)?;
    diesel::insert_into(case_events::table)
        .values((
            case_events::case_no.eq(case_no),
            case_events::position.eq(position.map_or(0, |p| p + 1)),
            case_events::kind.eq(kind),
            case_events::body.eq(canonical(body)?),
            case_events::stage.eq(stage.as_str()),
            case_events::recorded_by.eq(actor),
            case_events::recorded_at.eq(db_time(tx.now())),
        ))
        .execute(tx.conn)?;
    Ok(())
}

/// Open a case against `expert`: from a proposal (which is then taken) or
/// directly on grounds of the baseline. Numbered `CF-<year>-<n>` in the
/// year of `today`; logged as `case.open`.
pub fn open(
    tx: &mut AuditTx<'_>,
    actor: &str,
    expert: &ExpertRecord,
    opening: Opening,
    opened_on: NaiveDate,
    policy: &DisciplinePolicy,
    today: NaiveDate,
) -> Result<CaseRow, CaseFailure> {
    let case_no = next_case_no(tx.conn, today.year())?;
    let civil_servant = expert.profile.civil_servant;
    let req = match opening {
        Opening::Proposal { key } => {
            let row = violations::take_proposal(tx.conn, &key, &case_no)?;
            if row.expert_id != expert.id {
                return Err(
                    StoreError::Invalid(vec![expert_core::expert::FieldError::new(
                        "proposal",
                        expert_core::expert::Rule::UnknownReference,
                        "该处理建议不是针对此专家的",
                        format!("proposal {key} is not about expert {}", expert.id),
                    )])
                    .into(),
                );
            }
            OpenCase::from_proposal(&row.proposal()?, case_no.clone(), civil_servant, opened_on)
        }
        Opening::Direct {
            officer_id,
            grounds,
            summary,
        } => OpenCase {
            case_no: case_no.clone(),
            expert_id: expert.id.clone(),
            civil_servant,
            origin: CaseOrigin::Regulator { officer_id },
            grounds,
            opened_on,
            summary,
        },
    };
    let case = Case::open(req.clone(), &policy.baseline, today)?;
    let body = canonical(&to_value(&case)?)?;
    let now = db_time(tx.now());
    diesel::insert_into(cases::table)
        .values((
            cases::case_no.eq(&case_no),
            cases::expert_id.eq(&expert.id),
            cases::stage.eq(case.stage.as_str()),
            cases::body.eq(&body),
            cases::opened_on.eq(case.opened_on),
            cases::published_on.eq(None::<NaiveDate>),
            cases::created_at.eq(now),
            cases::updated_at.eq(now),
            cases::version.eq(1_i64),
        ))
        .execute(tx.conn)?;
    push_event(
        tx,
        actor,
        &case_no,
        "open",
        &json!({"event": to_value(&req)?, "status_before": null}),
        case.stage,
    )?;
    tx.append(
        "case.open",
        actor,
        Some(&expert.id),
        json!({
            "case_no": case_no,
            "expert_id": expert.id,
            "origin": case.origin,
            "grounds": case.grounds,
            "opened_on": case.opened_on.to_string(),
            "civil_servant": civil_servant,
            "stage": case.stage.as_str(),
            "summary_sha256": sha256_hex(&case.summary),
        }),
    )?;
    Ok(get(tx.conn, &case_no)?)
}

/// What an event puts in the log: dates and codes, never free text.
fn event_codes(event: &CaseEvent) -> Result<Value, StoreError> {
    Ok(match event {
        CaseEvent::ServeNotice {
            served_on,
            evidence,
            legal_basis,
            proposed,
            ..
        } => json!({
            "served_on": served_on.to_string(),
            "proposed": to_value(proposed)?,
            "evidence_count": evidence.len(),
            "legal_basis_count": legal_basis.len(),
        }),
        CaseEvent::ReceiveStatement { received_on, .. } => {
            json!({"received_on": received_on.to_string()})
        }
        CaseEvent::WaiveDefence { on, .. }
        | CaseEvent::RequestHearing { on }
        | CaseEvent::HoldHearing { on, .. }
        | CaseEvent::WaiveHearing { on, .. }
        | CaseEvent::TakeEffect { on }
        | CaseEvent::PublishNotice { on, .. }
        | CaseEvent::DeliverEmployerLetter { on, .. }
        | CaseEvent::Close { on }
        | CaseEvent::Withdraw { on, .. } => json!({"on": on.to_string()}),
        CaseEvent::Decide {
            decided_on,
            outcome,
            found,
            effective_on,
            ..
        } => json!({
            "decided_on": decided_on.to_string(),
            "outcome": to_value(outcome)?,
            "found": to_value(found)?,
            "effective_on": effective_on.to_string(),
        }),
        CaseEvent::FileReview { kind, filed_on, .. } => {
            json!({"kind": kind.as_str(), "filed_on": filed_on.to_string()})
        }
        CaseEvent::ResolveReview { on, outcome, .. } => {
            json!({"on": on.to_string(), "outcome": to_value(outcome)?})
        }
    })
}

/// Apply one event to case `case_no` under `policy` on `today`: the domain
/// decides, then the case, its history row and its `case.<event>` entry are
/// written, with what the step does beside the case:
/// - `decide` of a points-threshold case from a proposal settles the
///   violations behind it;
/// - `take_effect` applies the standing sanction to the expert's status
///   (`expert.suspend` / `expert.remove` with the ban), so the draw filter
///   excludes them from then on; a warning changes no status;
/// - `publish_notice` makes the case public (`published_on`);
/// - `deliver_employer_letter` needs the letter generated first and records
///   its delivery on it;
/// - `resolve_review` that varies or revokes a decision in effect puts the
///   status back through `effect::after_review`.
pub fn apply_event(
    tx: &mut AuditTx<'_>,
    actor: &str,
    case_no: &str,
    event: &CaseEvent,
    policy: &DisciplinePolicy,
    today: NaiveDate,
) -> Result<CaseRow, CaseFailure> {
    let row = get(tx.conn, case_no)?;
    let case = row.case()?;
    let ctx = CaseContext {
        baseline: &policy.baseline,
        due_process: &policy.due_process,
        calendar: &policy.calendar,
        today,
    };
    if let CaseEvent::DeliverEmployerLetter { .. } = event
        && case.civil_servant
        && letter(tx.conn, case_no)?.is_none()
    {
        return Err(StoreError::Conflict {
            rule: "letter_not_generated",
            message: format!(
                "generate the employer letter of case {case_no} before recording its delivery"
            ),
        }
        .into());
    }
    let next = apply(&case, event, &ctx)?;
    let expert_id = case.expert_id.clone();
    let mut status_before: Option<Status> = None;
    let mut status_change: Option<(String, String)> = None;

    match event {
        CaseEvent::Decide { .. } => {
            if let CaseOrigin::Proposal { key } = &case.origin
                && case
                    .grounds
                    .iter()
                    .any(|g| matches!(g, Ground::PointsThreshold { .. }))
                && let Some(p) = violations::get_proposal(tx.conn, key)?
            {
                violations::settle(tx.conn, &p.proposal()?.evidence)?;
            }
        }
        CaseEvent::DeliverEmployerLetter {
            on,
            channel,
            reference,
        } => {
            diesel::update(employer_letters::table.find(case_no))
                .set((
                    employer_letters::delivered_on.eq(Some(*on)),
                    employer_letters::channel.eq(Some(channel.trim())),
                    employer_letters::reference.eq(Some(reference.trim())),
                ))
                .execute(tx.conn)?;
        }
        _ => {}
    }

    // The case entry first, then any change of the expert's row.
    let mut data = json!({
        "case_no": case_no,
        "expert_id": expert_id,
        "from": case.stage.as_str(),
        "to": next.stage.as_str(),
        "event": event_codes(event)?,
        "event_sha256": sha256_hex(&canonical(&to_value(event)?)?),
    });
    let kind = format!("case.{}", event.kind().as_str());

    match event {
        CaseEvent::TakeEffect { .. } => {
            let record = experts::get(tx.conn, &expert_id)?;
            status_before = Some(record.status.clone());
            let sanction = next.standing_sanction();
            let decision = next.decision.as_ref();
            if let (Some(sanction), Some(decision)) = (sanction, decision) {
                let reason = expert_core::discipline::effect::status_reason(&next, &sanction);
                let cmd =
                    sanction_command(&sanction, decision.effective_on, &reason).map_err(|e| {
                        StoreError::Conflict {
                            rule: e.code(),
                            message: e.to_string(),
                        }
                    })?;
                tx.append(&kind, actor, Some(&expert_id), data.clone())?;
                if let Some(cmd) = cmd {
                    experts::command(
                        tx,
                        actor,
                        &expert_id,
                        &cmd,
                        today,
                        None,
                        Some(json!({"case_no": case_no})),
                    )?;
                }
                return finish(tx, actor, &row, &next, event, status_before);
            }
        }
        CaseEvent::ResolveReview { outcome, .. }
            if next.took_effect_on.is_some() && !matches!(outcome, ReviewOutcome::Upheld) =>
        {
            let record = experts::get(tx.conn, &expert_id)?;
            let before = status_before_effect(tx.conn, case_no)?;
            let restored = after_review(&next, &before, &record.status, today).map_err(|e| {
                StoreError::Conflict {
                    rule: e.code(),
                    message: e.to_string(),
                }
            })?;
            if let Some(status) = restored {
                // A revoked or lightened removal lifts the ban it recorded.
                if matches!(record.status, Status::Removed { .. })
                    && !matches!(status, Status::Removed { .. })
                    && let Some(d) = next.decision.as_ref()
                {
                    experts::lift_ban(
                        tx.conn,
                        record.profile.resident_id.as_str(),
                        d.effective_on,
                    )?;
                }
                experts::replace_status(tx, &record, &status)?;
                status_change = Some((
                    record.status.kind().as_str().to_owned(),
                    status.kind().as_str().to_owned(),
                ));
            }
        }
        _ => {}
    }
    if let (Some((from, to)), Some(obj)) = (&status_change, data.as_object_mut()) {
        obj.insert("status".into(), json!({"from": from, "to": to}));
    }
    tx.append(&kind, actor, Some(&expert_id), data)?;
    finish(tx, actor, &row, &next, event, status_before)
}

/// Store the case after `event` and its history row.
fn finish(
    tx: &mut AuditTx<'_>,
    actor: &str,
    row: &CaseRow,
    next: &Case,
    event: &CaseEvent,
    status_before: Option<Status>,
) -> Result<CaseRow, CaseFailure> {
    let body = canonical(&to_value(next)?)?;
    diesel::update(cases::table.find(&row.case_no))
        .set((
            cases::stage.eq(next.stage.as_str()),
            cases::body.eq(&body),
            cases::published_on.eq(next.published.as_ref().map(|p| p.on)),
            cases::updated_at.eq(db_time(tx.now())),
            cases::version.eq(row.version + 1),
        ))
        .execute(tx.conn)?;
    push_event(
        tx,
        actor,
        &row.case_no,
        event.kind().as_str(),
        &json!({"event": to_value(event)?, "status_before": to_value(&status_before)?}),
        next.stage,
    )?;
    Ok(get(tx.conn, &row.case_no)?)
}

/// The expert's status before the case took effect, as its history kept it.
fn status_before_effect(conn: &mut DbConn, case_no: &str) -> Result<Status, StoreError> {
    let body: Option<String> = case_events::table
        .filter(case_events::case_no.eq(case_no))
        .filter(case_events::kind.eq("take_effect"))
        .order(case_events::position.desc())
        .select(case_events::body)
        .first(conn)
        .optional()?;
    let body = body.ok_or_else(|| {
        StoreError::Corrupt(format!("case {case_no} took effect without a history row"))
    })?;
    let v: Value = serde_json::from_str(&body)
        .map_err(|e| StoreError::Corrupt(format!("case {case_no} history: {e}")))?;
    serde_json::from_value(v["status_before"].clone())
        .map_err(|e| StoreError::Corrupt(format!("case {case_no} status before effect: {e}")))
}

/// Generate the employer letter (通报函) of a civil-servant expert's case
/// from the policy's template; once per case. The text names the expert, so
/// the `case.employer_letter` entry holds its SHA-256 only.
pub fn generate_letter(
    tx: &mut AuditTx<'_>,
    actor: &str,
    case_no: &str,
    authority: &str,
    issued_on: NaiveDate,
    policy: &DisciplinePolicy,
) -> Result<LetterRow, CaseFailure> {
    let row = get(tx.conn, case_no)?;
    let case = row.case()?;
    if letter(tx.conn, case_no)?.is_some() {
        return Err(StoreError::Conflict {
            rule: "letter_exists",
            message: format!("the employer letter of case {case_no} was already generated"),
        }
        .into());
    }
    let expert = experts::get(tx.conn, &case.expert_id)?;
    let parties = LetterParties {
        expert_name: expert.profile.name.clone(),
        employer_name: expert.profile.employer.name.clone(),
        authority: authority.to_owned(),
        issued_on,
    };
    let EmployerLetter {
        to, title, text, ..
    } = employer_letter(
        &case,
        &parties,
        &policy.due_process.employer_letter_template,
    )?;
    let digest = sha256_hex(&text);
    let now = db_time(tx.now());
    diesel::insert_into(employer_letters::table)
        .values((
            employer_letters::case_no.eq(case_no),
            employer_letters::recipient.eq(&to),
            employer_letters::title.eq(&title),
            employer_letters::text.eq(&text),
            employer_letters::text_sha256.eq(&digest),
            employer_letters::issued_on.eq(issued_on),
            employer_letters::generated_by.eq(actor),
            employer_letters::generated_at.eq(now),
            employer_letters::delivered_on.eq(None::<NaiveDate>),
            employer_letters::channel.eq(None::<String>),
            employer_letters::reference.eq(None::<String>),
        ))
        .execute(tx.conn)?;
    tx.append(
        "case.employer_letter",
        actor,
        Some(&case.expert_id),
        json!({
            "case_no": case_no,
            "expert_id": case.expert_id,
            "issued_on": issued_on.to_string(),
            "text_sha256": digest,
        }),
    )?;
    letter(tx.conn, case_no)?
        .ok_or_else(|| StoreError::Corrupt(format!("letter of {case_no} vanished")).into())
}

/// A published penalty with the names the public page shows.
#[derive(Debug, Clone)]
pub struct PublishedCase {
    pub row: CaseRow,
    pub expert_name: String,
    pub employer_name: String,
}

/// Published cases, latest publication first (then case number, newest
/// first), after the cursor `(published_on, case_no)` when given.
pub fn published(
    conn: &mut DbConn,
    after: Option<(NaiveDate, String)>,
    limit: i64,
) -> Result<Vec<PublishedCase>, StoreError> {
    let mut q = cases::table
        .inner_join(experts_t::table)
        .filter(cases::published_on.is_not_null())
        .into_boxed();
    if let Some((on, case_no)) = after {
        q = q.filter(
            cases::published_on
                .lt(on)
                .or(cases::published_on.eq(on).and(cases::case_no.lt(case_no))),
        );
    }
    let rows: Vec<(CaseRow, String, String)> = q
        .order((cases::published_on.desc(), cases::case_no.desc()))
        .limit(limit)
        .select((
            (
                cases::case_no,
                cases::expert_id,
                cases::stage,
                cases::body,
                cases::opened_on,
                cases::published_on,
                cases::created_at,
                cases::updated_at,
                cases::version,
            ),
            experts_t::name,
            experts_t::employer_name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(row, expert_name, employer_name)| PublishedCase {
            row,
            expert_name,
            employer_name,
        })
        .collect())
}
