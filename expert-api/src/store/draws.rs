//! Draws on the database: the statement built from the live pool, commit
//! and reveal, the panel and its members, substitutions, supplementary
//! draws, invitations and sign-in. Every change runs inside an `AuditTx`.
//!
//! Decisions: a short draw invites nobody (it is redrawn as a child with
//! `parent`, after a supervisor approves the looser policy); a supplementary
//! draw is committed in the transaction of the departure that needs it and
//! revealed right after in its own transaction with an empty beacon (the
//! worker's sweep reveals any left committed by a crash).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use expert_core::draw::{
    DrawResult, DrawStatement, Member, Panel, PreparedPool, SupplementaryDraw, nonce_commitment,
    seed, validate_scanned, validate_text,
};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::audit::{AuditTx, NewEntry};
use super::pool::CandidatePool;
use super::{StoreError, db_time, from_db_time};
use crate::config::DrawPolicy;
use crate::db::DbConn;
use crate::db::schema::{
    checkpoints, draw_statements, draws, expert_declines, experts, invitations, panel_changes,
    panel_members,
};
use crate::draws::request::EffectivePolicy;
use crate::draws::{DrawRequest, FilterContext};
use crate::keys::KeyRing;

/// Draw states as stored.
pub mod state {
    pub const COMMITTED: &str = "committed";
    pub const REVEALED: &str = "revealed";
    pub const SHORT: &str = "short";
    pub const SUPERSEDED: &str = "superseded";
}

/// Member states as stored.
pub mod member {
    pub const RESERVE: &str = "reserve";
    pub const NOT_INVITED: &str = "not_invited";
    pub const INVITED: &str = "invited";
    pub const ACCEPTED: &str = "accepted";
    pub const DECLINED: &str = "declined";
    pub const NO_ANSWER: &str = "no_answer";
    pub const SIGNED_IN: &str = "signed_in";
    pub const VOID: &str = "void";
}

/// One draw as stored, without its statement: the statement (up to
/// megabytes) is read only where it is parsed ([`statement`]), never for a
/// view or a state check.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = draws)]
pub struct DrawRow {
    pub id: String,
    pub panel_id: String,
    pub parent: Option<String>,
    pub parent_group: Option<i32>,
    pub project_id: String,
    pub project_name: String,
    pub region: String,
    pub tenderer: String,
    pub bid_section: String,
    pub window_start: NaiveDateTime,
    pub window_end: NaiveDateTime,
    pub venue: String,
    pub representatives: i32,
    pub request: String,
    pub state: String,
    pub statement_hash: String,
    pub nonce: Vec<u8>,
    pub nonce_commitment: String,
    pub candidate_count: i32,
    pub excluded: String,
    pub beacon: Option<String>,
    pub seed: Option<String>,
    pub result: Option<String>,
    pub shortfall: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub revealed_at: Option<NaiveDateTime>,
    pub unsealed_at: Option<NaiveDateTime>,
}

impl DrawRow {
    pub fn start(&self) -> DateTime<Utc> {
        from_db_time(self.window_start)
    }

    pub fn end(&self) -> DateTime<Utc> {
        from_db_time(self.window_end)
    }

    /// Sealed until every member signed in or the evaluation started.
    pub fn sealed(&self, now: DateTime<Utc>) -> bool {
        self.unsealed_at.is_none() && now < self.start()
    }

    pub fn is_supplementary(&self) -> bool {
        self.parent_group.is_some()
    }

    pub fn excluded_counts(&self) -> Value {
        serde_json::from_str(&self.excluded).unwrap_or(Value::Null)
    }

    pub fn shortfall_list(&self) -> Option<Value> {
        self.shortfall
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
    }

    /// The statement as validated for the algorithm, read and parsed from
    /// its stored text (`validate_text`: the candidates as typed records,
    /// no JSON value).
    pub fn parsed_statement(&self, conn: &mut DbConn) -> Result<Arc<DrawStatement>, StoreError> {
        let text = statement(conn, &self.id)?;
        let hash: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        parse_statement(&self.id, &text, &hash)
    }

    pub fn parsed_result(&self) -> Result<DrawResult, StoreError> {
        let text = self
            .result
            .as_deref()
            .ok_or_else(|| StoreError::Corrupt(format!("draw {} has no result", self.id)))?;
        serde_json::from_str(text)
            .map_err(|e| StoreError::Corrupt(format!("draw {}: result: {e}", self.id)))
    }
}

/// One panel member as stored.
#[derive(Debug, Clone, Queryable)]
pub struct MemberRow {
    pub panel_id: String,
    pub expert_id: String,
    pub draw_id: String,
    pub pseudonym: String,
    pub group_index: i32,
    pub position: i32,
    pub drawn_as: String,
    pub state: String,
    pub seat: bool,
    pub tenderer: String,
    pub window_start: NaiveDateTime,
    pub window_end: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The canonical JSON of a draw's statement, as committed and hashed.
pub fn statement(conn: &mut DbConn, id: &str) -> Result<String, StoreError> {
    draw_statements::table
        .find(id)
        .select(draw_statements::statement)
        .first::<String>(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "draw",
            id: id.to_owned(),
        })
}

/// The statement of draw `id` from its stored text, whose SHA-256 is
/// `hash`: from the memo of validated statements, else validated now.
fn parse_statement(
    id: &str,
    text: &str,
    hash: &[u8; 32],
) -> Result<Arc<DrawStatement>, StoreError> {
    if let Some(known) = validated::recall(hash) {
        return Ok(known);
    }
    let statement = validate_text(text)
        .map(|v| Arc::new(v.statement))
        .map_err(|e| StoreError::Corrupt(format!("draw {id}: statement: {e}")))?;
    validated::remember(*hash, Arc::clone(&statement));
    Ok(statement)
}

/// Statements already validated, by the SHA-256 of their canonical text.
///
/// Content-addressed, so never stale: a text with that hash is that
/// statement, whichever draw or database it came from. The commit
/// validates its statement; the reveal, sign-ins and substitutions read
/// the same text again, and a 6,000-candidate statement takes
/// milliseconds to validate but a fraction of one to hash. A few recent
/// ones are kept (each about 100 bytes per candidate).
mod validated {
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    use expert_core::draw::DrawStatement;

    const KEEP: usize = 16;

    type Memo = VecDeque<([u8; 32], Arc<DrawStatement>)>;

    static MEMO: Mutex<Memo> = Mutex::new(VecDeque::new());

    pub(super) fn recall(hash: &[u8; 32]) -> Option<Arc<DrawStatement>> {
        let memo = MEMO.lock().ok()?;
        memo.iter()
            .find(|(h, _)| h == hash)
            .map(|(_, s)| Arc::clone(s))
    }

    pub(super) fn remember(hash: [u8; 32], statement: Arc<DrawStatement>) {
        // A poisoned memo is only a memo: the statement is validated again.
        if let Ok(mut memo) = MEMO.lock() {
            if memo.iter().any(|(h, _)| *h == hash) {
                return;
            }
            if memo.len() == KEEP {
                memo.pop_front();
            }
            memo.push_back((hash, statement));
        }
    }
}

