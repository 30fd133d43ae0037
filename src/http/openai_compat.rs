//! `/v1`: Atelier as an OpenAI Images backend (rest-api.md, "For other applications"), so that
//! Open WebUI, LibreChat and the OpenAI SDKs generate with a user's Atelier API key and credits.
//! Every model the admin enabled is offered (`midjourney-relax`, `gpt-image-1`, ...); a request
//! waits for its task to finish and answers in OpenAI's shapes, errors in OpenAI's form.
//!
//! A MidJourney task takes about a minute: when the answer is not ready after
//! [`QUIET_WAIT`], the 200 and its headers go out and a space follows every
//! [`HEARTBEAT`] until the JSON (which parsers read past leading whitespace), so that no proxy
//! or client closes an idle connection. A task that fails after that point answers its error
//! object with that 200: by then the status line has left.

use super::uploads::{MAX_MULTIPART_BYTES, file_part, unreadable};
use crate::{
    auth::CurrentUser,
    db::tasks::TaskRow,
    engine::Engine,
    error::AppError,
    services::{
        generation::{self, NewJob},
        uploads,
    },
    state::AppState,
    types::{EngineKind, Mode, TaskStatus},
};
use axum::{
    Json, Router,
    body::Body,
    extract::{DefaultBodyLimit, Multipart, Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{any, get, post},
};
use serde_json::{Value, json};
use std::time::Duration;

/// How long an answer is awaited before the heartbeat starts.
const QUIET_WAIT: Duration = Duration::from_secs(20);
const HEARTBEAT: Duration = Duration::from_secs(10);
/// How long a `url` answer's link works.
const LINK_SECS: i64 = 3600;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/models", get(models))
        .route("/v1/images/generations", post(generations))
        .route(
            "/v1/images/edits",
            post(edits).layer(DefaultBodyLimit::max(MAX_MULTIPART_BYTES)),
        )
        .route("/v1/files/{task}/{n}/{part}", get(file))
        .route("/v1", any(unknown))
        .route("/v1/{*rest}", any(unknown))
}

/// An error in OpenAI's form: `{"error": {"message", "type", "param", "code"}}`.
pub struct Failure {
    status: StatusCode,
    message: String,
    kind: &'static str,
    param: Option<String>,
    code: &'static str,
}

impl Failure {
    fn new(
        status: StatusCode,
        message: impl Into<String>,
        kind: &'static str,
        code: &'static str,
    ) -> Self {
        Self {
            status,
            message: message.into(),
            kind,
            param: None,
            code,
        }
    }

    fn body(&self) -> Value {
        json!({"error": {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}})
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        let message = e.to_string();
        let (status, kind, code) = match &e {
            AppError::Unauthorized | AppError::InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "invalid_request_error",
                "invalid_api_key",
            ),
            AppError::Validation { .. } | AppError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                "invalid_value",
            ),
            AppError::InsufficientCredits { need, have } => {
                return Self::new(
                    StatusCode::PAYMENT_REQUIRED,
                    format!("Not enough credits: this costs {need} credits and you have {have}."),
                    "insufficient_credits",
                    "insufficient_credits",
                );
            }
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "permission_error", "forbidden"),
            AppError::NotFound => (StatusCode::NOT_FOUND, "invalid_request_error", "not_found"),
            AppError::TooManyTasks { .. } | AppError::RateLimited | AppError::Busy => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_error",
                "rate_limit_exceeded",
            ),
            AppError::Disabled => (
                StatusCode::SERVICE_UNAVAILABLE,
                "server_error",
                "generation_disabled",
            ),
            _ => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "server_error",
            ),
        };
        let mut f = Self::new(status, message, kind, code);
        f.param = e.field().map(str::to_owned);
        f
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

async fn unknown() -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "Atelier offers /v1/models, /v1/images/generations and /v1/images/edits.",
        "invalid_request_error",
        "unknown_url",
    )
}

