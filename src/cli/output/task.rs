//! Task definitions: `task define`, `list`, `show`, `delete`, `validate`.

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::schedule::{ScheduleJson, ScheduleView, list_table};
use super::table::{Field, Fit, Grid, Layout, fields_table};
use super::{escape, plural, utc_text};
use crate::domain::task::{TaskDefinition, Violation};

/// A task definition as printed.
#[derive(Debug, Clone)]
pub struct TaskView {
    /// The definition.
    pub task: TaskDefinition,
    /// How many schedules use the task.
    pub schedule_count: i64,
}

impl TaskView {
    /// The documented JSON object.
    pub fn json(&self) -> TaskJson<'_> {
        let t = &self.task;
        TaskJson {
            id: t.id,
            task_name: &t.task_name,
            category: t.category.as_deref(),
            description: t.description.as_deref(),
            parameter_schema: t.parameter_schema.as_ref(),
            schedule_count: self.schedule_count,
            created_at: utc_text(t.created_at),
            updated_at: utc_text(t.updated_at),
        }
    }
}

/// A task definition: what `task delete` prints, and each element of `task list`.
#[derive(Debug, Serialize)]
pub struct TaskJson<'a> {
    /// The definition's id, a UUID.
    pub id: Uuid,
    /// The Celery task name, unique.
    pub task_name: &'a str,
    /// Null when none.
    pub category: Option<&'a str>,
    /// Null when none.
    pub description: Option<&'a str>,
    /// The JSON Schema every schedule's kwargs must match; null when the task has none (any
    /// kwargs are accepted).
    pub parameter_schema: Option<&'a Value>,
    /// How many schedules use the task.
    pub schedule_count: i64,
    /// RFC 3339, UTC, with microseconds (fewer digits when they are zeros).
    pub created_at: String,
    /// RFC 3339, UTC, with microseconds (fewer digits when they are zeros).
    pub updated_at: String,
}

/// `task define`: the definition as stored, and what happened.
#[derive(Debug, Serialize)]
pub struct DefinedJson<'a> {
    /// The definition's fields.
    #[serde(flatten)]
    pub task: TaskJson<'a>,
    /// `created` or `replaced`.
    pub action: &'static str,
    /// How many schedules no longer match the schema (only with `--force`; else 0).
    pub invalid_schedules: usize,
}

/// `task show`: the definition and the schedules that use it.
#[derive(Debug, Serialize)]
pub struct ShowJson<'a> {
    /// The definition's fields.
    #[serde(flatten)]
    pub task: TaskJson<'a>,
    /// Its schedules, as `schedule list` prints them; empty when none.
    pub schedules: Vec<ScheduleJson<'a>>,
}

/// `task validate`: printed on stdout, also when the parameters are invalid (exit 3).
#[derive(Debug, Serialize)]
pub struct ValidationJson<'a> {
    /// The task the parameters were checked against.
    pub task_name: &'a str,
    /// Whether they match its schema (always true for a task without one).
    pub valid: bool,
    /// Every violation; empty when valid.
    pub violations: Vec<ViolationJson<'a>>,
}

/// One way the parameters break the schema.
#[derive(Debug, Serialize)]
pub struct ViolationJson<'a> {
    /// A JSON pointer into the kwargs (`/n`); empty for the whole object.
    pub path: &'a str,
    /// What is wrong.
    pub message: &'a str,
    /// The schema keyword that failed (`maximum`, `required`, …).
    pub keyword: &'a str,
}

impl<'a> ValidationJson<'a> {
    pub(super) fn new(task_name: &'a str, violations: &'a [Violation]) -> Self {
        Self {
            task_name,
            valid: violations.is_empty(),
            violations: violations
                .iter()
                .map(|v| ViolationJson {
                    path: &v.path,
                    message: &v.message,
                    keyword: &v.keyword,
                })
                .collect(),
        }
    }
}

