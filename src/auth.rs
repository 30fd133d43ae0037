//! Who is asking: password hashing, session tokens, the `CurrentUser` extractor, log-in rate limits.

pub mod client;
pub mod password;
pub mod rate_limit;
pub mod token;

use crate::db::Pool;
use crate::{
    db::{self, users::UserRow},
    error::AppError,
    types::{Role, UserView},
};
use axum::http::{HeaderMap, header};

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
        role: row.role,
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
///
/// Answers from `cache` when it can: status polling then costs no session query.
pub async fn authenticate(
    pool: &Pool,
    cache: &SessionCache,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = request_token(headers) else {
        return Ok(None);
    };
    let token_hash = token::hash(&token);
    let now = db::now_ms();
    if let Some(user) = cache.get(&token_hash, now) {
        return Ok(Some(user));
    }
    let found = if token.starts_with(token::API_KEY_PREFIX) {
        db::api_keys::find_user(pool, &token_hash, now)
            .await
            .map(|row| row.map(|row| (row, None)))
    } else {
        db::sessions::find_user(pool, &token_hash, now)
            .await
            .map(|row| row.map(|s| (s.user, Some(s.expires_at))))
    }
    .map_err(crate::services::internal)?;
    Ok(found.map(|(row, expires_at)| {
        let user = CurrentUser {
            role: row.role,
            id: row.id,
            name: row.name,
            email: row.email,
            token_hash,
        };
        cache.put(&user, expires_at, now);
        user
    }))
}

/// Who each recent token belongs to, so that a poll costs no session query.
///
/// Every change this process makes to who a token is (sign-out, role change, key revocation)
/// calls [`SessionCache::forget_user`] at once. An entry is trusted for a minute, so a change
/// made to the database from outside shows within a minute, and an API key's "last used" keeps
/// its one-minute precision (it is written when its entry is read again).
///
/// Only for a database that this process alone writes (SQLite): with several instances on one
/// PostgreSQL a change made on one must hold on all at once, so there the cache is
/// [`SessionCache::off`] and every request reads its session.
#[derive(Debug, Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, Cached>>,
    off: bool,
}

#[derive(Debug, Clone)]
struct Cached {
    user: CurrentUser,
    /// When the session ends (API keys do not).
    expires_at: Option<i64>,
    read_at: i64,
}

impl SessionCache {
    /// How long an entry is trusted, in ms.
    const TRUST_MS: i64 = 60_000;
    /// Past this many entries the cache starts over (a bound on memory, not a policy).
    const MAX_ENTRIES: usize = 10_000;

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Cached>> {
        // A panic while holding the lock leaves the map consistent: every write is one insert or
        // remove.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A cache that keeps nothing.
    pub fn off() -> Self {
        Self {
            off: true,
            ..Self::default()
        }
    }

    fn get(&self, token_hash: &str, now: i64) -> Option<CurrentUser> {
        if self.off {
            return None;
        }
        let entries = self.lock();
        let c = entries.get(token_hash)?;
        let fresh = now - c.read_at < Self::TRUST_MS && c.expires_at.is_none_or(|e| now < e);
        fresh.then(|| c.user.clone())
    }

    fn put(&self, user: &CurrentUser, expires_at: Option<i64>, now: i64) {
        if self.off {
            return;
        }
        let mut entries = self.lock();
        if entries.len() >= Self::MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            user.token_hash.clone(),
            Cached {
                user: user.clone(),
                expires_at,
                read_at: now,
            },
        );
    }

    /// Forgets every token of an account: the next request reads the database again.
    pub fn forget_user(&self, user_id: &str) {
        self.lock().retain(|_, c| c.user.id != user_id);
    }
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

    fn someone(id: &str, token_hash: &str) -> CurrentUser {
        CurrentUser {
            id: id.into(),
            name: "Ann".into(),
            email: "ann@example.com".into(),
            role: Role::User,
            token_hash: token_hash.into(),
        }
    }

    #[test]
    fn the_session_cache_forgets_on_expiry_on_age_and_on_demand() {
        let cache = SessionCache::default();
        cache.put(&someone("u1", "t1"), Some(5_000), 1_000);
        cache.put(&someone("u1", "t2"), None, 1_000);
        cache.put(&someone("u2", "t3"), None, 1_000);
        assert_eq!(cache.get("t1", 4_999).map(|u| u.id).as_deref(), Some("u1"));
        assert!(cache.get("t1", 5_000).is_none(), "the session ended");
        assert!(
            cache.get("t2", 1_000 + SessionCache::TRUST_MS).is_none(),
            "too old to trust"
        );
        assert!(cache.get("nope", 1_000).is_none());
        cache.forget_user("u1");
        assert!(cache.get("t2", 2_000).is_none());
        assert!(cache.get("t3", 2_000).is_some(), "other accounts stay");
    }
}
