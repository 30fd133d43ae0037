//! `cargo bench --features ssr --bench atelier-bench [-- --quick]`
//!
//! Measures the worker against the simulator with many live tasks: upstream requests and time per
//! tick, worker CPU, and the process's RSS. Prints figures; asserts nothing.

use atelier::{
    auth::token,
    config::Config,
    db,
    engines::midjourney::{SubmitOutcome, Upstream, wire},
    simulator::{self, SimConfig},
    startup::Application,
    worker,
};
use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    // `--only worker|history|http|latency|process|weight` runs one section (for a profiler).
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str);
    let runs = if quick { 2 } else { 5 };
    let wanted = |section: &str| only.is_none_or(|o| o == section);
    atelier::init_tls();
    let backends = Backend::available();
    if wanted("worker") {
        worker_ticks(
            &backends,
            if quick { &[200] } else { &[1_000, 10_000] },
            runs,
        )
        .await?;
    }
    if wanted("history") {
        history(
            &backends,
            if quick { 2_000 } else { 100_000 },
            if quick { 20 } else { 200 },
        )
        .await?;
    }
    if wanted("http") {
        let (time, runs) = if quick {
            (Duration::from_millis(300), 1)
        } else {
            (Duration::from_millis(1500), 7)
        };
        http_load(&backends, time, runs).await?;
    }
    if wanted("latency") {
        // The default poll interval in the full run; shorter in quick mode to stay quick.
        let (interval, samples) = if quick {
            (Duration::from_millis(200), 3)
        } else {
            (Duration::from_millis(1000), 8)
        };
        latency(interval, samples).await?;
    }
    if wanted("process") {
        process(quick).await?;
    }
    if wanted("weight") {
        weight();
    }
    Ok(())
}

/// Where the measured instance keeps its data.
#[derive(Clone)]
enum Backend {
    Sqlite,
    /// An admin URL of a PostgreSQL cluster: each measurement gets a new database on it.
    Postgres(String),
}

impl Backend {
    /// SQLite, and PostgreSQL when `ATELIER_BENCH_POSTGRES` (or the test command's
    /// `ATELIER_TEST_POSTGRES`) names a cluster.
    fn available() -> Vec<Self> {
        // `ATELIER_BENCH_SQLITE=off` leaves SQLite out (to profile PostgreSQL alone).
        let mut all = if std::env::var("ATELIER_BENCH_SQLITE").as_deref() == Ok("off") {
            vec![]
        } else {
            vec![Self::Sqlite]
        };
        match std::env::var("ATELIER_BENCH_POSTGRES")
            .or_else(|_| std::env::var("ATELIER_TEST_POSTGRES"))
        {
            Ok(url) => all.push(Self::Postgres(url)),
            Err(_) => println!(
                "(SQLite only: set ATELIER_BENCH_POSTGRES to an admin URL of a PostgreSQL cluster for its figures)\n"
            ),
        }
        all
    }

    fn name(&self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }

    /// An instance's configuration, its worker off (the bench drives it), on a new database.
    async fn config(&self, dir: &std::path::Path) -> anyhow::Result<Config> {
        let mut config = Config::for_tests(dir.to_path_buf());
        config.run_worker = false;
        if let Self::Postgres(admin) = self {
            config.database = db::Location::new_postgres_database(admin).await?;
            config.secret_key = Some("the bench's shared key".into());
        }
        Ok(config)
    }
}

