//! Hardening, third round (issue 32): each test here failed on the code before its fix.

use crate::{
    fake_openai,
    fake_upstream::{self, Fake},
    helpers::{Answer, TestApp, bomb, created_id, error_of, is_final, spawn_app, spawn_app_with},
    process::{free_port, ready, start},
};
use serde_json::{Value, json};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

async fn press(app: &TestApp, token: &str, id: &str, body: Value) -> Answer {
    app.post(&format!("/api/v1/tasks/{id}/action"), body, Some(token))
        .await
}

/// 100,000 nested braces (a 200 kB prompt) and 2,000 (within a prompt's length): each refused by
/// name, and the server still answers. Before, the parser recursed once per level and the
/// process died of a stack overflow.
#[tokio::test]
async fn a_deeply_nested_batch_prompt_is_refused_and_the_server_lives_on() {
    let (app, _fake, _, user) = fake_upstream::app_with(json!({})).await;
    for levels in [100_000, 1_900] {
        let prompt = format!("{}fox{}", "{".repeat(levels), "}".repeat(levels));
        let a = app
            .post(
                "/api/v1/tasks/batch",
                json!({"mode": "relax", "prompt": prompt}),
                Some(&user),
            )
            .await;
        assert_eq!(a.status, 422, "{levels} levels: {}", a.body);
        assert_eq!(error_of(&a)["field"], "prompt");
    }
    let a = app
        .post(
            "/api/v1/tasks/batch",
            json!({"mode": "relax", "prompts": ["{a, {b, {c, {d, {e, {f, g}}}}}}"]}),
            Some(&user),
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(error_of(&a)["field"], "prompts");
    assert!(
        error_of(&a)["message"].as_str().unwrap().contains("nest"),
        "{}",
        a.body
    );
    // Still answering, and a real batch still works.
    let ok = app
        .post(
            "/api/v1/tasks/batch",
            json!({"mode": "relax", "prompt": "a {red, dark {blue, green}} fox"}),
            Some(&user),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(ok.body["tasks"].as_array().unwrap().len(), 3);
}

/// The text between `<title>` and `</title>` (the first).
fn title_of(html: &str) -> &str {
    let start = html.find("<title>").expect("a title") + "<title>".len();
    let end = start + html[start..].find("</title>").expect("its end");
    &html[start..end]
}

/// `</title><b>` in a prompt and in a display name stays text on the four pages titled by them:
/// the share page and the gallery's picture page (anyone's), the task page and the admin's page
/// of a user. Before, leptos_meta wrote the title raw: `</title><meta http-equiv="refresh">`
/// sent every visitor elsewhere.
#[tokio::test]
async fn markup_in_a_prompt_or_a_name_stays_text_in_every_page_title() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let owner = app
        .signed_up("Eve </title><b>bold", "eve@example.com")
        .await;
    let made = app
        .generate(&owner, "a heron </title><b>x</b> at dawn", "relax")
        .await;
    let id = created_id(&made);
    app.tick_until_succeeded(&owner, &id).await;
    let shared = app
        .post(
            &format!("/api/v1/tasks/{id}/share"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(shared.status, 201, "{}", shared.body);
    let share = shared.body["url"]
        .as_str()
        .unwrap()
        .strip_prefix(&app.base)
        .unwrap()
        .to_owned();
    let published = app
        .post(
            &format!("/api/v1/tasks/{id}/publish"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert!(published.status < 300, "{}", published.body);
    let owner_id = app.user_id(&owner).await;
    for (path, token, expected) in [
        (
            share.clone(),
            None,
            "a heron &lt;/title&gt;&lt;b&gt;x&lt;/b&gt; at dawn",
        ),
        (
            format!("/gallery/{id}"),
            None,
            "a heron &lt;/title&gt;&lt;b&gt;x&lt;/b&gt; at dawn",
        ),
        (
            format!("/history/{id}"),
            Some(&owner),
            "a heron &lt;/title&gt;&lt;b&gt;x&lt;/b&gt; at dawn",
        ),
        (
            format!("/admin/users/{owner_id}"),
            Some(&admin),
            "Eve &lt;/title&gt;&lt;b&gt;bold",
        ),
    ] {
        let (status, html, _) =
            crate::pages::page(&app, &path, token.map(String::as_str), None).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(title_of(&html), expected, "{path}");
        assert!(
            !html.contains("<b>"),
            "{path}: no markup from the text anywhere (title, meta, hydration data)"
        );
    }
}

/// The scripted proxy with a relax price of 2 and a fast one of 8, a failed relax task of the
/// user's (the proxy refuses its banned word): (app, fake, admin, user, failed task).
async fn failed_task() -> (TestApp, Fake, String, String, String) {
    let (app, fake, admin, user) = fake_upstream::app_with(
        json!({"modes": [{"mode": "fast", "cost": 8}, {"mode": "relax", "cost": 2}]}),
    )
    .await;
    let id = created_id(
        &app.generate(&user, "something forbidden here", "relax")
            .await,
    );
    let t = app.tick_until(&user, &id, 20, is_final).await;
    assert_eq!(t["status"], "failed", "{t}");
    (app, fake, admin, user, id)
}

/// A retry is planned as a new submit of the same fields: today's price, and refused once its
/// mode is switched off. Before, it ran at the first task's price in a mode switched off.
#[tokio::test]
async fn a_retry_pays_todays_price_and_is_refused_once_its_mode_is_off() {
    let (app, _fake, admin, user, id) = failed_task().await;
    app.configure(
        &admin,
        json!({"modes": [{"mode": "fast", "cost": 8}, {"mode": "relax", "cost": 5}]}),
    )
    .await;
    let before = app.balance(&user).await;
    let retried = app
        .post(
            "/api/v1/tasks/bulk",
            json!({"ids": [id], "op": "retry"}),
            Some(&user),
        )
        .await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    assert_eq!(retried.body["failed"], json!([]), "{}", retried.body);
    assert_eq!(app.balance(&user).await, before - 5, "today's price");

    app.configure(
        &admin,
        json!({"modes": [{"mode": "fast", "cost": 8}, {"mode": "relax", "cost": 5, "enabled": false}]}),
    )
    .await;
    let before = app.balance(&user).await;
    let bulk = app
        .post(
            "/api/v1/tasks/bulk",
            json!({"ids": [id], "op": "retry"}),
            Some(&user),
        )
        .await;
    assert_eq!(bulk.status, 200, "{}", bulk.body);
    assert_eq!(bulk.body["done"], json!([]), "{}", bulk.body);
    assert_eq!(
        bulk.body["failed"][0]["error"]["field"], "mode",
        "{}",
        bulk.body
    );
    assert_eq!(app.balance(&user).await, before, "nothing charged");
}

/// Whether the store holds a file with these bytes.
async fn stored(app: &TestApp, bytes: &[u8]) -> bool {
    let key = atelier::images::key_of(bytes).unwrap();
    app.engine.images.bytes(&key).await.unwrap().is_some()
}

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>) -> Answer {
    crate::uploads::upload(app, token, "p.png", bytes).await
}

/// A PNG of `w` x `h` noise (incompressible, so its size is about `w * h * 3`).
fn noise(w: u32, h: u32, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    let img = image::RgbImage::from_fn(w, h, |_, _| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let [a, b, c, _] = x.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// An upload over the quota is refused before it is written: the store never holds it. A deleted
/// upload's file goes at once. Before, both stayed on disk one to two hours.
#[tokio::test]
async fn refused_and_deleted_uploads_leave_nothing_in_the_store() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    app.configure(&admin, json!({"upload_quota_mb": 1})).await;
    let first = noise(500, 500, 1);
    let second = noise(500, 500, 2);
    assert!(
        first.len() > 600_000 && second.len() > 600_000,
        "together past 1 MB"
    );
    let a = upload(&app, &user, first.clone()).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(stored(&app, &first).await);
    let refused = upload(&app, &user, second.clone()).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(error_of(&refused)["field"], "file");
    assert!(
        !stored(&app, &second).await,
        "a refused upload is never written"
    );
    let id = a.body["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&format!("/api/v1/uploads/{id}"), &user)
            .await
            .status,
        204
    );
    assert!(
        !stored(&app, &first).await,
        "a deleted upload's file goes at once"
    );
    // The room is free again.
    assert_eq!(upload(&app, &user, second.clone()).await.status, 201);
}

/// Uploads a minute are bounded per user: past the limit, 429 before the body is read.
#[tokio::test]
async fn uploads_past_the_rate_are_refused() {
    let app = spawn_app().await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    let small = noise(8, 8, 3);
    let limit = atelier::services::uploads::UPLOADS_PER_MINUTE as usize;
    for i in 0..limit {
        let a = upload(&app, &user, small.clone()).await;
        assert_eq!(a.status, 201, "upload {i}: {}", a.body);
    }
    let a = upload(&app, &user, small.clone()).await;
    assert_eq!(a.status, 429, "{}", a.body);
    assert_eq!(error_of(&a)["code"], "rate_limited");
    // Another user is not held back.
    let other = app.signed_up("Cy", "cy@example.com").await;
    assert_eq!(upload(&app, &other, small).await.status, 201);
}

/// The server's peak memory (VmHWM) in MB.
fn peak_mb(pid: u32) -> u64 {
    crate::hardening::peak_kb(pid) / 1024
}

/// 24 parallel uploads of 36-megapixel PNGs and 6 parallel Vary (Region) masks of that size keep
/// the server under 400 MB (a mask's shape is read from its header first; what is decoded waits
/// for its share of the decoding budget). Before, each upload was decoded to read its size (108 MB each, one
/// per core) and each mask decoded and copied twice: 105 -> 646 MB and 278 -> 761 MB.
#[tokio::test]
async fn bursts_of_large_uploads_and_masks_keep_memory_bounded() {
    atelier::init_tls();
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(
        dir.path(),
        None,
        None,
        free_port(),
        Arc::new(Mutex::new(String::new())),
    );
    let client = reqwest::Client::new();
    let base = server.base.clone();
    ready(&client, &base).await;
    let signup = |name: String| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let a: Value = client
                .post(format!("{base}/api/v1/auths/signup"))
                .json(&json!({"name": name, "email": format!("{name}@example.com"), "password": "correct horse"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            a["token"].as_str().unwrap().to_owned()
        }
    };
    let admin = signup("ada".into()).await;
    let mut users = Vec::new();
    for i in 0..6 {
        users.push(signup(format!("user{i}")).await);
    }
    let big = bomb(6000, 6000, true);
    let at_rest = peak_mb(server.child.id());
    let sends = (0..24).map(|i| {
        let (client, base, token, big) = (
            client.clone(),
            base.clone(),
            users[i % users.len()].clone(),
            big.clone(),
        );
        async move {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::stream(big).file_name("big.png"),
            );
            client
                .post(format!("{base}/api/v1/uploads"))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures::future::join_all(sends).await;
    assert!(
        statuses.iter().all(|s| *s == 201),
        "each within its user's bounds: {statuses:?}"
    );
    let after_uploads = peak_mb(server.child.id());

    // A picture to repaint: an upscale of a grid, and its Vary (Region) waiting for a mask.
    let call = |method: reqwest::Method, path: String, body: Value| {
        let (client, base, admin) = (client.clone(), base.clone(), admin.clone());
        async move {
            let res = client
                .request(method, format!("{base}{path}"))
                .bearer_auth(admin)
                .json(&body)
                .send()
                .await
                .unwrap();
            (
                res.status().as_u16(),
                res.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let until = |id: String, done: fn(&Value) -> bool| async move {
        for _ in 0..600 {
            let (_, t) = call(
                reqwest::Method::GET,
                format!("/api/v1/tasks/{id}"),
                json!({}),
            )
            .await;
            if done(&t["task"]) {
                return t["task"].clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("task {id} did not get there");
    };
    let (status, made) = call(
        reqwest::Method::POST,
        "/api/v1/tasks".into(),
        json!({"prompt": "a heron", "mode": "relax"}),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let grid = made["task"]["id"].as_str().unwrap().to_owned();
    let done = until(grid.clone(), |t| t["status"] == "succeeded").await;
    let u1 = done["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["label"] == "U1")
        .unwrap()["custom_id"]
        .clone();
    let (_, up) = call(
        reqwest::Method::POST,
        format!("/api/v1/tasks/{grid}/action"),
        json!({"custom_id": u1}),
    )
    .await;
    let up = up["task"]["id"].as_str().unwrap().to_owned();
    let upscaled = until(up.clone(), |t| t["status"] == "succeeded").await;
    let region = upscaled["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["label"] == "Vary (Region)")
        .unwrap()["custom_id"]
        .clone();
    let (_, child) = call(
        reqwest::Method::POST,
        format!("/api/v1/tasks/{up}/action"),
        json!({"custom_id": region}),
    )
    .await;
    let child = child["task"]["id"].as_str().unwrap().to_owned();
    let waiting = until(child.clone(), |t| t["status"] == "needs_input").await;
    let custom_id = waiting["custom_id"].clone();
    use base64::Engine as _;
    let data_url = |png: &[u8]| {
        format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        )
    };
    let big_mask = data_url(&bomb(6000, 6000, true));
    let masks = (0..6).map(|_| {
        call(
            reqwest::Method::POST,
            format!("/api/v1/tasks/{child}/action"),
            json!({"custom_id": custom_id, "mask": big_mask}),
        )
    });
    let answers = futures::future::join_all(masks).await;
    // Refused by its header when more than four times the picture's size, else decoded within
    // the budget: one answer goes upstream, the others find the step claimed.
    assert!(
        answers.iter().all(|(s, b)| match s {
            422 => b["error"]["field"] == "mask",
            200 | 409 => true,
            _ => false,
        }),
        "{answers:?}"
    );
    assert!(
        answers.iter().filter(|(s, _)| *s == 200).count() <= 1,
        "{answers:?}"
    );
    let after_masks = peak_mb(server.child.id());
    let _ = server.child.kill();
    let _ = server.child.wait();
    println!(
        "peak memory: {at_rest} MB at rest, {after_uploads} MB after 24 uploads of 36 MP, \
         {after_masks} MB after 6 masks of 36 MP"
    );
    assert!(after_masks < 400, "the server peaked at {after_masks} MB");
}

/// `/v1/files` links are signed with a key of their own: a link made with the old key (derived
/// from the notify token every upstream receives) is refused, and a link stops working once its
/// task is gone.
#[tokio::test]
async fn file_links_made_with_the_notify_token_are_refused() {
    let app = spawn_app_with(|c| c.run_worker = true).await;
    let _admin = app.signed_up("Ada", "ada@example.com").await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    let key = app.api_key(&user, "script").await;
    let res = app
        .client
        .post(app.url("/v1/images/generations"))
        .bearer_auth(&key)
        .json(&json!({"model": "midjourney-relax", "prompt": "a lighthouse", "response_format": "url"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = serde_json::from_str(res.text().await.unwrap().trim()).unwrap();
    let url = body["data"][0]["url"].as_str().unwrap().to_owned();
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200, "{url}");
    // The same link, signed as before with a key derived from the notify token.
    let path = url.split_once("/v1/files/").unwrap().1;
    let (task_part, query) = path.split_once('?').unwrap();
    let expires = query
        .split('&')
        .find_map(|p| p.strip_prefix("expires="))
        .unwrap();
    let old_signature = {
        use sha2::{Digest, Sha256};
        let key = Sha256::digest(format!("atelier /v1 files {}", app.engine.notify_token));
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&key);
        let pad = |byte: u8| block.map(|b| b ^ byte);
        let message = format!("{task_part}/{expires}");
        let inner = Sha256::new()
            .chain_update(pad(0x36))
            .chain_update(message.as_bytes())
            .finalize();
        hex::encode(
            Sha256::new()
                .chain_update(pad(0x5c))
                .chain_update(inner)
                .finalize(),
        )
    };
    let forged = format!(
        "{}/v1/files/{task_part}?expires={expires}&signature={old_signature}",
        app.base
    );
    assert_eq!(reqwest::get(&forged).await.unwrap().status(), 403);
    // Once the task is deleted, its link is gone too.
    let task_id = task_part.split('/').next().unwrap();
    assert_eq!(
        app.delete(&format!("/api/v1/tasks/{task_id}"), &user)
            .await
            .status,
        204
    );
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);
}

/// A Custom Zoom waiting for its factor: (app, fake, admin, user, waiting child, its custom id).
async fn zoom_waiting() -> (TestApp, Fake, String, String, String, String) {
    let (app, fake, admin, user) = fake_upstream::app_with(
        json!({"action_cost": 3, "max_active_tasks_per_user": 50, "signup_credits": 1000}),
    )
    .await;
    let grid = created_id(&app.generate(&user, "a wide fox", "fast").await);
    app.tick_until_succeeded(&user, &grid).await;
    let up = created_id(
        &press(
            &app,
            &user,
            &grid,
            json!({"custom_id": "MJ::JOB::upsample::1::h"}),
        )
        .await,
    );
    let upscaled = app.tick_until_succeeded(&user, &up).await;
    let zoom = upscaled["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["label"] == "Custom Zoom")
        .unwrap_or_else(|| panic!("no Custom Zoom in {upscaled}"))["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let child = created_id(&press(&app, &user, &up, json!({"custom_id": zoom})).await);
    let t = app
        .tick_until(&user, &child, 20, |t| t["status"] == "needs_input")
        .await;
    assert_eq!(t["status"], "needs_input");
    (app, fake, admin, user, child, zoom)
}

/// A modal answer the channel fails to take tells the user a plain message (no address), while
/// the detail goes to the channel's last error; the step can be answered again.
#[tokio::test]
async fn a_failed_modal_answer_names_no_address() {
    let (app, fake, admin, user, child, zoom) = zoom_waiting().await;
    fake.lock().modals_fail = true;
    let a = press(&app, &user, &child, json!({"custom_id": zoom, "zoom": 1.5})).await;
    assert!(a.status >= 500, "{}", a.body);
    let message = error_of(&a)["message"].as_str().unwrap().to_owned();
    let port = fake.base.rsplit(':').next().unwrap();
    for leak in ["127.0.0.1", "http", "/mj/", port] {
        assert!(!message.contains(leak), "{leak} in {message}");
    }
    let channels = app.get("/api/v1/channels", Some(&admin)).await.body;
    assert!(
        channels["channels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["health"]["last_error"]
                .as_str()
                .is_some_and(|e| !e.is_empty())),
        "the detail is the channel's last error: {channels}"
    );
    fake.lock().modals_fail = false;
    let again = press(&app, &user, &child, json!({"custom_id": zoom, "zoom": 1.5})).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(fake.lock().modals.len(), 1);
}

/// Two answers to one modal step at once send one job upstream; the other is told the step is
/// being answered. Before, both were sent (two paid jobs).
#[tokio::test]
async fn two_parallel_modal_answers_send_one_job() {
    let (app, fake, _admin, user, child, zoom) = zoom_waiting().await;
    fake.lock().modal_delay = Some(Duration::from_millis(300));
    let body = json!({"custom_id": zoom, "zoom": 1.5});
    let (a, b) = tokio::join!(
        press(&app, &user, &child, body.clone()),
        press(&app, &user, &child, body.clone())
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);
    assert_eq!(fake.lock().modals.len(), 1, "one job sent");
}

/// A cancel while an answer is being sent does not also end the task under it.
#[tokio::test]
async fn a_cancel_racing_a_modal_answer_waits_for_it() {
    let (app, fake, _admin, user, child, zoom) = zoom_waiting().await;
    fake.lock().modal_delay = Some(Duration::from_millis(300));
    let answer = press(&app, &user, &child, json!({"custom_id": zoom, "zoom": 1.5}));
    let cancel = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        app.post(
            &format!("/api/v1/tasks/{child}/cancel"),
            json!({}),
            Some(&user),
        )
        .await
    };
    let (a, c) = tokio::join!(answer, cancel);
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(c.status, 409, "{}", c.body);
    assert_eq!(fake.lock().modals.len(), 1);
    assert_ne!(app.task(&user, &child).await["status"], "cancelled");
}

/// An admin's U1 of a user's grid is the admin's: the user's own U1 makes the user's child.
/// Before, the user was answered with the admin's child as "already made".
#[tokio::test]
async fn another_users_upscale_is_not_answered_as_mine() {
    let (app, _fake, admin, user) = fake_upstream::app_with(
        json!({"action_cost": 3, "max_active_tasks_per_user": 50, "signup_credits": 1000}),
    )
    .await;
    let grid = created_id(&app.generate(&user, "a fox", "fast").await);
    app.tick_until_succeeded(&user, &grid).await;
    let u1 = json!({"custom_id": "MJ::JOB::upsample::1::h"});
    let admins = press(&app, &admin, &grid, u1.clone()).await;
    assert_eq!(admins.status, 201, "{}", admins.body);
    let before = app.balance(&user).await;
    let mine = press(&app, &user, &grid, u1.clone()).await;
    assert_eq!(mine.status, 201, "a new child of the user's: {}", mine.body);
    assert_ne!(mine.body["task"]["id"], admins.body["task"]["id"]);
    assert_eq!(app.balance(&user).await, before - 3);
    // The user's second press is their first.
    let again = press(&app, &user, &grid, u1).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["task"]["id"], mine.body["task"]["id"]);
}

/// A cross-site log-in that carries a Basic-auth proxy's Authorization is refused like any
/// other; the proxy's header does not hide the session cookie either.
#[tokio::test]
async fn a_basic_auth_proxy_does_not_open_log_in_csrf() {
    let app = spawn_app().await;
    let token = app.signed_up("Mallory", "mallory@example.com").await;
    let res = app
        .client
        .post(app.url("/api/v1/auths/signin"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .header("origin", "https://evil.example")
        .json(&json!({"email": "mallory@example.com", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none());
    // Behind such a proxy, the pages' cookie works.
    let me = app
        .client
        .get(app.url("/api/v1/auths/me"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .header("cookie", format!("atelier_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}

/// A leaked API key cannot mint keys of its own or sign its owner out everywhere.
#[tokio::test]
async fn an_api_key_cannot_make_keys_or_end_sessions() {
    let app = spawn_app().await;
    let session = app.signed_up("Bo", "bo@example.com").await;
    let key = app.api_key(&session, "script").await;
    let made = app
        .post(
            "/api/v1/auths/api_keys",
            json!({"name": "mine now"}),
            Some(&key),
        )
        .await;
    assert_eq!(made.status, 403, "{}", made.body);
    let sessions = app.get("/api/v1/auths/sessions", Some(&session)).await;
    let id = sessions.body["sessions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.delete("/api/v1/auths/sessions", &key).await.status, 403);
    assert_eq!(
        app.delete(&format!("/api/v1/auths/sessions/{id}"), &key)
            .await
            .status,
        403
    );
    assert_eq!(
        app.get("/api/v1/auths/me", Some(&session)).await.status,
        200
    );
    // From a session, both work.
    let made = app
        .post(
            "/api/v1/auths/api_keys",
            json!({"name": "second"}),
            Some(&session),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
}

/// An OpenAI task whose upstream answers 500 forever ends at its deadline, failed with the reason
/// and refunded once. Before, each claim restarted its deadline and it never ended.
#[tokio::test]
async fn an_openai_task_failing_forever_ends_at_its_deadline_refunded_once() {
    let app = spawn_app_with(|c| c.task_timeout = Duration::from_secs(2)).await;
    let fake = fake_openai::start().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    crate::engines::point(&app, &admin, crate::engines::BUILTIN_OPENAI, &fake).await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    fake.lock().failing = true;
    let before = app.balance(&user).await;
    let id = created_id(
        &crate::engines::submit_to(
            &app,
            &user,
            "openai",
            json!({"model": "dall-e-2", "prompt": "a patient fox"}),
        )
        .await,
    );
    let t = app.wait_until(&user, &id, is_final).await;
    assert_eq!(t["status"], "failed", "{t}");
    assert!(
        t["error"]
            .as_str()
            .unwrap_or_default()
            .contains("kept failing")
            || t["fail_reason"]
                .as_str()
                .unwrap_or_default()
                .contains("kept failing"),
        "{t}"
    );
    assert!(fake.jobs().len() >= 2, "tried more than once");
    assert_eq!(app.balance(&user).await, before, "refunded");
    let refunds = app
        .entries(&user)
        .await
        .into_iter()
        .filter(|e| e["task_id"] == id.as_str() && e["reason"] == "refund")
        .count();
    assert_eq!(refunds, 1);
}

/// The page's upload goes through its own route, which knows the account and makes room for the
/// body before it is read; the server function takes that account, and a visitor who is not
/// signed in gets the pages' own 401.
#[tokio::test]
async fn the_pages_upload_route_knows_the_account_before_the_body() {
    let app = spawn_app().await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    let args = atelier::server_fns::uploads::UploadImage {
        file: noise(16, 16, 4),
    };
    let up = app.call(&user, &args).await.expect("uploaded");
    let listed = app
        .get(&format!("/api/v1/uploads/{}", up.id), Some(&user))
        .await;
    assert_eq!(listed.status, 200, "the user's own upload");
    let (status, bytes) = app
        .post_postcard(
            atelier::server_fns::uploads::UPLOAD_PATH,
            None,
            postcard::to_allocvec(&args).unwrap(),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(
        postcard::from_bytes::<atelier::error::AppError>(&bytes).unwrap(),
        atelier::error::AppError::Unauthorized
    );
}
