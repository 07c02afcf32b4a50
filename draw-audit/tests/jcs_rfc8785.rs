//! RFC 8785 behaviour of `jcs`: the RFC's own examples (numbers swapped for
//! integers), UTF-16 key order, ECMAScript escaping, and the strict parser.

#![cfg(test)]

use draw_audit::jcs::{
    JcsError, MAX_SAFE_INTEGER, ProfileViolation, canonical, canonical_string, parse_strict,
};
use serde_json::{Value, json};

fn jcs(text: &str) -> String {
    canonical_string(&parse_strict(text).unwrap()).unwrap()
}

fn violation(text: &str) -> ProfileViolation {
    parse_strict(text).unwrap_err().violation
}

/// RFC 8785 §3.2.3: property sorting by UTF-16 code units.
#[test]
fn rfc8785_sorting_example() {
    let input = r#"{
       "\u20ac": "Euro Sign",
       "\r": "Carriage Return",
       "\ufb33": "Hebrew Letter Dalet With Dagesh",
       "1": "One",
       "\ud83d\ude00": "Emoji: Grinning Face",
       "\u0080": "Control",
       "\u00f6": "Latin Small Letter O With Diaeresis",
       "</script>": "Browser Challenge"
    }"#;
    let want = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"</script>\":\"Browser Challenge\",\
                \"\u{80}\":\"Control\",\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\
                \"\u{20ac}\":\"Euro Sign\",\"\u{1f600}\":\"Emoji: Grinning Face\",\
                \"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
    assert_eq!(jcs(input), want);
}

/// RFC 8785 §3.2.2 example, with integers in place of the floats this
/// profile does not admit.
#[test]
fn rfc8785_value_example_with_integers() {
    let input = r#"{
      "numbers": [333333333, 1000000, 4, -2, 0, -9007199254740991, 9007199254740991],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }"#;
    let want = "{\"literals\":[null,true,false],\
                \"numbers\":[333333333,1000000,4,-2,0,-9007199254740991,9007199254740991],\
                \"string\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
    assert_eq!(jcs(input), want);
}

#[test]
fn keys_sort_by_utf16_not_utf8() {
    // UTF-8 puts U+E000 (EE 80 80) before U+1F600 (F0 9F 98 80); UTF-16
    // puts U+1F600 (D83D DE00) before U+E000.
    let v = json!({"\u{e000}": 1, "\u{1f600}": 2, "a": 3, "\u{ffff}": 4});
    assert_eq!(
        canonical_string(&v).unwrap(),
        "{\"a\":3,\"\u{1f600}\":2,\"\u{e000}\":1,\"\u{ffff}\":4}"
    );
    // Nested objects are sorted too; arrays keep their order.
    let v = json!({"b": [{"z": 1, "y": 2}, 3, 1], "a": {"d": 0, "c": 0}});
    assert_eq!(
        canonical_string(&v).unwrap(),
        r#"{"a":{"c":0,"d":0},"b":[{"y":2,"z":1},3,1]}"#
    );
}

