//! Engines: one adapter per kind of generator, each the only code that knows its wire format.
//! Everything else speaks the neutral types here: a [`Job`] to submit, what the upstream said of
//! it ([`Submitted`]), and news of a running job ([`RemoteUpdate`]).

pub mod http;
pub mod midjourney;
pub mod openai;
pub mod sd_webui;

use crate::{
    db::tasks::TaskRow,
    types::{Button, EngineKind},
};

/// A channel's client, of its engine's protocol.
#[derive(Clone, Debug)]
pub enum Client {
    Midjourney(midjourney::Upstream),
    Openai(openai::Client),
    SdWebui(sd_webui::Client),
}

impl Client {
    /// A client of `base` for `kind`.
    pub fn new(kind: EngineKind, base: &str, secret: Option<&str>) -> Self {
        match kind {
            EngineKind::Openai => Self::Openai(openai::Client::new(base, secret)),
            EngineKind::SdWebui => Self::SdWebui(sd_webui::Client::new(base, secret)),
            EngineKind::Midjourney => Self::Midjourney(midjourney::Upstream::new(base, secret)),
        }
    }

    /// The same client, its requests counted for `observer`'s channel.
    pub fn observed(self, observer: crate::metrics::Observer) -> Self {
        match self {
            Self::Midjourney(c) => Self::Midjourney(c.observed(observer)),
            Self::Openai(c) => Self::Openai(c.observed(observer)),
            Self::SdWebui(c) => Self::SdWebui(c.observed(observer)),
        }
    }

    /// The adapter's cheapest harmless call: does the server speak the protocol and take the
    /// secret?
    pub async fn probe(&self) -> Result<(), UpstreamError> {
        match self {
            Self::Midjourney(c) => c.probe().await,
            Self::Openai(c) => c.probe().await,
            Self::SdWebui(c) => c.probe().await,
        }
    }

    /// Cancels a task's job at the upstream where the protocol can (midjourney: trueai's cancel
    /// of its `upstream_id`; Stable Diffusion: an interrupt, when the box is drawing this task's
    /// attempt). Ok(false) when it cannot; an OpenAI request is simply dropped.
    pub async fn cancel(&self, task: &TaskRow) -> Result<bool, UpstreamError> {
        match (self, task.upstream_id.as_deref(), task.attempt.as_deref()) {
            (Self::Midjourney(c), Some(id), _) => c.cancel(id).await,
            (Self::SdWebui(c), _, Some(attempt)) => c.interrupt(attempt).await,
            _ => Ok(false),
        }
    }

    /// The midjourney client, for what only that protocol has (polls, modal steps).
    pub fn midjourney(&self) -> Option<&midjourney::Upstream> {
        match self {
            Self::Midjourney(c) => Some(c),
            Self::Openai(_) | Self::SdWebui(_) => None,
        }
    }
}

/// One try at sending a task to a channel.
pub struct Job<'a> {
    pub task: &'a TaskRow,
    /// The upstream id of the task it follows up (a button of that one).
    pub parent_upstream_id: Option<&'a str>,
    /// The attempt's id: sent along where the protocol carries one (midjourney's `state`), so
    /// that the job can be recognised at the upstream.
    pub attempt: &'a str,
    /// Where the upstream may push news of the job.
    pub notify_hook: Option<&'a str>,
    /// The images the task was given, read from the store: (role, bytes), in order.
    pub inputs: &'a [(String, bytes::Bytes)],
}

/// What the upstream answered a submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Taken (running, or queued at the upstream) as this id.
    Accepted { upstream_id: String },
    /// The upstream answered with a job it already has (midjourney's code 21): the same picture
    /// made before, or a step that waits for a confirmation (its status says which).
    Existing { upstream_id: String },
    /// Not taken now; trying later may work (the upstream's queue is full, a passing fault).
    Later { reason: String },
    /// Refused for good (a banned word, bad input): the task fails.
    Rejected { reason: String },
}

/// Where a job is, in Atelier's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Accepted, not started.
    Waiting,
    Running,
    /// Waits for a confirmation or for the user's input (midjourney's MODAL).
    Modal,
    Success,
    Failure,
}

/// One output picture as an upstream gives it: a URL to download at once, or its bytes in
/// base64 (the OpenAI Images API, Stable Diffusion WebUI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picture {
    Url(String),
    Base64(String),
}

/// What a synchronous engine's request came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawn {
    pub pictures: Vec<Picture>,
    /// Text output (the prompt as the model rewrote it).
    pub text: Option<String>,
}

/// News of a job, whatever the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUpdate {
    pub upstream_id: String,
    pub phase: Phase,
    /// 0-100, where the upstream says.
    pub progress: Option<u8>,
    /// A preview while running.
    pub preview_url: Option<String>,
    /// Every output image, in order, once succeeded.
    pub image_urls: Vec<String>,
    pub buttons: Vec<Button>,
    /// Text output (describe's prompts, a revised prompt).
    pub text: Option<String>,
    pub fail_reason: Option<String>,
}

impl RemoteUpdate {
    /// Progress for a live task: what the upstream says, below 100 until it has succeeded.
    pub fn live_progress(&self) -> i64 {
        i64::from(self.progress.unwrap_or(0).min(99))
    }
}

/// Why a call to a channel failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum UpstreamError {
    #[error("the upstream refused the secret (HTTP 401)")]
    Unauthorized,
    /// The request provably never reached the server (DNS, refused connection, connect timeout).
    #[error("cannot reach the upstream: {0}")]
    Unreachable(String),
    /// It may have reached the server: a timeout while waiting, a reset, a 5xx.
    #[error("the upstream failed: {0}")]
    Failed(String),
    /// It answered, but not as the protocol says.
    #[error("unexpected answer from the upstream: {0}")]
    Protocol(String),
    /// The upstream has no account free to run the job (midjourney's code 3 on a new job).
    #[error("the upstream has no account available: {0}")]
    NoAccount(String),
}

impl UpstreamError {
    /// A fault of the channel rather than of one task: it counts towards the channel's health,
    /// and the task may go to another channel.
    pub fn is_channel_fault(&self) -> bool {
        !matches!(self, Self::Protocol(_))
    }
}
