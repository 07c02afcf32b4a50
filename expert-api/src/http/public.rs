//! The public award-notice check (中标公示核对): after the award, anyone may
//! ask whether the names printed on the notice are the experts who served
//! on the panel, and get the panel's draw receipts. No authentication;
//! rate-limited per client address (`ratelimit`).
//!
//! Before the award the answer is the very same 404 as for a project that
//! does not exist, so the endpoint tells nothing about panels still sealed
//! or not yet awarded. Submitted names are never logged (the request log
//! has method, path and status only). A check is not an audit entry: it
//! reads nothing sealed (after the award the notice has published the
//! names, and the receipts name only ids and hashes already in the log),
//! changes nothing, and logging each anonymous call would let anyone grow
//! the permanent log at will.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::extract::Body;
use super::problem::{ApiError, FieldProblem, Problem};
use super::ratelimit::PublicCall;
use crate::draws::names;
use crate::store::awards;
use crate::store::receipts;

// One line per route: the route table test reads them from the source.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/public/panel-check", web::post().to(panel_check));
}

/// The one answer for "unknown project" and "not awarded (yet)".
pub const NO_AWARD: &str = "no awarded panel for this project and bid section";

const MAX_NAMES: usize = 100;
const MAX_NAME_CHARS: usize = 50;
const MAX_ID_CHARS: usize = 64;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelCheckInput {
    /// The project number on the award notice.
    pub project_id: String,
    /// The bid section (标段); needed when the project has awarded panels
    /// for several.
    #[serde(default)]
    pub bid_section: Option<String>,
    /// The experts' names on the notice, in any order. Compared after
    /// Unicode NFC with all whitespace removed, as a multiset.
    pub names: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PanelCheckResult {
    /// Whether the names are exactly the experts who served.
    #[serde(rename = "match")]
    pub matches: bool,
    /// The receipt of each draw of the panel (its first draw, then any
    /// supplementary draws), as `GET /draws/{id}/receipt` gives them.
    pub receipts: Vec<String>,
}

fn field_problem(field: String, rule: &str, zh: &str, en: String) -> FieldProblem {
    FieldProblem {
        field,
        rule: rule.to_owned(),
        message: zh.to_owned(),
        message_en: en,
    }
}

fn check_input(input: &PanelCheckInput) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    let mut text = |field: &str, v: &str| {
        let n = v.trim().chars().count();
        if n == 0 || n > MAX_ID_CHARS {
            out.push(field_problem(
                field.to_owned(),
                "required",
                "不能为空且不超过64个字符",
                format!("{field} must be 1-{MAX_ID_CHARS} characters"),
            ));
        }
    };
    text("project_id", &input.project_id);
    if let Some(b) = &input.bid_section {
        text("bid_section", b);
    }
    if input.names.is_empty() || input.names.len() > MAX_NAMES {
        out.push(field_problem(
            "names".into(),
            "count",
            "须列出1至100个姓名",
            format!("names must list 1-{MAX_NAMES} names"),
        ));
    }
    for (i, name) in input.names.iter().enumerate() {
        let n = names::normalize(name).chars().count();
        if n == 0 || n > MAX_NAME_CHARS {
            out.push(field_problem(
                format!("names/{i}"),
                "name",
                "姓名不能为空且不超过50个字符",
                format!("each name must be 1-{MAX_NAME_CHARS} characters besides whitespace"),
            ));
        }
    }
    out
}

/// Check an award notice against the panel that served (公示核对). After
/// the award of the project's panel: whether `names` equal the names of the
/// experts who served, with the panel's draw receipts. Before the award, and
/// for an unknown project, the same 404. No authentication; rate-limited
/// per client address (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/public/panel-check", tag = "public",
    request_body = PanelCheckInput,
    responses(
        (status = 200, body = PanelCheckResult),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No awarded panel for this project (unknown, or not awarded yet)", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limit; see Retry-After", body = Problem, content_type = "application/problem+json")))]
pub async fn panel_check(
    _: PublicCall,
    state: web::Data<AppState>,
    body: Body<PanelCheckInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let problems = check_input(&input);
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let now = state.now();
    let flow = state.flow();
    let result = state
        .db(move |conn| {
            let project = input.project_id.trim();
            let section = input.bid_section.as_deref().map(str::trim);
            let awarded = awards::of_project(conn, project, section)?;
            let panel = match awarded.as_slice() {
                [] => return Err(ApiError::not_found_detail(NO_AWARD)),
                [one] => one.panel_id.clone(),
                _ => {
                    return Err(ApiError::validation(vec![field_problem(
                        "bid_section".into(),
                        "ambiguous",
                        "该项目有多个标段已定标，请指明标段",
                        "the project has awarded panels for several bid sections; name one".into(),
                    )]));
                }
            };
            let served = awards::served_names(conn, &panel)?;
            let signing = (flow.signer.as_ref(), flow.origin.as_str());
            let receipts = awards::revealed_draws(conn, &panel)?
                .iter()
                .map(|id| receipts::receipt(conn, now, id, signing, None))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(PanelCheckResult {
                matches: names::same_people(&input.names, &served),
                receipts,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}
