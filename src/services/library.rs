//! The library around the tasks: collections of a user's pictures, and what history does to
//! many tasks at once (bulk operations, the ZIP of their images).

use crate::{
    auth::CurrentUser,
    db::{self, collections::CollectionRow},
    engine::Engine,
    error::{AppError, Conflict, Rule},
    limits,
    types::{CollectionView, Membership},
};

use super::generation::{file_url, rfc3339};

pub fn collection_view(r: &CollectionRow) -> CollectionView {
    CollectionView {
        id: r.id.clone(),
        name: r.name.clone(),
        description: r.description.clone(),
        cover_task_id: r.cover_task_id.clone(),
        cover_url: r.cover.as_deref().map(|t| file_url(t, "thumbnail", None)),
        task_count: r.task_count,
        created_at: rfc3339(r.created_at),
        updated_at: rfc3339(r.updated_at),
    }
}

/// A collection's description: several lines allowed, other control characters not.
fn description(raw: &str) -> Result<&str, AppError> {
    super::lines("description", raw, limits::COLLECTION_DESCRIPTION_MAX_CHARS)
}

fn name(raw: &str) -> Result<&str, AppError> {
    super::required_text("name", raw, limits::COLLECTION_NAME_MAX_CHARS)
}

pub async fn collections(
    engine: &Engine,
    user: &CurrentUser,
) -> Result<Vec<CollectionView>, AppError> {
    let rows = db::collections::list_of_user(&engine.pool, &user.id)
        .await
        .map_err(super::internal)?;
    Ok(rows.iter().map(collection_view).collect())
}

/// One of the user's collections (another's is not found, an admin's view of it too).
pub async fn collection(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
) -> Result<CollectionView, AppError> {
    db::collections::get(&engine.pool, &user.id, id)
        .await
        .map_err(super::internal)?
        .map(|r| collection_view(&r))
        .ok_or(AppError::NotFound)
}

pub async fn create_collection(
    engine: &Engine,
    user: &CurrentUser,
    name: &str,
    description: &str,
) -> Result<CollectionView, AppError> {
    let name = self::name(name)?;
    let description = self::description(description)?;
    let now = db::now_ms();
    let row = CollectionRow {
        id: db::new_id(),
        user_id: user.id.clone(),
        name: name.to_owned(),
        description: description.to_owned(),
        cover_task_id: None,
        created_at: now,
        updated_at: now,
        task_count: 0,
        cover: None,
    };
    match db::collections::insert(&engine.pool, &row, limits::COLLECTIONS_PER_ACCOUNT)
        .await
        .map_err(super::internal)?
    {
        db::collections::Inserted::Done => Ok(collection_view(&row)),
        db::collections::Inserted::NameTaken => Err(AppError::Conflict(Conflict::CollectionName)),
        db::collections::Inserted::TooMany => Err(AppError::Conflict(Conflict::TooManyCollections)),
    }
}

/// What a change of a collection sets; None leaves a field as it is. `cover`: Some(None) makes
/// the cover automatic again, Some(Some(task)) chooses one of its tasks.
#[derive(Debug, Clone, Default)]
pub struct CollectionChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub cover_task_id: Option<Option<String>>,
}

pub async fn update_collection(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
    change: &CollectionChange,
) -> Result<CollectionView, AppError> {
    let current = db::collections::get(&engine.pool, &user.id, id)
        .await
        .map_err(super::internal)?
        .ok_or(AppError::NotFound)?;
    let name = match &change.name {
        Some(n) => self::name(n)?,
        None => &current.name,
    };
    let description = match &change.description {
        Some(d) => self::description(d)?,
        None => &current.description,
    };
    let cover = match &change.cover_task_id {
        Some(c) => c.as_deref().map(str::trim).filter(|c| !c.is_empty()),
        None => current.cover_task_id.as_deref(),
    };
    let updated = db::collections::update(
        &engine.pool,
        &user.id,
        id,
        name,
        description,
        cover,
        db::now_ms(),
    )
    .await;
    match updated {
        Ok(true) => collection(engine, user, id).await,
        // The collection is there (read above): the cover is not one of its tasks.
        Ok(false) => Err(AppError::invalid(
            "cover_task_id",
            Rule::Other("Choose a picture of this collection as its cover.".into()),
        )),
        Err(e) if db::is_unique_violation(&e) => Err(AppError::Conflict(Conflict::CollectionName)),
        Err(e) => Err(super::internal(e)),
    }
}

