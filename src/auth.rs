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
    /// The token is an API key (not a session).
    pub by_key: bool,
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

/// Whether the request carries an `Authorization: Bearer` header (however well formed): then that
/// header alone decides who it is, never the cookie. Another site's page cannot make a browser
/// send one (Atelier allows no CORS), so such requests need no same-origin check
/// (`http::csrf`). Another scheme (a proxy's `Basic` in front of Atelier) does not count: the
/// browser adds it to every request, other sites' too.
pub fn has_bearer(headers: &HeaderMap) -> bool {
    headers.get_all(header::AUTHORIZATION).iter().any(|v| {
        v.as_bytes()
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"bearer "))
    })
}

/// The token a request carries: `Authorization: Bearer` first, then the session cookie. A request
/// with a Bearer header never falls back to the cookie, even when the header is not one Bearer
/// token in text (sent twice, not UTF-8). An Authorization header of another scheme (a Basic-auth
/// proxy's) is not Atelier's: the cookie is read, and the same-origin check applies.
pub fn request_token(headers: &HeaderMap) -> Option<String> {
    if has_bearer(headers) {
        let mut auths = headers.get_all(header::AUTHORIZATION).iter();
        let first = auths.next()?;
        if auths.next().is_some() {
            return None;
        }
        let auth = first.to_str().ok()?;
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

/// The requests whose token may be answered from the [`SessionCache`]: the status polls (the
/// page's poll server function; reading a task or the task list), which are most of the traffic
/// and show only the account's own tasks. Every other request reads its token from the
/// database, so that on several instances a revocation, a demotion or a promotion made on one
/// holds on the others at once, not when the change notice arrives (a few milliseconds later).
pub fn may_use_kept(parts: &axum::http::request::Parts) -> bool {
    use axum::http::Method;
    let path = parts.uri.path();
    let poll = crate::server_fns::tasks::POLL_PATH;
    match parts.method {
        Method::GET | Method::HEAD => {
            path == "/api/v1/tasks"
                || path.starts_with("/api/v1/tasks/")
                || path.starts_with("/api/v1/midjourney/task/")
        }
        Method::POST => path == poll,
        _ => false,
    }
}

/// Resolves the account behind a request's token, if any.
///
/// Answers from `cache` when it can and [`may_use_kept`] allows: status polling then costs no
/// session query.
pub async fn authenticate(
    pool: &Pool,
    cache: &SessionCache,
    parts: &axum::http::request::Parts,
) -> Result<Option<CurrentUser>, AppError> {
    match Credentials::of(parts) {
        Some(credentials) => authenticate_as(pool, cache, credentials).await,
        None => Ok(None),
    }
}

/// What a request says of who sends it: its token, and whether a kept answer may do.
#[derive(Debug)]
pub struct Credentials {
    token: String,
    may_use_kept: bool,
}

impl Credentials {
    /// The request's, if it has a token.
    pub fn of(parts: &axum::http::request::Parts) -> Option<Self> {
        Some(Self {
            token: request_token(&parts.headers)?,
            may_use_kept: may_use_kept(parts),
        })
    }
}

/// [`authenticate`], with what was taken from the request beforehand.
pub async fn authenticate_as(
    pool: &Pool,
    cache: &SessionCache,
    credentials: Credentials,
) -> Result<Option<CurrentUser>, AppError> {
    let Credentials {
        token,
        may_use_kept,
    } = credentials;
    let token_hash = token::hash(&token);
    let now = db::now_ms();
    if may_use_kept && let Some(user) = cache.get(&token_hash, now) {
        return Ok(Some(user));
    }
    // Noted before the read: an answer is kept only if nothing changed while it was read.
    let mark = cache.notices.count();
    let found = if token.starts_with(token::API_KEY_PREFIX) {
        let key = cache.key(pool, &token_hash).await?;
        if let Some(k) = &key
            && db::api_keys::is_stale(k.last_used_at, now)
        {
            db::api_keys::touch(pool, &token_hash, now)
                .await
                .map_err(crate::services::internal)?;
        }
        key.map(|k| (k.user, None))
    } else {
        let session = cache
            .session(pool, &token_hash)
            .await?
            .filter(|s| s.expires_at > now);
        if let Some(s) = &session
            && db::api_keys::is_stale(s.last_seen_at, now)
        {
            // What the owner's sessions list shows as "last used", to the minute.
            db::sessions::touch(pool, &token_hash, now)
                .await
                .map_err(crate::services::internal)?;
        }
        session.map(|s| (s.user, Some(s.expires_at)))
    };
    Ok(found.map(|(row, expires_at)| {
        let user = CurrentUser {
            role: row.role,
            id: row.id,
            name: row.name,
            email: row.email,
            by_key: token.starts_with(token::API_KEY_PREFIX),
            token_hash,
        };
        cache.put(&user, expires_at, now, mark);
        user
    }))
}

/// Who each recent token belongs to, so that a poll costs no session query.
///
/// Every change this process makes to who a token is (sign-out, role change, key revocation)
/// calls [`SessionCache::forget_user`] at once. On PostgreSQL every change made by any instance
/// is also announced by a trigger (`NOTIFY atelier_auth` with the account's id, migration 0006),
/// which every instance hears within the time PostgreSQL takes to deliver it after the commit
/// ([`SessionCache::forget_user`]); while an instance does not hear (before its listener connects,
/// after the connection is lost) it keeps nothing and reads every session. An entry is trusted
/// for a minute at most, so a change made to the database by hand shows within a minute, and an
/// API key's "last used" keeps its one-minute precision (it is written when its entry is read
/// again). The reads themselves are gathered (`db::gather`): many requests at once share one
/// query, whose answer is never older than a direct read.
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, Cached>>,
    /// Changes heard of: an entry read while one happened is not kept.
    notices: db::notices::Notices,
    sessions: Option<db::gather::Gather<db::sessions::SessionUser>>,
    keys: Option<db::gather::Gather<db::api_keys::KeyUser>>,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache")
            .field("notices", &self.notices)
            .finish()
    }
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

    /// The cache of an instance on `pool` (started on the current Tokio runtime). On PostgreSQL
    /// it keeps nothing until [`SessionCache::listening`] says that the notices are heard.
    pub fn start(pool: &Pool) -> Self {
        let sessions = {
            let pool = pool.clone();
            db::gather::Gather::start(move |hashes: Vec<String>| {
                let pool = pool.clone();
                async move {
                    let rows = db::sessions::find_users(&pool, &hashes).await?;
                    Ok(rows
                        .into_iter()
                        .map(|s| (s.token_hash.clone(), s))
                        .collect())
                }
            })
        };
        let keys = {
            let pool = pool.clone();
            db::gather::Gather::start(move |hashes: Vec<String>| {
                let pool = pool.clone();
                async move {
                    let rows = db::api_keys::find_users(&pool, &hashes).await?;
                    Ok(rows.into_iter().map(|k| (k.key_hash.clone(), k)).collect())
                }
            })
        };
        Self {
            notices: db::notices::Notices::new(!pool.is_postgres()),
            sessions: Some(sessions),
            keys: Some(keys),
            ..Self::default()
        }
    }

    /// The session with this token hash (expired or not), gathered when started.
    async fn session(
        &self,
        pool: &Pool,
        token_hash: &str,
    ) -> Result<Option<db::sessions::SessionUser>, AppError> {
        let keys = [token_hash.to_owned()];
        let direct = db::sessions::find_users(pool, &keys);
        one_of(self.sessions.as_ref(), token_hash, direct).await
    }

    /// The API key with this hash, gathered when started.
    async fn key(
        &self,
        pool: &Pool,
        key_hash: &str,
    ) -> Result<Option<db::api_keys::KeyUser>, AppError> {
        let keys = [key_hash.to_owned()];
        let direct = db::api_keys::find_users(pool, &keys);
        one_of(self.keys.as_ref(), key_hash, direct).await
    }

    fn get(&self, token_hash: &str, now: i64) -> Option<CurrentUser> {
        self.notices.count()?;
        let entries = self.lock();
        let c = entries.get(token_hash)?;
        let fresh = now - c.read_at < Self::TRUST_MS && c.expires_at.is_none_or(|e| now < e);
        fresh.then(|| c.user.clone())
    }

    /// Keeps what a read begun at `mark` found, unless something changed since.
    fn put(&self, user: &CurrentUser, expires_at: Option<i64>, now: i64, mark: Option<u64>) {
        let mut entries = self.lock();
        if mark.is_none() || mark != self.notices.count() {
            return;
        }
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
        let mut entries = self.lock();
        self.notices.changed();
        entries.retain(|_, c| c.user.id != user_id);
    }

    /// Whether this instance hears PostgreSQL's notices: only then is anything kept.
    pub fn listening(&self, on: bool) {
        let mut entries = self.lock();
        self.notices.listening(on);
        entries.clear();
    }
}

