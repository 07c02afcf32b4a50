//! `--state DIR`: the last verified checkpoint, pinned in `DIR/checkpoint`,
//! and the evidence files written when a later log contradicts it.
//!
//! Writes are atomic (temporary file, fsync, rename, fsync of the
//! directory), files 0600 in a 0700 directory: a crash leaves either the
//! old pin or the new one, never half of one.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, anyhow};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use draw_audit::note::NoteVerifier;
use draw_audit::verify::ExportSummary;

use super::report::Judged;
use super::{SignedCheckpoint, Verdict};
use crate::cli::Failure;

const PINNED: &str = "checkpoint";

/// The pinned checkpoint, if the directory holds one. It must still verify
/// with one of the given keys (after a rotation, pass the old key too).
pub(super) fn load(
    dir: &Path,
    verifiers: &[NoteVerifier],
) -> Result<Option<SignedCheckpoint>, Failure> {
    let path = dir.join(PINNED);
    let note = match std::fs::read(&path) {
        Ok(bytes) => {
            String::from_utf8(bytes).map_err(|_| anyhow!("{} is not UTF-8 text", path.display()))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(anyhow!(e)
                .context(format!("cannot read {}", path.display()))
                .into());
        }
    };
    let verified = super::super::checkpoint::open(&note, verifiers, &path.display().to_string())
        .map_err(|_| {
            Failure::Input(anyhow!(
                "the pinned checkpoint {} does not verify with the given keys \
                 (after a key rotation, pass the old verifier key too)",
                path.display()
            ))
        })?;
    Ok(Some(SignedCheckpoint { note, verified }))
}

/// After judging: pin the presented checkpoint when the log verified and
/// it is not older than the pin; write evidence on a fork or rollback.
pub(super) fn settle(
    dir: &Path,
    judged: &mut Judged,
    presented: Option<&SignedCheckpoint>,
    pinned: Option<&SignedCheckpoint>,
    summary: &ExportSummary,
) -> Result<(), Failure> {
    match judged.verdict {
        Verdict::Verified => {
            let Some(new) = presented else {
                return Ok(());
            };
            let grows = pinned.is_none_or(|p| new.checkpoint().size > p.checkpoint().size);
            if grows {
                ensure_dir(dir)?;
                write_atomic(dir, PINNED, new.note.as_bytes())?;
                judged.newly_pinned = Some((
                    new.checkpoint().size,
                    STANDARD.encode(new.checkpoint().root),
                ));
            }
        }
        Verdict::Fork | Verdict::Rollback => {
            if let Some(old) = pinned {
                judged.evidence = evidence(dir, judged.verdict, old, presented, summary)?;
            }
        }
        Verdict::Invalid => {}
    }
    Ok(())
}

/// Writes the pinned checkpoint and what contradicts it: the presented
/// signed checkpoint, or (without one) the export's own size and root.
fn evidence(
    dir: &Path,
    verdict: Verdict,
    pinned: &SignedCheckpoint,
    presented: Option<&SignedCheckpoint>,
    summary: &ExportSummary,
) -> Result<Vec<PathBuf>, Failure> {
    let kind = if verdict == Verdict::Fork {
        "fork"
    } else {
        "rollback"
    };
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let prefix = format!("evidence-{kind}-{stamp}");
    let mut written = Vec::new();
    written.push(write_atomic(
        dir,
        &format!("{prefix}-pinned.note"),
        pinned.note.as_bytes(),
    )?);
    let other = match presented {
        Some(c) => (format!("{prefix}-presented.note"), c.note.clone()),
        None => (
            format!("{prefix}-export.txt"),
            format!(
                "unsigned: the export read in this run\nsize {}\nroot {}\n",
                summary.size,
                STANDARD.encode(summary.root)
            ),
        ),
    };
    written.push(write_atomic(dir, &other.0, other.1.as_bytes())?);
    Ok(written)
}

fn ensure_dir(dir: &Path) -> Result<(), Failure> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create the state directory {}", dir.display()))?;
    Ok(())
}

/// Temporary file (0600) → write → fsync → rename → fsync of the directory.
fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, Failure> {
    let target = dir.join(name);
    let temp = dir.join(format!(".{name}.tmp"));
    let write = || -> std::io::Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, &target)?;
        File::open(dir)?.sync_all()
    };
    write().with_context(|| format!("cannot write {}", target.display()))?;
    Ok(target)
}
