//! The cgroup filesystem: which layout a host has (v1, v2 or hybrid), which cgroups are
//! containers, and the CPU, memory and limit counters of each.
//!
//! | layout | how it is recognised | CPU | memory | limit |
//! |---|---|---|---|---|
//! | v2 | `cgroup.controllers` at the root | `cpu.stat` `usage_usec` | `memory.current`, `memory.stat` `inactive_file` | `cpu.max`, `memory.max` |
//! | v1 | `memory`/`cpuacct` (or `cpu,cpuacct`) directories | `cpuacct.usage` (ns), else `cpuacct.stat` ticks | `memory.usage_in_bytes`, `memory.stat` `total_inactive_file` | `cpu.cfs_quota_us`/`cpu.cfs_period_us`, `memory.limit_in_bytes` |
//! | hybrid | v1 plus a cgroup2 at `unified` | v1, else `unified/…/cpu.stat` | v1 | v1 |
//!
//! Containers are found by walking each hierarchy and naming every directory with
//! [`crate::container::parse_cgroup_path`], the same parser the event pipeline uses. The
//! shallowest directory naming an id is the container's cgroup (runtimes nest their own, e.g.
//! podman's `libpod-<id>.scope/container`, whose counters the parent's include). The walk is
//! bounded in depth and in directories visited.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::container::{self, ContainerRef};

/// How deep the walk goes below a hierarchy's root (kubepods nests four or five levels).
const MAX_DEPTH: usize = 10;
/// Directories visited per hierarchy at most.
const MAX_DIRS: usize = 200_000;

/// The cgroup layout of a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One unified (cgroup2) hierarchy.
    V2,
    /// One hierarchy per controller.
    V1,
    /// v1 controllers and a cgroup2 hierarchy (at `unified`) without controllers.
    Hybrid,
}

/// The cgroup filesystem of a host, with the hierarchies it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupFs {
    /// The layout.
    pub layout: Layout,
    /// cgroup2: the root (v2) or `unified` (hybrid).
    pub unified: Option<PathBuf>,
    /// v1 CPU accounting (`cpuacct` or `cpu,cpuacct`).
    pub cpuacct: Option<PathBuf>,
    /// v1 CPU bandwidth (`cpu` or `cpu,cpuacct`).
    pub cpu: Option<PathBuf>,
    /// v1 memory.
    pub memory: Option<PathBuf>,
}

/// The standard mount point.
pub const CGROUP_ROOT: &str = "/sys/fs/cgroup";

/// The cgroups of one container, per hierarchy (v1 controllers may place it differently).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerCgroups {
    /// The container the path names.
    pub container: ContainerRef,
    /// Its path relative to the hierarchy root, as found first (for messages).
    pub path: String,
    /// cgroup2 directory.
    pub unified: Option<PathBuf>,
    /// v1 cpuacct directory.
    pub cpuacct: Option<PathBuf>,
    /// v1 cpu directory.
    pub cpu: Option<PathBuf>,
    /// v1 memory directory.
    pub memory: Option<PathBuf>,
}

/// One reading of a container's counters. Every field is `None` where the file is absent or
/// unreadable (the container may have ended between the walk and the read).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counters {
    /// Cumulative CPU time, nanoseconds.
    pub cpu_usage_ns: Option<u64>,
    /// Cumulative time throttled by the CPU limit, nanoseconds.
    pub cpu_throttled_ns: Option<u64>,
    /// The CPU limit in millicores (quota / period); `None` when unlimited.
    pub cpu_limit_millicores: Option<u64>,
    /// Memory charged to the cgroup, bytes (page cache included).
    pub memory_bytes: Option<u64>,
    /// The working set: usage less inactive file pages (what the kubelet evicts on).
    pub memory_working_set_bytes: Option<u64>,
    /// The memory limit, bytes; `None` when unlimited.
    pub memory_limit_bytes: Option<u64>,
}

fn exists(p: &Path) -> bool {
    p.exists()
}

