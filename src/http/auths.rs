//! /api/v1/auths: sign-up, sign-in, sign-out, me, the password and the sessions.

use super::ApiJson;
use crate::{
    auth::{self, CurrentUser, client::Visitor},
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
        .route("/api/v1/auths/signup", post(sign_up).get(signup_options))
        .route("/api/v1/auths/password", post(change_password))
        .route(
            "/api/v1/auths/sessions",
            get(list_sessions).delete(end_all_sessions),
        )
        .route(
            "/api/v1/auths/sessions/{id}",
            axum::routing::delete(end_session),
        )
        .route("/api/v1/auths/signin", post(sign_in))
        .route("/api/v1/auths/signout", post(sign_out))
        .route("/api/v1/auths/me", get(me))
        .route("/api/v1/auths/me/apps", get(apps).put(set_apps))
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
    #[serde(default)]
    acts_for_users: bool,
}

async fn create_key(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewKey>,
) -> Result<Response, AppError> {
    let key =
        crate::services::api_keys::create(&state.pool, &user, &body.name, body.acts_for_users)
            .await?;
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
    #[serde(default)]
    invite_code: Option<String>,
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
    visitor: Visitor,
    ApiJson(body): ApiJson<SignUp>,
) -> Result<Response, AppError> {
    let form = accounts::SignUpForm {
        name: &body.name,
        email: &body.email,
        password: &body.password,
        invite_code: body.invite_code.as_deref(),
    };
    let session = accounts::sign_up(&state.pool, &state.signup_limiter, &visitor, form).await?;
    Ok(session_answer(&state, session))
}

async fn signup_options(State(state): State<AppState>) -> Result<Response, AppError> {
    Ok(Json(accounts::signup_options(&state.pool).await?).into_response())
}

async fn sign_in(
    State(state): State<AppState>,
    visitor: Visitor,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Response, AppError> {
    let session = accounts::sign_in(
        &state.pool,
        &state.login_limiter,
        &visitor,
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

/// `{allowed}`: whether an administrator's app key (Open WebUI's) may generate for this account.
#[derive(Deserialize, serde::Serialize)]
struct Apps {
    allowed: bool,
}

async fn apps(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Apps>, AppError> {
    Ok(Json(Apps {
        allowed: accounts::allows_apps(&state.pool, &user).await?,
    }))
}

async fn set_apps(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<Apps>,
) -> Result<Json<Apps>, AppError> {
    accounts::set_allows_apps(&state.pool, &user, body.allowed).await?;
    Ok(Json(body))
}

#[derive(Deserialize)]
struct PasswordChange {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, AppError> {
    accounts::change_password(
        &state.pool,
        &state.login_limiter,
        &state.sessions,
        &user,
        &body.current_password,
        &body.new_password,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_sessions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let sessions = accounts::sessions(&state.pool, &user).await?;
    Ok(Json(serde_json::json!({ "sessions": sessions })).into_response())
}

async fn end_session(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, AppError> {
    accounts::end_session(&state.pool, &state.sessions, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every session of the account ends, the one of this request too (its cookie is cleared).
async fn end_all_sessions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    accounts::end_all_sessions(&state.pool, &state.sessions, &user).await?;
    let cookie = auth::clear_session_cookie(state.config.secure_cookies());
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}
