//! Dynamic adjustment (动态调整): the periodic review that retires, restores,
//! ends leaves and flags experts, as a pure report of proposed actions.

mod periodic;
mod table;

pub use periodic::{
    ReviewAction, ReviewActionKind, ReviewProblem, ReviewReport, ReviewSubject, periodic_review,
};
