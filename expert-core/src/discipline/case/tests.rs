//! Tests of the case machine: a full run, every (stage, event) pair from a
//! table, every rule of due process, the letter, reviews, and a property
//! that random event sequences keep the case's invariants.

use super::*;
use crate::discipline::baseline::{Baseline, BaselineError, Ground};
use crate::discipline::calendar::WorkCalendar;
use crate::discipline::sanction::{Measure, Sanction};
use crate::lifecycle::RestoreMode;
use chrono::NaiveDate;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn ground() -> Ground {
    Ground::Violation {
        code: "conceal_conflict_of_interest".into(),
    }
}

fn minor() -> Ground {
    Ground::Violation {
        code: "phone_in_room".into(),
    }
}

fn susp(months: u32, restore: RestoreMode) -> Sanction {
    Sanction::new(Measure::Suspension { months, restore })
}

/// Carries a hearing right under the default due process.
fn six_months() -> Sanction {
    susp(6, RestoreMode::AfterTest)
}

struct World {
    baseline: Baseline,
    due: DueProcess,
    calendar: WorkCalendar,
}

impl World {
    fn new() -> Self {
        Self {
            baseline: Baseline::default(),
            due: DueProcess::default(),
            calendar: WorkCalendar::china_2026(),
        }
    }

    fn ctx(&self, today: NaiveDate) -> CaseContext<'_> {
        CaseContext {
            baseline: &self.baseline,
            due_process: &self.due,
            calendar: &self.calendar,
            today,
        }
    }

    /// Applies on a late `today`, so dates in the events decide.
    fn step(&self, case: &Case, event: CaseEvent) -> Result<Case, CaseError> {
        apply(case, &event, &self.ctx(d(2026, 12, 31)))
    }

    fn run(&self, case: Case, events: Vec<CaseEvent>) -> Case {
        events.into_iter().fold(case, |c, e| {
            self.step(&c, e.clone())
                .unwrap_or_else(|err| panic!("{e:?}: {err}"))
        })
    }
}

fn open_req(grounds: Vec<Ground>, civil_servant: bool) -> OpenCase {
    OpenCase {
        case_no: "鄂公管罚〔2026〕7号".into(),
        expert_id: "E1".into(),
        civil_servant,
        origin: CaseOrigin::Regulator {
            officer_id: "R1".into(),
        },
        grounds,
        opened_on: d(2026, 3, 2),
        summary: "评标现场发现应当回避而未回避".into(),
    }
}

fn opened(civil_servant: bool) -> Case {
    Case::open(
        open_req(vec![ground()], civil_servant),
        &Baseline::default(),
        d(2026, 3, 2),
    )
    .unwrap()
}

/// Served Monday 2026-03-02: five working days end Monday 2026-03-09.
fn serve(proposed: Sanction) -> CaseEvent {
    CaseEvent::ServeNotice {
        served_on: d(2026, 3, 2),
        facts: "2026年2月10日评标时，其与投标人某某公司存在利害关系而未主动回避。".into(),
        evidence: vec!["现场记录 2026-02-10".into(), "录像 V-17".into()],
        legal_basis: vec!["《中华人民共和国招标投标法实施条例》第七十一条第（一）项".into()],
        proposed,
    }
}

fn decide_on(on: NaiveDate, sanction: Sanction) -> CaseEvent {
    CaseEvent::Decide {
        decided_on: on,
        outcome: Outcome::Sanction { sanction },
        found: vec![ground()],
        reasons: "事实清楚，证据确凿，其陈述申辩理由不成立。".into(),
        effective_on: on.succ_opt().unwrap(),
    }
}

fn hold() -> Vec<CaseEvent> {
    vec![
        CaseEvent::RequestHearing { on: d(2026, 3, 4) },
        CaseEvent::HoldHearing {
            on: d(2026, 3, 16),
            record: "听证笔录 H-3".into(),
        },
    ]
}

fn letter_delivered() -> CaseEvent {
    CaseEvent::DeliverEmployerLetter {
        on: d(2026, 3, 20),
        channel: "post".into(),
        reference: "EMS 1234".into(),
    }
}

/// A civil-servant case in each stage, with a pending review "R-0" from
/// `decided` on.
fn samples(w: &World) -> Vec<Case> {
    let o = opened(true);
    let served = w.run(o.clone(), vec![serve(six_months())]);
    let mut decided_events = hold();
    decided_events.push(decide_on(d(2026, 3, 17), six_months()));
    decided_events.push(CaseEvent::FileReview {
        kind: ReviewKind::Reconsideration,
        reference: "R-0".into(),
        filed_on: d(2026, 3, 18),
        body: "省人民政府".into(),
    });
    let decided = w.run(served.clone(), decided_events);
    let effective = w.run(
        decided.clone(),
        vec![CaseEvent::TakeEffect { on: d(2026, 3, 18) }],
    );
    let published = w.run(
        effective.clone(),
        vec![CaseEvent::PublishNotice {
            on: d(2026, 3, 19),
            reference: "https://ggzy.example/notice/7".into(),
        }],
    );
    let closed = w.run(
        published.clone(),
        vec![letter_delivered(), CaseEvent::Close { on: d(2026, 3, 21) }],
    );
    let withdrawn = w.run(
        o.clone(),
        vec![CaseEvent::Withdraw {
            on: d(2026, 3, 3),
            reason: "证据不足".into(),
        }],
    );
    let all = vec![o, served, decided, effective, published, closed, withdrawn];
    let stages: Vec<Stage> = all.iter().map(|c| c.stage).collect();
    assert_eq!(stages, Stage::ALL);
    all
}

