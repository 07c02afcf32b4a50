//! Checks that bytes are exactly the canonical form (RFC 8785, this
//! project's integer profile) of the JSON they spell, in one pass and
//! without building a value: what `parse_strict` followed by `canonical`
//! and a byte comparison decide, at a fraction of the cost.
//!
//! The equivalence is the contract; `tests` below and the property test in
//! `tests/jcs_check.rs` hold the two paths to it.

use std::ops::Range;

use expert_core::draw::plain_run;

/// How deep containers may nest: `parse_strict` (serde_json) refuses the
/// 128th level, so this check does too.
const MAX_NESTING: usize = 127;

/// Bytes that are not the canonical form of any JSON value of the profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason} at byte {offset}")]
pub struct NotCanonical {
    /// Where the bytes first depart from canonical JSON.
    pub offset: usize,
    pub reason: &'static str,
}

/// One object member at nesting depth 1 or 2, reported once its value has
/// been checked: `key` is the raw key (between the quotes, still escaped),
/// `parent` the raw key of the enclosing top-level member (empty at depth 1),
/// `value` the byte range of the member's value.
#[derive(Debug, Clone)]
pub struct Member<'a> {
    pub depth: usize,
    pub parent: &'a [u8],
    pub key: &'a [u8],
    pub value: Range<usize>,
}

/// `Ok` exactly when `bytes` are `JCS(parse_strict(bytes))`.
pub fn check_canonical(bytes: &[u8]) -> Result<(), NotCanonical> {
    check_canonical_with(bytes, |_| {})
}

/// [`check_canonical`], calling `visit` for every member of the top-level
/// object and of objects directly inside it, so that a caller can find the
/// fields it needs without parsing again.
pub fn check_canonical_with<'a>(
    bytes: &'a [u8],
    visit: impl FnMut(Member<'a>),
) -> Result<(), NotCanonical> {
    check_canonical_visit(bytes, &mut Members(visit)).map(drop)
}

/// What [`check_canonical_visit`] tells its caller, and asks of it.
pub trait CanonicalVisitor<'a> {
    /// A member at depth 1 or 2, once its value has been checked.
    fn member(&mut self, member: Member<'a>);

    /// Before the value of a member at depth 3 (`path` = the raw keys of
    /// the top-level member, of the depth-2 member and of this one; the
    /// middle one empty when the object lies in a top-level array) is checked, which starts at byte `at` of
    /// `text` (the whole input, valid UTF-8). The visitor may check that
    /// value itself: returning `Some(end)` vouches that `text[at..end]` is
    /// the canonical form of one JSON value of the profile, nested at most
    /// 8 levels, and the check goes on at `end`. `None` (the default)
    /// leaves the value to the check.
    fn take(&mut self, path: [&'a [u8]; 3], text: &'a str, at: usize) -> Option<usize> {
        let _ = (path, text, at);
        None
    }
}

struct Members<F>(F);

impl<'a, F: FnMut(Member<'a>)> CanonicalVisitor<'a> for Members<F> {
    fn member(&mut self, member: Member<'a>) {
        (self.0)(member);
    }
}

/// [`check_canonical`] with a [`CanonicalVisitor`]; `Ok` gives the bytes
/// as text (they are valid UTF-8).
pub fn check_canonical_visit<'a, V: CanonicalVisitor<'a>>(
    bytes: &'a [u8],
    visit: &mut V,
) -> Result<&'a str, NotCanonical> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Err(NotCanonical {
                offset: e.valid_up_to(),
                reason: "invalid UTF-8",
            });
        }
    };
    let mut s = Scanner {
        text,
        b: bytes,
        i: 0,
        top_key: 0..0,
        second_key: 0..0,
        visit,
    };
    let at = |s: &Scanner<'_, '_, V>, reason| NotCanonical {
        offset: s.i,
        reason,
    };
    if let Err(reason) = s.value(0) {
        return Err(at(&s, reason));
    }
    if s.i != bytes.len() {
        return Err(at(&s, "bytes after the value"));
    }
    Ok(text)
}

/// Why the bytes are not canonical; where is the scanner's position when it
/// is returned. A bare reason fits in the two return registers, which a
/// whole [`NotCanonical`] did not.
type Fail = &'static str;

/// A string's content span and whether it holds escapes.
#[derive(Debug, Clone)]
struct Str {
    span: Range<usize>,
    escaped: bool,
}

