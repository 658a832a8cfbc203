//! Node trees for the tests: a kubeadm control plane node (which also runs a kubelet) in a
//! compliant and a non-compliant variant, written under a root, optionally translated to
//! another layout's paths (RKE2 keeps the same components in other places).
#![allow(dead_code)] // each test binary uses part of it

use std::fs;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::Path;

pub const ROOT: u32 = 0;
pub const ETCD: u32 = 1500;
pub const ADMIN: u32 = 1000;

/// How one variant lays files out.
pub struct Layout {
    pub file_mode: u32,
    pub owner: u32,
    pub etcd_dir_mode: u32,
    pub etcd_dir_owner: u32,
    pub apiserver_args: &'static [&'static str],
    pub controller_manager_args: &'static [&'static str],
    pub scheduler_args: &'static [&'static str],
    pub etcd_args: &'static [&'static str],
    pub etcd_env: &'static [(&'static str, &'static str)],
    pub kubelet_config: &'static str,
    pub kubelet_args: &'static [&'static str],
    pub encryption_config: &'static str,
    pub kube_proxy_metrics: &'static str,
}

pub const COMPLIANT: Layout = Layout {
    file_mode: 0o600,
    owner: ROOT,
    etcd_dir_mode: 0o700,
    etcd_dir_owner: ETCD,
    apiserver_args: &[
        "--anonymous-auth=false",
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs",
        "--profiling=false",
        "--audit-log-path=/var/log/kubernetes/audit.log",
        // The `--flag value` form.
        "--audit-log-maxage",
        "30",
        "--audit-log-maxbackup=10",
        "--audit-log-maxsize=100",
        "--service-account-lookup=true",
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
        "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
        "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
        "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
        "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt",
        "--encryption-provider-config=/etc/kubernetes/enc/config.yaml",
        "--audit-policy-file=/etc/kubernetes/audit-policy.yaml",
        "--tls-cipher-suites=TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ],
    controller_manager_args: &[
        "--profiling=false",
        "--use-service-account-credentials=true",
        "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
        "--root-ca-file=/etc/kubernetes/pki/ca.crt",
        "--terminated-pod-gc-threshold=10",
        "--bind-address=127.0.0.1",
        "--feature-gates=RotateKubeletServerCertificate=true",
    ],
    scheduler_args: &["--profiling=false", "--bind-address=127.0.0.1"],
    etcd_args: &[
        "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
        "--key-file=/etc/kubernetes/pki/etcd/server.key",
        "--client-cert-auth=true",
        "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
        "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
        "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
    ],
    // Set through the environment rather than a flag.
    etcd_env: &[("ETCD_PEER_CLIENT_CERT_AUTH", "true")],
    kubelet_config: "apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
streamingConnectionIdleTimeout: 4h0m0s
makeIPTablesUtilChains: true
eventRecordQPS: 5
tlsCertFile: /var/lib/kubelet/pki/kubelet.crt
tlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key
rotateCertificates: true
tlsCipherSuites:
- TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
- TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
podPidsLimit: 4096
featureGates:
  RotateKubeletServerCertificate: true
",
    // A flag the config file also sets: the flag is what counts.
    kubelet_args: &["--read-only-port=0"],
    encryption_config: "apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets, configmaps]
  providers:
  - aescbc:
      keys:
      - name: key1
        secret: c2VjcmV0IGlzIHNlY3VyZQ==
  - identity: {}
",
    kube_proxy_metrics: "127.0.0.1:10249",
};

pub const NON_COMPLIANT: Layout = Layout {
    file_mode: 0o644,
    owner: ADMIN,
    etcd_dir_mode: 0o755,
    etcd_dir_owner: ROOT,
    apiserver_args: &[
        "--anonymous-auth=true",
        "--token-auth-file=/etc/kubernetes/tokens.csv",
        // Repeated: the last one wins.
        "--authorization-mode=Node,RBAC",
        "--authorization-mode=AlwaysAllow",
        "--enable-admission-plugins=AlwaysAdmit",
        "--disable-admission-plugins=ServiceAccount,NamespaceLifecycle",
        // A bare boolean is true.
        "--profiling",
        "--audit-log-maxage=7",
        "--audit-log-maxbackup=3",
        "--audit-log-maxsize=10",
        "--service-account-lookup=false",
        "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_RC4_128_SHA",
    ],
    controller_manager_args: &[
        "--profiling=true",
        "--use-service-account-credentials=false",
        "--bind-address=0.0.0.0",
        "--feature-gates=SomeGate=true,RotateKubeletServerCertificate=false",
    ],
    scheduler_args: &["--profiling", "--bind-address", "0.0.0.0"],
    etcd_args: &[
        "--client-cert-auth=false",
        "--auto-tls=true",
        "--peer-auto-tls",
    ],
    etcd_env: &[("ETCD_PEER_CLIENT_CERT_AUTH", "false")],
    kubelet_config: "apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
authorization:
  mode: AlwaysAllow
readOnlyPort: 10255
streamingConnectionIdleTimeout: 0
makeIPTablesUtilChains: false
eventRecordQPS: -1
rotateCertificates: false
tlsCipherSuites:
- TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
- TLS_RSA_WITH_RC4_128_SHA
",
    // The flag overrides the config file's `enabled: false`.
    kubelet_args: &[
        "--anonymous-auth=true",
        "--hostname-override=node-1",
        "--feature-gates=SomeGate=true,RotateKubeletServerCertificate=false",
    ],
    // Identity first: new data is stored in clear. The API server here has no
    // --encryption-provider-config, so this is read by `encryption_with_identity_first_fails`.
    encryption_config: "apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources: [secrets]
  providers:
  - identity: {}
  - aescbc:
      keys:
      - name: key1
        secret: c2VjcmV0IGlzIHNlY3VyZQ==
",
    kube_proxy_metrics: "0.0.0.0:10249",
};

pub fn write(root: &Path, path: &str, text: &str, mode: u32, owner: u32) {
    let file = root.join(path.trim_start_matches('/'));
    let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
    fs::create_dir_all(&parent).unwrap();
    fs::write(&file, text).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(mode)).unwrap();
    chown(&file, Some(owner), Some(owner)).unwrap();
}

