//! The `sd_webui` engine's protocol: AUTOMATIC1111's Stable Diffusion WebUI API and Forge's,
//! which keeps it (`/sdapi/v1/txt2img`, `/img2img`, `/progress`, `/interrupt`, `/sd-models`,
//! `/samplers`). This first part needs no network: what a task may ask (checked before anything
//! is charged), the request body, and how answers, progress and errors read. The HTTP client is
//! in `client`.
//!
//! A request runs for as long as the drawing takes and answers every picture in base64; while it
//! runs, `/progress` tells how far the box is and shows the picture so far. Each request carries
//! its attempt's id as `force_task_id`, and the progress of a box that names its current task is
//! taken only when it is ours (another client may share the box).

pub mod client;

pub use client::Client;

use super::{Drawn, Picture, Submitted, UpstreamError};
use crate::{
    error::{AppError, Rule},
    types::{Scale, TaskParams},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The most pictures one task asks for (`batch_size`; each is charged).
pub const MAX_N: u8 = 4;
/// A side of the picture: a multiple of 8 within these.
pub const MIN_SIDE: u32 = 64;
pub const MAX_SIDE: u32 = 2048;
/// A task's picture is at most this many pixels (2048 x 2048 would take minutes on most boxes,
/// and its answer in base64 tens of MB).
pub const MAX_PIXELS: u32 = 2048 * 1536;
pub const MAX_STEPS: i64 = 150;
pub const MAX_CFG: i64 = 30;
/// The longest negative prompt taken.
pub const MAX_NEGATIVE: usize = 2000;
/// What WebUI itself takes when a request leaves them out.
pub const DEFAULT_SIZE: &str = "512x512";
pub const DEFAULT_STEPS: u32 = 20;
pub const DEFAULT_CFG: f64 = 7.0;
pub const DEFAULT_DENOISING: f64 = 0.75;
/// The sizes the pages offer (any multiple of 8 within the limits is taken).
pub const SIZES: [&str; 7] = [
    "512x512",
    "768x768",
    "1024x1024",
    "512x768",
    "768x512",
    "832x1216",
    "1216x832",
];

/// What a box offers: its checkpoints and samplers (`/sdapi/v1/sd-models`, `/samplers`), kept
/// with its channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Catalog {
    pub models: Vec<Checkpoint>,
    pub samplers: Vec<String>,
    /// When it was read (ms since the epoch).
    pub read_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// What `sd_model_checkpoint` takes ("v1-5-pruned-emaonly.safetensors [6ce0161689]").
    pub title: String,
    /// The short name people know it by ("v1-5-pruned-emaonly").
    pub model_name: String,
}

impl Catalog {
    pub fn has_model(&self, title: &str) -> bool {
        self.models.iter().any(|m| m.title == title)
    }
}

/// A task's request as asked (`POST /api/v1/tasks` with `engine: "sd_webui"`), unchecked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ask<'a> {
    pub prompt: &'a str,
    pub negative_prompt: Option<&'a str>,
    pub size: Option<&'a str>,
    pub n: Option<i64>,
    pub steps: Option<i64>,
    pub cfg_scale: Option<f64>,
    pub sampler: Option<&'a str>,
    pub seed: Option<i64>,
    /// An edit's: how far from the given picture (0-1).
    pub denoising_strength: Option<f64>,
}

/// A checked request: what is sent as `/txt2img`'s (or `/img2img`'s) body.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    /// The checkpoint's title; None: whatever the box has loaded.
    pub model: Option<String>,
    pub prompt: String,
    pub negative_prompt: String,
    pub width: u32,
    pub height: u32,
    pub n: u8,
    pub steps: u32,
    pub cfg_scale: f64,
    pub sampler: Option<String>,
    /// -1: the box picks one.
    pub seed: i64,
    pub denoising_strength: f64,
}

