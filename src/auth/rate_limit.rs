//! Fixed-window attempt counters, kept in memory (they only need to slow down guessing).

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

    /// Counts one attempt for `key`; false once `max` attempts were made in the current window.
    pub fn allow(&self, key: &str) -> bool {
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
        entry.1 <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_max_attempts_per_key_and_window() {
        let rl = RateLimiter::new(3, Duration::from_secs(60));
        assert!((0..3).all(|_| rl.allow("a")));
        assert!(!rl.allow("a"));
        assert!(rl.allow("b"));
        let short = RateLimiter::new(1, Duration::ZERO);
        assert!(short.allow("a") && short.allow("a"));
    }
}