struct Scanner<'a, 'v, V> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    /// Raw key of the top-level member being read.
    top_key: Range<usize>,
    /// Raw key of the depth-2 member being read.
    second_key: Range<usize>,
    visit: &'v mut V,
}

impl<'a, V: CanonicalVisitor<'a>> Scanner<'a, '_, V> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn expect(&mut self, byte: u8, reason: Fail) -> Result<(), Fail> {
        if self.peek() == Some(byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(reason)
        }
    }

    fn value(&mut self, depth: usize) -> Result<(), Fail> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(drop),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err("expected a JSON value (no whitespace)"),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Fail> {
        if self.b.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err("invalid literal")
        }
    }

    /// `0` or `-?[1-9][0-9]*` within ±(2^53 − 1); no `-0`, fraction or exponent.
    fn number(&mut self) -> Result<(), Fail> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = self.i;
        let mut value: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            if self.i - digits >= 16 {
                self.i = start;
                return Err("integer is outside ±(2^53−1)");
            }
            value = value * 10 + u64::from(d - b'0');
            self.i += 1;
        }
        let len = self.i - digits;
        let first = self.b.get(digits).copied();
        if len == 0 {
            return Err("invalid number");
        }
        if first == Some(b'0') && (len > 1 || digits > start) {
            self.i = start;
            return Err("number is not in canonical form (leading zero or -0)");
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            self.i = start;
            return Err("number is not a plain integer");
        }
        if value > super::MAX_SAFE_INTEGER {
            self.i = start;
            return Err("integer is outside ±(2^53−1)");
        }
        Ok(())
    }

    /// A string in `JSON.stringify` form; `self.i` is on the opening quote.
    /// Whether it holds escapes; its content is `start + 1..self.i - 1`
    /// afterwards. Inlined, and the answer a single flag: a returned span
    /// went through memory, where its reload stalled the object loop.
    #[inline(always)]
    fn string(&mut self) -> Result<bool, Fail> {
        self.i += 1;
        let mut escaped = false;
        loop {
            // Run over the plain bytes first: most strings have no escapes.
            self.i += plain_run(self.b.get(self.i..).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    escaped = true;
                    self.escape()?;
                }
                Some(_) => return Err("control character not escaped"),
                None => return Err("unterminated string"),
            }
        }
    }

    /// One escape as `JSON.stringify` writes it: the short forms, and
    /// `\u00xx` (lowercase) only for the other control characters.
    fn escape(&mut self) -> Result<(), Fail> {
        match self.b.get(self.i + 1).copied() {
            Some(b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.i += 2;
                Ok(())
            }
            Some(b'u') => {
                let hex = self.b.get(self.i + 2..self.i + 6).unwrap_or_default();
                let control = match hex {
                    [b'0', b'0', hi @ (b'0' | b'1'), lo] => {
                        hex_digit(*lo).map(|lo| (u32::from(hi - b'0') << 4) | lo)
                    }
                    _ => None,
                };
                match control {
                    Some(0x08 | 0x09 | 0x0a | 0x0c | 0x0d) | None => {
                        Err("escape is not in canonical form")
                    }
                    Some(_) => {
                        self.i += 6;
                        Ok(())
                    }
                }
            }
            _ => Err("escape is not in canonical form"),
        }
    }

    fn array(&mut self, depth: usize) -> Result<(), Fail> {
        if depth > MAX_NESTING {
            return Err("nested too deeply");
        }
        self.i += 1;
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.value(depth)?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err("expected ',' or ']' (no whitespace)"),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<(), Fail> {
        if depth > MAX_NESTING {
            return Err("nested too deeply");
        }
        self.i += 1;
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(());
        }
        let mut previous: Option<Str> = None;
        loop {
            if self.peek() != Some(b'"') {
                return Err("expected a key (no whitespace)");
            }
            let key_at = self.i;
            let escaped = self.string()?;
            let key = Str {
                span: key_at + 1..self.i - 1,
                escaped,
            };
            if let Some(p) = &previous
                && !first_byte_precedes(self.b, p, &key)
                    .unwrap_or_else(|| key_precedes(self.b, p, &key))
            {
                self.i = key_at;
                return Err("keys not sorted by UTF-16 code units, or repeated");
            }
            self.expect(b':', "expected ':' (no whitespace)")?;
            if depth == 1 {
                self.top_key = key.span.clone();
                // Objects at depth 3 under a top-level array have no
                // depth-2 key: never one left from an earlier member.
                self.second_key = 0..0;
            } else if depth == 2 {
                self.second_key = key.span.clone();
            }
            let start = self.i;
            let b = self.b;
            let taken = if depth == 3 {
                let path = [
                    b.get(self.top_key.clone()).unwrap_or_default(),
                    b.get(self.second_key.clone()).unwrap_or_default(),
                    b.get(key.span.clone()).unwrap_or_default(),
                ];
                self.visit
                    .take(path, self.text, start)
                    .filter(|&end| end > start && end <= b.len() && depth + 8 <= MAX_NESTING)
            } else {
                None
            };
            match taken {
                Some(end) => self.i = end,
                None => self.value(depth)?,
            }
            if depth <= 2 {
                let parent = if depth == 2 {
                    b.get(self.top_key.clone()).unwrap_or_default()
                } else {
                    &[]
                };
                self.visit.member(Member {
                    depth,
                    parent,
                    key: b.get(key.span.clone()).unwrap_or_default(),
                    value: start..self.i,
                });
            }
            previous = Some(key);
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => return Err("expected ',' or '}' (no whitespace)"),
            }
        }
    }
}

