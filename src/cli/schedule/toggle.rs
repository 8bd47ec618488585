//! `stockura schedule enable` and `stockura schedule disable`.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::output::{Output, ScheduleView};
use crate::store::{self, ScheduleStore};
use crate::sync::{ChangeEvent, EventKind};

/// Arguments of `schedule enable` / `disable`.
#[derive(Debug, Args)]
pub struct ToggleArgs {
    /// Schedule ids, unique id prefixes or exact names
    #[arg(value_name = "REF", required = true)]
    pub references: Vec<String>,
}

/// Resolves every REF first, then switches those not already in that state in one
/// transaction. Schedules already in that state are not written (no `updated_at` bump, no
/// change event).
pub async fn run(ctx: &Ctx, args: ToggleArgs, enabled: bool) -> Result<Output> {
    let store = ctx.store().await?;
    let targets = store::resolve_all(&store, &args.references).await?;
    let ids: Vec<_> = targets
        .iter()
        .filter(|s| s.enabled != enabled)
        .map(|s| s.id)
        .collect();
    let mut after = if ids.is_empty() {
        Vec::new()
    } else {
        store.set_enabled(&ids, enabled).await?
    };
    let now = Utc::now();
    let events = targets
        .iter()
        .filter(|before| before.enabled != enabled)
        .map(|s| {
            ChangeEvent::schedule(EventKind::ScheduleUpdated, s.id, &s.name, &s.task_name, now)
        })
        .collect();
    ctx.publish(&store, events).await;
    let unchanged = targets.len() - ids.len();
    // In the order the REFs were given.
    let schedules = targets
        .into_iter()
        .map(
            |before| match after.iter().position(|a| a.id == before.id) {
                Some(i) => after.swap_remove(i),
                None => before,
            },
        )
        .collect();
    let views = ScheduleView::many(schedules, ctx.settings.timezone.value, Utc::now());
    Ok(Output::Toggled {
        enabled,
        schedules: views,
        unchanged,
    })
}
