//! `stockura migrate`.

use anyhow::Result;
use clap::Args;

use super::Ctx;
use super::output::Output;
use crate::store::{OpenMode, ScheduleStore};

/// Arguments of `migrate`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  DATABASE_URL=postgres://app@db/app stockura migrate\n  stockura --database-url sqlite:///var/lib/stockura/stockura.db migrate"
)]
pub struct MigrateArgs {}

/// Applies pending migrations, creating a SQLite database that does not exist yet; idempotent.
pub async fn run(ctx: &Ctx, _args: MigrateArgs) -> Result<Output> {
    let progress = super::progress::Progress::spinner("applying migrations");
    let store = ctx.open(OpenMode::Create).await?;
    let report = store.migrate().await?;
    progress.finish();
    let url = ctx
        .settings
        .database
        .as_ref()
        .map(|d| d.value.url.to_string())
        .unwrap_or_default();
    Ok(Output::Migrated { report, url })
}
