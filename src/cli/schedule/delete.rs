//! `stockura schedule delete`.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::confirm::confirm;
use super::super::output::{Output, ScheduleView};
use crate::store::{self, ScheduleStore};
use crate::sync::{ChangeEvent, EventKind};

/// Arguments of `schedule delete`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura schedule delete nightly-report\n  stockura schedule delete 3f2a 9c1e --yes"
)]
pub struct DeleteArgs {
    /// Schedule ids, unique id prefixes or exact names
    #[arg(value_name = "REF", required = true)]
    pub references: Vec<String>,

    #[command(flatten)]
    pub yes: super::super::confirm::Yes,
}

/// Resolves every REF first (one bad REF deletes nothing), confirms, deletes in one transaction.
pub async fn run(ctx: &Ctx, args: DeleteArgs) -> Result<Output> {
    let store = ctx.store().await?;
    let targets = store::resolve_all(&store, &args.references).await?;
    let listing: String = targets
        .iter()
        .map(|s| format!("\n  {}  {}  ({})", short_id(s.id), s.name, s.task_name))
        .collect();
    let noun = if targets.len() == 1 {
        "schedule"
    } else {
        "schedules"
    };
    confirm(
        ctx,
        args.yes,
        &format!("Delete {} {noun}?{listing}\n", targets.len()),
    )?;
    let ids: Vec<_> = targets.iter().map(|s| s.id).collect();
    store.delete_schedules(&ids).await?;
    let now = Utc::now();
    let events = targets
        .iter()
        .map(|s| {
            ChangeEvent::schedule(EventKind::ScheduleDeleted, s.id, &s.name, &s.task_name, now)
        })
        .collect();
    ctx.publish(&store, events).await;
    let tz = ctx.settings.timezone.value;
    let now = Utc::now();
    Ok(Output::Deleted(ScheduleView::many(targets, tz, now)))
}

fn short_id(id: uuid::Uuid) -> String {
    id.simple().to_string()[..8].to_string()
}
