//! The fallback collector: the kernel's proc connector (`NETLINK_CONNECTOR`, `CN_IDX_PROC`),
//! which reports exec, fork and exit of every process to a root listener without eBPF. It
//! carries pids only; the enricher reads the rest from /proc while the process lives.
//!
//! A receive queue overflow (`ENOBUFS`) is counted as lost: the kernel drops, never blocks.
//! `unsafe` is limited to the socket calls, each with its `// SAFETY:`.
#![allow(unsafe_code)]

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::event::{EventType, Param, Process, SensorEvent, Source};

const NETLINK_CONNECTOR: i32 = 11;
const CN_IDX_PROC: u32 = 1;
const CN_VAL_PROC: u32 = 1;
const PROC_CN_MCAST_LISTEN: u32 = 1;
const NLMSG_HDRLEN: usize = 16;
const CN_MSG_LEN: usize = 20;
const NLMSG_DONE: u16 = 3;

const PROC_EVENT_FORK: u32 = 0x0000_0001;
const PROC_EVENT_EXEC: u32 = 0x0000_0002;
const PROC_EVENT_EXIT: u32 = 0x8000_0000;

/// Opening or reading the proc connector failed.
#[derive(Debug, thiserror::Error)]
#[error("proc connector: {call}")]
pub struct NetlinkError {
    /// The syscall.
    pub call: &'static str,
    /// Its error.
    #[source]
    pub source: std::io::Error,
}

fn err(call: &'static str) -> NetlinkError {
    NetlinkError {
        call,
        source: std::io::Error::last_os_error(),
    }
}

/// Counters of the proc connector.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ConnectorCounters {
    /// Messages received.
    pub received: u64,
    /// Times the socket's queue overflowed (events lost, count unknown).
    pub overflows: u64,
    /// Messages that could not be parsed.
    pub malformed: u64,
}

/// A proc-connector event, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcEvent {
    /// A new process (threads are left out).
    Fork {
        /// Parent tgid.
        parent: u32,
        /// Child tgid.
        child: u32,
    },
    /// A new program image.
    Exec {
        /// tgid.
        pid: u32,
    },
    /// A process's leader exited.
    Exit {
        /// tgid.
        pid: u32,
        /// Wait status.
        code: u32,
        /// Parent tgid.
        ppid: u32,
    },
}

fn u32_at(b: &[u8], off: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(off..off + 4)?.try_into().ok()?))
}

/// Decodes the proc events in one datagram (netlink messages, each a `cn_msg` holding a
/// `proc_event`). Unknown event types (uid, sid, comm, …) and thread events are skipped.
pub fn parse_datagram(buf: &[u8]) -> Result<Vec<ProcEvent>, usize> {
    let mut out = Vec::new();
    let mut off = 0;
    let mut bad = 0;
    while off + NLMSG_HDRLEN <= buf.len() {
        let Some(len) = u32_at(buf, off).and_then(|l| usize::try_from(l).ok()) else {
            break;
        };
        if len < NLMSG_HDRLEN || off + len > buf.len() {
            bad += 1;
            break;
        }
        let ty = u16::from_ne_bytes([buf[off + 4], buf[off + 5]]);
        let msg = buf.get(off + NLMSG_HDRLEN..off + len).unwrap_or(&[]);
        if ty == NLMSG_DONE || ty > 15 {
            match parse_cn(msg) {
                Some(Some(e)) => out.push(e),
                Some(None) => {}
                None => bad += 1,
            }
        }
        off += (len + 3) & !3;
    }
    if bad > 0 && out.is_empty() {
        return Err(bad);
    }
    Ok(out)
}

fn parse_cn(msg: &[u8]) -> Option<Option<ProcEvent>> {
    if u32_at(msg, 0)? != CN_IDX_PROC {
        return Some(None);
    }
    let ev = msg.get(CN_MSG_LEN..)?;
    let what = u32_at(ev, 0)?;
    // what(4) cpu(4) timestamp(8), then the union.
    let d = ev.get(16..)?;
    Some(match what {
        PROC_EVENT_FORK => {
            let (child_pid, child_tgid) = (u32_at(d, 8)?, u32_at(d, 12)?);
            (child_pid == child_tgid).then_some(ProcEvent::Fork {
                parent: u32_at(d, 4)?,
                child: child_tgid,
            })
        }
        PROC_EVENT_EXEC => Some(ProcEvent::Exec { pid: u32_at(d, 4)? }),
        PROC_EVENT_EXIT => {
            let (pid, tgid) = (u32_at(d, 0)?, u32_at(d, 4)?);
            (pid == tgid).then_some(ProcEvent::Exit {
                pid: tgid,
                code: u32_at(d, 8)?,
                ppid: u32_at(d, 20).unwrap_or(0),
            })
        }
        _ => None,
    })
}

