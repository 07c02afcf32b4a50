//! The roster's columns: their English and Chinese header names, which are
//! required, and where each field of an API error lands in the sheet.

use std::collections::HashMap;

/// One column of a roster. Headers match case-, space- and
/// underscore-insensitively on the English name or exactly on the Chinese one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Name,
    ResidentId,
    Mobile,
    Region,
    EmployerName,
    EmployerCode,
    EmployedSince,
    Specialties,
    Title,
    SeniorEquivalent,
    YearsInField,
    CivilServant,
    EmployerContactName,
    EmployerContactPhone,
    EmployerContactAddress,
    IntegrityPledge,
    NoCriminalRecord,
}

impl Column {
    /// In the order rosters usually list them (and the generator writes them).
    pub const ALL: [Column; 17] = [
        Column::Name,
        Column::ResidentId,
        Column::Mobile,
        Column::Region,
        Column::EmployerName,
        Column::EmployerCode,
        Column::EmployedSince,
        Column::Specialties,
        Column::Title,
        Column::SeniorEquivalent,
        Column::YearsInField,
        Column::CivilServant,
        Column::EmployerContactName,
        Column::EmployerContactPhone,
        Column::EmployerContactAddress,
        Column::IntegrityPledge,
        Column::NoCriminalRecord,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::ResidentId => "resident_id",
            Column::Mobile => "mobile",
            Column::Region => "region",
            Column::EmployerName => "employer_name",
            Column::EmployerCode => "employer_code",
            Column::EmployedSince => "employed_since",
            Column::Specialties => "specialties",
            Column::Title => "title",
            Column::SeniorEquivalent => "senior_equivalent",
            Column::YearsInField => "years_in_field",
            Column::CivilServant => "civil_servant",
            Column::EmployerContactName => "employer_contact_name",
            Column::EmployerContactPhone => "employer_contact_phone",
            Column::EmployerContactAddress => "employer_contact_address",
            Column::IntegrityPledge => "integrity_pledge",
            Column::NoCriminalRecord => "no_criminal_record",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Column::Name => "姓名",
            Column::ResidentId => "身份证号",
            Column::Mobile => "手机号",
            Column::Region => "地区代码",
            Column::EmployerName => "工作单位",
            Column::EmployerCode => "统一社会信用代码",
            Column::EmployedSince => "入职日期",
            Column::Specialties => "专业",
            Column::Title => "职称",
            Column::SeniorEquivalent => "同等专业水平",
            Column::YearsInField => "从业年限",
            Column::CivilServant => "是否国家工作人员",
            Column::EmployerContactName => "单位联系人",
            Column::EmployerContactPhone => "单位联系电话",
            Column::EmployerContactAddress => "单位联系地址",
            Column::IntegrityPledge => "廉洁承诺书",
            Column::NoCriminalRecord => "无犯罪记录证明",
        }
    }

    /// A roster without this column cannot be imported at all (exit 2);
    /// an optional column may be left out, and its cells may be empty.
    pub fn required(self) -> bool {
        !matches!(
            self,
            Column::EmployedSince
                | Column::SeniorEquivalent
                | Column::EmployerContactName
                | Column::EmployerContactPhone
                | Column::EmployerContactAddress
                | Column::IntegrityPledge
                | Column::NoCriminalRecord
        )
    }

    /// `resident_id (身份证号)`, as messages name a column.
    pub fn label(self) -> String {
        format!("{} ({})", self.name(), self.name_zh())
    }

    /// The column an API field path (`profile/specialties/2`,
    /// `employer/code`, `history/ban_until`) comes from.
    pub fn for_field(field: &str) -> Option<Column> {
        let field = field.strip_prefix("profile/").unwrap_or(field);
        let head = field.split('/').next().unwrap_or(field);
        Some(match head {
            "name" => Column::Name,
            "resident_id" | "history" => Column::ResidentId,
            "mobile" => Column::Mobile,
            "region" => Column::Region,
            "employer" if field == "employer/code" => Column::EmployerCode,
            "employer" => Column::EmployerName,
            "employed_since" => Column::EmployedSince,
            "specialties" => Column::Specialties,
            "title" => Column::Title,
            "senior_equivalent" => Column::SeniorEquivalent,
            "years_in_field" => Column::YearsInField,
            "civil_servant" => Column::CivilServant,
            "employer_contact" => match field {
                "employer_contact/phone" => Column::EmployerContactPhone,
                "employer_contact/address" => Column::EmployerContactAddress,
                _ => Column::EmployerContactName,
            },
            "documents" => match field {
                "documents/no_criminal_record" => Column::NoCriminalRecord,
                _ => Column::IntegrityPledge,
            },
            _ => return None,
        })
    }
}

