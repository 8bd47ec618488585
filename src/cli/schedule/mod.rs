//! `stockura schedule …`.

mod add;
mod backfill;
mod delete;
mod export;
mod guided;
mod list;
mod next;
mod show;
mod targets;
mod toggle;
mod trigger;
mod update;

use anyhow::Result;
use clap::Subcommand;
use serde_json::Number;

use super::Ctx;
use super::args::ScheduleFields;
use super::output::{Output, Toggle};
use crate::domain::{DomainError, params};
use crate::error::CliError;

/// Schedule subcommands.
#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Create a schedule
    Add(add::AddArgs),
    /// List schedules with their next run
    #[command(visible_alias = "ls")]
    List(list::ListArgs),
    /// Show every field of a schedule and its next 5 runs
    Show(show::ShowArgs),
    /// Change some fields of a schedule (only what is given changes)
    Update(update::UpdateArgs),
    /// Delete schedules (asks on a terminal; --yes otherwise)
    #[command(visible_alias = "rm")]
    Delete(delete::DeleteArgs),
    /// Enable schedules (paused ones too)
    #[command(
        after_help = "Examples:\n  stockura schedule enable nightly-report\n  stockura schedule enable --tag billing --dry-run\n  stockura schedule enable --category reports --yes"
    )]
    Enable(toggle::ToggleArgs),
    /// Disable schedules (recording who and when)
    #[command(
        after_help = "Examples:\n  stockura schedule disable nightly-report\n  stockura schedule disable --category reports --dry-run\n  stockura schedule disable --task fetch_listed_info_task_asyncpg --yes"
    )]
    Disable(toggle::ToggleArgs),
    /// Disable schedules saying why, and optionally until when (the leading run-beat resumes
    /// them then)
    #[command(
        after_help = "Examples:\n  stockura schedule pause nightly-report --reason 'backfill, see OPS-123' --until 2h\n  stockura schedule pause --tag billing --reason 'invoice freeze' --dry-run\n  stockura schedule pause --category reports --reason upgrade --until 2026-12-08T06:00:00Z --yes"
    )]
    Pause(toggle::PauseArgs),
    /// Enable paused or disabled schedules again (the same as enable)
    #[command(
        after_help = "Examples:\n  stockura schedule resume nightly-report\n  stockura schedule resume --tag billing --dry-run\n  stockura schedule resume --all --yes"
    )]
    Resume(toggle::ToggleArgs),
    /// Preview fire times of a schedule or of a cron expression
    Next(next::NextArgs),
    /// Send one run now (optionally wait for its result)
    Trigger(trigger::TriggerArgs),
    /// Send the past slots of a range that were not dispatched, once each, in order, at a pace
    Backfill(backfill::BackfillArgs),
    /// Write the selected schedules as an editable document (YAML or JSON, keyed by name)
    Export(export::ExportArgs),
}

/// Runs a schedule subcommand.
pub async fn run(ctx: &Ctx, cmd: ScheduleCommand) -> Result<Output> {
    match cmd {
        ScheduleCommand::Add(args) => add::run(ctx, args).await,
        ScheduleCommand::List(args) => list::run(ctx, args).await,
        ScheduleCommand::Show(args) => show::run(ctx, args).await,
        ScheduleCommand::Update(args) => update::run(ctx, args).await,
        ScheduleCommand::Delete(args) => delete::run(ctx, args).await,
        ScheduleCommand::Enable(args) => toggle::toggle(ctx, args, Toggle::Enable).await,
        ScheduleCommand::Disable(args) => toggle::toggle(ctx, args, Toggle::Disable).await,
        ScheduleCommand::Pause(args) => toggle::pause(ctx, args).await,
        ScheduleCommand::Resume(args) => toggle::toggle(ctx, args, Toggle::Resume).await,
        ScheduleCommand::Next(args) => next::run(ctx, args).await,
        ScheduleCommand::Trigger(args) => trigger::run(ctx, args).await,
        ScheduleCommand::Backfill(args) => backfill::run(ctx, args).await,
        ScheduleCommand::Export(args) => export::run(ctx, args).await,
    }
}

/// The parsed forms of the flags `add` and `update` share.
struct ParsedFields {
    args: Option<Vec<serde_json::Value>>,
    kwargs: Option<serde_json::Map<String, serde_json::Value>>,
    params: Vec<(String, serde_json::Value)>,
    policy: Option<crate::domain::ExecutionPolicy>,
    expires: Option<Number>,
}

impl ScheduleFields {
    /// Replaces `--args`/`--kwargs` given as a file or `-` (standard input) by their text, once,
    /// before anything is parsed or asked.
    fn read_inputs(&mut self) -> Result<(), CliError> {
        for (flag, value) in [("--args", &mut self.args), ("--kwargs", &mut self.kwargs)] {
            if let Some(text) = value.as_mut() {
                *text = super::task::read_arg_text(flag, text)?.0;
            }
        }
        Ok(())
    }

    /// Parses the JSON, `--param`, policy and expires flags; the first bad one is reported.
    fn parse(&self) -> Result<ParsedFields, DomainError> {
        Ok(ParsedFields {
            args: self.args.as_deref().map(params::parse_args).transpose()?,
            kwargs: self
                .kwargs
                .as_deref()
                .map(params::parse_kwargs)
                .transpose()?,
            params: self
                .params
                .iter()
                .map(|p| params::parse_param(p))
                .collect::<Result<_, _>>()?,
            policy: self.policy.as_deref().map(str::parse).transpose()?,
            expires: self.expires.as_deref().map(parse_expires).transpose()?,
        })
    }
}

/// The refusal of `trigger` and `backfill` for a row that cannot run as stored (the check
/// run-beat makes): it is never sent with values read as empty.
fn cannot_run(name: &str, problems: &[String]) -> CliError {
    CliError::invalid(
        format!(
            "'{name}' cannot run as stored; nothing was sent:\n  {}",
            problems.join("\n  ")
        ),
        "fix the row with `stockura schedule update` (e.g. --kwargs '{…}', --cron, --tz), \
         or with SQL if another program wrote it",
    )
}

fn parse_expires(text: &str) -> Result<Number, DomainError> {
    text.trim().parse::<Number>().map_err(|_| {
        DomainError::new(
            format!("--expires '{text}' is not a number of seconds"),
            "give seconds as a number, e.g. --expires 300",
        )
    })
}

/// Notes that no definition applies to `task`, when the database has task definitions at all
/// (without any, nothing is checked anywhere and the note would only be noise).
async fn note_undefined(ctx: &Ctx, store: &crate::store::AnyStore, task: &str) -> Result<()> {
    use crate::store::TaskStore;
    if !store.list_tasks(None).await?.is_empty() {
        ctx.note(crate::domain::task::no_definition_note(task));
    }
    Ok(())
}
