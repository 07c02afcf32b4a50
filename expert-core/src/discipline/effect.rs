//! What a decided sanction does to the expert's status: the lifecycle
//! command it issues from its effective day, what a review that varies or
//! revokes it puts back, and how each restore tier ends a suspension.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::case::Case;
use super::sanction::{Measure, Sanction};
use crate::lifecycle::{Command, ReinstateVia, RestoreMode, Status, TransitionError, transition};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EffectError {
    #[error("案件没有有效的处理决定 / the case has no standing sanction")]
    NoSanction,
    #[error(
        "决定自{effective_on}起生效，今天是{today} / the decision takes effect on {effective_on}; today is {today}"
    )]
    NotYetEffective {
        effective_on: NaiveDate,
        today: NaiveDate,
    },
    #[error("日期超出范围 / date out of range")]
    DateOverflow,
    #[error(
        "专家状态已不是该决定产生的状态，须人工处理 / the expert's status is no longer the one the decision produced; it needs a person"
    )]
    StatusMoved,
    #[error("{0}")]
    Transition(#[from] TransitionError),
}

impl EffectError {
    pub fn code(&self) -> &'static str {
        match self {
            EffectError::NoSanction => "no_sanction",
            EffectError::NotYetEffective { .. } => "not_yet_effective",
            EffectError::DateOverflow => "date_overflow",
            EffectError::StatusMoved => "status_moved",
            EffectError::Transition(_) => "transition",
        }
    }
}

/// The lifecycle command that applies `sanction` from `effective_on`;
/// `None` for a warning, which changes no status. A suspension runs
/// `[effective_on, effective_on + months)` whatever its restore tier (the
/// tier decides how it ends, never before `until`); a ban runs to the same
/// day `ban_years` later, or for good.
pub fn sanction_command(
    sanction: &Sanction,
    effective_on: NaiveDate,
    reason: &str,
) -> Result<Option<Command>, EffectError> {
    Ok(match sanction.measure {
        Measure::Warning => None,
        Measure::Suspension { months, restore } => Some(Command::Suspend {
            from: effective_on,
            until: Some(
                effective_on
                    .checked_add_months(Months::new(months))
                    .ok_or(EffectError::DateOverflow)?,
            ),
            restore,
            reason: reason.to_owned(),
        }),
        Measure::Removal { ban_years } => Some(Command::Remove {
            on: effective_on,
            reason: reason.to_owned(),
            ban_until: match ban_years {
                None => None,
                Some(y) => Some(
                    y.checked_mul(12)
                        .and_then(|m| effective_on.checked_add_months(Months::new(m)))
                        .ok_or(EffectError::DateOverflow)?,
                ),
            },
        }),
    })
}

/// The reason stored on the status: the case number and the sanction.
pub fn status_reason(case: &Case, sanction: &Sanction) -> String {
    format!("{}：{}", case.case_no, sanction.describe_zh())
}

/// The status after `case`'s standing sanction takes effect on `today`
/// (on or after its effective day), through `lifecycle::transition`.
/// `Ok(None)` for a warning. An expert already suspended or removed gets
/// the transition's `NotAllowed`: two sanctions at once need a person.
pub fn take_effect(
    case: &Case,
    status: &Status,
    today: NaiveDate,
) -> Result<Option<Status>, EffectError> {
    let sanction = case.standing_sanction().ok_or(EffectError::NoSanction)?;
    let effective_on = case
        .decision
        .as_ref()
        .ok_or(EffectError::NoSanction)?
        .effective_on;
    if today < effective_on {
        return Err(EffectError::NotYetEffective {
            effective_on,
            today,
        });
    }
    let Some(cmd) = sanction_command(&sanction, effective_on, &status_reason(case, &sanction))?
    else {
        return Ok(None);
    };
    Ok(Some(transition(status, &cmd, today)?))
}

