//! `/metrics`: the observer's state in the Prometheus text format (0.0.4), encoded by the
//! `prometheus-client` crate from a copy taken under the lock.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

use super::{LAG_BUCKETS, Lag, Observer, cell_labels, process};
use crate::domain::schedule::Job;

/// The content type of the exposition.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Every metric name `/metrics` exposes (alert rules and dashboards may use these).
pub const NAMES: &[&str] = &[
    "stockura_slots_total",
    "stockura_dispatch_lag_seconds",
    "stockura_schedule_last_dispatch_timestamp_seconds",
    "stockura_schedule_last_success_timestamp_seconds",
    "stockura_schedule_interval_seconds",
    "stockura_schedules_loaded",
    "stockura_leader",
    "stockura_broker_up",
    "stockura_database_up",
    "stockura_last_tick_timestamp_seconds",
    "stockura_last_dispatch_timestamp_seconds",
    "stockura_change_version",
    "stockura_reloads_total",
    "stockura_build_info",
    "process_resident_memory_bytes",
    "process_virtual_memory_bytes",
    "process_cpu_seconds_total",
    "process_open_fds",
    "process_start_time_seconds",
];

/// One schedule's series.
#[derive(Debug)]
struct ScheduleSeries {
    job: Arc<Job>,
    /// The id as a label value (names need not be unique).
    id: String,
    interval: Option<i64>,
    counts: Vec<(u8, u64)>,
    last_dispatch: Option<DateTime<Utc>>,
    last_success: Option<DateTime<Utc>>,
}

/// What one scrape encodes.
#[derive(Debug)]
struct Scrape {
    /// Whether series are per schedule (else totals by trigger and status).
    per_schedule_on: bool,
    per_schedule: Vec<ScheduleSeries>,
    totals: Vec<(u8, u64)>,
    lag: Lag,
    gauges: Gauges,
    process: Option<process::Stats>,
}

#[derive(Debug)]
struct Gauges {
    schedules: u64,
    leader: bool,
    broker_up: Option<bool>,
    database_up: bool,
    last_step: i64,
    last_tick: i64,
    change_version: i64,
    full_reloads: u64,
    targeted_reloads: u64,
    version: &'static str,
}

/// Encodes the exposition of `observer` now.
pub fn render(observer: &Observer) -> String {
    let scrape = take(observer);
    let mut registry = Registry::default();
    registry.register_collector(Box::new(scrape));
    let mut out = String::with_capacity(4096);
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &registry);
    out
}

fn take(o: &Observer) -> Scrape {
    let (per_schedule, mut totals, lag) = {
        let table = o.table();
        let rows = if o.per_schedule {
            table
                .rows
                .values()
                .map(|r| ScheduleSeries {
                    job: r.job.clone(),
                    id: r.job.id.to_string(),
                    interval: r.interval,
                    counts: r.counts.clone(),
                    last_dispatch: r.last_dispatch,
                    last_success: r.last_success,
                })
                .collect()
        } else {
            Vec::new()
        };
        let totals: Vec<(u8, u64)> = table.totals.iter().map(|(c, n)| (*c, *n)).collect();
        (rows, totals, table.lag.clone())
    };
    totals.sort_unstable();
    let mut per_schedule = per_schedule;
    per_schedule.sort_unstable_by(|a, b| (&a.job.name, a.job.id).cmp(&(&b.job.name, b.job.id)));
    // Absent until the first check.
    let broker_up = match o.broker_up.load(Ordering::Relaxed) {
        _ if !o.has_broker => None,
        -1 => None,
        up => Some(up == 1),
    };
    Scrape {
        per_schedule_on: o.per_schedule,
        per_schedule,
        totals,
        lag,
        gauges: Gauges {
            schedules: o.schedules.load(Ordering::Relaxed),
            leader: o.leader.load(Ordering::Relaxed),
            broker_up,
            database_up: o.database_up.load(Ordering::Relaxed),
            last_step: o.last_step_ms.load(Ordering::Relaxed),
            last_tick: o.last_tick_ms.load(Ordering::Relaxed),
            change_version: o.change_version.load(Ordering::Relaxed),
            full_reloads: o.full_reloads.load(Ordering::Relaxed),
            targeted_reloads: o.targeted_reloads.load(Ordering::Relaxed),
            version: o.version,
        },
        process: process::read(),
    }
}

fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

fn timestamp(t: DateTime<Utc>) -> f64 {
    seconds(t.timestamp_millis())
}

fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: f64,
) -> Result<(), std::fmt::Error> {
    let metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
    ConstGauge::new(value).encode(metric)
}

impl Collector for Scrape {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let g = &self.gauges;
        // `_total` is added by the encoder to counters.
        {
            let mut family = encoder.encode_descriptor(
                "stockura_slots",
                "Slots handled by this process, by what happened to them (a held slot sent later counts as deferred, then dispatched; an owed one as owed, then dispatched or failed)",
                None,
                MetricType::Counter,
            )?;
            if !self.per_schedule_on {
                for (cell, n) in &self.totals {
                    let (trigger, status) = cell_labels(*cell);
                    let labels = [("trigger", trigger.as_str()), ("status", status.as_str())];
                    ConstCounter::new(*n).encode(family.encode_family(&labels)?)?;
                }
            } else {
                for s in &self.per_schedule {
                    for (cell, n) in &s.counts {
                        let (trigger, status) = cell_labels(*cell);
                        let labels = [
                            ("schedule", s.job.name.as_str()),
                            ("schedule_id", &s.id),
                            ("task", s.job.task_name.as_str()),
                            ("trigger", trigger.as_str()),
                            ("status", status.as_str()),
                        ];
                        ConstCounter::new(*n).encode(family.encode_family(&labels)?)?;
                    }
                }
            }
        }
        {
            // Per bucket, not cumulative: the encoder adds them up.
            let buckets: Vec<(f64, u64)> = LAG_BUCKETS
                .iter()
                .copied()
                .zip(self.lag.buckets)
                .chain([(f64::INFINITY, self.lag.over)])
                .collect();
            let mut metric = encoder.encode_descriptor(
                "stockura_dispatch_lag_seconds",
                "From a live slot's instant until the broker had its message",
                None,
                MetricType::Histogram,
            )?;
            metric.encode_histogram::<prometheus_client::encoding::NoLabelSet>(
                self.lag.sum,
                self.lag.count(),
                &buckets,
                None,
            )?;
        }
        if self.per_schedule_on {
            let mut family = encoder.encode_descriptor(
                "stockura_schedule_last_dispatch_timestamp_seconds",
                "When this process last sent a message of the schedule",
                None,
                MetricType::Gauge,
            )?;
            for s in &self.per_schedule {
                if let Some(t) = s.last_dispatch {
                    let labels = [("schedule", s.job.name.as_str()), ("schedule_id", &s.id)];
                    ConstGauge::new(timestamp(t)).encode(family.encode_family(&labels)?)?;
                }
            }
        }
        if self.per_schedule_on {
            let mut family = encoder.encode_descriptor(
                "stockura_schedule_last_success_timestamp_seconds",
                "When a message of the schedule last finished with SUCCESS, by the result backend",
                None,
                MetricType::Gauge,
            )?;
            for s in &self.per_schedule {
                if let Some(t) = s.last_success {
                    let labels = [("schedule", s.job.name.as_str()), ("schedule_id", &s.id)];
                    ConstGauge::new(timestamp(t)).encode(family.encode_family(&labels)?)?;
                }
            }
        }
        if self.per_schedule_on {
            let mut family = encoder.encode_descriptor(
                "stockura_schedule_interval_seconds",
                "Seconds between the schedule's slots (its next two, when it was loaded): alert rules compare the last success with it",
                None,
                MetricType::Gauge,
            )?;
            for s in &self.per_schedule {
                if let Some(i) = s.interval {
                    let labels = [("schedule", s.job.name.as_str()), ("schedule_id", &s.id)];
                    ConstGauge::new(i as f64).encode(family.encode_family(&labels)?)?;
                }
            }
        }
        gauge(
            &mut encoder,
            "stockura_schedules_loaded",
            "Enabled schedules in the plan",
            g.schedules as f64,
        )?;
        gauge(
            &mut encoder,
            "stockura_leader",
            "1 while this process is the leader (it dispatches), 0 on standby",
            f64::from(u8::from(g.leader)),
        )?;
        if let Some(up) = g.broker_up {
            gauge(
                &mut encoder,
                "stockura_broker_up",
                "1 when the broker answered its last check",
                f64::from(u8::from(up)),
            )?;
        }
        gauge(
            &mut encoder,
            "stockura_database_up",
            "1 when the database answered the loop's last statement",
            f64::from(u8::from(g.database_up)),
        )?;
        gauge(
            &mut encoder,
            "stockura_last_tick_timestamp_seconds",
            "When the scheduler's loop last finished a step (it polls the change version every --sync-interval)",
            seconds(g.last_step),
        )?;
        if g.last_tick > 0 {
            gauge(
                &mut encoder,
                "stockura_last_dispatch_timestamp_seconds",
                "The instant of the last batch of slots this process dispatched",
                seconds(g.last_tick),
            )?;
        }
        gauge(
            &mut encoder,
            "stockura_change_version",
            "The change version the plan is loaded at",
            g.change_version as f64,
        )?;
        {
            let mut family = encoder.encode_descriptor(
                "stockura_reloads",
                "Reloads of the plan: full (every schedule) or targeted (one schedule)",
                None,
                MetricType::Counter,
            )?;
            for (kind, n) in [("full", g.full_reloads), ("targeted", g.targeted_reloads)] {
                ConstCounter::new(n).encode(family.encode_family(&[("kind", kind)])?)?;
            }
        }
        {
            let mut info = encoder.encode_descriptor(
                "stockura_build",
                "The stockura version",
                None,
                MetricType::Info,
            )?;
            info.encode_info(&[("version", g.version)])?;
        }
        if let Some(p) = &self.process {
            gauge(
                &mut encoder,
                "process_resident_memory_bytes",
                "Resident memory size in bytes",
                p.resident_bytes as f64,
            )?;
            gauge(
                &mut encoder,
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes",
                p.virtual_bytes as f64,
            )?;
            {
                let metric = encoder.encode_descriptor(
                    "process_cpu_seconds",
                    "User and system CPU time spent, in seconds",
                    None,
                    MetricType::Counter,
                )?;
                ConstCounter::new(p.cpu_seconds).encode(metric)?;
            }
            gauge(
                &mut encoder,
                "process_open_fds",
                "Open file descriptors",
                p.open_fds as f64,
            )?;
            gauge(
                &mut encoder,
                "process_start_time_seconds",
                "Start time of the process since the Unix epoch, in seconds",
                p.start_time_seconds,
            )?;
        }
        Ok(())
    }
}

