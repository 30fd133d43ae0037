//! Channels: the configured upstreams of each engine, with their health.

use crate::types::{Concurrency, EngineKind, HealthState};
use sqlx::{FromRow, types::Json};

#[derive(Debug, Clone, FromRow)]
pub struct ChannelRow {
    pub id: String,
    pub kind: EngineKind,
    pub name: String,
    pub api_url: String,
    /// Sealed; see `services::settings::SecretBox`.
    pub secret: Option<String>,
    pub enabled: bool,
    pub weight: i64,
    pub concurrency: Json<Concurrency>,
    pub health: HealthState,
    pub errors: i64,
    pub last_error: Option<String>,
    pub health_since: i64,
    pub down_until: i64,
    pub position: i64,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
    /// What a Stable Diffusion box offers, as last read (empty until then, and for the others).
    pub catalog: Json<crate::engines::sd_webui::Catalog>,
}

macro_rules! columns {
    () => {
        "id, kind, name, api_url, secret, enabled, weight, concurrency, health, errors, last_error,
         health_since, down_until, position, created_at, deleted_at, catalog"
    };
}

/// Every channel not removed, in the admin's order.
pub async fn list(pool: &super::Pool) -> Result<Vec<ChannelRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM channels WHERE deleted_at IS NULL ORDER BY position, id"
    ))
    .fetch_all(conn)
    .await)
}

/// A channel by id, removed ones included (their live tasks still finish there).
pub async fn get(pool: &super::Pool, id: &str) -> Result<Option<ChannelRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM channels WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
}

/// The channel `id`, read inside `tx` and kept from other writers until it ends (its row locked
/// on PostgreSQL; SQLite's write transaction already excludes every other writer).
pub async fn get_locked(
    tx: &mut super::Tx<'_>,
    id: &str,
) -> Result<Option<ChannelRow>, sqlx::Error> {
    let sql = if tx.is_postgres() {
        concat!(
            "SELECT ",
            columns!(),
            " FROM channels WHERE id = $1 FOR UPDATE"
        )
    } else {
        concat!("SELECT ", columns!(), " FROM channels WHERE id = $1")
    };
    super::on_tx!(tx, |conn| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(conn)
        .await)
}

/// The channels a worker talks to: every one not removed, and removed ones that still have live
/// tasks.
pub async fn in_use(pool: &super::Pool) -> Result<Vec<ChannelRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM channels c WHERE deleted_at IS NULL
            OR EXISTS (SELECT 1 FROM tasks t WHERE t.channel_id = c.id
                       AND t.status IN ('submitted', 'in_progress', 'needs_input'))
         ORDER BY position, id"
    ))
    .fetch_all(conn)
    .await)
}

pub struct NewChannel<'a> {
    pub id: &'a str,
    pub kind: EngineKind,
    pub name: &'a str,
    pub api_url: &'a str,
    pub secret: Option<&'a str>,
    pub enabled: bool,
    pub weight: i64,
    pub concurrency: Concurrency,
}

pub async fn insert(
    tx: &mut super::Tx<'_>,
    c: &NewChannel<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    super::on_tx!(tx, |conn| sqlx::query(
        "INSERT INTO channels (id, kind, name, api_url, secret, enabled, weight, concurrency,
                               health_since, position, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
                 (SELECT COALESCE(MAX(position), 0) + 1 FROM channels), $9)",
    )
    .bind(c.id)
    .bind(c.kind)
    .bind(c.name)
    .bind(c.api_url)
    .bind(c.secret)
    .bind(c.enabled)
    .bind(c.weight)
    .bind(Json(c.concurrency))
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Writes the admin-editable fields as they are in `c` (the caller read and changed it). A new
/// URL or secret gives the channel a fresh start: health ok.
pub async fn update(
    tx: &mut super::Tx<'_>,
    c: &ChannelRow,
    reset_health: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = super::on_tx!(tx, |conn| sqlx::query(
        "UPDATE channels SET name = $2, api_url = $3, secret = $4, enabled = $5, weight = $6,
                concurrency = $7,
                health = CASE WHEN $8 THEN 'ok' ELSE health END,
                errors = CASE WHEN $8 THEN 0 ELSE errors END,
                last_error = CASE WHEN $8 THEN NULL ELSE last_error END,
                down_until = CASE WHEN $8 THEN 0 ELSE down_until END,
                health_since = CASE WHEN $8 AND health <> 'ok' THEN $9 ELSE health_since END
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(&c.id)
    .bind(&c.name)
    .bind(&c.api_url)
    .bind(&c.secret)
    .bind(c.enabled)
    .bind(c.weight)
    .bind(c.concurrency)
    .bind(reset_health)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r == 1)
}

/// Keeps what a channel's upstream offers, as just read.
pub async fn set_catalog(
    pool: &super::Pool,
    id: &str,
    catalog: &crate::engines::sd_webui::Catalog,
) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "UPDATE channels SET catalog = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(Json(catalog))
    .execute(conn)
    .await
    .map(|_| ()))
}

