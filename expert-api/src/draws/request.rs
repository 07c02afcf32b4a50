//! A draw request: what the operator asks for, checked before any data is
//! read. Every refusal names the field and the rule.

use chrono::{DateTime, Duration, Utc};
use expert_core::identity::CreditCode;
use expert_core::reference::{Regions, SpecialtyTree};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::{CommitteeRules, DrawPolicy};

/// `POST /draws` body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawRequest {
    pub project: ProjectInput,
    pub evaluation: EvaluationInput,
    pub panel: Vec<GroupInput>,
    #[serde(default)]
    pub avoid: AvoidInput,
    /// The tenderer's representatives on the committee (招标人代表).
    pub representatives: u32,
    /// Optional tightening of the centre's policy.
    #[serde(default)]
    pub policy: Option<PolicyInput>,
    /// The earlier draw this one follows (a short draw being redrawn).
    #[serde(default)]
    pub parent: Option<String>,
    /// A supervisor's approval, needed to loosen the policy or to start a
    /// draw while another for the same project and bid section is open.
    #[serde(default)]
    pub approval: Option<ApprovalInput>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    pub id: String,
    /// Sealed: stored, never in the statement or the log.
    pub name: String,
    /// GB/T 2260 code of the project's region.
    pub region: String,
    /// The tenderer's unified social credit code.
    pub tenderer: String,
    pub bid_section: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationInput {
    /// Sign-in time (UTC).
    pub start: DateTime<Utc>,
    /// Report time (UTC).
    pub end: DateTime<Utc>,
    pub venue: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub specialty: String,
    pub count: u32,
    #[serde(default)]
    pub reserve: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AvoidInput {
    /// Credit codes of bidders.
    #[serde(default)]
    pub bidders: Vec<String>,
    /// Credit code of the tendering agency.
    #[serde(default)]
    pub agency: Option<String>,
    #[serde(default)]
    pub experts: Vec<AvoidExpert>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AvoidExpert {
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    pub remote_weight: Option<u32>,
    pub local_max: Option<u32>,
    pub max_per_employer: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalInput {
    /// The approving supervisor's own API token, checked server-side.
    pub supervisor_token: String,
    pub reason: String,
}

/// A refusal naming the field, the rule and the reason (zh-CN and English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestError {
    pub field: String,
    pub rule: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

fn err(field: &str, rule: &'static str, zh: String, en: String) -> RequestError {
    RequestError {
        field: field.to_owned(),
        rule,
        message_zh: zh,
        message_en: en,
    }
}

/// The selection policy a statement carries, and what it loosens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectivePolicy {
    pub remote_weight: u32,
    pub local_max: u32,
    pub max_per_employer: u64,
    /// Fields set looser than the centre's defaults.
    pub loosened: Vec<&'static str>,
}

impl DrawRequest {
    /// Experts on the panel: the sum of the groups' counts.
    pub fn panel_size(&self) -> u64 {
        self.panel.iter().map(|g| u64::from(g.count)).sum()
    }

    /// Shape, codes and the evaluation window; every failure at once.
    pub fn check(&self) -> Vec<RequestError> {
        let mut out = Vec::new();
        let p = &self.project;
        let text = |out: &mut Vec<RequestError>, field: &str, v: &str, max: usize| {
            if v.trim().is_empty() || v.chars().count() > max {
                out.push(err(
                    field,
                    "required",
                    format!("{field} 不能为空且不超过{max}个字符"),
                    format!("{field} must be 1-{max} characters"),
                ));
            }
        };
        text(&mut out, "project/id", &p.id, 64);
        text(&mut out, "project/name", &p.name, 200);
        text(&mut out, "project/bid_section", &p.bid_section, 64);
        text(&mut out, "evaluation/venue", &self.evaluation.venue, 200);
        if !Regions::builtin().is_known(&p.region) {
            out.push(err(
                "project/region",
                "unknown_region",
                "未知的行政区划代码".into(),
                format!("unknown region code {:?}", p.region),
            ));
        }
        let code = |out: &mut Vec<RequestError>, field: &str, v: &str| {
            if CreditCode::parse(v).is_err() {
                out.push(err(
                    field,
                    "credit_code",
                    "统一社会信用代码无效".into(),
                    "not a valid unified social credit code".into(),
                ));
            }
        };
        code(&mut out, "project/tenderer", &p.tenderer);
        for (i, b) in self.avoid.bidders.iter().enumerate() {
            code(&mut out, &format!("avoid/bidders/{i}"), b);
        }
        if let Some(a) = &self.avoid.agency {
            code(&mut out, "avoid/agency", a);
        }
        for (i, e) in self.avoid.experts.iter().enumerate() {
            text(&mut out, &format!("avoid/experts/{i}/id"), &e.id, 32);
            text(
                &mut out,
                &format!("avoid/experts/{i}/reason"),
                &e.reason,
                500,
            );
        }
        if self.evaluation.end <= self.evaluation.start {
            out.push(err(
                "evaluation/end",
                "before_start",
                "评标结束时间须晚于开始时间".into(),
                "the evaluation must end after it starts".into(),
            ));
        }
        if self.panel.is_empty() {
            out.push(err(
                "panel",
                "required",
                "至少需要一个专业组".into(),
                "the panel needs at least one group".into(),
            ));
        }
        for (i, g) in self.panel.iter().enumerate() {
            if !SpecialtyTree::builtin().is_known(&g.specialty) {
                out.push(err(
                    &format!("panel/{i}/specialty"),
                    "unknown_specialty",
                    "未知的专业代码".into(),
                    format!("unknown specialty code {:?}", g.specialty),
                ));
            }
            if !(1..=100).contains(&g.count) {
                out.push(err(
                    &format!("panel/{i}/count"),
                    "range",
                    "每组人数须为1至100".into(),
                    "count must be 1-100".into(),
                ));
            }
            if g.reserve > 100 {
                out.push(err(
                    &format!("panel/{i}/reserve"),
                    "range",
                    "备选人数不能超过100".into(),
                    "reserve must be at most 100".into(),
                ));
            }
        }
        if let Some(a) = &self.approval {
            text(&mut out, "approval/reason", &a.reason, 500);
        }
        out
    }

    /// 招标投标法 art. 37: drawn experts plus the tenderer's representatives
    /// form a committee of at least `min_size`, odd, with experts at least
    /// the configured share.
    pub fn check_committee(&self, rules: &CommitteeRules) -> Result<(), RequestError> {
        let experts = self.panel_size();
        let total = experts + u64::from(self.representatives);
        if total < u64::from(rules.min_size) {
            return Err(err(
                "panel",
                "committee_size",
                format!("评标委员会成员人数须不少于{}人", rules.min_size),
                format!(
                    "the committee (experts + representatives = {total}) must have at least {} members",
                    rules.min_size
                ),
            ));
        }
        if rules.odd && total.is_multiple_of(2) {
            return Err(err(
                "panel",
                "committee_odd",
                "评标委员会成员人数须为单数".into(),
                format!("the committee (experts + representatives = {total}) must be odd"),
            ));
        }
        let den = u64::from(rules.expert_share_den.max(1));
        if experts * den < total * u64::from(rules.expert_share_num) {
            return Err(err(
                "representatives",
                "committee_expert_share",
                format!(
                    "技术、经济等方面的专家不得少于成员总数的{}/{}",
                    rules.expert_share_num, rules.expert_share_den
                ),
                format!(
                    "experts ({experts}) must be at least {}/{} of the committee ({total})",
                    rules.expert_share_num, rules.expert_share_den
                ),
            ));
        }
        Ok(())
    }

    /// A draw is made within `draw_window_hours` before the evaluation
    /// starts, never after.
    pub fn check_window(
        &self,
        policy: &DrawPolicy,
        now: DateTime<Utc>,
    ) -> Result<(), RequestError> {
        let start = self.evaluation.start;
        if now >= start {
            return Err(err(
                "evaluation/start",
                "draw_after_start",
                "评标开始后不能抽取".into(),
                "a draw cannot be made after the evaluation has started".into(),
            ));
        }
        let opens = start - Duration::hours(i64::from(policy.draw_window_hours));
        if now < opens {
            return Err(err(
                "evaluation/start",
                "draw_window",
                format!("只能在评标开始前{}小时内抽取", policy.draw_window_hours),
                format!(
                    "a draw may be made only within {} hours before the evaluation starts (opens {})",
                    policy.draw_window_hours,
                    opens.format("%Y-%m-%dT%H:%M:%SZ")
                ),
            ));
        }
        Ok(())
    }

    /// The centre's policy, tightened (or, with approval, loosened) by the
    /// request. `local_max` defaults to `floor(panel size / 3)`.
    pub fn effective_policy(&self, policy: &DrawPolicy) -> EffectivePolicy {
        let size = u32::try_from(self.panel_size()).unwrap_or(u32::MAX);
        let default_local = policy.local_max.unwrap_or(size / 3);
        let asked = self.policy.clone().unwrap_or_default();
        let mut loosened = Vec::new();
        let remote_weight = asked.remote_weight.unwrap_or(policy.remote_weight);
        if remote_weight < policy.remote_weight {
            loosened.push("policy/remote_weight");
        }
        let local_max = asked.local_max.unwrap_or(default_local);
        if local_max > default_local {
            loosened.push("policy/local_max");
        }
        let max_per_employer = asked.max_per_employer.unwrap_or(policy.max_per_employer);
        if max_per_employer > policy.max_per_employer {
            loosened.push("policy/max_per_employer");
        }
        EffectivePolicy {
            remote_weight,
            local_max,
            max_per_employer,
            loosened,
        }
    }
}

/// Range checks on the effective policy (SPEC rule 3).
pub fn check_policy(p: &EffectivePolicy) -> Result<(), RequestError> {
    if !(1..=1000).contains(&p.remote_weight) {
        return Err(err(
            "policy/remote_weight",
            "range",
            "remote_weight 须为1至1000".into(),
            "remote_weight must be 1-1000".into(),
        ));
    }
    if p.local_max > 10_000 {
        return Err(err(
            "policy/local_max",
            "range",
            "local_max 不能超过10000".into(),
            "local_max must be at most 10000".into(),
        ));
    }
    if !(1..=10_000).contains(&p.max_per_employer) {
        return Err(err(
            "policy/max_per_employer",
            "range",
            "max_per_employer 须为1至10000".into(),
            "max_per_employer must be 1-10000".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn request(counts: &[u32], reps: u32) -> DrawRequest {
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap();
        DrawRequest {
            project: ProjectInput {
                id: "P-1".into(),
                name: "某项目".into(),
                region: "420100".into(),
                tenderer: "91420100MA4K0000XX".into(),
                bid_section: "1".into(),
            },
            evaluation: EvaluationInput {
                start,
                end: start + Duration::hours(8),
                venue: "A".into(),
            },
            panel: counts
                .iter()
                .map(|&c| GroupInput {
                    specialty: "A08".into(),
                    count: c,
                    reserve: 1,
                })
                .collect(),
            avoid: AvoidInput::default(),
            representatives: reps,
            policy: None,
            parent: None,
            approval: None,
        }
    }

    #[test]
    fn committee_rules() {
        let rules = CommitteeRules::default();
        assert!(request(&[5], 0).check_committee(&rules).is_ok());
        assert!(request(&[4], 1).check_committee(&rules).is_ok());
        assert!(request(&[6, 1], 0).check_committee(&rules).is_ok());
        let e = request(&[3], 0).check_committee(&rules).unwrap_err();
        assert_eq!((e.field.as_str(), e.rule), ("panel", "committee_size"));
        let e = request(&[6], 0).check_committee(&rules).unwrap_err();
        assert_eq!(e.rule, "committee_odd");
        // 3 experts of 5 is less than two thirds.
        let e = request(&[3], 2).check_committee(&rules).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.rule),
            ("representatives", "committee_expert_share")
        );
    }

    #[test]
    fn draw_window() {
        let r = request(&[5], 0);
        let p = DrawPolicy::default();
        let start = r.evaluation.start;
        assert!(r.check_window(&p, start - Duration::hours(1)).is_ok());
        assert_eq!(
            r.check_window(&p, start - Duration::hours(25))
                .unwrap_err()
                .rule,
            "draw_window"
        );
        assert_eq!(
            r.check_window(&p, start).unwrap_err().rule,
            "draw_after_start"
        );
    }

    #[test]
    fn policy_tightening_and_loosening() {
        let p = DrawPolicy::default();
        let mut r = request(&[7], 0);
        let e = r.effective_policy(&p);
        assert_eq!(
            (e.remote_weight, e.local_max, e.max_per_employer),
            (3, 2, 1)
        );
        assert!(e.loosened.is_empty());
        r.policy = Some(PolicyInput {
            remote_weight: Some(5),
            local_max: Some(1),
            max_per_employer: None,
        });
        assert!(r.effective_policy(&p).loosened.is_empty());
        r.policy = Some(PolicyInput {
            remote_weight: Some(1),
            local_max: Some(7),
            max_per_employer: Some(2),
        });
        assert_eq!(
            r.effective_policy(&p).loosened,
            vec![
                "policy/remote_weight",
                "policy/local_max",
                "policy/max_per_employer"
            ]
        );
    }
}
