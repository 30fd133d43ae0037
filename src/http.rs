//! The public JSON API of rest-api.md: per-resource routers, the error format and extractors.

mod auths;
mod credits;
pub mod csrf;
pub mod error;
mod extract;
mod lang;
mod midjourney;
mod query;

use crate::startup::AppState;
use axum::Router;

pub use extract::{ApiJson, ClientAddr};

pub fn router() -> Router<AppState> {
    Router::new()
        .nest("/api/v1/auths", auths::router())
        .nest("/api/v1/midjourney", midjourney::router())
        .nest("/api/v1", credits::router())
        .route("/lang", axum::routing::post(lang::set_lang))
        .route("/api/v1", axum::routing::any(error::not_found))
        .route("/api/v1/{*rest}", axum::routing::any(error::not_found))
}
