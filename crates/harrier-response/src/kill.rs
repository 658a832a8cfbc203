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

use harrier_core::procfs;
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
    let stat = procfs::parse_stat(&stat).ok_or(KillError::Stat { pid })?;
    Ok(i64::try_from(procfs::ticks_to_unix_ns(stat.start_ticks)).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_start_time_is_in_the_past() -> Result<(), KillError> {
        let start = start_time_ns(std::process::id())?;
        let now = i64::try_from(jiff::Timestamp::now().as_nanosecond()).unwrap_or(i64::MAX);
        assert!(start <= now + START_TOLERANCE_NS && start > now - 86_400_000_000_000 * 365);
        Ok(())
    }
}
