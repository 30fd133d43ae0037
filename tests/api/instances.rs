//! Three real instances (the binary, three processes) on one PostgreSQL and one S3 store, against
//! the scripted fake upstream: accounts, tasks, revocations and limits hold across them, and the
//! one that works can die. Only under the test command's PostgreSQL and SeaweedFS run: several
//! instances on one SQLite file is not a way Atelier runs.

use crate::fake_upstream::{self, Fake, SECRET};
use crate::process::{Server, call, free_port, fresh_s3_url, ready, start};
use serde_json::{Value, json};
use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

struct Cluster {
    servers: Vec<Server>,
    /// Instances killed.
    dead: Vec<usize>,
    logs: Vec<Arc<Mutex<String>>>,
    client: reqwest::Client,
    _dirs: Vec<tempfile::TempDir>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for s in &mut self.servers {
            let _ = s.child.kill();
            let _ = s.child.wait();
        }
    }
}

impl Cluster {
    /// Three instances on a fresh database and prefix of the bucket; None without them.
    async fn start() -> Option<Self> {
        let database = crate::helpers::fresh_postgres().await?;
        let storage = fresh_s3_url()?;
        let client = reqwest::Client::new();
        let mut cluster = Self {
            servers: Vec::new(),
            dead: Vec::new(),
            logs: Vec::new(),
            client,
            _dirs: Vec::new(),
        };
        for _ in 0..3 {
            let dir = tempfile::tempdir().unwrap();
            let logs = Arc::new(Mutex::new(String::new()));
            let server = start(
                dir.path(),
                Some(&database),
                Some(&storage),
                free_port(),
                logs.clone(),
            );
            ready(&cluster.client, &server.base).await;
            cluster.servers.push(server);
            cluster.logs.push(logs);
            cluster._dirs.push(dir);
        }
        Some(cluster)
    }

    fn base(&self, i: usize) -> &str {
        &self.servers[i].base
    }