/// One sample of every event, valid wherever the event is legal (given the
/// sample cases above) or refused for a reason other than the stage.
fn events() -> Vec<CaseEvent> {
    vec![
        serve(six_months()),
        CaseEvent::ReceiveStatement {
            received_on: d(2026, 3, 5),
            reference: "doc/88".into(),
            summary: "本人与该公司已无业务往来".into(),
        },
        CaseEvent::WaiveDefence {
            on: d(2026, 3, 5),
            reference: "doc/89".into(),
        },
        CaseEvent::RequestHearing { on: d(2026, 3, 5) },
        CaseEvent::HoldHearing {
            on: d(2026, 3, 16),
            record: "H-3".into(),
        },
        CaseEvent::WaiveHearing {
            on: d(2026, 3, 5),
            reference: "doc/90".into(),
        },
        decide_on(d(2026, 3, 17), six_months()),
        CaseEvent::TakeEffect { on: d(2026, 3, 18) },
        CaseEvent::PublishNotice {
            on: d(2026, 3, 19),
            reference: "n/7".into(),
        },
        letter_delivered(),
        CaseEvent::Close { on: d(2026, 3, 25) },
        CaseEvent::Withdraw {
            on: d(2026, 3, 5),
            reason: "证据不足".into(),
        },
        CaseEvent::FileReview {
            kind: ReviewKind::Appeal,
            reference: "R-1".into(),
            filed_on: d(2026, 3, 25),
            body: "某某区人民法院".into(),
        },
        CaseEvent::ResolveReview {
            reference: "R-0".into(),
            on: d(2026, 5, 1),
            outcome: ReviewOutcome::Upheld,
        },
    ]
}

fn legal(stage: Stage, event: EventKind) -> bool {
    use EventKind as E;
    match stage {
        Stage::Opened => matches!(event, E::ServeNotice | E::Withdraw),
        Stage::NoticeServed => matches!(
            event,
            E::ServeNotice
                | E::ReceiveStatement
                | E::WaiveDefence
                | E::RequestHearing
                | E::HoldHearing
                | E::WaiveHearing
                | E::Decide
                | E::Withdraw
        ),
        Stage::Decided => matches!(
            event,
            E::TakeEffect | E::DeliverEmployerLetter | E::FileReview | E::ResolveReview
        ),
        Stage::Effective => matches!(
            event,
            E::PublishNotice | E::DeliverEmployerLetter | E::FileReview | E::ResolveReview
        ),
        Stage::Published => matches!(
            event,
            E::Close | E::DeliverEmployerLetter | E::FileReview | E::ResolveReview
        ),
        Stage::Closed => matches!(event, E::FileReview | E::ResolveReview),
        Stage::Withdrawn => false,
    }
}

#[test]
fn every_stage_and_event_pair() {
    let w = World::new();
    let events = events();
    let kinds: Vec<EventKind> = events.iter().map(CaseEvent::kind).collect();
    assert_eq!(kinds, EventKind::ALL);
    let mut legal_ok = 0;
    for case in samples(&w) {
        for event in &events {
            let result = w.step(&case, event.clone());
            if legal(case.stage, event.kind()) {
                assert!(
                    !matches!(result, Err(CaseError::NotAllowed { .. })),
                    "{} {}: {result:?}",
                    case.stage,
                    event.kind()
                );
                legal_ok += usize::from(result.is_ok());
            } else {
                assert_eq!(
                    result,
                    Err(CaseError::NotAllowed {
                        stage: case.stage,
                        event: event.kind()
                    }),
                    "{} {}",
                    case.stage,
                    event.kind()
                );
            }
        }
    }
    // Only hold_hearing (no request yet) and close (no letter yet) are
    // refused for another reason: the samples really exercise the table.
    assert_eq!(legal_ok, 22);
}

#[test]
fn a_full_case_for_a_civil_servant() {
    let w = World::new();
    let mut events = vec![
        serve(six_months()),
        CaseEvent::ReceiveStatement {
            received_on: d(2026, 3, 6),
            reference: "doc/88".into(),
            summary: "本人不知该公司参与投标".into(),
        },
    ];
    events.extend(hold());
    events.push(decide_on(d(2026, 3, 17), six_months()));
    let decided = w.run(opened(true), events);
    assert_eq!(decided.stage, Stage::Decided);
    let notice = decided.notice.as_ref().unwrap();
    assert_eq!(notice.window_ends, d(2026, 3, 9));
    assert_eq!(notice.statements.len(), 1);
    assert_eq!(notice.hearing.kind(), HearingKind::Held);
    assert_eq!(decided.standing_sanction(), Some(six_months()));

    let parties = LetterParties {
        expert_name: "张三".into(),
        employer_name: "某某市住房和城乡建设局".into(),
        authority: "某某市公共资源交易监督管理局".into(),
        issued_on: d(2026, 3, 19),
    };
    let letter = employer_letter(&decided, &parties, DEFAULT_LETTER_TEMPLATE).unwrap();
    assert_eq!(letter.title, "关于张三同志评标违规行为处理情况的通报");
    assert_eq!(letter.to, "某某市住房和城乡建设局");
    for part in [
        "某某市住房和城乡建设局：",
        "经查：2026年2月10日评标时",
        "第七十一条第（一）项",
        "于2026年3月2日依法告知",
        "其在规定期限内提出了陈述、申辩意见",
        "于2026年3月16日举行了听证",
        "于2026年3月17日作出处理决定：暂停评标专家资格6个月，期满经考试合格后恢复，自2026年3月18日起执行",
        "鄂公管罚〔2026〕7号",
        "2026年3月19日",
    ] {
        assert!(
            letter.text.contains(part),
            "missing {part}:\n{}",
            letter.text
        );
    }
    assert!(!letter.text.contains('{'), "{}", letter.text);

    let closed = w.run(
        decided,
        vec![
            CaseEvent::TakeEffect { on: d(2026, 3, 18) },
            CaseEvent::PublishNotice {
                on: d(2026, 3, 19),
                reference: "n/7".into(),
            },
            letter_delivered(),
            CaseEvent::Close { on: d(2026, 3, 21) },
        ],
    );
    assert_eq!(closed.stage, Stage::Closed);
    assert_eq!(closed.employer_letter.as_ref().unwrap().channel, "post");
    let json = serde_json::to_value(&closed).unwrap();
    assert_eq!(json["stage"], "closed");
    assert_eq!(json["notice"]["hearing"]["status"], "held");
    assert_eq!(serde_json::from_value::<Case>(json).unwrap(), closed);
}

