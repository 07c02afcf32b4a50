//! Field-by-field validation of a profile against the reference tables,
//! reporting every problem at once so a form can mark all fields in one pass.

use std::collections::HashSet;

use super::field_error::{FieldError, Rule};
use super::profile::ExpertProfile;
use crate::reference::{Regions, SpecialtyTree};

pub const MAX_NAME_CHARS: usize = 50;
pub const MAX_EMPLOYER_NAME_CHARS: usize = 100;
pub const MAX_PHONE_CHARS: usize = 30;
pub const MAX_ADDRESS_CHARS: usize = 200;
pub const MAX_SPECIALTIES: usize = 50;
/// Level 1 and 2 codes (通用类, 工程咨询) are whole categories; an expert
/// registered there would escape the per-level caps of admission.
const MIN_SPECIALTY_LEVEL: u8 = 3;

/// Every problem in `profile`, in field order; empty when it is valid.
/// Identity fields are typed and therefore already valid.
pub fn validate_profile(
    profile: &ExpertProfile,
    regions: &Regions,
    tree: &SpecialtyTree,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_text(&mut errors, "name", "姓名", &profile.name, MAX_NAME_CHARS);

    if !regions.is_known(&profile.region) {
        errors.push(FieldError::new(
            "region",
            Rule::UnknownRegion,
            "所在地区不是湖北省的行政区划代码",
            "region is not a known Hubei administrative division code",
        ));
    }

    check_text(
        &mut errors,
        "employer/name",
        "工作单位名称",
        &profile.employer.name,
        MAX_EMPLOYER_NAME_CHARS,
    );

    check_specialties(&mut errors, &profile.specialties, tree);

    match &profile.employer_contact {
        None if profile.civil_servant => errors.push(FieldError::new(
            "employer_contact",
            Rule::Required,
            "国家工作人员须填写所在单位联系人，以便通报处理情况",
            "civil servants must name an employer contact, who is notified of sanctions",
        )),
        None => {}
        Some(contact) => {
            check_text(
                &mut errors,
                "employer_contact/name",
                "单位联系人",
                &contact.name,
                MAX_NAME_CHARS,
            );
            let phone = contact.phone.as_deref().unwrap_or("");
            let address = contact.address.as_deref().unwrap_or("");
            if phone.trim().is_empty() && address.trim().is_empty() {
                errors.push(FieldError::new(
                    "employer_contact",
                    Rule::MissingContactChannel,
                    "单位联系人须至少填写电话或地址之一",
                    "the employer contact needs a phone number or an address",
                ));
            }
            if !phone.trim().is_empty() {
                check_text(
                    &mut errors,
                    "employer_contact/phone",
                    "联系电话",
                    phone,
                    MAX_PHONE_CHARS,
                );
            }
            if !address.trim().is_empty() {
                check_text(
                    &mut errors,
                    "employer_contact/address",
                    "联系地址",
                    address,
                    MAX_ADDRESS_CHARS,
                );
            }
        }
    }
    errors
}

fn check_specialties(errors: &mut Vec<FieldError>, specialties: &[String], tree: &SpecialtyTree) {
    if specialties.is_empty() {
        errors.push(FieldError::new(
            "specialties",
            Rule::Empty,
            "至少选择一个评标专业",
            "choose at least one specialty",
        ));
        return;
    }
    if specialties.len() > MAX_SPECIALTIES {
        errors.push(FieldError::new(
            "specialties",
            Rule::TooMany,
            format!("评标专业不能超过{MAX_SPECIALTIES}个"),
            format!("at most {MAX_SPECIALTIES} specialties"),
        ));
    }
    let mut seen = HashSet::new();
    for (i, code) in specialties.iter().enumerate() {
        let field = format!("specialties/{i}");
        if !seen.insert(code.as_str()) {
            errors.push(FieldError::new(
                field,
                Rule::Duplicate,
                "评标专业重复",
                "specialty listed twice",
            ));
            continue;
        }
        match tree.get(code) {
            None => errors.push(FieldError::new(
                field,
                Rule::UnknownSpecialty,
                "评标专业代码不存在",
                "unknown specialty code",
            )),
            Some(s) if s.level < MIN_SPECIALTY_LEVEL => errors.push(FieldError::new(
                field,
                Rule::SpecialtyTooBroad,
                format!("请选择第{MIN_SPECIALTY_LEVEL}级或更细的专业"),
                format!("choose a specialty at level {MIN_SPECIALTY_LEVEL} or below"),
            )),
            Some(_) => {}
        }
    }
}

