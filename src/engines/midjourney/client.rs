//! HTTP client of a midjourney-proxy: timeouts everywhere, retries only where repeating is safe.

use super::wire::{self, SubmitResult, Task};
use crate::engines::UpstreamError;
use reqwest::{StatusCode, header::HeaderValue};
use serde::Serialize;
use std::time::Duration;

/// How the upstream answered a submit, by its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Code 1: running or about to.
    Accepted { id: String },
    /// Code 21: a task the proxy already has (the same job, or one waiting in a modal step).
    Existing { id: String },
    /// Code 22: accepted, waiting in the proxy's own queue.
    Queued { id: String, position: Option<i64> },
    /// Code 23 (or 9 saying the queue is full): not accepted, try again later.
    QueueFull,
    /// Code 24: a banned word.
    BannedWord {
        word: Option<String>,
        description: String,
    },
    /// Code 3: no account available, or the referenced task does not exist.
    NoAccount { description: String },
    /// Code 4: refused for good (bad input, the referenced task is not finished).
    Refused { description: String },
    /// Code 9 and unknown codes: a fault of the proxy; trying later may work.
    Transient { description: String },
}

#[derive(Clone)]
pub struct Upstream {
    http: reqwest::Client,
    base: String,
    secret: Option<HeaderValue>,
    /// Where each request is counted (a channel's client; none for a connection test).
    observer: Option<crate::metrics::Observer>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("Upstream")
            .field("base", &self.base)
            .finish()
    }
}

const ATTEMPTS: u32 = 3;