#[test]
fn opening() {
    let b = Baseline::default();
    let today = d(2026, 3, 2);
    let mut blank = open_req(vec![ground()], false);
    blank.case_no = " ".into();
    assert_eq!(
        Case::open(blank, &b, today),
        Err(CaseError::Blank { field: "case_no" })
    );
    assert_eq!(
        Case::open(open_req(vec![], false), &b, today),
        Err(CaseError::Baseline(BaselineError::NoGrounds))
    );
    let unknown = Ground::Violation { code: "x".into() };
    assert_eq!(
        Case::open(open_req(vec![unknown], false), &b, today),
        Err(CaseError::Baseline(BaselineError::UnknownViolation {
            code: "x".into()
        }))
    );
    assert!(matches!(
        Case::open(open_req(vec![ground()], false), &b, d(2026, 3, 1)),
        Err(CaseError::FutureDate {
            field: "opened_on",
            ..
        })
    ));
    let c = opened(false);
    assert_eq!(c.stage, Stage::Opened);
    assert!(c.notice.is_none() && c.decision.is_none());
}

#[test]
fn the_notice_needs_facts_evidence_basis_and_a_proposal_within_the_baseline() {
    let w = World::new();
    let c = opened(false);
    let with = |f: &dyn Fn(&mut CaseEvent)| {
        let mut e = serve(six_months());
        f(&mut e);
        w.step(&c, e)
    };
    assert_eq!(
        with(&|e| if let CaseEvent::ServeNotice { evidence, .. } = e {
            evidence.clear();
        }),
        Err(CaseError::NoEvidence)
    );
    assert_eq!(
        with(&|e| if let CaseEvent::ServeNotice { evidence, .. } = e {
            evidence.push(" ".into());
        }),
        Err(CaseError::Blank { field: "evidence" })
    );
    assert_eq!(
        with(&|e| if let CaseEvent::ServeNotice { legal_basis, .. } = e {
            legal_basis.clear();
        }),
        Err(CaseError::NoLegalBasis)
    );
    assert_eq!(
        with(&|e| if let CaseEvent::ServeNotice { facts, .. } = e {
            facts.clear();
        }),
        Err(CaseError::Blank { field: "facts" })
    );
    assert!(matches!(
        with(&|e| if let CaseEvent::ServeNotice { served_on, .. } = e {
            *served_on = d(2026, 3, 1);
        }),
        Err(CaseError::TooEarly {
            field: "served_on",
            ..
        })
    ));
    let r = with(&|e| {
        if let CaseEvent::ServeNotice { proposed, .. } = e {
            *proposed = Sanction::new(Measure::Removal { ban_years: None });
        }
    });
    let Err(CaseError::Baseline(BaselineError::OutsideRange { rules, .. })) = &r else {
        panic!("{r:?}");
    };
    assert_eq!(rules, &["violation:conceal_conflict_of_interest"]);
    assert!(
        r.unwrap_err()
            .to_string()
            .contains("conceal_conflict_of_interest")
    );
    let future = apply(&c, &serve(six_months()), &w.ctx(d(2026, 3, 1)));
    assert!(matches!(
        future,
        Err(CaseError::FutureDate {
            field: "served_on",
            ..
        })
    ));
    // The helper lists the baseline's basis.
    assert_eq!(
        legal_basis_for(&w.baseline, &[ground(), ground(), minor()]),
        [
            "《中华人民共和国招标投标法实施条例》第七十一条第（一）项",
            "《评标专家和评标专家库管理办法》及本中心评标专家考核管理规定"
        ]
    );
}

