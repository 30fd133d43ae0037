//! Serde types that cross the wire between server and browser. Database rows stay server-side.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    User,
    Pending,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::User => "user",
            Self::Pending => "pending",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "user" => Some(Self::User),
            "pending" => Some(Self::Pending),
            _ => None,
        }
    }
}

/// What a cancel gives back of a task that was already being drawn upstream (one that had not
/// started there is always refunded in full): an admin setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelRefund {
    /// All of its cost.
    Full,
    /// Nothing: the upstream's work was done or paid for.
    None,
    /// The part not drawn yet: at 70 %, 30 % of the cost.
    #[default]
    Progress,
}

impl CancelRefund {
    pub const ALL: [Self; 3] = [Self::Full, Self::None, Self::Progress];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::None => "none",
            Self::Progress => "progress",
        }
    }

    /// The percent of the cost given back for a task at `progress` percent.
    pub fn percent_at(self, progress: i64) -> i64 {
        match self {
            Self::Full => 100,
            Self::None => 0,
            Self::Progress => 100 - progress.clamp(0, 100),
        }
    }
}

/// Who may create an account (the first account of an installation always may: it becomes the
/// admin).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignupMode {
    /// Anyone.
    #[default]
    Open,
    /// Only with an invite code an admin made.
    Invite,
    /// No one: admins create accounts by invitation only after switching to `invite`.
    Closed,
}

impl SignupMode {
    pub const ALL: [Self; 3] = [Self::Open, Self::Invite, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Invite => "invite",
            Self::Closed => "closed",
        }
    }
}

/// What the sign-up page needs to know: whether it needs an invite code, whether sign-up is
/// closed, and whether new accounts wait for approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupOptions {
    pub mode: SignupMode,
    pub needs_approval: bool,
    /// No account exists yet: this one becomes the administrator.
    #[serde(default)]
    pub first_account: bool,
}

/// How many sample pictures the front page of an empty installation shows (`/samples/{n}`).
pub const LANDING_SAMPLES: u8 = 8;

/// What a signed-out visitor of `/` sees: the newest pictures of the gallery (none when it is
/// off or empty: sample pictures then), and how to join.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Landing {
    pub pictures: Vec<PublicTaskView>,
    pub signup: SignupOptions,
}

/// An invite code, as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteView {
    pub id: String,
    pub code: String,
    pub note: String,
    pub max_uses: i64,
    pub uses: i64,
    pub expires_at: Option<String>,
    pub created_at: String,
    /// The sign-up page with the code filled in (a path: the admin adds the site's address).
    pub signup_path: String,
    /// Still usable: not expired, not used up.
    pub usable: bool,
}

/// One of the signed-in account's sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: String,
    pub created_at: String,
    pub last_seen_at: Option<String>,
    pub expires_at: String,
    pub user_agent: Option<String>,
    pub client: Option<String>,
    /// The session this request was made with.
    pub current: bool,
}

/// `user` of rest-api.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// What every page knows about the person looking at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user: UserView,
    pub balance: i64,
}

impl Me {
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }
}

/// A kind of generator Atelier speaks to; each has its own adapter under `engines/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    Midjourney,
    Openai,
    SdWebui,
}

impl EngineKind {
    pub const ALL: [EngineKind; 3] = [Self::Midjourney, Self::Openai, Self::SdWebui];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Midjourney => "midjourney",
            Self::Openai => "openai",
            Self::SdWebui => "sd_webui",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            Self::Midjourney => "MidJourney",
            Self::Openai => "OpenAI Images",
            Self::SdWebui => "Stable Diffusion WebUI",
        }
    }
}

/// A speed mode of the upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Fast,
    Relax,
    Turbo,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Fast, Mode::Relax, Mode::Turbo];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fast => "fast",
            Self::Relax => "relax",
            Self::Turbo => "turbo",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fast" => Some(Self::Fast),
            "relax" => Some(Self::Relax),
            "turbo" => Some(Self::Turbo),
            _ => None,
        }
    }

    /// The name midjourney-proxies use in `accountFilter.modes`.
    pub fn upstream_name(self) -> &'static str {
        match self {
            Self::Fast => "FAST",
            Self::Relax => "RELAX",
            Self::Turbo => "TURBO",
        }
    }
}

/// Where a task is in its life. Only moves forward; the last three are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Held by Atelier, not yet sent upstream.
    Queued,
    /// Accepted upstream, waiting there.
    Submitted,
    InProgress,
    /// The upstream waits for a step of the user's (midjourney's modal: a prompt or a mask).
    NeedsInput,
    Succeeded,
    Failed,
    Cancelled,
}

impl TaskStatus {
    pub const LIVE: [TaskStatus; 4] = [
        Self::Queued,
        Self::Submitted,
        Self::InProgress,
        Self::NeedsInput,
    ];
    pub const ALL: [TaskStatus; 7] = [
        Self::Queued,
        Self::Submitted,
        Self::InProgress,
        Self::NeedsInput,
        Self::Succeeded,
        Self::Failed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Submitted => "submitted",
            Self::InProgress => "in_progress",
            Self::NeedsInput => "needs_input",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }

    /// Position in the forward order; all final states share the last rank.
    pub fn rank(self) -> u8 {
        match self {
            Self::Queued => 0,
            Self::Submitted => 1,
            Self::InProgress | Self::NeedsInput => 2,
            Self::Succeeded | Self::Failed | Self::Cancelled => 3,
        }
    }

