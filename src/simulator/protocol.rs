//! The simulator's HTTP side and job life cycle.

use super::draw;
use crate::engines::midjourney::wire::{Task, WireButton};
use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};
use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Expected in `mj-api-secret`; empty accepts anything.
    pub secret: String,
    /// Length of one of the ten steps of a job.
    pub step: Duration,
    /// Jobs running at once.
    pub concurrency: usize,
    /// Jobs waiting beyond those (code 22); past this, code 23.
    pub queue: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            secret: String::new(),
            step: Duration::from_millis(1000),
            concurrency: 3,
            queue: 10,
        }
    }
}

/// Words the simulator refuses (code 24), as MidJourney does with its own list.
const BANNED: [&str; 3] = ["gore", "bloodbath", "nsfw"];
const STEPS: u32 = 10;

struct Job {
    task: Task,
    spec: Spec,
    step: u32,
    notify_hook: Option<String>,
    /// How its pictures are drawn from what it was given (kept by this simulator only: after a
    /// restart, a job is drawn plain from its id).
    recipe: Arc<draw::Recipe>,
    /// The seed of the picture it was made from (Vary (Region) repaints it).
    parent_seed: u64,
}

/// What a job is, written into its id, so that any simulator answers for any job from the id
/// alone: the one in another instance that took over the worker, or this one after a restart.
/// The id is digits only, as real proxies' ids are: submit time (13), a counter (3), the kind
/// (1), the aspect ratio (3 + 3) and the seed (20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Spec {
    submitted: i64,
    kind: usize,
    aspect: (u32, u32),
    seed: u64,
}

/// The actions, by their digit in an id.
const KINDS: [&str; 10] = [
    "IMAGINE",
    "UPSCALE",
    "VARIATION",
    "REROLL",
    "PAN",
    "ZOOM",
    "BLEND",
    "DESCRIBE",
    "INPAINT",
    "SHORTEN",
];
const ID_LEN: usize = 13 + 3 + 1 + 3 + 3 + 20;

impl Spec {
    fn action(&self) -> &'static str {
        KINDS[self.kind]
    }

    /// Grid (four pictures) or a single upscaled picture.
    fn single(&self) -> bool {
        matches!(self.action(), "UPSCALE" | "DESCRIBE")
    }

    /// Answered in words, not pictures.
    fn text_only(&self) -> bool {
        self.action() == "SHORTEN"
    }

    fn id(&self, counter: u64) -> String {
        format!(
            "{:013}{:03}{}{:03}{:03}{:020}",
            self.submitted.clamp(0, 9_999_999_999_999),
            counter % 1000,
            self.kind,
            self.aspect.0.min(999),
            self.aspect.1.min(999),
            self.seed
        )
    }

    fn of(id: &str) -> Option<Self> {
        if id.len() != ID_LEN || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let kind: usize = id[16..17].parse().ok()?;
        let aspect = (id[17..20].parse().ok()?, id[20..23].parse().ok()?);
        (kind < KINDS.len() && aspect.0 > 0 && aspect.1 > 0).then(|| Self {
            submitted: id[..13].parse().unwrap_or(0),
            kind,
            aspect,
            seed: id[23..].parse().unwrap_or(0),
        })
    }
}

