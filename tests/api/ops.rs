//! What load balancers and monitoring use, and the client address behind proxies.

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use serde_json::json;

async fn api_key(app: &TestApp, token: &str) -> String {
    let created = app
        .post(
            "/api/v1/auths/api_keys",
            json!({"name": "prometheus"}),
            Some(token),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["key"].as_str().unwrap().to_owned()
}

async fn text(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn health_and_readiness_answer_for_load_balancers() {
    let app = spawn_app().await;
    assert_eq!(text(&app, "/healthz", None).await, (200, "ok\n".to_owned()));
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(
        ready.body,
        json!({"ready": true, "database": "ok", "storage": "ok"})
    );
}

#[tokio::test]
async fn readiness_names_an_image_directory_that_went_away() {
    let dir = tempfile::tempdir().unwrap();
    let images = dir.path().join("images");
    let at = images.clone();
    let app = spawn_app_with(move |c| c.storage = atelier::images::Storage::Dir(at)).await;
    assert_eq!(app.get("/readyz", None).await.status, 200);
    std::fs::remove_dir_all(&images).unwrap();
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, 503);
    assert_eq!(ready.body["storage"], "unreachable");
    assert_eq!(ready.body["database"], "ok");
    std::fs::create_dir_all(&images).unwrap();
    assert_eq!(app.get("/readyz", None).await.status, 200);
}

#[tokio::test]
async fn metrics_are_for_admins_api_keys_and_count_tasks_and_submits() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    assert_eq!(text(&app, "/metrics", None).await.0, 401);
    assert_eq!(text(&app, "/metrics", Some(&user)).await.0, 403);
    let user_key = api_key(&app, &user).await;
    assert_eq!(text(&app, "/metrics", Some(&user_key)).await.0, 403);
    assert_eq!(
        text(&app, "/metrics", Some(&admin)).await.0,
        403,
        "a session is not a key"
    );
    let key = api_key(&app, &admin).await;
    app.configure(&admin, json!({"modes": [{"mode": "fast", "cost": 5}]}))
        .await;
    let made = app.generate(&user, "a lighthouse", "fast").await;
    assert_eq!(made.status, 201, "{}", made.body);
    let (status, page) = text(&app, "/metrics", Some(&key)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("atelier_tasks{engine=\"midjourney\",channel=\"\",state=\"queued\"} 1"),
        "{page}"
    );
    assert!(
        page.contains("atelier_submits_total{engine=\"midjourney\"} 1"),
        "{page}"
    );
    assert!(page.contains("atelier_credits_spent_total 5"), "{page}");
    assert!(page.contains("atelier_refunds_total 0"), "{page}");
    // The worker sends it to the built-in simulator: its requests are counted per channel.
    app.tick().await;
    let (_, page) = text(&app, "/metrics", Some(&key)).await;
    assert!(
        page.contains("atelier_upstream_requests_total{channel=\"00000000-0000-7000-8000-000000000001\",outcome=\"answered\"}"),
        "{page}"
    );
    assert!(
        page.contains("# TYPE atelier_upstream_latency_seconds histogram"),
        "{page}"
    );
}

#[tokio::test]
async fn metrics_may_be_read_from_a_configured_range() {
    let app = spawn_app_with(|c| {
        c.metrics_from = atelier::auth::client::Networks::parse("127.0.0.0/8").unwrap();
    })
    .await;
    let (status, page) = text(&app, "/metrics", None).await;
    assert_eq!(status, 200);
    assert!(page.contains("# TYPE atelier_tasks gauge"), "{page}");
}

async fn bad_signin(app: &TestApp, email: &str, forwarded: &str) -> u16 {
    app.send(
        app.client
            .post(app.url("/api/v1/auths/signin"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"email": email, "password": "wrong"})),
    )
    .await
    .status
}

#[tokio::test]
async fn behind_a_trusted_proxy_one_persons_bad_log_ins_lock_out_only_them() {
    let app = spawn_app_with(|c| {
        c.trusted_proxies = atelier::auth::client::Networks::parse("127.0.0.1").unwrap();
    })
    .await;
    // Ten wrong passwords from one client, each for another account.
    for i in 0..10 {
        assert_eq!(
            bad_signin(&app, &format!("u{i}@example.com"), "203.0.113.7").await,
            401
        );
    }
    assert_eq!(
        bad_signin(&app, "u99@example.com", "203.0.113.7").await,
        429
    );
    // Everyone else behind the same load balancer still gets in (or is told the password is
    // wrong).
    assert_eq!(
        bad_signin(&app, "u99@example.com", "198.51.100.3").await,
        401
    );
}

