//! The expert registry: applications, the record and its employment
//! history, lifecycle changes, the filtered list, and the periodic review.
//! Audit entries name the expert and what changed, never personal data.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use expert_core::admission::{AdmissionHistory, AdmissionPolicy, Application, check_admission};
use expert_core::expert::{
    Documents, Employer, EmployerContact, Employment, EmploymentError, EmploymentHistory,
    ExpertProfile, FieldError, TitleLevel,
};
use expert_core::identity::{CreditCode, Mobile, ResidentId};
use expert_core::lifecycle::{Command, Status, StatusKind, transition};
use expert_core::review::{ReviewReport, ReviewSubject, periodic_review};
use serde_json::json;

use std::collections::{HashMap, HashSet};

use super::audit::{AuditTx, NewEntry};
use super::{StoreError, db_time, from_db_time};
use crate::db::DbConn;
use crate::db::schema::{
    bans, counters, employment_history, expert_declines, expert_leaves, expert_specialties, experts,
};

/// One expert as stored.
#[derive(Debug, Clone)]
pub struct ExpertRecord {
    pub id: String,
    pub profile: ExpertProfile,
    pub documents: Documents,
    pub status: Status,
    /// The term applied for (applicants) or served (members).
    pub term_number: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Queryable)]
struct Row {
    id: String,
    name: String,
    resident_id: String,
    _birth_date: NaiveDate,
    mobile: String,
    region: String,
    employer_name: String,
    employer_code: String,
    title: String,
    senior_equivalent: bool,
    years_in_field: i32,
    civil_servant: bool,
    employer_contact: Option<String>,
    documents: String,
    specialties: String,
    _status: String,
    status_data: String,
    term_number: i32,
    _term_end: Option<NaiveDate>,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    version: i64,
}

type Columns = (
    experts::id,
    experts::name,
    experts::resident_id,
    experts::birth_date,
    experts::mobile,
    experts::region,
    experts::employer_name,
    experts::employer_code,
    experts::title,
    experts::senior_equivalent,
    experts::years_in_field,
    experts::civil_servant,
    experts::employer_contact,
    experts::documents,
    experts::specialties,
    experts::status,
    experts::status_data,
    experts::term_number,
    experts::term_end,
    experts::created_at,
    experts::updated_at,
    experts::version,
);

const COLUMNS: Columns = (
    experts::id,
    experts::name,
    experts::resident_id,
    experts::birth_date,
    experts::mobile,
    experts::region,
    experts::employer_name,
    experts::employer_code,
    experts::title,
    experts::senior_equivalent,
    experts::years_in_field,
    experts::civil_servant,
    experts::employer_contact,
    experts::documents,
    experts::specialties,
    experts::status,
    experts::status_data,
    experts::term_number,
    experts::term_end,
    experts::created_at,
    experts::updated_at,
    experts::version,
);

fn corrupt(id: &str, what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("expert {id}: {what}: {e}"))
}

impl TryFrom<Row> for ExpertRecord {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self, StoreError> {
        let id = r.id;
        let title: TitleLevel =
            serde_json::from_value(json!(r.title)).map_err(|e| corrupt(&id, "title", e))?;
        let employer_contact: Option<EmployerContact> = r
            .employer_contact
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt(&id, "employer_contact", e))?;
        let profile = ExpertProfile {
            name: r.name,
            resident_id: ResidentId::parse(&r.resident_id)
                .map_err(|e| corrupt(&id, "resident_id", e))?,
            mobile: Mobile::parse(&r.mobile).map_err(|e| corrupt(&id, "mobile", e))?,
            region: r.region,
            employer: Employer {
                name: r.employer_name,
                code: CreditCode::parse(&r.employer_code)
                    .map_err(|e| corrupt(&id, "employer_code", e))?,
            },
            specialties: serde_json::from_str(&r.specialties)
                .map_err(|e| corrupt(&id, "specialties", e))?,
            title,
            senior_equivalent: r.senior_equivalent,
            years_in_field: u32::try_from(r.years_in_field)
                .map_err(|e| corrupt(&id, "years_in_field", e))?,
            civil_servant: r.civil_servant,
            employer_contact,
        };
        Ok(ExpertRecord {
            documents: serde_json::from_str(&r.documents)
                .map_err(|e| corrupt(&id, "documents", e))?,
            status: serde_json::from_str(&r.status_data).map_err(|e| corrupt(&id, "status", e))?,
            term_number: u32::try_from(r.term_number)
                .map_err(|e| corrupt(&id, "term_number", e))?,
            created_at: from_db_time(r.created_at),
            updated_at: from_db_time(r.updated_at),
            version: r.version,
            profile,
            id,
        })
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))
}

