//! The sd_webui engine against a scripted Stable Diffusion WebUI (`fake_sd`), and through the
//! built-in simulator.

use crate::{
    engines::{patch, point_at, submit_to},
    fake_sd::{self, CHECKPOINT, CHECKPOINT_NAME, FakeSd, LOGIN, Script},
    helpers::{TestApp, created_id as id_of, is_final as ended, spawn_app, spawn_app_with},
    uploads::uploaded,
};
use serde_json::{Value, json};
use std::time::Duration;

pub const BUILTIN_SD: &str = "00000000-0000-7000-8000-000000000003";

/// An app whose Stable Diffusion channel (the built-in one, pointed elsewhere) is the fake.
async fn setup() -> (TestApp, FakeSd, String, String) {
    let app = spawn_app().await;
    let fake = fake_sd::start().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    point_at(&app, &admin, BUILTIN_SD, &fake.base, LOGIN).await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    (app, fake, admin, user)
}

async fn submit(app: &TestApp, token: &str, body: Value) -> crate::helpers::Answer {
    submit_to(app, token, "sd_webui", body).await
}

async fn until(app: &TestApp, token: &str, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    app.wait_until(token, id, done).await
}

async fn preview(app: &TestApp, token: &str, id: &str) -> (u16, Vec<u8>) {
    let res = app
        .client
        .get(app.url(&format!("/api/v1/tasks/{id}/preview")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_boxs_checkpoints_are_offered_and_a_task_sends_every_parameter_with_the_login() {
    let (app, fake, _, user) = setup().await;
    let offers = app.get("/api/v1/engines", Some(&user)).await.body;
    let sd = &offers["engines"][2];
    assert_eq!(sd["kind"], "sd_webui");
    assert_eq!(sd["enabled"], true, "{sd}");
    assert_eq!(sd["models"][0]["model"], CHECKPOINT, "{sd}");
    assert_eq!(sd["models"][0]["label"], CHECKPOINT_NAME);
    assert_eq!(
        sd["models"][0]["cost"], 1,
        "every checkpoint's default price"
    );
    assert_eq!(sd["samplers"], json!(["Euler a", "DPM++ 2M"]));
    let before = app.balance(&user).await;
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"model": CHECKPOINT_NAME, "prompt": "a red fox", "negative_prompt": "blurry",
                   "size": "768x512", "n": 2, "steps": 30, "cfg_scale": 6.5, "sampler": "DPM++ 2M",
                   "seed": 42}),
        )
        .await,
    );
    let t = until(&app, &user, &id, ended).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    assert_eq!(
        t["model"], CHECKPOINT,
        "the checkpoint's title, named by its short name"
    );
    assert_eq!(t["images"].as_array().unwrap().len(), 2, "{t}");
    assert_eq!(t["params"]["steps"], 30);
    assert_eq!(t["params"]["cfg_scale"], 6.5);
    assert_eq!(app.balance(&user).await, before - 2, "two pictures at 1");
    let jobs = fake.jobs();
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job.path, "/sdapi/v1/txt2img");
    let basic = format!(
        "Basic {}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, LOGIN)
    );
    assert_eq!(job.authorization.as_deref(), Some(basic.as_str()));
    let b = &job.json;
    assert_eq!(b["prompt"], "a red fox");
    assert_eq!(b["negative_prompt"], "blurry");
    assert_eq!(
        (b["width"].clone(), b["height"].clone()),
        (json!(768), json!(512))
    );
    assert_eq!(b["batch_size"], 2);
    assert_eq!(b["steps"], 30);
    assert_eq!(b["cfg_scale"], 6.5);
    assert_eq!(b["sampler_name"], "DPM++ 2M");
    assert_eq!(b["seed"], 42);
    assert_eq!(b["override_settings"]["sd_model_checkpoint"], CHECKPOINT);
    assert!(b["force_task_id"].as_str().is_some_and(|s| !s.is_empty()));
}

