//! `apply`: the plan, and what was written.

use chrono_tz::Tz;
use serde_json::{Value, json};

use super::escape;
use crate::domain::Schedule;

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

pub(super) fn apply_counts(view: &ApplyView) -> Value {
    let (create, update, delete, tasks) = view.plan.counts();
    json!({
        "create": create,
        "update": update,
        "delete": delete,
        "tasks": tasks,
        "unchanged": view.plan.unchanged.len(),
    })
}

pub(super) fn change_json(c: &crate::domain::apply::FieldChange) -> Value {
    json!({"field": c.field, "before": c.before, "after": c.after})
}

pub(super) fn apply_json(view: &ApplyView) -> Value {
    use crate::domain::apply::Step;
    let written: std::collections::HashMap<&str, &Schedule> =
        view.written.iter().map(|s| (s.name.as_str(), s)).collect();
    let steps: Vec<Value> = view
        .plan
        .steps
        .iter()
        .map(|step| match step {
            Step::DefineTask {
                next,
                exists,
                changes,
            } => json!({
                "action": if *exists { "update_task" } else { "create_task" },
                "task": next.task_name,
                "changes": changes.iter().map(change_json).collect::<Vec<_>>(),
            }),
            Step::Create(new) => json!({
                "action": "create",
                "name": new.name.text(),
                "id": written.get(new.name.text()).map(|s| s.id.to_string()),
                "task": new.task_name,
                "changes": [],
            }),
            Step::Update {
                current, changes, ..
            } => json!({
                "action": "update",
                "name": current.name,
                "id": current.id.to_string(),
                "task": current.task_name,
                "changes": changes.iter().map(change_json).collect::<Vec<_>>(),
            }),
            Step::Delete(s) => json!({
                "action": "delete",
                "name": s.name,
                "id": s.id.to_string(),
                "task": s.task_name,
                "changes": [],
            }),
        })
        .collect();
    json!({
        "file": view.file,
        "source": view.plan.source,
        "dry_run": view.dry_run,
        "applied": view.applied,
        "steps": steps,
        "unchanged": view.plan.unchanged,
        "summary": apply_counts(view),
    })
}

pub(super) fn show_value(v: &Option<Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(other) => other.to_string(),
    }
}

pub(super) fn apply_text(view: &ApplyView) -> String {
    use crate::domain::apply::Step;
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
