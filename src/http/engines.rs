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
    let offers: Vec<serde_json::Value> = engines::offers(&s.engine)
        .await?
        .iter()
        .map(offer_json)
        .collect();
    Ok(Json(json!({ "engines": offers })).into_response())
}

/// An offer as rest-api.md writes it: `modes`, `models` and `action_cost` only where the engine
/// has them.
fn offer_json(offer: &crate::types::EngineOffer) -> serde_json::Value {
    let mut v = serde_json::to_value(offer).unwrap_or_default();
    if let Some(map) = v.as_object_mut() {
        map.retain(|_, field| !field.is_null());
    }
    v
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
    Ok(Json(json!({ "engine": offer_json(&offer) })).into_response())
}
