//! One streaming pass over a log export (SPEC §7: JSON Lines, one leaf per
//! line, exactly the leaf bytes, in `seq` order): the RFC 6962 tree, the
//! roots at the sizes a caller asks for (a checkpoint's, a pinned one's),
//! every entry's canonical form and dense `seq`, and the draw replay.
//!
//! Memory: the tree is a compact range, O(log n) hashes; one root per
//! requested size; the replay's state (see [`crate::replay`]); and the
//! first error. A line is read, checked and dropped.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use expert_core::draw::{ScanMemo, ScannedCandidates, scan_candidates_with};
use serde_json::{Map, Value};

use crate::entry::parse_time;
use crate::jcs::{CanonicalVisitor, Member, check_canonical_visit, check_canonical_with, unescape};
use crate::merkle::{CompactRange, Hash, leaf_hash, sha256};
use crate::replay::{Abandoned, DrawReplay, is_draw_kind};

/// The entry kind a key rotation is logged as; its data is reported as it
/// is (the verifier keys it names are the caller's to compare).
pub const KEY_ROTATION_KIND: &str = "log.key_rotation";

/// The first entry that breaks the log's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFault {
    /// 1-based line of the export, which holds `seq` = `line − 1` in a good log.
    pub line: u64,
    /// The entry's own `seq`, when it could be read.
    pub seq: Option<u64>,
    pub reason: String,
}

impl std::fmt::Display for EntryFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.seq {
            Some(seq) => write!(f, "entry seq {seq} (line {}): {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// A `log.key_rotation` entry seen in the log.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRotation {
    pub seq: u64,
    pub data: Value,
}

/// What a whole pass found.
#[derive(Debug, Clone)]
pub struct ExportSummary {
    /// Number of entries (lines).
    pub size: u64,
    /// Bytes of leaf data read (newlines not counted).
    pub bytes: u64,
    pub root: Hash,
    /// Root of the first `k` entries for every requested `k` ≤ `size`.
    pub roots: BTreeMap<u64, Hash>,
    pub draws_replayed: u64,
    pub substitutions_checked: u64,
    pub abandoned: Vec<Abandoned>,
    pub key_rotations: Vec<KeyRotation>,
    pub first_error: Option<EntryFault>,
}

/// The pass in progress; feed it every line with [`ExportVerifier::push`].
#[derive(Debug)]
pub struct ExportVerifier {
    tree: CompactRange,
    /// Sizes whose root is wanted.
    marks: Vec<u64>,
    roots: BTreeMap<u64, Hash>,
    replay: DrawReplay,
    /// Candidate records of the last reveal, for the next one's scan.
    scan_memo: ScanMemo,
    times: Times,
    bytes: u64,
    key_rotations: Vec<KeyRotation>,
    first_error: Option<EntryFault>,
}

impl ExportVerifier {
    /// A pass that will remember the root at each size in `marks`.
    #[must_use]
    pub fn new(marks: &[u64]) -> Self {
        let tree = CompactRange::new();
        let mut roots = BTreeMap::new();
        if marks.contains(&0) {
            roots.insert(0, tree.root());
        }
        Self {
            tree,
            marks: marks.to_vec(),
            roots,
            replay: DrawReplay::new(),
            scan_memo: ScanMemo::default(),
            times: Times::default(),
            bytes: 0,
            key_rotations: Vec::new(),
            first_error: None,
        }
    }

    /// Entries read so far.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// The first bad entry so far.
    #[must_use]
    pub fn first_error(&self) -> Option<&EntryFault> {
        self.first_error.as_ref()
    }

    /// Reads one leaf (a line without its newline). After the first bad
    /// entry only the tree is still computed: later errors would mostly
    /// echo the first, and the roots are still wanted.
    pub fn push(&mut self, leaf: &[u8]) {
        let index = self.tree.size();
        self.bytes += leaf.len() as u64;
        if self.tree.append(leaf_hash(leaf)).is_err() {
            self.fault(
                index,
                None,
                "the log is larger than 2^64 − 1 entries".into(),
            );
            return;
        }
        let size = self.tree.size();
        if self.marks.contains(&size) {
            self.roots.insert(size, self.tree.root());
        }
        if self.first_error.is_none()
            && let Err((seq, reason)) = self.check(index, leaf)
        {
            self.fault(index, seq, reason);
        }
    }

