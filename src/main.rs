//! The `reviewwatch` command: serve the portal, run migrations, and the operator's tools.

use clap::{Parser, Subcommand};
use reviewwatch::config::Settings;
use reviewwatch::startup::{Application, open_database};

#[derive(Parser)]
#[command(name = "reviewwatch", version, about = "ReviewWatch 虚假评价举报平台")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web portal (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .init();
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let cli = Cli::parse();
    let settings = Settings::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings).await?;
            println!("ReviewWatch: {}", app.base_url());
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            open_database(&settings).await?;
            println!("migrations applied: {}", settings.database_url);
        }
    }
    Ok(())
}
