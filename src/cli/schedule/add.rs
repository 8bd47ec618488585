//! `stockura schedule add`.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::args::ScheduleFields;
use super::super::output::{Output, ScheduleView};
use crate::domain::ScheduleInput;
use crate::domain::task;
use crate::store::{ScheduleStore, TaskStore};
use crate::sync::{ChangeEvent, EventKind};

/// Arguments of `schedule add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Celery task name, e.g. app.tasks.fetch_listed_info_task_asyncpg
    #[arg(long = "task", short = 't', value_name = "TASK")]
    pub task: String,

    /// 5-field cron expression or macro, e.g. '0 9 * * mon-fri' or @daily
    #[arg(long, short = 'c', value_name = "EXPR", allow_hyphen_values = true)]
    pub cron: String,

    #[command(flatten)]
    pub fields: ScheduleFields,

    /// Create it disabled
    #[arg(long)]
    pub disabled: bool,
}

/// Validates everything, then inserts one row.
pub async fn run(ctx: &Ctx, args: AddArgs) -> Result<Output> {
    let parsed = args.fields.parse()?;
    let input = ScheduleInput {
        task_name: args.task,
        cron_expression: args.cron,
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
        enabled: !args.disabled,
    };
    let require = args.fields.require_definition || ctx.settings.require_task_definitions.value;
    let mut new = input.validate(&[])?;
    let store = ctx.store().await?;
    let definition = store.get_task(&new.task_name).await?;
    let check = task::check_schedule(definition.as_ref(), require, &new.task_name, &new.kwargs)?;
    new.adopt_definition(&check)?;
    let created = store.create_schedule(&new).await?;
    let event = ChangeEvent::schedule(
        EventKind::ScheduleCreated,
        created.id,
        &created.name,
        &created.task_name,
        Utc::now(),
    );
    ctx.publish(&store, vec![event]).await;
    let view = ScheduleView::new(&created, ctx.settings.timezone.value, Utc::now());
    Ok(Output::Created(view))
}
