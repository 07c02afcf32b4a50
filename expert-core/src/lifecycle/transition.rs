//! The one place that decides which command applies in which status and what
//! the new status is; every other module (review, API) goes through it.

use chrono::NaiveDate;

use super::{
    Command, CommandKind, ReinstateVia, RestoreMode, RetireReason, Status, StatusKind, Term,
};

/// Why a command does not apply. Nothing is ever silently ignored: an illegal
/// pair of status and command is [`TransitionError::NotAllowed`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error(
        "状态“{}”下不能执行“{}” / command {command} is not allowed in status {from}",
        from.name_zh(),
        command.name_zh()
    )]
    NotAllowed {
        from: StatusKind,
        command: CommandKind,
    },
    #[error("“{}”须填写原因 / {command} needs a non-blank reason", command.name_zh())]
    BlankReason { command: CommandKind },
    #[error("恢复须提供非空的凭证编号 / reinstatement needs a non-blank reference")]
    BlankReference,
    #[error(
        "聘期无效（期数须从1开始，结束须晚于开始） / invalid term: number must be at least 1 and end after start"
    )]
    InvalidTerm,
    #[error("续聘期数应为{expected}，实际为{got} / renewal must be term {expected}, got {got}")]
    RenewalNumber { expected: u32, got: u32 },
    #[error(
        "续聘开始日期{got}早于当前聘期开始{current_start} / renewal starts {got}, before the current term's start {current_start}"
    )]
    RenewalStart {
        got: NaiveDate,
        current_start: NaiveDate,
    },
    #[error("请假结束日期{to}早于开始日期{from} / leave ends {to}, before it starts {from}")]
    LeaveEndsBeforeStart { from: NaiveDate, to: NaiveDate },
    #[error(
        "暂停截止日期{until}须晚于开始日期{from} / suspension must end after it starts: {from} to {until}"
    )]
    SuspensionEndsBeforeStart { from: NaiveDate, until: NaiveDate },
    #[error("自动恢复的暂停须有截止日期 / an automatically restored suspension needs an end date")]
    AutomaticWithoutEnd,
    #[error(
        "恢复方式不符：须为“{}”，实际为“{}” / reinstatement must be via {}, got {}",
        expected.as_str(), got.as_str(), expected.as_str(), got.as_str()
    )]
    RestoreModeMismatch {
        expected: RestoreMode,
        got: RestoreMode,
    },
    #[error(
        "暂停期至{until}，今天{today}尚未届满 / the suspension lasts until {until}; today is {today}"
    )]
    SuspensionNotOver { until: NaiveDate, today: NaiveDate },
    #[error(
        "自动恢复日期{on}须在{until}与今天{today}之间 / automatic reinstatement date {on} must be between {until} and today {today}"
    )]
    ReinstateDate {
        on: NaiveDate,
        until: NaiveDate,
        today: NaiveDate,
    },
    #[error("“{}”的日期{on}晚于今天{today} / {command} dated {on}, after today {today}", command.name_zh())]
    FutureDate {
        command: CommandKind,
        on: NaiveDate,
        today: NaiveDate,
    },
    #[error(
        "禁入截止日期{ban_until}须晚于清除日期{on} / ban must end after the removal: {on} to {ban_until}"
    )]
    BanEndsBeforeRemoval { on: NaiveDate, ban_until: NaiveDate },
}

