//! `draw-audit proof inclusion|consistency`: check RFC 9162 §2.1 Merkle
//! proofs given on the command line and in a proof file, or a test corpus case.

mod corpus;
mod file;
mod hash;

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clap::{Args, Subcommand};
use draw_audit::merkle::{Hash, leaf_hash, verify_consistency, verify_inclusion};

use super::checkpoint::{self, load_verifiers};
use super::{Failure, Outcome, emit, input, rejected};

const PROOF_FILE_HELP: &str = "Proof files: a c2sp.org/tlog-proof@v1 text (inclusion only), \
     plain text with one hash per line (base64 or hex; blank lines and lines starting with \
     '#' are skipped), or JSON with a \"proof\" list of base64 or hex hashes (null for none), \
     which includes the transparency-dev/merkle testdata files.";

#[derive(Debug, Subcommand)]
pub(super) enum ProofCommand {
    /// Verify that a leaf is in a tree of a given size and root.
    #[command(long_about = INCLUSION_ABOUT, after_help = PROOF_FILE_HELP)]
    Inclusion(InclusionArgs),
    /// Verify that one tree is a prefix of a larger one.
    #[command(long_about = CONSISTENCY_ABOUT, after_help = PROOF_FILE_HELP)]
    Consistency(ConsistencyArgs),
}

const INCLUSION_ABOUT: &str = "Verify a Merkle inclusion proof (RFC 9162 §2.1.3.2).\n\n\
    Give the leaf (--leaf-hash, or --leaf-file to hash a leaf's bytes), its --index, \
    the tree --size and --root, and the --proof file. A c2sp tlog-proof file supplies \
    the index itself, and with --vkey its signed checkpoint supplies size and root. \
    Or check one transparency-dev/merkle testdata file with --corpus.\n\n\
    Exit status: 0 valid, 1 invalid, 2 the input could not be read.";

#[derive(Debug, Args)]
pub(super) struct InclusionArgs {
    /// Leaf hash H(0x00 || leaf), 64 hex digits or base64.
    #[arg(long, value_name = "HASH", conflicts_with = "leaf_file")]
    leaf_hash: Option<String>,
    /// File holding exactly the leaf bytes (an export line without its newline).
    #[arg(long, value_name = "FILE")]
    leaf_file: Option<PathBuf>,
    /// Leaf index, counting from 0.
    #[arg(long, value_name = "N")]
    index: Option<u64>,
    /// Tree size (number of leaves).
    #[arg(long, value_name = "N")]
    size: Option<u64>,
    /// Root hash of the tree, base64 or 64 hex digits.
    #[arg(long, value_name = "HASH")]
    root: Option<String>,
    /// The proof file (see the formats below).
    #[arg(long, value_name = "FILE")]
    proof: Option<PathBuf>,
    /// Verifier key (`name+keyid+base64` or `@PATH`) for the checkpoint inside
    /// a c2sp tlog-proof file. Repeatable.
    #[arg(long = "vkey", value_name = "KEY")]
    vkeys: Vec<String>,
    /// Check a transparency-dev/merkle testdata inclusion file instead.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["leaf_hash", "leaf_file", "index", "size", "root", "proof", "vkeys"]
    )]
    corpus: Option<PathBuf>,
}

const CONSISTENCY_ABOUT: &str = "Verify a Merkle consistency proof (RFC 9162 §2.1.4.2): the \
    tree of --size1 leaves with --root1 is a prefix of the tree of --size2 leaves with \
    --root2. Or check one transparency-dev/merkle testdata file with --corpus.\n\n\
    Exit status: 0 valid, 1 invalid, 2 the input could not be read.";

#[derive(Debug, Args)]
pub(super) struct ConsistencyArgs {
    /// Size of the earlier tree.
    #[arg(long, value_name = "N")]
    size1: Option<u64>,
    /// Size of the later tree.
    #[arg(long, value_name = "N")]
    size2: Option<u64>,
    /// Root hash of the earlier tree, base64 or 64 hex digits.
    #[arg(long, value_name = "HASH")]
    root1: Option<String>,
    /// Root hash of the later tree, base64 or 64 hex digits.
    #[arg(long, value_name = "HASH")]
    root2: Option<String>,
    /// The proof file (see the formats below).
    #[arg(long, value_name = "FILE")]
    proof: Option<PathBuf>,
    /// Check a transparency-dev/merkle testdata consistency file instead.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["size1", "size2", "root1", "root2", "proof"]
    )]
    corpus: Option<PathBuf>,
}

