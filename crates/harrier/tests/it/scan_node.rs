//! `harrier scan node --root`: node trees built in a temp dir (a kubeadm worker with a few
//! faults, a compliant EKS worker, an empty root), read in every format, with the exit status.
//!
//! The trees' `/etc/passwd` and `/etc/group` name the uid and gid that own the temp files
//! `root`, so ownership items read as on a real node without needing chown.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use serde_json::Value;

use crate::util::{Dir, Run};

fn put(dir: &Dir, path: &str, text: &str, mode: u32) {
    let file = dir.write(path, text);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// passwd and group that call the owner of the temp dir `root`.
fn identities(dir: &Dir) {
    let meta = std::fs::metadata(dir.path()).unwrap();
    put(
        dir,
        "node/etc/passwd",
        &format!("root:x:{}:{}:root:/root:/bin/sh\n", meta.uid(), meta.gid()),
        0o644,
    );
    put(
        dir,
        "node/etc/group",
        &format!("root:x:{}:\n", meta.gid()),
        0o644,
    );
}

fn process(dir: &Dir, pid: u32, argv: &[&str]) {
    let mut cmdline = argv.join("\0");
    cmdline.push('\0');
    put(dir, &format!("node/proc/{pid}/cmdline"), &cmdline, 0o444);
}

/// A kubeadm worker: kubelet running with its config file; the kubeconfig is world-readable
/// (4.1.5 FAIL) and the read-only port is open (4.2.4 FAIL).
pub(crate) fn kubeadm_worker() -> Dir {
    let dir = Dir::new();
    identities(&dir);
    put(&dir, "node/etc/hostname", "worker-1\n", 0o644);
    process(
        &dir,
        4242,
        &[
            "/usr/bin/kubelet",
            "--config=/var/lib/kubelet/config.yaml",
            "--kubeconfig=/etc/kubernetes/kubelet.conf",
        ],
    );
    put(
        &dir,
        "node/var/lib/kubelet/config.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n\
         authentication:\n  anonymous:\n    enabled: false\n  webhook:\n    enabled: true\n  \
         x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\n\
         authorization:\n  mode: Webhook\nreadOnlyPort: 10255\n",
        0o600,
    );
    put(
        &dir,
        "node/etc/kubernetes/kubelet.conf",
        "apiVersion: v1\n",
        0o644,
    );
    put(&dir, "node/etc/kubernetes/pki/ca.crt", "CA\n", 0o600);
    dir
}

/// A compliant EKS worker (kubelet config as JSON, the EKS AMI's paths).
fn eks_worker() -> Dir {
    let dir = Dir::new();
    identities(&dir);
    process(
        &dir,
        700,
        &[
            "/usr/bin/kubelet",
            "--config=/etc/kubernetes/kubelet/kubelet-config.json",
            "--kubeconfig=/var/lib/kubelet/kubeconfig",
        ],
    );
    put(
        &dir,
        "node/etc/kubernetes/kubelet/kubelet-config.json",
        r#"{"kind": "KubeletConfiguration",
            "authentication": {"anonymous": {"enabled": false}, "webhook": {"enabled": true},
                               "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}},
            "authorization": {"mode": "Webhook"},
            "readOnlyPort": 0,
            "featureGates": {"RotateKubeletServerCertificate": true}}"#,
        0o644,
    );
    put(
        &dir,
        "node/var/lib/kubelet/kubeconfig",
        "apiVersion: v1\n",
        0o644,
    );
    dir
}

fn scan(dir: &Dir, extra: &[&str]) -> Run {
    let root = dir.path().join("node");
    let mut args = vec!["scan", "node", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    dir.run(&args)
}

fn result<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no result {id}"))
}

#[test]
fn table_groups_by_section_with_evidence_and_fix_and_fails_on_fail() {
    let dir = kubeadm_worker();
    let run = scan(&dir, &[]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains("(worker-1), profile kubeadm (detected), benchmark cis-1.10"),
        "{out}"
    );
    assert!(
        out.contains("\n[4.1] Worker node configuration files\n")
            && out.contains("\n[4.2] Kubelet\n"),
        "{out}"
    );
    assert!(out.contains("FAIL   4.1.5"), "{out}");
    assert!(
        out.contains("/etc/kubernetes/kubelet.conf has mode 644 (at most 600 allowed)"),
        "{out}"
    );
    assert!(
        out.contains("fix: chmod 600 on the kubelet's --kubeconfig"),
        "{out}"
    );
    assert!(
        out.contains("kubelet config /var/lib/kubelet/config.yaml: readOnlyPort=10255"),
        "{out}"
    );
    // A PASS shows no evidence (without -v): 4.1.6's owner line is absent.
    assert!(out.contains("PASS   4.1.6"), "{out}");
    assert!(!out.contains("kubelet.conf is owned by root:root"), "{out}");
    let summary = out.lines().last().unwrap();
    assert!(summary.starts_with("91 items: "), "{summary}");
}

#[test]
fn json_report_has_the_documented_shape() {
    let dir = kubeadm_worker();
    let run = scan(&dir, &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["tool"]["name"], "harrier");
    assert!(report["tool"]["version"].is_string());
    assert_eq!(report["kind"], "node");
    let node = &report["node"];
    assert_eq!(
        node["root"],
        dir.path().join("node").to_str().unwrap(),
        "{node}"
    );
    assert_eq!(node["hostname"], "worker-1");
    assert_eq!(node["profile"], "kubeadm");
    assert_eq!(node["profile_source"], "detected");
    assert_eq!(node["benchmark"], "cis-1.10");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 91);
    for r in results {
        for field in ["id", "section", "title", "status", "remediation"] {
            assert!(r[field].is_string(), "{field} in {r}");
        }
        assert!(r["evidence"].is_array(), "{r}");
    }
    let kubeconfig = result(&report, "4.1.5");
    assert_eq!(kubeconfig["status"], "FAIL");
    assert_eq!(kubeconfig["section"], "4.1");
    assert_eq!(
        kubeconfig["evidence"][0],
        "/etc/kubernetes/kubelet.conf has mode 644 (at most 600 allowed)"
    );
    assert_eq!(result(&report, "4.2.4")["status"], "FAIL");
    assert_eq!(result(&report, "4.2.1")["status"], "PASS");
    assert_eq!(result(&report, "2.1")["section"], "2");
    // A control-plane item on a worker: the component is not there.
    assert_eq!(result(&report, "1.2.1")["status"], "WARN");
    assert_eq!(result(&report, "1.2.20")["status"], "MANUAL");
    let count = |status: &str| results.iter().filter(|r| r["status"] == status).count();
    let summary = &report["summary"];
    for (key, status) in [
        ("pass", "PASS"),
        ("fail", "FAIL"),
        ("warn", "WARN"),
        ("manual", "MANUAL"),
    ] {
        assert_eq!(summary[key], count(status), "{key}");
    }
}

