//! A count of the changes an instance has heard of, and whether it can hear them, for what it
//! keeps in memory (`task_reads`, `auth::SessionCache`). A value read when the count was `n` may
//! be kept while the count is still `n`; nothing may be kept while the instance is deaf (on
//! PostgreSQL: before its listener connects, and after the connection is lost, when the notices
//! sent meanwhile are lost too).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Transactions this process committed on PostgreSQL (SQLite's are counted by `commits`).
static COMMITTED_HERE: AtomicU64 = AtomicU64::new(0);

/// Counts a transaction this process committed: a caller reads its own writes at once, without
/// waiting for their notice.
pub fn committed_here() {
    COMMITTED_HERE.fetch_add(1, Ordering::AcqRel);
}

#[derive(Debug)]
pub struct Notices {
    seen: AtomicU64,
    listening: AtomicBool,
}

impl Default for Notices {
    /// Hearing from the start.
    fn default() -> Self {
        Self::new(true)
    }
}

impl Notices {
    /// Hearing from the start (a database that only this process writes), or not until
    /// [`Notices::listening`] says so.
    pub fn new(listening: bool) -> Self {
        Self {
            seen: AtomicU64::new(0),
            listening: AtomicBool::new(listening),
        }
    }

    /// The changes counted so far (with the transactions this process committed), while
    /// listening.
    pub fn count(&self) -> Option<u64> {
        self.listening.load(Ordering::Acquire).then(|| {
            self.seen
                .load(Ordering::Acquire)
                .wrapping_add(COMMITTED_HERE.load(Ordering::Acquire))
        })
    }

    /// Something changed: what was read before is read again.
    pub fn changed(&self) {
        self.seen.fetch_add(1, Ordering::AcqRel);
    }

    /// Starts or stops hearing; either way nothing read before this moment is trusted after it.
    pub fn listening(&self, on: bool) {
        self.changed();
        self.listening.store(on, Ordering::Release);
        self.changed();
    }
}