pub fn get(conn: &mut DbConn, id: &str) -> Result<DrawRow, StoreError> {
    draws::table
        .find(id)
        .select(DrawRow::as_select())
        .first::<DrawRow>(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "draw",
            id: id.to_owned(),
        })
}

/// Draws of a region (all regions when `None`), newest first.
pub fn list(
    conn: &mut DbConn,
    region: Option<&str>,
    limit: i64,
) -> Result<Vec<DrawRow>, StoreError> {
    let mut q = draws::table.into_boxed();
    if let Some(r) = region {
        q = q.filter(draws::region.eq(r.to_owned()));
    }
    Ok(q.order((draws::created_at.desc(), draws::id.desc()))
        .limit(limit)
        .select(DrawRow::as_select())
        .load::<DrawRow>(conn)?)
}

pub fn members(conn: &mut DbConn, panel_id: &str) -> Result<Vec<MemberRow>, StoreError> {
    Ok(panel_members::table
        .filter(panel_members::panel_id.eq(panel_id))
        .order((
            panel_members::group_index.asc(),
            panel_members::position.asc(),
        ))
        .load::<MemberRow>(conn)?)
}

/// A committed, unrevealed draw of the same project and bid section.
pub fn open_draw(
    conn: &mut DbConn,
    project_id: &str,
    bid_section: &str,
) -> Result<Option<String>, StoreError> {
    Ok(draws::table
        .filter(draws::project_id.eq(project_id))
        .filter(draws::bid_section.eq(bid_section))
        .filter(draws::state.eq(state::COMMITTED))
        .filter(draws::parent_group.is_null())
        .select(draws::id)
        .first(conn)
        .optional()?)
}

fn next_draw_id(conn: &mut DbConn, year: i32) -> Result<String, StoreError> {
    let n = super::next_in(conn, &format!("draw-{year}"))?;
    Ok(format!("D-{year:04}-{n:06}"))
}

fn time_text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The filter context of a request under the centre's policy.
pub fn filter_context(req: &DrawRequest, cfg: &DrawPolicy) -> FilterContext {
    let mut orgs: BTreeSet<String> = req.avoid.bidders.iter().cloned().collect();
    orgs.insert(req.project.tenderer.clone());
    if let Some(a) = &req.avoid.agency {
        orgs.insert(a.clone());
    }
    FilterContext {
        start: req.evaluation.start,
        end: req.evaluation.end,
        tenderer: req.project.tenderer.clone(),
        avoided_organisations: orgs,
        avoided_experts: req.avoid.experts.iter().map(|e| e.id.clone()).collect(),
        group_specialties: req.panel.iter().map(|g| g.specialty.clone()).collect(),
        lookback_days: cfg.lookback_days,
        max_seats_lookback: cfg.max_seats_lookback,
        max_seats_same_tenderer_12m: cfg.max_seats_same_tenderer_12m,
        excluded_ids: BTreeSet::new(),
        excluded_employers: BTreeSet::new(),
    }
}

/// Where a new draw sits: a first draw, a child of a short draw, or a
/// supplementary draw filling a gap of a panel.
#[derive(Debug, Clone)]
pub struct Placement {
    pub parent: Option<String>,
    /// `(panel id, group)` for a supplementary draw.
    pub supplementary: Option<(String, u32)>,
}

/// Store the draw with a fresh nonce and log `draw.commit`. The statement
/// holds `pool` brought up to this transaction's log head first (so it is
/// what the filters give now, however early the pool was read). The caller
/// signs a checkpoint ([`sign_checkpoint`]) before its transaction ends.
#[expect(
    clippy::too_many_arguments,
    reason = "two call sites; a struct would only rename them"
)]
pub fn commit(
    tx: &mut AuditTx<'_>,
    actor: &str,
    req: &DrawRequest,
    policy: &EffectivePolicy,
    cfg: &DrawPolicy,
    ctx: &FilterContext,
    placement: &Placement,
    mut pool: CandidatePool,
) -> Result<DrawRow, StoreError> {
    let now = tx.now();
    let fresh = tx.appended() == 0;
    pool.refresh(tx.conn, ctx, tx.head().size, fresh)?;
    let id = next_draw_id(tx.conn, now.year())?;
    let excluded = pool.excluded();
    let super::pool::Prepared {
        count: candidate_count,
        text: candidates_canonical,
        scanned,
    } = pool.into_candidates()?;
    let excluded_json: Map<String, Value> = excluded_json_clone(&excluded);
    let mut statement = json!({
        "spec": expert_core::draw::statement::SPEC_NAME,
        "draw_id": id,
        "project": {
            "id": req.project.id,
            "region": req.project.region,
            "tenderer": req.project.tenderer,
            "bid_section": req.project.bid_section,
        },
        "evaluation": {"start": time_text(req.evaluation.start), "end": time_text(req.evaluation.end)},
        "panel": req.panel.iter().map(|g| json!({"specialty": g.specialty, "count": g.count, "reserve": g.reserve})).collect::<Vec<_>>(),
        "policy": {
            "remote_weight": policy.remote_weight,
            "local_max": policy.local_max,
            "max_per_employer": policy.max_per_employer,
        },
        "rules": {
            "lookback_days": cfg.lookback_days,
            "max_seats_lookback": cfg.max_seats_lookback,
            "max_seats_same_tenderer_12m": cfg.max_seats_same_tenderer_12m,
            "representatives": req.representatives,
            "avoided_organisations": ctx.avoided_organisations,
            "avoided_experts": ctx.avoided_experts.len(),
        },
        "excluded": excluded_json,
        "requested_at": time_text(now),
    });
    if let Some(obj) = statement.as_object_mut() {
        if let Some(p) = &placement.parent {
            obj.insert("parent".into(), json!(p));
        }
        if let Some((_, g)) = &placement.supplementary {
            obj.insert("parent_group".into(), json!(g));
        }
    }
    // The candidates were encoded once, when the pool was prepared.
    let canonical = super::pool::statement_with_candidates(&candidates_canonical, &statement)?;
    // The statement must be one the algorithm accepts before it is logged.
    // Its candidates' text was read back by the scanner when the pool was
    // prepared (outside the lock, unless this refresh changed them); the
    // rest is the value the canonical text was written from. Together they
    // are `validate_text`'s own fast path on that text; when the scanner
    // could not vouch, the whole text is validated here (`validate_text`
    // gives the verdict `validate` gives on its parsed value).
    let fast = scanned.and_then(|scanned| {
        let fields = statement.as_object()?.clone();
        validate_scanned(fields, scanned)
    });
    let validated = match fast {
        Some(v) => Ok(v),
        None => validate_text(&canonical),
    }
    .map_err(|e| {
        StoreError::Invalid(vec![expert_core::expert::FieldError::new(
            "panel",
            expert_core::expert::Rule::OutOfRange,
            format!("抽取声明无效（规则{}）", e.rule),
            format!("the statement breaks rule {}: {}", e.rule, e.message),
        )])
    })?;
    let statement_hash: [u8; 32] = Sha256::digest(canonical.as_bytes()).into();
    validated::remember(statement_hash, Arc::new(validated.statement));
    let nonce =
        crate::auth::random_bytes::<32>().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let commitment = nonce_commitment(&nonce);
    let panel_id = placement
        .supplementary
        .as_ref()
        .map(|(p, _)| p.clone())
        .unwrap_or_else(|| id.clone());
    diesel::insert_into(draws::table)
        .values((
            draws::id.eq(&id),
            draws::panel_id.eq(&panel_id),
            draws::parent.eq(&placement.parent),
            draws::parent_group.eq(placement
                .supplementary
                .as_ref()
                .map(|(_, g)| i32::try_from(*g).unwrap_or(i32::MAX))),
            draws::project_id.eq(&req.project.id),
            draws::project_name.eq(&req.project.name),
            draws::region.eq(&req.project.region),
            draws::tenderer.eq(&req.project.tenderer),
            draws::bid_section.eq(&req.project.bid_section),
            draws::window_start.eq(db_time(req.evaluation.start)),
            draws::window_end.eq(db_time(req.evaluation.end)),
            draws::venue.eq(&req.evaluation.venue),
            draws::representatives.eq(i32::try_from(req.representatives).unwrap_or(i32::MAX)),
            draws::request.eq(stored_request(req)?),
            draws::state.eq(state::COMMITTED),
            draws::statement_hash.eq(hex::encode(statement_hash)),
            draws::nonce.eq(nonce.to_vec()),
            draws::nonce_commitment.eq(hex::encode(commitment)),
            draws::candidate_count.eq(i32::try_from(candidate_count).unwrap_or(i32::MAX)),
            draws::excluded.eq(Value::Object(excluded_json_clone(&excluded)).to_string()),
            draws::created_by.eq(actor),
            draws::created_at.eq(db_time(now)),
        ))
        .execute(tx.conn)?;
    diesel::insert_into(draw_statements::table)
        .values((
            draw_statements::draw_id.eq(&id),
            draw_statements::statement.eq(&canonical),
        ))
        .execute(tx.conn)?;
    tx.append(
        "draw.commit",
        actor,
        Some(&id),
        json!({
            "draw_id": id,
            "statement_hash": hex::encode(statement_hash),
            "nonce_commitment": hex::encode(commitment),
        }),
    )?;
    get(tx.conn, &id)
}

