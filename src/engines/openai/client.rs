//! HTTP client of the OpenAI Images API (OpenAI itself, or a relay that speaks it): the key as
//! `Authorization: Bearer`, one long request per job, never repeated once it may have arrived
//! (a second try would draw, and bill, twice).

use super::{Edit, Generation, read_answer, read_error};
use crate::engines::{
    Drawn, Submitted, UpstreamError,
    http::{Http, check_status, protocol},
};
use reqwest::header::AUTHORIZATION;
use std::time::Duration;

/// gpt-image-1 at high quality takes up to two minutes for one picture.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);
/// Four pictures of 1536x1024 in base64 are about 20 MB.
const MAX_ANSWER: usize = 64 * 1024 * 1024;

/// What one request came to: the pictures, or what the upstream said instead.
pub type Outcome = Result<Drawn, Submitted>;

#[derive(Clone, Debug)]
pub struct Client {
    http: Http,
}

impl Client {
    pub fn new(base: &str, secret: Option<&str>) -> Self {
        let auth = secret.map(|s| (AUTHORIZATION, format!("Bearer {s}")));
        Self {
            http: Http::new(base, auth, REQUEST_TIMEOUT).answers_up_to(MAX_ANSWER),
        }
    }

    /// The same client, its requests counted for `observer`'s channel.
    pub fn observed(mut self, observer: crate::metrics::Observer) -> Self {
        self.http = self.http.observed(observer);
        self
    }

    /// `POST /images/generations`.
    pub async fn generate(&self, g: &Generation) -> Result<Outcome, UpstreamError> {
        let url = self.http.url("/images/generations");
        let (status, body) = self.http.send(false, 2, |c| c.post(&url).json(g)).await?;
        outcome(status, &body)
    }

    /// `POST /images/edits`: the picture (and the mask, whose transparent pixels are the part to
    /// repaint) as multipart PNG files.
    pub async fn edit(&self, e: &Edit) -> Result<Outcome, UpstreamError> {
        let url = self.http.url("/images/edits");
        let (status, body) = self
            .http
            .send(false, 2, |c| c.post(&url).multipart(e.form()))
            .await?;
        outcome(status, &body)
    }

    /// `GET /models`, no retries, at most 10 s: does this server speak the API and take the key?
    pub async fn probe(&self) -> Result<(), UpstreamError> {
        let url = self.http.url("/models");
        let (status, body) = self
            .http
            .send(false, 1, |c| c.get(&url).timeout(Duration::from_secs(10)))
            .await?;
        check_status(status, &body)?;
        serde_json::from_slice::<serde_json::Value>(&body)
            .map_err(|e| protocol(e, &body))?
            .get("data")
            .filter(|d| d.is_array())
            .map(|_| ())
            .ok_or_else(|| UpstreamError::Protocol("no model list in the answer".into()))
    }
}

fn outcome(status: reqwest::StatusCode, body: &[u8]) -> Result<Outcome, UpstreamError> {
    if status.is_success() {
        read_answer(body).map(Ok)
    } else {
        read_error(status.as_u16(), body).map(Err)
    }
}
