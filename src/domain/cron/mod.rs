//! Cron expressions: parsing, validation and "next fire time" evaluation.
//!
//! stockura accepts standard 5-field cron (`minute hour day-of-month month day-of-week`)
//! with the macros and extensions listed in `docs/cron-semantics.md`, and evaluates it on the
//! wall clock of an IANA time zone:
//!
//! * Parsing is done in two steps. A lexical pass of our own validates every field against
//!   the reference rules (and produces error messages that name the field and token), then
//!   rewrites the expression into a canonical numeric form that [`croner`] parses. croner
//!   then does the calendar matching (lists, ranges, steps, `L`, `W`, `#`, the DOM/DOW OR
//!   rule).
//! * Evaluation searches matching wall-clock times ourselves (croner's own zone-aware search
//!   applies different DST rules) and maps them to instants with the Vixie-cron DST rules:
//!   a *fixed-time* job whose time falls into a spring-forward gap runs once at the end of
//!   the gap and runs only on the first pass of a repeated hour; a *wildcard* job (minute or
//!   hour field starting with `*`) skips the gap and runs on both passes.
//!
//! Nothing here reads the clock or does I/O: callers pass the instant to search from.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

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

/// A parsed, validated cron expression.
///
/// Cheap to clone; `Send + Sync`. Evaluate it with [`Cron::next_after`] or
/// [`Cron::upcoming`].
#[derive(Debug, Clone)]
pub struct Cron {
    /// The expression as given, trimmed.
    source: String,
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

const MACROS: [(&str, &str); 7] = [
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
];

const FIELD_ORDER: [CronField; 5] = [
    CronField::Minute,
    CronField::Hour,
    CronField::DayOfMonth,
    CronField::Month,
    CronField::DayOfWeek,
];

const MONTH_NAMES: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAY_NAMES: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIVE_FIELDS_HINT: &str =
    "use 5 fields: minute hour day-of-month month day-of-week, such as '*/15 * * * *'";
const LIST_HINT: &str =
    "use numbers, ranges ('1-5'), steps ('*/15', '1-30/5') and lists ('1,15,30')";

/// How far ahead (in wall-clock seconds) a search looks before deciding that an
/// expression never fires: a little over one 400-year Gregorian cycle, after which the
/// calendar (and so every day-matching rule) repeats.
const HORIZON_SECS: i64 = (146_097 + 366) * 86_400;
/// Distance between offset probes when looking for a UTC-offset transition. Every pair
/// of consecutive offset changes in the tz database bundled with chrono-tz 0.10 is at
/// least 167 hours apart, so a one-day probe never steps over two changes at once.
const PROBE_SECS: i64 = 86_400;
/// Upper bound on the UTC-offset segments one search walks through.
const MAX_SEGMENTS: usize = 4_000;

impl Cron {
    /// Parses and validates a cron expression.
    ///
    /// The expression is trimmed; macros (`@yearly`, `@annually`, `@monthly`, `@weekly`,
    /// `@daily`, `@midnight`, `@hourly`) are expanded; month and weekday names are
    /// case-insensitive 3-letter abbreviations. Anything outside the syntax in
    /// `docs/cron-semantics.md` is rejected with a [`CronError`] naming the field.
    ///
    /// # Errors
    ///
    /// Returns a [`CronError`] for an empty expression, an unknown or unsupported macro,
    /// a field count other than 5, or any field that breaks the syntax rules (`field` then
    /// names the first offending field).
    pub fn parse(expr: &str) -> Result<Cron, CronError> {
        let source = expr.trim().to_string();
        let whole = |message: String, hint: &str| CronError {
            field: None,
            message: format!("invalid cron expression '{source}': {message}"),
            hint: hint.to_string(),
        };
        if source.is_empty() {
            return Err(whole("the expression is empty".into(), FIVE_FIELDS_HINT));
        }

        let expanded: String = if source.starts_with('@') {
            let lower = source.to_ascii_lowercase();
            if let Some((_, fields)) = MACROS.iter().find(|(name, _)| *name == lower) {
                (*fields).to_string()
            } else if lower == "@reboot" {
                return Err(whole(
                    "'@reboot' runs a job when a machine boots, which a periodic schedule cannot express".into(),
                    "use a time-based macro such as '@daily' or 5 fields such as '0 0 * * *'",
                ));
            } else if lower.starts_with("@every") {
                return Err(whole(
                    "'@every' intervals are not cron syntax".into(),
                    "use a step instead, such as '*/15 * * * *' for every 15 minutes",
                ));
            } else {
                return Err(whole(
                    format!("unknown macro '{source}'"),
                    "use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, or 5 fields such as '*/15 * * * *'",
                ));
            }
        } else {
            source.clone()
        };

        let raw: Vec<&str> = expanded.split_ascii_whitespace().collect();
        if raw.len() != 5 {
            let hint = if raw.len() == 6 || raw.len() == 7 {
                "stockura does not support a seconds or year field; use 5 fields: minute hour day-of-month month day-of-week, such as '*/15 * * * *'"
            } else {
                FIVE_FIELDS_HINT
            };
            return Err(whole(
                format!(
                    "expected 5 fields (minute hour day-of-month month day-of-week) but found {}",
                    raw.len()
                ),
                hint,
            ));
        }

        let mut parsed = Vec::with_capacity(5);
        for (field, text) in FIELD_ORDER.iter().zip(raw.iter()) {
            let info = parse_field(*field, text).map_err(|problem| {
                // "minute field '*/0': '*/0': ..." reads badly; drop the repeated token.
                let prefix = format!("'{text}': ");
                let detail = problem
                    .message
                    .strip_prefix(&prefix)
                    .unwrap_or(&problem.message);
                CronError {
                    field: Some(*field),
                    message: format!(
                        "invalid cron expression '{source}': {field} field '{text}': {detail}"
                    ),
                    hint: problem.hint,
                }
            })?;
            parsed.push(info);
        }

        let canonical = parsed
            .iter()
            .map(|p| p.canonical.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let engine = croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Disallowed)
            .year(croner::parser::Year::Disallowed)
            .build()
            .parse(&canonical)
            .map_err(|e| {
                whole(
                    format!("the expression could not be compiled ({e})"),
                    FIVE_FIELDS_HINT,
                )
            })?;

        let mask = |values: Vec<u16>| values.iter().fold(0u64, |acc, v| acc | (1u64 << v));
        let minutes = mask(engine.pattern.minutes.values());
        let hours = mask(engine.pattern.hours.values());
        let months = (mask(engine.pattern.months.values()) & 0x1ffe) as u16;

        let fields: [String; 5] = [
            raw[0].to_ascii_lowercase(),
            raw[1].to_ascii_lowercase(),
            raw[2].to_ascii_lowercase(),
            raw[3].to_ascii_lowercase(),
            raw[4].to_ascii_lowercase(),
        ];
        let wildcard = fields[0].starts_with('*') || fields[1].starts_with('*');

        let dom = &parsed[2];
        let dow_star = parsed[4].canonical == "*";
        let dom_star = dom.canonical == "*";
        // With day-of-week `*`, only day-of-month restricts. Then plain days that no
        // selected month has (Feb 30, Apr 31) can never match. `L` and `W` always match
        // something, and a restricted day-of-week always does too (OR rule).
        let never = dow_star
            && !dom_star
            && !dom.has_last
            && dom.w_days == 0
            && !(1..=12u32).any(|m| {
                let longest = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(m - 1) as usize];
                months & (1 << m) != 0 && dom.values & ((1u64 << (longest + 1)) - 2) != 0
            });

        Ok(Cron {
            source,
            fields,
            wildcard,
            engine,
            minutes,
            hours,
            months,
            w_days: dom.w_days,
            never,
        })
    }

    /// The expression as given (trimmed).
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The five fields after macro expansion, lower-cased, otherwise as written.
    #[must_use]
    pub fn fields(&self) -> [&str; 5] {
        [
            &self.fields[0],
            &self.fields[1],
            &self.fields[2],
            &self.fields[3],
            &self.fields[4],
        ]
    }

    /// Whether the expression can never fire, whatever the start and zone (a day that the
    /// selected months do not have, such as `0 0 30 2 *`).
    pub fn never_fires(&self) -> bool {
        self.never
    }

    /// Whether this is a *wildcard* job: its minute or hour field starts with `*`
    /// (`@hourly` included). Wildcard jobs follow elapsed time across DST changes; all
    /// other jobs are *fixed-time* jobs.
    #[must_use]
    pub fn is_wildcard(&self) -> bool {
        self.wildcard
    }

    /// The first fire time strictly after `after`, in zone `tz`.
    ///
    /// Matching is done on the zone's wall clock. A fixed-time job whose wall time falls in
    /// a spring-forward gap fires once, at the first instant after the gap; in a repeated
    /// (fall-back) hour it fires on the first pass only. A wildcard job skips wall times
    /// that do not exist and fires on both passes of a repeated hour. Returns `None` when
    /// the expression can never fire (for example `0 0 30 2 *`).
    #[must_use]
    pub fn next_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Tz>> {
        let instant = self.next_instant(after, tz)?;
        DateTime::from_timestamp(instant, 0).map(|t| t.with_timezone(&tz))
    }

