//! A scripted midjourney-proxy for fault tests. The prompt picks the script; each list or fetch
//! of a task moves it one step along its script.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

pub const SECRET: &str = "fake-secret-Zq9w";

#[derive(Default)]
pub struct FakeState {
    tasks: HashMap<String, (Vec<Value>, usize)>,
    counter: u64,
    /// Submits answered 23 before accepting, per script name.
    queue_full_left: HashMap<String, u32>,
    pub images_gone: bool,
    /// list and fetch answer HTTP 500.
    pub polls_fail: bool,
    pub submits: u64,
    pub lists: u64,
    /// Button presses received, by customId.
    pub actions: Vec<String>,
    /// Upscales already made: (parent, customId) -> child id (a second one answers code 21).
    upscales: HashMap<(String, String), String>,
    /// Remix on in the account: variations and rerolls wait in MODAL for a confirmation.
    pub remix: bool,
    /// Modal confirmations received: (task id, prompt).
    pub modals: Vec<(String, String)>,
    /// Submits answer HTTP 500.
    pub submits_fail: bool,
    /// Modal confirmations answer HTTP 500.
    pub modals_fail: bool,
    /// Modal confirmations take this long to answer (two answers can cross).
    pub modal_delay: Option<std::time::Duration>,
    /// Cancels received.
    pub cancels: u64,
    /// Every `mj-api-secret` a list request carried.
    pub secrets_seen: Vec<String>,
    /// The first task id handed out (a "dupid" prompt is answered with it again).
    first_id: Option<String>,
    /// The most tasks that were running at once (submitted, not yet answered as final).
    pub max_running: usize,
    /// Prompts submitted, in order.
    pub prompts: Vec<String>,
    /// Where the image URLs of tasks submitted from now on point (the fake itself when None).
    pub images_at: Option<String>,
    /// The bytes every image URL of the fake answers, when set (instead of a drawn picture).
    pub image_bytes: Option<bytes::Bytes>,
    /// Every `list-by-condition` answers this many bytes of JSON padding around its list.
    pub list_padding: usize,
    /// The bodies of imagine, blend and describe submits: (path, JSON).
    pub bodies: Vec<(String, Value)>,
}

impl FakeState {
    /// Tasks submitted whose last answer was not final.
    fn running(&self) -> usize {
        self.tasks
            .values()
            .filter(|(steps, i)| {
                *i == 0
                    || steps
                        .get((*i - 1).min(steps.len().saturating_sub(1)))
                        .is_none_or(|t| t["status"] != "SUCCESS" && t["status"] != "FAILURE")
            })
            .count()
    }
}

pub struct Fake {
    pub base: String,
    pub state: Arc<Mutex<FakeState>>,
}

impl Fake {
    pub fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap()
    }
}

/// An app whose midjourney channel is a fresh fake, with these settings too; its admin's token
/// (Ada's) and a user's (Bo's).
pub async fn app_with(settings: Value) -> (crate::helpers::TestApp, Fake, String, String) {
    let app = crate::helpers::spawn_app().await;
    let fake = start().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let mut patch = json!({"api_url": fake.base, "api_secret": SECRET});
    if let (Some(all), Value::Object(more)) = (patch.as_object_mut(), settings) {
        all.extend(more);
    }
    app.configure(&admin, patch).await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    (app, fake, admin, user)
}

