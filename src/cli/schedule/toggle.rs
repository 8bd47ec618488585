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

/// Resolves every REF first, then switches them all in one transaction.
pub async fn run(ctx: &Ctx, args: ToggleArgs, enabled: bool) -> Result<Output> {
    let store = ctx.store().await?;
    let targets = store::resolve_all(&store, &args.references).await?;
    let ids: Vec<_> = targets.iter().map(|s| s.id).collect();
    let after = store.set_enabled(&ids, enabled).await?;
    // Only schedules whose state changed are affected.
    let now = Utc::now();
    let events = targets
        .iter()
        .filter(|before| before.enabled != enabled)
        .map(|s| {
            ChangeEvent::schedule(EventKind::ScheduleUpdated, s.id, &s.name, &s.task_name, now)
        })
        .collect();
    ctx.publish(&store, events).await;
    let tz = ctx.settings.timezone.value;
    let now = Utc::now();
    let views = ScheduleView::many(after, tz, now);
    Ok(Output::Toggled {
        enabled,
        schedules: views,
    })
}
