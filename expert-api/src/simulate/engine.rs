//! One year of draws under one policy, through the real draw code: each
//! draw's statement is written as canonical JSON, checked by
//! `validate_text`, hashed, seeded by SPEC §4 (`draw::seed`, a ChaCha20
//! stream) and drawn by `draw::select`; declines are replaced from the
//! reserves by `draw::Panel` (§6) or by a supplementary draw with the
//! parameters `Panel::supplementary` gives.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use expert_core::draw::{DrawResult, DrawStatement, Member, Panel, select, validate_text};
use expert_core::oversight::{DeclineRecord, DrawRecord, PanelChances, PeriodRecords, SeatRecord};
use sha2::{Digest, Sha256};

use super::province::{Dice, Province};

/// A draw policy as the simulation applies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimPolicy {
    pub name: String,
    /// Only experts of the project's region are candidates (a plain local
    /// draw); a short draw is then redrawn over the whole province.
    pub local_only: bool,
    pub remote_weight: u32,
    /// `None`: every seat may be local. `Some(d)`: at most `floor(n / d)`.
    pub local_max_divisor: Option<u32>,
    /// `None`: no cap per employer.
    pub max_per_employer: Option<u64>,
    /// `None`: every candidate has `recent` 0 (no damping).
    pub lookback_days: Option<u32>,
    pub max_seats_lookback: Option<u32>,
    pub max_seats_same_tenderer_12m: Option<u32>,
}

impl SimPolicy {
    /// What many centres do today: a uniform draw among the local experts
    /// of the specialty, nothing else.
    pub fn plain_local() -> Self {
        Self {
            name: "plain local".into(),
            local_only: true,
            remote_weight: 1,
            local_max_divisor: None,
            max_per_employer: None,
            lookback_days: None,
            max_seats_lookback: None,
            max_seats_same_tenderer_12m: None,
        }
    }

    /// This system's default `[draw]` policy (`config::DrawPolicy`).
    pub fn system_default() -> Self {
        Self {
            name: "expert-draw default".into(),
            local_only: false,
            remote_weight: 3,
            local_max_divisor: Some(3),
            max_per_employer: Some(1),
            lookback_days: Some(180),
            max_seats_lookback: Some(12),
            max_seats_same_tenderer_12m: Some(3),
        }
    }

    /// The looser policy of an approved redraw after a short draw: the
    /// whole province, no local cap and no seat caps.
    fn relaxed(&self) -> Self {
        Self {
            local_only: false,
            local_max_divisor: None,
            max_seats_lookback: None,
            max_seats_same_tenderer_12m: None,
            ..self.clone()
        }
    }
}

/// Seats held so far, for `recent`, the caps and bookings.
struct History {
    /// Per expert, the days of the seats held, ascending.
    days: Vec<Vec<NaiveDate>>,
    /// Per (expert, tenderer), the days of the seats held.
    with_tenderer: HashMap<(u32, usize), Vec<NaiveDate>>,
}

impl History {
    fn count_since(days: &[NaiveDate], since: NaiveDate) -> u32 {
        let at = days.partition_point(|d| *d < since);
        u32::try_from(days.len() - at).unwrap_or(u32::MAX)
    }

    fn booked(&self, e: u32, day: NaiveDate) -> bool {
        self.days
            .get(e as usize)
            .and_then(|d| d.last())
            .is_some_and(|d| *d == day)
    }

    /// `Some(recent)` for a candidate, `None` when a cap excludes them.
    fn assess(&self, e: u32, tenderer: usize, day: NaiveDate, policy: &SimPolicy) -> Option<u32> {
        let days = self.days.get(e as usize).map_or(&[][..], Vec::as_slice);
        let recent = policy.lookback_days.map_or(0, |n| {
            Self::count_since(days, day - Duration::days(i64::from(n)))
        });
        if policy.max_seats_lookback.is_some_and(|cap| recent >= cap) {
            return None;
        }
        if let Some(cap) = policy.max_seats_same_tenderer_12m {
            let held = self
                .with_tenderer
                .get(&(e, tenderer))
                .map_or(0, |d| Self::count_since(d, day - Duration::days(365)));
            if held >= cap {
                return None;
            }
        }
        Some(if policy.lookback_days.is_some() {
            recent
        } else {
            0
        })
    }

