//! The `openai` engine's protocol: the OpenAI Images API (`POST {base}/images/generations`, and
//! `/images/edits` as multipart), as OpenAI itself and relays that speak it answer. This first
//! part is what does not need the network: which models take which sizes, qualities and counts
//! (checked before anything is charged), the request body, and how answers and errors read.
//! The HTTP client is in `client`.

pub mod client;

pub use client::Client;

use super::{Drawn, Picture, Submitted, UpstreamError};
use crate::error::{AppError, Rule};
use serde::{Deserialize, Serialize};

/// One model of the Images API and what it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Model {
    pub id: &'static str,
    /// The name people know it by.
    pub label: &'static str,
    pub sizes: &'static [&'static str],
    pub qualities: &'static [&'static str],
    /// What OpenAI takes when a request leaves size or quality out.
    pub default_size: &'static str,
    pub default_quality: &'static str,
    /// The most images one request may ask for.
    pub max_n: u8,
    /// Takes `response_format` (the gpt-image models always answer base64).
    pub response_format: bool,
    /// Offers `/images/edits`.
    pub edits: bool,
}

/// The models Atelier offers, in the order the pages list them.
pub const MODELS: [Model; 3] = [
    Model {
        id: "gpt-image-1",
        label: "GPT Image 1",
        sizes: &["1024x1024", "1536x1024", "1024x1536", "auto"],
        qualities: &["low", "medium", "high", "auto"],
        default_size: "auto",
        default_quality: "auto",
        max_n: 10,
        response_format: false,
        edits: true,
    },
    Model {
        id: "dall-e-3",
        label: "DALL·E 3",
        sizes: &["1024x1024", "1792x1024", "1024x1792"],
        qualities: &["standard", "hd"],
        default_size: "1024x1024",
        default_quality: "standard",
        max_n: 1,
        response_format: true,
        edits: false,
    },
    Model {
        id: "dall-e-2",
        label: "DALL·E 2",
        sizes: &["256x256", "512x512", "1024x1024"],
        qualities: &["standard"],
        default_size: "1024x1024",
        default_quality: "standard",
        max_n: 10,
        response_format: true,
        edits: true,
    },
];

/// The most images Atelier asks for in one task (each is charged).
pub const MAX_N: u8 = 4;

pub fn model(id: &str) -> Option<&'static Model> {
    MODELS.iter().find(|m| m.id == id)
}

/// The body of `POST /images/generations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Generation {
    pub model: String,
    pub prompt: String,
    pub n: u8,
    pub size: String,
    pub quality: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_format: Option<&'static str>,
}

impl Generation {
    /// Checks a request against its model: a field the model does not take is a 422 naming
    /// it, before anything is charged. Absent size and quality are what OpenAI takes then.
    pub fn new(
        model_id: &str,
        prompt: &str,
        n: u8,
        size: Option<&str>,
        quality: Option<&str>,
    ) -> Result<Self, AppError> {
        let one_of = |field: &str, options: &[&str]| {
            AppError::invalid(
                field,
                Rule::OneOf {
                    options: options.iter().map(|o| (*o).to_owned()).collect(),
                },
            )
        };
        let ids: Vec<&str> = MODELS.iter().map(|m| m.id).collect();
        let m = model(model_id).ok_or_else(|| one_of("model", &ids))?;
        if prompt.trim().is_empty() {
            return Err(AppError::invalid("prompt", Rule::Required));
        }
        let max_n = m.max_n.min(MAX_N);
        if n < 1 || n > max_n {
            return Err(AppError::range("n", 1, i64::from(max_n)));
        }
        let pick = |field: &str,
                    given: Option<&str>,
                    options: &'static [&'static str],
                    default: &'static str| match given {
            None => Ok(default),
            Some(v) => options
                .iter()
                .copied()
                .find(|o| *o == v)
                .ok_or_else(|| one_of(field, options)),
        };
        Ok(Self {
            model: m.id.to_owned(),
            prompt: prompt.trim().to_owned(),
            n,
            size: pick("size", size, m.sizes, m.default_size)?.to_owned(),
            quality: pick("quality", quality, m.qualities, m.default_quality)?.to_owned(),
            response_format: m.response_format.then_some("b64_json"),
        })
    }
}

