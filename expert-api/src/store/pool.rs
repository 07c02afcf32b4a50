//! The pool a draw's statement is built from. Experts matching one of the
//! panel's specialties are read with the facts the filters need (columns,
//! no JSON status) and assessed one by one; the rest of the registry is
//! only counted, by reason, in SQL.
//!
//! A pool is read in one snapshot outside the log-head lock, together with
//! the log size it reflects. Under the lock, [`CandidatePool::refresh`]
//! re-reads what entries logged since may have changed, so the committed
//! statement is exactly what the filters give at commit time.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::Value;

use super::{StoreError, db_time, from_db_time};
use crate::db::DbConn;
use crate::db::schema::{
    employment_history, expert_leaves, expert_specialties, experts, panel_members,
};
use crate::draws::filter::{Window, china_date};
use crate::draws::{Exclusion, ExpertFacts, FilterContext, Seat, assess};
use crate::facts::DrawFacts;
use expert_core::draw::statement::{ScannedCandidates, scan_candidates};

const IN_POOL: [&str; 2] = ["active", "on_leave"];

/// The experts matching one of a request's groups, by id (so in byte
/// order, the statement's candidate order), with what the filters say.
pub type Matching = BTreeMap<String, (Arc<Held>, Result<u32, Exclusion>)>;

/// An expert's facts with their candidate JSON rendered once, around the
/// one member that changes from draw to draw (`recent`).
#[derive(Debug, Clone)]
pub struct Held {
    pub facts: ExpertFacts,
    /// `{"employer":…,"id":…,"recent":`
    head: Box<str>,
    /// `,"region":…,"specialties":[…]}`
    tail: Box<str>,
}

impl Held {
    pub fn new(facts: ExpertFacts) -> Held {
        let (head, tail) = render_candidate(&facts);
        Held {
            facts,
            head: head.into(),
            tail: tail.into(),
        }
    }

    /// The candidate's canonical JSON with `recent`.
    fn write(&self, out: &mut String, recent: u32) {
        out.push_str(&self.head);
        // Writing to a String cannot fail.
        let _ = std::fmt::Write::write_fmt(out, format_args!("{recent}"));
        out.push_str(&self.tail);
    }
}

impl std::ops::Deref for Held {
    type Target = ExpertFacts;
    fn deref(&self) -> &ExpertFacts {
        &self.facts
    }
}

/// A pool's candidates as the statement will hold them: how many, their
/// canonical JSON, and that text read back by the verifier's scanner
/// (`scan_candidates`: rules 4 and 5 checked, typed), so the commit can
/// validate its statement without reading the candidates again under the
/// lock. `None` when the scanner cannot vouch for the text (it only ever
/// accepts); the commit then validates the whole statement.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub count: usize,
    pub text: String,
    pub scanned: Option<ScannedCandidates>,
}

/// The candidates and exclusion counts of one request, as of log size `seq`.
#[derive(Debug, Clone)]
pub struct CandidatePool {
    seq: u64,
    matching: Matching,
    /// The rest of the registry by reason (never a zero count).
    others: BTreeMap<&'static str, u64>,
    /// How many candidates, and their canonical JSON, built once.
    prepared: Option<Prepared>,
    /// The read model the pool came from (`None`: read from the database).
    model: Option<Arc<DrawFacts>>,
}

impl CandidatePool {
    /// A pool built from the draw facts read model at log size `seq`.
    pub fn from_model(
        seq: u64,
        matching: Matching,
        others: BTreeMap<&'static str, u64>,
        model: Arc<DrawFacts>,
    ) -> Self {
        CandidatePool {
            seq,
            matching,
            others,
            prepared: None,
            model: Some(model),
        }
    }

