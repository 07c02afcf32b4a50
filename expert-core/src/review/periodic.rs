//! The review itself: one pass over the pool on a given date, every status
//! change computed through `lifecycle::transition` so the rules live there.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::admission::AdmissionPolicy;
use crate::expert::{age_on, date_reaching_age};
use crate::lifecycle::{Command, ReinstateVia, RestoreMode, RetireReason, Status, transition};

/// What the review needs to know about one expert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSubject {
    pub expert_id: String,
    pub birth_date: NaiveDate,
    pub status: Status,
    pub declines_last_12_months: u32,
}

/// Kinds in the order they appear for one expert in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewActionKind {
    /// Reached the retirement age: becomes `Retired { AgeLimit }`.
    RetireAtAgeLimit,
    /// An automatic suspension's `until` has come: becomes `Active`.
    LiftSuspension,
    /// The leave's last day has passed: becomes `Active`.
    EndLeave,
    /// The term has ended: a flag for re-review, no status change. The
    /// officer then issues `Renew` after a passed re-review, or `Retire`
    /// with `TermNotRenewed`.
    TermExpired,
    /// Declined more invitations in 12 months than the policy allows: a flag
    /// for the assessment (考核), no status change.
    ExcessiveDeclines,
    /// The points in the cycle reached a threshold of the baseline: a new
    /// sanction proposal (`discipline::points_proposal`), never a sanction;
    /// a regulator may open a case from it.
    PointsThreshold,
}

impl ReviewActionKind {
    pub const ALL: [ReviewActionKind; 6] = [
        ReviewActionKind::RetireAtAgeLimit,
        ReviewActionKind::LiftSuspension,
        ReviewActionKind::EndLeave,
        ReviewActionKind::TermExpired,
        ReviewActionKind::ExcessiveDeclines,
        ReviewActionKind::PointsThreshold,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewActionKind::RetireAtAgeLimit => "retire_at_age_limit",
            ReviewActionKind::LiftSuspension => "lift_suspension",
            ReviewActionKind::EndLeave => "end_leave",
            ReviewActionKind::TermExpired => "term_expired",
            ReviewActionKind::ExcessiveDeclines => "excessive_declines",
            ReviewActionKind::PointsThreshold => "points_threshold",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ReviewActionKind::RetireAtAgeLimit => "到龄退出",
            ReviewActionKind::LiftSuspension => "暂停期满恢复",
            ReviewActionKind::EndLeave => "请假期满恢复",
            ReviewActionKind::TermExpired => "聘期届满待复审",
            ReviewActionKind::ExcessiveDeclines => "拒绝抽取次数过多",
            ReviewActionKind::PointsThreshold => "记分达到阈值，建议立案",
        }
    }
}

/// One proposed action. `new_status` is the status to store when the action
/// is applied; `None` for flags that need a person's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewAction {
    pub expert_id: String,
    pub kind: ReviewActionKind,
    pub new_status: Option<Status>,
    pub detail_zh: String,
    pub detail_en: String,
}

/// A subject the review could not act on; the data needs a look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewProblem {
    pub expert_id: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewReport {
    pub as_of: NaiveDate,
    /// Sorted by expert id, then kind.
    pub actions: Vec<ReviewAction>,
    /// Every kind, with 0 where nothing happened.
    pub counts: BTreeMap<ReviewActionKind, usize>,
    /// Sorted by expert id.
    pub problems: Vec<ReviewProblem>,
    /// Sanction proposals from discipline (a low credit score), by expert
    /// id; `periodic_review` leaves it empty for the caller to fill.
    #[serde(default)]
    pub proposals: Vec<crate::discipline::SanctionProposal>,
}

/// Reviews `subjects` on `as_of`. The result does not depend on the order of
/// `subjects`. Only pool members (active, on leave, suspended) are reviewed.
/// An expert retired for age gets no other action. Subjects sharing an
/// expert id are all skipped and reported as problems, since it is unclear
/// which record is right.
pub fn periodic_review(
    subjects: &[ReviewSubject],
    policy: &AdmissionPolicy,
    as_of: NaiveDate,
) -> ReviewReport {
    let mut occurrences: HashMap<&str, usize> = HashMap::new();
    for s in subjects {
        *occurrences.entry(s.expert_id.as_str()).or_default() += 1;
    }

    let mut actions = Vec::new();
    let mut problems = Vec::new();
    for subject in subjects {
        let count = occurrences
            .get(subject.expert_id.as_str())
            .copied()
            .unwrap_or(0);
        if count > 1 {
            problems.push(ReviewProblem {
                expert_id: subject.expert_id.clone(),
                message_zh: format!("专家编号重复出现{count}次，未处理"),
                message_en: format!("expert id appears {count} times; skipped"),
            });
            continue;
        }
        if let Err(problem) = review_one(subject, policy, as_of, &mut actions) {
            problems.push(problem);
        }
    }

    actions.sort_by(|a, b| (&a.expert_id, a.kind).cmp(&(&b.expert_id, b.kind)));
    problems.sort_by(|a, b| a.expert_id.cmp(&b.expert_id));
    problems.dedup();
    let mut counts: BTreeMap<ReviewActionKind, usize> =
        ReviewActionKind::ALL.into_iter().map(|k| (k, 0)).collect();
    for a in &actions {
        *counts.entry(a.kind).or_default() += 1;
    }
    ReviewReport {
        as_of,
        actions,
        counts,
        problems,
        proposals: Vec::new(),
    }
}

