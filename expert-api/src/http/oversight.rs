//! Oversight for supervisors, regulators and admins: the metrics of a
//! period (seats per expert, streaks, pairs, flow between regions, draws,
//! declines, sealed reads) and the half-yearly report as HTML. A caller
//! bound to a region sees that region's panels only.

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use expert_core::oversight::{Metrics, MetricsOptions, metrics};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::extract::Query;
use super::problem::{ApiError, Problem};
use crate::auth::{Caller, Role};
use crate::store::oversight::{Scope, period_records};

// One line per route: the route table test reads them from the source.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/oversight/metrics", web::get().to(get_metrics))
        .route("/oversight/report", web::get().to(get_report));
}

const READERS: [Role; 3] = [Role::Admin, Role::Supervisor, Role::Regulator];

/// The longest period one request may cover.
const MAX_DAYS: i64 = 366;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    /// First day (China time), YYYY-MM-DD.
    pub from: NaiveDate,
    /// Last day, included; at most 366 days after `from`.
    pub to: NaiveDate,
    /// A project region code; a caller bound to a region may give only
    /// its own, and gets it by default.
    pub region: Option<String>,
}

/// The scope a caller may read, or the problem naming the field.
fn scope(caller: &Caller, q: PeriodQuery) -> Result<Scope, ApiError> {
    if !caller.is(&READERS) {
        return Err(ApiError::forbidden(
            "oversight is for supervisors, regulators and admins",
        ));
    }
    if q.to < q.from {
        return Err(ApiError::bad_request(
            "to",
            "range",
            "`to` is before `from`",
        ));
    }
    if (q.to - q.from).num_days() >= MAX_DAYS {
        return Err(ApiError::bad_request(
            "to",
            "range",
            "a period covers at most 366 days",
        ));
    }
    if let Some(r) = &q.region
        && expert_core::reference::Regions::builtin().get(r).is_none()
    {
        return Err(ApiError::bad_request(
            "region",
            "unknown_region",
            format!("{r:?} is not a Hubei region code"),
        ));
    }
    let bound = if caller.role == Role::Admin {
        None
    } else {
        caller.region.clone()
    };
    let region = match (bound, q.region) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(ApiError::forbidden("this token is bound to another region"));
        }
        (Some(own), _) => Some(own),
        (None, asked) => asked,
    };
    Ok(Scope {
        from: q.from,
        to: q.to,
        region,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OversightMetrics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `null` for the whole province.
    pub region: Option<String>,
    /// See `expert_core::oversight::Metrics`: `seats` (distribution, Gini,
    /// top 1 % / 10 % share), `streaks`, `pairs` (observed against the
    /// draws' chances), `regions` (share from outside, flow), `draws`,
    /// `declines`, `sealed_reads`, `months`.
    #[schema(value_type = Object)]
    pub metrics: Metrics,
}

/// Oversight metrics of a period: how seats spread over experts, the same
/// expert with the same tenderer, pairs seen together against chance, the
/// share of seats from other regions, shortfalls, relaxations, abandoned
/// draws, declines and sealed reads. Panels still sealed are left out.
#[utoipa::path(get, path = "/api/v1/oversight/metrics", tag = "oversight", params(PeriodQuery),
    security(("bearer" = [])),
    responses((status = 200, body = OversightMetrics),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn get_metrics(
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope(&caller, query.0)?;
    let now = state.now();
    let out = state
        .db(move |conn| {
            let records = period_records(conn, &scope, now)?;
            Ok::<_, ApiError>(OversightMetrics {
                metrics: metrics(&records, &MetricsOptions::default()),
                from: scope.from,
                to: scope.to,
                region: scope.region,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The oversight report of a period as one self-contained HTML page
/// (inline SVG charts, no script): the metrics, the signals' flags, the
/// sanctions decided and the log's checkpoint with the offline check.
#[utoipa::path(get, path = "/api/v1/oversight/report", tag = "oversight", params(PeriodQuery),
    security(("bearer" = [])),
    responses((status = 200, content_type = "text/html", body = String),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn get_report(
    caller: Caller,
    state: web::Data<AppState>,
    query: Query<PeriodQuery>,
) -> Result<HttpResponse, ApiError> {
    let scope = scope(&caller, query.0)?;
    let now = state.now();
    let policy = state.settings.policy.signals();
    let data = state
        .db(move |conn| Ok::<_, ApiError>(crate::report::gather(conn, &scope, now, &policy)?))
        .await?;
    let html = crate::report::html::render(&data).map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'",
        ))
        .body(html))
}
