//! The command line: clap types, one module per leaf command, rendering in [`output`].
//! Commands parse, call the domain and the store, and return an [`output::Output`]; they never
//! write SQL and never print directly.

pub mod apply;
pub mod args;
pub mod beat;
pub mod check;
pub mod classify;
pub mod complete;
pub mod confirm;
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
pub mod wiring;

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
    /// Is every enabled schedule healthy: its due slots sent, its latest results not failures
    /// (exit 7 when one is not)
    Check(check::CheckArgs),
    /// Make the database match a schedule document (YAML or JSON): plan, confirm, write
    Apply(apply::ApplyArgs),
    /// Apply pending database migrations; creates a SQLite database that does not exist yet
    Migrate(migrate::MigrateArgs),
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell)
    Completions(docs::CompletionsArgs),
    /// Write the man pages, one per command
    Man(docs::ManArgs),
}

impl Command {
    /// Whether `--output name` has something to print for this command (see
    /// [`output::names`]); checked before the command runs, so a refusal changes nothing.
    fn prints_names(&self) -> bool {
        use schedule::ScheduleCommand as S;
        use task::TaskCommand as T;
        match self {
            Self::Schedule(cmd) => !matches!(**cmd, S::Export(_)),
            Self::Task(cmd) => !matches!(**cmd, T::Validate(_)),
            Self::History(_) | Self::Completions(_) | Self::Man(_) => true,
            Self::Sync(_)
            | Self::RunBeat(_)
            | Self::Beat(_)
            | Self::Diagnose(_)
            | Self::Check(_)
            | Self::Apply(_)
            | Self::Migrate(_) => false,
        }
    }
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
    /// Whether tables print their header line (`--no-headers` turns it off).
    pub headers: bool,
    /// Notes for the user about what the command did (printed on stderr after its output).
    notes: std::sync::Mutex<Vec<String>>,
}

impl Ctx {
    /// Settings, output format and terminal state for one command.
    pub fn new(settings: Settings, format: OutputFormat, interactive: bool) -> Self {
        Self {
            settings,
            format,
            interactive,
            headers: true,
            notes: std::sync::Mutex::default(),
        }
    }

    /// Adds a note for the user (`note: …` on stderr once the command is done), e.g. that a
    /// schedule's parameters could not be checked. Never changes the exit code.
    pub fn note(&self, text: impl Into<String>) {
        let text = text.into();
        let mut notes = self
            .notes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !notes.contains(&text) {
            notes.push(text);
        }
    }

    fn take_notes(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .notes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
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
    if cli.global.output == OutputFormat::Name && !cli.command.prints_names() {
        return Err(crate::error::CliError::usage(
            "--output name prints the ids or names of what a command lists or writes, and this command has none",
            "use --output json (or jsonl); --output name works with `schedule` add, update, list, show, \
             delete, enable, disable, next, trigger and backfill, `task` define, list, show and delete, and `history`",
        )
        .into());
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
    crate::sync::redis_conn::use_transport_options(settings.transport_options.value.clone());
    let mut ctx = Ctx::new(
        settings,
        cli.global.output,
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    );
    ctx.headers = !cli.global.no_headers;
    let result = match cli.command {
        Command::Schedule(cmd) => schedule::run(&ctx, *cmd).await,
        Command::Task(cmd) => task::run(&ctx, *cmd).await,
        Command::Sync(cmd) => sync::run(&ctx, cmd).await,
        Command::Diagnose(args) => diagnose::run(&ctx, args, &problems).await,
        Command::RunBeat(args) => run_beat::run(&ctx, args).await,
        Command::Beat(cmd) => beat::run(&ctx, cmd).await,
        Command::History(args) => history::run(&ctx, args).await,
        Command::Check(args) => check::run(&ctx, args).await,
        Command::Migrate(args) => migrate::run(&ctx, args).await,
        Command::Apply(args) => apply::run(&ctx, args).await,
        Command::Completions(_) | Command::Man(_) => unreachable!("handled before the settings"),
    };
    let notes = ctx.take_notes();
    let out = result.inspect_err(|_| print_notes(&notes))?;
    output::emit(&out, ctx.format, ctx.headers)?;
    print_notes(&notes);
    Ok(out.exit_code())
}

fn print_notes(notes: &[String]) {
    for note in notes {
        eprintln!("note: {note}");
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::Cli;

    /// Splits a shell line into words: single and double quotes, no expansion.
    fn words(line: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut any = false;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), c) => word.push(c),
                (None, '\'' | '"') => {
                    quote = Some(c);
                    any = true;
                }
                (None, c) if c.is_whitespace() => {
                    if any || !word.is_empty() {
                        out.push(std::mem::take(&mut word));
                    }
                    any = false;
                }
                (None, c) => word.push(c),
            }
        }
        if any || !word.is_empty() {
            out.push(word);
        }
        out
    }

    /// Every main command's `--help` ends with two or three examples, each of which parses as
    /// written (after its environment assignments, up to a pipe or a redirection) and fits 98
    /// columns.
    #[test]
    fn help_examples_are_real() {
        let root = Cli::command();
        let mut checked = 0;
        let mut stack: Vec<(Vec<String>, &clap::Command)> = vec![(vec![], &root)];
        let mut missing = Vec::new();
        while let Some((path, cmd)) = stack.pop() {
            for sub in cmd.get_subcommands() {
                let mut p = path.clone();
                p.push(sub.get_name().to_string());
                stack.push((p, sub));
            }
            if path.is_empty() || cmd.has_subcommands() {
                continue;
            }
            let help = cmd
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            let Some((_, examples)) = help.split_once("Examples:") else {
                missing.push(path.join(" "));
                continue;
            };
            let lines: Vec<&str> = examples.lines().filter(|l| !l.trim().is_empty()).collect();
            assert!((2..=3).contains(&lines.len()), "{path:?}: {lines:?}");
            for line in lines {
                assert!(line.len() <= 98, "{path:?}: too wide: {line}");
                let line = line
                    .split(" | ")
                    .next()
                    .unwrap()
                    .split(" > ")
                    .next()
                    .unwrap();
                let mut w = words(line);
                while w
                    .first()
                    .is_some_and(|x| x.contains('=') && !x.starts_with('-'))
                {
                    w.remove(0);
                }
                assert_eq!(w.first().map(String::as_str), Some("stockura"), "{line}");
                let mut rest = w.iter().skip(1);
                assert!(
                    path.iter().all(|p| rest.any(|x| x == p)),
                    "{path:?}: an example of another command: {line}"
                );
                if let Err(e) = Cli::try_parse_from(&w) {
                    panic!("{path:?}: `{line}` does not parse: {e}");
                }
                checked += 1;
            }
        }
        let mains = [
            "schedule add",
            "schedule list",
            "schedule update",
            "schedule trigger",
            "schedule backfill",
            "schedule next",
            "schedule show",
            "schedule export",
            "schedule delete",
            "task define",
            "task validate",
            "run-beat",
            "beat status",
            "history",
            "diagnose",
            "apply",
            "migrate",
            "sync monitor",
        ];
        for main in mains {
            assert!(
                !missing.contains(&main.to_string()),
                "{main} has no examples"
            );
        }
        assert!(checked >= 34, "{checked}");
    }
}
