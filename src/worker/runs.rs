//! Synchronous engines (openai, sd_webui): the upstream answers a job with its pictures at the
//! end of one long request (while a Stable Diffusion box draws, its progress is polled). Each claimed task of theirs runs as its own background run,
//! within its channel's concurrency (the claim counts it), so a minute-long request never holds
//! up the tick or midjourney's polls. A run holds a lease on its task, renewed while it waits:
//! a cancel (here or on another instance) ends it at the next renewal, and a run whose process
//! died is sent again once its lease has run out.

use super::{RETRY_TICKS, fault, ms, record_success};
use crate::{
    db::{self, tasks::TaskRow},
    engine::{Channel, Engine},
    engines::{Client, Drawn, Picture, Submitted, UpstreamError, openai, sd_webui},
    error::{AppError, Rule},
    services::lifecycle,
    types::{EngineKind, TaskAction},
};
use std::{sync::Arc, time::Duration};

/// How long a run's lease lasts unrenewed.
pub const RUN_LEASE: Duration = Duration::from_secs(30);
/// How often a run renews it (and so learns that its task was cancelled elsewhere).
const RENEW: Duration = Duration::from_secs(3);
/// The longest wait before a rate-limited task is tried again.
const MAX_RETRY: Duration = Duration::from_secs(60);

/// Starts the run of a claimed task. False when the claim was lost meanwhile.
pub async fn start(engine: &Arc<Engine>, channel: Channel, task: TaskRow, attempt: String) -> bool {
    let now = db::now_ms();
    let lease = now.saturating_add(ms(RUN_LEASE));
    match db::tasks::start_run(&engine.pool, &task.id, &attempt, now, lease).await {
        Ok(true) => {}
        Ok(false) => return false,
        Err(e) => {
            // The claim runs out and the task is tried again.
            tracing::warn!(task_id = task.id, error = %e, "run not started");
            return false;
        }
    }
    tracing::info!(task_id = task.id, channel_id = channel.id(), "run started");
    let id = task.id.clone();
    let held = engine.clone();
    engine.spawn_run(&id, async move {
        if let Err(e) = run(&held, &channel, &task, &attempt).await {
            tracing::warn!(task_id = task.id, error = %e, "run failed");
        }
        held.run_ended(&task.id);
        held.wake_worker();
    });
    true
}

/// What a synchronous engine is asked.
enum Request {
    Generate(openai::Generation),
    Edit(openai::Edit),
    /// Stable Diffusion's `/txt2img` or `/img2img` body, for `n` pictures.
    Draw {
        body: serde_json::Value,
        n: u8,
    },
}

/// The request a task makes, from what was checked and stored at submit (an edit's images
/// read from the store). A Stable Diffusion request is known upstream as `attempt`.
async fn request_of(engine: &Engine, task: &TaskRow, attempt: &str) -> Result<Request, AppError> {
    let p = &task.params.0;
    let read = async |role: &str| -> Result<Option<bytes::Bytes>, AppError> {
        let Some(input) = task.input(role) else {
            return Ok(None);
        };
        match engine.images.bytes(&input.key).await {
            Ok(Some(bytes)) => Ok(Some(bytes)),
            Ok(None) => Err(AppError::invalid("images", Rule::NoSuchUpload)),
            Err(e) => Err(crate::services::internal(e)),
        }
    };
    let edit = task.action == TaskAction::Edit;
    if task.engine == EngineKind::SdWebui {
        let g = sd_webui::Generation::of_task(task.model.as_deref(), &task.prompt, p)?;
        let body = if edit {
            let image = read("edit")
                .await?
                .ok_or_else(|| AppError::invalid("images", Rule::Required))?;
            let mask = match read("mask").await? {
                Some(m) => Some(
                    crate::images::decoding_picture(m, crate::images::white_repaints)
                        .await
                        .map_err(|_| AppError::invalid("images", Rule::MaskMismatch))?,
                ),
                None => None,
            };
            g.img2img(attempt, &image, mask.as_deref())
        } else {
            g.txt2img(attempt)
        };
        return Ok(Request::Draw { body, n: g.n });
    }
    let model = task.model.as_deref().unwrap_or_default();
    let generation = openai::Generation::new(
        model,
        &task.prompt,
        p.n.unwrap_or(1),
        p.size.as_deref(),
        p.quality.as_deref(),
    )?;
    if !edit {
        return Ok(Request::Generate(generation));
    }
    let image = read("edit")
        .await?
        .ok_or_else(|| AppError::invalid("images", Rule::Required))?;
    let mask = read("mask").await?;
    Ok(Request::Edit(openai::Edit::new(generation, image, mask)?))
}

async fn perform(
    client: &Client,
    request: &Request,
) -> Result<openai::client::Outcome, UpstreamError> {
    match (client, request) {
        (Client::Openai(c), Request::Generate(g)) => c.generate(g).await,
        (Client::Openai(c), Request::Edit(e)) => c.edit(e).await,
        (Client::SdWebui(c), Request::Draw { body, n }) => c.draw(body, *n).await,
        _ => Err(UpstreamError::Protocol(
            "a channel was given a job of another engine".into(),
        )),
    }
}