#[tokio::test]
async fn without_trusted_proxies_a_forwarded_header_changes_nothing() {
    let app = spawn_app().await;
    for i in 0..10 {
        let from = format!("203.0.113.{i}");
        assert_eq!(
            bad_signin(&app, &format!("u{i}@example.com"), &from).await,
            401
        );
    }
    assert_eq!(
        bad_signin(&app, "u99@example.com", "198.51.100.3").await,
        429,
        "the socket's address is the client: a forged header does not reset the count"
    );
}

#[tokio::test]
async fn log_in_limits_are_shared_by_instances_on_one_database() {
    let a = spawn_app().await;
    let database = a.database.clone();
    let b = spawn_app_with(move |c| c.database = database).await;
    a.signed_up("Ada", "ada@example.com").await;
    for _ in 0..10 {
        assert_eq!(a.signin("ada@example.com", "wrong").await.status, 401);
    }
    assert_eq!(
        b.signin("ada@example.com", "correct horse").await.status,
        429,
        "the other instance counts the same failures"
    );
}

/// A throw-away PostgreSQL cluster of this test's own (the readiness test stops and starts it),
/// from the test command's binaries; None without them.
struct OwnCluster {
    bin: std::path::PathBuf,
    data: std::path::PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl OwnCluster {
    /// A PostgreSQL tool, as the user postgres runs as (it refuses root).
    fn command(&self, tool: &str) -> std::process::Command {
        if is_root() {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(tool));
            c
        } else {
            std::process::Command::new(self.bin.join(tool))
        }
    }

    fn pg(&self, tool: &str, args: &[&str]) {
        let out = self
            .command(tool)
            .args(args)
            .output()
            .expect("a PostgreSQL tool runs");
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn new() -> Option<Self> {
        let bin = std::path::PathBuf::from(std::env::var("ATELIER_TEST_PG_BIN").ok()?);
        let dir = tempfile::Builder::new()
            .prefix("atelier-pg")
            .tempdir()
            .unwrap();
        let data = dir.path().join("data");
        if is_root() {
            let ok = std::process::Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown");
        }
        let port = crate::process::free_port();
        let cluster = Self {
            bin,
            data: data.clone(),
            port,
            _dir: dir,
        };
        let data = data.to_str().unwrap().to_owned();
        cluster.pg(
            "initdb",
            &["-D", &data, "-U", "postgres", "-A", "trust", "--no-sync"],
        );
        cluster.start();
        Some(cluster)
    }

    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.data.parent().unwrap().display()
        );
        let data = self.data.to_str().unwrap();
        // The server's output goes to a file: a pipe would stay open as long as it runs.
        let log = self.data.parent().unwrap().join("server.log");
        let log = log.to_str().unwrap();
        self.pg(
            "pg_ctl",
            &["-D", data, "-l", log, "-o", &options, "-w", "start"],
        );
    }

    fn stop(&self) {
        self.pg(
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

#[tokio::test]
async fn readiness_is_503_while_postgresql_is_down_and_200_after_and_nothing_is_lost() {
    let Some(pg) = OwnCluster::new() else {
        return;
    };
    let url = pg.url();
    let app = spawn_app_with(move |c| {
        c.database = atelier::db::Location::Postgres(url);
    })
    .await;
    let user = app.signed_up("Ann", "ann@example.com").await;
    let made = app.generate(&user, "a lighthouse", "relax").await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["task"]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/readyz", None).await.status, 200);

    pg.stop();
    let down = app.get("/readyz", None).await;
    assert_eq!(down.status, 503, "{}", down.body);
    assert_eq!(down.body["database"], "unreachable");
    assert_eq!(down.body["storage"], "ok");

    pg.start();
    let mut up = 0;
    for _ in 0..100 {
        up = app.get("/readyz", None).await.status;
        if up == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(up, 200, "ready again once the database is back");
    let task = app.task(&user, &id).await;
    assert_eq!(task["status"], "queued", "the task is still there: {task}");
}
