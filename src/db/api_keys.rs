//! Long-lived API keys, stored by the SHA-256 of the key.

use super::users::UserRow;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub acts_for_users: bool,
}

/// Inserts a key unless the account already has `max` of them (false then). The account's row
/// is locked first, so that keys created at once on several instances are counted one by one.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    pool: &super::Pool,
    id: &str,
    user_id: &str,
    name: &str,
    prefix: &str,
    key_hash: &str,
    acts_for_users: bool,
    now: i64,
    max: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin_write().await?;
    super::users::lock(&mut tx, user_id).await?;
    let n = super::on_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at, acts_for_users)
             SELECT $1, $2, $3, $4, $5, $6, $8
             WHERE (SELECT COUNT(*) FROM api_keys WHERE user_id = $2) < $7",
        )
        .bind(id)
        .bind(user_id)
        .bind(name)
        .bind(prefix)
        .bind(key_hash)
        .bind(now)
        .bind(max)
        .bind(acts_for_users)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(n == 1)
}

pub async fn list_of_user(pool: &super::Pool, user_id: &str) -> Result<Vec<KeyRow>, sqlx::Error> {
    super::on!(pool, |conn| {
        sqlx::query_as(
        "SELECT id, name, prefix, created_at, last_used_at, acts_for_users FROM api_keys WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
    })
}

/// Deletes one of the user's keys; false when there is no such key of theirs.
pub async fn delete(pool: &super::Pool, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let r = super::on!(pool, |conn| sqlx::query(
        "DELETE FROM api_keys WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r == 1)
}

/// The account behind an API key, and when the key was last used.
#[derive(Debug, Clone, FromRow)]
pub struct KeyUser {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub key_hash: String,
    pub last_used_at: Option<i64>,
}

/// The accounts these keys belong to, in one query.
pub async fn find_users(
    pool: &super::Pool,
    key_hashes: &[String],
) -> Result<Vec<KeyUser>, sqlx::Error> {
    super::gather::fetch_in(
        pool,
        super::gather::where_in!(
            "SELECT u.id, u.name, u.email, u.password_hash, u.role, u.balance, u.created_at,
                    k.key_hash, k.last_used_at
             FROM api_keys k JOIN users u ON u.id = k.user_id",
            "k.key_hash"
        ),
        key_hashes,
    )
    .await
}

/// Whether the key acts for other users (a key that is gone does not).
pub async fn acts_for_users(pool: &super::Pool, key_hash: &str) -> Result<bool, sqlx::Error> {
    let found: Option<bool> = super::on!(pool, |conn| sqlx::query_scalar(
        "SELECT acts_for_users FROM api_keys WHERE key_hash = $1"
    )
    .bind(key_hash)
    .fetch_optional(conn)
    .await)?;
    Ok(found.unwrap_or(false))
}

/// How stale a key's or a session's "last used" may get before a use writes it again, in ms.
pub const LAST_USED_PRECISION_MS: i64 = 60_000;

/// Whether a "last used" of `last` is stale at `now` (a use writes it again).
pub fn is_stale(last: Option<i64>, now: i64) -> bool {
    last.is_none_or(|t| t < now - LAST_USED_PRECISION_MS)
}

/// Notes a use of the key (at most once a minute, to spare writes).
pub async fn touch(pool: &super::Pool, key_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "UPDATE api_keys SET last_used_at = $2
         WHERE key_hash = $1 AND (last_used_at IS NULL OR last_used_at < $2 - 60000)",
    )
    .bind(key_hash)
    .bind(now)
    .execute(conn)
    .await
    .map(drop))
}
