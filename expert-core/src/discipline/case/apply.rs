//! The one place that decides which event applies in which stage and what
//! the case becomes.

use chrono::NaiveDate;

use super::error::CaseError;
use super::types::{
    Case, CaseDecision, CaseEvent, DueProcess, Hearing, LetterDelivery, Notice, OpenCase, Outcome,
    Publication, Review, ReviewKind, ReviewOutcome, Stage, Statement, Waiver, Withdrawal,
};
use crate::discipline::baseline::{Baseline, Ground};
use crate::discipline::calendar::WorkCalendar;

/// The configuration and date an event is judged against.
#[derive(Debug, Clone, Copy)]
pub struct CaseContext<'a> {
    pub baseline: &'a Baseline,
    pub due_process: &'a DueProcess,
    pub calendar: &'a WorkCalendar,
    pub today: NaiveDate,
}

impl Case {
    /// Opens a case: grounds must exist in the baseline, the date may not
    /// be in the future.
    pub fn open(req: OpenCase, baseline: &Baseline, today: NaiveDate) -> Result<Case, CaseError> {
        non_blank("case_no", &req.case_no)?;
        non_blank("expert_id", &req.expert_id)?;
        non_blank("summary", &req.summary)?;
        not_future("opened_on", req.opened_on, today)?;
        if req.grounds.is_empty() {
            return Err(crate::discipline::baseline::BaselineError::NoGrounds.into());
        }
        for g in &req.grounds {
            baseline.range_for(g)?;
        }
        Ok(Case {
            case_no: req.case_no,
            expert_id: req.expert_id,
            civil_servant: req.civil_servant,
            origin: req.origin,
            grounds: req.grounds,
            opened_on: req.opened_on,
            summary: req.summary,
            stage: Stage::Opened,
            notice: None,
            superseded_notices: Vec::new(),
            decision: None,
            took_effect_on: None,
            published: None,
            employer_letter: None,
            closed_on: None,
            withdrawn: None,
            reviews: Vec::new(),
        })
    }
}

