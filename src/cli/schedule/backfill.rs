//! `stockura schedule backfill`: the slots of a past range that were not dispatched, sent now,
//! once each, in order, at a pace. Each slot is claimed like a scheduled one (see
//! [`crate::beat::backfill`]), so a slot the scheduler sent is skipped and running the same
//! backfill twice sends nothing the second time.

use std::sync::Arc;

use anyhow::Result;
use chrono::{SubsecRound, Utc};
use clap::{Args, ValueEnum};
use uuid::Uuid;

use super::super::Ctx;
use super::super::output::backfill::counts_text;
use super::super::output::{BackfillView, Output, escape, utc_text};
use super::super::progress::Progress;
use super::super::wiring::{broker_for, dispatch_options, policy_checker};
use crate::beat::dispatch::Definitions;
use crate::beat::policy::{CheckItem, merge_last, sent_now};
use crate::domain::Job;
use crate::domain::backfill::{
    self, Action, DEFAULT_RATE, MAX_SLOTS, Outcome, Rate, SlotReport, Tally,
};
use crate::domain::reference::ScheduleRef;
use crate::domain::run::{Trigger, parse_instant_or_ago};
use crate::error::{CliError, ErrorKind};
use crate::store::{self, RunStore};

/// `--policy` of `schedule backfill`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackfillPolicy {
    /// Send every slot
    Allow,
    /// Skip it: its worker lock is held, or its last task has no final result (as run-beat's
    /// policy skip); nothing is recorded, and a later backfill sends it
    Skip,
}

/// How long a sent task without a final result counts as running for `--policy skip` (the
/// default of `run-beat --running-timeout`).
const RUNNING_TIMEOUT_HOURS: i64 = 1;

/// How many slots the question on a terminal lists (the first and last halves).
const LISTED: usize = 20;

/// Arguments of `schedule backfill`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura schedule backfill nightly-report --from 2026-03-01T00:00:00Z --to 2026-03-08T00:00:00Z\n  stockura schedule backfill 3f2a --from 2d --dry-run\n  stockura schedule backfill sync-prices --from 6h --rate 2/s --policy skip --yes"
)]
pub struct BackfillArgs {
    /// Schedule id, unique id prefix or exact name
    #[arg(value_name = "REF", add = crate::cli::complete::schedule_names())]
    pub reference: String,

    /// Start of the range, included: an RFC 3339 instant, or a duration back from now (30m,
    /// 6h, 2d, 1w)
    #[arg(long, value_name = "TIME")]
    pub from: String,

    /// End of the range, excluded, not after now: an RFC 3339 instant or a duration back from
    /// now [default: now]
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,

    /// What to do with a slot while the schedule's previous run still runs, checked before
    /// each slot
    #[arg(long, value_enum, default_value_t = BackfillPolicy::Allow)]
    pub policy: BackfillPolicy,

    /// Pace of the messages: N/s, N/m or N/h
    #[arg(long, default_value = DEFAULT_RATE, value_name = "N/UNIT")]
    pub rate: String,

    /// Also send again the slots already dispatched (recorded with trigger `resend`)
    #[arg(long)]
    pub include_dispatched: bool,

    /// List the slots and what would be done with each; send and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Do not ask on a terminal before sending (without a terminal nothing is asked)
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// The broker's global_keyprefix [env: STOCKURA_BROKER_KEY_PREFIX]
    #[arg(long, value_name = "PREFIX")]
    pub broker_key_prefix: Option<String>,
}

impl BackfillPolicy {
    fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Skip => "skip",
        }
    }
}

