//! `expert-api report --from DATE --to DATE [--region CODE] [--out FILE]`:
//! the half-yearly oversight report as one self-contained HTML file, and a
//! PDF beside it when a converter is present (a headless Chromium or
//! Chrome on `PATH`, or the program named by `EXPERT_DRAW_PDF_BROWSER`).

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
            match pdf_browser() {
                Some(browser) => {
                    let pdf = path.with_extension("pdf");
                    print_pdf(&browser, path, &pdf)?;
                    eprintln!(
                        "and its PDF to {} (by {})",
                        pdf.display(),
                        browser.display()
                    );
                }
                None => eprintln!(
                    "no PDF: no converter found (chromium, chromium-browser, google-chrome, or EXPERT_DRAW_PDF_BROWSER)"
                ),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A browser that prints pages to PDF headless, if one is at hand.
fn pdf_browser() -> Option<PathBuf> {
    if let Some(named) = std::env::var_os("EXPERT_DRAW_PDF_BROWSER") {
        return Some(PathBuf::from(named));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Print the HTML file `html` to `pdf` with `browser` (headless, no
/// network needed: the report is self-contained).
fn print_pdf(
    browser: &std::path::Path,
    html: &std::path::Path,
    pdf: &std::path::Path,
) -> anyhow::Result<()> {
    let html =
        std::fs::canonicalize(html).with_context(|| format!("cannot find {}", html.display()))?;
    // A profile of its own, so a browser the user has open is not reused.
    let profile = std::env::temp_dir().join(format!("expert-api-pdf-{}", std::process::id()));
    let out = std::process::Command::new(browser)
        .arg("--headless")
        .arg("--no-sandbox")
        .arg("--disable-gpu")
        .arg("--no-pdf-header-footer")
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .with_context(|| format!("cannot run {}", browser.display()));
    // Best effort: a left-over profile folder in the temporary directory.
    let _ = std::fs::remove_dir_all(&profile);
    let out = out?;
    let printed = std::fs::metadata(pdf).map(|m| m.len() > 0).unwrap_or(false);
    if !out.status.success() || !printed {
        anyhow::bail!(
            "{} could not print the PDF: {}",
            browser.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
