//! Start-up configuration from the environment (distinct from the admin-edited settings, which live
//! in the database).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the server listens (`LEPTOS_SITE_ADDR`, default 127.0.0.1:3000; port 0 in tests).
    pub addr: SocketAddr,
    /// Holds atelier.db and the images (`ATELIER_DATA_DIR`, default ./data).
    pub data_dir: PathBuf,
    /// The database (`ATELIER_DATABASE_URL`, default `sqlite://<data dir>/atelier.db`).
    pub database: crate::db::Location,
    /// Images and uploads (`ATELIER_STORAGE_URL`, default `file://<data dir>/images`).
    pub storage: crate::images::Storage,
    /// Where cargo-leptos put the WASM, JS and CSS (`LEPTOS_SITE_ROOT`, default target/site).
    pub site_root: String,
    /// The address people use to reach Atelier (`ATELIER_PUBLIC_URL`), e.g. https://atelier.example.
    /// Marks cookies `Secure` when it is https.
    pub public_url: Option<String>,
    /// Encrypts the upstream secret (`ATELIER_SECRET_KEY`); else a key file in the data dir.
    pub secret_key: Option<String>,
    /// One of the ten steps of a simulated job (`ATELIER_SIM_STEP_MS`, default 1000).
    pub sim_step: Duration,
    /// Worker tick while tasks are live (`ATELIER_POLL_INTERVAL_MS`, default 1000).
    pub poll_interval: Duration,
    /// A live task without news for this long fails and is refunded
    /// (`ATELIER_TASK_TIMEOUT_SECS`, default 600).
    pub task_timeout: Duration,
    /// Run the background worker (`ATELIER_WORKER`, default on; tests drive it by hand instead).
    pub run_worker: bool,
    /// The worker's lease (`ATELIER_WORKER_LEASE_SECS`, default 15): one instance works at a
    /// time; when it dies another takes over within this.
    pub worker_lease: Duration,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` is believed (`ATELIER_TRUSTED_PROXIES`).
    pub trusted_proxies: crate::auth::client::Networks,
    /// Addresses that may read `/metrics` without an admin's API key (`ATELIER_METRICS_FROM`).
    pub metrics_from: crate::auth::client::Networks,
    /// How long and how many clients may hold the server.
    pub connections: Connections,
}

/// Bounds on clients' connections, so that slow or idle ones cannot hold the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connections {
    /// Open connections at once (`ATELIER_MAX_CONNECTIONS`, default 1024); past it new ones wait
    /// in the system's queue until one closes.
    pub max: usize,
    /// A new connection must send its request's headers within this
    /// (`ATELIER_HEADER_TIMEOUT_SECS`, default 15).
    pub header_timeout: Duration,
    /// A kept-alive connection with nothing to do is closed after this
    /// (`ATELIER_IDLE_TIMEOUT_SECS`, default 75).
    pub idle_timeout: Duration,
    /// The most a request body may pause between two pieces (`ATELIER_BODY_TIMEOUT_SECS`,
    /// default 30); the request then fails.
    pub body_timeout: Duration,
}

/// The command line: `atelier [serve]` (the default) or `atelier simulate`. Every setting of the
/// server is also an environment variable; `--help` lists them all.
#[derive(Debug, clap::Parser)]
#[command(
    name = "atelier",
    version,
    about = "Atelier: a self-hosted image-generation portal in front of MidJourney (through \
             midjourney-proxy servers) and other image engines.",
    after_help = "Run it from the repository root after `cargo leptos build --release --split` (it \
                  serves the WASM, JS and CSS from LEPTOS_SITE_ROOT). RUST_LOG sets the log filter \
                  (default info,sqlx=warn). Stops cleanly on SIGINT (Ctrl-C) or SIGTERM."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve the site, the API and the worker (the default).
    Serve,
    /// Bring the database's schema up to date, then exit (the server does it at start-up too).
    Migrate,
    /// Move this SQLite installation (ATELIER_DATA_DIR, or ATELIER_DATABASE_URL and
    /// ATELIER_STORAGE_URL) into a new PostgreSQL database and image store: every account,
    /// balance, ledger entry, key, task and image, with the same ids. Stop the server first.
    Copy {
        /// The new PostgreSQL database (postgres://user:password@host:port/db); it must have no
        /// accounts or tasks yet.
        #[arg(long)]
        to: String,
        /// Where the images go: s3://bucket/prefix (AWS_* variables) or file://<directory>.
        #[arg(long)]
        to_storage: String,
        /// The ATELIER_SECRET_KEY the new instances will share: the channels' secrets are
        /// sealed again with it (default: this installation's ATELIER_SECRET_KEY).
        #[arg(long, env = "ATELIER_TO_SECRET_KEY", hide_env_values = true)]
        to_secret_key: Option<String>,
    },
    /// Run only the built-in simulators, for trying another client against them or pointing a
    /// second Atelier at them.
    Simulate {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Only this engine's protocol, at the root as its clients expect it (`midjourney`: a
        /// midjourney-proxy; `openai`: the Images API under `/v1`; `sd_webui`: WebUI's
        /// `/sdapi/v1`). Without it, all three: midjourney at the root, `/openai/v1`, `/sd`.
        #[arg(long, value_parser = engine_kind)]
        engine: Option<crate::types::EngineKind>,
        /// The secret it expects (empty: any): midjourney's `mj-api-secret`, OpenAI's bearer key,
        /// WebUI's `--api-auth` password (any user name).
        #[arg(long, default_value = "")]
        secret: String,
        /// One of the ten steps of a job, in milliseconds.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
        step_ms: u64,
    },
}

/// `midjourney`, `openai` or `sd_webui`.
fn engine_kind(s: &str) -> Result<crate::types::EngineKind, String> {
    crate::types::EngineKind::parse(s).ok_or_else(|| "choose midjourney, openai or sd_webui".into())
}

/// The server's settings, each a flag and an environment variable.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Where the built WASM, JS and CSS are.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Database and images (created if missing).
    #[arg(long, env = "ATELIER_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The database: sqlite://<file> (default: atelier.db in the data dir) or
    /// postgres://user:password@host:port/database (PostgreSQL 15 or newer, shared by any number
    /// of instances; then ATELIER_SECRET_KEY is required).
    #[arg(long, env = "ATELIER_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where images and uploads are kept: file://<directory> (default: images/ in the data dir)
    /// or s3://bucket/optional/prefix (S3-compatible storage, shared by the instances; set
    /// AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION).
    #[arg(long, env = "ATELIER_STORAGE_URL")]
    pub storage_url: Option<String>,
    /// on: this instance also runs the worker (sends tasks upstream and follows them); off: it
    /// serves pages and the API only.
    #[arg(long, env = "ATELIER_WORKER", default_value = "on", value_parser = ["on", "off"])]
    pub worker: String,
    /// Addresses or CIDR ranges of the reverse proxies / load balancers in front (e.g.
    /// 10.0.0.0/8,127.0.0.1): their X-Forwarded-For or Forwarded names the client, for the
    /// log-in limits. Without it the socket's address is the client.
    #[arg(long, env = "ATELIER_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: String,
    /// Addresses or CIDR ranges that may read /metrics (a Prometheus server); anyone else needs
    /// an administrator's API key.
    #[arg(long, env = "ATELIER_METRICS_FROM", default_value = "")]
    pub metrics_from: String,
    /// With several instances on one database one of them works at a time, renewing its lease
    /// every third of this; if it dies, another takes over within this many seconds.
    #[arg(long, env = "ATELIER_WORKER_LEASE_SECS", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(3..=600))]
    pub worker_lease_secs: u64,
    /// The address people use, e.g. https://atelier.example: https makes cookies Secure, and it
    /// turns on the upstreams' notify hook.
    #[arg(long, env = "ATELIER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The key that encrypts the channels' secrets at rest (default: a key file made in the data
    /// dir, mode 0600). Required with a shared (PostgreSQL) database: every instance must have it.
    #[arg(long, env = "ATELIER_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// One of the ten steps of a job in the built-in simulator, in milliseconds.
    #[arg(long, env = "ATELIER_SIM_STEP_MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub sim_step_ms: u64,
    /// How often the worker polls while any task is live, in milliseconds.
    #[arg(long, env = "ATELIER_POLL_INTERVAL_MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(10..))]
    pub poll_interval_ms: u64,
    /// A live task with no news for this long fails and is refunded, in seconds (the admin's
    /// task deadline overrides it).
    #[arg(long, env = "ATELIER_TASK_TIMEOUT_SECS", default_value_t = 600,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub task_timeout_secs: u64,
    /// Open client connections at once; more wait until one closes.
    #[arg(long, env = "ATELIER_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// Seconds a client has to send a request's headers.
    #[arg(long, env = "ATELIER_HEADER_TIMEOUT_SECS", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_secs: u64,
    /// Seconds a kept-alive connection may sit idle between requests.
    #[arg(long, env = "ATELIER_IDLE_TIMEOUT_SECS", default_value_t = 75,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout_secs: u64,
    /// Seconds a request body may pause between two pieces before the request fails.
    #[arg(long, env = "ATELIER_BODY_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout_secs: u64,
}

impl TryFrom<ServeArgs> for Config {
    type Error = anyhow::Error;

    /// Refuses what cannot work, with the one reason.
    fn try_from(a: ServeArgs) -> anyhow::Result<Self> {
        let set = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        let database = match set(a.database_url) {
            Some(url) => crate::db::Location::parse(&url)?,
            None => crate::db::Location::in_data_dir(&a.data_dir),
        };
        let storage = match set(a.storage_url) {
            Some(url) => crate::images::Storage::parse(&url)?,
            None => crate::images::Storage::in_data_dir(&a.data_dir),
        };
        let secret_key = set(a.secret_key);
        anyhow::ensure!(
            !database.is_shared() || secret_key.is_some(),
            "ATELIER_SECRET_KEY is required with a PostgreSQL database: every instance must \
             decrypt the channels' secrets with the same key"
        );
        Ok(Self {
            addr: a.addr,
            database,
            storage,
            data_dir: a.data_dir,
            site_root: a.site_root,
            public_url: set(a.public_url).map(|u| u.trim_end_matches('/').to_owned()),
            secret_key,
            sim_step: Duration::from_millis(a.sim_step_ms),
            poll_interval: Duration::from_millis(a.poll_interval_ms),
            task_timeout: Duration::from_secs(a.task_timeout_secs),
            run_worker: a.worker == "on",
            trusted_proxies: crate::auth::client::Networks::parse(&a.trusted_proxies)
                .map_err(|e| anyhow::anyhow!("ATELIER_TRUSTED_PROXIES: {e}"))?,
            metrics_from: crate::auth::client::Networks::parse(&a.metrics_from)
                .map_err(|e| anyhow::anyhow!("ATELIER_METRICS_FROM: {e}"))?,
            worker_lease: Duration::from_secs(a.worker_lease_secs),
            connections: Connections {
                max: usize::try_from(a.max_connections).unwrap_or(usize::MAX),
                header_timeout: Duration::from_secs(a.header_timeout_secs),
                idle_timeout: Duration::from_secs(a.idle_timeout_secs),
                body_timeout: Duration::from_secs(a.body_timeout_secs),
            },
        })
    }
}

impl Config {
    /// A configuration for tests: port 0 on loopback and the given data dir.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database: crate::db::Location::in_data_dir(&data_dir),
            storage: crate::images::Storage::in_data_dir(&data_dir),
            data_dir,
            site_root: "target/site".into(),
            public_url: None,
            secret_key: None,
            sim_step: Duration::from_millis(20),
            poll_interval: Duration::from_millis(50),
            task_timeout: Duration::from_secs(600),
            run_worker: true,
            worker_lease: Duration::from_secs(15),
            trusted_proxies: crate::auth::client::Networks::default(),
            metrics_from: crate::auth::client::Networks::default(),
            connections: Connections {
                max: 1024,
                header_timeout: Duration::from_secs(15),
                idle_timeout: Duration::from_secs(75),
                body_timeout: Duration::from_secs(30),
            },
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn config(args: &[&str]) -> anyhow::Result<Config> {
        let mut argv = vec!["atelier"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv)?.serve.try_into()
    }

    #[test]
    fn the_database_is_sqlite_in_the_data_dir_unless_a_url_says_otherwise() {
        let c = config(&["--data-dir", "/srv/a"]).unwrap();
        assert_eq!(
            c.database,
            crate::db::Location::Sqlite("/srv/a/atelier.db".into())
        );
        let c = config(&["--database-url", "sqlite:///var/lib/x.db"]).unwrap();
        assert_eq!(
            c.database,
            crate::db::Location::Sqlite("/var/lib/x.db".into())
        );
        let c = config(&[
            "--database-url",
            "postgres://a:b@db:5432/atelier",
            "--secret-key",
            "k",
        ])
        .unwrap();
        assert!(c.database.is_shared());
        assert_eq!(c.database.describe(), "postgres://db:5432/atelier");
    }

    #[test]
    fn a_shared_database_needs_the_secret_key_and_a_bad_url_is_named() {
        let e = config(&["--database-url", "postgres://a:b@db/atelier"]).unwrap_err();
        assert!(e.to_string().contains("ATELIER_SECRET_KEY"), "{e}");
        let e = config(&["--database-url", "mysql://db/atelier"]).unwrap_err();
        assert!(e.to_string().contains("sqlite:// or postgres://"), "{e}");
        assert!(!e.to_string().contains("db/atelier"), "{e}");
    }

    #[test]
    fn the_worker_can_be_turned_off() {
        assert!(config(&[]).unwrap().run_worker);
        assert!(!config(&["--worker", "off"]).unwrap().run_worker);
        assert!(config(&["--worker", "maybe"]).is_err());
    }
}
