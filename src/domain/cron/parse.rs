//! Parsing: the 5-field expression (with its macros and extensions) and the time zone name,
//! each rejected with a [`CronError`] that names the field and token and carries a hint.
//! The accepted syntax is the one in `docs/cron-semantics.md`.

use chrono_tz::Tz;

use super::{Calendar, Cron, CronError, CronField, Every, Kind};

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
            } else if let Some(rest) = lower
                .strip_prefix("@every")
                .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
            {
                let every = Every::parse(rest).map_err(|(message, hint)| whole(message, &hint))?;
                return Ok(Cron {
                    source,
                    kind: Kind::Every(every),
                });
            } else {
                return Err(whole(
                    format!("unknown macro '{source}'"),
                    "use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, an interval such as '@every 30s', or 5 fields such as '*/15 * * * *'",
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
            kind: Kind::Calendar(Box::new(Calendar {
                fields,
                wildcard,
                engine,
                minutes,
                hours,
                months,
                w_days: dom.w_days,
                never,
            })),
        })
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
    use super::super::test_support::next_n;
    use super::*;

    fn err(expr: &str) -> CronError {
        match Cron::parse(expr) {
            Ok(_) => panic!("'{expr}' should be rejected"),
            Err(e) => e,
        }
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
            ("@every 0s", None, "zero"),
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
            assert_eq!(c.fields(), Some(fields), "{expr}");
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
        assert_eq!(c.fields(), Some(["0", "9", "*", "jan-mar", "mon-fri"]));
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
}
