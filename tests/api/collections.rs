//! The library's collections, bulk operations and ZIP archives (rest-api.md, "Library"), against
//! the scripted fake proxy (which draws the same final picture for every task).

use crate::{
    fake_upstream,
    helpers::{Answer, TestApp, error_of, is_final},
};
use serde_json::{Value, json};

async fn setup() -> (TestApp, String, String) {
    let (app, _fake, admin, user) = fake_upstream::app_with(
        json!({"modes": [{"mode": "fast", "cost": 8}, {"mode": "relax", "cost": 2}]}),
    )
    .await;
    (app, admin, user)
}

/// Tasks of `token` with these prompts (relax), newest last.
async fn tasks(app: &TestApp, token: &str, prompts: &[&str]) -> Vec<String> {
    let made = app
        .post(
            "/api/v1/tasks/batch",
            json!({"mode": "relax", "prompts": prompts}),
            Some(token),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    made.body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn finished(app: &TestApp, token: &str, id: &str) -> Value {
    app.tick_until(token, id, 30, is_final).await
}

async fn collection(app: &TestApp, token: &str, name: &str) -> String {
    let made = app
        .post(
            "/api/v1/collections",
            json!({"name": name, "description": "the best ones"}),
            Some(token),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    made.body["collection"]["id"].as_str().unwrap().to_owned()
}

fn ids_of(list: &Answer) -> Vec<String> {
    list.body["tasks"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", list.body))
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn bulk(app: &TestApp, token: &str, body: Value) -> Answer {
    app.post("/api/v1/tasks/bulk", body, Some(token)).await
}

#[tokio::test]
async fn collections_filter_the_api_and_others_are_not_found() {
    let (app, admin, user) = setup().await;
    let ids = tasks(&app, &user, &["one fox", "two foxes", "three foxes"]).await;
    let foxes = collection(&app, &user, "Foxes").await;
    let again = app
        .post(
            "/api/v1/collections",
            json!({"name": " Foxes "}),
            Some(&user),
        )
        .await;
    assert_eq!(again.status, 409, "one name once: {}", again.body);
    let unnamed = app
        .post("/api/v1/collections", json!({"name": "  "}), Some(&user))
        .await;
    assert_eq!(unnamed.status, 422);
    assert_eq!(error_of(&unnamed)["field"], "name");
    for id in [&ids[0], &ids[2], &ids[2]] {
        let put = app
            .put(&format!("/api/v1/collections/{foxes}/tasks/{id}"), &user)
            .await;
        assert_eq!(put.status, 204, "{}", put.body);
    }
    let listed = app
        .get(&format!("/api/v1/tasks?collection={foxes}"), Some(&user))
        .await;
    assert_eq!(ids_of(&listed), [ids[2].clone(), ids[0].clone()]);
    // With another filter too: the favourites of the collection.
    assert_eq!(
        app.put(&format!("/api/v1/tasks/{}/favorite", ids[0]), &user)
            .await
            .status,
        204
    );
    let both = app
        .get(
            &format!("/api/v1/tasks?collection={foxes}&favorite=true"),
            Some(&user),
        )
        .await;
    assert_eq!(ids_of(&both), [ids[0].clone()]);
    let all = app.get("/api/v1/collections", Some(&user)).await;
    let c = &all.body["collections"][0];
    assert_eq!(c["name"], "Foxes");
    assert_eq!(c["description"], "the best ones");
    assert_eq!(c["task_count"], 2);
    assert_eq!(c["cover_task_id"], Value::Null);
    // Another user (an admin too) sees none of it, and cannot put anything in it.
    let other = app.signed_up("Cy", "cy@example.com").await;
    let theirs = tasks(&app, &other, &["their fox"]).await;
    for token in [&other, &admin] {
        let path = format!("/api/v1/collections/{foxes}");
        assert_eq!(app.get(&path, Some(token)).await.status, 404);
        assert_eq!(
            app.patch(&path, json!({"name": "Mine"}), token)
                .await
                .status,
            404
        );
        assert_eq!(app.delete(&path, token).await.status, 404);
        let filtered = app
            .get(&format!("/api/v1/tasks?collection={foxes}"), Some(token))
            .await;
        assert_eq!(filtered.status, 404, "{}", filtered.body);
        assert_eq!(
            app.get("/api/v1/collections", Some(token)).await.body["collections"],
            json!([])
        );
    }
    let put_theirs = app
        .put(
            &format!("/api/v1/collections/{foxes}/tasks/{}", theirs[0]),
            &other,
        )
        .await;
    assert_eq!(put_theirs.status, 404);
    let into_mine = app
        .put(
            &format!("/api/v1/collections/{foxes}/tasks/{}", theirs[0]),
            &user,
        )
        .await;
    assert_eq!(into_mine.status, 404, "their task in my collection");
    // Renamed, described, a cover chosen among its pictures (not another one), then automatic.
    finished(&app, &user, &ids[0]).await;
    let path = format!("/api/v1/collections/{foxes}");
    let renamed = app
        .patch(
            &path,
            json!({"name": "Red foxes", "cover_task_id": ids[0]}),
            &user,
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(renamed.body["collection"]["name"], "Red foxes");
    assert_eq!(renamed.body["collection"]["description"], "the best ones");
    assert_eq!(renamed.body["collection"]["cover_task_id"], ids[0].as_str());
    assert_eq!(
        renamed.body["collection"]["cover_url"],
        format!("/api/v1/tasks/{}/thumbnail", ids[0])
    );
    let outside = app
        .patch(&path, json!({"cover_task_id": ids[1]}), &user)
        .await;
    assert_eq!(outside.status, 422);
    assert_eq!(error_of(&outside)["field"], "cover_task_id");
    let auto = app
        .patch(&path, json!({"cover_task_id": null}), &user)
        .await;
    assert_eq!(auto.body["collection"]["cover_task_id"], Value::Null);
    // Taken out, it leaves the filter; the collection deleted, its tasks stay.
    let out = app
        .delete(
            &format!("/api/v1/collections/{foxes}/tasks/{}", ids[2]),
            &user,
        )
        .await;
    assert_eq!(out.status, 204);
    let listed = app
        .get(&format!("/api/v1/tasks?collection={foxes}"), Some(&user))
        .await;
    assert_eq!(ids_of(&listed), [ids[0].clone()]);
    assert_eq!(app.delete(&path, &user).await.status, 204);
    assert_eq!(app.get(&path, Some(&user)).await.status, 404);
    let list = app.get("/api/v1/tasks?limit=100", Some(&user)).await;
    assert_eq!(ids_of(&list).len(), 3, "the pictures stay in history");
}

#[tokio::test]
async fn the_cover_is_the_last_picture_added_unless_one_is_chosen() {
    let (app, _, user) = setup().await;
    let ids = tasks(&app, &user, &["a fox", "a hare"]).await;
    for id in &ids {
        finished(&app, &user, id).await;
    }
    let c = collection(&app, &user, "Animals").await;
    let path = format!("/api/v1/collections/{c}");
    let empty = app.get(&path, Some(&user)).await;
    assert_eq!(empty.body["collection"]["cover_url"], Value::Null);
    for id in &ids {
        app.put(&format!("{path}/tasks/{id}"), &user).await;
    }
    let got = app.get(&path, Some(&user)).await;
    assert_eq!(
        got.body["collection"]["cover_url"],
        format!("/api/v1/tasks/{}/thumbnail", ids[1]),
        "{}",
        got.body
    );
    // The chosen cover taken out of the collection: automatic again.
    app.patch(&path, json!({"cover_task_id": ids[0]}), &user)
        .await;
    app.delete(&format!("{path}/tasks/{}", ids[0]), &user).await;
    let got = app.get(&path, Some(&user)).await;
    assert_eq!(got.body["collection"]["cover_task_id"], Value::Null);
    assert_eq!(got.body["collection"]["task_count"], 1);
}

#[tokio::test]
async fn bulk_operations_fail_for_another_users_task_alone() {
    let (app, _, user) = setup().await;
    let other = app.signed_up("Cy", "cy@example.com").await;
    let mine = tasks(&app, &user, &["one", "two"]).await;
    let theirs = tasks(&app, &other, &["theirs"]).await;
    let ids = json!([mine[0], theirs[0], mine[1]]);
    let starred = bulk(&app, &user, json!({"ids": ids, "op": "favorite"})).await;
    assert_eq!(starred.status, 200, "{}", starred.body);
    assert_eq!(starred.body["done"], json!([mine[0], mine[1]]));
    assert_eq!(starred.body["failed"][0]["id"], theirs[0].as_str());
    assert_eq!(starred.body["failed"][0]["error"]["code"], "not_found");
    let list = app.get("/api/v1/tasks?favorite=true", Some(&user)).await;
    assert_eq!(ids_of(&list).len(), 2);
    let theirs_now = app.task(&other, &theirs[0]).await;
    assert_eq!(theirs_now["favorite"], false, "theirs untouched");
    let unstarred = bulk(&app, &user, json!({"ids": [mine[0]], "op": "unfavorite"})).await;
    assert_eq!(unstarred.body["done"], json!([mine[0]]));
    // Collections: the user's own, named.
    let c = collection(&app, &user, "Numbers").await;
    let no_collection = bulk(
        &app,
        &user,
        json!({"ids": [mine[0]], "op": "add_to_collection"}),
    )
    .await;
    assert_eq!(no_collection.status, 422);
    assert_eq!(error_of(&no_collection)["field"], "collection_id");
    let their_c = collection(&app, &other, "Theirs").await;
    let wrong = bulk(
        &app,
        &user,
        json!({"ids": [mine[0]], "op": "add_to_collection", "collection_id": their_c}),
    )
    .await;
    assert_eq!(wrong.status, 404);
    let added = bulk(
        &app,
        &user,
        json!({"ids": ids, "op": "add_to_collection", "collection_id": c}),
    )
    .await;
    assert_eq!(added.body["done"], json!([mine[0], mine[1]]));
    assert_eq!(added.body["failed"].as_array().unwrap().len(), 1);
    let inside = app
        .get(&format!("/api/v1/tasks?collection={c}"), Some(&user))
        .await;
    assert_eq!(ids_of(&inside).len(), 2);
    let removed = bulk(
        &app,
        &user,
        json!({"ids": [mine[1]], "op": "remove_from_collection", "collection_id": c}),
    )
    .await;
    assert_eq!(removed.body["done"], json!([mine[1]]));
    let inside = app
        .get(&format!("/api/v1/tasks?collection={c}"), Some(&user))
        .await;
    assert_eq!(ids_of(&inside), [mine[0].clone()]);
    // The request itself: an operation, and 1 to 500 ids.
    let bad_op = bulk(&app, &user, json!({"ids": [mine[0]], "op": "paint"})).await;
    assert_eq!(bad_op.status, 422);
    assert_eq!(error_of(&bad_op)["field"], "op");
    let none = bulk(&app, &user, json!({"ids": [], "op": "favorite"})).await;
    assert_eq!(error_of(&none)["field"], "ids");
    let many: Vec<String> = (0..501).map(|i| format!("id-{i}")).collect();
    let too_many = bulk(&app, &user, json!({"ids": many, "op": "favorite"})).await;
    assert_eq!(too_many.status, 422);
    assert_eq!(error_of(&too_many)["field"], "ids");
}

#[tokio::test]
async fn retry_makes_a_failed_task_again_and_charges_it() {
    let (app, _, user) = setup().await;
    let ids = tasks(&app, &user, &["this one fails", "this one works"]).await;
    let failed = finished(&app, &user, &ids[0]).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    finished(&app, &user, &ids[1]).await;
    let before = app.balance(&user).await;
    let retried = bulk(&app, &user, json!({"ids": ids, "op": "retry"})).await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    assert_eq!(retried.body["done"], json!([ids[0]]));
    assert_eq!(retried.body["failed"][0]["id"], ids[1].as_str());
    assert_eq!(retried.body["failed"][0]["error"]["code"], "conflict");
    assert_eq!(app.balance(&user).await, before - 2, "charged again");
    let list = app.get("/api/v1/tasks?limit=100", Some(&user)).await;
    let newest = &list.body["tasks"][0];
    assert_eq!(newest["prompt"], "this one fails");
    assert_eq!(newest["status"], "queued");
    assert_eq!(newest["mode"], "relax");
    assert_ne!(
        newest["id"],
        ids[0].as_str(),
        "a new task; the failure stays"
    );
}

#[tokio::test]
async fn bulk_delete_removes_tasks_and_images_and_frees_what_no_other_task_holds() {
    let (app, _, user) = setup().await;
    let ids = tasks(&app, &user, &["first", "second", "third"]).await;
    let mut images = Vec::new();
    for id in &ids {
        let t = finished(&app, &user, id).await;
        assert_eq!(t["status"], "succeeded");
        images.push(t["image_url"].as_str().unwrap().to_owned());
    }
    let live = tasks(&app, &user, &["a slow one"]).await;
    let gone = bulk(
        &app,
        &user,
        json!({"ids": [ids[0], ids[1], live[0]], "op": "delete"}),
    )
    .await;
    assert_eq!(gone.status, 200, "{}", gone.body);
    assert_eq!(gone.body["done"], json!([ids[0], ids[1]]));
    assert_eq!(gone.body["failed"][0]["id"], live[0].as_str());
    assert_eq!(gone.body["failed"][0]["error"]["code"], "conflict");
    for (id, image) in ids.iter().zip(&images).take(2) {
        assert_eq!(
            app.get(&format!("/api/v1/tasks/{id}"), Some(&user))
                .await
                .status,
            404
        );
        assert_eq!(app.file(&user, image).await.0, 404);
    }
    // The fake drew the same picture for all three: the third still holds it.
    atelier::services::generation::sweep_files(&app.engine, std::time::Duration::ZERO)
        .await
        .unwrap();
    let (status, bytes) = app.file(&user, &images[2]).await;
    assert_eq!(status, 200);
    assert!(bytes.starts_with(b"\x89PNG"));
    // Now nobody does: the file and its thumbnail go.
    let last = bulk(&app, &user, json!({"ids": [ids[2]], "op": "delete"})).await;
    assert_eq!(last.body["done"], json!([ids[2]]));
    let removed =
        atelier::services::generation::sweep_files(&app.engine, std::time::Duration::ZERO)
            .await
            .unwrap();
    assert!(removed >= 2, "the picture and its thumbnail: {removed}");
}

/// The archive's entries as Python's zipfile reads them (an unzip that is not ours): the names
/// and bytes of each, after its CRC check (`testzip`).
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.zip");
    std::fs::write(&path, bytes).unwrap();
    let script = "import json, sys, zipfile\n\
        z = zipfile.ZipFile(sys.argv[1])\n\
        assert z.testzip() is None\n\
        print(json.dumps([[i.filename, z.read(i).hex()] for i in z.infolist()]))";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "zipfile refused it: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries: Vec<(String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    entries
        .into_iter()
        .map(|(name, hex)| (name, hex::decode(hex).unwrap()))
        .collect()
}

#[tokio::test]
async fn the_zip_holds_every_selected_image_and_a_manifest() {
    let (app, _, user) = setup().await;
    let ids = tasks(
        &app,
        &user,
        &["一只红色的狐狸 in snow", "a hare --ar 3:2", "it fails"],
    )
    .await;
    let mut images = Vec::new();
    for id in &ids {
        let t = finished(&app, &user, id).await;
        images.push(t["image_url"].as_str().map(str::to_owned));
    }
    let res = app
        .client
        .get(app.url(&format!(
            "/api/v1/tasks/archive?ids={},{},{}",
            ids[1], ids[0], ids[2]
        )))
        .bearer_auth(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"atelier-"),
        "{disposition}"
    );
    let entries = unzip(&res.bytes().await.unwrap());
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 3, "two pictures and the manifest: {names:?}");
    assert!(
        names[0].contains("_a-hare-ar-3-2_") && names[0].ends_with(".png"),
        "{names:?}"
    );
    assert!(names[1].contains("_一只红色的狐狸-in-snow_"), "{names:?}");
    assert_eq!(names[2], "manifest.json");
    for (entry, image) in entries.iter().zip([&images[1], &images[0]]) {
        let (_, want) = app.file(&user, image.as_ref().unwrap()).await;
        assert_eq!(entry.1, want.to_vec(), "{} is the task's picture", entry.0);
    }
    let manifest: Value = serde_json::from_slice(&entries[2].1).unwrap();
    let tasks = manifest["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 3, "the failed one too, without files");
    assert_eq!(tasks[0]["prompt"], "a hare --ar 3:2");
    assert_eq!(tasks[0]["mode"], "relax");
    assert_eq!(tasks[0]["files"], json!([names[0]]));
    assert_eq!(tasks[2]["status"], "failed");
    assert_eq!(tasks[2]["files"], json!([]));
    // Another user's task, or an unknown one, in the list: no archive at all.
    let other = app.signed_up("Cy", "cy@example.com").await;
    let theirs = app
        .get(
            &format!("/api/v1/tasks/archive?ids={}", ids[0]),
            Some(&other),
        )
        .await;
    assert_eq!(theirs.status, 404);
    let none = app.get("/api/v1/tasks/archive", Some(&user)).await;
    assert_eq!(none.status, 422);
    assert_eq!(error_of(&none)["field"], "ids");
}

#[tokio::test]
async fn mode_and_date_range_filters_combine_with_the_others() {
    let (app, _, user) = setup().await;
    assert_eq!(app.generate(&user, "a fast fox", "fast").await.status, 201);
    let relax = tasks(&app, &user, &["a relaxed fox", "a relaxed hare"]).await;
    let c = collection(&app, &user, "Relaxed").await;
    app.put(
        &format!("/api/v1/collections/{c}/tasks/{}", relax[0]),
        &user,
    )
    .await;
    let list = |q: String| {
        let app = &app;
        let user = user.clone();
        async move { app.get(&format!("/api/v1/tasks?{q}"), Some(&user)).await }
    };
    let relaxed = list("mode=relax".into()).await;
    assert_eq!(ids_of(&relaxed), [relax[1].clone(), relax[0].clone()]);
    let today = time::OffsetDateTime::now_utc().date();
    let (yesterday, tomorrow) = (today.previous_day().unwrap(), today.next_day().unwrap());
    let day = |d: time::Date| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
    let all = list(format!("from={}&to={}", day(today), day(today))).await;
    assert_eq!(ids_of(&all).len(), 3, "today, the whole day: {}", all.body);
    assert_eq!(
        ids_of(&list(format!("to={}", day(yesterday))).await).len(),
        0
    );
    assert_eq!(
        ids_of(&list(format!("from={}", day(tomorrow))).await).len(),
        0
    );
    let combined = list(format!(
        "mode=relax&from={}&collection={c}&q=fox",
        day(yesterday)
    ))
    .await;
    assert_eq!(ids_of(&combined), [relax[0].clone()]);
    for (q, field) in [
        ("mode=warp", "mode"),
        ("from=04/12/2026", "from"),
        ("to=2026-02-30", "to"),
    ] {
        let bad = list(q.into()).await;
        assert_eq!(bad.status, 422, "{q}");
        assert_eq!(error_of(&bad)["field"], field, "{q}");
    }
}
