//! Generation tasks. Every status change is conditional on the current status in SQL, so the
//! worker, the notify hook and a cancel racing each other can never move a task backwards.

use super::Tx;
use sqlx::{FromRow, SqlitePool};

#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    pub id: String,
    pub user_id: String,
    pub parent_id: Option<String>,
    pub action: String,
    pub custom_id: Option<String>,
    pub mode: String,
    pub prompt: String,
    pub status: String,
    pub progress: i64,
    pub cost: i64,
    pub upstream_id: Option<String>,
    pub fail_reason: Option<String>,
    pub buttons: String,
    pub image_key: Option<String>,
    pub thumb_key: Option<String>,
    pub preview_key: Option<String>,
    pub preview_url: Option<String>,
    pub final_url: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub touched_at: i64,
    pub misses: i64,
}

macro_rules! task_columns {
    () => {
        "id, user_id, parent_id, action, custom_id, mode, prompt, status, progress, cost, upstream_id,
         fail_reason, buttons, image_key, thumb_key, preview_key, preview_url, final_url, created_at,
         started_at, finished_at, touched_at, misses"
    };
}

pub const LIVE: &str = "('queued', 'submitted', 'in_progress')";

pub struct NewTask<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub parent_id: Option<&'a str>,
    pub action: &'a str,
    pub custom_id: Option<&'a str>,
    pub mode: &'a str,
    pub prompt: &'a str,
    pub cost: i64,
}

/// Inserts a queued task and returns it as stored (one round trip: no read-back).
pub async fn insert(tx: &mut Tx<'_>, t: &NewTask<'_>, now: i64) -> Result<TaskRow, sqlx::Error> {
    insert_below(tx, t, now, i64::MAX)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// Inserts a queued task unless its owner already has `max_live` live tasks (None then), and
/// returns it as stored: the count, the insert and the read-back are one statement.
pub async fn insert_below(
    tx: &mut Tx<'_>,
    t: &NewTask<'_>,
    now: i64,
    max_live: i64,
) -> Result<Option<TaskRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "INSERT INTO tasks (id, user_id, parent_id, action, custom_id, mode, prompt, status, cost,
                            created_at, touched_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', ?8, ?9, ?9
         WHERE (SELECT COUNT(*) FROM tasks
                WHERE user_id = ?2 AND status IN ('queued', 'submitted', 'in_progress')) < ?10
         RETURNING ",
        task_columns!()
    ))
    .bind(t.id)
    .bind(t.user_id)
    .bind(t.parent_id)
    .bind(t.action)
    .bind(t.custom_id)
    .bind(t.mode)
    .bind(t.prompt)
    .bind(t.cost)
    .bind(now)
    .bind(max_live)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn get(pool: &SqlitePool, id: &str) -> Result<Option<TaskRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE id = ?1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Tasks running upstream (to poll), oldest first.
pub async fn upstream_live(pool: &SqlitePool) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE status IN ('submitted', 'in_progress') ORDER BY id"
    ))
    .fetch_all(pool)
    .await
}

/// How many tasks of a mode are running upstream now.
pub async fn count_upstream(pool: &SqlitePool, mode: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM tasks WHERE status IN ('submitted', 'in_progress') AND mode = ?1",
    )
    .bind(mode)
    .fetch_one(pool)
    .await
}

/// Queued tasks of a mode that may be sent now: oldest first, but round-robin between users (each
/// user's oldest task, then each user's second, ...), so one busy user cannot starve the others.
pub async fn next_to_send(
    pool: &SqlitePool,
    mode: &str,
    now: i64,
    limit: i64,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY id) AS turn
                FROM tasks WHERE status = 'queued' AND mode = ?1 AND retry_at <= ?2)
          ORDER BY turn, id LIMIT ?3"
    ))
    .bind(mode)
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Live tasks whose deadline passed (no change seen for `timeout_ms`).
pub async fn overdue(
    pool: &SqlitePool,
    now: i64,
    timeout_ms: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM tasks WHERE status IN ('queued', 'submitted', 'in_progress') AND touched_at < ?1",
    )
    .bind(now - timeout_ms)
    .fetch_all(pool)
    .await
}

