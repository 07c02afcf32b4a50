//! Who is calling: roles, API tokens and the rules of what each role may see.
//!
//! Tokens are random, prefixed strings shown once; only their SHA-256 is
//! stored, and neither `Debug` nor logs ever print a token.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// The prefix that makes a leaked token easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "edt_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the system: tokens, every expert record, unmasked personal data.
    Admin,
    /// A trading centre's staff, bound to the centre's region.
    Operator,
    /// Audits draws and the log; reads everything, masked.
    Supervisor,
    /// Disciplines experts: admission decisions, suspensions, removals.
    Regulator,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Operator,
        Role::Supervisor,
        Role::Regulator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
            Role::Regulator => "regulator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role {s:?}: use admin, operator, supervisor or regulator")
            })
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub token_id: String,
    pub role: Role,
    /// The region a caller is bound to; `None` means province-wide.
    pub region: Option<String>,
}

impl Caller {
    /// The actor string written into audit entries.
    pub fn actor(&self) -> String {
        match &self.region {
            Some(r) => format!("{}:{}@{}", self.role, self.token_id, r),
            None => format!("{}:{}", self.role, self.token_id),
        }
    }

    pub fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }

    /// Whether records of `region` are within this caller's reach.
    pub fn reaches(&self, region: &str) -> bool {
        self.role == Role::Admin || self.region.as_deref().is_none_or(|r| r == region)
    }

    /// Identity numbers and phones are shown in full to admins only.
    pub fn sees_personal_data(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A freshly made token: the secret (shown once) and what is stored.
pub struct NewToken {
    pub id: String,
    pub secret: String,
    pub hash: [u8; 32],
}

impl fmt::Debug for NewToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewToken")
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct RandomError(String);

pub fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| RandomError(e.to_string()))?;
    Ok(buf)
}

pub fn new_token() -> Result<NewToken, RandomError> {
    use base64::Engine;
    let id = format!("T{}", hex::encode(random_bytes::<6>()?));
    let secret = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?)
    );
    let hash = hash_token(&secret);
    Ok(NewToken { id, secret, hash })
}

pub fn hash_token(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Checks that a role/region pair makes sense before a token is minted.
pub fn check_binding(role: Role, region: Option<&str>) -> Result<(), String> {
    match (role, region) {
        (Role::Operator, None) => Err(
            "an operator token must be bound to its trading centre's region (--region CODE)".into(),
        ),
        (Role::Admin, Some(_)) => Err("an admin token is province-wide: omit --region".into()),
        (_, Some(code)) if !expert_core::reference::Regions::builtin().is_known(code) => {
            Err(format!("unknown region code {code:?} (GB/T 2260, Hubei)"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_prefixed_and_hash_matches() {
        let t = new_token().unwrap();
        assert!(t.secret.starts_with(TOKEN_PREFIX));
        assert_eq!(t.secret.len(), TOKEN_PREFIX.len() + 43);
        assert_eq!(hash_token(&t.secret), t.hash);
        assert!(!format!("{t:?}").contains(&t.secret));
    }

    #[test]
    fn bindings() {
        assert!(check_binding(Role::Operator, None).is_err());
        assert!(check_binding(Role::Operator, Some("420100")).is_ok());
        assert!(check_binding(Role::Operator, Some("999999")).is_err());
        assert!(check_binding(Role::Admin, Some("420100")).is_err());
        assert!(check_binding(Role::Supervisor, None).is_ok());
    }

    #[test]
    fn reach() {
        let op = Caller {
            token_id: "T1".into(),
            role: Role::Operator,
            region: Some("420100".into()),
        };
        assert!(op.reaches("420100"));
        assert!(!op.reaches("420600"));
        let sup = Caller {
            token_id: "T2".into(),
            role: Role::Supervisor,
            region: None,
        };
        assert!(sup.reaches("420600"));
    }
}
