//! The candidate pool of a statement in columns: ids back to back in one
//! string, and region, employer and specialty codes interned to small ids.
//!
//! A million candidates then take tens of megabytes in a handful of
//! allocations, and a pass over them reads memory in order.

use std::ops::Range;

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
    region_names: Names,
    employer_names: Names,
    specialty_names: Names,
}

/// Interned names indexed by code, back to back in one string: two
/// allocations per column instead of one per name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Names {
    text: String,
    /// Name `k` is `text[ends[k-1]..ends[k]]`.
    ends: Vec<usize>,
}

impl Names {
    pub(crate) fn get(&self, code: usize) -> Option<&str> {
        let end = *self.ends.get(code)?;
        let start = match code.checked_sub(1) {
            None => 0,
            Some(k) => *self.ends.get(k)?,
        };
        self.text.get(start..end)
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The names in code order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|k| self.get(k).unwrap_or(""))
    }

    pub(super) fn push(&mut self, name: &str) {
        self.text.push_str(name);
        self.ends.push(self.text.len());
    }
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

fn name<'s>(names: &'s Names, at: Option<&u32>) -> &'s str {
    at.and_then(|&k| names.get(k as usize)).unwrap_or("")
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
            .map(move |&k| all.specialty_names.get(k as usize).unwrap_or(""))
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

    /// All specialty codes back to back and where each candidate's end.
    pub(crate) fn specialty_columns(&self) -> (&[u32], &[usize]) {
        (&self.specialty, &self.specialty_ends)
    }

    pub(crate) fn employer_codes(&self) -> &[u32] {
        &self.employer
    }

    pub(crate) fn employer_count(&self) -> usize {
        self.employer_names.len()
    }

    pub(crate) fn specialty_names(&self) -> &Names {
        &self.specialty_names
    }

    /// The interned code of a region name, if any candidate has it.
    pub(crate) fn region_code(&self, region: &str) -> Option<u32> {
        let k = self.region_names.iter().position(|r| r == region)?;
        u32::try_from(k).ok()
    }
}

/// Rows with codes of the caller's choosing (the scan's memo-wide codes)
/// and no name tables: what a scan appends to, and what its memo keeps.
/// [`Candidates::renumbered`] makes of them the statement's own list.
impl Candidates {
    /// Empties the columns, keeping their room.
    pub(super) fn clear_rows(&mut self) {
        self.id_text.clear();
        self.id_ends.clear();
        self.region.clear();
        self.employer.clear();
        self.specialty.clear();
        self.specialty_ends.clear();
        self.recent.clear();
    }

    /// Room for `n` more rows, with `id_bytes` more bytes of ids.
    pub(super) fn reserve_rows(&mut self, n: usize, id_bytes: usize) {
        self.id_ends.reserve(n);
        self.region.reserve(n);
        self.employer.reserve(n);
        self.specialty_ends.reserve(n);
        self.recent.reserve(n);
        self.specialty.reserve(2 * n);
        self.id_text.reserve(id_bytes);
    }

    /// The id of the last row.
    pub(super) fn last_id(&self) -> Option<&str> {
        self.len().checked_sub(1).and_then(|i| self.id(i))
    }

    /// Appends one row (its specialty codes in order).
    pub(super) fn push_row(
        &mut self,
        id: &str,
        region: u32,
        employer: u32,
        specialties: &[u32],
        recent: u32,
    ) -> Result<(), TooLarge> {
        if u32::try_from(self.id_ends.len()).is_err() {
            return Err(TooLarge);
        }
        self.id_text.push_str(id);
        self.id_ends.push(self.id_text.len());
        self.region.push(region);
        self.employer.push(employer);
        self.specialty.extend_from_slice(specialties);
        self.specialty_ends.push(self.specialty.len());
        self.recent.push(recent);
        Ok(())
    }

