//! A synthetic but valid log export for the verifier bench: a 1,000-expert
//! pool whose lifecycle fills most entries, and every `DRAW_EVERY` entries a
//! draw (commit, reveal with a statement of the whole active pool, the
//! invitations and answers, sometimes a decline replaced by SPEC §6, the
//! sign-ins). Seeds and results come from expert-core, so the replay
//! passes; one draw in `ABANDON_EVERY` is committed and never revealed.
//! Entry shapes follow what the service logs.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use draw_audit::checkpoint::Checkpoint;
use draw_audit::entry::Entry;
use draw_audit::jcs;
use draw_audit::merkle::{CompactRange, leaf_hash};
use draw_audit::note::NoteSigner;
use draw_audit::sha256;
use ed25519_dalek::SigningKey;
use expert_core::draw::{Panel, nonce_commitment, seed, select, validate};
use serde_json::{Value, json};

use super::support::Gen;

pub const POOL: usize = 1_000;
/// One draw cycle starts every this many entries.
pub const DRAW_EVERY: u64 = 200;
pub const ABANDON_EVERY: u64 = 50;
/// One draw in this many has a primary who declines.
pub const DECLINE_EVERY: u64 = 4;
pub const ORIGIN: &str = "bench.expert-draw.local/log";

const LOCAL: &str = "420100";
const REGIONS: [&str; 6] = ["420200", "420500", "420600", "420700", "420900", "421000"];
const EMPLOYERS: u64 = 300;

#[derive(Debug, Clone)]
struct Expert {
    id: String,
    region: &'static str,
    employer: String,
    specialties: Vec<&'static str>,
    recent: u32,
    active: bool,
}

/// What was written.
#[derive(Debug)]
pub struct Generated {
    pub entries: u64,
    pub bytes: u64,
    pub draws: u64,
    pub substitutions: u64,
    pub abandoned: u64,
}

struct Writer {
    out: BufWriter<File>,
    tree: CompactRange,
    start: DateTime<Utc>,
    bytes: u64,
}

impl Writer {
    fn append(
        &mut self,
        kind: &str,
        actor: &str,
        data: Value,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let seq = self.tree.size();
        let time = self.start + Duration::seconds(i64::try_from(seq)? * 20);
        let leaf = Entry::new(seq, time, kind, actor, data).leaf_bytes()?;
        self.tree.append(leaf_hash(&leaf))?;
        self.out.write_all(&leaf)?;
        self.out.write_all(b"\n")?;
        self.bytes += leaf.len() as u64 + 1;
        Ok(())
    }

    fn size(&self) -> u64 {
        self.tree.size()
    }
}

fn pool(g: &mut Gen) -> Vec<Expert> {
    (1..=POOL)
        .map(|i| {
            let region = if g.next().is_multiple_of(2) {
                LOCAL
            } else {
                REGIONS[(g.next() % REGIONS.len() as u64) as usize]
            };
            let main =
                ["ENA0101", "ENA0102", "ENA0201", "ENB0101", "ENB0102"][(g.next() % 5) as usize];
            let mut specialties = vec![main];
            if g.next().is_multiple_of(3) {
                specialties.push("ENC0301");
            }
            Expert {
                id: format!("E{i:06}"),
                region,
                employer: format!("91420100MA4K{:05}X", g.next() % EMPLOYERS),
                specialties,
                recent: (g.next() % 4) as u32,
                active: true,
            }
        })
        .collect()
}

fn hex32(g: &mut Gen) -> [u8; 32] {
    let mut b = [0u8; 32];
    for chunk in b.chunks_mut(8) {
        chunk.copy_from_slice(&g.next().to_le_bytes());
    }
    b
}

/// The signing key of the bench log (fixed, so runs are comparable).
pub fn signer() -> Result<NoteSigner, Box<dyn std::error::Error>> {
    Ok(NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[7u8; 32]))?)
}

