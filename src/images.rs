//! The content-addressed image store, thumbnails, and safe downloads.
//!
//! Files are named by their content: `<2 hex>/<sha256>.<ext>`, in a directory (`file://`, the
//! default: `images/` in the data dir) or in S3-compatible storage (`s3://bucket/prefix`), both
//! through `object_store`. A file is written whole or not at all (a temporary file renamed into
//! place; one PUT), so no half-written image is ever served, and the same picture stored twice
//! takes the space once. Which files are in use is counted in the database (`db::blobs`).

use bytes::Bytes;
use futures::{StreamExt, stream::BoxStream};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, path::Path as ObjectPath};
use sha2::{Digest, Sha256};
use std::{net::IpAddr, path::PathBuf, sync::Arc, time::Duration};

pub const MAX_BYTES: usize = 50 * 1024 * 1024;
pub const THUMB_MAX_PX: u32 = 512;
/// The most pixels an image may have to be decoded (a MidJourney upscale is 4 MP; 2048 x 2048
/// is 4 MP too). A file's size says nothing of its pixels: a PNG of a few hundred kB may declare
/// 12,000 x 12,000 of them, 432 MB once decoded.
pub const MAX_PIXELS: u64 = 40_000_000;
/// The most memory one decode may ask for: the pixels at four bytes each, and room for the
/// decoder's own buffers.
const MAX_DECODE_ALLOC: u64 = MAX_PIXELS * 4 + 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("refused URL: {0}")]
    Refused(String),
    #[error("refused: {0} resolves only to addresses inside Atelier's network")]
    Internal(String),
    #[error("download failed: {0}")]
    Download(String),
    #[error("the upstream answered HTTP {0}")]
    Status(u16),
    #[error("the image is larger than 50 MB")]
    TooLarge,
    #[error("not a PNG, JPEG or WebP image")]
    NotAnImage,
    #[error("the image has {0} pixels, more than 40 megapixels")]
    TooManyPixels(u64),
    #[error("storage: {0}")]
    Store(#[from] object_store::Error),
}

impl ImageError {
    /// Worth trying again later (the network, the store), as opposed to an answer that will not
    /// change.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Download(_) | Self::Store(_))
            || matches!(self, Self::Status(s) if *s >= 500 || *s == 429)
    }

    /// What the task's owner is told: what went wrong, without the addresses, hosts and errors
    /// of Atelier's own network (the full error is logged and shown to admins).
    pub fn for_users(&self) -> &'static str {
        match self {
            Self::Refused(_) | Self::Internal(_) => {
                "The upstream's image is at an address Atelier does not download from."
            }
            Self::Download(_) | Self::Status(_) => "The upstream's image could not be downloaded.",
            Self::TooLarge => "The upstream's image is larger than 50 MB.",
            Self::NotAnImage => "The upstream's file is not a PNG, JPEG or WebP image.",
            Self::TooManyPixels(_) => "The upstream's image is larger than 40 megapixels.",
            Self::Store(_) => "The image could not be stored.",
        }
    }

    /// A download error as one of ours: a host refused by [`PublicOnly`] at connect time.
    fn from_request(e: reqwest::Error) -> Self {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(err) = source {
            if let Some(internal) = err.downcast_ref::<InternalHost>() {
                return Self::Internal(internal.0.clone());
            }
            source = err.source();
        }
        Self::Download(e.to_string())
    }
}

/// Where a URL points: its host (lowercase) and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    host: String,
    port: u16,
}

impl Origin {
    pub fn of(url: &reqwest::Url) -> Option<Self> {
        Some(Self {
            host: url.host_str()?.to_ascii_lowercase(),
            port: url.port_or_known_default()?,
        })
    }
}

/// The error of a name that resolves only to internal addresses.
#[derive(Debug)]
struct InternalHost(String);

impl std::fmt::Display for InternalHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves only to internal addresses", self.0)
    }
}

impl std::error::Error for InternalHost {}

