//! Change events: one JSON message per affected schedule or task definition, published on
//! `CELERY_BEAT_REDIS_CHANNEL` after every committed write.
//!
//! ```json
//! {"event_type": "schedule_updated", "schedule_id": "…", "timestamp": "2026-11-22T12:00:00.123456+00:00",
//!  "name": "…", "task_name": "…", "version": 42, "source": "stockura"}
//! ```
//! `event_type`, `schedule_id` and `timestamp` are the fields the Python application reads;
//! the others are extras it ignores.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// The `source` field of every event stockura publishes.
pub const SOURCE: &str = "stockura";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// `schedule_created`.
    ScheduleCreated,
    /// `schedule_updated` (also enable and disable).
    ScheduleUpdated,
    /// `schedule_deleted`.
    ScheduleDeleted,
    /// `task_definition_updated` (created or replaced).
    TaskDefinitionUpdated,
    /// `task_definition_deleted`.
    TaskDefinitionDeleted,
    /// `diagnostic_ping`, published by `stockura diagnose`.
    DiagnosticPing,
}

impl EventKind {
    /// The `event_type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ScheduleCreated => "schedule_created",
            Self::ScheduleUpdated => "schedule_updated",
            Self::ScheduleDeleted => "schedule_deleted",
            Self::TaskDefinitionUpdated => "task_definition_updated",
            Self::TaskDefinitionDeleted => "task_definition_deleted",
            Self::DiagnosticPing => "diagnostic_ping",
        }
    }
}

/// One event.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeEvent {
    /// What happened.
    pub kind: EventKind,
    /// The schedule, for schedule events.
    pub schedule_id: Option<Uuid>,
    /// The schedule's name, for schedule events.
    pub name: Option<String>,
    /// The task: the schedule's task, or the task definition's.
    pub task_name: Option<String>,
    /// When the change was committed.
    pub timestamp: DateTime<Utc>,
    /// The durable change version after the write, when known.
    pub version: Option<i64>,
}

impl ChangeEvent {
    /// A schedule event.
    pub fn schedule(
        kind: EventKind,
        id: Uuid,
        name: &str,
        task_name: &str,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            kind,
            schedule_id: Some(id),
            name: Some(name.to_string()),
            task_name: Some(task_name.to_string()),
            timestamp: at,
            version: None,
        }
    }

    /// A task-definition event.
    pub fn task(kind: EventKind, task_name: &str, at: DateTime<Utc>) -> Self {
        Self {
            kind,
            schedule_id: None,
            name: None,
            task_name: Some(task_name.to_string()),
            timestamp: at,
            version: None,
        }
    }

    /// The message published on the channel.
    pub fn to_json(&self) -> Value {
        let mut doc = Map::new();
        doc.insert("event_type".into(), json!(self.kind.as_str()));
        if let Some(id) = self.schedule_id {
            doc.insert("schedule_id".into(), json!(id));
        }
        doc.insert(
            "timestamp".into(),
            json!(self.timestamp.to_rfc3339_opts(SecondsFormat::Micros, false)),
        );
        if let Some(name) = &self.name {
            doc.insert("name".into(), json!(name));
        }
        if let Some(task) = &self.task_name {
            doc.insert("task_name".into(), json!(task));
        }
        if let Some(version) = self.version {
            doc.insert("version".into(), json!(version));
        }
        doc.insert("source".into(), json!(SOURCE));
        Value::Object(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_format_is_exact() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T12:00:00.5Z")
            .unwrap()
            .with_timezone(&Utc);
        let id = Uuid::parse_str("0b7e6a52-4f0c-4a0e-9d44-6f1f0a000001").unwrap();
        let mut e = ChangeEvent::schedule(EventKind::ScheduleUpdated, id, "n", "app.tasks.t", at);
        e.version = Some(7);
        assert_eq!(
            e.to_json().to_string(),
            r#"{"event_type":"schedule_updated","schedule_id":"0b7e6a52-4f0c-4a0e-9d44-6f1f0a000001","timestamp":"2026-11-22T12:00:00.500000+00:00","name":"n","task_name":"app.tasks.t","version":7,"source":"stockura"}"#
        );
        let t = ChangeEvent::task(EventKind::TaskDefinitionDeleted, "app.tasks.t", at);
        assert_eq!(
            t.to_json().to_string(),
            r#"{"event_type":"task_definition_deleted","timestamp":"2026-11-22T12:00:00.500000+00:00","task_name":"app.tasks.t","source":"stockura"}"#
        );
    }
}
