//! Business rules and transactions: plain async Rust over `db/`, no HTTP and no Leptos.

pub mod accounts;
pub mod credits;
pub mod generation;
pub mod settings;

use crate::error::AppError;

/// Logs an unexpected failure with its cause and hides it from the client.
pub fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "internal error");
    AppError::Internal
}
