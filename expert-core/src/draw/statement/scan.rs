//! The candidate list of a statement read straight from its canonical JSON
//! text (RFC 8785, as a log leaf holds it), in one pass over the bytes and
//! without any intermediate value.
//!
//! [`scan_candidates`] accepts exactly one shape, the one a service writes:
//!
//! ```text
//! [{"employer":S,"id":S,"recent":N,"region":S,"specialties":[S(,S)*]}(,…)*]
//! ```
//!
//! where every `S` is a string without escapes or control characters and
//! `N` is `0` or a non-negative integer without leading zeros up to
//! 1000000, with no whitespace anywhere. Those bytes are their own
//! canonical form (the keys are in sorted order, and a string with nothing
//! to escape is written as it is), so a caller that checks canonical form
//! may skip them. It also checks rules 4 and 5 on them and builds the typed
//! [`Candidates`]. Anything else — an escape, another field, a negative or
//! larger number, a rule broken — gives `None`, and the caller reads the
//! statement the ordinary way, which then gives the verdict. The fast path
//! only ever accepts.

use super::Candidates;
use super::candidates::Interner;
use super::rules::MAX_RECENT;

/// Candidates read by [`scan_candidates`]: they passed rules 4 and 5 and are
/// exactly what [`super::validate`] builds from the same list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedCandidates(pub(super) Candidates);

impl ScannedCandidates {
    #[must_use]
    pub fn candidates(&self) -> &Candidates {
        &self.0
    }
}

/// Reads the candidate array that starts at byte `at` of `text` (on its
/// `[`). `Some((candidates, end))` when the array has the one shape above
/// and its candidates pass rules 4 and 5; `end` is the byte after its `]`.
#[must_use]
pub fn scan_candidates(text: &str, at: usize) -> Option<(ScannedCandidates, usize)> {
    scan_candidates_with(text, at, &mut ScanMemo::default())
}

/// What earlier scans learnt, for [`scan_candidates_with`]: the last list
/// read, and the names met so far. Successive statements of one pool list
/// mostly the same candidates with the very same bytes; a run of records
/// equal byte for byte to a run of the memo's is taken from it whole, not
/// read again. Equal bytes read the same way, so the result is exactly what
/// a fresh scan gives.
///
/// Its size is bounded: it keeps one list of at most [`MEMO_RECORDS`]
/// records and forgets every name after [`MEMO_NAMES`] distinct ones.
#[derive(Debug, Default)]
pub struct ScanMemo {
    last: Kept,
    next: Kept,
    /// Every name met, in any column, to a memo-wide code.
    names: Interner,
    /// Per column (region, employer, specialty), for each memo-wide code:
    /// the scan (`stamp`) that gave the name a code in its own list, and
    /// that code. A new scan needs no clearing: it has a new stamp.
    local: [Vec<(u32, u32)>; 3],
    stamp: u32,
}

/// The largest list a [`ScanMemo`] keeps for the next scan.
pub const MEMO_RECORDS: usize = 100_000;
/// How many distinct names a [`ScanMemo`] keeps before it starts afresh.
pub const MEMO_NAMES: usize = 1 << 20;

/// One list as read: its records' bytes and its rows in memo-wide codes.
#[derive(Debug, Default)]
struct Kept {
    /// The array's bytes between `[` and `]`: records and the commas
    /// between them.
    text: Vec<u8>,
    /// Where each record's bytes end in `text`; the next starts one comma on.
    ends: Vec<usize>,
    /// Row `k` is record `k`, its names in memo-wide codes.
    rows: Candidates,
}

impl Kept {
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.rows.clear_rows();
    }

    /// Where record `k` starts in `text`.
    fn start(&self, k: usize) -> Option<usize> {
        match k.checked_sub(1) {
            None => Some(0),
            Some(p) => self.ends.get(p).map(|e| e + 1),
        }
    }

    /// How many records from `k` on, and how many of `bytes`, are equal to
    /// the start of `bytes`: whole records only.
    fn run_at(&self, k: usize, bytes: &[u8]) -> (usize, usize) {
        let Some(base) = self.start(k).filter(|_| k < self.ends.len()) else {
            return (0, 0);
        };
        let kept = self.text.get(base..).unwrap_or_default();
        let same = common_prefix(kept, bytes);
        let whole = self
            .ends
            .get(k..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&e| e - base <= same)
            .count();
        match whole.checked_sub(1).and_then(|w| self.ends.get(k + w)) {
            Some(&end) => (whole, end - base),
            None => (0, 0),
        }
    }
}