/// What the pool knows about a person from bans and removals, whether or
/// not a ban has ended (`check_admission` compares it with the day).
pub fn admission_history(
    conn: &mut DbConn,
    resident_id: &str,
) -> Result<AdmissionHistory, StoreError> {
    let rows: Vec<(bool, Option<NaiveDate>)> = bans::table
        .filter(bans::resident_id.eq(resident_id))
        .select((bans::removed, bans::until))
        .load(conn)?;
    Ok(history_from(&rows))
}

fn history_from(rows: &[(bool, Option<NaiveDate>)]) -> AdmissionHistory {
    let previously_removed = rows.iter().any(|(removed, _)| *removed);
    // A removal without an end bars for good; otherwise the latest end
    // counts, even when it has passed: `check_admission` reads "removed,
    // no end" as permanent, so dropping a past end would turn a served ban
    // into a lifelong one.
    let permanent = rows
        .iter()
        .any(|(removed, until)| *removed && until.is_none());
    let ban_until = if permanent {
        None
    } else {
        rows.iter().filter_map(|(_, until)| *until).max()
    };
    AdmissionHistory {
        previously_removed,
        ban_until,
    }
}

/// Identifiers per `IN (...)` lookup: far below both backends' limits on
/// bound parameters, large enough that 100,000 rows take 200 queries.
const LOOKUP_CHUNK: usize = 500;

/// Ban histories and existing expert ids, both by resident ID.
type Lookups = (HashMap<String, AdmissionHistory>, HashMap<String, String>);

/// The ban history and any live expert record of each resident ID, read in
/// a few queries for a whole batch of applications.
///
/// Only a live record (applicant, rejected, active, on leave, suspended)
/// blocks a new application: a retired expert, or a removed one whose ban
/// has been served, may apply again as a new record, while bans and
/// permanent bars still apply through `check_admission`.
fn lookup_many(conn: &mut DbConn, resident_ids: &[&str]) -> Result<Lookups, StoreError> {
    let mut bans_by_id: HashMap<String, Vec<(bool, Option<NaiveDate>)>> = HashMap::new();
    let mut registered = HashMap::new();
    for chunk in resident_ids.chunks(LOOKUP_CHUNK) {
        let rows: Vec<(String, bool, Option<NaiveDate>)> = bans::table
            .filter(bans::resident_id.eq_any(chunk))
            .select((bans::resident_id, bans::removed, bans::until))
            .load(conn)?;
        for (rid, removed, until) in rows {
            bans_by_id.entry(rid).or_default().push((removed, until));
        }
        let rows: Vec<(String, String)> = experts::table
            .filter(experts::resident_id.eq_any(chunk))
            .filter(
                experts::status
                    .ne_all([StatusKind::Retired.as_str(), StatusKind::Removed.as_str()]),
            )
            .select((experts::resident_id, experts::id))
            .load(conn)?;
        registered.extend(rows);
    }
    let histories = bans_by_id
        .into_iter()
        .map(|(rid, rows)| (rid, history_from(&rows)))
        .collect();
    Ok((histories, registered))
}

/// Every admission rule for each application, without writing: the pure
/// check plus the pool's bans and registrations. `apply` and `apply_many`
/// run exactly this before storing, so a dry run and a real run agree.
/// A resident ID listed twice in `apps` is refused the second time.
pub fn check_many(
    conn: &mut DbConn,
    apps: &[&Application],
    policy: &AdmissionPolicy,
    today: NaiveDate,
) -> Result<Vec<Result<(), StoreError>>, StoreError> {
    let ids: Vec<&str> = apps
        .iter()
        .map(|a| a.profile.resident_id.as_str())
        .collect();
    let (histories, registered) = lookup_many(conn, &ids)?;
    let mut seen = HashSet::new();
    Ok(apps
        .iter()
        .map(|app| {
            let rid = app.profile.resident_id.as_str();
            let history = histories.get(rid).cloned().unwrap_or_default();
            check_admission(app, &history, policy, today)
                .map_err(|v| StoreError::Invalid(crate::intake::input_fields(v)))?;
            if let Some(existing) = registered.get(rid) {
                return Err(StoreError::Conflict {
                    rule: "already_registered",
                    message: format!("this resident ID is already registered as expert {existing}"),
                });
            }
            if !seen.insert(rid) {
                return Err(StoreError::Conflict {
                    rule: "duplicate",
                    message: "this resident ID appears twice in one batch".into(),
                });
            }
            Ok(())
        })
        .collect())
}