/// Open WebUI's forwarded user (with `ENABLE_FORWARD_USER_INFO_HEADERS`).
const FORWARDED_EMAIL: &str = "x-openwebui-user-email";

/// The caller: an Atelier API key's owner (a session token is not a key), or, for an admin's
/// key that acts for other users, the Atelier user Open WebUI forwards by email.
async fn caller(
    s: &AppState,
    headers: &HeaderMap,
    user: Result<CurrentUser, AppError>,
) -> Result<CurrentUser, Failure> {
    let user = key_owner(user)?;
    let Some(email) = headers
        .get(FORWARDED_EMAIL)
        .and_then(|v| v.to_str().ok())
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
    else {
        return Ok(user);
    };
    let pool = &s.engine.pool;
    let acts = user.is_admin()
        && crate::db::api_keys::acts_for_users(pool, &user.token_hash)
            .await
            .map_err(|e| Failure::from(crate::services::internal(e)))?;
    if !acts {
        return Ok(user);
    }
    let row = crate::db::users::find_by_email(pool, &email)
        .await
        .map_err(|e| Failure::from(crate::services::internal(e)))?
        .filter(|r| r.role != crate::types::Role::Pending);
    if let Some(row) = row.as_ref().filter(|r| r.id != user.id) {
        // Never an administrator; a user only once they allowed it on their account page.
        let allowed = row.role != crate::types::Role::Admin
            && crate::db::users::allows_apps(pool, &row.id)
                .await
                .map_err(|e| Failure::from(crate::services::internal(e)))?;
        if !allowed {
            tracing::warn!(key_owner = %user.id, user_id = %row.id, "a key may not act for this account");
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                format!(
                    "The Atelier account {email} does not let apps generate for it: its owner can allow it on the Account page of Atelier (administrators' accounts never)."
                ),
                "permission_error",
                "not_allowed",
            ));
        }
    }
    let Some(row) = row else {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            format!(
                "No Atelier account has the email {email}: sign up at Atelier with it first (this key acts for Open WebUI's users)."
            ),
            "permission_error",
            "unknown_user",
        ));
    };
    tracing::info!(key_owner = %user.id, user_id = %row.id, "a key acts for a user");
    Ok(CurrentUser {
        id: row.id,
        name: row.name,
        email: row.email,
        role: row.role,
        token_hash: user.token_hash,
        by_key: true,
    })
}

fn key_owner(user: Result<CurrentUser, AppError>) -> Result<CurrentUser, Failure> {
    match user {
        Ok(u) if u.by_key => Ok(u),
        Ok(_) | Err(AppError::Unauthorized) => Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            "Incorrect API key provided: use an Atelier API key (Account, API keys) as the bearer token.",
            "invalid_request_error",
            "invalid_api_key",
        )),
        Err(e) => Err(e.into()),
    }
}

/// What a model id means.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Midjourney(Mode),
    Openai(String),
    /// A Stable Diffusion checkpoint, by its title.
    SdWebui(String),
}

const MIDJOURNEY_PREFIX: &str = "midjourney-";
/// A Stable Diffusion checkpoint's id here: `sd-` and its short name (`sd-dreamshaper_8`).
const SD_PREFIX: &str = "sd-";

/// Every model the admin offers now, in order, by its id here.
async fn offered(engine: &Engine) -> Result<Vec<(String, Target)>, AppError> {
    let mut ids = Vec::new();
    for offer in crate::services::engines::offers(engine).await? {
        if !offer.enabled {
            continue;
        }
        for m in offer.modes.iter().flatten().filter(|m| m.enabled) {
            ids.push((
                format!("{MIDJOURNEY_PREFIX}{}", m.mode.as_str()),
                Target::Midjourney(m.mode),
            ));
        }
        for m in offer.models.iter().flatten().filter(|m| m.enabled) {
            ids.push(match offer.kind {
                EngineKind::SdWebui => (
                    format!("{SD_PREFIX}{}", m.label),
                    Target::SdWebui(m.model.clone()),
                ),
                _ => (m.model.clone(), Target::Openai(m.model.clone())),
            });
        }
    }
    Ok(ids)
}

