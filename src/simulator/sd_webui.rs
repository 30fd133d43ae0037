//! The built-in Stable Diffusion WebUI, under `/sd`: `/sdapi/v1/txt2img`, `/img2img`,
//! `/progress`, `/interrupt`, `/sd-models`, `/samplers`, with `--api-auth` (HTTP basic auth, any
//! user, the simulator's secret as the password). As WebUI does, it draws one job at a time
//! (others wait for the box), answers when the pictures are done, and while it draws `/progress`
//! tells the step and shows the picture so far, naming the job by its `force_task_id`. A job of
//! `steps` steps takes ten simulator steps in all; an interrupt ends it at the next step with
//! what it has.

use super::{draw, protocol::Sim};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::Engine as _;
use image::{Rgb, RgbImage};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// The checkpoints the box has: (title, model_name).
pub const CHECKPOINTS: [(&str, &str); 2] = [
    (
        "atelier-landscape-v1.safetensors [5a1e0c0de1]",
        "atelier-landscape-v1",
    ),
    (
        "atelier-dusk-xl.safetensors [d05c0de002]",
        "atelier-dusk-xl",
    ),
];
pub const SAMPLERS: [&str; 4] = ["Euler a", "Euler", "DPM++ 2M", "DDIM"];

/// The job being drawn.
#[derive(Default)]
struct Current {
    task_id: Option<String>,
    step: u32,
    steps: u32,
    /// The picture so far, PNG in base64.
    preview: Option<String>,
    interrupted: bool,
}

struct Webui {
    sim: Arc<Sim>,
    /// WebUI's queue lock: one job at a time.
    turn: tokio::sync::Mutex<()>,
    current: Mutex<Current>,
}

impl Webui {
    fn current(&self) -> std::sync::MutexGuard<'_, Current> {
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The API under `base` (`/sd` beside the others, the root alone).
pub fn router(sim: Arc<Sim>, base: &'static str) -> Router {
    let state = Arc::new(Webui {
        sim,
        turn: tokio::sync::Mutex::new(()),
        current: Mutex::new(Current::default()),
    });
    Router::new()
        .route(&format!("{base}/sdapi/v1/txt2img"), post(txt2img))
        .route(&format!("{base}/sdapi/v1/img2img"), post(img2img))
        .route(&format!("{base}/sdapi/v1/progress"), get(progress))
        .route(&format!("{base}/sdapi/v1/interrupt"), post(interrupt))
        .route(&format!("{base}/sdapi/v1/sd-models"), get(models))
        .route(&format!("{base}/sdapi/v1/samplers"), get(samplers))
        .with_state(state)
}

/// An error as WebUI's FastAPI answers it: `{detail}`, with the status.
struct Fault(StatusCode, &'static str);

impl IntoResponse for Fault {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if self.0 == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Basic"),
            );
        }
        (self.0, headers, Json(json!({"detail": self.1}))).into_response()
    }
}

type Answer = Result<Response, Fault>;

fn fault(status: StatusCode, detail: &'static str) -> Fault {
    Fault(status, detail)
}

fn guard(b: &Webui, headers: &HeaderMap) -> Result<(), Fault> {
    let secret = b.sim.secret();
    if secret.is_empty() {
        return Ok(());
    }
    let password = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| base64::engine::general_purpose::STANDARD.decode(v).ok())
        .and_then(|v| String::from_utf8(v).ok())
        .and_then(|v| v.split_once(':').map(|(_, p)| p.to_owned()));
    if password.as_deref() == Some(secret) {
        Ok(())
    } else {
        Err(fault(
            StatusCode::UNAUTHORIZED,
            "Incorrect username or password",
        ))
    }
}

async fn models(State(b): State<Arc<Webui>>, headers: HeaderMap) -> Answer {
    guard(&b, &headers)?;
    let list: Vec<Value> = CHECKPOINTS
        .iter()
        .map(|(title, name)| {
            json!({"title": title, "model_name": name, "hash": title.rsplit('[').next().map(|h| h.trim_end_matches(']')),
                   "sha256": null, "filename": format!("/models/Stable-diffusion/{name}.safetensors"), "config": null})
        })
        .collect();
    Ok(Json(list).into_response())
}

