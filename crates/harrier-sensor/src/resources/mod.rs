//! Pod-level resource signals: per-container CPU, memory and TCP connections sampled from the
//! cgroup tree and `/proc`, kept as a bounded time series, and judged by an anomaly detector
//! per workload that raises [`Signal`]s (`cpu_saturation`, `memory_growth`).
//!
//! [`ResourceMonitor::sample`] does one sweep: it walks the cgroup hierarchies for containers
//! ([`cgroup`], with the container-id parser of [`crate::container`]), reads each one's
//! counters, turns counter deltas into rates, reads the TCP sockets of one of its processes'
//! network namespace ([`net`]), and hands each sample to the [`detect::Detector`]. A container
//! whose cgroup is gone is forgotten (its workload's baseline stays).
//!
//! It leaves out the rule engine: signals are plain values; the binary turns them into
//! `container_resource_signal` events for `harrier-runtime` (see docs/resource-signals.md).
//!
//! Shape: a synchronous sampler the caller drives, on whichever thread it likes
//! ([`ResourceMonitor::run`] is the loop with a stop flag), because a sweep is a few hundred
//! small file reads and has no reason to share the event pipeline's queue.
//!
//! ```no_run
//! use harrier_sensor::resources::{ResourceConfig, ResourceMonitor};
//! let mut monitor = ResourceMonitor::new(ResourceConfig::default())?;
//! let report = monitor.sample();
//! for s in &report.samples {
//!     println!("{} {:?} cores", s.container.id, s.cpu_cores);
//! }
//! # Ok::<(), harrier_sensor::resources::ResourceError>(())
//! ```

pub mod cgroup;
pub mod detect;
pub mod net;
pub mod series;

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::container::{ContainerCache, MetadataSource};
use crate::event::Container;
pub use cgroup::{CgroupFs, ContainerCgroups, Counters, Layout};
pub use detect::{Detector, DetectorConfig, Signal, SignalName};
pub use net::NetSummary;
pub use series::Series;

/// Settings of the monitor.
#[derive(Debug, Clone)]
pub struct ResourceConfig {
    /// Where the cgroup filesystem is mounted.
    pub cgroup_root: PathBuf,
    /// The proc filesystem.
    pub proc_root: PathBuf,
    /// Time between sweeps (for [`ResourceMonitor::run`]).
    pub interval: Duration,
    /// Samples kept per container.
    pub history: NonZeroUsize,
    /// Containers tracked at most; past it, new ones are not (and counted).
    pub max_containers: NonZeroUsize,
    /// Read TCP connections.
    pub connections: bool,
    /// Outbound destinations kept per sample.
    pub max_destinations: usize,
    /// Where container metadata is asked.
    pub metadata_sources: Vec<MetadataSource>,
    /// The detector.
    pub detector: DetectorConfig,
}

impl Default for ResourceConfig {
    fn default() -> Self {
        ResourceConfig {
            cgroup_root: cgroup::CGROUP_ROOT.into(),
            proc_root: crate::procs::PROC.into(),
            interval: Duration::from_secs(10),
            history: NonZeroUsize::new(360).unwrap_or(NonZeroUsize::MIN),
            max_containers: NonZeroUsize::new(4096).unwrap_or(NonZeroUsize::MIN),
            connections: true,
            max_destinations: 16,
            metadata_sources: MetadataSource::discover(),
            detector: DetectorConfig::default(),
        }
    }
}

/// The monitor could not start.
#[derive(Debug, thiserror::Error)]
pub enum ResourceError {
    /// No cgroup hierarchy with CPU or memory accounting was found.
    #[error("no cgroup v1 or v2 hierarchy with cpu or memory accounting under `{}`", root.display())]
    NoCgroups {
        /// Where it looked.
        root: PathBuf,
    },
}

/// One sample of one container.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// Wall-clock time, nanoseconds since the epoch.
    pub time_ns: i64,
    /// The container (`container.*` and pod context, as in sensor events).
    pub container: Arc<Container>,
    /// The workload key the detector used.
    pub workload: String,
    /// The container's cgroup, relative to its hierarchy.
    pub cgroup: String,
    /// The interval the rates cover (absent on a container's first sample).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_ns: Option<u64>,
    /// CPU used over the interval, cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_cores: Option<f64>,
    /// The CPU limit, cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_limit_cores: Option<f64>,
    /// Share of the interval the container was throttled by its limit (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_throttled: Option<f64>,
    /// Memory charged, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_bytes: Option<u64>,
    /// Working set, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_working_set_bytes: Option<u64>,
    /// Memory limit, bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_limit_bytes: Option<u64>,
    /// TCP connections of its network namespace (shared by the pod).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net: Option<NetSummary>,
}