fn hex_digit(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'a'..=b'f' => Some(u32::from(c - b'a') + 10),
        _ => None,
    }
}

/// [`key_precedes`] decided by the keys' first bytes alone, when it can be:
/// they differ, neither key is escaped and both are below 0xEE. Inlined in
/// the object loop, since most neighbouring keys differ at once.
#[inline]
fn first_byte_precedes(bytes: &[u8], a: &Str, b: &Str) -> Option<bool> {
    let (x, y) = (*bytes.get(a.span.start)?, *bytes.get(b.span.start)?);
    (!a.escaped
        && !b.escaped
        && a.span.start < a.span.end
        && b.span.start < b.span.end
        && x != y
        && x < 0xee
        && y < 0xee)
        .then_some(x < y)
}

/// Whether key `a` sorts strictly before key `b` by UTF-16 code units.
/// UTF-8 byte order is code point order, which agrees with UTF-16 order
/// unless one side has a character at or above U+E000 (lead byte 0xEE and
/// up); escapes change the bytes. Only then are the keys decoded.
fn key_precedes(bytes: &[u8], a: &Str, b: &Str) -> bool {
    let raw = |s: &Str| bytes.get(s.span.clone()).unwrap_or_default();
    let (ra, rb) = (raw(a), raw(b));
    if !a.escaped && !b.escaped {
        // Most neighbouring keys differ in their first byte.
        if let (Some(&x), Some(&y)) = (ra.first(), rb.first())
            && x != y
            && x < 0xee
            && y < 0xee
        {
            return x < y;
        }
        // Up to the first byte where they differ the two agree; there, byte
        // order is UTF-16 order unless a lead byte of U+E000 or above is
        // involved (a continuation byte is below 0xC0).
        match ra.iter().zip(rb).position(|(x, y)| x != y) {
            None => return ra.len() < rb.len(),
            Some(i) => {
                let (x, y) = (ra.get(i).copied(), rb.get(i).copied());
                if let (Some(x), Some(y)) = (x, y)
                    && x < 0xee
                    && y < 0xee
                {
                    return x < y;
                }
            }
        }
    }
    let (da, db) = (unescape(ra), unescape(rb));
    da.encode_utf16().lt(db.encode_utf16())
}

