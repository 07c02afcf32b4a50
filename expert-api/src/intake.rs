//! Turning untyped input (an API body, a roster row) into a domain
//! `Application`, collecting every problem at once. HTTP and the importer
//! both come through here, so a row and a request obey the same rules.

use chrono::NaiveDate;
use expert_core::admission::Application;
use expert_core::expert::{
    Documents, Employer, EmployerContact, ExpertProfile, FieldError, TitleLevel,
};
use expert_core::identity::{CreditCode, Mobile, ResidentId};
use serde::Deserialize;
use utoipa::ToSchema;

/// An application as clients send it; identifiers are plain strings here and
/// checked below so that every bad field is reported together.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    pub name: String,
    /// GB 11643 resident ID (18 characters, check digit verified).
    pub resident_id: String,
    /// Mainland mobile number (11 digits).
    pub mobile: String,
    /// GB/T 2260 region code (Hubei).
    pub region: String,
    pub employer: EmployerInput,
    /// Since when the expert works for this employer (default: today).
    pub employed_since: Option<NaiveDate>,
    /// Specialty codes from the reference tree (level 3 or deeper).
    pub specialties: Vec<String>,
    #[schema(value_type = String, example = "associate_senior")]
    pub title: TitleLevel,
    #[serde(default)]
    pub senior_equivalent: bool,
    pub years_in_field: u32,
    pub civil_servant: bool,
    #[schema(value_type = Option<Object>)]
    pub employer_contact: Option<EmployerContact>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub documents: Documents,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployerInput {
    pub name: String,
    /// GB 32100 unified social credit code (18 characters).
    pub code: String,
}

/// The checked application and when the current employment began.
#[derive(Debug, Clone)]
pub struct Intake {
    pub application: Application,
    pub employed_since: NaiveDate,
}

pub fn resident_id(field: &str, s: &str, errors: &mut Vec<FieldError>) -> Option<ResidentId> {
    ResidentId::parse(s.trim())
        .map_err(|e| errors.push(FieldError::from_identity(field, &e)))
        .ok()
}

pub fn mobile(field: &str, s: &str, errors: &mut Vec<FieldError>) -> Option<Mobile> {
    Mobile::parse(s.trim())
        .map_err(|e| errors.push(FieldError::from_identity(field, &e)))
        .ok()
}

pub fn credit_code(field: &str, s: &str, errors: &mut Vec<FieldError>) -> Option<CreditCode> {
    CreditCode::parse(s.trim())
        .map_err(|e| errors.push(FieldError::from_identity(field, &e)))
        .ok()
}

pub fn employer(
    field: &str,
    input: &EmployerInput,
    errors: &mut Vec<FieldError>,
) -> Option<Employer> {
    let code = credit_code(&format!("{field}/code"), &input.code, errors)?;
    Some(Employer {
        name: input.name.trim().to_owned(),
        code,
    })
}

/// Admission checks name fields of the domain `Application`
/// (`profile/region`); a client named them at the top level of its
/// `ApplicationInput` (`region`), so that is how they are reported back.
/// Other paths (`documents/…`, `history/…`) already read the same.
pub fn input_fields(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|mut e| {
            if let Some(rest) = e.field.strip_prefix("profile/") {
                e.field = rest.to_owned();
            }
            e
        })
        .collect()
}

/// Check the identifiers; the profile and admission rules run later, in
/// `check_admission`, which reports the rest in the same list.
pub fn to_application(
    input: ApplicationInput,
    today: NaiveDate,
) -> Result<Intake, Vec<FieldError>> {
    let mut errors = Vec::new();
    let rid = resident_id("resident_id", &input.resident_id, &mut errors);
    let mob = mobile("mobile", &input.mobile, &mut errors);
    let emp = employer("employer", &input.employer, &mut errors);
    let employed_since = input.employed_since.unwrap_or(today);
    if employed_since > today {
        errors.push(FieldError::new(
            "employed_since",
            expert_core::expert::Rule::OutOfRange,
            "入职日期不能晚于今天",
            "employed_since cannot be in the future",
        ));
    }
    let (Some(resident_id), Some(mobile), Some(employer)) = (rid, mob, emp) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Intake {
        application: Application {
            profile: ExpertProfile {
                name: input.name.trim().to_owned(),
                resident_id,
                mobile,
                region: input.region.trim().to_owned(),
                employer,
                specialties: input
                    .specialties
                    .iter()
                    .map(|s| s.trim().to_owned())
                    .collect(),
                title: input.title,
                senior_equivalent: input.senior_equivalent,
                years_in_field: input.years_in_field,
                civil_servant: input.civil_servant,
                employer_contact: input.employer_contact,
            },
            documents: input.documents,
            term_number: 1,
        },
        employed_since,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use expert_core::expert::Rule;

    #[test]
    fn admission_fields_are_named_as_in_the_input() {
        let e = |field: &str| FieldError::new(field, Rule::Required, "z", "e");
        let fields: Vec<String> = input_fields(vec![
            e("profile/region"),
            e("profile/specialties/2"),
            e("documents/integrity_pledge"),
            e("history/previously_removed"),
        ])
        .into_iter()
        .map(|e| e.field)
        .collect();
        assert_eq!(
            fields,
            [
                "region",
                "specialties/2",
                "documents/integrity_pledge",
                "history/previously_removed"
            ]
        );
    }
}
