//! Enrichment: turns what a collector saw into a full event. It keeps the process table current
//! (exec, fork, exit), fills in what the kernel record lacks (executable, arguments, cwd,
//! parent name, ancestry), resolves relative paths, attaches the container, and marks the event
//! `context_incomplete`, naming what is `missing`, when any of that could not be found.
//!
//! It also drops the events of the sensor's own children (the runtime CLIs it runs for
//! metadata): the kernel filter only knows the sensor's own pid.

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroUsize;
use std::sync::Arc;

use serde::Serialize;

use crate::container::{self, CacheStats, ContainerCache, ContainerRef, MetadataSource};
use crate::event::{EventType, Fd, FdType, Param, Pending, SensorEvent, Source};
use crate::procs::{ProcInfo, ProcTable, TableStats};

/// How deep `proc.ancestors` goes (Falco's `proc.aname[n]` goes to 5 and beyond; rules use ≤ 5).
pub const ANCESTRY_DEPTH: usize = 5;

/// Counters of enrichment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EnrichStats {
    /// Events enriched and passed on.
    pub events: u64,
    /// Events marked `context_incomplete`.
    pub incomplete: u64,
    /// Events of the sensor's own children, dropped.
    pub own_children: u64,
    /// cgroup → container lookups answered from the cache.
    pub cgroup_hits: u64,
    /// cgroup → container lookups that parsed the path.
    pub cgroup_misses: u64,
    /// cgroup ids remembered.
    pub cgroup_entries: u64,
    /// The container metadata cache.
    pub containers: CacheStats,
    /// The process table.
    pub processes: TableStats,
    /// uid → user name lookups that read (or tried to read) a passwd file; the others came from
    /// the cache.
    pub user_lookups: u64,
}

/// Users remembered (container, uid → name); the cache is emptied when full.
const USER_CAPACITY: usize = 4_096;

/// Settings of the enricher.
#[derive(Debug, Clone)]
pub struct EnrichConfig {
    /// Processes remembered.
    pub process_capacity: NonZeroUsize,
    /// Containers remembered.
    pub container_capacity: NonZeroUsize,
    /// Where container metadata is asked.
    pub metadata_sources: Vec<MetadataSource>,
    /// The sensor's pid: its descendants' events are dropped (the runtime CLIs it runs for
    /// metadata), unless `keep_own_children`.
    pub self_pid: u32,
    /// Report the events of the sensor's own children (benchmarks drive their load that way).
    pub keep_own_children: bool,
    /// The proc filesystem.
    pub proc_root: std::path::PathBuf,
}

impl Default for EnrichConfig {
    fn default() -> Self {
        EnrichConfig {
            process_capacity: NonZeroUsize::new(65_536).unwrap_or(NonZeroUsize::MIN),
            container_capacity: NonZeroUsize::new(4_096).unwrap_or(NonZeroUsize::MIN),
            metadata_sources: MetadataSource::discover(),
            self_pid: std::process::id(),
            keep_own_children: false,
            proc_root: crate::procs::PROC.into(),
        }
    }
}

/// The enricher.
#[derive(Debug)]
pub struct Enricher {
    table: ProcTable,
    containers: ContainerCache,
    /// cgroup v2 id → container (None: host), bounded.
    by_cgroup: HashMap<u64, Option<ContainerRef>>,
    cgroup_order: VecDeque<u64>,
    cgroup_capacity: usize,
    self_pid: u32,
    keep_own_children: bool,
    host: Arc<crate::event::Container>,
    /// (container id or `host`, uid) → user name, bounded by [`USER_CAPACITY`].
    users: HashMap<(String, u32), Option<String>>,
    proc_root: std::path::PathBuf,
    stats: EnrichStats,
}

