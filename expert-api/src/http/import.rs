//! `POST /api/v1/experts/import`: a CSV or XLSX roster uploaded (the web
//! console's import page), checked and written by the same code as
//! `expert-api import`, answered with the row report.

use actix_web::{HttpResponse, web};
use base64::Engine;
use futures_util::StreamExt;
use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use super::extract::{is_json, parse_json};
use super::problem::{ApiError, FieldProblem, Problem};
use crate::auth::{Caller, Role};
use crate::import::{self, Format, ImportError, Mode, Options, Phase};

/// The largest upload: a roster of about 100,000 rows as XLSX, in base64.
pub const IMPORT_LIMIT: usize = 24 * 1024 * 1024;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    /// `csv` (UTF-8, with or without BOM) or `xlsx`.
    pub format: String,
    /// The file's bytes, base64 (standard alphabet).
    pub content_base64: String,
    /// `all_or_nothing` (default): nothing is written unless every row is
    /// valid; `valid_only`: the valid rows are written.
    #[serde(default)]
    pub mode: Option<String>,
    /// Check only; write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Approve each imported applicant at once (admins only, as admission
    /// decisions are theirs and regulators').
    #[serde(default)]
    pub admit: bool,
    /// The XLSX worksheet (default: the first).
    #[serde(default)]
    pub sheet: Option<String>,
}

/// One failed rule of one row; no identifier value is ever in it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RowErrorView {
    /// The row a spreadsheet shows (header = 1).
    pub row: usize,
    /// The column's English name (`resident_id`), empty if none.
    pub column: String,
    pub field: String,
    pub rule: String,
    pub message: String,
    pub message_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub format: String,
    pub mode: String,
    pub dry_run: bool,
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    /// Rows that passed every check.
    pub valid_rows: usize,
    /// Rows refused (one or more errors).
    pub rejected_rows: usize,
    /// Ids of the experts written, in row order (applicants).
    pub imported: Vec<String>,
    pub admitted: usize,
    /// Headers that matched no column.
    pub ignored_columns: Vec<String>,
    pub errors: Vec<RowErrorView>,
}

/// Import a roster (专家名册导入). Every row goes through the rules of
/// `POST /experts` and the pool's checks; the answer is the row report
/// (200 also when rows were refused: `rejected_rows`, `errors`). An
/// operator imports its own region's experts only (other rows are
/// reported as `region_not_allowed`). Each expert written is an
/// `expert.apply` entry, in one transaction for `all_or_nothing`.
///
/// With `Accept: application/x-ndjson` the answer is a stream of JSON
/// lines instead (`ImportLine`): `{"progress": {"phase", "done", "total"}}`
/// while the import runs, then one `{"report": …}` or `{"problem": …}`.
/// Input refused before the work starts is answered as problem+json with
/// its 4xx status either way.
#[utoipa::path(post, path = "/api/v1/experts/import", tag = "experts", request_body = ImportInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The report; or, with `Accept: application/x-ndjson`, progress lines and then the report (`ImportLine` per line)",
            content((ImportReport = "application/json"), (ImportLine = "application/x-ndjson"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file cannot be imported at all", body = Problem, content_type = "application/problem+json")))]
pub async fn import_roster(
    caller: Caller,
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if !caller.is(&[Role::Admin, Role::Operator]) {
        return Err(ApiError::forbidden(format!(
            "role {} may not import experts",
            caller.role
        )));
    }
    if !is_json(&req) {
        return Err(ApiError::unsupported_media_type("application/json"));
    }
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::bad_request("body", "unreadable", "the body could not be read")
        })?;
        if bytes.len() + chunk.len() > IMPORT_LIMIT {
            return Err(ApiError::payload_too_large(IMPORT_LIMIT));
        }
        bytes.extend_from_slice(&chunk);
    }
    let input: ImportInput = parse_json(&bytes)?;
    let format = match input.format.as_str() {
        "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        other => {
            return Err(ApiError::bad_request(
                "format",
                "unknown_format",
                format!("format must be csv or xlsx, not {other:?}"),
            ));
        }
    };
    let mode = match input.mode.as_deref().unwrap_or("all_or_nothing") {
        "all_or_nothing" => Mode::AllOrNothing,
        "valid_only" => Mode::ValidOnly,
        other => {
            return Err(ApiError::bad_request(
                "mode",
                "unknown_mode",
                format!("mode must be all_or_nothing or valid_only, not {other:?}"),
            ));
        }
    };
    if input.admit && caller.role != Role::Admin {
        return Err(
            ApiError::forbidden("admission decisions are not an operator's").with_field("admit"),
        );
    }
    let content = base64::engine::general_purpose::STANDARD
        .decode(input.content_base64.trim())
        .map_err(|e| {
            ApiError::bad_request(
                "content_base64",
                "invalid_base64",
                format!("content_base64 is not base64: {e}"),
            )
        })?;
    let opts = Options {
        file: std::path::PathBuf::from("upload"),
        format: Some(format),
        sheet: input.sheet.clone(),
        mode,
        admit: input.admit,
        dry_run: input.dry_run,
        actor: caller.actor(),
        policy: state.settings.policy.admission.clone(),
        today: state.now().date_naive(),
    };
    let unusable = |e: import::Unusable| {
        ApiError::validation(vec![FieldProblem {
            field: "content_base64".into(),
            rule: "unusable_file".into(),
            message: e.0.clone(),
            message_en: e.0,
        }])
    };
    let streaming = wants_progress(&req);
    let progress = import::Progress::new(ProgressBar::hidden());
    let bar = progress.clone();
    let db = state.clone();
    let work = async move {
        db.db(move |conn| {
            let table = import::table_from_bytes(&content, format, opts.sheet.as_deref())
                .map_err(unusable)?;
            let mut prepared =
                import::prepare_table(&opts, format, &table, &bar).map_err(unusable)?;
            prepared.restrict_regions(|r| caller.reaches(r));
            let outcome = import::execute(conn, prepared, &opts, &bar).map_err(|e| match e {
                ImportError::Unusable(u) => unusable(u),
                ImportError::Store(s) => ApiError::from(s),
            })?;
            Ok(ImportReport {
                format: input.format,
                mode: input.mode.unwrap_or_else(|| "all_or_nothing".into()),
                dry_run: opts.dry_run,
                rows: outcome.rows,
                valid_rows: outcome.valid_rows,
                rejected_rows: outcome.rejected_rows(),
                imported: outcome.imported,
                admitted: outcome.admitted,
                ignored_columns: outcome.ignored_columns,
                errors: outcome
                    .errors
                    .iter()
                    .map(|e| RowErrorView {
                        row: e.row,
                        column: e.column_name().to_owned(),
                        field: e.field.clone(),
                        rule: e.rule.clone(),
                        message: e.message_zh.clone(),
                        message_en: e.message_en.clone(),
                    })
                    .collect(),
            })
        })
        .await
    };
    if !streaming {
        return Ok(HttpResponse::Ok().json(work.await?));
    }
    Ok(HttpResponse::Ok()
        .content_type(NDJSON)
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .streaming(progress_lines(Box::pin(work), progress)))
}

