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
    "stockura_slots_resent_in_doubt_total",
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
    resent_in_doubt: u64,
    version: &'static str,
}

/// The per-schedule part of the exposition as last written, and the observer's series
/// generation it was written at: kept between scrapes while nothing it shows changed (tens of
/// megabytes at 100,000 schedules, which change at each batch, not at each scrape).
#[derive(Debug, Default)]
pub struct Cache {
    generation: Option<u64>,
    text: Arc<String>,
    /// The same, gzip-compressed, once a scrape asked for it.
    gzip: Option<Arc<Vec<u8>>>,
}

impl Cache {
    /// The per-schedule series, gzip-compressed (compressed now unless already done since
    /// they were last written).
    pub fn series_gzip(&mut self) -> Arc<Vec<u8>> {
        self.gzip
            .get_or_insert_with(|| Arc::new(gzip(self.text.as_bytes())))
            .clone()
    }
}

/// `bytes` as one gzip member (fast compression: the text is repetitive, a 73 MB exposition
/// shrinks about twentyfold even so). Members may follow each other in one body: decoders
/// (Prometheus', Python's, zlib's gunzip) read them as one stream.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 8 + 64),
        flate2::Compression::fast(),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Encodes the exposition of `observer` now.
pub fn render(observer: &Observer) -> String {
    let (mut head, series) = render_cached(observer, &mut Cache::default());
    head.push_str(&series);
    head
}

/// Writes the per-schedule series into `cache` if they changed since it was written.
pub fn refresh_series(observer: &Observer, cache: &mut Cache) {
    let generation = observer.series_generation.load(Ordering::Relaxed);
    if cache.generation != Some(generation) {
        let per_schedule = take(observer, true).per_schedule;
        write_series(observer, cache, generation, &per_schedule);
    }
}

fn write_series(
    observer: &Observer,
    cache: &mut Cache,
    generation: u64,
    per_schedule: &[ScheduleSeries],
) {
    let mut text = String::new();
    if observer.per_schedule {
        // About 170 bytes per sample, three or four samples per schedule.
        text.reserve(per_schedule.len() * 600);
        write_per_schedule(&mut text, per_schedule);
    }
    *cache = Cache {
        generation: Some(generation),
        text: Arc::new(text),
        gzip: None,
    };
}

/// Encodes the exposition of `observer`: everything but the per-schedule series now, and those
/// from `cache` unless they changed since it was written. Returns the two parts, to be sent
/// one after the other.
pub fn render_cached(observer: &Observer, cache: &mut Cache) -> (String, Arc<String>) {
    // Read before the copy: a change during it bumps the generation again.
    let generation = observer.series_generation.load(Ordering::Relaxed);
    let fresh = cache.generation != Some(generation);
    let mut scrape = take(observer, fresh);
    let per_schedule = std::mem::take(&mut scrape.per_schedule);
    let mut registry = Registry::default();
    registry.register_collector(Box::new(scrape));
    let mut head = String::with_capacity(8192);
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::prometheus_text::encode(&mut head, &registry);
    if fresh {
        write_series(observer, cache, generation, &per_schedule);
    }
    (head, cache.text.clone())
}

