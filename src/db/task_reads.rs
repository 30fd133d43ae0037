//! Task reads by id, gathered: the reads asked for while one query runs share the next query.
//!
//! Status polling is the busiest thing Atelier serves. Each SQLite query through sqlx is a round
//! trip to the connection's own thread, and under many concurrent polls those hand-offs, not
//! SQLite, are the cost. One `WHERE id IN (...)` for every read waiting makes the cost per poll
//! fall as the load rises; alone, a read is one query as before. Every answer comes from a query
//! that started after the read was asked for, so it is never older than a direct read.
//!
//! What was read is kept until the next commit (`super::commits`), and a read of tasks all kept
//! is answered from memory: a poll of a task that has not changed touches no database. Any
//! commit (a task's progress, a new task ahead in the queue, a charge to the balance) forgets
//! everything kept, so an answer is still never older than a direct read.
//!
//! Keeping is an SQLite optimisation: only SQLite's commits are counted, and only this process's.
//! On PostgreSQL (several instances, each committing) nothing is kept; reads are still gathered.

use super::tasks::{self, PolledTask, TaskRow};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::{mpsc, oneshot};

type Answer = Result<Vec<PolledTask>, String>;

struct Want {
    ids: Vec<String>,
    answer: oneshot::Sender<Answer>,
}

/// A handle to the reader; the reader stops when the last handle is dropped.
#[derive(Clone)]
pub struct TaskReads {
    queue: mpsc::UnboundedSender<Want>,
    /// None on PostgreSQL (see above).
    kept: Option<Arc<Mutex<Kept>>>,
}

/// Reads gathered into one query at most.
const MAX_WANTS: usize = 128;
/// Tasks kept at most (reads beyond are answered, not kept).
const MAX_KEPT: usize = 10_000;
/// Commits by another process (an operator's `sqlite3`) are not counted: nothing is kept longer.
const KEPT_FOR: Duration = Duration::from_secs(1);

/// Tasks as read when the commit count was `commits`.
#[derive(Default)]
struct Kept {
    commits: u64,
    tasks: HashMap<String, (Instant, PolledTask)>,
}

impl Kept {
    /// All of these tasks, if all are kept, fresh and nothing was committed since.
    fn all(&self, ids: &[String], commits: u64) -> Option<Vec<PolledTask>> {
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
    fn keep(&mut self, commits: u64, read: &HashMap<String, PolledTask>) {
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
        let (queue, rx) = mpsc::unbounded_channel();
        let kept = (!pool.is_postgres()).then(|| Arc::new(Mutex::new(Kept::default())));
        tokio::spawn(serve(pool, rx, kept.clone()));
        Self { queue, kept }
    }

    /// The tasks with these ids that exist, in the order asked.
    pub async fn get_many(&self, ids: Vec<String>) -> Result<Vec<PolledTask>, String> {
        let commits = super::commits::count();
        if let Some(found) = self
            .kept
            .as_deref()
            .and_then(|k| lock(k).all(&ids, commits))
        {
            return Ok(found);
        }
        let (answer, rx) = oneshot::channel();
        self.queue
            .send(Want { ids, answer })
            .map_err(|_| "the task reader has stopped".to_owned())?;
        rx.await
            .map_err(|_| "the task reader dropped a read".to_owned())?
    }

    /// The task with this id, if any.
    pub async fn get(&self, id: &str) -> Result<Option<TaskRow>, String> {
        let found = self.get_many(vec![id.to_owned()]).await?;
        Ok(found.into_iter().next().map(|p| p.row))
    }
}

/// The lock, even if a thread panicked while holding it (what is kept stays consistent).
fn lock(kept: &Mutex<Kept>) -> std::sync::MutexGuard<'_, Kept> {
    kept.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn serve(
    pool: super::Pool,
    mut rx: mpsc::UnboundedReceiver<Want>,
    kept: Option<Arc<Mutex<Kept>>>,
) {
    let mut wants = Vec::with_capacity(MAX_WANTS);
    while rx.recv_many(&mut wants, MAX_WANTS).await > 0 {
        // Noted before the query: what it reads includes every commit counted so far.
        let commits = super::commits::count();
        let mut ids: Vec<&str> = wants
            .iter()
            .flat_map(|w| w.ids.iter().map(String::as_str))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let found = tasks::polled(&pool, &ids).await.map(|rows| {
            rows.into_iter()
                .map(|r| (r.row.id.clone(), r))
                .collect::<HashMap<_, _>>()
        });
        if let (Ok(read), Some(kept)) = (&found, &kept) {
            lock(kept).keep(commits, read);
        }
        for want in wants.drain(..) {
            let _ = want.answer.send(match &found {
                Ok(rows) => Ok(want
                    .ids
                    .iter()
                    .filter_map(|id| rows.get(id).cloned())
                    .collect()),
                Err(e) => Err(e.to_string()),
            });
        }
    }
}