/// Reserve `n` consecutive expert numbers; returns the first.
fn reserve_expert_ids(conn: &mut DbConn, n: usize) -> Result<i64, StoreError> {
    let n = i64::try_from(n).map_err(|_| StoreError::Corrupt("too many experts".into()))?;
    diesel::update(counters::table.find("expert"))
        .set(counters::value.eq(counters::value + n))
        .execute(conn)?;
    let last: i64 = counters::table
        .find("expert")
        .select(counters::value)
        .first(conn)?;
    Ok(last - n + 1)
}

fn expert_id(n: i64) -> String {
    format!("E{n:07}")
}

/// Check and store an application; the expert starts as an applicant.
/// Every failed rule is returned at once and nothing is written.
pub fn apply(
    tx: &mut AuditTx<'_>,
    actor: &str,
    app: &Application,
    employed_since: NaiveDate,
    policy: &AdmissionPolicy,
    today: NaiveDate,
) -> Result<ExpertRecord, StoreError> {
    let id = apply_many(tx, actor, &[(app, employed_since)], policy, today)?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("apply_many returned no result".into()))??;
    get(tx.conn, &id)
}

/// [`apply`] for many applications in one transaction, without reading the
/// records back: each is checked by [`check_many`], the valid ones are
/// stored as applicants with one `expert.apply` entry each, in input order.
/// Returns the new id, or why it was refused, per application; a refused
/// application writes nothing and does not stop the others.
pub fn apply_many(
    tx: &mut AuditTx<'_>,
    actor: &str,
    items: &[(&Application, NaiveDate)],
    policy: &AdmissionPolicy,
    today: NaiveDate,
) -> Result<Vec<Result<String, StoreError>>, StoreError> {
    // Multi-row inserts: 22 bound values per expert row.
    const CHUNK: usize = 500;
    let apps: Vec<&Application> = items.iter().map(|(a, _)| *a).collect();
    let checks = check_many(tx.conn, &apps, policy, today)?;
    let valid = checks.iter().filter(|c| c.is_ok()).count();
    if valid == 0 {
        return Ok(checks
            .into_iter()
            .map(|c| c.map(|()| String::new()))
            .collect());
    }
    let mut next = reserve_expert_ids(tx.conn, valid)?;
    let now = db_time(tx.now());
    let status = Status::Applicant;
    let status_kind = status.kind().as_str();
    let status_data = to_json(&status)?;
    let mut results = Vec::with_capacity(items.len());
    // (id, application, employed_since) of the rows to store.
    let mut stored: Vec<(String, &Application, NaiveDate)> = Vec::with_capacity(valid);
    for ((app, since), check) in items.iter().zip(checks) {
        match check {
            Ok(()) => {
                let id = expert_id(next);
                next += 1;
                stored.push((id.clone(), app, *since));
                results.push(Ok(id));
            }
            Err(e) => results.push(Err(e)),
        }
    }
    for chunk in stored.chunks(CHUNK) {
        let mut rows = Vec::with_capacity(chunk.len());
        for (id, app, _) in chunk {
            let p = &app.profile;
            rows.push((
                experts::id.eq(id.as_str()),
                experts::name.eq(p.name.as_str()),
                experts::resident_id.eq(p.resident_id.as_str()),
                experts::birth_date.eq(p.resident_id.birth_date()),
                experts::mobile.eq(p.mobile.as_str()),
                experts::region.eq(p.region.as_str()),
                experts::employer_name.eq(p.employer.name.as_str()),
                experts::employer_code.eq(p.employer.code.as_str()),
                experts::title.eq(p.title.as_str()),
                experts::senior_equivalent.eq(p.senior_equivalent),
                experts::years_in_field.eq(i32::try_from(p.years_in_field).unwrap_or(i32::MAX)),
                experts::civil_servant.eq(p.civil_servant),
                experts::employer_contact.eq(p
                    .employer_contact
                    .as_ref()
                    .map(to_json)
                    .transpose()?),
                experts::documents.eq(to_json(&app.documents)?),
                experts::specialties.eq(to_json(&p.specialties)?),
                experts::status.eq(status_kind),
                experts::status_data.eq(status_data.as_str()),
                experts::term_number.eq(i32::try_from(app.term_number).unwrap_or(1)),
                experts::term_end.eq(None::<NaiveDate>),
                experts::created_at.eq(now),
                experts::updated_at.eq(now),
                experts::version.eq(1_i64),
            ));
        }
        crate::db::with_backend!(&mut *tx.conn, c => {
            diesel::insert_into(experts::table).values(&rows).execute(c)
        })?;
        let specialties: Vec<_> = chunk
            .iter()
            .flat_map(|(id, app, _)| {
                app.profile.specialties.iter().map(move |code| {
                    (
                        expert_specialties::expert_id.eq(id.as_str()),
                        expert_specialties::code.eq(code.as_str()),
                    )
                })
            })
            .collect();
        crate::db::with_backend!(&mut *tx.conn, c => {
            diesel::insert_into(expert_specialties::table)
                .values(&specialties)
                .execute(c)
        })?;
        let employment: Vec<_> = chunk
            .iter()
            .map(|(id, app, since)| {
                let p = &app.profile;
                (
                    employment_history::expert_id.eq(id.as_str()),
                    employment_history::position.eq(0),
                    employment_history::employer_code.eq(p.employer.code.as_str()),
                    employment_history::employer_name.eq(p.employer.name.as_str()),
                    employment_history::from_date.eq(*since),
                    employment_history::to_date.eq(None::<NaiveDate>),
                )
            })
            .collect();
        crate::db::with_backend!(&mut *tx.conn, c => {
            diesel::insert_into(employment_history::table)
                .values(&employment)
                .execute(c)
        })?;
    }
    let entries = stored
        .iter()
        .map(|(id, app, _)| {
            let p = &app.profile;
            NewEntry {
                kind: "expert.apply".into(),
                actor: actor.to_owned(),
                subject: Some(id.clone()),
                data: json!({
                    "expert_id": id,
                    "region": p.region,
                    "employer_code": p.employer.code.as_str(),
                    "specialties": p.specialties,
                    "title": p.title.as_str(),
                    "years_in_field": p.years_in_field,
                    "civil_servant": p.civil_servant,
                    "term_number": app.term_number,
                }),
            }
        })
        .collect();
    tx.append_all(entries)?;
    Ok(results)
}

