//! The OpenAPI 3.1 document of the JSON API, at `/api/v1/openapi.json`. The schemas are derived
//! from the types the handlers answer with (`utoipa::ToSchema`); each operation is declared
//! here, in the routers' order, one function per operation. `tests/api/openapi.rs` checks that
//! every route the routers serve is here and nothing else is, and compares the whole document
//! with its snapshot (`docs/openapi.json`), so a change of the API shows in review.

// The operations' functions are declarations: their attributes are the documentation.
#![allow(dead_code)]

use crate::{
    services::uploads::UploadView,
    types::{
        ApiKeyView, ChannelView, CollectionView, CommentView, ConnectionReport, EngineOffer,
        PublicTaskView, ReportView, TaskView, TemplateView,
    },
};
use axum::{Json, Router, response::IntoResponse, routing::get};
use serde_json::Value;
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};

pub fn router() -> Router<crate::state::AppState> {
    Router::new().route("/api/v1/openapi.json", get(document))
}

/// The document, built once.
pub fn json() -> &'static Value {
    static DOC: std::sync::LazyLock<Value> =
        std::sync::LazyLock::new(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null));
    &DOC
}

async fn document() -> impl IntoResponse {
    Json(json().clone())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Atelier",
        description = "A self-hosted image-generation portal: MidJourney (through midjourney-proxy), \
                       the OpenAI Images API and Stable Diffusion WebUI behind one account, credits \
                       and history. Authenticate with `Authorization: Bearer <session token or API key>` \
                       (or the pages' session cookie). Errors are `{\"error\": {code, message, field}}`; \
                       under `/v1`, OpenAI's `{\"error\": {message, type, param, code}}`.",
        license(name = "AGPL-3.0-or-later"),
    ),
    modifiers(&Security),
    tags(
        (name = "auths", description = "Accounts, sessions and API keys"),
        (name = "tasks", description = "Tasks of every engine"),
        (name = "library", description = "Favourites, collections, bulk operations and archives"),
        (name = "sharing", description = "Share links, the public gallery, likes, comments, reports"),
        (name = "uploads", description = "Images users bring"),
        (name = "engines", description = "What users can pick and what it costs"),
        (name = "channels", description = "The upstreams of each engine (admins)"),
        (name = "credits", description = "Balances, the ledger and accounts"),
        (name = "invites", description = "Sign-up codes (admins)"),
        (name = "midjourney", description = "The first stage's MidJourney API, over the tasks"),
        (name = "openai", description = "Atelier as an OpenAI Images backend"),
        (name = "ops", description = "Health and metrics"),
    ),
    paths(
        signup, signup_mode, password, sessions, end_sessions, end_session, signin, signout, me, apps, set_apps,
        api_keys, new_api_key, delete_api_key,
        channels, new_channel, patch_channel, delete_channel, test_channel,
        credits, users, grant, role,
        engines, patch_engine,
        invites, new_invite, delete_invite,
        mj_config, mj_set_config, mj_test, mj_generate, mj_tasks, mj_task, mj_cancel, mj_action,
        mj_file, mj_file_n, mj_notify,
        v1_models, v1_generations, v1_edits, v1_file,
        healthz, readyz, metrics,
        tasks, submit, batch, star, unstar, task, delete_task, cancel, action, task_file, task_file_n,
        collections, new_collection, collection, patch_collection, delete_collection,
        collect_task, uncollect_task, bulk, archive,
        templates, new_template, patch_template, delete_template,
        share, unshare, publish, unpublish, like, unlike, comments, add_comment, delete_comment,
        report, hide_task, show_task, hide_comment, show_comment, gallery, reports, dismiss,
        shared_file, gallery_file,
        upload, get_upload, delete_upload,
        openapi,
    ),
    components(schemas(ErrorBody, ErrorDetail, TaskAnswer, TaskList, NewTask, NewBatch, BatchAnswer, ActionBody,
        CollectionAnswer, CollectionList, NewCollection, CollectionPatch, BulkBody, BulkAnswer, BulkFailure,
        TemplateAnswer, TemplateList, TemplateBody, ShareAnswer, CommentList, CommentAnswer, NewComment,
        NewReport, GalleryList, ReportList, DismissBody))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A session token (from sign-in) or an API key (`atl_...`).",
                    ))
                    .build(),
            ),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("atelier_session"))),
        );
    }
}

