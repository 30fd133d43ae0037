//! Single-task reads, gathered: the reads asked for while one query runs share the next query.
//!
//! Status polling is the busiest thing Atelier serves. Each SQLite query through sqlx is a round
//! trip to the connection's own thread, and under many concurrent polls those hand-offs, not
//! SQLite, are the cost. One `WHERE id IN (...)` for every read waiting makes the cost per poll
//! fall as the load rises; alone, a read is one query as before. Every answer comes from a query
//! that started after the read was asked for, so it is never older than a direct read.

use super::tasks::{self, TaskRow};
use sqlx::SqlitePool;
use std::collections::HashMap;
use tokio::sync::{mpsc, oneshot};

type Answer = Result<Option<TaskRow>, String>;

/// A handle to the reader; the reader stops when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct TaskReads {
    queue: mpsc::UnboundedSender<(String, oneshot::Sender<Answer>)>,
}

/// Reads gathered into one query at most.
const MAX_BATCH: usize = 256;

impl TaskReads {
    /// Starts the reader on the current Tokio runtime.
    pub fn start(pool: SqlitePool) -> Self {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(serve(pool, rx));
        Self { queue }
    }

    /// The task with this id, if any.
    pub async fn get(&self, id: &str) -> Result<Option<TaskRow>, String> {
        let (tx, rx) = oneshot::channel();
        self.queue
            .send((id.to_owned(), tx))
            .map_err(|_| "the task reader has stopped".to_owned())?;
        rx.await
            .map_err(|_| "the task reader dropped a read".to_owned())?
    }
}

async fn serve(
    pool: SqlitePool,
    mut rx: mpsc::UnboundedReceiver<(String, oneshot::Sender<Answer>)>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut ids: Vec<&str> = batch.iter().map(|(id, _)| id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let found = tasks::get_many(&pool, &ids).await.map(|rows| {
            rows.into_iter()
                .map(|r| (r.id.clone(), r))
                .collect::<HashMap<_, _>>()
        });
        for (id, answer) in batch.drain(..) {
            let _ = answer.send(match &found {
                Ok(rows) => Ok(rows.get(&id).cloned()),
                Err(e) => Err(e.to_string()),
            });
        }
    }
}
