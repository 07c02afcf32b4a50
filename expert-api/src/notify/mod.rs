//! Delivery of queued messages (the outbox) and the flow's periodic sweep,
//! run by a background thread of `serve`.
//!
//! Senders: a webhook (HTTP POST of the payload as JSON with an
//! `Idempotency-Key` header; any 2xx is delivered, anything else is retried
//! with exponential backoff) and a file (JSON Lines appended, for
//! development and tests).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use serde_json::json;

use crate::db::Pool;
use crate::store::draws::FlowContext;
use crate::store::outbox::{self, Message};

/// Where messages go.
#[derive(Debug, Clone)]
pub enum Sender {
    Webhook(String),
    File(PathBuf),
    /// No channel configured: messages stay queued.
    None,
}

impl Sender {
    /// Deliver one message; `Err` holds a short reason for `last_error`.
    pub fn send(&self, m: &Message) -> Result<(), String> {
        let payload: serde_json::Value =
            serde_json::from_str(&m.payload).map_err(|e| format!("payload: {e}"))?;
        let body = json!({
            "id": m.id,
            "channel": m.channel,
            "recipient_ref": m.recipient_ref,
            "idempotency_key": m.idempotency_key,
            "payload": payload,
        });
        match self {
            Sender::Webhook(url) => {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(10)))
                    .build()
                    .into();
                let res = agent
                    .post(url)
                    .header("Idempotency-Key", &m.idempotency_key)
                    .send_json(&body)
                    .map_err(|e| format!("webhook: {e}"))?;
                let status = res.status().as_u16();
                if (200..300).contains(&status) {
                    Ok(())
                } else {
                    Err(format!("webhook answered {status}"))
                }
            }
            Sender::File(path) => {
                let mut f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("file: {e}"))?;
                writeln!(f, "{body}").map_err(|e| format!("file: {e}"))?;
                f.flush().map_err(|e| format!("file: {e}"))
            }
            Sender::None => Err("no notification channel configured".into()),
        }
    }
}

/// Worker settings.
#[derive(Debug, Clone)]
pub struct Worker {
    pub pool: Pool,
    pub sender: Sender,
    pub flow: FlowContext,
    pub retry_base_ms: u64,
    pub max_attempts: u32,
    pub poll: Duration,
}

impl Worker {
    /// One round: sweep the flow, then deliver what is due.
    pub fn tick(&self) -> anyhow::Result<()> {
        let mut conn = self.pool.get()?;
        let now = Utc::now();
        // A failing sweep must not hold the messages back.
        if let Err(e) = crate::store::draws::sweep(&mut conn, now, &self.flow) {
            tracing::error!(error = %e, "sweep of expired invitations failed");
        }
        if matches!(self.sender, Sender::None) {
            return Ok(());
        }
        for m in outbox::due(&mut conn, now, self.max_attempts, 100)? {
            match self.sender.send(&m) {
                Ok(()) => outbox::mark_delivered(&mut conn, &m.id, Utc::now())?,
                Err(e) => {
                    tracing::warn!(message = %m.id, attempt = m.attempts + 1, error = %e, "delivery failed");
                    outbox::mark_failed(&mut conn, &m, Utc::now(), self.retry_base_ms, &e)?;
                }
            }
        }
        Ok(())
    }

    /// Run forever on a thread of its own.
    pub fn spawn(self) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("outbox".into())
            .spawn(move || {
                loop {
                    if let Err(e) = self.tick() {
                        tracing::error!(error = %e, "outbox worker round failed");
                    }
                    std::thread::sleep(self.poll);
                }
            })
    }
}
