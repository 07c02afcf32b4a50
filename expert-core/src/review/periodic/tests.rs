//! Tests of the periodic review: each action alone at its boundary, several
//! per expert, ordering, duplicates and the terminal table.

use super::*;
use crate::lifecycle::{StatusKind, Term};
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn as_of() -> NaiveDate {
    d(2026, 6, 1)
}

fn term() -> Term {
    Term::new(1, d(2025, 1, 1), 4).unwrap()
}

fn subject(id: &str, status: Status) -> ReviewSubject {
    ReviewSubject {
        expert_id: id.into(),
        birth_date: d(1970, 1, 1),
        status,
        declines_last_12_months: 0,
    }
}

fn suspended(until: Option<NaiveDate>, restore: RestoreMode) -> Status {
    Status::Suspended {
        term: term(),
        from: d(2026, 1, 1),
        until,
        restore,
        reason: "考核不合格".into(),
    }
}

fn on_leave(to: NaiveDate) -> Status {
    Status::OnLeave {
        term: term(),
        from: d(2026, 5, 1),
        to,
        reason: "出差".into(),
    }
}

fn review(subjects: &[ReviewSubject]) -> ReviewReport {
    periodic_review(subjects, &AdmissionPolicy::default(), as_of())
}

/// (expert id, kind, new status kind) of every action.
fn summary(report: &ReviewReport) -> Vec<(String, ReviewActionKind, Option<StatusKind>)> {
    report
        .actions
        .iter()
        .map(|a| {
            (
                a.expert_id.clone(),
                a.kind,
                a.new_status.as_ref().map(Status::kind),
            )
        })
        .collect()
}

fn one(
    id: &str,
    kind: ReviewActionKind,
    to: Option<StatusKind>,
) -> Vec<(String, ReviewActionKind, Option<StatusKind>)> {
    vec![(id.to_owned(), kind, to)]
}

#[test]
fn each_action_alone() {
    use ReviewActionKind as K;
    use StatusKind as S;
    let active = Status::Active { term: term() };
    let none = Vec::new;
    let cases: Vec<(&str, ReviewSubject, Vec<_>)> = vec![
        ("nothing to do", subject("e", active.clone()), none()),
        (
            "70 today",
            ReviewSubject {
                birth_date: d(1956, 6, 1),
                ..subject("e", active.clone())
            },
            one("e", K::RetireAtAgeLimit, Some(S::Retired)),
        ),
        (
            "70 tomorrow",
            ReviewSubject {
                birth_date: d(1956, 6, 2),
                ..subject("e", active.clone())
            },
            none(),
        ),
        (
            "70 while suspended",
            ReviewSubject {
                birth_date: d(1950, 1, 1),
                ..subject("e", suspended(None, RestoreMode::AfterTest))
            },
            one("e", K::RetireAtAgeLimit, Some(S::Retired)),
        ),
        (
            "old applicants are not the review's business",
            ReviewSubject {
                birth_date: d(1950, 1, 1),
                ..subject("e", Status::Applicant)
            },
            none(),
        ),
        (
            "automatic suspension over",
            subject("e", suspended(Some(as_of()), RestoreMode::Automatic)),
            one("e", K::LiftSuspension, Some(S::Active)),
        ),
        (
            "automatic suspension not over",
            subject("e", suspended(Some(d(2026, 6, 2)), RestoreMode::Automatic)),
            none(),
        ),
        (
            "suspension that needs a test",
            subject("e", suspended(Some(d(2026, 3, 1)), RestoreMode::AfterTest)),
            none(),
        ),
        (
            "leave ended yesterday",
            subject("e", on_leave(d(2026, 5, 31))),
            one("e", K::EndLeave, Some(S::Active)),
        ),
        ("leave ends today", subject("e", on_leave(as_of())), none()),
        (
            "term ends today",
            subject(
                "e",
                Status::Active {
                    term: Term::new(1, d(2022, 6, 1), 4).unwrap(),
                },
            ),
            one("e", K::TermExpired, None),
        ),
        (
            "term ends tomorrow",
            subject(
                "e",
                Status::Active {
                    term: Term::new(1, d(2022, 6, 2), 4).unwrap(),
                },
            ),
            none(),
        ),
        (
            "declines at the limit",
            ReviewSubject {
                declines_last_12_months: 3,
                ..subject("e", active.clone())
            },
            none(),
        ),
        (
            "declines over the limit",
            ReviewSubject {
                declines_last_12_months: 4,
                ..subject("e", active.clone())
            },
            one("e", K::ExcessiveDeclines, None),
        ),
        (
            "retired and removed experts are left alone",
            ReviewSubject {
                declines_last_12_months: 9,
                birth_date: d(1940, 1, 1),
                ..subject(
                    "e",
                    Status::Retired {
                        on: d(2020, 1, 1),
                        reason: RetireReason::Voluntary,
                    },
                )
            },
            none(),
        ),
    ];
    for (name, s, expected) in cases {
        let report = review(std::slice::from_ref(&s));
        assert_eq!(summary(&report), expected, "{name}");
        assert!(report.problems.is_empty(), "{name}");
    }
}

#[test]
fn new_statuses_come_from_the_lifecycle() {
    let report = review(&[
        ReviewSubject {
            birth_date: d(1956, 2, 29),
            ..subject("a", on_leave(d(2026, 6, 30)))
        },
        subject("b", suspended(Some(d(2026, 5, 1)), RestoreMode::Automatic)),
    ]);
    assert_eq!(
        report.actions[0].new_status,
        Some(Status::Retired {
            on: as_of(),
            reason: RetireReason::AgeLimit
        })
    );
    assert_eq!(report.actions[0].detail_en, "reached 70 on 2026-03-01");
    assert_eq!(
        report.actions[1].new_status,
        Some(Status::Active { term: term() })
    );
}