pub fn get(conn: &mut DbConn, id: &str) -> Result<ExpertRecord, StoreError> {
    let row: Option<Row> = experts::table
        .find(id)
        .select(COLUMNS)
        .first(conn)
        .optional()?;
    row.ok_or_else(|| StoreError::NotFound {
        what: "expert",
        id: id.to_owned(),
    })?
    .try_into()
}

pub fn employment(conn: &mut DbConn, id: &str) -> Result<Vec<Employment>, StoreError> {
    let rows: Vec<(String, String, NaiveDate, Option<NaiveDate>)> = employment_history::table
        .filter(employment_history::expert_id.eq(id))
        .order(employment_history::position.asc())
        .select((
            employment_history::employer_code,
            employment_history::employer_name,
            employment_history::from_date,
            employment_history::to_date,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(code, name, from, to)| {
            Ok(Employment {
                employer: Employer {
                    name,
                    code: CreditCode::parse(&code).map_err(|e| corrupt(id, "employment", e))?,
                },
                from,
                to,
            })
        })
        .collect()
}

/// Filters of the expert list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<StatusKind>,
    pub region: Option<String>,
    /// A specialty code prefix (`A08` matches `A0801`).
    pub specialty: Option<String>,
    /// An employer's credit code.
    pub employer: Option<String>,
    /// Part of the name or the employer's name.
    pub text: Option<String>,
    /// Only ids after this one (the cursor).
    pub after: Option<String>,
    pub limit: u32,
}