/// The value of `key`: through the gathering reader when there is one, else by the `direct`
/// query (which runs only then).
async fn one_of<V: Clone + Send + 'static>(
    reader: Option<&db::gather::Gather<V>>,
    key: &str,
    direct: impl std::future::Future<Output = Result<Vec<V>, sqlx::Error>>,
) -> Result<Option<V>, AppError> {
    match reader {
        Some(g) => g.get(key).await.map_err(crate::services::internal),
        None => direct
            .await
            .map(|rows| rows.into_iter().next())
            .map_err(crate::services::internal),
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
        assert_eq!(
            request_token(&h).as_deref(),
            Some("c"),
            "a proxy's Basic header is not Atelier's: the cookie decides (and CSRF is checked)"
        );
        assert!(!has_bearer(&h));
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_bytes(b"Bearer \xff").unwrap(),
        );
        assert_eq!(
            request_token(&h),
            None,
            "not text: no fallback to the cookie"
        );
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer b"));
        h.append(header::AUTHORIZATION, HeaderValue::from_static("Bearer b"));
        assert_eq!(request_token(&h), None, "twice: no fallback to the cookie");
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
            by_key: false,
        }
    }

    #[test]
    fn the_session_cache_forgets_on_expiry_on_age_and_on_demand() {
        let cache = SessionCache::default();
        let mark = cache.notices.count();
        cache.put(&someone("u1", "t1"), Some(5_000), 1_000, mark);
        cache.put(&someone("u1", "t2"), None, 1_000, mark);
        cache.put(&someone("u2", "t3"), None, 1_000, mark);
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
        // A read that began before a change is not kept; nothing is while deaf.
        cache.put(&someone("u4", "t4"), None, 2_000, mark);
        assert!(cache.get("t4", 2_000).is_none(), "read before a change");
        cache.listening(false);
        assert!(cache.get("t3", 2_000).is_none(), "deaf: nothing is trusted");
        cache.put(&someone("u5", "t5"), None, 2_000, cache.notices.count());
        assert!(cache.get("t5", 2_000).is_none(), "deaf: nothing is kept");
        cache.listening(true);
        cache.put(&someone("u5", "t5"), None, 2_000, cache.notices.count());
        assert!(cache.get("t5", 2_000).is_some(), "hearing again");
    }
}
