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
        let body = serde_json::json!({
            "error": {
                "code": self.code(),
                "message": self.to_string(),
                "field": self.field(),
            }
        });
        let mut res = (status, Json(body)).into_response();
        if matches!(self, AppError::Busy) {
            // The wait for a password hash is at most a few seconds.
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("3"),
            );
        }
        res
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}