/// Writes `/etc/passwd` and `/etc/group` holding root and an unprivileged `admin` (uid and gid
/// 1000), so that owner checks can name the accounts they see.
pub fn write_accounts(root: &Path) {
    write(
        root,
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n",
        0o644,
        ROOT,
    );
    write(
        root,
        "/etc/group",
        "root:x:0:\nadmin:x:1000:\n",
        0o644,
        ROOT,
    );
}

pub fn static_pod(name: &str, command: &[&str]) -> String {
    static_pod_with_env(name, command, &[])
}

pub fn static_pod_with_env(name: &str, command: &[&str], env: &[(&str, &str)]) -> String {
    let mut out = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: kube-system\nspec:\n  hostNetwork: true\n  containers:\n  - name: {name}\n    image: registry.k8s.io/{name}:v1.31.0\n    command:\n"
    );
    for word in command {
        out.push_str(&format!("    - \"{word}\"\n"));
    }
    if !env.is_empty() {
        out.push_str("    env:\n");
        for (name, value) in env {
            out.push_str(&format!("    - name: {name}\n      value: \"{value}\"\n"));
        }
    }
    out
}

/// Builds a kubeadm control plane node (which also runs a kubelet) under `root`.
pub fn build(root: &Path, layout: &Layout) {
    build_as(root, layout, &Paths::kubeadm());
}

