//! Accounts.

use super::Tx;
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub password_hash: String,
    pub role: crate::types::Role,
    pub balance: i64,
    pub created_at: i64,
}

/// The columns of [`UserRow`], for `concat!` into static SQL.
macro_rules! user_columns {
    () => {
        "id, name, email, password_hash, role, balance, created_at"
    };
}

/// Inserts an account. The very first account becomes `admin` (decided inside the one statement,
/// so two simultaneous first sign-ups cannot both become admin); later ones get `later_role`.
/// Returns the role given.
pub async fn insert(
    tx: &mut Tx<'_>,
    id: &str,
    name: &str,
    email: &str,
    password_hash: &str,
    later_role: crate::types::Role,
    now: i64,
) -> Result<crate::types::Role, sqlx::Error> {
    super::on_tx!(tx, |conn| sqlx::query_scalar(
        "INSERT INTO users (id, name, email, password_hash, role, created_at)
         SELECT $1, $2, $3, $4,
                CASE WHEN EXISTS (SELECT 1 FROM users) THEN $5 ELSE 'admin' END, $6
         RETURNING role",
    )
    .bind(id)
    .bind(name)
    .bind(email)
    .bind(password_hash)
    .bind(later_role)
    .bind(now)
    .fetch_one(conn)
    .await)
}

pub async fn find_by_email(
    pool: &super::Pool,
    email: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE email = $1"
    ))
    .bind(email)
    .fetch_optional(conn)
    .await)
}

pub async fn find_by_id(pool: &super::Pool, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
}

pub async fn list(pool: &super::Pool) -> Result<Vec<UserRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users ORDER BY id"
    ))
    .fetch_all(conn)
    .await)
}

/// Changes a role, refusing (None) to leave the installation without an admin.
pub async fn set_role(
    tx: &mut Tx<'_>,
    id: &str,
    role: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    super::on_tx!(tx, |conn| {
        sqlx::query_as(concat!(
        "UPDATE users SET role = $2 WHERE id = $1
           AND ($2 = 'admin' OR role <> 'admin' OR (SELECT COUNT(*) FROM users WHERE role = 'admin') > 1)
         RETURNING ",
        user_columns!()
    ))
    .bind(id)
    .bind(role)
    .fetch_optional(conn)
    .await
    })
}

/// Locks an account's row until the transaction ends, so that writes about one account (a
/// submit's count of live tasks, its charge) happen one after the other on every instance.
/// False when there is no such account. (On SQLite the write transaction holds the database's
/// lock already.)
pub async fn lock(tx: &mut Tx<'_>, id: &str) -> Result<bool, sqlx::Error> {
    let sql = if tx.is_postgres() {
        "SELECT id FROM users WHERE id = $1 FOR UPDATE"
    } else {
        "SELECT id FROM users WHERE id = $1"
    };
    let found: Option<String> = super::on_tx!(tx, |conn| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(conn)
        .await)?;
    Ok(found.is_some())
}

/// Replaces an account's password hash.
pub async fn set_password(tx: &mut Tx<'_>, id: &str, hash: &str) -> Result<bool, sqlx::Error> {
    let n = super::on_tx!(tx, |conn| sqlx::query(
        "UPDATE users SET password_hash = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(hash)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Notes that the account's sign-up credits wait for its approval.
pub async fn owe_signup_credits(tx: &mut Tx<'_>, id: &str) -> Result<(), sqlx::Error> {
    super::on_tx!(tx, |conn| sqlx::query(
        "UPDATE users SET signup_credits_due = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(true)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes the note that the account's sign-up credits are due: true once, for the approval that
/// pays them.
pub async fn take_signup_credits_due(tx: &mut Tx<'_>, id: &str) -> Result<bool, sqlx::Error> {
    let n = super::on_tx!(tx, |conn| sqlx::query(
        "UPDATE users SET signup_credits_due = $2 WHERE id = $1 AND signup_credits_due = $3"
    )
    .bind(id)
    .bind(false)
    .bind(true)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Whether any account exists (the first one becomes the admin, whatever the sign-up settings).
pub async fn any(pool: &super::Pool) -> Result<bool, sqlx::Error> {
    let found: Option<String> = super::on!(pool, |conn| sqlx::query_scalar(
        "SELECT id FROM users LIMIT 1"
    )
    .fetch_optional(conn)
    .await)?;
    Ok(found.is_some())
}

/// Whether the account lets an administrator's app key act for it (`/v1` with Open WebUI's
/// forwarded email).
pub async fn allows_apps(pool: &super::Pool, id: &str) -> Result<bool, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_scalar(
        "SELECT allows_apps FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(conn)
    .await)
    .map(|v: Option<bool>| v.unwrap_or(false))
}

pub async fn set_allows_apps(
    pool: &super::Pool,
    id: &str,
    allowed: bool,
) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "UPDATE users SET allows_apps = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(allowed)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
