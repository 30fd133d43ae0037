//! Generation tasks. Every status change is conditional on the current status in SQL, so the
//! worker, the notify hook and a cancel racing each other can never move a task backwards; a
//! queued task is claimed (attempt and lease) in one statement before anything is sent for it.

use super::Tx;
use crate::types::{Button, EngineKind, Mode, TaskAction, TaskParams, TaskStatus};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, types::Json};

/// One stored output image: content addresses of the image and its thumbnail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    pub key: String,
    #[serde(default)]
    pub thumb: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// An image a task was given: the upload, what it is for, and its file (held for the task).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    pub upload_id: String,
    pub role: String,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct TaskRow {
    pub id: String,
    pub user_id: String,
    pub parent_id: Option<String>,
    pub engine: EngineKind,
    pub action: TaskAction,
    pub custom_id: Option<String>,
    pub mode: Option<Mode>,
    pub model: Option<String>,
    pub prompt: String,
    pub params: Json<TaskParams>,
    pub status: TaskStatus,
    pub progress: i64,
    pub cost: i64,
    pub channel_id: Option<String>,
    pub attempt: Option<String>,
    pub modal_step: i64,
    pub upstream_id: Option<String>,
    pub fail_reason: Option<String>,
    pub buttons: Json<Vec<Button>>,
    pub outputs: Json<Vec<Output>>,
    pub text: Option<String>,
    pub preview_key: Option<String>,
    pub preview_url: Option<String>,
    pub final_url: Option<String>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub touched_at: i64,
    pub misses: i64,
    pub fail_detail: Option<String>,
    pub refunded: i64,
    pub inputs: Json<Vec<Input>>,
    /// The batch it was made in, if any.
    pub batch_id: Option<String>,
    /// When its owner starred it.
    pub favorite_at: Option<i64>,
    /// The token of its share link, while it is shared.
    pub share_token: Option<String>,
    /// When its owner listed it on the gallery, while it is listed.
    pub published_at: Option<i64>,
    /// When an admin hid it from the gallery and its share link.
    pub hidden_at: Option<i64>,
    pub like_count: i64,
}

impl TaskRow {
    /// The files of its inputs, one per input (each was acquired when the task was made).
    pub fn input_keys(&self) -> Vec<String> {
        self.inputs.iter().map(|i| i.key.clone()).collect()
    }

    /// The input with this role.
    pub fn input(&self, role: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.role == role)
    }

    /// Every stored file the task holds (its outputs, their thumbnails, its preview).
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .outputs
            .iter()
            .flat_map(|o| std::iter::once(o.key.clone()).chain(o.thumb.clone()))
            .chain(self.preview_key.clone())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// What the worker needs of a running task to apply news to it: a few columns, so that a tick
/// over thousands of live tasks reads (and decodes) little. The rare paths that need more (a modal
/// step's prompt) read the whole row.
#[derive(Debug, Clone, FromRow)]
pub struct LiveRow {
    pub id: String,
    pub action: TaskAction,
    pub custom_id: Option<String>,
    pub status: TaskStatus,
    pub progress: i64,
    pub modal_step: i64,
    pub upstream_id: Option<String>,
    pub preview_url: Option<String>,
}

impl From<&TaskRow> for LiveRow {
    fn from(t: &TaskRow) -> Self {
        Self {
            id: t.id.clone(),
            action: t.action,
            custom_id: t.custom_id.clone(),
            status: t.status,
            progress: t.progress,
            modal_step: t.modal_step,
            upstream_id: t.upstream_id.clone(),
            preview_url: t.preview_url.clone(),
        }
    }
}

macro_rules! task_columns {
    () => {
        "id, user_id, parent_id, engine, action, custom_id, mode, model, prompt, params, status,
         progress, cost, channel_id, attempt, modal_step, upstream_id, fail_reason, buttons, outputs,
         text, preview_key, preview_url, final_url, created_at, started_at, finished_at, touched_at,
         misses, fail_detail, refunded, inputs, batch_id, favorite_at, share_token, published_at,
         hidden_at, like_count"
    };
}

/// Statuses of a task Atelier still works on.
macro_rules! live {
    () => {
        "('queued', 'submitted', 'in_progress', 'needs_input')"
    };
}

/// Statuses of a task that runs upstream (and is polled there).
macro_rules! running {
    () => {
        "('submitted', 'in_progress')"
    };
}