#[test]
fn no_decision_inside_the_defence_window() {
    let w = World::new();
    let c = Case::open(open_req(vec![minor()], false), &w.baseline, d(2026, 3, 2)).unwrap();
    let three = susp(3, RestoreMode::Automatic);
    let served = w.run(c, vec![serve(three)]);
    assert_eq!(
        served.notice.as_ref().unwrap().hearing,
        Hearing::NotRequired
    );
    let decide = |on| CaseEvent::Decide {
        decided_on: on,
        outcome: Outcome::Sanction { sanction: three },
        found: vec![minor()],
        reasons: "违反现场纪律".into(),
        effective_on: on,
    };
    assert_eq!(
        w.step(&served, decide(d(2026, 3, 9))),
        Err(CaseError::DefenceWindowOpen {
            ends: d(2026, 3, 9)
        })
    );
    assert_eq!(
        w.step(&served, decide(d(2026, 3, 10))).unwrap().stage,
        Stage::Decided
    );
    // A waiver lets the decision come sooner, but not before the notice.
    let waived = w.run(
        served.clone(),
        vec![CaseEvent::WaiveDefence {
            on: d(2026, 3, 3),
            reference: "doc/1".into(),
        }],
    );
    assert_eq!(
        w.step(&waived, decide(d(2026, 3, 3))).unwrap().stage,
        Stage::Decided
    );
    assert!(matches!(
        w.step(&waived, decide(d(2026, 3, 1))),
        Err(CaseError::TooEarly {
            field: "decided_on",
            ..
        })
    ));
    // Not waived twice, and no statement after a waiver.
    assert_eq!(
        w.step(
            &waived,
            CaseEvent::WaiveDefence {
                on: d(2026, 3, 4),
                reference: "doc/2".into()
            }
        ),
        Err(CaseError::DefenceWaived)
    );
    let statement = |on| CaseEvent::ReceiveStatement {
        received_on: on,
        reference: "doc/3".into(),
        summary: "申辩".into(),
    };
    assert_eq!(
        w.step(&waived, statement(d(2026, 3, 4))),
        Err(CaseError::DefenceWaived)
    );
    // A statement after the window is refused.
    assert_eq!(
        w.step(&served, statement(d(2026, 3, 10))),
        Err(CaseError::WindowClosed {
            ends: d(2026, 3, 9)
        })
    );
    assert_eq!(
        w.step(&served, statement(d(2026, 3, 9)))
            .unwrap()
            .notice
            .unwrap()
            .statements
            .len(),
        1
    );
    // A hearing right is not offered for a 3-month suspension.
    assert_eq!(
        w.step(&served, CaseEvent::RequestHearing { on: d(2026, 3, 3) }),
        Err(CaseError::Hearing {
            status: HearingKind::NotRequired
        })
    );
}

#[test]
fn hearings() {
    let w = World::new();
    let served = w.run(opened(false), vec![serve(six_months())]);
    assert_eq!(served.notice.as_ref().unwrap().hearing, Hearing::Offered);
    let removal = w.run(
        opened(false),
        vec![serve(Sanction::new(Measure::Removal {
            ban_years: Some(2),
        }))],
    );
    assert_eq!(removal.notice.as_ref().unwrap().hearing, Hearing::Offered);

    // Requested late, held before it was requested, held without a request.
    assert_eq!(
        w.step(&served, CaseEvent::RequestHearing { on: d(2026, 3, 10) }),
        Err(CaseError::WindowClosed {
            ends: d(2026, 3, 9)
        })
    );
    assert_eq!(
        w.step(
            &served,
            CaseEvent::HoldHearing {
                on: d(2026, 3, 12),
                record: "H".into()
            }
        ),
        Err(CaseError::Hearing {
            status: HearingKind::Offered
        })
    );
    let requested = w.run(
        served.clone(),
        vec![CaseEvent::RequestHearing { on: d(2026, 3, 4) }],
    );
    assert!(matches!(
        w.step(
            &requested,
            CaseEvent::HoldHearing {
                on: d(2026, 3, 3),
                record: "H".into()
            }
        ),
        Err(CaseError::TooEarly { field: "on", .. })
    ));
    assert_eq!(
        w.step(&requested, CaseEvent::RequestHearing { on: d(2026, 3, 5) }),
        Err(CaseError::Hearing {
            status: HearingKind::Requested
        })
    );
    // Requested and not held: no decision, even after the window.
    assert_eq!(
        w.step(&requested, decide_on(d(2026, 3, 20), six_months())),
        Err(CaseError::HearingPending)
    );
    // Held, or waived after the request: a decision may follow.
    let held = w.run(requested.clone(), vec![hold()[1].clone()]);
    assert_eq!(
        w.step(&held, decide_on(d(2026, 3, 20), six_months()))
            .unwrap()
            .stage,
        Stage::Decided
    );
    assert_eq!(
        w.step(
            &held,
            CaseEvent::WaiveHearing {
                on: d(2026, 3, 17),
                reference: "x".into()
            }
        ),
        Err(CaseError::Hearing {
            status: HearingKind::Held
        })
    );
    let waived = w.run(
        requested,
        vec![CaseEvent::WaiveHearing {
            on: d(2026, 3, 6),
            reference: "doc/9".into(),
        }],
    );
    assert_eq!(
        w.step(&waived, decide_on(d(2026, 3, 10), six_months()))
            .unwrap()
            .stage,
        Stage::Decided
    );
    // Offered and never requested: after the window the right has lapsed.
    assert_eq!(
        w.step(&served, decide_on(d(2026, 3, 10), six_months()))
            .unwrap()
            .stage,
        Stage::Decided
    );
    // Defence waived but hearing still open inside the window: refused.
    let defence_waived = w.run(
        served,
        vec![CaseEvent::WaiveDefence {
            on: d(2026, 3, 3),
            reference: "doc/1".into(),
        }],
    );
    assert_eq!(
        w.step(&defence_waived, decide_on(d(2026, 3, 4), six_months())),
        Err(CaseError::Hearing {
            status: HearingKind::Offered
        })
    );
    let both = w.run(
        defence_waived,
        vec![CaseEvent::WaiveHearing {
            on: d(2026, 3, 3),
            reference: "doc/2".into(),
        }],
    );
    assert_eq!(
        w.step(&both, decide_on(d(2026, 3, 4), six_months()))
            .unwrap()
            .stage,
        Stage::Decided
    );
}