    /// Read the pool from the database as `conn` sees it now (inside a
    /// write that may already have changed seats: a supplementary draw).
    pub fn read(conn: &mut DbConn, ctx: &FilterContext) -> Result<Self, StoreError> {
        let seq = super::audit::head(conn)?.size;
        // The matching experts' ids from the (code, expert_id) index, then
        // their rows by primary key: a semi-join of `experts` with the
        // specialty index lets PostgreSQL's planner scan all 100,000 rows
        // for a common specialty.
        let mut ids = BTreeSet::new();
        for code in &ctx.group_specialties {
            let upper = format!("{code}\u{7f}");
            ids.extend(
                expert_specialties::table
                    .filter(expert_specialties::code.ge(code.as_str()))
                    .filter(expert_specialties::code.lt(upper.as_str()))
                    .select(expert_specialties::expert_id)
                    .load::<String>(conn)?,
            );
        }
        let ids: Vec<String> = ids.into_iter().collect();
        let matching: Matching = load_facts(conn, ctx, &ids)?
            .into_iter()
            .map(|f| {
                let outcome = assess(&f, ctx);
                (f.id.clone(), (Arc::new(Held::new(f)), outcome))
            })
            .collect();
        let totals = Totals::count(conn, ctx)?;
        let others = count_others(conn, ctx, &matching, totals)?;
        Ok(CandidatePool {
            seq,
            matching,
            others,
            prepared: None,
            model: None,
        })
    }

    /// Bring the pool up to `head`, the log size under the lock. A pool
    /// from the read model catches the model up to `head` in this
    /// transaction (`fresh`: it has not written yet, so everything it sees
    /// is committed); if only seats changed since the pool was built, only
    /// the experts whose seats changed are assessed again (the counts of
    /// the rest of the registry do not depend on seats), else the pool is
    /// rebuilt from the model. Any other pool is read again from the
    /// database. The candidates' text is kept when no candidate changed.
    pub fn refresh(
        &mut self,
        conn: &mut DbConn,
        ctx: &FilterContext,
        head: u64,
        fresh: bool,
    ) -> Result<(), StoreError> {
        if head == self.seq {
            return Ok(());
        }
        let next = match (self.model.clone(), fresh) {
            (Some(model), true) => {
                // Not the shared model: catching it up here would wait for
                // other requests' catch-ups while holding the log head.
                if let Some(seated) = seat_changes_since(conn, self.seq)? {
                    if self.reseat(conn, &seated, ctx)? {
                        self.prepared = None;
                    }
                    self.seq = head;
                    return Ok(());
                }
                model.catch_up(conn, head, false)?;
                model.pool_now(ctx)?
            }
            _ => Self::read(conn, ctx)?,
        };
        let same = next.others == self.others
            && next.matching.len() == self.matching.len()
            && next
                .matching
                .iter()
                .zip(&self.matching)
                .all(|((a, (_, x)), (b, (_, y)))| a == b && x == y);
        let prepared = self.prepared.take().filter(|_| same);
        *self = CandidatePool { prepared, ..next };
        Ok(())
    }

