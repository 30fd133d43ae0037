//! Task reads by id, gathered (`super::gather`): the reads asked for while one query runs share
//! the next query.
//!
//! What was read is kept until the next commit (`super::commits`), and a read of tasks all kept
//! is answered from memory: a poll of a task that has not changed touches no database. Any
//! commit (a task's progress, a new task ahead in the queue, a charge to the balance) forgets
//! everything kept, so an answer is still never older than a direct read.
//!
//! On PostgreSQL several instances commit, and SQLite's hook is not there: every change to a task
//! or an account tells every instance at commit (a trigger's `NOTIFY atelier_changed`, migration
//! 0006), each instance counts the notices it receives ([`TaskReads::changed`]), and this
//! instance's own requests that may write count too when they end, so that a caller reads its own
//! writes. While the instance is not listening (at start, after a lost connection) nothing is
//! kept. A notice reaches the other instances in the time PostgreSQL takes to deliver it after
//! the commit; what is kept is display data (progress, status, the balance shown beside it),
//! never what decides a charge or an access, which are always read from the database.

use super::{
    gather::Gather,
    tasks::{self, PolledTask},
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// A handle to the reader; the reader stops when the last handle is dropped.
#[derive(Clone)]
pub struct TaskReads {
    reads: Gather<Arc<PolledTask>>,
    kept: Arc<Mutex<Kept>>,
    /// The change notices counted (PostgreSQL); None on SQLite, whose commits are counted.
    notices: Option<Arc<super::notices::Notices>>,
}

/// Tasks kept at most (reads beyond are answered, not kept).
const MAX_KEPT: usize = 10_000;
/// Commits by another process (an operator's `sqlite3`) are not counted: nothing is kept longer.
const KEPT_FOR: Duration = Duration::from_secs(1);

/// Tasks as read when the commit count was `commits`.
#[derive(Default)]
struct Kept {
    commits: u64,
    tasks: HashMap<String, (Instant, Arc<PolledTask>)>,
}

impl Kept {
    /// All of these tasks, if all are kept, fresh and nothing was committed since.
    fn all(&self, ids: &[String], commits: u64) -> Option<Vec<Arc<PolledTask>>> {
        if self.commits != commits {
            return None;
        }
        let now = Instant::now();
        ids.iter()
            .map(|id| match self.tasks.get(id) {
                Some((at, task)) if now.duration_since(*at) < KEPT_FOR => Some(task.clone()),
                _ => None,
            })
            .collect()
    }

    /// Keeps what a query started at commit count `commits` read.
    fn keep(&mut self, commits: u64, read: &HashMap<String, Arc<PolledTask>>) {
        if self.commits != commits {
            self.tasks.clear();
            self.commits = commits;
        }
        let now = Instant::now();
        for (id, task) in read {
            if self.tasks.len() >= MAX_KEPT && !self.tasks.contains_key(id) {
                break;
            }
            self.tasks.insert(id.clone(), (now, task.clone()));
        }
    }
}

impl TaskReads {
    /// Starts the reader on the current Tokio runtime.
    pub fn start(pool: super::Pool) -> Self {
        let kept = Arc::new(Mutex::new(Kept::default()));
        let notices = pool
            .is_postgres()
            .then(|| Arc::new(super::notices::Notices::new(false)));
        let (keeping, noticed) = (kept.clone(), notices.clone());
        let reads = Gather::start(move |ids: Vec<String>| {
            let (pool, kept, notices) = (pool.clone(), keeping.clone(), noticed.clone());
            async move {
                // Noted before the query: what it reads includes every change counted so far.
                let mark = mark(notices.as_deref());
                let read: HashMap<String, Arc<PolledTask>> = tasks::polled(&pool, &ids)
                    .await?
                    .into_iter()
                    .map(|r| (r.row.id.clone(), Arc::new(r)))
                    .collect();
                if let Some(mark) = mark {
                    lock(&kept).keep(mark, &read);
                }
                Ok(read)
            }
        });
        Self {
            reads,
            kept,
            notices,
        }
    }

    /// The tasks with these ids that exist, in the order asked. While nothing changes, the same
    /// read is answered again (the same `Arc`): what is made from it may be kept beside it.
    pub async fn get_many(&self, ids: Vec<String>) -> Result<Vec<Arc<PolledTask>>, String> {
        if let Some(mark) = mark(self.notices.as_deref())
            && let Some(found) = lock(&self.kept).all(&ids, mark)
        {
            return Ok(found);
        }
        self.reads.get_many(ids).await
    }

    /// Something may have changed (a notice from PostgreSQL, or a write of this instance's):
    /// what is kept is read again. On SQLite commits are counted by themselves.
    pub fn changed(&self) {
        if let Some(n) = &self.notices {
            n.changed();
        }
    }

    /// Whether this instance listens to PostgreSQL's change notices: only then is anything kept.
    pub fn listening(&self, on: bool) {
        if let Some(n) = &self.notices {
            n.listening(on);
        }
    }

    /// The task with this id, if any.
    pub async fn get(&self, id: &str) -> Result<Option<Arc<PolledTask>>, String> {
        let found = self.get_many(vec![id.to_owned()]).await?;
        Ok(found.into_iter().next())
    }
}

/// Where the changes stand now: SQLite's commits, or PostgreSQL's notices while listening (None
/// when nothing may be kept).
fn mark(notices: Option<&super::notices::Notices>) -> Option<u64> {
    match notices {
        None => Some(super::commits::count()),
        Some(n) => n.count(),
    }
}

/// The lock, even if a thread panicked while holding it (what is kept stays consistent).
fn lock(kept: &Mutex<Kept>) -> std::sync::MutexGuard<'_, Kept> {
    kept.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
