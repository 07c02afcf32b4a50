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

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use expert_core::evaluation::{Bidder, Candidate, Centi, Item, Rejection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::cursor;
use super::extract::{Body, Query};
use super::problem::{ApiError, FieldProblem, Problem};
use super::ratelimit::{PublicCall, PublicRead};
use crate::draws::names;
use crate::store::awards;
use crate::store::receipts;
use crate::store::{draws, evaluations, from_db_time};

// One line per route: the route table test reads them from the source.
#[rustfmt::skip]
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/public/panel-check", web::post().to(panel_check))
        .route("/public/projects", web::get().to(projects))
        .route("/public/project", web::get().to(project));
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

// --- awarded projects (评标结果公开) -----------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProjectsQuery {
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1-100 (default 20).
    pub limit: Option<u32>,
}

/// One awarded project and bid section.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardedSummary {
    pub project_id: String,
    pub bid_section: String,
    pub awarded_at: DateTime<Utc>,
    /// Whether evaluation results have been published.
    pub results_published: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardedPage {
    pub items: Vec<AwardedSummary>,
    pub next_cursor: Option<String>,
}

const AWARD_CURSOR: &str = "a1:";

fn award_cursor(at: NaiveDateTime, panel: &str) -> String {
    cursor::encode(
        AWARD_CURSOR,
        &format!("{}:{panel}", at.and_utc().timestamp_micros()),
    )
}

fn decode_award_cursor(c: &str) -> Result<(NaiveDateTime, String), ApiError> {
    let rest = cursor::decode(AWARD_CURSOR, c)?;
    let (micros, panel) = rest.split_once(':').ok_or_else(cursor::invalid)?;
    let at = micros
        .parse::<i64>()
        .ok()
        .and_then(DateTime::from_timestamp_micros)
        .ok_or_else(cursor::invalid)?;
    if panel.is_empty() || panel.len() > MAX_ID_CHARS {
        return Err(cursor::invalid());
    }
    Ok((at.naive_utc(), panel.to_owned()))
}

