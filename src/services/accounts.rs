//! Sign-up, sign-in and sign-out.

use crate::db::Pool;
use crate::{
    auth::{self, CurrentUser, password, rate_limit::RateLimiter, token},
    db::{self, ledger},
    domain::account::{DisplayName, Email, Password},
    error::AppError,
    types::{Me, UserView},
};

/// A fresh session: the bearer token (also the cookie value) and who it belongs to.
#[derive(Debug)]
pub struct NewSession {
    pub token: String,
    pub me: Me,
}

#[tracing::instrument(skip(pool, name, email, password), fields(user_id))]
pub async fn sign_up(
    pool: &Pool,
    name: &str,
    email: &str,
    password: &str,
) -> Result<NewSession, AppError> {
    let name = DisplayName::parse(name)?;
    let email = Email::parse(email)?;
    let password = Password::parse(password)?;
    let hash = password::hash(password).await?;
    let settings = super::settings::load(pool).await?;
    let later_role = settings.new_user_role;
    let credits = settings.signup_credits;

    let id = db::new_id();
    let now = db::now_ms();
    let mut tx = pool.begin().await.map_err(super::internal)?;
    let role = db::users::insert(
        &mut tx,
        &id,
        name.as_str(),
        email.as_str(),
        &hash,
        later_role,
        now,
    )
    .await
    .map_err(|e| {
        if db::is_unique_violation(&e) {
            AppError::Conflict(crate::error::Conflict::EmailTaken)
        } else {
            super::internal(e)
        }
    })?;
    let mut balance = 0;
    if credits > 0 {
        let entry = ledger::NewEntry {
            user_id: &id,
            delta: credits,
            reason: ledger::Reason::Signup,
            task_id: None,
            note: None,
        };
        balance = ledger::append(&mut tx, entry, now)
            .await
            .map_err(super::internal)?;
    }
    tx.commit().await.map_err(super::internal)?;
    tracing::Span::current().record("user_id", id.as_str());
    tracing::info!(role = role.as_str(), "account created");

    let user = UserView {
        id,
        name: name.as_str().to_owned(),
        email: email.as_str().to_owned(),
        role,
    };
    let token = new_session(pool, &user.id).await?;
    Ok(NewSession {
        token,
        me: Me { user, balance },
    })
}

/// Checks email and password. Unknown email and wrong password answer alike. After 10 failures
/// in a minute from one client or for one email, every attempt (even a right one) is refused;
/// attempts are counted as they arrive, before the (slow, bounded) password check.
#[tracing::instrument(skip(pool, limiter, email, password))]
pub async fn sign_in(
    pool: &Pool,
    limiter: &RateLimiter,
    client: &str,
    email: &str,
    password: &str,
) -> Result<NewSession, AppError> {
    let keys = [
        format!("client:{client}"),
        format!("email:{}", email.trim().to_lowercase()),
    ];
    // Counted before the password is checked: a burst of parallel guesses is held to the limit
    // as it arrives, and none of those past it costs a hash.
    let mut within = true;
    for key in &keys {
        within &= limiter.attempt(pool, key).await.map_err(super::internal)?;
    }
    if !within {
        tracing::warn!("log-in rate limit reached");
        return Err(AppError::RateLimited);
    }
    let row = match Email::parse(email) {
        Ok(email) => db::users::find_by_email(pool, email.as_str())
            .await
            .map_err(super::internal)?,
        Err(_) => None,
    };
    let ok = password::verify(
        password.to_owned(),
        row.as_ref().map(|r| r.password_hash.clone()),
    )
    .await?;
    let Some(row) = row.filter(|_| ok) else {
        return Err(AppError::InvalidCredentials);
    };
    // Only failures use up the allowance.
    for key in &keys {
        limiter.forgive(pool, key).await.map_err(super::internal)?;
    }
    let token = new_session(pool, &row.id).await?;
    Ok(NewSession {
        token,
        me: Me {
            user: auth::user_view(&row),
            balance: row.balance,
        },
    })
}

async fn new_session(pool: &Pool, user_id: &str) -> Result<String, AppError> {
    let token = token::generate();
    let now = db::now_ms();
    let expires = now + auth::SESSION_DAYS * 24 * 3600 * 1000;
    db::sessions::insert(pool, &token::hash(&token), user_id, now, expires)
        .await
        .map_err(super::internal)?;
    Ok(token)
}

/// Ends the session the request was made with. A request made with an API key is refused: a
/// key is revoked with `DELETE /api/v1/auths/api_keys/{id}`, and answering 204 here while it
/// keeps working would mislead.
pub async fn sign_out(
    pool: &Pool,
    sessions: &auth::SessionCache,
    user: &CurrentUser,
) -> Result<(), AppError> {
    if user.by_key {
        return Err(AppError::BadRequest(
            "This is an API key, not a session: revoke it with DELETE /api/v1/auths/api_keys/{id}."
                .into(),
        ));
    }
    db::sessions::delete(pool, &user.token_hash)
        .await
        .map_err(super::internal)?;
    sessions.forget_user(&user.id);
    Ok(())
}

/// The signed-in account and its balance now.
pub async fn me(pool: &Pool, user: &CurrentUser) -> Result<Me, AppError> {
    Ok(Me {
        user: user.view(),
        balance: super::credits::balance(pool, &user.id).await?,
    })
}
