//! The openai engine against a scripted OpenAI Images API (`fake_openai`), and through the
//! built-in simulator; the engines' offers and prices.

use crate::{
    fake_openai::{self, Fake, KEY, Script},
    helpers::{Answer, TestApp, error_of, spawn_app},
    uploads::uploaded,
};
use serde_json::{Value, json};

pub const BUILTIN_OPENAI: &str = "00000000-0000-7000-8000-000000000002";

/// An app whose OpenAI channel (the built-in one, pointed elsewhere) is the fake.
async fn setup() -> (TestApp, Fake, String, String) {
    let app = spawn_app().await;
    let fake = fake_openai::start().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    point(&app, &admin, BUILTIN_OPENAI, &fake).await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    (app, fake, admin, user)
}

pub async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> Answer {
    app.patch(path, body, token).await
}

pub async fn point(app: &TestApp, admin: &str, channel: &str, fake: &Fake) {
    point_at(app, admin, channel, &fake.base, KEY).await;
}

/// Points a channel at `base`, with `secret`.
pub async fn point_at(app: &TestApp, admin: &str, channel: &str, base: &str, secret: &str) {
    let a = patch(
        app,
        admin,
        &format!("/api/v1/channels/{channel}"),
        json!({"api_url": base, "api_secret": secret}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
}

async fn submit(app: &TestApp, token: &str, body: Value) -> Answer {
    submit_to(app, token, "openai", body).await
}

/// `POST /api/v1/tasks` of `engine`.
pub async fn submit_to(app: &TestApp, token: &str, engine: &str, body: Value) -> Answer {
    let mut body = body;
    body["engine"] = json!(engine);
    app.post("/api/v1/tasks", body, Some(token)).await
}

use crate::helpers::{created_id as id_of, is_final};

/// Ticks until the task has ended: a run answers in the background, so this also waits.
async fn ended(app: &TestApp, token: &str, id: &str) -> Value {
    app.wait_until(token, id, is_final).await
}

#[tokio::test]
async fn an_openai_task_stores_both_images_and_is_charged_for_two() {
    let (app, fake, _, user) = setup().await;
    let before = app.balance(&user).await;
    let a = submit(
        &app,
        &user,
        json!({"model": "gpt-image-1", "prompt": "two foxes", "n": 2, "quality": "medium", "size": "1536x1024"}),
    )
    .await;
    let id = id_of(&a);
    assert_eq!(
        a.body["task"]["cost"], 8,
        "gpt-image-1 medium is 4 credits an image"
    );
    assert_eq!(a.body["task"]["model"], "gpt-image-1");
    assert_eq!(a.body["task"]["mode"], Value::Null);
    assert_eq!(app.balance(&user).await, before - 8);

    let t = ended(&app, &user, &id).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    assert_eq!(t["text"], "A revised prompt.");
    let images = t["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "{t}");
    let mut files = Vec::new();
    for (n, image) in images.iter().enumerate() {
        assert_eq!(image["width"], 64);
        let (status, bytes) = app.file(&user, image["url"].as_str().unwrap()).await;
        assert_eq!(status, 200, "image {n}");
        assert!(bytes.starts_with(b"\x89PNG"));
        files.push(bytes);
    }
    assert_ne!(files[0], files[1], "two different pictures");
    assert_eq!(
        app.balance(&user).await,
        before - 8,
        "charged once, for two"
    );

    let jobs = fake.jobs();
    assert_eq!(jobs.len(), 1, "one request draws both");
    assert_eq!(
        jobs[0].authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str())
    );
    let sent = &jobs[0].json;
    assert_eq!(sent["model"], "gpt-image-1");
    assert_eq!(sent["prompt"], "two foxes");
    assert_eq!(sent["n"], 2);
    assert_eq!(sent["size"], "1536x1024");
    assert_eq!(sent["quality"], "medium");
    assert!(
        sent.get("response_format").is_none(),
        "gpt-image-1 refuses response_format: {sent}"
    );
}

#[tokio::test]
async fn images_answered_as_urls_are_downloaded_at_once() {
    let (app, fake, _, user) = setup().await;
    fake.then(Script::Urls);
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"model": "dall-e-2", "prompt": "a fox", "n": 1}),
        )
        .await,
    );
    let t = ended(&app, &user, &id).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    let (status, bytes) = app
        .file(&user, t["images"][0]["url"].as_str().unwrap())
        .await;
    assert_eq!(status, 200);
    assert_eq!(bytes.as_ref(), fake_openai::png(199).as_slice());
    assert_eq!(fake.jobs()[0].json["response_format"], "b64_json");
}

