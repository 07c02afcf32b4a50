//! The half-yearly oversight report (每半年风险分析): the metrics of a
//! period with charts, the supervisors' signals, the sanctions decided and
//! the log's checkpoint, as one self-contained HTML file.
//!
//! - [`charts`]: the SVG charts (plotters).
//! - [`html`]: the page.

pub mod charts;
pub mod html;

use chrono::{DateTime, NaiveDate, Utc};
use expert_core::discipline::policy::SignalPolicy;
use expert_core::discipline::signals::{
    ExpertDeviation, FavouriteFlag, PairFlag, favourite_flags, pair_flags, score_deviations,
};
use expert_core::oversight::{Metrics, MetricsOptions, metrics};

use crate::db::DbConn;
use crate::store::StoreError;
use crate::store::oversight::{
    DecidedSanction, Scope, checkpoint_at_end, decided_sanctions, period_records,
};
use crate::store::signals;

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct ReportData {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub region: Option<String>,
    pub generated_at: DateTime<Utc>,
    pub metrics: Metrics,
    /// Experts whose score deviation reaches the flag (evaluations in the
    /// period).
    pub deviations: Vec<ExpertDeviation>,
    pub favourites: Vec<FavouriteFlag>,
    /// The pair signal over the period's unsealed panels.
    pub pair_flags: Vec<PairFlag>,
    pub sanctions: Vec<DecidedSanction>,
    /// The last checkpoint kept before the end of the period.
    pub checkpoint: Option<(u64, String)>,
}

/// Reads the period and computes the figures.
pub fn gather(
    conn: &mut DbConn,
    scope: &Scope,
    now: DateTime<Utc>,
    policy: &SignalPolicy,
) -> Result<ReportData, StoreError> {
    let records = period_records(conn, scope, now)?;
    let metrics = metrics(&records, &MetricsOptions::default());
    let in_period = |d: NaiveDate| scope.from <= d && d <= scope.to;
    let scores: Vec<_> = signals::panel_scores(conn, scope.region.as_deref())?
        .into_iter()
        .filter(|p| in_period(p.evaluated_on))
        .collect();
    let panels: std::collections::BTreeSet<&str> =
        records.chances.iter().map(|c| c.panel.as_str()).collect();
    let draw_panels: Vec<_> = signals::draw_panels(conn, scope.region.as_deref(), now)?
        .into_iter()
        .filter(|p| panels.contains(p.draw_id.as_str()))
        .collect();
    Ok(ReportData {
        from: scope.from,
        to: scope.to,
        region: scope.region.clone(),
        generated_at: now,
        deviations: score_deviations(&scores, &policy.deviation)
            .into_iter()
            .filter(|d| d.flagged)
            .collect(),
        favourites: favourite_flags(&scores, &policy.deviation),
        pair_flags: pair_flags(&draw_panels, &policy.pairs),
        sanctions: decided_sanctions(conn, scope)?,
        checkpoint: checkpoint_at_end(conn, scope)?,
        metrics,
    })
}
