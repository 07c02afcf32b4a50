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
use super::candidates::{CandidatesBuilder, Interner};
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

/// What earlier scans learnt, for [`scan_candidates_with`]: the records of
/// the last list read, and the names met so far. Successive statements of
/// one pool list mostly the same candidates with the very same bytes; a
/// record equal byte for byte to one the memo holds is taken from it, not
/// read again. Equal bytes read the same way, so the result is exactly what
/// a fresh scan gives.
///
/// Its size is bounded: it keeps one list of at most [`MEMO_RECORDS`]
/// records and forgets every name after [`MEMO_NAMES`] distinct ones.
#[derive(Debug, Default)]
pub struct ScanMemo {
    last: Records,
    next: Records,
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

/// Records of one list, back to back.
#[derive(Debug, Default)]
struct Records {
    /// Each record's bytes, from its `{` to its `}`.
    text: Vec<u8>,
    rows: Vec<Record>,
    /// Memo-wide codes of the specialties of every record, in order.
    specialties: Vec<u32>,
    /// More records than [`MEMO_RECORDS`] came: the list is not kept.
    overflow: bool,
}

/// One record of [`Records`], as memo-wide codes.
#[derive(Debug, Clone, Copy)]
struct Record {
    /// Where the record's bytes end in `text` (they start where the one
    /// before ends).
    end: usize,
    /// The id's bytes in the record: `[start, start + len)` from its `{`.
    id_start: u32,
    id_len: u32,
    region: u32,
    employer: u32,
    /// Where its specialties end in `specialties`.
    specialties_end: usize,
    recent: u32,
}

impl Records {
    fn clear(&mut self) {
        self.text.clear();
        self.rows.clear();
        self.specialties.clear();
        self.overflow = false;
    }

    fn start(&self, k: usize) -> usize {
        k.checked_sub(1)
            .and_then(|p| self.rows.get(p))
            .map_or(0, |r| r.end)
    }

    fn bytes(&self, k: usize) -> &[u8] {
        let end = self.rows.get(k).map_or(0, |r| r.end);
        self.text.get(self.start(k)..end).unwrap_or_default()
    }

    fn id(&self, k: usize) -> &[u8] {
        let Some(r) = self.rows.get(k) else {
            return &[];
        };
        let at = self.start(k) + r.id_start as usize;
        self.text
            .get(at..at + r.id_len as usize)
            .unwrap_or_default()
    }

    fn specialties(&self, k: usize) -> &[u32] {
        let end = self.rows.get(k).map_or(0, |r| r.specialties_end);
        let start = k
            .checked_sub(1)
            .and_then(|p| self.rows.get(p))
            .map_or(0, |r| r.specialties_end);
        self.specialties.get(start..end).unwrap_or_default()
    }

    fn push(&mut self, bytes: &[u8], mut row: Record, specialties: &[u32]) {
        if self.overflow || self.rows.len() >= MEMO_RECORDS {
            self.overflow = true;
            return;
        }
        self.text.extend_from_slice(bytes);
        self.specialties.extend_from_slice(specialties);
        row.end = self.text.len();
        row.specialties_end = self.specialties.len();
        self.rows.push(row);
    }
}

/// The columns a name can be in.
const REGION: usize = 0;
const EMPLOYER: usize = 1;
const SPECIALTY: usize = 2;

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
        let g = self.names.intern(name).ok()?;
        let n = self.names.len();
        for column in &mut self.local {
            if column.len() < n {
                column.resize(n, (0, 0));
            }
        }
        Some(g)
    }
}

/// The code in this scan's list of the name with memo-wide code `g` in
/// `column`, giving it the next code when it is new to the list.
fn local_code(
    local: &mut [Vec<(u32, u32)>; 3],
    names: &Interner,
    stamp: u32,
    out: &mut CandidatesBuilder,
    column: usize,
    g: u32,
) -> Option<u32> {
    let slot = local.get_mut(column)?.get_mut(g as usize)?;
    if slot.0 == stamp {
        return Some(slot.1);
    }
    let code = out.add_name(column, names.name(g)?).ok()?;
    *slot = (stamp, code);
    Some(code)
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
    let mut out = CandidatesBuilder::with_capacity(0);
    if c.peek() == Some(b']') {
        return Some((ScannedCandidates(out.finish()), c.i + 1));
    }
    // Candidates take some 50 to 100 bytes of text: reserve for the
    // shorter, so that the columns rarely grow while they are filled.
    out.reserve(text.len().saturating_sub(at) / 48);
    memo.begin();
    let mut previous: Option<&str> = None;
    let mut specialties: Vec<u32> = Vec::with_capacity(4);
    // The memo's next record to try: both lists ascend by id.
    let mut j = 0;
    loop {
        let start = c.i;
        let seen = memo.last.bytes(j);
        let row = if !seen.is_empty() && c.b.get(start..start + seen.len()) == Some(seen) {
            c.i = start + seen.len();
            let row = *memo.last.rows.get(j)?;
            specialties.clear();
            specialties.extend_from_slice(memo.last.specialties(j));
            j += 1;
            row
        } else {
            let row = record(&mut c, memo, &mut specialties)?;
            let id =
                c.b.get(start + row.id_start as usize..)?
                    .get(..row.id_len as usize)?;
            while j < memo.last.rows.len() && memo.last.id(j) < id {
                j += 1;
            }
            if memo.last.id(j) == id {
                j += 1;
            }
            row
        };
        let id_at = start + row.id_start as usize;
        // Both ends are next to an ASCII quote, so on character boundaries.
        let id = text.get(id_at..id_at + row.id_len as usize)?;
        // Rule 4: ids non-empty and strictly ascending as UTF-8 bytes (how
        // `str` orders); the specialty list is non-empty by the shape.
        if id.is_empty() || previous.is_some_and(|p| p >= id) {
            return None;
        }
        previous = Some(id);
        let ScanMemo {
            names,
            local,
            stamp,
            next,
            ..
        } = &mut *memo;
        let region = local_code(local, names, *stamp, &mut out, REGION, row.region)?;
        let employer = local_code(local, names, *stamp, &mut out, EMPLOYER, row.employer)?;
        for &g in &specialties {
            let k = local_code(local, names, *stamp, &mut out, SPECIALTY, g)?;
            out.push_specialty(k);
        }
        out.push_coded(id, region, employer, row.recent).ok()?;
        next.push(c.b.get(start..c.i)?, row, &specialties);
        match c.next()? {
            b',' => {}
            b']' => {
                std::mem::swap(&mut memo.last, &mut memo.next);
                if memo.last.overflow {
                    memo.last.clear();
                }
                return Some((ScannedCandidates(out.finish()), c.i));
            }
            _ => return None,
        }
    }
}

/// One record read from its bytes (the cursor on its `{`), its names given
/// memo-wide codes; its specialties' codes go to `specialties`.
fn record(c: &mut Cursor<'_>, memo: &mut ScanMemo, specialties: &mut Vec<u32>) -> Option<Record> {
    let start = c.i;
    c.bytes(b"{\"employer\":")?;
    let employer = c.string()?;
    c.bytes(b",\"id\":")?;
    let id_start = u32::try_from(c.i + 1 - start).ok()?;
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
        end: 0,
        id_start,
        id_len: u32::try_from(id.len()).ok()?,
        region: memo.intern(region)?,
        employer: memo.intern(employer)?,
        specialties_end: 0,
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
