//! `stockura history`: what ran, newest first, joined with the Celery results.

use std::collections::HashMap;

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::Ctx;
use super::output::{HistoryRow, Output};
use crate::domain::reference::ScheduleRef;
use crate::domain::run::{Run, RunFilter, RunStatus, parse_since};
use crate::store::{self, AnyStore, RunStore, StoreError};
use crate::sync::results::{self, TaskResult};

/// Arguments of `history`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura history\n  stockura history fetch_listed_info_weekdays_1800 -n 10\n  stockura history --status failed --since 6h"
)]
pub struct HistoryArgs {
    /// Only this schedule: id, unique id prefix or exact name
    #[arg(value_name = "REF")]
    pub reference: Option<String>,

    /// Only runs with this status (dispatched, missed, failed, dry_run, skipped, deferred, owed)
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,

    /// Only this task (full name, or its last dotted segment)
    #[arg(long, short = 't')]
    pub task: Option<String>,

    /// Only slots since a duration ago (30m, 6h, 2d, 1w) or an RFC 3339 instant
    #[arg(long, value_name = "DURATION|RFC3339")]
    pub since: Option<String>,

    /// At most this many runs (1-100000)
    #[arg(long, short = 'n', default_value_t = 50,
          value_parser = clap::value_parser!(i64).range(1..=100_000))]
    pub limit: i64,
}

/// Lists runs and reads their results in one MGET.
pub async fn run(ctx: &Ctx, args: HistoryArgs) -> Result<Output> {
    let status = args
        .status
        .as_deref()
        .map(str::parse::<RunStatus>)
        .transpose()?;
    let since = args
        .since
        .as_deref()
        .map(|s| parse_since(s, Utc::now()))
        .transpose()?;
    let store = ctx.store().await?;
    // A schedule deleted since keeps its runs under its name: REF then names them.
    let (schedule_id, schedule_name) = match &args.reference {
        Some(r) => match store::resolve(&store, &ScheduleRef::parse(r)).await {
            Ok(s) => (Some(s.id), None),
            Err(StoreError::NotFound { .. }) if recorded_under(&store, r).await? => {
                (None, Some(r.trim().to_string()))
            }
            Err(e) => return Err(e.into()),
        },
        None => (None, None),
    };
    let filter = RunFilter {
        schedule_id,
        schedule_name,
        status,
        task: args.task,
        since,
        limit: args.limit.clamp(1, 100_000),
    };
    let runs = store.list_runs(&filter).await?;
    Ok(Output::History(with_results(ctx, runs).await))
}

/// The runs with the results of those that were sent, read in one MGET from the Redis result
/// backend when one is configured (a warning, and no results, when it cannot be read).
pub async fn with_results(ctx: &Ctx, runs: Vec<Run>) -> Vec<HistoryRow> {
    let ids: Vec<uuid::Uuid> = runs
        .iter()
        .filter(|r| r.run.status == RunStatus::Dispatched)
        .filter_map(|r| r.run.celery_task_id)
        .collect();
    let mut found = results_of(ctx, ids).await;
    runs.into_iter()
        .map(|run| {
            let result = run.run.celery_task_id.and_then(|id| found.remove(&id));
            HistoryRow { run, result }
        })
        .collect()
}

/// The results of these Celery task ids from the Redis result backend, when one is configured
/// (`PENDING` for a task it has no key for); empty, with a warning, when it cannot be read.
pub async fn results_of(ctx: &Ctx, ids: Vec<uuid::Uuid>) -> HashMap<uuid::Uuid, TaskResult> {
    match &ctx.settings.result_backend.value {
        Some(url) if url.is_redis() && !ids.is_empty() => {
            match results::fetch_many(url, &ids, ctx.settings.redis_timeout.value).await {
                Ok(found) => found,
                Err(e) => {
                    eprintln!("warning: cannot read results from {url}: {e}; results are left out");
                    HashMap::new()
                }
            }
        }
        _ => HashMap::new(),
    }
}

/// Whether runs were recorded under the schedule name `name` (a schedule deleted since).
async fn recorded_under(store: &AnyStore, name: &str) -> Result<bool, StoreError> {
    let filter = RunFilter {
        schedule_name: Some(name.trim().to_string()),
        limit: 1,
        ..RunFilter::default()
    };
    Ok(!store.list_runs(&filter).await?.is_empty())
}
