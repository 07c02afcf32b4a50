//! The hard filters of a draw: who in the live pool may be a candidate for
//! an evaluation window, and if not, the one reason counted in the
//! statement's `"excluded"`.
//!
//! Decision: an expert matching none of the panel's specialties is counted
//! as `no_matching_specialty` and left out, so the statement stays small
//! and the counts still add up to the whole registry.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Months, NaiveDate, Utc};

/// Why an expert is not a candidate, in the order the filters run; the
/// first that applies is the one counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exclusion {
    /// Not in the pool or the term does not cover the evaluation.
    NotActive,
    /// On a leave overlapping the evaluation.
    OnLeave,
    NoMatchingSpecialty,
    /// Employed now or in the last 3 years by the tenderer or an avoided
    /// organisation.
    ConflictOfInterest,
    /// Named in the request's avoidance list.
    AvoidedByName,
    /// Already on a panel whose evaluation overlaps this one.
    Booked,
    /// Already holds the cap of seats for this tenderer in 12 months.
    SameTenderer12m,
    /// Already holds the cap of seats in the look-back window.
    SeatsLookback,
    /// A supplementary draw: named in an earlier draw of the panel.
    EarlierDraw,
    /// A supplementary draw: the employer is at its cap on the panel.
    EmployerFull,
}

impl Exclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::NotActive => "not_active",
            Exclusion::OnLeave => "on_leave",
            Exclusion::NoMatchingSpecialty => "no_matching_specialty",
            Exclusion::ConflictOfInterest => "conflict_of_interest",
            Exclusion::AvoidedByName => "avoided_by_name",
            Exclusion::Booked => "booked",
            Exclusion::SameTenderer12m => "same_tenderer_12m",
            Exclusion::SeatsLookback => "seats_lookback",
            Exclusion::EarlierDraw => "earlier_draw",
            Exclusion::EmployerFull => "employer_full",
        }
    }
}

/// A seat an expert holds or held: a primary or a called-in reserve of a
/// draw that is not void.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub tenderer: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What the filters read about one expert.
#[derive(Debug, Clone)]
pub struct ExpertFacts {
    pub id: String,
    pub region: String,
    pub employer: String,
    pub specialties: Vec<String>,
    /// The term `[start, end)` of an expert who is active or on leave;
    /// `None` for every other status (applicant, suspended, retired, …).
    pub term: Option<(NaiveDate, NaiveDate)>,
    /// The leave `[from, to]` (both days included) of an expert whose
    /// status is on leave.
    pub status_leave: Option<(NaiveDate, NaiveDate)>,
    /// Recorded leaves `[from, to]` (both days included).
    pub leaves: Vec<(NaiveDate, NaiveDate)>,
    /// Employments: employer code, from, to (`None`: still employed).
    pub employments: Vec<(String, NaiveDate, Option<NaiveDate>)>,
    pub seats: Vec<Seat>,
}

/// The request's side of the filters.
#[derive(Debug, Clone)]
pub struct FilterContext {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub tenderer: String,
    /// The tenderer, bidders and agency.
    pub avoided_organisations: BTreeSet<String>,
    pub avoided_experts: BTreeSet<String>,
    pub group_specialties: Vec<String>,
    pub lookback_days: u32,
    pub max_seats_lookback: Option<u32>,
    pub max_seats_same_tenderer_12m: Option<u32>,
    /// Supplementary draws only (SPEC §6).
    pub excluded_ids: BTreeSet<String>,
    pub excluded_employers: BTreeSet<String>,
}

/// Leave and term dates are calendar days in China (UTC+8).
pub fn china_date(t: DateTime<Utc>) -> NaiveDate {
    (t + Duration::hours(8)).date_naive()
}

/// Whether a leave `[from, to]` (both days included) touches a China day of
/// the evaluation.
pub fn leave_overlaps(from: NaiveDate, to: NaiveDate, ctx: &FilterContext) -> bool {
    from <= china_date(ctx.end) && to >= china_date(ctx.start)
}

/// `Ok(recent)` for a candidate, else the first reason that excludes them.
pub fn assess(f: &ExpertFacts, ctx: &FilterContext) -> Result<u32, Exclusion> {
    assess_in(f, ctx, &Window::of(ctx), Specialties::Check)
}

