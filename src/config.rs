//! Start-up configuration from the environment (distinct from the admin-edited settings, which live
//! in the database).

use std::{net::SocketAddr, path::PathBuf};

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
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let addr = var("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let addr = addr
            .parse()
            .map_err(|e| format!("LEPTOS_SITE_ADDR={addr:?} is not HOST:PORT: {e}"))?;
        Ok(Self {
            addr,
            data_dir: var("ATELIER_DATA_DIR")
                .unwrap_or_else(|| "data".into())
                .into(),
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            public_url: var("ATELIER_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_owned()),
        })
    }

    /// A configuration for tests: port 0 on loopback and the given data dir.
    pub fn for_tests(data_dir: PathBuf) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            site_root: "target/site".into(),
            public_url: None,
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

Starts the web server. Run it from the repository root after `cargo leptos build --release`
(it serves the WASM, JS and CSS from LEPTOS_SITE_ROOT).

ENVIRONMENT:
    LEPTOS_SITE_ADDR     address to listen on            (default 127.0.0.1:3000)
    LEPTOS_SITE_ROOT     built site assets               (default target/site)
    ATELIER_DATA_DIR     database and images             (default ./data, created if missing)
    ATELIER_PUBLIC_URL   public address, e.g. https://atelier.example (optional;
                         https makes cookies Secure)
    RUST_LOG             log filter                      (default info)

Stops cleanly on SIGINT (Ctrl-C) or SIGTERM.
";
