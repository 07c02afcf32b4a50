//! Rules 1–5 on a statement's JSON text, without building a
//! `serde_json::Value` of its candidates.
//!
//! [`validate_text`] gives exactly what [`validate`] gives on the parsed
//! value. The fast path reads the top-level fields other than `candidates`
//! into a small value and checks them with [`validate`] itself (over an
//! empty candidate list); the candidates are read as typed, borrowed
//! records (`&str` slices of the text) and checked here. The fast path
//! only ever *accepts*: a statement it cannot read in that form (an escaped
//! string, an extra or missing candidate field, a number of another type,
//! a duplicate key, any rule broken) is handed to [`validate`] on the whole
//! parsed value, which then gives the verdict and its rule. Rules 1–3 and
//! the rule 5 check outside `candidates` never look at the candidates,
//! and rules 4–5 on candidates never look outside them, so the two halves
//! accept together exactly when [`validate`] accepts the whole.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::candidates::CandidatesBuilder;
use super::rules::{InvalidStatement, MAX_RECENT, validate};
use super::scan::ScannedCandidates;
use super::{Candidates, DrawStatement};

/// A valid statement with its top-level fields other than `candidates`
/// (`draw_id`, `parent`, `parent_group`, `project`, … as JSON values).
#[derive(Debug, Clone)]
pub struct ValidatedText {
    pub statement: DrawStatement,
    pub fields: Map<String, Value>,
}

/// Rules 1–5 on the statement's JSON text: the same verdict, rule and
/// message as [`validate`] on `serde_json::from_str(text)`. Text that is
/// not JSON at all breaks rule 1 (it is not a JSON object).
pub fn validate_text(text: &str) -> Result<ValidatedText, InvalidStatement> {
    if let Some(done) = fast(text) {
        return Ok(done);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| InvalidStatement {
        rule: 1,
        message: format!("the statement must be a JSON object ({e})"),
    })?;
    let statement = validate(&value)?;
    let mut fields = match value {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    fields.remove("candidates");
    Ok(ValidatedText { statement, fields })
}

/// Rules 1–5 on a statement given as its top-level fields other than
/// `candidates` and its candidates already read (and checked) by
/// [`scan_candidates`](super::scan_candidates). `Some` exactly when
/// [`validate`] accepts the whole statement, with the same typed statement;
/// `None` leaves the verdict to [`validate_text`] on the full text.
#[must_use]
pub fn validate_scanned(
    fields: Map<String, Value>,
    candidates: ScannedCandidates,
) -> Option<ValidatedText> {
    head_with(fields, candidates.0)
}

/// The top-level fields checked by [`validate`] over an empty candidate
/// list, then joined with candidates that passed rules 4–5 apart: rules
/// 1–3 and rule 5 outside `candidates` never look at the candidates, and
/// rules 4–5 on candidates never look outside them.
fn head_with(mut fields: Map<String, Value>, candidates: Candidates) -> Option<ValidatedText> {
    if fields.contains_key("candidates") {
        return None;
    }
    fields.insert("candidates".into(), Value::Array(Vec::new()));
    let value = Value::Object(fields);
    let head = validate(&value).ok()?;
    let Value::Object(mut fields) = value else {
        return None;
    };
    fields.remove("candidates");
    let statement = head.with_candidates(candidates);
    Some(ValidatedText { statement, fields })
}

/// The fast path: `None` whenever it cannot vouch for the statement.
fn fast(text: &str) -> Option<ValidatedText> {
    let split: Split<'_> = serde_json::from_str(text).ok()?;
    let raw = split.candidates?;
    head_with(split.fields, candidates(&raw)?)
}

/// One candidate as the fast path reads it: exactly these five fields,
/// strings without escapes, `recent` a non-negative integer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCandidate<'a> {
    #[serde(borrow)]
    id: &'a str,
    #[serde(borrow)]
    region: &'a str,
    #[serde(borrow)]
    employer: &'a str,
    #[serde(borrow)]
    specialties: Vec<&'a str>,
    recent: u32,
}

/// Rules 4 and 5 over typed candidates, as `validate` checks them.
fn candidates(raw: &[RawCandidate<'_>]) -> Option<Candidates> {
    let mut out = CandidatesBuilder::with_capacity(raw.len());
    let mut previous: Option<&str> = None;
    for c in raw {
        if c.id.is_empty()
            || previous.is_some_and(|p| p >= c.id)
            || c.specialties.is_empty()
            || i128::from(c.recent) > MAX_RECENT
        {
            return None;
        }
        previous = Some(c.id);
        out.push(
            c.id,
            c.region,
            c.employer,
            c.specialties.iter().copied(),
            c.recent,
        )
        .ok()?;
    }
    Some(out.finish())
}

/// The statement's members: `candidates` typed, the rest as values. A
/// repeated key is an error (and so a fall-back to the slow path).
#[derive(Debug)]
struct Split<'a> {
    candidates: Option<Vec<RawCandidate<'a>>>,
    fields: Map<String, Value>,
}

impl<'de> Deserialize<'de> for Split<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SplitVisitor)
    }
}

struct SplitVisitor;

impl<'de> Visitor<'de> for SplitVisitor {
    type Value = Split<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a statement object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Split<'de>, A::Error> {
        let mut candidates = None;
        let mut fields = Map::new();
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "candidates" {
                if candidates.is_some() {
                    return Err(de::Error::duplicate_field("candidates"));
                }
                candidates = Some(map.next_value()?);
            } else {
                let value: Value = map.next_value()?;
                if fields.insert(key.into_owned(), value).is_some() {
                    return Err(de::Error::custom("duplicate key"));
                }
            }
        }
        Ok(Split { candidates, fields })
    }
}