/// The four prompts a describe answers for a picture whose average colour is `rgb` (the job's
/// seed, so that any simulator answers the same from the id alone), numbered as MidJourney
/// numbers them.
fn described(rgb: u64) -> String {
    let (r, g, b) = ((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let colour = if max < 60 {
        "black"
    } else if min > 200 {
        "white"
    } else if max - min < 30 {
        "grey"
    } else if max == r && g >= b {
        if g > r * 3 / 4 {
            "yellow"
        } else {
            "orange red"
        }
    } else if max == r {
        "magenta"
    } else if max == g {
        if b > g * 3 / 4 { "teal" } else { "green" }
    } else if r > b / 2 {
        "violet"
    } else {
        "blue"
    };
    let light = if max > 170 { "bright" } else { "muted" };
    format!(
        "1️⃣ a {light} {colour} landscape at dusk, soft light --ar 1:1\n\n\
         2️⃣ an abstract study in {colour} tones, #{r:02x}{g:02x}{b:02x} --ar 1:1\n\n\
         3️⃣ a minimalist {colour} poster, flat shapes, {light} palette --ar 1:1\n\n\
         4️⃣ a {colour} watercolour wash on paper, textured --ar 1:1"
    )
}

/// The average colour of a picture given as base64 (a data URL or bare), as `0xRRGGBB`.
fn average_colour(base64: &str) -> Option<u64> {
    average_of(&decode_base64(base64)?)
}

/// The average colour of a picture file, as `0xRRGGBB`.
fn average_of(bytes: &[u8]) -> Option<u64> {
    let img = crate::images::decode(bytes)
        .ok()?
        .thumbnail(32, 32)
        .into_rgb8();
    let n = u64::from(img.width() * img.height()).max(1);
    let sum = img.pixels().fold([0u64; 3], |mut a, p| {
        for (total, channel) in a.iter_mut().zip(p.0) {
            *total += u64::from(channel);
        }
        a
    });
    Some((sum[0] / n) << 16 | (sum[1] / n) << 8 | (sum[2] / n))
}

/// The five shorter prompts a shorten answers: the prompt's words, fewer and fewer of them.
fn shortened(prompt: &str) -> String {
    let text: String = prompt
        .split("--")
        .next()
        .unwrap_or(prompt)
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace() || *c == ',')
        .collect();
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::from("**Shortened prompts**");
    for (i, keep) in [8usize, 6, 5, 4, 2].into_iter().enumerate() {
        let mut prompt = words[..words.len().min(keep)].join(" ");
        prompt = prompt.trim_end_matches(',').to_owned();
        if prompt.is_empty() {
            prompt = "a picture".into();
        }
        out.push_str(&format!("\n{}\u{fe0f}\u{20e3} {prompt}", i + 1));
    }
    out
}

#[derive(Default)]
struct Jobs {
    all: HashMap<String, Job>,
    running: Vec<String>,
    waiting: VecDeque<String>,
    counter: u64,
    /// Pictures given to upload-discord-images, by the name they are served under.
    uploads: HashMap<String, Bytes>,
}

pub struct Sim {
    config: SimConfig,
    base_url: String,
    jobs: Mutex<Jobs>,
    http: reqwest::Client,
}

impl Sim {
    /// The secret clients must send; empty accepts anything.
    pub(super) fn secret(&self) -> &str {
        &self.config.secret
    }

    /// One step of a job.
    pub(super) fn step(&self) -> Duration {
        self.config.step
    }

    /// Where the simulator is reached.
    pub(super) fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn new(config: SimConfig, base_url: String) -> Arc<Self> {
        crate::init_tls();
        Arc::new(Self {
            config,
            base_url,
            jobs: Mutex::new(Jobs::default()),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
        })
    }

    fn jobs(&self) -> std::sync::MutexGuard<'_, Jobs> {
        self.jobs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Advances every running job one step and starts waiting ones in free slots.
    pub fn tick(&self) {
        let now = now_ms();
        let mut changed = Vec::new();
        {
            let mut jobs = self.jobs();
            let running = std::mem::take(&mut jobs.running);
            let mut still = Vec::new();
            for id in running {
                let Some(job) = jobs.all.get_mut(&id) else {
                    continue;
                };
                job.step += 1;
                if job.step >= STEPS {
                    job.task.status = Some("SUCCESS".into());
                    job.task.progress = Some("100%".into());
                    job.task.finish_time = Some(now);
                    job.task.image_url = (!job.spec.text_only())
                        .then(|| format!("{}/sim/image/{id}/final.png", self.base_url));
                    job.task.buttons = buttons(&id, job.spec.action(), job.spec.aspect);
                } else {
                    job.task.status = Some("IN_PROGRESS".into());
                    job.task.progress = Some(format!("{}%", job.step * 10));
                    job.task.image_url = (!job.spec.text_only()).then(|| {
                        format!("{}/sim/image/{id}/preview-{}.png", self.base_url, job.step)
                    });
                    still.push(id.clone());
                }
                changed.push(id);
            }
            while still.len() < self.config.concurrency {
                let Some(id) = jobs.waiting.pop_front() else {
                    break;
                };
                if let Some(job) = jobs.all.get_mut(&id) {
                    job.task.status = Some("SUBMITTED".into());
                    job.task.progress = Some("0%".into());
                    job.task.start_time = Some(now);
                    still.push(id.clone());
                    changed.push(id);
                }
            }
            jobs.running = still;
        }
        for id in changed {
            self.notify(&id);
        }
    }

    fn notify(&self, id: &str) {
        let (hook, task) = {
            let jobs = self.jobs();
            let Some(job) = jobs.all.get(id) else { return };
            let Some(hook) = job.notify_hook.clone() else {
                return;
            };
            (hook, job.task.clone())
        };
        let http = self.http.clone();
        tokio::spawn(async move {
            // Like real proxies: one try, no signature, no retry.
            let _ = http.post(hook).json(&task).send().await;
        });
    }

    fn authorised(&self, headers: &HeaderMap) -> bool {
        self.config.secret.is_empty()
            || headers
                .get("mj-api-secret")
                .is_some_and(|v| v.as_bytes() == self.config.secret.as_bytes())
    }

    /// Queues a new job; answers like a proxy's submit. A job that `waits` is held in a modal
    /// step (code 21) until `/mj/submit/modal` answers it.
    fn enqueue(&self, new: NewJob<'_>) -> Value {
        let mut jobs = self.jobs();
        if !new.waits && jobs.waiting.len() >= self.config.queue {
            return json!({"code": 23, "description": "queue is full, please try again later", "result": null});
        }
        jobs.counter += 1;
        let spec = Spec {
            submitted: now_ms(),
            kind: KINDS.iter().position(|k| *k == new.action).unwrap_or(0),
            aspect: new.aspect,
            seed: new.seed,
        };
        let id = spec.id(jobs.counter);
        let runs_now = jobs.running.len() + jobs.waiting.len() < self.config.concurrency;
        let task = Task {
            id: id.clone(),
            action: Some(new.action.into()),
            status: Some("NOT_START".into()),
            prompt: Some(new.prompt.into()),
            progress: Some("0%".into()),
            submit_time: Some(now_ms()),
            state: new.state,
            properties: Some(json!({"finalPrompt": new.prompt})),
            ..Task::default()
        };
        let mut task = task;
        if new.waits {
            task.status = Some("MODAL".into());
        }
        jobs.all.insert(
            id.clone(),
            Job {
                task,
                spec,
                step: 0,
                notify_hook: new.hook,
                recipe: Arc::new(new.recipe),
                parent_seed: new.parent_seed,
            },
        );
        if new.waits {
            return json!({"code": 21, "description": "Waiting for window confirm", "result": id});
        }
        jobs.waiting.push_back(id.clone());
        if runs_now {
            json!({"code": 1, "description": "Submit success", "result": id})
        } else {
            let position = jobs.waiting.len();
            json!({"code": 22, "description": format!("In queue, there are {position} tasks ahead"),
                   "result": id, "properties": {"numberOfQueues": position}})
        }
    }
}

/// A job to queue.
struct NewJob<'a> {
    action: &'a str,
    prompt: &'a str,
    seed: u64,
    aspect: (u32, u32),
    hook: Option<String>,
    state: Option<String>,
    recipe: draw::Recipe,
    /// Held in a modal step first (Vary (Region), Custom Zoom).
    waits: bool,
    /// The seed of the picture it is made from, if any.
    parent_seed: u64,
}

