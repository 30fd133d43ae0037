//! The admin pages' and the API-key section's server functions.

use crate::{
    error::AppError,
    types::{
        AdminUser, ApiKeyView, ChannelForm, ChannelView, ConfigView, ConnectionReport, EngineKind,
        EngineSetup, HistoryPage, InviteView, LedgerPage, ModelChoice, NewApiKey, Overview,
        SettingsChange, UserView,
    },
};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

#[cfg(feature = "ssr")]
async fn state_and_admin() -> Result<(crate::state::AppState, crate::auth::CurrentUser), AppError> {
    let (state, user) = state_and_user().await?;
    user.require_admin()?;
    Ok((state, user))
}

#[cfg(feature = "ssr")]
async fn state_and_user() -> Result<(crate::state::AppState, crate::auth::CurrentUser), AppError> {
    Ok((super::ctx::state()?, super::ctx::require_user().await?))
}

#[server(input = Postcard, output = Postcard)]
pub async fn load_settings() -> Result<ConfigView, AppError> {
    let (s, _) = state_and_admin().await?;
    let mut view = crate::services::settings::view(&s.engine, true).await?;
    // The form shows the deadline in force, also when it comes from the environment.
    let settings = s.engine.settings().await?;
    view.task_timeout_secs = Some(s.engine.task_timeout(&settings).as_secs() as i64);
    Ok(view)
}

/// Saves what the form changed (absent fields stay as they are).
#[server(input = Postcard, output = Postcard)]
pub async fn save_settings(change: SettingsChange) -> Result<ConfigView, AppError> {
    let (s, admin) = state_and_admin().await?;
    let patch = serde_json::from_value(serde_json::json!({
        "enabled": change.enabled,
        "api_url": change.api_url,
        "api_secret": change.api_secret,
        "modes": change.modes.iter().map(|m| serde_json::json!({
            "mode": m.mode, "cost": m.cost, "enabled": m.enabled, "concurrency": m.concurrency
        })).collect::<Vec<_>>(),
        "action_cost": change.action_cost,
        "signup_credits": change.signup_credits,
        "max_active_tasks_per_user": change.max_active_tasks_per_user,
        "new_user_role": change.new_user_role,
        "task_timeout_secs": change.task_timeout_secs,
        "cancel_refund": change.cancel_refund,
        "signup_mode": change.signup_mode,
        "signup_per_hour": change.signup_per_hour,
        "upload_quota_mb": change.upload_quota_mb,
        "upload_retention_days": change.upload_retention_days,
        "batch_max": change.batch_max,
        "gallery_enabled": change.gallery_enabled,
        "comments_enabled": change.comments_enabled,
        "action_costs": (!change.action_costs.is_empty()).then_some(&change.action_costs),
    }))
    .map_err(crate::services::internal)?;
    let mut view = crate::services::settings::update(&s.engine, &admin, patch).await?;
    let settings = s.engine.settings().await?;
    view.task_timeout_secs = Some(s.engine.task_timeout(&settings).as_secs() as i64);
    Ok(view)
}