async fn models(
    State(s): State<AppState>,
    user: Result<CurrentUser, AppError>,
) -> Result<Response, Failure> {
    key_owner(user)?;
    let data: Vec<Value> = offered(&s.engine)
        .await?
        .into_iter()
        .map(|(id, _)| json!({"id": id, "object": "model", "created": 0, "owned_by": "atelier"}))
        .collect();
    Ok(Json(json!({"object": "list", "data": data})).into_response())
}

/// `POST /v1/images/generations`: the fields OpenAI's API takes; others (`user`, `style`, ...)
/// are ignored, as OpenAI ignores what a model does not use.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Generation {
    pub model: Option<String>,
    #[serde(default)]
    pub prompt: String,
    pub n: Option<i64>,
    pub size: Option<String>,
    pub quality: Option<String>,
    pub response_format: Option<String>,
}

async fn generations(
    State(s): State<AppState>,
    headers: HeaderMap,
    user: Result<CurrentUser, AppError>,
    body: axum::body::Bytes,
) -> Result<Response, Failure> {
    let user = caller(&s, &headers, user).await?;
    let ask: Generation = serde_json::from_slice(&body).map_err(|e| {
        Failure::from(AppError::BadRequest(format!(
            "The body is not a generation request: {e}"
        )))
    })?;
    let format = response_format(ask.response_format.as_deref())?;
    let target = target(&s.engine, ask.model.as_deref()).await?;
    let n = ask.n.unwrap_or(1);
    let job = match &target {
        Target::Midjourney(mode) => {
            if !(1..=4).contains(&n) {
                return Err(AppError::range("n", 1, 4).into());
            }
            NewJob {
                prompt: with_aspect(&ask.prompt, ask.size.as_deref()),
                mode: Some(mode.as_str().to_owned()),
                ..NewJob::default()
            }
        }
        Target::Openai(model) => NewJob {
            engine: Some(EngineKind::Openai.as_str().to_owned()),
            prompt: ask.prompt.clone(),
            model: Some(model.clone()),
            n: Some(n),
            size: ask.size.clone(),
            quality: ask.quality.clone(),
            ..NewJob::default()
        },
        // OpenAI's qualities mean nothing to Stable Diffusion; its own size is taken.
        Target::SdWebui(model) => NewJob {
            engine: Some(EngineKind::SdWebui.as_str().to_owned()),
            prompt: ask.prompt.clone(),
            model: Some(model.clone()),
            n: Some(n),
            size: ask.size.clone().filter(|s| s != "auto"),
            ..NewJob::default()
        },
    };
    let task = generation::submit_job(&s.engine, &user, &job).await?;
    Ok(answer(&s, &headers, user, task, target, n, format).await)
}

/// Answers once the task has ended.
async fn answer(
    s: &AppState,
    headers: &HeaderMap,
    user: CurrentUser,
    task: crate::types::TaskView,
    target: Target,
    n: i64,
    format: bool,
) -> Response {
    let link_base = super::link_base(s, headers);
    let engine = s.engine.clone();
    let answer = async move {
        let row = wait(&engine, &user, &task.id).await?;
        images(&engine, &row, &target, n, format, &link_base).await
    };
    respond(answer).await
}

