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

/// Appends an entry and returns the new balance. The `balance >= 0` CHECK and the unique
/// `(task_id, reason)` index make the database itself refuse overdrafts and second refunds.
pub async fn append(tx: &mut Tx<'_>, e: NewEntry<'_>, now: i64) -> Result<i64, AppendError> {
    let balance: i64 = sqlx::query_scalar(
        "UPDATE users SET balance = balance + ?1 WHERE id = ?2 RETURNING balance",
    )
    .bind(e.delta)
    .bind(e.user_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(|err| {
        if super::is_check_violation(&err) {
            AppendError::WouldGoNegative
        } else {
            AppendError::Db(err)
        }
    })?;
    sqlx::query(
        "INSERT INTO credit_entries (id, user_id, delta, reason, task_id, note, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(super::new_id())
    .bind(e.user_id)
    .bind(e.delta)
    .bind(e.reason.as_str())
    .bind(e.task_id)
    .bind(e.note)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|err| {
        if super::is_unique_violation(&err) {
            AppendError::Duplicate
        } else {
            AppendError::Db(err)
        }
    })?;
    Ok(balance)
}
