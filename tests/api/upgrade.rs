//! An installation of the first stage upgrades in place. `tests/fixtures/stage1/` is the data dir
//! of a real stage-one Atelier (made by `tests/fixtures/make-stage1.sh` with the binary of commit
//! 6fcb525, killed with SIGKILL while a task was in flight); this opens it with today's code.

use crate::helpers::{TestApp, spawn_app_with};
use serde_json::Value;
use sqlx::Row;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// What the stage-one database holds, read before today's code touches it.
struct Before {
    balances: Vec<(String, String, i64)>,
    entries: Vec<(String, i64)>,
    tasks: Vec<(String, String, Option<String>)>,
    /// Hashes of the sessions' tokens.
    sessions: Vec<String>,
}

async fn before(db: &Path) -> Before {
    let url = format!("sqlite://{}", db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let balances = sqlx::query("SELECT id, email, balance FROM users ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let entries = sqlx::query(
        "SELECT user_id, COUNT(*) FROM credit_entries GROUP BY user_id ORDER BY user_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let tasks = sqlx::query("SELECT id, status, image_key FROM tasks ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let sessions = sqlx::query_scalar("SELECT token_hash FROM sessions ORDER BY token_hash")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    Before {
        balances,
        entries,
        tasks,
        sessions,
    }
}

async fn signin(app: &TestApp, email: &str) -> String {
    let a = app.signin(email, "correct horse").await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_upgrade_from_a_stage_one_database_keeps_every_user_task_ledger_entry_and_image() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stage1");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture, dir.path());
    let expected: Value =
        serde_json::from_slice(&std::fs::read(fixture.join("expected.json")).unwrap()).unwrap();
    let old = before(&dir.path().join("atelier.db")).await;
    assert!(
        old.tasks.len() >= 5,
        "the fixture has tasks: {}",
        old.tasks.len()
    );

    let data_dir = dir.path().to_path_buf();
    let app = spawn_app_with(move |c| {
        // The stage-one installation is SQLite and a directory, whatever the other tests use.
        c.database = atelier::db::Location::in_data_dir(&data_dir);
        c.storage = atelier::images::Storage::in_data_dir(&data_dir);
        c.data_dir = data_dir;
    })
    .await;
    // Every session of stage one is kept, each with an id of its own for the sessions list.
    let ids: Vec<(String, String)> = atelier::db::on!(&app.engine.pool, |c| sqlx::query_as(
        "SELECT token_hash, id FROM sessions ORDER BY token_hash"
    )
    .fetch_all(c)
    .await)
    .unwrap();
    assert!(!old.sessions.is_empty(), "the fixture has sessions");
    assert_eq!(
        ids.iter().map(|(h, _)| h.clone()).collect::<Vec<_>>(),
        old.sessions
    );
    let distinct: std::collections::HashSet<&String> = ids.iter().map(|(_, id)| id).collect();
    assert_eq!(distinct.len(), ids.len());
    assert!(
        ids.iter().all(|(_, id)| id.starts_with("session-")),
        "{ids:?}"
    );
    let admin = signin(&app, expected["admin"].as_str().unwrap()).await;
    let user = signin(&app, expected["user"].as_str().unwrap()).await;

    // Every account, balance and ledger entry.
    let users = app.get("/api/v1/users", Some(&admin)).await;
    assert_eq!(users.status, 200, "{}", users.body);
    for (id, email, balance) in &old.balances {
        let u = users.body["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == id.as_str())
            .unwrap_or_else(|| panic!("{email} is gone"));
        assert_eq!(u["balance"], *balance, "{email}");
    }
    let entries = app.entries(&user).await;
    let bo = app.user_id(&user).await;
    let count = old.entries.iter().find(|(u, _)| *u == bo).unwrap().1;
    assert_eq!(entries.len() as i64, count);

    // Every task, with its status, and its image, byte for byte.
    for (id, status, image_key) in &old.tasks {
        let t = app.get(&format!("/api/v1/tasks/{id}"), Some(&admin)).await;
        assert_eq!(t.status, 200, "{}", t.body);
        if status != "queued" && status != "submitted" && status != "in_progress" {
            assert_eq!(t.body["task"]["status"], status.as_str(), "{id}");
            // Stage one refunded every failed or cancelled task in full.
            let refunded = if status == "succeeded" {
                0
            } else {
                t.body["task"]["cost"].as_i64().unwrap()
            };
            assert_eq!(t.body["task"]["refunded"], refunded, "{id}");
        }
        if let Some(key) = image_key {
            let url = t.body["task"]["image_url"].as_str().unwrap().to_owned();
            let (code, bytes) = app.file(&admin, &url).await;
            assert_eq!(code, 200);
            let stored = std::fs::read(fixture.join("images").join(&key[..2]).join(key)).unwrap();
            assert_eq!(bytes.as_ref(), stored.as_slice(), "{id}");
            let thumb = t.body["task"]["thumbnail_url"].as_str().unwrap().to_owned();
            assert_eq!(app.file(&admin, &thumb).await.0, 200);
            assert_eq!(t.body["task"]["images"].as_array().unwrap().len(), 1);
        }
    }

    // The upstream of the settings is the first channel, with its secret (still decrypted by
    // the installation's key) and its concurrency; prices stay.
    let channels = app.get("/api/v1/channels", Some(&admin)).await;
    let list = channels.body["channels"].as_array().unwrap();
    // An installation still on the built-in simulator gets the OpenAI one too (0009), and the
    // Stable Diffusion one (0011).
    assert_eq!(list.len(), 3, "{}", channels.body);
    assert_eq!(list[1]["kind"], "openai");
    assert_eq!(list[1]["api_url"], "builtin");
    assert_eq!(list[2]["kind"], "sd_webui");
    assert_eq!(list[2]["api_url"], "builtin");
    assert_eq!(list[0]["kind"], "midjourney");
    assert_eq!(list[0]["api_url"], "builtin");
    assert_eq!(list[0]["api_secret_set"], true);
    assert_eq!(list[0]["api_secret_hint"], "…x7Qa");
    assert_eq!(list[0]["concurrency"]["fast"], 2);
    let config = app.get("/api/v1/midjourney/config", Some(&admin)).await;
    assert_eq!(config.body["modes"][0]["cost"], 9);

    // The task in flight when stage one died still ends, and the books still balance.
    let live = expected["live"].as_str().unwrap();
    let done = app
        .tick_until(&user, live, 400, |t| {
            matches!(
                t["status"].as_str(),
                Some("succeeded" | "failed" | "cancelled")
            )
        })
        .await;
    assert!(done["status"].is_string());
    let entries = app.entries(&user).await;
    let sum: i64 = entries.iter().map(|e| e["delta"].as_i64().unwrap()).sum();
    assert_eq!(sum, app.balance(&user).await);

    // A grid made by stage one still takes its buttons: the follow-up goes to the channel that
    // made it (here the built-in simulator, which restarted and no longer knows the grid, so the
    // follow-up fails with the upstream's reason and is refunded, as it would against any upstream
    // that forgot the task).
    let grid = expected["done"][0].as_str().unwrap();
    let t = app.task(&user, grid).await;
    let u2 = t["buttons"][1]["custom_id"].as_str().unwrap();
    let child = app
        .post(
            &format!("/api/v1/tasks/{grid}/action"),
            serde_json::json!({"custom_id": u2}),
            Some(&user),
        )
        .await;
    assert_eq!(child.status, 201, "{}", child.body);
    let id = child.body["task"]["id"].as_str().unwrap();
    let done = app
        .tick_until(&user, id, 400, |t| {
            matches!(t["status"].as_str(), Some("succeeded" | "failed"))
        })
        .await;
    assert_eq!(done["action"], "upscale");
    let channel = &app
        .get(&format!("/api/v1/tasks/{id}"), Some(&admin))
        .await
        .body["task"]["channel_id"];
    assert_eq!(channel, &list[0]["id"]);
    let entries = app.entries(&user).await;
    let sum: i64 = entries.iter().map(|e| e["delta"].as_i64().unwrap()).sum();
    assert_eq!(sum, app.balance(&user).await);
}

#[tokio::test]
async fn a_database_with_a_newer_schema_is_refused_with_the_reason() {
    let app = crate::helpers::spawn_app().await;
    let pool = &app.engine.pool;
    let future = if pool.is_postgres() {
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9999, 'from the future', TRUE, '\\x00', 0)"
    } else {
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9999, 'from the future', 1, X'00', 0)"
    };
    app.sql(future).await;
    let refused = atelier::db::connect(&app.database)
        .await
        .expect_err("a newer schema is refused");
    let reason = format!("{refused:#}");
    assert!(
        reason.contains("version 9999") && reason.contains("newer than this Atelier"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_database_that_cannot_be_reached_is_refused_with_the_reason() {
    // A port nothing listens on.
    let port = crate::process::free_port();
    let at = atelier::db::Location::parse(&format!(
        "postgres://atelier:secret@127.0.0.1:{port}/atelier"
    ))
    .unwrap();
    let refused = atelier::db::connect(&at)
        .await
        .expect_err("nothing answers");
    let reason = format!("{refused:#}");
    assert!(reason.contains("cannot reach the database"), "{reason}");
    assert!(
        !reason.contains("secret"),
        "the password is never shown: {reason}"
    );
}
