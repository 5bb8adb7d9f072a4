//! Sign-in throttling, per client address and per account: a few free failures, then each
//! further failure locks the key for twice as long as the last (1 s, 2 s, 4 s, ... up to a
//! ceiling). While locked, attempts are refused before the password is even looked at, so a
//! guesser gets neither answers nor the server's CPU (argon2 is slow on purpose).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per client before the lock starts.
pub const CLIENT_FREE_FAILURES: u32 = 5;
/// Failures allowed per account (from all clients together) before the lock starts.
pub const ACCOUNT_FREE_FAILURES: u32 = 10;
/// The longest lock.
const MAX_LOCK: Duration = Duration::from_secs(15 * 60);
/// A key with no failure for this long starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(30 * 60);
/// Entries kept at most; past this, the stale ones go first, then the oldest.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last_failure: Instant,
    locked_until: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    entries: Mutex<HashMap<String, Entry>>,
}

impl LoginThrottle {
    /// `Err(wait)` while `key` is locked.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let entries = self.lock();
        match entries.get(key).and_then(|e| e.locked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// Records a failed attempt; past `free` failures the key is locked.
    pub fn failed(&self, key: &str, free: u32, now: Instant) {
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(key) {
            entries.retain(|_, e| now.duration_since(e.last_failure) < FORGET_AFTER);
            if entries.len() >= MAX_ENTRIES {
                if let Some(oldest) = entries
                    .iter()
                    .min_by_key(|(_, e)| e.last_failure)
                    .map(|(k, _)| k.clone())
                {
                    entries.remove(&oldest);
                }
            }
        }
        let entry = entries.entry(key.to_string()).or_insert(Entry {
            failures: 0,
            last_failure: now,
            locked_until: None,
        });
        if now.duration_since(entry.last_failure) >= FORGET_AFTER {
            entry.failures = 0;
        }
        entry.failures += 1;
        entry.last_failure = now;
        if entry.failures > free {
            let doublings = (entry.failures - free - 1).min(20);
            let lock = Duration::from_secs(1u64 << doublings).min(MAX_LOCK);
            entry.locked_until = Some(now + lock);
        }
    }

    /// A successful sign-in clears the key.
    pub fn succeeded(&self, key: &str) {
        self.lock().remove(key);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        match self.entries.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_failures_then_doubling_locks() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for i in 0..5 {
            assert!(t.check("ip:1", start).is_ok(), "attempt {i}");
            t.failed("ip:1", 5, start);
        }
        assert!(t.check("ip:1", start).is_ok(), "five free failures");
        t.failed("ip:1", 5, start);
        assert_eq!(t.check("ip:1", start), Err(Duration::from_secs(1)));
        let later = start + Duration::from_secs(1);
        assert!(t.check("ip:1", later).is_ok());
        t.failed("ip:1", 5, later);
        assert_eq!(t.check("ip:1", later), Err(Duration::from_secs(2)));
        // Other keys are not affected; success clears.
        assert!(t.check("ip:2", later).is_ok());
        t.succeeded("ip:1");
        assert!(t.check("ip:1", later).is_ok());
    }

    #[test]
    fn the_lock_has_a_ceiling_and_old_failures_are_forgotten() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..100 {
            t.failed("user:o", 0, now);
        }
        assert_eq!(t.check("user:o", now), Err(MAX_LOCK));
        let much_later = now + FORGET_AFTER + MAX_LOCK;
        t.failed("user:o", 3, much_later);
        assert!(
            t.check("user:o", much_later).is_ok(),
            "counting starts afresh"
        );
    }

    #[test]
    fn memory_is_bounded() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..(MAX_ENTRIES + 50) {
            t.failed(&format!("ip:{i}"), 5, now);
        }
        assert!(t.lock().len() <= MAX_ENTRIES);
    }
}
