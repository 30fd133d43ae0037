//! The background worker: a loop around one public step, [`poll_once`], which tests call directly.
//!
//! Each tick: end overdue tasks; probe channels that are down once their back-off has passed;
//! claim queued tasks for channels with room (by weight, within each channel's concurrency,
//! follow-ups on their parent's channel) and send each claimed one; then ask each channel about
//! its running tasks, one list-by-condition request per 100 of them. One task's error fails or
//! delays that task alone: it is logged with the task's id and the tick goes on.

use crate::{
    db::{
        self,
        channels::ChannelRow,
        tasks::{LiveRow, TaskRow},
    },
    engine::{Channel, Engine},
    engines::{self, Job, RemoteUpdate, Submitted, UpstreamError},
    error::AppError,
    services::lifecycle,
    types::{EngineKind, HealthState, Mode},
};
use futures::StreamExt;

mod runs;
pub use runs::RUN_LEASE;
use std::{collections::HashMap, sync::Arc, time::Duration};

/// Tasks per list-by-condition request.
pub const CHUNK: usize = 100;
/// Polls in a row an upstream may not know a task before it counts as forgotten.
pub const MAX_MISSES: i64 = 3;
/// Poll intervals a queued task waits after a full queue or a failed channel.
pub(crate) const RETRY_TICKS: u32 = 3;
/// How long a claim holds a queued task while it is being sent (longer than any submit takes,
/// retries included): a worker that dies mid-send leaves the task to another after this.
pub const LEASE: Duration = Duration::from_secs(120);
/// A down channel is probed again after this, doubling with each failed probe, up to the max.
const DOWN_BASE: Duration = Duration::from_secs(15);
const DOWN_MAX: Duration = Duration::from_secs(600);
/// Sends in flight at once.
const SENDS: usize = 4;
/// How often a Stable Diffusion box's checkpoints are read again, and how soon after a box
/// that did not answer.
const CATALOG_EVERY: Duration = Duration::from_secs(300);
const CATALOG_RETRY: Duration = Duration::from_secs(30);

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollOutcome {
    /// Tasks still live after this tick.
    pub live: usize,
    /// Tasks sent upstream this tick.
    pub dispatched: usize,
    /// HTTP requests made to upstreams this tick.
    pub requests: usize,
    /// Tasks that ended by timeout or because the upstream forgot them.
    pub expired: usize,
}

/// The lease the working instance holds (see `db::leases`).
pub const LEASE_NAME: &str = "worker";
/// The NOTIFY channel that wakes the working instance on PostgreSQL.
pub const WAKE_CHANNEL: &str = "atelier_wake";

/// Runs the worker until the task is aborted. Of the instances on one database, the one holding
/// the worker's lease works; the others wait, trying for the lease every third of its length, and
/// one of them takes over once the holder stops renewing it (it died, or lost the database).
///
/// One worker for all the instances, rather than claims spread over several, because the worker
/// is not what limits Atelier (a tick over 10,000 live tasks takes about a tenth of a second; the
/// upstreams' own concurrency is the limit): one worker keeps every channel's concurrency, the
/// weighted round-robin and the back-off in one place, and polls each upstream task once. Claims
/// stay, so that a task is still sent once even while a lease changes hands.
pub async fn run_until_stopped(engine: Arc<Engine>) {
    let renew_every = engine.worker_lease / 3;
    if !engine.pool.is_postgres() {
        // One process uses an SQLite file: a lease found there is a dead process's, and a
        // restarted Atelier works again at once instead of waiting for it to run out.
        let taken = db::leases::take(
            &engine.pool,
            LEASE_NAME,
            &engine.instance,
            ms(engine.worker_lease),
        )
        .await;
        if let Err(e) = taken {
            tracing::warn!(error = %e, "the worker's lease could not be taken");
        }
    }
    loop {
        match hold_lease(&engine).await {
            Ok(true) => {
                tracing::info!(instance = engine.instance, "this instance works");
                work_while_leader(&engine, renew_every).await;
                tracing::warn!(
                    instance = engine.instance,
                    "this instance stopped working: its lease was lost"
                );
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "the worker's lease could not be read"),
        }
        tokio::time::sleep(renew_every).await;
    }
}

