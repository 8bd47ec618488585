//! Cron expressions: parsing, validation and "next fire time" evaluation.
//!
//! stockura accepts standard 5-field cron (`minute hour day-of-month month day-of-week`)
//! with the macros and extensions listed in `docs/cron-semantics.md`, and evaluates it on the
//! wall clock of an IANA time zone. `docs/cron-semantics.md` is the reference for every rule
//! implemented here. The module has three parts, each with its unit tests beside it:
//!
//! * `parse.rs`: [`Cron::parse`] and [`parse_timezone`]. Parsing is done in two steps. A
//!   lexical pass of our own validates every field against the reference rules (and
//!   produces error messages that name the field and token), then rewrites the expression
//!   into a canonical numeric form that [`croner`] parses. croner then does the calendar
//!   matching (lists, ranges, steps, `L`, `W`, `#`, the DOM/DOW OR rule).
//! * `evaluate.rs`: [`Cron::next_after`], [`Cron::upcoming`] and [`Cron::fires_like`], and
//!   the matching of wall-clock times (month, day, hour and minute). We search matching
//!   wall-clock times ourselves, because croner's own zone-aware search applies different
//!   DST rules.
//! * `dst.rs`: the search on instants, which walks the time line in segments of constant
//!   UTC offset and maps matching wall times to instants with the Vixie-cron DST rules: a
//!   *fixed-time* job whose time falls into a spring-forward gap runs once at the end of the
//!   gap and runs only on the first pass of a repeated hour; a *wildcard* job (minute or
//!   hour field starting with `*`) skips the gap and runs on both passes.
//!
//! Nothing here reads the clock or does I/O: callers pass the instant to search from.

mod dst;
mod evaluate;
mod every;
mod parse;

pub(crate) use every::{Compact, seconds as duration_seconds};
pub use every::{Every, SlotTail};
pub use parse::parse_timezone;

use std::fmt;

/// The five cron fields, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CronField {
    /// Minute of the hour, 0-59.
    Minute,
    /// Hour of the day, 0-23.
    Hour,
    /// Day of the month, 1-31.
    DayOfMonth,
    /// Month, 1-12 or `jan`-`dec`.
    Month,
    /// Day of the week, 0-7 (0 and 7 are Sunday) or `sun`-`sat`.
    DayOfWeek,
}

impl fmt::Display for CronField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
        })
    }
}

/// A rejected expression or zone.
///
/// `message` is one readable sentence that quotes the expression and points at the
/// offending field and token; `hint` says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CronError {
    /// The field at fault, or `None` when the problem is the expression as a whole
    /// (empty, wrong number of fields, unknown macro) or a time zone.
    pub field: Option<CronField>,
    /// What is wrong, quoting the expression, field and token.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// A parsed, validated schedule expression: 5-field cron (or one of its macros), or an
/// interval (`@every 30s`).
///
/// Cheap to clone; `Send + Sync`. Evaluate it with [`Cron::next_after`] or
/// [`Cron::upcoming`].
#[derive(Debug, Clone)]
pub struct Cron {
    /// The expression as given, trimmed.
    source: String,
    /// What it means.
    kind: Kind,
}

/// The two kinds of expression.
#[derive(Debug, Clone)]
enum Kind {
    /// 5-field cron, evaluated on a zone's wall clock.
    Calendar(Box<Calendar>),
    /// A fixed period aligned to the Unix epoch in UTC.
    Every(Every),
}

/// A parsed 5-field cron expression.
#[derive(Debug, Clone)]
struct Calendar {
    /// The five fields after macro expansion, lower-cased.
    fields: [String; 5],
    /// Minute or hour field starts with `*`: follows elapsed time across DST changes.
    wildcard: bool,
    /// croner's parse of the canonical expression; used for day matching.
    engine: croner::Cron,
    /// Bit `m` set when minute `m` matches.
    minutes: u64,
    /// Bit `h` set when hour `h` matches.
    hours: u64,
    /// Bit `m` set when month `m` (1-12) matches.
    months: u16,
    /// Bit `n` set for every `nW` item in the day-of-month field.
    w_days: u64,
    /// The expression can never fire (for example `0 0 30 2 *`).
    never: bool,
}