/// Every error of `/api/v1`.
#[derive(ToSchema)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(ToSchema)]
struct ErrorDetail {
    /// `bad_request`, `unauthorized`, `insufficient_credits`, `forbidden`, `not_found`,
    /// `conflict`, `validation`, `rate_limited`, `too_many_tasks`, `upstream_error`, `disabled`...
    code: String,
    /// In the language of the request (`Accept-Language`, or the page's choice).
    message: String,
    /// The field a `validation` error is about.
    field: Option<String>,
}

#[derive(ToSchema)]
struct TaskAnswer {
    task: TaskView,
}

#[derive(ToSchema)]
struct TaskList {
    tasks: Vec<TaskView>,
    /// Give it as `cursor` for the next page; null on the last.
    next_cursor: Option<String>,
}

/// `POST /api/v1/tasks`.
#[derive(ToSchema)]
struct NewTask {
    /// `midjourney` (default), `openai` or `sd_webui`.
    engine: Option<String>,
    /// `imagine` (default); midjourney: `blend` (2-5 images), `describe` (one image, four
    /// prompts as the task's text), `shorten` (the prompt, five shorter ones); openai, sd_webui:
    /// `edit` (one image and an optional mask).
    action: Option<String>,
    prompt: String,
    /// midjourney: `fast`, `relax` or `turbo`.
    mode: Option<String>,
    /// openai: `gpt-image-1`, `dall-e-3`, `dall-e-2`; sd_webui: a checkpoint's title or short name.
    model: Option<String>,
    /// `WIDTHxHEIGHT` (openai: one of the model's sizes).
    size: Option<String>,
    /// openai: one of the model's qualities.
    quality: Option<String>,
    /// 1-4 images, each charged.
    n: Option<i64>,
    /// sd_webui.
    negative_prompt: Option<String>,
    /// sd_webui: -1 for random.
    seed: Option<i64>,
    /// sd_webui: 1-150.
    steps: Option<i64>,
    /// sd_webui: 1-30.
    cfg_scale: Option<f64>,
    /// sd_webui: one of the engine offer's `samplers`.
    sampler: Option<String>,
    /// sd_webui edits: 0-1.
    denoising_strength: Option<f64>,
    /// `[{upload_id, role}]`, at most five: midjourney's imagine takes `reference` (image
    /// prompts), `sref` (style) and `cref` (character references); a blend `blend`; a describe
    /// `describe`; an edit `edit` and an optional `mask`.
    images: Option<Vec<Value>>,
    /// midjourney blend: `portrait`, `square` (default) or `landscape`.
    dimensions: Option<String>,
    /// midjourney, with style references: the style weight, 0-1000 (`--sw`).
    sw: Option<i64>,
    /// midjourney, with character references: the character weight, 0-100 (`--cw`).
    cw: Option<i64>,
}

/// `POST /api/v1/tasks/batch`: a submit's fields (as `NewTask`), with the prompts.
#[derive(ToSchema)]
struct NewBatch {
    /// Several prompts, each also expanded by its `{a, b}` permutations.
    prompts: Option<Vec<String>>,
    /// Without `prompts`: one prompt whose permutations (`a {red, blue} fox`) make the list.
    /// Groups nest; `\,` and `\{` keep a comma or a brace as it is.
    prompt: Option<String>,
    /// As in `NewTask`; also `model`, `size`, `quality`, `n`, `images`...
    engine: Option<String>,
    mode: Option<String>,
}

/// The tasks of a batch, in the order of their prompts, sharing their `batch_id`.
#[derive(ToSchema)]
struct BatchAnswer {
    tasks: Vec<TaskView>,
}

/// `POST /api/v1/tasks/{id}/action`.
#[derive(ToSchema)]
struct ActionBody {
    /// One of the task's buttons, or its own while it waits for input.
    custom_id: String,
    /// A modal step's prompt; with a variation, a reroll or a pan, the changed prompt (Remix).
    prompt: Option<String>,
    /// Vary (Region)'s step: a PNG (a data URL or bare base64) white or transparent where it
    /// repaints, of the picture's shape; or `{upload_id}` of such a PNG.
    mask: Option<serde_json::Value>,
    /// Custom Zoom's step: the factor, 1 to 2 (written into the prompt as `--zoom`).
    zoom: Option<f64>,
}

#[derive(ToSchema)]
struct TemplateAnswer {
    template: TemplateView,
}

#[derive(ToSchema)]
struct TemplateList {
    /// The user's own (the one changed last first), then the shared ones by name.
    templates: Vec<TemplateView>,
}

