//! What a pentester tries first (issue 15): each test here failed on the code before its fix.

use crate::helpers::{bomb, error_of, spawn_app};
use crate::process::{free_port, ready, start};
use serde_json::json;
use std::sync::{Arc, Mutex};

/// A burst of parallel wrong passwords for one account is counted as it arrives: at most ten
/// get to try (401), the rest are refused before any hash (429). Before, all forty got 401.
#[tokio::test]
async fn a_burst_of_wrong_passwords_gets_at_most_ten_tries() {
    let app = spawn_app().await;
    app.signed_up("Ann", "ann@example.com").await;
    let tries = (0..40).map(|_| app.signin("ann@example.com", "wrong password"));
    let statuses: Vec<u16> = futures::future::join_all(tries)
        .await
        .iter()
        .map(|a| a.status)
        .collect();
    let tried = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        tried <= 10,
        "{tried} wrong passwords were checked: {statuses:?}"
    );
    assert_eq!(tried + refused, 40, "{statuses:?}");
}

/// Right passwords do not use up the allowance: only failures count.
#[tokio::test]
async fn right_passwords_do_not_use_up_the_log_in_allowance() {
    let app = spawn_app().await;
    app.signed_up("Ann", "ann@example.com").await;
    for i in 0..12 {
        let a = app.signin("ann@example.com", "correct horse").await;
        assert_eq!(a.status, 200, "sign-in {i}: {}", a.body);
    }
    for _ in 0..10 {
        assert_eq!(app.signin("ann@example.com", "wrong").await.status, 401);
    }
    let limited = app.signin("ann@example.com", "correct horse").await;
    assert_eq!(limited.status, 429);
    assert_eq!(error_of(&limited)["code"], "rate_limited");
}

