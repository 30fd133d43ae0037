//! `atelier copy`: an SQLite installation moved into PostgreSQL and S3 keeps every user, balance,
//! ledger entry, task and image. Under the test command's PostgreSQL and SeaweedFS run only.

use crate::helpers::spawn_app_with;
use atelier::{db, images};
use serde_json::json;

#[tokio::test]
async fn an_sqlite_installation_moved_into_postgresql_and_s3_keeps_everything() {
    let (Some(target), Some(target_images)) = (
        crate::helpers::fresh_postgres().await,
        crate::helpers::fresh_s3(),
    ) else {
        return;
    };
    // The old installation: SQLite and a directory, used for a while.
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_path_buf();
    let old = spawn_app_with(move |c| {
        c.database = db::Location::in_data_dir(&data_dir);
        c.storage = images::Storage::in_data_dir(&data_dir);
        c.data_dir = data_dir;
    })
    .await;
    let admin = old.signed_up("Ada", "ada@example.com").await;
    let user = old.signed_up("Bo", "bo@example.com").await;
    let key = old.api_key(&user, "script").await;
    let made = old.generate(&user, "a red fox in snow", "relax").await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["task"]["id"].as_str().unwrap().to_owned();
    let done = old.tick_until_succeeded(&user, &id).await;
    old.generate(&user, "a second fox", "relax").await;
    let foxes = old
        .post("/api/v1/collections", json!({"name": "Foxes"}), Some(&user))
        .await;
    let foxes = foxes.body["collection"]["id"].as_str().unwrap().to_owned();
    old.put(&format!("/api/v1/collections/{foxes}/tasks/{id}"), &user)
        .await;
    let collections_before = old.get("/api/v1/collections", Some(&user)).await.body;
    // Shared, published, liked and commented.
    let share = old
        .post(&format!("/api/v1/tasks/{id}/share"), json!({}), Some(&user))
        .await;
    assert_eq!(share.status, 201, "{}", share.body);
    let publish = old
        .post(
            &format!("/api/v1/tasks/{id}/publish"),
            json!({}),
            Some(&user),
        )
        .await;
    assert_eq!(publish.status, 204);
    old.put(&format!("/api/v1/tasks/{id}/like"), &admin).await;
    let comment = old
        .post(
            &format!("/api/v1/tasks/{id}/comments"),
            json!({"body": "Lovely fox"}),
            Some(&admin),
        )
        .await;
    assert_eq!(comment.status, 201, "{}", comment.body);
    let report = old
        .post(
            &format!("/api/v1/tasks/{id}/report"),
            json!({"reason": "test"}),
            Some(&admin),
        )
        .await;
    assert_eq!(report.status, 204);
    let gallery_before = old.get("/api/v1/gallery", Some(&admin)).await.body;
    let comments_before = old
        .get(&format!("/api/v1/tasks/{id}/comments"), Some(&admin))
        .await
        .body;
    let reports_before = old.get("/api/v1/reports", Some(&admin)).await.body;
    let channel = old
        .post(
            "/api/v1/channels",
            json!({"kind": "midjourney", "name": "Proxy", "api_url": "https://proxy.example",
                   "api_secret": "sk-proxy-7788"}),
            Some(&admin),
        )
        .await;
    assert_eq!(channel.status, 201, "{}", channel.body);
    let channels_before = old.get("/api/v1/channels", Some(&admin)).await.body;
    let users_before = old.get("/api/v1/users", Some(&admin)).await.body;
    let credits_before = old.get("/api/v1/credits?limit=100", Some(&user)).await.body;
    let tasks_before = old.get("/api/v1/tasks?limit=100", Some(&user)).await.body;
    let image_url = done["image_url"].as_str().unwrap().to_owned();
    let (_, picture) = old.file(&user, &image_url).await;

    let to = db::open(&target).await.unwrap();
    let to_images = images::ImageStore::open(&target_images).unwrap();
    // The old installation's key is a file in its data dir; the new instances share a key.
    let shared =
        atelier::services::settings::SecretBox::open(dir.path(), Some("shared key")).unwrap();
    let copy = || {
        atelier::copy::copy(
            atelier::copy::Side {
                pool: &old.engine.pool,
                images: &old.engine.images,
                secrets: &old.engine.secrets,
            },
            atelier::copy::Side {
                pool: &to,
                images: &to_images,
                secrets: &shared,
            },
        )
    };
    let report = copy().await.unwrap();
    assert_eq!(report.missing_files, 0);
    assert!(
        report.files >= 3,
        "the image, its thumbnail and previews: {report:?}"
    );
    // A second copy into the same database is refused: it is no longer new.
    let again = copy().await.expect_err("the target is not new");
    assert!(
        format!("{again:#}").contains("already has accounts"),
        "{again:#}"
    );

    // The new installation: the same people sign in with the same passwords and keys, and find
    // the same balances, ledger, tasks and pictures.
    let new = spawn_app_with(move |c| {
        c.database = target;
        c.storage = target_images;
        c.secret_key = Some("shared key".into());
    })
    .await;
    assert_eq!(
        new.get("/api/v1/channels", Some(&admin)).await.body,
        channels_before,
        "the channels, their secrets readable with the shared key"
    );
    assert_eq!(
        new.get("/api/v1/users", Some(&admin)).await.body,
        users_before
    );
    assert_eq!(
        new.get("/api/v1/credits?limit=100", Some(&user)).await.body,
        credits_before,
        "sessions carry over, and so do balances and the ledger"
    );
    assert_eq!(
        new.get("/api/v1/tasks?limit=100", Some(&user)).await.body,
        tasks_before
    );
    assert_eq!(
        new.get("/api/v1/collections", Some(&user)).await.body,
        collections_before,
        "collections and what is in them"
    );
    assert_eq!(
        new.get("/api/v1/gallery", Some(&admin)).await.body,
        gallery_before,
        "the gallery, its likes and comment counts"
    );
    assert_eq!(
        new.get(&format!("/api/v1/tasks/{id}/comments"), Some(&admin))
            .await
            .body,
        comments_before
    );
    assert_eq!(
        new.get("/api/v1/reports", Some(&admin)).await.body,
        reports_before
    );
    let link = share.body["url"].as_str().unwrap();
    let path = &link[link.find("/s/").unwrap()..];
    let shared_picture = reqwest::get(new.url(&format!("{path}/image/0")))
        .await
        .unwrap();
    assert_eq!(shared_picture.status(), 200, "the share link carries over");
    assert_eq!(
        new.get("/api/v1/auths/me", Some(&key)).await.status,
        200,
        "API keys carry over"
    );
    let signed_in = new.signin("bo@example.com", "correct horse").await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let user2 = signed_in.body["token"].as_str().unwrap().to_owned();
    let (status, copied) = new.file(&user2, &image_url).await;
    assert_eq!(status, 200);
    assert_eq!(copied, picture, "the same picture, from S3");
}
