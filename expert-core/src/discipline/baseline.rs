//! The discretion baseline (裁量基准): each violation's code, points in the
//! cycle and sanction range; the point thresholds that propose a sanction;
//! and the check that a decision stays inside the range its grounds allow.

use serde::{Deserialize, Serialize};

use super::range::{AmountRange, RemovalRange, SanctionRange};
use super::sanction::{Measure, Sanction};
use crate::expert::{FieldError, Rule};
use crate::lifecycle::RestoreMode;

/// The table. Deserialises from a partial TOML or JSON table: missing keys
/// take the defaults; a `violations` or `thresholds` list given replaces the
/// default list whole. Unknown keys are an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Baseline {
    /// Points count over a rolling cycle of this many months (记分周期).
    pub cycle_months: u32,
    pub violations: Vec<ViolationRule>,
    /// Point totals that propose a sanction, each with the range a decision
    /// on that ground may take.
    pub thresholds: Vec<PointThreshold>,
    /// A low credit score (`credit`) proposes a sanction within this range.
    pub low_credit: LowCreditRule,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViolationRule {
    /// Stable code: lower-case ASCII letters, digits and `_`, starting with a
    /// letter (`late_arrival`).
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub points: u32,
    /// The provision the notice and decision cite. The defaults are national
    /// law where it speaks and the centre's site rules otherwise; a centre
    /// should have its legal office confirm them.
    pub legal_basis: String,
    pub sanctions: SanctionRange,
}

/// `points` or more in a cycle proposes `proposed`; a decision on this
/// ground must stay within `range`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointThreshold {
    pub points: u32,
    pub proposed: Sanction,
    pub range: SanctionRange,
    pub legal_basis: String,
}

/// The credit score and the proposal a low one makes (see `credit`):
/// the mean assessment percentage in the cycle (100 with fewer than
/// `min_sheets` sheets) minus `deduction_per_point` per point; below
/// `below` proposes `proposed` within `range`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LowCreditRule {
    pub below: u32,
    pub deduction_per_point: u32,
    pub min_sheets: u32,
    pub proposed: Sanction,
    pub range: SanctionRange,
    pub legal_basis: String,
}

/// Why a case may sanction: a violation found, a point threshold reached, or
/// a low credit score. Serialised with a `kind` tag:
/// `{"kind":"violation","code":"late_arrival"}`,
/// `{"kind":"points_threshold","points":12}`, `{"kind":"low_credit"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Ground {
    Violation { code: String },
    PointsThreshold { points: u32 },
    LowCredit,
}

impl Ground {
    /// The baseline rule's name: `violation:late_arrival`, `points:12`,
    /// `low_credit`.
    pub fn rule_name(&self) -> String {
        match self {
            Ground::Violation { code } => format!("violation:{code}"),
            Ground::PointsThreshold { points } => format!("points:{points}"),
            Ground::LowCredit => "low_credit".to_owned(),
        }
    }
}

/// A decision or proposal the baseline does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaselineError {
    #[error("处理须至少有一项依据 / a sanction needs at least one ground")]
    NoGrounds,
    #[error("裁量基准中没有违规代码“{code}” / no violation {code} in the baseline")]
    UnknownViolation { code: String },
    #[error("裁量基准中没有{points}分的记分阈值 / no threshold of {points} points in the baseline")]
    UnknownThreshold { points: u32 },
    #[error(
        "处理措施“{measure_zh}”超出裁量基准{}的幅度（允许：{allowed_zh}） / {measure} is outside the range of baseline rule(s) {} (allowed: {allowed_en})",
        rules.join("、"),
        rules.join(", ")
    )]
    OutsideRange {
        measure: String,
        measure_zh: String,
        rules: Vec<String>,
        allowed_zh: String,
        allowed_en: String,
    },
    #[error(
        "罚款{yuan}元超出裁量基准{}的幅度（允许：{allowed_zh}） / a fine of CNY {yuan} is outside the range of baseline rule(s) {} (allowed: {allowed_en})",
        rules.join("、"),
        rules.join(", ")
    )]
    FineOutsideRange {
        yuan: u64,
        rules: Vec<String>,
        allowed_zh: String,
        allowed_en: String,
    },
}

