//! `spawn_app()`: one server per test, with its own database.

use atelier::{config::Config, engine::Engine, startup::Application, worker};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::sync::oneshot;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    pub engine: Arc<Engine>,
    /// Where its data lives (a second instance can share it).
    pub database: atelier::db::Location,
    pub storage: atelier::images::Storage,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A server whose worker the test drives by hand with [`TestApp::tick`].
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    atelier::init_tls();
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_tests(data_dir.path().to_path_buf());
    if let Some(database) = fresh_postgres().await {
        config.database = database;
    }
    if let Some(storage) = fresh_s3() {
        config.storage = storage;
    }
    config.run_worker = false;
    adjust(&mut config);
    let database = config.database.clone();
    let storage = config.storage.clone();
    let app = Application::build(config).await.expect("app builds");
    let engine = app.state().engine.clone();
    let base = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        base,
        client,
        data_dir,
        engine,
        database,
        storage,
        stop: Some(stop),
    }
}

/// With `ATELIER_TEST_POSTGRES` set (an admin URL of a throw-away cluster, as the test command
/// starts), a new empty PostgreSQL database for one test; else None (SQLite in the data dir).
pub async fn fresh_postgres() -> Option<atelier::db::Location> {
    let admin = std::env::var("ATELIER_TEST_POSTGRES").ok()?;
    Some(
        atelier::db::Location::new_postgres_database(&admin)
            .await
            .expect("a test database on the test cluster"),
    )
}

/// With `ATELIER_TEST_S3_BUCKET` set (the test command's SeaweedFS, configured by the standard
/// AWS_* variables), a prefix of its own in that bucket for one test; else None (a directory).
pub fn fresh_s3() -> Option<atelier::images::Storage> {
    let bucket = std::env::var("ATELIER_TEST_S3_BUCKET").ok()?;
    Some(atelier::images::Storage::S3 {
        bucket,
        prefix: format!("test-{}", uuid::Uuid::now_v7().simple()),
    })
}

impl TestApp {
    /// One worker tick.
    pub async fn tick(&self) -> worker::PollOutcome {
        worker::poll_once(&self.engine).await.expect("tick")
    }

    /// Ticks until `done` holds for the task (at most `max` ticks); returns its last view.
    pub async fn tick_until(
        &self,
        token: &str,
        id: &str,
        max: usize,
        mut done: impl FnMut(&Value) -> bool,
    ) -> Value {
        for _ in 0..max {
            self.tick().await;
            let t = self.task(token, id).await;
            if done(&t) {
                return t;
            }
        }
        panic!(
            "task {id} did not get there in {max} ticks: {}",
            self.task(token, id).await
        );
    }

