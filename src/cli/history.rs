//! `stockura history`: what ran, newest first, joined with the Celery results.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::Ctx;
use super::output::{HistoryRow, Output};
use crate::domain::reference::ScheduleRef;
use crate::domain::run::{RunFilter, RunStatus, parse_since};
use crate::store::{self, RunStore};
use crate::sync::results;

/// Arguments of `history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this schedule: id, unique id prefix or exact name
    #[arg(value_name = "REF")]
    pub reference: Option<String>,

    /// Only runs with this status (dispatched, missed, failed, dry_run, skipped, deferred)
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,

    /// Only this task (full name, or its last dotted segment)
    #[arg(long, short = 't')]
    pub task: Option<String>,

    /// Only slots since a duration ago (30m, 6h, 2d, 1w) or an RFC 3339 instant
    #[arg(long, value_name = "DURATION|RFC3339")]
    pub since: Option<String>,

    /// At most this many runs
    #[arg(long, short = 'n', default_value_t = 50)]
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
    let schedule_id = match &args.reference {
        Some(r) => Some(store::resolve(&store, &ScheduleRef::parse(r)).await?.id),
        None => None,
    };
    let filter = RunFilter {
        schedule_id,
        status,
        task: args.task,
        since,
        limit: args.limit.clamp(0, 100_000),
    };
    let runs = store.list_runs(&filter).await?;
    let ids: Vec<uuid::Uuid> = runs
        .iter()
        .filter(|r| r.run.status == RunStatus::Dispatched)
        .filter_map(|r| r.run.celery_task_id)
        .collect();
    let mut found = match &ctx.settings.result_backend.value {
        Some(url) if url.expose().starts_with("redis") && !ids.is_empty() => {
            match results::fetch(url, &ids, ctx.settings.redis_timeout.value).await {
                Ok(r) => ids.into_iter().zip(r).collect(),
                Err(e) => {
                    eprintln!("warning: cannot read results from {url}: {e}; results are left out");
                    std::collections::HashMap::new()
                }
            }
        }
        _ => std::collections::HashMap::new(),
    };
    let rows = runs
        .into_iter()
        .map(|run| {
            let result = run.run.celery_task_id.and_then(|id| found.remove(&id));
            HistoryRow { run, result }
        })
        .collect();
    Ok(Output::History(rows))
}