/// After a review varied or revoked `case`'s decision: the status to store,
/// or `None` when nothing changes (upheld, or a warning either way).
///
/// `before` is the status the decision took effect on and `current` the
/// status now. The decision's status is replaced as if it had never
/// applied: revoked, `before` comes back; varied, the new sanction applies
/// to `before` from the same effective day. This is the one path out of
/// `removed`, so it is refused (`StatusMoved`) unless `current` is exactly
/// the status the decision produced.
pub fn after_review(
    case: &Case,
    before: &Status,
    current: &Status,
    today: NaiveDate,
) -> Result<Option<Status>, EffectError> {
    let decided = case.decided_sanction().ok_or(EffectError::NoSanction)?;
    let effective_on = case
        .decision
        .as_ref()
        .ok_or(EffectError::NoSanction)?
        .effective_on;
    let standing = case.standing_sanction();
    if standing == Some(decided) {
        return Ok(None);
    }
    let produced = match sanction_command(&decided, effective_on, &status_reason(case, &decided))? {
        Some(cmd) => transition(before, &cmd, today)?,
        None => before.clone(),
    };
    if *current != produced {
        return Err(EffectError::StatusMoved);
    }
    let next = match standing {
        None => before.clone(),
        Some(s) => match sanction_command(&s, effective_on, &status_reason(case, &s))? {
            Some(cmd) => transition(before, &cmd, today)?,
            None => before.clone(),
        },
    };
    Ok((next != *current).then_some(next))
}

/// Where a suspension stands on `today`, for the officer's screen and the
/// periodic review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RestoreDue {
    NotSuspended,
    /// The suspension runs until this day (exclusive) whatever the tier.
    NotBefore {
        until: NaiveDate,
    },
    /// Lift it now: automatic tier, `until` reached.
    Automatic {
        on: NaiveDate,
    },
    /// Lift it on an approved application.
    NeedsApplication,
    /// Lift it after a passed test.
    NeedsPassedTest,
}

pub fn restore_due(status: &Status, today: NaiveDate) -> RestoreDue {
    let Status::Suspended { until, restore, .. } = status else {
        return RestoreDue::NotSuspended;
    };
    if let Some(until) = until.filter(|u| today < *u) {
        return RestoreDue::NotBefore { until };
    }
    match (restore, until) {
        (RestoreMode::Automatic, Some(until)) => RestoreDue::Automatic { on: *until },
        // An automatic suspension without an end cannot exist (lifecycle
        // refuses it); treat it as needing a person.
        (RestoreMode::Automatic, None) | (RestoreMode::OnApplication, _) => {
            RestoreDue::NeedsApplication
        }
        (RestoreMode::AfterTest, _) => RestoreDue::NeedsPassedTest,
    }
}

/// The evidence an officer has for lifting a suspension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum RestoreEvidence {
    /// Nothing: only the automatic tier can be lifted.
    None,
    Application {
        reference: String,
    },
    PassedTest {
        reference: String,
    },
}

/// The status after lifting a suspension per its tier on `today`: the
/// automatic tier needs no evidence once `until` has come, the others need
/// theirs. The rules themselves are `lifecycle::transition`'s.
pub fn restore(
    status: &Status,
    evidence: &RestoreEvidence,
    today: NaiveDate,
) -> Result<Status, EffectError> {
    let via = match (restore_due(status, today), evidence) {
        (RestoreDue::Automatic { on }, _) => ReinstateVia::Automatic { on },
        (_, RestoreEvidence::Application { reference }) => ReinstateVia::Application {
            reference: reference.clone(),
        },
        (_, RestoreEvidence::PassedTest { reference }) => ReinstateVia::TestPassed {
            reference: reference.clone(),
        },
        // Let the lifecycle name the problem (not suspended, too early,
        // wrong tier).
        (_, RestoreEvidence::None) => ReinstateVia::Automatic { on: today },
    };
    Ok(transition(status, &Command::Reinstate { via }, today)?)
}

/// Whether the case's standing sanction keeps the expert out of a draw on
/// `date`: from the effective day, a suspension until its end (at least)
/// and a removal for good. A draw filter can use it between the decision
/// and the moment the status is updated.
pub fn excludes_on(case: &Case, date: NaiveDate) -> bool {
    let (Some(sanction), Some(decision)) = (case.standing_sanction(), case.decision.as_ref())
    else {
        return false;
    };
    if date < decision.effective_on {
        return false;
    }
    match sanction.measure {
        Measure::Warning => false,
        Measure::Suspension { months, .. } => decision
            .effective_on
            .checked_add_months(Months::new(months))
            .is_none_or(|until| date < until),
        Measure::Removal { .. } => true,
    }
}

#[cfg(test)]
mod tests;
