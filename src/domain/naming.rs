//! Generated schedule names: `<task short>_<param info>_<frequency>`.

use super::cron::Cron;

/// The last dotted segment of a task name without a trailing `_task_asyncpg` or `_task`.
pub fn task_short(task_name: &str) -> String {
    let last = task_name.rsplit('.').next().unwrap_or(task_name);
    let short = last
        .strip_suffix("_task_asyncpg")
        .or_else(|| last.strip_suffix("_task"))
        .filter(|s| !s.is_empty())
        .unwrap_or(last);
    sanitize(short)
}

/// Lower-cases a value and reduces it to `[a-z0-9_]`, collapsing runs of other characters
/// into one `_`.
pub fn sanitize(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// A readable frequency for common cron shapes, `custom` for anything else.
pub fn frequency(cron: &Cron) -> String {
    let Some([minute, hour, dom, month, dow]) = cron.fields() else {
        return cron
            .every()
            .map_or_else(|| "custom".into(), |every| every.frequency());
    };
    // Steps that select one value or all values read as the plain field: */1 is *, a minute
    // step of 60 or more is 0, an hour step of 24 or more is 0.
    let simplify = |field: &str, size: u32| -> String {
        match field.strip_prefix("*/").and_then(|n| n.parse::<u32>().ok()) {
            Some(1) => "*".into(),
            Some(n) if n >= size => "0".into(),
            _ => field.to_string(),
        }
    };
    let (minute, hour) = (simplify(minute, 60), simplify(hour, 24));
    let (minute, hour) = (minute.as_str(), hour.as_str());
    let num = |s: &str| s.parse::<u32>().ok();
    let step = |s: &str| s.strip_prefix("*/").and_then(|n| n.parse::<u32>().ok());
    let weekdays = matches!(dow, "1-5" | "mon-fri");
    let day_name = |s: &str| -> Option<&'static str> {
        const NAMES: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
        match num(s) {
            Some(7) => Some("sun"),
            Some(n) if n < 7 => NAMES.get(n as usize).copied(),
            _ => NAMES.iter().find(|n| **n == s).copied(),
        }
    };
    let at = |h: u32, m: u32| {
        if (h, m) == (0, 0) {
            String::new()
        } else {
            format!("_{h:02}{m:02}")
        }
    };
    match (minute, hour, dom, month, dow) {
        ("*", "*", "*", "*", "*") => "every_minute".into(),
        (m, "*", "*", "*", "*") if step(m).is_some() => {
            format!("every_{}_minutes", step(m).unwrap_or_default())
        }
        ("0", "*", "*", "*", "*") => "hourly".into(),
        (m, "*", "*", "*", "*") if num(m).is_some() => {
            format!("hourly_at_{:02}", num(m).unwrap_or_default())
        }
        ("0", h, "*", "*", "*") if step(h).is_some() => {
            format!("every_{}_hours", step(h).unwrap_or_default())
        }
        (m, h, "*", "*", "*") if num(m).is_some() && num(h).is_some() => {
            format!(
                "daily{}",
                at(num(h).unwrap_or_default(), num(m).unwrap_or_default())
            )
        }
        (m, h, "*", "*", _) if weekdays && num(m).is_some() && num(h).is_some() => {
            format!(
                "weekdays{}",
                at(num(h).unwrap_or_default(), num(m).unwrap_or_default())
            )
        }
        ("0", "0", "*", "*", "0" | "7" | "sun") => "weekly".into(),
        (m, h, "*", "*", d) if num(m).is_some() && num(h).is_some() && day_name(d).is_some() => {
            format!(
                "weekly_{}{}",
                day_name(d).unwrap_or_default(),
                at(num(h).unwrap_or_default(), num(m).unwrap_or_default())
            )
        }
        ("0", "0", "1", "*", "*") => "monthly".into(),
        (m, h, d, "*", "*") if num(m).is_some() && num(h).is_some() && num(d).is_some() => format!(
            "monthly_day{}{}",
            num(d).unwrap_or_default(),
            at(num(h).unwrap_or_default(), num(m).unwrap_or_default())
        ),
        ("0", "0", "1", "1", "*") => "yearly".into(),
        _ => "custom".into(),
    }
}

/// The longest generated base name: room is left for a `_NNNNNNN` suffix within the 255
/// characters of the `name` column.
pub const MAX_BASE: usize = 240;

/// The generated base name; the store appends `_2`, `_3`, … when it is taken.
pub fn generate(task_name: &str, param_info: &[String], cron: &Cron) -> String {
    let mut task = task_short(task_name);
    if task.is_empty() {
        task = "task".into();
    }
    let mut parts = vec![task];
    parts.extend(param_info.iter().map(|p| sanitize(p)));
    parts.push(frequency(cron));
    parts.retain(|p| !p.is_empty());
    let name = parts.join("_");
    if name.len() <= MAX_BASE {
        return name;
    }
    // Too long: keep the frequency whole, shorten the rest (all ASCII after sanitizing).
    let tail = format!("_{}", frequency(cron));
    let head = &name[..name.len() - tail.len()];
    let cut = MAX_BASE.saturating_sub(tail.len()).min(head.len());
    format!("{}{tail}", head[..cut].trim_end_matches('_'))
}

