//! "Test connection": does a URL and secret reach an upstream that speaks the protocol?

pub use crate::types::ConnectionReport;
use crate::{
    engine::Engine,
    engines::{Client, UpstreamError},
    error::AppError,
    types::EngineKind,
};

/// The facade's test (`/api/v1/midjourney/config/test`): the first midjourney channel as saved,
/// or `api_url` and `api_secret` before saving them.
pub async fn test(
    engine: &Engine,
    api_url: Option<&str>,
    api_secret: Option<&str>,
) -> Result<ConnectionReport, AppError> {
    match super::channels::first_midjourney(engine).await? {
        Some(row) => super::channels::probe(engine, &row, api_url, api_secret).await,
        None => {
            let url = api_url
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .ok_or_else(|| {
                    AppError::validation("api_url", "There is no midjourney channel to test.")
                })?;
            let url = super::settings::parse_api_url(url)?;
            let (base, secret) = match api_secret.map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) if url != super::settings::BUILTIN => (url, Some(s.to_owned())),
                _ => engine.endpoint(EngineKind::Midjourney, &url, None),
            };
            Ok(probe(EngineKind::Midjourney, &base, secret.as_deref()).await)
        }
    }
}

/// One harmless request to `base` with `secret` in `kind`'s protocol, and what it says, in words.
pub async fn probe(kind: EngineKind, base: &str, secret: Option<&str>) -> ConnectionReport {
    let client = Client::new(kind, base, secret);
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
            format!("Not {}: unexpected answer ({e}).", server_name(kind)),
        ),
        Err(
            UpstreamError::Unreachable(e) | UpstreamError::Failed(e) | UpstreamError::NoAccount(e),
        ) => (false, "unreachable", format!("Unreachable: {e}.")),
    };
    ConnectionReport {
        ok,
        latency_ms,
        message,
        kind: kind.to_owned(),
    }
}

/// What a server of `kind` is called in a report.
fn server_name(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::Midjourney => "a midjourney-proxy",
        EngineKind::Openai => "an OpenAI Images API",
        EngineKind::SdWebui => "a Stable Diffusion WebUI API",
    }
}