    /// True when moving from `self` to `next` goes forward (never back, never out of a final
    /// state). A modal step goes back and forth between running and waiting for the user.
    pub fn can_become(self, next: TaskStatus) -> bool {
        !self.is_final()
            && (next.rank() > self.rank()
                || matches!(
                    (self, next),
                    (Self::InProgress, Self::NeedsInput) | (Self::NeedsInput, Self::InProgress)
                ))
    }
}

/// What a task does: a new picture from a prompt, or a step on an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskAction {
    Imagine,
    Upscale,
    Variation,
    Reroll,
    Pan,
    Zoom,
    /// Midjourney's Vary (Region): a mask and a prompt.
    Inpaint,
    Blend,
    Describe,
    Edit,
    /// Midjourney's shorten: a prompt turned into five shorter ones.
    Shorten,
    /// Any other button of the upstream (a new one, say), pressed as it is.
    Other,
}

impl TaskAction {
    pub const ALL: [TaskAction; 12] = [
        Self::Imagine,
        Self::Upscale,
        Self::Variation,
        Self::Reroll,
        Self::Pan,
        Self::Zoom,
        Self::Inpaint,
        Self::Blend,
        Self::Describe,
        Self::Edit,
        Self::Shorten,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Imagine => "imagine",
            Self::Upscale => "upscale",
            Self::Variation => "variation",
            Self::Reroll => "reroll",
            Self::Pan => "pan",
            Self::Zoom => "zoom",
            Self::Inpaint => "inpaint",
            Self::Blend => "blend",
            Self::Describe => "describe",
            Self::Edit => "edit",
            Self::Shorten => "shorten",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A follow-up button of a finished task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Button {
    pub custom_id: String,
    pub label: String,
    pub emoji: String,
    /// What it does, where Atelier knows (for the pages' words and screen readers).
    #[serde(default)]
    pub action: Option<TaskAction>,
    /// Which of the four pictures it acts on, if one.
    #[serde(default)]
    pub index: Option<u8>,
    /// Where a pan goes: `left`, `right`, `up` or `down`.
    #[serde(default)]
    pub direction: Option<String>,
    /// What pressing it costs now, in credits (filled in where tasks are answered).
    #[serde(default)]
    pub cost: Option<i64>,
}

/// The follow-ups the admin prices one by one (`action_costs` of the settings), each defaulting
/// to `action_cost`. A describe's and a shorten's "imagine this prompt" costs its mode's grid.
pub const ACTION_PRICES: [&str; 15] = [
    "upscale",
    "upscale_subtle",
    "upscale_creative",
    "variation",
    "vary_subtle",
    "vary_strong",
    "vary_region",
    "reroll",
    "pan",
    "zoom_out",
    "make_square",
    "custom_zoom",
    "describe",
    "shorten",
    "other",
];

/// What a task was asked with, beside its prompt (`params` of rest-api.md). Every field is always
/// carried (null when unset): the pages' postcard cannot skip fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct TaskParams {
    pub size: Option<String>,
    pub quality: Option<String>,
    pub n: Option<u8>,
    pub negative_prompt: Option<String>,
    pub seed: Option<i64>,
    /// Midjourney's modal step: the prompt the user gave it.
    pub modal_prompt: Option<String>,
    /// Stable Diffusion: sampling steps, guidance (CFG scale), the sampler, and for an edit how
    /// far from the given picture it may go (0-1).
    pub steps: Option<u32>,
    pub cfg_scale: Option<Scale>,
    pub sampler: Option<String>,
    pub denoising_strength: Option<Scale>,
    /// MidJourney's blend: `portrait`, `square` or `landscape`.
    pub dimensions: Option<String>,
    /// MidJourney's style weight (`--sw`, 0-1000) and character weight (`--cw`, 0-100), with
    /// style and character references.
    pub sw: Option<u32>,
    pub cw: Option<u32>,
}

/// The OpenAPI schema of a price or a concurrency: a whole number, or whole numbers by name (a
/// quality, a mode).
#[cfg(feature = "ssr")]
fn number_or_by_name() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{
        AdditionalProperties, ObjectBuilder, OneOfBuilder, SchemaType, Type,
    };
    let number = || ObjectBuilder::new().schema_type(SchemaType::Type(Type::Integer));
    OneOfBuilder::new()
        .item(number())
        .item(
            ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Object))
                .additional_properties(Some(AdditionalProperties::RefOr(number().build().into()))),
        )
        .build()
        .into()
}

/// The model name under which the admin prices every Stable Diffusion checkpoint they did not
/// price one by one (and a task that names none: the box's loaded checkpoint).
pub const ANY_CHECKPOINT: &str = "*";

/// A finite decimal number of a task's parameters (a CFG scale, a strength): checked to be
/// finite when it is given, so it compares as equal to itself.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Scale(pub f64);

impl Eq for Scale {}

/// One output image of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImageView {
    pub url: String,
    pub thumbnail_url: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// An image the task was given (`inputs` of rest-api.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InputView {
    pub upload_id: String,
    pub role: String,
}

