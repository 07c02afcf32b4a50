//! Evaluation results (评标结果) as the panel reported them, checked before
//! they are published: the tender's scoring items, the bidders, the bids
//! rejected with their reasons (否决投标), every panel member's item-by-item
//! scores for every bid that was scored (逐项计分), and the recommended
//! candidates (中标候选人) with their final scores.
//!
//! The rules are those of the comprehensive evaluation method
//! (综合评估法): each member scores each bid that passed the preliminary
//! review on every item, within the item's maximum; a member's total for a
//! bid is the sum of its items; a bid's final score is the mean of the
//! members' totals, rounded half up to a hundredth; the candidates, at most
//! three (招标投标法实施条例 第五十三条), are the best final scores in
//! order. Points are kept in hundredths ([`Centi`]): no floating point
//! anywhere, so a total that "almost" matches is a mismatch.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::expert::{FieldError, Rule};
use crate::identity::CreditCode;

/// At most this many recommended candidates (实施条例 第五十三条).
pub const MAX_CANDIDATES: usize = 3;
const MAX_TEXT: usize = 200;
const MAX_ITEMS: usize = 100;
const MAX_BIDDERS: usize = 200;

/// Points in hundredths: `87.25` is `Centi(8725)`. On the wire a JSON
/// number with at most two decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Centi(pub u64);

impl Centi {
    /// Parse a decimal such as `87`, `87.5` or `87.25` (no sign, no
    /// exponent, at most two decimals, at most 1,000,000 points).
    pub fn parse(s: &str) -> Option<Centi> {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if int.is_empty()
            || int.len() > 7
            || frac.len() > 2
            || (s.contains('.') && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let whole: u64 = int.parse().ok()?;
        let mut hundredths: u64 = if frac.is_empty() {
            0
        } else {
            frac.parse().ok()?
        };
        if frac.len() == 1 {
            hundredths *= 10;
        }
        let value = whole.checked_mul(100)?.checked_add(hundredths)?;
        (value <= 100_000_000).then_some(Centi(value))
    }
}

impl fmt::Display for Centi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => write!(f, "{whole}"),
            x if x % 10 == 0 => write!(f, "{whole}.{}", x / 10),
            x => write!(f, "{whole}.{x:02}"),
        }
    }
}

impl Serialize for Centi {
    /// A decimal string (`"87.25"`): exact in every language, and the log
    /// holds no fractional JSON numbers (SPEC section 1).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Centi {
    /// A decimal string or a JSON number, with at most two decimals.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CentiVisitor)
    }
}

struct CentiVisitor;

impl serde::de::Visitor<'_> for CentiVisitor {
    type Value = Centi;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "points between 0 and 1000000 with at most two decimals, as a number or a string",
        )
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Centi, E> {
        Centi::parse(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &self))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Centi, E> {
        Centi::parse(&v.to_string())
            .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Centi, E> {
        match u64::try_from(v) {
            Ok(u) => self.visit_u64(u),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Signed(v), &self)),
        }
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Centi, E> {
        // Rust prints the shortest decimal that reads back as `v`, so 87.25
        // reads as "87.25" and 87.251 cannot pass as 87.25.
        let text = format!("{v}");
        Centi::parse(&text).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Float(v), &self))
    }
}

/// One scoring item of the tender's evaluation criteria (评分标准).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stable code the scores refer to (`price`, `technical-1`, …).
    pub code: String,
    pub name: String,
    /// The most an item can score.
    pub max: Centi,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bidder {
    /// Unified social credit code (GB 32100).
    pub code: String,
    pub name: String,
}

/// A bid rejected in the review (否决投标): it is not scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    pub bidder: String,
    pub reason: String,
    /// The clause of the tender documents or the law applied.
    pub basis: String,
}

/// One member's scores for one bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreSheet {
    /// The expert's id (a panel member who served).
    pub expert_id: String,
    pub bidder: String,
    /// Item code → points.
    pub items: BTreeMap<String, Centi>,
    /// As the member signed it; must be the sum of `items`.
    pub total: Centi,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// 1, 2, 3 in order.
    pub rank: u32,
    pub bidder: String,
    /// The bid's final score; must be the mean of the members' totals.
    pub score: Centi,
}

/// The panel's results as the operator uploads them after the award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationResults {
    pub items: Vec<Item>,
    pub bidders: Vec<Bidder>,
    #[serde(default)]
    pub rejected: Vec<Rejection>,
    pub scores: Vec<ScoreSheet>,
    pub candidates: Vec<Candidate>,
}

/// What the checks computed: each scored bid's final score, best first
/// (ties by credit code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub finals: Vec<(String, Centi)>,
}

/// Round `sum / n` half up (n > 0).
fn mean_half_up(sum: u64, n: u64) -> Centi {
    Centi((2 * sum + n) / (2 * n))
}

