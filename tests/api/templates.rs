//! Prompt templates (rest-api.md, "Library"): the starter presets, a user's own, shared ones
//! made by admins, each checked as a submit is when saved.

use crate::{
    fake_upstream,
    helpers::{TestApp, error_of},
};
use serde_json::{Value, json};

async fn setup() -> (TestApp, String, String) {
    let (app, _fake, admin, user) = fake_upstream::app_with(
        json!({"modes": [{"mode": "fast", "cost": 8}, {"mode": "relax", "cost": 2}]}),
    )
    .await;
    (app, admin, user)
}

fn names(list: &Value) -> Vec<String> {
    list["templates"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_new_installation_ships_shared_style_presets_with_placeholders() {
    let (app, _, user) = setup().await;
    let list = app.get("/api/v1/templates", Some(&user)).await;
    assert_eq!(list.status, 200);
    let all = list.body["templates"].as_array().unwrap();
    assert!(all.len() >= 5, "{}", list.body);
    for name in ["Photo", "Anime", "Watercolour", "Isometric", "Product shot"] {
        assert!(
            names(&list.body).iter().any(|n| n.starts_with(name)),
            "{name} is a preset: {:?}",
            names(&list.body)
        );
    }
    let product = all
        .iter()
        .find(|t| t["name"].as_str().unwrap().starts_with("Product shot"))
        .unwrap();
    assert_eq!(product["shared"], true);
    assert_eq!(product["editable"], false, "a user cannot change a preset");
    assert_eq!(product["placeholders"], json!(["product", "surface"]));
    assert_eq!(product["engine"], "midjourney");
    // Signed out: 401.
    assert_eq!(app.get("/api/v1/templates", None).await.status, 401);
}

#[tokio::test]
async fn a_users_templates_are_their_own_and_checked_as_a_submit() {
    let (app, admin, user) = setup().await;
    let made = app
        .post(
            "/api/v1/templates",
            json!({"name": "Foxes", "prompt": "a {colour} fox in {place} --ar 3:2", "mode": "relax"}),
            Some(&user),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let t = &made.body["template"];
    assert_eq!(t["placeholders"], json!(["colour", "place"]));
    assert_eq!(t["mode"], "relax");
    assert_eq!(t["shared"], false);
    assert_eq!(t["editable"], true);
    let id = t["id"].as_str().unwrap().to_owned();
    let mine = app.get("/api/v1/templates", Some(&user)).await;
    assert_eq!(names(&mine.body)[0], "Foxes", "the user's own come first");
    // Others do not see it, cannot change or delete it (an admin neither: it is not shared).
    let other = app.signed_up("Cy", "cy@example.com").await;
    for token in [&other, &admin] {
        let list = app.get("/api/v1/templates", Some(token)).await;
        assert!(!names(&list.body).contains(&"Foxes".to_owned()));
        let path = format!("/api/v1/templates/{id}");
        assert_eq!(
            app.patch(&path, json!({"name": "Mine"}), token)
                .await
                .status,
            404
        );
        assert_eq!(app.delete(&path, token).await.status, 404);
    }
    // Changed: what is given changes, the rest stays.
    let path = format!("/api/v1/templates/{id}");
    let changed = app
        .patch(
            &path,
            json!({"prompt": "a {colour} hare", "mode": "fast"}),
            &user,
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["template"]["name"], "Foxes");
    assert_eq!(changed.body["template"]["placeholders"], json!(["colour"]));
    assert_eq!(changed.body["template"]["mode"], "fast");
    // Checked as a submit: a mode that is not one, an engine that is not one, no name, no
    // prompt; nothing saved.
    for (body, field) in [
        (json!({"name": "x", "prompt": "p", "mode": "warp"}), "mode"),
        (
            json!({"name": "x", "prompt": "p", "engine": "dalle-9"}),
            "engine",
        ),
        (json!({"name": " ", "prompt": "p"}), "name"),
        (json!({"name": "x", "prompt": ""}), "prompt"),
    ] {
        let bad = app
            .post("/api/v1/templates", body.clone(), Some(&user))
            .await;
        assert_eq!(bad.status, 422, "{body}: {}", bad.body);
        assert_eq!(error_of(&bad)["field"], field, "{body}");
    }
    let bad = app.patch(&path, json!({"mode": "warp"}), &user).await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        app.get("/api/v1/templates", Some(&user)).await.body["templates"][0]["mode"],
        "fast",
        "a refused change changes nothing"
    );
    assert_eq!(app.delete(&path, &user).await.status, 204);
    assert_eq!(app.delete(&path, &user).await.status, 404);
}

#[tokio::test]
async fn admins_share_templates_with_everyone_and_only_they_change_them() {
    let (app, admin, user) = setup().await;
    let refused = app
        .post(
            "/api/v1/templates",
            json!({"name": "House style", "prompt": "{subject}, our look", "shared": true}),
            Some(&user),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let made = app
        .post(
            "/api/v1/templates",
            json!({"name": "House style", "prompt": "{subject}, our look", "shared": true}),
            Some(&admin),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["template"]["id"].as_str().unwrap().to_owned();
    let seen = app.get("/api/v1/templates", Some(&user)).await;
    let house = seen.body["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .expect("a user sees the shared template")
        .clone();
    assert_eq!(house["editable"], false);
    let path = format!("/api/v1/templates/{id}");
    assert_eq!(
        app.patch(&path, json!({"name": "Mine"}), &user)
            .await
            .status,
        403
    );
    assert_eq!(app.delete(&path, &user).await.status, 403);
    // An admin changes the presets too.
    let presets = app.get("/api/v1/templates", Some(&admin)).await;
    let photo = presets.body["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"].as_str().unwrap().starts_with("Photo"))
        .unwrap()
        .clone();
    assert_eq!(photo["editable"], true);
    let renamed = app
        .patch(
            &format!("/api/v1/templates/{}", photo["id"].as_str().unwrap()),
            json!({"name": "Photograph"}),
            &admin,
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["template"]["prompt"], photo["prompt"]);
    assert_eq!(app.delete(&path, &admin).await.status, 204);
}

#[tokio::test]
async fn the_generate_page_offers_the_templates_and_the_recent_prompts_each_once() {
    let (app, _, user) = setup().await;
    for p in ["a fox", "a hare", "a fox"] {
        assert_eq!(app.generate(&user, p, "relax").await.status, 201);
    }
    let page = app
        .call(&user, &atelier::server_fns::tasks::LoadGenerate {})
        .await
        .expect("the Generate page's data");
    assert_eq!(page.recent_prompts, ["a fox", "a hare"]);
    assert!(page.templates.iter().any(|t| t.shared && !t.editable));
    assert!(!page.is_admin);
}

#[tokio::test]
async fn the_generate_page_opens_with_every_live_task_and_the_latest_others() {
    let (app, _, user) = setup().await;
    assert_eq!(
        app.generate(&user, "the oldest, still live", "relax")
            .await
            .status,
        201
    );
    for i in 0..14 {
        assert_eq!(
            app.generate(&user, &format!("fox {i}"), "relax")
                .await
                .status,
            201
        );
        app.sql(
            "UPDATE tasks SET status = 'succeeded', progress = 100
             WHERE status = 'queued' AND prompt <> 'the oldest, still live'",
        )
        .await;
    }
    let page = app
        .call(&user, &atelier::server_fns::tasks::LoadGenerate {})
        .await
        .expect("the Generate page's data");
    let prompts: Vec<&str> = page.tasks.iter().map(|t| t.prompt.as_str()).collect();
    // The 12 latest, newest first, then the live one made before them.
    let mut expected: Vec<String> = (2..14).rev().map(|i| format!("fox {i}")).collect();
    expected.push("the oldest, still live".to_owned());
    assert_eq!(prompts, expected);
}
