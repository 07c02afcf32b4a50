//! `expert-api keys show|begin-rotation|finish-rotation|acknowledge-rollback`:
//! the log's signing keys from the command line. A rotation is two logged
//! steps; both keys sign every checkpoint in between, and a running server
//! follows them without a restart (it reads the log's key state whenever
//! it signs).

use std::process::ExitCode;

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use clap::{Args, Subcommand};
use serde_json::json;

use super::{DbArg, KeyArgs, cli_actor};
use crate::db::open_pool;
use crate::keys::PinError;
use crate::store::keys::{Phase, log_rotation, rotation_at};
use crate::store::{StoreError, audit, draws::sign_checkpoint};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// The keys that sign checkpoints now and the pinned last checkpoint.
    Show(KeysArgs),
    /// Start a key rotation: log `log.key_rotation` (phase begin) naming the
    /// old and new verifier keys; from then on both keys sign. The new key
    /// is --next-key-file (alias --new-key), created if it does not exist.
    BeginRotation(KeysArgs),
    /// End a key rotation: log `log.key_rotation` (phase finish); the
    /// checkpoint covering it is signed by both keys, every later one by
    /// the new key alone.
    FinishRotation(KeysArgs),
    /// Disaster recovery: accept a database that is behind (or contradicts)
    /// the pinned checkpoint. Logs `log.rollback_acknowledged` with both
    /// heads, sets the old state file aside and pins the database's head.
    AcknowledgeRollback {
        #[command(flatten)]
        args: KeysArgs,
        /// Why (an incident reference); goes into the log entry.
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(flatten)]
    db: DbArg,
    #[command(flatten)]
    keys: KeyArgs,
}

pub fn run(cmd: KeysCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        KeysCommand::Show(a) => show(&a),
        KeysCommand::BeginRotation(a) => begin(&a),
        KeysCommand::FinishRotation(a) => finish(&a),
        KeysCommand::AcknowledgeRollback { args, reason } => acknowledge(&args, &reason),
    }
}

fn connect(a: &KeysArgs) -> anyhow::Result<crate::db::PooledConn> {
    let url = a.db.url()?;
    let pool = open_pool(&url, 1).with_context(|| format!("opening {}", url.redacted()))?;
    Ok(pool.get()?)
}

fn show(a: &KeysArgs) -> anyhow::Result<ExitCode> {
    let mut conn = connect(a)?;
    let (ring, _) = a.keys.open_ring(&mut conn, false)?;
    let head = audit::head(&mut conn)?;
    for v in ring.vkeys_at(&mut conn, head.size)? {
        println!("signing key: {v}");
    }
    match rotation_at(&mut conn, head.size)? {
        Some(r) if r.phase == Phase::Begin => {
            println!("rotation in progress since entry {}", r.seq);
        }
        Some(r) => println!("last rotation finished at entry {}", r.seq),
        None => println!("never rotated"),
    }
    match ring.pin().lock().as_ref() {
        Some(p) => println!(
            "pinned: {} entries, root {} ({})",
            p.size,
            STANDARD.encode(p.root),
            ring.pin().path().display()
        ),
        None => println!("pinned: nothing yet ({})", ring.pin().path().display()),
    }
    println!("database: {} entries", head.size);
    Ok(ExitCode::SUCCESS)
}

