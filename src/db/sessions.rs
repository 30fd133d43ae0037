//! Log-in sessions, stored by the SHA-256 of their token.

use super::users::UserRow;

pub async fn insert(
    pool: &super::Pool,
    token_hash: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| {
        sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The account of a session, and when the session ends.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionUser {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub token_hash: String,
    pub expires_at: i64,
}

/// The accounts these sessions belong to, expired ones too (the caller checks `expires_at`
/// against its own clock), in one query.
pub async fn find_users(
    pool: &super::Pool,
    token_hashes: &[String],
) -> Result<Vec<SessionUser>, sqlx::Error> {
    super::gather::fetch_in(
        pool,
        super::gather::where_in!(
            "SELECT u.id, u.name, u.email, u.password_hash, u.role, u.balance, u.created_at,
                    s.token_hash, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id",
            "s.token_hash"
        ),
        token_hashes,
    )
    .await
}

pub async fn delete(pool: &super::Pool, token_hash: &str) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(token_hash)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_expired(pool: &super::Pool, now: i64) -> Result<u64, sqlx::Error> {
    let r = super::on!(pool, |conn| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r)
}
