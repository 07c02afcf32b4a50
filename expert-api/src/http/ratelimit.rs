//! A token bucket per client IP, in memory, for the unauthenticated public
//! endpoints: `burst` calls at once, refilled at `rate_per_hour`. Beyond it
//! a 429 problem with `Retry-After`.
//!
//! The client is the TCP peer address. Behind a reverse proxy every client
//! shares the proxy's address (and bucket); forwarded-for headers are not
//! trusted, since anyone can send one.

use std::collections::HashMap;
use std::future::{Ready, ready};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Mutex;
use std::time::Instant;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use super::AppState;
use super::problem::ApiError;
use crate::config::RateLimitConfig;

/// Buckets kept before full ones (equivalent to no bucket) are dropped.
const MAX_TRACKED: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets by client address.
#[derive(Debug)]
pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    pub fn new(cfg: &RateLimitConfig) -> Self {
        RateLimiter {
            burst: f64::from(cfg.burst.max(1)),
            per_second: f64::from(cfg.rate_per_hour.max(1)) / 3600.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `client` at `now`; when there is none, the
    /// whole seconds until there will be.
    pub fn take(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            // A panic elsewhere while holding the lock leaves the map usable.
            Err(poisoned) => poisoned.into_inner(),
        };
        if buckets.len() >= MAX_TRACKED {
            let (burst, rate) = (self.burst, self.per_second);
            buckets.retain(|_, b| refilled(b, now, burst, rate) < burst);
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let tokens = refilled(bucket, now, self.burst, self.per_second);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            return Ok(());
        }
        *bucket = Bucket { tokens, at: now };
        let wait = ((1.0 - tokens) / self.per_second).ceil();
        // At most an hour per token (rate_per_hour >= 1), so this fits.
        Err(if wait.is_finite() && wait >= 1.0 {
            wait as u64
        } else {
            1
        })
    }
}

fn refilled(b: &Bucket, now: Instant, burst: f64, per_second: f64) -> f64 {
    let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
    (b.tokens + elapsed * per_second).min(burst)
}

/// A call to the public award-notice check that got a token. As the first
/// extractor of a handler, it refuses an over-limit client before the body
/// is read.
#[derive(Debug)]
pub struct PublicCall;

/// A call to a public disclosure page that got a token (its own, looser
/// bucket: see `[public_read]`).
#[derive(Debug)]
pub struct PublicRead;

/// Take a token from the limiter `pick` chooses, for the caller's address.
fn take_from(req: &HttpRequest, pick: fn(&AppState) -> &RateLimiter) -> Result<(), ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(&"no application state"))?;
    let client = req
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    pick(state)
        .take(client, Instant::now())
        .map_err(ApiError::too_many_requests)
}

impl FromRequest for PublicCall {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(take_from(req, |s| &s.public_limiter).map(|()| PublicCall))
    }
}

impl FromRequest for PublicRead {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(take_from(req, |s| &s.public_read_limiter).map(|()| PublicRead))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn burst_then_refill() {
        let l = RateLimiter::new(&RateLimitConfig {
            rate_per_hour: 60,
            burst: 2,
        });
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        let t0 = Instant::now();
        assert_eq!(l.take(a, t0), Ok(()));
        assert_eq!(l.take(a, t0), Ok(()));
        assert_eq!(l.take(a, t0), Err(60));
        // Another client has its own bucket.
        assert_eq!(l.take(b, t0), Ok(()));
        assert_eq!(l.take(a, t0 + Duration::from_secs(30)), Err(30));
        assert_eq!(l.take(a, t0 + Duration::from_secs(61)), Ok(()));
        assert!(l.take(a, t0 + Duration::from_secs(61)).is_err());
        // Refill never exceeds the burst.
        let later = t0 + Duration::from_secs(100_000);
        assert_eq!(l.take(b, later), Ok(()));
        assert_eq!(l.take(b, later), Ok(()));
        assert!(l.take(b, later).is_err());
    }
}
