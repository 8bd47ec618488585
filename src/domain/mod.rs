//! Pure logic: no I/O, no clock reads. Time and identifiers arrive as arguments.

pub mod apply;
pub mod backfill;
pub mod cron;
pub mod diagnosis;
pub mod guided;
pub mod health;
pub mod instance;
pub mod jitter;
pub mod json;
pub mod manifest;
pub mod naming;
pub mod params;
pub mod pause;
pub mod policy;
pub mod reference;
pub mod run;
pub mod schedule;
pub mod task;

pub use schedule::{
    Arguments, DeliveryOptions, ExecutionPolicy, Job, NameChoice, NewSchedule, Schedule,
    ScheduleInput, SchedulePatch, Upcoming,
};

use crate::error::{Classify, ErrorKind};

/// Input that breaks a rule of the domain. Nothing is written when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    /// What is wrong, naming the offending value.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl DomainError {
    /// Builds an error from a message and a hint.
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl Classify for DomainError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
    fn hint(&self) -> Option<String> {
        Some(self.hint.clone())
    }
}

impl Classify for cron::CronError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
    fn hint(&self) -> Option<String> {
        Some(self.hint.clone())
    }
}