/// The worker's ticks with `sizes` live tasks waiting at the simulator.
async fn worker_ticks(backends: &[Backend], sizes: &[usize], runs: usize) -> anyhow::Result<()> {
    println!(
        "| database | live tasks | upstream requests/tick | ms/tick (median of {runs}) | worker CPU ms/tick | RSS MB |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for backend in backends {
        for &n in sizes {
            let dir = tempfile_dir()?;
            let app = Application::build(backend.config(&dir).await?).await?;
            let engine = app.state().engine.clone();
            let pool = app.state().pool.clone();

            // Every job kept waiting (no progress during the measurement).
            let (sim, secret, session, _) = bench_upstream(
                &app,
                n + 10,
                serde_json::json!([{"mode": "fast", "concurrency": 100}]),
            )
            .await?;

            let client = Upstream::new(&sim.base_url(), Some(&secret));
            // Running on the built-in channel, as if the worker had sent them.
            let channel = db::channels::list(&pool)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| anyhow::anyhow!("no channel"))?;
            let now = db::now_ms();
            let mut tx = pool.begin().await?;
            for i in 0..n {
                let prompt = format!("bench picture {i}");
                let req = wire::ImagineRequest {
                    prompt: &prompt,
                    base64_array: None,
                    bot_type: None,
                    notify_hook: None,
                    state: None,
                    account_filter: None,
                };
                let (SubmitOutcome::Accepted { id: upstream_id }
                | SubmitOutcome::Queued {
                    id: upstream_id, ..
                }) = client.imagine(&req).await?
                else {
                    anyhow::bail!("the simulator refused a bench task");
                };
                let task_id = db::new_id();
                let task = db::tasks::NewTask {
                    id: &task_id,
                    user_id: &session.me.user.id,
                    parent_id: None,
                    engine: atelier::types::EngineKind::Midjourney,
                    action: atelier::types::TaskAction::Imagine,
                    custom_id: None,
                    mode: Some(atelier::types::Mode::Fast),
                    model: None,
                    prompt: &prompt,
                    params: &atelier::types::TaskParams::default(),
                    channel_id: None,
                    inputs: &[],
                    cost: 0,
                    batch_id: None,
                };
                db::tasks::insert(&mut tx, &task, now).await?;
                db::on_tx!(&mut tx, |c| sqlx::query(
                    "UPDATE tasks SET status = 'submitted', upstream_id = $2, channel_id = $3,
                        started_at = $4, touched_at = $4 WHERE id = $1",
                )
                .bind(&task_id)
                .bind(&upstream_id)
                .bind(&channel.id)
                .bind(now)
                .execute(c)
                .await
                .map(drop))?;
            }
            tx.commit().await?;

            let mut times = Vec::new();
            let mut cpu = Vec::new();
            let mut requests = 0;
            for _ in 0..runs {
                let (c0, t0) = (cpu_ms(), Instant::now());
                let out = worker::poll_once(&engine)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                times.push(t0.elapsed().as_secs_f64() * 1000.0);
                cpu.push(cpu_ms() - c0);
                requests = out.requests;
                assert_eq!(out.live, n, "every task stays live");
            }
            println!(
                "| {} | {n} | {requests} | {:.1} | {:.1} | {:.1} |",
                backend.name(),
                median(&mut times),
                median(&mut cpu),
                rss_mb()
            );
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    Ok(())
}

/// Server render of /history (first page and a page deep in the past) with `n` tasks stored.
async fn history(backends: &[Backend], n: usize, samples: usize) -> anyhow::Result<()> {
    for backend in backends {
        history_on(backend, n, samples).await?;
    }
    Ok(())
}

/// Varied prompts: a subject, a style and a number each (every pair of tasks has one subject
/// and style, so both users of [`history_on`] have them all).
fn bench_prompt(i: usize) -> String {
    const SUBJECTS: [&str; 12] = [
        "lighthouse",
        "red fox",
        "castle",
        "robot",
        "garden",
        "harbour",
        "dragon",
        "forest",
        "portrait of a sailor",
        "tea house",
        "mountain lake",
        "night market",
    ];
    const STYLES: [&str; 9] = [
        "watercolour",
        "anime",
        "isometric",
        "photo",
        "oil painting",
        "ink sketch",
        "cinematic",
        "neon",
        "pastel",
    ];
    format!(
        "a {} at dusk, {} style, number {i} --ar 3:2",
        SUBJECTS[(i / 2) % SUBJECTS.len()],
        STYLES[(i / 2 / SUBJECTS.len()) % STYLES.len()]
    )
}

/// The server render of /history with `n` tasks (half the viewer's), and its search's SQL next
/// to the first stage's LIKE scan.
async fn history_on(backend: &Backend, n: usize, samples: usize) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let app = Application::build(backend.config(&dir).await?).await?;
    let pool = app.state().pool.clone();
    let base = format!("http://127.0.0.1:{}", app.port());
    let session = bench_account(&pool, "Bench", "bench@example.com").await?;
    // Another user's tasks too, so the per-user index matters.
    let other = bench_account(&pool, "Other", "other@example.com").await?;
    let now = db::now_ms();
    let mut tx = pool.begin().await?;
    let mut middle = String::new();
    for i in 0..n {
        let id = db::new_id();
        let user = if i % 2 == 0 {
            &session.me.user.id
        } else {
            &other.me.user.id
        };
        let prompt = bench_prompt(i);
        let task = db::tasks::NewTask {
            id: &id,
            user_id: user,
            parent_id: None,
            engine: atelier::types::EngineKind::Midjourney,
            action: atelier::types::TaskAction::Imagine,
            custom_id: None,
            mode: Some(atelier::types::Mode::Relax),
            model: None,
            prompt: &prompt,
            params: &atelier::types::TaskParams::default(),
            channel_id: None,
            inputs: &[],
            cost: 2,
            batch_id: None,
        };
        db::tasks::insert(&mut tx, &task, now + i as i64).await?;
        if i == n / 2 {
            middle = id;
        }
    }
    tx.commit().await?;
    if let db::Pool::Postgres(pg) = &pool {
        // As autovacuum would soon: the planner's statistics of the new rows.
        sqlx::query("ANALYZE tasks").execute(pg).await?;
    }
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();
    let cookie = format!("atelier_session={}", session.token);
    // One of the viewer's prompts alone holds this number.
    let rare = (n / 2) & !1;
    let searches = [
        ("search, a word in one prompt", format!("{rare}")),
        ("search, a word in 1 of 12", "lighthouse".to_owned()),
        ("search, two words", "fox watercolour".to_owned()),
        ("search, a word in every prompt", "dusk".to_owned()),
        ("search, a word in none", "unicorn".to_owned()),
    ];
    println!();
    println!(
        "| /history server render, {n} tasks, {} | p50 ms | p99 ms |",
        backend.name()
    );
    println!("| --- | ---: | ---: |");
    let mut pages = vec![
        ("first page", "/history".to_owned()),
        ("deep page", format!("/history?before={middle}")),
    ];
    pages.extend(
        searches
            .iter()
            .map(|(name, q)| (*name, format!("/history?q={}", q.replace(' ', "+")))),
    );
    for (name, path) in pages {
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples {
            let t0 = Instant::now();
            let res = client
                .get(format!("{base}{path}"))
                .header("cookie", &cookie)
                .header("accept", "text/html")
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "{path}: HTTP {}", res.status());
            let _ = res.bytes().await?;
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        println!("| {name} | {:.2} | {:.2} |", p50(&mut times), p99(&times));
    }
    println!();
    println!(
        "| a search's SQL, {n} tasks, {} (p50 ms) | today (index) | stage one (LIKE scan) |",
        backend.name()
    );
    println!("| --- | ---: | ---: |");
    let user = &session.me.user.id;
    for (name, q) in &searches {
        let filter = db::tasks::Filter {
            words: Some(q),
            ..Default::default()
        };
        let mut today = Vec::with_capacity(samples);
        let mut before = Vec::with_capacity(samples);
        for _ in 0..samples {
            let t0 = Instant::now();
            db::tasks::search_of_user(&pool, user, filter, 51).await?;
            today.push(t0.elapsed().as_secs_f64() * 1000.0);
            let t0 = Instant::now();
            like_scan(&pool, user, q).await?;
            before.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        println!(
            "| {} | {:.2} | {:.2} |",
            name.trim_start_matches("search, "),
            p50(&mut today),
            p50(&mut before)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn p50(times: &mut [f64]) -> f64 {
    times.sort_by(|a, b| a.total_cmp(b));
    times[times.len() / 2]
}

/// Of sorted times.
fn p99(times: &[f64]) -> f64 {
    times[(times.len() * 99 / 100).min(times.len() - 1)]
}

/// The first stage's search: the whole text a substring of the prompt, found by reading them.
async fn like_scan(pool: &db::Pool, user_id: &str, q: &str) -> anyhow::Result<usize> {
    let pattern = format!("%{q}%");
    let n = db::on!(pool, |c| {
        let sql = if pool.is_postgres() {
            "SELECT id FROM tasks WHERE user_id = $1 AND prompt ILIKE $2 ORDER BY id DESC LIMIT 51"
        } else {
            "SELECT id FROM tasks WHERE user_id = $1 AND prompt LIKE $2 ORDER BY id DESC LIMIT 51"
        };
        sqlx::query_scalar::<_, String>(sql)
            .bind(user_id)
            .bind(&pattern)
            .fetch_all(c)
            .await
    })?;
    Ok(n.len())
}

/// A request's parts that carry `token` as a bearer token.
fn bearer(token: &str) -> axum::http::request::Parts {
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    if let Ok(v) = format!("Bearer {token}").parse() {
        parts.headers.insert(axum::http::header::AUTHORIZATION, v);
    }
    parts
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("atelier-bench-{}", db::new_id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// User + system CPU time of this process, in ms (from /proc/self/stat).
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the ")" (state is not numeric).
    let ticks = f.get(10).unwrap_or(&0.0) + f.get(11).unwrap_or(&0.0);
    ticks * 10.0
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Requests per second of `make` under `conc` concurrent connections for `time`.
/// A server-function call as the pages send it: the session cookie, postcard both ways.
fn page_call(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::RequestBuilder {
    client
        .post(url)
        .header("cookie", cookie)
        .header("content-type", "application/x-postcard")
        .header("accept", "application/x-postcard")
        .body(body)
}

async fn rps(
    conc: usize,
    time: Duration,
    make: impl Fn(usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> f64 {
    let make = std::sync::Arc::new(make);
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker_no in 0..conc {
        let (make, count) = (make.clone(), count.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = worker_no;
            while start.elapsed() < time {
                if let Ok(res) = make(i).send().await
                    && res.status().is_success()
                    && res.bytes().await.is_ok()
                {
                    count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                i += conc;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    count.load(std::sync::atomic::Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// A simulator that moves only when told (its own clock: one hour a step) with room for `jobs`,
/// the bench's admin account, and Atelier pointed at the simulator with these `modes`.
async fn bench_upstream(
    app: &Application,
    jobs: usize,
    modes: serde_json::Value,
) -> anyhow::Result<(
    simulator::Running,
    String,
    atelier::services::accounts::NewSession,
    atelier::auth::CurrentUser,
)> {
    let secret = token::generate();
    let sim = simulator::spawn(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        SimConfig {
            secret: secret.clone(),
            step: Duration::from_secs(3600),
            concurrency: jobs,
            queue: jobs,
        },
    )
    .await?;
    let (session, admin) = bench_admin(
        app,
        serde_json::json!({"api_url": sim.base_url(), "api_secret": secret, "modes": modes}),
    )
    .await?;
    Ok((sim, secret, session, admin))
}

/// The bench's account (the first, so the admin), signed in, with these settings applied.
async fn bench_admin(
    app: &Application,
    settings: serde_json::Value,
) -> anyhow::Result<(
    atelier::services::accounts::NewSession,
    atelier::auth::CurrentUser,
)> {
    let state = app.state();
    let session = bench_account(&state.pool, "Bench", "bench@example.com").await?;
    let admin = atelier::auth::authenticate(&state.pool, &state.sessions, &bearer(&session.token))
        .await
        .map_err(err)?
        .ok_or_else(|| anyhow::anyhow!("the bench account cannot sign in"))?;
    atelier::services::settings::update(&state.engine, &admin, serde_json::from_value(settings)?)
        .await
        .map_err(err)?;
    Ok((session, admin))
}

/// A fresh account for the benchmark.
async fn bench_account(
    pool: &db::Pool,
    name: &str,
    email: &str,
) -> anyhow::Result<atelier::services::accounts::NewSession> {
    use atelier::{auth::client::Visitor, auth::rate_limit::RateLimiter, services::accounts};
    // Each account from its own address: the bench measures the work, not the sign-up limit.
    let visitor = Visitor {
        addr: format!("bench:{email}"),
        user_agent: None,
    };
    let limiter = RateLimiter::new(0, Duration::from_secs(3600));
    let form = accounts::SignUpForm {
        name,
        email,
        password: "bench password",
        invite_code: None,
    };
    accounts::sign_up(pool, &limiter, &visitor, form)
        .await
        .map_err(err)
}

fn err(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// One kind of request the HTTP section loads the server with.
#[derive(Debug)]
enum Load {
    /// A GET of this path, the answer about the n-th task read.
    Get(String, usize),
    /// The page's poll server function about the queued task.
    Poll,
    /// The bare handler's copy of the n-th task read's answer.
    Bare(usize),
    /// The bare handler's copy of the poll's answer, to a POST of the poll's body (the same
    /// request the page makes, answered from memory).
    BarePoll,
}

/// Status polling against a bare handler of the same JSON, and submits, over real HTTP: on
/// SQLite, and on PostgreSQL with one instance and with two (the load spread over both).
async fn http_load(backends: &[Backend], time: Duration, runs: usize) -> anyhow::Result<()> {
    println!();
    println!(
        "| HTTP, 64 connections, median of {runs} runs | database | requests/s | of the baseline |"
    );
    println!("| --- | --- | ---: | ---: |");
    for backend in backends {
        http_load_on(backend, 1, time, runs).await?;
        if matches!(backend, Backend::Postgres(_)) {
            http_load_on(backend, 2, time, runs).await?;
        }
    }
    Ok(())
}

async fn http_load_on(
    backend: &Backend,
    instances: usize,
    time: Duration,
    runs: usize,
) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let config = backend.config(&dir).await?;
    let app = Application::build(config.clone()).await?;
    let pool = app.state().pool.clone();
    let engine = app.state().engine.clone();
    let (session, admin) = bench_admin(
        &app,
        serde_json::json!({"max_active_tasks_per_user": 1000, "modes": [{"mode": "relax", "cost": 1}]}),
    )
    .await?;
    atelier::services::credits::grant(&pool, &admin, &admin.id, 1_000_000_000, "bench")
        .await
        .map_err(err)?;
    let task = atelier::services::generation::submit(&engine, &admin, "a bench fox", "relax")
        .await
        .map_err(err)?;
    // Finished tasks as the worker leaves them, whose views are most of what history, the task
    // page and scripts read: a grid with its picture and its nine buttons (described, and priced
    // by the view with the settings), the same grid as four pictures, and an OpenAI task of four.
    let finished = |outputs: usize| {
        (0..outputs)
            .map(|n| serde_json::json!({"key": format!("{n:064}.png"), "thumb": format!("{n:064}.webp"), "width": 1024, "height": 1024}))
            .collect::<Vec<_>>()
    };
    let buttons: Vec<atelier::types::Button> = [
        "upsample::1",
        "upsample::2",
        "upsample::3",
        "upsample::4",
        "reroll::0",
        "variation::1",
        "variation::2",
        "variation::3",
        "variation::4",
    ]
    .iter()
    .map(|b| {
        let button: atelier::types::Button = serde_json::from_value(serde_json::json!({
            "custom_id": format!("MJ::JOB::{b}::8f2a-bench"), "label": b, "emoji": ""
        }))
        .expect("a button");
        atelier::engines::midjourney::describe(button)
    })
    .collect();
    let mut ended = Vec::new();
    for (prompt, outputs, openai) in [
        ("a finished fox", 1, false),
        ("four finished foxes", 4, false),
        ("four foxes by OpenAI", 4, true),
    ] {
        let job = atelier::services::generation::NewJob {
            prompt: prompt.to_owned(),
            mode: (!openai).then(|| "relax".to_owned()),
            engine: openai.then(|| "openai".to_owned()),
            model: openai.then(|| "gpt-image-1".to_owned()),
            n: openai.then_some(4),
            ..Default::default()
        };
        let done = atelier::services::generation::submit_job(&engine, &admin, &job)
            .await
            .map_err(err)?;
        let buttons = if openai { vec![] } else { buttons.clone() };
        db::on!(&pool, |c| {
            sqlx::query(
                "UPDATE tasks SET status = 'succeeded', progress = 100, buttons = $1, outputs = $2 WHERE id = $3",
            )
            .bind(sqlx::types::Json(&buttons))
            .bind(sqlx::types::Json(finished(outputs)))
            .bind(&done.id)
            .execute(c)
            .await
            .map(drop)
        })?;
        ended.push(done.id);
    }
    engine.reads.changed();
    let mut bases = vec![format!("http://127.0.0.1:{}", app.port())];
    tokio::spawn(app.run_until(std::future::pending()));
    // Further instances on the same database (PostgreSQL only), each its own server.
    for _ in 1..instances {
        let other = Application::build(config.clone()).await?;
        bases.push(format!("http://127.0.0.1:{}", other.port()));
        tokio::spawn(other.run_until(std::future::pending()));
    }
    // Connection `i` talks to instance `i mod instances`.
    let on = std::sync::Arc::new(move |i: usize, path: &str| {
        format!("{}{path}", bases[i % bases.len()])
    });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;

    // What is read: each task by the API, each against a bare axum handler in this process
    // serving that task's own answer from memory (the same bytes); and the page's polling
    // server function (cookie, postcard) for the queued task, against the queued task's.
    let reads = [
        ("a queued task", &task.id),
        ("a finished grid with its buttons priced", &ended[0]),
        (
            "a finished grid of 4 pictures with its buttons priced",
            &ended[1],
        ),
        ("a finished OpenAI task of 4 pictures", &ended[2]),
    ];
    let mut bare = axum::Router::new();
    let mut loads: Vec<(String, Load)> = Vec::new();
    for (n, (label, id)) in reads.iter().enumerate() {
        let path = format!("/api/v1/midjourney/task/{id}");
        let path = if n == 3 {
            format!("/api/v1/tasks/{id}")
        } else {
            path
        };
        let body = client
            .get(on(0, &path))
            .bearer_auth(&session.token)
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?;
        bare = bare.route(
            &format!("/{n}"),
            axum::routing::get(move || {
                let body = body.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        body,
                    )
                }
            }),
        );
        let shown = if n == 3 {
            "GET /api/v1/tasks/{id}"
        } else {
            "GET /api/v1/midjourney/task/{id}"
        };
        loads.push((format!("{shown} (bearer, {label})"), Load::Get(path, n)));
    }
    // The page's polling server function, as the browser calls it (cookie, postcard), and its
    // bare copy: the same POST, answered with the same bytes from memory.
    let poll_path = <atelier::server_fns::tasks::PollTasks as leptos::server_fn::ServerFn>::PATH;
    let poll_body = bytes::Bytes::from(postcard::to_allocvec(
        &atelier::server_fns::tasks::PollTasks {
            ids: vec![task.id.clone()],
        },
    )?);
    let cookie = format!("atelier_session={}", session.token);
    let polled = page_call(&client, &on(0, poll_path), &cookie, poll_body.clone())
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    bare = bare.route(
        "/poll",
        axum::routing::post(move |_body: bytes::Bytes| {
            let polled = polled.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/x-postcard")],
                    polled,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let bare_base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, bare).await });
    loads.push((
        "the page's poll_tasks server function (cookie, one queued task)".to_owned(),
        Load::Poll,
    ));
    for n in 0..reads.len() {
        loads.push((String::new(), Load::Bare(n)));
    }
    loads.push((String::new(), Load::BarePoll));
    // Sixteen more accounts, one per submitting connection: one account's submits wait for each
    // other (its balance and live tasks are checked and charged in turn), many accounts' do not.
    let mut tokens = Vec::new();
    for i in 0..16 {
        let s = bench_account(&pool, "Bench", &format!("bench{i}@example.com")).await?;
        atelier::services::credits::grant(&pool, &admin, &s.me.user.id, 1_000_000, "bench")
            .await
            .map_err(err)?;
        tokens.push(s.token);
    }
    let tokens = std::sync::Arc::new(tokens);
    // `ATELIER_BENCH_PROFILE=k` loads only the k-th of `loads` for 20 s and stops: what a
    // profiler then sees of the server is that request's cost.
    let profile = std::env::var("ATELIER_BENCH_PROFILE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    let (runs, time) = match profile {
        Some(_) => (1, Duration::from_secs(20)),
        None => (runs, time),
    };
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); loads.len()];
    let mut shares: Vec<Vec<f64>> = vec![Vec::new(); loads.len()];
    let (mut submits, mut spread) = (vec![], vec![]);
    // Each run measures every load back to back, and the shares are taken within a run: the
    // machine's speed drifts between runs, much less within one. The order turns with each run,
    // so that no one load always meets the same moment of a drift.
    for run in 0..runs {
        let mut rate = vec![0.0; loads.len()];
        for k in (0..loads.len())
            .map(|k| (k + run) % loads.len())
            .filter(|k| profile.is_none_or(|p| p == *k))
        {
            let c = client.clone();
            rate[k] = match &loads[k].1 {
                Load::Get(path, _) => {
                    let (on, path, token) = (on.clone(), path.clone(), session.token.clone());
                    rps(64, time, move |i| c.get(on(i, &path)).bearer_auth(&token)).await
                }
                Load::Poll => {
                    let (on, body, cookie) = (on.clone(), poll_body.clone(), cookie.clone());
                    rps(64, time, move |i| {
                        page_call(&c, &on(i, poll_path), &cookie, body.clone())
                    })
                    .await
                }
                Load::Bare(n) => {
                    let url = format!("{bare_base}/{n}");
                    rps(64, time, move |_| c.get(&url)).await
                }
                Load::BarePoll => {
                    let (url, body, cookie) = (
                        format!("{bare_base}/poll"),
                        poll_body.clone(),
                        cookie.clone(),
                    );
                    rps(64, time, move |_| {
                        page_call(&c, &url, &cookie, body.clone())
                    })
                    .await
                }
            };
        }
        if let Some(p) = profile {
            println!(
                "profiled load {p} ({:?}): {:.0} requests/s",
                loads[p].1, rate[p]
            );
            return Ok(());
        }
        for (k, (_, load)) in loads.iter().enumerate() {
            rates[k].push(rate[k]);
            let baseline = |l: &Load| match (load, l) {
                (Load::Get(_, n), Load::Bare(b)) => n == b,
                (Load::Poll, Load::BarePoll) => true,
                _ => false,
            };
            if let Load::Get(..) | Load::Poll = load {
                let bare = loads
                    .iter()
                    .position(|(_, l)| baseline(l))
                    .expect("every read has its bare baseline");
                shares[k].push(rate[k] / rate[bare] * 100.0);
            }
        }
        // Each run stays under the 1,000 active tasks an account may have.
        finish_queued(&pool, &task.id).await?;
        let (c, one, token) = (client.clone(), on.clone(), session.token.clone());
        submits.push(
            rps(16, time.min(Duration::from_millis(500)), move |i| {
                c.post(one(i, "/api/v1/midjourney/generate"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"prompt": format!("fox {i}"), "mode": "relax"}))
            })
            .await,
        );
        // Each account stays under its 1,000 active tasks too.
        finish_queued(&pool, &task.id).await?;
        let (c, on, tokens) = (client.clone(), on.clone(), tokens.clone());
        spread.push(
            rps(16, time.min(Duration::from_millis(500)), move |i| {
                c.post(on(i, "/api/v1/midjourney/generate"))
                    .bearer_auth(&tokens[i % 16])
                    .json(&serde_json::json!({"prompt": format!("fox {i}"), "mode": "relax"}))
            })
            .await,
        );
    }
    let database = match instances {
        1 => backend.name().to_owned(),
        n => format!("{}, {n} instances", backend.name()),
    };
    for (k, (label, load)) in loads.iter().enumerate() {
        match load {
            Load::Bare(n) => println!(
                "| baseline: bare axum handler, the answer about {} from memory | | {:.0} | 100% |",
                reads[*n].0,
                median(&mut rates[k])
            ),
            Load::BarePoll => println!(
                "| baseline: bare axum handler, the poll's POST (cookie, postcard) answered from memory | | {:.0} | 100% |",
                median(&mut rates[k])
            ),
            _ => println!(
                "| {label} | {database} | {:.0} | {:.0}% |",
                median(&mut rates[k]),
                median(&mut shares[k])
            ),
        }
    }
    println!(
        "| POST /api/v1/midjourney/generate, 16 connections, one account (charge + insert) | {database} | {:.0} | |",
        median(&mut submits)
    );
    println!(
        "| POST /api/v1/midjourney/generate, 16 connections, 16 accounts | {database} | {:.0} | |",
        median(&mut spread)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Marks every queued task but `keep` succeeded (accounts stay under their active-task limit).
async fn finish_queued(pool: &db::Pool, keep: &str) -> anyhow::Result<()> {
    db::on!(pool, |c| {
        sqlx::query(
        "UPDATE tasks SET status = 'succeeded', progress = 100 WHERE status = 'queued' AND id <> $1",
    )
    .bind(keep)
    .execute(c)
    .await
    .map(drop)
    })?;
    Ok(())
}

/// Time from a change at the upstream to the page's poll seeing it, by polling and by the hook.
async fn latency(interval: Duration, samples: usize) -> anyhow::Result<()> {
    println!();
    println!(
        "| progress latency, upstream change to the page's poll (median / max of {samples}) | median ms | max ms |"
    );
    println!("| --- | ---: | ---: |");
    for hook in [false, true] {
        let (median_ms, max_ms) = latency_of(interval, samples, hook).await?;
        let how = if hook {
            "notify hook (public URL set)".to_owned()
        } else {
            format!("worker polling every {} ms", interval.as_millis())
        };
        println!("| {how} | {median_ms:.0} | {max_ms:.0} |");
    }
    Ok(())
}

async fn latency_of(interval: Duration, samples: usize, hook: bool) -> anyhow::Result<(f64, f64)> {
    let dir = tempfile_dir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut config = Config::for_tests(dir.clone());
    config.addr = SocketAddr::from(([127, 0, 0, 1], port));
    config.poll_interval = interval;
    config.run_worker = true;
    if hook {
        config.public_url = Some(format!("http://127.0.0.1:{port}"));
    }
    let app = Application::build(config).await?;
    let engine = app.state().engine.clone();
    let (sim, _, session, admin) =
        bench_upstream(&app, 10, serde_json::json!([{"mode": "relax", "cost": 0}])).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));

    let client = reqwest::Client::new();
    let task = atelier::services::generation::submit(&engine, &admin, "a watched fox", "relax")
        .await
        .map_err(err)?;
    let poll_url = format!(
        "{base}{}",
        <atelier::server_fns::tasks::PollTasks as leptos::server_fn::ServerFn>::PATH
    );
    let cookie = format!("atelier_session={}", session.token);
    // What the page sees: (status, progress) from its polling server function.
    let seen = || async {
        let args = atelier::server_fns::tasks::PollTasks {
            ids: vec![task.id.clone()],
        };
        let res = page_call(&client, &poll_url, &cookie, postcard::to_allocvec(&args)?)
            .send()
            .await?;
        let body: atelier::types::TaskUpdates = postcard::from_bytes(&res.bytes().await?)?;
        let t = anyhow::Context::context(body.tasks.first(), "the poll lost the task")?;
        anyhow::Ok((t.status.as_str().to_owned(), u64::from(t.progress)))
    };
    // Wait until the worker has handed the task to the simulator and the simulator started it.
    let t0 = Instant::now();
    while seen().await?.0 != "submitted" {
        anyhow::ensure!(
            t0.elapsed() < Duration::from_secs(30),
            "the task was never submitted"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The simulator may hold it one step before it runs.
    let t0 = Instant::now();
    while seen().await?.0 != "in_progress" {
        anyhow::ensure!(
            t0.elapsed() < Duration::from_secs(30),
            "the task never started"
        );
        sim.sim.tick();
        tokio::time::sleep(interval * 2).await;
    }
    let mut times = Vec::with_capacity(samples);
    for i in 0..samples {
        // Changes land at every phase of the worker's cycle.
        let wait = interval.mul_f64(0.37 * (i as f64 + 1.0) % 1.0);
        tokio::time::sleep(wait).await;
        let before = seen().await?.1;
        let changed = Instant::now();
        sim.sim.tick();
        loop {
            if seen().await?.1 > before {
                break;
            }
            anyhow::ensure!(
                changed.elapsed() < Duration::from_secs(30),
                "no change seen"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        times.push(changed.elapsed().as_secs_f64() * 1000.0);
    }
    let max = times.iter().copied().fold(0.0, f64::max);
    let _ = std::fs::remove_dir_all(&dir);
    Ok((median(&mut times), max))
}

/// Cold start and RSS of the real binary, idle and with many finished tasks in its database.
async fn process(quick: bool) -> anyhow::Result<()> {
    let bin = std::path::PathBuf::from(env!("CARGO_BIN_EXE_atelier"));
    if !bin.exists() {
        println!("\n(no process figures: {} is not built)", bin.display());
        return Ok(());
    }
    let dir = tempfile_dir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let start = |dir: &std::path::Path| -> anyhow::Result<(std::process::Child, f64)> {
        let t0 = Instant::now();
        let child = std::process::Command::new(&bin)
            .env("ATELIER_DATA_DIR", dir)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        loop {
            if answers(port) {
                return Ok((child, t0.elapsed().as_secs_f64() * 1000.0));
            }
            anyhow::ensure!(
                t0.elapsed() < Duration::from_secs(30),
                "the server did not start"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    let (mut child, cold_ms) = start(&dir)?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle = rss_of(child.id());
    let _ = child.kill();
    let _ = child.wait();
    let n = if quick { 500 } else { 10_000 };
    let (token, middle) = {
        let pool = db::connect(&db::Location::in_data_dir(&dir)).await?;
        let user = bench_account(&pool, "Bench", "bench@example.com").await?;
        let mut tx = pool.begin().await?;
        for i in 0..n {
            let id = db::new_id();
            let prompt = format!("finished picture {i}");
            let t = db::tasks::NewTask {
                id: &id,
                user_id: &user.me.user.id,
                parent_id: None,
                engine: atelier::types::EngineKind::Midjourney,
                action: atelier::types::TaskAction::Imagine,
                custom_id: None,
                mode: Some(atelier::types::Mode::Relax),
                model: None,
                prompt: &prompt,
                params: &atelier::types::TaskParams::default(),
                channel_id: None,
                inputs: &[],
                cost: 2,
                batch_id: None,
            };
            db::tasks::insert(&mut tx, &t, db::now_ms()).await?;
        }
        tx.commit().await?;
        // Finished as the worker leaves a grid: four pictures with thumbnails, nine buttons.
        let outputs: Vec<serde_json::Value> = (0..4)
            .map(|k| serde_json::json!({"key": format!("{k:064}.png"), "thumb": format!("{k:064}.webp"), "width": 1024, "height": 1024}))
            .collect();
        let buttons: Vec<atelier::types::Button> = ["upsample::1", "upsample::2", "upsample::3", "upsample::4", "reroll::0", "variation::1", "variation::2", "variation::3", "variation::4"]
            .iter()
            .filter_map(|b| serde_json::from_value(serde_json::json!({"custom_id": format!("MJ::JOB::{b}::8f2a-bench"), "label": b, "emoji": ""})).ok())
            .map(atelier::engines::midjourney::describe)
            .collect();
        db::on!(&pool, |c| {
            sqlx::query(
            "UPDATE tasks SET status = 'succeeded', progress = 100, finished_at = created_at, outputs = $1, buttons = $2"
        )
        .bind(sqlx::types::Json(&outputs))
        .bind(sqlx::types::Json(&buttons))
        .execute(c)
        .await
        .map(drop)
        })?;
        let middle = db::on!(&pool, |c| sqlx::query_scalar::<_, String>(
            "SELECT id FROM tasks ORDER BY id LIMIT 1 OFFSET $1"
        )
        .bind((n / 2) as i64)
        .fetch_one(c)
        .await)?;
        pool.close().await;
        (user.token, middle)
    };
    let (mut child, _) = start(&dir)?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = rss_of(child.id());
    let base = format!("http://127.0.0.1:{port}");
    // The pages as a signed-in user opens them (server rendered, the data in the page).
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let cookie = format!("atelier_session={token}");
    let samples = if quick { 10 } else { 200 };
    let mut pages = Vec::new();
    for (name, path) in [
        ("/history, first page", "/history".to_owned()),
        ("the task page /history/{id}", format!("/history/{middle}")),
        ("Generate (/)", "/".to_owned()),
    ] {
        let mut times = Vec::with_capacity(samples);
        for _ in 0..samples {
            let t0 = Instant::now();
            let res = client
                .get(format!("{base}{path}"))
                .header("cookie", &cookie)
                .header("accept", "text/html")
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "{path}: HTTP {}", res.status());
            let _ = res.bytes().await?;
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
        }
        pages.push((name, p50(&mut times), p99(&times)));
    }
    // The site's files exist once `cargo leptos build` (or the end-to-end tests) built them.
    let site_built = built_asset("atelier.wasm").is_some();
    let cold = if site_built {
        // The server packs the site's code in the background after it starts; a visitor after
        // that gets the packed files (which carry their length: on-the-fly ones are chunked).
        wait_until_packed(&client, &base).await;
        cold_load(&client, &base, &cookie).await?
    } else {
        Vec::new()
    };
    // Memory under the polling load: 64 connections reading a finished task for a while.
    let path = format!("{base}/api/v1/tasks/{middle}");
    let (c, bearer) = (client.clone(), token.clone());
    let polled = rps(
        64,
        Duration::from_millis(if quick { 500 } else { 10_000 }),
        move |_| c.get(&path).bearer_auth(&bearer),
    )
    .await;
    let polling = rss_of(child.id());
    let peak = peak_rss_of(child.id());
    let _ = child.kill();
    let _ = child.wait();
    println!();
    println!("| process (target/release/atelier) | figure |");
    println!("| --- | ---: |");
    println!("| cold start to first answer | {cold_ms:.0} ms |");
    println!("| RSS idle after start-up | {idle:.1} MB |");
    println!("| RSS after start-up with {n} finished tasks | {after:.1} MB |");
    println!(
        "| RSS after polling a finished task, 64 connections ({polled:.0} requests/s) | {polling:.1} MB |"
    );
    println!("| peak RSS of the process | {peak:.1} MB |");
    println!();
    println!(
        "| server render, a user with {n} finished grids (4 pictures, 9 buttons each) | p50 ms | p99 ms |"
    );
    println!("| --- | ---: | ---: |");
    for (name, p50, p99) in pages {
        println!("| {name} | {p50:.2} | {p99:.2} |");
    }
    println!();
    if !site_built {
        println!(
            "(no cold-load figures: the site is not built; `cargo leptos build --release --split`)"
        );
    }
    println!("| Generate page, cold load (br) | requests | KB transferred |");
    println!("| --- | ---: | ---: |");
    for (what, requests, bytes) in cold {
        println!("| {what} | {requests} | {:.0} |", bytes as f64 / 1024.0);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// What a browser fetches to open the Generate page signed in, with nothing cached: the
/// document, then every file of the site it names (scripts, the stylesheet, the WASM module,
/// the icon; not the pictures of the user's recent tasks),
/// each as transferred with brotli offered. The page's data is in the document (server
/// rendered), so no further request is needed to show it.
/// Waits (at most a minute) until the main WASM module is answered packed.
async fn wait_until_packed(client: &reqwest::Client, base: &str) {
    let Some(name) = built_name("atelier.wasm") else {
        return;
    };
    let url = format!("{base}/pkg/{name}");
    for _ in 0..120 {
        if let Ok(res) = client
            .get(&url)
            .header("accept-encoding", "br")
            .send()
            .await
            && res.headers().contains_key("content-length")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn cold_load(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
) -> anyhow::Result<Vec<(String, usize, usize)>> {
    let fetch = |path: String| {
        let c = client.clone();
        let url = format!("{base}{path}");
        let cookie = cookie.to_owned();
        async move {
            let res = c
                .get(&url)
                .header("cookie", cookie)
                .header("accept-encoding", "br, gzip")
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "{url}: HTTP {}", res.status());
            let brotli = res
                .headers()
                .get("content-encoding")
                .is_some_and(|v| v.as_bytes() == b"br");
            let body = res.bytes().await?;
            anyhow::Ok((body, brotli))
        }
    };
    let (page, brotli) = fetch("/".to_owned()).await?;
    let mut html = page.to_vec();
    if brotli {
        html.clear();
        brotli::BrotliDecompress(&mut std::io::Cursor::new(&page), &mut html)?;
    }
    let html = String::from_utf8_lossy(&html);
    let mut files: Vec<String> = html
        .split(['"', '\''])
        .filter(|s| {
            s.starts_with('/')
                && [".css", ".js", ".wasm", ".svg", ".ico", ".woff2"]
                    .iter()
                    .any(|e| s.ends_with(e))
        })
        .map(str::to_owned)
        .collect();
    files.sort();
    files.dedup();
    let mut rows = vec![("the document (/)".to_owned(), 1, page.len())];
    let mut total = (1, page.len());
    for file in files {
        let (body, _) = fetch(file.clone()).await?;
        total = (total.0 + 1, total.1 + body.len());
        rows.push((file, 1, body.len()));
    }
    rows.push(("in all".to_owned(), total.0, total.1));
    Ok(rows)
}

/// True when something answers HTTP on the port.
fn answers(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = write!(
        s,
        "GET /api/v1/auths/me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    );
    let mut buf = [0u8; 8];
    s.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.1")
}

fn rss_of(pid: u32) -> f64 {
    status_mb(pid, "VmRSS:")
}

/// The most the process has held at once.
fn peak_rss_of(pid: u32) -> f64 {
    status_mb(pid, "VmHWM:")
}

fn status_mb(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The built asset `name` (`atelier.wasm`), found under its content-hashed name
/// (`atelier.<hash>.wasm`) when the site was built with hashed file names.
fn built_asset(name: &str) -> Option<Vec<u8>> {
    std::fs::read(format!("target/site/pkg/{}", built_name(name)?)).ok()
}

/// The file name (hashed or not) of a built site asset.
fn built_name(name: &str) -> Option<String> {
    std::fs::read_dir("target/site/pkg")
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|file| file == name || atelier::startup::unhashed_name(file).as_deref() == Some(name))
}

/// Sizes of the built site assets, raw and after brotli (quality 11).
fn weight() {
    println!();
    println!("| asset (target/site/pkg) | raw KB | brotli KB |");
    println!("| --- | ---: | ---: |");
    for name in ["atelier.wasm", "atelier.js", "atelier.css"] {
        let Some(bytes) = built_asset(name) else {
            println!("| {name} | not built | |");
            continue;
        };
        let mut out = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            ..Default::default()
        };
        let _ = brotli::BrotliCompress(&mut std::io::Cursor::new(&bytes), &mut out, &params);
        println!(
            "| {name} | {:.0} | {:.0} |",
            bytes.len() as f64 / 1024.0,
            out.len() as f64 / 1024.0
        );
    }
}
