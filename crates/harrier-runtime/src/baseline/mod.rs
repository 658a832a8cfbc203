//! Behavioural baselines: what each workload normally does, learned from its events, then
//! locked, with an alert on every drift from it.
//!
//! A workload is keyed by namespace, owner kind and name (the Deployment, DaemonSet... found
//! through ReplicaSets), container name and image repository, so every pod of a Deployment
//! shares one baseline and a new image version keeps it. For each workload Harrier learns:
//!
//! - processes: executable path and argument shape ([`shape::args`]: numbers, hex ids, UUIDs,
//!   addresses and temporary paths become placeholders);
//! - files written: the directory pattern ([`shape::written_dir`]);
//! - outbound connections: server address and port;
//! - listening ports.
//!
//! **Learning** lasts a number of events or a span of event time per workload (or until
//! `harrier baseline lock`). Learning resists poisoning: an entry becomes `allowed` at lock
//! only when it was seen at least `min_observations` times and in `min_pods` distinct pods (or
//! every pod seen, for workloads with fewer); an entry seen once, or by an event that matched a
//! threat-profile rule, is recorded as `flagged` with the reason, so an attacker active during
//! learning is not taught into the allowlist. **Locked**, any activity that matches no
//! `allowed` entry raises a drift alert, in Falcosidekick's shape like rule alerts, tagged
//! `harrier.baseline`; each drift is alerted once per run and counted after.
//!
//! Baselines are YAML files ([`file`]), one per workload, that a person reads, edits (flip a
//! status, add an entry, write `*` globs or CIDRs) and reviews in a pull request; they persist
//! across restarts, learning state included. `docs/baselines.md` documents the format.

pub mod file;
pub mod shape;

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use crate::Alert;
use crate::event::{Event, SyscallEvent, format_time};
use crate::rules::Priority;
use crate::rules::fields::{self, Field};
use crate::rules::matcher::{Net, glob};

/// Most pod names kept per entry: enough to count distinct pods up to any sensible minimum.
const MAX_PODS: usize = 8;
/// Most drifts remembered to alert each once; beyond it repeats alert again.
const MAX_DRIFTS_REMEMBERED: usize = 100_000;
/// Most containers whose workload is remembered (saves building the key per event).
const MAX_CONTAINERS_REMEMBERED: usize = 65_536;

/// When learning ends for a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Learn {
    /// After this many of the workload's events.
    Events(u64),
    /// After this many nanoseconds of event time from the workload's first event.
    Duration(i64),
    /// Only when locked by hand (`harrier baseline lock`).
    Manual,
}

/// How baselines are learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// When learning ends.
    pub learn: Learn,
    /// Observations an entry needs to be trusted.
    pub min_observations: u64,
    /// Distinct pods an entry needs to be trusted (capped by the pods seen).
    pub min_pods: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            learn: Learn::Manual,
            min_observations: 3,
            min_pods: 2,
        }
    }
}

/// Parses `30m`, `1h30m`, `2d`, `45s` into nanoseconds.
pub fn parse_duration(text: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut num = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit: i64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        let n: i64 = num.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?.checked_mul(1_000_000_000)?)?;
        num.clear();
        any = true;
    }
    (num.is_empty() && any && total > 0).then_some(total)
}

/// The workload a baseline belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadKey {
    /// Namespace (empty outside Kubernetes).
    pub namespace: String,
    /// Owner kind (`Deployment`...), `Pod` for bare pods, empty outside Kubernetes.
    pub owner_kind: String,
    /// Owner name, or the pod's name for bare pods.
    pub owner_name: String,
    /// Container name.
    pub container: String,
    /// Image repository (no tag or digest).
    pub image: String,
}

