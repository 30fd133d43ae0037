//! The midjourney engine: the midjourney-proxy protocol (see shared/design/midjourney-proxy.md).
//! Its submit codes, customId grammar, MODAL steps, `--niji` and `accountFilter` stay in here.

pub mod client;
pub mod wire;

pub use client::{SubmitOutcome, Upstream};

use super::{Job, Phase, RemoteUpdate, Submitted, UpstreamError};
use crate::types::{Button, Mode, TaskAction};

/// What a button does, from its customId, and whether the upstream will ask for more through a
/// modal step that only the user can answer (a prompt or a mask). None: a button Atelier does not
/// know (see [`button_kind`]).
pub fn button_action(custom_id: &str) -> Option<(TaskAction, Needs)> {
    let mut parts = custom_id.split("::");
    let (Some("MJ"), Some(group), Some(kind)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Some(match (group, kind) {
        ("JOB", "upsample") => (TaskAction::Upscale, Needs::Nothing),
        ("JOB", k) if k.starts_with("upsample_") => (TaskAction::Upscale, Needs::Nothing),
        ("JOB", "variation" | "low_variation" | "high_variation") => {
            (TaskAction::Variation, Needs::Nothing)
        }
        ("JOB", "reroll") => (TaskAction::Reroll, Needs::Nothing),
        ("JOB", k) if k.starts_with("pan_") => (TaskAction::Pan, Needs::Nothing),
        ("Outpaint", _) => (TaskAction::Zoom, Needs::Nothing),
        ("CustomZoom", _) => (TaskAction::Zoom, Needs::Prompt),
        ("Inpaint", _) => (TaskAction::Inpaint, Needs::Mask),
        // A describe's or a shorten's "imagine this prompt" (1-4 or 1-5), and a describe's retry.
        ("Job", "PicReader" | "PromptAnalyzer") => (TaskAction::Imagine, Needs::Nothing),
        ("Picread", "Retry") => (TaskAction::Describe, Needs::Nothing),
        _ => return None,
    })
}

/// What pressing any button does: a known one as [`button_action`] says, any other (a button a
/// newer MidJourney sends) as a follow-up pressed as it is.
pub fn button_kind(custom_id: &str) -> (TaskAction, Needs) {
    button_action(custom_id).unwrap_or((TaskAction::Other, Needs::Nothing))
}

/// Under which of [`crate::types::ACTION_PRICES`] a button is priced; None: it draws a new grid
/// of a prompt (a describe's or a shorten's), priced as its mode's grid.
pub fn price_key(custom_id: &str) -> Option<&'static str> {
    let mut parts = custom_id.split("::").skip(1);
    let (group, kind) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    Some(match (group, kind) {
        ("JOB", "upsample") => "upscale",
        ("JOB", k) if k.starts_with("upsample_") && k.contains("creative") => "upscale_creative",
        ("JOB", k) if k.starts_with("upsample_") => "upscale_subtle",
        ("JOB", "variation") => "variation",
        ("JOB", "low_variation") => "vary_subtle",
        ("JOB", "high_variation") => "vary_strong",
        ("JOB", "reroll") => "reroll",
        ("JOB", k) if k.starts_with("pan_") => "pan",
        ("Outpaint", "100") => "make_square",
        ("Outpaint", _) => "zoom_out",
        ("CustomZoom", _) => "custom_zoom",
        ("Inpaint", _) => "vary_region",
        ("Job", "PicReader" | "PromptAnalyzer") => return None,
        ("Picread", _) => "describe",
        _ => "other",
    })
}

/// Which of a grid's four pictures a button acts on (U2, V3), from its customId; None for a
/// button of a single picture (`::SOLO`) or of the whole grid.
pub fn picture_of(custom_id: &str) -> Option<u8> {
    custom_id
        .split("::")
        .nth(3)
        .and_then(|n| n.parse::<u8>().ok())
        .filter(|n| (1..=4).contains(n) && !custom_id.ends_with("::SOLO"))
}

