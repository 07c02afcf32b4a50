//! What the draw filters read about every expert, in memory: the read model
//! a draw's statement is built from.
//!
//! Like the list's [`crate::registry`], the model is kept at a known log
//! size and caught up from the `subject`s of the entries logged since. Two
//! store invariants make that exact:
//! - every change of an expert's row, leaves or employments logs an entry
//!   whose subject is the expert's id;
//! - every change of a panel's members (a seat taken or given up) logs an
//!   entry whose subject is the panel's id or the id of one of its draws.
//!
//! So a catch-up re-reads the experts named since, and the seats of the
//! panels named since, and nothing else can have changed. A draw reads its
//! pool from the model outside the log-head lock; under the lock
//! ([`crate::store::pool::CandidatePool::refresh`]) the pool is brought up
//! to the head: when the entries since name only panels, the experts of
//! those panels among the candidates have their seats read again and are
//! assessed again (the lock holder never waits for the shared model);
//! otherwise the model is caught up and the pool rebuilt from it. So the
//! committed statement is what the filters give at commit time — without
//! a read of the registry per draw.
//!
//! Supplementary draws, committed inside a departure's transaction after
//! that transaction has changed seats, still read the database
//! ([`crate::store::pool::CandidatePool::read`]): the shared model must
//! never hold what a transaction that may roll back has written. A test
//! holds the two readings to the same statement.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{draws, employment_history, expert_leaves, experts, panel_members};
use crate::draws::filter::{Specialties, Window, assess_in, china_date, leave_overlaps};
use crate::draws::{ExpertFacts, FilterContext, Seat};
use crate::store::pool::{CandidatePool, Held, Matching, others_by_reason};
use crate::store::{StoreError, audit, from_db_time};

/// Above this many subjects logged since the last catch-up (a bulk import),
/// the model is read afresh instead of subject by subject.
const RELOAD_ABOVE: usize = 5_000;

/// Ids per `IN (…)` query.
const IDS_PER_QUERY: usize = 1_000;

const IN_POOL: [&str; 2] = ["active", "on_leave"];

/// The shared model; cheap to read from many threads at once.
#[derive(Debug, Default)]
pub struct DrawFacts {
    index: RwLock<Option<Index>>,
    /// Serialises catch-ups, so concurrent readers that find the model
    /// behind read the database once, not once each.
    catching_up: Mutex<()>,
}

#[derive(Debug, Default)]
struct Index {
    seq: u64,
    experts: HashMap<String, Arc<Held>, IdHash>,
    /// Specialty code → experts holding it.
    by_specialty: BTreeMap<String, BTreeSet<String>>,
    /// Panel id → the seats on it (expert id, seat).
    panels: HashMap<String, Vec<(String, Seat)>>,
    /// Experts with a leave in their status or on record: the only ones
    /// the `on_leave` count can name.
    with_leave: BTreeSet<String>,
    /// Experts in the pool whose term covers a window's China days, by
    /// (first, last) day; emptied whenever an expert changes.
    covered: Mutex<HashMap<(NaiveDate, NaiveDate), u64>>,
}

/// Hashing of the model's keys (expert ids, which the service mints, so no
/// caller chooses them): a word at a time, multiply and rotate (the FxHash
/// of rustc), finished by splitmix64's mixer. A pool looks up every
/// matching expert by id; SipHash, the default, made that a sixth of
/// building a pool.
type IdHash = std::hash::BuildHasherDefault<IdHasher>;

#[derive(Debug, Default, Clone, Copy)]
struct IdHasher(u64);

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.add(u64::from_le_bytes(b));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    /// The word mixed through splitmix64's finaliser: the multiply only
    /// carries upwards, and ids that differ in their last characters (the
    /// high bytes of a little-endian word) would otherwise share the low
    /// bits the table's buckets are picked by.
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// A pool's share of the model, taken under the read lock.
struct Gathered {
    seq: u64,
    held: Vec<Arc<Held>>,
    all: u64,
    covered: u64,
    leave_covered: u64,
}

