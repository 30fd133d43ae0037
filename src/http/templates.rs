//! /api/v1/templates: prompt templates, a user's own and the shared ones.

use super::ApiJson;
use crate::{
    auth::CurrentUser,
    error::{AppError, Rule},
    services::{
        generation::NewJob,
        templates::{self, NewTemplate},
    },
    state::AppState,
    types::TemplateView,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use serde_json::Value;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/templates", get(list).post(create))
        .route(
            "/api/v1/templates/{id}",
            axum::routing::patch(update).delete(remove),
        )
}

#[derive(serde::Serialize)]
struct TemplateAnswer {
    template: TemplateView,
}

async fn list(State(s): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let templates = templates::list(&s.engine, &user).await?;
    Ok(Json(serde_json::json!({ "templates": templates })).into_response())
}

/// A template's fields as the API takes them; in a PATCH, each one absent stays as it was.
#[derive(Deserialize, Default)]
struct Body {
    name: Option<String>,
    prompt: Option<String>,
    engine: Option<String>,
    mode: Option<String>,
    model: Option<String>,
    /// A submit's other fields: size, quality, n, negative_prompt, seed, steps, cfg_scale,
    /// sampler, denoising_strength, dimensions, sw, cw.
    params: Option<Value>,
    shared: Option<bool>,
}

/// The submit fields of `params` (an object of them).
fn job_of(params: Option<Value>) -> Result<NewJob, AppError> {
    match params {
        None | Some(Value::Null) => Ok(NewJob::default()),
        Some(v @ Value::Object(_)) => serde_json::from_value(v).map_err(|e| {
            AppError::invalid("params", Rule::Other(format!("Not a submit's fields: {e}")))
        }),
        Some(_) => Err(AppError::invalid(
            "params",
            Rule::Other("An object of a submit's fields.".into()),
        )),
    }
}

async fn create(
    State(s): State<AppState>,
    user: CurrentUser,
    ApiJson(b): ApiJson<Body>,
) -> Result<Response, AppError> {
    let job = NewJob {
        prompt: b.prompt.unwrap_or_default(),
        engine: b.engine,
        mode: b.mode,
        model: b.model,
        ..job_of(b.params)?
    };
    let t = NewTemplate {
        name: b.name.unwrap_or_default(),
        shared: b.shared.unwrap_or(false),
        job,
    };
    let template = templates::create(&s.engine, &user, &t).await?;
    Ok((StatusCode::CREATED, Json(TemplateAnswer { template })).into_response())
}

async fn update(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<Body>,
) -> Result<Response, AppError> {
    let params = b.params.map(|p| job_of(Some(p))).transpose()?;
    let template = templates::update(&s.engine, &user, &id, |current| {
        let base = templates::job_of(current, current.prompt.clone());
        let params = params.unwrap_or_else(|| base.clone());
        NewTemplate {
            name: b.name.unwrap_or_else(|| current.name.clone()),
            shared: b.shared.unwrap_or(current.shared),
            job: NewJob {
                prompt: b.prompt.unwrap_or(base.prompt),
                engine: b.engine.or(base.engine),
                mode: b.mode.or(base.mode),
                model: b.model.or(base.model),
                ..params
            },
        }
    })
    .await?;
    Ok(Json(TemplateAnswer { template }).into_response())
}

async fn remove(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    templates::delete(&s.engine, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
