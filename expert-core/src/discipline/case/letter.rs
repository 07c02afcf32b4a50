//! The letter to a civil-servant expert's employer (通报函): Chinese text
//! from a configurable template filled with the case's facts. The store
//! keeps the text and records its delivery with `deliver_employer_letter`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::types::{Case, Hearing};
use crate::expert::{FieldError, Rule};

/// The names a template may use, each written `{name}`; `{{` and `}}`
/// stand for literal braces.
pub const LETTER_PLACEHOLDERS: [&str; 13] = [
    "employer",
    "expert",
    "authority",
    "case_no",
    "facts",
    "legal_basis",
    "served_on",
    "defence",
    "decided_on",
    "sanction",
    "effective_on",
    "reasons",
    "issued_on",
];

pub const DEFAULT_LETTER_TEMPLATE: &str = "关于{expert}同志评标违规行为处理情况的通报

{employer}：

你单位{expert}同志系{authority}评标专家库专家。经查：{facts}

上述行为违反了{legal_basis}的规定。{authority}于{served_on}依法告知其拟作出处理的事实、理由、依据及其依法享有的陈述、申辩权利。{defence}

经研究，{authority}于{decided_on}作出处理决定：{sanction}，自{effective_on}起执行（案件编号：{case_no}）。理由：{reasons}

根据评标专家管理有关规定，评标专家属国家工作人员的，应当向其所在单位通报有关情况。现予通报，请你单位加强对相关人员的教育管理。

{authority}
{issued_on}
";

/// What the letter needs beyond the case: names the case does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterParties {
    pub expert_name: String,
    pub employer_name: String,
    /// The issuing authority (e.g. 某某市公共资源交易监督管理局).
    pub authority: String,
    pub issued_on: NaiveDate,
}

/// The generated letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployerLetter {
    pub case_no: String,
    pub to: String,
    /// The first line of the text.
    pub title: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LetterError {
    #[error("该当事人不属国家工作人员，无须通报所在单位 / the expert is not a civil servant")]
    NotCivilServant,
    #[error("案件没有有效的处理决定 / the case has no standing sanction")]
    NoSanction,
    #[error("模板中有未知占位符“{{{name}}}” / unknown placeholder {{{name}}} in the template")]
    UnknownPlaceholder { name: String },
    #[error("模板第{at}个字符处的花括号未闭合 / unclosed brace at character {at} of the template")]
    UnclosedBrace { at: usize },
}

impl LetterError {
    pub fn code(&self) -> &'static str {
        match self {
            LetterError::NotCivilServant => "not_civil_servant",
            LetterError::NoSanction => "no_sanction",
            LetterError::UnknownPlaceholder { .. } => "unknown_placeholder",
            LetterError::UnclosedBrace { .. } => "unclosed_brace",
        }
    }
}

