//! Signals for supervisors (监督预警): pure computations over scores and
//! draws that flag what a person should look at, each with the numbers
//! behind it. A flag is never a finding.

mod deviation;
mod pairs;
mod raters;

pub use deviation::{
    DeviationPoint, DeviationPolicy, ExpertDeviation, FavouriteEvidence, FavouriteFlag,
    PanelScores, favourite_flags, score_deviations,
};
pub use pairs::{
    DrawPanel, PairFlag, PairPolicy, inclusion_probabilities, inclusion_shares, pair_flags,
    poisson_upper_tail, statement_chances,
};
pub use raters::{RaterDeviation, RaterPolicy, rater_deviations};
