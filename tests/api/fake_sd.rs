//! A scripted Stable Diffusion WebUI for the engine tests: `/sdapi/v1/txt2img` and `/img2img`
//! take the next scripted answer (a success with `batch_size` drawn PNGs once the script is used
//! up), or hold the request as the box's current job until the test lets it finish, while the
//! test sets what `/progress` says. Every request is kept as it arrived, and every interrupt.

use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::Engine as _;
use serde_json::{Value, json};
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
};
use tokio::sync::Notify;

/// The box's `--api-auth` login.
pub const LOGIN: &str = "alice:pw-7Kq";
pub const CHECKPOINT: &str = "dreamshaper_8.safetensors [879db523c3]";
pub const CHECKPOINT_NAME: &str = "dreamshaper_8";

/// One request as received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub authorization: Option<String>,
    pub json: Value,
}

pub enum Script {
    /// This status and body.
    Answer(u16, Value),
    /// The box's current job until [`FakeSd::finish`] (or an interrupt), then a success.
    Hold,
}

#[derive(Default)]
pub struct SdState {
    pub script: VecDeque<Script>,
    pub seen: Vec<Seen>,
    /// The job being drawn (its `force_task_id`).
    pub current: Option<String>,
    /// What `/progress` says of it: the fraction and the picture so far.
    pub progress: f64,
    pub preview: Option<Vec<u8>>,
    /// The current job at each interrupt.
    pub interrupts: Vec<Option<String>>,
    /// Progress polls received.
    pub polls: usize,
}

pub struct FakeSd {
    pub base: String,
    pub state: Arc<Mutex<SdState>>,
    done: Arc<Notify>,
}

impl FakeSd {
    pub fn lock(&self) -> std::sync::MutexGuard<'_, SdState> {
        self.state.lock().unwrap()
    }

    pub fn then(&self, step: Script) {
        self.lock().script.push_back(step);
    }

    /// The drawing requests received (`txt2img`, `img2img`).
    pub fn jobs(&self) -> Vec<Seen> {
        self.lock()
            .seen
            .iter()
            .filter(|s| s.path.ends_with("2img"))
            .cloned()
            .collect()
    }

    /// What `/progress` answers from now on.
    pub fn progress(&self, fraction: f64, preview: Option<Vec<u8>>) {
        let mut s = self.lock();
        s.progress = fraction;
        s.preview = preview;
    }

    /// The held job finishes.
    pub fn finish(&self) {
        self.done.notify_waiters();
    }
}

type S = State<(Arc<Mutex<SdState>>, Arc<Notify>)>;

pub async fn start() -> FakeSd {
    let state = Arc::new(Mutex::new(SdState::default()));
    let done = Arc::new(Notify::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/sdapi/v1/txt2img", post(draw))
        .route("/sdapi/v1/img2img", post(draw))
        .route("/sdapi/v1/progress", get(progress))
        .route("/sdapi/v1/interrupt", post(interrupt))
        .route("/sdapi/v1/sd-models", get(models))
        .route("/sdapi/v1/samplers", get(samplers))
        .with_state((state.clone(), done.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    FakeSd { base, state, done }
}

fn authorized(h: &HeaderMap) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(LOGIN)
    );
    h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) == Some(expected.as_str())
}

fn refused() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({"detail": "Incorrect username or password"})),
    )
        .into_response()
}

/// A small PNG of one colour: `shade` tells the pictures apart.
pub fn png(shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(64, 64, image::Rgb([shade, 90, 255 - shade]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn models(State((state, _)): S, headers: HeaderMap) -> Response {
    state.lock().unwrap().seen.push(Seen {
        path: "/sdapi/v1/sd-models".into(),
        authorization: None,
        json: Value::Null,
    });
    if !authorized(&headers) {
        return refused();
    }
    Json(json!([
        {"title": CHECKPOINT, "model_name": CHECKPOINT_NAME, "hash": "879db523c3",
         "sha256": null, "filename": "/m/dreamshaper_8.safetensors", "config": null},
        {"title": "sdxl_base.safetensors [31e35c80fc]", "model_name": "sdxl_base", "hash": "31e35c80fc",
         "sha256": null, "filename": "/m/sdxl_base.safetensors", "config": null}
    ]))
    .into_response()
}

async fn samplers(headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return refused();
    }
    Json(
        json!([{"name": "Euler a", "aliases": ["k_euler_a"], "options": {}},
                {"name": "DPM++ 2M", "aliases": [], "options": {}}]),
    )
    .into_response()
}

async fn progress(State((state, _)): S, headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return refused();
    }
    let mut s = state.lock().unwrap();
    s.polls += 1;
    let busy = s.current.is_some();
    Json(json!({
        "progress": if busy { s.progress } else { 0.0 },
        "eta_relative": 1.0,
        "state": {"skipped": false, "interrupted": false, "job": "", "job_count": i32::from(busy),
                  "job_no": 0, "sampling_step": 0, "sampling_steps": 20},
        "current_image": if busy { s.preview.as_deref().map(b64) } else { None },
        "textinfo": null,
        "current_task": s.current.clone(),
    }))
    .into_response()
}

async fn interrupt(State((state, done)): S, headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return refused();
    }
    let current = state.lock().unwrap().current.clone();
    state.lock().unwrap().interrupts.push(current);
    done.notify_waiters();
    Json(json!({})).into_response()
}

async fn draw(
    State((state, done)): S,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let step = {
        let mut s = state.lock().unwrap();
        s.seen.push(Seen {
            path: uri.path().to_owned(),
            authorization: headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            json: json.clone(),
        });
        s.script.pop_front()
    };
    if !authorized(&headers) {
        return refused();
    }
    match step {
        Some(Script::Answer(status, body)) => {
            return (StatusCode::from_u16(status).unwrap(), Json(body)).into_response();
        }
        Some(Script::Hold) => {
            let waiting = done.notified();
            state.lock().unwrap().current = json["force_task_id"].as_str().map(str::to_owned);
            waiting.await;
            state.lock().unwrap().current = None;
        }
        None => {}
    }
    let n = json["batch_size"].as_u64().unwrap_or(1);
    let images: Vec<String> = (0..n).map(|i| b64(&png(40 + 60 * i as u8))).collect();
    let info = json!({"seed": 1234, "all_seeds": [1234], "index_of_first_image": 0}).to_string();
    Json(json!({"images": images, "parameters": {}, "info": info})).into_response()
}
