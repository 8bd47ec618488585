//! The daylight-saving search: from an instant to the next fire time, across UTC-offset
//! changes, with the Vixie-cron rules described in `docs/cron-semantics.md`.

use chrono::{DateTime, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::Calendar;

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

impl Calendar {
    /// The core search, on Unix seconds.
    ///
    /// The time line is cut into segments of constant UTC offset. Inside a segment wall
    /// time and instant move together, so the first matching wall time at or after the
    /// segment's first wall time gives the segment's first fire time. If that instant lies
    /// beyond the segment's end (the next offset change), the change is handled by the DST
    /// rules and the search continues in the next segment, whose wall times may start
    /// *earlier* than where the previous one stopped (a repeated hour).
    pub(super) fn next_instant(&self, after: DateTime<Utc>, tz: Tz) -> Option<i64> {
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

#[cfg(test)]
mod tests {
    use super::super::Cron;
    use super::super::test_support::{next_n, tz, utc};
    use super::*;

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
}
