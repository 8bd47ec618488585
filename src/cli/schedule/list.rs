//! `stockura schedule list`.

use std::collections::HashMap;

use anyhow::Result;
use chrono::Utc;
use clap::{Args, ValueEnum};

use super::super::Ctx;
use super::super::output::{Output, ScheduleView};
use crate::config::Redacted;
use crate::store::{RunStore, ScheduleFilter, ScheduleStore};

/// Arguments of `schedule list`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura schedule list --task fetch_listed_info_task_asyncpg --enabled\n  stockura schedule list --sort-by next --limit 10\n  stockura schedule list --category reports -o name | xargs stockura schedule disable"
)]
pub struct ListArgs {
    #[command(flatten)]
    pub select: crate::cli::args::Selection,

    /// Only enabled schedules
    #[arg(long, conflicts_with = "disabled")]
    pub enabled: bool,

    /// Only disabled schedules (paused ones included)
    #[arg(long)]
    pub disabled: bool,

    /// Only paused schedules: switched off with a reason (`schedule pause`)
    #[arg(long, conflicts_with = "enabled")]
    pub paused: bool,

    /// Case-insensitive text in name, task, description or category
    #[arg(long, short = 's', value_name = "TEXT")]
    pub search: Option<String>,

    /// The order of the list (ascending; schedules without the value come last)
    #[arg(long, value_enum, default_value_t = SortBy::Name)]
    pub sort_by: SortBy,

    /// Show at most N schedules, the first N in the list's order
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
}

/// What `schedule list --sort-by` orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortBy {
    /// By name (then creation, then id): the stored order
    Name,
    /// By next run, the soonest first; disabled schedules and those that never run again last
    Next,
    /// By last run, the longest ago first; schedules that never ran last
    Last,
    /// By creation, the oldest first
    Created,
}

/// Orders the views (stable: equal keys keep the name order) and keeps the first `limit`.
fn sort_and_limit(views: &mut Vec<ScheduleView>, by: SortBy, limit: Option<u64>) {
    match by {
        SortBy::Name => {}
        SortBy::Next => views.sort_by_key(|v| (v.next_run_at.is_none(), v.next_run_at)),
        SortBy::Last => {
            views.sort_by_key(|v| (v.schedule.last_run_at.is_none(), v.schedule.last_run_at))
        }
        SortBy::Created => views.sort_by_key(|v| v.schedule.created_at),
    }
    if let Some(n) = limit {
        views.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    }
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
        paused: args.paused,
        search: args.search.filter(|s| !s.is_empty()),
    };
    let store = ctx.store().await?;
    let now = Utc::now();
    let tz = ctx.settings.timezone.value;
    let schedules = store.list_schedules(&filter).await?;
    let mut views = ScheduleView::many(schedules, tz, now);
    sort_and_limit(&mut views, args.sort_by, args.limit);
    add_last_results(ctx, &store, &mut views).await?;
    Ok(Output::List(views))
}

/// Fills in the Celery status of each schedule's latest dispatched run, when a Redis result
/// backend is configured: one query for the runs, one MGET for their results.
async fn add_last_results(
    ctx: &Ctx,
    store: &crate::store::AnyStore,
    views: &mut [ScheduleView],
) -> Result<()> {
    let configured = ctx
        .settings
        .result_backend
        .value
        .as_ref()
        .is_some_and(Redacted::is_redis);
    if !configured || views.is_empty() {
        return Ok(());
    }
    let ids: Vec<uuid::Uuid> = views.iter().map(|v| v.schedule.id).collect();
    let mut latest = Vec::new();
    for chunk in ids.chunks(1_000) {
        latest.extend(store.latest_dispatched(chunk).await?);
    }
    let by_schedule: HashMap<uuid::Uuid, uuid::Uuid> = latest
        .iter()
        .map(|l| (l.schedule_id, l.celery_task_id))
        .collect();
    let found = crate::cli::history::results_of(ctx, by_schedule.values().copied().collect()).await;
    for v in views.iter_mut() {
        // No key (`PENDING`) is no result: not taken by a worker yet, or its result expired
        // (Celery keeps results a day by default).
        v.last_result_status = by_schedule
            .get(&v.schedule.id)
            .and_then(|task| found.get(task))
            .filter(|r| r.status != "PENDING")
            .map(|r| r.status.clone());
    }
    Ok(())
}