/// What the series keeps per sample: the numbers, without the context.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    /// Wall-clock time, nanoseconds since the epoch.
    pub time_ns: i64,
    /// CPU used, cores.
    pub cpu_cores: Option<f64>,
    /// Working set, bytes.
    pub memory_working_set_bytes: Option<u64>,
    /// Established connections.
    pub connections: Option<u32>,
}

/// The result of one sweep.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// One sample per container found.
    pub samples: Vec<Sample>,
    /// Signals raised by this sweep.
    pub signals: Vec<Signal>,
    /// Full ids of containers whose cgroup disappeared since the last sweep.
    pub ended: Vec<String>,
}

/// Counters of the monitor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ResourceStats {
    /// Sweeps done.
    pub sweeps: u64,
    /// Samples taken.
    pub samples: u64,
    /// Containers tracked now.
    pub containers: u64,
    /// Containers not tracked because `max_containers` was reached.
    pub containers_dropped: u64,
    /// Containers that ended.
    pub containers_ended: u64,
    /// The detector's counters.
    pub detector: detect::DetectorStats,
}

struct Tracked {
    cgroups: ContainerCgroups,
    container: Arc<Container>,
    complete: bool,
    workload: String,
    new_container: bool,
    last: Option<(Duration, Counters)>,
    series: Series<Point>,
    sweep: u64,
}

/// The sampler: containers found, their series, and the detector.
pub struct ResourceMonitor {
    cfg: ResourceConfig,
    fs: CgroupFs,
    cache: ContainerCache,
    detector: Detector,
    tracked: HashMap<String, Tracked>,
    origin: Instant,
    stats: ResourceStats,
}