impl WorkloadKey {
    /// The workload of a container event; `None` for host processes and events without
    /// container context.
    pub fn of(e: &SyscallEvent) -> Option<WorkloadKey> {
        let c = e.container.as_ref()?;
        if c.id == "host" || c.id.is_empty() {
            return None;
        }
        let k = e.k8s.as_ref();
        let pod = k.and_then(|k| k.pod_name.clone());
        let (owner_kind, owner_name) = match k.and_then(|k| k.owner_name.clone()) {
            Some(name) => (
                k.and_then(|k| k.owner_kind.clone()).unwrap_or_default(),
                name,
            ),
            None => match pod {
                Some(p) => ("Pod".to_string(), p),
                None => (String::new(), String::new()),
            },
        };
        let image = c
            .image_repository
            .clone()
            .or_else(|| {
                c.image
                    .as_deref()
                    .map(|i| i.split(['@']).next().unwrap_or(i))
                    .map(|i| match i.rfind(':') {
                        Some(p) if !i.get(p..).is_some_and(|t| t.contains('/')) => {
                            i.get(..p).unwrap_or(i).to_string()
                        }
                        _ => i.to_string(),
                    })
            })
            .unwrap_or_default();
        let key = WorkloadKey {
            namespace: k.and_then(|k| k.namespace.clone()).unwrap_or_default(),
            owner_kind,
            owner_name,
            container: c.name.clone().unwrap_or_default(),
            image,
        };
        (!(key.owner_name.is_empty() && key.container.is_empty() && key.image.is_empty()))
            .then_some(key)
    }
}

impl fmt::Display for WorkloadKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or = |s: &str| {
            if s.is_empty() {
                "-".to_string()
            } else {
                s.to_string()
            }
        };
        write!(
            f,
            "{} {}/{} container {} ({})",
            or(&self.owner_kind),
            or(&self.namespace),
            or(&self.owner_name),
            or(&self.container),
            or(&self.image)
        )
    }
}

/// What one entry allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A process: executable path and argument shape (globs allowed).
    Process {
        /// Executable path.
        exe: String,
        /// Argument shape.
        args: String,
    },
    /// Files written under a directory pattern (glob).
    FileWrite {
        /// Pattern, such as `/var/cache/nginx/*`.
        path: String,
    },
    /// Outbound connections to an address or network and a port.
    Connect {
        /// Address or CIDR, as written.
        address: String,
        /// Port; `None` for any.
        port: Option<u16>,
        /// `tcp`, `udp`; `None` for any.
        proto: Option<String>,
    },
    /// A listening port.
    Listen {
        /// Port.
        port: u16,
        /// `tcp`, `udp`; `None` for any.
        proto: Option<String>,
    },
}

/// The four kinds of activity, each a section of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `processes`.
    Process,
    /// `filesWritten`.
    FileWrite,
    /// `network`.
    Connect,
    /// `listening`.
    Listen,
}

impl Kind {
    /// The tag and name used in alerts.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Process => "process",
            Kind::FileWrite => "file_write",
            Kind::Connect => "network",
            Kind::Listen => "listening",
        }
    }

    fn rule(self) -> &'static str {
        match self {
            Kind::Process => "Harrier Baseline Drift: Process",
            Kind::FileWrite => "Harrier Baseline Drift: File Written",
            Kind::Connect => "Harrier Baseline Drift: Outbound Connection",
            Kind::Listen => "Harrier Baseline Drift: Listening Port",
        }
    }
}

impl Key {
    /// The section the entry is in.
    pub fn kind(&self) -> Kind {
        match self {
            Key::Process { .. } => Kind::Process,
            Key::FileWrite { .. } => Kind::FileWrite,
            Key::Connect { .. } => Kind::Connect,
            Key::Listen { .. } => Kind::Listen,
        }
    }

    /// An exact-match index key, for entries without globs or networks.
    fn exact(&self) -> Option<String> {
        match self {
            Key::Process { exe, args } if !exe.contains('*') && !args.contains('*') => {
                Some(format!("p\0{exe}\0{args}"))
            }
            Key::FileWrite { path } if !path.strip_suffix("/*").unwrap_or(path).contains('*') => {
                Some(format!("f\0{path}"))
            }
            Key::Connect {
                address,
                port: Some(port),
                proto: Some(proto),
            } if !address.contains('/') => Some(format!("c\0{address}\0{port}\0{proto}")),
            Key::Listen {
                port,
                proto: Some(proto),
            } => Some(format!("l\0{port}\0{proto}")),
            _ => None,
        }
    }

