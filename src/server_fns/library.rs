//! Collections and the bulk operations of history, for the pages.

use crate::{
    error::AppError,
    types::{BulkDone, CollectionView, Membership},
};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

#[server(input = Postcard, output = Postcard)]
pub async fn load_collections() -> Result<Vec<CollectionView>, AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::library::collections(&engine, &user).await
}

/// A new collection, with the task given in it already (when one is).
#[server(input = Postcard, output = Postcard)]
pub async fn create_collection(
    name: String,
    description: String,
    task_id: Option<String>,
) -> Result<CollectionView, AppError> {
    use crate::services::library;
    let (engine, user) = super::tasks::engine_and_user().await?;
    let c = library::create_collection(&engine, &user, &name, &description).await?;
    match task_id {
        Some(task) => {
            library::set_member(&engine, &user, &c.id, &task, true).await?;
            library::collection(&engine, &user, &c.id).await
        }
        None => Ok(c),
    }
}

/// A collection's new name and description.
#[server(input = Postcard, output = Postcard)]
pub async fn rename_collection(
    id: String,
    name: String,
    description: String,
) -> Result<CollectionView, AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    let change = crate::services::library::CollectionChange {
        name: Some(name),
        description: Some(description),
        cover_task_id: None,
    };
    crate::services::library::update_collection(&engine, &user, &id, &change).await
}

/// A collection's cover: one of its tasks, or (None) the picture added last.
#[server(input = Postcard, output = Postcard)]
pub async fn set_cover(id: String, task_id: Option<String>) -> Result<CollectionView, AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    let change = crate::services::library::CollectionChange {
        cover_task_id: Some(task_id),
        ..Default::default()
    };
    crate::services::library::update_collection(&engine, &user, &id, &change).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn delete_collection(id: String) -> Result<(), AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::library::delete_collection(&engine, &user, &id).await
}

/// The user's collections, each with whether the task is in it.
#[server(input = Postcard, output = Postcard)]
pub async fn task_collections(task_id: String) -> Result<Vec<Membership>, AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::library::memberships(&engine, &user, &task_id).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn set_in_collection(
    collection_id: String,
    task_id: String,
    on: bool,
) -> Result<(), AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::library::set_member(&engine, &user, &collection_id, &task_id, on).await
}

/// One of `POST /api/v1/tasks/bulk`'s operations on the selected tasks.
#[server(input = Postcard, output = Postcard)]
pub async fn bulk_tasks(
    ids: Vec<String>,
    op: String,
    collection_id: Option<String>,
) -> Result<BulkDone, AppError> {
    use crate::services::library;
    let (engine, user) = super::tasks::engine_and_user().await?;
    let op = library::BulkOp::parse(&op)?;
    let out = library::bulk(&engine, &user, &ids, op, collection_id.as_deref()).await?;
    Ok(BulkDone {
        done: out.done,
        failed: out.failed,
    })
}