/// `POST /api/v1/templates`; in a `PATCH`, every field is optional and those given change.
#[derive(ToSchema)]
struct TemplateBody {
    /// 1-80 characters.
    name: String,
    /// With `{placeholders}` the Generate page asks for (a name in braces; `{a, b}` stays a
    /// permutation).
    prompt: String,
    /// `midjourney` (default), `openai` or `sd_webui`.
    engine: Option<String>,
    mode: Option<String>,
    model: Option<String>,
    /// A submit's other fields (`size`, `quality`, `n`, `negative_prompt`, `seed`, `steps`,
    /// `cfg_scale`, `sampler`, ...), checked as a submit is.
    params: Option<Value>,
    /// Seen by everyone: admins only.
    shared: Option<bool>,
}

#[derive(ToSchema)]
struct CollectionAnswer {
    collection: CollectionView,
}

#[derive(ToSchema)]
struct ShareAnswer {
    /// The whole link, `…/s/<token>` (`ATELIER_PUBLIC_URL`, else the host asked).
    url: String,
}

#[derive(ToSchema)]
struct CommentList {
    /// Oldest first; hidden ones for admins only.
    comments: Vec<CommentView>,
}

#[derive(ToSchema)]
struct CommentAnswer {
    comment: CommentView,
}

/// `POST /api/v1/tasks/{id}/comments`.
#[derive(ToSchema)]
struct NewComment {
    /// Plain text, 1-1000 characters, lines allowed.
    body: String,
}

/// `POST /api/v1/tasks/{id}/report`.
#[derive(ToSchema)]
struct NewReport {
    /// One of its comments; absent: the picture.
    comment_id: Option<String>,
    /// At most 500 characters.
    reason: Option<String>,
}

#[derive(ToSchema)]
struct GalleryList {
    tasks: Vec<PublicTaskView>,
    /// Another page follows.
    more: bool,
}

#[derive(ToSchema)]
struct ReportList {
    /// One per reported picture or comment, the latest first.
    reports: Vec<ReportView>,
}

/// `POST /api/v1/reports/dismiss`.
#[derive(ToSchema)]
struct DismissBody {
    task_id: String,
    /// One of its comments; absent: the picture.
    comment_id: Option<String>,
}

#[derive(ToSchema)]
struct CollectionList {
    /// The one changed last first.
    collections: Vec<CollectionView>,
}

/// `POST /api/v1/collections`.
#[derive(ToSchema)]
struct NewCollection {
    /// 1-80 characters, one collection of a name per user.
    name: String,
    /// At most 500 characters, lines allowed.
    description: Option<String>,
}

/// `PATCH /api/v1/collections/{id}`: what is given changes.
#[derive(ToSchema)]
struct CollectionPatch {
    name: Option<String>,
    description: Option<String>,
    /// One of its tasks as the cover; null: the picture added last.
    cover_task_id: Option<String>,
}

/// `POST /api/v1/tasks/bulk`.
#[derive(ToSchema)]
struct BulkBody {
    /// 1-500 of the user's task ids.
    ids: Vec<String>,
    /// `delete`, `favorite`, `unfavorite`, `add_to_collection`, `remove_from_collection` or
    /// `retry` (a failed or cancelled task made again, charged again).
    op: String,
    /// The user's collection, for `add_to_collection` and `remove_from_collection`.
    collection_id: Option<String>,
}

#[derive(ToSchema)]
struct BulkFailure {
    id: String,
    /// Why, as the API's errors say it (`not_found` for another user's task).
    error: ErrorDetail,
}

#[derive(ToSchema)]
struct BulkAnswer {
    /// The ids done, in the order given.
    done: Vec<String>,
    failed: Vec<BulkFailure>,
}

#[utoipa::path(post, path = "/api/v1/auths/signup", tag = "auths", request_body(content = Object, description = "`{name, email, password, invite_code?}`"),
    responses((status = 200, description = "`{token, token_type, user}`; the first account becomes admin", body = Object),
              (status = 409, description = "Email taken", body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 403, description = "Sign-up is closed", body = ErrorBody), (status = 429, body = ErrorBody)))]
