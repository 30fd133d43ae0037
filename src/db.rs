//! The only place with SQL, written once for both backends: SQLite (the embedded default, in WAL
//! mode with foreign keys on) and PostgreSQL (several instances on one database). Times are epoch
//! milliseconds, ids UUIDv7 strings, so that every column is a plain integer or text (JSON columns
//! are TEXT on SQLite and JSONB on PostgreSQL, read and written as [`sqlx::types::Json`]).
//!
//! Each query is one SQL text with `$1`-style parameters (both drivers read them), run through
//! [`on!`] or [`on_tx!`], which expand it once for each driver. Where the dialects differ the
//! few statements say so with [`Pool::is_postgres`].

pub mod admin;
pub mod api_keys;
pub mod attempts;
pub mod audit;
pub mod blobs;
pub mod channels;
pub mod collections;
pub mod commits;
pub mod gather;
pub mod invites;
pub mod leases;
pub mod ledger;
pub mod notices;
pub mod sessions;
pub mod settings;
pub mod sharing;
pub mod task_reads;
pub mod tasks;
pub mod templates;
pub mod uploads;
pub mod users;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::{path::Path, str::FromStr, time::Duration};

/// Runs `$body` with `$e` bound to the pool of whichever backend `$pool` is.
#[macro_export]
#[doc(hidden)]
macro_rules! db_on {
    ($pool:expr, |$e:ident| $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($e) => $body,
            $crate::db::Pool::Postgres($e) => $body,
        }
    };
}
pub use crate::db_on as on;

/// Runs `$body` with `$e` bound to the connection of the transaction `$tx`.
#[macro_export]
#[doc(hidden)]
macro_rules! db_on_tx {
    ($tx:expr, |$e:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $e = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $e = &mut **t;
                $body
            }
        }
    };
}
pub use crate::db_on_tx as on_tx;

/// The connection pool of one backend.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A transaction on either backend.
pub enum Tx<'c> {
    Sqlite(sqlx::Transaction<'c, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'c, sqlx::Postgres>),
}

impl Pool {
    pub async fn begin(&self) -> Result<Tx<'static>, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Self::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A transaction that will write. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`), so that it never has to upgrade a read lock (which can fail as busy); on
    /// PostgreSQL the statements lock the rows they need (`FOR UPDATE`, conditional updates).
    pub async fn begin_write(&self) -> Result<Tx<'static>, sqlx::Error> {
        Ok(match self {
            Self::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Self::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// `sqlite` or `postgres`, for logs and metrics.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// One round trip to the database (readiness checks).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on!(self, |conn| sqlx::query("SELECT 1")
            .execute(conn)
            .await
            .map(drop))?;
        Ok(())
    }

    pub async fn close(&self) {
        on!(self, |conn| conn.close().await)
    }
}

impl Tx<'_> {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(t) => t.commit().await,
            Self::Postgres(t) => {
                t.commit().await?;
                // Before the caller goes on: what it reads next reflects this commit, though
                // PostgreSQL's notice of it may not have arrived yet (`notices`).
                notices::committed_here();
                Ok(())
            }
        }
    }

    /// What a `SELECT` in this transaction ends with to lock the rows it reads until the
    /// transaction ends: `FOR UPDATE` on PostgreSQL; nothing on SQLite, where a write
    /// transaction holds the whole database.
    pub fn lock_rows(&self) -> &'static str {
        if self.is_postgres() {
            " FOR UPDATE"
        } else {
            ""
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }
}

