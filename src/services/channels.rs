//! Channels: the admin's upstreams of each engine (add, edit, disable, remove, test), and how
//! they look from outside. A secret is bound to its URL: a new URL without a new secret clears
//! the saved one, and testing another URL never sends the saved secret.

use crate::{
    auth::CurrentUser,
    db::{self, channels::ChannelRow},
    engine::Engine,
    error::AppError,
    error::Rule,
    limits,
    services::settings::{self, hint},
    types::{ChannelView, Concurrency, ConnectionReport, EngineKind, HealthView},
};
use serde::Deserialize;
use serde_json::Value;

/// `POST /api/v1/channels` and `PATCH /api/v1/channels/{id}`: absent fields stay as they are (or
/// take their defaults, for a new channel).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelPatch {
    pub kind: Option<String>,
    pub name: Option<String>,
    pub api_url: Option<String>,
    /// Write-only. An empty string clears it.
    pub api_secret: Option<String>,
    pub enabled: Option<bool>,
    pub weight: Option<i64>,
    /// A number, or for midjourney `{fast, relax, turbo}` (any of them).
    pub concurrency: Option<Value>,
    // Read-only fields a client may echo back from GET: accepted and ignored.
    #[serde(default, rename = "id")]
    pub _id: Option<Value>,
    #[serde(default, rename = "api_secret_set")]
    pub _secret_set: Option<Value>,
    #[serde(default, rename = "api_secret_hint")]
    pub _secret_hint: Option<Value>,
    #[serde(default, rename = "health")]
    pub _health: Option<Value>,
    #[serde(default, rename = "live_tasks")]
    pub _live_tasks: Option<Value>,
}

pub async fn list(engine: &Engine, actor: &CurrentUser) -> Result<Vec<ChannelView>, AppError> {
    actor.require_admin()?;
    let rows = db::channels::list(&engine.pool)
        .await
        .map_err(super::internal)?;
    views(engine, rows).await
}

async fn views(engine: &Engine, rows: Vec<ChannelRow>) -> Result<Vec<ChannelView>, AppError> {
    let load = db::channels::load(&engine.pool, db::now_ms())
        .await
        .map_err(super::internal)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let live = load
                .iter()
                .filter(|(c, _, _)| *c == row.id)
                .map(|(_, _, n)| n)
                .sum();
            view(engine, &row, live)
        })
        .collect())
}

pub fn view(engine: &Engine, row: &ChannelRow, live_tasks: i64) -> ChannelView {
    let secret = row.secret.as_deref().and_then(|s| engine.secrets.unseal(s));
    ChannelView {
        id: row.id.clone(),
        kind: row.kind,
        name: row.name.clone(),
        api_url: row.api_url.clone(),
        api_secret_set: secret.is_some(),
        api_secret_hint: secret.as_deref().map(hint),
        enabled: row.enabled,
        weight: row.weight,
        concurrency: row.concurrency.0,
        health: HealthView {
            state: row.health,
            last_error: row.last_error.clone(),
            since: super::generation::rfc3339(row.health_since),
        },
        live_tasks,
    }
}

