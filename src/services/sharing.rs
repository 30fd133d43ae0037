//! Showing pictures to others: share links (anyone with the link, no sign-in), the public
//! gallery of pictures their owners published, its likes and comments, and the reports and
//! hiding that keep it clean.
//!
//! Others see a [`PublicTaskView`]: the prompt, the pictures and the owner's display name, never
//! the owner's email, account or credits. A picture an admin hid is in no public place.

use crate::{
    auth::CurrentUser,
    db::{
        self,
        sharing::{CommentRow, GalleryOrder, PublicRow},
        tasks::TaskRow,
    },
    engine::Engine,
    error::{AppError, Conflict},
    limits,
    types::{
        CommentView, GalleryItem, GalleryPage, ImageView, PublicTaskView, ReportView, TaskStatus,
    },
};

use super::generation::{file_url, rfc3339};

/// The path of a share link.
pub fn share_path(token: &str) -> String {
    format!("/s/{token}")
}

/// Where others open a picture's files.
#[derive(Clone, Copy)]
enum Via<'a> {
    /// Its share link's token.
    Share(&'a str),
    Gallery,
}

/// The link of a public file: `what` is `image` or `thumbnail`.
fn public_file(row: &TaskRow, via: Via<'_>, what: &str, n: usize) -> String {
    match via {
        Via::Share(token) => format!("/s/{token}/{what}/{n}"),
        Via::Gallery => format!("/gallery/{}/{what}/{n}", row.id),
    }
}

fn public_view(r: &PublicRow, via: Via<'_>, viewer: Option<&CurrentUser>) -> PublicTaskView {
    let t = &r.task;
    PublicTaskView {
        id: t.id.clone(),
        engine: t.engine,
        mode: t.mode,
        model: t.model.clone(),
        prompt: t.prompt.clone(),
        author: r.author.clone(),
        images: t
            .outputs
            .iter()
            .enumerate()
            .map(|(n, o)| ImageView {
                url: public_file(t, via, "image", n),
                thumbnail_url: o
                    .thumb
                    .as_ref()
                    .map(|_| public_file(t, via, "thumbnail", n)),
                width: o.width,
                height: o.height,
            })
            .collect(),
        created_at: rfc3339(t.created_at),
        published_at: t.published_at.map(rfc3339),
        like_count: t.like_count,
        comment_count: r.comment_count,
        liked: r.liked,
        mine: viewer.is_some_and(|v| v.id == t.user_id),
    }
}

/// One of the user's own tasks (another's is not found, for an admin too: sharing is the
/// owner's choice).
async fn own(engine: &Engine, user: &CurrentUser, id: &str) -> Result<TaskRow, AppError> {
    db::tasks::get(&engine.pool, id)
        .await
        .map_err(super::internal)?
        .filter(|r| r.user_id == user.id)
        .ok_or(AppError::NotFound)
}

/// A picture others may be shown: finished with a picture, and not hidden by an admin.
fn showable(row: &TaskRow) -> Result<(), AppError> {
    if row.status != TaskStatus::Succeeded || row.outputs.is_empty() {
        return Err(AppError::Conflict(Conflict::NotSucceeded));
    }
    if row.hidden_at.is_some() {
        return Err(AppError::Conflict(Conflict::Hidden));
    }
    Ok(())
}

/// Makes (or keeps) the share link of one of the user's pictures: its path.
pub async fn share(engine: &Engine, user: &CurrentUser, id: &str) -> Result<String, AppError> {
    let row = own(engine, user, id).await?;
    showable(&row)?;
    let token = crate::auth::token::share_token();
    db::sharing::set_share(&engine.pool, id, &user.id, Some(&token))
        .await
        .map_err(super::internal)?
        .flatten()
        .map(|t| share_path(&t))
        .ok_or(AppError::NotFound)
}

/// Ends the share link of one of the user's tasks (a new share makes a new link).
pub async fn unshare(engine: &Engine, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    db::sharing::set_share(&engine.pool, id, &user.id, None)
        .await
        .map_err(super::internal)?
        .map(|_| ())
        .ok_or(AppError::NotFound)
}

