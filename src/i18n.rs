//! Every piece of UI text, in English and Simplified Chinese.
//!
//! One struct holds a language's texts, so a text missing in one language is a compile error, the
//! lookup is a field access (no hashing, no parsing at run time) and the WASM carries no i18n runtime.
//! The language comes from the `lang` cookie, else the browser's Accept-Language; the server writes
//! it into `<html lang>`, where the browser reads it back while hydrating.

use crate::error::AppError;
use leptos::prelude::*;

mod gallery;
mod library;
mod shell;
pub use gallery::GalleryTexts;
pub use library::LibraryTexts;
pub use shell::ShellTexts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

pub const LANG_COOKIE: &str = "lang";

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The name of the language in itself, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
        }
    }

    /// Accepts `en`, `en-US`, `zh`, `zh-CN`, `zh-Hans`... (case-insensitive).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// Picks the best supported language of an Accept-Language header (by q weight, then order).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let Some(lang) = parts.next().and_then(Lang::from_tag) else {
                continue;
            };
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The language for a request: the cookie wins, then Accept-Language, then English.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        cookie
            .and_then(Lang::from_tag)
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
            .unwrap_or(Lang::En)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

/// Provides the language of this render as context. On the server it is negotiated from the
/// request; in the browser it is read from `<html lang>`, which the server wrote.
pub fn provide_lang() -> Lang {
    #[cfg(feature = "ssr")]
    let lang = request_lang();
    #[cfg(not(feature = "ssr"))]
    let lang = document()
        .document_element()
        .and_then(|el| el.get_attribute("lang"))
        .and_then(|l| Lang::from_tag(&l))
        .unwrap_or(Lang::En);
    provide_context(lang);
    lang
}

#[cfg(feature = "ssr")]
pub fn request_lang() -> Lang {
    use axum::http::{header, request::Parts};
    let Some(parts) = use_context::<Parts>() else {
        return Lang::En;
    };
    let cookie = parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| crate::cookies::find(c, LANG_COOKIE));
    let accept = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::negotiate(cookie, accept)
}

/// The texts of the current language.
pub fn use_texts() -> &'static Texts {
    use_context::<Lang>().unwrap_or(Lang::En).texts()
}

pub struct Texts {
    pub app_name: &'static str,
    pub nav_generate: &'static str,
    pub nav_history: &'static str,
    pub nav_admin: &'static str,
    pub nav_account: &'static str,
    pub log_out: &'static str,
    pub log_in: &'static str,
    pub sign_up: &'static str,
    pub language: &'static str,
    pub credits: fn(i64) -> String,
    pub role_admin: &'static str,
    pub role_user: &'static str,
    pub role_pending: &'static str,

    pub login_title: &'static str,
    pub signup_title: &'static str,
    pub field_invite_code: &'static str,
    pub invite_hint: &'static str,
    pub approval_hint: &'static str,
    /// A fresh installation's sign-up: this account runs it.
    pub first_account_hint: &'static str,
    pub field_name: &'static str,
    pub field_email: &'static str,
    pub field_password: &'static str,
    pub password_hint: &'static str,
    pub no_account: &'static str,
    pub have_account: &'static str,
    pub working: &'static str,

    pub generate_title: &'static str,
    pub generate_intro: &'static str,
    pub pending_notice: &'static str,
    pub history_title: &'static str,
    pub history_empty: &'static str,
    pub admin_title: &'static str,
    pub admin_intro: &'static str,

    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub forbidden_title: &'static str,
    pub forbidden_body: &'static str,
    pub go_home: &'static str,

    pub err_unauthorized: &'static str,
    pub err_invalid_credentials: &'static str,
    pub err_insufficient_credits: fn(i64, i64) -> String,
    pub err_forbidden: &'static str,
    pub err_not_found: &'static str,
    pub conflicts: ConflictTexts,
    pub rules: RuleTexts,
    pub err_rate_limited: &'static str,
    pub err_signup_closed: &'static str,
    pub err_too_many_signups: &'static str,
    pub err_busy: &'static str,
    pub err_too_many_tasks: fn(i64) -> String,
    pub err_upstream: &'static str,
    pub err_upstream_rejected: fn(&str) -> String,
    pub err_disabled: &'static str,
    pub err_internal: &'static str,
    pub err_bad_request: &'static str,
    pub err_outdated: &'static str,
    pub err_unreachable: &'static str,
    /// Shown when the page's code failed (say, a page open across an update): the way out.
    pub crash_notice: &'static str,
    pub reload: &'static str,
    pub err_field: fn(&str, &str) -> String,