/// What one catch-up read, applied under the write lock.
struct Update {
    seq: u64,
    /// `None`: the whole registry (a full reload).
    subjects: Option<Vec<String>>,
    experts: Vec<ExpertFacts>,
    /// The panels whose seats were read (all panels on a full reload).
    panels: Vec<String>,
    seats: Vec<(String, String, Seat)>,
}

impl DrawFacts {
    pub fn new() -> Self {
        Self::default()
    }

    /// The pool of `ctx` as of the log's size now, read outside any write
    /// (the catch-up reads one snapshot).
    pub fn pool(
        self: &Arc<Self>,
        conn: &mut DbConn,
        ctx: &FilterContext,
    ) -> Result<CandidatePool, StoreError> {
        let size = audit::size(conn)?;
        self.catch_up(conn, size, true)?;
        self.pool_now(ctx)
    }

    /// The pool of `ctx` from the model as it stands.
    pub fn pool_now(self: &Arc<Self>, ctx: &FilterContext) -> Result<CandidatePool, StoreError> {
        // Under the read lock only what is cheap: the matching experts'
        // handles and the counts. Assessing them (most of the work) runs
        // after the lock is let go, so a catch-up under the log-head lock
        // never waits for a pool being built.
        let gathered = {
            let guard = self.index.read().map_err(|_| poisoned())?;
            let index = guard.as_ref().ok_or_else(poisoned)?;
            index.gather(ctx)?
        };
        let Gathered {
            seq,
            held,
            all,
            covered,
            leave_covered,
        } = gathered;
        // Every expert gathered holds a code under a group's (the index's
        // range is a prefix match), so the specialty check is skipped.
        let window = Window::of(ctx);
        let matching: Matching = held
            .into_iter()
            .map(|h| {
                let outcome = assess_in(&h, ctx, &window, Specialties::Matched);
                (h.id.clone(), (h, outcome))
            })
            .collect();
        let others = others_by_reason(ctx, &matching, all, covered, leave_covered)?;
        Ok(CandidatePool::from_model(
            seq,
            matching,
            others,
            self.clone(),
        ))
    }

    /// Bring the model up to at least log size `size`: in a snapshot of its
    /// own (`snapshot`), or in the caller's transaction, which must hold
    /// the log head and must not have written yet.
    pub fn catch_up(&self, conn: &mut DbConn, size: u64, snapshot: bool) -> Result<(), StoreError> {
        if self.seq()? >= Some(size) {
            return Ok(());
        }
        let _one = self.catching_up.lock().map_err(|_| poisoned())?;
        let current = self.seq()?;
        if current >= Some(size) {
            return Ok(());
        }
        let update = if snapshot {
            crate::store::snapshot(conn, |conn| read_update(conn, current))?
        } else {
            read_update(conn, current)?
        };
        let mut guard = self.index.write().map_err(|_| poisoned())?;
        match (update.subjects.is_some(), guard.as_mut()) {
            (true, Some(index)) => index.apply(update),
            _ => *guard = Some(Index::load(update)),
        }
        Ok(())
    }

    /// The log size the model reflects (`None` before the first load).
    pub fn seq(&self) -> Result<Option<u64>, StoreError> {
        Ok(self
            .index
            .read()
            .map_err(|_| poisoned())?
            .as_ref()
            .map(|i| i.seq))
    }
}

fn poisoned() -> StoreError {
    StoreError::Corrupt("the draw facts model is unusable after a panic".into())
}

/// Read what changed since `current` (everything when `None`, or when too
/// much changed).
fn read_update(conn: &mut DbConn, current: Option<u64>) -> Result<Update, StoreError> {
    let seq = audit::size(conn)?;
    let subjects = match current {
        Some(from) => audit::subjects_since(conn, from, RELOAD_ABOVE)?,
        None => None,
    };
    let Some(subjects) = subjects else {
        return Ok(Update {
            seq,
            subjects: None,
            experts: load_facts(conn, None)?,
            panels: Vec::new(),
            seats: load_seats(conn, None)?,
        });
    };
    let panels = panels_named(conn, &subjects)?;
    Ok(Update {
        seq,
        experts: load_facts(conn, Some(&subjects))?,
        seats: load_seats(conn, Some(&panels))?,
        panels,
        subjects: Some(subjects),
    })
}

