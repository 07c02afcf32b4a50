//! `expert-api serve`: open (and migrate) the database, load or create the
//! log signing key, then serve HTTP until interrupted.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use actix_web::{App, HttpServer, web};
use anyhow::Context;
use clap::Args;

use super::{DbArg, KeyArgs};
use crate::config::{self, Settings};
use crate::db::open_serving_pool;
use crate::http::{self, AppState};
use crate::notify::{Sender, Worker};
use crate::store::tokens;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DbArg,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "EXPERT_DRAW_LISTEN", default_value = config::DEFAULT_LISTEN)]
    listen: String,
    #[command(flatten)]
    keys: KeyArgs,
    /// Policy file (TOML) with the trading centre's rules.
    #[arg(long, env = "EXPERT_DRAW_CONFIG")]
    config: Option<PathBuf>,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "EXPERT_DRAW_WORKERS")]
    workers: Option<usize>,
    /// Deliver invitations by HTTP POST to this URL (overrides `[notify] webhook`).
    #[arg(long, env = "EXPERT_DRAW_NOTIFY_WEBHOOK")]
    notify_webhook: Option<String>,
    /// Append invitations as JSON Lines to this file, for development
    /// (overrides `[notify] file`).
    #[arg(long, env = "EXPERT_DRAW_NOTIFY_FILE")]
    notify_file: Option<PathBuf>,
    /// Database connections in the pool.
    #[arg(long, env = "EXPERT_DRAW_POOL_SIZE", default_value_t = 16)]
    pool_size: u32,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    init_tracing();
    config::check_origin(&args.keys.log_origin).map_err(anyhow::Error::msg)?;
    let mut policy = config::load_policy(args.config.as_deref())?;
    if let Some(url) = &args.notify_webhook {
        policy.notify.webhook = Some(url.clone());
        policy.notify.file = None;
    }
    if let Some(path) = &args.notify_file {
        policy.notify.file = Some(path.clone());
        policy.notify.webhook = None;
    }
    let url = args.db.url()?;
    let pool = open_serving_pool(&url, args.pool_size.max(1))
        .with_context(|| format!("opening {}", url.redacted()))?;
    let (ring, vkeys, has_admin) = {
        let mut conn = pool.get()?;
        let (ring, created) = args.keys.open_ring(&mut conn, true)?;
        if created {
            println!(
                "created log signing key {} (mode 0600)",
                args.keys.key_file.display()
            );
        }
        // Signing the head now checks that every key the log names is at
        // hand, and pins a head a crash may have left unpinned.
        let (_, head) = ring
            .sign_committed(&mut conn)
            .context("cannot sign the log's head")?;
        let vkeys = ring.vkeys_at(&mut conn, head.size)?;
        let has_admin = tokens::has_live_admin(&mut conn, chrono::Utc::now())?;
        (ring, vkeys, has_admin)
    };
    let state = AppState {
        pool,
        signer: Arc::new(ring),
        public_limiter: Arc::new(http::ratelimit::RateLimiter::new(&policy.public_check)),
        public_read_limiter: Arc::new(http::ratelimit::RateLimiter::new(&policy.public_read.0)),
        registry: Arc::new(crate::registry::Registry::new()),
        draw_facts: Arc::new(crate::facts::DrawFacts::new()),
        settings: Arc::new(Settings::new(args.keys.log_origin.clone(), policy)),
    };
    warm_registry(&state);
    let notify = &state.settings.policy.notify;
    let sender = match (&notify.webhook, &notify.file) {
        (Some(url), _) => Sender::Webhook(url.clone()),
        (None, Some(path)) => Sender::File(path.clone()),
        (None, None) => Sender::None,
    };
    Worker {
        pool: state.pool.clone(),
        sender,
        flow: http::draws::flow_context(&state.settings, state.signer.clone()),
        retry_base_ms: notify.retry_base_ms,
        max_attempts: notify.max_attempts,
        poll: std::time::Duration::from_millis(notify.poll_ms.max(10)),
    }
    .spawn()
    .context("cannot start the outbox worker")?;
    let data = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(actix_web::middleware::from_fn(http::log_request))
            .configure(http::configure)
    });
    if let Some(w) = args.workers {
        server = server.workers(w.max(1));
    }
    let server = server
        .bind(&args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addrs = server.addrs();
    println!(
        "expert-api {} — database {} ({})",
        env!("CARGO_PKG_VERSION"),
        url.redacted(),
        url.backend()
    );
    println!(
        "log origin {}; verifier key {}",
        args.keys.log_origin,
        vkeys.join(" and ")
    );
    for a in &addrs {
        println!("listening on http://{a}");
    }
    if let Some(a) = addrs.first() {
        println!("API docs: http://{a}/api/v1/docs/  health: http://{a}/healthz");
    }
    if !has_admin {
        println!("No admin token exists yet. Create the first one with:");
        println!(
            "  expert-api token create --role admin --label first-admin --db {}",
            url.redacted()
        );
    }
    use std::io::Write;
    std::io::stdout().flush().ok();
    actix_web::rt::System::new()
        .block_on(server.run())
        .context("server stopped with an error")?;
    Ok(ExitCode::SUCCESS)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()
        .ok();
}

/// Load the read models (the list's registry, the draws' facts) in the
/// background, so the first list or draw does not pay for them; if this
/// fails, that request loads them.
fn warm_registry(state: &AppState) {
    let registry = state.registry.clone();
    let facts = state.draw_facts.clone();
    let pool = state.pool.clone();
    let spawned = std::thread::Builder::new()
        .name("registry-warm".into())
        .spawn(move || {
            let started = std::time::Instant::now();
            let loaded = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
                let size = crate::store::audit::size(&mut conn).map_err(|e| e.to_string())?;
                registry
                    .catch_up(&mut conn, size)
                    .and_then(|()| facts.catch_up(&mut conn, size, true))
                    .map_err(|e| e.to_string())
            });
            match loaded {
                Ok(()) => tracing::info!(
                    ms = started.elapsed().as_millis() as u64,
                    "registry and draw facts read models loaded"
                ),
                Err(error) => tracing::warn!(%error, "registry read model not loaded yet"),
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "cannot start the registry warm-up");
    }
}