/// Builds the node with every path (where files are written, and paths in their contents)
/// translated by `t`.
pub fn build_as(root: &Path, layout: &Layout, t: &Paths) {
    let (mode, owner) = (layout.file_mode, layout.owner);
    put(
        root,
        t,
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\netcd:x:1500:1500::/var/lib/etcd:/sbin/nologin\n",
        0o644,
        ROOT,
    );
    put(
        root,
        t,
        "/etc/group",
        "root:x:0:\nadmin:x:1000:\netcd:x:1500:\n",
        0o644,
        ROOT,
    );
    let manifests = "/etc/kubernetes/manifests";
    let mut apiserver = vec!["kube-apiserver", "--advertise-address=10.0.0.10"];
    apiserver.extend_from_slice(layout.apiserver_args);
    let mut controller_manager = vec!["kube-controller-manager"];
    controller_manager.extend_from_slice(layout.controller_manager_args);
    let mut etcd = vec!["etcd", "--data-dir=/var/lib/etcd"];
    etcd.extend_from_slice(layout.etcd_args);
    let mut etcd_env = layout.etcd_env;
    if t.etcd_config_file {
        // RKE2 and K3s: etcd reads everything from its config file.
        put(
            root,
            t,
            "/var/lib/etcd/config",
            &etcd_config(&etcd, layout.etcd_env),
            0o600,
            ROOT,
        );
        etcd = vec!["etcd", "--config-file=/var/lib/etcd/config"];
        etcd_env = &[];
    }
    let mut scheduler = vec!["kube-scheduler"];
    scheduler.extend_from_slice(layout.scheduler_args);
    put(
        root,
        t,
        &format!("{manifests}/kube-apiserver.yaml"),
        &static_pod("kube-apiserver", &apiserver),
        mode,
        owner,
    );
    put(
        root,
        t,
        &format!("{manifests}/kube-controller-manager.yaml"),
        &static_pod("kube-controller-manager", &controller_manager),
        mode,
        owner,
    );
    put(
        root,
        t,
        &format!("{manifests}/kube-scheduler.yaml"),
        &static_pod("kube-scheduler", &scheduler),
        mode,
        owner,
    );
    put(
        root,
        t,
        &format!("{manifests}/etcd.yaml"),
        &static_pod_with_env("etcd", &etcd, etcd_env),
        mode,
        owner,
    );
    for conf in [
        "admin",
        "super-admin",
        "scheduler",
        "controller-manager",
        "kubelet",
    ] {
        put(
            root,
            t,
            &format!("/etc/kubernetes/{conf}.conf"),
            "apiVersion: v1\nkind: Config\n",
            mode,
            owner,
        );
    }
    for pki in [
        "ca.crt",
        "ca.key",
        "apiserver.crt",
        "apiserver.key",
        "sa.pub",
        "etcd/ca.crt",
        "etcd/ca.key",
    ] {
        put(
            root,
            t,
            &format!("/etc/kubernetes/pki/{pki}"),
            "-----BEGIN-----\n",
            mode,
            owner,
        );
    }
    chown(
        root.join(t.at("/etc/kubernetes/pki").unwrap().trim_start_matches('/')),
        Some(owner),
        Some(owner),
    )
    .unwrap();
    put(
        root,
        t,
        "/etc/cni/net.d/10-calico.conflist",
        "{}\n",
        mode,
        owner,
    );
    put(
        root,
        t,
        "/var/lib/cni/networks/k8s-pod-network/10.244.0.5",
        "c0ffee\n",
        mode,
        owner,
    );
    put(
        root,
        t,
        "/etc/kubernetes/enc/config.yaml",
        layout.encryption_config,
        0o600,
        ROOT,
    );
    let etcd = root.join(t.at("/var/lib/etcd").unwrap().trim_start_matches('/'));
    fs::create_dir_all(etcd.join("member")).unwrap();
    fs::set_permissions(&etcd, fs::Permissions::from_mode(layout.etcd_dir_mode)).unwrap();
    chown(
        &etcd,
        Some(layout.etcd_dir_owner),
        Some(layout.etcd_dir_owner),
    )
    .unwrap();
    put(
        root,
        t,
        "/var/lib/kubelet/config.yaml",
        layout.kubelet_config,
        mode,
        owner,
    );
    put(
        root,
        t,
        "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "[Service]\n",
        mode,
        owner,
    );
    put(
        root,
        t,
        "/var/lib/kube-proxy/kubeconfig",
        "apiVersion: v1\nkind: Config\n",
        mode,
        owner,
    );
    // The kubelet runs as a process; its flags name its config and kubeconfig.
    let mut kubelet_cmdline = "/usr/bin/kubelet\0--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf\0--kubeconfig=/etc/kubernetes/kubelet.conf\0--config=/var/lib/kubelet/config.yaml\0".to_owned();
    for arg in layout.kubelet_args {
        kubelet_cmdline.push_str(arg);
        kubelet_cmdline.push('\0');
    }
    put(root, t, "/proc/812/cmdline", &kubelet_cmdline, 0o444, ROOT);
    // kube-proxy runs in a pod: its config is a ConfigMap seen through /proc/<pid>/root.
    put(
        root,
        t,
        "/proc/950/cmdline",
        "/usr/local/bin/kube-proxy\0--config=/var/lib/kube-proxy/config.conf\0--hostname-override=node-1\0",
        0o444,
        ROOT,
    );
    put(
        root,
        t,
        "/proc/950/root/var/lib/kube-proxy/config.conf",
        &format!(
            "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: {}\n",
            layout.kube_proxy_metrics
        ),
        0o644,
        ROOT,
    );
    // A kernel thread: no command line.
    put(root, t, "/proc/2/cmdline", "", 0o444, ROOT);
}

