//! Argument parsing, dispatch and exit codes of `draw-audit`. Each subcommand
//! has its own module; this one only routes and reports failures.
//!
//! Exit codes: 0 the check passed (or the command did its job), 1 the input
//! was understood and is wrong (invalid statement, proof, signature or log),
//! 2 it could not be read or understood (usage, IO, malformed input), 3 the
//! log contradicts a checkpoint pinned earlier (`verify --state`: fork or
//! rollback).

mod checkpoint;
mod draw;
mod input;
mod keygen;
mod proof;
mod receipt;
mod rfc3797;
mod verify;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "draw-audit",
    bin_name = "draw-audit",
    version,
    about = "Offline verifier for expert-draw/1 draws, audit-log proofs and checkpoints \
             (专家抽取离线验证工具)",
    long_about = "Offline verifier for expert-draw/1 draws, audit-log proofs and checkpoints \
                  (专家抽取离线验证工具).\n\n\
                  Reads files only: no database, no network. Exit status: 0 the check \
                  passed, 1 the input is invalid (statement, proof, signature or log), \
                  2 the input could not be read or understood (usage, IO), 3 the log \
                  forks from or rolls back a checkpoint pinned by `verify --state`."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// One variant per subcommand, each owned by a module of this folder.
#[derive(Debug, Subcommand)]
enum Command {
    /// Recompute a draw from its statement, nonce and beacon (SPEC §2–5).
    #[command(long_about = draw::LONG_ABOUT)]
    Draw(draw::DrawArgs),
    /// Create an Ed25519 log signing key and print its verifier key.
    #[command(long_about = keygen::LONG_ABOUT)]
    Keygen(keygen::KeygenArgs),
    /// Verify Merkle inclusion and consistency proofs (RFC 9162 §2.1).
    #[command(subcommand)]
    Proof(proof::ProofCommand),
    /// Verify signed checkpoints (c2sp.org/tlog-checkpoint).
    #[command(subcommand)]
    Checkpoint(checkpoint::CheckpointCommand),
    /// Verify a whole log export: tree, checkpoint, canonical entries, every
    /// draw replayed; fork and rollback against a pinned checkpoint.
    #[command(long_about = verify::LONG_ABOUT)]
    Verify(verify::VerifyArgs),
    /// Verify draw receipts (a signed receipt in a c2sp tlog-proof).
    #[command(subcommand)]
    Receipt(receipt::ReceiptCommand),
    /// Select names by RFC 3797 from public lottery numbers (manual draw).
    #[command(long_about = rfc3797::LONG_ABOUT)]
    Rfc3797(rfc3797::Rfc3797Args),
}

/// Why a command did not succeed; decides the exit code.
#[derive(Debug)]
enum Failure {
    /// Read and understood, and wrong: exit 1.
    Rejected(String),
    /// Could not be read, understood or done: exit 2.
    Input(anyhow::Error),
    /// Contradicts a checkpoint pinned earlier (fork or rollback): exit 3.
    Conflict(String),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::Input(e)
    }
}

type Outcome = Result<(), Failure>;

fn rejected(message: impl Into<String>) -> Failure {
    Failure::Rejected(message.into())
}

const EXIT_REJECTED: u8 = 1;
const EXIT_INPUT: u8 = 2;
const EXIT_CONFLICT: u8 = 3;

pub fn main() -> ExitCode {
    // clap prints help and usage errors itself (exit 0 and 2).
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Draw(args) => draw::run(args),
        Command::Keygen(args) => keygen::run(args),
        Command::Proof(cmd) => proof::run(cmd),
        Command::Checkpoint(cmd) => checkpoint::run(cmd),
        Command::Receipt(cmd) => receipt::run(cmd),
        Command::Rfc3797(args) => rfc3797::run(args),
        Command::Verify(args) => verify::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Rejected(message)) => {
            eprintln!("draw-audit: {message}");
            ExitCode::from(EXIT_REJECTED)
        }
        Err(Failure::Conflict(message)) => {
            eprintln!("draw-audit: {message}");
            ExitCode::from(EXIT_CONFLICT)
        }
        Err(Failure::Input(e)) => {
            // `{:#}` prints the context chain on one line: "reading X: ...".
            eprintln!("draw-audit: {e:#}");
            ExitCode::from(EXIT_INPUT)
        }
    }
}

/// Writes `text` to standard output. A closed pipe is reported like any other
/// write error instead of panicking as `println!` would.
fn emit(text: &str) -> Outcome {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Input(anyhow::anyhow!("cannot write to standard output: {e}")))
}
