//! MidJourney with images (issue 17): image prompts, blend and describe, against the scripted
//! fake proxy, and through the built-in simulator.

use crate::{
    fake_upstream::{self, DESCRIBED, Fake, SECRET},
    helpers::{TestApp, created_id, is_final, spawn_app},
    uploads::uploaded,
};
use base64::Engine as _;
use serde_json::{Value, json};

async fn setup() -> (TestApp, Fake, String) {
    let app = spawn_app().await;
    let fake = fake_upstream::start().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    app.configure(
        &admin,
        json!({"api_url": fake.base, "api_secret": SECRET, "action_cost": 3}),
    )
    .await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    (app, fake, user)
}

fn png(shade: u8) -> Vec<u8> {
    crate::fake_sd::png(shade)
}

/// The bodies the fake received at `path`.
fn bodies(fake: &Fake, path: &str) -> Vec<Value> {
    fake.lock()
        .bodies
        .iter()
        .filter(|(p, _)| p == path)
        .map(|(_, b)| b.clone())
        .collect()
}

/// A data URL's bytes.
fn decoded(url: &Value) -> Vec<u8> {
    let url = url.as_str().unwrap();
    let data = url
        .strip_prefix("data:image/png;base64,")
        .unwrap_or_else(|| panic!("{url}"));
    base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap()
}

async fn ended(app: &TestApp, token: &str, id: &str) -> Value {
    app.tick_until(token, id, 40, is_final).await
}

#[tokio::test]
async fn an_imagine_with_two_image_prompts_sends_both_as_data_urls() {
    let (app, fake, user) = setup().await;
    let (a, b) = (png(10), png(200));
    let ia = uploaded(&app, &user, a.clone()).await;
    let ib = uploaded(&app, &user, b.clone()).await;
    let t = app
        .post(
            "/api/v1/tasks",
            json!({"prompt": "a fox like these", "mode": "fast",
                   "images": [{"upload_id": ia, "role": "reference"}, {"upload_id": ib, "role": "reference"}]}),
            Some(&user),
        )
        .await;
    let id = created_id(&t);
    assert_eq!(
        t.body["task"]["inputs"].as_array().unwrap().len(),
        2,
        "{}",
        t.body
    );
    assert_eq!(ended(&app, &user, &id).await["status"], "succeeded");
    let sent = bodies(&fake, "/mj/submit/imagine");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["prompt"], "a fox like these");
    let images = sent[0]["base64Array"].as_array().unwrap();
    assert_eq!(images.len(), 2);
    assert_eq!(decoded(&images[0]), a);
    assert_eq!(decoded(&images[1]), b);
    // The uploads stay the user's, and another's are refused by name, charging nothing.
    let other = app.signed_up("Cy", "cy@example.com").await;
    let before = app.balance(&other).await;
    let refused = app
        .post(
            "/api/v1/tasks",
            json!({"prompt": "a fox", "mode": "fast", "images": [{"upload_id": ia, "role": "reference"}]}),
            Some(&other),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.body["error"]["field"], "images");
    assert_eq!(app.balance(&other).await, before);
}

#[tokio::test]
async fn a_blend_of_three_sends_three_and_the_dimensions() {
    let (app, fake, user) = setup().await;
    let mut ids = Vec::new();
    let mut files = Vec::new();
    for shade in [20, 120, 220] {
        files.push(png(shade));
        ids.push(uploaded(&app, &user, png(shade)).await);
    }
    let images: Vec<Value> = ids
        .iter()
        .map(|id| json!({"upload_id": id, "role": "blend"}))
        .collect();
    let before = app.balance(&user).await;
    let t = app
        .post(
            "/api/v1/tasks",
            json!({"action": "blend", "mode": "fast", "dimensions": "portrait", "images": images}),
            Some(&user),
        )
        .await;
    let id = created_id(&t);
    assert_eq!(t.body["task"]["action"], "blend");
    assert_eq!(t.body["task"]["prompt"], "/blend");
    assert_eq!(t.body["task"]["params"]["dimensions"], "portrait");
    let done = ended(&app, &user, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(
        done["buttons"].as_array().unwrap().len(),
        4,
        "the fake grid's buttons"
    );
    assert_eq!(app.balance(&user).await, before - 8, "a fast job");
    let sent = bodies(&fake, "/mj/submit/blend");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["dimensions"], "PORTRAIT");
    let sent_images: Vec<Vec<u8>> = sent[0]["base64Array"]
        .as_array()
        .unwrap()
        .iter()
        .map(decoded)
        .collect();
    assert_eq!(sent_images, files, "all three, in order");
    // One image is not a blend; six are too many; a bad dimension is named.
    for (images, field) in [
        (
            vec![json!({"upload_id": ids[0], "role": "blend"})],
            "images",
        ),
        (
            std::iter::repeat_n(json!({"upload_id": ids[0], "role": "blend"}), 6).collect(),
            "images",
        ),
    ] {
        let a = app
            .post(
                "/api/v1/tasks",
                json!({"action": "blend", "mode": "fast", "images": images}),
                Some(&user),
            )
            .await;
        assert_eq!(a.status, 422, "{}", a.body);
        assert_eq!(a.body["error"]["field"], field);
    }
    let a = app
        .post(
            "/api/v1/tasks",
            json!({"action": "blend", "mode": "fast", "dimensions": "round",
                   "images": [{"upload_id": ids[0], "role": "blend"}, {"upload_id": ids[1], "role": "blend"}]}),
            Some(&user),
        )
        .await;
    assert_eq!(a.body["error"]["field"], "dimensions", "{}", a.body);
}

