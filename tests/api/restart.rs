//! The real binary, killed (SIGKILL, no clean stop) with tasks in flight, then restarted on the
//! same data dir: every task finishes, each charged once. Its logs never contain the secret.

use crate::fake_upstream::{self, SECRET};
use crate::process::{call, ready, start};
use serde_json::json;
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

#[tokio::test]
async fn killed_with_twenty_tasks_in_flight_all_finish_after_restart_each_charged_once() {
    atelier::init_tls();
    let fake = fake_upstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = crate::process::free_port();
    let logs = Arc::new(Mutex::new(String::new()));
    let client = reqwest::Client::new();

    let database = crate::helpers::fresh_postgres().await;
    let storage = crate::process::fresh_s3_url();
    let mut server = start(
        dir.path(),
        database.as_ref(),
        storage.as_deref(),
        port,
        logs.clone(),
    );
    ready(&client, &server.base).await;
    let base = server.base.clone();
    let (_, signup) = call(
        &client,
        client
            .post(format!("{base}/api/v1/auths/signup"))
            .json(&json!({"name": "Ada", "email": "ada@example.com", "password": "correct horse"})),
    )
    .await;
    let token = signup["token"].as_str().unwrap().to_owned();
    let (status, _) = call(
        &client,
        client
            .post(format!("{base}/api/v1/midjourney/config"))
            .bearer_auth(&token)
            .json(
                &json!({"api_url": fake.base, "api_secret": SECRET, "max_active_tasks_per_user": 50,
                      "modes": [{"mode": "fast", "cost": 1, "concurrency": 100}]}),
            ),
    )
    .await;
    assert_eq!(status, 200);

    let mut ids = Vec::new();
    for i in 0..20 {
        let (status, body) = call(
            &client,
            client
                .post(format!("{base}/api/v1/midjourney/generate"))
                .bearer_auth(&token)
                .json(&json!({"prompt": format!("slow fox {i}"), "mode": "fast"})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["task"]["id"].as_str().unwrap().to_owned());
    }
    // Let the worker send some of them upstream, then pull the plug.
    for _ in 0..200 {
        if fake.lock().submits >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.child.kill().expect("kill");
    server.child.wait().unwrap();

    let (_, list) = {
        let restarted = start(
            dir.path(),
            database.as_ref(),
            storage.as_deref(),
            port,
            logs.clone(),
        );
        server = restarted;
        ready(&client, &server.base).await;
        call(
            &client,
            client
                .get(format!("{base}/api/v1/midjourney/tasks?limit=100"))
                .bearer_auth(&token),
        )
        .await
    };
    assert_eq!(list["tasks"].as_array().unwrap().len(), 20, "no task lost");

    let mut statuses = Vec::new();
    for _ in 0..600 {
        statuses.clear();
        for id in &ids {
            let (_, t) = call(
                &client,
                client
                    .get(format!("{base}/api/v1/midjourney/task/{id}"))
                    .bearer_auth(&token),
            )
            .await;
            statuses.push(t["task"]["status"].as_str().unwrap_or("?").to_owned());
        }
        if statuses
            .iter()
            .all(|s| s == "succeeded" || s == "failed" || s == "cancelled")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(statuses.iter().all(|s| s == "succeeded"), "{statuses:?}");
    let (_, credits) = call(
        &client,
        client
            .get(format!("{base}/api/v1/credits?limit=100"))
            .bearer_auth(&token),
    )
    .await;
    let entries = credits["entries"].as_array().unwrap();
    for id in &ids {
        let charges = entries
            .iter()
            .filter(|e| e["task_id"] == id.as_str() && e["reason"] == "charge")
            .count();
        let refunds = entries
            .iter()
            .filter(|e| e["task_id"] == id.as_str() && e["reason"] == "refund")
            .count();
        assert_eq!((charges, refunds), (1, 0), "task {id}");
    }
    assert_eq!(credits["balance"], 80);

    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let logs = logs.lock().unwrap().clone();
    assert!(logs.contains("task queued"), "the logs were captured");
    assert!(!logs.contains(SECRET), "the secret is in the logs");
}