/// `task` of rest-api.md (and of the pages, which also see `queue_position`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskView {
    pub id: String,
    pub parent_id: Option<String>,
    pub engine: EngineKind,
    pub action: TaskAction,
    /// The parent's button that made it (a follow-up), also what answers its modal step.
    #[serde(default)]
    pub custom_id: Option<String>,
    /// Which picture of its parent's grid it was made from (1-4), where the button said one
    /// (U2, V3): for the pages' "Upscale of picture 2".
    #[serde(default)]
    pub from_picture: Option<u8>,
    /// Midjourney's speed mode; None for the other engines.
    pub mode: Option<Mode>,
    /// The other engines' model; None for midjourney.
    pub model: Option<String>,
    pub prompt: String,
    #[serde(default)]
    pub params: TaskParams,
    pub status: TaskStatus,
    pub progress: u8,
    pub image_url: Option<String>,
    pub preview_url: Option<String>,
    pub thumbnail_url: Option<String>,
    #[serde(default)]
    pub images: Vec<ImageView>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub inputs: Vec<InputView>,
    pub buttons: Vec<Button>,
    pub cost: i64,
    /// The credits given back when the task ended (all of them for a failure; for a cancel, what
    /// the admin's cancel policy gives back).
    #[serde(default)]
    pub refunded: i64,
    pub fail_reason: Option<String>,
    /// Admins only: what lies behind `fail_reason` inside Atelier's network.
    #[serde(default)]
    pub fail_detail: Option<String>,
    pub upstream_id: Option<String>,
    #[serde(default)]
    pub favorite: bool,
    #[serde(default)]
    pub shared_url: Option<String>,
    /// Listed on the gallery by its owner.
    #[serde(default)]
    pub published: bool,
    /// An admin hid it from the gallery and its share link.
    #[serde(default)]
    pub hidden: bool,
    /// Admins only.
    #[serde(default)]
    pub channel_id: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The batch it was made in (`POST /api/v1/tasks/batch`), shared by its tasks.
    #[serde(default)]
    pub batch_id: Option<String>,
    /// While queued in Atelier: how many tasks of the same mode go first (the UI's polls only).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub queue_position: Option<i64>,
}

/// As derived, except that JSON (the REST API) leaves out an absent `queue_position`, which
/// rest-api.md does not have, while postcard (the pages) always carries it: a binary form cannot
/// skip a field. The destructuring names every field, so a new one cannot be forgotten here.
impl Serialize for TaskView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let TaskView {
            id,
            parent_id,
            engine,
            action,
            custom_id,
            from_picture,
            mode,
            model,
            prompt,
            params,
            status,
            progress,
            image_url,
            preview_url,
            thumbnail_url,
            images,
            text,
            inputs,
            buttons,
            cost,
            refunded,
            fail_reason,
            fail_detail,
            upstream_id,
            favorite,
            shared_url,
            published,
            hidden,
            channel_id,
            created_at,
            started_at,
            finished_at,
            batch_id,
            queue_position,
        } = self;
        let always = !serializer.is_human_readable();
        let mut s = serializer.serialize_struct("TaskView", 34)?;
        s.serialize_field("id", id)?;
        s.serialize_field("parent_id", parent_id)?;
        s.serialize_field("engine", engine)?;
        s.serialize_field("action", action)?;
        s.serialize_field("custom_id", custom_id)?;
        s.serialize_field("from_picture", from_picture)?;
        s.serialize_field("mode", mode)?;
        s.serialize_field("model", model)?;
        s.serialize_field("prompt", prompt)?;
        s.serialize_field("params", params)?;
        s.serialize_field("status", status)?;
        s.serialize_field("progress", progress)?;
        s.serialize_field("image_url", image_url)?;
        s.serialize_field("preview_url", preview_url)?;
        s.serialize_field("thumbnail_url", thumbnail_url)?;
        s.serialize_field("images", images)?;
        s.serialize_field("text", text)?;
        s.serialize_field("inputs", inputs)?;
        s.serialize_field("buttons", buttons)?;
        s.serialize_field("cost", cost)?;
        s.serialize_field("refunded", refunded)?;
        s.serialize_field("fail_reason", fail_reason)?;
        s.serialize_field("fail_detail", fail_detail)?;
        s.serialize_field("upstream_id", upstream_id)?;
        s.serialize_field("favorite", favorite)?;
        s.serialize_field("shared_url", shared_url)?;
        s.serialize_field("published", published)?;
        s.serialize_field("hidden", hidden)?;
        s.serialize_field("channel_id", channel_id)?;
        s.serialize_field("created_at", created_at)?;
        s.serialize_field("started_at", started_at)?;
        s.serialize_field("finished_at", finished_at)?;
        s.serialize_field("batch_id", batch_id)?;
        if queue_position.is_some() || always {
            s.serialize_field("queue_position", queue_position)?;
        } else {
            s.skip_field("queue_position")?;
        }
        s.end()
    }
}

impl TaskView {
    pub fn is_live(&self) -> bool {
        !self.status.is_final()
    }

    /// A task known by its id alone, queued and empty (never shown: a card's task is always in
    /// the list while its card exists; the viewer's tests build on it).
    pub fn placeholder(id: &str) -> Self {
        TaskView {
            id: id.to_owned(),
            parent_id: None,
            engine: EngineKind::Midjourney,
            action: TaskAction::Imagine,
            custom_id: None,
            from_picture: None,
            mode: None,
            model: None,
            prompt: String::new(),
            params: Default::default(),
            status: TaskStatus::Queued,
            progress: 0,
            image_url: None,
            preview_url: None,
            thumbnail_url: None,
            images: Vec::new(),
            text: None,
            inputs: Vec::new(),
            buttons: Vec::new(),
            cost: 0,
            refunded: 0,
            fail_reason: None,
            fail_detail: None,
            upstream_id: None,
            favorite: false,
            shared_url: None,
            published: false,
            hidden: false,
            channel_id: None,
            created_at: String::new(),
            started_at: None,
            finished_at: None,
            batch_id: None,
            queue_position: None,
        }
    }
}

