//! argon2id password hashing, off the async threads, a few at a time, in memory kept for it.
//!
//! Each hash works through 19 MiB. Unbounded, a burst of sign-ins (right or wrong) is a denial of
//! service: 150 at once took the server from 18 MB to 2.9 GB. So at most about one hash per core
//! runs at once ([`PERMITS`]); a few requests per core may wait for their turn, for a bounded
//! time; past that, the answer is 429 at once ([`AppError::Busy`]).
//!
//! Each turn comes with its working memory, allocated once and handed from hash to hash
//! ([`MEMORY`]). Allocating it per hash (as `PasswordHasher::hash_password` does) grew the heap by
//! 19 MB with every sequential sign-in: glibc cannot fit an aligned 19 MiB block into the hole
//! the previous one left, so 150 sign-ins peaked at over 500 MB even two at a time.

use crate::{domain::account::Password, error::AppError};
use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString},
};
use rand_core::OsRng;
use std::{
    sync::{
        Arc, LazyLock, Mutex,
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
/// The working memory of the turns not running: at most [`PERMITS`] blocks of 19 MiB ever exist.
static MEMORY: Mutex<Vec<Box<[Block]>>> = Mutex::new(Vec::new());

/// A turn to hash and its working memory, held until the hash is done (even if the request is
/// gone by then).
struct Turn {
    _permit: OwnedSemaphorePermit,
    memory: Box<[Block]>,
}

impl Turn {
    fn new(permit: OwnedSemaphorePermit) -> Self {
        let kept = MEMORY.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let memory = kept.unwrap_or_else(|| {
            vec![Block::default(); Params::DEFAULT.block_count()].into_boxed_slice()
        });
        Self {
            _permit: permit,
            memory,
        }
    }

    /// argon2 of `password` and `salt` in this turn's memory (memory of its own for a stored hash
    /// made with more than the default).
    fn hash<'a>(
        &mut self,
        (algorithm, version, params): (Algorithm, Version, Params),
        password: &[u8],
        salt: Salt<'a>,
    ) -> argon2::password_hash::Result<PasswordHash<'a>> {
        let argon = Argon2::new(algorithm, version, params);
        let params = argon.params();
        let mut more = Vec::new();
        let memory = if params.block_count() <= self.memory.len() {
            &mut self.memory[..]
        } else {
            more.resize(params.block_count(), Block::default());
            &mut more[..]
        };
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let output = Output::init_with(len, |out| {
            Ok(argon.hash_password_into_with_memory(password, salt_bytes, out, &mut *memory)?)
        })?;
        Ok(PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(params)?,
            salt: Some(salt),
            hash: Some(output),
        })
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let memory = std::mem::take(&mut self.memory);
        MEMORY
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(memory);
    }
}

/// A turn to hash, or [`AppError::Busy`] when too many wait already or the wait is too long.
async fn turn() -> Result<Turn, AppError> {
    if let Ok(p) = HASHING.clone().try_acquire_owned() {
        return Ok(Turn::new(p));
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
        Ok(Ok(p)) => Ok(Turn::new(p)),
        _ => Err(AppError::Busy),
    }
}

pub async fn hash(password: Password) -> Result<String, AppError> {
    let mut turn = turn().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        let defaults = (Algorithm::default(), Version::default(), Params::DEFAULT);
        turn.hash(defaults, password.expose().as_bytes(), salt.as_salt())
            .map(|h| h.to_string())
    })
    .await
    .map_err(crate::services::internal)?
    .map_err(crate::services::internal)
}

/// Checks `password` against a stored hash; with no hash (unknown email) it checks against a dummy
/// one, so both cases take the same time and answer the same.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let mut turn = turn().await?;
    tokio::task::spawn_blocking(move || {
        let stored = stored.as_deref().unwrap_or(DUMMY_HASH);
        let Ok(parsed) = PasswordHash::new(stored) else {
            return false;
        };
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return false;
        };
        let how = (|| {
            let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
            let version = match parsed.version {
                Some(v) => Version::try_from(v).ok()?,
                None => Version::default(),
            };
            Some((algorithm, version, Params::try_from(&parsed).ok()?))
        })();
        let Some(how) = how else {
            return false;
        };
        let ok = turn
            .hash(how, password.as_bytes(), salt)
            .is_ok_and(|computed| computed.hash == Some(expected));
        ok && stored != DUMMY_HASH
    })
    .await
    .map_err(crate::services::internal)
}

/// argon2id hash of a random password nobody knows, with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7tB3gWZxmnnnr+0SsJrH4A6m8cdz+UJlVFyRbPwkhU0";

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    fn password(p: &str) -> Password {
        Password::parse(p).unwrap()
    }

    #[tokio::test]
    async fn hashes_made_here_and_by_the_crate_check_both_ways() {
        let ours = hash(password("correct horse")).await.unwrap();
        assert!(
            verify("correct horse".into(), Some(ours.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify("wrong horse".into(), Some(ours.clone()))
                .await
                .unwrap()
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
        // A hash stored before (made by the crate itself), with other parameters too.
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"battery staple", &salt)
        .unwrap()
        .to_string();
        assert!(
            verify("battery staple".into(), Some(theirs.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("battery stable".into(), Some(theirs)).await.unwrap());
        assert!(!verify("correct horse".into(), None).await.unwrap());
        assert!(!verify("x".into(), Some("not a hash".into())).await.unwrap());
    }
}
