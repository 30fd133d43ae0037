//! Sign-up, sign-in and sign-out; a password change; the sessions of an account.

use crate::db::Pool;
use crate::{
    auth::{self, CurrentUser, client::Visitor, password, rate_limit::RateLimiter, token},
    db::{self, ledger},
    domain::account::{DisplayName, Email, Password},
    error::{AppError, Rule},
    limits::SESSIONS_PER_ACCOUNT,
    types::{Me, Role, SessionView, SignupMode, SignupOptions, UserView},
};

/// A fresh session: the bearer token (also the cookie value) and who it belongs to.
#[derive(Debug)]
pub struct NewSession {
    pub token: String,
    pub me: Me,
}

/// What a sign-up form sends.
pub struct SignUpForm<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    /// Needed when sign-up is by invitation; ignored when it is open.
    pub invite_code: Option<&'a str>,
}

/// Who may sign up now, and whether they will wait for approval: for the sign-up page.
pub async fn signup_options(pool: &Pool) -> Result<SignupOptions, AppError> {
    let s = super::settings::load(pool).await?;
    let first = !db::users::any(pool).await.map_err(super::internal)?;
    Ok(SignupOptions {
        mode: if first {
            SignupMode::Open
        } else {
            s.signup_mode
        },
        needs_approval: !first && s.new_user_role == Role::Pending,
        first_account: first,
    })
}

