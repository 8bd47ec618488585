//! `stockura schedule enable`, `disable`, `pause` and `resume`.
//!
//! One operation: a switch ([`Switch`]) written to REFs or to a selection. `pause` is `disable`
//! with a reason (and, with `--until`, an instant at which the leading scheduler resumes it);
//! `resume` is `enable`.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::confirm::{Yes, confirm_to};
use super::super::output::{Output, ScheduleView, Toggle};
use super::targets::{Targets, count, listing};
use crate::domain::pause::{self, Pause, Switch};
use crate::store::ScheduleStore;
use crate::sync::{ChangeEvent, EventKind};

/// Arguments of `schedule enable`, `disable` and `resume`.
#[derive(Debug, Args)]
pub struct ToggleArgs {
    #[command(flatten)]
    pub targets: Targets,

    #[command(flatten)]
    pub yes: Yes,
}

/// Arguments of `schedule pause`.
#[derive(Debug, Args)]
pub struct PauseArgs {
    #[command(flatten)]
    pub targets: Targets,

    /// Why the schedules are paused (required; one line, at most 500 characters): `list` and
    /// `show` print it until they are resumed
    #[arg(long, value_name = "TEXT")]
    pub reason: String,

    /// Resume by itself at this instant: RFC 3339 (2026-12-08T09:00:00Z) or a duration from
    /// now (90s, 30m, 2h, 7d, 1w); the leading run-beat resumes it then. Without it, the pause
    /// lasts until `schedule resume`
    #[arg(long, value_name = "TIME|DURATION")]
    pub until: Option<String>,

    #[command(flatten)]
    pub yes: Yes,
}

/// `enable`, `disable` or `resume`: switches on, or off without a reason (recording who and
/// when).
pub async fn toggle(ctx: &Ctx, args: ToggleArgs, action: Toggle) -> Result<Output> {
    let now = Utc::now();
    let switch = match action {
        Toggle::Enable | Toggle::Resume => Switch::On { at: now },
        Toggle::Disable | Toggle::Pause => Switch::disable(&who(), now),
    };
    run(ctx, args.targets, args.yes, action, &switch).await
}

/// `pause`: the reason and until are checked before anything is read or written.
pub async fn pause(ctx: &Ctx, args: PauseArgs) -> Result<Output> {
    let now = Utc::now();
    let reason = pause::check_reason(&args.reason)?;
    let until = args
        .until
        .as_deref()
        .map(|text| pause::parse_until(text, now))
        .transpose()?;
    let switch = Switch::Off(Pause {
        at: Some(now),
        by: Some(who()),
        reason: Some(reason),
        until,
    });
    run(ctx, args.targets, args.yes, Toggle::Pause, &switch).await
}

/// Who switches schedules off: `$USER@host` (`$LOGNAME` when `USER` is unset, else
/// `unknown`).
pub(super) fn who() -> String {
    let user = ["USER", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|u| !u.trim().is_empty()))
        .unwrap_or_else(|| "unknown".into());
    format!("{}@{}", user.trim(), crate::beat::dispatch::hostname())
}

/// Resolves the targets first (a bad REF changes nothing), asks before changing a selection,
/// then writes the switch to those it changes in one transaction. The others are not written
/// (no `updated_at` bump, no change event); `--dry-run` writes nothing.
async fn run(
    ctx: &Ctx,
    targets: Targets,
    yes: Yes,
    action: Toggle,
    switch: &Switch,
) -> Result<Output> {
    let store = ctx.store().await?;
    let selected = targets.resolve(&store).await?;
    let dry_run = targets.dry_run;
    let targets = selected.schedules;
    let changing: Vec<_> = targets
        .iter()
        .filter(|s| switch.changes(s))
        .cloned()
        .collect();
    let ids: Vec<_> = changing.iter().map(|s| s.id).collect();
    if selected.by_filter && !changing.is_empty() && !dry_run {
        let verb = action.verb();
        confirm_to(
            ctx,
            yes,
            &format!("{verb} {}", count(changing.len())),
            &format!(
                "{}{} {}?{}\n",
                verb[..1].to_uppercase(),
                &verb[1..],
                count(changing.len()),
                listing(&changing)
            ),
            "cancelled; nothing was written",
        )?;
    }
    let mut after = if ids.is_empty() || dry_run {
        Vec::new()
    } else {
        store.set_enabled(&ids, switch).await?
    };
    if !dry_run {
        let now = Utc::now();
        let events = changing
            .iter()
            .map(|s| {
                ChangeEvent::schedule(EventKind::ScheduleUpdated, s.id, &s.name, &s.task_name, now)
            })
            .collect();
        ctx.publish(&store, events).await;
    }
    let unchanged = targets.len() - ids.len();
    // In the order the REFs were given; with --dry-run, as they would be.
    let schedules = targets
        .into_iter()
        .map(
            |before| match after.iter().position(|a| a.id == before.id) {
                Some(i) => after.swap_remove(i),
                None if dry_run => switch.apply(before),
                None => before,
            },
        )
        .collect();
    let views = ScheduleView::many(schedules, ctx.settings.timezone.value, Utc::now());
    Ok(Output::Toggled {
        action,
        schedules: views,
        unchanged,
        dry_run,
    })
}
