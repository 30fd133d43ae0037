//! Server-rendered pages: redirects, real 403/404 statuses, language.

use crate::helpers::spawn_app;

pub async fn page(
    app: &crate::helpers::TestApp,
    path: &str,
    token: Option<&str>,
    lang: Option<&str>,
) -> (u16, String, Option<String>) {
    // As a browser asks: the server answers a real redirect only to HTML clients.
    let mut req = app.client.get(app.url(path)).header("accept", "text/html");
    if let Some(t) = token {
        req = req.header("cookie", format!("atelier_session={t}"));
    }
    if let Some(l) = lang {
        req = req.header("accept-language", l);
    }
    let res = req.send().await.expect("page");
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, res.text().await.unwrap(), location)
}

#[tokio::test]
async fn signed_out_visitors_see_the_front_page_and_go_to_login_from_the_others() {
    let app = spawn_app().await;
    // A fresh installation: its front page asks for the administrator's account.
    let (status, html, _) = page(&app, "/", None, None).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"data-testid="landing""#), "{html}");
    assert!(html.contains("Set up this installation"));
    assert!(html.contains(r#"src="/samples/1""#));
    let options: serde_json::Value = app
        .client
        .get(app.url("/api/v1/auths/signup"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(options["first_account"], true);
    app.signed_up("Ann", "ann@example.com").await;
    let (status, html, _) = page(&app, "/", None, None).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"href="/signup""#) && html.contains(r#"href="/login""#));
    assert!(!html.contains("Set up this installation"));
    let (status, _, location) = page(&app, "/history", None, None).await;
    assert!((300..400).contains(&status), "{status}");
    assert_eq!(location.as_deref(), Some("/login"));
    let (status, html, _) = page(&app, "/login", None, None).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"name="password""#));
    // Not only browsers: curl and scripts get the redirect too.
    let res = app.client.get(app.url("/history")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 302);
    assert_eq!(res.headers()["location"], "/login");
    // The sample pictures: PNGs, the same each time, cached a day; only the eight.
    let one = app.client.get(app.url("/samples/1")).send().await.unwrap();
    assert_eq!(one.status().as_u16(), 200);
    assert_eq!(one.headers()["content-type"], "image/png");
    let bytes = one.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    let again = app
        .client
        .get(app.url("/samples/1"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes, again);
    for bad in ["/samples/0", "/samples/9", "/samples/x"] {
        let res = app.client.get(app.url(bad)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404, "{bad}");
    }
}

#[tokio::test]
async fn admin_page_is_a_real_403_for_users_and_200_for_admins() {
    let app = spawn_app().await;
    let admin = app.signed_up("Ann", "ann@example.com").await;
    let user = app.signed_up("Bob", "bob@example.com").await;
    let (status, html, _) = page(&app, "/admin", Some(&user), None).await;
    assert_eq!(status, 403);
    assert!(html.contains("Not allowed"));
    assert!(
        !html.contains(r#"href="/admin""#),
        "no Admin link for users"
    );
    let (status, html, _) = page(&app, "/admin", Some(&admin), None).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"href="/admin""#));
}

#[tokio::test]
async fn unknown_pages_are_a_real_404() {
    let app = spawn_app().await;
    let (status, html, _) = page(&app, "/no/such/page", None, None).await;
    assert_eq!(status, 404);
    assert!(html.contains("Page not found"));
}

#[tokio::test]
async fn the_language_follows_accept_language_and_the_cookie_overrides_it() {
    let app = spawn_app().await;
    let (_, html, _) = page(&app, "/login", None, Some("zh-CN,zh;q=0.9,en;q=0.8")).await;
    assert!(html.contains(r#"lang="zh-CN""#));
    assert!(html.contains("登录"));
    let res = app
        .client
        .get(app.url("/login"))
        .header("accept-language", "zh-CN")
        .header("cookie", "lang=en")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"lang="en""#));
    assert!(html.contains("Log in to Atelier"));
}

#[tokio::test]
async fn the_language_switch_sets_a_cookie_and_goes_back() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/lang"))
        .form(&[("lang", "zh-CN"), ("next", "/login")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()["location"], "/login");
    assert!(
        res.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("lang=zh;")
    );
}

#[tokio::test]
async fn history_is_server_rendered_escaped_and_private() {
    let app = spawn_app().await;
    let ann = app.signed_up("Ann", "ann@example.com").await;
    let bob = app.signed_up("Bob", "bob@example.com").await;
    let created = app
        .generate(&ann, "<script>alert(1)</script> a fox", "relax")
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["task"]["id"].as_str().unwrap().to_owned();
    for i in 0..3 {
        assert_eq!(
            app.generate(&ann, &format!("a heron {i}"), "relax")
                .await
                .status,
            201
        );
    }

    let (status, html, _) = page(&app, "/history", Some(&ann), None).await;
    assert_eq!(status, 200);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; a fox"));
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("a heron 2"));
    let (_, html, _) = page(&app, "/history?q=heron", Some(&ann), None).await;
    assert!(html.contains("a heron 1") && !html.contains("a fox"));

    let (status, html, _) = page(&app, &format!("/history/{id}"), Some(&ann), None).await;
    assert_eq!(status, 200);
    assert!(html.contains("a fox"));
    let (status, html, _) = page(&app, &format!("/history/{id}"), Some(&bob), None).await;
    assert_eq!(status, 404, "another user's task is not found");
    assert!(!html.contains("a fox"));
    let (_, html, _) = page(&app, "/history", Some(&bob), None).await;
    assert!(!html.contains("a heron"));
}

#[tokio::test]
async fn html_and_json_are_compressed_for_clients_that_ask() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/login"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "br");
}
