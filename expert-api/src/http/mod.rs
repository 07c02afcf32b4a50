//! The HTTP API under `/api/v1`: application state, routing, and the glue
//! that runs blocking diesel work on actix's thread pool.

pub mod assessments;
pub mod audit;
pub mod cases;
pub mod console;
pub mod cursor;
pub mod draws;
pub mod evaluations;
pub mod experts;
pub mod extract;
pub mod import;
pub mod openapi;
pub mod oversight;
pub mod problem;
pub mod public;
pub mod ratelimit;
pub mod receipts;
pub mod reference;
pub mod respond;
pub mod review;
pub mod rfc3797;
pub mod signals;
pub mod tokens;

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};

use crate::auth::Caller;
use crate::config::Settings;
use crate::db::{DbConn, Pool};
use crate::keys::KeyRing;
use crate::store::StoreError;
use problem::ApiError;

/// Everything a handler may use. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    /// Signs checkpoints; pins each before it is handed out.
    pub signer: Arc<KeyRing>,
    pub settings: Arc<Settings>,
    /// Token buckets of the public panel check.
    pub public_limiter: Arc<ratelimit::RateLimiter>,
    /// Token buckets of the public disclosure pages.
    pub public_read_limiter: Arc<ratelimit::RateLimiter>,
    /// The registry as list pages read it, caught up from the log.
    pub registry: Arc<crate::registry::Registry>,
    /// What the draw filters read about every expert, caught up from the
    /// log: the pools of draws' statements.
    pub draw_facts: Arc<crate::facts::DrawFacts>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// Run blocking database work off the async workers.
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(|e| {
                tracing::warn!(error = %e, "no database connection available");
                ApiError::unavailable("the database is busy; retry shortly")
            })?;
            work(&mut conn)
        })
        .await?
    }

    /// [`AppState::db`] for a caller still to be authenticated: the token
    /// lookup and `work` share one blocking hop and one pooled connection.
    pub async fn db_as<T, F>(&self, token: extract::Presented, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn, Caller) -> Result<T, ApiError> + Send + 'static,
    {
        let now = self.now();
        self.db(move |conn| {
            let caller = token.authenticate(conn, now)?;
            work(conn, caller)
        })
        .await
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => ApiError::not_found(what, &id),
            StoreError::Conflict { rule, message } => ApiError::conflict(rule, message),
            StoreError::TreeArg { arg, reason } => {
                ApiError::bad_request(arg.name(), "range", reason)
            }
            StoreError::Invalid(errors) => ApiError::validation(
                errors
                    .into_iter()
                    .map(|f| problem::FieldProblem {
                        field: f.field,
                        rule: f.rule.as_str().to_owned(),
                        message: f.message_zh,
                        message_en: f.message_en,
                    })
                    .collect(),
            ),
            StoreError::Db(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => ApiError::conflict("duplicate", "a record with the same key already exists"),
            StoreError::Db(e) if is_busy(&e) => {
                tracing::warn!(error = %e, "database busy");
                ApiError::unavailable("the database is busy; retry shortly")
            }
            other => ApiError::internal(&other),
        }
    }
}

/// SQLite's busy timeout expired (`SQLITE_BUSY`: another writer held the
/// lock throughout): the request was refused, not broken, so 503.
fn is_busy(e: &diesel::result::Error) -> bool {
    match e {
        diesel::result::Error::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("database is locked") || m.contains("database is busy")
        }
        _ => false,
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        ApiError::from(StoreError::Db(e))
    }
}

/// Routes, extractor settings and error handlers; shared by the server and
/// the OpenAPI test so the two cannot drift apart.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(extract::JSON_LIMIT))
        .app_data(web::QueryConfig::default().error_handler(|err, _req| query_error(&err).into()))
        .app_data(web::PathConfig::default().error_handler(|err, _req| {
            ApiError::bad_request("path", "invalid_path", err.to_string()).into()
        }))
        .route("/healthz", web::get().to(healthz))
        .route("/", web::get().to(console::to_console))
        .route("/console", web::get().to(console::to_console))
        .route("/console/", web::get().to(console::index))
        .route("/console/{file}", web::get().to(console::asset))
        .service(openapi::swagger_ui())
        .service(
            web::scope("/api/v1")
                .configure(experts::routes)
                .configure(reference::routes)
                .configure(review::routes)
                .configure(audit::routes)
                .configure(tokens::routes)
                .configure(draws::routes)
                .configure(receipts::routes)
                .configure(evaluations::routes)
                .configure(assessments::routes)
                .configure(signals::routes)
                .configure(oversight::routes)
                .configure(cases::routes)
                .configure(public::routes)
                .configure(respond::routes)
                .configure(rfc3797::routes)
                .configure(openapi::routes),
        )
        .default_service(web::to(unknown_route));
}

fn query_error(err: &actix_web::error::QueryPayloadError) -> ApiError {
    let message = err.to_string();
    let field = extract::backticked(&message).unwrap_or("query").to_owned();
    ApiError::bad_request(&field, "invalid_query", message)
}

async fn unknown_route(req: HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    ApiError::not_found("route", &format!("{} {}", req.method(), req.path())).error_response()
}

#[utoipa::path(get, path = "/healthz", tag = "system",
    responses((status = 200, description = "The service and its database answer")))]
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let backend = state
        .db(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT 1")?;
            Ok(match conn {
                DbConn::Sqlite(_) => "sqlite",
                DbConn::Postgres(_) => "postgres",
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ok", "database": backend})))
}

/// Request log: method, path, status and time. Never the query string or
/// body (they may hold names or tokens), never headers.
pub async fn log_request(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let method = req.method().clone();
    // A response or rating link's path is its one-time token: never log it.
    let path = ["/respond/", "/rate/"]
        .iter()
        .find_map(|m| {
            req.path()
                .split_once(m)
                .map(|(head, _)| format!("{head}{m}[redacted]"))
        })
        .unwrap_or_else(|| req.path().to_owned());
    let started = std::time::Instant::now();
    let res = next.call(req).await?;
    // Three decimals: a long float is noise, and its digit runs could pass
    // for an identifier in a log scan.
    let ms = format!("{:.3}", started.elapsed().as_secs_f64() * 1000.0);
    tracing::info!(
        %method,
        %path,
        status = res.status().as_u16(),
        %ms,
        "request"
    );
    Ok(res)
}
