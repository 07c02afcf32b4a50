//! The candidate pool of a statement in columns: ids back to back in one
//! string, and region, employer and specialty codes interned to small ids.
//!
//! A million candidates then take tens of megabytes in a handful of
//! allocations, and a pass over them reads memory in order.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};

/// Interning only needs *a* hash, not an unpredictable one: the fixed-key
/// SipHash keeps the crate free of OS randomness (`RandomState`), and the
/// interned ids do not depend on it anyway (first-seen order).
type FixedState = BuildHasherDefault<DefaultHasher>;

/// The candidates of a valid statement, in statement (= ascending id) order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    /// Candidate `i`'s id is `id_text[id_ends[i-1]..id_ends[i]]`.
    id_text: String,
    id_ends: Vec<usize>,
    region: Vec<u32>,
    employer: Vec<u32>,
    /// Candidate `i`'s specialty codes are `specialty[specialty_ends[i-1]..specialty_ends[i]]`.
    specialty: Vec<u32>,
    specialty_ends: Vec<usize>,
    recent: Vec<u32>,
    region_names: Vec<Box<str>>,
    employer_names: Vec<Box<str>>,
    specialty_names: Vec<Box<str>>,
}

/// One candidate, as a view into [`Candidates`].
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'s> {
    all: &'s Candidates,
    index: usize,
}

fn span<T>(items: &[T], ends: &[usize], i: usize) -> Option<std::ops::Range<usize>> {
    let end = *ends.get(i)?;
    let start = match i.checked_sub(1) {
        None => 0,
        Some(j) => *ends.get(j)?,
    };
    (start <= end && end <= items.len()).then_some(start..end)
}

fn name<'s>(names: &'s [Box<str>], at: Option<&u32>) -> &'s str {
    at.and_then(|&k| names.get(k as usize)).map_or("", |s| s)
}

impl<'s> Candidate<'s> {
    /// Position in the statement.
    #[must_use]
    pub fn index(&self) -> usize {
        self.index
    }

    #[must_use]
    pub fn id(&self) -> &'s str {
        self.all.id(self.index).unwrap_or("")
    }

    #[must_use]
    pub fn region(&self) -> &'s str {
        name(&self.all.region_names, self.all.region.get(self.index))
    }

    #[must_use]
    pub fn employer(&self) -> &'s str {
        name(&self.all.employer_names, self.all.employer.get(self.index))
    }

    /// The specialty codes, in statement order.
    pub fn specialties(&self) -> impl Iterator<Item = &'s str> + use<'s> {
        let all = self.all;
        self.specialty_codes()
            .iter()
            .map(move |&k| all.specialty_names.get(k as usize).map_or("", |s| s))
    }

    #[must_use]
    pub fn recent(&self) -> u32 {
        self.all.recent.get(self.index).copied().unwrap_or(0)
    }

    pub(crate) fn belongs_to(&self, all: &Candidates) -> bool {
        std::ptr::eq(self.all, all)
    }

    pub(crate) fn region_code(&self) -> u32 {
        self.all.region.get(self.index).copied().unwrap_or(0)
    }

    pub(crate) fn specialty_codes(&self) -> &'s [u32] {
        span(&self.all.specialty, &self.all.specialty_ends, self.index)
            .and_then(|r| self.all.specialty.get(r))
            .unwrap_or(&[])
    }
}

impl Candidates {
    #[must_use]
    pub fn len(&self) -> usize {
        self.id_ends.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.id_ends.is_empty()
    }