/// Case, spaces (also full-width), underscores, hyphens and a trailing
/// required-marker `*` do not matter: `Resident ID`, `resident_id` and
/// `RESIDENT-ID *` are one header.
pub fn normalise(header: &str) -> String {
    header
        .trim()
        .trim_end_matches(['*', '＊'])
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-' && *c != '\u{3000}')
        .flat_map(char::to_lowercase)
        .collect()
}

fn lookup() -> HashMap<String, Column> {
    let mut map = HashMap::new();
    for c in Column::ALL {
        map.insert(normalise(c.name()), c);
        map.insert(normalise(c.name_zh()), c);
    }
    map
}

/// Which cell of a row holds which column.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    index: HashMap<Column, usize>,
    /// Headers that match no column; they are ignored (rosters often carry
    /// a 序号 or 备注 column), and the summary names them.
    pub ignored: Vec<String>,
}

/// Why a header row cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error(
        "缺少必填列 / missing required column(s): {}",
        .0.iter().map(|c| c.label()).collect::<Vec<_>>().join(", ")
    )]
    Missing(Vec<Column>),
    #[error(
        "列重复 / column {} appears twice (headers {first:?} and {second:?})",
        column.label()
    )]
    Twice {
        column: Column,
        first: String,
        second: String,
    },
}

impl ColumnMap {
    pub fn from_headers(headers: &[String]) -> Result<ColumnMap, HeaderError> {
        let names = lookup();
        let mut map = ColumnMap::default();
        let mut seen: HashMap<Column, &str> = HashMap::new();
        for (i, header) in headers.iter().enumerate() {
            let key = normalise(header);
            if key.is_empty() {
                continue;
            }
            match names.get(&key) {
                Some(&column) => {
                    if let Some(first) = seen.insert(column, header) {
                        return Err(HeaderError::Twice {
                            column,
                            first: first.to_owned(),
                            second: header.clone(),
                        });
                    }
                    map.index.insert(column, i);
                }
                None => map.ignored.push(header.trim().to_owned()),
            }
        }
        let missing: Vec<Column> = Column::ALL
            .into_iter()
            .filter(|c| c.required() && !map.index.contains_key(c))
            .collect();
        if !missing.is_empty() {
            return Err(HeaderError::Missing(missing));
        }
        Ok(map)
    }

    pub fn index(&self, column: Column) -> Option<usize> {
        self.index.get(&column).copied()
    }
}