/// A button as the pages show it: what it does and which picture it acts on, from its customId.
pub fn describe(mut button: Button) -> Button {
    button.action = button_action(&button.custom_id).map(|(a, _)| a);
    button.index = picture_of(&button.custom_id);
    button.direction = button
        .custom_id
        .split("::")
        .nth(2)
        .and_then(|k| k.strip_prefix("pan_"))
        .filter(|d| ["left", "right", "up", "down"].contains(d))
        .map(str::to_owned);
    button
}

/// What a modal step needs from the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing new: the task's own prompt confirms it (Remix on, a reroll or a variation).
    Nothing,
    /// A prompt (Custom Zoom: the prompt with `--zoom`).
    Prompt,
    /// A mask and a prompt (Vary Region).
    Mask,
}

/// The name midjourney-proxies use in `accountFilter.modes`.
fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Fast => "FAST",
        Mode::Relax => "RELAX",
        Mode::Turbo => "TURBO",
    }
}

/// Submits a job: `/mj/submit/imagine` for a new picture, `/mj/submit/action` for a button.
pub async fn submit(client: &Upstream, job: &Job<'_>) -> Result<Submitted, UpstreamError> {
    let task = job.task;
    let filter = task.mode.map(|m| wire::AccountFilter {
        modes: vec![mode_name(m)],
    });
    let images = |role: &str| -> Vec<String> {
        job.inputs
            .iter()
            .filter(|(r, _)| r == role)
            .map(|(_, b)| data_url(b))
            .collect()
    };
    // A follow-up (a button of another task) goes as that button, whatever it does.
    let outcome = if task.custom_id.is_none() && task.action == TaskAction::Imagine {
        let bot = task.prompt.contains("--niji").then_some("NIJI_JOURNEY");
        let references = images("reference");
        let prompt = match with_references(client, &task.prompt, &task.params.0, &images).await? {
            Ok(p) => p,
            Err(reason) => return Ok(Submitted::Rejected { reason }),
        };
        let req = wire::ImagineRequest {
            prompt: &prompt,
            base64_array: (!references.is_empty()).then_some(references),
            bot_type: bot,
            notify_hook: job.notify_hook,
            state: Some(job.attempt),
            account_filter: filter,
        };
        client.imagine(&req).await?
    } else if task.custom_id.is_none() && task.action == TaskAction::Blend {
        let req = wire::BlendRequest {
            base64_array: &images("blend"),
            dimensions: blend_dimensions(task.params.0.dimensions.as_deref()),
            notify_hook: job.notify_hook,
            state: Some(job.attempt),
            account_filter: filter,
        };
        client.blend(&req).await?
    } else if task.custom_id.is_none() && task.action == TaskAction::Describe {
        let Some(image) = images("describe").into_iter().next() else {
            return Ok(Submitted::Rejected {
                reason: "The picture to describe is gone.".into(),
            });
        };
        let req = wire::DescribeRequest {
            base64: &image,
            notify_hook: job.notify_hook,
            state: Some(job.attempt),
            account_filter: filter,
        };
        client.describe(&req).await?
    } else if task.custom_id.is_none() && task.action == TaskAction::Shorten {
        let req = wire::ShortenRequest {
            prompt: &task.prompt,
            bot_type: task.prompt.contains("--niji").then_some("NIJI_JOURNEY"),
            notify_hook: job.notify_hook,
            state: Some(job.attempt),
            account_filter: filter,
        };
        client.shorten(&req).await?
    } else {
        let (Some(parent), Some(custom_id)) = (job.parent_upstream_id, task.custom_id.as_deref())
        else {
            return Ok(Submitted::Rejected {
                reason: "The original task is gone.".into(),
            });
        };
        let req = wire::ActionRequest {
            task_id: parent,
            custom_id,
            notify_hook: job.notify_hook,
            state: Some(job.attempt),
            account_filter: filter,
        };
        match client.action(&req).await? {
            // On a button, code 3 means the task it belongs to is unknown there.
            SubmitOutcome::NoAccount { description } => SubmitOutcome::Refused { description },
            other => other,
        }
    };
    submitted(outcome)
}

