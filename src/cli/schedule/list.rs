//! `stockura schedule list`.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::output::{Output, ScheduleView};
use crate::store::{ScheduleFilter, ScheduleStore};

/// Arguments of `schedule list`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura schedule list\n  stockura schedule list --task fetch_listed_info_task_asyncpg --enabled\n  stockura schedule list --search report -o json"
)]
pub struct ListArgs {
    #[command(flatten)]
    pub select: crate::cli::args::Selection,

    /// Only enabled schedules
    #[arg(long, conflicts_with = "disabled")]
    pub enabled: bool,

    /// Only disabled schedules
    #[arg(long)]
    pub disabled: bool,

    /// Case-insensitive text in name, task, description or category
    #[arg(long, short = 's', value_name = "TEXT")]
    pub search: Option<String>,
}

/// Lists matching schedules, ordered by name, with their next run.
pub async fn run(ctx: &Ctx, args: ListArgs) -> Result<Output> {
    let filter = ScheduleFilter {
        task: args.select.task,
        task_name: None,
        category: args.select.category,
        tags: args.select.tags,
        enabled: match (args.enabled, args.disabled) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        search: args.search.filter(|s| !s.is_empty()),
    };
    let store = ctx.store().await?;
    let now = Utc::now();
    let tz = ctx.settings.timezone.value;
    let schedules = store.list_schedules(&filter).await?;
    Ok(Output::List(ScheduleView::many(schedules, tz, now)))
}