/// A mask for `fake_openai::png`'s 64 x 48: transparent (to repaint) on its left half.
fn mask(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(w, h, |x, _| {
        image::Rgba([0, 0, 0, if x < w / 2 { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn an_edit_sends_the_image_and_mask_as_multipart() {
    let (app, fake, _, user) = setup().await;
    let picture = fake_openai::png(40);
    let hole = mask(64, 48);
    let image_id = uploaded(&app, &user, picture.clone()).await;
    let mask_id = uploaded(&app, &user, hole.clone()).await;
    let before = app.balance(&user).await;
    let a = submit(
        &app,
        &user,
        json!({"action": "edit", "model": "gpt-image-1", "prompt": "a hat on the fox",
               "quality": "low", "images": [{"upload_id": image_id, "role": "edit"},
                                            {"upload_id": mask_id, "role": "mask"}]}),
    )
    .await;
    let id = id_of(&a);
    assert_eq!(a.body["task"]["action"], "edit");
    assert_eq!(
        a.body["task"]["inputs"],
        json!([{"upload_id": image_id, "role": "edit"}, {"upload_id": mask_id, "role": "mask"}])
    );
    assert_eq!(app.balance(&user).await, before - 2, "one low image");
    let t = ended(&app, &user, &id).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    assert_eq!(t["images"].as_array().unwrap().len(), 1);

    let jobs = fake.jobs();
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job.path, "/v1/images/edits");
    assert_eq!(job.json["model"], "gpt-image-1");
    assert_eq!(job.json["prompt"], "a hat on the fox");
    assert_eq!(job.json["quality"], "low");
    let part = |name: &str| job.parts.iter().find(|p| p.name == name).unwrap();
    assert_eq!(part("image").bytes.as_ref(), picture.as_slice());
    assert_eq!(part("image").content_type.as_deref(), Some("image/png"));
    assert!(part("image").file_name.is_some(), "sent as a file");
    assert_eq!(part("mask").bytes.as_ref(), hole.as_slice());

    // The task keeps its inputs when the uploads go.
    let url = format!("/api/v1/uploads/{image_id}");
    assert_eq!(app.delete(&url, &user).await.status, 204);
    assert_eq!(
        app.task(&user, &id).await["inputs"][0]["upload_id"],
        image_id
    );
}

#[tokio::test]
async fn an_edit_takes_its_owners_uploads_a_matching_mask_and_a_model_that_edits() {
    let (app, fake, admin, user) = setup().await;
    let image_id = uploaded(&app, &user, fake_openai::png(40)).await;
    let small_mask = uploaded(&app, &user, mask(32, 32)).await;
    let others = uploaded(&app, &admin, fake_openai::png(90)).await;
    let before = app.balance(&user).await;
    let edit = |model: &str, images: Value| json!({"action": "edit", "model": model, "prompt": "a hat", "images": images});
    for (body, field) in [
        (
            edit(
                "gpt-image-1",
                json!([{"upload_id": image_id, "role": "edit"},
                                    {"upload_id": small_mask, "role": "mask"}]),
            ),
            "images",
        ),
        (
            edit(
                "gpt-image-1",
                json!([{"upload_id": others, "role": "edit"}]),
            ),
            "images",
        ),
        (
            edit(
                "gpt-image-1",
                json!([{"upload_id": "nope", "role": "edit"}]),
            ),
            "images",
        ),
        (edit("gpt-image-1", json!([])), "images"),
        (
            edit(
                "gpt-image-1",
                json!([{"upload_id": image_id, "role": "sref"}]),
            ),
            "images",
        ),
        (
            edit("dall-e-3", json!([{"upload_id": image_id, "role": "edit"}])),
            "model",
        ),
    ] {
        let a = submit(&app, &user, body.clone()).await;
        assert_eq!(a.status, 422, "{body}: {}", a.body);
        assert_eq!(error_of(&a)["field"], field, "{body}: {}", a.body);
    }
    let mj = app
        .post(
            "/api/v1/tasks",
            json!({"action": "edit", "prompt": "a hat", "mode": "fast",
                   "images": [{"upload_id": image_id, "role": "edit"}]}),
            Some(&user),
        )
        .await;
    assert_eq!(mj.status, 422, "{}", mj.body);
    assert_eq!(error_of(&mj)["field"], "action");
    assert_eq!(app.balance(&user).await, before, "nothing charged");
    assert!(fake.jobs().is_empty());
}

#[tokio::test]
async fn a_content_policy_refusal_fails_the_task_with_its_reason_and_refunds_once() {
    let (app, fake, _, user) = setup().await;
    fake.then(Script::Answer(
        400,
        json!({"error": {"message": "Your request was rejected by the safety system.",
                         "type": "image_generation_user_error", "param": null,
                         "code": "content_policy_violation"}}),
    ));
    let before = app.balance(&user).await;
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"model": "dall-e-3", "prompt": "a forbidden fox", "quality": "hd"}),
        )
        .await,
    );
    assert_eq!(app.balance(&user).await, before - 8);
    let t = ended(&app, &user, &id).await;
    assert_eq!(t["status"], "failed");
    assert_eq!(
        t["fail_reason"],
        "Your request was rejected by the safety system."
    );
    // More ticks change nothing: refunded once.
    for _ in 0..3 {
        app.tick().await;
    }
    assert_eq!(app.balance(&user).await, before);
    let refunds = app
        .entries(&user)
        .await
        .into_iter()
        .filter(|e| e["reason"] == "refund" && e["task_id"] == id.as_str())
        .count();
    assert_eq!(refunds, 1);
    assert_eq!(fake.jobs().len(), 1, "a refusal is not tried again");
}

#[tokio::test]
async fn a_rate_limit_then_a_success_succeeds_charged_once() {
    let (app, fake, admin, user) = setup().await;
    fake.then(Script::Answer(
        429,
        json!({"error": {"message": "Rate limit reached for images per minute.", "type": "requests",
                         "param": null, "code": "rate_limit_exceeded"}}),
    ));
    let before = app.balance(&user).await;
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"model": "dall-e-2", "prompt": "a patient fox"}),
        )
        .await,
    );
    let t = ended(&app, &user, &id).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    assert_eq!(fake.jobs().len(), 2, "tried again after the rate limit");
    assert_eq!(app.balance(&user).await, before - 2);
    let charges = app
        .entries(&user)
        .await
        .into_iter()
        .filter(|e| e["task_id"] == id.as_str())
        .count();
    assert_eq!(charges, 1, "one charge, no refund");
    // A rate limit is not the channel's fault.
    let channels = app.get("/api/v1/channels", Some(&admin)).await.body;
    let channel = channels["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == BUILTIN_OPENAI)
        .unwrap()
        .clone();
    assert_eq!(channel["health"]["state"], "ok", "{channel}");
}

