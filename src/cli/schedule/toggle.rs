//! `stockura schedule enable` and `stockura schedule disable`.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::confirm::{Yes, confirm_to};
use super::super::output::{Output, ScheduleView};
use super::targets::{Targets, count, listing};
use crate::store::ScheduleStore;
use crate::sync::{ChangeEvent, EventKind};

/// Arguments of `schedule enable` / `disable`.
#[derive(Debug, Args)]
pub struct ToggleArgs {
    #[command(flatten)]
    pub targets: Targets,

    #[command(flatten)]
    pub yes: Yes,
}

/// Resolves the targets first (a bad REF changes nothing), asks before changing a selection,
/// then switches those not already in that state in one transaction. Schedules already in that
/// state are not written (no `updated_at` bump, no change event); `--dry-run` writes nothing.
pub async fn run(ctx: &Ctx, args: ToggleArgs, enabled: bool) -> Result<Output> {
    let store = ctx.store().await?;
    let selected = args.targets.resolve(&store).await?;
    let dry_run = args.targets.dry_run;
    let targets = selected.schedules;
    let changing: Vec<_> = targets
        .iter()
        .filter(|s| s.enabled != enabled)
        .cloned()
        .collect();
    let ids: Vec<_> = changing.iter().map(|s| s.id).collect();
    if selected.by_filter && !changing.is_empty() && !dry_run {
        let verb = if enabled { "enable" } else { "disable" };
        confirm_to(
            ctx,
            args.yes,
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
        store.set_enabled(&ids, enabled).await?
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
                None if dry_run => crate::domain::Schedule { enabled, ..before },
                None => before,
            },
        )
        .collect();
    let views = ScheduleView::many(schedules, ctx.settings.timezone.value, Utc::now());
    Ok(Output::Toggled {
        enabled,
        schedules: views,
        unchanged,
        dry_run,
    })
}