fn err(
    field: impl Into<String>,
    rule: Rule,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> FieldError {
    FieldError::new(field, rule, zh, en)
}

fn text(errors: &mut Vec<FieldError>, field: String, value: &str) {
    if value.trim().is_empty() {
        errors.push(err(field, Rule::Empty, "不能为空", "must not be empty"));
    } else if value.chars().count() > MAX_TEXT {
        errors.push(err(
            field,
            Rule::TooLong,
            format!("不能超过 {MAX_TEXT} 个字符"),
            format!("at most {MAX_TEXT} characters"),
        ));
    } else if value.chars().any(char::is_control) {
        errors.push(err(
            field,
            Rule::ControlCharacter,
            "含有控制字符",
            "contains a control character",
        ));
    }
}

/// Check `results` against the panel members who served (`panel`, expert
/// ids). Every failed rule is reported, each naming its field.
pub fn check(results: &EvaluationResults, panel: &[String]) -> Result<Outcome, Vec<FieldError>> {
    let mut errors = Vec::new();
    let r = results;

    // Items.
    if r.items.is_empty() {
        errors.push(err(
            "items",
            Rule::Required,
            "至少一个评分项",
            "at least one scoring item",
        ));
    }
    if r.items.len() > MAX_ITEMS {
        errors.push(err(
            "items",
            Rule::TooMany,
            format!("评分项不能超过 {MAX_ITEMS} 个"),
            format!("at most {MAX_ITEMS} items"),
        ));
    }
    let mut items: BTreeMap<&str, Centi> = BTreeMap::new();
    for (i, item) in r.items.iter().enumerate() {
        text(&mut errors, format!("items/{i}/code"), &item.code);
        text(&mut errors, format!("items/{i}/name"), &item.name);
        if item.max.0 == 0 {
            errors.push(err(
                format!("items/{i}/max"),
                Rule::OutOfRange,
                "分值上限必须大于 0",
                "max must be above 0",
            ));
        }
        if items.insert(item.code.as_str(), item.max).is_some() {
            errors.push(err(
                format!("items/{i}/code"),
                Rule::Duplicate,
                "评分项代码重复",
                "duplicate item code",
            ));
        }
    }

    // Bidders.
    if r.bidders.is_empty() {
        errors.push(err(
            "bidders",
            Rule::Required,
            "至少一个投标人",
            "at least one bidder",
        ));
    }
    if r.bidders.len() > MAX_BIDDERS {
        errors.push(err(
            "bidders",
            Rule::TooMany,
            format!("投标人不能超过 {MAX_BIDDERS} 个"),
            format!("at most {MAX_BIDDERS} bidders"),
        ));
    }
    let mut bidders = BTreeSet::new();
    for (i, b) in r.bidders.iter().enumerate() {
        if let Err(e) = CreditCode::parse(&b.code) {
            errors.push(FieldError::from_identity(format!("bidders/{i}/code"), &e));
        }
        text(&mut errors, format!("bidders/{i}/name"), &b.name);
        if !bidders.insert(b.code.as_str()) {
            errors.push(err(
                format!("bidders/{i}/code"),
                Rule::Duplicate,
                "投标人重复",
                "duplicate bidder",
            ));
        }
    }
    let known = |errors: &mut Vec<FieldError>, field: String, code: &str| {
        let ok = bidders.contains(code);
        if !ok {
            errors.push(err(
                field,
                Rule::UnknownReference,
                "不是本项目的投标人",
                "not a bidder of this evaluation",
            ));
        }
        ok
    };

    // Rejections.
    let mut rejected = BTreeSet::new();
    for (i, x) in r.rejected.iter().enumerate() {
        known(&mut errors, format!("rejected/{i}/bidder"), &x.bidder);
        text(&mut errors, format!("rejected/{i}/reason"), &x.reason);
        text(&mut errors, format!("rejected/{i}/basis"), &x.basis);
        if !rejected.insert(x.bidder.as_str()) {
            errors.push(err(
                format!("rejected/{i}/bidder"),
                Rule::Duplicate,
                "同一投标被否决两次",
                "the bid is rejected twice",
            ));
        }
    }

    // Scores: one sheet per member per scored bid, every item within its max.
    let members: BTreeSet<&str> = panel.iter().map(String::as_str).collect();
    let mut sheets: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    for (i, s) in r.scores.iter().enumerate() {
        let at = |f: &str| format!("scores/{i}/{f}");
        if !members.contains(s.expert_id.as_str()) {
            errors.push(err(
                at("expert_id"),
                Rule::NotOnPanel,
                "不是本评标委员会的成员",
                "not a member who served on this panel",
            ));
        }
        if known(&mut errors, at("bidder"), &s.bidder) && rejected.contains(s.bidder.as_str()) {
            errors.push(err(
                at("bidder"),
                Rule::Rejected,
                "被否决的投标不参与评分",
                "a rejected bid is not scored",
            ));
        }
        if sheets
            .insert((s.expert_id.as_str(), s.bidder.as_str()), i)
            .is_some()
        {
            errors.push(err(
                at("bidder"),
                Rule::Duplicate,
                "同一专家对同一投标只能有一份评分",
                "one sheet per member per bid",
            ));
        }
        let mut sum = 0u64;
        for (code, points) in &s.items {
            match items.get(code.as_str()) {
                None => errors.push(err(
                    at(&format!("items/{code}")),
                    Rule::UnknownReference,
                    "不是招标文件的评分项",
                    "not an item of the criteria",
                )),
                Some(max) if points > max => errors.push(err(
                    at(&format!("items/{code}")),
                    Rule::OutOfRange,
                    format!("得分 {points} 超过该项满分 {max}"),
                    format!("{points} exceeds the item's maximum {max}"),
                )),
                Some(_) => {}
            }
            sum += points.0;
        }
        for code in items.keys() {
            if !s.items.contains_key(*code) {
                errors.push(err(
                    at(&format!("items/{code}")),
                    Rule::Required,
                    "缺少该评分项的得分",
                    "the item is not scored",
                ));
            }
        }
        if sum != s.total.0 {
            errors.push(err(
                at("total"),
                Rule::TotalMismatch,
                format!("合计 {} 与各项得分之和 {} 不一致", s.total, Centi(sum)),
                format!(
                    "total {} is not the sum of the items, {}",
                    s.total,
                    Centi(sum)
                ),
            ));
        }
        // Finals from the items themselves: a mistyped total is reported
        // once, not again as a wrong final.
        *totals.entry(s.bidder.as_str()).or_default() += sum;
    }
    let scored: Vec<&str> = bidders
        .iter()
        .copied()
        .filter(|b| !rejected.contains(b))
        .collect();
    // Finals are only meaningful over a complete matrix of sheets.
    let mut complete = r.scores.len() == members.len() * scored.len();
    for member in &members {
        for bidder in &scored {
            if !sheets.contains_key(&(*member, *bidder)) {
                complete = false;
                errors.push(err(
                    "scores",
                    Rule::Required,
                    format!("缺少专家 {member} 对投标人 {bidder} 的评分"),
                    format!("no sheet of member {member} for bidder {bidder}"),
                ));
            }
        }
    }

    // Finals and candidates.
    let n = members.len() as u64;
    let mut finals: Vec<(String, Centi)> = if n == 0 {
        Vec::new()
    } else {
        scored
            .iter()
            .map(|b| {
                (
                    (*b).to_owned(),
                    mean_half_up(totals.get(b).copied().unwrap_or(0), n),
                )
            })
            .collect()
    };
    finals.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let final_of: BTreeMap<&str, Centi> = finals.iter().map(|(b, c)| (b.as_str(), *c)).collect();
    if r.candidates.is_empty() && !scored.is_empty() {
        errors.push(err(
            "candidates",
            Rule::Required,
            "应推荐中标候选人",
            "name the recommended candidates",
        ));
    }
    if r.candidates.len() > MAX_CANDIDATES {
        errors.push(err(
            "candidates",
            Rule::TooMany,
            format!("中标候选人不超过 {MAX_CANDIDATES} 个"),
            format!("at most {MAX_CANDIDATES} candidates"),
        ));
    }
    let mut named = BTreeSet::new();
    let mut lowest: Option<Centi> = None;
    for (i, c) in r.candidates.iter().enumerate() {
        let at = |f: &str| format!("candidates/{i}/{f}");
        if c.rank as usize != i + 1 {
            errors.push(err(
                at("rank"),
                Rule::RankOrder,
                format!("名次应为 {}", i + 1),
                format!("rank must be {}", i + 1),
            ));
        }
        if !named.insert(c.bidder.as_str()) {
            errors.push(err(
                at("bidder"),
                Rule::Duplicate,
                "候选人重复",
                "duplicate candidate",
            ));
        }
        if !known(&mut errors, at("bidder"), &c.bidder) {
            continue;
        }
        if rejected.contains(c.bidder.as_str()) {
            errors.push(err(
                at("bidder"),
                Rule::Rejected,
                "被否决的投标不能作为中标候选人",
                "a rejected bid cannot be a candidate",
            ));
            continue;
        }
        if let Some(computed) = final_of.get(c.bidder.as_str()).filter(|_| complete) {
            if *computed != c.score {
                errors.push(err(
                    at("score"),
                    Rule::TotalMismatch,
                    format!(
                        "最终得分应为各成员合计的平均值 {computed}，而非 {}",
                        c.score
                    ),
                    format!(
                        "the final score is the mean of the members' totals, {computed}, not {}",
                        c.score
                    ),
                ));
            }
            if lowest.is_some_and(|l| *computed > l) {
                errors.push(err(
                    at("rank"),
                    Rule::RankOrder,
                    "候选人应按最终得分由高到低排序",
                    "candidates go by final score, highest first",
                ));
            }
            lowest = Some(lowest.map_or(*computed, |l| l.min(*computed)));
        }
    }
    // Nobody left out scored better than a candidate.
    if let Some(floor) = lowest.filter(|_| complete) {
        for (bidder, score) in &finals {
            if !named.contains(bidder.as_str()) && *score > floor {
                errors.push(err(
                    "candidates",
                    Rule::RankOrder,
                    format!("投标人 {bidder} 的最终得分 {score} 高于已推荐的候选人"),
                    format!("bidder {bidder} scored {score}, above a recommended candidate"),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(Outcome { finals })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests;
