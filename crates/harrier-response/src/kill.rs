//! Killing a process through a pidfd, safely against pid reuse.
//!
//! A pid names whichever process holds it now; by the time an alert is acted on, the process it
//! was about may have exited and its pid been given to another. So: open a pidfd first (it
//! refers to that one process for as long as it is held), then check that the process's start
//! time in `/proc/<pid>/stat` is the one the alert saw, then signal through the pidfd. If the
//! pid was reused after the pidfd was opened, the signal goes to the old, exited process and
//! fails harmlessly; if it was reused before, the start times differ and nothing is sent.
//!
//! `/proc/<pid>/stat` gives the start in clock ticks since boot; the alert gives nanoseconds
//! since the epoch. The two meet through the boot time (`CLOCK_REALTIME - CLOCK_BOOTTIME`) and
//! agree to within a tick plus clock adjustments since the event: [`START_TOLERANCE_NS`]. A pid
//! cannot be reused that quickly: the kernel hands pids out in increasing order and wraps only
//! after the whole range (`pid_max`, 4 million by default) has been used.

use std::io;
use std::os::fd::OwnedFd;

use rustix::process::{Pid, PidfdFlags, pidfd_open, pidfd_send_signal};

use crate::policy::Signal;

/// How far the start time read from `/proc` may be from the alert's and still be the same
/// process.
pub const START_TOLERANCE_NS: i64 = 50_000_000;

/// Why a kill was not done.
#[derive(Debug, thiserror::Error)]
pub enum KillError {
    /// The process is gone.
    #[error("process {pid} no longer exists")]
    Gone {
        /// The pid.
        pid: u32,
    },
    /// Its pid now belongs to another process.
    #[error(
        "pid {pid} now belongs to another process (started at {actual_ns} ns, the alert's at {expected_ns} ns): not signalled"
    )]
    Reused {
        /// The pid.
        pid: u32,
        /// The start the alert saw.
        expected_ns: i64,
        /// The start of the process that holds the pid now.
        actual_ns: i64,
    },
    /// A system call failed.
    #[error("{call} for pid {pid} failed")]
    Syscall {
        /// The call.
        call: &'static str,
        /// The pid.
        pid: u32,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// `/proc/<pid>/stat` could not be understood.
    #[error("cannot read the start time of pid {pid} from /proc/{pid}/stat")]
    Stat {
        /// The pid.
        pid: u32,
    },
}

impl KillError {
    /// Whether the process had already gone (nothing to do rather than a failure).
    pub fn is_gone(&self) -> bool {
        matches!(self, KillError::Gone { .. })
    }
}

/// A process found to still be the one an alert saw, held by a pidfd.
#[derive(Debug)]
pub struct Verified {
    pidfd: OwnedFd,
    pid: u32,
}

/// Opens a pidfd for `pid` and checks its start time is `start_ns` (nanoseconds since the
/// epoch). Reads only: nothing is signalled.
pub fn verify(pid: u32, start_ns: i64) -> Result<Verified, KillError> {
    let raw = i32::try_from(pid).ok().and_then(Pid::from_raw);
    let Some(raw) = raw else {
        return Err(KillError::Gone { pid });
    };
    let pidfd = pidfd_open(raw, PidfdFlags::empty()).map_err(|e| {
        if e == rustix::io::Errno::SRCH {
            KillError::Gone { pid }
        } else {
            KillError::Syscall {
                call: "pidfd_open",
                pid,
                source: e.into(),
            }
        }
    })?;
    let actual_ns = start_time_ns(pid)?;
    if (actual_ns - start_ns).abs() > START_TOLERANCE_NS {
        return Err(KillError::Reused {
            pid,
            expected_ns: start_ns,
            actual_ns,
        });
    }
    Ok(Verified { pidfd, pid })
}

impl Verified {
    /// Sends `signal` to the verified process.
    pub fn signal(&self, signal: Signal) -> Result<(), KillError> {
        let sig =
            rustix::process::Signal::from_named_raw(signal.number()).ok_or(KillError::Syscall {
                call: "pidfd_send_signal",
                pid: self.pid,
                source: io::Error::from(io::ErrorKind::InvalidInput),
            })?;
        pidfd_send_signal(&self.pidfd, sig).map_err(|e| {
            if e == rustix::io::Errno::SRCH {
                KillError::Gone { pid: self.pid }
            } else {
                KillError::Syscall {
                    call: "pidfd_send_signal",
                    pid: self.pid,
                    source: e.into(),
                }
            }
        })
    }
}

/// The start time of `pid`, nanoseconds since the epoch, from `/proc/<pid>/stat`.
pub fn start_time_ns(pid: u32) -> Result<i64, KillError> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            KillError::Gone { pid }
        } else {
            KillError::Syscall {
                call: "read /proc/<pid>/stat",
                pid,
                source: e,
            }
        }
    })?;
    let ticks = start_ticks(&stat).ok_or(KillError::Stat { pid })?;
    Ok(ticks_to_epoch_ns(ticks))
}

/// Field 22 (`starttime`) of a `/proc/<pid>/stat` line: clock ticks after boot. The command
/// name (field 2) may hold spaces and parentheses, so fields are counted after its last `)`.
pub fn start_ticks(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    // After the name come field 3 (state) onwards: starttime is the 20th of those.
    rest.split_ascii_whitespace().nth(19)?.parse().ok()
}

/// Converts clock ticks after boot to nanoseconds since the epoch, through the boot time now.
pub fn ticks_to_epoch_ns(ticks: u64) -> i64 {
    let hz = rustix::param::clock_ticks_per_second().max(1);
    let since_boot = i128::from(ticks) * 1_000_000_000 / i128::from(hz);
    i64::try_from(i128::from(boot_time_ns()) + since_boot).unwrap_or(i64::MAX)
}

fn boot_time_ns() -> i64 {
    use rustix::time::{ClockId, clock_gettime};
    let ns =
        |t: rustix::time::Timespec| i128::from(t.tv_sec) * 1_000_000_000 + i128::from(t.tv_nsec);
    let realtime = ns(clock_gettime(ClockId::Realtime));
    let boottime = ns(clock_gettime(ClockId::Boottime));
    i64::try_from(realtime - boottime).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_awkward_names() {
        let line = "1234 (a) b (c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 200 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
        assert_eq!(start_ticks(line), Some(98765));
        assert_eq!(start_ticks("1234 (sh S 1"), None);
    }

    #[test]
    fn own_start_time_is_in_the_past() -> Result<(), KillError> {
        let start = start_time_ns(std::process::id())?;
        let now = i64::try_from(jiff::Timestamp::now().as_nanosecond()).unwrap_or(i64::MAX);
        assert!(start <= now + START_TOLERANCE_NS && start > now - 86_400_000_000_000 * 365);
        Ok(())
    }
}
