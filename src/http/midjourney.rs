//! /api/v1/midjourney: config, generate, tasks, actions, images and the notify hook.

use super::{ApiJson, query};
use crate::{
    auth::CurrentUser,
    error::AppError,
    services::{
        generation,
        settings::{self, ConfigPatch},
        task_views::Form,
    },
    state::AppState,
    types::TaskView,
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;
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
        // image, thumbnail, preview; image/{n}, thumbnail/{n}
        .route(
            "/api/v1/midjourney/task/{id}/{file}",
            get(super::tasks::file),
        )
        .route(
            "/api/v1/midjourney/task/{id}/{file}/{n}",
            get(super::tasks::file_n),
        )
        .route("/api/v1/midjourney/notify/{token}", post(notify))
}

async fn get_config(State(s): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let view = settings::view(&s.engine, user.is_admin()).await?;
    Ok(Json(view).into_response())
}

async fn set_config(
    State(s): State<AppState>,
    user: CurrentUser,
    ApiJson(patch): ApiJson<ConfigPatch>,
) -> Result<Response, AppError> {
    let view = settings::update(&s.engine, &user, patch).await?;
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

/// The facade's answers name its own routes for a task's files.
fn facade(mut task: TaskView) -> TaskView {
    let ours = |url: &mut String| {
        if let Some(rest) = url.strip_prefix("/api/v1/tasks/") {
            *url = format!("/api/v1/midjourney/task/{rest}");
        }
    };
    for url in [
        task.image_url.as_mut(),
        task.preview_url.as_mut(),
        task.thumbnail_url.as_mut(),
    ]
    .into_iter()
    .flatten()
    {
        ours(url);
    }
    for image in &mut task.images {
        ours(&mut image.url);
        if let Some(t) = image.thumbnail_url.as_mut() {
            ours(t);
        }
    }
    task
}

fn answer(status: StatusCode, task: TaskView) -> Response {
    super::tasks::answer(status, facade(task))
}

async fn generate(
    State(s): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<Generate>,
) -> Result<Response, AppError> {
    Ok(answer(
        StatusCode::CREATED,
        generation::submit(&s.engine, &user, &body.prompt, &body.mode).await?,
    ))
}

async fn task(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let task = generation::shown(&s.engine, &user, &id).await?;
    Ok(super::tasks::shown(&task, Form::Midjourney, |view| {
        super::tasks::encode(&facade(view.clone()))
    }))
}

async fn list(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let limit = query::limit(&q)?;
    let query = generation::ListQuery {
        engine: Some("midjourney"),
        status: q.get("status").map(String::as_str),
        cursor: q
            .get("cursor")
            .map(String::as_str)
            .filter(|c| !c.is_empty()),
        ..Default::default()
    };
    let (tasks, next) = generation::list(&s.engine, &user, query, limit).await?;
    let tasks: Vec<TaskView> = tasks.into_iter().map(facade).collect();
    Ok(Json(json!({ "tasks": tasks, "next_cursor": next })).into_response())
}

async fn cancel(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let task = generation::cancel(&s.engine, &user, &id).await?;
    Ok(answer(StatusCode::OK, task))
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
    let press = generation::Press {
        custom_id: &body.custom_id,
        ..Default::default()
    };
    let pressed = generation::action(&s.engine, &user, &id, press).await?;
    Ok(super::tasks::pressed(pressed, facade))
}

/// The most a notification may weigh: a task's JSON is a few kilobytes.
const NOTIFY_MAX_BYTES: usize = 64 * 1024;

/// The upstream's push of a task change. The hook's secret is checked before the body is read,
/// the body is bounded, and what it says is not believed: the URL travels through the upstream
/// and its logs, so a push only names the task, which is then fetched from its own channel
/// (`worker::refresh`) and that answer applied, with every check of a poll.
async fn notify(
    State(s): State<AppState>,
    Path(token): Path<String>,
    request: axum::extract::Request,
) -> Result<StatusCode, AppError> {
    if !crate::auth::token::same(&token, &s.engine.notify_token) {
        return Err(AppError::NotFound);
    }
    let body = axum::body::to_bytes(request.into_body(), NOTIFY_MAX_BYTES)
        .await
        .map_err(|_| {
            AppError::BadRequest(format!(
                "A notification is at most {} KiB.",
                NOTIFY_MAX_BYTES / 1024
            ))
        })?;
    let Ok(up) = serde_json::from_slice::<crate::engines::midjourney::wire::Task>(&body) else {
        return Ok(StatusCode::OK);
    };
    crate::worker::refresh(&s.engine, &up.id).await?;
    Ok(StatusCode::OK)
}
