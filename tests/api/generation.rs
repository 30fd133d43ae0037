//! The generation engine against a scripted fake upstream: every path ends in a final state with
//! a reason, and credits are charged once and refunded at most once.

use crate::{
    fake_upstream::{self, Fake, SECRET},
    helpers::{TestApp, error_of, spawn_app_with},
};
use atelier::types::TaskStatus;
use serde_json::{Value, json};
use std::time::Duration;

/// An app pointed at a fresh fake upstream, its admin's token and a user's token.
async fn setup(
    adjust: impl FnOnce(&mut atelier::config::Config),
) -> (TestApp, Fake, String, String) {
    let app = spawn_app_with(adjust).await;
    let fake = fake_upstream::start().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    app.configure(
        &admin,
        json!({"api_url": fake.base, "api_secret": SECRET, "max_active_tasks_per_user": 100,
               "modes": [{"mode": "fast", "cost": 8}, {"mode": "relax", "cost": 2}], "action_cost": 3}),
    )
    .await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    (app, fake, admin, user)
}

fn id_of(a: &crate::helpers::Answer) -> String {
    assert_eq!(a.status, 201, "{}", a.body);
    a.body["task"]["id"].as_str().unwrap().to_owned()
}

fn refunds(entries: &[Value], task: &str) -> usize {
    entries
        .iter()
        .filter(|e| e["reason"] == "refund" && e["task_id"] == task)
        .count()
}

fn is_final(t: &Value) -> bool {
    matches!(
        t["status"].as_str(),
        Some("succeeded" | "failed" | "cancelled")
    )
}

#[tokio::test]
async fn a_task_succeeds_with_intermediate_progress_and_a_stored_image() {
    let (app, _fake, _, user) = setup(|_| {}).await;
    let created = app
        .generate(&user, "a red fox in snow --ar 3:2", "fast")
        .await;
    let id = id_of(&created);
    let task = &created.body["task"];
    assert_eq!(task["status"], "queued");
    assert_eq!(task["cost"], 8);
    assert_eq!(task["prompt"], "a red fox in snow --ar 3:2");
    assert_eq!(app.balance(&user).await, 92, "charged at once");

    let mut seen = Vec::new();
    let done = app
        .tick_until(&user, &id, 10, |t| {
            seen.push(t["progress"].as_u64().unwrap());
            is_final(t)
        })
        .await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["progress"], 100);
    assert!(
        seen.iter().any(|p| (1..100).contains(p)),
        "intermediate progress: {seen:?}"
    );
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "never backwards: {seen:?}"
    );
    assert_eq!(done["buttons"][0]["label"], "U1");
    assert!(done["upstream_id"].is_string());
    assert!(done["finished_at"].is_string());

    let image = app
        .client
        .get(app.url(done["image_url"].as_str().unwrap()))
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), 200);
    assert!(
        image.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    assert!(image.bytes().await.unwrap().starts_with(b"\x89PNG"));
    let thumb = app
        .client
        .get(app.url(done["thumbnail_url"].as_str().unwrap()))
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    let charges: Vec<Value> = app
        .entries(&user)
        .await
        .into_iter()
        .filter(|e| e["task_id"] == id.as_str())
        .collect();
    assert_eq!(charges.len(), 1, "one charge, no refund: {charges:?}");
}

