//! Queries across all accounts, for the admin pages.

use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct UserActivity {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: crate::types::Role,
    pub balance: i64,
    pub created_at: i64,
    pub tasks: i64,
    pub last_active_at: Option<i64>,
}

pub async fn users(pool: &super::Pool) -> Result<Vec<UserActivity>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(
        "SELECT u.id, u.name, u.email, u.role, u.balance, u.created_at,
                (SELECT COUNT(*) FROM tasks t WHERE t.user_id = u.id) AS tasks,
                (SELECT MAX(a.at) FROM (
                    SELECT MAX(created_at) AS at FROM tasks t WHERE t.user_id = u.id
                    UNION ALL SELECT MAX(created_at) FROM sessions s WHERE s.user_id = u.id
                    UNION ALL SELECT u.created_at) AS a) AS last_active_at
         FROM users u ORDER BY (u.role = 'pending') DESC, u.id",
    )
    .fetch_all(conn)
    .await)
}

#[derive(Debug, Clone, FromRow)]
pub struct TaskWithUser {
    pub id: String,
    pub user_name: String,
    pub status: crate::types::TaskStatus,
    pub mode: Option<crate::types::Mode>,
    pub progress: i64,
    pub fail_reason: Option<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

pub async fn live_tasks(pool: &super::Pool, limit: i64) -> Result<Vec<TaskWithUser>, sqlx::Error> {
    super::on!(pool, |conn| {
        sqlx::query_as(
        "SELECT t.id, u.name AS user_name, t.status, t.mode, t.progress, COALESCE(t.fail_detail, t.fail_reason) AS fail_reason, t.created_at, t.finished_at
         FROM tasks t JOIN users u ON u.id = t.user_id
         WHERE t.status IN ('queued', 'submitted', 'in_progress', 'needs_input') ORDER BY t.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await
    })
}

pub async fn failures_since(
    pool: &super::Pool,
    since: i64,
    limit: i64,
) -> Result<Vec<TaskWithUser>, sqlx::Error> {
    super::on!(pool, |conn| {
        sqlx::query_as(
        "SELECT t.id, u.name AS user_name, t.status, t.mode, t.progress, COALESCE(t.fail_detail, t.fail_reason) AS fail_reason, t.created_at, t.finished_at
         FROM tasks t JOIN users u ON u.id = t.user_id
         WHERE t.status = 'failed' AND t.finished_at >= $1 ORDER BY t.finished_at DESC LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(conn)
    .await
    })
}

/// (day number since the epoch, credits spent net of refunds) from `since` on.
pub async fn spent_per_day(pool: &super::Pool, since: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    super::on!(pool, |conn| {
        sqlx::query_as(
        "SELECT created_at / 86400000 AS day, CAST(-SUM(delta) AS BIGINT) AS spent FROM credit_entries
         WHERE reason IN ('charge', 'refund') AND created_at >= $1 GROUP BY day ORDER BY day",
    )
    .bind(since)
    .fetch_all(conn)
    .await
    })
}

/// Tasks by engine, channel and status: (engine, channel, status, count).
pub async fn task_counts(
    pool: &super::Pool,
) -> Result<
    Vec<(
        crate::types::EngineKind,
        Option<String>,
        crate::types::TaskStatus,
        i64,
    )>,
    sqlx::Error,
> {
    super::on!(pool, |conn| sqlx::query_as(
        "SELECT engine, channel_id, status, COUNT(*) FROM tasks
         GROUP BY engine, channel_id, status ORDER BY engine, channel_id, status",
    )
    .fetch_all(conn)
    .await)
}

/// The ledger by reason: (reason, entries, sum of their deltas).
pub async fn ledger_totals(pool: &super::Pool) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(
        "SELECT reason, COUNT(*), CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM credit_entries
         GROUP BY reason ORDER BY reason",
    )
    .fetch_all(conn)
    .await)
}