/// The resolver of downloads from anywhere but the upstream itself: the addresses a name
/// resolves to are checked as the connection is made, so a name that points inside (to
/// 10.0.0.5, to this machine, rebinding between a check and the connect, NAT64) reaches
/// nothing internal. Literal addresses never reach a resolver: [`check_url`] refuses those.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<std::net::SocketAddr> =
                found.filter(|a| !is_internal(a.ip())).collect();
            if public.is_empty() {
                return Err(
                    Box::new(InternalHost(host)) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Where the images live: `ATELIER_STORAGE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// A directory.
    Dir(PathBuf),
    /// A bucket of S3-compatible storage, and a prefix inside it (maybe empty).
    S3 { bucket: String, prefix: String },
}

impl Storage {
    /// Reads `file:///path` (`file:relative` too) or `s3://bucket/optional/prefix`.
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let url = url.trim();
        if let Some(path) = url
            .strip_prefix("file://")
            .or_else(|| url.strip_prefix("file:"))
        {
            anyhow::ensure!(
                !path.is_empty(),
                "ATELIER_STORAGE_URL {url:?} names no directory"
            );
            return Ok(Self::Dir(path.into()));
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            anyhow::ensure!(
                !bucket.is_empty(),
                "ATELIER_STORAGE_URL {url:?} names no bucket (s3://bucket/optional/prefix)"
            );
            return Ok(Self::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
            });
        }
        anyhow::bail!(
            "ATELIER_STORAGE_URL must start with file:// or s3:// (got {:?})",
            url.split("://").next().unwrap_or(url)
        )
    }

    /// The default: `images/` in the data dir.
    pub fn in_data_dir(data_dir: &std::path::Path) -> Self {
        Self::Dir(data_dir.join("images"))
    }

    pub fn is_shared(&self) -> bool {
        matches!(self, Self::S3 { .. })
    }

    /// Where, for people and logs.
    pub fn describe(&self) -> String {
        match self {
            Self::Dir(dir) => dir.display().to_string(),
            Self::S3 { bucket, prefix } if prefix.is_empty() => format!("s3://{bucket}"),
            Self::S3 { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
        }
    }
}

/// A stored file, ready to stream.
pub struct StoredFile {
    pub mime: &'static str,
    pub size: u64,
    pub body: BoxStream<'static, Result<Bytes, object_store::Error>>,
}

#[derive(Clone)]
pub struct ImageStore {
    store: Arc<dyn ObjectStore>,
    /// The prefix inside the bucket (empty in a directory).
    prefix: String,
    /// The directory, for a store in one.
    dir: Option<PathBuf>,
    /// For the configured upstream's own host and port (which may well be internal).
    upstream: reqwest::Client,
    /// For anywhere else: only public addresses ([`PublicOnly`]).
    public: reqwest::Client,
}

