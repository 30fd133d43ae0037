//! Log-in, sign-up, log-out and "who am I" for the pages.

use crate::{
    error::AppError,
    types::{Me, SessionView, SignupOptions},
};
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
    let visitor = crate::auth::client::Visitor::of(&ctx::parts()?);
    let session = crate::services::accounts::sign_in(
        &state.pool,
        &state.login_limiter,
        &visitor,
        &email,
        &password,
    )
    .await?;
    ctx::start_session(&state, &session.token);
    Ok(())
}

#[server(input = PostUrl, output = Postcard)]
pub async fn signup(
    name: String,
    email: String,
    password: String,
    #[server(default)] invite_code: Option<String>,
) -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let visitor = crate::auth::client::Visitor::of(&ctx::parts()?);
    let form = crate::services::accounts::SignUpForm {
        name: &name,
        email: &email,
        password: &password,
        invite_code: invite_code.as_deref(),
    };
    let session =
        crate::services::accounts::sign_up(&state.pool, &state.signup_limiter, &visitor, form)
            .await?;
    ctx::start_session(&state, &session.token);
    Ok(())
}

/// Whether sign-up needs an invite code, is closed, or leads to waiting for approval.
#[server(input = Postcard, output = Postcard)]
pub async fn load_signup_options() -> Result<SignupOptions, AppError> {
    let state = super::ctx::state()?;
    crate::services::accounts::signup_options(&state.pool).await
}

/// Changes the password; the other sessions end.
#[server(input = Postcard, output = Postcard)]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let user = ctx::require_user().await?;
    crate::services::accounts::change_password(
        &state.pool,
        &state.login_limiter,
        &state.sessions,
        &user,
        &current,
        &new,
    )
    .await
}

#[server(input = Postcard, output = Postcard)]
pub async fn list_sessions() -> Result<Vec<SessionView>, AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let user = ctx::require_user().await?;
    crate::services::accounts::sessions(&state.pool, &user).await
}

/// Whether an administrator's app key (Open WebUI) may generate for this account.
#[server(input = Postcard, output = Postcard)]
pub async fn load_allows_apps() -> Result<bool, AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let user = ctx::require_user().await?;
    crate::services::accounts::allows_apps(&state.pool, &user).await
}

#[server(input = Postcard, output = Postcard)]
pub async fn set_allows_apps(allowed: bool) -> Result<bool, AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let user = ctx::require_user().await?;
    crate::services::accounts::set_allows_apps(&state.pool, &user, allowed).await?;
    Ok(allowed)
}

#[server(input = Postcard, output = Postcard)]
pub async fn end_session(id: String) -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let user = ctx::require_user().await?;
    crate::services::accounts::end_session(&state.pool, &state.sessions, &user, &id).await
}

/// Signs out everywhere, here too: the page goes to the log-in form.
#[server(input = PostUrl, output = Postcard)]
pub async fn end_all_sessions() -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let user = ctx::require_user().await?;
    crate::services::accounts::end_all_sessions(&state.pool, &state.sessions, &user).await?;
    ctx::set_cookie(crate::auth::clear_session_cookie(
        state.config.secure_cookies(),
    ));
    leptos_axum::redirect("/login");
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