/// Takes or renews the worker's lease for this instance: true while it holds it.
async fn hold_lease(engine: &Engine) -> Result<bool, sqlx::Error> {
    db::leases::hold(
        &engine.pool,
        LEASE_NAME,
        &engine.instance,
        ms(engine.worker_lease),
    )
    .await
}

/// Ticks while the lease is renewed: every poll interval while something is live, otherwise when
/// woken by a new task (or every 30 s). Ticks start a poll interval apart, however long a tick
/// takes (never less than no pause at all), so an upstream change waits at most one interval.
/// Returns when the lease is lost or could not be renewed before two thirds of it had passed.
async fn work_while_leader(engine: &Arc<Engine>, renew_every: Duration) {
    // Claims left by the previous holder (which stopped mid-send): whether that send reached the
    // upstream is unknown; the task is sent again.
    match db::tasks::release_all_claims(&engine.pool).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(tasks = n, "claims left by a stopped worker given back"),
        Err(e) => tracing::warn!(error = %e, "claims left by a stopped worker not given back"),
    }
    let mut renewed = tokio::time::Instant::now();
    loop {
        if renewed.elapsed() >= renew_every {
            match hold_lease(engine).await {
                Ok(true) => renewed = tokio::time::Instant::now(),
                Ok(false) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "the worker's lease could not be renewed");
                    if renewed.elapsed() >= renew_every * 2 {
                        return;
                    }
                }
            }
        }
        let started = tokio::time::Instant::now();
        let outcome = match poll_once(engine).await {
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
        let until = (started + pause).min(renewed + renew_every);
        tokio::select! {
            () = tokio::time::sleep_until(until) => {}
            () = engine.wake.notified() => {}
        }
    }
}

