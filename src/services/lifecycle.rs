//! A task's life after submit: news from the upstream applied (forward only), modal steps,
//! success with stored outputs, and the one way a task ends failed or cancelled with its refund.

use super::{Context, ServiceError};
use crate::{
    db::{
        self, blobs, ledger,
        tasks::{Ending, LiveRow, Output, TaskRow},
    },
    engine::{Channel, Engine},
    engines::{self, Drawn, Phase, Picture, RemoteUpdate, Submitted},
    error::AppError,
    types::{TaskAction, TaskStatus},
};

/// Ends a live task as failed, in full refunded: what the owner is told.
pub async fn fail(engine: &Engine, id: &str, reason: &str) -> Result<bool, ServiceError> {
    fail_with_detail(engine, id, reason, None).await
}

/// [`fail`], with the internal detail behind `reason` kept for admins.
pub async fn fail_with_detail(
    engine: &Engine,
    id: &str,
    reason: &str,
    detail: Option<&str>,
) -> Result<bool, ServiceError> {
    let ending = Ending {
        status: TaskStatus::Failed,
        reason: Some(reason),
        detail,
        refund: db::tasks::Refund::All,
    };
    end(engine, id, &ending).await
}

/// Ends a live task as failed or cancelled, gives back what `ending` says and lets its preview go,
/// in one transaction. False when the task had already ended (nothing written).
pub async fn end(engine: &Engine, id: &str, ending: &Ending<'_>) -> Result<bool, ServiceError> {
    let now = db::now_ms();
    let mut tx = engine
        .pool
        .begin_write()
        .await
        .context("starting the transaction that ends a task")?;
    let Some(ended) = db::tasks::end(&mut tx, id, ending, now)
        .await
        .context("ending the task")?
    else {
        return Ok(false);
    };
    if ended.refunded > 0 {
        let refund = ledger::NewEntry {
            user_id: &ended.user_id,
            delta: ended.refunded,
            reason: ledger::Reason::Refund,
            task_id: Some(id),
            note: None,
        };
        ledger::append(&mut tx, refund, now)
            .await
            .context("writing the refund")?;
    }
    if let Some(key) = &ended.preview_key {
        blobs::release(&mut tx, std::slice::from_ref(key), now)
            .await
            .context("releasing the preview's file")?;
    }
    tx.commit().await.context("committing the end of a task")?;
    tracing::info!(
        task_id = id,
        status = ending.status.as_str(),
        reason = ending.reason,
        detail = ending.detail,
        refunded = ended.refunded,
        "task ended"
    );
    Ok(true)
}

/// Applies what the upstream says about a task (from a poll or the notify hook). Status only
/// moves forward and progress never goes down; late or repeated news changes nothing.
pub async fn apply_update(
    engine: &Engine,
    channel: &Channel,
    row: &LiveRow,
    up: &RemoteUpdate,
) -> Result<(), ServiceError> {
    let now = db::now_ms();
    if is_old_news(row, up) {
        // Most polls bring nothing new: no write at all (this keeps a tick over 10,000 live
        // tasks cheap).
        return Ok(());
    }
    match up.phase {
        Phase::Waiting => {
            db::tasks::advance(
                &engine.pool,
                &row.id,
                TaskStatus::Submitted,
                up.live_progress(),
                now,
            )
            .await
            .context("recording the task's progress")?;
        }
        Phase::Running => {
            // The progress first: fetching the preview can take a while (a CDN, a drawing), and
            // the page should not wait for it to see the new percentage.
            let p = up.live_progress();
            db::tasks::advance(&engine.pool, &row.id, TaskStatus::InProgress, p, now)
                .await
                .context("recording the task's progress")?;
            if let Some(url) = up.preview_url.as_deref()
                && row.preview_url.as_deref() != Some(url)
                && p >= row.progress
            {
                store_preview(engine, channel, &row.id, &Picture::Url(url.to_owned()), p).await?;
            }
        }
        Phase::Modal => modal(engine, channel, row).await?,
        Phase::Success => succeed(engine, channel, row, up).await?,
        Phase::Failure => {
            let reason = up
                .fail_reason
                .as_deref()
                .unwrap_or("The upstream reported a failure.");
            fail(engine, &row.id, reason).await?;
        }
    }
    Ok(())
}

/// True when `up` would change nothing: same or earlier status, no more progress, same preview.
fn is_old_news(row: &LiveRow, up: &RemoteUpdate) -> bool {
    let p = up.live_progress();
    match up.phase {
        Phase::Waiting => {
            matches!(row.status, TaskStatus::Submitted | TaskStatus::InProgress)
                && p <= row.progress
        }
        Phase::Running => {
            row.status == TaskStatus::InProgress
                && p <= row.progress
                && up
                    .preview_url
                    .as_deref()
                    .is_none_or(|u| row.preview_url.as_deref() == Some(u))
        }
        Phase::Modal => row.status == TaskStatus::NeedsInput,
        Phase::Success | Phase::Failure => row.status.is_final(),
    }
}