fn signup() {}
#[utoipa::path(get, path = "/api/v1/auths/signup", tag = "auths", responses((status = 200, description = "Who may sign up: `{mode, needs_approval}` (`open`, `invite` or `closed`)", body = Object)))]
fn signup_mode() {}
#[utoipa::path(post, path = "/api/v1/auths/password", tag = "auths", request_body(content = Object, description = "`{current_password, new_password}`"),
    responses((status = 204, description = "Changed; other sessions end"), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn password() {}
#[utoipa::path(get, path = "/api/v1/auths/sessions", tag = "auths", responses((status = 200, description = "`{sessions}`", body = Object)), security(("bearer" = []), ("session" = [])))]
fn sessions() {}
#[utoipa::path(delete, path = "/api/v1/auths/sessions", tag = "auths", responses((status = 204, description = "Every session of the account ends, this one too")), security(("bearer" = []), ("session" = [])))]
fn end_sessions() {}
#[utoipa::path(delete, path = "/api/v1/auths/sessions/{id}", tag = "auths", params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn end_session() {}
#[utoipa::path(post, path = "/api/v1/auths/signin", tag = "auths", request_body(content = Object, description = "`{email, password}`"),
    responses((status = 200, description = "`{token, token_type, user}`", body = Object), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
fn signin() {}
#[utoipa::path(post, path = "/api/v1/auths/signout", tag = "auths", responses((status = 204, description = "The token stops working")), security(("bearer" = []), ("session" = [])))]
fn signout() {}
#[utoipa::path(get, path = "/api/v1/auths/me", tag = "auths", responses((status = 200, description = "`{user, balance}`", body = Object), (status = 401, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn me() {}
#[utoipa::path(get, path = "/api/v1/auths/me/apps", tag = "auths", responses((status = 200, description = "`{allowed}`: whether an administrator's app key (Open WebUI's, acting by the forwarded email) may generate for this account", body = Object)), security(("bearer" = []), ("session" = [])))]
fn apps() {}
#[utoipa::path(put, path = "/api/v1/auths/me/apps", tag = "auths", request_body(content = Object, description = "`{allowed}`"),
    responses((status = 200, description = "`{allowed}`", body = Object), (status = 403, description = "Made with an API key: only a session decides", body = ErrorBody)), security(("session" = [])))]
