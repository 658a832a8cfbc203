//! Polaris: `test/checks/<check>/` holds `failure*` files, which must fail the check, and
//! `success*` files, which must not (`mutated*` files are auto-fix output, `check.yaml` a custom
//! check). Polaris judges a file as a whole, so a file agrees when some object of the check's
//! target kind has a finding of a mapped check exactly when the file name says `failure`. The
//! target kind comes from the check's definition in `pkg/config/checks/<check>.yaml`: an API
//! kind (`rbac.authorization.k8s.io/Role`), or a pod template for `Container`, `PodSpec`,
//! `PodTemplate` and `Controller` targets; where Harrier reports another object than that target,
//! [`REPORTED_ON`] names its kind.

use std::collections::BTreeSet;
use std::path::Path;

use harrier_core::yaml::Node;

use crate::common::{
    BINDINGS, Comparison, Difference, Mapping, ROLES, Report, Scan, Spec, WORKLOADS, compare_sets,
    count, entries, file_name, read_tree,
};

/// Every Polaris check in the corpus (a definition, a fixture directory, or both).
#[rustfmt::skip]
pub const MAPPING: &[Mapping] = &[
    ("automountServiceAccountToken", &["HRR-POD-015"], ""),
    ("clusterrolePodExecAttach", &["HRR-RBAC-004"], ""),
    ("clusterrolebindingClusterAdmin", &["HRR-RBAC-002"], ""),
    ("clusterrolebindingPodExecAttach", &["HRR-RBAC-004"], "Harrier reports the ClusterRole that grants exec, not each binding to it"),
    ("cpuLimitsMissing", &["HRR-POD-006"], ""),
    ("cpuRequestsMissing", &["HRR-POD-005"], ""),
    ("dangerousCapabilities", &["HRR-POD-017", "HRR-POD-019"], ""),
    ("deploymentMissingReplicas", &["HRR-POD-034"], ""),
    ("hostIPCSet", &["HRR-PSS-002"], "one Harrier check for hostIPC, hostPID and hostNetwork"),
    ("hostNetworkSet", &["HRR-PSS-002"], "one Harrier check for hostIPC, hostPID and hostNetwork"),
    ("hostPIDSet", &["HRR-PSS-002"], "one Harrier check for hostIPC, hostPID and hostNetwork"),
    ("hostPathSet", &["HRR-PSS-003"], ""),
    ("hostPortSet", &["HRR-PSS-004"], ""),
    ("hostProcess", &["HRR-PSS-011"], ""),
    ("hpaMaxAvailability", &["HRR-POD-048"], HPA_NOTE),
    ("hpaMinAvailability", &["HRR-POD-048"], HPA_NOTE),
    ("insecureCapabilities", &["HRR-PSS-017"], "the restricted standard requires dropping `ALL`; Polaris also accepts a list of 15 named capabilities"),
    ("linuxHardening", &[], "passes on any one of seccomp, SELinux, AppArmor or dropped capabilities; Harrier checks seccomp (HRR-PSS-016) and capabilities (HRR-PSS-017) each on their own"),
    ("livenessProbeMissing", &["HRR-POD-009"], ""),
    ("memoryLimitsMissing", &["HRR-POD-008"], ""),
    ("memoryRequestsMissing", &["HRR-POD-007"], ""),
    ("metadataAndInstanceMismatched", &[], "labelling convention (`app.kubernetes.io/instance`), not security"),
    ("missingNetworkPolicy", &["HRR-NET-009", "HRR-NET-005"], "Polaris wants a policy selecting the pod with both ingress and egress rules; Harrier reports pods whose ingress no policy isolates (HRR-NET-009), or their namespace when no policy applies there at all (HRR-NET-005)"),
    ("missingPodDisruptionBudget", &[], "PodDisruptionBudget coverage: availability, not security"),
    ("notReadOnlyRootFilesystem", &["HRR-POD-011"], ""),
    ("oneController", &[], "not a check: custom check defined by the fixture's own `check.yaml`: a test of Polaris's custom-check engine"),
    ("pdbDisruptionsIsZero", &["HRR-POD-047"], ""),
    ("pdbMinAvailableGreaterThanHPAMinReplicas", &["HRR-POD-047"], "Polaris reports the Deployment, Harrier the budget; Harrier also fails a `minAvailable` equal to the autoscaler's `minReplicas` or to its default of 1"),
    ("priorityClassNotSet", &["HRR-POD-035"], ""),
    ("privilegeEscalationAllowed", &["HRR-PSS-013"], ""),
    ("procMount", &["HRR-PSS-006"], ""),
    ("pullPolicyNotAlways", &["HRR-POD-004"], "Polaris requires an explicit `Always`; Harrier accepts an unset policy where Kubernetes defaults it to `Always` (`:latest` or untagged images) and any policy for digest-pinned images"),
    ("readinessProbeMissing", &["HRR-POD-010"], ""),
    ("resourceRange", &[], "not a check: custom check defined by the fixture's own `check.yaml`: a test of Polaris's custom-check engine"),
    ("rolePodExecAttach", &["HRR-RBAC-004"], ""),
    ("rolebindingClusterAdminClusterRole", &["HRR-RBAC-002"], "Polaris also fails bindings to a ClusterRole granting everything; Harrier reports that rule on the ClusterRole (HRR-RBAC-001)"),
    ("rolebindingClusterAdminRole", &["HRR-RBAC-001"], "Harrier reports the wildcard rule on the Role"),
    ("rolebindingClusterRolePodExecAttach", &["HRR-RBAC-004"], "Harrier reports the ClusterRole that grants exec, not each binding to it"),
    ("rolebindingRolePodExecAttach", &["HRR-RBAC-004"], "Harrier reports the Role that grants exec, not each binding to it"),
    ("runAsPrivileged", &["HRR-PSS-001"], ""),
    ("runAsRootAllowed", &["HRR-PSS-014"], ""),
    ("sensitiveConfigmapContent", &["HRR-SEC-001"], ""),
    ("sensitiveContainerEnvVar", &["HRR-POD-025"], ""),
    ("tagNotSpecified", &["HRR-POD-001", "HRR-POD-002"], "one Polaris check for a missing and a `latest` tag"),
    ("tlsSettingsMissing", &["HRR-NET-004"], ""),
    ("topologySpreadConstraint", &[], "scheduling spread: availability, not security"),
];

