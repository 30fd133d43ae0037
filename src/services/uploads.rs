//! Uploads (rest-api.md, "Uploads"): a PNG, JPEG or WebP of at most 10 MB and 40 megapixels,
//! checked by its bytes and decoded under limits before it is stored, owner-only.

use crate::{
    auth::CurrentUser,
    db::{self, uploads::UploadRow},
    engine::Engine,
    error::{AppError, Rule},
    images::{self, ImageError},
};

/// The largest upload.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// `upload` of rest-api.md.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct UploadView {
    pub id: String,
    pub url: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    pub content_type: String,
}

pub fn view(row: &UploadRow) -> UploadView {
    UploadView {
        id: row.id.clone(),
        url: format!("/api/v1/uploads/{}", row.id),
        width: u32::try_from(row.width).unwrap_or(0),
        height: u32::try_from(row.height).unwrap_or(0),
        bytes: u64::try_from(row.bytes).unwrap_or(0),
        content_type: row.content_type.clone(),
    }
}

fn refused(rule: Rule) -> AppError {
    AppError::invalid("file", rule)
}

/// Checks and stores an image the user brings.
pub async fn create(
    engine: &Engine,
    user: &CurrentUser,
    bytes: bytes::Bytes,
) -> Result<UploadView, AppError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(too_large());
    }
    let content_type = images::sniff(&bytes)
        .and_then(images::mime)
        .ok_or_else(|| refused(Rule::NotAnImage))?;
    let whole = bytes.clone();
    let (width, height) = images::decoding(move || {
        let img = images::decode(&whole)?;
        Ok((img.width(), img.height()))
    })
    .await
    .map_err(|e| match e {
        ImageError::TooManyPixels(_) => refused(Rule::TooManyPixels {
            max_mp: u32::try_from(images::MAX_PIXELS / 1_000_000).unwrap_or(u32::MAX),
        }),
        ImageError::NotAnImage => refused(Rule::NotAnImage),
        other => super::internal(other),
    })?;
    let key = engine
        .images
        .put(bytes.clone())
        .await
        .map_err(super::internal)?;
    let row = UploadRow {
        id: db::new_id(),
        user_id: user.id.clone(),
        key,
        content_type: content_type.to_owned(),
        width: i64::from(width),
        height: i64::from(height),
        bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        created_at: db::now_ms(),
    };
    let settings = engine.settings().await?;
    let quota_mb = settings.upload_quota_mb;
    let quota = (quota_mb > 0).then(|| quota_mb.saturating_mul(1024 * 1024));
    if !db::uploads::insert(&engine.pool, &row, quota)
        .await
        .map_err(super::internal)?
    {
        // Nothing holds the file: the hourly sweep removes it unless another upload or task has it.
        let mut tx = engine.pool.begin_write().await.map_err(super::internal)?;
        db::blobs::acquire(&mut tx, std::slice::from_ref(&row.key))
            .await
            .map_err(super::internal)?;
        db::blobs::release(&mut tx, std::slice::from_ref(&row.key), db::now_ms())
            .await
            .map_err(super::internal)?;
        tx.commit().await.map_err(super::internal)?;
        return Err(refused(Rule::QuotaExceeded {
            max_mb: u32::try_from(quota_mb).unwrap_or(u32::MAX),
        }));
    }
    tracing::info!(upload_id = row.id, width, height, "image uploaded");
    Ok(view(&row))
}

/// A picture of the user's history (picture `n` of task `task_id`) as a new upload of theirs,
/// to give another task ("use as reference"). The file is the same: stored once, by its content.
pub async fn from_task(
    engine: &Engine,
    user: &CurrentUser,
    task_id: &str,
    n: usize,
) -> Result<UploadView, AppError> {
    let task = super::generation::visible(engine, user, task_id).await?;
    if task.user_id != user.id {
        // An admin sees others' tasks, but their pictures do not become the admin's uploads.
        return Err(AppError::NotFound);
    }
    let output = task.outputs.get(n).ok_or(AppError::NotFound)?;
    let bytes = engine
        .images
        .bytes(&output.key)
        .await
        .map_err(super::internal)?
        .ok_or(AppError::NotFound)?;
    create(engine, user, bytes).await
}

/// Removes the uploads no task used once they are older than the admin's retention period (the
/// hourly sweep); their files go when nothing else holds them. Answers how many went.
pub async fn sweep(engine: &Engine, now: i64) -> Result<usize, AppError> {
    let days = engine.settings().await?.upload_retention_days;
    if days <= 0 {
        return Ok(0);
    }
    let before = now.saturating_sub(days.saturating_mul(24 * 3600 * 1000));
    let mut removed = 0;
    loop {
        let ids = db::uploads::unused_before(&engine.pool, before, 500)
            .await
            .map_err(super::internal)?;
        if ids.is_empty() {
            return Ok(removed);
        }
        for id in &ids {
            if db::uploads::delete(&engine.pool, id, now)
                .await
                .map_err(super::internal)?
            {
                removed += 1;
            }
        }
    }
}

/// What an upload over the limit is told.
pub fn too_large() -> AppError {
    refused(Rule::FileTooLarge {
        max_mb: u32::try_from(MAX_UPLOAD_BYTES / (1024 * 1024)).unwrap_or(u32::MAX),
    })
}

/// The user's upload (an admin's: anyone's); others' are not found.
pub async fn visible(engine: &Engine, user: &CurrentUser, id: &str) -> Result<UploadRow, AppError> {
    db::uploads::get(&engine.pool, id)
        .await
        .map_err(super::internal)?
        .filter(|u| u.user_id == user.id || user.is_admin())
        .ok_or(AppError::NotFound)
}

pub async fn delete(engine: &Engine, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let row = visible(engine, user, id).await?;
    db::uploads::delete(&engine.pool, &row.id, db::now_ms())
        .await
        .map_err(super::internal)?;
    Ok(())
}
