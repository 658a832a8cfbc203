//! The pod checks against the labelled fixtures of peer tools in the shared corpus: kube-linter
//! (`dont-fire`/`fire` objects), Polaris (`success`/`failure` files), checkov (`PASSED`/`FAILED`
//! resources) and Kubescape's regolibrary (`expected.json`). Each peer check is mapped to the
//! Harrier checks that cover it; any disagreement fails, except the deliberate ones listed
//! (with the reason) next to each table, which the checks' docs also explain.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use harrier_core::testing::corpus_path;
use harrier_core::yaml::{Node, Schema, parse_single};
use harrier_k8s::{ObjectIndex, load_text};
use harrier_posture::{ScanOptions, scan};

/// What fired: `(check id, subject)` for each finding, where the subject is the object's name
/// and, for findings on a container, also `container:<name>` (kube-linter's multi-container
/// fixtures have unnamed objects and name containers instead).
fn fired(files: &[&Path]) -> BTreeSet<(String, String)> {
    let mut objects = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        objects.extend(load_text(Arc::from(file.display().to_string()), &text).objects);
    }
    let (index, _) = ObjectIndex::build(objects);
    let result = scan(&index, &ScanOptions::default());
    let mut out = BTreeSet::new();
    for f in result.findings {
        let id = f.check_id.as_str().to_owned();
        out.insert((id.clone(), f.resource.name.clone().unwrap_or_default()));
        if let Some(c) = f.container {
            out.insert((id, format!("container:{c}")));
        }
    }
    out
}

fn fires_any(fired: &BTreeSet<(String, String)>, checks: &[&str], subject: &str) -> bool {
    checks
        .iter()
        .any(|c| fired.contains(&((*c).to_owned(), subject.to_owned())))
}

/// A kube-linter case: file under `tests/checks`, Harrier checks, subjects that must fire,
/// subjects that must not.
type KubeLinterCase = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

/// kube-linter's fixtures, object by object.
#[rustfmt::skip]
const KUBE_LINTER: &[KubeLinterCase] = &[
    ("default-service-account.yml", &["HRR-POD-016"], &["app"], &["dont-fire"]),
    ("deprecated-service-account-field.yml", &["HRR-POD-036"], &["app"], &["dont-fire"]),
    ("docker-sock.yml", &["HRR-POD-013"], &["app"], &["dont-fire"]),
    // kube-linter's drop-net-raw-capability fires only on an explicit `add: [NET_RAW]`, which
    // Harrier reports as dangerous-capability-added. net-raw-capability-not-dropped follows
    // checkov's CKV_K8S_28 and CIS 5.2.8 instead, and also fails the `dont-fire` objects,
    // which keep NET_RAW from the runtime's default set.
    ("drop-net-raw-capability.yml", &["HRR-POD-019"], &["app"], &["dont-fire"]),
    ("drop-net-raw-capability.yml", &["HRR-POD-018"], &["app", "dont-fire"], &[]),
    ("duplicate-env-var.yaml", &["HRR-POD-030"], &["container:fire-deployment", "container:fire-stateful"], &["container:dont-fire-deployment", "container:dont-fire-stateful"]),
    ("env-var-secret.yml", &["HRR-POD-025"], &["app"], &["dont-fire"]),
    ("liveness-port.yml", &["HRR-POD-041"], &["container:fire-deployment-name", "container:fire-deployment-int", "container:fire-deployment-udp", "container:fire-stateful-name"], &["container:dont-fire-deployment", "container:dont-fire-stateful"]),
    ("mismatching-selector.yml", &["HRR-POD-031"], &["app1", "app2"], &["dont-fire"]),
    ("no-anti-affinity.yml", &["HRR-POD-032"], &["app1", "app2", "fire-namespaced-with-namespaces-selector-not-matching"], &["dont-fire", "dont-fire-namespaced-without-namespaces-selector", "dont-fire-namespaced-with-namespaces-selector"]),
    ("no-liveness-probe.yml", &["HRR-POD-009"], &["app1", "app2"], &["dont-fire"]),
    ("no-read-only-root-fs.yml", &["HRR-POD-011"], &["app1", "app2"], &["dont-fire"]),
    ("no-readiness-probe.yml", &["HRR-POD-010"], &["app1", "app2"], &["dont-fire"]),
    ("no-rolling-update-strategy.yml", &["HRR-POD-033"], &["app1", "app2"], &["app3", "app4"]),
    ("non-existent-service-account.yml", &["HRR-POD-037"], &["app"], &["dont-fire"]),
    ("privileged-ports.yml", &["HRR-POD-022"], &["app1", "app2"], &["dont-fire"]),
    ("read-secret-from-env-var.yml", &["HRR-POD-024"], &["app1", "app2"], &[]),
    ("sensitive-host-mounts.yml", &["HRR-POD-012"], &["app1", "app2"], &[]),
    ("ssh-port.yml", &["HRR-POD-023"], &["app1", "app2", "app3"], &["dont-fire"]),
    ("unset-cpu-requirements.yml", &["HRR-POD-005"], &["app1", "app2"], &[]),
    ("unset-memory-requirements.yml", &["HRR-POD-008"], &["app1", "app2"], &[]),
    ("writable-host-mount.yml", &["HRR-POD-014"], &["app1", "app2"], &[]),
];

