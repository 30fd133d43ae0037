//! Balances, the ledger, and what admins do to accounts.

use crate::db::Pool;
use crate::{
    auth::{CurrentUser, user_view},
    db::{self, ledger},
    error::{AppError, Conflict, Rule},
    limits,
    types::{Role, UserView},
};

pub use crate::types::LedgerEntry as EntryView;

/// An account's balance now.
pub async fn balance(pool: &Pool, user_id: &str) -> Result<i64, AppError> {
    db::users::find_by_id(pool, user_id)
        .await
        .map_err(super::internal)?
        .map(|u| u.balance)
        .ok_or(AppError::NotFound)
}

/// The balance and a page of the ledger, newest first, with the next page's cursor.
pub async fn entries(
    pool: &Pool,
    user_id: &str,
    limit: i64,
    cursor: Option<&str>,
) -> Result<(i64, Vec<EntryView>, Option<String>), AppError> {
    if !(1..=100).contains(&limit) {
        return Err(AppError::range("limit", 1, 100));
    }
    let balance = balance(pool, user_id).await?;
    let rows = ledger::list_of_user(pool, user_id, cursor, limit + 1)
        .await
        .map_err(super::internal)?;
    let more = rows.len() as i64 > limit;
    let entries: Vec<EntryView> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| EntryView {
            id: r.id,
            delta: r.delta,
            reason: r.reason,
            note: r.note,
            task_id: r.task_id,
            created_at: super::generation::rfc3339(r.created_at),
        })
        .collect();
    let next = if more {
        entries.last().map(|e| e.id.clone())
    } else {
        None
    };
    Ok((balance, entries, next))
}

/// Adds (or, negative, removes) credits with a note; never below zero. Returns the new balance.
#[tracing::instrument(skip(pool, admin), fields(admin_id = %admin.id))]
pub async fn grant(
    pool: &Pool,
    admin: &CurrentUser,
    user_id: &str,
    delta: i64,
    note: &str,
) -> Result<i64, AppError> {
    admin.require_admin()?;
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::invalid("reason", Rule::Required));
    }
    if note.chars().count() > limits::NOTE_MAX_CHARS {
        return Err(AppError::invalid(
            "reason",
            Rule::TooLong {
                max: limits::NOTE_MAX_CHARS as u32,
            },
        ));
    }
    if delta == 0 {
        return Err(AppError::invalid("delta", Rule::NonZero));
    }
    if delta.abs() > limits::GRANT_MAX {
        return Err(AppError::range(
            "delta",
            -limits::GRANT_MAX,
            limits::GRANT_MAX,
        ));
    }
    let mut tx = begin_for(pool, user_id).await?;
    let entry = ledger::NewEntry {
        user_id,
        delta,
        reason: ledger::Reason::Grant,
        task_id: None,
        note: Some(note),
    };
    let balance = match ledger::append(&mut tx, entry, db::now_ms()).await {
        Ok(b) => b,
        Err(ledger::AppendError::WouldGoNegative) => {
            return Err(AppError::invalid("delta", Rule::BelowZero));
        }
        Err(e) => return Err(super::internal(e)),
    };
    super::audit(
        &mut tx,
        admin,
        "credits.grant",
        Some(user_id),
        &format!("{delta:+} ({note})"),
    )
    .await?;
    tx.commit().await.map_err(super::internal)?;
    tracing::info!(user_id, delta, "credits granted");
    Ok(balance)
}

/// A write transaction about an account that exists (NotFound otherwise).
async fn begin_for<'a>(pool: &'a Pool, user_id: &str) -> Result<db::Tx<'a>, AppError> {
    let mut tx = pool.begin_write().await.map_err(super::internal)?;
    if !db::users::lock(&mut tx, user_id)
        .await
        .map_err(super::internal)?
    {
        return Err(AppError::NotFound);
    }
    Ok(tx)
}

#[tracing::instrument(skip(pool, sessions, admin), fields(admin_id = %admin.id))]
pub async fn set_role(
    pool: &Pool,
    sessions: &crate::auth::SessionCache,
    admin: &CurrentUser,
    user_id: &str,
    role: &str,
) -> Result<UserView, AppError> {
    admin.require_admin()?;
    let role = Role::parse(role.trim()).ok_or_else(|| {
        AppError::invalid(
            "role",
            Rule::OneOf {
                options: vec!["admin".into(), "user".into(), "pending".into()],
            },
        )
    })?;
    let mut tx = begin_for(pool, user_id).await?;
    let row = db::users::set_role(&mut tx, user_id, role.as_str())
        .await
        .map_err(super::internal)?
        .ok_or(AppError::Conflict(Conflict::LastAdmin))?;
    // An account that signed up to wait for approval gets its sign-up credits now, once.
    if role != Role::Pending
        && db::users::take_signup_credits_due(&mut tx, user_id)
            .await
            .map_err(super::internal)?
    {
        let credits = super::settings::load(pool).await?.signup_credits;
        super::accounts::give_signup_credits(&mut tx, user_id, credits, db::now_ms()).await?;
    }
    super::audit(&mut tx, admin, "role.change", Some(user_id), role.as_str()).await?;
    tx.commit().await.map_err(super::internal)?;
    sessions.forget_user(user_id);
    tracing::info!(user_id, role = role.as_str(), "role changed");
    Ok(user_view(&row))
}
