//! Container context: which container a process runs in, from its cgroup path, and what that
//! container is (name, image, labels, pod), from the runtime that started it.
//!
//! The id comes from the cgroup path alone, which every runtime names after the container:
//!
//! | runtime | cgroup driver | path ends in |
//! |---|---|---|
//! | podman | cgroupfs | `/libpod_parent/libpod-<id>` |
//! | podman | systemd | `/machine.slice/libpod-<id>.scope` (`libpod-conmon-…` is its monitor) |
//! | docker | cgroupfs / systemd | `/docker/<id>` / `/system.slice/docker-<id>.scope` |
//! | containerd (CRI) | cgroupfs / systemd | `/kubepods/…/pod<uid>/<id>` / `…/cri-containerd-<id>.scope` |
//! | CRI-O | systemd / cgroupfs | `…/crio-<id>.scope` / `/kubepods/…/pod<uid>/crio-<id>` |
//!
//! The path is read from `/proc/<pid>/cgroup` (every line: cgroup v1, v2 and hybrid hosts) or,
//! for the eBPF collector, given by the kernel as the names of the task's cgroup and its parent,
//! which is enough for every layout above and needs no /proc read for short-lived processes.
//!
//! Metadata is asked of the runtime once per container, on a thread of its own, and kept in a
//! bounded cache: the Docker
//! API (`/containers/<id>/json`, which podman's service also speaks) on a unix socket, else
//! `podman container inspect`, else `crictl inspect`. Kubernetes context comes from the
//! `io.kubernetes.*` labels the kubelet sets on every container.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::event::Container;

/// The runtime whose layout a cgroup path matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Runtime {
    /// podman (libpod).
    Podman,
    /// Docker.
    Docker,
    /// containerd's CRI plugin.
    Containerd,
    /// CRI-O.
    CriO,
    /// A kubepods container whose runtime the path does not say (cgroupfs driver).
    Cri,
}

impl Runtime {
    /// The runtime's name.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Podman => "podman",
            Runtime::Docker => "docker",
            Runtime::Containerd => "containerd",
            Runtime::CriO => "cri-o",
            Runtime::Cri => "cri",
        }
    }
}

/// A container found in a cgroup path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContainerRef {
    /// The full 64-hex-digit id.
    pub id: String,
    /// Whose layout it matched.
    pub runtime: Runtime,
    /// The pod's uid, from a kubepods path.
    pub pod_uid: Option<String>,
}

fn is_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `pod<uid>` (cgroupfs) or `kubepods-…-pod<uid with _>.slice` (systemd).
fn pod_uid(component: &str) -> Option<String> {
    let s = component.strip_suffix(".slice").unwrap_or(component);
    let idx = s.rfind("pod")?;
    let uid = s.get(idx + 3..)?.replace('_', "-");
    let ok = uid.len() == 36 && uid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    ok.then_some(uid)
}

/// The container a cgroup path names, if any. The path may be whole (`/machine.slice/…`) or
/// just its last two components (`parent/leaf`, as the eBPF collector gives them).
pub fn parse_cgroup_path(path: &str) -> Option<ContainerRef> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let pod = parts.iter().find_map(|p| pod_uid(p));
    let kube = parts.iter().any(|p| p.starts_with("kubepods"));
    // The deepest component that names a container wins (runtimes nest their own cgroups,
    // e.g. `libpod-<id>.scope/container`).
    for (i, part) in parts.iter().enumerate().rev() {
        let p = part.strip_suffix(".scope").unwrap_or(part);
        let found = if p.starts_with("libpod-conmon-") || p.starts_with("crio-conmon-") {
            // The runtime's monitor process, not the container.
            return None;
        } else if let Some(id) = p.strip_prefix("libpod-") {
            is_id(id).then_some((id, Runtime::Podman))
        } else if let Some(id) = p.strip_prefix("docker-") {
            is_id(id).then_some((id, Runtime::Docker))
        } else if let Some(id) = p.strip_prefix("cri-containerd-") {
            is_id(id).then_some((id, Runtime::Containerd))
        } else if let Some(id) = p.strip_prefix("crio-") {
            is_id(id).then_some((id, Runtime::CriO))
        } else if is_id(p) {
            let parent = i.checked_sub(1).and_then(|j| parts.get(j)).copied();
            let rt = match parent {
                Some("docker") => Runtime::Docker,
                Some(q) if q.starts_with("libpod") => Runtime::Podman,
                _ if kube || pod.is_some() => Runtime::Cri,
                _ => Runtime::Docker,
            };
            Some((p, rt))
        } else {
            None
        };
        if let Some((id, runtime)) = found {
            return Some(ContainerRef {
                id: id.to_ascii_lowercase(),
                runtime,
                pod_uid: pod,
            });
        }
    }
    None
}