async fn one(engine: &Engine, id: &str) -> Result<ChannelView, AppError> {
    let row = db::channels::get(&engine.pool, id)
        .await
        .map_err(super::internal)?
        .filter(|r| r.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    Ok(views(engine, vec![row]).await?.remove(0))
}

use super::whole;

/// A concurrency as sent: a number, or for midjourney an object with any of its modes (the
/// others keep `current`'s values).
fn parse_concurrency(
    kind: EngineKind,
    current: Concurrency,
    v: &Value,
) -> Result<Concurrency, AppError> {
    let (min, max) = limits::CONCURRENCY;
    let bad = |_: &str| AppError::range("concurrency", min, max);
    let n = |field: &str, v: &Value| {
        let n = v.as_i64().ok_or_else(|| AppError::range(field, min, max))?;
        whole(field, n, limits::CONCURRENCY)
    };
    match (kind, v) {
        (EngineKind::Midjourney, Value::Object(map)) => {
            let Concurrency::Modes {
                mut fast,
                mut relax,
                mut turbo,
            } = current
            else {
                return Err(bad("Give fast, relax and turbo."));
            };
            for (k, v) in map {
                let field = format!("concurrency.{k}");
                match k.as_str() {
                    "fast" => fast = n(&field, v)?,
                    "relax" => relax = n(&field, v)?,
                    "turbo" => turbo = n(&field, v)?,
                    _ => {
                        return Err(AppError::invalid(
                            "concurrency",
                            Rule::OneOf {
                                options: vec!["fast".into(), "relax".into(), "turbo".into()],
                            },
                        ));
                    }
                }
            }
            Ok(Concurrency::Modes { fast, relax, turbo })
        }
        (EngineKind::Midjourney, Value::Number(_)) => {
            let all = n("concurrency", v)?;
            Ok(Concurrency::Modes {
                fast: all,
                relax: all,
                turbo: all,
            })
        }
        (_, Value::Number(_)) => Ok(Concurrency::Total(n("concurrency", v)?)),
        _ => Err(bad("Use a whole number for the concurrency.")),
    }
}

fn parse_name(raw: &str) -> Result<String, AppError> {
    super::required_text("name", raw, limits::CHANNEL_NAME_MAX_CHARS).map(str::to_owned)
}

/// The sealed form of a secret as sent: `Some(None)` clears it.
fn parse_secret(engine: &Engine, raw: Option<&str>) -> Result<Option<Option<String>>, AppError> {
    match raw.map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(s) if s.chars().count() > limits::SECRET_MAX_CHARS => Err(AppError::invalid(
            "api_secret",
            Rule::TooLong {
                max: limits::SECRET_MAX_CHARS as u32,
            },
        )),
        Some(s) if s.chars().any(char::is_control) => {
            Err(AppError::invalid("api_secret", Rule::ControlCharacters))
        }
        Some(s) => Ok(Some(Some(engine.secrets.seal(s)?))),
    }
}

/// Applies `patch` to `row` after checking every field (nothing changes when one is wrong).
/// Answers whether the URL or the secret changed (the channel then starts afresh).
pub fn apply(
    engine: &Engine,
    row: &mut ChannelRow,
    patch: &ChannelPatch,
) -> Result<bool, AppError> {
    let mut fresh = false;
    if let Some(name) = &patch.name {
        row.name = parse_name(name)?;
    }
    let secret = parse_secret(engine, patch.api_secret.as_deref())?;
    if let Some(url) = &patch.api_url {
        let url = settings::parse_api_url(url)?;
        if url != row.api_url {
            row.api_url = url;
            // The saved secret belongs to the old URL.
            if secret.is_none() {
                row.secret = None;
            }
            fresh = true;
        }
    }
    if let Some(sealed) = secret {
        row.secret = sealed;
        fresh = true;
    }
    if let Some(v) = patch.enabled {
        row.enabled = v;
    }
    if let Some(w) = patch.weight {
        row.weight = whole("weight", w, limits::WEIGHT)?;
    }
    if let Some(c) = &patch.concurrency {
        row.concurrency.0 = parse_concurrency(row.kind, row.concurrency.0, c)?;
    }
    Ok(fresh)
}