    pub prompt_label: &'static str,
    pub prompt_placeholder: &'static str,
    pub mode_label: &'static str,
    pub mode_fast: &'static str,
    pub mode_relax: &'static str,
    pub mode_turbo: &'static str,
    pub params_label: &'static str,
    pub aspect_ratio: &'static str,
    pub stylize: &'static str,
    pub chaos: &'static str,
    pub seed: &'static str,
    pub exclude: &'static str,
    pub version: &'static str,
    pub default_option: &'static str,
    pub generate_button: &'static str,
    pub cost_line: fn(i64, i64) -> String,
    pub reason_empty: &'static str,
    pub reason_too_long: fn(usize) -> String,
    pub reason_credits: fn(i64, i64) -> String,
    pub shortcut_hint: &'static str,
    pub your_tasks: &'static str,
    pub status_queued: fn(Option<i64>) -> String,
    pub status_submitted: &'static str,
    pub status_in_progress: &'static str,
    pub status_succeeded: &'static str,
    pub status_failed: &'static str,
    pub status_cancelled: &'static str,
    pub cancel: &'static str,
    pub download: &'static str,
    pub copy_prompt: &'static str,
    pub copied: &'static str,
    pub close: &'static str,
    pub elapsed: fn(i64) -> String,
    pub progress_label: &'static str,
    pub details: &'static str,
    pub filter_all: &'static str,
    /// The star of a task, and history's filter of the starred ones.
    pub favorite_label: &'static str,
    pub filter_favorites: &'static str,
    pub search_label: &'static str,
    pub search_button: &'static str,
    pub older: &'static str,
    pub newest: &'static str,
    pub field_mode: &'static str,
    pub field_cost: &'static str,
    pub field_status: &'static str,
    pub field_created: &'static str,
    pub field_started: &'static str,
    pub field_finished: &'static str,
    pub made_from: &'static str,
    pub made_from_this: &'static str,
    pub account_title: &'static str,
    pub balance_label: &'static str,
    pub ledger_title: &'static str,
    pub ledger_empty: &'static str,
    pub reason_signup: &'static str,
    pub reason_charge: &'static str,
    pub reason_refund: &'static str,
    pub reason_grant: &'static str,
    /// Names of the actions, in the order of `TaskAction::ALL`.
    pub action_names: [&'static str; 12],
    pub status_needs_input: &'static str,
    /// A button's accessible name: what it does, to which picture, and its price.
    pub button_name: fn(&str, Option<u8>, i64) -> String,
    /// left, right, up, down.
    pub directions: [&'static str; 4],
    pub continue_label: &'static str,
    pub continue_help: &'static str,
    pub admin: AdminTexts,
    pub account: AccountTexts,
    pub studio: StudioTexts,
    pub library: &'static LibraryTexts,
    pub gallery: &'static GalleryTexts,
    pub shell: &'static ShellTexts,
}

/// The Generate page's engines and their controls.
pub struct StudioTexts {
    pub engine_label: &'static str,
    pub model_label: &'static str,
    pub size_label: &'static str,
    pub quality_label: &'static str,
    pub count_label: &'static str,
    /// A synchronous engine's task while it draws (no percentage to show).
    pub drawing: &'static str,
    /// The Generate page's pictures: what to do with them, and each one's role.
    pub mj_action_label: &'static str,
    pub images_label: &'static str,
    pub images_help: &'static str,
    pub add_images: &'static str,
    pub uploading: &'static str,
    pub remove_image: fn(usize) -> String,
    pub role_label: fn(usize) -> String,
    /// reference, sref, cref, blend, describe.
    pub roles: [&'static str; 5],
    pub dimensions_label: &'static str,
    /// portrait, square, landscape.
    pub dimensions: [&'static str; 3],
    pub sw_label: &'static str,
    pub cw_label: &'static str,
    /// Blend: 2-5 pictures; describe: one.
    pub reason_images: fn(usize, usize) -> String,
    pub use_prompt: &'static str,
    pub imagine_prompt: fn(usize) -> String,
    pub zoom_label: &'static str,
    /// The mask editor: its name, help, tools, and what a screen reader hears after each step.
    pub mask_label: &'static str,
    pub mask_help: &'static str,
    pub mask_rect: &'static str,
    pub mask_lasso: &'static str,
    pub mask_undo: &'static str,
    pub mask_clear: &'static str,
    pub mask_invert: &'static str,
    /// The mask editor's full-screen switch, and its way back.
    pub mask_full: &'static str,
    pub mask_done: &'static str,
    pub mask_painted: &'static str,
    pub mask_undone: &'static str,
    pub mask_inverted: &'static str,
    pub mask_cleared: &'static str,
    pub mask_needed: &'static str,
    /// Vary (Region)'s prompt, which may change.
    pub region_prompt: &'static str,
    /// Remix: a follow-up with another prompt.
    pub remix_label: &'static str,
    pub remix_prompt: fn(&str) -> String,
    pub remix_send: &'static str,
    /// An OpenAI edit or a Stable Diffusion img2img: the picture's region and strength.
    pub edit_mask_label: &'static str,
    pub strength_label: &'static str,
    pub strength_hint: &'static str,
    /// A picture of the history given to a new task.
    pub use_as_reference: &'static str,
    /// An OpenAI or Stable Diffusion picture's follow-ups: a variation (one click, charged) and
    /// an edit in the prompt bar.
    pub vary: &'static str,
    pub edit_in_bar: &'static str,
    pub follow_ups: &'static str,
    /// Batches: the switch, its help, the preview's count and price, a card's place in its batch.
    pub batch_label: &'static str,
    pub batch_help: &'static str,
    pub batch_preview: fn(usize, i64) -> String,
    pub batch_badge: fn(usize, usize) -> String,
    /// low, medium, high, auto, standard, hd.
    pub qualities: [&'static str; 6],
    /// "Picture 2 of 4".
    pub picture_of: fn(usize, usize) -> String,
    /// Stable Diffusion's controls.
    pub negative_prompt_label: &'static str,
    pub negative_prompt_hint: &'static str,
    pub steps_label: &'static str,
    pub cfg_label: &'static str,
    pub sampler_label: &'static str,
    /// The sampler (or checkpoint) the box uses when none is chosen.
    pub box_default: &'static str,
    pub seed_label: &'static str,
    pub seed_hint: &'static str,
}

impl StudioTexts {
    pub fn quality(&self, q: &str) -> String {
        ["low", "medium", "high", "auto", "standard", "hd"]
            .iter()
            .position(|x| *x == q)
            .map_or_else(|| q.to_owned(), |i| self.qualities[i].to_owned())
    }
}

/// Texts of the account page's password and sessions sections.
pub struct AccountTexts {
    pub password_title: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub repeat_password: &'static str,
    pub passwords_differ: &'static str,
    pub change_password: &'static str,
    pub password_changed: &'static str,
    pub sessions_title: &'static str,
    pub sessions_intro: &'static str,
    pub unknown_browser: &'static str,
    pub this_session: &'static str,
    pub sign_out_everywhere: &'static str,
}

/// What each conflict (409) says.
pub struct ConflictTexts {
    pub email_taken: &'static str,
    pub task_finished: &'static str,
    pub not_succeeded: &'static str,
    pub task_live: &'static str,
    pub follow_up_live: &'static str,
    pub last_admin: &'static str,
    pub too_many_keys: &'static str,
    pub collection_name: &'static str,
    pub too_many_collections: &'static str,
    pub not_retryable: &'static str,
    pub gallery_off: &'static str,
    pub comments_off: &'static str,
    pub hidden: &'static str,
    pub step_busy: &'static str,
}

/// What each validation rule (422) says.
pub struct RuleTexts {
    pub required: &'static str,
    pub too_long: fn(u32) -> String,
    pub paid_flag: fn(&str) -> String,
    pub invite_invalid: &'static str,
    pub wrong_password: &'static str,
    pub not_an_image: &'static str,
    pub file_too_large: fn(u32) -> String,
    pub too_many_pixels: fn(u32) -> String,
    pub no_such_upload: &'static str,
    pub mask_mismatch: &'static str,
    pub batch_too_large: fn(u64, u64) -> String,
    pub braces: &'static str,
    pub nesting: fn(u32) -> String,
    pub date: &'static str,
    pub items: fn(u32) -> String,
    pub number: fn(i64, i64) -> String,
    pub quota_exceeded: fn(u32) -> String,
    pub size: fn(u32, u32) -> String,
    pub range: fn(i64, i64) -> String,
    pub one_of: fn(&str) -> String,
    pub email: &'static str,
    pub password_too_short: fn(u32) -> String,
    pub control_characters: &'static str,
    pub url: &'static str,
    pub not_a_button: &'static str,
    pub not_offered: &'static str,
    pub needs_mask: &'static str,
    pub needs_prompt: &'static str,
    pub zoom_factor: &'static str,
    pub switched_off: &'static str,
    pub non_zero: &'static str,
    pub below_zero: &'static str,
    /// The separator between options in `one_of`.
    pub or: &'static str,
}

/// Texts of the admin pages and the API-key section.
impl AdminTexts {
    /// An audit event in words ("Credits granted" for `credits.grant`).
    pub fn audit_event<'a>(&self, key: &'a str) -> &'a str {
        self.audit_events
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(key, |(_, words)| words)
    }
}

pub struct AdminTexts {
    pub tab_settings: &'static str,
    pub tab_users: &'static str,
    pub tab_overview: &'static str,
    pub tab_channels: &'static str,
    pub tab_engines: &'static str,
    pub engines_intro: &'static str,
    pub engine_offered: &'static str,
    pub engine_no_channel: &'static str,
    pub engine_modes_in_settings: &'static str,
    pub model: &'static str,
    pub model_on: &'static str,
    pub price_per_image: &'static str,
    /// Stable Diffusion: the price of every checkpoint not priced on its own.
    pub any_checkpoint: &'static str,
    pub channels_intro: &'static str,
    pub no_channels: &'static str,
    pub add_channel: &'static str,
    pub health_ok: &'static str,
    pub health_failing: &'static str,
    pub health_down: &'static str,
    pub weight: &'static str,
    pub live_here: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub last_error: &'static str,
    pub edit: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub remove: &'static str,
    pub remove_confirm: &'static str,
    pub engine: &'static str,
    pub channel_name: &'static str,
    pub channel_enabled: &'static str,
    pub secret_bound: &'static str,
    pub channels_load: &'static str,
    pub upstream: &'static str,
    /// Where the upstream accounts are now (the settings tab's pointer to them).
    pub upstream_moved: &'static str,
    pub enabled: &'static str,
    pub api_url: &'static str,
    pub api_url_help: &'static str,
    pub api_secret: &'static str,
    pub secret_set: fn(&str) -> String,
    pub secret_unset: &'static str,
    pub secret_clear: &'static str,
    pub pricing: &'static str,
    pub cost: &'static str,
    pub mode_on: &'static str,
    pub action_cost: &'static str,
    /// The table of each follow-up's price: its heading, help, and one name per
    /// [`crate::types::ACTION_PRICES`] key, in that order.
    pub action_prices: &'static str,
    pub action_prices_help: &'static str,
    pub action_price_names: [&'static str; 15],
    pub signup_credits: &'static str,
    pub limits: &'static str,
    pub max_active: &'static str,
    pub deadline: &'static str,
    /// The cancel policy's label, and its three choices.
    pub cancel_refund: &'static str,
    pub cancel_refund_full: &'static str,
    pub cancel_refund_none: &'static str,
    pub cancel_refund_progress: &'static str,
    pub cancel_refund_help: &'static str,
    pub concurrency: &'static str,
    pub accounts: &'static str,
    pub new_role: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub unsaved: &'static str,
    pub test_connection: &'static str,
    pub conn_ok: fn(u64) -> String,
    pub conn_unauthorized: &'static str,
    pub conn_not_proxy: &'static str,
    pub conn_unreachable: &'static str,
    pub whole_number: fn(i64, i64) -> String,
    pub bad_url: &'static str,
    pub col_name: &'static str,
    pub col_email: &'static str,
    pub col_role: &'static str,
    pub col_balance: &'static str,
    pub col_tasks: &'static str,
    pub col_last_active: &'static str,
    pub approve: &'static str,
    pub make_admin: &'static str,
    pub make_user: &'static str,
    pub grant: &'static str,
    pub grant_amount: &'static str,
    pub grant_note: &'static str,
    pub live_tasks: &'static str,
    pub no_live_tasks: &'static str,
    pub failures: &'static str,
    pub no_failures: &'static str,
    pub spent: &'static str,
    pub audit: &'static str,
    /// The audit log's events in words, by their key ("credits.grant"); unknown keys as they are.
    pub audit_events: &'static [(&'static str, &'static str)],
    pub api_keys: &'static str,
    pub key_name: &'static str,
    pub create_key: &'static str,
    pub key_acts_for_users: &'static str,
    pub key_acts_for_users_help: &'static str,
    pub apps_title: &'static str,
    pub apps_allow: &'static str,
    pub apps_allow_help: &'static str,
    pub apps_admin_never: &'static str,
    pub key_acts_badge: &'static str,
    pub key_shown_once: &'static str,
    pub revoke: &'static str,
    pub no_keys: &'static str,
    pub last_used: &'static str,
    pub never: &'static str,
    pub tab_invites: &'static str,
    pub invites_intro: &'static str,
    pub invite_uses: &'static str,
    pub invite_days: &'static str,
    pub invite_note: &'static str,
    pub create_invite: &'static str,
    pub no_invites: &'static str,
    /// "used 1 of 5"
    pub invite_used: fn(i64, i64) -> String,
    pub invite_expires: &'static str,
    pub invite_spent: &'static str,
    pub copy_link: &'static str,
    pub withdraw: &'static str,
    pub signup_mode: &'static str,
    pub signup_mode_help: &'static str,
    pub signup_open: &'static str,
    pub signup_invite: &'static str,
    pub signup_closed: &'static str,
    pub signup_per_hour: &'static str,
    pub signup_per_hour_help: &'static str,
    pub uploads: &'static str,
    pub upload_quota_mb: &'static str,
    pub zero_no_limit: &'static str,
    pub upload_retention_days: &'static str,
    pub batch_max: &'static str,
    pub upload_retention_help: &'static str,
}

impl Texts {
    /// A server error in words a person can act on, in this language.
    pub fn error(&self, e: &AppError) -> String {
        match e {
            AppError::BadRequest(_) => self.err_bad_request.into(),
            AppError::Unauthorized => self.err_unauthorized.into(),
            AppError::InvalidCredentials => self.err_invalid_credentials.into(),
            AppError::InsufficientCredits { need, have } => {
                (self.err_insufficient_credits)(*need, *have)
            }
            AppError::Forbidden(_) => self.err_forbidden.into(),
            AppError::NotFound => self.err_not_found.into(),
            AppError::Conflict(c) => self.conflict(*c).into(),
            AppError::Validation { field, rule } => (self.err_field)(field, &self.rule(rule)),
            AppError::RateLimited => self.err_rate_limited.into(),
            AppError::SignupClosed => self.err_signup_closed.into(),
            AppError::TooManySignups => self.err_too_many_signups.into(),
            AppError::Busy => self.err_busy.into(),
            AppError::TooManyTasks { limit } => (self.err_too_many_tasks)(*limit),
            AppError::Upstream(_) => self.err_upstream.into(),
            AppError::UpstreamRejected(why) => (self.err_upstream_rejected)(why),
            AppError::Disabled => self.err_disabled.into(),
            AppError::Internal => self.err_internal.into(),
            AppError::Outdated => self.err_outdated.into(),
            AppError::Unreachable => self.err_unreachable.into(),
        }
    }

    pub fn conflict(&self, c: crate::error::Conflict) -> &'static str {
        use crate::error::Conflict as C;
        let t = &self.conflicts;
        match c {
            C::EmailTaken => t.email_taken,
            C::TaskFinished => t.task_finished,
            C::NotSucceeded => t.not_succeeded,
            C::TaskLive => t.task_live,
            C::FollowUpLive => t.follow_up_live,
            C::LastAdmin => t.last_admin,
            C::TooManyKeys => t.too_many_keys,
            C::CollectionName => t.collection_name,
            C::TooManyCollections => t.too_many_collections,
            C::NotRetryable => t.not_retryable,
            C::GalleryOff => t.gallery_off,
            C::CommentsOff => t.comments_off,
            C::Hidden => t.hidden,
            C::StepBusy => t.step_busy,
        }
    }

    /// A broken rule in words (without the field's name).
    pub fn rule(&self, rule: &crate::error::Rule) -> String {
        use crate::error::Rule as R;
        let t = &self.rules;
        match rule {
            R::Required => t.required.into(),
            R::TooLong { max } => (t.too_long)(*max),
            R::Range { min, max } => (t.range)(*min, *max),
            R::OneOf { options } => (t.one_of)(&options.join(t.or)),
            R::Email => t.email.into(),
            R::PasswordTooShort { min } => (t.password_too_short)(*min),
            R::ControlCharacters => t.control_characters.into(),
            R::Url => t.url.into(),
            R::NotAButton => t.not_a_button.into(),
            R::NotOffered => t.not_offered.into(),
            R::NeedsMask => t.needs_mask.into(),
            R::NeedsPrompt => t.needs_prompt.into(),
            R::ZoomFactor => t.zoom_factor.into(),
            R::SwitchedOff => t.switched_off.into(),
            R::NonZero => t.non_zero.into(),
            R::BelowZero => t.below_zero.into(),
            R::PaidFlag { flag } => (t.paid_flag)(flag),
            R::InviteInvalid => t.invite_invalid.into(),
            R::WrongPassword => t.wrong_password.into(),
            R::NotAnImage => t.not_an_image.into(),
            R::FileTooLarge { max_mb } => (t.file_too_large)(*max_mb),
            R::TooManyPixels { max_mp } => (t.too_many_pixels)(*max_mp),
            R::NoSuchUpload => t.no_such_upload.into(),
            R::MaskMismatch => t.mask_mismatch.into(),
            R::BatchTooLarge { count, max } => (t.batch_too_large)(*count, *max),
            R::Items { max } => (t.items)(*max),
            R::Braces => t.braces.into(),
            R::Nesting { max } => (t.nesting)(*max),
            R::Date => t.date.into(),
            R::Number { min, max } => (t.number)(*min, *max),
            R::QuotaExceeded { max_mb } => (t.quota_exceeded)(*max_mb),
            R::Size { min, max } => (t.size)(*min, *max),
            R::Other(message) => message.clone(),
        }
    }

    /// A speed mode's name; empty for engines without modes.
    pub fn mode(&self, mode: Option<crate::types::Mode>) -> &'static str {
        match mode {
            Some(crate::types::Mode::Fast) => self.mode_fast,
            Some(crate::types::Mode::Relax) => self.mode_relax,
            Some(crate::types::Mode::Turbo) => self.mode_turbo,
            None => "",
        }
    }

    /// Why a task failed, in this language: the reasons Atelier and the built-in engines give
    /// are translated; an upstream's own words stay as they came.
    pub fn fail_reason(&self, raw: &str) -> String {
        if std::ptr::eq(self, &EN) {
            return raw.to_owned();
        }
        reason_zh(raw).unwrap_or_else(|| raw.to_owned())
    }

    pub fn status(&self, status: crate::types::TaskStatus, position: Option<i64>) -> String {
        use crate::types::TaskStatus as S;
        match status {
            S::Queued => (self.status_queued)(position),
            S::Submitted => self.status_submitted.into(),
            S::InProgress => self.status_in_progress.into(),
            S::NeedsInput => self.status_needs_input.into(),
            S::Succeeded => self.status_succeeded.into(),
            S::Failed => self.status_failed.into(),
            S::Cancelled => self.status_cancelled.into(),
        }
    }

    pub fn action(&self, action: crate::types::TaskAction) -> &'static str {
        crate::types::TaskAction::ALL
            .iter()
            .position(|a| *a == action)
            .map_or("", |i| self.action_names[i])
    }

    pub fn ledger_reason(&self, reason: &str) -> &'static str {
        match reason {
            "signup" => self.reason_signup,
            "charge" => self.reason_charge,
            "refund" => self.reason_refund,
            _ => self.reason_grant,
        }
    }