async fn samplers(State(b): State<Arc<Webui>>, headers: HeaderMap) -> Answer {
    guard(&b, &headers)?;
    let list: Vec<Value> = SAMPLERS
        .iter()
        .map(|s| json!({"name": s, "aliases": [], "options": {}}))
        .collect();
    Ok(Json(list).into_response())
}

async fn progress(State(b): State<Arc<Webui>>, headers: HeaderMap) -> Answer {
    guard(&b, &headers)?;
    let c = b.current();
    let busy = c.task_id.is_some();
    let fraction = if busy && c.steps > 0 {
        f64::from(c.step) / f64::from(c.steps)
    } else {
        0.0
    };
    Ok(Json(json!({
        "progress": fraction,
        "eta_relative": 0.0,
        "state": {"skipped": false, "interrupted": c.interrupted, "job": if busy { "scripts_txt2img" } else { "" },
                  "job_count": i32::from(busy), "job_no": 0, "sampling_step": c.step, "sampling_steps": c.steps},
        "current_image": if busy { c.preview.clone() } else { None },
        "textinfo": null,
        "current_task": c.task_id.clone(),
    }))
    .into_response())
}

async fn interrupt(State(b): State<Arc<Webui>>, headers: HeaderMap) -> Answer {
    guard(&b, &headers)?;
    let mut c = b.current();
    if c.task_id.is_some() {
        c.interrupted = true;
    }
    Ok(Json(json!({})).into_response())
}

/// A drawing request's JSON body, from a client that logged in.
fn request(b: &Webui, headers: &HeaderMap, body: &[u8]) -> Result<Value, Fault> {
    guard(b, headers)?;
    serde_json::from_slice(body)
        .map_err(|_| fault(StatusCode::UNPROCESSABLE_ENTITY, "The body is not JSON."))
}

