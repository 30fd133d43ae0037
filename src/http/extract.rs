//! Extractors: JSON bodies that fail in the API's own error format, and the signed-in user.

use crate::{auth::CurrentUser, error::AppError, state::AppState};
use axum::{
    extract::{
        FromRequest, FromRequestParts, OptionalFromRequestParts, Request, rejection::JsonRejection,
    },
    http::request::Parts,
};

/// `Json<T>` whose rejection is a 400 `bad_request` in the API's format.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        crate::auth::authenticate(&state.pool, &state.sessions, parts)
            .await?
            .ok_or(AppError::Unauthorized)
    }
}

/// `Option<CurrentUser>`: None for a visitor who is not signed in (a bad API key is still 401).
impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        crate::auth::authenticate(&state.pool, &state.sessions, parts).await
    }
}
