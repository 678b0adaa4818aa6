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
    /// Manage case officers' accounts.
    Officer {
        #[command(subcommand)]
        command: OfficerCommand,
    },
}

#[derive(Subcommand)]
enum OfficerCommand {
    /// Add an account. The password is read from REVIEWWATCH_PASSWORD, or else from the first
    /// line of standard input; never from a flag, which would leave it in the shell history.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "officer", value_parser = ["officer", "supervisor"])]
        role: String,
    },
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
        Command::Officer {
            command: OfficerCommand::Add { email, name, role },
        } => {
            let password = match std::env::var("REVIEWWATCH_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprintln!("password (one line on standard input):");
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let (pool, _) = open_database(&settings).await?;
            let id = reviewwatch::workflow::accounts::add_officer(
                &pool, &email, &name, &role, &password,
            )
            .await?;
            println!(
                "officer {id} added: {} ({role})",
                email.trim().to_lowercase()
            );
        }
    }
    Ok(())
}
