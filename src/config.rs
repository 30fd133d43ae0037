//! Start-up configuration from the environment (distinct from the admin-edited settings, which live
//! in the database).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the server listens (`LEPTOS_SITE_ADDR`, default 127.0.0.1:3000; port 0 in tests).
    pub addr: SocketAddr,
    /// Holds atelier.db and the images (`ATELIER_DATA_DIR`, default ./data).
    pub data_dir: PathBuf,
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
    /// Run the background worker (tests drive it by hand instead).
    pub run_worker: bool,
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
    /// Run only the built-in midjourney-proxy simulator, for trying another client against it or
    /// pointing a second Atelier at it.
    Simulate {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The `mj-api-secret` it expects (empty: any).
        #[arg(long, default_value = "")]
        secret: String,
        /// One of the ten steps of a job, in milliseconds.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
        step_ms: u64,
    },
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
    /// The address people use, e.g. https://atelier.example: https makes cookies Secure, and it
    /// turns on the upstreams' notify hook.
    #[arg(long, env = "ATELIER_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The key that encrypts the channels' secrets at rest (default: a key file made in the data
    /// dir, mode 0600).
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
}

impl From<ServeArgs> for Config {
    fn from(a: ServeArgs) -> Self {
        let set = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        Self {
            addr: a.addr,
            data_dir: a.data_dir,
            site_root: a.site_root,
            public_url: set(a.public_url).map(|u| u.trim_end_matches('/').to_owned()),
            secret_key: set(a.secret_key),
            sim_step: Duration::from_millis(a.sim_step_ms),
            poll_interval: Duration::from_millis(a.poll_interval_ms),
            task_timeout: Duration::from_secs(a.task_timeout_secs),
            run_worker: true,
        }
    }
}

impl Config {
    /// A configuration for tests: port 0 on loopback and the given data dir.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            site_root: "target/site".into(),
            public_url: None,
            secret_key: None,
            sim_step: Duration::from_millis(20),
            poll_interval: Duration::from_millis(50),
            task_timeout: Duration::from_secs(600),
            run_worker: true,
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}