    /// Assess again the experts of `touched` among the matching ones, with
    /// their seats read afresh; whether any outcome changed.
    fn reseat(
        &mut self,
        conn: &mut DbConn,
        touched: &BTreeSet<String>,
        ctx: &FilterContext,
    ) -> Result<bool, StoreError> {
        let ids: Vec<&String> = touched
            .iter()
            .filter(|id| self.matching.contains_key(id.as_str()))
            .collect();
        let mut seats: BTreeMap<String, Vec<Seat>> = BTreeMap::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let rows: Vec<(String, String, NaiveDateTime, NaiveDateTime)> = panel_members::table
                .filter(panel_members::expert_id.eq_any(chunk))
                .filter(panel_members::seat.eq(true))
                .select((
                    panel_members::expert_id,
                    panel_members::tenderer,
                    panel_members::window_start,
                    panel_members::window_end,
                ))
                .load(conn)?;
            for (id, tenderer, start, end) in rows {
                seats.entry(id).or_default().push(Seat {
                    tenderer,
                    start: from_db_time(start),
                    end: from_db_time(end),
                });
            }
        }
        let mut changed = false;
        for id in ids {
            if let Some(slot) = self.matching.get_mut(id.as_str()) {
                let mut held = Held::clone(&slot.0);
                held.facts.seats = seats.remove(id.as_str()).unwrap_or_default();
                let outcome = assess(&held, ctx);
                changed |= outcome != slot.1;
                *slot = (Arc::new(held), outcome);
            }
        }
        Ok(changed)
    }

    /// Build the candidates' canonical JSON now (outside the lock), unless
    /// already built.
    pub fn prepare(&mut self) -> Result<(), StoreError> {
        if self.prepared.is_none() {
            let mut out = String::with_capacity(self.matching.len() * 128 + 2);
            let mut count = 0;
            out.push('[');
            for (f, outcome) in self.matching.values() {
                if let Ok(recent) = outcome {
                    if count > 0 {
                        out.push(',');
                    }
                    f.write(&mut out, *recent);
                    count += 1;
                }
            }
            out.push(']');
            let scanned = scan_candidates(&out, 0)
                .filter(|(_, end)| *end == out.len())
                .map(|(scanned, _)| scanned);
            self.prepared = Some(Prepared {
                count,
                text: out,
                scanned,
            });
        }
        Ok(())
    }

    /// Every expert of the registry counted once under its reason.
    pub fn excluded(&self) -> BTreeMap<&'static str, u64> {
        let mut out = self.others.clone();
        for (_, outcome) in self.matching.values() {
            if let Err(why) = outcome {
                *out.entry(why.as_str()).or_insert(0) += 1;
            }
        }
        out
    }

    /// The candidates as the statement holds them (in id order).
    pub fn into_candidates(mut self) -> Result<Prepared, StoreError> {
        self.prepare()?;
        self.prepared
            .ok_or_else(|| StoreError::Corrupt("candidates not prepared".into()))
    }
}

/// The canonical JSON (RFC 8785) of one candidate, `{"employer", "id",
/// "recent", "region", "specialties"}`, before and after the value of
/// `recent`: members in key order (these keys are ASCII, so UTF-16 order is
/// byte order), strings quoted by `draw_audit::jcs`, `recent` a small
/// integer in plain decimal. A unit test holds it to `canonical_string` of
/// the same value.
fn render_candidate(f: &ExpertFacts) -> (String, String) {
    use draw_audit::jcs::write_string;
    let mut head = String::with_capacity(64);
    head.push_str("{\"employer\":");
    write_string(&mut head, &f.employer);
    head.push_str(",\"id\":");
    write_string(&mut head, &f.id);
    head.push_str(",\"recent\":");
    let mut tail = String::with_capacity(64);
    tail.push_str(",\"region\":");
    write_string(&mut tail, &f.region);
    tail.push_str(",\"specialties\":[");
    for (i, s) in f.specialties.iter().enumerate() {
        if i > 0 {
            tail.push(',');
        }
        write_string(&mut tail, s);
    }
    tail.push_str("]}");
    (head, tail)
}

/// The experts whose seats changed in the entries logged from `seq` on
/// (the members of every panel an entry names, or whose draw it names),
/// when that is all that changed: `None` when an entry names an expert (by
/// the store's invariant, their facts may have changed) or too much was
/// logged.
fn seat_changes_since(conn: &mut DbConn, seq: u64) -> Result<Option<BTreeSet<String>>, StoreError> {
    let Some(subjects) = super::audit::subjects_since(conn, seq, 5_000)? else {
        return Ok(None);
    };
    for chunk in subjects.chunks(IDS_PER_QUERY) {
        let named: i64 = experts::table
            .filter(experts::id.eq_any(chunk))
            .count()
            .get_result(conn)?;
        if named > 0 {
            return Ok(None);
        }
    }
    let panels = crate::facts::panels_named(conn, &subjects)?;
    let mut touched = BTreeSet::new();
    for chunk in panels.chunks(IDS_PER_QUERY) {
        touched.extend(
            panel_members::table
                .filter(panel_members::panel_id.eq_any(chunk))
                .select(panel_members::expert_id)
                .load::<String>(conn)?,
        );
    }
    Ok(Some(touched))
}

