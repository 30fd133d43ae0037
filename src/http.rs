//! The public JSON API of rest-api.md: per-resource routers, the error format and extractors.

mod auths;
mod channels;
mod credits;
pub mod csp;
pub mod csrf;
mod engines;
pub mod error;
mod extract;
mod invites;
mod lang;
mod library;
mod midjourney;
mod openai_compat;
pub mod openapi;
mod ops;
pub mod packed;
mod query;
mod sharing;
pub use sharing::sample;
mod tasks;
mod templates;
mod uploads;

use crate::state::AppState;
use axum::Router;

pub use crate::auth::client::ClientAddr;
pub use extract::ApiJson;

/// The JSON API and the language switch. Routes carry their full paths (merged, not nested):
/// a nested router rewrites every request's URI on the way in.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(auths::router())
        .merge(midjourney::router())
        .merge(tasks::router())
        .merge(library::router())
        .merge(sharing::router())
        .merge(templates::router())
        .merge(channels::router())
        .merge(engines::router())
        .merge(uploads::router())
        .merge(openai_compat::router())
        .merge(credits::router())
        .merge(invites::router())
        .merge(ops::router())
        .merge(openapi::router())
        .route("/lang", axum::routing::post(lang::set_lang))
        .route("/api/v1", axum::routing::any(error::not_found))
        .route("/api/v1/{*rest}", axum::routing::any(error::not_found))
}

/// Where links point: the public URL when one is configured, else the host the request came to.
pub(crate) fn link_base(s: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(u) = &s.config.public_url {
        return u.clone();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}
