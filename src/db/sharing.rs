//! Sharing: share links, the public gallery, its likes and comments, and what users reported.

use super::tasks::TaskRow;
use sqlx::FromRow;

/// A task where others see it (a share link, the gallery), with its author's display name.
#[derive(Debug, Clone, FromRow)]
pub struct PublicRow {
    #[sqlx(flatten)]
    pub task: TaskRow,
    pub author: String,
    pub comment_count: i64,
    /// Whether the viewer liked it (false when nobody is signed in).
    pub liked: bool,
}

/// The columns of [`PublicRow`] on `tasks` as `t`, the viewer's id bound as `$1` (or NULL).
macro_rules! public_select {
    () => {
        concat!(
            // Every column of the task (its row reads those it knows by name).
            "SELECT t.*, u.name AS author,
              (SELECT COUNT(*) FROM comments c WHERE c.task_id = t.id AND c.hidden_at IS NULL)
                AS comment_count,
              EXISTS (SELECT 1 FROM task_likes l WHERE l.task_id = t.id AND l.user_id = $1)
                AS liked
             FROM tasks t JOIN users u ON u.id = t.user_id "
        )
    };
}

/// Sets or clears the share token of one of the user's tasks; a task already shared keeps its
/// token. The token it has now, or None when the task is not the user's.
pub async fn set_share(
    pool: &super::Pool,
    id: &str,
    user_id: &str,
    token: Option<&str>,
) -> Result<Option<Option<String>>, sqlx::Error> {
    // All rows fetched: SQLite commits an UPDATE ... RETURNING when the statement has run to
    // its end, and a caller must find the change committed when this returns.
    let rows: Vec<Option<String>> = super::on!(pool, |conn| sqlx::query_scalar(
        "UPDATE tasks SET share_token = CASE WHEN $3 IS NULL THEN NULL
                                             ELSE COALESCE(share_token, $3) END
         WHERE id = $1 AND user_id = $2 RETURNING share_token"
    )
    .bind(id)
    .bind(user_id)
    .bind(token)
    .fetch_all(conn)
    .await)?;
    Ok(rows.into_iter().next())
}

/// Lists or unlists a task on the gallery (`user_id` None: anyone's, as an admin). False when
/// there is no such task.
pub async fn set_published(
    pool: &super::Pool,
    id: &str,
    user_id: Option<&str>,
    at: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let n = super::on!(pool, |conn| sqlx::query(
        "UPDATE tasks SET published_at = CASE WHEN $3 IS NULL THEN NULL
                                              ELSE COALESCE(published_at, $3) END
         WHERE id = $1 AND ($2 IS NULL OR user_id = $2)"
    )
    .bind(id)
    .bind(user_id)
    .bind(at)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// An admin hides a task from every public place (or shows it again); its open reports are
/// dealt with. False when there is no such task.
pub async fn set_task_hidden(
    tx: &mut super::Tx<'_>,
    id: &str,
    at: Option<i64>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let n = super::on_tx!(tx, |conn| sqlx::query(
        "UPDATE tasks SET hidden_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(at)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    if at.is_some() {
        resolve(tx, id, None, now).await?;
    }
    Ok(n == 1)
}

/// The task a share link shows, unless it stopped being shown.
pub async fn by_share_token(
    pool: &super::Pool,
    token: &str,
    viewer: Option<&str>,
) -> Result<Option<PublicRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        public_select!(),
        "WHERE t.share_token = $2 AND t.hidden_at IS NULL AND t.status = 'succeeded'"
    ))
    .bind(viewer)
    .bind(token)
    .fetch_optional(conn)
    .await)
}

/// A task of the gallery (published, not hidden).
pub async fn published(
    pool: &super::Pool,
    id: &str,
    viewer: Option<&str>,
) -> Result<Option<PublicRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        public_select!(),
        "WHERE t.id = $2 AND t.published_at IS NOT NULL AND t.hidden_at IS NULL
           AND t.status = 'succeeded'"
    ))
    .bind(viewer)
    .bind(id)
    .fetch_optional(conn)
    .await)
}

/// How the gallery is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GalleryOrder {
    Newest,
    MostLiked,
}

