//! /api/v1/credits and the admin's /api/v1/users.

use super::{ApiJson, query};
use crate::{auth::CurrentUser, error::AppError, services::credits, state::AppState};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/credits", get(ledger))
        .route("/api/v1/users", get(users))
        .route("/api/v1/users/{id}/credits", post(grant))
        .route("/api/v1/users/{id}/role", post(role))
}

async fn ledger(
    State(s): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let limit = query::limit(&q)?;
    let cursor = q
        .get("cursor")
        .map(String::as_str)
        .filter(|c| !c.is_empty());
    let (balance, entries, next) = credits::entries(&s.pool, &user.id, limit, cursor).await?;
    Ok(
        Json(json!({ "balance": balance, "entries": entries, "next_cursor": next }))
            .into_response(),
    )
}

async fn users(State(s): State<AppState>, admin: CurrentUser) -> Result<Response, AppError> {
    let users = crate::services::admin::users(&s.pool, &admin).await?;
    Ok(Json(json!({ "users": users })).into_response())
}

#[derive(Deserialize)]
struct Grant {
    delta: i64,
    #[serde(default)]
    reason: String,
}

async fn grant(
    State(s): State<AppState>,
    admin: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Grant>,
) -> Result<Response, AppError> {
    let balance = credits::grant(&s.pool, &admin, &id, body.delta, &body.reason).await?;
    Ok(Json(json!({ "balance": balance })).into_response())
}

#[derive(Deserialize)]
struct SetRole {
    #[serde(default)]
    role: String,
}

async fn role(
    State(s): State<AppState>,
    admin: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SetRole>,
) -> Result<Response, AppError> {
    let user = credits::set_role(&s.pool, &s.sessions, &admin, &id, &body.role).await?;
    Ok(Json(json!({ "user": user })).into_response())
}