/// The case after `event`, or why the event does not apply.
///
/// Legal events per stage: opened: serve_notice, withdraw ·
/// notice_served: serve_notice (amends), receive_statement, waive_defence,
/// request_hearing, hold_hearing, waive_hearing, decide, withdraw ·
/// decided: take_effect, deliver_employer_letter, file_review,
/// resolve_review · effective: publish_notice, deliver_employer_letter,
/// file_review, resolve_review · published: close,
/// deliver_employer_letter, file_review, resolve_review · closed:
/// file_review, resolve_review · withdrawn: none. A no-sanction decision
/// closes the case at once.
pub fn apply(case: &Case, event: &CaseEvent, ctx: &CaseContext<'_>) -> Result<Case, CaseError> {
    let not_allowed = || CaseError::NotAllowed {
        stage: case.stage,
        event: event.kind(),
    };
    let today = ctx.today;
    let mut next = case.clone();
    match (case.stage, event) {
        (
            Stage::Opened | Stage::NoticeServed,
            CaseEvent::ServeNotice {
                served_on,
                facts,
                evidence,
                legal_basis,
                proposed,
            },
        ) => {
            not_future("served_on", *served_on, today)?;
            let earliest = case.notice.as_ref().map_or(case.opened_on, |n| n.served_on);
            not_before("served_on", *served_on, earliest)?;
            non_blank("facts", facts)?;
            if evidence.is_empty() {
                return Err(CaseError::NoEvidence);
            }
            for e in evidence {
                non_blank("evidence", e)?;
            }
            if legal_basis.is_empty() {
                return Err(CaseError::NoLegalBasis);
            }
            for b in legal_basis {
                non_blank("legal_basis", b)?;
            }
            ctx.baseline.check(&case.grounds, proposed)?;
            let window_ends = ctx
                .calendar
                .add_working_days(*served_on, ctx.due_process.defence_working_days)
                .ok_or(CaseError::CalendarExhausted)?;
            let hearing = if ctx.due_process.hearing_required(&proposed.measure) {
                Hearing::Offered
            } else {
                Hearing::NotRequired
            };
            if let Some(old) = next.notice.take() {
                next.superseded_notices.push(old);
            }
            next.notice = Some(Notice {
                served_on: *served_on,
                facts: facts.clone(),
                evidence: evidence.clone(),
                legal_basis: legal_basis.clone(),
                proposed: *proposed,
                window_ends,
                statements: Vec::new(),
                defence_waived: None,
                hearing,
            });
            next.stage = Stage::NoticeServed;
        }

        (
            Stage::NoticeServed,
            CaseEvent::ReceiveStatement {
                received_on,
                reference,
                summary,
            },
        ) => {
            let notice = next.notice.as_mut().ok_or_else(not_allowed)?;
            not_future("received_on", *received_on, today)?;
            not_before("received_on", *received_on, notice.served_on)?;
            if notice.defence_waived.is_some() {
                return Err(CaseError::DefenceWaived);
            }
            if *received_on > notice.window_ends {
                return Err(CaseError::WindowClosed {
                    ends: notice.window_ends,
                });
            }
            non_blank("reference", reference)?;
            non_blank("summary", summary)?;
            notice.statements.push(Statement {
                received_on: *received_on,
                reference: reference.clone(),
                summary: summary.clone(),
            });
        }

        (Stage::NoticeServed, CaseEvent::WaiveDefence { on, reference }) => {
            let notice = next.notice.as_mut().ok_or_else(not_allowed)?;
            not_future("on", *on, today)?;
            not_before("on", *on, notice.served_on)?;
            if notice.defence_waived.is_some() {
                return Err(CaseError::DefenceWaived);
            }
            non_blank("reference", reference)?;
            notice.defence_waived = Some(Waiver {
                on: *on,
                reference: reference.clone(),
            });
        }

        (Stage::NoticeServed, CaseEvent::RequestHearing { on }) => {
            let notice = next.notice.as_mut().ok_or_else(not_allowed)?;
            not_future("on", *on, today)?;
            not_before("on", *on, notice.served_on)?;
            if notice.hearing != Hearing::Offered {
                return Err(CaseError::Hearing {
                    status: notice.hearing.kind(),
                });
            }
            if *on > notice.window_ends {
                return Err(CaseError::WindowClosed {
                    ends: notice.window_ends,
                });
            }
            notice.hearing = Hearing::Requested { on: *on };
        }

        (Stage::NoticeServed, CaseEvent::HoldHearing { on, record }) => {
            let notice = next.notice.as_mut().ok_or_else(not_allowed)?;
            let Hearing::Requested { on: requested_on } = notice.hearing else {
                return Err(CaseError::Hearing {
                    status: notice.hearing.kind(),
                });
            };
            not_future("on", *on, today)?;
            not_before("on", *on, requested_on)?;
            non_blank("record", record)?;
            notice.hearing = Hearing::Held {
                requested_on,
                on: *on,
                record: record.clone(),
            };
        }

        (Stage::NoticeServed, CaseEvent::WaiveHearing { on, reference }) => {
            let notice = next.notice.as_mut().ok_or_else(not_allowed)?;
            if !matches!(notice.hearing, Hearing::Offered | Hearing::Requested { .. }) {
                return Err(CaseError::Hearing {
                    status: notice.hearing.kind(),
                });
            }
            not_future("on", *on, today)?;
            not_before("on", *on, notice.served_on)?;
            non_blank("reference", reference)?;
            notice.hearing = Hearing::Waived {
                on: *on,
                reference: reference.clone(),
            };
        }

        (
            Stage::NoticeServed,
            CaseEvent::Decide {
                decided_on,
                outcome,
                found,
                reasons,
                effective_on,
            },
        ) => {
            let notice = case.notice.as_ref().ok_or_else(not_allowed)?;
            not_future("decided_on", *decided_on, today)?;
            not_before("decided_on", *decided_on, notice.served_on)?;
            non_blank("reasons", reasons)?;
            if notice.defence_waived.is_none() && *decided_on <= notice.window_ends {
                return Err(CaseError::DefenceWindowOpen {
                    ends: notice.window_ends,
                });
            }
            match &notice.hearing {
                Hearing::Requested { .. } => return Err(CaseError::HearingPending),
                // Offered and not requested: only a waiver of the defence
                // lets the decision come inside the window, and the hearing
                // right must then be given up too.
                Hearing::Offered if *decided_on <= notice.window_ends => {
                    return Err(CaseError::Hearing {
                        status: notice.hearing.kind(),
                    });
                }
                _ => {}
            }
            for g in found {
                if !case.grounds.contains(g) {
                    return Err(CaseError::GroundNotInCase {
                        rule: g.rule_name(),
                    });
                }
            }
            not_before("effective_on", *effective_on, *decided_on)?;
            match outcome {
                Outcome::Sanction { sanction } => {
                    ctx.baseline.check(found, sanction)?;
                    if sanction.exceeds(&notice.proposed) {
                        return Err(CaseError::ExceedsNotice {
                            decided: sanction.measure.code(),
                            notified: notice.proposed.measure.code(),
                        });
                    }
                    next.stage = Stage::Decided;
                }
                Outcome::NoSanction => {
                    next.stage = Stage::Closed;
                    next.closed_on = Some(*decided_on);
                }
            }
            next.decision = Some(CaseDecision {
                decided_on: *decided_on,
                outcome: outcome.clone(),
                found: found.clone(),
                reasons: reasons.clone(),
                effective_on: *effective_on,
            });
        }

        (Stage::Decided, CaseEvent::TakeEffect { on }) => {
            let decision = case.decision.as_ref().ok_or_else(not_allowed)?;
            not_future("on", *on, today)?;
            if *on < decision.effective_on {
                return Err(CaseError::NotEffectiveYet {
                    effective_on: decision.effective_on,
                });
            }
            next.took_effect_on = Some(*on);
            next.stage = Stage::Effective;
        }

        (Stage::Effective, CaseEvent::PublishNotice { on, reference }) => {
            not_future("on", *on, today)?;
            if let Some(effective) = case.took_effect_on {
                not_before("on", *on, effective)?;
            }
            non_blank("reference", reference)?;
            next.published = Some(Publication {
                on: *on,
                reference: reference.clone(),
            });
            next.stage = Stage::Published;
        }

        (
            Stage::Decided | Stage::Effective | Stage::Published,
            CaseEvent::DeliverEmployerLetter {
                on,
                channel,
                reference,
            },
        ) => {
            if !case.civil_servant {
                return Err(CaseError::NotCivilServant);
            }
            if case.employer_letter.is_some() {
                return Err(CaseError::LetterAlreadyDelivered);
            }
            let decision = case.decision.as_ref().ok_or_else(not_allowed)?;
            not_future("on", *on, today)?;
            not_before("on", *on, decision.decided_on)?;
            non_blank("channel", channel)?;
            non_blank("reference", reference)?;
            next.employer_letter = Some(LetterDelivery {
                on: *on,
                channel: channel.clone(),
                reference: reference.clone(),
            });
        }

        (Stage::Published, CaseEvent::Close { on }) => {
            if case.civil_servant && case.employer_letter.is_none() {
                return Err(CaseError::EmployerLetterMissing);
            }
            not_future("on", *on, today)?;
            if let Some(p) = &case.published {
                not_before("on", *on, p.on)?;
            }
            next.closed_on = Some(*on);
            next.stage = Stage::Closed;
        }

        (Stage::Opened | Stage::NoticeServed, CaseEvent::Withdraw { on, reason }) => {
            not_future("on", *on, today)?;
            not_before("on", *on, case.opened_on)?;
            non_blank("reason", reason)?;
            next.withdrawn = Some(Withdrawal {
                on: *on,
                reason: reason.clone(),
            });
            next.stage = Stage::Withdrawn;
        }

        (
            Stage::Decided | Stage::Effective | Stage::Published | Stage::Closed,
            CaseEvent::FileReview {
                kind,
                reference,
                filed_on,
                body,
            },
        ) => {
            let decision = case.decision.as_ref().ok_or_else(not_allowed)?;
            if case.decided_sanction().is_none() {
                return Err(CaseError::NothingToReview);
            }
            non_blank("reference", reference)?;
            non_blank("body", body)?;
            not_future("filed_on", *filed_on, today)?;
            not_before("filed_on", *filed_on, decision.decided_on)?;
            if case.reviews.iter().any(|r| r.reference == *reference) {
                return Err(CaseError::DuplicateReview {
                    reference: reference.clone(),
                });
            }
            next.reviews.push(Review {
                kind: *kind,
                reference: reference.clone(),
                filed_on: *filed_on,
                body: body.clone(),
                outcome: None,
                resolved_on: None,
            });
        }

        (
            Stage::Decided | Stage::Effective | Stage::Published | Stage::Closed,
            CaseEvent::ResolveReview {
                reference,
                on,
                outcome,
            },
        ) => {
            let found = case
                .decision
                .as_ref()
                .map(|d| d.found.clone())
                .unwrap_or_default();
            let review = next
                .reviews
                .iter_mut()
                .find(|r| r.reference == *reference)
                .ok_or_else(|| CaseError::UnknownReview {
                    reference: reference.clone(),
                })?;
            if review.outcome.is_some() {
                return Err(CaseError::ReviewResolved {
                    reference: reference.clone(),
                });
            }
            not_future("on", *on, today)?;
            not_before("on", *on, review.filed_on)?;
            // A reconsideration body applies the same baseline; a court's
            // judgment is recorded as given.
            if let (ReviewKind::Reconsideration, ReviewOutcome::Varied { sanction }) =
                (review.kind, outcome)
            {
                ctx.baseline.check(&found, sanction)?;
            }
            review.outcome = Some(outcome.clone());
            review.resolved_on = Some(*on);
        }

        _ => return Err(not_allowed()),
    }
    Ok(next)
}

/// The legal basis each ground cites in the baseline, deduplicated in order:
/// what a notice's `legal_basis` usually lists.
pub fn legal_basis_for(baseline: &Baseline, grounds: &[Ground]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for g in grounds {
        if let Ok((_, basis)) = baseline.range_for(g)
            && !out.iter().any(|b| b == basis)
        {
            out.push(basis.to_owned());
        }
    }
    out
}

fn non_blank(field: &'static str, text: &str) -> Result<(), CaseError> {
    if text.trim().is_empty() {
        return Err(CaseError::Blank { field });
    }
    Ok(())
}

fn not_future(field: &'static str, on: NaiveDate, today: NaiveDate) -> Result<(), CaseError> {
    if on > today {
        return Err(CaseError::FutureDate { field, on, today });
    }
    Ok(())
}

fn not_before(field: &'static str, on: NaiveDate, earliest: NaiveDate) -> Result<(), CaseError> {
    if on < earliest {
        return Err(CaseError::TooEarly {
            field,
            on,
            earliest,
        });
    }
    Ok(())
}
