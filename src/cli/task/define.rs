//! `stockura task define`.

use anyhow::Result;
use clap::Args;

use super::super::Ctx;
use super::super::output::{Output, TaskView};
use super::read_json_arg;
use crate::domain::DomainError;
use crate::domain::task::{self, Violation};
use crate::store::{ScheduleFilter, ScheduleStore, TaskStore};
use crate::sync::{ChangeEvent, EventKind};

/// Arguments of `task define`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura task define app.tasks.fetch_listed_info --schema schema.json --category market\n  stockura task define app.tasks.report --description 'Nightly report'\n  stockura task define app.tasks.report --schema none"
)]
pub struct DefineArgs {
    /// Full Celery task name, e.g. app.tasks.fetch_listed_info_task_asyncpg
    #[arg(value_name = "TASK")]
    pub task: String,

    /// JSON Schema of the kwargs: a file, '-' for standard input, or inline JSON; 'none' removes
    /// it. Omitted: a defined task keeps its schema
    #[arg(long, value_name = "FILE|-|JSON|none")]
    pub schema: Option<String>,

    /// Default category of the task's schedules ('' removes it; omitted: kept)
    #[arg(long)]
    pub category: Option<String>,

    /// Free-text description ('' removes it; omitted: kept)
    #[arg(long)]
    pub description: Option<String>,

    /// Replace the schema even though existing schedules of the task would break it
    #[arg(long)]
    pub force: bool,

    /// Validate and show the definition as it would be, without writing anything
    #[arg(long)]
    pub dry_run: bool,
}

/// Validates the schema, checks every existing schedule of the task against it, then writes.
pub async fn run(ctx: &Ctx, args: DefineArgs) -> Result<Output> {
    // `none` removes the schema; anything else is read as JSON (a file, stdin or inline).
    let schema = match args.schema.as_deref().map(str::trim) {
        None => None,
        Some("none") => Some(None),
        Some(text) => Some(Some(read_json_arg("--schema", text)?)),
    };
    let store = ctx.store().await?;
    // Re-defining a task changes what is given and keeps the rest.
    let existing = store.get_task(args.task.trim()).await?;
    let keep = |given: Option<String>, old: Option<String>| match given {
        Some(value) => Some(value),
        None => old,
    };
    let schema = match schema {
        Some(given) => given,
        None => existing.as_ref().and_then(|e| e.parameter_schema.clone()),
    };
    let (new, compiled) = task::validate_definition(
        &args.task,
        schema,
        keep(
            args.category,
            existing.as_ref().and_then(|e| e.category.clone()),
        ),
        keep(
            args.description,
            existing.as_ref().and_then(|e| e.description.clone()),
        ),
    )?;
    let filter = ScheduleFilter {
        task_name: Some(new.task_name.clone()),
        ..Default::default()
    };
    let schedules = store.list_schedules(&filter).await?;
    let mut broken: Vec<(String, Violation)> = Vec::new();
    if let Some(compiled) = &compiled {
        for s in &schedules {
            if let Some(first) = compiled.violations(&s.kwargs).into_iter().next() {
                broken.push((format!("{} {}", s.id, s.name), first));
            }
        }
    }
    if !broken.is_empty() && !args.force {
        let lines: String = broken
            .iter()
            .map(|(who, v)| format!("\n  {who}: {v}"))
            .collect();
        return Err(DomainError::new(
            format!(
                "the new schema would make {} of the {} schedules of {} invalid; nothing was written:{lines}",
                broken.len(),
                schedules.len(),
                new.task_name
            ),
            "fix those schedules first (`stockura schedule update REF --param …`), or pass --force to replace the schema anyway",
        )
        .into());
    }
    if args.dry_run {
        let (definition, created) = store.preview_upsert_task(&new).await?;
        return Ok(Output::DryRun(Box::new(Output::TaskDefined {
            task: TaskView {
                task: definition,
                schedule_count: schedules.len() as i64,
            },
            created,
            invalid_schedules: broken.len(),
        })));
    }
    let (definition, created) = store.upsert_task(&new).await?;
    let event = ChangeEvent::task(
        EventKind::TaskDefinitionUpdated,
        &definition.task_name,
        chrono::Utc::now(),
    );
    ctx.publish(&store, vec![event]).await;
    let view = TaskView {
        task: definition,
        schedule_count: schedules.len() as i64,
    };
    Ok(Output::TaskDefined {
        task: view,
        created,
        invalid_schedules: broken.len(),
    })
}
