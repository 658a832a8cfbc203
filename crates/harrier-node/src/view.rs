//! What a node shows, read under a root directory: file facts, static pod manifests, process
//! command lines and the kubelet config file.
//!
//! Everything is read through `root`, so a host filesystem mounted into a pod (`/host`) reads the
//! same as `/`. Owner names come from the root's own `/etc/passwd` and `/etc/group`, never from
//! the scanning machine's, because the ids only mean something on the node they belong to.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use harrier_core::yaml::{Node, Schema, parse_single};

use crate::flags::Flags;

/// Mode, owner and kind of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts {
    /// The path as seen on the node (without the root).
    pub path: String,
    /// Permission bits (`0o600`).
    pub mode: u32,
    /// Owner id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// Owner name from the root's `/etc/passwd`.
    pub user: Option<String>,
    /// Group name from the root's `/etc/group`.
    pub group: Option<String>,
    /// Whether it is a directory.
    pub is_dir: bool,
}

impl FileFacts {
    /// `user:group`, with the numeric id where the name is unknown (as `stat -c %U:%G` prints).
    pub fn owner(&self) -> String {
        let user = self.user.clone().unwrap_or_else(|| self.uid.to_string());
        let group = self.group.clone().unwrap_or_else(|| self.gid.to_string());
        format!("{user}:{group}")
    }
}

/// One container of a static pod: its name and its command followed by its args.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticContainer {
    /// The manifest it is in, as seen on the node.
    pub manifest: String,
    /// Container name.
    pub name: String,
    /// `command` then `args`.
    pub argv: Vec<String>,
    /// `env` entries with a literal `value` (those from `valueFrom` are not known on the node).
    pub env: BTreeMap<String, String>,
}

/// One running process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    /// Its pid.
    pub pid: u32,
    /// Its command line.
    pub argv: Vec<String>,
}

impl Process {
    /// Its environment, from `/proc/<pid>/environ` under `view`'s root (empty if unreadable).
    pub fn environment(&self, view: &NodeView) -> BTreeMap<String, String> {
        let path = view.host_path(&format!("/proc/{}/environ", self.pid));
        let Ok(bytes) = fs::read(path) else {
            return BTreeMap::new();
        };
        bytes
            .split(|b| *b == 0)
            .filter_map(|entry| {
                let entry = String::from_utf8_lossy(entry);
                let (name, value) = entry.split_once('=')?;
                Some((name.to_owned(), value.to_owned()))
            })
            .collect()
    }
}

/// Where a component's command line was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A running process.
    Process(u32),
    /// A static pod manifest.
    Manifest(String),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Process(pid) => write!(f, "process {pid}"),
            Source::Manifest(path) => write!(f, "{path}"),
        }
    }
}

/// A component's command line and where it came from.
#[derive(Debug, Clone)]
pub struct CommandLine {
    /// Where it was found.
    pub source: Source,
    /// Its flags.
    pub flags: Flags,
    /// Its environment (components such as etcd also read their settings from it).
    pub env: BTreeMap<String, String>,
}

/// A node's filesystem under a root.
///
/// Process command lines and static pods are read once, on first use, and kept: a scan asks for
/// them once per item.
#[derive(Debug, Clone)]
pub struct NodeView {
    root: PathBuf,
    users: BTreeMap<u32, String>,
    groups: BTreeMap<u32, String>,
    processes: OnceLock<Vec<Process>>,
    static_containers: OnceLock<Vec<StaticContainer>>,
}

impl Default for NodeView {
    fn default() -> Self {
        NodeView::new("/")
    }
}

