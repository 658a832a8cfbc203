//! The standard `process_*` metrics of the serving process, read from `/proc/self` at scrape
//! time, with the names and meanings of Prometheus' client libraries (Go's
//! `collectors.NewProcessCollector`), so existing dashboards and alerts work unchanged.
//!
//! Linux only: elsewhere the files are absent and the families are left out. CPU times and the
//! start time are in clock ticks, which the kernel reports in `USER_HZ`: 100 on every Linux
//! architecture's user ABI (Prometheus' procfs library hard-codes the same), so no `sysconf`
//! call (and no `unsafe`) is needed.

use std::path::{Path, PathBuf};

use crate::exposition::{Collect, Kind, Writer};

const USER_HZ: f64 = 100.0;

/// What was read about the process.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProcessStats {
    /// User and system CPU time, seconds.
    pub cpu_seconds: f64,
    /// Resident set size, bytes.
    pub resident_bytes: u64,
    /// Virtual memory size, bytes.
    pub virtual_bytes: u64,
    /// Open file descriptors.
    pub open_fds: u64,
    /// The soft limit of open file descriptors (`None`: unlimited).
    pub max_fds: Option<u64>,
    /// Start time, seconds since the Unix epoch.
    pub start_time_seconds: f64,
    /// Threads.
    pub threads: u64,
}

/// Reads `/proc/<pid>` (normally `/proc/self`).
#[derive(Debug, Clone)]
pub struct ProcessCollector {
    proc_root: PathBuf,
    dir: PathBuf,
}

impl Default for ProcessCollector {
    fn default() -> Self {
        ProcessCollector::new("/proc", "self")
    }
}

impl ProcessCollector {
    /// Reads `<proc_root>/<pid>` and `<proc_root>/stat`.
    pub fn new(proc_root: impl Into<PathBuf>, pid: &str) -> Self {
        let proc_root = proc_root.into();
        let dir = proc_root.join(pid);
        ProcessCollector { proc_root, dir }
    }

    /// Reads the stats; `None` when the proc files are missing or unreadable.
    pub fn read(&self) -> Option<ProcessStats> {
        let stat = std::fs::read_to_string(self.dir.join("stat")).ok()?;
        let fields = harrier_core::procfs::parse_stat(&stat)?;
        let btime = std::fs::read_to_string(self.proc_root.join("stat"))
            .ok()
            .and_then(|s| parse_btime(&s))?;
        let status = std::fs::read_to_string(self.dir.join("status")).ok();
        let limits = std::fs::read_to_string(self.dir.join("limits")).ok();
        Some(ProcessStats {
            cpu_seconds: (fields.utime + fields.stime) as f64 / USER_HZ,
            resident_bytes: status
                .as_deref()
                .and_then(|s| status_number(s, "VmRSS:"))
                .map_or(0, |k| k.saturating_mul(1024)),
            virtual_bytes: fields.vsize,
            open_fds: count_dir(&self.dir.join("fd")),
            max_fds: limits.as_deref().and_then(parse_max_open_files),
            start_time_seconds: btime as f64 + fields.start_ticks as f64 / USER_HZ,
            threads: status
                .as_deref()
                .and_then(|s| status_number(s, "Threads:"))
                .unwrap_or(0),
        })
    }
}

impl Collect for ProcessCollector {
    fn collect(&self, w: &mut Writer<'_>) {
        let Some(p) = self.read() else {
            return;
        };
        w.family(
            "process_cpu_seconds_total",
            "Total user and system CPU time spent in seconds.",
            Kind::Counter,
        )
        .sample(&[], p.cpu_seconds);
        w.family(
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            Kind::Gauge,
        )
        .sample(&[], p.resident_bytes);
        w.family(
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes.",
            Kind::Gauge,
        )
        .sample(&[], p.virtual_bytes);
        w.family(
            "process_open_fds",
            "Number of open file descriptors.",
            Kind::Gauge,
        )
        .sample(&[], p.open_fds);
        if let Some(max) = p.max_fds {
            w.family(
                "process_max_fds",
                "Maximum number of open file descriptors.",
                Kind::Gauge,
            )
            .sample(&[], max);
        }
        w.family(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            Kind::Gauge,
        )
        .sample(&[], p.start_time_seconds);
        w.family("process_threads", "Number of OS threads.", Kind::Gauge)
            .sample(&[], p.threads);
    }
}

fn parse_btime(s: &str) -> Option<u64> {
    s.lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

/// The number after `key` in `/proc/<pid>/status` (`VmRSS:   1234 kB`, `Threads:  5`).
fn status_number(s: &str, key: &str) -> Option<u64> {
    s.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_ascii_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// `Max open files            1024                 524288               files`.
fn parse_max_open_files(s: &str) -> Option<u64> {
    let rest = s.lines().find_map(|l| l.strip_prefix("Max open files"))?;
    rest.split_ascii_whitespace().next()?.parse().ok()
}

fn count_dir(p: &Path) -> u64 {
    std::fs::read_dir(p).map_or(0, |d| d.count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_limits_btime() {
        let status = "Name:\tharrier\nVmRSS:\t   10240 kB\nThreads:\t7\n";
        assert_eq!(status_number(status, "VmRSS:"), Some(10_240));
        assert_eq!(status_number(status, "Threads:"), Some(7));
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max open files            1024                 524288               files     \n";
        assert_eq!(parse_max_open_files(limits), Some(1024));
        assert_eq!(
            parse_max_open_files("Max open files            unlimited            unlimited  files"),
            None
        );
        assert_eq!(
            parse_btime("cpu 1 2 3\nbtime 1764200000\n"),
            Some(1_764_200_000)
        );
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn reads_this_process() {
        let p = ProcessCollector::default().read();
        assert!(p.is_some(), "/proc/self is unreadable");
        let p = p.unwrap_or_default();
        assert!(p.resident_bytes > 0);
        assert!(p.open_fds >= 3, "{p:?}");
        assert!(p.threads >= 1);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        // Started in the last day (the test binary), and not in the future (ticks are 1/100 s).
        assert!(p.start_time_seconds <= now + 1.0, "{p:?} now {now}");
        assert!(p.start_time_seconds > now - 86_400.0, "{p:?} now {now}");
        // Burn some CPU and see it counted.
        let before = p.cpu_seconds;
        let t = std::time::Instant::now();
        let mut x = 0u64;
        while t.elapsed() < std::time::Duration::from_millis(300) {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        }
        std::hint::black_box(x);
        let after = ProcessCollector::default()
            .read()
            .map_or(0.0, |p| p.cpu_seconds);
        assert!(after >= before + 0.1, "cpu {before} -> {after}");
    }
}
