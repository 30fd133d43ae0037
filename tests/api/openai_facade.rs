//! `/v1`, Atelier as an OpenAI Images backend, through its real clients: the official `openai`
//! Python SDK (tests/sdk/images.py, installed by the test command into a virtual environment)
//! and the exact request Open WebUI sends. The worker runs in the background, as in production:
//! a request waits for its task.

use crate::{
    engines::{BUILTIN_OPENAI, point},
    fake_openai::{self, KEY},
    helpers::{TestApp, spawn_app_with},
};
use serde_json::{Value, json};

/// The Python that has the SDK: `ATELIER_TEST_PYTHON` (the test command sets it), else the
/// virtual environment it installs.
fn python() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("ATELIER_TEST_PYTHON") {
        return p.into();
    }
    let home = std::env::var_os("HOME").expect("HOME");
    let p = std::path::Path::new(&home).join(".cache/atelier/sdk-venv/bin/python");
    assert!(
        p.exists(),
        "the openai SDK is missing: run `bash -c 'source scripts/tools.sh; sdk_venv'` once"
    );
    p
}

/// Runs the SDK script with these arguments; answers the JSON line it prints.
async fn sdk(app: &TestApp, key: &str, args: &[&str]) -> Value {
    let mut cmd = std::process::Command::new(python());
    cmd.arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/images.py"))
        .args(["--base", &app.url("/v1"), "--key", key])
        .args(args);
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the SDK script failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// An app with its worker running, a user and that user's API key.
async fn setup() -> (TestApp, String, String, String) {
    let app = spawn_app_with(|c| c.run_worker = true).await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    let key = app.api_key(&user, "open webui").await;
    (app, admin, user, key)
}

async fn relax_cost(app: &TestApp, token: &str) -> i64 {
    let offers = app.get("/api/v1/engines", Some(token)).await;
    offers.body["engines"][0]["modes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mode"] == "relax")
        .unwrap()["cost"]
        .as_i64()
        .unwrap()
}

/// `images.edit` of the file at `image`.
async fn edit(
    app: &TestApp,
    key: &str,
    model: &str,
    prompt: &str,
    image: &std::path::Path,
) -> Value {
    let image = image.to_str().unwrap();
    sdk(
        app,
        key,
        &[
            "--op", "edit", "--model", model, "--prompt", prompt, "--image", image,
        ],
    )
    .await
}