/// The dates every expert of a pool is compared with, worked out once per
/// pool rather than once per expert.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    first_day: NaiveDate,
    last_day: NaiveDate,
    /// Employments ended before this day are too old to conflict.
    since: NaiveDate,
    year_ago: DateTime<Utc>,
    lookback: DateTime<Utc>,
}

impl Window {
    pub fn of(ctx: &FilterContext) -> Window {
        let first_day = china_date(ctx.start);
        Window {
            first_day,
            last_day: china_date(ctx.end),
            since: first_day
                .checked_sub_months(Months::new(36))
                .unwrap_or(first_day),
            year_ago: ctx.start - Duration::days(365),
            lookback: ctx.start - Duration::days(i64::from(ctx.lookback_days)),
        }
    }

    /// Whether a term `[start, end)` covers every China day of the
    /// evaluation (`Term::contains` of its first and last day).
    pub fn covers(&self, term: Option<(NaiveDate, NaiveDate)>) -> bool {
        term.is_some_and(|(start, end)| {
            start <= self.first_day
                && self.first_day < end
                && start <= self.last_day
                && self.last_day < end
        })
    }
}

/// Whether [`assess_in`] checks that the expert holds a requested
/// specialty, or the caller found them by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Specialties {
    Check,
    /// Found under a group's specialty code (the draw facts' index): a
    /// match by construction.
    Matched,
}

