//! The command line: clap types, one module per leaf command, rendering in [`output`].
//! Commands parse, call the domain and the store, and return an [`output::Output`]; they never
//! write SQL and never print directly.

pub mod apply;
pub mod args;
pub mod beat;
pub mod diagnose;
pub mod docs;
pub mod history;
pub mod migrate;
pub mod output;
pub mod progress;
pub mod run_beat;
pub mod schedule;
pub mod sync;
pub mod task;

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::config::{Inputs, Settings};
use crate::store::{AnyStore, OpenMode, ScheduleStore};
use crate::sync::{ChangeEvent, Publisher};
use args::{GlobalArgs, OutputFormat};

/// Administer Celery periodic tasks: schedules in Postgres or an embedded SQLite database.
#[derive(Debug, Parser)]
#[command(
    name = "stockura",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Without DATABASE_URL, stockura uses an embedded SQLite database \
    ($STOCKURA_HOME/stockura.db, else ~/.local/share/stockura/stockura.db), created on first use."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, list, change and preview schedules
    #[command(subcommand)]
    Schedule(Box<schedule::ScheduleCommand>),
    /// Define tasks: a JSON Schema that every schedule's parameters must match
    #[command(subcommand)]
    Task(Box<task::TaskCommand>),
    /// Watch the change events that tell running schedulers about changes
    #[command(subcommand)]
    Sync(sync::SyncCommand),
    /// Run the scheduler: send due schedules to the Celery broker
    RunBeat(run_beat::RunBeatArgs),
    /// The running schedulers: leader, standbys, heartbeats
    #[command(subcommand)]
    Beat(beat::BeatCommand),
    /// What ran, newest first, with the Celery results
    History(history::HistoryArgs),
    /// Check configuration, database, Redis, change events and broker (exit 7 on failure)
    Diagnose(diagnose::DiagnoseArgs),
    /// Make the database match a schedule document (YAML or JSON): plan, confirm, write
    Apply(apply::ApplyArgs),
    /// Apply pending database migrations; creates a SQLite database that does not exist yet
    Migrate(migrate::MigrateArgs),
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell)
    Completions(docs::CompletionsArgs),
    /// Write the man pages, one per command
    Man(docs::ManArgs),
}

/// What every command gets: resolved settings, the output format, and whether a person is
/// at a terminal.
#[derive(Debug)]
pub struct Ctx {
    /// Settings resolved once.
    pub settings: Settings,
    /// `--output`.
    pub format: OutputFormat,
    /// Whether stdin and stderr are terminals (prompts allowed).
    pub interactive: bool,
}

impl Ctx {
    /// Publishes change events for a committed write, when sync is enabled and a Redis URL is
    /// set. Never fails the command: a failure prints one warning on stderr.
    pub async fn publish(&self, store: &AnyStore, mut events: Vec<ChangeEvent>) {
        if events.is_empty() || !self.settings.sync_enabled.value {
            return;
        }
        let Some(url) = &self.settings.redis_url.value else {
            return;
        };
        let version = store.change_version().await.ok().map(|v| v.version);
        for event in &mut events {
            event.version = version;
        }
        let channel = &self.settings.redis_channel.value;
        let timeout = self.settings.redis_timeout.value;
        let result = async {
            let mut publisher = Publisher::connect(url, timeout).await?;
            publisher.publish(channel, &events).await
        }
        .await;
        if let Err(err) = result {
            let cause = std::error::Error::source(&err)
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            eprintln!(
                "warning: the change is saved, but {} change event(s) could not be published on {channel}: {err}{cause}; \
                 running schedulers pick the change up at their next poll",
                events.len()
            );
        }
    }

    /// Opens the configured database, checking that its schema is current.
    pub async fn store(&self) -> Result<AnyStore> {
        self.open(OpenMode::RequireCurrent).await
    }

    async fn open(&self, mode: OpenMode) -> Result<AnyStore> {
        let database = self.settings.database.as_ref().map_err(Clone::clone)?;
        Ok(AnyStore::open(&database.value, mode).await?)
    }
}

/// Resolves settings, runs the command and prints its result.
pub async fn run(cli: Cli) -> Result<ExitCode> {
    // Completions and man pages need neither settings nor a database.
    match &cli.command {
        Command::Completions(args) => return docs::completions(args).map(|()| ExitCode::SUCCESS),
        Command::Man(args) => return docs::man(args).map(|()| ExitCode::SUCCESS),
        _ => {}
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let inputs = Inputs::gather(cli.global.database_url.clone(), cli.global.no_dotenv, &cwd)?;
    // Settings are resolved leniently so that `diagnose` can report every problem; any other
    // command stops at the first.
    let (settings, problems) = Settings::resolve_lenient(&inputs);
    if !matches!(cli.command, Command::Diagnose(_))
        && let Some(first) = problems.first()
    {
        return Err(first.clone().into());
    }
    let ctx = Ctx {
        settings,
        format: cli.global.output,
        interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    };
    let out = match cli.command {
        Command::Schedule(cmd) => schedule::run(&ctx, *cmd).await?,
        Command::Task(cmd) => task::run(&ctx, *cmd).await?,
        Command::Sync(cmd) => sync::run(&ctx, cmd).await?,
        Command::Diagnose(args) => diagnose::run(&ctx, args, &problems).await?,
        Command::RunBeat(args) => run_beat::run(&ctx, args).await?,
        Command::Beat(cmd) => beat::run(&ctx, cmd).await?,
        Command::History(args) => history::run(&ctx, args).await?,
        Command::Migrate(args) => migrate::run(&ctx, args).await?,
        Command::Apply(args) => apply::run(&ctx, args).await?,
        Command::Completions(_) | Command::Man(_) => unreachable!("handled before the settings"),
    };
    output::emit(&out, ctx.format)?;
    Ok(out.exit_code())
}
