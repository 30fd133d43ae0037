//! /api/v1/auths: sign-up, sign-in, sign-out, me.

use super::{ApiJson, ClientAddr};
use crate::{
    auth::{self, CurrentUser},
    error::AppError,
    services::accounts::{self, NewSession},
    state::AppState,
    types::Me,
};
use axum::{
    Json, Router,
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auths/signup", post(sign_up))
        .route("/api/v1/auths/signin", post(sign_in))
        .route("/api/v1/auths/signout", post(sign_out))
        .route("/api/v1/auths/me", get(me))
        .route("/api/v1/auths/api_keys", get(list_keys).post(create_key))
        .route(
            "/api/v1/auths/api_keys/{id}",
            axum::routing::delete(revoke_key),
        )
}

#[derive(Deserialize)]
struct NewKey {
    #[serde(default)]
    name: String,
}

async fn create_key(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewKey>,
) -> Result<Response, AppError> {
    let key = crate::services::api_keys::create(&state.pool, &user, &body.name).await?;
    Ok((StatusCode::CREATED, Json(key)).into_response())
}

async fn list_keys(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let keys = crate::services::api_keys::list(&state.pool, &user).await?;
    Ok(Json(serde_json::json!({ "keys": keys })).into_response())
}

async fn revoke_key(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, AppError> {
    crate::services::api_keys::revoke(&state.pool, &state.sessions, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct SignUp {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize)]
struct SignIn {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn sign_up(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignUp>,
) -> Result<Response, AppError> {
    let session = accounts::sign_up(&state.pool, &body.name, &body.email, &body.password).await?;
    Ok(session_answer(&state, session))
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Response, AppError> {
    let session = accounts::sign_in(
        &state.pool,
        &state.login_limiter,
        &client,
        &body.email,
        &body.password,
    )
    .await?;
    Ok(session_answer(&state, session))
}

/// `{token, token_type, user}`, and the same token as the session cookie.
fn session_answer(state: &AppState, s: NewSession) -> Response {
    let cookie = auth::session_cookie(&s.token, state.config.secure_cookies());
    let body = serde_json::json!({ "token": s.token, "token_type": "Bearer", "user": s.me.user });
    ([(header::SET_COOKIE, cookie)], Json(body)).into_response()
}

async fn sign_out(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    accounts::sign_out(&state.pool, &state.sessions, &user).await?;
    let cookie = auth::clear_session_cookie(state.config.secure_cookies());
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

async fn me(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Me>, AppError> {
    Ok(Json(accounts::me(&state.pool, &user).await?))
}