/// [`assess`] with the window's dates at hand.
pub fn assess_in(
    f: &ExpertFacts,
    ctx: &FilterContext,
    w: &Window,
    specialties: Specialties,
) -> Result<u32, Exclusion> {
    if !w.covers(f.term) {
        return Err(Exclusion::NotActive);
    }
    let overlaps = |(from, to): (NaiveDate, NaiveDate)| from <= w.last_day && to >= w.first_day;
    if f.status_leave.is_some_and(overlaps) || f.leaves.iter().copied().any(overlaps) {
        return Err(Exclusion::OnLeave);
    }
    if specialties == Specialties::Check {
        let matches = ctx
            .group_specialties
            .iter()
            .any(|g| f.specialties.iter().any(|s| s.starts_with(g.as_str())));
        if !matches {
            return Err(Exclusion::NoMatchingSpecialty);
        }
    }
    // The dates first: most past employments are too old to look up.
    let conflict = ctx.avoided_organisations.contains(&f.employer)
        || f.employments.iter().any(|(code, from, to)| {
            *from <= w.first_day
                && to.is_none_or(|t| t >= w.since)
                && ctx.avoided_organisations.contains(code)
        });
    if conflict {
        return Err(Exclusion::ConflictOfInterest);
    }
    if !ctx.avoided_experts.is_empty() && ctx.avoided_experts.contains(&f.id) {
        return Err(Exclusion::AvoidedByName);
    }
    if f.seats
        .iter()
        .any(|s| s.start < ctx.end && s.end > ctx.start)
    {
        return Err(Exclusion::Booked);
    }
    if let Some(cap) = ctx.max_seats_same_tenderer_12m {
        let same_tenderer = f
            .seats
            .iter()
            .filter(|s| s.start >= w.year_ago && s.start < ctx.start && s.tenderer == ctx.tenderer)
            .count();
        if same_tenderer >= cap as usize {
            return Err(Exclusion::SameTenderer12m);
        }
    }
    let recent = f
        .seats
        .iter()
        .filter(|s| s.start >= w.lookback && s.start < ctx.start)
        .count();
    if ctx
        .max_seats_lookback
        .is_some_and(|cap| recent >= cap as usize)
    {
        return Err(Exclusion::SeatsLookback);
    }
    if !ctx.excluded_ids.is_empty() && ctx.excluded_ids.contains(&f.id) {
        return Err(Exclusion::EarlierDraw);
    }
    if !ctx.excluded_employers.is_empty() && ctx.excluded_employers.contains(&f.employer) {
        return Err(Exclusion::EmployerFull);
    }
    Ok(u32::try_from(recent).unwrap_or(u32::MAX).min(1_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn term() -> Option<(NaiveDate, NaiveDate)> {
        Some((d(2025, 1, 1), d(2029, 1, 1)))
    }

    fn facts() -> ExpertFacts {
        ExpertFacts {
            id: "E0000001".into(),
            region: "420100".into(),
            employer: "EMP-A".into(),
            specialties: vec!["A0801".into()],
            term: term(),
            status_leave: None,
            leaves: vec![],
            employments: vec![("EMP-A".into(), d(2020, 1, 1), None)],
            seats: vec![],
        }
    }

    fn ctx() -> FilterContext {
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap();
        FilterContext {
            start,
            end: start + Duration::hours(8),
            tenderer: "TENDERER".into(),
            avoided_organisations: ["TENDERER".to_owned(), "BIDDER".to_owned()].into(),
            avoided_experts: BTreeSet::new(),
            group_specialties: vec!["A08".into()],
            lookback_days: 180,
            max_seats_lookback: Some(2),
            max_seats_same_tenderer_12m: Some(1),
            excluded_ids: BTreeSet::new(),
            excluded_employers: BTreeSet::new(),
        }
    }

    fn seat(tenderer: &str, day: u32, month: u32) -> Seat {
        let start = Utc.with_ymd_and_hms(2026, month, day, 1, 0, 0).unwrap();
        Seat {
            tenderer: tenderer.into(),
            start,
            end: start + Duration::hours(8),
        }
    }

    #[test]
    fn eligible_with_recent() {
        let mut f = facts();
        f.seats = vec![seat("X", 1, 10), seat("X", 1, 1)];
        assert_eq!(assess(&f, &ctx()), Ok(1));
    }

    #[test]
    fn each_reason() {
        let c = ctx();
        let mut f = facts();
        f.term = None;
        assert_eq!(assess(&f, &c), Err(Exclusion::NotActive));
        // A term ending on the evaluation's day does not cover it.
        f.term = Some((d(2025, 1, 1), d(2026, 12, 1)));
        assert_eq!(assess(&f, &c), Err(Exclusion::NotActive));

        let mut f = facts();
        f.leaves = vec![(d(2026, 11, 30), d(2026, 12, 1))];
        assert_eq!(assess(&f, &c), Err(Exclusion::OnLeave));
        // A leave that ended the day before is fine.
        f.leaves = vec![(d(2026, 11, 20), d(2026, 11, 30))];
        assert!(assess(&f, &c).is_ok());
        f.status_leave = Some((d(2026, 12, 1), d(2026, 12, 3)));
        assert_eq!(assess(&f, &c), Err(Exclusion::OnLeave));

        let mut f = facts();
        f.specialties = vec!["C12".into()];
        assert_eq!(assess(&f, &c), Err(Exclusion::NoMatchingSpecialty));

        // Left the bidder 2 years ago: still a conflict; 4 years ago: not.
        let mut f = facts();
        f.employments
            .push(("BIDDER".into(), d(2010, 1, 1), Some(d(2024, 12, 1))));
        assert_eq!(assess(&f, &c), Err(Exclusion::ConflictOfInterest));
        f.employments = vec![("BIDDER".into(), d(2010, 1, 1), Some(d(2022, 12, 1)))];
        assert!(assess(&f, &c).is_ok());

        let mut c2 = ctx();
        c2.avoided_experts.insert("E0000001".into());
        assert_eq!(assess(&facts(), &c2), Err(Exclusion::AvoidedByName));

        // Same day, outside the window: fine; overlapping: booked.
        let mut f = facts();
        let mut s = seat("X", 1, 12);
        s.start = c.end;
        s.end = c.end + Duration::hours(2);
        f.seats = vec![s];
        assert!(assess(&f, &c).is_ok());
        f.seats = vec![Seat {
            tenderer: "X".into(),
            start: c.start + Duration::hours(7),
            end: c.end + Duration::hours(1),
        }];
        assert_eq!(assess(&f, &c), Err(Exclusion::Booked));

        let mut f = facts();
        f.seats = vec![seat("TENDERER", 1, 3)];
        assert_eq!(assess(&f, &c), Err(Exclusion::SameTenderer12m));

        let mut f = facts();
        f.seats = vec![seat("X", 1, 10), seat("Y", 1, 11)];
        assert_eq!(assess(&f, &c), Err(Exclusion::SeatsLookback));
    }
}
