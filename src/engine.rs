//! What the generation services and the worker share: the database, the image store, the
//! encrypted secrets, the way to reach each channel, and the worker's timing.

use crate::db::Pool;
use crate::types::EngineKind;
use crate::{
    db::channels::ChannelRow,
    engines::Client,
    error::AppError,
    images::ImageStore,
    services::settings::{self, BUILTIN, SecretBox, Settings},
};
use std::{collections::HashMap, sync::Mutex, time::Duration};
use tokio::sync::Notify;

/// A channel's client, with the URL and secret it was made for.
type CachedClient = (String, Option<String>, Client);

pub struct Engine {
    pub pool: Pool,
    /// Task reads by id, gathered under load.
    pub reads: crate::db::task_reads::TaskReads,
    /// The settings, kept while they do not change.
    pub settings_cache: settings::SettingsCache,
    /// Tasks' views and answers, kept while neither they nor the prices change.
    pub views: crate::services::task_views::TaskViews,
    pub secrets: SecretBox,
    pub images: ImageStore,
    /// Base URL and secret of the in-process simulator (`api_url = builtin`).
    pub builtin: (String, String),
    /// How often the worker polls while any task is live.
    pub poll_interval: Duration,
    /// A live task with no news for this long fails ("timed out") and is refunded.
    pub task_timeout: Duration,
    /// Where upstreams POST task changes, when Atelier has a public URL.
    pub notify_url: Option<String>,
    /// The unguessable last segment of that URL.
    pub notify_token: String,
    /// The key `/v1/files` links are signed with: random, made on the first start and shared by
    /// the instances through the database; never sent anywhere.
    pub files_key: String,
    /// Wakes this process's worker at once (see [`Engine::wake_worker`]).
    pub wake: Notify,
    /// This process among the instances on one database (an id made at start): the holder of
    /// the worker's lease while it works.
    pub instance: String,
    /// How long the worker's lease lasts unrenewed: after an instance dies, another takes its
    /// work over within this.
    pub worker_lease: Duration,
    /// A client per channel, reused while its URL and secret stay the same.
    clients: Mutex<HashMap<String, CachedClient>>,
    /// Smooth weighted round-robin: each channel's current weight.
    turns: Mutex<HashMap<String, i64>>,
    /// What this process counts for `/metrics`.
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// The synchronous engines' requests under way in this process, by task.
    runs: Mutex<HashMap<String, tokio::task::AbortHandle>>,
    /// When this process last began to read each Stable Diffusion channel's checkpoints.
    catalog_reads: Mutex<HashMap<String, i64>>,
}

/// A channel ready to be talked to.
#[derive(Clone)]
pub struct Channel {
    pub row: ChannelRow,
    pub client: Client,
    /// The upstream's own host and port: the one place outside the public internet its images
    /// may be downloaded from.
    pub origin: Option<crate::images::Origin>,
}

impl Channel {
    pub fn id(&self) -> &str {
        &self.row.id
    }
}

