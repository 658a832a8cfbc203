//! Kubeadm-shaped node trees built in a temp dir, in a compliant and a non-compliant variant:
//! every automated item passes on the first and fails on the second, with the evidence named.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::chown;

use support::{ADMIN, COMPLIANT, Layout, NON_COMPLIANT, ROOT, build, write};

use harrier_node::checks::{evaluate, for_benchmark};
use harrier_node::{Benchmark, NodeResult, NodeView, Status, Test};

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
    // Absolute, as on the node: it points back at the directory inside the root.
    std::os::unix::fs::symlink("/etc/kubernetes/pki", pki.join("loop")).unwrap();
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

#[test]
fn links_resolve_inside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Absolute links: on a node mounted at `root`, they point inside it, not at this machine.
    fs::create_dir_all(root.join("etc/pki/k8s")).unwrap();
    fs::write(root.join("etc/pki/k8s/ca.key"), "k").unwrap();
    fs::create_dir_all(root.join("etc/kubernetes")).unwrap();
    std::os::unix::fs::symlink("/etc/pki/k8s", root.join("etc/kubernetes/pki")).unwrap();
    fs::create_dir_all(root.join("srv")).unwrap();
    fs::write(root.join("srv/admin.conf"), "a").unwrap();
    fs::set_permissions(
        root.join("srv/admin.conf"),
        std::os::unix::fs::PermissionsExt::from_mode(0o640),
    )
    .unwrap();
    std::os::unix::fs::symlink("/srv/admin.conf", root.join("etc/kubernetes/admin.conf")).unwrap();
    // A relative link through `..`, and a loop.
    std::os::unix::fs::symlink("../../srv/admin.conf", root.join("etc/kubernetes/rel.conf"))
        .unwrap();
    std::os::unix::fs::symlink("/etc/b", root.join("etc/a")).unwrap();
    std::os::unix::fs::symlink("/etc/a", root.join("etc/b")).unwrap();
    let view = NodeView::new(root);
    assert_eq!(view.file("/etc/kubernetes/admin.conf").unwrap().mode, 0o640);
    assert_eq!(view.file("/etc/kubernetes/rel.conf").unwrap().mode, 0o640);
    assert!(view.file("/etc/a").is_none());
    let tree: Vec<String> = view
        .tree("/etc/kubernetes/pki")
        .into_iter()
        .map(|f| f.path)
        .collect();
    assert_eq!(tree, ["/etc/kubernetes/pki", "/etc/kubernetes/pki/ca.key"]);
}

#[test]
fn kubelet_drop_ins_override_the_config_file_and_flags_override_both() {
    let Some((dir, _)) = scan(&COMPLIANT) else {
        return;
    };
    let root = dir.path();
    let base = "/usr/bin/kubelet\0--kubeconfig=/etc/kubernetes/kubelet.conf\0--config=/var/lib/kubelet/config.yaml\0--config-dir=/etc/kubernetes/kubelet.conf.d\0";
    write(root, "/proc/812/cmdline", base, 0o444, ROOT);
    let drop_ins = "/etc/kubernetes/kubelet.conf.d";
    write(
        root,
        &format!("{drop_ins}/10-open.conf"),
        "readOnlyPort: 10255\n",
        0o600,
        ROOT,
    );
    write(
        root,
        &format!("{drop_ins}/20-closed.conf"),
        "readOnlyPort: 0\n",
        0o644,
        ROOT,
    );
    // Not a drop-in: the kubelet reads `*.conf` only.
    write(
        root,
        &format!("{drop_ins}/30-ignored.yaml"),
        "readOnlyPort: 1\n",
        0o600,
        ROOT,
    );
    let results = |root: &std::path::Path| -> BTreeMap<&'static str, NodeResult> {
        evaluate(&NodeView::new(root), Benchmark::Cis110)
            .into_iter()
            .map(|r| (r.id, r))
            .collect()
    };
    let r = results(root);
    assert_eq!(r["4.2.4"].status, Status::Pass);
    assert!(
        evidence(&r, "4.2.4").contains(
            "kubelet config /etc/kubernetes/kubelet.conf.d/20-closed.conf: readOnlyPort=0"
        )
    );
    // The drop-ins' permissions count as the config file's.
    assert_eq!(r["4.1.9"].status, Status::Fail);
    assert!(evidence(&r, "4.1.9").contains("20-closed.conf has mode 644"));
    // Keys the drop-ins leave alone come from --config.
    assert!(evidence(&r, "4.2.1").contains(
        "kubelet config /var/lib/kubelet/config.yaml: authentication.anonymous.enabled=false"
    ));
    fs::remove_file(root.join("etc/kubernetes/kubelet.conf.d/20-closed.conf")).unwrap();
    let r = results(root);
    assert_eq!(r["4.2.4"].status, Status::Fail);
    assert!(evidence(&r, "4.2.4").contains("10-open.conf: readOnlyPort=10255"));
    write(
        root,
        "/proc/812/cmdline",
        &format!("{base}--read-only-port=0\0"),
        0o444,
        ROOT,
    );
    assert_eq!(results(root)["4.2.4"].status, Status::Pass);
}