#[test]
fn several_actions_for_one_expert_and_a_sorted_report() {
    let expired = Term::new(1, d(2021, 1, 1), 4).unwrap();
    let report = review(&[
        ReviewSubject {
            declines_last_12_months: 5,
            ..subject(
                "b",
                Status::OnLeave {
                    term: expired,
                    from: d(2026, 5, 1),
                    to: d(2026, 5, 20),
                    reason: "病假".into(),
                },
            )
        },
        ReviewSubject {
            birth_date: d(1950, 1, 1),
            declines_last_12_months: 5,
            ..subject("a", Status::Active { term: expired })
        },
        subject("c", Status::Active { term: term() }),
    ]);
    use ReviewActionKind as K;
    use StatusKind as S;
    assert_eq!(
        summary(&report),
        vec![
            ("a".into(), K::RetireAtAgeLimit, Some(S::Retired)),
            ("b".into(), K::EndLeave, Some(S::Active)),
            ("b".into(), K::TermExpired, None),
            ("b".into(), K::ExcessiveDeclines, None),
        ]
    );
    let counts: Vec<usize> = report.counts.values().copied().collect();
    assert_eq!(counts, vec![1, 0, 1, 1, 1, 0]);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["counts"]["end_leave"], 1);
    assert_eq!(json["actions"][0]["new_status"]["status"], "retired");
    assert_eq!(json["actions"][0]["new_status"]["reason"], "age_limit");
}

#[test]
fn duplicate_ids_are_problems_not_actions() {
    let s = ReviewSubject {
        declines_last_12_months: 9,
        ..subject("dup", Status::Active { term: term() })
    };
    let report = review(&[s.clone(), subject("ok", Status::Active { term: term() }), s]);
    assert!(report.actions.is_empty());
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].expert_id, "dup");
    assert!(report.to_table().contains("! dup: 专家编号重复出现2次"));
}

#[test]
fn table_is_readable_and_aligned() {
    let report = review(&[
        ReviewSubject {
            declines_last_12_months: 4,
            ..subject("E-0002", Status::Active { term: term() })
        },
        subject("E-1", on_leave(d(2026, 5, 1))),
    ]);
    let table = report.to_table();
    let expected = "\
定期动态调整 / periodic review, as of 2026-06-01
expert_id | action             | new_status | detail
----------+--------------------+------------+-----------------------------
E-0002    | excessive_declines | -          | 近12个月拒绝抽取4次，上限3次
E-1       | end_leave          | active     | 请假至2026-05-01结束
total 2: retire_at_age_limit 0, lift_suspension 0, end_leave 1, term_expired 0, excessive_declines 1, points_threshold 0
";
    assert_eq!(table, expected);
    let empty = review(&[]).to_table();
    assert!(empty.contains("（无 / none）"));
}

#[test]
fn proposals_join_the_report_as_flags() {
    use crate::discipline::{Baseline, ViolationRecord, points_proposal};
    let b = Baseline::default();
    let records = [ViolationRecord::new(&b, "accept_property", d(2026, 5, 1), "V1").unwrap()];
    let p = points_proposal("E-1", &records, &b, d(2026, 6, 1)).unwrap();
    let mut report = review(&[
        subject("E-0", on_leave(d(2026, 5, 1))),
        subject("E-1", on_leave(d(2026, 5, 1))),
    ]);
    report.add_proposals(std::slice::from_ref(&p));
    let kinds: Vec<(&str, ReviewActionKind)> = report
        .actions
        .iter()
        .map(|a| (a.expert_id.as_str(), a.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("E-0", ReviewActionKind::EndLeave),
            ("E-1", ReviewActionKind::EndLeave),
            ("E-1", ReviewActionKind::PointsThreshold),
        ]
    );
    assert_eq!(report.counts[&ReviewActionKind::PointsThreshold], 1);
    assert_eq!(report.actions[2].new_status, None);
    assert_eq!(report.actions[2].detail_zh, p.detail_zh);
}

proptest! {
    #[test]
    fn the_order_of_subjects_does_not_matter(
        seed in any::<u64>(),
        births in proptest::collection::vec(0i64..30_000, 1..12),
        declines in proptest::collection::vec(0u32..6, 12),
    ) {
        let statuses = [
            Status::Active { term: term() },
            on_leave(d(2026, 5, 2)),
            suspended(Some(d(2026, 5, 2)), RestoreMode::Automatic),
            Status::Active { term: Term::new(1, d(2020, 1, 1), 4).unwrap() },
        ];
        let subjects: Vec<ReviewSubject> = births
            .iter()
            .enumerate()
            .map(|(i, &b)| ReviewSubject {
                expert_id: format!("e{i:02}"),
                birth_date: d(1940, 1, 1) + chrono::Duration::days(b),
                status: statuses[i % statuses.len()].clone(),
                declines_last_12_months: declines[i],
            })
            .collect();
        let mut shuffled = subjects.clone();
        let len = shuffled.len();
        let rotation = usize::try_from(seed % len as u64).unwrap();
        shuffled.rotate_left(rotation);
        shuffled.reverse();
        let a = review(&subjects);
        let b = review(&shuffled);
        prop_assert_eq!(&a, &b);
        prop_assert!(a.problems.is_empty());
        prop_assert_eq!(a.counts.values().sum::<usize>(), a.actions.len());
    }
}