/// The request as kept for supplementary draws: without the approval,
/// whose supervisor token is a secret.
fn stored_request(req: &DrawRequest) -> Result<String, StoreError> {
    let mut req = req.clone();
    req.approval = None;
    serde_json::to_string(&req).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn excluded_json_clone(excluded: &BTreeMap<&'static str, u64>) -> Map<String, Value> {
    excluded
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect()
}

/// Sign the head as it stands inside this transaction (with the log's
/// current keys; pinned after the commit) and keep the note.
pub fn sign_checkpoint(
    tx: &mut AuditTx<'_>,
    (signer, _origin): (&KeyRing, &str),
) -> Result<String, StoreError> {
    let head = tx.head();
    let note = signer.sign_in_tx(tx)?;
    let size = i64::try_from(head.size).map_err(|_| StoreError::Corrupt("log full".into()))?;
    let exists: Option<i64> = checkpoints::table
        .find(size)
        .select(checkpoints::size)
        .first(tx.conn)
        .optional()?;
    if exists.is_none() {
        diesel::insert_into(checkpoints::table)
            .values((
                checkpoints::size.eq(size),
                checkpoints::root.eq(hex::encode(head.root)),
                checkpoints::note.eq(&note),
                checkpoints::time.eq(db_time(tx.now())),
            ))
            .execute(tx.conn)?;
    }
    Ok(note)
}

/// Settings the flow needs for invitations.
#[derive(Debug, Clone)]
pub struct InviteSettings {
    pub public_base_url: String,
    pub answer_deadline: Duration,
}

/// What a reveal did.
#[derive(Debug, Clone)]
pub struct Revealed {
    pub draw: DrawRow,
    pub shortfall: Vec<u32>,
}

/// Reveal a committed draw: compute the result from the stored statement,
/// nonce and the beacon, log `draw.reveal`, store the members and invite
/// the primaries (unless the draw is short).
pub fn reveal(
    tx: &mut AuditTx<'_>,
    actor: &str,
    draw_id: &str,
    beacon: &str,
    invite: &InviteSettings,
) -> Result<Revealed, StoreError> {
    let draw = get(tx.conn, draw_id)?;
    if draw.state != state::COMMITTED {
        return Err(StoreError::Conflict {
            rule: "not_committed",
            message: format!(
                "draw {draw_id} is {}, only a committed draw can be revealed",
                draw.state
            ),
        });
    }
    let statement_text = statement(tx.conn, draw_id)?;
    let statement_hash: [u8; 32] = Sha256::digest(statement_text.as_bytes()).into();
    let statement = parse_statement(draw_id, &statement_text, &statement_hash)?;
    let nonce: [u8; 32] = draw
        .nonce
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("draw {draw_id}: nonce is not 32 bytes")))?;
    let seed = seed(&statement_hash, &nonce, beacon);
    let result = PreparedPool::new(&statement)
        .and_then(|p| p.draw(seed))
        .map_err(|e| StoreError::Corrupt(format!("draw {draw_id}: {e}")))?;
    let shortfall = result.shortfall(statement.panel());
    let short = shortfall.iter().any(|&s| s > 0);
    let now = tx.now();
    let result_json =
        serde_json::to_value(&result).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let shortfall_json: Vec<Value> = shortfall
        .iter()
        .enumerate()
        .filter(|&(_, &s)| s > 0)
        .map(|(g, &s)| {
            json!({"group": g, "specialty": statement.panel().get(g).map(|p| p.specialty.to_string()), "missing": s})
        })
        .collect();
    diesel::update(draws::table.find(draw_id))
        .set((
            draws::state.eq(if short { state::SHORT } else { state::REVEALED }),
            draws::beacon.eq(Some(beacon)),
            draws::seed.eq(Some(hex::encode(seed))),
            draws::result.eq(Some(result_json.to_string())),
            draws::shortfall.eq(short.then(|| Value::Array(shortfall_json.clone()).to_string())),
            draws::revealed_at.eq(Some(db_time(now))),
        ))
        .execute(tx.conn)?;
    // The statement as stored is its canonical JSON: the leaf takes that
    // text as it is rather than encoding the parsed statement again.
    tx.append_with_member(
        "draw.reveal",
        actor,
        Some(draw_id),
        json!({
            "draw_id": draw_id,
            "nonce": hex::encode(nonce),
            "beacon": beacon,
            "seed": hex::encode(seed),
            "result": result_json,
        }),
        "statement",
        &statement_text,
    )?;
    if short {
        tx.append(
            "draw.short",
            actor,
            Some(draw_id),
            json!({"draw_id": draw_id, "shortfall": shortfall_json}),
        )?;
    }
    let draw = get(tx.conn, draw_id)?;
    let mut next = pseudonym_count(tx.conn, &draw.panel_id)?;
    let group_of = |g: usize| -> i32 {
        match draw.parent_group {
            Some(pg) => pg,
            None => i32::try_from(g).unwrap_or(i32::MAX),
        }
    };
    // Every member in one statement: primaries, then reserves, numbered in
    // that order (the pseudonyms `P1`, `P2`, … the panel hands out).
    let mut invited = Vec::new();
    let mut rows = Vec::new();
    for (g, ids) in result.primaries.iter().enumerate() {
        for (pos, id) in ids.iter().enumerate() {
            next += 1;
            let seat = !short;
            rows.push(NewMember {
                expert_id: id,
                group: group_of(g),
                position: pos,
                drawn_as: "primary",
                state: if seat {
                    member::INVITED
                } else {
                    member::NOT_INVITED
                },
                seat,
                number: next,
            });
            if seat {
                invited.push(id.clone());
            }
        }
    }
    for (g, ids) in result.reserves.iter().enumerate() {
        for (pos, id) in ids.iter().enumerate() {
            next += 1;
            rows.push(NewMember {
                expert_id: id,
                group: group_of(g),
                position: pos,
                drawn_as: "reserve",
                state: member::RESERVE,
                seat: false,
                number: next,
            });
        }
    }
    insert_members(tx, &draw, &rows)?;
    if let Some(g) = draw.parent_group {
        // The supplementary pick joins the panel.
        if let Some(id) = result.primaries.first().and_then(|p| p.first()) {
            append_change(
                tx,
                &draw.panel_id,
                "join",
                g,
                None,
                Some(id),
                &draw.id,
                "supplementary",
            )?;
        }
    }
    create_invitations(tx, &draw, &invited, invite)?;
    Ok(Revealed { draw, shortfall })
}