/// Awarded projects, most recent award first (中标结果公开). Only awarded
/// panels are listed; nothing of a project appears before its award. No
/// authentication; rate-limited per client address.
#[utoipa::path(get, path = "/api/v1/public/projects", tag = "public", params(ProjectsQuery),
    responses(
        (status = 200, body = AwardedPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limit; see Retry-After", body = Problem, content_type = "application/problem+json")))]
pub async fn projects(
    _: PublicRead,
    state: web::Data<AppState>,
    query: Query<ProjectsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request(
            "limit",
            "range",
            "limit must be between 1 and 100",
        ));
    }
    let after = q.cursor.as_deref().map(decode_award_cursor).transpose()?;
    let page = state
        .db(move |conn| {
            let mut rows = awards::recent(conn, after, i64::from(limit) + 1)?;
            let more = rows.len() > limit as usize;
            rows.truncate(limit as usize);
            let next_cursor = more
                .then(|| rows.last().map(|r| award_cursor(r.awarded_at, &r.panel_id)))
                .flatten();
            let items = rows
                .into_iter()
                .map(|r| {
                    Ok(AwardedSummary {
                        results_published: evaluations::latest(conn, &r.panel_id)?.is_some(),
                        project_id: r.project_id,
                        bid_section: r.bid_section,
                        awarded_at: from_db_time(r.awarded_at),
                    })
                })
                .collect::<Result<Vec<_>, ApiError>>()?;
            Ok(AwardedPage { items, next_cursor })
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProjectQuery {
    /// The project number on the award notice.
    pub project_id: String,
    /// One bid section (标段); every awarded section when left out.
    pub bid_section: Option<String>,
}

/// What the notice requires to be public of one awarded bid section.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardedSection {
    pub bid_section: String,
    pub awarded_at: DateTime<Utc>,
    /// The names of the experts who served (评标委员会成员名单).
    pub panel: Vec<String>,
    /// The panel's draws, whose receipts `POST /public/panel-check` gives.
    pub draws: Vec<String>,
    /// The latest evaluation results, `null` until published.
    pub results: Option<PublicResults>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicResults {
    pub version: i32,
    pub published_at: DateTime<Utc>,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Item>,
    #[schema(value_type = Vec<Object>)]
    pub bidders: Vec<Bidder>,
    /// Rejected bids with their reasons (投标被否决的情况).
    #[schema(value_type = Vec<Object>)]
    pub rejected: Vec<Rejection>,
    /// Recommended candidates (中标候选人推荐情况).
    #[schema(value_type = Vec<Object>)]
    pub candidates: Vec<Candidate>,
    /// Each expert's item-by-item scores per bid (逐项计分情况).
    pub scores: Vec<PublicSheet>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSheet {
    /// The expert's name.
    pub expert: String,
    pub bidder: String,
    #[schema(value_type = Object)]
    pub items: BTreeMap<String, Centi>,
    #[schema(value_type = f64)]
    pub total: Centi,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardedProject {
    pub project_id: String,
    pub sections: Vec<AwardedSection>,
}

/// One awarded project as the notice requires it public: per awarded bid
/// section the panel's names, and once uploaded the recommended
/// candidates, the rejected bids with reasons and every expert's
/// item-by-item scores. Before the award the very same 404 as for a
/// project that does not exist. No authentication; rate-limited.
#[utoipa::path(get, path = "/api/v1/public/project", tag = "public", params(ProjectQuery),
    responses(
        (status = 200, body = AwardedProject),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No awarded panel for this project (unknown, or not awarded yet)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limit; see Retry-After", body = Problem, content_type = "application/problem+json")))]
pub async fn project(
    _: PublicRead,
    state: web::Data<AppState>,
    query: Query<ProjectQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.0;
    let project_id = q.project_id.trim().to_owned();
    let section = q.bid_section.as_deref().map(str::trim).map(str::to_owned);
    for (field, v) in [
        ("project_id", Some(&project_id)),
        ("bid_section", section.as_ref()),
    ] {
        if let Some(v) = v
            && (v.is_empty() || v.chars().count() > MAX_ID_CHARS)
        {
            return Err(ApiError::bad_request(
                field,
                "required",
                format!("{field} must be 1-{MAX_ID_CHARS} characters"),
            ));
        }
    }
    let view = state
        .db(move |conn| {
            let awarded = awards::of_project(conn, &project_id, section.as_deref())?;
            if awarded.is_empty() {
                return Err(ApiError::not_found_detail(NO_AWARD));
            }
            let mut sections = Vec::with_capacity(awarded.len());
            for award in awarded {
                let served = awards::served(conn, &award.panel_id)?;
                let who = draws::identities(conn, &served)?;
                let name = |id: &str| {
                    who.get(id)
                        .map(|(name, _)| name.clone())
                        .ok_or_else(|| ApiError::internal(&format!("member {id} has no record")))
                };
                let results = match evaluations::latest(conn, &award.panel_id)? {
                    None => None,
                    Some(row) => {
                        let r = row.results()?;
                        let scores = r
                            .scores
                            .into_iter()
                            .map(|s| {
                                Ok(PublicSheet {
                                    expert: name(&s.expert_id)?,
                                    bidder: s.bidder,
                                    items: s.items,
                                    total: s.total,
                                })
                            })
                            .collect::<Result<Vec<_>, ApiError>>()?;
                        Some(PublicResults {
                            version: row.version,
                            published_at: from_db_time(row.recorded_at),
                            items: r.items,
                            bidders: r.bidders,
                            rejected: r.rejected,
                            candidates: r.candidates,
                            scores,
                        })
                    }
                };
                sections.push(AwardedSection {
                    panel: served.iter().map(|id| name(id)).collect::<Result<_, _>>()?,
                    draws: awards::revealed_draws(conn, &award.panel_id)?,
                    bid_section: award.bid_section,
                    awarded_at: from_db_time(award.awarded_at),
                    results,
                });
            }
            Ok(AwardedProject {
                project_id,
                sections,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}
