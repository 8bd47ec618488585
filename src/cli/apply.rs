//! `stockura apply -f FILE`: make the database match a schedule document.

use std::path::PathBuf;

use anyhow::Result;
use chrono::Utc;
use clap::Args;

use super::Ctx;
use super::output::{ApplyView, Output};
use super::progress::Progress;
use crate::domain::apply::{self, PlanContext, Step, Syntax};
use crate::error::CliError;
use crate::store::{BatchStore, BatchWrite, ScheduleFilter, ScheduleStore, TaskStore};
use crate::sync::{ChangeEvent, EventKind};

/// Arguments of `apply`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  stockura apply -f schedules.yaml --dry-run\n  stockura apply -f schedules.yaml --yes\n  stockura apply -f schedules.yaml --prune --yes"
)]
pub struct ApplyArgs {
    /// The document (YAML, or JSON when it ends in .json); `-` reads stdin
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: PathBuf,

    /// Print the plan and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Also delete schedules applied earlier from the same `source:` that the file no longer has
    #[arg(long)]
    pub prune: bool,

    #[command(flatten)]
    pub yes: super::confirm::Yes,
}

/// Reads and validates the whole document, plans, confirms, writes in one transaction and
/// publishes the change events.
pub async fn run(ctx: &Ctx, args: ApplyArgs) -> Result<Output> {
    let (label, text) = read(&args.file)?;
    let syntax = if label.ends_with(".json") || text.trim_start().starts_with('{') {
        Syntax::Json
    } else {
        Syntax::Yaml
    };
    // Every problem of the file in one run: what cannot be read, then what cannot be planned.
    let (doc, mut problems) = apply::parse_lenient(&text, syntax);
    let Some(doc) = doc else {
        return Err(apply::problems_error(&label, &problems).into());
    };
    let progress = Progress::spinner(format!("planning {label}"));
    let store = ctx.store().await?;
    let current = store.list_schedules(&ScheduleFilter::default()).await?;
    let definitions: Vec<_> = store
        .list_tasks(None)
        .await?
        .into_iter()
        .map(|t| t.task)
        .collect();
    let planned = apply::plan(
        &doc,
        &text,
        &PlanContext {
            current: &current,
            definitions: &definitions,
            require_definitions: ctx.settings.require_task_definitions.value,
            prune: args.prune,
        },
    );
    let plan = match planned {
        Ok(plan) if problems.is_empty() => plan,
        Ok(_) => return Err(apply::problems_error(&label, &problems).into()),
        Err(more) => {
            problems.extend(more);
            return Err(apply::problems_error(&label, &problems).into());
        }
    };
    progress.finish();
    let defined =
        |task: &str| definitions.iter().any(|d| d.task_name == task) || view_defines(&plan, task);
    for step in &plan.steps {
        let task = match step {
            Step::Create(new) => &new.task_name,
            Step::Update { next, .. } => &next.task_name,
            Step::DefineTask { .. } | Step::Delete(_) => continue,
        };
        let any = !definitions.is_empty() || plan.counts().3 > 0;
        if any && !defined(task) && !ctx.settings.require_task_definitions.value {
            ctx.note(crate::domain::task::no_definition_note(task));
        }
    }
    let mut view = ApplyView {
        file: label,
        plan,
        dry_run: args.dry_run,
        applied: false,
        plan_shown: false,
        written: Vec::new(),
        timezone: ctx.settings.timezone.value,
    };
    if args.dry_run || view.plan.is_empty() {
        return Ok(Output::Applied(view));
    }
    let deletes = view.plan.counts().2;
    if !args.yes.yes {
        if ctx.interactive {
            // The plan goes to stdout as a table; with --output json, the JSON comes at the end
            // and the plan to read before answering goes to stderr.
            let plan = Output::Applied(view.clone());
            match ctx.format {
                super::args::OutputFormat::Table | super::args::OutputFormat::Wide => {
                    super::output::emit(&plan, ctx.format, ctx.headers)?;
                    view.plan_shown = true;
                }
                super::args::OutputFormat::Json
                | super::args::OutputFormat::Jsonl
                | super::args::OutputFormat::Name => {
                    eprint!("{}", super::output::to_text(&plan));
                }
            }
            super::confirm::ask("Apply these changes?", "cancelled; nothing was written")?;
        } else if deletes > 0 {
            return Err(super::confirm::refusal(
                &format!("delete {deletes} schedule(s)"),
                "check the plan with --dry-run, then pass --yes to confirm non-interactively",
            ));
        }
    }
    let writes: Vec<BatchWrite> = view
        .plan
        .steps
        .iter()
        .map(|step| match step {
            Step::DefineTask { next, .. } => BatchWrite::DefineTask(next.clone()),
            Step::Create(new) => BatchWrite::Create(new.clone()),
            Step::Update {
                current,
                next,
                name,
                ..
            } => BatchWrite::Update {
                next: next.as_ref().clone(),
                name: name.clone(),
                expected_updated_at: current.updated_at,
            },
            Step::Delete(s) => BatchWrite::Delete {
                id: s.id,
                name: s.name.clone(),
                expected_updated_at: s.updated_at,
            },
        })
        .collect();
    let progress = Progress::spinner(format!("applying {} change(s)", writes.len()));
    let written = store.write_batch(&writes).await?;
    progress.finish();
    let now = Utc::now();
    let events = view
        .plan
        .steps
        .iter()
        .zip(&written)
        .filter_map(|(step, row)| match (step, row) {
            (Step::DefineTask { next, .. }, _) => Some(ChangeEvent::task(
                EventKind::TaskDefinitionUpdated,
                &next.task_name,
                now,
            )),
            (Step::Delete(s), _) => Some(ChangeEvent::schedule(
                EventKind::ScheduleDeleted,
                s.id,
                &s.name,
                &s.task_name,
                now,
            )),
            (Step::Create(_), Some(s)) => Some(ChangeEvent::schedule(
                EventKind::ScheduleCreated,
                s.id,
                &s.name,
                &s.task_name,
                now,
            )),
            (Step::Update { .. }, Some(s)) => Some(ChangeEvent::schedule(
                EventKind::ScheduleUpdated,
                s.id,
                &s.name,
                &s.task_name,
                now,
            )),
            // Creates and updates always return their row.
            (Step::Create(_) | Step::Update { .. }, None) => None,
        })
        .collect();
    ctx.publish(&store, events).await;
    view.applied = true;
    view.written = written.into_iter().flatten().collect();
    Ok(Output::Applied(view))
}

/// Whether the plan defines `task`.
fn view_defines(plan: &apply::Plan, task: &str) -> bool {
    plan.steps
        .iter()
        .any(|s| matches!(s, Step::DefineTask { next, .. } if next.task_name == task))
}

/// The file's label and text.
fn read(path: &std::path::Path) -> Result<(String, String)> {
    use std::io::Read;
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            CliError::invalid(
                format!("cannot read the document from stdin: {e}"),
                "pipe a UTF-8 YAML or JSON document in",
            )
        })?;
        return Ok(("stdin".into(), text));
    }
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::invalid(
            format!("cannot read {label}: {e}"),
            "give the path of a YAML or JSON document (stockura schedule export writes one)",
        )
    })?;
    Ok((label, text))
}