/// The text of a string already checked to be canonical.
pub(crate) fn unescape(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    if !raw.contains(&b'\\') {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{08}'),
            Some('f') => out.push('\u{0c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                out.extend(code);
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jcs::{canonical, parse_strict};

    /// The slow definition: parse strictly, re-encode, compare.
    fn by_definition(bytes: &[u8]) -> bool {
        std::str::from_utf8(bytes)
            .ok()
            .and_then(|t| parse_strict(t).ok())
            .and_then(|v| canonical(&v).ok())
            .is_some_and(|c| c == bytes)
    }

    fn agree(text: &[u8]) {
        assert_eq!(
            check_canonical(text).is_ok(),
            by_definition(text),
            "{:?}: {:?}",
            String::from_utf8_lossy(text),
            check_canonical(text)
        );
    }

    #[test]
    fn agrees_with_the_definition_on_hand_picked_cases() {
        let cases: &[&[u8]] = &[
            b"null",
            b"true",
            b"false",
            b"0",
            b"-1",
            b"-0",
            b"01",
            b"1.0",
            b"1e3",
            b"9007199254740991",
            b"9007199254740992",
            b"-9007199254740991",
            b"-9007199254740992",
            b"12345678901234567890",
            b"\"\"",
            b"\"a\\\"b\\\\c\"",
            b"\"\\/\"",
            b"\"\\u0001\\u001f\"",
            b"\"\\u001F\"",
            b"\"\\u0008\"",
            b"\"\\b\\f\\n\\r\\t\"",
            b"\"\\u0041\"",
            b"\"\x7f\"",
            b"\"\xe2\x80\xa8\"",
            b"\"\x01\"",
            b"\"\\ud800\"",
            b"[]",
            b"{}",
            b"[1,2]",
            b"[1, 2]",
            b" 1",
            b"1 ",
            b"{\"a\":1,\"b\":2}",
            b"{\"b\":1,\"a\":2}",
            b"{\"a\":1,\"a\":2}",
            b"{\"a\":1,}",
            b"[1,]",
            b"{\"a\"1}",
            // U+FB01 sorts after U+1F600 in UTF-8 but before it in UTF-16.
            "{\"\u{1f600}\":1,\"\u{fb01}\":2}".as_bytes(),
            "{\"\u{fb01}\":1,\"\u{1f600}\":2}".as_bytes(),
            b"{\"\\n\":1,\"a\":2}",
            b"{\"a\":1,\"\\n\":2}",
            b"{\"\\\"\":1,\"#\":2}",
            b"{\"!\":1,\"\\\"\":2}",
            b"\xff",
            b"",
            b"tru",
            b"nul",
            b"\"abc",
            b"-",
            b"[1}",
        ];
        for c in cases {
            agree(c);
        }
    }

    #[test]
    fn nesting_limit_is_the_parsers() {
        for depth in [126, 127, 128, 129] {
            let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            agree(text.as_bytes());
            let text = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            agree(text.as_bytes());
        }
    }

    #[test]
    fn failures_point_at_the_first_bad_byte() {
        let e = check_canonical(b"{\"b\":1,\"a\":2}").unwrap_err();
        assert_eq!(e.offset, 7);
        let e = check_canonical(b"[1, 2]").unwrap_err();
        assert_eq!(e.offset, 3);
    }

    #[test]
    fn members_of_the_first_two_levels_are_reported() {
        let text = br#"{"a":[{"x":1}],"data":{"k":"v","s":{"deep":2}},"z":0}"#;
        let mut seen = Vec::new();
        check_canonical_with(text, |m| {
            seen.push((
                m.depth,
                String::from_utf8_lossy(m.parent).into_owned(),
                String::from_utf8_lossy(m.key).into_owned(),
                String::from_utf8_lossy(&text[m.value]).into_owned(),
            ));
        })
        .unwrap();
        let want = [
            (1, "", "a", r#"[{"x":1}]"#),
            (2, "data", "k", r#""v""#),
            (2, "data", "s", r#"{"deep":2}"#),
            (1, "", "data", r#"{"k":"v","s":{"deep":2}}"#),
            (1, "", "z", "0"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(d, p, k, v)| (*d, p.to_string(), k.to_string(), v.to_string()))
            .collect();
        // The object inside the array is at depth 3: not reported.
        assert_eq!(seen, want);
    }

    #[test]
    fn take_is_offered_depth_three_members_with_their_own_path() {
        struct Paths(Vec<String>);
        impl<'a> CanonicalVisitor<'a> for Paths {
            fn member(&mut self, _: Member<'a>) {}
            fn take(&mut self, path: [&'a [u8]; 3], _: &'a str, _: usize) -> Option<usize> {
                let p: Vec<_> = path.iter().map(|k| String::from_utf8_lossy(k)).collect();
                self.0.push(p.join("/"));
                None
            }
        }
        // The object under the top-level array has no depth-2 key; the
        // `statement` of the member before it must not be taken for one.
        let text = br#"{"a":{"statement":{"k":1}},"data":[{"candidates":[]}],"z":{"s":{"c":2}}}"#;
        let mut v = Paths(Vec::new());
        check_canonical_visit(text, &mut v).unwrap();
        assert_eq!(v.0, ["a/statement/k", "data//candidates", "z/s/c"]);
    }

    #[test]
    fn unescape_reverses_canonical_escapes() {
        assert_eq!(unescape(br#"a\"b\\c\n\u0001"#), "a\"b\\c\n\u{1}");
    }
}
