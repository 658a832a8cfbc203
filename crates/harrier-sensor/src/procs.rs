//! The process table: what the sensor knows about each live process (parent, name, executable,
//! arguments, cwd, cgroup), seeded by a scan of `/proc` at start so that processes already
//! running, and the ancestry of new ones, are known, then kept current from exec/fork/exit
//! events. Bounded: past its capacity new processes are not remembered (and counted), and an
//! event about one is marked incomplete rather than the table growing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use harrier_core::procfs;
use serde::Serialize;

use crate::container::{self, ContainerRef};
use crate::event::{Ancestor, EventType, Process, SensorEvent, Source, split_argv};

/// What is known about one process.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcInfo {
    /// tgid.
    pub pid: u32,
    /// Parent tgid.
    pub ppid: u32,
    /// Command name.
    pub name: String,
    /// Executable path.
    pub exepath: Option<String>,
    /// argv\[0\].
    pub exe: Option<String>,
    /// argv\[1..\].
    pub args: Vec<String>,
    /// Working directory.
    pub cwd: Option<String>,
    /// Real uid and gid.
    pub uid: u32,
    /// Real gid.
    pub gid: u32,
    /// The container, from `/proc/<pid>/cgroup`; `Some(None)` = read, on the host.
    pub container: Option<Option<ContainerRef>>,
    /// When the process started, ns since the epoch.
    pub start_ns: Option<u64>,
    /// The controlling terminal's device number; 0 for none.
    pub tty: Option<u32>,
}

/// Counters of the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TableStats {
    /// Processes in the table.
    pub len: u64,
    /// Processes found by the /proc scan.
    pub scanned: u64,
    /// Processes not remembered because the table was full.
    pub dropped: u64,
}

/// pid → [`ProcInfo`], bounded.
#[derive(Debug)]
pub struct ProcTable {
    procs: HashMap<u32, Arc<ProcInfo>>,
    capacity: usize,
    stats: TableStats,
    root: PathBuf,
}

/// Where the proc filesystem is.
pub const PROC: &str = "/proc";

