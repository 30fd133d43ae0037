//! The `atelier` binary: parses the command line, sets up logging and runs the server.

use atelier::{config, startup};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = <config::Cli as clap::Parser>::parse();
    init_logging();
    match cli.command {
        Some(config::Command::Simulate {
            addr,
            engine,
            secret,
            step_ms,
        }) => {
            let config = atelier::simulator::SimConfig {
                secret,
                step: std::time::Duration::from_millis(step_ms),
                ..atelier::simulator::SimConfig::default()
            };
            simulate(addr, config, engine).await
        }
        Some(config::Command::Migrate) => exit(migrate(cli.serve).await),
        Some(config::Command::Copy {
            to,
            to_storage,
            to_secret_key,
        }) => exit(copy(cli.serve, &to, &to_storage, to_secret_key).await),
        None | Some(config::Command::Serve) => {
            exit(async { run(cli.serve.try_into()?).await }.await)
        }
    }
}

/// Success, or the one-line reason on stderr (and in the log) and a failing exit code.
fn exit(result: anyhow::Result<()>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("atelier: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `atelier copy`: this installation into a new PostgreSQL database and image store.
async fn copy(
    args: config::ServeArgs,
    to: &str,
    to_storage: &str,
    to_secret_key: Option<String>,
) -> anyhow::Result<()> {
    use atelier::{db, images, services::settings::SecretBox};
    // The source is this installation, read as the server reads its configuration.
    let from: config::Config = args.try_into()?;
    let Some(to_key) = to_secret_key
        .filter(|k| !k.trim().is_empty())
        .or(from.secret_key.clone())
    else {
        anyhow::bail!(
            "the new instances need a shared key: pass --to-secret-key (the ATELIER_SECRET_KEY \
             they will use)"
        );
    };
    let to = db::Location::parse(to)?;
    let from_secrets = SecretBox::open(&from.data_dir, from.secret_key.as_deref())?;
    let to_secrets = SecretBox::open(&from.data_dir, Some(&to_key))?;
    let source = db::connect(&from.database).await?;
    let target = db::open(&to).await?;
    let from_images = images::ImageStore::open(&from.storage)?;
    let to_images = images::ImageStore::open(&images::Storage::parse(to_storage)?)?;
    let report = atelier::copy::copy(
        atelier::copy::Side {
            pool: &source,
            images: &from_images,
            secrets: &from_secrets,
        },
        atelier::copy::Side {
            pool: &target,
            images: &to_images,
            secrets: &to_secrets,
        },
    )
    .await?;
    for (table, rows) in &report.rows {
        println!("{table}: {rows} rows");
    }
    println!(
        "images: {} files ({} named but already gone)",
        report.files, report.missing_files
    );
    println!(
        "atelier: copied into {}; start the instances with ATELIER_DATABASE_URL and ATELIER_STORAGE_URL set to it",
        to.describe()
    );
    Ok(())
}

/// `atelier migrate`: the schema brought up to date, nothing served.
async fn migrate(args: config::ServeArgs) -> anyhow::Result<()> {
    let config: config::Config = args.try_into()?;
    if let atelier::db::Location::Sqlite(path) = &config.database
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)?;
    }
    let pool = atelier::db::connect(&config.database).await?;
    pool.close().await;
    println!(
        "atelier: the database {} is up to date",
        config.database.describe()
    );
    Ok(())
}

/// `atelier simulate`: the built-in simulator alone, until SIGINT or SIGTERM.
async fn simulate(
    addr: std::net::SocketAddr,
    config: atelier::simulator::SimConfig,
    engine: Option<atelier::types::EngineKind>,
) -> std::process::ExitCode {
    use atelier::types::EngineKind;
    match atelier::simulator::spawn_engines(addr, config, engine).await {
        Ok(running) => {
            let base = running.base_url();
            match engine {
                Some(EngineKind::Openai) => {
                    tracing::info!("OpenAI Images simulator: base URL {base}/v1");
                }
                Some(kind) => tracing::info!("{} simulator: {base}", kind.label()),
                None => tracing::info!(
                    "simulators: midjourney-proxy {base}, OpenAI Images {base}/openai/v1, \
                     Stable Diffusion WebUI {base}/sd"
                ),
            }
            startup::shutdown_signal().await;
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("atelier simulate: cannot bind {addr}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
}

async fn run(config: config::Config) -> anyhow::Result<()> {
    let app = startup::Application::build(config).await?;
    tracing::info!(
        "Atelier listening on http://{}",
        app.state().leptos_options.site_addr
    );
    app.run_until(startup::shutdown_signal()).await
}