/// Fixtures on which Harrier deliberately differs, by check and file name.
#[rustfmt::skip]
pub const DIFFERENCES: &[Difference] = &[
    ("clusterrolePodExecAttach", "success.defaultclusterrole_admin.yaml", DEFAULT_NAME),
    ("clusterrolePodExecAttach", "success.defaultclusterrole_clusteradmin.yaml", DEFAULT_NAME),
    ("clusterrolePodExecAttach", "success.gce_calico_clusterrole.yaml", GKE_ROLE),
    ("clusterrolePodExecAttach", "success.system_prefix.yaml", SYSTEM_NAME),
    ("hpaMaxAvailability", "success.minAvailabilityAbsent.yaml", HPA_DEFAULT_MIN),
    ("hpaMinAvailability", "success.minReplicaAbsent.yaml", HPA_DEFAULT_MIN),
    ("insecureCapabilities", "success.yaml", DROP_ALL),
    ("insecureCapabilities", "success.case.yaml", DROP_ALL),
    ("insecureCapabilities", "success.pod.yaml", DROP_ALL),
    ("insecureCapabilities", "success.all.yaml", "the Pod Security admission matches `ALL` case-sensitively, so `drop: [All]` fails the restricted standard, although container runtimes drop every capability for it"),
    ("pdbMinAvailableGreaterThanHPAMinReplicas", "success.equals.yaml", "the budget's `minAvailable: 5` equals the autoscaler's `minReplicas: 5`: once it has scaled down, no pod can be evicted; Polaris fails only a `minAvailable` strictly greater"),
    ("pdbMinAvailableGreaterThanHPAMinReplicas", "success.no-min-replicas.yaml", "the autoscaler leaves out `minReplicas`, which defaults to 1, below the budget's `minAvailable: 2`: once it has scaled down, no pod can be evicted; Polaris ignores autoscalers without `minReplicas`"),
    ("rolePodExecAttach", "success.gce_calico_binding.yaml", GKE_ROLE),
    ("rolePodExecAttach", "success.system_prefix_binding.yaml", SYSTEM_NAME),
    ("rolebindingClusterAdminClusterRole", "failure.all_verbs.yaml", ROLE_NOT_BINDING),
    ("rolebindingClusterAdminClusterRole", "failure.all_verbs_different_order.yaml", ROLE_NOT_BINDING),
    ("rolebindingClusterAdminClusterRole", "failure.wildcards.yaml", ROLE_NOT_BINDING),
    ("rolebindingClusterAdminClusterRole", "failure.binding_to_system_prefix.yaml", ROLE_NOT_BINDING),
    ("rolebindingRolePodExecAttach", "failure.binding_points_to_missing_ref.yaml", "the binding refers to a Role the file does not define; a reference to a missing role grants nothing, and Harrier judges the roles it can read"),
    ("rolebindingRolePodExecAttach", "success.gce_calico_binding.yaml", BINDING_NAME),
    ("rolebindingRolePodExecAttach", "success.system_prefix_binding.yaml", BINDING_NAME),
];

