//! The `expert-api` command line. Every subcommand prints a clear message and
//! exits non-zero on bad input; scripts can rely on the output formats.

mod import;
mod review;
mod serve;
mod synth;
mod token;

use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::config;
use crate::db::DbUrl;

#[derive(Debug, Parser)]
#[command(
    name = "expert-api",
    version,
    about = "Evaluation-expert pool and verifiable panel draws (评标专家库与可验证抽取)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args, Clone)]
struct DbArg {
    /// Database URL: sqlite://PATH or postgres://USER@HOST:PORT/DB.
    #[arg(long, env = "EXPERT_DRAW_DB", default_value = config::DEFAULT_DB)]
    db: String,
}

impl DbArg {
    fn url(&self) -> anyhow::Result<DbUrl> {
        Ok(DbUrl::parse(&self.db)?)
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API (applies pending migrations first).
    Serve(serve::ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Create, list or revoke API tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Import experts from a CSV or XLSX roster.
    Import(import::ImportArgs),
    /// Generate synthetic data (rosters for demos, tests and benchmarks).
    #[command(subcommand)]
    Synth(synth::SynthCommand),
    /// Run the periodic review (动态调整) as of a date.
    Review(review::ReviewArgs),
    /// Check the stored audit log against its Merkle root.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute every leaf hash and the root from the stored entries.
    Check {
        #[command(flatten)]
        db: DbArg,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(args) => serve::run(args),
        Command::Migrate { db } => {
            let url = db.url()?;
            let mut conn = url.connect()?;
            let applied = crate::db::run_migrations(&mut conn)?;
            if applied.is_empty() {
                println!("{}: schema is up to date", url.redacted());
            } else {
                for v in &applied {
                    println!("applied {v}");
                }
                println!("{}: {} migration(s) applied", url.redacted(), applied.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(cmd) => token::run(cmd),
        Command::Import(args) => import::run(args),
        Command::Synth(cmd) => synth::run(cmd),
        Command::Review(args) => review::run(args),
        Command::Audit(AuditCommand::Check { db }) => {
            use crate::store::audit::{LogCheck, check_log};
            let url = db.url()?;
            // A check only reads. Creating or migrating the database here
            // would turn a mistyped path into an empty log that "checks".
            if let DbUrl::Sqlite(path) = &url
                && !path.is_file()
            {
                anyhow::bail!("there is no SQLite database at {}", path.display());
            }
            let mut conn = url.connect()?;
            match check_log(&mut conn)
                .context("reading the audit log (is this an expert-api database?)")?
            {
                LogCheck::Consistent(head) => {
                    println!(
                        "log consistent: {} entries, root {}",
                        head.size,
                        hex::encode(head.root)
                    );
                    Ok(ExitCode::SUCCESS)
                }
                LogCheck::BadEntry { seq, reason } => {
                    eprintln!("log INVALID at entry {seq}: {reason}");
                    Ok(ExitCode::from(1))
                }
                LogCheck::BadHead { reason } => {
                    eprintln!("log INVALID: {reason}");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// The actor recorded for work done from the command line.
fn cli_actor() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    format!("cli:{user}")
}
