//! Writes a `serde_json::Value` as RFC 8785 canonical JSON: keys sorted by
//! UTF-16 code units, ECMAScript string escaping, integers only.

use serde_json::{Number, Value};

use super::{JcsError, MAX_SAFE_INTEGER, Segment, push_segment};

/// Nesting limit, so a hostile in-memory value cannot exhaust the stack.
/// Well above serde_json's own parse limit of 128.
pub(super) const MAX_DEPTH: usize = 512;

/// Canonical JSON bytes of `v` (UTF-8).
pub fn canonical(v: &Value) -> Result<Vec<u8>, JcsError> {
    canonical_string(v).map(String::into_bytes)
}

/// Canonical JSON of `v` as a string.
pub fn canonical_string(v: &Value) -> Result<String, JcsError> {
    let mut out = String::new();
    write_value(&mut out, v, 0)?;
    Ok(out)
}

fn write_value(out: &mut String, v: &Value, depth: usize) -> Result<(), JcsError> {
    if depth > MAX_DEPTH {
        return Err(JcsError::TooDeep {
            path: String::new(),
        });
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n)?,
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, depth + 1).map_err(|e| within(e, Segment::Index(i)))?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            // serde_json orders keys by UTF-8 bytes (or by insertion with
            // preserve_order); RFC 8785 wants UTF-16 code units, which
            // differ for characters above U+FFFF versus U+E000..U+FFFF.
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, value)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, value, depth + 1)
                    .map_err(|e| within(e, Segment::Key(key.clone())))?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Prefixes an error's pointer with the segment it was found under; paths
/// are only built on the error path, so encoding stays allocation-light.
fn within(mut e: JcsError, segment: Segment) -> JcsError {
    let mut prefixed = String::new();
    push_segment(&mut prefixed, &segment);
    let path = e.path_mut();
    prefixed.push_str(path);
    *path = prefixed;
    e
}

fn write_number(out: &mut String, n: &Number) -> Result<(), JcsError> {
    let magnitude = if let Some(i) = n.as_i64() {
        i.unsigned_abs()
    } else if let Some(u) = n.as_u64() {
        u
    } else {
        return Err(JcsError::NonInteger {
            path: String::new(),
        });
    };
    if magnitude > MAX_SAFE_INTEGER {
        return Err(JcsError::OutOfRange {
            path: String::new(),
        });
    }
    // In the safe range, ES Number-to-string of an integer is its plain
    // decimal form, which is what Number's Display gives.
    out.push_str(&n.to_string());
    Ok(())
}

/// ECMAScript `JSON.stringify` string quoting: the two-character escapes for
/// \b \t \n \f \r " \\, `\u00xx` (lowercase) for other controls, and every
/// other character (DEL, U+2028, U+2029, non-ASCII) as literal UTF-8.
/// Public so that a caller writing a canonical document piece by piece
/// (many records of a known shape) quotes its strings exactly as here.
pub fn write_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars() {
        assert_eq!(canonical_string(&json!(null)).unwrap(), "null");
        assert_eq!(canonical_string(&json!(true)).unwrap(), "true");
        assert_eq!(canonical_string(&json!(-12)).unwrap(), "-12");
        assert_eq!(canonical_string(&json!("")).unwrap(), "\"\"");
        assert_eq!(canonical_string(&json!([])).unwrap(), "[]");
        assert_eq!(canonical_string(&json!({})).unwrap(), "{}");
    }

    #[test]
    fn error_paths_point_at_the_value() {
        let v = json!({"a": [1, {"b/c": 1.5}]});
        assert_eq!(
            canonical(&v),
            Err(JcsError::NonInteger {
                path: "/a/1/b~1c".into()
            })
        );
    }

    #[test]
    fn depth_is_bounded() {
        let mut v = json!(0);
        for _ in 0..(MAX_DEPTH + 5) {
            v = Value::Array(vec![v]);
        }
        assert!(matches!(canonical(&v), Err(JcsError::TooDeep { .. })));
        let mut ok = json!(0);
        for _ in 0..MAX_DEPTH {
            ok = Value::Array(vec![ok]);
        }
        assert!(canonical(&ok).is_ok());
    }
}
