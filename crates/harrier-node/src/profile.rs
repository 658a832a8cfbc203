//! Node layouts (profiles): where kubeadm, K3s, RKE2, EKS, GKE and AKS keep what the benchmark
//! items look at, and how to tell them apart from what a node shows.
//!
//! The check tables are written once, with kubeadm's paths. A profile's `Layout` says where
//! those files are on its nodes (a path translation: kubeadm path or directory → this
//! layout's), where its static pod manifests, kubelet config, kubelet kubeconfig and client CA
//! are, and which items do not apply to it at all (K3s has no static pod manifests; the
//! kubelet of K3s and RKE2 has no service file of its own). The same item thus reads the right
//! file on every layout; an item that does not apply is reported as such (PASS, with the
//! reason) rather than as a missing file.
//!
//! Sources for the paths: kube-bench's `cfg/config.yaml` (per-component `confs`, `kubeconfig`,
//! `datadirs`, `cafile` lists, which include the Rancher and managed-service paths), the
//! benchmarks' own audits (EKS, GKE, AKS `node.yaml`), and the K3s and RKE2 CIS
//! self-assessment guides.

use serde::Serialize;

use crate::check::Benchmark;
use crate::view::NodeView;

/// A node layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// kubeadm: static pods in `/etc/kubernetes/manifests`, PKI in `/etc/kubernetes/pki`.
    Kubeadm,
    /// K3s: one `k3s server|agent` process runs every component; flags come from its command
    /// line and `/etc/rancher/k3s/config.yaml` (`kube-apiserver-arg` and the like); data in
    /// `/var/lib/rancher/k3s`.
    K3s,
    /// RKE2: static pods in `/var/lib/rancher/rke2/agent/pod-manifests`, data in
    /// `/var/lib/rancher/rke2`.
    Rke2,
    /// Amazon EKS worker node: kubelet config `/etc/kubernetes/kubelet/kubelet-config.json`,
    /// kubeconfig `/var/lib/kubelet/kubeconfig`.
    Eks,
    /// Google GKE worker node: kubelet config `/home/kubernetes/kubelet-config.yaml`.
    Gke,
    /// Azure AKS worker node: `/etc/kubernetes/azure.json`, kubelet flags in
    /// `/etc/default/kubelet`.
    Aks,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 6] = [
        Profile::Kubeadm,
        Profile::K3s,
        Profile::Rke2,
        Profile::Eks,
        Profile::Gke,
        Profile::Aks,
    ];

    /// Its name (`kubeadm`, `k3s`…).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Kubeadm => "kubeadm",
            Profile::K3s => "k3s",
            Profile::Rke2 => "rke2",
            Profile::Eks => "eks",
            Profile::Gke => "gke",
            Profile::Aks => "aks",
        }
    }

    /// The benchmark its nodes are held to unless another is asked for: the newest CIS
    /// Kubernetes version implemented for self-managed layouts, the service's own benchmark
    /// for managed ones.
    pub fn default_benchmark(self) -> Benchmark {
        match self {
            Profile::Kubeadm | Profile::K3s | Profile::Rke2 => Benchmark::Cis110,
            Profile::Eks => Benchmark::Eks180,
            Profile::Gke => Benchmark::Gke190,
            Profile::Aks => Benchmark::Aks18,
        }
    }

    /// Tells the layout from what the node shows under its root, with the signs seen. The
    /// most specific layouts are tried first (a K3s or RKE2 node also has a kubelet, an EKS
    /// node may have `/etc/default/kubelet` as a Debian kubeadm node does); kubeadm is the
    /// fallback.
    pub fn detect(view: &NodeView) -> Detection {
        let exists = |path: &str| view.file(path).is_some();
        let process = |program: &str, modes: &[&str]| {
            view.processes().iter().find(|p| {
                p.argv
                    .first()
                    .and_then(|a| a.rsplit('/').next())
                    .is_some_and(|name| name == program)
                    && (modes.is_empty()
                        || p.argv.get(1).is_some_and(|m| modes.contains(&m.as_str())))
            })
        };
        let mut signs = Vec::new();
        // Only the program and its mode: the rest of a command line may hold a join token.
        let sign = |p: &crate::view::Process, program: &str| {
            format!(
                "process {}: {program} {}",
                p.pid,
                p.argv.get(1).map_or("", String::as_str)
            )
        };
        if let Some(p) = process("k3s", &["server", "agent"]) {
            signs.push(sign(p, "k3s"));
        }
        for path in [
            "/etc/rancher/k3s/config.yaml",
            "/var/lib/rancher/k3s",
            "/usr/local/bin/k3s",
            "/etc/systemd/system/k3s.service",
            "/etc/systemd/system/k3s-agent.service",
        ] {
            if exists(path) {
                signs.push(format!("{path} exists"));
            }
        }
        if !signs.is_empty() {
            return Detection {
                profile: Profile::K3s,
                signs,
            };
        }
        if let Some(p) = process("rke2", &["server", "agent"]) {
            signs.push(sign(p, "rke2"));
        }
        for path in [
            "/etc/rancher/rke2",
            "/var/lib/rancher/rke2",
            "/usr/local/lib/systemd/system/rke2-server.service",
            "/usr/local/lib/systemd/system/rke2-agent.service",
            "/usr/lib/systemd/system/rke2-server.service",
            "/usr/lib/systemd/system/rke2-agent.service",
        ] {
            if exists(path) {
                signs.push(format!("{path} exists"));
            }
        }
        if !signs.is_empty() {
            return Detection {
                profile: Profile::Rke2,
                signs,
            };
        }
        let managed: [(Profile, &[&str]); 3] = [
            (
                Profile::Eks,
                &[
                    "/etc/kubernetes/kubelet/kubelet-config.json",
                    "/etc/kubernetes/kubelet/config.json",
                    "/etc/eks",
                ],
            ),
            (
                Profile::Gke,
                &[
                    "/home/kubernetes/kubelet-config.yaml",
                    "/home/kubernetes/bin/kubelet",
                ],
            ),
            // `/etc/default/kubelet` alone is no sign: the Debian kubelet package has it too.
            (Profile::Aks, &["/etc/kubernetes/azure.json"]),
        ];
        for (profile, paths) in managed {
            let seen: Vec<String> = paths
                .iter()
                .filter(|p| exists(p))
                .map(|p| format!("{p} exists"))
                .collect();
            if !seen.is_empty() {
                return Detection {
                    profile,
                    signs: seen,
                };
            }
        }
        for path in ["/etc/kubernetes/manifests", "/var/lib/kubelet/config.yaml"] {
            if exists(path) {
                signs.push(format!("{path} exists"));
            }
        }
        if signs.is_empty() {
            signs.push("no sign of K3s, RKE2, EKS, GKE or AKS; kubeadm assumed".to_owned());
        }
        Detection {
            profile: Profile::Kubeadm,
            signs,
        }
    }

    /// Where a file that kubeadm keeps at `kubeadm_path` is on this layout (none: the layout
    /// has no such file).
    pub fn locate(self, kubeadm_path: &str) -> Vec<String> {
        self.layout().map(kubeadm_path)
    }

    /// The layout's translation of kubeadm paths (files or directories) to its own.
    pub fn path_map(self) -> &'static [(&'static str, &'static [&'static str])] {
        self.layout().paths
    }

    /// Why a benchmark item does not apply to this layout, if it does not (such items PASS
    /// with the reason as evidence).
    pub fn not_applicable(self, id: &str) -> Option<&'static str> {
        self.layout().not_applicable(id)
    }

    /// Where this layout keeps things.
    pub(crate) fn layout(self) -> &'static Layout {
        match self {
            Profile::Kubeadm => &KUBEADM,
            Profile::K3s => &K3S,
            Profile::Rke2 => &RKE2,
            Profile::Eks => &EKS,
            Profile::Gke => &GKE,
            Profile::Aks => &AKS,
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A profile name that is not one of [`Profile::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile `{0}` (known: kubeadm, k3s, rke2, eks, gke, aks)")]
pub struct UnknownProfile(pub String);

impl std::str::FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Profile, UnknownProfile> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

/// The layout a node was found to have, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// The layout.
    pub profile: Profile,
    /// What showed it (paths that exist, processes).
    pub signs: Vec<String>,
}

/// Where a layout keeps what the items look at.
#[derive(Debug)]
pub(crate) struct Layout {
    /// Directories of static pod manifests.
    pub manifest_dirs: &'static [&'static str],
    /// kubeadm path (file or directory) → this layout's; the first entry equal to the path or
    /// a directory above it applies; no paths: this layout has no such file.
    pub paths: &'static [(&'static str, &'static [&'static str])],
    /// The kubelet config file when the kubelet names none (`--config`): the first that
    /// exists, else the first.
    pub kubelet_config: &'static [&'static str],
    /// The kubelet's kubeconfig when it names none: the first that exists, else the first.
    pub kubelet_kubeconfig: &'static [&'static str],
    /// The kubelet's client CA when neither flag nor config names one.
    pub kubelet_client_ca: &'static [&'static str],
    /// Items that do not apply to this layout, with the reason.
    pub not_applicable: &'static [(&'static str, &'static str)],
    /// A Rancher distribution's own process, config, units and data directory; for K3s,
    /// which runs the components inside its process, also how their flags are passed.
    pub distribution: Option<Distribution>,
}

/// A Rancher distribution (K3s, RKE2): its program, config, units and data directory, and for
/// K3s, which runs every component inside its own process, how their flags are set. RKE2 runs
/// them as static pods, so it has no passthroughs or defaults here.
#[derive(Debug)]
pub(crate) struct Distribution {
    /// The program (`k3s`).
    pub program: &'static str,
    /// Its config file (`/etc/rancher/k3s/config.yaml`); `config.yaml.d/*.yaml` beside it are
    /// read after it.
    pub config: &'static str,
    /// Component → the distribution's option that passes flags through to it
    /// (`kube-apiserver` → `kube-apiserver-arg`).
    pub passthrough: &'static [(&'static str, &'static str)],
    /// Component → the flags the distribution sets itself, before passthroughs.
    pub defaults: &'static [(&'static str, &'static [(&'static str, &'static str)])],
    /// The etcd config file the distribution writes for its embedded etcd.
    pub etcd_config: &'static str,
    /// Its systemd units, read when its process is not visible.
    pub units: &'static [&'static str],
    /// Its default data directory; every path of the layout under it follows a custom
    /// `--data-dir`.
    pub data_dir: &'static str,
}

impl Layout {
    /// The paths of a kubeadm path on this layout.
    pub fn map(&self, path: &str) -> Vec<String> {
        for (from, to) in self.paths {
            let rest = if path == *from {
                Some("")
            } else {
                path.strip_prefix(from).filter(|r| r.starts_with('/'))
            };
            if let Some(rest) = rest {
                return to.iter().map(|t| format!("{t}{rest}")).collect();
            }
        }
        vec![path.to_owned()]
    }

    /// Why an item does not apply here, if it does not.
    pub fn not_applicable(&self, id: &str) -> Option<&'static str> {
        self.not_applicable
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, why)| *why)
    }
}

const KUBEADM: Layout = Layout {
    manifest_dirs: &["/etc/kubernetes/manifests"],
    paths: &[],
    kubelet_config: &["/var/lib/kubelet/config.yaml"],
    kubelet_kubeconfig: &["/etc/kubernetes/kubelet.conf"],
    kubelet_client_ca: &["/etc/kubernetes/pki/ca.crt"],
    not_applicable: &[],
    distribution: None,
};

const RKE2_KUBELET_NOT_A_SERVICE: &str = "not applicable on RKE2: the kubelet is started by the rke2 process with its arguments; it has no service file of its own";

const RKE2: Layout = Layout {
    manifest_dirs: &["/var/lib/rancher/rke2/agent/pod-manifests"],
    paths: &[
        (
            "/etc/kubernetes/manifests",
            &["/var/lib/rancher/rke2/agent/pod-manifests"],
        ),
        (
            "/etc/kubernetes/admin.conf",
            &["/var/lib/rancher/rke2/server/cred/admin.kubeconfig"],
        ),
        ("/etc/kubernetes/super-admin.conf", &[]),
        (
            "/etc/kubernetes/scheduler.conf",
            &["/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig"],
        ),
        (
            "/etc/kubernetes/controller-manager.conf",
            &["/var/lib/rancher/rke2/server/cred/controller.kubeconfig"],
        ),
        ("/etc/kubernetes/pki", &["/var/lib/rancher/rke2/server/tls"]),
        ("/var/lib/etcd", &["/var/lib/rancher/rke2/server/db/etcd"]),
        (
            "/var/lib/kube-proxy/kubeconfig",
            &["/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig"],
        ),
        ("/etc/kubernetes/proxy.conf", &[]),
    ],
    kubelet_config: &["/var/lib/rancher/rke2/agent/etc/kubelet.conf.d/00-rke2-defaults.conf"],
    kubelet_kubeconfig: &["/var/lib/rancher/rke2/agent/kubelet.kubeconfig"],
    kubelet_client_ca: &["/var/lib/rancher/rke2/agent/client-ca.crt"],
    not_applicable: &[
        ("4.1.1", RKE2_KUBELET_NOT_A_SERVICE),
        ("4.1.2", RKE2_KUBELET_NOT_A_SERVICE),
    ],
    distribution: Some(Distribution {
        program: "rke2",
        config: "/etc/rancher/rke2/config.yaml",
        passthrough: &[],
        defaults: &[],
        etcd_config: "/var/lib/rancher/rke2/server/db/etcd/config",
        units: &["rke2-server.service", "rke2-agent.service"],
        data_dir: "/var/lib/rancher/rke2",
    }),
};

const K3S_NO_MANIFESTS: &str = "not applicable on K3s: the control plane runs inside the k3s process, without static pod manifests";
const K3S_KUBELET_NOT_A_SERVICE: &str =
    "not applicable on K3s: the kubelet runs inside the k3s process; it has no service file";

const K3S: Layout = Layout {
    manifest_dirs: &[],
    paths: &[
        (
            "/etc/kubernetes/admin.conf",
            &["/var/lib/rancher/k3s/server/cred/admin.kubeconfig"],
        ),
        ("/etc/kubernetes/super-admin.conf", &[]),
        (
            "/etc/kubernetes/scheduler.conf",
            &["/var/lib/rancher/k3s/server/cred/scheduler.kubeconfig"],
        ),
        (
            "/etc/kubernetes/controller-manager.conf",
            &["/var/lib/rancher/k3s/server/cred/controller.kubeconfig"],
        ),
        ("/etc/kubernetes/pki", &["/var/lib/rancher/k3s/server/tls"]),
        ("/var/lib/etcd", &["/var/lib/rancher/k3s/server/db/etcd"]),
        (
            "/var/lib/kube-proxy/kubeconfig",
            &["/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig"],
        ),
        ("/etc/kubernetes/proxy.conf", &[]),
        (
            "/etc/cni/net.d",
            &["/var/lib/rancher/k3s/agent/etc/cni/net.d"],
        ),
    ],
    kubelet_config: &["/var/lib/rancher/k3s/agent/etc/kubelet.conf.d/00-k3s-defaults.conf"],
    kubelet_kubeconfig: &["/var/lib/rancher/k3s/agent/kubelet.kubeconfig"],
    kubelet_client_ca: &["/var/lib/rancher/k3s/agent/client-ca.crt"],
    not_applicable: &[
        ("1.1.1", K3S_NO_MANIFESTS),
        ("1.1.2", K3S_NO_MANIFESTS),
        ("1.1.3", K3S_NO_MANIFESTS),
        ("1.1.4", K3S_NO_MANIFESTS),
        ("1.1.5", K3S_NO_MANIFESTS),
        ("1.1.6", K3S_NO_MANIFESTS),
        ("1.1.7", K3S_NO_MANIFESTS),
        ("1.1.8", K3S_NO_MANIFESTS),
        (
            "1.1.12",
            "not applicable on K3s: etcd is embedded in the k3s process, which runs as root; there is no etcd user",
        ),
        ("4.1.1", K3S_KUBELET_NOT_A_SERVICE),
        ("4.1.2", K3S_KUBELET_NOT_A_SERVICE),
    ],
    distribution: Some(Distribution {
        program: "k3s",
        config: "/etc/rancher/k3s/config.yaml",
        passthrough: &[
            ("kube-apiserver", "kube-apiserver-arg"),
            ("kube-controller-manager", "kube-controller-manager-arg"),
            ("kube-scheduler", "kube-scheduler-arg"),
            ("kubelet", "kubelet-arg"),
            ("kube-proxy", "kube-proxy-arg"),
            ("etcd", "etcd-arg"),
        ],
        defaults: &[
            (
                "kube-apiserver",
                &[
                    ("anonymous-auth", "false"),
                    ("authorization-mode", "Node,RBAC"),
                    ("enable-admission-plugins", "NodeRestriction"),
                    ("profiling", "false"),
                    ("bind-address", "127.0.0.1"),
                    (
                        "client-ca-file",
                        "/var/lib/rancher/k3s/server/tls/client-ca.crt",
                    ),
                    (
                        "tls-cert-file",
                        "/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.crt",
                    ),
                    (
                        "tls-private-key-file",
                        "/var/lib/rancher/k3s/server/tls/serving-kube-apiserver.key",
                    ),
                    (
                        "kubelet-certificate-authority",
                        "/var/lib/rancher/k3s/server/tls/server-ca.crt",
                    ),
                    (
                        "kubelet-client-certificate",
                        "/var/lib/rancher/k3s/server/tls/client-kube-apiserver.crt",
                    ),
                    (
                        "kubelet-client-key",
                        "/var/lib/rancher/k3s/server/tls/client-kube-apiserver.key",
                    ),
                    (
                        "service-account-key-file",
                        "/var/lib/rancher/k3s/server/tls/service.key",
                    ),
                    (
                        "etcd-cafile",
                        "/var/lib/rancher/k3s/server/tls/etcd/server-ca.crt",
                    ),
                    (
                        "etcd-certfile",
                        "/var/lib/rancher/k3s/server/tls/etcd/client.crt",
                    ),
                    (
                        "etcd-keyfile",
                        "/var/lib/rancher/k3s/server/tls/etcd/client.key",
                    ),
                ],
            ),
            (
                "kube-controller-manager",
                &[
                    ("profiling", "false"),
                    ("bind-address", "127.0.0.1"),
                    ("use-service-account-credentials", "true"),
                    (
                        "service-account-private-key-file",
                        "/var/lib/rancher/k3s/server/tls/service.current.key",
                    ),
                    (
                        "root-ca-file",
                        "/var/lib/rancher/k3s/server/tls/server-ca.crt",
                    ),
                ],
            ),
            (
                "kube-scheduler",
                &[("profiling", "false"), ("bind-address", "127.0.0.1")],
            ),
        ],
        etcd_config: "/var/lib/rancher/k3s/server/db/etcd/config",
        units: &["k3s.service", "k3s-agent.service"],
        data_dir: "/var/lib/rancher/k3s",
    }),
};

const EKS: Layout = Layout {
    manifest_dirs: &[],
    paths: &[],
    kubelet_config: &[
        "/etc/kubernetes/kubelet/kubelet-config.json",
        "/etc/kubernetes/kubelet/config.json",
    ],
    kubelet_kubeconfig: &["/var/lib/kubelet/kubeconfig"],
    kubelet_client_ca: &["/etc/kubernetes/pki/ca.crt"],
    not_applicable: &[],
    distribution: None,
};

const GKE: Layout = Layout {
    manifest_dirs: &[],
    paths: &[],
    kubelet_config: &["/home/kubernetes/kubelet-config.yaml"],
    kubelet_kubeconfig: &["/var/lib/kubelet/kubeconfig"],
    kubelet_client_ca: &["/etc/srv/kubernetes/pki/ca-certificates.crt"],
    not_applicable: &[],
    distribution: None,
};

const AKS: Layout = Layout {
    manifest_dirs: &[],
    paths: &[],
    kubelet_config: &[
        "/etc/default/kubeletconfig.json",
        "/var/lib/kubelet/config.yaml",
    ],
    kubelet_kubeconfig: &["/var/lib/kubelet/kubeconfig"],
    kubelet_client_ca: &["/etc/kubernetes/certs/ca.crt"],
    not_applicable: &[],
    distribution: None,
};
