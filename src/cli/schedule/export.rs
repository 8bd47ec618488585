//! `stockura schedule export`: the selected schedules as an editable document (YAML or JSON).

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde_json::Value;

use super::super::Ctx;
use super::super::output::Output;
use crate::domain::manifest::Manifest;
use crate::store::{ScheduleFilter, ScheduleStore, TaskStore};

/// The document formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// YAML
    Yaml,
    /// JSON
    Json,
}

/// Arguments of `schedule export`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura schedule export > schedules.yaml\n  stockura schedule export --tag team-a --format json"
)]
pub struct ExportArgs {
    #[command(flatten)]
    pub select: crate::cli::args::Selection,

    /// The document format
    #[arg(long, value_enum, default_value = "yaml")]
    pub format: DocFormat,

    /// Include the definitions of the exported schedules' tasks
    #[arg(long)]
    pub with_tasks: bool,
}

/// Writes the document on stdout.
pub async fn run(ctx: &Ctx, args: ExportArgs) -> Result<Output> {
    let filter = ScheduleFilter {
        task: args.select.task,
        category: args.select.category,
        tags: args.select.tags,
        ..ScheduleFilter::default()
    };
    let progress = crate::cli::progress::Progress::spinner("exporting schedules");
    let store = ctx.store().await?;
    let schedules = store.list_schedules(&filter).await?;
    let mut tasks = Vec::new();
    if args.with_tasks {
        let mut names: Vec<&str> = schedules.iter().map(|s| s.task_name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            if let Some(task) = store.get_task(name).await? {
                tasks.push(task);
            }
        }
    }
    progress.set_message(format!("writing {} schedules", schedules.len()));
    let manifest = Manifest::from_store(&schedules, &tasks)?;
    let value = serde_json::to_value(&manifest).context("cannot encode the document")?;
    let text = match args.format {
        DocFormat::Json => {
            let mut text = serde_json::to_string_pretty(&value).context("cannot encode JSON")?;
            text.push('\n');
            text
        }
        DocFormat::Yaml => {
            serde_norway::to_string(&to_yaml(value)).context("cannot encode YAML")?
        }
    };
    progress.finish();
    Ok(Output::Document(text))
}

/// The YAML value of a JSON value. Numbers go through their text: serde_json's exact-precision
/// numbers do not serialise as numbers through another format's serializer.
fn to_yaml(value: Value) -> serde_norway::Value {
    use serde_norway::Value as Y;
    match value {
        Value::Null => Y::Null,
        Value::Bool(b) => Y::Bool(b),
        Value::Number(n) => {
            let text = n.to_string();
            if let Ok(i) = text.parse::<i64>() {
                Y::Number(i.into())
            } else if let Ok(u) = text.parse::<u64>() {
                Y::Number(u.into())
            } else {
                Y::Number(text.parse::<f64>().unwrap_or(f64::NAN).into())
            }
        }
        Value::String(s) => Y::String(s),
        Value::Array(items) => Y::Sequence(items.into_iter().map(to_yaml).collect()),
        Value::Object(map) => Y::Mapping(
            map.into_iter()
                .map(|(k, v)| (Y::String(k), to_yaml(v)))
                .collect(),
        ),
    }
}