#[tracing::instrument(skip(engine, actor, patch), fields(admin_id = %actor.id))]
pub async fn create(
    engine: &Engine,
    actor: &CurrentUser,
    patch: ChannelPatch,
) -> Result<ChannelView, AppError> {
    actor.require_admin()?;
    let kind = patch
        .kind
        .as_deref()
        .map(str::trim)
        .and_then(EngineKind::parse)
        .ok_or_else(|| AppError::invalid("kind", engine_choice()))?;
    if patch.api_url.is_none() {
        return Err(AppError::invalid("api_url", Rule::Url));
    }
    let now = db::now_ms();
    let mut row = ChannelRow {
        id: db::new_id(),
        kind,
        name: kind.label().to_owned(),
        api_url: String::new(),
        secret: None,
        enabled: true,
        weight: 1,
        concurrency: sqlx::types::Json(Concurrency::default_for(kind)),
        health: crate::types::HealthState::Ok,
        errors: 0,
        last_error: None,
        health_since: now,
        down_until: 0,
        position: 0,
        created_at: now,
        deleted_at: None,
        catalog: sqlx::types::Json(crate::engines::sd_webui::Catalog::default()),
    };
    apply(engine, &mut row, &patch)?;
    let mut tx = engine.pool.begin().await.map_err(super::internal)?;
    db::channels::insert(
        &mut tx,
        &db::channels::NewChannel {
            id: &row.id,
            kind: row.kind,
            name: &row.name,
            api_url: &row.api_url,
            secret: row.secret.as_deref(),
            enabled: row.enabled,
            weight: row.weight,
            concurrency: row.concurrency.0,
        },
        now,
    )
    .await
    .map_err(super::internal)?;
    let detail = format!("{} {} ({})", kind.as_str(), row.name, row.api_url);
    super::audit(&mut tx, actor, "channel.create", Some(&row.id), &detail).await?;
    tx.commit().await.map_err(super::internal)?;
    tracing::info!(channel_id = row.id, "channel added");
    read_catalog(engine, &row.id).await;
    engine.wake_worker();
    one(engine, &row.id).await
}

#[tracing::instrument(skip(engine, actor, patch), fields(admin_id = %actor.id))]
pub async fn update(
    engine: &Engine,
    actor: &CurrentUser,
    id: &str,
    patch: ChannelPatch,
) -> Result<ChannelView, AppError> {
    actor.require_admin()?;
    if patch.kind.is_some() {
        return Err(AppError::validation(
            "kind",
            "A channel's engine cannot change; add a new channel instead.",
        ));
    }
    let mut tx = engine.pool.begin_write().await.map_err(super::internal)?;
    update_in(engine, &mut tx, actor, id, &patch).await?;
    tx.commit().await.map_err(super::internal)?;
    read_catalog(engine, id).await;
    engine.wake_worker();
    one(engine, id).await
}

/// Reads and keeps what a Stable Diffusion channel's box offers (its checkpoints, its samplers).
/// A box that does not answer keeps what was read before; it is read again later (the worker
/// does every few minutes). Nothing to do for the other engines.
pub async fn read_catalog(engine: &Engine, id: &str) {
    let row = match db::channels::get(&engine.pool, id).await {
        Ok(Some(row)) if row.kind == EngineKind::SdWebui && row.deleted_at.is_none() => row,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(channel_id = id, error = %e, "channel not read");
            return;
        }
    };
    let channel = engine.channel(row);
    let crate::engines::Client::SdWebui(client) = &channel.client else {
        return;
    };
    match client.catalog().await {
        Ok(catalog) => {
            if let Err(e) = db::channels::set_catalog(&engine.pool, id, &catalog).await {
                tracing::warn!(channel_id = id, error = %e, "checkpoints not kept");
            } else {
                tracing::info!(
                    channel_id = id,
                    checkpoints = catalog.models.len(),
                    "checkpoints read"
                );
            }
        }
        Err(e) => tracing::info!(channel_id = id, error = %e, "checkpoints not read"),
    }
}

