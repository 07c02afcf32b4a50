//! `draw-audit keygen`: a fresh Ed25519 log signing key as a PKCS#8 PEM file
//! only its owner can read, and the verifier key to publish.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::Args;
use draw_audit::keys;

use super::{Outcome, emit};

pub(super) const LONG_ABOUT: &str = "Create an Ed25519 log signing key.\n\n\
    Writes the private key as PKCS#8 PEM to --out with mode 0600 (missing parent \
    directories are made with mode 0700) and never overwrites an existing file. \
    Prints the verifier key `name+keyid+base64` to publish for supervisors and \
    auditors.";

#[derive(Debug, Args)]
pub(super) struct KeygenArgs {
    /// Key name, usually the log origin (e.g. ggzy.example.cn/expert-draw); no
    /// spaces or '+'.
    #[arg(long)]
    name: String,
    /// Where to write the private key (PEM); must not exist yet.
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
}

pub(super) fn run(args: &KeygenArgs) -> Outcome {
    let refuse = || {
        format!(
            "refusing to overwrite {}: it already exists",
            args.out.display()
        )
    };
    // symlink_metadata also sees a dangling symlink, which a write would follow.
    if args.out.symlink_metadata().is_ok() {
        return Err(anyhow!(refuse()).into());
    }
    let (signer, created) =
        keys::load_or_create_key_file(&args.out, &args.name).map_err(anyhow::Error::new)?;
    if !created {
        // Someone created the file between the check and the write: the
        // library kept theirs, and it is not ours to report as new.
        return Err(anyhow!(refuse()).into());
    }
    eprintln!(
        "draw-audit: wrote the private key to {} (mode 0600); publish the verifier key:",
        args.out.display()
    );
    emit(&format!("{}\n", signer.verifier_key_string()))
}