#[test]
fn the_decision_stays_within_the_baseline_and_the_notice() {
    let w = World::new();
    let served = w.run(opened(false), vec![serve(six_months())]);
    let on = d(2026, 3, 10);
    // Outside the baseline (3 months is not in this violation's range).
    let r = w.step(&served, decide_on(on, susp(3, RestoreMode::AfterTest)));
    assert!(
        matches!(&r, Err(CaseError::Baseline(BaselineError::OutsideRange { measure, .. })) if measure == "suspension_3_after_test"),
        "{r:?}"
    );
    // Heavier than notified: needs a new notice.
    assert_eq!(
        w.step(&served, decide_on(on, susp(12, RestoreMode::AfterTest))),
        Err(CaseError::ExceedsNotice {
            decided: "suspension_12_after_test".into(),
            notified: "suspension_6_after_test".into()
        })
    );
    // Lighter than notified, within the range: fine.
    assert!(
        w.step(&served, decide_on(on, susp(6, RestoreMode::OnApplication)))
            .is_ok()
    );
    // A ground the case never had.
    let mut e = decide_on(on, six_months());
    if let CaseEvent::Decide { found, .. } = &mut e {
        found.push(minor());
    }
    assert_eq!(
        w.step(&served, e),
        Err(CaseError::GroundNotInCase {
            rule: "violation:phone_in_room".into()
        })
    );
    // Effective before decided, blank reasons.
    let mut e = decide_on(on, six_months());
    if let CaseEvent::Decide {
        effective_on,
        reasons,
        ..
    } = &mut e
    {
        *effective_on = d(2026, 3, 9);
        *reasons = "理由".into();
    }
    assert!(matches!(
        w.step(&served, e),
        Err(CaseError::TooEarly {
            field: "effective_on",
            ..
        })
    ));
    let mut e = decide_on(on, six_months());
    if let CaseEvent::Decide { reasons, .. } = &mut e {
        reasons.clear();
    }
    assert_eq!(
        w.step(&served, e),
        Err(CaseError::Blank { field: "reasons" })
    );
    // No grounds found means nothing to sanction.
    let mut e = decide_on(on, six_months());
    if let CaseEvent::Decide { found, .. } = &mut e {
        found.clear();
    }
    assert_eq!(
        w.step(&served, e),
        Err(CaseError::Baseline(BaselineError::NoGrounds))
    );

    // An amended notice keeps the old one and restarts the window.
    let amended = w
        .step(
            &served,
            CaseEvent::ServeNotice {
                served_on: d(2026, 3, 9),
                facts: "补充事实".into(),
                evidence: vec!["E2".into()],
                legal_basis: vec!["第七十一条".into()],
                proposed: susp(12, RestoreMode::AfterTest),
            },
        )
        .unwrap();
    assert_eq!(amended.superseded_notices.len(), 1);
    assert_eq!(amended.notice.as_ref().unwrap().window_ends, d(2026, 3, 16));
    assert_eq!(
        w.step(
            &amended,
            decide_on(d(2026, 3, 16), susp(12, RestoreMode::AfterTest))
        ),
        Err(CaseError::DefenceWindowOpen {
            ends: d(2026, 3, 16)
        })
    );
    assert!(
        w.step(
            &amended,
            decide_on(d(2026, 3, 17), susp(12, RestoreMode::AfterTest))
        )
        .is_ok()
    );
    // An amended notice cannot predate the one it replaces.
    assert!(matches!(
        w.step(
            &amended,
            CaseEvent::ServeNotice {
                served_on: d(2026, 3, 5),
                facts: "x".into(),
                evidence: vec!["e".into()],
                legal_basis: vec!["b".into()],
                proposed: six_months(),
            }
        ),
        Err(CaseError::TooEarly {
            field: "served_on",
            ..
        })
    ));
}

#[test]
fn no_sanction_closes_and_a_second_decision_is_refused() {
    let w = World::new();
    let served = w.run(opened(true), vec![serve(six_months())]);
    let closed = w
        .step(
            &served,
            CaseEvent::Decide {
                decided_on: d(2026, 3, 10),
                outcome: Outcome::NoSanction,
                found: vec![],
                reasons: "证据不足以认定".into(),
                effective_on: d(2026, 3, 10),
            },
        )
        .unwrap();
    assert_eq!(closed.stage, Stage::Closed);
    assert_eq!(closed.closed_on, Some(d(2026, 3, 10)));
    assert_eq!(closed.standing_sanction(), None);
    assert_eq!(
        w.step(&closed, decide_on(d(2026, 3, 11), six_months())),
        Err(CaseError::NotAllowed {
            stage: Stage::Closed,
            event: EventKind::Decide
        })
    );
    assert_eq!(
        w.step(
            &closed,
            CaseEvent::FileReview {
                kind: ReviewKind::Appeal,
                reference: "A".into(),
                filed_on: d(2026, 3, 12),
                body: "法院".into()
            }
        ),
        Err(CaseError::NothingToReview)
    );
    let parties = LetterParties {
        expert_name: "张三".into(),
        employer_name: "单位".into(),
        authority: "局".into(),
        issued_on: d(2026, 3, 12),
    };
    assert_eq!(
        employer_letter(&closed, &parties, DEFAULT_LETTER_TEMPLATE),
        Err(LetterError::NoSanction)
    );
}

