//! Application state, router assembly, binding and graceful shutdown.

use crate::db::Pool;
use crate::{
    app::{App, shell},
    auth::{rate_limit::RateLimiter, token},
    config::Config,
    db,
    engine::Engine,
    images::ImageStore,
    services::settings::SecretBox,
    simulator::{self, SimConfig},
    state::{AppState, Shared},
};
use anyhow::Context;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list_with_exclusions};
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Opens the database (running migrations), builds the router and binds the address
    /// (port 0 picks a free port: see [`Application::port`]).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        crate::init_tls();
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data dir {}", config.data_dir.display()))?;
        let pool = db::connect(&config.database).await?;
        crate::services::settings::check_stored(&pool).await?;
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let leptos_options = LeptosOptions::builder()
            .output_name("atelier")
            .site_root(config.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(listener.local_addr()?)
            .hash_files(hashed_site())
            .build();
        let secrets = SecretBox::open(&config.data_dir, config.secret_key.as_deref())?;
        let sim_secret = token::generate();
        let sim = simulator::spawn(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            SimConfig {
                secret: sim_secret.clone(),
                step: config.sim_step,
                ..SimConfig::default()
            },
        )
        .await
        .context("starting the built-in simulator")?;
        let notify_token = stored_secret(&pool, "notify_token").await?;
        let files_key = stored_secret(&pool, "files_key").await?;
        let notify_url = config
            .public_url
            .as_ref()
            .map(|u| format!("{u}/api/v1/midjourney/notify/{notify_token}"));
        let engine = Arc::new(Engine::new(
            pool.clone(),
            secrets,
            ImageStore::open(&config.storage)?,
            (sim.base_url(), sim_secret),
            config.poll_interval,
            config.task_timeout,
            notify_url,
            (notify_token, files_key),
            config.worker_lease,
        ));
        let sessions = crate::auth::SessionCache::start(&pool);
        let state = AppState::new(Shared {
            leptos_options,
            pool,
            config: Arc::new(config),
            login_limiter: Arc::new(RateLimiter::new(10, Duration::from_secs(60))),
            signup_limiter: Arc::new(RateLimiter::new(0, Duration::from_secs(3600))),
            sessions,
            engine,
        });
        let router = router(state.clone());
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let pool = self.state.pool.clone();
        let sweeper = tokio::spawn(sweep(self.state.clone()));
        let listener = tokio::spawn(listen(self.state.clone()));
        // Picks up every live task left by a previous run, then keeps polling.
        let worker = self
            .state
            .config
            .run_worker
            .then(|| tokio::spawn(crate::worker::run_until_stopped(self.state.engine.clone())));
        crate::serve::serve(
            self.listener,
            self.router,
            self.state.config.connections,
            shutdown,
        )
        .await;
        sweeper.abort();
        listener.abort();
        if let Some(worker) = worker {
            worker.abort();
            crate::worker::stop(&self.state.engine).await;
        }
        pool.close().await;
        Ok(())
    }
}

/// The app's routes, generated once per process.
///
/// Generating them runs the app with resource loading suppressed through a process-wide flag
/// (leptos_server's `SuppressResourceLoad`): a page rendered by another server in the same
/// process at that moment would wait forever on its data (leptos issue #4773). One generation,
/// before any server answers, closes that window; tests start many servers in one process.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    // The upload server function gets its own route, with room for a whole picture, and the
    // page's poll its own handler (`server_fns::tasks::poll_route`).
    ROUTES
        .get_or_init(|| {
            generate_route_list_with_exclusions(
                App,
                Some(vec![
                    crate::server_fns::uploads::UPLOAD_PATH.to_owned(),
                    crate::server_fns::tasks::POLL_PATH.to_owned(),
                ]),
            )
        })
        .clone()
}

