//! Credit in the periodic review: each reviewed expert's credit score from
//! their effective assessments less their violation points
//! (`expert_core::discipline::credit_score`);
//! below the baseline's threshold a sanction proposal (never a sanction),
//! stored once per situation beside the points proposals
//! (`sanction_proposals`, `proposal.create`), so a case can be opened from it.

use chrono::{Months, NaiveDate};
use expert_core::discipline::{Baseline, SanctionProposal, credit_proposal, credit_score};

use super::audit::AuditTx;
use super::{StoreError, assessments};

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
        // Stored like the points proposals, so a regulator can open a case
        // from it; a situation proposed before (same key) is not again.
        if !dry_run {
            super::violations::store_proposal(tx, actor, &proposal)?;
        }
        out.push(proposal);
    }
    Ok(out)
}