impl ImageStore {
    /// Opens the store (a directory is made if missing). S3 is configured by the standard
    /// `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_REGION`.
    pub fn open(storage: &Storage) -> anyhow::Result<Self> {
        crate::init_tls();
        let (store, prefix): (Arc<dyn ObjectStore>, String) = match storage {
            Storage::Dir(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    anyhow::anyhow!("cannot make the image directory {}: {e}", dir.display())
                })?;
                let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", dir.display()))?;
                (Arc::new(fs), String::new())
            }
            Storage::S3 { bucket, prefix } => {
                let mut builder = object_store::aws::AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .with_retry(object_store::RetryConfig {
                        max_retries: 3,
                        retry_timeout: Duration::from_secs(20),
                        ..object_store::RetryConfig::default()
                    });
                if std::env::var("AWS_ENDPOINT_URL")
                    .or_else(|_| std::env::var("AWS_ENDPOINT"))
                    .is_ok_and(|e| e.starts_with("http://"))
                {
                    builder = builder.with_allow_http(true);
                }
                if std::env::var("AWS_REGION").is_err()
                    && std::env::var("AWS_DEFAULT_REGION").is_err()
                {
                    builder = builder.with_region("us-east-1");
                }
                let s3 = builder
                    .build()
                    .map_err(|e| anyhow::anyhow!("cannot use {}: {e}", storage.describe()))?;
                (Arc::new(s3), prefix.clone())
            }
        };
        let client = || {
            reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(60))
                // Redirects are followed by hand, each checked.
                .redirect(reqwest::redirect::Policy::none())
        };
        let upstream = client().build().unwrap_or_default();
        let public = client()
            .dns_resolver(PublicOnly)
            .build()
            .unwrap_or_default();
        Ok(Self {
            store,
            prefix,
            dir: match storage {
                Storage::Dir(dir) => Some(dir.clone()),
                Storage::S3 { .. } => None,
            },
            upstream,
            public,
        })
    }

    /// Where a key lives in the store; None for anything that is not a key made here (hex, a
    /// dot, an extension).
    fn path_of(&self, key: &str) -> Option<ObjectPath> {
        let ok = key.len() > 4
            && key
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '.' || c.is_ascii_lowercase());
        if !ok || key.contains("..") {
            return None;
        }
        let path = if self.prefix.is_empty() {
            format!("{}/{key}", &key[..2])
        } else {
            format!("{}/{}/{key}", self.prefix, &key[..2])
        };
        ObjectPath::parse(path).ok()
    }

    /// The store answers (readiness): its directory is there, or a listing of at most one name
    /// works.
    pub async fn ping(&self) -> Result<(), object_store::Error> {
        if let Some(dir) = &self.dir {
            return match tokio::fs::metadata(dir).await {
                Ok(m) if m.is_dir() => Ok(()),
                Ok(_) => Err(object_store::Error::NotFound {
                    path: dir.display().to_string(),
                    source: "not a directory".into(),
                }),
                Err(e) => Err(object_store::Error::NotFound {
                    path: dir.display().to_string(),
                    source: Box::new(e),
                }),
            };
        }
        let prefix = (!self.prefix.is_empty()).then(|| ObjectPath::from(self.prefix.as_str()));
        let mut names = self.store.list(prefix.as_ref());
        match names.next().await {
            Some(Err(e)) => Err(e),
            _ => Ok(()),
        }
    }

    /// Downloads `url` (http/https only; internal addresses only at `upstream`, the configured
    /// upstream's own host and port) and stores it.
    pub async fn download(
        &self,
        url: &str,
        upstream: Option<&Origin>,
    ) -> Result<String, ImageError> {
        let mut url = reqwest::Url::parse(url).map_err(|e| ImageError::Refused(e.to_string()))?;
        for _ in 0..5 {
            let at_upstream = upstream.is_some_and(|o| Origin::of(&url).as_ref() == Some(o));
            let client = if at_upstream {
                &self.upstream
            } else {
                check_url(&url)?;
                &self.public
            };
            let mut res = client
                .get(url.clone())
                .send()
                .await
                .map_err(ImageError::from_request)?;
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
            // The file is read whole (its hash names it, and the thumbnail decodes it): what
            // downloads at once may hold is bounded, by the size each declares (the most a file
            // may be when it declares none), taken in one step so that none waits holding part.
            let size = res.content_length().map_or(MAX_BYTES, |n| n as usize);
            let units = u32::try_from(size.div_ceil(DOWNLOAD_UNIT).max(1)).unwrap_or(u32::MAX);
            let _room = DOWNLOADING
                .acquire_many(units)
                .await
                .map_err(|e| ImageError::Download(e.to_string()))?;
            let mut bytes = Vec::with_capacity(size.min(MAX_BYTES));
            while let Some(chunk) = res
                .chunk()
                .await
                .map_err(|e| ImageError::Download(e.to_string()))?
            {
                if bytes.len() + chunk.len() > MAX_BYTES.min(size) {
                    return Err(ImageError::TooLarge);
                }
                bytes.extend_from_slice(&chunk);
            }
            return self.put(bytes).await;
        }
        Err(ImageError::Refused("too many redirects".into()))
    }

    /// Stores image bytes (checked to be PNG, JPEG or WebP) unless the same are stored already;
    /// returns their key ([`key_of`]).
    pub async fn put(&self, bytes: impl Into<Bytes>) -> Result<String, ImageError> {
        let bytes: Bytes = bytes.into();
        let key = key_of(&bytes).ok_or(ImageError::NotAnImage)?;
        let path = self.path_of(&key).ok_or(ImageError::NotAnImage)?;
        match self.store.head(&path).await {
            Ok(_) => return Ok(key),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        self.store.put(&path, PutPayload::from(bytes)).await?;
        Ok(key)
    }

    /// Stores an image given in base64 (as the OpenAI Images API and Stable Diffusion WebUI
    /// answer), within the same size limit as a download.
    pub async fn put_base64(&self, text: &str) -> Result<String, ImageError> {
        use base64::Engine as _;
        let text = text.trim();
        // A data URL's header, which some relays add.
        let text = text
            .strip_prefix("data:")
            .and_then(|t| t.split_once(',').map(|(_, data)| data))
            .unwrap_or(text);
        if text.len() / 4 * 3 > MAX_BYTES {
            return Err(ImageError::TooLarge);
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| ImageError::NotAnImage)?;
        self.put(bytes).await
    }

    /// The whole of a stored file (None when there is no such file).
    pub async fn bytes(&self, key: &str) -> Result<Option<Bytes>, ImageError> {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        match self.store.get(&path).await {
            Ok(got) => Ok(Some(got.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Makes and stores a JPEG thumbnail (at most 512 px) of a stored image; returns its key and
    /// the image's own width and height. A few at a time ([`DECODING`]), each within
    /// [`decode`]'s limits.
    pub async fn thumbnail(&self, key: &str) -> Result<(String, u32, u32), ImageError> {
        let bytes = self.bytes(key).await?.ok_or(ImageError::NotAnImage)?;
        let (jpeg, width, height) = decoding_picture(bytes, |bytes| {
            let img = decode(bytes)?;
            let thumb = img.thumbnail(THUMB_MAX_PX, THUMB_MAX_PX).into_rgb8();
            let mut out = std::io::Cursor::new(Vec::new());
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 82)
                .encode_image(&thumb)
                .map_err(|_| ImageError::NotAnImage)?;
            Ok((out.into_inner(), img.width(), img.height()))
        })
        .await?;
        Ok((self.put(jpeg).await?, width, height))
    }

    /// Removes a stored file (the caller knows nobody holds it). A file already gone is fine.
    pub async fn remove(&self, key: &str) -> Result<(), ImageError> {
        let Some(path) = self.path_of(key) else {
            return Ok(());
        };
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// A stored file as a stream, never read whole into memory (None when there is none).
    pub async fn open_file(&self, key: &str) -> Result<Option<StoredFile>, ImageError> {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        let Some(mime) = key.rsplit('.').next().and_then(mime) else {
            return Ok(None);
        };
        match self.store.get(&path).await {
            Ok(got) => Ok(Some(StoredFile {
                mime,
                size: got.meta.size,
                body: got.into_stream(),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// Downloads in flight hold at most this many bytes together (three files of the largest size).
const DOWNLOAD_BUDGET: usize = 3 * MAX_BYTES;
const DOWNLOAD_UNIT: usize = 64 * 1024;
static DOWNLOADING: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(DOWNLOAD_BUDGET / DOWNLOAD_UNIT);

/// Decodes in flight may hold this much memory together (one 40-megapixel picture at four bytes a
/// pixel fits alone): a decode waits for its share, so a burst of large pictures is decoded one
/// or two at a time whatever the number of cores, while small ones run side by side.
const DECODE_BUDGET_MB: u32 = 200;
static DECODE_MEMORY: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(DECODE_BUDGET_MB as usize);
/// And at most one decode per core.
static DECODING: std::sync::LazyLock<Arc<tokio::sync::Semaphore>> =
    std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
        Arc::new(tokio::sync::Semaphore::new(cores))
    });

/// The memory, in MB of [`DECODE_BUDGET_MB`], a decode of `pixels` pixels may use: the pixels
/// at four bytes, one byte more for what is made of them, and the decoder's own buffers.
fn decode_share(pixels: u64) -> u32 {
    u32::try_from((pixels * 5 / (1024 * 1024)) + 2)
        .unwrap_or(u32::MAX)
        .min(DECODE_BUDGET_MB)
}

/// Runs a decoding job of a picture of `pixels` pixels (as its header declares, see
/// [`dimensions`]) on a blocking thread, once its share of the memory budget and a core are free.
async fn decoding<T: Send + 'static>(
    pixels: u64,
    job: impl FnOnce() -> Result<T, ImageError> + Send + 'static,
) -> Result<T, ImageError> {
    let memory = DECODE_MEMORY
        .acquire_many(decode_share(pixels))
        .await
        .map_err(|e| ImageError::Download(format!("decoding: {e}")))?;
    let turn = DECODING
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ImageError::Download(format!("decoding: {e}")))?;
    tokio::task::spawn_blocking(move || {
        let _held = (memory, turn);
        job()
    })
    .await
    .map_err(|e| ImageError::Download(format!("decoding: {e}")))?
}

/// [`decoding`] of one picture: its header read first, for its size and its share of memory.
pub async fn decoding_picture<B, T>(
    bytes: B,
    job: impl FnOnce(&[u8]) -> Result<T, ImageError> + Send + 'static,
) -> Result<T, ImageError>
where
    B: AsRef<[u8]> + Send + 'static,
    T: Send + 'static,
{
    let (w, h) = dimensions(bytes.as_ref())?;
    decoding(u64::from(w) * u64::from(h), move || job(bytes.as_ref())).await
}

/// The key image bytes are stored under: their SHA-256 and their type (None: not an image).
pub fn key_of(bytes: &[u8]) -> Option<String> {
    let ext = sniff(bytes)?;
    Some(format!("{}.{ext}", hex::encode(Sha256::digest(bytes))))
}

fn reader(bytes: &[u8]) -> Result<image::ImageReader<std::io::Cursor<&[u8]>>, ImageError> {
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| ImageError::NotAnImage)
}

/// A picture's width and height from its header, no pixel decoded: refused past [`MAX_PIXELS`].
pub fn dimensions(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    // A PNG's size is in its first chunk (the crate's reader wants the first image data too,
    // which a bomb need not have).
    let (w, h) = match png_size(bytes) {
        Some(size) => size,
        None => reader(bytes)?
            .into_dimensions()
            .map_err(|_| ImageError::NotAnImage)?,
    };
    if w == 0 || h == 0 {
        return Err(ImageError::NotAnImage);
    }
    let pixels = u64::from(w) * u64::from(h);
    if pixels > MAX_PIXELS {
        return Err(ImageError::TooManyPixels(pixels));
    }
    Ok((w, h))
}

/// Decodes a PNG, JPEG or WebP after reading its declared size: more than [`MAX_PIXELS`] is
/// refused before any pixel is decoded, and the decoder may allocate at most
/// [`MAX_DECODE_ALLOC`] whatever the file claims.
pub fn decode(bytes: &[u8]) -> Result<image::DynamicImage, ImageError> {
    let (w, h) = dimensions(bytes)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = reader(bytes)?;
    reader.limits(limits);
    reader.decode().map_err(|_| ImageError::NotAnImage)
}

/// Atelier's masks, in one convention whatever the engine: the part to repaint is transparent
/// (OpenAI's edits), or, in a mask without transparency, white. This is the mask as a
/// black-and-white PNG whose white pixels are the part to repaint (Stable Diffusion's inpainting,
/// MidJourney's Vary (Region)).
pub fn white_repaints(bytes: &[u8]) -> Result<Vec<u8>, ImageError> {
    gray_png(&repaint_map(bytes)?)
}

/// A mask for a picture of `width` x `height` (MidJourney's Vary (Region)): as
/// [`white_repaints`], scaled to the picture's size when drawn at another (the editor paints on
/// the picture as the screen shows it). None: its shape is not the picture's, it is more than
/// [`MASK_SCALE_MAX`] times its size, or it repaints nothing. The shape is read from the header:
/// a mask that does not fit is refused before any pixel is decoded.
pub fn mask_for(bytes: &[u8], width: u32, height: u32) -> Result<Option<Vec<u8>>, ImageError> {
    let Some((w, h)) = mask_fits(bytes, width, height)? else {
        return Ok(None);
    };
    let map = repaint_map(bytes)?;
    if !map.pixels().any(|p| p.0[0] == 255) {
        return Ok(None);
    }
    let map = if (w, h) == (width, height) {
        map
    } else {
        image::imageops::resize(&map, width, height, image::imageops::FilterType::Nearest)
    };
    gray_png(&map).map(Some)
}

/// How much larger than its picture a mask may be drawn, each side (a screen of high density).
pub const MASK_SCALE_MAX: u32 = 4;

/// The mask's own size, if it may paint on a picture of `width` x `height`: the same shape
/// (within 2 %), and at most [`MASK_SCALE_MAX`] times its size each side.
pub fn mask_fits(bytes: &[u8], width: u32, height: u32) -> Result<Option<(u32, u32)>, ImageError> {
    let (w, h) = dimensions(bytes)?;
    let (asked, given) = (
        f64::from(width) / f64::from(height.max(1)),
        f64::from(w) / f64::from(h.max(1)),
    );
    let within =
        w <= width.saturating_mul(MASK_SCALE_MAX) && h <= height.saturating_mul(MASK_SCALE_MAX);
    Ok(((asked / given - 1.0).abs() <= 0.02 && within).then_some((w, h)))
}

/// White where a mask repaints, black elsewhere: one byte a pixel, built as the file is read (a
/// PNG row by row, so the picture is never held whole; other formats from one grey+alpha copy).
fn repaint_map(bytes: &[u8]) -> Result<image::GrayImage, ImageError> {
    let (w, h) = dimensions(bytes)?;
    if let Some(map) = png_repaint_map(bytes, w, h)? {
        return Ok(map);
    }
    let grey = decode(bytes)?.into_luma_alpha8();
    let mut map = RepaintMap::with_capacity(w, h);
    for p in grey.pixels() {
        map.push(p.0[0], p.0[1]);
    }
    drop(grey);
    map.finish(w, h)
}

/// A repaint map as it is read: each pixel's two answers (white? transparent?) in one byte,
/// until the whole file says which convention it follows.
struct RepaintMap {
    px: Vec<u8>,
    translucent: bool,
}

impl RepaintMap {
    fn with_capacity(w: u32, h: u32) -> Self {
        Self {
            px: Vec::with_capacity(usize::try_from(u64::from(w) * u64::from(h)).unwrap_or(0)),
            translucent: false,
        }
    }

    fn push(&mut self, luma: u8, alpha: u8) {
        self.px
            .push(u8::from(luma >= 128) | (u8::from(alpha < 128) << 1));
        self.translucent |= alpha < 255;
    }

    /// By transparency if any pixel is not opaque, else by whiteness.
    fn finish(mut self, w: u32, h: u32) -> Result<image::GrayImage, ImageError> {
        let bit = if self.translucent { 2 } else { 1 };
        for p in &mut self.px {
            *p = if *p & bit != 0 { 255 } else { 0 };
        }
        image::GrayImage::from_raw(w, h, self.px).ok_or(ImageError::NotAnImage)
    }
}

/// Rec. 709 luma, as the image crate computes it (truncated).
fn luma(r: u8, g: u8, b: u8) -> u8 {
    let l = (2126 * u32::from(r) + 7152 * u32::from(g) + 722 * u32::from(b)) / 10_000;
    u8::try_from(l).unwrap_or(u8::MAX)
}

/// [`repaint_map`] of a PNG that is not interlaced, read row by row (None: another kind of file).
fn png_repaint_map(bytes: &[u8], w: u32, h: u32) -> Result<Option<image::GrayImage>, ImageError> {
    if sniff(bytes) != Some("png") {
        return Ok(None);
    }
    let limits = png::Limits {
        bytes: usize::try_from(MAX_DECODE_ALLOC).unwrap_or(usize::MAX),
    };
    let mut decoder = png::Decoder::new_with_limits(std::io::Cursor::new(bytes), limits);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|_| ImageError::NotAnImage)?;
    if reader.info().interlaced || (reader.info().width, reader.info().height) != (w, h) {
        return Ok(None);
    }
    let (color, _) = reader.output_color_type();
    let mut map = RepaintMap::with_capacity(w, h);
    while let Some(row) = reader.next_row().map_err(|_| ImageError::NotAnImage)? {
        let data = row.data();
        match color {
            png::ColorType::Grayscale => data.iter().for_each(|l| map.push(*l, 255)),
            png::ColorType::GrayscaleAlpha => {
                data.chunks_exact(2).for_each(|p| map.push(p[0], p[1]))
            }
            png::ColorType::Rgb => data
                .chunks_exact(3)
                .for_each(|p| map.push(luma(p[0], p[1], p[2]), 255)),
            png::ColorType::Rgba => data
                .chunks_exact(4)
                .for_each(|p| map.push(luma(p[0], p[1], p[2]), p[3])),
            png::ColorType::Indexed => return Ok(None),
        }
    }
    if map.px.len() != usize::try_from(u64::from(w) * u64::from(h)).unwrap_or(0) {
        return Err(ImageError::NotAnImage);
    }
    map.finish(w, h).map(Some)
}

fn gray_png(map: &image::GrayImage) -> Result<Vec<u8>, ImageError> {
    let mut png = std::io::Cursor::new(Vec::new());
    map.write_to(&mut png, image::ImageFormat::Png)
        .map_err(|_| ImageError::NotAnImage)?;
    Ok(png.into_inner())
}

/// Width and height from a PNG's IHDR chunk (always the first).
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let be = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    (bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR"))
        .then(|| Some((be(16)?, be(20)?)))
        .flatten()
}

/// The media type of a stored file's extension (what [`sniff`] names).
pub fn mime(ext: &str) -> Option<&'static str> {
    match ext {
        "png" => Some("image/png"),
        "jpg" => Some("image/jpeg"),
        "webp" => Some("image/webp"),
        _ => None,
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

/// The checks a URL away from the upstream passes before any connection: http or https, and
/// not a literal internal address (names are checked as they resolve, by [`PublicOnly`]).
fn check_url(url: &reqwest::Url) -> Result<(), ImageError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ImageError::Refused(format!("scheme {}", url.scheme())));
    }
    let host = url
        .host_str()
        .ok_or_else(|| ImageError::Refused("no host".into()))?;
    // The URL parser has written any IPv4 address in its dotted form (`127.1`, `0x7f000001`).
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let internal = match bare.parse::<IpAddr>() {
        Ok(ip) => is_internal(ip),
        Err(_) => {
            let name = host.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    };
    if internal {
        return Err(ImageError::Refused(format!("internal address {host}")));
    }
    Ok(())
}

/// Addresses that are not on the public internet: loopback, private, link-local, carrier-grade
/// NAT, "this network", benchmarking, multicast and reserved ranges; in IPv6 also unique-local,
/// and any IPv4 address embedded in an IPv6 one (mapped, compatible, NAT64, 6to4).
fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || a == 100 && (64..128).contains(&b)
                || a == 198 && (b == 18 || b == 19)
                || a == 192 && b == 0 && v4.octets()[2] == 0
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let embedded = |hi: u16, lo: u16| {
                is_internal(IpAddr::V4(std::net::Ipv4Addr::new(
                    (hi >> 8) as u8,
                    hi as u8,
                    (lo >> 8) as u8,
                    lo as u8,
                )))
            };
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_internal(IpAddr::V4(v4)))
                // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96, 64:ff9b:1::/48).
                || s[..6] == [0; 6] && embedded(s[6], s[7])
                || s[0] == 0x64 && s[1] == 0xff9b && embedded(s[6], s[7])
                // 6to4: 2002:aabb:ccdd::/48.
                || s[0] == 0x2002 && embedded(s[1], s[2])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_http_urls_away_from_the_upstream() {
        let u = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(check_url(&u("https://cdn.example/x.png")).is_ok());
        assert!(check_url(&u("http://[2606:4700::1111]/x.png")).is_ok());
        for bad in [
            "http://127.0.0.1/x",
            "http://127.1/x",
            "http://0x7f000001/x",
            "http://2130706433/x",
            "http://0.0.0.0/x",
            "http://10.1.2.3/x",
            "http://192.168.0.1/x",
            "http://100.64.0.1/x",
            "http://169.254.169.254/latest",
            "http://[::1]/x",
            "http://[::ffff:10.0.0.5]/x",
            "http://[::10.0.0.5]/x",
            "http://[64:ff9b::a00:5]/x",
            "http://[2002:a00:5::1]/x",
            "http://[fd00::1]/x",
            "http://[fe80::1]/x",
            "http://localhost/x",
            "http://LOCALHOST./x",
            "http://a.localhost/x",
            "file:///etc/passwd",
        ] {
            assert!(check_url(&u(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn masks_repaint_where_transparent_or_else_where_white() {
        let png = |img: image::DynamicImage| {
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, image::ImageFormat::Png).unwrap();
            out.into_inner()
        };
        let read = |bytes: Vec<u8>| image::load_from_memory(&bytes).unwrap().to_luma8();
        // OpenAI's convention: transparent is repainted.
        let alpha = image::RgbaImage::from_fn(4, 1, |x, _| {
            image::Rgba([0, 0, 0, if x < 2 { 0 } else { 255 }])
        });
        let m = read(white_repaints(&png(alpha.into())).unwrap());
        assert_eq!(m.as_raw(), &vec![255, 255, 0, 0]);
        // An opaque mask: white is repainted, as painted.
        let gray =
            image::GrayImage::from_fn(4, 1, |x, _| image::Luma([if x == 3 { 250 } else { 10 }]));
        let m = read(white_repaints(&png(gray.into())).unwrap());
        assert_eq!(m.as_raw(), &vec![0, 0, 0, 255]);
        assert!(white_repaints(b"not an image").is_err());
    }

    /// The row-by-row map of a PNG says what a whole decode says, in every colour type (16-bit,
    /// a palette with transparency, grey+alpha), and other formats take the decoding path.
    #[test]
    fn a_mask_read_row_by_row_matches_the_decoded_picture() {
        let encode = |img: image::DynamicImage, format| {
            let mut out = std::io::Cursor::new(Vec::new());
            img.write_to(&mut out, format).unwrap();
            out.into_inner()
        };
        // What the whole picture says, pixel by pixel (its grey as Rec. 709 luma).
        let expected = |img: &image::DynamicImage| {
            let rgba = img.to_rgba8();
            let translucent = rgba.pixels().any(|p| p.0[3] < 255);
            let v: Vec<u8> = rgba
                .pixels()
                .map(|p| {
                    let [r, g, b, a] = p.0;
                    let white = if translucent {
                        a < 128
                    } else {
                        luma(r, g, b) >= 128
                    };
                    if white { 255 } else { 0 }
                })
                .collect();
            v
        };
        let (w, h) = (37, 11);
        let f = |x: u32, y: u32| ((x * 7 + y * 13) % 256) as u8;
        let pictures: Vec<image::DynamicImage> = vec![
            image::GrayImage::from_fn(w, h, |x, y| image::Luma([f(x, y)])).into(),
            image::GrayAlphaImage::from_fn(w, h, |x, y| image::LumaA([f(x, y), f(y, x)])).into(),
            image::RgbImage::from_fn(w, h, |x, y| image::Rgb([f(x, y), f(y, x), 200])).into(),
            image::RgbaImage::from_fn(w, h, |x, y| image::Rgba([f(x, y), 9, 9, f(y, x)])).into(),
            image::DynamicImage::ImageRgba16(image::ImageBuffer::from_fn(w, h, |x, y| {
                image::Rgba([u16::from(f(x, y)) << 8, 0, 0, if x < 5 { 0 } else { 65535 }])
            })),
        ];
        for img in &pictures {
            let bytes = encode(img.clone(), image::ImageFormat::Png);
            assert!(
                png_repaint_map(&bytes, w, h).unwrap().is_some(),
                "{:?}",
                img.color()
            );
            assert_eq!(
                repaint_map(&bytes).unwrap().into_raw(),
                expected(img),
                "{:?}",
                img.color()
            );
        }
        let jpeg = encode(pictures[2].clone(), image::ImageFormat::Jpeg);
        assert!(png_repaint_map(&jpeg, w, h).unwrap().is_none());
        let grey = image::load_from_memory(&jpeg).unwrap().to_luma8();
        let by_decoding: Vec<u8> = grey
            .pixels()
            .map(|p| if p.0[0] >= 128 { 255 } else { 0 })
            .collect();
        assert_eq!(repaint_map(&jpeg).unwrap().into_raw(), by_decoding);
    }

    #[test]
    fn a_mask_must_have_its_pictures_shape_and_a_bounded_size() {
        let mask = |w, h| header_only(w, h);
        assert_eq!(mask_fits(&mask(64, 64), 64, 64).unwrap(), Some((64, 64)));
        assert_eq!(mask_fits(&mask(32, 32), 64, 64).unwrap(), Some((32, 32)));
        assert_eq!(
            mask_fits(&mask(256, 256), 64, 64).unwrap(),
            Some((256, 256))
        );
        assert_eq!(
            mask_fits(&mask(257, 257), 64, 64).unwrap(),
            None,
            "too large"
        );
        assert_eq!(
            mask_fits(&mask(64, 32), 64, 64).unwrap(),
            None,
            "another shape"
        );
        assert!(matches!(
            mask_fits(&mask(12_000, 12_000), 64, 64),
            Err(ImageError::TooManyPixels(_))
        ));
    }

    #[tokio::test]
    async fn names_that_resolve_inside_are_refused_as_they_connect() {
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        let refused = PublicOnly.resolve(name).await.err().expect("refused");
        assert!(refused.to_string().contains("internal"), "{refused}");
    }

    #[test]
    fn an_origin_is_its_host_and_port() {
        let o = |s: &str| Origin::of(&reqwest::Url::parse(s).unwrap());
        assert_eq!(o("http://Up.example/a"), o("http://up.example:80/b"));
        assert_ne!(o("http://up.example/a"), o("http://up.example:8080/a"));
        assert_ne!(o("http://127.0.0.1:9/a"), o("http://127.0.0.1:10/a"));
    }

    /// A PNG that declares `w` x `h` pixels and holds none of them.
    fn header_only(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        drop(encoder.write_header().unwrap());
        out
    }

    #[test]
    fn images_past_40_megapixels_are_refused_before_decoding() {
        for (w, h) in [(12_000, 12_000), (30_000, 30_000), (40_000, 1_001)] {
            match decode(&header_only(w, h)) {
                Err(ImageError::TooManyPixels(n)) => assert_eq!(n, u64::from(w) * u64::from(h)),
                other => panic!("{w}x{h}: {:?}", other.map(|_| ())),
            }
        }
        // 40 MP exactly passes the check (and fails later: no pixels in the file).
        assert!(matches!(
            decode(&header_only(8_000, 5_000)),
            Err(ImageError::NotAnImage)
        ));
    }

    #[test]
    fn sniffs_magic_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("jpg"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(sniff(b"<html>"), None);
    }
}
