//! The error report on stderr: `error:`, `caused by:` and `hint:` lines, or one JSON object.

use std::io::Write;

use serde::Serialize;
use serde_json::{Map, Value};

use super::escape_but_lines;
use crate::cli::args::OutputFormat;
use crate::error::ErrorKind;

/// The JSON error report: one object on stderr, on one line, under `--output json` (command-line
/// usage errors included).
#[derive(Debug, Serialize)]
pub struct ErrorJson<'a> {
    /// What went wrong.
    pub error: ErrorBody<'a>,
}

/// The error itself.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    /// `internal`, `usage`, `invalid_input`, `not_found`, `ambiguous`, `conflict`,
    /// `unavailable`, `check_failed` or `interrupted`.
    pub kind: &'static str,
    /// The exit code.
    pub code: u8,
    /// The error's own message (several lines for some: an ambiguous reference lists the
    /// candidates).
    pub message: &'a str,
    /// The causes under it, outermost first, each text once; empty when none.
    pub causes: Vec<String>,
    /// How to fix it; null when there is nothing the user can do.
    pub hint: Option<&'a str>,
    /// Fields of some typed errors, after the others: `candidates` of an ambiguous
    /// reference (`[{"id", "name", "task_name"}]` for schedules, `[{"task_name"}]` for task
    /// definitions), `problems` of an invalid document (`[{"path", "line", "message",
    /// "hint"}]`). Never one of the names above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Prints a command-line usage error (from clap) as the JSON error object on stderr.
pub fn report_usage_error(detail: &str, message: &str) {
    let body = message.split("\n\nUsage:").next().unwrap_or_default();
    let first = body
        .trim_start_matches("error: ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let doc = ErrorJson {
        error: ErrorBody {
            kind: ErrorKind::Usage.name(),
            code: ErrorKind::Usage.code(),
            message: &first,
            causes: vec![detail.to_string()],
            hint: Some("run the command with --help to see its arguments"),
            extra: Map::new(),
        },
    };
    eprintln!("{}", json_line(&doc));
}

/// Prints an error on stderr: `error:`, `caused by:` lines and `hint:`, or one JSON object
/// with `--output json`. Returns the exit code.
pub fn report_error(err: &anyhow::Error, format: OutputFormat) -> ErrorKind {
    let (kind, hint) = super::super::classify::classify(err);
    let extra = super::super::classify::typed(err).and_then(|t| t.json_fields());
    let message = err.to_string();
    // Drivers often repeat their inner error in their own message: print each text once.
    let mut causes: Vec<String> = Vec::new();
    for cause in err.chain().skip(1).map(|c| c.to_string()) {
        if !message.contains(&cause) && !causes.iter().any(|c| c.contains(&cause)) {
            causes.push(cause);
        }
    }
    let mut stderr = std::io::stderr().lock();
    let _ = match format {
        OutputFormat::Json | OutputFormat::Jsonl => {
            let doc = ErrorJson {
                error: ErrorBody {
                    kind: kind.name(),
                    code: kind.code(),
                    message: &message,
                    causes,
                    hint: hint.as_deref(),
                    extra: extra.unwrap_or_default(),
                },
            };
            writeln!(stderr, "{}", json_line(&doc))
        }
        OutputFormat::Table | OutputFormat::Wide | OutputFormat::Name => {
            let mut text = format!("error: {message}\n");
            for cause in &causes {
                text.push_str(&format!("caused by: {cause}\n"));
            }
            if let Some(hint) = &hint {
                text.push_str(&format!("hint: {hint}\n"));
            }
            // Messages quote names and paths, which can come from another program's rows.
            stderr.write_all(escape_but_lines(&text).as_bytes())
        }
    };
    kind
}

/// The report as one line of JSON.
fn json_line(doc: &ErrorJson<'_>) -> String {
    debug_assert!(
        ["kind", "code", "message", "causes", "hint"]
            .iter()
            .all(|k| !doc.error.extra.contains_key(*k)),
        "an error's extra JSON fields repeat a common one"
    );
    // Plain fields and JSON values: serialising cannot fail.
    serde_json::to_string(doc).unwrap_or_default()
}
