//! What the generation services and the worker share: the database, the image store, the
//! encrypted secret, the way to reach the upstream, and the worker's timing.

use crate::{
    error::AppError,
    images::ImageStore,
    services::settings::{self, SecretBox, Settings},
    upstream::Upstream,
};
use sqlx::SqlitePool;
use std::{sync::Mutex, time::Duration};
use tokio::sync::Notify;

pub struct Engine {
    pub pool: SqlitePool,
    /// Task reads by id, gathered under load.
    pub reads: crate::db::task_reads::TaskReads,
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
    /// Wakes the worker at once (a new task was queued).
    pub wake: Notify,
    client: Mutex<Option<(String, Option<String>, Upstream)>>,
}

/// The upstream to talk to now, and the host whose internal address may serve its images.
pub struct Target {
    pub client: Upstream,
    pub trusted_host: Option<String>,
}

impl Engine {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: SqlitePool,
        secrets: SecretBox,
        images: ImageStore,
        builtin: (String, String),
        poll_interval: Duration,
        task_timeout: Duration,
        notify_url: Option<String>,
        notify_token: String,
    ) -> Self {
        Self {
            reads: crate::db::task_reads::TaskReads::start(pool.clone()),
            pool,
            secrets,
            images,
            builtin,
            poll_interval,
            task_timeout,
            notify_url,
            notify_token,
            wake: Notify::new(),
            client: Mutex::new(None),
        }
    }

    /// The task deadline: the admin's setting, else the environment's.
    pub fn task_timeout(&self, s: &Settings) -> Duration {
        s.task_timeout_secs
            .and_then(|v| u64::try_from(v).ok())
            .map_or(self.task_timeout, Duration::from_secs)
    }

    pub async fn settings(&self) -> Result<Settings, AppError> {
        settings::load(&self.pool).await
    }

    /// The configured upstream (the simulator for `builtin`); the client is reused while the URL
    /// and secret stay the same.
    pub async fn target(&self, s: &Settings) -> Result<Target, AppError> {
        let (url, secret) = if s.is_builtin() {
            (self.builtin.0.clone(), Some(self.builtin.1.clone()))
        } else {
            (
                s.api_url.clone(),
                settings::secret(&self.pool, &self.secrets).await?,
            )
        };
        let trusted_host = reqwest::Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
        let mut cache = self.client.lock().unwrap_or_else(|p| p.into_inner());
        let client = match &*cache {
            Some((u, sec, c)) if *u == url && *sec == secret => c.clone(),
            _ => {
                let c = Upstream::new(&url, secret.as_deref());
                *cache = Some((url, secret, c.clone()));
                c
            }
        };
        Ok(Target {
            client,
            trusted_host,
        })
    }
}