fn pseudonym_count(conn: &mut DbConn, panel_id: &str) -> Result<u32, StoreError> {
    let n: i64 = panel_members::table
        .filter(panel_members::panel_id.eq(panel_id))
        .count()
        .get_result(conn)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// One member to insert.
#[derive(Debug)]
struct NewMember<'a> {
    expert_id: &'a str,
    group: i32,
    position: usize,
    drawn_as: &'static str,
    state: &'static str,
    seat: bool,
    /// The pseudonym's number (`P{number}`).
    number: u32,
}

/// Insert the members a draw names, in one statement (a reveal names about
/// fifteen; on PostgreSQL each statement is a round trip under the log
/// head's lock).
fn insert_members(
    tx: &mut AuditTx<'_>,
    draw: &DrawRow,
    members: &[NewMember<'_>],
) -> Result<(), StoreError> {
    if members.is_empty() {
        return Ok(());
    }
    let now = db_time(tx.now());
    let values: Vec<_> = members
        .iter()
        .map(|m| {
            (
                panel_members::panel_id.eq(&draw.panel_id),
                panel_members::expert_id.eq(m.expert_id),
                panel_members::draw_id.eq(&draw.id),
                panel_members::pseudonym.eq(format!("P{}", m.number)),
                panel_members::group_index.eq(m.group),
                panel_members::position.eq(i32::try_from(m.position).unwrap_or(i32::MAX)),
                panel_members::drawn_as.eq(m.drawn_as),
                panel_members::state.eq(m.state),
                panel_members::seat.eq(m.seat),
                panel_members::tenderer.eq(&draw.tenderer),
                panel_members::window_start.eq(draw.window_start),
                panel_members::window_end.eq(draw.window_end),
                panel_members::updated_at.eq(now),
            )
        })
        .collect();
    crate::db::with_backend!(&mut *tx.conn, c => {
        diesel::insert_into(panel_members::table).values(&values).execute(c)
    })?;
    Ok(())
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename them"
)]
fn append_change(
    tx: &mut AuditTx<'_>,
    panel_id: &str,
    kind: &str,
    group: i32,
    out_id: Option<&str>,
    in_id: Option<&str>,
    source_draw: &str,
    reason: &str,
) -> Result<(), StoreError> {
    let n: i64 = panel_changes::table
        .filter(panel_changes::panel_id.eq(panel_id))
        .count()
        .get_result(tx.conn)?;
    diesel::insert_into(panel_changes::table)
        .values((
            panel_changes::panel_id.eq(panel_id),
            panel_changes::position.eq(i32::try_from(n).unwrap_or(i32::MAX)),
            panel_changes::kind.eq(kind),
            panel_changes::group_index.eq(group),
            panel_changes::out_id.eq(out_id),
            panel_changes::in_id.eq(in_id),
            panel_changes::source_draw.eq(source_draw),
            panel_changes::reason.eq(reason),
            panel_changes::at.eq(db_time(tx.now())),
        ))
        .execute(tx.conn)?;
    Ok(())
}

/// A new invitation's secret response token (shown only in the message).
fn new_response_token() -> Result<(String, Vec<u8>), StoreError> {
    use base64::Engine;
    let raw = crate::auth::random_bytes::<32>().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let token = format!(
        "r_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
    );
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    Ok((token, hash))
}

/// Beijing time for the invitation text.
fn beijing(t: DateTime<Utc>) -> String {
    (t + Duration::hours(8))
        .format("%Y年%m月%d日 %H:%M")
        .to_string()
}

/// Invite a member: a one-time response token, its hash stored, and the
/// message queued. The text names the time, venue and link only.
fn create_invitation(
    tx: &mut AuditTx<'_>,
    draw: &DrawRow,
    expert_id: &str,
    invite: &InviteSettings,
) -> Result<(), StoreError> {
    create_invitations(tx, draw, &[expert_id.to_owned()], invite)
}

