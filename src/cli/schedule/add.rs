//! `stockura schedule add`.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::args::ScheduleFields;
use super::super::output::{Output, ScheduleView};
use crate::domain::ScheduleInput;
use crate::domain::{schedule, task};
use crate::error::{CliError, ErrorKind};
use crate::store::{self, Creation, ScheduleStore};
use crate::sync::{ChangeEvent, EventKind};

/// Arguments of `schedule add`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura schedule add -t app.tasks.fetch_listed_info -c '0 18 * * 1-5' -p period_type=daily\n  stockura schedule add -t app.tasks.report -c @daily --name nightly-report --if-not-exists\n  stockura schedule add -t app.tasks.sync --every 30s --kwargs params.json --policy skip"
)]
pub struct AddArgs {
    /// Celery task name, e.g. app.tasks.fetch_listed_info_task_asyncpg (asked on a terminal
    /// when missing)
    #[arg(long = "task", short = 't', value_name = "TASK")]
    pub task: Option<String>,

    /// 5-field cron expression or macro, e.g. '0 9 * * mon-fri' or @daily, or an interval
    /// such as '@every 30s' (asked on a terminal when missing)
    #[arg(long, short = 'c', value_name = "EXPR", allow_hyphen_values = true)]
    pub cron: Option<String>,

    /// Instead of --cron: every DURATION, such as 30s, 1h30m or 6h/5h (5 hours into each
    /// 6-hour period); slots are aligned to the Unix epoch in UTC
    #[arg(long, value_name = "DURATION", conflicts_with = "cron")]
    pub every: Option<String>,

    #[command(flatten)]
    pub fields: ScheduleFields,

    /// Create it disabled
    #[arg(long)]
    pub disabled: bool,

    /// When it last ran under another scheduler (RFC 3339, or a duration ago such as 90s):
    /// run-beat then runs its latest slot since then within the catch-up window, at once
    #[arg(long, value_name = "TIME")]
    pub last_run_at: Option<String>,

    /// Add it even when a schedule already does the same job (same task, arguments, cron,
    /// timezone and delivery options); without this such an add is refused (exit 5)
    #[arg(long, conflicts_with = "if_not_exists")]
    pub allow_duplicate: bool,

    /// When a schedule already does the same job, print it and exit 0 without writing
    /// (makes scripts idempotent)
    #[arg(long)]
    pub if_not_exists: bool,

    /// Validate and show the schedule that would be created (its generated name included)
    /// without writing anything
    #[arg(long)]
    pub dry_run: bool,
}

/// Validates everything, then inserts one row. On a terminal, a missing `--task` or `--cron`
/// starts the guided prompt; elsewhere it is a usage error.
pub async fn run(ctx: &Ctx, mut args: AddArgs) -> Result<Output> {
    args.fields.read_inputs()?;
    if let Some(every) = &args.every {
        args.cron = Some(schedule::every_expression(every)?);
    }
    let last_run_at = args
        .last_run_at
        .as_deref()
        .map(|t| schedule::check_last_run_at(t, Utc::now()))
        .transpose()?;
    if args.task.is_none() || args.cron.is_none() {
        if !ctx.interactive {
            let missing: Vec<&str> = [
                args.task.is_none().then_some("--task <TASK>"),
                args.cron.is_none().then_some("--cron <EXPR>"),
            ]
            .into_iter()
            .flatten()
            .collect();
            return Err(CliError::usage(
                format!(
                    "the following required arguments were not provided: {}",
                    missing.join(" ")
                ),
                "give them as flags, or run `stockura schedule add` on a terminal to be asked",
            )
            .into());
        }
        // Flags already given are checked before any question is asked.
        args.fields.parse()?;
        let store = ctx.store().await?;
        super::guided::fill(ctx, &store, &mut args).await?;
    }
    let parsed = args.fields.parse()?;
    let input = ScheduleInput {
        task_name: args.task.unwrap_or_default(),
        cron_expression: args.cron.unwrap_or_default(),
        name: args.fields.name,
        timezone: args.fields.timezone,
        args: parsed.args,
        kwargs: parsed.kwargs,
        params: parsed.params,
        category: args.fields.category,
        tags: args.fields.tags,
        policy: parsed.policy,
        queue: args.fields.queue,
        priority: args.fields.priority,
        expires: parsed.expires,
        description: args.fields.description,
        jitter: args.fields.jitter,
        enabled: !args.disabled,
    };
    let require = args.fields.require_definition || ctx.settings.require_task_definitions.value;
    let mut new = input.validate(&[])?;
    new.last_run_at = last_run_at;
    let store = ctx.store().await?;
    // A short name that names a definition (its last dotted segment) is written in full.
    let definition = store::definition_for(&store, &new.task_name).await?;
    match &definition {
        Some(def) => new.task_name.clone_from(&def.task_name),
        None if !require => super::note_undefined(ctx, &store, &new.task_name).await?,
        None => {}
    }
    let check = task::check_schedule(definition.as_ref(), require, &new.task_name, &new.kwargs)?;
    new.adopt_definition(&check)?;
    for warning in schedule::cron_warnings(&new.cron_expression) {
        ctx.note(warning);
    }
    let creation = if args.dry_run {
        store.preview_create(&new, !args.allow_duplicate).await?
    } else if args.allow_duplicate {
        Creation::Created(store.create_schedule(&new).await?)
    } else {
        store.create_schedule_once(&new).await?
    };
    let created = {
        match creation {
            Creation::Created(created) => created,
            Creation::Exists(existing) => {
                let view = ScheduleView::new(&existing, ctx.settings.timezone.value, Utc::now());
                if args.if_not_exists {
                    return Ok(Output::Existing(view));
                }
                return Err(CliError {
                    message: format!(
                        "schedule '{}' ({}) already does this job: same task, arguments, cron, timezone \
                         and delivery options; nothing was written",
                        existing.name, existing.id
                    ),
                    kind: ErrorKind::Conflict,
                    hint: Some(
                        "pass --if-not-exists to accept the existing one, or --allow-duplicate to add a \
                         second schedule that sends the task again"
                            .into(),
                    ),
                }
                .into());
            }
        }
    };
    let view = ScheduleView::new(&created, ctx.settings.timezone.value, Utc::now());
    if args.dry_run {
        return Ok(Output::DryRun(Box::new(Output::Created(view))));
    }
    let event = ChangeEvent::schedule(
        EventKind::ScheduleCreated,
        created.id,
        &created.name,
        &created.task_name,
        Utc::now(),
    );
    ctx.publish(&store, vec![event]).await;
    Ok(Output::Created(view))
}