impl Sim {
    /// The colours of the pictures a prompt's `--sref` and `--cref` name, where they are this
    /// simulator's uploads.
    fn referenced_colours(&self, prompt: &str) -> Vec<u64> {
        let prefix = format!("{}/sim/upload/", self.base_url);
        let names: Vec<String> = prompt
            .split_whitespace()
            .filter_map(|w| w.strip_prefix(&prefix))
            .map(str::to_owned)
            .collect();
        let files: Vec<Bytes> = {
            let jobs = self.jobs();
            names
                .iter()
                .filter_map(|n| jobs.uploads.get(n).cloned())
                .collect()
        };
        files.iter().filter_map(|f| average_of(f)).collect()
    }

    /// How a job this simulator knows draws its pictures.
    fn recipe(&self, id: &str) -> Arc<draw::Recipe> {
        self.jobs()
            .all
            .get(id)
            .map(|j| j.recipe.clone())
            .unwrap_or_default()
    }

    /// A job as this simulator knows it, or as its id describes it (made by another simulator,
    /// or before a restart): as if it had started when submitted and run a step per step since.
    fn task(&self, id: &str) -> Option<(Task, Spec)> {
        if let Some(job) = self.jobs().all.get(id) {
            return Some((job.task.clone(), job.spec));
        }
        let spec = Spec::of(id)?;
        let step_ms = i64::try_from(self.config.step.as_millis())
            .unwrap_or(1)
            .max(1);
        let steps = u32::try_from((now_ms() - spec.submitted).max(0) / step_ms).unwrap_or(u32::MAX);
        let mut task = Task {
            id: id.to_owned(),
            action: Some(spec.action().into()),
            prompt: (spec.action() == "DESCRIBE").then(|| described(spec.seed)),
            properties: (spec.action() == "SHORTEN")
                .then(|| json!({"finalPrompt": shortened("a picture")})),
            submit_time: Some(spec.submitted),
            start_time: Some(spec.submitted + step_ms),
            ..Task::default()
        };
        if steps > STEPS {
            task.status = Some("SUCCESS".into());
            task.progress = Some("100%".into());
            task.finish_time = Some(spec.submitted + step_ms * i64::from(STEPS + 1));
            task.image_url =
                (!spec.text_only()).then(|| format!("{}/sim/image/{id}/final.png", self.base_url));
            task.buttons = buttons(id, spec.action(), spec.aspect);
        } else {
            let step = steps.saturating_sub(1);
            task.status = Some(
                if step == 0 {
                    "SUBMITTED"
                } else {
                    "IN_PROGRESS"
                }
                .into(),
            );
            task.progress = Some(format!("{}%", step * 10));
            if step > 0 {
                task.image_url = Some(format!(
                    "{}/sim/image/{id}/preview-{step}.png",
                    self.base_url
                ));
            }
        }
        Some((task, spec))
    }
}

