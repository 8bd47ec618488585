//! `apply`: the plan, and what was written.

use std::collections::HashMap;

use chrono_tz::Tz;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::escape;
use crate::domain::Schedule;
use crate::domain::apply::{FieldChange, Step};

/// What `apply` planned and did.
#[derive(Debug, Clone)]
pub struct ApplyView {
    /// The document's label (its path, or `stdin`).
    pub file: String,
    /// The plan.
    pub plan: crate::domain::apply::Plan,
    /// `--dry-run`.
    pub dry_run: bool,
    /// Whether the plan was written.
    pub applied: bool,
    /// Whether the plan was already printed (before the confirmation).
    pub plan_shown: bool,
    /// The schedules written, in plan order (deletions left out).
    pub written: Vec<Schedule>,
    /// `CELERY_TIMEZONE`.
    pub timezone: Tz,
}

/// `apply`: the plan, and whether it was written. Printed on stdout; when the plan was already
/// shown on a terminal before the confirmation, the JSON still holds all of it.
#[derive(Debug, Serialize)]
pub struct ApplyJson<'a> {
    /// The document's label: its path as given, or `stdin`.
    pub file: &'a str,
    /// The document's `source`, which scopes `--prune`; null when it has none.
    pub source: Option<&'a str>,
    /// `--dry-run`.
    pub dry_run: bool,
    /// Whether the plan was written.
    pub applied: bool,
    /// The steps: task definitions first, then schedules in document order, then deletions.
    pub steps: Vec<StepJson<'a>>,
    /// The document's schedules that it wants on and that are paused (`schedule pause`): left
    /// paused; `schedule resume` ends a pause.
    pub kept_paused: Vec<KeptPauseJson<'a>>,
    /// Names of the document's schedules that already match.
    pub unchanged: &'a [String],
    /// How many of each.
    pub summary: SummaryJson,
}

/// A paused schedule left paused.
#[derive(Debug, Serialize)]
pub struct KeptPauseJson<'a> {
    /// Its name.
    pub name: &'a str,
    /// Why it is paused.
    pub pause_reason: &'a str,
    /// When the leading scheduler resumes it (RFC 3339 UTC); null when only `resume` does.
    pub paused_until: Option<String>,
}

/// One step of the plan.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum StepJson<'a> {
    /// A task definition to create or change.
    Task(TaskStepJson<'a>),
    /// A schedule to create, update or delete.
    Schedule(ScheduleStepJson<'a>),
}

/// A task definition to create or change.
#[derive(Debug, Serialize)]
pub struct TaskStepJson<'a> {
    /// `create_task` or `update_task`.
    pub action: &'static str,
    /// The task name.
    pub task: &'a str,
    /// What changes; empty for a new definition.
    pub changes: Vec<ChangeJson<'a>>,
}

/// A schedule to create, update or delete.
#[derive(Debug, Serialize)]
pub struct ScheduleStepJson<'a> {
    /// `create`, `update` or `delete`.
    pub action: &'static str,
    /// The schedule's name.
    pub name: &'a str,
    /// The schedule's id; null for a schedule to create that was not written (a plan only).
    pub id: Option<Uuid>,
    /// Its Celery task.
    pub task: &'a str,
    /// What changes; empty for `create` and `delete`.
    pub changes: Vec<ChangeJson<'a>>,
}

/// One field that changes.
#[derive(Debug, Serialize)]
pub struct ChangeJson<'a> {
    /// The document's field name (`cron`, `kwargs.limit`, `managed-by`, …).
    pub field: &'a str,
    /// The stored value; null when absent.
    pub before: Option<&'a Value>,
    /// The document's value; null when removed.
    pub after: Option<&'a Value>,
}

/// How many steps of each kind.
#[derive(Debug, Serialize)]
pub struct SummaryJson {
    /// Schedules to create.
    pub create: usize,
    /// Schedules to update.
    pub update: usize,
    /// Schedules to delete.
    pub delete: usize,
    /// Task definitions to create or change.
    pub tasks: usize,
    /// The document's schedules that already match.
    pub unchanged: usize,
}

fn changes(changes: &[FieldChange]) -> Vec<ChangeJson<'_>> {
    changes
        .iter()
        .map(|c| ChangeJson {
            field: &c.field,
            before: c.before.as_ref(),
            after: c.after.as_ref(),
        })
        .collect()
}

