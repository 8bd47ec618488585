//! Intervals: `@every 30s`, `@every 6h/5h`. Slot `k` of an interval is the Unix instant
//! `offset + k * period` (seconds, UTC): the slots do not depend on when a scheduler started
//! or on any time zone, so every scheduler computes the same ones and each can be claimed
//! exactly once. The syntax and rules are in `docs/cron-semantics.md` ("Intervals").

use std::collections::VecDeque;
use std::fmt;

use chrono::{DateTime, Utc};

/// The longest period: 366 days. Calendar periods (monthly, yearly) are cron's job.
pub const MAX_PERIOD_SECS: i64 = 366 * 86_400;

const FORMS_HINT: &str = "write whole numbers with units d, h, m, s, such as 30s, 1h30m or 6h/5h (every 6 hours, 5 hours into each period)";

/// A fixed period, with an offset within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Every {
    /// Seconds between slots, 1 to [`MAX_PERIOD_SECS`].
    period: i64,
    /// Seconds after each multiple of the period since the epoch, less than the period.
    offset: i64,
}

/// The slots in a stretch of time: how many, and the latest of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotTail {
    /// Slots in the stretch.
    pub total: usize,
    /// The latest slots, oldest first (at most the number asked for).
    pub latest: VecDeque<DateTime<Utc>>,
}

impl Every {
    /// Reads what follows `@every`: a duration, optionally `/` and an offset.
    ///
    /// # Errors
    ///
    /// A sentence saying what is wrong and a hint, for an empty, malformed, zero, fractional
    /// or too long period, or an offset that is not shorter than the period.
    pub fn parse(text: &str) -> Result<Every, (String, String)> {
        let fail = |message: String| Err((message, FORMS_HINT.to_string()));
        let text = text.trim();
        if text.is_empty() {
            return fail("'@every' needs a period".into());
        }
        let (period_text, offset_text) = match text.split_once('/') {
            Some((p, o)) => (p.trim(), Some(o.trim())),
            None => (text, None),
        };
        let period = match seconds(period_text) {
            Ok(0) => return fail(format!("the period '{period_text}' is zero")),
            Ok(secs) if secs > MAX_PERIOD_SECS => {
                return Err((
                    format!("the period '{period_text}' is longer than 366 days"),
                    "use a cron expression for monthly or yearly schedules, such as '0 0 1 * *'"
                        .into(),
                ));
            }
            Ok(secs) => secs,
            Err(problem) => return fail(format!("the period {problem}")),
        };
        let offset = match offset_text.map(seconds) {
            None => 0,
            Some(Ok(secs)) if secs >= period => {
                return Err((
                    format!(
                        "the offset '{}' is not shorter than the period '{period_text}'",
                        offset_text.unwrap_or_default()
                    ),
                    "give an offset shorter than the period, such as 6h/5h (5 hours into each 6-hour period)".into(),
                ));
            }
            Some(Ok(secs)) => secs,
            Some(Err(problem)) => return fail(format!("the offset {problem}")),
        };
        Ok(Every { period, offset })
    }

    /// Seconds between slots.
    #[must_use]
    pub fn period_secs(&self) -> i64 {
        self.period
    }

    /// Seconds into each period.
    #[must_use]
    pub fn offset_secs(&self) -> i64 {
        self.offset
    }

    /// The first slot strictly after the Unix second `after`.
    pub(super) fn next_after(&self, after: i64) -> Option<i64> {
        let k = after.checked_sub(self.offset)?.div_euclid(self.period);
        k.checked_add(1)?
            .checked_mul(self.period)?
            .checked_add(self.offset)
    }

    /// The index of the latest slot at or before the Unix second `at`.
    fn index_at_or_before(&self, at: i64) -> Option<i64> {
        Some(at.checked_sub(self.offset)?.div_euclid(self.period))
    }

    /// The slots in (`from`, `until`], counted, the latest `keep` listed.
    pub(super) fn tail(&self, from: DateTime<Utc>, until: DateTime<Utc>, keep: usize) -> SlotTail {
        // Slots are whole seconds: "after `from`" is "after its second", "at or before
        // `until`" is "at or before its second".
        let (Some(first), Some(last)) = (
            self.index_at_or_before(from.timestamp())
                .and_then(|k| k.checked_add(1)),
            self.index_at_or_before(until.timestamp()),
        ) else {
            return SlotTail::default();
        };
        if last < first {
            return SlotTail::default();
        }
        let total = usize::try_from(last - first + 1).unwrap_or(usize::MAX);
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        let start = last.saturating_sub(keep.saturating_sub(1)).max(first);
        let latest = (start..=last)
            .filter(|_| keep > 0)
            .filter_map(|k| {
                let secs = k.checked_mul(self.period)?.checked_add(self.offset)?;
                DateTime::from_timestamp(secs, 0)
            })
            .collect();
        SlotTail { total, latest }
    }

