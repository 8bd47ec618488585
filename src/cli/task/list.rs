//! `stockura task list`.

use anyhow::Result;
use clap::Args;

use super::super::Ctx;
use super::super::output::{Output, TaskView};
use crate::store::TaskStore;

/// Arguments of `task list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this category
    #[arg(long)]
    pub category: Option<String>,
}

/// Every definition with its number of schedules.
pub async fn run(ctx: &Ctx, args: ListArgs) -> Result<Output> {
    let store = ctx.store().await?;
    let tasks = store.list_tasks(args.category.as_deref()).await?;
    Ok(Output::TaskList(
        tasks
            .into_iter()
            .map(|t| TaskView {
                task: t.task,
                schedule_count: t.schedule_count,
            })
            .collect(),
    ))
}
