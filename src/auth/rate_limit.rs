//! Fixed-window counters of failed attempts, kept in the database (`db::attempts`) so that every
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

    /// True once `max` failures were counted for `key` in the current window.
    pub async fn blocked(&self, pool: &Pool, key: &str) -> Result<bool, sqlx::Error> {
        let n = db::attempts::count(pool, &Self::stored(key), db::now_ms(), self.window_ms).await?;
        Ok(n >= self.max)
    }

    /// Counts one failure for `key`.
    pub async fn fail(&self, pool: &Pool, key: &str) -> Result<(), sqlx::Error> {
        db::attempts::fail(pool, &Self::stored(key), db::now_ms(), self.window_ms).await?;
        Ok(())
    }

    /// Forgets windows that have passed (the hourly sweep).
    pub async fn sweep(&self, pool: &Pool) -> Result<u64, sqlx::Error> {
        db::attempts::sweep(pool, db::now_ms(), self.window_ms).await
    }
}
