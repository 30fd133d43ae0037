//! Log-in sessions, stored by the SHA-256 of their token.

use super::users::UserRow;

/// A new session: its public id, the hash of its token, and what its owner needs to recognise it.
pub struct NewSession<'a> {
    pub id: &'a str,
    pub token_hash: &'a str,
    pub user_id: &'a str,
    pub user_agent: Option<&'a str>,
    pub client: Option<&'a str>,
}

/// Inserts a session and ends the account's oldest ones beyond `keep` (the newest `keep` stay).
pub async fn insert(
    pool: &super::Pool,
    s: NewSession<'_>,
    now: i64,
    expires_at: i64,
    keep: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin_write().await?;
    super::on_tx!(&mut tx, |conn| {
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at, user_agent, client)
             VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
        )
        .bind(s.id)
        .bind(s.token_hash)
        .bind(s.user_id)
        .bind(now)
        .bind(expires_at)
        .bind(s.user_agent)
        .bind(s.client)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    super::on_tx!(&mut tx, |conn| {
        sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1 AND id NOT IN
               (SELECT id FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2)",
        )
        .bind(s.user_id)
        .bind(keep)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.commit().await
}

/// One of an account's sessions, as its owner sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub token_hash: String,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
    pub expires_at: i64,
    pub user_agent: Option<String>,
    pub client: Option<String>,
}

/// The account's sessions that have not expired, the most recently used first.
pub async fn list_of_user(
    pool: &super::Pool,
    user_id: &str,
    now: i64,
) -> Result<Vec<SessionRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(
        "SELECT id, token_hash, created_at, last_seen_at, expires_at, user_agent, client
         FROM sessions WHERE user_id = $1 AND expires_at > $2
         ORDER BY COALESCE(last_seen_at, created_at) DESC, id DESC"
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(conn)
    .await)
}

/// Ends one of the account's sessions; false when it has no such session.
pub async fn delete_of_user(
    pool: &super::Pool,
    user_id: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let n = super::on!(pool, |conn| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND id = $2"
    )
    .bind(user_id)
    .bind(id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Ends every session of the account but the one with the hash `except` (when given).
pub async fn delete_all_of_user(
    tx: &mut super::Tx<'_>,
    user_id: &str,
    except: Option<&str>,
) -> Result<u64, sqlx::Error> {
    super::on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> COALESCE($2, '')"
    )
    .bind(user_id)
    .bind(except)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
}

/// Notes that a session was used (at most once per [`super::api_keys::LAST_USED_PRECISION_MS`]:
/// the caller checks).
pub async fn touch(pool: &super::Pool, token_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1"
    )
    .bind(token_hash)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The account of a session, and when the session ends.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionUser {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub token_hash: String,
    pub expires_at: i64,
    pub last_seen_at: Option<i64>,
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
                    s.token_hash, s.expires_at, s.last_seen_at
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
