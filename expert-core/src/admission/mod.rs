//! Strict admission (严格准入): the policy, the check of an application
//! against it, and the decision that starts a term.

mod check;
mod decision;
mod policy;

pub use check::{
    AdmissionHistory, Application, check_admission, check_admission_with, specialty_spread,
};
pub use decision::{Decision, DecisionError};
pub use policy::AdmissionPolicy;

/// A failed admission rule: the same shape as a profile's field error, so
/// one client-side renderer handles both.
pub type RuleViolation = crate::expert::FieldError;