#[test]
fn strings_escape_like_json_stringify() {
    let all_controls: String = (0u8..0x20).map(char::from).collect();
    let got = canonical_string(&Value::String(all_controls)).unwrap();
    let want = "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\
                \\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\
                \\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\
                \\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"";
    assert_eq!(got, want);
    // DEL, the JS line separators, '/', non-ASCII and astral stay literal.
    let s = "\u{7f}\u{2028}\u{2029}/\u{e9}\u{4e2d}\u{1f600}\"\\";
    assert_eq!(
        canonical_string(&json!(s)).unwrap(),
        "\"\u{7f}\u{2028}\u{2029}/\u{e9}\u{4e2d}\u{1f600}\\\"\\\\\""
    );
    // Escaped input comes out literal (canonical form is unique).
    assert_eq!(jcs(r#""\u00e9\u4e2d\/""#), "\"\u{e9}\u{4e2d}/\"");
}

#[test]
fn integers_only_within_safe_range() {
    let max = MAX_SAFE_INTEGER as i64;
    assert_eq!(
        canonical_string(&json!([max, -max])).unwrap(),
        "[9007199254740991,-9007199254740991]"
    );
    assert_eq!(
        canonical(&json!({"a": [max + 1]})),
        Err(JcsError::OutOfRange {
            path: "/a/0".into()
        })
    );
    assert!(matches!(
        canonical(&json!(-max - 1)),
        Err(JcsError::OutOfRange { .. })
    ));
    assert!(matches!(
        canonical(&json!(u64::MAX)),
        Err(JcsError::OutOfRange { .. })
    ));
    assert_eq!(
        canonical(&json!({"x": 1.0})),
        Err(JcsError::NonInteger { path: "/x".into() })
    );
    assert!(matches!(
        canonical(&json!(0.5)),
        Err(JcsError::NonInteger { .. })
    ));
    assert!(
        canonical(&json!(1.5))
            .unwrap_err()
            .to_string()
            .contains("not an integer")
    );
}

#[test]
fn parser_rejects_duplicates_at_any_depth() {
    assert_eq!(
        violation(r#"{"a":1,"a":1}"#),
        ProfileViolation::DuplicateKey("a".into())
    );
    let e = parse_strict(r#"{"p":{"q":[{"k":1,"j":2,"k":3}]}}"#).unwrap_err();
    assert_eq!(e.violation, ProfileViolation::DuplicateKey("k".into()));
    assert_eq!(e.path, "/p/q/0/k");
    assert!(e.to_string().contains("\"k\""), "{e}");
    // Same key in sibling objects is fine; escapes that decode to the same
    // key are duplicates.
    assert!(parse_strict(r#"[{"a":1},{"a":2}]"#).is_ok());
    assert_eq!(
        violation(r#"{"a":1,"\u0061":2}"#),
        ProfileViolation::DuplicateKey("a".into())
    );
}

#[test]
fn parser_rejects_lone_surrogates() {
    for text in [
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud83d x""#,
        r#""\ud83d\u0041""#,
        r#"{"\ud800":1}"#,
        r#"["ok","\udfff"]"#,
    ] {
        assert!(
            matches!(violation(text), ProfileViolation::LoneSurrogate(_)),
            "{text}: {:?}",
            parse_strict(text)
        );
    }
    assert_eq!(
        parse_strict(r#""\ud83d\ude00""#).unwrap(),
        json!("\u{1f600}")
    );
}

#[test]
fn parser_numbers() {
    assert_eq!(
        parse_strict("9007199254740991").unwrap(),
        json!(MAX_SAFE_INTEGER)
    );
    assert_eq!(
        parse_strict("-9007199254740991").unwrap(),
        json!(-(MAX_SAFE_INTEGER as i64))
    );
    assert_eq!(parse_strict("0").unwrap(), json!(0));
    for text in [
        "9007199254740992",
        "-9007199254740992",
        "18446744073709551615",
        "1e400",
    ] {
        assert_eq!(violation(text), ProfileViolation::OutOfRange, "{text}");
    }
    assert_eq!(
        violation("100000000000000000000000"),
        ProfileViolation::OutOfRange
    );
    for text in ["1.0", "1e2", "1E2", "0.5", "-0", "-0.0", "2e-3"] {
        assert_eq!(violation(text), ProfileViolation::NonInteger, "{text}");
    }
}

#[test]
fn parser_rejects_bad_syntax_without_panicking() {
    for text in [
        "",
        " ",
        "{",
        "[1,]",
        "{\"a\":1,}",
        "01",
        "+1",
        "NaN",
        "Infinity",
        "'a'",
        "[1] x",
        "\u{feff}{}",
        "{\"a\" 1}",
        "\"\t\"",
        "\"\\x\"",
        "tru",
        "nul",
        "[\"a\"\"b\"]",
    ] {
        assert!(
            matches!(violation(text), ProfileViolation::Syntax(_)),
            "{text:?}: {:?}",
            parse_strict(text)
        );
    }
    // Deep nesting hits serde_json's recursion limit, not the stack.
    let deep = "[".repeat(100_000);
    assert!(matches!(violation(&deep), ProfileViolation::Syntax(_)));
    let deep_obj = "{\"a\":".repeat(100_000);
    assert!(matches!(violation(&deep_obj), ProfileViolation::Syntax(_)));
}

#[test]
fn canonical_output_is_a_fixed_point() {
    let text = r#" { "z" : [ 1 , -2 , { "b" : null , "a" : true } ] ,
        "y" : "\u00e9\n\u0001\ud83d\ude00" , "\u00e9" : { } , "" : [ ] } "#;
    let once = jcs(text);
    assert_eq!(jcs(&once), once);
    assert_eq!(
        once,
        "{\"\":[],\"y\":\"\u{e9}\\n\\u0001\u{1f600}\",\"z\":[1,-2,{\"a\":true,\"b\":null}],\"\u{e9}\":{}}"
    );
    assert_eq!(
        canonical(&parse_strict(&once).unwrap()).unwrap(),
        once.as_bytes()
    );
}
