//! The background worker: a loop around one public step, [`poll_once`], which tests call directly.
//!
//! Each tick: end overdue tasks; send queued tasks while each mode's concurrency allows; then ask
//! the upstream about every running task with one list-by-condition request per 100 tasks.

use crate::{
    db::{self, tasks::TaskRow},
    engine::{Engine, Target},
    services::generation,
    types::{Mode, TaskStatus},
    upstream::{SubmitOutcome, UpstreamError, wire},
};
use futures::StreamExt;
use std::{collections::HashMap, sync::Arc, time::Duration};

/// Tasks per list-by-condition request.
pub const CHUNK: usize = 100;
/// Polls in a row an upstream may not know a task before it counts as forgotten.
pub const MAX_MISSES: i64 = 3;
/// Poll intervals a queued task waits after a full queue or an unreachable upstream.
const RETRY_TICKS: u32 = 3;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollOutcome {
    /// Tasks still live after this tick.
    pub live: usize,
    /// Tasks sent upstream this tick.
    pub dispatched: usize,
    /// HTTP requests made to the upstream this tick.
    pub requests: usize,
    /// Tasks that ended by timeout or because the upstream forgot them.
    pub expired: usize,
}

/// Runs ticks until the task is aborted: every poll interval while something is live, otherwise
/// when woken by a new task (or every 30 s). Ticks start a poll interval apart, however long a
/// tick takes (never less than no pause at all), so an upstream change waits at most one interval.
pub async fn run_until_stopped(engine: Arc<Engine>) {
    loop {
        let started = tokio::time::Instant::now();
        let outcome = match poll_once(&engine).await {
            Ok(o) => o,
            Err(e) => {
                tracing::warn!(error = %e, "worker tick failed");
                PollOutcome {
                    live: 1,
                    ..PollOutcome::default()
                }
            }
        };
        let pause = if outcome.live > 0 {
            engine.poll_interval
        } else {
            Duration::from_secs(30)
        };
        tokio::select! {
            () = tokio::time::sleep_until(started + pause) => {}
            () = engine.wake.notified() => {}
        }
    }
}

pub async fn poll_once(engine: &Engine) -> Result<PollOutcome, crate::error::AppError> {
    let mut out = PollOutcome::default();
    let now = db::now_ms();
    let settings = engine.settings().await?;
    let timeout = engine.task_timeout(&settings);
    let timeout_ms = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX);
    for id in db::tasks::overdue(&engine.pool, now, timeout_ms)
        .await
        .map_err(crate::services::internal)?
    {
        let reason = format!("Timed out: no progress for {} seconds.", timeout.as_secs());
        if generation::end(engine, &id, TaskStatus::Failed, Some(&reason)).await? {
            out.expired += 1;
        }
    }

    let target = engine.target(&settings).await?;
    for mode in Mode::ALL {
        let mc = settings.mode(mode);
        let running = db::tasks::count_upstream(&engine.pool, mode.as_str())
            .await
            .map_err(crate::services::internal)?;
        let free = mc.concurrency - running;
        if free <= 0 {
            continue;
        }
        let batch = db::tasks::next_to_send(&engine.pool, mode.as_str(), now, free)
            .await
            .map_err(crate::services::internal)?;
        for task in batch {
            out.requests += 1;
            if dispatch(engine, &target, &task, mode).await? {
                out.dispatched += 1;
            }
        }
    }

    let live = db::tasks::upstream_live(&engine.pool)
        .await
        .map_err(crate::services::internal)?;
    let mut missing: Vec<&TaskRow> = Vec::new();
    // A few list requests in flight at once: the upstream answers one while we parse another.
    // `buffered` keeps their order, so each answer meets its chunk.
    let requests: Vec<_> = live
        .chunks(CHUNK)
        .map(|chunk| {
            let client = target.client.clone();
            let ids: Vec<String> = chunk.iter().filter_map(|t| t.upstream_id.clone()).collect();
            async move {
                let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                client.list(&refs).await
            }
        })
        .collect();
    let mut answers = futures::stream::iter(requests).buffered(4);
    let mut chunks = live.chunks(CHUNK);
    while let (Some(answer), Some(chunk)) = (answers.next().await, chunks.next()) {
        out.requests += 1;
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                // Back off without touching the tasks; their deadline still runs.
                tracing::warn!(error = %e, tasks = chunk.len(), "polling the upstream failed");
                continue;
            }
        };
        let by_id: HashMap<&str, &wire::Task> = answer.iter().map(|t| (t.id.as_str(), t)).collect();
        let found: Vec<(&TaskRow, &wire::Task)> = chunk
            .iter()
            .filter_map(|row| {
                let up = by_id.get(row.upstream_id.as_deref()?)?;
                Some((row, *up))
            })
            .collect();
        missing.extend(chunk.iter().filter(|row| {
            row.upstream_id
                .as_deref()
                .is_none_or(|id| !by_id.contains_key(id))
        }));
        // Image downloads make some updates slow: several at once.
        futures::stream::iter(found)
            .for_each_concurrent(8, |(row, up)| async {
                if let Err(e) =
                    generation::apply_update(engine, row, up, target.trusted_host.as_deref()).await
                {
                    tracing::warn!(task_id = row.id, error = %e, "update not applied");
                }
            })
            .await;
    }
    for row in missing {
        out.requests += 1;
        if forgotten(engine, &target, row).await? {
            out.expired += 1;
        }
    }

    out.live = db::tasks::count_live(&engine.pool)
        .await
        .map_err(crate::services::internal)? as usize;
    Ok(out)
}