/// Invite members, in order: for each a one-time response token (its hash
/// stored) and the message queued, with an `invitation.send` entry. The
/// experts' contacts are read in one query and the invitations, messages
/// and entries written in one statement each (the same rows and entries
/// as one invitation at a time).
fn create_invitations(
    tx: &mut AuditTx<'_>,
    draw: &DrawRow,
    expert_ids: &[String],
    invite: &InviteSettings,
) -> Result<(), StoreError> {
    if expert_ids.is_empty() {
        return Ok(());
    }
    let now = tx.now();
    let deadline = now + invite.answer_deadline;
    let contacts: BTreeMap<String, (String, String)> = experts::table
        .filter(experts::id.eq_any(expert_ids))
        .select((experts::id, experts::name, experts::mobile))
        .load::<(String, String, String)>(tx.conn)?
        .into_iter()
        .map(|(id, name, mobile)| (id, (name, mobile)))
        .collect();
    let mut invitations_rows = Vec::with_capacity(expert_ids.len());
    let mut messages = Vec::with_capacity(expert_ids.len());
    let mut entries = Vec::with_capacity(expert_ids.len());
    for expert_id in expert_ids {
        let id = format!(
            "I{}",
            hex::encode(
                crate::auth::random_bytes::<8>().map_err(|e| StoreError::Corrupt(e.to_string()))?
            )
        );
        let (token, hash) = new_response_token()?;
        let (name, mobile) = contacts
            .get(expert_id)
            .ok_or_else(|| StoreError::NotFound {
                what: "expert",
                id: expert_id.clone(),
            })?;
        // The console's answer page: the token travels in the fragment, so
        // it never reaches a request line or a proxy's log.
        let link = format!(
            "{}/console/#/respond/{token}",
            invite.public_base_url.trim_end_matches('/')
        );
        let text = format!(
            "【评标专家邀请】专家您好：您被抽取参加评标，时间：{}至{}（北京时间），地点：{}。请于{}前点击链接答复是否参加：{link}",
            beijing(draw.start()),
            beijing(draw.end()),
            draw.venue,
            beijing(deadline),
        );
        messages.push(super::outbox::NewMessage {
            channel: "invitation".into(),
            recipient_ref: id.clone(),
            payload: json!({
                "kind": "invitation",
                "to": {"name": name, "mobile": mobile},
                "text": text,
                "link": link,
                "deadline": time_text(deadline),
            }),
            idempotency_key: format!("invitation-{id}"),
        });
        entries.push(NewEntry {
            kind: "invitation.send".into(),
            actor: "system".into(),
            subject: Some(draw.panel_id.clone()),
            data: json!({"draw_id": draw.panel_id, "invitation_id": id, "expert_id": expert_id, "deadline": time_text(deadline)}),
        });
        invitations_rows.push((id, hash, expert_id.as_str()));
    }
    let values: Vec<_> = invitations_rows
        .iter()
        .map(|(id, hash, expert_id)| {
            (
                invitations::id.eq(id),
                invitations::token_hash.eq(hash),
                invitations::panel_id.eq(&draw.panel_id),
                invitations::expert_id.eq(*expert_id),
                invitations::created_at.eq(db_time(now)),
                invitations::deadline.eq(db_time(deadline)),
                invitations::conflict.eq(false),
                invitations::operator_entered.eq(false),
            )
        })
        .collect();
    crate::db::with_backend!(&mut *tx.conn, c => {
        diesel::insert_into(invitations::table).values(&values).execute(c)
    })?;
    super::outbox::enqueue_all(tx.conn, now, &messages)?;
    tx.append_all(entries)?;
    Ok(())
}

/// An invitation as found by its token.
#[derive(Debug, Clone, Queryable)]
pub struct InvitationRow {
    pub id: String,
    pub token_hash: Vec<u8>,
    pub panel_id: String,
    pub expert_id: String,
    pub created_at: NaiveDateTime,
    pub deadline: NaiveDateTime,
    pub answer: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
    pub conflict: bool,
    pub operator_entered: bool,
    pub evidence: Option<String>,
}

pub fn invitation_by_token(
    conn: &mut DbConn,
    token: &str,
) -> Result<Option<InvitationRow>, StoreError> {
    let hash = Sha256::digest(token.as_bytes()).to_vec();
    Ok(invitations::table
        .filter(invitations::token_hash.eq(hash))
        .first::<InvitationRow>(conn)
        .optional()?)
}

pub(crate) fn open_invitation(
    conn: &mut DbConn,
    panel_id: &str,
    expert_id: &str,
) -> Result<Option<InvitationRow>, StoreError> {
    Ok(invitations::table
        .filter(invitations::panel_id.eq(panel_id))
        .filter(invitations::expert_id.eq(expert_id))
        .filter(invitations::answer.is_null())
        .first::<InvitationRow>(conn)
        .optional()?)
}

pub fn member(conn: &mut DbConn, panel_id: &str, expert_id: &str) -> Result<MemberRow, StoreError> {
    panel_members::table
        .find((panel_id, expert_id))
        .first::<MemberRow>(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "member",
            id: "of this panel".into(),
        })
}

pub fn member_by_pseudonym(
    conn: &mut DbConn,
    panel_id: &str,
    pseudonym: &str,
) -> Result<MemberRow, StoreError> {
    panel_members::table
        .filter(panel_members::panel_id.eq(panel_id))
        .filter(panel_members::pseudonym.eq(pseudonym))
        .first::<MemberRow>(conn)
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "member",
            id: pseudonym.to_owned(),
        })
}

fn set_member_state(
    tx: &mut AuditTx<'_>,
    panel_id: &str,
    expert_id: &str,
    state: &str,
    seat: bool,
) -> Result<(), StoreError> {
    diesel::update(panel_members::table.find((panel_id, expert_id)))
        .set((
            panel_members::state.eq(state),
            panel_members::seat.eq(seat),
            panel_members::updated_at.eq(db_time(tx.now())),
        ))
        .execute(tx.conn)?;
    Ok(())
}

/// Accept an invitation.
pub fn accept(tx: &mut AuditTx<'_>, inv: &InvitationRow) -> Result<(), StoreError> {
    let now = tx.now();
    diesel::update(invitations::table.find(&inv.id))
        .set((
            invitations::answer.eq(Some("accept")),
            invitations::answered_at.eq(Some(db_time(now))),
        ))
        .execute(tx.conn)?;
    let m = member(tx.conn, &inv.panel_id, &inv.expert_id)?;
    set_member_state(tx, &inv.panel_id, &inv.expert_id, member::ACCEPTED, true)?;
    tx.append(
        "invitation.answer",
        "expert",
        Some(&inv.panel_id),
        json!({"draw_id": inv.panel_id, "invitation_id": inv.id, "pseudonym": m.pseudonym, "answer": "accept"}),
    )?;
    Ok(())
}

/// Why a member leaves the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    Declined,
    ConflictOfInterest,
    NoAnswer,
    ConflictAtSignIn,
    /// Seated on another panel with an overlapping window first (`store::bookings`).
    Booked,
}

impl Departure {
    pub fn as_str(self) -> &'static str {
        match self {
            Departure::Declined => "declined",
            Departure::ConflictOfInterest => "conflict_of_interest",
            Departure::NoAnswer => "no_answer",
            Departure::ConflictAtSignIn => "conflict_at_sign_in",
            Departure::Booked => "booked",
        }
    }

    fn member_state(self) -> &'static str {
        match self {
            Departure::Declined | Departure::ConflictOfInterest => member::DECLINED,
            Departure::NoAnswer => member::NO_ANSWER,
            Departure::ConflictAtSignIn | Departure::Booked => member::VOID,
        }
    }
}

