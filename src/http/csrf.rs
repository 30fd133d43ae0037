//! Refuses state-changing requests that another site's page makes a browser send: a POST, PUT,
//! PATCH or DELETE without a Bearer token must come from Atelier's own pages, whether
//! it carries the session cookie or not (log-in CSRF signs a visitor in to the attacker's account).

use crate::{config::Config, error::AppError};
use axum::{
    extract::{Request, State},
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::sync::Arc;

pub async fn same_origin(State(config): State<Arc<Config>>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let h = req.headers();
    // With a Bearer header the token decides and the cookie is never read
    // (`auth::request_token`); another site's page cannot add that header without CORS, which
    // Atelier does not allow. Any other Authorization (a Basic-auth proxy's, which the browser
    // sends with every request) is checked like a cookie.
    if crate::auth::has_bearer(h) {
        return next.run(req).await;
    }
    if let Err(claimed) = from_this_site(h, &config) {
        tracing::warn!(origin = claimed, "cross-site request refused");
        return AppError::Forbidden("Cross-site request refused.".into()).into_response();
    }
    next.run(req).await
}

/// Whether a browser sent this request from one of Atelier's own pages, cookie or not (a page
/// of another site must not sign its visitor in to an account of the attacker's either). The
/// browser's own `Sec-Fetch-Site` first; else `Origin`, else `Referer`, compared with the host
/// asked for and the public URL. A request with none of them comes from no browser (a script, an
/// upstream's hook), and carries no one's cookie against their will. Err: what was claimed.
fn from_this_site(h: &axum::http::HeaderMap, config: &Config) -> Result<(), String> {
    let text = |name: header::HeaderName| h.get(name).map(|v| v.to_str().unwrap_or("(not text)"));
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return match site {
            "same-origin" | "none" => Ok(()),
            other => Err(format!("Sec-Fetch-Site: {other}")),
        };
    }
    let Some(claimed) = text(header::ORIGIN).or_else(|| text(header::REFERER)) else {
        return Ok(());
    };
    let from = authority(claimed);
    let ours = text(header::HOST).map(str::to_ascii_lowercase);
    let public = config.public_url.as_deref().and_then(authority);
    if from.is_some() && (from == ours || from == public) {
        Ok(())
    } else {
        Err(claimed.to_owned())
    }
}

/// `host[:port]` of a URL, lower-cased.
fn authority(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    (!auth.is_empty()).then(|| auth.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    #[test]
    fn authority_is_host_and_port() {
        assert_eq!(
            super::authority("http://127.0.0.1:3000/x?y").as_deref(),
            Some("127.0.0.1:3000")
        );
        assert_eq!(
            super::authority("https://Atelier.Example").as_deref(),
            Some("atelier.example")
        );
        assert_eq!(super::authority("null"), None);
    }
}