/// Writes `entries` entries to `export` and the checkpoint of the whole log
/// to `checkpoint`.
pub fn generate(
    entries: u64,
    export: &Path,
    checkpoint: &Path,
) -> Result<Generated, Box<dyn std::error::Error>> {
    let mut g = Gen(4242);
    let mut experts = pool(&mut g);
    let mut w = Writer {
        out: BufWriter::with_capacity(1 << 20, File::create(export)?),
        tree: CompactRange::new(),
        start: DateTime::parse_from_rfc3339("2026-01-05T01:00:00Z")?.with_timezone(&Utc),
        bytes: 0,
    };
    let mut sum = Generated {
        entries: 0,
        bytes: 0,
        draws: 0,
        substitutions: 0,
        abandoned: 0,
    };
    for e in &experts {
        if w.size() >= entries {
            break;
        }
        w.append(
            "expert.apply",
            "admin",
            json!({"expert_id": e.id, "region": e.region, "employer_code": e.employer,
                   "specialties": e.specialties, "title": "senior", "years_in_field": 12,
                   "civil_servant": false, "term_number": 1}),
        )?;
    }
    let mut draw_no = 0u64;
    while w.size() < entries {
        if w.size().is_multiple_of(DRAW_EVERY) && w.size() + 40 < entries {
            draw_no += 1;
            draw_cycle(&mut w, &mut g, &mut experts, draw_no, &mut sum)?;
        } else {
            expert_change(&mut w, &mut g, &mut experts)?;
        }
    }
    w.out.flush()?;
    let root = w.tree.root();
    let note = Checkpoint::new(ORIGIN, w.size(), root).sign(&[&signer()?])?;
    std::fs::write(checkpoint, note)?;
    sum.entries = w.size();
    sum.bytes = w.bytes;
    Ok(sum)
}

/// One lifecycle entry of a random expert, the shapes the service logs.
fn expert_change(
    w: &mut Writer,
    g: &mut Gen,
    experts: &mut [Expert],
) -> Result<(), Box<dyn std::error::Error>> {
    let k = (g.next() % experts.len() as u64) as usize;
    let Some(e) = experts.get_mut(k) else {
        return Ok(());
    };
    let id = e.id.clone();
    match g.next() % 10 {
        0..=3 => w.append(
            "expert.update_contact",
            "operator:420100",
            json!({"expert_id": id, "fields": ["mobile"], "region": e.region}),
        ),
        4 | 5 => {
            let (from, to, kind) = if e.active {
                ("active", "suspended", "expert.suspend")
            } else {
                ("suspended", "active", "expert.reinstate")
            };
            e.active = !e.active;
            w.append(
                kind,
                "admin",
                json!({"expert_id": id, "from": from, "to": to,
                       "command": {"kind": kind.trim_start_matches("expert."), "reason": "考评结果"}}),
            )
        }
        6 => {
            e.employer = format!("91420100MA4K{:05}X", g.next() % EMPLOYERS);
            w.append(
                "expert.change_employer",
                "admin",
                json!({"expert_id": id, "employer_code": e.employer, "since": "2026-01-01"}),
            )
        }
        7 => w.append(
            "expert.approve",
            "admin",
            json!({"expert_id": id, "from": "applicant", "to": "active",
                   "command": {"kind": "approve"}, "note": {"detail": "admitted"}}),
        ),
        _ => w.append(
            "panel.view",
            "supervisor:420100",
            json!({"draw_id": format!("D-2026-{:06}", g.next() % 1000), "what": "log_entries"}),
        ),
    }
}

