//! The built-in OpenAI Images API: `GET /models`, `POST /images/generations` and
//! `POST /images/edits` (multipart) under `/openai/v1`, as OpenAI answers them: one request per
//! job that answers when the pictures are drawn (three simulator steps; `high` and `hd` take
//! twice as long), `b64_json` (or a `url` it serves, where the model takes `response_format`),
//! the revised prompt of dall-e-3, and OpenAI's error form for a refused prompt, a wrong key or
//! a bad field.

use super::{draw, protocol::Sim};
use crate::engines::openai::{self, MODELS};
use axum::{
    Json, Router,
    extract::{Multipart, Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use base64::Engine as _;
use image::{GenericImageView, Rgb, RgbImage};
use serde_json::{Value, json};
use std::sync::Arc;

/// Words the simulator's safety system refuses, as OpenAI's does with its own.
const REFUSED: [&str; 3] = ["gore", "bloodbath", "nsfw"];

/// The API under `base` (`/openai/v1` beside the others, `/v1` alone).
pub fn router(sim: Arc<Sim>, base: &'static str) -> Router {
    Router::new()
        .route(&format!("{base}/models"), get(models))
        .route(&format!("{base}/images/generations"), post(generations))
        .route(&format!("{base}/images/edits"), post(edits))
        .route(&format!("{base}/files/{{name}}"), get(file))
        .with_state((sim, base))
}

/// An error answer, in OpenAI's form.
type Fault = (StatusCode, Json<Value>);
type Answer = Result<Response, Fault>;

fn error(status: StatusCode, message: &str, kind: &str, param: Option<&str>, code: &str) -> Fault {
    let body = json!({"error": {"message": message, "type": kind, "param": param, "code": code}});
    (status, Json(body))
}

fn bad(param: &str, message: &str) -> Fault {
    error(
        StatusCode::BAD_REQUEST,
        message,
        "invalid_request_error",
        Some(param),
        "invalid_value",
    )
}

fn guard(sim: &Sim, headers: &HeaderMap) -> Result<(), Fault> {
    let secret = sim.secret();
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if secret.is_empty() || given == Some(secret) {
        Ok(())
    } else {
        Err(error(
            StatusCode::UNAUTHORIZED,
            "Incorrect API key provided.",
            "invalid_request_error",
            None,
            "invalid_api_key",
        ))
    }
}

async fn models(State((sim, _)): State<(Arc<Sim>, &'static str)>, headers: HeaderMap) -> Answer {
    guard(&sim, &headers)?;
    let data: Vec<Value> = MODELS
        .iter()
        .map(|m| json!({"id": m.id, "object": "model", "created": 0, "owned_by": "atelier-simulator"}))
        .collect();
    Ok(Json(json!({"object": "list", "data": data})).into_response())
}

/// What a request asks for, checked as OpenAI checks it.
struct Ask {
    model: &'static openai::Model,
    prompt: String,
    n: u8,
    size: (u32, u32),
    slow: bool,
    url: bool,
}

fn ask(
    model: Option<&str>,
    prompt: Option<&str>,
    n: Option<u64>,
    size: Option<&str>,
    quality: Option<&str>,
    response_format: Option<&str>,
) -> Result<Ask, Fault> {
    let model = openai::model(model.unwrap_or("dall-e-2"))
        .ok_or_else(|| bad("model", "The model does not exist."))?;
    let prompt = prompt
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or_else(|| bad("prompt", "A prompt is required."))?;
    if REFUSED.iter().any(|w| prompt.to_lowercase().contains(w)) {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "Your request was rejected as a result of our safety system.",
            "image_generation_user_error",
            None,
            "content_policy_violation",
        ));
    }
    let n = n.unwrap_or(1);
    if n < 1 || n > u64::from(model.max_n) {
        return Err(bad(
            "n",
            &format!("n must be between 1 and {}.", model.max_n),
        ));
    }
    let size = size.unwrap_or(model.default_size);
    if !model.sizes.contains(&size) {
        return Err(bad(
            "size",
            &format!("{size} is not a size {} takes.", model.id),
        ));
    }
    let quality = quality.unwrap_or(model.default_quality);
    if !model.qualities.contains(&quality) {
        return Err(bad(
            "quality",
            &format!("{quality} is not a quality {} takes.", model.id),
        ));
    }
    let url = match response_format {
        None | Some("b64_json") => false,
        Some("url") if model.response_format => true,
        Some(_) => {
            return Err(bad(
                "response_format",
                "response_format must be b64_json or url.",
            ));
        }
    };
    let (w, h) = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .unwrap_or((1024, 1024));
    Ok(Ask {
        model,
        prompt: prompt.to_owned(),
        n: n as u8,
        size: (w, h),
        slow: matches!(quality, "high" | "hd"),
        url,
    })
}

async fn generations(
    State((sim, base)): State<(Arc<Sim>, &'static str)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Answer {
    guard(&sim, &headers)?;
    let req: Value =
        serde_json::from_slice(&body).map_err(|_| bad("body", "The body is not JSON."))?;
    let text = |k: &str| req.get(k).and_then(Value::as_str);
    let a = ask(
        text("model"),
        text("prompt"),
        req.get("n").and_then(Value::as_u64),
        text("size"),
        text("quality"),
        text("response_format"),
    )?;
    answer(&sim, base, a, None).await
}

async fn edits(
    State((sim, base)): State<(Arc<Sim>, &'static str)>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Answer {
    guard(&sim, &headers)?;
    let (mut fields, mut image, mut mask) = (serde_json::Map::new(), None, None);
    while let Some(part) = form
        .next_field()
        .await
        .map_err(|_| bad("body", "The body is not a multipart form."))?
    {
        let name = part.name().unwrap_or_default().to_owned();
        let bytes = part
            .bytes()
            .await
            .map_err(|_| bad(&name, "The field could not be read."))?;
        match name.as_str() {
            "image" | "image[]" => image = Some(bytes),
            "mask" => mask = Some(bytes),
            _ => {
                fields.insert(
                    name,
                    Value::String(String::from_utf8_lossy(&bytes).into_owned()),
                );
            }
        }
    }
    let text = |k: &str| fields.get(k).and_then(Value::as_str);
    let a = ask(
        text("model"),
        text("prompt"),
        text("n").and_then(|n| n.parse().ok()),
        text("size"),
        text("quality"),
        text("response_format"),
    )?;
    if !a.model.edits {
        return Err(bad(
            "model",
            &format!("{} does not take edits.", a.model.id),
        ));
    }
    let image = image.ok_or_else(|| bad("image", "An image is required."))?;
    let decode = |bytes: &[u8], field: &str| {
        crate::images::decode(bytes)
            .map_err(|_| bad(field, "The file is not a PNG, JPEG or WebP image."))
    };
    let image = decode(&image, "image")?;
    let mask = mask.map(|m| decode(&m, "mask")).transpose()?;
    answer(&sim, base, a, Some((image, mask))).await
}

/// Waits as long as the drawing would take, then answers the pictures.
async fn answer(
    sim: &Sim,
    base: &str,
    a: Ask,
    edit: Option<(image::DynamicImage, Option<image::DynamicImage>)>,
) -> Answer {
    let steps = if a.slow { 6 } else { 3 };
    tokio::time::sleep(sim.step() * steps).await;
    let (w, h) = a.size;
    let seed = draw::seed_of(&[a.model.id.as_bytes(), a.prompt.as_bytes()]);
    let n = a.n;
    let pictures = tokio::task::spawn_blocking(move || {
        (0..n)
            .map(|i| {
                let drawn = draw::picture(draw::tile_seed(seed, u32::from(i) + 1), w, h);
                let img = match &edit {
                    Some((image, mask)) => repaint(image, mask.as_ref(), &drawn),
                    None => drawn,
                };
                draw::png(&img)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|_| {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The drawing failed.",
            "server_error",
            None,
            "server_error",
        )
    })?;
    let revised =
        (a.model.id == "dall-e-3").then(|| format!("A detailed picture of {}.", a.prompt));
    let data: Vec<Value> = pictures
        .iter()
        .enumerate()
        .map(|(i, png)| {
            let mut d = if a.url {
                json!({"url": format!("{}{base}/files/{seed:x}-{}-{w}x{h}.png", sim.base_url(), i + 1)})
            } else {
                json!({"b64_json": base64::engine::general_purpose::STANDARD.encode(png)})
            };
            if let Some(r) = &revised {
                d["revised_prompt"] = Value::String(r.clone());
            }
            d
        })
        .collect();
    Ok(Json(json!({"created": crate::db::now_ms() / 1000, "data": data})).into_response())
}

/// An edit: the given picture, scaled to the output's size, with the drawn one where the mask is
/// transparent (everywhere when there is no mask's alpha to go by).
fn repaint(
    image: &image::DynamicImage,
    mask: Option<&image::DynamicImage>,
    drawn: &RgbImage,
) -> RgbImage {
    let (w, h) = drawn.dimensions();
    let base = image
        .resize_exact(w, h, image::imageops::FilterType::Triangle)
        .into_rgb8();
    let mask = mask.map(|m| m.resize_exact(w, h, image::imageops::FilterType::Nearest));
    RgbImage::from_fn(w, h, |x, y| {
        let repainted = match &mask {
            Some(m) => m.get_pixel(x, y).0[3] < 128,
            None => true,
        };
        if repainted {
            let (a, b) = (base.get_pixel(x, y).0, drawn.get_pixel(x, y).0);
            // Keep a trace of the original, as an edit does.
            Rgb([0, 1, 2].map(|c| ((u16::from(a[c]) + 3 * u16::from(b[c])) / 4) as u8))
        } else {
            *base.get_pixel(x, y)
        }
    })
}

/// A picture answered as a `url`: drawn again from its name.
async fn file(Path(name): Path<String>) -> Result<Response, StatusCode> {
    let parse = || -> Option<(u64, u32, u32, u32)> {
        let stem = name.strip_suffix(".png")?;
        let mut parts = stem.split('-');
        let seed = u64::from_str_radix(parts.next()?, 16).ok()?;
        let index: u32 = parts.next()?.parse().ok()?;
        let (w, h) = parts.next()?.split_once('x')?;
        let (w, h): (u32, u32) = (w.parse().ok()?, h.parse().ok()?);
        (w <= 2048 && h <= 2048 && (1..=10).contains(&index)).then_some((seed, index, w, h))
    };
    let (seed, index, w, h) = parse().ok_or(StatusCode::NOT_FOUND)?;
    let png = tokio::task::spawn_blocking(move || {
        draw::png(&draw::picture(draw::tile_seed(seed, index), w, h))
    })
    .await
    .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}