impl BaselineError {
    /// A stable snake_case code for problem responses and tests.
    pub fn code(&self) -> &'static str {
        match self {
            BaselineError::NoGrounds => "no_grounds",
            BaselineError::UnknownViolation { .. } => "unknown_violation",
            BaselineError::UnknownThreshold { .. } => "unknown_threshold",
            BaselineError::OutsideRange { .. } => "outside_baseline",
            BaselineError::FineOutsideRange { .. } => "fine_outside_baseline",
        }
    }

    /// The error as a field error on `field`, for a problem's `errors`.
    pub fn to_field_error(&self, field: impl Into<String>) -> FieldError {
        let rule = match self {
            BaselineError::NoGrounds => Rule::Required,
            BaselineError::UnknownViolation { .. } | BaselineError::UnknownThreshold { .. } => {
                Rule::UnknownViolation
            }
            BaselineError::OutsideRange { .. } | BaselineError::FineOutsideRange { .. } => {
                Rule::OutOfRange
            }
        };
        let text = self.to_string();
        let (zh, en) = text
            .split_once(" / ")
            .unwrap_or((text.as_str(), text.as_str()));
        FieldError::new(field, rule, zh, en)
    }
}

impl Default for Baseline {
    fn default() -> Self {
        Self {
            cycle_months: 12,
            violations: default_violations(),
            thresholds: vec![PointThreshold {
                points: 12,
                proposed: Sanction::new(Measure::Suspension {
                    months: 6,
                    restore: RestoreMode::AfterTest,
                }),
                range: suspensions(&[3, 6, 12], &ALL_TIERS),
                legal_basis: SITE_RULES.to_owned(),
            }],
            low_credit: LowCreditRule::default(),
        }
    }
}

impl Default for LowCreditRule {
    fn default() -> Self {
        Self {
            below: 60,
            deduction_per_point: 3,
            min_sheets: 2,
            proposed: Sanction::new(Measure::Suspension {
                months: 3,
                restore: RestoreMode::OnApplication,
            }),
            range: SanctionRange {
                warning: true,
                ..suspensions(
                    &[3, 6],
                    &[RestoreMode::OnApplication, RestoreMode::AfterTest],
                )
            },
            legal_basis: SITE_RULES.to_owned(),
        }
    }
}

const ALL_TIERS: [RestoreMode; 3] = [
    RestoreMode::Automatic,
    RestoreMode::OnApplication,
    RestoreMode::AfterTest,
];

const SITE_RULES: &str = "《评标专家和评标专家库管理办法》及本中心评标专家考核管理规定";
const LAW_56: &str = "《中华人民共和国招标投标法》第五十六条";
const REGULATION_71: &str = "《中华人民共和国招标投标法实施条例》第七十一条";

fn suspensions(months: &[u32], tiers: &[RestoreMode]) -> SanctionRange {
    SanctionRange {
        suspension_months: months.to_vec(),
        restore: tiers.to_vec(),
        ..SanctionRange::default()
    }
}

fn permanent_removal_and_fine() -> SanctionRange {
    SanctionRange {
        removal: Some(RemovalRange {
            ban_years: None,
            permanent: true,
        }),
        fine_yuan: Some(AmountRange {
            min: 3000,
            max: 50_000,
        }),
        ..SanctionRange::default()
    }
}

fn rule(
    code: &str,
    zh: &str,
    en: &str,
    points: u32,
    basis: String,
    sanctions: SanctionRange,
) -> ViolationRule {
    ViolationRule {
        code: code.to_owned(),
        name_zh: zh.to_owned(),
        name_en: en.to_owned(),
        points,
        legal_basis: basis,
        sanctions,
    }
}

