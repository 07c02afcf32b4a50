//! `expert-api synth roster`: write a synthetic roster (CSV or XLSX) for
//! demos, load tests and the import benchmark; deterministic for a seed.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{NaiveDate, Utc};
use clap::{Args, Subcommand};

use crate::synth;

#[derive(Debug, Subcommand)]
pub enum SynthCommand {
    /// A roster of experts that pass every admission rule, in the columns
    /// `expert-api import` reads.
    Roster(RosterArgs),
}

#[derive(Debug, Args)]
pub struct RosterArgs {
    /// How many experts.
    #[arg(long)]
    count: usize,
    /// The same seed (and --as-of) gives the same roster.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Ages are 35-64 on this date (default: today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Output file; .xlsx writes a workbook, anything else CSV. Default: CSV
    /// on standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(cmd: SynthCommand) -> anyhow::Result<ExitCode> {
    let SynthCommand::Roster(args) = cmd;
    let as_of = args.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let experts = synth::roster(args.count, args.seed, as_of);
    match &args.out {
        None => synth::write_csv(std::io::stdout().lock(), &experts)?,
        Some(path) => {
            let xlsx = path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
            if xlsx {
                synth::write_xlsx(path, &experts)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            } else {
                let file = std::fs::File::create(path)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                synth::write_csv(std::io::BufWriter::new(file), &experts)?;
            }
            eprintln!("wrote {} experts to {}", experts.len(), path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
