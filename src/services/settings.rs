//! Admin-edited settings: one JSON document in the `settings` table. The upstreams live in
//! channels (see `channels`), whose secrets are encrypted at rest (XChaCha20-Poly1305) under a
//! key that never enters the database. The config of `/api/v1/midjourney/config` is these
//! settings with the first midjourney channel's URL, secret and concurrency.

use crate::db::Pool;
use crate::{
    db,
    engine::Engine,
    error::AppError,
    services::channels::{self, ChannelPatch},
    types::{CancelRefund, ConfigView, Cost, EngineKind, Mode, Role, SignupMode},
};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit},
};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use std::path::Path;

const CONFIG_KEY: &str = "config";
pub const BUILTIN: &str = "builtin";

/// Price and switch of one midjourney mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModePrice {
    pub mode: Mode,
    pub cost: i64,
    pub enabled: bool,
}

pub use crate::types::ANY_CHECKPOINT;

/// Price and switch of one model of the openai or sd_webui engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelPrice {
    pub engine: EngineKind,
    pub model: String,
    pub enabled: bool,
    /// Credits per image.
    pub cost: Cost,
}

/// The prices a new installation starts with: about what each costs upstream, relative to a
/// relax-mode grid (2 credits).
fn default_models() -> Vec<ModelPrice> {
    let by = |pairs: &[(&str, i64)]| {
        Cost::ByQuality(pairs.iter().map(|(q, c)| ((*q).to_owned(), *c)).collect())
    };
    let price = |model: &str, cost| ModelPrice {
        engine: EngineKind::Openai,
        model: model.to_owned(),
        enabled: true,
        cost,
    };
    vec![
        price(
            "gpt-image-1",
            by(&[("low", 2), ("medium", 4), ("high", 12), ("auto", 4)]),
        ),
        price("dall-e-3", by(&[("standard", 4), ("hd", 8)])),
        price("dall-e-2", Cost::Each(2)),
        // Your own box: a picture costs about a relax-mode grid's quarter.
        ModelPrice {
            engine: EngineKind::SdWebui,
            model: ANY_CHECKPOINT.to_owned(),
            enabled: true,
            cost: Cost::Each(1),
        },
    ]
}

/// The settings as stored (without the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub enabled: bool,
    pub modes: Vec<ModePrice>,
    pub action_cost: i64,
    pub signup_credits: i64,
    pub max_active_tasks_per_user: i64,
    pub new_user_role: Role,
    /// A live task with no news for this long fails and is refunded; None: `ATELIER_TASK_TIMEOUT_SECS`.
    pub task_timeout_secs: Option<i64>,
    /// What a cancel gives back of a task being drawn upstream.
    pub cancel_refund: CancelRefund,
    /// Who may sign up.
    pub signup_mode: SignupMode,
    /// Sign-ups allowed per client address and hour; 0: no limit.
    pub signup_per_hour: i64,
    /// What one user's uploads may take together, in MB; 0: no limit.
    pub upload_quota_mb: i64,
    /// Uploads no task used are removed after this many days; 0: kept until deleted.
    pub upload_retention_days: i64,
    /// The most tasks one batch may make.
    pub batch_max: i64,
    /// Owners may list pictures on the public gallery (and it is shown).
    pub gallery_enabled: bool,
    /// Signed-in users may comment on the gallery's pictures.
    pub comments_enabled: bool,
    /// Prices and switches of the openai and sd_webui models.
    pub models: Vec<ModelPrice>,
    /// Engines the admin switched off (their channels stay as they are).
    pub engines_off: Vec<EngineKind>,
    /// Prices of follow-ups by [`crate::types::ACTION_PRICES`]; one not set costs `action_cost`.
    pub action_costs: std::collections::BTreeMap<String, i64>,
}

impl Default for Settings {
    fn default() -> Self {
        let mode = |mode, cost| ModePrice {
            mode,
            cost,
            enabled: true,
        };
        Self {
            enabled: true,
            modes: vec![
                mode(Mode::Fast, 8),
                mode(Mode::Relax, 2),
                mode(Mode::Turbo, 16),
            ],
            action_cost: 2,
            signup_credits: 100,
            max_active_tasks_per_user: 5,
            new_user_role: Role::User,
            task_timeout_secs: None,
            cancel_refund: CancelRefund::default(),
            signup_mode: SignupMode::default(),
            signup_per_hour: 20,
            upload_quota_mb: 200,
            upload_retention_days: 7,
            batch_max: 10,
            gallery_enabled: true,
            comments_enabled: true,
            models: default_models(),
            engines_off: Vec::new(),
            action_costs: Default::default(),
        }
    }
}

