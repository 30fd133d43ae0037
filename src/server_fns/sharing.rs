//! Share links, the gallery, its likes, comments and reports, for the pages.

use crate::{
    error::AppError,
    types::{CommentView, GalleryItem, GalleryPage, ReportView, SharedPage},
};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// Where this Atelier is, for whole links (a preview's image).
#[cfg(feature = "ssr")]
fn base() -> Result<String, AppError> {
    let state = super::ctx::state()?;
    Ok(crate::http::link_base(
        &state,
        &super::ctx::parts()?.headers,
    ))
}

/// The picture of a share link, for anyone who has it.
#[server(input = Postcard, output = Postcard)]
pub async fn load_shared(token: String) -> Result<SharedPage, AppError> {
    let state = super::ctx::state()?;
    let viewer = super::ctx::current_user().await?;
    let task = crate::services::sharing::shared(&state.engine, &token, viewer.as_ref()).await?;
    Ok(SharedPage {
        task,
        base: base()?,
    })
}

/// The signed-out front page: the gallery's newest pictures and the sign-up's options.
#[server(input = Postcard, output = Postcard)]
pub async fn load_landing() -> Result<crate::types::Landing, AppError> {
    use crate::services::sharing;
    let state = super::ctx::state()?;
    let gallery = sharing::gallery(&state.engine, None, sharing::gallery_order(None)?, 0).await?;
    let mut pictures = if gallery.enabled {
        gallery.tasks
    } else {
        Vec::new()
    };
    pictures.truncate(LANDING_PICTURES);
    Ok(crate::types::Landing {
        pictures,
        signup: crate::services::accounts::signup_options(&state.pool).await?,
    })
}

/// How many pictures the front page shows.
pub const LANDING_PICTURES: usize = 8;

/// A page of the gallery (`sort`: `newest` or `liked`), for anyone.
#[server(input = Postcard, output = Postcard)]
pub async fn load_gallery(sort: Option<String>, page: i64) -> Result<GalleryPage, AppError> {
    use crate::services::sharing;
    let state = super::ctx::state()?;
    let viewer = super::ctx::current_user().await?;
    let order = sharing::gallery_order(sort.as_deref())?;
    sharing::gallery(&state.engine, viewer.as_ref(), order, page).await
}

/// A picture of the gallery with its comments, for anyone.
#[server(input = Postcard, output = Postcard)]
pub async fn load_gallery_item(id: String) -> Result<GalleryItem, AppError> {
    let state = super::ctx::state()?;
    let viewer = super::ctx::current_user().await?;
    let mut item =
        crate::services::sharing::gallery_item(&state.engine, viewer.as_ref(), &id).await?;
    item.base = base()?;
    Ok(item)
}

/// Makes (or keeps) the share link of one of the user's pictures: its path.
#[server(input = Postcard, output = Postcard)]
pub async fn share_task(id: String) -> Result<String, AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::sharing::share(&engine, &user, &id).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn unshare_task(id: String) -> Result<(), AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::sharing::unshare(&engine, &user, &id).await
}

/// Lists a picture on the gallery, or takes it off.
#[server(input = Postcard, output = Postcard)]
pub async fn set_published(id: String, on: bool) -> Result<(), AppError> {
    use crate::services::sharing;
    let (engine, user) = super::tasks::engine_and_user().await?;
    if on {
        sharing::publish(&engine, &user, &id).await
    } else {
        sharing::unpublish(&engine, &user, &id).await
    }
}

#[server(input = Postcard, output = Postcard)]
pub async fn set_like(id: String, on: bool) -> Result<(), AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::sharing::like(&engine, &user, &id, on).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn add_comment(id: String, body: String) -> Result<CommentView, AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::sharing::add_comment(&engine, &user, &id, &body).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn delete_comment(id: String) -> Result<(), AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::sharing::delete_comment(&engine, &user, &id).await
}

/// Reports a picture of the gallery (or one of its comments) to the admins.
#[server(input = Postcard, output = Postcard)]
pub async fn report(
    task_id: String,
    comment_id: Option<String>,
    reason: String,
) -> Result<(), AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::sharing::report(&engine, &user, &task_id, comment_id.as_deref(), &reason).await
}

/// An admin hides a picture (or, with `comment_id`, one of its comments), or shows it again.
#[server(input = Postcard, output = Postcard)]
pub async fn set_hidden(
    task_id: String,
    comment_id: Option<String>,
    hidden: bool,
) -> Result<(), AppError> {
    use crate::services::sharing::{self, Hide};
    let (engine, user) = super::tasks::engine_and_user().await?;
    let what = match &comment_id {
        Some(c) => Hide::Comment(c),
        None => Hide::Task(&task_id),
    };
    sharing::set_hidden(&engine, &user, what, hidden).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn load_reports() -> Result<Vec<ReportView>, AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::sharing::reports(&engine, &user).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn dismiss_report(task_id: String, comment_id: Option<String>) -> Result<(), AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::sharing::dismiss(&engine, &user, &task_id, comment_id.as_deref()).await
}
