//! Reading one cell as the value a column needs: text, identifiers that
//! Excel may have turned into numbers, yes/no, titles, whole numbers, dates.
//!
//! Messages never repeat an identifier's value: they are printed and saved.

use chrono::{Duration, NaiveDate};
use expert_core::expert::TitleLevel;

use super::table::Cell;

/// Why a cell cannot be read; `rule` is a stable code for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub rule: &'static str,
    pub message_zh: String,
    pub message_en: String,
}

impl CellError {
    fn new(rule: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        CellError {
            rule,
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }

    pub fn required() -> Self {
        Self::new("required", "必填项为空", "this cell is required")
    }
}

/// Shown in messages about non-identifier cells; long values are cut.
fn shown(s: &str) -> String {
    let mut out: String = s.trim().chars().take(20).collect();
    if s.trim().chars().count() > 20 {
        out.push('…');
    }
    out
}

/// A number written as Excel shows a whole number (`420100`, not `420100.0`).
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

fn cell_error(e: &str) -> CellError {
    CellError::new(
        "cell_error",
        format!("单元格是Excel错误值 {e}"),
        format!("the cell holds the Excel error {e}"),
    )
}

/// Any cell as text; empty cells give an empty string.
pub fn text(cell: &Cell) -> Result<String, CellError> {
    Ok(match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.trim().to_owned(),
        Cell::Number(n) => number_text(*n),
        Cell::Bool(b) => b.to_string(),
        Cell::Date(d) => d.to_string(),
        Cell::Error(e) => return Err(cell_error(e)),
    })
}

/// Text that is `None` when blank.
pub fn optional_text(cell: &Cell) -> Result<Option<String>, CellError> {
    let s = text(cell)?;
    Ok(Some(s).filter(|s| !s.is_empty()))
}

/// `4.20106197001011E+17` or `420106197001011000.0`: what an 18-digit ID
/// becomes once Excel has stored it as a number and it is saved as text.
pub fn looks_like_float(s: &str) -> bool {
    let s = s.trim();
    (s.contains('.') || s.contains(['e', 'E']))
        && s.parse::<f64>().is_ok_and(f64::is_finite)
        && s.chars().next().is_some_and(|c| c.is_ascii_digit())
}

fn number_not_text(label_zh: &str, label_en: &str) -> CellError {
    CellError::new(
        "number_not_text",
        format!(
            "{label_zh}被Excel存成了数字，超过15位的数字已丢失精度：请把该列设置为“文本”格式后重新录入"
        ),
        format!(
            "the {label_en} was stored by Excel as a number, which keeps only 15 digits: format the column as Text and enter the values again"
        ),
    )
}

/// An 18-character identifier (resident ID, credit code). A number cell, or
/// text that looks like one, cannot be repaired: the digits are gone.
pub fn long_identifier(cell: &Cell, label_zh: &str, label_en: &str) -> Result<String, CellError> {
    match cell {
        Cell::Number(_) => Err(number_not_text(label_zh, label_en)),
        Cell::Text(s) if looks_like_float(s) => Err(number_not_text(label_zh, label_en)),
        other => text(other),
    }
}

/// A mobile number: 11 digits fit a spreadsheet number exactly, so a whole
/// number cell is read back as its digits.
pub fn short_identifier(cell: &Cell, label_zh: &str, label_en: &str) -> Result<String, CellError> {
    match cell {
        Cell::Number(n) if n.fract() != 0.0 || n.abs() >= 1e15 => {
            Err(number_not_text(label_zh, label_en))
        }
        Cell::Text(s) if looks_like_float(s) => Err(number_not_text(label_zh, label_en)),
        other => text(other),
    }
}

/// 是/否, true/false, 1/0, yes/no, y/n, √/×; `None` when blank.
pub fn boolean(cell: &Cell) -> Result<Option<bool>, CellError> {
    let s = match cell {
        Cell::Bool(b) => return Ok(Some(*b)),
        Cell::Number(n) if *n == 1.0 => return Ok(Some(true)),
        Cell::Number(n) if *n == 0.0 => return Ok(Some(false)),
        other => text(other)?,
    };
    let value = match s.to_lowercase().as_str() {
        "" => return Ok(None),
        "是" | "true" | "1" | "yes" | "y" | "√" | "✓" => true,
        "否" | "false" | "0" | "no" | "n" | "×" | "✗" => false,
        _ => {
            return Err(CellError::new(
                "invalid_bool",
                format!("“{}”不是是/否", shown(&s)),
                format!("{:?} is not yes/no (是/否, true/false, 1/0)", shown(&s)),
            ));
        }
    };
    Ok(Some(value))
}

