//! The audit log of admin actions.

use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub id: String,
    pub actor_name: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: String,
    pub created_at: i64,
}

/// Written in the transaction of the change it records: both or neither.
pub async fn insert(
    tx: &mut super::Tx<'_>,
    actor_id: &str,
    action: &str,
    target: Option<&str>,
    detail: &str,
) -> Result<(), sqlx::Error> {
    super::on_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO audit_log (id, actor_id, action, target, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(super::new_id())
    .bind(actor_id)
    .bind(action)
    .bind(target)
    .bind(detail)
    .bind(super::now_ms())
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn latest(pool: &super::Pool, limit: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(
        "SELECT a.id, u.name AS actor_name, a.action, a.target, a.detail, a.created_at
         FROM audit_log a JOIN users u ON u.id = a.actor_id ORDER BY a.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await)
}