/// An expert as a list page shows it: the stored columns a page needs, as
/// stored. Unlike [`ExpertRecord`] it skips the documents and does not
/// re-check identifiers and codes that were validated when written; the
/// JSON columns a page shows are parsed by the caller, only when shown.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = experts)]
pub struct ListedExpert {
    pub id: String,
    pub name: String,
    pub resident_id: String,
    pub mobile: String,
    pub region: String,
    pub employer_name: String,
    pub employer_code: String,
    /// As [`TitleLevel::as_str`] wrote it.
    pub title: String,
    pub senior_equivalent: bool,
    pub years_in_field: i32,
    pub civil_servant: bool,
    /// JSON of an [`EmployerContact`].
    pub employer_contact: Option<String>,
    /// JSON array of specialty codes.
    pub specialties: String,
    /// As [`StatusKind::as_str`] wrote it.
    pub status: String,
    /// JSON of the [`Status`].
    pub status_data: String,
    pub term_number: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub version: i64,
}

impl ListedExpert {
    pub fn specialties(&self) -> Result<Vec<String>, StoreError> {
        serde_json::from_str(&self.specialties).map_err(|e| corrupt(&self.id, "specialties", e))
    }

    pub fn status_detail(&self) -> Result<Status, StoreError> {
        serde_json::from_str(&self.status_data).map_err(|e| corrupt(&self.id, "status", e))
    }

    pub fn employer_contact(&self) -> Result<Option<EmployerContact>, StoreError> {
        self.employer_contact
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt(&self.id, "employer_contact", e))
    }

    pub fn years_in_field(&self) -> Result<u32, StoreError> {
        u32::try_from(self.years_in_field).map_err(|e| corrupt(&self.id, "years_in_field", e))
    }

    pub fn term_number(&self) -> Result<u32, StoreError> {
        u32::try_from(self.term_number).map_err(|e| corrupt(&self.id, "term_number", e))
    }

    pub fn created_at(&self) -> DateTime<Utc> {
        from_db_time(self.created_at)
    }

    pub fn updated_at(&self) -> DateTime<Utc> {
        from_db_time(self.updated_at)
    }
}

/// The list rows of every expert (`ids: None`) or of those of `ids` that
/// exist, in id order: what the registry read model is built from.
pub fn load_listed(
    conn: &mut DbConn,
    ids: Option<&[String]>,
) -> Result<Vec<ListedExpert>, StoreError> {
    let Some(ids) = ids else {
        return Ok(experts::table
            .select(ListedExpert::as_select())
            .order(experts::id.asc())
            .load(conn)?);
    };
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        rows.extend(
            experts::table
                .select(ListedExpert::as_select())
                .filter(experts::id.eq_any(chunk))
                .load::<ListedExpert>(conn)?,
        );
    }
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rows)
}

fn save_status(
    tx: &mut AuditTx<'_>,
    record: &ExpertRecord,
    status: &Status,
) -> Result<(), StoreError> {
    let term = status.term().copied();
    let term_number = term.map(|t| t.number).unwrap_or(record.term_number);
    // The draw filters read these columns, never `status_data`.
    let leave = match status {
        Status::OnLeave { from, to, .. } => Some((*from, *to)),
        _ => None,
    };
    diesel::update(experts::table.find(&record.id))
        .set((
            experts::status.eq(status.kind().as_str()),
            experts::status_data.eq(to_json(status)?),
            experts::term_number.eq(i32::try_from(term_number).unwrap_or(i32::MAX)),
            experts::term_start.eq(term.map(|t| t.start)),
            experts::term_end.eq(term.map(|t| t.end)),
            experts::leave_from.eq(leave.map(|l| l.0)),
            experts::leave_to.eq(leave.map(|l| l.1)),
            experts::updated_at.eq(db_time(tx.now())),
            experts::version.eq(record.version + 1),
        ))
        .execute(tx.conn)?;
    Ok(())
}

/// Store a status decided elsewhere (a review that varied or revoked a
/// sanction, `effect::after_review`). The caller appends the entry, whose
/// subject must be the expert's id.
pub fn replace_status(
    tx: &mut AuditTx<'_>,
    record: &ExpertRecord,
    status: &Status,
) -> Result<(), StoreError> {
    save_status(tx, record, status)
}

/// Lift the ban a removal recorded on `since` (the removal was revoked or
/// lightened on review).
pub fn lift_ban(conn: &mut DbConn, resident_id: &str, since: NaiveDate) -> Result<(), StoreError> {
    diesel::delete(
        bans::table
            .filter(bans::resident_id.eq(resident_id))
            .filter(bans::since.eq(since)),
    )
    .execute(conn)?;
    Ok(())
}