impl ProcEvent {
    /// The event as a [`SensorEvent`] (pids only; enrichment adds the rest).
    pub fn into_event(self, time_ns: u64) -> SensorEvent {
        let (ty, pid, ppid) = match self {
            ProcEvent::Fork { parent, .. } => (EventType::Fork, parent, 0),
            ProcEvent::Exec { pid } => (EventType::Execve, pid, 0),
            ProcEvent::Exit { pid, ppid, .. } => (EventType::Procexit, pid, ppid),
        };
        let mut ev = SensorEvent::new(
            Source::ProcConnector,
            ty,
            time_ns,
            Process {
                pid,
                tid: pid,
                ppid,
                ..Process::default()
            },
        );
        match self {
            ProcEvent::Fork { child, .. } => {
                ev.params.insert("child_pid", Param::Int(i64::from(child)));
            }
            ProcEvent::Exit { code, .. } => {
                ev.params
                    .insert("status", Param::Int(i64::from(code >> 8 & 0xff)));
                if code & 0x7f != 0 {
                    ev.params.insert("sig", Param::Int(i64::from(code & 0x7f)));
                }
            }
            ProcEvent::Exec { .. } => {}
        }
        ev
    }
}

/// A subscribed proc-connector socket.
#[derive(Debug)]
pub struct ProcConnector {
    fd: OwnedFd,
    buf: Vec<u8>,
    counters: ConnectorCounters,
}