    /// Ticks, giving background work (a synchronous engine's run, its progress polls) some real
    /// time between ticks, until `done` holds of the task; answers its view then.
    pub async fn wait_until(&self, token: &str, id: &str, done: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..500 {
            self.tick().await;
            let t = self.task(token, id).await;
            if done(&t) {
                return t;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("task {id} never got there: {}", self.task(token, id).await);
    }

    /// Ticks at the built-in simulator's pace (a job takes some real time there) until the task
    /// succeeds; answers its last view.
    pub async fn tick_until_succeeded(&self, token: &str, id: &str) -> Value {
        let mut task = Value::Null;
        for _ in 0..300 {
            self.tick().await;
            task = self.task(token, id).await;
            if task["status"] == "succeeded" {
                return task;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("task {id} did not succeed: {task}");
    }

    /// Marks a queued task as sent to the first channel as `upstream_id`, the way the worker
    /// does (claim, then the upstream's answer).
    pub async fn mark_sent(&self, id: &str, upstream_id: &str) {
        let pool = &self.engine.pool;
        let channel = atelier::db::channels::list(pool).await.unwrap().remove(0);
        let now = atelier::db::now_ms();
        let row = atelier::db::tasks::get(pool, id).await.unwrap().unwrap();
        let claimed = atelier::db::tasks::claim(
            pool,
            id,
            &channel.id,
            row.mode,
            100,
            "attempt-1",
            now,
            now + 60_000,
        )
        .await
        .unwrap();
        assert!(claimed.is_some(), "task {id} could not be claimed");
        assert!(
            atelier::db::tasks::mark_submitted(pool, id, "attempt-1", upstream_id, now)
                .await
                .unwrap()
        );
        self.engine.reads.changed();
    }

    /// Runs one statement on the app's database, whichever backend it is.
    pub async fn sql(&self, statement: &'static str) {
        atelier::db::on!(&self.engine.pool, |c| sqlx::query(statement)
            .execute(c)
            .await
            .map(drop))
        .expect(statement);
        // Written by this process: its reads show it at once (as after the worker's writes).
        self.engine.reads.changed();
    }

    /// Replaces a task's buttons with these (custom id, label) pairs.
    pub async fn set_buttons(&self, id: &str, buttons: &[(&str, &str)]) {
        let buttons: Vec<atelier::types::Button> = buttons
            .iter()
            .map(|(custom_id, label)| {
                serde_json::from_value(json!({"custom_id": custom_id, "label": label, "emoji": ""}))
                    .expect("a button")
            })
            .collect();
        atelier::db::on!(&self.engine.pool, |c| sqlx::query(
            "UPDATE tasks SET buttons = $1 WHERE id = $2"
        )
        .bind(sqlx::types::Json(&buttons))
        .bind(id)
        .execute(c)
        .await
        .map(drop))
        .expect("buttons set");
        self.engine.reads.changed();
    }

    pub async fn task(&self, token: &str, id: &str) -> Value {
        let a = self
            .get(&format!("/api/v1/midjourney/task/{id}"), Some(token))
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.body["task"].clone()
    }

    pub async fn generate(&self, token: &str, prompt: &str, mode: &str) -> Answer {
        self.post(
            "/api/v1/midjourney/generate",
            json!({"prompt": prompt, "mode": mode}),
            Some(token),
        )
        .await
    }

    /// Points Atelier at an upstream (as the admin `token`).
    pub async fn configure(&self, token: &str, patch: Value) -> Value {
        let a = self
            .post("/api/v1/midjourney/config", patch, Some(token))
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.body
    }

    pub async fn user_id(&self, token: &str) -> String {
        let me = self.get("/api/v1/auths/me", Some(token)).await;
        me.body["user"]["id"]
            .as_str()
            .expect("signed in")
            .to_owned()
    }

    /// A new API key of the user signed in with `token`.
    pub async fn api_key(&self, token: &str, name: &str) -> String {
        let a = self
            .post("/api/v1/auths/api_keys", json!({"name": name}), Some(token))
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
        a.body["key"].as_str().unwrap().to_owned()
    }

    pub async fn balance(&self, token: &str) -> i64 {
        self.get("/api/v1/auths/me", Some(token)).await.body["balance"]
            .as_i64()
            .unwrap()
    }

    /// The user's ledger entries, newest first.
    pub async fn entries(&self, token: &str) -> Vec<Value> {
        let a = self.get("/api/v1/credits?limit=100", Some(token)).await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.body["entries"].as_array().unwrap().clone()
    }
}

/// A response's status and JSON body (Null when the body is empty or not JSON).
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let res = req.send().await.expect("request sent");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            body,
            headers,
        }
    }

    pub async fn post(&self, path: &str, body: Value, token: Option<&str>) -> Answer {
        let mut req = self.client.post(self.url(path)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        self.send(req).await
    }

    /// A stored file (an image URL of a task) as `token` sees it: its status and bytes.
    pub async fn file(&self, token: &str, url: &str) -> (u16, bytes::Bytes) {
        let res = self
            .client
            .get(self.url(url))
            .bearer_auth(token)
            .send()
            .await
            .expect("request sent");
        (res.status().as_u16(), res.bytes().await.expect("body"))
    }

    pub async fn put(&self, path: &str, token: &str) -> Answer {
        self.send(self.client.put(self.url(path)).bearer_auth(token))
            .await
    }

    pub async fn patch(&self, path: &str, body: Value, token: &str) -> Answer {
        self.send(
            self.client
                .patch(self.url(path))
                .bearer_auth(token)
                .json(&body),
        )
        .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Answer {
        self.send(self.client.delete(self.url(path)).bearer_auth(token))
            .await
    }

    /// Posts `body` to the server function at `path` as the pages do: postcard both ways, with
    /// `token`'s session cookie if any. Answers the status and the raw answer.
    pub async fn post_postcard(
        &self,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> (u16, bytes::Bytes) {
        let mut req = self
            .client
            .post(self.url(path))
            .header("content-type", "application/x-postcard")
            .header("accept", "application/x-postcard")
            .body(body);
        if let Some(t) = token {
            req = req.header("cookie", format!("atelier_session={t}"));
        }
        let res = req.send().await.expect("server function answers");
        let status = res.status().as_u16();
        (status, res.bytes().await.expect("body"))
    }

    /// Calls a server function as the pages do, decoding its answer or its error.
    pub async fn call<F>(
        &self,
        token: &str,
        args: &F,
    ) -> Result<F::Output, atelier::error::AppError>
    where
        F: leptos::server_fn::ServerFn + serde::Serialize,
        F::Output: serde::de::DeserializeOwned,
    {
        let body = postcard::to_allocvec(args).expect("encodable arguments");
        let (status, bytes) = self.post_postcard(F::PATH, Some(token), body).await;
        if (200..300).contains(&status) {
            Ok(postcard::from_bytes(&bytes).expect("postcard answer"))
        } else {
            Err(postcard::from_bytes(&bytes).expect("postcard error"))
        }
    }

    pub async fn signup(&self, name: &str, email: &str, password: &str) -> Answer {
        self.post(
            "/api/v1/auths/signup",
            json!({"name": name, "email": email, "password": password}),
            None,
        )
        .await
    }

    /// Signs up and returns the token.
    pub async fn signed_up(&self, name: &str, email: &str) -> String {
        let a = self.signup(name, email, "correct horse").await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.body["token"].as_str().expect("token").to_owned()
    }

    pub async fn signin(&self, email: &str, password: &str) -> Answer {
        self.post(
            "/api/v1/auths/signin",
            json!({"email": email, "password": password}),
            None,
        )
        .await
    }
}

/// A page as text with its hydration payload decoded: the page data travels as base64-encoded
/// postcard (`__RESOLVED_RESOURCES[n] = "...";`), in which strings keep their UTF-8 bytes.
pub fn readable(html: &str) -> String {
    use base64::Engine as _;
    let mut out = html.to_owned();
    for part in html.split("__RESOLVED_RESOURCES[").skip(1) {
        let Some(encoded) = part.split('"').nth(1) else {
            continue;
        };
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(encoded)
            .expect("page data is base64");
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(&bytes));
    }
    out
}

/// The `error` object of an error answer.
pub fn error_of(a: &Answer) -> &Value {
    &a.body["error"]
}

/// A PNG that declares `w` x `h` black pixels: written row by row (it is a few hundred kB), or,
/// when `whole` is false, its header alone.
pub fn bomb(w: u32, h: u32, whole: bool) -> bytes::Bytes {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        if !whole {
            drop(writer);
            return bytes::Bytes::from(out);
        }
        let mut rows = writer.stream_writer().unwrap();
        let row = vec![0u8; w as usize * 3];
        for _ in 0..h {
            std::io::Write::write_all(&mut rows, &row).unwrap();
        }
        rows.finish().unwrap();
    }
    bytes::Bytes::from(out)
}

/// Has the task ended (succeeded, failed or cancelled)?
pub fn is_final(t: &Value) -> bool {
    ["succeeded", "failed", "cancelled"].contains(&t["status"].as_str().unwrap_or(""))
}

/// The id of the task a 201 answer created.
pub fn created_id(a: &Answer) -> String {
    assert_eq!(a.status, 201, "{}", a.body);
    a.body["task"]["id"].as_str().unwrap().to_owned()
}
