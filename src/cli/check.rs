//! `stockura check`: is every enabled schedule healthy? For monitors and CI (exit 7 when not).

use std::collections::HashMap;

use anyhow::Result;
use chrono::{DateTime, Utc};
use clap::Args;
use serde_json::Value;
use uuid::Uuid;

use super::Ctx;
use super::args::parse_duration;
pub use super::output::check::{CheckReport, Unhealthy};
use super::output::{Output, utc_text};
use crate::domain::health::{self, Finished, Rules};
use crate::domain::run::{Run, RunStatus};
use crate::store::{RunStore, ScheduleFilter, ScheduleStore};
use crate::sync::results;

/// The longest `--grace`, in days.
const MAX_GRACE_DAYS: i64 = 3660;

/// History rows read per schedule beyond `--failures`: enough to find the newest decided slot
/// and the latest results among a few skipped or missed rows.
const EXTRA_ROWS: u32 = 10;

/// Arguments of `check`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura check\n  stockura check --category billing --grace 5m\n  stockura check --failures 3 -o json"
)]
pub struct CheckArgs {
    #[command(flatten)]
    pub select: super::args::Selection,

    /// Case-insensitive text in name, task, description or category
    #[arg(long, short = 's', value_name = "TEXT")]
    pub search: Option<String>,

    /// How long after its instant a slot may take to go out: 90, 90s, 15m, 1h, 2d
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub grace: String,

    /// How many of each schedule's latest results must not be failures, read from the Redis
    /// result backend when `CELERY_RESULT_BACKEND` is set (0: results are not read)
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(0..=100))]
    pub failures: u32,
}

/// Judges every enabled schedule of the selection.
pub async fn run(ctx: &Ctx, args: CheckArgs) -> Result<Output> {
    let grace = parse_duration("--grace", &args.grace)?;
    if grace < chrono::Duration::zero() || grace > chrono::Duration::days(MAX_GRACE_DAYS) {
        return Err(crate::error::CliError::invalid(
            format!("--grace {} is out of range", args.grace),
            format!("use a duration from 0s to {MAX_GRACE_DAYS}d"),
        )
        .into());
    }
    let filter = ScheduleFilter {
        task: args.select.task,
        task_name: None,
        category: args.select.category,
        tags: args.select.tags,
        enabled: Some(true),
        paused: false,
        search: args.search.filter(|s| !s.is_empty()),
    };
    // Read before the database and the result backend: a slow read must not make a slot
    // that went out on time look late.
    let now = Utc::now();
    let store = ctx.store().await?;
    let schedules = store.list_schedules(&filter).await?;
    let ids: Vec<Uuid> = schedules.iter().map(|s| s.id).collect();
    let per_schedule = args.failures + EXTRA_ROWS;
    let mut newest: HashMap<Uuid, Vec<Run>> = HashMap::new();
    for chunk in ids.chunks(1_000) {
        for run in store.recent_runs(chunk, per_schedule).await? {
            if let Some(id) = run.run.schedule_id {
                newest.entry(id).or_default().push(run);
            }
        }
    }
    let (finished, results_state) = read_results(ctx, &newest, args.failures).await;
    let rules = Rules {
        grace,
        failures: args.failures as usize,
    };
    let tz = ctx.settings.timezone.value;
    let mut unhealthy = Vec::new();
    for s in &schedules {
        let rows = newest.get(&s.id).map_or(&[][..], Vec::as_slice);
        let mut dispatched: Vec<&Run> = rows
            .iter()
            .filter(|r| r.run.status == RunStatus::Dispatched && r.run.celery_task_id.is_some())
            .collect();
        dispatched.sort_by_key(|r| std::cmp::Reverse((r.run.scheduled_for, r.id)));
        let results: Vec<Finished> = dispatched
            .iter()
            .filter_map(|r| finished.get(&r.run.celery_task_id?).cloned())
            .collect();
        let verdict = health::assess(s, tz, now, rows, &results, rules);
        if !verdict.healthy() {
            unhealthy.push(Unhealthy {
                id: s.id,
                name: s.name.clone(),
                task_name: s.task_name.clone(),
                last_run_at: s.last_run_at.map(utc_text),
                due_slot: verdict.due_slot.map(utc_text),
                problems: verdict.problems,
            });
        }
    }
    Ok(Output::Check(CheckReport {
        ok: unhealthy.is_empty(),
        checked: schedules.len(),
        healthy: schedules.len() - unhealthy.len(),
        grace_seconds: grace.num_seconds(),
        failures: args.failures,
        results: results_state,
        unhealthy,
    }))
}

/// The finished results of the dispatched runs among `newest`, by task id, from the Redis
/// result backend; and what became of reading them.
async fn read_results(
    ctx: &Ctx,
    newest: &HashMap<Uuid, Vec<Run>>,
    failures: u32,
) -> (HashMap<Uuid, Finished>, String) {
    if failures == 0 {
        return (HashMap::new(), "off".into());
    }
    let Some(url) = ctx
        .settings
        .result_backend
        .value
        .as_ref()
        .filter(|u| u.is_redis())
    else {
        return (HashMap::new(), "no result backend".into());
    };
    let ids: Vec<Uuid> = newest
        .values()
        .flatten()
        .filter(|r| r.run.status == RunStatus::Dispatched)
        .filter_map(|r| r.run.celery_task_id)
        .collect();
    match results::fetch_many(url, &ids, ctx.settings.redis_timeout.value).await {
        Ok(got) => (
            got.into_iter()
                .filter(|(_, r)| r.is_final())
                .map(|(id, r)| (id, finished(&r.status, r.date_done, &r.result)))
                .collect(),
            "read".into(),
        ),
        Err(e) => (HashMap::new(), format!("unreadable: {e}")),
    }
}

fn finished(status: &str, date_done: Option<DateTime<Utc>>, result: &Value) -> Finished {
    let error = (status == "FAILURE").then(|| {
        let kind = result
            .get("exc_type")
            .and_then(Value::as_str)
            .unwrap_or("error");
        match result.get("exc_message") {
            Some(m) => format!("{kind} {m}"),
            None => kind.to_string(),
        }
    });
    Finished {
        status: status.to_string(),
        date_done,
        error,
    }
}