/// While a Stable Diffusion box draws the task, its progress (forward only) and the picture so
/// far, about once a second. Never ends: the request's answer or the end of the run stops it.
async fn watch(engine: &Engine, channel: &Channel, id: &str, attempt: &str) {
    let Client::SdWebui(client) = &channel.client else {
        return std::future::pending().await;
    };
    let every = engine
        .poll_interval
        .clamp(Duration::from_millis(200), Duration::from_secs(1));
    let mut shown = 0u8;
    loop {
        tokio::time::sleep(every).await;
        let progress = match client.progress(attempt).await {
            Ok(Some(p)) if p.percent > shown => p,
            Ok(_) => continue,
            Err(e) => {
                tracing::debug!(task_id = id, error = %e, "progress not read");
                continue;
            }
        };
        shown = progress.percent;
        let preview = progress.preview.map(Picture::Base64);
        if let Err(e) =
            lifecycle::run_progress(engine, channel, id, i64::from(shown), preview.as_ref()).await
        {
            tracing::warn!(task_id = id, error = %e, "progress not recorded");
        }
    }
}

/// Renews the run's lease until the task is no longer this run's (cancelled, ended, taken).
async fn hold(engine: &Engine, id: &str, attempt: &str) {
    loop {
        tokio::time::sleep(RENEW).await;
        let lease = db::now_ms().saturating_add(ms(RUN_LEASE));
        match db::tasks::renew_run(&engine.pool, id, attempt, lease).await {
            Ok(true) => {}
            Ok(false) => return,
            // The database is away: keep going; the lease says how long this run may last.
            Err(e) => tracing::warn!(task_id = id, error = %e, "run's lease not renewed"),
        }
    }
}

async fn run(
    engine: &Engine,
    channel: &Channel,
    task: &TaskRow,
    attempt: &str,
) -> Result<(), AppError> {
    let request = match request_of(engine, task, attempt).await {
        Ok(r) => r,
        // The store is away: the run ends, its lease runs out and the task is sent again.
        Err(AppError::Internal) => return Err(AppError::Internal),
        Err(e) => {
            // Checked at submit: only a model withdrawn since gets here.
            lifecycle::fail(engine, &task.id, &e.to_string()).await?;
            return Ok(());
        }
    };
    let answer = tokio::select! {
        answer = perform(&channel.client, &request) => answer,
        () = hold(engine, &task.id, attempt) => {
            tracing::info!(task_id = task.id, "run dropped: its task ended");
            return Ok(());
        }
        () = watch(engine, channel, &task.id, attempt) => return Ok(()),
    };
    match answer {
        Ok(Ok(drawn)) => {
            record_success(engine, channel).await;
            finish(engine, channel, task, &drawn).await
        }
        Ok(Err(Submitted::Later { reason })) => {
            // A rate limit: the channel is fine, the task waits longer with each try.
            record_success(engine, channel).await;
            let wait = (engine.poll_interval * RETRY_TICKS)
                .saturating_mul(1 << task.misses.clamp(0, 10))
                .min(MAX_RETRY);
            requeue(engine, task, attempt, &reason, wait).await
        }
        Ok(Err(Submitted::Rejected { reason })) => {
            record_success(engine, channel).await;
            lifecycle::fail(engine, &task.id, &reason).await?;
            Ok(())
        }
        Ok(Err(other)) => {
            let detail = format!("{other:?}");
            let reason = "The upstream gave an answer Atelier cannot read.";
            lifecycle::fail_with_detail(engine, &task.id, reason, Some(&detail)).await?;
            Ok(())
        }
        Err(e) if e.is_channel_fault() => {
            fault(engine, channel.id(), &e).await;
            requeue(engine, task, attempt, &e.to_string(), Duration::ZERO).await
        }
        Err(e) => {
            let detail = e.to_string();
            let reason = "The upstream gave an answer Atelier cannot read.";
            lifecycle::fail_with_detail(engine, &task.id, reason, Some(&detail)).await?;
            Ok(())
        }
    }
}

async fn finish(
    engine: &Engine,
    channel: &Channel,
    task: &TaskRow,
    drawn: &Drawn,
) -> Result<(), AppError> {
    lifecycle::finish_run(engine, channel, &task.id, drawn).await?;
    Ok(())
}

/// The task goes back to the queue for `wait` (its deadline still runs).
async fn requeue(
    engine: &Engine,
    task: &TaskRow,
    attempt: &str,
    why: &str,
    wait: Duration,
) -> Result<(), AppError> {
    tracing::info!(
        task_id = task.id,
        why,
        wait_ms = ms(wait),
        "task queued again"
    );
    let retry_at = db::now_ms().saturating_add(ms(wait));
    db::tasks::requeue_run(&engine.pool, &task.id, attempt, retry_at)
        .await
        .map_err(crate::services::internal)?;
    Ok(())
}
