//! `stockura schedule show`.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::output::{Output, ScheduleView};
use crate::domain::reference::ScheduleRef;
use crate::domain::run::RunFilter;
use crate::store::{self, RunStore};

/// How many fire times `show` previews.
pub const PREVIEW: usize = 5;

/// How many of the newest runs `show` lists.
pub const RECENT: i64 = 10;

/// Arguments of `schedule show`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura schedule show nightly-report\n  stockura schedule show 3f2a -o json"
)]
pub struct ShowArgs {
    /// Schedule id, unique id prefix (4+ hex digits) or exact name
    #[arg(value_name = "REF", add = crate::cli::complete::schedule_names())]
    pub reference: String,
}

/// One schedule, every field, its next runs and its newest runs with their results.
pub async fn run(ctx: &Ctx, args: ShowArgs) -> Result<Output> {
    let store = ctx.store().await?;
    let schedule = store::resolve(&store, &ScheduleRef::parse(&args.reference)).await?;
    let tz = ctx.settings.timezone.value;
    let now = Utc::now();
    // A schedule paused until an instant runs again from its first slot after it.
    let from = match schedule.pause().and_then(|p| p.until) {
        Some(until) if !schedule.enabled => Some(until.max(now)),
        _ if schedule.enabled => Some(now),
        _ => None,
    };
    let upcoming = match (schedule.cron(), schedule.effective_timezone(tz), from) {
        (Ok(cron), Some(zone), Some(from)) => schedule.upcoming(&cron, zone, from, PREVIEW),
        _ => Vec::new(),
    };
    let runs = store
        .list_runs(&RunFilter {
            schedule_id: Some(schedule.id),
            limit: RECENT,
            ..RunFilter::default()
        })
        .await?;
    let recent = crate::cli::history::with_results(ctx, runs).await;
    Ok(Output::Show {
        schedule: ScheduleView::new(&schedule, tz, now),
        upcoming,
        recent,
    })
}