#[tokio::test]
async fn a_refused_key_takes_the_channel_down_and_the_task_moves_to_another() {
    let (app, revoked, admin, user) = setup().await;
    revoked.lock().revoked = true;
    let good = fake_openai::start().await;
    let a = app
        .post(
            "/api/v1/channels",
            json!({"kind": "openai", "name": "Second key", "api_url": good.base, "api_secret": KEY}),
            Some(&admin),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(id_of(
            &submit(
                &app,
                &user,
                json!({"model": "dall-e-2", "prompt": format!("fox {i}")}),
            )
            .await,
        ));
    }
    for id in &ids {
        let t = ended(&app, &user, id).await;
        assert_eq!(t["status"], "succeeded", "{t}");
    }
    assert_eq!(
        good.jobs().len(),
        3,
        "every task was drawn by the good channel"
    );
    // Those sent to the revoked key before it was known (at most its concurrency, in one tick).
    let refused = revoked.jobs().len();
    assert!((1..=2).contains(&refused), "{refused}");
    let channels = app.get("/api/v1/channels", Some(&admin)).await.body;
    let bad = channels["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == BUILTIN_OPENAI)
        .unwrap()
        .clone();
    assert_eq!(bad["health"]["state"], "down", "one 401 is enough: {bad}");
    // A down channel takes no more tasks.
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"model": "dall-e-2", "prompt": "one more fox"}),
        )
        .await,
    );
    assert_eq!(ended(&app, &user, &id).await["status"], "succeeded");
    assert_eq!(revoked.jobs().len(), refused);
}

