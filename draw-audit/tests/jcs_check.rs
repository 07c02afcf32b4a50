//! The one-pass canonical check (`jcs::check_canonical`) against its
//! definition (`parse_strict`, then `canonical`, then byte equality) on
//! random values and on random damage to their canonical bytes.

#![cfg(test)]

use draw_audit::jcs::{
    CanonicalVisitor, Member, canonical, check_canonical, check_canonical_visit, parse_strict,
};
use expert_core::draw::scan_candidates;
use serde_json::{Map, Value, json};

/// SplitMix64, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Characters where canonical forms differ: controls, quote, backslash,
/// slash, DEL, U+2028, the BMP private-use area (sorts after supplementary
/// characters in UTF-8 but before them in UTF-16), and emoji.
const CHARS: [char; 16] = [
    'a',
    'Z',
    '0',
    '"',
    '\\',
    '/',
    '\u{1}',
    '\u{8}',
    '\n',
    '\u{1f}',
    '\u{7f}',
    '\u{2028}',
    '\u{e000}',
    '\u{fb01}',
    '\u{1f600}',
    '中',
];

fn string(r: &mut Rng) -> String {
    (0..r.below(5))
        .map(|_| CHARS[r.below(16) as usize])
        .collect()
}

fn value(r: &mut Rng, depth: u32) -> Value {
    match r.below(if depth > 3 { 4 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(r.below(2) == 0),
        2 => {
            let max = (1i64 << 53) - 1;
            let n = match r.below(4) {
                0 => max,
                1 => -max,
                2 => 0,
                _ => (r.next() % 2_000_000) as i64 - 1_000_000,
            };
            Value::from(n)
        }
        3 => Value::String(string(r)),
        4 | 5 => {
            let mut m = Map::new();
            for _ in 0..r.below(5) {
                m.insert(string(r), value(r, depth + 1));
            }
            Value::Object(m)
        }
        _ => Value::Array((0..r.below(4)).map(|_| value(r, depth + 1)).collect()),
    }
}

fn by_definition(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| parse_strict(t).ok())
        .and_then(|v| canonical(&v).ok())
        .is_some_and(|c| c == bytes)
}

/// Damage that keeps most of the text: a changed, deleted or inserted byte,
/// two adjacent bytes swapped, whitespace, a number turned non-integer.
fn damage(r: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    if b.is_empty() {
        return b" ".to_vec();
    }
    let at = r.below(b.len() as u64) as usize;
    const POOL: &[u8] = b" \t{}[],:\"\\0123456789-.eEabnu\x01";
    match r.below(6) {
        0 => b[at] = POOL[r.below(POOL.len() as u64) as usize],
        1 => {
            b.remove(at);
        }
        2 => b.insert(at, POOL[r.below(POOL.len() as u64) as usize]),
        3 if at + 1 < b.len() => b.swap(at, at + 1),
        4 => b.insert(at, b' '),
        _ => b.extend_from_slice(b".5"),
    }
    b
}

#[test]
fn canonical_bytes_always_pass() {
    let mut r = Rng(1);
    for _ in 0..5_000 {
        let v = value(&mut r, 0);
        let bytes = canonical(&v).unwrap();
        assert_eq!(
            check_canonical(&bytes),
            Ok(()),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
    }
}

#[test]
fn damaged_bytes_are_judged_as_the_definition_judges_them() {
    let mut r = Rng(2);
    let (mut rejected, mut total) = (0, 0);
    for _ in 0..20_000 {
        let v = value(&mut r, 0);
        let bytes = damage(&mut r, &canonical(&v).unwrap());
        let fast = check_canonical(&bytes).is_ok();
        assert_eq!(
            fast,
            by_definition(&bytes),
            "{:?}: {:?}",
            String::from_utf8_lossy(&bytes),
            check_canonical(&bytes)
        );
        total += 1;
        rejected += usize::from(!fast);
    }
    // The damage must mostly break canonicity, or the test shows little.
    assert!(rejected * 2 > total, "{rejected} of {total} rejected");
}

#[test]
fn non_canonical_spellings_of_valid_json_fail() {
    for text in [
        r#"{"b":1,"a":2}"#,
        r#"{"a": 1}"#,
        r#"{"a":"\u0041"}"#,
        r#"{"a":"\/"}"#,
        r#"{"a":1.0}"#,
        r#"{"a":1E2}"#,
        r#"{"a":-0}"#,
        r#"{"a":"\u000A"}"#,
        "{\"a\":1}\n",
    ] {
        assert!(check_canonical(text.as_bytes()).is_err(), "{text}");
        assert!(!by_definition(text.as_bytes()), "{text}");
    }
}

/// The verifier's visitor: `data.statement.candidates` is read (and
/// vouched for) by `scan_candidates` when it can.
#[derive(Default)]
struct Scanning {
    taken: usize,
}

impl<'a> CanonicalVisitor<'a> for Scanning {
    fn member(&mut self, _: Member<'a>) {}

    fn take(&mut self, path: [&'a [u8]; 3], text: &'a str, at: usize) -> Option<usize> {
        if path != [&b"data"[..], b"statement", b"candidates"] {
            return None;
        }
        let (_, end) = scan_candidates(text, at)?;
        self.taken += 1;
        Some(end)
    }
}

/// A leaf whose statement has a candidate list in the service's shape,
/// with strings drawn from `CHARS` (some need escapes, some sort oddly).
fn leaf(r: &mut Rng) -> Value {
    let plain = |r: &mut Rng| -> String {
        (0..r.below(4))
            .map(|_| ['a', 'Z', '0', '\u{7f}', '中', '\u{e000}'][r.below(6) as usize])
            .collect()
    };
    let mut ids: Vec<String> = (0..r.below(6))
        .map(|_| {
            if r.below(8) == 0 {
                string(r)
            } else {
                format!("E{}", r.below(100))
            }
        })
        .collect();
    ids.sort();
    let candidates: Vec<Value> = ids
        .into_iter()
        .map(|id| {
            let s = if r.below(8) == 0 { string(r) } else { plain(r) };
            json!({"id": id, "region": plain(r), "employer": s,
                   "specialties": [plain(r)], "recent": r.below(3)})
        })
        .collect();
    json!({"seq": 0, "time": "2026-01-01T00:00:00Z", "kind": "draw.reveal", "actor": "a",
           "data": {"draw_id": "D", "statement": {"spec": "x", "candidates": candidates}}})
}

#[test]
fn reading_candidates_during_the_check_changes_no_verdict() {
    let mut r = Rng(3);
    let (mut taken, mut total) = (0, 0);
    for i in 0..20_000 {
        let good = canonical(&leaf(&mut r)).unwrap();
        let bytes = if i % 4 == 0 {
            good
        } else {
            damage(&mut r, &good)
        };
        let mut v = Scanning::default();
        let with = check_canonical_visit(&bytes, &mut v).map(drop);
        assert_eq!(
            with,
            check_canonical(&bytes),
            "{:?}",
            String::from_utf8_lossy(&bytes)
        );
        taken += v.taken;
        total += 1;
    }
    // Most lists must take the fast read, or the test shows little.
    assert!(
        taken * 3 > total,
        "{taken} of {total} read during the check"
    );
}
