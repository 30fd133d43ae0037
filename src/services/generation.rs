//! Tasks: submit (charge and insert in one transaction), follow-up actions, cancel, and the one
//! function that applies upstream news to a task.

use crate::{
    auth::CurrentUser,
    db::{self, ledger, tasks::TaskRow},
    domain::prompt::Prompt,
    engine::Engine,
    error::AppError,
    types::{Button, Mode, Role, TaskStatus, TaskUpdates, TaskView},
    upstream::wire::{self, Phase},
};

/// Submits a new imagine task: checks, then charges and inserts as `queued` in one transaction.
#[tracing::instrument(skip(engine, user, prompt), fields(user_id = %user.id))]
pub async fn submit(
    engine: &Engine,
    user: &CurrentUser,
    prompt: &str,
    mode: &str,
) -> Result<TaskView, AppError> {
    let settings = ready(engine, user).await?;
    let prompt = Prompt::parse(prompt)?;
    let mode = Mode::parse(mode.trim())
        .ok_or_else(|| AppError::validation("mode", "Choose fast, relax or turbo."))?;
    let mc = settings.mode(mode);
    if !mc.enabled {
        return Err(AppError::validation("mode", "This mode is switched off."));
    }
    let task = db::tasks::NewTask {
        id: &db::new_id(),
        user_id: &user.id,
        parent_id: None,
        action: "imagine",
        custom_id: None,
        mode: mode.as_str(),
        prompt: prompt.as_str(),
        cost: mc.cost,
    };
    create(engine, &task, settings.max_active_tasks_per_user).await
}

/// Presses a button of a finished task: a new child task, charged the action cost.
#[tracing::instrument(skip(engine, user), fields(user_id = %user.id))]
pub async fn action(
    engine: &Engine,
    user: &CurrentUser,
    parent_id: &str,
    custom_id: &str,
) -> Result<TaskView, AppError> {
    let settings = ready(engine, user).await?;
    let parent = visible(engine, user, parent_id).await?;
    if parent.status != TaskStatus::Succeeded.as_str() {
        return Err(AppError::Conflict(
            "Buttons work once the task has succeeded.".into(),
        ));
    }
    let buttons: Vec<Button> = serde_json::from_str(&parent.buttons).unwrap_or_default();
    let custom_id = custom_id.trim();
    if !buttons.iter().any(|b| b.custom_id == custom_id) {
        return Err(AppError::validation(
            "custom_id",
            "This is not one of the task's buttons.",
        ));
    }
    let kind = action_of(custom_id).ok_or_else(|| {
        AppError::validation(
            "custom_id",
            "This button needs a step Atelier does not offer yet.",
        )
    })?;
    let task = db::tasks::NewTask {
        id: &db::new_id(),
        user_id: &user.id,
        parent_id: Some(&parent.id),
        action: kind,
        custom_id: Some(custom_id),
        mode: &parent.mode,
        prompt: &parent.prompt,
        cost: settings.action_cost,
    };
    create(engine, &task, settings.max_active_tasks_per_user).await
}

/// What a button does, from its customId (see midjourney-proxy.md).
pub fn action_of(custom_id: &str) -> Option<&'static str> {
    let mut parts = custom_id.split("::");
    let (Some("MJ"), Some(group), Some(kind)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Some(match (group, kind) {
        ("JOB", "upsample") => "upscale",
        ("JOB", k) if k.starts_with("upsample_") => "upscale",
        ("JOB", "variation" | "low_variation" | "high_variation") => "variation",
        ("JOB", "reroll") => "reroll",
        ("JOB", k) if k.starts_with("pan_") => "pan",
        ("Outpaint", _) => "zoom",
        _ => return None,
    })
}

/// The settings, once generation is on and the user may use it.
async fn ready(
    engine: &Engine,
    user: &CurrentUser,
) -> Result<crate::services::settings::Settings, AppError> {
    let settings = engine.settings().await?;
    if !settings.enabled {
        return Err(AppError::Disabled);
    }
    if user.role == Role::Pending {
        return Err(AppError::Forbidden(
            "Your account is waiting for an administrator's approval.".into(),
        ));
    }
    Ok(settings)
}