fn router(state: AppState) -> Router {
    let routes = routes();
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let options = state.leptos_options.clone();
    // The page's upload: the user is known, and room made for the body, before it is read.
    let upload = {
        let context = context.clone();
        let state = state.clone();
        move |req: axum::extract::Request| async move {
            let (mut parts, body) = req.into_parts();
            let admitted =
                match crate::auth::authenticate(&state.pool, &state.sessions, &parts).await {
                    Ok(Some(user)) => crate::services::uploads::admit(
                        &state.engine,
                        &user,
                        crate::services::uploads::MAX_UPLOAD_BYTES,
                    )
                    .await
                    .map(|a| (a, user)),
                    Ok(None) => Err(crate::error::AppError::Unauthorized),
                    Err(e) => Err(e),
                };
            let _admitted = match admitted {
                Ok((admitted, user)) => {
                    // The server function takes the account from here (`server_fns::ctx`).
                    parts.extensions.insert(user);
                    admitted
                }
                Err(e) => return server_fn_error(parts.uri.path(), &e),
            };
            let req = axum::extract::Request::from_parts(parts, body);
            axum::response::IntoResponse::into_response(
                leptos_axum::handle_server_fns_with_context(context, req).await,
            )
        }
    };
    let site = Router::new()
        .merge(crate::http::router())
        .route("/samples/{n}", axum::routing::get(crate::http::sample))
        .route(
            crate::server_fns::tasks::POLL_PATH,
            axum::routing::post(crate::server_fns::tasks::poll_route),
        )
        .route(
            crate::server_fns::uploads::UPLOAD_PATH,
            axum::routing::post(upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::services::uploads::MAX_UPLOAD_BYTES + 64 * 1024,
            )),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .with_state(state.clone())
        // The site's code from memory, packed at brotli's best (see `http::packed`).
        .layer(axum::middleware::from_fn(crate::http::packed::serve));
    // The layers wrap the whole site once, outermost first (`Router::layer` would wrap every
    // route in each of them, each boxed, and clone the nine boxes for every request).
    let layered = tower::ServiceBuilder::new()
        // One log line per request (method, path, status, latency) at debug level, failures at
        // warn. The path only, never the query; the notify hook's secret segment is left out.
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    tracing::debug_span!(
                        "request",
                        method = %req.method(),
                        path = %loggable_path(req.uri().path())
                    )
                })
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::DEBUG),
                )
                .on_failure(tower_http::trace::DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        // br or gzip for HTML, JSON, JS, CSS and WASM; images are already compressed, and so are
        // the ZIPs of them (stored entries of PNGs: compressing them again costs a core for
        // nothing).
        .layer({
            use tower_http::compression::Predicate as _;
            tower_http::compression::CompressionLayer::new().compress_when(
                tower_http::compression::predicate::DefaultPredicate::new().and(
                    tower_http::compression::predicate::NotForContentType::const_new(
                        "application/zip",
                    ),
                ),
            )
        })
        .layer(axum::middleware::from_fn_with_state(
            state.config.clone(),
            crate::http::csrf::same_origin,
        ))
        .layer(axum::middleware::map_response(server_fn_status))
        // Who may name the client (see `auth::client`).
        .layer(axum::Extension(Arc::new(
            state.config.trusted_proxies.clone(),
        )))
        .layer(axum::middleware::from_fn_with_state(
            state.engine.clone(),
            reads_after_writes,
        ))
        .layer(axum::middleware::map_response_with_state(
            state.config.clone(),
            security_headers,
        ))
        // A request body that stalls (a slow client holding a connection) fails.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.connections.body_timeout,
        ))
        .layer(axum::middleware::map_response(static_cache_headers))
        .service(site);
    // The site's code packed at brotli's best, once, off the request path.
    crate::http::packed::site_root(&state.config.site_root);
    Router::new().fallback_service(layered)
}