/// Lists one of the user's pictures on the gallery.
pub async fn publish(engine: &Engine, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    if !engine.settings().await?.gallery_enabled {
        return Err(AppError::Conflict(Conflict::GalleryOff));
    }
    let row = own(engine, user, id).await?;
    showable(&row)?;
    found(db::sharing::set_published(&engine.pool, id, Some(&user.id), Some(db::now_ms())).await)
}

/// Takes a picture off the gallery: its owner's, or anyone's for an admin.
pub async fn unpublish(engine: &Engine, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let owner = (!user.is_admin()).then_some(user.id.as_str());
    found(db::sharing::set_published(&engine.pool, id, owner, None).await)
}

fn found(r: Result<bool, sqlx::Error>) -> Result<(), AppError> {
    if r.map_err(super::internal)? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// What an admin hides (or shows again).
#[derive(Clone, Copy)]
pub enum Hide<'a> {
    /// A picture: off the gallery and its share link.
    Task(&'a str),
    /// A comment: seen by admins only.
    Comment(&'a str),
}

/// An admin hides a picture or a comment, or shows it again; hiding deals with its reports.
pub async fn set_hidden(
    engine: &Engine,
    admin: &CurrentUser,
    what: Hide<'_>,
    hidden: bool,
) -> Result<(), AppError> {
    admin.require_admin()?;
    let now = db::now_ms();
    let at = hidden.then_some(now);
    let mut tx = engine.pool.begin().await.map_err(super::internal)?;
    let (done, id, kind) = match what {
        Hide::Task(id) => (
            db::sharing::set_task_hidden(&mut tx, id, at, now).await,
            id,
            "task",
        ),
        Hide::Comment(id) => (
            db::sharing::set_comment_hidden(&mut tx, id, at, now).await,
            id,
            "comment",
        ),
    };
    if !done.map_err(super::internal)? {
        return Err(AppError::NotFound);
    }
    let action = format!("{kind}.{}", if hidden { "hide" } else { "show" });
    super::audit(&mut tx, admin, &action, Some(id), "").await?;
    tx.commit().await.map_err(super::internal)
}

/// The picture of a share link, for anyone who has it.
pub async fn shared(
    engine: &Engine,
    token: &str,
    viewer: Option<&CurrentUser>,
) -> Result<PublicTaskView, AppError> {
    let row = db::sharing::by_share_token(&engine.pool, token, viewer.map(|v| v.id.as_str()))
        .await
        .map_err(super::internal)?
        .ok_or(AppError::NotFound)?;
    Ok(public_view(&row, Via::Share(token), viewer))
}

/// A stored file of a shared picture: `what` is `image` or `thumbnail`.
pub async fn shared_file(
    engine: &Engine,
    token: &str,
    what: &str,
    n: usize,
) -> Result<String, AppError> {
    let row = db::sharing::by_share_token(&engine.pool, token, None)
        .await
        .map_err(super::internal)?
        .ok_or(AppError::NotFound)?;
    file_key(&row.task, what, n)
}

/// A stored file of a picture on the gallery.
pub async fn gallery_file(
    engine: &Engine,
    id: &str,
    what: &str,
    n: usize,
) -> Result<String, AppError> {
    let row = listed(engine, id, None).await?;
    file_key(&row.task, what, n)
}

fn file_key(row: &TaskRow, what: &str, n: usize) -> Result<String, AppError> {
    let out = row.outputs.get(n).ok_or(AppError::NotFound)?;
    match what {
        "image" => Some(out.key.clone()),
        "thumbnail" => out.thumb.clone(),
        _ => None,
    }
    .ok_or(AppError::NotFound)
}

/// A picture on the gallery (while the gallery is on).
async fn listed(
    engine: &Engine,
    id: &str,
    viewer: Option<&CurrentUser>,
) -> Result<PublicRow, AppError> {
    if !engine.settings().await?.gallery_enabled {
        return Err(AppError::NotFound);
    }
    db::sharing::published(&engine.pool, id, viewer.map(|v| v.id.as_str()))
        .await
        .map_err(super::internal)?
        .ok_or(AppError::NotFound)
}

/// How `sort` names the gallery's orders: `newest` (the default) or `liked`.
pub fn gallery_order(sort: Option<&str>) -> Result<GalleryOrder, AppError> {
    match sort.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("newest") => Ok(GalleryOrder::Newest),
        Some("liked") => Ok(GalleryOrder::MostLiked),
        Some(_) => Err(AppError::invalid(
            "sort",
            crate::error::Rule::one_of(&["newest", "liked"]),
        )),
    }
}

/// A page of the gallery (`page` from 0).
pub async fn gallery(
    engine: &Engine,
    viewer: Option<&CurrentUser>,
    order: GalleryOrder,
    page: i64,
) -> Result<GalleryPage, AppError> {
    let page = super::whole("page", page, (0, limits::GALLERY_PAGES_MAX))?;
    let settings = engine.settings().await?;
    let mut page_view = GalleryPage {
        tasks: Vec::new(),
        more: false,
        enabled: settings.gallery_enabled,
        comments_enabled: settings.comments_enabled,
        signed_in: viewer.is_some(),
        is_admin: viewer.is_some_and(CurrentUser::is_admin),
    };
    if !settings.gallery_enabled {
        return Ok(page_view);
    }
    let size = limits::GALLERY_PAGE;
    let mut rows = db::sharing::gallery(
        &engine.pool,
        order,
        viewer.map(|v| v.id.as_str()),
        page * size,
        size + 1,
    )
    .await
    .map_err(super::internal)?;
    page_view.more = rows.len() as i64 > size;
    rows.truncate(size as usize);
    page_view.tasks = rows
        .iter()
        .map(|r| public_view(r, Via::Gallery, viewer))
        .collect();
    Ok(page_view)
}

fn comment_view(c: &CommentRow, viewer: Option<&CurrentUser>) -> CommentView {
    CommentView {
        id: c.id.clone(),
        task_id: c.task_id.clone(),
        author: c.author.clone(),
        body: c.body.clone(),
        created_at: rfc3339(c.created_at),
        deletable: viewer.is_some_and(|v| c.user_id == v.id || v.is_admin()),
        hidden: c.hidden_at.is_some(),
    }
}

/// A picture of the gallery with its comments (those an admin hid only for admins).
pub async fn gallery_item(
    engine: &Engine,
    viewer: Option<&CurrentUser>,
    id: &str,
) -> Result<GalleryItem, AppError> {
    let row = listed(engine, id, viewer).await?;
    let settings = engine.settings().await?;
    let comments = comments_of(engine, viewer, id).await?;
    Ok(GalleryItem {
        base: String::new(),
        task: public_view(&row, Via::Gallery, viewer),
        comments,
        comments_enabled: settings.comments_enabled,
        signed_in: viewer.is_some(),
        is_admin: viewer.is_some_and(CurrentUser::is_admin),
    })
}

async fn comments_of(
    engine: &Engine,
    viewer: Option<&CurrentUser>,
    id: &str,
) -> Result<Vec<CommentView>, AppError> {
    let admin = viewer.is_some_and(CurrentUser::is_admin);
    let rows = db::sharing::comments(&engine.pool, id, admin, limits::COMMENTS_SHOWN)
        .await
        .map_err(super::internal)?;
    Ok(rows.iter().map(|c| comment_view(c, viewer)).collect())
}

/// The comments of a picture on the gallery.
pub async fn comments(
    engine: &Engine,
    viewer: &CurrentUser,
    id: &str,
) -> Result<Vec<CommentView>, AppError> {
    listed(engine, id, Some(viewer)).await?;
    comments_of(engine, Some(viewer), id).await
}

/// Likes (or unlikes) a picture on the gallery; twice is once.
pub async fn like(engine: &Engine, user: &CurrentUser, id: &str, on: bool) -> Result<(), AppError> {
    listed(engine, id, Some(user)).await?;
    db::sharing::set_like(&engine.pool, id, &user.id, on, db::now_ms())
        .await
        .map_err(super::internal)?;
    Ok(())
}

/// Comments on a picture on the gallery: plain text of a few lines, at most
/// [`limits::COMMENTS_PER_WINDOW`] a minute per user.
pub async fn add_comment(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
    body: &str,
) -> Result<CommentView, AppError> {
    if !engine.settings().await?.comments_enabled {
        return Err(AppError::Conflict(Conflict::CommentsOff));
    }
    listed(engine, id, Some(user)).await?;
    let body = super::lines("body", body, limits::COMMENT_MAX_CHARS)?;
    if body.is_empty() {
        return Err(AppError::invalid("body", crate::error::Rule::Required));
    }
    let now = db::now_ms();
    let comment_id = db::new_id();
    let row = db::sharing::add_comment(
        &engine.pool,
        &db::sharing::NewComment {
            id: &comment_id,
            task_id: id,
            user_id: &user.id,
            body,
            now,
        },
        now - limits::COMMENT_WINDOW_MS,
        limits::COMMENTS_PER_WINDOW,
    )
    .await
    .map_err(super::internal)?
    .ok_or(AppError::RateLimited)?;
    Ok(comment_view(&row, Some(user)))
}

/// A comment as the user may see it: hidden ones only for admins.
async fn visible_comment(
    engine: &Engine,
    user: &CurrentUser,
    id: &str,
) -> Result<CommentRow, AppError> {
    db::sharing::comment(&engine.pool, id)
        .await
        .map_err(super::internal)?
        .filter(|c| c.hidden_at.is_none() || user.is_admin() || c.user_id == user.id)
        .ok_or(AppError::NotFound)
}

/// Deletes a comment: its author or an admin.
pub async fn delete_comment(engine: &Engine, user: &CurrentUser, id: &str) -> Result<(), AppError> {
    let c = visible_comment(engine, user, id).await?;
    if c.user_id != user.id && !user.is_admin() {
        return Err(AppError::Forbidden(
            "Only its author or an administrator may delete a comment.".into(),
        ));
    }
    found(db::sharing::delete_comment(&engine.pool, id).await)
}

/// Reports a picture on the gallery, or one of its comments, to the admins.
pub async fn report(
    engine: &Engine,
    user: &CurrentUser,
    task_id: &str,
    comment_id: Option<&str>,
    reason: &str,
) -> Result<(), AppError> {
    listed(engine, task_id, Some(user)).await?;
    if let Some(c) = comment_id {
        let c = visible_comment(engine, user, c).await?;
        if c.task_id != task_id {
            return Err(AppError::NotFound);
        }
    }
    let reason = super::lines("reason", reason, limits::REPORT_REASON_MAX_CHARS)?;
    let id = db::new_id();
    db::sharing::report(
        &engine.pool,
        &db::sharing::NewReport {
            id: &id,
            task_id,
            comment_id,
            user_id: &user.id,
            reason,
            now: db::now_ms(),
        },
    )
    .await
    .map_err(super::internal)
}

/// What users reported and no admin dealt with yet, the latest first.
pub async fn reports(engine: &Engine, admin: &CurrentUser) -> Result<Vec<ReportView>, AppError> {
    admin.require_admin()?;
    let rows = db::sharing::open_reports(&engine.pool, limits::REPORTS_SHOWN)
        .await
        .map_err(super::internal)?;
    Ok(rows
        .into_iter()
        .map(|r| ReportView {
            thumbnail_url: Some(file_url(&r.task_id, "thumbnail", None)),
            task_id: r.task_id,
            comment_id: r.comment_id,
            reports: r.reports,
            last_reported_at: rfc3339(r.last_at),
            reason: r.reason,
            prompt: r.prompt,
            comment: r.comment,
            task_hidden: r.task_hidden,
            comment_hidden: r.comment_hidden,
        })
        .collect())
}

/// An admin dismisses the reports of a picture (or of one of its comments), leaving it shown.
pub async fn dismiss(
    engine: &Engine,
    admin: &CurrentUser,
    task_id: &str,
    comment_id: Option<&str>,
) -> Result<(), AppError> {
    admin.require_admin()?;
    let mut tx = engine.pool.begin().await.map_err(super::internal)?;
    let n = db::sharing::resolve(&mut tx, task_id, comment_id, db::now_ms())
        .await
        .map_err(super::internal)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    super::audit(
        &mut tx,
        admin,
        "report.dismiss",
        Some(comment_id.unwrap_or(task_id)),
        "",
    )
    .await?;
    tx.commit().await.map_err(super::internal)
}