/// Whether the model offers edits: a 422 naming those that do, if not.
pub fn takes_edits(model_id: &str) -> Result<(), AppError> {
    if model(model_id).is_some_and(|m| m.edits) {
        return Ok(());
    }
    let edits: Vec<String> = MODELS
        .iter()
        .filter(|m| m.edits)
        .map(|m| m.id.to_owned())
        .collect();
    Err(AppError::invalid("model", Rule::OneOf { options: edits }))
}

/// The body of `POST /images/edits`: a generation's fields with the picture and its mask.
#[derive(Debug, Clone)]
pub struct Edit {
    pub generation: Generation,
    /// The picture to change (PNG, JPEG or WebP).
    pub image: bytes::Bytes,
    /// Its mask as the API wants it: a PNG whose transparent pixels are the part to repaint.
    pub mask: Option<bytes::Bytes>,
}

impl Edit {
    /// Checks the request as [`Generation::new`] does, and that the model takes edits.
    pub fn new(
        generation: Generation,
        image: bytes::Bytes,
        mask: Option<bytes::Bytes>,
    ) -> Result<Self, AppError> {
        takes_edits(&generation.model)?;
        Ok(Self {
            generation,
            image,
            mask,
        })
    }

    /// The multipart form: the text fields, then `image` and `mask` as files.
    pub fn form(&self) -> reqwest::multipart::Form {
        let g = &self.generation;
        let file = |bytes: &bytes::Bytes, name: &'static str| {
            let ext = crate::images::sniff(bytes).unwrap_or("png");
            let mime = crate::images::mime(ext).unwrap_or("image/png");
            reqwest::multipart::Part::stream(reqwest::Body::from(bytes.clone()))
                .file_name(format!("{name}.{ext}"))
                .mime_str(mime)
                .unwrap_or_else(|_| reqwest::multipart::Part::bytes(Vec::new()))
        };
        let mut form = reqwest::multipart::Form::new()
            .text("model", g.model.clone())
            .text("prompt", g.prompt.clone())
            .text("n", g.n.to_string())
            .text("size", g.size.clone());
        if g.model.starts_with("gpt-image") {
            form = form.text("quality", g.quality.clone());
        }
        if let Some(f) = g.response_format {
            form = form.text("response_format", f);
        }
        form = form.part("image", file(&self.image, "image"));
        if let Some(mask) = &self.mask {
            form = form.part("mask", file(mask, "mask"));
        }
        form
    }
}

#[derive(Deserialize)]
struct Body {
    data: Vec<Datum>,
}

#[derive(Deserialize)]
struct Datum {
    b64_json: Option<String>,
    url: Option<String>,
    revised_prompt: Option<String>,
}

