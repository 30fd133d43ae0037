//! /api/v1/invites: the admins' invite codes for sign-up by invitation.

use super::ApiJson;
use crate::{auth::CurrentUser, error::AppError, services::invites, state::AppState};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{delete, get},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/invites", get(list_invites).post(create_invite))
        .route("/api/v1/invites/{id}", delete(delete_invite))
}

async fn list_invites(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let list = invites::list(&state.pool, &user).await?;
    Ok(Json(serde_json::json!({ "invites": list })).into_response())
}

async fn create_invite(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<invites::InviteRequest>,
) -> Result<Response, AppError> {
    let invite = invites::create(&state.pool, &user, body).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "invite": invite })),
    )
        .into_response())
}

async fn delete_invite(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    invites::delete(&state.pool, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