/// Details of a departure as recorded.
#[derive(Debug, Clone)]
pub struct DepartureInfo {
    pub why: Departure,
    /// Free text (kept in `invitations`, never logged).
    pub reason: Option<String>,
    /// Set when an operator entered the answer (a phone call).
    pub evidence: Option<String>,
}

/// What happened after a departure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replacement {
    /// A reserve took the seat (its pseudonym).
    Reserve(String),
    /// No reserve qualified: a supplementary draw was committed.
    Supplementary(String),
}

/// A member leaves: the answer is recorded, the decline counted, the
/// replacement of SPEC §6 found with `expert_core::draw::Panel` and logged
/// as `draw.substitute`, and the replacement invited; when none qualifies a
/// supplementary draw is committed (to be revealed by the caller).
#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename them"
)]
pub fn depart(
    tx: &mut AuditTx<'_>,
    actor: &str,
    panel_id: &str,
    expert_id: &str,
    info: &DepartureInfo,
    cfg: &DrawPolicy,
    invite: &InviteSettings,
    signer: (&KeyRing, &str),
) -> Result<Replacement, StoreError> {
    let now = tx.now();
    let m = member(tx.conn, panel_id, expert_id)?;
    if !m.seat {
        return Err(StoreError::Conflict {
            rule: "not_seated",
            message: format!("member {} holds no seat on this panel", m.pseudonym),
        });
    }
    if let Some(inv) = open_invitation(tx.conn, panel_id, expert_id)? {
        let answer = match info.why {
            Departure::NoAnswer => "no_answer",
            Departure::ConflictAtSignIn | Departure::Booked => "cancelled",
            _ => "decline",
        };
        diesel::update(invitations::table.find(&inv.id))
            .set((
                invitations::answer.eq(Some(answer)),
                invitations::answered_at.eq(Some(db_time(now))),
                invitations::reason.eq(info.reason.clone()),
                invitations::conflict.eq(info.why == Departure::ConflictOfInterest),
                invitations::operator_entered.eq(info.evidence.is_some()),
                invitations::evidence.eq(info.evidence.clone()),
            ))
            .execute(tx.conn)?;
        // A closed invitation not yet sent is never sent (a member seated
        // elsewhere first must not be invited to this panel).
        super::outbox::cancel(tx.conn, &inv.id, now)?;
        if matches!(
            info.why,
            Departure::Declined | Departure::ConflictOfInterest | Departure::NoAnswer
        ) {
            diesel::insert_into(expert_declines::table)
                .values((
                    expert_declines::expert_id.eq(expert_id),
                    expert_declines::declined_at.eq(db_time(now)),
                    expert_declines::reference.eq(&inv.id),
                    expert_declines::reason.eq(info.why.as_str()),
                ))
                .execute(tx.conn)?;
        }
    }
    set_member_state(tx, panel_id, expert_id, info.why.member_state(), false)?;
    tx.append(
        "panel.depart",
        actor,
        Some(panel_id),
        json!({
            "draw_id": panel_id,
            "pseudonym": m.pseudonym,
            "reason": info.why.as_str(),
            "operator_entered": info.evidence.is_some(),
            "evidence": info.evidence,
        }),
    )?;
    let mut state = PanelState::load(tx.conn, panel_id)?;
    let group = usize::try_from(m.group_index).unwrap_or(usize::MAX);
    let reserves = state.reserves_for(&m.draw_id, group)?;
    let chosen = state
        .panel
        .substitute_among(group, expert_id, &reserves)
        .map_err(|e| StoreError::Corrupt(format!("substitution: {e}")))?;
    append_change(
        tx,
        panel_id,
        "substitute",
        m.group_index,
        Some(expert_id),
        chosen.as_deref(),
        &m.draw_id,
        info.why.as_str(),
    )?;
    tx.append(
        "draw.substitute",
        actor,
        Some(panel_id),
        json!({"draw_id": panel_id, "group": group, "out": expert_id, "in": chosen, "reason": info.why.as_str()}),
    )?;
    match chosen {
        Some(id) => {
            set_member_state(tx, panel_id, &id, member::INVITED, true)?;
            let root = get(tx.conn, panel_id)?;
            create_invitation(tx, &root, &id, invite)?;
            Ok(Replacement::Reserve(
                member(tx.conn, panel_id, &id)?.pseudonym,
            ))
        }
        None => {
            let supp = state
                .panel
                .supplementary(&state.root_statement, &state.root_result, group)
                .map_err(|e| StoreError::Corrupt(format!("supplementary: {e}")))?;
            let id = commit_supplementary(tx, actor, panel_id, group, &supp, cfg)?;
            sign_checkpoint(tx, signer)?;
            Ok(Replacement::Supplementary(id))
        }
    }
}

fn commit_supplementary(
    tx: &mut AuditTx<'_>,
    actor: &str,
    panel_id: &str,
    group: usize,
    supp: &SupplementaryDraw,
    cfg: &DrawPolicy,
) -> Result<String, StoreError> {
    let root = get(tx.conn, panel_id)?;
    let mut req: DrawRequest = serde_json::from_str(&root.request)
        .map_err(|e| StoreError::Corrupt(format!("draw {panel_id}: request: {e}")))?;
    req.panel = vec![crate::draws::request::GroupInput {
        specialty: supp.specialty.clone(),
        count: supp.count,
        reserve: cfg.supplementary_reserve,
    }];
    req.approval = None;
    req.parent = Some(panel_id.to_owned());
    let policy = EffectivePolicy {
        remote_weight: supp.policy.remote_weight,
        local_max: supp.policy.local_max,
        max_per_employer: supp.policy.max_per_employer,
        loosened: Vec::new(),
    };
    let mut ctx = filter_context(&req, cfg);
    ctx.excluded_ids = supp.excluded_ids.clone();
    // Nobody already named on this panel (any draw's reserves included).
    for m in members(tx.conn, panel_id)? {
        ctx.excluded_ids.insert(m.expert_id);
    }
    ctx.excluded_employers = supp.excluded_employers.clone();
    let placement = Placement {
        parent: Some(panel_id.to_owned()),
        supplementary: Some((
            panel_id.to_owned(),
            u32::try_from(group).unwrap_or(u32::MAX),
        )),
    };
    let pool = CandidatePool::read(tx.conn, &ctx)?;
    Ok(commit(tx, actor, &req, &policy, cfg, &ctx, &placement, pool)?.id)
}

/// Supplementary draws of a panel, oldest first.
pub fn list_panel_draws(conn: &mut DbConn, panel_id: &str) -> Result<Vec<String>, StoreError> {
    Ok(draws::table
        .filter(draws::panel_id.eq(panel_id))
        .filter(draws::parent_group.is_not_null())
        .order((draws::created_at.asc(), draws::id.asc()))
        .select(draws::id)
        .load(conn)?)
}

/// Committed supplementary draws waiting for their reveal.
pub fn pending_supplementary(conn: &mut DbConn) -> Result<Vec<String>, StoreError> {
    Ok(draws::table
        .filter(draws::state.eq(state::COMMITTED))
        .filter(draws::parent_group.is_not_null())
        .select(draws::id)
        .load(conn)?)
}