#[tokio::test]
async fn a_cancelled_run_is_dropped_refunded_and_stays_cancelled() {
    let (app, fake, _, user) = setup().await;
    fake.then(Script::Slow(std::time::Duration::from_millis(600)));
    let before = app.balance(&user).await;
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"model": "dall-e-2", "prompt": "a slow fox"}),
        )
        .await,
    );
    let t = app
        .tick_until(&user, &id, 20, |t| t["status"] == "in_progress")
        .await;
    assert_eq!(t["progress"], 0, "no made-up percentage: {t}");
    let c = app
        .post(
            &format!("/api/v1/tasks/{id}/cancel"),
            json!({}),
            Some(&user),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    for _ in 0..3 {
        app.tick().await;
    }
    let t = app.task(&user, &id).await;
    assert_eq!(t["status"], "cancelled", "{t}");
    assert_eq!(t["images"], json!([]));
    assert_eq!(app.balance(&user).await, before);
    assert_eq!(app.engine.runs(), 0, "the request was dropped");
}

#[tokio::test]
async fn a_run_whose_process_died_is_sent_again_once_its_lease_has_run_out() {
    let (app, fake, _, user) = setup().await;
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"model": "dall-e-2", "prompt": "an orphaned fox"}),
        )
        .await,
    );
    // As a process leaves it when it dies mid-request: running, its lease passed, no run here.
    app.sql("UPDATE tasks SET status = 'in_progress', attempt = 'gone', lease_until = 1")
        .await;
    let t = ended(&app, &user, &id).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    assert_eq!(fake.jobs().len(), 1);
}

#[tokio::test]
async fn bad_openai_fields_are_refused_by_name_before_any_charge() {
    let (app, fake, _, user) = setup().await;
    let before = app.balance(&user).await;
    for (body, field) in [
        (json!({"model": "dall-e-4", "prompt": "a fox"}), "model"),
        (json!({"prompt": "a fox"}), "model"),
        (json!({"model": "dall-e-3", "prompt": "a fox", "n": 2}), "n"),
        (
            json!({"model": "gpt-image-1", "prompt": "a fox", "n": 5}),
            "n",
        ),
        (
            json!({"model": "dall-e-2", "prompt": "a fox", "size": "1792x1024"}),
            "size",
        ),
        (
            json!({"model": "dall-e-3", "prompt": "a fox", "quality": "low"}),
            "quality",
        ),
        (json!({"model": "dall-e-2", "prompt": "  "}), "prompt"),
    ] {
        let a = submit(&app, &user, body.clone()).await;
        assert_eq!(a.status, 422, "{body}: {}", a.body);
        assert_eq!(a.body["error"]["field"], field, "{body}: {}", a.body);
    }
    assert_eq!(app.balance(&user).await, before);
    app.tick().await;
    assert!(fake.jobs().is_empty());
}