/// Where the data lives: `ATELIER_DATABASE_URL`, or `atelier.db` in the data dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Location {
    /// Reads `sqlite://path` (`sqlite:path` too) or `postgres://...` (`postgresql://...`).
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let url = url.trim();
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or_default();
            anyhow::ensure!(
                !path.is_empty(),
                "ATELIER_DATABASE_URL {url:?} names no file"
            );
            return Ok(Self::Sqlite(path.into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            PgConnectOptions::from_str(url).map_err(|e| {
                anyhow::anyhow!("ATELIER_DATABASE_URL is not a PostgreSQL URL: {e}")
            })?;
            return Ok(Self::Postgres(url.to_owned()));
        }
        anyhow::bail!(
            "ATELIER_DATABASE_URL must start with sqlite:// or postgres:// (got {:?})",
            url.split("://").next().unwrap_or(url)
        )
    }

    /// The default: `atelier.db` in the data dir.
    pub fn in_data_dir(data_dir: &Path) -> Self {
        Self::Sqlite(data_dir.join("atelier.db"))
    }

    /// Where, for people: a file name, or the server and database (never the password).
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(url) => match PgConnectOptions::from_str(url) {
                Ok(o) => format!(
                    "postgres://{}:{}/{}",
                    o.get_host(),
                    o.get_port(),
                    o.get_database().unwrap_or_default()
                ),
                Err(_) => "postgres".into(),
            },
        }
    }

    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// A new, empty database of its own on the PostgreSQL cluster that `admin_url` reaches (as a
    /// role that may create databases): for the tests and the benchmark.
    pub async fn new_postgres_database(admin_url: &str) -> anyhow::Result<Self> {
        use sqlx::Connection;
        let name = format!("atelier_{}", uuid::Uuid::now_v7().simple());
        let mut conn = sqlx::PgConnection::connect(admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await?;
        conn.close().await.ok();
        let (base, _) = admin_url
            .rsplit_once('/')
            .ok_or_else(|| anyhow::anyhow!("{admin_url} names no database"))?;
        Ok(Self::Postgres(format!("{base}/{name}")))
    }
}

/// Opens the database (creating an SQLite file if needed) and brings its schema up to date.
pub async fn connect(location: &Location) -> anyhow::Result<Pool> {
    let pool = open(location).await?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Opens the database without touching its schema.
pub async fn open(location: &Location) -> anyhow::Result<Pool> {
    match location {
        Location::Sqlite(path) => open_sqlite(path).await.map(Pool::Sqlite),
        Location::Postgres(url) => open_postgres(url, &location.describe())
            .await
            .map(Pool::Postgres),
    }
}

async fn open_sqlite(path: &Path) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::new()
        .filename(path)
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
        .with_context(|| format!("opening the database {}", path.display()))?;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .context("reading the journal mode")?;
    // Commits are counted by SQLite's WAL hook (see `commits`): without WAL nothing would count.
    anyhow::ensure!(
        mode.eq_ignore_ascii_case("wal"),
        "the database {} cannot use WAL mode (journal mode {mode}); put it on a local disk",
        path.display()
    );
    Ok(pool)
}

async fn open_postgres(url: &str, shown: &str) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(url)
        .with_context(|| format!("reading the database URL for {shown}"))?
        .application_name("atelier");
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach the database {shown}: {e}"))?;
    let version: i64 = sqlx::query_scalar("SELECT current_setting('server_version_num')::bigint")
        .fetch_one(&pool)
        .await
        .context("reading the server's version")?;
    anyhow::ensure!(
        version >= 150_000,
        "the database {shown} runs PostgreSQL {}, Atelier needs 15 or newer",
        version / 10_000
    );
    Ok(pool)
}

/// Runs the migrations the database has not had yet. Refuses a schema newer than this binary.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    let (migrator, result) = match pool {
        Pool::Sqlite(p) => {
            let m = sqlx::migrate!("./migrations/sqlite");
            let r = m.run(p).await;
            (m, r)
        }
        Pool::Postgres(p) => {
            let m = sqlx::migrate!("./migrations/postgres");
            let r = m.run(p).await;
            (m, r)
        }
    };
    let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    match result {
        Ok(()) => Ok(()),
        Err(sqlx::migrate::MigrateError::VersionMissing(v)) => anyhow::bail!(
            "the database's schema (version {v}) is newer than this Atelier (schema version \
             {known}): run the newer Atelier, or restore a backup"
        ),
        Err(e) => Err(anyhow::anyhow!(e).context("running database migrations")),
    }
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

/// Implements the sqlx column traits for an enum stored as its text name (`as_str`/`parse`), for
/// every backend.
#[macro_export]
macro_rules! text_column {
    ($($t:ty),* $(,)?) => {$(
        impl<DB: sqlx::Database> sqlx::Type<DB> for $t
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }
        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $t
        where
            &'static str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'static str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }
        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $t
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let s = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                <$t>::parse(s).ok_or_else(|| format!("unknown {} {s:?}", stringify!($t)).into())
            }
        }
    )*};
}