fn set_apps() {}
#[utoipa::path(get, path = "/api/v1/auths/api_keys", tag = "auths", responses((status = 200, description = "`{keys}`", body = Vec<ApiKeyView>)), security(("bearer" = []), ("session" = [])))]
fn api_keys() {}
#[utoipa::path(post, path = "/api/v1/auths/api_keys", tag = "auths", request_body(content = Object, description = "`{name, acts_for_users?}` (`acts_for_users`: admins)"),
    responses((status = 201, description = "`{id, name, key, acts_for_users}`: the key is shown only here", body = Object), (status = 403, body = ErrorBody), (status = 409, description = "20 keys already", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn new_api_key() {}
#[utoipa::path(delete, path = "/api/v1/auths/api_keys/{id}", tag = "auths", params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn delete_api_key() {}

#[utoipa::path(get, path = "/api/v1/channels", tag = "channels", responses((status = 200, description = "`{channels}`", body = Vec<ChannelView>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn channels() {}
#[utoipa::path(post, path = "/api/v1/channels", tag = "channels", request_body(content = Object, description = "`{kind, name, api_url, api_secret?, enabled?, weight?, concurrency?}`"),
    responses((status = 201, description = "`{channel}`", body = ChannelView), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn new_channel() {}
#[utoipa::path(patch, path = "/api/v1/channels/{id}", tag = "channels", params(("id" = String, Path)), request_body(content = Object, description = "Any subset of the writable fields"),
    responses((status = 200, description = "`{channel}`", body = ChannelView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn patch_channel() {}
#[utoipa::path(delete, path = "/api/v1/channels/{id}", tag = "channels", params(("id" = String, Path)), responses((status = 204, description = "No new tasks; live ones finish")), security(("bearer" = []), ("session" = [])))]
fn delete_channel() {}
#[utoipa::path(post, path = "/api/v1/channels/{id}/test", tag = "channels", params(("id" = String, Path)), request_body(content = Object, description = "Optional `{api_url, api_secret}`"),
    responses((status = 200, body = ConnectionReport)), security(("bearer" = []), ("session" = [])))]
fn test_channel() {}

#[utoipa::path(get, path = "/api/v1/credits", tag = "credits", params(("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, description = "`{balance, entries, next_cursor}`", body = Object)), security(("bearer" = []), ("session" = [])))]
fn credits() {}
#[utoipa::path(get, path = "/api/v1/users", tag = "credits", responses((status = 200, description = "`{users}`", body = Object), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn users() {}
#[utoipa::path(post, path = "/api/v1/users/{id}/credits", tag = "credits", params(("id" = String, Path)), request_body(content = Object, description = "`{delta, reason}`"),
    responses((status = 200, description = "`{balance}`", body = Object), (status = 422, description = "It would go below 0", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn grant() {}
#[utoipa::path(post, path = "/api/v1/users/{id}/role", tag = "credits", params(("id" = String, Path)), request_body(content = Object, description = "`{role}`"),
    responses((status = 200, description = "`{user}`", body = Object), (status = 409, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn role() {}

#[utoipa::path(get, path = "/api/v1/engines", tag = "engines", responses((status = 200, description = "`{engines}`", body = Vec<EngineOffer>)), security(("bearer" = []), ("session" = [])))]
fn engines() {}
#[utoipa::path(patch, path = "/api/v1/engines/{kind}", tag = "engines", params(("kind" = String, Path, description = "midjourney, openai or sd_webui")),
    request_body(content = Object, description = "`{enabled?, modes?, models?: [{model, cost?, enabled?}], action_cost?}`"),
    responses((status = 200, description = "`{engine}`", body = EngineOffer), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn patch_engine() {}

#[utoipa::path(get, path = "/api/v1/invites", tag = "invites", responses((status = 200, description = "`{invites}`", body = Object)), security(("bearer" = []), ("session" = [])))]
fn invites() {}
#[utoipa::path(post, path = "/api/v1/invites", tag = "invites", request_body(content = Object, description = "`{max_uses?, expires_in_days?, note?}`"), responses((status = 201, description = "`{invite}`", body = Object)), security(("bearer" = []), ("session" = [])))]
fn new_invite() {}
#[utoipa::path(delete, path = "/api/v1/invites/{id}", tag = "invites", params(("id" = String, Path)), responses((status = 204)), security(("bearer" = []), ("session" = [])))]
fn delete_invite() {}

#[utoipa::path(get, path = "/api/v1/midjourney/config", tag = "midjourney", responses((status = 200, description = "The config; admin-only fields are null for others", body = Object)), security(("bearer" = []), ("session" = [])))]
fn mj_config() {}
#[utoipa::path(post, path = "/api/v1/midjourney/config", tag = "midjourney", request_body(content = Object, description = "Any subset of the writable fields"), responses((status = 200, body = Object), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn mj_set_config() {}
#[utoipa::path(post, path = "/api/v1/midjourney/config/test", tag = "midjourney", request_body(content = Object, description = "Optional `{api_url, api_secret}`"), responses((status = 200, body = ConnectionReport)), security(("bearer" = []), ("session" = [])))]
fn mj_test() {}
#[utoipa::path(post, path = "/api/v1/midjourney/generate", tag = "midjourney", request_body(content = Object, description = "`{prompt, mode}`"),
    responses((status = 201, body = TaskAnswer), (status = 402, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn mj_generate() {}
#[utoipa::path(get, path = "/api/v1/midjourney/tasks", tag = "midjourney", params(("status" = Option<String>, Query), ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = TaskList)), security(("bearer" = []), ("session" = [])))]
fn mj_tasks() {}
#[utoipa::path(get, path = "/api/v1/midjourney/task/{id}", tag = "midjourney", params(("id" = String, Path)), responses((status = 200, body = TaskAnswer), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn mj_task() {}
#[utoipa::path(delete, path = "/api/v1/midjourney/task/{id}", tag = "midjourney", params(("id" = String, Path)), responses((status = 200, description = "Cancelled and refunded", body = TaskAnswer), (status = 409, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn mj_cancel() {}
#[utoipa::path(post, path = "/api/v1/midjourney/task/{id}/action", tag = "midjourney", params(("id" = String, Path)), request_body = ActionBody,
    responses((status = 201, description = "The new child, charged", body = TaskAnswer), (status = 200, description = "The existing child", body = TaskAnswer)), security(("bearer" = []), ("session" = [])))]
fn mj_action() {}
#[utoipa::path(get, path = "/api/v1/midjourney/task/{id}/{file}", tag = "midjourney", params(("id" = String, Path), ("file" = String, Path, description = "image, thumbnail or preview")),
    responses((status = 200, description = "The stored image", content_type = "image/png")), security(("bearer" = []), ("session" = [])))]
fn mj_file() {}
#[utoipa::path(get, path = "/api/v1/midjourney/task/{id}/{file}/{n}", tag = "midjourney", params(("id" = String, Path), ("file" = String, Path), ("n" = u32, Path)),
    responses((status = 200, description = "The n-th stored image", content_type = "image/png")), security(("bearer" = []), ("session" = [])))]
fn mj_file_n() {}
#[utoipa::path(post, path = "/api/v1/midjourney/notify/{token}", tag = "midjourney", params(("token" = String, Path, description = "The unguessable notify token")),
    request_body(content = Object, description = "A midjourney-proxy's task, as it pushes it"), responses((status = 200, description = "Taken")))]
fn mj_notify() {}

#[utoipa::path(get, path = "/v1/models", tag = "openai", responses((status = 200, description = "`{object: \"list\", data: [{id, object, created, owned_by}]}`", body = Object)), security(("bearer" = [])))]
fn v1_models() {}
#[utoipa::path(post, path = "/v1/images/generations", tag = "openai", request_body(content = Object, description = "`{model, prompt, n?, size?, quality?, response_format?}`"),
    responses((status = 200, description = "`{created, data: [{b64_json} or {url}, revised_prompt?]}` once the task has finished", body = Object)), security(("bearer" = [])))]
