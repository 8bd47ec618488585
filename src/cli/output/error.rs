//! The error report on stderr: `error:`, `caused by:` and `hint:` lines, or one JSON object.

use std::io::Write;

use serde_json::json;

use super::escape_but_lines;
use crate::cli::args::OutputFormat;
use crate::error::{self, ErrorKind};

/// Prints a command-line usage error (from clap) as the JSON error object on stderr.
pub fn report_usage_error(detail: &str, message: &str) {
    let body = message.split("\n\nUsage:").next().unwrap_or_default();
    let first = body
        .trim_start_matches("error: ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let doc = json!({"error": {
        "kind": ErrorKind::Usage.name(), "code": ErrorKind::Usage.code(), "message": first,
        "causes": [detail], "hint": "run the command with --help to see its arguments",
    }});
    eprintln!("{doc}");
}

/// Prints an error on stderr: `error:`, `caused by:` lines and `hint:`, or one JSON object
/// with `--output json`. Returns the exit code.
pub fn report_error(err: &anyhow::Error, format: OutputFormat) -> ErrorKind {
    let (kind, hint) = error::classify(err);
    let extra = error::typed(err).and_then(|t| t.json_fields());
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
        OutputFormat::Json => {
            let mut doc = json!({"error": {
                "kind": kind.name(), "code": kind.code(), "message": message, "causes": causes, "hint": hint,
            }});
            if let (Some(extra), Some(obj)) = (extra, doc["error"].as_object_mut()) {
                obj.extend(extra);
            }
            writeln!(stderr, "{doc}")
        }
        OutputFormat::Table | OutputFormat::Wide => {
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
