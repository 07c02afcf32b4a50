//! The expert registry as list pages read it: an in-memory read model of
//! the `experts` table, rows already rendered as the JSON a page sends.
//!
//! The model is kept at a known log size. Every change of an expert's row
//! appends, in the same transaction, an entry whose `subject` is the
//! expert's id (the store's invariant), and writers append in commit order
//! under the log-head lock. So a reader that finds the log at size `n`
//! brings the model up to `n` by re-reading exactly the experts named by
//! the entries logged since — nothing else can have changed. Each instance
//! of the service holds its own model; several instances behind a load
//! balancer each catch up from the shared log, so none serves a page older
//! than the log it has just read.
//!
//! A page costs one query when nothing changed (the log's size, read in
//! the same database hop as the token check), then a walk of the smallest
//! candidate set (region, employer or specialty postings, or the whole
//! registry in id order) until the page is full, and copying pre-rendered
//! bytes. The pages are byte for byte what serialising
//! [`crate::http::experts::ExpertView`] gives (a test holds them to it).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, RwLock};

use expert_core::identity::{mask_mobile, mask_resident_id};
use expert_core::lifecycle::StatusKind;

use crate::db::DbConn;
use crate::store::experts::{ListFilter, ListedExpert, load_listed};
use crate::store::{StoreError, audit};

/// Above this many subjects logged since the last catch-up (a bulk import),
/// the whole registry is read afresh instead of expert by expert.
const RELOAD_ABOVE: usize = 5_000;

/// What a caller may see of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audience {
    /// Resident ID and mobile in full (admins), else masked.
    pub personal_data: bool,
    /// The employer's contact for notices (admins, regulators), else `null`.
    pub employer_contact: bool,
}

/// The shared read model; cheap to query from many threads at once.
#[derive(Debug, Default)]
pub struct Registry {
    index: RwLock<Option<Index>>,
    /// Serialises catch-ups, so concurrent readers that find the model
    /// behind read the database once, not once each.
    catching_up: Mutex<()>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// The page `filter` selects as of log size `size` (just read by the
    /// caller, or later): the response body, an `ExpertPage`. `cursor`
    /// turns the last row's id into the `next_cursor` string.
    pub fn page(
        &self,
        conn: &mut DbConn,
        size: u64,
        filter: &ListFilter,
        audience: Audience,
        cursor: impl Fn(&str) -> String,
    ) -> Result<Vec<u8>, StoreError> {
        self.catch_up(conn, size)?;
        let guard = self.index.read().map_err(|_| poisoned())?;
        let index = guard.as_ref().ok_or_else(poisoned)?;
        Ok(index.page(filter, audience, cursor))
    }

    /// Bring the model up to at least log size `size` (read from the log
    /// by the caller). Also used to warm the model at start.
    pub fn catch_up(&self, conn: &mut DbConn, size: u64) -> Result<(), StoreError> {
        if self.seq()? >= Some(size) {
            return Ok(());
        }
        let _one = self.catching_up.lock().map_err(|_| poisoned())?;
        let current = self.seq()?;
        if current >= Some(size) {
            return Ok(());
        }
        // One snapshot: the size it reflects and the rows agree.
        let update = crate::store::snapshot(conn, |conn| {
            let seq = audit::size(conn)?;
            let changed = match current {
                Some(from) => audit::subjects_since(conn, from, RELOAD_ABOVE)?,
                None => None,
            };
            let rows = load_listed(conn, changed.as_deref())?;
            let rows = rows
                .into_iter()
                .map(Row::render)
                .collect::<Result<Vec<_>, _>>()?;
            Ok((seq, changed, rows))
        })?;
        let (seq, changed, rows) = update;
        let mut guard = self.index.write().map_err(|_| poisoned())?;
        match (changed, guard.as_mut()) {
            (Some(ids), Some(index)) => {
                for id in &ids {
                    index.remove(id);
                }
                for row in rows {
                    index.insert(row);
                }
                index.seq = seq;
            }
            _ => {
                let mut index = Index {
                    seq,
                    ..Index::default()
                };
                for row in rows {
                    index.insert(row);
                }
                *guard = Some(index);
            }
        }
        Ok(())
    }

