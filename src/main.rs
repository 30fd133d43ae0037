//! The `atelier` binary: parses the command line, sets up logging and runs the server.

use atelier::{config, startup};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None | Some("serve") => {}
        Some("-h" | "--help" | "help") => {
            print!("{}", config::HELP);
            return std::process::ExitCode::SUCCESS;
        }
        Some("-V" | "--version") => {
            println!("atelier {}", env!("CARGO_PKG_VERSION"));
            return std::process::ExitCode::SUCCESS;
        }
        Some("simulate") => return simulate(&args[1..]).await,
        Some(other) => return usage(&format!("unknown argument {other:?}")),
    }
    init_logging();
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("atelier: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `atelier simulate --addr HOST:PORT [--secret S] [--step-ms N]`
async fn simulate(args: &[String]) -> std::process::ExitCode {
    init_logging();
    let mut addr = "127.0.0.1:8080".to_owned();
    let mut config = atelier::simulator::SimConfig::default();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().cloned().unwrap_or_default();
        match flag.as_str() {
            "--addr" => addr = value,
            "--secret" => config.secret = value,
            "--step-ms" => match value.parse::<u64>() {
                Ok(ms) if ms > 0 => config.step = std::time::Duration::from_millis(ms),
                _ => return usage(&format!("--step-ms {value:?} is not a positive number")),
            },
            other => return usage(&format!("unknown argument {other:?}")),
        }
    }
    let Ok(addr) = addr.parse() else {
        return usage(&format!("--addr {addr:?} is not HOST:PORT"));
    };
    match atelier::simulator::spawn(addr, config).await {
        Ok(running) => {
            tracing::info!("simulator listening on {}", running.base_url());
            startup::shutdown_signal().await;
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("atelier simulate: cannot bind {addr}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> std::process::ExitCode {
    eprintln!("atelier: {problem}\n\n{}", config::HELP);
    std::process::ExitCode::from(2)
}

fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
}

async fn run() -> anyhow::Result<()> {
    let config = config::Config::from_env().map_err(anyhow::Error::msg)?;
    let app = startup::Application::build(config).await?;
    tracing::info!(
        "Atelier listening on http://{}",
        app.state().leptos_options.site_addr
    );
    app.run_until(startup::shutdown_signal()).await
}
