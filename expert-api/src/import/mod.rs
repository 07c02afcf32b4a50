//! Importing an expert roster (CSV or XLSX): every row goes through the
//! API's intake and admission rules, and imports all-or-nothing or valid-only.
//!
//! The flow: read the file into a [`table::Table`], map its headers
//! ([`columns`]), turn each row into an application ([`row`]), refuse a
//! resident ID seen earlier in the file, then check every application
//! against the pool without writing (`store::experts::check_many`: the pure
//! rules plus bans and registrations). Only then does anything get written,
//! through `store::experts::apply_many`, which checks again inside the
//! transaction, so a registration made meanwhile cannot slip through.
//!
//! Columns (header row; English names match case-, space- and
//! underscore-insensitively, Chinese names exactly; other columns are
//! ignored; `*` marks a required column):
//!
//! | English | 中文 | value |
//! | --- | --- | --- |
//! | name* | 姓名 | text |
//! | resident_id* | 身份证号 | 18 characters; a TEXT cell in Excel (a number cell has lost digits and is refused) |
//! | mobile* | 手机号 | 11 digits |
//! | region* | 地区代码 | Hubei GB/T 2260 code, e.g. 420100 |
//! | employer_name* | 工作单位 | text |
//! | employer_code* | 统一社会信用代码 | 18 characters, TEXT cell |
//! | employed_since | 入职日期 | date cell, Excel serial, or 2015-03-01 / 2015/3/1 / 2015年3月1日 (default today) |
//! | specialties* | 专业 | codes (level 3+) separated by `;` `、` `,` |
//! | title* | 职称 | senior, associate_senior, intermediate, junior, none / 正高级, 副高级, 中级, 初级, 无 |
//! | senior_equivalent | 同等专业水平 | 是/否, true/false, 1/0 (default 否) |
//! | years_in_field* | 从业年限 | whole number |
//! | civil_servant* | 是否国家工作人员 | 是/否, true/false, 1/0 |
//! | employer_contact_name | 单位联系人 | text (required for civil servants by the rules) |
//! | employer_contact_phone | 单位联系电话 | text |
//! | employer_contact_address | 单位联系地址 | text |
//! | integrity_pledge | 廉洁承诺书 | document reference |
//! | no_criminal_record | 无犯罪记录证明 | document reference |
//!
//! Transactions: all-or-nothing writes every row in ONE transaction: a
//! crash or a late refusal leaves nothing behind, and one transaction costs
//! one fsync, so it is also the fastest. Its price is that the log head
//! stays locked for the whole write (other writers wait). Valid-only has no
//! all-or-nothing promise to keep, so it commits every [`BATCH`] rows and
//! lets other writers in between.

pub mod columns;
mod csv;
pub mod report;
pub(crate) mod row;
pub mod table;
pub mod values;
mod xlsx;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use expert_core::admission::{AdmissionPolicy, Application, Decision};
use std::sync::{Arc, Mutex, PoisonError};

use indicatif::ProgressBar;

use crate::db::DbConn;
use crate::intake::Intake;
use crate::store::experts::{self as store};
use crate::store::{StoreError, audit};
use columns::ColumnMap;
use report::RowError;
use table::Table;

/// Rows per check query batch and per valid-only transaction.
pub const BATCH: usize = 1_000;

/// The input cannot be imported at all (exit code 2): unreadable, not
/// UTF-8, missing columns, no rows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unusable(pub String);

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Unusable(#[from] Unusable),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        ImportError::Store(StoreError::Db(e))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// From the file name's extension; `None` for anything else.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Some(Format::Csv),
            "xlsx" | "xlsm" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Xlsx => "XLSX",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Import nothing unless every row is valid.
    AllOrNothing,
    /// Import the valid rows, report the others.
    ValidOnly,
}

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub file: PathBuf,
    /// Overrides the extension.
    pub format: Option<Format>,
    /// The XLSX sheet (default: the first).
    pub sheet: Option<String>,
    pub mode: Mode,
    /// Approve each imported applicant at once (loading an existing pool).
    pub admit: bool,
    /// Check only; write nothing.
    pub dry_run: bool,
    pub actor: String,
    pub policy: AdmissionPolicy,
    pub today: NaiveDate,
}

/// What happened, for the summary and the exit code.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub format: Option<Format>,
    /// Data rows read (blank rows are not counted).
    pub rows: usize,
    /// Headers that matched no column.
    pub ignored_columns: Vec<String>,
    /// Every failed rule, by row.
    pub errors: Vec<RowError>,
    /// Rows that passed every check (in a dry run: would be imported).
    pub valid_rows: usize,
    /// Ids of the experts written, in row order.
    pub imported: Vec<String>,
    /// How many of them were approved (`--admit`).
    pub admitted: usize,
}