#[test]
fn effect_publication_letter_and_closing() {
    let w = World::new();
    let mut events = hold();
    events.insert(0, serve(six_months()));
    events.push(decide_on(d(2026, 3, 17), six_months()));
    let decided = w.run(opened(true), events.clone());
    assert_eq!(
        w.step(&decided, CaseEvent::TakeEffect { on: d(2026, 3, 17) }),
        Err(CaseError::NotEffectiveYet {
            effective_on: d(2026, 3, 18)
        })
    );
    let effective = w.run(
        decided.clone(),
        vec![CaseEvent::TakeEffect { on: d(2026, 3, 18) }],
    );
    assert_eq!(effective.took_effect_on, Some(d(2026, 3, 18)));
    let published = w.run(
        effective,
        vec![CaseEvent::PublishNotice {
            on: d(2026, 3, 19),
            reference: "n/7".into(),
        }],
    );
    assert_eq!(
        w.step(&published, CaseEvent::Close { on: d(2026, 3, 21) }),
        Err(CaseError::EmployerLetterMissing)
    );
    let delivered = w.run(published, vec![letter_delivered()]);
    assert_eq!(
        w.step(&delivered, letter_delivered()),
        Err(CaseError::LetterAlreadyDelivered)
    );
    assert!(matches!(
        w.step(&delivered, CaseEvent::Close { on: d(2026, 3, 18) }),
        Err(CaseError::TooEarly { field: "on", .. })
    ));
    assert_eq!(
        w.step(&delivered, CaseEvent::Close { on: d(2026, 3, 21) })
            .unwrap()
            .stage,
        Stage::Closed
    );

    // Not a civil servant: no letter, and closing needs none.
    let plain = w.run(
        opened(false),
        [
            events,
            vec![
                CaseEvent::TakeEffect { on: d(2026, 3, 18) },
                CaseEvent::PublishNotice {
                    on: d(2026, 3, 19),
                    reference: "n/8".into(),
                },
            ],
        ]
        .concat(),
    );
    assert_eq!(
        w.step(&plain, letter_delivered()),
        Err(CaseError::NotCivilServant)
    );
    let parties = LetterParties {
        expert_name: "李四".into(),
        employer_name: "某公司".into(),
        authority: "某局".into(),
        issued_on: d(2026, 3, 19),
    };
    assert_eq!(
        employer_letter(&plain, &parties, DEFAULT_LETTER_TEMPLATE),
        Err(LetterError::NotCivilServant)
    );
    assert_eq!(
        w.step(&plain, CaseEvent::Close { on: d(2026, 3, 20) })
            .unwrap()
            .stage,
        Stage::Closed
    );
}

#[test]
fn reviews() {
    let w = World::new();
    let closed = samples(&w).swap_remove(5);
    assert_eq!(closed.stage, Stage::Closed);
    let file = |reference: &str, kind| CaseEvent::FileReview {
        kind,
        reference: reference.into(),
        filed_on: d(2026, 3, 25),
        body: "复议机关".into(),
    };
    assert_eq!(
        w.step(&closed, file("R-0", ReviewKind::Appeal)),
        Err(CaseError::DuplicateReview {
            reference: "R-0".into()
        })
    );
    assert!(matches!(
        w.step(
            &closed,
            CaseEvent::FileReview {
                kind: ReviewKind::Appeal,
                reference: "R-9".into(),
                filed_on: d(2026, 3, 1),
                body: "法院".into()
            }
        ),
        Err(CaseError::TooEarly {
            field: "filed_on",
            ..
        })
    ));
    let resolve = |reference: &str, outcome| CaseEvent::ResolveReview {
        reference: reference.into(),
        on: d(2026, 5, 1),
        outcome,
    };
    assert_eq!(
        w.step(&closed, resolve("R-9", ReviewOutcome::Upheld)),
        Err(CaseError::UnknownReview {
            reference: "R-9".into()
        })
    );
    // A reconsideration varies within the baseline only.
    let outside = susp(3, RestoreMode::Automatic);
    assert!(matches!(
        w.step(
            &closed,
            resolve("R-0", ReviewOutcome::Varied { sanction: outside })
        ),
        Err(CaseError::Baseline(BaselineError::OutsideRange { .. }))
    ));
    let milder = susp(6, RestoreMode::OnApplication);
    let varied = w.run(
        closed.clone(),
        vec![resolve("R-0", ReviewOutcome::Varied { sanction: milder })],
    );
    assert_eq!(varied.standing_sanction(), Some(milder));
    assert_eq!(varied.decided_sanction(), Some(six_months()));
    assert_eq!(
        w.step(&varied, resolve("R-0", ReviewOutcome::Upheld)),
        Err(CaseError::ReviewResolved {
            reference: "R-0".into()
        })
    );
    // A court's judgment is recorded as given, then revokes.
    let appealed = w.run(
        varied,
        vec![
            file("A-1", ReviewKind::Appeal),
            CaseEvent::ResolveReview {
                reference: "A-1".into(),
                on: d(2026, 9, 1),
                outcome: ReviewOutcome::Varied { sanction: outside },
            },
        ],
    );
    assert_eq!(appealed.standing_sanction(), Some(outside));
    let revoked = w.run(closed, vec![resolve("R-0", ReviewOutcome::Revoked)]);
    assert_eq!(revoked.standing_sanction(), None);
    assert_eq!(revoked.stage, Stage::Closed);
}

