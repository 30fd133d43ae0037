//! Task reads by id, gathered: the reads asked for while one query runs share the next query.
//!
//! Status polling is the busiest thing Atelier serves. Each SQLite query through sqlx is a round
//! trip to the connection's own thread, and under many concurrent polls those hand-offs, not
//! SQLite, are the cost. One `WHERE id IN (...)` for every read waiting makes the cost per poll
//! fall as the load rises; alone, a read is one query as before. Every answer comes from a query
//! that started after the read was asked for, so it is never older than a direct read.

use super::tasks::{self, PolledTask, TaskRow};
use sqlx::SqlitePool;
use std::collections::HashMap;
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
}

/// Reads gathered into one query at most.
const MAX_WANTS: usize = 128;

impl TaskReads {
    /// Starts the reader on the current Tokio runtime.
    pub fn start(pool: SqlitePool) -> Self {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(serve(pool, rx));
        Self { queue }
    }

    /// The tasks with these ids that exist, in the order asked.
    pub async fn get_many(&self, ids: Vec<String>) -> Result<Vec<PolledTask>, String> {
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

async fn serve(pool: SqlitePool, mut rx: mpsc::UnboundedReceiver<Want>) {
    let mut wants = Vec::with_capacity(MAX_WANTS);
    while rx.recv_many(&mut wants, MAX_WANTS).await > 0 {
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