/// The statement of draw number `n` over the active pool.
fn statement(n: u64, g: &mut Gen, experts: &[Expert]) -> Value {
    let active: Vec<&Expert> = experts.iter().filter(|e| e.active).collect();
    let candidates: Vec<Value> = active
        .iter()
        .map(|e| {
            json!({"id": e.id, "region": e.region, "employer": e.employer,
                   "specialties": e.specialties, "recent": e.recent})
        })
        .collect();
    json!({
        "spec": "expert-draw/1",
        "draw_id": format!("D-2026-{n:06}"),
        "project": {"id": format!("P-{n:06}"), "region": LOCAL,
                    "tenderer": format!("91420100MA4K{:05}X", g.next() % EMPLOYERS),
                    "bid_section": "1"},
        "panel": [{"specialty": "ENA", "count": 5, "reserve": 3},
                  {"specialty": "ENB", "count": 2, "reserve": 2}],
        "policy": {"remote_weight": 3, "local_max": 3, "max_per_employer": 1},
        "candidates": candidates,
        "evaluation": {"start": "2026-03-02T01:00:00Z", "end": "2026-03-02T09:00:00Z",
                       "venue": "市公共资源交易中心"},
        "excluded": {"not_active": experts.len() - active.len(), "conflict_of_interest": 2},
        "requested_at": "2026-03-01T01:00:00Z",
        "rules": {"seats_lookback_days": 365},
    })
}

fn draw_cycle(
    w: &mut Writer,
    g: &mut Gen,
    experts: &mut [Expert],
    n: u64,
    sum: &mut Generated,
) -> Result<(), Box<dyn std::error::Error>> {
    let st_value = statement(n, g, experts);
    let draw_id = format!("D-2026-{n:06}");
    let hash = sha256(&jcs::canonical(&st_value)?);
    let nonce = hex32(g);
    w.append(
        "draw.commit",
        "operator:420100",
        json!({"draw_id": draw_id, "statement_hash": hex::encode(hash),
               "nonce_commitment": hex::encode(nonce_commitment(&nonce))}),
    )?;
    if n.is_multiple_of(ABANDON_EVERY) {
        sum.abandoned += 1;
        return Ok(());
    }
    let st = validate(&st_value)?;
    let beacon = format!(
        "{} {} {} {} {}",
        g.next() % 50,
        g.next() % 50,
        g.next() % 50,
        g.next() % 50,
        g.next() % 50
    );
    let s = seed(&hash, &nonce, &beacon);
    let result = select(&st, s)?;
    w.append(
        "draw.reveal",
        "operator:420100",
        json!({"draw_id": draw_id, "statement": st_value, "nonce": hex::encode(nonce),
               "beacon": beacon, "seed": hex::encode(s), "result": result}),
    )?;
    sum.draws += 1;
    let mut panel = Panel::new(&st, &result)?;
    let mut invited = 0;
    for (group, ids) in result.primaries.iter().enumerate() {
        for id in ids {
            invited += 1;
            let pseudonym = format!("P{invited}");
            w.append(
                "invitation.send",
                "system",
                json!({"draw_id": draw_id, "invitation_id": format!("I-{n}-{invited}"),
                       "expert_id": id, "deadline": "2026-03-01T13:00:00Z"}),
            )?;
            let declines = invited == 1 && n.is_multiple_of(DECLINE_EVERY);
            let answer = if declines { "decline" } else { "accept" };
            w.append(
                "invitation.answer",
                "expert",
                json!({"draw_id": draw_id, "invitation_id": format!("I-{n}-{invited}"),
                       "pseudonym": pseudonym, "answer": answer}),
            )?;
            if declines {
                w.append(
                    "panel.depart",
                    "expert",
                    json!({"draw_id": draw_id, "pseudonym": pseudonym, "reason": "declined"}),
                )?;
                let replacement = panel.substitute(&st, &result, group, id)?;
                w.append(
                    "draw.substitute",
                    "system",
                    json!({"draw_id": draw_id, "group": group, "out": id, "in": replacement,
                           "reason": "declined"}),
                )?;
                sum.substitutions += 1;
            }
        }
    }
    for member in panel.groups().iter().flatten() {
        if let Some(e) = experts.iter_mut().find(|e| e.id == member.id) {
            e.recent = (e.recent + 1).min(8);
        }
        w.append(
            "panel.sign_in",
            "operator:420100",
            json!({"draw_id": draw_id, "expert_id": member.id}),
        )?;
    }
    w.append("panel.unseal", "system", json!({"draw_id": draw_id}))?;
    Ok(())
}
