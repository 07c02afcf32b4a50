//! Tests of the admission check: each rule alone at its boundary, and every
//! rule failing at once, all through the public `check_admission`.

use super::*;
use crate::expert::test_support::profile;
use crate::expert::{FieldError, TitleLevel};
use crate::identity::{ResidentId, with_check_digit};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2026, 6, 1)
}

fn application() -> Application {
    Application {
        profile: profile(),
        documents: Documents {
            integrity_pledge: Some("pledge/2026/0001".into()),
            no_criminal_record: Some("police/2026/0001".into()),
        },
        term_number: 1,
    }
}

fn born(date: NaiveDate) -> ResidentId {
    let id = with_check_digit(&format!("420106{}001", date.format("%Y%m%d"))).unwrap();
    ResidentId::parse(&id).unwrap()
}

/// The first `n` level-3 codes under level-2 `parent`.
fn level3_under(parent: &str, n: usize) -> Vec<String> {
    let codes: Vec<String> = SpecialtyTree::builtin()
        .children(parent)
        .take(n)
        .map(|s| s.code.clone())
        .collect();
    assert_eq!(codes.len(), n, "{parent} has fewer than {n} children");
    codes
}

/// One level-3 code in each of the first `n` level-2 categories.
fn across_level2(n: usize) -> Vec<String> {
    ["ENA", "ENB", "ENC", "PKA", "PKB", "PKC"]
        .iter()
        .take(n)
        .flat_map(|p| level3_under(p, 1))
        .collect()
}

struct Case {
    name: &'static str,
    app: Application,
    history: AdmissionHistory,
    policy: AdmissionPolicy,
    on: NaiveDate,
}

impl Case {
    fn new(name: &'static str) -> Self {
        Case {
            name,
            app: application(),
            history: AdmissionHistory::default(),
            policy: AdmissionPolicy::default(),
            on: today(),
        }
    }

    fn app(mut self, edit: impl FnOnce(&mut Application)) -> Self {
        edit(&mut self.app);
        self
    }

    fn failures(&self) -> Vec<(String, Rule)> {
        match check_admission(&self.app, &self.history, &self.policy, self.on) {
            Ok(()) => vec![],
            Err(errors) => {
                assert!(!errors.is_empty(), "{}: Err must not be empty", self.name);
                errors
                    .into_iter()
                    .map(|e: FieldError| (e.field, e.rule))
                    .collect()
            }
        }
    }
}

fn fails(field: &str, rule: Rule) -> Vec<(String, Rule)> {
    vec![(field.to_owned(), rule)]
}

#[test]
fn the_sample_application_passes() {
    assert_eq!(Case::new("sample").failures(), vec![]);
}

#[test]
fn each_rule_alone_and_its_boundary() {
    use Rule as R;
    let ok = Vec::new;
    let cases: Vec<(Case, Vec<(String, Rule)>)> = vec![
        // Years in the field: exactly the minimum passes.
        (
            Case::new("8 years").app(|a| a.profile.years_in_field = 8),
            ok(),
        ),
        (
            Case::new("7 years").app(|a| a.profile.years_in_field = 7),
            fails("profile/years_in_field", R::TooFewYears),
        ),
        // Title, or an equivalent qualification.
        (
            Case::new("senior").app(|a| a.profile.title = TitleLevel::Senior),
            ok(),
        ),
        (
            Case::new("intermediate").app(|a| a.profile.title = TitleLevel::Intermediate),
            fails("profile/title", R::TitleTooLow),
        ),
        (
            Case::new("intermediate + equivalent").app(|a| {
                a.profile.title = TitleLevel::Intermediate;
                a.profile.senior_equivalent = true;
            }),
            ok(),
        ),
        (
            Case {
                policy: AdmissionPolicy {
                    accept_senior_equivalent: false,
                    ..AdmissionPolicy::default()
                },
                ..Case::new("equivalent not accepted")
            }
            .app(|a| {
                a.profile.title = TitleLevel::None;
                a.profile.senior_equivalent = true;
            }),
            fails("profile/title", R::TitleTooLow),
        ),
        // Age: 65 today passes, the day of the 66th birthday fails.
        (
            Case::new("65 today").app(|a| a.profile.resident_id = born(d(1961, 6, 1))),
            ok(),
        ),
        (
            Case::new("66 today").app(|a| a.profile.resident_id = born(d(1960, 6, 1))),
            fails("profile/resident_id", R::TooOld),
        ),
        (
            Case::new("66 tomorrow").app(|a| a.profile.resident_id = born(d(1960, 6, 2))),
            ok(),
        ),
        // Born on 29 February: still 65 on 28 February of a common year.
        (
            Case {
                on: d(2026, 2, 28),
                ..Case::new("leap birthday not yet")
            }
            .app(|a| a.profile.resident_id = born(d(1960, 2, 29))),
            ok(),
        ),
        (
            Case {
                on: d(2026, 3, 1),
                ..Case::new("leap birthday reached")
            }
            .app(|a| a.profile.resident_id = born(d(1960, 2, 29))),
            fails("profile/resident_id", R::TooOld),
        ),
        // Level-2 caps: 2 in the first term, 4 later.
        (
            Case::new("2 level-2, term 1").app(|a| a.profile.specialties = across_level2(2)),
            ok(),
        ),
        (
            Case::new("3 level-2, term 1").app(|a| a.profile.specialties = across_level2(3)),
            fails("profile/specialties", R::TooManyLevel2Specialties),
        ),
        (
            Case::new("3 level-2, term 2").app(|a| {
                a.profile.specialties = across_level2(3);
                a.term_number = 2;
            }),
            ok(),
        ),
        (
            Case::new("4 level-2, term 2").app(|a| {
                a.profile.specialties = across_level2(4);
                a.term_number = 2;
            }),
            ok(),
        ),
        (
            Case::new("5 level-2, term 3").app(|a| {
                a.profile.specialties = across_level2(5);
                a.term_number = 3;
            }),
            fails("profile/specialties", R::TooManyLevel2Specialties),
        ),
        // Level-3 caps: 6 in the first term, 12 later.
        (
            Case::new("6 level-3, term 1").app(|a| a.profile.specialties = level3_under("ENC", 6)),
            ok(),
        ),
        (
            Case::new("7 level-3, term 1").app(|a| a.profile.specialties = level3_under("ENC", 7)),
            fails("profile/specialties", R::TooManyLevel3Specialties),
        ),
        (
            Case::new("12 level-3, term 2").app(|a| {
                a.profile.specialties = level3_under("ENC", 12);
                a.term_number = 2;
            }),
            ok(),
        ),
        (
            Case::new("13 level-3, term 2").app(|a| {
                a.profile.specialties = level3_under("ENC", 13);
                a.term_number = 2;
            }),
            fails("profile/specialties", R::TooManyLevel3Specialties),
        ),
        // Documents.
        (
            Case::new("no pledge").app(|a| a.documents.integrity_pledge = None),
            fails("documents/integrity_pledge", R::Required),
        ),
        (
            Case::new("blank record").app(|a| a.documents.no_criminal_record = Some(String::new())),
            fails("documents/no_criminal_record", R::Required),
        ),
        (
            Case {
                policy: AdmissionPolicy {
                    require_integrity_pledge: false,
                    require_no_criminal_record: false,
                    ..AdmissionPolicy::default()
                },
                ..Case::new("documents not required")
            }
            .app(|a| a.documents = Documents::default()),
            ok(),
        ),
        (
            Case::new("term 0").app(|a| a.term_number = 0),
            fails("term_number", R::InvalidTermNumber),
        ),
        // History: a ban ends on ban_until; removal without a ban end is final.
        (
            Case {
                history: AdmissionHistory {
                    previously_removed: true,
                    ban_until: Some(d(2026, 6, 2)),
                },
                ..Case::new("banned until tomorrow")
            },
            fails("history/ban_until", R::Banned),
        ),
        (
            Case {
                history: AdmissionHistory {
                    previously_removed: true,
                    ban_until: Some(today()),
                },
                ..Case::new("ban ends today")
            },
            ok(),
        ),
        (
            Case {
                history: AdmissionHistory {
                    previously_removed: true,
                    ban_until: None,
                },
                ..Case::new("removed for good")
            },
            fails("history/previously_removed", R::PermanentlyBarred),
        ),
        // Profile validation errors come through, nested under `profile`.
        (
            Case::new("unknown region").app(|a| a.profile.region = "420400".into()),
            fails("profile/region", R::UnknownRegion),
        ),
    ];
    for (case, expected) in cases {
        assert_eq!(case.failures(), expected, "{}", case.name);
    }
}