fn check_text(errors: &mut Vec<FieldError>, field: &str, label_zh: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(
            field,
            Rule::Empty,
            format!("{label_zh}不能为空"),
            format!("{field} must not be empty"),
        ));
        return;
    }
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            Rule::TooLong,
            format!("{label_zh}不能超过{max}个字符"),
            format!("{field} must be at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            Rule::ControlCharacter,
            format!("{label_zh}含有控制字符"),
            format!("{field} contains control characters"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expert::test_support::profile;
    use crate::expert::{EmployerContact, ExpertProfile};

    fn check(edit: impl FnOnce(&mut ExpertProfile)) -> Vec<(String, Rule)> {
        let mut p = profile();
        edit(&mut p);
        validate_profile(&p, Regions::builtin(), SpecialtyTree::builtin())
            .into_iter()
            .map(|e| {
                assert!(!e.message_zh.is_empty() && !e.message_en.is_empty());
                (e.field, e.rule)
            })
            .collect()
    }

    fn one(field: &str, rule: Rule) -> Vec<(String, Rule)> {
        vec![(field.to_owned(), rule)]
    }

    #[test]
    fn the_sample_profile_is_valid() {
        assert_eq!(check(|_| {}), vec![]);
    }

    #[test]
    fn each_rule_alone() {
        type Edit = fn(&mut ExpertProfile);
        let cases: Vec<(Edit, Vec<(String, Rule)>)> = vec![
            (|p| p.name = " ".into(), one("name", Rule::Empty)),
            (|p| p.name = "张".repeat(51), one("name", Rule::TooLong)),
            (
                |p| p.name = "张\u{0}三".into(),
                one("name", Rule::ControlCharacter),
            ),
            (
                |p| p.region = "420400".into(),
                one("region", Rule::UnknownRegion),
            ),
            (
                |p| p.region = "110000".into(),
                one("region", Rule::UnknownRegion),
            ),
            (
                |p| p.employer.name = String::new(),
                one("employer/name", Rule::Empty),
            ),
            (|p| p.specialties.clear(), one("specialties", Rule::Empty)),
            (
                |p| p.specialties.push("XX01".into()),
                one("specialties/2", Rule::UnknownSpecialty),
            ),
            (
                |p| p.specialties.push("ENA".into()),
                one("specialties/2", Rule::SpecialtyTooBroad),
            ),
            (
                |p| p.specialties.push("ENA010101".into()),
                one("specialties/2", Rule::Duplicate),
            ),
            (
                |p| p.specialties = vec!["ENA01".into(); MAX_SPECIALTIES + 1],
                [("specialties".to_owned(), Rule::TooMany)]
                    .into_iter()
                    .chain(
                        (1..=MAX_SPECIALTIES)
                            .map(|i| (format!("specialties/{i}"), Rule::Duplicate)),
                    )
                    .collect(),
            ),
            (
                |p| {
                    p.civil_servant = true;
                    p.employer_contact = None;
                },
                one("employer_contact", Rule::Required),
            ),
            (
                |p| {
                    p.employer_contact = Some(EmployerContact {
                        name: "人事处".into(),
                        phone: Some(" ".into()),
                        address: None,
                    })
                },
                one("employer_contact", Rule::MissingContactChannel),
            ),
            (
                |p| {
                    if let Some(c) = &mut p.employer_contact {
                        c.address = Some("路".repeat(201));
                    }
                },
                one("employer_contact/address", Rule::TooLong),
            ),
        ];
        for (i, (edit, expected)) in cases.into_iter().enumerate() {
            assert_eq!(check(edit), expected, "case {i}");
        }
    }

    #[test]
    fn every_problem_is_reported() {
        let errors = check(|p| {
            p.name = String::new();
            p.region = "000000".into();
            p.employer.name = String::new();
            p.specialties = vec![
                "ENA010101".into(),
                "NOPE".into(),
                "ENA010101".into(),
                "PK".into(),
            ];
            p.civil_servant = true;
            p.employer_contact = None;
        });
        assert_eq!(
            errors,
            vec![
                ("name".into(), Rule::Empty),
                ("region".into(), Rule::UnknownRegion),
                ("employer/name".into(), Rule::Empty),
                ("specialties/1".into(), Rule::UnknownSpecialty),
                ("specialties/2".into(), Rule::Duplicate),
                ("specialties/3".into(), Rule::SpecialtyTooBroad),
                ("employer_contact".into(), Rule::Required),
            ]
        );
    }
}