fn buttons(id: &str, action: &str, aspect: (u32, u32)) -> Vec<WireButton> {
    let hash = format!("{:016x}", draw::seed_of(&[id.as_bytes()]));
    let b = |custom_id: String, label: &str, emoji: &str| WireButton {
        custom_id,
        label: label.into(),
        emoji: emoji.into(),
        kind: 2,
        style: 2,
    };
    match action {
        // Imagine one of the four prompts, or describe again.
        "DESCRIBE" => {
            let mut v: Vec<WireButton> = (1..=4)
                .map(|i| b(format!("MJ::Job::PicReader::{i}"), &i.to_string(), ""))
                .collect();
            v.push(b("MJ::Picread::Retry".into(), "", "🔄"));
            v
        }
        "SHORTEN" => (1..=5)
            .map(|i| b(format!("MJ::Job::PromptAnalyzer::{i}"), &i.to_string(), ""))
            .collect(),
        // What a v6 upscale carries.
        "UPSCALE" => {
            let solo = |kind: &str| format!("MJ::JOB::{kind}::1::{hash}::SOLO");
            let mut v = vec![
                b(solo("upsample_v6_2x_subtle"), "Upscale (Subtle)", ""),
                b(solo("upsample_v6_2x_creative"), "Upscale (Creative)", ""),
                b(solo("low_variation"), "Vary (Subtle)", "🪄"),
                b(solo("high_variation"), "Vary (Strong)", "🪄"),
                b(
                    format!("MJ::Inpaint::1::{hash}::SOLO"),
                    "Vary (Region)",
                    "🖌️",
                ),
                b(
                    format!("MJ::Outpaint::50::1::{hash}::SOLO"),
                    "Zoom Out 2x",
                    "🔍",
                ),
                b(
                    format!("MJ::Outpaint::75::1::{hash}::SOLO"),
                    "Zoom Out 1.5x",
                    "🔍",
                ),
                b(format!("MJ::CustomZoom::{hash}"), "Custom Zoom", "🔍"),
            ];
            if aspect.0 != aspect.1 {
                v.push(b(
                    format!("MJ::Outpaint::100::1::{hash}::SOLO"),
                    "Make Square",
                    "↔️",
                ));
            }
            for (d, emoji) in [
                ("left", "⬅️"),
                ("right", "➡️"),
                ("up", "⬆️"),
                ("down", "⬇️"),
            ] {
                v.push(b(solo(&format!("pan_{d}")), "", emoji));
            }
            v
        }
        _ => {
            let mut v: Vec<WireButton> = (1..=4)
                .map(|i| {
                    b(
                        format!("MJ::JOB::upsample::{i}::{hash}"),
                        &format!("U{i}"),
                        "",
                    )
                })
                .collect();
            v.push(b(format!("MJ::JOB::reroll::0::{hash}::SOLO"), "", "🔄"));
            v.extend((1..=4).map(|i| {
                b(
                    format!("MJ::JOB::variation::{i}::{hash}"),
                    &format!("V{i}"),
                    "",
                )
            }));
            v
        }
    }
}

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/mj/submit/imagine", post(imagine))
        .route("/mj/submit/action", post(action))
        .route("/mj/submit/blend", post(blend))
        .route("/mj/submit/describe", post(describe))
        .route("/mj/submit/shorten", post(shorten))
        .route("/mj/submit/modal", post(modal))
        .route("/mj/submit/upload-discord-images", post(upload_images))
        .route("/sim/upload/{name}", get(uploaded))
        .route("/mj/task/{id}/fetch", get(fetch))
        .route("/mj/task/list-by-condition", post(list))
        .route("/mj/task/{id}/cancel", post(cancel))
        .route("/sim/image/{id}/{file}", get(image))
        .with_state(sim)
}