/// The prompt with its style and character references: the pictures put where MidJourney reads
/// them (upload-discord-images), then named by `--sref` and `--cref` with their weights. Err: the
/// proxy would not take them, in its words.
async fn with_references(
    client: &Upstream,
    prompt: &str,
    params: &crate::types::TaskParams,
    images: &impl Fn(&str) -> Vec<String>,
) -> Result<Result<String, String>, UpstreamError> {
    let mut prompt = prompt.trim().to_owned();
    for (role, flag, weight_flag, weight) in [
        ("sref", "--sref", "--sw", params.sw),
        ("cref", "--cref", "--cw", params.cw),
    ] {
        let pictures = images(role);
        if pictures.is_empty() {
            continue;
        }
        let urls = match client.upload_images(&pictures).await? {
            Ok(urls) => urls,
            Err(reason) => return Ok(Err(reason)),
        };
        prompt = format!("{prompt} {flag} {}", urls.join(" "));
        if let Some(w) = weight {
            prompt = format!("{prompt} {weight_flag} {w}");
        }
    }
    Ok(Ok(prompt))
}

pub use crate::prompt_flags::numbered_prompt;

/// An image as the proxy takes it: a data URL of its own media type.
fn data_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    let mime = crate::images::sniff(bytes)
        .and_then(crate::images::mime)
        .unwrap_or("image/png");
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// A blend's `dimensions` as the proxy names them (square unless asked otherwise).
pub fn blend_dimensions(asked: Option<&str>) -> &'static str {
    match asked {
        Some("portrait") => "PORTRAIT",
        Some("landscape") => "LANDSCAPE",
        _ => "SQUARE",
    }
}

/// Confirms a modal step with `prompt`, and for Vary (Region) the mask (a PNG, white where it
/// repaints).
pub async fn confirm_modal(
    client: &Upstream,
    upstream_id: &str,
    prompt: &str,
    mask: Option<&[u8]>,
    notify_hook: Option<&str>,
) -> Result<Submitted, UpstreamError> {
    let mask = mask.map(data_url);
    let req = wire::ModalRequest {
        task_id: upstream_id,
        prompt: Some(prompt),
        mask_base64: mask.as_deref(),
        notify_hook,
    };
    submitted(client.modal(&req).await?)
}

fn submitted(outcome: SubmitOutcome) -> Result<Submitted, UpstreamError> {
    Ok(match outcome {
        SubmitOutcome::Accepted { id } | SubmitOutcome::Queued { id, .. } => {
            Submitted::Accepted { upstream_id: id }
        }
        SubmitOutcome::Existing { id } => Submitted::Existing { upstream_id: id },
        SubmitOutcome::QueueFull => Submitted::Later {
            reason: "upstream queue full".into(),
        },
        SubmitOutcome::Transient { description } => Submitted::Later {
            reason: description,
        },
        SubmitOutcome::BannedWord { word, description } => Submitted::Rejected {
            reason: format!("Banned word: {}", word.unwrap_or(description)),
        },
        SubmitOutcome::Refused { description } => Submitted::Rejected {
            reason: if description.is_empty() {
                "The upstream refused the task.".to_owned()
            } else {
                description
            },
        },
        SubmitOutcome::NoAccount { description } => {
            return Err(UpstreamError::NoAccount(description));
        }
    })
}

/// A task as the proxy reports it, in neutral words.
pub fn update_of(t: &wire::Task) -> RemoteUpdate {
    let phase = t.phase();
    let url = t.image_url.clone().filter(|u| !u.is_empty());
    let text = matches!(t.action.as_deref(), Some("DESCRIBE" | "SHORTEN"))
        .then(|| {
            t.properties
                .as_ref()
                .and_then(|p| p.get("finalPrompt"))
                .and_then(|v| v.as_str())
                .or(t.prompt.as_deref())
                .map(str::to_owned)
        })
        .flatten();
    RemoteUpdate {
        upstream_id: t.id.clone(),
        phase,
        progress: t.progress_percent(),
        preview_url: if phase == Phase::Running {
            url.clone()
        } else {
            None
        },
        image_urls: if phase == Phase::Success {
            url.into_iter().collect()
        } else {
            Vec::new()
        },
        buttons: t
            .buttons
            .iter()
            .filter(|b| !b.custom_id.is_empty())
            .map(|b| {
                describe(Button {
                    custom_id: b.custom_id.clone(),
                    label: b.label.clone(),
                    emoji: b.emoji.clone(),
                    action: None,
                    index: None,
                    direction: None,
                    cost: None,
                })
            })
            .collect(),
        text,
        fail_reason: t.fail_reason.clone().filter(|r| !r.trim().is_empty()),
    }
}

