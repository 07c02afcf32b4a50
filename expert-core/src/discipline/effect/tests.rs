//! Tests of a sanction's effect on the status: each measure, each restore
//! tier, reviews that vary or revoke, and the draw exclusion window.

use super::*;
use crate::discipline::baseline::{Baseline, Ground};
use crate::discipline::calendar::WorkCalendar;
use crate::discipline::case::{
    CaseContext, CaseEvent, CaseOrigin, DueProcess, OpenCase, Outcome, ReviewKind, ReviewOutcome,
    apply,
};
use crate::lifecycle::{StatusKind, Term};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn active() -> Status {
    Status::Active {
        term: Term::new(1, d(2025, 1, 1), 4).unwrap(),
    }
}

fn susp(months: u32, restore: RestoreMode) -> Sanction {
    Sanction::new(Measure::Suspension { months, restore })
}

/// A case on `code` decided with `sanction` on 2026-03-03 (defence and
/// hearing waived), effective 2026-03-10, taken effect.
fn decided(code: &str, sanction: Sanction) -> Case {
    let baseline = Baseline::default();
    let due = DueProcess::default();
    let calendar = WorkCalendar::china_2026();
    let ctx = CaseContext {
        baseline: &baseline,
        due_process: &due,
        calendar: &calendar,
        today: d(2026, 12, 31),
    };
    let ground = Ground::Violation { code: code.into() };
    let mut case = Case::open(
        OpenCase {
            case_no: "C-1".into(),
            expert_id: "E1".into(),
            civil_servant: false,
            origin: CaseOrigin::Regulator {
                officer_id: "R".into(),
            },
            grounds: vec![ground.clone()],
            opened_on: d(2026, 3, 2),
            summary: "s".into(),
        },
        &baseline,
        d(2026, 3, 2),
    )
    .unwrap();
    let events = [
        CaseEvent::ServeNotice {
            served_on: d(2026, 3, 2),
            facts: "f".into(),
            evidence: vec!["e".into()],
            legal_basis: vec!["b".into()],
            proposed: sanction,
        },
        CaseEvent::WaiveDefence {
            on: d(2026, 3, 2),
            reference: "w".into(),
        },
        CaseEvent::WaiveHearing {
            on: d(2026, 3, 2),
            reference: "h".into(),
        },
        CaseEvent::Decide {
            decided_on: d(2026, 3, 3),
            outcome: Outcome::Sanction { sanction },
            found: vec![ground],
            reasons: "r".into(),
            effective_on: d(2026, 3, 10),
        },
        CaseEvent::TakeEffect { on: d(2026, 3, 10) },
    ];
    for e in events {
        case = match apply(&case, &e, &ctx) {
            Ok(c) => c,
            // Waiving a hearing that was never offered is refused; skip it.
            Err(crate::discipline::case::CaseError::Hearing { .. }) => case,
            Err(err) => panic!("{e:?}: {err}"),
        };
    }
    case
}

fn review(case: &Case, outcome: ReviewOutcome, kind: ReviewKind) -> Case {
    let baseline = Baseline::default();
    let due = DueProcess::default();
    let calendar = WorkCalendar::china_2026();
    let ctx = CaseContext {
        baseline: &baseline,
        due_process: &due,
        calendar: &calendar,
        today: d(2026, 12, 31),
    };
    let filed = apply(
        case,
        &CaseEvent::FileReview {
            kind,
            reference: "R-1".into(),
            filed_on: d(2026, 4, 1),
            body: "复议机关".into(),
        },
        &ctx,
    )
    .unwrap();
    apply(
        &filed,
        &CaseEvent::ResolveReview {
            reference: "R-1".into(),
            on: d(2026, 5, 1),
            outcome,
        },
        &ctx,
    )
    .unwrap()
}

#[test]
fn each_measure_maps_to_its_command() {
    let on = d(2026, 3, 10);
    assert_eq!(
        sanction_command(&Sanction::new(Measure::Warning), on, "r"),
        Ok(None)
    );
    assert_eq!(
        sanction_command(&susp(6, RestoreMode::AfterTest), on, "r"),
        Ok(Some(Command::Suspend {
            from: on,
            until: Some(d(2026, 9, 10)),
            restore: RestoreMode::AfterTest,
            reason: "r".into()
        }))
    );
    assert_eq!(
        sanction_command(
            &Sanction::new(Measure::Removal { ban_years: Some(3) }),
            on,
            "r"
        ),
        Ok(Some(Command::Remove {
            on,
            reason: "r".into(),
            ban_until: Some(d(2029, 3, 10))
        }))
    );
    assert_eq!(
        sanction_command(
            &Sanction::new(Measure::Removal { ban_years: None }),
            on,
            "r"
        ),
        Ok(Some(Command::Remove {
            on,
            reason: "r".into(),
            ban_until: None
        }))
    );
    assert_eq!(
        sanction_command(&susp(3, RestoreMode::Automatic), NaiveDate::MAX, "r"),
        Err(EffectError::DateOverflow)
    );
    assert_eq!(
        sanction_command(
            &Sanction::new(Measure::Removal {
                ban_years: Some(u32::MAX)
            }),
            on,
            "r"
        ),
        Err(EffectError::DateOverflow)
    );
}

