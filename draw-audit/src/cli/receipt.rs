//! `draw-audit receipt verify`: check a draw receipt alone, with only the
//! log's verifier key; with `--export`, also against the log entry itself,
//! replaying the draw.

use std::io::BufRead as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clap::{Args, Subcommand};
use draw_audit::entry::Entry;
use draw_audit::merkle::leaf_hash;
use draw_audit::receipt::{self, Receipt, VerifiedReceipt};
use serde_json::Value;

use super::checkpoint::load_verifiers;
use super::{Failure, Outcome, draw, emit, input, rejected};

#[derive(Debug, Subcommand)]
pub(super) enum ReceiptCommand {
    /// Verify a draw receipt (a c2sp tlog-proof carrying the signed receipt).
    #[command(long_about = VERIFY_ABOUT)]
    Verify(VerifyArgs),
}

const VERIFY_ABOUT: &str = "Verify a draw receipt with only the log's verifier key.\n\n\
    A receipt is a c2sp.org/tlog-proof@v1 whose extra data is a signed note naming the \
    draw, its statement hash, nonce commitment, seed, result, and the log index and leaf \
    hash of its draw.reveal entry (docs/RECEIPTS.md). Checked: the receipt's signature, \
    the checkpoint's signature (signed-note rules), that both are of one log, and the \
    inclusion of the leaf into the checkpoint's tree.\n\n\
    With --export (JSON Lines, one leaf per line, from any starting entry up to at \
    least the receipt's), also: the entry at the receipt's index hashes to its leaf \
    hash, is the draw.reveal of that draw saying exactly what the receipt says, and its \
    seed and result are what SPEC §4–5 give.\n\n\
    Exit status: 0 verified, 1 the receipt is invalid or disagrees with the export, \
    2 a file or key could not be read.";

#[derive(Debug, Args)]
pub(super) struct VerifyArgs {
    /// The receipt file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Verifier key `name+keyid+base64`, or `@PATH` to read it from a file.
    /// Repeat for several keys.
    #[arg(long = "vkey", value_name = "KEY", required = true)]
    vkeys: Vec<String>,
    /// A log export holding the receipt's entry, to check the receipt against.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
}

pub(super) fn run(cmd: &ReceiptCommand) -> Outcome {
    match cmd {
        ReceiptCommand::Verify(args) => verify(args),
    }
}

fn verify(args: &VerifyArgs) -> Outcome {
    let verifiers = load_verifiers(&args.vkeys)?;
    let text = input::read_text(&args.file)?;
    let verified = receipt::verify(&text, &verifiers).map_err(|e| {
        rejected(format!(
            "receipt {} is invalid: {e}",
            input::describe(&args.file)
        ))
    })?;
    let mut out = report(&verified);
    if let Some(export) = &args.export {
        check_against_export(&verified.receipt, export)?;
        out.push_str(&format!(
            "export: entry {} is this draw.reveal; seed and result replayed (SPEC §4–5)\n",
            verified.receipt.index
        ));
    }
    emit(&out)
}