impl CgroupFs {
    /// Recognises the layout under `root` (normally [`CGROUP_ROOT`]); `None` when there are no
    /// cgroups there.
    pub fn detect(root: &Path) -> Option<CgroupFs> {
        if exists(&root.join("cgroup.controllers")) {
            return Some(CgroupFs {
                layout: Layout::V2,
                unified: Some(root.to_path_buf()),
                cpuacct: None,
                cpu: None,
                memory: None,
            });
        }
        let dir = |names: &[&str], file: &str| {
            names
                .iter()
                .map(|n| root.join(n))
                .find(|p| exists(&p.join(file)))
        };
        let cpuacct = dir(&["cpuacct", "cpu,cpuacct", "cpuacct,cpu"], "cpuacct.usage")
            .or_else(|| dir(&["cpuacct", "cpu,cpuacct", "cpuacct,cpu"], "cpuacct.stat"));
        let cpu = dir(&["cpu", "cpu,cpuacct", "cpuacct,cpu"], "cpu.cfs_quota_us");
        let memory = dir(&["memory"], "memory.usage_in_bytes");
        if cpuacct.is_none() && cpu.is_none() && memory.is_none() {
            return None;
        }
        let unified = Some(root.join("unified")).filter(|u| exists(&u.join("cgroup.procs")));
        Some(CgroupFs {
            layout: if unified.is_some() {
                Layout::Hybrid
            } else {
                Layout::V1
            },
            unified,
            cpuacct,
            cpu,
            memory,
        })
    }

    /// The hierarchies to walk, each with a setter of its slot in [`ContainerCgroups`].
    fn hierarchies(&self) -> Vec<(&Path, Slot)> {
        let mut out = Vec::new();
        for (p, slot) in [
            (&self.unified, Slot::Unified),
            (&self.cpuacct, Slot::Cpuacct),
            (&self.cpu, Slot::Cpu),
            (&self.memory, Slot::Memory),
        ] {
            if let Some(p) = p {
                out.push((p.as_path(), slot));
            }
        }
        out
    }

    /// Every container cgroup on the host, by full container id, in a stable order.
    pub fn discover(&self) -> Vec<ContainerCgroups> {
        let mut by_id: HashMap<String, ContainerCgroups> = HashMap::new();
        let mut order = Vec::new();
        for (root, slot) in self.hierarchies() {
            for (rel, dir, r) in walk(root) {
                let entry = by_id.entry(r.id.clone()).or_insert_with(|| {
                    order.push(r.id.clone());
                    ContainerCgroups {
                        container: r,
                        path: rel,
                        unified: None,
                        cpuacct: None,
                        cpu: None,
                        memory: None,
                    }
                });
                let target = match slot {
                    Slot::Unified => &mut entry.unified,
                    Slot::Cpuacct => &mut entry.cpuacct,
                    Slot::Cpu => &mut entry.cpu,
                    Slot::Memory => &mut entry.memory,
                };
                if target.is_none() {
                    *target = Some(dir);
                }
            }
        }
        order
            .into_iter()
            .filter_map(|id| by_id.remove(&id))
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Unified,
    Cpuacct,
    Cpu,
    Memory,
}

/// Breadth-first walk of one hierarchy: (relative path, directory, container) of the
/// shallowest directory naming each container. Container directories are not descended into.
fn walk(root: &Path) -> Vec<(String, PathBuf, ContainerRef)> {
    let mut out = Vec::new();
    let mut queue = std::collections::VecDeque::from([(root.to_path_buf(), String::new(), 0)]);
    let mut visited = 0usize;
    while let Some((dir, rel, depth)) = queue.pop_front() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            if visited >= MAX_DIRS {
                tracing::warn!(
                    "cgroup walk of {} stopped after {MAX_DIRS} directories",
                    root.display()
                );
                return out;
            }
            if !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            visited += 1;
            let Some(name) = e.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let child_rel = format!("{rel}/{name}");
            if let Some(r) = container::parse_cgroup_path(&child_rel) {
                out.push((child_rel, e.path(), r));
            } else if depth + 1 < MAX_DEPTH {
                queue.push_back((e.path(), child_rel, depth + 1));
            }
        }
    }
    out
}

