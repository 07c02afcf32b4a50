//! `expert-api import FILE`: being written.

use std::process::ExitCode;

use clap::Args;

use super::DbArg;

#[derive(Debug, Args)]
pub struct ImportArgs {
    file: std::path::PathBuf,
    #[command(flatten)]
    db: DbArg,
}

pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("import of {} is not available yet", args.file.display())
}