pub(super) fn task_table(t: &TaskView, layout: Layout) -> String {
    let task = &t.task;
    let rows: Vec<(&str, Field)> = vec![
        ("task", Field::Whole(task.task_name.clone())),
        (
            "category",
            Field::Whole(task.category.clone().unwrap_or_else(|| "-".into())),
        ),
        (
            "description",
            Field::Text(task.description.clone().unwrap_or_else(|| "-".into())),
        ),
        (
            "schema",
            Field::Whole(
                if task.parameter_schema.is_some() {
                    "yes"
                } else {
                    "no"
                }
                .into(),
            ),
        ),
        ("schedules", Field::Whole(t.schedule_count.to_string())),
        ("created", Field::Whole(utc_text(task.created_at))),
        ("updated", Field::Whole(utc_text(task.updated_at))),
    ];
    fields_table(rows, layout)
}

/// `task list`. Narrow, the columns go in this order: schema, description (cut to the room
/// left before it goes), schedules, category; TASK stays.
pub(super) fn task_list_table(tasks: &[TaskView], layout: Layout) -> String {
    let mut grid = Grid::new(vec![
        ("TASK", Fit::Always),
        ("CATEGORY", Fit::Whole(4)),
        ("DESCRIPTION", Fit::Shorten(2, 16)),
        ("SCHEMA", Fit::Whole(1)),
        ("SCHEDULES", Fit::Whole(3)),
    ]);
    for t in tasks {
        grid.row(vec![
            t.task.task_name.clone(),
            t.task.category.clone().unwrap_or_default(),
            t.task.description.clone().unwrap_or_default(),
            if t.task.parameter_schema.is_some() {
                "yes"
            } else {
                "no"
            }
            .to_string(),
            t.schedule_count.to_string(),
        ]);
    }
    grid.render(layout)
}

/// `task define`.
pub(super) fn defined_text(
    task: &TaskView,
    created: bool,
    invalid_schedules: usize,
    layout: Layout,
) -> String {
    let mut text = format!(
        "{} the definition of task {}.\n{}",
        if created { "Created" } else { "Replaced" },
        escape(&task.task.task_name),
        task_table(task, layout)
    );
    if invalid_schedules > 0 {
        text.push_str(&format!(
            "Note: {} no longer match the schema (--force); they fail validation when next updated.\n",
            plural(invalid_schedules, "schedule")
        ));
    }
    text
}

/// `task list`.
pub(super) fn list_text(tasks: &[TaskView], layout: Layout) -> String {
    if tasks.is_empty() {
        return if layout.headers {
            "No task definitions.\n".into()
        } else {
            String::new()
        };
    }
    task_list_table(tasks, layout)
}

/// `task show`: the definition, its schema, its schedules.
pub(super) fn show_text(task: &TaskView, schedules: &[ScheduleView], layout: Layout) -> String {
    let mut text = task_table(task, layout);
    match &task.task.parameter_schema {
        Some(schema) => {
            text.push_str("Parameter schema:\n");
            text.push_str(&serde_json::to_string_pretty(schema).unwrap_or_default());
            text.push('\n');
        }
        None => text.push_str("No parameter schema: any kwargs are accepted.\n"),
    }
    if schedules.is_empty() {
        text.push_str("No schedules use this task.\n");
    } else {
        text.push_str(&format!(
            "{}:\n{}",
            plural(schedules.len(), "schedule"),
            list_table(schedules, layout)
        ));
    }
    text
}

/// `task delete`.
pub(super) fn deleted_text(task: &TaskView) -> String {
    format!(
        "Deleted the definition of task {}.\n",
        escape(&task.task.task_name)
    )
}

/// `task validate`.
pub(super) fn validation_text(
    task_name: &str,
    has_schema: bool,
    violations: &[Violation],
) -> String {
    if !has_schema {
        format!("valid: task {task_name} has no parameter schema, so any kwargs are accepted\n")
    } else if violations.is_empty() {
        format!("valid: the parameters match the schema of task {task_name}\n")
    } else {
        let mut text = format!(
            "invalid: {} against the schema of task {task_name}:\n",
            plural(violations.len(), "problem")
        );
        for v in violations {
            text.push_str(&format!("  {v}\n"));
        }
        text
    }
}