impl Engine {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: Pool,
        secrets: SecretBox,
        images: ImageStore,
        builtin: (String, String),
        poll_interval: Duration,
        task_timeout: Duration,
        notify_url: Option<String>,
        (notify_token, files_key): (String, String),
        worker_lease: Duration,
    ) -> Self {
        Self {
            reads: crate::db::task_reads::TaskReads::start(pool.clone()),
            settings_cache: settings::SettingsCache::new(&pool),
            views: Default::default(),
            pool,
            secrets,
            images,
            builtin,
            poll_interval,
            task_timeout,
            notify_url,
            notify_token,
            files_key,
            wake: Notify::new(),
            instance: crate::db::new_id(),
            worker_lease,
            clients: Mutex::new(HashMap::new()),
            turns: Mutex::new(HashMap::new()),
            metrics: std::sync::Arc::default(),
            runs: Mutex::new(HashMap::new()),
            catalog_reads: Mutex::new(HashMap::new()),
        }
    }

    /// Whether to read a channel's checkpoints again now (kept `read_at`): they are read every
    /// `every` ms, and a box that did not answer is asked again at most every `retry` ms. True
    /// books the read.
    pub fn catalog_due(
        &self,
        channel_id: &str,
        read_at: i64,
        now: i64,
        every: i64,
        retry: i64,
    ) -> bool {
        if now.saturating_sub(read_at) < every {
            return false;
        }
        let mut tries = self.catalog_reads.lock().unwrap_or_else(|p| p.into_inner());
        let last = tries.get(channel_id).copied().unwrap_or(i64::MIN);
        if now.saturating_sub(last) < retry {
            return false;
        }
        tries.insert(channel_id.to_owned(), now);
        true
    }

    /// Runs `run`, the request that draws task `id`, in the background, where a cancel can stop
    /// it at once ([`Engine::stop_run`]).
    pub fn spawn_run(&self, id: &str, run: impl std::future::Future<Output = ()> + Send + 'static) {
        let mut runs = self.runs.lock().unwrap_or_else(|p| p.into_inner());
        let handle = tokio::spawn(run);
        runs.insert(id.to_owned(), handle.abort_handle());
    }

    /// The run of task `id` has ended.
    pub fn run_ended(&self, id: &str) {
        self.runs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }

    /// Drops the request under way for task `id` in this process, if any (it was cancelled; on
    /// another instance, the run learns it when it next renews its lease).
    pub fn stop_run(&self, id: &str) {
        if let Some(handle) = self
            .runs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id)
        {
            handle.abort();
        }
    }

    /// Requests under way in this process.
    pub fn runs(&self) -> usize {
        self.runs.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Wakes the worker at once (a task was queued, a channel changed): this process's, and on
    /// PostgreSQL whichever instance works (through NOTIFY; it LISTENs).
    pub fn wake_worker(&self) {
        self.wake.notify_one();
        if let Pool::Postgres(pool) = &self.pool {
            let pool = pool.clone();
            tokio::spawn(async move {
                let sent = sqlx::query("SELECT pg_notify($1, '')")
                    .bind(crate::worker::WAKE_CHANNEL)
                    .execute(&pool)
                    .await;
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "could not wake the worker through the database");
                }
            });
        }
    }

    /// The task deadline: the admin's setting, else the environment's.
    pub fn task_timeout(&self, s: &Settings) -> Duration {
        s.task_timeout_secs
            .and_then(|v| u64::try_from(v).ok())
            .map_or(self.task_timeout, Duration::from_secs)
    }

    /// The settings now (from memory while they have not changed, see [`settings::SettingsCache`]).
    pub async fn settings(&self) -> Result<std::sync::Arc<Settings>, AppError> {
        self.settings_cache.get(&self.pool).await
    }

    /// The URL and secret a channel of `kind` sends to (for `builtin`, the simulator of that
    /// engine's protocol).
    pub fn endpoint(
        &self,
        kind: EngineKind,
        api_url: &str,
        sealed: Option<&str>,
    ) -> (String, Option<String>) {
        if api_url == BUILTIN {
            let secret = match kind {
                // A WebUI login is `user:password`.
                EngineKind::SdWebui => format!("atelier:{}", self.builtin.1),
                _ => self.builtin.1.clone(),
            };
            (
                format!("{}{}", self.builtin.0, crate::simulator::base_path(kind)),
                Some(secret),
            )
        } else {
            (
                api_url.to_owned(),
                sealed.and_then(|s| self.secrets.unseal(s)),
            )
        }
    }

    /// A channel with its client.
    pub fn channel(&self, row: ChannelRow) -> Channel {
        let (url, secret) = self.endpoint(row.kind, &row.api_url, row.secret.as_deref());
        let origin = reqwest::Url::parse(&url)
            .ok()
            .and_then(|u| crate::images::Origin::of(&u));
        let mut cache = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        let client = match cache.get(&row.id) {
            Some((u, sec, c)) if *u == url && *sec == secret => c.clone(),
            _ => {
                let c = Client::new(row.kind, &url, secret.as_deref()).observed(
                    crate::metrics::Observer {
                        metrics: self.metrics.clone(),
                        channel: row.id.clone(),
                    },
                );
                cache.insert(row.id.clone(), (url, secret, c.clone()));
                c
            }
        };
        Channel {
            row,
            client,
            origin,
        }
    }

    /// The channel a task runs on, if it still exists.
    pub async fn channel_of(&self, channel_id: Option<&str>) -> Result<Option<Channel>, AppError> {
        let Some(id) = channel_id else {
            return Ok(None);
        };
        Ok(crate::db::channels::get(&self.pool, id)
            .await
            .map_err(crate::services::internal)?
            .map(|row| self.channel(row)))
    }

    /// Picks one of `candidates` (channel id and weight); see [`smooth_pick`].
    pub fn pick(&self, candidates: &[(&str, i64)]) -> Option<String> {
        let mut turns = self.turns.lock().unwrap_or_else(|p| p.into_inner());
        smooth_pick(&mut turns, candidates)
    }
}

/// Smooth weighted round-robin (as nginx does it): over any run of picks each candidate gets its
/// share of the total weight, evenly interleaved rather than in bursts.
fn smooth_pick(turns: &mut HashMap<String, i64>, candidates: &[(&str, i64)]) -> Option<String> {
    let total: i64 = candidates.iter().map(|(_, w)| *w).sum();
    let mut best: Option<(&str, i64)> = None;
    for (id, weight) in candidates {
        let current = turns.entry((*id).to_owned()).or_insert(0);
        *current += weight;
        if best.is_none_or(|(_, b)| *current > b) {
            best = Some((id, *current));
        }
    }
    let (id, _) = best?;
    if let Some(current) = turns.get_mut(id) {
        *current -= total;
    }
    Some(id.to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn weighted_picks_follow_the_weights_evenly() {
        let mut turns = std::collections::HashMap::new();
        let picks: Vec<String> = (0..6)
            .map(|_| super::smooth_pick(&mut turns, &[("a", 2), ("b", 1)]).unwrap())
            .collect();
        assert_eq!(picks.iter().filter(|p| *p == "a").count(), 4);
        assert_eq!(picks.iter().filter(|p| *p == "b").count(), 2);
        // Evenly: never three of a in a row.
        assert!(!picks.windows(3).any(|w| w.iter().all(|p| p == "a")));
        assert_eq!(super::smooth_pick(&mut turns, &[]), None);
    }
}
