//! `atelier copy`: moves an SQLite installation (its database and its images) into PostgreSQL
//! and an image store (S3), for an installation that grows into several instances. Every row of
//! every table is copied as it is, in one transaction, and every image file the database holds;
//! the target must be new (no account, no task), and it gets the same ids, hashes, balances and
//! ledger, so that people sign in with the same passwords and every link keeps working.

use crate::{db, images::ImageStore, services::settings::SecretBox};
use anyhow::Context;
use sqlx::Row;

/// How a column is read and written.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Int,
    Bool,
    Json,
}

use Kind::{Bool, Int, Json, Text};

/// The tables in an order that satisfies their references (a task's parent is older than it,
/// and ids are time-ordered), with their columns. Leases and log-in attempts are not carried
/// over: they describe running processes.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "users",
        &[
            ("id", Text),
            ("name", Text),
            ("email", Text),
            ("password_hash", Text),
            ("role", Text),
            ("balance", Int),
            ("created_at", Int),
            ("last_seen_at", Int),
            ("signup_credits_due", Bool),
            ("allows_apps", Bool),
        ],
    ),
    (
        "sessions",
        &[
            ("token_hash", Text),
            ("user_id", Text),
            ("created_at", Int),
            ("expires_at", Int),
            ("id", Text),
            ("last_seen_at", Int),
            ("user_agent", Text),
            ("client", Text),
        ],
    ),
    (
        "invites",
        &[
            ("id", Text),
            ("code", Text),
            ("note", Text),
            ("max_uses", Int),
            ("uses", Int),
            ("expires_at", Int),
            ("created_by", Text),
            ("created_at", Int),
        ],
    ),
    (
        "credit_entries",
        &[
            ("id", Text),
            ("user_id", Text),
            ("delta", Int),
            ("reason", Text),
            ("task_id", Text),
            ("note", Text),
            ("created_at", Int),
        ],
    ),
    ("settings", &[("key", Text), ("value", Text)]),
    (
        "api_keys",
        &[
            ("id", Text),
            ("user_id", Text),
            ("name", Text),
            ("prefix", Text),
            ("key_hash", Text),
            ("created_at", Int),
            ("last_used_at", Int),
            ("acts_for_users", Bool),
        ],
    ),
    (
        "audit_log",
        &[
            ("id", Text),
            ("actor_id", Text),
            ("action", Text),
            ("target", Text),
            ("detail", Text),
            ("created_at", Int),
        ],
    ),
    (
        "channels",
        &[
            ("id", Text),
            ("kind", Text),
            ("name", Text),
            ("api_url", Text),
            ("secret", Text),
            ("enabled", Bool),
            ("weight", Int),
            ("concurrency", Json),
            ("health", Text),
            ("errors", Int),
            ("last_error", Text),
            ("health_since", Int),
            ("down_until", Int),
            ("position", Int),
            ("created_at", Int),
            ("deleted_at", Int),
            ("catalog", Json),
        ],
    ),
    (
        "tasks",
        &[
            ("id", Text),
            ("user_id", Text),
            ("parent_id", Text),
            ("engine", Text),
            ("action", Text),
            ("custom_id", Text),
            ("mode", Text),
            ("model", Text),
            ("prompt", Text),
            ("params", Json),
            ("status", Text),
            ("progress", Int),
            ("cost", Int),
            ("channel_id", Text),
            ("attempt", Text),
            ("lease_until", Int),
            ("modal_step", Int),
            ("upstream_id", Text),
            ("fail_reason", Text),
            ("buttons", Json),
            ("outputs", Json),
            ("text", Text),
            ("preview_key", Text),
            ("preview_url", Text),
            ("final_url", Text),
            ("created_at", Int),
            ("started_at", Int),
            ("finished_at", Int),
            ("touched_at", Int),
            ("retry_at", Int),
            ("misses", Int),
            ("fail_detail", Text),
            ("refunded", Int),
            ("inputs", Json),
            ("batch_id", Text),
            ("favorite_at", Int),
            ("share_token", Text),
            ("published_at", Int),
            ("hidden_at", Int),
            ("like_count", Int),
        ],
    ),
    (
        "uploads",
        &[
            ("id", Text),
            ("user_id", Text),
            ("key", Text),
            ("content_type", Text),
            ("width", Int),
            ("height", Int),
            ("bytes", Int),
            ("created_at", Int),
        ],
    ),
    (
        "blobs",
        &[("key", Text), ("refs", Int), ("zero_since", Int)],
    ),
    (
        "collections",
        &[
            ("id", Text),
            ("user_id", Text),
            ("name", Text),
            ("description", Text),
            ("cover_task_id", Text),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    ),
    (
        "collection_tasks",
        &[
            ("collection_id", Text),
            ("task_id", Text),
            ("added_at", Int),
        ],
    ),
    (
        "templates",
        &[
            ("id", Text),
            ("user_id", Text),
            ("name", Text),
            ("prompt", Text),
            ("engine", Text),
            ("mode", Text),
            ("model", Text),
            ("params", Json),
            ("shared", Bool),
            ("created_at", Int),
            ("updated_at", Int),
        ],
    ),
    (
        "task_likes",
        &[("task_id", Text), ("user_id", Text), ("created_at", Int)],
    ),
    (
        "comments",
        &[
            ("id", Text),
            ("task_id", Text),
            ("user_id", Text),
            ("body", Text),
            ("created_at", Int),
            ("hidden_at", Int),
        ],
    ),
    (
        "reports",
        &[
            ("id", Text),
            ("task_id", Text),
            ("comment_id", Text),
            ("user_id", Text),
            ("reason", Text),
            ("created_at", Int),
            ("resolved_at", Int),
        ],
    ),
];