#[test]
fn junit_has_one_case_per_item() {
    let dir = kubeadm_worker();
    let run = scan(&dir, &["--format", "junit"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = scan(&dir, &["--format", "json"]).json();
    let summary = &json["summary"];
    let out = &run.stdout;
    assert!(out.starts_with("<?xml"), "{out}");
    assert_eq!(out.matches("<testcase ").count(), 91);
    assert_eq!(
        out.matches("<failure ").count() as u64,
        summary["fail"].as_u64().unwrap()
    );
    assert_eq!(
        out.matches("<error ").count() as u64,
        summary["warn"].as_u64().unwrap()
    );
    assert_eq!(
        out.matches("<skipped ").count() as u64,
        summary["manual"].as_u64().unwrap()
    );
    assert!(out.contains(&format!(
        r#"<testsuites name="harrier" tests="91" failures="{}""#,
        summary["fail"]
    )));
    assert!(out.contains(r#"name="[4.1.5] "#), "{out}");
    assert!(
        out.contains(
            r#"<failure message="/etc/kubernetes/kubelet.conf has mode 644 (at most 600 allowed)" type="FAIL">"#
        ),
        "{out}"
    );
}

#[test]
fn managed_profile_uses_its_own_benchmark_and_passes_a_compliant_node() {
    let dir = eks_worker();
    let run = scan(&dir, &["--format", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.json();
    assert_eq!(report["node"]["profile"], "eks");
    assert_eq!(report["node"]["profile_source"], "detected");
    assert_eq!(report["node"]["benchmark"], "eks-1.8.0");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 13);
    assert!(results.iter().all(|r| r["status"] == "PASS"), "{results:?}");
    assert_eq!(result(&report, "3.2.9")["status"], "PASS");
    // The same node held to CIS 1.9 when asked.
    let run = scan(&dir, &["--format", "json", "--benchmark", "cis-1.9"]);
    assert_eq!(run.json()["node"]["benchmark"], "cis-1.9");
}

#[test]
fn chosen_profile_and_fail_on() {
    let dir = Dir::new();
    std::fs::create_dir_all(dir.path().join("node")).unwrap();
    // An empty root: nothing can be judged, so every GKE item WARNs.
    let run = scan(&dir, &["--profile", "gke", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["node"]["profile_source"], "chosen");
    assert_eq!(report["node"]["hostname"], Value::Null);
    assert_eq!(report["summary"]["warn"], 4);
    assert_eq!(
        scan(&dir, &["--profile", "gke", "--fail-on", "warn"]).code,
        1
    );
    // Nothing of Kubernetes under the root: said on stderr, the scan still runs.
    let run = scan(&dir, &[]);
    assert!(
        run.stderr
            .contains("no Kubernetes layout, static pod or component process found"),
        "{}",
        run.stderr
    );
    // A node with a kubelet is not warned about.
    let failing = kubeadm_worker();
    assert!(!scan(&failing, &[]).stderr.contains("no Kubernetes layout"));
    assert_eq!(scan(&failing, &["--fail-on", "none"]).code, 0);
}

#[test]
fn output_file_and_errors() {
    let dir = kubeadm_worker();
    let out = dir.path().join("report.json");
    let run = scan(&dir, &["--format", "json", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let written: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(written["kind"], "node");
    let missing = dir.run(&["scan", "node", "--root", "/nonexistent/harrier-node-root"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("--root /nonexistent/harrier-node-root is not a directory"),
        "{}",
        missing.stderr
    );
    let bad = dir.run(&["scan", "node", "--benchmark", "cis-0.1"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(Path::new(&out).exists());
}

#[test]
fn proc_can_be_read_from_elsewhere() {
    let dir = kubeadm_worker();
    let elsewhere = dir.path().join("hostproc");
    std::fs::rename(dir.path().join("node/proc"), &elsewhere).unwrap();
    std::fs::write(
        elsewhere.join("4242/cmdline"),
        "/usr/bin/kubelet\0--config=/var/lib/kubelet/config.yaml\0--read-only-port=0\0",
    )
    .unwrap();
    // Without the process, the config file's 10255 is all there is.
    let without = scan(&dir, &["--format", "json"]).json();
    assert_eq!(result(&without, "4.2.4")["status"], "FAIL");
    let with = scan(
        &dir,
        &["--format", "json", "--proc", elsewhere.to_str().unwrap()],
    )
    .json();
    assert_eq!(result(&with, "4.2.4")["status"], "PASS");
    assert_eq!(
        result(&with, "4.2.4")["evidence"][0],
        "kubelet (process 4242): --read-only-port=0"
    );
    let missing = scan(&dir, &["--proc", "/nonexistent/proc"]);
    assert_eq!(missing.code, 2);
}