#[tokio::test]
async fn bad_fields_are_refused_by_name_before_any_charge() {
    let (app, fake, admin, user) = setup().await;
    let before = app.balance(&user).await;
    for (body, field) in [
        (json!({"model": "sd-9", "prompt": "a fox"}), "model"),
        (json!({"prompt": "a fox", "size": "500x500"}), "size"),
        (json!({"prompt": "a fox", "n": 5}), "n"),
        (json!({"prompt": "a fox", "steps": 0}), "steps"),
        (json!({"prompt": "a fox", "cfg_scale": 31}), "cfg_scale"),
        (json!({"prompt": "a fox", "sampler": "Heun"}), "sampler"),
        (json!({"prompt": "a fox", "seed": -5}), "seed"),
        (json!({"prompt": " "}), "prompt"),
    ] {
        let a = submit(&app, &user, body.clone()).await;
        assert_eq!(a.status, 422, "{body}: {}", a.body);
        assert_eq!(a.body["error"]["field"], field, "{body}: {}", a.body);
    }
    assert_eq!(app.balance(&user).await, before);
    assert!(fake.jobs().is_empty());
    // A checkpoint the admin prices on its own, and one they switch off.
    let p = patch(
        &app,
        &admin,
        "/api/v1/engines/sd_webui",
        json!({"models": [{"model": CHECKPOINT, "cost": 3},
                          {"model": "sdxl_base.safetensors [31e35c80fc]", "enabled": false}]}),
    )
    .await;
    assert_eq!(p.status, 200, "{}", p.body);
    let a = submit(&app, &user, json!({"prompt": "a fox", "n": 2})).await;
    assert_eq!(
        a.body["task"]["cost"], 6,
        "the first checkpoint, twice: {}",
        a.body
    );
    let a = submit(
        &app,
        &user,
        json!({"prompt": "a fox", "model": "sdxl_base"}),
    )
    .await;
    assert_eq!(a.status, 422);
    assert_eq!(a.body["error"]["field"], "model");
}

#[tokio::test]
async fn progress_goes_forward_only_with_the_preview_and_the_pictures_come_at_the_end() {
    let (app, fake, _, user) = setup().await;
    fake.then(Script::Hold);
    let id = id_of(&submit(&app, &user, json!({"prompt": "a slow fox"})).await);
    let t = until(&app, &user, &id, |t| t["status"] == "in_progress").await;
    assert_eq!(t["progress"], 0);
    let shown = fake_sd::png(200);
    fake.progress(0.42, Some(shown.clone()));
    // The percentage is written first, the picture so far right after it.
    until(&app, &user, &id, |t| {
        t["progress"] == 42 && t["preview_url"].is_string()
    })
    .await;
    let (status, bytes) = preview(&app, &user, &id).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, shown, "the picture so far, as the box showed it");
    // The box says less (a second pass starting over): the task stays where it was.
    fake.progress(0.2, None);
    let polls = fake.lock().polls;
    while fake.lock().polls < polls + 3 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.task(&user, &id).await["progress"], 42);
    fake.progress(0.9, None);
    until(&app, &user, &id, |t| t["progress"] == 90).await;
    fake.finish();
    let t = until(&app, &user, &id, ended).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    assert_eq!(t["progress"], 100);
    assert_eq!(t["images"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn cancel_interrupts_the_boxs_job_and_refunds() {
    let (app, fake, _, user) = setup().await;
    fake.then(Script::Hold);
    let before = app.balance(&user).await;
    let id = id_of(&submit(&app, &user, json!({"prompt": "a fox to stop"})).await);
    until(&app, &user, &id, |t| t["status"] == "in_progress").await;
    while fake.lock().current.is_none() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let job = fake.jobs()[0].json["force_task_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = app
        .post(
            &format!("/api/v1/tasks/{id}/cancel"),
            json!({}),
            Some(&user),
        )
        .await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.body["task"]["status"], "cancelled");
    assert_eq!(
        fake.lock().interrupts,
        vec![Some(job)],
        "one interrupt, of this task's job"
    );
    for _ in 0..3 {
        app.tick().await;
    }
    let t = app.task(&user, &id).await;
    assert_eq!(t["status"], "cancelled", "{t}");
    assert_eq!(t["images"], json!([]));
    assert_eq!(
        app.balance(&user).await,
        before,
        "not drawn: refunded in full"
    );
    assert_eq!(fake.jobs().len(), 1, "not sent again");
}

#[tokio::test]
async fn a_failure_in_words_fails_the_task_with_them_and_refunds_once() {
    let (app, fake, _, user) = setup().await;
    fake.then(Script::Answer(
        500,
        json!({"error": "OutOfMemoryError", "detail": "", "body": "",
               "errors": "CUDA out of memory. Tried to allocate 2.00 GiB"}),
    ));
    let before = app.balance(&user).await;
    let id = id_of(&submit(&app, &user, json!({"prompt": "a huge fox"})).await);
    let t = until(&app, &user, &id, ended).await;
    assert_eq!(t["status"], "failed");
    assert_eq!(
        t["fail_reason"],
        "CUDA out of memory. Tried to allocate 2.00 GiB"
    );
    assert_eq!(app.balance(&user).await, before);
    for _ in 0..3 {
        app.tick().await;
    }
    assert_eq!(app.balance(&user).await, before, "refunded once");
    assert_eq!(
        fake.jobs().len(),
        1,
        "not tried again: it would fail the same"
    );
}

#[tokio::test]
async fn an_edit_sends_the_picture_and_its_mask_white_where_it_repaints_to_img2img() {
    let (app, fake, _, user) = setup().await;
    let picture = uploaded(&app, &user, fake_sd::png(10)).await;
    // Atelier's masks: transparent where to repaint (the left half here).
    let mask = image::RgbaImage::from_fn(64, 64, |x, _| {
        image::Rgba([0, 0, 0, if x < 32 { 0 } else { 255 }])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    mask.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    let mask = uploaded(&app, &user, bytes.into_inner()).await;
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"action": "edit", "prompt": "a blue fox", "denoising_strength": 0.6,
                   "images": [{"upload_id": picture, "role": "edit"}, {"upload_id": mask, "role": "mask"}]}),
        )
        .await,
    );
    let t = until(&app, &user, &id, ended).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    let job = &fake.jobs()[0];
    assert_eq!(job.path, "/sdapi/v1/img2img");
    assert_eq!(job.json["denoising_strength"], 0.6);
    let decode = |v: &Value| {
        let b = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            v.as_str().unwrap(),
        )
        .unwrap();
        image::load_from_memory(&b).unwrap()
    };
    assert_eq!(
        decode(&job.json["init_images"][0]).to_rgb8(),
        image::load_from_memory(&fake_sd::png(10))
            .unwrap()
            .to_rgb8()
    );
    let sent = decode(&job.json["mask"]).to_luma8();
    assert_eq!(sent.get_pixel(5, 5).0, [255], "repainted: white");
    assert_eq!(sent.get_pixel(60, 5).0, [0], "kept: black");
}

