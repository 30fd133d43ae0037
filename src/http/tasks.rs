//! /api/v1/tasks: the engine-neutral tasks of rest-api.md, and the files of a task.

use super::{ApiJson, query};
use crate::{
    auth::CurrentUser,
    error::AppError,
    services::generation::{self, NewJob, Pressed},
    services::task_views::Form,
    state::AppState,
    types::TaskView,
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tasks", get(list).post(submit))
        .route("/api/v1/tasks/batch", post(batch))
        .route("/api/v1/tasks/{id}", get(task).delete(delete))
        .route("/api/v1/tasks/{id}/cancel", post(cancel))
        .route("/api/v1/tasks/{id}/action", post(action))
        .route(
            "/api/v1/tasks/{id}/favorite",
            axum::routing::put(star).delete(unstar),
        )
        // image, thumbnail, preview; image/{n}, thumbnail/{n}
        .route("/api/v1/tasks/{id}/{file}", get(file))
        .route("/api/v1/tasks/{id}/{file}/{n}", get(file_n))
}

/// `{"task": ...}`, written straight from the view (no JSON tree in between).
#[derive(serde::Serialize)]
struct TaskAnswer {
    task: TaskView,
}

pub(super) fn answer(status: StatusCode, task: TaskView) -> Response {
    (status, Json(TaskAnswer { task })).into_response()
}

/// `{"task": ...}` as JSON.
pub(super) fn encode(task: &TaskView) -> axum::body::Bytes {
    #[derive(serde::Serialize)]
    struct Answer<'a> {
        task: &'a TaskView,
    }
    serde_json::to_vec(&Answer { task })
        .expect("a task view is always encodable")
        .into()
}

/// A kept view's answer, encoded once in this `form` (see `services::task_views`).
pub(super) fn shown(
    shown: &crate::services::task_views::Shown,
    form: crate::services::task_views::Form,
    encode: impl FnOnce(&TaskView) -> axum::body::Bytes,
) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        shown.encoded(form, encode),
    )
        .into_response()
}

/// What pressing a button answers: 201 with a new child, 200 with the existing child or with the
/// task that went on with the user's input.
pub(super) fn pressed(p: Pressed, shown: impl Fn(TaskView) -> TaskView) -> Response {
    match p {
        Pressed::Created(t) => answer(StatusCode::CREATED, shown(t)),
        Pressed::Existing(t) | Pressed::Continued(t) => answer(StatusCode::OK, shown(t)),
    }
}

async fn submit(
    State(s): State<AppState>,
    user: CurrentUser,
    ApiJson(job): ApiJson<NewJob>,
) -> Result<Response, AppError> {
    let task = generation::submit_job(&s.engine, &user, &job).await?;
    Ok(answer(StatusCode::CREATED, task))
}

/// `POST /api/v1/tasks/batch`: a submit's fields, with `prompts` (a list) or `prompt` (whose
/// `{a, b}` permutations make the list).
#[derive(Deserialize)]
struct BatchJob {
    #[serde(flatten)]
    job: NewJob,
    #[serde(default)]
    prompts: Option<Vec<String>>,
}

#[derive(serde::Serialize)]
struct TasksAnswer {
    tasks: Vec<TaskView>,
}

async fn batch(
    State(s): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<BatchJob>,
) -> Result<Response, AppError> {
    let tasks = generation::submit_batch(&s.engine, &user, &b.job, b.prompts.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(TasksAnswer { tasks })).into_response())
}

async fn task(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let task = generation::shown(&s.engine, &user, &id).await?;
    Ok(shown(&task, Form::Tasks, encode))
}

async fn list(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let limit = query::limit(&q)?;
    let arg = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let query = generation::ListQuery {
        engine: arg("engine"),
        status: arg("status"),
        q: arg("q"),
        favorite: arg("favorite"),
        batch: arg("batch"),
        collection: arg("collection"),
        mode: arg("mode"),
        from: arg("from"),
        to: arg("to"),
        cursor: arg("cursor"),
    };
    let (tasks, next) = generation::list(&s.engine, &user, query, limit).await?;
    Ok(Json(serde_json::json!({ "tasks": tasks, "next_cursor": next })).into_response())
}

async fn star(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    generation::set_favorite(&s.engine, &user, &id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unstar(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    generation::set_favorite(&s.engine, &user, &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn cancel(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    Ok(answer(
        StatusCode::OK,
        generation::cancel(&s.engine, &user, &id).await?,
    ))
}

async fn delete(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    generation::delete(&s.engine, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Action {
    #[serde(default)]
    custom_id: String,
    #[serde(default)]
    prompt: Option<String>,
    #[serde(default)]
    mask: Option<serde_json::Value>,
    #[serde(default)]
    zoom: Option<f64>,
}

async fn action(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Action>,
) -> Result<Response, AppError> {
    let mask = body
        .mask
        .as_ref()
        .filter(|m| !m.is_null())
        .map(generation::Mask::from_json)
        .transpose()?;
    let press = generation::Press {
        custom_id: &body.custom_id,
        prompt: body.prompt.as_deref(),
        mask: mask.as_ref(),
        zoom: body.zoom,
    };
    let pressed = generation::action(&s.engine, &user, &id, press).await?;
    Ok(self::pressed(pressed, |t| t))
}

#[derive(Clone, Copy)]
enum Which {
    Image,
    Thumbnail,
    Preview,
}

impl Which {
    fn parse(file: &str) -> Result<Self, AppError> {
        match file {
            "image" => Ok(Self::Image),
            "thumbnail" => Ok(Self::Thumbnail),
            "preview" => Ok(Self::Preview),
            _ => Err(AppError::NotFound),
        }
    }
}

/// A task's stored file: the n-th output (the first when `n` is None), its thumbnail, or the
/// latest preview.
async fn serve(
    s: &AppState,
    user: &CurrentUser,
    id: &str,
    which: Which,
    n: Option<usize>,
) -> Result<Response, AppError> {
    let row = generation::visible(&s.engine, user, id).await?;
    let output = row.outputs.get(n.unwrap_or(0));
    let (key, cache) = match which {
        // A task's outputs and thumbnails never change once set.
        Which::Image => (
            output.map(|o| o.key.clone()),
            "private, max-age=31536000, immutable",
        ),
        Which::Thumbnail => (
            output.and_then(|o| o.thumb.clone()),
            "private, max-age=31536000, immutable",
        ),
        Which::Preview if n.is_none() => (row.preview_key.clone(), "private, no-cache"),
        Which::Preview => return Err(AppError::NotFound),
    };
    stored_file(s, &key.ok_or(AppError::NotFound)?, cache).await
}

/// A file of the image store as a streamed answer.
pub(super) async fn stored_file(
    s: &AppState,
    key: &str,
    cache: &str,
) -> Result<Response, AppError> {
    let file = s
        .engine
        .images
        .open_file(key)
        .await
        .map_err(crate::services::internal)?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, file.mime.to_owned()),
            (header::CONTENT_LENGTH, file.size.to_string()),
            (header::CACHE_CONTROL, cache.to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        axum::body::Body::from_stream(file.body),
    )
        .into_response())
}

/// `/image`, `/thumbnail`, `/preview` of a task (also the facade's).
pub async fn file(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    serve(&s, &user, &id, Which::parse(&file)?, None).await
}

/// `/image/{n}`, `/thumbnail/{n}` of a task (also the facade's).
pub async fn file_n(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, file, n)): Path<(String, String, usize)>,
) -> Result<Response, AppError> {
    serve(&s, &user, &id, Which::parse(&file)?, Some(n)).await
}