pub async fn start() -> Fake {
    let state = Arc::new(Mutex::new(FakeState::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/mj/submit/imagine", post(imagine))
        .route("/mj/submit/action", post(action))
        .route("/mj/submit/blend", post(blend))
        .route("/mj/submit/describe", post(describe))
        .route("/mj/submit/shorten", post(shorten))
        .route("/mj/submit/upload-discord-images", post(upload_images))
        .route("/mj/submit/modal", post(modal))
        .route("/mj/task/{id}/cancel", post(cancel))
        .route("/mj/task/list-by-condition", post(list))
        .route("/mj/task/{id}/fetch", get(fetch))
        .route("/img/{name}", get(image))
        .with_state((state.clone(), base.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Fake { base, state }
}

type S = State<(Arc<Mutex<FakeState>>, String)>;

fn authorised(h: &HeaderMap) -> bool {
    h.get("mj-api-secret").is_some_and(|v| v == SECRET)
}

fn task(id: &str, status: &str, progress: &str, image: Option<String>) -> Value {
    json!({"id": id, "action": "IMAGINE", "status": status, "progress": progress,
           "imageUrl": image, "failReason": null, "buttons": []})
}

/// What a MidJourney v6 upscale carries (a "Web" link button has no customId).
pub fn v6_upscale_buttons() -> Value {
    let b = |id: &str, label: &str, emoji: &str| json!({"customId": id, "label": label, "emoji": emoji, "type": 2, "style": 2});
    json!([
        b("MJ::JOB::upsample_v6_2x_subtle::1::h::SOLO", "Upscale (Subtle)", ""),
        b("MJ::JOB::upsample_v6_2x_creative::1::h::SOLO", "Upscale (Creative)", ""),
        b("MJ::JOB::low_variation::1::h::SOLO", "Vary (Subtle)", "🪄"),
        b("MJ::JOB::high_variation::1::h::SOLO", "Vary (Strong)", "🪄"),
        b("MJ::Inpaint::1::h::SOLO", "Vary (Region)", "🖌️"),
        b("MJ::Outpaint::50::1::h::SOLO", "Zoom Out 2x", "🔍"),
        b("MJ::Outpaint::75::1::h::SOLO", "Zoom Out 1.5x", "🔍"),
        b("MJ::CustomZoom::h", "Custom Zoom", "🔍"),
        b("MJ::Outpaint::100::1::h::SOLO", "Make Square", "↔️"),
        b("MJ::JOB::pan_left::1::h::SOLO", "", "⬅️"),
        b("MJ::JOB::pan_right::1::h::SOLO", "", "➡️"),
        b("MJ::JOB::pan_up::1::h::SOLO", "", "⬆️"),
        b("MJ::JOB::pan_down::1::h::SOLO", "", "⬇️"),
        b("MJ::BOOKMARK::h", "", "❤️"),
        {"customId": "", "label": "Web", "emoji": "🌐", "type": 2, "style": 5}
    ])
}

fn grid_buttons() -> Value {
    json!([
        {"customId": "MJ::JOB::upsample::1::h", "label": "U1", "emoji": "", "type": 2, "style": 2},
        {"customId": "MJ::JOB::upsample::2::h", "label": "U2", "emoji": "", "type": 2, "style": 2},
        {"customId": "MJ::JOB::reroll::0::h::SOLO", "label": "", "emoji": "🔄", "type": 2, "style": 2},
        {"customId": "MJ::JOB::variation::1::h", "label": "V1", "emoji": "", "type": 2, "style": 2}
    ])
}

/// The script of a prompt: the states its task goes through, one per poll.
fn script(id: &str, prompt: &str, base: &str) -> Vec<Value> {
    let img = |n: &str| Some(format!("{base}/img/{n}"));
    let mut success = task(id, "SUCCESS", "100%", img("final.png"));
    success["buttons"] = if prompt == "upscaled child" {
        success["action"] = json!("UPSCALE");
        v6_upscale_buttons()
    } else {
        grid_buttons()
    };
    if prompt.contains("fails") {
        let mut failure = task(id, "FAILURE", "", None);
        failure["failReason"] = json!("Job failed: the bot refused it");
        vec![task(id, "IN_PROGRESS", "20%", None), failure]
    } else if prompt.contains("stuck") {
        vec![task(id, "IN_PROGRESS", "93%", img("p93.png"))]
    } else if prompt.contains("slow") || prompt.contains("glacial") {
        // Glacial: forty polls at 2% each, long enough for an instance to die meanwhile.
        let (n, by) = if prompt.contains("glacial") {
            (40, 2)
        } else {
            (9, 10)
        };
        let mut steps: Vec<Value> = (1..=n)
            .map(|i| task(id, "IN_PROGRESS", &format!("{}%", i * by), None))
            .collect();
        steps.push(success);
        steps
    } else if prompt.contains("jumbled") {
        // Updates out of order and repeated, as a proxy's retries deliver them.
        let mut failure = task(id, "FAILURE", "", None);
        failure["failReason"] = json!("late failure");
        vec![
            task(id, "SUBMITTED", "0%", None),
            task(id, "IN_PROGRESS", "60%", None),
            task(id, "IN_PROGRESS", "30%", None),
            task(id, "SUBMITTED", "0%", None),
            task(id, "IN_PROGRESS", "60%", None),
            failure.clone(),
            task(id, "IN_PROGRESS", "99%", None),
            failure,
        ]
    } else if prompt.contains("forgotten") {
        vec![]
    } else {
        vec![
            task(id, "SUBMITTED", "0%", None),
            task(id, "IN_PROGRESS", "30%", img("p30.png")),
            task(id, "IN_PROGRESS", "60%", img("p60.png")),
            success,
        ]
    }
}

fn submit(state: &mut FakeState, prompt: &str, base: &str) -> Value {
    state.submits += 1;
    if prompt.contains("dupid")
        && let Some(first) = state.first_id.clone()
    {
        return json!({"code": 1, "description": "ok", "result": first});
    }
    if let Some(word) = prompt.split_whitespace().find(|w| *w == "forbidden") {
        return json!({"code": 24, "description": "banned", "properties": {"bannedWord": word}});
    }
    if prompt.contains("queuefull") {
        let left = state.queue_full_left.entry(prompt.to_owned()).or_insert(2);
        if *left > 0 {
            *left -= 1;
            return json!({"code": 23, "description": "queue full"});
        }
    }
    state.counter += 1;
    let id = format!("1712{:012}", state.counter);
    let images_at = state.images_at.clone();
    let mut steps = script(&id, prompt, images_at.as_deref().unwrap_or(base));
    if prompt.contains("garbage") {
        // A list entry that is not a task at all.
        steps = vec![json!({"id": {"what": "no"}, "status": 17})];
    }
    state.tasks.insert(id.clone(), (steps, 0));
    state.prompts.push(prompt.to_owned());
    state.max_running = state.max_running.max(state.running());
    state.first_id.get_or_insert(id.clone());
    json!({"code": 1, "description": "ok", "result": id})
}

/// A task that waits in MODAL (forever, until confirmed).
fn modal_task(state: &mut FakeState, base: &str, prompt: &str) -> Value {
    let answer = submit(state, prompt, base);
    let id = answer["result"].as_str().unwrap_or_default().to_owned();
    if let Some((steps, _)) = state.tasks.get_mut(&id) {
        steps.insert(0, task(&id, "MODAL", "0%", None));
    }
    json!({"code": 21, "description": "Waiting for window confirm", "result": id})
}

async fn imagine(State((state, base)): S, h: HeaderMap, body: Json<Value>) -> Response {
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if state.lock().unwrap().submits_fail {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let prompt = body["prompt"].as_str().unwrap_or("").to_owned();
    let mut s = state.lock().unwrap();
    s.bodies.push(("/mj/submit/imagine".into(), body.0.clone()));
    Json(submit(&mut s, &prompt, &base)).into_response()
}

/// A blend: a grid, as an imagine's.
async fn blend(State((state, base)): S, h: HeaderMap, body: Json<Value>) -> Response {
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut s = state.lock().unwrap();
    s.bodies.push(("/mj/submit/blend".into(), body.0.clone()));
    Json(submit(&mut s, "/blend", &base)).into_response()
}

/// A describe: it succeeds with four prompts and the buttons that imagine them.
async fn describe(State((state, base)): S, h: HeaderMap, body: Json<Value>) -> Response {
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut s = state.lock().unwrap();
    s.bodies
        .push(("/mj/submit/describe".into(), body.0.clone()));
    let answer = submit(&mut s, "/describe", &base);
    let id = answer["result"].as_str().unwrap_or_default().to_owned();
    if let Some((steps, _)) = s.tasks.get_mut(&id) {
        let mut done = task(
            &id,
            "SUCCESS",
            "100%",
            Some(format!("{base}/img/described.png")),
        );
        done["action"] = json!("DESCRIBE");
        done["properties"] = json!({"finalPrompt": DESCRIBED});
        done["buttons"] = json!(
            (1..=4)
                .map(|i| json!({"customId": format!("MJ::Job::PicReader::{i}"),
            "emoji": "", "label": i.to_string(), "type": 2, "style": 2}))
                .collect::<Vec<_>>()
        );
        *steps = vec![task(&id, "IN_PROGRESS", "50%", None), done];
    }
    Json(answer).into_response()
}

/// A shorten: it succeeds with five shorter prompts and the buttons that imagine them.
async fn shorten(State((state, base)): S, h: HeaderMap, body: Json<Value>) -> Response {
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut s = state.lock().unwrap();
    s.bodies.push(("/mj/submit/shorten".into(), body.0.clone()));
    let answer = submit(&mut s, "/shorten", &base);
    let id = answer["result"].as_str().unwrap_or_default().to_owned();
    if let Some((steps, _)) = s.tasks.get_mut(&id) {
        let mut done = task(&id, "SUCCESS", "100%", None);
        done["action"] = json!("SHORTEN");
        done["properties"] = json!({"finalPrompt": SHORTENED});
        done["buttons"] = json!(
            (1..=5)
                .map(
                    |i| json!({"customId": format!("MJ::Job::PromptAnalyzer::{i}"),
            "emoji": "", "label": i.to_string(), "type": 2, "style": 2})
                )
                .collect::<Vec<_>>()
        );
        *steps = vec![done];
    }
    Json(answer).into_response()
}

/// What the fake's shorten answers: an analysis, then five prompts a line each.
pub const SHORTENED: &str = "**Shortened prompts**\n1️⃣ red fox, snow\n2️⃣ red fox, snow, dusk\n3️⃣ fox in snow, oil\n4️⃣ a fox, winter, soft light\n5️⃣ fox";

/// Pictures put where MidJourney reads them: one URL of the fake for each.
async fn upload_images(State((state, base)): S, h: HeaderMap, body: Json<Value>) -> Response {
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut s = state.lock().unwrap();
    s.bodies
        .push(("/mj/submit/upload-discord-images".into(), body.0.clone()));
    let n = body["base64Array"].as_array().map_or(0, Vec::len);
    let first = s.bodies.len();
    let urls: Vec<String> = (0..n)
        .map(|i| format!("{base}/img/ref-{first}-{i}.png"))
        .collect();
    Json(json!({"code": 1, "description": "success", "result": urls})).into_response()
}

/// What the fake's describe answers.
pub const DESCRIBED: &str = "1️⃣ a red fox in snow\n\n2️⃣ a fox at dusk, oil painting\n\n3️⃣ a small orange animal, photo\n\n4️⃣ winter wildlife, watercolour";

async fn action(State((state, base)): S, h: HeaderMap, body: Json<Value>) -> Response {
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut s = state.lock().unwrap();
    let parent = body["taskId"].as_str().unwrap_or("");
    let done = s.tasks.get(parent).is_some_and(|(steps, i)| {
        steps
            .get((*i).min(steps.len().saturating_sub(1)))
            .is_some_and(|t| t["status"] == "SUCCESS")
    });
    if !done {
        return Json(json!({"code": 4, "description": "task status is not SUCCESS"}))
            .into_response();
    }
    let custom_id = body["customId"].as_str().unwrap_or("").to_owned();
    s.actions.push(custom_id.clone());
    let key = (parent.to_owned(), custom_id.clone());
    if custom_id.contains("upsample") {
        if let Some(id) = s.upscales.get(&key) {
            return Json(json!({"code": 21, "description": "Task already exists", "result": id}))
                .into_response();
        }
        let answer = submit(&mut s, "upscaled child", &base);
        if let Some(id) = answer["result"].as_str() {
            s.upscales.insert(key, id.to_owned());
        }
        return Json(answer).into_response();
    }
    if custom_id.contains("CustomZoom")
        || custom_id.contains("Inpaint")
        || (s.remix && !custom_id.contains("upsample"))
    {
        return Json(modal_task(&mut s, &base, "a modal child")).into_response();
    }
    Json(submit(&mut s, "a child", &base)).into_response()
}

/// Confirms a MODAL task: it goes on with its script.
async fn modal(State((state, _)): S, h: HeaderMap, body: Json<Value>) -> Response {
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let (fail, delay) = {
        let s = state.lock().unwrap();
        (s.modals_fail, s.modal_delay)
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    if fail {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut s = state.lock().unwrap();
    let id = body["taskId"].as_str().unwrap_or("").to_owned();
    let prompt = body["prompt"].as_str().unwrap_or("").to_owned();
    s.modals.push((id.clone(), prompt));
    s.bodies.push(("/mj/submit/modal".into(), body.0.clone()));
    match s.tasks.get_mut(&id) {
        Some((steps, i)) if steps.first().is_some_and(|t| t["status"] == "MODAL") => {
            steps.remove(0);
            *i = 0;
            Json(json!({"code": 1, "description": "ok", "result": id})).into_response()
        }
        _ => Json(json!({"code": 4, "description": "not waiting"})).into_response(),
    }
}

/// trueai's cancel: the task becomes FAILURE "取消任务".
async fn cancel(State((state, _)): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut s = state.lock().unwrap();
    s.cancels += 1;
    if let Some((steps, i)) = s.tasks.get_mut(&id) {
        let mut failure = task(&id, "FAILURE", "", None);
        failure["failReason"] = json!("取消任务");
        *steps = vec![failure];
        *i = 0;
    }
    Json(json!({"code": 1, "description": "ok"})).into_response()
}

/// Advances a task one step and answers its state (None once it has no script).
fn step(s: &mut FakeState, id: &str) -> Option<Value> {
    let (steps, i) = s.tasks.get_mut(id)?;
    let t = steps.get((*i).min(steps.len().checked_sub(1)?))?.clone();
    // A modal step waits for its confirmation.
    if t["status"] != "MODAL" {
        *i += 1;
    }
    Some(t)
}

async fn list(State((state, _)): S, h: HeaderMap, body: Bytes) -> Response {
    if let Some(secret) = h.get("mj-api-secret").and_then(|v| v.to_str().ok()) {
        state.lock().unwrap().secrets_seen.push(secret.to_owned());
    }
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut s = state.lock().unwrap();
    s.lists += 1;
    let ids: Vec<String> = body["ids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if s.polls_fail {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let tasks: Vec<Value> = ids.iter().filter_map(|id| step(&mut s, id)).collect();
    if s.list_padding > 0 {
        // The list, then one string of padding, streamed (the fake holds 1 MB of it).
        let chunk = Bytes::from(vec![b'a'; 1 << 20]);
        let head = format!("[{},\"", serde_json::to_string(&tasks).unwrap());
        let parts = std::iter::once(Bytes::from(head))
            .chain(std::iter::repeat_n(chunk, s.list_padding >> 20))
            .chain(std::iter::once(Bytes::from_static(b"\"]")))
            .map(Ok::<_, std::io::Error>);
        return axum::body::Body::from_stream(futures::stream::iter(parts)).into_response();
    }
    Json(tasks).into_response()
}

async fn fetch(State((state, _)): S, h: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorised(&h) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut s = state.lock().unwrap();
    if s.polls_fail {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    match step(&mut s, &id) {
        Some(t) => Json(t).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

async fn image(State((state, _)): S, Path(name): Path<String>) -> Response {
    if state.lock().unwrap().images_gone {
        return StatusCode::NOT_FOUND.into_response();
    }
    if let Some(bytes) = state.lock().unwrap().image_bytes.clone() {
        return ([("content-type", "image/png")], bytes).into_response();
    }
    let shade = name.bytes().fold(0u8, |a, b| a.wrapping_add(b));
    let img = image::RgbImage::from_pixel(64, 64, image::Rgb([shade, 100, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    ([("content-type", "image/png")], out.into_inner()).into_response()
}