pub struct NewTask<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub parent_id: Option<&'a str>,
    pub engine: EngineKind,
    pub action: TaskAction,
    pub custom_id: Option<&'a str>,
    pub mode: Option<Mode>,
    pub model: Option<&'a str>,
    pub prompt: &'a str,
    pub params: &'a TaskParams,
    pub cost: i64,
    /// A follow-up runs where its parent ran.
    pub channel_id: Option<&'a str>,
    pub inputs: &'a [Input],
    /// The batch it is made in.
    pub batch_id: Option<&'a str>,
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
    super::on_tx!(tx, |conn| sqlx::query_as(concat!(
        "INSERT INTO tasks (id, user_id, parent_id, engine, action, custom_id, mode, model, prompt,
                            params, status, cost, channel_id, created_at, touched_at, inputs,
                            batch_id)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', $11, $12, $13, $13, $15, $16
         WHERE (SELECT COUNT(*) FROM tasks WHERE user_id = $2 AND status IN ",
        live!(),
        ") < $14
         RETURNING ",
        task_columns!()
    ))
    .bind(t.id)
    .bind(t.user_id)
    .bind(t.parent_id)
    .bind(t.engine)
    .bind(t.action)
    .bind(t.custom_id)
    .bind(t.mode)
    .bind(t.model)
    .bind(t.prompt)
    .bind(Json(t.params))
    .bind(t.cost)
    .bind(t.channel_id)
    .bind(now)
    .bind(max_live)
    .bind(Json(t.inputs))
    .bind(t.batch_id)
    .fetch_optional(conn)
    .await)
}

pub async fn get(pool: &super::Pool, id: &str) -> Result<Option<TaskRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
}

/// The child a button of `parent_id` already made (or is making) for `user_id`: their repeated
/// upscale is that one (another user's press, an admin's, is theirs).
pub async fn existing_child(
    pool: &super::Pool,
    parent_id: &str,
    custom_id: &str,
    user_id: &str,
) -> Result<Option<TaskRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE parent_id = $1 AND custom_id = $2 AND user_id = $3
            AND status NOT IN ('failed', 'cancelled') ORDER BY id LIMIT 1"
    ))
    .bind(parent_id)
    .bind(custom_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await)
}

/// Tasks of a channel running upstream (to poll), oldest first.
pub async fn running_on(pool: &super::Pool, channel_id: &str) -> Result<Vec<LiveRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT id, action, custom_id, status, progress, modal_step, upstream_id, preview_url
         FROM tasks WHERE status IN ",
        running!(),
        " AND channel_id = $1 ORDER BY id"
    ))
    .bind(channel_id)
    .fetch_all(conn)
    .await)
}

/// Queued tasks that may be sent now (unclaimed, not waiting for a retry): oldest first, but
/// round-robin between users (each user's oldest task, then each user's second, ...), so one busy
/// user cannot starve the others.
pub async fn next_to_send(
    pool: &super::Pool,
    now: i64,
    limit: i64,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY id) AS turn
                FROM tasks WHERE status = 'queued' AND retry_at <= $1
                  AND (lease_until IS NULL OR lease_until <= $1))
          AS q ORDER BY turn, id LIMIT $2"
    ))
    .bind(now)
    .bind(limit)
    .fetch_all(conn)
    .await)
}

/// Claims a queued task for `channel_id` as `attempt` until `lease_until`, if it is still queued
/// and unclaimed (or its claim ran out), may run there (unpinned, or pinned to it), and the
/// channel has fewer than `limit` tasks of its mode running or claimed. One statement: of several
/// workers, exactly one gets the task, and no channel goes over its limit. On PostgreSQL the
/// channel's row is locked first: each statement there sees the rows committed when it starts, so
/// two claims for one channel must not run side by side (on SQLite every write is one at a time).
#[allow(clippy::too_many_arguments)]
pub async fn claim(
    pool: &super::Pool,
    id: &str,
    channel_id: &str,
    mode: Option<Mode>,
    limit: i64,
    attempt: &str,
    now: i64,
    lease_until: i64,
) -> Result<Option<TaskRow>, sqlx::Error> {
    macro_rules! claim_on {
        ($conn:expr) => {
            sqlx::query_as(concat!(
                "UPDATE tasks SET channel_id = $2, attempt = $5, lease_until = $7
                 WHERE id = $1 AND status = 'queued' AND (lease_until IS NULL OR lease_until <= $6)
                   AND (channel_id IS NULL OR channel_id = $2)
                   AND (SELECT COUNT(*) FROM tasks o
                        WHERE o.status IN ('queued', 'submitted', 'in_progress', 'needs_input')
                          AND o.channel_id = $2 AND o.mode IS NOT DISTINCT FROM $3
                          AND (o.status <> 'queued' OR o.lease_until > $6)) < $4
                 RETURNING ",
                task_columns!()
            ))
            .bind(id)
            .bind(channel_id)
            .bind(mode)
            .bind(limit)
            .bind(attempt)
            .bind(now)
            .bind(lease_until)
            .fetch_optional($conn)
            .await
        };
    }
    match pool {
        // One statement: SQLite writes one at a time.
        super::Pool::Sqlite(p) => claim_on!(p),
        super::Pool::Postgres(p) => {
            let mut tx = p.begin().await?;
            sqlx::query("SELECT id FROM channels WHERE id = $1 FOR UPDATE")
                .bind(channel_id)
                .execute(&mut *tx)
                .await?;
            let claimed = claim_on!(&mut *tx)?;
            tx.commit().await?;
            Ok(claimed)
        }
    }
}