fn shas(answer: &Value) -> Vec<String> {
    answer["images"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|i| {
            assert_eq!(i["png"], true, "{i}");
            i["sha256"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_sdk_gets_midjourneys_four_pictures_cut_apart_and_the_user_pays() {
    let (app, _, user, key) = setup().await;
    let before = app.balance(&user).await;
    let cost = relax_cost(&app, &user).await;
    let got = sdk(
        &app,
        &key,
        &[
            "--model",
            "midjourney-relax",
            "--prompt",
            "a red fox in snow",
            "--n",
            "4",
        ],
    )
    .await;
    assert_eq!(got["ok"], true, "{got}");
    let mut images = shas(&got);
    assert_eq!(images.len(), 4, "{got}");
    images.sort();
    images.dedup();
    assert_eq!(images.len(), 4, "four different pictures: {got}");
    assert_eq!(app.balance(&user).await, before - cost, "one relax task");

    // The task is the user's, in their history like any other.
    let list = app.get("/api/v1/tasks?limit=5", Some(&user)).await;
    let task = &list.body["tasks"][0];
    assert_eq!(task["prompt"], "a red fox in snow", "{}", list.body);
    assert_eq!(task["status"], "succeeded");

    // As links instead of base64: the SDK downloads them with no key.
    let got = sdk(
        &app,
        &key,
        &[
            "--model",
            "midjourney-relax",
            "--prompt",
            "a fox",
            "--format",
            "url",
        ],
    )
    .await;
    assert_eq!(got["ok"], true, "{got}");
    assert_eq!(shas(&got).len(), 1, "n 1 is the grid");
}

#[tokio::test]
async fn the_sdk_draws_with_gpt_image_1_through_atelier_to_openai() {
    let (app, admin, user, key) = setup().await;
    let fake = fake_openai::start().await;
    point(&app, &admin, BUILTIN_OPENAI, &fake).await;
    let before = app.balance(&user).await;

    let got = sdk(
        &app,
        &key,
        &[
            "--model",
            "gpt-image-1",
            "--prompt",
            "two foxes",
            "--n",
            "2",
            "--size",
            "1024x1536",
        ],
    )
    .await;
    assert_eq!(got["ok"], true, "{got}");
    assert_eq!(shas(&got).len(), 2);
    assert_eq!(got["revised_prompt"], "A revised prompt.");
    assert_eq!(app.balance(&user).await, before - 8, "two at 4 credits");

    let jobs = fake.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].json["model"], "gpt-image-1");
    assert_eq!(jobs[0].json["n"], 2);
    assert_eq!(jobs[0].json["size"], "1024x1536");
    assert_eq!(
        jobs[0].authorization.as_deref(),
        Some(format!("Bearer {KEY}").as_str()),
        "the channel's key goes upstream, never the user's"
    );

    let models = sdk(&app, &key, &["--op", "models"]).await;
    let ids: Vec<&str> = models["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(ids.contains(&"midjourney-relax"), "{models}");
    assert!(ids.contains(&"gpt-image-1"), "{models}");
    assert!(ids.contains(&"dall-e-3"), "{models}");
}

#[tokio::test]
async fn the_sdk_draws_with_a_stable_diffusion_checkpoint_named_sd_and_its_short_name() {
    let (app, _, user, key) = setup().await;
    // The worker reads the built-in box's checkpoints; /v1 offers each as `sd-<name>`.
    let mut ids = Vec::new();
    for _ in 0..200 {
        let models = sdk(&app, &key, &["--op", "models"]).await;
        ids = models["models"].as_array().unwrap().clone();
        if ids.iter().any(|m| m == "sd-atelier-dusk-xl") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(ids.iter().any(|m| m == "sd-atelier-dusk-xl"), "{ids:?}");
    let before = app.balance(&user).await;
    let got = sdk(
        &app,
        &key,
        &[
            "--model",
            "sd-atelier-dusk-xl",
            "--prompt",
            "a harbour",
            "--n",
            "2",
            "--size",
            "512x768",
        ],
    )
    .await;
    assert_eq!(got["ok"], true, "{got}");
    let pictures = shas(&got);
    assert_eq!(pictures.len(), 2, "{got}");
    assert_ne!(pictures[0], pictures[1], "two different pictures");
    assert_eq!(app.balance(&user).await, before - 2, "two at 1 credit");
    let tasks = app
        .get("/api/v1/tasks?engine=sd_webui", Some(&user))
        .await
        .body;
    let task = &tasks["tasks"][0];
    assert_eq!(task["model"], "atelier-dusk-xl.safetensors [d05c0de002]");
    assert_eq!(task["params"]["size"], "512x768");
}

#[tokio::test]
async fn the_sdk_edits_a_file_through_atelier() {
    let (app, admin, user, key) = setup().await;
    let fake = fake_openai::start().await;
    point(&app, &admin, BUILTIN_OPENAI, &fake).await;
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("fox.png");
    let picture = fake_openai::png(70);
    std::fs::write(&image, &picture).unwrap();
    let before = app.balance(&user).await;
    let got = edit(&app, &key, "dall-e-2", "give it a hat", &image).await;
    assert_eq!(got["ok"], true, "{got}");
    assert_eq!(shas(&got).len(), 1);
    assert_eq!(
        app.balance(&user).await,
        before - 2,
        "dall-e-2 is 2 an image"
    );
    let jobs = fake.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].path, "/v1/images/edits");
    assert_eq!(jobs[0].json["prompt"], "give it a hat");
    let sent = jobs[0].parts.iter().find(|p| p.name == "image").unwrap();
    assert_eq!(
        sent.bytes.as_ref(),
        picture.as_slice(),
        "the file, as it was"
    );

    // MidJourney does not edit here; a text file is no picture: nothing charged for either.
    let got = edit(&app, &key, "midjourney-relax", "a hat", &image).await;
    assert_eq!(got["error"], "BadRequestError", "{got}");
    let text = dir.path().join("notes.png");
    std::fs::write(&text, "not a picture").unwrap();
    let got = edit(&app, &key, "dall-e-2", "a hat", &text).await;
    assert_eq!(got["error"], "BadRequestError", "{got}");
    assert!(got["message"].as_str().unwrap().contains("PNG"), "{got}");
    assert_eq!(app.balance(&user).await, before - 2);
}

#[tokio::test]
async fn a_bad_key_is_the_sdks_authentication_error() {
    let (app, _, user, _) = setup().await;
    let got = sdk(
        &app,
        "atl_not-a-key",
        &["--model", "midjourney-relax", "--prompt", "a fox"],
    )
    .await;
    assert_eq!(got["ok"], false);
    assert_eq!(got["error"], "AuthenticationError", "{got}");
    assert_eq!(got["status"], 401);

    // A session token is not an API key either.
    let got = sdk(
        &app,
        &user,
        &["--model", "midjourney-relax", "--prompt", "a fox"],
    )
    .await;
    assert_eq!(got["error"], "AuthenticationError", "{got}");
}

#[tokio::test]
async fn too_few_credits_is_an_error_naming_credits_and_charges_nothing() {
    let (app, admin, user, key) = setup().await;
    app.configure(&admin, json!({"modes": [{"mode": "relax", "cost": 500}]}))
        .await;
    let before = app.balance(&user).await;
    let got = sdk(
        &app,
        &key,
        &["--model", "midjourney-relax", "--prompt", "a costly fox"],
    )
    .await;
    assert_eq!(got["ok"], false);
    assert_eq!(got["status"], 402, "{got}");
    let message = got["message"].as_str().unwrap();
    assert!(message.contains("credits"), "{message}");
    assert!(message.contains("500"), "{message}");
    assert_eq!(app.balance(&user).await, before);
    let list = app.get("/api/v1/tasks?limit=5", Some(&user)).await;
    assert_eq!(list.body["tasks"], json!([]), "no task was made");
}

#[tokio::test]
async fn unknown_and_switched_off_models_and_bad_fields_are_openai_errors() {
    let (app, admin, _, key) = setup().await;
    let got = sdk(&app, &key, &["--model", "dall-e-9", "--prompt", "a fox"]).await;
    assert_eq!(got["error"], "NotFoundError", "{got}");
    assert!(got["message"].as_str().unwrap().contains("dall-e-9"));

    let off = app
        .send(
            app.client
                .patch(app.url("/api/v1/engines/openai"))
                .bearer_auth(&admin)
                .json(&json!({"enabled": false})),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.body);
    let got = sdk(&app, &key, &["--model", "gpt-image-1", "--prompt", "a fox"]).await;
    assert_eq!(got["error"], "NotFoundError", "switched off: {got}");

    let got = sdk(
        &app,
        &key,
        &[
            "--model",
            "midjourney-relax",
            "--prompt",
            "a fox",
            "--n",
            "5",
        ],
    )
    .await;
    assert_eq!(got["error"], "BadRequestError", "{got}");
    assert!(got["message"].as_str().unwrap().contains('n'), "{got}");

    let raw = app
        .send(
            app.client
                .post(app.url("/v1/images/generations"))
                .bearer_auth(&key)
                .json(&json!({"model": "midjourney-relax", "prompt": "a fox", "response_format": "png"})),
        )
        .await;
    assert_eq!(raw.status, 400);
    assert_eq!(
        raw.body["error"]["param"], "response_format",
        "{}",
        raw.body
    );
}

/// Open WebUI's request for one picture, as the user with `email`.
async fn open_webui(app: &TestApp, key: &str, email: &str) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/v1/images/generations"))
        .header("Authorization", format!("Bearer {key}"))
        .header("Content-Type", "application/json")
        .header("X-OpenWebUI-User-Name", "Bo")
        .header(
            "X-OpenWebUI-User-Id",
            "5b3d2c1e-0000-4000-8000-000000000001",
        )
        .header("X-OpenWebUI-User-Email", email)
        .header("X-OpenWebUI-User-Role", "user")
        .body(
            json!({"model": "midjourney-relax", "prompt": "a lighthouse at dusk", "n": 1,
                   "size": "1024x1024", "response_format": "b64_json"})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

/// `PUT /api/v1/auths/me/apps {"allowed": true}` with `token`: its status.
async fn allow_apps(app: &TestApp, token: &str) -> u16 {
    app.send(
        app.client
            .put(app.url("/api/v1/auths/me/apps"))
            .bearer_auth(token)
            .json(&json!({"allowed": true})),
    )
    .await
    .status
}

#[tokio::test]
async fn an_admins_key_that_acts_for_users_charges_the_user_open_webui_forwards() {
    let (app, admin, user, user_key) = setup().await;
    let ask = json!({"name": "open webui", "acts_for_users": true});
    let refused = app
        .post("/api/v1/auths/api_keys", ask.clone(), Some(&user))
        .await;
    assert_eq!(refused.status, 403, "admins only: {}", refused.body);
    let made = app.post("/api/v1/auths/api_keys", ask, Some(&admin)).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["acts_for_users"], true);
    let key = made.body["key"].as_str().unwrap().to_owned();
    let listed = app.get("/api/v1/auths/api_keys", Some(&admin)).await;
    assert_eq!(listed.body["keys"][0]["acts_for_users"], true);
    let cost = relax_cost(&app, &user).await;
    let balances = async || (app.balance(&admin).await, app.balance(&user).await);
    let (a0, u0) = balances().await;

    // Only for an account that allowed it (from a session, not with a key of its own).
    let (status, body) = open_webui(&app, &key, "bo@example.com").await;
    assert_eq!(status, 403, "Bo has not allowed it: {body}");
    assert_eq!(body["error"]["code"], "not_allowed");
    assert_eq!(balances().await, (a0, u0), "nothing charged");
    let by_key = app
        .client
        .put(app.url("/api/v1/auths/me/apps"))
        .bearer_auth(&user_key)
        .json(&json!({"allowed": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_key.status(),
        403,
        "a key does not decide for its account"
    );
    let allowed = app
        .client
        .put(app.url("/api/v1/auths/me/apps"))
        .bearer_auth(&user)
        .json(&json!({"allowed": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        app.get("/api/v1/auths/me/apps", Some(&user)).await.body["allowed"],
        true
    );
    let (status, body) = open_webui(&app, &key, "BO@example.com").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        balances().await,
        (a0, u0 - cost),
        "Bo pays, not the key's owner"
    );
    // Never for an administrator, whatever they allow; the key's owner is itself.
    let other_admin = app.signed_up("Cy", "cy@example.com").await;
    let cy = app.user_id(&other_admin).await;
    app.post(
        &format!("/api/v1/users/{cy}/role"),
        json!({"role": "admin"}),
        Some(&admin),
    )
    .await;
    assert_eq!(allow_apps(&app, &other_admin).await, 200);
    let (status, body) = open_webui(&app, &key, "cy@example.com").await;
    assert_eq!(status, 403, "an admin is never acted for: {body}");
    assert_eq!(body["error"]["code"], "not_allowed");
    assert_eq!(balances().await, (a0, u0 - cost), "nothing charged");
    let bo = app.get("/api/v1/tasks?limit=1", Some(&user)).await;
    assert_eq!(
        bo.body["tasks"][0]["prompt"], "a lighthouse at dusk",
        "in Bo's history"
    );

    let (status, body) = open_webui(&app, &key, "nobody@example.com").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "unknown_user");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nobody@example.com")
    );
    assert_eq!(balances().await, (a0, u0 - cost), "nothing charged");

    // Other keys pay for themselves, whatever the header says.
    let plain = app.api_key(&admin, "plain").await;
    let (status, _) = open_webui(&app, &plain, "bo@example.com").await;
    assert_eq!(status, 200);
    assert_eq!(balances().await, (a0 - cost, u0 - cost));
    let (status, _) = open_webui(&app, &user_key, "ada@example.com").await;
    assert_eq!(status, 200);
    assert_eq!(balances().await, (a0 - cost, u0 - 2 * cost));
}

/// The request Open WebUI's image generation sends with its engine set to OpenAI
/// (backend/open_webui/routers/images.py): its headers, with the user forwarded, and its body;
/// it reads `data[i].b64_json`.
#[tokio::test]
async fn open_webuis_exact_request_gets_the_answer_it_reads() {
    let (app, _, user, key) = setup().await;
    let before = app.balance(&user).await;
    let cost = relax_cost(&app, &user).await;
    let (status, body) = open_webui(&app, &key, "bo@example.com").await;
    assert_eq!(status, 200, "{body}");

    let b64 = body["data"][0]["b64_json"].as_str().expect("b64_json");
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    assert!(body["created"].as_i64().unwrap() > 1_700_000_000);
    assert_eq!(app.balance(&user).await, before - cost);
}