/// Removes a channel: it takes no new tasks; queued tasks waiting for it go elsewhere.
pub async fn remove(tx: &mut super::Tx<'_>, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let r = super::on_tx!(tx, |conn| sqlx::query(
        "UPDATE channels SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(r == 1)
}

/// Faults in a row that make a channel `failing`, and then `down`.
pub const FAILING_AFTER: i64 = 1;
pub const DOWN_AFTER: i64 = 3;

/// Counts a fault of the channel (not of a task): `failing` at once, `down` after
/// [`DOWN_AFTER`] in a row (at once when `lasting`: a refused key does not mend itself), for a
/// back-off that doubles with each further fault (from `base_ms`, at most `max_ms`). Answers the
/// new state.
pub async fn record_fault(
    pool: &super::Pool,
    id: &str,
    error: &str,
    now: i64,
    (base_ms, max_ms): (i64, i64),
    lasting: bool,
) -> Result<Option<HealthState>, sqlx::Error> {
    // The faults in a row after this one.
    macro_rules! next {
        () => {
            "(CASE WHEN errors + 1 > $7 THEN errors + 1 ELSE $7 END)"
        };
    }
    // All rows fetched (see `super::sharing::set_share`): the fault is committed on return.
    let health: Vec<HealthState> = super::on!(pool, |conn| {
        sqlx::query_scalar(concat!(
            "UPDATE channels SET
            errors = ",
            next!(),
            ",
            last_error = $2,
            health = CASE WHEN ",
            next!(),
            " >= $4 THEN 'down' ELSE 'failing' END,
            health_since = CASE
                WHEN (CASE WHEN ",
            next!(),
            " >= $4 THEN 'down' ELSE 'failing' END) <> health THEN $3
                ELSE health_since END,
            down_until = CASE WHEN ",
            next!(),
            " >= $4
                THEN $3 + (SELECT CASE WHEN b > $6 THEN $6 ELSE b END FROM (
                    SELECT $5 << CAST(CASE WHEN ",
            next!(),
            " - $4 > 20 THEN 20 ELSE ",
            next!(),
            " - $4 END
                                      AS INTEGER) AS b) AS backoff)
                ELSE down_until END
         WHERE id = $1 RETURNING health"
        ))
        .bind(id)
        .bind(error)
        .bind(now)
        .bind(DOWN_AFTER)
        .bind(base_ms)
        .bind(max_ms)
        .bind(if lasting { DOWN_AFTER } else { 0 })
        .fetch_all(conn)
        .await
    })?;
    Ok(health.into_iter().next())
}

/// A call that worked: the channel is `ok` again.
pub async fn record_success(pool: &super::Pool, id: &str, now: i64) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "UPDATE channels SET errors = 0, health = 'ok', down_until = 0,
                health_since = CASE WHEN health <> 'ok' THEN $2 ELSE health_since END
         WHERE id = $1 AND (errors <> 0 OR health <> 'ok')",
    )
    .bind(id)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Tasks each channel has running (or claimed) now, per mode: (channel, mode, count).
pub async fn load(
    pool: &super::Pool,
    now: i64,
) -> Result<Vec<(String, Option<crate::types::Mode>, i64)>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(
        "SELECT channel_id, mode, COUNT(*) FROM tasks
         WHERE status IN ('queued', 'submitted', 'in_progress', 'needs_input')
           AND channel_id IS NOT NULL
           AND (status <> 'queued' OR lease_until > $1)
         GROUP BY channel_id, mode",
    )
    .bind(now)
    .fetch_all(conn)
    .await)
}
