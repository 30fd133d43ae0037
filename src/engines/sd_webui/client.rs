//! HTTP client of a Stable Diffusion WebUI (AUTOMATIC1111 or Forge, started with `--api`). The
//! channel's secret is its `--api-auth` login, `user:password`, sent as HTTP basic auth (a
//! secret without a colon goes as a bearer token, for a box behind a proxy that wants one). One
//! long request per job, never repeated once it may have arrived: the box would draw it twice.

use super::{
    Catalog, Progress, read_answer, read_error, read_models, read_progress, read_samplers,
};
use crate::engines::{
    Drawn, Submitted, UpstreamError,
    http::{Http, check_status, protocol},
};
use base64::Engine as _;
use reqwest::header::AUTHORIZATION;
use serde_json::Value;
use std::time::Duration;

/// A large picture with many steps on a small GPU takes minutes; a box loading another
/// checkpoint first, a minute more.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(600);
/// Four pictures of 1216x832 in base64 (and what extensions add) stay well below this.
const MAX_ANSWER: usize = 96 * 1024 * 1024;
/// Progress, lists and interrupts are quick, or the box is busy beyond help.
const SHORT: Duration = Duration::from_secs(10);

/// What one request came to: the pictures, or what the box said instead.
pub type Outcome = Result<Drawn, Submitted>;

#[derive(Clone, Debug)]
pub struct Client {
    http: Http,
}

/// The `Authorization` header of a channel's secret.
fn authorization(secret: &str) -> String {
    if secret.contains(':') {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(secret)
        )
    } else {
        format!("Bearer {secret}")
    }
}

impl Client {
    pub fn new(base: &str, secret: Option<&str>) -> Self {
        let auth = secret
            .filter(|s| !s.is_empty())
            .map(|s| (AUTHORIZATION, authorization(s)));
        Self {
            http: Http::new(base, auth, REQUEST_TIMEOUT)
                .answers_up_to(MAX_ANSWER)
                .reads_server_errors(),
        }
    }

    /// The same client, its requests counted for `observer`'s channel.
    pub fn observed(mut self, observer: crate::metrics::Observer) -> Self {
        self.http = self.http.observed(observer);
        self
    }

    /// `POST /sdapi/v1/txt2img` (or `img2img` when the body has `init_images`), answered once
    /// the `n` pictures are drawn.
    pub async fn draw(&self, body: &Value, n: u8) -> Result<Outcome, UpstreamError> {
        let path = if body.get("init_images").is_some() {
            "/sdapi/v1/img2img"
        } else {
            "/sdapi/v1/txt2img"
        };
        let url = self.http.url(path);
        let (status, answer) = self
            .http
            .send(false, 2, |c| c.post(&url).json(body))
            .await?;
        if status.is_success() {
            read_answer(&answer, n).map(Ok)
        } else {
            read_error(status.as_u16(), &answer).map(Err)
        }
    }

    async fn progress_body(&self) -> Result<bytes::Bytes, UpstreamError> {
        self.get("/sdapi/v1/progress?skip_current_image=false")
            .await
    }

    /// How far the job known as `task_id` is, if it is the box's current one.
    pub async fn progress(&self, task_id: &str) -> Result<Option<Progress>, UpstreamError> {
        read_progress(&self.progress_body().await?, task_id)
    }

    /// `POST /sdapi/v1/interrupt`, when the box's current job is `task_id`'s (an interrupt
    /// stops whatever the box is drawing). True when sent.
    pub async fn interrupt(&self, task_id: &str) -> Result<bool, UpstreamError> {
        if !super::runs_task(&self.progress_body().await?, task_id) {
            return Ok(false);
        }
        let url = self.http.url("/sdapi/v1/interrupt");
        let (status, body) = self
            .http
            .send(false, 1, |c| c.post(&url).timeout(SHORT))
            .await?;
        check_status(status, &body)?;
        Ok(true)
    }

    /// A quick GET: the body of a 2xx answer.
    async fn get(&self, path: &str) -> Result<bytes::Bytes, UpstreamError> {
        let url = self.http.url(path);
        let (status, body) = self
            .http
            .send(true, 1, |c| c.get(&url).timeout(SHORT))
            .await?;
        if status.is_server_error() {
            return Err(UpstreamError::Failed(format!("HTTP {}", status.as_u16())));
        }
        check_status(status, &body)?;
        Ok(body)
    }

    /// The box's checkpoints and samplers.
    pub async fn catalog(&self) -> Result<Catalog, UpstreamError> {
        let models = read_models(&self.get("/sdapi/v1/sd-models").await?)?;
        let samplers = read_samplers(&self.get("/sdapi/v1/samplers").await?)?;
        Ok(Catalog {
            models,
            samplers,
            read_at: crate::db::now_ms(),
        })
    }

    /// `GET /sdapi/v1/sd-models`: does this server speak the API and take the login?
    pub async fn probe(&self) -> Result<(), UpstreamError> {
        let body = self.get("/sdapi/v1/sd-models").await?;
        serde_json::from_slice::<Vec<Value>>(&body)
            .map(|_| ())
            .map_err(|e| protocol(e, &body))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_login_goes_as_basic_auth_and_a_token_as_bearer() {
        assert_eq!(
            super::authorization("alice:s3cret"),
            "Basic YWxpY2U6czNjcmV0"
        );
        assert_eq!(super::authorization("tok"), "Bearer tok");
    }
}
