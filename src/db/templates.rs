//! Prompt templates: a user's own, and the shared ones (user_id NULL: a starter preset).

use crate::types::{EngineKind, Mode, TaskParams};
use sqlx::{FromRow, types::Json};

#[derive(Debug, Clone, FromRow)]
pub struct TemplateRow {
    pub id: String,
    pub user_id: Option<String>,
    pub name: String,
    pub prompt: String,
    pub engine: Option<EngineKind>,
    pub mode: Option<Mode>,
    pub model: Option<String>,
    pub params: Json<TaskParams>,
    pub shared: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

macro_rules! columns {
    () => {
        "id, user_id, name, prompt, engine, mode, model, params, shared, created_at, updated_at"
    };
}

/// The user's templates (the one changed last first), then the shared ones by name.
pub async fn visible_to(
    pool: &super::Pool,
    user_id: &str,
) -> Result<Vec<TemplateRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM templates WHERE user_id = $1 OR shared
          ORDER BY shared, CASE WHEN shared THEN 0 ELSE updated_at END DESC, name, id"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await)
}

pub async fn get(pool: &super::Pool, id: &str) -> Result<Option<TemplateRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM templates WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
}

/// Inserts a template unless its owner has `max` of their own (false then); the account's row
/// is locked first, so templates made at once are counted one by one.
pub async fn insert(pool: &super::Pool, t: &TemplateRow, max: i64) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin_write().await?;
    if let Some(user) = &t.user_id {
        super::users::lock(&mut tx, user).await?;
    }
    let n = super::on_tx!(&mut tx, |conn| sqlx::query(
        "INSERT INTO templates (id, user_id, name, prompt, engine, mode, model, params, shared,
                                created_at, updated_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10
         WHERE (SELECT COUNT(*) FROM templates WHERE user_id = $2) < $11"
    )
    .bind(&t.id)
    .bind(&t.user_id)
    .bind(&t.name)
    .bind(&t.prompt)
    .bind(t.engine)
    .bind(t.mode)
    .bind(&t.model)
    .bind(&t.params)
    .bind(t.shared)
    .bind(t.created_at)
    .bind(max)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    tx.commit().await?;
    Ok(n == 1)
}

/// Writes a template's fields as they are in `t` (found by its id).
pub async fn update(pool: &super::Pool, t: &TemplateRow) -> Result<bool, sqlx::Error> {
    let n = super::on!(pool, |conn| sqlx::query(
        "UPDATE templates SET name = $2, prompt = $3, engine = $4, mode = $5, model = $6,
                              params = $7, shared = $8, updated_at = $9
         WHERE id = $1"
    )
    .bind(&t.id)
    .bind(&t.name)
    .bind(&t.prompt)
    .bind(t.engine)
    .bind(t.mode)
    .bind(&t.model)
    .bind(&t.params)
    .bind(t.shared)
    .bind(t.updated_at)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn delete(pool: &super::Pool, id: &str) -> Result<bool, sqlx::Error> {
    let n = super::on!(pool, |conn| sqlx::query(
        "DELETE FROM templates WHERE id = $1"
    )
    .bind(id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The user's latest prompts of new pictures, each once, newest first (from their last 200
/// tasks: a bounded read however long the history).
pub async fn recent_prompts(
    pool: &super::Pool,
    user_id: &str,
    max: usize,
) -> Result<Vec<String>, sqlx::Error> {
    let prompts: Vec<String> = super::on!(pool, |conn| sqlx::query_scalar(
        "SELECT prompt FROM tasks WHERE user_id = $1 AND action = 'imagine' AND prompt <> ''
          ORDER BY id DESC LIMIT 200"
    )
    .bind(user_id)
    .fetch_all(conn)
    .await)?;
    let mut seen = std::collections::HashSet::new();
    Ok(prompts
        .into_iter()
        .filter(|p| seen.insert(p.clone()))
        .take(max)
        .collect())
}