impl Outcome {
    pub fn rejected_rows(&self) -> usize {
        let mut rows: Vec<usize> = self.errors.iter().map(|e| e.row).collect();
        rows.dedup();
        rows.len()
    }
}

/// Read the file as `format` (or as its extension says).
pub fn read_table(
    path: &Path,
    format: Option<Format>,
    sheet: Option<&str>,
) -> Result<(Format, Table), Unusable> {
    let format = format.or_else(|| Format::from_path(path)).ok_or_else(|| {
        Unusable(format!(
            "cannot tell the format of {} from its extension: name it .csv or .xlsx, or pass --format csv|xlsx",
            path.display()
        ))
    })?;
    let table = match format {
        Format::Csv => {
            let bytes = std::fs::read(path)
                .map_err(|e| Unusable(format!("cannot read {}: {e}", path.display())))?;
            csv::read(&bytes)?
        }
        Format::Xlsx => {
            if !path.is_file() {
                return Err(Unusable(format!(
                    "cannot read {}: no such file",
                    path.display()
                )));
            }
            xlsx::read(path, sheet)?
        }
    };
    Ok((format, table))
}

/// The stages of an import, as its progress bar's message (the CLI prints
/// it) and as the `phase` of the HTTP import's progress lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Reading,
    Parsing,
    Checking,
    Writing,
}

impl Phase {
    const ALL: [Phase; 4] = [
        Phase::Reading,
        Phase::Parsing,
        Phase::Checking,
        Phase::Writing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Reading => "reading",
            Phase::Parsing => "parsing",
            Phase::Checking => "checking",
            Phase::Writing => "writing",
        }
    }

    /// The bar's message: the English name, then the Chinese.
    pub fn message(self) -> &'static str {
        match self {
            Phase::Reading => "reading 读取",
            Phase::Parsing => "parsing 解析",
            Phase::Checking => "checking 校验",
            Phase::Writing => "writing 写入",
        }
    }

    /// The phase a bar's message names (`None` before the first phase).
    pub fn of_message(message: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.message() == message)
    }
}

/// An import's progress: the bar the CLI draws (and the HTTP stream reads),
/// and the phases already ended with their last counts, so a reader that
/// looks only now and then still learns every phase the import went
/// through and how far each got.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
    ended: Arc<Mutex<Vec<PhaseCount>>>,
}

/// A phase with its rows done and rows in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseCount {
    pub phase: Phase,
    pub done: u64,
    pub total: u64,
}

impl Progress {
    pub fn new(bar: ProgressBar) -> Self {
        Self {
            bar,
            ended: Arc::default(),
        }
    }

    pub fn bar(&self) -> &ProgressBar {
        &self.bar
    }

    /// Starts `phase` over `total` rows (unknown: `None`), ending the one
    /// before. Under the lock [`Progress::phases`] takes, so that no look
    /// sees a phase change half made.
    fn enter(&self, phase: Phase, total: Option<u64>) {
        let mut ended = self.ended.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(now) = self.current() {
            ended.push(now);
        }
        self.bar.set_position(0);
        match total {
            Some(total) => self.bar.set_length(total),
            None => self.bar.unset_length(),
        }
        self.bar.set_message(phase.message());
    }

    fn inc(&self, rows: usize) {
        self.bar.inc(u64::try_from(rows).unwrap_or(u64::MAX));
    }

    fn current(&self) -> Option<PhaseCount> {
        Some(PhaseCount {
            phase: Phase::of_message(&self.bar.message())?,
            done: self.bar.position(),
            total: self.bar.length().unwrap_or_default(),
        })
    }

    /// Every phase so far in order: those ended with their last counts,
    /// then the one running (its rows done only grow until it ends).
    pub fn phases(&self) -> Vec<PhaseCount> {
        let ended = self.ended.lock().unwrap_or_else(PoisonError::into_inner);
        let mut all = ended.clone();
        all.extend(self.current());
        all
    }
}

/// Rows as a progress length.
fn rows(n: usize) -> Option<u64> {
    Some(u64::try_from(n).unwrap_or(u64::MAX))
}

/// A row that passed parsing, waiting for the pool checks.
#[derive(Debug)]
struct Candidate {
    row: usize,
    intake: Intake,
}

