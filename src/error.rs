//! The one error type that crosses the wire: server functions return it to the UI (which matches on
//! it and words it in the user's language, postcard-encoded like all server-function data, see
//! `codec`) and the REST layer turns it into `{"error": {...}}` with `code()` and `status()`.

use serde::{Deserialize, Serialize};

/// Which conflict a 409 is: the pages word each in the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Conflict {
    EmailTaken,
    /// Cancelling (or continuing) a task that has already ended.
    TaskFinished,
    /// A button of a task that has not succeeded.
    NotSucceeded,
    /// Deleting a task that still runs.
    TaskLive,
    /// Deleting a task one of whose follow-ups still runs.
    FollowUpLive,
    LastAdmin,
    /// An account with as many API keys as it may have.
    TooManyKeys,
    /// A collection named like another of the user's.
    CollectionName,
    /// An account with as many collections as it may have.
    TooManyCollections,
    /// Retrying a task that has not failed (or been cancelled), or a follow-up whose picture
    /// is gone.
    NotRetryable,
    /// Publishing while the admin has the gallery switched off.
    GalleryOff,
    /// Commenting while the admin has comments switched off.
    CommentsOff,
    /// Sharing or publishing a picture an admin hid.
    Hidden,
    /// Answering (or cancelling) a step that another answer is being sent for.
    StepBusy,
}

/// Which rule a 422 broke, with its numbers: the pages word each in the user's language, and the
/// API's `message` is the English wording of the same rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rule {
    /// Empty where something is needed.
    Required,
    TooLong {
        max: u32,
    },
    /// A whole number from `min` to `max`.
    Range {
        min: i64,
        max: i64,
    },
    /// One of these words.
    OneOf {
        options: Vec<String>,
    },
    Email,
    PasswordTooShort {
        min: u32,
    },
    ControlCharacters,
    /// An http(s) URL, or `builtin`.
    Url,
    NotAButton,
    /// A feature not offered (yet): an engine, an action, a kind of input.
    NotOffered,
    /// Vary (Region): it needs a mask.
    NeedsMask,
    /// The modal step of a custom zoom needs a prompt.
    NeedsPrompt,
    /// A custom zoom's factor is from 1 to 2.
    ZoomFactor,
    SwitchedOff,
    NonZero,
    /// A grant that would take a balance below zero.
    BelowZero,
    /// A prompt flag that would buy another mode or more jobs than were paid for.
    PaidFlag {
        flag: String,
    },
    /// An invite code that is unknown, expired or used up.
    InviteInvalid,
    /// Not the account's current password.
    WrongPassword,
    /// An upload that is not a PNG, JPEG or WebP picture.
    NotAnImage,
    FileTooLarge {
        max_mb: u32,
    },
    TooManyPixels {
        max_mp: u32,
    },
    /// An upload the user does not have.
    NoSuchUpload,
    /// An edit's mask that is not a PNG of its picture's size.
    MaskMismatch,
    /// A batch that would make more tasks than the admin allows.
    BatchTooLarge {
        count: u64,
        max: u64,
    },
    /// A permutation prompt whose braces do not pair up.
    Braces,
    /// A permutation prompt whose groups nest deeper than `max`.
    Nesting {
        max: u32,
    },
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A list of 1 to `max` items (the ids of a bulk operation).
    Items {
        max: u32,
    },
    /// An upload past the user's storage for uploads.
    QuotaExceeded {
        max_mb: u32,
    },
    /// A number, decimals allowed, from `min` to `max`.
    Number {
        min: i64,
        max: i64,
    },
    /// A picture size `WIDTHxHEIGHT`, each side a multiple of 8 from `min` to `max`.
    Size {
        min: u32,
        max: u32,
    },
    /// Anything else, in English.
    Other(String),
}

