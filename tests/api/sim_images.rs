//! The built-in MidJourney simulator draws from what it is given, through the real client:
//! image prompts and style references tint, a blend mixes, a mask repaints only its region, a
//! zoom keeps the shrunken original in the middle, shorten answers five prompts.

use crate::{
    helpers::{TestApp, created_id, is_final, spawn_app},
    uploads::uploaded,
};
use base64::Engine as _;
use serde_json::{Value, json};

/// A flat picture of one colour.
fn flat(rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(64, 64, image::Rgb(rgb));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn picture(app: &TestApp, token: &str, task: &Value) -> image::RgbImage {
    let (status, bytes) = app.file(token, task["image_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    image::load_from_memory(&bytes).unwrap().to_rgb8()
}

fn mean(img: &image::RgbImage) -> [f64; 3] {
    let n = f64::from(img.width() * img.height());
    let mut sum = [0.0; 3];
    for p in img.pixels() {
        for (s, k) in sum.iter_mut().zip(p.0) {
            *s += f64::from(k);
        }
    }
    sum.map(|s| s / n)
}

async fn made(app: &TestApp, token: &str, body: Value) -> Value {
    let t = app.post("/api/v1/tasks", body, Some(token)).await;
    assert_eq!(t.status, 201, "{}", t.body);
    app.tick_until_succeeded(token, &created_id(&t)).await
}

async fn press(app: &TestApp, token: &str, id: &str, body: Value) -> String {
    let a = app
        .post(&format!("/api/v1/tasks/{id}/action"), body, Some(token))
        .await;
    assert!(a.status == 201 || a.status == 200, "{}", a.body);
    a.body["task"]["id"].as_str().unwrap().to_owned()
}

/// Tile `i` (0-3) of a grid.
fn tile(grid: &image::RgbImage, i: u32) -> image::RgbImage {
    let (w, h) = (grid.width() / 2, grid.height() / 2);
    image::imageops::crop_imm(grid, i % 2 * w, i / 2 * h, w, h).to_image()
}

#[tokio::test]
async fn image_prompts_and_style_references_tint_and_a_blend_mixes() {
    let app = spawn_app().await;
    let user = app.signed_up("Ada", "ada@example.com").await;
    let red = uploaded(&app, &user, flat([250, 10, 10])).await;
    let green = uploaded(&app, &user, flat([10, 250, 10])).await;
    let blue = uploaded(&app, &user, flat([10, 10, 250])).await;
    let plain = made(
        &app,
        &user,
        json!({"prompt": "a calm lake", "mode": "relax"}),
    )
    .await;
    let reddened = made(
        &app,
        &user,
        json!({"prompt": "a calm lake", "mode": "relax",
               "images": [{"upload_id": red, "role": "reference"}]}),
    )
    .await;
    let greened = made(
        &app,
        &user,
        json!({"prompt": "a calm lake", "mode": "relax",
               "images": [{"upload_id": green, "role": "sref"}]}),
    )
    .await;
    assert!(greened["prompt"].as_str().unwrap() == "a calm lake");
    let (p, r, g) = (
        mean(&picture(&app, &user, &plain).await),
        mean(&picture(&app, &user, &reddened).await),
        mean(&picture(&app, &user, &greened).await),
    );
    assert!(r[0] > p[0] + 40.0, "an image prompt tints: {p:?} {r:?}");
    assert!(g[1] > p[1] + 40.0, "a style reference tints: {p:?} {g:?}");
    let blend = made(
        &app,
        &user,
        json!({"action": "blend", "mode": "relax",
               "images": [{"upload_id": red, "role": "blend"}, {"upload_id": blue, "role": "blend"}]}),
    )
    .await;
    let b = mean(&picture(&app, &user, &blend).await);
    assert!(
        b[0] > b[1] + 40.0 && b[2] > b[1] + 40.0,
        "red and blue make purple: {b:?}"
    );
}

#[tokio::test]
async fn a_mask_repaints_only_its_region_and_a_custom_zoom_keeps_the_original_in_the_middle() {
    let app = spawn_app().await;
    let user = app.signed_up("Ada", "ada@example.com").await;
    let grid = made(
        &app,
        &user,
        json!({"prompt": "a lighthouse", "mode": "relax"}),
    )
    .await;
    let id = grid["id"].as_str().unwrap().to_owned();
    let up_id = press(
        &app,
        &user,
        &id,
        json!({"custom_id": grid["buttons"][0]["custom_id"]}),
    )
    .await;
    let up = app.tick_until_succeeded(&user, &up_id).await;
    let find = |label: &str| {
        up["buttons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["label"] == label)
            .unwrap_or_else(|| panic!("{label} in {up}"))["custom_id"]
            .clone()
    };
    // Vary (Region), the left half painted.
    let region = find("Vary (Region)");
    let child = press(&app, &user, &up_id, json!({"custom_id": region})).await;
    let w = app
        .tick_until(&user, &child, 50, |t| {
            t["status"] == "needs_input" || is_final(t)
        })
        .await;
    assert_eq!(w["status"], "needs_input", "{w}");
    let (pw, ph) = (
        up["images"][0]["width"].as_u64().unwrap() as u32,
        up["images"][0]["height"].as_u64().unwrap() as u32,
    );
    let mask = image::GrayImage::from_fn(pw, ph, |x, _| {
        image::Luma([if x < pw / 2 { 255 } else { 0 }])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    mask.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let mask = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png.into_inner())
    );
    press(
        &app,
        &user,
        &child,
        json!({"custom_id": region, "mask": mask}),
    )
    .await;
    let done = app.tick_until_succeeded(&user, &child).await;
    let repainted = picture(&app, &user, &done).await;
    let (a, b) = (tile(&repainted, 0), tile(&repainted, 1));
    let half = a.width() / 2;
    let right = |t: &image::RgbImage| {
        image::imageops::crop_imm(t, half + 2, 0, half - 2, t.height()).to_image()
    };
    let left =
        |t: &image::RgbImage| image::imageops::crop_imm(t, 0, 0, half - 2, t.height()).to_image();
    assert_eq!(
        right(&a),
        right(&b),
        "outside the mask: the original in every tile"
    );
    assert_ne!(left(&a), left(&b), "inside: repainted, each tile its own");
    // Custom Zoom 2: the original, half size, in the middle of each tile.
    let zoom = find("Custom Zoom");
    let child = press(&app, &user, &up_id, json!({"custom_id": zoom})).await;
    let w = app
        .tick_until(&user, &child, 50, |t| {
            t["status"] == "needs_input" || is_final(t)
        })
        .await;
    assert_eq!(w["status"], "needs_input", "{w}");
    press(&app, &user, &child, json!({"custom_id": zoom, "zoom": 2})).await;
    let done = app.tick_until_succeeded(&user, &child).await;
    assert_eq!(
        done["params"]["modal_prompt"], "a lighthouse --zoom 2",
        "{done}"
    );
    let zoomed = picture(&app, &user, &done).await;
    let (a, b) = (tile(&zoomed, 0), tile(&zoomed, 1));
    let (tw, th) = a.dimensions();
    let middle = |t: &image::RgbImage| {
        image::imageops::crop_imm(t, tw / 4 + 2, th / 4 + 2, tw / 2 - 4, th / 2 - 4).to_image()
    };
    let corner =
        |t: &image::RgbImage| image::imageops::crop_imm(t, 0, 0, tw / 5, th / 5).to_image();
    assert_eq!(
        middle(&a),
        middle(&b),
        "the shrunken original in the middle"
    );
    assert_ne!(corner(&a), corner(&b), "a new scene around it");
}

#[tokio::test]
async fn shorten_answers_five_prompts_from_the_words_given() {
    let app = spawn_app().await;
    let user = app.signed_up("Ada", "ada@example.com").await;
    let done = made(
        &app,
        &user,
        json!({"action": "shorten", "mode": "relax",
               "prompt": "an old stone lighthouse on a cliff, stormy sea, dramatic light --ar 3:2"}),
    )
    .await;
    let text = done["text"].as_str().unwrap();
    assert_eq!(text.matches('\u{20e3}').count(), 5, "{text}");
    assert!(text.contains("an old stone lighthouse"), "{text}");
    assert!(done["image_url"].is_null());
    assert_eq!(done["buttons"].as_array().unwrap().len(), 5);
}
