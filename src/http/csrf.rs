//! Refuses state-changing requests from another site that ride on the session cookie: a POST,
//! PUT, PATCH or DELETE with the cookie (and no bearer token) must come from this origin.

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
    let text = |name: header::HeaderName| h.get(name).and_then(|v| v.to_str().ok());
    let rides_on_cookie = h.get(header::AUTHORIZATION).is_none() && h.get(header::COOKIE).is_some();
    if rides_on_cookie {
        let claimed = text(header::ORIGIN).or_else(|| text(header::REFERER));
        if let Some(claimed) = claimed {
            let from = authority(claimed);
            let ours = text(header::HOST).map(str::to_ascii_lowercase);
            let public = config.public_url.as_deref().map(authority);
            let same = from.is_some() && (from == ours || from == public.flatten());
            if !same {
                tracing::warn!(origin = claimed, "cross-site request refused");
                return AppError::Forbidden("Cross-site request refused.".into()).into_response();
            }
        }
    }
    next.run(req).await
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
