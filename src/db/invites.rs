//! Invite codes for sign-up by invitation.

use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct InviteRow {
    pub id: String,
    pub code: String,
    pub note: String,
    pub max_uses: i64,
    pub uses: i64,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

pub struct NewInvite<'a> {
    pub id: &'a str,
    pub code: &'a str,
    pub note: &'a str,
    pub max_uses: i64,
    pub expires_at: Option<i64>,
    pub created_by: &'a str,
}

pub async fn insert(tx: &mut super::Tx<'_>, i: NewInvite<'_>, now: i64) -> Result<(), sqlx::Error> {
    super::on_tx!(tx, |conn| sqlx::query(
        "INSERT INTO invites (id, code, note, max_uses, expires_at, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(i.id)
    .bind(i.code)
    .bind(i.note)
    .bind(i.max_uses)
    .bind(i.expires_at)
    .bind(i.created_by)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every invite, the newest first.
pub async fn list(pool: &super::Pool) -> Result<Vec<InviteRow>, sqlx::Error> {
    super::on!(pool, |conn| {
        sqlx::query_as(
        "SELECT id, code, note, max_uses, uses, expires_at, created_at FROM invites ORDER BY id DESC"
    )
    .fetch_all(conn)
    .await
    })
}

pub async fn delete(tx: &mut super::Tx<'_>, id: &str) -> Result<bool, sqlx::Error> {
    let n = super::on_tx!(tx, |conn| sqlx::query("DELETE FROM invites WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Whether `code` can be used now (read only: the sign-up checks before it hashes a password).
pub async fn usable(pool: &super::Pool, code: &str, now: i64) -> Result<bool, sqlx::Error> {
    let found: Option<String> = super::on!(pool, |conn| sqlx::query_scalar(
        "SELECT id FROM invites WHERE code = $1 AND uses < max_uses
           AND (expires_at IS NULL OR expires_at > $2)"
    )
    .bind(code)
    .bind(now)
    .fetch_optional(conn)
    .await)?;
    Ok(found.is_some())
}

/// Uses `code` once, in the transaction that creates the account: its id, or None when the code
/// is unknown, expired or used up. One conditional update, so that parallel sign-ups never use
/// a code more often than it allows.
pub async fn take(
    tx: &mut super::Tx<'_>,
    code: &str,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    super::on_tx!(tx, |conn| sqlx::query_scalar(
        "UPDATE invites SET uses = uses + 1
         WHERE code = $1 AND uses < max_uses AND (expires_at IS NULL OR expires_at > $2)
         RETURNING id"
    )
    .bind(code)
    .bind(now)
    .fetch_optional(conn)
    .await)
}
