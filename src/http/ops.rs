//! For load balancers and monitoring: `/healthz` (the process answers), `/readyz` (the database
//! and the image store answer too) and `/metrics` (Prometheus).

use super::ClientAddr;
use crate::{auth::token, error::AppError, state::AppState};
use axum::{
    Json, Router,
    extract::{FromRequestParts, State},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// How long a readiness check waits for each part.
const CHECK: Duration = Duration::from_secs(2);

async fn healthz() -> Response {
    ([(header::CACHE_CONTROL, "no-store")], "ok\n").into_response()
}

async fn readyz(State(s): State<AppState>) -> Response {
    let (database, storage) = tokio::join!(
        tokio::time::timeout(CHECK, s.pool.ping()),
        tokio::time::timeout(CHECK, s.engine.images.ping()),
    );
    let database_ok = matches!(database, Ok(Ok(())));
    let storage_ok = matches!(storage, Ok(Ok(())));
    if let Ok(Err(e)) = &database {
        tracing::warn!(error = %e, "readiness: the database does not answer");
    }
    if let Ok(Err(e)) = &storage {
        tracing::warn!(error = %e, "readiness: the image store does not answer");
    }
    let word = |ok: bool| if ok { "ok" } else { "unreachable" };
    let ready = database_ok && storage_ok;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "ready": ready,
            "database": word(database_ok),
            "storage": word(storage_ok),
        })),
    )
        .into_response()
}

/// Who may read the metrics: a client from `ATELIER_METRICS_FROM`, or an administrator's API key.
struct MetricsReader;

impl FromRequestParts<AppState> for MetricsReader {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, AppError> {
        if ClientAddr::of(parts)
            .ip()
            .is_some_and(|ip| s.config.metrics_from.contains(ip))
        {
            return Ok(Self);
        }
        let is_key = crate::auth::request_token(&parts.headers)
            .is_some_and(|t| t.starts_with(token::API_KEY_PREFIX));
        let user = crate::auth::authenticate(&s.pool, &s.sessions, parts)
            .await?
            .ok_or(AppError::Unauthorized)?;
        if !is_key {
            return Err(AppError::Forbidden(
                "The metrics are read with an administrator's API key.".into(),
            ));
        }
        user.require_admin()?;
        Ok(Self)
    }
}

async fn metrics(_: MetricsReader, State(s): State<AppState>) -> Result<Response, AppError> {
    let text = crate::metrics::render(&s.pool, &s.engine.metrics)
        .await
        .map_err(crate::services::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response())
}
