//! The credits ledger: append-only entries, and the cached balance updated in the same transaction.

use super::Tx;

/// Why a ledger entry was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Signup,
    Charge,
    Refund,
    Grant,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signup => "signup",
            Self::Charge => "charge",
            Self::Refund => "refund",
            Self::Grant => "grant",
        }
    }
}

pub struct NewEntry<'a> {
    pub user_id: &'a str,
    pub delta: i64,
    pub reason: Reason,
    pub task_id: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// Why an entry could not be appended.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    #[error("the balance would go below zero")]
    WouldGoNegative,
    #[error("this task already has an entry of this kind")]
    Duplicate,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Appends an entry and returns the new balance. The entry goes first, so a duplicate fails
/// before the balance is touched. The `balance >= 0` CHECK and the unique
/// `(task_id, reason)` index make the database itself refuse overdrafts and second refunds.
pub async fn append(tx: &mut Tx<'_>, e: NewEntry<'_>, now: i64) -> Result<i64, AppendError> {
    super::on_tx!(tx, |conn| sqlx::query(
        "INSERT INTO credit_entries (id, user_id, delta, reason, task_id, note, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(super::new_id())
    .bind(e.user_id)
    .bind(e.delta)
    .bind(e.reason.as_str())
    .bind(e.task_id)
    .bind(e.note)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
    .map_err(|err| {
        if super::is_unique_violation(&err) {
            AppendError::Duplicate
        } else {
            AppendError::Db(err)
        }
    })?;
    let balance: i64 = super::on_tx!(tx, |conn| sqlx::query_scalar(
        "UPDATE users SET balance = balance + $1 WHERE id = $2 RETURNING balance",
    )
    .bind(e.delta)
    .bind(e.user_id)
    .fetch_one(conn)
    .await)
    .map_err(|err| {
        if super::is_check_violation(&err) {
            AppendError::WouldGoNegative
        } else {
            AppendError::Db(err)
        }
    })?;
    Ok(balance)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    pub id: String,
    pub delta: i64,
    pub reason: String,
    pub task_id: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
}

/// A user's entries, newest first, strictly older than `before` (an id) when given.
pub async fn list_of_user(
    pool: &super::Pool,
    user_id: &str,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<EntryRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(
        "SELECT id, delta, reason, task_id, note, created_at FROM credit_entries
         WHERE user_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
    )
    .bind(user_id)
    .bind(before)
    .bind(limit)
    .fetch_all(conn)
    .await)
}