/// `POST /v1/images/edits`: OpenAI's multipart form (`image` or `image[]`, `mask`, `prompt`,
/// `model`, `n`, `size`, `quality`, `response_format`). The picture and mask become the user's
/// uploads, and the task an edit of them.
async fn edits(
    State(s): State<AppState>,
    headers: HeaderMap,
    user: Result<CurrentUser, AppError>,
    mut form: Multipart,
) -> Result<Response, Failure> {
    let user = caller(&s, &headers, user).await?;
    // Room for the body before a byte of it is read.
    let _admitted = uploads::admit(&s.engine, &user, super::uploads::MAX_MULTIPART_BYTES)
        .await
        .map_err(Failure::from)?;
    let mut image = None;
    let mut mask = None;
    let mut text = std::collections::HashMap::new();
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "image" | "image[]" => {
                if image.is_some() {
                    return Err(invalid_param(
                        "image",
                        "Atelier edits one image at a time: send one `image`.",
                    ));
                }
                image = Some(file_part(field).await.map_err(|e| param(e, "image"))?);
            }
            "mask" => mask = Some(file_part(field).await.map_err(|e| param(e, "mask"))?),
            _ => {
                let value = field.text().await.map_err(unreadable)?;
                text.insert(name, value);
            }
        }
    }
    let field = |name: &str| {
        text.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let image =
        image.ok_or_else(|| invalid_param("image", "Send the picture to edit as `image`."))?;
    let n = match field("n") {
        None => 1,
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| invalid_param("n", "`n` is a whole number."))?,
    };
    let format = response_format(field("response_format").as_deref())?;
    let target = target(&s.engine, field("model").as_deref()).await?;
    let Target::Openai(model) = &target else {
        return Err(invalid_param(
            "model",
            "Only OpenAI's models edit pictures here: choose gpt-image-1 or dall-e-2.",
        ));
    };
    crate::engines::openai::takes_edits(model).map_err(Failure::from)?;
    let mut images = Vec::new();
    let mut made = Vec::new();
    for (role, bytes) in std::iter::once(("edit", image)).chain(mask.map(|m| ("mask", m))) {
        let upload = match uploads::create(&s.engine, &user, bytes).await {
            Ok(u) => u,
            Err(e) => {
                forget(&s, &user, &made).await;
                return Err(param(e, if role == "edit" { "image" } else { "mask" }));
            }
        };
        images.push(json!({"upload_id": upload.id, "role": role}));
        made.push(upload.id);
    }
    let job = NewJob {
        engine: Some(EngineKind::Openai.as_str().to_owned()),
        action: Some("edit".into()),
        prompt: field("prompt").unwrap_or_default(),
        model: Some(model.clone()),
        n: Some(n),
        size: field("size"),
        quality: field("quality"),
        images: Some(images),
        ..NewJob::default()
    };
    // The uploads are this edit's inputs (the task's `inputs` name them): if it is refused,
    // they go.
    let task = match generation::submit_job(&s.engine, &user, &job).await {
        Ok(task) => task,
        Err(e) => {
            forget(&s, &user, &made).await;
            let f = Failure::from(e);
            return Err(match f.param.as_deref() {
                // The only image check left at submit is the mask's.
                Some("images") => Failure {
                    param: Some("mask".into()),
                    ..f
                },
                _ => f,
            });
        }
    };
    Ok(answer(&s, &headers, user, task, target, n, format).await)
}

async fn forget(s: &AppState, user: &CurrentUser, uploads: &[String]) {
    for id in uploads {
        if let Err(e) = uploads::delete(&s.engine, user, id).await {
            tracing::warn!(upload_id = id, error = %e, "upload of an edit not removed");
        }
    }
}

/// A 400 about one parameter.
fn invalid_param(name: &str, message: &str) -> Failure {
    let mut f = Failure::new(
        StatusCode::BAD_REQUEST,
        message,
        "invalid_request_error",
        "invalid_value",
    );
    f.param = Some(name.to_owned());
    f
}

/// An error about an uploaded file, told as OpenAI names the part.
fn param(e: AppError, name: &str) -> Failure {
    let mut f = Failure::from(e);
    if f.param.as_deref() == Some("file") {
        f.param = Some(name.to_owned());
    }
    f
}