#[test]
fn agrees_with_kube_linter() {
    let Some(dir) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "manifests/insecure/kube-linter/tests/checks",
    ) else {
        return;
    };
    let mut problems = Vec::new();
    for (file, checks, fire, silent) in KUBE_LINTER {
        let got = fired(&[&dir.join(file)]);
        for subject in *fire {
            if !fires_any(&got, checks, subject) {
                problems.push(format!("{file}: {checks:?} should fire on {subject}"));
            }
        }
        for subject in *silent {
            if fires_any(&got, checks, subject) {
                problems.push(format!("{file}: {checks:?} should not fire on {subject}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Polaris: `(check directory under test/checks, Harrier checks)`. Every `failure*` file must
/// raise one of the checks and no `success*` file may.
#[rustfmt::skip]
const POLARIS: &[(&str, &[&str])] = &[
    ("cpuLimitsMissing", &["HRR-POD-006"]),
    ("cpuRequestsMissing", &["HRR-POD-005"]),
    ("dangerousCapabilities", &["HRR-POD-017", "HRR-POD-019"]),
    ("livenessProbeMissing", &["HRR-POD-009"]),
    ("memoryLimitsMissing", &["HRR-POD-008"]),
    ("memoryRequestsMissing", &["HRR-POD-007"]),
    ("notReadOnlyRootFilesystem", &["HRR-POD-011"]),
    ("priorityClassNotSet", &["HRR-POD-035"]),
    ("sensitiveContainerEnvVar", &["HRR-POD-025"]),
    ("tagNotSpecified", &["HRR-POD-001", "HRR-POD-002"]),
    // Not mapped: topologySpreadConstraint, which fails every workload without spread
    // constraints; anti-affinity-missing only fails workloads with more than one replica.
];

#[test]
fn agrees_with_polaris() {
    let Some(root) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "manifests/insecure/polaris/test/checks",
    ) else {
        return;
    };
    let mut problems = Vec::new();
    let mut compared = 0;
    for (dir, checks) in POLARIS {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for file in files {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let expect = if name.starts_with("failure") {
                true
            } else if name.starts_with("success") {
                false
            } else {
                continue;
            };
            compared += 1;
            let got = fired(&[&file])
                .iter()
                .any(|(id, _)| checks.contains(&id.as_str()));
            if got != expect {
                problems.push(format!(
                    "{dir}/{name}: expected {checks:?} to {}fire",
                    if expect { "" } else { "not " }
                ));
            }
        }
    }
    assert!(compared >= 25, "only {compared} Polaris fixtures compared");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// checkov: `(example directory, file, Harrier checks, resource name, fails)`, from checkov's
/// own verdicts on its fixtures.
#[rustfmt::skip]
const CHECKOV: &[(&str, &str, &[&str], &str, bool)] = &[
    ("AllowedCapabilitiesSysAdmin", "cronjob-PASSED.yaml", &["HRR-POD-017"], "hello", false),
    ("AllowedCapabilitiesSysAdmin", "pod-FAILED.yaml", &["HRR-POD-017"], "security-context-demo-1", true),
    ("DockerSocketVolume", "CronJob-pass.yaml", &["HRR-POD-013"], "nginx-pod", false),
    ("DockerSocketVolume", "scope-2PASSED-1FAILED.yaml", &["HRR-POD-013"], "weave-scope-app", false),
    ("DockerSocketVolume", "scope-2PASSED-1FAILED.yaml", &["HRR-POD-013"], "weave-scope-cluster-agent", false),
    ("DockerSocketVolume", "scope-2PASSED-1FAILED.yaml", &["HRR-POD-013"], "weave-scope-agent", true),
    ("DockerSocketVolume", "cloudwatch-agent-1PASSED-1FAILED.yaml", &["HRR-POD-013"], "fluentd-cloudwatch", false),
    ("DockerSocketVolume", "cloudwatch-agent-1PASSED-1FAILED.yaml", &["HRR-POD-013"], "cloudwatch-agent", true),
    ("DropCapabilities", "pod-drop-all-capabilities-PASSED.yaml", &["HRR-POD-018"], "pod-drop-all-capability", false),
    ("DropCapabilities", "pod-drop-all-capabilities-PASSED2.yaml", &["HRR-POD-018"], "pod-drop-all-capability", false),
    ("DropCapabilities", "pod-drop-NET_RAW-capabilities-PASSED.yaml", &["HRR-POD-018"], "pod-drop-net-raw-capability", false),
    ("DropCapabilities", "pod-drop-NET_RAW-capabilities-FAILED-MISSING.yaml", &["HRR-POD-018"], "pod-drop-net-raw-capability", true),
    ("DropCapabilities", "pod-drop-none-FAILED.yaml", &["HRR-POD-018"], "pod-drop-none", true),
    // These three pass checkov with the placeholder digest `sha256:123456`, which pins nothing
    // (the runtime rejects it); Harrier fails them, as Kubescape's image-not-pinned-to-digest
    // fails its `sha256:abc` fixtures.
    ("ImageDigest", "imageWithTagAndDigest-PASSED.yaml", &["HRR-POD-003"], "kafka", true),
    ("ImageDigest", "kafka-withrepo-PASSED.yaml", &["HRR-POD-003"], "kafka", true),
    ("ImageDigest", "kafka-PASSED.yaml", &["HRR-POD-003"], "kafka", true),
    ("ImageDigest", "storm-zookeeper-FAILED.json", &["HRR-POD-003"], "zookeeper", true),
    ("ImageDigest", "job-ImageTagLatest-FAILED.yaml", &["HRR-POD-003"], "countdown", true),
    ("ImagePullPolicy", "job-ImageTagLatest-PASSED.yaml", &["HRR-POD-004"], "countdown", false),
    ("ImagePullPolicy", "storm-nimbus-ImageUntagged-PASSED.json", &["HRR-POD-004"], "nimbus", false),
    ("ImagePullPolicy", "imageWithDigest-PullPolicyAlways-PASSED.yaml", &["HRR-POD-004"], "cassandra", false),
    ("ImagePullPolicy", "imageWithDigest-DefaultPullPolicy-PASSED.yaml", &["HRR-POD-004"], "cassandra", false),
    ("ImagePullPolicy", "replctrl-PullIfNotPresent-FAILED.yaml", &["HRR-POD-004"], "myapp", true),
    ("ImagePullPolicy", "wordpress-ImageTagged-DefaultPullPolicy-FAILED.yaml", &["HRR-POD-004"], "wordpress", true),
    ("ImageTagFixed", "imageWithDigest-PASSED.yaml", &["HRR-POD-001", "HRR-POD-002"], "kafka", false),
    ("ImageTagFixed", "job-ImageTagLatest-FAILED.yaml", &["HRR-POD-001", "HRR-POD-002"], "countdown", true),
    ("ImageTagFixed", "storm-zookeeper-FAILED.json", &["HRR-POD-001", "HRR-POD-002"], "zookeeper", true),
    ("LivenessReadiness", "pod-liveness-readiness-PASSED.yaml", &["HRR-POD-009", "HRR-POD-010"], "liveness-exec", false),
    ("LivenessReadiness", "pod-liveness-readiness-2pods.yaml", &["HRR-POD-009"], "liveness-exec", true),
    ("LivenessReadiness", "pod-liveness-readiness-2pods.yaml", &["HRR-POD-010"], "liveness-exec", true),
    ("ReadOnlyFilesystem", "pod-readonly-PASSED.yaml", &["HRR-POD-011"], "readonly-container", false),
    ("ReadOnlyFilesystem", "pod-readonly-false-FAILED.yaml", &["HRR-POD-011"], "readonly-container", true),
    ("ReadOnlyFilesystem", "frontend-replicaset-FAILED.yaml", &["HRR-POD-011"], "frontend", true),
    ("Requests_Limits", "pod-requests-limits-2PASSED.yaml", &["HRR-POD-005", "HRR-POD-006", "HRR-POD-007", "HRR-POD-008"], "frontend", false),
    ("Requests_Limits", "cronjob-request-limit-1FAILED.yaml", &["HRR-POD-005"], "pghero-capture-query-stats", true),
    ("Requests_Limits", "cronjob-request-limit-1FAILED.yaml", &["HRR-POD-008"], "pghero-capture-query-stats", true),
    ("RootContainersHighUID", "rootContainersHighUIDPASSED.yaml", &["HRR-POD-020"], "pod1", false),
    ("RootContainersHighUID", "rootContainersHighUIDPASSED.yaml", &["HRR-POD-020"], "pod2", false),
    ("RootContainersHighUID", "rootContainersHighUIDPASSED.yaml", &["HRR-POD-020"], "pod3", false),
    ("RootContainersHighUID", "rootContainersHighUIDPASSED.yaml", &["HRR-POD-020"], "pod4", false),
    ("RootContainersHighUID", "rootContainersHighUIDFAILED.yaml", &["HRR-POD-020"], "pod1", true),
    ("RootContainersHighUID", "rootContainersHighUIDFAILED.yaml", &["HRR-POD-020"], "pod2", true),
    ("RootContainersHighUID", "rootContainersHighUIDFAILED.yaml", &["HRR-POD-020"], "pod3", true),
    ("RootContainersHighUID", "rootContainersHighUIDFAILED.yaml", &["HRR-POD-020"], "pod4", true),
    ("RootContainersHighUID", "rootContainersHighUIDFAILED.yaml", &["HRR-POD-020"], "pod5", true),
    // checkov's CKV_K8S_29 and CKV_K8S_30 judge the pod and the container contexts separately;
    // security-context-missing fails only containers covered by neither.
    ("SecurityContexts", "pod-container-both-PASSED.yaml", &["HRR-POD-029"], "security-context-demo", false),
    ("SecurityContexts", "frontend-replicaset-both-FAILED.yaml", &["HRR-POD-029"], "frontend", true),
    ("ServiceAccountTokens", "ServiceAccountTokensPASSED.yaml", &["HRR-POD-015"], "pod-pass", false),
    ("ServiceAccountTokens", "ServiceAccountTokensFAILED.yaml", &["HRR-POD-015"], "pod1", true),
    ("ServiceAccountTokens", "ServiceAccountTokensFAILED.yaml", &["HRR-POD-015"], "pod2", true),
    ("Tiller", "nginx-deployment-PASSED.yaml", &["HRR-POD-038"], "my-nginx", false),
    ("Tiller", "tiller-deployment.json", &["HRR-POD-038"], "tiller-deploy", true),
];

#[test]
fn agrees_with_checkov() {
    let Some(root) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "manifests/insecure/checkov/tests/kubernetes/checks",
    ) else {
        return;
    };
    let mut problems = Vec::new();
    for (dir, file, checks, name, fails) in CHECKOV {
        let got = fired(&[&root.join(format!("example_{dir}")).join(file)]);
        if fires_any(&got, checks, name) != *fails {
            problems.push(format!(
                "{dir}/{file}: {checks:?} on {name} should {}fire",
                if *fails { "" } else { "not " }
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Kubescape regolibrary: `(rule, Harrier checks, test cases where Harrier deliberately differs)`.
/// Every other test case's `expected.json` must match what fires, object for object.
#[rustfmt::skip]
const REGOLIBRARY: &[(&str, &[&str], &[&str])] = &[
    ("alert-rw-hostpath", &["HRR-POD-014"], &[]),
    ("configured-liveness-probe", &["HRR-POD-009"], &[]),
    ("containers-mounting-docker-socket", &["HRR-POD-013"], &[]),
    ("duplicate-env-var", &["HRR-POD-030"], &[]),
    // `pod-exempted-repo` relies on a configured list of exempt registries.
    ("image-not-pinned-to-digest", &["HRR-POD-003"], &["pod-exempted-repo"]),
    ("immutable-container-filesystem", &["HRR-POD-011"], &[]),
    ("mismatching-selector", &["HRR-POD-031"], &[]),
    ("no-rolling-update-strategy", &["HRR-POD-033"], &[]),
    // `pod-only-requests` sets a CPU limit without a request: Kubernetes then uses the limit
    // as the request, so Harrier does not report a missing request.
    ("resources-cpu-requests", &["HRR-POD-005"], &["pod-only-requests"]),
    // Kubescape's `sensitiveValues` patterns (`_key_`, `JWT`) are configuration; Harrier
    // recognises credentials by shape and by variable name.
    ("rule-credentials-in-env-var", &["HRR-POD-024", "HRR-POD-025"], &["deployment", "pod"]),
    ("rule-secrets-in-env-var", &["HRR-POD-024"], &[]),
    ("set-supplementalgroups-values", &["HRR-POD-021"], &[]),
    // Kubescape reports automounted tokens only for ServiceAccounts with RoleBindings;
    // Harrier reports every automounted token (CIS 5.1.6, checkov, Polaris).
    ("serviceaccount-token-mount", &["HRR-POD-015"], &["both-mount", "both-mount-default", "pod-mount"]),
];

#[test]
fn agrees_with_kubescape_regolibrary() {
    let Some(root) = corpus_path(
        env!("CARGO_MANIFEST_DIR"),
        "manifests/insecure/regolibrary-rule-tests",
    ) else {
        return;
    };
    let mut problems = Vec::new();
    let mut compared = 0;
    for (rule, checks, differs) in REGOLIBRARY {
        let mut cases: Vec<_> = std::fs::read_dir(root.join(rule).join("test"))
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        cases.sort();
        for case in cases {
            let name = case
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if differs.contains(&name.as_str()) {
                continue;
            }
            let mut inputs: Vec<_> = std::fs::read_dir(case.join("input"))
                .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            inputs.sort();
            let expected_text =
                std::fs::read_to_string(case.join("expected.json")).unwrap_or_default();
            let expected = expected_objects(&expected_text);
            let got: BTreeSet<String> =
                fired(&inputs.iter().map(|p| p.as_path()).collect::<Vec<_>>())
                    .into_iter()
                    .filter(|(id, subject)| {
                        checks.contains(&id.as_str()) && !subject.starts_with("container:")
                    })
                    .map(|(_, subject)| subject)
                    .collect();
            compared += 1;
            if got != expected {
                problems.push(format!("{rule}/{name}: expected {expected:?}, got {got:?}"));
            }
        }
    }
    assert!(compared >= 60, "only {compared} regolibrary cases compared");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The names of the objects an `expected.json` lists as failing. JSON is YAML, so Harrier's
/// own reader reads it.
fn expected_objects(text: &str) -> BTreeSet<String> {
    let Ok(value) = parse_single(text, Schema::Core) else {
        return BTreeSet::new();
    };
    value
        .as_seq()
        .unwrap_or_default()
        .iter()
        .flat_map(|alert| {
            alert
                .get_path("alertObject.k8sApiObjects")
                .and_then(Node::as_seq)
                .unwrap_or_default()
        })
        .filter_map(|object| {
            object
                .get_path("metadata.name")
                .and_then(Node::as_str)
                .map(str::to_owned)
        })
        .collect()
}