#[tokio::test]
async fn describe_succeeds_with_four_prompts_and_their_buttons() {
    let (app, fake, user) = setup().await;
    let picture = png(90);
    let up = uploaded(&app, &user, picture.clone()).await;
    let before = app.balance(&user).await;
    let t = app
        .post(
            "/api/v1/tasks",
            json!({"action": "describe", "mode": "fast", "images": [{"upload_id": up, "role": "describe"}]}),
            Some(&user),
        )
        .await;
    let id = created_id(&t);
    assert_eq!(t.body["task"]["cost"], 3, "a describe costs a follow-up");
    let done = ended(&app, &user, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["text"], DESCRIBED);
    assert_eq!(done["text"].as_str().unwrap().matches("️⃣").count(), 4);
    let labels: Vec<&str> = done["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["1", "2", "3", "4"]);
    assert_eq!(app.balance(&user).await, before - 3);
    let sent = bodies(&fake, "/mj/submit/describe");
    assert_eq!(decoded(&sent[0]["base64"]), picture);
    // Imagining its second prompt is a button of it, sent to the proxy.
    let custom = done["buttons"][1]["custom_id"].as_str().unwrap().to_owned();
    let child = app
        .post(
            &format!("/api/v1/tasks/{id}/action"),
            json!({"custom_id": custom}),
            Some(&user),
        )
        .await;
    assert_eq!(child.status, 201, "{}", child.body);
    assert_eq!(child.body["task"]["prompt"], "a fox at dusk, oil painting");
    assert_eq!(
        child.body["task"]["cost"], 8,
        "a new grid, at the mode's price"
    );
    let child_id = created_id(&child);
    assert_eq!(ended(&app, &user, &child_id).await["status"], "succeeded");
    assert!(
        fake.lock()
            .actions
            .contains(&"MJ::Job::PicReader::2".to_owned())
    );
    // Describe takes exactly one picture.
    let a = app
        .post(
            "/api/v1/tasks",
            json!({"action": "describe", "mode": "fast", "images": []}),
            Some(&user),
        )
        .await;
    assert_eq!(a.status, 422);
    assert_eq!(a.body["error"]["field"], "images");
}

#[tokio::test]
async fn the_simulator_blends_and_describes_through_the_real_client() {
    let app = spawn_app().await;
    let user = app.signed_up("Ada", "ada@example.com").await;
    let a = uploaded(&app, &user, png(30)).await;
    let b = uploaded(&app, &user, png(230)).await;
    let t = app
        .post(
            "/api/v1/tasks",
            json!({"action": "blend", "mode": "relax", "dimensions": "landscape",
                   "images": [{"upload_id": a, "role": "blend"}, {"upload_id": b, "role": "blend"}]}),
            Some(&user),
        )
        .await;
    let done = app.tick_until_succeeded(&user, &created_id(&t)).await;
    let (w, h) = (
        done["images"][0]["width"].as_i64().unwrap(),
        done["images"][0]["height"].as_i64().unwrap(),
    );
    assert!(w > h, "landscape: {w}x{h}");
    let t = app
        .post(
            "/api/v1/tasks",
            json!({"action": "describe", "mode": "relax", "images": [{"upload_id": a, "role": "describe"}]}),
            Some(&user),
        )
        .await;
    let done = app.tick_until_succeeded(&user, &created_id(&t)).await;
    assert!(
        done["text"].as_str().is_some_and(|t| !t.is_empty()),
        "{done}"
    );
}

#[tokio::test]
async fn a_style_reference_ends_as_sref_with_the_uploaded_url_in_the_prompt_sent() {
    let (app, fake, user) = setup().await;
    let style = png(60);
    let face = png(160);
    let s = uploaded(&app, &user, style.clone()).await;
    let c = uploaded(&app, &user, face.clone()).await;
    let t = app
        .post(
            "/api/v1/tasks",
            json!({"prompt": "a fox portrait --ar 2:3", "mode": "fast", "sw": 250, "cw": 40,
                   "images": [{"upload_id": s, "role": "sref"}, {"upload_id": c, "role": "cref"}]}),
            Some(&user),
        )
        .await;
    let id = created_id(&t);
    assert_eq!(t.body["task"]["params"]["sw"], 250);
    assert_eq!(ended(&app, &user, &id).await["status"], "succeeded");
    let uploads = bodies(&fake, "/mj/submit/upload-discord-images");
    assert_eq!(uploads.len(), 2, "one upload per kind of reference");
    assert_eq!(decoded(&uploads[0]["base64Array"][0]), style);
    assert_eq!(decoded(&uploads[1]["base64Array"][0]), face);
    let sent = bodies(&fake, "/mj/submit/imagine");
    let prompt = sent[0]["prompt"].as_str().unwrap();
    let base = &fake.base;
    assert_eq!(
        prompt,
        format!(
            "a fox portrait --ar 2:3 --sref {base}/img/ref-1-0.png --sw 250 --cref {base}/img/ref-2-0.png --cw 40"
        )
    );
    assert!(
        sent[0].get("base64Array").is_none(),
        "references are not image prompts"
    );
    // A weight without its reference, or out of range, is named.
    for (body, field) in [
        (json!({"prompt": "a fox", "mode": "fast", "sw": 100}), "sw"),
        (
            json!({"prompt": "a fox", "mode": "fast", "cw": 101,
                   "images": [{"upload_id": c, "role": "cref"}]}),
            "cw",
        ),
    ] {
        let a = app.post("/api/v1/tasks", body, Some(&user)).await;
        assert_eq!(a.status, 422, "{}", a.body);
        assert_eq!(a.body["error"]["field"], field);
    }
}
