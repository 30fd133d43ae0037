//! The only code that knows the midjourney-proxy wire format (see shared/design/midjourney-proxy.md).

pub mod client;
pub mod wire;

pub use client::{SubmitOutcome, Upstream, UpstreamError};