/// The panel ids entry subjects may name: each subject itself (a panel's
/// id), and the panel of each draw named (a supplementary draw's members
/// belong to the first draw's panel). Subjects that name no panel stay in
/// the list: they have no members, so the callers' reads of members by
/// `panel_id` find nothing for them, and no query is spent sorting them out.
///
/// A member's `panel_id` is its draw's `panel_id` (`draws::insert_member`),
/// so the draws named are looked up by primary key and their panels' members
/// by the members' key: `panel_id IN (…) OR draw_id IN (…)` on the members
/// was a scan of every member ever seated, under the log-head lock.
pub fn panels_named(conn: &mut DbConn, subjects: &[String]) -> Result<Vec<String>, StoreError> {
    let mut named: BTreeSet<String> = subjects.iter().cloned().collect();
    for chunk in subjects.chunks(IDS_PER_QUERY) {
        named.extend(
            draws::table
                .filter(draws::id.eq_any(chunk))
                .select(draws::panel_id)
                .load::<String>(conn)?,
        );
    }
    Ok(named.into_iter().collect())
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

/// The facts of the experts `ids` (all when `None`) without their seats.
fn load_facts(conn: &mut DbConn, ids: Option<&[String]>) -> Result<Vec<ExpertFacts>, StoreError> {
    let mut rows: Vec<ExpertRow> = Vec::new();
    let mut leaves: Vec<(String, NaiveDate, NaiveDate)> = Vec::new();
    let mut jobs: Vec<(String, String, NaiveDate, Option<NaiveDate>)> = Vec::new();
    let columns = (
        experts::id,
        experts::region,
        experts::employer_code,
        experts::specialties,
        experts::status,
        experts::term_start,
        experts::term_end,
        experts::leave_from,
        experts::leave_to,
    );
    let leave_columns = (
        expert_leaves::expert_id,
        expert_leaves::from_date,
        expert_leaves::to_date,
    );
    let job_columns = (
        employment_history::expert_id,
        employment_history::employer_code,
        employment_history::from_date,
        employment_history::to_date,
    );
    match ids {
        None => {
            rows = experts::table.select(columns).load(conn)?;
            leaves = expert_leaves::table.select(leave_columns).load(conn)?;
            jobs = employment_history::table
                .order((employment_history::expert_id, employment_history::position))
                .select(job_columns)
                .load(conn)?;
        }
        Some(ids) => {
            for chunk in ids.chunks(IDS_PER_QUERY) {
                rows.extend(
                    experts::table
                        .filter(experts::id.eq_any(chunk))
                        .select(columns)
                        .load::<ExpertRow>(conn)?,
                );
                leaves.extend(
                    expert_leaves::table
                        .filter(expert_leaves::expert_id.eq_any(chunk))
                        .select(leave_columns)
                        .load::<(String, NaiveDate, NaiveDate)>(conn)?,
                );
                jobs.extend(
                    employment_history::table
                        .filter(employment_history::expert_id.eq_any(chunk))
                        .order((employment_history::expert_id, employment_history::position))
                        .select(job_columns)
                        .load::<(String, String, NaiveDate, Option<NaiveDate>)>(conn)?,
                );
            }
        }
    }
    let mut leave_map: HashMap<String, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for (id, a, b) in leaves {
        leave_map.entry(id).or_default().push((a, b));
    }
    let mut job_map: HashMap<String, Vec<(String, NaiveDate, Option<NaiveDate>)>> = HashMap::new();
    for (id, code, a, b) in jobs {
        job_map.entry(id).or_default().push((code, a, b));
    }
    rows.into_iter()
        .map(
            |(id, region, employer, specialties, status, ts, te, lf, lt)| {
                let in_pool = IN_POOL.contains(&status.as_str());
                Ok(ExpertFacts {
                    specialties: serde_json::from_str(&specialties).map_err(|e| {
                        StoreError::Corrupt(format!("expert {id}: specialties: {e}"))
                    })?,
                    term: ts.zip(te).filter(|_| in_pool),
                    status_leave: lf.zip(lt).filter(|_| status == "on_leave"),
                    leaves: leave_map.remove(&id).unwrap_or_default(),
                    employments: job_map.remove(&id).unwrap_or_default(),
                    seats: Vec::new(),
                    region,
                    employer,
                    id,
                })
            },
        )
        .collect()
}

/// The seats (panel, expert, seat) on the panels `panels` (all when
/// `None`).
fn load_seats(
    conn: &mut DbConn,
    panels: Option<&[String]>,
) -> Result<Vec<(String, String, Seat)>, StoreError> {
    type SeatRow = (String, String, String, NaiveDateTime, NaiveDateTime);
    let columns = (
        panel_members::panel_id,
        panel_members::expert_id,
        panel_members::tenderer,
        panel_members::window_start,
        panel_members::window_end,
    );
    let mut rows: Vec<SeatRow> = Vec::new();
    match panels {
        None => {
            rows = panel_members::table
                .filter(panel_members::seat.eq(true))
                .select(columns)
                .load(conn)?;
        }
        Some(panels) => {
            for chunk in panels.chunks(IDS_PER_QUERY) {
                rows.extend(
                    panel_members::table
                        .filter(panel_members::panel_id.eq_any(chunk))
                        .filter(panel_members::seat.eq(true))
                        .select(columns)
                        .load::<SeatRow>(conn)?,
                );
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|(panel, expert, tenderer, start, end)| {
            let seat = Seat {
                tenderer,
                start: from_db_time(start),
                end: from_db_time(end),
            };
            (panel, expert, seat)
        })
        .collect())
}

impl Index {
    fn load(update: Update) -> Index {
        let mut index = Index {
            seq: update.seq,
            ..Index::default()
        };
        for facts in update.experts {
            index.insert(facts);
        }
        index.seat_all(update.seats);
        index
    }

    /// Apply a catch-up read under the write lock (never backwards).
    fn apply(&mut self, update: Update) {
        if update.seq <= self.seq {
            return;
        }
        let changed: Vec<String> = update.subjects.unwrap_or_default();
        let mut read: HashMap<String, ExpertFacts> = update
            .experts
            .into_iter()
            .map(|f| (f.id.clone(), f))
            .collect();
        let mut experts_changed = false;
        for id in &changed {
            let old = self.remove(id);
            if let Some(mut facts) = read.remove(id) {
                // The expert's seats are the panels' business.
                facts.seats = old.map(|o| o.seats.clone()).unwrap_or_default();
                self.insert(facts);
                experts_changed = true;
            } else if old.is_some() {
                experts_changed = true;
            }
        }
        for panel in &update.panels {
            for (expert, seat) in self.panels.remove(panel).unwrap_or_default() {
                if let Some(held) = self.experts.get_mut(&expert) {
                    let seats = &mut Arc::make_mut(held).facts.seats;
                    if let Some(at) = seats.iter().position(|s| *s == seat) {
                        seats.swap_remove(at);
                    }
                }
            }
        }
        self.seat_all(update.seats);
        if experts_changed && let Ok(mut covered) = self.covered.lock() {
            covered.clear();
        }
        self.seq = update.seq;
    }

    fn insert(&mut self, facts: ExpertFacts) {
        for code in &facts.specialties {
            self.by_specialty
                .entry(code.clone())
                .or_default()
                .insert(facts.id.clone());
        }
        if facts.status_leave.is_some() || !facts.leaves.is_empty() {
            self.with_leave.insert(facts.id.clone());
        }
        self.experts
            .insert(facts.id.clone(), Arc::new(Held::new(facts)));
    }

    fn remove(&mut self, id: &str) -> Option<Arc<Held>> {
        let old = self.experts.remove(id)?;
        for code in &old.specialties {
            if let Some(ids) = self.by_specialty.get_mut(code) {
                ids.remove(id);
                if ids.is_empty() {
                    self.by_specialty.remove(code);
                }
            }
        }
        self.with_leave.remove(id);
        Some(old)
    }

    fn seat_all(&mut self, seats: Vec<(String, String, Seat)>) {
        for (panel, expert, seat) in seats {
            if let Some(held) = self.experts.get_mut(&expert) {
                Arc::make_mut(held).facts.seats.push(seat.clone());
            }
            self.panels.entry(panel).or_default().push((expert, seat));
        }
    }

    /// The experts matching a group of `ctx`, assessed, and the rest of the
    /// registry counted by reason.
    /// The experts matching a group of `ctx` (in id order) and the counts
    /// the rest of the registry is excluded by.
    fn gather(&self, ctx: &FilterContext) -> Result<Gathered, StoreError> {
        let mut ids: Vec<&str> = Vec::new();
        for group in &ctx.group_specialties {
            let upper = format!("{group}\u{7f}");
            let range = (
                std::ops::Bound::Included(group.as_str()),
                std::ops::Bound::Excluded(upper.as_str()),
            );
            for (_, holders) in self.by_specialty.range::<str, _>(range) {
                ids.extend(holders.iter().map(String::as_str));
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let held =
            ids.iter()
                .map(|id| {
                    self.experts.get(*id).cloned().ok_or_else(|| {
                        StoreError::Corrupt(format!("expert {id} indexed, not held"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
        let window = Window::of(ctx);
        let leave_covered = self
            .with_leave
            .iter()
            .filter(|id| ids.binary_search(&id.as_str()).is_err())
            .filter_map(|id| self.experts.get(id))
            .filter(|f| window.covers(f.term) && on_leave(f, ctx))
            .count() as u64;
        Ok(Gathered {
            seq: self.seq,
            held,
            all: self.experts.len() as u64,
            covered: self.covered_count(ctx),
            leave_covered,
        })
    }

    fn covered_count(&self, ctx: &FilterContext) -> u64 {
        let window = (china_date(ctx.start), china_date(ctx.end));
        if let Some(n) = self
            .covered
            .lock()
            .ok()
            .and_then(|c| c.get(&window).copied())
        {
            return n;
        }
        let dates = Window::of(ctx);
        let n = self
            .experts
            .values()
            .filter(|f| dates.covers(f.term))
            .count() as u64;
        if let Ok(mut covered) = self.covered.lock() {
            if covered.len() >= 4_096 {
                covered.clear();
            }
            covered.insert(window, n);
        }
        n
    }
}

/// `assess`'s leave filter.
fn on_leave(f: &ExpertFacts, ctx: &FilterContext) -> bool {
    let overlaps = |(from, to): (NaiveDate, NaiveDate)| leave_overlaps(from, to, ctx);
    f.status_leave.is_some_and(overlaps) || f.leaves.iter().copied().any(overlaps)
}

#[cfg(test)]
mod tests {
    use super::IdHasher;
    use std::collections::HashSet;
    use std::hash::{BuildHasher, BuildHasherDefault};

    /// Ids that differ only in their last digits spread over the buckets a
    /// table of 100,000 picks by the low bits (without the finaliser, 32
    /// buckets took them all).
    #[test]
    fn sequential_ids_spread_over_low_bits() {
        let build = BuildHasherDefault::<IdHasher>::default();
        let buckets: HashSet<u64> = (0..100_000)
            .map(|n| build.hash_one(format!("E{n:07}")) & 0x1_ffff)
            .collect();
        assert!(buckets.len() > 50_000, "{} buckets used", buckets.len());
    }
}
