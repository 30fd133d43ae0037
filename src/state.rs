//! The shared state of every request handler and server function: one value, no UI.

use crate::db::Pool;
use crate::{auth::rate_limit::RateLimiter, config::Config, engine::Engine};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// Everything a request handler or server function may need: one shared value, so that handing
/// it to each request costs one reference count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    /// Where the built WASM/JS/CSS live and how the HTML shell refers to them.
    pub leptos_options: LeptosOptions,
    /// The one connection pool to atelier.db.
    pub pool: Pool,
    /// Start-up configuration.
    pub config: Arc<Config>,
    /// Log-in attempts per client and per email.
    pub login_limiter: Arc<RateLimiter>,
    /// Sign-ups per client address (the limit is a setting; the window an hour).
    pub signup_limiter: Arc<RateLimiter>,
    /// Who recent tokens belong to.
    pub sessions: crate::auth::SessionCache,
    /// Tasks, images and the upstream.
    pub engine: Arc<Engine>,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
