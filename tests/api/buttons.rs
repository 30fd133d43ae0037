//! Every button an upscale carries, priced one by one; the modal steps that ask the user (Vary
//! (Region) with its mask, Custom Zoom with its factor, Remix with a changed prompt); shorten.

use crate::{
    fake_upstream::{self, Fake, SHORTENED},
    helpers::{Answer, TestApp, created_id, is_final},
};
use base64::Engine as _;
use serde_json::{Value, json};

async fn setup() -> (TestApp, Fake, String, String) {
    fake_upstream::app_with(
        json!({"action_cost": 3, "max_active_tasks_per_user": 50, "signup_credits": 1000}),
    )
    .await
}

async fn press(app: &TestApp, token: &str, id: &str, body: Value) -> Answer {
    app.post(&format!("/api/v1/tasks/{id}/action"), body, Some(token))
        .await
}

/// A finished upscale of a finished grid: its id and its view.
async fn upscale(app: &TestApp, user: &str, prompt: &str) -> (String, Value) {
    let grid = created_id(&app.generate(user, prompt, "fast").await);
    app.tick_until_succeeded(user, &grid).await;
    let up = press(
        app,
        user,
        &grid,
        json!({"custom_id": "MJ::JOB::upsample::1::h"}),
    )
    .await;
    assert_eq!(up.status, 201, "{}", up.body);
    let id = created_id(&up);
    let done = app.tick_until_succeeded(user, &id).await;
    (id, done)
}

fn button<'a>(task: &'a Value, label: &str) -> &'a Value {
    task["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["label"] == label)
        .unwrap_or_else(|| panic!("no {label} in {task}"))
}

async fn waiting(app: &TestApp, user: &str, id: &str) -> Value {
    app.tick_until(user, id, 20, |t| {
        t["status"] == "needs_input" || is_final(t)
    })
    .await
}

fn modal_bodies(fake: &Fake) -> Vec<Value> {
    fake.lock()
        .bodies
        .iter()
        .filter(|(p, _)| p == "/mj/submit/modal")
        .map(|(_, b)| b.clone())
        .collect()
}

