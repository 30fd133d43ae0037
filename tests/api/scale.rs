//! Several instances on one database (PostgreSQL under the test command's second run): one works
//! at a time, and another takes over when it stops. On SQLite a second process is a restart.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use atelier::db;
use std::time::Duration;

/// A second instance on the database and image store of `first`, with its own data dir.
async fn second_instance(first: &TestApp, lease: Duration) -> TestApp {
    let (database, storage) = (first.database.clone(), first.storage.clone());
    spawn_app_with(move |c| {
        c.database = database;
        c.storage = storage;
        c.worker_lease = lease;
    })
    .await
}

async fn holder(app: &TestApp) -> Option<String> {
    db::leases::holder(&app.engine.pool, atelier::worker::LEASE_NAME)
        .await
        .unwrap()
}

/// Waits (at most `tries` × 50 ms) until the worker's lease is held by `want`.
async fn until_held_by(app: &TestApp, want: &str, tries: usize) {
    for _ in 0..tries {
        if holder(app).await.as_deref() == Some(want) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the lease is held by {:?}, not {want}", holder(app).await);
}

#[tokio::test]
async fn one_instance_works_and_another_takes_over_when_it_dies() {
    let lease = Duration::from_millis(600);
    let a = spawn_app_with(|c| c.worker_lease = lease).await;
    let b = second_instance(&a, lease).await;
    let worker_a = tokio::spawn(atelier::worker::run_until_stopped(a.engine.clone()));
    until_held_by(&a, &a.engine.instance, 100).await;
    let worker_b = tokio::spawn(atelier::worker::run_until_stopped(b.engine.clone()));
    if !a.engine.pool.is_postgres() {
        // One process uses an SQLite file: a second one is a restart, and takes over at once.
        until_held_by(&a, &b.engine.instance, 100).await;
        worker_a.abort();
        worker_b.abort();
        return;
    }
    // Several of its lease's lengths later, the first still holds it (it renews it).
    tokio::time::sleep(lease * 3).await;
    assert_eq!(
        holder(&b).await.as_deref(),
        Some(a.engine.instance.as_str())
    );
    // The first dies without a word (its task stops; nothing gives the lease up): the second
    // takes over once the lease has run out.
    worker_a.abort();
    until_held_by(&b, &b.engine.instance, 200).await;
    // A clean stop gives the lease up at once.
    worker_b.abort();
    atelier::worker::stop(&b.engine).await;
    assert_eq!(holder(&a).await, None);
}

#[tokio::test]
async fn a_lease_held_by_another_is_not_taken_and_a_lapsed_one_is() {
    let app = spawn_app().await;
    let pool = &app.engine.pool;
    assert!(db::leases::hold(pool, "job", "one", 60_000).await.unwrap());
    assert!(
        !db::leases::hold(pool, "job", "two", 60_000).await.unwrap(),
        "held by one"
    );
    assert!(
        db::leases::hold(pool, "job", "one", 60_000).await.unwrap(),
        "renewed"
    );
    // A lease of no length has run out at once: anyone may take it.
    assert!(db::leases::hold(pool, "lapsed", "one", -1).await.unwrap());
    assert!(
        db::leases::hold(pool, "lapsed", "two", 60_000)
            .await
            .unwrap()
    );
    assert_eq!(
        db::leases::holder(pool, "lapsed").await.unwrap().as_deref(),
        Some("two")
    );
}

#[tokio::test]
async fn a_task_sent_to_one_instances_simulator_is_finished_by_another() {
    let a = spawn_app().await;
    let b = second_instance(&a, Duration::from_secs(15)).await;
    let user = a.signed_up("Ann", "ann@example.com").await;
    let made = a
        .generate(&user, "a red fox in snow --ar 3:2", "relax")
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["task"]["id"].as_str().unwrap().to_owned();
    // The first instance's worker sends it to its own built-in simulator, then stops working.
    a.tick().await;
    let sent = a.task(&user, &id).await;
    assert_ne!(sent["status"], "queued", "{sent}");
    // The second instance's simulator knows the job from its id alone and finishes it.
    let done = b.tick_until_succeeded(&user, &id).await;
    assert_eq!(done["buttons"][0]["label"], "U1", "{done}");
    // Its image, stored by the second instance, is served by the first.
    let (status, png) = a.file(&user, done["image_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let grid = image::load_from_memory(&png).unwrap();
    assert_eq!((grid.width(), grid.height()), (1024, 682));
}

/// Admins changing different settings at the same moment, on two instances, each keep their
/// change: every read-modify-write of the settings and of a channel holds off the others.
#[tokio::test]
async fn concurrent_admin_changes_on_two_instances_are_all_kept() {
    let a = spawn_app().await;
    let b = second_instance(&a, Duration::from_secs(15)).await;
    let admin = a.signed_up("Ada", "ada@example.com").await;
    let patches = [
        serde_json::json!({"action_cost": 7}),
        serde_json::json!({"signup_credits": 33}),
        serde_json::json!({"max_active_tasks_per_user": 9}),
        serde_json::json!({"task_timeout_secs": 900}),
        serde_json::json!({"modes": [{"mode": "fast", "cost": 11, "concurrency": 2}]}),
        serde_json::json!({"modes": [{"mode": "relax", "cost": 3, "concurrency": 5}]}),
        serde_json::json!({"modes": [{"mode": "turbo", "cost": 21, "concurrency": 4}]}),
        serde_json::json!({"new_user_role": "pending"}),
    ];
    for _ in 0..3 {
        let sends = patches.iter().enumerate().map(|(i, patch)| {
            let app = if i % 2 == 0 { &a } else { &b };
            app.post("/api/v1/midjourney/config", patch.clone(), Some(&admin))
        });
        for answer in futures::future::join_all(sends).await {
            assert_eq!(answer.status, 200, "{}", answer.body);
        }
        let config = b.get("/api/v1/midjourney/config", Some(&admin)).await.body;
        assert_eq!(config["action_cost"], 7, "{config}");
        assert_eq!(config["signup_credits"], 33, "{config}");
        assert_eq!(config["max_active_tasks_per_user"], 9, "{config}");
        assert_eq!(config["task_timeout_secs"], 900, "{config}");
        assert_eq!(config["new_user_role"], "pending", "{config}");
        let mode = |name: &str| {
            config["modes"]
                .as_array()
                .and_then(|m| m.iter().find(|m| m["mode"] == name))
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(mode("fast")["cost"], 11, "{config}");
        assert_eq!(mode("relax")["cost"], 3, "{config}");
        assert_eq!(mode("turbo")["cost"], 21, "{config}");
        assert_eq!(mode("fast")["concurrency"], 2, "{config}");
        assert_eq!(mode("relax")["concurrency"], 5, "{config}");
        assert_eq!(mode("turbo")["concurrency"], 4, "{config}");
        // Back to other values, so that the next round races again.
        a.post(
            "/api/v1/midjourney/config",
            serde_json::json!({"action_cost": 1, "signup_credits": 0, "max_active_tasks_per_user": 2,
                "task_timeout_secs": 600, "new_user_role": "user",
                "modes": [{"mode": "fast", "cost": 1, "concurrency": 1},
                          {"mode": "relax", "cost": 1, "concurrency": 1},
                          {"mode": "turbo", "cost": 1, "concurrency": 1}]}),
            Some(&admin),
        )
        .await;
    }
}
