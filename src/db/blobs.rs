//! Reference counts of the image store's content-addressed files: the same picture stored for
//! two tasks is one file, removed only when no task holds it any more (and some time has passed,
//! so that a task storing it again at that moment never loses it).

use super::Tx;

/// One more holder of each key (written in the transaction that stores the keys in a task).
pub async fn acquire(tx: &mut Tx<'_>, keys: &[String]) -> Result<(), sqlx::Error> {
    for key in keys {
        super::on_tx!(tx, |conn| sqlx::query(
            "INSERT INTO blobs (key, refs) VALUES ($1, 1)
             ON CONFLICT (key) DO UPDATE SET refs = blobs.refs + 1, zero_since = NULL",
        )
        .bind(key)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// One holder fewer of each key; a key nobody holds is noted for the sweep.
pub async fn release(tx: &mut Tx<'_>, keys: &[String], now: i64) -> Result<(), sqlx::Error> {
    for key in keys {
        super::on_tx!(tx, |conn| sqlx::query(
            "UPDATE blobs SET refs = CASE WHEN refs > 0 THEN refs - 1 ELSE 0 END,
                    zero_since = CASE WHEN refs <= 1 THEN $2 ELSE NULL END
             WHERE key = $1",
        )
        .bind(key)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Keys nobody has held since before `before`, at most `limit`.
pub async fn unused(
    pool: &super::Pool,
    before: i64,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_scalar(
        "SELECT key FROM blobs WHERE refs = 0 AND zero_since <= $1 ORDER BY zero_since LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await)
}

/// Forgets an unused key in `tx`, if it is still unused: the caller removes the file before it
/// commits, so that a task acquiring the key meanwhile waits for the commit and then stores the
/// file again.
pub async fn forget_unused(tx: &mut Tx<'_>, key: &str) -> Result<bool, sqlx::Error> {
    let r = super::on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM blobs WHERE key = $1 AND refs = 0"
    )
    .bind(key)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r == 1)
}

/// How many hold a key (0 for an unknown one).
pub async fn refs(pool: &super::Pool, key: &str) -> Result<i64, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_scalar(
        "SELECT refs FROM blobs WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(conn)
    .await)
    .map(|r| r.unwrap_or(0))
}
