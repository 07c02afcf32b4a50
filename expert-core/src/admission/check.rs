//! The admission check: every rule an application must meet, all evaluated so
//! the applicant sees every failure at once, not one per resubmission.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{AdmissionPolicy, RuleViolation};
use crate::expert::{Documents, ExpertProfile, Rule, age_on, validate_profile};
use crate::reference::{Regions, SpecialtyTree};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub profile: ExpertProfile,
    #[serde(default)]
    pub documents: Documents,
    /// The term applied for: 1 for a first admission, 2 or more for a
    /// re-admission after a served term (relaxed specialty caps).
    pub term_number: u32,
}

/// What the pool already knows about the applicant from earlier records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdmissionHistory {
    /// Once removed (清除出库); without `ban_until` the bar is permanent.
    pub previously_removed: bool,
    /// First day on which the applicant may be admitted again.
    pub ban_until: Option<NaiveDate>,
}

/// Checks `app` against `policy` on `today` with the built-in reference
/// tables; `Err` lists every failed rule.
///
/// The whole flow, as the API runs it:
///
/// ```
/// use chrono::NaiveDate;
/// use expert_core::admission::{AdmissionHistory, AdmissionPolicy, Application, Decision, check_admission};
/// use expert_core::lifecycle::{Status, transition};
///
/// let application: Application = serde_json::from_str(r#"{
///   "profile": {
///     "name": "张三", "resident_id": "420106197001011232", "mobile": "13812345678",
///     "region": "420100",
///     "employer": {"name": "湖北省某设计院", "code": "91350100M000100Y43"},
///     "specialties": ["ENA010101"], "title": "associate_senior",
///     "years_in_field": 15, "civil_servant": false
///   },
///   "documents": {"integrity_pledge": "doc/1", "no_criminal_record": "doc/2"},
///   "term_number": 1
/// }"#).unwrap();
/// let policy = AdmissionPolicy::default();
/// let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
/// let decision = match check_admission(&application, &AdmissionHistory::default(), &policy, today) {
///     Ok(()) => Decision::approve(&application, today, &policy).unwrap(),
///     Err(violations) => Decision::reject_for(&violations).unwrap(),
/// };
/// let status = transition(&Status::Applicant, &decision.command(), today).unwrap();
/// assert_eq!(status.kind().as_str(), "active");
/// ```
pub fn check_admission(
    app: &Application,
    history: &AdmissionHistory,
    policy: &AdmissionPolicy,
    today: NaiveDate,
) -> Result<(), Vec<RuleViolation>> {
    check_admission_with(
        app,
        history,
        policy,
        today,
        Regions::builtin(),
        SpecialtyTree::builtin(),
    )
}

/// [`check_admission`] against given reference tables. Fields are paths in
/// the application (`profile/specialties/2`), or `history/...` for the
/// applicant's record.
pub fn check_admission_with(
    app: &Application,
    history: &AdmissionHistory,
    policy: &AdmissionPolicy,
    today: NaiveDate,
    regions: &Regions,
    tree: &SpecialtyTree,
) -> Result<(), Vec<RuleViolation>> {
    let p = &app.profile;
    let mut errors: Vec<RuleViolation> = validate_profile(p, regions, tree)
        .into_iter()
        .map(|e| e.nested_in("profile"))
        .collect();

    if p.years_in_field < policy.min_years_in_field {
        let min = policy.min_years_in_field;
        errors.push(RuleViolation::new(
            "profile/years_in_field",
            Rule::TooFewYears,
            format!("从事相关专业领域工作须满{min}年"),
            format!("at least {min} years in the field are required"),
        ));
    }

    let equivalent = policy.accept_senior_equivalent && p.senior_equivalent;
    if p.title < policy.min_title && !equivalent {
        let min = policy.min_title;
        errors.push(RuleViolation::new(
            "profile/title",
            Rule::TitleTooLow,
            format!("须具有{}及以上职称或同等专业水平", min.name_zh()),
            format!(
                "a title of {} or above, or an equivalent qualification, is required",
                min.as_str()
            ),
        ));
    }

    let age = age_on(p.resident_id.birth_date(), today);
    if age > policy.max_age_at_admission {
        let max = policy.max_age_at_admission;
        errors.push(RuleViolation::new(
            "profile/resident_id",
            Rule::TooOld,
            format!("申请时年龄不得超过{max}周岁（现{age}周岁）"),
            format!("applicants must be at most {max} years old (now {age})"),
        ));
    }

    let (level2, level3) = specialty_spread(&p.specialties, tree);
    let (max2, max3) = policy.specialty_caps(app.term_number);
    if level2 > max2 {
        errors.push(RuleViolation::new(
            "profile/specialties",
            Rule::TooManyLevel2Specialties,
            format!("所选专业跨{level2}个二级类别，本聘期最多{max2}个"),
            format!(
                "specialties span {level2} level-2 categories; at most {max2} allowed for this term"
            ),
        ));
    }
    if level3 > max3 {
        errors.push(RuleViolation::new(
            "profile/specialties",
            Rule::TooManyLevel3Specialties,
            format!("所选专业跨{level3}个三级类别，本聘期最多{max3}个"),
            format!(
                "specialties span {level3} level-3 categories; at most {max3} allowed for this term"
            ),
        ));
    }

    if policy.require_integrity_pledge && !app.documents.has_integrity_pledge() {
        errors.push(RuleViolation::new(
            "documents/integrity_pledge",
            Rule::Required,
            "须提交签署的廉洁自律承诺书",
            "a signed integrity pledge is required",
        ));
    }
    if policy.require_no_criminal_record && !app.documents.has_no_criminal_record() {
        errors.push(RuleViolation::new(
            "documents/no_criminal_record",
            Rule::Required,
            "须提交无犯罪记录证明",
            "a certificate of no criminal record is required",
        ));
    }

    if app.term_number == 0 {
        errors.push(RuleViolation::new(
            "term_number",
            Rule::InvalidTermNumber,
            "聘期序号须从1开始",
            "term_number starts at 1",
        ));
    }

    match history.ban_until {
        Some(until) if today < until => errors.push(RuleViolation::new(
            "history/ban_until",
            Rule::Banned,
            format!("曾被清除出库，{until}前不得重新入库"),
            format!("removed from the pool earlier; not admissible before {until}"),
        )),
        None if history.previously_removed => errors.push(RuleViolation::new(
            "history/previously_removed",
            Rule::PermanentlyBarred,
            "曾被清除出库，不得重新入库",
            "removed from the pool earlier and barred for good",
        )),
        _ => {}
    }

    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Distinct level-2 and level-3 ancestors of `specialties`: a level-4 or
/// level-5 code counts toward both of its ancestors, a level-3 code toward
/// itself and its parent. Unknown codes count toward nothing (validation
/// reports them).
pub fn specialty_spread(specialties: &[String], tree: &SpecialtyTree) -> (u32, u32) {
    let distinct = |level| -> u32 {
        let set: BTreeSet<&str> = specialties
            .iter()
            .filter_map(|code| tree.ancestor_at_level(code, level))
            .collect();
        u32::try_from(set.len()).unwrap_or(u32::MAX)
    };
    (distinct(2), distinct(3))
}

#[cfg(test)]
mod tests;