/// Sends one queued task. True when the upstream took it.
async fn dispatch(
    engine: &Engine,
    target: &Target,
    task: &TaskRow,
    mode: Mode,
) -> Result<bool, crate::error::AppError> {
    let filter = Some(wire::AccountFilter {
        modes: vec![mode.upstream_name()],
    });
    let hook = engine.notify_url.as_deref();
    let result = if task.action == "imagine" {
        let bot = task.prompt.contains("--niji").then_some("NIJI_JOURNEY");
        let req = wire::ImagineRequest {
            prompt: &task.prompt,
            bot_type: bot,
            notify_hook: hook,
            state: Some(&task.id),
            account_filter: filter,
        };
        target.client.imagine(&req).await
    } else {
        let parent = match &task.parent_id {
            Some(p) => db::tasks::get(&engine.pool, p)
                .await
                .map_err(crate::services::internal)?,
            None => None,
        };
        let (Some(parent_up), Some(custom_id)) = (
            parent.and_then(|p| p.upstream_id),
            task.custom_id.as_deref(),
        ) else {
            generation::end(
                engine,
                &task.id,
                TaskStatus::Failed,
                Some("The original task is gone."),
            )
            .await?;
            return Ok(false);
        };
        let req = wire::ActionRequest {
            task_id: &parent_up,
            custom_id,
            notify_hook: hook,
            state: Some(&task.id),
            account_filter: filter,
        };
        target.client.action(&req).await
    };
    let later = |why: String| async move {
        tracing::info!(task_id = task.id, why, "task stays queued");
        let wait =
            i64::try_from((engine.poll_interval * RETRY_TICKS).as_millis()).unwrap_or(i64::MAX);
        db::tasks::retry_later(&engine.pool, &task.id, db::now_ms().saturating_add(wait))
            .await
            .map_err(crate::services::internal)
    };
    match result {
        Ok(SubmitOutcome::Accepted { id } | SubmitOutcome::Queued { id, .. }) => {
            db::tasks::mark_submitted(&engine.pool, &task.id, &id, db::now_ms())
                .await
                .map_err(crate::services::internal)?;
            return Ok(true);
        }
        Ok(SubmitOutcome::QueueFull) => later("upstream queue full".into()).await?,
        Ok(SubmitOutcome::Transient { description }) => later(description).await?,
        Ok(SubmitOutcome::BannedWord { word, description }) => {
            let reason = match word {
                Some(w) => format!("Banned word: {w}"),
                None => format!("Banned word: {description}"),
            };
            generation::end(engine, &task.id, TaskStatus::Failed, Some(&reason)).await?;
        }
        Ok(SubmitOutcome::Refused { description }) => {
            let reason = if description.is_empty() {
                "The upstream refused the task.".to_owned()
            } else {
                description
            };
            generation::end(engine, &task.id, TaskStatus::Failed, Some(&reason)).await?;
        }
        Err(
            e @ (UpstreamError::Unauthorized
            | UpstreamError::Unreachable(_)
            | UpstreamError::Failed(_)
            | UpstreamError::Protocol(_)),
        ) => later(e.to_string()).await?,
    }
    Ok(false)
}

/// A task missing from the list: ask once more by id; after several misses in a row it is gone.
async fn forgotten(
    engine: &Engine,
    target: &Target,
    row: &TaskRow,
) -> Result<bool, crate::error::AppError> {
    let Some(upstream_id) = row.upstream_id.as_deref() else {
        return Ok(false);
    };
    match target.client.fetch(upstream_id).await {
        Ok(Some(up)) => {
            generation::apply_update(engine, row, &up, target.trusted_host.as_deref()).await?;
            Ok(false)
        }
        Ok(None) => {
            let misses = db::tasks::count_miss(&engine.pool, &row.id)
                .await
                .map_err(crate::services::internal)?;
            if misses >= MAX_MISSES {
                generation::end(
                    engine,
                    &row.id,
                    TaskStatus::Failed,
                    Some("The upstream no longer knows this task (it may have restarted)."),
                )
                .await
            } else {
                Ok(false)
            }
        }
        Err(e) => {
            tracing::warn!(task_id = row.id, error = %e, "fetch failed");
            Ok(false)
        }
    }
}