/// Id, region, employer, specialties, status, term start and end, leave
/// from and to.
type ExpertRow = (
    String,
    String,
    String,
    String,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

/// Ids read per query (bound as one array on PostgreSQL, as a list of
/// parameters on SQLite, far below its limit).
const IDS_PER_QUERY: usize = 2_000;

/// Everything the filters read about the experts `ids`.
fn load_facts(
    conn: &mut DbConn,
    ctx: &FilterContext,
    ids: &[String],
) -> Result<Vec<ExpertFacts>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let horizon = ctx.start - Duration::days(i64::from(ctx.lookback_days.max(366)));
    let mut rows: Vec<ExpertRow> = Vec::with_capacity(ids.len());
    let mut seats: Vec<(String, String, NaiveDateTime, NaiveDateTime)> = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        rows.extend(
            experts::table
                .filter(experts::id.eq_any(chunk))
                .select((
                    experts::id,
                    experts::region,
                    experts::employer_code,
                    experts::specialties,
                    experts::status,
                    experts::term_start,
                    experts::term_end,
                    experts::leave_from,
                    experts::leave_to,
                ))
                .load::<ExpertRow>(conn)?,
        );
        seats.extend(
            panel_members::table
                .filter(panel_members::expert_id.eq_any(chunk))
                .filter(panel_members::seat.eq(true))
                .filter(panel_members::window_start.ge(db_time(horizon)))
                .filter(panel_members::window_start.lt(db_time(ctx.end)))
                .select((
                    panel_members::expert_id,
                    panel_members::tenderer,
                    panel_members::window_start,
                    panel_members::window_end,
                ))
                .load::<(String, String, NaiveDateTime, NaiveDateTime)>(conn)?,
        );
    }
    let first_day = china_date(ctx.start) - Duration::days(1);
    let last_day = china_date(ctx.end) + Duration::days(1);
    // Leaves in the window and employments with avoided organisations are
    // few: read them all, keep those of `rows`.
    let leaves: Vec<(String, NaiveDate, NaiveDate)> = expert_leaves::table
        .filter(expert_leaves::from_date.le(last_day))
        .filter(expert_leaves::to_date.ge(first_day))
        .select((
            expert_leaves::expert_id,
            expert_leaves::from_date,
            expert_leaves::to_date,
        ))
        .load(conn)?;
    let orgs: Vec<String> = ctx.avoided_organisations.iter().cloned().collect();
    let jobs: Vec<(String, String, NaiveDate, Option<NaiveDate>)> = employment_history::table
        .filter(employment_history::employer_code.eq_any(orgs))
        .select((
            employment_history::expert_id,
            employment_history::employer_code,
            employment_history::from_date,
            employment_history::to_date,
        ))
        .load(conn)?;
    let mut leave_map: BTreeMap<String, Vec<(NaiveDate, NaiveDate)>> = BTreeMap::new();
    for (id, a, b) in leaves {
        leave_map.entry(id).or_default().push((a, b));
    }
    let mut job_map: BTreeMap<String, Vec<(String, NaiveDate, Option<NaiveDate>)>> =
        BTreeMap::new();
    for (id, code, a, b) in jobs {
        job_map.entry(id).or_default().push((code, a, b));
    }
    let mut seat_map: BTreeMap<String, Vec<Seat>> = BTreeMap::new();
    for (id, tenderer, a, b) in seats {
        seat_map.entry(id).or_default().push(Seat {
            tenderer,
            start: from_db_time(a),
            end: from_db_time(b),
        });
    }
    rows.into_iter()
        .map(|row| {
            let (id, region, employer, specialties, status, ts, te, lf, lt) = row;
            let in_pool = IN_POOL.contains(&status.as_str());
            Ok(ExpertFacts {
                specialties: serde_json::from_str(&specialties)
                    .map_err(|e| StoreError::Corrupt(format!("expert {id}: specialties: {e}")))?,
                term: ts.zip(te).filter(|_| in_pool),
                status_leave: lf.zip(lt).filter(|_| status == "on_leave"),
                leaves: leave_map.remove(&id).unwrap_or_default(),
                employments: job_map.remove(&id).unwrap_or_default(),
                seats: seat_map.remove(&id).unwrap_or_default(),
                region,
                employer,
                id,
            })
        })
        .collect()
}

