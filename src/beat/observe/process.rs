//! The process metrics, read from Linux's `/proc` (elsewhere: none).

/// The process's resources now.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    /// Resident memory in bytes.
    pub resident_bytes: u64,
    /// Virtual memory in bytes.
    pub virtual_bytes: u64,
    /// User plus system CPU time, in seconds.
    pub cpu_seconds: f64,
    /// Open file descriptors.
    pub open_fds: u64,
    /// When it started, in seconds since the Unix epoch.
    pub start_time_seconds: f64,
}

/// Reads them; `None` where `/proc` cannot tell.
pub fn read() -> Option<Stats> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let boot = std::fs::read_to_string("/proc/stat").ok()?;
    let btime = boot
        .lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse::<u64>().ok())?;
    let fds = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count() as u64);
    parse(
        &stat,
        btime,
        rustix::param::clock_ticks_per_second(),
        rustix::param::page_size() as u64,
        fds,
    )
}

/// Reads `/proc/self/stat` (its fields after the parenthesised command name, which may hold
/// spaces).
fn parse(stat: &str, btime: u64, ticks: u64, page: u64, open_fds: u64) -> Option<Stats> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // Fields 3 onwards; utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
    let ticks = ticks.max(1) as f64;
    Some(Stats {
        cpu_seconds: (field(14)? + field(15)?) as f64 / ticks,
        start_time_seconds: btime as f64 + field(22)? as f64 / ticks,
        virtual_bytes: field(23)?,
        resident_bytes: field(24)? * page,
        open_fds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields() {
        let line = "4242 (stockura (beat)) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 50 0 0 20 0 3 0 1000 123456789 2048 18446744073709551615";
        let s = parse(line, 1_700_000_000, 100, 4096, 9).unwrap();
        assert_eq!(s.cpu_seconds, 3.0);
        assert_eq!(s.start_time_seconds, 1_700_000_010.0);
        assert_eq!(s.virtual_bytes, 123_456_789);
        assert_eq!(s.resident_bytes, 2048 * 4096);
        assert_eq!(s.open_fds, 9);
    }

    #[test]
    fn this_process() {
        if cfg!(target_os = "linux") {
            let s = read().unwrap();
            assert!(s.resident_bytes > 0 && s.open_fds > 0);
        }
    }
}