/// Apply a lifecycle command: the state machine decides, the change and its
/// entry (`expert.<command>`) are written together. `kind` overrides the
/// entry kind (the review logs `review.<action>`).
pub fn command(
    tx: &mut AuditTx<'_>,
    actor: &str,
    id: &str,
    cmd: &Command,
    today: NaiveDate,
    kind: Option<&str>,
    note: Option<serde_json::Value>,
) -> Result<ExpertRecord, StoreError> {
    let record = get(tx.conn, id)?;
    let next = transition(&record.status, cmd, today).map_err(|e| StoreError::Conflict {
        rule: "illegal_transition",
        message: e.to_string(),
    })?;
    save_status(tx, &record, &next)?;
    match cmd {
        Command::GrantLeave { from, to, reason } => {
            diesel::insert_into(expert_leaves::table)
                .values((
                    expert_leaves::expert_id.eq(id),
                    expert_leaves::from_date.eq(*from),
                    expert_leaves::to_date.eq(*to),
                    expert_leaves::reason.eq(reason),
                ))
                .execute(tx.conn)?;
        }
        Command::Remove {
            on,
            reason,
            ban_until,
        } => {
            diesel::insert_into(bans::table)
                .values((
                    bans::resident_id.eq(record.profile.resident_id.as_str()),
                    bans::since.eq(*on),
                    bans::until.eq(*ban_until),
                    bans::removed.eq(true),
                    bans::reason.eq(reason),
                ))
                .execute(tx.conn)?;
        }
        _ => {}
    }
    let kind = kind
        .map(str::to_owned)
        .unwrap_or_else(|| format!("expert.{}", cmd.kind().as_str()));
    let mut data = json!({
        "expert_id": id,
        "from": record.status.kind().as_str(),
        "to": next.kind().as_str(),
        "command": cmd,
    });
    if let (Some(note), Some(obj)) = (note, data.as_object_mut()) {
        obj.insert("note".into(), note);
    }
    tx.append(&kind, actor, Some(id), data)?;
    get(tx.conn, id)
}

/// The fields an operator may correct without a new application.
#[derive(Debug, Clone, Default)]
pub struct ContactPatch {
    pub mobile: Option<Mobile>,
    pub region: Option<String>,
    pub employer_contact: Option<Option<EmployerContact>>,
}

pub fn update_contact(
    tx: &mut AuditTx<'_>,
    actor: &str,
    id: &str,
    patch: &ContactPatch,
) -> Result<ExpertRecord, StoreError> {
    let record = get(tx.conn, id)?;
    if record.status.is_terminal() {
        return Err(StoreError::Conflict {
            rule: "terminal_status",
            message: format!(
                "expert {id} is {} and can no longer be changed",
                record.status.kind().as_str()
            ),
        });
    }
    let mut profile = record.profile.clone();
    let mut changed = Vec::new();
    if let Some(m) = &patch.mobile {
        profile.mobile = m.clone();
        changed.push("mobile");
    }
    if let Some(r) = &patch.region {
        profile.region = r.clone();
        changed.push("region");
    }
    if let Some(c) = &patch.employer_contact {
        profile.employer_contact = c.clone();
        changed.push("employer_contact");
    }
    let errors: Vec<FieldError> = expert_core::expert::validate_profile(
        &profile,
        expert_core::reference::Regions::builtin(),
        expert_core::reference::SpecialtyTree::builtin(),
    )
    .into_iter()
    .filter(|e| changed.iter().any(|c| e.field.starts_with(c)))
    .collect();
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    diesel::update(experts::table.find(id))
        .set((
            experts::mobile.eq(profile.mobile.as_str()),
            experts::region.eq(&profile.region),
            experts::employer_contact.eq(profile
                .employer_contact
                .as_ref()
                .map(to_json)
                .transpose()?),
            experts::updated_at.eq(db_time(tx.now())),
            experts::version.eq(record.version + 1),
        ))
        .execute(tx.conn)?;
    // The entry names the fields, not their values: the log is exported.
    tx.append(
        "expert.update_contact",
        actor,
        Some(id),
        json!({"expert_id": id, "fields": changed, "region": profile.region}),
    )?;
    get(tx.conn, id)
}