    pub fn role(&self, role: crate::types::Role) -> &'static str {
        match role {
            crate::types::Role::Admin => self.role_admin,
            crate::types::Role::User => self.role_user,
            crate::types::Role::Pending => self.role_pending,
        }
    }
}

/// "1 credit", "2 credits".
fn en_credits(n: i64) -> String {
    if n == 1 {
        "1 credit".into()
    } else {
        format!("{n} credits")
    }
}

pub static EN: Texts = Texts {
    app_name: "Atelier",
    nav_generate: "Generate",
    nav_history: "History",
    nav_admin: "Admin",
    nav_account: "Account",
    log_out: "Log out",
    log_in: "Log in",
    sign_up: "Sign up",
    language: "Language",
    credits: en_credits,
    role_admin: "admin",
    role_user: "user",
    role_pending: "pending approval",

    login_title: "Log in to Atelier",
    signup_title: "Create your Atelier account",
    field_invite_code: "Invite code",
    invite_hint: "Sign-up on this Atelier is by invitation: enter the code you were given.",
    approval_hint: "New accounts wait for an administrator's approval before they can generate.",
    first_account_hint: "This is a new installation: the first account becomes its administrator, who sets up the engines, prices and users.",
    field_name: "Name",
    field_email: "Email",
    field_password: "Password",
    password_hint: "At least 8 characters.",
    no_account: "No account yet?",
    have_account: "Already have an account?",
    working: "Working…",

    generate_title: "Generate",
    generate_intro: "Describe a picture and Atelier will draw it.",
    pending_notice: "Your account is waiting for an administrator's approval. You can look around, but not generate yet.",
    history_title: "History",
    history_empty: "Nothing here yet. What you generate appears here.",
    admin_title: "Admin",
    admin_intro: "Settings, users and credits.",

    not_found_title: "Page not found",
    not_found_body: "There is nothing at this address.",
    forbidden_title: "Not allowed",
    forbidden_body: "Your account may not open this page.",
    go_home: "Back to Generate",

    err_unauthorized: "Please log in again.",
    err_invalid_credentials: "Wrong email or password.",
    err_insufficient_credits: |need, have| format!("You need {need} credits; you have {have}."),
    err_forbidden: "Your account may not do this.",
    err_not_found: "It does not exist, or it is not yours.",
    conflicts: ConflictTexts {
        email_taken: "An account with this email already exists.",
        task_finished: "The task has already finished.",
        not_succeeded: "Buttons work once the task has succeeded.",
        task_live: "The task is still running; cancel it first.",
        follow_up_live: "A follow-up of this task is still running.",
        last_admin: "The last administrator cannot be demoted.",
        too_many_keys: "You have as many API keys as an account may have. Revoke one you no longer use first.",
        collection_name: "You already have a collection of that name.",
        too_many_collections: "You have as many collections as an account may have. Delete one you no longer use first.",
        not_retryable: "Only a failed or cancelled task can be tried again, and a follow-up only while the picture it was made from is there.",
        gallery_off: "The gallery is switched off by the administrator.",
        comments_off: "Comments are switched off by the administrator.",
        hidden: "An administrator hid this picture: it cannot be shared or published.",
        step_busy: "This step is being answered already; wait a moment.",
    },
    rules: RuleTexts {
        required: "Fill this in first.",
        too_long: |max| format!("Use at most {max} characters."),
        paid_flag: |flag| {
            format!(
                "Remove {flag} from the prompt: choose the mode with the mode switch, and make several pictures with several submits."
            )
        },
        range: |min, max| format!("Use a whole number from {min} to {max}."),
        one_of: |options| format!("Choose {options}."),
        email: "Enter an email address such as name@example.com.",
        password_too_short: |min| format!("Use at least {min} characters."),
        control_characters: "Remove the control characters.",
        url: "Use an http:// or https:// URL, or builtin for the built-in simulator.",
        not_a_button: "This is not one of the task's buttons.",
        not_offered: "Atelier does not offer this yet.",
        needs_mask: "Vary (Region) needs a mask: paint the part of the picture to repaint (a PNG, white or transparent there).",
        zoom_factor: "Choose a zoom factor from 1 to 2.",
        needs_prompt: "This step needs a prompt (for a custom zoom: the prompt with --zoom and a value from 1 to 2).",
        switched_off: "This is switched off.",
        non_zero: "Use a whole number other than 0.",
        below_zero: "This would take the balance below zero.",
        invite_invalid: "This invite code is not valid: it may have expired or been used up. Ask for a new one.",
        wrong_password: "This is not your current password.",
        not_an_image: "Use a PNG, JPEG or WebP image.",
        file_too_large: |max| format!("Use an image of at most {max} MB."),
        too_many_pixels: |max| format!("Use an image of at most {max} megapixels."),
        no_such_upload: "There is no such upload: upload the image first.",
        mask_mismatch: "The mask must be a PNG of the image's size (for Vary (Region): of its shape, painting something).",
        items: |max| format!("Choose from 1 to {max} of them."),
        batch_too_large: |count, max| {
            if count == u64::MAX {
                format!("This makes too many prompts: a batch has at most {max}.")
            } else {
                format!("This makes {count} prompts: a batch has at most {max}.")
            }
        },
        braces: "Each { needs its } (write \\{ or \\, to keep one as it is).",
        nesting: |max| format!("Braces may nest at most {max} deep."),
        date: "Give a date as YYYY-MM-DD.",
        number: |min, max| format!("Use a number from {min} to {max}."),
        quota_exceeded: |max| {
            format!("Your uploads would take more than your {max} MB: delete some first.")
        },
        size: |min, max| {
            format!("Give the size as WIDTHxHEIGHT, each a multiple of 8 from {min} to {max}.")
        },
        or: ", ",
    },
    err_rate_limited: "Too many attempts. Wait a minute and try again.",
    err_signup_closed: "Sign-up is closed on this Atelier. Ask an administrator for an invitation.",
    err_too_many_signups: "Too many sign-ups from your network in the last hour. Try again later.",
    err_busy: "The server is busy; try again in a few seconds.",
    err_too_many_tasks: |n| format!("You already have {n} tasks running. Wait for one to finish."),
    err_upstream: "The image service is not reachable right now. Try again in a moment.",
    err_upstream_rejected: |why| format!("The image service refused this prompt: {why}"),
    err_disabled: "Generation is switched off by the administrator.",
    err_internal: "Something went wrong on the server. Try again.",
    err_bad_request: "The request was not understood.",
    err_outdated: "Atelier was updated since this page was opened. Reload the page.",
    err_unreachable: "Atelier could not be reached. Check your connection and try again.",
    crash_notice: "This page stopped working, perhaps because Atelier was updated while it was open.",
    reload: "Reload",
    err_field: |field, message| {
        let field = match field {
            "name" => "Name",
            "email" => "Email",
            "password" => "Password",
            "prompt" => "Prompt",
            "mode" => "Mode",
            "custom_id" => "Button",
            "api_url" => "API URL",
            "api_secret" => "API secret",
            "weight" => "Weight",
            "delta" => "Credits",
            "reason" => "Reason",
            "invite_code" => "Invite code",
            "current_password" => "Current password",
            "new_password" => "New password",
            "max_uses" => "Sign-ups allowed",
            "expires_in_days" => "Valid for",
            "note" => "Note",
            _ => field,
        };
        format!("{field}: {message}")
    },
    prompt_label: "Prompt",
    prompt_placeholder: "A red fox in the snow, golden hour --ar 3:2",
    mode_label: "Mode",
    mode_fast: "Fast",
    mode_relax: "Relax",
    mode_turbo: "Turbo",
    params_label: "Parameters",
    aspect_ratio: "Aspect ratio",
    stylize: "Stylize",
    chaos: "Chaos",
    seed: "Seed",
    exclude: "Exclude",
    version: "Version",
    default_option: "Default",
    generate_button: "Generate",
    cost_line: |cost, balance| format!("Costs {} · you have {balance}", en_credits(cost)),
    reason_empty: "Write a prompt first.",
    reason_too_long: |n| format!("A prompt has at most {n} characters."),
    reason_credits: |cost, balance| {
        format!("Not enough credits: this costs {cost}, you have {balance}.")
    },
    shortcut_hint: "Ctrl+Enter generates.",
    your_tasks: "Your pictures",
    status_queued: |pos| match pos {
        Some(0) | None => "Queued: next in line".into(),
        Some(n) => format!("Queued: {n} ahead"),
    },
    status_submitted: "Submitted, waiting for the painter",
    status_in_progress: "Drawing",
    status_succeeded: "Finished",
    status_failed: "Failed",
    status_cancelled: "Cancelled",
    cancel: "Cancel",
    download: "Download",
    copy_prompt: "Copy prompt",
    copied: "Copied",
    close: "Close",
    elapsed: |s| {
        if s < 60 {
            format!("{s} s")
        } else {
            format!("{} min {} s", s / 60, s % 60)
        }
    },
    progress_label: "Progress",
    details: "Details",
    filter_all: "All",
    favorite_label: "Favourite",
    filter_favorites: "Favourites",
    search_label: "Search prompts",
    search_button: "Search",
    older: "Older",
    newest: "Newest",
    field_mode: "Mode",
    field_cost: "Cost",
    field_status: "Status",
    field_created: "Created",
    field_started: "Started",
    field_finished: "Finished",
    made_from: "Made from",
    made_from_this: "Made from this",
    account_title: "Account",
    balance_label: "Balance",
    ledger_title: "Credits history",
    ledger_empty: "No entries yet.",
    reason_signup: "Sign-up credits",
    reason_charge: "Charge",
    reason_refund: "Refund",
    reason_grant: "Adjustment",
    action_names: [
        "Imagine",
        "Upscale",
        "Variation",
        "Reroll",
        "Pan",
        "Zoom",
        "Vary (Region)",
        "Blend",
        "Describe",
        "Edit",
        "Shorten",
        "Follow-up",
    ],
    status_needs_input: "Waiting for your input",
    button_name: |action, index, cost| match index {
        Some(n) => format!("{action} picture {n}, {}", en_credits(cost)),
        None => format!("{action}, {}", en_credits(cost)),
    },
    directions: ["left", "right", "up", "down"],
    continue_label: "Continue",
    continue_help: "MidJourney asks for a prompt for this step. For a custom zoom, end it with --zoom and a value from 1 to 2.",
    admin: AdminTexts {
        tab_settings: "Settings",
        tab_users: "Users",
        tab_overview: "Overview",
        tab_channels: "Channels",
        tab_engines: "Engines",
        engines_intro: "Which engines users can pick, and what each model costs per image. A task of several images costs that many times the price.",
        engine_offered: "Offered to users",
        engine_no_channel: "No channel of this engine is switched on, so nobody is offered it. Add or switch one on under",
        engine_modes_in_settings: "Its speed modes and follow-up actions are priced under",
        model: "Model",
        model_on: "Offered",
        price_per_image: "Credits per image",
        any_checkpoint: "Any other checkpoint (and the server's loaded one)",
        channels_intro: "Each channel is one upstream account. New tasks are spread over the healthy, enabled channels of their engine by weight; a follow-up goes to the channel that made its picture. A channel that keeps failing is taken out of use until a probe succeeds.",
        no_channels: "There is no enabled channel: nothing can be generated until one is added or switched on.",
        add_channel: "Add a channel",
        health_ok: "Healthy",
        health_failing: "Failing",
        health_down: "Down",
        weight: "Weight",
        live_here: "Running now",
        yes: "yes",
        no: "no",
        last_error: "Last error",
        edit: "Edit",
        disable: "Disable",
        enable: "Enable",
        remove: "Remove",
        remove_confirm: "Remove this channel? It takes no new tasks; its running tasks still finish.",
        engine: "Engine",
        channel_name: "Name",
        channel_enabled: "Takes new tasks",
        secret_bound: "Leave empty to keep the saved secret. A new URL without a new secret clears it: a secret is only ever sent to its own URL.",
        channels_load: "Load per channel",
        upstream: "Upstream",
        upstream_moved: "Upstream accounts (their addresses, secrets, weights and a connection test) are managed here:",
        enabled: "Generation is on",
        api_url: "API URL",
        api_url_help: "The midjourney-proxy's address, such as https://mj.example.com. builtin is Atelier's own simulator: real images, no MidJourney account.",
        api_secret: "API secret",
        secret_set: |hint| {
            format!(
                "Set, ends with {}. Type a new one to replace it.",
                hint.trim_start_matches('…')
            )
        },
        secret_unset: "Not set.",
        secret_clear: "Clear the secret",
        pricing: "Pricing",
        cost: "Cost",
        mode_on: "On",
        action_cost: "Follow-up action cost",
        action_prices: "Price of each button",
        action_prices_help: "Empty: the follow-up action cost above.",
        action_price_names: [
            "Upscale",
            "Upscale (Subtle)",
            "Upscale (Creative)",
            "Variation",
            "Vary (Subtle)",
            "Vary (Strong)",
            "Vary (Region)",
            "Reroll",
            "Pan",
            "Zoom Out",
            "Make Square",
            "Custom Zoom",
            "Describe",
            "Shorten",
            "Any other button",
        ],
        signup_credits: "Sign-up credits",
        limits: "Limits",
        max_active: "Active tasks per user",
        deadline: "Task deadline (seconds without progress)",
        cancel_refund: "A cancelled task that was being drawn gets back",
        cancel_refund_full: "all of its cost",
        cancel_refund_none: "nothing",
        cancel_refund_progress: "the part not drawn yet",
        cancel_refund_help: "A task the upstream had not started drawing is always refunded in full.",
        concurrency: "Running at once",
        accounts: "Accounts",
        new_role: "New sign-ups are",
        save: "Save",
        saved: "Saved.",
        unsaved: "You have unsaved changes.",
        test_connection: "Test connection",
        conn_ok: |ms| format!("Reachable and authorised ({ms} ms)."),
        conn_unauthorized: "Wrong secret: the upstream answered HTTP 401.",
        conn_not_proxy: "This address answers, but not as a midjourney-proxy.",
        conn_unreachable: "Unreachable: no answer from this address.",
        whole_number: |min, max| format!("Use a whole number from {min} to {max}."),
        bad_url: "Use an http:// or https:// URL, or builtin.",
        col_name: "Name",
        col_email: "Email",
        col_role: "Role",
        col_balance: "Balance",
        col_tasks: "Tasks",
        col_last_active: "Last active",
        approve: "Approve",
        make_admin: "Make admin",
        make_user: "Make user",
        grant: "Apply",
        grant_amount: "Credits (+/−)",
        grant_note: "Note",
        live_tasks: "Live and queued tasks",
        no_live_tasks: "Nothing is running.",
        failures: "Failures in the last 24 hours",
        no_failures: "No failures.",
        spent: "Credits spent per day",
        audit: "Admin actions",
        audit_events: &[
            ("credits.grant", "Credits granted"),
            ("role.change", "Role changed"),
            ("channel.create", "Channel added"),
            ("channel.update", "Channel changed"),
            ("channel.remove", "Channel removed"),
            ("invite.create", "Invite created"),
            ("invite.delete", "Invite deleted"),
            ("settings.update", "Settings changed"),
            ("task.hide", "Picture hidden"),
            ("task.show", "Picture shown again"),
            ("comment.hide", "Comment hidden"),
            ("comment.show", "Comment shown again"),
            ("report.dismiss", "Reports dismissed"),
        ],
        api_keys: "API keys",
        key_name: "Key name",
        create_key: "Create key",
        key_acts_for_users: "Acts for other users (for Open WebUI)",
        key_acts_for_users_help: "On /v1, this key charges the Atelier user whose email Open WebUI forwards in X-OpenWebUI-User-Email (set ENABLE_FORWARD_USER_INFO_HEADERS there), if that user allowed it on their Account page; never an administrator. A request naming no such account is refused.",
        apps_title: "Apps",
        apps_allow: "Let apps your administrator set up (Open WebUI) make pictures for me",
        apps_allow_help: "They are charged to your credits and kept in your history. Off: such an app cannot use your account.",
        apps_admin_never: "Apps never act for an administrator's account.",
        key_acts_badge: "acts for users",
        key_shown_once: "Copy this key now: it is shown only once.",
        revoke: "Revoke",
        no_keys: "No API keys yet.",
        last_used: "last used",
        never: "never",
        tab_invites: "Invites",
        invites_intro: "Invite codes let people sign up when sign-up is by invitation (see Settings). A code works for the number of sign-ups you choose, until it expires. Share the code or its sign-up link.",
        invite_uses: "Sign-ups allowed",
        invite_days: "Valid for (days)",
        invite_note: "Note (who it is for)",
        create_invite: "Create invite code",
        no_invites: "No invite codes yet.",
        invite_used: |used, max| format!("used {used} of {max}"),
        invite_expires: "expires",
        invite_spent: "no longer valid",
        copy_link: "Copy sign-up link",
        withdraw: "Withdraw",
        signup_mode: "Sign-up",
        signup_mode_help: "The first account of a new installation can always sign up (it becomes the administrator). Codes for sign-up by invitation are made under",
        signup_open: "Open to anyone",
        signup_invite: "By invitation only",
        signup_closed: "Closed",
        signup_per_hour: "Sign-ups per address and hour",
        signup_per_hour_help: "0 means no limit.",
        uploads: "Uploads",
        upload_quota_mb: "Storage per user for uploaded images (MB)",
        zero_no_limit: "0 means no limit.",
        upload_retention_days: "Keep unused uploads for (days)",
        batch_max: "Tasks per batch (at most)",
        upload_retention_help: "Uploaded images no task used are removed after this many days; images a task used stay with it. 0 keeps them until deleted.",
    },
    account: AccountTexts {
        password_title: "Password",
        current_password: "Current password",
        new_password: "New password",
        repeat_password: "New password again",
        passwords_differ: "The two new passwords differ.",
        change_password: "Change password",
        password_changed: "Password changed. Your other sessions were signed out.",
        sessions_title: "Sessions",
        sessions_intro: "Where your account is signed in. Sign out a session you do not recognise; API keys stay until you revoke them.",
        unknown_browser: "Unknown browser or script",
        this_session: "this session",
        sign_out_everywhere: "Sign out everywhere",
    },
    library: &library::EN,
    gallery: &gallery::EN,
    shell: &shell::EN,
    studio: StudioTexts {
        engine_label: "Engine",
        model_label: "Model",
        size_label: "Size",
        quality_label: "Quality",
        count_label: "Images",
        drawing: "Drawing…",
        mj_action_label: "What to do",
        images_label: "Images",
        images_help: "Drop, paste (Ctrl+V) or pick up to five pictures: PNG, JPEG or WebP, at most 10 MB each.",
        add_images: "Add images",
        uploading: "Uploading…",
        remove_image: |n| format!("Remove image {n}"),
        role_label: |n| format!("Role of image {n}"),
        roles: [
            "Image prompt",
            "Style reference",
            "Character reference",
            "To blend",
            "To describe",
        ],
        dimensions_label: "Shape",
        dimensions: ["Portrait", "Square", "Landscape"],
        sw_label: "Style weight (--sw, 0-1000)",
        cw_label: "Character weight (--cw, 0-100)",
        reason_images: |min, max| {
            if min == max {
                format!("Give {min} picture.")
            } else {
                format!("Give {min} to {max} pictures.")
            }
        },
        use_prompt: "Use this prompt",
        imagine_prompt: |n| format!("Imagine prompt {n}"),
        zoom_label: "Zoom out by (1 to 2)",
        mask_label: "Region to repaint",
        mask_help: "Drag to paint a rectangle, or pick Lasso and draw around the region. Keyboard: arrows move the dashed box, Shift+arrows size it, Enter paints it; Backspace undoes, I inverts, Delete clears.",
        mask_rect: "Rectangle",
        mask_lasso: "Lasso",
        mask_undo: "Undo",
        mask_clear: "Clear",
        mask_invert: "Invert",
        mask_full: "Full screen",
        mask_done: "Done",
        mask_painted: "Region painted.",
        mask_undone: "Undone.",
        mask_inverted: "Inverted.",
        mask_cleared: "Cleared.",
        mask_needed: "Paint the region to repaint first.",
        region_prompt: "Prompt for the region (change it or keep it)",
        remix_label: "Remix: rewrite the words of a variation, reroll or pan first",
        remix_prompt: |button| format!("Prompt for {button}"),
        remix_send: "Send",
        edit_mask_label: "Paint the region to change (optional: without it, the whole picture changes)",
        strength_label: "Denoising strength",
        strength_hint: "0 keeps the picture, 1 ignores it.",
        use_as_reference: "Use as reference",
        vary: "Vary",
        edit_in_bar: "Edit",
        follow_ups: "Follow-ups",
        batch_label: "Batch: one task per line",
        batch_help: "One prompt per line; {red, blue} makes one prompt of each (a {red, blue} fox in {snow, rain} is four).",
        batch_preview: |n, cost| format!("Makes {n} tasks, {cost} credits in all:"),
        batch_badge: |k, n| format!("Batch · {k} of {n}"),
        qualities: ["Low", "Medium", "High", "Auto", "Standard", "HD"],
        picture_of: |n, of| format!("Picture {n} of {of}"),
        negative_prompt_label: "Negative prompt",
        negative_prompt_hint: "What the picture should not have.",
        steps_label: "Steps",
        cfg_label: "CFG scale",
        sampler_label: "Sampler",
        box_default: "The server's default",
        seed_label: "Seed",
        seed_hint: "Empty: a random seed.",
    },
};

