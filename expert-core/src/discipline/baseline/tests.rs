//! Tests of the baseline: the default table, TOML, validation of every rule,
//! and the range bound a decision cannot exceed.

use super::*;
use proptest::prelude::*;

fn v(code: &str) -> Ground {
    Ground::Violation { code: code.into() }
}

fn suspension(months: u32, restore: RestoreMode) -> Sanction {
    Sanction::new(Measure::Suspension { months, restore })
}

#[test]
fn default_table() {
    let b = Baseline::default();
    assert!(b.validate().is_empty(), "{:?}", b.validate());
    let points: Vec<(&str, u32)> = b
        .violations
        .iter()
        .map(|v| (v.code.as_str(), v.points))
        .collect();
    assert_eq!(
        points,
        [
            ("accept_property", 12),
            ("leak_evaluation_information", 12),
            ("conceal_conflict_of_interest", 6),
            ("private_contact_with_bidder", 6),
            ("ignore_evaluation_criteria", 6),
            ("leave_early", 3),
            ("phone_in_room", 3),
            ("late_arrival", 1),
        ]
    );
    assert_eq!(b.cycle_months, 12);
    assert_eq!(b.thresholds.len(), 1);
    assert_eq!(b.thresholds[0].points, 12);
}

#[test]
fn toml_round_trip_partial_and_unknown_keys() {
    let b = Baseline::default();
    let text = toml::to_string(&b).unwrap();
    assert_eq!(toml::from_str::<Baseline>(&text).unwrap(), b);
    assert_eq!(toml::from_str::<Baseline>("").unwrap(), b);

    let custom: Baseline = toml::from_str(
        r#"
cycle_months = 24

[[violations]]
code = "late_arrival"
name_zh = "迟到"
name_en = "arriving late"
points = 2
legal_basis = "本中心规定第3条"
sanctions = { warning = true, fine_yuan = { min = 100, max = 500 } }

[[violations]]
code = "bribery"
name_zh = "收受财物"
name_en = "bribery"
points = 12
legal_basis = "招标投标法第五十六条"
[violations.sanctions]
removal = { permanent = true, ban_years = { min = 3, max = 5 } }
"#,
    )
    .unwrap();
    assert!(custom.validate().is_empty(), "{:?}", custom.validate());
    assert_eq!(custom.cycle_months, 24);
    assert_eq!(custom.violations.len(), 2);
    assert_eq!(custom.thresholds, b.thresholds);
    assert!(custom.violation("accept_property").is_none());
    assert!(
        custom.violations[1]
            .sanctions
            .allows_measure(&Measure::Removal { ban_years: Some(4) })
    );

    let err = toml::from_str::<Baseline>("cycle_month = 12\n").unwrap_err();
    assert!(err.to_string().contains("cycle_month"), "{err}");
    let err = toml::from_str::<Baseline>(
        "[[violations]]\ncode = \"x\"\nname_zh = \"x\"\nname_en = \"x\"\npoints = 1\nlegal_basis = \"x\"\nsanctions = { warn = true }\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("warn"), "{err}");
}

#[test]
fn every_validation_rule() {
    let mut b = Baseline {
        cycle_months: 0,
        ..Baseline::default()
    };
    b.violations[1].code = "accept_property".into();
    b.violations[2].code = "Bad-Code".into();
    b.violations[3].name_zh = " ".into();
    b.violations[4].legal_basis = String::new();
    b.violations[5].points = 101;
    b.violations[6].sanctions = SanctionRange::default();
    b.thresholds.push(PointThreshold {
        points: 12,
        ..b.thresholds[0].clone()
    });
    b.thresholds.push(PointThreshold {
        points: 0,
        proposed: Sanction::new(Measure::Warning),
        ..b.thresholds[0].clone()
    });
    b.low_credit.below = 0;
    b.low_credit.proposed = Sanction::with_fine(Measure::Warning, 10);
    b.low_credit.legal_basis = String::new();
    let got: Vec<(String, Rule)> = b
        .validate()
        .into_iter()
        .map(|e| (e.field, e.rule))
        .collect();
    let expected: Vec<(String, Rule)> = [
        ("cycle_months", Rule::OutOfRange),
        ("violations/1/code", Rule::Duplicate),
        ("violations/2/code", Rule::InvalidCode),
        ("violations/3/name_zh", Rule::Empty),
        ("violations/4/legal_basis", Rule::Empty),
        ("violations/5/points", Rule::OutOfRange),
        ("violations/6/sanctions", Rule::Required),
        ("thresholds/1/points", Rule::Duplicate),
        ("thresholds/2/points", Rule::OutOfRange),
        ("thresholds/2/proposed", Rule::OutOfRange),
        ("low_credit/below", Rule::OutOfRange),
        ("low_credit/proposed", Rule::OutOfRange),
        ("low_credit/legal_basis", Rule::Empty),
    ]
    .into_iter()
    .map(|(f, r)| (f.to_owned(), r))
    .collect();
    assert_eq!(got, expected);

    let empty = Baseline {
        violations: vec![],
        ..Baseline::default()
    };
    assert_eq!(empty.validate()[0].field, "violations");
    for e in b.validate() {
        assert!(!e.message_zh.is_empty() && !e.message_en.is_empty());
    }
}

#[test]
fn codes() {
    for ok in ["a", "late_arrival", "x1_2"] {
        assert!(is_code(ok), "{ok}");
    }
    for bad in [
        "",
        "1a",
        "_a",
        "Late",
        "late-arrival",
        "迟到",
        &"a".repeat(65),
    ] {
        assert!(!is_code(bad), "{bad}");
    }
}

#[test]
fn within_the_range() {
    let b = Baseline::default();
    let ok = [
        (vec![v("late_arrival")], Sanction::new(Measure::Warning)),
        (
            vec![v("accept_property")],
            Sanction::with_fine(Measure::Removal { ban_years: None }, 50_000),
        ),
        (
            vec![v("phone_in_room")],
            suspension(3, RestoreMode::OnApplication),
        ),
        (
            vec![Ground::PointsThreshold { points: 12 }],
            suspension(12, RestoreMode::Automatic),
        ),
        (vec![Ground::LowCredit], Sanction::new(Measure::Warning)),
        // A minor violation beside a serious one: the serious one governs.
        (
            vec![v("late_arrival"), v("conceal_conflict_of_interest")],
            Sanction::new(Measure::Removal { ban_years: Some(3) }),
        ),
    ];
    for (grounds, sanction) in ok {
        assert_eq!(
            b.check(&grounds, &sanction),
            Ok(()),
            "{grounds:?} {sanction:?}"
        );
    }
}

#[test]
fn a_decision_cannot_exceed_the_range() {
    let b = Baseline::default();
    let err = b
        .check(&[v("late_arrival")], &suspension(3, RestoreMode::Automatic))
        .unwrap_err();
    let BaselineError::OutsideRange {
        measure,
        rules,
        allowed_zh,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(measure, "suspension_3_automatic");
    assert_eq!(rules, &["violation:late_arrival"]);
    assert_eq!(allowed_zh, "警告");
    assert_eq!(
        err.to_string(),
        "处理措施“暂停评标专家资格3个月，期满自动恢复”超出裁量基准violation:late_arrival的幅度（允许：警告） / suspension_3_automatic is outside the range of baseline rule(s) violation:late_arrival (allowed: warning)"
    );

    // Too long, wrong tier, too long a ban, a removal where none is allowed.
    let refused = [
        (v("phone_in_room"), suspension(6, RestoreMode::Automatic)),
        (v("phone_in_room"), suspension(3, RestoreMode::AfterTest)),
        (
            v("conceal_conflict_of_interest"),
            Sanction::new(Measure::Removal { ban_years: Some(4) }),
        ),
        (
            v("conceal_conflict_of_interest"),
            Sanction::new(Measure::Removal { ban_years: None }),
        ),
        (
            Ground::PointsThreshold { points: 12 },
            Sanction::new(Measure::Removal { ban_years: Some(1) }),
        ),
        // Below the range: accepting property means removal.
        (v("accept_property"), Sanction::new(Measure::Warning)),
    ];
    for (ground, sanction) in refused {
        let err = b
            .check(std::slice::from_ref(&ground), &sanction)
            .unwrap_err();
        assert!(
            matches!(&err, BaselineError::OutsideRange { rules, .. } if rules == &[ground.rule_name()]),
            "{ground:?} {sanction:?}: {err:?}"
        );
    }

    // A serious violation cannot borrow a minor one's warning.
    let err = b
        .check(
            &[v("late_arrival"), v("accept_property")],
            &Sanction::new(Measure::Warning),
        )
        .unwrap_err();
    assert!(
        matches!(&err, BaselineError::OutsideRange { rules, .. } if rules == &["violation:accept_property"]),
        "{err:?}"
    );
}

#[test]
fn fines() {
    let b = Baseline::default();
    let removal = Measure::Removal { ban_years: None };
    for (yuan, ok) in [(2999, false), (3000, true), (50_000, true), (50_001, false)] {
        let r = b.check(&[v("accept_property")], &Sanction::with_fine(removal, yuan));
        assert_eq!(r.is_ok(), ok, "{yuan}: {r:?}");
        if !ok {
            assert!(
                matches!(&r, Err(BaselineError::FineOutsideRange { yuan: y, rules, .. })
                    if *y == yuan && rules == &["violation:accept_property"]),
                "{r:?}"
            );
        }
    }
    let err = b
        .check(
            &[v("late_arrival")],
            &Sanction::with_fine(Measure::Warning, 100),
        )
        .unwrap_err();
    assert!(
        matches!(err, BaselineError::FineOutsideRange { yuan: 100, .. }),
        "{err:?}"
    );
}

#[test]
fn unknown_grounds() {
    let b = Baseline::default();
    let w = Sanction::new(Measure::Warning);
    assert_eq!(b.check(&[], &w), Err(BaselineError::NoGrounds));
    assert_eq!(
        b.check(&[v("nope")], &w),
        Err(BaselineError::UnknownViolation {
            code: "nope".into()
        })
    );
    assert_eq!(
        b.check(&[Ground::PointsThreshold { points: 7 }], &w),
        Err(BaselineError::UnknownThreshold { points: 7 })
    );
    let json = serde_json::to_value(Ground::PointsThreshold { points: 12 }).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"kind": "points_threshold", "points": 12})
    );
    assert_eq!(
        serde_json::to_value(Ground::LowCredit).unwrap(),
        serde_json::json!({"kind": "low_credit"})
    );
}

