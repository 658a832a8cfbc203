//! What a node shows, read under a root directory: file facts, static pod manifests, process
//! command lines and the kubelet config file.
//!
//! Everything is read through `root`, so a host filesystem mounted into a pod (`/host`) reads the
//! same as `/`. Owner names come from the root's own `/etc/passwd` and `/etc/group`, never from
//! the scanning machine's, because the ids only mean something on the node they belong to.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use harrier_core::yaml::{Node, Schema, parse_single};

use crate::flags::Flags;
use crate::profile::{Distribution, Layout, Profile};

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
    /// A distribution running the component inside its own process (K3s): its process, if
    /// running, and its config file, if present.
    Embedded(String),
    /// A config file that replaces the command line (etcd's `--config-file`).
    ConfigFile(String),
    /// A systemd unit and its drop-ins (no process visible).
    Unit(String),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Process(pid) => write!(f, "process {pid}"),
            Source::Manifest(path) | Source::Embedded(path) | Source::ConfigFile(path) => {
                write!(f, "{path}")
            }
            Source::Unit(files) => write!(f, "systemd unit {files}"),
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
    /// Where single flags came from when that differs from `source` (K3s: a built-in default,
    /// its config file, its command line).
    pub origins: BTreeMap<String, String>,
}

impl CommandLine {
    /// Where a flag (without dashes) was seen: its own origin, else the line's source.
    pub fn origin(&self, flag: &str) -> String {
        self.origins
            .get(flag)
            .cloned()
            .unwrap_or_else(|| self.source.to_string())
    }
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
    profile: Profile,
    processes: OnceLock<Vec<Process>>,
    static_containers: OnceLock<Vec<StaticContainer>>,
    /// Node path → the same with links resolved inside the root (see
    /// [`NodeView::host_path`]); a view reads its node once, so answers do not go stale.
    resolved: Arc<Mutex<HashMap<String, Option<String>>>>,
    /// Component → its command line, once found.
    lines: Arc<Mutex<HashMap<String, Option<CommandLine>>>>,
    /// A single-process distribution's custom data directory, once read.
    data_dir: OnceLock<Option<String>>,
    /// Where `/proc` is read instead of `<root>/proc`.
    proc_dir: Option<PathBuf>,
}

impl Default for NodeView {
    fn default() -> Self {
        NodeView::new("/")
    }
}

impl NodeView {
    /// A view of the kubeadm node whose `/` is `root`.
    pub fn new(root: impl Into<PathBuf>) -> NodeView {
        NodeView::with_profile(root, Profile::Kubeadm)
    }

    /// A view of the node whose `/` is `root`, laid out as `profile` says.
    pub fn with_profile(root: impl Into<PathBuf>, profile: Profile) -> NodeView {
        let root = root.into();
        let users = id_names(&root.join("etc/passwd"));
        let groups = id_names(&root.join("etc/group"));
        NodeView {
            root,
            users,
            groups,
            profile,
            processes: OnceLock::new(),
            static_containers: OnceLock::new(),
            resolved: Arc::default(),
            lines: Arc::default(),
            data_dir: OnceLock::new(),
            proc_dir: None,
        }
    }

    /// The same view with processes read from `dir` instead of `<root>/proc`: a pod that
    /// shares the host's PID namespace (`hostPID: true`) and mounts the host's filesystem at
    /// `/host` sees the host's processes in its own `/proc`.
    pub fn with_proc_dir(mut self, dir: impl Into<PathBuf>) -> NodeView {
        self.proc_dir = Some(dir.into());
        self.processes = OnceLock::new();
        self.lines = Arc::default();
        self
    }

    /// The same node read as another layout, keeping what does not depend on the layout
    /// (processes, owner names, resolved links): detection then scanning reads `/proc` once.
    pub fn as_profile(&self, profile: Profile) -> NodeView {
        NodeView {
            root: self.root.clone(),
            users: self.users.clone(),
            groups: self.groups.clone(),
            profile,
            processes: self.processes.clone(),
            static_containers: OnceLock::new(),
            resolved: Arc::clone(&self.resolved),
            lines: Arc::default(),
            data_dir: OnceLock::new(),
            proc_dir: self.proc_dir.clone(),
        }
    }