#[test]
fn a_level4_code_counts_toward_its_level2_and_level3_ancestors() {
    let tree = SpecialtyTree::builtin();
    let codes = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        specialty_spread(&codes(&["ENA0101", "ENA010101"]), tree),
        (1, 1)
    );
    assert_eq!(
        specialty_spread(&codes(&["ENA0101", "ENA020101"]), tree),
        (1, 2)
    );
    assert_eq!(
        specialty_spread(&codes(&["ENA01", "PKA", "NOPE"]), tree),
        (2, 1)
    );
    assert_eq!(specialty_spread(&[], tree), (0, 0));
}

#[test]
fn every_failure_is_reported_at_once() {
    let case = Case {
        history: AdmissionHistory {
            previously_removed: true,
            ban_until: None,
        },
        ..Case::new("everything wrong")
    }
    .app(|a| {
        a.profile.name = String::new();
        a.profile.region = "110000".into();
        a.profile.years_in_field = 3;
        a.profile.title = TitleLevel::Junior;
        a.profile.resident_id = born(d(1950, 1, 1));
        let mut specialties = level3_under("ENC", 7);
        specialties.extend(level3_under("ENA", 1));
        specialties.extend(level3_under("PKA", 1));
        specialties.push("NOPE".into());
        a.profile.specialties = specialties;
        a.documents = Documents::default();
        a.term_number = 0;
    });
    use Rule as R;
    let expected: Vec<(String, Rule)> = [
        ("profile/name", R::Empty),
        ("profile/region", R::UnknownRegion),
        ("profile/specialties/9", R::UnknownSpecialty),
        ("profile/years_in_field", R::TooFewYears),
        ("profile/title", R::TitleTooLow),
        ("profile/resident_id", R::TooOld),
        ("profile/specialties", R::TooManyLevel2Specialties),
        ("profile/specialties", R::TooManyLevel3Specialties),
        ("documents/integrity_pledge", R::Required),
        ("documents/no_criminal_record", R::Required),
        ("term_number", R::InvalidTermNumber),
        ("history/previously_removed", R::PermanentlyBarred),
    ]
    .into_iter()
    .map(|(f, r)| (f.to_owned(), r))
    .collect();
    assert_eq!(case.failures(), expected);
}

#[test]
fn violations_serialise_with_snake_case_rules() {
    let mut app = application();
    app.profile.years_in_field = 1;
    let errors = check_admission(
        &app,
        &AdmissionHistory::default(),
        &AdmissionPolicy::default(),
        today(),
    )
    .unwrap_err();
    let json = serde_json::to_value(&errors).unwrap();
    assert_eq!(json[0]["field"], "profile/years_in_field");
    assert_eq!(json[0]["rule"], "too_few_years");
    assert_eq!(json[0]["message_zh"], "从事相关专业领域工作须满8年");
}
