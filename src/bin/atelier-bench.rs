//! `cargo run --release --features ssr --bin atelier-bench [-- --quick]`
//!
//! Measures the worker against the simulator with many live tasks: upstream requests and time per
//! tick, worker CPU, and the process's RSS. Prints figures; asserts nothing.

use atelier::{
    auth::token,
    config::Config,
    db,
    simulator::{self, SimConfig},
    startup::Application,
    upstream::{SubmitOutcome, Upstream, wire},
    worker,
};
use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let quick = std::env::args().any(|a| a == "--quick");
    let sizes: &[usize] = if quick { &[200] } else { &[1_000, 10_000] };
    let runs = if quick { 2 } else { 5 };
    atelier::init_tls();

    println!(
        "| live tasks | upstream requests/tick | ms/tick (median of {runs}) | worker CPU ms/tick | RSS MB |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: |");
    for &n in sizes {
        let dir = tempfile_dir()?;
        let mut config = Config::for_tests(dir.clone());
        config.run_worker = false;
        let app = Application::build(config).await?;
        let engine = app.state().engine.clone();
        let pool = app.state().pool.clone();

        // A simulator that keeps every job waiting (no progress during the measurement).
        let secret = token::generate();
        let sim = simulator::spawn(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            SimConfig {
                secret: secret.clone(),
                step: Duration::from_secs(3600),
                concurrency: n + 10,
                queue: n + 10,
            },
        )
        .await?;
        let session = atelier::services::accounts::sign_up(
            &pool,
            "Bench",
            "bench@example.com",
            "bench password",
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let patch: atelier::services::settings::ConfigPatch =
            serde_json::from_value(serde_json::json!({
                "api_url": sim.base_url(), "api_secret": secret,
                "modes": [{"mode": "fast", "concurrency": 100}]
            }))?;
        let admin = atelier::auth::authenticate(&pool, &bearer(&session.token))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .ok_or_else(|| anyhow::anyhow!("the bench account cannot sign in"))?;
        atelier::services::settings::update(&pool, &engine.secrets, &admin, patch)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;

        let client = Upstream::new(&sim.base_url(), Some(&secret));
        let now = db::now_ms();
        let mut tx = pool.begin().await?;
        let mut pairs = Vec::with_capacity(n);
        for i in 0..n {
            let prompt = format!("bench picture {i}");
            let req = wire::ImagineRequest {
                prompt: &prompt,
                bot_type: None,
                notify_hook: None,
                state: None,
                account_filter: None,
            };
            let (SubmitOutcome::Accepted { id } | SubmitOutcome::Queued { id, .. }) =
                client.imagine(&req).await?
            else {
                anyhow::bail!("the simulator refused a bench task");
            };
            let task_id = db::new_id();
            let task = db::tasks::NewTask {
                id: &task_id,
                user_id: &session.me.user.id,
                parent_id: None,
                action: "imagine",
                custom_id: None,
                mode: "fast",
                prompt: &prompt,
                cost: 0,
            };
            db::tasks::insert(&mut tx, &task, now).await?;
            pairs.push((task_id, id));
        }
        tx.commit().await?;
        for (task_id, up) in &pairs {
            db::tasks::mark_submitted(&pool, task_id, up, now).await?;
        }

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
            "| {n} | {requests} | {:.1} | {:.1} | {:.1} |",
            median(&mut times),
            median(&mut cpu),
            rss_mb()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
    history(
        if quick { 2_000 } else { 100_000 },
        if quick { 20 } else { 200 },
    )
    .await?;
    Ok(())
}

/// Server render of /history (first page and a page deep in the past) with `n` tasks stored.
async fn history(n: usize, samples: usize) -> anyhow::Result<()> {
    let dir = tempfile_dir()?;
    let mut config = Config::for_tests(dir.clone());
    config.run_worker = false;
    let app = Application::build(config).await?;
    let pool = app.state().pool.clone();
    let base = format!("http://127.0.0.1:{}", app.port());
    let session =
        atelier::services::accounts::sign_up(&pool, "Bench", "bench@example.com", "bench password")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Another user's tasks too, so the per-user index matters.
    let other =
        atelier::services::accounts::sign_up(&pool, "Other", "other@example.com", "bench password")
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
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
        let prompt = format!("a lighthouse at dusk number {i} --ar 3:2");
        let task = db::tasks::NewTask {
            id: &id,
            user_id: user,
            parent_id: None,
            action: "imagine",
            custom_id: None,
            mode: "relax",
            prompt: &prompt,
            cost: 2,
        };
        db::tasks::insert(&mut tx, &task, now + i as i64).await?;
        if i == n / 2 {
            middle = id;
        }
    }
    tx.commit().await?;
    tokio::spawn(app.run_until(std::future::pending()));
    let client = reqwest::Client::new();
    let cookie = format!("atelier_session={}", session.token);
    println!();
    println!("| /history server render, {n} tasks | p50 ms | p99 ms |");
    println!("| --- | ---: | ---: |");
    for (name, path) in [
        ("first page", "/history".to_owned()),
        ("deep page", format!("/history?before={middle}")),
        ("search", "/history?q=number%2012345".to_owned()),
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
        times.sort_by(|a, b| a.total_cmp(b));
        let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
        println!("| {name} | {:.2} | {:.2} |", times[times.len() / 2], p99);
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn bearer(token: &str) -> axum::http::HeaderMap {
    let mut h = axum::http::HeaderMap::new();
    if let Ok(v) = format!("Bearer {token}").parse() {
        h.insert(axum::http::header::AUTHORIZATION, v);
    }
    h
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
