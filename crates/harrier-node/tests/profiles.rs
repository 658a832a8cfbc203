//! The other layouts, built in a temp dir the way they lay nodes out, compliant and not:
//! RKE2 (kubeadm's components in RKE2's places, etcd through `--config-file`), K3s (one k3s
//! process, flags from its built-in defaults, `config.yaml`, `config.yaml.d/` and its command
//! line, embedded etcd's config file) and the EKS, GKE and AKS worker layouts against their
//! own benchmarks. Every automated item passes on the compliant tree and fails on the other,
//! except where the layout decides it (not applicable; flags K3s always sets), which the tests
//! name. Detection picks the right profile for each tree.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is a failed test

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{PermissionsExt, chown};
use std::path::Path;

use harrier_node::checks::{evaluate, for_benchmark};
use harrier_node::{Benchmark, NodeResult, NodeView, Profile, Status, Test, scan_node};
use support::{
    ADMIN, COMPLIANT, Layout, NON_COMPLIANT, Paths, ROOT, build, build_as, etcd_config, write,
    write_accounts,
};

type Results = BTreeMap<&'static str, NodeResult>;

fn tempdir() -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap();
    if chown(dir.path(), Some(ADMIN), Some(ADMIN)).is_err() {
        return harrier_core::testing::skip("chown needs root");
    }
    Some(dir)
}

fn results(root: &Path, profile: Profile, benchmark: Benchmark) -> Results {
    evaluate(&NodeView::with_profile(root, profile), benchmark)
        .into_iter()
        .map(|r| (r.id, r))
        .collect()
}

fn evidence(results: &Results, id: &str) -> String {
    results[id].evidence.join("\n")
}

/// Checks every item of `benchmark`: MANUAL for manual items, PASS for items the layout says
/// do not apply or that are in `fixed`, else `want`. Returns the mismatches.
fn mismatches(
    root: &Path,
    profile: Profile,
    benchmark: Benchmark,
    want: Status,
    fixed: &[&str],
) -> Vec<String> {
    let results = results(root, profile, benchmark);
    let mut wrong = Vec::new();
    for check in for_benchmark(benchmark) {
        let result = &results[check.id];
        let expected = if matches!(check.test, Test::Manual) {
            Status::Manual
        } else if profile.not_applicable(check.id).is_some() || fixed.contains(&check.id) {
            Status::Pass
        } else {
            want
        };
        if result.status != expected {
            wrong.push(format!(
                "{profile} {benchmark} {} {} (want {expected}): {:?}",
                check.id, result.status, result.evidence
            ));
        }
    }
    wrong
}

// ---------------------------------------------------------------------------------------
// RKE2

fn rke2(layout: &Layout) -> Option<tempfile::TempDir> {
    let dir = tempdir()?;
    build_as(dir.path(), layout, &Paths::rke2());
    Some(dir)
}