    fn seat(&mut self, e: u32, tenderer: usize, day: NaiveDate) {
        if let Some(d) = self.days.get_mut(e as usize) {
            d.push(day);
        }
        self.with_tenderer
            .entry((e, tenderer))
            .or_default()
            .push(day);
    }
}

/// A drawn statement with its result.
struct Drawn {
    id: String,
    statement: DrawStatement,
    result: DrawResult,
}

struct Run<'p> {
    province: &'p Province,
    policy: SimPolicy,
    history: History,
    dice: Dice,
    records: PeriodRecords,
    draw_count: u64,
}

/// Candidates of a project for some groups: matching, not booked that day,
/// not capped, and local when the policy says so; ascending id.
struct Pool {
    candidates: Vec<(u32, u32)>,
}

impl Run<'_> {
    fn pool(
        &self,
        groups: &[(String, u32)],
        tenderer: usize,
        region: &str,
        day: NaiveDate,
        policy: &SimPolicy,
        admits: &dyn Fn(&str, &str) -> bool,
    ) -> Pool {
        let mut ids: Vec<u32> = groups
            .iter()
            .flat_map(|(code, _)| {
                self.province
                    .matching
                    .get(code)
                    .map_or(&[][..], Vec::as_slice)
                    .iter()
                    .copied()
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let candidates = ids
            .into_iter()
            .filter_map(|e| {
                let x = self.province.experts.get(e as usize)?;
                if (policy.local_only && x.region != region)
                    || self.history.booked(e, day)
                    || !admits(&x.id, &x.employer)
                {
                    return None;
                }
                Some((e, self.history.assess(e, tenderer, day, policy)?))
            })
            .collect();
        Pool { candidates }
    }

    /// The statement's canonical JSON (RFC 8785: keys sorted, no spaces;
    /// every string here is ASCII without escapes and every number an
    /// integer, so this writing is the canonical one).
    #[expect(clippy::too_many_arguments, reason = "the statement's fields")]
    fn statement_text(
        &self,
        id: &str,
        project: &str,
        region: &str,
        tenderer: &str,
        groups: &[(String, u32, u32)],
        policy: (u32, u32, u64),
        pool: &Pool,
        parent: Option<&str>,
    ) -> String {
        let mut s = String::with_capacity(120 * pool.candidates.len() + 400);
        s.push_str("{\"candidates\":[");
        for (k, &(e, recent)) in pool.candidates.iter().enumerate() {
            let Some(x) = self.province.experts.get(e as usize) else {
                continue;
            };
            if k > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                "{{\"employer\":\"{}\",\"id\":\"{}\",\"recent\":{recent},\"region\":\"{}\",\"specialties\":[",
                x.employer, x.id, x.region
            );
            let mut codes: Vec<&str> = x.specialties.iter().map(String::as_str).collect();
            codes.sort_unstable();
            for (j, c) in codes.iter().enumerate() {
                if j > 0 {
                    s.push(',');
                }
                let _ = write!(s, "\"{c}\"");
            }
            s.push_str("]}");
        }
        let _ = write!(s, "],\"draw_id\":\"{id}\",\"panel\":[");
        for (j, (code, count, reserve)) in groups.iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            let _ = write!(
                s,
                "{{\"count\":{count},\"reserve\":{reserve},\"specialty\":\"{code}\"}}"
            );
        }
        s.push(']');
        if let Some(p) = parent {
            let _ = write!(s, ",\"parent\":\"{p}\"");
        }
        let (remote_weight, local_max, max_per_employer) = policy;
        let _ = write!(
            s,
            ",\"policy\":{{\"local_max\":{local_max},\"max_per_employer\":{max_per_employer},\"remote_weight\":{remote_weight}}},\"project\":{{\"id\":\"{project}\",\"region\":\"{region}\",\"tenderer\":\"{tenderer}\"}},\"spec\":\"expert-draw/1\"}}"
        );
        s
    }

    /// Commits and reveals one draw: canonical statement, SPEC §4 seed
    /// from its hash and a fresh nonce (empty beacon), §5 selection.
    fn draw(&mut self, text: String, id: String) -> anyhow::Result<Drawn> {
        let statement = validate_text(&text)
            .map_err(|e| anyhow::anyhow!("simulated statement {id}: {e}"))?
            .statement;
        let hash: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        let nonce = self.dice.bytes();
        let seed = expert_core::draw::seed(&hash, &nonce, "");
        let result = select(&statement, seed)?;
        Ok(Drawn {
            id,
            statement,
            result,
        })
    }

    fn next_id(&mut self) -> String {
        self.draw_count += 1;
        format!("D{:06}", self.draw_count)
    }

    /// Draws for `groups` under the run's policy (with `fixed` `local_max`
    /// and `max_per_employer` for a supplementary draw, as §6 gives them);
    /// if short, records the short draw and redraws under the relaxed
    /// policy as its child.
    fn draw_relaxing(
        &mut self,
        project: usize,
        groups: &[(String, u32)],
        reserve: u32,
        fixed: Option<(u32, u64)>,
        parent: Option<&str>,
        admits: &dyn Fn(&str, &str) -> bool,
    ) -> anyhow::Result<Drawn> {
        let province = self.province;
        let p = province
            .projects
            .get(project)
            .ok_or_else(|| anyhow::anyhow!("no project {project}"))?;
        let t = province
            .tenderers
            .get(p.tenderer)
            .ok_or_else(|| anyhow::anyhow!("no tenderer"))?;
        let seats: u32 = groups.iter().map(|g| g.1).sum();
        let mut policy = self.policy.clone();
        let mut parent = parent.map(str::to_owned);
        let mut relaxation = false;
        loop {
            let pool = self.pool(groups, p.tenderer, &t.region, p.date, &policy, admits);
            let computed = (
                policy.local_max_divisor.map_or(seats, |d| seats / d),
                policy.max_per_employer.unwrap_or(u64::from(seats)),
            );
            let (local_max, per_employer) = match fixed {
                Some((_, per_employer)) if relaxation => (seats, per_employer),
                Some(f) => f,
                None => computed,
            };
            let rules = (policy.remote_weight, local_max, per_employer);
            let with_reserve: Vec<(String, u32, u32)> = groups
                .iter()
                .map(|(c, n)| (c.clone(), *n, reserve))
                .collect();
            let id = self.next_id();
            let text = self.statement_text(
                &id,
                &p.id,
                &t.region,
                &t.id,
                &with_reserve,
                rules,
                &pool,
                parent.as_deref(),
            );
            let drawn = self.draw(text, id)?;
            let missing: u32 = drawn.result.shortfall(drawn.statement.panel()).iter().sum();
            self.records.draws.push(DrawRecord {
                id: drawn.id.clone(),
                date: p.date,
                project_region: t.region.clone(),
                shortfall: missing,
                parent: parent.clone(),
                relaxation,
                abandoned: false,
            });
            if missing == 0 || relaxation {
                return Ok(drawn);
            }
            policy = policy.relaxed();
            relaxation = true;
            parent = Some(drawn.id);
        }
    }

    /// One project: draw, invite, replace who declines, seat the panel.
    fn project(&mut self, index: usize) -> anyhow::Result<()> {
        let province = self.province;
        let Some(p) = province.projects.get(index) else {
            return Ok(());
        };
        let Some(t) = province.tenderers.get(p.tenderer) else {
            return Ok(());
        };
        if p.cancelled {
            let id = self.next_id();
            self.records.draws.push(DrawRecord {
                id,
                date: p.date,
                project_region: t.region.clone(),
                shortfall: 0,
                parent: None,
                relaxation: false,
                abandoned: true,
            });
            return Ok(());
        }
        let all = |_: &str, _: &str| true;
        let first = self.draw_relaxing(index, &p.groups, 3, None, None, &all)?;
        self.records
            .chances
            .push(PanelChances::of(first.id.clone(), &first.statement));
        let mut panel = Panel::new(&first.statement, &first.result)?;
        // Who drew each current member: the first draw or a supplementary.
        let mut supplementary: Vec<Drawn> = Vec::new();
        let mut drawn_by: HashMap<String, Option<usize>> = HashMap::new();
        let mut queue: Vec<(usize, String)> = Vec::new();
        for (g, ids) in first.result.primaries.iter().enumerate() {
            for id in ids {
                drawn_by.insert(id.clone(), None);
                queue.push((g, id.clone()));
            }
        }
        let mut attempts = 0u32;
        while let Some((g, id)) = queue.pop() {
            attempts += 1;
            let Some(e) = expert_index(&id) else { continue };
            let Some(x) = province.experts.get(e as usize) else {
                continue;
            };
            let travel = if x.region == t.region { 0 } else { 60 };
            if !self.dice.chance(x.decline_per_mille + travel) || attempts > 60 {
                continue;
            }
            let reason = match self.dice.below(100) {
                0..65 => "declined",
                65..90 => "no_answer",
                _ => "conflict_of_interest",
            };
            self.records.declines.push(DeclineRecord {
                expert: id.clone(),
                reason: reason.to_owned(),
                date: p.date,
            });
            let source = drawn_by.get(&id).copied().flatten();
            let reserves = match source.and_then(|k| supplementary.get(k)) {
                None => Panel::reserves_of(&first.statement, &first.result, g)?,
                Some(s) => Panel::reserves_of(&s.statement, &s.result, 0)?,
            };
            if let Some(next) = panel.substitute_among(g, &id, &reserves)? {
                drawn_by.insert(next.clone(), source);
                queue.push((g, next));
                continue;
            }
            // No reserve qualifies: a supplementary draw of one seat.
            let sup = panel.supplementary(&first.statement, &first.result, g)?;
            let admits = |id: &str, employer: &str| sup.admits(id, employer);
            let drawn = self.draw_relaxing(
                index,
                &[(sup.specialty.clone(), 1)],
                2,
                Some((sup.policy.local_max, sup.policy.max_per_employer)),
                Some(&first.id),
                &admits,
            )?;
            if let Some(pick) = drawn.result.primaries.first().and_then(|l| l.first()) {
                panel.join(g, Member::of(&drawn.statement, pick)?)?;
                drawn_by.insert(pick.clone(), Some(supplementary.len()));
                queue.push((g, pick.clone()));
            }
            supplementary.push(drawn);
        }
        for member in panel.groups().iter().flatten() {
            let Some(e) = expert_index(&member.id) else {
                continue;
            };
            let Some(x) = province.experts.get(e as usize) else {
                continue;
            };
            self.history.seat(e, p.tenderer, p.date);
            self.records.seats.push(SeatRecord {
                expert: x.id.clone(),
                expert_region: x.region.clone(),
                employer: x.employer.clone(),
                project_region: t.region.clone(),
                tenderer: t.id.clone(),
                panel: first.id.clone(),
                date: p.date,
            });
        }
        Ok(())
    }
}

/// `E01234` → 1234.
fn expert_index(id: &str) -> Option<u32> {
    id.strip_prefix('E')?.parse().ok()
}

/// The year of `province` under `policy`: every draw, seat and decline.
/// `seed` makes the nonces and the declines; the same seed gives the same
/// records.
pub fn run(province: &Province, policy: SimPolicy, seed: u64) -> anyhow::Result<PeriodRecords> {
    let mut run = Run {
        province,
        policy,
        history: History {
            days: vec![Vec::new(); province.experts.len()],
            with_tenderer: HashMap::new(),
        },
        dice: Dice::new(seed, 2),
        records: PeriodRecords {
            pool_size: u32::try_from(province.experts.len()).ok(),
            ..PeriodRecords::default()
        },
        draw_count: 0,
    };
    for i in 0..province.projects.len() {
        run.project(i)?;
    }
    Ok(run.records)
}
