//! Time for the scheduler. The loop reads the time and sleeps only through a [`Clock`], so
//! tests drive it with a [`ManualClock`] (tokio's paused time does not move chrono's now).

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// A source of the current instant that can wait for a later one.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
    /// Completes at (or soon after) `at`; at once when `at` has passed.
    fn sleep_until(&self, at: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            // Re-check after waking: the wall clock may have been adjusted meanwhile.
            loop {
                let left = at - Utc::now();
                let Ok(left) = left.to_std() else { return };
                if left.is_zero() {
                    return;
                }
                tokio::time::sleep(left).await;
            }
        })
    }
}

/// A clock that moves only when a test says so.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
    moved: watch::Sender<DateTime<Utc>>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(start),
            moved: watch::channel(start).0,
        }
    }

    /// Moves to `at` (never backwards), waking every sleeper whose instant has come.
    pub fn set(&self, at: DateTime<Utc>) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if at > *now {
            *now = at;
            self.moved.send_replace(at);
        }
    }

    /// Moves forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let at = self.now() + by;
        self.set(at);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        let mut moved = self.moved.subscribe();
        Box::pin(async move {
            while self.now() < at {
                if moved.changed().await.is_err() {
                    return;
                }
            }
        })
    }
}

/// A wall clock that runs `speed` times faster than real time from `epoch` on (where it agrees
/// with real time). Processes given the same epoch and speed agree on the time, so a test can
/// run several schedulers through many minute boundaries in seconds while their leases and
/// heartbeats keep real time. Only for tests (`STOCKURA_TEST_CLOCK`).
#[derive(Debug, Clone, Copy)]
pub struct ScaledClock {
    epoch: DateTime<Utc>,
    speed: f64,
}

impl ScaledClock {
    /// Parses `SPEED@EPOCH` (e.g. `15@2026-01-01T00:00:00Z`).
    pub fn parse(text: &str) -> Option<Self> {
        let (speed, epoch) = text.split_once('@')?;
        let speed: f64 = speed.trim().parse().ok()?;
        let epoch = DateTime::parse_from_rfc3339(epoch.trim())
            .ok()?
            .with_timezone(&Utc);
        (speed.is_finite() && speed > 0.0).then_some(Self { epoch, speed })
    }

    fn scale(&self, real: chrono::Duration) -> chrono::Duration {
        let us = real.num_microseconds().unwrap_or(i64::MAX) as f64 * self.speed;
        chrono::Duration::microseconds(us as i64)
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        self.epoch + self.scale(Utc::now() - self.epoch)
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            loop {
                let Ok(left) = (at - self.now()).to_std() else {
                    return;
                };
                if left.is_zero() {
                    return;
                }
                tokio::time::sleep(left.div_f64(self.speed)).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_clock_runs_faster_from_its_epoch() {
        let epoch = Utc::now() - chrono::Duration::seconds(10);
        let clock = ScaledClock::parse(&format!("6@{}", epoch.to_rfc3339())).unwrap();
        let ahead = clock.now() - Utc::now();
        // Ten real seconds since the epoch are a minute on this clock: 50 s ahead.
        assert!((49..=51).contains(&ahead.num_seconds()), "{ahead}");
        assert!(ScaledClock::parse("0@2026-01-01T00:00:00Z").is_none());
        assert!(ScaledClock::parse("fast").is_none());
    }
}
