//! Per-bid assessment (一标一评): after an evaluation, the tenderer's
//! representative and the on-site supervisor each score every panel member
//! on configurable items, by a deadline. A correction is a new version of
//! the sheet; the effective sheet is the latest version, never an overwrite.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::baseline::is_code;
use super::calendar::WorkCalendar;
use crate::expert::{FieldError, Rule};

/// The longest comment or correction reason, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// Items, deadline and rater roles. Deserialises from a partial TOML or JSON
/// table: missing keys take the defaults, an `items` list given replaces the
/// default list, unknown keys are an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssessmentConfig {
    pub items: Vec<ScoringItem>,
    /// A sheet is due by the end of this many working days after the
    /// evaluation day.
    pub deadline_working_days: u32,
    /// The roles that score every panel member.
    pub raters: Vec<RaterRole>,
}

/// One scored item; a score is a whole number in `0..=max`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringItem {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub max: u32,
}

/// Who scores. Stable codes `tenderer_representative`, `on_site_supervisor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RaterRole {
    /// 招标人代表.
    TendererRepresentative,
    /// 现场监督人员.
    OnSiteSupervisor,
}

impl RaterRole {
    pub const ALL: [RaterRole; 2] = [
        RaterRole::TendererRepresentative,
        RaterRole::OnSiteSupervisor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RaterRole::TendererRepresentative => "tenderer_representative",
            RaterRole::OnSiteSupervisor => "on_site_supervisor",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            RaterRole::TendererRepresentative => "招标人代表",
            RaterRole::OnSiteSupervisor => "现场监督人员",
        }
    }

    pub fn parse(s: &str) -> Option<RaterRole> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for RaterRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Default for AssessmentConfig {
    fn default() -> Self {
        let item = |code: &str, zh: &str, en: &str, max| ScoringItem {
            code: code.to_owned(),
            name_zh: zh.to_owned(),
            name_en: en.to_owned(),
            max,
        };
        Self {
            items: vec![
                item(
                    "professional_competence",
                    "专业能力",
                    "professional competence",
                    30,
                ),
                item("evaluation_quality", "评审质量", "evaluation quality", 30),
                item("discipline", "遵守纪律", "discipline", 20),
                item("integrity", "廉洁自律", "integrity", 20),
            ],
            deadline_working_days: 3,
            raters: RaterRole::ALL.to_vec(),
        }
    }
}

impl AssessmentConfig {
    pub fn item(&self, code: &str) -> Option<&ScoringItem> {
        self.items.iter().find(|i| i.code == code)
    }

    /// The highest possible total (100 with the defaults).
    pub fn max_total(&self) -> u32 {
        self.items.iter().fold(0u32, |n, i| n.saturating_add(i.max))
    }

    /// The last day a sheet for an evaluation on `evaluation_on` is accepted.
    pub fn deadline(&self, evaluation_on: NaiveDate, calendar: &WorkCalendar) -> Option<NaiveDate> {
        calendar.add_working_days(evaluation_on, self.deadline_working_days)
    }

    /// Settings that cannot work; `field` paths relative to the config.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.items.is_empty() {
            errors.push(FieldError::new(
                "items",
                Rule::Required,
                "考核须至少有一个评分项",
                "the assessment needs at least one item",
            ));
        }
        for (i, item) in self.items.iter().enumerate() {
            let at = format!("items/{i}");
            if !is_code(&item.code) {
                errors.push(FieldError::new(
                    format!("{at}/code"),
                    Rule::InvalidCode,
                    "评分项代码须以小写字母开头，仅含小写字母、数字和下划线",
                    "an item code starts with a lower-case letter and has only lower-case letters, digits and '_'",
                ));
            }
            if self
                .items
                .get(..i)
                .is_some_and(|s| s.iter().any(|o| o.code == item.code))
            {
                errors.push(FieldError::new(
                    format!("{at}/code"),
                    Rule::Duplicate,
                    format!("评分项“{}”重复", item.code),
                    format!("item {} appears twice", item.code),
                ));
            }
            for (field, text) in [("name_zh", &item.name_zh), ("name_en", &item.name_en)] {
                if text.trim().is_empty() {
                    errors.push(FieldError::new(
                        format!("{at}/{field}"),
                        Rule::Empty,
                        "不能为空",
                        "must not be blank",
                    ));
                }
            }
            if !(1..=1000).contains(&item.max) {
                errors.push(FieldError::new(
                    format!("{at}/max"),
                    Rule::OutOfRange,
                    "评分项满分须为1至1000",
                    "an item's max must be between 1 and 1000",
                ));
            }
        }
        if !(1..=30).contains(&self.deadline_working_days) {
            errors.push(FieldError::new(
                "deadline_working_days",
                Rule::OutOfRange,
                "评分期限须为1至30个工作日",
                "deadline_working_days must be between 1 and 30",
            ));
        }
        if self.raters.is_empty() {
            errors.push(FieldError::new(
                "raters",
                Rule::Required,
                "须至少有一类评价人",
                "at least one rater role is needed",
            ));
        }
        for (i, role) in self.raters.iter().enumerate() {
            if self.raters.get(..i).is_some_and(|s| s.contains(role)) {
                errors.push(FieldError::new(
                    format!("raters/{i}"),
                    Rule::Duplicate,
                    "评价人类别重复",
                    "rater role appears twice",
                ));
            }
        }
        errors
    }
}

