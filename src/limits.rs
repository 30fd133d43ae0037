//! Limits that the pages check before sending and the server checks again: defined once, in code
//! compiled for both, so that the two can never disagree.

/// Characters in a prompt.
pub const PROMPT_MAX_CHARS: usize = 4000;
/// Words searched for in history (`q`): a search is a scan, so its pattern stays short.
pub const SEARCH_MAX_CHARS: usize = 200;
/// Characters in a password.
pub const PASSWORD_CHARS: (usize, usize) = (8, 256);
/// Characters in a display name, a key's name.
pub const NAME_MAX_CHARS: usize = 64;
/// Characters in a channel's name.
pub const CHANNEL_NAME_MAX_CHARS: usize = 80;
/// Characters in an upstream secret.
pub const SECRET_MAX_CHARS: usize = 512;
/// Characters in the note of a credit adjustment.
pub const NOTE_MAX_CHARS: usize = 500;
/// A price in credits (of a mode, an action, the sign-up gift).
pub const COST: (i64, i64) = (0, 1_000_000);
/// Live tasks a user may have at once.
pub const MAX_ACTIVE: (i64, i64) = (1, 1000);
/// The task deadline, in seconds.
pub const TASK_TIMEOUT_SECS: (i64, i64) = (30, 86_400);
/// A channel's concurrency (per mode for midjourney).
pub const CONCURRENCY: (i64, i64) = (1, 100);
/// A channel's weight.
pub const WEIGHT: (i64, i64) = (1, 100);
/// One credit adjustment, either way.
pub const GRANT_MAX: i64 = 1_000_000_000;
/// Items on one page of a list.
pub const PAGE: (i64, i64) = (1, 100);
/// Sign-ups per client address and hour (0: no limit).
pub const SIGNUP_PER_HOUR: (i64, i64) = (0, 100_000);
/// A user's uploads together, in MB (0: no limit).
pub const UPLOAD_QUOTA_MB: (i64, i64) = (0, 1_000_000);
/// Days an upload no task used is kept (0: kept until deleted).
pub const UPLOAD_RETENTION_DAYS: (i64, i64) = (0, 3650);
/// Tasks one batch may make.
pub const BATCH_MAX: (i64, i64) = (1, 100);
/// Uses of one invite code.
pub const INVITE_USES: (i64, i64) = (1, 10_000);
/// Days an invite code stays valid.
pub const INVITE_DAYS: (i64, i64) = (1, 365);
/// Sessions one account keeps: a new sign-in past it ends the oldest.
pub const SESSIONS_PER_ACCOUNT: i64 = 20;
/// API keys one account may have.
pub const KEYS_PER_ACCOUNT: i64 = 20;
/// Images one task may be given (image prompts and references, a blend's pictures).
pub const TASK_IMAGES_MAX: usize = 5;
/// Characters in a collection's name.
pub const COLLECTION_NAME_MAX_CHARS: usize = 80;
/// Characters in a collection's description.
pub const COLLECTION_DESCRIPTION_MAX_CHARS: usize = 500;
/// Collections one account may have.
pub const COLLECTIONS_PER_ACCOUNT: i64 = 500;
/// Tasks one bulk operation (or one ZIP) takes.
pub const BULK_MAX: usize = 500;
/// Characters in a template's name.
pub const TEMPLATE_NAME_MAX_CHARS: usize = 80;
/// Templates one account may have of its own.
pub const TEMPLATES_PER_ACCOUNT: i64 = 200;
/// Recent prompts the Generate page offers.
pub const RECENT_PROMPTS: usize = 10;
/// Characters in a comment on the gallery.
pub const COMMENT_MAX_CHARS: usize = 1000;
/// Comments one user may write in [`COMMENT_WINDOW_MS`].
pub const COMMENTS_PER_WINDOW: i64 = 5;
pub const COMMENT_WINDOW_MS: i64 = 60_000;
/// Comments a picture shows (the oldest first).
pub const COMMENTS_SHOWN: i64 = 500;
/// Characters in the reason of a report.
pub const REPORT_REASON_MAX_CHARS: usize = 500;
/// Pictures on a page of the gallery.
pub const GALLERY_PAGE: i64 = 24;
/// Pages of the gallery one may go back (offset paging).
pub const GALLERY_PAGES_MAX: i64 = 400;
/// Open reports the admin overview lists.
pub const REPORTS_SHOWN: i64 = 100;