const HPA_NOTE: &str = "one Harrier check for a low minimum and a maximum not above it; Harrier reads an unset `minReplicas` as its default of 1";
const HPA_DEFAULT_MIN: &str = "the autoscaler leaves out `minReplicas`, which the API server defaults to 1, so at low load one pod serves everything; Polaris passes an unset field";
const DROP_ALL: &str = "the restricted Pod Security Standard requires dropping `ALL`; a list of named capabilities misses any the runtime adds later";
const GKE_ROLE: &str = "Polaris exempts GKE's `gce:podsecuritypolicy:calico-sa` role by name; Harrier exempts only the roles the API server bootstraps, which carry the `kubernetes.io/bootstrapping: rbac-defaults` label";
const DEFAULT_NAME: &str = "the ClusterRole has a built-in role's name but not the `kubernetes.io/bootstrapping: rbac-defaults` label the API server gives the roles it bootstraps; applying it would add these rules to the cluster's own role, so Harrier judges it (Polaris exempts the name)";
const SYSTEM_NAME: &str = "the role is only named `system:…`, without the `kubernetes.io/bootstrapping: rbac-defaults` label the API server gives the roles it bootstraps: anyone can choose that name, so Harrier judges it (Polaris exempts the prefix)";
const ROLE_NOT_BINDING: &str = "the binding grants a custom ClusterRole with every verb on every resource, which Harrier reports on the ClusterRole (HRR-RBAC-001), not as a `cluster-admin` binding";
const BINDING_NAME: &str = "Polaris exempts bindings by name (`system:` prefix, GKE's calico binding); Harrier judges what the bound role grants, whoever binds it";

/// Checks for which Harrier reports another object than the one Polaris's definition targets:
/// `(check, the kinds Harrier reports)`. A file fails when one of those objects has a finding.
const REPORTED_ON: &[(&str, &[&str])] = &[
    // Polaris reports the Deployment; HRR-POD-047 reports the budget that blocks its evictions.
    (
        "pdbMinAvailableGreaterThanHPAMinReplicas",
        &["PodDisruptionBudget"],
    ),
];

/// Compares every fixture of every covered check.
pub fn compare(root: &Path) -> Report {
    let mut cmp = Comparison::new(DIFFERENCES);
    let mut in_corpus = BTreeSet::new();
    let definitions = root.join("pkg/config/checks");
    for file in entries(&definitions) {
        if let Some(stem) = file_name(&file).strip_suffix(".yaml") {
            in_corpus.insert(stem.to_owned());
        }
    }
    let fixtures = root.join("test/checks");
    for dir in entries(&fixtures) {
        if dir.is_dir() {
            in_corpus.insert(file_name(&dir));
        }
    }
    let listed = MAPPING.iter().map(|m| m.0.to_owned()).collect();
    compare_sets("Polaris", &listed, &in_corpus, &mut cmp.problems);

    let mut rows = Vec::new();
    for (check, harrier, note) in MAPPING {
        let dir = fixtures.join(check);
        let files: Vec<_> = entries(&dir)
            .into_iter()
            .filter(|f| {
                let n = file_name(f);
                n.starts_with("failure") || n.starts_with("success")
            })
            .collect();
        let shown = if files.is_empty() {
            "no fixtures".to_owned()
        } else {
            format!("`test/checks/{check}/` ({})", count(files.len(), "file"))
        };
        rows.push(Spec {
            key: (*check).to_owned(),
            check: (*check).to_owned(),
            fixtures: shown,
            harrier,
            note,
            has_fixtures: !files.is_empty(),
        });
        if harrier.is_empty() || files.is_empty() {
            continue;
        }
        let target: Vec<String> = match REPORTED_ON.iter().find(|r| r.0 == *check) {
            Some((_, kinds)) => kinds.iter().map(|k| (*k).to_owned()).collect(),
            None => target_kinds(&definitions.join(format!("{check}.yaml"))),
        };
        for file in files {
            let name = file_name(&file);
            let scan = Scan::of(std::slice::from_ref(&file));
            let got = scan.objects().iter().enumerate().any(|(i, o)| {
                target.iter().any(|t| t == o.kind())
                    && if BINDINGS.contains(&o.kind()) {
                        scan.fires_with_role(i, harrier, bound_roles(check))
                    } else {
                        scan.fires(i, harrier)
                    }
            });
            cmp.record(check, &name, name.contains("failure"), got, harrier);
        }
    }
    cmp.finish("Polaris", "file", rows)
}

/// The role kinds a binding check judges: the `rolebinding<Kind>…` checks follow only
/// bindings to roles of that kind, as their names say.
fn bound_roles(check: &str) -> &'static [&'static str] {
    if check.starts_with("rolebindingRole") {
        &["Role"]
    } else if check.starts_with("rolebindingClusterRole") {
        &["ClusterRole"]
    } else {
        ROLES
    }
}

/// The kinds a check's definition targets.
fn target_kinds(definition: &Path) -> Vec<String> {
    let target = read_tree(definition)
        .and_then(|t| t.get("target").and_then(Node::as_str).map(str::to_owned))
        .unwrap_or_default();
    match target.rsplit_once('/') {
        Some((_, kind)) => vec![kind.to_owned()],
        None => WORKLOADS.iter().map(|k| (*k).to_owned()).collect(),
    }
}
