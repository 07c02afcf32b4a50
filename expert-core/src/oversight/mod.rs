//! Oversight metrics (监督分析): over a period's seats, draws, declines and
//! sealed reads, how concentrated the seats are and whether the draw breaks
//! up the "regulars" (常委) and familiar faces (熟人) the notice warns of.
//!
//! Map of this folder:
//! - [`distribution`]: seats per expert, the Gini coefficient, the share of
//!   the top 1 % and 10 %.
//! - [`streaks`]: the same expert on consecutive panels of one tenderer.
//! - [`pairs`]: pairs who sat together, against the count the draws'
//!   chances make expected.
//! - [`counts`]: seats from outside the project's region and the flow
//!   between regions, shortfalls, relaxations, abandoned draws, declines,
//!   sealed reads, and the figures per month.
//!
//! Architecture invariant: a pure function of the records it is given; the
//! caller (the store, or the simulation) decides the period and the region.

pub mod counts;
pub mod distribution;
pub mod pairs;
pub mod streaks;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use counts::{
    DeclineCounts, DrawCounts, FlowCell, MonthRow, RegionFlow, SealedReadCounts, Tally,
    decline_counts, draw_counts, flow_regions, months, region_flow, sealed_read_counts,
};
pub use distribution::{ExpertSeats, SeatDistribution, gini, seat_distribution, top_share};
pub use pairs::{PairCooccurrence, PairCount, pair_cooccurrence};
pub use streaks::{Streak, TendererStreaks, tenderer_streaks};

/// One seat held on a panel: an expert who was invited and did not decline
/// (a primary or a called-in reserve).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatRecord {
    pub expert: String,
    pub expert_region: String,
    pub employer: String,
    pub project_region: String,
    pub tenderer: String,
    /// The panel (its first draw's id): seats on one panel sat together.
    pub panel: String,
    /// The evaluation's day (China time).
    pub date: NaiveDate,
}

/// One draw of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRecord {
    pub id: String,
    pub date: NaiveDate,
    pub project_region: String,
    /// Primaries the draw could not fill, over all its groups.
    pub shortfall: u32,
    /// The draw it redraws or supplements, if any.
    pub parent: Option<String>,
    /// Drawn under a policy looser than the centre's, with a supervisor's
    /// approval.
    pub relaxation: bool,
    /// Committed and never revealed.
    pub abandoned: bool,
}

/// Each candidate's chance of a seat on one panel, from its draw's
/// statement (see [`crate::discipline::signals::statement_chances`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelChances {
    pub panel: String,
    pub chances: Vec<(String, f64)>,
}

impl PanelChances {
    /// The chances of a panel drawn from `statement`, candidates with none
    /// left out.
    #[must_use]
    pub fn of(panel: impl Into<String>, statement: &crate::draw::DrawStatement) -> Self {
        let chances = crate::discipline::signals::statement_chances(statement);
        Self {
            panel: panel.into(),
            chances: statement
                .candidates()
                .iter()
                .zip(chances)
                .filter(|(_, p)| *p > 0.0)
                .map(|(c, p)| (c.id().to_owned(), p))
                .collect(),
        }
    }
}

/// An invitation declined (or left unanswered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclineRecord {
    pub expert: String,
    pub reason: String,
    pub date: NaiveDate,
}

/// A read of sealed panel data (`panel.view`), by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedRead {
    pub actor: String,
    pub date: NaiveDate,
}

/// Everything the metrics read for one period and region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PeriodRecords {
    pub seats: Vec<SeatRecord>,
    pub draws: Vec<DrawRecord>,
    /// Panels whose chances are known; a pair's expected count sums over
    /// these only.
    pub chances: Vec<PanelChances>,
    pub declines: Vec<DeclineRecord>,
    pub sealed_reads: Vec<SealedRead>,
    /// Experts who could have been drawn in the period. Experts without a
    /// seat count as zeros in the distribution; `None` counts only those
    /// seated.
    pub pool_size: Option<u32>,
}

/// How long the lists are and when a pair is flagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsOptions {
    /// Length of every "top" list.
    pub top: usize,
    pub pairs: crate::discipline::signals::PairPolicy,
}

impl Default for MetricsOptions {
    fn default() -> Self {
        Self {
            top: 10,
            pairs: crate::discipline::signals::PairPolicy::default(),
        }
    }
}

/// Every metric of the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub seats: SeatDistribution,
    pub streaks: TendererStreaks,
    pub pairs: PairCooccurrence,
    pub regions: RegionFlow,
    pub draws: DrawCounts,
    pub declines: DeclineCounts,
    pub sealed_reads: SealedReadCounts,
    pub months: Vec<MonthRow>,
}

/// All metrics of [`PeriodRecords`].
#[must_use]
pub fn metrics(records: &PeriodRecords, options: &MetricsOptions) -> Metrics {
    Metrics {
        seats: seat_distribution(&records.seats, records.pool_size, options.top),
        streaks: tenderer_streaks(&records.seats, options.top),
        pairs: pair_cooccurrence(&records.seats, &records.chances, options),
        regions: region_flow(&records.seats),
        draws: draw_counts(&records.draws),
        declines: decline_counts(&records.declines, records.seats.len(), options.top),
        sealed_reads: sealed_read_counts(&records.sealed_reads),
        months: months(records),
    }
}

/// `part / whole`, 0 for an empty whole.
pub(crate) fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    use super::*;

    pub fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).unwrap_or_default()
    }

    /// A seat: expert `e` of region `er` on panel `p` of tenderer `t` in
    /// region `pr` on day `d` of January 2026; employer `ORG-<e>`.
    pub fn seat(e: &str, er: &str, p: &str, t: &str, pr: &str, d: u32) -> SeatRecord {
        SeatRecord {
            expert: e.into(),
            expert_region: er.into(),
            employer: format!("ORG-{e}"),
            project_region: pr.into(),
            tenderer: t.into(),
            panel: p.into(),
            date: day(d),
        }
    }
}
