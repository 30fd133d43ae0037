//! The generation core: claims, channels, modal steps and the engine-neutral API, against
//! scripted fake upstreams over real HTTP.

use crate::{
    fake_upstream::{self, Fake, SECRET},
    helpers::TestApp,
};
use serde_json::{Value, json};

/// An app whose first channel is a fresh fake, its admin's token and a user's token.
async fn setup() -> (TestApp, Fake, String, String) {
    fake_upstream::app_with(json!({"max_active_tasks_per_user": 100, "modes": [{"mode": "fast", "cost": 8}], "action_cost": 3})).await
}

fn id_of(a: &crate::helpers::Answer) -> String {
    assert!(a.status == 201 || a.status == 200, "{}", a.body);
    a.body["task"]["id"].as_str().unwrap().to_owned()
}

fn is_final(t: &Value) -> bool {
    matches!(
        t["status"].as_str(),
        Some("succeeded" | "failed" | "cancelled")
    )
}

async fn succeeded(app: &TestApp, user: &str, id: &str) -> Value {
    let t = app.tick_until(user, id, 20, is_final).await;
    assert_eq!(t["status"], "succeeded", "{t}");
    t
}

async fn press(app: &TestApp, user: &str, id: &str, custom_id: &str) -> crate::helpers::Answer {
    app.post(
        &format!("/api/v1/tasks/{id}/action"),
        json!({"custom_id": custom_id}),
        Some(user),
    )
    .await
}

