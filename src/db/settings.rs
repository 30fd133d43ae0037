//! Admin-edited settings as key/value rows.

pub async fn get(pool: &super::Pool, key: &str) -> Result<Option<String>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_scalar(
        "SELECT value FROM settings WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(conn)
    .await)
}

/// The value of `key`, read inside `tx` so that nobody else changes it until `tx` ends: on
/// PostgreSQL the row is locked (made first if missing, so that two first writes queue up too);
/// SQLite's write transaction already excludes every other writer.
pub async fn get_locked(tx: &mut super::Tx<'_>, key: &str) -> Result<Option<String>, sqlx::Error> {
    if let super::Tx::Postgres(t) = tx {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, '') ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .execute(&mut **t)
        .await?;
        let value: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1 FOR UPDATE")
                .bind(key)
                .fetch_optional(&mut **t)
                .await?;
        // The placeholder row reads as no value (the transaction writes or rolls back).
        return Ok(value.filter(|v| !v.is_empty()));
    }
    super::on_tx!(tx, |conn| sqlx::query_scalar(
        "SELECT value FROM settings WHERE key = $1"
    )
    .bind(key)
    .fetch_optional(conn)
    .await)
}

pub async fn set(pool: &super::Pool, key: &str, value: &str) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_in(tx: &mut super::Tx<'_>, key: &str, value: &str) -> Result<(), sqlx::Error> {
    super::on_tx!(tx, |conn| sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn delete_in(tx: &mut super::Tx<'_>, key: &str) -> Result<(), sqlx::Error> {
    super::on_tx!(tx, |conn| sqlx::query(
        "DELETE FROM settings WHERE key = $1"
    )
    .bind(key)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
