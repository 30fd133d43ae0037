//! Prompt templates for the Generate page.

use crate::{error::AppError, server_fns::tasks::SubmitTask, types::TemplateView};
use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

/// The Generate form as it is, kept as a template (shared with everyone: admins).
#[server(input = Postcard, output = Postcard)]
pub async fn save_template(
    name: String,
    shared: bool,
    form: SubmitTask,
) -> Result<TemplateView, AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    let job = super::tasks::job_of_form(form)?;
    let t = crate::services::templates::NewTemplate { name, shared, job };
    crate::services::templates::create(&engine, &user, &t).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn delete_template(id: String) -> Result<(), AppError> {
    let (engine, user) = super::tasks::engine_and_user().await?;
    crate::services::templates::delete(&engine, &user, &id).await
}
