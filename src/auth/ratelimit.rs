//! Request rate limits per client address and per API token (GCRA, by `governor`).

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Whose budget a request spends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RateKey {
    Client(IpAddr),
    Token(String),
}

pub struct RateLimit {
    limiter: RateLimiter<RateKey, DefaultKeyedStateStore<RateKey>, DefaultClock>,
    clock: DefaultClock,
    checks: AtomicU64,
}

/// How often (in checks) keys that are back to a full budget are dropped.
const SWEEP_EVERY: u64 = 4096;

impl RateLimit {
    /// `per_second` sustained, up to `burst` at once, for each key. Zero means no limit.
    pub fn new(per_second: u32, burst: u32) -> Option<Self> {
        let rate = NonZeroU32::new(per_second)?;
        let burst = NonZeroU32::new(burst.max(per_second)).unwrap_or(rate);
        Some(RateLimit {
            limiter: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        })
    }

    /// `Err(wait)` when `key` has spent its budget.
    pub fn check(&self, key: &RateKey) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusals_per_key() {
        let limit = RateLimit::new(1, 3).unwrap();
        let a = RateKey::Client("127.0.0.1".parse().unwrap());
        let b = RateKey::Token("t1".into());
        for _ in 0..3 {
            assert!(limit.check(&a).is_ok());
        }
        let wait = limit.check(&a).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        assert!(limit.check(&b).is_ok(), "another key has its own budget");
        assert!(RateLimit::new(0, 10).is_none(), "zero turns the limit off");
    }
}
