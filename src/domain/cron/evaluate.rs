//! Evaluation: which wall-clock times match, and the public searches built on them. The
//! instant search itself, with its daylight-saving rules, is in `dst.rs`; the matching rules
//! are those of `docs/cron-semantics.md`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;

use super::{Calendar, Cron, Kind, SlotTail};

impl Cron {
    /// The first fire time strictly after `after`, in zone `tz`.
    ///
    /// Matching is done on the zone's wall clock. A fixed-time job whose wall time falls in
    /// a spring-forward gap fires once, at the first instant after the gap; in a repeated
    /// (fall-back) hour it fires on the first pass only. A wildcard job skips wall times
    /// that do not exist and fires on both passes of a repeated hour. An interval ignores
    /// the zone: its slots are fixed instants. Returns `None` when the expression can never
    /// fire (for example `0 0 30 2 *`).
    #[must_use]
    pub fn next_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Tz>> {
        let instant = match &self.kind {
            Kind::Calendar(c) => c.next_instant(after, tz)?,
            Kind::Every(every) => every.next_after(after.timestamp())?,
        };
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

    /// The slots in (`from`, `until`]: how many, and the latest `keep` of them in order.
    /// An interval counts them with arithmetic, however many there are; a calendar
    /// expression walks them (callers bound the stretch).
    pub fn tail(&self, from: DateTime<Utc>, until: DateTime<Utc>, tz: Tz, keep: usize) -> SlotTail {
        match &self.kind {
            Kind::Every(every) => every.tail(from, until, keep),
            Kind::Calendar(_) => {
                let mut tail = SlotTail::default();
                for slot in self
                    .upcoming(from, tz)
                    .map(|t| t.with_timezone(&Utc))
                    .take_while(|slot| *slot <= until)
                {
                    tail.total += 1;
                    tail.latest.push_back(slot);
                    if tail.latest.len() > keep {
                        tail.latest.pop_front();
                    }
                }
                tail
            }
        }
    }

    /// Whether the wall-clock date and time `wall` matches every field (a test oracle).
    #[cfg(test)]
    pub(super) fn matches_wall(&self, wall: NaiveDateTime) -> bool {
        match &self.kind {
            Kind::Calendar(c) => c.matches_wall(wall),
            Kind::Every(_) => false,
        }
    }

    /// Whether `other` fires at exactly the same times: `@daily` and `0 0 * * *`, `mon-fri`
    /// and `1-5`, `@every 90s` and `@every 1m30s`. Days are compared over 28 years (one full
    /// cycle of weekdays and leap years within 1901-2099), so a difference that first shows
    /// later is not seen.
    pub fn fires_like(&self, other: &Cron) -> bool {
        match (&self.kind, &other.kind) {
            (Kind::Calendar(a), Kind::Calendar(b)) => a.fires_like(b),
            (Kind::Every(a), Kind::Every(b)) => a == b,
            _ => false,
        }
    }
}

impl Calendar {
    /// Whether the wall-clock date and time `wall` matches every field (a test oracle).
    #[cfg(test)]
    fn matches_wall(&self, wall: NaiveDateTime) -> bool {
        self.minutes & (1u64 << wall.minute()) != 0
            && self.hours & (1u64 << wall.hour()) != 0
            && self.month_matches(wall.month())
            && self.day_matches(wall.date())
    }

    fn fires_like(&self, other: &Calendar) -> bool {
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
    pub(super) fn next_wall(
        &self,
        from: NaiveDateTime,
        limit: NaiveDateTime,
    ) -> Option<NaiveDateTime> {
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
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{next_n, utc};
    use super::*;

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
    fn never_firing_expressions_return_none() {
        for expr in [
            "0 0 30 2 *",
            "0 0 31 4 *",
            "0 0 31 2,4,6,9,11 *",
            "0 0 30,31 feb *",
        ] {
            // How long the answer takes is measured by `cargo bench --bench cron`.
            let c = Cron::parse(expr).unwrap();
            assert_eq!(
                c.next_after(utc("2026-01-01T00:00:00Z"), Tz::UTC),
                None,
                "{expr}"
            );
            assert_eq!(c.upcoming(utc("2026-01-01T00:00:00Z"), Tz::UTC).count(), 0);
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
}
