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

/// Uploads one user may start in a minute (each instance's count is the database's, see
/// `auth::rate_limit`).
pub const UPLOADS_PER_MINUTE: u32 = 60;
/// Upload bodies one user may be sending at once (the Generate page sends up to five pictures
/// side by side).
pub const BODIES_PER_USER: u32 = crate::limits::TASK_IMAGES_MAX as u32;
/// The memory upload bodies being received may hold together on one instance: each holds the
/// largest it may be until it is stored, and waits (at most [`BODY_WAIT`]) for room.
const BODY_BUDGET: usize = 48 * 1024 * 1024;
const BODY_UNIT: usize = 64 * 1024;
const BODY_WAIT: std::time::Duration = std::time::Duration::from_secs(60);
static BODY_MEMORY: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(BODY_BUDGET / BODY_UNIT);
/// Bodies in flight per user on this instance.
static BODIES: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, u32>>> =
    std::sync::LazyLock::new(Default::default);
static RATE: std::sync::LazyLock<crate::auth::rate_limit::RateLimiter> =
    std::sync::LazyLock::new(|| {
        crate::auth::rate_limit::RateLimiter::new(
            UPLOADS_PER_MINUTE,
            std::time::Duration::from_secs(60),
        )
    });

/// Room for one upload body, held until it is dropped (after the upload is stored or refused).
pub struct Admitted {
    _body: UserBody,
    _memory: tokio::sync::SemaphorePermit<'static>,
}

/// One of a user's bodies in flight, counted until it is dropped.
struct UserBody(String);

impl Drop for UserBody {
    fn drop(&mut self) {
        let mut bodies = BODIES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = bodies.get_mut(&self.0) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                bodies.remove(&self.0);
            }
        }
    }
}

/// Lets `user` send an upload body of at most `max_bytes`, before a byte of it is read: within
/// their uploads a minute (429), their bodies at once (429), and the instance's memory for bodies
/// (waiting for room; 503 busy past [`BODY_WAIT`]).
pub async fn admit(
    engine: &Engine,
    user: &CurrentUser,
    max_bytes: usize,
) -> Result<Admitted, AppError> {
    if !RATE
        .attempt(&engine.pool, &format!("upload:{}", user.id))
        .await
        .map_err(super::internal)?
    {
        return Err(AppError::RateLimited);
    }
    let body = {
        let mut bodies = BODIES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = bodies.entry(user.id.clone()).or_insert(0);
        if *n >= BODIES_PER_USER {
            return Err(AppError::RateLimited);
        }
        *n += 1;
        UserBody(user.id.clone())
    };
    let units = u32::try_from(max_bytes.div_ceil(BODY_UNIT).min(BODY_BUDGET / BODY_UNIT))
        .unwrap_or(u32::MAX);
    let memory = tokio::time::timeout(BODY_WAIT, BODY_MEMORY.acquire_many(units))
        .await
        .map_err(|_| AppError::Busy)?
        .map_err(super::internal)?;
    Ok(Admitted {
        _body: body,
        _memory: memory,
    })
}

/// Checks and stores an image the user brings. Its size is read from its header (nothing is
/// decoded: a 40-megapixel PNG would take 160 MB); the upload is recorded, within the user's
/// quota, before its file is written, so a refused upload never reaches the store.
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
    let (width, height) = images::dimensions(&bytes).map_err(|e| match e {
        ImageError::TooManyPixels(_) => refused(Rule::TooManyPixels {
            max_mp: u32::try_from(images::MAX_PIXELS / 1_000_000).unwrap_or(u32::MAX),
        }),
        _ => refused(Rule::NotAnImage),
    })?;
    let key = images::key_of(&bytes).ok_or_else(|| refused(Rule::NotAnImage))?;
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
    // The row holds the file's key from here, so no sweep takes the file once it is written.
    if !db::uploads::insert(&engine.pool, &row, quota)
        .await
        .map_err(super::internal)?
    {
        return Err(refused(Rule::QuotaExceeded {
            max_mb: u32::try_from(quota_mb).unwrap_or(u32::MAX),
        }));
    }
    if let Err(e) = engine.images.put(bytes).await {
        let _ = remove(engine, &row.id).await;
        return Err(super::internal(e));
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
    from_output(engine, user, &task, n).await
}

/// Picture `n` of a task already read (and known to be the user's) as a new upload of theirs.
pub async fn from_output(
    engine: &Engine,
    user: &CurrentUser,
    task: &crate::db::tasks::TaskRow,
    n: usize,
) -> Result<UploadView, AppError> {
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
            if let Some(key) = db::uploads::delete(&engine.pool, id, now)
                .await
                .map_err(super::internal)?
            {
                super::generation::forget_file(engine, &key).await?;
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
    remove(engine, &row.id).await
}

/// Deletes an upload; its file goes at once unless something else (a task, another upload)
/// holds it.
async fn remove(engine: &Engine, id: &str) -> Result<(), AppError> {
    if let Some(key) = db::uploads::delete(&engine.pool, id, db::now_ms())
        .await
        .map_err(super::internal)?
    {
        super::generation::forget_file(engine, &key).await?;
    }
    Ok(())
}