/// `b64_json` (the default here: it needs nothing more from Atelier) or `url`.
fn response_format(v: Option<&str>) -> Result<bool, Failure> {
    match v {
        None | Some("b64_json") => Ok(false),
        Some("url") => Ok(true),
        Some(_) => {
            let mut f = Failure::from(AppError::invalid(
                "response_format",
                crate::error::Rule::OneOf {
                    options: vec!["b64_json".into(), "url".into()],
                },
            ));
            f.param = Some("response_format".into());
            Err(f)
        }
    }
}

/// The model a request names, among those offered; none named: the first offered.
async fn target(engine: &Engine, model: Option<&str>) -> Result<Target, Failure> {
    let offered = offered(engine).await?;
    let found = match model.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => offered.iter().find(|(id, _)| id == m),
        None => offered.first(),
    };
    if let Some((_, target)) = found {
        return Ok(target.clone());
    }
    let Some(id) = model.map(str::trim).filter(|m| !m.is_empty()) else {
        return Err(Failure::from(AppError::Disabled));
    };
    let ids: Vec<&str> = offered.iter().map(|(id, _)| id.as_str()).collect();
    let mut f = Failure::new(
        StatusCode::NOT_FOUND,
        format!(
            "The model `{id}` does not exist or is switched off. Offered: {}.",
            ids.join(", ")
        ),
        "invalid_request_error",
        "model_not_found",
    );
    f.param = Some("model".into());
    Err(f)
}