    /// Appends rows `rows` of `from`, codes as they are: a few copies of
    /// whole runs, where row by row cost a call and a check per field.
    pub(super) fn extend_rows(&mut self, from: &Self, rows: Range<usize>) -> Result<(), TooLarge> {
        let len = self.id_ends.len().checked_add(rows.len()).ok_or(TooLarge)?;
        if u32::try_from(len).is_err() {
            return Err(TooLarge);
        }
        let before = |ends: &[usize]| {
            rows.start
                .checked_sub(1)
                .map_or(Some(0), |p| ends.get(p).copied())
        };
        let slice = |ends: &[usize]| -> Option<Range<usize>> {
            let start = before(ends)?;
            let end = *ends.get(rows.end.checked_sub(1)?)?;
            (start <= end).then_some(start..end)
        };
        let (Some(ids), Some(specs)) = (slice(&from.id_ends), slice(&from.specialty_ends)) else {
            return Err(TooLarge);
        };
        let (Some(text), Some(codes), Some(id_ends), Some(spec_ends)) = (
            from.id_text.get(ids.clone()),
            from.specialty.get(specs.clone()),
            from.id_ends.get(rows.clone()),
            from.specialty_ends.get(rows.clone()),
        ) else {
            return Err(TooLarge);
        };
        let (Some(region), Some(employer), Some(recent)) = (
            from.region.get(rows.clone()),
            from.employer.get(rows.clone()),
            from.recent.get(rows.clone()),
        ) else {
            return Err(TooLarge);
        };
        // Ends move by where the copied text lands against where it was.
        let (id_base, spec_base) = (self.id_text.len(), self.specialty.len());
        self.id_text.push_str(text);
        self.id_ends
            .extend(id_ends.iter().map(|&e| e - ids.start + id_base));
        self.specialty.extend_from_slice(codes);
        self.specialty_ends
            .extend(spec_ends.iter().map(|&e| e - specs.start + spec_base));
        self.region.extend_from_slice(region);
        self.employer.extend_from_slice(employer);
        self.recent.extend_from_slice(recent);
        Ok(())
    }

    /// The statement's own list from these rows: each column's codes
    /// renumbered in order of first appearance and its names gathered in
    /// that order, which is exactly what [`CandidatesBuilder`] gives for
    /// the same rows. `names` holds the rows' names by their codes;
    /// `tables[column][code]` is scratch, `(stamp, new code)`, at least as
    /// long as `names` and never holding `stamp` on entry.
    pub(super) fn renumbered(
        &self,
        names: &Interner,
        tables: &mut [Vec<(u32, u32)>; 3],
        stamp: u32,
    ) -> Option<Self> {
        let codes = self.renumber_codes(names, tables, stamp)?;
        let mut list = Self {
            id_text: self.id_text.clone(),
            id_ends: self.id_ends.clone(),
            specialty_ends: self.specialty_ends.clone(),
            recent: self.recent.clone(),
            ..Self::default()
        };
        list.set_codes(codes);
        Some(list)
    }

    /// [`Candidates::renumbered`], turning these rows into the list
    /// rather than copying them.
    pub(super) fn renumbered_into(
        mut self,
        names: &Interner,
        tables: &mut [Vec<(u32, u32)>; 3],
        stamp: u32,
    ) -> Option<Self> {
        let codes = self.renumber_codes(names, tables, stamp)?;
        self.set_codes(codes);
        Some(self)
    }

    /// The region, employer and specialty columns renumbered, with their
    /// names.
    fn renumber_codes(
        &self,
        names: &Interner,
        tables: &mut [Vec<(u32, u32)>; 3],
        stamp: u32,
    ) -> Option<[(Vec<u32>, Names); 3]> {
        let [regions, employers, specialties] = tables;
        Some([
            renumber(&self.region, names, regions, stamp)?,
            renumber(&self.employer, names, employers, stamp)?,
            renumber(&self.specialty, names, specialties, stamp)?,
        ])
    }

    fn set_codes(&mut self, [region, employer, specialty]: [(Vec<u32>, Names); 3]) {
        (self.region, self.region_names) = region;
        (self.employer, self.employer_names) = employer;
        (self.specialty, self.specialty_names) = specialty;
    }
}

/// One column renumbered by first appearance (see [`Candidates::renumbered`]).
fn renumber(
    codes: &[u32],
    names: &Interner,
    table: &mut [(u32, u32)],
    stamp: u32,
) -> Option<(Vec<u32>, Names)> {
    let mut out = Vec::with_capacity(codes.len());
    let mut found = Names::default();
    for &g in codes {
        let slot = table.get_mut(g as usize)?;
        if slot.0 != stamp {
            let code = u32::try_from(found.len()).ok()?;
            found.push(names.name(g)?);
            *slot = (stamp, code);
        }
        out.push(slot.1);
    }
    Some((out, found))
}