    /// The root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The layout this view reads the node as.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    pub(crate) fn layout(&self) -> &'static Layout {
        self.profile.layout()
    }

    /// Where a file that kubeadm keeps at `kubeadm_path` is on this node's layout (none: the
    /// layout has no such file).
    pub fn locate(&self, kubeadm_path: &str) -> Vec<String> {
        self.profile
            .locate(kubeadm_path)
            .into_iter()
            .map(|p| self.rebase(&p))
            .collect()
    }

    /// The node's host name, from its `/etc/hostname`.
    pub fn hostname(&self) -> Option<String> {
        let text = fs::read_to_string(self.host_path("/etc/hostname")).ok()?;
        let name = text.lines().next()?.trim();
        (!name.is_empty()).then(|| name.to_owned())
    }

    /// The real path of a node path (`/etc/kubernetes` → `<root>/etc/kubernetes`), with
    /// symbolic links resolved inside the root: a link to `/etc/pki/k8s` on a node mounted at
    /// `/host` means `/host/etc/pki/k8s`, not the scanning machine's `/etc/pki/k8s`. With the
    /// root `/` the kernel resolves them. Paths under `/proc` are left to the kernel too: its
    /// links (`/proc/<pid>/root`) mean the process's own view, which only the kernel knows.
    /// `/proc` itself is read from [`NodeView::with_proc_dir`]'s directory when one is set.
    pub fn host_path(&self, node_path: &str) -> PathBuf {
        if let Some(proc_dir) = &self.proc_dir
            && let Some(rest) = node_path.strip_prefix("/proc")
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return proc_dir.join(rest.trim_start_matches('/'));
        }
        let plain = self.root.join(node_path.trim_start_matches('/'));
        if self.root == Path::new("/") || node_path.starts_with("/proc/") {
            return plain;
        }
        match self.resolve_in_root(node_path) {
            Some(resolved) => self.root.join(resolved.trim_start_matches('/')),
            None => plain,
        }
    }

    /// A node path with every symbolic link in it resolved against the root; `None` when a
    /// link cannot be read or a chain has more than 40 links (a loop).
    fn resolve_in_root(&self, node_path: &str) -> Option<String> {
        let mut links = 0;
        let resolved = self.resolve_cached(node_path, &mut links)?;
        Some(if resolved.is_empty() {
            "/".to_owned()
        } else {
            resolved
        })
    }

    /// [`NodeView::resolve_in_root`] with each path's answer kept, so that the files of one
    /// directory cost one `lstat` each rather than one per component of their path. The
    /// root itself is `""`.
    fn resolve_cached(&self, path: &str, links: &mut u32) -> Option<String> {
        let path = path.trim_end_matches('/');
        if path.is_empty() {
            return Some(String::new());
        }
        if let Ok(cache) = self.resolved.lock()
            && let Some(hit) = cache.get(path)
        {
            return hit.clone();
        }
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        let parent = self.resolve_cached(parent, links)?;
        let out = match name {
            "" | "." => Some(parent),
            ".." => Some(
                parent
                    .rsplit_once('/')
                    .map_or(String::new(), |(up, _)| up.to_owned()),
            ),
            _ => {
                let candidate = format!("{parent}/{name}");
                let real = self.root.join(candidate.trim_start_matches('/'));
                match fs::symlink_metadata(&real) {
                    Ok(m) if m.file_type().is_symlink() => {
                        *links += 1;
                        if *links > 40 {
                            return None;
                        }
                        let target = fs::read_link(&real).ok()?;
                        let target = target.to_string_lossy();
                        let joined = if target.starts_with('/') {
                            target.into_owned()
                        } else {
                            format!("{parent}/{target}")
                        };
                        self.resolve_cached(&joined, links)
                    }
                    _ => Some(candidate),
                }
            }
        };
        if let Ok(mut cache) = self.resolved.lock() {
            // Bounded: a scan visits a few thousand paths; a pathological tree only loses the
            // cache, not correctness.
            if cache.len() >= 100_000 {
                cache.clear();
            }
            cache.insert(path.to_owned(), out.clone());
        }
        out
    }

    /// `lstat` of a node path: links in its parent are resolved, the last component is not.
    fn lstat(&self, node_path: &str) -> Option<fs::Metadata> {
        let (parent, name) = node_path.rsplit_once('/')?;
        fs::symlink_metadata(
            self.host_path(if parent.is_empty() { "/" } else { parent })
                .join(name),
        )
        .ok()
    }

    /// Facts of a file, or `None` if it does not exist. Symbolic links are followed (inside
    /// the root, see [`NodeView::host_path`]): kube-bench's `stat -c` reports the link itself,
    /// but a link's own mode is always 777 on Linux, so the target is what the benchmark means.
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

    /// Facts of a directory and everything under it (as `find DIR/`, which follows `DIR`
    /// itself when it is a link), sorted by path.
    pub fn tree(&self, node_path: &str) -> Vec<FileFacts> {
        let mut out = Vec::new();
        let start = node_path.trim_end_matches('/').to_owned();
        let mut stack = vec![start.clone()];
        while let Some(path) = stack.pop() {
            let Some(facts) = self.file(&path) else {
                continue;
            };
            let is_real_dir = if path == start {
                facts.is_dir
            } else {
                self.lstat(&path).is_some_and(|m| m.file_type().is_dir())
            };
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

    /// The containers of the static pods in the layout's manifest directories
    /// (`/etc/kubernetes/manifests/*.yaml`, `*.yml`, `*.json` on kubeadm), sorted by manifest.
    /// Files that do not parse are skipped.
    pub fn static_containers(&self) -> &[StaticContainer] {
        self.static_containers
            .get_or_init(|| self.read_static_containers())
    }

    fn read_static_containers(&self) -> Vec<StaticContainer> {
        let mut out = Vec::new();
        for dir in self.layout().manifest_dirs {
            self.read_manifest_dir(&self.rebase(dir), &mut out);
        }
        out
    }

    fn read_manifest_dir(&self, dir: &str, out: &mut Vec<StaticContainer>) {
        let Ok(entries) = fs::read_dir(self.host_path(dir)) else {
            return;
        };
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml") || n.ends_with(".json"))
            .collect();
        names.sort();
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
    ///
    /// On K3s, the components run inside the k3s process: their flags are K3s's own defaults,
    /// then `<component>-arg` entries of `/etc/rancher/k3s/config.yaml` (and
    /// `config.yaml.d/*.yaml`), then those of the k3s command line, the later winning. etcd
    /// given `--config-file` (RKE2, K3s) is read from that file, as etcd ignores its other
    /// flags then.
    pub fn command_line(&self, component: &str) -> Option<CommandLine> {
        // Items ask for the same few components again and again; each answer reads files
        // (environ, config files), so it is kept for the view's life.
        if let Ok(cache) = self.lines.lock()
            && let Some(hit) = cache.get(component)
        {
            return hit.clone();
        }
        let line = self.find_command_line(component);
        if let Ok(mut cache) = self.lines.lock() {
            cache.insert(component.to_owned(), line.clone());
        }
        line
    }

    fn find_command_line(&self, component: &str) -> Option<CommandLine> {
        if let Some(embedded) = &self.layout().distribution
            && let Some(line) = self.embedded_command_line(embedded, component)
        {
            return Some(line);
        }
        let line = match self.plain_command_line(component) {
            Some(line) => line,
            None if component == "kubelet" => self.unit_command_line("kubelet.service")?,
            None => return None,
        };
        if component == "etcd"
            && let Some(path) = line.flags.get("config-file")
            && let Some(from_file) = self.etcd_config_file(path, &line.source)
        {
            return Some(from_file);
        }
        Some(line)
    }

    /// A command line from a systemd unit; each flag's origin is the file its word came from.
    fn unit_command_line(&self, unit: &str) -> Option<CommandLine> {
        let command = crate::unit::command(self, unit)?;
        let argv: Vec<&str> = command.words.iter().map(|(w, _)| w.as_str()).collect();
        let mut origins = BTreeMap::new();
        for (word, file) in &command.words {
            if let Some(body) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) {
                let name = body.split_once('=').map_or(body, |(n, _)| n);
                origins.insert(name.to_owned(), file.clone());
            }
        }
        Some(CommandLine {
            source: Source::Unit(command.files.join(", ")),
            flags: Flags::parse(&argv),
            env: BTreeMap::new(),
            origins,
        })
    }

    fn plain_command_line(&self, component: &str) -> Option<CommandLine> {
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
                origins: BTreeMap::new(),
            });
        }
        self.static_containers()
            .iter()
            .find(|c| is_it(&c.argv))
            .map(|c| CommandLine {
                source: Source::Manifest(c.manifest.clone()),
                flags: Flags::parse(&c.argv),
                env: c.env.clone(),
                origins: BTreeMap::new(),
            })
    }

    /// etcd's settings from its `--config-file` (YAML: flag names as keys, TLS settings under
    /// `client-transport-security` and `peer-transport-security`). A running etcd's file is
    /// read through `/proc/<pid>/root` first.
    fn etcd_config_file(&self, path: &str, source: &Source) -> Option<CommandLine> {
        let mut candidates = Vec::new();
        if let Source::Process(pid) = source {
            candidates.push(format!("/proc/{pid}/root{path}"));
        }
        candidates.push(path.to_owned());
        let node = candidates.iter().find_map(|p| {
            let text = fs::read_to_string(self.host_path(p)).ok()?;
            parse_single(&text, Schema::Kubernetes).ok()
        })?;
        Some(CommandLine {
            source: Source::ConfigFile(format!("{source}: --config-file {path}")),
            flags: Flags::from_pairs(etcd_config_flags(&node)),
            env: BTreeMap::new(),
            origins: BTreeMap::new(),
        })
    }

    /// A component of a single-process distribution (K3s); `None` when the distribution shows
    /// neither its process nor its config, or does not run the component on this node.
    fn embedded_command_line(
        &self,
        embedded: &Distribution,
        component: &str,
    ) -> Option<CommandLine> {
        let option = embedded
            .passthrough
            .iter()
            .find(|(c, _)| *c == component)
            .map(|(_, o)| *o)?;
        let process = self.embedded_process(embedded);
        let command = self.embedded_command(embedded);
        let process_flags = command.as_ref().map(|(argv, _)| Flags::parse(argv));
        let configs = self.embedded_configs(embedded);
        if command.is_none() && configs.is_empty() {
            return None;
        }
        let control_plane = matches!(
            component,
            "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "etcd"
        );
        let is_server = match &command {
            Some((argv, _)) => argv.get(1).is_some_and(|m| m == "server"),
            None => self
                .file(&self.rebase(&format!("{}/server", embedded.data_dir)))
                .is_some(),
        };
        if control_plane && !is_server {
            return None;
        }
        let mut sources = Vec::new();
        if let Some((_, origin)) = &command {
            sources.push(origin.clone());
        }
        sources.extend(configs.iter().map(|(path, _)| path.clone()));
        let mut flags = Flags::default();
        let mut origins = BTreeMap::new();
        let mut set = |name: &str, value: &str, origin: &str| {
            flags.push(name, value);
            origins.insert(name.to_owned(), origin.to_owned());
        };
        if component == "etcd" {
            // Distribution etcd is configured by the file K3s writes for it; without it the
            // datastore is not etcd (SQLite or an external database through kine).
            let etcd_config = self.rebase(embedded.etcd_config);
            let text = fs::read_to_string(self.host_path(&etcd_config)).ok()?;
            let node = parse_single(&text, Schema::Kubernetes).ok()?;
            for (name, value) in etcd_config_flags(&node) {
                set(&name, &value, &etcd_config);
            }
        }
        let default_origin = format!("{} default", embedded.program);
        for (name, value) in embedded
            .defaults
            .iter()
            .filter(|(c, _)| *c == component)
            .flat_map(|(_, flags)| flags.iter())
        {
            set(name, &self.rebase(value), &default_origin);
        }
        // Top-level options that K3s turns into component flags.
        let shorthand = |key: &str| -> Option<(&'static str, String)> {
            match (component, key) {
                ("kubelet", "protect-kernel-defaults") => {
                    Some(("protect-kernel-defaults", "true".to_owned()))
                }
                ("kube-apiserver", "secrets-encryption") => Some((
                    "encryption-provider-config",
                    self.rebase(&format!(
                        "{}/server/cred/encryption-config.json",
                        embedded.data_dir
                    )),
                )),
                _ => None,
            }
        };
        for (path, node) in &configs {
            for key in ["protect-kernel-defaults", "secrets-encryption"] {
                if node.get(key).and_then(Node::as_bool) == Some(true)
                    && let Some((name, value)) = shorthand(key)
                {
                    set(name, &value, &format!("{path}: {key}"));
                }
            }
            let values: Vec<String> = match node.get(option) {
                Some(n) => match n.as_seq() {
                    Some(items) => items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_owned))
                        .collect(),
                    None => n.as_str().map(str::to_owned).into_iter().collect(),
                },
                None => Vec::new(),
            };
            for value in values {
                let (name, value) = passthrough(&value);
                set(name, value, &format!("{path}: {option}"));
            }
        }
        if let (Some((_, origin)), Some(argv)) = (&command, &process_flags) {
            for key in ["protect-kernel-defaults", "secrets-encryption"] {
                if argv.get(key) == Some("true")
                    && let Some((name, value)) = shorthand(key)
                {
                    set(name, &value, &format!("{origin}: --{key}"));
                }
            }
            for value in argv.get_all(option) {
                let (name, value) = passthrough(value);
                set(name, value, &format!("{origin}: --{option}"));
            }
        }
        Some(CommandLine {
            source: Source::Embedded(sources.join(", ")),
            flags,
            env: process.map(|p| p.environment(self)).unwrap_or_default(),
            origins,
        })
    }

    fn embedded_process(&self, embedded: &Distribution) -> Option<&Process> {
        self.processes().iter().find(|p| {
            p.argv
                .first()
                .and_then(|a| a.rsplit('/').next())
                .is_some_and(|name| name == embedded.program)
        })
    }

    /// The distribution's own command line: its process, else its systemd unit's `ExecStart`
    /// (a disk without `/proc`), with where it was read.
    fn embedded_command(&self, embedded: &Distribution) -> Option<(Vec<String>, String)> {
        match self.embedded_process(embedded) {
            Some(p) => Some((
                p.argv.clone(),
                format!("{} process {}", embedded.program, p.pid),
            )),
            None => embedded.units.iter().find_map(|unit| {
                let c = crate::unit::command(self, unit)?;
                let argv = c.words.into_iter().map(|(w, _)| w).collect();
                Some((argv, format!("systemd unit {}", c.files.join(", "))))
            }),
        }
    }

    /// A single-process distribution's data directory when it is not the default
    /// (`--data-dir`/`-d` on its command line, else `data-dir` in its config files).
    fn custom_data_dir(&self) -> Option<&str> {
        self.data_dir
            .get_or_init(|| {
                let embedded = self.layout().distribution.as_ref()?;
                let from_command = self.embedded_command(embedded).and_then(|(argv, _)| {
                    let flags = Flags::parse(&argv);
                    flags
                        .get("data-dir")
                        .or_else(|| flags.get("d"))
                        .map(str::to_owned)
                });
                let dir = from_command.or_else(|| {
                    self.embedded_configs(embedded)
                        .iter()
                        .rev()
                        .find_map(|(_, node)| node.get("data-dir")?.as_str().map(str::to_owned))
                })?;
                let dir = dir.trim_end_matches('/').to_owned();
                (dir != embedded.data_dir).then_some(dir)
            })
            .as_deref()
    }

    /// A path under the distribution's default data directory moved to its custom one.
    fn rebase(&self, path: &str) -> String {
        if let (Some(custom), Some(embedded)) =
            (self.custom_data_dir(), &self.layout().distribution)
            && let Some(rest) = path.strip_prefix(embedded.data_dir)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            return format!("{custom}{rest}");
        }
        path.to_owned()
    }

    /// A single-process distribution's config file and its `config.yaml.d/*.yaml` drop-ins,
    /// in the order the distribution reads them; unreadable ones are left out.
    fn embedded_configs(&self, embedded: &Distribution) -> Vec<(String, Node)> {
        let mut paths = vec![embedded.config.to_owned()];
        let dir = format!("{}.d", embedded.config);
        if let Ok(entries) = fs::read_dir(self.host_path(&dir)) {
            let mut names: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
                .collect();
            names.sort();
            paths.extend(names.into_iter().map(|n| format!("{dir}/{n}")));
        }
        paths
            .into_iter()
            .filter_map(|path| {
                let text = fs::read_to_string(self.host_path(&path)).ok()?;
                let node = parse_single(&text, Schema::Kubernetes).ok()?;
                Some((path, node))
            })
            .collect()
    }

    /// The kubelet config file's node path: the running kubelet's `--config`, else the
    /// layout's (kubeadm's `/var/lib/kubelet/config.yaml`; EKS's
    /// `/etc/kubernetes/kubelet/kubelet-config.json`…).
    pub fn kubelet_config_path(&self) -> String {
        self.command_line("kubelet")
            .and_then(|c| c.flags.get("config").map(str::to_owned))
            .unwrap_or_else(|| self.first_existing(self.layout().kubelet_config))
    }

    /// The kubelet's kubeconfig: its `--kubeconfig`, else the layout's.
    pub fn kubelet_kubeconfig_path(&self) -> String {
        self.command_line("kubelet")
            .and_then(|c| c.flags.get("kubeconfig").map(str::to_owned))
            .unwrap_or_else(|| self.first_existing(self.layout().kubelet_kubeconfig))
    }

    /// The layout's default kubelet client CA.
    pub(crate) fn default_kubelet_client_ca(&self) -> String {
        self.first_existing(self.layout().kubelet_client_ca)
    }

    /// The first of these paths that exists, else the first.
    fn first_existing(&self, paths: &[&str]) -> String {
        let paths: Vec<String> = paths.iter().map(|p| self.rebase(p)).collect();
        paths
            .iter()
            .find(|p| self.file(p).is_some())
            .or(paths.first())
            .cloned()
            .unwrap_or_default()
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

    /// A component's config files, the one whose settings win first: for the kubelet, the
    /// drop-ins of its `--config-dir` (last in name order first) and then its `--config`
    /// ([`NodeView::kubelet_configs`]); for others, their `--config`.
    pub fn component_configs(&self, component: &str) -> Vec<(String, Node)> {
        if component == "kubelet" {
            return self.kubelet_configs();
        }
        self.component_config(component).into_iter().collect()
    }

    /// The kubelet config file, parsed, with its node path; `None` if absent or unreadable.
    pub fn kubelet_config(&self) -> Option<(String, Node)> {
        let path = self.kubelet_config_path();
        let text = fs::read_to_string(self.host_path(&path)).ok()?;
        let node = parse_single(&text, Schema::Kubernetes).ok()?;
        Some((path, node))
    }

    /// The kubelet's drop-in config files: `*.conf` in its `--config-dir`, in name order (the
    /// order the kubelet merges them in, each over the ones before and over `--config`).
    pub fn kubelet_drop_ins(&self) -> Vec<String> {
        let Some(dir) = self
            .command_line("kubelet")
            .and_then(|c| c.flags.get("config-dir").map(str::to_owned))
        else {
            return Vec::new();
        };
        let Ok(entries) = fs::read_dir(self.host_path(&dir)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".conf"))
            .collect();
        names.sort();
        let dir = dir.trim_end_matches('/');
        names.into_iter().map(|n| format!("{dir}/{n}")).collect()
    }

    /// The kubelet's config files that exist: `--config` (or the layout's), then the drop-ins.
    pub fn kubelet_config_files(&self) -> Vec<String> {
        let mut out = vec![self.kubelet_config_path()];
        for drop_in in self.kubelet_drop_ins() {
            if !out.contains(&drop_in) {
                out.push(drop_in);
            }
        }
        out
    }

    /// The kubelet's config, the file that wins first: drop-ins from last to first, then the
    /// `--config` file. A setting is read from the first file that has it (the kubelet's merge
    /// replaces scalars and lists, and merges maps key by key, which a dotted key lookup in
    /// this order reproduces). Files that do not parse are left out.
    pub fn kubelet_configs(&self) -> Vec<(String, Node)> {
        let mut files = self.kubelet_config_files();
        files.reverse();
        files
            .into_iter()
            .filter_map(|path| {
                let text = fs::read_to_string(self.host_path(&path)).ok()?;
                let node = parse_single(&text, Schema::Kubernetes).ok()?;
                Some((path, node))
            })
            .collect()
    }
}

