//! A scripted OpenAI Images API for the engine tests: each generation or edit takes the next
//! scripted answer (a success with drawn PNGs once the script is used up), and every request is
//! kept as it arrived (its key, its JSON body or its multipart parts).

use axum::{
    Json, Router,
    extract::{Multipart, Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::Engine as _;
use serde_json::{Value, json};
use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

pub const KEY: &str = "sk-fake-openai-Xy7";

/// One multipart part as received (read by the edit tests).
#[derive(Debug, Clone)]
#[allow(dead_code)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: bytes::Bytes,
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub authorization: Option<String>,
    pub json: Value,
    #[allow(dead_code)]
    pub parts: Vec<Part>,
}

/// What a generation or edit answers.
pub enum Script {
    /// This status and body.
    Answer(u16, Value),
    /// A success, after a pause.
    Slow(Duration),
    /// A success whose images are URLs the fake serves.
    Urls,
}

#[derive(Default)]
pub struct FakeState {
    pub script: VecDeque<Script>,
    pub seen: Vec<Seen>,
    /// Answers 401 to everything (a key that was revoked).
    pub revoked: bool,
    /// Answers every generation and edit with HTTP 500 (an upstream that is broken for good).
    pub failing: bool,
}

pub struct Fake {
    pub base: String,
    pub state: Arc<Mutex<FakeState>>,
}

impl Fake {
    pub fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap()
    }

    pub fn then(&self, step: Script) {
        self.lock().script.push_back(step);
    }

    /// The generations and edits received.
    pub fn jobs(&self) -> Vec<Seen> {
        self.lock()
            .seen
            .iter()
            .filter(|s| s.path.starts_with("/v1/images/"))
            .cloned()
            .collect()
    }
}

pub async fn start() -> Fake {
    let state = Arc::new(Mutex::new(FakeState::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/v1/models", get(models))
        .route("/v1/images/generations", post(generations))
        .route("/v1/images/edits", post(edits))
        .route("/v1/files/{n}", get(file))
        .with_state((state.clone(), base.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Fake { base, state }
}

type S = State<(Arc<Mutex<FakeState>>, String)>;

/// A small PNG of one colour: `shade` tells the pictures apart.
pub fn png(shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(64, 48, image::Rgb([shade, 255 - shade, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn authorization(h: &HeaderMap) -> Option<String> {
    h.get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn refused() -> Response {
    let body = json!({"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                                "param": null, "code": "invalid_api_key"}});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

async fn models(State((state, _)): S, headers: HeaderMap) -> Response {
    let ok = authorization(&headers).as_deref() == Some(&format!("Bearer {KEY}"));
    if !ok || state.lock().unwrap().revoked {
        return refused();
    }
    Json(json!({"object": "list", "data": [{"id": "gpt-image-1", "object": "model"}]}))
        .into_response()
}

async fn generations(
    State((state, base)): S,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let seen = Seen {
        path: "/v1/images/generations".into(),
        authorization: authorization(&headers),
        json,
        parts: Vec::new(),
    };
    answer(&state, &base, seen).await
}

async fn edits(State((state, base)): S, headers: HeaderMap, mut form: Multipart) -> Response {
    let mut parts = Vec::new();
    let mut fields = serde_json::Map::new();
    while let Ok(Some(part)) = form.next_field().await {
        let name = part.name().unwrap_or_default().to_owned();
        let file_name = part.file_name().map(str::to_owned);
        let content_type = part.content_type().map(str::to_owned);
        let bytes = part.bytes().await.unwrap_or_default();
        if file_name.is_none() {
            fields.insert(
                name.clone(),
                Value::String(String::from_utf8_lossy(&bytes).into()),
            );
        }
        parts.push(Part {
            name,
            file_name,
            content_type,
            bytes,
        });
    }
    let seen = Seen {
        path: "/v1/images/edits".into(),
        authorization: authorization(&headers),
        json: Value::Object(fields),
        parts,
    };
    answer(&state, &base, seen).await
}

async fn answer(state: &Arc<Mutex<FakeState>>, base: &str, seen: Seen) -> Response {
    let n = seen.json["n"]
        .as_u64()
        .or_else(|| seen.json["n"].as_str().and_then(|n| n.parse().ok()))
        .unwrap_or(1);
    let authorised = seen.authorization.as_deref() == Some(&format!("Bearer {KEY}"));
    let step = {
        let mut s = state.lock().unwrap();
        s.seen.push(seen);
        if !authorised || s.revoked {
            return refused();
        }
        if s.failing {
            let body =
                json!({"error": {"message": "The server had an error.", "type": "server_error"}});
            return (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
        }
        s.script.pop_front()
    };
    let urls = match step {
        Some(Script::Answer(status, body)) => {
            return (StatusCode::from_u16(status).unwrap(), Json(body)).into_response();
        }
        Some(Script::Slow(pause)) => {
            tokio::time::sleep(pause).await;
            false
        }
        Some(Script::Urls) => true,
        None => false,
    };
    let data: Vec<Value> = (0..n)
        .map(|i| {
            if urls {
                json!({"url": format!("{base}/files/{}", i + 1)})
            } else {
                let b64 = base64::engine::general_purpose::STANDARD.encode(png(40 * i as u8 + 10));
                json!({"b64_json": b64, "revised_prompt": "A revised prompt."})
            }
        })
        .collect();
    Json(json!({"created": 1_700_000_000, "data": data})).into_response()
}

async fn file(Path(n): Path<u8>) -> Response {
    ([(header::CONTENT_TYPE, "image/png")], png(200 - n)).into_response()
}