    /// Whether this (possibly pattern) entry covers the observed `o`.
    fn covers(&self, o: &Observed) -> bool {
        match (self, o) {
            (Key::Process { exe, args }, Observed::Process { exe: e, args: a }) => {
                glob(exe, e) && glob(args, a)
            }
            (Key::FileWrite { path }, Observed::FileWrite { dir, .. }) => {
                glob(path, dir) || path == dir
            }
            (
                Key::Connect {
                    address,
                    port,
                    proto,
                },
                Observed::Connect {
                    ip,
                    port: p,
                    proto: pr,
                },
            ) => {
                Net::parse(address).is_some_and(|n| n.contains(*ip))
                    && port.is_none_or(|x| x == *p)
                    && proto.as_deref().is_none_or(|x| x == pr)
            }
            (Key::Listen { port, proto }, Observed::Listen { port: p, proto: pr }) => {
                port == p && proto.as_deref().is_none_or(|x| x == pr)
            }
            _ => false,
        }
    }

    /// How the entry reads in alerts and `baseline show`.
    pub fn describe(&self) -> String {
        match self {
            Key::Process { exe, args } if args.is_empty() => exe.clone(),
            Key::Process { exe, args } => format!("{exe} {args}"),
            Key::FileWrite { path } => path.clone(),
            Key::Connect {
                address,
                port,
                proto,
            } => format!(
                "{address}:{} {}",
                port.map_or("*".to_string(), |p| p.to_string()),
                proto.as_deref().unwrap_or("*")
            ),
            Key::Listen { port, proto } => {
                format!("{port} {}", proto.as_deref().unwrap_or("*"))
            }
        }
    }
}

/// Activity seen in one event, shaped.
#[derive(Debug, Clone, PartialEq)]
enum Observed {
    Process {
        exe: String,
        args: String,
    },
    FileWrite {
        dir: String,
    },
    Connect {
        ip: std::net::IpAddr,
        port: u16,
        proto: String,
    },
    Listen {
        port: u16,
        proto: String,
    },
}

impl Observed {
    fn of(e: &SyscallEvent) -> Option<Observed> {
        if e.res.is_some_and(|r| r < 0) {
            return None;
        }
        let name = e.kind.name();
        match name {
            "execve" | "execveat" => {
                let p = &e.process;
                let exe = p
                    .exepath
                    .clone()
                    .or_else(|| p.exe.clone())
                    .or_else(|| p.name.clone())?;
                let args = shape::args(p.args.as_deref().unwrap_or(&[]));
                Some(Observed::Process { exe, args })
            }
            "open" | "openat" | "openat2" | "creat" => {
                let flags = e.open_flags?;
                if !flags.write {
                    return None;
                }
                let path = e.fd.as_ref()?.name.as_deref()?;
                Some(Observed::FileWrite {
                    dir: shape::written_dir(path),
                })
            }
            "connect" => {
                let fd = e.fd.as_ref()?;
                if fd.is_server {
                    return None;
                }
                Some(Observed::Connect {
                    ip: fd.server_ip?,
                    port: fd.server_port?,
                    proto: fd.l4proto.clone().unwrap_or_else(|| "tcp".into()),
                })
            }
            "listen" | "bind" => {
                let fd = e.fd.as_ref()?;
                Some(Observed::Listen {
                    port: fd.server_port?,
                    proto: fd.l4proto.clone().unwrap_or_else(|| "tcp".into()),
                })
            }
            _ => None,
        }
    }

    /// The exact-match index key of the entry this would learn (as [`Key::exact`]), built
    /// without building the entry.
    fn exact(&self) -> String {
        match self {
            Observed::Process { exe, args } => format!("p\0{exe}\0{args}"),
            Observed::FileWrite { dir } => format!("f\0{dir}"),
            Observed::Connect { ip, port, proto } => format!("c\0{ip}\0{port}\0{proto}"),
            Observed::Listen { port, proto } => format!("l\0{port}\0{proto}"),
        }
    }

    fn key(&self) -> Key {
        match self {
            Observed::Process { exe, args } => Key::Process {
                exe: exe.clone(),
                args: args.clone(),
            },
            Observed::FileWrite { dir } => Key::FileWrite { path: dir.clone() },
            Observed::Connect { ip, port, proto } => Key::Connect {
                address: ip.to_string(),
                port: Some(*port),
                proto: Some(proto.clone()),
            },
            Observed::Listen { port, proto } => Key::Listen {
                port: *port,
                proto: Some(proto.clone()),
            },
        }
    }
}