impl Enricher {
    /// A new enricher.
    pub fn new(cfg: EnrichConfig) -> Self {
        Enricher {
            table: ProcTable::new(cfg.process_capacity, cfg.proc_root.clone()),
            users: HashMap::new(),
            proc_root: cfg.proc_root,
            containers: ContainerCache::new(cfg.metadata_sources, cfg.container_capacity),
            by_cgroup: HashMap::new(),
            cgroup_order: VecDeque::new(),
            cgroup_capacity: cfg.container_capacity.get(),
            self_pid: cfg.self_pid,
            keep_own_children: cfg.keep_own_children,
            host: Arc::new(container::host()),
            stats: EnrichStats::default(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> EnrichStats {
        EnrichStats {
            containers: self.containers.stats(),
            processes: self.table.stats(),
            cgroup_entries: self.by_cgroup.len() as u64,
            ..self.stats
        }
    }

    /// The container metadata answers that arrived since the last call (see
    /// [`ContainerCache::poll`]).
    pub fn poll_containers(&mut self) -> Vec<container::Answer> {
        self.containers.poll()
    }

    /// Whether the runtimes are being asked about container `full_id`.
    pub fn is_container_pending(&self, full_id: &str) -> bool {
        self.containers.is_pending(full_id)
    }

    /// Scans /proc; returns the `existing` events, enriched.
    pub fn scan(&mut self, now_ns: u64) -> Vec<SensorEvent> {
        let found = self.table.scan(now_ns);
        found
            .into_iter()
            .filter_map(|ev| self.enrich(ev, Pending::default()))
            .collect()
    }

    fn is_own(&self, ev: &SensorEvent) -> bool {
        if self.keep_own_children {
            return false;
        }
        ev.proc.pid == self.self_pid
            || ev.proc.ppid == self.self_pid
            || ev.proc.ancestors.iter().any(|a| a.pid == self.self_pid)
    }

    /// Enriches one event; `None` when it is dropped (the sensor's own children).
    pub fn enrich(&mut self, mut ev: SensorEvent, mut pending: Pending) -> Option<SensorEvent> {
        let pid = ev.proc.pid;
        self.update_table(&ev, pending.proc_info.take(), pending.cgroup.as_ref());
        let known = self.table.get(pid).cloned();
        if let Some(p) = &known {
            let pr = &mut ev.proc;
            if pr.exepath.is_none() {
                pr.exepath.clone_from(&p.exepath);
            }
            if pr.exe.is_none() {
                pr.exe.clone_from(&p.exe);
                pr.args.clone_from(&p.args);
            }
            if pr.cwd.is_none() {
                pr.cwd.clone_from(&p.cwd);
            }
            if pr.ppid == 0 {
                pr.ppid = p.ppid;
            }
            if pr.name.is_empty() {
                pr.name.clone_from(&p.name);
            }
            pr.start_ns = pr.start_ns.or(p.start_ns);
            pr.tty = pr.tty.or(p.tty);
        }
        ev.proc.ancestors = self.table.ancestors(ev.proc.ppid, ANCESTRY_DEPTH);
        ev.proc.pname = ev.proc.ancestors.first().map(|a| a.name.clone());
        if self.is_own(&ev) {
            self.stats.own_children += 1;
            if ev.evt_type == EventType::Procexit {
                self.table.remove(pid);
            }
            return None;
        }

        let mut missing = Vec::new();
        if let Some(raw) = pending.fd_path {
            match self.resolve(pid, &raw.path, raw.dirfd, ev.proc.cwd.as_deref()) {
                Some(name) => {
                    ev.fd = Some(Fd {
                        name,
                        typ: FdType::File,
                        addr: None,
                    })
                }
                None => {
                    missing.push("cwd");
                    ev.fd = Some(Fd {
                        name: raw.path,
                        typ: FdType::File,
                        addr: None,
                    });
                }
            }
        }

        let container = self.container_of(&ev, pending.cgroup.as_ref(), known.as_deref());
        if let Some(c) = &container {
            self.table.learn_container(pid, c);
        }
        match container {
            Some(Some(r)) => {
                let (c, complete) = self.containers.get(&r);
                if !complete {
                    missing.push("container_metadata");
                }
                ev.container = Some(c);
            }
            Some(None) => ev.container = Some(Arc::clone(&self.host)),
            None => missing.push("container"),
        }
        ev.proc.user = self.user_name(&ev);
        // Kernel threads (kthreadd, pid 2, and its children) have no executable.
        let kernel_thread = ev.proc.pid == 2 || ev.proc.ppid == 2;
        if ev.proc.exepath.is_none() && ev.evt_type != EventType::Procexit && !kernel_thread {
            missing.push("exepath");
        }
        if ev.proc.ppid != 0 && ev.proc.ancestors.is_empty() && ev.proc.ppid != 1 {
            missing.push("parent");
        }
        if ev.evt_type == EventType::Procexit {
            self.table.remove(pid);
        }
        ev.context_incomplete = !missing.is_empty();
        ev.missing = missing;
        self.stats.events += 1;
        if ev.context_incomplete {
            self.stats.incomplete += 1;
        }
        Some(ev)
    }

    /// `user.name`: the uid's name in the process's own root (`/proc/<pid>/root/etc/passwd`, so a
    /// container's users are its image's), cached per container and uid. `None` when the file
    /// or the uid is not there, or the process is gone before it could be read.
    fn user_name(&mut self, ev: &SensorEvent) -> Option<String> {
        let container = ev.container.as_ref().map_or_else(String::new, |c| {
            c.full_id.clone().unwrap_or_else(|| c.id.clone())
        });
        let key = (container, ev.proc.uid);
        if let Some(name) = self.users.get(&key) {
            return name.clone();
        }
        let path = self
            .proc_root
            .join(ev.proc.pid.to_string())
            .join("root/etc/passwd");
        if self.users.len() >= USER_CAPACITY {
            self.users.clear();
        }
        self.stats.user_lookups += 1;
        // A process already gone says nothing of its container's users: not cached, the next
        // event of the container asks again (a failed open of a gone /proc entry is cheap).
        let text = std::fs::read_to_string(path).ok()?;
        let name = passwd_name(&text, ev.proc.uid);
        self.users.insert(key, name.clone());
        name
    }

    /// The container: from the cgroup-id cache, the kernel's cgroup names, the process table,
    /// or /proc. `Some(None)` is the host; `None` is unknown.
    fn container_of(
        &mut self,
        ev: &SensorEvent,
        names: Option<&(String, String)>,
        known: Option<&ProcInfo>,
    ) -> Option<Option<ContainerRef>> {
        if let Some(id) = ev.cgroup_id
            && let Some(c) = self.by_cgroup.get(&id)
        {
            self.stats.cgroup_hits += 1;
            return Some(c.clone());
        }
        self.stats.cgroup_misses += 1;
        let from_names = names
            .filter(|(p, l)| !(p.is_empty() && l.is_empty()))
            .map(|(p, l)| container::parse_cgroup_path(&format!("{p}/{l}")));
        let found = match from_names {
            Some(Some(r)) => Some(Some(r)),
            // The two names do not name a container: it may be nested deeper (systemd in a
            // container); the full path in /proc decides, when the process is still there.
            other => self
                .table
                .container_of(ev.proc.pid)
                .or_else(|| known.and_then(|k| k.container.clone()))
                .or(other),
        };
        if let (Some(id), Some(c)) = (ev.cgroup_id, &found) {
            while self.by_cgroup.len() >= self.cgroup_capacity {
                let Some(old) = self.cgroup_order.pop_front() else {
                    break;
                };
                self.by_cgroup.remove(&old);
            }
            self.by_cgroup.insert(id, c.clone());
            self.cgroup_order.push_back(id);
        }
        found
    }

    fn resolve(&self, pid: u32, path: &str, dirfd: i64, cwd: Option<&str>) -> Option<String> {
        if path.starts_with('/') {
            return Some(path.to_owned());
        }
        let base = if dirfd == -100 {
            cwd.map(str::to_owned).or_else(|| self.table.cwd(pid))?
        } else {
            self.table.fd_path(pid, dirfd)?
        };
        let rel = path.strip_prefix("./").unwrap_or(path);
        if rel.is_empty() {
            return Some(base);
        }
        Some(format!("{}/{rel}", base.trim_end_matches('/')))
    }

    fn update_table(
        &mut self,
        ev: &SensorEvent,
        read: Option<Box<ProcInfo>>,
        cgroup: Option<&(String, String)>,
    ) {
        let pid = ev.proc.pid;
        match ev.evt_type {
            EventType::Fork => {
                let child = match ev.params.get("child_pid") {
                    Some(Param::Int(c)) => u32::try_from(*c).ok(),
                    _ => None,
                };
                let parent = match self.table.get(pid) {
                    Some(p) => Some(Arc::clone(p)),
                    None => self.table.read(pid).map(Arc::new),
                };
                if let (Some(child), Some(parent)) = (child, parent) {
                    let mut info = (*parent).clone();
                    info.pid = child;
                    info.ppid = pid;
                    // The fork record is the parent's; the child's own events carry its start.
                    info.start_ns = None;
                    self.table.insert(info);
                    if self.table.get(pid).is_none() {
                        self.table.insert((*parent).clone());
                    }
                }
            }
            EventType::Execve => {
                let prev = self.table.get(pid).cloned();
                let info = if ev.source == Source::Ebpf {
                    // The kernel record has the new image; only the cwd comes from /proc (one
                    // readlink, not the whole entry: exec storms are common).
                    ProcInfo {
                        pid,
                        ppid: ev.proc.ppid,
                        name: ev.proc.name.clone(),
                        exepath: ev.proc.exepath.clone(),
                        exe: ev.proc.exe.clone(),
                        args: ev.proc.args.clone(),
                        cwd: self.table.cwd(pid).or_else(|| {
                            prev.as_ref()
                                .filter(|p| !entered_container(p, cgroup))
                                .and_then(|p| p.cwd.clone())
                        }),
                        uid: ev.proc.uid,
                        gid: ev.proc.gid,
                        // Learnt from this event's cgroup below: a runtime's init process
                        // joins its container between fork and exec.
                        container: None,
                        start_ns: ev.proc.start_ns,
                        tty: ev.proc.tty,
                    }
                } else {
                    // The proc connector gives the pid only: everything else is in /proc,
                    // read by the collector as the event came, else now.
                    read.map(|b| *b)
                        .or_else(|| self.table.read(pid))
                        .unwrap_or_else(|| ProcInfo {
                            pid,
                            ppid: ev.proc.ppid,
                            container: prev.as_ref().and_then(|p| p.container.clone()),
                            cwd: prev.as_ref().and_then(|p| p.cwd.clone()),
                            ..ProcInfo::default()
                        })
                };
                self.table.insert(info);
            }
            _ => {
                if self.table.get(pid).is_none()
                    && let Some(info) = self.table.read(pid)
                {
                    self.table.insert(info);
                }
            }
        }
    }
}

/// Whether an exec whose task is in the cgroup `names` (parent and leaf) runs in another
/// container than the process it replaces was known in: the runtime's init process (forked on
/// the host by runc or conmon) changes root and directory before it execs the container's
/// command, so the directory it inherited says nothing of the new image's.
fn entered_container(prev: &ProcInfo, names: Option<&(String, String)>) -> bool {
    let Some(now) = names.and_then(|(p, l)| container::parse_cgroup_path(&format!("{p}/{l}")))
    else {
        return false;
    };
    // Only a process known to have been in this very container passes its directory on.
    !matches!(&prev.container, Some(Some(before)) if before.id == now.id)
}

/// The name of `uid` in a passwd file (`name:x:uid:gid:…`).
fn passwd_name(text: &str, uid: u32) -> Option<String> {
    text.lines().find_map(|line| {
        let mut f = line.split(':');
        let name = f.next()?;
        let id = f.nth(1)?;
        (id.parse::<u32>().ok()? == uid && !name.is_empty()).then(|| name.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::{RecordBuilder, kind};
    use crate::event::{Syscall, decode};

    fn enricher() -> Enricher {
        Enricher::new(EnrichConfig {
            metadata_sources: Vec::new(),
            self_pid: u32::MAX,
            ..EnrichConfig::default()
        })
    }

    const ID: &str = "74c040c4e7d19bb459446c7b36810a7e1243c4e43d998bbca191402c9b4b0056";

    /// A container's first process is forked on the host (by runc or conmon) and changes
    /// directory before it execs: when its own cwd cannot be read any more, the host
    /// directory it was forked in is not passed off as its cwd; within a container, a child's
    /// exec keeps the directory its parent had.
    #[test]
    fn a_cwd_crosses_no_container_boundary() {
        let mut en = enricher();
        let (runtime, entry, child) = (4_000_101, 4_000_102, 4_000_103);
        en.table.insert(ProcInfo {
            pid: runtime,
            ppid: 1,
            name: "conmon".into(),
            cwd: Some("/var/lib/containers/storage/overlay-containers/x/userdata".into()),
            container: Some(None),
            ..ProcInfo::default()
        });
        let fork = |parent: u32, pid: u32, leaf: &str| {
            RecordBuilder::new(kind::FORK)
                .process(parent, parent, 1)
                .arg(0, pid.into())
                .cgroup("libpod_parent", leaf)
                .build()
        };
        let exec = |pid: u32, ppid: u32, name: &str| {
            RecordBuilder::new(kind::EXEC)
                .process(pid, pid, ppid)
                .comm(name)
                .path(0, &format!("/bin/{name}"))
                .argv(&[name])
                .cgroup("libpod_parent", &format!("libpod-{ID}"))
                .build()
        };
        let run = |en: &mut Enricher, record: Vec<u8>| {
            let (ev, p) = decode(&record, 0).unwrap();
            en.enrich(ev, p)
        };
        run(&mut en, fork(runtime, entry, "host"));
        let sh = run(&mut en, exec(entry, runtime, "sh")).unwrap();
        assert_eq!(sh.container.as_ref().unwrap().id, &ID[..12]);
        assert_eq!(sh.proc.cwd, None, "{:?}", sh.proc);

        // The shell's directory, as a read of /proc would have found it, goes to its child.
        let mut known = (**en.table.get(entry).unwrap()).clone();
        known.cwd = Some("/app".into());
        en.table.insert(known);
        run(&mut en, fork(entry, child, &format!("libpod-{ID}")));
        let cat = run(&mut en, exec(child, entry, "cat")).unwrap();
        assert_eq!(cat.proc.cwd.as_deref(), Some("/app"));
    }

    #[test]
    fn fork_then_exec_then_open_builds_the_process_and_its_container() {
        let mut en = enricher();
        // pids far beyond pid_max, so /proc knows none of them.
        let (parent, child) = (4_000_001, 4_000_002);
        let leaf = format!("libpod-{ID}");
        let exec = |pid, ppid, path: &str, argv: &[&str]| {
            RecordBuilder::new(kind::EXEC)
                .process(pid, pid, ppid)
                .comm(path.rsplit('/').next().unwrap())
                .path(0, path)
                .argv(argv)
                .cgroup("libpod_parent", &leaf)
                .build()
        };
        let b = exec(parent, 1, "/usr/bin/bash", &["bash"]);
        let (ev, p) = decode(&b, 0).unwrap();
        let ev = en.enrich(ev, p).unwrap();
        assert_eq!(ev.container.as_ref().unwrap().id, &ID[..12]);
        assert_eq!(ev.missing, ["container_metadata"]);

        let b = RecordBuilder::new(kind::FORK)
            .process(parent, parent, 1)
            .arg(0, child.into())
            .build();
        let (ev, p) = decode(&b, 0).unwrap();
        en.enrich(ev, p).unwrap();

        let b = exec(child, parent, "/usr/bin/cat", &["cat", "/etc/shadow"]);
        let (ev, p) = decode(&b, 0).unwrap();
        let ev = en.enrich(ev, p).unwrap();
        assert_eq!(ev.proc.pname.as_deref(), Some("bash"));
        assert_eq!(ev.proc.ancestors[0].pid, parent);
        assert_eq!(
            ev.proc.ancestors[0].exepath.as_deref(),
            Some("/usr/bin/bash")
        );

        let b = RecordBuilder::new(kind::SYSCALL)
            .syscall(Syscall::Openat.code())
            .process(child, child, parent)
            .comm("cat")
            .arg(0, (-100i64) as u64)
            .path(0, "/etc/shadow")
            .cgroup("libpod_parent", &leaf)
            .build();
        let (ev, p) = decode(&b, 0).unwrap();
        let ev = en.enrich(ev, p).unwrap();
        assert_eq!(ev.fd.as_ref().unwrap().name, "/etc/shadow");
        assert_eq!(ev.proc.exepath.as_deref(), Some("/usr/bin/cat"));
        assert_eq!(ev.proc.args, ["/etc/shadow"]);
        let s = en.stats();
        assert!(s.containers.hits >= 1, "{s:?}");
        assert!(s.cgroup_misses >= 1, "{s:?}");
    }

    #[test]
    fn relative_path_without_cwd_is_incomplete() {
        let mut en = enricher();
        let b = RecordBuilder::new(kind::SYSCALL)
            .syscall(Syscall::Openat.code())
            .process(4_000_010, 4_000_010, 1)
            .arg(0, (-100i64) as u64)
            .path(0, "notes.txt")
            .build();
        let (ev, p) = decode(&b, 0).unwrap();
        let ev = en.enrich(ev, p).unwrap();
        assert!(ev.context_incomplete);
        assert!(ev.missing.contains(&"cwd"));
        assert!(ev.missing.contains(&"container"));
        assert_eq!(ev.fd.unwrap().name, "notes.txt");
    }

    #[test]
    fn relative_path_of_a_live_process_resolves_against_its_cwd() {
        let mut en = enricher();
        let me = std::process::id();
        let b = RecordBuilder::new(kind::SYSCALL)
            .syscall(Syscall::Openat.code())
            .process(me, me, 1)
            .arg(0, (-100i64) as u64)
            .path(0, "Cargo.toml")
            .build();
        let (ev, p) = decode(&b, 0).unwrap();
        let ev = en.enrich(ev, p).unwrap();
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            ev.fd.unwrap().name,
            cwd.join("Cargo.toml").to_string_lossy()
        );
    }

    #[test]
    fn user_names_come_from_the_processs_own_passwd_and_are_cached() {
        let root = tempfile::tempdir().unwrap();
        let etc = root.path().join("4000200/root/etc");
        std::fs::create_dir_all(&etc).unwrap();
        std::fs::write(
            etc.join("passwd"),
            "root:x:0:0:root:/root:/bin/bash\nbroken\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n",
        )
        .unwrap();
        let mut en = Enricher::new(EnrichConfig {
            metadata_sources: Vec::new(),
            self_pid: u32::MAX,
            proc_root: root.path().to_path_buf(),
            ..EnrichConfig::default()
        });
        let open = |uid| {
            let b = RecordBuilder::new(kind::SYSCALL)
                .syscall(Syscall::Openat.code())
                .process(4_000_200, 4_000_200, 1)
                .ids(uid, uid)
                .arg(0, (-100i64) as u64)
                .path(0, "/etc/hosts")
                .build();
            decode(&b, 0).unwrap()
        };
        let (ev, p) = open(33);
        assert_eq!(
            en.enrich(ev, p).unwrap().proc.user.as_deref(),
            Some("www-data")
        );
        let (ev, p) = open(33);
        assert_eq!(
            en.enrich(ev, p).unwrap().proc.user.as_deref(),
            Some("www-data")
        );
        let (ev, p) = open(1000);
        assert_eq!(en.enrich(ev, p).unwrap().proc.user, None);
        assert_eq!(en.stats().user_lookups, 2);
        // A process whose root cannot be read: asked again at each event.
        for _ in 0..3 {
            let b = RecordBuilder::new(kind::EXEC)
                .process(4_000_201, 4_000_201, 1)
                .path(0, "/bin/true")
                .build();
            let (ev, p) = decode(&b, 0).unwrap();
            assert_eq!(en.enrich(ev, p).unwrap().proc.user, None);
        }
        assert_eq!(en.stats().user_lookups, 5);
        assert_eq!(
            passwd_name("root:x:0:0::/:/bin/sh", 0).as_deref(),
            Some("root")
        );
        assert_eq!(passwd_name("::0:0", 0), None);
    }

    #[test]
    fn own_children_are_dropped() {
        let mut en = Enricher::new(EnrichConfig {
            metadata_sources: Vec::new(),
            self_pid: 4_000_100,
            ..EnrichConfig::default()
        });
        let b = RecordBuilder::new(kind::EXEC)
            .process(4_000_101, 4_000_101, 4_000_100)
            .path(0, "/usr/bin/podman")
            .build();
        let (ev, p) = decode(&b, 0).unwrap();
        assert!(en.enrich(ev, p).is_none());
        assert_eq!(en.stats().own_children, 1);
    }
}