/// kind, group, out, in, source draw.
type ChangeRow = (String, i32, Option<String>, Option<String>, String);

/// The panel as `expert_core` sees it, rebuilt from the first draw and
/// the recorded changes.
pub struct PanelState {
    pub panel: Panel,
    pub root_statement: Arc<DrawStatement>,
    pub root_result: DrawResult,
    root_id: String,
    /// Supplementary draws by id.
    others: BTreeMap<String, (Arc<DrawStatement>, DrawResult)>,
}

impl std::fmt::Debug for PanelState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PanelState")
            .field("root", &self.root_id)
            .finish_non_exhaustive()
    }
}

impl PanelState {
    pub fn load(conn: &mut DbConn, panel_id: &str) -> Result<Self, StoreError> {
        let root = get(conn, panel_id)?;
        let root_statement = root.parsed_statement(conn)?;
        let root_result = root.parsed_result()?;
        let mut others = BTreeMap::new();
        let supps: Vec<DrawRow> = draws::table
            .filter(draws::panel_id.eq(panel_id))
            .filter(draws::parent_group.is_not_null())
            .filter(draws::result.is_not_null())
            .select(DrawRow::as_select())
            .load(conn)?;
        for d in supps {
            let s = d.parsed_statement(conn)?;
            let r = d.parsed_result()?;
            others.insert(d.id.clone(), (s, r));
        }
        let mut state = PanelState {
            panel: Panel::new(&root_statement, &root_result)
                .map_err(|e| StoreError::Corrupt(format!("panel {panel_id}: {e}")))?,
            root_statement,
            root_result,
            root_id: panel_id.to_owned(),
            others,
        };
        let changes: Vec<ChangeRow> = panel_changes::table
            .filter(panel_changes::panel_id.eq(panel_id))
            .order(panel_changes::position.asc())
            .select((
                panel_changes::kind,
                panel_changes::group_index,
                panel_changes::out_id,
                panel_changes::in_id,
                panel_changes::source_draw,
            ))
            .load(conn)?;
        for (kind, g, out_id, in_id, source) in changes {
            let g = usize::try_from(g).unwrap_or(usize::MAX);
            match (kind.as_str(), out_id, in_id) {
                ("substitute", Some(out), _) => {
                    let reserves = state.reserves_for(&source, g)?;
                    state
                        .panel
                        .substitute_among(g, &out, &reserves)
                        .map_err(|e| StoreError::Corrupt(format!("panel {panel_id}: {e}")))?;
                }
                ("join", _, Some(id)) => {
                    let (s, _) = state.others.get(&source).ok_or_else(|| {
                        StoreError::Corrupt(format!("panel {panel_id}: draw {source} missing"))
                    })?;
                    let m = Member::of(s, &id)
                        .map_err(|e| StoreError::Corrupt(format!("panel {panel_id}: {e}")))?;
                    state
                        .panel
                        .join(g, m)
                        .map_err(|e| StoreError::Corrupt(format!("panel {panel_id}: {e}")))?;
                }
                _ => {
                    return Err(StoreError::Corrupt(format!(
                        "panel {panel_id}: unknown change {kind}"
                    )));
                }
            }
        }
        Ok(state)
    }

    /// The reserve list that replaces a member drawn by `source` in `group`
    /// (a supplementary draw has one group, its own list).
    pub fn reserves_for(&self, source: &str, group: usize) -> Result<Vec<Member>, StoreError> {
        let out = if source == self.root_id {
            Panel::reserves_of(&self.root_statement, &self.root_result, group)
        } else {
            let (s, r) = self.others.get(source).ok_or_else(|| {
                StoreError::Corrupt(format!("draw {source} is not part of this panel"))
            })?;
            Panel::reserves_of(s, r, 0)
        };
        out.map_err(|e| StoreError::Corrupt(format!("reserves: {e}")))
    }
}

/// Mark a member signed in at the venue; when every seat of the panel is
/// signed in, the panel unseals (`panel.unseal`). Returns whether it did.
pub fn sign_in(
    tx: &mut AuditTx<'_>,
    actor: &str,
    panel_id: &str,
    pseudonym: &str,
) -> Result<bool, StoreError> {
    let m = member_by_pseudonym(tx.conn, panel_id, pseudonym)?;
    if !m.seat || !(m.state == member::INVITED || m.state == member::ACCEPTED) {
        return Err(StoreError::Conflict {
            rule: "not_seated",
            message: format!("member {pseudonym} is {} and cannot sign in", m.state),
        });
    }
    set_member_state(tx, panel_id, &m.expert_id, member::SIGNED_IN, true)?;
    if let Some(inv) = open_invitation(tx.conn, panel_id, &m.expert_id)? {
        diesel::update(invitations::table.find(&inv.id))
            .set((
                invitations::answer.eq(Some("accept")),
                invitations::answered_at.eq(Some(db_time(tx.now()))),
            ))
            .execute(tx.conn)?;
    }
    tx.append(
        "panel.sign_in",
        actor,
        Some(panel_id),
        json!({"draw_id": panel_id, "pseudonym": pseudonym}),
    )?;
    let root = get(tx.conn, panel_id)?;
    let statement = root.parsed_statement(tx.conn)?;
    let size: u64 = statement.panel().iter().map(|g| u64::from(g.count)).sum();
    let seated = members(tx.conn, panel_id)?
        .into_iter()
        .filter(|m| m.seat)
        .collect::<Vec<_>>();
    let all_in = seated.len() as u64 == size && seated.iter().all(|m| m.state == member::SIGNED_IN);
    if all_in && root.unsealed_at.is_none() {
        diesel::update(draws::table.find(panel_id))
            .set(draws::unsealed_at.eq(Some(db_time(tx.now()))))
            .execute(tx.conn)?;
        tx.append(
            "panel.unseal",
            actor,
            Some(panel_id),
            json!({"draw_id": panel_id, "members": seated.len(), "cause": "all_signed_in"}),
        )?;
    }
    Ok(all_in)
}

/// Log a read of sealed panel data.
pub fn log_view(
    tx: &mut AuditTx<'_>,
    actor: &str,
    panel_id: &str,
    what: &str,
) -> Result<(), StoreError> {
    tx.append(
        "panel.view",
        actor,
        Some(panel_id),
        json!({"draw_id": panel_id, "what": what}),
    )?;
    Ok(())
}

/// Invitations whose deadline passed without an answer.
pub fn expired_invitations(
    conn: &mut DbConn,
    now: DateTime<Utc>,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(invitations::table
        .filter(invitations::answer.is_null())
        .filter(invitations::deadline.le(db_time(now)))
        .select((invitations::panel_id, invitations::expert_id))
        .load(conn)?)
}