#[test]
fn rke2_compliant_passes_and_non_compliant_fails() {
    let (Some(good), Some(bad)) = (rke2(&COMPLIANT), rke2(&NON_COMPLIANT)) else {
        return;
    };
    let mut wrong = Vec::new();
    for benchmark in Benchmark::CIS {
        wrong.extend(mismatches(
            good.path(),
            Profile::Rke2,
            benchmark,
            Status::Pass,
            &[],
        ));
        wrong.extend(mismatches(
            bad.path(),
            Profile::Rke2,
            benchmark,
            Status::Fail,
            &[],
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let good = results(good.path(), Profile::Rke2, Benchmark::Cis110);
    assert!(
        evidence(&good, "1.1.1")
            .contains("/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml has mode 600")
    );
    assert!(evidence(&good, "1.2.1").contains(
        "kube-apiserver (/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml): --anonymous-auth=false"
    ));
    assert!(evidence(&good, "2.1").contains(
        "etcd (/var/lib/rancher/rke2/agent/pod-manifests/etcd.yaml: --config-file /var/lib/rancher/rke2/server/db/etcd/config): --cert-file="
    ));
    assert!(evidence(&good, "4.1.1").starts_with("not applicable on RKE2"));

    let bad = results(bad.path(), Profile::Rke2, Benchmark::Cis110);
    for (id, text) in [
        (
            "1.1.11",
            "/var/lib/rancher/rke2/server/db/etcd has mode 755 (at most 700 allowed)",
        ),
        (
            "1.1.13",
            "/var/lib/rancher/rke2/server/cred/admin.kubeconfig has mode 644",
        ),
        (
            "1.1.16",
            "/var/lib/rancher/rke2/server/cred/scheduler.kubeconfig is owned by admin:admin",
        ),
        (
            "1.1.21",
            "/var/lib/rancher/rke2/server/tls/ca.key has mode 644",
        ),
        ("2.2", "--client-cert-auth=false"),
        ("2.5", "--peer-client-cert-auth=false"),
        (
            "4.1.3",
            "/var/lib/rancher/rke2/agent/kubeproxy.kubeconfig has mode 644",
        ),
        (
            "4.1.5",
            "/var/lib/rancher/rke2/agent/kubelet.kubeconfig has mode 644",
        ),
        (
            "4.2.2",
            "kubelet config /var/lib/rancher/rke2/agent/etc/kubelet.conf.d/00-rke2-defaults.conf: authorization.mode=AlwaysAllow",
        ),
    ] {
        assert!(
            evidence(&bad, id).contains(text),
            "{id}: {:?}",
            bad[id].evidence
        );
    }
}

// ---------------------------------------------------------------------------------------
// K3s

/// Flags K3s always sets (paths to its own certificates and keys): their items pass on any
/// K3s server, which is what the K3s self-assessment guide reports.
const K3S_FIXED: &[&str] = &[
    "1.2.4", "1.2.5", "1.2.22", "1.2.23", "1.2.24", "1.2.25", "1.2.26", "1.3.4", "1.3.5",
];

/// `--a=b`, `--a b` and bare `--a` as K3s passthrough entries (`a=b`, `a`).
fn passthroughs(argv: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let body = argv[i].trim_start_matches('-');
        i += 1;
        if body.contains('=') {
            out.push(body.to_owned());
        } else if let Some(next) = argv.get(i).filter(|n| !n.starts_with('-')) {
            out.push(format!("{body}={next}"));
            i += 1;
        } else {
            out.push(body.to_owned());
        }
    }
    out
}

fn yaml_list(key: &str, entries: &[String]) -> String {
    let mut out = format!("{key}:\n");
    for e in entries {
        out.push_str(&format!("  - \"{e}\"\n"));
    }
    out
}

/// Flags of kubeadm's variant that K3s sets itself, left out of the compliant config so that
/// K3s's defaults are what the items read.
const K3S_DEFAULTED: &[&str] = &[
    "anonymous-auth",
    "authorization-mode",
    "profiling",
    "bind-address",
    "use-service-account-credentials",
    "client-ca-file",
    "tls-cert-file",
    "tls-private-key-file",
    "kubelet-certificate-authority",
    "kubelet-client-certificate",
    "kubelet-client-key",
    "service-account-key-file",
    "service-account-private-key-file",
    "root-ca-file",
    "etcd-cafile",
    "etcd-certfile",
    "etcd-keyfile",
    // Set through `secrets-encryption: true` instead.
    "encryption-provider-config",
];

fn k3s(layout: &Layout, compliant: bool) -> Option<tempfile::TempDir> {
    let dir = tempdir()?;
    let root = dir.path();
    let (mode, owner) = (layout.file_mode, layout.owner);
    write_accounts(root);
    let keep = |args: &[&str]| -> Vec<String> {
        passthroughs(args)
            .into_iter()
            .filter(|p| {
                !compliant || {
                    let name = p.split('=').next().unwrap_or_default();
                    !K3S_DEFAULTED.contains(&name)
                }
            })
            .collect()
    };
    let mut config = String::new();
    if compliant {
        config.push_str("secrets-encryption: true\nprotect-kernel-defaults: true\n");
    }
    // The audit flags go to a drop-in, as a hardening guide would add them.
    let (audit, apiserver): (Vec<String>, Vec<String>) = keep(layout.apiserver_args)
        .into_iter()
        .partition(|p| p.starts_with("audit-"));
    config.push_str(&yaml_list("kube-apiserver-arg", &apiserver));
    config.push_str(&yaml_list(
        "kube-controller-manager-arg",
        &keep(layout.controller_manager_args),
    ));
    config.push_str(&yaml_list(
        "kube-scheduler-arg",
        &keep(layout.scheduler_args),
    ));
    config.push_str(&yaml_list("kubelet-arg", &keep(layout.kubelet_args)));
    config.push_str(&yaml_list(
        "kube-proxy-arg",
        &[format!(
            "metrics-bind-address={}",
            layout.kube_proxy_metrics
        )],
    ));
    write(root, "/etc/rancher/k3s/config.yaml", &config, 0o600, ROOT);
    write(
        root,
        "/etc/rancher/k3s/config.yaml.d/50-audit.yaml",
        &yaml_list("kube-apiserver-arg", &audit),
        0o600,
        ROOT,
    );
    // The running server; one passthrough on its command line, in the `--flag value` form.
    let mut cmdline = "/usr/local/bin/k3s\0server\0".to_owned();
    if compliant {
        cmdline.push_str("--kube-apiserver-arg\0service-account-lookup=true\0");
    }
    write(root, "/proc/1200/cmdline", &cmdline, 0o444, ROOT);
    let server = "/var/lib/rancher/k3s/server";
    for cred in ["admin", "scheduler", "controller", "supervisor"] {
        write(
            root,
            &format!("{server}/cred/{cred}.kubeconfig"),
            "apiVersion: v1\nkind: Config\n",
            mode,
            owner,
        );
    }
    for tls in [
        "client-ca.crt",
        "client-ca.key",
        "server-ca.crt",
        "server-ca.key",
        "serving-kube-apiserver.crt",
        "serving-kube-apiserver.key",
        "service.key",
        "etcd/server-ca.crt",
        "etcd/server-ca.key",
    ] {
        write(
            root,
            &format!("{server}/tls/{tls}"),
            "-----BEGIN-----\n",
            mode,
            owner,
        );
    }
    chown(
        root.join("var/lib/rancher/k3s/server/tls"),
        Some(owner),
        Some(owner),
    )
    .unwrap();
    if compliant {
        write(
            root,
            &format!("{server}/cred/encryption-config.json"),
            r#"{"kind":"EncryptionConfiguration","apiVersion":"apiserver.config.k8s.io/v1","resources":[{"resources":["secrets"],"providers":[{"aescbc":{"keys":[{"name":"aescbckey","secret":"c2VjcmV0"}]}},{"identity":{}}]}]}"#,
            0o600,
            ROOT,
        );
    }
    // Embedded etcd: its data directory and the config file K3s writes for it.
    let data_dir = format!("{server}/db/etcd");
    let mut etcd = vec!["etcd".to_owned(), format!("--data-dir={data_dir}")];
    etcd.extend(layout.etcd_args.iter().map(|a| (*a).to_owned()));
    let etcd: Vec<&str> = etcd.iter().map(String::as_str).collect();
    write(
        root,
        &format!("{data_dir}/config"),
        &etcd_config(&etcd, layout.etcd_env),
        0o600,
        ROOT,
    );
    let data = root.join(data_dir.trim_start_matches('/'));
    fs::set_permissions(&data, fs::Permissions::from_mode(layout.etcd_dir_mode)).unwrap();
    chown(&data, Some(ROOT), Some(ROOT)).unwrap();
    let agent = "/var/lib/rancher/k3s/agent";
    write(
        root,
        &format!("{agent}/etc/cni/net.d/10-flannel.conflist"),
        "{}\n",
        mode,
        owner,
    );
    write(
        root,
        "/var/lib/cni/networks/cbr0/10.42.0.5",
        "c0ffee\n",
        mode,
        owner,
    );
    for kubeconfig in ["kubelet.kubeconfig", "kubeproxy.kubeconfig"] {
        write(
            root,
            &format!("{agent}/{kubeconfig}"),
            "apiVersion: v1\nkind: Config\n",
            mode,
            owner,
        );
    }
    write(
        root,
        &format!("{agent}/client-ca.crt"),
        "-----BEGIN-----\n",
        mode,
        owner,
    );
    write(
        root,
        &format!("{agent}/etc/kubelet.conf.d/00-k3s-defaults.conf"),
        &layout.kubelet_config.replace(
            "/etc/kubernetes/pki/ca.crt",
            &format!("{agent}/client-ca.crt"),
        ),
        mode,
        owner,
    );
    Some(dir)
}

#[test]
fn k3s_compliant_passes_and_non_compliant_fails() {
    let (Some(good), Some(bad)) = (k3s(&COMPLIANT, true), k3s(&NON_COMPLIANT, false)) else {
        return;
    };
    let mut wrong = Vec::new();
    for benchmark in Benchmark::CIS {
        wrong.extend(mismatches(
            good.path(),
            Profile::K3s,
            benchmark,
            Status::Pass,
            &[],
        ));
        wrong.extend(mismatches(
            bad.path(),
            Profile::K3s,
            benchmark,
            Status::Fail,
            K3S_FIXED,
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let good = results(good.path(), Profile::K3s, Benchmark::Cis110);
    for (id, text) in [
        ("1.1.1", "not applicable on K3s"),
        ("1.1.12", "not applicable on K3s: etcd is embedded"),
        (
            "1.1.13",
            "/var/lib/rancher/k3s/server/cred/admin.kubeconfig has mode 600",
        ),
        (
            "1.2.1",
            "kube-apiserver (k3s default): --anonymous-auth=false",
        ),
        (
            "1.2.17",
            "kube-apiserver (/etc/rancher/k3s/config.yaml.d/50-audit.yaml: kube-apiserver-arg): --audit-log-maxage=30",
        ),
        (
            "1.2.21",
            "kube-apiserver (k3s process 1200: --kube-apiserver-arg): --service-account-lookup=true",
        ),
        (
            "1.2.27",
            "kube-apiserver (/etc/rancher/k3s/config.yaml: secrets-encryption): --encryption-provider-config=/var/lib/rancher/k3s/server/cred/encryption-config.json",
        ),
        (
            "1.2.28",
            "/var/lib/rancher/k3s/server/cred/encryption-config.json: resources [secrets] are written with aescbc",
        ),
        (
            "1.3.2",
            "kube-controller-manager (k3s default): --profiling=false",
        ),
        (
            "2.1",
            "etcd (/var/lib/rancher/k3s/server/db/etcd/config): --cert-file=",
        ),
        ("1.1.11", "/var/lib/rancher/k3s/server/db/etcd has mode 700"),
        (
            "4.1.7",
            "/var/lib/rancher/k3s/agent/client-ca.crt has mode 600",
        ),
        (
            "4.2.1",
            "kubelet config /var/lib/rancher/k3s/agent/etc/kubelet.conf.d/00-k3s-defaults.conf: authentication.anonymous.enabled=false",
        ),
        (
            "4.2.4",
            "kubelet (/etc/rancher/k3s/config.yaml: kubelet-arg): --read-only-port=0",
        ),
    ] {
        assert!(
            evidence(&good, id).contains(text),
            "{id}: {:?}",
            good[id].evidence
        );
    }

    let bad = results(bad.path(), Profile::K3s, Benchmark::Cis110);
    for (id, text) in [
        (
            "1.1.9",
            "/var/lib/rancher/k3s/agent/etc/cni/net.d/10-flannel.conflist has mode 644",
        ),
        (
            "1.1.11",
            "/var/lib/rancher/k3s/server/db/etcd has mode 755 (at most 700 allowed)",
        ),
        (
            "1.1.20",
            "/var/lib/rancher/k3s/server/tls/client-ca.crt has mode 644",
        ),
        (
            "1.2.1",
            "kube-apiserver (/etc/rancher/k3s/config.yaml: kube-apiserver-arg): --anonymous-auth=true",
        ),
        ("1.2.15", "--profiling=true"),
        ("1.2.27", "--encryption-provider-config is not set"),
        (
            "1.3.7",
            "kube-controller-manager (/etc/rancher/k3s/config.yaml: kube-controller-manager-arg): --bind-address=0.0.0.0",
        ),
        (
            "1.4.1",
            "kube-scheduler (/etc/rancher/k3s/config.yaml: kube-scheduler-arg): --profiling=true",
        ),
        (
            "2.2",
            "etcd (/var/lib/rancher/k3s/server/db/etcd/config): --client-cert-auth=false",
        ),
        (
            "4.1.3",
            "/var/lib/rancher/k3s/agent/kubeproxy.kubeconfig has mode 644",
        ),
        (
            "4.2.1",
            "kubelet (/etc/rancher/k3s/config.yaml: kubelet-arg): --anonymous-auth=true",
        ),
        (
            "4.3.1",
            "kube-proxy (/etc/rancher/k3s/config.yaml: kube-proxy-arg): --metrics-bind-address=0.0.0.0:10249",
        ),
    ] {
        assert!(
            evidence(&bad, id).contains(text),
            "{id}: {:?}",
            bad[id].evidence
        );
    }
    for id in K3S_FIXED {
        assert!(
            evidence(&bad, id).contains("(k3s default)"),
            "{id}: {:?}",
            bad[id].evidence
        );
    }
}

#[test]
fn k3s_agent_runs_no_control_plane() {
    let Some(dir) = tempdir() else {
        return;
    };
    write(
        dir.path(),
        "/proc/77/cmdline",
        "/usr/local/bin/k3s\0agent\0--kubelet-arg=anonymous-auth=false\0",
        0o444,
        ROOT,
    );
    let results = results(dir.path(), Profile::K3s, Benchmark::Cis110);
    assert_eq!(results["1.2.1"].status, Status::Warn);
    assert!(evidence(&results, "1.2.1").contains("kube-apiserver not found"));
    assert!(
        evidence(&results, "4.2.1")
            .contains("kubelet (k3s process 77: --kubelet-arg): --anonymous-auth=false")
    );
    assert_eq!(results["4.2.1"].status, Status::Pass);
}

// ---------------------------------------------------------------------------------------
// EKS, GKE, AKS

const KUBELET_JSON_GOOD: &str = r#"{
  "kind": "KubeletConfiguration",
  "apiVersion": "kubelet.config.k8s.io/v1beta1",
  "authentication": {"anonymous": {"enabled": false}, "webhook": {"enabled": true},
                     "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}},
  "authorization": {"mode": "Webhook"},
  "readOnlyPort": 0,
  "streamingConnectionIdleTimeout": "4h0m0s",
  "makeIPTablesUtilChains": true,
  "eventRecordQPS": 0,
  "rotateCertificates": true,
  "featureGates": {"RotateKubeletServerCertificate": true}
}"#;

const KUBELET_JSON_BAD: &str = r#"{
  "kind": "KubeletConfiguration",
  "apiVersion": "kubelet.config.k8s.io/v1beta1",
  "authentication": {"anonymous": {"enabled": true}},
  "authorization": {"mode": "AlwaysAllow"},
  "readOnlyPort": 10255,
  "streamingConnectionIdleTimeout": 0,
  "makeIPTablesUtilChains": false,
  "eventRecordQPS": -1,
  "rotateCertificates": false,
  "featureGates": {"RotateKubeletServerCertificate": false}
}"#;

/// A managed worker node: the kubelet running with the service's config and kubeconfig paths.
fn managed(profile: Profile, compliant: bool) -> Option<tempfile::TempDir> {
    let dir = tempdir()?;
    let root = dir.path();
    let (mode, owner) = if compliant {
        (0o644, ROOT)
    } else {
        (0o666, ADMIN)
    };
    write_accounts(root);
    let (config, kubeconfig) = match profile {
        Profile::Eks => (
            "/etc/kubernetes/kubelet/kubelet-config.json",
            "/var/lib/kubelet/kubeconfig",
        ),
        Profile::Gke => (
            "/home/kubernetes/kubelet-config.yaml",
            "/var/lib/kubelet/kubeconfig",
        ),
        _ => (
            "/etc/default/kubeletconfig.json",
            "/var/lib/kubelet/kubeconfig",
        ),
    };
    let text = if compliant {
        KUBELET_JSON_GOOD
    } else {
        KUBELET_JSON_BAD
    };
    write(root, config, text, mode, owner);
    write(
        root,
        kubeconfig,
        "apiVersion: v1\nkind: Config\n",
        mode,
        owner,
    );
    write(
        root,
        "/etc/kubernetes/pki/ca.crt",
        "-----BEGIN-----\n",
        0o644,
        ROOT,
    );
    if profile == Profile::Aks {
        write(root, "/etc/kubernetes/azure.json", "{}\n", mode, owner);
        write(
            root,
            "/etc/default/kubelet",
            "KUBELET_FLAGS=\n",
            0o644,
            ROOT,
        );
    }
    write(
        root,
        "/proc/3100/cmdline",
        &format!("/usr/bin/kubelet\0--config={config}\0--kubeconfig={kubeconfig}\0"),
        0o444,
        ROOT,
    );
    Some(dir)
}

#[test]
fn managed_layouts_pass_compliant_and_fail_non_compliant_with_their_own_ids() {
    let mut wrong = Vec::new();
    for profile in [Profile::Eks, Profile::Gke, Profile::Aks] {
        let (Some(good), Some(bad)) = (managed(profile, true), managed(profile, false)) else {
            return;
        };
        let benchmark = profile.default_benchmark();
        assert!(benchmark.is_managed());
        wrong.extend(mismatches(
            good.path(),
            profile,
            benchmark,
            Status::Pass,
            &[],
        ));
        wrong.extend(mismatches(
            bad.path(),
            profile,
            benchmark,
            Status::Fail,
            &[],
        ));
        let ids: Vec<&str> = for_benchmark(benchmark).iter().map(|c| c.id).collect();
        assert!(
            ids.iter().all(|id| id.starts_with("3.")),
            "{profile}: {ids:?}"
        );
        let bad = results(bad.path(), profile, benchmark);
        assert!(
            evidence(&bad, "3.1.1").contains("/var/lib/kubelet/kubeconfig has mode 666"),
            "{profile}: {:?}",
            bad["3.1.1"].evidence
        );
        if profile != Profile::Gke {
            assert!(evidence(&bad, "3.2.4").contains("readOnlyPort=10255"));
            assert!(
                evidence(&bad, "3.2.9")
                    .contains("featureGates.RotateKubeletServerCertificate=false")
            );
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let aks = managed(Profile::Aks, false).unwrap();
    let aks = results(aks.path(), Profile::Aks, Benchmark::Aks18);
    assert!(evidence(&aks, "3.1.4").contains("/etc/kubernetes/azure.json is owned by admin:admin"));
    // AKS wants eventRecordQPS exactly 0; EKS accepts any value from 0.
    let eks = managed(Profile::Eks, true).unwrap();
    write(
        eks.path(),
        "/etc/kubernetes/kubelet/kubelet-config.json",
        &KUBELET_JSON_GOOD.replace("\"eventRecordQPS\": 0", "\"eventRecordQPS\": 5"),
        0o644,
        ROOT,
    );
    assert_eq!(
        results(eks.path(), Profile::Eks, Benchmark::Eks180)["3.2.7"].status,
        Status::Pass
    );
    assert_eq!(
        results(eks.path(), Profile::Aks, Benchmark::Aks18)["3.2.7"].status,
        Status::Fail
    );
}

// ---------------------------------------------------------------------------------------
// Detection

#[test]
fn detection_picks_each_layout() {
    let Some(kubeadm) = tempdir() else {
        return;
    };
    build(kubeadm.path(), &COMPLIANT);
    let trees = [
        (kubeadm, Profile::Kubeadm),
        (rke2(&COMPLIANT).unwrap(), Profile::Rke2),
        (k3s(&COMPLIANT, true).unwrap(), Profile::K3s),
        (managed(Profile::Eks, true).unwrap(), Profile::Eks),
        (managed(Profile::Gke, true).unwrap(), Profile::Gke),
        (managed(Profile::Aks, true).unwrap(), Profile::Aks),
    ];
    for (dir, want) in &trees {
        let found = Profile::detect(&NodeView::new(dir.path()));
        assert_eq!(found.profile, *want, "{:?}", found.signs);
        assert!(!found.signs.is_empty());
        let scan = scan_node(dir.path(), None, None);
        assert_eq!(scan.profile, *want);
        assert_eq!(scan.benchmark, want.default_benchmark());
        assert!(scan.detection.is_some());
    }
    let k3s = Profile::detect(&NodeView::new(trees[2].0.path()));
    assert!(
        k3s.signs.iter().any(|s| s == "process 1200: k3s server"),
        "{:?}",
        k3s.signs
    );
    // A chosen profile is not detected, and keeps its benchmark unless told.
    let chosen = scan_node(
        trees[0].0.path(),
        Some(Profile::Eks),
        Some(Benchmark::Cis19),
    );
    assert!(chosen.detection.is_none());
    assert_eq!(chosen.benchmark, Benchmark::Cis19);
    let empty = tempfile::tempdir().unwrap();
    let found = Profile::detect(&NodeView::new(empty.path()));
    assert_eq!(found.profile, Profile::Kubeadm);
    assert!(found.signs[0].contains("kubeadm assumed"));
    // A Debian kubeadm node has /etc/default/kubelet too: that alone is no sign of AKS.
    write(
        empty.path(),
        "/etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=\n",
        0o644,
        0,
    );
    assert_eq!(
        Profile::detect(&NodeView::new(empty.path())).profile,
        Profile::Kubeadm
    );
}

#[test]
fn profile_and_benchmark_names_round_trip() {
    for p in Profile::ALL {
        assert_eq!(p.name().parse::<Profile>().unwrap(), p);
    }
    for b in Benchmark::ALL {
        assert_eq!(b.name().parse::<Benchmark>().unwrap(), b);
    }
    assert!("k8s".parse::<Profile>().is_err());
    assert_eq!("eks".parse::<Benchmark>().unwrap(), Benchmark::Eks180);
}

#[test]
fn k3s_without_a_visible_process_reads_its_unit() {
    let Some(dir) = tempdir() else {
        return;
    };
    // As the K3s install script writes it.
    write(
        dir.path(),
        "/etc/systemd/system/k3s.service",
        "[Unit]\nDescription=Lightweight Kubernetes\n[Service]\nType=notify\nEnvironmentFile=-/etc/default/%N\nEnvironmentFile=-/etc/systemd/system/k3s.service.env\nExecStartPre=/sbin/modprobe br_netfilter\nExecStart=/usr/local/bin/k3s \\\n    server \\\n\t'--kube-apiserver-arg' \\\n\t'profiling=true' \\\n",
        0o644,
        ROOT,
    );
    let found = Profile::detect(&NodeView::new(dir.path()));
    assert_eq!(found.profile, Profile::K3s);
    assert_eq!(found.signs, ["/etc/systemd/system/k3s.service exists"]);
    let results = results(dir.path(), Profile::K3s, Benchmark::Cis110);
    assert_eq!(results["1.2.15"].status, Status::Fail);
    assert!(
        evidence(&results, "1.2.15").contains(
            "kube-apiserver (systemd unit /etc/systemd/system/k3s.service: --kube-apiserver-arg): --profiling=true"
        ),
        "{:?}",
        results["1.2.15"].evidence
    );
    // A default K3s sets still reads as such.
    assert!(
        evidence(&results, "1.2.1")
            .contains("kube-apiserver (k3s default): --anonymous-auth=false")
    );
}

/// Moves a distribution's data directory, rewriting the paths in its files as the
/// distribution would have written them.
fn move_data_dir(root: &Path, from: &str, to: &str) {
    fn rewrite(path: &Path, from: &str, to: &str) {
        for entry in fs::read_dir(path).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                rewrite(&p, from, to);
            } else if let Ok(text) = fs::read_to_string(&p) {
                fs::write(&p, text.replace(from, to)).unwrap();
            }
        }
    }
    let target = root.join(to.trim_start_matches('/'));
    fs::create_dir_all(target.parent().unwrap()).unwrap();
    fs::rename(root.join(from.trim_start_matches('/')), &target).unwrap();
    rewrite(&target, from, to);
}

#[test]
fn rke2_custom_data_dir_is_followed() {
    let Some(dir) = rke2(&COMPLIANT) else {
        return;
    };
    let root = dir.path();
    move_data_dir(root, "/var/lib/rancher/rke2", "/opt/rke2");
    // The kubelet's flags name the new place too.
    let cmdline = root.join("proc/812/cmdline");
    let text = fs::read_to_string(&cmdline).unwrap();
    fs::write(&cmdline, text.replace("/var/lib/rancher/rke2", "/opt/rke2")).unwrap();
    write(
        root,
        "/etc/rancher/rke2/config.yaml",
        "data-dir: /opt/rke2\n",
        0o600,
        ROOT,
    );
    assert_eq!(Profile::detect(&NodeView::new(root)).profile, Profile::Rke2);
    let wrong = mismatches(root, Profile::Rke2, Benchmark::Cis110, Status::Pass, &[]);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let results = results(root, Profile::Rke2, Benchmark::Cis110);
    assert!(
        evidence(&results, "1.1.1")
            .contains("/opt/rke2/agent/pod-manifests/kube-apiserver.yaml has mode 600")
    );
}

#[test]
fn k3s_custom_data_dir_is_followed() {
    let Some(dir) = k3s(&COMPLIANT, true) else {
        return;
    };
    let root = dir.path();
    move_data_dir(root, "/var/lib/rancher/k3s", "/opt/k3s");
    let config = root.join("etc/rancher/k3s/config.yaml");
    let text = fs::read_to_string(&config).unwrap();
    fs::write(&config, format!("data-dir: /opt/k3s\n{text}")).unwrap();
    let wrong = mismatches(root, Profile::K3s, Benchmark::Cis110, Status::Pass, &[]);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let results = results(root, Profile::K3s, Benchmark::Cis110);
    assert!(
        evidence(&results, "1.1.13").contains("/opt/k3s/server/cred/admin.kubeconfig has mode 600")
    );
    assert!(evidence(&results, "1.2.27").contains("/opt/k3s/server/cred/encryption-config.json"));
    assert!(evidence(&results, "4.1.5").contains("/opt/k3s/agent/kubelet.kubeconfig"));
    // The command line wins over the config file.
    write(
        root,
        "/proc/1200/cmdline",
        "/usr/local/bin/k3s\0server\0--data-dir=/srv/elsewhere\0",
        0o444,
        ROOT,
    );
    let results = self::results(root, Profile::K3s, Benchmark::Cis110);
    assert!(
        evidence(&results, "1.1.13")
            .contains("not found: /srv/elsewhere/server/cred/admin.kubeconfig")
    );
}