/// The claimed attempt was accepted upstream as `upstream_id`. False when the claim was lost (a
/// cancel, or the lease ran out and another worker took it).
pub async fn mark_submitted(
    pool: &super::Pool,
    id: &str,
    attempt: &str,
    upstream_id: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = super::on!(pool, |conn| {
        sqlx::query(
        "UPDATE tasks SET status = 'submitted', upstream_id = $3, started_at = $4, touched_at = $4,
                misses = 0, lease_until = NULL
         WHERE id = $1 AND attempt = $2 AND status = 'queued'",
    )
    .bind(id)
    .bind(attempt)
    .bind(upstream_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(r == 1)
}

/// A claimed task of a synchronous engine (openai, sd_webui) starts running in this process:
/// the request that draws it is under way, held by `attempt` until `lease_until` (renewed while
/// it lasts). False when the claim was lost. Its first start starts its deadline; a try again
/// (after a fault) is no progress and leaves the deadline where it was.
pub async fn start_run(
    pool: &super::Pool,
    id: &str,
    attempt: &str,
    now: i64,
    lease_until: i64,
) -> Result<bool, sqlx::Error> {
    by_attempt(
        pool,
        "UPDATE tasks SET status = 'in_progress', started_at = COALESCE(started_at, $3),
                touched_at = CASE WHEN started_at IS NULL THEN $3 ELSE touched_at END,
                lease_until = $4
         WHERE id = $1 AND attempt = $2 AND status = 'queued'",
        id,
        attempt,
        &[now, lease_until],
    )
    .await
}

/// One write to the task `attempt` holds (its id `$1`, the attempt `$2`, then `values`): true
/// when the attempt still held it.
async fn by_attempt(
    pool: &super::Pool,
    sql: &'static str,
    id: &str,
    attempt: &str,
    values: &[i64],
) -> Result<bool, sqlx::Error> {
    let r = super::on!(pool, |conn| {
        let mut q = sqlx::query(sql).bind(id).bind(attempt);
        for v in values {
            q = q.bind(*v);
        }
        q.execute(conn).await.map(|r| r.rows_affected())
    })?;
    Ok(r == 1)
}

/// Renews a run's lease. False when the run is no longer the task's (it was cancelled or has
/// ended): the request is dropped.
pub async fn renew_run(
    pool: &super::Pool,
    id: &str,
    attempt: &str,
    lease_until: i64,
) -> Result<bool, sqlx::Error> {
    by_attempt(
        pool,
        "UPDATE tasks SET lease_until = $3
         WHERE id = $1 AND attempt = $2 AND status = 'in_progress'",
        id,
        attempt,
        &[lease_until],
    )
    .await
}

/// A run that did not draw (a rate limit, a fault of the channel) goes back to the queue until
/// `retry_at`, counting the try; the deadline still counts from its submit. Unless it is a
/// follow-up, the next claim may pick another channel.
pub async fn requeue_run(
    pool: &super::Pool,
    id: &str,
    attempt: &str,
    retry_at: i64,
) -> Result<bool, sqlx::Error> {
    by_attempt(
        pool,
        "UPDATE tasks SET status = 'queued', lease_until = NULL, retry_at = $3, progress = 0,
                misses = misses + 1,
                channel_id = CASE WHEN parent_id IS NULL THEN NULL ELSE channel_id END
         WHERE id = $1 AND attempt = $2 AND status = 'in_progress'",
        id,
        attempt,
        &[retry_at],
    )
    .await
}

/// Runs whose lease ran out (the process that held them stopped mid-request) go back to the
/// queue and are sent again. Midjourney tasks running upstream hold no lease. Answers how many.
pub async fn requeue_lost_runs(pool: &super::Pool, now: i64) -> Result<u64, sqlx::Error> {
    let r = super::on!(pool, |conn| sqlx::query(
        "UPDATE tasks SET status = 'queued', lease_until = NULL, retry_at = 0, progress = 0,
                channel_id = CASE WHEN parent_id IS NULL THEN NULL ELSE channel_id END
         WHERE status = 'in_progress' AND lease_until IS NOT NULL AND lease_until <= $1",
    )
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r)
}

/// Gives a claimed task back to the queue until `retry_at`: the upstream's queue was full (a
/// wait for room, no try), or the channel failed (`tried`: counted, and from then on the task's
/// deadline runs). Unless it is a follow-up (pinned to its parent's channel), the next claim may
/// pick another channel.
pub async fn release(
    pool: &super::Pool,
    id: &str,
    attempt: &str,
    retry_at: i64,
    tried: bool,
) -> Result<(), sqlx::Error> {
    by_attempt(
        pool,
        "UPDATE tasks SET lease_until = NULL, retry_at = $3, misses = misses + $4,
                channel_id = CASE WHEN parent_id IS NULL THEN NULL ELSE channel_id END
         WHERE id = $1 AND attempt = $2 AND status = 'queued'",
        id,
        attempt,
        &[retry_at, i64::from(tried)],
    )
    .await
    .map(drop)
}

/// Gives back every claim: at the start of the only worker of this database, a claim is one a
/// stopped process left mid-send. Whether that send reached the upstream is unknown; the task is
/// sent again. Answers how many.
pub async fn release_all_claims(pool: &super::Pool) -> Result<u64, sqlx::Error> {
    let r = super::on!(pool, |conn| sqlx::query(
        "UPDATE tasks SET lease_until = NULL,
                channel_id = CASE WHEN parent_id IS NULL THEN NULL ELSE channel_id END
         WHERE status = 'queued' AND lease_until IS NOT NULL",
    )
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r)
}

/// Live tasks whose deadline passed (no change seen for `timeout_ms`), with how many tries
/// failed: a task back in the queue after faults counts too, whatever its retries' back-off; one
/// waiting for a free channel that was never sent (nor tried) may wait on.
pub async fn overdue(
    pool: &super::Pool,
    now: i64,
    timeout_ms: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT id, misses FROM tasks WHERE status IN ",
        live!(),
        " AND touched_at < $1
          AND NOT (status = 'queued' AND started_at IS NULL AND misses = 0)"
    ))
    .bind(now - timeout_ms)
    .fetch_all(conn)
    .await)
}