/// What the Generate page needs when it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerateState {
    pub enabled: bool,
    /// Every engine with what it offers (the page shows those enabled).
    pub engines: Vec<EngineOffer>,
    pub modes: Vec<ModeView>,
    pub action_cost: i64,
    /// Each follow-up's price, by [`ACTION_PRICES`] (describe and shorten too).
    pub action_costs: std::collections::BTreeMap<String, i64>,
    /// The most tasks one batch may make.
    pub batch_max: i64,
    pub balance: i64,
    pub pending: bool,
    /// The user's live tasks and their latest finished ones, newest first.
    pub tasks: Vec<TaskView>,
    /// The user's templates and the shared ones.
    pub templates: Vec<TemplateView>,
    /// The user's latest prompts, each once, newest first.
    pub recent_prompts: Vec<String>,
    /// The user may share templates with everyone.
    pub is_admin: bool,
}

/// A prompt template: a prompt with `{placeholders}`, and the engine, mode or model and
/// parameters it is used with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateView {
    pub id: String,
    pub name: String,
    pub prompt: String,
    /// The names the prompt's `{placeholders}` ask for, in order.
    pub placeholders: Vec<String>,
    pub engine: Option<EngineKind>,
    pub mode: Option<Mode>,
    pub model: Option<String>,
    pub params: TaskParams,
    /// Seen by everyone (made by an admin, or one of the starter presets).
    pub shared: bool,
    /// The user may change or delete it: their own, or (admins) a shared one.
    pub editable: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// One poll of the Generate page: the tasks asked about, and the balance (refunds show at once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskUpdates {
    pub tasks: Vec<TaskView>,
    pub balance: i64,
}

/// A page of history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub tasks: Vec<TaskView>,
    pub next_cursor: Option<String>,
    /// The collection the page is narrowed to.
    pub collection: Option<CollectionView>,
}

/// What history is narrowed to, as the page's query string has it (the API's `GET
/// /api/v1/tasks` takes the same names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryQuery {
    pub status: Option<String>,
    pub engine: Option<String>,
    pub q: Option<String>,
    pub before: Option<String>,
    pub favorite: bool,
    pub batch: Option<String>,
    pub collection: Option<String>,
    pub mode: Option<String>,
    /// `YYYY-MM-DD`: made on or after that day, on or before that one.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A collection of the user's pictures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CollectionView {
    pub id: String,
    pub name: String,
    pub description: String,
    /// The cover its owner chose (null: the picture added last).
    pub cover_task_id: Option<String>,
    /// The thumbnail of the cover; null while the collection has no picture.
    pub cover_url: Option<String>,
    pub task_count: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// A picture where others see it, through its share link or on the gallery: only what its
/// owner shows there (the prompt and the pictures, their display name; never their email, their
/// account or what it cost).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PublicTaskView {
    pub id: String,
    pub engine: EngineKind,
    pub mode: Option<Mode>,
    pub model: Option<String>,
    pub prompt: String,
    /// The owner's display name.
    pub author: String,
    /// Every picture, at links anyone may open while the task is shown there.
    pub images: Vec<ImageView>,
    pub created_at: String,
    /// When it was listed on the gallery; null when it is not.
    pub published_at: Option<String>,
    pub like_count: i64,
    pub comment_count: i64,
    /// The viewer likes it (false when nobody is signed in).
    pub liked: bool,
    /// The viewer owns it.
    pub mine: bool,
}

/// A comment on a published picture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CommentView {
    pub id: String,
    pub task_id: String,
    /// Its author's display name.
    pub author: String,
    pub body: String,
    pub created_at: String,
    /// The viewer may delete it (its author, an admin).
    pub deletable: bool,
    /// An admin hid it (admins only see hidden comments).
    pub hidden: bool,
}

/// A page of the gallery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GalleryPage {
    pub tasks: Vec<PublicTaskView>,
    /// More pictures follow this page.
    pub more: bool,
    /// The admin switched the gallery on.
    pub enabled: bool,
    pub comments_enabled: bool,
    pub signed_in: bool,
    pub is_admin: bool,
}

/// The picture of a share link, and where this Atelier is (`https://host`: the links of a
/// preview are whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedPage {
    pub task: PublicTaskView,
    pub base: String,
}

/// One picture of the gallery with its comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GalleryItem {
    pub task: PublicTaskView,
    /// Where this Atelier is, as in [`SharedPage`].
    pub base: String,
    pub comments: Vec<CommentView>,
    pub comments_enabled: bool,
    pub signed_in: bool,
    pub is_admin: bool,
}

/// A picture or comment users reported, for the admin overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportView {
    pub task_id: String,
    /// The comment reported; null: the picture itself.
    pub comment_id: Option<String>,
    /// How many users reported it.
    pub reports: i64,
    pub last_reported_at: String,
    /// The latest reason given.
    pub reason: String,
    pub prompt: String,
    pub comment: Option<String>,
    pub thumbnail_url: Option<String>,
    pub task_hidden: bool,
    pub comment_hidden: bool,
}

/// What a bulk operation of history came to: the ids done, and each other one with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDone {
    pub done: Vec<String>,
    pub failed: Vec<(String, crate::error::AppError)>,
}

/// A collection, and whether a given task is in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub collection: CollectionView,
    pub member: bool,
}

/// The task view: the task, where it came from and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDetail {
    pub task: TaskView,
    pub parent: Option<TaskView>,
    pub children: Vec<TaskView>,
    pub action_cost: i64,
    /// The viewer owns it (an admin may look at anyone's, but only an owner shares).
    pub mine: bool,
}

