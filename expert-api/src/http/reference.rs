//! Reference data every client needs to fill a form: Hubei's region codes
//! and the specialty tree. Any signed-in role may read them.

use actix_web::{HttpResponse, web};
use expert_core::reference::{Regions, SpecialtyTree};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::problem::ApiError;
use crate::auth::Caller;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/reference/regions", web::get().to(regions))
        .route("/reference/specialties", web::get().to(specialties));
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView {
    /// GB/T 2260 code.
    pub code: String,
    pub name: String,
    pub level: String,
}

#[utoipa::path(get, path = "/api/v1/reference/regions", tag = "reference", security(("bearer" = [])),
    responses((status = 200, body = Vec<RegionView>), (status = 401, body = super::problem::Problem)))]
pub async fn regions(_caller: Caller) -> HttpResponse {
    let list: Vec<RegionView> = Regions::builtin()
        .iter()
        .map(|r| RegionView {
            code: r.code.clone(),
            name: r.name.clone(),
            level: serde_json::to_value(r.level)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        })
        .collect();
    HttpResponse::Ok().json(list)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SpecialtyQuery {
    /// Only the direct children of this code (use `root` for the top level).
    pub parent: Option<String>,
    /// Only codes starting with this prefix.
    pub prefix: Option<String>,
    /// Only codes of this level (1-5).
    pub level: Option<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SpecialtyView {
    pub code: String,
    pub parent: Option<String>,
    pub level: u8,
    pub name: String,
    /// Experts a provincial pool held under this code (reference skew).
    pub pool_experts: u64,
}

#[utoipa::path(get, path = "/api/v1/reference/specialties", tag = "reference", params(SpecialtyQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<SpecialtyView>), (status = 400, body = super::problem::Problem),
        (status = 401, body = super::problem::Problem)))]
pub async fn specialties(
    _caller: Caller,
    query: web::Query<SpecialtyQuery>,
) -> Result<HttpResponse, ApiError> {
    let tree = SpecialtyTree::builtin();
    let q = query.into_inner();
    if let Some(parent) = q.parent.as_deref().filter(|p| *p != "root")
        && !tree.is_known(parent)
    {
        return Err(ApiError::bad_request(
            "parent",
            "unknown_specialty",
            format!("no specialty code {parent:?}"),
        ));
    }
    if q.level.is_some_and(|l| !(1..=5).contains(&l)) {
        return Err(ApiError::bad_request(
            "level",
            "range",
            "level must be 1 to 5",
        ));
    }
    let list: Vec<SpecialtyView> = tree
        .iter()
        .filter(|s| match q.parent.as_deref() {
            None => true,
            Some("root") => s.parent.is_none(),
            Some(p) => s.parent.as_deref() == Some(p),
        })
        .filter(|s| q.prefix.as_deref().is_none_or(|p| s.code.starts_with(p)))
        .filter(|s| q.level.is_none_or(|l| s.level == l))
        .map(|s| SpecialtyView {
            code: s.code.clone(),
            parent: s.parent.clone(),
            level: s.level,
            name: s.name.clone(),
            pool_experts: s.pool_experts,
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}
