//! `draw-audit rfc3797`: a fully manual public draw by RFC 3797 from public
//! lottery numbers, reproducible by anyone with the list and the numbers.

use std::path::PathBuf;

use anyhow::{Context as _, anyhow};
use clap::{ArgGroup, Args};
use draw_audit::jcs;
use expert_core::rfc3797;
use serde_json::json;

use super::{Outcome, emit, input};

pub(super) const LONG_ABOUT: &str = "Select names by RFC 3797 (Publicly Verifiable NomCom Random \
    Selection).\n\n\
    The key string comes from public random sources announced after the candidate list \
    was published, e.g. lottery draws: each source's numbers are sorted ascending, \
    written with a trailing '.', and the source ends with '/'. Selection i (from 0) is \
    MD5(i as 2 bytes || key || i as 2 bytes) read as a 128-bit number, modulo the \
    number of candidates left; the pick leaves the list.\n\n\
    Example (RFC 3797 §6): --sources \"9319\" \"2 5 12 8 10\" \"9 18 26 34 41 45\" \
    gives the key 9319./2.5.8.10.12./9.18.26.34.41.45./";

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("key_source").args(["key", "sources"]).required(true)))]
pub(super) struct Rfc3797Args {
    /// Candidate list, one per line in the published order (blank lines are
    /// skipped); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    candidates: PathBuf,
    /// The key string exactly as published, e.g. 9319./2.5.8.10.12./
    #[arg(long)]
    key: Option<String>,
    /// The sources' numbers, one argument per source in announced order;
    /// numbers separated by spaces or commas, leading zeros ignored.
    #[arg(long, num_args = 1.., value_name = "NUMBERS")]
    sources: Vec<String>,
    /// How many to select.
    #[arg(long, value_name = "N")]
    count: usize,
    /// Print canonical JSON {"candidates", "key", "selected"} instead of one
    /// name per line.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(args: &Rfc3797Args) -> Outcome {
    let key = match &args.key {
        Some(key) => key.clone(),
        None => rfc3797::key_from_source_texts(&args.sources)
            .context("cannot build the key string from --sources")?,
    };
    let text = input::read_text(&args.candidates)?;
    let candidates = candidate_lines(&text);
    if candidates.is_empty() {
        return Err(anyhow!("{} lists no candidates", input::describe(&args.candidates)).into());
    }
    let selected =
        rfc3797::select(&candidates, &key, args.count).context("cannot make the selection")?;
    let out = if args.json {
        let v = json!({"candidates": candidates.len(), "key": key, "selected": selected});
        let mut line = jcs::canonical_string(&v).context("cannot encode the output")?;
        line.push('\n');
        line
    } else {
        selected.iter().map(|name| format!("{name}\n")).collect()
    };
    emit(&out)
}

/// One candidate per non-blank line, trimmed. A byte order mark, which
/// Windows editors put at the start of UTF-8 files, is not part of a name.
fn candidate_lines(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(
            candidate_lines("\u{feff}张三\r\n\n  李四 \nJohn Smith\n"),
            ["张三", "李四", "John Smith"]
        );
    }
}