impl ReviewReport {
    /// Adds a `points_threshold` action per points proposal (from
    /// `discipline::points_proposal`), in the report's order, counts them
    /// and lists them in `proposals` beside the low-credit ones. A
    /// proposal changes no status.
    pub fn add_proposals(&mut self, proposals: &[crate::discipline::SanctionProposal]) {
        self.proposals.extend(proposals.iter().cloned());
        self.proposals
            .sort_by(|a, b| (&a.expert_id, &a.key).cmp(&(&b.expert_id, &b.key)));
        for p in proposals {
            self.actions.push(ReviewAction {
                expert_id: p.expert_id.clone(),
                kind: ReviewActionKind::PointsThreshold,
                new_status: None,
                detail_zh: p.detail_zh.clone(),
                detail_en: p.detail_en.clone(),
            });
            *self
                .counts
                .entry(ReviewActionKind::PointsThreshold)
                .or_default() += 1;
        }
        self.actions
            .sort_by(|a, b| (&a.expert_id, a.kind).cmp(&(&b.expert_id, b.kind)));
    }
}

fn review_one(
    subject: &ReviewSubject,
    policy: &AdmissionPolicy,
    as_of: NaiveDate,
    actions: &mut Vec<ReviewAction>,
) -> Result<(), ReviewProblem> {
    if !subject.status.is_in_pool() {
        return Ok(());
    }
    let id = &subject.expert_id;
    let apply = |command: Command| {
        transition(&subject.status, &command, as_of).map_err(|e| ReviewProblem {
            expert_id: id.clone(),
            message_zh: format!("状态变更失败：{e}"),
            message_en: format!("status change failed: {e}"),
        })
    };

    let limit = policy.retirement_age;
    if age_on(subject.birth_date, as_of) >= limit {
        let reached = date_reaching_age(subject.birth_date, limit)
            .map_or_else(String::new, |d| d.to_string());
        let new_status = apply(Command::Retire {
            on: as_of,
            reason: RetireReason::AgeLimit,
        })?;
        actions.push(ReviewAction {
            expert_id: id.clone(),
            kind: ReviewActionKind::RetireAtAgeLimit,
            new_status: Some(new_status),
            detail_zh: format!("{reached}年满{limit}周岁"),
            detail_en: format!("reached {limit} on {reached}"),
        });
        return Ok(());
    }

    let mut status = subject.status.clone();
    match &subject.status {
        Status::Suspended {
            until: Some(until),
            restore: RestoreMode::Automatic,
            ..
        } if *until <= as_of => {
            status = apply(Command::Reinstate {
                via: ReinstateVia::Automatic { on: *until },
            })?;
            actions.push(ReviewAction {
                expert_id: id.clone(),
                kind: ReviewActionKind::LiftSuspension,
                new_status: Some(status.clone()),
                detail_zh: format!("暂停期至{until}届满，自动恢复"),
                detail_en: format!("suspension ended on {until}; restored automatically"),
            });
        }
        Status::OnLeave { to, .. } if *to < as_of => {
            status = apply(Command::EndLeave)?;
            actions.push(ReviewAction {
                expert_id: id.clone(),
                kind: ReviewActionKind::EndLeave,
                new_status: Some(status.clone()),
                detail_zh: format!("请假至{to}结束"),
                detail_en: format!("leave ended after {to}"),
            });
        }
        _ => {}
    }

    if let Some(term) = status.term().filter(|t| t.has_expired_on(as_of)) {
        actions.push(ReviewAction {
            expert_id: id.clone(),
            kind: ReviewActionKind::TermExpired,
            new_status: None,
            detail_zh: format!("第{}聘期于{}届满，须复审续聘或退出", term.number, term.end),
            detail_en: format!(
                "term {} ended on {}; re-review for renewal or retire",
                term.number, term.end
            ),
        });
    }

    let max = policy.max_declines_per_12_months;
    let declines = subject.declines_last_12_months;
    if declines > max {
        actions.push(ReviewAction {
            expert_id: id.clone(),
            kind: ReviewActionKind::ExcessiveDeclines,
            new_status: None,
            detail_zh: format!("近12个月拒绝抽取{declines}次，上限{max}次"),
            detail_en: format!("declined {declines} times in 12 months; limit {max}"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