    #[must_use]
    pub fn get(&self, index: usize) -> Option<Candidate<'_>> {
        (index < self.len()).then_some(Candidate { all: self, index })
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Candidate<'_>> {
        (0..self.len()).map(move |index| Candidate { all: self, index })
    }

    /// The id of candidate `index`.
    #[must_use]
    pub fn id(&self, index: usize) -> Option<&str> {
        span(self.id_text.as_bytes(), &self.id_ends, index).and_then(|r| self.id_text.get(r))
    }

    /// The candidate with this id, by binary search: ids ascend as UTF-8
    /// bytes, which is how `str` orders.
    #[must_use]
    pub fn find(&self, id: &str) -> Option<Candidate<'_>> {
        let (mut lo, mut hi) = (0usize, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.id(mid)?.cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return self.get(mid),
            }
        }
        None
    }

    /// All ids back to back and where each ends: what a prepared pool copies.
    pub(crate) fn id_columns(&self) -> (&str, &[usize]) {
        (&self.id_text, &self.id_ends)
    }

    pub(crate) fn employer_codes(&self) -> &[u32] {
        &self.employer
    }

    pub(crate) fn employer_count(&self) -> usize {
        self.employer_names.len()
    }

    pub(crate) fn specialty_names(&self) -> &[Box<str>] {
        &self.specialty_names
    }

    /// The interned code of a region name, if any candidate has it.
    pub(crate) fn region_code(&self, region: &str) -> Option<u32> {
        let k = self.region_names.iter().position(|r| &**r == region)?;
        u32::try_from(k).ok()
    }
}

/// Too many distinct values (or candidates) for 32-bit codes.
#[derive(Debug, Clone, Copy)]
pub(super) struct TooLarge;

/// Distinct strings to dense codes, in first-seen order. Keys are copied
/// into small allocations of its own rather than borrowed from the JSON
/// value: a hit then compares against memory that stays in cache, not
/// against a string somewhere in a gigabyte of parsed statement.
#[derive(Debug, Default)]
struct Interner {
    codes: HashMap<Box<str>, u32, FixedState>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> Result<u32, TooLarge> {
        if let Some(&k) = self.codes.get(s) {
            return Ok(k);
        }
        let k = u32::try_from(self.codes.len()).map_err(|_| TooLarge)?;
        self.codes.insert(s.into(), k);
        Ok(k)
    }

    /// The names, indexed by code.
    fn into_names(self) -> Vec<Box<str>> {
        let mut named: Vec<(u32, Box<str>)> = self.codes.into_iter().map(|(s, k)| (k, s)).collect();
        named.sort_unstable_by_key(|&(k, _)| k);
        named.into_iter().map(|(_, s)| s).collect()
    }
}

/// Appends candidates that already passed rules 4 and 5.
#[derive(Debug, Default)]
pub(super) struct CandidatesBuilder {
    built: Candidates,
    regions: Interner,
    employers: Interner,
    specialties: Interner,
}

impl CandidatesBuilder {
    pub(super) fn with_capacity(n: usize) -> Self {
        let mut b = Self::default();
        b.built.id_ends.reserve(n);
        b.built.region.reserve(n);
        b.built.employer.reserve(n);
        b.built.specialty_ends.reserve(n);
        b.built.recent.reserve(n);
        b
    }

    pub(super) fn push<'a>(
        &mut self,
        id: &str,
        region: &str,
        employer: &str,
        specialties: impl Iterator<Item = &'a str>,
        recent: u32,
    ) -> Result<(), TooLarge> {
        if u32::try_from(self.built.id_ends.len()).is_err() {
            return Err(TooLarge);
        }
        let region = self.regions.intern(region)?;
        let employer = self.employers.intern(employer)?;
        for s in specialties {
            let k = self.specialties.intern(s)?;
            self.built.specialty.push(k);
        }
        let b = &mut self.built;
        b.id_text.push_str(id);
        b.id_ends.push(b.id_text.len());
        b.region.push(region);
        b.employer.push(employer);
        b.specialty_ends.push(b.specialty.len());
        b.recent.push(recent);
        Ok(())
    }

    pub(super) fn finish(self) -> Candidates {
        let mut built = self.built;
        built.region_names = self.regions.into_names();
        built.employer_names = self.employers.into_names();
        built.specialty_names = self.specialties.into_names();
        built
    }
}