fn begin(a: &KeysArgs) -> anyhow::Result<ExitCode> {
    let mut conn = connect(a)?;
    let next_path = a.keys.next_key_file();
    let (next, created) = draw_audit::keys::load_or_create_key_file(&next_path, &a.keys.log_origin)
        .with_context(|| format!("next signing key {}", next_path.display()))?;
    if created {
        println!(
            "created the next signing key {} (mode 0600)",
            next_path.display()
        );
    }
    let (ring, _) = a.keys.open_ring(&mut conn, false)?;
    let new = next.verifier_key_string();
    let actor = cli_actor();
    let (old, note) = audit::write(&mut conn, Utc::now(), |tx| {
        let size = tx.head().size;
        let old = match rotation_at(tx.conn, size)? {
            Some(r) if r.phase == Phase::Begin => {
                return Err(StoreError::Conflict {
                    rule: "rotation_in_progress",
                    message: format!(
                        "a key rotation began at entry {}; finish it first (keys finish-rotation)",
                        r.seq
                    ),
                });
            }
            Some(r) => r.new,
            None => ring.vkeys_at(tx.conn, size)?.concat(),
        };
        if old == new {
            return Err(StoreError::Conflict {
                rule: "same_key",
                message: format!(
                    "{} holds the key that signs now; after a rotation, move it to --key-file \
                     and let begin-rotation create a new next key",
                    next_path.display()
                ),
            });
        }
        log_rotation(tx, &actor, Phase::Begin, &old, &new)?;
        let note = sign_checkpoint(tx, (&ring, ring.origin()))?;
        Ok::<_, StoreError>((old, note))
    })?;
    println!("key rotation begun: checkpoints are now signed by both keys");
    println!("old key: {old}");
    println!("new key: {new}");
    println!(
        "Give every API instance the new key file at its --next-key-file, publish the new \
         verifier key, then run `expert-api keys finish-rotation`."
    );
    print!("{note}");
    Ok(ExitCode::SUCCESS)
}

fn finish(a: &KeysArgs) -> anyhow::Result<ExitCode> {
    let mut conn = connect(a)?;
    let (ring, _) = a.keys.open_ring(&mut conn, false)?;
    let actor = cli_actor();
    let (rotation, note) = audit::write(&mut conn, Utc::now(), |tx| {
        let size = tx.head().size;
        let Some(r) = rotation_at(tx.conn, size)?.filter(|r| r.phase == Phase::Begin) else {
            return Err(StoreError::Conflict {
                rule: "no_rotation",
                message: "no key rotation is in progress (keys begin-rotation starts one)".into(),
            });
        };
        log_rotation(tx, &actor, Phase::Finish, &r.old, &r.new)?;
        // The checkpoint ending with the finish entry is still signed by both.
        let note = sign_checkpoint(tx, (&ring, ring.origin()))?;
        Ok::<_, StoreError>((r, note))
    })?;
    println!("key rotation finished: from the next entry on, only the new key signs");
    println!("retired key: {}", rotation.old);
    println!("signing key: {}", rotation.new);
    println!(
        "Keep the retired verifier key: checkpoints it signed stay verifiable with it. Move the \
         new key file to --key-file when convenient (any instance finds it at either path)."
    );
    print!("{note}");
    Ok(ExitCode::SUCCESS)
}

fn acknowledge(a: &KeysArgs, reason: &str) -> anyhow::Result<ExitCode> {
    if reason.trim().is_empty() || reason.chars().count() > 500 {
        anyhow::bail!("--reason must be 1 to 500 characters");
    }
    let mut conn = connect(a)?;
    let pin = crate::keys::Pin::open(&a.keys.state_file(), &a.keys.log_origin)?;
    let refusal = match pin.check_database(&mut conn) {
        Ok(()) => {
            println!("the database agrees with the pinned checkpoint: nothing to acknowledge");
            return Ok(ExitCode::SUCCESS);
        }
        Err(e @ (PinError::Behind { .. } | PinError::Fork { .. })) => e,
        Err(e) => return Err(e.into()),
    };
    let Some(pinned) = pin.lock().clone() else {
        anyhow::bail!("nothing is pinned");
    };
    let actor = cli_actor();
    audit::write(&mut conn, Utc::now(), |tx| {
        let head = tx.head();
        tx.append(
            "log.rollback_acknowledged",
            &actor,
            None,
            json!({
                "pinned_size": pinned.size,
                "pinned_root": STANDARD.encode(pinned.root),
                "pinned_checkpoint": pinned.note,
                "database_size": head.size,
                "database_root": STANDARD.encode(head.root),
                "reason": reason,
            }),
        )
        .map(drop)
    })?;
    let kept = pin.supersede()?;
    let (ring, _) = a.keys.open_ring(&mut conn, false)?;
    let (note, head) = ring.sign_committed(&mut conn)?;
    println!("acknowledged: {refusal}");
    if let Some(kept) = kept {
        println!("the old state file is kept as {}", kept.display());
    }
    println!("pinned the database's head: {} entries", head.size);
    print!("{note}");
    Ok(ExitCode::SUCCESS)
}