impl Settings {
    /// The price of `model` of `engine`: as set, else the installation's default, else nothing
    /// (a model nobody priced is not offered).
    pub fn model(&self, engine: EngineKind, model: &str) -> Option<ModelPrice> {
        let find = |model: &str| {
            self.models
                .iter()
                .find(|m| m.engine == engine && m.model == model)
                .cloned()
                .or_else(|| {
                    default_models()
                        .into_iter()
                        .find(|m| m.engine == engine && m.model == model)
                })
        };
        find(model).or_else(|| {
            // A Stable Diffusion checkpoint nobody priced costs what every checkpoint does.
            (engine == EngineKind::SdWebui)
                .then(|| find(ANY_CHECKPOINT))
                .flatten()
                .map(|any| ModelPrice {
                    model: model.to_owned(),
                    ..any
                })
        })
    }

    /// The price of follow-up `key` of [`crate::types::ACTION_PRICES`].
    pub fn action_price(&self, key: &str) -> i64 {
        self.action_costs
            .get(key)
            .copied()
            .unwrap_or(self.action_cost)
    }

    /// Every follow-up's price, by its key.
    pub fn action_prices(&self) -> std::collections::BTreeMap<String, i64> {
        crate::types::ACTION_PRICES
            .iter()
            .map(|k| ((*k).to_owned(), self.action_price(k)))
            .collect()
    }

    /// Is `engine` switched on?
    pub fn engine_on(&self, engine: EngineKind) -> bool {
        !self.engines_off.contains(&engine)
    }

    pub fn mode(&self, mode: Mode) -> ModePrice {
        self.modes
            .iter()
            .find(|m| m.mode == mode)
            .cloned()
            .unwrap_or(ModePrice {
                mode,
                cost: 0,
                enabled: false,
            })
    }
}

/// A partial update, as the admin sends it. Absent fields stay as they are.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigPatch {
    pub enabled: Option<bool>,
    pub api_url: Option<String>,
    /// Write-only. An empty string clears it.
    pub api_secret: Option<String>,
    pub modes: Option<Vec<ModePatch>>,
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
    /// Follow-up prices by key; null puts one back to `action_cost`.
    pub action_costs: Option<std::collections::BTreeMap<String, Option<i64>>>,
    /// `PATCH /api/v1/engines/{kind}`: that engine on or off.
    #[serde(skip)]
    pub engine_on: Option<(EngineKind, bool)>,
    /// `PATCH /api/v1/engines/{kind}`: prices and switches of that engine's models.
    #[serde(skip)]
    pub models: Option<(EngineKind, Vec<ModelPatch>)>,
    // Read-only fields a client may echo back from GET: accepted and ignored.
    #[serde(default, rename = "api_secret_set")]
    pub _secret_set: Option<serde_json::Value>,
    #[serde(default, rename = "api_secret_hint")]
    pub _secret_hint: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModePatch {
    pub mode: Mode,
    pub cost: Option<i64>,
    pub enabled: Option<bool>,
    pub concurrency: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelPatch {
    pub model: String,
    pub cost: Option<Cost>,
    pub enabled: Option<bool>,
}

/// Encrypts and decrypts the upstream secret.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl SecretBox {
    /// The key comes from `ATELIER_SECRET_KEY` (any string; its SHA-256 is the key) or else from
    /// `secret.key` in the data dir, created with mode 0600 on first start.
    pub fn open(data_dir: &Path, env_key: Option<&str>) -> anyhow::Result<Self> {
        use sha2::Digest;
        let key: [u8; 32] = match env_key {
            Some(k) => sha2::Sha256::digest(k.as_bytes()).into(),
            None => key_file(&data_dir.join("secret.key"))?,
        };
        Ok(Self {
            cipher: XChaCha20Poly1305::new(&key.into()),
        })
    }

    pub fn seal(&self, plain: &str) -> Result<String, AppError> {
        let mut nonce = [0u8; 24];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| super::internal("encryption failed"))?;
        Ok(hex::encode([&nonce[..], &sealed].concat()))
    }

    pub fn unseal(&self, stored: &str) -> Option<String> {
        let bytes = hex::decode(stored).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), sealed)
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