/// "WIDTHxHEIGHT", each a multiple of 8 within the limits, at most [`MAX_PIXELS`] together.
pub fn parse_size(size: &str) -> Option<(u32, u32)> {
    let (w, h) = size.trim().split_once(['x', 'X', '×'])?;
    let (w, h): (u32, u32) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    let side = |s: u32| (MIN_SIDE..=MAX_SIDE).contains(&s) && s.is_multiple_of(8);
    (side(w) && side(h) && w * h <= MAX_PIXELS).then_some((w, h))
}

impl Generation {
    /// Checks a request: a field out of bounds is a 422 naming it, before anything is charged.
    /// The sampler, when the box's list is known, must be one of it.
    pub fn new(model: Option<&str>, ask: &Ask<'_>, samplers: &[String]) -> Result<Self, AppError> {
        let prompt = ask.prompt.trim();
        if prompt.is_empty() {
            return Err(AppError::invalid("prompt", Rule::Required));
        }
        let negative = ask.negative_prompt.unwrap_or_default().trim();
        if negative.chars().count() > MAX_NEGATIVE {
            return Err(AppError::invalid(
                "negative_prompt",
                Rule::TooLong {
                    max: MAX_NEGATIVE as u32,
                },
            ));
        }
        let (width, height) = parse_size(ask.size.unwrap_or(DEFAULT_SIZE)).ok_or_else(|| {
            AppError::invalid(
                "size",
                Rule::Size {
                    min: MIN_SIDE,
                    max: MAX_SIDE,
                },
            )
        })?;
        let n = match ask.n {
            None => 1,
            Some(n) => u8::try_from(n)
                .ok()
                .filter(|n| (1..=MAX_N).contains(n))
                .ok_or_else(|| AppError::range("n", 1, i64::from(MAX_N)))?,
        };
        let steps = match ask.steps {
            None => DEFAULT_STEPS,
            Some(s) if (1..=MAX_STEPS).contains(&s) => s as u32,
            Some(_) => return Err(AppError::range("steps", 1, MAX_STEPS)),
        };
        let number = |field: &str, v: Option<f64>, default: f64, min: i64, max: i64| match v {
            None => Ok(default),
            Some(v) if v.is_finite() && v >= min as f64 && v <= max as f64 => Ok(v),
            Some(_) => Err(AppError::invalid(field, Rule::Number { min, max })),
        };
        let cfg_scale = number("cfg_scale", ask.cfg_scale, DEFAULT_CFG, 1, MAX_CFG)?;
        let denoising_strength = number(
            "denoising_strength",
            ask.denoising_strength,
            DEFAULT_DENOISING,
            0,
            1,
        )?;
        let sampler = match ask.sampler.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) if samplers.is_empty() || samplers.iter().any(|k| k == s) => Some(s.to_owned()),
            Some(_) => {
                return Err(AppError::invalid(
                    "sampler",
                    Rule::OneOf {
                        options: samplers.to_vec(),
                    },
                ));
            }
        };
        let seed = match ask.seed {
            None => -1,
            Some(s) if (-1..=i64::from(u32::MAX)).contains(&s) => s,
            Some(_) => return Err(AppError::range("seed", -1, i64::from(u32::MAX))),
        };
        Ok(Self {
            model: model.map(str::to_owned),
            prompt: prompt.to_owned(),
            negative_prompt: negative.to_owned(),
            width,
            height,
            n,
            steps,
            cfg_scale,
            sampler,
            seed,
            denoising_strength,
        })
    }

    /// The request a stored task makes (its parameters were checked at submit).
    pub fn of_task(model: Option<&str>, prompt: &str, p: &TaskParams) -> Result<Self, AppError> {
        let ask = Ask {
            prompt,
            negative_prompt: p.negative_prompt.as_deref(),
            size: p.size.as_deref(),
            n: p.n.map(i64::from),
            steps: p.steps.map(i64::from),
            cfg_scale: p.cfg_scale.map(|s| s.0),
            sampler: p.sampler.as_deref(),
            seed: p.seed,
            denoising_strength: p.denoising_strength.map(|s| s.0),
        };
        Self::new(model, &ask, &[])
    }

    /// What the task keeps of it (`params` of its view). An edit's strength only for edits.
    pub fn params(&self, edit: bool) -> TaskParams {
        TaskParams {
            size: Some(format!("{}x{}", self.width, self.height)),
            n: Some(self.n),
            negative_prompt: Some(self.negative_prompt.clone()).filter(|n| !n.is_empty()),
            seed: Some(self.seed),
            steps: Some(self.steps),
            cfg_scale: Some(Scale(self.cfg_scale)),
            sampler: self.sampler.clone(),
            denoising_strength: edit.then_some(Scale(self.denoising_strength)),
            ..TaskParams::default()
        }
    }

    /// `/txt2img`'s body, the request known upstream as `task_id`.
    pub fn txt2img(&self, task_id: &str) -> Value {
        let mut body = json!({
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "width": self.width,
            "height": self.height,
            "steps": self.steps,
            "cfg_scale": self.cfg_scale,
            "seed": self.seed,
            "batch_size": self.n,
            "n_iter": 1,
            "send_images": true,
            "save_images": false,
            "force_task_id": task_id,
            "override_settings_restore_afterwards": true,
        });
        if let Some(s) = &self.sampler {
            body["sampler_name"] = json!(s);
        }
        if let Some(m) = &self.model {
            body["override_settings"] = json!({"sd_model_checkpoint": m});
        }
        body
    }

    /// `/img2img`'s body: the picture to start from and, to repaint only part of it, a mask whose
    /// white pixels are that part (both PNG, JPEG or WebP bytes).
    pub fn img2img(&self, task_id: &str, image: &[u8], mask: Option<&[u8]>) -> Value {
        use base64::Engine as _;
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let mut body = self.txt2img(task_id);
        body["init_images"] = json!([b64(image)]);
        body["denoising_strength"] = json!(self.denoising_strength);
        body["resize_mode"] = json!(0);
        if let Some(mask) = mask {
            body["mask"] = json!(b64(mask));
            body["mask_blur"] = json!(4);
            // Start from the picture's own pixels under the mask; white is repainted.
            body["inpainting_fill"] = json!(1);
            body["inpainting_mask_invert"] = json!(0);
            body["inpaint_full_res"] = json!(false);
        }
        body
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    images: Vec<String>,
    /// A JSON document in a string.
    #[serde(default)]
    info: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Info {
    index_of_first_image: usize,
}

/// Reads a 2xx answer: `{images: [base64...], parameters, info}`. A grid the box adds first
/// (`index_of_first_image`) and what extensions append after the pictures (ControlNet's maps)
/// are left out: the `n` pictures asked for are kept.
pub fn read_answer(body: &[u8], n: u8) -> Result<Drawn, UpstreamError> {
    let a: Answer = serde_json::from_slice(body)
        .map_err(|e| UpstreamError::Protocol(format!("not a WebUI answer: {e}")))?;
    let info: Info = a
        .info
        .as_deref()
        .and_then(|i| serde_json::from_str(i).ok())
        .unwrap_or_default();
    let pictures: Vec<Picture> = a
        .images
        .into_iter()
        .skip(info.index_of_first_image)
        .filter(|i| !i.is_empty())
        .take(usize::from(n))
        .map(Picture::Base64)
        .collect();
    if pictures.is_empty() {
        return Err(UpstreamError::Protocol("an answer without images".into()));
    }
    Ok(Drawn {
        pictures,
        text: None,
    })
}

/// What an error answer means for the task. WebUI answers a request it cannot run (an unknown
/// checkpoint or sampler: 404 or 422 `{detail}`; out of GPU memory at this size: 500 `{error,
/// errors}`) in words, and trying again would fail the same: the task fails with those words and
/// is refunded. A wrong login is the channel's; a proxy's 502 or a crash without words, a fault
/// of the channel that another channel (or a later try) may not have.
pub fn read_error(status: u16, body: &[u8]) -> Result<Submitted, UpstreamError> {
    let said = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| words(&v));
    match (status, said) {
        (401 | 403, _) => Err(UpstreamError::Unauthorized),
        (429 | 503, _) => Ok(Submitted::Later {
            reason: format!("HTTP {status}"),
        }),
        (400..=499, said) => Ok(Submitted::Rejected {
            reason: said.unwrap_or_else(|| format!("HTTP {status}")),
        }),
        (500, Some(said)) => Ok(Submitted::Rejected { reason: said }),
        _ => Err(UpstreamError::Failed(format!("HTTP {status}"))),
    }
}

