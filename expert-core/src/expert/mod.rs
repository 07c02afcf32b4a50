//! Who an expert is: identity, employer, specialties, title, documents and
//! employment history, and the field-by-field validation of a profile.

mod age;
mod employment;
mod field_error;
mod profile;
mod validate;

pub use age::{age_on, date_reaching_age};
pub use employment::{Employment, EmploymentError, EmploymentHistory};
pub use field_error::{FieldError, Rule};
pub use profile::{Documents, Employer, EmployerContact, ExpertProfile, TitleLevel};
pub use validate::{
    MAX_ADDRESS_CHARS, MAX_EMPLOYER_NAME_CHARS, MAX_NAME_CHARS, MAX_PHONE_CHARS, MAX_SPECIALTIES,
    validate_profile,
};

#[cfg(test)]
pub(crate) mod test_support {
    //! A valid sample profile for tests across the crate.
    //! Each test edits a copy to break exactly the rule it is about.

    use super::*;
    use crate::identity::{CreditCode, Mobile, ResidentId};

    /// 张三, born 1970-01-01 in Wuhan, 副高级, 15 years, two level-5 codes
    /// under ENA (one level-2 code, two level-3 codes).
    pub(crate) fn profile() -> ExpertProfile {
        ExpertProfile {
            name: "张三".into(),
            resident_id: ResidentId::parse("420106197001011232").unwrap(),
            mobile: Mobile::parse("13812345678").unwrap(),
            region: "420100".into(),
            employer: Employer {
                name: "湖北省某某设计研究院有限公司".into(),
                code: CreditCode::parse("91350100M000100Y43").unwrap(),
            },
            specialties: vec!["ENA010101".into(), "ENA020101".into()],
            title: TitleLevel::AssociateSenior,
            senior_equivalent: false,
            years_in_field: 15,
            civil_servant: false,
            employer_contact: Some(EmployerContact {
                name: "人事处".into(),
                phone: Some("027-12345678".into()),
                address: None,
            }),
        }
    }
}