impl ProcConnector {
    /// Opens the socket and subscribes to process events (needs CAP_NET_ADMIN).
    pub fn open() -> Result<Self, NetlinkError> {
        // SAFETY: plain socket(2) call with constant arguments; the result is checked.
        let raw = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
                NETLINK_CONNECTOR,
            )
        };
        if raw < 0 {
            return Err(err("socket"));
        }
        // SAFETY: `raw` is a fresh, valid fd that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let rcvbuf: libc::c_int = 4 << 20;
        // SAFETY: the option value points to a c_int that lives across the call, with its size.
        // A failure only leaves the default buffer size.
        unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVBUFFORCE,
                (&rcvbuf as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        // SAFETY: sockaddr_nl is plain old data; zeroed is a valid value.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        addr.nl_pid = 0;
        addr.nl_groups = CN_IDX_PROC;
        // SAFETY: `addr` is a valid sockaddr_nl and the length is its size.
        let rc = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if rc < 0 {
            return Err(err("bind"));
        }
        // nlmsghdr + cn_msg + PROC_CN_MCAST_LISTEN.
        let total = NLMSG_HDRLEN + CN_MSG_LEN + 4;
        let mut msg = Vec::with_capacity(total);
        msg.extend_from_slice(&(total as u32).to_ne_bytes());
        msg.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
        msg.extend_from_slice(&0u16.to_ne_bytes());
        msg.extend_from_slice(&0u32.to_ne_bytes());
        msg.extend_from_slice(&std::process::id().to_ne_bytes());
        msg.extend_from_slice(&CN_IDX_PROC.to_ne_bytes());
        msg.extend_from_slice(&CN_VAL_PROC.to_ne_bytes());
        msg.extend_from_slice(&0u32.to_ne_bytes());
        msg.extend_from_slice(&0u32.to_ne_bytes());
        msg.extend_from_slice(&4u16.to_ne_bytes());
        msg.extend_from_slice(&0u16.to_ne_bytes());
        msg.extend_from_slice(&PROC_CN_MCAST_LISTEN.to_ne_bytes());
        // SAFETY: `msg` is a valid buffer of `msg.len()` bytes for the duration of the call.
        let n = unsafe { libc::send(fd.as_raw_fd(), msg.as_ptr().cast(), msg.len(), 0) };
        if n < 0 {
            return Err(err("send"));
        }
        Ok(ProcConnector {
            fd,
            buf: vec![0; 64 * 1024],
            counters: ConnectorCounters::default(),
        })
    }

    /// The counters.
    pub fn counters(&self) -> ConnectorCounters {
        self.counters
    }

    /// Waits up to `timeout` for events and hands each to `f`.
    pub fn poll(
        &mut self,
        timeout: Duration,
        mut f: impl FnMut(SensorEvent),
    ) -> Result<usize, NetlinkError> {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: one valid pollfd for the duration of the call.
        let rc = unsafe { libc::poll(&mut pfd, 1, ms) };
        if rc < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                return Ok(0);
            }
            return Err(NetlinkError {
                call: "poll",
                source: e,
            });
        }
        let mut n = 0;
        loop {
            // SAFETY: `self.buf` is a valid writable buffer of its length.
            let got = unsafe {
                libc::recv(
                    self.fd.as_raw_fd(),
                    self.buf.as_mut_ptr().cast(),
                    self.buf.len(),
                    libc::MSG_DONTWAIT,
                )
            };
            if got < 0 {
                let e = std::io::Error::last_os_error();
                match e.raw_os_error() {
                    Some(libc::EAGAIN) => break,
                    Some(libc::EINTR) => continue,
                    Some(libc::ENOBUFS) => {
                        self.counters.overflows += 1;
                        continue;
                    }
                    _ => {
                        return Err(NetlinkError {
                            call: "recv",
                            source: e,
                        });
                    }
                }
            }
            let got = usize::try_from(got).unwrap_or(0);
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
            match parse_datagram(self.buf.get(..got).unwrap_or(&[])) {
                Ok(events) => {
                    for e in events {
                        self.counters.received += 1;
                        f(e.into_event(now));
                        n += 1;
                    }
                }
                Err(bad) => self.counters.malformed += bad as u64,
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datagram(what: u32, data: &[u32]) -> Vec<u8> {
        let mut ev = Vec::new();
        ev.extend_from_slice(&what.to_ne_bytes());
        ev.extend_from_slice(&0u32.to_ne_bytes());
        ev.extend_from_slice(&0u64.to_ne_bytes());
        for d in data {
            ev.extend_from_slice(&d.to_ne_bytes());
        }
        let mut cn = Vec::new();
        for v in [CN_IDX_PROC, CN_VAL_PROC, 0, 0] {
            cn.extend_from_slice(&v.to_ne_bytes());
        }
        cn.extend_from_slice(&(ev.len() as u16).to_ne_bytes());
        cn.extend_from_slice(&0u16.to_ne_bytes());
        cn.extend_from_slice(&ev);
        let len = NLMSG_HDRLEN + cn.len();
        let mut out = Vec::new();
        out.extend_from_slice(&(len as u32).to_ne_bytes());
        out.extend_from_slice(&NLMSG_DONE.to_ne_bytes());
        out.extend_from_slice(&[0; 10]);
        out.extend_from_slice(&cn);
        out
    }

    #[test]
    fn fork_exec_exit() {
        let f = datagram(PROC_EVENT_FORK, &[10, 10, 11, 11]);
        assert_eq!(
            parse_datagram(&f),
            Ok(vec![ProcEvent::Fork {
                parent: 10,
                child: 11
            }])
        );
        // A new thread: child pid != tgid.
        let t = datagram(PROC_EVENT_FORK, &[10, 10, 12, 11]);
        assert_eq!(parse_datagram(&t), Ok(vec![]));
        let e = datagram(PROC_EVENT_EXEC, &[11, 11]);
        assert_eq!(parse_datagram(&e), Ok(vec![ProcEvent::Exec { pid: 11 }]));
        let x = datagram(PROC_EVENT_EXIT, &[11, 11, 256, 17, 10, 10]);
        assert_eq!(
            parse_datagram(&x),
            Ok(vec![ProcEvent::Exit {
                pid: 11,
                code: 256,
                ppid: 10
            }])
        );
        let ev = ProcEvent::Exit {
            pid: 11,
            code: 256,
            ppid: 10,
        }
        .into_event(0);
        assert_eq!(ev.params["status"], Param::Int(1));
    }

    #[test]
    fn truncated_datagrams_are_errors_not_panics() {
        let f = datagram(PROC_EVENT_EXEC, &[11, 11]);
        for cut in 0..f.len() {
            let _ = parse_datagram(&f[..cut]);
        }
        let mut bad = f.clone();
        bad[0] = 200;
        assert!(parse_datagram(&bad).is_err());
    }
}