/// The snake_case API values (any case) or the Chinese names.
pub fn title(cell: &Cell) -> Result<Option<TitleLevel>, CellError> {
    let s = text(cell)?;
    let t = match s.to_lowercase().replace([' ', '-'], "_").as_str() {
        "" => return Ok(None),
        "senior" | "正高级" | "正高" => TitleLevel::Senior,
        "associate_senior" | "副高级" | "副高" => TitleLevel::AssociateSenior,
        "intermediate" | "中级" => TitleLevel::Intermediate,
        "junior" | "初级" => TitleLevel::Junior,
        "none" | "无" | "无职称" => TitleLevel::None,
        _ => {
            return Err(CellError::new(
                "invalid_title",
                format!(
                    "职称“{}”无法识别，应为正高级/副高级/中级/初级/无",
                    shown(&s)
                ),
                format!(
                    "title {:?} is not one of senior, associate_senior, intermediate, junior, none",
                    shown(&s)
                ),
            ));
        }
    };
    Ok(Some(t))
}

/// A whole number of years; `None` when blank.
pub fn whole_number(cell: &Cell) -> Result<Option<u32>, CellError> {
    let bad = |s: &str| {
        CellError::new(
            "invalid_number",
            format!("“{}”不是非负整数", shown(s)),
            format!("{:?} is not a whole number", shown(s)),
        )
    };
    match cell {
        Cell::Number(n) => {
            if n.fract() == 0.0 && *n >= 0.0 && *n <= f64::from(u32::MAX) {
                // Checked above: whole and in range.
                let v = *n as u32;
                Ok(Some(v))
            } else {
                Err(bad(&number_text(*n)))
            }
        }
        other => {
            let s = text(other)?;
            if s.is_empty() {
                return Ok(None);
            }
            s.parse().map(Some).map_err(|_| bad(&s))
        }
    }
}

/// The date of an Excel serial number in the 1900 date system. Serial 60 is
/// Excel's 1900-02-29, which never existed.
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    // Checked above: positive and below Excel's last date (9999-12-31).
    let days = serial.floor() as i64;
    let (base, days) = match days {
        1..=59 => (NaiveDate::from_ymd_opt(1899, 12, 31)?, days),
        60 => return None,
        _ => (NaiveDate::from_ymd_opt(1899, 12, 30)?, days),
    };
    base.checked_add_signed(Duration::days(days))
}

/// A date cell, an Excel serial number, or text such as `2015-03-01`,
/// `2015/3/1`, `2015.3.1`, `2015年3月1日` or `20150301`.
pub fn date(cell: &Cell) -> Result<Option<NaiveDate>, CellError> {
    let bad = |s: &str| {
        CellError::new(
            "invalid_date",
            format!("“{}”不是有效日期，应为如2015-03-01的格式", shown(s)),
            format!("{:?} is not a date such as 2015-03-01", shown(s)),
        )
    };
    match cell {
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Number(n) => excel_serial_date(*n)
            .map(Some)
            .ok_or_else(|| bad(&number_text(*n))),
        other => {
            let s = text(other)?;
            if s.is_empty() {
                return Ok(None);
            }
            parse_date_text(&s).map(Some).ok_or_else(|| bad(&s))
        }
    }
}

