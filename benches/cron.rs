//! Cost of `Cron::parse` and `Cron::next_after`.
//!
//! Run: `cargo bench --bench cron`. A scheduler computes a next fire time for every schedule
//! after every dispatch, so this must stay in the sub-microsecond range for common shapes.

use std::hint::black_box;
use std::time::Instant;

use chrono::DateTime;
use stockura::domain::cron::{Cron, parse_timezone};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let zone = parse_timezone("America/New_York").expect("zone");
    let base = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .expect("time")
        .timestamp();
    for expr in [
        "*/15 * * * *",
        "0 9 * * mon-fri",
        "30 2 * * *",
        "0 0 L * *",
        "0 0 1 1 *",
        "0 0 30 2 *",
    ] {
        let cron = Cron::parse(expr).expect("valid");
        let rounds = 200_000i64;
        let start = Instant::now();
        let mut sink = 0i64;
        for i in 0..rounds {
            let after = DateTime::from_timestamp(base + i * 7_919, 0).expect("time");
            sink ^= cron.next_after(after, zone).map_or(0, |t| t.timestamp());
        }
        let ns = start.elapsed().as_nanos() / rounds as u128;
        println!(
            "next_after {expr:>16} in America/New_York: {ns:>6} ns/call ({})",
            black_box(sink) & 1
        );
    }
    let start = Instant::now();
    for _ in 0..100_000 {
        black_box(Cron::parse(black_box("0 9 * * mon-fri")).expect("valid"));
    }
    println!(
        "parse      {:>16}: {:>6} ns/call",
        "0 9 * * mon-fri",
        start.elapsed().as_nanos() / 100_000
    );
}
