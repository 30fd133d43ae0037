//! Admin endpoints, API keys, test connection, cross-site protection and the audit log.

use crate::{
    fake_upstream::{self, SECRET},
    helpers::{error_of, readable, spawn_app},
};
use serde_json::json;

#[tokio::test]
async fn non_admins_get_403_on_every_admin_endpoint() {
    let app = spawn_app().await;
    let _admin = app.signed_up("Ada", "ada@example.com").await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    let me = app.user_id(&user).await;
    let calls = [
        app.post(
            "/api/v1/midjourney/config",
            json!({"enabled": false}),
            Some(&user),
        )
        .await,
        app.post("/api/v1/midjourney/config/test", json!({}), Some(&user))
            .await,
        app.get("/api/v1/users", Some(&user)).await,
        app.post(
            &format!("/api/v1/users/{me}/credits"),
            json!({"delta": 5, "reason": "me"}),
            Some(&user),
        )
        .await,
        app.post(
            &format!("/api/v1/users/{me}/role"),
            json!({"role": "admin"}),
            Some(&user),
        )
        .await,
    ];
    for a in calls {
        assert_eq!(
            (a.status, error_of(&a)["code"].as_str()),
            (403, Some("forbidden")),
            "{}",
            a.body
        );
    }
    assert_eq!(
        app.get("/api/v1/auths/me", Some(&user)).await.body["user"]["role"],
        "user"
    );
}

#[tokio::test]
async fn test_connection_tells_ok_wrong_secret_and_unreachable_apart() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let fake = fake_upstream::start().await;
    let test = |body| app.post("/api/v1/midjourney/config/test", body, Some(&admin));

    let ok = test(json!({"api_url": fake.base, "api_secret": SECRET})).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        (ok.body["ok"].as_bool(), ok.body["kind"].as_str()),
        (Some(true), Some("ok"))
    );
    assert!(ok.body["latency_ms"].is_u64());

    let wrong = test(json!({"api_url": fake.base, "api_secret": "nope"})).await;
    assert_eq!(
        (wrong.body["ok"].as_bool(), wrong.body["kind"].as_str()),
        (Some(false), Some("unauthorized"))
    );
    assert!(wrong.body["message"].as_str().unwrap().contains("401"));

    let port = crate::process::free_port();
    let down =
        test(json!({"api_url": format!("http://127.0.0.1:{port}"), "api_secret": "x"})).await;
    assert_eq!(
        (down.body["ok"].as_bool(), down.body["kind"].as_str()),
        (Some(false), Some("unreachable"))
    );

    // Atelier itself is not a midjourney-proxy.
    let other = test(json!({"api_url": app.base, "api_secret": "x"})).await;
    assert_eq!(other.body["kind"], "not_a_proxy", "{}", other.body);

    let builtin = test(json!({"api_url": "builtin"})).await;
    assert_eq!(builtin.body["ok"], true, "{}", builtin.body);
    // Nothing was saved by testing.
    assert_eq!(
        app.get("/api/v1/midjourney/config", Some(&admin))
            .await
            .body["api_url"],
        "builtin"
    );
    let bad = test(json!({"api_url": "gopher://x"})).await;
    assert_eq!(error_of(&bad)["field"], "api_url");
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_and_grants_never_go_below_zero() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    let admin_id = app.user_id(&admin).await;
    let user_id = app.user_id(&user).await;

    let demote = app
        .post(
            &format!("/api/v1/users/{admin_id}/role"),
            json!({"role": "user"}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        (demote.status, error_of(&demote)["code"].as_str()),
        (409, Some("conflict"))
    );
    let promote = app
        .post(
            &format!("/api/v1/users/{user_id}/role"),
            json!({"role": "admin"}),
            Some(&admin),
        )
        .await;
    assert_eq!(promote.body["user"]["role"], "admin");
    let now_ok = app
        .post(
            &format!("/api/v1/users/{admin_id}/role"),
            json!({"role": "user"}),
            Some(&admin),
        )
        .await;
    assert_eq!(now_ok.status, 200, "two admins: one may step down");
    let former = app.get("/api/v1/users", Some(&admin)).await;
    assert_eq!(former.status, 403, "the change holds from the next request");

    let too_much = app
        .post(
            &format!("/api/v1/users/{admin_id}/credits"),
            json!({"delta": -101, "reason": "oops"}),
            Some(&user),
        )
        .await;
    assert_eq!(
        (too_much.status, error_of(&too_much)["field"].as_str()),
        (422, Some("delta"))
    );
    let no_note = app
        .post(
            &format!("/api/v1/users/{admin_id}/credits"),
            json!({"delta": 5, "reason": " "}),
            Some(&user),
        )
        .await;
    assert_eq!(error_of(&no_note)["field"], "reason");
    let ok = app
        .post(
            &format!("/api/v1/users/{admin_id}/credits"),
            json!({"delta": -100, "reason": "reset"}),
            Some(&user),
        )
        .await;
    assert_eq!(ok.body["balance"], 0);
    let users = app.get("/api/v1/users", Some(&user)).await;
    let ada = users.body["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == admin_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (ada["balance"].as_i64(), ada["role"].as_str()),
        (Some(0), Some("user"))
    );
}