/// A ledger entry as the account page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub id: String,
    pub delta: i64,
    pub reason: String,
    pub note: Option<String>,
    pub task_id: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPage {
    pub balance: i64,
    pub entries: Vec<LedgerEntry>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::TaskStatus::*;
    use super::{Button, EngineKind, ImageView, Mode, TaskAction, TaskParams, TaskView};

    /// Prices read as a number or an object in JSON, and survive the pages' postcard (which an
    /// untagged enum does not: the Generate page could not load).
    #[test]
    fn costs_are_numbers_or_objects_in_json_and_round_trip_in_postcard() {
        use super::Cost;
        let by: Cost = serde_json::from_str(r#"{"low": 2, "high": 12}"#).unwrap();
        assert_eq!(by.of(Some("high")), Some(12));
        assert_eq!(by.of(Some("hd")), None);
        assert_eq!(by.lowest(), 2);
        let each: Cost = serde_json::from_str("5").unwrap();
        assert_eq!(each, Cost::Each(5));
        assert_eq!(serde_json::to_string(&each).unwrap(), "5");
        for cost in [by, each] {
            let bytes = postcard::to_allocvec(&cost).unwrap();
            assert_eq!(postcard::from_bytes::<Cost>(&bytes).unwrap(), cost);
        }
    }

    fn task(queue_position: Option<i64>) -> TaskView {
        TaskView {
            id: "t1".into(),
            parent_id: Some("t0".into()),
            engine: EngineKind::Midjourney,
            action: TaskAction::Upscale,
            custom_id: Some("MJ::JOB::upsample::1".into()),
            from_picture: Some(1),
            mode: Some(Mode::Relax),
            model: None,
            prompt: "a fox".into(),
            params: TaskParams {
                n: Some(1),
                ..TaskParams::default()
            },
            status: Queued,
            progress: 0,
            image_url: Some("/i".into()),
            preview_url: Some("/p".into()),
            thumbnail_url: Some("/t".into()),
            images: vec![ImageView {
                url: "/i".into(),
                thumbnail_url: Some("/t".into()),
                width: Some(64),
                height: None,
            }],
            text: None,
            inputs: vec![],
            buttons: vec![Button {
                custom_id: "MJ::JOB::upsample::1".into(),
                label: "U1".into(),
                emoji: String::new(),
                action: Some(TaskAction::Upscale),
                index: Some(1),
                direction: None,
                cost: None,
            }],
            cost: 2,
            refunded: 1,
            fail_reason: Some("no".into()),
            fail_detail: None,
            upstream_id: Some("u1".into()),
            favorite: false,
            shared_url: None,
            published: false,
            hidden: false,
            channel_id: None,
            created_at: "2026-11-28T10:00:00Z".into(),
            started_at: Some("2026-11-28T10:00:01Z".into()),
            finished_at: Some("2026-11-28T10:00:02Z".into()),
            batch_id: None,
            queue_position,
        }
    }

    #[test]
    fn a_task_has_the_rest_fields_in_json_and_all_fields_in_postcard() {
        for place in [None, Some(3)] {
            let json = serde_json::to_value(task(place)).unwrap();
            assert_eq!(
                json.get("queue_position").is_some(),
                place.is_some(),
                "{json}"
            );
            assert_eq!(
                json.as_object().unwrap().len(),
                33 + usize::from(place.is_some())
            );
            assert_eq!(
                serde_json::from_value::<TaskView>(json).unwrap(),
                task(place)
            );
            // In a list, as the pages get them: a skipped field would shift the next task.
            let both = vec![task(place), task(Some(1))];
            let bytes = postcard::to_allocvec(&both).unwrap();
            assert_eq!(postcard::from_bytes::<Vec<TaskView>>(&bytes).unwrap(), both);
        }
    }

    #[test]
    fn a_settings_save_sends_only_what_changed() {
        use super::{ModeConfig, Role, SettingsChange, SettingsForm};
        let form = SettingsForm {
            enabled: true,
            api_url: "builtin".into(),
            api_secret: None,
            modes: vec![ModeConfig {
                mode: Mode::Fast,
                cost: 8,
                enabled: true,
                concurrency: 3,
            }],
            action_cost: 2,
            signup_credits: 100,
            max_active_tasks_per_user: 5,
            new_user_role: Role::User,
            task_timeout_secs: 600,
            cancel_refund: super::CancelRefund::Progress,
            signup_mode: super::SignupMode::Open,
            signup_per_hour: 20,
            upload_quota_mb: 200,
            upload_retention_days: 7,
            batch_max: 10,
            gallery_enabled: true,
            comments_enabled: true,
            action_costs: [("upscale".to_owned(), Some(3)), ("pan".to_owned(), None)].into(),
        };
        assert_eq!(
            SettingsChange::between(&form, &form),
            SettingsChange::default()
        );
        let mut now = form.clone();
        now.modes[0].cost = 9;
        let change = SettingsChange::between(&form, &now);
        assert_eq!(change.modes.len(), 1);
        assert_eq!(
            (
                change.modes[0].cost,
                change.modes[0].enabled,
                change.task_timeout_secs
            ),
            (Some(9), None, None),
            "the deadline the environment set is not pinned"
        );
        assert!(change.action_costs.is_empty());
        let mut priced = form.clone();
        priced.action_costs.insert("upscale".into(), None);
        priced.action_costs.insert("pan".into(), Some(4));
        assert_eq!(
            SettingsChange::between(&form, &priced).action_costs,
            [("pan".to_owned(), Some(4)), ("upscale".to_owned(), None)].into(),
            "a price cleared goes back to the default"
        );
    }

    #[test]
    fn status_only_moves_forward_and_finals_never_change() {
        assert!(Queued.can_become(Submitted));
        assert!(Queued.can_become(Failed));
        assert!(Submitted.can_become(InProgress));
        assert!(!InProgress.can_become(Submitted));
        assert!(!InProgress.can_become(InProgress));
        assert!(!Succeeded.can_become(Failed));
        assert!(!Failed.can_become(Cancelled));
    }
}

/// Price, switch and upstream concurrency of one mode (server-side settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeConfig {
    pub mode: Mode,
    pub cost: i64,
    pub enabled: bool,
    pub concurrency: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModeView {
    pub mode: Mode,
    pub cost: i64,
    pub enabled: bool,
    /// Admins only.
    pub concurrency: Option<i64>,
}

/// What one image of a model costs: the same at every quality, or by quality
/// (`{"low": 2, "high": 12}`). In JSON a number or an object; in the pages' postcard, which
/// cannot read an untagged enum, a tagged one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cost {
    Each(i64),
    ByQuality(std::collections::BTreeMap<String, i64>),
}