/// The container named by any line of a `/proc/<pid>/cgroup` file (v1 lines name each
/// controller's hierarchy, the v2 line is `0::path`; hybrid hosts have both). `Ok(None)` is a
/// process on the host.
pub fn parse_proc_cgroup(content: &str) -> Option<ContainerRef> {
    content.lines().find_map(|line| {
        let mut it = line.splitn(3, ':');
        let path = it.nth(2)?;
        parse_cgroup_path(path)
    })
}

/// What the runtime says about a container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Container name.
    pub name: Option<String>,
    /// Image reference.
    pub image: Option<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

/// Reading metadata failed.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// The runtime answered with something we could not read.
    #[error("{source_name}: unreadable answer for container `{id}`")]
    BadAnswer {
        /// Which source.
        source_name: String,
        /// The container.
        id: String,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The socket or the command failed.
    #[error("{source_name}: cannot ask about container `{id}`")]
    Io {
        /// Which source.
        source_name: String,
        /// The container.
        id: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

/// Where metadata comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataSource {
    /// A Docker-API socket (Docker, or podman's service).
    DockerApi(PathBuf),
    /// `podman container inspect`.
    PodmanCli(PathBuf),
    /// `crictl inspect`.
    Crictl(PathBuf),
}

impl MetadataSource {
    /// The sources reachable on this host, in the order they are asked.
    pub fn discover() -> Vec<MetadataSource> {
        let mut out = Vec::new();
        for sock in ["/run/podman/podman.sock", "/var/run/docker.sock"] {
            if Path::new(sock).exists() {
                out.push(MetadataSource::DockerApi(sock.into()));
            }
        }
        for (name, make) in [
            (
                "podman",
                MetadataSource::PodmanCli as fn(PathBuf) -> MetadataSource,
            ),
            ("crictl", MetadataSource::Crictl),
        ] {
            if let Some(p) = find_in_path(name) {
                out.push(make(p));
            }
        }
        out
    }

    fn name(&self) -> String {
        match self {
            MetadataSource::DockerApi(p) => format!("docker API at {}", p.display()),
            MetadataSource::PodmanCli(p) | MetadataSource::Crictl(p) => p.display().to_string(),
        }
    }

    /// Asks about one container; `Ok(None)` when this source does not know it.
    pub fn lookup(&self, id: &str) -> Result<Option<Metadata>, MetadataError> {
        let io = |source| MetadataError::Io {
            source_name: self.name(),
            id: id.to_owned(),
            source,
        };
        let bad = |source| MetadataError::BadAnswer {
            source_name: self.name(),
            id: id.to_owned(),
            source,
        };
        match self {
            MetadataSource::DockerApi(sock) => {
                let Some(body) =
                    http_get_unix(sock, &format!("/containers/{id}/json")).map_err(io)?
                else {
                    return Ok(None);
                };
                let v: serde_json::Value = serde_json::from_slice(&body).map_err(bad)?;
                Ok(Some(docker_metadata(&v)))
            }
            MetadataSource::PodmanCli(bin) => {
                let Some(out) = run(bin, &["container", "inspect", id]).map_err(io)? else {
                    return Ok(None);
                };
                let v: serde_json::Value = serde_json::from_slice(&out).map_err(bad)?;
                Ok(v.get(0).map(podman_metadata))
            }
            MetadataSource::Crictl(bin) => {
                let Some(out) = run(bin, &["inspect", id]).map_err(io)? else {
                    return Ok(None);
                };
                let v: serde_json::Value = serde_json::from_slice(&out).map_err(bad)?;
                Ok(Some(cri_metadata(&v)))
            }
        }
    }
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Runs a runtime CLI; `Ok(None)` when it exits non-zero (the container is not its).
fn run(bin: &Path, args: &[&str]) -> std::io::Result<Option<Vec<u8>>> {
    let out = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()?;
    Ok(out.status.success().then_some(out.stdout))
}

/// A minimal HTTP/1.0 GET over a unix socket: the body for a 200, `None` for a 404.
fn http_get_unix(sock: &Path, path: &str) -> std::io::Result<Option<Vec<u8>>> {
    let mut s = UnixStream::connect(sock)?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    s.set_write_timeout(Some(Duration::from_secs(2)))?;
    // One write: a server may answer (and close) as soon as the request is whole.
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").as_bytes())?;
    let mut buf = Vec::new();
    s.take(8 << 20).read_to_end(&mut buf)?;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no HTTP header end"))?;
    let head = String::from_utf8_lossy(buf.get(..split).unwrap_or(&[])).into_owned();
    let status = head.split_whitespace().nth(1).unwrap_or("");
    match status {
        "200" => Ok(Some(buf.get(split + 4..).unwrap_or(&[]).to_vec())),
        "404" => Ok(None),
        other => Err(std::io::Error::other(format!("HTTP status {other}"))),
    }
}

fn labels_of(v: Option<&serde_json::Value>) -> BTreeMap<String, String> {
    v.and_then(|l| l.as_object())
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn str_at(v: &serde_json::Value, ptr: &str) -> Option<String> {
    v.pointer(ptr)?
        .as_str()
        .map(|s| s.trim_start_matches('/').to_owned())
}

/// From a Docker API `/containers/<id>/json` answer.
pub fn docker_metadata(v: &serde_json::Value) -> Metadata {
    Metadata {
        name: str_at(v, "/Name"),
        image: str_at(v, "/Config/Image"),
        labels: labels_of(v.pointer("/Config/Labels")),
    }
}

/// From one element of `podman container inspect`.
pub fn podman_metadata(v: &serde_json::Value) -> Metadata {
    Metadata {
        name: str_at(v, "/Name"),
        image: str_at(v, "/ImageName")
            .filter(|s| !s.is_empty())
            .or_else(|| str_at(v, "/Config/Image")),
        labels: labels_of(v.pointer("/Config/Labels")),
    }
}

/// From `crictl inspect`.
pub fn cri_metadata(v: &serde_json::Value) -> Metadata {
    Metadata {
        name: str_at(v, "/status/metadata/name"),
        image: str_at(v, "/status/image/image"),
        labels: labels_of(v.pointer("/status/labels")),
    }
}

/// Counters of the container cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that asked the runtime.
    pub misses: u64,
    /// Entries evicted to stay within the bound.
    pub evictions: u64,
    /// Runtime lookups that failed or found nothing.
    pub lookup_failures: u64,
    /// Containers in the cache.
    pub entries: u64,
    /// Lookups not asked because the lookup queue was full (asked again on a later event).
    pub lookups_deferred: u64,
}

struct Entry {
    container: Arc<Container>,
    complete: bool,
    at: Instant,
    /// Lookups in a row that found nothing.
    failures: u32,
}

/// How long after `failures` failed lookups a container is asked about again: 250 ms, doubling
/// up to 32 s (a runtime CLI can fail while the runtime is busy starting containers).
fn backoff(failures: u32) -> Duration {
    Duration::from_millis(250) * (1 << failures.min(7))
}

/// Questions in flight to the runtimes, asked on a thread of their own so that a slow runtime
/// CLI (`podman container inspect` takes a tenth of a second) never stalls the pipeline.
struct Lookups {
    tx: SyncSender<ContainerRef>,
    rx: Receiver<(ContainerRef, Option<Metadata>)>,
    in_flight: HashSet<String>,
}

/// Lookups queued at most (each is one container; more wait for a later event).
const LOOKUP_QUEUE: usize = 64;

impl Lookups {
    fn start(sources: Vec<MetadataSource>) -> Option<Lookups> {
        if sources.is_empty() {
            return None;
        }
        let (tx, requests) = sync_channel::<ContainerRef>(LOOKUP_QUEUE);
        let (answers, rx) = sync_channel(LOOKUP_QUEUE);
        let spawned = std::thread::Builder::new()
            .name("sensor-metadata".to_owned())
            .spawn(move || {
                // Ends when the cache (the sender) is dropped.
                while let Ok(r) = requests.recv() {
                    let meta = lookup(&sources, &r.id);
                    if answers.send((r, meta)).is_err() {
                        break;
                    }
                }
            });
        match spawned {
            Ok(_) => Some(Lookups {
                tx,
                rx,
                in_flight: HashSet::new(),
            }),
            Err(e) => {
                tracing::warn!("cannot start the container metadata thread: {e}");
                None
            }
        }
    }
}

/// Asks `sources` in order; the first that knows the container answers.
fn lookup(sources: &[MetadataSource], id: &str) -> Option<Metadata> {
    for s in sources {
        match s.lookup(id) {
            Ok(Some(m)) => return Some(m),
            Ok(None) => {}
            Err(e) => tracing::debug!("container metadata: {e}"),
        }
    }
    None
}

/// Container id → context, bounded. Metadata is asked of the runtimes on a thread of its own:
/// until it answers, a container's context has its id (from the cgroup path) and no metadata,
/// and [`ContainerCache::poll`] hands over the answers. A failed lookup is retried, with a
/// growing delay, when a later event of the container comes.
pub struct ContainerCache {
    entries: HashMap<String, Entry>,
    order: VecDeque<String>,
    capacity: usize,
    lookups: Option<Lookups>,
    stats: CacheStats,
}

impl std::fmt::Debug for ContainerCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerCache")
            .field("len", &self.entries.len())
            .field("capacity", &self.capacity)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// A metadata answer that arrived: the container's id and its context now.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The full container id.
    pub id: String,
    /// The context, with the metadata when it was found.
    pub container: Arc<Container>,
    /// Whether the metadata was found.
    pub complete: bool,
}

impl ContainerCache {
    /// A cache of at most `capacity` containers, asking `sources` in order (on a thread of
    /// its own, started here when there are sources).
    pub fn new(sources: Vec<MetadataSource>, capacity: std::num::NonZeroUsize) -> Self {
        ContainerCache {
            entries: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.get(),
            lookups: Lookups::start(sources),
            stats: CacheStats::default(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            entries: self.entries.len() as u64,
            ..self.stats
        }
    }

    /// Whether the runtimes are being asked about container `id` (its full id).
    pub fn is_pending(&self, id: &str) -> bool {
        self.lookups
            .as_ref()
            .is_some_and(|l| l.in_flight.contains(id))
    }

    /// The context of a container: (context, whether the runtime's metadata is in it). A
    /// container met for the first time (or whose lookup failed a while ago) is asked about in
    /// the background; its context has the id only until [`ContainerCache::poll`] brings the
    /// answer.
    pub fn get(&mut self, r: &ContainerRef) -> (Arc<Container>, bool) {
        if let Some(e) = self.entries.get(&r.id)
            && (e.complete || e.at.elapsed() < backoff(e.failures) || self.is_pending(&r.id))
        {
            self.stats.hits += 1;
            return (Arc::clone(&e.container), e.complete);
        }
        self.stats.misses += 1;
        let container = Arc::new(build_container(r, Metadata::default()));
        let mut failures = self.entries.get(&r.id).map_or(0, |e| e.failures);
        match &mut self.lookups {
            Some(l) => match l.tx.try_send(r.clone()) {
                Ok(()) => {
                    l.in_flight.insert(r.id.clone());
                }
                Err(_) => self.stats.lookups_deferred += 1,
            },
            None => {
                self.stats.lookup_failures += 1;
                failures += 1;
            }
        }
        self.put(&r.id, Arc::clone(&container), false, failures);
        (container, false)
    }

    /// The answers that arrived since the last call.
    pub fn poll(&mut self) -> Vec<Answer> {
        let mut got = Vec::new();
        if let Some(l) = &mut self.lookups {
            while let Ok((r, meta)) = l.rx.try_recv() {
                l.in_flight.remove(&r.id);
                got.push((r, meta));
            }
        }
        let mut out = Vec::with_capacity(got.len());
        for (r, meta) in got {
            let complete = meta.is_some();
            let mut failures = 0;
            if !complete {
                self.stats.lookup_failures += 1;
                failures = self.entries.get(&r.id).map_or(0, |e| e.failures) + 1;
            }
            let container = Arc::new(build_container(&r, meta.unwrap_or_default()));
            self.put(&r.id, Arc::clone(&container), complete, failures);
            out.push(Answer {
                id: r.id,
                container,
                complete,
            });
        }
        out
    }

    fn put(&mut self, id: &str, container: Arc<Container>, complete: bool, failures: u32) {
        if !self.entries.contains_key(id) {
            while self.entries.len() >= self.capacity {
                let Some(old) = self.order.pop_front() else {
                    break;
                };
                self.entries.remove(&old);
                self.stats.evictions += 1;
            }
            self.order.push_back(id.to_owned());
        }
        self.entries.insert(
            id.to_owned(),
            Entry {
                container,
                complete,
                at: Instant::now(),
                failures,
            },
        );
    }
}

/// The `container.*` fields of a container and its metadata.
pub fn build_container(r: &ContainerRef, meta: Metadata) -> Container {
    let label = |k: &str| meta.labels.get(k).cloned();
    Container {
        id: r.id.get(..12).unwrap_or(&r.id).to_owned(),
        full_id: Some(r.id.clone()),
        runtime: Some(r.runtime.name()),
        pod_name: label("io.kubernetes.pod.name"),
        pod_namespace: label("io.kubernetes.pod.namespace"),
        pod_uid: label("io.kubernetes.pod.uid").or_else(|| r.pod_uid.clone()),
        name: label("io.kubernetes.container.name").or(meta.name),
        image: meta.image,
        labels: meta.labels,
    }
}

/// The context of a process on the host.
pub fn host() -> Container {
    Container {
        id: "host".to_owned(),
        ..Container::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "74c040c4e7d19bb459446c7b36810a7e1243c4e43d998bbca191402c9b4b0056";

    #[test]
    fn runtime_layouts() {
        let uid = "3d0a7e3f-25d3-4b6b-9c49-0bd5a8a0f3f1";
        let uid_ = uid.replace('-', "_");
        let cases: Vec<(String, Runtime, Option<&str>)> = vec![
            (format!("/libpod_parent/libpod-{ID}"), Runtime::Podman, None),
            (
                format!("/machine.slice/libpod-{ID}.scope"),
                Runtime::Podman,
                None,
            ),
            (
                format!("/machine.slice/libpod-{ID}.scope/container"),
                Runtime::Podman,
                None,
            ),
            (format!("/docker/{ID}"), Runtime::Docker, None),
            (
                format!("/system.slice/docker-{ID}.scope"),
                Runtime::Docker,
                None,
            ),
            (
                format!("/kubepods/burstable/pod{uid}/{ID}"),
                Runtime::Cri,
                Some(uid),
            ),
            (
                format!(
                    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{uid_}.slice/cri-containerd-{ID}.scope"
                ),
                Runtime::Containerd,
                Some(uid),
            ),
            (
                format!("/kubepods.slice/kubepods-pod{uid_}.slice/crio-{ID}.scope"),
                Runtime::CriO,
                Some(uid),
            ),
            (
                format!("/kubepods/pod{uid}/crio-{ID}"),
                Runtime::CriO,
                Some(uid),
            ),
            // The eBPF collector's parent/leaf form.
            (format!("libpod_parent/libpod-{ID}"), Runtime::Podman, None),
        ];
        for (path, runtime, pod) in cases {
            let r = parse_cgroup_path(&path).unwrap_or_else(|| panic!("{path}"));
            assert_eq!(r.id, ID, "{path}");
            assert_eq!(r.runtime, runtime, "{path}");
            assert_eq!(r.pod_uid.as_deref(), pod, "{path}");
        }
    }

    #[test]
    fn host_and_monitor_paths_are_not_containers() {
        for p in [
            "/",
            "/user.slice/user-0.slice/session-1.scope",
            "/system.slice/containerd.service",
            &format!("/machine.slice/libpod-conmon-{ID}.scope"),
            "/docker/not-an-id",
            "/memory/process_api/34241142b4572a9f450ef54d09e87f60",
        ] {
            assert_eq!(parse_cgroup_path(p), None, "{p}");
        }
    }

    #[test]
    fn proc_cgroup_v1_v2_and_hybrid() {
        let v2 = format!("0::/system.slice/docker-{ID}.scope\n");
        assert_eq!(parse_proc_cgroup(&v2).unwrap().runtime, Runtime::Docker);
        let v1 = format!("4:memory:/docker/{ID}\n1:cpu:/docker/{ID}\n");
        assert_eq!(parse_proc_cgroup(&v1).unwrap().id, ID);
        // Hybrid, as on this project's machines: the v2 line is the root, a v1 line names it.
        let hybrid = format!("9:name=systemd:/\n4:memory:/libpod_parent/libpod-{ID}\n0::/\n");
        assert_eq!(parse_proc_cgroup(&hybrid).unwrap().runtime, Runtime::Podman);
        assert_eq!(parse_proc_cgroup("0::/\n1:cpu:/\n"), None);
    }

    #[test]
    fn metadata_from_each_answer_shape() {
        let docker = serde_json::json!({"Name": "/web", "Config": {"Image": "nginx:1.27",
            "Labels": {"io.kubernetes.pod.name": "web-1", "io.kubernetes.pod.namespace": "prod"}}});
        let m = docker_metadata(&docker);
        assert_eq!(m.name.as_deref(), Some("web"));
        assert_eq!(m.image.as_deref(), Some("nginx:1.27"));
        let r = ContainerRef {
            id: ID.into(),
            runtime: Runtime::Docker,
            pod_uid: None,
        };
        let c = build_container(&r, m);
        assert_eq!(c.id, &ID[..12]);
        assert_eq!(c.pod_name.as_deref(), Some("web-1"));
        assert_eq!(c.pod_namespace.as_deref(), Some("prod"));

        let podman = serde_json::json!({"Name": "db", "ImageName": "docker.io/library/postgres:16",
            "Config": {"Labels": {"a": "b"}}});
        let m = podman_metadata(&podman);
        assert_eq!(
            (m.name.as_deref(), m.image.as_deref()),
            (Some("db"), Some("docker.io/library/postgres:16"))
        );
        assert_eq!(m.labels["a"], "b");

        let cri = serde_json::json!({"status": {"metadata": {"name": "app"},
            "image": {"image": "registry.k8s.io/pause:3.9"}, "labels": {"io.kubernetes.pod.uid": "u"}}});
        let m = cri_metadata(&cri);
        assert_eq!(m.name.as_deref(), Some("app"));
        assert_eq!(m.labels["io.kubernetes.pod.uid"], "u");
    }

    /// A one-connection-per-answer HTTP server on a unix socket, as dockerd and podman's
    /// service are.
    fn serve(
        answers: Vec<&'static str>,
    ) -> (
        tempfile::TempDir,
        PathBuf,
        std::thread::JoinHandle<Vec<String>>,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("api.sock");
        let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let t = std::thread::spawn(move || {
            let mut requests = Vec::new();
            for answer in answers {
                let (mut conn, _) = listener.accept().unwrap();
                let mut buf = [0u8; 1024];
                let n = conn.read(&mut buf).unwrap();
                requests.push(
                    String::from_utf8_lossy(&buf[..n])
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_owned(),
                );
                conn.write_all(answer.as_bytes()).unwrap();
            }
            requests
        });
        (dir, sock, t)
    }

    #[test]
    fn docker_api_over_a_unix_socket() {
        let (_dir, sock, server) = serve(vec![
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"Name\":\"/web\",\"Config\":{\"Image\":\"nginx:1.27\",\"Labels\":{\"io.kubernetes.pod.name\":\"web-1\"}}}",
            "HTTP/1.1 404 Not Found\r\n\r\n{\"message\":\"no such container\"}",
            "HTTP/1.1 500 Internal Server Error\r\n\r\n",
        ]);
        let src = MetadataSource::DockerApi(sock);
        let m = src.lookup(ID).unwrap().unwrap();
        assert_eq!(m.name.as_deref(), Some("web"));
        assert_eq!(m.labels["io.kubernetes.pod.name"], "web-1");
        let second = src.lookup(ID);
        assert!(matches!(second, Ok(None)), "{second:?}");
        assert!(src.lookup(ID).is_err());
        let requests = server.join().unwrap();
        assert_eq!(requests[0], format!("GET /containers/{ID}/json HTTP/1.0"));
    }

    #[test]
    fn metadata_is_asked_in_the_background_and_arrives_later() {
        let (_dir, sock, server) = serve(vec![
            "HTTP/1.1 200 OK\r\n\r\n{\"Name\":\"/web\",\"Config\":{\"Image\":\"nginx:1.27\",\"Labels\":{\"io.kubernetes.pod.name\":\"web-1\"}}}",
        ]);
        let mut cache = ContainerCache::new(
            vec![MetadataSource::DockerApi(sock)],
            std::num::NonZeroUsize::MIN.saturating_add(7),
        );
        let r = ContainerRef {
            id: ID.into(),
            runtime: Runtime::Docker,
            pod_uid: None,
        };
        let (c, complete) = cache.get(&r);
        assert!(!complete);
        assert_eq!(c.id, &ID[..12]);
        assert_eq!(c.pod_name, None);
        let until = Instant::now() + Duration::from_secs(10);
        let answers = loop {
            let a = cache.poll();
            if !a.is_empty() || Instant::now() > until {
                break a;
            }
            assert!(cache.is_pending(ID));
            // Asked once: later events of the container do not ask again.
            assert!(!cache.get(&r).1);
            std::thread::sleep(Duration::from_millis(5));
        };
        assert_eq!(answers.len(), 1, "{answers:?}");
        assert!(answers[0].complete);
        assert_eq!(answers[0].id, ID);
        assert_eq!(answers[0].container.pod_name.as_deref(), Some("web-1"));
        assert!(!cache.is_pending(ID));
        let (c, complete) = cache.get(&r);
        assert!(complete);
        assert_eq!(c.name.as_deref(), Some("web"));
        assert_eq!(cache.stats().misses, 1);
        server.join().unwrap();
    }

    #[test]
    fn cache_is_bounded_and_counts() {
        let mut cache =
            ContainerCache::new(Vec::new(), std::num::NonZeroUsize::MIN.saturating_add(1));
        let r = |c: char| ContainerRef {
            id: c.to_string().repeat(64),
            runtime: Runtime::Podman,
            pod_uid: None,
        };
        let (c, complete) = cache.get(&r('a'));
        assert!(!complete);
        assert_eq!(c.id, "aaaaaaaaaaaa");
        cache.get(&r('a'));
        cache.get(&r('b'));
        cache.get(&r('c'));
        let s = cache.stats();
        assert_eq!(
            (s.hits, s.misses, s.evictions, s.lookup_failures),
            (1, 3, 1, 3)
        );
        assert!(cache.entries.len() <= 2);
    }
}