    fn fault(&mut self, index: u64, seq: Option<u64>, reason: String) {
        if self.first_error.is_none() {
            self.first_error = Some(EntryFault {
                line: index + 1,
                seq,
                reason,
            });
        }
    }

    /// The entry at position `index`: canonical, the five fields, `seq` =
    /// `index`, then the replay.
    fn check(&mut self, index: u64, leaf: &[u8]) -> Result<(), (Option<u64>, String)> {
        let fields = LeafFields::read(leaf, &mut self.scan_memo).map_err(|r| (None, r))?;
        let seq = fields.seq;
        if seq != index {
            return Err((
                Some(seq),
                format!(
                    "seq {seq} where {index} was expected: an entry is missing, \
                     inserted or out of order"
                ),
            ));
        }
        let at = |reason: String| (Some(seq), reason);
        let text = |r: &Range<usize>| leaf.get(r.clone()).unwrap_or_default();
        let str_at = |r: &Range<usize>| fields.text.get(r.clone()).unwrap_or_default();
        let time =
            string_value(str_at(&fields.time)).ok_or_else(|| at("time is not a string".into()))?;
        self.times.check(&time).map_err(|e| at(e.to_string()))?;
        let kind = string_value(str_at(&fields.kind))
            .filter(|k| !k.is_empty())
            .ok_or_else(|| at("kind is not a non-empty string".into()))?;
        if string_value(str_at(&fields.actor)).is_none() {
            return Err(at("actor is not a string".into()));
        }
        let data = text(&fields.data);
        if data.first() != Some(&b'{') {
            return Err(at("data is not an object".into()));
        }
        if kind == "draw.reveal"
            && let Some(span) = &fields.statement
            && let Some(others) = without_member(leaf, &fields.data, b"statement", span)
        {
            // The leaf is canonical, so the statement's bytes inside it are
            // JCS(statement): hash them where they lie, and read them
            // without building a value of their candidates.
            let statement = fields.text.get(span.clone()).unwrap_or_default();
            let hash = sha256(statement.as_bytes());
            let others = serde_json::from_slice::<Map<String, Value>>(&others)
                .map_err(|e| at(format!("data cannot be read: {e}")))?;
            // The candidates were read (and checked) during the canonical
            // check; the statement's other fields are parsed without them.
            let scanned = fields.candidates.and_then(|found| {
                let (candidates, value) = *found;
                let head = without_member(leaf, span, b"candidates", &value)?;
                let head = serde_json::from_slice::<Map<String, Value>>(&head).ok()?;
                Some((head, candidates))
            });
            let done = match scanned {
                Some((head, candidates)) => self.replay.reveal_scanned(
                    seq,
                    &Value::Object(others),
                    statement,
                    hash,
                    head,
                    candidates,
                ),
                None => self
                    .replay
                    .reveal_text(seq, &Value::Object(others), statement, hash),
            };
            return done.map_err(|e| at(e.reason));
        }
        if is_draw_kind(&kind) || kind == KEY_ROTATION_KIND {
            let value: Value = serde_json::from_slice(data)
                .map_err(|e| at(format!("data cannot be read: {e}")))?;
            if kind == KEY_ROTATION_KIND {
                self.key_rotations.push(KeyRotation { seq, data: value });
                return Ok(());
            }
            // The leaf is canonical, so the statement's bytes inside it are
            // JCS(statement): hash them where they lie.
            let statement_hash = fields.statement.as_ref().map(|r| sha256(text(r)));
            self.replay
                .entry(seq, &kind, &value, statement_hash)
                .map_err(|e| at(e.reason))?;
        }
        Ok(())
    }

    /// Ends the pass.
    #[must_use]
    pub fn finish(self) -> ExportSummary {
        self.into_parts().0
    }

    /// [`ExportVerifier::finish`] for a process about to exit: the replay's
    /// state (every panel's members and reserves) is left to the operating
    /// system rather than freed piece by piece, which was 3 % of a verify.
    #[must_use]
    pub fn finish_for_exit(self) -> ExportSummary {
        let (summary, replay) = self.into_parts();
        std::mem::forget(replay);
        summary
    }

