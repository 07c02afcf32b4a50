//! Discipline (考核与惩戒): per-bid assessment, the violation baseline
//! (裁量基准), points, sanction cases with due process, their effect on the
//! expert's status, and the signals supervisors read.
//!
//! Everything here is pure: dates (`today`, `as_of`) are parameters, and the
//! store keeps the records these types describe.

pub mod assessment;
pub mod baseline;
pub mod calendar;
pub mod case;
pub mod credit;
pub mod effect;
pub mod points;
pub mod policy;
pub mod range;
pub mod sanction;
pub mod signals;

pub use assessment::{
    AssessmentConfig, AssessmentSheet, HistoryError, Rater, RaterRole, ScoringItem, SheetContext,
    SheetKey, effective_sheet, effective_sheets, missing_sheets, validate_sheet,
};
pub use baseline::{Baseline, BaselineError, Ground, LowCreditRule, PointThreshold, ViolationRule};
pub use calendar::WorkCalendar;
pub use case::{Case, CaseContext, CaseError, CaseEvent, DueProcess, Stage, apply};
pub use credit::{AssessedOn, CreditScore, credit_proposal, credit_score};
pub use effect::{
    EffectError, RestoreDue, RestoreEvidence, after_review, excludes_on, restore, restore_due,
    sanction_command, take_effect,
};
pub use points::{PointsTally, SanctionProposal, ViolationRecord, points_proposal, tally};
pub use policy::{DisciplinePolicy, SignalPolicy};
pub use range::{AmountRange, RemovalRange, SanctionRange};
pub use sanction::{Measure, MeasureKind, Sanction};
