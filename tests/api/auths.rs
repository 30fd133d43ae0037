//! /api/v1/auths: accounts, roles, sessions and rate limits.

use crate::helpers::{error_of, spawn_app};
use serde_json::json;

#[tokio::test]
async fn first_signup_becomes_admin_and_the_second_does_not() {
    let app = spawn_app().await;
    let first = app.signup("Ann", "ann@example.com", "correct horse").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["token_type"], "Bearer");
    assert_eq!(first.body["user"]["role"], "admin");
    assert_eq!(first.body["user"]["email"], "ann@example.com");
    assert!(first.body["user"]["id"].is_string());
    assert!(first.body["user"].get("password_hash").is_none());

    let second = app.signup("Bob", "bob@example.com", "battery staple").await;
    assert_eq!(second.status, 200);
    assert_eq!(second.body["user"]["role"], "user");
}

#[tokio::test]
async fn signup_with_a_taken_email_is_409_whatever_its_case() {
    let app = spawn_app().await;
    app.signed_up("Ann", "ann@example.com").await;
    let again = app
        .signup("Ann 2", "  ANN@example.com", "other password")
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(error_of(&again)["code"], "conflict");
}

#[tokio::test]
async fn malformed_email_and_short_password_are_422_naming_the_field() {
    let app = spawn_app().await;
    let bad_email = app.signup("Ann", "not-an-email", "correct horse").await;
    assert_eq!(bad_email.status, 422);
    assert_eq!(error_of(&bad_email)["code"], "validation");
    assert_eq!(error_of(&bad_email)["field"], "email");

    let short = app.signup("Ann", "ann@example.com", "short").await;
    assert_eq!(short.status, 422);
    assert_eq!(error_of(&short)["field"], "password");

    let no_name = app.signup("  ", "ann@example.com", "correct horse").await;
    assert_eq!(error_of(&no_name)["field"], "name");

    // Nothing was created by the failed attempts: this is still the first account.
    let ok = app.signup("Ann", "ann@example.com", "correct horse").await;
    assert_eq!(ok.body["user"]["role"], "admin");
}

#[tokio::test]
async fn malformed_json_is_400_in_the_error_format() {
    let app = spawn_app().await;
    let a = app
        .send(
            app.client
                .post(app.url("/api/v1/auths/signup"))
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(error_of(&a)["code"], "bad_request");
    let wrong_type = app
        .post(
            "/api/v1/auths/signup",
            json!({"name": 1, "email": [], "password": {}}),
            None,
        )
        .await;
    assert_eq!(wrong_type.status, 400);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_both_401_with_the_same_body() {
    let app = spawn_app().await;
    app.signed_up("Ann", "ann@example.com").await;
    let wrong = app.signin("ann@example.com", "wrong password").await;
    let unknown = app.signin("nobody@example.com", "wrong password").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(error_of(&wrong)["code"], "unauthorized");

    let right = app.signin("ANN@example.com", "correct horse").await;
    assert_eq!(right.status, 200);
    assert_eq!(right.body["user"]["name"], "Ann");
}

#[tokio::test]
async fn me_answers_the_user_and_balance_and_is_401_anonymously() {
    let app = spawn_app().await;
    let anonymous = app.get("/api/v1/auths/me", None).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(error_of(&anonymous)["code"], "unauthorized");
    let garbage = app.get("/api/v1/auths/me", Some("not-a-token")).await;
    assert_eq!(garbage.status, 401);

    let token = app.signed_up("Ann", "ann@example.com").await;
    let me = app.get("/api/v1/auths/me", Some(&token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["user"]["email"], "ann@example.com");
    assert_eq!(me.body["balance"], 100, "sign-up credits by default");
}

#[tokio::test]
async fn the_signin_cookie_authenticates_like_the_token() {
    let app = spawn_app().await;
    app.signed_up("Ann", "ann@example.com").await;
    let a = app.signin("ann@example.com", "correct horse").await;
    let cookie = a.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(cookie.contains(&format!("Max-Age={}", 30 * 24 * 3600)));
    let pair = cookie.split(';').next().unwrap().to_owned();
    let me = app
        .send(
            app.client
                .get(app.url("/api/v1/auths/me"))
                .header("cookie", pair),
        )
        .await;
    assert_eq!(me.status, 200);
}

#[tokio::test]
async fn signout_ends_the_token_and_only_that_one() {
    let app = spawn_app().await;
    let first = app.signed_up("Ann", "ann@example.com").await;
    let second = app.signin("ann@example.com", "correct horse").await;
    let second = second.body["token"].as_str().unwrap().to_owned();
    // Both tokens in use (and so remembered by the server) before one signs out.
    for token in [&first, &second] {
        assert_eq!(app.get("/api/v1/auths/me", Some(token)).await.status, 200);
    }

    let out = app
        .post("/api/v1/auths/signout", json!({}), Some(&first))
        .await;
    assert_eq!(out.status, 204);
    assert_eq!(app.get("/api/v1/auths/me", Some(&first)).await.status, 401);
    assert_eq!(app.get("/api/v1/auths/me", Some(&second)).await.status, 200);
    let again = app
        .post("/api/v1/auths/signout", json!({}), Some(&first))
        .await;
    assert_eq!(again.status, 401);
}

#[tokio::test]
async fn repeated_bad_logins_reach_429() {
    let app = spawn_app().await;
    app.signed_up("Ann", "ann@example.com").await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(app.signin("ann@example.com", "wrong password").await.status);
    }
    assert!(statuses[..10].iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(statuses[10], 429);
    let limited = app.signin("ann@example.com", "correct horse").await;
    assert_eq!(limited.status, 429, "even the right password waits");
    assert_eq!(error_of(&limited)["code"], "rate_limited");
}

#[tokio::test]
async fn unknown_api_paths_are_404_in_the_error_format() {
    let app = spawn_app().await;
    let a = app.get("/api/v1/nothing/here", None).await;
    assert_eq!(a.status, 404);
    assert_eq!(error_of(&a)["code"], "not_found");
}
