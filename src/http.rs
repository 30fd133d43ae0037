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
mod query;
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