/// Moves a running task forward: status never back, progress never down. True if anything changed.
pub async fn advance(
    pool: &super::Pool,
    id: &str,
    status: TaskStatus,
    progress: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = super::on!(pool, |conn| {
        sqlx::query(
        "UPDATE tasks SET
            status = CASE WHEN status = 'submitted' AND $2 = 'in_progress' THEN 'in_progress' ELSE status END,
            progress = CASE WHEN progress > $3 THEN progress ELSE $3 END,
            touched_at = $4,
            misses = 0
         WHERE id = $1 AND status IN ('submitted', 'in_progress')
           AND ((status = 'submitted' AND $2 = 'in_progress') OR progress < $3)",
    )
    .bind(id)
    .bind(status)
    .bind(progress)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(r == 1)
}

/// The upstream waits for the user (a modal step): the task waits with it.
pub async fn wait_for_input(pool: &super::Pool, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let r = super::on!(pool, |conn| sqlx::query(concat!(
        "UPDATE tasks SET status = 'needs_input', touched_at = $2, misses = 0
         WHERE id = $1 AND status IN ",
        running!()
    ))
    .bind(id)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r == 1)
}

/// A modal confirmation was sent for the task (its step `step`, counted from 0): it runs again,
/// as `upstream_id`. False when another confirmation got there first or the task ended.
pub async fn modal_sent(
    pool: &super::Pool,
    id: &str,
    step: i64,
    upstream_id: &str,
    params: &TaskParams,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = super::on!(pool, |conn| sqlx::query(concat!(
        "UPDATE tasks SET modal_step = modal_step + 1, upstream_id = $3, params = $4,
                status = 'in_progress', touched_at = $5, misses = 0, modal_claimed_at = NULL
         WHERE id = $1 AND modal_step = $2 AND status IN ",
        live!()
    ))
    .bind(id)
    .bind(step)
    .bind(upstream_id)
    .bind(Json(params))
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r == 1)
}

/// How long a claim on a modal step holds if its holder never lets go (an instance that died
/// while sending).
pub const MODAL_CLAIM_MS: i64 = 120_000;

/// Claims modal step `step` of a task waiting in a modal step (for the user's input, or confirmed
/// by Atelier itself for Remix), for one answer or a cancel: false when someone else holds it, or
/// the task has moved on. A conditional update, so of answers arriving
/// at once exactly one goes upstream.
pub async fn claim_modal(
    pool: &super::Pool,
    id: &str,
    step: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = super::on!(pool, |conn| sqlx::query(
        "UPDATE tasks SET modal_claimed_at = $3
         WHERE id = $1 AND modal_step = $2
           AND status IN ('submitted', 'in_progress', 'needs_input')
           AND (modal_claimed_at IS NULL OR modal_claimed_at < $4)"
    )
    .bind(id)
    .bind(step)
    .bind(now)
    .bind(now - MODAL_CLAIM_MS)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r == 1)
}

/// Lets go of a claim on modal step `step` (the answer did not get through).
pub async fn release_modal(pool: &super::Pool, id: &str, step: i64) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "UPDATE tasks SET modal_claimed_at = NULL WHERE id = $1 AND modal_step = $2"
    )
    .bind(id)
    .bind(step)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Stores the preview the upstream showed at `progress`, unless the task has moved past it (a
/// slower download of an older preview never replaces a newer one). Answers the key it replaced
/// (to release) when stored, None when not.
pub async fn set_preview(
    tx: &mut Tx<'_>,
    id: &str,
    key: &str,
    url: &str,
    progress: i64,
    now: i64,
) -> Result<Option<Option<String>>, sqlx::Error> {
    let sql = format!(
        "SELECT preview_key FROM tasks
         WHERE id = $1 AND status IN ('submitted', 'in_progress') AND progress <= $2
           AND preview_url IS DISTINCT FROM $3{}",
        tx.lock_rows()
    );
    let old: Option<(Option<String>,)> =
        super::on_tx!(tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(progress)
            .bind(url)
            .fetch_optional(conn)
            .await)?;
    let Some((old,)) = old else {
        return Ok(None);
    };
    super::on_tx!(tx, |conn| sqlx::query(
        "UPDATE tasks SET preview_key = $2, preview_url = $3, touched_at = $4, misses = 0
         WHERE id = $1",
    )
    .bind(id)
    .bind(key)
    .bind(url)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(Some(old))
}

/// Counts a poll in which the upstream did not know the task; returns the count so far.
pub async fn count_miss(pool: &super::Pool, id: &str) -> Result<i64, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_scalar(concat!(
        "UPDATE tasks SET misses = misses + 1 WHERE id = $1 AND status IN ",
        running!(),
        " RETURNING misses"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
    .map(|m| m.unwrap_or(0))
}

/// Remembers the final image's upstream URL while it is being downloaded.
pub async fn set_final_url(pool: &super::Pool, id: &str, url: &str) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(concat!(
        "UPDATE tasks SET final_url = $2 WHERE id = $1 AND status IN ",
        running!()
    ))
    .bind(id)
    .bind(url)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn succeed(
    tx: &mut Tx<'_>,
    id: &str,
    outputs: &[Output],
    buttons: &[Button],
    text: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = super::on_tx!(tx, |conn| {
        sqlx::query(concat!(
        "UPDATE tasks SET status = 'succeeded', progress = 100, outputs = $2, buttons = $3, text = $4,
                finished_at = $5, touched_at = $5, fail_reason = NULL, lease_until = NULL
         WHERE id = $1 AND status IN ",
        live!()
    ))
    .bind(id)
    .bind(Json(outputs))
    .bind(Json(buttons))
    .bind(text)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(r == 1)
}

/// How a live task ends.
pub struct Ending<'a> {
    pub status: TaskStatus,
    /// What the owner is told.
    pub reason: Option<&'a str>,
    /// What admins see besides: the internal detail behind `reason`.
    pub detail: Option<&'a str>,
    /// How much of the cost goes back.
    pub refund: Refund,
}

/// How much of a task's cost goes back when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refund {
    /// All of it (a failure; a cancel before the upstream started drawing).
    All,
    /// A cancel: all of it unless the task is being drawn, then what the policy gives back at its
    /// progress (rounded down to whole credits). Decided on the row as this transaction locks it.
    Cancel(crate::types::CancelRefund),
}

/// What ending a task changed: whose it was, the credits to give back, and the preview it let go
/// (no longer served: a cancelled or failed task keeps no picture it was not charged for).
pub struct Ended {
    pub user_id: String,
    pub refunded: i64,
    pub preview_key: Option<String>,
}

/// Ends a live task (None when it was not live: nothing written).
pub async fn end(
    tx: &mut Tx<'_>,
    id: &str,
    ending: &Ending<'_>,
    now: i64,
) -> Result<Option<Ended>, sqlx::Error> {
    // The row is locked first (on PostgreSQL; SQLite's write transaction holds the database), so
    // that the preview let go is the one this transaction clears.
    let sql = format!(
        concat!(
            "SELECT preview_key, status, progress FROM tasks WHERE id = $1 AND status IN ",
            live!(),
            "{}"
        ),
        tx.lock_rows()
    );
    let old: Option<(Option<String>, TaskStatus, i64)> =
        super::on_tx!(tx, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(conn)
            .await)?;
    let Some((preview_key, status, progress)) = old else {
        return Ok(None);
    };
    let percent = match ending.refund {
        Refund::Cancel(policy) if status == TaskStatus::InProgress => policy.percent_at(progress),
        _ => 100,
    };
    let ended: Option<(String, i64)> = super::on_tx!(tx, |conn| sqlx::query_as(concat!(
        "UPDATE tasks SET status = $2, fail_reason = $3, fail_detail = $4, finished_at = $5,
                touched_at = $5, lease_until = NULL, preview_key = NULL,
                refunded = cost * $6 / 100
         WHERE id = $1 AND status IN ",
        live!(),
        " RETURNING user_id, refunded"
    ))
    .bind(id)
    .bind(ending.status)
    .bind(ending.reason)
    .bind(ending.detail)
    .bind(now)
    .bind(percent)
    .fetch_optional(conn)
    .await)?;
    Ok(ended.map(|(user_id, refunded)| Ended {
        user_id,
        refunded,
        preview_key,
    }))
}

/// Deletes a final task that no live task was made from; answers it as it was (None when it is
/// live, gone, or has a live follow-up). Its finished follow-ups stay, without a parent.
pub async fn delete_final(tx: &mut Tx<'_>, id: &str) -> Result<Option<TaskRow>, sqlx::Error> {
    let row: Option<TaskRow> = super::on_tx!(tx, |conn| sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE id = $1 AND status NOT IN ",
        live!(),
        " AND NOT EXISTS (SELECT 1 FROM tasks c WHERE c.parent_id = $1 AND c.status IN ",
        live!(),
        ")"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)?;
    if row.is_none() {
        return Ok(None);
    }
    super::on_tx!(tx, |conn| sqlx::query(
        "UPDATE tasks SET parent_id = NULL WHERE parent_id = $1"
    )
    .bind(id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    super::on_tx!(tx, |conn| sqlx::query("DELETE FROM tasks WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(row)
}

pub async fn find_by_upstream(
    pool: &super::Pool,
    channel_id: &str,
    upstream_id: &str,
) -> Result<Option<TaskRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE channel_id = $1 AND upstream_id = $2"
    ))
    .bind(channel_id)
    .bind(upstream_id)
    .fetch_optional(conn)
    .await)
}

/// Tasks known upstream by this id, on any channel (at most two: more says it is ambiguous).
pub async fn by_upstream_anywhere(
    pool: &super::Pool,
    upstream_id: &str,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE upstream_id = $1 LIMIT 2"
    ))
    .bind(upstream_id)
    .fetch_all(conn)
    .await)
}

pub async fn count_live(pool: &super::Pool) -> Result<i64, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_scalar(concat!(
        "SELECT COUNT(*) FROM tasks WHERE status IN ",
        live!()
    ))
    .fetch_one(conn)
    .await)
}

