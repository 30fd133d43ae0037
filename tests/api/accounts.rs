//! Sign-up controls, the password change, the sessions list and the per-account limits
//! (issue 15, items 2 and 13).

use crate::helpers::{TestApp, error_of, spawn_app};
use serde_json::{Value, json};

async fn signup_with(app: &TestApp, email: &str, code: Option<&str>) -> crate::helpers::Answer {
    let mut body = json!({"name": "Guest", "email": email, "password": "correct horse"});
    if let Some(code) = code {
        body["invite_code"] = code.into();
    }
    app.post("/api/v1/auths/signup", body, None).await
}

async fn invite(app: &TestApp, admin: &str, body: Value) -> Value {
    let a = app.post("/api/v1/invites", body, Some(admin)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    a.body["invite"].clone()
}

/// By invitation: no code, an unknown code and a used-up code are refused (422 naming
/// `invite_code`, no account made); a single-use code signs up one account.
#[tokio::test]
async fn sign_up_by_invitation_needs_a_valid_code_used_once() {
    let app = spawn_app().await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    app.configure(&admin, json!({"signup_mode": "invite"}))
        .await;
    let options = app.get("/api/v1/auths/signup", None).await;
    assert_eq!(options.body["mode"], "invite", "{}", options.body);

    let none = signup_with(&app, "a@example.com", None).await;
    assert_eq!(
        (none.status, error_of(&none)["field"].clone()),
        (422, json!("invite_code"))
    );
    let unknown = signup_with(&app, "a@example.com", Some("AAAA-BBBB-CCCC-DDDD")).await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert_eq!(error_of(&unknown)["field"], "invite_code");

    let code = invite(&app, &admin, json!({"note": "for Ann"})).await;
    assert_eq!(
        (code["max_uses"].clone(), code["uses"].clone()),
        (json!(1), json!(0))
    );
    let code = code["code"].as_str().unwrap().to_owned();
    // Typed in lower case with spaces: the same code.
    let typed = format!(" {} ", code.to_lowercase());
    let ok = signup_with(&app, "a@example.com", Some(&typed)).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["user"]["role"], "user");
    let again = signup_with(&app, "b@example.com", Some(&code)).await;
    assert_eq!(
        again.status, 422,
        "a single-use code works once: {}",
        again.body
    );
    assert_eq!(
        app.signin("b@example.com", "correct horse").await.status,
        401
    );

    let list = app.get("/api/v1/invites", Some(&admin)).await;
    assert_eq!(list.body["invites"][0]["uses"], 1, "{}", list.body);
    assert_eq!(list.body["invites"][0]["usable"], false);
    // Not for users.
    let user = ok.body["token"].as_str().unwrap();
    assert_eq!(app.get("/api/v1/invites", Some(user)).await.status, 403);
}

/// A code for two sign-ups signs up exactly two of three parallel attempts; an expired or
/// withdrawn code signs up no one.
#[tokio::test]
async fn multi_use_codes_hold_their_count_and_expire() {
    let app = spawn_app().await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    app.configure(&admin, json!({"signup_mode": "invite"}))
        .await;
    let two = invite(&app, &admin, json!({"max_uses": 2, "expires_in_days": 3})).await;
    let code = two["code"].as_str().unwrap();
    let app = &app;
    let tries = (0..3).map(|i| {
        let email = format!("p{i}@example.com");
        async move { signup_with(app, &email, Some(code)).await.status }
    });
    let mut statuses = futures::future::join_all(tries).await;
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 200, 422]);

    let later = invite(app, &admin, json!({})).await;
    app.sql("UPDATE invites SET expires_at = 1").await;
    let expired = signup_with(app, "x@example.com", later["code"].as_str()).await;
    assert_eq!(expired.status, 422, "{}", expired.body);

    let withdrawn = invite(app, &admin, json!({})).await;
    let path = format!("/api/v1/invites/{}", withdrawn["id"].as_str().unwrap());
    assert_eq!(app.delete(&path, &admin).await.status, 204);
    let gone = signup_with(app, "y@example.com", withdrawn["code"].as_str()).await;
    assert_eq!(gone.status, 422, "{}", gone.body);

    for bad in [
        json!({"max_uses": 0}),
        json!({"expires_in_days": 0}),
        json!({"max_uses": "x"}),
    ] {
        let a = app.post("/api/v1/invites", bad.clone(), Some(&admin)).await;
        assert!(matches!(a.status, 400 | 422), "{bad}: {}", a.body);
    }
}

