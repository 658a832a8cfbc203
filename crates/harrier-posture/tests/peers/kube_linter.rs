//! kube-linter: `tests/checks/<file>` holds the objects of one check's end-to-end test, and
//! their names say whether the check fires on them: `dont-fire…`, `should-pass…`, `good-…` and
//! `sorted-…` must not, `fire…`, `should-fire…`, `bad-…`, `unsorted-…` and the generic `app`,
//! `app1`… must. Objects without a name carry the label in their containers' names instead.
//! Objects of kinds outside the check's `scope.objectKinds` (from its definition in
//! `pkg/builtinchecks/yamls/`) are context, not subjects; other names carry no label. Each file
//! is scanned on its own, as kube-linter lints it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use harrier_core::yaml::Node;

use crate::common::{
    BINDINGS, Comparison, Difference, ROLES, Report, Scan, Spec, WORKLOADS, compare_sets, entries,
    file_name, name, read_tree, unit,
};

/// `(check, test file, Harrier checks, note)`; the file is empty for a check without a test.
type Row = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
);

/// What `scope.objectKinds: [Any]` becomes.
const ANY: &str = "*";

const CUSTOM: &str = "not a check: a custom check configured by kube-linter's end-to-end test";

/// Every kube-linter check of the corpus (built-in definitions and custom-check tests).
#[rustfmt::skip]
pub const MAPPING: &[Row] = &[
    ("access-to-create-pods", "access-to-create-pods.yml", &["HRR-RBAC-008"], "Harrier reports the role that grants `create`, not each binding to it"),
    ("access-to-secrets", "access-to-secrets.yml", &["HRR-RBAC-003"], "Harrier reports the role that grants the read, not each binding to it; `create` and `delete` alone read nothing"),
    ("cluster-admin-role-binding", "cluster-admin-role-binding.yml", &["HRR-RBAC-002"], "Harrier also reports RoleBindings to `cluster-admin`"),
    ("custom:cel", "cel.yml", &[], CUSTOM),
    ("custom:forbidden-annotation", "forbidden-annotation.yml", &[], CUSTOM),
    ("custom:statefulset-volumeclaimtemplate-annotation", "statefulset-volumeclaimtemplate-annotation.yml", &[], CUSTOM),
    ("dangling-horizontalpodautoscaler", "dangling-hpa.yml", &[], "autoscaler target missing from the manifests: deployment correctness, not security"),
    ("dangling-ingress", "dangling-ingress.yml", &["HRR-NET-010"], ""),
    ("dangling-networkpolicy", "dangling-networkpolicy.yml", &["HRR-NET-008"], "Harrier judges a policy only when the scan holds workloads of its namespace"),
    ("dangling-networkpolicypeer-podselector", "dangling-networkpolicypeer-podselector.yml", &[], "an ingress or egress peer that selects no pod allows no traffic: a correctness problem, not a security one"),
    ("dangling-service", "dangling-service.yml", &["HRR-NET-007"], ""),
    ("dangling-servicemonitor", "dangling-servicemonitor.yml", &[], "Prometheus Operator ServiceMonitor selectors: monitoring, not security"),
    ("default-service-account", "default-service-account.yml", &["HRR-POD-016"], ""),
    ("deprecated-service-account-field", "deprecated-service-account-field.yml", &["HRR-POD-036"], ""),
    ("dnsconfig-options", "dnsconfig-options-ndots.yml", &[], "DNS resolver tuning, not security"),
    ("docker-sock", "docker-sock.yml", &["HRR-POD-013"], "Harrier also knows the containerd and CRI-O sockets"),
    ("drop-net-raw-capability", "drop-net-raw-capability.yml", &["HRR-POD-019"], "kube-linter fires on an explicit `add: [NET_RAW]`; HRR-POD-018 also fails containers that keep NET_RAW from the runtime's defaults (checkov's CKV_K8S_28)"),
    ("duplicate-env-var", "duplicate-env-var.yaml", &["HRR-POD-030"], ""),
    ("env-value-from", "env-var-value-from.yml", &[], "references to Secrets and ConfigMaps missing from the manifests: deployment correctness, not security"),
    ("env-var-secret", "env-var-secret.yml", &["HRR-POD-025"], ""),
    ("exposed-services", "exposed-services.yml", &["HRR-NET-001", "HRR-NET-002"], "one kube-linter check for NodePort and LoadBalancer Services"),
    ("host-ipc", "host-ipc.yml", &["HRR-PSS-002"], "one Harrier check for hostIPC, hostPID and hostNetwork"),
    ("host-network", "host-network.yml", &["HRR-PSS-002"], "one Harrier check for hostIPC, hostPID and hostNetwork"),
    ("host-pid", "host-pid.yml", &["HRR-PSS-002"], "one Harrier check for hostIPC, hostPID and hostNetwork"),
    ("hpa-minimum-three-replicas", "hpa-minimum-three-replicas.yml", &["HRR-POD-048"], "kube-linter wants a minimum of three replicas; Harrier two"),
    ("invalid-target-ports", "invalid-target-ports.yaml", &[], "port name syntax: deployment correctness, not security"),
    ("job-ttl-seconds-after-finished", "job-ttl-seconds-after-finished.yaml", &[], "clean-up of finished Jobs: housekeeping, not security"),
    ("latest-tag", "latest-tag.yml", &["HRR-POD-001", "HRR-POD-002"], "one kube-linter check for a missing and a `latest` tag"),
    ("liveness-port", "liveness-port.yml", &["HRR-POD-041"], ""),
    ("minimum-three-replicas", "minimum-three-replicas.yml", &["HRR-POD-034"], "kube-linter wants three replicas; Harrier reports a single one"),
    ("mismatching-selector", "mismatching-selector.yml", &["HRR-POD-031"], ""),
    ("no-anti-affinity", "no-anti-affinity.yml", &["HRR-POD-032"], ""),
    ("no-extensions-v1beta", "no-extensions-v1beta.yml", &["HRR-API-001", "HRR-API-002"], "Harrier knows every deprecated and removed API version, not only `extensions/v1beta1`"),
    ("no-liveness-probe", "no-liveness-probe.yml", &["HRR-POD-009"], ""),
    ("no-node-affinity", "no-node-affinity.yml", &[], "node placement: scheduling, not security"),
    ("no-read-only-root-fs", "no-read-only-root-fs.yml", &["HRR-POD-011"], ""),
    ("no-readiness-probe", "no-readiness-probe.yml", &["HRR-POD-010"], ""),
    ("no-rolling-update-strategy", "no-rolling-update-strategy.yml", &["HRR-POD-033"], ""),
    ("non-existent-service-account", "non-existent-service-account.yml", &["HRR-POD-037"], ""),
    ("non-isolated-pod", "non-isolated-pod.yml", &["HRR-NET-009"], ""),
    ("pdb-max-unavailable", "pdb-max-unavailable.yaml", &["HRR-POD-047"], ""),
    ("pdb-min-available", "pdb-min-available.yaml", &["HRR-POD-047"], ""),
    ("pdb-unhealthy-pod-eviction-policy", "pdb-unhealthy-pod-eviction-policy.yaml", &[], "PodDisruptionBudget eviction policy: availability, not security"),
    ("priority-class-name", "priority-class-name.yaml", &[], "kube-linter fails names outside an allow-list of its configuration; HRR-POD-035 reports a missing priority class, as Polaris's priorityClassNotSet does"),
    ("privilege-escalation-container", "privilege-escalation-container.yml", &["HRR-PSS-013"], "kube-linter fires on an explicit `true`; the restricted standard also fails an unset field"),
    ("privileged-container", "privileged-container.yml", &["HRR-PSS-001"], ""),
    ("privileged-ports", "privileged-ports.yml", &["HRR-POD-022"], ""),
    ("read-secret-from-env-var", "read-secret-from-env-var.yml", &["HRR-POD-024"], ""),
    ("readiness-port", "readiness-port.yml", &["HRR-POD-042"], ""),
    ("required-annotation-email", "required-annotation-email.yml", &[], "organisation metadata, not security"),
    ("required-label-owner", "required-label-owner.yml", &[], "organisation metadata, not security"),
    ("restart-policy", "restart-policy.yaml", &[], "restart behaviour: reliability, not security"),
    ("run-as-non-root", "run-as-non-root.yml", &["HRR-PSS-014"], ""),
    ("scc-deny-privileged-container", "scc-deny-privileged-container.yml", &[], "OpenShift SecurityContextConstraints: not read yet"),
    ("schema-validation", "kubeconform.yml", &[], "schema validation: Harrier reads misplaced fields as unset and reports wrongly typed ones as load errors"),
    ("sensitive-host-mounts", "sensitive-host-mounts.yml", &["HRR-POD-012"], ""),
    ("sorted-keys", "sorted-keys.yaml", &[], "YAML key order: style, not security"),
    ("ssh-port", "ssh-port.yml", &["HRR-POD-023"], ""),
    ("startup-port", "startup-port.yml", &["HRR-POD-043"], ""),
    ("unsafe-proc-mount", "unsafe-proc-mount.yml", &["HRR-PSS-006"], ""),
    ("unsafe-sysctls", "unsafe-sysctls.yml", &["HRR-PSS-009"], "kube-linter denies a list of sysctls; the baseline standard allows a list"),
    ("unset-cpu-requirements", "unset-cpu-requirements.yml", &["HRR-POD-005"], ""),
    ("unset-memory-requirements", "unset-memory-requirements.yml", &["HRR-POD-008"], ""),
    ("use-namespace", "use-namespace.yml", &["HRR-NS-001"], ""),
    ("wildcard-in-rules", "wildcard-in-rules.yml", &["HRR-RBAC-001"], ""),
    ("writable-host-mount", "writable-host-mount.yml", &["HRR-POD-014"], ""),
];