fn key_file(path: &Path) -> anyhow::Result<[u8; 32]> {
    use anyhow::Context;
    if let Ok(text) = std::fs::read_to_string(path) {
        return hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .with_context(|| format!("{} is not a 32-byte hex key", path.display()));
    }
    let mut key = [0u8; 32];
    OsRng.fill_bytes(&mut key);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    std::io::Write::write_all(&mut file, hex::encode(key).as_bytes())?;
    Ok(key)
}

/// The settings as last read, kept in memory until they change: every read of a task prices its
/// buttons with them, and a finished task's read must cost what a live one's does.
///
/// Every change goes through [`update`], which tells this instance's cache at once; on PostgreSQL
/// a trigger (`NOTIFY atelier_settings`, migration 0019) tells every instance at commit, and
/// nothing is kept while an instance does not hear (before its listener connects, after the
/// connection is lost). What is kept is trusted for [`SettingsCache::TRUST`] at most, for a
/// change made to the database by hand.
#[derive(Debug)]
pub struct SettingsCache {
    notices: db::notices::Notices,
    kept: std::sync::Mutex<Option<Kept>>,
}

#[derive(Debug)]
struct Kept {
    mark: u64,
    read_at: std::time::Instant,
    settings: std::sync::Arc<Settings>,
}

impl SettingsCache {
    const TRUST: std::time::Duration = std::time::Duration::from_secs(60);

