//! `stockura schedule next`: the contract of `docs/cron-semantics.md`.

use anyhow::Result;
use chrono::{DateTime, Utc};
use clap::Args;

use super::super::Ctx;
use super::super::output::Output;
use crate::domain::Upcoming;
use crate::domain::cron::{Cron, parse_timezone};
use crate::domain::reference::ScheduleRef;
use crate::error::CliError;
use crate::store;

/// The most fire times one call returns.
pub const MAX_COUNT: usize = 10_000;

/// Arguments of `schedule next`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["reference", "cron", "every"]))]
#[command(
    after_help = "Examples:\n  stockura schedule next nightly-report -n 3\n  stockura schedule next --cron '0 2 * * *' --tz Europe/Berlin\n  stockura schedule next --every 6h/5h -n 4"
)]
pub struct NextArgs {
    /// A stored schedule: id, unique id prefix or exact name
    #[arg(value_name = "REF", add = crate::cli::complete::schedule_names())]
    pub reference: Option<String>,

    /// A cron expression to preview instead of a stored schedule
    #[arg(
        long,
        short = 'c',
        value_name = "EXPR",
        allow_hyphen_values = true,
        conflicts_with = "reference"
    )]
    pub cron: Option<String>,

    /// An interval to preview instead of a stored schedule, such as 30s or 6h/5h
    #[arg(long, value_name = "DURATION", conflicts_with_all = ["reference", "cron"])]
    pub every: Option<String>,

    /// IANA timezone [default: the schedule's zone, else CELERY_TIMEZONE, else UTC]
    #[arg(long = "tz", value_name = "ZONE")]
    pub timezone: Option<String>,

    /// Start instant (RFC 3339); results are strictly after it [default: now]
    #[arg(long, value_name = "RFC3339")]
    pub after: Option<String>,

    /// How many fire times
    #[arg(short = 'n', long = "count", default_value_t = 5, value_name = "N")]
    pub count: usize,
}

/// Computes the next fire times; needs no database for `--cron`.
pub async fn run(ctx: &Ctx, args: NextArgs) -> Result<Output> {
    let after = match &args.after {
        Some(text) => DateTime::parse_from_rfc3339(text.trim()).map(|t| t.with_timezone(&Utc)).map_err(|e| {
            CliError::invalid(
                format!("--after '{text}' is not an RFC 3339 instant ({e})"),
                "give a date, time and offset, e.g. 2026-03-08T00:00:00Z or 2026-03-08T09:00:00+09:00",
            )
        })?,
        None => Utc::now(),
    };
    if args.count > MAX_COUNT {
        return Err(CliError::invalid(
            format!("-n {} is more than {MAX_COUNT}", args.count),
            format!("ask for at most {MAX_COUNT} fire times"),
        )
        .into());
    }
    let override_tz = args.timezone.as_deref().map(parse_timezone).transpose()?;
    let every = args
        .every
        .as_deref()
        .map(crate::domain::schedule::every_expression)
        .transpose()?;
    let (cron, tz, schedule) = match (every.as_ref().or(args.cron.as_ref()), &args.reference) {
        (Some(expr), _) => (
            Cron::parse(expr)?,
            override_tz.unwrap_or(ctx.settings.timezone.value),
            None,
        ),
        (None, Some(reference)) => {
            let store = ctx.store().await?;
            let schedule = store::resolve(&store, &ScheduleRef::parse(reference)).await?;
            let tz = match override_tz
                .or_else(|| schedule.effective_timezone(ctx.settings.timezone.value))
            {
                Some(tz) => tz,
                None => {
                    return Err(CliError::invalid(
                        format!(
                            "schedule '{}' has an unknown timezone '{}'",
                            schedule.name,
                            schedule.timezone.as_deref().unwrap_or_default()
                        ),
                        format!("fix it with `stockura schedule update {} --tz ZONE`, or preview with --tz", schedule.id),
                    )
                    .into());
                }
            };
            (schedule.cron()?, tz, Some(schedule))
        }
        (None, None) => {
            return Err(CliError::usage(
                "give a schedule REF or --cron EXPR",
                "e.g. stockura schedule next --cron '*/15 * * * *'",
            )
            .into());
        }
    };
    // A stored schedule's jitter moves its send times; a preview has none.
    let (times, jittered) = match schedule {
        Some(s) => {
            // A schedule paused until an instant runs again from its first slot after it.
            let after = match s.pause().and_then(|p| p.until) {
                Some(until) if !s.enabled => after.max(until),
                _ => after,
            };
            (s.upcoming(&cron, tz, after, args.count), s.jitter.is_some())
        }
        None => (
            cron.upcoming(after, tz)
                .take(args.count)
                .map(Upcoming::at)
                .collect(),
            false,
        ),
    };
    Ok(Output::Next { times, jittered })
}