/// Objects whose name does not carry their label: `(file, object, fires)`, where the n-th
/// object of a kind and name in a file is `Kind/name#n`.
#[rustfmt::skip]
pub const LABELS: &[(&str, &str, bool)] = &[
    // The binding whose role grants the access (the roles are context).
    ("access-to-create-pods.yml", "RoleBinding/role-binding1", true),
    ("access-to-secrets.yml", "RoleBinding/role-binding1", true),
    ("cluster-admin-role-binding.yml", "ClusterRoleBinding/role-binding1", true),
    // PodDisruptionBudgets named without a label, as the end-to-end test judges them.
    ("pdb-max-unavailable.yaml", "PodDisruptionBudget/baz", false),
    ("pdb-max-unavailable.yaml", "PodDisruptionBudget/foo", true),
    ("pdb-min-available.yaml", "PodDisruptionBudget/baz", true),
    ("pdb-min-available.yaml", "PodDisruptionBudget/baz2", true),
    ("pdb-min-available.yaml", "PodDisruptionBudget/baz3", true),
    // Two policies named `app`: `networking.k8s.io/v1`, then `extensions/v1beta1`.
    ("no-extensions-v1beta.yml", "NetworkPolicy/app", false),
    ("no-extensions-v1beta.yml", "NetworkPolicy/app#2", true),
    // Named like the objects that fire, but without a `strategy`: the end-to-end test expects
    // two reports, for app1 and app2.
    ("no-rolling-update-strategy.yml", "Deployment/app3", false),
    ("no-rolling-update-strategy.yml", "DeploymentConfig/app4", false),
    // Two Roles named `role1`: `verbs: [get]`, then `verbs: ["*"]`.
    ("wildcard-in-rules.yml", "Role/role1", false),
    ("wildcard-in-rules.yml", "Role/role1#2", true),
];

