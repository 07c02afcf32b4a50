//! Strict JSON parsing for the integer profile: serde_json does the lexing,
//! a custom visitor refuses duplicate keys and non-integer or unsafe numbers.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{MAX_SAFE_INTEGER, Segment, pointer, show};

/// Input that is not JSON of this project's profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{violation} at {} (line {line}, column {column})", show(.path))]
pub struct JsonProfileError {
    pub violation: ProfileViolation,
    /// JSON pointer (RFC 6901) of the offending value, as far as parsing got.
    pub path: String,
    pub line: usize,
    pub column: usize,
}

/// What rule of the profile the input broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileViolation {
    #[error("invalid JSON: {0}")]
    Syntax(String),
    #[error("invalid string (lone UTF-16 surrogate): {0}")]
    LoneSurrogate(String),
    #[error("duplicate object key {0:?}")]
    DuplicateKey(String),
    #[error("number is not a plain integer (fraction, exponent or -0)")]
    NonInteger,
    #[error("integer is outside ±(2^53−1)")]
    OutOfRange,
}

/// Parses `text` as JSON of the profile: no duplicate keys at any depth, no
/// lone surrogates, integers only within ±(2^53−1), nothing after the value.
pub fn parse_strict(text: &str) -> Result<Value, JsonProfileError> {
    let mut ctx = Ctx::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = StrictSeed { ctx: &mut ctx }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| {
        let (line, column) = (e.line(), e.column());
        match ctx.violation.take() {
            Some((violation, path)) => JsonProfileError {
                violation,
                path,
                line,
                column,
            },
            None => {
                // serde_json appends the position to its message; we report
                // it in our own fields instead.
                let full = e.to_string();
                let suffix = format!(" at line {line} column {column}");
                let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
                let violation = classify(message);
                JsonProfileError {
                    violation,
                    path: pointer(&ctx.path),
                    line,
                    column,
                }
            }
        }
    })
}

/// serde_json reports every lexical error as a syntax error; the profile
/// rules it enforces for us (paired surrogates, finite numbers) are told
/// apart by their messages, which the tests pin down.
fn classify(message: String) -> ProfileViolation {
    if message.contains("surrogate") || message.contains("end of hex escape") {
        ProfileViolation::LoneSurrogate(message)
    } else if message == "number out of range" {
        ProfileViolation::OutOfRange
    } else {
        ProfileViolation::Syntax(message)
    }
}

/// Parse state shared down the recursion: where we are, and the profile
/// violation (if any) that aborted parsing.
#[derive(Default)]
struct Ctx {
    path: Vec<Segment>,
    violation: Option<(ProfileViolation, String)>,
}

impl Ctx {
    /// Records a violation and returns the error that unwinds serde_json;
    /// its message is only a fallback, the recorded one is reported.
    fn fail<E: de::Error>(&mut self, violation: ProfileViolation, path: String) -> E {
        let e = E::custom(&violation);
        self.violation = Some((violation, path));
        e
    }

    fn fail_here<E: de::Error>(&mut self, violation: ProfileViolation) -> E {
        let path = pointer(&self.path);
        self.fail(violation, path)
    }
}

struct StrictSeed<'a> {
    ctx: &'a mut Ctx,
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        if n.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(self.ctx.fail_here(ProfileViolation::OutOfRange));
        }
        Ok(Value::from(n))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        if n > MAX_SAFE_INTEGER {
            return Err(self.ctx.fail_here(ProfileViolation::OutOfRange));
        }
        Ok(Value::from(n))
    }

    /// serde_json hands over anything with a fraction or exponent, `-0`, and
    /// integers too large for 64 bits as f64.
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        let huge_integer = f.is_finite() && f.fract() == 0.0 && f.abs() > MAX_SAFE_INTEGER as f64;
        let violation = if huge_integer {
            ProfileViolation::OutOfRange
        } else {
            ProfileViolation::NonInteger
        };
        Err(self.ctx.fail_here(violation))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        let mut items = Vec::new();
        loop {
            // The path is popped only on success, so after an error it still
            // names the element being parsed.
            ctx.path.push(Segment::Index(items.len()));
            match seq.next_element_seed(StrictSeed { ctx: &mut *ctx })? {
                Some(v) => {
                    ctx.path.pop();
                    items.push(v);
                }
                None => {
                    ctx.path.pop();
                    return Ok(Value::Array(items));
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            ctx.path.push(Segment::Key(key));
            let duplicate = match ctx.path.last() {
                Some(Segment::Key(k)) if members.contains_key(k) => Some(k.clone()),
                _ => None,
            };
            if let Some(k) = duplicate {
                return Err(ctx.fail_here(ProfileViolation::DuplicateKey(k)));
            }
            let value = map.next_value_seed(StrictSeed { ctx: &mut *ctx })?;
            // Moving the key through the path avoids cloning every key.
            match ctx.path.pop() {
                Some(Segment::Key(k)) => {
                    members.insert(k, value);
                }
                _ => return Err(de::Error::custom("internal error: JSON path out of step")),
            }
        }
        Ok(Value::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violation(text: &str) -> (ProfileViolation, String) {
        let e = parse_strict(text).unwrap_err();
        (e.violation, e.path)
    }

    #[test]
    fn paths_name_the_offender() {
        assert_eq!(
            violation(r#"{"a":[0,{"b":1,"b":2}]}"#),
            (ProfileViolation::DuplicateKey("b".into()), "/a/1/b".into())
        );
        assert_eq!(
            violation(r#"{"a":[0,1.5]}"#),
            (ProfileViolation::NonInteger, "/a/1".into())
        );
        assert_eq!(
            violation(r#"{"x/y":9007199254740992}"#),
            (ProfileViolation::OutOfRange, "/x~1y".into())
        );
    }

    #[test]
    fn syntax_errors_keep_position() {
        let e = parse_strict("{\n  \"a\": tru }").unwrap_err();
        assert!(matches!(e.violation, ProfileViolation::Syntax(_)));
        assert_eq!(e.line, 2);
        assert_eq!(e.path, "/a");
        assert!(!e.to_string().contains("at line 2 column"), "{e}");
    }
}