/// Deletes one of the user's collections; its tasks stay.
pub async fn delete_collection(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
) -> Result<(), AppError> {
    if db::collections::delete(&engine.pool, &user.id, id)
        .await
        .map_err(super::internal)?
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Puts one of the user's tasks in one of their collections, or takes it out (twice is once);
/// either not theirs is not found.
pub async fn set_member(
    engine: &Engine,
    user: &CurrentUser,
    collection_id: &str,
    task_id: &str,
    on: bool,
) -> Result<(), AppError> {
    if db::collections::set_member(
        &engine.pool,
        &user.id,
        collection_id,
        task_id,
        on,
        db::now_ms(),
    )
    .await
    .map_err(super::internal)?
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The user's collections, each with whether one of their tasks is in it.
pub async fn memberships(
    engine: &Engine,
    user: &CurrentUser,
    task_id: &str,
) -> Result<Vec<Membership>, AppError> {
    let task = db::tasks::get(&engine.pool, task_id)
        .await
        .map_err(super::internal)?
        .filter(|t| t.user_id == user.id)
        .ok_or(AppError::NotFound)?;
    let of_task = db::collections::of_task(&engine.pool, &task.id)
        .await
        .map_err(super::internal)?;
    Ok(collections(engine, user)
        .await?
        .into_iter()
        .map(|c| Membership {
            member: of_task.contains(&c.id),
            collection: c,
        })
        .collect())
}

/// What `POST /api/v1/tasks/bulk` does to each task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkOp {
    Delete,
    Favorite,
    Unfavorite,
    AddToCollection,
    RemoveFromCollection,
    Retry,
}

impl BulkOp {
    pub const ALL: [Self; 6] = [
        Self::Delete,
        Self::Favorite,
        Self::Unfavorite,
        Self::AddToCollection,
        Self::RemoveFromCollection,
        Self::Retry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delete => "delete",
            Self::Favorite => "favorite",
            Self::Unfavorite => "unfavorite",
            Self::AddToCollection => "add_to_collection",
            Self::RemoveFromCollection => "remove_from_collection",
            Self::Retry => "retry",
        }
    }

    pub fn parse(s: &str) -> Result<Self, AppError> {
        Self::ALL
            .into_iter()
            .find(|op| op.as_str() == s.trim())
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|o| o.as_str()).collect();
                AppError::invalid("op", Rule::one_of(&all))
            })
    }
}

/// What a bulk operation came to: the ids it was done to, and each other one with its reason.
#[derive(Debug, Default)]
pub struct BulkOutcome {
    pub done: Vec<String>,
    pub failed: Vec<(String, AppError)>,
}

/// The ids of a bulk operation or an archive: 1 to `BULK_MAX`, each once, in the order given.
fn ids_of(ids: &[String]) -> Result<Vec<String>, AppError> {
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<String> = ids
        .iter()
        .map(|i| i.trim().to_owned())
        .filter(|i| !i.is_empty() && seen.insert(i.clone()))
        .collect();
    if ids.is_empty() || ids.len() > limits::BULK_MAX {
        return Err(AppError::invalid(
            "ids",
            Rule::Items {
                max: limits::BULK_MAX as u32,
            },
        ));
    }
    Ok(ids)
}