/// The largest answer read from an upstream (a list of 100 tasks with their buttons is tens of
/// kB): past it the answer is a protocol error and reading stops, so a hostile upstream's
/// endless or huge answer costs at most this much memory (a 300 MB answer took the server to
/// 926 MB when it was read whole).
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// The body of `res`, read chunk by chunk up to [`MAX_ANSWER_BYTES`].
async fn read_capped(mut res: reqwest::Response) -> Result<bytes::Bytes, UpstreamError> {
    let too_large = || {
        UpstreamError::Protocol(format!(
            "the answer is larger than {} MB",
            MAX_ANSWER_BYTES / (1024 * 1024)
        ))
    };
    if res
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|e| UpstreamError::Failed(e.to_string()))?
    {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

impl Upstream {
    pub fn new(base: &str, secret: Option<&str>) -> Self {
        crate::init_tls();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .pool_idle_timeout(Duration::from_secs(60))
            // The secret travels in `mj-api-secret`, which reqwest does not strip on a redirect to
            // another host: a redirect is followed only to the same scheme, host and port.
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
        let secret = secret.and_then(|s| {
            let mut v = HeaderValue::from_str(s).ok()?;
            v.set_sensitive(true);
            Some(v)
        });
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            secret,
            observer: None,
        }
    }

    /// The same client, its requests counted for `observer`'s channel.
    pub fn observed(mut self, observer: crate::metrics::Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    fn record(&self, outcome: crate::metrics::Outcome, started: std::time::Instant) {
        if let Some(o) = &self.observer {
            o.record(outcome, started.elapsed());
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn imagine(
        &self,
        req: &wire::ImagineRequest<'_>,
    ) -> Result<SubmitOutcome, UpstreamError> {
        self.submit("/mj/submit/imagine", req).await
    }

    pub async fn action(
        &self,
        req: &wire::ActionRequest<'_>,
    ) -> Result<SubmitOutcome, UpstreamError> {
        self.submit("/mj/submit/action", req).await
    }

    pub async fn blend(
        &self,
        req: &wire::BlendRequest<'_>,
    ) -> Result<SubmitOutcome, UpstreamError> {
        self.submit("/mj/submit/blend", req).await
    }

    /// Confirms a task waiting in a modal step (Remix, Custom Zoom, Vary Region).
    pub async fn modal(
        &self,
        req: &wire::ModalRequest<'_>,
    ) -> Result<SubmitOutcome, UpstreamError> {
        self.submit("/mj/submit/modal", req).await
    }

    pub async fn describe(
        &self,
        req: &wire::DescribeRequest<'_>,
    ) -> Result<SubmitOutcome, UpstreamError> {
        self.submit("/mj/submit/describe", req).await
    }

    /// One task, or None when the upstream does not know it (200 with an empty body, 204 or 404).
    pub async fn fetch(&self, id: &str) -> Result<Option<Task>, UpstreamError> {
        let path = format!("/mj/task/{}/fetch", urlencode(id));
        let (status, body) = self
            .send(true, || self.http.get(format!("{}{path}", self.base)))
            .await?;
        if status == StatusCode::NOT_FOUND || status == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        check_status(status, &body)?;
        let text = body.trim_ascii();
        if text.is_empty() || text == b"null" {
            return Ok(None);
        }
        let task: Task = serde_json::from_slice(text).map_err(|e| protocol(e, &body))?;
        Ok((!task.id.is_empty()).then_some(task))
    }

    /// Many tasks in one request. Ids the upstream does not know are simply missing.
    pub async fn list(&self, ids: &[&str]) -> Result<Vec<Task>, UpstreamError> {
        let body = wire::ListRequest { ids: ids.to_vec() };
        let url = format!("{}/mj/task/list-by-condition", self.base);
        let (status, bytes) = self.send(true, || self.http.post(&url).json(&body)).await?;
        check_status(status, &bytes)?;
        if bytes.trim_ascii().is_empty() {
            return Ok(Vec::new());
        }
        // The usual answer reads in one pass. One entry that does not read as a task costs that
        // task this poll, not all of them: then the entries are read one by one.
        if let Ok(tasks) = serde_json::from_slice::<Vec<Task>>(&bytes) {
            return Ok(tasks.into_iter().filter(|t| !t.id.is_empty()).collect());
        }
        let entries: Vec<serde_json::Value> =
            serde_json::from_slice(&bytes).map_err(|e| protocol(e, &bytes))?;
        Ok(entries
            .into_iter()
            .filter_map(|v| match serde_json::from_value::<Task>(v) {
                Ok(t) if !t.id.is_empty() => Some(t),
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!(error = %e, "unreadable task in a list answer");
                    None
                }
            })
            .collect())
    }

    /// One harmless request (an empty list-by-condition), no retries, at most 10 s: does this
    /// server speak the protocol and accept the secret?
    pub async fn probe(&self) -> Result<(), UpstreamError> {
        let url = format!("{}/mj/task/list-by-condition", self.base);
        let mut req = self
            .http
            .post(&url)
            .json(&wire::ListRequest { ids: Vec::new() })
            .timeout(Duration::from_secs(10));
        if let Some(secret) = &self.secret {
            req = req.header("mj-api-secret", secret.clone());
        }
        let started = std::time::Instant::now();
        let res = req.send().await.map_err(|e| {
            if e.is_connect() || e.is_timeout() {
                self.record(crate::metrics::Outcome::Unreachable, started);
                UpstreamError::Unreachable(describe(&e))
            } else {
                self.record(crate::metrics::Outcome::Failed, started);
                UpstreamError::Failed(describe(&e))
            }
        })?;
        let status = res.status();
        self.record(
            if status.is_server_error() {
                crate::metrics::Outcome::ServerError
            } else {
                crate::metrics::Outcome::Answered
            },
            started,
        );
        let body = read_capped(res).await?;
        check_status(status, &body)?;
        serde_json::from_slice::<Vec<serde_json::Value>>(&body)
            .map(|_| ())
            .map_err(|e| protocol(e, &body))
    }

    /// Cancels a task where the server supports it (trueai). Ok(false) when it does not.
    pub async fn cancel(&self, id: &str) -> Result<bool, UpstreamError> {
        let url = format!("{}/mj/task/{}/cancel", self.base, urlencode(id));
        let (status, body) = self.send(false, || self.http.post(&url)).await?;
        if matches!(
            status,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED
        ) {
            return Ok(false);
        }
        check_status(status, &body)?;
        Ok(true)
    }

    async fn submit<B: Serialize>(
        &self,
        path: &str,
        req: &B,
    ) -> Result<SubmitOutcome, UpstreamError> {
        let url = format!("{}{path}", self.base);
        let (status, body) = self.send(false, || self.http.post(&url).json(req)).await?;
        check_status(status, &body)?;
        let r: SubmitResult = serde_json::from_slice(&body).map_err(|e| protocol(e, &body))?;
        Ok(classify(r))
    }

    /// Sends with the secret. Idempotent requests are retried on any transport failure or 5xx;
    /// others only when the request never reached the server.
    async fn send(
        &self,
        idempotent: bool,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<(StatusCode, bytes::Bytes), UpstreamError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = build();
            if let Some(secret) = &self.secret {
                req = req.header("mj-api-secret", secret.clone());
            }
            let started = std::time::Instant::now();
            let result = match req.send().await {
                Ok(res) => {
                    let status = res.status();
                    match read_capped(res).await {
                        Ok(_) if status.is_server_error() => {
                            Err(UpstreamError::Failed(format!("HTTP {}", status.as_u16())))
                        }
                        Ok(b) => Ok((status, b)),
                        Err(e) => Err(e),
                    }
                }
                Err(e) if e.is_connect() => Err(UpstreamError::Unreachable(describe(&e))),
                Err(e) => Err(UpstreamError::Failed(describe(&e))),
            };
            self.record(
                match &result {
                    Ok(_) => crate::metrics::Outcome::Answered,
                    Err(UpstreamError::Unreachable(_)) => crate::metrics::Outcome::Unreachable,
                    Err(UpstreamError::Failed(m)) if m.starts_with("HTTP 5") => {
                        crate::metrics::Outcome::ServerError
                    }
                    Err(_) => crate::metrics::Outcome::Failed,
                },
                started,
            );
            let retry = match &result {
                Err(UpstreamError::Unreachable(_)) => true,
                Err(UpstreamError::Failed(_)) => idempotent,
                _ => false,
            };
            if !retry || attempt >= ATTEMPTS {
                return result;
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
}

fn classify(r: SubmitResult) -> SubmitOutcome {
    let description = r.description.clone().unwrap_or_default();
    let prop = |k: &str| r.properties.as_ref().and_then(|p| p.get(k)).cloned();
    match (r.code, r.result) {
        (1, Some(id)) => SubmitOutcome::Accepted { id },
        (21, Some(id)) => SubmitOutcome::Existing { id },
        (22, Some(id)) => SubmitOutcome::Queued {
            id,
            position: prop("numberOfQueues").and_then(|v| v.as_i64()),
        },
        (23, _) => SubmitOutcome::QueueFull,
        (9, _) if description.to_lowercase().contains("queue") => SubmitOutcome::QueueFull,
        (24, _) => SubmitOutcome::BannedWord {
            word: prop("bannedWord").and_then(|v| v.as_str().map(str::to_owned)),
            description,
        },
        (3, _) => SubmitOutcome::NoAccount { description },
        (4, _) => SubmitOutcome::Refused { description },
        (code, _) => SubmitOutcome::Transient {
            description: if description.is_empty() {
                format!("code {code}")
            } else {
                description
            },
        },
    }
}

fn check_status(status: StatusCode, body: &[u8]) -> Result<(), UpstreamError> {
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

fn protocol(e: serde_json::Error, body: &[u8]) -> UpstreamError {
    UpstreamError::Protocol(format!("{e} in {}", snippet(body)))
}

fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(120)]);
    s.chars().filter(|c| !c.is_control()).collect()
}

/// A reqwest error with its cause chain (which says "dns error", "connection refused", ...).
fn describe(e: &reqwest::Error) -> String {
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
fn backoff(attempt: u32) -> Duration {
    let base = 200u64 << attempt.min(6);
    let jitter = u64::from(rand_core::RngCore::next_u32(&mut rand_core::OsRng)) % (base / 2 + 1);
    Duration::from_millis(base + jitter)
}

/// A path segment: everything but unreserved characters escaped.
fn urlencode(s: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(json: &str) -> SubmitOutcome {
        classify(serde_json::from_str(json).unwrap())
    }

    #[test]
    fn submit_codes_map_to_outcomes() {
        assert_eq!(
            result(r#"{"code":1,"result":"17"}"#),
            SubmitOutcome::Accepted { id: "17".into() }
        );
        assert_eq!(
            result(r#"{"code":22,"result":"18","properties":{"numberOfQueues":4}}"#),
            SubmitOutcome::Queued {
                id: "18".into(),
                position: Some(4)
            }
        );
        assert_eq!(
            result(r#"{"code":23,"description":"full"}"#),
            SubmitOutcome::QueueFull
        );
        assert_eq!(
            result(r#"{"code":9,"description":"Queue full"}"#),
            SubmitOutcome::QueueFull
        );
        assert!(matches!(
            result(r#"{"code":24,"description":"banned","properties":{"bannedWord":"gore"}}"#),
            SubmitOutcome::BannedWord { word: Some(w), .. } if w == "gore"
        ));
        assert!(matches!(
            result(r#"{"code":4,"description":"bad"}"#),
            SubmitOutcome::Refused { .. }
        ));
        assert!(matches!(
            result(r#"{"code":3,"description":"no account"}"#),
            SubmitOutcome::NoAccount { .. }
        ));
        assert_eq!(
            result(r#"{"code":21,"result":"19","description":"Waiting for window confirm"}"#),
            SubmitOutcome::Existing { id: "19".into() }
        );
        assert!(matches!(
            result(r#"{"code":9,"description":"boom"}"#),
            SubmitOutcome::Transient { .. }
        ));
    }

    #[test]
    fn ids_are_escaped_in_paths() {
        assert_eq!(urlencode("12/../x"), "12%2F..%2Fx");
    }
}