/// Objects on which Harrier deliberately differs: `(check, "file: object", reason)`.
#[rustfmt::skip]
pub const DIFFERENCES: &[Difference] = &[
    ("dangling-networkpolicy", "dangling-networkpolicy.yml: NetworkPolicy/app", "the file holds no workload at all: Harrier judges a policy's selector only against the workloads of its namespace that the scan holds, so policies kept apart from their workloads are not all reported"),
    ("hpa-minimum-three-replicas", "hpa-minimum-three-replicas.yml: HorizontalPodAutoscaler/app", "two replicas survive the loss of one pod or node; Harrier reports an autoscaler whose `minReplicas` is below 2, kube-linter below 3"),
    ("minimum-three-replicas", "minimum-three-replicas.yml: Deployment/app", TWO_REPLICAS),
    ("minimum-three-replicas", "minimum-three-replicas.yml: DeploymentConfig/app", TWO_REPLICAS),
];

const TWO_REPLICAS: &str = "two replicas survive the loss of one pod or node; Harrier reports a single replica, kube-linter fewer than three";

/// The label a name carries, if any.
fn label(name: &str) -> Option<bool> {
    const SILENT: [&str; 4] = ["dont-fire", "should-pass", "good-", "sorted-"];
    const FIRES: [&str; 4] = ["fire", "should-fire", "bad-", "unsorted-"];
    if SILENT.iter().any(|p| name.starts_with(p)) {
        return Some(false);
    }
    let generic = name
        .strip_prefix("app")
        .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
    if generic || FIRES.iter().any(|p| name.starts_with(p)) {
        return Some(true);
    }
    None
}