/// The `--help` text on columns, kept beside the names it describes.
pub fn help() -> String {
    let mut s = String::from(
        "Columns (header row; English or Chinese names, case/space-insensitive; other columns are ignored):\n",
    );
    for c in Column::ALL {
        let what = match c {
            Column::Name => "name",
            Column::ResidentId => "18-character resident ID, formatted as TEXT in Excel",
            Column::Mobile => "11-digit mobile number",
            Column::Region => "Hubei region code, e.g. 420100",
            Column::EmployerName => "employer's name",
            Column::EmployerCode => "employer's unified social credit code (18 characters)",
            Column::EmployedSince => "date, e.g. 2015-03-01 (default: today)",
            Column::Specialties => "specialty codes (level 3+), separated by ; 、 or ,",
            Column::Title => {
                "senior/正高级, associate_senior/副高级, intermediate/中级, junior/初级, none/无"
            }
            Column::SeniorEquivalent => "是/否, true/false, 1/0 (default 否)",
            Column::YearsInField => "whole years",
            Column::CivilServant => "是/否, true/false, 1/0",
            Column::EmployerContactName => "needed for civil servants",
            Column::EmployerContactPhone => "contact's phone (phone or address needed)",
            Column::EmployerContactAddress => "contact's postal address",
            Column::IntegrityPledge => "reference to the signed integrity pledge",
            Column::NoCriminalRecord => "reference to the no-criminal-record certificate",
        };
        let need = if c.required() { "required" } else { "optional" };
        // Chinese characters take two terminal columns.
        let zh_width: usize = c
            .name_zh()
            .chars()
            .map(|ch| if ch.is_ascii() { 1 } else { 2 })
            .sum();
        let pad = " ".repeat(18_usize.saturating_sub(zh_width));
        s.push_str(&format!(
            "  {:<26}{}{pad}{need:<9} {what}\n",
            c.name(),
            c.name_zh()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| (*s).to_owned()).collect()
    }

    const REQUIRED_EN: [&str; 10] = [
        "name",
        "resident_id",
        "mobile",
        "region",
        "employer_name",
        "employer_code",
        "specialties",
        "title",
        "years_in_field",
        "civil_servant",
    ];

    #[test]
    fn english_names_in_any_case_and_spacing() {
        let mut h = headers(&REQUIRED_EN);
        h[1] = " Resident ID ".into();
        h[4] = "EMPLOYER-NAME *".into();
        h[8] = "Years In Field".into();
        h.push("备注".into());
        let map = ColumnMap::from_headers(&h).unwrap();
        assert_eq!(map.index(Column::ResidentId), Some(1));
        assert_eq!(map.index(Column::EmployerName), Some(4));
        assert_eq!(map.index(Column::YearsInField), Some(8));
        assert_eq!(map.index(Column::EmployedSince), None);
        assert_eq!(map.ignored, ["备注"]);
    }

    #[test]
    fn chinese_names() {
        let h = headers(&[
            "序号",
            "姓名",
            "身份证号",
            "手机号",
            "地区代码",
            "工作单位",
            "统一社会信用代码",
            "入职日期",
            "专业",
            "职称",
            "同等专业水平",
            "从业年限",
            "是否国家工作人员",
            "单位联系人",
            "单位联系电话",
            "单位联系地址",
            "廉洁承诺书",
            "无犯罪记录证明",
        ]);
        let map = ColumnMap::from_headers(&h).unwrap();
        for (i, c) in Column::ALL.into_iter().enumerate() {
            assert_eq!(map.index(c), Some(i + 1), "{c:?}");
        }
        assert_eq!(map.ignored, ["序号"]);
    }

    #[test]
    fn missing_columns_are_named() {
        let h = headers(&["name", "mobile", "region"]);
        let err = ColumnMap::from_headers(&h).unwrap_err();
        let HeaderError::Missing(missing) = &err else {
            panic!("{err}")
        };
        assert_eq!(missing.len(), 7);
        let text = err.to_string();
        assert!(text.contains("resident_id (身份证号)"), "{text}");
        assert!(text.contains("civil_servant (是否国家工作人员)"), "{text}");
    }

    #[test]
    fn a_column_twice_is_refused() {
        let mut h = headers(&REQUIRED_EN);
        h.push("姓名".into());
        assert!(matches!(
            ColumnMap::from_headers(&h),
            Err(HeaderError::Twice {
                column: Column::Name,
                ..
            })
        ));
    }

    #[test]
    fn api_fields_map_to_columns() {
        for (field, column) in [
            ("resident_id", Column::ResidentId),
            ("profile/resident_id", Column::ResidentId),
            ("history/ban_until", Column::ResidentId),
            ("employer/code", Column::EmployerCode),
            ("profile/employer/name", Column::EmployerName),
            ("profile/specialties/2", Column::Specialties),
            ("profile/employer_contact", Column::EmployerContactName),
            (
                "profile/employer_contact/phone",
                Column::EmployerContactPhone,
            ),
            ("documents/no_criminal_record", Column::NoCriminalRecord),
            ("documents/integrity_pledge", Column::IntegrityPledge),
            ("profile/title", Column::Title),
        ] {
            assert_eq!(Column::for_field(field), Some(column), "{field}");
        }
        assert_eq!(Column::for_field("term_number"), None);
    }
}
