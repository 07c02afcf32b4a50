//! `expert-api token create|list|revoke`: the way to get the first admin
//! token, and a scriptable one (the new token is alone on the last line).

use std::process::ExitCode;

use chrono::{Duration, Utc};
use clap::Subcommand;

use super::{DbArg, cli_actor};
use crate::auth::{self, Role};
use crate::db::open_pool;
use crate::store::{audit, tokens};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Mint a token; prints it once, alone on the last line.
    Create {
        /// admin, operator, supervisor or regulator.
        #[arg(long)]
        role: Role,
        /// GB/T 2260 region code; required for operators.
        #[arg(long)]
        region: Option<String>,
        /// What the token is for (shown in listings).
        #[arg(long, default_value = "cli")]
        label: String,
        /// Days until the token expires (default: never).
        #[arg(long)]
        expires_in_days: Option<u32>,
        #[command(flatten)]
        db: DbArg,
    },
    /// List tokens (never their secrets).
    List {
        #[command(flatten)]
        db: DbArg,
    },
    /// Revoke a token by id.
    Revoke {
        id: String,
        #[command(flatten)]
        db: DbArg,
    },
}

impl clap::ValueEnum for Role {
    fn value_variants<'a>() -> &'a [Self] {
        &Role::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

pub fn run(cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TokenCommand::Create {
            role,
            region,
            label,
            expires_in_days,
            db,
        } => {
            if let Err(m) = auth::check_binding(role, region.as_deref()) {
                anyhow::bail!(m);
            }
            if label.trim().is_empty() || label.chars().count() > 100 {
                anyhow::bail!("--label must be 1 to 100 characters");
            }
            let pool = open_pool(&db.url()?, 1)?;
            let mut conn = pool.get()?;
            let now = Utc::now();
            let expires = expires_in_days.map(|d| now + Duration::days(i64::from(d)));
            let token = auth::new_token()?;
            let actor = cli_actor();
            let info = audit::write(&mut conn, now, |tx| {
                tokens::create(tx, &actor, &token, role, region.as_deref(), &label, expires)
            })?;
            println!(
                "created token {} (role {}{}{}); it is shown once, store it now:",
                info.id,
                info.role,
                info.region
                    .as_deref()
                    .map(|r| format!(", region {r}"))
                    .unwrap_or_default(),
                info.expires_at
                    .map(|e| format!(", expires {}", e.format("%Y-%m-%d")))
                    .unwrap_or_default(),
            );
            println!("{}", token.secret);
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::List { db } => {
            let pool = open_pool(&db.url()?, 1)?;
            let mut conn = pool.get()?;
            let list = tokens::list(&mut conn)?;
            println!(
                "{:<14} {:<11} {:<7} {:<20} {:<11} {:<11} label",
                "id", "role", "region", "created", "expires", "revoked"
            );
            for t in list {
                println!(
                    "{:<14} {:<11} {:<7} {:<20} {:<11} {:<11} {}",
                    t.id,
                    t.role,
                    t.region.as_deref().unwrap_or("-"),
                    t.created_at.format("%Y-%m-%d %H:%M:%S"),
                    t.expires_at
                        .map(|e| e.format("%Y-%m-%d").to_string())
                        .unwrap_or_else(|| "-".into()),
                    t.revoked_at
                        .map(|e| e.format("%Y-%m-%d").to_string())
                        .unwrap_or_else(|| "-".into()),
                    t.label
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { id, db } => {
            let pool = open_pool(&db.url()?, 1)?;
            let mut conn = pool.get()?;
            let actor = cli_actor();
            let info = audit::write(&mut conn, Utc::now(), |tx| tokens::revoke(tx, &actor, &id))?;
            println!("revoked token {}", info.id);
            Ok(ExitCode::SUCCESS)
        }
    }
}
