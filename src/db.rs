//! The only place with SQL. SQLite in WAL mode with foreign keys on; times are epoch milliseconds.

pub mod admin;
pub mod api_keys;
pub mod audit;
pub mod blobs;
pub mod channels;
pub mod commits;
pub mod ledger;
pub mod sessions;
pub mod settings;
pub mod task_reads;
pub mod tasks;
pub mod users;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::{path::Path, time::Duration};

pub type Tx<'c> = sqlx::Transaction<'c, sqlx::Sqlite>;

/// Opens (creating if needed) `atelier.db` in `data_dir` and brings its schema up to date.
pub async fn connect(data_dir: &Path) -> anyhow::Result<SqlitePool> {
    use anyhow::Context;
    let options = SqliteConnectOptions::new()
        .filename(data_dir.join("atelier.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // WAL + NORMAL: a power loss can lose the last transactions, never corrupt the database.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .after_connect(|conn, _| Box::pin(commits::watch(conn)))
        // A connection to a local file does not go stale: no ping before each use (a round trip
        // to the connection's thread that cost as much as the query itself).
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .with_context(|| format!("opening the database in {}", data_dir.display()))?;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .context("reading the journal mode")?;
    // Commits are counted by SQLite's WAL hook (see `commits`): without WAL nothing would count.
    anyhow::ensure!(
        mode.eq_ignore_ascii_case("wal"),
        "the database in {} cannot use WAL mode (journal mode {mode}); put the data directory on a local disk",
        data_dir.display()
    );
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .context("running database migrations")?;
    Ok(pool)
}

pub fn now_ms() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// A new time-ordered id (UUIDv7).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// True when the error is the violation of a UNIQUE constraint.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// True when the error is the violation of a CHECK constraint.
pub fn is_check_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_check_violation())
}
