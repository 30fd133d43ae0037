//! Uploads (rest-api.md, "Uploads"): what is taken, what is refused with `field: "file"`, and
//! who sees an upload.

use crate::{
    fake_openai::png,
    helpers::{Answer, TestApp, bomb, error_of, spawn_app},
};

pub async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> Answer {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
    let form = reqwest::multipart::Form::new().part("file", part);
    app.send(
        app.client
            .post(app.url("/api/v1/uploads"))
            .bearer_auth(token)
            .multipart(form),
    )
    .await
}

/// Uploads a picture; answers its id.
pub async fn uploaded(app: &TestApp, token: &str, bytes: Vec<u8>) -> String {
    let a = upload(app, token, "picture.png", bytes).await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body["id"].as_str().unwrap().to_owned()
}

fn refused_file(a: &Answer, says: &str) {
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(error_of(a)["field"], "file", "{}", a.body);
    let message = error_of(a)["message"].as_str().unwrap();
    assert!(message.contains(says), "{message}");
}

#[tokio::test]
async fn an_upload_is_its_owners_alone() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let ann = app.signed_up("Ann", "ann@example.com").await;
    let bob = app.signed_up("Bob", "bob@example.com").await;
    let picture = png(30);
    let a = upload(&app, &bob, "fox.png", picture.clone()).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["width"], 64);
    assert_eq!(a.body["height"], 48);
    assert_eq!(a.body["content_type"], "image/png");
    assert_eq!(a.body["bytes"], picture.len());
    let id = a.body["id"].as_str().unwrap();
    let url = a.body["url"].as_str().unwrap();
    assert_eq!(url, format!("/api/v1/uploads/{id}"));

    let (status, bytes) = app.file(&bob, url).await;
    assert_eq!(status, 200);
    assert_eq!(bytes.as_ref(), picture.as_slice());
    assert_eq!(app.get(url, Some(&ann)).await.status, 404, "another's");
    assert_eq!(app.delete(url, &ann).await.status, 404);
    assert_eq!(app.get(url, None).await.status, 401);
    assert_eq!(
        app.get(url, Some(&admin)).await.status,
        200,
        "admins see all"
    );

    assert_eq!(app.delete(url, &bob).await.status, 204);
    assert_eq!(app.get(url, Some(&bob)).await.status, 404);
}

#[tokio::test]
async fn what_is_not_a_small_enough_image_is_refused_by_name() {
    let app = spawn_app().await;
    let user = app.signed_up("Ann", "ann@example.com").await;
    refused_file(
        &upload(&app, &user, "notes.txt", b"just some words".to_vec()).await,
        "PNG, JPEG or WebP",
    );
    // The bytes decide, not the name: a PNG signature with nothing after it is no image.
    refused_file(
        &upload(&app, &user, "broken.png", b"\x89PNG\r\n\x1a\n0000".to_vec()).await,
        "PNG, JPEG or WebP",
    );
    let mut big = png(1);
    big.resize(10 * 1024 * 1024 + 1, 0);
    refused_file(&upload(&app, &user, "big.png", big).await, "10 MB");
    refused_file(
        &upload(
            &app,
            &user,
            "bomb.png",
            bomb(30_000, 30_000, false).to_vec(),
        )
        .await,
        "40 megapixels",
    );
    let none = app
        .send(
            app.client
                .post(app.url("/api/v1/uploads"))
                .bearer_auth(&user)
                .multipart(reqwest::multipart::Form::new().text("other", "x")),
        )
        .await;
    assert_eq!(none.status, 422, "{}", none.body);
    assert_eq!(error_of(&none)["field"], "file");
}

#[tokio::test]
async fn uploads_stop_at_the_users_quota_and_deleting_makes_room() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    let a = app
        .post(
            "/api/v1/midjourney/config",
            serde_json::json!({"upload_quota_mb": 1}),
            Some(&admin),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    // A noisy PNG of about 0.6 MB: one fits in 1 MB, two do not.
    let noisy = |seed: u32| {
        let img = image::RgbImage::from_fn(450, 450, |x, y| {
            let v = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ seed)
                .wrapping_mul(2_246_822_519);
            image::Rgb([(v >> 24) as u8, (v >> 16) as u8, (v >> 8) as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let first = noisy(1);
    assert!(first.len() > 512 * 1024, "{}", first.len());
    let kept = uploaded(&app, &user, first).await;
    let over = upload(&app, &user, "b.png", noisy(2)).await;
    refused_file(&over, "1 MB");
    // Another user has a quota of their own.
    uploaded(&app, &admin, noisy(3)).await;
    // Deleting makes room again.
    let d = app
        .send(
            app.client
                .delete(app.url(&format!("/api/v1/uploads/{kept}")))
                .bearer_auth(&user),
        )
        .await;
    assert_eq!(d.status, 204);
    uploaded(&app, &user, noisy(2)).await;
}

#[tokio::test]
async fn uploads_no_task_used_are_removed_after_the_retention_period_and_used_ones_stay() {
    let app = spawn_app().await;
    let user = app.signed_up("Ada", "ada@example.com").await;
    let unused = uploaded(&app, &user, crate::fake_sd::png(7)).await;
    let used = uploaded(&app, &user, crate::fake_sd::png(8)).await;
    let t = app
        .post(
            "/api/v1/tasks",
            serde_json::json!({"engine": "openai", "action": "edit", "model": "dall-e-2", "prompt": "a fox",
                               "images": [{"upload_id": used, "role": "edit"}]}),
            Some(&user),
        )
        .await;
    assert_eq!(t.status, 201, "{}", t.body);
    let status = |id: String| {
        let app = &app;
        let user = user.clone();
        async move {
            app.get(&format!("/api/v1/uploads/{id}"), Some(&user))
                .await
                .status
        }
    };
    let now = atelier::db::now_ms();
    // Within the period (7 days by default) nothing goes.
    assert_eq!(
        atelier::services::uploads::sweep(&app.engine, now)
            .await
            .unwrap(),
        0
    );
    assert_eq!(status(unused.clone()).await, 200);
    // Eight days on, the unused one goes; the one a task used stays.
    let later = now + 8 * 24 * 3600 * 1000;
    assert_eq!(
        atelier::services::uploads::sweep(&app.engine, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(status(unused).await, 404);
    assert_eq!(status(used).await, 200);
}