    /// Successive fire times strictly after `after`, strictly increasing (see
    /// [`Cron::next_after`]). Empty when the expression can never fire.
    pub fn upcoming(
        &self,
        after: DateTime<Utc>,
        tz: Tz,
    ) -> impl Iterator<Item = DateTime<Tz>> + '_ {
        std::iter::successors(self.next_after(after, tz), move |prev| {
            self.next_after(prev.with_timezone(&Utc), tz)
        })
    }

    /// Whether the wall-clock date and time `wall` matches every field (a test oracle).
    #[cfg(test)]
    fn matches_wall(&self, wall: NaiveDateTime) -> bool {
        self.minutes & (1u64 << wall.minute()) != 0
            && self.hours & (1u64 << wall.hour()) != 0
            && self.month_matches(wall.month())
            && self.day_matches(wall.date())
    }

    /// Whether `other` fires at exactly the same wall-clock times: `@daily` and `0 0 * * *`,
    /// `mon-fri` and `1-5`. Days are compared over 28 years (one full cycle of weekdays and
    /// leap years within 1901-2099), so a difference that first shows later is not seen.
    pub fn fires_like(&self, other: &Cron) -> bool {
        if self.fields == other.fields {
            return true;
        }
        if (
            self.minutes,
            self.hours,
            self.months,
            self.wildcard,
            self.never,
        ) != (
            other.minutes,
            other.hours,
            other.months,
            other.wildcard,
            other.never,
        ) {
            return false;
        }
        let (Some(start), Some(end)) = (
            NaiveDate::from_ymd_opt(2024, 1, 1),
            NaiveDate::from_ymd_opt(2052, 1, 1),
        ) else {
            return false;
        };
        start
            .iter_days()
            .take_while(|d| *d < end)
            .filter(|d| self.month_matches(d.month()))
            .all(|d| self.day_matches(d) == other.day_matches(d))
    }

    fn month_matches(&self, month: u32) -> bool {
        self.months & (1u16 << month) != 0
    }

    /// Day-of-month / day-of-week matching (croner, plus the `nW` clamp below).
    fn day_matches(&self, date: NaiveDate) -> bool {
        let weekday = croner::Weekday::from_days_from_sunday(date.weekday().num_days_from_sunday());
        let by_croner = self
            .engine
            .pattern
            .day_match(date.year(), date.month(), date.day(), weekday)
            .unwrap_or(false);
        by_croner || self.w_clamp_matches(date)
    }

    /// `nW` with `n` past the end of the month means the weekday nearest the month's last
    /// day (croniter clamps the day; croner would never fire that month).
    fn w_clamp_matches(&self, date: NaiveDate) -> bool {
        if self.w_days == 0 {
            return false;
        }
        let last = days_in_month(date.year(), date.month());
        if self.w_days >> (last + 1) == 0 {
            return false;
        }
        let Some(last_date) = NaiveDate::from_ymd_opt(date.year(), date.month(), last) else {
            return false;
        };
        let target = match last_date.weekday() {
            chrono::Weekday::Sat => last - 1,
            chrono::Weekday::Sun => last - 2,
            _ => last,
        };
        date.day() == target
    }

    /// The first (hour, minute) of a matching day at or after `hour:minute`.
    fn time_at_or_after(&self, hour: u32, minute: u32) -> Option<(u32, u32)> {
        if self.hours & (1u64 << hour) != 0 {
            let later = self.minutes & (u64::MAX << minute);
            if later != 0 {
                return Some((hour, later.trailing_zeros()));
            }
        }
        let later_hours = self.hours & (u64::MAX << (hour + 1));
        if later_hours != 0 && later_hours.trailing_zeros() < 24 {
            return Some((later_hours.trailing_zeros(), self.minutes.trailing_zeros()));
        }
        None
    }

    /// The first matching wall time in `[from, limit]`; `from` must be a whole minute.
    fn next_wall(&self, from: NaiveDateTime, limit: NaiveDateTime) -> Option<NaiveDateTime> {
        let mut date = from.date();
        let (mut hour, mut minute) = (from.hour(), from.minute());
        while date <= limit.date() {
            if !self.month_matches(date.month()) {
                date = self.next_month_start(date)?;
                (hour, minute) = (0, 0);
                continue;
            }
            if self.day_matches(date)
                && let Some((h, m)) = self.time_at_or_after(hour, minute)
            {
                let wall = date.and_hms_opt(h, m, 0)?;
                return (wall <= limit).then_some(wall);
            }
            date = date.succ_opt()?;
            (hour, minute) = (0, 0);
        }
        None
    }

    /// The first day of the next selected month after `date`'s month.
    fn next_month_start(&self, date: NaiveDate) -> Option<NaiveDate> {
        let later = self.months & (u16::MAX << (date.month() + 1)) & 0x1ffe;
        if later != 0 {
            NaiveDate::from_ymd_opt(date.year(), later.trailing_zeros(), 1)
        } else {
            let first = (self.months & 0x1ffe).trailing_zeros();
            NaiveDate::from_ymd_opt(date.year().checked_add(1)?, first.min(12), 1)
        }
    }

    /// The core search, on Unix seconds.
    ///
    /// The time line is cut into segments of constant UTC offset. Inside a segment wall
    /// time and instant move together, so the first matching wall time at or after the
    /// segment's first wall time gives the segment's first fire time. If that instant lies
    /// beyond the segment's end (the next offset change), the change is handled by the DST
    /// rules and the search continues in the next segment, whose wall times may start
    /// *earlier* than where the previous one stopped (a repeated hour).
    fn next_instant(&self, after: DateTime<Utc>, tz: Tz) -> Option<i64> {
        if self.never {
            return None;
        }
        let floor = after.timestamp();
        // Invariant: `off` is the UTC offset at instant `lo`, and every candidate is >= `lo`
        // and > `floor`.
        let mut lo = floor;
        let mut off = offset_at(tz, lo)?;
        let mut wall_from = ceil_minute(floor.checked_add(1)?.checked_add(off)?)?;
        let limit = naive_from_secs(wall_from.checked_add(HORIZON_SECS)?)?;
        for _ in 0..MAX_SEGMENTS {
            let wall = self.next_wall(naive_from_secs(wall_from)?, limit)?;
            let wall_secs = wall.and_utc().timestamp();
            let candidate = wall_secs.checked_sub(off)?;
            match first_change(tz, lo, off, candidate)? {
                None => {
                    if !self.wildcard && is_later_pass(tz, wall, candidate) {
                        // Fixed-time jobs run only on the first pass of a repeated hour.
                        wall_from = wall_secs.checked_add(60)?;
                        continue;
                    }
                    return Some(candidate);
                }
                Some((change, new_off)) => {
                    if new_off > off {
                        // Spring forward: wall times [change+off, change+new_off) never occur.
                        if !self.wildcard {
                            let gap_first = ceil_minute(change.checked_add(off)?)?;
                            let gap_last = change.checked_add(new_off)?.checked_sub(1)?;
                            if gap_first <= gap_last
                                && self
                                    .next_wall(
                                        naive_from_secs(gap_first)?,
                                        naive_from_secs(gap_last)?,
                                    )
                                    .is_some()
                            {
                                return Some(change);
                            }
                        }
                        wall_from = ceil_minute(change.checked_add(new_off)?)?;
                    } else {
                        // Fall back: wall times [change+new_off, change+off) occur again.
                        // Fixed-time jobs skip that second pass.
                        let resume = if self.wildcard { new_off } else { off };
                        wall_from = ceil_minute(change.checked_add(resume)?)?;
                    }
                    lo = change;
                    off = new_off;
                }
            }
        }
        None
    }
}

/// Parses an IANA time zone name such as `Europe/Berlin` or `UTC`.
///
/// An unknown name gives a [`CronError`] with `field: None`; when the name differs from a
/// known zone only in letter case, the hint names the correctly-cased zone.
///
/// # Errors
///
/// Returns a [`CronError`] (with `field: None`) for an empty or unknown zone name.
pub fn parse_timezone(name: &str) -> Result<Tz, CronError> {
    let trimmed = name.trim();
    if let Ok(tz) = trimmed.parse::<Tz>() {
        return Ok(tz);
    }
    if trimmed.is_empty() {
        return Err(CronError {
            field: None,
            message: "the time zone name is empty".into(),
            hint: "use an IANA name such as Europe/Berlin or UTC".into(),
        });
    }
    let hint = match chrono_tz::TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().eq_ignore_ascii_case(trimmed))
    {
        Some(tz) => format!("zone names are case-sensitive: use '{}'", tz.name()),
        None => "use an IANA name such as Europe/Berlin or UTC".into(),
    };
    Err(CronError {
        field: None,
        message: format!("unknown time zone '{trimmed}'"),
        hint,
    })
}

// ---------------------------------------------------------------------------------------
// Time helpers

fn naive_from_secs(secs: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp(secs, 0).map(|t| t.naive_utc())
}

/// The UTC offset of `tz` at Unix second `instant`, in seconds.
fn offset_at(tz: Tz, instant: i64) -> Option<i64> {
    let utc = naive_from_secs(instant)?;
    Some(i64::from(
        tz.offset_from_utc_datetime(&utc).fix().local_minus_utc(),
    ))
}