/// The length of the longest common prefix of `a` and `b`, 32 bytes to a
/// step.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (
        a.get(..n).unwrap_or_default(),
        b.get(..n).unwrap_or_default(),
    );
    let mut i = 0;
    for (x, y) in a.chunks_exact(32).zip(b.chunks_exact(32)) {
        // Folded in place, the chunk compares as a few vector operations,
        // with no call and no copy.
        if x.iter().zip(y).fold(0, |d, (p, q)| d | (p ^ q)) != 0 {
            break;
        }
        i += 32;
    }
    let (a, b) = (
        a.get(i..).unwrap_or_default(),
        b.get(i..).unwrap_or_default(),
    );
    i + a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

impl ScanMemo {
    /// Starts a scan: a new stamp, and a fresh memo when it grew too large.
    fn begin(&mut self) {
        if self.names.len() > MEMO_NAMES || self.stamp == u32::MAX {
            *self = Self::default();
        }
        self.stamp += 1;
        self.next.clear();
    }

    /// The memo-wide code of a name met in a record being read.
    fn intern(&mut self, name: &str) -> Option<u32> {
        self.names.intern(name).ok()
    }
}

/// [`scan_candidates`], taking the records it has seen before from `memo`
/// and leaving this list's records there for the next scan.
#[must_use]
pub fn scan_candidates_with(
    text: &str,
    at: usize,
    memo: &mut ScanMemo,
) -> Option<(ScannedCandidates, usize)> {
    let mut c = Cursor {
        text,
        b: text.as_bytes(),
        i: at,
    };
    c.byte(b'[')?;
    if c.peek() == Some(b']') {
        return Some((ScannedCandidates(Candidates::default()), c.i + 1));
    }
    memo.begin();
    let first = c.i;
    // Candidates take some 50 to 100 bytes of text and ids some 8: reserve
    // for the shorter, so that the columns rarely grow while they are filled.
    let room = text.len().saturating_sub(at) / 48;
    memo.next.rows.reserve_rows(room, room * 8);
    memo.next.ends.reserve(room);
    let mut specialties: Vec<u32> = Vec::with_capacity(4);
    // The memo's next record to try: both lists ascend by id.
    let mut j = 0;
    loop {
        let start = c.i;
        let (whole, len) = memo.last.run_at(j, c.b.get(start..)?);
        let ScanMemo { last, next, .. } = &mut *memo;
        if whole > 0 {
            // Rule 4 holds inside the run (the memo's list passed it); at
            // its start it is checked here.
            let id = last.rows.id(j)?;
            if next.rows.last_id().is_some_and(|p| p >= id) {
                return None;
            }
            next.rows.extend_rows(&last.rows, j..j + whole).ok()?;
            let base = last.start(j)?;
            let offset = start - first;
            next.ends.extend(
                last.ends
                    .get(j..j + whole)?
                    .iter()
                    .map(|&e| e - base + offset),
            );
            c.i = start + len;
            j += whole;
        } else {
            let row = record(&mut c, memo, &mut specialties)?;
            let ScanMemo { last, next, .. } = &mut *memo;
            // Both ends are next to an ASCII quote, so on character boundaries.
            let id = text.get(row.id.clone())?;
            // Rule 4: ids non-empty and strictly ascending as UTF-8 bytes
            // (how `str` orders); the specialty list is non-empty by the shape.
            if id.is_empty() || next.rows.last_id().is_some_and(|p| p >= id) {
                return None;
            }
            next.rows
                .push_row(id, row.region, row.employer, &specialties, row.recent)
                .ok()?;
            next.ends.push(c.i - first);
            while last.rows.id(j).is_some_and(|k| k < id) {
                j += 1;
            }
            if last.rows.id(j) == Some(id) {
                j += 1;
            }
        }
        match c.next()? {
            b',' => {}
            b']' => break,
            _ => return None,
        }
    }
    let ScanMemo {
        last,
        next,
        names,
        local,
        stamp,
    } = &mut *memo;
    for column in local.iter_mut() {
        if column.len() < names.len() {
            column.resize(names.len(), (0, 0));
        }
    }
    if next.ends.len() <= MEMO_RECORDS {
        let candidates = next.rows.renumbered(names, local, *stamp)?;
        next.text.extend_from_slice(c.b.get(first..c.i - 1)?);
        std::mem::swap(last, next);
        return Some((ScannedCandidates(candidates), c.i));
    }
    // Too long to keep: the rows become the result without a copy, and
    // the memo lets go of their room.
    let rows = std::mem::take(&mut next.rows);
    *next = Kept::default();
    last.clear();
    let candidates = rows.renumbered_into(names, local, *stamp)?;
    Some((ScannedCandidates(candidates), c.i))
}

