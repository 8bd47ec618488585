//! Jitter: a schedule's messages sent a little after their slots, so that thousands of
//! schedules on the same cron instant do not reach the workers in the same second. Each slot is
//! sent at its instant plus an offset in [0, jitter), derived from the schedule id and the slot
//! alone: the same on every scheduler and every run, while the slot's identity (its task id, its
//! claim, its history row) stays the slot. The rules are in `docs/cron-semantics.md` ("Jitter").

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::DomainError;
use super::cron::{self, Compact, Cron};

/// The longest jitter: one hour.
pub const MAX_JITTER_SECS: u32 = 3_600;

/// How many of a cron expression's fire times are looked at to find its shortest gap: those
/// after [`GAP_FROM`], a fixed instant, so that the check gives the same answer every day.
const GAP_SAMPLE: usize = 50;

/// 2026-01-01T00:00:00Z, where the gap sample starts.
const GAP_FROM: i64 = 1_767_225_600;

/// A schedule's jitter: whole seconds, 1 to [`MAX_JITTER_SECS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Jitter(u32);

impl Jitter {
    /// Reads `--jitter`: a duration such as `60s`, `5m` or `1m30s`; `0` (or `0s`) means none.
    ///
    /// # Errors
    ///
    /// A [`DomainError`] for a malformed, fractional or longer-than-an-hour duration.
    pub fn parse(text: &str) -> Result<Option<Jitter>, DomainError> {
        let text = text.trim();
        let hint =
            "give whole seconds with a unit, such as --jitter 60s or --jitter 5m (0 for none)";
        if text == "0" {
            return Ok(None);
        }
        let secs = cron::duration_seconds(text)
            .map_err(|problem| DomainError::new(format!("--jitter {problem}"), hint))?;
        if secs == 0 {
            return Ok(None);
        }
        match u32::try_from(secs) {
            Ok(secs) if secs <= MAX_JITTER_SECS => Ok(Some(Jitter(secs))),
            _ => Err(DomainError::new(
                format!("--jitter '{text}' is longer than one hour"),
                "give at most 1h; a schedule that should run anywhere in a longer window needs another cron expression",
            )),
        }
    }

    /// The jitter stored in `jitter_seconds`; `None` for no jitter or a value out of range.
    #[must_use]
    pub fn from_stored(secs: Option<i64>) -> Option<Jitter> {
        let secs = u32::try_from(secs?).ok()?;
        (1..=MAX_JITTER_SECS)
            .contains(&secs)
            .then_some(Jitter(secs))
    }

    /// Whole seconds.
    #[must_use]
    pub fn secs(self) -> u32 {
        self.0
    }

    /// The offset of `slot` of schedule `id`: whole milliseconds in [0, jitter), from a fixed
    /// mix of the id's 128 bits and the slot's Unix second (splitmix64 rounds).
    #[must_use]
    pub fn offset(self, id: Uuid, slot: DateTime<Utc>) -> Duration {
        let (hi, lo) = id.as_u64_pair();
        let mixed = mix(hi ^ mix(lo ^ mix(slot.timestamp() as u64)));
        let span = u64::from(self.0) * 1_000;
        Duration::milliseconds((mixed % span) as i64)
    }

    /// When `slot` is sent: the slot plus its offset, but always before `following` (the
    /// schedule's next slot), so that slots are sent in order even where two of them are
    /// closer than the jitter (a daylight-saving day).
    #[must_use]
    pub fn send_at(
        self,
        id: Uuid,
        slot: DateTime<Utc>,
        following: Option<DateTime<Utc>>,
    ) -> DateTime<Utc> {
        let at = slot
            .checked_add_signed(self.offset(id, slot))
            .unwrap_or(slot);
        match following {
            Some(next) if at >= next => (next - Duration::milliseconds(1)).max(slot),
            _ => at,
        }
    }

    /// Refuses a jitter that is not shorter than the gap between two of the schedule's slots:
    /// an interval's period, or the shortest gap among 50 fire times of a cron expression.
    ///
    /// # Errors
    ///
    /// A [`DomainError`] naming the gap.
    pub fn check_fits(self, cron: &Cron, tz: Tz) -> Result<(), DomainError> {
        let from = DateTime::from_timestamp(GAP_FROM, 0).unwrap_or_default();
        let gap = match cron.every() {
            Some(every) => every.period_secs(),
            None => cron
                .upcoming(from, tz)
                .take(GAP_SAMPLE)
                .map(|t| t.timestamp())
                .collect::<Vec<_>>()
                .windows(2)
                .map(|w| w[1] - w[0])
                .min()
                .unwrap_or(i64::MAX),
        };
        if i64::from(self.0) < gap {
            return Ok(());
        }
        Err(DomainError::new(
            format!(
                "--jitter {self} is not shorter than the {} between two slots of '{}'",
                Compact(gap),
                cron.source()
            ),
            "give a jitter shorter than that gap, so that each slot is sent before the next one comes",
        ))
    }
}

