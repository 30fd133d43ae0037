//! Reads by key, gathered: the reads asked for while one query runs share the next query.
//!
//! The busiest thing Atelier serves is status polling, and each poll reads its caller's session
//! and its tasks. Through sqlx every query is a round trip (to SQLite's connection thread, or over
//! the network to PostgreSQL), and under many concurrent polls those round trips, not the
//! database's work, are the cost. One `WHERE key IN (...)` for every read waiting makes the cost
//! per read fall as the load rises; alone, a read is one query as before.
//!
//! Every answer comes from a query that started after the read was asked for, so it is never
//! older than a direct read: a sign-out, a revoked key or a finished task on another instance
//! holds for the very next read here.

use std::{collections::HashMap, future::Future};
use tokio::sync::{mpsc, oneshot};

/// Keys gathered into one query at most.
const MAX_WANTS: usize = 128;
/// How often the reader lets other tasks run before a query while reads come in faster than
/// one at a time.
const LINGER_YIELDS: usize = 4;

struct Want<V> {
    keys: Vec<String>,
    answer: oneshot::Sender<Result<Vec<V>, String>>,
}

/// A handle to one reader; the reader stops when the last handle is dropped.
pub struct Gather<V> {
    queue: mpsc::UnboundedSender<Want<V>>,
}

impl<V> Clone for Gather<V> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
        }
    }
}

impl<V: Clone + Send + 'static> Gather<V> {
    /// Starts the reader on the current Tokio runtime. `read` answers the values of the keys that
    /// exist (each key once, sorted).
    pub fn start<F, Fut>(read: F) -> Self
    where
        F: Fn(Vec<String>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<HashMap<String, V>, sqlx::Error>> + Send + 'static,
    {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(serve(read, rx));
        Self { queue }
    }

    /// The values of these keys that exist, in the order asked.
    pub async fn get_many(&self, keys: Vec<String>) -> Result<Vec<V>, String> {
        let (answer, rx) = oneshot::channel();
        self.queue
            .send(Want { keys, answer })
            .map_err(|_| "a database reader has stopped".to_owned())?;
        rx.await
            .map_err(|_| "a database reader dropped a read".to_owned())?
    }

    /// The value of this key, if it exists.
    pub async fn get(&self, key: &str) -> Result<Option<V>, String> {
        Ok(self
            .get_many(vec![key.to_owned()])
            .await?
            .into_iter()
            .next())
    }
}

async fn serve<V, F, Fut>(read: F, mut rx: mpsc::UnboundedReceiver<Want<V>>)
where
    V: Clone,
    F: Fn(Vec<String>) -> Fut,
    Fut: Future<Output = Result<HashMap<String, V>, sqlx::Error>>,
{
    let mut wants = Vec::with_capacity(MAX_WANTS);
    let mut busy = false;
    while rx.recv_many(&mut wants, MAX_WANTS).await > 0 {
        if busy {
            // Under load, let the requests already running ask first: one query answers them all.
            for _ in 0..LINGER_YIELDS {
                tokio::task::yield_now().await;
            }
            while wants.len() < MAX_WANTS
                && let Ok(w) = rx.try_recv()
            {
                wants.push(w);
            }
        }
        busy = wants.len() > 1;
        let mut keys: Vec<String> = wants.iter().flat_map(|w| w.keys.clone()).collect();
        keys.sort_unstable();
        keys.dedup();
        let found = read(keys).await;
        for want in wants.drain(..) {
            let _ = want.answer.send(match &found {
                Ok(rows) => Ok(want
                    .keys
                    .iter()
                    .filter_map(|k| rows.get(k).cloned())
                    .collect()),
                Err(e) => Err(e.to_string()),
            });
        }
    }
}

/// The statement of `$head` ... `WHERE $column IN <the list bound as $1>` for each backend: a JSON
/// array read with `json_each` on SQLite, an array on PostgreSQL. For [`fetch_in`].
#[macro_export]
#[doc(hidden)]
macro_rules! db_where_in {
    ($head:expr, $column:literal) => {
        (
            concat!(
                $head,
                " WHERE ",
                $column,
                " IN (SELECT value FROM json_each($1))"
            ),
            concat!($head, " WHERE ", $column, " = ANY($1)"),
        )
    };
}
pub use crate::db_where_in as where_in;

/// The rows of `sql` (made by [`where_in!`]) for these keys, in one query.
pub async fn fetch_in<R>(
    pool: &super::Pool,
    sql: (&'static str, &'static str),
    keys: &[String],
) -> Result<Vec<R>, sqlx::Error>
where
    R: Send + Unpin,
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    match pool {
        super::Pool::Sqlite(p) => {
            let json = serde_json::to_string(keys).unwrap_or_else(|_| "[]".into());
            sqlx::query_as(sql.0).bind(json).fetch_all(p).await
        }
        super::Pool::Postgres(p) => sqlx::query_as(sql.1).bind(keys).fetch_all(p).await,
    }
}
