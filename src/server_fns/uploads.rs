//! The pages' uploads: a picture from the Generate page (picked, dropped or pasted) becomes one
//! of the user's uploads, to give a task as an image prompt, a reference, a blend's picture...

use crate::{error::AppError, types::UploadedImage};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// The upload's own route (see `startup::router`): it takes a whole picture, where other server
/// functions take the usual small bodies.
pub const UPLOAD_PATH: &str = "/api/upload_image";

/// Keeps a picture (PNG, JPEG or WebP, at most 10 MB and 40 megapixels) as the user's upload.
#[server(endpoint = "upload_image", input = Postcard, output = Postcard)]
pub async fn upload_image(file: Vec<u8>) -> Result<UploadedImage, AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    let up = crate::services::uploads::create(&engine, &user, bytes::Bytes::from(file)).await?;
    Ok(shown(up))
}

/// Picture `n` of one of the user's tasks, as an upload to give a new task ("use as reference").
#[server(input = Postcard, output = Postcard)]
pub async fn reference_from_task(task_id: String, n: u32) -> Result<UploadedImage, AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    Ok(shown(
        crate::services::uploads::from_task(&engine, &user, &task_id, n).await?,
    ))
}

/// One of the user's uploads, as the Generate page shows it (a reference brought from a task).
#[server(input = Postcard, output = Postcard)]
pub async fn my_upload(id: String) -> Result<UploadedImage, AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    let row = crate::services::uploads::visible(&engine, &user, &id).await?;
    if row.user_id != user.id {
        return Err(AppError::NotFound);
    }
    Ok(shown(crate::services::uploads::view(&row)))
}

#[cfg(feature = "ssr")]
fn shown(up: crate::services::uploads::UploadView) -> UploadedImage {
    UploadedImage {
        id: up.id,
        url: up.url,
        width: up.width,
        height: up.height,
    }
}
