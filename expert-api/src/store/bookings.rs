//! A seat is a booking: no expert may hold seats on two panels whose
//! evaluation windows overlap.
//!
//! The statement of a draw is built at commit time from the bookings as they
//! stand then, but seats appear only at reveal (and when a reserve is called
//! in). So two draws committed before either is revealed (two operators at
//! once, on one or several API instances) can both name the same expert, and
//! a reserve called in may have been seated elsewhere since its draw. The
//! result of a draw is fixed by its statement and cannot change, so the
//! clash is settled after the fact, in the same transaction (under the log
//! head lock) as the step that created the seat: the newly seated member
//! leaves by SPEC §6 with reason `booked`, logged as `draw.substitute` like
//! any departure (so every verifier replays it), and the next reserve or a
//! supplementary draw (whose fresh statement excludes the booked expert)
//! fills the seat. The seat held first always wins.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::audit::AuditTx;
use super::draws::{self as flow, Departure, DepartureInfo, FlowContext, Replacement};
use super::{StoreError, audit, outbox};
use crate::db::DbConn;
use crate::db::schema::{invitations, panel_members};

/// Experts seated on `panel_id` who also hold a seat on another panel whose
/// window overlaps.
pub fn clashes(conn: &mut DbConn, panel_id: &str) -> Result<Vec<String>, StoreError> {
    let mine: Vec<(String, chrono::NaiveDateTime, chrono::NaiveDateTime)> = panel_members::table
        .filter(panel_members::panel_id.eq(panel_id))
        .filter(panel_members::seat.eq(true))
        .select((
            panel_members::expert_id,
            panel_members::window_start,
            panel_members::window_end,
        ))
        .load(conn)?;
    let ids: Vec<&str> = mine.iter().map(|(id, _, _)| id.as_str()).collect();
    let others: Vec<(String, chrono::NaiveDateTime, chrono::NaiveDateTime)> = panel_members::table
        .filter(panel_members::panel_id.ne(panel_id))
        .filter(panel_members::seat.eq(true))
        .filter(panel_members::expert_id.eq_any(ids))
        .select((
            panel_members::expert_id,
            panel_members::window_start,
            panel_members::window_end,
        ))
        .load(conn)?;
    Ok(mine
        .into_iter()
        .filter(|(id, start, end)| {
            others
                .iter()
                .any(|(o, s, e)| o == id && s < end && e > start)
        })
        .map(|(id, _, _)| id)
        .collect())
}

/// Inside the transaction that just seated members on `panel_id`: every
/// clashing seat of this panel leaves (reason `booked`) and is replaced by
/// SPEC §6, until none clashes or a supplementary draw is needed. At most
/// one supplementary draw is committed (returned, to reveal after this
/// transaction with [`reveal_supplementary`], which then releases the
/// remaining clashes): a second one committed before the first is revealed
/// could name the same expert.
pub fn release_clashes(
    tx: &mut AuditTx<'_>,
    actor: &str,
    panel_id: &str,
    ctx: &FlowContext,
) -> Result<Vec<String>, StoreError> {
    let info = DepartureInfo {
        why: Departure::Booked,
        reason: None,
        evidence: None,
    };
    let mut supplementary = Vec::new();
    // Each round empties at least one seat for good (a member who left never
    // returns), so the loop ends.
    loop {
        let clashing = clashes(tx.conn, panel_id)?;
        if clashing.is_empty() {
            hold_invitations(tx, panel_id, false)?;
            return Ok(supplementary);
        }
        for expert in clashing {
            let r = flow::depart(
                tx,
                actor,
                panel_id,
                &expert,
                &info,
                &ctx.cfg,
                &ctx.invite,
                (ctx.signer.as_ref(), ctx.origin.as_str()),
            )?;
            if let Replacement::Supplementary(id) = r {
                supplementary.push(id);
                // Those still clashing leave when the supplementary draw
                // is revealed; their invitations must not go out before.
                hold_invitations(tx, panel_id, true)?;
                return Ok(supplementary);
            }
        }
    }
}

/// Hold (`hold`) the unsent invitations of the members of `panel_id` who
/// still clash, or release every held invitation of the panel once none
/// clashes. Holding is the only way an open invitation's message is
/// cancelled (a member who leaves closes their invitation), so the held
/// ones are the open invitations whose message is cancelled.
fn hold_invitations(tx: &mut AuditTx<'_>, panel_id: &str, hold: bool) -> Result<(), StoreError> {
    let now = tx.now();
    if hold {
        for expert in clashes(tx.conn, panel_id)? {
            if let Some(inv) = flow::open_invitation(tx.conn, panel_id, &expert)? {
                outbox::cancel(tx.conn, &inv.id, now)?;
            }
        }
        return Ok(());
    }
    let open: Vec<String> = invitations::table
        .filter(invitations::panel_id.eq(panel_id))
        .filter(invitations::answer.is_null())
        .select(invitations::id)
        .load(tx.conn)?;
    outbox::restore(tx.conn, &open)?;
    Ok(())
}

/// Reveal supplementary draws (empty beacon), each in its own transaction
/// with its clashes released; a draw already revealed (by the sweep or a
/// concurrent request) is left as it is.
pub fn reveal_supplementary(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    mut pending: Vec<String>,
    ctx: &FlowContext,
) -> Result<(), StoreError> {
    while let Some(id) = pending.pop() {
        let r = audit::write(conn, now, |tx| {
            let revealed = flow::reveal(tx, "system", &id, "", &ctx.invite)?;
            release_clashes(tx, "system", &revealed.draw.panel_id, ctx)
        });
        match r {
            Ok(more) => pending.extend(more),
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
