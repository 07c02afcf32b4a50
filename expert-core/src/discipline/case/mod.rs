//! A sanction case as a typed state machine with due process (陈述申辩):
//! opened → notice served → defence window (and hearing) → decision →
//! effective → public notice → closed, with employer letters and
//! reconsideration or appeal recorded against it.
//!
//! `Case::open` starts one; `apply` moves it by one event or says why not.
//! Nothing is overwritten: an amended notice keeps the earlier one, and a
//! review's outcome is recorded beside the decision it changes.

mod apply;
mod error;
mod letter;
mod types;

pub use apply::{CaseContext, apply, legal_basis_for};
pub use error::CaseError;
pub use letter::{
    DEFAULT_LETTER_TEMPLATE, EmployerLetter, LETTER_PLACEHOLDERS, LetterError, LetterParties,
    date_zh, employer_letter, render_template, template_errors,
};
pub use types::{
    Case, CaseDecision, CaseEvent, CaseOrigin, DueProcess, EventKind, Hearing, HearingKind,
    LetterDelivery, Notice, OpenCase, Outcome, Publication, Review, ReviewKind, ReviewOutcome,
    Stage, Statement, Waiver, Withdrawal,
};

#[cfg(test)]
mod tests;
