//! Admin-edited settings, with their defaults.

use crate::{db, error::AppError, types::Role};
use sqlx::SqlitePool;

pub const NEW_USER_ROLE: &str = "new_user_role";
pub const SIGNUP_CREDITS: &str = "signup_credits";

/// Credits a new account receives unless the admin set otherwise.
pub const DEFAULT_SIGNUP_CREDITS: i64 = 100;

/// The role of accounts created after the first: `user`, or `pending` (needs approval).
pub async fn new_user_role(pool: &SqlitePool) -> Result<Role, AppError> {
    let v = db::settings::get(pool, NEW_USER_ROLE)
        .await
        .map_err(super::internal)?;
    Ok(match v.as_deref().and_then(Role::parse) {
        Some(Role::Pending) => Role::Pending,
        _ => Role::User,
    })
}

pub async fn signup_credits(pool: &SqlitePool) -> Result<i64, AppError> {
    let v = db::settings::get(pool, SIGNUP_CREDITS)
        .await
        .map_err(super::internal)?;
    Ok(v.and_then(|v| v.parse().ok())
        .filter(|n: &i64| *n >= 0)
        .unwrap_or(DEFAULT_SIGNUP_CREDITS))
}