/// A user's live tasks plus their `recent` newest tasks, newest first.
pub async fn live_and_recent_of_user(
    pool: &super::Pool,
    user_id: &str,
    recent: i64,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    super::on!(pool, |conn| {
        sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        // Two index reads (live ones by status, the latest by id), not an OR that reads every
        // task of the user.
        " FROM tasks WHERE id IN (
            SELECT id FROM tasks WHERE user_id = $1 AND status IN ",
        live!(),
        " UNION ALL
            SELECT id FROM (SELECT id FROM tasks WHERE user_id = $1 ORDER BY id DESC LIMIT $2) AS latest
          ) ORDER BY id DESC LIMIT 200"
    ))
    .bind(user_id)
    .bind(recent)
    .fetch_all(conn)
    .await
    })
}

/// A task as a poll sees it: with its place in the queue, and its owner's balance.
#[derive(Debug, Clone, FromRow)]
pub struct PolledTask {
    #[sqlx(flatten)]
    pub row: TaskRow,
    /// How many queued tasks of its engine and mode were queued before it (queued tasks only).
    pub queue_position: Option<i64>,
    /// The owner's balance.
    pub balance: i64,
}

/// Tasks by id, in no particular order (unknown ids are left out), in one query.
pub async fn polled(pool: &super::Pool, ids: &[String]) -> Result<Vec<PolledTask>, sqlx::Error> {
    super::gather::fetch_in(
        pool,
        super::gather::where_in!(
            concat!(
                "SELECT ",
                task_columns!(),
                ", CASE WHEN t.status = 'queued' THEN
                     (SELECT COUNT(*) FROM tasks q WHERE q.status = 'queued' AND q.engine = t.engine
                        AND q.mode IS NOT DISTINCT FROM t.mode AND q.id < t.id)
                   END AS queue_position,
                   (SELECT balance FROM users u WHERE u.id = t.user_id) AS balance
                 FROM tasks t"
            ),
            "t.id"
        ),
        ids,
    )
    .await
}

