//! An expert's status in the pool as a typed state machine: applicant,
//! active, on leave, suspended, retired, removed, and the commands between them.

// Date conventions, the same everywhere in this crate:
// - `Term` is `[start, end)`: `end` is the first day after the term, so a term
//   has expired on `as_of` when `end <= as_of`.
// - A leave is `[from, to]`: `to` is the last day away, so it is over once
//   `to < as_of`.
// - `Suspended::until` and `ban_until` are the first day the restriction no
//   longer applies (exclusive ends), matching "automatic only when
//   today >= until".

mod command;
mod status;
mod term;
mod transition;

pub use command::{Command, CommandKind, ReinstateVia};
pub use status::{RestoreMode, RetireReason, Status, StatusKind};
pub use term::Term;
pub use transition::{TransitionError, transition};