/// A size asked of MidJourney becomes its aspect ratio, unless the prompt sets one.
fn with_aspect(prompt: &str, size: Option<&str>) -> String {
    let words: Vec<&str> = prompt.split_whitespace().collect();
    if words.iter().any(|w| *w == "--ar" || *w == "--aspect") {
        return prompt.to_owned();
    }
    let Some((w, h)) = size
        .and_then(|s| s.split_once('x'))
        .and_then(|(w, h)| Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?)))
        .filter(|(w, h)| *w > 0 && *h > 0 && w != h)
    else {
        return prompt.to_owned();
    };
    let g = gcd(w, h);
    format!("{} --ar {}:{}", prompt.trim(), w / g, h / g)
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Waits for the task to end (the worker runs it), at most its deadline and a minute more.
async fn wait(engine: &Engine, user: &CurrentUser, id: &str) -> Result<TaskRow, Failure> {
    let deadline = engine.task_timeout(&*engine.settings().await?) + Duration::from_secs(60);
    let started = tokio::time::Instant::now();
    loop {
        let row = generation::visible(engine, user, id).await?;
        match row.status {
            TaskStatus::Succeeded => return Ok(row),
            TaskStatus::Failed | TaskStatus::Cancelled => {
                let reason = row
                    .fail_reason
                    .clone()
                    .unwrap_or_else(|| "The task was cancelled.".into());
                return Err(Failure::new(
                    StatusCode::BAD_REQUEST,
                    format!("{reason} (Atelier task {id}; its credits were given back.)"),
                    "image_generation_user_error",
                    "generation_failed",
                ));
            }
            _ if started.elapsed() > deadline => {
                return Err(Failure::new(
                    StatusCode::BAD_REQUEST,
                    format!(
                        "Atelier task {id} is still running; it shows in the history when done."
                    ),
                    "image_generation_user_error",
                    "generation_timeout",
                ));
            }
            _ => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

/// The answer's `data`: each picture in base64 or as a signed link. MidJourney's `n: 1` is the
/// grid; `n` of 2-4 the grid's first pictures, cut apart.
async fn images(
    engine: &Engine,
    row: &TaskRow,
    target: &Target,
    n: i64,
    url: bool,
    link_base: &str,
) -> Result<Value, Failure> {
    let mut data = Vec::new();
    let parts: Vec<(usize, u8)> = match target {
        Target::Midjourney(_) if n > 1 => (1..=n as u8).map(|p| (0, p)).collect(),
        _ => (0..row.outputs.len()).map(|i| (i, 0)).collect(),
    };
    for (index, part) in parts {
        let mut d = if url {
            json!({"url": signed_link(engine, link_base, row, index, part)})
        } else {
            let bytes = picture(engine, row, index, part).await?;
            use base64::Engine as _;
            json!({"b64_json": base64::engine::general_purpose::STANDARD.encode(&bytes)})
        };
        if let (Target::Openai(_), Some(text)) = (target, &row.text) {
            d["revised_prompt"] = Value::String(text.clone());
        }
        data.push(d);
    }
    Ok(json!({"created": crate::db::now_ms() / 1000, "data": data}))
}

/// Output `index` of the task, whole (`part` 0) or one of its grid's four pictures (1-4).
async fn picture(
    engine: &Engine,
    row: &TaskRow,
    index: usize,
    part: u8,
) -> Result<Vec<u8>, Failure> {
    let missing = || Failure::from(AppError::NotFound);
    let output = row.outputs.get(index).ok_or_else(missing)?;
    let bytes = engine
        .images
        .bytes(&output.key)
        .await
        .map_err(|e| Failure::from(crate::services::internal(e)))?
        .ok_or_else(missing)?;
    if part == 0 {
        return Ok(bytes.to_vec());
    }
    // Within the store's decoding limits, a few at a time.
    crate::images::decoding_picture(bytes, move |bytes| {
        let img = crate::images::decode(bytes)?;
        let (w, h) = (img.width() / 2, img.height() / 2);
        let i = u32::from(part - 1);
        let tile = img.crop_imm(i % 2 * w, i / 2 * h, w, h);
        let mut out = std::io::Cursor::new(Vec::new());
        tile.write_to(&mut out, image::ImageFormat::Png)
            .map_err(|_| crate::images::ImageError::NotAnImage)?;
        Ok(out.into_inner())
    })
    .await
    .map_err(|e| Failure::from(crate::services::internal(e)))
}

/// HMAC-SHA256 of `message` under the installation's own key for file links ([`Engine`]'s
/// `files_key`): links stay valid across restarts and instances, and cannot be made up.
fn signature(engine: &Engine, message: &str) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(engine.files_key.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// What a link to part `part` of output `index` of `task` signs: the task, the picture, the
/// expiry and the task's owner.
fn signed_message(task: &str, index: usize, part: u8, expires: i64, owner: &str) -> String {
    format!("{task}/{index}/{part}/{expires}/{owner}")
}

fn signed_link(engine: &Engine, base: &str, row: &TaskRow, index: usize, part: u8) -> String {
    let expires = crate::db::now_ms() / 1000 + LINK_SECS;
    let task = &row.id;
    let sig = signature(
        engine,
        &signed_message(task, index, part, expires, &row.user_id),
    );
    format!("{base}/v1/files/{task}/{index}/{part}?expires={expires}&signature={sig}")
}

#[derive(serde::Deserialize)]
struct Signed {
    expires: i64,
    signature: String,
}

/// A picture behind a signed link: no key needed, until the link expires.
async fn file(
    State(s): State<AppState>,
    Path((task, index, part)): Path<(String, usize, u8)>,
    Query(q): Query<Signed>,
) -> Result<Response, Failure> {
    if q.expires < crate::db::now_ms() / 1000 || part > 4 {
        return Err(AppError::NotFound.into());
    }
    let internal = |e| Failure::from(crate::services::internal(e));
    // The task as it is now: still there, finished, and its owner's account still allowed in.
    let row = crate::db::tasks::get(&s.engine.pool, &task)
        .await
        .map_err(internal)?
        .filter(|r| r.status == TaskStatus::Succeeded)
        .ok_or_else(|| Failure::from(AppError::NotFound))?;
    let expected = signature(
        &s.engine,
        &signed_message(&task, index, part, q.expires, &row.user_id),
    );
    if !crate::auth::token::same(&expected, &q.signature) {
        return Err(AppError::Forbidden("This link is not valid.".into()).into());
    }
    let owner_active = crate::db::users::find_by_id(&s.engine.pool, &row.user_id)
        .await
        .map_err(internal)?
        .is_some_and(|u| u.role != crate::types::Role::Pending);
    if !owner_active {
        return Err(AppError::NotFound.into());
    }
    let bytes = picture(&s.engine, &row, index, part).await?;
    let kind = crate::images::sniff(&bytes)
        .and_then(crate::images::mime)
        .unwrap_or("image/png");
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        bytes,
    )
        .into_response())
}

/// Answers what `answer` comes to: at once if it is ready within [`QUIET_WAIT`], else a 200
/// whose body is spaces every [`HEARTBEAT`] and then the JSON.
async fn respond(
    answer: impl std::future::Future<Output = Result<Value, Failure>> + Send + 'static,
) -> Response {
    respond_within((QUIET_WAIT, HEARTBEAT), answer).await
}

async fn respond_within(
    (quiet, heartbeat): (Duration, Duration),
    answer: impl std::future::Future<Output = Result<Value, Failure>> + Send + 'static,
) -> Response {
    let mut answer = Box::pin(answer);
    match tokio::time::timeout(quiet, &mut answer).await {
        Ok(Ok(body)) => Json(body).into_response(),
        Ok(Err(f)) => f.into_response(),
        Err(_) => {
            let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(2);
            tokio::spawn(async move {
                let mut beat = tokio::time::interval(heartbeat);
                beat.tick().await;
                loop {
                    tokio::select! {
                        done = &mut answer => {
                            let body = match done {
                                Ok(v) => v,
                                Err(f) => f.body(),
                            };
                            let _ = tx.send(Ok(bytes::Bytes::from(body.to_string()))).await;
                            return;
                        }
                        _ = beat.tick() => {
                            if tx.send(Ok(bytes::Bytes::from_static(b" "))).await.is_err() {
                                // The client left; the task goes on and shows in its history.
                                return;
                            }
                        }
                    }
                }
            });
            let stream = futures::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|item| (item, rx))
            });
            (
                [(header::CONTENT_TYPE, "application/json")],
                Body::from_stream(stream),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(res: Response) -> (StatusCode, String) {
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    async fn after<T>(ms: u64, v: T) -> T {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        v
    }

    /// Quiet for 40 ms, then a heartbeat every 10 ms (production: 20 s and 10 s).
    const FAST: (Duration, Duration) = (Duration::from_millis(40), Duration::from_millis(10));

    #[tokio::test]
    async fn a_slow_answer_keeps_the_connection_alive_with_spaces_then_sends_its_json() {
        let slow = after(300, Ok(json!({"data": [{"b64_json": "AAAA"}]})));
        let (status, body) = read(respond_within(FAST, slow).await).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.starts_with(' '), "heartbeats first: {body:?}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["data"][0]["b64_json"], "AAAA");

        let refused = Failure::new(
            StatusCode::BAD_REQUEST,
            "refused",
            "image_generation_user_error",
            "generation_failed",
        );
        let (status, body) = read(respond_within(FAST, after(200, Err(refused))).await).await;
        assert_eq!(status, StatusCode::OK, "the status line had left");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"]["code"], "generation_failed");

        let quick = after(0, Err(Failure::from(AppError::NotFound)));
        let (status, body) = read(respond_within(FAST, quick).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(!body.starts_with(' '));
    }

    #[test]
    fn sizes_become_midjourneys_aspect_ratio_unless_the_prompt_has_one() {
        assert_eq!(with_aspect("a fox", Some("1792x1024")), "a fox --ar 7:4");
        assert_eq!(with_aspect("a fox", Some("1024x1024")), "a fox");
        assert_eq!(
            with_aspect("a fox --ar 2:3", Some("1792x1024")),
            "a fox --ar 2:3"
        );
        assert_eq!(with_aspect("a fox", Some("auto")), "a fox");
        assert_eq!(with_aspect("a fox", None), "a fox");
    }
}