impl Rule {
    /// "Choose a, b or c."
    pub fn one_of(options: &[&str]) -> Self {
        Self::OneOf {
            options: options.iter().map(|o| (*o).to_owned()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("You are not signed in, or your session has ended.")]
    Unauthorized,
    #[error("Wrong email or password.")]
    InvalidCredentials,
    #[error("You need {need} credits; you have {have}.")]
    InsufficientCredits { need: i64, have: i64 },
    #[error("{0}")]
    Forbidden(String),
    #[error("Not found.")]
    NotFound,
    #[error("{}", crate::i18n::Lang::En.texts().conflict(*.0))]
    Conflict(Conflict),
    #[error("{}", crate::i18n::Lang::En.texts().rule(rule))]
    Validation { field: String, rule: Rule },
    #[error("Too many attempts. Wait a minute and try again.")]
    RateLimited,
    /// More sign-ups from one client address in an hour than the admin allows.
    #[error("Too many sign-ups from your network in the last hour. Try again later.")]
    TooManySignups,
    /// Sign-up is closed (the admin creates accounts by invitation, or not at all).
    #[error("Sign-up is closed on this Atelier. Ask an administrator for an invitation.")]
    SignupClosed,
    /// More sign-ins and sign-ups at once than the server hashes passwords for.
    #[error("The server is busy; try again in a few seconds.")]
    Busy,
    #[error("You already have {limit} tasks running; wait for one to finish.")]
    TooManyTasks { limit: i64 },
    #[error("The image service is unavailable: {0}")]
    Upstream(String),
    #[error("The image service rejected the request: {0}")]
    UpstreamRejected(String),
    #[error("Generation is switched off by the administrator.")]
    Disabled,
    #[error("Something went wrong on the server.")]
    Internal,
    /// A page and the server disagree about a server function's data: the page was loaded before
    /// Atelier was updated (or something between them mangled the answer). Reloading fixes it.
    #[error("This page is out of date; reload it.")]
    Outdated,
    /// The browser got no answer from Atelier (offline, or the server is down). Pages only.
    #[error("Atelier could not be reached.")]
    Unreachable,
}

impl AppError {
    /// A broken rule of a field; the message is the rule's English wording.
    pub fn invalid(field: &str, rule: Rule) -> Self {
        Self::Validation {
            field: field.to_owned(),
            rule,
        }
    }

    /// A field that broke a rule with no wording of its own: `message` is in English only.
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(field, Rule::Other(message.into()))
    }

    /// A whole number outside `min..=max`.
    pub fn range(field: &str, min: i64, max: i64) -> Self {
        Self::invalid(field, Rule::Range { min, max })
    }

    /// The stable snake_case code of rest-api.md.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) | Self::Outdated => "bad_request",
            Self::Unauthorized | Self::InvalidCredentials => "unauthorized",
            Self::InsufficientCredits { .. } => "insufficient_credits",
            Self::Forbidden(_) | Self::SignupClosed => "forbidden",
            Self::NotFound => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Validation { .. } => "validation",
            Self::RateLimited | Self::Busy | Self::TooManySignups => "rate_limited",
            Self::TooManyTasks { .. } => "too_many_tasks",
            Self::Upstream(_) => "upstream_error",
            Self::UpstreamRejected(_) => "upstream_rejected",
            Self::Disabled => "disabled",
            Self::Internal | Self::Unreachable => "internal",
        }
    }

    /// The HTTP status of rest-api.md.
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest(_) | Self::Outdated => 400,
            Self::Unauthorized | Self::InvalidCredentials => 401,
            Self::InsufficientCredits { .. } => 402,
            Self::Forbidden(_) | Self::SignupClosed => 403,
            Self::NotFound => 404,
            Self::Conflict(_) => 409,
            Self::Validation { .. } => 422,
            Self::RateLimited | Self::Busy | Self::TooManySignups | Self::TooManyTasks { .. } => {
                429
            }
            Self::Upstream(_) | Self::UpstreamRejected(_) => 502,
            Self::Disabled => 503,
            Self::Internal | Self::Unreachable => 500,
        }
    }

    pub fn rule(&self) -> Option<&Rule> {
        match self {
            Self::Validation { rule, .. } => Some(rule),
            _ => None,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Validation { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::PostcardEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            // Only Atelier's own pages call server functions, and postcard carries no field names:
            // arguments the server cannot read, or an answer the page cannot, mean the page
            // predates the running server.
            E::Args(_) | E::Deserialization(_) | E::MissingArg(_) => Self::Outdated,
            // In the browser: the request never got an answer.
            E::Request(_) | E::Response(_) => Self::Unreachable,
            _ => Self::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AppError;

    #[test]
    fn errors_reach_the_pages_whole() {
        for e in [
            AppError::InsufficientCredits { need: 8, have: 2 },
            AppError::validation("prompt", "Banned word: gore"),
            AppError::invalid("cost", AppError::range("x", 0, 9).rule().unwrap().clone()),
            AppError::Conflict(super::Conflict::LastAdmin),
            AppError::TooManyTasks { limit: 5 },
            AppError::Upstream("down".into()),
            AppError::Internal,
            AppError::Outdated,
        ] {
            let bytes = postcard::to_allocvec(&e).unwrap();
            assert_eq!(postcard::from_bytes::<AppError>(&bytes).unwrap(), e);
        }
    }
}
