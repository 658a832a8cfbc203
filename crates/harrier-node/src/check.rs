//! The shape of a node check: what it reads ([`Target`], component flags), what it compares
//! ([`Test`]), and the result it gives ([`NodeResult`]).
//!
//! Checks are data, one [`NodeCheck`] const per benchmark item, in the tables of
//! [`crate::checks`]; the one evaluator here runs them all. The tests are the operations
//! kube-bench's definitions use (`bitmask`, `eq`, `has`, `nothave`, `gte`, `valid_elements`,
//! `set`, `bin_op`), so a benchmark item is transcribed rather than programmed.

use serde::Serialize;

use crate::view::{FileFacts, NodeView};

/// A result's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// The node meets the item.
    Pass,
    /// The node does not meet the item.
    Fail,
    /// The item could not be judged from what the node shows (a file or component is missing).
    Warn,
    /// The item needs a person to judge it.
    Manual,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Manual => "MANUAL",
        })
    }
}

/// A benchmark and version: the CIS Kubernetes Benchmark (which kubeadm, K3s and RKE2 nodes are
/// held to) or the CIS benchmark of a managed service (EKS, GKE, AKS), which has its own ids
/// and worker-node items. Most CIS items read the same in every version; those that differ are
/// listed per version in [`crate::checks::VERSIONED`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Benchmark {
    /// CIS Kubernetes Benchmark 1.9.
    #[serde(rename = "cis-1.9")]
    Cis19,
    /// CIS Kubernetes Benchmark 1.10.
    #[serde(rename = "cis-1.10")]
    Cis110,
    /// CIS Amazon EKS Benchmark 1.8.0.
    #[serde(rename = "eks-1.8.0")]
    Eks180,
    /// CIS Google Kubernetes Engine (GKE) Benchmark 1.9.0.
    #[serde(rename = "gke-1.9.0")]
    Gke190,
    /// CIS Azure Kubernetes Service (AKS) Benchmark 1.8.
    #[serde(rename = "aks-1.8")]
    Aks18,
}

impl Benchmark {
    /// Every benchmark, the CIS Kubernetes versions oldest first, then the managed services.
    pub const ALL: [Benchmark; 5] = [
        Benchmark::Cis19,
        Benchmark::Cis110,
        Benchmark::Eks180,
        Benchmark::Gke190,
        Benchmark::Aks18,
    ];

    /// The CIS Kubernetes Benchmark versions, oldest first.
    pub const CIS: [Benchmark; 2] = [Benchmark::Cis19, Benchmark::Cis110];

    /// The name kube-bench gives it (and its definitions directory).
    pub fn name(self) -> &'static str {
        match self {
            Benchmark::Cis19 => "cis-1.9",
            Benchmark::Cis110 => "cis-1.10",
            Benchmark::Eks180 => "eks-1.8.0",
            Benchmark::Gke190 => "gke-1.9.0",
            Benchmark::Aks18 => "aks-1.8",
        }
    }

    /// Whether it is a managed service's benchmark (worker-node items only, own ids).
    pub fn is_managed(self) -> bool {
        matches!(
            self,
            Benchmark::Eks180 | Benchmark::Gke190 | Benchmark::Aks18
        )
    }
}