/// The change of [`update`] inside the caller's transaction (the settings write the first
/// midjourney channel this way, with their own change).
pub async fn update_in(
    engine: &Engine,
    tx: &mut db::Tx<'_>,
    actor: &CurrentUser,
    id: &str,
    patch: &ChannelPatch,
) -> Result<(), AppError> {
    let before = db::channels::get_locked(tx, id)
        .await
        .map_err(super::internal)?
        .filter(|r| r.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    let mut row = before.clone();
    let fresh = apply(engine, &mut row, patch)?;
    db::channels::update(tx, &row, fresh, db::now_ms())
        .await
        .map_err(super::internal)?;
    let detail = describe_change(&before, &row);
    super::audit(tx, actor, "channel.update", Some(id), &detail).await
}

/// "weight: 1 → 3, api_secret: replaced" (never the secret).
fn describe_change(a: &ChannelRow, b: &ChannelRow) -> String {
    let mut out = Vec::new();
    if a.name != b.name {
        out.push(format!("name: {} → {}", a.name, b.name));
    }
    if a.api_url != b.api_url {
        out.push(format!("api_url: {} → {}", a.api_url, b.api_url));
    }
    if a.secret != b.secret {
        out.push(
            if b.secret.is_some() {
                "api_secret: replaced"
            } else {
                "api_secret: cleared"
            }
            .into(),
        );
    }
    if a.enabled != b.enabled {
        out.push(format!("enabled: {} → {}", a.enabled, b.enabled));
    }
    if a.weight != b.weight {
        out.push(format!("weight: {} → {}", a.weight, b.weight));
    }
    if a.concurrency.0 != b.concurrency.0 {
        let json = |c: &Concurrency| serde_json::to_string(c).unwrap_or_default();
        out.push(format!(
            "concurrency: {} → {}",
            json(&a.concurrency.0),
            json(&b.concurrency.0)
        ));
    }
    if out.is_empty() {
        "no change".into()
    } else {
        out.join(", ")
    }
}

#[tracing::instrument(skip(engine, actor), fields(admin_id = %actor.id))]
pub async fn remove(engine: &Engine, actor: &CurrentUser, id: &str) -> Result<(), AppError> {
    actor.require_admin()?;
    let mut tx = engine.pool.begin().await.map_err(super::internal)?;
    if !db::channels::remove(&mut tx, id, db::now_ms())
        .await
        .map_err(super::internal)?
    {
        return Err(AppError::NotFound);
    }
    super::audit(&mut tx, actor, "channel.remove", Some(id), "").await?;
    tx.commit().await.map_err(super::internal)?;
    tracing::info!(channel_id = id, "channel removed");
    Ok(())
}

/// Tests a channel: as saved, or with another URL and secret before saving. The saved secret
/// goes only to the saved URL.
pub async fn test(
    engine: &Engine,
    actor: &CurrentUser,
    id: &str,
    api_url: Option<&str>,
    api_secret: Option<&str>,
) -> Result<ConnectionReport, AppError> {
    actor.require_admin()?;
    let row = db::channels::get(&engine.pool, id)
        .await
        .map_err(super::internal)?
        .filter(|r| r.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    let report = probe(engine, &row, api_url, api_secret).await?;
    // A good probe of the saved settings is news of the channel's health.
    if report.ok && api_url.is_none_or(|u| u.trim().is_empty() || u.trim() == row.api_url) {
        db::channels::record_success(&engine.pool, &row.id, db::now_ms())
            .await
            .map_err(super::internal)?;
        read_catalog(engine, &row.id).await;
    }
    Ok(report)
}

/// Probes `row`'s upstream, or `api_url` with `api_secret` instead. The saved secret is sent
/// only to the saved URL.
pub async fn probe(
    engine: &Engine,
    row: &ChannelRow,
    api_url: Option<&str>,
    api_secret: Option<&str>,
) -> Result<ConnectionReport, AppError> {
    let url = match api_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => settings::parse_api_url(u)?,
        None => row.api_url.clone(),
    };
    let given = api_secret.map(str::trim).filter(|s| !s.is_empty());
    let saved = if url == row.api_url {
        row.secret.as_deref()
    } else {
        None
    };
    let (base, secret) = match given {
        Some(s) if url != settings::BUILTIN => (url, Some(s.to_owned())),
        _ => engine.endpoint(row.kind, &url, saved),
    };
    Ok(super::connection::probe(row.kind, &base, secret.as_deref()).await)
}

/// "Choose midjourney, openai or sd_webui."
pub fn engine_choice() -> Rule {
    Rule::OneOf {
        options: EngineKind::ALL
            .iter()
            .map(|k| k.as_str().to_owned())
            .collect(),
    }
}

/// The first midjourney channel: the one `/api/v1/midjourney/config` reads and writes.
pub async fn first_midjourney(engine: &Engine) -> Result<Option<ChannelRow>, AppError> {
    Ok(db::channels::list(&engine.pool)
        .await
        .map_err(super::internal)?
        .into_iter()
        .find(|c| c.kind == EngineKind::Midjourney))
}