/// Plans the range, asks on a terminal, then sends the slots one at a time at the pace given,
/// each claimed first; stops at the first slot the broker does not take, and after the slot in
/// flight at Ctrl-C or SIGTERM. The summary says what became of every slot.
pub async fn run(ctx: &Ctx, args: BackfillArgs) -> Result<Output> {
    let now = Utc::now().trunc_subsecs(6);
    let from = parse_instant_or_ago("--from", &args.from, now)?;
    let to = match &args.to {
        Some(text) => parse_instant_or_ago("--to", text, now)?,
        None => now,
    };
    backfill::check_range(from, to, now)?;
    let rate = backfill::parse_rate(&args.rate)?;
    let mut checker = match args.policy {
        BackfillPolicy::Allow => None,
        BackfillPolicy::Skip => {
            let checker = policy_checker(ctx, chrono::Duration::hours(RUNNING_TIMEOUT_HOURS));
            if !checker.is_active() {
                return Err(CliError::usage(
                    "--policy skip needs a Redis to see whether the previous run still runs",
                    "set REDIS_URL (worker locks) or a Redis CELERY_RESULT_BACKEND (results), or use --policy allow",
                )
                .into());
            }
            Some(checker)
        }
    };
    let mut broker = broker_for(ctx, args.dry_run, true, false).await?;
    let store = ctx.store().await?;
    if !args.dry_run && store.is_read_only() {
        return Err(crate::store::StoreError::ReadOnly {
            what: "backfill, which records every slot it sends".into(),
            source: None,
        }
        .into());
    }
    let schedule = store::resolve(&store, &ScheduleRef::parse(&args.reference)).await?;
    // The checks every send path makes: a row that cannot run as stored is not sent.
    let problems = schedule.run_problems();
    let (Ok(cron), Some(tz), true) = (
        schedule.cron(),
        schedule.effective_timezone(ctx.settings.timezone.value),
        problems.is_empty(),
    ) else {
        return Err(super::cannot_run(&schedule.name, &problems).into());
    };
    let definitions = Definitions::load(&store).await?;
    if let Some(detail) = definitions.check(&schedule.task_name, &schedule.kwargs) {
        return Err(CliError::invalid(
            format!("{detail}; nothing was sent"),
            "fix the parameters with `stockura schedule update`",
        )
        .into());
    }
    let options = crate::beat::backfill::options(dispatch_options(
        ctx,
        args.dry_run,
        args.broker_key_prefix.as_deref(),
    ));
    let job: Arc<Job> = Arc::new(schedule.clone().into());
    if let Err(why) =
        crate::beat::backfill::message(&job, from, Trigger::Backfill, Uuid::nil(), &options, now)
    {
        return Err(CliError::invalid(
            format!("'{}' {why}; nothing was sent", schedule.name),
            "fix the schedule with `stockura schedule update` (e.g. --expires 300)",
        )
        .into());
    }
    // With a jitter, the latest slots before now may not be sent yet: the scheduler sends each
    // at its own time, and the backfill ends before the first of them.
    let mut to = to;
    if schedule.enabled
        && schedule.jitter.is_some()
        && let Some(pending) = schedule.upcoming(&cron, tz, now, 1).first()
        && pending.slot.with_timezone(&Utc) < to
    {
        let slot = pending.slot.with_timezone(&Utc);
        ctx.note(format!(
            "the slot of {} is sent by the scheduler at {} (its jitter): the backfill ends before it",
            utc_text(slot),
            super::super::output::precise_text(&pending.send_at)
        ));
        to = slot.max(from);
    }
    let slots = backfill::slots_between(&cron, tz, from, to, MAX_SLOTS)?;
    let claims = store.slot_claims(schedule.id, from, to).await?;
    let reports: Vec<SlotReport> = backfill::plan(&slots, &claims, args.include_dispatched)
        .into_iter()
        .map(SlotReport::new)
        .collect();
    let mut view = BackfillView {
        schedule,
        from,
        to,
        dry_run: args.dry_run,
        policy: args.policy.as_str(),
        rate: rate.to_string(),
        include_dispatched: args.include_dispatched,
        slots: reports,
        stopped: None,
    };
    let to_send = view.tally().to_send;
    let Some(broker) = broker.as_mut().filter(|_| !args.dry_run && to_send > 0) else {
        return Ok(Output::Backfilled(Box::new(view)));
    };
    if ctx.interactive && !args.yes {
        super::super::confirm::ask(&question(&view, &rate), "cancelled; nothing was sent")?;
    }
    let stop = stop_on_signals();
    let bar = Progress::bar(
        u64::try_from(to_send).unwrap_or(u64::MAX),
        format!("Backfilling '{}'", escape(&view.schedule.name)),
    );
    let started = tokio::time::Instant::now();
    let mut pushed = 0usize;
    let mut last = None;
    let mut stop_rx = stop.clone();
    for r in view.slots.iter_mut().filter(|r| r.planned.action.sends()) {
        if view.stopped.is_some() {
            r.outcome = Some(Outcome::NotAttempted);
            continue;
        }
        // The pace: message n goes at its offset from the first (a wait is cut short by a
        // signal).
        let at = started + rate.offset(pushed);
        if !*stop_rx.borrow() {
            tokio::select! {
                () = tokio::time::sleep_until(at) => {}
                _ = stop_rx.changed() => {}
            }
        }
        if *stop_rx.borrow() {
            view.stopped = Some((
                ErrorKind::Interrupted,
                "interrupted by a signal; the slots after the last one sent were not tried".into(),
            ));
            r.outcome = Some(Outcome::NotAttempted);
            continue;
        }
        // `--policy skip`: a resumed slot was decided when it was first claimed.
        if let Some(checker) = checker.as_mut()
            && !matches!(r.planned.action, Action::Resume { .. })
        {
            let checked = async {
                let db = store
                    .latest_dispatched(&[view.schedule.id])
                    .await
                    .map_err(|e| e.to_string())?
                    .pop();
                let item = CheckItem {
                    task_name: &view.schedule.task_name,
                    kwargs: &view.schedule.kwargs,
                    last: merge_last(db, last),
                };
                checker
                    .check(&[item], Utc::now())
                    .await
                    .map_err(|e| e.to_string())
            }
            .await;
            match checked {
                Ok(found) => {
                    if let Some(running) = found.into_iter().next().flatten() {
                        r.outcome = Some(Outcome::SkippedByPolicy);
                        r.detail = Some(running.reason());
                        bar.inc();
                        continue;
                    }
                }
                Err(e) => {
                    view.stopped = Some((
                        ErrorKind::Unavailable,
                        format!("cannot check whether the previous run still runs: {e}"),
                    ));
                    r.outcome = Some(Outcome::NotAttempted);
                    continue;
                }
            }
        }
        pushed += 1;
        let sent_at = Utc::now().trunc_subsecs(6);
        let slot = r.planned.slot;
        match crate::beat::backfill::send(&store, broker, &options, &job, &r.planned, sent_at).await
        {
            Ok(sent) => {
                r.outcome = Some(sent.outcome);
                r.task_id = sent.task_id.or(r.task_id);
                r.detail = sent.detail;
                if sent.outcome == Outcome::Sent
                    && let Some(task_id) = sent.task_id
                {
                    last = Some(sent_now(job.id, task_id, sent_at));
                }
                if matches!(sent.outcome, Outcome::Owed | Outcome::Failed) {
                    view.stopped = Some((
                        ErrorKind::Unavailable,
                        format!(
                            "the slot {} was not sent: {}",
                            slot.to_rfc3339(),
                            r.detail.as_deref().unwrap_or("the broker did not take it")
                        ),
                    ));
                }
            }
            Err(e) => {
                // The run says what became of the slot (no row, or `owed`): the backfill run
                // again finds out and sends it only if it was not sent.
                r.outcome = Some(Outcome::Owed);
                r.detail = Some(format!(
                    "the database failed ({e}); run the backfill again to send or record it"
                ));
                view.stopped = Some((
                    ErrorKind::Unavailable,
                    format!("the database failed at the slot {}: {e}", slot.to_rfc3339()),
                ));
            }
        }
        bar.inc();
    }
    bar.finish();
    let tally = view.tally();
    if view.stopped.is_some() && tally.unsent() > 0 {
        ctx.note(format!(
            "{} not sent: run the same command again to send them (a slot is never sent twice)",
            super::super::output::backfill::slots_phrase(tally.unsent())
        ));
    }
    Ok(Output::Backfilled(Box::new(view)))
}