pub async fn tick_forever(sim: Arc<Sim>) {
    let mut every = tokio::time::interval(sim.config.step);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        sim.tick();
    }
}

type Answer = Result<Response, StatusCode>;

fn guard(sim: &Sim, headers: &HeaderMap) -> Result<(), StatusCode> {
    if sim.authorised(headers) {
        Ok(())
    } else {
        Err(StatusCode::UNAUTHORIZED)
    }
}

fn body(bytes: &Bytes) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

fn field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

async fn imagine(State(sim): State<Arc<Sim>>, headers: HeaderMap, bytes: Bytes) -> Answer {
    guard(&sim, &headers)?;
    let req = body(&bytes);
    let Some(prompt) = field(&req, "prompt") else {
        return Ok(
            Json(json!({"code": 4, "description": "prompt cannot be empty"})).into_response(),
        );
    };
    let lower = prompt.to_lowercase();
    if let Some(word) = BANNED.iter().find(|w| lower.contains(*w)) {
        return Ok(Json(
            json!({"code": 24, "description": "may contains sensitive words",
                              "properties": {"promptEn": prompt, "bannedWord": word}}),
        )
        .into_response());
    }
    let seed = draw::seed_of(&[prompt.as_bytes()]);
    let aspect = crate::domain::prompt::aspect_ratio(prompt);
    let hook = field(&req, "notifyHook").map(str::to_owned);
    let state = field(&req, "state").map(str::to_owned);
    // Image prompts and references tint the picture with their colours.
    let mut colours: Vec<u64> = req
        .get("base64Array")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(average_colour)
                .collect()
        })
        .unwrap_or_default();
    colours.extend(sim.referenced_colours(prompt));
    let recipe = if colours.is_empty() {
        draw::Recipe::Plain
    } else {
        draw::Recipe::Tinted(mean_colour(&colours))
    };
    Ok(Json(sim.enqueue(NewJob {
        action: "IMAGINE",
        prompt,
        seed,
        aspect,
        hook,
        state,
        recipe,
        waits: false,
        parent_seed: 0,
    }))
    .into_response())
}

/// The mean of `0xRRGGBB` colours, as RGB.
fn mean_colour(colours: &[u64]) -> [u8; 3] {
    let n = colours.len().max(1) as u64;
    [16, 8, 0].map(|shift| {
        u8::try_from(colours.iter().map(|c| (c >> shift) & 0xff).sum::<u64>() / n).unwrap_or(255)
    })
}