/// The kinds a definition's `scope.objectKinds` names.
fn scope(definition: Option<Node>) -> Vec<String> {
    let kinds: Vec<String> = definition
        .as_ref()
        .and_then(|d| d.get_path("scope.objectKinds"))
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect();
    let mut out = Vec::new();
    for kind in kinds {
        match kind.as_str() {
            "DeploymentLike" => out.extend(WORKLOADS.iter().map(|k| (*k).to_owned())),
            "JobLike" => out.extend(["Job".to_owned(), "CronJob".to_owned()]),
            "Any" => out.push(ANY.to_owned()),
            _ => out.push(kind),
        }
    }
    out
}

/// Compares every labelled object of every covered check's test file.
pub fn compare(root: &Path) -> Report {
    let mut cmp = Comparison::new(DIFFERENCES);
    let tests = root.join("tests/checks");
    let mut definitions = BTreeMap::new();
    for file in entries(&root.join("pkg/builtinchecks/yamls")) {
        let definition = read_tree(&file);
        if let Some(name) = definition
            .as_ref()
            .and_then(|d| d.get("name"))
            .and_then(Node::as_str)
        {
            definitions.insert(name.to_owned(), scope(definition.clone()));
        }
    }
    let present: BTreeSet<String> = entries(&tests).iter().map(|f| file_name(f)).collect();
    let listed_files: BTreeSet<String> = MAPPING.iter().map(|r| r.1.to_owned()).collect();
    compare_sets(
        "kube-linter tests",
        &listed_files,
        &present,
        &mut cmp.problems,
    );
    let listed: BTreeSet<String> = MAPPING
        .iter()
        .filter(|r| !r.0.starts_with("custom:"))
        .map(|r| r.0.to_owned())
        .collect();
    let defined: BTreeSet<String> = definitions.keys().cloned().collect();
    compare_sets("kube-linter checks", &listed, &defined, &mut cmp.problems);

    let mut rows = Vec::new();
    for (check, file, harrier, note) in MAPPING {
        rows.push(Spec {
            key: (*check).to_owned(),
            check: (*check).to_owned(),
            fixtures: format!("`tests/checks/{file}`"),
            harrier,
            note,
            has_fixtures: true,
        });
        if harrier.is_empty() {
            continue;
        }
        let Some(kinds) = definitions.get(*check) else {
            continue;
        };
        let scan = Scan::of(&[tests.join(file)]);
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, o) in scan.objects().iter().enumerate() {
            let nth = seen.entry(unit(o)).or_default();
            *nth += 1;
            let unit = if *nth == 1 {
                unit(o)
            } else {
                format!("{}#{nth}", unit(o))
            };
            if !kinds.iter().any(|k| k == o.kind() || k == ANY) {
                continue;
            }
            let fires = |checks: &[&str]| {
                if BINDINGS.contains(&o.kind()) {
                    scan.fires_with_role(i, checks, ROLES)
                } else {
                    scan.fires(i, checks)
                }
            };
            if name(o).is_empty() {
                for container in scan.containers(i) {
                    if let Some(expected) = label(&container) {
                        let got = scan.fires_on_container(i, &container, harrier);
                        let unit = format!("{file}: {} container {container}", o.kind());
                        cmp.record(check, &unit, expected, got, harrier);
                    }
                }
                continue;
            }
            let overridden = LABELS
                .iter()
                .find(|l| l.0 == *file && l.1 == unit)
                .map(|l| l.2);
            if let Some(expected) = overridden.or_else(|| label(name(o))) {
                let unit = format!("{file}: {unit}");
                cmp.record(check, &unit, expected, fires(harrier), harrier);
            }
        }
    }
    cmp.finish("kube-linter", "object", rows)
}
