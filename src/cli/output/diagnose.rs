//! `diagnose`: the checks of configuration, database, Redis, change events and broker.

use serde::Serialize;

use super::table::{Fit, Grid, Layout};
use crate::domain::diagnosis::{Report, Status};

/// `diagnose`: the verdict and every check that ran (exit 7 when it fails).
#[derive(Debug, Serialize)]
pub struct DiagnosisJson<'a> {
    /// Whether it passed: no check failed (with `--strict`, none warned either).
    pub ok: bool,
    /// The checks, in the order they ran.
    pub checks: Vec<CheckJson<'a>>,
}

/// One check.
#[derive(Debug, Serialize)]
pub struct CheckJson<'a> {
    /// `config`, `database`, `schedules`, `redis`, `pubsub`, `broker` or `scheduler`.
    pub name: &'static str,
    /// `ok`, `warn`, `fail` or `skip`.
    pub status: &'static str,
    /// One line.
    pub summary: &'a str,
    /// Supporting facts, one a line (URLs without passwords); possibly empty.
    pub details: &'a [String],
    /// How to fix a warning or a failure; null otherwise.
    pub hint: Option<&'a str>,
    /// How long the check took, in milliseconds.
    pub duration_ms: u64,
}

impl<'a> DiagnosisJson<'a> {
    pub(super) fn new(report: &'a Report, strict: bool) -> Self {
        Self {
            ok: report.passes(strict),
            checks: report
                .checks
                .iter()
                .map(|c| CheckJson {
                    name: c.name,
                    status: c.status.as_str(),
                    summary: &c.summary,
                    details: &c.details,
                    hint: c.hint.as_deref(),
                    duration_ms: c.duration_ms,
                })
                .collect(),
        }
    }
}

/// `diagnose`: a line per check, the details of each warning and failure, the verdict.
pub(super) fn diagnosis_text(report: &Report, strict: bool, layout: Layout) -> String {
    let mark = |s: Status| match s {
        Status::Ok => "✓ ok  ",
        Status::Warn => "! warn",
        Status::Fail => "✗ FAIL",
        Status::Skip => "- skip",
    };
    // Narrow, the duration goes, then the summary is cut (its whole text is repeated below
    // for a warning or a failure).
    let mut grid = Grid::headless(vec![
        Fit::Always,
        Fit::Always,
        Fit::Shorten(2, 20),
        Fit::Whole(1),
    ]);
    for c in &report.checks {
        grid.row(vec![
            mark(c.status).to_string(),
            c.name.to_string(),
            c.summary.clone(),
            format!("{} ms", c.duration_ms),
        ]);
    }
    let mut text = grid.render(layout);
    for c in report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Warn | Status::Fail))
    {
        text.push_str(&format!(
            "\n{} {}: {}\n",
            mark(c.status).trim(),
            c.name,
            c.summary
        ));
        for d in &c.details {
            text.push_str(&format!("    {d}\n"));
        }
        if let Some(h) = &c.hint {
            text.push_str(&format!("  hint: {h}\n"));
        }
    }
    let verdict = if report.passes(strict) {
        "all checks passed"
    } else {
        "diagnose failed"
    };
    text.push_str(&format!(
        "\n{verdict}{}\n",
        if strict {
            " (strict: warnings count)"
        } else {
            ""
        }
    ));
    text
}
