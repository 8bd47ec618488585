//! `diagnose`: the checks of configuration, database, Redis, change events and broker.

use super::table::{Fit, Grid, Layout};
use crate::sync::diagnose::{Report, Status};

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