/// Writes a file at a kubeadm path translated by `t` (not at all where the layout has no such
/// file), with the paths in its text translated too.
pub fn put(root: &Path, t: &Paths, path: &str, text: &str, mode: u32, owner: u32) {
    if let Some(path) = t.at(path) {
        write(root, &path, &t.text(text), mode, owner);
    }
}

/// etcd's YAML config file holding what these flags and environment variables say.
pub fn etcd_config(argv: &[&str], env: &[(&str, &str)]) -> String {
    const TLS: &[&str] = &[
        "cert-file",
        "key-file",
        "client-cert-auth",
        "trusted-ca-file",
        "auto-tls",
    ];
    let mut top = Vec::new();
    let mut client = Vec::new();
    let mut peer = Vec::new();
    let flags = argv.iter().skip(1).filter_map(|a| {
        let body = a.strip_prefix("--")?;
        Some(body.split_once('=').unwrap_or((body, "true")))
    });
    let vars = env.iter().filter_map(|(name, value)| {
        let flag = name.strip_prefix("ETCD_")?.to_lowercase().replace('_', "-");
        Some((Box::leak(flag.into_boxed_str()) as &str, *value))
    });
    for (name, value) in flags.chain(vars) {
        let line = |key: &str| format!("  {key}: {value}\n");
        if let Some(rest) = name.strip_prefix("peer-").filter(|r| TLS.contains(r)) {
            peer.push(line(rest));
        } else if TLS.contains(&name) {
            client.push(line(name));
        } else {
            top.push(format!("{name}: {value}\n"));
        }
    }
    let mut out = top.concat();
    out.push_str("client-transport-security:\n");
    out.push_str(&client.concat());
    out.push_str("peer-transport-security:\n");
    out.push_str(&peer.concat());
    out
}

/// Where a layout keeps kubeadm's paths, for building its trees.
pub struct Paths {
    map: Vec<(&'static str, Vec<&'static str>)>,
    /// etcd is configured through `--config-file`.
    pub etcd_config_file: bool,
}

impl Paths {
    pub fn kubeadm() -> Paths {
        Paths {
            map: Vec::new(),
            etcd_config_file: false,
        }
    }

    /// RKE2: the layout's own translation, plus where RKE2 keeps the kubelet's files.
    pub fn rke2() -> Paths {
        let mut map: Vec<(&'static str, Vec<&'static str>)> = vec![
            (
                "/etc/kubernetes/kubelet.conf",
                vec!["/var/lib/rancher/rke2/agent/kubelet.kubeconfig"],
            ),
            (
                "/var/lib/kubelet/config.yaml",
                vec!["/var/lib/rancher/rke2/agent/etc/kubelet.conf.d/00-rke2-defaults.conf"],
            ),
            (
                "/etc/kubernetes/pki/ca.crt",
                vec!["/var/lib/rancher/rke2/agent/client-ca.crt"],
            ),
        ];
        map.extend(
            harrier_node::Profile::Rke2
                .path_map()
                .iter()
                .map(|(from, to)| (*from, to.to_vec())),
        );
        Paths {
            map,
            etcd_config_file: true,
        }
    }

    /// Where a kubeadm path is; `None` where the layout has no such file.
    pub fn at(&self, path: &str) -> Option<String> {
        for (from, to) in &self.map {
            let rest = if path == *from {
                Some("")
            } else {
                path.strip_prefix(from).filter(|r| r.starts_with('/'))
            };
            if let Some(rest) = rest {
                return to.first().map(|t| format!("{t}{rest}"));
            }
        }
        Some(path.to_owned())
    }

    /// The text with kubeadm's paths replaced by the layout's.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (from, to) in &self.map {
            if let Some(to) = to.first() {
                out = out.replace(from, to);
            }
        }
        out
    }
}
