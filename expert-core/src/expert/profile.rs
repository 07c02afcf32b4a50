//! The data an expert registers with: the record that admission checks and
//! that draws, conflict rules and notices read.

use serde::{Deserialize, Serialize};

use crate::identity::{CreditCode, Mobile, ResidentId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpertProfile {
    pub name: String,
    pub resident_id: ResidentId,
    pub mobile: Mobile,
    /// GB/T 2260 code of a Hubei region (see `reference::Regions`).
    pub region: String,
    pub employer: Employer,
    /// Specialty codes from `reference::SpecialtyTree`, level 3 or below.
    pub specialties: Vec<String>,
    pub title: TitleLevel,
    /// Holds a qualification that counts as senior title ("或具有同等专业水平"),
    /// such as a registered practising qualification (注册执业资格).
    #[serde(default)]
    pub senior_equivalent: bool,
    pub years_in_field: u32,
    /// 国家工作人员: sanctions must then be reported to the employer, which is
    /// why such experts need an `employer_contact`.
    pub civil_servant: bool,
    #[serde(default)]
    pub employer_contact: Option<EmployerContact>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Employer {
    pub name: String,
    pub code: CreditCode,
}

/// Where notices to the employer go: a department or person, and a phone
/// number or postal address (at least one).
// Unknown keys are refused (here and below): these types arrive in API
// bodies, where a misspelt key must not vanish silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmployerContact {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// Professional title (职称), ordered from lowest to highest so that
/// `title >= TitleLevel::AssociateSenior` reads as "副高级 or above".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleLevel {
    None,
    Junior,
    Intermediate,
    AssociateSenior,
    Senior,
}

impl TitleLevel {
    pub const ALL: [TitleLevel; 5] = [
        TitleLevel::None,
        TitleLevel::Junior,
        TitleLevel::Intermediate,
        TitleLevel::AssociateSenior,
        TitleLevel::Senior,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TitleLevel::None => "none",
            TitleLevel::Junior => "junior",
            TitleLevel::Intermediate => "intermediate",
            TitleLevel::AssociateSenior => "associate_senior",
            TitleLevel::Senior => "senior",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            TitleLevel::None => "无职称",
            TitleLevel::Junior => "初级",
            TitleLevel::Intermediate => "中级",
            TitleLevel::AssociateSenior => "副高级",
            TitleLevel::Senior => "正高级",
        }
    }
}

/// References to the signed documents an application carries (for example a
/// file-store key); the documents themselves live outside this crate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Documents {
    /// The signed integrity pledge (廉洁自律承诺书).
    pub integrity_pledge: Option<String>,
    /// The certificate of no criminal record (无犯罪记录证明).
    pub no_criminal_record: Option<String>,
}

impl Documents {
    pub fn has_integrity_pledge(&self) -> bool {
        is_present(self.integrity_pledge.as_deref())
    }

    pub fn has_no_criminal_record(&self) -> bool {
        is_present(self.no_criminal_record.as_deref())
    }
}

/// A blank reference is a form left empty, not a document.
fn is_present(reference: Option<&str>) -> bool {
    reference.is_some_and(|r| !r.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_order_and_names() {
        assert!(TitleLevel::Senior > TitleLevel::AssociateSenior);
        assert!(TitleLevel::AssociateSenior > TitleLevel::Intermediate);
        assert!(TitleLevel::None < TitleLevel::Junior);
        for t in TitleLevel::ALL {
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.as_str())
            );
        }
        assert_eq!(TitleLevel::AssociateSenior.name_zh(), "副高级");
    }

    #[test]
    fn blank_document_references_do_not_count() {
        let docs = Documents {
            integrity_pledge: Some("  ".into()),
            no_criminal_record: Some("doc/42".into()),
        };
        assert!(!docs.has_integrity_pledge());
        assert!(docs.has_no_criminal_record());
        assert!(!Documents::default().has_no_criminal_record());
    }
}