pub async fn children(pool: &super::Pool, id: &str) -> Result<Vec<TaskRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        task_columns!(),
        " FROM tasks WHERE parent_id = $1 ORDER BY id"
    ))
    .bind(id)
    .fetch_all(conn)
    .await)
}

/// Stars (or unstars) one of the user's tasks; false when they have no such task.
pub async fn set_favorite(
    pool: &super::Pool,
    id: &str,
    user_id: &str,
    on: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = super::on!(pool, |conn| {
        sqlx::query(
        "UPDATE tasks SET favorite_at = CASE WHEN $3 THEN COALESCE(favorite_at, $4) ELSE NULL END
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .bind(on)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(r == 1)
}

/// What a search of the user's tasks is narrowed to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    pub kind: Option<EngineKind>,
    pub status: Option<TaskStatus>,
    /// Words found anywhere in the prompt, as typed.
    pub words: Option<&'a str>,
    /// Keyset pagination: ids below this one.
    pub before: Option<&'a str>,
    /// Only the starred ones.
    pub favorite: bool,
    /// Only this batch's tasks.
    pub batch: Option<&'a str>,
    /// Only the tasks in this collection (the caller checked it is the user's).
    pub collection: Option<&'a str>,
    /// Only MidJourney's tasks of this mode.
    pub mode: Option<Mode>,
    /// Made at or after this moment, and before that one (ms).
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

/// The conditions of a [`Filter`] but its words, on `tasks`, with the binds of [`bind_filter!`]
/// ($1 to $10; $11 is the limit, and the words' binds follow).
macro_rules! filter_conditions {
    () => {
        "user_id = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR id < $3)
            AND ($4 IS NULL OR engine = $4)
            AND (NOT $5 OR favorite_at IS NOT NULL)
            AND ($6 IS NULL OR batch_id = $6)
            AND ($7 IS NULL OR id IN
                (SELECT task_id FROM collection_tasks WHERE collection_id = $7))
            AND ($8 IS NULL OR mode = $8)
            AND ($9 IS NULL OR created_at >= $9)
            AND ($10 IS NULL OR created_at < $10)"
    };
}

/// Binds what [`filter_conditions!`] and a limit ask for, then every text of `$extra`.
macro_rules! bind_filter {
    ($q:expr, $user_id:expr, $f:expr, $limit:expr, $extra:expr) => {{
        let mut q = $q
            .bind($user_id)
            .bind($f.status)
            .bind($f.before)
            .bind($f.kind)
            .bind($f.favorite)
            .bind($f.batch)
            .bind($f.collection)
            .bind($f.mode)
            .bind($f.from_ms)
            .bind($f.until_ms)
            .bind($limit);
        for text in $extra {
            q = q.bind(text.as_str());
        }
        q
    }};
}

/// How many of the newest tasks a search reads before it asks an index: a common word is found
/// among them at once, a rare one through the index (whose cost grows with the number of prompts
/// that hold the word, not with the number of tasks).
const SEARCH_WINDOW: i64 = 2000;

/// The words of a search: each one must be somewhere in the prompt, in any order.
fn words_of(q: &str) -> Vec<&str> {
    let mut words: Vec<&str> = Vec::new();
    for w in q.split_whitespace() {
        if !words.contains(&w) {
            words.push(w);
        }
    }
    words
}

/// A LIKE pattern that finds `word` anywhere (with `\` as the escape character).
fn like_pattern(word: &str) -> String {
    format!(
        "%{}%",
        word.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// `AND prompt LIKE $n ...` for each pattern, numbered from `first`.
fn like_conditions(op: &str, first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!(" AND prompt {op} ${n} ESCAPE '\\'"))
        .collect()
}

/// Words of a search the trigram index is asked about, at most: the longest (the most selective),
/// so a search of many words never reads the postings of each (which hold every user's prompts).
/// The others are still required of every candidate, by the LIKEs.
const INDEX_WORDS_MAX: usize = 3;

/// Which of `words` (by position) the index is asked about: those of three characters or more
/// (the index cannot find shorter ones), the [`INDEX_WORDS_MAX`] longest.
fn index_words(words: &[&str]) -> Vec<usize> {
    let mut long: Vec<(usize, usize)> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (i, w.chars().count()))
        .filter(|(_, n)| *n >= 3)
        .collect();
    long.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut chosen: Vec<usize> = long.iter().take(INDEX_WORDS_MAX).map(|(i, _)| *i).collect();
    chosen.sort_unstable();
    chosen
}

/// The trigram index's query for [`index_words`] of `words`, or None when there is none. It asks
/// for candidates, which the LIKEs then check: a word of up to five characters is asked as a
/// phrase, a longer one as three of its trigrams (first, middle, last) in any order, which finds
/// every prompt that holds it while reading three lists of the index instead of one per trigram.
fn fts_query(words: &[&str]) -> Option<String> {
    let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut terms: Vec<String> = Vec::new();
    for w in index_words(words).into_iter().map(|i| words[i]) {
        let chars: Vec<char> = w.chars().collect();
        if chars.len() <= 5 {
            terms.push(quoted(w));
            continue;
        }
        for at in [0, (chars.len() - 3) / 2, chars.len() - 3] {
            let t: String = chars[at..at + 3].iter().collect();
            let t = quoted(&t);
            if !terms.contains(&t) {
                terms.push(t);
            }
        }
    }
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// The LIKEs of the older step on PostgreSQL: those of [`index_words`] on the prompt (which its
/// trigram index serves), the rest on an expression no index serves, so they are checked on the
/// candidates rather than read from the index.
fn older_likes_postgres(words: &[&str], first: usize) -> String {
    let indexed = index_words(words);
    (0..words.len())
        .map(|i| {
            let n = first + i;
            if indexed.contains(&i) {
                format!(" AND tasks.prompt ILIKE ${n} ESCAPE '\\'")
            } else {
                format!(" AND (tasks.prompt || '') ILIKE ${n} ESCAPE '\\'")
            }
        })
        .collect()
}

/// History: newest first, keyset-paginated on the id, narrowed by `f`. Every word of the search
/// must be somewhere in the prompt, case-insensitively (LIKE on SQLite, ILIKE on PostgreSQL).
///
/// The same steps on both backends: the newest [`SEARCH_WINDOW`] tasks of the filter are read
/// first, which finds a common word at once; only when they hold too few (and there are older
/// ones) are the older tasks searched through an index: SQLite's FTS5 trigram index, PostgreSQL's
/// pg_trgm GIN index (both of migration 0017). That second step is a materialized CTE so that
/// PostgreSQL's planner cannot trade the index for a backward walk of the primary key, which
/// reads every row when the words are common among others' prompts and rare among the user's.
pub async fn search_of_user(
    pool: &super::Pool,
    user_id: &str,
    f: Filter<'_>,
    limit: i64,
) -> Result<Vec<TaskRow>, sqlx::Error> {
    let words = f.words.map(words_of).unwrap_or_default();
    let patterns: Vec<String> = words.iter().map(|w| like_pattern(w)).collect();
    let likes = like_conditions(
        if pool.is_postgres() { "ILIKE" } else { "LIKE" },
        12,
        patterns.len(),
    );
    let select = concat!("SELECT ", task_columns!(), " FROM tasks WHERE ");
    let order = " ORDER BY id DESC LIMIT $11";
    let none: [String; 0] = [];
    if words.is_empty() {
        let sql = format!("{select}{}{order}", filter_conditions!());
        return super::on!(pool, |c| {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            bind_filter!(q, user_id, f, limit, &none).fetch_all(c).await
        });
    }
    // The newest tasks first.
    let window = format!(
        concat!(
            "SELECT * FROM (SELECT ",
            task_columns!(),
            " FROM tasks WHERE {} ORDER BY id DESC LIMIT {}) AS newest WHERE TRUE{}{}"
        ),
        filter_conditions!(),
        SEARCH_WINDOW,
        likes,
        order
    );
    let mut rows: Vec<TaskRow> = super::on!(pool, |c| {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(window.as_str()));
        bind_filter!(q, user_id, f, limit, &patterns)
            .fetch_all(c)
            .await
    })?;
    if rows.len() as i64 >= limit {
        return Ok(rows);
    }
    let seen = format!(
        // (One row: the limit, bound as for every query, changes nothing.)
        "SELECT COUNT(*), MIN(id) FROM (SELECT id FROM tasks WHERE {} ORDER BY id DESC LIMIT {}) \
         AS newest LIMIT $11",
        filter_conditions!(),
        SEARCH_WINDOW
    );
    let (count, oldest): (i64, Option<String>) = super::on!(pool, |c| {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(seen.as_str()));
        bind_filter!(q, user_id, f, limit, &none).fetch_one(c).await
    })?;
    let Some(oldest) = oldest.filter(|_| count >= SEARCH_WINDOW) else {
        return Ok(rows);
    };
    // The older tasks, through the index. PostgreSQL's planner finds its index for the ILIKEs;
    // SQLite's is asked by name when a word is long enough for it, and walked first (a CROSS
    // JOIN keeps that order: the user's own index would otherwise read every older task).
    let mut texts = patterns;
    let from = match fts_query(&words).filter(|_| !pool.is_postgres()) {
        Some(m) => {
            texts.push(m);
            format!(
                "tasks_fts CROSS JOIN tasks ON tasks.rowid = tasks_fts.rowid \
                 WHERE tasks_fts MATCH ${} AND",
                11 + texts.len()
            )
        }
        None => "tasks WHERE".to_owned(),
    };
    texts.push(oldest);
    // (The full-text table has a `prompt` too: the LIKEs name the task's.)
    let likes = if pool.is_postgres() {
        older_likes_postgres(&words, 12)
    } else {
        likes.replace(" prompt ", " tasks.prompt ")
    };
    let older = format!(
        "WITH found AS MATERIALIZED (SELECT tasks.id FROM {from} {}{likes} AND tasks.id < ${}) \
         {select}id IN (SELECT id FROM found{order}){order}",
        filter_conditions!(),
        11 + texts.len()
    );
    let more: Vec<TaskRow> = super::on!(pool, |c| {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(older.as_str()));
        bind_filter!(q, user_id, f, limit - rows.len() as i64, &texts)
            .fetch_all(c)
            .await
    })?;
    rows.extend(more);
    Ok(rows)
}

/// The user's tasks among `ids` (others' and unknown ids left out), in no particular order.
pub async fn of_user_by_ids(
    pool: &super::Pool,
    user_id: &str,
    ids: &[String],
) -> Result<Vec<TaskRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks WHERE user_id = $1 AND id IN ({})"
        ),
        marks.join(", ")
    );
    super::on!(pool, |conn| {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(user_id);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(conn).await
    })
}

