//! Uploads: images users bring, each holding its file in the image store (`blobs`) until it is
//! deleted.

use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct UploadRow {
    pub id: String,
    pub user_id: String,
    pub key: String,
    pub content_type: String,
    pub width: i64,
    pub height: i64,
    pub bytes: i64,
    pub created_at: i64,
}

/// Inserts an upload and holds its file, in one transaction, unless the user's uploads would
/// then take more than `quota` bytes (None: no limit): false then, and nothing is written.
/// Concurrent uploads of one user wait for each other (the user's row is locked), so together
/// they never pass the quota.
pub async fn insert(
    pool: &super::Pool,
    u: &UploadRow,
    quota: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin_write().await?;
    if let Some(quota) = quota {
        super::users::lock(&mut tx, &u.user_id).await?;
        let used: i64 = super::on_tx!(&mut tx, |conn| sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM uploads WHERE user_id = $1"
        )
        .bind(&u.user_id)
        .fetch_one(conn)
        .await)?;
        if used.saturating_add(u.bytes) > quota {
            return Ok(false);
        }
    }
    super::on_tx!(&mut tx, |conn| sqlx::query(
        "INSERT INTO uploads (id, user_id, key, content_type, width, height, bytes, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(&u.id)
    .bind(&u.user_id)
    .bind(&u.key)
    .bind(&u.content_type)
    .bind(u.width)
    .bind(u.height)
    .bind(u.bytes)
    .bind(u.created_at)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    super::blobs::acquire(&mut tx, std::slice::from_ref(&u.key)).await?;
    tx.commit().await?;
    Ok(true)
}

/// A task took these uploads as inputs: they are kept past the retention period.
pub async fn mark_used(
    tx: &mut super::Tx<'_>,
    ids: &[String],
    now: i64,
) -> Result<(), sqlx::Error> {
    for id in ids {
        super::on_tx!(tx, |conn| sqlx::query(
            "UPDATE uploads SET used_at = COALESCE(used_at, $2) WHERE id = $1"
        )
        .bind(id)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Up to `limit` uploads no task used, made before `before`.
pub async fn unused_before(
    pool: &super::Pool,
    before: i64,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    super::on!(pool, |conn| {
        sqlx::query_scalar(
        "SELECT id FROM uploads WHERE used_at IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2"
    )
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await
    })
}

pub async fn get(pool: &super::Pool, id: &str) -> Result<Option<UploadRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(
        "SELECT id, user_id, key, content_type, width, height, bytes, created_at
         FROM uploads WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(conn)
    .await)
}

/// Deletes an upload and lets go of its file (tasks that used it hold their own); answers the
/// file's key if there was such an upload.
pub async fn delete(pool: &super::Pool, id: &str, now: i64) -> Result<Option<String>, sqlx::Error> {
    let mut tx = pool.begin_write().await?;
    let key: Option<String> = super::on_tx!(&mut tx, |conn| sqlx::query_scalar(
        "DELETE FROM uploads WHERE id = $1 RETURNING key"
    )
    .bind(id)
    .fetch_optional(conn)
    .await)?;
    let Some(key) = key else {
        return Ok(None);
    };
    super::blobs::release(&mut tx, std::slice::from_ref(&key), now).await?;
    tx.commit().await?;
    Ok(Some(key))
}
