//! argon2id password hashing, off the async threads, a few at a time.
//!
//! Each hash holds 19 MiB for tens of milliseconds. Unbounded, a burst of sign-ins (right or
//! wrong) is a denial of service: 150 at once took the server from 18 MB to 2.9 GB. So at most
//! about one hash per core runs at once ([`PERMITS`]); a few requests per core may wait for their
//! turn, for a bounded time; past that, the answer is 429 at once ([`AppError::Busy`]).

use crate::{domain::account::Password, error::AppError};
use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};
use rand_core::OsRng;
use std::{
    sync::{
        Arc, LazyLock,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Hashes that may run at once: the cores, at least one and at most eight.
static PERMITS: LazyLock<usize> =
    LazyLock::new(|| std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8)));

/// Requests that may wait for a turn, per hash that may run.
const WAITING_PER_PERMIT: usize = 8;
/// How long a request waits for its turn at most.
const MAX_WAIT: Duration = Duration::from_secs(3);

static HASHING: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(*PERMITS)));
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// A turn to hash, held until the hash is done (even if the request is gone by then).
async fn turn() -> Result<OwnedSemaphorePermit, AppError> {
    if let Ok(p) = HASHING.clone().try_acquire_owned() {
        return Ok(p);
    }
    struct Waiting;
    impl Drop for Waiting {
        fn drop(&mut self) {
            WAITING.fetch_sub(1, Ordering::AcqRel);
        }
    }
    let before = WAITING.fetch_add(1, Ordering::AcqRel);
    let _waiting = Waiting;
    if before >= *PERMITS * WAITING_PER_PERMIT {
        tracing::warn!("password hashing is saturated: a request was turned away");
        return Err(AppError::Busy);
    }
    match tokio::time::timeout(MAX_WAIT, HASHING.clone().acquire_owned()).await {
        Ok(Ok(p)) => Ok(p),
        _ => Err(AppError::Busy),
    }
}

pub async fn hash(password: Password) -> Result<String, AppError> {
    let turn = turn().await?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(crate::services::internal)?
    .map_err(crate::services::internal)
}

/// Checks `password` against a stored hash; with no hash (unknown email) it checks against a dummy
/// one, so both cases take the same time and answer the same.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let turn = turn().await?;
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let stored = stored.as_deref().unwrap_or(DUMMY_HASH);
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && stored != DUMMY_HASH
    })
    .await
    .map_err(crate::services::internal)
}

/// argon2id hash of a random password nobody knows, with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7tB3gWZxmnnnr+0SsJrH4A6m8cdz+UJlVFyRbPwkhU0";