impl Cron {
    /// The expression as given (trimmed).
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The five fields after macro expansion, lower-cased, otherwise as written; `None` for
    /// an interval.
    #[must_use]
    pub fn fields(&self) -> Option<[&str; 5]> {
        match &self.kind {
            Kind::Calendar(c) => Some([
                &c.fields[0],
                &c.fields[1],
                &c.fields[2],
                &c.fields[3],
                &c.fields[4],
            ]),
            Kind::Every(_) => None,
        }
    }

    /// The interval, when this is one (`@every …`).
    #[must_use]
    pub fn every(&self) -> Option<Every> {
        match &self.kind {
            Kind::Every(every) => Some(*every),
            Kind::Calendar(_) => None,
        }
    }

    /// Whether the expression can never fire, whatever the start and zone (a day that the
    /// selected months do not have, such as `0 0 30 2 *`). An interval always fires.
    pub fn never_fires(&self) -> bool {
        match &self.kind {
            Kind::Calendar(c) => c.never,
            Kind::Every(_) => false,
        }
    }

    /// Whether this is a *wildcard* job: its minute or hour field starts with `*`
    /// (`@hourly` included). Wildcard jobs follow elapsed time across DST changes; all
    /// other jobs are *fixed-time* jobs. An interval follows elapsed time too.
    #[must_use]
    pub fn is_wildcard(&self) -> bool {
        match &self.kind {
            Kind::Calendar(c) => c.wildcard,
            Kind::Every(_) => true,
        }
    }
}

/// Helpers shared by the unit tests of the parts.
#[cfg(test)]
mod test_support {
    use chrono::{DateTime, Utc};
    use chrono_tz::Tz;

    use super::{Cron, parse_timezone};

    pub(super) fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    pub(super) fn tz(name: &str) -> Tz {
        parse_timezone(name).unwrap()
    }

    pub(super) fn next_n(expr: &str, zone: &str, after: &str, n: usize) -> Vec<String> {
        Cron::parse(expr)
            .unwrap()
            .upcoming(utc(after), tz(zone))
            .take(n)
            .map(|t| t.to_rfc3339())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{tz, utc};
    use super::*;

    #[test]
    fn cron_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Cron>();
        check::<CronError>();
    }

    #[test]
    fn corpus_matches_croniter() {
        let corpus: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/data/cron_corpus.json")).unwrap();
        let cases = corpus.as_array().unwrap();
        let mut mismatches = Vec::new();
        for case in cases {
            let expr = case["expr"].as_str().unwrap();
            if case["error"].as_bool() == Some(true) {
                match Cron::parse(expr) {
                    Ok(_) => mismatches.push(format!("'{expr}': accepted, expected an error")),
                    Err(e) => {
                        if let Some(field) = case["field"].as_str()
                            && e.field.map(|f| f.to_string()).as_deref() != Some(field)
                        {
                            mismatches.push(format!(
                                "'{expr}': error names field {:?}, expected {field}: {}",
                                e.field, e.message
                            ));
                        }
                    }
                }
                continue;
            }
            let zone = case["tz"].as_str().unwrap();
            let after = case["after"].as_str().unwrap();
            let expected: Vec<String> = case["expected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            let cron = match Cron::parse(expr) {
                Ok(c) => c,
                Err(e) => {
                    mismatches.push(format!("'{expr}': rejected: {}", e.message));
                    continue;
                }
            };
            let got: Vec<String> = cron
                .upcoming(utc(after), tz(zone))
                .take(expected.len().max(1))
                .map(|t| t.to_rfc3339())
                .collect();
            if got != expected {
                mismatches.push(format!(
                    "'{expr}' in {zone} after {after}:\n    got      {got:?}\n    expected {expected:?}"
                ));
            }
        }
        for m in &mismatches {
            println!("MISMATCH {m}");
        }
        assert!(cases.len() >= 900, "corpus has only {} cases", cases.len());
        assert!(
            mismatches.is_empty(),
            "{} of {} corpus cases differ (printed above)",
            mismatches.len(),
            cases.len()
        );
    }
}
