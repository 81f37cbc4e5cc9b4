//! The `gcm-catalogue` command line. Every setting is a flag and an environment variable
//! (see [`crate::config`]); `COMMAND --help` lists the ones that command takes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gcm_store::catalogue::ImportError;

use crate::config::{CommonArgs, ListenArgs, ServeArgs};
use crate::{Config, commands};

/// Shown under every command's help: a literal (via a macro) so `concat!` can use it. It
/// names no variables itself: each flag above it shows its own (`[env: NAME]`), and the
/// README holds the full table.
macro_rules! environment {
    () => {
        "\
Configuration: every flag is also the environment variable shown beside it as [env: NAME]
(the flag wins); each command lists only the flags it takes. All settings, with defaults
and meanings: README.md, section \"Configuration\".
Without DATABASE_URL, gcm-catalogue runs a private PostgreSQL cluster under GCM_DATA_DIR,
which needs PostgreSQL's server programs (Debian/Ubuntu: apt-get install postgresql);
one `serve` per GCM_DATA_DIR (a second one exits naming the first's PID).
`gcm-catalogue doctor` checks what a first start needs, changing nothing."
    };
}

macro_rules! serve_examples {
    () => {
        "\
Examples:
  gcm-catalogue serve
      embedded PostgreSQL under ./.gcm-data (as root: /var/lib/gcm-catalogue),
      API at http://127.0.0.1:8080/graphql
  DATABASE_URL=postgres://gcm@db.internal/gcm GCM_LISTEN=0.0.0.0:8080 gcm-catalogue serve
  curl -s localhost:8080/graphql -H 'content-type: application/json' -d '{\"query\":\"{ __typename }\"}'

Endpoints:
  /graphql  GraphQL (POST or GET; open it in a browser for GraphiQL); curation needs
            `Authorization: Bearer <secret>` (see `gcm-catalogue keys`)
  /graphql/ws  GraphQL subscriptions over WebSocket (graphql-transport-ws)
  /healthz  200 while the process runs
  /readyz   200 when the database answers and is migrated, 503 with the reason otherwise
  /metrics  Prometheus metrics"
    };
}

/// `gcm-catalogue --version`: the version and the commit it was built from (`build.rs`).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("GCM_GIT_COMMIT"),
    ")"
);

// After the help-text macros, which the submodules use too.
mod keys;
mod logs;

pub use keys::KeysCommand;
use logs::init_tracing;

#[derive(Debug, Parser)]
#[command(
    name = "gcm-catalogue",
    version = VERSION,
    about = "GraphQL service for the knowledge base of the Global Compact for Migration (GCM)",
    long_about = "GraphQL service for the knowledge base of the Global Compact for Migration (GCM).\n\n\
        Start here: `gcm-catalogue serve` runs the whole service with the bundled catalogue, \
        on a private PostgreSQL it creates under ./.gcm-data, or /var/lib/gcm-catalogue as root \
        (nothing to configure, nothing \
        downloaded), or on the database in DATABASE_URL.",
    after_help = environment!(),
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Command,
}