/// Move the expert to a new employer; the old employment is closed, never
/// deleted (conflict checks look back three years).
pub fn change_employer(
    tx: &mut AuditTx<'_>,
    actor: &str,
    id: &str,
    employer: Employer,
    since: NaiveDate,
) -> Result<ExpertRecord, StoreError> {
    let record = get(tx.conn, id)?;
    if record.status.is_terminal() {
        return Err(StoreError::Conflict {
            rule: "terminal_status",
            message: format!(
                "expert {id} is {} and can no longer be changed",
                record.status.kind().as_str()
            ),
        });
    }
    if employer.name.trim().is_empty() {
        return Err(StoreError::Invalid(vec![FieldError::new(
            "employer/name",
            expert_core::expert::Rule::Empty,
            "单位名称不能为空",
            "employer name must not be empty",
        )]));
    }
    let entries = employment(tx.conn, id)?;
    let position = i32::try_from(entries.len()).unwrap_or(i32::MAX);
    let mut history = EmploymentHistory::from_entries(entries)
        .map_err(|e| corrupt(id, "employment history", e))?;
    history
        .change_employer(employer.clone(), since)
        .map_err(|e| {
            // A move to the current employer is about the employer, any
            // other refusal about the date.
            let (field, rule) = match e {
                EmploymentError::SameEmployer => {
                    ("employer/code", expert_core::expert::Rule::Duplicate)
                }
                _ => ("since", expert_core::expert::Rule::OutOfRange),
            };
            let text = e.to_string();
            let (zh, en) = text.split_once(" / ").unwrap_or((&text, &text));
            StoreError::Invalid(vec![FieldError::new(field, rule, zh, en)])
        })?;
    let last = position - 1;
    if let Some(closed) = history
        .entries()
        .get(usize::try_from(last).unwrap_or(usize::MAX))
    {
        diesel::update(
            employment_history::table
                .filter(employment_history::expert_id.eq(id))
                .filter(employment_history::position.eq(last)),
        )
        .set(employment_history::to_date.eq(closed.to))
        .execute(tx.conn)?;
    }
    diesel::insert_into(employment_history::table)
        .values((
            employment_history::expert_id.eq(id),
            employment_history::position.eq(position),
            employment_history::employer_code.eq(employer.code.as_str()),
            employment_history::employer_name.eq(&employer.name),
            employment_history::from_date.eq(since),
            employment_history::to_date.eq(None::<NaiveDate>),
        ))
        .execute(tx.conn)?;
    diesel::update(experts::table.find(id))
        .set((
            experts::employer_name.eq(&employer.name),
            experts::employer_code.eq(employer.code.as_str()),
            experts::updated_at.eq(db_time(tx.now())),
            experts::version.eq(record.version + 1),
        ))
        .execute(tx.conn)?;
    tx.append(
        "expert.change_employer",
        actor,
        Some(id),
        json!({
            "expert_id": id,
            "employer_code": employer.code.as_str(),
            "employer_name": employer.name,
            "since": since.to_string(),
        }),
    )?;
    get(tx.conn, id)
}

/// Everyone the review must look at: all experts not yet in a terminal or
/// undecided state, with their declines in the 12 months before `as_of`.
pub fn review_subjects(
    conn: &mut DbConn,
    as_of: NaiveDate,
) -> Result<Vec<ReviewSubject>, StoreError> {
    let live = [
        StatusKind::Active.as_str(),
        StatusKind::OnLeave.as_str(),
        StatusKind::Suspended.as_str(),
    ];
    let rows: Vec<(String, NaiveDate, String)> = experts::table
        .filter(experts::status.eq_any(live))
        .order(experts::id.asc())
        .select((experts::id, experts::birth_date, experts::status_data))
        .load(conn)?;
    let since = as_of
        .checked_sub_signed(Duration::days(365))
        .unwrap_or(as_of)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let until = as_of.and_hms_opt(0, 0, 0).unwrap_or_default();
    let declines: Vec<(String, i64)> = expert_declines::table
        .filter(expert_declines::declined_at.ge(since))
        .filter(expert_declines::declined_at.lt(until))
        .group_by(expert_declines::expert_id)
        .select((expert_declines::expert_id, diesel::dsl::count_star()))
        .load(conn)?;
    let declines: std::collections::HashMap<String, i64> = declines.into_iter().collect();
    rows.into_iter()
        .map(|(id, birth_date, status)| {
            Ok(ReviewSubject {
                status: serde_json::from_str(&status).map_err(|e| corrupt(&id, "status", e))?,
                declines_last_12_months: declines
                    .get(&id)
                    .map(|n| u32::try_from(*n).unwrap_or(u32::MAX))
                    .unwrap_or(0),
                birth_date,
                expert_id: id,
            })
        })
        .collect()
}