fn report(v: &VerifiedReceipt) -> String {
    let r = &v.receipt;
    let mut out = format!(
        "receipt valid: draw {} is entry {} of {}, included in its checkpoint of size {}\n",
        r.draw_id, r.index, r.origin, v.checkpoint.size
    );
    let result = serde_json::to_string(&r.result).unwrap_or_default();
    for (k, val) in [
        ("draw", r.draw_id.clone()),
        ("time", r.time.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
        ("statement", hex::encode(r.statement_hash)),
        ("nonce-commitment", hex::encode(r.nonce_commitment)),
        ("seed", hex::encode(r.seed)),
        ("result", result),
        ("index", r.index.to_string()),
        ("leaf", STANDARD.encode(r.leaf_hash)),
        ("checkpoint-size", v.checkpoint.size.to_string()),
        ("checkpoint-root", STANDARD.encode(v.checkpoint.root)),
    ] {
        out.push_str(&format!("{k}: {val}\n"));
    }
    for s in &v.receipt_signed_by {
        out.push_str(&format!("receipt-signed-by: {s}\n"));
    }
    for s in &v.checkpoint_signed_by {
        out.push_str(&format!("checkpoint-signed-by: {s}\n"));
    }
    out
}

/// Finds the receipt's entry in the export and checks it says what the
/// receipt says; then replays the draw from it.
fn check_against_export(r: &Receipt, path: &Path) -> Outcome {
    let what = input::describe(path);
    let leaf = export_line(path, r.index)?;
    if leaf_hash(&leaf) != r.leaf_hash {
        return Err(rejected(format!(
            "entry {} of {what} does not hash to the receipt's leaf hash",
            r.index
        )));
    }
    let from_log = Receipt::from_reveal_leaf(&r.origin, r.index, &leaf)
        .map_err(|e| rejected(format!("{what}: {e}")))?;
    let differ = differing_fields(r, &from_log);
    if !differ.is_empty() {
        return Err(rejected(format!(
            "entry {} of {what} disagrees with the receipt on: {}",
            r.index,
            differ.join(", ")
        )));
    }
    let entry = Entry::parse_leaf(&leaf).map_err(|e| rejected(format!("{what}: {e}")))?;
    let data = &entry.data;
    let nonce = data["nonce"]
        .as_str()
        .ok_or_else(|| rejected(format!("entry {}: data.nonce is not a string", r.index)))?;
    let nonce =
        draw::parse_nonce(nonce).map_err(|e| rejected(format!("entry {}: {e}", r.index)))?;
    let beacon = data["beacon"]
        .as_str()
        .ok_or_else(|| rejected(format!("entry {}: data.beacon is not a string", r.index)))?;
    let replayed = draw::replay(&data["statement"], &nonce, beacon).map_err(|f| match f {
        Failure::Rejected(m) => rejected(format!("entry {}: statement: {m}", r.index)),
        other => other,
    })?;
    if replayed.seed != r.seed {
        return Err(rejected(format!(
            "entry {}: the seed is not H(\"expert-draw/1 seed\" || 0x00 || statement hash || nonce || H(beacon))",
            r.index
        )));
    }
    if replayed.result != r.result {
        return Err(rejected(format!(
            "entry {}: the result is not what SPEC §5 selects with this seed",
            r.index
        )));
    }
    Ok(())
}

fn differing_fields(a: &Receipt, b: &Receipt) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |name, same: bool| {
        if !same {
            out.push(name);
        }
    };
    check("draw", a.draw_id == b.draw_id);
    check("time", a.time == b.time);
    check("statement", a.statement_hash == b.statement_hash);
    check("nonce-commitment", a.nonce_commitment == b.nonce_commitment);
    check("seed", a.seed == b.seed);
    check("result", a.result == b.result);
    out
}

/// The bytes of the export line holding entry `index`, without its
/// newline. The export may start at any entry: its first line says which,
/// and entries are dense, so the line number follows (the entry's own
/// `seq` is checked afterwards).
fn export_line(path: &Path, index: u64) -> Result<Vec<u8>, Failure> {
    let what = input::describe(path);
    let mut reader = input::open_lines(path)?;
    let mut line = Vec::new();
    let mut read = |line: &mut Vec<u8>| -> Result<bool, Failure> {
        line.clear();
        let n = reader
            .read_until(b'\n', line)
            .with_context(|| format!("cannot read {what}"))?;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        Ok(n > 0)
    };
    if !read(&mut line)? {
        return Err(anyhow!("{what} is empty").into());
    }
    let first: Value = serde_json::from_slice(&line)
        .with_context(|| format!("the first line of {what} is not JSON"))?;
    let start = first["seq"]
        .as_u64()
        .ok_or_else(|| anyhow!("the first line of {what} has no seq"))?;
    if index < start {
        return Err(
            anyhow!("{what} starts at entry {start}, after the receipt's entry {index}").into(),
        );
    }
    for _ in start..index {
        if !read(&mut line)? {
            return Err(anyhow!("{what} ends before entry {index}").into());
        }
    }
    Ok(line)
}
