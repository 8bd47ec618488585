//! Task definitions: `task define`, `list`, `show`, `delete`, `validate`.

use serde_json::{Value, json};

use super::table::{Field, Fit, Grid, Layout, fields_table};
use super::utc_text;
use crate::domain::task::TaskDefinition;

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
    pub fn to_json(&self) -> Value {
        let t = &self.task;
        json!({
            "id": t.id,
            "task_name": t.task_name,
            "category": t.category,
            "description": t.description,
            "parameter_schema": t.parameter_schema,
            "schedule_count": self.schedule_count,
            "created_at": utc_text(t.created_at),
            "updated_at": utc_text(t.updated_at),
        })
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