#[test]
fn taking_effect_changes_the_status_from_the_effective_day() {
    let case = decided(
        "ignore_evaluation_criteria",
        susp(6, RestoreMode::AfterTest),
    );
    assert_eq!(
        take_effect(&case, &active(), d(2026, 3, 9)),
        Err(EffectError::NotYetEffective {
            effective_on: d(2026, 3, 10),
            today: d(2026, 3, 9)
        })
    );
    let s = take_effect(&case, &active(), d(2026, 3, 10))
        .unwrap()
        .unwrap();
    let Status::Suspended {
        from,
        until,
        restore,
        reason,
        ..
    } = &s
    else {
        panic!("{s:?}");
    };
    assert_eq!(
        (*from, *until, *restore),
        (d(2026, 3, 10), Some(d(2026, 9, 10)), RestoreMode::AfterTest)
    );
    assert_eq!(reason, "C-1：暂停评标专家资格6个月，期满经考试合格后恢复");
    assert!(!s.available_on(d(2026, 3, 10)));
    // Already suspended: a second suspension needs a person.
    assert!(matches!(
        take_effect(&case, &s, d(2026, 3, 10)),
        Err(EffectError::Transition(TransitionError::NotAllowed { .. }))
    ));
    // A warning changes nothing; a removal removes with the ban.
    let warned = decided("late_arrival", Sanction::new(Measure::Warning));
    assert_eq!(take_effect(&warned, &active(), d(2026, 3, 10)), Ok(None));
    let removed = decided(
        "conceal_conflict_of_interest",
        Sanction::new(Measure::Removal { ban_years: Some(2) }),
    );
    let s = take_effect(&removed, &active(), d(2026, 3, 12))
        .unwrap()
        .unwrap();
    assert_eq!(
        s,
        Status::Removed {
            on: d(2026, 3, 10),
            reason: "C-1：清除出评标专家库，2年内不得再次申请入库".into(),
            ban_until: Some(d(2028, 3, 10))
        }
    );
}

#[test]
fn the_draw_exclusion_window() {
    let case = decided("phone_in_room", susp(3, RestoreMode::Automatic));
    assert!(!excludes_on(&case, d(2026, 3, 9)));
    assert!(excludes_on(&case, d(2026, 3, 10)));
    assert!(excludes_on(&case, d(2026, 6, 9)));
    assert!(!excludes_on(&case, d(2026, 6, 10)));
    let removed = decided(
        "accept_property",
        Sanction::with_fine(Measure::Removal { ban_years: None }, 3000),
    );
    assert!(excludes_on(&removed, d(2040, 1, 1)));
    assert!(!excludes_on(
        &decided("late_arrival", Sanction::new(Measure::Warning)),
        d(2026, 3, 10)
    ));
    let revoked = review(&removed, ReviewOutcome::Revoked, ReviewKind::Appeal);
    assert!(!excludes_on(&revoked, d(2026, 6, 1)));
}

#[test]
fn restore_per_tier() {
    let suspended = |restore| Status::Suspended {
        term: Term::new(1, d(2025, 1, 1), 4).unwrap(),
        from: d(2026, 3, 10),
        until: Some(d(2026, 6, 10)),
        restore,
        reason: "r".into(),
    };
    let app = RestoreEvidence::Application {
        reference: "A-1".into(),
    };
    let test = RestoreEvidence::PassedTest {
        reference: "T-1".into(),
    };
    let early = d(2026, 6, 9);
    let due = d(2026, 6, 10);

    // Automatic: nothing needed once `until` has come; never before.
    let auto = suspended(RestoreMode::Automatic);
    assert_eq!(
        restore_due(&auto, early),
        RestoreDue::NotBefore { until: due }
    );
    assert_eq!(restore_due(&auto, due), RestoreDue::Automatic { on: due });
    assert!(matches!(
        restore(&auto, &RestoreEvidence::None, early),
        Err(EffectError::Transition(
            TransitionError::SuspensionNotOver { .. }
        ))
    ));
    assert_eq!(
        restore(&auto, &RestoreEvidence::None, due).unwrap().kind(),
        StatusKind::Active
    );

    // On application: the application, after `until`.
    let on_app = suspended(RestoreMode::OnApplication);
    assert_eq!(restore_due(&on_app, due), RestoreDue::NeedsApplication);
    assert!(matches!(
        restore(&on_app, &RestoreEvidence::None, due),
        Err(EffectError::Transition(
            TransitionError::RestoreModeMismatch { .. }
        ))
    ));
    assert!(matches!(
        restore(&on_app, &test, due),
        Err(EffectError::Transition(
            TransitionError::RestoreModeMismatch { .. }
        ))
    ));
    assert!(matches!(
        restore(&on_app, &app, early),
        Err(EffectError::Transition(
            TransitionError::SuspensionNotOver { .. }
        ))
    ));
    assert_eq!(
        restore(&on_app, &app, due).unwrap().kind(),
        StatusKind::Active
    );

    // After a test: the passed test.
    let after_test = suspended(RestoreMode::AfterTest);
    assert_eq!(restore_due(&after_test, due), RestoreDue::NeedsPassedTest);
    assert!(restore(&after_test, &app, due).is_err());
    assert_eq!(
        restore(&after_test, &test, due).unwrap().kind(),
        StatusKind::Active
    );

    assert_eq!(restore_due(&active(), due), RestoreDue::NotSuspended);
    assert!(matches!(
        restore(&active(), &app, due),
        Err(EffectError::Transition(TransitionError::NotAllowed { .. }))
    ));
}

