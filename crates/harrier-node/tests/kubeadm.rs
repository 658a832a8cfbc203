//! Kubeadm-shaped node trees built in a temp dir, in a compliant and a non-compliant variant:
//! every automated item passes on the first and fails on the second, with the evidence named.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::Path;

use harrier_node::checks::{evaluate, for_benchmark};
use harrier_node::{Benchmark, NodeResult, NodeView, Status, Test};

const ROOT: u32 = 0;
const ETCD: u32 = 1500;
const ADMIN: u32 = 1000;

/// How one variant lays files out.
struct Layout {
    file_mode: u32,
    owner: u32,
    etcd_dir_mode: u32,
    etcd_dir_owner: u32,
    apiserver_args: &'static [&'static str],
    controller_manager_args: &'static [&'static str],
    scheduler_args: &'static [&'static str],
    etcd_args: &'static [&'static str],
    etcd_env: &'static [(&'static str, &'static str)],
    kubelet_config: &'static str,
    kubelet_args: &'static [&'static str],
    encryption_config: &'static str,
    kube_proxy_metrics: &'static str,
}

const COMPLIANT: Layout = Layout {
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

const NON_COMPLIANT: Layout = Layout {
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

fn write(root: &Path, path: &str, text: &str, mode: u32, owner: u32) {
    let file = root.join(path.trim_start_matches('/'));
    let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
    fs::create_dir_all(&parent).unwrap();
    fs::write(&file, text).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(mode)).unwrap();
    chown(&file, Some(owner), Some(owner)).unwrap();
}

fn static_pod(name: &str, command: &[&str]) -> String {
    static_pod_with_env(name, command, &[])
}

fn static_pod_with_env(name: &str, command: &[&str], env: &[(&str, &str)]) -> String {
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
fn build(root: &Path, layout: &Layout) {
    let (mode, owner) = (layout.file_mode, layout.owner);
    write(
        root,
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\netcd:x:1500:1500::/var/lib/etcd:/sbin/nologin\n",
        0o644,
        ROOT,
    );
    write(
        root,
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
    let mut scheduler = vec!["kube-scheduler"];
    scheduler.extend_from_slice(layout.scheduler_args);
    write(
        root,
        &format!("{manifests}/kube-apiserver.yaml"),
        &static_pod("kube-apiserver", &apiserver),
        mode,
        owner,
    );
    write(
        root,
        &format!("{manifests}/kube-controller-manager.yaml"),
        &static_pod("kube-controller-manager", &controller_manager),
        mode,
        owner,
    );
    write(
        root,
        &format!("{manifests}/kube-scheduler.yaml"),
        &static_pod("kube-scheduler", &scheduler),
        mode,
        owner,
    );
    write(
        root,
        &format!("{manifests}/etcd.yaml"),
        &static_pod_with_env("etcd", &etcd, layout.etcd_env),
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
        write(
            root,
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
        write(
            root,
            &format!("/etc/kubernetes/pki/{pki}"),
            "-----BEGIN-----\n",
            mode,
            owner,
        );
    }
    chown(root.join("etc/kubernetes/pki"), Some(owner), Some(owner)).unwrap();
    write(
        root,
        "/etc/cni/net.d/10-calico.conflist",
        "{}\n",
        mode,
        owner,
    );
    write(
        root,
        "/var/lib/cni/networks/k8s-pod-network/10.244.0.5",
        "c0ffee\n",
        mode,
        owner,
    );
    write(
        root,
        "/etc/kubernetes/enc/config.yaml",
        layout.encryption_config,
        0o600,
        ROOT,
    );
    let etcd = root.join("var/lib/etcd");
    fs::create_dir_all(etcd.join("member")).unwrap();
    fs::set_permissions(&etcd, fs::Permissions::from_mode(layout.etcd_dir_mode)).unwrap();
    chown(
        &etcd,
        Some(layout.etcd_dir_owner),
        Some(layout.etcd_dir_owner),
    )
    .unwrap();
    write(
        root,
        "/var/lib/kubelet/config.yaml",
        layout.kubelet_config,
        mode,
        owner,
    );
    write(
        root,
        "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "[Service]\n",
        mode,
        owner,
    );
    write(
        root,
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
    write(root, "/proc/812/cmdline", &kubelet_cmdline, 0o444, ROOT);
    // kube-proxy runs in a pod: its config is a ConfigMap seen through /proc/<pid>/root.
    write(
        root,
        "/proc/950/cmdline",
        "/usr/local/bin/kube-proxy\0--config=/var/lib/kube-proxy/config.conf\0--hostname-override=node-1\0",
        0o444,
        ROOT,
    );
    write(
        root,
        "/proc/950/root/var/lib/kube-proxy/config.conf",
        &format!(
            "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmetricsBindAddress: {}\n",
            layout.kube_proxy_metrics
        ),
        0o644,
        ROOT,
    );
    // A kernel thread: no command line.
    write(root, "/proc/2/cmdline", "", 0o444, ROOT);
}

/// Builds a variant and evaluates it, or `None` where ownership cannot be set (not root).
fn scan(layout: &Layout) -> Option<(tempfile::TempDir, BTreeMap<&'static str, NodeResult>)> {
    let dir = tempfile::tempdir().unwrap();
    if chown(dir.path(), Some(ADMIN), Some(ADMIN)).is_err() {
        return harrier_core::testing::skip("chown needs root");
    }
    build(dir.path(), layout);
    let results = evaluate(&NodeView::new(dir.path()), Benchmark::Cis110)
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    Some((dir, results))
}

fn evidence(results: &BTreeMap<&str, NodeResult>, id: &str) -> String {
    results[id].evidence.join("\n")
}

#[test]
fn compliant_node_passes_every_automated_item() {
    let Some((dir, results)) = scan(&COMPLIANT) else {
        return;
    };
    let mut wrong = Vec::new();
    for benchmark in Benchmark::CIS {
        let results: BTreeMap<_, _> = evaluate(&NodeView::new(dir.path()), benchmark)
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        for check in for_benchmark(benchmark) {
            let result = &results[check.id];
            let want = if matches!(check.test, Test::Manual) {
                Status::Manual
            } else {
                Status::Pass
            };
            if result.status != want {
                wrong.push(format!(
                    "{} {} {}: {:?}",
                    benchmark.name(),
                    check.id,
                    result.status,
                    result.evidence
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        evidence(&results, "1.1.1")
            .contains("/etc/kubernetes/manifests/kube-apiserver.yaml has mode 600")
    );
    assert!(evidence(&results, "1.1.12").contains("/var/lib/etcd is owned by etcd:etcd"));
    assert!(evidence(&results, "1.2.17").contains("--audit-log-maxage=30"));
    assert!(evidence(&results, "1.2.7").contains("kube-apiserver (/etc/kubernetes/manifests/kube-apiserver.yaml): --authorization-mode=Node,RBAC"));
    assert!(evidence(&results, "4.1.9").contains("/var/lib/kubelet/config.yaml has mode 600"));
    assert!(evidence(&results, "4.2.11").contains(
        "kubelet config /var/lib/kubelet/config.yaml: featureGates.RotateKubeletServerCertificate=true"
    ));
    assert!(evidence(&results, "1.2.28").contains(
        "/etc/kubernetes/enc/config.yaml: resources [secrets, configmaps] are written with aescbc"
    ));
    assert!(evidence(&results, "4.2.4").contains("kubelet (process 812): --read-only-port=0"));
    assert!(evidence(&results, "4.2.1").contains(
        "kubelet config /var/lib/kubelet/config.yaml: authentication.anonymous.enabled=false"
    ));
    assert!(
        evidence(&results, "2.5").contains(
            "etcd (/etc/kubernetes/manifests/etcd.yaml): ETCD_PEER_CLIENT_CERT_AUTH=true"
        )
    );
}

#[test]
fn non_compliant_node_fails_every_automated_item() {
    let Some((dir, results)) = scan(&NON_COMPLIANT) else {
        return;
    };
    let mut wrong = Vec::new();
    for benchmark in Benchmark::CIS {
        let results: BTreeMap<_, _> = evaluate(&NodeView::new(dir.path()), benchmark)
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        for check in for_benchmark(benchmark) {
            let result = &results[check.id];
            let want = if matches!(check.test, Test::Manual) {
                Status::Manual
            } else {
                Status::Fail
            };
            if result.status != want {
                wrong.push(format!(
                    "{} {} {}: {:?}",
                    benchmark.name(),
                    check.id,
                    result.status,
                    result.evidence
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let expect = [
        (
            "1.1.1",
            "/etc/kubernetes/manifests/kube-apiserver.yaml has mode 644 (at most 600 allowed)",
        ),
        (
            "1.1.2",
            "/etc/kubernetes/manifests/kube-apiserver.yaml is owned by admin:admin",
        ),
        ("1.1.9", "/etc/cni/net.d/10-calico.conflist has mode 644"),
        (
            "1.1.10",
            "/var/lib/cni/networks/k8s-pod-network/10.244.0.5 is owned by admin:admin",
        ),
        ("1.1.11", "/var/lib/etcd has mode 755 (at most 700 allowed)"),
        ("1.1.12", "/var/lib/etcd is owned by root:root"),
        ("1.1.13", "/etc/kubernetes/super-admin.conf has mode 644"),
        (
            "1.1.19",
            "/etc/kubernetes/pki/etcd/ca.key is owned by admin:admin",
        ),
        ("1.1.21", "/etc/kubernetes/pki/ca.key has mode 644"),
        ("1.2.1", "--anonymous-auth=true"),
        ("1.2.2", "--token-auth-file=/etc/kubernetes/tokens.csv"),
        ("1.2.5", "--kubelet-certificate-authority is not set"),
        ("1.2.6", "--authorization-mode=AlwaysAllow"),
        (
            "1.2.12",
            "--disable-admission-plugins=ServiceAccount,NamespaceLifecycle",
        ),
        ("1.2.15", "--profiling=true"),
        ("1.2.17", "--audit-log-maxage=7"),
        ("1.2.21", "--service-account-lookup=false"),
        ("1.2.28", "--encryption-provider-config is not set"),
        ("1.2.29", "TLS_RSA_WITH_RC4_128_SHA"),
        (
            "1.3.3",
            "kube-controller-manager (/etc/kubernetes/manifests/kube-controller-manager.yaml): --use-service-account-credentials=false",
        ),
        ("1.3.5", "--root-ca-file is not set"),
        (
            "1.3.6",
            "--feature-gates=SomeGate=true,RotateKubeletServerCertificate=false",
        ),
        ("1.3.7", "--bind-address=0.0.0.0"),
        (
            "1.4.1",
            "kube-scheduler (/etc/kubernetes/manifests/kube-scheduler.yaml): --profiling=true",
        ),
        ("1.4.2", "--bind-address=0.0.0.0"),
        (
            "2.1",
            "etcd (/etc/kubernetes/manifests/etcd.yaml): --cert-file is not set, nor ETCD_CERT_FILE",
        ),
        ("2.2", "--client-cert-auth=false"),
        ("2.3", "--auto-tls=true"),
        ("2.5", "ETCD_PEER_CLIENT_CERT_AUTH=false"),
        ("2.6", "--peer-auto-tls=true"),
        ("4.2.1", "kubelet (process 812): --anonymous-auth=true"),
        (
            "4.2.2",
            "kubelet config /var/lib/kubelet/config.yaml: authorization.mode=AlwaysAllow",
        ),
        (
            "4.2.3",
            "kubelet: --client-ca-file is not set, nor authentication.x509.clientCAFile in /var/lib/kubelet/config.yaml",
        ),
        ("4.2.4", "readOnlyPort=10255"),
        ("4.2.5", "streamingConnectionIdleTimeout=0"),
        ("4.2.7", "--hostname-override=node-1"),
        ("4.2.8", "eventRecordQPS=-1"),
        (
            "4.2.11",
            "kubelet (process 812): --feature-gates RotateKubeletServerCertificate=false",
        ),
        ("4.2.12", "TLS_RSA_WITH_RC4_128_SHA"),
        (
            "4.3.1",
            "kube-proxy config /proc/950/root/var/lib/kube-proxy/config.conf: metricsBindAddress=0.0.0.0:10249",
        ),
        ("3.2.1", "--audit-policy-file is not set"),
        ("4.2.13", "--pod-max-pids is not set, nor podPidsLimit"),
        ("4.1.5", "/etc/kubernetes/kubelet.conf has mode 644"),
        ("4.1.7", "/etc/kubernetes/pki/ca.crt has mode 644"),
        (
            "4.1.10",
            "/var/lib/kubelet/config.yaml is owned by admin:admin",
        ),
    ];
    for (id, text) in expect {
        assert!(
            evidence(&results, id).contains(text),
            "{id}: {:?}",
            results[id].evidence
        );
    }
    assert!(!results["1.1.1"].remediation.is_empty());
}

#[test]
fn empty_node_warns_rather_than_fails() {
    let dir = tempfile::tempdir().unwrap();
    let results: BTreeMap<_, _> = evaluate(&NodeView::new(dir.path()), Benchmark::Cis110)
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    assert_eq!(results["1.1.1"].status, Status::Warn);
    assert!(
        evidence(&results, "1.1.1")
            .contains("not found: /etc/kubernetes/manifests/kube-apiserver.yaml")
    );
    assert_eq!(results["1.2.1"].status, Status::Warn);
    assert!(evidence(&results, "1.2.1").contains("kube-apiserver not found"));
    // "If the file exists": absent passes, as kube-bench's `File not found` item does.
    assert_eq!(results["4.1.2"].status, Status::Pass);
    assert_eq!(results["4.1.3"].status, Status::Pass);
}

#[test]
fn running_process_wins_over_static_manifest() {
    let Some((dir, _)) = scan(&COMPLIANT) else {
        return;
    };
    write(
        dir.path(),
        "/proc/900/cmdline",
        "kube-apiserver\0--profiling=true\0",
        0o444,
        ROOT,
    );
    let view = NodeView::new(dir.path());
    let results: BTreeMap<_, _> = evaluate(&view, Benchmark::Cis110)
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    assert_eq!(results["1.2.15"].status, Status::Fail);
    assert!(
        evidence(&results, "1.2.15").contains("kube-apiserver (process 900): --profiling=true")
    );
    let containers = view.static_containers();
    assert_eq!(containers.len(), 4);
    assert_eq!(
        containers[0].manifest,
        "/etc/kubernetes/manifests/etcd.yaml"
    );
    assert_eq!(view.processes().len(), 3);
}

#[test]
fn tree_does_not_follow_directory_links() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("etc/kubernetes/pki");
    fs::create_dir_all(&pki).unwrap();
    fs::write(pki.join("ca.crt"), "x").unwrap();
    std::os::unix::fs::symlink(&pki, pki.join("loop")).unwrap();
    let tree = NodeView::new(dir.path()).tree("/etc/kubernetes/pki");
    let paths: Vec<&str> = tree.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/etc/kubernetes/pki",
            "/etc/kubernetes/pki/ca.crt",
            "/etc/kubernetes/pki/loop"
        ]
    );
}

#[test]
fn encryption_with_identity_first_fails() {
    let Some((dir, _)) = scan(&COMPLIANT) else {
        return;
    };
    write(
        dir.path(),
        "/etc/kubernetes/enc/config.yaml",
        NON_COMPLIANT.encryption_config,
        0o600,
        ROOT,
    );
    let results: BTreeMap<_, _> = evaluate(&NodeView::new(dir.path()), Benchmark::Cis110)
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    assert_eq!(results["1.2.28"].status, Status::Fail);
    assert!(evidence(&results, "1.2.28").contains(
        "/etc/kubernetes/enc/config.yaml: resources [secrets] are written with identity"
    ));
}

#[test]
fn cipher_list_follows_the_benchmark_version() {
    let Some((dir, _)) = scan(&COMPLIANT) else {
        return;
    };
    // Allowed by CIS 1.9, dropped from the list by 1.10.
    write(
        dir.path(),
        "/proc/900/cmdline",
        "kube-apiserver\0--tls-cipher-suites=TLS_RSA_WITH_AES_128_GCM_SHA256\0",
        0o444,
        ROOT,
    );
    let view = NodeView::new(dir.path());
    let status = |benchmark| {
        evaluate(&view, benchmark)
            .into_iter()
            .find(|r| r.id == "1.2.29")
            .map(|r| r.status)
    };
    assert_eq!(status(Benchmark::Cis19), Some(Status::Pass));
    assert_eq!(status(Benchmark::Cis110), Some(Status::Fail));
}