/// Closed: no one signs up (403), except the very first account of an installation, which
/// becomes the admin whatever the stored settings say.
#[tokio::test]
async fn closed_sign_up_refuses_everyone_but_the_first_account() {
    let app = spawn_app().await;
    app.sql(r#"INSERT INTO settings (key, value) VALUES ('config', '{"signup_mode": "closed"}')"#)
        .await;
    let first = signup_with(&app, "first@example.com", None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body["user"]["role"], "admin");
    let options = app.get("/api/v1/auths/signup", None).await;
    assert_eq!(options.body["mode"], "closed");
    let second = signup_with(&app, "second@example.com", None).await;
    assert_eq!(second.status, 403, "{}", second.body);
    assert_eq!(error_of(&second)["code"], "forbidden");
    assert_eq!(
        app.signin("second@example.com", "correct horse")
            .await
            .status,
        401
    );
}

/// At most `signup_per_hour` sign-ups from one client address; past it 429 with Retry-After.
#[tokio::test]
async fn sign_ups_from_one_address_are_limited() {
    let app = spawn_app().await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    app.configure(&admin, json!({"signup_per_hour": 3})).await;
    for i in 0..3 {
        let a = signup_with(&app, &format!("u{i}@example.com"), None).await;
        assert_eq!(a.status, 200, "{}", a.body);
    }
    let limited = signup_with(&app, "u3@example.com", None).await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.headers["retry-after"], "3600");
    assert_eq!(
        app.signin("u3@example.com", "correct horse").await.status,
        401
    );
}

/// When new accounts wait for approval, their sign-up credits wait too: none at sign-up, all at
/// the approval, and only once however often the role changes.
#[tokio::test]
async fn pending_accounts_get_their_sign_up_credits_when_approved() {
    let app = spawn_app().await;
    let admin = app.signed_up("Admin", "admin@example.com").await;
    app.configure(
        &admin,
        json!({"new_user_role": "pending", "signup_credits": 50}),
    )
    .await;
    let options = app.get("/api/v1/auths/signup", None).await;
    assert_eq!(options.body["needs_approval"], true);
    let carl = app.signed_up("Carl", "carl@example.com").await;
    assert_eq!(app.balance(&carl).await, 0);
    assert!(app.entries(&carl).await.is_empty());
    let id = app.user_id(&carl).await;
    let role = |r: &'static str| {
        let path = format!("/api/v1/users/{id}/role");
        let admin = admin.clone();
        let app = &app;
        async move {
            app.post(&path, json!({"role": r}), Some(&admin))
                .await
                .status
        }
    };
    assert_eq!(role("user").await, 200);
    assert_eq!(app.balance(&carl).await, 50);
    assert_eq!(role("pending").await, 200);
    assert_eq!(role("user").await, 200);
    assert_eq!(app.balance(&carl).await, 50, "the gift is given once");
    let entries = app.entries(&carl).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["reason"], "signup");
}

/// A password change asks for the current password, and ends every other session; the one it
/// was made with stays, and only the new password signs in.
#[tokio::test]
async fn a_password_change_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    let here = app.signed_up("Dora", "dora@example.com").await;
    let other = app.signin("dora@example.com", "correct horse").await;
    let other = other.body["token"].as_str().unwrap().to_owned();

    let change = |current: &'static str, new: &'static str| {
        app.post(
            "/api/v1/auths/password",
            json!({"current_password": current, "new_password": new}),
            Some(&here),
        )
    };
    let wrong = change("not it", "a new secret phrase").await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert_eq!(error_of(&wrong)["field"], "current_password");
    let short = change("correct horse", "short").await;
    assert_eq!(error_of(&short)["field"], "new_password");
    assert_eq!(
        app.get("/api/v1/auths/me", Some(&other)).await.status,
        200,
        "nothing changed yet"
    );

    assert_eq!(
        change("correct horse", "a new secret phrase").await.status,
        204
    );
    assert_eq!(app.get("/api/v1/auths/me", Some(&here)).await.status, 200);
    assert_eq!(app.get("/api/v1/auths/me", Some(&other)).await.status, 401);
    assert_eq!(
        app.signin("dora@example.com", "correct horse").await.status,
        401
    );
    assert_eq!(
        app.signin("dora@example.com", "a new secret phrase")
            .await
            .status,
        200
    );
}