#[server(input = Postcard, output = Postcard)]
pub async fn test_connection(
    api_url: String,
    api_secret: String,
) -> Result<ConnectionReport, AppError> {
    let (s, _) = state_and_admin().await?;
    crate::services::connection::test(&s.engine, Some(&api_url), Some(&api_secret)).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn load_users() -> Result<Vec<AdminUser>, AppError> {
    let (s, admin) = state_and_admin().await?;
    crate::services::admin::users(&s.pool, &admin).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn grant_credits(user_id: String, delta: i64, note: String) -> Result<i64, AppError> {
    let (s, admin) = state_and_admin().await?;
    crate::services::credits::grant(&s.pool, &admin, &user_id, delta, &note).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn set_role(user_id: String, role: String) -> Result<UserView, AppError> {
    let (s, admin) = state_and_admin().await?;
    crate::services::credits::set_role(&s.pool, &s.sessions, &admin, &user_id, &role).await
}

/// One account's ledger and latest tasks, for the admin.
#[server(input = Postcard, output = Postcard)]
pub async fn load_user_activity(
    user_id: String,
) -> Result<(AdminUser, LedgerPage, HistoryPage), AppError> {
    let (s, admin) = state_and_admin().await?;
    let user = crate::services::admin::users(&s.pool, &admin)
        .await?
        .into_iter()
        .find(|u| u.id == user_id)
        .ok_or(AppError::NotFound)?;
    let (balance, entries, next_cursor) =
        crate::services::credits::entries(&s.pool, &user_id, 100, None).await?;
    let rows = crate::db::tasks::search_of_user(&s.pool, &user_id, Default::default(), 100)
        .await
        .map_err(crate::services::internal)?;
    let tasks = rows
        .iter()
        .map(|r| crate::services::generation::view(r, true))
        .collect();
    Ok((
        user,
        LedgerPage {
            balance,
            entries,
            next_cursor,
        },
        HistoryPage {
            tasks,
            next_cursor: None,
            collection: None,
        },
    ))
}

#[server(input = Postcard, output = Postcard)]
pub async fn load_overview() -> Result<Overview, AppError> {
    let (s, admin) = state_and_admin().await?;
    let mut overview = crate::services::admin::overview(&s.pool, &admin).await?;
    overview.channels = crate::services::channels::list(&s.engine, &admin).await?;
    overview.reports = crate::services::sharing::reports(&s.engine, &admin).await?;
    Ok(overview)
}

#[server(input = Postcard, output = Postcard)]
/// The user's keys, and whether they may make keys that act for other users (admins).
pub async fn list_keys() -> Result<(Vec<ApiKeyView>, bool), AppError> {
    let (s, user) = state_and_user().await?;
    let keys = crate::services::api_keys::list(&s.pool, &user).await?;
    Ok((keys, user.is_admin()))
}

#[server(input = Postcard, output = Postcard)]
pub async fn create_key(name: String, acts_for_users: bool) -> Result<NewApiKey, AppError> {
    let (s, user) = state_and_user().await?;
    crate::services::api_keys::create(&s.pool, &user, &name, acts_for_users).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn revoke_key(id: String) -> Result<(), AppError> {
    let (s, user) = state_and_user().await?;
    crate::services::api_keys::revoke(&s.pool, &s.sessions, &user, &id).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn load_channels() -> Result<Vec<ChannelView>, AppError> {
    let (s, admin) = state_and_admin().await?;
    crate::services::channels::list(&s.engine, &admin).await
}

/// Adds a channel (`id` None) or changes one. `api_secret`: None keeps the saved one.
#[server(input = Postcard, output = Postcard)]
pub async fn save_channel(id: Option<String>, form: ChannelForm) -> Result<ChannelView, AppError> {
    let (s, admin) = state_and_admin().await?;
    let patch = crate::services::channels::ChannelPatch {
        kind: id.is_none().then(|| form.kind.as_str().to_owned()),
        name: Some(form.name),
        api_url: Some(form.api_url),
        api_secret: form.api_secret,
        enabled: Some(form.enabled),
        weight: Some(form.weight),
        concurrency: Some(
            serde_json::to_value(form.concurrency).map_err(crate::services::internal)?,
        ),
        ..Default::default()
    };
    match id {
        Some(id) => crate::services::channels::update(&s.engine, &admin, &id, patch).await,
        None => crate::services::channels::create(&s.engine, &admin, patch).await,
    }
}

/// Switches a channel on or off.
#[server(input = Postcard, output = Postcard)]
pub async fn enable_channel(id: String, enabled: bool) -> Result<ChannelView, AppError> {
    let (s, admin) = state_and_admin().await?;
    let patch = crate::services::channels::ChannelPatch {
        enabled: Some(enabled),
        ..Default::default()
    };
    crate::services::channels::update(&s.engine, &admin, &id, patch).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn remove_channel(id: String) -> Result<(), AppError> {
    let (s, admin) = state_and_admin().await?;
    crate::services::channels::remove(&s.engine, &admin, &id).await
}

/// Tests a channel as saved, or with the form's URL and secret (empty: the saved ones).
#[server(input = Postcard, output = Postcard)]
pub async fn test_channel(
    id: String,
    api_url: String,
    api_secret: String,
) -> Result<ConnectionReport, AppError> {
    let (s, admin) = state_and_admin().await?;
    crate::services::channels::test(&s.engine, &admin, &id, Some(&api_url), Some(&api_secret)).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn list_invites() -> Result<Vec<InviteView>, AppError> {
    let (s, admin) = state_and_admin().await?;
    crate::services::invites::list(&s.pool, &admin).await
}

/// Makes an invite code for `max_uses` sign-ups, valid for `days`.
#[server(input = Postcard, output = Postcard)]
pub async fn create_invite(max_uses: i64, days: i64, note: String) -> Result<InviteView, AppError> {
    let (s, admin) = state_and_admin().await?;
    let req = crate::services::invites::InviteRequest {
        max_uses: Some(max_uses),
        expires_in_days: Some(days),
        note,
    };
    crate::services::invites::create(&s.pool, &admin, req).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn delete_invite(id: String) -> Result<(), AppError> {
    let (s, admin) = state_and_admin().await?;
    crate::services::invites::delete(&s.pool, &admin, &id).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn load_engines() -> Result<Vec<EngineSetup>, AppError> {
    let (s, admin) = state_and_admin().await?;
    crate::services::engines::setups(&s.engine, &admin).await
}

/// Switches an engine on or off and, for the engines with models, saves each model's switch
/// and price.
#[server(input = Postcard, output = Postcard)]
pub async fn save_engine(
    kind: EngineKind,
    on: bool,
    models: Vec<ModelChoice>,
) -> Result<(), AppError> {
    let (s, admin) = state_and_admin().await?;
    let patch = crate::services::engines::EnginePatch {
        enabled: Some(on),
        models: (!models.is_empty()).then(|| {
            models
                .into_iter()
                .map(|m| crate::services::settings::ModelPatch {
                    model: m.model,
                    cost: Some(m.cost),
                    enabled: Some(m.enabled),
                })
                .collect()
        }),
        ..Default::default()
    };
    crate::services::engines::update(&s.engine, &admin, kind, patch).await?;
    Ok(())
}
