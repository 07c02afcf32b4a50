//! The admission and pool-management thresholds, configurable per trading
//! centre (TOML) with defaults that follow the usual provincial rules.

use serde::{Deserialize, Serialize};

use crate::expert::{FieldError, Rule, TitleLevel};

/// Thresholds for admission, terms and dynamic adjustment. Deserialises from
/// a partial TOML or JSON table: missing keys take the defaults, unknown keys
/// are an error (a misspelt key must not silently fall back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdmissionPolicy {
    pub min_years_in_field: u32,
    /// Lowest title admitted (default 副高级).
    pub min_title: TitleLevel,
    /// Whether `senior_equivalent` (e.g. 注册执业资格) stands in for the title.
    pub accept_senior_equivalent: bool,
    /// Oldest completed age at which an expert is admitted.
    pub max_age_at_admission: u32,
    /// Caps on distinct level-2 and level-3 specialty codes: tighter in the
    /// first term, relaxed once an expert has served one.
    pub max_level2_first_term: u32,
    pub max_level3_first_term: u32,
    pub max_level2_later_terms: u32,
    pub max_level3_later_terms: u32,
    pub term_years: u32,
    /// The periodic review retires experts at this completed age.
    pub retirement_age: u32,
    /// More declined invitations than this within 12 months gets flagged.
    pub max_declines_per_12_months: u32,
    pub require_integrity_pledge: bool,
    pub require_no_criminal_record: bool,
}

impl Default for AdmissionPolicy {
    fn default() -> Self {
        Self {
            min_years_in_field: 8,
            min_title: TitleLevel::AssociateSenior,
            accept_senior_equivalent: true,
            max_age_at_admission: 65,
            max_level2_first_term: 2,
            max_level3_first_term: 6,
            max_level2_later_terms: 4,
            max_level3_later_terms: 12,
            term_years: 4,
            retirement_age: 70,
            max_declines_per_12_months: 3,
            require_integrity_pledge: true,
            require_no_criminal_record: true,
        }
    }
}

impl AdmissionPolicy {
    /// The caps on (level-2, level-3) codes for an application for term
    /// `term_number` (1 = first).
    pub fn specialty_caps(&self, term_number: u32) -> (u32, u32) {
        if term_number <= 1 {
            (self.max_level2_first_term, self.max_level3_first_term)
        } else {
            (self.max_level2_later_terms, self.max_level3_later_terms)
        }
    }

    /// Settings that cannot work together; empty for a usable policy.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !(1..=10).contains(&self.term_years) {
            errors.push(FieldError::new(
                "term_years",
                Rule::OutOfRange,
                "聘期须为1至10年",
                "term_years must be between 1 and 10",
            ));
        }
        if self.max_age_at_admission >= self.retirement_age {
            errors.push(FieldError::new(
                "max_age_at_admission",
                Rule::OutOfRange,
                "准入年龄上限须低于退出年龄",
                "max_age_at_admission must be below retirement_age",
            ));
        }
        for (field, value) in [
            ("max_level2_first_term", self.max_level2_first_term),
            ("max_level3_first_term", self.max_level3_first_term),
            ("max_level2_later_terms", self.max_level2_later_terms),
            ("max_level3_later_terms", self.max_level3_later_terms),
        ] {
            if value == 0 {
                errors.push(FieldError::new(
                    field,
                    Rule::OutOfRange,
                    "专业数量上限须至少为1",
                    format!("{field} must be at least 1"),
                ));
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let p = AdmissionPolicy::default();
        assert_eq!(p.min_years_in_field, 8);
        assert_eq!(p.min_title, TitleLevel::AssociateSenior);
        assert_eq!(p.specialty_caps(1), (2, 6));
        assert_eq!(p.specialty_caps(2), (4, 12));
        assert_eq!(p.specialty_caps(5), (4, 12));
        assert!(p.validate().is_empty());
    }

    #[test]
    fn partial_toml_keeps_defaults() {
        let p: AdmissionPolicy = toml::from_str(
            "min_years_in_field = 10\nmin_title = \"senior\"\nrequire_no_criminal_record = false\n",
        )
        .unwrap();
        assert_eq!(
            p,
            AdmissionPolicy {
                min_years_in_field: 10,
                min_title: TitleLevel::Senior,
                require_no_criminal_record: false,
                ..AdmissionPolicy::default()
            }
        );
        assert_eq!(
            toml::from_str::<AdmissionPolicy>("").unwrap(),
            AdmissionPolicy::default()
        );
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<AdmissionPolicy>("min_year_in_field = 10\n").unwrap_err();
        assert!(err.to_string().contains("min_year_in_field"), "{err}");
    }

    #[test]
    fn the_full_default_round_trips_through_toml() {
        let text = toml::to_string(&AdmissionPolicy::default()).unwrap();
        assert_eq!(
            toml::from_str::<AdmissionPolicy>(&text).unwrap(),
            AdmissionPolicy::default()
        );
    }

    #[test]
    fn unusable_settings_are_reported() {
        let p = AdmissionPolicy {
            term_years: 0,
            max_age_at_admission: 70,
            max_level3_later_terms: 0,
            ..AdmissionPolicy::default()
        };
        let fields: Vec<String> = p.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "term_years",
                "max_age_at_admission",
                "max_level3_later_terms"
            ]
        );
    }
}
