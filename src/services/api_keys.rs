//! Per-user API keys for scripts: shown once, stored hashed, revoked at once.

use crate::db::Pool;
use crate::{
    auth::{CurrentUser, token},
    db,
    error::AppError,
};

pub use crate::types::{ApiKeyView as KeyView, NewApiKey as NewKey};

/// A new key of `user`. One that acts for other users (Open WebUI's, on `/v1`) is an admin's.
pub async fn create(
    pool: &Pool,
    user: &CurrentUser,
    name: &str,
    acts_for_users: bool,
) -> Result<NewKey, AppError> {
    super::accounts::session_only(user)?;
    let name = super::required_text("name", name, crate::limits::NAME_MAX_CHARS)?;
    if acts_for_users && !user.is_admin() {
        return Err(AppError::Forbidden(
            "Only administrators make keys that act for other users.".into(),
        ));
    }
    let key = format!("{}{}", token::API_KEY_PREFIX, token::generate());
    let prefix: String = key.chars().take(token::API_KEY_PREFIX.len() + 6).collect();
    let id = db::new_id();
    let made = db::api_keys::insert(
        pool,
        &id,
        &user.id,
        name,
        &prefix,
        &token::hash(&key),
        acts_for_users,
        db::now_ms(),
        crate::limits::KEYS_PER_ACCOUNT,
    )
    .await
    .map_err(super::internal)?;
    if !made {
        return Err(AppError::Conflict(crate::error::Conflict::TooManyKeys));
    }
    tracing::info!(user_id = %user.id, key_id = %id, acts_for_users, "API key created");
    Ok(NewKey {
        id,
        name: name.to_owned(),
        key,
        acts_for_users,
    })
}

pub async fn list(pool: &Pool, user: &CurrentUser) -> Result<Vec<KeyView>, AppError> {
    let rows = db::api_keys::list_of_user(pool, &user.id)
        .await
        .map_err(super::internal)?;
    Ok(rows
        .into_iter()
        .map(|r| KeyView {
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            created_at: super::generation::rfc3339(r.created_at),
            last_used_at: r.last_used_at.map(super::generation::rfc3339),
            acts_for_users: r.acts_for_users,
        })
        .collect())
}

pub async fn revoke(
    pool: &Pool,
    sessions: &crate::auth::SessionCache,
    user: &CurrentUser,
    id: &str,
) -> Result<(), AppError> {
    if !db::api_keys::delete(pool, &user.id, id)
        .await
        .map_err(super::internal)?
    {
        return Err(AppError::NotFound);
    }
    sessions.forget_user(&user.id);
    tracing::info!(user_id = %user.id, key_id = %id, "API key revoked");
    Ok(())
}