/// The per-schedule families, written directly: at 100,000 schedules they are some 400,000
/// samples, and the generic encoder's per-label formatting made a scrape several times slower.
/// Same format as the encoder's (label values escaped: backslash, quote, newline).
fn write_per_schedule(out: &mut String, series: &[ScheduleSeries]) {
    if series.is_empty() {
        return;
    }
    // Each schedule's `{schedule="…",schedule_id="…"` once, for the four families.
    let mut id_buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let prefixes: Vec<String> = series
        .iter()
        .map(|s| {
            let mut p = String::with_capacity(s.job.name.len() + 64);
            p.push_str("{schedule=\"");
            push_escaped(&mut p, &s.job.name);
            p.push_str("\",schedule_id=\"");
            p.push_str(s.job.id.hyphenated().encode_lower(&mut id_buf));
            p.push('"');
            p
        })
        .collect();
    out.push_str("# HELP stockura_slots_total Slots handled by this process, by what happened to them (a held slot sent later counts as deferred, then dispatched; an owed one as owed, then dispatched or failed)\n# TYPE stockura_slots_total counter\n");
    for (s, prefix) in series.iter().zip(&prefixes) {
        for (cell, n) in &s.counts {
            let (trigger, status) = cell_labels(*cell);
            out.push_str("stockura_slots_total");
            out.push_str(prefix);
            out.push_str(",task=\"");
            push_escaped(out, &s.job.task_name);
            out.push_str("\",trigger=\"");
            out.push_str(trigger.as_str());
            out.push_str("\",status=\"");
            out.push_str(status.as_str());
            let _ = writeln!(out, "\"}} {n}");
        }
    }
    // Timestamps in milliseconds and intervals in seconds, written as decimals.
    let gauges: [(&str, &str, GaugeValue); 3] = [
        (
            "stockura_schedule_last_dispatch_timestamp_seconds",
            "When this process last sent a message of the schedule",
            |s| s.last_dispatch.map(millis),
        ),
        (
            "stockura_schedule_last_success_timestamp_seconds",
            "When a message of the schedule last finished with SUCCESS, by the result backend",
            |s| s.last_success.map(millis),
        ),
        (
            "stockura_schedule_interval_seconds",
            "Seconds between the schedule's slots (its next two, when it was loaded): alert rules compare the last success with it",
            |s| s.interval.map(|i| (i, 0)),
        ),
    ];
    for (name, help, value) in gauges {
        let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n");
        for (s, prefix) in series.iter().zip(&prefixes) {
            if let Some((whole, ms)) = value(s) {
                out.push_str(name);
                out.push_str(prefix);
                let _ = if ms == 0 {
                    writeln!(out, "}} {whole}")
                } else {
                    writeln!(out, "}} {whole}.{ms:03}")
                };
            }
        }
    }
}

/// A per-schedule gauge's value: whole units and milliseconds.
type GaugeValue = fn(&ScheduleSeries) -> Option<(i64, u32)>;

/// An instant as whole seconds and milliseconds.
fn millis(t: DateTime<Utc>) -> (i64, u32) {
    (t.timestamp(), t.timestamp_subsec_millis())
}

