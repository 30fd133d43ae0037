//! Fixed-window counters of attempts, kept in the database (`db::attempts`) so that every
//! instance on one database counts the same guesses. Keys are hashed: each is as long as any
//! other, whatever a client sends.

use crate::db::{self, Pool};
use sha2::{Digest, Sha256};
use std::time::Duration;

pub struct RateLimiter {
    max: i64,
    window_ms: i64,
}

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max: i64::from(max),
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX),
        }
    }

    fn stored(key: &str) -> String {
        hex::encode(Sha256::digest(key.as_bytes()))
    }

    /// Counts an attempt for `key` before it is made (so that a burst of parallel attempts is
    /// counted as it arrives, not after the slow work): true while it is within `max` in the
    /// current window.
    pub async fn attempt(&self, pool: &Pool, key: &str) -> Result<bool, sqlx::Error> {
        self.attempt_within(pool, key, self.max).await
    }

    /// [`Self::attempt`] with a limit read from the settings.
    pub async fn attempt_within(
        &self,
        pool: &Pool,
        key: &str,
        max: i64,
    ) -> Result<bool, sqlx::Error> {
        let n = db::attempts::add(pool, &Self::stored(key), db::now_ms(), self.window_ms).await?;
        Ok(n <= max)
    }

    /// Takes back an attempt that succeeded: only failures use up the allowance.
    pub async fn forgive(&self, pool: &Pool, key: &str) -> Result<(), sqlx::Error> {
        db::attempts::forgive(pool, &Self::stored(key), db::now_ms(), self.window_ms).await
    }

    /// Forgets windows that have passed (the hourly sweep). The counters of every limiter share
    /// one table: the sweep runs with the longest window, and a shorter one starts again on its
    /// own (`db::attempts::add`).
    pub async fn sweep(&self, pool: &Pool) -> Result<u64, sqlx::Error> {
        db::attempts::sweep(pool, db::now_ms(), self.window_ms).await
    }
}
