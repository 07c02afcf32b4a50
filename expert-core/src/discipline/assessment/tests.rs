//! Tests of per-bid assessment: config, every sheet rule, versions, the fold
//! into the effective sheet.

use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A Thursday evaluation; three working days later is Tuesday 2026-03-10.
fn evaluation_on() -> NaiveDate {
    d(2026, 3, 5)
}

fn supervisor() -> Rater {
    Rater {
        role: RaterRole::OnSiteSupervisor,
        rater_id: "S1".into(),
    }
}

fn tenderer() -> Rater {
    Rater {
        role: RaterRole::TendererRepresentative,
        rater_id: "T1".into(),
    }
}

fn panel() -> Vec<String> {
    vec!["E1".into(), "E2".into(), "E3".into()]
}

fn sheet(version: u32, scores: [u32; 4]) -> AssessmentSheet {
    let codes = [
        "professional_competence",
        "evaluation_quality",
        "discipline",
        "integrity",
    ];
    AssessmentSheet {
        draw_id: "D1".into(),
        expert_id: "E1".into(),
        rater: supervisor(),
        version,
        scores: codes.iter().map(|c| (*c).to_owned()).zip(scores).collect(),
        comment: String::new(),
        correction_reason: (version > 1).then(|| "录入错误".to_owned()),
        submitted_on: d(2026, 3, 6),
    }
}

fn check(
    s: &AssessmentSheet,
    history: &[AssessmentSheet],
    today: NaiveDate,
) -> Vec<(String, Rule)> {
    let panel = panel();
    let entitled = [supervisor(), tenderer()];
    let ctx = SheetContext {
        evaluation_on: evaluation_on(),
        panel: &panel,
        entitled: &entitled,
        history,
    };
    validate_sheet(
        s,
        &AssessmentConfig::default(),
        &ctx,
        &WorkCalendar::china_2026(),
        today,
    )
    .into_iter()
    .map(|e| {
        assert!(!e.message_zh.is_empty() && !e.message_en.is_empty());
        (e.field, e.rule)
    })
    .collect()
}

fn pairs(list: &[(&str, Rule)]) -> Vec<(String, Rule)> {
    list.iter().map(|(f, r)| ((*f).to_owned(), *r)).collect()
}

#[test]
fn default_config() {
    let c = AssessmentConfig::default();
    assert!(c.validate().is_empty());
    assert_eq!(c.max_total(), 100);
    assert_eq!(c.items.len(), 4);
    assert_eq!(
        c.deadline(evaluation_on(), &WorkCalendar::china_2026()),
        Some(d(2026, 3, 10))
    );
    let text = toml::to_string(&c).unwrap();
    assert_eq!(toml::from_str::<AssessmentConfig>(&text).unwrap(), c);
    let partial: AssessmentConfig = toml::from_str("deadline_working_days = 5\n").unwrap();
    assert_eq!(partial.items, c.items);
    assert!(toml::from_str::<AssessmentConfig>("deadline_days = 5\n").is_err());
}

#[test]
fn config_validation() {
    let mut c = AssessmentConfig::default();
    c.items[1].code = "professional_competence".into();
    c.items[2].code = "Discipline".into();
    c.items[3].name_en = " ".into();
    c.items[3].max = 0;
    c.deadline_working_days = 0;
    c.raters = vec![RaterRole::OnSiteSupervisor, RaterRole::OnSiteSupervisor];
    let got: Vec<(String, Rule)> = c
        .validate()
        .into_iter()
        .map(|e| (e.field, e.rule))
        .collect();
    assert_eq!(
        got,
        pairs(&[
            ("items/1/code", Rule::Duplicate),
            ("items/2/code", Rule::InvalidCode),
            ("items/3/name_en", Rule::Empty),
            ("items/3/max", Rule::OutOfRange),
            ("deadline_working_days", Rule::OutOfRange),
            ("raters/1", Rule::Duplicate),
        ])
    );
    let empty = AssessmentConfig {
        items: vec![],
        raters: vec![],
        ..AssessmentConfig::default()
    };
    let got: Vec<String> = empty.validate().into_iter().map(|e| e.field).collect();
    assert_eq!(got, ["items", "raters"]);
}

