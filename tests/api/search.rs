//! Full-text search over prompts (issue 18, "Search that scales"): every word of `q` somewhere in
//! the prompt, in any order, in the middle of another word too, in either language; among the
//! newest tasks and the old ones the index finds, combined with the other filters. Runs on
//! SQLite (FTS5) and, under the test command, PostgreSQL (pg_trgm).

use crate::helpers::{TestApp, spawn_app};
use atelier::{db, types};

/// More tasks than a SQLite search reads before it asks its index (2000), so both are asked.
const MANY: usize = 2600;

/// `prompts` as `user`'s queued tasks (relax), oldest first, in one transaction; their ids.
async fn insert(app: &TestApp, user_id: &str, prompts: &[String]) -> Vec<String> {
    let pool = &app.engine.pool;
    let mut tx = pool.begin().await.unwrap();
    let now = db::now_ms();
    let mut ids = Vec::with_capacity(prompts.len());
    for (i, prompt) in prompts.iter().enumerate() {
        let id = db::new_id();
        let task = db::tasks::NewTask {
            id: &id,
            user_id,
            parent_id: None,
            engine: types::EngineKind::Midjourney,
            action: types::TaskAction::Imagine,
            custom_id: None,
            mode: Some(types::Mode::Relax),
            model: None,
            prompt,
            params: &types::TaskParams::default(),
            channel_id: None,
            inputs: &[],
            cost: 2,
            batch_id: None,
        };
        db::tasks::insert(&mut tx, &task, now + i as i64)
            .await
            .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    app.engine.reads.changed();
    ids
}

/// Every id `q` finds in the user's history through the API, page after page.
async fn found(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(
                &format!("/api/v1/tasks?limit=100&q={}{cursor}", urlencode(q)),
                Some(token),
            )
            .await;
        assert_eq!(page.status, 200, "{q}: {}", page.body);
        for t in page.body["tasks"].as_array().unwrap() {
            ids.push(t["id"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return ids,
        }
    }
}

fn urlencode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Newest first, as history shows them.
fn newest_first(ids: &[String], pick: impl Fn(usize) -> bool) -> Vec<String> {
    let mut v: Vec<String> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| pick(*i))
        .map(|(_, id)| id.clone())
        .collect();
    v.reverse();
    v
}

#[tokio::test]
async fn full_text_search_finds_every_word_anywhere_in_new_and_old_prompts() {
    let app = spawn_app().await;
    let token = app.signed_up("Searcher", "searcher@example.com").await;
    let other = app.signed_up("Other", "other-searcher@example.com").await;
    let me = app.user_id(&token).await;
    let them = app.user_id(&other).await;
    let prompts: Vec<String> = (0..MANY)
        .map(|i| match i {
            0 => "a red fox asleep in watercolour snow".to_owned(),
            1 => "一只红色的狐狸在雪中睡觉".to_owned(),
            2 => "100% cotton_candy clouds".to_owned(),
            _ if i % 100 == 0 => format!("a beacon on the cliff, number {i}"),
            _ => format!("a lighthouse at dusk, number {i}"),
        })
        .collect();
    let ids = insert(&app, &me, &prompts).await;
    // Another's prompts hold the same words: never found in this user's history.
    insert(&app, &them, &prompts[..3]).await;
    // Finished (a live task is not deleted).
    app.sql("UPDATE tasks SET status = 'succeeded', finished_at = created_at")
        .await;

    // A word in the middle of a prompt (and of a word), the words in any order, any case.
    for q in [
        "watercolour",
        "colour",
        "FOX snow",
        "snow red fox",
        "asleep fox",
    ] {
        assert_eq!(found(&app, &token, q).await, [ids[0].clone()], "{q}");
    }
    assert!(
        found(&app, &token, "fox blue").await.is_empty(),
        "every word counts"
    );
    // Chinese: a word of three characters and more through the index, shorter ones too.
    for q in ["红色的", "狐狸", "雪 狐狸"] {
        assert_eq!(found(&app, &token, q).await, [ids[1].clone()], "{q}");
    }
    // LIKE's wildcards are letters in a search.
    assert_eq!(found(&app, &token, "100%").await, [ids[2].clone()]);
    assert_eq!(found(&app, &token, "n_c").await, [ids[2].clone()]);
    assert!(found(&app, &token, "0%c").await.is_empty());
    // A word in the newest tasks and in old ones: every one, newest first, once.
    let beacons = newest_first(&ids, |i| i >= 3 && i % 100 == 0);
    assert_eq!(beacons.len(), MANY / 100 - 1);
    assert_eq!(found(&app, &token, "beacon").await, beacons);
    assert_eq!(found(&app, &token, "cliff beacon").await, beacons);
    // A word in nearly every prompt, page after page: all of them, none twice.
    let lighthouses = found(&app, &token, "lighthouse").await;
    assert_eq!(lighthouses, newest_first(&ids, |i| i >= 3 && i % 100 != 0));
    // An exact number (found as a word, not by its digits elsewhere).
    assert_eq!(
        found(&app, &token, "2345").await,
        [ids[2345].clone()],
        "2345 is in one prompt alone"
    );

    // Combined with another filter.
    let favorite = app
        .put(&format!("/api/v1/tasks/{}/favorite", ids[1700]), &token)
        .await;
    assert_eq!(favorite.status, 204, "{}", favorite.body);
    let starred = app
        .get("/api/v1/tasks?favorite=true&q=beacon", Some(&token))
        .await;
    let starred: Vec<&str> = starred.body["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(starred, [ids[1700].as_str()]);

    // A deleted task is not found; the index stays right through VACUUM.
    let gone = app
        .post(
            "/api/v1/tasks/bulk",
            serde_json::json!({"op": "delete", "ids": [ids[1000]]}),
            Some(&token),
        )
        .await;
    assert_eq!(gone.body["done"][0], ids[1000].as_str(), "{}", gone.body);
    app.sql("VACUUM").await;
    let beacons: Vec<String> = beacons.into_iter().filter(|b| *b != ids[1000]).collect();
    assert_eq!(found(&app, &token, "beacon").await, beacons);
    assert_eq!(found(&app, &token, "watercolour").await, [ids[0].clone()]);
    // The other user finds their own.
    assert_eq!(found(&app, &other, "watercolour").await.len(), 1);
}