#[test]
fn reviews_vary_or_revoke_the_status() {
    let before = active();
    let case = decided(
        "conceal_conflict_of_interest",
        susp(12, RestoreMode::AfterTest),
    );
    let current = take_effect(&case, &before, d(2026, 3, 10))
        .unwrap()
        .unwrap();
    let today = d(2026, 5, 2);

    // Upheld: nothing changes.
    let upheld = review(&case, ReviewOutcome::Upheld, ReviewKind::Reconsideration);
    assert_eq!(after_review(&upheld, &before, &current, today), Ok(None));

    // Varied to 6 months on application: same start, new end and tier.
    let milder = susp(6, RestoreMode::OnApplication);
    let varied = review(
        &case,
        ReviewOutcome::Varied { sanction: milder },
        ReviewKind::Reconsideration,
    );
    let s = after_review(&varied, &before, &current, today)
        .unwrap()
        .unwrap();
    assert!(matches!(
        s,
        Status::Suspended { from, until: Some(until), restore: RestoreMode::OnApplication, .. }
            if from == d(2026, 3, 10) && until == d(2026, 9, 10)
    ));

    // Revoked: the status before comes back.
    let revoked = review(&case, ReviewOutcome::Revoked, ReviewKind::Appeal);
    assert_eq!(
        after_review(&revoked, &before, &current, today),
        Ok(Some(before.clone()))
    );

    // A removal revoked: the only way out of `removed`.
    let removal = decided(
        "conceal_conflict_of_interest",
        Sanction::new(Measure::Removal { ban_years: Some(1) }),
    );
    let removed = take_effect(&removal, &before, d(2026, 3, 10))
        .unwrap()
        .unwrap();
    let revoked = review(&removal, ReviewOutcome::Revoked, ReviewKind::Appeal);
    assert_eq!(
        after_review(&revoked, &before, &removed, today),
        Ok(Some(before.clone()))
    );
    // ... and only from exactly the status the decision produced.
    let other = Status::Removed {
        on: d(2026, 4, 1),
        reason: "另案".into(),
        ban_until: None,
    };
    assert_eq!(
        after_review(&revoked, &before, &other, today),
        Err(EffectError::StatusMoved)
    );

    // Varied to a warning: the status before, no suspension.
    let to_warning = review(
        &decided(
            "ignore_evaluation_criteria",
            susp(3, RestoreMode::Automatic),
        ),
        ReviewOutcome::Varied {
            sanction: Sanction::new(Measure::Warning),
        },
        ReviewKind::Reconsideration,
    );
    let current = take_effect(
        &decided(
            "ignore_evaluation_criteria",
            susp(3, RestoreMode::Automatic),
        ),
        &before,
        d(2026, 3, 10),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        after_review(&to_warning, &before, &current, today),
        Ok(Some(before))
    );
}

#[test]
fn no_standing_sanction_no_effect() {
    let case = decided("phone_in_room", susp(3, RestoreMode::Automatic));
    let revoked = review(&case, ReviewOutcome::Revoked, ReviewKind::Appeal);
    assert_eq!(
        take_effect(&revoked, &active(), d(2026, 6, 1)),
        Err(EffectError::NoSanction)
    );
    assert_eq!(EffectError::NoSanction.code(), "no_sanction");
    let mut undecided = case.clone();
    undecided.decision = None;
    assert_eq!(
        after_review(&undecided, &active(), &active(), d(2026, 6, 1)),
        Err(EffectError::NoSanction)
    );
    assert!(!excludes_on(&undecided, d(2026, 4, 1)));
}