/// A record read from its bytes.
struct Record {
    /// Where its id lies in the text.
    id: std::ops::Range<usize>,
    /// Memo-wide codes.
    region: u32,
    employer: u32,
    recent: u32,
}

/// One record read from its bytes (the cursor on its `{`), its names given
/// memo-wide codes; its specialties' codes go to `specialties`.
fn record(c: &mut Cursor<'_>, memo: &mut ScanMemo, specialties: &mut Vec<u32>) -> Option<Record> {
    c.bytes(b"{\"employer\":")?;
    let employer = c.string()?;
    c.bytes(b",\"id\":")?;
    let id_start = c.i + 1;
    let id = c.string()?;
    c.bytes(b",\"recent\":")?;
    let recent = c.recent()?;
    c.bytes(b",\"region\":")?;
    let region = c.string()?;
    c.bytes(b",\"specialties\":[")?;
    specialties.clear();
    loop {
        let s = c.string()?;
        specialties.push(memo.intern(s)?);
        match c.next()? {
            b',' => {}
            b']' => break,
            _ => return None,
        }
    }
    c.byte(b'}')?;
    Some(Record {
        id: id_start..id_start + id.len(),
        region: memo.intern(region)?,
        employer: memo.intern(employer)?,
        recent,
    })
}

/// The length of the run of bytes at the start of `bytes` that a JSON string
/// holds as they are: up to the first `"`, `\\` or control character (or
/// the end). Eight bytes at a time; strings are mostly plain.
#[must_use]
pub fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut n = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // A byte's high bit is set in `special` if it is a quote, a
        // backslash or below 0x20, or lies above such a byte (a borrow
        // carries only out of a byte that matched): the lowest set bit is
        // exactly the first special byte.
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let special = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if special != 0 {
            return n + (special.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    let rest = chunks.remainder();
    n + rest
        .iter()
        .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
        .unwrap_or(rest.len())
}

struct Cursor<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn byte(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    fn bytes(&mut self, want: &[u8]) -> Option<()> {
        let end = self.i.checked_add(want.len())?;
        if self.b.get(self.i..end)? != want {
            return None;
        }
        self.i = end;
        Some(())
    }

    /// A string with nothing escaped: its text between the quotes.
    fn string(&mut self) -> Option<&'a str> {
        self.byte(b'"')?;
        let start = self.i;
        let rest = self.b.get(start..)?;
        let len = plain_run(rest);
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.i = start + len + 1;
        // Both ends are next to an ASCII quote, so on character boundaries.
        self.text.get(start..start + len)
    }

    /// `recent`: `0` or `[1-9][0-9]*`, at most 1000000 (rule 4).
    fn recent(&mut self) -> Option<u32> {
        let start = self.i;
        let mut value: u32 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            if self.i - start >= 7 {
                return None;
            }
            value = value * 10 + u32::from(d - b'0');
            self.i += 1;
        }
        let len = self.i - start;
        if len == 0 || (len > 1 && self.b.get(start) == Some(&b'0')) {
            return None;
        }
        (i128::from(value) <= MAX_RECENT).then_some(value)
    }
}
