//! Tests of `transition`: every (status, command) pair from a table, every
//! validation error, and a property that arbitrary dates never panic.

use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    d(2026, 6, 1)
}

fn term1() -> Term {
    Term::new(1, d(2025, 1, 1), 4).unwrap()
}

fn term2() -> Term {
    Term::new(2, d(2029, 1, 1), 4).unwrap()
}

fn suspended(until: Option<NaiveDate>, restore: RestoreMode) -> Status {
    Status::Suspended {
        term: term1(),
        from: d(2026, 1, 1),
        until,
        restore,
        reason: "无故缺席评标".into(),
    }
}

/// One valid sample of every status.
fn statuses() -> Vec<Status> {
    vec![
        Status::Applicant,
        Status::Rejected {
            reasons: vec!["从业年限不足".into()],
        },
        Status::Active { term: term1() },
        Status::OnLeave {
            term: term1(),
            from: d(2026, 5, 20),
            to: d(2026, 6, 10),
            reason: "出国".into(),
        },
        suspended(Some(d(2026, 5, 1)), RestoreMode::Automatic),
        Status::Retired {
            on: d(2026, 1, 1),
            reason: RetireReason::Voluntary,
        },
        Status::Removed {
            on: d(2026, 1, 1),
            reason: "收受投标人财物".into(),
            ban_until: None,
        },
    ]
}

/// One sample of every command, valid wherever the command is legal.
fn commands() -> Vec<Command> {
    vec![
        Command::Approve { term: term1() },
        Command::Reject {
            reasons: vec!["职称不符".into()],
        },
        Command::Reapply,
        Command::GrantLeave {
            from: d(2026, 6, 1),
            to: d(2026, 6, 10),
            reason: "手术".into(),
        },
        Command::EndLeave,
        Command::Suspend {
            from: d(2026, 6, 1),
            until: Some(d(2026, 12, 1)),
            restore: RestoreMode::Automatic,
            reason: "考核不合格".into(),
        },
        Command::Reinstate {
            via: ReinstateVia::Automatic { on: d(2026, 5, 1) },
        },
        Command::Renew { term: term2() },
        Command::Retire {
            on: today(),
            reason: RetireReason::Voluntary,
        },
        Command::Remove {
            on: today(),
            reason: "串通投标".into(),
            ban_until: Some(d(2031, 6, 1)),
        },
    ]
}

#[test]
fn exactly_the_legal_pairs_succeed() {
    use CommandKind as C;
    use StatusKind as S;
    let legal: &[(S, C, S)] = &[
        (S::Applicant, C::Approve, S::Active),
        (S::Applicant, C::Reject, S::Rejected),
        (S::Applicant, C::Remove, S::Removed),
        (S::Rejected, C::Reapply, S::Applicant),
        (S::Rejected, C::Remove, S::Removed),
        (S::Active, C::GrantLeave, S::OnLeave),
        (S::Active, C::Suspend, S::Suspended),
        (S::Active, C::Renew, S::Active),
        (S::Active, C::Retire, S::Retired),
        (S::Active, C::Remove, S::Removed),
        (S::OnLeave, C::EndLeave, S::Active),
        (S::OnLeave, C::Suspend, S::Suspended),
        (S::OnLeave, C::Renew, S::OnLeave),
        (S::OnLeave, C::Retire, S::Retired),
        (S::OnLeave, C::Remove, S::Removed),
        (S::Suspended, C::Reinstate, S::Active),
        (S::Suspended, C::Retire, S::Retired),
        (S::Suspended, C::Remove, S::Removed),
        (S::Retired, C::Remove, S::Removed),
    ];
    let statuses = statuses();
    let commands = commands();
    assert_eq!(statuses.len(), StatusKind::ALL.len());
    assert_eq!(commands.len(), CommandKind::ALL.len());
    let mut successes = 0;
    for status in &statuses {
        for command in &commands {
            let result = transition(status, command, today());
            let expected = legal
                .iter()
                .find(|(s, c, _)| *s == status.kind() && *c == command.kind());
            match (expected, result) {
                (Some((_, _, to)), Ok(next)) => {
                    assert_eq!(next.kind(), *to, "{status:?} + {command:?}");
                    successes += 1;
                }
                (None, Err(e)) => assert_eq!(
                    e,
                    TransitionError::NotAllowed {
                        from: status.kind(),
                        command: command.kind()
                    }
                ),
                (expected, result) => {
                    panic!("{status:?} + {command:?}: expected {expected:?}, got {result:?}")
                }
            }
        }
    }
    assert_eq!(successes, legal.len());
}

