//! Counters of attempts in fixed windows, in the database so that every instance counts
//! the same ones (the log-in limit holds however the load balancer spreads the guesses).

/// Counts one attempt for `key` (a window that has passed starts again); answers the count.
pub async fn add(
    pool: &super::Pool,
    key: &str,
    now: i64,
    window_ms: i64,
) -> Result<i64, sqlx::Error> {
    // All rows fetched (see `super::sharing::set_share`): the count is committed on return.
    let counts: Vec<i64> = super::on!(pool, |conn| sqlx::query_scalar(
        "INSERT INTO attempts (key, since, count) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
            count = CASE WHEN attempts.since <= $2 - $3 THEN 1 ELSE attempts.count + 1 END,
            since = CASE WHEN attempts.since <= $2 - $3 THEN $2 ELSE attempts.since END
         RETURNING count"
    )
    .bind(key)
    .bind(now)
    .bind(window_ms)
    .fetch_all(conn)
    .await)?;
    counts.into_iter().next().ok_or(sqlx::Error::RowNotFound)
}

/// Takes one back from `key`'s count in the current window (an attempt that succeeded).
pub async fn forgive(
    pool: &super::Pool,
    key: &str,
    now: i64,
    window_ms: i64,
) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "UPDATE attempts SET count = count - 1 WHERE key = $1 AND count > 0 AND since > $2 - $3"
    )
    .bind(key)
    .bind(now)
    .bind(window_ms)
    .execute(conn)
    .await
    .map(drop))
}

/// Forgets windows that have passed; answers how many.
pub async fn sweep(pool: &super::Pool, now: i64, window_ms: i64) -> Result<u64, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "DELETE FROM attempts WHERE since <= $1 - $2"
    )
    .bind(now)
    .bind(window_ms)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
}
