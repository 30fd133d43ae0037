//! Collections: named sets of a user's tasks, each with a count and a cover (the task its owner
//! chose, or the one added last that has a picture).

use sqlx::FromRow;

#[derive(Debug, Clone, FromRow)]
pub struct CollectionRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub description: String,
    /// The cover its owner chose.
    pub cover_task_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub task_count: i64,
    /// The cover shown: the chosen one once it has a picture, else the last succeeded task
    /// added.
    pub cover: Option<String>,
}

macro_rules! select {
    () => {
        "SELECT c.id, c.user_id, c.name, c.description, c.cover_task_id, c.created_at, c.updated_at,
            (SELECT COUNT(*) FROM collection_tasks m WHERE m.collection_id = c.id) AS task_count,
            COALESCE((SELECT t.id FROM tasks t WHERE t.id = c.cover_task_id AND t.status = 'succeeded'),
                (SELECT m.task_id FROM collection_tasks m
                JOIN tasks t ON t.id = m.task_id
                WHERE m.collection_id = c.id AND t.status = 'succeeded'
                ORDER BY m.added_at DESC, m.task_id DESC LIMIT 1)) AS cover
         FROM collections c "
    };
}

/// The user's collections, the one changed last first.
pub async fn list_of_user(
    pool: &super::Pool,
    user_id: &str,
) -> Result<Vec<CollectionRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        select!(),
        "WHERE c.user_id = $1 ORDER BY c.updated_at DESC, c.id DESC"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await)
}

/// One of the user's collections.
pub async fn get(
    pool: &super::Pool,
    user_id: &str,
    id: &str,
) -> Result<Option<CollectionRow>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_as(concat!(
        select!(),
        "WHERE c.id = $1 AND c.user_id = $2"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(conn)
    .await)
}

/// What inserting a collection came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Done,
    NameTaken,
    TooMany,
}

/// Inserts a collection unless the user has one of that name, or `max` of them. The account's
/// row is locked first, so that collections made at once are counted one by one.
pub async fn insert(
    pool: &super::Pool,
    row: &CollectionRow,
    max: i64,
) -> Result<Inserted, sqlx::Error> {
    let mut tx = pool.begin_write().await?;
    super::users::lock(&mut tx, &row.user_id).await?;
    let n = super::on_tx!(&mut tx, |conn| sqlx::query(
        "INSERT INTO collections (id, user_id, name, description, created_at, updated_at)
         SELECT $1, $2, $3, $4, $5, $5
         WHERE (SELECT COUNT(*) FROM collections WHERE user_id = $2) < $6"
    )
    .bind(&row.id)
    .bind(&row.user_id)
    .bind(&row.name)
    .bind(&row.description)
    .bind(row.created_at)
    .bind(max)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()));
    match n {
        Ok(1) => {
            tx.commit().await?;
            Ok(Inserted::Done)
        }
        Ok(_) => Ok(Inserted::TooMany),
        Err(e) if super::is_unique_violation(&e) => Ok(Inserted::NameTaken),
        Err(e) => Err(e),
    }
}

/// A collection's new name, description and chosen cover (None: the automatic one), when the
/// cover is one of its tasks. Answers whether it was changed; a name another of the user's
/// collections has is a unique violation.
pub async fn update(
    pool: &super::Pool,
    user_id: &str,
    id: &str,
    name: &str,
    description: &str,
    cover: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let n = super::on!(pool, |conn| {
        sqlx::query(
        "UPDATE collections SET name = $3, description = $4, cover_task_id = $5, updated_at = $6
         WHERE id = $1 AND user_id = $2
           AND ($5 IS NULL OR EXISTS
               (SELECT 1 FROM collection_tasks m WHERE m.collection_id = $1 AND m.task_id = $5))"
    )
    .bind(id)
    .bind(user_id)
    .bind(name)
    .bind(description)
    .bind(cover)
    .bind(now)
    .execute(conn)
    .await
    .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Deletes one of the user's collections (its tasks stay); false when there is none.
pub async fn delete(pool: &super::Pool, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let n = super::on!(pool, |conn| sqlx::query(
        "DELETE FROM collections WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .execute(conn)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Puts a task in a collection or takes it out, both the user's: false when either is not
/// theirs. Twice is once. Taking out the cover makes the cover automatic again.
pub async fn set_member(
    pool: &super::Pool,
    user_id: &str,
    collection_id: &str,
    task_id: &str,
    on: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin_write().await?;
    let both: i64 = super::on_tx!(&mut tx, |conn| sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM collections WHERE id = $1 AND user_id = $3)
              + (SELECT COUNT(*) FROM tasks WHERE id = $2 AND user_id = $3)"
    )
    .bind(collection_id)
    .bind(task_id)
    .bind(user_id)
    .fetch_one(conn)
    .await)?;
    if both != 2 {
        return Ok(false);
    }
    let changed = if on {
        super::on_tx!(&mut tx, |conn| sqlx::query(
            "INSERT INTO collection_tasks (collection_id, task_id, added_at) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING"
        )
        .bind(collection_id)
        .bind(task_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?
    } else {
        super::on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE collections SET cover_task_id = NULL WHERE id = $1 AND cover_task_id = $2"
        )
        .bind(collection_id)
        .bind(task_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
        super::on_tx!(&mut tx, |conn| sqlx::query(
            "DELETE FROM collection_tasks WHERE collection_id = $1 AND task_id = $2"
        )
        .bind(collection_id)
        .bind(task_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?
    };
    if changed > 0 {
        super::on_tx!(&mut tx, |conn| sqlx::query(
            "UPDATE collections SET updated_at = $2 WHERE id = $1"
        )
        .bind(collection_id)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The ids of the collections a task is in.
pub async fn of_task(pool: &super::Pool, task_id: &str) -> Result<Vec<String>, sqlx::Error> {
    super::on!(pool, |conn| sqlx::query_scalar(
        "SELECT collection_id FROM collection_tasks WHERE task_id = $1"
    )
    .bind(task_id)
    .fetch_all(conn)
    .await)
}