/// A synchronous engine's run has news while it draws (Stable Diffusion's progress): the
/// percentage, never down, then the picture so far.
pub async fn run_progress(
    engine: &Engine,
    channel: &Channel,
    id: &str,
    progress: i64,
    preview: Option<&Picture>,
) -> Result<(), ServiceError> {
    let now = db::now_ms();
    db::tasks::advance(&engine.pool, id, TaskStatus::InProgress, progress, now)
        .await
        .context("recording the task's progress")?;
    if let Some(p) = preview {
        store_preview(engine, channel, id, p, progress).await?;
    }
    Ok(())
}

/// Stores the picture of a task so far (a URL downloaded, or base64).
async fn store_preview(
    engine: &Engine,
    channel: &Channel,
    id: &str,
    picture: &Picture,
    progress: i64,
) -> Result<(), ServiceError> {
    let key = match stored_key(engine, channel, picture).await {
        Ok(key) => key,
        Err(e) => {
            tracing::debug!(task_id = id, error = %e, "preview not stored");
            return Ok(());
        }
    };
    // What tells this preview from the last: its address, or for bytes, the file they make.
    let seen = match picture {
        Picture::Url(url) => url.clone(),
        Picture::Base64(_) => format!("stored:{key}"),
    };
    let now = db::now_ms();
    let mut tx = engine
        .pool
        .begin()
        .await
        .context("starting the transaction that stores a preview")?;
    if let Some(replaced) = db::tasks::set_preview(&mut tx, id, &key, &seen, progress, now)
        .await
        .context("storing the preview")?
    {
        blobs::acquire(&mut tx, std::slice::from_ref(&key))
            .await
            .context("holding the preview's file")?;
        if let Some(old) = replaced {
            blobs::release(&mut tx, &[old], now)
                .await
                .context("releasing the old preview's file")?;
        }
    }
    tx.commit().await.context("committing the preview")
}

/// Stores a picture as an upstream gives it: downloaded from its URL, or decoded from base64.
async fn stored_key(
    engine: &Engine,
    channel: &Channel,
    picture: &Picture,
) -> Result<String, crate::images::ImageError> {
    match picture {
        Picture::Url(url) => engine.images.download(url, channel.origin.as_ref()).await,
        Picture::Base64(text) => engine.images.put_base64(text).await,
    }
}

/// The upstream waits in a modal step. A step that needs nothing new from the user (Remix on,
/// a reroll or a variation) is confirmed at once with the task's own prompt, once; one that
/// needs the user's input waits as `needs_input`.
async fn modal(engine: &Engine, channel: &Channel, row: &LiveRow) -> Result<(), ServiceError> {
    let needs = match (row.action, row.custom_id.as_deref()) {
        (TaskAction::Imagine, _) => engines::midjourney::Needs::Nothing,
        (_, Some(custom_id)) => engines::midjourney::button_action(custom_id)
            .map_or(engines::midjourney::Needs::Prompt, |(_, needs)| needs),
        (_, None) => engines::midjourney::Needs::Prompt,
    };
    if needs != engines::midjourney::Needs::Nothing || row.modal_step > 0 {
        if db::tasks::wait_for_input(&engine.pool, &row.id, db::now_ms())
            .await
            .context("noting that the task waits for input")?
        {
            tracing::info!(task_id = row.id, "task waits for the user's input");
        }
        return Ok(());
    }
    let Some(task) = db::tasks::get(&engine.pool, &row.id)
        .await
        .context("reading the task of a modal step")?
    else {
        return Ok(());
    };
    let prompt = task.prompt.clone();
    confirm(engine, channel, &task, &prompt, None).await
}

/// Sends the confirmation of a modal step with `prompt` and, for Vary (Region), the mask (step
/// `row.modal_step`).
pub async fn confirm(
    engine: &Engine,
    channel: &Channel,
    row: &TaskRow,
    prompt: &str,
    mask: Option<&[u8]>,
) -> Result<(), ServiceError> {
    let (Some(upstream_id), Some(client)) =
        (row.upstream_id.as_deref(), channel.client.midjourney())
    else {
        return Ok(());
    };
    // One answer goes upstream: the others (and a cancel meanwhile) find the step claimed.
    if !db::tasks::claim_modal(&engine.pool, &row.id, row.modal_step, db::now_ms())
        .await
        .context("claiming the modal step")?
    {
        return Err(AppError::Conflict(crate::error::Conflict::StepBusy).into());
    }
    let answer = engines::midjourney::confirm_modal(
        client,
        upstream_id,
        prompt,
        mask,
        engine.notify_url.as_deref(),
    )
    .await;
    let release = || async {
        if let Err(e) = db::tasks::release_modal(&engine.pool, &row.id, row.modal_step).await {
            tracing::warn!(task_id = row.id, error = %e, "modal claim not released");
        }
    };
    match answer {
        Ok(Submitted::Accepted { upstream_id } | Submitted::Existing { upstream_id }) => {
            let mut params = row.params.0.clone();
            if prompt != row.prompt {
                params.modal_prompt = Some(prompt.to_owned());
            }
            db::tasks::modal_sent(
                &engine.pool,
                &row.id,
                row.modal_step,
                &upstream_id,
                &params,
                db::now_ms(),
            )
            .await
            .context("recording the confirmed modal step")?;
            tracing::info!(task_id = row.id, "modal step confirmed");
            Ok(())
        }
        Ok(Submitted::Later { reason }) => {
            tracing::info!(task_id = row.id, reason, "modal step not confirmed yet");
            release().await;
            Err(AppError::Upstream(reason).into())
        }
        Ok(Submitted::Rejected { reason }) => {
            fail(engine, &row.id, &reason).await?;
            Err(AppError::UpstreamRejected(reason).into())
        }
        Err(e) => {
            // The detail (addresses, the channel's errors) goes to the log and the channel's
            // health, which admins see; the user is told it did not get through.
            tracing::warn!(task_id = row.id, error = %e, "modal step not confirmed");
            crate::worker::fault(engine, channel.id(), &e).await;
            release().await;
            Err(
                AppError::Upstream("the answer could not be sent; try again in a moment".into())
                    .into(),
            )
        }
    }
}

