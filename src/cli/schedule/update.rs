//! `stockura schedule update`.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::args::ScheduleFields;
use super::super::output::{Output, ScheduleView};
use crate::domain::SchedulePatch;
use crate::domain::reference::ScheduleRef;
use crate::domain::{schedule, task};
use crate::error::CliError;
use crate::store::{self, ScheduleStore, TaskStore};
use crate::sync::{ChangeEvent, EventKind};

/// Arguments of `schedule update`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura schedule update nightly-report --cron '30 2 * * *'\n  stockura schedule update 3f2a --param period_type=weekly --regenerate-name\n  stockura schedule update nightly-report --disabled"
)]
pub struct UpdateArgs {
    /// Schedule id, unique id prefix (4+ hex digits) or exact name
    #[arg(value_name = "REF", add = crate::cli::complete::schedule_names())]
    pub reference: String,

    /// New Celery task name
    #[arg(long = "task", short = 't', value_name = "TASK")]
    pub task: Option<String>,

    /// New cron expression (or an interval such as '@every 30s')
    #[arg(long, short = 'c', value_name = "EXPR", allow_hyphen_values = true)]
    pub cron: Option<String>,

    /// Instead of --cron: every DURATION, such as 30s, 1h30m or 6h/5h
    #[arg(long, value_name = "DURATION", conflicts_with = "cron")]
    pub every: Option<String>,

    #[command(flatten)]
    pub fields: ScheduleFields,

    /// Validate and show the schedule as it would be, without writing anything
    #[arg(long)]
    pub dry_run: bool,

    /// Add a tag (repeatable)
    #[arg(long = "add-tag", value_name = "TAG")]
    pub add_tags: Vec<String>,

    /// Remove a tag (repeatable)
    #[arg(long = "remove-tag", value_name = "TAG")]
    pub remove_tags: Vec<String>,

    /// Remove the description
    #[arg(long, conflicts_with = "description")]
    pub clear_description: bool,

    /// Remove the category
    #[arg(long, conflicts_with = "category")]
    pub clear_category: bool,

    /// Use CELERY_TIMEZONE again instead of the schedule's own zone
    #[arg(long, conflicts_with = "timezone")]
    pub clear_timezone: bool,

    /// Remove every delivery option (queue, priority, expires) before applying the given ones
    #[arg(long)]
    pub clear_options: bool,

    /// Enable the schedule
    #[arg(long, conflicts_with = "disabled")]
    pub enabled: bool,

    /// Disable the schedule
    #[arg(long)]
    pub disabled: bool,

    /// Generate the name again from task, parameters and cron (a name otherwise stays as it
    /// is, given or generated)
    #[arg(long, conflicts_with = "name")]
    pub regenerate_name: bool,
}

/// Reads the schedule, applies the patch, and writes it back unless it changed meanwhile.
pub async fn run(ctx: &Ctx, mut args: UpdateArgs) -> Result<Output> {
    args.fields.read_inputs()?;
    let parsed = args.fields.parse()?;
    let clear = |flag: bool, value: Option<String>| if flag { Some(None) } else { value.map(Some) };
    let patch = SchedulePatch {
        task_name: args.task,
        cron_expression: match &args.every {
            Some(every) => Some(schedule::every_expression(every)?),
            None => args.cron,
        },
        name: args.fields.name,
        timezone: clear(args.clear_timezone, args.fields.timezone),
        args: parsed.args,
        kwargs: parsed.kwargs,
        params: parsed.params,
        description: clear(args.clear_description, args.fields.description),
        category: clear(args.clear_category, args.fields.category),
        tags: if args.fields.tags.is_empty() {
            None
        } else {
            Some(args.fields.tags)
        },
        add_tags: args.add_tags,
        remove_tags: args.remove_tags,
        policy: parsed.policy,
        queue: args.fields.queue,
        priority: args.fields.priority,
        expires: parsed.expires,
        enabled: match (args.enabled, args.disabled) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        jitter: args.fields.jitter,
        clear_options: args.clear_options,
        regenerate_name: args.regenerate_name,
    };
    if patch.is_empty() {
        return Err(CliError::usage(
            "nothing to update: no field was given",
            "pass at least one field, e.g. --cron '0 9 * * *' or --param period_type=weekly",
        )
        .into());
    }
    let store = ctx.store().await?;
    // A short task name that names a definition (its last dotted segment) is written in full.
    let mut patch = patch;
    if let Some(task) = &patch.task_name
        && let Some(def) = store::definition_for(&store, task.trim()).await?
    {
        patch.task_name = Some(def.task_name);
    }
    let current = store::resolve(&store, &ScheduleRef::parse(&args.reference)).await?;
    // First without the definition, to learn the resulting task and kwargs; then with it.
    let (draft, _) = patch.apply(&current, &[])?;
    let definition = store.get_task(&draft.task_name).await?;
    let require = args.fields.require_definition || ctx.settings.require_task_definitions.value;
    let check = task::check_schedule(
        definition.as_ref(),
        require,
        &draft.task_name,
        &draft.kwargs,
    )?;
    if definition.is_none() && !require && patch.task_name.is_some() {
        super::note_undefined(ctx, &store, &draft.task_name).await?;
    }
    let (mut next, name) = patch.apply(&current, &check.param_info)?;
    // Switched off: who and when, as `schedule disable` records them.
    if current.enabled && !next.enabled {
        next.pause = crate::domain::pause::Pause {
            at: Some(Utc::now()),
            by: Some(super::toggle::who()),
            reason: None,
            until: None,
        };
    }
    if next.task_name != current.task_name && patch.category.is_none() && next.category.is_none() {
        next.category = check.category;
    }
    if next == current {
        return Ok(Output::Unchanged(ScheduleView::new(
            &current,
            ctx.settings.timezone.value,
            Utc::now(),
        )));
    }
    if patch.cron_expression.is_some() {
        for warning in schedule::cron_warnings(&next.cron_expression) {
            ctx.note(warning);
        }
    }
    if args.dry_run {
        let would = store
            .preview_update(&next, &name, current.updated_at)
            .await?;
        return Ok(Output::DryRun(Box::new(Output::Updated(
            ScheduleView::new(&would, ctx.settings.timezone.value, Utc::now()),
        ))));
    }
    let updated = store
        .update_schedule(&next, &name, current.updated_at)
        .await?;
    let event = ChangeEvent::schedule(
        EventKind::ScheduleUpdated,
        updated.id,
        &updated.name,
        &updated.task_name,
        Utc::now(),
    );
    ctx.publish(&store, vec![event]).await;
    Ok(Output::Updated(ScheduleView::new(
        &updated,
        ctx.settings.timezone.value,
        Utc::now(),
    )))
}