async fn create(
    engine: &Engine,
    task: &db::tasks::NewTask<'_>,
    max_active: i64,
) -> Result<TaskView, AppError> {
    let now = db::now_ms();
    // IMMEDIATE: take the write lock first, so the count, the charge and the insert see one state.
    let mut tx = engine
        .pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(super::internal)?;
    let Some(row) = db::tasks::insert_below(&mut tx, task, now, max_active)
        .await
        .map_err(super::internal)?
    else {
        return Err(AppError::TooManyTasks { limit: max_active });
    };
    if task.cost > 0 {
        let charge = ledger::NewEntry {
            user_id: task.user_id,
            delta: -task.cost,
            reason: ledger::Reason::Charge,
            task_id: Some(task.id),
            note: None,
        };
        match ledger::append(&mut tx, charge, now).await {
            Ok(_) => {}
            Err(ledger::AppendError::WouldGoNegative) => {
                drop(tx);
                let have = super::credits::balance(&engine.pool, task.user_id).await?;
                return Err(AppError::InsufficientCredits {
                    need: task.cost,
                    have,
                });
            }
            Err(e) => return Err(super::internal(e)),
        }
    }
    tx.commit().await.map_err(super::internal)?;
    tracing::info!(task_id = task.id, cost = task.cost, "task queued");
    engine.wake.notify_one();
    Ok(view(&row))
}