    /// The log size the model reflects (`None` before the first load).
    fn seq(&self) -> Result<Option<u64>, StoreError> {
        Ok(self
            .index
            .read()
            .map_err(|_| poisoned())?
            .as_ref()
            .map(|i| i.seq))
    }
}

fn poisoned() -> StoreError {
    StoreError::Corrupt("the registry read model is unusable after a panic".into())
}

/// One expert: what the filters compare and the page's JSON in pieces.
#[derive(Debug)]
struct Row {
    id: Arc<str>,
    status: StatusKind,
    region: Box<str>,
    employer_code: Box<str>,
    specialties: Box<[Box<str>]>,
    /// Name and employer name with ASCII letters lowercased, for `q`.
    name_folded: Box<str>,
    employer_folded: Box<str>,
    json: Rendered,
}

/// `{"id":…,"name":…,"resident_id":` RID `,"mobile":` MOBILE MIDDLE CONTACT TAIL
#[derive(Debug)]
struct Rendered {
    head: Box<str>,
    resident_id: Box<str>,
    resident_id_masked: Box<str>,
    mobile: Box<str>,
    mobile_masked: Box<str>,
    /// `,"region":…,"civil_servant":…,"employer_contact":`
    middle: Box<str>,
    /// The employer contact as JSON, or `null`.
    contact: Box<str>,
    /// `,"status":…,"version":…}`
    tail: Box<str>,
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode a list row: {e}")))
}

impl Row {
    /// Render a stored row in the field order and formats of `ExpertView`.
    fn render(r: ListedExpert) -> Result<Row, StoreError> {
        let status = StatusKind::parse(&r.status).ok_or_else(|| {
            StoreError::Corrupt(format!("expert {}: status {:?}", r.id, r.status))
        })?;
        let specialties = r.specialties()?;
        let contact = match r.employer_contact()? {
            Some(c) => json(&c)?,
            None => "null".to_owned(),
        };
        let head = format!(
            "{{\"id\":{},\"name\":{},\"resident_id\":",
            json(&r.id)?,
            json(&r.name)?
        );
        let middle = format!(
            ",\"region\":{},\"employer\":{{\"name\":{},\"code\":{}}},\"specialties\":{},\
             \"title\":{},\"senior_equivalent\":{},\"years_in_field\":{},\"civil_servant\":{},\
             \"employer_contact\":",
            json(&r.region)?,
            json(&r.employer_name)?,
            json(&r.employer_code)?,
            json(&specialties)?,
            json(&r.title)?,
            r.senior_equivalent,
            r.years_in_field()?,
            r.civil_servant,
        );
        let tail = format!(
            ",\"status\":{},\"status_detail\":{},\"term_number\":{},\"created_at\":{},\
             \"updated_at\":{},\"version\":{}}}",
            json(status.as_str())?,
            json(&r.status_detail()?)?,
            r.term_number()?,
            json(&r.created_at())?,
            json(&r.updated_at())?,
            r.version,
        );
        Ok(Row {
            json: Rendered {
                head: head.into(),
                resident_id: json(&r.resident_id)?.into(),
                resident_id_masked: json(&mask_resident_id(&r.resident_id))?.into(),
                mobile: json(&r.mobile)?.into(),
                mobile_masked: json(&mask_mobile(&r.mobile))?.into(),
                middle: middle.into(),
                contact: contact.into(),
                tail: tail.into(),
            },
            id: r.id.into(),
            status,
            region: r.region.into(),
            employer_code: r.employer_code.into(),
            specialties: specialties.into_iter().map(Into::into).collect(),
            name_folded: r.name.to_ascii_lowercase().into(),
            employer_folded: r.employer_name.to_ascii_lowercase().into(),
        })
    }

    fn write(&self, out: &mut Vec<u8>, audience: Audience) {
        let j = &self.json;
        out.extend_from_slice(j.head.as_bytes());
        let (rid, mobile) = if audience.personal_data {
            (&j.resident_id, &j.mobile)
        } else {
            (&j.resident_id_masked, &j.mobile_masked)
        };
        out.extend_from_slice(rid.as_bytes());
        out.extend_from_slice(b",\"mobile\":");
        out.extend_from_slice(mobile.as_bytes());
        out.extend_from_slice(j.middle.as_bytes());
        if audience.employer_contact {
            out.extend_from_slice(j.contact.as_bytes());
        } else {
            out.extend_from_slice(b"null");
        }
        out.extend_from_slice(j.tail.as_bytes());
    }

