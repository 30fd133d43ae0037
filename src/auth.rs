//! Who is asking: password hashing, session tokens, the `CurrentUser` extractor, log-in rate limits.

pub mod password;
pub mod rate_limit;
pub mod token;

use crate::{
    db::{self, users::UserRow},
    error::AppError,
    types::{Role, UserView},
};
use axum::http::{HeaderMap, header};
use sqlx::SqlitePool;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "atelier_session";
/// Sessions live for 30 days.
pub const SESSION_DAYS: i64 = 30;

/// The authenticated account of a request, and the token it came with.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub balance: i64,
    /// The SHA-256 of the session token used, so sign-out can end exactly this session.
    pub token_hash: String,
}

impl CurrentUser {
    pub fn view(&self) -> UserView {
        UserView {
            id: self.id.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Only administrators may do this.".into(),
            ))
        }
    }
}

pub fn user_view(row: &UserRow) -> UserView {
    UserView {
        id: row.id.clone(),
        name: row.name.clone(),
        email: row.email.clone(),
        role: Role::parse(&row.role).unwrap_or(Role::Pending),
    }
}

/// The token a request carries: `Authorization: Bearer` first, then the session cookie.
pub fn request_token(headers: &HeaderMap) -> Option<String> {
    if let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, token) = auth.trim().split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_owned())
            .filter(|t| !t.is_empty());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| crate::cookies::find(c, SESSION_COOKIE))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Resolves the account behind a request's token, if any.
pub async fn authenticate(
    pool: &SqlitePool,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = request_token(headers) else {
        return Ok(None);
    };
    let token_hash = token::hash(&token);
    let now = db::now_ms();
    let row = if token.starts_with(token::API_KEY_PREFIX) {
        db::api_keys::find_user(pool, &token_hash, now).await
    } else {
        db::sessions::find_user(pool, &token_hash, now).await
    }
    .map_err(crate::services::internal)?;
    Ok(row.map(|row| CurrentUser {
        role: Role::parse(&row.role).unwrap_or(Role::Pending),
        id: row.id,
        name: row.name,
        email: row.email,
        balance: row.balance,
        token_hash,
    }))
}

/// `Set-Cookie` value that stores a session token.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        SESSION_DAYS * 24 * 3600,
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clear_session_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_wins_over_cookie() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("atelier_session=c"),
        );
        assert_eq!(request_token(&h).as_deref(), Some("c"));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer  b "),
        );
        assert_eq!(request_token(&h).as_deref(), Some("b"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic x"));
        assert_eq!(request_token(&h), None);
    }

    #[test]
    fn session_cookie_is_http_only_and_lax() {
        let c = session_cookie("t", false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        assert!(session_cookie("t", true).ends_with("; Secure"));
    }
}
