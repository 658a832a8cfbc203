//! `/proc/<pid>/stat` and the kernel's clocks: the one reading of them that the node sensor
//! (process start times and terminals), response actions (the kill guard, which names a
//! process by pid and start) and the metrics endpoint (the sensor's own CPU) share.

/// The fields of `/proc/<pid>/stat` Harrier reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    /// Command name (field 2).
    pub name: String,
    /// Parent tgid (field 4).
    pub ppid: u32,
    /// The controlling terminal's device number (field 7, `tty_nr`); 0 for none.
    pub tty: u32,
    /// User-mode CPU time, clock ticks (field 14).
    pub utime: u64,
    /// Kernel-mode CPU time, clock ticks (field 15).
    pub stime: u64,
    /// Start, clock ticks after boot (field 22, `starttime`).
    pub start_ticks: u64,
    /// Virtual memory size, bytes (field 23).
    pub vsize: u64,
}

/// Parses a `/proc/<pid>/stat` line; `None` when it is cut short or not one. The name sits
/// between the first `(` and the last `)` and may hold spaces and parentheses, so the other
/// fields are counted after the last `)`.
pub fn parse_stat(line: &str) -> Option<Stat> {
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    let name = line.get(open + 1..close)?.to_owned();
    let fields: Vec<&str> = line.get(close + 1..)?.split_ascii_whitespace().collect();
    // fields[0] is field 3 (state): field n is fields[n - 3].
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<i64>().ok());
    let unsigned = |n: usize| field(n).and_then(|v| u64::try_from(v).ok());
    Some(Stat {
        name,
        ppid: u32::try_from(field(4)?).ok()?,
        // A 32-bit device number, which the kernel prints with `%d`.
        tty: field(7)? as u32,
        utime: unsigned(14)?,
        stime: unsigned(15)?,
        start_ticks: unsigned(22)?,
        vsize: unsigned(23)?,
    })
}

/// Clock ticks per second (`USER_HZ`), the unit of the stat times.
pub fn clock_ticks_per_second() -> u64 {
    rustix::param::clock_ticks_per_second().max(1)
}

/// Nanoseconds to add to the kernel's boot-time clock (`CLOCK_BOOTTIME`, which BPF's
/// `bpf_ktime_get_boot_ns` and a task's `start_boottime` use) to get Unix time.
pub fn boot_to_unix_ns() -> u64 {
    use rustix::time::{ClockId, Timespec, clock_gettime};
    let ns = |t: Timespec| {
        u64::try_from(t.tv_sec)
            .unwrap_or(0)
            .saturating_mul(1_000_000_000)
            .saturating_add(u64::try_from(t.tv_nsec).unwrap_or(0))
    };
    ns(clock_gettime(ClockId::Realtime)).saturating_sub(ns(clock_gettime(ClockId::Boottime)))
}

/// Clock ticks after boot (a stat `starttime`) to nanoseconds since the Unix epoch.
pub fn ticks_to_unix_ns(ticks: u64) -> u64 {
    ticks
        .saturating_mul(1_000_000_000 / clock_ticks_per_second())
        .saturating_add(boot_to_unix_ns())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_spaces_and_parentheses() {
        let line = "1234 (a) b (c)) S 77 1234 1234 34817 -1 4194560 100 0 0 0 11 22 0 0 20 0 1 0 98765 1000 200 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
        assert_eq!(
            parse_stat(line),
            Some(Stat {
                name: "a) b (c)".into(),
                ppid: 77,
                tty: 34817,
                utime: 11,
                stime: 22,
                start_ticks: 98765,
                vsize: 1000,
            })
        );
        assert_eq!(parse_stat("1234 (sh S 1"), None);
        assert_eq!(parse_stat("1 (x) S 1 2"), None);
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn our_own_start_is_after_boot_and_before_now() {
        let text = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let own = parse_stat(&text).unwrap_or_else(|| panic!("cannot parse {text:?}"));
        let started = ticks_to_unix_ns(own.start_ticks);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        assert!(started >= boot_to_unix_ns(), "{started}");
        // One tick of rounding.
        assert!(started <= now + 20_000_000, "{started} > {now}");
    }
}