/// Reads a 2xx answer: `{data: [{b64_json | url, revised_prompt?}]}`. The prompt as the model
/// rewrote it (dall-e-3) becomes the task's text.
pub fn read_answer(body: &[u8]) -> Result<Drawn, UpstreamError> {
    let body: Body = serde_json::from_slice(body)
        .map_err(|e| UpstreamError::Protocol(format!("not an Images API answer: {e}")))?;
    let mut revised_prompt = None;
    let mut pictures = Vec::with_capacity(body.data.len());
    for d in body.data {
        revised_prompt = revised_prompt.or(d.revised_prompt.filter(|p| !p.is_empty()));
        pictures.push(match (d.b64_json, d.url) {
            (Some(b), _) if !b.is_empty() => Picture::Base64(b),
            (_, Some(u)) if !u.is_empty() => Picture::Url(u),
            _ => {
                return Err(UpstreamError::Protocol(
                    "an image with neither b64_json nor url".into(),
                ));
            }
        });
    }
    if pictures.is_empty() {
        return Err(UpstreamError::Protocol("an answer without images".into()));
    }
    Ok(Drawn {
        pictures,
        text: revised_prompt,
    })
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

/// What an error answer means for the task: refused for good (the content policy, bad input:
/// it fails with the upstream's words and is refunded), later (rate limits: the channel's
/// back-off retries while the deadline allows), or a fault of the channel (a wrong key, an
/// exhausted quota, a 5xx: it counts against the channel, and the task may go elsewhere).
pub fn read_error(status: u16, body: &[u8]) -> Result<Submitted, UpstreamError> {
    let detail = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|b| b.error);
    let message = detail
        .as_ref()
        .map(|d| d.message.trim().to_owned())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("HTTP {status}"));
    let code = detail
        .as_ref()
        .and_then(|d| d.code.clone().or_else(|| d.kind.clone()))
        .unwrap_or_default();
    match status {
        401 | 403 => Err(UpstreamError::Unauthorized),
        429 if code == "insufficient_quota" || code == "billing_hard_limit_reached" => {
            Err(UpstreamError::NoAccount(message))
        }
        429 => Ok(Submitted::Later { reason: message }),
        400..=499 => Ok(Submitted::Rejected { reason: message }),
        _ => Err(UpstreamError::Failed(message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_model_takes_only_its_sizes_qualities_and_counts() {
        let g = Generation::new("dall-e-3", " a fox ", 1, None, Some("hd")).unwrap();
        assert_eq!(
            serde_json::to_value(&g).unwrap(),
            serde_json::json!({"model": "dall-e-3", "prompt": "a fox", "n": 1,
                               "size": "1024x1024", "quality": "hd", "response_format": "b64_json"})
        );
        let g = Generation::new("gpt-image-1", "a fox", 4, Some("1536x1024"), None).unwrap();
        assert_eq!(g.quality, "auto", "OpenAI's default, and its price");
        assert!(
            !serde_json::to_string(&g)
                .unwrap()
                .contains("response_format"),
            "the gpt-image models refuse response_format"
        );
        let field = |r: Result<Generation, AppError>| r.unwrap_err().field().map(str::to_owned);
        assert_eq!(
            field(Generation::new("dall-e-3", "a fox", 2, None, None)).as_deref(),
            Some("n")
        );
        assert_eq!(
            field(Generation::new(
                "dall-e-2",
                "a fox",
                1,
                Some("1792x1024"),
                None
            ))
            .as_deref(),
            Some("size")
        );
        assert_eq!(
            field(Generation::new("dall-e-2", "a fox", 1, None, Some("hd"))).as_deref(),
            Some("quality")
        );
        assert_eq!(
            field(Generation::new("dall-e-4", "a fox", 1, None, None)).as_deref(),
            Some("model")
        );
        assert_eq!(
            field(Generation::new("dall-e-2", "  ", 1, None, None)).as_deref(),
            Some("prompt")
        );
    }

    #[test]
    fn answers_in_base64_or_urls_are_read_with_the_revised_prompt() {
        let a = read_answer(
            br#"{"created": 1, "data": [{"b64_json": "iVBORw0K", "revised_prompt": "A red fox."},
                                         {"url": "https://cdn.example/2.png"}]}"#,
        )
        .unwrap();
        assert_eq!(
            a.pictures,
            vec![
                Picture::Base64("iVBORw0K".into()),
                Picture::Url("https://cdn.example/2.png".into())
            ]
        );
        assert_eq!(a.text.as_deref(), Some("A red fox."));
        for bad in [&br#"{"data": []}"#[..], br#"{"data": [{}]}"#, b"<html>"] {
            assert!(matches!(read_answer(bad), Err(UpstreamError::Protocol(_))));
        }
    }

    #[test]
    fn errors_say_whether_the_task_fails_waits_or_the_channel_is_at_fault() {
        let policy = br#"{"error": {"message": "Your request was rejected by the safety system.",
                                     "type": "image_generation_user_error", "code": "content_policy_violation"}}"#;
        assert_eq!(
            read_error(400, policy).unwrap(),
            Submitted::Rejected {
                reason: "Your request was rejected by the safety system.".into()
            }
        );
        assert!(matches!(
            read_error(429, br#"{"error": {"message": "Rate limit reached"}}"#),
            Ok(Submitted::Later { .. })
        ));
        assert!(matches!(
            read_error(
                429,
                br#"{"error": {"message": "quota", "code": "insufficient_quota"}}"#
            ),
            Err(UpstreamError::NoAccount(_))
        ));
        assert!(matches!(
            read_error(401, b""),
            Err(UpstreamError::Unauthorized)
        ));
        match read_error(502, b"<html>bad gateway</html>") {
            Err(UpstreamError::Failed(m)) => assert_eq!(m, "HTTP 502"),
            other => panic!("{other:?}"),
        }
    }
}
