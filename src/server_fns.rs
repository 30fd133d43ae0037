//! Leptos server functions: the only API the pages use. Each is a few lines over a service.

pub mod admin;
pub mod auth;
pub mod library;
pub mod sharing;
pub mod tasks;
pub mod templates;
pub mod uploads;

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    //! What a server function needs from the request it serves.
    use crate::{auth::CurrentUser, error::AppError, state::AppState};
    use axum::http::request::Parts;
    use leptos::prelude::*;

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| crate::services::internal("AppState missing"))
    }

    pub fn parts() -> Result<Parts, AppError> {
        use_context::<Parts>().ok_or_else(|| crate::services::internal("request parts missing"))
    }

    /// The signed-in account: the one a route already authenticated (the upload's, see
    /// `startup::router`), else read from the request's token.
    pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
        // Only what is needed is taken from the request (not a copy of its headers).
        let (known, credentials) = with_context::<Parts, _>(|parts| {
            (
                parts.extensions.get::<CurrentUser>().cloned(),
                crate::auth::Credentials::of(parts),
            )
        })
        .ok_or_else(|| crate::services::internal("request parts missing"))?;
        if known.is_some() {
            return Ok(known);
        }
        let Some(credentials) = credentials else {
            return Ok(None);
        };
        let state = state()?;
        crate::auth::authenticate_as(&state.pool, &state.sessions, credentials).await
    }

    /// The signed-in account, or 401.
    pub async fn require_user() -> Result<CurrentUser, AppError> {
        current_user().await?.ok_or(AppError::Unauthorized)
    }

    /// Sets the session cookie and sends the browser to the Generate page.
    pub fn start_session(state: &AppState, token: &str) {
        set_cookie(crate::auth::session_cookie(
            token,
            state.config.secure_cookies(),
        ));
        leptos_axum::redirect("/");
    }

    pub fn set_cookie(value: String) {
        if let (Some(res), Ok(v)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::HeaderValue::from_str(&value),
        ) {
            res.append_header(axum::http::header::SET_COOKIE, v);
        }
    }
}
