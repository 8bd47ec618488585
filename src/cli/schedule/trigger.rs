//! `stockura schedule trigger`: one run now, through the scheduler's own dispatch path.

use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::output::Output;
use super::super::wiring::{broker_for, dispatch_options};
use crate::beat::dispatch::{self, Definitions};
use crate::beat::plan::Due;
use crate::domain::reference::ScheduleRef;
use crate::domain::run::Trigger;
use crate::error::{CliError, ErrorKind};
use crate::store;
use crate::sync::results;

/// Arguments of `schedule trigger`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura schedule trigger nightly-report\n  stockura schedule trigger 3f2a --wait --timeout 60"
)]
pub struct TriggerArgs {
    /// Schedule id, unique id prefix or exact name
    #[arg(value_name = "REF", add = crate::cli::complete::schedule_names())]
    pub reference: String,

    /// Wait for the Celery result; exit 0 on SUCCESS, 7 on FAILURE, REVOKED or timeout
    #[arg(long)]
    pub wait: bool,

    /// Seconds to wait with --wait
    #[arg(
        long,
        default_value_t = 300.0,
        value_name = "SECONDS",
        requires = "wait"
    )]
    pub timeout: f64,

    /// The broker's global_keyprefix [env: STOCKURA_BROKER_KEY_PREFIX]
    #[arg(long, value_name = "PREFIX")]
    pub broker_key_prefix: Option<String>,
}

/// Sends one run now; with `--wait`, gates on its result.
pub async fn run(ctx: &Ctx, args: TriggerArgs) -> Result<Output> {
    let backend = match (&args.wait, &ctx.settings.result_backend.value) {
        (false, _) => None,
        (true, Some(url)) if url.expose().starts_with("redis") => Some(url.clone()),
        (true, _) => {
            return Err(CliError::usage(
                "--wait needs a Redis result backend: CELERY_RESULT_BACKEND is not set or not redis://",
                "set CELERY_RESULT_BACKEND to the workers' result backend (redis://host:6379/1)",
            )
            .into());
        }
    };
    let mut broker = broker_for(ctx, false, false, false).await?;
    let store = ctx.store().await?;
    let schedule = store::resolve(&store, &ScheduleRef::parse(&args.reference)).await?;
    // The check run-beat makes: a row that cannot run as stored is not sent with empty values.
    let problems = schedule.run_problems();
    if !problems.is_empty() {
        return Err(super::cannot_run(&schedule.name, &problems).into());
    }
    let definitions = Definitions::load(&store).await?;
    let options = dispatch_options(ctx, false, args.broker_key_prefix.as_deref());
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    let due = [Due::at_slot(
        std::sync::Arc::new(schedule.clone().into()),
        now,
        Trigger::Manual,
    )];
    // A row that cannot become a message (a value another program wrote out of range) is
    // refused as run-beat refuses it; nothing is sent.
    if let Err(why) = dispatch::message_for(&due[0], uuid::Uuid::nil(), &options) {
        return Err(CliError::invalid(
            format!("'{}' {why}", schedule.name),
            "fix the schedule with `stockura schedule update` (e.g. --expires 300)",
        )
        .into());
    }
    let outcome = dispatch::dispatch(
        &store,
        broker.as_mut(),
        &definitions,
        &options,
        &due,
        &[],
        &[],
        now,
        dispatch::Prebuilt::default(),
        false,
        None,
        None,
    )
    .await;
    // A manual run is not retried: one the broker did not take is recorded failed at once.
    if let Some(owed) = outcome.owed.first() {
        use crate::store::RunStore;
        let ids: Vec<i64> = outcome.owed.iter().filter_map(|o| o.run_id).collect();
        let detail = format!("not sent: the broker did not take it ({})", owed.error);
        store
            .settle_runs(&ids, crate::domain::run::RunStatus::Failed, None, &detail)
            .await?;
    }
    if let Some(detail) = definitions.check(&schedule.task_name, &schedule.kwargs) {
        return Err(CliError::invalid(detail, "fix the parameters with `stockura schedule update`; the failed run is in `stockura history`").into());
    }
    let Some((_, task_id)) = outcome.sent.first().copied() else {
        let why = outcome
            .owed
            .first()
            .map(|o| format!(": {}", o.error))
            .unwrap_or_default();
        let hint = if why.contains("PRECONDITION_FAILED") {
            crate::beat::broker::amqp::DECLARATION_HINT
        } else {
            "check the broker with `stockura diagnose`"
        };
        return Err(CliError {
            message: format!(
                "the run of '{}' was not sent{why} (recorded failed in `stockura history`)",
                schedule.name
            ),
            kind: ErrorKind::Unavailable,
            hint: Some(hint.into()),
        }
        .into());
    };
    let Some(backend) = backend else {
        return Ok(Output::Triggered {
            schedule,
            task_id,
            result: None,
        });
    };
    let started = Instant::now();
    let limit = Duration::from_secs_f64(args.timeout.clamp(0.1, 86_400.0));
    // The id at once: the wait may be long, and the operator may want to look it up meanwhile.
    eprintln!(
        "Sent '{}' as task {task_id}; waiting up to {} s for its result…",
        schedule.name,
        limit.as_secs_f64()
    );
    loop {
        let result = results::fetch(&backend, &[task_id], ctx.settings.redis_timeout.value)
            .await?
            .remove(0);
        if result.is_final() {
            let status = result.status.clone();
            let out = Output::Triggered {
                schedule: schedule.clone(),
                task_id,
                result: Some(result),
            };
            if status == "SUCCESS" {
                return Ok(out);
            }
            super::super::output::emit(&out, ctx.format, ctx.headers)?;
            return Err(CliError {
                message: format!("task {task_id} ended {status}"),
                kind: ErrorKind::CheckFailed,
                hint: Some("see the worker's log; `stockura history` shows the exception".into()),
            }
            .into());
        }
        if started.elapsed() >= limit {
            return Err(CliError {
                message: format!(
                    "no final result for task {task_id} within {} s (last state: {})",
                    limit.as_secs_f64(),
                    result.status
                ),
                kind: ErrorKind::CheckFailed,
                hint: Some(
                    "is a worker consuming the queue? check with `stockura diagnose`".into(),
                ),
            }
            .into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
