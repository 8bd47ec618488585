//! `stockura task delete`.

use anyhow::Result;
use clap::Args;

use super::super::Ctx;
use super::super::confirm::confirm;
use super::super::output::{Output, TaskView};
use crate::error::{CliError, ErrorKind};
use crate::store::{self, ScheduleFilter, ScheduleStore, TaskStore};
use crate::sync::{ChangeEvent, EventKind};

/// Arguments of `task delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Task name (full, or its last dotted segment when unique)
    #[arg(value_name = "TASK", add = crate::cli::complete::task_names())]
    pub task: String,

    #[command(flatten)]
    pub yes: super::super::confirm::Yes,

    /// Delete the definition even though schedules use the task (they stay, unvalidated)
    #[arg(long)]
    pub force: bool,
}

/// Refuses while schedules use the task unless `--force`; confirms; deletes the definition.
pub async fn run(ctx: &Ctx, args: DeleteArgs) -> Result<Output> {
    let store = ctx.store().await?;
    let task = store::resolve_task(&store, &args.task).await?;
    let filter = ScheduleFilter {
        task_name: Some(task.task_name.clone()),
        ..Default::default()
    };
    let count = store.list_schedules(&filter).await?.len() as i64;
    if count > 0 && !args.force {
        return Err(CliError {
            message: format!("{count} schedule(s) use task {}; the definition was not deleted", task.task_name),
            kind: ErrorKind::Conflict,
            hint: Some("delete or move those schedules first, or pass --force to delete the definition anyway".into()),
        }
        .into());
    }
    confirm(
        ctx,
        args.yes,
        &format!(
            "Delete the definition of task {} ({count} schedule(s) use it)?\n",
            task.task_name
        ),
    )?;
    store.delete_task(&task.task_name).await?;
    let event = ChangeEvent::task(
        EventKind::TaskDefinitionDeleted,
        &task.task_name,
        chrono::Utc::now(),
    );
    ctx.publish(&store, vec![event]).await;
    Ok(Output::TaskDeleted(TaskView {
        task,
        schedule_count: count,
    }))
}
