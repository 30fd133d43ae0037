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
    Ok(UploadedImage {
        id: up.id,
        url: up.url,
        width: up.width,
        height: up.height,
    })
}
