//! Switching schedules off and on: `disable` and `pause` (with a reason and, optionally, an
//! instant at which the schedule resumes by itself), `enable` and `resume`.
//!
//! `enabled` stays the one switch every scheduler reads (the Python one included). The pause
//! fields only describe a schedule that is off: who switched it off and when (`disable` and
//! `pause`), why and until when (`pause`). Switching it on clears them and records when it was
//! switched on (`resumed_at`): a scheduler owes nothing for the slots before that instant.

use chrono::{DateTime, SubsecRound, Utc};

use super::DomainError;
use super::schedule::Schedule;

/// Who switched a schedule off, when, why and until when. Every field is empty on a schedule
/// that is on (or that was switched off by another program or by `schedule update
/// --disabled`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pause {
    /// When it was switched off.
    pub at: Option<DateTime<Utc>>,
    /// Who switched it off: `user@host`.
    pub by: Option<String>,
    /// Why (`schedule pause --reason`); none for a plain `disable`.
    pub reason: Option<String>,
    /// When it resumes by itself (`schedule pause --until`); none until it is resumed by hand.
    pub until: Option<DateTime<Utc>>,
}

impl Pause {
    /// Whether no field is set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Whether a schedule runs, and if not, whether it was paused (with a reason) or disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// On: the scheduler sends it.
    Enabled,
    /// Off, with a reason (`schedule pause`).
    Paused,
    /// Off, without a reason (`schedule disable`, or another program).
    Disabled,
}

impl State {
    /// `enabled`, `paused` or `disabled`: the JSON `state` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "enabled",
            Self::Paused => "paused",
            Self::Disabled => "disabled",
        }
    }
}

impl Schedule {
    /// Whether it runs, is paused or is disabled. A reason left on a row that another program
    /// switched on again does not make it paused.
    pub fn state(&self) -> State {
        match (self.enabled, &self.pause.reason) {
            (true, _) => State::Enabled,
            (false, Some(_)) => State::Paused,
            (false, None) => State::Disabled,
        }
    }

    /// The pause fields, when the schedule is off; `None` when it is on (any left on its row
    /// by another program mean nothing then).
    pub fn pause(&self) -> Option<&Pause> {
        (!self.enabled && !self.pause.is_empty()).then_some(&self.pause)
    }
}

/// What `enable`/`resume` or `disable`/`pause` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Switch {
    /// On: `enabled` set, the pause cleared, `resumed_at` set to `at`.
    On {
        /// The instant it is switched on.
        at: DateTime<Utc>,
    },
    /// Off: `enabled` cleared and the pause written (who and when always; why and until when
    /// for a pause).
    Off(Pause),
}

impl Switch {
    /// `disable`: off, saying who and when.
    pub fn disable(by: &str, at: DateTime<Utc>) -> Self {
        Self::Off(Pause {
            at: Some(at),
            by: Some(by.to_string()),
            reason: None,
            until: None,
        })
    }

    /// Whether writing this changes `schedule`. On changes a schedule that is off; a plain
    /// disable a schedule that is on (one already off, paused or not, stays as it is); a pause
    /// a schedule that is on, or off with another reason or until.
    pub fn changes(&self, schedule: &Schedule) -> bool {
        match self {
            Self::On { .. } => !schedule.enabled,
            Self::Off(Pause { reason: None, .. }) => schedule.enabled,
            Self::Off(p) => {
                schedule.enabled
                    || schedule.pause.reason != p.reason
                    || schedule.pause.until != p.until
            }
        }
    }

    /// `schedule` as this write leaves it (its `updated_at` aside): what `--dry-run` shows.
    pub fn apply(&self, schedule: Schedule) -> Schedule {
        if !self.changes(&schedule) {
            return schedule;
        }
        match self {
            Self::On { at } => Schedule {
                enabled: true,
                pause: Pause::default(),
                resumed_at: Some(*at),
                ..schedule
            },
            Self::Off(p) => Schedule {
                enabled: false,
                pause: p.clone(),
                ..schedule
            },
        }
    }
}

/// The longest `--reason`, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Checks `--reason`: trimmed, not empty, on one line without control characters, at most
/// [`MAX_REASON_CHARS`] characters.
pub fn check_reason(text: &str) -> Result<String, DomainError> {
    let reason = text.trim();
    if reason.is_empty() {
        return Err(DomainError::new(
            "--reason is empty",
            "say why the schedule is paused, e.g. --reason 'backfill of 2026-11, see OPS-123'; \
             `schedule disable` switches it off without a reason",
        ));
    }
    super::params::check_text("reason", reason)?;
    let chars = reason.chars().count();
    if chars > MAX_REASON_CHARS {
        return Err(DomainError::new(
            format!("--reason is {chars} characters long, more than {MAX_REASON_CHARS}"),
            "keep the reason short and link to the details (a ticket, a runbook)",
        ));
    }
    Ok(reason.to_string())
}

