//! `migrate`: what was applied to the database's schema.

use serde::Serialize;

use super::plural;
use crate::store::MigrationReport;

/// `migrate`: the migrations applied now and the schema version afterwards.
#[derive(Debug, Serialize)]
pub struct MigratedJson<'a> {
    /// `postgres` or `sqlite`.
    pub backend: String,
    /// The labels of the migrations applied now, in order (`0001 celery_beat_schedules`);
    /// empty when the schema already was current.
    pub applied: &'a [String],
    /// The schema version afterwards.
    pub version: i64,
    /// When an existing `celery_beat_schedules` table was adopted: how many rows it kept;
    /// null otherwise.
    pub adopted_rows: Option<i64>,
}

impl<'a> MigratedJson<'a> {
    pub(super) fn new(report: &'a MigrationReport) -> Self {
        Self {
            backend: report.backend.to_string(),
            applied: &report.applied,
            version: report.version,
            adopted_rows: report.adopted_rows,
        }
    }
}

/// `migrate`: a line per migration applied, then the version; `url` is redacted.
pub(super) fn migrated_text(report: &MigrationReport, url: &str) -> String {
    let mut text = String::new();
    if let Some(rows) = report.adopted_rows {
        text.push_str(&format!(
            "Adopted the existing celery_beat_schedules table ({} kept).\n",
            plural(rows as usize, "row")
        ));
    }
    for label in &report.applied {
        text.push_str(&format!("Applied {label}\n"));
    }
    if report.applied.is_empty() {
        text.push_str(&format!(
            "{url} is up to date (schema version {}).\n",
            report.version
        ));
    } else {
        text.push_str(&format!(
            "{url} is now at schema version {}.\n",
            report.version
        ));
    }
    text
}