/// Rounds Unix-like seconds up to a whole minute.
fn ceil_minute(secs: i64) -> Option<i64> {
    secs.checked_add((60 - secs.rem_euclid(60)) % 60)
}

/// The first instant in `(lo, until]` whose offset differs from `off` (the offset at
/// `lo`), with its new offset. Outer `None` only on arithmetic overflow.
fn first_change(tz: Tz, lo: i64, off: i64, until: i64) -> Option<Option<(i64, i64)>> {
    let mut a = lo;
    while a < until {
        let b = a.saturating_add(PROBE_SECS).min(until);
        if offset_at(tz, b)? != off {
            // Bisect on seconds: offset(x) == off, offset(y) != off.
            let (mut x, mut y) = (a, b);
            while y - x > 1 {
                let mid = x + (y - x) / 2;
                if offset_at(tz, mid)? == off {
                    x = mid;
                } else {
                    y = mid;
                }
            }
            return Some(Some((y, offset_at(tz, y)?)));
        }
        a = b;
    }
    Some(None)
}

/// Whether `instant` is the later of two instants that show wall time `wall`.
fn is_later_pass(tz: Tz, wall: NaiveDateTime, instant: i64) -> bool {
    match tz.from_local_datetime(&wall) {
        chrono::LocalResult::Ambiguous(_, later) => later.timestamp() == instant,
        _ => false,
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

// ---------------------------------------------------------------------------------------
// Lexical validation and canonicalisation

/// What one field turned into.
struct FieldInfo {
    /// The field rewritten for croner: numbers only, `L`, `nW`, `d#n`, `d#L`.
    canonical: String,
    /// Plain values selected (bit per value); used for the day-of-month analysis.
    values: u64,
    /// Day-of-month contains `L`.
    has_last: bool,
    /// Day-of-month `nW` days (bit per day).
    w_days: u64,
}

/// A problem in one field, before it is framed with the expression and field name.
struct Problem {
    message: String,
    hint: String,
}

fn problem(message: impl Into<String>, hint: impl Into<String>) -> Problem {
    Problem {
        message: message.into(),
        hint: hint.into(),
    }
}

fn bounds(field: CronField) -> (u32, u32) {
    match field {
        CronField::Minute => (0, 59),
        CronField::Hour => (0, 23),
        CronField::DayOfMonth => (1, 31),
        CronField::Month => (1, 12),
        CronField::DayOfWeek => (0, 7),
    }
}

fn parse_field(field: CronField, text: &str) -> Result<FieldInfo, Problem> {
    let lower = text.to_ascii_lowercase();
    let (min, max) = bounds(field);
    let mut info = FieldInfo {
        canonical: String::new(),
        values: 0,
        has_last: false,
        w_days: 0,
    };

    if lower == "*" {
        info.canonical = "*".into();
        info.values = range_bits(min, max, 1);
        return Ok(info);
    }
    if lower == "?" {
        if matches!(field, CronField::DayOfMonth | CronField::DayOfWeek) {
            info.canonical = "*".into();
            info.values = range_bits(min, max, 1);
            return Ok(info);
        }
        return Err(problem(
            "'?' is only allowed, on its own, in the day-of-month and day-of-week fields",
            "use '*' for every value",
        ));
    }
    if lower.starts_with('+') && field == CronField::DayOfWeek {
        return Err(problem(
            "the '+' prefix (match day-of-month AND day-of-week) is not supported",
            "remove the '+': stockura combines day-of-month and day-of-week with OR, as cron does",
        ));
    }

    let mut items = Vec::new();
    for item in text.split(',') {
        if item.is_empty() {
            return Err(problem(
                "empty item in the list",
                "separate values with single commas, such as '1,15,30'",
            ));
        }
        items.push(parse_item(field, item, &mut info)?);
    }
    info.canonical = items.join(",");
    Ok(info)
}

fn range_bits(lo: u32, hi: u32, step: u32) -> u64 {
    let mut bits = 0u64;
    let mut v = lo;
    while v <= hi && v < 64 {
        bits |= 1 << v;
        v = match v.checked_add(step) {
            Some(next) => next,
            None => break,
        };
    }
    bits
}

fn field_values_hint(field: CronField) -> String {
    let (min, max) = bounds(field);
    match field {
        CronField::Month => format!("{field} values go from {min} to {max}, or jan to dec"),
        CronField::DayOfWeek => {
            format!("{field} values go from {min} to {max} (0 and 7 are Sunday), or sun to sat")
        }
        _ => format!("{field} values go from {min} to {max}"),
    }
}

fn is_alpha(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphabetic())
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit())
}

/// Whether `token` (lower-case) looks like a use of the `L` or `W` modifier rather than a
/// name: `l`, `w`, `lw`, or digits combined with `l` or `w`.
fn looks_like_modifier(token: &str) -> bool {
    (token.contains('l') || token.contains('w'))
        && (matches!(token, "l" | "w" | "lw" | "wl") || token.chars().any(|c| c.is_ascii_digit()))
}

/// Parses one list item (`orig` as written), records what it selects in `info`, and
/// returns its canonical form for croner.
fn parse_item(field: CronField, orig: &str, info: &mut FieldInfo) -> Result<String, Problem> {
    let (min, max) = bounds(field);
    let item = orig.to_ascii_lowercase();

    if item == "*" {
        info.values |= range_bits(min, max, 1);
        return Ok(format!("{min}-{max}"));
    }
    if item.contains('?') {
        return Err(problem(
            format!("'{orig}': '?' can only stand alone in the day-of-month or day-of-week field"),
            "use '?' or '*' alone for every day",
        ));
    }

    match field {
        CronField::DayOfMonth => {
            if let Some(result) = parse_dom_special(orig, info) {
                return result;
            }
        }
        CronField::DayOfWeek => {
            if let Some(result) = parse_dow_special(orig) {
                return result;
            }
        }
        _ => {
            if item.split(['-', '/']).any(looks_like_modifier) {
                return Err(problem(
                    format!(
                        "'{orig}': 'L' and 'W' are only allowed in the day-of-month and day-of-week fields"
                    ),
                    LIST_HINT,
                ));
            }
        }
    }
    if item.contains('#') {
        return Err(problem(
            format!("'{orig}': '#' is only allowed in the day-of-week field"),
            "use 'd#n' in the day-of-week field, such as 'fri#1' for the first Friday",
        ));
    }

    let (base, step) = match orig.split_once('/') {
        Some((base, step)) => {
            if step.contains('/') {
                return Err(problem(
                    format!("'{orig}' has more than one '/'"),
                    "a step is written once, such as '*/15' or '1-30/5'",
                ));
            }
            (base, Some(parse_step(orig, step)?))
        }
        None => (orig, None),
    };

    if base == "*" {
        let step = step.unwrap_or(1);
        info.values |= range_bits(min, max, step);
        return Ok(format!("*/{}", step.min(100)));
    }

    if base.contains('-') {
        let parts: Vec<&str> = base.split('-').collect();
        if parts.len() != 2 {
            return Err(problem(
                format!("'{orig}' is not a valid range"),
                "a range has two ends, such as '1-5'; combine ranges with commas, such as '1-5,10-15'",
            ));
        }
        if parts[0].is_empty() {
            return Err(problem(
                format!("'{orig}' is not a valid range (negative numbers are not allowed)"),
                "a range has two ends, such as '1-5'",
            ));
        }
        if parts[1].is_empty() {
            return Err(problem(
                format!("range '{base}' has no end"),
                "a range has two ends, such as '1-5' or 'mon-fri'",
            ));
        }
        let start = parse_value(field, parts[0])?;
        let mut end = parse_value(field, parts[1])?;
        if start > end {
            if field == CronField::DayOfWeek && end == 0 {
                // `6-0` / `sat-sun`: Sunday written as 0 at the end of a range.
                end = 7;
            } else {
                let wrap = if start < max {
                    format!("{start}-{max},{min}-{end}")
                } else {
                    format!("{start},{min}-{end}")
                };
                return Err(problem(
                    format!("range '{base}' is reversed (it starts after it ends)"),
                    format!(
                        "write ranges from low to high; to wrap around, list both parts, such as '{wrap}'"
                    ),
                ));
            }
        }
        return Ok(match step {
            Some(step) => {
                info.values |= range_bits(start, end, step);
                format!("{start}-{end}/{}", step.min(100))
            }
            None => {
                info.values |= range_bits(start, end, 1);
                format!("{start}-{end}")
            }
        });
    }

    let value = parse_value(field, base)?;
    if let Some(step) = step {
        return Err(problem(
            format!("'{orig}': a step needs '*' or a range before the '/'"),
            format!(
                "write '*/{step}' for every {step} from the start of the field, or '{value}-{max}/{step}' to start at {value}"
            ),
        ));
    }
    info.values |= 1u64 << value.min(63);
    Ok(value.to_string())
}

fn parse_step(orig: &str, step: &str) -> Result<u32, Problem> {
    if !is_digits(step) {
        return Err(problem(
            format!("'{orig}': the step '{step}' is not a whole number"),
            "write the step as a number, such as '*/15'",
        ));
    }
    // Steps past the field's span select only the start; keep them small for croner.
    let value = step.parse::<u64>().unwrap_or(u64::MAX);
    if value == 0 {
        return Err(problem(
            format!("'{orig}': a step must be at least 1"),
            "use a step of 1 or more, such as '*/5'",
        ));
    }
    Ok(value.min(1_000) as u32)
}