#[test]
fn codes_and_serde() {
    for s in Stage::ALL {
        assert_eq!(Stage::parse(s.as_str()), Some(s));
        assert_eq!(
            serde_json::to_value(s).unwrap(),
            serde_json::json!(s.as_str())
        );
    }
    for (k, e) in EventKind::ALL.into_iter().zip(events()) {
        assert_eq!(EventKind::parse(k.as_str()), Some(k));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["event"], k.as_str());
        assert_eq!(serde_json::from_value::<CaseEvent>(json).unwrap(), e);
    }
    assert_eq!(
        serde_json::to_value(ReviewOutcome::Revoked).unwrap(),
        serde_json::json!({"kind": "revoked"})
    );
    assert_eq!(ReviewOutcome::Upheld.as_str(), "upheld");
    for k in HearingKind::ALL {
        assert_eq!(HearingKind::parse(k.as_str()), Some(k));
        assert_eq!(
            serde_json::to_value(k).unwrap(),
            serde_json::json!(k.as_str())
        );
    }
    for k in ReviewKind::ALL {
        assert_eq!(ReviewKind::parse(k.as_str()), Some(k));
        assert_eq!(
            serde_json::to_value(k).unwrap(),
            serde_json::json!(k.as_str())
        );
    }
    assert_eq!(ReviewKind::Reconsideration.name_zh(), "行政复议");
    let err = CaseError::NotAllowed {
        stage: Stage::Closed,
        event: EventKind::Decide,
    };
    assert_eq!(
        err.to_string(),
        "案件处于“已结案”阶段，不能“作出决定” / decide is not allowed in stage closed"
    );
}

#[test]
fn due_process_settings() {
    let due = DueProcess::default();
    assert!(due.validate().is_empty());
    assert!(!due.hearing_required(&Measure::Warning));
    assert!(!due.hearing_required(&susp(3, RestoreMode::AfterTest).measure));
    assert!(due.hearing_required(&six_months().measure));
    assert!(due.hearing_required(&Measure::Removal { ban_years: Some(1) }));
    let text = toml::to_string(&due).unwrap();
    assert_eq!(toml::from_str::<DueProcess>(&text).unwrap(), due);
    let bad = DueProcess {
        defence_working_days: 0,
        hearing_min_suspension_months: 0,
        hearing_for_removal: false,
        employer_letter_template: "{who}".into(),
    };
    let got: Vec<(String, crate::expert::Rule)> = bad
        .validate()
        .into_iter()
        .map(|e| (e.field, e.rule))
        .collect();
    assert_eq!(
        got,
        [
            (
                "defence_working_days".to_owned(),
                crate::expert::Rule::OutOfRange
            ),
            (
                "hearing_min_suspension_months".to_owned(),
                crate::expert::Rule::OutOfRange
            ),
            (
                "employer_letter_template".to_owned(),
                crate::expert::Rule::UnknownItem
            ),
        ]
    );
    assert!(!bad.hearing_required(&Measure::Removal { ban_years: None }));
}

proptest! {
    /// Random event sequences never panic, and every case they reach keeps
    /// the invariants: a notice from `notice_served` on, a sanction within
    /// the baseline once decided (unless a court varied it), no decision
    /// inside an unwaived window, and nothing after withdrawal.
    #[test]
    fn random_sequences_keep_the_invariants(
        picks in proptest::collection::vec((0usize..14, 0i64..40), 1..25),
    ) {
        let w = World::new();
        let templates = events();
        let mut case = opened(true);
        for (i, shift) in picks {
            let mut e = templates[i].clone();
            shift_dates(&mut e, shift - 10);
            let today = d(2026, 3, 2) + chrono::Duration::days(60);
            match apply(&case, &e, &w.ctx(today)) {
                Ok(next) => {
                    prop_assert_ne!(case.stage, Stage::Withdrawn);
                    case = next;
                }
                Err(_) => continue,
            }
            if case.stage != Stage::Opened && case.stage != Stage::Withdrawn {
                prop_assert!(case.notice.is_some());
            }
            if let Some(dec) = &case.decision {
                let notice = case.notice.as_ref().unwrap();
                prop_assert!(dec.decided_on > notice.window_ends || notice.defence_waived.is_some());
                if let Outcome::Sanction { sanction } = &dec.outcome {
                    prop_assert_eq!(w.baseline.check(&dec.found, sanction), Ok(()));
                    prop_assert!(!sanction.exceeds(&notice.proposed));
                }
            }
            if matches!(case.stage, Stage::Decided | Stage::Effective | Stage::Published) {
                prop_assert!(case.decided_sanction().is_some());
            }
        }
    }
}