fn read_u64(p: &Path) -> Option<u64> {
    std::fs::read_to_string(p).ok()?.trim().parse().ok()
}

/// A `key value` line of a flat-keyed file (`cpu.stat`, `memory.stat`).
pub fn flat_key(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let mut it = l.split_whitespace();
        (it.next()? == key).then(|| it.next()?.parse().ok())?
    })
}

/// v2 `cpu.max`: `max 100000` or `<quota> <period>`, in millicores; `None` when unlimited.
pub fn parse_cpu_max(text: &str) -> Option<u64> {
    let mut it = text.split_whitespace();
    let quota: u64 = it.next()?.parse().ok()?;
    let period: u64 = it.next().and_then(|p| p.parse().ok()).unwrap_or(100_000);
    millicores(quota, period)
}

fn millicores(quota: u64, period: u64) -> Option<u64> {
    (period > 0).then(|| quota.saturating_mul(1000) / period)
}

/// v1 limits above this are "unlimited" (the kernel writes `PAGE_COUNTER_MAX * PAGE_SIZE`,
/// 0x7FFFFFFFFFFFF000 on 64-bit).
const V1_UNLIMITED: u64 = 1 << 62;

/// `USER_HZ`: `cpuacct.stat` counts in these ticks; 100 on every Linux ABI Harrier runs on.
const USER_HZ: u64 = 100;

/// Reads the counters of one container.
pub fn read_counters(c: &ContainerCgroups) -> Counters {
    let mut out = Counters::default();
    let unified_stat = c
        .unified
        .as_ref()
        .and_then(|d| std::fs::read_to_string(d.join("cpu.stat")).ok());
    // CPU usage: v1 cpuacct first (hybrid hosts have it; their cgroup2 has no controllers,
    // though cpu.stat's usage_usec is still kept there), then cgroup2.
    if let Some(d) = &c.cpuacct {
        out.cpu_usage_ns = read_u64(&d.join("cpuacct.usage")).or_else(|| {
            let stat = std::fs::read_to_string(d.join("cpuacct.stat")).ok()?;
            let ticks = flat_key(&stat, "user")?.saturating_add(flat_key(&stat, "system")?);
            Some(ticks.saturating_mul(1_000_000_000 / USER_HZ))
        });
    }
    if out.cpu_usage_ns.is_none() {
        out.cpu_usage_ns = unified_stat
            .as_deref()
            .and_then(|s| flat_key(s, "usage_usec"))
            .map(|u| u.saturating_mul(1000));
    }
    // Limits and throttling: v1 cpu controller, else cgroup2 (v2 only: a hybrid host's
    // cgroup2 has no cpu.max).
    if let Some(d) = &c.cpu {
        let quota = std::fs::read_to_string(d.join("cpu.cfs_quota_us"))
            .ok()
            .and_then(|q| q.trim().parse::<i64>().ok());
        let period = read_u64(&d.join("cpu.cfs_period_us"));
        if let (Some(q), Some(p)) = (quota, period)
            && let Ok(q) = u64::try_from(q)
        {
            out.cpu_limit_millicores = millicores(q, p);
        }
        out.cpu_throttled_ns = std::fs::read_to_string(d.join("cpu.stat"))
            .ok()
            .and_then(|s| flat_key(&s, "throttled_time"));
    } else if let Some(d) = &c.unified {
        out.cpu_limit_millicores = std::fs::read_to_string(d.join("cpu.max"))
            .ok()
            .and_then(|s| parse_cpu_max(&s));
        out.cpu_throttled_ns = unified_stat
            .as_deref()
            .and_then(|s| flat_key(s, "throttled_usec"))
            .map(|u| u.saturating_mul(1000));
    }
    // Memory: v1 memory controller, else cgroup2.
    if let Some(d) = &c.memory {
        out.memory_bytes = read_u64(&d.join("memory.usage_in_bytes"));
        out.memory_limit_bytes =
            read_u64(&d.join("memory.limit_in_bytes")).filter(|l| *l < V1_UNLIMITED);
        let inactive = std::fs::read_to_string(d.join("memory.stat"))
            .ok()
            .and_then(|s| flat_key(&s, "total_inactive_file"));
        out.memory_working_set_bytes = out
            .memory_bytes
            .map(|u| u.saturating_sub(inactive.unwrap_or(0)));
    } else if let Some(d) = &c.unified {
        out.memory_bytes = read_u64(&d.join("memory.current"));
        out.memory_limit_bytes = read_u64(&d.join("memory.max"));
        let inactive = std::fs::read_to_string(d.join("memory.stat"))
            .ok()
            .and_then(|s| flat_key(&s, "inactive_file"));
        out.memory_working_set_bytes = out
            .memory_bytes
            .map(|u| u.saturating_sub(inactive.unwrap_or(0)));
    }
    out
}

