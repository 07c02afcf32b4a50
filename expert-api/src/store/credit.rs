//! Credit in the periodic review: each reviewed expert's credit score from
//! their effective assessments less their violation points
//! (`expert_core::discipline::credit_score`);
//! below the baseline's threshold a sanction proposal (never a sanction),
//! logged once per situation as `review.proposal`.

use chrono::{Months, NaiveDate};
use diesel::prelude::*;
use expert_core::discipline::{Baseline, SanctionProposal, credit_proposal, credit_score};
use serde_json::{Value, json};

use super::audit::AuditTx;
use super::{StoreError, assessments};
use crate::db::schema::audit_entries;

pub const PROPOSAL_KIND: &str = "review.proposal";

/// The low-credit proposals of `expert_ids` as of `as_of`, by expert id.
/// Unless `dry_run`, each one not proposed before (same expert, same key)
/// is logged; one already logged is still reported.
pub fn proposals(
    tx: &mut AuditTx<'_>,
    actor: &str,
    expert_ids: &[String],
    baseline: &Baseline,
    as_of: NaiveDate,
    dry_run: bool,
) -> Result<Vec<SanctionProposal>, StoreError> {
    // A superset of the cycle; `credit_score` keeps what the cycle holds.
    let from = as_of
        .checked_sub_months(Months::new(baseline.cycle_months.saturating_add(1)))
        .unwrap_or(NaiveDate::MIN);
    let assessed = assessments::assessed(tx.conn, from, as_of)?;
    let mut out = Vec::new();
    let mut ids: Vec<&String> = expert_ids.iter().collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let sheets = assessed.get(id.as_str()).map_or(&[][..], Vec::as_slice);
        // The credit is the assessments less the violation points of the
        // cycle (`credit_score` keeps the cycle's records).
        let records: Vec<_> = super::violations::of_expert(tx.conn, id)?
            .iter()
            .map(super::violations::ViolationRow::record)
            .collect();
        let credit = credit_score(id, &records, sheets, baseline, as_of);
        let Some(proposal) = credit_proposal(&credit, baseline) else {
            continue;
        };
        if !dry_run && !already_proposed(tx, id, &proposal.key)? {
            tx.append(
                PROPOSAL_KIND,
                actor,
                Some(id),
                json!({
                    "expert_id": id,
                    "as_of": as_of.to_string(),
                    "ground": proposal.ground,
                    "proposed": proposal.proposed,
                    "key": proposal.key,
                    "evidence": proposal.evidence,
                    "credit": credit.score,
                }),
            )?;
        }
        out.push(proposal);
    }
    Ok(out)
}

/// Whether a `review.proposal` entry for `expert_id` carries `key`.
fn already_proposed(tx: &mut AuditTx<'_>, expert_id: &str, key: &str) -> Result<bool, StoreError> {
    let leaves: Vec<String> = audit_entries::table
        .filter(audit_entries::kind.eq(PROPOSAL_KIND))
        .filter(audit_entries::subject.eq(expert_id))
        .select(audit_entries::leaf)
        .load(tx.conn)?;
    for leaf in leaves {
        let entry: Value = serde_json::from_str(&leaf)
            .map_err(|e| StoreError::Corrupt(format!("a {PROPOSAL_KIND} leaf: {e}")))?;
        if entry["data"]["key"] == key {
            return Ok(true);
        }
    }
    Ok(false)
}
