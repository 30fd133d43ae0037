//! The content-addressed image store in the data dir, thumbnails, and safe downloads.
//!
//! Files live at `images/<2 hex>/<sha256>.<ext>`. A download goes to a temporary file, is checked
//! (size cap, PNG/JPEG/WebP magic bytes), then renamed into place: no half-written image is ever
//! served, and the same picture stored twice takes the space once.

use sha2::{Digest, Sha256};
use std::{
    net::IpAddr,
    path::{Path, PathBuf},
    time::Duration,
};

pub const MAX_BYTES: usize = 50 * 1024 * 1024;
pub const THUMB_MAX_PX: u32 = 512;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("refused URL: {0}")]
    Refused(String),
    #[error("download failed: {0}")]
    Download(String),
    #[error("the upstream answered HTTP {0}")]
    Status(u16),
    #[error("the image is larger than 50 MB")]
    TooLarge,
    #[error("not a PNG, JPEG or WebP image")]
    NotAnImage,
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
}

impl ImageError {
    /// Worth trying again later (the network), as opposed to an answer that will not change.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Download(_) | Self::Io(_))
            || matches!(self, Self::Status(s) if *s >= 500 || *s == 429)
    }
}

#[derive(Clone)]
pub struct ImageStore {
    root: PathBuf,
    http: reqwest::Client,
}

impl ImageStore {
    pub fn new(data_dir: &Path) -> Self {
        crate::init_tls();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            // Redirects are followed by hand, each checked.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            root: data_dir.join("images"),
            http,
        }
    }

    pub fn path_of(&self, key: &str) -> Option<PathBuf> {
        // Keys are produced here: hex, a dot, an extension. Anything else is refused.
        let ok = key.len() > 4
            && key
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '.' || c.is_ascii_lowercase());
        (ok && !key.contains("..")).then(|| self.root.join(&key[..2]).join(key))
    }

    /// Downloads `url` (http/https only; loopback, private and link-local addresses only when
    /// they are `trusted_host`, the configured upstream's own host) and stores it.
    pub async fn download(
        &self,
        url: &str,
        trusted_host: Option<&str>,
    ) -> Result<String, ImageError> {
        let mut url = reqwest::Url::parse(url).map_err(|e| ImageError::Refused(e.to_string()))?;
        for _ in 0..5 {
            check_url(&url, trusted_host)?;
            let mut res = self
                .http
                .get(url.clone())
                .send()
                .await
                .map_err(|e| ImageError::Download(e.to_string()))?;
            if res.status().is_redirection() {
                let next = res
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                    .ok_or_else(|| ImageError::Refused("redirect without a location".into()))?;
                url = next;
                continue;
            }
            if !res.status().is_success() {
                return Err(ImageError::Status(res.status().as_u16()));
            }
            if res.content_length().is_some_and(|n| n as usize > MAX_BYTES) {
                return Err(ImageError::TooLarge);
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = res
                .chunk()
                .await
                .map_err(|e| ImageError::Download(e.to_string()))?
            {
                if bytes.len() + chunk.len() > MAX_BYTES {
                    return Err(ImageError::TooLarge);
                }
                bytes.extend_from_slice(&chunk);
            }
            return self.put(&bytes).await;
        }
        Err(ImageError::Refused("too many redirects".into()))
    }

    /// Stores image bytes (checked to be PNG, JPEG or WebP); returns their key.
    pub async fn put(&self, bytes: &[u8]) -> Result<String, ImageError> {
        let ext = sniff(bytes).ok_or(ImageError::NotAnImage)?;
        let key = format!("{}.{ext}", hex::encode(Sha256::digest(bytes)));
        let path = self.path_of(&key).ok_or(ImageError::NotAnImage)?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(key);
        }
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        tokio::fs::create_dir_all(&dir).await?;
        let tmp = dir.join(format!(".{key}.{}.tmp", crate::db::new_id()));
        tokio::fs::write(&tmp, bytes).await?;
        if let Err(e) = tokio::fs::rename(&tmp, &path).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(e.into());
        }
        Ok(key)
    }

    /// Makes and stores a JPEG thumbnail (at most 512 px) of a stored image; returns its key and
    /// the image's own width and height.
    pub async fn thumbnail(&self, key: &str) -> Result<(String, u32, u32), ImageError> {
        let path = self.path_of(key).ok_or(ImageError::NotAnImage)?;
        let bytes = tokio::fs::read(path).await?;
        let (jpeg, width, height) =
            tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, u32, u32), ImageError> {
                let img = image::load_from_memory(&bytes).map_err(|_| ImageError::NotAnImage)?;
                let thumb = img.thumbnail(THUMB_MAX_PX, THUMB_MAX_PX).into_rgb8();
                let mut out = std::io::Cursor::new(Vec::new());
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
                    .encode_image(&thumb)
                    .map_err(|_| ImageError::NotAnImage)?;
                Ok((out.into_inner(), img.width(), img.height()))
            })
            .await
            .map_err(|e| ImageError::Io(std::io::Error::other(e)))??;
        Ok((self.put(&jpeg).await?, width, height))
    }

    /// Removes a stored file (the caller knows nobody holds it). A file already gone is fine.
    pub async fn remove(&self, key: &str) -> std::io::Result<()> {
        let Some(path) = self.path_of(key) else {
            return Ok(());
        };
        match tokio::fs::remove_file(path).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    pub async fn read(&self, key: &str) -> Option<(Vec<u8>, &'static str)> {
        let path = self.path_of(key)?;
        let bytes = tokio::fs::read(path).await.ok()?;
        let mime = match sniff(&bytes)? {
            "png" => "image/png",
            "jpg" => "image/jpeg",
            _ => "image/webp",
        };
        Some((bytes, mime))
    }
}

/// The file type from magic bytes: png, jpg or webp.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else {
        None
    }
}

fn check_url(url: &reqwest::Url, trusted_host: Option<&str>) -> Result<(), ImageError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ImageError::Refused(format!("scheme {}", url.scheme())));
    }
    let host = url
        .host_str()
        .ok_or_else(|| ImageError::Refused("no host".into()))?;
    if trusted_host.is_some_and(|t| t.eq_ignore_ascii_case(host)) {
        return Ok(());
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let internal = match bare.parse::<IpAddr>() {
        Ok(ip) => is_internal(ip),
        Err(_) => host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost"),
    };
    if internal {
        return Err(ImageError::Refused(format!("internal address {host}")));
    }
    Ok(())
}

fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.octets()[0] == 100 && (64..128).contains(&v4.octets()[1])
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_internal(IpAddr::V4(v4)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_http_urls_or_the_upstream_host() {
        let u = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(check_url(&u("https://cdn.example/x.png"), None).is_ok());
        for bad in [
            "http://127.0.0.1/x",
            "http://10.1.2.3/x",
            "http://192.168.0.1/x",
            "http://169.254.169.254/latest",
            "http://[::1]/x",
            "http://localhost/x",
            "file:///etc/passwd",
        ] {
            assert!(check_url(&u(bad), None).is_err(), "{bad}");
        }
        assert!(check_url(&u("http://127.0.0.1:9/x"), Some("127.0.0.1")).is_ok());
    }

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("jpg"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(sniff(b"<html>"), None);
    }
}
