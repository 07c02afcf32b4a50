//! `expert-api import FILE`: load a CSV or XLSX roster through the API's
//! rules, print a summary and the first errors, optionally a CSV report.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{DbArg, cli_actor};
use crate::config;
use crate::import::{self, Format, ImportError, Mode, Options, Outcome, report};

/// Errors shown on the terminal; the report file has them all.
const SHOWN_ERRORS: usize = 20;

/// Exit codes: 0 every requested row imported (dry run: every row valid);
/// 1 rows rejected (valid-only: after importing the good ones;
/// all-or-nothing: nothing written); 2 unusable input (unreadable file, not
/// UTF-8, missing columns, bad arguments); 3 database failure (all-or-nothing
/// and dry runs: nothing written).
#[derive(Debug, Args)]
#[command(
    after_help = import_help(),
    about = "Import experts from a CSV or XLSX roster (专家名册导入)",
    long_about = "Import experts from a CSV (UTF-8) or XLSX roster. Every row is checked with the same rules as POST /api/v1/experts; each imported expert becomes an applicant with an expert.apply audit entry (with --admit, also approved: expert.approve)."
)]
pub struct ImportArgs {
    /// The roster: .csv (UTF-8, with or without BOM) or .xlsx.
    file: PathBuf,
    /// all-or-nothing: import nothing if any row is bad (default);
    /// valid-only: import the valid rows and report the others.
    #[arg(long, value_enum, default_value = "all-or-nothing")]
    mode: Mode,
    /// Approve every imported applicant at once (loading an existing pool);
    /// each approval is its own expert.approve audit entry.
    #[arg(long)]
    admit: bool,
    /// Check every row against the rules and the pool; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write every error to this CSV file (row, column, field, rule,
    /// message_zh, message_en).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Read the file as this format instead of guessing from the extension.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The XLSX worksheet to read (default: the first).
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// Policy file (TOML) with the admission thresholds, as for `serve`.
    #[arg(long, env = "EXPERT_DRAW_CONFIG")]
    config: Option<PathBuf>,
    #[command(flatten)]
    db: DbArg,
}

fn import_help() -> String {
    format!(
        "{}\nExit codes: 0 all requested rows imported (dry run: all valid); 1 rows rejected \
         (valid-only: after importing the valid rows; all-or-nothing: nothing written); \
         2 unusable input (unreadable file, not UTF-8, missing columns); 3 database failure.",
        import::columns::help()
    )
}

const EXIT_REJECTED: u8 = 1;
const EXIT_UNUSABLE: u8 = 2;
const EXIT_DATABASE: u8 = 3;

pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let unusable = |msg: String| {
        eprintln!("error: {msg}");
        Ok(ExitCode::from(EXIT_UNUSABLE))
    };
    let policy = match config::load_policy(args.config.as_deref()) {
        Ok(p) => p.admission,
        Err(e) => return unusable(e.to_string()),
    };
    let url = match args.db.url() {
        Ok(u) => u,
        Err(e) => return unusable(format!("{e:#}")),
    };
    // Opened before any work so that an unwritable path fails early.
    let report_file = match &args.report {
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Some(f),
            Err(e) => return unusable(format!("cannot write the report {}: {e}", path.display())),
        },
        None => None,
    };
    let opts = Options {
        file: args.file.clone(),
        format: args.format,
        sheet: args.sheet.clone(),
        mode: args.mode,
        admit: args.admit,
        dry_run: args.dry_run,
        actor: cli_actor(),
        policy,
        today: Utc::now().date_naive(),
    };
    let progress = import::Progress::new(progress_bar());
    let prepared = match import::prepare(&opts, &progress) {
        Ok(p) => p,
        Err(e) => {
            progress.bar().finish_and_clear();
            return unusable(e.0);
        }
    };
    let result = connect(&url, args.dry_run).and_then(|mut conn| {
        import::execute(&mut conn, prepared, &opts, &progress).map_err(|e| match e {
            ImportError::Unusable(u) => Failure::Unusable(u.0),
            ImportError::Store(s) => Failure::Database(s.to_string()),
        })
    });
    progress.bar().finish_and_clear();
    let outcome = match result {
        Ok(o) => o,
        Err(Failure::Unusable(msg)) => return unusable(msg),
        Err(Failure::Database(msg)) => {
            eprintln!("error: database: {msg}");
            match (opts.dry_run, opts.mode) {
                (true, _) | (false, Mode::AllOrNothing) => eprintln!("nothing was written"),
                (false, Mode::ValidOnly) => eprintln!(
                    "batches committed before the failure stay imported; check with GET /api/v1/experts"
                ),
            }
            return Ok(ExitCode::from(EXIT_DATABASE));
        }
    };
    if let (Some(file), Some(path)) = (report_file, &args.report)
        && let Err(e) = report::write_csv(std::io::BufWriter::new(file), &outcome.errors)
    {
        eprintln!("error: cannot write the report {}: {e}", path.display());
    }
    print_summary(&args, &opts, &outcome, started.elapsed());
    Ok(if outcome.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REJECTED)
    })
}

