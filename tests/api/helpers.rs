//! `spawn_app()`: one server per test, with its own database.

use atelier::{config::Config, startup::Application};
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn spawn_app() -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let app = Application::build(Config::for_tests(data_dir.path().to_path_buf()))
        .await
        .expect("app builds");
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
        stop: Some(stop),
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

/// The `error` object of an error answer.
pub fn error_of(a: &Answer) -> &Value {
    &a.body["error"]
}