    /// A name fragment: `every_30_seconds`, `every_hour`, `every_6_hours_offset_5h`.
    #[must_use]
    pub fn frequency(&self) -> String {
        let (count, unit) = [
            (86_400, "day"),
            (3_600, "hour"),
            (60, "minute"),
            (1, "second"),
        ]
        .into_iter()
        .find(|(size, _)| self.period % size == 0)
        .map(|(size, unit)| (self.period / size, unit))
        .unwrap_or((self.period, "second"));
        let base = if count == 1 {
            format!("every_{unit}")
        } else {
            format!("every_{count}_{unit}s")
        };
        if self.offset == 0 {
            base
        } else {
            format!("{base}_offset_{}", Compact(self.offset))
        }
    }
}

/// The canonical text: `30s`, `1h30m`, `24h`, `6h/5h`. Hours are the largest unit, so the
/// text is also a Go duration (`time.ParseDuration`), as other `@every` readers expect.
impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Compact(self.period))?;
        if self.offset != 0 {
            write!(f, "/{}", Compact(self.offset))?;
        }
        Ok(())
    }
}

/// Seconds as `1h30m`, `45s`, `0s`.
pub(crate) struct Compact(pub(crate) i64);

impl fmt::Display for Compact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3_600, self.0 % 3_600 / 60, self.0 % 60);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 || self.0 == 0 {
            write!(f, "{s}s")?;
        }
        Ok(())
    }
}