/// The first of `base`, `base_2`, `base_3`, … that is not in `taken`.
pub fn first_free<'a>(base: &str, taken: impl IntoIterator<Item = &'a str>) -> String {
    let taken: std::collections::HashSet<&str> = taken.into_iter().collect();
    if !taken.contains(base) {
        return base.to_string();
    }
    (2u64..)
        .map(|n| format!("{base}_{n}"))
        .find(|candidate| !taken.contains(candidate.as_str()))
        .unwrap_or_else(|| base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn freq(expr: &str) -> String {
        frequency(&Cron::parse(expr).unwrap())
    }

    #[test]
    fn task_short_strips_module_and_suffix() {
        assert_eq!(
            task_short("app.tasks.fetch_listed_info_task_asyncpg"),
            "fetch_listed_info"
        );
        assert_eq!(task_short("app.tasks.cleanup_task"), "cleanup");
        assert_eq!(task_short("send_report"), "send_report");
        assert_eq!(task_short("app.Tasks.Send-Report"), "send_report");
        assert_eq!(task_short("app._task"), "task");
    }

    #[test]
    fn frequencies_named_by_the_issue() {
        assert_eq!(freq("* * * * *"), "every_minute");
        assert_eq!(freq("0 * * * *"), "hourly");
        assert_eq!(freq("0 0 * * *"), "daily");
        assert_eq!(freq("0 0 * * 0"), "weekly");
        assert_eq!(freq("0 0 1 * *"), "monthly");
    }

    #[test]
    fn frequencies_of_other_common_shapes() {
        assert_eq!(freq("*/15 * * * *"), "every_15_minutes");
        assert_eq!(freq("30 * * * *"), "hourly_at_30");
        assert_eq!(freq("0 */6 * * *"), "every_6_hours");
        assert_eq!(freq("30 8 * * *"), "daily_0830");
        assert_eq!(freq("0 9 * * 1-5"), "weekdays_0900");
        assert_eq!(freq("0 9 * * MON-FRI"), "weekdays_0900");
        assert_eq!(freq("0 0 * * 1-5"), "weekdays");
        assert_eq!(freq("0 0 * * 7"), "weekly");
        assert_eq!(freq("0 9 * * 1"), "weekly_mon_0900");
        assert_eq!(freq("0 0 * * fri"), "weekly_fri");
        assert_eq!(freq("0 6 15 * *"), "monthly_day15_0600");
        assert_eq!(freq("@yearly"), "yearly");
        assert_eq!(freq("@hourly"), "hourly");
        assert_eq!(freq("@midnight"), "daily");
        assert_eq!(freq("@weekly"), "weekly");
        assert_eq!(freq("@monthly"), "monthly");
        assert_eq!(freq("5 4 * 2 *"), "custom");
        assert_eq!(freq("0 0 1 * 3"), "custom");
    }

    #[test]
    fn generated_names() {
        let cron = Cron::parse("0 0 * * 0").unwrap();
        assert_eq!(
            generate("app.tasks.fetch_listed_info_task_asyncpg", &[], &cron),
            "fetch_listed_info_weekly"
        );
        let info = vec![
            "Weekly".to_string(),
            "".to_string(),
            "Prime Market".to_string(),
        ];
        assert_eq!(
            generate("app.tasks.fetch_listed_info_task_asyncpg", &info, &cron),
            "fetch_listed_info_weekly_prime_market_weekly"
        );
    }

    #[test]
    fn degenerate_steps_and_long_or_foreign_names() {
        assert_eq!(freq("*/1 * * * *"), "every_minute");
        assert_eq!(freq("*/60 * * * *"), "hourly");
        assert_eq!(freq("0 */1 * * *"), "hourly");
        assert_eq!(freq("0 */24 * * *"), "daily");
        let cron = Cron::parse("*/15 * * * *").unwrap();
        let long = format!("app.tasks.{}", "x".repeat(300));
        let name = generate(&long, &[], &cron);
        assert!(
            name.len() <= MAX_BASE && name.ends_with("_every_15_minutes"),
            "{name}"
        );
        assert_eq!(
            generate("app.tasks.日本", &[], &cron),
            "task_every_15_minutes"
        );
    }

    #[test]
    fn suffixes_skip_taken_names() {
        assert_eq!(first_free("a", ["b"]), "a");
        assert_eq!(first_free("a", ["a"]), "a_2");
        assert_eq!(first_free("a", ["a", "a_2", "a_3"]), "a_4");
        assert_eq!(first_free("a", ["a", "a_3"]), "a_2");
    }
}
