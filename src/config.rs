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

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let addr = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr = addr
            .parse()
            .map_err(|e| format!("LEPTOS_SITE_ADDR={addr:?} is not HOST:PORT: {e}"))?;
        let number = |k: &str, default: u64, min: u64| -> Result<u64, String> {
            match var(k) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n >= min)
                    .ok_or_else(|| format!("{k}={v:?} must be a whole number of at least {min}")),
            }
        };
        Ok(Self {
            addr,
            data_dir: var("ATELIER_DATA_DIR")
                .unwrap_or_else(|| "data".into())
                .into(),
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            public_url: var("ATELIER_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_owned()),
            secret_key: var("ATELIER_SECRET_KEY"),
            sim_step: Duration::from_millis(number("ATELIER_SIM_STEP_MS", 1000, 1)?),
            poll_interval: Duration::from_millis(number("ATELIER_POLL_INTERVAL_MS", 1000, 10)?),
            task_timeout: Duration::from_secs(number("ATELIER_TASK_TIMEOUT_SECS", 600, 1)?),
            run_worker: true,
        })
    }

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

pub const HELP: &str = "\
Atelier: a self-hosted image-generation portal in front of a midjourney-proxy server.

USAGE:
    atelier [--help | --version]
    atelier simulate --addr HOST:PORT [--secret S] [--step-ms N]

Starts the web server. Run it from the repository root after `cargo leptos build --release`
(it serves the WASM, JS and CSS from LEPTOS_SITE_ROOT).

ENVIRONMENT:
    LEPTOS_SITE_ADDR     address to listen on            (default 127.0.0.1:3000)
    LEPTOS_SITE_ROOT     built site assets               (default target/site)
    ATELIER_DATA_DIR     database and images             (default ./data, created if missing)
    ATELIER_PUBLIC_URL   public address, e.g. https://atelier.example (optional;
                         https makes cookies Secure)
    ATELIER_SECRET_KEY   key that encrypts the upstream secret at rest (optional;
                         default: a key file created in the data dir, mode 0600)
    ATELIER_SIM_STEP_MS  one of the ten steps of a simulated job (default 1000)
    ATELIER_POLL_INTERVAL_MS  how often live tasks are polled (default 1000)
    ATELIER_TASK_TIMEOUT_SECS a task with no progress for this long fails and is
                         refunded (default 600)
    RUST_LOG             log filter                      (default info)

`atelier simulate` runs only the built-in midjourney-proxy simulator, for trying another
client against it or pointing a second Atelier at it.

Stops cleanly on SIGINT (Ctrl-C) or SIGTERM.
";
