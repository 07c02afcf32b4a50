//! What the supervisors' signals read: the latest published evaluation
//! results of awarded panels, and the seats of unsealed panels with each
//! candidate's chance of a seat from the draw's statement. The figures
//! themselves are `expert_core::discipline::signals`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use expert_core::discipline::signals::{DrawPanel, PanelScores, statement_chances};

use super::draws::DrawRow;
use super::{StoreError, db_time, evaluations};
use crate::db::DbConn;
use crate::db::schema::{awards, draws, panel_members};
use crate::draws::filter::china_date;

/// The published scores of every awarded panel (of `region` when given)
/// with uploaded results, dated by the evaluation's China day.
pub fn panel_scores(
    conn: &mut DbConn,
    region: Option<&str>,
) -> Result<Vec<PanelScores>, StoreError> {
    let mut q = draws::table
        .inner_join(awards::table.on(awards::panel_id.eq(draws::id)))
        .select(draws::all_columns)
        .into_boxed();
    if let Some(r) = region {
        q = q.filter(draws::region.eq(r.to_owned()));
    }
    let panels: Vec<DrawRow> = q
        .order(draws::id.asc())
        .select(DrawRow::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(panels.len());
    for panel in panels {
        let Some(row) = evaluations::latest(conn, &panel.id)? else {
            continue;
        };
        let results = row.results()?;
        out.push(PanelScores::from_results(
            panel.id.clone(),
            china_date(panel.end()),
            &results,
        ));
    }
    Ok(out)
}

/// Every panel (of `region` when given) whose first draw is revealed and
/// which is no longer sealed at `now`: the members holding a seat who were
/// candidates of that draw, and each candidate's inclusion probability.
/// A candidate's probability is `statement_chances`: the sum over the
/// panel's groups it matches of that group's inclusion probability
/// (weights as the statement gives them), capped at 1; caps per employer
/// and locality are left out.
pub fn draw_panels(
    conn: &mut DbConn,
    region: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<DrawPanel>, StoreError> {
    let now = db_time(now);
    let mut q = draws::table
        .filter(draws::id.eq(draws::panel_id))
        .filter(draws::result.is_not_null())
        .filter(
            draws::unsealed_at
                .is_not_null()
                .or(draws::window_start.le(now)),
        )
        .into_boxed();
    if let Some(r) = region {
        q = q.filter(draws::region.eq(r.to_owned()));
    }
    let panels: Vec<DrawRow> = q
        .order(draws::id.asc())
        .select(DrawRow::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(panels.len());
    for panel in panels {
        let statement = panel.parsed_statement(conn)?;
        let inclusion: BTreeMap<String, f64> = statement
            .candidates()
            .iter()
            .zip(statement_chances(&statement))
            .map(|(c, p)| (c.id().to_owned(), p))
            .collect();
        let seated: Vec<String> = panel_members::table
            .filter(panel_members::panel_id.eq(&panel.id))
            .filter(panel_members::seat.eq(true))
            .order(panel_members::expert_id.asc())
            .select(panel_members::expert_id)
            .load::<String>(conn)?
            .into_iter()
            .filter(|id| inclusion.contains_key(id))
            .collect();
        out.push(DrawPanel {
            draw_id: panel.id,
            seated,
            inclusion,
        });
    }
    Ok(out)
}