/// Parses `--until`: an RFC 3339 instant, or a duration from `now` (`90s`, `30m`, `2h`, `7d`,
/// `1w`). It must lie after `now`. Microsecond precision, as the databases keep it.
pub fn parse_until(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, DomainError> {
    let text = text.trim();
    let hint = "give an instant such as 2026-12-08T09:00:00Z (RFC 3339, with its offset) or a \
                duration from now such as 90s, 30m, 2h, 7d, 1w";
    let until = match DateTime::parse_from_rfc3339(text) {
        Ok(t) => t.with_timezone(&Utc),
        Err(_) => {
            let ahead = super::run::parse_duration(text).ok_or_else(|| {
                DomainError::new(
                    format!("--until '{text}' is neither a duration nor an RFC 3339 instant"),
                    hint,
                )
            })?;
            now.checked_add_signed(ahead).ok_or_else(|| {
                DomainError::new(format!("--until '{text}' lies too far ahead"), hint)
            })?
        }
    }
    .trunc_subsecs(6);
    if until <= now {
        return Err(DomainError::new(
            format!(
                "--until {} is not in the future (now is {})",
                until.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            "give a later instant, or a duration from now such as --until 2h",
        ));
    }
    Ok(until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn until_takes_durations_ahead_and_future_instants() {
        let now = at("2026-01-01T00:00:00.1234567Z");
        assert_eq!(
            parse_until("2h", now).unwrap(),
            at("2026-01-01T02:00:00.123456Z")
        );
        assert_eq!(
            parse_until(" 2026-01-02T09:00:00+09:00 ", now).unwrap(),
            at("2026-01-02T00:00:00Z")
        );
        for bad in ["", "2", "2x", "h2", "tomorrow", "99999999999999999w"] {
            let e = parse_until(bad, now).unwrap_err();
            assert!(
                e.hint.contains("RFC 3339") || e.hint.contains("2h"),
                "{bad}: {e:?}"
            );
        }
        let past = parse_until("2025-12-31T23:00:00Z", now).unwrap_err();
        assert!(past.message.contains("not in the future"), "{past:?}");
        assert!(parse_until("0s", now).is_err());
    }

    #[test]
    fn a_reason_is_one_short_printable_line() {
        assert_eq!(check_reason("  backfill  ").unwrap(), "backfill");
        assert!(check_reason(" \t ").unwrap_err().message.contains("empty"));
        assert!(check_reason("a\u{1b}[31m").is_err());
        assert!(check_reason(&"x".repeat(MAX_REASON_CHARS)).is_ok());
        assert!(check_reason(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
    }

    #[test]
    fn switches_change_only_what_differs() {
        let now = at("2026-01-01T00:00:00Z");
        let on = Schedule::example("s", "* * * * *", now);
        let pause = Switch::Off(Pause {
            at: Some(now),
            by: Some("ann@h".into()),
            reason: Some("backfill".into()),
            until: Some(at("2026-01-02T00:00:00Z")),
        });
        let disable = Switch::disable("ann@h", now);
        let resume = Switch::On { at: now };
        assert!(pause.changes(&on) && disable.changes(&on) && !resume.changes(&on));
        let paused = pause.apply(on.clone());
        assert_eq!(paused.state(), State::Paused);
        assert_eq!(paused.pause().unwrap().by.as_deref(), Some("ann@h"));
        // The same pause again, or a plain disable of a paused schedule: nothing to write.
        assert!(!pause.changes(&paused) && !disable.changes(&paused));
        let other = Switch::Off(Pause {
            until: None,
            ..paused.pause.clone()
        });
        assert!(other.changes(&paused), "another until is a change");
        let disabled = disable.apply(on.clone());
        assert_eq!(disabled.state(), State::Disabled);
        assert!(pause.changes(&disabled), "a reason is a change");
        let resumed = resume.apply(paused);
        assert_eq!(resumed.state(), State::Enabled);
        assert!(resumed.pause.is_empty() && resumed.pause().is_none());
        assert_eq!(resumed.resumed_at, Some(now));
    }
}
