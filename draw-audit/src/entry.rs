//! The audit log entry of SPEC §7 and its leaf bytes: canonical JSON of
//! `{seq, time, kind, actor, data}`, time in UTC to the whole second.

use chrono::{DateTime, Datelike as _, Timelike as _, Utc};
use serde_json::{Map, Value};

use crate::jcs::{self, JcsError, JsonProfileError};
use crate::merkle::{self, Hash};

/// The one time format of leaves: RFC 3339, UTC, whole seconds.
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

const FIELDS: [&str; 5] = ["seq", "time", "kind", "actor", "data"];

/// One change of state, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the log, counting from 0.
    pub seq: u64,
    /// When it happened, in whole seconds (see [`Entry::new`]).
    pub time: DateTime<Utc>,
    /// What happened, e.g. `draw.commit`.
    pub kind: String,
    /// Who did it.
    pub actor: String,
    /// Kind-specific details; always a JSON object.
    pub data: Value,
}

/// Why an entry has no leaf bytes, or bytes are not a valid leaf.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error(transparent)]
    Jcs(#[from] JcsError),
    #[error(transparent)]
    Json(#[from] JsonProfileError),
    #[error("leaf is not valid UTF-8")]
    NotUtf8,
    #[error("leaf bytes are not the canonical (RFC 8785) form of their JSON")]
    NotCanonical,
    #[error("leaf is not a JSON object")]
    NotAnObject,
    #[error("leaf has no {0:?} field")]
    MissingField(&'static str),
    #[error("leaf has unexpected field {0:?}")]
    UnexpectedField(String),
    #[error("leaf field {field:?} must be {expected}")]
    WrongType {
        field: &'static str,
        expected: &'static str,
    },
    #[error("entry time has a fraction of a second; build entries with Entry::new")]
    SubSecondTime,
    #[error("entry time is outside the years 0000 to 9999")]
    TimeOutOfRange,
    #[error("time {0:?} is not of the form YYYY-MM-DDTHH:MM:SSZ")]
    InvalidTime(String),
}

impl Entry {
    /// A new entry. The time is truncated to whole seconds here, on the
    /// writer's side, because the leaf records whole seconds and a reader
    /// must get back exactly the entry that was hashed.
    pub fn new(
        seq: u64,
        time: DateTime<Utc>,
        kind: impl Into<String>,
        actor: impl Into<String>,
        data: Value,
    ) -> Self {
        Self {
            seq,
            time: time.with_nanosecond(0).unwrap_or(time),
            kind: kind.into(),
            actor: actor.into(),
            data,
        }
    }

    /// The entry as a JSON object (before canonicalisation).
    pub fn to_value(&self) -> Result<Value, EntryError> {
        if self.kind.is_empty() {
            return Err(EntryError::WrongType {
                field: "kind",
                expected: "a non-empty string",
            });
        }
        if !self.data.is_object() {
            return Err(EntryError::WrongType {
                field: "data",
                expected: "an object",
            });
        }
        let mut m = Map::new();
        m.insert("seq".into(), Value::from(self.seq));
        m.insert("time".into(), Value::String(format_time(&self.time)?));
        m.insert("kind".into(), Value::String(self.kind.clone()));
        m.insert("actor".into(), Value::String(self.actor.clone()));
        m.insert("data".into(), self.data.clone());
        Ok(Value::Object(m))
    }

    /// The leaf bytes: `JCS(entry)`. Also one line of an export.
    pub fn leaf_bytes(&self) -> Result<Vec<u8>, EntryError> {
        Ok(jcs::canonical(&self.to_value()?)?)
    }

    /// RFC 6962 leaf hash of [`Entry::leaf_bytes`].
    pub fn leaf_hash(&self) -> Result<Hash, EntryError> {
        Ok(merkle::leaf_hash(&self.leaf_bytes()?))
    }

    /// Reads leaf bytes back, insisting that they are exactly the canonical
    /// bytes of a valid entry, so one entry has exactly one leaf.
    pub fn parse_leaf(bytes: &[u8]) -> Result<Entry, EntryError> {
        let text = std::str::from_utf8(bytes).map_err(|_| EntryError::NotUtf8)?;
        let value = jcs::parse_strict(text)?;
        if jcs::canonical(&value)? != bytes {
            return Err(EntryError::NotCanonical);
        }
        let Value::Object(mut m) = value else {
            return Err(EntryError::NotAnObject);
        };
        if let Some(extra) = m.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(EntryError::UnexpectedField(extra.clone()));
        }
        let mut take = |field: &'static str| m.remove(field).ok_or(EntryError::MissingField(field));
        let (seq, time, kind, actor, data) = (
            take("seq")?,
            take("time")?,
            take("kind")?,
            take("actor")?,
            take("data")?,
        );
        let seq = seq.as_u64().ok_or(EntryError::WrongType {
            field: "seq",
            expected: "a non-negative integer",
        })?;
        let Value::String(time) = time else {
            return Err(EntryError::WrongType {
                field: "time",
                expected: "a string",
            });
        };
        let time = parse_time(&time)?;
        let kind = match kind {
            Value::String(k) if !k.is_empty() => k,
            _ => {
                return Err(EntryError::WrongType {
                    field: "kind",
                    expected: "a non-empty string",
                });
            }
        };
        let Value::String(actor) = actor else {
            return Err(EntryError::WrongType {
                field: "actor",
                expected: "a string",
            });
        };
        if !data.is_object() {
            return Err(EntryError::WrongType {
                field: "data",
                expected: "an object",
            });
        }
        Ok(Entry {
            seq,
            time,
            kind,
            actor,
            data,
        })
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`; refuses sub-second times instead of silently
/// dropping the fraction (the leaf would then not match the entry).
pub fn format_time(time: &DateTime<Utc>) -> Result<String, EntryError> {
    if time.nanosecond() != 0 {
        return Err(EntryError::SubSecondTime);
    }
    if !(0..=9999).contains(&time.year()) {
        return Err(EntryError::TimeOutOfRange);
    }
    Ok(time.format(TIME_FORMAT).to_string())
}

/// Parses exactly `YYYY-MM-DDTHH:MM:SSZ`: no offsets, fractions, leap
/// seconds or unpadded fields. Read by position rather than through a
/// format string: a verifier parses one per entry, millions per export.
pub fn parse_time(s: &str) -> Result<DateTime<Utc>, EntryError> {
    let invalid = || EntryError::InvalidTime(s.to_owned());
    let b = s.as_bytes();
    let shape_ok = b.len() == 20
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            19 => c == b'Z',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(invalid());
    }
    let num = |r: std::ops::Range<usize>| {
        b.get(r)
            .unwrap_or_default()
            .iter()
            .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'))
    };
    let year = i32::try_from(num(0..4)).map_err(|_| invalid())?;
    let date = chrono::NaiveDate::from_ymd_opt(year, num(5..7), num(8..10)).ok_or_else(invalid)?;
    // `and_hms_opt` refuses second 60 and hour 24.
    let time = date
        .and_hms_opt(num(11..13), num(14..16), num(17..19))
        .ok_or_else(invalid)?;
    Ok(time.and_utc())
}
