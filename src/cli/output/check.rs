//! `check`: whether every enabled schedule is healthy.

use super::plural;
use super::table::{Fit, Grid, Layout};

/// `check`: one line when all is well, else one row per problem and a count.
pub(super) fn check_text(report: &crate::cli::check::CheckReport, layout: Layout) -> String {
    let results = match report.results.as_str() {
        "read" if report.failures == 1 => ", the latest result not a failure".to_string(),
        "read" => format!(", the latest {} results not failures", report.failures),
        "off" => String::new(),
        other => format!("; results not judged ({other})"),
    };
    let rules = format!(
        "due slots sent within {}{results}",
        crate::domain::health::duration_text(chrono::Duration::seconds(report.grace_seconds))
    );
    if report.checked == 0 {
        return "No enabled schedule to check.\n".into();
    }
    if report.ok {
        return format!(
            "{} checked, all healthy: {rules}.\n",
            plural(report.checked, "enabled schedule")
        );
    }
    let mut grid = Grid::new(vec![
        ("SCHEDULE", Fit::Always),
        ("TASK", Fit::Whole(8)),
        ("PROBLEM", Fit::Always),
    ]);
    for u in &report.unhealthy {
        for p in &u.problems {
            grid.row(vec![u.name.clone(), u.task_name.clone(), p.message.clone()]);
        }
    }
    format!(
        "{}{} of {} unhealthy ({rules}).\n",
        grid.render(layout),
        report.unhealthy.len(),
        plural(report.checked, "enabled schedule")
    )
}
