//! Log-in, sign-up, log-out and "who am I" for the pages.

use crate::{error::AppError, types::Me};
use leptos::prelude::*;
use leptos::server_fn::codec::{PostUrl, Postcard};

#[server(input = Postcard, output = Postcard)]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    let Some(user) = super::ctx::current_user().await? else {
        return Ok(None);
    };
    let state = super::ctx::state()?;
    crate::services::accounts::me(&state.pool, &user)
        .await
        .map(Some)
}

#[server(input = PostUrl, output = Postcard)]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let client = crate::auth::client::ClientAddr::of(&ctx::parts()?).0;
    let session = crate::services::accounts::sign_in(
        &state.pool,
        &state.login_limiter,
        &client,
        &email,
        &password,
    )
    .await?;
    ctx::start_session(&state, &session.token);
    Ok(())
}

#[server(input = PostUrl, output = Postcard)]
pub async fn signup(name: String, email: String, password: String) -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let session = crate::services::accounts::sign_up(&state.pool, &name, &email, &password).await?;
    ctx::start_session(&state, &session.token);
    Ok(())
}

#[server(input = PostUrl, output = Postcard)]
pub async fn logout() -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    if let Some(user) = ctx::current_user().await? {
        crate::services::accounts::sign_out(&state.pool, &state.sessions, &user).await?;
    }
    ctx::set_cookie(crate::auth::clear_session_cookie(
        state.config.secure_cookies(),
    ));
    leptos_axum::redirect("/login");
    Ok(())
}
