//! Request extractors that turn every malformed request into a precise
//! problem+json: the caller's token, JSON bodies and query strings, each
//! naming the failing field.

use std::future::Future;
use std::pin::Pin;

use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;

use super::AppState;
use super::problem::ApiError;
use crate::auth::Caller;
use crate::store::tokens::{self, Refusal};

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The largest JSON body the API accepts.
pub const JSON_LIMIT: usize = 256 * 1024;

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Boxed<Caller>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let presented = bearer(req);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(&"no application state"))?;
            let token = presented?;
            let now = state.now();
            state.db(move |conn| token.authenticate(conn, now)).await
        })
    }
}

/// The bearer token as presented, not yet looked up. A handler that takes
/// it instead of [`Caller`] authenticates inside its own database work
/// ([`AppState::db_as`]): one blocking hop and one pooled connection per
/// request instead of two. Refusals are the same as [`Caller`]'s; a missing
/// or malformed header is refused here, before any database work.
pub struct Presented(String);

impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Presented([redacted])")
    }
}

impl Presented {
    /// Look the token up; every refusal is a 401 naming why.
    pub fn authenticate(
        &self,
        conn: &mut crate::db::DbConn,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Caller, ApiError> {
        tokens::authenticate(conn, &self.0, now)?.map_err(refused)
    }

    /// [`Presented::authenticate`] and the audit log's size, in one query.
    pub fn authenticate_at_size(
        &self,
        conn: &mut crate::db::DbConn,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Caller, u64), ApiError> {
        let (caller, size) = tokens::authenticate_at_size(conn, &self.0, now)?;
        let caller = caller.map_err(refused)?;
        let size = size.ok_or_else(|| ApiError::internal(&"a known token without a log size"))?;
        Ok((caller, size))
    }
}

fn refused(refusal: Refusal) -> ApiError {
    ApiError::unauthorized(match refusal {
        Refusal::Unknown => "the token is not known",
        Refusal::Revoked => "the token has been revoked",
        Refusal::Expired => "the token has expired",
    })
}

impl FromRequest for Presented {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Presented, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(bearer(req))
    }
}

fn bearer(req: &HttpRequest) -> Result<Presented, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("send Authorization: Bearer <token>"))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not ASCII"))?;
    let token = value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("use the Bearer scheme: Authorization: Bearer <token>")
        })?;
    Ok(Presented(token.to_owned()))
}

/// A JSON body of `T`; unknown fields, wrong types and bad syntax each give a
/// 400 naming the field (as a `/`-separated path).
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = Boxed<Body<T>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = is_json(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::unsupported_media_type("application/json"));
            }
            let bytes = bytes
                .await
                .map_err(|e| match e.as_error::<PayloadError>() {
                    Some(PayloadError::Overflow) => ApiError::payload_too_large(JSON_LIMIT),
                    _ => ApiError::bad_request(
                        "body",
                        "unreadable",
                        "the request body could not be read",
                    ),
                })?;
            parse_json(&bytes).map(Body)
        })
    }
}

/// Whether the request says its body is `application/json`.
pub fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// Parse `T` from JSON bytes, naming the failing field on error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mut field = pointer(e.path());
        let inner = e.into_inner();
        let message = inner.to_string();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ApiError::bad_request(
                    "body",
                    "malformed_json",
                    format!("the body is not valid JSON: {message}"),
                )
            }
            serde_json::error::Category::Io => {
                ApiError::bad_request("body", "unreadable", "the body could not be read")
            }
            serde_json::error::Category::Data => {
                let rule = if message.starts_with("unknown field") {
                    "unknown_field"
                } else if message.starts_with("missing field") {
                    if let Some(name) = backticked(&message) {
                        field = if field.is_empty() {
                            name.to_owned()
                        } else {
                            format!("{field}/{name}")
                        };
                    }
                    "missing_field"
                } else {
                    "invalid_type"
                };
                let field = if field.is_empty() {
                    "body".to_owned()
                } else {
                    field
                };
                ApiError::bad_request(&field, rule, message)
            }
        }
    })?;
    de.end().map_err(|_| {
        ApiError::bad_request(
            "body",
            "trailing_characters",
            "the body has data after the JSON value",
        )
    })?;
    Ok(value)
}

/// Query parameters of `T`. Unlike actix's `web::Query`, a value that does
/// not parse (`limit=abc`) names its parameter, not just "the query".
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Query<T>, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

/// Parse `T` from a URL query string, naming the failing parameter.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = pointer(e.path());
        let message = e.into_inner().to_string();
        let field = if path.is_empty() {
            backticked(&message).unwrap_or("query").to_owned()
        } else {
            path
        };
        ApiError::bad_request(&field, "invalid_query", message)
    })
}

fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The first name quoted in backticks in a serde message.
pub fn backticked(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message.get(start..)?.find('`')?;
    message.get(start..start + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields are only deserialised")]
    struct Inner {
        code: String,
        count: u32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields are only deserialised")]
    struct Outer {
        name: String,
        items: Vec<Inner>,
    }

    fn field_of(body: &str) -> (String, String) {
        let e = parse_json::<Outer>(body.as_bytes()).unwrap_err();
        let p = e.problem();
        (
            p.field.clone().unwrap_or_default(),
            p.rule.clone().unwrap_or_default(),
        )
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields are only deserialised")]
    struct Params {
        limit: Option<u32>,
        status: Option<String>,
    }

    #[test]
    fn names_the_query_parameter() {
        let field_of = |q: &str| {
            let e = parse_query::<Params>(q).unwrap_err();
            let p = e.problem();
            (
                p.field.clone().unwrap_or_default(),
                p.rule.clone().unwrap_or_default(),
            )
        };
        assert!(parse_query::<Params>("limit=5&status=active").is_ok());
        assert!(parse_query::<Params>("").is_ok());
        assert_eq!(
            field_of("status=active&limit=abc"),
            ("limit".into(), "invalid_query".into())
        );
        assert_eq!(field_of("limit=-1").0, "limit");
        assert_eq!(field_of("page=2"), ("page".into(), "invalid_query".into()));
    }

    #[test]
    fn names_the_field() {
        assert_eq!(
            field_of(r#"{"name":"a","items":[{"code":"x","count":1},{"code":"y","count":"2"}]}"#),
            ("items/1/count".into(), "invalid_type".into())
        );
        assert_eq!(
            field_of(r#"{"name":"a","items":[],"extra":1}"#).1,
            "unknown_field"
        );
        assert_eq!(
            field_of(r#"{"name":"a"}"#),
            ("items".into(), "missing_field".into())
        );
        assert_eq!(
            field_of(r#"{"name":"a","items":[{"count":1}]}"#),
            ("items/0/code".into(), "missing_field".into())
        );
        assert_eq!(field_of(r#"{"name":"a","#).1, "malformed_json");
        assert_eq!(
            field_of(r#"{"name":"a","items":[]} x"#).1,
            "trailing_characters"
        );
    }
}