/// Defaults: 12 points for the acts national law punishes with removal, 6
/// for the ones it punishes with a ban of some length, 3 and 1 for site
/// discipline.
fn default_violations() -> Vec<ViolationRule> {
    let serious = SanctionRange {
        removal: Some(RemovalRange {
            ban_years: Some(AmountRange { min: 1, max: 3 }),
            permanent: false,
        }),
        ..suspensions(
            &[6, 12],
            &[RestoreMode::OnApplication, RestoreMode::AfterTest],
        )
    };
    let minor = SanctionRange {
        warning: true,
        ..suspensions(&[3], &[RestoreMode::Automatic, RestoreMode::OnApplication])
    };
    vec![
        rule(
            "accept_property",
            "收受投标人财物或者其他好处",
            "accepting property or other benefits from a bidder",
            12,
            format!("{LAW_56}、《中华人民共和国招标投标法实施条例》第七十二条"),
            permanent_removal_and_fine(),
        ),
        rule(
            "leak_evaluation_information",
            "透露评审和比较、中标候选人推荐等评标情况",
            "disclosing the review, comparison or recommendation of candidates",
            12,
            LAW_56.to_owned(),
            permanent_removal_and_fine(),
        ),
        rule(
            "conceal_conflict_of_interest",
            "应当回避而不回避",
            "hiding a conflict of interest instead of stepping aside",
            6,
            format!("{REGULATION_71}第（一）项"),
            serious.clone(),
        ),
        rule(
            "private_contact_with_bidder",
            "私下接触投标人",
            "private contact with a bidder",
            6,
            format!("{REGULATION_71}第（四）项"),
            serious,
        ),
        rule(
            "ignore_evaluation_criteria",
            "不按照招标文件规定的评标标准和方法评标",
            "not following the tender's evaluation criteria and method",
            6,
            format!("{REGULATION_71}第（三）项"),
            SanctionRange {
                warning: true,
                ..suspensions(&[3, 6, 12], &ALL_TIERS)
            },
        ),
        rule(
            "leave_early",
            "擅离职守、提前离场",
            "leaving the evaluation early without leave",
            3,
            format!("{REGULATION_71}第（二）项"),
            minor.clone(),
        ),
        rule(
            "phone_in_room",
            "评标期间违规使用通讯工具",
            "using a phone in the evaluation room",
            3,
            SITE_RULES.to_owned(),
            minor,
        ),
        rule(
            "late_arrival",
            "迟到",
            "arriving late",
            1,
            SITE_RULES.to_owned(),
            SanctionRange {
                warning: true,
                ..SanctionRange::default()
            },
        ),
    ]
}

impl Baseline {
    pub fn violation(&self, code: &str) -> Option<&ViolationRule> {
        self.violations.iter().find(|v| v.code == code)
    }

    pub fn threshold(&self, points: u32) -> Option<&PointThreshold> {
        self.thresholds.iter().find(|t| t.points == points)
    }

    /// The range and legal basis a ground refers to.
    pub fn range_for(&self, ground: &Ground) -> Result<(&SanctionRange, &str), BaselineError> {
        match ground {
            Ground::Violation { code } => self
                .violation(code)
                .map(|v| (&v.sanctions, v.legal_basis.as_str()))
                .ok_or_else(|| BaselineError::UnknownViolation { code: code.clone() }),
            Ground::PointsThreshold { points } => self
                .threshold(*points)
                .map(|t| (&t.range, t.legal_basis.as_str()))
                .ok_or(BaselineError::UnknownThreshold { points: *points }),
            Ground::LowCredit => Ok((&self.low_credit.range, self.low_credit.legal_basis.as_str())),
        }
    }

    /// Whether `sanction` is within the baseline for `grounds`.
    ///
    /// With several grounds the **governing** ones decide: those whose range
    /// reaches the most severe measure. One of them must allow both the
    /// measure and the fine. So a serious
    /// violation cannot be let off with the range of a minor one found
    /// beside it, and a minor one cannot borrow a serious one's range.
    pub fn check(&self, grounds: &[Ground], sanction: &Sanction) -> Result<(), BaselineError> {
        if grounds.is_empty() {
            return Err(BaselineError::NoGrounds);
        }
        let mut resolved = Vec::with_capacity(grounds.len());
        for g in grounds {
            resolved.push((g, self.range_for(g)?.0));
        }
        let top = resolved.iter().filter_map(|(_, r)| r.max_severity()).max();
        let governing: Vec<(&Ground, &SanctionRange)> = resolved
            .into_iter()
            .filter(|(_, r)| r.max_severity() == top)
            .collect();
        let mut rules: Vec<String> = governing.iter().map(|(g, _)| g.rule_name()).collect();
        rules.sort();
        rules.dedup();
        let describe = |f: fn(&SanctionRange) -> String| -> String {
            let mut parts: Vec<String> = governing.iter().map(|(_, r)| f(r)).collect();
            parts.dedup();
            parts.join(" | ")
        };
        if !governing
            .iter()
            .any(|(_, r)| r.allows_measure(&sanction.measure))
        {
            return Err(BaselineError::OutsideRange {
                measure: sanction.measure.code(),
                measure_zh: sanction.measure.describe_zh(),
                rules,
                allowed_zh: describe(SanctionRange::describe_zh),
                allowed_en: describe(SanctionRange::describe_en),
            });
        }
        if let Some(yuan) = sanction.fine_yuan
            && !governing
                .iter()
                .any(|(_, r)| r.allows_measure(&sanction.measure) && r.allows_fine(Some(yuan)))
        {
            return Err(BaselineError::FineOutsideRange {
                yuan,
                rules,
                allowed_zh: describe(SanctionRange::describe_zh),
                allowed_en: describe(SanctionRange::describe_en),
            });
        }
        Ok(())
    }