#[test]
fn data_carries_over() {
    let t = today();
    let leave = transition(&Status::Active { term: term1() }, &commands()[3], t).unwrap();
    assert_eq!(
        leave,
        Status::OnLeave {
            term: term1(),
            from: d(2026, 6, 1),
            to: d(2026, 6, 10),
            reason: "手术".into()
        }
    );
    // Renewing on leave keeps the leave and replaces the term.
    let renewed = transition(&leave, &Command::Renew { term: term2() }, t).unwrap();
    assert_eq!(renewed.term(), Some(&term2()));
    assert_eq!(renewed.kind(), StatusKind::OnLeave);
    // Suspension from leave keeps the term; reinstatement returns to active.
    let s = transition(&leave, &commands()[5], t).unwrap();
    assert_eq!(s.term(), Some(&term1()));
    let back = transition(
        &s,
        &Command::Reinstate {
            via: ReinstateVia::Automatic { on: d(2026, 12, 1) },
        },
        d(2026, 12, 5),
    )
    .unwrap();
    assert_eq!(back, Status::Active { term: term1() });
}

#[test]
fn every_validation_error() {
    let t = today();
    let active = Status::Active { term: term1() };
    let on_app = suspended(Some(d(2026, 7, 1)), RestoreMode::OnApplication);
    let open_test = suspended(None, RestoreMode::AfterTest);
    let suspend = |from, until, restore, reason: &str| Command::Suspend {
        from,
        until,
        restore,
        reason: reason.into(),
    };
    let cases: Vec<(Status, Command, NaiveDate, TransitionError)> = vec![
        (
            Status::Applicant,
            Command::Reject { reasons: vec![] },
            t,
            TransitionError::BlankReason {
                command: CommandKind::Reject,
            },
        ),
        (
            Status::Applicant,
            Command::Reject {
                reasons: vec!["ok".into(), " ".into()],
            },
            t,
            TransitionError::BlankReason {
                command: CommandKind::Reject,
            },
        ),
        (
            Status::Applicant,
            Command::Approve {
                term: Term {
                    number: 0,
                    ..term1()
                },
            },
            t,
            TransitionError::InvalidTerm,
        ),
        (
            Status::Applicant,
            Command::Approve {
                term: Term {
                    end: term1().start,
                    ..term1()
                },
            },
            t,
            TransitionError::InvalidTerm,
        ),
        (
            active.clone(),
            Command::Renew { term: term1() },
            t,
            TransitionError::RenewalNumber {
                expected: 2,
                got: 1,
            },
        ),
        (
            active.clone(),
            Command::Renew {
                term: Term::new(2, d(2024, 1, 1), 4).unwrap(),
            },
            t,
            TransitionError::RenewalStart {
                got: d(2024, 1, 1),
                current_start: d(2025, 1, 1),
            },
        ),
        (
            active.clone(),
            Command::GrantLeave {
                from: d(2026, 6, 2),
                to: d(2026, 6, 1),
                reason: "x".into(),
            },
            t,
            TransitionError::LeaveEndsBeforeStart {
                from: d(2026, 6, 2),
                to: d(2026, 6, 1),
            },
        ),
        (
            active.clone(),
            Command::GrantLeave {
                from: d(2026, 6, 1),
                to: d(2026, 6, 1),
                reason: "\t".into(),
            },
            t,
            TransitionError::BlankReason {
                command: CommandKind::GrantLeave,
            },
        ),
        (
            active.clone(),
            suspend(t, Some(t), RestoreMode::Automatic, "x"),
            t,
            TransitionError::SuspensionEndsBeforeStart { from: t, until: t },
        ),
        (
            active.clone(),
            suspend(t, None, RestoreMode::Automatic, "x"),
            t,
            TransitionError::AutomaticWithoutEnd,
        ),
        (
            active.clone(),
            suspend(d(2026, 6, 2), None, RestoreMode::AfterTest, "x"),
            t,
            TransitionError::FutureDate {
                command: CommandKind::Suspend,
                on: d(2026, 6, 2),
                today: t,
            },
        ),
        (
            active.clone(),
            suspend(t, None, RestoreMode::AfterTest, ""),
            t,
            TransitionError::BlankReason {
                command: CommandKind::Suspend,
            },
        ),
        (
            on_app.clone(),
            Command::Reinstate {
                via: ReinstateVia::TestPassed {
                    reference: "T-1".into(),
                },
            },
            d(2026, 8, 1),
            TransitionError::RestoreModeMismatch {
                expected: RestoreMode::OnApplication,
                got: RestoreMode::AfterTest,
            },
        ),
        (
            on_app.clone(),
            Command::Reinstate {
                via: ReinstateVia::Application {
                    reference: "A-1".into(),
                },
            },
            d(2026, 6, 30),
            TransitionError::SuspensionNotOver {
                until: d(2026, 7, 1),
                today: d(2026, 6, 30),
            },
        ),
        (
            on_app,
            Command::Reinstate {
                via: ReinstateVia::Application {
                    reference: " ".into(),
                },
            },
            d(2026, 7, 1),
            TransitionError::BlankReference,
        ),
        (
            suspended(Some(d(2026, 5, 1)), RestoreMode::Automatic),
            Command::Reinstate {
                via: ReinstateVia::Automatic { on: d(2026, 4, 30) },
            },
            t,
            TransitionError::ReinstateDate {
                on: d(2026, 4, 30),
                until: d(2026, 5, 1),
                today: t,
            },
        ),
        (
            suspended(Some(d(2026, 5, 1)), RestoreMode::Automatic),
            Command::Reinstate {
                via: ReinstateVia::Automatic { on: d(2026, 6, 2) },
            },
            t,
            TransitionError::ReinstateDate {
                on: d(2026, 6, 2),
                until: d(2026, 5, 1),
                today: t,
            },
        ),
        (
            // A stored status that could never have been created: still no panic.
            suspended(None, RestoreMode::Automatic),
            Command::Reinstate {
                via: ReinstateVia::Automatic { on: t },
            },
            t,
            TransitionError::AutomaticWithoutEnd,
        ),
        (
            open_test,
            Command::Reinstate {
                via: ReinstateVia::Automatic { on: t },
            },
            t,
            TransitionError::RestoreModeMismatch {
                expected: RestoreMode::AfterTest,
                got: RestoreMode::Automatic,
            },
        ),
        (
            active.clone(),
            Command::Retire {
                on: d(2026, 6, 2),
                reason: RetireReason::Voluntary,
            },
            t,
            TransitionError::FutureDate {
                command: CommandKind::Retire,
                on: d(2026, 6, 2),
                today: t,
            },
        ),
        (
            active.clone(),
            Command::Retire {
                on: t,
                reason: RetireReason::Other(" ".into()),
            },
            t,
            TransitionError::BlankReason {
                command: CommandKind::Retire,
            },
        ),
        (
            active.clone(),
            Command::Remove {
                on: t,
                reason: "x".into(),
                ban_until: Some(t),
            },
            t,
            TransitionError::BanEndsBeforeRemoval {
                on: t,
                ban_until: t,
            },
        ),
        (
            active,
            Command::Remove {
                on: t,
                reason: String::new(),
                ban_until: None,
            },
            t,
            TransitionError::BlankReason {
                command: CommandKind::Remove,
            },
        ),
    ];
    for (status, command, on, expected) in cases {
        let got = transition(&status, &command, on);
        assert_eq!(got, Err(expected.clone()), "{status:?} + {command:?}");
        // Every message is bilingual.
        let text = expected.to_string();
        assert!(
            text.contains(" / ") && text.chars().any(|c| c > '\u{2e80}'),
            "{text}"
        );
    }
}