/// Does `op` to each of the user's tasks among `ids`, one by one: a task that is not theirs, or
/// that the operation does not apply to (a live one deleted, a success retried), fails alone
/// with its reason. The collection of `add_to_collection` and `remove_from_collection` must be
/// the user's.
#[tracing::instrument(skip(engine, user, ids), fields(user_id = %user.id, n = ids.len()))]
pub async fn bulk(
    engine: &Engine,
    user: &CurrentUser,
    ids: &[String],
    op: BulkOp,
    collection_id: Option<&str>,
) -> Result<BulkOutcome, AppError> {
    let ids = ids_of(ids)?;
    let collection_id = match op {
        BulkOp::AddToCollection | BulkOp::RemoveFromCollection => {
            let id = collection_id
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| AppError::invalid("collection_id", Rule::Required))?;
            Some(collection(engine, user, id).await?.id)
        }
        _ => None,
    };
    let owned: std::collections::HashSet<String> =
        db::tasks::of_user_by_ids(&engine.pool, &user.id, &ids)
            .await
            .map_err(super::internal)?
            .into_iter()
            .map(|r| r.id)
            .collect();
    let mut outcome = BulkOutcome::default();
    for id in ids {
        let result = if !owned.contains(&id) {
            Err(AppError::NotFound)
        } else {
            let c = collection_id.as_deref().unwrap_or_default();
            match op {
                BulkOp::Delete => super::generation::delete(engine, user, &id).await,
                BulkOp::Favorite => super::generation::set_favorite(engine, user, &id, true).await,
                BulkOp::Unfavorite => {
                    super::generation::set_favorite(engine, user, &id, false).await
                }
                BulkOp::AddToCollection => set_member(engine, user, c, &id, true).await,
                BulkOp::RemoveFromCollection => set_member(engine, user, c, &id, false).await,
                BulkOp::Retry => super::generation::retry(engine, user, &id).await.map(drop),
            }
        };
        match result {
            Ok(()) => outcome.done.push(id),
            // A fault stops the operation: what was done stays done, and the client learns
            // that the rest was not tried.
            Err(AppError::Internal) => return Err(AppError::Internal),
            Err(e) => outcome.failed.push((id, e)),
        }
    }
    tracing::info!(
        op = op.as_str(),
        done = outcome.done.len(),
        failed = outcome.failed.len(),
        "bulk operation"
    );
    Ok(outcome)
}

/// A picture of an archive: its name inside and its stored file.
#[derive(Debug, Clone)]
pub struct ArchiveFile {
    pub name: String,
    pub key: String,
}

/// What the ZIP of some of the user's tasks holds: their pictures, in the order asked, and a
/// manifest (`manifest.json`) of each task's prompt, parameters and files.
#[derive(Debug)]
pub struct Archive {
    pub files: Vec<ArchiveFile>,
    pub manifest: Vec<u8>,
    /// The archive's own file name.
    pub name: String,
}

/// Plans the archive of `ids`, all of them the user's tasks (else not found: an archive has
/// all it was asked for or is not made). A task without a picture is in the manifest only.
pub async fn archive(
    engine: &Engine,
    user: &CurrentUser,
    ids: &[String],
) -> Result<Archive, AppError> {
    let ids = ids_of(ids)?;
    let mut rows = db::tasks::of_user_by_ids(&engine.pool, &user.id, &ids)
        .await
        .map_err(super::internal)?;
    if rows.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    rows.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
    let mut files = Vec::new();
    let mut tasks = Vec::new();
    for row in &rows {
        let date = rfc3339(row.created_at)
            .get(..10)
            .unwrap_or_default()
            .to_owned();
        let base = format!(
            "{date}_{}_{}",
            crate::zip::slug(&row.prompt, 40),
            row.id
                .get(row.id.len().saturating_sub(8)..)
                .unwrap_or(&row.id)
        );
        let many = row.outputs.len() > 1;
        let mut names = Vec::new();
        for (n, out) in row.outputs.iter().enumerate() {
            let ext = out.key.rsplit('.').next().unwrap_or("png");
            let name = if many {
                format!("{base}_{}.{ext}", n + 1)
            } else {
                format!("{base}.{ext}")
            };
            names.push(name.clone());
            files.push(ArchiveFile {
                name,
                key: out.key.clone(),
            });
        }
        tasks.push(serde_json::json!({
            "id": row.id,
            "engine": row.engine.as_str(),
            "action": row.action.as_str(),
            "mode": row.mode.map(|m| m.as_str()),
            "model": row.model,
            "prompt": row.prompt,
            "params": &*row.params,
            "status": row.status.as_str(),
            "text": row.text,
            "created_at": rfc3339(row.created_at),
            "finished_at": row.finished_at.map(rfc3339),
            "files": names,
        }));
    }
    let now = db::now_ms();
    let manifest = serde_json::to_vec_pretty(&serde_json::json!({
        "generator": "Atelier",
        "created_at": rfc3339(now),
        "tasks": tasks,
    }))
    .map_err(super::internal)?;
    let name = format!(
        "atelier-{}.zip",
        rfc3339(now).get(..19).unwrap_or_default().replace(':', "-")
    );
    Ok(Archive {
        files,
        manifest,
        name,
    })
}