/// Reads one sample's value from an exposition: the first series `name{…}` that has all these
/// labels (in any order, maybe among others); for tests.
pub fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let want: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (n, rest) = match series.split_once('{') {
                Some((n, rest)) => (n, rest.strip_suffix('}')?),
                None => (series, ""),
            };
            if n != name {
                return None;
            }
            let have: Vec<String> = if rest.is_empty() {
                Vec::new()
            } else {
                split_labels(rest)
            };
            want.iter()
                .all(|w| have.contains(w))
                .then(|| value.parse().ok())
                .flatten()
        })
}

/// Splits `a="x",b="y"` at the commas between labels (not inside quoted values).
fn split_labels(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for ch in text.chars() {
        match ch {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        let _ = current.write_char(ch);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::beat::leader::Progress;
    use std::time::Duration;

    #[test]
    fn an_empty_observer_exposes_its_gauges() {
        let o = Observer::new(
            false,
            true,
            Progress::new(),
            Duration::from_secs(30),
            Duration::from_secs(5),
        );
        o.broker_checked(None);
        let text = render(&o);
        assert_eq!(sample(&text, "stockura_broker_up", &[]), Some(1.0));
        assert_eq!(sample(&text, "stockura_leader", &[]), Some(0.0));
        assert_eq!(
            sample(&text, "stockura_reloads_total", &[("kind", "full")]),
            Some(0.0)
        );
        assert_eq!(
            sample(&text, "stockura_dispatch_lag_seconds_count", &[]),
            Some(0.0)
        );
        assert!(text.contains("# TYPE stockura_dispatch_lag_seconds histogram"));
        assert!(text.contains("stockura_build_info{version=\""));
    }

    #[test]
    fn labels_split_outside_quotes() {
        assert_eq!(
            split_labels(r#"schedule="a,\"b\"",task="t""#),
            [r#"schedule="a,\"b\"""#, r#"task="t""#]
        );
    }
}