#[tokio::test]
async fn engines_list_what_users_can_pick_and_admins_price_and_switch_them() {
    let (app, _fake, admin, user) = setup().await;
    let offers = app.get("/api/v1/engines", Some(&user)).await;
    assert_eq!(offers.status, 200, "{}", offers.body);
    let engines = offers.body["engines"].as_array().unwrap();
    let kinds: Vec<&str> = engines
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["midjourney", "openai", "sd_webui"]);
    assert_eq!(engines[0]["enabled"], true);
    assert_eq!(engines[0]["modes"][0]["mode"], "fast");
    assert_eq!(engines[0]["action_cost"], 2);
    let openai = &engines[1];
    assert_eq!(openai["enabled"], true);
    let gpt = &openai["models"][0];
    assert_eq!(gpt["model"], "gpt-image-1");
    assert_eq!(
        gpt["cost"],
        json!({"auto": 4, "high": 12, "low": 2, "medium": 4})
    );
    assert_eq!(gpt["max_n"], 4);
    assert_eq!(openai["models"][2]["cost"], 2, "dall-e-2 is one price");
    assert_eq!(
        engines[2]["enabled"], true,
        "the built-in Stable Diffusion simulator serves it"
    );
    assert_eq!(app.get("/api/v1/engines", None).await.status, 401);

    // Users may not change prices.
    let p = patch(
        &app,
        &user,
        "/api/v1/engines/openai",
        json!({"enabled": false}),
    )
    .await;
    assert_eq!(p.status, 403);
    // A new price shows and is charged; a switched-off model is refused by name.
    let p = patch(
        &app,
        &admin,
        "/api/v1/engines/openai",
        json!({"models": [{"model": "dall-e-2", "cost": 5}, {"model": "dall-e-3", "enabled": false}]}),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["engine"]["models"][2]["cost"], 5);
    assert_eq!(p.body["engine"]["models"][1]["enabled"], false);
    let a = submit(
        &app,
        &user,
        json!({"model": "dall-e-2", "prompt": "a fox", "n": 3}),
    )
    .await;
    assert_eq!(a.body["task"]["cost"], 15, "{}", a.body);
    let a = submit(&app, &user, json!({"model": "dall-e-3", "prompt": "a fox"})).await;
    assert_eq!(a.status, 422);
    assert_eq!(a.body["error"]["field"], "model");
    // Bad prices and fields of the wrong engine change nothing.
    for body in [
        json!({"models": [{"model": "dall-e-2", "cost": -1}]}),
        json!({"models": [{"model": "dall-e-9", "cost": 1}]}),
        json!({"modes": [{"mode": "fast", "cost": 1}]}),
    ] {
        let p = patch(&app, &admin, "/api/v1/engines/openai", body.clone()).await;
        assert_eq!(p.status, 422, "{body}: {}", p.body);
    }
    let p = patch(&app, &admin, "/api/v1/engines/dalle", json!({})).await;
    assert_eq!(p.status, 404);
    let after = app.get("/api/v1/engines", Some(&user)).await.body;
    assert_eq!(after["engines"][1]["models"][2]["cost"], 5);
    // The whole engine off: listed as off, and refused.
    let p = patch(
        &app,
        &admin,
        "/api/v1/engines/openai",
        json!({"enabled": false}),
    )
    .await;
    assert_eq!(p.body["engine"]["enabled"], false);
    let a = submit(&app, &user, json!({"model": "dall-e-2", "prompt": "a fox"})).await;
    assert_eq!(a.status, 422);
    assert_eq!(a.body["error"]["field"], "engine");
    // Midjourney's prices through the same endpoint.
    let p = patch(
        &app,
        &admin,
        "/api/v1/engines/midjourney",
        json!({"modes": [{"mode": "relax", "cost": 3}], "action_cost": 1}),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.body["engine"]["modes"][1]["cost"], 3);
    assert_eq!(p.body["engine"]["action_cost"], 1);
}

#[tokio::test]
async fn the_builtin_openai_simulator_draws_through_the_real_client() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"model": "dall-e-3", "prompt": "a lighthouse", "size": "1024x1792"}),
        )
        .await,
    );
    let t = ended(&app, &user, &id).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    assert_eq!(t["text"], "A detailed picture of a lighthouse.");
    assert_eq!(t["images"][0]["width"], 1024);
    assert_eq!(t["images"][0]["height"], 1792);
    // Its safety system refuses as OpenAI's does.
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"model": "gpt-image-1", "prompt": "gore"}),
        )
        .await,
    );
    let t = ended(&app, &user, &id).await;
    assert_eq!(t["status"], "failed");
    assert!(
        t["fail_reason"].as_str().unwrap().contains("safety system"),
        "{t}"
    );
    // And its test connection says it speaks the API.
    let test = app
        .post(
            &format!("/api/v1/channels/{BUILTIN_OPENAI}/test"),
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(test.status, 200, "{}", test.body);
    assert_eq!(test.body["ok"], true, "{}", test.body);
}