pub(super) fn run(cmd: &ProofCommand) -> Outcome {
    match cmd {
        ProofCommand::Inclusion(args) => match &args.corpus {
            Some(path) => corpus::inclusion(path),
            None => inclusion(args),
        },
        ProofCommand::Consistency(args) => match &args.corpus {
            Some(path) => corpus::consistency(path),
            None => consistency(args),
        },
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::Input(anyhow!(message.into()))
}

fn required<'a, T>(value: Option<&'a T>, flag: &str) -> Result<&'a T, Failure> {
    value.ok_or_else(|| usage(format!("{flag} is required")))
}

fn inclusion(args: &InclusionArgs) -> Outcome {
    let leaf = match (&args.leaf_hash, &args.leaf_file) {
        (Some(h), _) => hash::parse("--leaf-hash", h)?,
        (None, Some(path)) => leaf_hash(&input::read_bytes(path)?),
        (None, None) => {
            return Err(usage(
                "give the leaf as --leaf-hash HASH or --leaf-file FILE",
            ));
        }
    };
    let proof_path = required(args.proof.as_ref(), "--proof FILE")?;
    let proof = file::read(proof_path)?;
    let index = match (args.index, proof.index) {
        (Some(given), Some(in_file)) if given != in_file => {
            return Err(usage(format!(
                "--index {given} differs from index {in_file} in {}",
                proof_path.display()
            )));
        }
        (Some(i), _) | (None, Some(i)) => i,
        (None, None) => return Err(usage("--index is required")),
    };
    let (size, root) = tree_head(args, &proof, proof_path)?;
    verify_inclusion(&leaf, index, size, &proof.hashes, &root)
        .map_err(|e| rejected(format!("inclusion proof invalid: {e}")))?;
    emit(&format!(
        "inclusion proof valid: leaf {index} is in the tree of size {size} with root {}\n",
        STANDARD.encode(root)
    ))
}

/// Size and root to check against: from the command line, or from the
/// signed checkpoint of a tlog-proof file once `--vkey` has verified it.
fn tree_head(
    args: &InclusionArgs,
    proof: &file::ProofFile,
    proof_path: &Path,
) -> Result<(u64, Hash), Failure> {
    let given_root = args
        .root
        .as_deref()
        .map(|r| hash::parse("--root", r))
        .transpose()?;
    if args.vkeys.is_empty() {
        let size = *required(
            args.size.as_ref(),
            "--size (or --vkey with a tlog-proof file)",
        )?;
        let root = *required(
            given_root.as_ref(),
            "--root (or --vkey with a tlog-proof file)",
        )?;
        return Ok((size, root));
    }
    let Some(signed) = &proof.checkpoint else {
        return Err(usage(format!(
            "--vkey opens the checkpoint of a c2sp tlog-proof file, and {} has none",
            proof_path.display()
        )));
    };
    let verifiers = load_verifiers(&args.vkeys)?;
    let opened = checkpoint::open(signed, &verifiers, &proof_path.display().to_string())?;
    let head = opened.checkpoint;
    if let Some(size) = args.size.filter(|s| *s != head.size) {
        return Err(rejected(format!(
            "--size {size} differs from the verified checkpoint's size {}",
            head.size
        )));
    }
    if given_root.is_some_and(|r| r != head.root) {
        return Err(rejected(
            "--root differs from the verified checkpoint's root".to_owned(),
        ));
    }
    Ok((head.size, head.root))
}

fn consistency(args: &ConsistencyArgs) -> Outcome {
    let size1 = *required(args.size1.as_ref(), "--size1")?;
    let size2 = *required(args.size2.as_ref(), "--size2")?;
    let root1 = hash::parse("--root1", required(args.root1.as_ref(), "--root1")?)?;
    let root2 = hash::parse("--root2", required(args.root2.as_ref(), "--root2")?)?;
    let proof_path = required(args.proof.as_ref(), "--proof FILE")?;
    let proof = file::read(proof_path)?;
    if proof.index.is_some() {
        return Err(usage(format!(
            "{} is a c2sp tlog-proof, which holds an inclusion proof, not a consistency proof",
            proof_path.display()
        )));
    }
    verify_consistency(size1, size2, &proof.hashes, &root1, &root2)
        .map_err(|e| rejected(format!("consistency proof invalid: {e}")))?;
    emit(&format!(
        "consistency proof valid: the tree of size {size1} is a prefix of the tree of size {size2}\n"
    ))
}
