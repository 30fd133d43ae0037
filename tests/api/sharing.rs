//! Sharing (rest-api.md, "Library"): share links anyone may open, the gallery of published
//! pictures, likes, comments, reports and an admin's hiding.

use crate::helpers::{TestApp, error_of, spawn_app};
use serde_json::{Value, json};

/// An app on the built-in simulator with its admin, two users and a finished picture of the
/// first user's: (app, admin, owner, other, task id).
async fn setup() -> (TestApp, String, String, String, String) {
    let app = spawn_app().await;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let owner = app.signed_up("Bo", "bo@example.com").await;
    let other = app.signed_up("Cy", "cy@example.com").await;
    let made = app.generate(&owner, "a red fox in snow", "relax").await;
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.body["task"]["id"].as_str().unwrap().to_owned();
    app.tick_until_succeeded(&owner, &id).await;
    (app, admin, owner, other, id)
}

async fn post(app: &TestApp, path: &str, token: &str) -> u16 {
    app.post(path, json!({}), Some(token)).await.status
}

async fn del(app: &TestApp, path: &str, token: &str) -> u16 {
    app.delete(path, token).await.status
}

async fn put(app: &TestApp, path: &str, token: &str) -> u16 {
    app.put(path, token).await.status
}

/// The ids the gallery lists (signed out).
async fn gallery_ids(app: &TestApp, query: &str) -> Vec<String> {
    let page = app.get(&format!("/api/v1/gallery{query}"), None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A GET with no credentials at all: status and bytes.
async fn anonymous(app: &TestApp, path: &str) -> (u16, bytes::Bytes) {
    let res = reqwest::get(app.url(path)).await.expect("request sent");
    (res.status().as_u16(), res.bytes().await.expect("body"))
}

#[tokio::test]
async fn a_share_link_works_signed_out_and_stops_working_when_revoked() {
    let (app, _admin, owner, other, id) = setup().await;
    let shared = app
        .post(
            &format!("/api/v1/tasks/{id}/share"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(shared.status, 201, "{}", shared.body);
    let url = shared.body["url"].as_str().unwrap().to_owned();
    let path = url
        .strip_prefix(&app.url(""))
        .expect("a whole link to this Atelier")
        .to_owned();
    let token = path.strip_prefix("/s/").expect("a /s/ link").to_owned();
    assert!(
        token.len() >= 32 && token.chars().all(|c| c.is_ascii_alphanumeric()),
        "an unguessable token: {token}"
    );
    // Sharing again keeps the link; the task view names it.
    let again = app
        .post(
            &format!("/api/v1/tasks/{id}/share"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(again.body["url"], url.as_str());
    assert_eq!(app.task(&owner, &id).await["shared_url"], path.as_str());

    // Signed out: the page, with a preview for chat apps, and the picture itself.
    let (status, page) = anonymous(&app, &path).await;
    assert_eq!(status, 200);
    let html = String::from_utf8_lossy(&page).into_owned();
    assert!(html.contains("a red fox in snow"), "the prompt is shown");
    assert!(
        html.contains(r#"property="og:image""#),
        "an Open Graph image"
    );
    assert!(
        html.contains(&format!("/s/{token}/image/0")),
        "the picture's public link"
    );
    assert!(html.contains("Bo"), "the author's name");
    assert!(!html.contains("bo@example.com"), "never the email");
    let (status, picture) = anonymous(&app, &format!("/s/{token}/image/0")).await;
    assert_eq!(status, 200);
    let own_url = app.task(&owner, &id).await["images"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        picture,
        app.file(&owner, &own_url).await.1,
        "the same picture"
    );
    assert_eq!(
        anonymous(&app, &format!("/s/{token}/thumbnail/0")).await.0,
        200
    );
    // A made-up token, or another picture of the task that is not there, is not found.
    assert_eq!(anonymous(&app, &format!("/s/{token}/image/9")).await.0, 404);
    assert_eq!(
        anonymous(&app, "/s/0123456789abcdef0123456789abcdef")
            .await
            .0,
        404
    );

    // Only the owner shares or stops sharing.
    let theirs = app
        .post(
            &format!("/api/v1/tasks/{id}/share"),
            json!({}),
            Some(&other),
        )
        .await;
    assert_eq!(theirs.status, 404);
    assert_eq!(
        del(&app, &format!("/api/v1/tasks/{id}/share"), &other).await,
        404
    );

    // Revoked: neither the page nor the picture opens any more.
    let revoked = app
        .delete(&format!("/api/v1/tasks/{id}/share"), &owner)
        .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(anonymous(&app, &path).await.0, 404);
    assert_eq!(anonymous(&app, &format!("/s/{token}/image/0")).await.0, 404);
    assert_eq!(app.task(&owner, &id).await["shared_url"], Value::Null);
    // A new share is a new link: the old one stays dead.
    let renewed = app
        .post(
            &format!("/api/v1/tasks/{id}/share"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(renewed.status, 201);
    assert_ne!(renewed.body["url"], url.as_str());
    assert_eq!(anonymous(&app, &path).await.0, 404);
}

#[tokio::test]
async fn only_a_finished_picture_is_shared_or_published() {
    let (app, _admin, owner, _other, _id) = setup().await;
    let queued = app.generate(&owner, "still drawing", "relax").await;
    let queued = queued.body["task"]["id"].as_str().unwrap().to_owned();
    for what in ["share", "publish"] {
        let a = app
            .post(
                &format!("/api/v1/tasks/{queued}/{what}"),
                json!({}),
                Some(&owner),
            )
            .await;
        assert_eq!(a.status, 409, "{what}: {}", a.body);
    }
}

#[tokio::test]
async fn publishing_lists_the_picture_on_the_gallery_and_unpublishing_or_hiding_removes_it() {
    let (app, admin, owner, other, id) = setup().await;
    assert!(gallery_ids(&app, "").await.is_empty());
    assert_eq!(
        post(&app, &format!("/api/v1/tasks/{id}/publish"), &other).await,
        404
    );
    assert_eq!(
        post(&app, &format!("/api/v1/tasks/{id}/publish"), &owner).await,
        204
    );
    assert_eq!(gallery_ids(&app, "").await, [id.as_str()]);
    assert_eq!(app.task(&owner, &id).await["published"], true);
    // Signed out: the gallery's page and the picture's page show it, and its files open.
    let (status, page) = anonymous(&app, "/gallery").await;
    assert_eq!(status, 200);
    let html = String::from_utf8_lossy(&page).into_owned();
    assert!(
        html.contains(&format!("/gallery/{id}")),
        "a link to the picture"
    );
    assert!(!html.contains("bo@example.com"));
    let (status, page) = anonymous(&app, &format!("/gallery/{id}")).await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains("a red fox in snow"));
    assert_eq!(
        anonymous(&app, &format!("/gallery/{id}/image/0")).await.0,
        200
    );
    let listed = app.get("/api/v1/gallery", None).await;
    let shown = &listed.body["tasks"][0];
    assert_eq!(shown["author"], "Bo");
    assert_eq!(shown["prompt"], "a red fox in snow");
    assert!(
        !listed.body.to_string().contains("bo@example.com") && shown.get("cost").is_none(),
        "only what the owner shows: {shown}"
    );

    // Unpublished: gone from the gallery, its page and its files.
    assert_eq!(
        del(&app, &format!("/api/v1/tasks/{id}/publish"), &other).await,
        404,
        "not someone else's to take down"
    );
    assert_eq!(
        del(&app, &format!("/api/v1/tasks/{id}/publish"), &owner).await,
        204
    );
    assert!(gallery_ids(&app, "").await.is_empty());
    assert_eq!(
        anonymous(&app, &format!("/gallery/{id}/image/0")).await.0,
        404
    );
    assert_eq!(anonymous(&app, &format!("/gallery/{id}")).await.0, 404);

    // Hidden by an admin: gone from the gallery and its share link; the owner cannot publish
    // it again until an admin shows it.
    assert_eq!(
        post(&app, &format!("/api/v1/tasks/{id}/publish"), &owner).await,
        204
    );
    let shared = app
        .post(
            &format!("/api/v1/tasks/{id}/share"),
            json!({}),
            Some(&owner),
        )
        .await;
    let token_path = app.task(&owner, &id).await["shared_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(shared.status, 201);
    assert_eq!(
        put(&app, &format!("/api/v1/tasks/{id}/hidden"), &other).await,
        403
    );
    assert_eq!(
        put(&app, &format!("/api/v1/tasks/{id}/hidden"), &admin).await,
        204
    );
    assert!(gallery_ids(&app, "").await.is_empty());
    assert_eq!(anonymous(&app, &token_path).await.0, 404);
    assert_eq!(app.task(&owner, &id).await["hidden"], true);
    let again = app
        .post(
            &format!("/api/v1/tasks/{id}/publish"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(
        del(&app, &format!("/api/v1/tasks/{id}/hidden"), &admin).await,
        204
    );
    assert_eq!(gallery_ids(&app, "").await, [id.as_str()]);
    assert_eq!(anonymous(&app, &token_path).await.0, 200);
    // An admin may take anyone's picture off the gallery.
    assert_eq!(
        del(&app, &format!("/api/v1/tasks/{id}/publish"), &admin).await,
        204
    );
    assert!(gallery_ids(&app, "").await.is_empty());
}

#[tokio::test]
async fn likes_and_comments_on_a_published_picture_and_none_on_an_unpublished_one() {
    let (app, admin, owner, other, id) = setup().await;
    let comments = format!("/api/v1/tasks/{id}/comments");
    let like = format!("/api/v1/tasks/{id}/like");
    // Not published: nothing to like or comment on.
    let early = app
        .post(&comments, json!({"body": "Nice"}), Some(&other))
        .await;
    assert_eq!(early.status, 404, "{}", early.body);
    assert_eq!(app.get(&comments, Some(&other)).await.status, 404);
    assert_eq!(put(&app, &like, &other).await, 404);

    assert_eq!(
        post(&app, &format!("/api/v1/tasks/{id}/publish"), &owner).await,
        204
    );
    // Likes: twice is once, each user once, unliking takes one away.
    assert_eq!(put(&app, &like, &other).await, 204);
    assert_eq!(put(&app, &like, &other).await, 204);
    assert_eq!(put(&app, &like, &admin).await, 204);
    let seen = app.get("/api/v1/gallery", Some(&other)).await;
    assert_eq!(seen.body["tasks"][0]["like_count"], 2);
    assert_eq!(seen.body["tasks"][0]["liked"], true);
    assert_eq!(
        app.get("/api/v1/gallery", Some(&owner)).await.body["tasks"][0]["liked"],
        false
    );
    assert_eq!(del(&app, &like, &admin).await, 204);
    assert_eq!(del(&app, &like, &admin).await, 204);
    let seen = app.get("/api/v1/gallery", None).await;
    assert_eq!(seen.body["tasks"][0]["like_count"], 1);
    // Signed out, nobody likes.
    assert_eq!(app.send(app.client.put(app.url(&like))).await.status, 401);

    // Comments: plain text, in order, with the author's name and never an email.
    let first = app
        .post(
            &comments,
            json!({"body": "  Lovely <b>fox</b>\nand snow  "}),
            Some(&other),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let first_id = first.body["comment"]["id"].as_str().unwrap().to_owned();
    assert_eq!(first.body["comment"]["body"], "Lovely <b>fox</b>\nand snow");
    assert_eq!(first.body["comment"]["author"], "Cy");
    let second = app
        .post(&comments, json!({"body": "Thank you!"}), Some(&owner))
        .await;
    assert_eq!(second.status, 201);
    let second_id = second.body["comment"]["id"].as_str().unwrap().to_owned();
    let list = app.get(&comments, Some(&admin)).await;
    assert_eq!(list.status, 200);
    let bodies: Vec<&str> = list.body["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["Lovely <b>fox</b>\nand snow", "Thank you!"]);
    assert!(!list.body.to_string().contains("@example.com"));
    assert_eq!(
        app.get("/api/v1/gallery", None).await.body["tasks"][0]["comment_count"],
        2
    );
    // The gallery's page shows them, escaped.
    let (_, page) = anonymous(&app, &format!("/gallery/{id}")).await;
    let html = String::from_utf8_lossy(&page).into_owned();
    assert!(
        html.contains("Lovely &lt;b&gt;fox&lt;/b&gt;"),
        "escaped, not markup"
    );
    assert!(!html.contains("<b>fox</b>"));

    // Empty, too long, or a control character: 422, nothing added.
    for bad in [
        json!({"body": "   "}),
        json!({"body": "x".repeat(1001)}),
        json!({"body": "a\u{7}b"}),
    ] {
        let a = app.post(&comments, bad, Some(&other)).await;
        assert_eq!(a.status, 422, "{}", a.body);
        assert_eq!(error_of(&a)["field"], "body");
    }
    // Deleting: not someone else's (403), the author's own and anyone's for an admin.
    let (first, second) = (
        format!("/api/v1/comments/{first_id}"),
        format!("/api/v1/comments/{second_id}"),
    );
    for (path, token, want) in [
        (&first, &owner, 403),
        (&first, &other, 204),
        (&second, &admin, 204),
        (&second, &admin, 404),
    ] {
        assert_eq!(del(&app, path, token).await, want, "{path}");
    }
    assert_eq!(
        app.get(&comments, Some(&other)).await.body["comments"],
        json!([])
    );

    // Unpublished again: the comments are not reachable, and none can be added.
    app.delete(&format!("/api/v1/tasks/{id}/publish"), &owner)
        .await;
    assert_eq!(
        app.post(&comments, json!({"body": "Late"}), Some(&other))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn comments_are_rate_limited_per_user() {
    let (app, _admin, owner, other, id) = setup().await;
    assert_eq!(
        post(&app, &format!("/api/v1/tasks/{id}/publish"), &owner).await,
        204
    );
    let comments = format!("/api/v1/tasks/{id}/comments");
    for n in 0..5 {
        let a = app
            .post(
                &comments,
                json!({"body": format!("comment {n}")}),
                Some(&other),
            )
            .await;
        assert_eq!(a.status, 201, "{}", a.body);
    }
    let sixth = app
        .post(&comments, json!({"body": "one more"}), Some(&other))
        .await;
    assert_eq!(sixth.status, 429, "{}", sixth.body);
    assert_eq!(
        app.get(&comments, Some(&other)).await.body["comments"]
            .as_array()
            .unwrap()
            .len(),
        5,
        "the refused one is not kept"
    );
    // Another user is not held back by that.
    let theirs = app
        .post(&comments, json!({"body": "mine"}), Some(&owner))
        .await;
    assert_eq!(theirs.status, 201);
}

#[tokio::test]
async fn reports_reach_the_admin_and_hiding_a_comment_deals_with_them() {
    let (app, admin, owner, other, id) = setup().await;
    assert_eq!(
        post(&app, &format!("/api/v1/tasks/{id}/publish"), &owner).await,
        204
    );
    let comment = app
        .post(
            &format!("/api/v1/tasks/{id}/comments"),
            json!({"body": "rude words"}),
            Some(&other),
        )
        .await;
    let comment_id = comment.body["comment"]["id"].as_str().unwrap().to_owned();
    let report = |body: Value, token: String| {
        let app = &app;
        let id = id.clone();
        async move {
            app.post(&format!("/api/v1/tasks/{id}/report"), body, Some(&token))
                .await
                .status
        }
    };
    assert_eq!(
        report(
            json!({"comment_id": comment_id, "reason": "insults"}),
            owner.clone()
        )
        .await,
        204
    );
    assert_eq!(report(json!({}), other.clone()).await, 204);
    assert_eq!(
        report(json!({"comment_id": "nope"}), owner.clone()).await,
        404
    );
    assert_eq!(app.get("/api/v1/reports", Some(&owner)).await.status, 403);
    let reports = app.get("/api/v1/reports", Some(&admin)).await;
    assert_eq!(reports.status, 200, "{}", reports.body);
    let list = reports.body["reports"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    let on_comment = list
        .iter()
        .find(|r| r["comment_id"] == comment_id.as_str())
        .expect("the comment's report");
    assert_eq!(on_comment["reason"], "insults");
    assert_eq!(on_comment["comment"], "rude words");
    // The admin overview lists them too.
    let overview = app
        .client
        .get(app.url("/admin/overview"))
        .header("cookie", format!("atelier_session={admin}"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(overview.status(), 200);
    let html = overview.text().await.unwrap();
    assert!(
        html.contains("rude words") && html.contains("insults"),
        "the overview lists the reports"
    );

    // Hiding the comment: others no longer see it, the admin does, its report is dealt with.
    assert_eq!(
        put(
            &app,
            &format!("/api/v1/comments/{comment_id}/hidden"),
            &admin
        )
        .await,
        204
    );
    let seen = app
        .get(&format!("/api/v1/tasks/{id}/comments"), Some(&owner))
        .await;
    assert_eq!(seen.body["comments"], json!([]));
    let seen = app
        .get(&format!("/api/v1/tasks/{id}/comments"), Some(&admin))
        .await;
    assert_eq!(seen.body["comments"][0]["hidden"], true);
    let reports = app.get("/api/v1/reports", Some(&admin)).await;
    assert_eq!(reports.body["reports"].as_array().unwrap().len(), 1);
    // Dismissing the picture's report leaves it shown.
    let dismissed = app
        .post(
            "/api/v1/reports/dismiss",
            json!({"task_id": id}),
            Some(&admin),
        )
        .await;
    assert_eq!(dismissed.status, 204);
    assert_eq!(
        app.get("/api/v1/reports", Some(&admin)).await.body["reports"],
        json!([])
    );
    assert_eq!(gallery_ids(&app, "").await, [id.as_str()]);
}

#[tokio::test]
async fn the_admin_switches_the_gallery_and_comments_off() {
    let (app, admin, owner, other, id) = setup().await;
    assert_eq!(
        post(&app, &format!("/api/v1/tasks/{id}/publish"), &owner).await,
        204
    );
    app.configure(&admin, json!({"comments_enabled": false}))
        .await;
    let refused = app
        .post(
            &format!("/api/v1/tasks/{id}/comments"),
            json!({"body": "hello"}),
            Some(&other),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    app.configure(&admin, json!({"gallery_enabled": false}))
        .await;
    assert!(gallery_ids(&app, "").await.is_empty());
    assert_eq!(
        anonymous(&app, &format!("/gallery/{id}/image/0")).await.0,
        404
    );
    assert_eq!(
        put(&app, &format!("/api/v1/tasks/{id}/like"), &other).await,
        404
    );
    let other_task = app.generate(&owner, "another", "relax").await;
    let other_id = other_task.body["task"]["id"].as_str().unwrap().to_owned();
    app.tick_until_succeeded(&owner, &other_id).await;
    let publish = app
        .post(
            &format!("/api/v1/tasks/{other_id}/publish"),
            json!({}),
            Some(&owner),
        )
        .await;
    assert_eq!(publish.status, 409, "{}", publish.body);
    // Back on: what was published is there again.
    app.configure(
        &admin,
        json!({"gallery_enabled": true, "comments_enabled": true}),
    )
    .await;
    assert_eq!(gallery_ids(&app, "").await, [id.as_str()]);
}

#[tokio::test]
async fn the_gallery_orders_by_newest_or_most_liked_and_pages() {
    let (app, admin, owner, other, first) = setup().await;
    let second = app.generate(&owner, "a second fox", "relax").await;
    let second = second.body["task"]["id"].as_str().unwrap().to_owned();
    app.tick_until_succeeded(&owner, &second).await;
    for id in [&first, &second] {
        assert_eq!(
            post(&app, &format!("/api/v1/tasks/{id}/publish"), &owner).await,
            204
        );
    }
    assert_eq!(gallery_ids(&app, "").await, [second.clone(), first.clone()]);
    app.put(&format!("/api/v1/tasks/{first}/like"), &other)
        .await;
    app.put(&format!("/api/v1/tasks/{first}/like"), &admin)
        .await;
    assert_eq!(
        gallery_ids(&app, "?sort=liked").await,
        [first.clone(), second.clone()]
    );
    assert!(gallery_ids(&app, "?page=1").await.is_empty());
    let bad = app.get("/api/v1/gallery?sort=best", None).await;
    assert_eq!(bad.status, 422);
    assert_eq!(error_of(&bad)["field"], "sort");
    let bad = app.get("/api/v1/gallery?page=-1", None).await;
    assert_eq!(bad.status, 422);
    assert_eq!(error_of(&bad)["field"], "page");
}
