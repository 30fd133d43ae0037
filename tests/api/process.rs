//! The real binary as a child process, for tests that kill it.

use serde_json::Value;
use std::{
    io::Read,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

pub struct Server {
    pub child: Child,
    pub base: String,
}

/// The binary on `data_dir`, and on `database` and `storage` (an `s3://` URL) when given (PostgreSQL: with a secret key, and a
/// short worker lease so that a restarted instance takes over soon).
pub fn start(
    data_dir: &std::path::Path,
    database: Option<&atelier::db::Location>,
    storage: Option<&str>,
    port: u16,
    logs: Arc<Mutex<String>>,
) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atelier"));
    if let Some(atelier::db::Location::Postgres(url)) = database {
        command
            .env("ATELIER_DATABASE_URL", url)
            .env(
                "ATELIER_SECRET_KEY",
                "a key every instance of this test shares",
            )
            .env("ATELIER_WORKER_LEASE_SECS", "3");
    } else {
        command
            .env_remove("ATELIER_DATABASE_URL")
            .env_remove("ATELIER_SECRET_KEY");
    }
    if let Some(storage) = storage {
        command.env("ATELIER_STORAGE_URL", storage);
    }
    let mut child = command
        .env("ATELIER_DATA_DIR", data_dir)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("ATELIER_POLL_INTERVAL_MS", "50")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the atelier binary starts");
    for mut pipe in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let logs = logs.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                logs.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
    }
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

pub async fn ready(client: &reqwest::Client, base: &str) {
    for _ in 0..400 {
        if client
            .get(format!("{base}/api/v1/auths/me"))
            .send()
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the server did not start");
}

pub async fn call(client: &reqwest::Client, req: reqwest::RequestBuilder) -> (u16, Value) {
    let _ = client;
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The `s3://` URL of a fresh prefix in the test command's bucket, if there is one.
pub fn fresh_s3_url() -> Option<String> {
    match crate::helpers::fresh_s3()? {
        atelier::images::Storage::S3 { bucket, prefix } => Some(format!("s3://{bucket}/{prefix}")),
        atelier::images::Storage::Dir(_) => None,
    }
}

/// A free port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