/// Creates an account and its first session. The first account of an installation becomes the
/// admin whatever the settings say; later ones follow them: sign-up open, by invitation (the
/// code is used up in the transaction that creates the account) or closed, and at most
/// `signup_per_hour` sign-ups from one client address. An account that waits for approval gets
/// its sign-up credits when it is approved.
#[tracing::instrument(skip(pool, limiter, visitor, form), fields(user_id))]
pub async fn sign_up(
    pool: &Pool,
    limiter: &RateLimiter,
    visitor: &Visitor,
    form: SignUpForm<'_>,
) -> Result<NewSession, AppError> {
    let name = DisplayName::parse(form.name)?;
    let email = Email::parse(form.email)?;
    let password = Password::parse(form.password)?;
    let code = form
        .invite_code
        .map(token::normal_invite_code)
        .filter(|c| !c.is_empty());
    let code = code.as_deref();
    let settings = super::settings::load(pool).await?;
    let now = db::now_ms();
    // Checked before the (slow) hash, and again in the transaction.
    if db::users::any(pool).await.map_err(super::internal)? {
        if let Some(c) = admitted(settings.signup_mode, code)?
            && !db::invites::usable(pool, c, now)
                .await
                .map_err(super::internal)?
        {
            return Err(AppError::invalid("invite_code", Rule::InviteInvalid));
        }
        if settings.signup_per_hour > 0
            && !limiter
                .attempt_within(
                    pool,
                    &format!("signup:{}", visitor.addr),
                    settings.signup_per_hour,
                )
                .await
                .map_err(super::internal)?
        {
            tracing::warn!("sign-up rate limit reached");
            return Err(AppError::TooManySignups);
        }
    }
    let hash = password::hash(password).await?;

    let id = db::new_id();
    let mut tx = pool.begin_write().await.map_err(super::internal)?;
    let role = db::users::insert(
        &mut tx,
        &id,
        name.as_str(),
        email.as_str(),
        &hash,
        settings.new_user_role,
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
    let mut invite = None;
    if role != Role::Admin
        && let Some(c) = admitted(settings.signup_mode, code)?
    {
        invite = Some(
            db::invites::take(&mut tx, c, now)
                .await
                .map_err(super::internal)?
                .ok_or_else(|| AppError::invalid("invite_code", Rule::InviteInvalid))?,
        );
    }
    let mut balance = 0;
    if role == Role::Pending {
        db::users::owe_signup_credits(&mut tx, &id)
            .await
            .map_err(super::internal)?;
    } else {
        balance = give_signup_credits(&mut tx, &id, settings.signup_credits, now).await?;
    }
    if let Some(invite) = &invite {
        db::audit::insert(&mut tx, &id, "invite.use", Some(invite), email.as_str())
            .await
            .map_err(super::internal)?;
    }
    tx.commit().await.map_err(super::internal)?;
    tracing::Span::current().record("user_id", id.as_str());
    tracing::info!(
        role = role.as_str(),
        invite = invite.as_deref(),
        "account created"
    );

    let user = UserView {
        id,
        name: name.as_str().to_owned(),
        email: email.as_str().to_owned(),
        role,
    };
    let token = new_session(pool, &user.id, visitor).await?;
    Ok(NewSession {
        token,
        me: Me { user, balance },
    })
}

/// Whether `mode` lets someone sign up with `code`: refused when sign-up is closed or a code
/// is needed and missing; the code to use up when it is by invitation.
fn admitted(mode: SignupMode, code: Option<&str>) -> Result<Option<&str>, AppError> {
    match (mode, code) {
        (SignupMode::Open, _) => Ok(None),
        (SignupMode::Closed, _) => Err(AppError::SignupClosed),
        (SignupMode::Invite, None) => Err(AppError::invalid("invite_code", Rule::Required)),
        (SignupMode::Invite, Some(c)) => Ok(Some(c)),
    }
}

/// Writes the sign-up gift to the ledger (nothing when it is 0); answers the new balance.
pub async fn give_signup_credits(
    tx: &mut db::Tx<'_>,
    user_id: &str,
    credits: i64,
    now: i64,
) -> Result<i64, AppError> {
    if credits <= 0 {
        return Ok(0);
    }
    let entry = ledger::NewEntry {
        user_id,
        delta: credits,
        reason: ledger::Reason::Signup,
        task_id: None,
        note: None,
    };
    ledger::append(tx, entry, now)
        .await
        .map_err(super::internal)
}

/// Checks email and password. Unknown email and wrong password answer alike. After 10 failures
/// in a minute from one client or for one email, every attempt (even a right one) is refused;
/// attempts are counted as they arrive, before the (slow, bounded) password check.
#[tracing::instrument(skip(pool, limiter, visitor, email, password))]
pub async fn sign_in(
    pool: &Pool,
    limiter: &RateLimiter,
    visitor: &Visitor,
    email: &str,
    password: &str,
) -> Result<NewSession, AppError> {
    let keys = [
        format!("client:{}", visitor.addr),
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
    let token = new_session(pool, &row.id, visitor).await?;
    Ok(NewSession {
        token,
        me: Me {
            user: auth::user_view(&row),
            balance: row.balance,
        },
    })
}

/// Starts a session; the account keeps its newest [`SESSIONS_PER_ACCOUNT`] ones.
async fn new_session(pool: &Pool, user_id: &str, visitor: &Visitor) -> Result<String, AppError> {
    let token = token::generate();
    let now = db::now_ms();
    let expires = now + auth::SESSION_DAYS * 24 * 3600 * 1000;
    let session = db::sessions::NewSession {
        id: &db::new_id(),
        token_hash: &token::hash(&token),
        user_id,
        user_agent: visitor.user_agent.as_deref(),
        client: Some(&visitor.addr),
    };
    db::sessions::insert(pool, session, now, expires, SESSIONS_PER_ACCOUNT)
        .await
        .map_err(super::internal)?;
    Ok(token)
}

/// What only a signed-in person may do, not a script holding an API key: make keys, end
/// sessions (a leaked key must not mint keys of its own or sign the owner out everywhere).
pub fn session_only(user: &CurrentUser) -> Result<(), AppError> {
    if user.by_key {
        return Err(AppError::Forbidden(
            "An API key cannot do this: sign in to Atelier and do it from your account.".into(),
        ));
    }
    Ok(())
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

/// Changes the account's password after checking the current one (counted by the log-in
/// limiter like a sign-in), and ends every other session of the account: the one this request
/// was made with stays (none does when it was made with an API key; keys stay, each is revoked
/// on its own).
pub async fn change_password(
    pool: &Pool,
    limiter: &RateLimiter,
    sessions: &auth::SessionCache,
    user: &CurrentUser,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let new = Password::parse(new).map_err(|e| match e {
        AppError::Validation { rule, .. } => AppError::invalid("new_password", rule),
        other => other,
    })?;
    let key = format!("email:{}", user.email);
    if !limiter.attempt(pool, &key).await.map_err(super::internal)? {
        return Err(AppError::RateLimited);
    }
    let row = db::users::find_by_id(pool, &user.id)
        .await
        .map_err(super::internal)?
        .ok_or(AppError::Unauthorized)?;
    if !password::verify(current.to_owned(), Some(row.password_hash)).await? {
        return Err(AppError::invalid("current_password", Rule::WrongPassword));
    }
    limiter.forgive(pool, &key).await.map_err(super::internal)?;
    let hash = password::hash(new).await?;
    let mut tx = pool.begin_write().await.map_err(super::internal)?;
    db::users::set_password(&mut tx, &user.id, &hash)
        .await
        .map_err(super::internal)?;
    let keep = (!user.by_key).then_some(user.token_hash.as_str());
    let ended = db::sessions::delete_all_of_user(&mut tx, &user.id, keep)
        .await
        .map_err(super::internal)?;
    tx.commit().await.map_err(super::internal)?;
    sessions.forget_user(&user.id);
    tracing::info!(user_id = %user.id, ended, "password changed; other sessions ended");
    Ok(())
}

/// The account's sessions, the most recently used first.
pub async fn sessions(pool: &Pool, user: &CurrentUser) -> Result<Vec<SessionView>, AppError> {
    use super::generation::rfc3339;
    let rows = db::sessions::list_of_user(pool, &user.id, db::now_ms())
        .await
        .map_err(super::internal)?;
    Ok(rows
        .into_iter()
        .map(|r| SessionView {
            current: !user.by_key && r.token_hash == user.token_hash,
            id: r.id,
            created_at: rfc3339(r.created_at),
            last_seen_at: r.last_seen_at.map(rfc3339),
            expires_at: rfc3339(r.expires_at),
            user_agent: r.user_agent,
            client: r.client,
        })
        .collect())
}

/// Ends one of the account's sessions (404 for any other id).
pub async fn end_session(
    pool: &Pool,
    cache: &auth::SessionCache,
    user: &CurrentUser,
    id: &str,
) -> Result<(), AppError> {
    session_only(user)?;
    if !db::sessions::delete_of_user(pool, &user.id, id)
        .await
        .map_err(super::internal)?
    {
        return Err(AppError::NotFound);
    }
    cache.forget_user(&user.id);
    tracing::info!(user_id = %user.id, session_id = id, "session ended");
    Ok(())
}

/// Signs the account out everywhere: every session ends, this one too. API keys stay.
pub async fn end_all_sessions(
    pool: &Pool,
    cache: &auth::SessionCache,
    user: &CurrentUser,
) -> Result<u64, AppError> {
    session_only(user)?;
    let mut tx = pool.begin_write().await.map_err(super::internal)?;
    let n = db::sessions::delete_all_of_user(&mut tx, &user.id, None)
        .await
        .map_err(super::internal)?;
    tx.commit().await.map_err(super::internal)?;
    cache.forget_user(&user.id);
    tracing::info!(user_id = %user.id, ended = n, "signed out everywhere");
    Ok(n)
}

/// Whether the account lets an administrator's app key (Open WebUI) generate for it.
pub async fn allows_apps(pool: &Pool, user: &CurrentUser) -> Result<bool, AppError> {
    db::users::allows_apps(pool, &user.id)
        .await
        .map_err(super::internal)
}

/// Lets an administrator's app key generate for the account, charged to it, or stops it. Only
/// the person signed in decides (not a key).
pub async fn set_allows_apps(
    pool: &Pool,
    user: &CurrentUser,
    allowed: bool,
) -> Result<(), AppError> {
    session_only(user)?;
    db::users::set_allows_apps(pool, &user.id, allowed)
        .await
        .map_err(super::internal)?;
    tracing::info!(user_id = %user.id, allowed, "apps acting for the account changed");
    Ok(())
}