#[cfg(test)]
mod tests {
    use super::{fts_query, index_words, older_likes_postgres};

    #[test]
    fn a_search_of_many_words_asks_the_index_about_the_three_longest() {
        let words = ["cat", "a", "heron", "in", "dog", "rain", "fox", "sunset"];
        assert_eq!(index_words(&words), [2, 5, 7], "heron, rain, sunset");
        assert_eq!(
            fts_query(&words).as_deref(),
            Some(r#""heron" "rain" "sun" "uns" "set""#)
        );
        let likes = older_likes_postgres(&words, 12);
        assert_eq!(likes.matches("AND tasks.prompt ILIKE").count(), 3);
        assert_eq!(likes.matches("(tasks.prompt || '') ILIKE").count(), 5);
        assert!(
            likes.contains("tasks.prompt ILIKE $14 "),
            "heron is $14: {likes}"
        );
    }

    #[test]
    fn the_index_is_asked_for_candidates_of_every_long_enough_word() {
        assert_eq!(fts_query(&["a", "ox"]), None, "too short for trigrams");
        assert_eq!(fts_query(&["fox", "a"]).as_deref(), Some(r#""fox""#));
        assert_eq!(
            fts_query(&["watercolour"]).as_deref(),
            Some(r#""wat" "rco" "our""#),
            "first, middle and last trigram"
        );
        assert_eq!(
            fts_query(&["水彩画风格"]).as_deref(),
            Some(r#""水彩画风格""#)
        );
        assert_eq!(
            fts_query(&["say\"hi\"x"]).as_deref(),
            Some(r#""say" "y""h" "i""x""#),
            "quotes doubled"
        );
    }
}