/// The sessions list shows each session once, marks the current one and never shows a token;
/// one can be ended, then all ("sign out everywhere").
#[tokio::test]
async fn sessions_are_listed_and_ended_one_or_all() {
    let app = spawn_app().await;
    let first = app.signed_up("Eve", "eve@example.com").await;
    let req = app
        .client
        .post(app.url("/api/v1/auths/signin"))
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
        )
        .json(&json!({"email": "eve@example.com", "password": "correct horse"}));
    let second = app.send(req).await;
    let second = second.body["token"].as_str().unwrap().to_owned();

    let list = app.get("/api/v1/auths/sessions", Some(&first)).await;
    let sessions = list.body["sessions"].as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2, "{}", list.body);
    assert!(!list.body.to_string().contains(&first) && !list.body.to_string().contains(&second));
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    let other = sessions.iter().find(|s| s["current"] == false).unwrap();
    assert!(
        other["user_agent"].as_str().unwrap().contains("Firefox"),
        "{other}"
    );
    assert_eq!(other["client"], "127.0.0.1");

    let path = format!("/api/v1/auths/sessions/{}", other["id"].as_str().unwrap());
    assert_eq!(app.delete(&path, &first).await.status, 204);
    assert_eq!(app.get("/api/v1/auths/me", Some(&second)).await.status, 401);
    assert_eq!(app.delete(&path, &first).await.status, 404);

    // Someone else's session cannot be ended.
    let frank = app.signed_up("Frank", "frank@example.com").await;
    let franks = app.get("/api/v1/auths/sessions", Some(&frank)).await;
    let franks = format!(
        "/api/v1/auths/sessions/{}",
        franks.body["sessions"][0]["id"].as_str().unwrap()
    );
    assert_eq!(app.delete(&franks, &first).await.status, 404);
    assert_eq!(app.get("/api/v1/auths/me", Some(&frank)).await.status, 200);

    let third = app.signin("eve@example.com", "correct horse").await;
    let third = third.body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.delete("/api/v1/auths/sessions", &first).await.status,
        204
    );
    for token in [&first, &third] {
        assert_eq!(app.get("/api/v1/auths/me", Some(token)).await.status, 401);
    }
}

/// An account keeps its newest 20 sessions (the oldest end) and may have 20 API keys (the 21st
/// is refused with 409).
#[tokio::test]
async fn sessions_and_keys_per_account_are_bounded() {
    let app = spawn_app().await;
    let oldest = app.signed_up("Gil", "gil@example.com").await;
    let mut newest = String::new();
    for _ in 0..20 {
        let a = app.signin("gil@example.com", "correct horse").await;
        assert_eq!(a.status, 200, "{}", a.body);
        newest = a.body["token"].as_str().unwrap().to_owned();
    }
    assert_eq!(app.get("/api/v1/auths/me", Some(&oldest)).await.status, 401);
    let list = app.get("/api/v1/auths/sessions", Some(&newest)).await;
    assert_eq!(list.body["sessions"].as_array().unwrap().len(), 20);

    for i in 0..20 {
        let a = app
            .post(
                "/api/v1/auths/api_keys",
                json!({"name": format!("k{i}")}),
                Some(&newest),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
    }
    let over = app
        .post(
            "/api/v1/auths/api_keys",
            json!({"name": "one more"}),
            Some(&newest),
        )
        .await;
    assert_eq!(over.status, 409, "{}", over.body);
    assert_eq!(error_of(&over)["code"], "conflict");
    let keys = app.get("/api/v1/auths/api_keys", Some(&newest)).await;
    assert_eq!(keys.body["keys"].as_array().unwrap().len(), 20);
}