/// The registry's size and how many experts are in the pool (active or on
/// leave) with a term covering a window's China days: the two counts of
/// the whole registry a statement needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub all: u64,
    pub covered: u64,
}

impl Totals {
    /// Count in SQL (index scans of the whole registry).
    pub fn count(conn: &mut DbConn, ctx: &FilterContext) -> Result<Self, StoreError> {
        let (first_day, last_day) = (china_date(ctx.start), china_date(ctx.end));
        Ok(Totals {
            all: Self::count_all(conn)?,
            covered: Self::count_covered(conn, first_day, last_day)?,
        })
    }

    fn count_all(conn: &mut DbConn) -> Result<u64, StoreError> {
        let all: i64 = experts::table.count().get_result(conn)?;
        u64::try_from(all).map_err(|_| StoreError::Corrupt("negative count".into()))
    }

    /// `Window::covers` in SQL: start <= first day and last day < end.
    fn count_covered(
        conn: &mut DbConn,
        first_day: NaiveDate,
        last_day: NaiveDate,
    ) -> Result<u64, StoreError> {
        let covered: i64 = experts::table
            .filter(experts::status.eq_any(IN_POOL))
            .filter(experts::term_start.le(first_day))
            .filter(experts::term_end.gt(last_day))
            .count()
            .get_result(conn)?;
        u64::try_from(covered).map_err(|_| StoreError::Corrupt("negative count".into()))
    }
}

/// The experts not in `matching`, by the first reason that excludes them:
/// `not_active`, `on_leave` or `no_matching_specialty` (the filters before
/// the specialty's are the only ones that can apply first).
fn count_others(
    conn: &mut DbConn,
    ctx: &FilterContext,
    matching: &Matching,
    totals: Totals,
) -> Result<BTreeMap<&'static str, u64>, StoreError> {
    let first_day = china_date(ctx.start);
    let last_day = china_date(ctx.end);
    let Totals { all, covered } = totals;
    // Experts on a leave touching the window: few, read them.
    let mut on_leave: BTreeSet<String> = experts::table
        .filter(experts::status.eq("on_leave"))
        .filter(experts::leave_from.le(last_day))
        .filter(experts::leave_to.ge(first_day))
        .select(experts::id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    on_leave.extend(
        expert_leaves::table
            .filter(expert_leaves::from_date.le(last_day))
            .filter(expert_leaves::to_date.ge(first_day))
            .select(expert_leaves::expert_id)
            .load::<String>(conn)?,
    );
    let on_leave: Vec<String> = on_leave
        .into_iter()
        .filter(|id| !matching.contains_key(id))
        .collect();
    let window = Window::of(ctx);
    let mut leave_covered: u64 = 0;
    for chunk in on_leave.chunks(1_000) {
        let terms: Vec<(String, Option<NaiveDate>, Option<NaiveDate>)> = experts::table
            .filter(experts::id.eq_any(chunk))
            .select((experts::status, experts::term_start, experts::term_end))
            .load(conn)?;
        leave_covered += terms
            .into_iter()
            .filter(|(status, s, e)| IN_POOL.contains(&status.as_str()) && window.covers(s.zip(*e)))
            .count() as u64;
    }
    others_by_reason(ctx, matching, all, covered, leave_covered)
}