/// A PNG of `w` x `h`, white in the rectangle [x0, x1) x [y0, y1), black elsewhere.
fn mask(w: u32, h: u32, (x0, y0, x1, y1): (u32, u32, u32, u32)) -> Vec<u8> {
    let img = image::GrayImage::from_fn(w, h, |x, y| {
        image::Luma([if (x0..x1).contains(&x) && (y0..y1).contains(&y) {
            255
        } else {
            0
        }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn data_url(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

#[tokio::test]
async fn every_button_of_a_v6_upscale_is_accepted_and_priced() {
    let (app, fake, admin, user) = setup().await;
    // Each follow-up its own price; the ones not set cost action_cost (3).
    let prices = json!({"upscale_subtle": 4, "upscale_creative": 6, "vary_subtle": 5,
        "vary_strong": 7, "vary_region": 9, "zoom_out": 11, "custom_zoom": 12,
        "make_square": 13, "pan": 14});
    app.configure(&admin, json!({"action_costs": prices})).await;
    let (id, up) = upscale(&app, &user, "a fox to upscale").await;
    let expected = [
        ("Upscale (Subtle)", 4, "upscale"),
        ("Upscale (Creative)", 6, "upscale"),
        ("Vary (Subtle)", 5, "variation"),
        ("Vary (Strong)", 7, "variation"),
        ("Vary (Region)", 9, "inpaint"),
        ("Zoom Out 2x", 11, "zoom"),
        ("Zoom Out 1.5x", 11, "zoom"),
        ("Custom Zoom", 12, "zoom"),
        ("Make Square", 13, "zoom"),
    ];
    let buttons = up["buttons"].as_array().unwrap();
    // Fourteen with a customId (the "Web" link has none), as the upstream labels them.
    assert_eq!(buttons.len(), 14, "{up}");
    for (label, cost, action) in expected {
        let b = button(&up, label);
        assert_eq!(b["cost"], cost, "{label}: {b}");
        assert_eq!(b["action"], action, "{label}: {b}");
    }
    let pans: Vec<&Value> = buttons.iter().filter(|b| b["action"] == "pan").collect();
    assert_eq!(pans.len(), 4);
    assert!(pans.iter().all(|b| b["cost"] == 14));
    let heart = buttons
        .iter()
        .find(|b| b["custom_id"] == "MJ::BOOKMARK::h")
        .unwrap();
    // A button Atelier does not know: pressed as it is, at the price of any other follow-up.
    assert_eq!(
        (heart["action"].as_str(), heart["cost"].as_i64()),
        (None, Some(3))
    );
    // Every one is pressed, charged what it said, and sent to the proxy as it is.
    for b in buttons {
        let before = app.balance(&user).await;
        let custom_id = b["custom_id"].as_str().unwrap();
        let child = press(&app, &user, &id, json!({"custom_id": custom_id})).await;
        assert_eq!(child.status, 201, "{custom_id}: {}", child.body);
        assert_eq!(child.body["task"]["cost"], b["cost"], "{custom_id}");
        assert_eq!(
            app.balance(&user).await,
            before - b["cost"].as_i64().unwrap()
        );
        let child_id = created_id(&child);
        let t = app
            .tick_until(&user, &child_id, 10, |t| t["upstream_id"].is_string())
            .await;
        assert!(t["upstream_id"].is_string(), "{custom_id}: {t}");
        assert!(
            fake.lock().actions.iter().any(|a| a == custom_id),
            "{custom_id}"
        );
    }
    // The admin's prices are read back, and an unknown one is named.
    let config = app.get("/api/v1/midjourney/config", Some(&admin)).await;
    assert_eq!(config.body["action_costs"]["vary_region"], 9);
    assert_eq!(config.body["action_costs"]["reroll"], 3, "the default");
    // The admin also sees which prices are their own (the settings page's table), a user not.
    assert_eq!(config.body["action_costs_set"]["vary_region"], 9);
    assert!(config.body["action_costs_set"].get("reroll").is_none());
    let seen = app.get("/api/v1/midjourney/config", Some(&user)).await;
    assert!(seen.body["action_costs_set"].is_null(), "{}", seen.body);
    let bad = app
        .post(
            "/api/v1/midjourney/config",
            json!({"action_costs": {"teleport": 1}}),
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(bad.body["error"]["field"], "action_costs.teleport");
    // null puts a price back to the default.
    app.configure(&admin, json!({"action_costs": {"vary_region": null}}))
        .await;
    let config = app.get("/api/v1/midjourney/config", Some(&admin)).await;
    assert_eq!(config.body["action_costs"]["vary_region"], 3);
}

#[tokio::test]
async fn vary_region_waits_for_a_mask_that_reaches_the_proxy_white_where_painted() {
    let (app, fake, admin, user) = setup().await;
    app.configure(&admin, json!({"action_costs": {"vary_region": 5}}))
        .await;
    let (id, up) = upscale(&app, &user, "a fox with a hat").await;
    assert_eq!(
        (
            up["images"][0]["width"].as_i64(),
            up["images"][0]["height"].as_i64()
        ),
        (Some(64), Some(64))
    );
    let region = button(&up, "Vary (Region)")["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = app.balance(&user).await;
    let child = press(&app, &user, &id, json!({"custom_id": region})).await;
    assert_eq!(child.status, 201, "{}", child.body);
    let child_id = created_id(&child);
    assert_eq!(app.balance(&user).await, before - 5);
    let w = waiting(&app, &user, &child_id).await;
    assert_eq!(w["status"], "needs_input", "{w}");
    // No mask, a mask that paints nothing, one of another shape: each named, nothing sent.
    for (body, field) in [
        (json!({"custom_id": region, "prompt": "a red hat"}), "mask"),
        (
            json!({"custom_id": region, "mask": data_url(&mask(64, 64, (0, 0, 0, 0)))}),
            "mask",
        ),
        (
            json!({"custom_id": region, "mask": data_url(&mask(64, 32, (0, 0, 8, 8)))}),
            "mask",
        ),
        (
            json!({"custom_id": region, "mask": "not base64 at all!"}),
            "mask",
        ),
    ] {
        let a = press(&app, &user, &child_id, body).await;
        assert_eq!(a.status, 422, "{}", a.body);
        assert_eq!(a.body["error"]["field"], field);
    }
    assert!(modal_bodies(&fake).is_empty());
    // Painted at twice the picture's size (the editor draws on what the screen shows): the
    // left half, with a new prompt.
    let painted = mask(128, 128, (0, 0, 64, 128));
    let a = press(
        &app,
        &user,
        &child_id,
        json!({"custom_id": region, "prompt": "a fox with a red hat", "mask": data_url(&painted)}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let done = app.tick_until_succeeded(&user, &child_id).await;
    assert_eq!(done["action"], "inpaint");
    let sent = modal_bodies(&fake);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["prompt"], "a fox with a red hat");
    let url = sent[0]["maskBase64"].as_str().unwrap();
    let png = base64::engine::general_purpose::STANDARD
        .decode(url.strip_prefix("data:image/png;base64,").unwrap())
        .unwrap();
    let sent_mask = image::load_from_memory(&png).unwrap().to_luma8();
    assert_eq!(sent_mask.dimensions(), (64, 64), "the picture's size");
    for (x, y, p) in sent_mask.enumerate_pixels() {
        assert_eq!(p.0[0], if x < 32 { 255 } else { 0 }, "({x}, {y})");
    }
    assert_eq!(app.balance(&user).await, before - 5, "charged once");
}

#[tokio::test]
async fn custom_zoom_sends_its_factor_in_the_modal_prompt() {
    let (app, fake, _, user) = setup().await;
    let (id, up) = upscale(&app, &user, "a wide fox").await;
    let zoom = button(&up, "Custom Zoom")["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let child = created_id(&press(&app, &user, &id, json!({"custom_id": zoom})).await);
    assert_eq!(waiting(&app, &user, &child).await["status"], "needs_input");
    for z in [0.5, 2.5] {
        let a = press(&app, &user, &child, json!({"custom_id": zoom, "zoom": z})).await;
        assert_eq!(a.status, 422, "{}", a.body);
        assert_eq!(a.body["error"]["field"], "zoom");
    }
    // The factor replaces any --zoom the prompt had.
    let a = press(
        &app,
        &user,
        &child,
        json!({"custom_id": zoom, "zoom": 1.8, "prompt": "a wide fox --zoom 1.2 --ar 3:2"}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    app.tick_until_succeeded(&user, &child).await;
    let modals = fake.lock().modals.clone();
    assert_eq!(modals.len(), 1);
    assert_eq!(modals[0].1, "a wide fox --ar 3:2 --zoom 1.8");
}

#[tokio::test]
async fn remix_draws_a_variation_from_the_changed_prompt() {
    let (app, fake, _, user) = setup().await;
    let grid = created_id(&app.generate(&user, "a fox in snow", "fast").await);
    app.tick_until_succeeded(&user, &grid).await;
    fake.lock().remix = true;
    let child = press(
        &app,
        &user,
        &grid,
        json!({"custom_id": "MJ::JOB::variation::1::h", "prompt": "a fox in rain"}),
    )
    .await;
    assert_eq!(child.status, 201, "{}", child.body);
    assert_eq!(child.body["task"]["prompt"], "a fox in rain");
    app.tick_until_succeeded(&user, &created_id(&child)).await;
    assert_eq!(fake.lock().modals[0].1, "a fox in rain");
    // An upscale is not remixed: a prompt with it is refused by name.
    let a = press(
        &app,
        &user,
        &grid,
        json!({"custom_id": "MJ::JOB::upsample::2::h", "prompt": "other"}),
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(a.body["error"]["field"], "prompt");
}

#[tokio::test]
async fn shorten_answers_five_prompts_and_imagines_the_chosen_one() {
    let (app, fake, admin, user) = setup().await;
    app.configure(&admin, json!({"action_costs": {"shorten": 1}}))
        .await;
    let before = app.balance(&user).await;
    let t = app
        .post(
            "/api/v1/tasks",
            json!({"action": "shorten", "mode": "fast",
                   "prompt": "a very detailed red fox standing in deep snow at dusk, oil painting"}),
            Some(&user),
        )
        .await;
    assert_eq!(t.status, 201, "{}", t.body);
    let id = created_id(&t);
    let done = app.tick_until_succeeded(&user, &id).await;
    assert_eq!(done["text"], SHORTENED);
    assert_eq!(done["buttons"].as_array().unwrap().len(), 5);
    assert_eq!(app.balance(&user).await, before - 1);
    let sent: Vec<Value> = fake
        .lock()
        .bodies
        .iter()
        .filter(|(p, _)| p == "/mj/submit/shorten")
        .map(|(_, b)| b.clone())
        .collect();
    assert!(
        sent[0]["prompt"]
            .as_str()
            .unwrap()
            .starts_with("a very detailed red fox")
    );
    let second = done["buttons"][1].clone();
    assert_eq!(second["cost"], 8, "a new grid, at the mode's price");
    let child = press(&app, &user, &id, json!({"custom_id": second["custom_id"]})).await;
    assert_eq!(child.status, 201, "{}", child.body);
    assert_eq!(child.body["task"]["prompt"], "red fox, snow, dusk");
    assert_eq!(child.body["task"]["action"], "imagine");
}

#[tokio::test]
async fn cancelling_a_step_that_waits_for_input_refunds_what_it_charged() {
    let (app, _fake, admin, user) = setup().await;
    app.configure(&admin, json!({"action_costs": {"custom_zoom": 6}}))
        .await;
    let (id, up) = upscale(&app, &user, "a fox far away").await;
    let zoom = button(&up, "Custom Zoom")["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = app.balance(&user).await;
    let child = created_id(&press(&app, &user, &id, json!({"custom_id": zoom})).await);
    assert_eq!(app.balance(&user).await, before - 6);
    assert_eq!(waiting(&app, &user, &child).await["status"], "needs_input");
    let c = app
        .post(
            &format!("/api/v1/tasks/{child}/cancel"),
            json!({}),
            Some(&user),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.body["task"]["status"], "cancelled");
    assert_eq!(app.balance(&user).await, before, "all of it back");
}

/// The settings are kept in memory: a price or a switch changed is seen by the very next read of
/// a finished task (the cache is told, not left to expire).
#[tokio::test]
async fn a_changed_price_is_seen_by_the_next_read_of_a_finished_task() {
    let (app, _fake, admin, user) = setup().await;
    let grid = created_id(&app.generate(&user, "a priced fox", "fast").await);
    app.tick_until_succeeded(&user, &grid).await;
    let price = async || app.task(&user, &grid).await["buttons"][0]["cost"].clone();
    assert_eq!(price().await, 3);
    assert_eq!(price().await, 3, "read again: from what was kept");
    app.configure(&admin, json!({"action_cost": 5})).await;
    assert_eq!(price().await, 5);
    // The list reads the same way.
    app.configure(&admin, json!({"action_cost": 6})).await;
    let listed = app.get("/api/v1/tasks?limit=5", Some(&user)).await;
    assert_eq!(listed.body["tasks"][0]["buttons"][0]["cost"], 6);
}