impl NodeView {
    /// A view of the node whose `/` is `root`.
    pub fn new(root: impl Into<PathBuf>) -> NodeView {
        let root = root.into();
        let users = id_names(&root.join("etc/passwd"));
        let groups = id_names(&root.join("etc/group"));
        NodeView {
            root,
            users,
            groups,
            processes: OnceLock::new(),
            static_containers: OnceLock::new(),
        }
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The real path of a node path (`/etc/kubernetes` → `<root>/etc/kubernetes`).
    pub fn host_path(&self, node_path: &str) -> PathBuf {
        self.root.join(node_path.trim_start_matches('/'))
    }

    /// Facts of a file, or `None` if it does not exist. Symbolic links are followed: kube-bench's
    /// `stat -c` reports the link itself, but a link's own mode is always 777 on Linux, so the
    /// target is what the benchmark means.
    pub fn file(&self, node_path: &str) -> Option<FileFacts> {
        let meta = fs::metadata(self.host_path(node_path)).ok()?;
        Some(FileFacts {
            path: node_path.to_owned(),
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            user: self.users.get(&meta.uid()).cloned(),
            group: self.groups.get(&meta.gid()).cloned(),
            is_dir: meta.is_dir(),
        })
    }

    /// Facts of a directory and everything under it (as `find DIR`), sorted by path.
    pub fn tree(&self, node_path: &str) -> Vec<FileFacts> {
        let mut out = Vec::new();
        let mut stack = vec![node_path.trim_end_matches('/').to_owned()];
        while let Some(path) = stack.pop() {
            let Some(facts) = self.file(&path) else {
                continue;
            };
            let is_real_dir =
                fs::symlink_metadata(self.host_path(&path)).is_ok_and(|m| m.file_type().is_dir());
            // Links to directories are reported but not entered: `find` does not follow them
            // either, and a cycle would never end.
            if is_real_dir && let Ok(entries) = fs::read_dir(self.host_path(&path)) {
                for entry in entries.flatten() {
                    stack.push(format!("{path}/{}", entry.file_name().to_string_lossy()));
                }
            }
            out.push(facts);
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }

    /// The containers of the static pods in `/etc/kubernetes/manifests/*.yaml` (and `*.yml`,
    /// `*.json`), sorted by manifest. Files that do not parse are skipped.
    pub fn static_containers(&self) -> &[StaticContainer] {
        self.static_containers
            .get_or_init(|| self.read_static_containers())
    }

    fn read_static_containers(&self) -> Vec<StaticContainer> {
        let dir = "/etc/kubernetes/manifests";
        let Ok(entries) = fs::read_dir(self.host_path(dir)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml") || n.ends_with(".json"))
            .collect();
        names.sort();
        let mut out = Vec::new();
        for name in names {
            let manifest = format!("{dir}/{name}");
            let Ok(text) = fs::read_to_string(self.host_path(&manifest)) else {
                continue;
            };
            let loaded = harrier_k8s::load_text(Arc::from(manifest.as_str()), &text);
            for object in &loaded.objects {
                if object.resource.kind != "Pod" {
                    continue;
                }
                let containers = object
                    .node
                    .get_path("spec.containers")
                    .and_then(Node::as_seq)
                    .unwrap_or_default();
                for container in containers {
                    let words = |field: &str| -> Vec<String> {
                        container
                            .get(field)
                            .and_then(Node::as_seq)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|n| n.as_str().map(str::to_owned))
                            .collect()
                    };
                    let mut argv = words("command");
                    argv.extend(words("args"));
                    let env = container
                        .get("env")
                        .and_then(Node::as_seq)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|e| {
                            let name = e.get("name").and_then(Node::as_str)?;
                            let value = e.get("value").and_then(Node::as_str)?;
                            Some((name.to_owned(), value.to_owned()))
                        })
                        .collect();
                    out.push(StaticContainer {
                        manifest: manifest.clone(),
                        name: container
                            .get("name")
                            .and_then(Node::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        argv,
                        env,
                    });
                }
            }
        }
        out
    }

    /// The command lines in `/proc/*/cmdline`, sorted by pid. Kernel threads (empty command
    /// lines) are left out.
    pub fn processes(&self) -> &[Process] {
        self.processes.get_or_init(|| self.read_processes())
    }

    fn read_processes(&self) -> Vec<Process> {
        let Ok(entries) = fs::read_dir(self.host_path("/proc")) else {
            return Vec::new();
        };
        let mut out: Vec<Process> = entries
            .flatten()
            .filter_map(|e| {
                let pid = e.file_name().to_str()?.parse().ok()?;
                let bytes = fs::read(e.path().join("cmdline")).ok()?;
                let argv: Vec<String> = bytes
                    .split(|b| *b == 0)
                    .filter(|w| !w.is_empty())
                    .map(|w| String::from_utf8_lossy(w).into_owned())
                    .collect();
                (!argv.is_empty()).then_some(Process { pid, argv })
            })
            .collect();
        out.sort_by_key(|p| p.pid);
        out
    }

    /// The command line of a component (`kube-apiserver`, `kubelet`, `etcd`): a running process
    /// whose program is named so first, as kube-bench does with `ps`, else a static pod
    /// container whose command starts with it.
    pub fn command_line(&self, component: &str) -> Option<CommandLine> {
        let is_it = |argv: &[String]| {
            argv.first()
                .and_then(|p| p.rsplit('/').next())
                .is_some_and(|p| p == component)
        };
        if let Some(process) = self.processes().iter().find(|p| is_it(&p.argv)) {
            return Some(CommandLine {
                source: Source::Process(process.pid),
                flags: Flags::parse(&process.argv),
                env: process.environment(self),
            });
        }
        self.static_containers()
            .iter()
            .find(|c| is_it(&c.argv))
            .map(|c| CommandLine {
                source: Source::Manifest(c.manifest.clone()),
                flags: Flags::parse(&c.argv),
                env: c.env.clone(),
            })
    }

    /// The kubelet config file's node path: the running kubelet's `--config`, else kubeadm's
    /// `/var/lib/kubelet/config.yaml`.
    pub fn kubelet_config_path(&self) -> String {
        self.command_line("kubelet")
            .and_then(|c| c.flags.get("config").map(str::to_owned))
            .unwrap_or_else(|| "/var/lib/kubelet/config.yaml".to_owned())
    }

    /// A component's `--config` file (the kubelet's through [`NodeView::kubelet_config`]),
    /// parsed, with its path. A running process's file is read through `/proc/<pid>/root`
    /// first: kube-proxy runs in a pod and its config is a ConfigMap mounted in the container.
    pub fn component_config(&self, component: &str) -> Option<(String, Node)> {
        if component == "kubelet" {
            return self.kubelet_config();
        }
        let line = self.command_line(component)?;
        let path = line.flags.get("config")?.to_owned();
        let mut candidates = Vec::new();
        if let Source::Process(pid) = line.source {
            candidates.push(format!("/proc/{pid}/root{path}"));
        }
        candidates.push(path);
        candidates.into_iter().find_map(|p| {
            let text = fs::read_to_string(self.host_path(&p)).ok()?;
            let node = parse_single(&text, Schema::Kubernetes).ok()?;
            Some((p, node))
        })
    }

    /// The kubelet config file, parsed, with its node path; `None` if absent or unreadable.
    pub fn kubelet_config(&self) -> Option<(String, Node)> {
        let path = self.kubelet_config_path();
        let text = fs::read_to_string(self.host_path(&path)).ok()?;
        let node = parse_single(&text, Schema::Kubernetes).ok()?;
        Some((path, node))
    }
}

/// `name:x:id:...` lines of a passwd or group file, as id → name (the first name wins).
fn id_names(path: &Path) -> BTreeMap<u32, String> {
    let mut out = BTreeMap::new();
    let Ok(text) = fs::read_to_string(path) else {
        return out;
    };
    for line in text.lines() {
        let mut fields = line.split(':');
        let (Some(name), Some(_), Some(id)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        if let Ok(id) = id.parse() {
            out.entry(id).or_insert_with(|| name.to_owned());
        }
    }
    out
}
