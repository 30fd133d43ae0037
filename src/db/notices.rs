//! A count of the changes an instance has heard of, and whether it can hear them, for what it
//! keeps in memory (`task_reads`, `auth::SessionCache`, `services::settings::SettingsCache`). A value read when the count was `n` may
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
    /// Whether every transaction this process commits counts as a change (what a task read
    /// keeps may change in any of them); a kind of row written in one known place counts only
    /// its own notices and [`Notices::changed`].
    own_commits: bool,
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
            own_commits: true,
        }
    }

    /// As [`Notices::new`], for rows this process changes in one known place (which calls
    /// [`Notices::changed`]): its other commits do not count.
    pub fn of_one_writer(listening: bool) -> Self {
        Self {
            own_commits: false,
            ..Self::new(listening)
        }
    }

    /// The changes counted so far (with the transactions this process committed), while
    /// listening.
    pub fn count(&self) -> Option<u64> {
        self.listening.load(Ordering::Acquire).then(|| {
            let own = if self.own_commits {
                COMMITTED_HERE.load(Ordering::Acquire)
            } else {
                0
            };
            self.seen.load(Ordering::Acquire).wrapping_add(own)
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
