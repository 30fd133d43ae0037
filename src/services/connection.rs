//! "Test connection": does the URL and secret in the admin's form reach a midjourney-proxy?

pub use crate::types::ConnectionReport;
use crate::{
    engine::Engine,
    error::AppError,
    services::settings::{self, BUILTIN},
    upstream::{Upstream, UpstreamError},
};

/// Tests `api_url` and `api_secret` when given, else the saved ones (an empty secret in the form
/// means "the saved one").
pub async fn test(
    engine: &Engine,
    api_url: Option<&str>,
    api_secret: Option<&str>,
) -> Result<ConnectionReport, AppError> {
    let saved = engine.settings().await?;
    let url = match api_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => settings::parse_api_url(u)?,
        None => saved.api_url.clone(),
    };
    let (base, secret) = if url == BUILTIN {
        (engine.builtin.0.clone(), Some(engine.builtin.1.clone()))
    } else {
        let secret = match api_secret.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(s.to_owned()),
            None => settings::secret(&engine.pool, &engine.secrets).await?,
        };
        (url, secret)
    };
    let client = Upstream::new(&base, secret.as_deref());
    let started = std::time::Instant::now();
    let result = client.probe().await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (ok, kind, message) = match result {
        Ok(()) => (
            true,
            "ok",
            format!("Reachable and authorised ({latency_ms} ms)."),
        ),
        Err(UpstreamError::Unauthorized) => (
            false,
            "unauthorized",
            "Wrong secret: the upstream answered HTTP 401.".to_owned(),
        ),
        Err(UpstreamError::Protocol(e)) => (
            false,
            "not_a_proxy",
            format!("Not a midjourney-proxy: unexpected answer ({e})."),
        ),
        Err(UpstreamError::Unreachable(e) | UpstreamError::Failed(e)) => {
            (false, "unreachable", format!("Unreachable: {e}."))
        }
    };
    Ok(ConnectionReport {
        ok,
        latency_ms,
        message,
        kind: kind.to_owned(),
    })
}