pub async fn mark_submitted(
    pool: &SqlitePool,
    id: &str,
    upstream_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE tasks SET status = 'submitted', upstream_id = ?2, started_at = ?3, touched_at = ?3, misses = 0
         WHERE id = ?1 AND status = 'queued'",
    )
    .bind(id)
    .bind(upstream_id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Keeps a queued task queued until `retry_at` (the upstream's queue was full, or it was down).
pub async fn retry_later(pool: &SqlitePool, id: &str, retry_at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE tasks SET retry_at = ?2 WHERE id = ?1 AND status = 'queued'")
        .bind(id)
        .bind(retry_at)
        .execute(pool)
        .await?;
    Ok(())
}

/// Moves a running task forward: status never back, progress never down. True if anything changed.
pub async fn advance(
    pool: &SqlitePool,
    id: &str,
    status: &str,
    progress: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE tasks SET
            status = CASE WHEN status = 'submitted' AND ?2 = 'in_progress' THEN 'in_progress' ELSE status END,
            progress = MAX(progress, ?3),
            touched_at = ?4,
            misses = 0
         WHERE id = ?1 AND status IN ('submitted', 'in_progress')
           AND ((status = 'submitted' AND ?2 = 'in_progress') OR progress < ?3)",
    )
    .bind(id)
    .bind(status)
    .bind(progress)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Stores the preview the upstream showed at `progress`, unless the task has moved past it (a
/// slower download of an older preview never replaces a newer one). True if stored.
pub async fn set_preview(
    pool: &SqlitePool,
    id: &str,
    key: &str,
    url: &str,
    progress: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE tasks SET preview_key = ?2, preview_url = ?3, touched_at = ?5, misses = 0
         WHERE id = ?1 AND status IN ('submitted', 'in_progress') AND progress <= ?4
           AND preview_url IS NOT ?3",
    )
    .bind(id)
    .bind(key)
    .bind(url)
    .bind(progress)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Counts a poll in which the upstream did not know the task; returns the count so far.
pub async fn count_miss(pool: &SqlitePool, id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE tasks SET misses = misses + 1 WHERE id = ?1 AND status IN ('submitted', 'in_progress')
         RETURNING misses",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .map(|m| m.unwrap_or(0))
}

/// Remembers the final image's upstream URL while it is being downloaded.
pub async fn set_final_url(pool: &SqlitePool, id: &str, url: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE tasks SET final_url = ?2 WHERE id = ?1 AND status IN ('submitted', 'in_progress')",
    )
    .bind(id)
    .bind(url)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn succeed(
    pool: &SqlitePool,
    id: &str,
    image_key: &str,
    thumb_key: &str,
    buttons_json: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE tasks SET status = 'succeeded', progress = 100, image_key = ?2, thumb_key = ?3,
                buttons = ?4, finished_at = ?5, touched_at = ?5, fail_reason = NULL
         WHERE id = ?1 AND status IN ('queued', 'submitted', 'in_progress')",
    )
    .bind(id)
    .bind(image_key)
    .bind(thumb_key)
    .bind(buttons_json)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Ends a live task as failed or cancelled. Returns the task's owner and cost when it was live
/// (the caller refunds in the same transaction), None when it had already ended.
pub async fn end(
    tx: &mut Tx<'_>,
    id: &str,
    status: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<Option<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE tasks SET status = ?2, fail_reason = ?3, finished_at = ?4, touched_at = ?4
         WHERE id = ?1 AND status IN ('queued', 'submitted', 'in_progress')
         RETURNING user_id, cost",
    )
    .bind(id)
    .bind(status)
    .bind(reason)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn find_by_upstream(
    pool: &SqlitePool,
    upstream_id: &str,
) -> Result<Option<TaskRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE upstream_id = ?1"
    ))
    .bind(upstream_id)
    .fetch_optional(pool)
    .await
}

pub async fn count_live(pool: &SqlitePool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM tasks WHERE status IN ('queued', 'submitted', 'in_progress')",
    )
    .fetch_one(pool)
    .await
}

/// A user's live tasks plus their `recent` newest tasks, newest first.
pub async fn live_and_recent_of_user(
    pool: &SqlitePool,
    user_id: &str,
    recent: i64,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE user_id = ?1 AND (status IN ('queued', 'submitted', 'in_progress')
             OR id IN (SELECT id FROM tasks WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2))
          ORDER BY id DESC LIMIT 200"
    ))
    .bind(user_id)
    .bind(recent)
    .fetch_all(pool)
    .await
}

/// A task as a poll sees it: with its place in the queue, and its owner's balance.
#[derive(Debug, Clone, FromRow)]
pub struct PolledTask {
    #[sqlx(flatten)]
    pub row: TaskRow,
    /// How many queued tasks of its mode were queued before it (queued tasks only).
    pub queue_position: Option<i64>,
    /// The owner's balance.
    pub balance: i64,
}

/// Tasks by id, in no particular order (unknown ids are left out), in one query.
pub async fn polled(pool: &SqlitePool, ids: &[&str]) -> Result<Vec<PolledTask>, sqlx::Error> {
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        ", CASE WHEN t.status = 'queued' THEN
             (SELECT COUNT(*) FROM tasks q WHERE q.status = 'queued' AND q.mode = t.mode AND q.id < t.id)
           END AS queue_position,
           (SELECT balance FROM users u WHERE u.id = t.user_id) AS balance
         FROM tasks t WHERE t.id IN (SELECT value FROM json_each(?1))"
    ))
    .bind(json)
    .fetch_all(pool)
    .await
}

pub async fn children(pool: &SqlitePool, id: &str) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE parent_id = ?1 ORDER BY id"
    ))
    .bind(id)
    .fetch_all(pool)
    .await
}

/// History: newest first, keyset-paginated on the id, optional status and LIKE pattern.
pub async fn search_of_user(
    pool: &SqlitePool,
    user_id: &str,
    status: Option<&str>,
    pattern: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE user_id = ?1 AND (?2 IS NULL OR status = ?2)
            AND (?3 IS NULL OR prompt LIKE ?3 ESCAPE '\\') AND (?4 IS NULL OR id < ?4)
          ORDER BY id DESC LIMIT ?5"
    ))
    .bind(user_id)
    .bind(status)
    .bind(pattern)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await
}