fn any_measure() -> impl Strategy<Value = Measure> {
    let restore = prop_oneof![
        Just(RestoreMode::Automatic),
        Just(RestoreMode::OnApplication),
        Just(RestoreMode::AfterTest)
    ];
    prop_oneof![
        Just(Measure::Warning),
        (1u32..=24, restore).prop_map(|(months, restore)| Measure::Suspension { months, restore }),
        proptest::option::of(1u32..=10).prop_map(|ban_years| Measure::Removal { ban_years }),
    ]
}

proptest! {
    /// Whatever the grounds, an accepted sanction is never more severe than
    /// the most severe measure their ranges allow, and never milder than
    /// the mildest measure the governing ranges allow.
    #[test]
    fn accepted_sanctions_stay_within_the_bound(
        picks in proptest::collection::vec(0usize..8, 1..4),
        measure in any_measure(),
        fine in proptest::option::of(0u64..60_000),
    ) {
        let b = Baseline::default();
        let grounds: Vec<Ground> = picks.iter().map(|&i| v(&b.violations[i].code)).collect();
        let sanction = Sanction { measure, fine_yuan: fine };
        if b.check(&grounds, &sanction).is_ok() {
            let top = grounds
                .iter()
                .filter_map(|g| b.range_for(g).unwrap().0.max_severity())
                .max()
                .unwrap();
            prop_assert!(measure.severity() <= top);
            let governing_allow = grounds.iter().any(|g| {
                let r = b.range_for(g).unwrap().0;
                r.max_severity() == Some(top) && r.allows_measure(&measure) && r.allows_fine(fine)
            });
            prop_assert!(governing_allow);
        }
    }

    /// Every measure a single violation's range lists is accepted for it.
    #[test]
    fn every_listed_measure_is_accepted(i in 0usize..8) {
        let b = Baseline::default();
        let rule = &b.violations[i];
        for m in rule.sanctions.measures() {
            prop_assert_eq!(b.check(&[v(&rule.code)], &Sanction::new(m)), Ok(()));
        }
    }
}

#[test]
fn errors_as_field_errors() {
    let cases = [
        (BaselineError::NoGrounds, Rule::Required, "no_grounds"),
        (
            BaselineError::UnknownViolation { code: "x".into() },
            Rule::UnknownViolation,
            "unknown_violation",
        ),
        (
            BaselineError::UnknownThreshold { points: 3 },
            Rule::UnknownViolation,
            "unknown_threshold",
        ),
    ];
    for (e, rule, code) in cases {
        let f = e.to_field_error("grounds/0");
        assert_eq!(
            (f.field.as_str(), f.rule, e.code()),
            ("grounds/0", rule, code)
        );
        assert!(!f.message_zh.contains(" / ") && !f.message_en.is_empty());
    }
    let b = Baseline::default();
    let outside = b
        .check(
            &[v("late_arrival")],
            &Sanction::new(Measure::Removal { ban_years: None }),
        )
        .unwrap_err();
    assert_eq!(outside.code(), "outside_baseline");
    let f = outside.to_field_error("outcome");
    assert_eq!(f.rule, Rule::OutOfRange);
    assert!(
        f.message_zh.contains("violation:late_arrival")
            && f.message_en.contains("removal_permanent"),
        "{f:?}"
    );
}
