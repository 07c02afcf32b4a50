//! `expert-api review --as-of DATE`: the periodic review from the command
//! line (cron), printing the report as a table or JSON.

use std::process::ExitCode;

use chrono::{NaiveDate, Utc};
use clap::Args;

use super::{DbArg, cli_actor};
use crate::config;
use crate::db::open_pool;
use crate::store::{audit, experts};

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The date the review is made as of (YYYY-MM-DD).
    #[arg(long)]
    as_of: NaiveDate,
    /// Report what would change without changing anything.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Policy file (TOML) with the admission and review thresholds.
    #[arg(long, env = "EXPERT_DRAW_CONFIG")]
    config: Option<std::path::PathBuf>,
    #[command(flatten)]
    db: DbArg,
}

pub fn run(args: ReviewArgs) -> anyhow::Result<ExitCode> {
    let loaded = config::load_policy(args.config.as_deref())?;
    let (policy, discipline) = (loaded.admission, loaded.discipline);
    let pool = open_pool(&args.db.url()?, 1)?;
    let mut conn = pool.get()?;
    let actor = cli_actor();
    let report = audit::write(&mut conn, Utc::now(), |tx| {
        experts::run_review(tx, &actor, &policy, &discipline, args.as_of, args.dry_run)
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.to_table());
        if args.dry_run {
            println!("(dry run: nothing was changed)");
        }
    }
    Ok(ExitCode::SUCCESS)
}