pub static ZH: Texts = Texts {
    app_name: "Atelier",
    nav_generate: "生成",
    nav_history: "历史",
    nav_admin: "管理",
    nav_account: "账户",
    log_out: "退出登录",
    log_in: "登录",
    sign_up: "注册",
    language: "语言",
    credits: |n| format!("{n} 积分"),
    role_admin: "管理员",
    role_user: "用户",
    role_pending: "待审核",

    login_title: "登录 Atelier",
    signup_title: "创建 Atelier 账户",
    field_invite_code: "邀请码",
    invite_hint: "此 Atelier 需凭邀请注册，请输入你收到的邀请码。",
    approval_hint: "新账户需经管理员批准后才能生成图片。",
    first_account_hint: "这是一个全新的安装：第一个注册的账号将成为管理员，负责配置引擎、价格和用户。",
    field_name: "名称",
    field_email: "邮箱",
    field_password: "密码",
    password_hint: "至少 8 个字符。",
    no_account: "还没有账户？",
    have_account: "已有账户？",
    working: "处理中…",

    generate_title: "生成",
    generate_intro: "描述一幅画面，Atelier 为你绘制。",
    pending_notice: "你的账户正在等待管理员审核。你可以浏览，但暂时不能生成。",
    history_title: "历史",
    history_empty: "这里还没有内容。你生成的图片会出现在这里。",
    admin_title: "管理",
    admin_intro: "设置、用户与积分。",

    not_found_title: "页面不存在",
    not_found_body: "这个地址没有内容。",
    forbidden_title: "无权访问",
    forbidden_body: "你的账户不能打开此页面。",
    go_home: "返回生成页",

    err_unauthorized: "请重新登录。",
    err_invalid_credentials: "邮箱或密码错误。",
    err_insufficient_credits: |need, have| format!("需要 {need} 积分，你现有 {have} 积分。"),
    err_forbidden: "你的账户不能执行此操作。",
    err_not_found: "不存在，或不属于你。",
    conflicts: ConflictTexts {
        email_taken: "该邮箱已注册。",
        task_finished: "任务已经结束。",
        not_succeeded: "任务成功后才能使用这些按钮。",
        task_live: "任务仍在进行，请先取消。",
        follow_up_live: "该任务的后续任务仍在进行。",
        last_admin: "不能降级最后一位管理员。",
        too_many_keys: "API 密钥数量已达上限，请先撤销一个不再使用的密钥。",
        collection_name: "你已有同名的合集。",
        too_many_collections: "合集数量已达上限，请先删除一个不再使用的合集。",
        not_retryable: "只有失败或已取消的任务可以重试；后续操作还需要它所基于的图片仍然存在。",
        gallery_off: "管理员已关闭作品广场。",
        comments_off: "管理员已关闭评论。",
        hidden: "管理员已隐藏这张图片：它不能被分享或发布。",
        step_busy: "这一步正在提交中，请稍候。",
    },
    rules: RuleTexts {
        required: "请先填写此项。",
        too_long: |max| format!("最多 {max} 个字符。"),
        paid_flag: |flag| {
            format!("请从提示词中删除 {flag}：速度模式请用模式开关选择，多张图片请多次提交。")
        },
        range: |min, max| format!("请输入 {min} 到 {max} 之间的整数。"),
        one_of: |options| format!("请选择：{options}。"),
        email: "请输入有效的邮箱地址，例如 name@example.com。",
        password_too_short: |min| format!("至少需要 {min} 个字符。"),
        control_characters: "请删除其中的控制字符。",
        url: "请使用 http:// 或 https:// 地址，或填写 builtin 使用内置模拟器。",
        not_a_button: "这不是该任务的按钮。",
        not_offered: "Atelier 暂不支持此功能。",
        needs_mask: "局部重绘需要蒙版：涂出图片中要重绘的部分（PNG，该处为白色或透明）。",
        zoom_factor: "请选择 1 到 2 之间的缩放倍数。",
        needs_prompt: "此步骤需要提示词（自定义缩放：在提示词后加 --zoom 和 1 到 2 之间的数值）。",
        switched_off: "此项已关闭。",
        non_zero: "请输入不为 0 的整数。",
        below_zero: "这会使余额低于零。",
        invite_invalid: "邀请码无效：可能已过期或已用完，请索取新的邀请码。",
        wrong_password: "当前密码不正确。",
        not_an_image: "请使用 PNG、JPEG 或 WebP 图片。",
        file_too_large: |max| format!("图片最大 {max} MB。"),
        too_many_pixels: |max| format!("图片最多 {max} 百万像素。"),
        no_such_upload: "找不到该上传的图片，请先上传。",
        mask_mismatch: "蒙版必须是与图片尺寸相同的 PNG（局部重绘：与图片比例相同，且涂有区域）。",
        items: |max| format!("请选择 1 到 {max} 项。"),
        batch_too_large: |count, max| {
            if count == u64::MAX {
                format!("提示词组合太多：每批最多 {max} 个。")
            } else {
                format!("这会生成 {count} 个提示词：每批最多 {max} 个。")
            }
        },
        braces: "每个 { 都需要对应的 }（写 \\{ 或 \\, 可保留原字符）。",
        nesting: |max| format!("花括号最多嵌套 {max} 层。"),
        date: "请按 YYYY-MM-DD 格式填写日期。",
        number: |min, max| format!("请输入 {min} 到 {max} 之间的数字。"),
        quota_exceeded: |max| format!("上传图片将超出您的 {max} MB 空间：请先删除一些。"),
        size: |min, max| format!("尺寸请写成 宽x高，每边为 8 的倍数，介于 {min} 到 {max} 之间。"),
        or: "、",
    },
    err_rate_limited: "尝试次数过多，请一分钟后再试。",
    err_signup_closed: "此 Atelier 已关闭注册，请向管理员索取邀请。",
    err_too_many_signups: "你所在网络在过去一小时内注册次数过多，请稍后再试。",
    err_busy: "服务器繁忙，请几秒后再试。",
    err_too_many_tasks: |n| format!("你已有 {n} 个任务在进行，请等待其中一个完成。"),
    err_upstream: "图像服务暂时无法连接，请稍后再试。",
    err_upstream_rejected: |why| format!("图像服务拒绝了此提示词：{why}"),
    err_disabled: "管理员已关闭生成功能。",
    err_internal: "服务器出错了，请重试。",
    err_bad_request: "无法理解该请求。",
    err_outdated: "此页面打开后 Atelier 已更新，请刷新页面。",
    err_unreachable: "无法连接 Atelier，请检查网络后重试。",
    crash_notice: "此页面已停止工作，可能是因为打开期间 Atelier 已更新。",
    reload: "刷新",
    err_field: |field, message| {
        let field = match field {
            "name" => "名称",
            "email" => "邮箱",
            "password" => "密码",
            "prompt" => "提示词",
            "mode" => "模式",
            "custom_id" => "按钮",
            "api_url" => "API 地址",
            "api_secret" => "API 密钥",
            "weight" => "权重",
            "delta" => "积分",
            "reason" => "原因",
            "invite_code" => "邀请码",
            "current_password" => "当前密码",
            "new_password" => "新密码",
            "max_uses" => "可注册次数",
            "expires_in_days" => "有效期",
            "note" => "备注",
            _ => field,
        };
        format!("{field}：{message}")
    },
    prompt_label: "提示词",
    prompt_placeholder: "雪地里的红狐狸，黄金时刻 --ar 3:2",
    mode_label: "模式",
    mode_fast: "快速",
    mode_relax: "慢速",
    mode_turbo: "极速",
    params_label: "参数",
    aspect_ratio: "宽高比",
    stylize: "风格化",
    chaos: "混乱度",
    seed: "种子",
    exclude: "排除",
    version: "版本",
    default_option: "默认",
    generate_button: "生成",
    cost_line: |cost, balance| format!("消耗 {cost} 积分 · 余额 {balance}"),
    reason_empty: "请先输入提示词。",
    reason_too_long: |n| format!("提示词最多 {n} 个字符。"),
    reason_credits: |cost, balance| format!("积分不足：需要 {cost}，你有 {balance}。"),
    shortcut_hint: "Ctrl+Enter 生成。",
    your_tasks: "你的作品",
    status_queued: |pos| match pos {
        Some(0) | None => "排队中：下一个".into(),
        Some(n) => format!("排队中：前面还有 {n} 个"),
    },
    status_submitted: "已提交，等待绘制",
    status_in_progress: "绘制中",
    status_succeeded: "已完成",
    status_failed: "失败",
    status_cancelled: "已取消",
    cancel: "取消",
    download: "下载",
    copy_prompt: "复制提示词",
    copied: "已复制",
    close: "关闭",
    elapsed: |s| {
        if s < 60 {
            format!("{s} 秒")
        } else {
            format!("{} 分 {} 秒", s / 60, s % 60)
        }
    },
    progress_label: "进度",
    details: "详情",
    filter_all: "全部",
    favorite_label: "收藏",
    filter_favorites: "已收藏",
    search_label: "搜索提示词",
    search_button: "搜索",
    older: "更早",
    newest: "最新",
    field_mode: "模式",
    field_cost: "消耗",
    field_status: "状态",
    field_created: "创建于",
    field_started: "开始于",
    field_finished: "完成于",
    made_from: "来源",
    made_from_this: "由此生成",
    account_title: "账户",
    balance_label: "余额",
    ledger_title: "积分记录",
    ledger_empty: "暂无记录。",
    reason_signup: "注册赠送",
    reason_charge: "消费",
    reason_refund: "退款",
    reason_grant: "调整",
    action_names: [
        "生成",
        "放大",
        "变体",
        "重绘",
        "平移",
        "缩放",
        "局部重绘",
        "混图",
        "图生文",
        "编辑",
        "精简提示词",
        "后续操作",
    ],
    status_needs_input: "等待你的输入",
    button_name: |action, index, cost| match index {
        Some(n) => format!("{action}第 {n} 张，{cost} 积分"),
        None => format!("{action}，{cost} 积分"),
    },
    directions: ["向左", "向右", "向上", "向下"],
    continue_label: "继续",
    continue_help: "MidJourney 需要为此步骤提供提示词。自定义缩放时，请在末尾加上 --zoom 和 1 到 2 之间的数值。",
    admin: AdminTexts {
        tab_settings: "设置",
        tab_users: "用户",
        tab_overview: "概览",
        tab_channels: "渠道",
        tab_engines: "引擎",
        engines_intro: "用户可选择哪些引擎，以及每个模型每张图片的价格。一次生成多张图片，按张数计费。",
        engine_offered: "向用户提供",
        engine_no_channel: "此引擎没有已启用的渠道，因此不会提供给任何人。请在此添加或启用渠道：",
        engine_modes_in_settings: "其速度模式和后续操作的价格在此设置：",
        model: "模型",
        model_on: "提供",
        price_per_image: "每张图片的积分",
        any_checkpoint: "其他所有模型（及服务器当前加载的模型）",
        channels_intro: "每个渠道对应一个上游账号。新任务按权重分配到该引擎中正常且已启用的渠道；后续操作会发送到生成原图的渠道。持续出错的渠道会暂停使用，直到探测成功。",
        no_channels: "没有已启用的渠道：添加或启用渠道之前无法生成图片。",
        add_channel: "添加渠道",
        health_ok: "正常",
        health_failing: "异常",
        health_down: "不可用",
        weight: "权重",
        live_here: "进行中",
        yes: "是",
        no: "否",
        last_error: "最近错误",
        edit: "编辑",
        disable: "停用",
        enable: "启用",
        remove: "移除",
        remove_confirm: "确定移除此渠道吗？它不再接收新任务，进行中的任务仍会完成。",
        engine: "引擎",
        channel_name: "名称",
        channel_enabled: "接收新任务",
        secret_bound: "留空则保留已保存的密钥。更换地址而未填写新密钥时会清除旧密钥：密钥只会发送到它所属的地址。",
        channels_load: "各渠道负载",
        upstream: "上游",
        upstream_moved: "上游账号（地址、密钥、权重与连接测试）请在此管理：",
        enabled: "开启生成",
        api_url: "API 地址",
        api_url_help: "midjourney-proxy 的地址，例如 https://mj.example.com。builtin 是 Atelier 自带的模拟器：真实图片，无需 MidJourney 账号。",
        api_secret: "API 密钥",
        secret_set: |hint| {
            format!(
                "已设置，结尾为 {}。输入新密钥以替换。",
                hint.trim_start_matches('…')
            )
        },
        secret_unset: "未设置。",
        secret_clear: "清除密钥",
        pricing: "价格",
        cost: "消耗",
        mode_on: "开启",
        action_cost: "后续操作消耗",
        action_prices: "每个按钮的价格",
        action_prices_help: "留空：使用上面的后续操作消耗。",
        action_price_names: [
            "放大",
            "放大（细微）",
            "放大（创意）",
            "变体",
            "变化（细微）",
            "变化（强烈）",
            "局部重绘",
            "重新生成",
            "平移",
            "缩小",
            "变为方形",
            "自定义缩放",
            "识图",
            "精简提示词",
            "其他按钮",
        ],
        signup_credits: "注册赠送积分",
        limits: "限制",
        max_active: "每位用户的进行中任务数",
        deadline: "任务期限（无进展的秒数）",
        cancel_refund: "取消正在绘制的任务时退还",
        cancel_refund_full: "全部费用",
        cancel_refund_none: "不退还",
        cancel_refund_progress: "尚未绘制的部分",
        cancel_refund_help: "上游尚未开始绘制的任务取消时总是全额退还。",
        concurrency: "同时运行数",
        accounts: "账户",
        new_role: "新注册用户为",
        save: "保存",
        saved: "已保存。",
        unsaved: "有未保存的更改。",
        test_connection: "测试连接",
        conn_ok: |ms| format!("可以连接且已授权（{ms} 毫秒）。"),
        conn_unauthorized: "密钥错误：上游返回 HTTP 401。",
        conn_not_proxy: "该地址有响应，但不是 midjourney-proxy。",
        conn_unreachable: "无法连接：该地址没有响应。",
        whole_number: |min, max| format!("请输入 {min} 到 {max} 之间的整数。"),
        bad_url: "请使用 http:// 或 https:// 地址，或 builtin。",
        col_name: "名称",
        col_email: "邮箱",
        col_role: "角色",
        col_balance: "余额",
        col_tasks: "任务",
        col_last_active: "最近活动",
        approve: "批准",
        make_admin: "设为管理员",
        make_user: "设为用户",
        grant: "应用",
        grant_amount: "积分（+/−）",
        grant_note: "备注",
        live_tasks: "进行中与排队的任务",
        no_live_tasks: "没有正在运行的任务。",
        failures: "最近 24 小时的失败",
        no_failures: "没有失败。",
        spent: "每日消耗积分",
        audit: "管理操作",
        audit_events: &[
            ("credits.grant", "发放积分"),
            ("role.change", "更改角色"),
            ("channel.create", "添加渠道"),
            ("channel.update", "修改渠道"),
            ("channel.remove", "删除渠道"),
            ("invite.create", "创建邀请码"),
            ("invite.delete", "删除邀请码"),
            ("settings.update", "修改设置"),
            ("task.hide", "隐藏作品"),
            ("task.show", "恢复显示作品"),
            ("comment.hide", "隐藏评论"),
            ("comment.show", "恢复显示评论"),
            ("report.dismiss", "驳回举报"),
        ],
        api_keys: "API 密钥",
        key_name: "密钥名称",
        create_key: "创建密钥",
        key_acts_for_users: "代表其他用户（用于 Open WebUI）",
        key_acts_for_users_help: "在 /v1 上，此密钥向 Open WebUI 通过 X-OpenWebUI-User-Email 转发的邮箱对应的 Atelier 用户扣费（需在 Open WebUI 中开启 ENABLE_FORWARD_USER_INFO_HEADERS），前提是该用户已在“账户”页允许；从不代表管理员。找不到此类账户的请求将被拒绝。",
        apps_title: "应用",
        apps_allow: "允许管理员配置的应用（Open WebUI）为我生成图片",
        apps_allow_help: "费用从你的积分中扣除，作品保存在你的历史记录中。关闭后，此类应用无法使用你的账户。",
        apps_admin_never: "应用从不代表管理员账户操作。",
        key_acts_badge: "代表用户",
        key_shown_once: "请立即复制此密钥：它只显示一次。",
        revoke: "撤销",
        no_keys: "还没有 API 密钥。",
        last_used: "最近使用",
        never: "从未",
        tab_invites: "邀请",
        invites_intro: "当注册方式为仅限邀请时（见设置），他人可凭邀请码注册。每个邀请码可用于你设定的注册次数，直到过期。分享邀请码或其注册链接即可。",
        invite_uses: "可注册次数",
        invite_days: "有效期（天）",
        invite_note: "备注（发给谁）",
        create_invite: "生成邀请码",
        no_invites: "还没有邀请码。",
        invite_used: |used, max| format!("已用 {used} / {max}"),
        invite_expires: "到期",
        invite_spent: "已失效",
        copy_link: "复制注册链接",
        withdraw: "撤回",
        signup_mode: "注册方式",
        signup_mode_help: "新安装的第一个账户总能注册（并成为管理员）。仅限邀请时所需的邀请码在此生成：",
        signup_open: "对所有人开放",
        signup_invite: "仅限邀请",
        signup_closed: "关闭注册",
        signup_per_hour: "每个地址每小时可注册数",
        signup_per_hour_help: "0 表示不限。",
        uploads: "上传",
        upload_quota_mb: "每位用户的上传图片空间（MB）",
        zero_no_limit: "0 表示不限。",
        upload_retention_days: "未使用的上传保留天数",
        batch_max: "每批最多任务数",
        upload_retention_help: "未被任何任务使用的上传图片在此天数后删除；任务用过的图片随任务保留。0 表示保留到手动删除。",
    },
    account: AccountTexts {
        password_title: "密码",
        current_password: "当前密码",
        new_password: "新密码",
        repeat_password: "再次输入新密码",
        passwords_differ: "两次输入的新密码不一致。",
        change_password: "修改密码",
        password_changed: "密码已修改，你的其他会话已退出登录。",
        sessions_title: "会话",
        sessions_intro: "你的账户在这些地方登录。退出你不认识的会话；API 密钥在你撤销前一直有效。",
        unknown_browser: "未知浏览器或脚本",
        this_session: "当前会话",
        sign_out_everywhere: "退出所有会话",
    },
    library: &library::ZH,
    gallery: &gallery::ZH,
    shell: &shell::ZH,
    studio: StudioTexts {
        engine_label: "引擎",
        model_label: "模型",
        size_label: "尺寸",
        quality_label: "质量",
        count_label: "张数",
        drawing: "绘制中…",
        mj_action_label: "操作",
        images_label: "图片",
        images_help: "拖入、粘贴（Ctrl+V）或选择最多五张图片：PNG、JPEG 或 WebP，每张不超过 10 MB。",
        add_images: "添加图片",
        uploading: "上传中…",
        remove_image: |n| format!("移除图片 {n}"),
        role_label: |n| format!("图片 {n} 的用途"),
        roles: ["垫图", "风格参考", "角色参考", "混图", "识图"],
        dimensions_label: "画幅",
        dimensions: ["竖图", "方图", "横图"],
        sw_label: "风格权重（--sw，0-1000）",
        cw_label: "角色权重（--cw，0-100）",
        reason_images: |min, max| {
            if min == max {
                format!("请提供 {min} 张图片。")
            } else {
                format!("请提供 {min} 到 {max} 张图片。")
            }
        },
        use_prompt: "使用此提示词",
        imagine_prompt: |n| format!("用提示词 {n} 生成"),
        zoom_label: "缩小倍数（1 到 2）",
        mask_label: "重绘区域",
        mask_help: "拖动以涂出矩形，或选择套索后沿区域画一圈。键盘：方向键移动虚线框，Shift+方向键调整大小，Enter 涂抹；Backspace 撤销，I 反选，Delete 清除。",
        mask_rect: "矩形",
        mask_lasso: "套索",
        mask_undo: "撤销",
        mask_clear: "清除",
        mask_invert: "反选",
        mask_full: "全屏",
        mask_done: "完成",
        mask_painted: "已涂抹区域。",
        mask_undone: "已撤销。",
        mask_inverted: "已反选。",
        mask_cleared: "已清除。",
        mask_needed: "请先涂出要重绘的区域。",
        region_prompt: "重绘区域的提示词（可修改或保留）",
        remix_label: "Remix：修改变体、重新生成或平移的提示词",
        remix_prompt: |button| format!("{button} 的提示词"),
        remix_send: "提交",
        edit_mask_label: "涂出要修改的区域（可选：不涂则整张图修改）",
        strength_label: "重绘幅度",
        strength_hint: "0 保留原图，1 完全忽略原图。",
        use_as_reference: "用作参考图",
        vary: "变化",
        edit_in_bar: "编辑",
        follow_ups: "后续操作",
        batch_label: "批量：一次多个提示词",
        batch_help: "每行一个提示词；{红, 蓝} 会为每个选项各生成一个（“{雪中, 雨中}的{红, 蓝}狐狸”为四个）。",
        batch_preview: |n, cost| format!("将创建 {n} 个任务，共 {cost} 积分："),
        batch_badge: |k, n| format!("批量 · 第 {k} 个，共 {n} 个"),
        qualities: ["低", "中", "高", "自动", "标准", "高清"],
        picture_of: |n, of| format!("第 {n} 张，共 {of} 张"),
        negative_prompt_label: "反向提示词",
        negative_prompt_hint: "画面中不希望出现的内容。",
        steps_label: "采样步数",
        cfg_label: "提示词相关性（CFG）",
        sampler_label: "采样器",
        box_default: "服务器默认",
        seed_label: "种子",
        seed_hint: "留空则随机。",
    },
};

