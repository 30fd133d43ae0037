//! What the admin pages show: accounts with their activity, and the overview.

use crate::db::Pool;
use crate::{
    auth::CurrentUser,
    db,
    error::AppError,
    services::generation::rfc3339,
    types::{AdminUser, AuditEntry, FailureRow, LiveTaskRow, Overview},
};

pub async fn users(pool: &Pool, admin: &CurrentUser) -> Result<Vec<AdminUser>, AppError> {
    admin.require_admin()?;
    let rows = db::admin::users(pool).await.map_err(super::internal)?;
    Ok(rows
        .into_iter()
        .map(|r| AdminUser {
            role: r.role,
            id: r.id,
            name: r.name,
            email: r.email,
            balance: r.balance,
            created_at: rfc3339(r.created_at),
            tasks: r.tasks,
            last_active_at: r.last_active_at.map(rfc3339),
        })
        .collect())
}

pub async fn overview(pool: &Pool, admin: &CurrentUser) -> Result<Overview, AppError> {
    admin.require_admin()?;
    let now = db::now_ms();
    let live = db::admin::live_tasks(pool, 200)
        .await
        .map_err(super::internal)?
        .into_iter()
        .map(|r| LiveTaskRow {
            status: r.status,
            mode: r.mode,
            progress: r.progress.clamp(0, 100) as u8,
            age_secs: (now - r.created_at) / 1000,
            id: r.id,
            user_name: r.user_name,
        })
        .collect();
    let failures = db::admin::failures_since(pool, now - 24 * 3600 * 1000, 100)
        .await
        .map_err(super::internal)?
        .into_iter()
        .map(|r| FailureRow {
            id: r.id,
            user_name: r.user_name,
            reason: r.fail_reason.unwrap_or_default(),
            at: rfc3339(r.finished_at.unwrap_or(r.created_at)),
        })
        .collect();
    const DAY: i64 = 24 * 3600 * 1000;
    let today = now - now.rem_euclid(DAY);
    let first = today - 13 * DAY;
    let spent = db::admin::spent_per_day(pool, first)
        .await
        .map_err(super::internal)?;
    let spent_per_day = (0..14)
        .map(|i| {
            let day = first + i * DAY;
            let total = spent
                .iter()
                .find(|(d, _)| *d == day / DAY)
                .map_or(0, |(_, v)| *v);
            (rfc3339(day)[..10].to_owned(), total)
        })
        .collect();
    let audit = db::audit::latest(pool, 50)
        .await
        .map_err(super::internal)?
        .into_iter()
        .map(|a| AuditEntry {
            actor: a.actor_name,
            action: a.action,
            target: a.target,
            detail: a.detail,
            at: rfc3339(a.created_at),
        })
        .collect();
    Ok(Overview {
        live,
        failures,
        spent_per_day,
        audit,
        channels: Vec::new(),
        reports: Vec::new(),
    })
}
