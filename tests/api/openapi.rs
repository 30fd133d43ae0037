//! The OpenAPI document (`/api/v1/openapi.json`): it names every route the routers serve and no
//! other, its schemas have the fields the answers have, and it is what `docs/openapi.json` says
//! (run with `ATELIER_UPDATE_SNAPSHOTS=1` to write that file after changing the API).

use crate::helpers::spawn_app;
use serde_json::Value;
use std::collections::BTreeSet;

/// Every (method, path) the routers in `src/http` declare, read from their source: the path of
/// each `.route(...)` and the method routers (`get(...)`, `post(...)`...) inside it.
fn routed() -> BTreeSet<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(format!("{dir}/http"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(format!("{dir}/http.rs").into());
    let mut all = BTreeSet::new();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        let mut at = 0;
        while let Some(i) = src[at..].find(".route(") {
            let start = at + i + ".route(".len();
            let (mut depth, mut end) = (1, start);
            for (k, c) in src[start..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = start + k;
                    break;
                }
            }
            let body = &src[start..end];
            at = end;
            let Some(path) = body.split('"').nth(1) else {
                continue;
            };
            for method in ["get", "post", "put", "patch", "delete"] {
                let called = body.match_indices(&format!("{method}(")).any(|(k, _)| {
                    k == 0
                        || !body.as_bytes()[k - 1].is_ascii_alphanumeric()
                            && body.as_bytes()[k - 1] != b'_'
                });
                if called {
                    all.insert((method.to_owned(), path.to_owned()));
                }
            }
        }
    }
    all
}

/// Every (method, path) the document has.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut all = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            all.insert((method.clone(), path.clone()));
        }
    }
    all
}

fn properties(doc: &Value, schema: &str) -> BTreeSet<String> {
    doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no schema {schema}"))
        .keys()
        .cloned()
        .collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn the_document_names_every_route_and_matches_its_snapshot() {
    let app = spawn_app().await;
    let a = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(a.status, 200, "{}", a.body);
    let doc = a.body;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );

    // Only the catch-alls (their JSON 404s) and the pages' language form are left out.
    let left_out = ["/api/v1", "/api/v1/{*rest}", "/v1", "/v1/{*rest}", "/lang"];
    let routes: BTreeSet<_> = routed()
        .into_iter()
        .filter(|(_, p)| !left_out.contains(&p.as_str()))
        .collect();
    assert!(routes.len() > 40, "the routes were read: {routes:?}");
    let documented = documented(&doc);
    let undocumented: Vec<_> = routes.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routes).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the document: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "documented but not routed: {unrouted:?}"
    );

    let snapshot = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    if std::env::var_os("ATELIER_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(snapshot, &pretty).unwrap();
    }
    let saved = std::fs::read_to_string(snapshot)
        .expect("docs/openapi.json: run this test with ATELIER_UPDATE_SNAPSHOTS=1 to write it");
    assert!(
        saved == pretty,
        "the API's document changed: review the difference, then run this test with \
         ATELIER_UPDATE_SNAPSHOTS=1 to update docs/openapi.json"
    );
}

#[tokio::test]
async fn the_schemas_have_the_fields_the_answers_have() {
    let app = spawn_app().await;
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    let admin = app.signed_up("Ada", "ada@example.com").await;
    let t = app.generate(&admin, "a fox", "relax").await;
    assert_eq!(t.status, 201, "{}", t.body);
    let task = &t.body["task"];
    assert_eq!(keys(task), properties(&doc, "TaskView"), "a task");
    assert_eq!(keys(&task["params"]), properties(&doc, "TaskParams"));
    let channels = app.get("/api/v1/channels", Some(&admin)).await.body;
    let channel = &channels["channels"][0];
    assert_eq!(keys(channel), properties(&doc, "ChannelView"), "a channel");
    assert_eq!(keys(&channel["health"]), properties(&doc, "HealthView"));
    let engines = app.get("/api/v1/engines", Some(&admin)).await.body;
    for offer in engines["engines"].as_array().unwrap() {
        // An offer leaves out what its engine does not have (midjourney has no models).
        let missing: Vec<_> = keys(offer)
            .difference(&properties(&doc, "EngineOffer"))
            .cloned()
            .collect();
        assert!(missing.is_empty(), "{offer}: {missing:?}");
    }
    let model = &engines["engines"][1]["models"][0];
    assert_eq!(keys(model), properties(&doc, "ModelOffer"), "a model");
    app.api_key(&admin, "docs").await;
    let listed = app.get("/api/v1/auths/api_keys", Some(&admin)).await.body;
    assert_eq!(
        keys(&listed["keys"][0]),
        properties(&doc, "ApiKeyView"),
        "a key"
    );
    let up = crate::uploads::upload(&app, &admin, "a.png", crate::fake_sd::png(1)).await;
    assert_eq!(keys(&up.body), properties(&doc, "UploadView"), "an upload");
    let error = app.get("/api/v1/tasks/nope", Some(&admin)).await.body;
    assert_eq!(keys(&error), properties(&doc, "ErrorBody"));
    assert_eq!(keys(&error["error"]), properties(&doc, "ErrorDetail"));
}
