//! Leases: a job that one process at a time may do, such as the worker's. The holder renews its
//! lease well before it runs out; once it has run out (the holder died, or lost the database),
//! anyone may take it. On PostgreSQL the time is the database's own clock, so instances whose
//! clocks disagree still agree on who holds a lease.

/// The database's clock in epoch ms, as SQL.
macro_rules! clock {
    (postgres) => {
        "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT"
    };
    (sqlite) => {
        "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
    };
}

macro_rules! hold_sql {
    ($clock:tt) => {
        concat!(
            "INSERT INTO leases (name, holder, until) VALUES ($1, $2, ",
            clock!($clock),
            " + $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
             WHERE leases.holder = excluded.holder OR leases.until < ",
            clock!($clock),
            " RETURNING holder"
        )
    };
}

macro_rules! take_sql {
    ($clock:tt) => {
        concat!(
            "INSERT INTO leases (name, holder, until) VALUES ($1, $2, ",
            clock!($clock),
            " + $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until"
        )
    };
}

/// Takes the lease `name` for `holder` for `ms`, or renews it: true when `holder` holds it now.
/// False while someone else's lease runs.
pub async fn hold(
    pool: &super::Pool,
    name: &str,
    holder: &str,
    ms: i64,
) -> Result<bool, sqlx::Error> {
    let sql = if pool.is_postgres() {
        hold_sql!(postgres)
    } else {
        hold_sql!(sqlite)
    };
    // All rows fetched (see `super::sharing::set_share`): the lease is committed on return.
    let held: Vec<String> = super::on!(pool, |conn| sqlx::query_scalar(sql)
        .bind(name)
        .bind(holder)
        .bind(ms)
        .fetch_all(conn)
        .await)?;
    Ok(!held.is_empty())
}

/// Takes the lease `name` for `holder` for `ms` whoever holds it (on SQLite at start: one
/// process uses the file, so a lease found there is a dead process's).
pub async fn take(
    pool: &super::Pool,
    name: &str,
    holder: &str,
    ms: i64,
) -> Result<(), sqlx::Error> {
    let sql = if pool.is_postgres() {
        take_sql!(postgres)
    } else {
        take_sql!(sqlite)
    };
    super::on!(pool, |conn| sqlx::query(sql)
        .bind(name)
        .bind(holder)
        .bind(ms)
        .execute(conn)
        .await
        .map(drop))
}

/// Gives the lease up (a clean stop), so that another may take it at once.
pub async fn give_up(pool: &super::Pool, name: &str, holder: &str) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "DELETE FROM leases WHERE name = $1 AND holder = $2"
    )
    .bind(name)
    .bind(holder)
    .execute(conn)
    .await
    .map(drop))
}

/// Who holds the lease now, if anyone.
pub async fn holder(pool: &super::Pool, name: &str) -> Result<Option<String>, sqlx::Error> {
    let sql = if pool.is_postgres() {
        concat!(
            "SELECT holder FROM leases WHERE name = $1 AND until >= ",
            clock!(postgres)
        )
    } else {
        concat!(
            "SELECT holder FROM leases WHERE name = $1 AND until >= ",
            clock!(sqlite)
        )
    };
    super::on!(pool, |conn| sqlx::query_scalar(sql)
        .bind(name)
        .fetch_optional(conn)
        .await)
}