#[derive(Serialize, Deserialize)]
enum TaggedCost {
    Each(i64),
    ByQuality(std::collections::BTreeMap<String, i64>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum UntaggedCost {
    Each(i64),
    ByQuality(std::collections::BTreeMap<String, i64>),
}

impl Serialize for Cost {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self, s.is_human_readable()) {
            (Self::Each(c), true) => c.serialize(s),
            (Self::ByQuality(by), true) => by.serialize(s),
            (Self::Each(c), false) => TaggedCost::Each(*c).serialize(s),
            (Self::ByQuality(by), false) => TaggedCost::ByQuality(by.clone()).serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Cost {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            Ok(match UntaggedCost::deserialize(d)? {
                UntaggedCost::Each(c) => Self::Each(c),
                UntaggedCost::ByQuality(by) => Self::ByQuality(by),
            })
        } else {
            Ok(match TaggedCost::deserialize(d)? {
                TaggedCost::Each(c) => Self::Each(c),
                TaggedCost::ByQuality(by) => Self::ByQuality(by),
            })
        }
    }
}

impl Cost {
    /// The price of one image at `quality` (None: a quality this price does not name).
    pub fn of(&self, quality: Option<&str>) -> Option<i64> {
        match self {
            Self::Each(c) => Some(*c),
            Self::ByQuality(by) => quality.and_then(|q| by.get(q).copied()),
        }
    }

    /// The lowest price of one image, for "from N credits".
    pub fn lowest(&self) -> i64 {
        match self {
            Self::Each(c) => *c,
            Self::ByQuality(by) => by.values().copied().min().unwrap_or(0),
        }
    }
}

/// A model of the openai or sd_webui engine as offered (`models[]` of an engine offer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelOffer {
    pub model: String,
    pub label: String,
    pub enabled: bool,
    pub sizes: Vec<String>,
    pub qualities: Vec<String>,
    /// Credits per image: a number, or an object by quality (`{"low": 2, "high": 12}`).
    #[cfg_attr(feature = "ssr", schema(schema_with = number_or_by_name))]
    pub cost: Cost,
    /// The most images one task may ask for.
    pub max_n: u8,
}

/// What a user can pick of one engine and what it costs (`GET /api/v1/engines`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EngineOffer {
    pub kind: EngineKind,
    pub name: String,
    /// Switched on by the admin, with an enabled channel.
    pub enabled: bool,
    // No `skip_serializing_if`: the pages get offers in postcard, which needs every field; the
    // JSON API leaves out the ones that are None (`http::engines`).
    pub modes: Option<Vec<ModeView>>,
    pub models: Option<Vec<ModelOffer>>,
    pub action_cost: Option<i64>,
    /// Stable Diffusion: the samplers its boxes offer.
    pub samplers: Option<Vec<String>>,
}

/// One engine as the admin's Engines tab shows it: its offer, the admin's switch, and whether
/// it has a channel switched on (an engine without one is offered to nobody).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineSetup {
    pub offer: EngineOffer,
    pub switched_on: bool,
    pub served: bool,
    /// Stable Diffusion: the price of every checkpoint not priced on its own (per picture).
    pub any_checkpoint: Option<i64>,
}

/// A model's switch and price as the Engines tab saves them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelChoice {
    pub model: String,
    pub enabled: bool,
    pub cost: Cost,
}

/// The config of rest-api.md. Fields that are `None` are admin-only (or unset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigView {
    pub enabled: bool,
    pub modes: Vec<ModeView>,
    pub action_cost: i64,
    pub api_url: Option<String>,
    pub api_secret_set: Option<bool>,
    pub api_secret_hint: Option<String>,
    pub signup_credits: Option<i64>,
    pub max_active_tasks_per_user: i64,
    pub new_user_role: Option<Role>,
    /// Admins only: the task deadline, when set in the settings (else the environment's).
    pub task_timeout_secs: Option<i64>,
    /// Admins only: what a cancel gives back of a task being drawn.
    #[serde(default)]
    pub cancel_refund: Option<CancelRefund>,
    /// Admins only: who may sign up.
    #[serde(default)]
    pub signup_mode: Option<SignupMode>,
    /// Admins only: sign-ups allowed per client address and hour (0: no limit).
    #[serde(default)]
    pub signup_per_hour: Option<i64>,
    /// Admins only: what one user's uploads may take together, in MB (0: no limit).
    #[serde(default)]
    pub upload_quota_mb: Option<i64>,
    /// Admins only: days an upload no task used is kept (0: until deleted).
    #[serde(default)]
    pub upload_retention_days: Option<i64>,
    /// The price of every follow-up of [`ACTION_PRICES`] (the admin's, else `action_cost`).
    #[serde(default)]
    pub action_costs: std::collections::BTreeMap<String, i64>,
    /// The most tasks one batch may make.
    #[serde(default)]
    pub batch_max: i64,
    /// The public gallery is on.
    #[serde(default = "yes")]
    pub gallery_enabled: bool,
    /// Comments on the gallery's pictures are on.
    #[serde(default = "yes")]
    pub comments_enabled: bool,
    /// Admins only: the follow-up prices the admin set (the others follow `action_cost`).
    #[serde(default)]
    pub action_costs_set: Option<std::collections::BTreeMap<String, i64>>,
}