/// Gives up the worker's lease (a clean stop), so another instance takes over at once.
pub async fn stop(engine: &Engine) {
    if let Err(e) = db::leases::give_up(&engine.pool, LEASE_NAME, &engine.instance).await {
        tracing::warn!(error = %e, "the worker's lease was not given up");
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub async fn poll_once(engine: &Arc<Engine>) -> Result<PollOutcome, AppError> {
    let out = tick(engine).await;
    // What this tick wrote shows in this instance's reads at once, before PostgreSQL's notices
    // of it arrive (`db::task_reads`).
    engine.reads.changed();
    out
}

async fn tick(engine: &Arc<Engine>) -> Result<PollOutcome, AppError> {
    let mut out = PollOutcome::default();
    let now = db::now_ms();
    let settings = engine.settings().await?;
    let timeout = engine.task_timeout(&settings);
    for (id, misses) in db::tasks::overdue(&engine.pool, now, ms(timeout))
        .await
        .map_err(crate::services::internal)?
    {
        let secs = timeout.as_secs();
        let reason = if misses > 0 {
            format!("Timed out: the image service kept failing ({misses} tries in {secs} seconds).")
        } else {
            format!("Timed out: no progress for {secs} seconds.")
        };
        match lifecycle::fail(engine, &id, &reason).await {
            Ok(true) => out.expired += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(task_id = id, error = %e, "overdue task not ended"),
        }
    }

    match db::tasks::requeue_lost_runs(&engine.pool, now).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(tasks = n, "runs left by a stopped process queued again"),
        Err(e) => tracing::warn!(error = %e, "runs left by a stopped process not queued again"),
    }

    let mut channels: Vec<Channel> = db::channels::in_use(&engine.pool)
        .await
        .map_err(crate::services::internal)?
        .into_iter()
        .map(|row| engine.channel(row))
        .collect();
    for channel in channels.iter_mut() {
        if channel.row.health == HealthState::Down
            && channel.row.down_until <= now
            && channel.row.deleted_at.is_none()
        {
            out.requests += 1;
            probe(engine, channel).await;
        }
    }

    for channel in &channels {
        if channel.row.kind == EngineKind::SdWebui
            && usable(&channel.row)
            && engine.catalog_due(
                channel.id(),
                channel.row.catalog.read_at,
                now,
                ms(CATALOG_EVERY),
                ms(CATALOG_RETRY),
            )
        {
            let (engine, id) = (engine.clone(), channel.id().to_owned());
            tokio::spawn(
                async move { crate::services::channels::read_catalog(&engine, &id).await },
            );
        }
    }

    let (sent, requests) = dispatch(engine, &channels, now).await?;
    out.dispatched += sent;
    out.requests += requests;

    for channel in &channels {
        let (requests, expired) = poll_channel(engine, channel).await?;
        out.requests += requests;
        out.expired += expired;
    }

    out.live = db::tasks::count_live(&engine.pool)
        .await
        .map_err(crate::services::internal)? as usize;
    Ok(out)
}

/// The adapter's cheapest call: a down channel that answers is back.
async fn probe(engine: &Engine, channel: &mut Channel) {
    let now = db::now_ms();
    let result = channel.client.probe().await;
    let written = match &result {
        Ok(()) => {
            tracing::info!(channel_id = channel.id(), "channel is back");
            channel.row.health = HealthState::Ok;
            db::channels::record_success(&engine.pool, channel.id(), now).await
        }
        Err(e) => {
            tracing::info!(channel_id = channel.id(), error = %e, "channel still down");
            fault(engine, channel.id(), e).await;
            Ok(())
        }
    };
    if let Err(e) = written {
        tracing::warn!(channel_id = channel.id(), error = %e, "channel health not written");
    }
}

/// Counts a fault against a channel: a refused secret takes it down at once.
pub(crate) async fn fault(engine: &Engine, channel_id: &str, e: &UpstreamError) {
    match db::channels::record_fault(
        &engine.pool,
        channel_id,
        &e.to_string(),
        db::now_ms(),
        (ms(DOWN_BASE), ms(DOWN_MAX)),
        matches!(e, UpstreamError::Unauthorized),
    )
    .await
    {
        Ok(Some(HealthState::Down)) => {
            tracing::warn!(channel_id, error = %e, "channel is down");
        }
        Ok(_) => tracing::info!(channel_id, error = %e, "channel failing"),
        Err(db_error) => {
            tracing::warn!(channel_id, error = %db_error, "channel health not written");
        }
    }
}

/// Can this channel draw with the task's model? A Stable Diffusion task that names a checkpoint
/// goes to a box that has it (or whose list is not known yet).
fn has_model(channel: &Channel, task: &TaskRow) -> bool {
    let catalog = &channel.row.catalog.0;
    match (task.engine, task.model.as_deref()) {
        (EngineKind::SdWebui, Some(model)) => catalog.models.is_empty() || catalog.has_model(model),
        _ => true,
    }
}

/// May this channel take new work?
fn usable(row: &ChannelRow) -> bool {
    row.enabled && row.deleted_at.is_none() && row.health != HealthState::Down
}

/// Claims queued tasks for channels with room and sends them. Answers (sent, requests).
async fn dispatch(
    engine: &Arc<Engine>,
    channels: &[Channel],
    now: i64,
) -> Result<(usize, usize), AppError> {
    let usable: Vec<&Channel> = channels.iter().filter(|c| usable(&c.row)).collect();
    if usable.is_empty() {
        return Ok((0, 0));
    }
    // What runs where now, per mode; kept up to date as this tick claims.
    let mut load: HashMap<(String, Option<Mode>), i64> = HashMap::new();
    for (channel, mode, n) in db::channels::load(&engine.pool, now)
        .await
        .map_err(crate::services::internal)?
    {
        load.insert((channel, mode), n);
    }
    let room = |load: &HashMap<(String, Option<Mode>), i64>, c: &Channel, mode: Option<Mode>| {
        c.row.concurrency.0.limit(mode) - load.get(&(c.row.id.clone(), mode)).copied().unwrap_or(0)
    };
    let capacity: i64 = usable
        .iter()
        .map(|c| {
            Mode::ALL
                .iter()
                .map(|m| room(&load, c, Some(*m)).max(0))
                .sum::<i64>()
        })
        .sum();
    if capacity <= 0 {
        return Ok((0, 0));
    }
    let queued = db::tasks::next_to_send(&engine.pool, now, capacity.saturating_mul(2).min(1000))
        .await
        .map_err(crate::services::internal)?;
    let mut claimed: Vec<(Channel, TaskRow, String)> = Vec::new();
    for task in queued {
        let candidates: Vec<(&str, i64)> = usable
            .iter()
            .filter(|c| c.row.kind == task.engine)
            .filter(|c| task.channel_id.as_deref().is_none_or(|pin| pin == c.id()))
            .filter(|c| has_model(c, &task))
            .filter(|c| room(&load, c, task.mode) > 0)
            .map(|c| (c.id(), c.row.weight))
            .collect();
        let Some(pick) = engine.pick(&candidates) else {
            continue;
        };
        let Some(channel) = usable.iter().find(|c| c.id() == pick) else {
            continue;
        };
        let attempt = db::new_id();
        let limit = channel.row.concurrency.0.limit(task.mode);
        match db::tasks::claim(
            &engine.pool,
            &task.id,
            channel.id(),
            task.mode,
            limit,
            &attempt,
            now,
            now.saturating_add(ms(LEASE)),
        )
        .await
        {
            Ok(Some(row)) => {
                *load.entry((channel.row.id.clone(), task.mode)).or_insert(0) += 1;
                claimed.push(((*channel).clone(), row, attempt));
            }
            // Claimed by another worker, cancelled, or the channel filled up meanwhile.
            Ok(None) => {}
            Err(e) => tracing::warn!(task_id = task.id, error = %e, "task not claimed"),
        }
    }
    let requests = claimed.len();
    // Synchronous engines' tasks start their runs; midjourney's are sent, a few at once.
    let (runs, sends): (Vec<_>, Vec<_>) = claimed
        .into_iter()
        .partition(|(channel, _, _)| channel.client.midjourney().is_none());
    let mut started = 0;
    for (channel, task, attempt) in runs {
        if runs::start(engine, channel, task, attempt).await {
            started += 1;
        }
    }
    let sent = futures::stream::iter(sends)
        .map(|(channel, task, attempt)| async move {
            match send(engine, &channel, &task, &attempt).await {
                Ok(sent) => sent,
                Err(e) => {
                    // The claim runs out and the task is tried again.
                    tracing::warn!(task_id = task.id, error = %e, "task not sent");
                    false
                }
            }
        })
        .buffer_unordered(SENDS)
        .filter(|sent| std::future::ready(*sent))
        .count()
        .await;
    Ok((sent + started, requests))
}

/// Sends one claimed task. True when the upstream took it.
async fn send(
    engine: &Engine,
    channel: &Channel,
    task: &TaskRow,
    attempt: &str,
) -> Result<bool, AppError> {
    let parent = match &task.parent_id {
        Some(p) => db::tasks::get(&engine.pool, p)
            .await
            .map_err(crate::services::internal)?,
        None => None,
    };
    // The images it was given (the task holds their files; a store that is away: tried again).
    let mut inputs = Vec::with_capacity(task.inputs.0.len());
    for input in &task.inputs.0 {
        if let Some(bytes) = engine
            .images
            .bytes(&input.key)
            .await
            .map_err(crate::services::internal)?
        {
            inputs.push((input.role.clone(), bytes));
        }
    }
    let job = Job {
        task,
        parent_upstream_id: parent.as_ref().and_then(|p| p.upstream_id.as_deref()),
        attempt,
        notify_hook: engine.notify_url.as_deref(),
        inputs: &inputs,
    };
    let answer = match channel.client.midjourney() {
        Some(client) => engines::midjourney::submit(client, &job).await,
        None => Ok(Submitted::Rejected {
            reason: format!(
                "The {} engine is not offered yet.",
                channel.row.kind.label()
            ),
        }),
    };
    // A full queue is worth waiting for; a channel fault is not: the next claim (this tick's
    // next, or the next tick's) may pick another channel, and a channel that keeps failing is
    // soon down and out of the picks.
    let later = db::now_ms().saturating_add(ms(engine.poll_interval * RETRY_TICKS));
    let release = |why: String, retry_at: i64, tried: bool| async move {
        tracing::info!(task_id = task.id, why, "task stays queued");
        db::tasks::release(&engine.pool, &task.id, attempt, retry_at, tried)
            .await
            .map_err(crate::services::internal)
    };
    match answer {
        Ok(Submitted::Accepted { upstream_id }) => {
            record_success(engine, channel).await;
            accepted(engine, channel, task, attempt, &upstream_id).await
        }
        Ok(Submitted::Existing { upstream_id }) => {
            record_success(engine, channel).await;
            match db::tasks::find_by_upstream(&engine.pool, channel.id(), &upstream_id)
                .await
                .map_err(crate::services::internal)?
            {
                Some(other) if other.id != task.id => {
                    duplicate(engine, task, &other.id).await?;
                    Ok(false)
                }
                // A job the upstream keeps for a confirmation (MODAL): the poll takes it on.
                _ => accepted(engine, channel, task, attempt, &upstream_id).await,
            }
        }
        Ok(Submitted::Later { reason }) => {
            release(reason, later, false).await?;
            Ok(false)
        }
        Ok(Submitted::Rejected { reason }) => {
            lifecycle::fail(engine, &task.id, &reason).await?;
            Ok(false)
        }
        Err(e) if e.is_channel_fault() => {
            fault(engine, channel.id(), &e).await;
            release(e.to_string(), db::now_ms(), true).await?;
            Ok(false)
        }
        Err(e) => {
            // An answer that does not read as the protocol: whether the job runs is unknown,
            // and sending it again could make it twice.
            let detail = e.to_string();
            let reason = "The upstream gave an answer Atelier cannot read.";
            lifecycle::fail_with_detail(engine, &task.id, reason, Some(&detail)).await?;
            Ok(false)
        }
    }
}

pub(crate) async fn record_success(engine: &Engine, channel: &Channel) {
    if (channel.row.errors != 0 || channel.row.health != HealthState::Ok)
        && let Err(e) = db::channels::record_success(&engine.pool, channel.id(), db::now_ms()).await
    {
        tracing::warn!(channel_id = channel.id(), error = %e, "channel health not written");
    }
}

/// Records the upstream's id for the attempt. An id another task holds on this channel means
/// the upstream made this one before: the task ends, refunded, pointing at the other.
async fn accepted(
    engine: &Engine,
    channel: &Channel,
    task: &TaskRow,
    attempt: &str,
    upstream_id: &str,
) -> Result<bool, AppError> {
    match db::tasks::mark_submitted(&engine.pool, &task.id, attempt, upstream_id, db::now_ms())
        .await
    {
        Ok(sent) => Ok(sent),
        Err(e) if db::is_unique_violation(&e) => {
            let other = db::tasks::find_by_upstream(&engine.pool, channel.id(), upstream_id)
                .await
                .map_err(crate::services::internal)?;
            let other = other.map(|o| o.id).unwrap_or_default();
            duplicate(engine, task, &other).await?;
            Ok(false)
        }
        Err(e) => Err(crate::services::internal(e)),
    }
}

async fn duplicate(engine: &Engine, task: &TaskRow, other: &str) -> Result<(), AppError> {
    tracing::info!(
        task_id = task.id,
        other,
        "the upstream already made this task"
    );
    let reason = format!("Already made as task {other}.");
    lifecycle::fail(engine, &task.id, &reason).await?;
    Ok(())
}

/// Asks a channel about its running tasks. Answers (requests, expired).
async fn poll_channel(engine: &Engine, channel: &Channel) -> Result<(usize, usize), AppError> {
    let live = db::tasks::running_on(&engine.pool, channel.id())
        .await
        .map_err(crate::services::internal)?;
    let Some(client) = channel.client.midjourney() else {
        return Ok((0, 0));
    };
    if live.is_empty() {
        return Ok((0, 0));
    }
    let (mut requests, mut expired) = (0, 0);
    let mut missing: Vec<&LiveRow> = Vec::new();
    // A few list requests in flight at once: the upstream answers one while we parse another.
    // `buffered` keeps their order, so each answer meets its chunk.
    let asks: Vec<_> = live
        .chunks(CHUNK)
        .map(|chunk| {
            let client = client.clone();
            let ids: Vec<String> = chunk.iter().filter_map(|t| t.upstream_id.clone()).collect();
            async move {
                let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                engines::midjourney::poll(&client, &refs).await
            }
        })
        .collect();
    let mut answers = futures::stream::iter(asks).buffered(4);
    let mut chunks = live.chunks(CHUNK);
    let mut failed = false;
    while let (Some(answer), Some(chunk)) = (answers.next().await, chunks.next()) {
        requests += 1;
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                // Back off without touching the tasks; their deadline still runs.
                tracing::warn!(channel_id = channel.id(), error = %e, tasks = chunk.len(), "polling failed");
                if !failed {
                    fault(engine, channel.id(), &e).await;
                    failed = true;
                }
                continue;
            }
        };
        let by_id: HashMap<&str, &RemoteUpdate> =
            answer.iter().map(|t| (t.upstream_id.as_str(), t)).collect();
        let found: Vec<(&LiveRow, &RemoteUpdate)> = chunk
            .iter()
            .filter_map(|row| Some((row, *by_id.get(row.upstream_id.as_deref()?)?)))
            .collect();
        missing.extend(chunk.iter().filter(|row| {
            row.upstream_id
                .as_deref()
                .is_none_or(|id| !by_id.contains_key(id))
        }));
        // Image downloads make some updates slow: several at once.
        futures::stream::iter(found)
            .for_each_concurrent(8, |(row, up)| async move {
                if let Err(e) = lifecycle::apply_update(engine, channel, row, up).await {
                    tracing::warn!(task_id = row.id, error = %e, "update not applied");
                }
            })
            .await;
    }
    if !failed {
        record_success(engine, channel).await;
    }
    for row in missing {
        requests += 1;
        match forgotten(engine, channel, row).await {
            Ok(true) => expired += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(task_id = row.id, error = %e, "missing task not checked"),
        }
    }
    Ok((requests, expired))
}

