//! One failed rule on one field: the shape shared by profile validation and
//! admission checks, ready to become an RFC 9457 problem's `errors` entry.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A failed rule. `field` is a JSON-pointer-like path relative to the checked
/// value without the leading slash (`specialties/2`, `profile/title`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub rule: Rule,
    pub message_zh: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        rule: Rule,
        message_zh: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            rule,
            message_zh: message_zh.into(),
            message_en: message_en.into(),
        }
    }

    /// An identifier that failed to parse, as a field error. The message
    /// comes from the error, which never repeats the rejected input.
    pub fn from_identity(field: impl Into<String>, e: &crate::identity::IdentityError) -> Self {
        use crate::identity::IdentityError as E;
        let rule = match e {
            E::Length { .. } => Rule::InvalidLength,
            E::Character { .. } => Rule::InvalidCharacter,
            E::BirthDate => Rule::InvalidBirthDate,
            E::CheckCharacter { .. } => Rule::CheckCharacter,
            E::RegionCode => Rule::InvalidRegionCode,
            E::MobilePrefix => Rule::InvalidMobilePrefix,
        };
        let text = e.to_string();
        let (zh, en) = text
            .split_once(" / ")
            .unwrap_or((text.as_str(), text.as_str()));
        Self::new(field, rule, zh, en)
    }

    /// The same error with `prefix/` put before its field, for nesting a
    /// profile's errors inside an application's.
    pub fn nested_in(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}/{}", self.field)
        };
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} / {} ({})",
            self.field,
            self.message_zh,
            self.message_en,
            self.rule.as_str()
        )
    }
}

/// Stable rule codes: clients and tests match on these, not on message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    // Profile fields.
    Empty,
    TooLong,
    TooMany,
    ControlCharacter,
    Duplicate,
    Required,
    UnknownRegion,
    UnknownSpecialty,
    SpecialtyTooBroad,
    MissingContactChannel,
    // Admission.
    TooFewYears,
    TitleTooLow,
    TooOld,
    TooManyLevel2Specialties,
    TooManyLevel3Specialties,
    PermanentlyBarred,
    Banned,
    InvalidTermNumber,
    // Policy settings.
    OutOfRange,
    // Identifiers (GB 11643, GB 32100, mobile numbers).
    InvalidLength,
    InvalidCharacter,
    InvalidBirthDate,
    CheckCharacter,
    InvalidRegionCode,
    InvalidMobilePrefix,
    // Evaluation results.
    UnknownReference,
    NotOnPanel,
    Rejected,
    TotalMismatch,
    RankOrder,
    // Per-bid assessment and the discipline baseline.
    UnknownItem,
    MissingScore,
    ScoreOutOfScale,
    RaterNotEntitled,
    DeadlinePassed,
    TooEarly,
    VersionConflict,
    InvalidCode,
    UnknownViolation,
}

impl Rule {
    pub const ALL: [Rule; 39] = [
        Rule::Empty,
        Rule::TooLong,
        Rule::TooMany,
        Rule::ControlCharacter,
        Rule::Duplicate,
        Rule::Required,
        Rule::UnknownRegion,
        Rule::UnknownSpecialty,
        Rule::SpecialtyTooBroad,
        Rule::MissingContactChannel,
        Rule::TooFewYears,
        Rule::TitleTooLow,
        Rule::TooOld,
        Rule::TooManyLevel2Specialties,
        Rule::TooManyLevel3Specialties,
        Rule::PermanentlyBarred,
        Rule::Banned,
        Rule::InvalidTermNumber,
        Rule::OutOfRange,
        Rule::InvalidLength,
        Rule::InvalidCharacter,
        Rule::InvalidBirthDate,
        Rule::CheckCharacter,
        Rule::InvalidRegionCode,
        Rule::InvalidMobilePrefix,
        Rule::UnknownReference,
        Rule::NotOnPanel,
        Rule::Rejected,
        Rule::TotalMismatch,
        Rule::RankOrder,
        Rule::UnknownItem,
        Rule::MissingScore,
        Rule::ScoreOutOfScale,
        Rule::RaterNotEntitled,
        Rule::DeadlinePassed,
        Rule::TooEarly,
        Rule::VersionConflict,
        Rule::InvalidCode,
        Rule::UnknownViolation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Empty => "empty",
            Rule::TooLong => "too_long",
            Rule::TooMany => "too_many",
            Rule::ControlCharacter => "control_character",
            Rule::Duplicate => "duplicate",
            Rule::Required => "required",
            Rule::UnknownRegion => "unknown_region",
            Rule::UnknownSpecialty => "unknown_specialty",
            Rule::SpecialtyTooBroad => "specialty_too_broad",
            Rule::MissingContactChannel => "missing_contact_channel",
            Rule::TooFewYears => "too_few_years",
            Rule::TitleTooLow => "title_too_low",
            Rule::TooOld => "too_old",
            Rule::TooManyLevel2Specialties => "too_many_level2_specialties",
            Rule::TooManyLevel3Specialties => "too_many_level3_specialties",
            Rule::PermanentlyBarred => "permanently_barred",
            Rule::Banned => "banned",
            Rule::InvalidTermNumber => "invalid_term_number",
            Rule::OutOfRange => "out_of_range",
            Rule::InvalidLength => "invalid_length",
            Rule::InvalidCharacter => "invalid_character",
            Rule::InvalidBirthDate => "invalid_birth_date",
            Rule::CheckCharacter => "check_character",
            Rule::InvalidRegionCode => "invalid_region_code",
            Rule::InvalidMobilePrefix => "invalid_mobile_prefix",
            Rule::UnknownReference => "unknown_reference",
            Rule::NotOnPanel => "not_on_panel",
            Rule::Rejected => "rejected",
            Rule::TotalMismatch => "total_mismatch",
            Rule::RankOrder => "rank_order",
            Rule::UnknownItem => "unknown_item",
            Rule::MissingScore => "missing_score",
            Rule::ScoreOutOfScale => "score_out_of_scale",
            Rule::RaterNotEntitled => "rater_not_entitled",
            Rule::DeadlinePassed => "deadline_passed",
            Rule::TooEarly => "too_early",
            Rule::VersionConflict => "version_conflict",
            Rule::InvalidCode => "invalid_code",
            Rule::UnknownViolation => "unknown_violation",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_serde() {
        for rule in Rule::ALL {
            let json = serde_json::to_string(&rule).unwrap();
            assert_eq!(json, format!("\"{}\"", rule.as_str()));
            assert_eq!(serde_json::from_str::<Rule>(&json).unwrap(), rule);
        }
    }

    #[test]
    fn nesting_prefixes_the_field() {
        let e = FieldError::new("specialties/2", Rule::UnknownSpecialty, "z", "e");
        assert_eq!(
            e.clone().nested_in("profile").field,
            "profile/specialties/2"
        );
        let root = FieldError::new("", Rule::Required, "z", "e");
        assert_eq!(root.nested_in("profile").field, "profile");
    }
}