async fn action(State(sim): State<Arc<Sim>>, headers: HeaderMap, bytes: Bytes) -> Answer {
    guard(&sim, &headers)?;
    let req = body(&bytes);
    let (Some(task_id), Some(custom_id)) = (field(&req, "taskId"), field(&req, "customId")) else {
        return Ok(
            Json(json!({"code": 4, "description": "taskId and customId are required"}))
                .into_response(),
        );
    };
    let parent = sim
        .task(task_id)
        .map(|(task, spec)| (task, spec.seed, spec.aspect));
    let Some((parent, parent_seed, parent_aspect)) = parent else {
        return Ok(Json(json!({"code": 3, "description": "task not found"})).into_response());
    };
    if parent.status.as_deref() != Some("SUCCESS") {
        return Ok(
            Json(json!({"code": 4, "description": "task status is not SUCCESS"})).into_response(),
        );
    }
    if !parent.buttons.iter().any(|b| b.custom_id == custom_id) {
        return Ok(Json(json!({"code": 4, "description": "button not found"})).into_response());
    }
    let parts: Vec<&str> = custom_id.split("::").collect();
    let kind = parts.get(2).copied().unwrap_or("");
    let index: u32 = parts
        .get(3)
        .and_then(|i| i.parse().ok())
        .unwrap_or(1)
        .clamp(1, 4);
    let salt = sim.jobs().counter.to_le_bytes();
    let (name, seed) = match kind {
        "upsample" => ("UPSCALE", draw::tile_seed(parent_seed, index)),
        "variation" | "low_variation" | "high_variation" => (
            "VARIATION",
            draw::seed_of(&[
                &parent_seed.to_le_bytes(),
                &index.to_le_bytes(),
                b"var",
                &salt,
            ]),
        ),
        "reroll" => (
            "REROLL",
            draw::seed_of(&[&parent_seed.to_le_bytes(), b"reroll", &salt]),
        ),
        _ if kind.starts_with("pan_") => (
            "PAN",
            draw::seed_of(&[&parent_seed.to_le_bytes(), kind.as_bytes()]),
        ),
        _ => (
            "ZOOM",
            draw::seed_of(&[&parent_seed.to_le_bytes(), b"zoom"]),
        ),
    };
    let aspect = parent_aspect;
    let mut prompt = parent.prompt.unwrap_or_default();
    let group = parts.get(1).copied().unwrap_or("");
    let zoom = |factor: f32| draw::Recipe::Zoom {
        parent: parent_seed,
        of: parent_aspect,
        factor,
    };
    // (recipe, held in a modal step)
    let (recipe, waits) = match (group, kind) {
        ("Inpaint", _) => (draw::Recipe::Plain, true),
        ("CustomZoom", _) => (zoom(1.0), true),
        ("Outpaint", "100") => (zoom(1.0), false),
        ("Outpaint", "75") => (zoom(1.5), false),
        ("Outpaint", _) => (zoom(2.0), false),
        // An upscale, a variation, a pan: drawn as the picture they come from.
        _ => (sim.recipe(task_id).as_ref().clone(), false),
    };
    let name = match group {
        "Inpaint" => "INPAINT",
        "Outpaint" | "CustomZoom" => "ZOOM",
        _ => name,
    };
    let aspect = if (group, kind) == ("Outpaint", "100") {
        (1, 1)
    } else {
        aspect
    };
    let (name, seed, aspect) = match kind {
        // A describe's button: imagine its prompt `index` (Retry: describe the same again).
        "PicReader" => {
            prompt = crate::engines::midjourney::numbered_prompt(&prompt, index).unwrap_or(prompt);
            (
                "IMAGINE",
                draw::seed_of(&[prompt.as_bytes()]),
                crate::domain::prompt::aspect_ratio(&prompt),
            )
        }
        "PromptAnalyzer" => {
            prompt = crate::engines::midjourney::numbered_prompt(&prompt, index).unwrap_or(prompt);
            (
                "IMAGINE",
                draw::seed_of(&[prompt.as_bytes()]),
                crate::domain::prompt::aspect_ratio(&prompt),
            )
        }
        "Retry" => ("DESCRIBE", parent_seed, aspect),
        _ => (name, seed, aspect),
    };
    let hook = field(&req, "notifyHook").map(str::to_owned);
    let state = field(&req, "state").map(str::to_owned);
    Ok(Json(sim.enqueue(NewJob {
        action: name,
        prompt: &prompt,
        seed,
        aspect,
        hook,
        state,
        recipe,
        waits,
        parent_seed,
    }))
    .into_response())
}

/// Answers a job held in a modal step: Vary (Region)'s mask and prompt, Custom Zoom's prompt
/// with its `--zoom`; the job then runs.
async fn modal(State(sim): State<Arc<Sim>>, headers: HeaderMap, bytes: Bytes) -> Answer {
    guard(&sim, &headers)?;
    let req = body(&bytes);
    let Some(task_id) = field(&req, "taskId") else {
        return Ok(Json(json!({"code": 4, "description": "taskId is required"})).into_response());
    };
    let prompt = field(&req, "prompt").map(str::to_owned);
    let mask = field(&req, "maskBase64").map(decode_base64);
    let answer = {
        let mut jobs = sim.jobs();
        let Some(job) = jobs.all.get_mut(task_id) else {
            return Ok(Json(json!({"code": 3, "description": "task not found"})).into_response());
        };
        if job.task.status.as_deref() != Some("MODAL") {
            return Ok(
                Json(json!({"code": 4, "description": "task is not waiting for a modal"}))
                    .into_response(),
            );
        }
        let recipe = match (job.spec.action(), job.recipe.as_ref()) {
            ("INPAINT", _) => {
                let Some(mask) = mask
                    .flatten()
                    .and_then(|b| crate::images::decode(&b).ok())
                    .map(|m| m.to_luma8())
                else {
                    return Ok(Json(
                        json!({"code": 4, "description": "maskBase64 is not an image"}),
                    )
                    .into_response());
                };
                draw::Recipe::Repaint {
                    parent: job.parent_seed,
                    mask,
                }
            }
            (_, draw::Recipe::Zoom { parent, of, .. }) => {
                let factor = prompt
                    .as_deref()
                    .and_then(|p| crate::prompt_flags::flag_value(p, "--zoom"))
                    .and_then(|z| z.parse::<f32>().ok())
                    .filter(|z| (1.0..=2.0).contains(z));
                let Some(factor) = factor else {
                    return Ok(Json(
                        json!({"code": 4, "description": "the prompt needs --zoom from 1 to 2"}),
                    )
                    .into_response());
                };
                draw::Recipe::Zoom {
                    parent: *parent,
                    of: *of,
                    factor,
                }
            }
            (_, other) => other.clone(),
        };
        job.recipe = Arc::new(recipe);
        if let Some(p) = &prompt {
            job.task.prompt = Some(p.clone());
        }
        job.task.status = Some("NOT_START".into());
        jobs.waiting.push_back(task_id.to_owned());
        json!({"code": 1, "description": "Submit success", "result": task_id})
    };
    Ok(Json(answer).into_response())
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let data = text.split_once(',').map_or(text, |(_, d)| d);
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .ok()
}

