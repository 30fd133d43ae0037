//! Per-user API keys for scripts: shown once, stored hashed, revoked at once.

use crate::db::Pool;
use crate::{
    auth::{CurrentUser, token},
    db,
    error::AppError,
};

pub use crate::types::{ApiKeyView as KeyView, NewApiKey as NewKey};

pub async fn create(pool: &Pool, user: &CurrentUser, name: &str) -> Result<NewKey, AppError> {
    let name = super::required_text("name", name, crate::limits::NAME_MAX_CHARS)?;
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
        db::now_ms(),
        crate::limits::KEYS_PER_ACCOUNT,
    )
    .await
    .map_err(super::internal)?;
    if !made {
        return Err(AppError::Conflict(crate::error::Conflict::TooManyKeys));
    }
    tracing::info!(user_id = %user.id, key_id = %id, "API key created");
    Ok(NewKey {
        id,
        name: name.to_owned(),
        key,
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
