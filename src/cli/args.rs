//! Option groups shared by several commands.

use crate::error::CliError;
use clap::{Args, ValueEnum};

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable tables, fitted to the terminal's width (or COLUMNS): the least useful
    /// columns are left out, free text is cut; ids and names are never cut or wrapped.
    #[default]
    Table,
    /// Tables with every column, whole, whatever the width.
    Wide,
    /// JSON: a stable contract for other programs (fields listed in the README).
    Json,
    /// JSON Lines: a list as one compact JSON object per line, written as it is produced;
    /// anything else as its JSON document on one line.
    Jsonl,
    /// Names only, one per line, for pipes: schedule ids, task names, run ids, instants.
    Name,
}

impl OutputFormat {
    /// Whether errors are reported as one JSON object (`json`, `jsonl`).
    pub fn json_errors(self) -> bool {
        matches!(self, Self::Json | Self::Jsonl)
    }
}

/// Options every command accepts, before or after the subcommand. Its `Debug` redacts the URL.
#[derive(Clone, Args)]
pub struct GlobalArgs {
    /// Database URL: postgres://user@host:5432/db or sqlite:///path/file.db
    /// [env: DATABASE_URL] [default: embedded SQLite in $STOCKURA_HOME or ~/.local/share/stockura]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Output format
    #[arg(long, short = 'o', global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,

    /// Do not read the .env file in the current directory
    #[arg(long, global = true)]
    pub no_dotenv: bool,

    /// Print table rows without the header line (and nothing for an empty list)
    #[arg(long, global = true)]
    pub no_headers: bool,
}

/// The schedule fields `add` and `update` share.
#[derive(Debug, Clone, Default, Args)]
pub struct ScheduleFields {
    /// Schedule name (not unique); generated from task, parameters and cron when omitted
    #[arg(long)]
    pub name: Option<String>,

    /// IANA timezone the cron expression is evaluated in [default: CELERY_TIMEZONE, else UTC]
    #[arg(long = "tz", value_name = "ZONE")]
    pub timezone: Option<String>,

    /// Positional task arguments as a JSON array, e.g. '[1, "a"]', a file holding one, or '-'
    /// for standard input
    #[arg(long, value_name = "JSON|FILE|-")]
    pub args: Option<String>,

    /// Keyword arguments as a JSON object, e.g. '{"period_type": "daily"}', a file holding one,
    /// or '-' for standard input
    #[arg(long, value_name = "JSON|FILE|-")]
    pub kwargs: Option<String>,

    /// One keyword argument, merged into the kwargs; VALUE is JSON when valid JSON, else a string
    #[arg(long = "param", short = 'p', value_name = "KEY=VALUE")]
    pub params: Vec<String>,

    /// Category label
    #[arg(long)]
    pub category: Option<String>,

    /// Tag (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,

    /// Overlap policy: allow, skip or queue
    #[arg(long, value_name = "POLICY")]
    pub policy: Option<String>,

    /// Celery queue to route the task to
    #[arg(long)]
    pub queue: Option<String>,

    /// Message priority, 0 (most urgent on Redis) to 9
    #[arg(long, allow_hyphen_values = true, value_name = "0-9")]
    pub priority: Option<String>,

    /// Seconds after the scheduled time after which a run is pointless (sent as Celery `expires`)
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
    pub expires: Option<String>,

    /// Free-text description
    #[arg(long)]
    pub description: Option<String>,

    /// Send each slot up to DURATION after its instant (such as 60s or 5m; 0 for none): a
    /// fixed offset per schedule and slot, so schedules on the same instant spread out
    #[arg(long, value_name = "DURATION")]
    pub jitter: Option<String>,

    /// Refuse a task that has no definition [env: STOCKURA_REQUIRE_TASK_DEFINITIONS]
    #[arg(long)]
    pub require_definition: bool,
}

impl std::fmt::Debug for GlobalArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GlobalArgs")
            .field(
                "database_url",
                &self.database_url.as_deref().map(crate::config::redact),
            )
            .field("output", &self.output)
            .field("no_dotenv", &self.no_dotenv)
            .finish()
    }
}

/// Which schedules a command selects (`schedule list`, `schedule export`).
#[derive(Debug, Clone, Args)]
pub struct Selection {
    /// Only this task (full name, or its last dotted segment)
    #[arg(long, short = 't')]
    pub task: Option<String>,

    /// Only this category
    #[arg(long)]
    pub category: Option<String>,

    /// Only schedules with this tag (repeat: all of them)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
}

/// Parses `90`, `90s`, `15m`, `1h`, `2d` into a duration.
pub fn parse_duration(flag: &str, text: &str) -> Result<chrono::Duration, CliError> {
    let text = text.trim();
    let err = || {
        CliError::invalid(
            format!("{flag} '{text}' is not a duration"),
            "use seconds or a unit: 90, 90s, 15m, 1h, 2d",
        )
    };
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| err())?;
    let unit = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(err()),
    };
    chrono::Duration::try_seconds(n.checked_mul(unit).ok_or_else(err)?).ok_or_else(err)
}
