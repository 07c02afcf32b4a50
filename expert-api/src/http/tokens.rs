//! Token management for admins over HTTP (the CLI does the same for the
//! first token). The secret appears once, in the creation response.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::extract::Body;
use super::problem::ApiError;
use crate::auth::{self, Caller, Role};
use crate::store::{audit, tokens};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/tokens", web::get().to(list))
        .route("/tokens", web::post().to(create))
        .route("/tokens/{id}", web::delete().to(revoke))
        .route("/session", web::get().to(session));
}

fn admin_only(caller: &Caller) -> Result<(), ApiError> {
    if caller.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::forbidden("only admins manage tokens"))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    pub role: Role,
    /// Required for operators; optional for supervisors and regulators.
    pub region: Option<String>,
    pub label: String,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The secret; shown this once and never again.
    pub token: String,
    #[serde(flatten)]
    pub info: tokens::TokenInfo,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = CreateToken,
    security(("bearer" = [])),
    responses((status = 201, body = CreatedToken), (status = 422, body = super::problem::Problem)))]
pub async fn create(
    caller: Caller,
    state: web::Data<AppState>,
    body: Body<CreateToken>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&caller)?;
    let req = body.0;
    auth::check_binding(req.role, req.region.as_deref())
        .map_err(|m| ApiError::bad_request("region", "binding", m))?;
    if req.label.trim().is_empty() || req.label.chars().count() > 100 {
        return Err(ApiError::bad_request(
            "label",
            "length",
            "label must be 1 to 100 characters",
        ));
    }
    let now = state.now();
    if req.expires_at.is_some_and(|e| e <= now) {
        return Err(ApiError::bad_request(
            "expires_at",
            "past",
            "expires_at must be in the future",
        ));
    }
    let token = auth::new_token().map_err(|e| ApiError::internal(&e))?;
    let actor = caller.actor();
    let (token, info) = state
        .db(move |conn| {
            let info = audit::write(conn, now, |tx| {
                tokens::create(
                    tx,
                    &actor,
                    &token,
                    req.role,
                    req.region.as_deref(),
                    &req.label,
                    req.expires_at,
                )
            })?;
            Ok((token, info))
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedToken {
        token: token.secret,
        info,
    }))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, body = Vec<tokens::TokenInfo>)))]
pub async fn list(caller: Caller, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    admin_only(&caller)?;
    let list = state.db(|conn| Ok(tokens::list(conn)?)).await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", security(("bearer" = [])),
    params(("id" = String, Path, description = "Token id")),
    responses((status = 200, body = tokens::TokenInfo), (status = 404, body = super::problem::Problem)))]
pub async fn revoke(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    admin_only(&caller)?;
    let now = state.now();
    let actor = caller.actor();
    let id = id.into_inner();
    let info = state
        .db(move |conn| {
            Ok(audit::write(conn, now, |tx| {
                tokens::revoke(tx, &actor, &id)
            })?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(info))
}

/// Who the presented token is: its id, role and region. The console asks
/// this to decide what to show; every action is still checked by its route.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub token_id: String,
    pub role: Role,
    /// The region the token is bound to; absent for province-wide tokens.
    pub region: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/session", tag = "tokens",
    security(("bearer" = [])),
    responses((status = 200, body = SessionView),
        (status = 401, description = "No valid token", body = super::problem::Problem, content_type = "application/problem+json")))]
pub async fn session(caller: Caller) -> HttpResponse {
    HttpResponse::Ok().json(SessionView {
        token_id: caller.token_id,
        role: caller.role,
        region: caller.region,
    })
}