/// A shorten: five shorter prompts in words, with the buttons that imagine them.
async fn shorten(State(sim): State<Arc<Sim>>, headers: HeaderMap, bytes: Bytes) -> Answer {
    guard(&sim, &headers)?;
    let req = body(&bytes);
    let Some(prompt) = field(&req, "prompt") else {
        return Ok(
            Json(json!({"code": 4, "description": "prompt cannot be empty"})).into_response(),
        );
    };
    let text = shortened(prompt);
    let hook = field(&req, "notifyHook").map(str::to_owned);
    let state = field(&req, "state").map(str::to_owned);
    let answer = sim.enqueue(NewJob {
        action: "SHORTEN",
        prompt: &text,
        seed: draw::seed_of(&[prompt.as_bytes()]),
        aspect: (1, 1),
        hook,
        state,
        recipe: draw::Recipe::Plain,
        waits: false,
        parent_seed: 0,
    });
    Ok(Json(answer).into_response())
}

/// Keeps pictures where MidJourney would read them (for `--sref`, `--cref`): served by the
/// simulator under `/sim/upload/`.
async fn upload_images(State(sim): State<Arc<Sim>>, headers: HeaderMap, bytes: Bytes) -> Answer {
    guard(&sim, &headers)?;
    let req = body(&bytes);
    let given: Vec<&str> = req
        .get("base64Array")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if given.is_empty() || given.len() > 5 {
        return Ok(
            Json(json!({"code": 4, "description": "base64Array needs 1 to 5 images"}))
                .into_response(),
        );
    }
    let mut urls = Vec::new();
    for data in given {
        let Some(file) = decode_base64(data).filter(|b| crate::images::sniff(b).is_some()) else {
            return Ok(
                Json(json!({"code": 4, "description": "an image is not valid"})).into_response(),
            );
        };
        let ext = crate::images::sniff(&file).unwrap_or("png");
        let name = format!("{:016x}.{ext}", draw::seed_of(&[&file]));
        urls.push(format!("{}/sim/upload/{name}", sim.base_url));
        sim.jobs().uploads.insert(name, Bytes::from(file));
    }
    Ok(Json(json!({"code": 1, "description": "success", "result": urls})).into_response())
}

async fn uploaded(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> Answer {
    let file = sim
        .jobs()
        .uploads
        .get(&name)
        .cloned()
        .ok_or(StatusCode::NOT_FOUND)?;
    let ext = name.rsplit('.').next().unwrap_or("png");
    let mime = crate::images::mime(ext).unwrap_or("image/png");
    Ok(([(header::CONTENT_TYPE, mime)], file).into_response())
}

async fn blend(State(sim): State<Arc<Sim>>, headers: HeaderMap, bytes: Bytes) -> Answer {
    guard(&sim, &headers)?;
    let req = body(&bytes);
    let images = req
        .get("base64Array")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if !(2..=5).contains(&images) {
        return Ok(
            Json(json!({"code": 4, "description": "base64Array needs 2 to 5 images"}))
                .into_response(),
        );
    }
    let aspect = match field(&req, "dimensions") {
        Some("PORTRAIT") => (2, 3),
        Some("LANDSCAPE") => (3, 2),
        _ => (1, 1),
    };
    let seed = draw::seed_of(&[&bytes]);
    let hook = field(&req, "notifyHook").map(str::to_owned);
    // The pictures it mixes, small: a blend draws their mean.
    let inputs: Vec<image::RgbImage> = req
        .get("base64Array")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter_map(decode_base64)
                .filter_map(|b| crate::images::decode(&b).ok())
                .map(|i| i.thumbnail(128, 128).into_rgb8())
                .collect()
        })
        .unwrap_or_default();
    if inputs.len() != images {
        return Ok(
            Json(json!({"code": 4, "description": "an image of base64Array is not valid"}))
                .into_response(),
        );
    }
    Ok(Json(sim.enqueue(NewJob {
        action: "BLEND",
        prompt: "/blend",
        seed,
        aspect,
        hook,
        state: field(&req, "state").map(str::to_owned),
        recipe: draw::Recipe::Blend(inputs),
        waits: false,
        parent_seed: 0,
    }))
    .into_response())
}

