//! /api/v1/midjourney: config, generate, tasks, actions, images and the notify hook.

use super::{ApiJson, query};
use crate::{
    auth::CurrentUser,
    db,
    error::AppError,
    services::{
        generation,
        settings::{self, ConfigPatch},
    },
    startup::AppState,
    types::TaskView,
    upstream::wire,
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/midjourney/config",
            get(get_config).post(set_config),
        )
        .route("/api/v1/midjourney/config/test", post(test_config))
        .route("/api/v1/midjourney/generate", post(generate))
        .route("/api/v1/midjourney/tasks", get(list))
        .route("/api/v1/midjourney/task/{id}", get(task).delete(cancel))
        .route("/api/v1/midjourney/task/{id}/action", post(action))
        .route("/api/v1/midjourney/task/{id}/image", get(image))
        .route("/api/v1/midjourney/task/{id}/thumbnail", get(thumbnail))
        .route("/api/v1/midjourney/task/{id}/preview", get(preview))
        .route("/api/v1/midjourney/notify/{token}", post(notify))
}

async fn get_config(State(s): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let view = settings::view(&s.pool, &s.engine.secrets, user.is_admin()).await?;
    Ok(Json(view).into_response())
}

async fn set_config(
    State(s): State<AppState>,
    user: CurrentUser,
    ApiJson(patch): ApiJson<ConfigPatch>,
) -> Result<Response, AppError> {
    let view = settings::update(&s.pool, &s.engine.secrets, &user, patch).await?;
    tracing::info!(admin_id = %user.id, "settings changed");
    Ok(Json(view).into_response())
}

#[derive(Deserialize, Default)]
struct TestConfig {
    api_url: Option<String>,
    api_secret: Option<String>,
}

async fn test_config(
    State(s): State<AppState>,
    user: CurrentUser,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    user.require_admin()?;
    // The body is optional: empty tests the saved settings.
    let body: TestConfig = if body.iter().all(u8::is_ascii_whitespace) {
        TestConfig::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::BadRequest(e.to_string()))?
    };
    let report = crate::services::connection::test(
        &s.engine,
        body.api_url.as_deref(),
        body.api_secret.as_deref(),
    )
    .await?;
    Ok(Json(report).into_response())
}

#[derive(Deserialize)]
struct Generate {
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    mode: String,
}

/// `{"task": ...}`, written straight from the view (no JSON tree in between).
#[derive(serde::Serialize)]
struct TaskAnswer {
    task: TaskView,
}

fn created(task: TaskView) -> Response {
    (StatusCode::CREATED, Json(TaskAnswer { task })).into_response()
}

async fn generate(
    State(s): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<Generate>,
) -> Result<Response, AppError> {
    Ok(created(
        generation::submit(&s.engine, &user, &body.prompt, &body.mode).await?,
    ))
}

async fn task(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let task = generation::get(&s.engine, &user, &id).await?;
    Ok(Json(TaskAnswer { task }).into_response())
}

async fn list(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let limit = query::limit(&q)?;
    let (tasks, next) = generation::list(
        &s.engine,
        &user,
        q.get("status").map(String::as_str),
        limit,
        q.get("cursor")
            .map(String::as_str)
            .filter(|c| !c.is_empty()),
    )
    .await?;
    Ok(Json(json!({ "tasks": tasks, "next_cursor": next })).into_response())
}

async fn cancel(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let task = generation::cancel(&s.engine, &user, &id).await?;
    Ok(Json(TaskAnswer { task }).into_response())
}

#[derive(Deserialize)]
struct Action {
    #[serde(default)]
    custom_id: String,
}

async fn action(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Action>,
) -> Result<Response, AppError> {
    Ok(created(
        generation::action(&s.engine, &user, &id, &body.custom_id).await?,
    ))
}

enum Which {
    Image,
    Thumbnail,
    Preview,
}

async fn serve(
    s: &AppState,
    user: &CurrentUser,
    id: &str,
    which: Which,
) -> Result<Response, AppError> {
    let row = generation::visible(&s.engine, user, id).await?;
    let (key, cache) = match which {
        // A task's final image and thumbnail never change once set.
        Which::Image => (row.image_key, "private, max-age=31536000, immutable"),
        Which::Thumbnail => (row.thumb_key, "private, max-age=31536000, immutable"),
        Which::Preview => (row.preview_key, "private, no-cache"),
    };
    let key = key.ok_or(AppError::NotFound)?;
    let (bytes, mime) = s.engine.images.read(&key).await.ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, cache),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        bytes,
    )
        .into_response())
}

async fn image(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    serve(&s, &user, &id, Which::Image).await
}

async fn thumbnail(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    serve(&s, &user, &id, Which::Thumbnail).await
}

async fn preview(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    serve(&s, &user, &id, Which::Preview).await
}

/// The upstream's push of a task change: fed to the same update function as polling.
async fn notify(
    State(s): State<AppState>,
    Path(token): Path<String>,
    Json(body): Json<Value>,
) -> Result<StatusCode, AppError> {
    if !crate::auth::token::same(&token, &s.engine.notify_token) {
        return Err(AppError::NotFound);
    }
    let Ok(up) = serde_json::from_value::<wire::Task>(body) else {
        return Ok(StatusCode::OK);
    };
    let row = db::tasks::find_by_upstream(&s.pool, &up.id)
        .await
        .map_err(crate::services::internal)?;
    if let Some(row) = row {
        let settings = s.engine.settings().await?;
        let target = s.engine.target(&settings).await?;
        generation::apply_update(&s.engine, &row, &up, target.trusted_host.as_deref()).await?;
    }
    Ok(StatusCode::OK)
}