/// Parse every row and refuse in-file duplicates; no database involved.
fn parse_rows(
    table: &Table,
    today: NaiveDate,
    policy: &AdmissionPolicy,
    progress: &Progress,
) -> Result<(ColumnMap, Vec<Candidate>, Vec<RowError>), Unusable> {
    let map = ColumnMap::from_headers(&table.headers).map_err(|e| Unusable(e.to_string()))?;
    if table.rows.is_empty() {
        return Err(Unusable(
            "表中没有数据行 / the roster has a header row but no data rows".into(),
        ));
    }
    let mut candidates = Vec::with_capacity(table.rows.len());
    let mut errors = Vec::new();
    let mut first_row: HashMap<String, usize> = HashMap::with_capacity(table.rows.len());
    for r in &table.rows {
        match row::parse(&map, r, today, policy) {
            Ok(intake) => {
                let rid = intake.application.profile.resident_id.as_str().to_owned();
                if let Some(&first) = first_row.get(&rid) {
                    errors.push(RowError::duplicate_in_file(r.number, first));
                } else {
                    first_row.insert(rid, r.number);
                    candidates.push(Candidate {
                        row: r.number,
                        intake,
                    });
                }
            }
            Err(e) => errors.extend(e),
        }
        progress.inc(1);
    }
    Ok((map, candidates, errors))
}

/// A roster read and parsed, not yet checked against the pool.
#[derive(Debug)]
pub struct Prepared {
    outcome: Outcome,
    candidates: Vec<Candidate>,
}

impl Prepared {
    /// Rows read (for the progress bar).
    pub fn rows(&self) -> usize {
        self.outcome.rows
    }

    /// Refuse every row whose region `reaches` refuses (a region-bound
    /// operator imports its own region's experts only, as `POST
    /// /experts` allows); the row goes to the report, nothing else changes.
    pub fn restrict_regions(&mut self, reaches: impl Fn(&str) -> bool) {
        let (kept, refused): (Vec<Candidate>, Vec<Candidate>) =
            std::mem::take(&mut self.candidates)
                .into_iter()
                .partition(|c| reaches(&c.intake.application.profile.region));
        self.candidates = kept;
        self.outcome
            .errors
            .extend(refused.iter().map(|c| RowError::region_not_allowed(c.row)));
        self.outcome.errors.sort_by_key(|e| e.row);
    }
}

/// Read and parse `opts.file`; touches no database, so an unusable file is
/// reported even when the database is down.
pub fn prepare(opts: &Options, progress: &Progress) -> Result<Prepared, Unusable> {
    progress.enter(Phase::Reading, None);
    let (format, table) = read_table(&opts.file, opts.format, opts.sheet.as_deref())?;
    prepare_table(opts, format, &table, progress)
}

/// An uploaded roster's bytes as a table (the HTTP import).
pub fn table_from_bytes(
    bytes: &[u8],
    format: Format,
    sheet: Option<&str>,
) -> Result<Table, Unusable> {
    match format {
        Format::Csv => csv::read(bytes),
        Format::Xlsx => xlsx::read_bytes(bytes, sheet),
    }
}

/// Parse a table already read; touches no database.
pub fn prepare_table(
    opts: &Options,
    format: Format,
    table: &Table,
    progress: &Progress,
) -> Result<Prepared, Unusable> {
    progress.enter(Phase::Parsing, rows(table.rows.len()));
    let (map, candidates, errors) = parse_rows(table, opts.today, &opts.policy, progress)?;
    Ok(Prepared {
        outcome: Outcome {
            format: Some(format),
            rows: table.rows.len(),
            ignored_columns: map.ignored,
            errors,
            ..Outcome::default()
        },
        candidates,
    })
}