/// The admin's settings form as it stands: every writable setting. `api_secret`: None keeps the
/// saved one, `Some("")` clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsForm {
    pub enabled: bool,
    pub api_url: String,
    pub api_secret: Option<String>,
    pub modes: Vec<ModeConfig>,
    pub action_cost: i64,
    pub signup_credits: i64,
    pub max_active_tasks_per_user: i64,
    pub new_user_role: Role,
    pub task_timeout_secs: i64,
    pub cancel_refund: CancelRefund,
    pub signup_mode: SignupMode,
    pub signup_per_hour: i64,
    pub upload_quota_mb: i64,
    pub upload_retention_days: i64,
    pub batch_max: i64,
    pub gallery_enabled: bool,
    pub comments_enabled: bool,
    /// Each follow-up's own price by its [`ACTION_PRICES`] key; None: `action_cost`.
    pub action_costs: std::collections::BTreeMap<String, Option<i64>>,
}

/// What a save of the settings form changes: only the fields that differ from what was loaded
/// (so that saving one price does not pin, say, the deadline the environment sets).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingsChange {
    pub enabled: Option<bool>,
    pub api_url: Option<String>,
    pub api_secret: Option<String>,
    pub modes: Vec<ModeChange>,
    pub action_cost: Option<i64>,
    pub signup_credits: Option<i64>,
    pub max_active_tasks_per_user: Option<i64>,
    pub new_user_role: Option<Role>,
    pub task_timeout_secs: Option<i64>,
    pub cancel_refund: Option<CancelRefund>,
    pub signup_mode: Option<SignupMode>,
    pub signup_per_hour: Option<i64>,
    pub upload_quota_mb: Option<i64>,
    pub upload_retention_days: Option<i64>,
    pub batch_max: Option<i64>,
    pub gallery_enabled: Option<bool>,
    pub comments_enabled: Option<bool>,
    /// The follow-up prices that changed (None: back to `action_cost`).
    pub action_costs: std::collections::BTreeMap<String, Option<i64>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeChange {
    pub mode: Mode,
    pub cost: Option<i64>,
    pub enabled: Option<bool>,
    pub concurrency: Option<i64>,
}

impl SettingsChange {
    /// The fields of `now` that differ from `saved`.
    pub fn between(saved: &SettingsForm, now: &SettingsForm) -> Self {
        let changed = |a: i64, b: i64| (a != b).then_some(b);
        Self {
            enabled: (saved.enabled != now.enabled).then_some(now.enabled),
            api_url: (saved.api_url != now.api_url).then(|| now.api_url.clone()),
            api_secret: now.api_secret.clone(),
            modes: now
                .modes
                .iter()
                .filter_map(|m| {
                    let before = saved.modes.iter().find(|x| x.mode == m.mode);
                    let c = ModeChange {
                        mode: m.mode,
                        cost: before.map_or(Some(m.cost), |b| changed(b.cost, m.cost)),
                        enabled: before.map_or(Some(m.enabled), |b| {
                            (b.enabled != m.enabled).then_some(m.enabled)
                        }),
                        concurrency: before.map_or(Some(m.concurrency), |b| {
                            changed(b.concurrency, m.concurrency)
                        }),
                    };
                    (c.cost.is_some() || c.enabled.is_some() || c.concurrency.is_some())
                        .then_some(c)
                })
                .collect(),
            action_cost: changed(saved.action_cost, now.action_cost),
            signup_credits: changed(saved.signup_credits, now.signup_credits),
            max_active_tasks_per_user: changed(
                saved.max_active_tasks_per_user,
                now.max_active_tasks_per_user,
            ),
            new_user_role: (saved.new_user_role != now.new_user_role).then_some(now.new_user_role),
            task_timeout_secs: changed(saved.task_timeout_secs, now.task_timeout_secs),
            cancel_refund: (saved.cancel_refund != now.cancel_refund).then_some(now.cancel_refund),
            signup_mode: (saved.signup_mode != now.signup_mode).then_some(now.signup_mode),
            signup_per_hour: changed(saved.signup_per_hour, now.signup_per_hour),
            upload_quota_mb: changed(saved.upload_quota_mb, now.upload_quota_mb),
            upload_retention_days: changed(saved.upload_retention_days, now.upload_retention_days),
            batch_max: changed(saved.batch_max, now.batch_max),
            gallery_enabled: (saved.gallery_enabled != now.gallery_enabled)
                .then_some(now.gallery_enabled),
            comments_enabled: (saved.comments_enabled != now.comments_enabled)
                .then_some(now.comments_enabled),
            action_costs: now
                .action_costs
                .iter()
                .filter(|(k, v)| saved.action_costs.get(*k) != Some(v))
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
        }
    }
}

/// What "Test connection" found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConnectionReport {
    pub ok: bool,
    pub latency_ms: u64,
    /// In words: reachable and authorised, wrong secret, not a midjourney-proxy, or unreachable.
    pub message: String,
    /// ok, unauthorized, not_a_proxy or unreachable.
    pub kind: String,
}