#[tokio::test]
async fn the_builtin_sd_simulator_draws_with_progress_and_previews_through_the_real_client() {
    // Slow enough that its progress is seen between the steps.
    let app = spawn_app_with(|c| c.sim_step = Duration::from_millis(150)).await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    // Its checkpoints are read from it.
    let offers = until_offered(&app, &user).await;
    assert_eq!(offers["models"].as_array().unwrap().len(), 2, "{offers}");
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"prompt": "a lighthouse at dusk", "size": "512x768", "n": 2, "steps": 8}),
        )
        .await,
    );
    let t = until(&app, &user, &id, |t| {
        t["preview_url"].is_string() || ended(t)
    })
    .await;
    assert!(t["progress"].as_i64().unwrap() > 0, "real progress: {t}");
    let t = until(&app, &user, &id, ended).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    assert_eq!(t["images"].as_array().unwrap().len(), 2);
    assert_eq!(t["images"][0]["width"], 512);
    assert_eq!(t["images"][0]["height"], 768);
    let test = app
        .post(
            &format!("/api/v1/channels/{BUILTIN_SD}/test"),
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(test.body["ok"], true, "{}", test.body);
}

/// The Stable Diffusion offer once its checkpoints have been read (the worker reads them).
async fn until_offered(app: &TestApp, token: &str) -> Value {
    for _ in 0..200 {
        app.tick().await;
        let sd = app.get("/api/v1/engines", Some(token)).await.body["engines"][2].clone();
        if sd["models"].as_array().is_some_and(|m| !m.is_empty()) {
            return sd;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the simulator's checkpoints were never read");
}

/// `atelier simulate --engine sd_webui`: one WebUI at the root, as its clients expect it.
#[tokio::test]
async fn atelier_simulate_runs_one_engines_simulator_at_the_root() {
    let port = crate::process::free_port();
    let _child = Killed(
        std::process::Command::new(env!("CARGO_BIN_EXE_atelier"))
            .args(["simulate", "--engine", "sd_webui", "--secret", "s3cret"])
            .args(["--addr", &format!("127.0.0.1:{port}"), "--step-ms", "20"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the atelier binary starts"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = atelier::engines::sd_webui::Client::new(&base, Some("anyone:s3cret"));
    let mut catalog = None;
    for _ in 0..200 {
        if let Ok(c) = client.catalog().await {
            catalog = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let catalog = catalog.expect("the simulator answers");
    assert_eq!(catalog.models.len(), 2);
    assert!(catalog.samplers.contains(&"Euler a".to_owned()));
    let g = atelier::engines::sd_webui::Generation::new(
        Some(&catalog.models[1].title),
        &atelier::engines::sd_webui::Ask {
            prompt: "a fox",
            n: Some(2),
            ..Default::default()
        },
        &catalog.samplers,
    )
    .unwrap();
    let drawn = client.draw(&g.txt2img("t1"), g.n).await.unwrap().unwrap();
    assert_eq!(drawn.pictures.len(), 2);
    let wrong = atelier::engines::sd_webui::Client::new(&base, Some("anyone:nope"));
    assert!(matches!(
        wrong.probe().await,
        Err(atelier::engines::UpstreamError::Unauthorized)
    ));
}

/// A child process, stopped when the test ends however it ends.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_variation_repaints_the_chosen_picture_with_the_tasks_prompt_and_model_and_is_charged_once()
 {
    let (app, fake, admin, user) = setup().await;
    let id = id_of(
        &submit(
            &app,
            &user,
            json!({"model": CHECKPOINT_NAME, "prompt": "a red fox", "negative_prompt": "blurry",
                   "size": "768x512", "n": 2, "steps": 30, "seed": 42}),
        )
        .await,
    );
    let t = until(&app, &user, &id, ended).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    let (_, second) = app
        .file(&user, t["images"][1]["url"].as_str().unwrap())
        .await;
    let before = app.balance(&user).await;
    let vary = |task_id: &str, n| atelier::server_fns::tasks::VaryTask {
        task_id: task_id.to_owned(),
        n,
    };
    let made = app.call(&user, &vary(&id, 1)).await.expect("a variation");
    assert_eq!(made.tasks.len(), 1);
    let new = &made.tasks[0];
    assert_eq!(
        made.balance,
        before - 1,
        "one picture at the checkpoint's 1"
    );
    let v = until(&app, &user, &new.id, ended).await;
    assert_eq!(v["status"], "succeeded", "{v}");
    assert_eq!(v["action"], "edit", "{v}");
    assert_eq!(v["prompt"], "a red fox");
    assert_eq!(v["model"], CHECKPOINT);
    assert_eq!(v["images"].as_array().unwrap().len(), 1, "one picture: {v}");
    let jobs = fake.jobs();
    let job = &jobs[1];
    assert_eq!(job.path, "/sdapi/v1/img2img");
    assert_eq!(job.json["denoising_strength"], 0.6);
    assert_eq!(job.json["batch_size"], 1);
    assert_eq!(job.json["negative_prompt"], "blurry");
    assert_ne!(job.json["seed"], 42, "a new seed: {}", job.json);
    assert!(job.json["mask"].is_null(), "all of it repainted");
    let init = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        job.json["init_images"][0].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(
        image::load_from_memory(&init).unwrap().to_rgb8(),
        image::load_from_memory(&second).unwrap().to_rgb8(),
        "the second picture, as it was drawn"
    );

    // Refused, and nothing charged: a picture it does not have, another's task, an unfinished
    // task, a MidJourney task (its own buttons vary it).
    fake.then(Script::Hold);
    let live = id_of(&submit(&app, &user, json!({"prompt": "a slow fox"})).await);
    let mj = id_of(&app.generate(&user, "a fox", "relax").await);
    let after = app.balance(&user).await;
    let refusal = |e: atelier::error::AppError| format!("{e:?}");
    let missing = app.call(&user, &vary(&id, 2)).await.unwrap_err();
    assert_eq!(refusal(missing), "NotFound");
    let theirs = app.call(&admin, &vary(&id, 0)).await.unwrap_err();
    assert_eq!(refusal(theirs), "NotFound");
    let busy = app.call(&user, &vary(&live, 0)).await.unwrap_err();
    assert_eq!(refusal(busy), "Conflict(NotSucceeded)");
    let other = app.call(&user, &vary(&mj, 0)).await.unwrap_err();
    assert!(
        matches!(other, atelier::error::AppError::Validation { ref field, .. } if field == "task_id"),
        "{other:?}"
    );
    assert_eq!(app.balance(&user).await, after, "nothing charged");
    fake.finish();
}