/// Whether an entry is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryStatus {
    /// Seen while learning; decided at lock.
    Learning,
    /// Allowed: no alert.
    Allowed,
    /// Not allowed: seen too rarely, or with a threat-profile match, while learning.
    Flagged,
}

impl EntryStatus {
    /// The name in files.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Learning => "learning",
            EntryStatus::Allowed => "allowed",
            EntryStatus::Flagged => "flagged",
        }
    }
}

/// One entry of a baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// What it allows.
    pub key: Key,
    /// Its status.
    pub status: EntryStatus,
    /// Why it is flagged.
    pub reason: Option<String>,
    /// Events seen while learning.
    pub observations: u64,
    /// Distinct pods seen while learning (at most eight kept).
    pub pods: Vec<String>,
}

/// Whether a baseline is learning or enforced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Learning.
    Learning,
    /// Locked: drift alerts.
    Locked,
}

/// One workload's baseline.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The workload.
    pub workload: WorkloadKey,
    /// Learning or locked.
    pub state: State,
    /// Event time learning started, nanoseconds since the epoch.
    pub started_ns: Option<i64>,
    /// Events learned from.
    pub events: u64,
    /// Distinct pods seen while learning (at most eight kept).
    pub pods: Vec<String>,
    /// Entries, in the order first seen (or written).
    pub entries: Vec<Entry>,
    exact: HashMap<String, usize>,
    patterns: Vec<usize>,
}

impl Baseline {
    /// A new, empty, learning baseline.
    pub fn new(workload: WorkloadKey) -> Baseline {
        Baseline {
            workload,
            state: State::Learning,
            started_ns: None,
            events: 0,
            pods: Vec::new(),
            entries: Vec::new(),
            exact: HashMap::new(),
            patterns: Vec::new(),
        }
    }

    /// Adds an entry (from a file, or learned).
    pub fn push(&mut self, entry: Entry) {
        let i = self.entries.len();
        match entry.key.exact() {
            Some(k) => {
                self.exact.entry(k).or_insert(i);
            }
            None => self.patterns.push(i),
        }
        self.entries.push(entry);
    }

    fn find(&self, o: &Observed) -> Option<usize> {
        if let Some(i) = self.exact.get(&o.exact()) {
            return Some(*i);
        }
        // A process with a glob, a directory pattern, a network: scan the patterns, allowed
        // ones first so that a flagged narrow entry does not hide an allowed wide one.
        let mut flagged = None;
        for &i in &self.patterns {
            let Some(e) = self.entries.get(i) else {
                continue;
            };
            if e.key.covers(o) {
                if e.status == EntryStatus::Allowed {
                    return Some(i);
                }
                flagged.get_or_insert(i);
            }
        }
        flagged
    }

    /// Locks the baseline, deciding every learning entry: allowed when seen often enough in
    /// enough pods, flagged (with the reason) otherwise.
    pub fn lock(&mut self, settings: &Settings) {
        let pods_needed = settings.min_pods.min(self.pods.len()).max(1);
        for e in &mut self.entries {
            if e.status != EntryStatus::Learning {
                continue;
            }
            if e.observations < settings.min_observations {
                e.status = EntryStatus::Flagged;
                e.reason = Some(if e.observations <= 1 {
                    "seen once while learning".to_string()
                } else {
                    format!(
                        "seen {} times while learning (fewer than {})",
                        e.observations, settings.min_observations
                    )
                });
            } else if e.pods.len() < pods_needed {
                e.status = EntryStatus::Flagged;
                e.reason = Some(format!(
                    "seen in {} of {} pods while learning (fewer than {pods_needed})",
                    e.pods.len(),
                    self.pods.len()
                ));
            } else {
                e.status = EntryStatus::Allowed;
            }
        }
        self.state = State::Locked;
    }

    /// Counts of entries per status.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s| self.entries.iter().filter(|e| e.status == s).count();
        (
            n(EntryStatus::Allowed),
            n(EntryStatus::Flagged),
            n(EntryStatus::Learning),
        )
    }
}