    fn into_parts(self) -> (ExportSummary, DrawReplay) {
        let summary = ExportSummary {
            size: self.tree.size(),
            bytes: self.bytes,
            root: self.tree.root(),
            roots: self.roots,
            draws_replayed: self.replay.draws_replayed(),
            substitutions_checked: self.replay.substitutions_checked(),
            abandoned: self.replay.abandoned(),
            key_rotations: self.key_rotations,
            first_error: self.first_error,
        };
        (summary, self.replay)
    }
}

/// Checks entry times by [`parse_time`], remembering the last valid date: a
/// log's entries come day after day, so mostly only the time of day is new.
#[derive(Debug, Default)]
struct Times {
    /// `YYYY-MM-DD` of the last valid time, if any.
    day: Option<[u8; 10]>,
}

impl Times {
    fn check(&mut self, time: &str) -> Result<(), crate::entry::EntryError> {
        let b = time.as_bytes();
        if let (Some(day), Some(head), Some(tail)) = (&self.day, b.get(..10), b.get(10..))
            && head == day
            && time_of_day_ok(tail)
        {
            return Ok(());
        }
        parse_time(time)?;
        self.day = b.get(..10).and_then(|d| <[u8; 10]>::try_from(d).ok());
        Ok(())
    }
}

/// `THH:MM:SSZ` with hour below 24, minute and second below 60: what
/// [`parse_time`] accepts after a valid date.
fn time_of_day_ok(tail: &[u8]) -> bool {
    let two = |hi: u8, lo: u8, below: u8| {
        hi.is_ascii_digit() && lo.is_ascii_digit() && (hi - b'0') * 10 + (lo - b'0') < below
    };
    matches!(tail, &[b'T', h1, h2, b':', m1, m2, b':', s1, s2, b'Z']
        if two(h1, h2, 24) && two(m1, m2, 60) && two(s1, s2, 60))
}

/// Where the fields of a canonical leaf lie.
#[derive(Debug)]
struct LeafFields<'a> {
    /// The whole leaf, checked to be UTF-8.
    text: &'a str,
    seq: u64,
    time: Range<usize>,
    kind: Range<usize>,
    actor: Range<usize>,
    data: Range<usize>,
    /// `data.statement`, if any.
    statement: Option<Range<usize>>,
    /// `data.statement.candidates`, read and checked by the fast scan, and
    /// where its value lies. Boxed: the fields of every entry are moved
    /// about, and only a reveal has these.
    candidates: Option<Box<(ScannedCandidates, Range<usize>)>>,
}

/// Collects a leaf's fields during the canonical check.
struct LeafVisitor<'m> {
    /// Top-level members seen; `in_order` while they are `FIELDS` so far.
    count: usize,
    in_order: bool,
    spans: [Range<usize>; 5],
    statement: Option<Range<usize>>,
    candidates: Option<Box<(ScannedCandidates, Range<usize>)>>,
    memo: &'m mut ScanMemo,
}

impl<'a> CanonicalVisitor<'a> for LeafVisitor<'_> {
    fn member(&mut self, m: Member<'a>) {
        if m.depth == 1 {
            // Constant keys compare without a call.
            let expected = match self.count {
                // `FIELDS`, spelled out.
                0 => m.key == b"actor",
                1 => m.key == b"data",
                2 => m.key == b"kind",
                3 => m.key == b"seq",
                4 => m.key == b"time",
                _ => false,
            };
            match self.spans.get_mut(self.count) {
                Some(s) if expected => *s = m.value,
                _ => self.in_order = false,
            }
            self.count += 1;
        } else if m.parent == b"data" && m.key == b"statement" {
            self.statement = Some(m.value);
        }
    }

    fn take(&mut self, path: [&'a [u8]; 3], text: &'a str, at: usize) -> Option<usize> {
        if path != [&b"data"[..], b"statement", b"candidates"] || self.candidates.is_some() {
            return None;
        }
        let (candidates, end) = scan_candidates_with(text, at, self.memo)?;
        self.candidates = Some(Box::new((candidates, at..end)));
        Some(end)
    }
}