    fn len_hint(&self) -> usize {
        let j = &self.json;
        j.head.len()
            + j.resident_id.len()
            + j.mobile.len()
            + j.middle.len()
            + j.contact.len()
            + j.tail.len()
            + 12
    }

    /// Whether the row passes every filter (the cursor aside).
    fn matches(&self, f: &Filter<'_>) -> bool {
        f.status.is_none_or(|s| s == self.status)
            && f.region.is_none_or(|r| r == &*self.region)
            && f.employer.is_none_or(|e| e == &*self.employer_code)
            && f.specialty
                .is_none_or(|p| self.specialties.iter().any(|c| c.starts_with(p)))
            && f.text
                .as_deref()
                .is_none_or(|t| self.name_folded.contains(t) || self.employer_folded.contains(t))
    }
}

/// A [`ListFilter`] ready to compare: the text folded once.
struct Filter<'a> {
    status: Option<StatusKind>,
    region: Option<&'a str>,
    employer: Option<&'a str>,
    specialty: Option<&'a str>,
    text: Option<String>,
}

type Ids = BTreeSet<Arc<str>>;

#[derive(Debug, Default)]
struct Index {
    /// The log size this index reflects.
    seq: u64,
    rows: BTreeMap<Arc<str>, Row>,
    by_region: HashMap<Box<str>, Ids>,
    by_employer: HashMap<Box<str>, Ids>,
    by_specialty: BTreeMap<Box<str>, Ids>,
}

/// Where a page's candidates come from, smallest first.
enum Source<'a> {
    All,
    Set(&'a Ids),
    Specialties(Vec<&'a Ids>),
    Nothing,
}

impl Index {
    fn insert(&mut self, row: Row) {
        let id = row.id.clone();
        self.by_region
            .entry(row.region.clone())
            .or_default()
            .insert(id.clone());
        self.by_employer
            .entry(row.employer_code.clone())
            .or_default()
            .insert(id.clone());
        for code in &row.specialties {
            self.by_specialty
                .entry(code.clone())
                .or_default()
                .insert(id.clone());
        }
        self.rows.insert(id, row);
    }

    /// Drop `id` and its postings (no-op for an id that is not an expert).
    fn remove(&mut self, id: &str) {
        let Some(row) = self.rows.remove(id) else {
            return;
        };
        unpost(&mut self.by_region, &row.region, id);
        unpost(&mut self.by_employer, &row.employer_code, id);
        for code in &row.specialties {
            if let Some(ids) = self.by_specialty.get_mut(code) {
                ids.remove(id);
                if ids.is_empty() {
                    self.by_specialty.remove(code);
                }
            }
        }
    }

    fn page(&self, f: &ListFilter, audience: Audience, cursor: impl Fn(&str) -> String) -> Vec<u8> {
        let filter = Filter {
            status: f.status,
            region: f.region.as_deref(),
            employer: f.employer.as_deref(),
            specialty: f.specialty.as_deref(),
            text: f.text.as_deref().map(str::to_ascii_lowercase),
        };
        let after = f.after.as_deref();
        let want = f.limit as usize;
        let mut found: Vec<&Row> = Vec::with_capacity(want + 1);
        let mut take = |id: &Arc<str>| {
            if let Some(row) = self.rows.get(id)
                && row.matches(&filter)
            {
                found.push(row);
            }
            found.len() > want
        };
        match self.source(&filter) {
            Source::Nothing => {}
            Source::All => {
                for row in self
                    .rows
                    .range::<str, _>(after_bound(after))
                    .map(|(_, r)| r)
                {
                    if row.matches(&filter) {
                        found.push(row);
                        if found.len() > want {
                            break;
                        }
                    }
                }
            }
            Source::Set(ids) => {
                for id in ids.range::<str, _>(after_bound(after)) {
                    if take(id) {
                        break;
                    }
                }
            }
            Source::Specialties(sets) => {
                for id in merged(&sets, after) {
                    if take(id) {
                        break;
                    }
                }
            }
        }
        let more = found.len() > want;
        found.truncate(want);
        let mut body = Vec::with_capacity(found.iter().map(|r| r.len_hint()).sum::<usize>() + 64);
        body.extend_from_slice(b"{\"items\":[");
        for (i, row) in found.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            row.write(&mut body, audience);
        }
        body.extend_from_slice(b"],\"next_cursor\":");
        match found.last() {
            Some(last) if more => {
                // Cursors are base64url: no character needs escaping.
                body.push(b'"');
                body.extend_from_slice(cursor(&last.id).as_bytes());
                body.push(b'"');
            }
            _ => body.extend_from_slice(b"null"),
        }
        body.push(b'}');
        body
    }

    /// The smallest candidate set that every match must belong to.
    fn source<'a>(&'a self, f: &Filter<'_>) -> Source<'a> {
        let mut best = Source::All;
        let mut best_len = self.rows.len();
        let mut consider = |set: Option<&'a Ids>, best: &mut Source<'a>| match set {
            None => {
                *best = Source::Nothing;
                best_len = 0;
            }
            Some(ids) if ids.len() < best_len => {
                best_len = ids.len();
                *best = Source::Set(ids);
            }
            Some(_) => {}
        };
        if let Some(r) = f.region {
            consider(self.by_region.get(r), &mut best);
        }
        if let Some(e) = f.employer {
            consider(self.by_employer.get(e), &mut best);
        }
        if matches!(best, Source::Nothing) {
            return best;
        }
        if let Some(p) = f.specialty {
            let sets: Vec<&Ids> = self
                .by_specialty
                .range::<str, _>((Bound::Included(p), Bound::Unbounded))
                .take_while(|(code, _)| code.starts_with(p))
                .map(|(_, ids)| ids)
                .collect();
            let total: usize = sets.iter().map(|s| s.len()).sum();
            if sets.is_empty() {
                return Source::Nothing;
            }
            // A merge of k sets costs about log k per id.
            let cost =
                total.saturating_mul(usize::BITS as usize - sets.len().leading_zeros() as usize);
            if cost < best_len {
                return Source::Specialties(sets);
            }
        }
        best
    }
}