impl std::fmt::Display for Benchmark {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A benchmark name that is not one of [`Benchmark::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown benchmark `{0}` (known: cis-1.9, cis-1.10, eks-1.8.0, gke-1.9.0, aks-1.8)")]
pub struct UnknownBenchmark(pub String);

impl std::str::FromStr for Benchmark {
    type Err = UnknownBenchmark;

    /// Reads kube-bench's names, and the short forms `eks`, `gke`, `aks` for the newest.
    fn from_str(s: &str) -> Result<Benchmark, UnknownBenchmark> {
        Ok(match s {
            "cis-1.9" => Benchmark::Cis19,
            "cis-1.10" => Benchmark::Cis110,
            "eks-1.8.0" | "eks-1.8" | "eks" => Benchmark::Eks180,
            "gke-1.9.0" | "gke-1.9" | "gke" => Benchmark::Gke190,
            "aks-1.8" | "aks-1.8.0" | "aks" => Benchmark::Aks18,
            other => return Err(UnknownBenchmark(other.to_owned())),
        })
    }
}

/// The kube-bench definition file an item belongs to (its benchmark section).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// `master.yaml`: control plane components (1.x).
    Master,
    /// `etcd.yaml` (2.x).
    Etcd,
    /// `controlplane.yaml` (3.x).
    ControlPlane,
    /// `node.yaml`: worker nodes (4.x).
    Node,
    /// `policies.yaml` (5.x).
    Policies,
}

impl Section {
    /// The kube-bench file name.
    pub fn file_name(self) -> &'static str {
        match self {
            Section::Master => "master.yaml",
            Section::Etcd => "etcd.yaml",
            Section::ControlPlane => "controlplane.yaml",
            Section::Node => "node.yaml",
            Section::Policies => "policies.yaml",
        }
    }
}

/// The files an item looks at.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// Every one of these paths that exists.
    Paths(&'static [&'static str]),
    /// The first of these paths that exists.
    FirstOf(&'static [&'static str]),
    /// etcd's `--data-dir`, else `/var/lib/etcd` (kubeadm's).
    EtcdDataDir,
    /// The kubelet's `--kubeconfig`, else `/etc/kubernetes/kubelet.conf`.
    KubeletKubeconfig,
    /// The kubelet's `--config`, else `/var/lib/kubelet/config.yaml`.
    KubeletConfig,
    /// The kubelet's client CA: `--client-ca-file`, else the config file's
    /// `authentication.x509.clientCAFile`, else `/etc/kubernetes/pki/ca.crt`.
    KubeletClientCa,
    /// A directory and everything under it.
    Tree(&'static str),
    /// The CNI files: everything below the kubelet's `--cni-conf-dir` (else `/etc/cni/net.d`,
    /// its old default) and the files below `/var/lib/cni/networks`.
    CniFiles,
    /// The files under a directory whose names end so.
    TreeFiles(&'static str, &'static str),
}

/// One comparison of one flag, as a kube-bench `test_item`.
#[derive(Debug, Clone, Copy)]
pub enum FlagTest {
    /// The flag is given (kube-bench `set: true` or a bare `flag:`).
    Set(&'static str),
    /// The flag is not given (`set: false`).
    Unset(&'static str),
    /// The flag is given with this value (`op: eq`).
    Eq(&'static str, &'static str),
    /// The flag is given with another value (`op: noteq`). Unset does not match, as in kube-bench.
    NotEq(&'static str, &'static str),
    /// The flag's comma-separated value holds this element (`op: has`).
    Has(&'static str, &'static str),
    /// The flag's value contains this text (kube-bench's `has` is a substring test; [`Has`]
    /// matches whole comma-separated elements, which is what the list-valued flags mean).
    ///
    /// [`Has`]: FlagTest::Has
    Contains(&'static str, &'static str),
    /// The flag is given and its value does not hold this element (`op: nothave`).
    NotHave(&'static str, &'static str),
    /// The flag's value is an integer at least this (`op: gte`).
    Gte(&'static str, i64),
    /// Every comma-separated element of the flag's value is in this comma-separated list
    /// (`op: valid_elements`).
    ValidElements(&'static str, &'static str),
}

impl FlagTest {
    /// The flag's name, with its dashes.
    pub fn flag(&self) -> &'static str {
        match *self {
            FlagTest::Set(f)
            | FlagTest::Unset(f)
            | FlagTest::Eq(f, _)
            | FlagTest::NotEq(f, _)
            | FlagTest::Has(f, _)
            | FlagTest::Contains(f, _)
            | FlagTest::NotHave(f, _)
            | FlagTest::Gte(f, _)
            | FlagTest::ValidElements(f, _) => f,
        }
    }

    fn holds(&self, value: Option<&str>) -> bool {
        fn elements(v: &str) -> Vec<&str> {
            v.split(',').map(str::trim).collect()
        }
        match (*self, value) {
            (FlagTest::Set(_), v) => v.is_some(),
            (FlagTest::Unset(_), v) => v.is_none(),
            (FlagTest::Eq(_, want), Some(v)) => v == want,
            (FlagTest::NotEq(_, want), Some(v)) => v != want,
            (FlagTest::Has(_, want), Some(v)) => elements(v).contains(&want),
            (FlagTest::NotHave(_, want), Some(v)) => !elements(v).contains(&want),
            (FlagTest::Contains(_, want), Some(v)) => v.contains(want),
            (FlagTest::Gte(_, min), Some(v)) => v.trim().parse::<i64>().is_ok_and(|n| n >= min),
            (FlagTest::ValidElements(_, allowed), Some(v)) => {
                let allowed = elements(allowed);
                elements(v).iter().all(|e| allowed.contains(e))
            }
            (_, None) => false,
        }
    }
}

/// How the test items of an item combine (kube-bench `bin_op`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// All must hold (`and`, and the default for one item).
    All,
    /// One must hold (`or`).
    Any,
}

/// What an item tests.
#[derive(Debug, Clone, Copy)]
pub enum Test {
    /// Each file's permissions are no wider than `max` (kube-bench `bitmask`).
    Mode {
        /// The files.
        target: Target,
        /// The widest mode allowed.
        max: u32,
        /// The status when no file is found.
        missing: Status,
    },
    /// Each file is owned by `owner` (`user:group`).
    Owner {
        /// The files.
        target: Target,
        /// `user:group`.
        owner: &'static str,
        /// The status when no file is found.
        missing: Status,
    },
    /// Flags of a component's command line.
    Flags {
        /// The program (`kube-apiserver`).
        component: &'static str,
        /// How the items combine.
        combine: Combine,
        /// The items.
        tests: &'static [FlagTest],
    },
    /// Settings of a component with a config file (kubelet, kube-proxy), each a flag and the
    /// config file key (dotted; `""` for none) that sets the same thing. The flag wins, as both
    /// apply command-line flags over their `--config` file.
    Settings {
        /// The program (`kubelet`).
        component: &'static str,
        /// How the items combine.
        combine: Combine,
        /// The items, with their config keys.
        tests: &'static [(FlagTest, &'static str)],
    },
    /// The API server's `--encryption-provider-config`: in every `resources` entry, the first
    /// provider (the one new data is written with) is one of `allowed`.
    EncryptionProviders {
        /// Provider names allowed first.
        allowed: &'static [&'static str],
    },
    /// Nothing automated: a person judges.
    Manual,
}

/// One benchmark item.
#[derive(Debug, Clone, Copy)]
pub struct NodeCheck {
    /// The benchmark's own id (`1.1.1`).
    pub id: &'static str,
    /// Its kube-bench definition file.
    pub section: Section,
    /// Title, in the benchmark's words (shortened).
    pub title: &'static str,
    /// What it tests.
    pub test: Test,
    /// What to change when it fails.
    pub remediation: &'static str,
}

/// One item's result on one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeResult {
    /// The benchmark's id.
    pub id: &'static str,
    /// The title.
    pub title: &'static str,
    /// The status.
    pub status: Status,
    /// What was seen: paths with mode or owner, or flags with values.
    pub evidence: Vec<String>,
    /// What to change.
    pub remediation: &'static str,
}

impl NodeResult {
    /// The benchmark group the item belongs to: its id without the last number (`1.2.1` →
    /// `1.2`, etcd's `2.1` → `2`).
    pub fn group(&self) -> &'static str {
        self.id.rsplit_once('.').map_or(self.id, |(group, _)| group)
    }
}

impl NodeCheck {
    /// Evaluates the item on a node.
    pub fn evaluate(&self, view: &NodeView) -> NodeResult {
        if let Some(why) = view.layout().not_applicable(self.id) {
            return NodeResult {
                id: self.id,
                title: self.title,
                status: Status::Pass,
                evidence: vec![why.to_owned()],
                remediation: self.remediation,
            };
        }
        let (status, evidence) = match self.test {
            Test::Mode {
                target,
                max,
                missing,
            } => files_test(view, target, missing, |f| {
                (
                    f.mode & !max == 0,
                    format!("{} has mode {:o} (at most {max:o} allowed)", f.path, f.mode),
                )
            }),
            Test::Owner {
                target,
                owner,
                missing,
            } => files_test(view, target, missing, |f| {
                let seen = f.owner();
                (seen == owner, format!("{} is owned by {seen}", f.path))
            }),
            Test::Flags {
                component,
                combine,
                tests,
            } => flags_test(view, component, combine, tests),
            Test::Settings {
                component,
                combine,
                tests,
            } => settings_test(view, component, combine, tests),
            Test::EncryptionProviders { allowed } => encryption_test(view, allowed),
            Test::Manual => (
                Status::Manual,
                vec!["this item is judged by a person".to_owned()],
            ),
        };
        NodeResult {
            id: self.id,
            title: self.title,
            status,
            evidence,
            remediation: self.remediation,
        }
    }
}

fn files_test(
    view: &NodeView,
    target: Target,
    missing: Status,
    judge: impl Fn(&FileFacts) -> (bool, String),
) -> (Status, Vec<String>) {
    let (files, looked) = resolve(view, target);
    if files.is_empty() {
        return (missing, vec![format!("not found: {looked}")]);
    }
    let mut ok = true;
    let mut evidence = Vec::new();
    for file in &files {
        let (good, text) = judge(file);
        ok &= good;
        // On failure, name the offending files only; on success, all (they are few).
        if !good || files.len() <= 4 {
            evidence.push(text);
        }
    }
    if ok && files.len() > 4 {
        evidence.push(format!("{} files under {looked}", files.len()));
    }
    (if ok { Status::Pass } else { Status::Fail }, evidence)
}

/// The files of a target, and a description of where they were looked for.
fn resolve(view: &NodeView, target: Target) -> (Vec<FileFacts>, String) {
    let one = |path: String| (view.file(&path).into_iter().collect(), path);
    // kubeadm paths as this node's layout has them.
    let located =
        |paths: &[&str]| -> Vec<String> { paths.iter().flat_map(|p| view.locate(p)).collect() };
    match target {
        Target::Paths(paths) => {
            let paths = located(paths);
            (
                paths.iter().filter_map(|p| view.file(p)).collect(),
                paths.join(", "),
            )
        }
        Target::FirstOf(paths) => {
            let paths = located(paths);
            (
                paths
                    .iter()
                    .find_map(|p| view.file(p))
                    .into_iter()
                    .collect(),
                paths.join(", "),
            )
        }
        Target::EtcdDataDir => one(view
            .command_line("etcd")
            .and_then(|c| c.flags.get("data-dir").map(str::to_owned))
            .or_else(|| view.locate("/var/lib/etcd").into_iter().next())
            .unwrap_or_else(|| "/var/lib/etcd".to_owned())),
        Target::KubeletKubeconfig => one(view.kubelet_kubeconfig_path()),
        Target::KubeletConfig => {
            let paths = view.kubelet_config_files();
            (
                paths.iter().filter_map(|p| view.file(p)).collect(),
                paths.join(", "),
            )
        }
        Target::KubeletClientCa => {
            let from_flag = view
                .command_line("kubelet")
                .and_then(|c| c.flags.get("client-ca-file").map(str::to_owned));
            let from_config = || {
                view.kubelet_configs().into_iter().find_map(|(_, node)| {
                    node.get_path("authentication.x509.clientCAFile")
                        .and_then(|n| n.as_str())
                        .map(str::to_owned)
                })
            };
            one(from_flag
                .or_else(from_config)
                .unwrap_or_else(|| view.default_kubelet_client_ca()))
        }
        Target::Tree(dir) => {
            let dirs = view.locate(dir);
            (
                dirs.iter().flat_map(|d| view.tree(d)).collect(),
                dirs.join(", "),
            )
        }
        Target::CniFiles => {
            let conf_dirs = match view
                .command_line("kubelet")
                .and_then(|c| c.flags.get("cni-conf-dir").map(str::to_owned))
            {
                Some(dir) => vec![dir],
                None => view.locate("/etc/cni/net.d"),
            };
            let mut files = Vec::new();
            let mut looked = Vec::new();
            for conf_dir in &conf_dirs {
                let conf_root = conf_dir.trim_end_matches('/').to_owned();
                files.extend(
                    view.tree(conf_dir)
                        .into_iter()
                        .filter(|f| f.path != conf_root),
                );
                looked.push(format!("{conf_root}/*"));
            }
            files.extend(
                view.tree("/var/lib/cni/networks")
                    .into_iter()
                    .filter(|f| !f.is_dir),
            );
            looked.push("/var/lib/cni/networks/**".to_owned());
            (files, looked.join(", "))
        }
        Target::TreeFiles(dir, suffix) => {
            let dirs = view.locate(dir);
            (
                dirs.iter()
                    .flat_map(|d| view.tree(d))
                    .filter(|f| !f.is_dir && f.path.ends_with(suffix))
                    .collect(),
                dirs.iter()
                    .map(|d| format!("{d}/**/*{suffix}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }
    }
}

fn flags_test(
    view: &NodeView,
    component: &str,
    combine: Combine,
    tests: &[FlagTest],
) -> (Status, Vec<String>) {
    let Some(line) = view.command_line(component) else {
        return (
            Status::Warn,
            vec![format!(
                "{component} not found (no process, no static pod manifest)"
            )],
        );
    };
    // etcd reads each flag from `ETCD_<FLAG>` too (kube-bench's `env:`); the flag wins.
    // Not when etcd runs from a config file (it ignores its environment then) or inside K3s.
    let reads_env = component == "etcd"
        && !matches!(
            line.source,
            crate::view::Source::ConfigFile(_) | crate::view::Source::Embedded(_)
        );
    let env_name =
        |flag: &str| reads_env.then(|| format!("ETCD_{}", flag.replace('-', "_").to_uppercase()));
    let lookup = |flag: &str| -> Option<(String, &str)> {
        let name = flag.trim_start_matches('-');
        if let Some(value) = line.flags.get(name) {
            return Some((flag.to_owned(), value));
        }
        let var = env_name(name)?;
        line.env.get(&var).map(|v| (var, v.as_str()))
    };
    let mut evidence = Vec::new();
    let mut seen = Vec::new();
    for test in tests {
        let flag = test.flag();
        if seen.contains(&flag) {
            continue;
        }
        seen.push(flag);
        evidence.push(match lookup(flag) {
            Some((name, value)) => format!(
                "{component} ({}): {name}={value}",
                line.origin(name.trim_start_matches('-'))
            ),
            None => match env_name(flag.trim_start_matches('-')) {
                Some(var) => format!(
                    "{component} ({}): {flag} is not set, nor {var}",
                    line.source
                ),
                None => format!("{component} ({}): {flag} is not set", line.source),
            },
        });
    }
    let holds = |t: &FlagTest| t.holds(lookup(t.flag()).map(|(_, v)| v));
    let ok = match combine {
        Combine::All => tests.iter().all(holds),
        Combine::Any => tests.iter().any(holds),
    };
    (if ok { Status::Pass } else { Status::Fail }, evidence)
}

fn settings_test(
    view: &NodeView,
    component: &str,
    combine: Combine,
    tests: &[(FlagTest, &'static str)],
) -> (Status, Vec<String>) {
    let line = view.command_line(component);
    // Config files, the one that wins first (the kubelet's drop-ins before its --config).
    let configs = view.component_configs(component);
    if line.is_none() && configs.is_empty() {
        let why = if component == "kubelet" {
            format!(
                "no process, no kubelet.service unit, no config file at {}",
                view.kubelet_config_path()
            )
        } else {
            "no process".to_owned()
        };
        return (Status::Warn, vec![format!("{component} not found ({why})")]);
    }
    // (where it was seen, value)
    let lookup = |flag: &str, key: &str| -> Option<(String, String)> {
        if let Some(line) = &line {
            // A name without dashes is a feature gate, as in kube-bench's definitions.
            let (name, value) = if flag.starts_with('-') {
                (
                    flag.to_owned(),
                    line.flags.get(flag.trim_start_matches('-')),
                )
            } else {
                (
                    format!("--feature-gates {flag}"),
                    feature_gate(line.flags.get("feature-gates"), flag),
                )
            };
            if let Some(value) = value {
                let origin = if flag.starts_with('-') {
                    line.origin(flag.trim_start_matches('-'))
                } else {
                    line.origin("feature-gates")
                };
                return Some((format!("{component} ({origin}): {name}"), value.to_owned()));
            }
        }
        if key.is_empty() {
            return None;
        }
        configs.iter().find_map(|(path, node)| {
            let value = node.get_path(key)?;
            Some((format!("{component} config {path}: {key}"), render(value)))
        })
    };
    let mut evidence = Vec::new();
    let mut seen = Vec::new();
    for (test, key) in tests {
        let flag = test.flag();
        if seen.contains(&flag) {
            continue;
        }
        seen.push(flag);
        evidence.push(match lookup(flag, key) {
            Some((at, value)) => format!("{at}={value}"),
            None if configs.is_empty() || key.is_empty() => {
                format!("{component}: {flag} is not set")
            }
            None => format!(
                "{component}: {flag} is not set, nor {key} in {}",
                configs
                    .iter()
                    .map(|(path, _)| path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let holds = |(t, key): &(FlagTest, &'static str)| {
        let value = lookup(t.flag(), key);
        t.holds(value.as_ref().map(|(_, v)| v.as_str()))
    };
    let ok = match combine {
        Combine::All => tests.iter().all(holds),
        Combine::Any => tests.iter().any(holds),
    };
    (if ok { Status::Pass } else { Status::Fail }, evidence)
}

fn encryption_test(view: &NodeView, allowed: &[&str]) -> (Status, Vec<String>) {
    use harrier_core::yaml::{Node, Schema, parse_single};
    let Some(line) = view.command_line("kube-apiserver") else {
        return (
            Status::Warn,
            vec!["kube-apiserver not found (no process, no static pod manifest)".to_owned()],
        );
    };
    let Some(path) = line.flags.get("encryption-provider-config") else {
        return (
            Status::Fail,
            vec![format!(
                "kube-apiserver ({}): --encryption-provider-config is not set",
                line.source
            )],
        );
    };
    let Ok(text) = std::fs::read_to_string(view.host_path(path)) else {
        return (Status::Warn, vec![format!("not found: {path}")]);
    };
    let Ok(config) = parse_single(&text, Schema::Kubernetes) else {
        return (Status::Warn, vec![format!("{path} is not valid YAML")]);
    };
    let resources = config
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    if resources.is_empty() {
        return (Status::Fail, vec![format!("{path} lists no resources")]);
    }
    let mut ok = true;
    let mut evidence = Vec::new();
    for entry in resources {
        let names: Vec<&str> = entry
            .get("resources")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let first = entry
            .get("providers")
            .and_then(Node::as_seq)
            .and_then(|p| p.first())
            .and_then(Node::as_map)
            .and_then(|m| m.entries().first())
            .map(|e| e.key.as_str());
        let good = first.is_some_and(|f| allowed.contains(&f));
        ok &= good;
        evidence.push(format!(
            "{path}: resources [{}] are written with {}",
            names.join(", "),
            first.unwrap_or("no provider")
        ));
    }
    (if ok { Status::Pass } else { Status::Fail }, evidence)
}

/// The value of one gate in a `--feature-gates` value (`A=true,B=false`).
fn feature_gate<'a>(gates: Option<&'a str>, name: &str) -> Option<&'a str> {
    gates?.split(',').find_map(|gate| {
        let (gate, value) = gate.trim().split_once('=')?;
        (gate == name).then_some(value.trim())
    })
}

/// A config value as flag text: scalars as written, sequences comma-joined (as flags list them).
fn render(node: &harrier_core::yaml::Node) -> String {
    use harrier_core::yaml::Value;
    match &node.value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Seq(items) => items.iter().map(render).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::FlagTest;

    #[test]
    fn flag_ops() {
        assert!(FlagTest::Has("--a", "Node").holds(Some("Node,RBAC")));
        assert!(!FlagTest::Has("--a", "Node").holds(None));
        assert!(FlagTest::NotHave("--a", "AlwaysAllow").holds(Some("Node,RBAC")));
        assert!(!FlagTest::NotHave("--a", "AlwaysAllow").holds(None));
        assert!(FlagTest::Gte("--a", 30).holds(Some("30")));
        assert!(!FlagTest::Gte("--a", 30).holds(Some("7")));
        assert!(!FlagTest::Gte("--a", 30).holds(Some("x")));
        assert!(FlagTest::ValidElements("--a", "x,y").holds(Some("y")));
        assert!(!FlagTest::ValidElements("--a", "x,y").holds(Some("y,z")));
        assert!(FlagTest::Unset("--a").holds(None));
        assert!(FlagTest::NotEq("--a", "false").holds(Some("true")));
        assert!(!FlagTest::NotEq("--a", "false").holds(None));
    }
}