/// Too many distinct values (or candidates) for 32-bit codes.
#[derive(Debug, Clone, Copy)]
pub(super) struct TooLarge;

/// Distinct strings to dense codes, in first-seen order: an open-addressing
/// table of (hash, code) over the names kept back to back in one string.
/// Interning needs *a* hash, not an unpredictable one (the codes do not
/// depend on it): a fixed multiply-rotate hash keeps the crate free of OS
/// randomness and costs a few cycles per 8 bytes, where SipHash and one
/// allocation per name showed in the verifier's profile. A statement built
/// to collide could only slow down its own reading.
#[derive(Debug)]
pub(super) struct Interner {
    /// `(hash, code + 1)`; `code + 1 == 0` marks an empty slot. The length
    /// is a power of two, at least twice the number of names.
    slots: Vec<(u32, u32)>,
    names: Names,
}

impl Default for Interner {
    fn default() -> Self {
        Self {
            slots: vec![(0, 0); 64],
            names: Names::default(),
        }
    }
}

/// The 8 bytes of `s` at `at`, little-endian (0 past the end).
fn load8(s: &[u8], at: usize) -> u64 {
    s.get(at..at + 8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, u64::from_le_bytes)
}

/// `s` shorter than 8 bytes as one word.
fn small(s: &[u8]) -> u64 {
    s.iter()
        .enumerate()
        .fold(0, |w, (i, &b)| w | (u64::from(b) << (8 * i)))
}

/// The words of `s`: whole 8-byte words, the last one overlapping the one
/// before when the length is not a multiple of 8 (the length is hashed and
/// compared apart).
fn words(s: &[u8]) -> impl Iterator<Item = u64> + '_ {
    let n = s.len();
    let short = (n < 8).then(|| small(s));
    let long = (n >= 8).then(|| (0..n.div_ceil(8)).map(move |k| load8(s, (8 * k).min(n - 8))));
    short.into_iter().chain(long.into_iter().flatten())
}

/// rustc's `FxHasher` step (public-domain algorithm) over 8-byte words,
/// with a final mix so that the bits the table uses depend on every byte.
fn fx_hash(bytes: &[u8]) -> u32 {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    let h = words(bytes).fold(bytes.len() as u64, |h, w| {
        (h.rotate_left(5) ^ w).wrapping_mul(SEED)
    });
    let h = (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    (h >> 32) as u32
}

/// Byte equality a word at a time, without a call for short names.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && words(a).zip(words(b)).all(|(x, y)| x == y)
}

impl Interner {
    pub(super) fn len(&self) -> usize {
        self.names.len()
    }

    /// The name with this code.
    pub(super) fn name(&self, code: u32) -> Option<&str> {
        self.names.get(code as usize)
    }

    pub(super) fn intern(&mut self, s: &str) -> Result<u32, TooLarge> {
        let hash = fx_hash(s.as_bytes());
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            match self.slots.get(at).copied() {
                Some((h, code)) if code != 0 => {
                    let code = code - 1;
                    if h == hash
                        && same(
                            self.names.get(code as usize).unwrap_or("").as_bytes(),
                            s.as_bytes(),
                        )
                    {
                        return Ok(code);
                    }
                    at = (at + 1) & mask;
                }
                _ => break,
            }
        }
        let code = u32::try_from(self.names.len()).map_err(|_| TooLarge)?;
        let stored = code.checked_add(1).ok_or(TooLarge)?;
        self.names.push(s);
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = (hash, stored);
        }
        if self.names.len() * 2 > self.slots.len() {
            self.grow();
        }
        Ok(code)
    }

    fn grow(&mut self) {
        let mut slots = vec![(0u32, 0u32); self.slots.len() * 2];
        let mask = slots.len() - 1;
        for &(h, code) in self.slots.iter().filter(|s| s.1 != 0) {
            let mut at = h as usize & mask;
            while slots.get(at).is_some_and(|s| s.1 != 0) {
                at = (at + 1) & mask;
            }
            if let Some(slot) = slots.get_mut(at) {
                *slot = (h, code);
            }
        }
        self.slots = slots;
    }

    /// The names, indexed by code.
    fn into_names(self) -> Names {
        self.names
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