fn shift_dates(e: &mut CaseEvent, days: i64) {
    let s = |date: &mut NaiveDate| *date += chrono::Duration::days(days);
    match e {
        CaseEvent::ServeNotice { served_on, .. } => s(served_on),
        CaseEvent::ReceiveStatement { received_on, .. } => s(received_on),
        CaseEvent::WaiveDefence { on, .. }
        | CaseEvent::RequestHearing { on }
        | CaseEvent::HoldHearing { on, .. }
        | CaseEvent::WaiveHearing { on, .. }
        | CaseEvent::TakeEffect { on }
        | CaseEvent::PublishNotice { on, .. }
        | CaseEvent::DeliverEmployerLetter { on, .. }
        | CaseEvent::Close { on }
        | CaseEvent::Withdraw { on, .. }
        | CaseEvent::ResolveReview { on, .. } => s(on),
        CaseEvent::Decide {
            decided_on,
            effective_on,
            ..
        } => {
            s(decided_on);
            s(effective_on);
        }
        CaseEvent::FileReview { filed_on, .. } => s(filed_on),
    }
}

#[test]
fn a_calendar_without_working_days_is_an_error() {
    let mut w = World::new();
    w.calendar = WorkCalendar {
        holidays: d(2026, 3, 1).iter_days().take(4000).collect(),
        adjusted_workdays: Default::default(),
    };
    assert_eq!(
        w.step(&opened(false), serve(six_months())),
        Err(CaseError::CalendarExhausted)
    );
}

#[test]
fn from_a_points_proposal_to_a_decision() {
    use crate::discipline::points::{ViolationRecord, points_proposal};
    let w = World::new();
    let records: Vec<ViolationRecord> = [
        ("ignore_evaluation_criteria", d(2026, 1, 10)),
        ("leave_early", d(2026, 2, 3)),
        ("phone_in_room", d(2026, 2, 20)),
    ]
    .iter()
    .enumerate()
    .map(|(i, (code, on))| ViolationRecord::new(&w.baseline, code, *on, format!("r{i}")).unwrap())
    .collect();
    let proposal = points_proposal("E7", &records, &w.baseline, d(2026, 3, 1)).unwrap();
    let req = OpenCase::from_proposal(&proposal, "C-9", false, d(2026, 3, 2));
    assert_eq!(
        req.origin,
        CaseOrigin::Proposal {
            key: "points:12:r2".into()
        }
    );
    let case = Case::open(req, &w.baseline, d(2026, 3, 2)).unwrap();
    assert_eq!(case.grounds, [Ground::PointsThreshold { points: 12 }]);
    let served = w.run(case, vec![serve(proposal.proposed)]);
    assert_eq!(served.notice.as_ref().unwrap().hearing, Hearing::Offered);
    let decide = |sanction| CaseEvent::Decide {
        decided_on: d(2026, 3, 10),
        outcome: Outcome::Sanction { sanction },
        found: vec![Ground::PointsThreshold { points: 12 }],
        reasons: "记分达到12分".into(),
        effective_on: d(2026, 3, 10),
    };
    // The threshold's range allows no warning and nothing beyond 12 months.
    let r = w.step(&served, decide(Sanction::new(Measure::Warning)));
    assert!(
        matches!(&r, Err(e) if e.code() == "outside_baseline" && e.field() == Some("outcome")),
        "{r:?}"
    );
    assert_eq!(
        w.step(&served, decide(susp(3, RestoreMode::Automatic)))
            .unwrap()
            .stage,
        Stage::Decided
    );
}

#[test]
fn error_codes_are_distinct() {
    let errors = [
        CaseError::NotAllowed {
            stage: Stage::Opened,
            event: EventKind::Close,
        },
        CaseError::Blank { field: "facts" },
        CaseError::NoEvidence,
        CaseError::NoLegalBasis,
        CaseError::FutureDate {
            field: "on",
            on: d(2026, 1, 2),
            today: d(2026, 1, 1),
        },
        CaseError::TooEarly {
            field: "on",
            on: d(2026, 1, 1),
            earliest: d(2026, 1, 2),
        },
        CaseError::Baseline(BaselineError::NoGrounds),
        CaseError::ExceedsNotice {
            decided: "a".into(),
            notified: "b".into(),
        },
        CaseError::GroundNotInCase { rule: "x".into() },
        CaseError::DefenceWindowOpen {
            ends: d(2026, 1, 1),
        },
        CaseError::WindowClosed {
            ends: d(2026, 1, 1),
        },
        CaseError::DefenceWaived,
        CaseError::Hearing {
            status: HearingKind::Held,
        },
        CaseError::HearingPending,
        CaseError::NotCivilServant,
        CaseError::LetterAlreadyDelivered,
        CaseError::EmployerLetterMissing,
        CaseError::NotEffectiveYet {
            effective_on: d(2026, 1, 1),
        },
        CaseError::NothingToReview,
        CaseError::DuplicateReview {
            reference: "r".into(),
        },
        CaseError::UnknownReview {
            reference: "r".into(),
        },
        CaseError::ReviewResolved {
            reference: "r".into(),
        },
        CaseError::CalendarExhausted,
    ];
    let mut codes: Vec<&str> = errors.iter().map(CaseError::code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len());
    for e in &errors {
        let text = e.to_string();
        let (zh, en) = text
            .split_once(" / ")
            .unwrap_or_else(|| panic!("not bilingual: {text}"));
        assert!(!zh.is_empty() && !en.is_empty(), "{text}");
    }
    assert_eq!(CaseError::Blank { field: "facts" }.field(), Some("facts"));
    assert_eq!(CaseError::HearingPending.field(), None);
}