async fn txt2img(
    State(b): State<Arc<Webui>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Answer {
    let req = request(&b, &headers, &body)?;
    draw_job(&b, &req, None).await
}

async fn img2img(
    State(b): State<Arc<Webui>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Answer {
    let req = request(&b, &headers, &body)?;
    let decode = |v: Option<&Value>| -> Result<Option<image::DynamicImage>, Fault> {
        let Some(text) = v.and_then(Value::as_str) else {
            return Ok(None);
        };
        let text = text.split_once(',').map_or(text, |(_, d)| d);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| fault(StatusCode::UNPROCESSABLE_ENTITY, "Invalid encoded image"))?;
        crate::images::decode(&bytes)
            .map(Some)
            .map_err(|_| fault(StatusCode::UNPROCESSABLE_ENTITY, "Invalid encoded image"))
    };
    let init = decode(req.get("init_images").and_then(|i| i.get(0)))?
        .ok_or_else(|| fault(StatusCode::NOT_FOUND, "Init image not found"))?;
    let mask = decode(req.get("mask"))?;
    draw_job(&b, &req, Some((init, mask))).await
}

/// Checks a job as WebUI does, waits for the box, draws it step by step, and answers.
async fn draw_job(
    b: &Webui,
    req: &Value,
    edit: Option<(image::DynamicImage, Option<image::DynamicImage>)>,
) -> Answer {
    let int = |k: &str, d: i64| req.get(k).and_then(Value::as_i64).unwrap_or(d);
    let text = |k: &str| req.get(k).and_then(Value::as_str).unwrap_or_default();
    let (w, h) = (int("width", 512), int("height", 512));
    if !(64..=2048).contains(&w) || !(64..=2048).contains(&h) {
        return Err(fault(
            StatusCode::UNPROCESSABLE_ENTITY,
            "width and height: 64-2048",
        ));
    }
    let steps = int("steps", 20).clamp(1, 150) as u32;
    let n = int("batch_size", 1).clamp(1, 8) as u32;
    let sampler = req
        .get("sampler_name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    if sampler.is_some_and(|s| !SAMPLERS.contains(&s)) {
        return Err(fault(StatusCode::NOT_FOUND, "Sampler not found"));
    }
    let checkpoint = req
        .pointer("/override_settings/sd_model_checkpoint")
        .and_then(Value::as_str)
        .unwrap_or(CHECKPOINTS[0].0);
    if !CHECKPOINTS.iter().any(|(t, _)| *t == checkpoint) {
        return Err(fault(StatusCode::NOT_FOUND, "Model not found"));
    }
    let asked_seed = int("seed", -1);
    let seed = if asked_seed >= 0 {
        asked_seed as u64
    } else {
        draw::seed_of(&[
            text("prompt").as_bytes(),
            &crate::db::now_ms().to_le_bytes(),
        ]) & 0xffff_ffff
    };
    let strength = req
        .get("denoising_strength")
        .and_then(Value::as_f64)
        .unwrap_or(0.75)
        .clamp(0.0, 1.0) as f32;
    let base = draw::seed_of(&[
        checkpoint.as_bytes(),
        text("prompt").as_bytes(),
        text("negative_prompt").as_bytes(),
        &seed.to_le_bytes(),
    ]);
    let (w, h) = (w as u32, h as u32);
    let edit = Arc::new(edit);
    let paint = move |i: u32| {
        let drawn = draw::picture(draw::tile_seed(base, i + 1), w, h);
        match edit.as_ref() {
            Some((init, mask)) => repaint(init, mask.as_ref(), &drawn, strength),
            None => drawn,
        }
    };

    let _turn = b.turn.lock().await;
    let task_id = req
        .get("force_task_id")
        .and_then(Value::as_str)
        .map_or_else(|| format!("task({seed})"), str::to_owned);
    *b.current() = Current {
        task_id: Some(task_id),
        step: 0,
        steps,
        preview: None,
        interrupted: false,
    };
    let ends = Ends(b);
    // Ten simulator steps in all, whatever the sampling steps.
    let each = b.sim.step() * 10 / steps;
    let first = {
        let paint = paint.clone();
        tokio::task::spawn_blocking(move || paint(0))
            .await
            .map_err(|_| fault(StatusCode::INTERNAL_SERVER_ERROR, "drawing failed"))?
    };
    for step in 1..=steps {
        tokio::time::sleep(each).await;
        if b.current().interrupted {
            break;
        }
        let shows = step % (steps / 4).max(1) == 0 && step < steps;
        let preview = if shows {
            let left = (steps - step).max(1);
            let img = draw::blurred(&first, (left * 16 / steps).max(2));
            Some(base64::engine::general_purpose::STANDARD.encode(draw::png(&img)))
        } else {
            None
        };
        let mut c = b.current();
        c.step = step;
        if preview.is_some() {
            c.preview = preview;
        }
    }
    let pictures = tokio::task::spawn_blocking(move || {
        (0..n)
            .map(|i| {
                let img = if i == 0 { first.clone() } else { paint(i) };
                base64::engine::general_purpose::STANDARD.encode(draw::png(&img))
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|_| fault(StatusCode::INTERNAL_SERVER_ERROR, "drawing failed"))?;
    drop(ends);
    let seeds: Vec<u64> = (0..u64::from(n)).map(|i| seed + i).collect();
    let info = json!({"prompt": text("prompt"), "seed": seed, "all_seeds": seeds, "sd_model_name": checkpoint,
                      "width": w, "height": h, "steps": steps, "index_of_first_image": 0});
    Ok(
        Json(json!({"images": pictures, "parameters": {}, "info": info.to_string()}))
            .into_response(),
    )
}

/// The box is idle again when the job ends, however it ends.
struct Ends<'a>(&'a Webui);

impl Drop for Ends<'_> {
    fn drop(&mut self) {
        *self.0.current() = Current::default();
    }
}

/// img2img: the drawn picture mixed into the given one by `strength`, only where the mask is
/// white when there is a mask (WebUI's inpainting).
fn repaint(
    init: &image::DynamicImage,
    mask: Option<&image::DynamicImage>,
    drawn: &RgbImage,
    strength: f32,
) -> RgbImage {
    let (w, h) = drawn.dimensions();
    let base = init
        .resize_exact(w, h, image::imageops::FilterType::Triangle)
        .into_rgb8();
    let mask = mask.map(|m| {
        m.resize_exact(w, h, image::imageops::FilterType::Nearest)
            .into_luma8()
    });
    RgbImage::from_fn(w, h, |x, y| {
        let a = base.get_pixel(x, y).0;
        if mask.as_ref().is_some_and(|m| m.get_pixel(x, y).0[0] < 128) {
            return Rgb(a);
        }
        let d = drawn.get_pixel(x, y).0;
        Rgb([0, 1, 2].map(|c| {
            (f32::from(a[c]) * (1.0 - strength) + f32::from(d[c]) * strength).round() as u8
        }))
    })
}
