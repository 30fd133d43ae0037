//! /api/v1/engines: what users can pick and what it costs; the admin's switches and prices
//! (rest-api.md, "Engines and channels").

use super::ApiJson;
use crate::{
    auth::CurrentUser,
    error::AppError,
    services::engines::{self, EnginePatch},
    state::AppState,
    types::EngineKind,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    response::{IntoResponse, Response},
    routing::{get, patch},
};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/engines", get(list))
        .route("/api/v1/engines/{kind}", patch(update))
}

async fn list(State(s): State<AppState>, _user: CurrentUser) -> Result<Response, AppError> {
    let offers = engines::offers(&s.engine).await?;
    Ok(Json(json!({ "engines": offers })).into_response())
}

async fn update(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    ApiJson(patch): ApiJson<EnginePatch>,
) -> Result<Response, AppError> {
    user.require_admin()?;
    let kind = EngineKind::parse(&kind).ok_or(AppError::NotFound)?;
    let offer = engines::update(&s.engine, &user, kind, patch).await?;
    Ok(Json(json!({ "engine": offer })).into_response())
}