/// A process of the container (for its network namespace): the first pid in `cgroup.procs`
/// of its cgroup or, where the runtime nests one (podman's `…/container`), of a child.
pub fn a_pid(c: &ContainerCgroups) -> Option<u32> {
    let dirs = [&c.unified, &c.memory, &c.cpuacct, &c.cpu];
    for d in dirs.into_iter().flatten() {
        if let Some(p) = first_pid(d, 3) {
            return Some(p);
        }
    }
    None
}

fn first_pid(dir: &Path, depth: usize) -> Option<u32> {
    if let Ok(text) = std::fs::read_to_string(dir.join("cgroup.procs"))
        && let Some(p) = text.lines().find_map(|l| l.trim().parse().ok())
    {
        return Some(p);
    }
    if depth == 0 {
        return None;
    }
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .find_map(|e| first_pid(&e.path(), depth - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::Runtime;

    const ID: &str = "74c040c4e7d19bb459446c7b36810a7e1243c4e43d998bbca191402c9b4b0056";
    const ID2: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// A pure v2 host with a containerd (systemd driver) pod container and a podman one whose
    /// processes sit in a nested `container` cgroup.
    fn v2_tree(root: &Path) {
        write(root, "cgroup.controllers", "cpuset cpu io memory pids\n");
        write(root, "cgroup.procs", "1\n");
        let uid = "3d0a7e3f_25d3_4b6b_9c49_0bd5a8a0f3f1";
        let k = format!(
            "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{uid}.slice/cri-containerd-{ID}.scope"
        );
        write(
            root,
            &format!("{k}/cpu.stat"),
            "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\nnr_periods 10\nnr_throttled 2\nthrottled_usec 1500\n",
        );
        write(root, &format!("{k}/cpu.max"), "50000 100000\n");
        write(root, &format!("{k}/memory.current"), "104857600\n");
        write(root, &format!("{k}/memory.max"), "268435456\n");
        write(
            root,
            &format!("{k}/memory.stat"),
            "anon 50000000\nfile 54857600\ninactive_file 4857600\n",
        );
        write(root, &format!("{k}/cgroup.procs"), "4242\n");
        let p = format!("machine.slice/libpod-{ID2}.scope");
        write(root, &format!("{p}/cpu.stat"), "usage_usec 7\n");
        write(root, &format!("{p}/cpu.max"), "max 100000\n");
        write(root, &format!("{p}/memory.current"), "4096\n");
        write(root, &format!("{p}/memory.max"), "max\n");
        write(root, &format!("{p}/cgroup.procs"), "");
        write(root, &format!("{p}/container/cgroup.procs"), "777\n");
        write(root, &format!("{p}/container/cpu.stat"), "usage_usec 5\n");
        // The monitor of the podman container is not a container.
        write(
            root,
            &format!("machine.slice/libpod-conmon-{ID2}.scope/cgroup.procs"),
            "776\n",
        );
    }

    #[test]
    fn v2_layout_containerd_and_podman() {
        let dir = tempfile::tempdir().unwrap();
        v2_tree(dir.path());
        let fs = CgroupFs::detect(dir.path()).unwrap();
        assert_eq!(fs.layout, Layout::V2);
        let mut found = fs.discover();
        found.sort_by(|a, b| a.container.id.cmp(&b.container.id));
        assert_eq!(found.len(), 2, "{found:?}");
        let podman = &found[0];
        assert_eq!(podman.container.id, ID2);
        assert_eq!(podman.container.runtime, Runtime::Podman);
        // The outer scope, not the nested `container` cgroup.
        assert!(podman.path.ends_with(".scope"), "{}", podman.path);
        let c = read_counters(podman);
        assert_eq!(c.cpu_usage_ns, Some(7_000));
        assert_eq!(c.cpu_limit_millicores, None);
        assert_eq!(c.memory_limit_bytes, None);
        assert_eq!(a_pid(podman), Some(777));

        let cri = &found[1];
        assert_eq!(cri.container.runtime, Runtime::Containerd);
        assert_eq!(
            cri.container.pod_uid.as_deref(),
            Some("3d0a7e3f-25d3-4b6b-9c49-0bd5a8a0f3f1")
        );
        let c = read_counters(cri);
        assert_eq!(
            c,
            Counters {
                cpu_usage_ns: Some(2_500_000_000),
                cpu_throttled_ns: Some(1_500_000),
                cpu_limit_millicores: Some(500),
                memory_bytes: Some(104_857_600),
                memory_working_set_bytes: Some(100_000_000),
                memory_limit_bytes: Some(268_435_456),
            }
        );
        assert_eq!(a_pid(cri), Some(4242));
    }

    /// A v1 host (docker with the cgroupfs driver, CRI-O under kubepods) with `cpu,cpuacct`
    /// combined, as most v1 distributions mount it.
    #[test]
    fn v1_layout_docker_and_crio() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for ctl in ["cpu,cpuacct", "memory"] {
            write(root, &format!("{ctl}/cgroup.procs"), "1\n");
        }
        write(root, "cpu,cpuacct/cpuacct.usage", "1\n");
        write(root, "cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
        write(root, "memory/memory.usage_in_bytes", "1\n");
        let d = format!("docker/{ID}");
        write(
            root,
            &format!("cpu,cpuacct/{d}/cpuacct.usage"),
            "3000000000\n",
        );
        write(root, &format!("cpu,cpuacct/{d}/cpu.cfs_quota_us"), "-1\n");
        write(
            root,
            &format!("cpu,cpuacct/{d}/cpu.cfs_period_us"),
            "100000\n",
        );
        write(
            root,
            &format!("cpu,cpuacct/{d}/cpu.stat"),
            "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n",
        );
        write(
            root,
            &format!("memory/{d}/memory.usage_in_bytes"),
            "2097152\n",
        );
        write(
            root,
            &format!("memory/{d}/memory.limit_in_bytes"),
            "9223372036854771712\n",
        );
        write(
            root,
            &format!("memory/{d}/memory.stat"),
            "cache 0\ntotal_inactive_file 1048576\n",
        );
        let uid = "3d0a7e3f-25d3-4b6b-9c49-0bd5a8a0f3f1";
        let k = format!("kubepods/burstable/pod{uid}/crio-{ID2}");
        // Only cpuacct.stat (ticks), as some kernels without cpuacct.usage... and a quota.
        write(
            root,
            &format!("cpu,cpuacct/{k}/cpuacct.stat"),
            "user 150\nsystem 50\n",
        );
        write(
            root,
            &format!("cpu,cpuacct/{k}/cpu.cfs_quota_us"),
            "200000\n",
        );
        write(
            root,
            &format!("cpu,cpuacct/{k}/cpu.cfs_period_us"),
            "100000\n",
        );
        write(root, &format!("memory/{k}/memory.usage_in_bytes"), "1000\n");
        write(
            root,
            &format!("memory/{k}/memory.limit_in_bytes"),
            "536870912\n",
        );

        let fs = CgroupFs::detect(root).unwrap();
        assert_eq!(fs.layout, Layout::V1);
        assert_eq!(fs.cpu, fs.cpuacct);
        let found = fs.discover();
        assert_eq!(found.len(), 2);
        let docker = found.iter().find(|c| c.container.id == ID).unwrap();
        assert_eq!(docker.container.runtime, Runtime::Docker);
        let c = read_counters(docker);
        assert_eq!(c.cpu_usage_ns, Some(3_000_000_000));
        assert_eq!(c.cpu_limit_millicores, None);
        assert_eq!(c.cpu_throttled_ns, Some(0));
        assert_eq!(c.memory_bytes, Some(2_097_152));
        assert_eq!(c.memory_working_set_bytes, Some(1_048_576));
        assert_eq!(c.memory_limit_bytes, None);
        let crio = found.iter().find(|c| c.container.id == ID2).unwrap();
        assert_eq!(crio.container.runtime, Runtime::CriO);
        let c = read_counters(crio);
        assert_eq!(c.cpu_usage_ns, Some(2_000_000_000));
        assert_eq!(c.cpu_limit_millicores, Some(2000));
        assert_eq!(c.memory_limit_bytes, Some(536_870_912));
    }

    /// This project's machines: v1 controllers in separate directories and a cgroup2 at
    /// `unified` holding cpu.stat only; podman with the cgroupfs driver.
    #[test]
    fn hybrid_layout_podman() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "cpu/cpu.cfs_quota_us", "-1\n");
        write(root, "cpuacct/cpuacct.usage", "1\n");
        write(root, "memory/memory.usage_in_bytes", "1\n");
        write(root, "unified/cgroup.procs", "1\n");
        let p = format!("libpod_parent/libpod-{ID}");
        write(root, &format!("cpu/{p}/cpu.cfs_quota_us"), "150000\n");
        write(root, &format!("cpu/{p}/cpu.cfs_period_us"), "100000\n");
        // cpuacct lacks the container (a controller not joined): cgroup2's cpu.stat is used.
        write(root, &format!("memory/{p}/memory.usage_in_bytes"), "8192\n");
        write(
            root,
            &format!("memory/{p}/memory.limit_in_bytes"),
            "9223372036854771712\n",
        );
        write(root, &format!("unified/{p}/cpu.stat"), "usage_usec 1234\n");
        write(root, &format!("unified/{p}/cgroup.procs"), "99\n");
        let fs = CgroupFs::detect(root).unwrap();
        assert_eq!(fs.layout, Layout::Hybrid);
        let found = fs.discover();
        assert_eq!(found.len(), 1);
        let c = &found[0];
        assert!(c.cpuacct.is_none() && c.cpu.is_some() && c.unified.is_some());
        let n = read_counters(c);
        assert_eq!(n.cpu_usage_ns, Some(1_234_000));
        assert_eq!(n.cpu_limit_millicores, Some(1500));
        assert_eq!(n.memory_bytes, Some(8192));
        assert_eq!(n.memory_working_set_bytes, Some(8192));
        assert_eq!(a_pid(c), Some(99));
    }

    #[test]
    fn no_cgroups_and_odd_files() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(CgroupFs::detect(dir.path()), None);
        assert_eq!(parse_cpu_max("max 100000"), None);
        assert_eq!(parse_cpu_max("250000 100000"), Some(2500));
        assert_eq!(parse_cpu_max("100000 0"), None);
        assert_eq!(parse_cpu_max("garbage"), None);
        assert_eq!(flat_key("usage_usec x\n", "usage_usec"), None);
        assert_eq!(flat_key("a 1\nusage_usec 9\n", "usage_usec"), Some(9));
        // A container whose files vanished reads as all-missing, without error.
        let gone = ContainerCgroups {
            container: ContainerRef {
                id: ID.into(),
                runtime: Runtime::Docker,
                pod_uid: None,
            },
            path: String::new(),
            unified: Some(dir.path().join("gone")),
            cpuacct: None,
            cpu: None,
            memory: None,
        };
        assert_eq!(read_counters(&gone), Counters::default());
        assert_eq!(a_pid(&gone), None);
    }
}