#[tokio::test]
async fn the_image_is_still_served_after_the_upstream_url_answers_404() {
    let (app, fake, _, user) = setup(|_| {}).await;
    let id = id_of(&app.generate(&user, "a lighthouse", "relax").await);
    let done = app.tick_until(&user, &id, 10, is_final).await;
    fake.lock().images_gone = true;
    let (status, bytes) = app.file(&user, done["image_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(bytes.starts_with(b"\x89PNG"));
}

#[tokio::test]
async fn u1_creates_a_charged_child_task_that_succeeds() {
    let (app, _fake, _, user) = setup(|_| {}).await;
    let parent = id_of(&app.generate(&user, "a castle", "fast").await);
    let done = app.tick_until(&user, &parent, 10, is_final).await;
    let u1 = done["buttons"][0]["custom_id"].as_str().unwrap().to_owned();
    let before = app.balance(&user).await;

    let bogus = app
        .post(
            &format!("/api/v1/midjourney/task/{parent}/action"),
            json!({"custom_id": "MJ::JOB::upsample::9::nope"}),
            Some(&user),
        )
        .await;
    assert_eq!(bogus.status, 422);
    assert_eq!(error_of(&bogus)["field"], "custom_id");

    let child = app
        .post(
            &format!("/api/v1/midjourney/task/{parent}/action"),
            json!({"custom_id": u1}),
            Some(&user),
        )
        .await;
    let child_id = id_of(&child);
    assert_eq!(child.body["task"]["parent_id"], parent.as_str());
    assert_eq!(child.body["task"]["action"], "upscale");
    assert_eq!(child.body["task"]["cost"], 3);
    assert_eq!(app.balance(&user).await, before - 3);
    let child = app.tick_until(&user, &child_id, 10, is_final).await;
    assert_eq!(child["status"], "succeeded", "{child}");
}

/// Ticks (with short pauses, for deadlines and retry delays) until the task is final.
async fn wait_final(app: &TestApp, user: &str, id: &str) -> Value {
    let mut done = Value::Null;
    for _ in 0..400 {
        app.tick().await;
        done = app.task(user, id).await;
        if is_final(&done) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    done
}

/// Ticks until the task is final, and checks it failed with one refund.
async fn ends_failed_with_one_refund(app: &TestApp, user: &str, id: &str, reason_part: &str) {
    let done = wait_final(app, user, id).await;
    assert_eq!(done["status"], "failed", "{done}");
    let reason = done["fail_reason"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        reason.contains(reason_part),
        "reason {reason:?} should say {reason_part:?}"
    );
    assert_eq!(refunds(&app.entries(user).await, id), 1);
    // Further ticks change nothing.
    app.tick().await;
    app.tick().await;
    assert_eq!(app.task(user, id).await, done);
    assert_eq!(refunds(&app.entries(user).await, id), 1);
}

#[tokio::test]
async fn an_upstream_failure_fails_the_task_with_its_reason_and_refunds() {
    let (app, _fake, _, user) = setup(|_| {}).await;
    let id = id_of(&app.generate(&user, "this one fails", "fast").await);
    ends_failed_with_one_refund(&app, &user, &id, "bot refused").await;
    assert_eq!(app.balance(&user).await, 100);
}

#[tokio::test]
async fn a_banned_word_fails_the_task_naming_the_word_and_refunds() {
    let (app, _fake, _, user) = setup(|_| {}).await;
    let id = id_of(
        &app.generate(&user, "something forbidden here", "fast")
            .await,
    );
    ends_failed_with_one_refund(&app, &user, &id, "banned word: forbidden").await;
}

#[tokio::test]
async fn a_full_upstream_queue_keeps_the_task_queued_until_it_is_accepted() {
    let (app, fake, _, user) = setup(|_| {}).await;
    let id = id_of(&app.generate(&user, "queuefull then fine", "fast").await);
    app.tick().await;
    let t = app.task(&user, &id).await;
    assert_eq!(t["status"], "queued", "23 keeps it queued: {t}");
    let done = wait_final(&app, &user, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert!(fake.lock().submits >= 3, "two 23s, then accepted");
    assert_eq!(refunds(&app.entries(&user).await, &id), 0);
}

#[tokio::test]
async fn http_500_forever_ends_in_a_timeout_with_one_refund() {
    let (app, fake, _, user) = setup(|c| c.task_timeout = Duration::from_secs(1)).await;
    let id = id_of(&app.generate(&user, "a quiet lake", "fast").await);
    app.tick().await;
    assert_eq!(app.task(&user, &id).await["status"], "submitted");
    fake.lock().polls_fail = true;
    ends_failed_with_one_refund(&app, &user, &id, "timed out").await;
}

#[tokio::test]
async fn a_task_the_upstream_forgot_fails_with_one_refund() {
    let (app, _fake, _, user) = setup(|_| {}).await;
    let id = id_of(&app.generate(&user, "forgotten by the proxy", "fast").await);
    ends_failed_with_one_refund(&app, &user, &id, "no longer knows").await;
}

#[tokio::test]
async fn a_task_stuck_at_93_percent_times_out_with_one_refund() {
    let (app, _fake, _, user) = setup(|c| c.task_timeout = Duration::from_secs(1)).await;
    let id = id_of(&app.generate(&user, "stuck forever", "fast").await);
    let t = app
        .tick_until(&user, &id, 10, |t| t["progress"] == 93)
        .await;
    assert_eq!(t["status"], "in_progress");
    ends_failed_with_one_refund(&app, &user, &id, "timed out").await;
}

/// Updates arrive out of order and repeated (the upstream's own answers, each fetched when a
/// push names the task): a task never moves backwards, and a final one never changes. What a
/// push itself claims (here always SUCCESS) is not believed.
#[tokio::test]
async fn duplicated_and_out_of_order_updates_never_move_a_task_backwards() {
    let (app, fake, _, user) = setup(|_| {}).await;
    let id = id_of(&app.generate(&user, "a jumbled mill", "fast").await);
    app.tick().await;
    let up = app.task(&user, &id).await["upstream_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.task(&user, &id).await["status"], "submitted");
    let hook = format!("/api/v1/midjourney/notify/{}", app.engine.notify_token);
    let push = json!({"id": up, "status": "SUCCESS", "progress": "100%",
                      "imageUrl": format!("{}/img/final.png", fake.base), "buttons": []});
    // The upstream answers 60 %, 30 %, 0 % (submitted), 60 %.
    for step in 0..4 {
        assert_eq!(app.post(&hook, push.clone(), None).await.status, 200);
        let t = app.task(&user, &id).await;
        assert_eq!(
            (t["status"].as_str(), t["progress"].as_u64()),
            (Some("in_progress"), Some(60)),
            "after step {step}"
        );
    }
    // Then a failure, a late 99 %, the failure again.
    assert_eq!(app.post(&hook, push.clone(), None).await.status, 200);
    assert_eq!(app.task(&user, &id).await["status"], "failed");
    for _ in 0..2 {
        assert_eq!(app.post(&hook, push.clone(), None).await.status, 200);
    }
    let t = app.task(&user, &id).await;
    assert_eq!(
        (
            t["status"].as_str(),
            t["progress"].as_u64(),
            t["fail_reason"].as_str()
        ),
        (Some("failed"), Some(60), Some("late failure"))
    );
    assert_eq!(refunds(&app.entries(&user).await, &id), 1);
    // A wrong token is not a hook.
    assert_eq!(
        app.post("/api/v1/midjourney/notify/guess", push, None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn many_simultaneous_polls_each_get_their_own_task_and_no_one_elses() {
    let (app, _fake, admin, user) = setup(|_| {}).await;
    let mut mine = Vec::new();
    for i in 0..20 {
        mine.push(id_of(
            &app.generate(&user, &format!("fox number {i}"), "relax")
                .await,
        ));
    }
    let admins = id_of(&app.generate(&admin, "the admin's own fox", "relax").await);
    // All at once, so that the server answers many of them from one gathered read.
    let polls = mine.iter().chain([&admins]).flat_map(|id| {
        let (app, user) = (&app, &user);
        (0..3).map(move |_| async move {
            let a = app
                .get(&format!("/api/v1/midjourney/task/{id}"), Some(user))
                .await;
            (
                id.clone(),
                a.status,
                a.body["task"]["id"].clone(),
                a.body["task"]["prompt"].clone(),
            )
        })
    });
    for (id, status, got, prompt) in futures::future::join_all(polls).await {
        if id == admins {
            assert_eq!(status, 404, "another user's task stays hidden");
        } else {
            assert_eq!((status, got.as_str()), (200, Some(id.as_str())));
            let n = mine.iter().position(|m| *m == id).unwrap();
            assert_eq!(prompt, format!("fox number {n}"));
        }
    }
    let unknown = app
        .get("/api/v1/midjourney/task/no-such-task", Some(&user))
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn the_pages_poll_answers_own_tasks_with_queue_places_and_the_balance() {
    let (app, _fake, admin, user) = setup(|_| {}).await;
    let theirs = id_of(&app.generate(&admin, "queued first, by Ada", "relax").await);
    let first = id_of(&app.generate(&user, "a relaxed fox", "relax").await);
    let second = id_of(&app.generate(&user, "another relaxed fox", "relax").await);
    let fast = id_of(&app.generate(&user, "a fast fox", "fast").await);
    let body = poll(&app, &user, &[&first, &second, &fast, &theirs]).await;
    let places: Vec<(&str, i64)> = body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap(),
                t["queue_position"].as_i64().unwrap(),
            )
        })
        .collect();
    // Newest first; Ada's task is hidden but still counts in the Relax queue.
    assert_eq!(
        places,
        [
            (fast.as_str(), 0),
            (second.as_str(), 2),
            (first.as_str(), 1)
        ]
    );
    assert_eq!(body["balance"], app.balance(&user).await);
}

/// The page's poll of `ids` as `token`'s browser sends it, as JSON for the assertions.
async fn poll(app: &TestApp, token: &str, ids: &[&str]) -> Value {
    let args = atelier::server_fns::tasks::PollTasks {
        ids: ids.iter().map(|id| id.to_string()).collect(),
    };
    serde_json::to_value(app.call(token, &args).await.expect("the poll answers")).unwrap()
}

#[tokio::test]
async fn a_repeated_poll_sees_every_change_made_since_the_last_one() {
    // Repeated reads of an unchanged task are answered from memory: each change must still show
    // on the very next read.
    let (app, _fake, admin, user) = setup(|_| {}).await;
    let id = id_of(&app.generate(&user, "a relaxed fox", "relax").await);
    let before = poll(&app, &user, &[&id]).await;
    assert_eq!(poll(&app, &user, &[&id]).await, before);
    assert_eq!(app.task(&user, &id).await["status"], "queued");
    assert_eq!(app.task(&user, &id).await["status"], "queued");

    // A charge elsewhere changes the balance the poll shows.
    id_of(&app.generate(&user, "a fast fox", "fast").await);
    let after_charge = poll(&app, &user, &[&id]).await;
    assert_eq!(
        after_charge["balance"],
        before["balance"].as_i64().unwrap() - 8
    );

    // Another user's task leaving the queue moves a task up.
    let ahead = id_of(&app.generate(&admin, "Ada's fox", "relax").await);
    let behind = id_of(&app.generate(&user, "a fox behind Ada's", "relax").await);
    let place = |v: &Value| v["tasks"][0]["queue_position"].as_i64().unwrap();
    assert_eq!(place(&poll(&app, &user, &[&behind]).await), 2);
    let cancelled = app
        .delete(&format!("/api/v1/midjourney/task/{ahead}"), &admin)
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(place(&poll(&app, &user, &[&behind]).await), 1);

    // A cancel shows on the next GET, and a direct write to the database (here the worker's
    // progress update) on the next poll.
    let cancelled = app
        .delete(&format!("/api/v1/midjourney/task/{id}"), &user)
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(app.task(&user, &id).await["status"], "cancelled");
    let pool = &app.engine.pool;
    app.mark_sent(&behind, "up-1").await;
    atelier::db::tasks::advance(
        pool,
        &behind,
        TaskStatus::InProgress,
        42,
        atelier::db::now_ms(),
    )
    .await
    .unwrap();
    let polled = poll(&app, &user, &[&behind]).await;
    assert_eq!(polled["tasks"][0]["progress"], 42, "{polled}");
    assert_eq!(app.task(&user, &behind).await["progress"], 42);
}

#[tokio::test]
async fn fifty_parallel_submits_with_credit_for_ten_accept_exactly_ten() {
    let (app, _fake, admin, user) = setup(|_| {}).await;
    app.configure(&admin, json!({"modes": [{"mode": "fast", "cost": 10}]}))
        .await;
    let submits = (0..50).map(|i| {
        let (app, user) = (&app, &user);
        async move {
            app.generate(user, &format!("fox number {i}"), "fast")
                .await
                .status
        }
    });
    let statuses = futures::future::join_all(submits).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 402).count(),
        40,
        "{statuses:?}"
    );
    assert_eq!(app.balance(&user).await, 0);
    let charges = app
        .entries(&user)
        .await
        .into_iter()
        .filter(|e| e["reason"] == "charge")
        .count();
    assert_eq!(charges, 10);
    let short = app.generate(&user, "one more", "fast").await;
    assert_eq!(error_of(&short)["code"], "insufficient_credits");
    assert_eq!(
        error_of(&short)["message"],
        "You need 10 credits; you have 0."
    );
}

#[tokio::test]
async fn eight_concurrent_cancels_of_one_task_write_one_refund() {
    let (app, _fake, _, user) = setup(|_| {}).await;
    let id = id_of(&app.generate(&user, "a slow river", "fast").await);
    let cancels = (0..8).map(|_| {
        let (app, user, id) = (&app, &user, &id);
        async move {
            app.delete(&format!("/api/v1/midjourney/task/{id}"), user)
                .await
        }
    });
    let answers = futures::future::join_all(cancels).await;
    let ok: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].body["task"]["status"], "cancelled");
    assert!(
        answers
            .iter()
            .filter(|a| a.status != 200)
            .all(|a| a.status == 409)
    );
    assert_eq!(refunds(&app.entries(&user).await, &id), 1);
    assert_eq!(app.balance(&user).await, 100);
}

#[tokio::test]
async fn another_users_task_and_images_answer_404() {
    let (app, _fake, admin, user) = setup(|_| {}).await;
    let id = id_of(&app.generate(&user, "a private garden", "fast").await);
    app.tick_until(&user, &id, 10, is_final).await;
    let other = app.signed_up("Cy", "cy@example.com").await;
    for what in ["", "/image", "/thumbnail", "/preview"] {
        let a = app
            .get(&format!("/api/v1/midjourney/task/{id}{what}"), Some(&other))
            .await;
        assert_eq!(a.status, 404, "{what}");
        assert_eq!(error_of(&a)["code"], "not_found");
    }
    let del = app
        .delete(&format!("/api/v1/midjourney/task/{id}"), &other)
        .await;
    assert_eq!(del.status, 404);
    let list = app.get("/api/v1/midjourney/tasks", Some(&other)).await;
    assert_eq!(list.body["tasks"], json!([]));
    // Admins see everything.
    assert_eq!(
        app.get(&format!("/api/v1/midjourney/task/{id}/image"), Some(&admin))
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/midjourney/task/{id}"), None)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn tasks_are_listed_newest_first_with_a_cursor_and_a_status_filter() {
    let (app, _fake, _, user) = setup(|_| {}).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(id_of(
            &app.generate(&user, &format!("tree {i}"), "relax").await,
        ));
    }
    let first = app
        .get("/api/v1/midjourney/tasks?limit=2", Some(&user))
        .await;
    let page: Vec<&str> = first.body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(page, [ids[4].as_str(), ids[3].as_str()]);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/midjourney/tasks?limit=2&cursor={cursor}"),
            Some(&user),
        )
        .await;
    assert_eq!(second.body["tasks"][0]["id"], ids[2].as_str());
    let last = app
        .get(
            &format!("/api/v1/midjourney/tasks?limit=2&cursor={}", ids[1]),
            Some(&user),
        )
        .await;
    assert_eq!(last.body["tasks"].as_array().unwrap().len(), 1);
    assert!(last.body["next_cursor"].is_null());
    let queued = app
        .get("/api/v1/midjourney/tasks?status=queued", Some(&user))
        .await;
    assert_eq!(queued.body["tasks"].as_array().unwrap().len(), 5);
    let bad = app
        .get("/api/v1/midjourney/tasks?limit=0", Some(&user))
        .await;
    assert_eq!(
        (bad.status, error_of(&bad)["field"].as_str()),
        (422, Some("limit"))
    );
    let bad = app
        .get("/api/v1/midjourney/tasks?status=done", Some(&user))
        .await;
    assert_eq!(error_of(&bad)["field"], "status");
}

#[tokio::test]
async fn bad_submits_are_refused_and_change_nothing() {
    let (app, _fake, admin, user) = setup(|_| {}).await;
    for (prompt, mode, field) in [
        ("", "fast", "prompt"),
        ("a\u{1}b", "fast", "prompt"),
        ("ok", "warp", "mode"),
    ] {
        let a = app.generate(&user, prompt, mode).await;
        assert_eq!(
            (a.status, error_of(&a)["field"].as_str()),
            (422, Some(field)),
            "{prompt:?} {mode}"
        );
    }
    let long = "x".repeat(4001);
    assert_eq!(app.generate(&user, &long, "fast").await.status, 422);
    app.configure(
        &admin,
        json!({"modes": [{"mode": "turbo", "enabled": false}]}),
    )
    .await;
    assert_eq!(
        error_of(&app.generate(&user, "ok", "turbo").await)["field"],
        "mode"
    );
    app.configure(&admin, json!({"enabled": false})).await;
    let off = app.generate(&user, "ok", "fast").await;
    assert_eq!(
        (off.status, error_of(&off)["code"].as_str()),
        (503, Some("disabled"))
    );
    app.configure(
        &admin,
        json!({"enabled": true, "max_active_tasks_per_user": 1}),
    )
    .await;
    assert_eq!(app.generate(&user, "first", "fast").await.status, 201);
    let busy = app.generate(&user, "second", "fast").await;
    assert_eq!(
        (busy.status, error_of(&busy)["code"].as_str()),
        (429, Some("too_many_tasks"))
    );
    assert_eq!(
        app.balance(&user).await,
        92,
        "only the accepted task was charged"
    );
}

#[tokio::test]
async fn the_secret_never_appears_in_any_answer() {
    let (app, _fake, admin, user) = setup(|_| {}).await;
    let admin_view = app.get("/api/v1/midjourney/config", Some(&admin)).await;
    let text = admin_view.body.to_string();
    assert!(!text.contains(SECRET), "{text}");
    assert_eq!(admin_view.body["api_secret_set"], true);
    assert_eq!(admin_view.body["api_secret_hint"], "…Zq9w");
    let user_view = app.get("/api/v1/midjourney/config", Some(&user)).await;
    assert!(user_view.body["api_url"].is_null() && user_view.body["api_secret_set"].is_null());
    assert_eq!(user_view.body["modes"][0]["cost"], 8);
    let denied = app
        .post(
            "/api/v1/midjourney/config",
            json!({"enabled": false}),
            Some(&user),
        )
        .await;
    assert_eq!(denied.status, 403);
    let bad = app
        .post(
            "/api/v1/midjourney/config",
            json!({"api_url": "ftp://x"}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        (bad.status, error_of(&bad)["field"].as_str()),
        (422, Some("api_url"))
    );
    let bad = app
        .post(
            "/api/v1/midjourney/config",
            json!({"modes": [{"mode": "fast", "cost": -1}]}),
            Some(&admin),
        )
        .await;
    assert_eq!(error_of(&bad)["field"], "modes.fast.cost");
    // Not in plaintext anywhere in the data dir either.
    for entry in walk(app.data_dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "{}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}

#[tokio::test]
async fn the_built_in_simulator_runs_a_task_end_to_end_through_the_client() {
    let app = spawn_app_with(|c| c.run_worker = true).await;
    let user = app.signed_up("Ann", "ann@example.com").await;
    let id = id_of(
        &app.generate(&user, "a red fox in snow --ar 3:2", "relax")
            .await,
    );
    let mut task = Value::Null;
    let mut progress = Vec::new();
    for _ in 0..600 {
        task = app.task(&user, &id).await;
        progress.push(task["progress"].as_u64().unwrap());
        if is_final(&task) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(task["status"], "succeeded", "{task}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    let labels: Vec<&str> = task["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["label"].as_str().unwrap())
        .collect();
    assert_eq!(&labels[..4], ["U1", "U2", "U3", "U4"]);
    let png = app
        .client
        .get(app.url(task["image_url"].as_str().unwrap()))
        .bearer_auth(&user)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let grid = image::load_from_memory(&png).unwrap();
    assert_eq!(
        (grid.width(), grid.height()),
        (1024, 682),
        "a 2x2 grid at 3:2"
    );
}

#[tokio::test]
async fn an_older_preview_never_replaces_a_newer_one() {
    let (app, _fake, _admin, user) = setup(|_| {}).await;
    let id = id_of(&app.generate(&user, "a fox with previews", "relax").await);
    let pool = &app.engine.pool;
    let now = atelier::db::now_ms();
    app.mark_sent(&id, "up-1").await;
    let advance = |p| atelier::db::tasks::advance(pool, &id, TaskStatus::InProgress, p, now);
    let preview = |key: &'static str, url: &'static str, p| {
        let id = id.clone();
        async move {
            let mut tx = pool.begin().await.unwrap();
            let stored = atelier::db::tasks::set_preview(&mut tx, &id, key, url, p, now)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            stored.is_some()
        }
    };
    assert!(advance(40).await.unwrap());
    assert!(preview("k40", "https://cdn/40.png", 40).await);
    assert!(advance(60).await.unwrap());
    assert!(!advance(50).await.unwrap(), "progress never goes back");
    // The 40% preview's download finishing late changes nothing; the 60% one is stored.
    assert!(!preview("k40b", "https://cdn/40b.png", 40).await);
    assert!(preview("k60", "https://cdn/60.png", 60).await);
    assert!(
        !preview("k60", "https://cdn/60.png", 60).await,
        "already there"
    );
    let row = atelier::db::tasks::get(pool, &id).await.unwrap().unwrap();
    assert_eq!(
        (
            row.status.as_str(),
            row.progress,
            row.preview_key.as_deref()
        ),
        ("in_progress", 60, Some("k60"))
    );
}

#[tokio::test]
async fn a_page_older_than_the_server_is_told_to_reload() {
    // Postcard carries no field names: arguments in a layout the server no longer reads must come
    // back as the readable "out of date" error, not a raw decoding message.
    let (app, _fake, _admin, user) = setup(|_| {}).await;
    let path = <atelier::server_fns::tasks::PollTasks as leptos::server_fn::ServerFn>::PATH;
    let (status, body) = app
        .post_postcard(path, Some(&user), vec![0xff, 0xff, 0xff])
        .await;
    assert_eq!(status, 400, "the status the JSON API gives a bad request");
    let error: atelier::error::AppError = postcard::from_bytes(&body).unwrap();
    assert_eq!(error, atelier::error::AppError::Outdated);
    // The same user's well-formed poll still works.
    assert_eq!(poll(&app, &user, &[]).await["tasks"], serde_json::json!([]));

    // Other errors also carry their JSON API status, and still decode as the error.
    let args = atelier::server_fns::tasks::PollTasks { ids: vec![] };
    let (status, body) = app
        .post_postcard(path, None, postcard::to_allocvec(&args).unwrap())
        .await;
    assert_eq!(status, 401);
    let error: atelier::error::AppError = postcard::from_bytes(&body).unwrap();
    assert_eq!(error, atelier::error::AppError::Unauthorized);
}