/// Seconds in a duration such as `90s`, `1h30m`, `2d`; the error completes "the period …".
pub(crate) fn seconds(text: &str) -> Result<i64, String> {
    if text.is_empty() {
        return Err("is empty".into());
    }
    let mut total: i64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(format!(
                "'{text}' is not a duration: expected a number at '{rest}'"
            ));
        }
        let (number, after) = rest.split_at(digits);
        let unit_len = after.len()
            - after
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len();
        let (unit, after) = after.split_at(unit_len);
        let size = match unit {
            "d" => 86_400,
            "h" => 3_600,
            "m" => 60,
            "s" => 1,
            "" if after.starts_with('.') => {
                return Err(format!(
                    "'{text}' has a fraction; periods are whole seconds"
                ));
            }
            "" => return Err(format!("'{text}' has a number without a unit")),
            "ms" | "us" | "µs" | "ns" => {
                return Err(format!(
                    "'{text}' is shorter than a second; the shortest period is 1s"
                ));
            }
            other => return Err(format!("'{text}' has an unknown unit '{other}'")),
        };
        let value: i64 = number
            .parse()
            .map_err(|_| format!("'{text}' is too long"))?;
        total = value
            .checked_mul(size)
            .and_then(|v| total.checked_add(v))
            .filter(|t| *t <= MAX_PERIOD_SECS * 10)
            .ok_or_else(|| format!("'{text}' is too long"))?;
        rest = after;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::super::Cron;
    use super::super::test_support::{next_n, utc};
    use super::*;

    fn every(text: &str) -> Every {
        Every::parse(text).unwrap()
    }

    #[test]
    fn reads_and_writes_the_canonical_form() {
        for (given, canonical) in [
            ("30s", "30s"),
            ("90s", "1m30s"),
            ("1h30m", "1h30m"),
            ("30m1h", "1h30m"),
            ("1d", "24h"),
            ("6h/5h", "6h/5h"),
            ("6h / 300m", "6h/5h"),
            ("1m/0s", "1m"),
            ("366d", "8784h"),
        ] {
            assert_eq!(every(given).to_string(), canonical, "{given}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_period() {
        for (text, needle) in [
            ("", "needs a period"),
            ("0s", "is zero"),
            ("1.5h", "fraction"),
            ("500ms", "shorter than a second"),
            ("10", "without a unit"),
            ("10x", "unknown unit 'x'"),
            ("h", "expected a number"),
            ("367d", "longer than 366 days"),
            ("99999999999999999999s", "too long"),
            ("1h/1h", "not shorter than the period"),
            ("1h/90m", "not shorter than the period"),
            ("1h/x", "the offset"),
        ] {
            let (message, hint) = Every::parse(text).unwrap_err();
            assert!(message.contains(needle), "{text}: {message}");
            assert!(!hint.is_empty());
        }
    }

    #[test]
    fn slots_are_aligned_to_the_epoch_whatever_the_zone() {
        assert_eq!(
            next_n("@every 30s", "Europe/Berlin", "2026-03-29T00:59:15Z", 3),
            [
                "2026-03-29T01:59:30+01:00",
                "2026-03-29T03:00:00+02:00",
                "2026-03-29T03:00:30+02:00"
            ]
        );
        assert_eq!(
            next_n("@every 6h/5h", "UTC", "2026-01-01T05:00:00Z", 3),
            [
                "2026-01-01T11:00:00+00:00",
                "2026-01-01T17:00:00+00:00",
                "2026-01-01T23:00:00+00:00"
            ]
        );
        // Strictly after, from inside a second.
        let cron = Cron::parse("@every 1s").unwrap();
        let next = cron
            .next_after(utc("2026-01-01T00:00:00.500Z"), chrono_tz::UTC)
            .unwrap();
        assert_eq!(next.to_rfc3339(), "2026-01-01T00:00:01+00:00");
    }

    #[test]
    fn parses_as_a_macro_and_compares_by_meaning() {
        let a = Cron::parse("@every 90s").unwrap();
        let b = Cron::parse("@EVERY 1m30s").unwrap();
        assert!(a.fires_like(&b));
        assert!(!a.fires_like(&Cron::parse("@every 1m").unwrap()));
        assert!(
            !Cron::parse("@every 1m")
                .unwrap()
                .fires_like(&Cron::parse("* * * * *").unwrap())
        );
        assert_eq!(a.fields(), None);
        assert!(!a.never_fires());
        assert!(Cron::parse("@every").is_err());
        assert!(Cron::parse("@everyday").is_err());
    }

    #[test]
    fn tail_counts_with_arithmetic_and_lists_the_latest() {
        let e = every("1s");
        let from = utc("2026-01-01T00:00:00Z");
        let until = utc("2026-02-01T00:00:00Z");
        let tail = e.tail(from, until, 3);
        assert_eq!(tail.total, 31 * 86_400);
        let latest: Vec<_> = tail.latest.iter().map(|t| t.to_rfc3339()).collect();
        assert_eq!(
            latest,
            [
                "2026-01-31T23:59:58+00:00",
                "2026-01-31T23:59:59+00:00",
                "2026-02-01T00:00:00+00:00"
            ]
        );
        // Bounds: (from, until], fractions of a second included.
        let tail = every("10s").tail(
            utc("2026-01-01T00:00:10Z"),
            utc("2026-01-01T00:00:30.9Z"),
            10,
        );
        assert_eq!(tail.total, 2);
        assert_eq!(tail.latest.len(), 2);
        assert_eq!(every("10s").tail(until, from, 5), SlotTail::default());
        assert_eq!(every("10s").tail(from, until, 0).latest.len(), 0);
        // The same as walking, for a calendar expression too.
        let cron = Cron::parse("@every 7m/3m").unwrap();
        let walked: Vec<_> = cron
            .upcoming(from, chrono_tz::UTC)
            .map(|t| t.with_timezone(&Utc))
            .take_while(|t| *t <= utc("2026-01-02T00:00:00Z"))
            .collect();
        let tail = cron.tail(from, utc("2026-01-02T00:00:00Z"), chrono_tz::UTC, 5);
        assert_eq!(tail.total, walked.len());
        assert_eq!(Vec::from(tail.latest), walked[walked.len() - 5..]);
        let hourly = Cron::parse("0 * * * *").unwrap();
        let tail = hourly.tail(from, utc("2026-01-02T00:00:00Z"), chrono_tz::UTC, 2);
        assert_eq!(tail.total, 24);
    }

    #[test]
    fn names_read_as_frequencies() {
        assert_eq!(every("30s").frequency(), "every_30_seconds");
        assert_eq!(every("1s").frequency(), "every_second");
        assert_eq!(every("90s").frequency(), "every_90_seconds");
        assert_eq!(every("2m").frequency(), "every_2_minutes");
        assert_eq!(every("1h").frequency(), "every_hour");
        assert_eq!(every("48h").frequency(), "every_2_days");
        assert_eq!(every("6h/5h").frequency(), "every_6_hours_offset_5h");
    }
}