    /// Settings that cannot work; `field` paths relative to the baseline.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !(1..=60).contains(&self.cycle_months) {
            errors.push(FieldError::new(
                "cycle_months",
                Rule::OutOfRange,
                "记分周期须为1至60个月",
                "cycle_months must be between 1 and 60",
            ));
        }
        if self.violations.is_empty() {
            errors.push(FieldError::new(
                "violations",
                Rule::Required,
                "裁量基准须至少有一项违规行为",
                "the baseline needs at least one violation",
            ));
        }
        for (i, v) in self.violations.iter().enumerate() {
            let at = format!("violations/{i}");
            if !is_code(&v.code) {
                errors.push(FieldError::new(
                    format!("{at}/code"),
                    Rule::InvalidCode,
                    "违规代码须以小写字母开头，仅含小写字母、数字和下划线，至多64个字符",
                    "a violation code starts with a lower-case letter and has only lower-case letters, digits and '_', at most 64 characters",
                ));
            }
            if self
                .violations
                .get(..i)
                .is_some_and(|s| s.iter().any(|o| o.code == v.code))
            {
                errors.push(FieldError::new(
                    format!("{at}/code"),
                    Rule::Duplicate,
                    format!("违规代码“{}”重复", v.code),
                    format!("violation code {} appears twice", v.code),
                ));
            }
            for (field, text) in [
                ("name_zh", &v.name_zh),
                ("name_en", &v.name_en),
                ("legal_basis", &v.legal_basis),
            ] {
                if text.trim().is_empty() {
                    errors.push(blank(format!("{at}/{field}")));
                }
            }
            if v.points > 100 {
                errors.push(FieldError::new(
                    format!("{at}/points"),
                    Rule::OutOfRange,
                    "记分须为0至100",
                    "points must be between 0 and 100",
                ));
            }
            errors.extend(
                v.sanctions
                    .validate()
                    .into_iter()
                    .map(|e| e.nested_in(&format!("{at}/sanctions"))),
            );
        }
        for (i, t) in self.thresholds.iter().enumerate() {
            let at = format!("thresholds/{i}");
            if t.points == 0 {
                errors.push(FieldError::new(
                    format!("{at}/points"),
                    Rule::OutOfRange,
                    "记分阈值须至少为1",
                    "a threshold must be at least 1 point",
                ));
            }
            if self
                .thresholds
                .get(..i)
                .is_some_and(|s| s.iter().any(|o| o.points == t.points))
            {
                errors.push(FieldError::new(
                    format!("{at}/points"),
                    Rule::Duplicate,
                    format!("记分阈值{}重复", t.points),
                    format!("threshold {} appears twice", t.points),
                ));
            }
            errors.extend(proposal_errors(&at, &t.proposed, &t.range, &t.legal_basis));
        }
        let credit = &self.low_credit;
        if !(1..=100).contains(&credit.below) {
            errors.push(FieldError::new(
                "low_credit/below",
                Rule::OutOfRange,
                "信用分阈值须为1至100",
                "low_credit.below must be between 1 and 100",
            ));
        }
        if credit.deduction_per_point > 100 {
            errors.push(FieldError::new(
                "low_credit/deduction_per_point",
                Rule::OutOfRange,
                "每分扣减须为0至100",
                "low_credit.deduction_per_point must be between 0 and 100",
            ));
        }
        errors.extend(proposal_errors(
            "low_credit",
            &credit.proposed,
            &credit.range,
            &credit.legal_basis,
        ));
        errors
    }
}

fn proposal_errors(
    at: &str,
    proposed: &Sanction,
    range: &SanctionRange,
    basis: &str,
) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = range
        .validate()
        .into_iter()
        .map(|e| e.nested_in(&format!("{at}/range")))
        .collect();
    if !range.allows_measure(&proposed.measure) || !range.allows_fine(proposed.fine_yuan) {
        errors.push(FieldError::new(
            format!("{at}/proposed"),
            Rule::OutOfRange,
            "建议的处理超出本项的处罚幅度",
            "the proposed sanction is outside this rule's range",
        ));
    }
    if basis.trim().is_empty() {
        errors.push(blank(format!("{at}/legal_basis")));
    }
    errors
}

fn blank(field: String) -> FieldError {
    FieldError::new(field, Rule::Empty, "不能为空", "must not be blank")
}

/// A stable code: `[a-z][a-z0-9_]{0,63}`.
pub(crate) fn is_code(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests;