#[test]
fn open_ended_suspensions_restore_on_their_own_mode() {
    let s = suspended(None, RestoreMode::AfterTest);
    let via = ReinstateVia::TestPassed {
        reference: "考试-2026-001".into(),
    };
    let next = transition(&s, &Command::Reinstate { via }, d(2026, 1, 2)).unwrap();
    assert_eq!(next, Status::Active { term: term1() });
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..20_000).prop_map(|n| d(2000, 1, 1) + chrono::Duration::days(n))
}

proptest! {
    #[test]
    fn never_panics_and_never_leaves_removed(
        s in 0usize..7,
        c in 0usize..10,
        a in any_date(),
        b in any_date(),
        today in any_date(),
        number in any::<u32>(),
    ) {
        let mut status = statuses().swap_remove(s);
        let mut command = commands().swap_remove(c);
        // Scramble every date and number the samples carry.
        match &mut status {
            Status::OnLeave { from, to, .. } => { *from = a; *to = b; }
            Status::Suspended { from, until, .. } => { *from = a; *until = Some(b); }
            _ => {}
        }
        match &mut command {
            Command::Approve { term } | Command::Renew { term } => {
                *term = Term { number, start: a, end: b };
            }
            Command::GrantLeave { from, to, .. } => { *from = a; *to = b; }
            Command::Suspend { from, until, .. } => { *from = a; *until = Some(b); }
            Command::Reinstate { via: ReinstateVia::Automatic { on } } | Command::Retire { on, .. } => *on = a,
            Command::Remove { on, ban_until, .. } => { *on = a; *ban_until = Some(b); }
            _ => {}
        }
        let result = transition(&status, &command, today);
        if status.is_terminal() {
            prop_assert!(result.is_err());
        }
        if let Ok(next) = result {
            prop_assert!(next.term().is_none_or(|t| t.is_valid()));
        }
    }
}