/// The question asked on a terminal: the slots to send (the first and last ones of a long
/// list), the counts, and how long the pace makes it.
fn question(view: &BackfillView, rate: &Rate) -> String {
    let sending: Vec<&SlotReport> = view
        .slots
        .iter()
        .filter(|r| r.planned.action.sends())
        .collect();
    let mut text = format!(
        "Backfill '{}' ({}) from {} to {} at {rate}:\n",
        view.schedule.name,
        view.schedule.task_name,
        utc_text(view.from),
        utc_text(view.to)
    );
    let line = |r: &SlotReport| {
        let found = r
            .planned
            .found
            .map(|s| format!(" (was {s})"))
            .unwrap_or_default();
        format!(
            "  {}  {}{found}\n",
            r.planned.slot.format("%Y-%m-%d %H:%M:%S UTC"),
            r.planned.action.as_str()
        )
    };
    if sending.len() <= LISTED {
        sending.iter().for_each(|r| text.push_str(&line(r)));
    } else {
        let half = LISTED / 2;
        sending[..half].iter().for_each(|r| text.push_str(&line(r)));
        text.push_str(&format!("  … {} more …\n", sending.len() - LISTED));
        sending[sending.len() - half..]
            .iter()
            .for_each(|r| text.push_str(&line(r)));
    }
    let tally: Tally = view.tally();
    let took = rate.offset(tally.to_send.saturating_sub(1)).as_secs();
    text.push_str(&counts_text(&tally, true));
    text.push_str(&format!(
        "\nSend {} to the broker (about {took} s at {rate})?",
        super::super::output::backfill::slots_phrase(tally.to_send)
    ));
    text
}

/// A flag set at the first SIGINT or SIGTERM (the backfill stops after the slot in flight);
/// a second one exits at once (a slot claimed and not recorded is found by the next backfill).
/// The handlers are in place when this returns.
fn stop_on_signals() -> tokio::sync::watch::Receiver<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let mut signals = Signals::install();
    tokio::spawn(async move {
        signals.next().await;
        let _ = tx.send(true);
        signals.next().await;
        std::process::exit(i32::from(crate::error::exit::INTERRUPTED));
    });
    rx
}

/// SIGINT and SIGTERM (Ctrl-C elsewhere).
#[cfg(unix)]
struct Signals(Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>);

#[cfg(unix)]
impl Signals {
    fn install() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        Self(
            signal(SignalKind::interrupt())
                .ok()
                .zip(signal(SignalKind::terminate()).ok()),
        )
    }

    async fn next(&mut self) {
        match &mut self.0 {
            Some((int, term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> Self {
        Self
    }

    async fn next(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
