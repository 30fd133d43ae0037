//! Serde types of the midjourney-proxy protocol, tolerant of how real servers vary.

use crate::engines::Phase;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountFilter {
    pub modes: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImagineRequest<'a> {
    pub prompt: &'a str,
    /// Image prompts, as data URLs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base64_array: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_hook: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_filter: Option<AccountFilter>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionRequest<'a> {
    pub task_id: &'a str,
    pub custom_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_hook: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_filter: Option<AccountFilter>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModalRequest<'a> {
    pub task_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mask_base64: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_hook: Option<&'a str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlendRequest<'a> {
    /// 2-5 images as data URLs.
    pub base64_array: &'a [String],
    /// PORTRAIT, SQUARE or LANDSCAPE.
    pub dimensions: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_hook: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_filter: Option<AccountFilter>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeRequest<'a> {
    /// One image as a data URL.
    pub base64: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_hook: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_filter: Option<AccountFilter>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShortenRequest<'a> {
    pub prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_hook: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_filter: Option<AccountFilter>,
}

/// `/mj/submit/upload-discord-images`: pictures to put where MidJourney can read them (for
/// `--sref` and `--cref`), answered with their URLs in `result`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadRequest<'a> {
    pub base64_array: &'a [String],
}

#[derive(Debug, Clone, Deserialize)]
pub struct UploadResult {
    pub code: i64,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub result: Option<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRequest<'a> {
    #[serde(borrow)]
    pub ids: Vec<&'a str>,
}

/// `{code, description, result, properties}` of every submit.
#[derive(Debug, Clone, Deserialize)]
pub struct SubmitResult {
    pub code: i64,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "opt_id")]
    pub result: Option<String>,
    #[serde(default)]
    pub properties: Option<Value>,
}

/// A task as the upstream reports it (by fetch, list or notify hook).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Task {
    #[serde(deserialize_with = "id")]
    pub id: String,
    pub action: Option<String>,
    pub status: Option<String>,
    pub prompt: Option<String>,
    pub image_url: Option<String>,
    /// Free text such as "46%" (or "" on failure).
    pub progress: Option<String>,
    pub fail_reason: Option<String>,
    pub submit_time: Option<i64>,
    pub start_time: Option<i64>,
    pub finish_time: Option<i64>,
    pub buttons: Vec<WireButton>,
    pub state: Option<String>,
    pub properties: Option<Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WireButton {
    pub custom_id: String,
    pub emoji: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: i64,
    pub style: i64,
}

impl Task {
    pub fn phase(&self) -> Phase {
        match self.status.as_deref().unwrap_or("") {
            "SUCCESS" => Phase::Success,
            "FAILURE" | "CANCEL" => Phase::Failure,
            "IN_PROGRESS" => Phase::Running,
            "MODAL" => Phase::Modal,
            _ => Phase::Waiting,
        }
    }

    /// The first `N%` in the progress text, clamped to 0-100.
    pub fn progress_percent(&self) -> Option<u8> {
        parse_percent(self.progress.as_deref()?)
    }
}

pub fn parse_percent(text: &str) -> Option<u8> {
    let bytes = text.as_bytes();
    let pct = bytes.iter().position(|b| *b == b'%')?;
    let start = bytes[..pct]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let n: u32 = text.get(start..pct)?.parse().ok()?;
    Some(n.min(100) as u8)
}

/// Ids arrive as strings or (some servers) numbers.
fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_id(d)?.unwrap_or_default())
}

fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_the_first_percentage_in_free_text() {
        assert_eq!(parse_percent("46%"), Some(46));
        assert_eq!(parse_percent("Waiting... 7% (fast)"), Some(7));
        assert_eq!(parse_percent("100%"), Some(100));
        assert_eq!(parse_percent("250%"), Some(100));
        assert_eq!(parse_percent(""), None);
        assert_eq!(parse_percent("%"), None);
    }

    #[test]
    fn tasks_parse_with_numeric_ids_and_missing_fields() {
        let t: Task = serde_json::from_str(
            r#"{"id": 1712345678901234, "status": "IN_PROGRESS", "progress": "46%", "imageUrl": null}"#,
        )
        .unwrap();
        assert_eq!(t.id, "1712345678901234");
        assert_eq!(t.phase(), Phase::Running);
        assert_eq!(t.progress_percent(), Some(46));
        let r: SubmitResult =
            serde_json::from_str(r#"{"code": 22, "description": "queued", "result": "17"}"#)
                .unwrap();
        assert_eq!((r.code, r.result.as_deref()), (22, Some("17")));
    }
}
