//! Which schedules `enable`, `disable` and `delete` act on: REFs, or a selection by filter
//! (`--task`, `--category`, `--tag`, `--search`, `--all`), and `--dry-run`.

use clap::Args;

use crate::domain::Schedule;
use crate::store::{self, AnyStore, ScheduleFilter, ScheduleStore, StoreError};

/// The schedules a bulk command acts on.
#[derive(Debug, Args)]
pub struct Targets {
    /// Schedule ids, unique id prefixes or exact names
    #[arg(
        value_name = "REF",
        add = crate::cli::complete::schedule_names(),
        required_unless_present_any = ["task", "category", "tags", "search", "all"],
        conflicts_with_all = ["task", "category", "tags", "search", "all"]
    )]
    pub references: Vec<String>,

    /// Instead of REFs: every schedule of this task (full name, or its last dotted segment)
    #[arg(long, short = 't')]
    pub task: Option<String>,

    /// Instead of REFs: every schedule in this category
    #[arg(long)]
    pub category: Option<String>,

    /// Instead of REFs: every schedule with this tag (repeat: all of them)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,

    /// Instead of REFs: every schedule with this text in its name, task, description or
    /// category (case-insensitive)
    #[arg(long, short = 's', value_name = "TEXT")]
    pub search: Option<String>,

    /// Instead of REFs: every schedule
    #[arg(long, conflicts_with_all = ["task", "category", "tags", "search"])]
    pub all: bool,

    /// Show what would change and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// What [`Targets::resolve`] found.
#[derive(Debug)]
pub struct Selected {
    /// The schedules: in REF order, or by name for a selection.
    pub schedules: Vec<Schedule>,
    /// Whether they were selected by filter (then the change is confirmed first).
    pub by_filter: bool,
}

impl Targets {
    /// The schedules meant: every REF resolved (one that names no schedule, or several, fails
    /// before anything is written), or every schedule the filters select (possibly none).
    pub async fn resolve(&self, store: &AnyStore) -> Result<Selected, StoreError> {
        if !self.references.is_empty() {
            return Ok(Selected {
                schedules: store::resolve_all(store, &self.references).await?,
                by_filter: false,
            });
        }
        let filter = ScheduleFilter {
            task: self.task.clone(),
            category: self.category.clone(),
            tags: self.tags.clone(),
            search: self.search.clone().filter(|s| !s.is_empty()),
            ..ScheduleFilter::default()
        };
        Ok(Selected {
            schedules: store.list_schedules(&filter).await?,
            by_filter: true,
        })
    }
}

/// How many schedules a confirmation question lists by name; the rest are counted.
const LISTED: usize = 20;

/// The schedules as a confirmation question lists them: one line each (short id, name, task),
/// the first [`LISTED`] of them, then how many more.
pub fn listing(schedules: &[Schedule]) -> String {
    let mut text: String = schedules
        .iter()
        .take(LISTED)
        .map(|s| {
            format!(
                "\n  {}  {}  ({})",
                &s.id.simple().to_string()[..8],
                s.name,
                s.task_name
            )
        })
        .collect();
    if schedules.len() > LISTED {
        text.push_str(&format!("\n  … and {} more", schedules.len() - LISTED));
    }
    text
}

/// `1 schedule`, `3 schedules`.
pub fn count(n: usize) -> String {
    if n == 1 {
        "1 schedule".into()
    } else {
        format!("{n} schedules")
    }
}