/// Names and masked phones of the experts, for an unsealed (or
/// supervisor's) panel view.
pub fn identities(
    conn: &mut DbConn,
    ids: &[String],
) -> Result<BTreeMap<String, (String, String)>, StoreError> {
    let rows: Vec<(String, String, String)> = experts::table
        .filter(experts::id.eq_any(ids))
        .select((experts::id, experts::name, experts::mobile))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, n, m)| (id, (n, m))).collect())
}

/// Mark the short parent of a redraw as superseded.
pub fn supersede(
    tx: &mut AuditTx<'_>,
    actor: &str,
    parent: &str,
    child: &str,
) -> Result<(), StoreError> {
    diesel::update(draws::table.find(parent))
        .set(draws::state.eq(state::SUPERSEDED))
        .execute(tx.conn)?;
    tx.append(
        "draw.supersede",
        actor,
        Some(parent),
        json!({"draw_id": parent, "by": child}),
    )?;
    Ok(())
}

/// What the flow needs besides a connection: the centre's draw policy,
/// invitation settings and the checkpoint signer.
#[derive(Clone)]
pub struct FlowContext {
    pub cfg: DrawPolicy,
    pub invite: InviteSettings,
    pub signer: std::sync::Arc<KeyRing>,
    pub origin: String,
}

impl std::fmt::Debug for FlowContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowContext")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// A departure in its own transaction; a supplementary draw it needed is
/// then revealed in a second one (empty beacon).
pub fn depart_and_fill(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    actor: &str,
    panel_id: &str,
    expert_id: &str,
    info: &DepartureInfo,
    flow: &FlowContext,
) -> Result<Replacement, StoreError> {
    let (replacement, mut pending) = super::audit::write(conn, now, |tx| {
        let r = depart(
            tx,
            actor,
            panel_id,
            expert_id,
            info,
            &flow.cfg,
            &flow.invite,
            (flow.signer.as_ref(), flow.origin.as_str()),
        )?;
        // A called-in reserve may have been seated elsewhere since its draw
        // (after a supplementary draw, its reveal releases clashes).
        let more = match r {
            Replacement::Reserve(_) => super::bookings::release_clashes(tx, actor, panel_id, flow)?,
            Replacement::Supplementary(_) => Vec::new(),
        };
        Ok::<_, StoreError>((r, more))
    })?;
    if let Replacement::Supplementary(id) = &replacement {
        pending.push(id.clone());
    }
    super::bookings::reveal_supplementary(conn, now, pending, flow)?;
    Ok(replacement)
}

/// Reveal a supplementary draw with an empty beacon; one the worker's sweep
/// (or a concurrent request) revealed first is left as it is.
fn reveal_supplementary(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    id: &str,
    flow: &FlowContext,
) -> Result<(), StoreError> {
    // Clashes with seats taken since its commit are released (`store::bookings`).
    super::bookings::reveal_supplementary(conn, now, vec![id.to_owned()], flow)
}

/// The periodic work: unanswered invitations past their deadline count as
/// declines, and supplementary draws left committed are revealed.
pub fn sweep(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    flow: &FlowContext,
) -> Result<usize, StoreError> {
    let mut done = 0;
    for (panel_id, expert_id) in expired_invitations(conn, now)? {
        let info = DepartureInfo {
            why: Departure::NoAnswer,
            reason: None,
            evidence: None,
        };
        match depart_and_fill(conn, now, "system", &panel_id, &expert_id, &info, flow) {
            Ok(_) => done += 1,
            Err(StoreError::Conflict { .. }) => {}
            // One stuck invitation must not stop the others.
            Err(e) => {
                tracing::error!(panel = %panel_id, error = %e, "expired invitation not processed")
            }
        }
    }
    for id in pending_supplementary(conn)? {
        reveal_supplementary(conn, now, &id, flow)?;
        done += 1;
    }
    Ok(done)
}

/// Panels, still sealed at `now`, whose members' ids appear in these log
/// leaves (`draw.reveal`, `draw.substitute`, `invitation.send`): reading
/// them is a read of sealed data, logged by the caller as `panel.view`.
pub fn sealed_panels_in(
    conn: &mut DbConn,
    leaves: &[String],
    now: DateTime<Utc>,
) -> Result<BTreeSet<String>, StoreError> {
    const NAMING: [&str; 3] = [
        "\"kind\":\"draw.reveal\"",
        "\"kind\":\"draw.substitute\"",
        "\"kind\":\"invitation.send\"",
    ];
    let mut draws_named = BTreeSet::new();
    for leaf in leaves {
        if !NAMING.iter().any(|k| leaf.contains(k)) {
            continue;
        }
        let v: Value = serde_json::from_str(leaf)
            .map_err(|e| StoreError::Corrupt(format!("log leaf: {e}")))?;
        if let Some(id) = v["data"]["draw_id"].as_str() {
            draws_named.insert(id.to_owned());
        }
    }
    let mut sealed = BTreeSet::new();
    for id in draws_named {
        let Some(d) = draws::table
            .find(&id)
            .select(DrawRow::as_select())
            .first::<DrawRow>(conn)
            .optional()?
        else {
            continue;
        };
        let root = if d.panel_id == d.id {
            d
        } else {
            get(conn, &d.panel_id)?
        };
        if root.sealed(now) {
            sealed.insert(root.id);
        }
    }
    Ok(sealed)
}

/// Where a member's latest invitation stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationStatus {
    pub deadline: DateTime<Utc>,
    pub answer: Option<String>,
    pub delivered: bool,
    pub attempts: u32,
}

/// The latest invitation of each member of a panel, by expert id.
pub fn invitation_statuses(
    conn: &mut DbConn,
    panel_id: &str,
) -> Result<BTreeMap<String, InvitationStatus>, StoreError> {
    use crate::db::schema::outbox;
    let rows: Vec<(String, String, NaiveDateTime, Option<String>, NaiveDateTime)> =
        invitations::table
            .filter(invitations::panel_id.eq(panel_id))
            .order(invitations::created_at.asc())
            .select((
                invitations::id,
                invitations::expert_id,
                invitations::deadline,
                invitations::answer,
                invitations::created_at,
            ))
            .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let sent: Vec<(String, Option<NaiveDateTime>, i32)> = outbox::table
        .filter(outbox::recipient_ref.eq_any(&ids))
        .select((
            outbox::recipient_ref,
            outbox::delivered_at,
            outbox::attempts,
        ))
        .load(conn)?;
    let sent: BTreeMap<String, (bool, u32)> = sent
        .into_iter()
        .map(|(r, d, a)| (r, (d.is_some(), u32::try_from(a).unwrap_or(0))))
        .collect();
    let mut out = BTreeMap::new();
    for (id, expert, deadline, answer, _) in rows {
        let (delivered, attempts) = sent.get(&id).copied().unwrap_or((false, 0));
        out.insert(
            expert,
            InvitationStatus {
                deadline: from_db_time(deadline),
                answer,
                delivered,
                attempts,
            },
        );
    }
    Ok(out)
}
