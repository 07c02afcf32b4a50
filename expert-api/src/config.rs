//! Settings: command-line flags and environment variables for where things
//! are, and one optional TOML file for the trading centre's policies.

use std::path::{Path, PathBuf};

use expert_core::admission::AdmissionPolicy;
use expert_core::discipline::{
    AssessmentConfig, Baseline, DisciplinePolicy, SignalPolicy, WorkCalendar,
};
use serde::Deserialize;

pub const DEFAULT_DB: &str = "sqlite://./data/expert-draw.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_KEY_FILE: &str = "./data/log-signing-key.pem";
pub const DEFAULT_LOG_ORIGIN: &str = "expert-draw.local/log";
/// The next key of a rotation, beside the key file unless configured.
pub const DEFAULT_NEXT_KEY_NAME: &str = "next-log-signing-key.pem";
/// The pinned last signed checkpoint, beside the key file unless configured.
pub const DEFAULT_STATE_NAME: &str = "last-signed-checkpoint.txt";

/// Policies read from the `--config` TOML file; every section is optional
/// and falls back to the documented defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyFile {
    pub admission: AdmissionPolicy,
    pub draw: DrawPolicy,
    pub notify: NotifyConfig,
    pub public_check: RateLimitConfig,
    pub public_read: PublicReadConfig,
    /// `[assessment]`: the per-bid assessment's items, deadline and rater
    /// roles (`expert_core::discipline::AssessmentConfig`).
    pub assessment: AssessmentConfig,
    /// `[discipline]`: the violation baseline (裁量基准), due process, the
    /// working-day calendar and the signals (the assessment is above),
    /// as `expert_core::discipline::DisciplinePolicy` defines them.
    pub discipline: DisciplinePolicy,
}

impl PolicyFile {
    /// The working-day calendar assessment deadlines and defence windows
    /// count in (`[discipline.calendar]`).
    pub fn work_calendar(&self) -> WorkCalendar {
        self.discipline.calendar.clone()
    }

    /// The baseline (`[discipline.baseline]`) whose thresholds and
    /// low-credit rule the periodic review applies.
    pub fn baseline(&self) -> Baseline {
        self.discipline.baseline.clone()
    }

    /// Thresholds of the supervisors' signals (`[discipline.signals]`).
    pub fn signals(&self) -> SignalPolicy {
        self.discipline.signals.clone()
    }

    /// Settings that parse but cannot work, as `section/field: message`.
    /// The assessment is configured in `[assessment]`; a
    /// `[discipline.assessment]` would be ignored, so it is refused.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .assessment
            .validate()
            .into_iter()
            .map(|e| format!("assessment/{}: {}", e.field, e.message_en))
            .collect();
        if self.discipline.assessment != AssessmentConfig::default() {
            out.push("discipline.assessment: configure the assessment in [assessment]".into());
        }
        out.extend(
            self.discipline
                .validate()
                .into_iter()
                .filter(|e| !e.field.starts_with("assessment"))
                .map(|e| format!("discipline.{}: {}", e.field.replace('/', "."), e.message_en)),
        );
        out
    }
}

/// `[draw]`: the trading centre's default draw policy and committee rules.
/// A request may tighten the selection policy; loosening it needs a
/// supervisor's approval.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DrawPolicy {
    pub remote_weight: u32,
    /// Default `floor(panel size / 3)` when not set.
    pub local_max: Option<u32>,
    pub max_per_employer: u64,
    /// The look-back window that `recent` and `max_seats_lookback` count in.
    pub lookback_days: u32,
    /// An expert already holding this many seats in the look-back window is
    /// not drawn (none: no cap).
    pub max_seats_lookback: Option<u32>,
    /// An expert already holding this many seats for the same tenderer in
    /// the last 12 months is not drawn (none: no cap).
    pub max_seats_same_tenderer_12m: Option<u32>,
    /// How long before the evaluation starts a draw may be made.
    pub draw_window_hours: u32,
    /// How long an invited expert has to answer.
    pub answer_deadline_seconds: u32,
    /// Reserves of a supplementary draw (SPEC §6 leaves it to the centre).
    pub supplementary_reserve: u32,
    pub committee: CommitteeRules,
}

impl Default for DrawPolicy {
    fn default() -> Self {
        DrawPolicy {
            remote_weight: 3,
            local_max: None,
            max_per_employer: 1,
            lookback_days: 180,
            max_seats_lookback: Some(12),
            max_seats_same_tenderer_12m: Some(3),
            draw_window_hours: 24,
            answer_deadline_seconds: 30 * 60,
            supplementary_reserve: 2,
            committee: CommitteeRules::default(),
        }
    }
}

/// 招标投标法 art. 37: an odd committee of at least five, experts at least
/// two thirds. Procurement panels may configure other numbers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommitteeRules {
    pub min_size: u32,
    pub odd: bool,
    /// Experts must be at least `expert_share_num / expert_share_den` of
    /// the committee.
    pub expert_share_num: u32,
    pub expert_share_den: u32,
}

impl Default for CommitteeRules {
    fn default() -> Self {
        CommitteeRules {
            min_size: 5,
            odd: true,
            expert_share_num: 2,
            expert_share_den: 3,
        }
    }
}