async fn add_channel(app: &TestApp, admin: &str, fake: &Fake, name: &str) -> String {
    let a = app
        .post(
            "/api/v1/channels",
            json!({"kind": "midjourney", "name": name, "api_url": fake.base, "api_secret": SECRET}),
            Some(admin),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body["channel"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn pressing_u1_twice_answers_the_first_child_and_the_upstream_receives_one_upscale() {
    let (app, fake, _, user) = setup().await;
    let parent = id_of(&app.generate(&user, "a castle", "fast").await);
    let done = succeeded(&app, &user, &parent).await;
    let u1 = done["buttons"][0]["custom_id"].as_str().unwrap().to_owned();
    let first = press(&app, &user, &parent, &u1).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let child = id_of(&first);
    let balance = app.balance(&user).await;
    let again = press(&app, &user, &parent, &u1).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["task"]["id"], child.as_str());
    assert_eq!(app.balance(&user).await, balance, "not charged again");
    succeeded(&app, &user, &child).await;
    // Once more after it finished: still the same child, and the upstream saw one upscale.
    let third = press(&app, &user, &parent, &u1).await;
    assert_eq!(
        (third.status, third.body["task"]["id"].as_str()),
        (200, Some(child.as_str()))
    );
    assert_eq!(fake.lock().actions.iter().filter(|a| **a == u1).count(), 1);
}

#[tokio::test]
async fn one_task_answered_with_garbage_or_a_duplicate_id_leaves_every_other_task_finishing() {
    let (app, _fake, _, user) = setup().await;
    let first = id_of(&app.generate(&user, "the first fox", "fast").await);
    app.tick().await;
    let garbage = id_of(&app.generate(&user, "a garbage fox", "fast").await);
    let dup = id_of(&app.generate(&user, "a dupid fox", "fast").await);
    let others: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..3 {
            v.push(id_of(
                &app.generate(&user, &format!("fox number {i}"), "fast")
                    .await,
            ));
        }
        v
    };
    for id in others.iter().chain([&first]) {
        succeeded(&app, &user, id).await;
    }
    let dup = app.task(&user, &dup).await;
    assert_eq!(dup["status"], "failed", "{dup}");
    assert!(
        dup["fail_reason"].as_str().unwrap().contains(&first),
        "{dup}"
    );
    let refunds = app
        .entries(&user)
        .await
        .iter()
        .filter(|e| e["reason"] == "refund" && e["task_id"] == dup["id"])
        .count();
    assert_eq!(refunds, 1);
    // The garbage task is only late: it is not a copy of another and stays live.
    let g = app.task(&user, &garbage).await;
    assert!(!is_final(&g), "{g}");
}

#[tokio::test]
async fn remix_modal_on_a_reroll_is_continued_with_its_prompt_and_succeeds() {
    let (app, fake, _, user) = setup().await;
    let parent = id_of(&app.generate(&user, "a remixed fox", "fast").await);
    let done = succeeded(&app, &user, &parent).await;
    fake.lock().remix = true;
    let reroll = done["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|b| b["custom_id"].as_str().filter(|c| c.contains("reroll")))
        .unwrap()
        .to_owned();
    let child = id_of(&press(&app, &user, &parent, &reroll).await);
    succeeded(&app, &user, &child).await;
    let modals = fake.lock().modals.clone();
    assert_eq!(modals.len(), 1, "{modals:?}");
    assert_eq!(modals[0].1, "a remixed fox");
}

#[tokio::test]
async fn a_modal_step_that_needs_input_waits_and_goes_on_without_a_second_charge() {
    let (app, fake, _, user) = setup().await;
    let parent = id_of(&app.generate(&user, "a zoomed fox", "fast").await);
    succeeded(&app, &user, &parent).await;
    // An upscaled picture carries Custom Zoom; the fake offers it on any finished task.
    let zoom = "MJ::CustomZoom::abc";
    app.set_buttons(&parent, &[(zoom, "Custom Zoom")]).await;
    let child = id_of(&press(&app, &user, &parent, zoom).await);
    let charged = app.balance(&user).await;
    let waiting = app
        .tick_until(&user, &child, 10, |t| t["status"] == "needs_input")
        .await;
    assert_eq!(waiting["progress"], 0);
    // Without a prompt: refused, nothing changes.
    let bare = press(&app, &user, &child, zoom).await;
    assert_eq!(bare.status, 422, "{}", bare.body);
    let went_on = app
        .post(
            &format!("/api/v1/tasks/{child}/action"),
            json!({"custom_id": zoom, "prompt": "a zoomed fox --zoom 1.8"}),
            Some(&user),
        )
        .await;
    assert_eq!(went_on.status, 200, "{}", went_on.body);
    assert_eq!(went_on.body["task"]["id"], child.as_str());
    succeeded(&app, &user, &child).await;
    assert_eq!(app.balance(&user).await, charged, "charged once");
    let upstream_id = app.task(&user, &child).await["upstream_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let modals = fake.lock().modals.clone();
    assert_eq!(
        modals,
        vec![(upstream_id, "a zoomed fox --zoom 1.8".to_owned())]
    );
}

#[tokio::test]
async fn two_channels_of_weight_one_each_receive_work_and_follow_ups_stay_with_their_parent() {
    let (app, first, admin, user) = setup().await;
    let second = fake_upstream::start().await;
    let second_id = add_channel(&app, &admin, &second, "Second account").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(id_of(
            &app.generate(&user, &format!("spread fox {i}"), "fast")
                .await,
        ));
    }
    for id in &ids {
        succeeded(&app, &user, id).await;
    }
    let (a, b) = (first.lock().submits, second.lock().submits);
    assert_eq!((a, b), (2, 2), "an even spread");
    // A follow-up of a task the second channel made goes to the second channel.
    let mut on_second = None;
    for id in &ids {
        let t = app.get(&format!("/api/v1/tasks/{id}"), Some(&admin)).await;
        if t.body["task"]["channel_id"] == second_id.as_str() {
            on_second = Some(t.body["task"].clone());
        }
    }
    let parent = on_second.expect("a task ran on the second channel");
    let u1 = parent["buttons"][0]["custom_id"].as_str().unwrap();
    let child = id_of(&press(&app, &user, parent["id"].as_str().unwrap(), u1).await);
    succeeded(&app, &user, &child).await;
    assert_eq!(
        (first.lock().actions.len(), second.lock().actions.len()),
        (0, 1)
    );
    // Users do not see channels.
    assert_eq!(app.task(&user, &child).await["channel_id"], Value::Null);
}

#[tokio::test]
async fn a_channel_answering_500_goes_down_its_queued_work_goes_elsewhere_and_a_probe_brings_it_back()
 {
    let (app, bad, admin, user) = setup().await;
    let good = fake_upstream::start().await;
    add_channel(&app, &admin, &good, "Good").await;
    bad.lock().submits_fail = true;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(id_of(
            &app.generate(&user, &format!("failover fox {i}"), "fast")
                .await,
        ));
    }
    for id in &ids {
        let t = app.tick_until(&user, id, 60, is_final).await;
        assert_eq!(t["status"], "succeeded", "{t}");
    }
    let channels = app.get("/api/v1/channels", Some(&admin)).await;
    let first = &channels.body["channels"][0];
    assert_eq!(
        first["health"]["state"],
        "down",
        "{channels:?}",
        channels = channels.body
    );
    assert!(
        first["health"]["last_error"]
            .as_str()
            .unwrap()
            .contains("500")
    );
    // Back up: a probe (once the back-off has passed) makes it ok again.
    bad.lock().submits_fail = false;
    app.sql("UPDATE channels SET down_until = 0").await;
    app.tick().await;
    let channels = app.get("/api/v1/channels", Some(&admin)).await;
    assert_eq!(channels.body["channels"][0]["health"]["state"], "ok");
}

#[tokio::test]
async fn two_workers_ticking_the_same_database_at_once_send_each_queued_task_exactly_once() {
    let (app, fake, admin, user) = setup().await;
    app.configure(
        &admin,
        json!({"modes": [{"mode": "fast", "cost": 0, "concurrency": 100}]}),
    )
    .await;
    for i in 0..30 {
        id_of(&app.generate(&user, &format!("raced fox {i}"), "fast").await);
    }
    let (a, b) = tokio::join!(
        atelier::worker::poll_once(&app.engine),
        atelier::worker::poll_once(&app.engine)
    );
    let sent = a.unwrap().dispatched + b.unwrap().dispatched;
    assert_eq!(sent, 30);
    assert_eq!(fake.lock().submits, 30);
}

#[tokio::test]
async fn the_facade_and_the_tasks_api_answer_the_same_task() {
    let (app, _fake, _, user) = setup().await;
    let id = id_of(
        &app.post(
            "/api/v1/tasks",
            json!({"prompt": "a neutral fox", "mode": "fast"}),
            Some(&user),
        )
        .await,
    );
    succeeded(&app, &user, &id).await;
    let neutral = app
        .get(&format!("/api/v1/tasks/{id}"), Some(&user))
        .await
        .body["task"]
        .clone();
    let facade = app.task(&user, &id).await;
    for field in [
        "id",
        "status",
        "prompt",
        "mode",
        "cost",
        "buttons",
        "upstream_id",
        "progress",
    ] {
        assert_eq!(neutral[field], facade[field], "{field}");
    }
    assert_eq!(neutral["engine"], "midjourney");
    assert_eq!(neutral["images"].as_array().unwrap().len(), 1);
    // Both URL forms serve the image.
    for url in [
        &neutral["image_url"],
        &facade["image_url"],
        &neutral["images"][0]["url"],
    ] {
        assert_eq!(app.file(&user, url.as_str().unwrap()).await.0, 200, "{url}");
    }
    assert!(
        facade["image_url"]
            .as_str()
            .unwrap()
            .starts_with("/api/v1/midjourney/task/")
    );
    let listed = app
        .get("/api/v1/tasks?engine=midjourney&q=neutral", Some(&user))
        .await;
    assert_eq!(listed.body["tasks"][0]["id"], id.as_str());
}

#[tokio::test]
async fn delete_removes_a_final_task_and_its_images_and_refuses_a_live_one() {
    let (app, _fake, _, user) = setup().await;
    let live = id_of(&app.generate(&user, "a slow fox", "fast").await);
    let a = app.delete(&format!("/api/v1/tasks/{live}"), &user).await;
    assert_eq!(a.status, 409, "{}", a.body);
    let done = id_of(&app.generate(&user, "a fox to delete", "fast").await);
    let t = succeeded(&app, &user, &done).await;
    let image = t["image_url"].as_str().unwrap().to_owned();
    let a = app.delete(&format!("/api/v1/tasks/{done}"), &user).await;
    assert_eq!(a.status, 204, "{}", a.body);
    assert_eq!(
        app.get(&format!("/api/v1/tasks/{done}"), Some(&user))
            .await
            .status,
        404
    );
    assert_eq!(app.get(&image, Some(&user)).await.status, 404);
    // The file goes once nobody holds it (after the grace period; none here).
    let removed =
        atelier::services::generation::sweep_files(&app.engine, std::time::Duration::ZERO)
            .await
            .unwrap();
    assert!(removed >= 2, "the image and its thumbnail: {removed}");
}

#[tokio::test]
async fn a_cancel_against_an_upstream_that_fails_cancelled_tasks_answers_200_cancelled_refunded_once()
 {
    let (app, fake, _, user) = setup().await;
    let id = id_of(&app.generate(&user, "a slow fox", "fast").await);
    app.tick().await;
    app.tick().await;
    assert_eq!(app.task(&user, &id).await["status"], "in_progress");
    let a = app
        .post(
            &format!("/api/v1/tasks/{id}/cancel"),
            json!({}),
            Some(&user),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["task"]["status"], "cancelled");
    assert_eq!(fake.lock().cancels, 1);
    app.tick().await;
    app.tick().await;
    assert_eq!(app.task(&user, &id).await["status"], "cancelled");
    let refunds = app
        .entries(&user)
        .await
        .iter()
        .filter(|e| e["reason"] == "refund" && e["task_id"] == id.as_str())
        .count();
    assert_eq!(refunds, 1);
}

#[tokio::test]
async fn a_picture_two_tasks_share_stays_while_one_of_them_holds_it() {
    let (app, _fake, _, user) = setup().await;
    // The fake draws the same final picture for every task: one stored file, held twice.
    let a = id_of(&app.generate(&user, "a shared fox", "fast").await);
    let b = id_of(&app.generate(&user, "another shared fox", "fast").await);
    succeeded(&app, &user, &a).await;
    let b_view = succeeded(&app, &user, &b).await;
    let key = |id: String| {
        let pool = app.engine.pool.clone();
        async move {
            atelier::db::tasks::get(&pool, &id)
                .await
                .unwrap()
                .unwrap()
                .outputs[0]
                .key
                .clone()
        }
    };
    assert_eq!(key(a.clone()).await, key(b.clone()).await);
    assert_eq!(
        app.delete(&format!("/api/v1/tasks/{a}"), &user)
            .await
            .status,
        204
    );
    atelier::services::generation::sweep_files(&app.engine, std::time::Duration::ZERO)
        .await
        .unwrap();
    let (status, bytes) = app.file(&user, b_view["image_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(bytes.starts_with(b"\x89PNG"));
}

#[tokio::test]
async fn a_secret_goes_only_to_its_own_url_and_a_new_url_without_one_clears_it() {
    let (app, _fake, admin, _) = setup().await;
    let other = fake_upstream::start().await;
    let list = app.get("/api/v1/channels", Some(&admin)).await;
    let id = list.body["channels"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list.body["channels"][0]["api_secret_set"], true);
    // Testing another URL without a secret: the saved one is not sent there.
    let report = app
        .post(
            &format!("/api/v1/channels/{id}/test"),
            json!({"api_url": other.base}),
            Some(&admin),
        )
        .await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert_eq!(report.body["kind"], "unauthorized", "{}", report.body);
    assert!(other.lock().secrets_seen.is_empty());
    // Moving the channel to that URL without a secret clears the saved one.
    let moved = app
        .send(
            app.client
                .patch(app.url(&format!("/api/v1/channels/{id}")))
                .bearer_auth(&admin)
                .json(&json!({"api_url": other.base})),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["channel"]["api_secret_set"], false);
    assert_eq!(moved.body["channel"]["api_secret_hint"], Value::Null);
    // Bad input names its field and changes nothing.
    let bad = app
        .send(
            app.client
                .patch(app.url(&format!("/api/v1/channels/{id}")))
                .bearer_auth(&admin)
                .json(&json!({"weight": 0, "name": "renamed"})),
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["error"]["field"], "weight");
    assert_eq!(
        bad.body["error"]["message"],
        "Use a whole number from 1 to 100."
    );
    let after = app.get("/api/v1/channels", Some(&admin)).await;
    assert_ne!(after.body["channels"][0]["name"], "renamed");
}
