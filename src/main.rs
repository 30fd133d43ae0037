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
        Some(other) => {
            eprintln!("atelier: unknown argument {other:?}\n\n{}", config::HELP);
            return std::process::ExitCode::from(2);
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("atelier: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
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
