//! Counters of failed attempts in fixed windows, in the database so that every instance counts
//! the same ones (the log-in limit holds however the load balancer spreads the guesses).

/// How many failures `key` has in the window that is current at `now` (of `window_ms`).
pub async fn count(
    pool: &super::Pool,
    key: &str,
    now: i64,
    window_ms: i64,
) -> Result<i64, sqlx::Error> {
    let n: Option<i64> = super::on!(pool, |conn| sqlx::query_scalar(
        "SELECT count FROM attempts WHERE key = $1 AND since > $2 - $3"
    )
    .bind(key)
    .bind(now)
    .bind(window_ms)
    .fetch_optional(conn)
    .await)?;
    Ok(n.unwrap_or(0))
}

/// Counts one failure for `key` (a window that has passed starts again); answers the count.
pub async fn fail(
    pool: &super::Pool,
    key: &str,
    now: i64,
    window_ms: i64,
) -> Result<i64, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_scalar(
        "INSERT INTO attempts (key, since, count) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
            count = CASE WHEN attempts.since <= $2 - $3 THEN 1 ELSE attempts.count + 1 END,
            since = CASE WHEN attempts.since <= $2 - $3 THEN $2 ELSE attempts.since END
         RETURNING count"
    )
    .bind(key)
    .bind(now)
    .bind(window_ms)
    .fetch_one(conn)
    .await)
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
