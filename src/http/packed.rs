//! The site's code (`/pkg/`: WASM, JS, CSS), compressed once with brotli at its best setting and
//! kept in memory: the answers' own compression must be quick, so it packs the main WASM module
//! about a quarter worse. The packing runs once, in the background, when the site's code is
//! first asked for (a server nobody visits with a browser never spends on it); until it is done,
//! files are served as before, compressed on the fly.

use axum::{
    body::Body,
    http::{HeaderValue, Request, header},
    middleware::Next,
    response::Response,
};
use bytes::Bytes;
use std::{collections::HashMap, path::Path, sync::OnceLock};

/// The packed files, by path (`/pkg/atelier.<hash>.wasm`).
static PACKED: OnceLock<HashMap<String, Bytes>> = OnceLock::new();
/// Where the site's files are (set at start), and whether their packing has begun.
static SITE_ROOT: OnceLock<String> = OnceLock::new();
static STARTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Says where the site's files are, to pack when they are first asked for.
pub fn site_root(root: &str) {
    let _ = SITE_ROOT.set(root.to_owned());
}

/// The kinds worth packing, and their types.
fn content_type(path: &str) -> Option<&'static str> {
    match path.rsplit('.').next()? {
        "wasm" => Some("application/wasm"),
        "js" => Some("text/javascript"),
        "css" => Some("text/css"),
        "json" => Some("application/json"),
        _ => None,
    }
}

/// Packs every file of `<site_root>/pkg` (once; later calls do nothing).
pub fn pack(site_root: &str) {
    if PACKED.get().is_some() {
        return;
    }
    let dir = Path::new(site_root).join("pkg");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut packed = HashMap::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if content_type(&name).is_none() {
            continue;
        }
        let Ok(raw) = std::fs::read(entry.path()) else {
            continue;
        };
        packed.insert(format!("/pkg/{name}"), Bytes::from(compress(&raw)));
    }
    tracing::debug!(files = packed.len(), "site code packed");
    let _ = PACKED.set(packed);
}

/// Brotli at quality 11 with a 4 MB window.
pub fn compress(raw: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        size_hint: raw.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(raw.len() / 3);
    let _ = brotli::BrotliCompress(&mut std::io::Cursor::new(raw), &mut out, &params);
    out
}

/// The client takes brotli (`br` in Accept-Encoding, not with q=0).
fn takes_br(req: &Request<Body>) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut it = part.split(';').map(str::trim);
            let br = it.next().is_some_and(|c| c.eq_ignore_ascii_case("br"));
            let weight = it
                .find_map(|p| {
                    p.strip_prefix("q=")
                        .map(|q| q.trim().parse::<f32>().unwrap_or(0.0))
                })
                .unwrap_or(1.0);
            br && weight > 0.0
        })
}

/// Answers a GET of a packed file from memory (with its encoding and the usual headers);
/// anything else goes on.
pub async fn serve(req: Request<Body>, next: Next) -> Response {
    if req.uri().path().starts_with("/pkg/")
        && !STARTED.swap(true, std::sync::atomic::Ordering::Relaxed)
        && let Some(root) = SITE_ROOT.get()
    {
        tokio::task::spawn_blocking(move || pack(root));
    }
    let found = (req.method() == axum::http::Method::GET && takes_br(&req))
        .then(|| PACKED.get()?.get(req.uri().path()).cloned())
        .flatten();
    let (Some(body), Some(kind)) = (found, content_type(req.uri().path())) else {
        return next.run(req).await;
    };
    let mut res = Response::new(Body::from(body));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(encoding: &str) -> Request<Body> {
        Request::builder()
            .header(header::ACCEPT_ENCODING, encoding)
            .body(Body::empty())
            .unwrap()
    }

    #[test]
    fn br_is_taken_unless_refused() {
        assert!(takes_br(&asking("gzip, deflate, br, zstd")));
        assert!(takes_br(&asking("br;q=0.5")));
        assert!(!takes_br(&asking("gzip, deflate")));
        assert!(!takes_br(&asking("br;q=0")));
        assert!(!takes_br(&asking("br; q=0.0")));
    }

    #[test]
    fn packing_round_trips() {
        let raw: Vec<u8> = (0..50_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let packed = compress(&raw);
        assert!(packed.len() < raw.len() / 4);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut std::io::Cursor::new(&packed), &mut back).unwrap();
        assert_eq!(back, raw);
    }
}