/// A page of the gallery: `limit` pictures after the first `offset`.
pub async fn gallery(
    pool: &super::Pool,
    order: GalleryOrder,
    viewer: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<PublicRow>, sqlx::Error> {
    macro_rules! page {
        ($order:literal) => {
            concat!(
                public_select!(),
                "WHERE t.published_at IS NOT NULL AND t.hidden_at IS NULL
                   AND t.status = 'succeeded'
                 ORDER BY ",
                $order,
                " LIMIT $2 OFFSET $3"
            )
        };
    }
    let sql = match order {
        GalleryOrder::Newest => page!("t.published_at DESC, t.id DESC"),
        GalleryOrder::MostLiked => page!("t.like_count DESC, t.published_at DESC, t.id DESC"),
    };
    super::on!(pool, |conn| sqlx::query_as(sql)
        .bind(viewer)
        .bind(limit)
        .bind(offset)
        .fetch_all(conn)
        .await)
}

/// Likes (or unlikes) a task; its count follows in the same transaction. False when the like
/// was already there (or not).
pub async fn set_like(
    pool: &super::Pool,
    task_id: &str,
    user_id: &str,
    on: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin_write().await?;
    let changed = super::on_tx!(&mut tx, |conn| {
        if on {
            sqlx::query(
                "INSERT INTO task_likes (task_id, user_id, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
            )
            .bind(task_id)
            .bind(user_id)
            .bind(now)
            .execute(conn)
            .await
        } else {
            sqlx::query("DELETE FROM task_likes WHERE task_id = $1 AND user_id = $2")
                .bind(task_id)
                .bind(user_id)
                .execute(conn)
                .await
        }
        .map(|r| r.rows_affected())
    })? == 1;
    if changed {
        super::on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE tasks SET like_count = like_count + $2 WHERE id = $1"
        )
        .bind(task_id)
        .bind(if on { 1i64 } else { -1 })
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(changed)
}

#[derive(Debug, Clone, FromRow)]
pub struct CommentRow {
    pub id: String,
    pub task_id: String,
    pub user_id: String,
    pub author: String,
    pub body: String,
    pub created_at: i64,
    pub hidden_at: Option<i64>,
}

macro_rules! comment_select {
    () => {
        "SELECT c.id, c.task_id, c.user_id, u.name AS author, c.body, c.created_at, c.hidden_at
         FROM comments c JOIN users u ON u.id = c.user_id "
    };
}

/// The comments of a task, oldest first; hidden ones too when `with_hidden`.
pub async fn comments(
    pool: &super::Pool,
    task_id: &str,
    with_hidden: bool,
    limit: i64,
) -> Result<Vec<CommentRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        comment_select!(),
        "WHERE c.task_id = $1 AND ($2 OR c.hidden_at IS NULL)
         ORDER BY c.created_at, c.id LIMIT $3"
    ))
    .bind(task_id)
    .bind(with_hidden)
    .bind(limit)
    .fetch_all(conn)
    .await)
}

pub async fn comment(pool: &super::Pool, id: &str) -> Result<Option<CommentRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        comment_select!(),
        "WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await)
}

