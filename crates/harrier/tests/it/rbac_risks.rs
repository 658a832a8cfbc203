//! `harrier rbac risks`: the table per subject, JSON with every finding, `--min-severity`,
//! `--include-system` and `--fail-on`.

use harrier_core::testing::corpus_path;
use serde_json::Value;

use crate::util::Dir;

const OBJECTS: &str = r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: events, namespace: team}
rules: [{apiGroups: [""], resources: [events], verbs: [delete]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: events, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: events}
subjects: [{kind: User, name: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: "system:kube-controller-manager"
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: User, name: "system:kube-controller-manager"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: runner, namespace: ci}
spec:
  selector: {matchLabels: {app: runner}}
  template:
    metadata: {labels: {app: runner}}
    spec:
      serviceAccountName: deployer
      containers: [{name: c, image: runner}]
"#;

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).expect("JSON output")
}

#[test]
fn table_collapses_each_subject() {
    let dir = Dir::new();
    dir.write("rbac.yaml", OBJECTS);
    let run = dir.run(&["rbac", "risks", "-f", "rbac.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    let headers: Vec<&str> = out
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .collect();
    assert!(
        headers[0].starts_with("CRITICAL  ServiceAccount ci/deployer  (cluster-wide)"),
        "{out}"
    );
    assert!(
        headers[1].starts_with("LOW       User dev  (in team)"),
        "{out}"
    );
    assert!(
        out.contains("HRR-RBAC-R001 cluster-admin-equivalent"),
        "{out}"
    );
    assert!(
        out.contains("and 30 more (14 critical, 8 high, 8 medium)"),
        "{out}"
    );
    assert!(
        out.contains("ClusterRoleBinding admins → ClusterRole cluster-admin (rbac.yaml:1)"),
        "{out}"
    );
    assert!(
        out.contains("workloads: Deployment ci/runner (rbac.yaml:"),
        "{out}"
    );
    // A cluster-admin subject takes a handful of lines, not one per primitive.
    assert!(out.lines().count() < 20, "{out}");
    assert!(!out.contains("kube-controller-manager"), "{out}");
    assert!(
        out.contains(
            "33 findings of built-in subjects (control plane, bootstrap bindings) not shown"
        ),
        "{out}"
    );

    let all = dir.run(&["rbac", "risks", "-f", "rbac.yaml", "--include-system"]);
    assert!(
        all.stdout
            .contains("CRITICAL  User system:kube-controller-manager  (cluster-wide) [built-in]"),
        "{}",
        all.stdout
    );
}

#[test]
fn json_keeps_every_finding() {
    let dir = Dir::new();
    dir.write("rbac.yaml", OBJECTS);
    let run = dir.run(&["rbac", "risks", "-f", "rbac.yaml", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 34);
    let first = &findings[0];
    assert_eq!(first["id"], "HRR-RBAC-R001");
    assert_eq!(
        first["title"],
        "Every verb on every resource of every API group, cluster-wide"
    );
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["mitre"][0], "T1078");
    assert_eq!(first["subject"]["kind"], "ServiceAccount");
    assert_eq!(first["subject"]["name"], "deployer");
    assert_eq!(first["subject"]["namespace"], "ci");
    assert_eq!(first["scope"]["cluster"], true);
    assert_eq!(first["bindings"][0]["kind"], "ClusterRoleBinding");
    assert_eq!(first["bindings"][0]["name"], "admins");
    assert_eq!(first["bindings"][0]["location"]["line"], 1);
    assert_eq!(first["workloads"][0]["kind"], "Deployment");
    assert_eq!(first["workloads"][0]["name"], "runner");
    assert_eq!(first["workloads"][0]["location"]["line"], 26);
    let last = findings.last().expect("a finding");
    assert_eq!(last["id"], "HRR-RBAC-R032");
    assert_eq!(last["subject"]["name"], "dev");
    assert_eq!(last["scope"]["namespaces"][0], "team");
    assert_eq!(doc["hidden"]["builtin"], 33);
    assert_eq!(doc["problems"], Value::Array(vec![]));

    let high = dir.run(&[
        "rbac",
        "risks",
        "-f",
        "rbac.yaml",
        "--format",
        "json",
        "--min-severity",
        "high",
    ]);
    let doc = json(&high.stdout);
    assert!(
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["severity"] == "critical" || f["severity"] == "high")
    );
    assert_eq!(doc["hidden"]["below_min_severity"], 9);
}

#[test]
fn fail_on_sets_the_exit_status() {
    let dir = Dir::new();
    dir.write("rbac.yaml", OBJECTS);
    let critical = dir.run(&["rbac", "risks", "-f", "rbac.yaml", "--fail-on", "critical"]);
    assert_eq!(critical.code, 1, "{}", critical.stderr);
    dir.write(
        "low.yaml",
        &OBJECTS.replace(
            "kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount",
            "kind: ClusterRole, name: nothing}\nsubjects: [{kind: ServiceAccount",
        ),
    );
    // Only the Role for events remains (low): critical passes, low fails. The dangling
    // binding is a problem on stderr, not an error.
    let run = dir.run(&["rbac", "risks", "-f", "low.yaml", "--fail-on", "critical"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("low.yaml:1:1: ClusterRoleBinding `admins`"),
        "{}",
        run.stderr
    );
    let run = dir.run(&["rbac", "risks", "-f", "low.yaml", "--fail-on", "low"]);
    assert_eq!(run.code, 1);
    // Built-in subjects hidden from the report do not fail it.
    let run = dir.run(&["rbac", "risks", "-f", "low.yaml", "--fail-on", "medium"]);
    assert_eq!(run.code, 0);
    let run = dir.run(&[
        "rbac",
        "risks",
        "-f",
        "low.yaml",
        "--fail-on",
        "medium",
        "--include-system",
    ]);
    assert_eq!(run.code, 1);
    // Unreadable input wins over findings.
    dir.write("broken.yaml", "kind: [\n");
    let run = dir.run(&[
        "rbac",
        "risks",
        "-f",
        "rbac.yaml",
        "-f",
        "broken.yaml",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(run.code, 2);
    let run = dir.run(&["rbac", "risks", "-f", "rbac.yaml", "--fail-on", "severe"]);
    assert_eq!(run.code, 2);
}

#[test]
fn kubernetes_goat_superadmin_and_hunger_check() {
    let Some(root) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "manifests/insecure/kubernetes-goat/scenarios",
    ) else {
        return;
    };
    let dir = Dir::new();
    let rbac = root.join("insecure-rbac").to_string_lossy().into_owned();
    let hunger = root.join("hunger-check").to_string_lossy().into_owned();
    let run = dir.run(&[
        "rbac", "risks", "-f", &rbac, "-f", &hunger, "--format", "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json(&run.stdout);
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(findings[0]["id"], "HRR-RBAC-R001");
    assert_eq!(findings[0]["subject"]["name"], "superadmin");
    let secrets = findings
        .iter()
        .find(|f| f["id"] == "HRR-RBAC-R005")
        .expect("namespace secrets");
    assert_eq!(secrets["subject"]["name"], "big-monolith-sa");
    assert_eq!(secrets["workloads"][0]["name"], "hunger-check-deployment");
}

/// Real projects' well-scoped roles do not drown the table: one block per subject, a few
/// lines each, the subjects exactly those with something to say.
#[test]
fn real_projects_stay_readable() {
    let Some(root) = corpus_path(env!("CARGO_MANIFEST_DIR"), "manifests/realworld") else {
        return;
    };
    let dir = Dir::new();
    for (path, extra, subjects) in [
        (
            "argo-cd/manifests/install.yaml",
            &["--default-namespace", "argocd"][..],
            &[
                "CRITICAL  ServiceAccount argocd/argocd-application-controller  (cluster-wide)",
                "CRITICAL  ServiceAccount argocd/argocd-applicationset-controller  (cluster-wide)",
                "CRITICAL  ServiceAccount argocd/argocd-server  (cluster-wide)",
                "HIGH      ServiceAccount argocd/argocd-dex-server  (in argocd)",
                "HIGH      ServiceAccount argocd/argocd-notifications-controller  (in argocd)",
                "LOW       ServiceAccount argocd/argocd-redis  (in argocd)",
            ][..],
        ),
        (
            "cert-manager",
            &[][..],
            &[
                "CRITICAL  ServiceAccount cert-manager/cert-manager  (cluster-wide)",
                "CRITICAL  ServiceAccount cert-manager/cert-manager-cainjector  (cluster-wide)",
                "LOW       ServiceAccount cert-manager/cert-manager-webhook  (in cert-manager)",
            ][..],
        ),
        (
            "ingress-nginx/deploy/static/provider/cloud",
            &[][..],
            &[
                "CRITICAL  ServiceAccount ingress-nginx/ingress-nginx  (cluster-wide)",
                "HIGH      ServiceAccount ingress-nginx/ingress-nginx-admission  (cluster-wide)",
            ][..],
        ),
    ] {
        let input = root.join(path).to_string_lossy().into_owned();
        let mut args = vec!["rbac", "risks", "-f", input.as_str()];
        args.extend_from_slice(extra);
        let run = dir.run(&args);
        assert_eq!(run.code, 0, "{path}: {}", run.stderr);
        let headers: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| l.starts_with(char::is_uppercase) && !l.contains("findings"))
            .collect();
        assert_eq!(headers, subjects, "{path}:\n{}", run.stdout);
        // At most three primitives, the bindings and a few workloads per subject.
        assert!(
            run.stdout.lines().count() <= subjects.len() * 8 + 2,
            "{path}:\n{}",
            run.stdout
        );
    }
}