/// The registry outside `matching` by its first reason, from the
/// registry's size (`all`), how many in the pool have a term covering the
/// window (`covered`), and how many of those outside `matching` are on a
/// leave touching it (`leave_covered`): `not_active`, `on_leave` or
/// `no_matching_specialty` (the filters before the specialty's are the
/// only ones that can apply first). Zero counts are left out.
pub fn others_by_reason(
    ctx: &FilterContext,
    matching: &Matching,
    all: u64,
    covered: u64,
    leave_covered: u64,
) -> Result<BTreeMap<&'static str, u64>, StoreError> {
    let window = Window::of(ctx);
    let matching_covered = matching
        .values()
        .filter(|(f, _)| window.covers(f.term))
        .count() as u64;
    let bad = || StoreError::Corrupt("the pool's counts do not add up".into());
    let others = all.checked_sub(matching.len() as u64).ok_or_else(bad)?;
    let others_covered = covered.checked_sub(matching_covered).ok_or_else(bad)?;
    let counts = [
        (
            Exclusion::NotActive,
            others.checked_sub(others_covered).ok_or_else(bad)?,
        ),
        (Exclusion::OnLeave, leave_covered),
        (
            Exclusion::NoMatchingSpecialty,
            others_covered.checked_sub(leave_covered).ok_or_else(bad)?,
        ),
    ];
    Ok(counts
        .into_iter()
        .filter(|&(_, n)| n > 0)
        .map(|(why, n)| (why.as_str(), n))
        .collect())
}