fn add_pod(pods: &mut Vec<String>, pod: Option<&str>) {
    if let Some(p) = pod
        && pods.len() < MAX_PODS
        && !pods.iter().any(|x| x == p)
    {
        pods.push(p.to_string());
    }
}

/// What a drift alert reports besides the rule.
const CONTEXT: &[&str] = &[
    "evt.type",
    "proc.name",
    "proc.exepath",
    "proc.cmdline",
    "proc.pid",
    "user.name",
    "fd.name",
    "container.id",
    "container.name",
    "container.image.repository",
    "k8s.ns.name",
    "k8s.pod.name",
    "k8s.pod.owner.kind",
    "k8s.pod.owner.name",
];

/// Every workload's baseline, learning and enforcing.
#[derive(Debug)]
pub struct Baselines {
    settings: Settings,
    baselines: HashMap<WorkloadKey, Baseline>,
    /// Container id → workload, for containers whose pod context was known.
    by_container: HashMap<String, WorkloadKey>,
    context: Vec<(String, Field)>,
    alerted: HashSet<(WorkloadKey, String)>,
    newly_locked: Vec<WorkloadKey>,
    /// Drifts not alerted again because they were already alerted this run.
    pub repeats: u64,
}

impl Baselines {
    /// No baselines yet.
    pub fn new(settings: Settings) -> Baselines {
        Baselines {
            settings,
            baselines: HashMap::new(),
            by_container: HashMap::new(),
            context: CONTEXT
                .iter()
                .filter_map(|n| {
                    fields::resolve(crate::event::Source::Syscall, n, None)
                        .ok()
                        .map(|f| (n.to_string(), f))
                })
                .collect(),
            alerted: HashSet::new(),
            newly_locked: Vec::new(),
            repeats: 0,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Adds (or replaces) a baseline.
    pub fn insert(&mut self, b: Baseline) {
        self.baselines.insert(b.workload.clone(), b);
    }

    /// The baselines, sorted by workload.
    pub fn iter(&self) -> impl Iterator<Item = &Baseline> {
        let mut all: Vec<&Baseline> = self.baselines.values().collect();
        all.sort_by(|a, b| a.workload.cmp(&b.workload));
        all.into_iter()
    }

    /// The baseline of `workload`.
    pub fn get(&self, workload: &WorkloadKey) -> Option<&Baseline> {
        self.baselines.get(workload)
    }

    /// The workloads whose learning window ended since the last call: their files are due to
    /// be written.
    pub fn take_newly_locked(&mut self) -> Vec<WorkloadKey> {
        std::mem::take(&mut self.newly_locked)
    }

    /// Locks every learning baseline.
    pub fn lock_all(&mut self) {
        let settings = self.settings;
        for b in self.baselines.values_mut() {
            if b.state == State::Learning {
                b.lock(&settings);
            }
        }
    }

    /// Learns from or checks `event`. `profile_rules` names the threat-profile rules the
    /// event matched (they flag what is learned from it). Returns the drift alerts.
    pub fn observe(&mut self, event: &Event, profile_rules: &[&str], hostname: &str) -> Vec<Alert> {
        let Event::Syscall(e) = event else {
            return Vec::new();
        };
        let container_id = e.container.as_ref().map(|c| c.id.as_str());
        let cached = container_id.and_then(|id| self.by_container.get(id));
        let b = match cached.and_then(|w| self.baselines.get_mut(w)) {
            Some(b) => b,
            None => {
                let Some(workload) = WorkloadKey::of(e) else {
                    return Vec::new();
                };
                // A container belongs to one pod for its life; remember it once the pod is
                // known (a sensor may see a container's first events before its metadata).
                if let Some(id) = container_id
                    && e.k8s.as_ref().is_some_and(|k| k.pod_name.is_some())
                    && self.by_container.len() < MAX_CONTAINERS_REMEMBERED
                {
                    self.by_container.insert(id.to_string(), workload.clone());
                }
                self.baselines
                    .entry(workload.clone())
                    .or_insert_with(|| Baseline::new(workload))
            }
        };
        let observed = Observed::of(e);
        let settings = self.settings;
        let pod = e.k8s.as_ref().and_then(|k| k.pod_name.as_deref());
        if b.state == State::Learning {
            let started = *b.started_ns.get_or_insert(e.time_ns);
            let over = match settings.learn {
                Learn::Events(n) => b.events >= n,
                Learn::Duration(d) => e.time_ns.saturating_sub(started) >= d,
                Learn::Manual => false,
            };
            if over {
                b.lock(&settings);
                self.newly_locked.push(b.workload.clone());
            } else {
                b.events += 1;
                add_pod(&mut b.pods, pod);
                let Some(o) = observed else {
                    return Vec::new();
                };
                let i = match b.find(&o) {
                    Some(i) => i,
                    None => {
                        b.push(Entry {
                            key: o.key(),
                            status: EntryStatus::Learning,
                            reason: None,
                            observations: 0,
                            pods: Vec::new(),
                        });
                        b.entries.len() - 1
                    }
                };
                if let Some(entry) = b.entries.get_mut(i) {
                    entry.observations += 1;
                    add_pod(&mut entry.pods, pod);
                    if let Some(rule) = profile_rules.first()
                        && entry.status == EntryStatus::Learning
                    {
                        entry.status = EntryStatus::Flagged;
                        entry.reason = Some(format!(
                            "matched threat-profile rule `{rule}` while learning"
                        ));
                    }
                }
                return Vec::new();
            }
        }
        let Some(o) = observed else {
            return Vec::new();
        };
        let (why, status) = match b.find(&o).and_then(|i| b.entries.get(i)) {
            Some(entry) if entry.status == EntryStatus::Allowed => return Vec::new(),
            Some(entry) => (
                format!(
                    "flagged in the baseline: {}",
                    entry.reason.as_deref().unwrap_or("not allowed")
                ),
                "flagged",
            ),
            None => ("not in the baseline".to_string(), "new"),
        };
        let key = o.key();
        let described = key.describe();
        let workload = b.workload.clone();
        if self.alerted.len() < MAX_DRIFTS_REMEMBERED
            && !self.alerted.insert((workload.clone(), described.clone()))
        {
            self.repeats += 1;
            return Vec::new();
        }
        vec![self.alert(event, &workload, &key, &described, &why, status, hostname)]
    }

    #[allow(clippy::too_many_arguments)]
    fn alert(
        &self,
        event: &Event,
        workload: &WorkloadKey,
        key: &Key,
        described: &str,
        why: &str,
        status: &str,
        hostname: &str,
    ) -> Alert {
        let kind = key.kind();
        let time_ns = event.time_ns();
        let time = time_ns.map_or_else(|| crate::event::MISSING.to_string(), format_time);
        let clock = time.get(11..29).unwrap_or(&time).to_string();
        let mut output_fields = serde_json::Map::new();
        for (name, field) in &self.context {
            let v = fields::extract(field, event).map(|v| v.render());
            output_fields.insert(
                name.clone(),
                v.map_or(serde_json::Value::Null, serde_json::Value::String),
            );
        }
        output_fields.insert(
            "harrier.baseline.workload".into(),
            workload.to_string().into(),
        );
        output_fields.insert("harrier.baseline.kind".into(), kind.as_str().into());
        output_fields.insert("harrier.baseline.entry".into(), described.into());
        output_fields.insert("harrier.baseline.status".into(), status.into());
        let hostname = match event {
            Event::Syscall(e) => e.hostname.clone().unwrap_or_else(|| hostname.to_string()),
            Event::K8sAudit(_) => hostname.to_string(),
        };
        let what = match kind {
            Kind::Process => "Process",
            Kind::FileWrite => "File write",
            Kind::Connect => "Outbound connection",
            Kind::Listen => "Listening port",
        };
        let priority = Priority::Warning;
        Alert {
            rule: kind.rule().to_string(),
            priority,
            output: format!(
                "{clock}: {priority} {what} drifts from the baseline of {workload}: {described} ({why})"
            ),
            time,
            source: "syscall",
            tags: vec![
                "harrier.baseline".to_string(),
                "drift".to_string(),
                kind.as_str().to_string(),
            ],
            hostname,
            output_fields,
        }
    }
}