/// A single value: a number or, in the month and day-of-week fields, a 3-letter name.
fn parse_value(field: CronField, orig: &str) -> Result<u32, Problem> {
    let (min, max) = bounds(field);
    let text = orig.to_ascii_lowercase();
    if is_digits(&text) {
        let value = text.parse::<u64>().unwrap_or(u64::MAX);
        if value < u64::from(min) || value > u64::from(max) {
            return Err(problem(
                format!("value '{orig}' is out of range {min}-{max}"),
                field_values_hint(field),
            ));
        }
        return Ok(value as u32);
    }
    if is_alpha(&text) {
        let names: &[&str] = match field {
            CronField::Month => &MONTH_NAMES,
            CronField::DayOfWeek => &DAY_NAMES,
            _ => {
                return Err(problem(
                    format!(
                        "'{orig}' is not a number; names are only allowed in the month and day-of-week fields"
                    ),
                    field_values_hint(field),
                ));
            }
        };
        if let Some(index) = names.iter().position(|n| *n == text) {
            let first = if field == CronField::Month { 1 } else { 0 };
            return Ok(index as u32 + first);
        }
        let full = names
            .iter()
            .find(|n| text.len() > 3 && text.starts_with(**n));
        return Err(match full {
            Some(short) => problem(
                format!("'{orig}': only 3-letter names are accepted"),
                format!("write '{short}' instead of '{orig}'"),
            ),
            None => problem(
                format!("'{orig}' is not a {field} name"),
                if field == CronField::Month {
                    "use jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec or 1-12"
                } else {
                    "use sun, mon, tue, wed, thu, fri, sat or 0-7"
                },
            ),
        });
    }
    Err(problem(format!("'{orig}' is not a valid value"), LIST_HINT))
}

/// Day-of-month `L`, `nW`, `Wn` and the forms of them that are rejected. `None` when the
/// item uses neither modifier.
fn parse_dom_special(orig: &str, info: &mut FieldInfo) -> Option<Result<String, Problem>> {
    let item = orig.to_ascii_lowercase();
    if item == "l" {
        info.has_last = true;
        return Some(Ok("L".into()));
    }
    if item == "lw" || item == "wl" {
        return Some(Err(problem(
            format!("'{orig}' (last weekday of the month) is not supported"),
            "use 'L' for the last day of the month, or 'nW' for the weekday nearest day n, such as '28W'",
        )));
    }
    if !item.split(['-', '/']).any(looks_like_modifier) {
        return None;
    }
    if item.contains('l') {
        return Some(Err(problem(
            format!("'{orig}': 'L' (last day of the month) takes no offset, range or step"),
            "use 'L' alone or in a list, such as 'L' or '1,L'",
        )));
    }
    let digits = item
        .strip_suffix('w')
        .or_else(|| item.strip_prefix('w'))
        .filter(|d| is_digits(d));
    let Some(digits) = digits else {
        return Some(Err(problem(
            format!("'{orig}' is not a valid 'W' (nearest weekday) item"),
            "write 'nW' or 'Wn' with a single day n, such as '15W'",
        )));
    };
    let day = digits.parse::<u64>().unwrap_or(u64::MAX);
    if !(1..=31).contains(&day) {
        return Some(Err(problem(
            format!("'{orig}': day '{digits}' is out of range 1-31"),
            "write 'nW' with n from 1 to 31, such as '15W'",
        )));
    }
    info.w_days |= 1 << day;
    Some(Ok(format!("{day}W")))
}

/// Day-of-week `Ld` (last weekday d of the month), `d#n` (n-th weekday d of the month)
/// and the rejected forms of `L` and `W`. `None` for items using none of them.
fn parse_dow_special(orig: &str) -> Option<Result<String, Problem>> {
    let item = orig.to_ascii_lowercase();
    if item.contains('#') {
        return Some(parse_dow_nth(orig));
    }
    if !item.split(['-', '/']).any(looks_like_modifier) {
        return None;
    }
    let last_hint =
        "write 'Ld' for the last weekday d of the month, such as 'L5' for the last Friday";
    if item.contains('w') {
        return Some(Err(problem(
            format!("'{orig}': 'W' is only allowed in the day-of-month field"),
            "use 'nW' in the day-of-month field, such as '15W'",
        )));
    }
    if item == "l" {
        return Some(Err(problem(
            format!("'{orig}' needs a weekday number after it"),
            last_hint,
        )));
    }
    if let Some(digits) = item.strip_prefix('l').filter(|d| is_digits(d)) {
        let day = digits.parse::<u64>().unwrap_or(u64::MAX);
        if day > 7 {
            return Some(Err(problem(
                format!("'{orig}': weekday '{digits}' is out of range 0-7"),
                last_hint,
            )));
        }
        return Some(Ok(format!("{day}#L")));
    }
    if let Some(day) = item.strip_suffix('l').filter(|d| is_digits(d)) {
        return Some(Err(problem(
            format!("'{orig}' is not supported"),
            format!(
                "write 'L{day}' for the last such weekday of the month ('L5' is the last Friday)"
            ),
        )));
    }
    Some(Err(problem(
        format!("'{orig}' is not a valid use of 'L'"),
        last_hint,
    )))
}

