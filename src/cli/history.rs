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
    after_help = "Examples:\n  stockura history fetch_listed_info_weekdays_1800 -n 10\n  stockura history --status failed --since 6h\n  stockura history --follow -o jsonl"
)]
pub struct HistoryArgs {
    /// Only this schedule: id, unique id prefix or exact name
    #[arg(value_name = "REF", add = crate::cli::complete::schedule_names())]
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

    /// At most this many runs (1-100000); with --follow, how many recent ones come first
    #[arg(long, short = 'n', default_value_t = 50,
          value_parser = clap::value_parser!(i64).range(1..=100_000))]
    pub limit: i64,

    /// Keep printing runs as they are recorded, and a run again when its status changes (owed
    /// or deferred to dispatched), until Ctrl-C; JSON formats print one object per line
    #[arg(long, short = 'f')]
    pub follow: bool,
}

/// How often `history --follow` reads on: one indexed range read of the runs table.
const FOLLOW_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Runs read per statement while following.
const FOLLOW_BATCH: i64 = 1_000;

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
        after_id: None,
        limit: args.limit.clamp(1, 100_000),
    };
    if args.follow {
        return follow(ctx, &store, filter).await;
    }
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

/// `history --follow`: the newest runs (oldest first), then every run recorded afterwards as it
/// appears, and a run again when its status changes from `owed` or `deferred`, until Ctrl-C or
/// until stdout is closed. Reads the runs table by id once a [`FOLLOW_EVERY`].
async fn follow(ctx: &Ctx, store: &AnyStore, filter: RunFilter) -> Result<Output> {
    let mut cursor = store.latest_run_id().await?;
    let mut first = store.list_runs(&filter).await?;
    first.reverse();
    // A run recorded between the two reads is in `first`: not read again as new.
    cursor = first.iter().map(|r| r.id).fold(cursor, i64::max);
    // Runs whose status may still change, with the status last printed.
    let mut pending: std::collections::BTreeMap<i64, RunStatus> = std::collections::BTreeMap::new();
    let mut printed = 0usize;
    let mut header = ctx.headers;
    let mut show = |runs: Vec<Run>, pending: &mut std::collections::BTreeMap<i64, RunStatus>| {
        let runs: Vec<Run> = runs
            .into_iter()
            .filter(|r| {
                let changed = pending.get(&r.id) != Some(&r.run.status);
                if r.run.status.may_change() {
                    pending.insert(r.id, r.run.status);
                } else {
                    pending.remove(&r.id);
                }
                changed
            })
            .collect();
        printed += runs.len();
        runs
    };
    let runs = show(first, &mut pending);
    if !print_follow(ctx, runs, &mut header).await? {
        return Ok(Output::Monitored { events: printed });
    }
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        tokio::select! {
            _ = &mut interrupted => return Ok(Output::Monitored { events: printed }),
            () = tokio::time::sleep(FOLLOW_EVERY) => {}
        }
        // Runs recorded since the last read, then the ones that were still pending.
        let mut runs = store
            .list_runs(&RunFilter {
                after_id: Some(cursor),
                limit: FOLLOW_BATCH,
                ..filter.clone()
            })
            .await?;
        if let Some(last) = runs.last() {
            cursor = last.id;
        }
        if let Some((&oldest, _)) = pending.first_key_value() {
            // Pending runs lie below the first new one (or at or below the cursor).
            let before = runs.first().map_or(cursor + 1, |r| r.id);
            let span = (before - oldest).clamp(1, FOLLOW_BATCH * 5);
            let mut again = store
                .list_runs(&RunFilter {
                    after_id: Some(oldest - 1),
                    limit: span,
                    ..filter.clone()
                })
                .await?;
            again.retain(|r| r.id < before && pending.contains_key(&r.id));
            // A pending run the whole span was read for and that is not there any more was
            // deleted, or no longer matches the filter: nothing more to print for it.
            if span == before - oldest {
                let there: std::collections::HashSet<i64> = again.iter().map(|r| r.id).collect();
                pending.retain(|id, _| *id >= before || there.contains(id));
            }
            again.append(&mut runs);
            runs = again;
        }
        let runs = show(runs, &mut pending);
        if !print_follow(ctx, runs, &mut header).await? {
            return Ok(Output::Monitored { events: printed });
        }
    }
}

/// Prints runs read by [`follow`] with their results; `false` once stdout is closed.
async fn print_follow(ctx: &Ctx, runs: Vec<Run>, header: &mut bool) -> Result<bool> {
    if runs.is_empty() {
        return Ok(true);
    }
    let rows = with_results(ctx, runs).await;
    let text = super::output::history::follow_text(&rows, ctx.format, *header);
    *header = false;
    Ok(super::output::print_while_read(text.as_bytes())?)
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
