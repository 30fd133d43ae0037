//! Business rules and transactions: plain async Rust over `db/`, no HTTP and no Leptos.

pub mod accounts;
pub mod admin;
pub mod api_keys;
pub mod channels;
pub mod connection;
pub mod credits;
pub mod engines;
pub mod generation;
pub mod invites;
pub mod library;
pub mod lifecycle;
pub mod settings;
pub mod sharing;
pub mod task_views;
pub mod templates;
pub mod uploads;

use crate::error::AppError;

/// What can go wrong in a service: an answer for the user ([`AppError`]: refused, not found...),
/// or a fault with its cause and what the service was doing. It becomes an `AppError` in one
/// place ([`From`] below), which logs a fault's whole cause chain once and tells the client only
/// that something went wrong.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Answer(#[from] AppError),
    #[error("{context}")]
    Database {
        context: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("{context}")]
    Ledger {
        context: &'static str,
        #[source]
        source: crate::db::ledger::AppendError,
    },
    #[error("{context}")]
    Images {
        context: &'static str,
        #[source]
        source: crate::images::ImageError,
    },
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Answer(answer) => answer,
            fault => {
                let mut chain = fault.to_string();
                let mut cause = std::error::Error::source(&fault);
                while let Some(c) = cause {
                    chain.push_str(": ");
                    chain.push_str(&c.to_string());
                    cause = c.source();
                }
                tracing::error!(error = %chain, "internal error");
                AppError::Internal
            }
        }
    }
}

/// Says what a service was doing when a call failed: `db::tasks::get(..).await.context("reading
/// the task")?`.
pub trait Context<T> {
    fn context(self, context: &'static str) -> Result<T, ServiceError>;
}

impl<T> Context<T> for Result<T, sqlx::Error> {
    fn context(self, context: &'static str) -> Result<T, ServiceError> {
        self.map_err(|source| ServiceError::Database { context, source })
    }
}

impl<T> Context<T> for Result<T, crate::db::ledger::AppendError> {
    fn context(self, context: &'static str) -> Result<T, ServiceError> {
        self.map_err(|source| ServiceError::Ledger { context, source })
    }
}

impl<T> Context<T> for Result<T, crate::images::ImageError> {
    fn context(self, context: &'static str) -> Result<T, ServiceError> {
        self.map_err(|source| ServiceError::Images { context, source })
    }
}

/// Logs an unexpected failure with its cause and hides it from the client (for failures that
/// are neither a database nor an image-store error).
pub fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "internal error");
    AppError::Internal
}

/// A whole number within `min..=max`, or a 422 naming `field`.
pub(crate) fn whole(field: &str, v: i64, (min, max): (i64, i64)) -> Result<i64, AppError> {
    if (min..=max).contains(&v) {
        Ok(v)
    } else {
        Err(AppError::range(field, min, max))
    }
}

/// A short text as typed, trimmed: at most `max` characters, none of them control characters
/// (a 422 naming `field` otherwise). It may be empty.
pub(crate) fn text<'a>(field: &str, raw: &'a str, max: usize) -> Result<&'a str, AppError> {
    use crate::error::Rule;
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(AppError::invalid(field, Rule::TooLong { max: max as u32 }));
    }
    if text.chars().any(char::is_control) {
        return Err(AppError::invalid(field, Rule::ControlCharacters));
    }
    Ok(text)
}

/// A text of several lines as typed, trimmed: at most `max` characters, and no control
/// characters but line breaks and tabs (a 422 naming `field` otherwise). It may be empty.
pub(crate) fn lines<'a>(field: &str, raw: &'a str, max: usize) -> Result<&'a str, AppError> {
    use crate::error::Rule;
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(AppError::invalid(field, Rule::TooLong { max: max as u32 }));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(AppError::invalid(field, Rule::ControlCharacters));
    }
    Ok(text)
}

/// [`text`] that may not be empty.
pub(crate) fn required_text<'a>(
    field: &str,
    raw: &'a str,
    max: usize,
) -> Result<&'a str, AppError> {
    if raw.trim().is_empty() {
        return Err(AppError::invalid(field, crate::error::Rule::Required));
    }
    text(field, raw, max)
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

#[cfg(test)]
mod tests {
    use super::{Context, ServiceError};
    use crate::error::AppError;

    #[test]
    fn answers_pass_through_and_faults_become_internal_with_their_cause_logged() {
        let answer: AppError = ServiceError::from(AppError::NotFound).into();
        assert_eq!(answer, AppError::NotFound);
        let fault: Result<(), sqlx::Error> = Err(sqlx::Error::RowNotFound);
        let e = fault.context("reading the task").unwrap_err();
        assert_eq!(e.to_string(), "reading the task");
        assert!(std::error::Error::source(&e).is_some(), "the cause is kept");
        assert_eq!(AppError::from(e), AppError::Internal);
    }
}