// One value per process: `serve`'s many settings need no box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (migrates and loads the bundled catalogue first)
    #[command(
        long_about = "Serve the GraphQL API at /graphql, with /healthz, /readyz and /metrics.\n\n\
            At start it applies pending migrations and, when the database holds no catalogue, \
            imports the catalogue bundled into the binary. Once the socket is bound it prints \
            one line, `listening on http://ADDR`, to stdout. SIGINT or SIGTERM stops it \
            gracefully (and stops the embedded PostgreSQL if it started it).",
        after_help = concat!(serve_examples!(), "\n\n", environment!())
    )]
    Serve(ServeArgs),
    /// Apply pending database migrations and print the ones applied
    #[command(
        long_about = "Apply the pending database migrations (compiled into the binary) and print \
            each one applied. `serve` does this by itself at start; run it alone to migrate \
            before a deployment.",
        after_help = concat!("Examples:\n  gcm-catalogue migrate\n  DATABASE_URL=postgres://gcm@db.internal/gcm gcm-catalogue migrate\n\n", environment!())
    )]
    Migrate,
    /// Replace the stored catalogue with the JSON files in DIR (all or nothing)
    #[command(
        long_about = "Validate the catalogue files in DIR (the format of data/catalogue/) and, only \
            if every file is valid, replace the stored catalogue in one transaction. Pending \
            migrations are applied first. When the input is refused, every problem is printed \
            to stderr as `file: path: message` and nothing is written (exit status 1).",
        after_help = concat!("Examples:\n  gcm-catalogue import data/catalogue\n  gcm-catalogue export /tmp/cat && gcm-catalogue import /tmp/cat\n\n", environment!())
    )]
    Import {
        /// Directory with the catalogue's JSON files
        dir: PathBuf,
    },
    /// Write the stored catalogue to DIR as JSON files (the import format)
    #[command(
        long_about = "Write the stored catalogue to DIR in the format `import` reads, so an export \
            imported again gives the same catalogue.",
        after_help = concat!("Examples:\n  gcm-catalogue export ./catalogue-backup\n\n", environment!())
    )]
    Export {
        /// Directory to write the JSON files into (created if missing)
        dir: PathBuf,
    },
    /// Add a labelled synthetic catalogue (load tests only; never GCM content)
    #[command(
        long_about = "Add synthetic items, links and guidance sources, every one labelled synthetic \
            (slugs `synthetic-…`), for load tests. Migrates and imports the bundled catalogue \
            first when the database holds none. Runs once per database. Sizes: S (the bundled \
            catalogue alone), M (10,000 items), L (1,000,000 items, ~5,000,000 links).",
        after_help = concat!("Examples:\n  gcm-catalogue generate --size M --seed 42\n  gcm-catalogue generate --items 50000\n\n", environment!())
    )]
    Generate {
        /// Benchmark size: S, M or L
        #[arg(long, conflicts_with = "items", value_parser = ["S", "M", "L", "s", "m", "l"])]
        size: Option<String>,
        /// Number of items to generate
        #[arg(long)]
        items: Option<i32>,
        /// Seed: the same seed gives the same catalogue
        #[arg(long, default_value_t = 42)]
        seed: i64,
    },
    /// Manage API keys: create (prints the secret once), list, revoke
    #[command(
        subcommand,
        after_help = concat!("Examples:\n  gcm-catalogue keys create --name unhcr-reviewer --role reviewer --affiliation internal\n  gcm-catalogue keys list\n  gcm-catalogue keys revoke unhcr-reviewer\n\n", environment!())
    )]
    Keys(KeysCommand),
    /// Print the GraphQL schema (SDL) to stdout; needs no database
    #[command(after_help = concat!("Examples:\n  gcm-catalogue schema > schema.graphql\n  gcm-catalogue schema --client > schema.client.graphql\n\n", environment!()))]
    Schema {
        /// The client-facing schema (as clients see it through a router: no federation
        /// link, directives or fields), for Relay and codegen tools
        #[arg(long)]
        client: bool,
    },
    /// Check, changing nothing, what a first start needs (PostgreSQL, data directory, port,
    /// DATABASE_URL)
    #[command(
        long_about = "Check, without changing anything, what a first start needs: PostgreSQL's \
            server programs (where, which version), the data directory of the embedded \
            cluster (whether it exists, who owns it, whether PostgreSQL can reach it), whether \
            the listen address is free, and DATABASE_URL when given (does it connect, is it \
            migrated). One line per check, OK, WARN or FAIL, with what to do. Exit status 0 \
            when nothing FAILs, 1 otherwise.",
        after_help = concat!("Examples:\n  gcm-catalogue doctor\n  DATABASE_URL=postgres://gcm@db.internal/gcm GCM_LISTEN=0.0.0.0:8080 gcm-catalogue doctor\n\n", environment!())
    )]
    Doctor {
        #[command(flatten)]
        listen: ListenArgs,
    },
}

/// Runs the parsed command line; the exit status says whether it succeeded.
pub fn main(cli: Cli) -> ExitCode {
    let serving = matches!(cli.command, Command::Serve(_));
    let logs = init_tracing(&cli.common.log_filter, cli.common.log_format, serving);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(execute(cli));
    // Export the spans and flush the log lines still queued before the final word.
    drop(logs);
    match outcome {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure) => ExitCode::FAILURE,
        Err(e) => {
            report(&e);
            ExitCode::FAILURE
        }
    }
}

/// How a command that ran to its end went: `doctor` fails without an error of its own.
enum Outcome {
    Success,
    Failure,
}

async fn execute(cli: Cli) -> anyhow::Result<Outcome> {
    let config = Config::new(cli.common);
    match cli.command {
        Command::Serve(serve) => crate::run(config.with_serve(serve)).await?,
        Command::Doctor { listen } => {
            let healthy = crate::doctor::run(&config.with_listen(listen)).await;
            if !healthy {
                return Ok(Outcome::Failure);
            }
        }
        Command::Migrate => {
            let applied = commands::migrate(&config).await?;
            if applied.is_empty() {
                println!("no pending migrations: the database is up to date");
            }
            for version in applied {
                println!("applied {version}");
            }
        }
        Command::Import { dir } => {
            let summary = commands::import(&config, &dir).await?;
            println!(
                "imported {}: {} objectives, {} guiding principles, {} regions, {} countries, \
                 {} document types, {} instruments, {} guidance sources, {} items",
                dir.display(),
                summary.objectives,
                summary.principles,
                summary.regions,
                summary.countries,
                summary.document_types,
                summary.instruments,
                summary.guidance_sources,
                summary.items
            );
        }
        Command::Export { dir } => {
            commands::export(&config, &dir).await?;
            println!("exported the catalogue to {}", dir.display());
        }
        Command::Generate { size, items, seed } => {
            let size = match (size, items) {
                (Some(name), _) => gcm_store::synthetic::SyntheticSize::named(&name)
                    .ok_or_else(|| anyhow::anyhow!("unknown size {name}"))?,
                (None, Some(items)) => gcm_store::synthetic::SyntheticSize::items(items),
                (None, None) => anyhow::bail!("give --size or --items"),
            };
            let elapsed = commands::generate(&config, size, seed).await?;
            println!(
                "generated {} synthetic items in {:.1} s",
                size.items,
                elapsed.as_secs_f64()
            );
        }
        Command::Keys(command) => keys::run(config, command).await?,
        Command::Schema { client } => {
            print!("{}", commands::schema(client)?);
        }
    }
    Ok(Outcome::Success)
}

/// Prints an error for a person: every problem of a refused import on its own line.
fn report(error: &anyhow::Error) {
    if let Some(ImportError::Invalid(problems)) = error.downcast_ref::<ImportError>() {
        for problem in problems {
            eprintln!("{problem}");
        }
    }
    eprintln!("error: {error:#}");
}
