//! What every engine's HTTP client shares: a client whose secret never follows a redirect to
//! another host, answers read up to a cap, retries only where repeating is safe, and each
//! request counted for the channel's metrics.

use super::UpstreamError;
use crate::metrics::{Observer, Outcome};
use reqwest::{
    StatusCode,
    header::{HeaderName, HeaderValue},
};
use std::time::Duration;

/// The largest answer read from an upstream unless its client says otherwise (a list of 100
/// midjourney tasks with their buttons is tens of kB): past it the answer is a protocol error
/// and reading stops, so a hostile upstream's endless or huge answer costs at most this much
/// memory (a 300 MB answer took the server to 926 MB when it was read whole).
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// Tries of a request that may be repeated.
pub const ATTEMPTS: u32 = 3;

/// One upstream's base URL, its credential and a pooled client.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
    /// The header that carries the channel's secret (marked sensitive: never logged).
    auth: Option<(HeaderName, HeaderValue)>,
    /// Where each request is counted (a channel's client; none for a connection test).
    observer: Option<Observer>,
    /// The largest answer read.
    cap: usize,
    /// A 5xx comes back with its body (an upstream that says in it why it failed).
    server_errors: bool,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("Http").field("base", &self.base).finish()
    }
}

impl Http {
    /// A client of `base` whose requests carry `auth` and last at most `timeout` each.
    pub fn new(base: &str, auth: Option<(HeaderName, String)>, timeout: Duration) -> Self {
        crate::init_tls();
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            // reqwest strips only its own idea of sensitive headers on a redirect to another
            // host (not `mj-api-secret`): a redirect is followed only to the same scheme, host
            // and port.
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                let same = attempt.previous().last().is_some_and(|before| {
                    before.scheme() == attempt.url().scheme()
                        && before.host_str() == attempt.url().host_str()
                        && before.port_or_known_default() == attempt.url().port_or_known_default()
                });
                if same && attempt.previous().len() < 5 {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }))
            .build()
            .unwrap_or_default();
        let auth = auth.and_then(|(name, value)| {
            let mut v = HeaderValue::from_str(&value).ok()?;
            v.set_sensitive(true);
            Some((name, v))
        });
        Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
            auth,
            observer: None,
            cap: MAX_ANSWER_BYTES,
            server_errors: false,
        }
    }

    /// The same client, reading answers up to `bytes` (images in base64 are larger than lists).
    pub fn answers_up_to(mut self, bytes: usize) -> Self {
        self.cap = bytes;
        self
    }

    /// The same client, a 5xx answered with its body rather than as an error (never repeated).
    pub fn reads_server_errors(mut self) -> Self {
        self.server_errors = true;
        self
    }

    /// The same client, its requests counted for `observer`'s channel.
    pub fn observed(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends with the credential, up to `attempts` times: idempotent requests are retried on
    /// any transport failure or 5xx, others only when the request never reached the server.
    /// A 5xx is an error (its body is not read on, unless [`Http::reads_server_errors`]); any
    /// other status comes back with its body.
    pub async fn send(
        &self,
        idempotent: bool,
        attempts: u32,
        build: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<(StatusCode, bytes::Bytes), UpstreamError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = build(&self.client);
            if let Some((name, value)) = &self.auth {
                req = req.header(name.clone(), value.clone());
            }
            let started = std::time::Instant::now();
            let result = match req.send().await {
                Ok(res) => {
                    let status = res.status();
                    match read_capped(res, self.cap).await {
                        Ok(_) if status.is_server_error() && !self.server_errors => {
                            Err(UpstreamError::Failed(format!("HTTP {}", status.as_u16())))
                        }
                        Ok(b) => Ok((status, b)),
                        Err(e) => Err(e),
                    }
                }
                Err(e) if e.is_connect() => Err(UpstreamError::Unreachable(describe(&e))),
                Err(e) => Err(UpstreamError::Failed(describe(&e))),
            };
            if let Some(o) = &self.observer {
                let outcome = match &result {
                    Ok((status, _)) if status.is_server_error() => Outcome::ServerError,
                    Ok(_) => Outcome::Answered,
                    Err(UpstreamError::Unreachable(_)) => Outcome::Unreachable,
                    Err(UpstreamError::Failed(m)) if m.starts_with("HTTP 5") => {
                        Outcome::ServerError
                    }
                    Err(_) => Outcome::Failed,
                };
                o.record(outcome, started.elapsed());
            }
            let retry = match &result {
                Err(UpstreamError::Unreachable(_)) => true,
                Err(UpstreamError::Failed(_)) => idempotent,
                _ => false,
            };
            if !retry || attempt >= attempts {
                return result;
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
}

/// The body of `res`, read chunk by chunk up to `cap` bytes.
pub async fn read_capped(
    mut res: reqwest::Response,
    cap: usize,
) -> Result<bytes::Bytes, UpstreamError> {
    let too_large = || {
        UpstreamError::Protocol(format!(
            "the answer is larger than {} MB",
            cap / (1024 * 1024)
        ))
    };
    if res.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|e| UpstreamError::Failed(describe(&e)))?
    {
        if body.len() + chunk.len() > cap {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// 401 and 403 are the channel's secret; any other failure status is a protocol error.
pub fn check_status(status: StatusCode, body: &[u8]) -> Result<(), UpstreamError> {
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        return Err(UpstreamError::Unauthorized);
    }
    if !status.is_success() {
        return Err(UpstreamError::Protocol(format!(
            "HTTP {}: {}",
            status.as_u16(),
            snippet(body)
        )));
    }
    Ok(())
}

/// A JSON error, with the start of what was read.
pub fn protocol(e: serde_json::Error, body: &[u8]) -> UpstreamError {
    UpstreamError::Protocol(format!("{e} in {}", snippet(body)))
}

/// The start of a body, for an error message.
pub fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(120)]);
    s.chars().filter(|c| !c.is_control()).collect()
}

/// A reqwest error with its cause chain (which says "dns error", "connection refused", ...).
pub fn describe(e: &reqwest::Error) -> String {
    let mut s = if e.is_timeout() {
        "timed out".to_owned()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

/// 200 ms, 400 ms, ... with up to 50% jitter.
pub fn backoff(attempt: u32) -> Duration {
    let base = 200u64 << attempt.min(6);
    let jitter = u64::from(rand_core::RngCore::next_u32(&mut rand_core::OsRng)) % (base / 2 + 1);
    Duration::from_millis(base + jitter)
}

/// A path segment: everything but unreserved characters escaped.
pub fn segment(s: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_escaped_in_paths() {
        assert_eq!(super::segment("12/../x"), "12%2F..%2Fx");
    }
}
