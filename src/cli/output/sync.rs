//! `sync monitor`: change events, printed as they arrive.

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use serde_json::Value;

use super::{escape, utc_text, write_stdout};
use crate::cli::args::OutputFormat;

/// A change event as `sync monitor` received it.
#[derive(Debug, Clone)]
pub struct ReceivedEvent {
    /// `redis` or `postgres`.
    pub source: &'static str,
    /// The channel it came on.
    pub channel: String,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// The parsed message (a string when it was not JSON).
    pub event: Value,
}

/// A change event received by `sync monitor`: one JSON object a line, as it arrives.
#[derive(Debug, Serialize)]
pub struct EventJson<'a> {
    /// `redis` or `postgres`.
    pub source: &'static str,
    /// The channel it came on.
    pub channel: &'a str,
    /// When it arrived (RFC 3339, UTC).
    pub received_at: String,
    /// The message as published: an object (a Postgres one is `{"version"}`, plus
    /// `"schedule_ids"` when the statement named the schedules it changed), or a string when it
    /// was not JSON.
    pub event: &'a Value,
}

impl<'a> EventJson<'a> {
    fn new(e: &'a ReceivedEvent) -> Self {
        Self {
            source: e.source,
            channel: &e.channel,
            // Microseconds, as every other instant stockura prints.
            received_at: utc_text(e.received_at.trunc_subsecs(6)),
            event: &e.event,
        }
    }
}

/// Prints one received event at once: a JSON line, or a human line. Returns `false` when
/// stdout was closed (`stockura sync monitor | head -1`): the caller stops, successfully.
pub fn print_event(e: &ReceivedEvent, format: OutputFormat) -> std::io::Result<bool> {
    let line = match format {
        // Plain fields and a JSON value: serialising cannot fail.
        OutputFormat::Json | OutputFormat::Jsonl => {
            serde_json::to_string(&EventJson::new(e)).unwrap_or_default()
        }
        // Refused before the command ran: `sync monitor` has no names to print.
        OutputFormat::Table | OutputFormat::Wide | OutputFormat::Name => {
            let field = |k: &str| {
                e.event
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let kind = match e.source {
                "postgres" => "version_bumped".to_string(),
                _ => e
                    .event
                    .get("event_type")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown")
                    .to_string(),
            };
            let subject = match (field("name"), field("task_name"), field("schedule_id")) {
                (name, task, id) if !name.is_empty() => {
                    format!("{name} ({}) {task}", id.get(..8).unwrap_or(&id))
                }
                (_, task, _) if !task.is_empty() => task,
                _ => String::new(),
            };
            let version = e
                .event
                .get("version")
                .map(|v| format!(" v{v}"))
                .unwrap_or_default();
            let raw = if e.event.is_string() {
                format!(" {}", e.event)
            } else {
                String::new()
            };
            let line = format!(
                "{}  {:<8}  {kind:<24} {subject}{version}{raw}",
                e.received_at.format("%H:%M:%S%.3f"),
                e.source
            );
            // Anyone can publish on the channel: what it says is shown, never acted upon.
            escape(line.trim_end()).into_owned()
        }
    };
    match write_stdout(format!("{line}\n").as_bytes()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e),
    }
}