/// Day-of-week `d#n` (n-th weekday d of the month).
fn parse_dow_nth(orig: &str) -> Result<String, Problem> {
    let hint = "write 'd#n' with one weekday d and n from 1 to 5, such as 'fri#1' or '5#3'";
    let Some((day, nth)) = orig.split_once('#') else {
        return Err(problem(format!("'{orig}' is not a valid '#' item"), hint));
    };
    if day.is_empty() || day.contains(['-', '/', '*', '#']) || nth.contains('#') {
        return Err(problem(
            format!("'{orig}': '#' needs a single weekday before it"),
            hint,
        ));
    }
    let day = parse_value(CronField::DayOfWeek, day)?;
    if !is_digits(nth) {
        return Err(problem(
            format!("'{orig}': '{nth}' is not a whole number"),
            hint,
        ));
    }
    let n = nth.parse::<u64>().unwrap_or(u64::MAX);
    if !(1..=5).contains(&n) {
        return Err(problem(
            format!("'{orig}': the occurrence '{nth}' is out of range 1-5"),
            hint,
        ));
    }
    Ok(format!("{day}#{n}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn tz(name: &str) -> Tz {
        parse_timezone(name).unwrap()
    }

    fn next_n(expr: &str, zone: &str, after: &str, n: usize) -> Vec<String> {
        Cron::parse(expr)
            .unwrap()
            .upcoming(utc(after), tz(zone))
            .take(n)
            .map(|t| t.to_rfc3339())
            .collect()
    }

    fn err(expr: &str) -> CronError {
        match Cron::parse(expr) {
            Ok(_) => panic!("'{expr}' should be rejected"),
            Err(e) => e,
        }
    }

    #[test]
    fn cron_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Cron>();
        check::<CronError>();
    }

    #[test]
    fn field_display() {
        let names: Vec<String> = FIELD_ORDER.iter().map(|f| f.to_string()).collect();
        assert_eq!(
            names,
            ["minute", "hour", "day-of-month", "month", "day-of-week"]
        );
    }

    #[test]
    fn accepts_the_documented_syntax() {
        for expr in [
            "* * * * *",
            "*/15 * * * *",
            "1,15,30 * * * *",
            "1-5 * * * *",
            "1-30/5 * * * *",
            "0 0 * * mon-fri",
            "0 0 * * MON-FRI",
            "0 0 * JAN-mar *",
            "0 0 * * 6-0",
            "0 0 * * sat-sun",
            "0 0 * * 0",
            "0 0 * * 7",
            "0 0 * * 0-7",
            "0 0 L * *",
            "0 0 1,L * *",
            "0 0 l * *",
            "0 0 15W * *",
            "0 0 W15 * *",
            "0 0 15w * *",
            "0 0 1W,15 * *",
            "0 0 * * fri#1",
            "0 0 * * 5#5",
            "0 0 * * L5",
            "0 0 * * l0",
            "0 0 ? * 1",
            "0 0 1 * ?",
            "*,5 * * * *",
            "*/5,7 * * * *",
            "00 01 01 01 01",
            "59 23 31 12 7",
            "*/100 * * * *",
            "5-5 * * * *",
            "  0   0 * * *  ",
            "0\t0 * * *",
        ] {
            assert!(
                Cron::parse(expr).is_ok(),
                "'{expr}' should parse: {:?}",
                Cron::parse(expr).err()
            );
        }
    }

    #[test]
    fn rejects_with_the_field_named() {
        use CronField::*;
        let cases: &[(&str, Option<CronField>, &str)] = &[
            ("", None, "empty"),
            ("   ", None, "empty"),
            ("* * * *", None, "found 4"),
            ("* * * * * *", None, "found 6"),
            ("0 * * * * * 2026", None, "found 7"),
            ("@reboot", None, "@reboot"),
            ("@every 5m", None, "@every"),
            ("@fortnightly", None, "unknown macro"),
            ("*/0 * * * *", Some(Minute), "at least 1"),
            ("1,,2 * * * *", Some(Minute), "empty item"),
            ("1, * * * *", Some(Minute), "empty item"),
            (",1 * * * *", Some(Minute), "empty item"),
            ("1-2-3 * * * *", Some(Minute), "not a valid range"),
            ("10/20 * * * *", Some(Minute), "needs '*' or a range"),
            ("5-1 * * * *", Some(Minute), "reversed"),
            ("0 22-2 * * *", Some(Hour), "reversed"),
            ("0 0 * apr-jan *", Some(Month), "reversed"),
            ("0 0 * * 5-1", Some(DayOfWeek), "reversed"),
            ("0 0 * * 6-1", Some(DayOfWeek), "reversed"),
            ("60 * * * *", Some(Minute), "out of range 0-59"),
            ("0 24 * * *", Some(Hour), "out of range 0-23"),
            ("0 0 0 * *", Some(DayOfMonth), "out of range 1-31"),
            ("0 0 32 * *", Some(DayOfMonth), "out of range 1-31"),
            ("0 0 * 0 *", Some(Month), "out of range 1-12"),
            ("0 0 * 13 *", Some(Month), "out of range 1-12"),
            ("0 0 * * 8", Some(DayOfWeek), "out of range 0-7"),
            ("-1 * * * *", Some(Minute), "negative"),
            ("0 0 * * mon-", Some(DayOfWeek), "has no end"),
            ("0 0 LW * *", Some(DayOfMonth), "'LW'"),
            ("0 0 L-2 * *", Some(DayOfMonth), "takes no offset"),
            ("0 0 1-L * *", Some(DayOfMonth), "takes no offset"),
            ("0 0 L/2 * *", Some(DayOfMonth), "takes no offset"),
            ("0 0 * * 5L", Some(DayOfWeek), "'5L'"),
            ("0 0 * * L", Some(DayOfWeek), "needs a weekday"),
            ("0 0 * * L8", Some(DayOfWeek), "out of range 0-7"),
            ("0 0 * * 1#6", Some(DayOfWeek), "out of range 1-5"),
            ("0 0 * * 1#0", Some(DayOfWeek), "out of range 1-5"),
            ("0 0 * * mon-fri#2", Some(DayOfWeek), "single weekday"),
            ("0 0 * * 1#", Some(DayOfWeek), "not a whole number"),
            ("0 0 * * +1", Some(DayOfWeek), "'+'"),
            ("0 0 * * monday", Some(DayOfWeek), "3-letter"),
            ("0 0 * january *", Some(Month), "3-letter"),
            ("0 0 mon * *", Some(DayOfMonth), "names are only allowed"),
            ("0 0 * * jan", Some(DayOfWeek), "not a day-of-week name"),
            ("0 0 * mon *", Some(Month), "not a month name"),
            ("L * * * *", Some(Minute), "'L' and 'W'"),
            ("0 0 * * 15W", Some(DayOfWeek), "day-of-month"),
            ("0 0 32W * *", Some(DayOfMonth), "out of range 1-31"),
            ("0 0 0W * *", Some(DayOfMonth), "out of range 1-31"),
            ("0 0 1-5W * *", Some(DayOfMonth), "'W'"),
            ("0 ? * * *", Some(Hour), "'?'"),
            ("0 0 ?,1 * *", Some(DayOfMonth), "'?'"),
            ("0 0 1#1 * *", Some(DayOfMonth), "'#'"),
            ("*/x * * * *", Some(Minute), "not a whole number"),
            ("*/5/5 * * * *", Some(Minute), "more than one '/'"),
            ("1.5 * * * *", Some(Minute), "not a valid value"),
        ];
        for (expr, field, fragment) in cases {
            let e = err(expr);
            assert_eq!(e.field, *field, "field for '{expr}': {}", e.message);
            assert!(
                e.message.contains(fragment),
                "message for '{expr}' should contain '{fragment}': {}",
                e.message
            );
            assert!(
                e.message.contains(&format!("'{}'", expr.trim())),
                "{}",
                e.message
            );
            assert!(!e.hint.is_empty());
        }
    }

    #[test]
    fn error_messages_read_well() {
        let e = err("*/0 * * * *");
        assert_eq!(
            e.message,
            "invalid cron expression '*/0 * * * *': minute field '*/0': a step must be at least 1"
        );
        let e = err("* * * * * *");
        assert!(e.hint.contains("seconds"), "{}", e.hint);
        let e = err("0 22-2 * * *");
        assert!(e.hint.contains("'22-23,0-2'"), "{}", e.hint);
        let e = err("0 0 * * monday");
        assert!(e.hint.contains("'mon'"), "{}", e.hint);
        let e = err("0 0 * * 5L");
        assert!(e.hint.contains("'L5'"), "{}", e.hint);
        assert_eq!(e.to_string(), e.message);
    }

    #[test]
    fn macros_expand() {
        let cases = [
            ("@yearly", ["0", "0", "1", "1", "*"]),
            ("@annually", ["0", "0", "1", "1", "*"]),
            ("@monthly", ["0", "0", "1", "*", "*"]),
            ("@weekly", ["0", "0", "*", "*", "0"]),
            ("@daily", ["0", "0", "*", "*", "*"]),
            ("@midnight", ["0", "0", "*", "*", "*"]),
            ("@hourly", ["0", "*", "*", "*", "*"]),
            ("@MIDNIGHT", ["0", "0", "*", "*", "*"]),
            (" @Daily ", ["0", "0", "*", "*", "*"]),
        ];
        for (expr, fields) in cases {
            let c = Cron::parse(expr).unwrap();
            assert_eq!(c.fields(), fields, "{expr}");
            assert_eq!(c.source(), expr.trim());
        }
        assert!(Cron::parse("@hourly").unwrap().is_wildcard());
        assert!(!Cron::parse("@daily").unwrap().is_wildcard());
        assert_eq!(
            next_n("@weekly", "UTC", "2026-01-01T00:00:00Z", 2),
            ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]
        );
    }

    #[test]
    fn fields_source_and_wildcard() {
        let c = Cron::parse("  0 9 * JAN-Mar MON-fri ").unwrap();
        assert_eq!(c.source(), "0 9 * JAN-Mar MON-fri");
        assert_eq!(c.fields(), ["0", "9", "*", "jan-mar", "mon-fri"]);
        assert!(!c.is_wildcard());
        assert!(Cron::parse("*/15 * * * *").unwrap().is_wildcard());
        assert!(Cron::parse("0 * * * *").unwrap().is_wildcard());
        assert!(Cron::parse("* 2 * * *").unwrap().is_wildcard());
        assert!(!Cron::parse("0,30 2 * * *").unwrap().is_wildcard());
        assert!(!Cron::parse("0 0-23 * * *").unwrap().is_wildcard());
    }

    #[test]
    fn names_any_case() {
        let a = next_n("0 0 * * MON-Fri", "UTC", "2026-01-01T00:00:00Z", 6);
        let b = next_n("0 0 * * 1-5", "UTC", "2026-01-01T00:00:00Z", 6);
        assert_eq!(a, b);
        let a = next_n("0 0 1 Feb,aug *", "UTC", "2026-01-01T00:00:00Z", 3);
        assert_eq!(
            a,
            [
                "2026-02-01T00:00:00+00:00",
                "2026-08-01T00:00:00+00:00",
                "2027-02-01T00:00:00+00:00"
            ]
        );
    }

    #[test]
    fn lists_ranges_steps() {
        assert_eq!(
            next_n("10-20/5 9 * * *", "UTC", "2026-01-01T00:00:00Z", 4),
            [
                "2026-01-01T09:10:00+00:00",
                "2026-01-01T09:15:00+00:00",
                "2026-01-01T09:20:00+00:00",
                "2026-01-02T09:10:00+00:00"
            ]
        );
        assert_eq!(
            next_n("1,15,30 */12 * * *", "UTC", "2026-01-01T00:10:00Z", 4),
            [
                "2026-01-01T00:15:00+00:00",
                "2026-01-01T00:30:00+00:00",
                "2026-01-01T12:01:00+00:00",
                "2026-01-01T12:15:00+00:00"
            ]
        );
        // Step larger than the field: only the start.
        assert_eq!(
            next_n("*/100 3 * * *", "UTC", "2026-01-01T00:00:00Z", 2),
            ["2026-01-01T03:00:00+00:00", "2026-01-02T03:00:00+00:00"]
        );
        // '*' inside a list means the whole range.
        assert_eq!(
            next_n("*,5 3 * * *", "UTC", "2026-01-01T00:00:00Z", 2),
            ["2026-01-01T03:00:00+00:00", "2026-01-01T03:01:00+00:00"]
        );
        // Equal ends select one value.
        assert_eq!(
            next_n("5-5 3 * * *", "UTC", "2026-01-01T00:00:00Z", 2),
            ["2026-01-01T03:05:00+00:00", "2026-01-02T03:05:00+00:00"]
        );
    }

    #[test]
    fn same_times_however_spelled() {
        let same = |a: &str, b: &str| Cron::parse(a).unwrap().fires_like(&Cron::parse(b).unwrap());
        assert!(same("@daily", "0 0 * * *"));
        assert!(same("0 18 * * mon-fri", "0 18 * * 1-5"));
        assert!(same("0 0 * * 0", "0 0 * * 7"));
        assert!(same("*/15 * * * *", "0,15,30,45 * * * *"));
        assert!(same("0 0 L * *", "0 0 l * *"));
        assert!(!same("0 18 * * mon-fri", "0 18 * * mon-sat"));
        assert!(
            !same("0 0 1 * *", "0 0 1 * mon"),
            "OR with a weekday adds days"
        );
        assert!(!same("0 0 * * *", "0 1 * * *"));
        assert!(same("*/5 * * * *", "0-59/5 * * * *"));
    }

    #[test]
    fn weekend_ranges_wrap_through_sunday() {
        // 2026-01-01 is a Thursday.
        let expected = [
            "2026-01-03T00:00:00+00:00",
            "2026-01-04T00:00:00+00:00",
            "2026-01-10T00:00:00+00:00",
            "2026-01-11T00:00:00+00:00",
        ];
        for expr in [
            "0 0 * * 6-0",
            "0 0 * * sat-sun",
            "0 0 * * 6-7",
            "0 0 * * 6,0",
            "0 0 * * SAT,7",
        ] {
            assert_eq!(
                next_n(expr, "UTC", "2026-01-01T00:00:00Z", 4),
                expected,
                "{expr}"
            );
        }
        // Steps on a wrapped range: 5-0/2 is Fri, Sun.
        assert_eq!(
            next_n("0 0 * * 5-0/2", "UTC", "2026-01-01T00:00:00Z", 3),
            [
                "2026-01-02T00:00:00+00:00",
                "2026-01-04T00:00:00+00:00",
                "2026-01-09T00:00:00+00:00"
            ]
        );
    }

    #[test]
    fn dom_dow_or_rule() {
        // Both restricted: the 1st OR any Wednesday. 2026-01-01 is a Thursday.
        assert_eq!(
            next_n("0 0 1 * 3", "UTC", "2025-12-31T12:00:00Z", 6),
            [
                "2026-01-01T00:00:00+00:00",
                "2026-01-07T00:00:00+00:00",
                "2026-01-14T00:00:00+00:00",
                "2026-01-21T00:00:00+00:00",
                "2026-01-28T00:00:00+00:00",
                "2026-02-01T00:00:00+00:00"
            ]
        );
        // One side '*': only the other restricts.
        assert_eq!(
            next_n("0 0 * * 3", "UTC", "2025-12-31T12:00:00Z", 1),
            ["2026-01-07T00:00:00+00:00"]
        );
        assert_eq!(
            next_n("0 0 1 * *", "UTC", "2026-01-01T12:00:00Z", 1),
            ["2026-02-01T00:00:00+00:00"]
        );
        // '?' counts as '*'.
        assert_eq!(
            next_n("0 0 ? * 3", "UTC", "2025-12-31T12:00:00Z", 1),
            ["2026-01-07T00:00:00+00:00"]
        );
        // A step covering every day is still a restriction: OR with Sundays = every day.
        assert_eq!(
            next_n("0 0 */1 * 0", "UTC", "2026-01-01T12:00:00Z", 2),
            ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"]
        );
        // OR also with '#', 'L' and 'W' extensions.
        assert_eq!(
            next_n("0 0 1 * 5#2", "UTC", "2026-01-01T12:00:00Z", 3),
            [
                "2026-01-09T00:00:00+00:00",
                "2026-02-01T00:00:00+00:00",
                "2026-02-13T00:00:00+00:00"
            ]
        );
        assert_eq!(
            next_n("0 0 15W * L1", "UTC", "2026-02-01T00:00:00Z", 3),
            [
                "2026-02-16T00:00:00+00:00",
                "2026-02-23T00:00:00+00:00",
                "2026-03-16T00:00:00+00:00"
            ]
        );
    }

    #[test]
    fn last_day_of_month() {
        assert_eq!(
            next_n("0 0 L * *", "UTC", "2026-01-01T00:00:00Z", 3),
            [
                "2026-01-31T00:00:00+00:00",
                "2026-02-28T00:00:00+00:00",
                "2026-03-31T00:00:00+00:00"
            ]
        );
        assert_eq!(
            next_n("0 0 L 2 *", "UTC", "2027-03-01T00:00:00Z", 2),
            ["2028-02-29T00:00:00+00:00", "2029-02-28T00:00:00+00:00"]
        );
        assert_eq!(
            next_n("0 0 1,L * *", "UTC", "2026-01-01T00:00:00Z", 3),
            [
                "2026-01-31T00:00:00+00:00",
                "2026-02-01T00:00:00+00:00",
                "2026-02-28T00:00:00+00:00"
            ]
        );
    }

    #[test]
    fn nearest_weekday() {
        // 2026-02-15 is a Sunday -> Monday 16th; 2026-08-15 is a Saturday -> Friday 14th.
        assert_eq!(
            next_n("0 0 15W * *", "UTC", "2026-02-01T00:00:00Z", 2),
            ["2026-02-16T00:00:00+00:00", "2026-03-16T00:00:00+00:00"]
        );
        assert_eq!(
            next_n("0 0 W15 8 *", "UTC", "2026-02-01T00:00:00Z", 1),
            ["2026-08-14T00:00:00+00:00"]
        );
        // Not crossing the month: 2026-08-01 is a Saturday -> Monday 3rd;
        // 2026-05-31 is a Sunday -> Friday 29th.
        assert_eq!(
            next_n("0 0 1W 8 *", "UTC", "2026-02-01T00:00:00Z", 1),
            ["2026-08-03T00:00:00+00:00"]
        );
        assert_eq!(
            next_n("0 0 31W 5 *", "UTC", "2026-02-01T00:00:00Z", 1),
            ["2026-05-29T00:00:00+00:00"]
        );
        // Past the month's end the day is clamped to the last day (as croniter does):
        // 2026-02-28 is a Saturday -> Friday 27th; 2026-04-30 is a Thursday.
        assert_eq!(
            next_n("0 0 31W * *", "UTC", "2026-02-01T00:00:00Z", 3),
            [
                "2026-02-27T00:00:00+00:00",
                "2026-03-31T00:00:00+00:00",
                "2026-04-30T00:00:00+00:00"
            ]
        );
        // In a list, W days combine with plain days.
        assert_eq!(
            next_n("0 0 1W,20 2 *", "UTC", "2026-01-01T00:00:00Z", 2),
            ["2026-02-02T00:00:00+00:00", "2026-02-20T00:00:00+00:00"]
        );
    }

    #[test]
    fn nth_and_last_weekday() {
        assert_eq!(
            next_n("0 0 * * fri#1", "UTC", "2026-01-01T00:00:00Z", 3),
            [
                "2026-01-02T00:00:00+00:00",
                "2026-02-06T00:00:00+00:00",
                "2026-03-06T00:00:00+00:00"
            ]
        );
        // A 5th Friday exists only in some months.
        assert_eq!(
            next_n("0 0 * * 5#5", "UTC", "2026-01-01T00:00:00Z", 3),
            [
                "2026-01-30T00:00:00+00:00",
                "2026-05-29T00:00:00+00:00",
                "2026-07-31T00:00:00+00:00"
            ]
        );
        assert_eq!(
            next_n("0 0 * * L5", "UTC", "2026-01-01T00:00:00Z", 3),
            [
                "2026-01-30T00:00:00+00:00",
                "2026-02-27T00:00:00+00:00",
                "2026-03-27T00:00:00+00:00"
            ]
        );
        // Sunday as 7 and 0.
        assert_eq!(
            next_n("0 0 * * L7", "UTC", "2026-01-01T00:00:00Z", 1),
            next_n("0 0 * * L0", "UTC", "2026-01-01T00:00:00Z", 1)
        );
        assert_eq!(
            next_n("0 0 * * 7#1", "UTC", "2026-01-01T00:00:00Z", 2),
            ["2026-01-04T00:00:00+00:00", "2026-02-01T00:00:00+00:00"]
        );
        // Lists mixing nth and plain weekdays.
        assert_eq!(
            next_n("0 0 * * 1#1,L5", "UTC", "2026-01-01T00:00:00Z", 3),
            [
                "2026-01-05T00:00:00+00:00",
                "2026-01-30T00:00:00+00:00",
                "2026-02-02T00:00:00+00:00"
            ]
        );
    }

    #[test]
    fn strictly_after() {
        assert_eq!(
            next_n("0 9 * * *", "UTC", "2026-01-01T09:00:00Z", 1),
            ["2026-01-02T09:00:00+00:00"]
        );
        assert_eq!(
            next_n("0 9 * * *", "UTC", "2026-01-01T08:59:59.999Z", 1),
            ["2026-01-01T09:00:00+00:00"]
        );
        assert_eq!(
            next_n("* * * * *", "UTC", "2026-01-01T09:00:00.5Z", 1),
            ["2026-01-01T09:01:00+00:00"]
        );
        assert_eq!(
            next_n("0 9 * * *", "Asia/Kolkata", "2026-01-01T03:30:00Z", 1),
            ["2026-01-02T09:00:00+05:30"]
        );
    }

    #[test]
    fn never_firing_expressions_return_none_quickly() {
        for expr in [
            "0 0 30 2 *",
            "0 0 31 4 *",
            "0 0 31 2,4,6,9,11 *",
            "0 0 30,31 feb *",
        ] {
            let c = Cron::parse(expr).unwrap();
            let start = std::time::Instant::now();
            assert_eq!(
                c.next_after(utc("2026-01-01T00:00:00Z"), Tz::UTC),
                None,
                "{expr}"
            );
            assert_eq!(c.upcoming(utc("2026-01-01T00:00:00Z"), Tz::UTC).count(), 0);
            assert!(
                start.elapsed().as_millis() < 50,
                "{expr} took {:?}",
                start.elapsed()
            );
        }
        // Rare but possible.
        assert_eq!(
            next_n("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", 2),
            ["2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00"]
        );
        // Feb 30 never exists, but Mondays in February do (OR rule).
        assert_eq!(
            next_n("0 0 30 2 1", "UTC", "2026-01-01T00:00:00Z", 1),
            ["2026-02-02T00:00:00+00:00"]
        );
        assert_eq!(
            next_n("0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z", 1),
            ["2104-02-29T00:00:00+00:00"]
        );
    }

    // ----- DST -------------------------------------------------------------------------

    const NY: &str = "America/New_York";

    #[test]
    fn new_york_spring_forward_fixed_time() {
        // 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z).
        assert_eq!(
            next_n("30 2 * * *", NY, "2026-03-07T12:00:00Z", 3),
            [
                "2026-03-08T03:00:00-04:00",
                "2026-03-09T02:30:00-04:00",
                "2026-03-10T02:30:00-04:00"
            ]
        );
        // Several gap times collapse into one run.
        assert_eq!(
            next_n("0,15,30,45 2 * * *", NY, "2026-03-08T05:00:00Z", 3),
            [
                "2026-03-08T03:00:00-04:00",
                "2026-03-09T02:00:00-04:00",
                "2026-03-09T02:15:00-04:00"
            ]
        );
        // A gap time and the first time after the gap collapse too.
        assert_eq!(
            next_n("30 2,3 * * *", NY, "2026-03-08T05:00:00Z", 2),
            ["2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00"]
        );
        // Starting right before / on the transition instant.
        assert_eq!(
            next_n("30 2 * * *", NY, "2026-03-08T06:59:59Z", 1),
            ["2026-03-08T03:00:00-04:00"]
        );
        assert_eq!(
            next_n("30 2 * * *", NY, "2026-03-08T07:00:00Z", 1),
            ["2026-03-09T02:30:00-04:00"]
        );
        // Times outside the gap are unaffected.
        assert_eq!(
            next_n("0 1 * * *", NY, "2026-03-07T12:00:00Z", 2),
            ["2026-03-08T01:00:00-05:00", "2026-03-09T01:00:00-04:00"]
        );
    }

    #[test]
    fn new_york_spring_forward_wildcard() {
        assert_eq!(
            next_n("*/30 * * * *", NY, "2026-03-08T06:15:00Z", 3),
            [
                "2026-03-08T01:30:00-05:00",
                "2026-03-08T03:00:00-04:00",
                "2026-03-08T03:30:00-04:00"
            ]
        );
        for expr in ["0 * * * *", "@hourly"] {
            assert_eq!(
                next_n(expr, NY, "2026-03-08T05:30:00Z", 3),
                [
                    "2026-03-08T01:00:00-05:00",
                    "2026-03-08T03:00:00-04:00",
                    "2026-03-08T04:00:00-04:00"
                ],
                "{expr}"
            );
        }
        // Every minute of 02:xx is skipped that day.
        assert_eq!(
            next_n("* 2 * * *", NY, "2026-03-08T05:00:00Z", 2),
            ["2026-03-09T02:00:00-04:00", "2026-03-09T02:01:00-04:00"]
        );
    }

    #[test]
    fn new_york_fall_back_fixed_time() {
        // 2026-11-01: 02:00 EDT goes back to 01:00 EST (06:00Z); 01:00-01:59 repeats.
        assert_eq!(
            next_n("0 1 * * *", NY, "2026-10-31T12:00:00Z", 2),
            ["2026-11-01T01:00:00-04:00", "2026-11-02T01:00:00-05:00"]
        );
        assert_eq!(
            next_n("30 1 * * *", NY, "2026-10-31T12:00:00Z", 2),
            ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]
        );
        // Starting inside the first pass, after the run: no second run.
        assert_eq!(
            next_n("30 1 * * *", NY, "2026-11-01T05:45:00Z", 1),
            ["2026-11-02T01:30:00-05:00"]
        );
        // Starting inside the second pass, before 01:30 EST: still no second run.
        assert_eq!(
            next_n("30 1 * * *", NY, "2026-11-01T06:10:00Z", 1),
            ["2026-11-02T01:30:00-05:00"]
        );
        // Fixed-time lists run once per wall time.
        assert_eq!(
            next_n("0,30 1,2 * * *", NY, "2026-11-01T04:00:00Z", 5),
            [
                "2026-11-01T01:00:00-04:00",
                "2026-11-01T01:30:00-04:00",
                "2026-11-01T02:00:00-05:00",
                "2026-11-01T02:30:00-05:00",
                "2026-11-02T01:00:00-05:00"
            ]
        );
    }

    #[test]
    fn new_york_fall_back_wildcard() {
        assert_eq!(
            next_n("*/30 * * * *", NY, "2026-11-01T04:45:00Z", 5),
            [
                "2026-11-01T01:00:00-04:00",
                "2026-11-01T01:30:00-04:00",
                "2026-11-01T01:00:00-05:00",
                "2026-11-01T01:30:00-05:00",
                "2026-11-01T02:00:00-05:00"
            ]
        );
        for expr in ["0 * * * *", "@hourly"] {
            assert_eq!(
                next_n(expr, NY, "2026-11-01T04:30:00Z", 4),
                [
                    "2026-11-01T01:00:00-04:00",
                    "2026-11-01T01:00:00-05:00",
                    "2026-11-01T02:00:00-05:00",
                    "2026-11-01T03:00:00-05:00"
                ],
                "{expr}"
            );
        }
        // Starting in the first pass after 01:30 EDT: the second pass still lies ahead, even
        // though its wall times are earlier than the start's.
        assert_eq!(
            next_n("*/30 * * * *", NY, "2026-11-01T05:45:00Z", 3),
            [
                "2026-11-01T01:00:00-05:00",
                "2026-11-01T01:30:00-05:00",
                "2026-11-01T02:00:00-05:00"
            ]
        );
        assert_eq!(
            next_n("* 1 * * *", NY, "2026-11-01T05:58:00Z", 3),
            [
                "2026-11-01T01:59:00-04:00",
                "2026-11-01T01:00:00-05:00",
                "2026-11-01T01:01:00-05:00"
            ]
        );
        assert_eq!(
            next_n("* 2 * * *", NY, "2026-11-01T05:00:00Z", 2),
            ["2026-11-01T02:00:00-05:00", "2026-11-01T02:01:00-05:00"]
        );
    }

    #[test]
    fn lord_howe_half_hour_shifts() {
        let zone = "Australia/Lord_Howe";
        // 2026-04-05: 02:00 +11:00 goes back to 01:30 +10:30 (15:00Z); 01:30-01:59 repeats.
        assert_eq!(
            next_n("*/15 * * * *", zone, "2026-04-04T14:20:00Z", 5),
            [
                "2026-04-05T01:30:00+11:00",
                "2026-04-05T01:45:00+11:00",
                "2026-04-05T01:30:00+10:30",
                "2026-04-05T01:45:00+10:30",
                "2026-04-05T02:00:00+10:30"
            ]
        );
        assert_eq!(
            next_n("45 1 * * *", zone, "2026-04-04T14:20:00Z", 2),
            ["2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"]
        );
        // 2026-10-04: 02:00 +10:30 jumps to 02:30 +11:00 (15:30Z); 02:00-02:29 is skipped.
        assert_eq!(
            next_n("15 2 * * *", zone, "2026-10-03T12:00:00Z", 2),
            ["2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"]
        );
        assert_eq!(
            next_n("*/15 * * * *", zone, "2026-10-03T15:00:00Z", 3),
            [
                "2026-10-04T01:45:00+10:30",
                "2026-10-04T02:30:00+11:00",
                "2026-10-04T02:45:00+11:00"
            ]
        );
    }

    #[test]
    fn london() {
        let zone = "Europe/London";
        // 2026-03-29: 01:00 GMT jumps to 02:00 BST.
        assert_eq!(
            next_n("30 1 * * *", zone, "2026-03-28T12:00:00Z", 2),
            ["2026-03-29T02:00:00+01:00", "2026-03-30T01:30:00+01:00"]
        );
        assert_eq!(
            next_n("*/20 1 * * *", zone, "2026-03-28T12:00:00Z", 2),
            ["2026-03-30T01:00:00+01:00", "2026-03-30T01:20:00+01:00"]
        );
        // 2026-10-25: 02:00 BST goes back to 01:00 GMT.
        assert_eq!(
            next_n("30 1 * * *", zone, "2026-10-24T12:00:00Z", 2),
            ["2026-10-25T01:30:00+01:00", "2026-10-26T01:30:00+00:00"]
        );
        assert_eq!(
            next_n("30 * * * *", zone, "2026-10-24T23:00:00Z", 4),
            [
                "2026-10-25T00:30:00+01:00",
                "2026-10-25T01:30:00+01:00",
                "2026-10-25T01:30:00+00:00",
                "2026-10-25T02:30:00+00:00"
            ]
        );
    }

    /// Fire times by definition, minute by minute over `[start, end)` (whole-minute zones).
    fn brute_force(cron: &Cron, zone: Tz, start: i64, end: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut t = start - start.rem_euclid(60) + 60;
        let mut prev_off = offset_at(zone, t - 60).unwrap();
        while t < end {
            let off = offset_at(zone, t).unwrap();
            let wall = naive_from_secs(t + off).unwrap();
            let matches = cron.matches_wall(wall);
            let fire = if cron.is_wildcard() {
                matches
            } else {
                let first_pass = !is_later_pass(zone, wall, t);
                let mut gap = false;
                if off > prev_off {
                    // `t` is the first instant after a gap of wall times [t+prev_off, t+off).
                    let mut w = t + prev_off;
                    while w < t + off {
                        gap |= cron.matches_wall(naive_from_secs(w).unwrap());
                        w += 60;
                    }
                }
                (matches && first_pass) || gap
            };
            if fire && t > start {
                out.push(t);
            }
            prev_off = off;
            t += 60;
        }
        out
    }

    const EXPRESSIONS: &[&str] = &[
        "* * * * *",
        "*/15 * * * *",
        "*/7 * * * *",
        "0 * * * *",
        "30 * * * *",
        "* 1 * * *",
        "* 2 * * *",
        "*/10 1-3 * * *",
        "0 2 * * *",
        "30 2 * * *",
        "0 1 * * *",
        "30 1 * * *",
        "0,15,30,45 2 * * *",
        "0,30 0-4 * * *",
        "15 1,2,3 * * *",
        "0 0 * * *",
        "59 23 * * *",
        "45 1 * * 0",
        "0 9 * * mon-fri",
        "5 4 * * sun",
        "0 0 1 * *",
        "0 3 L * *",
        "0 12 15W * *",
        "0 2 * * 0#1",
        "0 1 * * L0",
        "0 0 1 * 3",
        "@hourly",
        "@daily",
        "@weekly",
        "@monthly",
        "@yearly",
        "0 12 29 2 *",
    ];

    const ZONES: &[&str] = &[
        "America/New_York",
        "Europe/Berlin",
        "Australia/Lord_Howe",
        "America/Santiago",
        "Asia/Tokyo",
        "UTC",
        "Europe/London",
        "America/Sao_Paulo",
        "Africa/Casablanca",
    ];

    /// Instants within a day of every offset change of `zone` between 2025 and 2027.
    fn transitions(zone: Tz) -> Vec<i64> {
        let mut out = Vec::new();
        let mut t = utc("2025-01-01T00:00:00Z").timestamp();
        let end = utc("2027-12-31T00:00:00Z").timestamp();
        let mut off = offset_at(zone, t).unwrap();
        while t < end {
            if let Some(Some((change, new_off))) = first_change(zone, t, off, t + 3600) {
                out.push(change);
                off = new_off;
                t = change;
            } else {
                t += 3600;
            }
        }
        out
    }

    #[test]
    fn matches_brute_force_around_every_transition() {
        let mut checked = 0;
        for zone_name in ZONES {
            let zone = tz(zone_name);
            for change in transitions(zone) {
                let (first, end) = (change - 27 * 3600, change + 30 * 3600);
                for expr in EXPRESSIONS {
                    let cron = Cron::parse(expr).unwrap();
                    let all = brute_force(&cron, zone, first, end);
                    // Starts spread over the 26 hours before the change and into it.
                    for start in (change - 26 * 3600..=change + 2 * 3600).step_by(3_617) {
                        let expected: Vec<i64> = all
                            .iter()
                            .copied()
                            .filter(|t| *t > start)
                            .take(30)
                            .collect();
                        let after = DateTime::from_timestamp(start, 0).unwrap();
                        let got: Vec<i64> = cron
                            .upcoming(after, zone)
                            .map(|t| t.timestamp())
                            .take_while(|t| *t < end)
                            .take(30)
                            .collect();
                        let show = |v: &[i64]| {
                            v.iter()
                                .map(|t| {
                                    DateTime::from_timestamp(*t, 0)
                                        .unwrap()
                                        .with_timezone(&zone)
                                        .to_rfc3339()
                                })
                                .collect::<Vec<_>>()
                        };
                        assert_eq!(
                            got,
                            expected,
                            "{expr} in {zone_name} after {after}: got {:?} expected {:?}",
                            show(&got),
                            show(&expected)
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
    }

    #[test]
    fn upcoming_is_strictly_increasing_everywhere() {
        let zones = [
            "America/New_York",
            "Europe/Berlin",
            "Australia/Lord_Howe",
            "America/Santiago",
            "Asia/Tokyo",
            "UTC",
        ];
        let first = utc("2025-06-01T00:00:00Z").timestamp();
        let span = 2 * 365 * 86_400;
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for expr in EXPRESSIONS {
            let cron = Cron::parse(expr).unwrap();
            for zone_name in zones {
                let zone = tz(zone_name);
                for i in 0..40 {
                    // Deterministic spread: evenly spaced plus a pseudo-random jitter.
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let start = first + span / 40 * i + (seed % 86_400) as i64;
                    let after = DateTime::from_timestamp(start, 0).unwrap();
                    let mut prev = start;
                    let mut count = 0;
                    for t in cron.upcoming(after, zone).take(50) {
                        assert!(
                            t.timestamp() > prev,
                            "{expr} in {zone_name} after {after}: {t} not after {prev}"
                        );
                        prev = t.timestamp();
                        count += 1;
                    }
                    assert_eq!(count, 50, "{expr} in {zone_name} after {after}");
                }
            }
        }
    }

    #[test]
    fn far_dates_do_not_panic() {
        let c = Cron::parse("0 0 29 2 *").unwrap();
        let late = DateTime::<Utc>::MAX_UTC;
        assert_eq!(c.next_after(late, Tz::UTC), None);
        let early = DateTime::<Utc>::MIN_UTC;
        let _ = c.next_after(early, tz(NY));
        // Local mean time (-04:56:02) before 1883 is not a whole number of minutes.
        let old = c.next_after(utc("1800-01-01T00:00:00Z"), tz(NY)).unwrap();
        assert_eq!(old.naive_local().to_string(), "1804-02-29 00:00:00");
        let c = Cron::parse("* * * * *").unwrap();
        assert_eq!(c.next_after(late, tz("Australia/Lord_Howe")), None);
    }

    #[test]
    fn timezones() {
        assert_eq!(parse_timezone("Asia/Tokyo").unwrap(), Tz::Asia__Tokyo);
        assert_eq!(parse_timezone("UTC").unwrap(), Tz::UTC);
        assert_eq!(
            parse_timezone(" Europe/Berlin ").unwrap(),
            Tz::Europe__Berlin
        );
        let e = parse_timezone("asia/tokyo").unwrap_err();
        assert_eq!(e.field, None);
        assert!(e.message.contains("'asia/tokyo'"), "{}", e.message);
        assert!(e.hint.contains("'Asia/Tokyo'"), "{}", e.hint);
        let e = parse_timezone("Mars/Olympus").unwrap_err();
        assert!(e.message.contains("Mars/Olympus"));
        assert_eq!(e.hint, "use an IANA name such as Europe/Berlin or UTC");
        assert!(parse_timezone("").is_err());
    }

    /// Every expression the lexical pass accepts must compile in croner.
    #[test]
    fn accepted_expressions_compile() {
        let atoms: [&[&str]; 5] = [
            &[
                "*", "0", "59", "*/7", "1-5", "1-59/20", "3,4", "*,5", "0-0", "*/61",
            ],
            &["*", "0", "23", "*/5", "8-17", "0-23/6", "1,13"],
            &[
                "*", "1", "31", "L", "15W", "W1", "1,L", "*/10", "1-31/2", "?", "31W,L,1",
            ],
            &[
                "*", "1", "12", "jan", "DEC", "feb-apr", "*/3", "1-12/5", "jan,jul",
            ],
            &[
                "*", "0", "7", "mon-fri", "6-0", "sat-sun", "fri#1", "7#5", "L5", "l0", "*/2",
                "5-0/2", "?", "1#1,L2,3",
            ],
        ];
        let mut n = 0;
        for a in atoms[0] {
            for b in atoms[1] {
                for c in atoms[2] {
                    for d in atoms[3] {
                        let e = atoms[4][n % atoms[4].len()];
                        n += 1;
                        let expr = format!("{a} {b} {c} {d} {e}");
                        assert!(
                            Cron::parse(&expr).is_ok(),
                            "{expr}: {:?}",
                            Cron::parse(&expr).err()
                        );
                    }
                }
            }
        }
        for e in atoms[4] {
            let expr = format!("0 0 1 * {e}");
            assert!(
                Cron::parse(&expr).is_ok(),
                "{expr}: {:?}",
                Cron::parse(&expr).err()
            );
        }
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
