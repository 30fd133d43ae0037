//! Sharing of rest-api.md's library: share links, publishing on the gallery, likes, comments,
//! reports and an admin's hiding; and the files anyone may open through a share link or on the
//! gallery.

use super::ApiJson;
use crate::{
    auth::CurrentUser,
    error::AppError,
    services::sharing::{self, Hide},
    state::AppState,
    types::{CommentView, PublicTaskView, ReportView},
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{delete, get, post, put},
};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tasks/{id}/share", post(share).delete(unshare))
        .route(
            "/api/v1/tasks/{id}/publish",
            post(publish).delete(unpublish),
        )
        .route("/api/v1/tasks/{id}/like", put(like).delete(unlike))
        .route(
            "/api/v1/tasks/{id}/comments",
            get(comments).post(add_comment),
        )
        .route("/api/v1/comments/{id}", delete(delete_comment))
        .route("/api/v1/tasks/{id}/report", post(report))
        .route("/api/v1/tasks/{id}/hidden", put(hide).delete(show))
        .route(
            "/api/v1/comments/{id}/hidden",
            put(hide_comment).delete(show_comment),
        )
        .route("/api/v1/gallery", get(gallery))
        .route("/api/v1/reports", get(reports))
        .route("/api/v1/reports/dismiss", post(dismiss))
        .route("/s/{token}/{file}/{n}", get(shared_file))
        .route("/gallery/{id}/{file}/{n}", get(gallery_file))
}

#[derive(serde::Serialize)]
struct ShareAnswer {
    /// The link, whole (`ATELIER_PUBLIC_URL`, else the host the request came to).
    url: String,
}

async fn share(
    State(s): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let path = sharing::share(&s.engine, &user, &id).await?;
    let url = format!("{}{path}", super::link_base(&s, &headers));
    Ok((StatusCode::CREATED, Json(ShareAnswer { url })).into_response())
}

async fn unshare(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    sharing::unshare(&s.engine, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn publish(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    sharing::publish(&s.engine, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unpublish(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    sharing::unpublish(&s.engine, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn like(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    sharing::like(&s.engine, &user, &id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unlike(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    sharing::like(&s.engine, &user, &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize)]
struct CommentsAnswer {
    comments: Vec<CommentView>,
}

#[derive(serde::Serialize)]
struct CommentAnswer {
    comment: CommentView,
}

async fn comments(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let comments = sharing::comments(&s.engine, &user, &id).await?;
    Ok(Json(CommentsAnswer { comments }).into_response())
}

#[derive(Deserialize)]
struct NewComment {
    body: String,
}

async fn add_comment(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewComment>,
) -> Result<Response, AppError> {
    let comment = sharing::add_comment(&s.engine, &user, &id, &body.body).await?;
    Ok((StatusCode::CREATED, Json(CommentAnswer { comment })).into_response())
}

async fn delete_comment(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    sharing::delete_comment(&s.engine, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct NewReport {
    #[serde(default)]
    comment_id: Option<String>,
    #[serde(default)]
    reason: String,
}

async fn report(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewReport>,
) -> Result<StatusCode, AppError> {
    sharing::report(
        &s.engine,
        &user,
        &id,
        body.comment_id.as_deref(),
        &body.reason,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn hide(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    sharing::set_hidden(&s.engine, &user, Hide::Task(&id), true).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn show(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    sharing::set_hidden(&s.engine, &user, Hide::Task(&id), false).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn hide_comment(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    sharing::set_hidden(&s.engine, &user, Hide::Comment(&id), true).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn show_comment(
    State(s): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    sharing::set_hidden(&s.engine, &user, Hide::Comment(&id), false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct GalleryQuery {
    sort: Option<String>,
    page: Option<String>,
}

#[derive(serde::Serialize)]
struct GalleryAnswer {
    tasks: Vec<PublicTaskView>,
    more: bool,
}

/// The gallery for anyone; a signed-in viewer also learns which pictures they like.
async fn gallery(
    State(s): State<AppState>,
    viewer: Option<CurrentUser>,
    Query(q): Query<GalleryQuery>,
) -> Result<Response, AppError> {
    let order = sharing::gallery_order(q.sort.as_deref())?;
    let page = match q.page.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(p) => p
            .parse()
            .map_err(|_| AppError::range("page", 0, crate::limits::GALLERY_PAGES_MAX))?,
    };
    let page = sharing::gallery(&s.engine, viewer.as_ref(), order, page).await?;
    Ok(Json(GalleryAnswer {
        tasks: page.tasks,
        more: page.more,
    })
    .into_response())
}

#[derive(serde::Serialize)]
struct ReportsAnswer {
    reports: Vec<ReportView>,
}

async fn reports(State(s): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let reports = sharing::reports(&s.engine, &user).await?;
    Ok(Json(ReportsAnswer { reports }).into_response())
}

#[derive(Deserialize)]
struct Dismiss {
    task_id: String,
    #[serde(default)]
    comment_id: Option<String>,
}

async fn dismiss(
    State(s): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<Dismiss>,
) -> Result<StatusCode, AppError> {
    sharing::dismiss(&s.engine, &user, &body.task_id, body.comment_id.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Others' copies may be kept a minute: a link that stops working stops for them soon after.
const PUBLIC_CACHE: &str = "public, max-age=60";

async fn shared_file(
    State(s): State<AppState>,
    Path((token, what, n)): Path<(String, String, usize)>,
) -> Result<Response, AppError> {
    let key = sharing::shared_file(&s.engine, &token, &what, n).await?;
    super::tasks::stored_file(&s, &key, PUBLIC_CACHE).await
}

async fn gallery_file(
    State(s): State<AppState>,
    Path((id, what, n)): Path<(String, String, usize)>,
) -> Result<Response, AppError> {
    let key = sharing::gallery_file(&s.engine, &id, &what, n).await?;
    super::tasks::stored_file(&s, &key, PUBLIC_CACHE).await
}

/// `/samples/{n}` (a page's file, not the API's: routed with the site in `startup`): a sample
/// picture for the front page of an installation with nothing to show yet, drawn by
/// the simulators' painter (the same every time: cached by browsers for a day, and here).
pub async fn sample(Path(n): Path<String>) -> Result<Response, AppError> {
    static DRAWN: std::sync::OnceLock<Vec<bytes::Bytes>> = std::sync::OnceLock::new();
    let n: usize = n
        .trim_end_matches(".png")
        .parse()
        .ok()
        .filter(|n| (1..=usize::from(crate::types::LANDING_SAMPLES)).contains(n))
        .ok_or(AppError::NotFound)?;
    let drawn = match DRAWN.get() {
        Some(d) => d,
        None => {
            let pictures = tokio::task::spawn_blocking(|| {
                (1..=crate::types::LANDING_SAMPLES)
                    .map(|k| {
                        let seed = crate::simulator::draw::seed_of(&[b"atelier-sample", &[k]]);
                        bytes::Bytes::from(crate::simulator::draw::png(
                            &crate::simulator::draw::picture(seed, 512, 512),
                        ))
                    })
                    .collect()
            })
            .await
            .map_err(crate::services::internal)?;
            DRAWN.get_or_init(|| pictures)
        }
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/png"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        drawn[n - 1].clone(),
    )
        .into_response())
}
