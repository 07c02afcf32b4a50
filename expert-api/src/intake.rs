//! Turning untyped input (an API body, a roster row) into a domain
//! `Application`, collecting every problem at once. HTTP and the importer
//! both come through here, so a row and a request obey the same rules.

use chrono::NaiveDate;
use expert_core::admission::{AdmissionHistory, AdmissionPolicy, Application, check_admission};
use expert_core::expert::{
    Documents, Employer, EmployerContact, ExpertProfile, FieldError, Rule, TitleLevel,
};
use expert_core::identity::{CreditCode, Mobile, ResidentId, with_check_char, with_check_digit};
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
/// `check_admission`, which reports the rest in the same list. When an
/// identifier is bad, the other rules are still checked here (with a
/// stand-in for the bad identifier), so one answer lists every problem.
pub fn to_application(
    input: ApplicationInput,
    today: NaiveDate,
    policy: &AdmissionPolicy,
) -> Result<Intake, Vec<FieldError>> {
    let mut errors = Vec::new();
    let rid = resident_id("resident_id", &input.resident_id, &mut errors);
    let mob = mobile("mobile", &input.mobile, &mut errors);
    let emp = employer("employer", &input.employer, &mut errors);
    let employed_since = input.employed_since.unwrap_or(today);
    if employed_since > today {
        errors.push(FieldError::new(
            "employed_since",
            Rule::OutOfRange,
            "入职日期不能晚于今天",
            "employed_since cannot be in the future",
        ));
    }
    let rid_ok = rid.is_some();
    let build = |resident_id: ResidentId, mobile: Mobile, employer: Employer| Application {
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
            employer_contact: input.employer_contact.clone(),
        },
        documents: input.documents.clone(),
        term_number: 1,
    };
    let (Some(resident_id), Some(mobile), Some(employer)) = (rid.clone(), mob.clone(), emp.clone())
    else {
        // Stand-ins only fill the holes; rules that read a stand-in (the
        // age, from the resident ID) are not reported.
        if let Some(stand_in) = stand_ins(input.employer.name.trim()) {
            let app = build(
                rid.unwrap_or(stand_in.0),
                mob.unwrap_or(stand_in.1),
                emp.unwrap_or(stand_in.2),
            );
            if let Err(more) = check_admission(&app, &AdmissionHistory::default(), policy, today) {
                errors.extend(
                    input_fields(more)
                        .into_iter()
                        .filter(|e| rid_ok || e.rule != Rule::TooOld),
                );
            }
        }
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let application = build(resident_id, mobile, employer);
    Ok(Intake {
        application,
        employed_since,
    })
}

/// Valid identifiers to stand in for bad ones while the other rules are
/// checked; never stored.
fn stand_ins(employer_name: &str) -> Option<(ResidentId, Mobile, Employer)> {
    let rid = ResidentId::parse(&with_check_digit("42010619800101001")?).ok()?;
    let mobile = Mobile::parse("13800000000").ok()?;
    let code = CreditCode::parse(&with_check_char("91420100MA0000000")?).ok()?;
    Some((
        rid,
        mobile,
        Employer {
            name: employer_name.to_owned(),
            code,
        },
    ))
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