/// Run the review as of `as_of` and, unless `dry_run`, carry out every
/// status change it decides, each as its own audit entry, plus one summary.
/// Experts whose points reach a threshold of the baseline get a new
/// sanction proposal (`points_threshold`, stored with `proposal.create`);
/// a situation already proposed is not proposed again.
pub fn run_review(
    tx: &mut AuditTx<'_>,
    actor: &str,
    policy: &AdmissionPolicy,
    discipline: &expert_core::discipline::DisciplinePolicy,
    as_of: NaiveDate,
    dry_run: bool,
) -> Result<ReviewReport, StoreError> {
    let subjects = review_subjects(tx.conn, as_of)?;
    let mut report = periodic_review(&subjects, policy, as_of);
    let ids: Vec<String> = subjects.iter().map(|s| s.expert_id.clone()).collect();
    report.proposals =
        super::credit::proposals(tx, actor, &ids, &discipline.baseline, as_of, dry_run)?;
    let proposals = points_proposals(tx.conn, &subjects, &discipline.baseline, as_of)?;
    report.add_proposals(&proposals);
    if dry_run {
        return Ok(report);
    }
    for p in &proposals {
        super::violations::store_proposal(tx, actor, p)?;
    }
    for action in &report.actions {
        let kind = format!("review.{}", action.kind.as_str());
        let note = json!({"detail": action.detail_en});
        match &action.new_status {
            Some(new_status) => {
                let record = get(tx.conn, &action.expert_id)?;
                save_status(tx, &record, new_status)?;
                tx.append(
                    &kind,
                    actor,
                    Some(&action.expert_id),
                    json!({
                        "expert_id": action.expert_id,
                        "from": record.status.kind().as_str(),
                        "to": new_status.kind().as_str(),
                        "as_of": as_of.to_string(),
                        "note": note,
                    }),
                )?;
            }
            None => {
                tx.append(
                    &kind,
                    actor,
                    Some(&action.expert_id),
                    json!({"expert_id": action.expert_id, "as_of": as_of.to_string(), "note": note}),
                )?;
            }
        }
    }
    let counts: serde_json::Map<String, serde_json::Value> = report
        .counts
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), json!(v)))
        .collect();
    tx.append(
        "review.run",
        actor,
        None,
        json!({"as_of": as_of.to_string(), "subjects": subjects.len(), "counts": counts}),
    )?;
    Ok(report)
}

/// The new points-threshold proposals of the reviewed experts as of
/// `as_of`: those whose key is not stored yet.
fn points_proposals(
    conn: &mut DbConn,
    subjects: &[ReviewSubject],
    baseline: &expert_core::discipline::Baseline,
    as_of: NaiveDate,
) -> Result<Vec<expert_core::discipline::SanctionProposal>, StoreError> {
    use crate::db::schema::violations;
    let reviewed: HashSet<&str> = subjects.iter().map(|s| s.expert_id.as_str()).collect();
    let rows: Vec<super::violations::ViolationRow> = violations::table
        .order((violations::expert_id.asc(), violations::occurred_on.asc()))
        .load(conn)?;
    let mut by_expert: std::collections::BTreeMap<
        &str,
        Vec<expert_core::discipline::ViolationRecord>,
    > = std::collections::BTreeMap::new();
    for r in &rows {
        if reviewed.contains(r.expert_id.as_str()) {
            by_expert
                .entry(r.expert_id.as_str())
                .or_default()
                .push(r.record());
        }
    }
    let mut out = Vec::new();
    for (id, records) in by_expert {
        if let Some(p) = expert_core::discipline::points_proposal(id, &records, baseline, as_of)
            && super::violations::get_proposal(conn, &p.key)?.is_none()
        {
            out.push(p);
        }
    }
    Ok(out)
}

/// Record a declined invitation (used by the draw flow and by tests).
pub fn record_decline(
    conn: &mut DbConn,
    expert_id: &str,
    at: DateTime<Utc>,
    reference: &str,
    reason: &str,
) -> Result<(), StoreError> {
    diesel::insert_into(expert_declines::table)
        .values((
            expert_declines::expert_id.eq(expert_id),
            expert_declines::declined_at.eq(db_time(at)),
            expert_declines::reference.eq(reference),
            expert_declines::reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(())
}
