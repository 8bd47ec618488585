//! Diagnostics as data: each check of `stockura diagnose` has a status, a one-line summary,
//! details, a hint and its duration. The checks themselves live with the layer that talks to
//! what they check (the database through the store, Redis in `sync`, the broker in
//! `beat::broker`); the CLI runs them in order and renders the [`Report`].

use std::time::Duration;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Nothing to do here (not configured).
    Skip,
    /// Fine.
    Ok,
    /// Works, but something will bite.
    Warn,
    /// Broken.
    Fail,
}

impl Status {
    /// `ok`, `warn`, `fail` or `skip`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "fail",
            Self::Skip => "skip",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// `config`, `database`, `redis`, `pubsub`, `broker` or `scheduler`.
    pub name: &'static str,
    /// The outcome.
    pub status: Status,
    /// One line.
    pub summary: String,
    /// Supporting facts, one per line (URLs redacted).
    pub details: Vec<String>,
    /// How to fix a warning or failure.
    pub hint: Option<String>,
    /// How long the check took.
    pub duration_ms: u64,
}

impl Check {
    /// A check with no details yet.
    pub fn new(name: &'static str, status: Status, summary: impl Into<String>) -> Self {
        Self {
            name,
            status,
            summary: summary.into(),
            details: Vec::new(),
            hint: None,
            duration_ms: 0,
        }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets how long the check took.
    pub fn took(mut self, elapsed: Duration) -> Self {
        self.duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// A failure: the error and its first cause as the summary.
    pub fn failed(name: &'static str, err: &dyn std::error::Error, hint: &str) -> Self {
        let cause = std::error::Error::source(err)
            .map(|c| format!(": {c}"))
            .unwrap_or_default();
        Self::new(name, Status::Fail, format!("{err}{cause}")).hint(hint)
    }
}

/// Every check of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// In the order they ran.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether the run passes: no failure, and no warning either when `strict`.
    pub fn passes(&self, strict: bool) -> bool {
        self.checks.iter().all(|c| match c.status {
            Status::Fail => false,
            Status::Warn => !strict,
            Status::Ok | Status::Skip => true,
        })
    }
}

/// The names `--check` accepts, in the order checks run.
pub const CHECKS: [&str; 7] = [
    "config",
    "database",
    "schedules",
    "redis",
    "pubsub",
    "broker",
    "scheduler",
];