/// One person entitled to score a panel in one role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rater {
    pub role: RaterRole,
    pub rater_id: String,
}

/// What identifies a sheet and all its versions: one per rater per expert
/// per draw.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SheetKey {
    pub draw_id: String,
    pub expert_id: String,
    pub rater: Rater,
}

/// One version of a score sheet. Version 1 is the original; each correction
/// is the next version and gives a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentSheet {
    pub draw_id: String,
    pub expert_id: String,
    pub rater: Rater,
    pub version: u32,
    /// Item code → score.
    pub scores: BTreeMap<String, u32>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub correction_reason: Option<String>,
    pub submitted_on: NaiveDate,
}

impl AssessmentSheet {
    pub fn key(&self) -> SheetKey {
        SheetKey {
            draw_id: self.draw_id.clone(),
            expert_id: self.expert_id.clone(),
            rater: self.rater.clone(),
        }
    }

    pub fn total(&self) -> u32 {
        self.scores.values().fold(0u32, |n, s| n.saturating_add(*s))
    }

    /// The total as a whole percentage of `config.max_total()`, rounded
    /// down; `None` when the config has no points.
    pub fn percent(&self, config: &AssessmentConfig) -> Option<u32> {
        let max = u64::from(config.max_total());
        if max == 0 {
            return None;
        }
        u32::try_from(u64::from(self.total()) * 100 / max).ok()
    }
}

/// The facts a sheet is checked against, read by the caller.
#[derive(Debug, Clone, Copy)]
pub struct SheetContext<'a> {
    /// The evaluation day of the draw.
    pub evaluation_on: NaiveDate,
    /// Expert ids who sat on the panel.
    pub panel: &'a [String],
    /// The raters entitled to score this panel.
    pub entitled: &'a [Rater],
    /// Earlier versions of the same sheet, in version order.
    pub history: &'a [AssessmentSheet],
}

/// Every failed rule of `sheet` submitted `today`; empty when it may be
/// stored. Paths: `scores/<item>`, `expert_id`, `rater`, `version`,
/// `correction_reason`, `comment`, `submitted_on`.
pub fn validate_sheet(
    sheet: &AssessmentSheet,
    config: &AssessmentConfig,
    ctx: &SheetContext<'_>,
    calendar: &WorkCalendar,
    today: NaiveDate,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for item in &config.items {
        match sheet.scores.get(&item.code) {
            None => errors.push(FieldError::new(
                format!("scores/{}", item.code),
                Rule::MissingScore,
                format!("缺少评分项“{}”的分数", item.name_zh),
                format!("no score for {}", item.name_en),
            )),
            Some(&score) if score > item.max => errors.push(FieldError::new(
                format!("scores/{}", item.code),
                Rule::ScoreOutOfScale,
                format!("“{}”的分数{score}超出0至{}分", item.name_zh, item.max),
                format!(
                    "{} score {score} is outside 0 to {}",
                    item.name_en, item.max
                ),
            )),
            Some(_) => {}
        }
    }
    for code in sheet.scores.keys() {
        if config.item(code).is_none() {
            errors.push(FieldError::new(
                format!("scores/{code}"),
                Rule::UnknownItem,
                format!("没有评分项“{code}”"),
                format!("no scoring item {code}"),
            ));
        }
    }
    if !ctx.panel.contains(&sheet.expert_id) {
        errors.push(FieldError::new(
            "expert_id",
            Rule::NotOnPanel,
            "该专家不是本次评标委员会成员",
            "the expert did not sit on this panel",
        ));
    }
    if !ctx.entitled.contains(&sheet.rater) || !config.raters.contains(&sheet.rater.role) {
        errors.push(FieldError::new(
            "rater",
            Rule::RaterNotEntitled,
            format!("该{}无权评价本次评标委员会", sheet.rater.role.name_zh()),
            format!("this {} may not score this panel", sheet.rater.role),
        ));
    }
    if today < ctx.evaluation_on {
        errors.push(FieldError::new(
            "submitted_on",
            Rule::TooEarly,
            format!("评标日{}之前不能评价", ctx.evaluation_on),
            format!(
                "no assessment before the evaluation day {}",
                ctx.evaluation_on
            ),
        ));
    }
    match config.deadline(ctx.evaluation_on, calendar) {
        Some(deadline) if today <= deadline => {}
        deadline => {
            let shown = deadline.map_or_else(|| "-".to_owned(), |d| d.to_string());
            errors.push(FieldError::new(
                "submitted_on",
                Rule::DeadlinePassed,
                format!("评价期限{shown}已过"),
                format!("the deadline {shown} has passed"),
            ));
        }
    }
    if sheet.submitted_on != today {
        errors.push(FieldError::new(
            "submitted_on",
            Rule::OutOfRange,
            format!("提交日期须为今天{today}"),
            format!("submitted_on must be today, {today}"),
        ));
    }
    let key = sheet.key();
    let expected = u32::try_from(ctx.history.len())
        .ok()
        .and_then(|n| n.checked_add(1));
    let history_ok = ctx
        .history
        .iter()
        .zip(1u32..)
        .all(|(h, v)| h.key() == key && h.version == v);
    if !history_ok || expected != Some(sheet.version) {
        let shown = expected.map_or_else(|| "-".to_owned(), |v| v.to_string());
        errors.push(FieldError::new(
            "version",
            Rule::VersionConflict,
            format!(
                "版本号应为{shown}，实际为{}（更正须基于最新版本）",
                sheet.version
            ),
            format!(
                "version must be {shown}, got {} (a correction follows the latest version)",
                sheet.version
            ),
        ));
    }
    let reason = sheet.correction_reason.as_deref().map(str::trim);
    if sheet.version > 1 && reason.is_none_or(str::is_empty) {
        errors.push(FieldError::new(
            "correction_reason",
            Rule::Required,
            "更正须说明原因",
            "a correction needs a reason",
        ));
    }
    for (field, text) in [
        ("comment", sheet.comment.as_str()),
        (
            "correction_reason",
            sheet.correction_reason.as_deref().unwrap_or(""),
        ),
    ] {
        if text.chars().count() > MAX_COMMENT_CHARS {
            errors.push(FieldError::new(
                field,
                Rule::TooLong,
                format!("不能超过{MAX_COMMENT_CHARS}个字符"),
                format!("at most {MAX_COMMENT_CHARS} characters"),
            ));
        }
    }
    errors
}

