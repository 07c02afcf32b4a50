//! `draw-audit checkpoint verify`: open a signed checkpoint by the c2sp rules
//! with the given verifier keys and print what it commits to.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clap::{Args, Subcommand};
use draw_audit::checkpoint::Checkpoint;
use draw_audit::note::NoteVerifier;

use super::{Outcome, emit, input, rejected};

#[derive(Debug, Subcommand)]
pub(super) enum CheckpointCommand {
    /// Verify a signed checkpoint and print its origin, size and root.
    #[command(
        long_about = "Verify a signed checkpoint (c2sp.org/tlog-checkpoint as a \
                      c2sp.org/signed-note) and print its origin, tree size and root hash.\n\n\
                      The note must carry a valid signature by at least one of the given \
                      keys; signatures by other keys are ignored, as the signed-note rules \
                      say. Exit status: 0 verified, 1 the checkpoint or a signature is \
                      invalid, 2 a file or key could not be read."
    )]
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub(super) struct VerifyArgs {
    /// The signed checkpoint; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    checkpoint: PathBuf,
    /// Verifier key `name+keyid+base64`, or `@PATH` to read it from a file.
    /// Repeat for several keys.
    #[arg(long = "vkey", value_name = "KEY", required = true)]
    vkeys: Vec<String>,
}

pub(super) fn run(cmd: &CheckpointCommand) -> Outcome {
    match cmd {
        CheckpointCommand::Verify(args) => verify(args),
    }
}

fn verify(args: &VerifyArgs) -> Outcome {
    let verifiers = load_verifiers(&args.vkeys)?;
    let signed = input::read_text(&args.checkpoint)?;
    let checkpoint = open(&signed, &verifiers, &input::describe(&args.checkpoint))?;
    let mut out = String::new();
    out.push_str(&format!("origin: {}\n", checkpoint.checkpoint.origin));
    out.push_str(&format!("size: {}\n", checkpoint.checkpoint.size));
    out.push_str(&format!(
        "root: {}\n",
        STANDARD.encode(checkpoint.checkpoint.root)
    ));
    out.push_str(&format!(
        "root-hex: {}\n",
        hex::encode(checkpoint.checkpoint.root)
    ));
    for ext in &checkpoint.checkpoint.extensions {
        out.push_str(&format!("extension: {ext}\n"));
    }
    for signer in &checkpoint.signed_by {
        out.push_str(&format!("signed-by: {signer}\n"));
    }
    emit(&out)
}

/// A checkpoint whose signatures were checked.
#[derive(Debug)]
pub(super) struct VerifiedCheckpoint {
    pub checkpoint: Checkpoint,
    /// `name+keyid` of every given key whose signature verified.
    pub signed_by: Vec<String>,
}

/// Opens `signed` with `verifiers`; any failure is a rejection (exit 1).
pub(super) fn open(
    signed: &str,
    verifiers: &[NoteVerifier],
    what: &str,
) -> Result<VerifiedCheckpoint, super::Failure> {
    let (checkpoint, opened) = Checkpoint::open(signed, verifiers)
        .map_err(|e| rejected(format!("checkpoint in {what} does not verify: {e}")))?;
    let signed_by = opened
        .verified
        .iter()
        .map(|(name, id)| format!("{name}+{id:08x}"))
        .collect();
    Ok(VerifiedCheckpoint {
        checkpoint,
        signed_by,
    })
}

/// Parses `--vkey` values: a key string, or `@PATH` naming a file holding one.
pub(super) fn load_verifiers(vkeys: &[String]) -> anyhow::Result<Vec<NoteVerifier>> {
    vkeys.iter().map(|v| load_verifier(v)).collect()
}

fn load_verifier(arg: &str) -> anyhow::Result<NoteVerifier> {
    let (text, origin) = match arg.strip_prefix('@') {
        Some(path) => {
            let path = Path::new(path);
            let text = input::read_text(path)?;
            // A key file written by `keygen > file` ends with a newline.
            (
                text.trim().to_owned(),
                format!("verifier key in {}", path.display()),
            )
        }
        None => (arg.to_owned(), format!("verifier key {arg:?}")),
    };
    if text.is_empty() {
        return Err(anyhow!("{origin} is empty"));
    }
    NoteVerifier::parse(&text).with_context(|| format!("{origin} is not usable"))
}