async fn succeed(
    engine: &Engine,
    channel: &Channel,
    row: &LiveRow,
    up: &RemoteUpdate,
) -> Result<(), ServiceError> {
    if up.image_urls.is_empty() && up.text.is_none() {
        fail(engine, &row.id, "The upstream finished without an image.").await?;
        return Ok(());
    }
    let mut outputs = Vec::with_capacity(up.image_urls.len());
    for url in &up.image_urls {
        match store(engine, channel, &Picture::Url(url.clone())).await {
            Ok(output) => outputs.push(output),
            Err(e) if e.is_transient() => {
                // Try again next tick, until the deadline.
                tracing::warn!(task_id = row.id, error = %e, "final image not stored yet");
                db::tasks::set_final_url(&engine.pool, &row.id, url)
                    .await
                    .context("remembering the final image's URL")?;
                return Ok(());
            }
            Err(e) => return refuse_image(engine, &row.id, &e).await,
        }
    }
    commit_outputs(engine, &row.id, &outputs, &up.buttons, up.text.as_deref()).await
}

/// A synchronous engine's request drew `drawn`: its pictures are stored (a passing storage
/// fault is tried again a few times: the upstream will not draw the same again) and the task
/// succeeds with them.
pub async fn finish_run(
    engine: &Engine,
    channel: &Channel,
    id: &str,
    drawn: &Drawn,
) -> Result<(), ServiceError> {
    if drawn.pictures.is_empty() {
        fail(engine, id, "The upstream finished without an image.").await?;
        return Ok(());
    }
    let mut outputs = Vec::with_capacity(drawn.pictures.len());
    for picture in &drawn.pictures {
        let mut tries = 0;
        let stored = loop {
            tries += 1;
            match store(engine, channel, picture).await {
                Err(e) if e.is_transient() && tries < 3 => {
                    tracing::warn!(task_id = id, error = %e, "image not stored yet");
                    tokio::time::sleep(crate::engines::http::backoff(tries)).await;
                }
                other => break other,
            }
        };
        match stored {
            Ok(output) => outputs.push(output),
            Err(e) => return refuse_image(engine, id, &e).await,
        }
    }
    commit_outputs(engine, id, &outputs, &[], drawn.text.as_deref()).await
}

/// Stores one picture and its thumbnail.
async fn store(
    engine: &Engine,
    channel: &Channel,
    picture: &Picture,
) -> Result<Output, crate::images::ImageError> {
    let key = stored_key(engine, channel, picture).await?;
    let (thumb, width, height) = engine.images.thumbnail(&key).await?;
    Ok(Output {
        key,
        thumb: Some(thumb),
        width: Some(width),
        height: Some(height),
    })
}

/// An image that cannot be stored fails the task: the owner learns what went wrong; the address
/// or error behind it is for admins.
async fn refuse_image(
    engine: &Engine,
    id: &str,
    e: &crate::images::ImageError,
) -> Result<(), ServiceError> {
    let detail = e.to_string();
    fail_with_detail(engine, id, e.for_users(), Some(&detail)).await?;
    Ok(())
}

/// The task succeeds with its stored outputs, which it now holds.
async fn commit_outputs(
    engine: &Engine,
    id: &str,
    outputs: &[Output],
    buttons: &[crate::types::Button],
    text: Option<&str>,
) -> Result<(), ServiceError> {
    let keys: Vec<String> = outputs
        .iter()
        .flat_map(|o| std::iter::once(o.key.clone()).chain(o.thumb.clone()))
        .collect();
    let mut tx = engine
        .pool
        .begin()
        .await
        .context("starting the transaction that stores the outputs")?;
    if db::tasks::succeed(&mut tx, id, outputs, buttons, text, db::now_ms())
        .await
        .context("storing the outputs")?
    {
        blobs::acquire(&mut tx, &keys)
            .await
            .context("holding the outputs' files")?;
    }
    tx.commit().await.context("committing the outputs")?;
    tracing::info!(task_id = id, images = outputs.len(), "task succeeded");
    Ok(())
}