fn v1_generations() {}
#[utoipa::path(post, path = "/v1/images/edits", tag = "openai", request_body(content = Object, content_type = "multipart/form-data", description = "`image` (or `image[]`), `mask?`, `prompt`, `model`, `n?`, `size?`"),
    responses((status = 200, description = "As generations", body = Object)), security(("bearer" = [])))]
fn v1_edits() {}
#[utoipa::path(get, path = "/v1/files/{task}/{n}/{part}", tag = "openai", params(("task" = String, Path), ("n" = u32, Path), ("part" = u8, Path), ("expires" = i64, Query), ("signature" = String, Query)),
    responses((status = 200, description = "A signed link's image", content_type = "image/png")))]
fn v1_file() {}

#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "The process answers")))]
fn healthz() {}
#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, description = "The database and the store answer"), (status = 503, description = "Names which does not")))]
fn readyz() {}
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, description = "Prometheus text", content_type = "text/plain")))]
fn metrics() {}

#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(("engine" = Option<String>, Query), ("status" = Option<String>, Query), ("q" = Option<String>, Query, description = "Words each found somewhere in the prompt (any order, any case; in the middle of a word too)"), ("favorite" = Option<bool>, Query, description = "true: only the starred ones"), ("batch" = Option<String>, Query, description = "Only this batch's tasks"), ("collection" = Option<String>, Query, description = "Only those in this collection of the user's (another's: 404)"), ("mode" = Option<String>, Query, description = "MidJourney's fast, relax or turbo"), ("from" = Option<String>, Query, description = "YYYY-MM-DD (UTC): made on or after that day"), ("to" = Option<String>, Query, description = "YYYY-MM-DD (UTC): made on or before that day"), ("limit" = Option<i64>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = TaskList)), security(("bearer" = []), ("session" = [])))]
fn tasks() {}
#[utoipa::path(put, path = "/api/v1/tasks/{id}/favorite", tag = "library", params(("id" = String, Path)), responses((status = 204, description = "Starred"), (status = 404, description = "Not one of the user's tasks", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn star() {}
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/favorite", tag = "library", params(("id" = String, Path)), responses((status = 204, description = "Unstarred"), (status = 404, description = "Not one of the user's tasks", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn unstar() {}
#[utoipa::path(get, path = "/api/v1/collections", tag = "library", responses((status = 200, body = CollectionList)), security(("bearer" = []), ("session" = [])))]
fn collections() {}
#[utoipa::path(post, path = "/api/v1/collections", tag = "library", request_body = NewCollection,
    responses((status = 201, body = CollectionAnswer), (status = 409, description = "A collection of that name exists, or as many as an account may have", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
fn new_collection() {}
#[utoipa::path(get, path = "/api/v1/collections/{id}", tag = "library", params(("id" = String, Path)), responses((status = 200, body = CollectionAnswer), (status = 404, description = "Not one of the user's", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn collection() {}
#[utoipa::path(patch, path = "/api/v1/collections/{id}", tag = "library", params(("id" = String, Path)), request_body = CollectionPatch,
    responses((status = 200, body = CollectionAnswer), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
fn patch_collection() {}
#[utoipa::path(delete, path = "/api/v1/collections/{id}", tag = "library", params(("id" = String, Path)), responses((status = 204, description = "Gone; its tasks stay"), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn delete_collection() {}
#[utoipa::path(put, path = "/api/v1/collections/{id}/tasks/{task_id}", tag = "library", params(("id" = String, Path), ("task_id" = String, Path)),
    responses((status = 204, description = "In it (twice is once)"), (status = 404, description = "The collection or the task is not the user's", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn collect_task() {}
#[utoipa::path(delete, path = "/api/v1/collections/{id}/tasks/{task_id}", tag = "library", params(("id" = String, Path), ("task_id" = String, Path)),
    responses((status = 204, description = "Out of it"), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn uncollect_task() {}
#[utoipa::path(post, path = "/api/v1/tasks/bulk", tag = "library", request_body = BulkBody,
    responses((status = 200, description = "Each id done or failed alone", body = BulkAnswer), (status = 404, description = "The collection is not the user's", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
fn bulk() {}
#[utoipa::path(get, path = "/api/v1/tasks/archive", tag = "library", params(("ids" = String, Query, description = "1-500 of the user's task ids, comma-separated")),
    responses((status = 200, description = "A ZIP of the pictures (named by date, prompt and id) and `manifest.json` (each task's prompt, parameters and files), streamed", content_type = "application/zip"),
              (status = 404, description = "One of them is not the user's", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
fn archive() {}
#[utoipa::path(get, path = "/api/v1/templates", tag = "library", responses((status = 200, body = TemplateList)), security(("bearer" = []), ("session" = [])))]
fn templates() {}
#[utoipa::path(post, path = "/api/v1/templates", tag = "library", request_body = TemplateBody,
    responses((status = 201, body = TemplateAnswer), (status = 403, description = "`shared` by a non-admin", body = ErrorBody), (status = 422, description = "A field a submit would refuse", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
fn new_template() {}
#[utoipa::path(patch, path = "/api/v1/templates/{id}", tag = "library", params(("id" = String, Path)), request_body = TemplateBody,
    responses((status = 200, body = TemplateAnswer), (status = 403, description = "A shared template, changed by a non-admin", body = ErrorBody), (status = 404, description = "Another user's own template", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
fn patch_template() {}
#[utoipa::path(delete, path = "/api/v1/templates/{id}", tag = "library", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn delete_template() {}
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = NewTask,
    responses((status = 201, description = "Charged", body = TaskAnswer), (status = 402, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
fn submit() {}
#[utoipa::path(post, path = "/api/v1/tasks/batch", tag = "tasks", request_body = NewBatch,
    responses((status = 201, description = "Every task charged and queued", body = BatchAnswer), (status = 402, description = "Nothing created, nothing charged", body = ErrorBody), (status = 422, description = "`prompt`, `prompts`, `prompts[i]` or another field", body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
fn batch() {}
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = String, Path)), responses((status = 200, body = TaskAnswer), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn task() {}
#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "tasks", params(("id" = String, Path)), responses((status = 204, description = "The task and its images are gone"), (status = 409, description = "Still live", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn delete_task() {}
#[utoipa::path(post, path = "/api/v1/tasks/{id}/cancel", tag = "tasks", params(("id" = String, Path)), responses((status = 200, body = TaskAnswer), (status = 409, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn cancel() {}
#[utoipa::path(post, path = "/api/v1/tasks/{id}/action", tag = "tasks", params(("id" = String, Path)), request_body = ActionBody,
    responses((status = 201, description = "The new child, charged", body = TaskAnswer), (status = 200, description = "The existing child, or the task that went on", body = TaskAnswer), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
fn action() {}
#[utoipa::path(get, path = "/api/v1/tasks/{id}/{file}", tag = "tasks", params(("id" = String, Path), ("file" = String, Path, description = "image, thumbnail or preview")),
    responses((status = 200, description = "The stored image", content_type = "image/png")), security(("bearer" = []), ("session" = [])))]
fn task_file() {}
#[utoipa::path(get, path = "/api/v1/tasks/{id}/{file}/{n}", tag = "tasks", params(("id" = String, Path), ("file" = String, Path, description = "image or thumbnail"), ("n" = u32, Path)),
    responses((status = 200, description = "The n-th stored image", content_type = "image/png")), security(("bearer" = []), ("session" = [])))]
fn task_file_n() {}

#[utoipa::path(post, path = "/api/v1/uploads", tag = "uploads", request_body(content = Object, content_type = "multipart/form-data", description = "`file`: PNG, JPEG or WebP, at most 10 MB and 40 megapixels"),
    responses((status = 201, body = UploadView), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn upload() {}
#[utoipa::path(get, path = "/api/v1/uploads/{id}", tag = "uploads", params(("id" = String, Path)), responses((status = 200, description = "The image", content_type = "image/png"), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn get_upload() {}
#[utoipa::path(delete, path = "/api/v1/uploads/{id}", tag = "uploads", params(("id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn delete_upload() {}

#[utoipa::path(post, path = "/api/v1/tasks/{id}/share", tag = "sharing", params(("id" = String, Path)),
    responses((status = 201, description = "The link (sharing again keeps it)", body = ShareAnswer), (status = 404, description = "Not one of the user's tasks", body = ErrorBody), (status = 409, description = "Not a finished picture, or hidden by an admin", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn share() {}
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/share", tag = "sharing", params(("id" = String, Path)),
    responses((status = 204, description = "The link stops working"), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn unshare() {}
#[utoipa::path(post, path = "/api/v1/tasks/{id}/publish", tag = "sharing", params(("id" = String, Path)),
    responses((status = 204, description = "Listed on /gallery"), (status = 404, body = ErrorBody), (status = 409, description = "Not a finished picture, hidden by an admin, or the gallery is off", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn publish() {}
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/publish", tag = "sharing", params(("id" = String, Path)),
    responses((status = 204, description = "Not listed (an admin may take down anyone's)"), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn unpublish() {}
#[utoipa::path(put, path = "/api/v1/tasks/{id}/like", tag = "sharing", params(("id" = String, Path)),
    responses((status = 204, description = "Liked (twice is once)"), (status = 404, description = "Not on the gallery", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn like() {}
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/like", tag = "sharing", params(("id" = String, Path)),
    responses((status = 204, description = "Not liked"), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn unlike() {}
#[utoipa::path(get, path = "/api/v1/tasks/{id}/comments", tag = "sharing", params(("id" = String, Path)),
    responses((status = 200, body = CommentList), (status = 404, description = "Not on the gallery", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn comments() {}
#[utoipa::path(post, path = "/api/v1/tasks/{id}/comments", tag = "sharing", params(("id" = String, Path)), request_body = NewComment,
    responses((status = 201, body = CommentAnswer), (status = 404, description = "Not on the gallery", body = ErrorBody), (status = 409, description = "Comments are off", body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, description = "More than 5 comments in a minute", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn add_comment() {}
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "sharing", params(("id" = String, Path)),
    responses((status = 204), (status = 403, description = "Neither its author nor an admin", body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn delete_comment() {}
#[utoipa::path(post, path = "/api/v1/tasks/{id}/report", tag = "sharing", params(("id" = String, Path)), request_body = NewReport,
    responses((status = 204, description = "The admins see it on their overview"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn report() {}
#[utoipa::path(put, path = "/api/v1/tasks/{id}/hidden", tag = "sharing", params(("id" = String, Path)),
    responses((status = 204, description = "Off the gallery and its share link; its reports dealt with"), (status = 403, description = "Admins only", body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn hide_task() {}
#[utoipa::path(delete, path = "/api/v1/tasks/{id}/hidden", tag = "sharing", params(("id" = String, Path)),
    responses((status = 204, description = "Shown again"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn show_task() {}
#[utoipa::path(put, path = "/api/v1/comments/{id}/hidden", tag = "sharing", params(("id" = String, Path)),
    responses((status = 204, description = "Seen by admins only; its reports dealt with"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn hide_comment() {}
#[utoipa::path(delete, path = "/api/v1/comments/{id}/hidden", tag = "sharing", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn show_comment() {}
#[utoipa::path(get, path = "/api/v1/gallery", tag = "sharing", params(("sort" = Option<String>, Query, description = "`newest` (default) or `liked`"), ("page" = Option<i64>, Query, description = "0-400, 24 pictures each")),
    responses((status = 200, description = "For anyone; a signed-in viewer also learns `liked`", body = GalleryList), (status = 422, body = ErrorBody)))]
fn gallery() {}
#[utoipa::path(get, path = "/api/v1/reports", tag = "sharing", responses((status = 200, body = ReportList), (status = 403, description = "Admins only", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn reports() {}
#[utoipa::path(post, path = "/api/v1/reports/dismiss", tag = "sharing", request_body = DismissBody,
    responses((status = 204, description = "Its reports dealt with, the picture or comment left shown"), (status = 403, body = ErrorBody), (status = 404, description = "No open report of it", body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
fn dismiss() {}
#[utoipa::path(get, path = "/s/{token}/{file}/{n}", tag = "sharing", params(("token" = String, Path), ("file" = String, Path, description = "image or thumbnail"), ("n" = u32, Path)),
    responses((status = 200, description = "A shared picture, for anyone with the link", content_type = "image/png"), (status = 404, body = ErrorBody)))]
fn shared_file() {}
#[utoipa::path(get, path = "/gallery/{id}/{file}/{n}", tag = "sharing", params(("id" = String, Path), ("file" = String, Path, description = "image or thumbnail"), ("n" = u32, Path)),
    responses((status = 200, description = "A picture on the gallery, for anyone", content_type = "image/png"), (status = 404, body = ErrorBody)))]
fn gallery_file() {}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "ops", responses((status = 200, description = "This document", body = Object)))]
fn openapi() {}