/// On PostgreSQL, every instance listens (its worker on or off), to what migration 0006's
/// triggers and [`crate::engine::Engine::wake_worker`] announce:
/// - `atelier_wake`: a task was queued on some instance; this one's worker looks at once;
/// - `atelier_changed`: a task or a balance changed; what this instance kept of tasks is read
///   again (`db::task_reads`);
/// - `atelier_auth`: an account's sessions, keys or role changed; this instance forgets who that
///   account's tokens are (`auth::SessionCache`);
/// - `atelier_settings`: the settings changed; this instance reads them again
///   (`services::settings::SettingsCache`).
///
/// While the connection is lost nothing is kept (the notices sent meanwhile are lost with it); it
/// connects again after a second.
async fn listen(state: AppState) {
    const CHANGED: &str = "atelier_changed";
    const AUTH: &str = "atelier_auth";
    const SETTINGS: &str = "atelier_settings";
    let Pool::Postgres(pool) = &state.pool else {
        return;
    };
    let deaf = |why: &str| {
        state.engine.reads.listening(false);
        state.sessions.listening(false);
        state.engine.settings_cache.listening(false);
        tracing::warn!("not hearing the database's change notices ({why}); trying again");
    };
    loop {
        match sqlx::postgres::PgListener::connect_with(pool).await {
            Ok(mut listener) => {
                match listener
                    .listen_all([crate::worker::WAKE_CHANNEL, CHANGED, AUTH, SETTINGS])
                    .await
                {
                    Err(e) => deaf(&e.to_string()),
                    Ok(()) => {
                        state.engine.reads.listening(true);
                        state.sessions.listening(true);
                        state.engine.settings_cache.listening(true);
                        // `try_recv` answers None once the connection is lost.
                        while let Ok(Some(notice)) = listener.try_recv().await {
                            match notice.channel() {
                                CHANGED => state.engine.reads.changed(),
                                AUTH => state.sessions.forget_user(notice.payload()),
                                SETTINGS => state.engine.settings_cache.changed(),
                                _ => state.engine.wake.notify_one(),
                            }
                        }
                        deaf("the connection was lost");
                    }
                }
            }
            Err(e) => deaf(&e.to_string()),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// A request that may have written (anything but GET, HEAD and the page's status poll) makes
/// this instance read tasks again once it is answered: a caller always reads its own writes,
/// before PostgreSQL's notice of them arrives (`db::task_reads`).
async fn reads_after_writes(
    axum::extract::State(engine): axum::extract::State<Arc<crate::engine::Engine>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    let poll = crate::server_fns::tasks::POLL_PATH;
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD) && req.uri().path() != poll;
    let res = next.run(req).await;
    if writes {
        engine.reads.changed();
    }
    res
}

/// A request path as it may appear in a log line.
pub fn loggable_path(path: &str) -> &str {
    const NOTIFY: &str = "/api/v1/midjourney/notify/";
    if path.starts_with(NOTIFY) {
        NOTIFY
    } else {
        path
    }
}

/// Whether the site was built with content-hashed file names: cargo-leptos then writes the hashes
/// next to the server binary, where Leptos looks them up to name the scripts and the stylesheet.
fn hashed_site() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt").is_file()))
        .unwrap_or(false)
}

/// The name a content-hashed file had before hashing (`atelier.wasm` for
/// `atelier.<22 characters>.wasm`, as cargo-leptos names them); None for any other name.
pub fn unhashed_name(file: &str) -> Option<String> {
    let (rest, ext) = file.rsplit_once('.')?;
    let (stem, hash) = rest.rsplit_once('.')?;
    let is_hash = hash.len() == 22
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        // cargo-leptos's placeholder before hashing
        && !hash.bytes().all(|b| b == b'_');
    is_hash.then(|| format!("{stem}.{ext}"))
}

/// A file whose name carries its content hash never changes: browsers may keep it a year without
/// asking. Any other file of the site is cached but checked each time (a cheap 304 thanks to
/// Last-Modified).
fn cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    if unhashed_name(name).is_some() {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    }
}

/// Cache lifetimes of the site's files (see [`cache_control`]).
///
/// Also: a page that redirects (signed out, say) answers a real 302 to every client. leptos_axum
/// gives a real redirect only when the request accepts text/html, else a 200 with a marker header
/// meant for its own server-function client.
/// Server functions answer every error with 500. This gives the error the status the JSON API gives
/// it (401, 402 for missing credits, 429 for too many tasks...), so that the browser's tools and a
/// proxy's logs tell a refused request from a server fault. The page reads the error from the body
/// (postcard, left as it is) whatever the status.
/// A server function's error answer, as the pages read it (postcard), for a refusal made before
/// the function runs.
pub(crate) fn server_fn_error(
    path: &str,
    error: &crate::error::AppError,
) -> axum::response::Response {
    use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
    let status = axum::http::StatusCode::from_u16(error.status())
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = axum::response::Response::new(axum::body::Body::from(
        postcard::to_allocvec(error).unwrap_or_default(),
    ));
    *res.status_mut() = status;
    if let Ok(path) = axum::http::HeaderValue::from_str(path) {
        res.headers_mut().insert(SERVER_FN_ERROR_HEADER, path);
    }
    res
}

async fn server_fn_status(res: axum::response::Response) -> axum::response::Response {
    use axum::http::StatusCode;
    use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // An AppError is a few hundred bytes at most.
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(error) = postcard::from_bytes::<crate::error::AppError>(&bytes)
        && let Ok(status) = StatusCode::from_u16(error.status())
    {
        parts.status = status;
    }
    axum::response::Response::from_parts(parts, bytes.into())
}