/// The canonical JSON of a statement given the canonical JSON of its
/// candidates and the statement without them. RFC 8785 writes an object's
/// members in key order, each value's text independent of its siblings,
/// and `"candidates"` sorts before every other key of a statement, so
/// this is `canonical(statement)` without encoding the candidates again.
pub fn statement_with_candidates(candidates: &str, rest: &Value) -> Result<String, StoreError> {
    let obj = rest
        .as_object()
        .ok_or_else(|| StoreError::Corrupt("a statement is an object".into()))?;
    let first = obj
        .keys()
        .all(|k| k.encode_utf16().cmp("candidates".encode_utf16()).is_gt());
    if !first {
        return Err(StoreError::Corrupt(
            "statement keys sort before \"candidates\"".into(),
        ));
    }
    let rest = draw_audit::jcs::canonical_string(rest)
        .map_err(|e| StoreError::Corrupt(format!("statement is not canonical JSON: {e}")))?;
    let members = rest
        .strip_prefix('{')
        .ok_or_else(|| StoreError::Corrupt("a statement is an object".into()))?;
    let mut out = String::with_capacity(candidates.len() + rest.len() + 16);
    out.push_str("{\"candidates\":");
    out.push_str(candidates);
    if !obj.is_empty() {
        out.push(',');
    }
    out.push_str(if obj.is_empty() { "}" } else { members });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn candidate_text_is_canonical_candidate() {
        let strings = [
            "",
            "E0000001",
            "单位\u{1F600}",
            "a\"b\\c",
            "\u{0}\u{1f}\u{7f}\u{2028}",
            "\n\t\r\u{8}\u{c}",
            "\u{e000}\u{10000}",
        ];
        let mut facts = Vec::new();
        for (i, s) in strings.iter().enumerate() {
            facts.push(ExpertFacts {
                id: format!("E{i}{s}"),
                region: (*s).to_owned(),
                employer: format!("{s}x"),
                specialties: strings.iter().take(i).map(|t| (*t).to_owned()).collect(),
                term: None,
                status_leave: None,
                leaves: Vec::new(),
                employments: Vec::new(),
                seats: Vec::new(),
            });
        }
        for (n, f) in facts.iter().enumerate() {
            let recent = [0, 1, 7, 1_000_000][n % 4];
            let mut text = String::new();
            Held::new(f.clone()).write(&mut text, recent);
            let value = json!({
                "id": f.id, "region": f.region, "employer": f.employer,
                "specialties": f.specialties, "recent": recent,
            });
            assert_eq!(text, draw_audit::jcs::canonical_string(&value).unwrap());
        }
        // The whole list as prepare() writes it.
        let matching: Matching = facts
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let outcome = if i % 3 == 1 {
                    Err(Exclusion::Booked)
                } else {
                    Ok(i as u32)
                };
                (f.id.clone(), (Arc::new(Held::new(f.clone())), outcome))
            })
            .collect();
        let expected: Vec<Value> = matching
            .values()
            .filter_map(|(f, o)| {
                o.as_ref().ok().map(|r| {
                    json!({"id": f.id, "region": f.region, "employer": f.employer,
                        "specialties": f.specialties, "recent": r})
                })
            })
            .collect();
        let mut pool = CandidatePool {
            seq: 0,
            matching,
            others: BTreeMap::new(),
            prepared: None,
            model: None,
        };
        let prepared = pool.clone().into_candidates().unwrap();
        assert_eq!(prepared.count, expected.len());
        assert_eq!(
            prepared.text,
            draw_audit::jcs::canonical_string(&Value::Array(expected)).unwrap()
        );
        // The scanner reads back what was rendered, or declines.
        if let Some(s) = &prepared.scanned {
            assert_eq!(s.candidates().len(), prepared.count);
        }
        pool.matching.clear();
        let empty = pool.into_candidates().unwrap();
        assert_eq!((empty.count, empty.text.as_str()), (0, "[]"));
    }

    /// What the commit validates: the rest of a statement as a value and
    /// its candidates' text as the scanner read it give the very statement
    /// `validate_text` gives on the spliced canonical text, for every valid
    /// conformance vector whose candidates the scanner reads.
    #[test]
    fn scanned_commit_validation_is_validate_text() {
        use expert_core::draw::{validate_scanned, validate_text};
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../expert-core/vectors/expert-draw-1.json"
        );
        let vectors: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut compared = 0;
        for case in vectors["valid"].as_array().unwrap() {
            let mut rest = case["statement"].clone();
            let Some(list) = rest.as_object_mut().and_then(|o| o.remove("candidates")) else {
                continue;
            };
            // The five fields a service writes.
            let list: Vec<Value> = list
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    json!({"id": c["id"], "region": c["region"], "employer": c["employer"],
                        "specialties": c["specialties"], "recent": c["recent"]})
                })
                .collect();
            let text = draw_audit::jcs::canonical_string(&Value::Array(list)).unwrap();
            let Ok(spliced) = statement_with_candidates(&text, &rest) else {
                continue;
            };
            let Some((scanned, end)) = scan_candidates(&text, 0) else {
                continue;
            };
            assert_eq!(end, text.len());
            let whole = validate_text(&spliced).unwrap().statement;
            let parts = validate_scanned(rest.as_object().unwrap().clone(), scanned)
                .expect("the scanned parts of a valid statement")
                .statement;
            assert_eq!(parts, whole, "{}", case["name"]);
            compared += 1;
        }
        assert!(compared >= 5, "vectors compared: {compared}");
    }

    #[test]
    fn spliced_statement_is_canonical_statement() {
        let candidates = json!([
            {"id": "E0000002", "region": "420100", "employer": "单位\u{1F600}", "specialties": ["A08", "B\"x\\"], "recent": 3},
            {"id": "E0000010", "region": "420500", "employer": "\u{e000}", "specialties": [], "recent": 0},
        ]);
        let rest = json!({
            "spec": "expert-draw-1", "draw_id": "D-2026-000001",
            "excluded": {"not_active": 2, "booked": 1},
            "panel": [{"specialty": "A08", "count": 5, "reserve": 2}],
            "requested_at": "2026-11-25T00:00:00Z",
            "z\u{10000}": "an astral key",
        });
        let canon = draw_audit::jcs::canonical_string(&candidates).unwrap();
        let spliced = statement_with_candidates(&canon, &rest).unwrap();
        let mut full = rest.clone();
        full["candidates"] = candidates.clone();
        assert_eq!(spliced, draw_audit::jcs::canonical_string(&full).unwrap());
        // No other member: still the canonical form.
        let only = statement_with_candidates(&canon, &json!({})).unwrap();
        assert_eq!(
            only,
            draw_audit::jcs::canonical_string(&json!({"candidates": candidates})).unwrap()
        );
        // A key sorting first would break the splice: refused.
        assert!(statement_with_candidates(&canon, &json!({"aaa": 1})).is_err());
    }
}