/// A passthrough value (`anonymous-auth=false`, `--profiling=false`, `profiling`) as a flag
/// name and value; a bare name is a boolean set to true.
fn passthrough(value: &str) -> (&str, &str) {
    let value = value.trim().trim_start_matches('-');
    value.split_once('=').unwrap_or((value, "true"))
}

/// etcd's YAML config file as flags: top-level scalar keys are flag names; the TLS settings
/// nest under `client-transport-security` (`cert-file` → `--cert-file`) and
/// `peer-transport-security` (`cert-file` → `--peer-cert-file`).
fn etcd_config_flags(node: &Node) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(map) = node.as_map() else {
        return out;
    };
    for entry in map.entries() {
        let prefix = match entry.key.as_str() {
            "client-transport-security" => Some(""),
            "peer-transport-security" => Some("peer-"),
            _ => None,
        };
        match (prefix, entry.value.as_map()) {
            (Some(prefix), Some(tls)) => {
                for e in tls.entries() {
                    if let Some(value) = scalar(&e.value) {
                        out.push((format!("{prefix}{}", e.key), value));
                    }
                }
            }
            _ => {
                if let Some(value) = scalar(&entry.value) {
                    out.push((entry.key.clone(), value));
                }
            }
        }
    }
    out
}

fn scalar(node: &Node) -> Option<String> {
    use harrier_core::yaml::Value;
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        _ => None,
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
