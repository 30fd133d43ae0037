//! HTTP client of a midjourney-proxy: timeouts everywhere, retries only where repeating is safe.

use super::wire::{self, SubmitResult, Task};
use crate::engines::{
    UpstreamError,
    http::{ATTEMPTS, Http, check_status, protocol, segment},
};
use reqwest::{StatusCode, header::HeaderName};
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

#[derive(Clone, Debug)]
pub struct Upstream {
    http: Http,
}

impl Upstream {
    pub fn new(base: &str, secret: Option<&str>) -> Self {
        let auth = secret.map(|s| (HeaderName::from_static("mj-api-secret"), s.to_owned()));
        Self {
            http: Http::new(base, auth, Duration::from_secs(30)),
        }
    }

    /// The same client, its requests counted for `observer`'s channel.
    pub fn observed(mut self, observer: crate::metrics::Observer) -> Self {
        self.http = self.http.observed(observer);
        self
    }

    pub fn base(&self) -> &str {
        self.http.base()
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

    pub async fn shorten(
        &self,
        req: &wire::ShortenRequest<'_>,
    ) -> Result<SubmitOutcome, UpstreamError> {
        self.submit("/mj/submit/shorten", req).await
    }

    /// Puts pictures (data URLs) where MidJourney reads them, for `--sref` and `--cref`: their
    /// URLs, one per picture, or the words of a proxy that cannot (the original has no such
    /// endpoint and answers 404).
    pub async fn upload_images(
        &self,
        images: &[String],
    ) -> Result<Result<Vec<String>, String>, UpstreamError> {
        let url = self.http.url("/mj/submit/upload-discord-images");
        let req = wire::UploadRequest {
            base64_array: images,
        };
        let (status, body) = self
            .http
            .send(false, ATTEMPTS, |c| c.post(&url).json(&req))
            .await?;
        if matches!(
            status,
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED
        ) {
            return Ok(Err(
                "This proxy cannot take style or character references (it has no upload-discord-images)."
                    .into(),
            ));
        }
        check_status(status, &body)?;
        let r: wire::UploadResult =
            serde_json::from_slice(&body).map_err(|e| protocol(e, &body))?;
        let urls: Vec<String> = match &r.result {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str())
                .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                .map(str::to_owned)
                .collect(),
            Some(serde_json::Value::String(u)) => vec![u.clone()],
            _ => Vec::new(),
        };
        if r.code == 1 && urls.len() == images.len() {
            Ok(Ok(urls))
        } else if matches!(r.code, 1 | 4) {
            Ok(Err(r
                .description
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| {
                    "The proxy did not take the reference images.".into()
                })))
        } else {
            Err(UpstreamError::Failed(format!(
                "upload-discord-images answered code {}: {}",
                r.code,
                r.description.unwrap_or_default()
            )))
        }
    }

    /// One task, or None when the upstream does not know it (200 with an empty body, 204 or 404).
    pub async fn fetch(&self, id: &str) -> Result<Option<Task>, UpstreamError> {
        let url = self.http.url(&format!("/mj/task/{}/fetch", segment(id)));
        let (status, body) = self.http.send(true, ATTEMPTS, |c| c.get(&url)).await?;
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
        let url = self.http.url("/mj/task/list-by-condition");
        let (status, bytes) = self
            .http
            .send(true, ATTEMPTS, |c| c.post(&url).json(&body))
            .await?;
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
        let url = self.http.url("/mj/task/list-by-condition");
        let empty = wire::ListRequest { ids: Vec::new() };
        let (status, body) = self
            .http
            .send(false, 1, |c| {
                c.post(&url).json(&empty).timeout(Duration::from_secs(10))
            })
            .await?;
        check_status(status, &body)?;
        serde_json::from_slice::<Vec<serde_json::Value>>(&body)
            .map(|_| ())
            .map_err(|e| protocol(e, &body))
    }

    /// Cancels a task where the server supports it (trueai). Ok(false) when it does not.
    pub async fn cancel(&self, id: &str) -> Result<bool, UpstreamError> {
        let url = self.http.url(&format!("/mj/task/{}/cancel", segment(id)));
        let (status, body) = self.http.send(false, ATTEMPTS, |c| c.post(&url)).await?;
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
        let url = self.http.url(path);
        let (status, body) = self
            .http
            .send(false, ATTEMPTS, |c| c.post(&url).json(req))
            .await?;
        check_status(status, &body)?;
        let r: SubmitResult = serde_json::from_slice(&body).map_err(|e| protocol(e, &body))?;
        Ok(classify(r))
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
}
