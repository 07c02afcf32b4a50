//! Signals for supervisors: how far each expert's published scores sit from
//! the rest of the panel and who keeps ranking one company first against
//! it, and pairs of experts who sit together more than the draws explain.
//! Supervisors and admins; a supervisor bound to a region sees its panels.

use actix_web::{HttpResponse, web};
use expert_core::discipline::signals::{
    DeviationPolicy, ExpertDeviation, FavouriteFlag, PairFlag, PairPolicy, favourite_flags,
    pair_flags, score_deviations,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::problem::{ApiError, Problem};
use crate::auth::{Caller, Role};
use crate::store::signals as store;

// One line per route: the route table test reads them from the source.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/signals/scores", web::get().to(scores))
        .route("/signals/pairs", web::get().to(pairs));
}

fn may_read(caller: &Caller) -> Result<(), ApiError> {
    if caller.is(&[Role::Admin, Role::Supervisor]) {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "signals are for supervisors and admins",
        ))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreSignals {
    /// The region the figures cover; `null` for the whole province.
    pub region: Option<String>,
    /// Evaluations with published results that were read.
    pub evaluations: usize,
    #[schema(value_type = Object)]
    pub policy: DeviationPolicy,
    /// Every expert with a comparable score, by id: each evaluation's
    /// deviation from the rest of the panel, the overall mean absolute
    /// deviation, and whether it reaches the flag.
    #[schema(value_type = Vec<Object>)]
    pub deviations: Vec<ExpertDeviation>,
    /// Experts who ranked the same company first against the rest of the
    /// panel at least `policy.favourite_min_times` times, with every
    /// instance.
    #[schema(value_type = Vec<Object>)]
    pub favourites: Vec<FavouriteFlag>,
}

/// Score deviation from the published evaluation results of awarded
/// panels: for each expert and evaluation, how far their totals per bidder
/// sit from the mean of the other members'; flags for a large mean
/// deviation over enough evaluations and for a company an expert keeps
/// ranking first when the rest of the panel put another first.
#[utoipa::path(get, path = "/api/v1/signals/scores", tag = "signals", security(("bearer" = [])),
    responses((status = 200, body = ScoreSignals),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn scores(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    may_read(&caller)?;
    let policy = state.settings.policy.signals().deviation;
    let region = caller.region.clone();
    let out = state
        .db(move |conn| {
            let evaluations = store::panel_scores(conn, region.as_deref())?;
            Ok(ScoreSignals {
                evaluations: evaluations.len(),
                deviations: score_deviations(&evaluations, &policy),
                favourites: favourite_flags(&evaluations, &policy),
                region,
                policy,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PairSignals {
    pub region: Option<String>,
    /// Unsealed panels whose draws were read.
    pub panels: usize,
    #[schema(value_type = Object)]
    pub policy: PairPolicy,
    /// Pairs seated together at least `policy.min_together` times, at
    /// least `policy.min_ratio` times the count the draws make expected,
    /// with a Poisson tail probability at most `policy.max_p_value`; by
    /// descending ratio. `expected` sums, over the panels, the product of
    /// the two experts' chances of a seat from each draw's statement.
    #[schema(value_type = Vec<Object>)]
    pub flags: Vec<PairFlag>,
}

/// Pairs of experts who sit together far more often than the draws would
/// make them, with the observed and expected counts and the tail
/// probability. Only panels no longer sealed are read.
#[utoipa::path(get, path = "/api/v1/signals/pairs", tag = "signals", security(("bearer" = [])),
    responses((status = 200, body = PairSignals),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn pairs(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    may_read(&caller)?;
    let policy = state.settings.policy.signals().pairs;
    let region = caller.region.clone();
    let now = state.now();
    let out = state
        .db(move |conn| {
            let panels = store::draw_panels(conn, region.as_deref(), now)?;
            Ok(PairSignals {
                panels: panels.len(),
                flags: pair_flags(&panels, &policy),
                region,
                policy,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}
