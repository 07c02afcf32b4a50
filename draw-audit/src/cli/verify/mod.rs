//! `draw-audit verify`: one streaming pass over a log export, checked
//! against a signed checkpoint and a pinned earlier one, with every draw
//! replayed. The pass itself is the library's `draw_audit::verify`; this
//! module reads files, judges and reports.

mod report;
mod state;

use std::fs::File;
use std::io::{IsTerminal as _, Read};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use draw_audit::checkpoint::Checkpoint;
use draw_audit::verify::{ExportSummary, ExportVerifier};
use indicatif::{ProgressBar, ProgressStyle};

use super::checkpoint::{VerifiedCheckpoint, load_verifiers};
use super::{Failure, Outcome, emit, input, rejected};

pub(super) const LONG_ABOUT: &str = "Verify a whole log export offline (SPEC §7).\n\n\
    One streaming pass over the JSON Lines export (one leaf per line, exactly \
    the leaf bytes, in seq order) recomputes the RFC 6962 tree in O(log n) \
    memory, checks that every line is canonical JSON (RFC 8785) with seq dense \
    from 0, replays every draw.reveal against its one earlier draw.commit and \
    SPEC §4–5, checks every draw.substitute against SPEC §6, and lists every \
    abandoned draw (a commit never revealed). The first bad entry is named by \
    seq and reason.\n\n\
    --checkpoint: a signed checkpoint (c2sp signed note) that must verify with \
    one of the --vkey keys; its tree must be a prefix of the export with the \
    same root. A checkpoint larger than the export means an incomplete export.\n\n\
    --state DIR pins the last verified checkpoint (DIR/checkpoint, written \
    atomically, mode 0600 in a 0700 directory): a run that verifies with a \
    --checkpoint larger than the pinned one moves the pin. A later run against a smaller \
    tree is a ROLLBACK; the same size with another root, or an export whose \
    first entries do not hash to the pinned root, is a FORK. Both signed \
    checkpoints are then written into DIR as evidence files.\n\n\
    Exit status: 0 verified, 1 invalid (bad entry, failed replay, checkpoint \
    mismatch or incomplete export), 2 usage or IO error, 3 fork or rollback \
    against the pinned checkpoint.";

#[derive(Debug, Args)]
pub(super) struct VerifyArgs {
    /// The export (JSON Lines, one leaf per line); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    export: PathBuf,
    /// Verifier key `name+keyid+base64`, or `@PATH` to read it from a file.
    /// Repeat for several keys (key rotation): a checkpoint verifies when
    /// signed by any of them.
    #[arg(long = "vkey", value_name = "KEY", required = true)]
    vkeys: Vec<String>,
    /// A signed checkpoint the export must extend.
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Directory pinning the last verified checkpoint (created 0700).
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
    /// Print a machine-readable report (one JSON object) instead of text.
    #[arg(long)]
    json: bool,
}

/// A checkpoint as presented, with its signed note.
#[derive(Debug)]
struct SignedCheckpoint {
    note: String,
    verified: VerifiedCheckpoint,
}

impl SignedCheckpoint {
    fn checkpoint(&self) -> &Checkpoint {
        &self.verified.checkpoint
    }
}

/// What the run decided, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Verified,
    Invalid,
    Fork,
    Rollback,
}

pub(super) fn run(args: &VerifyArgs) -> Outcome {
    let verifiers = load_verifiers(&args.vkeys)?;
    let presented = match &args.checkpoint {
        Some(path) => {
            let bytes = input::read_bytes(path)?;
            let what = input::describe(path);
            let note = String::from_utf8(bytes)
                .map_err(|_| rejected(format!("checkpoint in {what} is not valid UTF-8")))?;
            let verified = super::checkpoint::open(&note, &verifiers, &what)?;
            Some(SignedCheckpoint { note, verified })
        }
        None => None,
    };
    let pinned = match &args.state {
        Some(dir) => state::load(dir, &verifiers)?,
        None => None,
    };
    if let (Some(p), Some(c)) = (&pinned, &presented)
        && p.checkpoint().origin != c.checkpoint().origin
    {
        return Err(Failure::Input(anyhow::anyhow!(
            "the pinned checkpoint is of log {:?}, this one of {:?}: use another --state",
            p.checkpoint().origin,
            c.checkpoint().origin
        )));
    }
    let marks: Vec<u64> = [&presented, &pinned]
        .into_iter()
        .flatten()
        .map(|c| c.checkpoint().size)
        .collect();
    let summary = stream(args, &marks)?;
    let mut judged = report::judge(&summary, presented.as_ref(), pinned.as_ref());
    if let Some(dir) = &args.state {
        state::settle(
            dir,
            &mut judged,
            presented.as_ref(),
            pinned.as_ref(),
            &summary,
        )?;
    }
    let text = if args.json {
        report::json(&summary, &judged, presented.as_ref(), pinned.as_ref())
    } else {
        report::text(&summary, &judged, presented.as_ref(), pinned.as_ref())
    };
    emit(&text)?;
    match judged.verdict {
        Verdict::Verified => Ok(()),
        Verdict::Invalid => Err(rejected(judged.headline())),
        Verdict::Fork | Verdict::Rollback => Err(Failure::Conflict(judged.headline())),
    }
}

/// Reads the export line by line into the verifier, with a progress bar on
/// a terminal.
fn stream(args: &VerifyArgs, marks: &[u64]) -> Result<ExportSummary, Failure> {
    let what = input::describe(&args.export);
    let (mut reader, len): (Box<dyn Read>, Option<u64>) = if args.export.as_os_str() == "-" {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let file = File::open(&args.export).with_context(|| format!("cannot open {what}"))?;
        let len = file.metadata().ok().map(|m| m.len());
        (Box::new(file), len)
    };
    let progress = progress_bar(len);
    let mut verifier = ExportVerifier::new(marks);
    // Lines are handed to the verifier where they lie in one large buffer:
    // no copy per line, one `read` per few megabytes. A line longer than
    // the buffer grows it.
    let mut buf = vec![0u8; 1 << 22];
    let (mut start, mut filled) = (0usize, 0usize);
    let mut unreported = 0u64;
    loop {
        let pending = buf.get(start..filled).unwrap_or_default();
        let mut done = 0;
        for end in memchr::memchr_iter(b'\n', pending) {
            verifier.push(pending.get(done..end).unwrap_or_default());
            done = end + 1;
        }
        start += done;
        unreported += done as u64;
        if unreported >= 1 << 22 {
            progress.inc(unreported);
            unreported = 0;
        }
        buf.copy_within(start..filled, 0);
        filled -= start;
        start = 0;
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let n = loop {
            match reader.read(buf.get_mut(filled..).unwrap_or_default()) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                r => break r.with_context(|| format!("cannot read {what}"))?,
            }
        };
        if n == 0 {
            break;
        }
        filled += n;
    }
    // A last line without its newline.
    if filled > 0 {
        verifier.push(buf.get(..filled).unwrap_or_default());
    }
    progress.finish_and_clear();
    // The command ends with the report: the replay's memory goes back with
    // the process, not panel by panel.
    Ok(verifier.finish_for_exit())
}

/// A byte-count bar on standard error, only when it is a terminal and the
/// size is known; hidden otherwise.
fn progress_bar(len: Option<u64>) -> ProgressBar {
    match len {
        Some(len) if std::io::stderr().is_terminal() => {
            let bar = ProgressBar::new(len);
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} verifying [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        }
        _ => ProgressBar::hidden(),
    }
}
