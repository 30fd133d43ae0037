//! The built-in simulators: a midjourney-proxy, the OpenAI Images API (under `/openai/v1`) and a
//! Stable Diffusion WebUI (under `/sd`) on one address, each with the same HTTP protocol as the real thing (the client cannot tell),
//! drawing real PNG images, so Atelier works out of the box.
//!
//! Midjourney:
//! At most `concurrency` jobs run at once; up to ten more wait (code 22), beyond that the queue is
//! full (code 23). A job moves SUBMITTED -> IN_PROGRESS (10%, 20%, ... with a blurred preview) ->
//! SUCCESS in ten steps of `step` (default 1 s, `ATELIER_SIM_STEP_MS`).

pub mod draw;
mod openai;
mod protocol;
pub mod sd_webui;

pub use protocol::{Sim, SimConfig};

use std::{net::SocketAddr, sync::Arc};
use tokio::net::TcpListener;

/// Where each engine's protocol is served on the simulator's address (midjourney's paths are
/// the proxy's own, at the root).
pub fn base_path(kind: crate::types::EngineKind) -> &'static str {
    match kind {
        crate::types::EngineKind::Midjourney => "",
        crate::types::EngineKind::Openai => "/openai/v1",
        crate::types::EngineKind::SdWebui => "/sd",
    }
}

/// A running simulator.
pub struct Running {
    pub addr: SocketAddr,
    pub sim: Arc<Sim>,
}

impl Running {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Binds `addr` and serves the simulator in the background (ticking its jobs) until the process
/// ends.
pub async fn spawn(addr: SocketAddr, config: SimConfig) -> std::io::Result<Running> {
    spawn_engines(addr, config, None).await
}

/// As [`spawn`], with only `engine`'s protocol when given, at the root as its clients expect it
/// (a midjourney-proxy's paths, OpenAI's `/v1`, WebUI's `/sdapi/v1`).
pub async fn spawn_engines(
    addr: SocketAddr,
    config: SimConfig,
    engine: Option<crate::types::EngineKind>,
) -> std::io::Result<Running> {
    use crate::types::EngineKind;
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let sim = Sim::new(config, format!("http://{addr}"));
    let router = match engine {
        None => protocol::router(sim.clone())
            .merge(openai::router(sim.clone(), base_path(EngineKind::Openai)))
            .merge(sd_webui::router(
                sim.clone(),
                base_path(EngineKind::SdWebui),
            )),
        Some(EngineKind::Midjourney) => protocol::router(sim.clone()),
        Some(EngineKind::Openai) => openai::router(sim.clone(), "/v1"),
        Some(EngineKind::SdWebui) => sd_webui::router(sim.clone(), ""),
    };
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "simulator stopped");
        }
    });
    tokio::spawn(protocol::tick_forever(sim.clone()));
    Ok(Running { addr, sim })
}