impl ProcTable {
    /// An empty table of at most `capacity` processes, reading `root` (normally `/proc`).
    pub fn new(capacity: std::num::NonZeroUsize, root: impl Into<PathBuf>) -> Self {
        ProcTable {
            procs: HashMap::new(),
            capacity: capacity.get(),
            stats: TableStats::default(),
            root: root.into(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> TableStats {
        TableStats {
            len: self.procs.len() as u64,
            ..self.stats
        }
    }

    /// A process, if known.
    pub fn get(&self, pid: u32) -> Option<&Arc<ProcInfo>> {
        self.procs.get(&pid)
    }

    /// Adds or replaces a process; false when the table is full.
    pub fn insert(&mut self, info: ProcInfo) -> bool {
        if self.procs.len() >= self.capacity && !self.procs.contains_key(&info.pid) {
            self.stats.dropped += 1;
            return false;
        }
        self.procs.insert(info.pid, Arc::new(info));
        true
    }

    /// Records the container of a known process whose container was not known yet (learnt
    /// from an event's cgroup), so that the processes it forks inherit it.
    pub fn learn_container(&mut self, pid: u32, container: &Option<ContainerRef>) {
        if let Some(info) = self.procs.get_mut(&pid)
            && info.container.is_none()
        {
            Arc::make_mut(info).container = Some(container.clone());
        }
    }

    /// Forgets a process.
    pub fn remove(&mut self, pid: u32) {
        self.procs.remove(&pid);
    }

    /// Reads every process in /proc into the table; returns one `existing` event per process.
    pub fn scan(&mut self, now_ns: u64) -> Vec<SensorEvent> {
        let Ok(dir) = std::fs::read_dir(&self.root) else {
            return Vec::new();
        };
        let mut pids: Vec<u32> = dir
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        pids.sort_unstable();
        let mut out = Vec::new();
        for pid in pids {
            let Some(info) = read_proc(&self.root, pid) else {
                continue;
            };
            self.stats.scanned += 1;
            let mut ev = SensorEvent::new(
                Source::Procfs,
                EventType::Existing,
                now_ns,
                Process {
                    pid,
                    tid: pid,
                    ppid: info.ppid,
                    name: info.name.clone(),
                    exe: info.exe.clone(),
                    exepath: info.exepath.clone(),
                    args: info.args.clone(),
                    cwd: info.cwd.clone(),
                    uid: info.uid,
                    gid: info.gid,
                    euid: info.uid,
                    egid: info.gid,
                    ..Process::default()
                },
            );
            ev.cgroup = None;
            self.insert(info);
            out.push(ev);
        }
        out
    }

    /// Reads one process from /proc (for a process first seen in an event).
    pub fn read(&self, pid: u32) -> Option<ProcInfo> {
        read_proc(&self.root, pid)
    }

    /// The working directory of a live process.
    pub fn cwd(&self, pid: u32) -> Option<String> {
        link(&self.root.join(pid.to_string()).join("cwd"))
    }

    /// What a live process's fd points to.
    pub fn fd_path(&self, pid: u32, fd: i64) -> Option<String> {
        link(
            &self
                .root
                .join(pid.to_string())
                .join("fd")
                .join(fd.to_string()),
        )
    }

    /// The container of a live process, from its cgroup file.
    pub fn container_of(&self, pid: u32) -> Option<Option<ContainerRef>> {
        let c = std::fs::read_to_string(self.root.join(pid.to_string()).join("cgroup")).ok()?;
        Some(container::parse_proc_cgroup(&c))
    }

    /// Parent, grandparent, …: at most `depth`, stopping at pid 0 or an unknown process.
    pub fn ancestors(&self, ppid: u32, depth: usize) -> Vec<Ancestor> {
        let mut out = Vec::new();
        let mut pid = ppid;
        while pid != 0 && out.len() < depth {
            let Some(p) = self.procs.get(&pid) else { break };
            out.push(Ancestor {
                pid,
                name: p.name.clone(),
                exepath: p.exepath.clone(),
            });
            if p.ppid == pid {
                break;
            }
            pid = p.ppid;
        }
        out
    }
}

fn link(p: &Path) -> Option<String> {
    std::fs::read_link(p)
        .ok()
        .map(|l| l.to_string_lossy().into_owned())
}

/// `/proc/<pid>/status`: real uid and gid.
pub fn parse_status_ids(status: &str) -> (u32, u32) {
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("Uid:"), field("Gid:"))
}

/// What `/proc/<pid>` under `root` says of a live process (stat, status, cmdline, exe, cwd,
/// cgroup); `None` once it is gone.
pub fn read_proc(root: &Path, pid: u32) -> Option<ProcInfo> {
    let dir = root.join(pid.to_string());
    let stat = procfs::parse_stat(&std::fs::read_to_string(dir.join("stat")).ok()?)?;
    let (uid, gid) = std::fs::read_to_string(dir.join("status"))
        .map(|s| parse_status_ids(&s))
        .unwrap_or((0, 0));
    let mut args = std::fs::read(dir.join("cmdline"))
        .map(|b| split_argv(&b))
        .unwrap_or_default();
    let exe = (!args.is_empty()).then(|| args.remove(0));
    let container = std::fs::read_to_string(dir.join("cgroup"))
        .ok()
        .map(|c| container::parse_proc_cgroup(&c));
    Some(ProcInfo {
        pid,
        ppid: stat.ppid,
        name: stat.name,
        exepath: link(&dir.join("exe")),
        exe,
        args,
        cwd: link(&dir.join("cwd")),
        uid,
        gid,
        container,
        start_ns: (stat.start_ticks != 0).then(|| procfs::ticks_to_unix_ns(stat.start_ticks)),
        tty: Some(stat.tty),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_ids() {
        let s = "Name:\tbash\nUid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\n";
        assert_eq!(parse_status_ids(s), (1000, 100));
    }

    #[test]
    fn scan_finds_this_process_and_its_parent() {
        let mut t = ProcTable::new(std::num::NonZeroUsize::new(1 << 16).unwrap(), PROC);
        let events = t.scan(0);
        let me = std::process::id();
        let ev = events.iter().find(|e| e.proc.pid == me).unwrap();
        assert_eq!(ev.evt_type, EventType::Existing);
        assert_eq!(
            ev.proc.exepath.as_deref(),
            std::env::current_exe()
                .ok()
                .and_then(|p| p.to_str().map(str::to_owned))
                .as_deref()
        );
        let ppid = ev.proc.ppid;
        let anc = t.ancestors(ppid, 5);
        assert_eq!(anc.first().map(|a| a.pid), Some(ppid));
    }

    #[test]
    fn table_is_bounded() {
        let mut t = ProcTable::new(std::num::NonZeroUsize::new(2).unwrap(), PROC);
        for pid in 1..=3 {
            t.insert(ProcInfo {
                pid,
                ..ProcInfo::default()
            });
        }
        assert_eq!(t.stats().len, 2);
        assert_eq!(t.stats().dropped, 1);
    }
}