impl<'a> ApplyJson<'a> {
    pub(super) fn new(view: &'a ApplyView) -> Self {
        let written: HashMap<&str, &Schedule> =
            view.written.iter().map(|s| (s.name.as_str(), s)).collect();
        let steps = view
            .plan
            .steps
            .iter()
            .map(|step| match step {
                Step::DefineTask {
                    next,
                    exists,
                    changes: c,
                } => StepJson::Task(TaskStepJson {
                    action: if *exists {
                        "update_task"
                    } else {
                        "create_task"
                    },
                    task: &next.task_name,
                    changes: changes(c),
                }),
                Step::Create(new) => StepJson::Schedule(ScheduleStepJson {
                    action: "create",
                    name: new.name.text(),
                    id: written.get(new.name.text()).map(|s| s.id),
                    task: &new.task_name,
                    changes: Vec::new(),
                }),
                Step::Update {
                    current,
                    changes: c,
                    ..
                } => StepJson::Schedule(ScheduleStepJson {
                    action: "update",
                    name: &current.name,
                    id: Some(current.id),
                    task: &current.task_name,
                    changes: changes(c),
                }),
                Step::Delete(s) => StepJson::Schedule(ScheduleStepJson {
                    action: "delete",
                    name: &s.name,
                    id: Some(s.id),
                    task: &s.task_name,
                    changes: Vec::new(),
                }),
            })
            .collect();
        let (create, update, delete, tasks) = view.plan.counts();
        Self {
            file: &view.file,
            source: view.plan.source.as_deref(),
            dry_run: view.dry_run,
            applied: view.applied,
            steps,
            kept_paused: view
                .plan
                .kept_paused
                .iter()
                .map(|k| KeptPauseJson {
                    name: &k.name,
                    pause_reason: &k.reason,
                    paused_until: k.until.map(super::utc_text),
                })
                .collect(),
            unchanged: &view.plan.unchanged,
            summary: SummaryJson {
                create,
                update,
                delete,
                tasks,
                unchanged: view.plan.unchanged.len(),
            },
        }
    }
}

fn show_value(v: &Option<Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(other) => other.to_string(),
    }
}

pub(super) fn apply_text(view: &ApplyView) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let (create, update, delete, tasks) = view.plan.counts();
    if !view.plan_shown {
        let source = view
            .plan
            .source
            .as_deref()
            .map(|s| format!(" (source: {s})"))
            .unwrap_or_default();
        let _ = writeln!(out, "Plan for {}{source}:", view.file);
        for step in &view.plan.steps {
            let changes = match step {
                Step::DefineTask {
                    next,
                    exists,
                    changes,
                } => {
                    let verb = if *exists { "~ task  " } else { "+ task  " };
                    let _ = writeln!(out, "  {verb}{}", escape(&next.task_name));
                    changes
                }
                Step::Create(new) => {
                    let _ = writeln!(
                        out,
                        "  + create  {}  ({}, {})",
                        escape(new.name.text()),
                        escape(&new.task_name),
                        escape(&new.cron_expression)
                    );
                    continue;
                }
                Step::Update {
                    current, changes, ..
                } => {
                    let _ = writeln!(
                        out,
                        "  ~ update  {}  ({})",
                        escape(&current.name),
                        current.id
                    );
                    changes
                }
                Step::Delete(s) => {
                    let _ = writeln!(
                        out,
                        "  - delete  {}  ({}, not in the file)",
                        escape(&s.name),
                        s.id
                    );
                    continue;
                }
            };
            for c in changes {
                let _ = writeln!(
                    out,
                    "      {}: {} -> {}",
                    c.field,
                    show_value(&c.before),
                    show_value(&c.after)
                );
            }
        }
        if !view.plan.unchanged.is_empty() {
            let _ = writeln!(out, "  = {} unchanged", view.plan.unchanged.len());
        }
        for k in &view.plan.kept_paused {
            let until = k
                .until
                .map(|t| format!(", until {}", super::table::local_in(t, None)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  ! left paused: {} ({}{until}); `stockura schedule resume {}` ends the pause",
                escape(&k.name),
                escape(&k.reason),
                escape(&k.name)
            );
        }
    }
    if view.plan.is_empty() {
        let _ = writeln!(out, "No changes: the database matches {}.", view.file);
        return out;
    }
    let tasks = if tasks > 0 {
        format!(", {tasks} task definition(s)")
    } else {
        String::new()
    };
    let summary = format!("{create} to create, {update} to update, {delete} to delete{tasks}");
    if view.applied {
        let tasks = tasks.replace("task definition(s)", "task definition(s) written");
        let _ = writeln!(
            out,
            "Applied: {create} created, {update} updated, {delete} deleted{tasks}."
        );
    } else if view.dry_run {
        let _ = writeln!(out, "Dry run: {summary}; nothing was written.");
    } else {
        let _ = writeln!(out, "{summary}.");
    }
    out
}