/// The words of an error body: FastAPI's `detail` (a string, or a list of `{msg}`), or WebUI's
/// `{error, errors}` for a failure while drawing.
fn words(v: &Value) -> Option<String> {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let detail = match v.get("detail") {
        Some(Value::Array(items)) => {
            let msgs: Vec<String> = items
                .iter()
                .filter_map(|i| {
                    let msg = text(i.get("msg"))?;
                    let at = i
                        .get("loc")
                        .and_then(Value::as_array)
                        .and_then(|l| l.last())
                        .map(|l| l.to_string().trim_matches('"').to_owned());
                    Some(at.map_or(msg.clone(), |at| format!("{at}: {msg}")))
                })
                .collect();
            (!msgs.is_empty()).then(|| msgs.join("; "))
        }
        other => text(other),
    };
    let said = detail
        .or_else(|| text(v.get("errors")))
        .or_else(|| text(v.get("error")))?;
    Some(said.chars().take(300).collect())
}

/// How far the box's current job is (`/sdapi/v1/progress`).
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// 0-100, below 100 while it runs.
    pub percent: u8,
    /// The picture so far, in base64.
    pub preview: Option<String>,
}

#[derive(Deserialize)]
struct ProgressBody {
    #[serde(default)]
    progress: f64,
    #[serde(default)]
    state: ProgressState,
    #[serde(default)]
    current_image: Option<String>,
    /// The task under way, in boxes that say (a request's `force_task_id`).
    #[serde(default)]
    current_task: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProgressState {
    job_count: i64,
    interrupted: bool,
}

/// Reads `/progress` for the job known as `task_id`: None when the box is idle, runs another's
/// job, or was interrupted.
pub fn read_progress(body: &[u8], task_id: &str) -> Result<Option<Progress>, UpstreamError> {
    let p: ProgressBody = serde_json::from_slice(body)
        .map_err(|e| UpstreamError::Protocol(format!("not a WebUI progress answer: {e}")))?;
    let others = p.current_task.as_deref().is_some_and(|t| t != task_id);
    if p.state.job_count <= 0 || p.state.interrupted || others || !p.progress.is_finite() {
        return Ok(None);
    }
    Ok(Some(Progress {
        percent: (p.progress.clamp(0.0, 0.99) * 100.0).floor() as u8,
        preview: p.current_image.filter(|i| !i.is_empty()),
    }))
}

/// Is the box's current job `task_id`'s (or does the box not say)? An interrupt is sent only
/// then.
pub fn runs_task(body: &[u8], task_id: &str) -> bool {
    serde_json::from_slice::<ProgressBody>(body).is_ok_and(|p| {
        p.state.job_count > 0 && p.current_task.as_deref().is_none_or(|t| t == task_id)
    })
}

/// Reads `/sdapi/v1/sd-models`: `[{title, model_name, ...}]`.
pub fn read_models(body: &[u8]) -> Result<Vec<Checkpoint>, UpstreamError> {
    let list: Vec<Value> = serde_json::from_slice(body)
        .map_err(|e| UpstreamError::Protocol(format!("not a checkpoint list: {e}")))?;
    Ok(list
        .iter()
        .filter_map(|m| {
            let title = m.get("title")?.as_str()?.trim().to_owned();
            let name = m
                .get("model_name")
                .and_then(Value::as_str)
                .map_or_else(|| title.clone(), str::to_owned);
            (!title.is_empty()).then_some(Checkpoint {
                title,
                model_name: name,
            })
        })
        .collect())
}

/// Reads `/sdapi/v1/samplers`: `[{name, aliases, options}]`.
pub fn read_samplers(body: &[u8]) -> Result<Vec<String>, UpstreamError> {
    let list: Vec<Value> = serde_json::from_slice(body)
        .map_err(|e| UpstreamError::Protocol(format!("not a sampler list: {e}")))?;
    Ok(list
        .iter()
        .filter_map(|s| Some(s.get("name")?.as_str()?.to_owned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(prompt: &str) -> Ask<'_> {
        Ask {
            prompt,
            ..Ask::default()
        }
    }

    #[test]
    fn requests_are_checked_field_by_field_and_keep_webuis_defaults() {
        let g = Generation::new(Some("sdxl [abc]"), &ask(" a fox "), &[]).unwrap();
        assert_eq!(
            (g.width, g.height, g.steps, g.n, g.seed),
            (512, 512, 20, 1, -1)
        );
        let body = g.txt2img("t1");
        assert_eq!(body["prompt"], "a fox");
        assert_eq!(
            body["override_settings"]["sd_model_checkpoint"],
            "sdxl [abc]"
        );
        assert_eq!(body["force_task_id"], "t1");
        assert!(
            body.get("sampler_name").is_none(),
            "the box's default sampler"
        );
        let samplers = vec!["Euler a".to_owned(), "DPM++ 2M".to_owned()];
        let field = |a: Ask<'_>| {
            Generation::new(None, &a, &samplers)
                .unwrap_err()
                .field()
                .map(str::to_owned)
        };
        let bad = [
            (
                Ask {
                    size: Some("500x512"),
                    ..ask("x")
                },
                "size",
            ),
            (
                Ask {
                    size: Some("4096x4096"),
                    ..ask("x")
                },
                "size",
            ),
            (
                Ask {
                    n: Some(5),
                    ..ask("x")
                },
                "n",
            ),
            (
                Ask {
                    steps: Some(0),
                    ..ask("x")
                },
                "steps",
            ),
            (
                Ask {
                    cfg_scale: Some(f64::NAN),
                    ..ask("x")
                },
                "cfg_scale",
            ),
            (
                Ask {
                    cfg_scale: Some(31.0),
                    ..ask("x")
                },
                "cfg_scale",
            ),
            (
                Ask {
                    sampler: Some("Heun"),
                    ..ask("x")
                },
                "sampler",
            ),
            (
                Ask {
                    seed: Some(-2),
                    ..ask("x")
                },
                "seed",
            ),
            (
                Ask {
                    denoising_strength: Some(1.5),
                    ..ask("x")
                },
                "denoising_strength",
            ),
            (ask("  "), "prompt"),
        ];
        for (a, f) in bad {
            assert_eq!(field(a).as_deref(), Some(f));
        }
        let g = Generation::new(
            None,
            &Ask {
                size: Some("832x1216"),
                n: Some(4),
                cfg_scale: Some(4.5),
                sampler: Some("DPM++ 2M"),
                seed: Some(42),
                ..ask("x")
            },
            &samplers,
        )
        .unwrap();
        let p = g.params(false);
        assert_eq!(p.size.as_deref(), Some("832x1216"));
        assert_eq!(p.cfg_scale, Some(Scale(4.5)));
        let again = Generation::of_task(None, "x", &p).unwrap();
        assert_eq!(again, g, "a stored task asks the same again");
        assert_eq!(again.txt2img("t")["batch_size"], 4);
    }

    #[test]
    fn an_edit_sends_the_picture_and_the_mask_in_base64() {
        let g = Generation::new(None, &ask("x"), &[]).unwrap();
        let body = g.img2img("t", b"pic", Some(b"mask"));
        assert_eq!(body["init_images"], json!(["cGlj"]));
        assert_eq!(body["mask"], "bWFzaw==");
        assert_eq!(body["denoising_strength"], 0.75);
        assert!(g.img2img("t", b"pic", None).get("mask").is_none());
    }

    #[test]
    fn answers_keep_the_pictures_asked_for() {
        let a = read_answer(
            br#"{"images": ["grid", "a", "b", "controlnet-map"], "parameters": {},
                 "info": "{\"index_of_first_image\": 1, \"seed\": 7}"}"#,
            2,
        )
        .unwrap();
        assert_eq!(
            a.pictures,
            vec![Picture::Base64("a".into()), Picture::Base64("b".into())]
        );
        let plain = read_answer(br#"{"images": ["a"], "info": "not json"}"#, 1).unwrap();
        assert_eq!(plain.pictures.len(), 1);
        assert!(matches!(
            read_answer(br#"{"images": []}"#, 1),
            Err(UpstreamError::Protocol(_))
        ));
    }

    #[test]
    fn errors_in_words_fail_the_task_and_the_rest_are_the_channels() {
        assert_eq!(
            read_error(404, br#"{"detail": "Model not found"}"#).unwrap(),
            Submitted::Rejected {
                reason: "Model not found".into()
            }
        );
        match read_error(
            422,
            br#"{"detail": [{"loc": ["body", "steps"], "msg": "value is not a valid integer"}]}"#,
        ) {
            Ok(Submitted::Rejected { reason }) => {
                assert_eq!(reason, "steps: value is not a valid integer");
            }
            other => panic!("{other:?}"),
        }
        match read_error(
            500,
            br#"{"error": "OutOfMemoryError", "detail": "", "body": "", "errors": "CUDA out of memory."}"#,
        ) {
            Ok(Submitted::Rejected { reason }) => assert_eq!(reason, "CUDA out of memory."),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_error(401, br#"{"detail": "Incorrect username or password"}"#),
            Err(UpstreamError::Unauthorized)
        ));
        assert!(matches!(
            read_error(502, b"<html>"),
            Err(UpstreamError::Failed(_))
        ));
        assert!(matches!(
            read_error(500, b""),
            Err(UpstreamError::Failed(_))
        ));
    }

    #[test]
    fn progress_is_read_only_for_our_own_job() {
        let body = |task: &str, jobs: i64| {
            format!(
                r#"{{"progress": 0.456, "eta_relative": 3.1, "textinfo": null,
                    "state": {{"job_count": {jobs}, "sampling_step": 9, "sampling_steps": 20, "interrupted": false}},
                    "current_image": "cHJldmlldw==", "current_task": "{task}"}}"#
            )
        };
        let ours = read_progress(body("t1", 1).as_bytes(), "t1")
            .unwrap()
            .unwrap();
        assert_eq!(ours.percent, 45);
        assert_eq!(ours.preview.as_deref(), Some("cHJldmlldw=="));
        assert_eq!(read_progress(body("t2", 1).as_bytes(), "t1").unwrap(), None);
        assert_eq!(read_progress(body("t1", 0).as_bytes(), "t1").unwrap(), None);
        assert!(runs_task(body("t1", 1).as_bytes(), "t1"));
        assert!(!runs_task(body("t2", 1).as_bytes(), "t1"));
        // A box that does not name its task: its job is taken to be ours.
        let unnamed = br#"{"progress": 1.0, "state": {"job_count": 1}}"#;
        assert_eq!(read_progress(unnamed, "t1").unwrap().unwrap().percent, 99);
        assert!(runs_task(unnamed, "t1"));
    }

    #[test]
    fn checkpoints_and_samplers_are_read() {
        let models = read_models(
            br#"[{"title": "v1-5-pruned-emaonly.safetensors [6ce0161689]", "model_name": "v1-5-pruned-emaonly",
                  "hash": "6ce0161689", "sha256": "x", "filename": "/m/v1.safetensors", "config": null},
                 {"model_name": "no title"}]"#,
        )
        .unwrap();
        assert_eq!(
            models,
            vec![Checkpoint {
                title: "v1-5-pruned-emaonly.safetensors [6ce0161689]".into(),
                model_name: "v1-5-pruned-emaonly".into()
            }]
        );
        assert_eq!(
            read_samplers(br#"[{"name": "Euler a", "aliases": ["k_euler_a"], "options": {}}]"#)
                .unwrap(),
            vec!["Euler a".to_owned()]
        );
    }
}