    async fn post(&self, i: usize, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base(i)))
            .json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        call(&self.client, req).await
    }

    async fn get(&self, i: usize, path: &str, token: &str) -> (u16, Value) {
        let req = self
            .client
            .get(format!("{}{path}", self.base(i)))
            .bearer_auth(token);
        call(&self.client, req).await
    }

    /// Which instance says it works (holds the worker's lease), waiting for one to.
    async fn worker(&self) -> usize {
        for _ in 0..400 {
            let working: Vec<usize> = (0..self.servers.len())
                .filter(|i| !self.dead.contains(i))
                .filter(|i| {
                    let logs = self.logs[*i].lock().unwrap();
                    logs.rfind("this instance works") > logs.rfind("this instance stopped")
                })
                .collect();
            if let [one] = working[..] {
                return one;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no single instance works");
    }

    /// SIGKILL: no clean stop, nothing given up.
    fn kill(&mut self, i: usize) {
        self.servers[i].child.kill().unwrap();
        self.servers[i].child.wait().unwrap();
        self.dead.push(i);
    }

    /// Signs up on instance `i`; answers the token.
    async fn sign_up(&self, i: usize, name: &str, email: &str) -> String {
        let (status, body) = self
            .post(
                i,
                "/api/v1/auths/signup",
                None,
                json!({"name": name, "email": email, "password": "correct horse"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// Points the first midjourney channel at the fake, with this concurrency for fast.
    async fn configure(&self, i: usize, admin: &str, fake: &Fake, concurrency: u32) {
        let (status, body) = self
            .post(
                i,
                "/api/v1/midjourney/config",
                Some(admin),
                json!({"api_url": fake.base, "api_secret": SECRET, "max_active_tasks_per_user": 100,
                       "modes": [{"mode": "fast", "cost": 1, "concurrency": concurrency}]}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// Submits `n` tasks (`<prompt> 0`, `<prompt> 1`, ...) spread over the instances in turn;
    /// answers their ids.
    async fn submit_spread(&self, token: &str, prompt: &str, n: usize) -> Vec<String> {
        let mut ids = Vec::new();
        for i in 0..n {
            let (status, body) = self
                .post(
                    i % self.servers.len(),
                    "/api/v1/midjourney/generate",
                    Some(token),
                    json!({"prompt": format!("{prompt} {i}"), "mode": "fast"}),
                )
                .await;
            assert_eq!(status, 201, "{body}");
            ids.push(body["task"]["id"].as_str().unwrap().to_owned());
        }
        ids
    }

    /// Waits until every task is final, polling through instance `i`; answers their statuses.
    async fn until_final(&self, i: usize, token: &str, ids: &[String]) -> Vec<String> {
        let mut statuses = Vec::new();
        for _ in 0..1200 {
            statuses.clear();
            for id in ids {
                let (_, t) = self
                    .get(i, &format!("/api/v1/midjourney/task/{id}"), token)
                    .await;
                statuses.push(t["task"]["status"].as_str().unwrap_or("?").to_owned());
            }
            if statuses
                .iter()
                .all(|s| matches!(s.as_str(), "succeeded" | "failed" | "cancelled"))
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        statuses
    }
}

#[tokio::test]
async fn three_instances_share_accounts_and_tasks_and_survive_the_worker_dying() {
    atelier::init_tls();
    let Some(mut cluster) = Cluster::start().await else {
        return;
    };
    let fake = fake_upstream::start().await;
    // Sign up on one, sign in on another.
    let admin = cluster.sign_up(0, "Ada", "ada@example.com").await;
    // Room for every task at once: each is sent before the worker is killed.
    cluster.configure(0, &admin, &fake, 30).await;
    cluster.sign_up(0, "Bo", "bo@example.com").await;
    let (status, signed_in) = cluster
        .post(
            1,
            "/api/v1/auths/signin",
            None,
            json!({"email": "bo@example.com", "password": "correct horse"}),
        )
        .await;
    assert_eq!(status, 200, "{signed_in}");
    let user = signed_in["token"].as_str().unwrap().to_owned();

    // Thirty submits spread over the three.
    let ids = cluster.submit_spread(&user, "glacial fox", 30).await;
    // Every one sent (and known to be sent), none finished yet: kill the one that works.
    for _ in 0..400 {
        let (_, list) = cluster
            .get(2, "/api/v1/midjourney/tasks?limit=100", &user)
            .await;
        let queued = list["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["status"] == "queued")
            .count();
        if queued == 0 && fake.lock().submits == 30 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (_, list) = cluster
        .get(2, "/api/v1/midjourney/tasks?limit=100", &user)
        .await;
    let running = list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| matches!(t["status"].as_str(), Some("submitted" | "in_progress")))
        .count();
    assert_eq!(running, 30, "all sent, none finished: {list}");
    let working = cluster.worker().await;
    cluster.kill(working);
    let others: Vec<usize> = (0..3).filter(|i| *i != working).collect();

    // Polled through a surviving instance, every task still finishes.
    let statuses = cluster.until_final(others[1], &user, &ids).await;
    assert!(statuses.iter().all(|s| s == "succeeded"), "{statuses:?}");
    let taker = cluster.worker().await;
    assert!(
        others.contains(&taker),
        "another instance took the work over"
    );
    let mut prompts = fake.lock().prompts.clone();
    prompts.sort();
    prompts.dedup();
    assert_eq!(
        (prompts.len(), fake.lock().submits),
        (30, 30),
        "each sent upstream exactly once"
    );
    // Charged once each, never refunded.
    let (_, credits) = cluster
        .get(others[0], "/api/v1/credits?limit=100", &user)
        .await;
    for id in &ids {
        let of = |reason: &str| {
            credits["entries"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["task_id"] == id.as_str() && e["reason"] == reason)
                .count()
        };
        assert_eq!((of("charge"), of("refund")), (1, 0), "task {id}");
    }
    assert_eq!(credits["balance"], 70);
    // Each image is served by both survivors, from the shared store.
    let (_, task) = cluster
        .get(
            others[0],
            &format!("/api/v1/midjourney/task/{}", ids[0]),
            &user,
        )
        .await;
    let image = task["task"]["image_url"].as_str().unwrap().to_owned();
    for i in &others {
        let res = cluster
            .client
            .get(format!("{}{image}", cluster.base(*i)))
            .bearer_auth(&user)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let png = res.bytes().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "instance {i} serves the image");
    }

    // A role change on one instance holds on another at once.
    let (_, me) = cluster.get(others[0], "/api/v1/auths/me", &user).await;
    let user_id = me["user"]["id"].as_str().unwrap().to_owned();
    let role = |r: &str| json!({"role": r});
    let path = format!("/api/v1/users/{user_id}/role");
    assert_eq!(
        cluster
            .post(others[0], &path, Some(&admin), role("admin"))
            .await
            .0,
        200
    );
    assert_eq!(cluster.get(others[1], "/api/v1/users", &user).await.0, 200);
    // Known on the other instance too (it keeps who a token is until told otherwise).
    assert_eq!(cluster.get(others[0], "/api/v1/users", &user).await.0, 200);
    assert_eq!(
        cluster
            .post(others[1], &path, Some(&admin), role("user"))
            .await
            .0,
        200
    );
    assert_eq!(
        cluster.get(others[0], "/api/v1/users", &user).await.0,
        403,
        "demoted on one instance, refused on the other"
    );
    // An API key revoked on one instance is refused on the other at once.
    let (status, key) = cluster
        .post(
            others[0],
            "/api/v1/auths/api_keys",
            Some(&user),
            json!({"name": "script"}),
        )
        .await;
    assert_eq!(status, 201, "{key}");
    let secret = key["key"].as_str().unwrap().to_owned();
    for i in [others[1], others[0]] {
        assert_eq!(cluster.get(i, "/api/v1/auths/me", &secret).await.0, 200);
    }
    let revoked = cluster
        .client
        .delete(format!(
            "{}/api/v1/auths/api_keys/{}",
            cluster.base(others[1]),
            key["id"].as_str().unwrap()
        ))
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    assert_eq!(
        cluster.get(others[0], "/api/v1/auths/me", &secret).await.0,
        401,
        "revoked on one instance, refused on the other"
    );
    for logs in &cluster.logs {
        assert!(
            !logs.lock().unwrap().contains(SECRET),
            "a secret in the logs"
        );
    }
}

/// What an instance keeps of a task for status polls is read again as soon as another instance
/// changes the task (PostgreSQL's change notices): well within the second after which anything
/// kept is read again anyway.
#[tokio::test]
async fn a_change_on_one_instance_shows_in_the_others_polls_at_once() {
    atelier::init_tls();
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let user = cluster.sign_up(0, "Ada", "ada@example.com").await;
    let (status, made) = cluster
        .post(
            0,
            "/api/v1/midjourney/generate",
            Some(&user),
            json!({"prompt": "a kept fox", "mode": "relax"}),
        )
        .await;
    assert_eq!(status, 201, "{made}");
    let path = format!(
        "/api/v1/midjourney/task/{}",
        made["task"]["id"].as_str().unwrap()
    );
    // Read twice on instance 1: the second answer comes from what it kept.
    for _ in 0..2 {
        let (status, seen) = cluster.get(1, &path, &user).await;
        assert_eq!(status, 200, "{seen}");
        assert_ne!(seen["task"]["status"], "cancelled");
    }
    let cancelled = cluster
        .client
        .delete(format!("{}{path}", cluster.base(0)))
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.status(), 200);
    let mut status = Value::Null;
    for _ in 0..25 {
        status = cluster.get(1, &path, &user).await.1["task"]["status"].clone();
        if status == "cancelled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status, "cancelled", "instance 1 still shows what it kept");
}

#[tokio::test]
async fn a_channels_concurrency_holds_across_instances() {
    atelier::init_tls();
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let fake = fake_upstream::start().await;
    let admin = cluster.sign_up(0, "Ada", "ada@example.com").await;
    cluster.configure(1, &admin, &fake, 2).await;
    let ids = cluster.submit_spread(&admin, "slow owl", 12).await;
    let statuses = cluster.until_final(2, &admin, &ids).await;
    assert!(statuses.iter().all(|s| s == "succeeded"), "{statuses:?}");
    let fake = fake.lock();
    assert_eq!(fake.submits, 12);
    assert!(
        fake.max_running <= 2,
        "{} ran at once on a channel of concurrency 2",
        fake.max_running
    );
    assert_eq!(fake.max_running, 2, "the channel was used to its limit");
}

/// The price of a finished task's buttons, as instance `i` answers it.
async fn button_price(cluster: &Cluster, i: usize, token: &str, id: &str) -> Value {
    let (status, t) = cluster
        .get(i, &format!("/api/v1/midjourney/task/{id}"), token)
        .await;
    assert_eq!(status, 200, "{t}");
    t["task"]["buttons"][0]["cost"].clone()
}

/// Every instance keeps the settings in memory; a price changed on one instance prices the
/// buttons of a finished task read on another at once (its trigger's notice), not when what it
/// kept expires.
#[tokio::test]
async fn a_price_changed_on_one_instance_is_read_by_the_others_at_once() {
    atelier::init_tls();
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let fake = fake_upstream::start().await;
    let admin = cluster.sign_up(0, "Ada", "ada@example.com").await;
    cluster.configure(0, &admin, &fake, 3).await;
    let set_price = |cost: i64| {
        cluster.post(
            0,
            "/api/v1/midjourney/config",
            Some(&admin),
            json!({"action_cost": cost}),
        )
    };
    assert_eq!(set_price(3).await.0, 200);
    let id = cluster
        .submit_spread(&admin, "a priced fox", 1)
        .await
        .remove(0);
    assert_eq!(
        cluster
            .until_final(0, &admin, std::slice::from_ref(&id))
            .await,
        ["succeeded"]
    );
    for i in 0..3 {
        // Twice: the second read comes from what the instance kept.
        for _ in 0..2 {
            assert_eq!(
                button_price(&cluster, i, &admin, &id).await,
                3,
                "instance {i}"
            );
        }
    }
    assert_eq!(set_price(7).await.0, 200);
    assert_eq!(
        button_price(&cluster, 0, &admin, &id).await,
        7,
        "the instance that changed it"
    );
    for i in 1..3 {
        let mut price = Value::Null;
        for _ in 0..50 {
            price = button_price(&cluster, i, &admin, &id).await;
            if price == 7 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(price, 7, "instance {i} still prices with what it kept");
    }
}
