//! The `expert-api` command line. Every subcommand prints a clear message and
//! exits non-zero on bad input; scripts can rely on the output formats.

mod import;
mod keys;
mod report;
mod review;
mod serve;
mod simulate;
mod synth;
mod token;

use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use std::path::PathBuf;
use std::sync::Arc;

use crate::config;
use crate::db::{DbConn, DbUrl};
use crate::keys::{KeyRing, Pin};

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

/// Where the log's signing keys and its pinned last signed checkpoint are.
#[derive(Debug, Args, Clone)]
struct KeyArgs {
    /// The Ed25519 key that signs checkpoints (PKCS#8 PEM, mode 0600);
    /// created on the first `serve` of a log that was never rotated.
    #[arg(long, env = "EXPERT_DRAW_KEY_FILE", default_value = config::DEFAULT_KEY_FILE)]
    key_file: PathBuf,
    /// The next key of a key rotation (PKCS#8 PEM, mode 0600). Default:
    /// `next-log-signing-key.pem` beside --key-file.
    #[arg(long, alias = "new-key", env = "EXPERT_DRAW_NEXT_KEY_FILE")]
    next_key_file: Option<PathBuf>,
    /// The last signed checkpoint, kept outside the database (rollback
    /// protection). Default: `last-signed-checkpoint.txt` beside --key-file.
    #[arg(long, env = "EXPERT_DRAW_STATE_FILE")]
    state_file: Option<PathBuf>,
    /// The log's origin line in checkpoints, also the keys' name.
    #[arg(long, env = "EXPERT_DRAW_LOG_ORIGIN", default_value = config::DEFAULT_LOG_ORIGIN)]
    log_origin: String,
}

impl KeyArgs {
    fn next_key_file(&self) -> PathBuf {
        self.next_key_file
            .clone()
            .unwrap_or_else(|| self.key_file.with_file_name(config::DEFAULT_NEXT_KEY_NAME))
    }

    fn state_file(&self) -> PathBuf {
        self.state_file
            .clone()
            .unwrap_or_else(|| self.key_file.with_file_name(config::DEFAULT_STATE_NAME))
    }

    /// Checks the database against the pinned checkpoint (refusing a
    /// database that is behind it or contradicts it), then loads the key
    /// files. `create` makes --key-file for a log that was never rotated;
    /// returns whether it did.
    fn open_ring(&self, conn: &mut DbConn, create: bool) -> anyhow::Result<(KeyRing, bool)> {
        use draw_audit::keys::{load_key_file, load_or_create_key_file};
        use draw_audit::note::LogSigner;
        config::check_origin(&self.log_origin).map_err(anyhow::Error::msg)?;
        let pin = Pin::open(&self.state_file(), &self.log_origin)?;
        pin.check_database(conn)?;
        let files = vec![self.key_file.clone(), self.next_key_file()];
        let rotated = crate::store::keys::rotation_at(conn, u64::MAX)?.is_some();
        let mut created = false;
        let mut signers: Vec<Arc<dyn LogSigner>> = Vec::new();
        for path in &files {
            let key_path = || format!("signing key {}", path.display());
            if path.try_exists().with_context(key_path)? {
                signers.push(Arc::new(
                    load_key_file(path, &self.log_origin).with_context(key_path)?,
                ));
            } else if create && !rotated && path == &self.key_file {
                let (s, _) =
                    load_or_create_key_file(path, &self.log_origin).with_context(key_path)?;
                created = true;
                signers.push(Arc::new(s));
            }
        }
        // Until the first rotation, --key-file's key is the log's key.
        let default = match (rotated, signers.first()) {
            (false, Some(s)) if self.key_file.exists() => Some(s.clone()),
            (false, _) => anyhow::bail!("there is no signing key at {}", self.key_file.display()),
            (true, _) => None,
        };
        Ok((
            KeyRing::new(&self.log_origin, default, signers, files, pin)?,
            created,
        ))
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
    /// The oversight report of a period (HTML with charts) for supervisors.
    Report(report::ReportArgs),
    /// A simulated year drawn by a plain local draw and by this system's
    /// policy, every oversight metric side by side.
    Simulate(simulate::SimulateArgs),
    /// Run the periodic review (动态调整) as of a date.
    Review(review::ReviewArgs),
    /// Check the stored audit log against its Merkle root.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The log's signing keys: show them, rotate them, recover from a
    /// restored backup.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
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
        Command::Simulate(args) => simulate::run(args),
        Command::Report(args) => report::run(args),
        Command::Keys(cmd) => keys::run(cmd),
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
