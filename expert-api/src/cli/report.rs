//! `expert-api report --from DATE --to DATE [--region CODE] [--out FILE]`:
//! the half-yearly oversight report as one self-contained HTML file (print
//! it to PDF from a browser when paper is needed).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{NaiveDate, Utc};
use clap::Args;

use super::DbArg;
use crate::config;
use crate::db::DbUrl;
use crate::report;
use crate::store::oversight::Scope;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day of the period (China time), YYYY-MM-DD.
    #[arg(long)]
    from: NaiveDate,
    /// Last day of the period, included.
    #[arg(long)]
    to: NaiveDate,
    /// Only panels of this project region (a code of the Hubei regions).
    #[arg(long)]
    region: Option<String>,
    /// Write the HTML here (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Policy file (TOML) with the signal thresholds.
    #[arg(long, env = "EXPERT_DRAW_CONFIG")]
    config: Option<PathBuf>,
    #[command(flatten)]
    db: DbArg,
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    if args.to < args.from {
        anyhow::bail!("--to ({}) is before --from ({})", args.to, args.from);
    }
    if let Some(r) = &args.region
        && expert_core::reference::Regions::builtin().get(r).is_none()
    {
        anyhow::bail!("--region {r:?} is not a Hubei region code");
    }
    let policy = config::load_policy(args.config.as_deref())?.signals();
    let url = args.db.url()?;
    if let DbUrl::Sqlite(path) = &url
        && !path.is_file()
    {
        anyhow::bail!("there is no SQLite database at {}", path.display());
    }
    let mut conn = url.connect()?;
    let scope = Scope {
        from: args.from,
        to: args.to,
        region: args.region,
    };
    let data = report::gather(&mut conn, &scope, Utc::now(), &policy)
        .context("reading the period (is this an expert-api database?)")?;
    let html = report::html::render(&data)?;
    match &args.out {
        None => print!("{html}"),
        Some(path) => {
            std::fs::write(path, &html)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "wrote the report for {} – {} to {}",
                args.from,
                args.to,
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