/// The canonical text: `60s` is `1m`, `90s` is `1m30s`.
impl fmt::Display for Jitter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Compact(i64::from(self.0)))
    }
}

/// One splitmix64 round: a fixed, well-spread 64-bit mix.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
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
    fn reads_durations_and_refuses_the_rest() {
        assert_eq!(Jitter::parse("60s").unwrap(), Some(Jitter(60)));
        assert_eq!(
            Jitter::parse("1m30s").unwrap().unwrap().to_string(),
            "1m30s"
        );
        assert_eq!(Jitter::parse("0").unwrap(), None);
        assert_eq!(Jitter::parse("0s").unwrap(), None);
        for (text, needle) in [
            ("1.5s", "fraction"),
            ("2h", "longer than one hour"),
            ("soon", "expected a number"),
            ("10", "without a unit"),
        ] {
            let e = Jitter::parse(text).unwrap_err();
            assert!(e.message.contains(needle), "{text}: {}", e.message);
        }
        assert_eq!(Jitter::from_stored(Some(60)), Some(Jitter(60)));
        assert_eq!(Jitter::from_stored(Some(0)), None);
        assert_eq!(Jitter::from_stored(Some(-5)), None);
        assert_eq!(Jitter::from_stored(Some(86_400)), None);
        assert_eq!(Jitter::from_stored(None), None);
    }

    #[test]
    fn offsets_are_deterministic_in_range_and_spread_evenly() {
        let jitter = Jitter(60);
        let slot = at("2026-01-01T10:00:00Z");
        let mut per_second = [0u32; 60];
        for n in 0..60_000u128 {
            let id = Uuid::from_u128(n.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834));
            let offset = jitter.offset(id, slot);
            assert_eq!(offset, jitter.offset(id, slot), "the same every time");
            assert!(offset >= Duration::zero() && offset < Duration::seconds(60));
            per_second[offset.num_seconds() as usize] += 1;
        }
        // 1,000 expected per second; a fair spread stays well within ±15 %.
        let (min, max) = (
            per_second.iter().min().unwrap(),
            per_second.iter().max().unwrap(),
        );
        assert!(*min > 850 && *max < 1_150, "{per_second:?}");
        // Another slot of the same schedule gets another offset.
        let id = Uuid::from_u128(7);
        let offsets: std::collections::BTreeSet<_> = (0..100)
            .map(|h| jitter.offset(id, slot + Duration::hours(h)))
            .collect();
        assert!(offsets.len() > 90);
    }

    #[test]
    fn a_slot_is_sent_before_the_next_one() {
        let id = Uuid::from_u128(42);
        let slot = at("2026-01-01T10:00:00Z");
        let jitter = Jitter(MAX_JITTER_SECS);
        let free = jitter.send_at(id, slot, None);
        assert_eq!(free, slot + jitter.offset(id, slot));
        let next = slot + Duration::seconds(1);
        let capped = jitter.send_at(id, slot, Some(next));
        assert!(capped >= slot && capped < next, "{capped}");
    }

    #[test]
    fn a_jitter_must_be_shorter_than_the_gap_between_slots() {
        let utc = chrono_tz::UTC;
        let every_minute = Cron::parse("* * * * *").unwrap();
        assert!(Jitter(59).check_fits(&every_minute, utc).is_ok());
        let e = Jitter(60).check_fits(&every_minute, utc).unwrap_err();
        assert_eq!(
            e.message,
            "--jitter 1m is not shorter than the 1m between two slots of '* * * * *'"
        );
        let pair = Cron::parse("0,5 * * * *").unwrap();
        assert!(Jitter(300).check_fits(&pair, utc).is_err());
        assert!(Jitter(299).check_fits(&pair, utc).is_ok());
        let every = Cron::parse("@every 30s").unwrap();
        assert!(Jitter(30).check_fits(&every, utc).is_err());
        assert!(
            Jitter(MAX_JITTER_SECS)
                .check_fits(&Cron::parse("@hourly").unwrap(), utc)
                .is_err()
        );
        assert!(
            Jitter(MAX_JITTER_SECS - 1)
                .check_fits(&Cron::parse("@hourly").unwrap(), utc)
                .is_ok()
        );
    }
}
