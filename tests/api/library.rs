//! The library (rest-api.md, "Library" and "Tasks"): batches of prompts and permutations, all
//! or nothing.

use crate::{
    fake_upstream::{self, Fake},
    helpers::{Answer, TestApp, error_of},
};
use serde_json::{Value, json};

/// An app pointed at the scripted fake proxy (relax costs 2), its admin and a user (100 credits).
async fn setup() -> (TestApp, Fake, String, String) {
    fake_upstream::app_with(
        json!({"modes": [{"mode": "fast", "cost": 8}, {"mode": "relax", "cost": 2}]}),
    )
    .await
}

async fn batch(app: &TestApp, token: &str, body: Value) -> Answer {
    app.post("/api/v1/tasks/batch", body, Some(token)).await
}

fn prompts(tasks: &Value) -> Vec<String> {
    tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["prompt"].as_str().unwrap().to_owned())
        .collect()
}

async fn task_count(app: &TestApp, token: &str) -> usize {
    let list = app.get("/api/v1/tasks?limit=100", Some(token)).await;
    list.body["tasks"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_permutation_prompt_makes_the_product_of_its_groups_each_charged() {
    let (app, _fake, _, user) = setup().await;
    let made = batch(
        &app,
        &user,
        json!({"mode": "relax", "prompt": "a {red, blue, green} fox in {snow, rain} --ar 3:2"}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let tasks = &made.body["tasks"];
    assert_eq!(
        prompts(tasks),
        [
            "a red fox in snow --ar 3:2",
            "a red fox in rain --ar 3:2",
            "a blue fox in snow --ar 3:2",
            "a blue fox in rain --ar 3:2",
            "a green fox in snow --ar 3:2",
            "a green fox in rain --ar 3:2",
        ]
    );
    let batch = tasks[0]["batch_id"]
        .as_str()
        .expect("a batch id")
        .to_owned();
    for t in tasks.as_array().unwrap() {
        assert_eq!(t["batch_id"], batch.as_str());
        assert_eq!(t["cost"], 2);
        assert_eq!(t["status"], "queued");
    }
    assert_eq!(app.balance(&user).await, 100 - 6 * 2, "each task charged");
    let charges = app
        .entries(&user)
        .await
        .into_iter()
        .filter(|e| e["reason"] == "charge")
        .count();
    assert_eq!(charges, 6, "one ledger entry per task");
    // A task of the batch is a task like any other.
    let one = app
        .get(
            &format!("/api/v1/tasks/{}", tasks[3]["id"].as_str().unwrap()),
            Some(&user),
        )
        .await;
    assert_eq!(one.body["task"]["batch_id"], batch.as_str());
}

#[tokio::test]
async fn a_list_of_prompts_each_expanded_and_blank_ones_skipped() {
    let (app, _fake, _, user) = setup().await;
    let made = batch(
        &app,
        &user,
        json!({"mode": "relax", "prompts": ["a lighthouse", "  ", "a {cat, dog}"]}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(
        prompts(&made.body["tasks"]),
        ["a lighthouse", "a cat", "a dog"]
    );
    // A bad prompt of the list is named by its place, and nothing is made.
    let before = app.balance(&user).await;
    let bad = batch(
        &app,
        &user,
        json!({"mode": "relax", "prompts": ["a fox", "a fox --fast"]}),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(error_of(&bad)["field"], "prompts[1]");
    assert_eq!(app.balance(&user).await, before);
    assert_eq!(task_count(&app, &user).await, 3);
}

#[tokio::test]
async fn a_batch_the_user_cannot_pay_for_creates_nothing_and_charges_nothing() {
    let (app, _fake, admin, user) = setup().await;
    // 100 credits; fast costs 8: with the batch limit raised to 20, sixteen would cost 128.
    app.configure(&admin, json!({"batch_max": 20})).await;
    let made = batch(
        &app,
        &user,
        json!({"mode": "fast", "prompt": "{a, b, c, d} {e, f, g, h}"}),
    )
    .await;
    assert_eq!(made.status, 402, "{}", made.body);
    assert_eq!(
        error_of(&made)["code"],
        "insufficient_credits",
        "{}",
        made.body
    );
    assert!(
        error_of(&made)["message"].as_str().unwrap().contains("128"),
        "names what the whole batch costs: {}",
        made.body
    );
    assert_eq!(app.balance(&user).await, 100, "nothing charged");
    assert_eq!(task_count(&app, &user).await, 0, "nothing created");
    assert!(
        app.entries(&user)
            .await
            .iter()
            .all(|e| e["reason"] != "charge"),
        "no charge written"
    );
}

#[tokio::test]
async fn a_batch_past_the_admins_limit_or_with_unpaired_braces_is_refused_by_field() {
    let (app, _fake, admin, user) = setup().await;
    let big = batch(
        &app,
        &user,
        json!({"mode": "relax", "prompt": "{a, b, c} {d, e, f, g}"}),
    )
    .await;
    assert_eq!(big.status, 422, "{}", big.body);
    assert_eq!(error_of(&big)["field"], "prompt");
    assert!(
        error_of(&big)["message"]
            .as_str()
            .unwrap()
            .contains("12 prompts"),
        "{}",
        big.body
    );
    let braces = batch(
        &app,
        &user,
        json!({"mode": "relax", "prompt": "a {red, blue fox"}),
    )
    .await;
    assert_eq!(braces.status, 422);
    assert_eq!(error_of(&braces)["field"], "prompt");
    let list = batch(&app, &user, json!({"mode": "relax", "prompts": []})).await;
    assert_eq!(list.status, 422);
    assert_eq!(error_of(&list)["field"], "prompts");
    assert_eq!(app.balance(&user).await, 100);
    // The admin's limit is a setting with a range.
    let bad = app
        .post(
            "/api/v1/midjourney/config",
            json!({"batch_max": 0}),
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(error_of(&bad)["field"], "batch_max");
    app.configure(&admin, json!({"batch_max": 12})).await;
    let ok = batch(
        &app,
        &user,
        json!({"mode": "relax", "prompt": "{a, b, c} {d, e, f, g}"}),
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(ok.body["tasks"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn favourites_filter_the_list_and_only_the_owner_stars() {
    let (app, _fake, admin, user) = setup().await;
    let made = batch(
        &app,
        &user,
        json!({"mode": "relax", "prompts": ["one", "two", "three"]}),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let ids: Vec<String> = made.body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    let http = reqwest::Client::new();
    let star = |id: &str, token: &str, on: bool| {
        let url = app.url(&format!("/api/v1/tasks/{id}/favorite"));
        let req = if on { http.put(url) } else { http.delete(url) };
        req.bearer_auth(token).send()
    };
    for id in [&ids[0], &ids[2]] {
        assert_eq!(star(id, &user, true).await.unwrap().status(), 204);
    }
    // Twice is still once.
    assert_eq!(star(&ids[0], &user, true).await.unwrap().status(), 204);
    let starred = app.get("/api/v1/tasks?favorite=true", Some(&user)).await;
    assert_eq!(prompts(&starred.body["tasks"]), ["three", "one"]);
    assert!(
        starred.body["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["favorite"] == true)
    );
    let one = app
        .get(&format!("/api/v1/tasks/{}", ids[1]), Some(&user))
        .await;
    assert_eq!(one.body["task"]["favorite"], false);
    // Another user, and even an admin, cannot star it: not found.
    let other = app.signed_up("Cy", "cy@example.com").await;
    assert_eq!(star(&ids[1], &other, true).await.unwrap().status(), 404);
    assert_eq!(star(&ids[1], &admin, true).await.unwrap().status(), 404);
    assert_eq!(
        star("no-such-task", &user, true).await.unwrap().status(),
        404
    );
    let none = app.get("/api/v1/tasks?favorite=true", Some(&other)).await;
    assert_eq!(none.body["tasks"].as_array().unwrap().len(), 0);
    // Unstarred, it leaves the filter; a filter value that is not a boolean is named.
    assert_eq!(star(&ids[0], &user, false).await.unwrap().status(), 204);
    let starred = app.get("/api/v1/tasks?favorite=true", Some(&user)).await;
    assert_eq!(prompts(&starred.body["tasks"]), ["three"]);
    let bad = app.get("/api/v1/tasks?favorite=maybe", Some(&user)).await;
    assert_eq!(bad.status, 422);
    assert_eq!(error_of(&bad)["field"], "favorite");
    // Signed out: 401.
    let anon = http
        .put(app.url(&format!("/api/v1/tasks/{}/favorite", ids[1])))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), 401);
}