/// A sheet history that cannot be folded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("评价表的各版本不属于同一评价人、专家和抽取 / the versions belong to different sheets")]
    MixedSheets,
    #[error(
        "评价表版本不连续：应为{expected}，实际为{got} / sheet versions are not dense: expected {expected}, got {got}"
    )]
    VersionGap { expected: u32, got: u32 },
}

impl HistoryError {
    pub fn code(&self) -> &'static str {
        match self {
            HistoryError::MixedSheets => "mixed_sheets",
            HistoryError::VersionGap { .. } => "version_gap",
        }
    }
}

/// The effective sheet of one history: its latest version. The versions
/// may come in any order but must be one sheet's `1..=n`, each exactly once.
/// `Ok(None)` for an empty history.
pub fn effective_sheet(
    history: &[AssessmentSheet],
) -> Result<Option<&AssessmentSheet>, HistoryError> {
    latest(history.iter().collect())
}

fn latest(mut versions: Vec<&AssessmentSheet>) -> Result<Option<&AssessmentSheet>, HistoryError> {
    versions.sort_by_key(|s| s.version);
    let Some(first) = versions.first() else {
        return Ok(None);
    };
    let key = first.key();
    let mut latest = None;
    for (sheet, expected) in versions.into_iter().zip(1u32..) {
        if sheet.key() != key {
            return Err(HistoryError::MixedSheets);
        }
        if sheet.version != expected {
            return Err(HistoryError::VersionGap {
                expected,
                got: sheet.version,
            });
        }
        latest = Some(sheet);
    }
    Ok(latest)
}

/// The effective sheet of every key among `sheets`, ordered by key.
pub fn effective_sheets(sheets: &[AssessmentSheet]) -> Result<Vec<&AssessmentSheet>, HistoryError> {
    let mut by_key: BTreeMap<SheetKey, Vec<&AssessmentSheet>> = BTreeMap::new();
    for s in sheets {
        by_key.entry(s.key()).or_default().push(s);
    }
    let mut out = Vec::with_capacity(by_key.len());
    for versions in by_key.into_values() {
        out.extend(latest(versions)?);
    }
    Ok(out)
}

/// The (expert, rater) pairs of a panel that have no sheet yet: what is
/// still owed, for reminders before the deadline and flags after it.
pub fn missing_sheets(
    panel: &[String],
    entitled: &[Rater],
    sheets: &[AssessmentSheet],
    draw_id: &str,
) -> Vec<(String, Rater)> {
    let present: BTreeSet<(&str, &Rater)> = sheets
        .iter()
        .filter(|s| s.draw_id == draw_id)
        .map(|s| (s.expert_id.as_str(), &s.rater))
        .collect();
    let mut out = Vec::new();
    for expert in panel {
        for rater in entitled {
            if !present.contains(&(expert.as_str(), rater)) {
                out.push((expert.clone(), rater.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