/// The status after applying `cmd` to `current` on `today`.
///
/// Legal pairs:
/// applicant: approve, reject, remove · rejected: reapply, remove ·
/// active: grant_leave, suspend, renew, retire, remove ·
/// on_leave: end_leave, suspend, renew, retire, remove ·
/// suspended: reinstate, retire, remove · retired: remove · removed: none.
pub fn transition(
    current: &Status,
    cmd: &Command,
    today: NaiveDate,
) -> Result<Status, TransitionError> {
    let not_allowed = || TransitionError::NotAllowed {
        from: current.kind(),
        command: cmd.kind(),
    };
    match (current, cmd) {
        (Status::Removed { .. }, _) => Err(not_allowed()),

        (
            _,
            Command::Remove {
                on,
                reason,
                ban_until,
            },
        ) => {
            not_after_today(CommandKind::Remove, *on, today)?;
            non_blank(CommandKind::Remove, reason)?;
            if let Some(ban_until) = ban_until.filter(|b| b <= on) {
                return Err(TransitionError::BanEndsBeforeRemoval { on: *on, ban_until });
            }
            Ok(Status::Removed {
                on: *on,
                reason: reason.clone(),
                ban_until: *ban_until,
            })
        }

        (Status::Applicant, Command::Approve { term }) => {
            valid_term(term)?;
            Ok(Status::Active { term: *term })
        }
        (Status::Applicant, Command::Reject { reasons }) => {
            if reasons.is_empty() || reasons.iter().any(|r| r.trim().is_empty()) {
                return Err(TransitionError::BlankReason {
                    command: CommandKind::Reject,
                });
            }
            Ok(Status::Rejected {
                reasons: reasons.clone(),
            })
        }
        (Status::Rejected { .. }, Command::Reapply) => Ok(Status::Applicant),

        (Status::Active { term }, Command::GrantLeave { from, to, reason }) => {
            if to < from {
                return Err(TransitionError::LeaveEndsBeforeStart {
                    from: *from,
                    to: *to,
                });
            }
            non_blank(CommandKind::GrantLeave, reason)?;
            Ok(Status::OnLeave {
                term: *term,
                from: *from,
                to: *to,
                reason: reason.clone(),
            })
        }
        (Status::OnLeave { term, .. }, Command::EndLeave) => Ok(Status::Active { term: *term }),

        (
            Status::Active { term } | Status::OnLeave { term, .. },
            Command::Suspend {
                from,
                until,
                restore,
                reason,
            },
        ) => {
            not_after_today(CommandKind::Suspend, *from, today)?;
            non_blank(CommandKind::Suspend, reason)?;
            if let Some(until) = until.filter(|u| u <= from) {
                return Err(TransitionError::SuspensionEndsBeforeStart { from: *from, until });
            }
            if *restore == RestoreMode::Automatic && until.is_none() {
                return Err(TransitionError::AutomaticWithoutEnd);
            }
            Ok(Status::Suspended {
                term: *term,
                from: *from,
                until: *until,
                restore: *restore,
                reason: reason.clone(),
            })
        }

        (
            Status::Suspended {
                term,
                until,
                restore,
                ..
            },
            Command::Reinstate { via },
        ) => {
            if via.mode() != *restore {
                return Err(TransitionError::RestoreModeMismatch {
                    expected: *restore,
                    got: via.mode(),
                });
            }
            if let Some(until) = until.filter(|&u| today < u) {
                return Err(TransitionError::SuspensionNotOver { until, today });
            }
            match via {
                ReinstateVia::Automatic { on } => {
                    let until = until.ok_or(TransitionError::AutomaticWithoutEnd)?;
                    if *on < until || *on > today {
                        return Err(TransitionError::ReinstateDate {
                            on: *on,
                            until,
                            today,
                        });
                    }
                }
                ReinstateVia::Application { reference }
                | ReinstateVia::TestPassed { reference } => {
                    if reference.trim().is_empty() {
                        return Err(TransitionError::BlankReference);
                    }
                }
            }
            Ok(Status::Active { term: *term })
        }

        (Status::Active { term: current_term }, Command::Renew { term }) => {
            renewed(current_term, term)?;
            Ok(Status::Active { term: *term })
        }
        (
            Status::OnLeave {
                term: current_term,
                from,
                to,
                reason,
            },
            Command::Renew { term },
        ) => {
            renewed(current_term, term)?;
            Ok(Status::OnLeave {
                term: *term,
                from: *from,
                to: *to,
                reason: reason.clone(),
            })
        }

        (
            Status::Active { .. } | Status::OnLeave { .. } | Status::Suspended { .. },
            Command::Retire { on, reason },
        ) => {
            not_after_today(CommandKind::Retire, *on, today)?;
            if let RetireReason::Other(text) = reason {
                non_blank(CommandKind::Retire, text)?;
            }
            Ok(Status::Retired {
                on: *on,
                reason: reason.clone(),
            })
        }

        _ => Err(not_allowed()),
    }
}

fn non_blank(command: CommandKind, text: &str) -> Result<(), TransitionError> {
    if text.trim().is_empty() {
        return Err(TransitionError::BlankReason { command });
    }
    Ok(())
}

fn not_after_today(
    command: CommandKind,
    on: NaiveDate,
    today: NaiveDate,
) -> Result<(), TransitionError> {
    if on > today {
        return Err(TransitionError::FutureDate { command, on, today });
    }
    Ok(())
}

fn valid_term(term: &Term) -> Result<(), TransitionError> {
    if !term.is_valid() {
        return Err(TransitionError::InvalidTerm);
    }
    Ok(())
}

fn renewed(current: &Term, next: &Term) -> Result<(), TransitionError> {
    valid_term(next)?;
    let expected = current
        .number
        .checked_add(1)
        .ok_or(TransitionError::InvalidTerm)?;
    if next.number != expected {
        return Err(TransitionError::RenewalNumber {
            expected,
            got: next.number,
        });
    }
    if next.start < current.start {
        return Err(TransitionError::RenewalStart {
            got: next.start,
            current_start: current.start,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
