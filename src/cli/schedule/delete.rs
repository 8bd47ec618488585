//! `stockura schedule delete`.

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::super::Ctx;
use super::super::confirm::{Yes, confirm};
use super::super::output::{Output, ScheduleView};
use super::targets::{Targets, count, listing};
use crate::store::ScheduleStore;
use crate::sync::{ChangeEvent, EventKind};

/// Arguments of `schedule delete`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura schedule delete nightly-report\n  stockura schedule delete 3f2a 9c1e --yes\n  stockura schedule delete --category legacy --dry-run"
)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub targets: Targets,

    #[command(flatten)]
    pub yes: Yes,
}

/// Resolves the targets first (one bad REF deletes nothing), confirms, deletes in one
/// transaction; `--dry-run` lists what would go and deletes nothing.
pub async fn run(ctx: &Ctx, args: DeleteArgs) -> Result<Output> {
    let store = ctx.store().await?;
    let targets = args.targets.resolve(&store).await?.schedules;
    let dry_run = args.targets.dry_run;
    if !dry_run && !targets.is_empty() {
        confirm(
            ctx,
            args.yes,
            &format!("Delete {}?{}\n", count(targets.len()), listing(&targets)),
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
    }
    let tz = ctx.settings.timezone.value;
    Ok(Output::Deleted {
        schedules: ScheduleView::many(targets, tz, Utc::now()),
        dry_run,
    })
}
