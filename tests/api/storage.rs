//! The image store on a directory, and on S3 (SeaweedFS) when the test command provides it: the
//! same contract on both.

use atelier::images::{ImageStore, Storage};
use futures::StreamExt;

/// A small real PNG.
fn png(shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([shade, 40, 200]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn streamed(store: &ImageStore, key: &str) -> Option<(String, u64, Vec<u8>)> {
    let file = store.open_file(key).await.unwrap()?;
    let mut body = Vec::new();
    let mut chunks = file.body;
    while let Some(chunk) = chunks.next().await {
        body.extend_from_slice(&chunk.unwrap());
    }
    Some((file.mime.to_owned(), file.size, body))
}

async fn the_contract_holds(storage: Storage) {
    let store = ImageStore::open(&storage).unwrap();
    store.ping().await.expect("the store answers");
    let picture = png(10);
    let key = store.put(picture.clone()).await.unwrap();
    assert!(key.ends_with(".png"), "{key}");
    assert_eq!(
        store.put(picture.clone()).await.unwrap(),
        key,
        "content-addressed"
    );
    let (mime, size, body) = streamed(&store, &key).await.expect("stored");
    assert_eq!((mime.as_str(), size), ("image/png", picture.len() as u64));
    assert_eq!(body, picture);
    let (thumb, width, height) = store.thumbnail(&key).await.unwrap();
    assert_eq!((width, height), (8, 8));
    assert!(thumb.ends_with(".jpg"));
    assert!(store.bytes(&thumb).await.unwrap().is_some());
    // What is not an image is refused; what is not a key is never looked up.
    assert!(store.put(b"<html>".to_vec()).await.is_err());
    for bad in ["../../etc/passwd", "ab", "x/../y.png"] {
        assert!(store.open_file(bad).await.unwrap().is_none(), "{bad}");
    }
    store.remove(&key).await.unwrap();
    assert!(streamed(&store, &key).await.is_none(), "removed");
    store.remove(&key).await.expect("removing twice is fine");
}

#[tokio::test]
async fn a_directory_stores_streams_and_removes_images() {
    let dir = tempfile::tempdir().unwrap();
    the_contract_holds(Storage::Dir(dir.path().join("images"))).await;
}

#[tokio::test]
async fn s3_stores_streams_and_removes_images() {
    let Some(storage) = crate::helpers::fresh_s3() else {
        // Without the test command's SeaweedFS there is no S3 to test against.
        return;
    };
    the_contract_holds(storage).await;
}
