//! Business rules and transactions: plain async Rust over `db/`, no HTTP and no Leptos.

pub mod accounts;
pub mod admin;
pub mod api_keys;
pub mod channels;
pub mod connection;
pub mod credits;
pub mod generation;
pub mod lifecycle;
pub mod settings;

use crate::error::AppError;

/// Logs an unexpected failure with its cause and hides it from the client.
pub fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "internal error");
    AppError::Internal
}

/// Writes an admin action to the audit log, in the transaction of the change it records.
pub async fn audit(
    tx: &mut crate::db::Tx<'_>,
    actor: &crate::auth::CurrentUser,
    action: &str,
    target: Option<&str>,
    detail: &str,
) -> Result<(), AppError> {
    crate::db::audit::insert(tx, &actor.id, action, target, detail)
        .await
        .map_err(internal)
}