/// `[notify]`: where invitations go. Flags `--notify-webhook` and
/// `--notify-file` override `webhook` and `file`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    pub webhook: Option<String>,
    pub file: Option<PathBuf>,
    /// The base URL experts open the response link on.
    pub public_base_url: String,
    /// First retry delay; doubled after each failed attempt.
    pub retry_base_ms: u64,
    pub max_attempts: u32,
    /// How often the worker looks at the outbox and at expired invitations.
    pub poll_ms: u64,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            webhook: None,
            file: None,
            public_base_url: "http://127.0.0.1:8080".to_owned(),
            retry_base_ms: 2_000,
            max_attempts: 12,
            poll_ms: 1_000,
        }
    }
}

/// A token bucket per client IP address. `[public_check]` limits the
/// unauthenticated award-notice check (default 600 per hour, burst 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Tokens added per hour (at least 1).
    pub rate_per_hour: u32,
    /// Calls a client may make at once (at least 1).
    pub burst: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            rate_per_hour: 600,
            burst: 10,
        }
    }
}

/// `[public_read]`: the rate limit of the public disclosure pages (awarded
/// projects and their results, decided penalties): read-only pages people
/// browse, so looser than the check (default 3,600 per hour, burst 60).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct PublicReadConfig(pub RateLimitConfig);

impl Default for PublicReadConfig {
    fn default() -> Self {
        PublicReadConfig(RateLimitConfig {
            rate_per_hour: 3_600,
            burst: 60,
        })
    }
}

/// What the running service needs besides its pool and signer.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The checkpoint origin line, also the signing key's name.
    pub log_origin: String,
    pub policy: PolicyFile,
}

impl Settings {
    pub fn new(log_origin: String, policy: PolicyFile) -> Self {
        Settings { log_origin, policy }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
}

pub fn load_policy(path: Option<&Path>) -> Result<PolicyFile, ConfigError> {
    let Some(path) = path else {
        return Ok(PolicyFile::default());
    };
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let policy: PolicyFile = toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let problems = policy.problems();
    if !problems.is_empty() {
        return Err(ConfigError::Parse {
            path: path.to_owned(),
            message: problems.join("; "),
        });
    }
    Ok(policy)
}

/// A checkpoint origin must be a single line without spaces or plus signs,
/// since it doubles as the signed-note key name.
pub fn check_origin(origin: &str) -> Result<(), String> {
    if origin.is_empty()
        || origin.len() > 200
        || origin
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
    {
        return Err(format!(
            "log origin {origin:?} must be 1-200 characters without spaces or '+', e.g. centre.example/log"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draw_and_notify_sections_parse() {
        let p: PolicyFile = toml::from_str(
            "[draw]\nremote_weight = 5\nlocal_max = 1\nmax_seats_lookback = 4\n\n[draw.committee]\nmin_size = 7\nodd = false\n\n[notify]\nwebhook = \"http://x/hook\"\nretry_base_ms = 10\n",
        )
        .unwrap();
        assert_eq!(p.draw.remote_weight, 5);
        assert_eq!(p.draw.local_max, Some(1));
        assert_eq!(p.draw.max_per_employer, 1);
        assert_eq!(p.draw.committee.min_size, 7);
        assert!(!p.draw.committee.odd);
        assert_eq!(p.draw.committee.expert_share_den, 3);
        assert_eq!(p.notify.webhook.as_deref(), Some("http://x/hook"));
        assert_eq!(p.notify.poll_ms, 1_000);
        assert!(toml::from_str::<PolicyFile>("[draw]\nremote_wieght = 1\n").is_err());
        assert_eq!(p.public_check, RateLimitConfig::default());
        assert_eq!(p.public_read.0.burst, 60);
        let p: PolicyFile =
            toml::from_str("[public_check]\nrate_per_hour = 1\nburst = 2\n").unwrap();
        assert_eq!((p.public_check.rate_per_hour, p.public_check.burst), (1, 2));
    }

    #[test]
    fn assessment_section_parses_and_is_checked() {
        let p: PolicyFile = toml::from_str("").unwrap();
        assert_eq!(p.assessment, AssessmentConfig::default());
        assert!(p.problems().is_empty());
        let p: PolicyFile = toml::from_str("[assessment]\ndeadline_working_days = 5\n").unwrap();
        assert_eq!(p.assessment.deadline_working_days, 5);
        assert_eq!(p.assessment.items, AssessmentConfig::default().items);
        assert!(toml::from_str::<PolicyFile>("[assessment]\ndeadline_days = 5\n").is_err());
        let p: PolicyFile = toml::from_str("[assessment]\ndeadline_working_days = 0\n").unwrap();
        assert_eq!(p.problems().len(), 1, "{:?}", p.problems());
        assert!(p.problems()[0].starts_with("assessment/deadline_working_days"));
    }

    #[test]
    fn the_discipline_section_parses_and_is_checked() {
        let p = PolicyFile::default();
        assert_eq!(p.discipline, DisciplinePolicy::default());
        assert!(p.problems().is_empty());
        let p: PolicyFile = toml::from_str(
            "[discipline.due_process]\ndefence_working_days = 7\n\n[discipline.baseline]\ncycle_months = 0\n",
        )
        .unwrap();
        assert_eq!(p.discipline.due_process.defence_working_days, 7);
        let problems = p.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("discipline.baseline.cycle_months"),
            "{problems:?}"
        );
        assert!(toml::from_str::<PolicyFile>("[discipline]\nbaseline_x = 1\n").is_err());
        let p: PolicyFile =
            toml::from_str("[discipline.assessment]\ndeadline_working_days = 5\n").unwrap();
        assert!(
            p.problems()[0].starts_with("discipline.assessment"),
            "{:?}",
            p.problems()
        );
    }
}
