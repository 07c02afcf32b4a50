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
use super::candidates::CandidatesBuilder;
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
    let mut previous: Option<&str> = None;
    let mut specialties: Vec<&str> = Vec::with_capacity(4);
    loop {
        c.bytes(b"{\"employer\":")?;
        let employer = c.string()?;
        c.bytes(b",\"id\":")?;
        let id = c.string()?;
        c.bytes(b",\"recent\":")?;
        let recent = c.recent()?;
        c.bytes(b",\"region\":")?;
        let region = c.string()?;
        c.bytes(b",\"specialties\":[")?;
        specialties.clear();
        loop {
            specialties.push(c.string()?);
            match c.next()? {
                b',' => {}
                b']' => break,
                _ => return None,
            }
        }
        c.byte(b'}')?;
        // Rule 4: ids non-empty and strictly ascending as UTF-8 bytes (how
        // `str` orders); the specialty list is non-empty by the shape.
        if id.is_empty() || previous.is_some_and(|p| p >= id) {
            return None;
        }
        previous = Some(id);
        out.push(id, region, employer, specialties.iter().copied(), recent)
            .ok()?;
        match c.next()? {
            b',' => {}
            b']' => return Some((ScannedCandidates(out.finish()), c.i)),
            _ => return None,
        }
    }
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
        // A byte's high bit is set in `special` if it may be a quote, a
        // backslash or below 0x20; false alarms are sorted out below.
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let special = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (w.wrapping_sub(ONES * 0x20) & !w);
        if special & HIGH != 0 {
            break;
        }
        n += 8;
    }
    let rest = bytes.get(n..).unwrap_or_default();
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
