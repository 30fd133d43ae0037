//! /api/v1/uploads: images users bring (rest-api.md, "Uploads").

use crate::{
    auth::CurrentUser,
    error::AppError,
    services::uploads::{self, MAX_UPLOAD_BYTES},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Multipart, Path, State, multipart::Field},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};

/// The most a multipart body may hold: two images (an edit's picture and its mask) and its
/// text fields. A file over [`MAX_UPLOAD_BYTES`] is refused as it arrives, before this.
pub const MAX_MULTIPART_BYTES: usize = 2 * MAX_UPLOAD_BYTES + 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/uploads",
            post(create).layer(DefaultBodyLimit::max(MAX_MULTIPART_BYTES)),
        )
        .route("/api/v1/uploads/{id}", get(file).delete(remove))
}

/// A multipart reading error: a body over the limit is a file too large; the rest is a request
/// that is not the multipart form it should be.
pub(super) fn unreadable(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        uploads::too_large()
    } else {
        AppError::BadRequest(format!(
            "The multipart form could not be read: {}",
            e.body_text()
        ))
    }
}

/// A file part, read chunk by chunk and refused once it passes [`MAX_UPLOAD_BYTES`].
pub(super) async fn file_part(mut field: Field<'_>) -> Result<bytes::Bytes, AppError> {
    let mut bytes = bytes::BytesMut::new();
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
            return Err(uploads::too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.freeze())
}

async fn create(
    State(s): State<AppState>,
    user: CurrentUser,
    mut form: Multipart,
) -> Result<Response, AppError> {
    // Room for the body before a byte of it is read.
    let _admitted = uploads::admit(&s.engine, &user, MAX_UPLOAD_BYTES).await?;
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") && file.is_none() {
            file = Some(file_part(field).await?);
        }
    }
    let file = file.ok_or_else(|| AppError::invalid("file", crate::error::Rule::Required))?;
    let upload = uploads::create(&s.engine, &user, file).await?;
    Ok((StatusCode::CREATED, Json(upload)).into_response())
}

async fn file(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let upload = uploads::visible(&s.engine, &user, &id).await?;
    super::tasks::stored_file(&s, &upload.key, "private, max-age=31536000, immutable").await
}

async fn remove(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    uploads::delete(&s.engine, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