impl<'a> LeafFields<'a> {
    fn read(leaf: &'a [u8], memo: &mut ScanMemo) -> Result<Self, String> {
        let mut v = LeafVisitor {
            count: 0,
            in_order: true,
            spans: Default::default(),
            statement: None,
            candidates: None,
            memo,
        };
        let text = check_canonical_visit(leaf, &mut v)
            .map_err(|e| format!("not canonical JSON (RFC 8785): {e}"))?;
        if leaf.first() != Some(&b'{') {
            return Err("the entry is not a JSON object".into());
        }
        // Canonical keys are sorted and unique, so the five fields come in
        // exactly this order or the set is wrong.
        if !v.in_order || v.count != FIELDS.len() {
            let mut keys = Vec::new();
            check_canonical_with(leaf, |m| {
                if m.depth == 1 {
                    keys.push(unescape(m.key));
                }
            })
            .map_err(|e| format!("not canonical JSON (RFC 8785): {e}"))?;
            return Err(format!(
                "an entry has exactly the fields actor, data, kind, seq, time; this one has {}",
                keys.join(", ")
            ));
        }
        let [actor, data, kind, seq, time] = v.spans;
        let seq = text
            .get(seq)
            .and_then(|d| d.parse::<u64>().ok())
            .ok_or("seq is not a non-negative integer")?;
        Ok(Self {
            text,
            seq,
            time,
            kind,
            actor,
            data,
            statement: v.statement,
            candidates: v.candidates,
        })
    }
}

/// The bytes of the object at `object` (a span of the canonical `leaf`)
/// without its member `"key":…` whose value lies at `value`, so the other
/// fields can be parsed without reading that value again.
fn without_member(
    leaf: &[u8],
    object: &Range<usize>,
    key: &[u8],
    value: &Range<usize>,
) -> Option<Vec<u8>> {
    let key_at = value.start.checked_sub(key.len() + 3)?;
    let quoted = leaf.get(key_at..value.start)?;
    if quoted.first() != Some(&b'"')
        || quoted.get(1..=key.len())? != key
        || quoted.get(key.len() + 1..)? != b"\":"
        || key_at <= object.start
        || value.end >= object.end
    {
        return None;
    }
    let cut = match (leaf.get(key_at - 1)?, leaf.get(value.end)?) {
        (b',', _) => key_at - 1..value.end,
        (b'{', b',') => key_at..value.end + 1,
        (b'{', _) => key_at..value.end,
        _ => return None,
    };
    let mut out = Vec::with_capacity(object.len() - cut.len());
    out.extend_from_slice(leaf.get(object.start..cut.start)?);
    out.extend_from_slice(leaf.get(cut.end..object.end)?);
    Some(out)
}

/// The five fields of an entry, in canonical (sorted) order.
const FIELDS: [&str; 5] = ["actor", "data", "kind", "seq", "time"];

/// The text of a JSON string value (canonical JSON text), `None` if it is
/// not a string.
fn string_value(raw: &str) -> Option<Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    // A byte loop: these strings are short, a `memchr` call costs more.
    if inner.bytes().any(|b| b == b'\\') {
        return Some(Cow::Owned(unescape(inner.as_bytes())));
    }
    Some(Cow::Borrowed(inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_agree_with_parse_time_after_any_valid_day() {
        let days = ["2026-01-05", "2024-02-29", "2026-02-29", "2026-13-01"];
        let tails = [
            "T00:00:00Z",
            "T23:59:59Z",
            "T24:00:00Z",
            "T23:60:00Z",
            "T23:59:60Z",
            "T9:00:00Z",
            "T09:00:00",
            "T09:00:00+",
            "T0a:00:00Z",
            "t09:00:00Z",
            "T09-00:00Z",
            "T09:00:00.5Z",
        ];
        for first in days {
            for day in days {
                for tail in tails {
                    let mut times = Times::default();
                    // A valid time first, so that its day is remembered.
                    let _ = times.check(&format!("{first}T12:00:00Z"));
                    let t = format!("{day}{tail}");
                    assert_eq!(times.check(&t).is_ok(), parse_time(&t).is_ok(), "{t}");
                }
            }
        }
    }
}