/// An account as the admin's users tab shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUser {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub balance: i64,
    pub created_at: String,
    pub tasks: i64,
    pub last_active_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveTaskRow {
    pub id: String,
    pub user_name: String,
    pub status: TaskStatus,
    pub mode: Option<Mode>,
    pub progress: u8,
    pub age_secs: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRow {
    pub id: String,
    pub user_name: String,
    pub reason: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: String,
    pub at: String,
}

/// The admin's overview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub live: Vec<LiveTaskRow>,
    pub failures: Vec<FailureRow>,
    /// (day as YYYY-MM-DD, credits spent net of refunds), the last 14 days, oldest first.
    pub spent_per_day: Vec<(String, i64)>,
    pub audit: Vec<AuditEntry>,
    /// Every channel with what it runs now.
    pub channels: Vec<ChannelView>,
    /// What users reported of the gallery and no admin dealt with yet.
    pub reports: Vec<ReportView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// On `/v1`, charges the user Open WebUI forwards (`X-OpenWebUI-User-Email`).
    pub acts_for_users: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub id: String,
    pub name: String,
    /// Only ever shown once, in this answer.
    pub key: String,
    pub acts_for_users: bool,
}

/// How many tasks a channel keeps running upstream at once: per speed mode for midjourney, one
/// number for the other engines. JSON (the REST API and the database) writes it as
/// `{"fast": 3, "relax": 3, "turbo": 3}` or as a bare number; postcard as a tagged enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concurrency {
    Modes { fast: i64, relax: i64, turbo: i64 },
    Total(i64),
}

impl Concurrency {
    pub fn default_for(kind: EngineKind) -> Self {
        match kind {
            EngineKind::Midjourney => Self::Modes {
                fast: 3,
                relax: 3,
                turbo: 3,
            },
            _ => Self::Total(2),
        }
    }

    /// The limit for a task of `mode` (None: the engine has no modes).
    pub fn limit(self, mode: Option<Mode>) -> i64 {
        match (self, mode) {
            (Self::Modes { fast, .. }, Some(Mode::Fast)) => fast,
            (Self::Modes { relax, .. }, Some(Mode::Relax)) => relax,
            (Self::Modes { turbo, .. }, Some(Mode::Turbo)) => turbo,
            (Self::Modes { fast, relax, turbo }, None) => fast.max(relax).max(turbo),
            (Self::Total(n), _) => n,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum ConcurrencyJson {
    Total(i64),
    Modes { fast: i64, relax: i64, turbo: i64 },
}

#[derive(Serialize, Deserialize)]
enum ConcurrencyBinary {
    Modes { fast: i64, relax: i64, turbo: i64 },
    Total(i64),
}

impl Serialize for Concurrency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (*self, serializer.is_human_readable()) {
            (Self::Total(n), true) => ConcurrencyJson::Total(n).serialize(serializer),
            (Self::Modes { fast, relax, turbo }, true) => {
                ConcurrencyJson::Modes { fast, relax, turbo }.serialize(serializer)
            }
            (Self::Total(n), false) => ConcurrencyBinary::Total(n).serialize(serializer),
            (Self::Modes { fast, relax, turbo }, false) => {
                ConcurrencyBinary::Modes { fast, relax, turbo }.serialize(serializer)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Concurrency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(if deserializer.is_human_readable() {
            match ConcurrencyJson::deserialize(deserializer)? {
                ConcurrencyJson::Total(n) => Self::Total(n),
                ConcurrencyJson::Modes { fast, relax, turbo } => Self::Modes { fast, relax, turbo },
            }
        } else {
            match ConcurrencyBinary::deserialize(deserializer)? {
                ConcurrencyBinary::Total(n) => Self::Total(n),
                ConcurrencyBinary::Modes { fast, relax, turbo } => {
                    Self::Modes { fast, relax, turbo }
                }
            }
        })
    }
}

/// A channel's health: `failing` after recent faults (still used), `down` until a probe succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    Ok,
    Failing,
    Down,
}

impl HealthState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failing => "failing",
            Self::Down => "down",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ok" => Some(Self::Ok),
            "failing" => Some(Self::Failing),
            "down" => Some(Self::Down),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HealthView {
    pub state: HealthState,
    pub last_error: Option<String>,
    /// When it entered this state (RFC 3339).
    pub since: String,
}

/// `channel` of rest-api.md: one configured upstream of an engine (admins only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChannelView {
    pub id: String,
    pub kind: EngineKind,
    pub name: String,
    pub api_url: String,
    pub api_secret_set: bool,
    pub api_secret_hint: Option<String>,
    pub enabled: bool,
    pub weight: i64,
    /// For midjourney `{fast, relax, turbo}`, for the others a number.
    #[cfg_attr(feature = "ssr", schema(schema_with = number_or_by_name))]
    pub concurrency: Concurrency,
    pub health: HealthView,
    pub live_tasks: i64,
}

/// The admin's channel form: every writable field. `api_secret`: None keeps the saved one,
/// `Some("")` clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelForm {
    pub kind: EngineKind,
    pub name: String,
    pub api_url: String,
    pub api_secret: Option<String>,
    pub enabled: bool,
    pub weight: i64,
    pub concurrency: Concurrency,
}

// Stored as their names (see `db::text_column!`).
#[cfg(feature = "ssr")]
crate::text_column!(Role, EngineKind, Mode, TaskStatus, TaskAction, HealthState);

/// One of the user's uploads as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedImage {
    pub id: String,
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// The default of a switch that is on unless said otherwise.
fn yes() -> bool {
    true
}
