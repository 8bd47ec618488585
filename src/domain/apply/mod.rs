//! `stockura apply`: reading a schedule document (YAML or JSON) with every problem located, and
//! planning what makes the database match it. Pure: the text, the stored rows and the task
//! definitions come in, a plan (or every problem) comes out.
//!
//! The parts, each with its unit tests beside it:
//!
//! * `document.rs`: the document format ([`Syntax`], [`Document`]), read by [`parse`] and
//!   [`parse_lenient`], and the locator that finds the line of a path in the text.
//! * `plan.rs`: [`plan`] checks the document against the stored schedules and task
//!   definitions and turns it into a [`Plan`] of [`Step`]s.
//! * `diff.rs`: the field-level differences a plan shows ([`FieldChange`],
//!   [`schedule_changes`]) and the number-tolerant JSON comparison ([`same_value`]).
//!
//! [`Problem`] and [`DocumentError`], shared by reading and planning, are defined here.

mod diff;
mod document;
mod plan;

pub use diff::{FieldChange, same_value, schedule_changes};
pub use document::{Document, Syntax, parse, parse_lenient};
pub use plan::{Plan, PlanContext, Step, owner, plan};

use std::fmt;

use serde_json::{Map, Value};

/// One problem of a document, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: a dotted path such as `schedules.nightly.cron`, or `document`.
    pub path: String,
    /// The 1-based line, when it could be found.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is more to say than the message.
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Every problem of a document, as one error: nothing is written when it is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} has {} {}; nothing was written:{}", problems.len(), if problems.len() == 1 { "problem" } else { "problems" }, list(problems))]
pub struct DocumentError {
    /// The document's label (its path, or `stdin`).
    pub file: String,
    /// Every problem, in document order where it could be located.
    pub problems: Vec<Problem>,
}

fn list(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("\n  {p}")).collect()
}

impl crate::error::Classify for DocumentError {
    fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::InvalidInput
    }
    fn hint(&self) -> Option<String> {
        Some("fix every problem listed, then run `stockura apply -f FILE --dry-run` to check the plan".into())
    }
    fn json_fields(&self) -> Option<Map<String, Value>> {
        let problems: Vec<Value> = self
            .problems
            .iter()
            .map(|p| serde_json::json!({"path": p.path, "line": p.line, "message": p.message, "hint": p.hint}))
            .collect();
        let mut fields = Map::new();
        fields.insert("problems".into(), problems.into());
        Some(fields)
    }
}

/// Every problem of a document, as one error, ordered by line.
pub fn problems_error(file: &str, problems: &[Problem]) -> DocumentError {
    let mut problems = problems.to_vec();
    problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
    DocumentError {
        file: file.to_string(),
        problems,
    }
}