fn parse_date_text(s: &str) -> Option<NaiveDate> {
    // A date-time exported as text: keep the date.
    let s = s.split([' ', 'T']).next().unwrap_or(s);
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    if !s.is_empty() && s.len() <= 7 && s.bytes().all(|b| b.is_ascii_digit()) {
        return excel_serial_date(s.parse().ok()?);
    }
    let parts: Vec<&str> = s
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Specialty codes separated by `;` `、` `,` (or their full-width forms).
pub fn code_list(cell: &Cell) -> Result<Vec<String>, CellError> {
    Ok(text(cell)?
        .split([';', '；', '、', ',', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn booleans() {
        for yes in ["是", "true", "TRUE", "1", "yes", "Y", "√"] {
            assert_eq!(boolean(&t(yes)), Ok(Some(true)), "{yes}");
        }
        for no in ["否", "false", "False", "0", "no", "×"] {
            assert_eq!(boolean(&t(no)), Ok(Some(false)), "{no}");
        }
        assert_eq!(boolean(&Cell::Bool(true)), Ok(Some(true)));
        assert_eq!(boolean(&Cell::Number(0.0)), Ok(Some(false)));
        assert_eq!(boolean(&t("  ")), Ok(None));
        assert_eq!(boolean(&Cell::Empty), Ok(None));
        assert_eq!(boolean(&t("maybe")).unwrap_err().rule, "invalid_bool");
        assert_eq!(
            boolean(&Cell::Number(2.0)).unwrap_err().rule,
            "invalid_bool"
        );
    }

    #[test]
    fn titles() {
        for (s, level) in [
            ("senior", TitleLevel::Senior),
            ("正高级", TitleLevel::Senior),
            ("associate_senior", TitleLevel::AssociateSenior),
            ("Associate Senior", TitleLevel::AssociateSenior),
            ("副高级", TitleLevel::AssociateSenior),
            ("intermediate", TitleLevel::Intermediate),
            ("中级", TitleLevel::Intermediate),
            ("junior", TitleLevel::Junior),
            ("初级", TitleLevel::Junior),
            ("none", TitleLevel::None),
            ("无", TitleLevel::None),
        ] {
            assert_eq!(title(&t(s)), Ok(Some(level)), "{s}");
        }
        assert_eq!(title(&Cell::Empty), Ok(None));
        let e = title(&t("教授")).unwrap_err();
        assert_eq!(e.rule, "invalid_title");
        assert!(e.message_en.contains("教授"));
    }

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_serial_date(1.0), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial_date(59.0), Some(d(1900, 2, 28)));
        assert_eq!(excel_serial_date(60.0), None);
        assert_eq!(excel_serial_date(61.0), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial_date(42064.0), Some(d(2015, 3, 1)));
        assert_eq!(excel_serial_date(45943.541), Some(d(2025, 10, 13)));
        assert_eq!(excel_serial_date(2_958_465.0), Some(d(9999, 12, 31)));
        assert_eq!(excel_serial_date(0.0), None);
        assert_eq!(excel_serial_date(-5.0), None);
        assert_eq!(excel_serial_date(f64::NAN), None);
        assert_eq!(date(&Cell::Number(42064.0)), Ok(Some(d(2015, 3, 1))));
        assert_eq!(date(&t("42064")), Ok(Some(d(2015, 3, 1))));
    }

    #[test]
    fn date_texts() {
        for s in [
            "2015-03-01",
            "2015/3/1",
            "2015.03.01",
            "2015年3月1日",
            "20150301",
            "2015-03-01 00:00:00",
        ] {
            assert_eq!(date(&t(s)), Ok(Some(d(2015, 3, 1))), "{s}");
        }
        assert_eq!(date(&Cell::Date(d(2020, 2, 29))), Ok(Some(d(2020, 2, 29))));
        assert_eq!(date(&t("")), Ok(None));
        for bad in ["2015-02-30", "15-3-1", "next week", "2015-03"] {
            assert_eq!(date(&t(bad)).unwrap_err().rule, "invalid_date", "{bad}");
        }
    }

    #[test]
    fn float_looking_ids_are_refused() {
        assert!(looks_like_float("4.20106197001011E+17"));
        assert!(looks_like_float("420106197001011000.0"));
        assert!(looks_like_float("4.2e17"));
        assert!(!looks_like_float("420106197001011232"));
        assert!(!looks_like_float("42010619700101123X"));
        assert!(!looks_like_float("E0001"));
        let e = long_identifier(&t("4.20106197001011E+17"), "身份证号", "resident ID").unwrap_err();
        assert_eq!(e.rule, "number_not_text");
        assert!(e.message_en.contains("format the column as Text"));
        let e = long_identifier(
            &Cell::Number(420106197001011232.0),
            "身份证号",
            "resident ID",
        )
        .unwrap_err();
        assert_eq!(e.rule, "number_not_text");
        assert_eq!(
            long_identifier(&t(" 42010619700101123x "), "身份证号", "resident ID"),
            Ok("42010619700101123x".into())
        );
    }

    #[test]
    fn mobile_numbers_survive_number_cells() {
        assert_eq!(
            short_identifier(&Cell::Number(13812345678.0), "手机号", "mobile"),
            Ok("13812345678".into())
        );
        assert_eq!(
            short_identifier(&t("1.38E+10"), "手机号", "mobile")
                .unwrap_err()
                .rule,
            "number_not_text"
        );
    }

    #[test]
    fn numbers_and_lists() {
        assert_eq!(whole_number(&t("15")), Ok(Some(15)));
        assert_eq!(whole_number(&Cell::Number(15.0)), Ok(Some(15)));
        assert_eq!(whole_number(&Cell::Empty), Ok(None));
        assert_eq!(whole_number(&t("-1")).unwrap_err().rule, "invalid_number");
        assert_eq!(
            whole_number(&Cell::Number(1.5)).unwrap_err().rule,
            "invalid_number"
        );
        assert_eq!(
            code_list(&t("ENA010101; ENA020101、ENB01,ENC，")).unwrap(),
            ["ENA010101", "ENA020101", "ENB01", "ENC"]
        );
        assert_eq!(text(&Cell::Number(420100.0)), Ok("420100".into()));
        assert_eq!(
            text(&Cell::Error("#N/A".into())).unwrap_err().rule,
            "cell_error"
        );
    }
}