/// A label value as the text format wants it.
fn push_escaped(out: &mut String, value: &str) {
    if !value.bytes().any(|b| matches!(b, b'\\' | b'"' | b'\n')) {
        out.push_str(value);
        return;
    }
    for ch in value.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// A copy of what a scrape shows; the per-schedule rows only when `series`.
fn take(o: &Observer, series: bool) -> Scrape {
    let (per_schedule, mut totals, lag) = {
        let table = o.table();
        let rows = if o.per_schedule && series {
            table
                .rows
                .values()
                .map(|r| ScheduleSeries {
                    job: r.job.clone(),
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
            resent_in_doubt: o.resent_in_doubt.load(Ordering::Relaxed),
            version: o.version,
        },
        process: process::read(),
    }
}

fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
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
        if !self.per_schedule_on {
            let mut family = encoder.encode_descriptor(
                "stockura_slots",
                "Slots handled by this process, by what happened to them (a held slot sent later counts as deferred, then dispatched; an owed one as owed, then dispatched or failed)",
                None,
                MetricType::Counter,
            )?;
            // Per schedule, the family is written by `write_per_schedule`.
            if !self.per_schedule_on {
                for (cell, n) in &self.totals {
                    let (trigger, status) = cell_labels(*cell);
                    let labels = [("trigger", trigger.as_str()), ("status", status.as_str())];
                    ConstCounter::new(*n).encode(family.encode_family(&labels)?)?;
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
        ConstCounter::new(g.resent_in_doubt).encode(encoder.encode_descriptor(
            "stockura_slots_resent_in_doubt",
            "Slots sent again after the broker did not answer the commit of their first push (RabbitMQ stopped during it): a message it had kept runs twice, and the slot's history says so",
            None,
            MetricType::Counter,
        )?)?;
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

    /// An observer with every-minute schedules of these names, each sent once at 00:01.
    fn observed(names: &[&str]) -> Observer {
        use crate::beat::plan::Plan;
        use crate::domain::Schedule;
        use crate::domain::run::{RunStatus, Trigger};
        let t: DateTime<Utc> = "2030-01-01T00:00:00Z".parse().unwrap();
        let mut plan = Plan::default();
        for name in names {
            let schedule = Schedule::example(name, "* * * * *", t);
            plan.upsert(schedule, chrono_tz::Tz::UTC, t).unwrap();
        }
        let o = Observer::new(
            true,
            true,
            Progress::new(),
            Duration::from_secs(30),
            Duration::from_secs(5),
        );
        o.load_plan(plan.entries());
        let slot = t + chrono::Duration::minutes(1);
        o.record(plan.entries().map(|e| super::super::SlotEvent {
            job: &e.schedule,
            slot,
            send_at: slot,
            trigger: Trigger::Schedule,
            status: RunStatus::Dispatched,
            at: slot + chrono::Duration::milliseconds(20),
            task_id: Some(uuid::Uuid::nil()),
            count: 1,
            live: true,
        }));
        o
    }

    #[test]
    fn per_schedule_series_escape_their_labels() {
        let o = observed(&["plain", "quote \" back \\ line \n end"]);
        let text = render(&o);
        let labels = |name: &'static str| {
            [
                ("schedule", name),
                ("task", "app.tasks.t"),
                ("trigger", "schedule"),
                ("status", "dispatched"),
            ]
        };
        assert_eq!(
            sample(&text, "stockura_slots_total", &labels("plain")),
            Some(1.0)
        );
        assert_eq!(
            sample(
                &text,
                "stockura_slots_total",
                &labels(r#"quote \" back \\ line \n end"#)
            ),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            sample(
                &text,
                "stockura_schedule_last_dispatch_timestamp_seconds",
                &[("schedule", "plain")]
            ),
            Some(1_893_456_060.02)
        );
        assert_eq!(
            sample(
                &text,
                "stockura_schedule_interval_seconds",
                &[("schedule", "plain")]
            ),
            Some(60.0)
        );
        // The lag: 20 ms, in the bucket up to 25 ms (cumulative from there).
        for (le, n) in [("0.01", 0.0), ("0.025", 2.0), ("+Inf", 2.0)] {
            assert_eq!(
                sample(&text, "stockura_dispatch_lag_seconds_bucket", &[("le", le)]),
                Some(n),
                "{le}"
            );
        }
        // Each family is announced once.
        for name in NAMES.iter().filter(|n| n.starts_with("stockura_schedule")) {
            assert_eq!(
                text.matches(&format!("# TYPE {name} ")).count(),
                1,
                "{name}"
            );
        }
        assert_eq!(text.matches("# TYPE stockura_slots_total ").count(), 1);
    }

    #[test]
    fn per_schedule_series_are_written_again_only_after_a_change() {
        let o = observed(&["a", "b"]);
        let mut cache = Cache::default();
        let (_, first) = render_cached(&o, &mut cache);
        let (_, again) = render_cached(&o, &mut cache);
        assert!(
            Arc::ptr_eq(&first, &again),
            "nothing changed: the same text"
        );
        assert_eq!(
            sample(&again, "stockura_slots_total", &[("schedule", "a")]),
            Some(1.0)
        );
        // A slot counted: written again, with the new count.
        let job = o
            .table()
            .rows
            .values()
            .find(|r| r.job.name == "a")
            .unwrap()
            .job
            .clone();
        let slot: DateTime<Utc> = "2030-01-01T00:02:00Z".parse().unwrap();
        o.record([super::super::SlotEvent {
            job: &job,
            slot,
            send_at: slot,
            trigger: crate::domain::run::Trigger::Schedule,
            status: crate::domain::run::RunStatus::Dispatched,
            at: slot,
            task_id: None,
            count: 1,
            live: true,
        }]);
        // Written ahead of the scrape (as the endpoint does within a second of a change), a
        // scrape sends that text.
        refresh_series(&o, &mut cache);
        let ahead = cache.text.clone();
        let (head, changed) = render_cached(&o, &mut cache);
        assert!(!Arc::ptr_eq(&first, &changed));
        assert!(Arc::ptr_eq(&ahead, &changed));
        assert_eq!(
            sample(&changed, "stockura_slots_total", &[("schedule", "a")]),
            Some(2.0)
        );
        // The rest is written at every scrape.
        assert_eq!(
            sample(&head, "stockura_dispatch_lag_seconds_count", &[]),
            Some(3.0)
        );
    }

    #[test]
    fn gzip_members_read_as_one_body() {
        use std::io::Read as _;
        let o = observed(&["a", "b"]);
        let mut cache = Cache::default();
        let (head, series) = render_cached(&o, &mut cache);
        let mut body = gzip(head.as_bytes());
        body.extend_from_slice(&cache.series_gzip());
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(&body[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, format!("{head}{series}"));
        assert!(body.len() < text.len());
    }

    #[test]
    fn labels_split_outside_quotes() {
        assert_eq!(
            split_labels(r#"schedule="a,\"b\"",task="t""#),
            [r#"schedule="a,\"b\"""#, r#"task="t""#]
        );
    }
}
