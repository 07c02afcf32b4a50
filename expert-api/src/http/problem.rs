//! RFC 9457 problem details: the one error body every endpoint returns.
//!
//! When to use which: `bad_request`/`validation` for input the caller can fix
//! (they name the field and the rule), `unauthorized` for a missing or bad
//! token, `forbidden` for a valid token whose role or region does not allow
//! the action, `not_found`, `conflict` for a state that forbids the action
//! (an illegal lifecycle transition, a duplicate), and `internal` for
//! everything else — whose cause is logged, never sent.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// One problem with one input field.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct FieldProblem {
    /// JSON pointer-like path of the field, e.g. `specialties/2`.
    pub field: String,
    /// Stable machine-readable rule code, e.g. `check_digit`.
    pub rule: String,
    /// Human-readable explanation (zh-CN).
    pub message: String,
    /// The same in English.
    pub message_en: String,
}

/// An `application/problem+json` body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The first offending field, when the problem is about input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The rule that failed, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Every failed rule, when several failed at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    // Boxed: errors travel through every `Result` in the handlers, and the
    // body is large next to the `Ok` values.
    problem: Box<Problem>,
    /// Seconds for a `Retry-After` header (429 only).
    retry_after: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            problem: Box::new(Problem {
                type_uri: format!("urn:expert-draw:problem:{code}"),
                title: title.to_owned(),
                status: status.as_u16(),
                detail: detail.into(),
                field: None,
                rule: None,
                errors: Vec::new(),
            }),
            retry_after: None,
        }
    }

    pub fn bad_request(field: &str, rule: &str, detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "请求有误 / Bad request",
            detail,
        );
        e.problem.field = Some(field.to_owned());
        e.problem.rule = Some(rule.to_owned());
        // The one field again in `errors`, with a Chinese sentence for the
        // rule beside the English detail: what a form shows next to the
        // field.
        e.problem.errors = vec![FieldProblem {
            field: field.to_owned(),
            rule: rule.to_owned(),
            message: rule_zh(rule).to_owned(),
            message_en: e.problem.detail.clone(),
        }];
        e
    }

    /// Input that parsed but broke domain rules; every failure is listed.
    pub fn validation(errors: Vec<FieldProblem>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message_en))
            .collect::<Vec<_>>()
            .join("; ");
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "数据校验未通过 / Validation failed",
            detail,
        );
        e.problem.field = errors.first().map(|f| f.field.clone());
        e.problem.rule = errors.first().map(|f| f.rule.clone());
        e.problem.errors = errors;
        e
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "未认证 / Unauthorized",
            detail,
        );
        e.problem.field = Some("Authorization".to_owned());
        e
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "无权操作 / Forbidden",
            detail,
        )
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "未找到 / Not found",
            format!("{what} {id} does not exist"),
        )
    }

    pub fn conflict(rule: &str, detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::CONFLICT,
            "conflict",
            "状态冲突 / Conflict",
            detail,
        );
        e.problem.rule = Some(rule.to_owned());
        e
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "请求体过大 / Payload too large",
            format!("the request body is larger than {limit} bytes"),
        )
    }

    pub fn unsupported_media_type(expected: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "不支持的内容类型 / Unsupported media type",
            format!("send Content-Type: {expected}"),
        )
    }

    /// Over a rate limit; the client may retry after `retry_after` seconds
    /// (sent as `Retry-After`).
    pub fn too_many_requests(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "请求过于频繁 / Too many requests",
            format!("too many requests from this address; retry after {retry_after} seconds"),
        );
        e.retry_after = Some(retry_after);
        e
    }

    /// A 404 whose detail is fixed by the caller, for answers that must not
    /// differ between "unknown" and "not yet public".
    pub fn not_found_detail(detail: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "未找到 / Not found",
            detail,
        )
    }

    /// An unexpected failure: the cause goes to the server log, the client
    /// gets a reference-free generic message.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误 / Internal error",
            "the server could not complete the request; it has been logged",
        )
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "服务暂不可用 / Service unavailable",
            detail,
        )
    }

    pub fn with_field(mut self, field: &str) -> Self {
        self.problem.field = Some(field.to_owned());
        if let [one] = self.problem.errors.as_mut_slice() {
            one.field = field.to_owned();
        }
        self
    }

    pub fn problem(&self) -> &Problem {
        &self.problem
    }
}

/// What a single-field rule means, in Chinese (the English `detail` says
/// exactly what failed; this is the sentence a form shows next to the
/// field).
fn rule_zh(rule: &str) -> &'static str {
    match rule {
        "required" | "missing_field" => "此项必填。",
        "range" => "数值超出允许范围。",
        "length" | "too_long" => "长度不符合要求。",
        "past" => "不能是已经过去的时间。",
        "future" | "in_future" => "不能晚于今天。",
        "before_from" => "不能早于起始日期。",
        "before_evaluation_end" => "评标尚未结束。",
        "unknown_region" => "地区代码不存在。",
        "unknown_specialty" => "专业代码不存在。",
        "unknown_draw" => "抽取记录不存在。",
        "not_a_panel" => "不是评标委员会的抽取编号。",
        "unknown_field" => "不认识的字段。",
        "invalid_type" => "类型或格式有误。",
        "malformed_json" => "请求体不是合法的 JSON。",
        "trailing_characters" => "JSON 之后有多余内容。",
        "unreadable" => "请求体无法读取。",
        "invalid_base64" => "文件内容不是有效的 Base64。",
        "invalid_cursor" => "翻页位置无效，请从第一页开始。",
        "invalid_query" | "invalid_path" => "参数有误。",
        "duplicate" => "有重复的值。",
        "exclusive" => "不能与其他参数同时使用。",
        "empty_change" => "没有要修改的内容。",
        "binding" => "角色与地区不匹配。",
        "not_with_proposal" => "依处理建议立案时不填此项。",
        "one_of" | "unknown_format" | "unknown_mode" | "unknown_stage" | "unknown_status"
        | "invalid_decision" | "invalid_answer" | "invalid_term" | "invalid_code" => {
            "不是允许的取值。"
        }
        _ => "此项有误。",
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.problem.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut r = HttpResponse::build(self.status);
        r.content_type("application/problem+json");
        if let Some(seconds) = self.retry_after {
            r.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        } else if self.status == StatusCode::SERVICE_UNAVAILABLE {
            // Busy, not broken: the same request is expected to succeed.
            r.insert_header((actix_web::http::header::RETRY_AFTER, "1"));
        }
        r.json(&self.problem)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(&e)
    }
}