/// A date as Chinese documents write it: `2026年3月2日`.
pub fn date_zh(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// Fills `{name}` placeholders from `values`; `{{` and `}}` are literal
/// braces, a lone `}` is kept as is.
pub fn render_template(
    template: &str,
    values: &BTreeMap<&str, String>,
) -> Result<String, LetterError> {
    let mut out = String::with_capacity(template.len() * 2);
    let mut chars = template.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if chars.peek().is_some_and(|(_, n)| *n == '{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek().is_some_and(|(_, n)| *n == '}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for (_, n) in chars.by_ref() {
                    if n == '}' {
                        closed = true;
                        break;
                    }
                    name.push(n);
                }
                if !closed {
                    return Err(LetterError::UnclosedBrace { at: i });
                }
                let value = values
                    .get(name.as_str())
                    .ok_or(LetterError::UnknownPlaceholder { name })?;
                out.push_str(value);
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// Problems of a template, as field errors (empty for a usable one).
pub fn template_errors(template: &str) -> Vec<FieldError> {
    let values: BTreeMap<&str, String> = LETTER_PLACEHOLDERS
        .iter()
        .map(|p| (*p, String::new()))
        .collect();
    if template.trim().is_empty() {
        return vec![FieldError::new(
            "",
            Rule::Empty,
            "模板不能为空",
            "the template must not be blank",
        )];
    }
    match render_template(template, &values) {
        Ok(_) => Vec::new(),
        Err(e @ LetterError::UnknownPlaceholder { .. }) => {
            vec![split(Rule::UnknownItem, &e)]
        }
        Err(e) => vec![split(Rule::InvalidCharacter, &e)],
    }
}

fn split(rule: Rule, e: &LetterError) -> FieldError {
    let text = e.to_string();
    let (zh, en) = text
        .split_once(" / ")
        .unwrap_or((text.as_str(), text.as_str()));
    FieldError::new("", rule, zh, en)
}

/// The letter for `case` from `template`. Needs a civil-servant expert and
/// a standing sanction (after any review); works from the decision on, so
/// the letter can go out before or after the public notice.
pub fn employer_letter(
    case: &Case,
    parties: &LetterParties,
    template: &str,
) -> Result<EmployerLetter, LetterError> {
    if !case.civil_servant {
        return Err(LetterError::NotCivilServant);
    }
    let sanction = case.standing_sanction().ok_or(LetterError::NoSanction)?;
    let decision = case.decision.as_ref().ok_or(LetterError::NoSanction)?;
    let notice = case.notice.as_ref().ok_or(LetterError::NoSanction)?;

    let mut defence = if let Some(w) = &notice.defence_waived {
        format!("其于{}书面表示放弃陈述、申辩权利。", date_zh(w.on))
    } else if notice.statements.is_empty() {
        "其在规定期限内未提出陈述、申辩意见。".to_owned()
    } else {
        format!(
            "其在规定期限内提出了陈述、申辩意见，{}已予复核。",
            parties.authority
        )
    };
    match &notice.hearing {
        Hearing::Held { on, .. } => {
            defence.push_str(&format!("应其申请，于{}举行了听证。", date_zh(*on)));
        }
        Hearing::Waived { .. } => defence.push_str("其放弃了听证权利。"),
        Hearing::Offered => defence.push_str("其未在规定期限内申请听证。"),
        Hearing::NotRequired | Hearing::Requested { .. } => {}
    }
    let values: BTreeMap<&str, String> = [
        ("employer", parties.employer_name.clone()),
        ("expert", parties.expert_name.clone()),
        ("authority", parties.authority.clone()),
        ("case_no", case.case_no.clone()),
        ("facts", notice.facts.clone()),
        ("legal_basis", notice.legal_basis.join("、")),
        ("served_on", date_zh(notice.served_on)),
        ("defence", defence),
        ("decided_on", date_zh(decision.decided_on)),
        ("sanction", sanction.describe_zh()),
        ("effective_on", date_zh(decision.effective_on)),
        ("reasons", decision.reasons.clone()),
        ("issued_on", date_zh(parties.issued_on)),
    ]
    .into_iter()
    .collect();
    let text = render_template(template, &values)?;
    let title = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_owned();
    Ok(EmployerLetter {
        case_no: case.case_no.clone(),
        to: parties.employer_name.clone(),
        title,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<&'static str, String> {
        [("a", "甲".to_owned()), ("b", "乙".to_owned())]
            .into_iter()
            .collect()
    }

    #[test]
    fn rendering() {
        assert_eq!(render_template("{a}与{b}", &values()).unwrap(), "甲与乙");
        assert_eq!(render_template("{{a}} }", &values()).unwrap(), "{a} }");
        assert_eq!(
            render_template("x{c}", &values()),
            Err(LetterError::UnknownPlaceholder { name: "c".into() })
        );
        assert_eq!(
            render_template("ab{a", &values()),
            Err(LetterError::UnclosedBrace { at: 2 })
        );
    }

    #[test]
    fn template_checks() {
        assert!(template_errors(DEFAULT_LETTER_TEMPLATE).is_empty());
        let rules: Vec<Rule> = ["", "{nope}", "{expert"]
            .iter()
            .flat_map(|t| template_errors(t))
            .map(|e| e.rule)
            .collect();
        assert_eq!(
            rules,
            [Rule::Empty, Rule::UnknownItem, Rule::InvalidCharacter]
        );
        let e = &template_errors("{nope}")[0];
        assert!(
            e.message_zh.contains("{nope}") && e.message_en.contains("{nope}"),
            "{e:?}"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            date_zh(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()),
            "2026年3月2日"
        );
    }
}