/// Adds a comment unless the user wrote `max` or more since `since`: their count and the new
/// comment's row are read and written in one write transaction, so that parallel requests
/// cannot pass the limit together. None when the limit is reached.
pub async fn add_comment(
    pool: &super::Pool,
    c: &NewComment<'_>,
    since: i64,
    max: i64,
) -> Result<Option<CommentRow>, sqlx::Error> {
    let mut tx = pool.begin_write().await?;
    if let super::Tx::Postgres(t) = &mut tx {
        // One writer per user at a time on PostgreSQL (SQLite's write transaction is already).
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
            .bind(c.user_id)
            .execute(&mut **t)
            .await?;
    }
    let recent: i64 = super::on_tx!(&mut tx, |conn| sqlx::query_scalar(
        "SELECT COUNT(*) FROM comments WHERE user_id = $1 AND created_at >= $2"
    )
    .bind(c.user_id)
    .bind(since)
    .fetch_one(conn)
    .await)?;
    if recent >= max {
        return Ok(None);
    }
    super::on_tx!(&mut tx, |conn| sqlx::query(
        "INSERT INTO comments (id, task_id, user_id, body, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(c.id)
    .bind(c.task_id)
    .bind(c.user_id)
    .bind(c.body)
    .bind(c.now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    let row = super::on_tx!(&mut tx, |conn| sqlx::query_as(concat!(
        comment_select!(),
        "WHERE c.id = $1"
    ))
    .bind(c.id)
    .fetch_one(conn)
    .await)?;
    tx.commit().await?;
    Ok(Some(row))
}

pub struct NewComment<'a> {
    pub id: &'a str,
    pub task_id: &'a str,
    pub user_id: &'a str,
    pub body: &'a str,
    pub now: i64,
}

pub async fn delete_comment(pool: &super::Pool, id: &str) -> Result<bool, sqlx::Error> {
    let n = super::on!(pool, |conn| sqlx::query(
        "DELETE FROM comments WHERE id = $1"
    )
    .bind(id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// An admin hides a comment (or shows it again); its open reports are dealt with.
pub async fn set_comment_hidden(
    tx: &mut super::Tx<'_>,
    id: &str,
    at: Option<i64>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let tasks: Vec<String> = super::on_tx!(tx, |conn| sqlx::query_scalar(
        "UPDATE comments SET hidden_at = $2 WHERE id = $1 RETURNING task_id"
    )
    .bind(id)
    .bind(at)
    .fetch_all(conn)
    .await)?;
    let task = tasks.into_iter().next();
    if let (Some(task), Some(_)) = (&task, at) {
        resolve(tx, task, Some(id), now).await?;
    }
    Ok(task.is_some())
}

/// Reports a task (or one of its comments); a second report of the same thing by the same user
/// while the first is open changes nothing.
pub async fn report(pool: &super::Pool, r: &NewReport<'_>) -> Result<(), sqlx::Error> {
    super::on!(pool, |conn| sqlx::query(
        "INSERT INTO reports (id, task_id, comment_id, user_id, reason, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
    )
    .bind(r.id)
    .bind(r.task_id)
    .bind(r.comment_id)
    .bind(r.user_id)
    .bind(r.reason)
    .bind(r.now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub struct NewReport<'a> {
    pub id: &'a str,
    pub task_id: &'a str,
    pub comment_id: Option<&'a str>,
    pub user_id: &'a str,
    pub reason: &'a str,
    pub now: i64,
}

/// What is reported and not dealt with yet, one row per picture or comment, the newest first.
#[derive(Debug, Clone, FromRow)]
pub struct ReportRow {
    pub task_id: String,
    pub comment_id: Option<String>,
    pub reports: i64,
    pub last_at: i64,
    /// The latest reason given.
    pub reason: String,
    pub prompt: String,
    pub comment: Option<String>,
    pub task_hidden: bool,
    pub comment_hidden: bool,
}

pub async fn open_reports(pool: &super::Pool, limit: i64) -> Result<Vec<ReportRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(
        "SELECT r.task_id, r.comment_id, COUNT(*) AS reports, MAX(r.created_at) AS last_at,
                (SELECT x.reason FROM reports x
                 WHERE x.task_id = r.task_id AND x.resolved_at IS NULL
                   AND COALESCE(x.comment_id, '') = COALESCE(r.comment_id, '')
                 ORDER BY x.created_at DESC, x.id DESC LIMIT 1) AS reason,
                t.prompt, c.body AS comment,
                t.hidden_at IS NOT NULL AS task_hidden,
                COALESCE(c.hidden_at IS NOT NULL, FALSE) AS comment_hidden
         FROM reports r
         JOIN tasks t ON t.id = r.task_id
         LEFT JOIN comments c ON c.id = r.comment_id
         WHERE r.resolved_at IS NULL
         GROUP BY r.task_id, r.comment_id, t.prompt, c.body, t.hidden_at, c.hidden_at
         ORDER BY last_at DESC LIMIT $1"
    )
    .bind(limit)
    .fetch_all(conn)
    .await)
}

/// Deals with the open reports of a task (`comment_id` None) or of one of its comments.
pub async fn resolve(
    tx: &mut super::Tx<'_>,
    task_id: &str,
    comment_id: Option<&str>,
    now: i64,
) -> Result<u64, sqlx::Error> {
    super::on_tx!(tx, |conn| sqlx::query(
        "UPDATE reports SET resolved_at = $3
         WHERE task_id = $1 AND COALESCE(comment_id, '') = COALESCE($2, '')
           AND resolved_at IS NULL"
    )
    .bind(task_id)
    .bind(comment_id)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))
}
