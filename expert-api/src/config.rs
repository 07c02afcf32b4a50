//! Settings: command-line flags and environment variables for where things
//! are, and one optional TOML file for the trading centre's policies.

use std::path::{Path, PathBuf};

use expert_core::admission::AdmissionPolicy;
use serde::Deserialize;

pub const DEFAULT_DB: &str = "sqlite://./data/expert-draw.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_KEY_FILE: &str = "./data/log-signing-key.pem";
pub const DEFAULT_LOG_ORIGIN: &str = "expert-draw.local/log";

/// Policies read from the `--config` TOML file; every section is optional
/// and falls back to the documented defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyFile {
    pub admission: AdmissionPolicy,
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
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
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
