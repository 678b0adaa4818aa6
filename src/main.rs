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
    /// Check a handoff package: every file against SHA256SUMS and the signature against the
    /// portal's public key. Exit code 0 only when everything holds.
    Verify {
        /// The package (.zip).
        package: std::path::PathBuf,
        /// The portal's public key (PEM). Default: the public half of this portal's signing key.
        #[arg(long)]
        key: Option<std::path::PathBuf>,
    },
    /// Print the public key that handoff packages are signed with (PEM) and its fingerprint.
    SigningKey,
    /// Copy the database (SQLite), evidence, handoff packages and signing key into a new folder
    /// (from the data folder or from object storage).
    Backup {
        /// The folder to create (default: DATA_DIR/backups/<UTC time>).
        #[arg(long)]
        to: Option<std::path::PathBuf>,
    },
    /// Put a backup folder back: the SQLite database into an empty data folder, every file into
    /// the storage (each checked against its SHA-256), the signing key. PostgreSQL's database
    /// comes back with pg_restore.
    Restore {
        /// The folder `backup` wrote.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// The official working-day calendar: which years are loaded, and loading a new one.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Manage case officers' accounts.
    Officer {
        #[command(subcommand)]
        command: OfficerCommand,
    },
    /// Fill the database with demo officers and realistic cases (mails nobody). Prints the
    /// officers' logins and a case number with its receipt code to try tracking.
    SeedDemo {
        /// How many cases to write (1,000,000 takes minutes).
        #[arg(long, default_value_t = reviewwatch::seed::DEFAULT_CASES)]
        cases: usize,
        /// The same seed writes the same cases (passwords and receipt codes are always random).
        #[arg(long, default_value_t = reviewwatch::seed::DEFAULT_SEED)]
        seed: u64,
        /// How many distinct screenshots the cases share (more: fewer "same screenshot" links).
        #[arg(long, default_value_t = reviewwatch::seed::IMAGE_POOL as u16,
              value_parser = clap::value_parser!(u16).range(1..=1000))]
        images: u16,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Load a year file (the State Council's 放假调休 notice as JSON, in the form of
    /// src/domain/facts/cn-workdays-2026.json): checked, then in force at once on every instance;
    /// open deadlines it moves are counted again and audited.
    Import {
        /// The year file (.json).
        file: std::path::PathBuf,
    },
    /// List the years with an official calendar, and how this year and the next are counted.
    List,
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

/// `reviewwatch calendar …`: the exit code (0 done, 1 the file was refused, 2 it cannot be read).
async fn calendar_command(settings: &Settings, command: CalendarCommand) -> anyhow::Result<i32> {
    use reviewwatch::db::{self, calendar::Origin};
    use reviewwatch::domain::calendar_file;
    use reviewwatch::workflow::calendar::{Loaded, load_year};
    let (pool, _) = open_database(settings).await?;
    match command {
        CalendarCommand::Import { file } => {
            let bytes = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("cannot read {}: {e}", file.display());
                    return Ok(2);
                }
            };
            let year_file = match calendar_file::parse(&bytes) {
                Ok(f) => f,
                Err(problems) => {
                    eprintln!("{} is refused; nothing was changed:", file.display());
                    for p in problems {
                        eprintln!("  - {p}");
                    }
                    return Ok(1);
                }
            };
            for (name, day) in year_file.statutory_days_not_off() {
                println!(
                    "note: the statutory holiday {name} on {day} is a working day in this file"
                );
            }
            let outcome = db::run_with(&pool, move |conn| {
                load_year(conn, &year_file, Origin::Command, None)
            })
            .await?;
            match outcome {
                Loaded::AlreadyInForce { year } => {
                    println!("{year}: this file is already the official calendar; nothing changed")
                }
                Loaded::Loaded { year, moved } => println!(
                    "{year}: loaded as the official calendar, in force now; {moved} open deadline(s) moved"
                ),
            }
        }
        CalendarCommand::List => print_calendar(&pool).await?,
    }
    Ok(0)
}

/// `reviewwatch calendar list`: each official year with where it came from and when it was
/// loaded (RFC 3339, UTC), then this year and the next if they are not official.
async fn print_calendar(pool: &reviewwatch::db::DbPool) -> anyhow::Result<()> {
    use reviewwatch::db;
    use reviewwatch::domain::workdays::YearStatus;
    let (history, cal) = db::run(pool, |conn| {
        Ok((db::calendar::history(conn)?, db::calendar::current(conn)?))
    })
    .await?;
    let mut seen = std::collections::BTreeSet::new();
    for row in history.iter().filter(|r| seen.insert(r.year)) {
        println!(
            "{}  official  {} ({}, {})",
            row.year,
            row.source,
            row.origin,
            reviewwatch::domain::china_time::utc_rfc3339(&row.imported_at)
        );
    }
    let this_year = chrono::Datelike::year(&reviewwatch::domain::china_date(db::now()));
    for year in [this_year, this_year + 1] {
        match cal.year_status(year) {
            YearStatus::Official => {}
            YearStatus::Provisional => println!(
                "{year}  provisional  statutory holidays and 补假 only, until the official notice is imported"
            ),
            YearStatus::WeekdaysOnly => println!("{year}  Monday to Friday only"),
        }
    }
    Ok(())
}