/// What was copied.
#[derive(Debug, Default)]
pub struct Report {
    /// Rows per table, in [`TABLES`] order.
    pub rows: Vec<(&'static str, u64)>,
    /// Image files copied.
    pub files: u64,
    /// Files the database names that the source store no longer has (a sweep's leftovers).
    pub missing_files: u64,
}

enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(bool),
    Json(serde_json::Value),
}

/// One side of a copy: the database, its images, and the key its channels' secrets are sealed
/// with.
pub struct Side<'a> {
    pub pool: &'a db::Pool,
    pub images: &'a ImageStore,
    pub secrets: &'a SecretBox,
}

/// Copies `from` (SQLite) into `to` (PostgreSQL, migrated here). Channel secrets are sealed
/// again with the target's key (the instances' `ATELIER_SECRET_KEY`).
pub async fn copy(from: Side<'_>, to: Side<'_>) -> anyhow::Result<Report> {
    let (db::Pool::Sqlite(source), db::Pool::Postgres(target)) = (from.pool, to.pool) else {
        anyhow::bail!("atelier copy moves an SQLite installation into PostgreSQL");
    };
    db::migrate(to.pool).await?;
    let taken: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM tasks)")
            .fetch_one(target)
            .await?;
    anyhow::ensure!(
        taken == 0,
        "the target database already has accounts or tasks: copy only into a new one"
    );
    let mut report = Report::default();
    let mut tx = target.begin().await?;
    // What a new database holds before anyone uses it (the built-in channel, the starter
    // templates), replaced by the installation's own.
    for table in [
        "blobs",
        "channels",
        "settings",
        "leases",
        "attempts",
        "templates",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
    }
    for (table, columns) in TABLES {
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        let select = format!("SELECT {} FROM {table} ORDER BY 1", names.join(", "));
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
        let insert = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            placeholders.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(select))
            .fetch_all(source)
            .await
            .with_context(|| format!("reading {table}"))?;
        for row in &rows {
            let mut values = Vec::with_capacity(columns.len());
            for (i, (name, kind)) in columns.iter().enumerate() {
                let v = match kind {
                    Text if *table == "channels" && *name == "secret" => {
                        let sealed: Option<String> = row.try_get(i)?;
                        Value::Text(match sealed {
                            Some(s) => Some(
                                to.secrets
                                    .seal(&from.secrets.unseal(&s).with_context(|| {
                                        "a channel's secret cannot be read with this \
                                         installation's key (ATELIER_SECRET_KEY or secret.key)"
                                    })?)
                                    .map_err(|e| anyhow::anyhow!("sealing a secret: {e:?}"))?,
                            ),
                            None => None,
                        })
                    }
                    Text => Value::Text(row.try_get(i)?),
                    Int => Value::Int(row.try_get(i)?),
                    Bool => Value::Bool(row.try_get(i)?),
                    Json => {
                        let text: String = row.try_get(i)?;
                        Value::Json(
                            serde_json::from_str(&text)
                                .with_context(|| format!("{table}.{name} is not JSON"))?,
                        )
                    }
                };
                values.push(v);
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(insert.clone()));
            for v in values {
                q = match v {
                    Value::Text(t) => q.bind(t),
                    Value::Int(n) => q.bind(n),
                    Value::Bool(b) => q.bind(b),
                    Value::Json(j) => q.bind(sqlx::types::Json(j)),
                };
            }
            q.execute(&mut *tx)
                .await
                .with_context(|| format!("writing {table}"))?;
        }
        report.rows.push((table, rows.len() as u64));
    }
    // The files first, the rows' commit last: an interrupted copy leaves a database with no
    // account in it, which the next attempt may copy into again.
    let keys: Vec<String> = sqlx::query_scalar("SELECT key FROM blobs ORDER BY key")
        .fetch_all(source)
        .await?;
    for key in keys {
        match from.images.bytes(&key).await? {
            Some(bytes) => {
                let stored = to.images.put(bytes).await?;
                anyhow::ensure!(stored == key, "the file {key} did not arrive whole");
                report.files += 1;
            }
            None => report.missing_files += 1,
        }
    }
    tx.commit().await?;
    Ok(report)
}