/// The server's peak memory (VmHWM) in kB.
pub fn peak_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// 150 parallel sign-ins (from as many accounts' worth of emails) and 150 parallel sign-ups keep
/// the server's peak memory bounded: password hashes (19 MiB each) run about one per core, and
/// those that cannot wait long are refused with 429. Before, each burst took it to 2.9 GB.
#[tokio::test]
async fn bursts_of_sign_ins_and_sign_ups_keep_memory_bounded() {
    atelier::init_tls();
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        dir.path(),
        None,
        None,
        free_port(),
        Arc::new(Mutex::new(String::new())),
    );
    let client = reqwest::Client::new();
    ready(&client, &server.base).await;
    // This test is about the hashing: the per-address sign-up limit is lifted.
    let admin: serde_json::Value = client
        .post(format!("{}/api/v1/auths/signup", server.base))
        .json(&json!({"name": "Admin", "email": "admin@example.com", "password": "correct horse"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lifted = client
        .post(format!("{}/api/v1/midjourney/config", server.base))
        .bearer_auth(admin["token"].as_str().unwrap())
        .json(&json!({"signup_per_hour": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(lifted.status(), 200);
    let mut server = server;
    // Each answer's status, and its Retry-After if any.
    let burst = |path: &'static str, body: fn(usize) -> serde_json::Value| {
        let (client, base) = (client.clone(), server.base.clone());
        async move {
            let sends = (0..150).map(|i| {
                let req = client.post(format!("{base}{path}")).json(&body(i));
                async move {
                    let res = req.send().await.expect("an answer");
                    let retry = res.headers().get("retry-after").cloned();
                    (res.status().as_u16(), retry)
                }
            });
            futures::future::join_all(sends).await
        }
    };
    let answers = burst(
        "/api/v1/auths/signin",
        |i| json!({"email": format!("nobody{i}@example.com"), "password": "wrong password"}),
    )
    .await;
    assert!(
        answers.iter().all(|(s, _)| *s == 401 || *s == 429),
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    let answers = burst("/api/v1/auths/signup", |i| {
        json!({"name": "Bo", "email": format!("bo{i}@example.com"), "password": "correct horse"})
    })
    .await;
    assert!(
        answers.iter().any(|(s, _)| *s == 200),
        "some sign-ups go through"
    );
    assert!(
        answers.iter().all(|(s, _)| *s == 200 || *s == 429),
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert!(
        answers
            .iter()
            .filter(|(s, _)| *s == 429)
            .all(|(_, retry)| retry.as_ref().is_some_and(|r| r == "3")),
        "a busy answer says when to come back"
    );
    let peak_mb = peak_kb(server.child.id()) / 1024;
    let _ = server.child.kill();
    let _ = server.child.wait();
    // What the server needs at rest, and 19 MiB for each hash that may run (one per core).
    let hashes = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8)) as u64;
    let bound = 60 + 20 * hashes;
    assert!(
        peak_mb < bound,
        "the server peaked at {peak_mb} MB (bound {bound} MB)"
    );
}

/// `/lang?next=` never leaves the site, however the path is disguised (`/%09/evil.example` reads
/// as `//evil.example` to a browser, which drops tabs from URLs).
#[tokio::test]
async fn the_language_switch_never_redirects_off_site() {
    let app = spawn_app().await;
    let switch = |next: &str| {
        app.client
            .post(app.url("/lang"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", app.base.clone())
            .body(format!("lang=zh&next={next}"))
            .send()
    };
    for next in [
        "/%09/evil.example",
        "/%0a/evil.example",
        "//evil.example",
        "/%5c/evil.example",
    ] {
        let res = switch(next).await.unwrap();
        assert_eq!(res.status(), 303, "{next}");
        assert_eq!(res.headers()["location"], "/", "{next}");
    }
    let res = switch("/history%3Fq%3Dfox").await.unwrap();
    assert_eq!(res.headers()["location"], "/history?q=fox");
}

/// A history search has a length limit (a search is a scan of the user's prompts).
#[tokio::test]
async fn a_history_search_has_a_length_limit() {
    let app = spawn_app().await;
    let user = app.signed_up("Ann", "ann@example.com").await;
    let long = "fox".repeat(100);
    let a = app
        .get(&format!("/api/v1/tasks?q={long}"), Some(&user))
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(error_of(&a)["field"], "q");
    let ok = app.get("/api/v1/tasks?q=fox", Some(&user)).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
}

/// Signing out with an API key does not pretend to end it: 400 says how keys are revoked, and
/// the key still works (it did before too, after a 204).
#[tokio::test]
async fn signing_out_with_an_api_key_says_how_keys_are_revoked() {
    let app = spawn_app().await;
    let user = app.signed_up("Ann", "ann@example.com").await;
    let key = app.api_key(&user, "script").await;
    let out = app
        .post("/api/v1/auths/signout", json!({}), Some(&key))
        .await;
    assert_eq!(out.status, 400, "{}", out.body);
    assert!(
        error_of(&out)["message"]
            .as_str()
            .unwrap()
            .contains("DELETE /api/v1/auths/api_keys/")
    );
    assert_eq!(app.get("/api/v1/auths/me", Some(&key)).await.status, 200);
    // A session still signs out.
    assert_eq!(
        app.post("/api/v1/auths/signout", json!({}), Some(&user))
            .await
            .status,
        204
    );
}

/// Another site cannot make a visitor's browser sign in (to the attacker's account: log-in
/// CSRF), with or without a cookie; Atelier's own pages and plain scripts can.
#[tokio::test]
async fn another_sites_page_cannot_sign_a_visitor_in() {
    let app = spawn_app().await;
    app.signed_up("Mallory", "mallory@example.com").await;
    let body = json!({"email": "mallory@example.com", "password": "correct horse"});
    let signin = |headers: &[(&str, String)]| {
        let mut req = app.client.post(app.url("/api/v1/auths/signin")).json(&body);
        for (k, v) in headers {
            req = req.header(*k, v.clone());
        }
        req.send()
    };
    for headers in [
        vec![("origin", "https://evil.example".to_owned())],
        vec![("referer", "https://evil.example/page".to_owned())],
        vec![("sec-fetch-site", "cross-site".to_owned())],
        vec![("sec-fetch-site", "same-site".to_owned())],
        vec![("origin", "null".to_owned())],
    ] {
        let res = signin(&headers).await.unwrap();
        assert_eq!(res.status(), 403, "{headers:?}");
        assert!(res.headers().get("set-cookie").is_none(), "{headers:?}");
    }
    for headers in [
        vec![("origin", app.base.clone())],
        vec![("sec-fetch-site", "same-origin".to_owned())],
        vec![],
    ] {
        let res = signin(&headers).await.unwrap();
        assert_eq!(res.status(), 200, "{headers:?}");
    }
}

/// An Authorization header that is not one Bearer token in text never falls back to the cookie.
#[tokio::test]
async fn a_strange_authorization_header_never_falls_back_to_the_cookie() {
    let app = spawn_app().await;
    let token = app.signed_up("Ann", "ann@example.com").await;
    let cookie = format!("atelier_session={token}");
    let me = |auth: Vec<reqwest::header::HeaderValue>| {
        let mut req = app
            .client
            .get(app.url("/api/v1/auths/me"))
            .header("cookie", cookie.clone());
        for v in auth {
            req = req.header("authorization", v);
        }
        req.send()
    };
    assert_eq!(me(vec![]).await.unwrap().status(), 200, "the cookie alone");
    let bearer = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    let not_text = reqwest::header::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap();
    assert_eq!(me(vec![not_text]).await.unwrap().status(), 401);
    assert_eq!(
        me(vec![bearer.clone(), bearer]).await.unwrap().status(),
        401,
        "sent twice"
    );
}

/// Every answer says: no sniffing, no framing, no address to other sites; pages and API answers
/// are not stored by caches; HSTS only behind https.
#[tokio::test]
async fn answers_carry_the_security_headers() {
    let app = spawn_app().await;
    let token = app.signed_up("Ann", "ann@example.com").await;
    let page = app
        .client
        .get(app.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let api = app
        .client
        .get(app.url("/api/v1/auths/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    for res in [&page, &api] {
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(h["cache-control"], "no-store");
        assert!(h.get("strict-transport-security").is_none(), "plain http");
    }
    let https = crate::helpers::spawn_app_with(|c| {
        c.public_url = Some("https://atelier.example".into());
    })
    .await;
    let res = https
        .client
        .get(https.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

/// A page's policy allows scripts from Atelier itself and inline scripts only with this answer's
/// nonce, which every inline script of the page carries (and which changes with each answer).
#[tokio::test]
async fn pages_allow_only_inline_scripts_with_their_nonce() {
    let app = spawn_app().await;
    let token = app.signed_up("Ann", "ann@example.com").await;
    let mut nonces = Vec::new();
    for path in ["/login", "/", "/history"] {
        let res = app
            .client
            .get(app.url(path))
            .header("cookie", format!("atelier_session={token}"))
            .send()
            .await
            .unwrap();
        let policy = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        let html = res.text().await.unwrap();
        let script_src = policy
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap_or_else(|| panic!("{path}: no script-src in {policy}"));
        assert!(!script_src.contains("unsafe-inline"), "{policy}");
        let nonce = script_src
            .split_whitespace()
            .find_map(|w| w.strip_prefix("'nonce-")?.strip_suffix('\''))
            .unwrap_or_else(|| panic!("{path}: no nonce in {policy}"))
            .to_owned();
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert!(!scripts.is_empty(), "{path} has scripts");
        for s in scripts {
            let tag = &s[..s.find('>').unwrap()];
            let external = tag.contains(" src=");
            assert!(
                external || tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: an inline script without the nonce: <script{tag}>"
            );
        }
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        nonces.push(nonce);
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a nonce is used once");
}

/// Settings that cannot be read never become the open defaults: a sign-up is refused rather than
/// made a user with the default credits, and a new start says what is wrong.
#[tokio::test]
async fn unreadable_settings_fail_closed() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    app.configure(&admin, json!({"new_user_role": "pending"}))
        .await;
    app.sql("UPDATE settings SET value = '{\"new_user_role\": \"nobody\"}' WHERE key = 'config'")
        .await;
    let signup = app.signup("Bo", "bo@example.com", "correct horse").await;
    assert_eq!(signup.status, 500, "{}", signup.body);
    let cfg = app.get("/api/v1/midjourney/config", Some(&admin)).await;
    assert_eq!(cfg.status, 500, "{}", cfg.body);
    let (database, storage) = (app.database.clone(), app.storage.clone());
    let dir = tempfile::tempdir().unwrap();
    let mut config = atelier::config::Config::for_tests(dir.path().to_path_buf());
    config.database = database;
    config.storage = storage;
    let Err(e) = atelier::startup::Application::build(config).await else {
        panic!("started with settings it cannot read");
    };
    assert!(e.to_string().contains("cannot be read"), "{e}");
}

/// An upstream that redirects elsewhere never gets its secret carried there: redirects are
/// followed only to the same scheme, host and port (reqwest strips Authorization on such a
/// redirect, not midjourney-proxy's `mj-api-secret`).
#[tokio::test]
async fn the_upstream_secret_never_follows_a_redirect_to_another_host() {
    use axum::{extract::Request, http::StatusCode, response::IntoResponse};
    atelier::init_tls();
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let record = seen.clone();
    let elsewhere = axum::Router::new().fallback(move |req: Request| {
        let record = record.clone();
        async move {
            let secret = req
                .headers()
                .get("mj-api-secret")
                .map(|v| v.to_str().unwrap_or_default().to_owned());
            record.lock().unwrap().push(secret);
            "[]"
        }
    });
    let other = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other_base = format!("http://{}", other.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(other, elsewhere).await });
    let redirecting = axum::Router::new().fallback(move |req: Request| {
        let to = format!("{other_base}{}", req.uri());
        async move { (StatusCode::TEMPORARY_REDIRECT, [("location", to)]).into_response() }
    });
    let upstream = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", upstream.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(upstream, redirecting).await });

    let client = atelier::engines::midjourney::Upstream::new(&base, Some("the-channel-secret"));
    let answer = client.fetch("1234").await;
    assert!(
        answer.is_err(),
        "a redirect elsewhere is not an answer: {answer:?}"
    );
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .all(|s| s.as_deref() != Some("the-channel-secret")),
        "the secret reached another host: {seen:?}"
    );
}

/// A prompt cannot buy another mode or more jobs than were paid for: `--fast` in a relax submit,
/// `--turbo`, `--repeat` and `--r` are refused with 422 naming the flag, nothing charged.
#[tokio::test]
async fn prompt_flags_cannot_buy_another_mode_or_more_jobs() {
    let app = spawn_app().await;
    let user = app.signed_up("Ann", "ann@example.com").await;
    let before = app.balance(&user).await;
    for (prompt, flag) in [
        ("a fox --fast", "--fast"),
        ("a fox --ar 3:2 --TURBO", "--TURBO"),
        ("a fox \u{2014}fast", "\u{2014}fast"),
        ("a fox --repeat 4", "--repeat"),
        ("a fox --r 4", "--r"),
    ] {
        let a = app.generate(&user, prompt, "relax").await;
        assert_eq!(a.status, 422, "{prompt}: {}", a.body);
        assert_eq!(error_of(&a)["field"], "prompt");
        assert!(
            error_of(&a)["message"].as_str().unwrap().contains(flag),
            "{prompt}: {}",
            a.body
        );
    }
    assert_eq!(app.balance(&user).await, before, "nothing charged");
    let tasks = app.get("/api/v1/tasks", Some(&user)).await;
    assert_eq!(
        tasks.body["tasks"].as_array().map(Vec::len),
        Some(0),
        "{}",
        tasks.body
    );
    assert_eq!(
        app.generate(&user, "a fox --raw --ar 3:2", "relax")
            .await
            .status,
        201
    );
}

/// A server on the scripted fake proxy, fast at 8 credits: the app, the fake, the admin's token
/// and a user's.
async fn with_fake_upstream() -> (
    crate::helpers::TestApp,
    crate::fake_upstream::Fake,
    String,
    String,
) {
    use crate::fake_upstream::{self, SECRET};
    let app = spawn_app().await;
    let fake = fake_upstream::start().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    app.configure(
        &admin,
        json!({"api_url": fake.base, "api_secret": SECRET, "modes": [{"mode": "fast", "cost": 8}]}),
    )
    .await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    (app, fake, admin, user)
}

/// A server inside the network that must never be reached: it counts its requests.
async fn internal_service() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let counted = hits.clone();
    let app = axum::Router::new().fallback(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { "the internal admin console" }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, hits)
}

/// Image URLs away from the upstream's own host and port are fetched only from public addresses,
/// checked as the connection is made: a name that resolves to this machine (its own host name,
/// not a literal address) and another port of the upstream's host are refused, the internal
/// service is never reached, and the task fails with a reason that names neither (admins see
/// the detail).
#[tokio::test]
async fn image_urls_that_point_inside_the_network_are_never_fetched() {
    let (app, fake, admin, user) = with_fake_upstream().await;
    let (port, hits) = internal_service().await;
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default();
    let resolves_here = tokio::net::lookup_host((name.as_str(), port))
        .await
        .is_ok_and(|mut a| a.any(|a| a.ip().is_loopback()));
    // Another port of the upstream's own host, and a name for this machine (where a machine's
    // name does not resolve to itself, one that the old check read as a public name).
    let name = if resolves_here {
        name
    } else {
        "LocalHost.".to_owned()
    };
    let places = [
        format!("http://127.0.0.1:{port}"),
        format!("http://{name}:{port}"),
    ];
    for place in places {
        fake.lock().images_at = Some(place.clone());
        let a = app.generate(&user, "a fox", "fast").await;
        assert_eq!(a.status, 201, "{}", a.body);
        let id = a.body["task"]["id"].as_str().unwrap().to_owned();
        let t = app
            .tick_until(&user, &id, 20, |t| {
                t["status"] == "failed" || t["status"] == "succeeded"
            })
            .await;
        assert_eq!(t["status"], "failed", "{place}: {t}");
        let reason = t["fail_reason"].as_str().unwrap_or_default();
        assert!(!reason.is_empty(), "{t}");
        assert!(
            !reason.contains(&port.to_string()) && !reason.contains("127.0.0.1"),
            "{place}: the owner is told no internal detail: {reason}"
        );
        assert!(t["fail_detail"].is_null(), "{t}");
        assert_eq!(t["refunded"], 8, "{t}");
        let seen = app.get(&format!("/api/v1/tasks/{id}"), Some(&admin)).await;
        let detail = seen.body["task"]["fail_detail"]
            .as_str()
            .unwrap_or_default();
        let host = place
            .trim_start_matches("http://")
            .split(':')
            .next()
            .unwrap();
        assert!(
            detail.to_lowercase().contains(&host.to_lowercase()),
            "admins see what was refused: {}",
            seen.body
        );
    }
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the internal service was reached"
    );
}

/// A cancel refunds in full only while the upstream has not started drawing; once it draws, the
/// admin's cancel policy decides (the part not drawn yet by default, all, or nothing), the
/// upstream is asked to stop, and the preview is no longer served.
#[tokio::test]
async fn a_cancel_refunds_what_the_policy_says_once_the_upstream_draws() {
    use crate::fake_upstream::{self, SECRET};
    let app = spawn_app().await;
    let fake = fake_upstream::start().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let config = app
        .configure(
            &admin,
            json!({"api_url": fake.base, "api_secret": SECRET, "max_active_tasks_per_user": 100,
                   "modes": [{"mode": "fast", "cost": 8}]}),
        )
        .await;
    assert_eq!(config["cancel_refund"], "progress", "the default");
    let user = app.signed_up("Bo", "bo@example.com").await;
    let bad = app
        .post(
            "/api/v1/midjourney/config",
            json!({"cancel_refund": "half"}),
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(
        bad.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cancel_refund"),
        "{}",
        bad.body
    );

    let cancel = |id: String| {
        let (app, user) = (&app, &user);
        async move {
            app.post(&format!("/api/v1/tasks/{id}/cancel"), json!({}), Some(user))
                .await
        }
    };
    // Each policy, for a task cancelled at 60 % with its preview shown.
    for (policy, refunded) in [("progress", 3), ("full", 8), ("none", 0)] {
        app.configure(&admin, json!({"cancel_refund": policy}))
            .await;
        let a = app.generate(&user, "a fox", "fast").await;
        let id = a.body["task"]["id"].as_str().unwrap().to_owned();
        let t = app
            .tick_until(&user, &id, 10, |t| {
                t["progress"] == 60 && t["preview_url"].is_string()
            })
            .await;
        let preview = t["preview_url"].as_str().unwrap().to_owned();
        assert_eq!(app.file(&user, &preview).await.0, 200);
        let before = app.balance(&user).await;
        let cancels = fake.lock().cancels;
        let c = cancel(id.clone()).await;
        assert_eq!(c.status, 200, "{}", c.body);
        assert_eq!(c.body["task"]["status"], "cancelled");
        assert_eq!(c.body["task"]["refunded"], refunded, "{policy}: {}", c.body);
        assert!(c.body["task"]["preview_url"].is_null(), "{}", c.body);
        assert_eq!(app.balance(&user).await, before + refunded, "{policy}");
        assert_eq!(
            fake.lock().cancels,
            cancels + 1,
            "the upstream is asked to stop"
        );
        assert_eq!(app.file(&user, &preview).await.0, 404, "{policy}");
    }

    // Not started upstream (queued here, or waiting there): all of it, whatever the policy.
    let a = app.generate(&user, "a fox", "fast").await;
    let id = a.body["task"]["id"].as_str().unwrap().to_owned();
    let before = app.balance(&user).await;
    let c = cancel(id.clone()).await;
    assert_eq!(c.body["task"]["refunded"], 8, "{}", c.body);
    assert_eq!(app.balance(&user).await, before + 8);
    let a = app.generate(&user, "a fox", "fast").await;
    let id = a.body["task"]["id"].as_str().unwrap().to_owned();
    app.tick_until(&user, &id, 5, |t| t["status"] == "submitted")
        .await;
    let c = cancel(id.clone()).await;
    assert_eq!(c.body["task"]["refunded"], 8, "{}", c.body);
}

/// A hostile upstream cannot exhaust the server's memory: decompression bombs (12,000 x 12,000,
/// under the image crate's default limit, which decoded it into 465 MB; and 30,000 x 30,000) fail
/// their tasks cleanly with a reason, refunded; a 300 MB answer to a poll is refused as it is
/// read, and the task carries on once the upstream answers sanely again.
#[tokio::test]
async fn bombs_and_huge_answers_from_the_upstream_keep_memory_flat() {
    use crate::fake_upstream::{self, SECRET};
    atelier::init_tls();
    let fake = fake_upstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let logs = Arc::new(Mutex::new(String::new()));
    let mut server = start(dir.path(), None, None, free_port(), logs.clone());
    let client = reqwest::Client::new();
    ready(&client, &server.base).await;
    let post = |path: &str, token: Option<&str>, body: serde_json::Value| {
        let mut req = client.post(format!("{}{path}", server.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        async move {
            let res = req.send().await.unwrap();
            (
                res.status().as_u16(),
                res.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    let get = |path: String, token: String| {
        let req = client
            .get(format!("{}{path}", server.base))
            .bearer_auth(token);
        async move {
            req.send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let (_, admin) = post(
        "/api/v1/auths/signup",
        None,
        json!({"name": "Ada", "email": "ada@example.com", "password": "correct horse"}),
    )
    .await;
    let admin = admin["token"].as_str().unwrap().to_owned();
    let (status, body) = post(
        "/api/v1/midjourney/config",
        Some(&admin),
        json!({"api_url": fake.base, "api_secret": SECRET, "modes": [{"mode": "fast", "cost": 8}]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let wait_for = |id: String, done: fn(&serde_json::Value) -> bool| {
        let (get, admin) = (&get, admin.clone());
        async move {
            for _ in 0..400 {
                let t = get(format!("/api/v1/tasks/{id}"), admin.clone()).await;
                if done(&t["task"]) {
                    return t["task"].clone();
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("task {id} did not get there");
        }
    };
    let submit = || async {
        let (status, body) = post(
            "/api/v1/tasks",
            Some(&admin),
            json!({"engine": "midjourney", "prompt": "a fox", "mode": "fast"}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        body["task"]["id"].as_str().unwrap().to_owned()
    };

    for (w, h, whole) in [(12_000, 12_000, true), (30_000, 30_000, false)] {
        fake.lock().image_bytes = Some(bomb(w, h, whole));
        let t = wait_for(submit().await, |t| {
            t["status"] == "failed" || t["status"] == "succeeded"
        })
        .await;
        assert_eq!(t["status"], "failed", "{w}x{h}: {t}");
        assert_eq!(
            t["fail_reason"], "The upstream's image is larger than 40 megapixels.",
            "{t}"
        );
        assert_eq!(t["refunded"], 8);
    }
    fake.lock().image_bytes = None;

    fake.lock().list_padding = 300 << 20;
    let id = submit().await;
    // Long enough for several polls to be answered with 300 MB each.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let lists = fake.lock().lists;
    assert!(lists >= 2, "polled {lists} times");
    fake.lock().list_padding = 0;
    let t = wait_for(id, |t| {
        t["status"] == "succeeded" || t["status"] == "failed"
    })
    .await;
    assert_eq!(t["status"], "succeeded", "{t}");

    let peak_mb = peak_kb(server.child.id()) / 1024;
    let _ = server.child.kill();
    let _ = server.child.wait();
    assert!(peak_mb < 150, "the server peaked at {peak_mb} MB");
}

/// The admin's Test connection of a new URL never sends the saved secret there: neither through
/// `POST /api/v1/midjourney/config/test` nor through the Settings page's server function (which
/// sends an empty secret field); the saved URL still gets it.
#[tokio::test]
async fn testing_a_new_url_never_sends_the_saved_secret() {
    use crate::fake_upstream::{self, SECRET};
    use atelier::server_fns::admin::TestConnection;
    let app = spawn_app().await;
    let saved = fake_upstream::start().await;
    let other = fake_upstream::start().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    app.configure(&admin, json!({"api_url": saved.base, "api_secret": SECRET}))
        .await;
    let rest = app
        .post(
            "/api/v1/midjourney/config/test",
            json!({"api_url": other.base}),
            Some(&admin),
        )
        .await;
    assert_eq!(rest.status, 200, "{}", rest.body);
    assert_eq!(rest.body["kind"], "unauthorized", "{}", rest.body);
    let page = app
        .call(
            &admin,
            &TestConnection {
                api_url: other.base.clone(),
                api_secret: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(page.kind, "unauthorized");
    assert!(
        other.lock().secrets_seen.is_empty(),
        "the saved secret went to a new URL"
    );
    let own = app
        .call(
            &admin,
            &TestConnection {
                api_url: saved.base.clone(),
                api_secret: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(own.kind, "ok", "the saved URL still gets its secret");
    assert_eq!(saved.lock().secrets_seen, vec![SECRET.to_owned()]);
}

/// The notify hook's secret travels through the upstream and its logs. The secret is checked
/// before the body is read (a wrong one with a body that is not JSON is a 404, not a parse
/// error), the body is bounded, and a push's content is not believed: the task is fetched from
/// its channel, so a forged SUCCESS with an image elsewhere neither ends the task nor makes
/// Atelier fetch that image.
#[tokio::test]
async fn the_notify_hook_believes_only_the_upstream() {
    let (app, _fake, _, user) = with_fake_upstream().await;

    let raw = |path: String, body: Vec<u8>| {
        app.client
            .post(app.url(&path))
            .header("content-type", "application/json")
            .body(body)
    };
    let wrong = app
        .send(raw(
            "/api/v1/midjourney/notify/guess".into(),
            b"{not json".to_vec(),
        ))
        .await;
    assert_eq!(wrong.status, 404, "{}", wrong.body);
    let hook = format!("/api/v1/midjourney/notify/{}", app.engine.notify_token);
    let mut huge = b"{\"id\": \"1\", \"padding\": \"".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 200 * 1024));
    huge.extend(b"\"}");
    let big = app.send(raw(hook.clone(), huge)).await;
    assert_eq!(big.status, 400, "{}", big.body);

    let a = app.generate(&user, "a fox", "fast").await;
    let id = a.body["task"]["id"].as_str().unwrap().to_owned();
    app.tick().await;
    let t = app.task(&user, &id).await;
    assert_eq!(t["status"], "submitted", "{t}");
    let (port, hits) = internal_service().await;
    let forged = json!({"id": t["upstream_id"], "status": "SUCCESS", "progress": "100%",
                        "imageUrl": format!("http://127.0.0.1:{port}/final.png"),
                        "buttons": []});
    assert_eq!(app.post(&hook, forged, None).await.status, 200);
    let t = app.task(&user, &id).await;
    assert_eq!(
        (t["status"].as_str(), t["progress"].as_u64()),
        (Some("in_progress"), Some(30)),
        "the task is where the upstream says: {t}"
    );
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
    let done = app.tick_until_succeeded(&user, &id).await;
    assert_eq!(done["status"], "succeeded");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// Slow clients cannot hold the server: a request whose headers never finish and a body that
/// stalls are cut off (the header and body timeouts), and past the connection limit a new client
/// is served only once a held connection has been let go.
#[tokio::test]
async fn slow_clients_are_cut_off_and_connections_are_bounded() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::helpers::spawn_app_with(|c| {
        c.connections.max = 2;
        c.connections.header_timeout = std::time::Duration::from_secs(1);
        c.connections.idle_timeout = std::time::Duration::from_secs(1);
        c.connections.body_timeout = std::time::Duration::from_secs(1);
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    // Waits (at most a minute: a safety net, not a measure) until the server closes `s` or
    // answers on it; what it answered.
    async fn answer_or_close(s: &mut tokio::net::TcpStream) -> String {
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        let read = async {
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(60), read)
            .await
            .expect("the server never let the connection go");
        String::from_utf8_lossy(&got).into_owned()
    }

    // Headers that never finish.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let said = answer_or_close(&mut slow).await;
    assert!(!said.contains("200 OK"), "{said}");

    // A body that stalls after 10 of its 100 bytes.
    let mut stalled = tokio::net::TcpStream::connect(&addr).await.unwrap();
    stalled
        .write_all(
            b"POST /api/v1/auths/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":",
        )
        .await
        .unwrap();
    let said = answer_or_close(&mut stalled).await;
    assert!(!said.contains("200 OK"), "{said}");

    // Two idle connections fill the limit; a third client is answered, and by then the server
    // has let at least one idle connection go.
    let mut idle = Vec::new();
    for _ in 0..2 {
        idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let third = app.get("/healthz", None).await;
    assert_eq!(third.status, 200);
    let mut closed = 0;
    for s in &mut idle {
        let mut buf = [0u8; 16];
        if let Ok(Ok(0)) =
            tokio::time::timeout(std::time::Duration::from_millis(50), s.read(&mut buf)).await
        {
            closed += 1;
        }
    }
    assert!(
        closed >= 1,
        "the third client was served while both idle connections were held"
    );
}