/// The log on stdout. Lines are written by a thread of their own, in buffered batches, so that
/// a request never waits on the terminal or the log file (the access log writes a line per
/// request). The returned guard writes out what is left when `main` returns.
fn init_tracing() -> tracing_appender::non_blocking::WorkerGuard {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        // Back-pressure rather than dropping lines when the writer falls behind, after at most
        // 16,384 lines waiting (~6 MiB). The default, 128,000, let the access log alone hold
        // 40–50 MiB when a page was served at 80,000 requests a second faster than the lines
        // reached the disk (the benchmark's peak RSS serving pages: 79–82 MiB, goal 64).
        .lossy(false)
        .buffered_lines_limit(16_384)
        .finish(std::io::BufWriter::new(std::io::stdout()));
    // Plain lines, for a terminal too (tracing-subscriber is built without its "ansi" feature).
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(writer)
        .init();
    guard
}

fn main() -> anyhow::Result<()> {
    // Before the runtime starts its threads (see `memory`).
    reviewwatch::memory::tune_allocator();
    if !reviewwatch::db::sqlite_process::configure() {
        eprintln!("SQLite's process settings were refused; it runs with its defaults");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let log = init_tracing();
    let cli = Cli::parse();
    let settings = Settings::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings).await?;
            println!("ReviewWatch: {}", app.base_url());
            app.run_until_stopped().await?;
        }
        Command::Verify { package, key } => {
            let code = verify_package(&settings, &package, key.as_deref());
            drop(log);
            std::process::exit(code);
        }
        Command::SigningKey => {
            let storage = settings.storage().map_err(anyhow::Error::msg)?;
            let key = reviewwatch::startup::signing_key(&settings, &storage).await?;
            print!("{}", key.public_pem());
            println!(
                "SHA-256 fingerprint: {}",
                reviewwatch::handoff::signing::fingerprint(&key.verifying_key())
            );
        }
        Command::Backup { to } => {
            let r = reviewwatch::backup::backup(&settings, to).await?;
            match &r.database {
                Some(db) => println!("database: {}", db.display()),
                None => {
                    println!("database: PostgreSQL is not copied here; back it up with pg_dump")
                }
            }
            println!(
                "files: {} ({} bytes) in {}",
                r.files,
                r.bytes,
                r.folder.display()
            );
        }
        Command::Restore { from } => {
            let r = reviewwatch::backup::restore(&settings, &from).await?;
            match &r.database {
                Some(db) => println!("database: {}", db.display()),
                None => println!("database: PostgreSQL is restored with pg_restore"),
            }
            println!("files: {} ({} bytes) restored", r.files, r.bytes);
        }
        Command::Calendar { command } => {
            let code = calendar_command(&settings, command).await?;
            drop(log);
            std::process::exit(code);
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
        Command::SeedDemo {
            cases,
            seed,
            images,
        } => {
            let base_url = reviewwatch::seed::base_url(&settings);
            let options = reviewwatch::seed::Options {
                cases,
                seed,
                images: usize::from(images),
            };
            let summary = reviewwatch::seed::seed_demo(&settings, options, |done, total, took| {
                let rate = done as f64 / took.as_secs_f64().max(0.001);
                eprintln!(
                    "  {done} of {total} cases written ({:.0} s, {rate:.0} cases/s)",
                    took.as_secs_f64()
                );
            })
            .await?;
            print!("{}", summary.render(&base_url));
        }
    }
    Ok(())
}

/// `reviewwatch verify`: prints what holds and what does not, in plain words; 0 only if all holds.
fn verify_package(
    settings: &Settings,
    package: &std::path::Path,
    key: Option<&std::path::Path>,
) -> i32 {
    use reviewwatch::handoff::{signing, verify};
    let public = match key {
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|pem| signing::parse_public_pem(&pem).map_err(|e| e.to_string()))
        {
            Ok(k) => k,
            Err(e) => {
                eprintln!("cannot use the key {}: {e}", path.display());
                return 2;
            }
        },
        None => {
            let path = settings.signing_key_path();
            if !path.exists() {
                eprintln!(
                    "no key given and no portal key at {}: pass --key PUBLIC_KEY.pem (from /.well-known/reviewwatch-signing-key)",
                    path.display()
                );
                return 2;
            }
            match signing::PortalKey::load_or_create(&path) {
                Ok(k) => k.verifying_key(),
                Err(e) => {
                    eprintln!("{e}");
                    return 2;
                }
            }
        }
    };
    // Read as a stream: the package is never held in memory whole.
    let file = match std::fs::File::open(package) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot read {}: {e}", package.display());
            return 2;
        }
    };
    let report = verify::verify(std::io::BufReader::with_capacity(64 * 1024, file), &public);
    println!("package: {}", package.display());
    println!("key fingerprint: {}", signing::fingerprint(&public));
    if report.is_valid() {
        println!(
            "OK: the signature is valid and all {} files match SHA256SUMS ({}).",
            report.files_checked, report.folder
        );
        0
    } else {
        for f in &report.findings {
            println!("FAILED: {f}");
        }
        println!(
            "The package does NOT verify ({} problem(s)).",
            report.findings.len()
        );
        1
    }
}