/// A failure reason Atelier (or its engines) gives, in Chinese.
fn reason_zh(raw: &str) -> Option<String> {
    const WHOLE: &[(&str, &str)] = &[
        (
            "The upstream gave an answer Atelier cannot read.",
            "上游返回了无法识别的应答。",
        ),
        (
            "The upstream finished without an image.",
            "上游已完成，但没有返回图片。",
        ),
        ("The upstream reported a failure.", "上游报告任务失败。"),
        (
            "The upstream no longer knows this task (it may have restarted).",
            "上游已找不到此任务（可能已重启）。",
        ),
        ("The picture to describe is gone.", "要描述的图片已不存在。"),
        ("The original task is gone.", "原任务已不存在。"),
        (
            "Your request was rejected by the safety system.",
            "请求被安全系统拒绝。",
        ),
        ("Model not found", "找不到该模型"),
        ("upstream queue full", "上游队列已满"),
        ("The task was cancelled.", "任务已取消。"),
        ("cancelled", "已取消"),
    ];
    if let Some((_, zh)) = WHOLE.iter().find(|(en, _)| *en == raw) {
        return Some((*zh).to_owned());
    }
    let numbers = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    if let Some(word) = raw.strip_prefix("Banned word: ") {
        return Some(format!("包含违禁词：{word}"));
    }
    if let Some(rest) = raw.strip_prefix("Already made as task ") {
        return Some(format!("已由任务 {} 生成。", rest.trim_end_matches('.')));
    }
    if let Some(status) = raw.strip_prefix("HTTP ") {
        return Some(format!("上游出错（HTTP {status}）"));
    }
    if raw.starts_with("Timed out: no progress for ") {
        let n = numbers(raw);
        return Some(format!("超时：{} 秒内没有进展。", n.first()?));
    }
    if raw.starts_with("Timed out: the image service kept failing") {
        let n = numbers(raw);
        return Some(format!(
            "超时：图像服务持续出错（{} 秒内尝试 {} 次）。",
            n.get(1)?,
            n.first()?
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_reasons_read_in_chinese() {
        assert_eq!(ZH.fail_reason("Banned word: gore"), "包含违禁词：gore");
        assert_eq!(
            ZH.fail_reason("Timed out: the image service kept failing (5 tries in 600 seconds)."),
            "超时：图像服务持续出错（600 秒内尝试 5 次）。"
        );
        assert_eq!(
            ZH.fail_reason("Timed out: no progress for 90 seconds."),
            "超时：90 秒内没有进展。"
        );
        assert_eq!(
            ZH.fail_reason("The original task is gone."),
            "原任务已不存在。"
        );
        // An upstream's own words stay; English stays English.
        assert_eq!(
            ZH.fail_reason("quota exhausted on account 3"),
            "quota exhausted on account 3"
        );
        assert_eq!(EN.fail_reason("Banned word: gore"), "Banned word: gore");
    }

    #[test]
    fn every_audit_event_has_words_in_both_languages() {
        let keys = |t: &Texts| {
            t.admin
                .audit_events
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&EN), keys(&ZH));
        // The events the services write (sharing's as `{kind}.{hide|show}`).
        for key in [
            "credits.grant",
            "role.change",
            "channel.create",
            "channel.update",
            "channel.remove",
            "invite.create",
            "invite.delete",
            "settings.update",
            "task.hide",
            "task.show",
            "comment.hide",
            "comment.show",
            "report.dismiss",
        ] {
            assert_ne!(EN.admin.audit_event(key), key);
            let zh = ZH.admin.audit_event(key);
            assert!(!zh.chars().any(|c| c.is_ascii_alphabetic()), "{key}: {zh}");
        }
        assert_eq!(EN.admin.audit_event("new.event"), "new.event");
    }

    #[test]
    fn accept_language_prefers_highest_weight() {
        assert_eq!(
            Lang::from_accept_language("fr;q=0.9, zh-CN;q=0.8, en;q=0.7"),
            Some(Lang::Zh)
        );
        assert_eq!(
            Lang::from_accept_language("zh-TW;q=0.5,en-US"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(Lang::from_accept_language("zh;q=0"), None);
    }

    #[test]
    fn cookie_overrides_accept_language() {
        assert_eq!(Lang::negotiate(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::negotiate(Some("bogus"), Some("zh-CN")), Lang::Zh);
        assert_eq!(Lang::negotiate(None, None), Lang::En);
    }
}
