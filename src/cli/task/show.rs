//! `stockura task show`.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::output::{Output, ScheduleView, TaskView};
use crate::store::{self, ScheduleFilter, ScheduleStore};

/// Arguments of `task show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Task name (full, or its last dotted segment when unique)
    #[arg(value_name = "TASK", add = crate::cli::complete::task_names())]
    pub task: String,
}

/// The definition, its schema and its schedules.
pub async fn run(ctx: &Ctx, args: ShowArgs) -> Result<Output> {
    let store = ctx.store().await?;
    let task = store::resolve_task(&store, &args.task).await?;
    let filter = ScheduleFilter {
        task_name: Some(task.task_name.clone()),
        ..Default::default()
    };
    let schedules = store.list_schedules(&filter).await?;
    let views = ScheduleView::many(schedules, ctx.settings.timezone.value, Utc::now());
    Ok(Output::TaskShow {
        task: TaskView {
            task,
            schedule_count: views.len() as i64,
        },
        schedules: views,
    })
}
