//! `expert-api simulate`: the same simulated year under a plain uniform
//! local draw and under this system's policy, every oversight metric side
//! by side (see `docs/FAIRNESS.md`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;
use expert_core::oversight::MetricsOptions;

use crate::simulate::{Province, SimPolicy, compare, table};

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The same seed gives the same province, draws and table.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Experts in the provincial pool.
    #[arg(long, default_value_t = 8_000)]
    experts: usize,
    /// Projects in the year (each one first draw; redraws and
    /// supplementary draws come on top).
    #[arg(long, default_value_t = 20_000)]
    draws: usize,
    /// The year (2026 uses the official holidays, others weekdays only).
    #[arg(long, default_value_t = 2026)]
    year: i32,
    /// The system policy's weight of experts from other regions.
    #[arg(long, default_value_t = 3)]
    remote_weight: u32,
    /// At most floor(panel size / this) local experts.
    #[arg(long, default_value_t = 3)]
    local_divisor: u32,
    /// `recent` counts seats in this many days.
    #[arg(long, default_value_t = 180)]
    lookback_days: u32,
    /// Write the side-by-side table as Markdown here.
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// Write the charts (SVG) of both runs into this folder.
    #[arg(long)]
    charts: Option<PathBuf>,
    /// Write both runs' metrics as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

pub fn run(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    if args.experts < 100 || args.draws == 0 {
        anyhow::bail!("--experts must be at least 100 and --draws at least 1");
    }
    if args.remote_weight == 0 || args.local_divisor == 0 {
        anyhow::bail!("--remote-weight and --local-divisor must be at least 1");
    }
    let started = Instant::now();
    let province = Province::generate(args.seed, args.experts, args.draws, args.year);
    let system = SimPolicy {
        remote_weight: args.remote_weight,
        local_max_divisor: Some(args.local_divisor),
        lookback_days: Some(args.lookback_days),
        ..SimPolicy::system_default()
    };
    let options = MetricsOptions::default();
    let outcomes = compare(
        &province,
        vec![SimPolicy::plain_local(), system],
        args.seed,
        &options,
    )?;
    println!(
        "simulated {} experts, {} tenderers, {} projects in {} (seed {}), {:.1} s",
        province.experts.len(),
        province.tenderers.len(),
        province.projects.len(),
        args.year,
        args.seed,
        started.elapsed().as_secs_f64()
    );
    print!("{}", table::text(&outcomes));
    if let Some(path) = &args.markdown {
        std::fs::write(path, table::markdown(&outcomes))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.json {
        let body: Vec<_> = outcomes
            .iter()
            .map(|o| serde_json::json!({"policy": o.policy.name, "metrics": o.metrics}))
            .collect();
        std::fs::write(path, serde_json::to_string_pretty(&body)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(dir) = &args.charts {
        crate::report::charts::write_comparison(dir, &outcomes)?;
    }
    Ok(ExitCode::SUCCESS)
}
