//! `AppError` as an HTTP answer: `{"error": {"code", "message", "field"}}` with the status of
//! rest-api.md. Details of 5xx errors are logged where they happen, never sent.

use crate::error::AppError;
use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::json!({ "error": detail(&self) });
        let mut res = (status, Json(body)).into_response();
        // When to come back: the wait for a password hash is at most a few seconds; the log-in
        // limit's window is a minute, the sign-up limit's an hour.
        let retry = match self {
            AppError::Busy => Some("3"),
            AppError::RateLimited => Some("60"),
            AppError::TooManySignups => Some("3600"),
            _ => None,
        };
        if let Some(secs) = retry {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(secs),
            );
        }
        res
    }
}

/// The `{code, message, field}` of an error (also each failure of a bulk operation).
pub fn detail(e: &AppError) -> serde_json::Value {
    serde_json::json!({
        "code": e.code(),
        "message": e.to_string(),
        "field": e.field(),
    })
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}