async fn static_cache_headers(
    method: axum::http::Method,
    uri: axum::http::Uri,
    mut res: axum::response::Response,
) -> axum::response::Response {
    if method == axum::http::Method::GET
        && res.status() == axum::http::StatusCode::OK
        && res.headers().contains_key("serverfnredirect")
        && res.headers().contains_key(axum::http::header::LOCATION)
    {
        *res.status_mut() = axum::http::StatusCode::FOUND;
    }
    if uri.path().starts_with("/pkg/") && res.status().is_success() {
        res.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static(cache_control(uri.path())),
        );
    }
    res
}

/// Headers on every answer: no sniffing of types, no framing by another site, no address sent to
/// another site, HSTS when Atelier is served over https, and `no-store` on pages and API answers
/// (they carry personal data) unless the handler chose its own caching (assets, images).
async fn security_headers(
    axum::extract::State(config): axum::extract::State<Arc<Config>>,
    mut res: axum::response::Response,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let personal = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.starts_with("text/html")
                || t.starts_with("application/json")
                || t.starts_with("application/x-postcard")
                || t.starts_with("text/plain")
        });
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(crate::http::csp::COMMON),
        );
    }
    if config.secure_cookies() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if personal && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// A per-install secret (the notify hook's path segment, the key of `/v1/files` links), made on
/// the first start: instances starting at once agree on one (the row is read locked).
async fn stored_secret(pool: &Pool, name: &str) -> anyhow::Result<String> {
    if let Some(t) = db::settings::get(pool, name)
        .await?
        .filter(|t| !t.is_empty())
    {
        return Ok(t);
    }
    let mut tx = pool.begin_write().await?;
    let value = match db::settings::get_locked(&mut tx, name).await? {
        Some(t) if !t.is_empty() => t,
        _ => {
            let t = token::generate();
            db::settings::set_in(&mut tx, name, &t).await?;
            t
        }
    };
    tx.commit().await?;
    Ok(value)
}

/// Once an hour: removes expired sessions, log-in and sign-up counts whose window has passed,
/// uploads no task used once past the retention period, and image files nothing has held for an
/// hour.
async fn sweep(state: AppState) {
    let engine = state.engine.clone();
    let mut every = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every.tick().await;
        if let Err(e) = state.signup_limiter.sweep(&engine.pool).await {
            tracing::warn!(error = %e, "could not forget old log-in failures");
        }
        match db::sessions::delete_expired(&engine.pool, db::now_ms()).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
        match crate::services::uploads::sweep(&engine, db::now_ms()).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "unused uploads removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove unused uploads"),
        }
        let grace = Duration::from_secs(3600);
        match crate::services::generation::sweep_files(&engine, grace).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "unused image files removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove unused image files"),
        }
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::{cache_control, loggable_path, unhashed_name};

    #[test]
    fn request_logs_never_carry_the_notify_secret() {
        assert_eq!(
            loggable_path("/api/v1/midjourney/notify/0123456789abcdef"),
            "/api/v1/midjourney/notify/"
        );
        assert_eq!(loggable_path("/api/v1/tasks/x"), "/api/v1/tasks/x");
    }

    #[test]
    fn only_content_hashed_files_are_cached_for_a_year() {
        let year = "public, max-age=31536000, immutable";
        let check = "public, no-cache";
        assert_eq!(
            cache_control("/pkg/atelier.vwNbKEHlp1q6iNmGyCx0Pg.wasm"),
            year
        );
        assert_eq!(
            cache_control("/pkg/chunk_10.Ab-_cdEFghIJklMNopQRst.wasm"),
            year
        );
        assert_eq!(cache_control("/pkg/atelier.wasm"), check);
        assert_eq!(cache_control("/pkg/atelier.css"), check);
        // cargo-leptos's placeholder before hashing is not a hash.
        assert_eq!(
            cache_control("/pkg/__wasm_split.______________________.js"),
            check
        );
        assert_eq!(
            unhashed_name("atelier.vwNbKEHlp1q6iNmGyCx0Pg.wasm").as_deref(),
            Some("atelier.wasm")
        );
        // 21 characters, or one that is not base64url: not a hash.
        assert_eq!(
            cache_control("/pkg/atelier.vwNbKEHlp1q6iNmGyCx0P.wasm"),
            check
        );
        assert_eq!(
            cache_control("/pkg/atelier.vwNbKEHlp1q6iNmGyCx0P!.wasm"),
            check
        );
    }
}