/// A task the user may see (their own, or any for an admin); NotFound otherwise.
pub async fn visible(engine: &Engine, user: &CurrentUser, id: &str) -> Result<TaskRow, AppError> {
    let row = engine
        .reads
        .get(id)
        .await
        .map_err(super::internal)?
        .ok_or(AppError::NotFound)?;
    if row.user_id != user.id && !user.is_admin() {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

pub async fn get(engine: &Engine, user: &CurrentUser, id: &str) -> Result<TaskView, AppError> {
    Ok(view(&visible(engine, user, id).await?))
}

/// A page of the user's tasks, newest first, and the cursor of the next page.
pub async fn list(
    engine: &Engine,
    user: &CurrentUser,
    status: Option<&str>,
    limit: i64,
    cursor: Option<&str>,
) -> Result<(Vec<TaskView>, Option<String>), AppError> {
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(
            TaskStatus::parse(s)
                .ok_or_else(|| AppError::validation("status", "Unknown status."))?
                .as_str(),
        ),
        None => None,
    };
    if !(1..=100).contains(&limit) {
        return Err(AppError::validation("limit", "Use a limit from 1 to 100."));
    }
    let rows = db::tasks::search_of_user(&engine.pool, &user.id, status, None, cursor, limit + 1)
        .await
        .map_err(super::internal)?;
    let more = rows.len() as i64 > limit;
    let views: Vec<TaskView> = rows.iter().take(limit as usize).map(view).collect();
    let next = more.then(|| views.last().map(|t| t.id.clone())).flatten();
    Ok((views, next))
}

/// Cancels a live task: upstream cancel where supported, then `cancelled` and a refund.
#[tracing::instrument(skip(engine, user), fields(user_id = %user.id))]
pub async fn cancel(engine: &Engine, user: &CurrentUser, id: &str) -> Result<TaskView, AppError> {
    let row = visible(engine, user, id).await?;
    let finished = || AppError::Conflict("The task has already finished.".into());
    if TaskStatus::parse(&row.status).is_none_or(TaskStatus::is_final) {
        return Err(finished());
    }
    if let Some(upstream_id) = &row.upstream_id {
        let settings = engine.settings().await?;
        if let Ok(target) = engine.target(&settings).await
            && let Err(e) = target.client.cancel(upstream_id).await
        {
            tracing::warn!(error = %e, "upstream cancel failed; cancelling here anyway");
        }
    }
    if !end(engine, id, TaskStatus::Cancelled, None).await? {
        return Err(finished());
    }
    get(engine, user, id).await
}

/// Ends a live task as failed or cancelled and refunds it, in one transaction. False when the
/// task had already ended (nothing written).
pub async fn end(
    engine: &Engine,
    id: &str,
    status: TaskStatus,
    reason: Option<&str>,
) -> Result<bool, AppError> {
    let now = db::now_ms();
    let mut tx = engine
        .pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(super::internal)?;
    let Some((user_id, cost)) = db::tasks::end(&mut tx, id, status.as_str(), reason, now)
        .await
        .map_err(super::internal)?
    else {
        return Ok(false);
    };
    if cost > 0 {
        let refund = ledger::NewEntry {
            user_id: &user_id,
            delta: cost,
            reason: ledger::Reason::Refund,
            task_id: Some(id),
            note: None,
        };
        ledger::append(&mut tx, refund, now)
            .await
            .map_err(super::internal)?;
    }
    tx.commit().await.map_err(super::internal)?;
    tracing::info!(
        task_id = id,
        status = status.as_str(),
        reason,
        refunded = cost,
        "task ended"
    );
    Ok(true)
}

/// Applies what the upstream says about a task (from a poll or the notify hook). Status only
/// moves forward and progress never goes down; late or repeated news changes nothing.
pub async fn apply_update(
    engine: &Engine,
    row: &TaskRow,
    up: &wire::Task,
    trusted_host: Option<&str>,
) -> Result<(), AppError> {
    let now = db::now_ms();
    if is_old_news(row, up) {
        // Most polls bring nothing new: no write at all (this keeps a tick over 10,000 live
        // tasks cheap).
        return Ok(());
    }
    match up.phase() {
        Phase::Waiting => {
            let p = i64::from(up.progress_percent().unwrap_or(0).min(99));
            db::tasks::advance(&engine.pool, &row.id, "submitted", p, now)
                .await
                .map_err(super::internal)?;
        }
        Phase::Running => {
            // The progress first: fetching the preview can take a while (a CDN, a drawing), and
            // the page should not wait for it to see the new percentage.
            let p = i64::from(up.progress_percent().unwrap_or(0).min(99));
            db::tasks::advance(&engine.pool, &row.id, "in_progress", p, now)
                .await
                .map_err(super::internal)?;
            let Some(url) = up.image_url.as_deref() else {
                return Ok(());
            };
            if row.preview_url.as_deref() == Some(url) || p < row.progress {
                return Ok(());
            }
            let key = match engine.images.download(url, trusted_host).await {
                Ok(key) => key,
                Err(e) => {
                    tracing::debug!(task_id = row.id, error = %e, "preview not stored");
                    return Ok(());
                }
            };
            let stored = db::tasks::set_preview(&engine.pool, &row.id, &key, url, p, db::now_ms())
                .await
                .map_err(super::internal)?;
            let replaced = row
                .preview_key
                .as_deref()
                .filter(|old| *old != key)
                .and_then(|k| engine.images.path_of(k));
            if stored && let Some(old) = replaced {
                let _ = tokio::fs::remove_file(old).await;
            }
        }
        Phase::Success => succeed(engine, row, up, trusted_host).await?,
        Phase::Failure => {
            let reason = up
                .fail_reason
                .as_deref()
                .filter(|r| !r.trim().is_empty())
                .unwrap_or("The upstream reported a failure.");
            end(engine, &row.id, TaskStatus::Failed, Some(reason)).await?;
        }
    }
    Ok(())
}

/// True when `up` would change nothing: same or earlier status, no more progress, same preview.
fn is_old_news(row: &TaskRow, up: &wire::Task) -> bool {
    let p = i64::from(up.progress_percent().unwrap_or(0).min(99));
    match up.phase() {
        Phase::Waiting => {
            matches!(row.status.as_str(), "submitted" | "in_progress") && p <= row.progress
        }
        Phase::Running => {
            row.status == "in_progress"
                && p <= row.progress
                && up
                    .image_url
                    .as_deref()
                    .is_none_or(|u| row.preview_url.as_deref() == Some(u))
        }
        Phase::Success | Phase::Failure => false,
    }
}

async fn succeed(
    engine: &Engine,
    row: &TaskRow,
    up: &wire::Task,
    trusted_host: Option<&str>,
) -> Result<(), AppError> {
    let Some(url) = up.image_url.as_deref().filter(|u| !u.is_empty()) else {
        end(
            engine,
            &row.id,
            TaskStatus::Failed,
            Some("The upstream finished without an image."),
        )
        .await?;
        return Ok(());
    };
    let stored = match engine.images.download(url, trusted_host).await {
        Ok(key) => engine
            .images
            .thumbnail(&key)
            .await
            .map(|thumb| (key, thumb)),
        Err(e) => Err(e),
    };
    match stored {
        Ok((key, thumb)) => {
            let buttons: Vec<Button> = up
                .buttons
                .iter()
                .filter(|b| !b.custom_id.is_empty())
                .map(|b| Button {
                    custom_id: b.custom_id.clone(),
                    label: b.label.clone(),
                    emoji: b.emoji.clone(),
                })
                .collect();
            let json = serde_json::to_string(&buttons).map_err(super::internal)?;
            db::tasks::succeed(&engine.pool, &row.id, &key, &thumb, &json, db::now_ms())
                .await
                .map_err(super::internal)?;
            tracing::info!(task_id = row.id, "task succeeded; image stored");
        }
        Err(e) if e.is_transient() => {
            // Try again next tick, until the deadline.
            tracing::warn!(task_id = row.id, error = %e, "final image not stored yet");
            db::tasks::set_final_url(&engine.pool, &row.id, url)
                .await
                .map_err(super::internal)?;
        }
        Err(e) => {
            let reason = format!("The image could not be stored: {e}");
            end(engine, &row.id, TaskStatus::Failed, Some(&reason)).await?;
        }
    }
    Ok(())
}

pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

pub fn view(row: &TaskRow) -> TaskView {
    let url = |what: &str| format!("/api/v1/midjourney/task/{}/{what}", row.id);
    TaskView {
        id: row.id.clone(),
        parent_id: row.parent_id.clone(),
        action: row.action.clone(),
        mode: Mode::parse(&row.mode).unwrap_or(Mode::Fast),
        prompt: row.prompt.clone(),
        status: TaskStatus::parse(&row.status).unwrap_or(TaskStatus::Failed),
        progress: row.progress.clamp(0, 100) as u8,
        image_url: row.image_key.as_ref().map(|_| url("image")),
        preview_url: row.preview_key.as_ref().map(|_| url("preview")),
        thumbnail_url: row.thumb_key.as_ref().map(|_| url("thumbnail")),
        buttons: serde_json::from_str(&row.buttons).unwrap_or_default(),
        cost: row.cost,
        fail_reason: row.fail_reason.clone(),
        upstream_id: row.upstream_id.clone(),
        created_at: rfc3339(row.created_at),
        started_at: row.started_at.map(rfc3339),
        finished_at: row.finished_at.map(rfc3339),
        queue_position: None,
    }
}

/// Views with the queue position of queued tasks filled in (one read for all of them).
async fn with_positions(engine: &Engine, rows: &[TaskRow]) -> Result<Vec<TaskView>, AppError> {
    let queued: Vec<String> = rows
        .iter()
        .filter(|r| r.status == TaskStatus::Queued.as_str())
        .map(|r| r.id.clone())
        .collect();
    let places: std::collections::HashMap<String, Option<i64>> = if queued.is_empty() {
        std::collections::HashMap::new()
    } else {
        engine
            .reads
            .get_many(queued)
            .await
            .map_err(super::internal)?
            .into_iter()
            .map(|p| (p.row.id, p.queue_position))
            .collect()
    };
    Ok(rows
        .iter()
        .map(|row| TaskView {
            queue_position: places.get(&row.id).copied().flatten(),
            ..view(row)
        })
        .collect())
}

/// The user's live tasks and their `recent` latest others, newest first.
pub async fn opening(
    engine: &Engine,
    user: &CurrentUser,
    recent: i64,
) -> Result<Vec<TaskView>, AppError> {
    let rows = db::tasks::live_and_recent_of_user(&engine.pool, &user.id, recent)
        .await
        .map_err(super::internal)?;
    with_positions(engine, &rows).await
}

/// The current state of some of the user's tasks (others' are left out), at most 100.
pub async fn updates(
    engine: &Engine,
    user: &CurrentUser,
    ids: &[String],
) -> Result<TaskUpdates, AppError> {
    if ids.len() > 100 {
        return Err(AppError::validation(
            "ids",
            "Ask about at most 100 tasks at once.",
        ));
    }
    let mut rows = engine
        .reads
        .get_many(ids.to_vec())
        .await
        .map_err(super::internal)?;
    rows.retain(|r| r.row.user_id == user.id);
    rows.sort_unstable_by(|a, b| b.row.id.cmp(&a.row.id));
    rows.dedup_by(|a, b| a.row.id == b.row.id);
    let balance = match rows.first() {
        Some(r) => r.balance,
        None => super::credits::balance(&engine.pool, &user.id).await?,
    };
    let tasks = rows
        .iter()
        .map(|r| TaskView {
            queue_position: r.queue_position,
            ..view(&r.row)
        })
        .collect();
    Ok(TaskUpdates { tasks, balance })
}

/// A task with its parent and children, for the task view.
pub async fn detail(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
) -> Result<(TaskView, Option<TaskView>, Vec<TaskView>), AppError> {
    let row = visible(engine, user, id).await?;
    let parent = match &row.parent_id {
        Some(p) => db::tasks::get(&engine.pool, p)
            .await
            .map_err(super::internal)?
            .map(|r| view(&r)),
        None => None,
    };
    let children = db::tasks::children(&engine.pool, &row.id)
        .await
        .map_err(super::internal)?
        .iter()
        .map(view)
        .collect();
    Ok((
        with_positions(engine, std::slice::from_ref(&row))
            .await?
            .remove(0),
        parent,
        children,
    ))
}

/// A page of the user's history, newest first, filtered by status and by words of the prompt.
pub async fn history(
    engine: &Engine,
    user: &CurrentUser,
    status: Option<TaskStatus>,
    search: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<(Vec<TaskView>, Option<String>), AppError> {
    let pattern = search.map(str::trim).filter(|q| !q.is_empty()).map(|q| {
        format!(
            "%{}%",
            q.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )
    });
    let rows = db::tasks::search_of_user(
        &engine.pool,
        &user.id,
        status.map(TaskStatus::as_str),
        pattern.as_deref(),
        before,
        limit + 1,
    )
    .await
    .map_err(super::internal)?;
    let more = rows.len() as i64 > limit;
    let tasks: Vec<TaskView> = rows.iter().take(limit as usize).map(view).collect();
    let next = if more {
        tasks.last().map(|t| t.id.clone())
    } else {
        None
    };
    Ok((tasks, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_map_to_actions() {
        assert_eq!(action_of("MJ::JOB::upsample::1::abc"), Some("upscale"));
        assert_eq!(action_of("MJ::JOB::variation::4::abc"), Some("variation"));
        assert_eq!(
            action_of("MJ::JOB::high_variation::1::abc::SOLO"),
            Some("variation")
        );
        assert_eq!(action_of("MJ::JOB::reroll::0::abc::SOLO"), Some("reroll"));
        assert_eq!(action_of("MJ::JOB::pan_left::1::abc::SOLO"), Some("pan"));
        assert_eq!(action_of("MJ::Outpaint::50::1::abc::SOLO"), Some("zoom"));
        assert_eq!(action_of("MJ::CustomZoom::abc"), None);
        assert_eq!(action_of("nonsense"), None);
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_764_324_000_123), "2025-11-28T10:00:00.123Z");
    }
}