#[test]
fn a_valid_sheet_and_its_totals() {
    let s = sheet(1, [28, 27, 20, 19]);
    assert_eq!(check(&s, &[], d(2026, 3, 6)), []);
    assert_eq!(s.total(), 94);
    assert_eq!(s.percent(&AssessmentConfig::default()), Some(94));
    let empty = AssessmentConfig {
        items: vec![],
        ..AssessmentConfig::default()
    };
    assert_eq!(s.percent(&empty), None);
    for role in RaterRole::ALL {
        assert_eq!(RaterRole::parse(role.as_str()), Some(role));
        assert_eq!(
            serde_json::to_value(role).unwrap(),
            serde_json::json!(role.as_str())
        );
    }
}

#[test]
fn scores_must_be_known_complete_and_within_scale() {
    let mut s = sheet(1, [31, 30, 20, 20]);
    s.scores.remove("integrity");
    s.scores.insert("charm".into(), 5);
    assert_eq!(
        check(&s, &[], d(2026, 3, 6)),
        pairs(&[
            ("scores/professional_competence", Rule::ScoreOutOfScale),
            ("scores/integrity", Rule::MissingScore),
            ("scores/charm", Rule::UnknownItem),
        ])
    );
    // The scale's ends are inside it.
    assert_eq!(check(&sheet(1, [0, 30, 0, 20]), &[], d(2026, 3, 6)), []);
}

#[test]
fn panel_and_rater() {
    let mut s = sheet(1, [20, 20, 20, 20]);
    s.expert_id = "E9".into();
    s.rater = Rater {
        role: RaterRole::OnSiteSupervisor,
        rater_id: "S2".into(),
    };
    assert_eq!(
        check(&s, &[], d(2026, 3, 6)),
        pairs(&[
            ("expert_id", Rule::NotOnPanel),
            ("rater", Rule::RaterNotEntitled)
        ])
    );
    // The right person in the wrong role is not entitled either.
    let mut s = sheet(1, [20, 20, 20, 20]);
    s.rater.role = RaterRole::TendererRepresentative;
    assert_eq!(
        check(&s, &[], d(2026, 3, 6)),
        pairs(&[("rater", Rule::RaterNotEntitled)])
    );
    // A role the config no longer asks for.
    let panel = panel();
    let entitled = [supervisor()];
    let config = AssessmentConfig {
        raters: vec![RaterRole::TendererRepresentative],
        ..AssessmentConfig::default()
    };
    let ctx = SheetContext {
        evaluation_on: evaluation_on(),
        panel: &panel,
        entitled: &entitled,
        history: &[],
    };
    let s = sheet(1, [20, 20, 20, 20]);
    let errors = validate_sheet(
        &s,
        &config,
        &ctx,
        &WorkCalendar::china_2026(),
        d(2026, 3, 6),
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].rule, Rule::RaterNotEntitled);
}

#[test]
fn the_deadline_in_working_days() {
    let on = |today: NaiveDate| {
        let mut s = sheet(1, [20, 20, 20, 20]);
        s.submitted_on = today;
        check(&s, &[], today)
    };
    assert_eq!(on(evaluation_on()), []);
    assert_eq!(on(d(2026, 3, 10)), []);
    assert_eq!(
        on(d(2026, 3, 11)),
        pairs(&[("submitted_on", Rule::DeadlinePassed)])
    );
    assert_eq!(
        on(d(2026, 3, 4)),
        pairs(&[("submitted_on", Rule::TooEarly)])
    );
    // A sheet dated other than today is refused: the store stamps the date.
    let s = sheet(1, [20, 20, 20, 20]);
    assert_eq!(
        check(&s, &[], d(2026, 3, 9)),
        pairs(&[("submitted_on", Rule::OutOfRange)])
    );
}