#[tokio::test]
async fn api_keys_work_as_bearer_tokens_until_revoked() {
    let app = spawn_app().await;
    let token = app.signed_up("Ada", "ada@example.com").await;
    let created = app
        .post(
            "/api/v1/auths/api_keys",
            json!({"name": "my script"}),
            Some(&token),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let key = created.body["key"].as_str().unwrap().to_owned();
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(key.starts_with("atl_"));

    let me = app.get("/api/v1/auths/me", Some(&key)).await;
    assert_eq!(me.body["user"]["email"], "ada@example.com");
    assert_eq!(
        app.generate(&key, "a fox by script", "relax").await.status,
        201
    );

    let list = app.get("/api/v1/auths/api_keys", Some(&token)).await;
    let listed = &list.body["keys"][0];
    assert_eq!(listed["name"], "my script");
    assert!(key.starts_with(listed["prefix"].as_str().unwrap()));
    assert!(
        !list.body.to_string().contains(&key),
        "the key is shown only once"
    );
    assert!(listed["last_used_at"].is_string());

    let other = app.signed_up("Bo", "bo@example.com").await;
    let theirs = app
        .delete(&format!("/api/v1/auths/api_keys/{id}"), &other)
        .await;
    assert_eq!(theirs.status, 404);
    let revoked = app
        .delete(&format!("/api/v1/auths/api_keys/{id}"), &token)
        .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(app.get("/api/v1/auths/me", Some(&key)).await.status, 401);
    let empty = app
        .post("/api/v1/auths/api_keys", json!({"name": ""}), Some(&token))
        .await;
    assert_eq!(error_of(&empty)["field"], "name");
}

#[tokio::test]
async fn a_cross_origin_post_with_the_session_cookie_is_refused() {
    let app = spawn_app().await;
    let token = app.signed_up("Ada", "ada@example.com").await;
    let cookie = format!("atelier_session={token}");
    let host = app.base.trim_start_matches("http://").to_owned();
    let post = |origin: &'static str| {
        app.client
            .post(app.url("/api/v1/midjourney/generate"))
            .header("cookie", &cookie)
            .header("origin", origin)
            .json(&json!({"prompt": "a fox", "mode": "relax"}))
    };
    let evil = app.send(post("https://evil.example")).await;
    assert_eq!(
        (evil.status, error_of(&evil)["code"].as_str()),
        (403, Some("forbidden"))
    );
    assert_eq!(app.balance(&token).await, 100, "nothing was charged");
    let same = app
        .send(
            app.client
                .post(app.url("/api/v1/midjourney/generate"))
                .header("cookie", &cookie)
                .header("origin", format!("http://{host}"))
                .json(&json!({"prompt": "a fox", "mode": "relax"})),
        )
        .await;
    assert_eq!(same.status, 201);
    // A bearer token is not a cookie riding along: scripts may post from anywhere.
    let script = app
        .send(
            app.client
                .post(app.url("/api/v1/midjourney/generate"))
                .bearer_auth(&token)
                .header("origin", "https://evil.example")
                .json(&json!({"prompt": "a fox", "mode": "relax"})),
        )
        .await;
    assert_eq!(script.status, 201);
}

#[tokio::test]
async fn the_secret_is_in_no_page_hydration_payload_or_answer() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    app.configure(&admin, json!({"api_secret": SECRET})).await;
    for path in ["/admin", "/", "/account"] {
        let res = app
            .client
            .get(app.url(path))
            .header("cookie", format!("atelier_session={admin}"))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        let html = readable(&res.text().await.unwrap());
        assert!(
            html.contains("__RESOLVED_RESOURCES"),
            "{path} has page data"
        );
        assert!(!html.contains(SECRET), "{path} shows the secret");
    }
    let cfg = app.get("/api/v1/midjourney/config", Some(&admin)).await;
    assert!(!cfg.body.to_string().contains(SECRET));
    assert_eq!(cfg.body["api_secret_hint"], "…Zq9w");
}

#[tokio::test]
async fn the_admin_opens_a_users_ledger_and_tasks_and_others_cannot() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    assert_eq!(
        app.generate(&user, "a heron by Bo", "relax").await.status,
        201
    );
    let bo = app.user_id(&user).await;
    let page = |token: String, path: String| {
        let app = &app;
        async move {
            let res = app
                .client
                .get(app.url(&path))
                .header("cookie", format!("atelier_session={token}"))
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (status, html) = page(admin.clone(), format!("/admin/users/{bo}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("a heron by Bo") && html.contains("Sign-up credits"));
    let (status, _) = page(user.clone(), format!("/admin/users/{bo}")).await;
    assert_eq!(status, 403);
    let (status, _) = page(admin.clone(), "/admin/users/nobody".into()).await;
    assert_eq!(status, 404);

    // Admin actions land in the audit log on the overview, without secrets.
    app.configure(
        &admin,
        json!({"modes": [{"mode": "fast", "cost": 9}], "api_secret": SECRET}),
    )
    .await;
    let (status, html) = page(admin, "/admin/overview".into()).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Settings changed") && html.contains("modes.fast: 8/true → 9/true"),
        "{html}"
    );
    assert!(html.contains("api_secret: replaced") && !readable(&html).contains(SECRET));
    assert!(
        html.contains("a heron by Bo") || html.contains("Bo"),
        "live tasks are listed"
    );
}

#[tokio::test]
async fn the_task_deadline_is_an_admin_setting_with_bounds() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let user = app.signed_up("Bo", "bo@example.com").await;
    let bad = app
        .post(
            "/api/v1/midjourney/config",
            json!({"task_timeout_secs": 5}),
            Some(&admin),
        )
        .await;
    assert_eq!(
        (bad.status, error_of(&bad)["field"].as_str()),
        (422, Some("task_timeout_secs"))
    );
    let ok = app
        .configure(&admin, json!({"task_timeout_secs": 45}))
        .await;
    assert_eq!(ok["task_timeout_secs"], 45);
    let seen_by_user = app.get("/api/v1/midjourney/config", Some(&user)).await;
    assert!(seen_by_user.body["task_timeout_secs"].is_null());
}