/// At most this many pushed notifications are being checked with the upstream at once; the
/// others are dropped (the next poll sees the same change).
static REFRESHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Fetches the live task the upstream knows as `upstream_id` from its channel and applies the
/// answer: what the notify hook does with a push, whose own content is never trusted.
pub async fn refresh(engine: &Engine, upstream_id: &str) -> Result<(), AppError> {
    let Ok(_turn) = REFRESHING.try_acquire() else {
        return Ok(());
    };
    let rows = db::tasks::by_upstream_anywhere(&engine.pool, upstream_id)
        .await
        .map_err(crate::services::internal)?;
    let [row] = rows.as_slice() else {
        return Ok(());
    };
    if row.status.is_final() {
        return Ok(());
    }
    let Some(channel) = engine.channel_of(row.channel_id.as_deref()).await? else {
        return Ok(());
    };
    let Some(client) = channel.client.midjourney() else {
        return Ok(());
    };
    let live = LiveRow::from(row);
    match engines::midjourney::fetch(client, upstream_id).await {
        Ok(Some(up)) => lifecycle::apply_update(engine, &channel, &live, &up).await?,
        Ok(None) => {}
        Err(e) => {
            tracing::warn!(task_id = row.id, error = %e, "a pushed task could not be fetched")
        }
    }
    Ok(())
}

/// A task missing from the list: ask once more by id; after several misses in a row it is gone.
async fn forgotten(engine: &Engine, channel: &Channel, row: &LiveRow) -> Result<bool, AppError> {
    let (Some(upstream_id), Some(client)) =
        (row.upstream_id.as_deref(), channel.client.midjourney())
    else {
        return Ok(false);
    };
    match engines::midjourney::fetch(client, upstream_id).await {
        Ok(Some(up)) => {
            lifecycle::apply_update(engine, channel, row, &up).await?;
            Ok(false)
        }
        Ok(None) => {
            let misses = db::tasks::count_miss(&engine.pool, &row.id)
                .await
                .map_err(crate::services::internal)?;
            if misses >= MAX_MISSES {
                lifecycle::fail(
                    engine,
                    &row.id,
                    "The upstream no longer knows this task (it may have restarted).",
                )
                .await
                .map_err(AppError::from)
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