fn unpost(postings: &mut HashMap<Box<str>, Ids>, key: &str, id: &str) {
    if let Some(ids) = postings.get_mut(key) {
        ids.remove(id);
        if ids.is_empty() {
            postings.remove(key);
        }
    }
}

fn after_bound(after: Option<&str>) -> (Bound<&str>, Bound<&str>) {
    match after {
        Some(a) => (Bound::Excluded(a), Bound::Unbounded),
        None => (Bound::Unbounded, Bound::Unbounded),
    }
}

/// The ids of `sets` after `after`, in order, each once (a k-way merge).
fn merged<'a>(sets: &[&'a Ids], after: Option<&'a str>) -> impl Iterator<Item = &'a Arc<str>> {
    let mut iters: Vec<_> = sets
        .iter()
        .map(|s| s.range::<str, _>(after_bound(after)))
        .collect();
    let mut heap: BinaryHeap<Reverse<(&'a Arc<str>, usize)>> = BinaryHeap::new();
    for (i, it) in iters.iter_mut().enumerate() {
        if let Some(id) = it.next() {
            heap.push(Reverse((id, i)));
        }
    }
    let mut last: Option<&'a Arc<str>> = None;
    std::iter::from_fn(move || {
        while let Some(Reverse((id, i))) = heap.pop() {
            if let Some(next) = iters[i].next() {
                heap.push(Reverse((next, i)));
            }
            if last != Some(id) {
                last = Some(id);
                return Some(id);
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Ids {
        v.iter().map(|s| Arc::<str>::from(*s)).collect()
    }

    #[test]
    fn merge_is_ordered_and_distinct() {
        let a = ids(&["E1", "E3", "E5"]);
        let b = ids(&["E2", "E3", "E6"]);
        let c = ids(&[]);
        let all: Vec<&str> = merged(&[&a, &b, &c], None).map(|s| &**s).collect();
        assert_eq!(all, ["E1", "E2", "E3", "E5", "E6"]);
        let after: Vec<&str> = merged(&[&a, &b], Some("E3")).map(|s| &**s).collect();
        assert_eq!(after, ["E5", "E6"]);
    }
}
