//! The library of rest-api.md: collections, bulk operations on tasks and their ZIP archive.

use super::ApiJson;
use crate::{
    auth::CurrentUser,
    error::AppError,
    services::library::{self, BulkOp, CollectionChange},
    state::AppState,
    types::CollectionView,
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use serde::{Deserialize, Deserializer};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/collections", get(list).post(create))
        .route(
            "/api/v1/collections/{id}",
            get(one).patch(update).delete(remove),
        )
        .route(
            "/api/v1/collections/{id}/tasks/{task_id}",
            put(add_task).delete(remove_task),
        )
        .route("/api/v1/tasks/bulk", post(bulk))
        .route("/api/v1/tasks/archive", get(archive))
}

#[derive(serde::Serialize)]
struct CollectionAnswer {
    collection: CollectionView,
}

#[derive(serde::Serialize)]
struct CollectionsAnswer {
    collections: Vec<CollectionView>,
}

async fn list(State(s): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let collections = library::collections(&s.engine, &user).await?;
    Ok(Json(CollectionsAnswer { collections }).into_response())
}

#[derive(Deserialize)]
struct NewCollection {
    name: String,
    #[serde(default)]
    description: String,
}

async fn create(
    State(s): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewCollection>,
) -> Result<Response, AppError> {
    let collection =
        library::create_collection(&s.engine, &user, &body.name, &body.description).await?;
    Ok((StatusCode::CREATED, Json(CollectionAnswer { collection })).into_response())
}

async fn one(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let collection = library::collection(&s.engine, &user, &id).await?;
    Ok(Json(CollectionAnswer { collection }).into_response())
}

/// A field that may be absent (left as it is) or null (cleared): `Some(None)` is null.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    /// null: the cover is the picture added last again.
    #[serde(default, deserialize_with = "present")]
    cover_task_id: Option<Option<String>>,
}

async fn update(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Change>,
) -> Result<Response, AppError> {
    let change = CollectionChange {
        name: body.name,
        description: body.description,
        cover_task_id: body.cover_task_id,
    };
    let collection = library::update_collection(&s.engine, &user, &id, &change).await?;
    Ok(Json(CollectionAnswer { collection }).into_response())
}

async fn remove(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    library::delete_collection(&s.engine, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn add_task(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, task_id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    library::set_member(&s.engine, &user, &id, &task_id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove_task(
    State(s): State<AppState>,
    user: CurrentUser,
    Path((id, task_id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    library::set_member(&s.engine, &user, &id, &task_id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Bulk {
    #[serde(default)]
    ids: Vec<String>,
    #[serde(default)]
    op: String,
    #[serde(default)]
    collection_id: Option<String>,
}

async fn bulk(
    State(s): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<Bulk>,
) -> Result<Response, AppError> {
    let op = BulkOp::parse(&body.op)?;
    let outcome = library::bulk(
        &s.engine,
        &user,
        &body.ids,
        op,
        body.collection_id.as_deref(),
    )
    .await?;
    let failed: Vec<serde_json::Value> = outcome
        .failed
        .iter()
        .map(|(id, e)| serde_json::json!({ "id": id, "error": super::error::detail(e) }))
        .collect();
    Ok(Json(serde_json::json!({ "done": outcome.done, "failed": failed })).into_response())
}

/// `GET /api/v1/tasks/archive?ids=a,b,c`: a ZIP of the tasks' pictures and `manifest.json`,
/// streamed a picture at a time (one is in memory at once, for its CRC).
async fn archive(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let ids: Vec<String> = q
        .get("ids")
        .map(|v| v.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let plan = library::archive(&s.engine, &user, &ids).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(4);
    let images = s.engine.images.clone();
    let disposition = format!("attachment; filename=\"{}\"", plan.name);
    tokio::spawn(async move {
        let mut zip = crate::zip::ZipWriter::new(crate::db::now_ms() / 1000);
        // The pictures, then the manifest (made in memory).
        let files = plan
            .files
            .into_iter()
            .map(|f| (f.name, Err(f.key)))
            .chain([("manifest.json".to_owned(), Ok(plan.manifest.into()))]);
        for (name, data) in files {
            let data: bytes::Bytes = match data {
                Ok(inline) => inline,
                Err(key) => match images.bytes(&key).await {
                    Ok(Some(b)) => b,
                    Ok(None) => {
                        tracing::warn!(key, "a picture of an archive is missing from the store");
                        continue;
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "reading a picture for an archive");
                        let _ = tx.send(Err(std::io::Error::other("image store"))).await;
                        return;
                    }
                },
            };
            let Ok(head) = zip.entry(&name, &data) else {
                continue;
            };
            if tx.send(Ok(head.into())).await.is_err() || tx.send(Ok(data)).await.is_err() {
                return; // the client went away
            }
        }
        let _ = tx.send(Ok(zip.finish().into())).await;
    });
    let body = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}