    /// The cache of an instance on `pool`: on PostgreSQL it keeps nothing until
    /// [`SettingsCache::listening`] says that the notices are heard.
    pub fn new(pool: &Pool) -> Self {
        Self {
            notices: db::notices::Notices::of_one_writer(!pool.is_postgres()),
            kept: std::sync::Mutex::new(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Kept>> {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The settings now: from memory while nothing changed, else read (and kept if nothing
    /// changed during the read).
    pub async fn get(&self, pool: &Pool) -> Result<std::sync::Arc<Settings>, AppError> {
        let mark = self.notices.count();
        if let Some(mark) = mark
            && let Some(kept) = self.lock().as_ref()
            && kept.mark == mark
            && kept.read_at.elapsed() < Self::TRUST
        {
            return Ok(kept.settings.clone());
        }
        let settings = std::sync::Arc::new(load(pool).await?);
        if let Some(mark) = mark {
            let mut kept = self.lock();
            if self.notices.count() == Some(mark) {
                *kept = Some(Kept {
                    mark,
                    read_at: std::time::Instant::now(),
                    settings: settings.clone(),
                });
            }
        }
        Ok(settings)
    }

    /// The settings changed (here, or on another instance): the next read goes to the database.
    pub fn changed(&self) {
        self.notices.changed();
        *self.lock() = None;
    }

    /// Whether this instance hears PostgreSQL's notices: only then is anything kept.
    pub fn listening(&self, on: bool) {
        self.notices.listening(on);
        *self.lock() = None;
    }
}

pub async fn load(pool: &Pool) -> Result<Settings, AppError> {
    let raw = db::settings::get(pool, CONFIG_KEY)
        .await
        .map_err(super::internal)?;
    parse(raw).map_err(super::internal)
}

/// Stored settings, or the defaults when none were ever saved. Settings that cannot be read are
/// an error, never the defaults: those are the open ones (sign-ups as users, every mode on), and
/// a stored "pending" or "switched off" must not silently become them.
fn parse(raw: Option<String>) -> Result<Settings, String> {
    match raw {
        None => Ok(Settings::default()),
        Some(r) => serde_json::from_str(&r).map_err(|e| {
            format!("the stored settings (settings.{CONFIG_KEY}) cannot be read: {e}")
        }),
    }
}

/// Start-up refuses to serve with settings it cannot read, and says why.
pub async fn check_stored(pool: &Pool) -> anyhow::Result<()> {
    let raw = db::settings::get(pool, CONFIG_KEY).await?;
    parse(raw).map(drop).map_err(|e| {
        anyhow::anyhow!("{e}; fix or delete that row (deleting it restores the defaults)")
    })
}

/// The config as `viewer` may see it: admin-only fields are None for others.
pub async fn view(engine: &Engine, admin: bool) -> Result<ConfigView, AppError> {
    let s = load(&engine.pool).await?;
    let channel = if admin {
        channels::first_midjourney(engine).await?
    } else {
        None
    };
    Ok(to_view(engine, &s, channel.as_ref(), admin))
}

fn to_view(
    engine: &Engine,
    s: &Settings,
    channel: Option<&db::channels::ChannelRow>,
    admin: bool,
) -> ConfigView {
    let concurrency = channel.map(|c| c.concurrency.0);
    let modes = Mode::ALL
        .iter()
        .map(|m| {
            let c = s.mode(*m);
            crate::types::ModeView {
                mode: c.mode,
                cost: c.cost,
                enabled: c.enabled,
                concurrency: concurrency.map(|k| k.limit(Some(*m))),
            }
        })
        .collect();
    let secret = channel
        .and_then(|c| c.secret.as_deref())
        .and_then(|sealed| engine.secrets.unseal(sealed));
    ConfigView {
        enabled: s.enabled,
        modes,
        action_cost: s.action_cost,
        api_url: channel.map(|c| c.api_url.clone()),
        api_secret_set: admin.then_some(secret.is_some()),
        api_secret_hint: secret.as_deref().map(hint),
        signup_credits: admin.then_some(s.signup_credits),
        max_active_tasks_per_user: s.max_active_tasks_per_user,
        new_user_role: admin.then_some(s.new_user_role),
        task_timeout_secs: if admin { s.task_timeout_secs } else { None },
        cancel_refund: admin.then_some(s.cancel_refund),
        signup_mode: admin.then_some(s.signup_mode),
        signup_per_hour: admin.then_some(s.signup_per_hour),
        upload_quota_mb: admin.then_some(s.upload_quota_mb),
        upload_retention_days: admin.then_some(s.upload_retention_days),
        batch_max: s.batch_max,
        gallery_enabled: s.gallery_enabled,
        comments_enabled: s.comments_enabled,
        action_costs: s.action_prices(),
        action_costs_set: admin.then(|| s.action_costs.clone()),
    }
}

/// "…x7Qa": the last four characters, never more (and nothing for very short secrets).
pub fn hint(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 8 {
        return "…".into();
    }
    format!("…{}", chars[chars.len() - 4..].iter().collect::<String>())
}

/// Checks an `api_url`: `builtin`, or an http(s) URL with a host.
pub fn parse_api_url(raw: &str) -> Result<String, AppError> {
    let url = raw.trim().trim_end_matches('/');
    if url == BUILTIN {
        return Ok(url.into());
    }
    let bad = || AppError::invalid("api_url", crate::error::Rule::Url);
    let parsed = reqwest::Url::parse(url).map_err(|_| bad())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(bad());
    }
    Ok(url.into())
}

/// Validates every field of `patch` first, then writes; nothing changes when anything is wrong.
/// The URL, secret and concurrency go to the first midjourney channel, in the same transaction.
pub async fn update(
    engine: &Engine,
    actor: &crate::auth::CurrentUser,
    patch: ConfigPatch,
) -> Result<ConfigView, AppError> {
    actor.require_admin()?;
    // Read, change and write in one transaction that holds off every other writer of the
    // settings (two admins on two instances each keep their change).
    let mut tx = engine.pool.begin_write().await.map_err(super::internal)?;
    let before = parse(
        db::settings::get_locked(&mut tx, CONFIG_KEY)
            .await
            .map_err(super::internal)?,
    )
    .map_err(super::internal)?;
    let mut s = before.clone();
    use super::whole;
    use crate::limits::{CONCURRENCY, COST, MAX_ACTIVE, TASK_TIMEOUT_SECS};
    if let Some(v) = patch.enabled {
        s.enabled = v;
    }
    let mut concurrency = serde_json::Map::new();
    for m in patch.modes.unwrap_or_default() {
        let name = m.mode.as_str();
        let mut c = s.mode(m.mode);
        if let Some(v) = m.cost {
            c.cost = whole(&format!("modes.{name}.cost"), v, COST)?;
        }
        if let Some(v) = m.enabled {
            c.enabled = v;
        }
        if let Some(v) = m.concurrency {
            whole(&format!("modes.{name}.concurrency"), v, CONCURRENCY)?;
            concurrency.insert(name.to_owned(), v.into());
        }
        s.modes.retain(|x| x.mode != m.mode);
        s.modes.push(c);
    }
    s.modes
        .sort_by_key(|m| Mode::ALL.iter().position(|x| *x == m.mode));
    if let Some(v) = patch.action_cost {
        s.action_cost = whole("action_cost", v, COST)?;
    }
    if let Some(v) = patch.signup_credits {
        s.signup_credits = whole("signup_credits", v, COST)?;
    }
    if let Some(v) = patch.max_active_tasks_per_user {
        s.max_active_tasks_per_user = whole("max_active_tasks_per_user", v, MAX_ACTIVE)?;
    }
    if let Some(v) = patch.task_timeout_secs {
        s.task_timeout_secs = Some(whole("task_timeout_secs", v, TASK_TIMEOUT_SECS)?);
    }
    if let Some(policy) = patch.cancel_refund {
        s.cancel_refund = policy;
    }
    if let Some(mode) = patch.signup_mode {
        s.signup_mode = mode;
    }
    if let Some(v) = patch.signup_per_hour {
        s.signup_per_hour = whole("signup_per_hour", v, crate::limits::SIGNUP_PER_HOUR)?;
    }
    if let Some(v) = patch.upload_quota_mb {
        s.upload_quota_mb = whole("upload_quota_mb", v, crate::limits::UPLOAD_QUOTA_MB)?;
    }
    if let Some(v) = patch.batch_max {
        s.batch_max = whole("batch_max", v, crate::limits::BATCH_MAX)?;
    }
    if let Some(v) = patch.gallery_enabled {
        s.gallery_enabled = v;
    }
    if let Some(v) = patch.comments_enabled {
        s.comments_enabled = v;
    }
    if let Some(v) = patch.upload_retention_days {
        s.upload_retention_days = whole(
            "upload_retention_days",
            v,
            crate::limits::UPLOAD_RETENTION_DAYS,
        )?;
    }
    if let Some(costs) = &patch.action_costs {
        for (key, cost) in costs {
            let field = format!("action_costs.{key}");
            if !crate::types::ACTION_PRICES.contains(&key.as_str()) {
                return Err(AppError::invalid(
                    &field,
                    crate::error::Rule::one_of(&crate::types::ACTION_PRICES),
                ));
            }
            match cost {
                Some(v) => {
                    s.action_costs.insert(key.clone(), whole(&field, *v, COST)?);
                }
                None => {
                    s.action_costs.remove(key);
                }
            }
        }
    }
    if let Some((kind, on)) = patch.engine_on {
        s.engines_off.retain(|k| *k != kind);
        if !on {
            s.engines_off.push(kind);
        }
    }
    if let Some((kind, models)) = patch.models {
        for m in models {
            let mut price = match s.model(kind, &m.model) {
                Some(p) => p,
                None if kind == EngineKind::Openai => {
                    let ids = crate::engines::openai::MODELS
                        .iter()
                        .map(|m| m.id.to_owned())
                        .collect();
                    return Err(AppError::invalid(
                        "models.model",
                        crate::error::Rule::OneOf { options: ids },
                    ));
                }
                None => ModelPrice {
                    engine: kind,
                    model: super::required_text("models.model", &m.model, 200)?.to_owned(),
                    enabled: true,
                    cost: Cost::Each(0),
                },
            };
            let field = format!("models.{}.cost", price.model);
            if let Some(cost) = m.cost {
                if kind == EngineKind::SdWebui && matches!(cost, Cost::ByQuality(_)) {
                    // Stable Diffusion has no qualities: one price per picture.
                    return Err(AppError::range(&field, COST.0, COST.1));
                }
                price.cost = match cost {
                    Cost::Each(c) => Cost::Each(whole(&field, c, COST)?),
                    Cost::ByQuality(by) => {
                        let mut checked = std::collections::BTreeMap::new();
                        for (q, c) in by {
                            checked.insert(q.clone(), whole(&format!("{field}.{q}"), c, COST)?);
                        }
                        Cost::ByQuality(checked)
                    }
                };
            }
            if let Some(on) = m.enabled {
                price.enabled = on;
            }
            s.models
                .retain(|x| !(x.engine == kind && x.model == price.model));
            s.models.push(price);
        }
    }
    if let Some(role) = patch.new_user_role {
        if role == Role::Admin {
            return Err(AppError::invalid(
                "new_user_role",
                crate::error::Rule::OneOf {
                    options: vec!["user".into(), "pending".into()],
                },
            ));
        }
        s.new_user_role = role;
    }
    let channel_patch = ChannelPatch {
        api_url: patch.api_url,
        api_secret: patch.api_secret,
        concurrency: (!concurrency.is_empty()).then_some(serde_json::Value::Object(concurrency)),
        ..ChannelPatch::default()
    };
    let touches_channel = channel_patch.api_url.is_some()
        || channel_patch.api_secret.is_some()
        || channel_patch.concurrency.is_some();

    let json = serde_json::to_string(&s).map_err(super::internal)?;
    if touches_channel {
        match channels::first_midjourney(engine).await? {
            Some(channel) => {
                channels::update_in(engine, &mut tx, actor, &channel.id, &channel_patch).await?
            }
            None => {
                return Err(AppError::validation(
                    "api_url",
                    "There is no midjourney channel: add one under Channels.",
                ));
            }
        }
    }
    db::settings::set_in(&mut tx, CONFIG_KEY, &json)
        .await
        .map_err(super::internal)?;
    let detail = describe_change(&before, &s);
    super::audit(&mut tx, actor, "settings.update", None, &detail).await?;
    tx.commit().await.map_err(super::internal)?;
    engine.settings_cache.changed();
    engine.wake_worker();
    view(engine, true).await
}

/// "enabled: true → false, modes.fast.cost: 8 → 10" (the channel's changes are audited with it).
fn describe_change(before: &Settings, after: &Settings) -> String {
    let (a, b) = (
        serde_json::to_value(before).unwrap_or_default(),
        serde_json::to_value(after).unwrap_or_default(),
    );
    let mut out = Vec::new();
    for key in [
        "enabled",
        "action_cost",
        "signup_credits",
        "max_active_tasks_per_user",
        "new_user_role",
        "cancel_refund",
        "signup_mode",
        "signup_per_hour",
        "upload_quota_mb",
        "upload_retention_days",
        "batch_max",
        "gallery_enabled",
        "comments_enabled",
    ] {
        if a.get(key) != b.get(key) {
            out.push(format!("{key}: {} → {}", a[key], b[key]));
        }
    }
    if before.engines_off != after.engines_off {
        out.push(format!(
            "engines_off: {} → {}",
            a["engines_off"], b["engines_off"]
        ));
    }
    for m in &after.models {
        let old = before.model(m.engine, &m.model);
        if old.as_ref() != Some(m) {
            let show = |p: Option<&ModelPrice>| {
                p.map_or("-".to_owned(), |p| {
                    format!(
                        "{}/{}",
                        serde_json::to_string(&p.cost).unwrap_or_default(),
                        p.enabled
                    )
                })
            };
            out.push(format!(
                "models.{}.{}: {} → {}",
                m.engine.as_str(),
                m.model,
                show(old.as_ref()),
                show(Some(m))
            ));
        }
    }
    for m in Mode::ALL {
        let (x, y) = (before.mode(m), after.mode(m));
        if x != y {
            out.push(format!(
                "modes.{}: {}/{} → {}/{}",
                m.as_str(),
                x.cost,
                x.enabled,
                y.cost,
                y.enabled
            ));
        }
    }
    if out.is_empty() {
        "no change".into()
    } else {
        out.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_and_hints_show_four_characters() {
        let dir = tempfile::tempdir().unwrap();
        let b = SecretBox::open(dir.path(), None).unwrap();
        let sealed = b.seal("sk-verysecret-x7Qa").unwrap();
        assert!(!sealed.contains("verysecret"));
        assert_eq!(b.unseal(&sealed).as_deref(), Some("sk-verysecret-x7Qa"));
        // The same key file opens it again; another key does not.
        let again = SecretBox::open(dir.path(), None).unwrap();
        assert_eq!(again.unseal(&sealed).as_deref(), Some("sk-verysecret-x7Qa"));
        let other = SecretBox::open(dir.path(), Some("another key")).unwrap();
        assert_eq!(other.unseal(&sealed), None);
        assert_eq!(hint("sk-verysecret-x7Qa"), "…x7Qa");
        assert_eq!(hint("short"), "…");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn api_urls_are_builtin_or_http() {
        assert_eq!(parse_api_url("builtin").unwrap(), "builtin");
        assert_eq!(
            parse_api_url(" https://mj.example.com/ ").unwrap(),
            "https://mj.example.com"
        );
        for bad in ["ftp://x.io", "mj.example.com", "", "http://"] {
            assert_eq!(
                parse_api_url(bad).unwrap_err().field(),
                Some("api_url"),
                "{bad}"
            );
        }
    }
}