enum Failure {
    Unusable(String),
    Database(String),
}

fn connect(url: &crate::db::DbUrl, dry_run: bool) -> Result<crate::db::DbConn, Failure> {
    let db = |e: crate::db::DbError| Failure::Database(e.to_string());
    let mut conn = url.connect().map_err(db)?;
    if dry_run {
        // Migrating is a write; a dry run only reports that it is needed.
        if crate::db::has_pending_migrations(&mut conn).map_err(db)? {
            return Err(Failure::Unusable(format!(
                "the database {} has no or an outdated schema: run `expert-api migrate --db …` first (a dry run writes nothing)",
                url.redacted()
            )));
        }
    } else {
        crate::db::run_migrations(&mut conn).map_err(db)?;
    }
    Ok(conn)
}

/// A bar on stderr when a person is watching; nothing in pipes and logs.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {msg:12} [{bar:40}] {human_pos}/{human_len} rows (eta {eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn print_summary(args: &ImportArgs, opts: &Options, o: &Outcome, elapsed: Duration) {
    let rejected = o.rejected_rows();
    println!(
        "{} ({}): {} rows read; {} valid, {} rejected",
        args.file.display(),
        o.format.map_or("?", Format::as_str),
        o.rows,
        o.valid_rows,
        rejected
    );
    if !o.ignored_columns.is_empty() {
        println!(
            "ignored columns 未识别的列: {}",
            o.ignored_columns.join(", ")
        );
    }
    if opts.dry_run {
        println!(
            "dry run 试运行: nothing written; {} row(s) would be imported",
            o.valid_rows
        );
    } else if o.imported.is_empty() {
        if rejected > 0 && opts.mode == Mode::AllOrNothing {
            println!(
                "nothing imported 未导入: all-or-nothing mode and {rejected} row(s) were rejected; fix them, or use --mode valid-only to import the {} valid row(s)",
                o.valid_rows
            );
        } else {
            println!("nothing imported 未导入");
        }
    } else {
        let range = match (o.imported.first(), o.imported.last()) {
            (Some(a), Some(b)) if a != b => format!(" ({a} … {b})"),
            (Some(a), _) => format!(" ({a})"),
            _ => String::new(),
        };
        println!(
            "imported 已导入 {} expert(s){range}, each logged as expert.apply",
            o.imported.len()
        );
        if opts.admit {
            println!(
                "admitted 已准入 {} expert(s), each logged as expert.approve",
                o.admitted
            );
        }
    }
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        println!(
            "took {secs:.1} s ({:.0} rows/s)",
            o.rows as f64 / secs.max(1e-9)
        );
    }
    if o.errors.is_empty() {
        return;
    }
    println!(
        "errors 错误 (first {} of {}):",
        SHOWN_ERRORS.min(o.errors.len()),
        o.errors.len()
    );
    for e in o.errors.iter().take(SHOWN_ERRORS) {
        println!("  {}", report::line(e));
    }
    match &args.report {
        Some(path) => println!("full report 完整报告: {}", path.display()),
        None if o.errors.len() > SHOWN_ERRORS => {
            println!("pass --report FILE to save all {} errors", o.errors.len())
        }
        None => {}
    }
}
