//! Draw receipts from the stored log: a draw's `draw.reveal` entry as a
//! signed receipt note, with its inclusion proof into a signed checkpoint
//! (`draw_audit::receipt` has the format).
//!
//! The checkpoint is the latest one kept whose tree holds the entry; when
//! none does yet (or a sealed read is logged first), one is signed at the
//! head inside the write transaction, as every checkpoint is.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use draw_audit::merkle::Hash;
use draw_audit::note::LogSigner;
use draw_audit::receipt::{self, Receipt};

use super::audit;
use super::{StoreError, draws};
use crate::db::DbConn;
use crate::db::schema::{audit_entries, checkpoints};
use crate::keys::KeyRing;

/// How to sign: the log's key and origin (`FlowContext` carries both).
pub type Signing<'a> = (&'a KeyRing, &'a str);

/// A read of sealed data to log as `panel.view` before the receipt is made.
#[derive(Debug, Clone, Copy)]
pub struct SealedRead<'a> {
    pub actor: &'a str,
    pub panel_id: &'a str,
}

/// The receipt file of a revealed draw. Fails with the conflict
/// `not_revealed` when the draw has no `draw.reveal` entry.
pub fn receipt(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    draw_id: &str,
    signing: Signing<'_>,
    sealed_read: Option<SealedRead<'_>>,
) -> Result<String, StoreError> {
    let (index, leaf) = reveal_entry(conn, draw_id)?.ok_or_else(|| StoreError::Conflict {
        rule: "not_revealed",
        message: format!("draw {draw_id} has not been revealed; a receipt needs its reveal"),
    })?;
    let covering = match sealed_read {
        Some(_) => None,
        None => covering_checkpoint(conn, index)?,
    };
    let (size, checkpoint) = match covering {
        Some(found) => found,
        None => audit::write(conn, now, |tx| {
            if let Some(read) = sealed_read {
                draws::log_view(tx, read.actor, read.panel_id, "receipt")?;
            }
            let note = draws::sign_checkpoint(tx, signing)?;
            Ok::<_, StoreError>((tx.head().size, note))
        })?,
    };
    let proof = reveal_inclusion_proof(conn, index, size)?;
    let receipt = Receipt::from_reveal_leaf(signing.1, index, leaf.as_bytes())
        .map_err(|e| StoreError::Corrupt(format!("draw {draw_id}: {e}")))?;
    let note = sign_receipt(conn, &receipt, signing.0, size)?;
    Ok(receipt::receipt_file(&note, index, proof, &checkpoint))
}

/// The one place the service signs receipts: with the keys that sign the
/// covering checkpoint of `size` entries (both during a key rotation).
fn sign_receipt(
    conn: &mut DbConn,
    receipt: &Receipt,
    ring: &KeyRing,
    size: u64,
) -> Result<String, StoreError> {
    let signers = ring.signers_at(conn, size)?;
    let refs: Vec<&dyn LogSigner> = signers.iter().map(AsRef::as_ref).collect();
    let text = receipt
        .to_text()
        .map_err(|e| StoreError::Corrupt(format!("cannot sign the receipt: {e}")))?;
    draw_audit::note::sign_note(&text, &refs)
        .map_err(|e| StoreError::Signing(format!("the receipt: {e}")))
}

/// Index and leaf bytes of the draw's `draw.reveal` entry.
pub fn reveal_entry(conn: &mut DbConn, draw_id: &str) -> Result<Option<(u64, String)>, StoreError> {
    let row: Option<(i64, String)> = audit_entries::table
        .filter(audit_entries::subject.eq(draw_id))
        .filter(audit_entries::kind.eq(receipt::REVEAL_KIND))
        .order(audit_entries::seq.asc())
        .select((audit_entries::seq, audit_entries::leaf))
        .first(conn)
        .optional()?;
    row.map(|(seq, leaf)| {
        let seq =
            u64::try_from(seq).map_err(|_| StoreError::Corrupt("negative entry seq".into()))?;
        Ok((seq, leaf))
    })
    .transpose()
}

/// The latest kept checkpoint whose tree holds entry `index`: its size and
/// signed note.
fn covering_checkpoint(conn: &mut DbConn, index: u64) -> Result<Option<(u64, String)>, StoreError> {
    let index = i64::try_from(index).map_err(|_| StoreError::Corrupt("log full".into()))?;
    let row: Option<(i64, String)> = checkpoints::table
        .filter(checkpoints::size.gt(index))
        .order(checkpoints::size.desc())
        .select((checkpoints::size, checkpoints::note))
        .first(conn)
        .optional()?;
    row.map(|(size, note)| {
        let size = u64::try_from(size)
            .map_err(|_| StoreError::Corrupt("negative checkpoint size".into()))?;
        Ok((size, note))
    })
    .transpose()
}

/// Inclusion proof of entry `index` in the tree of `size` entries, from the
/// stored subtree hashes.
fn reveal_inclusion_proof(
    conn: &mut DbConn,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, StoreError> {
    audit::inclusion_proof(conn, index, size)
}