#[test]
fn corrections_are_new_versions() {
    let v1 = sheet(1, [20, 20, 20, 20]);
    let v2 = sheet(2, [25, 20, 20, 20]);
    assert_eq!(check(&v2, std::slice::from_ref(&v1), d(2026, 3, 6)), []);
    // Replaying version 1, skipping to 3, or correcting without a reason.
    assert_eq!(
        check(
            &sheet(1, [20, 20, 20, 20]),
            std::slice::from_ref(&v1),
            d(2026, 3, 6)
        ),
        pairs(&[("version", Rule::VersionConflict)])
    );
    assert_eq!(
        check(
            &sheet(3, [20, 20, 20, 20]),
            std::slice::from_ref(&v1),
            d(2026, 3, 6)
        ),
        pairs(&[("version", Rule::VersionConflict)])
    );
    let mut no_reason = v2.clone();
    no_reason.correction_reason = Some("  ".into());
    assert_eq!(
        check(&no_reason, std::slice::from_ref(&v1), d(2026, 3, 6)),
        pairs(&[("correction_reason", Rule::Required)])
    );
    // A history of another sheet.
    let mut other = v1.clone();
    other.expert_id = "E2".into();
    assert_eq!(
        check(&v2, &[other], d(2026, 3, 6)),
        pairs(&[("version", Rule::VersionConflict)])
    );
    let mut long = v1.clone();
    long.comment = "长".repeat(MAX_COMMENT_CHARS + 1);
    assert_eq!(
        check(&long, &[], d(2026, 3, 6)),
        pairs(&[("comment", Rule::TooLong)])
    );
}

#[test]
fn the_fold_takes_the_latest_version_and_keeps_every_one() {
    let v1 = sheet(1, [20, 20, 20, 20]);
    let v2 = sheet(2, [25, 20, 20, 20]);
    let v3 = sheet(3, [26, 20, 20, 20]);
    let history = [v3.clone(), v1.clone(), v2.clone()];
    assert_eq!(effective_sheet(&history), Ok(Some(&history[0])));
    assert_eq!(effective_sheet(&[]), Ok(None));
    assert_eq!(
        effective_sheet(&[v1.clone(), v3.clone()]),
        Err(HistoryError::VersionGap {
            expected: 2,
            got: 3
        })
    );
    assert_eq!(
        effective_sheet(&[v1.clone(), v1.clone()]),
        Err(HistoryError::VersionGap {
            expected: 2,
            got: 1
        })
    );
    let mut other = v2.clone();
    other.rater = tenderer();
    assert_eq!(
        effective_sheet(&[v1.clone(), other.clone()]),
        Err(HistoryError::MixedSheets)
    );

    // Several sheets: one effective per key.
    let mut t1 = v1.clone();
    t1.rater = tenderer();
    let all = [v1.clone(), t1.clone(), v2.clone()];
    let eff = effective_sheets(&all).unwrap();
    assert_eq!(eff.len(), 2);
    assert!(eff.contains(&&v2) && eff.contains(&&t1));
    assert!(effective_sheets(&[v1, v3]).is_err());
}

#[test]
fn missing_sheets_are_listed() {
    let s = sheet(1, [20, 20, 20, 20]);
    let missing = missing_sheets(&panel()[..2], &[supervisor(), tenderer()], &[s], "D1");
    assert_eq!(
        missing,
        [
            ("E1".to_owned(), tenderer()),
            ("E2".to_owned(), supervisor()),
            ("E2".to_owned(), tenderer()),
        ]
    );
}

proptest! {
    /// A sheet with every item scored within its scale, on time, by an
    /// entitled rater, is accepted; raising any one score above its max
    /// makes exactly that item fail.
    #[test]
    fn scale_bound(scores in proptest::array::uniform4(0u32..=20), item in 0usize..4, over in 1u32..1000) {
        let s = sheet(1, scores);
        prop_assert_eq!(check(&s, &[], d(2026, 3, 6)), vec![]);
        let config = AssessmentConfig::default();
        let code = config.items[item].code.clone();
        let mut bad = s.clone();
        bad.scores.insert(code.clone(), config.items[item].max + over);
        prop_assert_eq!(
            check(&bad, &[], d(2026, 3, 6)),
            vec![(format!("scores/{code}"), Rule::ScoreOutOfScale)]
        );
    }

    /// Folding a shuffled dense history always yields its highest version.
    #[test]
    fn fold_is_order_independent(n in 1u32..8, seed in any::<u64>()) {
        let mut history: Vec<AssessmentSheet> = (1..=n).map(|v| sheet(v, [v, 0, 0, 0])).collect();
        let len = history.len();
        history.rotate_left(usize::try_from(seed % u64::from(n)).unwrap());
        if seed % 2 == 0 {
            history.reverse();
        }
        let eff = effective_sheet(&history).unwrap().unwrap();
        prop_assert_eq!(eff.version, n);
        prop_assert_eq!(eff.scores["professional_competence"], n);
        prop_assert_eq!(history.len(), len);
    }
}
