//! Fixed-window counters of failed attempts, kept in memory (they only need to slow down guessing).

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct RateLimiter {
    max: u32,
    window: Duration,
    counters: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            counters: Mutex::new(HashMap::new()),
        }
    }

    /// True once `max` failures were counted for `key` in the current window.
    pub fn blocked(&self, key: &str) -> bool {
        let map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key)
            .is_some_and(|(start, n)| start.elapsed() < self.window && *n >= self.max)
    }

    /// Counts one failure for `key`.
    pub fn fail(&self, key: &str) {
        let now = Instant::now();
        let mut map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = map.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_per_key_and_window() {
        let rl = RateLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(!rl.blocked("a"));
            rl.fail("a");
        }
        assert!(rl.blocked("a"));
        assert!(!rl.blocked("b"));
        let short = RateLimiter::new(1, Duration::ZERO);
        short.fail("a");
        assert!(!short.blocked("a"), "the window has passed");
    }
}