async fn describe(State(sim): State<Arc<Sim>>, headers: HeaderMap, bytes: Bytes) -> Answer {
    guard(&sim, &headers)?;
    let req = body(&bytes);
    if field(&req, "base64").is_none() {
        return Ok(
            Json(json!({"code": 4, "description": "base64 cannot be empty"})).into_response(),
        );
    }
    let Some(seed) = field(&req, "base64").and_then(average_colour) else {
        return Ok(
            Json(json!({"code": 4, "description": "base64 is not an image"})).into_response(),
        );
    };
    let prompt = described(seed);
    let hook = field(&req, "notifyHook").map(str::to_owned);
    Ok(Json(sim.enqueue(NewJob {
        action: "DESCRIBE",
        prompt: &prompt,
        seed,
        aspect: (1, 1),
        hook,
        state: field(&req, "state").map(str::to_owned),
        recipe: draw::Recipe::Plain,
        waits: false,
        parent_seed: 0,
    }))
    .into_response())
}

async fn fetch(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    guard(&sim, &headers)?;
    let task = sim.task(&id).map(|(task, _)| task);
    // Like the original proxy: an unknown id is 200 with an empty body.
    Ok(match task {
        Some(t) => Json(t).into_response(),
        None => StatusCode::OK.into_response(),
    })
}

async fn list(State(sim): State<Arc<Sim>>, headers: HeaderMap, bytes: Bytes) -> Answer {
    guard(&sim, &headers)?;
    let req = body(&bytes);
    let ids: Vec<&str> = req
        .get("ids")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let tasks: Vec<Task> = ids
        .iter()
        .filter_map(|id| sim.task(id).map(|(task, _)| task))
        .collect();
    Ok(Json(tasks).into_response())
}

async fn cancel(State(sim): State<Arc<Sim>>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    guard(&sim, &headers)?;
    let found = {
        let mut jobs = sim.jobs();
        jobs.running.retain(|x| *x != id);
        jobs.waiting.retain(|x| *x != id);
        match jobs.all.get_mut(&id) {
            Some(job) if !matches!(job.task.status.as_deref(), Some("SUCCESS" | "FAILURE")) => {
                job.task.status = Some("FAILURE".into());
                job.task.fail_reason = Some("cancelled".into());
                job.task.progress = Some(String::new());
                true
            }
            Some(_) => true,
            None => false,
        }
    };
    if found {
        sim.notify(&id);
        Ok(Json(json!({"code": 1, "description": "success"})).into_response())
    } else {
        Ok(Json(json!({"code": 3, "description": "task not found"})).into_response())
    }
}

/// Final and preview images, drawn on request (deterministic, so nothing is stored).
async fn image(State(sim): State<Arc<Sim>>, Path((id, file)): Path<(String, String)>) -> Answer {
    let spec = sim
        .task(&id)
        .map(|(_, spec)| spec)
        .ok_or(StatusCode::NOT_FOUND)?;
    let (seed, aspect, single) = (spec.seed, spec.aspect, spec.single());
    if spec.text_only() {
        return Err(StatusCode::NOT_FOUND);
    }
    let recipe = sim.recipe(&id);
    let step: Option<u32> = match file.as_str() {
        "final.png" => None,
        f => Some(
            f.strip_prefix("preview-")
                .and_then(|s| s.strip_suffix(".png"))
                .and_then(|s| s.parse().ok())
                .ok_or(StatusCode::NOT_FOUND)?,
        ),
    };
    let png = tokio::task::spawn_blocking(move || {
        let img = if single {
            let (w, h) = draw::size_for(aspect, 1024);
            draw::drawn(&recipe, seed, w, h)
        } else {
            draw::drawn_grid(&recipe, seed, aspect, 512)
        };
        let img = match step {
            Some(step) => draw::blurred(&img, 64 >> (step.min(9) / 2)),
            None => img,
        };
        draw::png(&img)
    })
    .await
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

fn now_ms() -> i64 {
    crate::db::now_ms()
}