#[test]
fn kubelet_from_its_systemd_unit_when_no_process_is_visible() {
    // A kubeadm worker's disk without /proc: the kubelet's flags come from its unit, as
    // kubeadm's packages lay it out.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let put = |path: &str, text: &str| {
        let file = root.join(path.trim_start_matches('/'));
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(file, text).unwrap();
    };
    put(
        "/usr/lib/systemd/system/kubelet.service",
        "[Unit]\nDescription=kubelet\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n",
    );
    put(
        "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
        r#"# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
"#,
    );
    put(
        "/var/lib/kubelet/kubeadm-flags.env",
        "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10\"\n",
    );
    // An admin's drop-in sets extra args; /etc/default/kubelet's EnvironmentFile wins over it.
    put(
        "/etc/systemd/system/kubelet.service.d/20-extra.conf",
        "[Service]\nEnvironment=\"KUBELET_EXTRA_ARGS=--hostname-override=node-x\"\n",
    );
    put(
        "/etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=\"--read-only-port=0 \\\n--anonymous-auth=false\"\n",
    );
    put(
        "/var/lib/kubelet/config.yaml",
        "kind: KubeletConfiguration\nreadOnlyPort: 10255\n",
    );
    let view = NodeView::new(root);
    let line = view.command_line("kubelet").unwrap();
    assert_eq!(
        line.flags.get("kubeconfig"),
        Some("/etc/kubernetes/kubelet.conf")
    );
    assert_eq!(
        line.flags.get("container-runtime-endpoint"),
        Some("unix:///var/run/containerd/containerd.sock")
    );
    assert_eq!(line.flags.get("hostname-override"), None);
    assert_eq!(view.kubelet_config_path(), "/var/lib/kubelet/config.yaml");
    let results: BTreeMap<_, _> = evaluate(&view, Benchmark::Cis110)
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    // The flag (from /etc/default/kubelet) wins over the config file's 10255.
    assert_eq!(results["4.2.4"].status, Status::Pass);
    assert!(
        evidence(&results, "4.2.4").contains("kubelet (/etc/default/kubelet): --read-only-port=0"),
        "{:?}",
        results["4.2.4"].evidence
    );
    assert!(
        evidence(&results, "4.2.7").contains("--hostname-override is not set"),
        "{:?}",
        results["4.2.7"].evidence
    );
}

#[test]
fn processes_from_another_proc_dir() {
    // A pod with hostPID and the host at /host: the host's processes are in the pod's /proc.
    let Some((dir, _)) = scan(&COMPLIANT) else {
        return;
    };
    let proc_dir = tempfile::tempdir().unwrap();
    fs::rename(dir.path().join("proc"), proc_dir.path().join("proc")).unwrap();
    let without = evaluate(&NodeView::new(dir.path()), Benchmark::Cis110);
    let status =
        |results: &[NodeResult], id: &str| results.iter().find(|r| r.id == id).map(|r| r.status);
    // kube-proxy runs only as a process.
    assert_eq!(status(&without, "4.3.1"), Some(Status::Warn));
    let view = NodeView::new(dir.path()).with_proc_dir(proc_dir.path().join("proc"));
    assert_eq!(view.processes().len(), 2);
    let with = evaluate(&view, Benchmark::Cis110);
    // Its config is read through /proc/<pid>/root in that directory too.
    assert_eq!(status(&with, "4.3.1"), Some(Status::Pass));
    let read_only_port = with.iter().find(|r| r.id == "4.2.4").unwrap();
    assert!(
        read_only_port
            .evidence
            .contains(&"kubelet (process 812): --read-only-port=0".to_owned()),
        "{:?}",
        read_only_port.evidence
    );
    let scan = harrier_node::scan_node_with(
        dir.path(),
        &harrier_node::ScanOptions {
            proc_dir: Some(proc_dir.path().join("proc")),
            ..Default::default()
        },
    );
    assert_eq!(status(&scan.results, "4.3.1"), Some(Status::Pass));
}