/// Check the prepared rows against the pool and, unless this is a dry run
/// or all-or-nothing found a bad row, write them.
pub fn execute(
    conn: &mut DbConn,
    prepared: Prepared,
    opts: &Options,
    progress: &Progress,
) -> Result<Outcome, ImportError> {
    let Prepared {
        mut outcome,
        candidates,
    } = prepared;
    // (Every PostgreSQL connection plans each statement afresh, see
    // `db::DbUrl::connect_with`: with a generic plan made while `experts`
    // was empty, the resident-ID lookup of each batch scanned every row
    // written so far, quadratic over an import.)
    // Read-only checks against the pool, so that all-or-nothing can refuse
    // before taking the write lock.
    progress.enter(Phase::Checking, rows(candidates.len()));
    let mut valid = Vec::with_capacity(candidates.len());
    for chunk in candidates.chunks(BATCH) {
        let apps: Vec<&Application> = chunk.iter().map(|c| &c.intake.application).collect();
        let checks = store::check_many(conn, &apps, &opts.policy, opts.today)?;
        for (c, check) in chunk.iter().zip(checks) {
            match check {
                Ok(()) => valid.push(c),
                Err(e) => outcome.errors.extend(RowError::from_store(c.row, e)?),
            }
        }
        progress.inc(chunk.len());
    }
    outcome.errors.sort_by_key(|e| e.row);
    outcome.valid_rows = valid.len();
    if opts.dry_run || valid.is_empty() {
        return Ok(outcome);
    }
    if opts.mode == Mode::AllOrNothing && !outcome.errors.is_empty() {
        return Ok(outcome);
    }

    progress.enter(Phase::Writing, rows(valid.len()));
    let mut written = Written::default();
    match opts.mode {
        Mode::AllOrNothing => {
            let result = audit::write(conn, Utc::now(), |tx| {
                for chunk in valid.chunks(BATCH) {
                    write_chunk(tx, chunk, opts, &mut written)?;
                    progress.inc(chunk.len());
                }
                if written.refused.is_empty() {
                    Ok(())
                } else {
                    // Someone registered one of these people meanwhile.
                    Err(Abort::Refused)
                }
            });
            match result {
                Ok(()) => {}
                Err(Abort::Refused) => {
                    written.imported.clear();
                    written.admitted = 0;
                }
                Err(Abort::Store(e)) => return Err(e.into()),
            }
        }
        Mode::ValidOnly => {
            for chunk in valid.chunks(BATCH) {
                audit::write(conn, Utc::now(), |tx| {
                    write_chunk(tx, chunk, opts, &mut written)
                })
                .map_err(|e| match e {
                    Abort::Store(e) => ImportError::Store(e),
                    Abort::Refused => {
                        ImportError::Store(StoreError::Corrupt("refusal without rows".into()))
                    }
                })?;
                progress.inc(chunk.len());
            }
        }
    }
    if !written.refused.is_empty() {
        let mut rows: Vec<usize> = written.refused.iter().map(|e| e.row).collect();
        rows.dedup();
        outcome.valid_rows = outcome.valid_rows.saturating_sub(rows.len());
        outcome.errors.extend(written.refused);
        outcome.errors.sort_by_key(|e| e.row);
    }
    outcome.imported = written.imported;
    outcome.admitted = written.admitted;
    if outcome.imported.len() >= ANALYZE_AFTER {
        // A bulk load changes the tables' shape faster than autovacuum
        // notices: without fresh statistics PostgreSQL plans the list
        // filters for an empty table (a 100,000-row import made a
        // specialty-prefix page take 370 ms instead of about 1 ms). On
        // PostgreSQL, VACUUM also marks the pages all-visible: `--admit`
        // rewrites every row, and until autovacuum comes by, each
        // index-only scan of the list visits the heap (a specialty page
        // took 13 ms instead of 1.2 ms). One statement, as VACUUM may not
        // run inside the implicit transaction of a multi-statement string.
        use diesel::connection::SimpleConnection;
        let refresh = match conn {
            crate::db::DbConn::Postgres(_) => {
                "VACUUM (ANALYZE) experts, expert_specialties, employment_history"
            }
            crate::db::DbConn::Sqlite(_) => {
                "ANALYZE experts; ANALYZE expert_specialties; ANALYZE employment_history;"
            }
        };
        if let Err(e) = conn.batch_execute(refresh) {
            tracing::warn!(error = %e, "ANALYZE after the import failed; statistics catch up later");
        }
    }
    Ok(outcome)
}

/// Imports at least this large refresh the planner statistics.
const ANALYZE_AFTER: usize = 1_000;

#[derive(Debug, Default)]
struct Written {
    imported: Vec<String>,
    admitted: usize,
    /// Rows refused inside the write transaction.
    refused: Vec<RowError>,
}

/// Why a write transaction rolled back.
#[derive(Debug)]
enum Abort {
    Store(StoreError),
    Refused,
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Self {
        Abort::Store(e)
    }
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Abort::Store(StoreError::Db(e))
    }
}

fn write_chunk(
    tx: &mut audit::AuditTx<'_>,
    chunk: &[&Candidate],
    opts: &Options,
    written: &mut Written,
) -> Result<(), Abort> {
    let items: Vec<(&Application, NaiveDate)> = chunk
        .iter()
        .map(|c| (&c.intake.application, c.intake.employed_since))
        .collect();
    let results = store::apply_many(tx, &opts.actor, &items, &opts.policy, opts.today)?;
    for (c, result) in chunk.iter().zip(results) {
        match result {
            Ok(id) => {
                if opts.admit {
                    // The HTTP decision's approval, logged as its own entry.
                    let decision =
                        Decision::approve(&c.intake.application, opts.today, &opts.policy)
                            .map_err(|e| StoreError::Conflict {
                                rule: "invalid_decision",
                                message: e.to_string(),
                            })?;
                    store::command(
                        tx,
                        &opts.actor,
                        &id,
                        &decision.command(),
                        opts.today,
                        None,
                        None,
                    )?;
                    written.admitted += 1;
                }
                written.imported.push(id);
            }
            Err(e) => written.refused.extend(RowError::from_store(c.row, e)?),
        }
    }
    Ok(())
}