/// The media type of the import's progress stream.
pub const NDJSON: &str = "application/x-ndjson";

/// How often a running import reports its progress.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// Whether the client asked for the progress stream (`Accept:
/// application/x-ndjson`) rather than the report alone.
fn wants_progress(req: &actix_web::HttpRequest) -> bool {
    req.headers()
        .get_all(actix_web::http::header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|m| {
            m.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case(NDJSON))
        })
}

/// One line of the progress stream.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportLine {
    /// While the import runs, at most every 200 ms when something moved,
    /// and when it ends: the phase (`parsing`, `checking`, `writing`), rows
    /// done and rows in the phase. Every phase the import went through has
    /// at least one line, the last with the phase's final counts.
    Progress {
        phase: &'static str,
        done: u64,
        total: u64,
    },
    /// The last line when the import ran: the same report as without the
    /// stream.
    Report(ImportReport),
    /// The last line when it failed: the problem+json the request would
    /// otherwise have had, with its `status`.
    Problem(Problem),
}

fn line(l: &ImportLine) -> web::Bytes {
    let mut out = serde_json::to_vec(l).unwrap_or_else(|_| b"{}".to_vec());
    out.push(b'\n');
    web::Bytes::from(out)
}

type Work = std::pin::Pin<Box<dyn std::future::Future<Output = Result<ImportReport, ApiError>>>>;

/// The import's progress as JSON lines, then its report or problem. The
/// work runs on the blocking pool; this only reads its progress, every
/// [`PROGRESS_EVERY`] and when it ends, and writes a line for every phase
/// whose counts moved since the last look: a phase that began and ended
/// between two looks still has its line, with its last counts, so every
/// phase the import went through is reported, in order, however fast it
/// ran. A client that goes away does not stop an import already writing
/// (its transaction commits or rolls back whole).
fn progress_lines(
    work: Work,
    progress: import::Progress,
) -> impl futures_util::Stream<Item = Result<web::Bytes, actix_web::Error>> {
    use futures_util::future::{Either, select};
    futures_util::stream::unfold(
        (Some(work), progress, Vec::<import::PhaseCount>::new()),
        |(work, progress, mut told)| async move {
            let mut work = work?;
            loop {
                let tick = Box::pin(actix_web::rt::time::sleep(PROGRESS_EVERY));
                match select(work, tick).await {
                    Either::Left((done, _)) => {
                        let mut out = moved(&progress, &mut told);
                        let end = match done {
                            Ok(report) => ImportLine::Report(report),
                            Err(e) => ImportLine::Problem(e.problem().clone()),
                        };
                        out.extend_from_slice(&line(&end));
                        return Some((Ok(web::Bytes::from(out)), (None, progress, told)));
                    }
                    Either::Right(((), pending)) => {
                        work = pending;
                        let out = moved(&progress, &mut told);
                        if !out.is_empty() {
                            let next = (Some(work), progress, told);
                            return Some((Ok(web::Bytes::from(out)), next));
                        }
                    }
                }
            }
        },
    )
}

/// The progress lines of the phases (reading aside: it has no rows) whose
/// counts differ from what `told` holds, which is brought up to date.
fn moved(progress: &import::Progress, told: &mut Vec<import::PhaseCount>) -> Vec<u8> {
    let now: Vec<import::PhaseCount> = progress
        .phases()
        .into_iter()
        .filter(|p| p.phase != Phase::Reading)
        .collect();
    let mut out = Vec::new();
    for (i, p) in now.iter().enumerate() {
        if told.get(i) != Some(p) {
            out.extend_from_slice(&line(&ImportLine::Progress {
                phase: p.phase.as_str(),
                done: p.done,
                total: p.total,
            }));
        }
    }
    *told = now;
    out
}
