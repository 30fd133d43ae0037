//! /api/v1/channels: the admin's upstreams (rest-api.md, "Engines and channels").

use super::ApiJson;
use crate::{
    auth::CurrentUser,
    error::AppError,
    services::channels::{self, ChannelPatch},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/channels", get(list).post(create))
        .route(
            "/api/v1/channels/{id}",
            axum::routing::patch(update).delete(remove),
        )
        .route("/api/v1/channels/{id}/test", post(test))
}

async fn list(State(s): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let channels = channels::list(&s.engine, &user).await?;
    Ok(Json(json!({ "channels": channels })).into_response())
}

async fn create(
    State(s): State<AppState>,
    user: CurrentUser,
    ApiJson(patch): ApiJson<ChannelPatch>,
) -> Result<Response, AppError> {
    let channel = channels::create(&s.engine, &user, patch).await?;
    Ok((StatusCode::CREATED, Json(json!({ "channel": channel }))).into_response())
}

async fn update(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ChannelPatch>,
) -> Result<Response, AppError> {
    let channel = channels::update(&s.engine, &user, &id, patch).await?;
    Ok(Json(json!({ "channel": channel })).into_response())
}

async fn remove(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    channels::remove(&s.engine, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
struct TestBody {
    api_url: Option<String>,
    api_secret: Option<String>,
}

async fn test(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    // The body is optional: empty tests the channel as saved.
    let body: TestBody = if body.iter().all(u8::is_ascii_whitespace) {
        TestBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(e.to_string()))?
    };
    let report = channels::test(
        &s.engine,
        &user,
        &id,
        body.api_url.as_deref(),
        body.api_secret.as_deref(),
    )
    .await?;
    Ok(Json(report).into_response())
}