impl std::fmt::Debug for ResourceMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceMonitor")
            .field("fs", &self.fs)
            .field("containers", &self.tracked.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// The Kubernetes random-suffix alphabet (`k8s.io/apimachinery/pkg/util/rand`): generated pod
/// name suffixes and ReplicaSet hashes use only these.
const K8S_ALPHABET: &str = "bcdfghjklmnpqrstvwxz2456789";

fn is_generated(seg: &str, lens: std::ops::RangeInclusive<usize>) -> bool {
    lens.contains(&seg.len()) && seg.chars().all(|c| K8S_ALPHABET.contains(c))
}

/// The owner a pod's name suggests: `web-7d4b9c8f6d-x2x7z` (Deployment) → `web`,
/// `fluentd-x2x7z` (DaemonSet, Job) → `fluentd`, `db-0` (StatefulSet) → `db`,
/// `backup-28374650-x2x7z` (CronJob) → `backup`. A heuristic over the generated suffixes; the
/// pod's `ownerReferences` say it for sure where an API server is at hand.
pub fn pod_owner(pod: &str) -> &str {
    let mut name = pod;
    let strip = |n: &str, pred: &dyn Fn(&str) -> bool| -> Option<usize> {
        let (head, tail) = n.rsplit_once('-')?;
        (!head.is_empty() && pred(tail)).then_some(head.len())
    };
    if let Some(i) = strip(name, &|t| is_generated(t, 5..=5)) {
        name = name.get(..i).unwrap_or(name);
        if let Some(i) = strip(name, &|t| is_generated(t, 6..=10)) {
            name = name.get(..i).unwrap_or(name);
        }
    }
    if let Some(i) = strip(name, &|t| {
        !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
    }) {
        name = name.get(..i).unwrap_or(name);
    }
    name
}

fn repository(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rfind(':') {
        Some(i) if !no_digest.get(i..).is_some_and(|t| t.contains('/')) => {
            no_digest.get(..i).unwrap_or(no_digest)
        }
        _ => no_digest,
    }
}

/// The key a container's baseline is kept under: `k8s:<namespace>/<pod owner>/<container>`
/// for a Kubernetes container, else `image:<repository>`, else `container:<id>`.
pub fn workload_key(c: &Container) -> String {
    if let (Some(ns), Some(pod), Some(name)) = (&c.pod_namespace, &c.pod_name, &c.name) {
        return format!("k8s:{ns}/{}/{name}", pod_owner(pod));
    }
    if let Some(image) = c.image.as_deref().filter(|i| !i.is_empty()) {
        return format!("image:{}", repository(image));
    }
    format!("container:{}", c.full_id.as_deref().unwrap_or(&c.id))
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn wall_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

impl ResourceMonitor {
    /// A monitor of the cgroups under `cfg.cgroup_root`.
    pub fn new(cfg: ResourceConfig) -> Result<ResourceMonitor, ResourceError> {
        let fs = CgroupFs::detect(&cfg.cgroup_root).ok_or_else(|| ResourceError::NoCgroups {
            root: cfg.cgroup_root.clone(),
        })?;
        let cache = ContainerCache::new(cfg.metadata_sources.clone(), cfg.max_containers);
        Ok(ResourceMonitor {
            detector: Detector::new(cfg.detector.clone()),
            cfg,
            fs,
            cache,
            tracked: HashMap::new(),
            origin: Instant::now(),
            stats: ResourceStats::default(),
        })
    }

    /// The cgroup layout found.
    pub fn layout(&self) -> Layout {
        self.fs.layout
    }

    /// The settings.
    pub fn config(&self) -> &ResourceConfig {
        &self.cfg
    }

    /// The counters.
    pub fn stats(&self) -> ResourceStats {
        ResourceStats {
            containers: self.tracked.len() as u64,
            detector: self.detector.stats(),
            ..self.stats
        }
    }

    /// The series of a container (by full id).
    pub fn series(&self, container_id: &str) -> Option<&Series<Point>> {
        self.tracked.get(container_id).map(|t| &t.series)
    }

    /// The detector (for its baselines).
    pub fn detector(&self) -> &Detector {
        &self.detector
    }

    /// One sweep, now.
    pub fn sample(&mut self) -> Report {
        self.sample_at(self.origin.elapsed(), wall_ns())
    }

    /// One sweep at monotonic time `at` (since any fixed origin) and wall time `time_ns`.
    pub fn sample_at(&mut self, at: Duration, time_ns: i64) -> Report {
        // The runtime's answers about containers met in earlier sweeps (asked in the
        // background): containers still incomplete take them below.
        self.cache.poll();
        self.stats.sweeps += 1;
        let sweep = self.stats.sweeps;
        let first_sweep = sweep == 1;
        let mut report = Report::default();
        for cg in self.fs.discover() {
            let id = cg.container.id.clone();
            if !self.tracked.contains_key(&id) {
                if self.tracked.len() >= self.cfg.max_containers.get() {
                    self.stats.containers_dropped += 1;
                    continue;
                }
                let (container, complete) = self.cache.get(&cg.container);
                self.tracked.insert(
                    id.clone(),
                    Tracked {
                        workload: workload_key(&container),
                        container,
                        complete,
                        new_container: !first_sweep,
                        cgroups: cg,
                        last: None,
                        series: Series::new(self.cfg.history),
                        sweep,
                    },
                );
            }
            let Some(t) = self.tracked.get_mut(&id) else {
                continue;
            };
            t.sweep = sweep;
            if !t.complete {
                let (container, complete) = self.cache.get(&t.cgroups.container);
                t.workload = workload_key(&container);
                t.container = container;
                t.complete = complete;
            }
            let counters = cgroup::read_counters(&t.cgroups);
            let mut sample = Sample {
                time_ns,
                container: Arc::clone(&t.container),
                workload: t.workload.clone(),
                cgroup: t.cgroups.path.clone(),
                interval_ns: None,
                cpu_cores: None,
                cpu_limit_cores: counters.cpu_limit_millicores.map(|m| m as f64 / 1000.0),
                cpu_throttled: None,
                memory_bytes: counters.memory_bytes,
                memory_working_set_bytes: counters.memory_working_set_bytes,
                memory_limit_bytes: counters.memory_limit_bytes,
                net: None,
            };
            let mut since = at;
            if let Some((prev_at, prev)) = &t.last {
                let dt = at.saturating_sub(*prev_at);
                since = *prev_at;
                if !dt.is_zero() {
                    sample.interval_ns = Some(nanos(dt));
                    let dt_ns = dt.as_secs_f64() * 1e9;
                    if let (Some(a), Some(b)) = (prev.cpu_usage_ns, counters.cpu_usage_ns) {
                        // A counter that went back (a cgroup re-created under the same id)
                        // gives no rate rather than a negative one.
                        sample.cpu_cores = b.checked_sub(a).map(|d| d as f64 / dt_ns);
                    }
                    if let (Some(a), Some(b)) = (prev.cpu_throttled_ns, counters.cpu_throttled_ns) {
                        sample.cpu_throttled =
                            b.checked_sub(a).map(|d| (d as f64 / dt_ns).min(1.0));
                    }
                }
            }
            t.last = Some((at, counters));
            if self.cfg.connections
                && let Some(pid) = cgroup::a_pid(&t.cgroups)
            {
                sample.net = net::read(&self.cfg.proc_root, pid, self.cfg.max_destinations);
            }
            t.series.push(Point {
                time_ns,
                cpu_cores: sample.cpu_cores,
                memory_working_set_bytes: sample.memory_working_set_bytes,
                connections: sample
                    .net
                    .as_ref()
                    .filter(|n| !n.host_network)
                    .map(|n| n.inbound + n.outbound),
            });
            let obs = detect::Observation {
                container_id: &id,
                workload: &t.workload,
                at,
                since,
                time_ns,
                cpu_cores: sample.cpu_cores,
                cpu_limit_cores: sample.cpu_limit_cores,
                memory_bytes: sample.memory_working_set_bytes,
                memory_limit_bytes: sample.memory_limit_bytes,
                new_container: t.new_container,
            };
            report.signals.extend(self.detector.observe(&obs));
            self.stats.samples += 1;
            report.samples.push(sample);
        }
        let ended: Vec<String> = self
            .tracked
            .iter()
            .filter(|(_, t)| t.sweep != sweep)
            .map(|(id, _)| id.clone())
            .collect();
        for id in &ended {
            self.tracked.remove(id);
            self.detector.forget(id);
            self.stats.containers_ended += 1;
        }
        report.ended = ended;
        report
    }

    /// Sweeps every `interval` until `until` passes or `stop` is set, handing each report to
    /// `on_report`; stops early when it returns false. Meant for a thread of its own.
    pub fn run(
        &mut self,
        until: Option<Instant>,
        stop: &AtomicBool,
        mut on_report: impl FnMut(&Report) -> bool,
    ) {
        let mut next = Instant::now();
        loop {
            if stop.load(Ordering::Relaxed) || until.is_some_and(|u| Instant::now() >= u) {
                return;
            }
            let report = self.sample();
            if !on_report(&report) {
                return;
            }
            next += self.cfg.interval;
            // Sleep in short steps so that `stop` is seen promptly.
            while Instant::now() < next {
                if stop.load(Ordering::Relaxed) || until.is_some_and(|u| Instant::now() >= u) {
                    return;
                }
                let left = next.saturating_duration_since(Instant::now());
                std::thread::sleep(left.min(Duration::from_millis(100)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "74c040c4e7d19bb459446c7b36810a7e1243c4e43d998bbca191402c9b4b0056";
    const ID2: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn pod_owners() {
        for (pod, owner) in [
            ("web-7d4b9c8f6d-x2x7z", "web"),
            ("fluentd-x2x7z", "fluentd"),
            ("db-0", "db"),
            ("backup-28374650-x2x7z", "backup"),
            ("web", "web"),
            ("my-app-v2-7d4b9c8f6d-x2x7z", "my-app-v2"),
            // `abcde` has vowels: not a generated suffix.
            ("cache-abcde", "cache-abcde"),
        ] {
            assert_eq!(pod_owner(pod), owner, "{pod}");
        }
    }

    #[test]
    fn workload_keys() {
        let mut c = Container {
            id: ID[..12].into(),
            full_id: Some(ID.into()),
            ..Container::default()
        };
        assert_eq!(workload_key(&c), format!("container:{ID}"));
        c.image = Some("docker.io/library/nginx:1.27@sha256:abc".into());
        assert_eq!(workload_key(&c), "image:docker.io/library/nginx");
        c.image = Some("registry:5000/app".into());
        assert_eq!(workload_key(&c), "image:registry:5000/app");
        c.pod_namespace = Some("prod".into());
        c.pod_name = Some("web-7d4b9c8f6d-x2x7z".into());
        c.name = Some("nginx".into());
        assert_eq!(workload_key(&c), "k8s:prod/web/nginx");
    }

    fn write(root: &std::path::Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Two v2 containers in a temp tree, sampled at fixed times: rates from deltas, a series,
    /// a signal for the one whose counter advances a core per second, and the end of one.
    #[test]
    fn sweeps_over_a_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "cgroup.controllers", "cpu memory\n");
        let a = format!("system.slice/docker-{ID}.scope");
        let b = format!("system.slice/docker-{ID2}.scope");
        for p in [&a, &b] {
            write(root, &format!("{p}/cpu.stat"), "usage_usec 0\n");
            write(root, &format!("{p}/memory.current"), "1048576\n");
        }
        let cfg = ResourceConfig {
            cgroup_root: root.to_path_buf(),
            metadata_sources: Vec::new(),
            connections: false,
            history: NonZeroUsize::new(4).unwrap(),
            detector: DetectorConfig {
                warmup_samples: 2,
                sustain: Duration::from_secs(3),
                ..DetectorConfig::default()
            },
            ..ResourceConfig::default()
        };
        let mut m = ResourceMonitor::new(cfg).unwrap();
        assert_eq!(m.layout(), Layout::V2);
        let s = Duration::from_secs;
        let mut signals = Vec::new();
        // Both idle for four seconds (warm-up), then `a` burns a core.
        let mut usage_a = 0u64;
        for i in 0..10u64 {
            if i >= 4 {
                usage_a += 1_000_000;
            } else {
                usage_a += 10_000;
            }
            write(
                root,
                &format!("{a}/cpu.stat"),
                &format!("usage_usec {usage_a}\n"),
            );
            write(
                root,
                &format!("{b}/cpu.stat"),
                &format!("usage_usec {}\n", i * 10_000),
            );
            let r = m.sample_at(s(i), i as i64);
            assert_eq!(r.samples.len(), 2);
            if i == 0 {
                assert!(r.samples.iter().all(|x| x.cpu_cores.is_none()));
            } else {
                let sa = r
                    .samples
                    .iter()
                    .find(|x| x.container.full_id.as_deref() == Some(ID))
                    .unwrap();
                let want = if i >= 4 { 1.0 } else { 0.01 };
                assert!((sa.cpu_cores.unwrap() - want).abs() < 1e-9, "{i}: {sa:?}");
                assert_eq!(sa.memory_bytes, Some(1_048_576));
                assert_eq!(sa.workload, format!("container:{ID}"));
            }
            signals.extend(r.signals);
        }
        assert_eq!(signals.len(), 1, "{signals:?}");
        assert_eq!(signals[0].container_id, ID);
        assert_eq!(signals[0].name, SignalName::CpuSaturation);
        assert_eq!(m.series(ID).unwrap().len(), 4);
        std::fs::remove_dir_all(root.join(&b)).unwrap();
        let r = m.sample_at(s(10), 10);
        assert_eq!(r.ended, [ID2]);
        assert_eq!(m.stats().containers, 1);
        assert_eq!(m.stats().containers_ended, 1);
    }

    #[test]
    fn no_cgroups_is_an_error_naming_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let err = ResourceMonitor::new(ResourceConfig {
            cgroup_root: dir.path().to_path_buf(),
            metadata_sources: Vec::new(),
            ..ResourceConfig::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains(&dir.path().display().to_string()));
    }

    #[test]
    fn run_stops_on_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "cgroup.controllers", "cpu\n");
        let mut m = ResourceMonitor::new(ResourceConfig {
            cgroup_root: dir.path().to_path_buf(),
            metadata_sources: Vec::new(),
            interval: Duration::from_millis(10),
            ..ResourceConfig::default()
        })
        .unwrap();
        let stop = AtomicBool::new(false);
        let mut n = 0;
        m.run(None, &stop, |_| {
            n += 1;
            if n == 3 {
                stop.store(true, Ordering::Relaxed);
            }
            true
        });
        assert_eq!(n, 3);
    }
}