/// News of many jobs in one request. An entry that does not read as a task is left out (so
/// only that task misses this poll).
pub async fn poll(client: &Upstream, ids: &[&str]) -> Result<Vec<RemoteUpdate>, UpstreamError> {
    Ok(client.list(ids).await?.iter().map(update_of).collect())
}

/// News of one job; None when the upstream does not know it.
pub async fn fetch(client: &Upstream, id: &str) -> Result<Option<RemoteUpdate>, UpstreamError> {
    Ok(client.fetch(id).await?.as_ref().map(update_of))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_describes_prompts_are_read_by_their_number() {
        let text = "1️⃣ a red fox\n\n2️⃣ 3d render of a fox --ar 1:1\n\n3. a den\n\n4️⃣ snow";
        assert_eq!(numbered_prompt(text, 1).as_deref(), Some("a red fox"));
        assert_eq!(
            numbered_prompt(text, 2).as_deref(),
            Some("3d render of a fox --ar 1:1")
        );
        assert_eq!(numbered_prompt(text, 3).as_deref(), Some("a den"));
        assert_eq!(numbered_prompt(text, 5), None);
        assert_eq!(numbered_prompt(text, 0), None);
    }

    #[test]
    fn a_shortens_prompts_are_read_by_their_number_after_its_analysis() {
        let text = "**Shortened prompts**\n1️⃣ red fox, snow\n2️⃣ 3d fox, dusk\n5️⃣ fox";
        assert_eq!(numbered_prompt(text, 1).as_deref(), Some("red fox, snow"));
        assert_eq!(numbered_prompt(text, 2).as_deref(), Some("3d fox, dusk"));
        assert_eq!(numbered_prompt(text, 5).as_deref(), Some("fox"));
        assert_eq!(numbered_prompt(text, 3), None);
    }

    #[test]
    fn a_follow_up_knows_which_picture_of_the_grid_it_was_made_from() {
        for (id, picture) in [
            ("MJ::JOB::upsample::2::h", Some(2)),
            ("MJ::JOB::variation::4::h", Some(4)),
            // A button of a single picture, or of the whole grid, names none.
            ("MJ::JOB::upsample_v6_2x_subtle::1::h::SOLO", None),
            ("MJ::JOB::reroll::0::h::SOLO", None),
            ("MJ::Outpaint::50::1::h::SOLO", None),
            ("MJ::CustomZoom::h", None),
            ("MJ::JOB::upsample::9::h", None),
        ] {
            assert_eq!(picture_of(id), picture, "{id}");
        }
    }

    #[test]
    fn every_button_has_a_price_and_any_unknown_one_is_a_follow_up() {
        for (id, key) in [
            ("MJ::JOB::upsample::2::h", Some("upscale")),
            (
                "MJ::JOB::upsample_v6_2x_subtle::1::h::SOLO",
                Some("upscale_subtle"),
            ),
            (
                "MJ::JOB::upsample_v6_2x_creative::1::h::SOLO",
                Some("upscale_creative"),
            ),
            ("MJ::JOB::variation::3::h", Some("variation")),
            ("MJ::JOB::low_variation::1::h::SOLO", Some("vary_subtle")),
            ("MJ::JOB::high_variation::1::h::SOLO", Some("vary_strong")),
            ("MJ::Inpaint::1::h::SOLO", Some("vary_region")),
            ("MJ::JOB::reroll::0::h::SOLO", Some("reroll")),
            ("MJ::JOB::pan_down::1::h::SOLO", Some("pan")),
            ("MJ::Outpaint::75::1::h::SOLO", Some("zoom_out")),
            ("MJ::Outpaint::100::1::h::SOLO", Some("make_square")),
            ("MJ::CustomZoom::h", Some("custom_zoom")),
            ("MJ::Picread::Retry", Some("describe")),
            ("MJ::Job::PicReader::2", None),
            ("MJ::Job::PromptAnalyzer::5", None),
            ("MJ::BOOKMARK::h", Some("other")),
        ] {
            assert_eq!(price_key(id), key, "{id}");
            assert!(key.is_none_or(|k| crate::types::ACTION_PRICES.contains(&k)));
        }
        assert_eq!(
            button_kind("MJ::BOOKMARK::h"),
            (TaskAction::Other, Needs::Nothing)
        );
        assert_eq!(
            button_kind("MJ::Job::PromptAnalyzer::1"),
            (TaskAction::Imagine, Needs::Nothing)
        );
    }

    #[test]
    fn buttons_map_to_actions_and_what_they_need() {
        let a = |id: &str| button_action(id);
        assert_eq!(
            a("MJ::JOB::upsample::1::abc"),
            Some((TaskAction::Upscale, Needs::Nothing))
        );
        assert_eq!(
            a("MJ::JOB::variation::4::abc"),
            Some((TaskAction::Variation, Needs::Nothing))
        );
        assert_eq!(
            a("MJ::JOB::high_variation::1::abc::SOLO"),
            Some((TaskAction::Variation, Needs::Nothing))
        );
        assert_eq!(
            a("MJ::JOB::reroll::0::abc::SOLO"),
            Some((TaskAction::Reroll, Needs::Nothing))
        );
        assert_eq!(
            a("MJ::JOB::pan_left::1::abc::SOLO"),
            Some((TaskAction::Pan, Needs::Nothing))
        );
        assert_eq!(
            a("MJ::Outpaint::50::1::abc::SOLO"),
            Some((TaskAction::Zoom, Needs::Nothing))
        );
        assert_eq!(
            a("MJ::CustomZoom::abc"),
            Some((TaskAction::Zoom, Needs::Prompt))
        );
        assert_eq!(
            a("MJ::Inpaint::1::abc::SOLO"),
            Some((TaskAction::Inpaint, Needs::Mask))
        );
        assert_eq!(a("nonsense"), None);
    }

    #[test]
    fn buttons_say_what_they_do_and_to_which_picture() {
        let b = |id: &str| {
            let b = describe(Button {
                custom_id: id.into(),
                label: String::new(),
                emoji: String::new(),
                action: None,
                index: None,
                direction: None,
                cost: None,
            });
            (b.action, b.index)
        };
        assert_eq!(
            b("MJ::JOB::upsample::3::h"),
            (Some(TaskAction::Upscale), Some(3))
        );
        assert_eq!(
            b("MJ::JOB::variation::1::h"),
            (Some(TaskAction::Variation), Some(1))
        );
        assert_eq!(
            b("MJ::JOB::reroll::0::h::SOLO"),
            (Some(TaskAction::Reroll), None)
        );
        assert_eq!(
            b("MJ::JOB::pan_left::1::h::SOLO"),
            (Some(TaskAction::Pan), None)
        );
        assert_eq!(b("MJ::BOOKMARK::h"), (None, None));
        let pan = describe(Button {
            custom_id: "MJ::JOB::pan_up::1::h::SOLO".into(),
            label: String::new(),
            emoji: "⬆️".into(),
            action: None,
            index: None,
            direction: None,
            cost: None,
        });
        assert_eq!(pan.direction.as_deref(), Some("up"));
    }

    #[test]
    fn a_modal_task_reads_as_modal_and_describe_as_text() {
        let t: wire::Task =
            serde_json::from_str(r#"{"id": "7", "status": "MODAL", "progress": "0%"}"#).unwrap();
        assert_eq!(update_of(&t).phase, Phase::Modal);
        let d: wire::Task = serde_json::from_str(
            r#"{"id": "8", "action": "DESCRIBE", "status": "SUCCESS",
                "properties": {"finalPrompt": "1. a fox"}}"#,
        )
        .unwrap();
        let u = update_of(&d);
        assert_eq!(
            (u.phase, u.text.as_deref()),
            (Phase::Success, Some("1. a fox"))
        );
        assert!(u.image_urls.is_empty());
    }
}
