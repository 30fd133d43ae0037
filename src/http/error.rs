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
        (status, Json(body)).into_response()
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}
