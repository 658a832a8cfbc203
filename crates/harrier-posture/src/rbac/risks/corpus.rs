//! The corpus's own labels against the findings: checkov's RBAC graph checks
//! (`expected.yaml`), Kubescape regolibrary's RBAC rules (`expected.json`), Kubernetes Goat's
//! RBAC scenarios, and the exact critical findings of real projects' installs.
//!
//! Where a corpus tool's semantics differ from the API server's authorizer, the divergence is
//! listed with its reason and the authorizer's answer is asserted; a listed divergence that no
//! longer occurs fails the test as much as a new one.

#![allow(clippy::expect_used)] // fixed corpus paths and documents: a failure is a broken test

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use harrier_core::Severity;
use harrier_core::testing::corpus_path;
use harrier_core::yaml::{Schema, parse_single};
use harrier_k8s::{LoadOptions, ObjectIndex, load};

use super::{Finding, assess};
use crate::rbac::{BindingKind, Rbac, RbacOptions};

fn corpus(relative: &str) -> Option<PathBuf> {
    corpus_path(env!("CARGO_MANIFEST_DIR"), relative)
}

fn assess_paths(paths: &[PathBuf], default_namespace: &str) -> (Vec<Finding>, Rbac) {
    let loaded = load(paths, &LoadOptions::default());
    let (index, _) = ObjectIndex::build(loaded.objects);
    let options = RbacOptions {
        default_namespace: default_namespace.to_owned(),
    };
    let rbac = Rbac::from_index(&index, &options);
    (assess(&rbac, &index, &options), rbac)
}

/// Whether a finding of one of `slugs` names the binding `Kind.namespace.name` (checkov's key;
/// the namespace of a ClusterRoleBinding is checkov's `default` and ignored).
fn names_binding(findings: &[Finding], slugs: &[&str], key: &str, all_names: bool) -> bool {
    let mut parts = key.splitn(3, '.');
    let (kind, namespace, name) = (parts.next(), parts.next(), parts.next());
    findings
        .iter()
        .filter(|f| slugs.contains(&f.slug) && (!all_names || f.names.is_empty()))
        .flat_map(|f| &f.bindings)
        .any(|b| {
            let via = &b.via;
            Some(via.name.as_str()) == name
                && match via.kind {
                    BindingKind::ClusterRoleBinding => kind == Some("ClusterRoleBinding"),
                    BindingKind::RoleBinding => {
                        kind == Some("RoleBinding") && via.namespace.as_deref() == namespace
                    }
                }
        })
}

/// `fail:` and `pass:` lists of a checkov `expected.yaml`.
fn checkov_expected(dir: &Path) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(dir.join("expected.yaml")).expect("expected.yaml");
    let node = parse_single(&text, Schema::Kubernetes).expect("expected.yaml parses");
    let list = |key: &str| -> Vec<String> {
        node.get(key)
            .and_then(|n| n.as_seq())
            .map(|s| {
                s.iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    (list("fail"), list("pass"))
}

struct CheckovCase {
    check: &'static str,
    slugs: &'static [&'static str],
    /// Only findings for every object count (checkov's "all secrets").
    all_names: bool,
    /// `(binding, why the authorizer's answer differs from checkov's)`.
    divergent: &'static [(&'static str, &'static str)],
}

const CHECKOV: &[CheckovCase] = &[
    CheckovCase {
        check: "ImpersonatePermissions",
        slugs: &[
            "impersonate-users",
            "impersonate-groups",
            "impersonate-service-accounts",
        ],
        all_names: false,
        divergent: &[],
    },
    CheckovCase {
        check: "NoCreateNodesProxyOrPodsExec",
        slugs: &["pod-exec", "node-proxy"],
        all_names: false,
        divergent: &[
            (
                "RoleBinding.kube-system.failing-rb3",
                "a RoleBinding cannot grant the cluster-scoped nodes/proxy, and `pods` does not match pods/exec",
            ),
            (
                "ClusterRoleBinding.default.failing-crb4",
                "checkov ignores apiGroups: `*` in rbac.authorization.k8s.io is no pods/exec",
            ),
            (
                "ClusterRoleBinding.default.passing-crb2",
                "`get nodes/proxy` reaches the kubelet API, exec included over WebSocket",
            ),
        ],
    },
    CheckovCase {
        check: "ReadAllSecrets",
        slugs: &["secrets-read-cluster-wide", "secrets-read-namespace"],
        all_names: true,
        divergent: &[(
            "ClusterRoleBinding.default.read-secrets-global",
            "its ServiceAccount subject has no namespace: the authorizer matches no one (and reports a problem)",
        )],
    },
    CheckovCase {
        check: "RoleBindingPE",
        slugs: &["role-bind", "binding-write"],
        all_names: false,
        divergent: &[(
            "ClusterRoleBinding.default.passing-crb2",
            "checkov only looks at ServiceAccount and Node subjects; a User granted `bind` holds it all the same",
        )],
    },
    CheckovCase {
        check: "ModifyServicesStatus",
        slugs: &["service-status-write"],
        all_names: false,
        divergent: &[
            (
                "ClusterRoleBinding.default.failing-crb1",
                "services/status in rbac.authorization.k8s.io is not the core group's Service status",
            ),
            (
                "ClusterRoleBinding.default.failing-crb2",
                "checkov ignores apiGroups: update on `*` in rbac.authorization.k8s.io writes no Service",
            ),
        ],
    },
];

#[test]
fn checkov_graph_checks() {
    for case in CHECKOV {
        let Some(dir) = corpus(&format!(
            "manifests/insecure/checkov/tests/kubernetes/graph/checks/resources/{}",
            case.check
        )) else {
            return;
        };
        let (findings, _) = assess_paths(std::slice::from_ref(&dir), "default");
        let (fail, pass) = checkov_expected(&dir);
        assert!(!fail.is_empty() && !pass.is_empty(), "{}", case.check);
        for (key, checkov_fails) in fail
            .iter()
            .map(|k| (k, true))
            .chain(pass.iter().map(|k| (k, false)))
        {
            let divergent = case.divergent.iter().find(|(k, _)| k == key);
            let expected = checkov_fails != divergent.is_some();
            assert_eq!(
                names_binding(&findings, case.slugs, key, case.all_names),
                expected,
                "{}: {key} (checkov: {}; {})",
                case.check,
                if checkov_fails { "fail" } else { "pass" },
                divergent.map_or("no divergence listed", |(_, why)| why)
            );
        }
        for (key, _) in case.divergent {
            assert!(
                fail.iter().chain(&pass).any(|k| k == key),
                "{}: divergence {key} is not in expected.yaml",
                case.check
            );
        }
    }
}

/// `(kind, name)` of the subjects of a regolibrary `expected.json`.
fn regolibrary_subjects(case: &Path) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(case.join("expected.json")).expect("expected.json");
    let node = parse_single(&text, Schema::Core).expect("expected.json parses");
    node.as_seq()
        .unwrap_or_default()
        .iter()
        .filter_map(|failure| failure.get_path("alertObject.externalObjects"))
        .filter_map(|subject| {
            Some((
                subject.get("kind")?.as_str()?.to_owned(),
                subject.get("name")?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

struct RegoCase {
    rule: &'static str,
    slugs: &'static [&'static str],
    /// `(case, why the authorizer's subjects differ)`: the authorizer's are asserted empty.
    divergent: &'static [(&'static str, &'static str)],
}

const REGOLIBRARY: &[RegoCase] = &[
    RegoCase {
        rule: "rule-can-list-get-secrets-v1",
        slugs: &["secrets-read-cluster-wide", "secrets-read-namespace"],
        divergent: &[],
    },
    RegoCase {
        rule: "rule-can-bind-escalate",
        slugs: &["role-bind", "role-escalate"],
        divergent: &[],
    },
    RegoCase {
        rule: "rule-can-portforward-v1",
        slugs: &["pod-portforward"],
        divergent: &[(
            "clusterrole-clusterrolebinding",
            "`pods/*` is no wildcard to the authorizer: it matches only a subresource literally named `*`",
        )],
    },
    RegoCase {
        rule: "rule-can-access-proxy-subresource",
        slugs: &["node-proxy", "pod-service-proxy"],
        divergent: &[
            (
                "clusterrole-rolebinding",
                "a RoleBinding cannot grant the cluster-scoped nodes/proxy",
            ),
            (
                "role-rolebinding",
                "a Role cannot grant the cluster-scoped nodes/proxy",
            ),
        ],
    },
    RegoCase {
        rule: "rule-excessive-delete-rights-v1",
        slugs: &["workload-delete", "namespace-delete", "rbac-delete"],
        divergent: &[],
    },
    RegoCase {
        rule: "rule-list-all-cluster-admins-v1",
        slugs: &["cluster-admin-equivalent", "namespace-wildcard"],
        divergent: &[],
    },
];

#[test]
fn regolibrary_rules() {
    for rule in REGOLIBRARY {
        let Some(tests) = corpus(&format!(
            "manifests/insecure/regolibrary-rule-tests/{}/test",
            rule.rule
        )) else {
            return;
        };
        let mut cases: Vec<PathBuf> = std::fs::read_dir(&tests)
            .expect("test dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        cases.sort();
        assert!(!cases.is_empty());
        for case in cases {
            let name = case
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let (findings, _) = assess_paths(&[case.join("input")], "default");
            let found: BTreeSet<(String, String)> = findings
                .iter()
                .filter(|f| rule.slugs.contains(&f.slug))
                .map(|f| (f.subject.kind.to_string(), f.subject.name.clone()))
                .collect();
            let divergent = rule.divergent.iter().find(|(c, _)| *c == name);
            let expected = match divergent {
                Some(_) => BTreeSet::new(),
                None => regolibrary_subjects(&case),
            };
            assert_eq!(
                found,
                expected,
                "{}/{name}: {}",
                rule.rule,
                divergent.map_or("", |(_, why)| why)
            );
            if divergent.is_some() {
                assert!(!regolibrary_subjects(&case).is_empty(), "stale divergence");
            }
        }
    }
}

/// Regolibrary's workload-with-cluster-takeover-roles: the workloads running, with a token, as a
/// subject holding a critical primitive.
#[test]
fn regolibrary_workloads_with_takeover_roles() {
    let Some(tests) = corpus(
        "manifests/insecure/regolibrary-rule-tests/workload-with-cluster-takeover-roles/test",
    ) else {
        return;
    };
    for case in [
        "fail-wl-creates-pod",
        "fail-wl-gets-secrets",
        "pass-wl-limited-permissions",
        "pass-wl-not-mount-sa-token",
        "pass-wl-rolebinding",
    ] {
        let dir = tests.join(case);
        let (findings, _) = assess_paths(&[dir.join("input")], "default");
        let found: BTreeSet<String> = findings
            .iter()
            .filter(|f| f.severity == Severity::Critical)
            .flat_map(|f| &f.workloads)
            .map(|w| format!("{}/{}", w.kind, w.name))
            .collect();
        let text = std::fs::read_to_string(dir.join("expected.json")).expect("expected.json");
        let node = parse_single(&text, Schema::Core).expect("parses");
        let expected: BTreeSet<String> = node
            .as_seq()
            .unwrap_or_default()
            .iter()
            .filter_map(|f| f.get_path("alertObject.k8sApiObjects"))
            .filter_map(|o| o.as_seq())
            .flatten()
            .filter_map(|o| {
                Some(format!(
                    "{}/{}",
                    o.get("kind")?.as_str()?,
                    o.get_path("metadata.name")?.as_str()?
                ))
            })
            .collect();
        assert_eq!(found, expected, "{case}");
    }
}

/// Kubernetes Goat: `insecure-rbac` binds `cluster-admin` to `kube-system/superadmin` (no Goat
/// workload runs as it), and scenario 16 (`hunger-check`) lets its workload's account read
/// the secrets of its namespace.
#[test]
fn kubernetes_goat() {
    let Some(root) = corpus("manifests/insecure/kubernetes-goat/scenarios") else {
        return;
    };
    let (findings, _) = assess_paths(
        &[root.join("insecure-rbac"), root.join("hunger-check")],
        "default",
    );
    let admin = findings
        .iter()
        .find(|f| {
            f.slug == "cluster-admin-equivalent"
                && f.subject.to_string() == "ServiceAccount kube-system/superadmin"
        })
        .expect("superadmin");
    assert!(!admin.builtin && admin.scope.cluster && admin.workloads.is_empty());
    assert_eq!(admin.bindings.len(), 1);
    let secrets = findings
        .iter()
        .find(|f| {
            f.slug == "secrets-read-namespace"
                && f.subject.to_string() == "ServiceAccount big-monolith/big-monolith-sa"
        })
        .expect("big-monolith-sa");
    let workloads: Vec<String> = secrets
        .workloads
        .iter()
        .map(|w| format!("{} {}/{}", w.kind, w.namespace, w.name))
        .collect();
    assert_eq!(
        workloads,
        ["Deployment big-monolith/hunger-check-deployment"]
    );
    // `get` on every core resource includes `get pods/exec`: exec over WebSocket.
    assert!(findings.iter().any(|f| f.slug == "pod-exec"
        && f.subject.name == "big-monolith-sa"
        && f.severity == Severity::High));
    let subjects: BTreeSet<String> = findings.iter().map(|f| f.subject.to_string()).collect();
    assert_eq!(
        subjects,
        BTreeSet::from([
            "ServiceAccount big-monolith/big-monolith-sa".to_owned(),
            "ServiceAccount kube-system/superadmin".to_owned(),
        ])
    );
}

/// `(subject, slug)` of every critical finding.
fn criticals(findings: &[Finding]) -> BTreeSet<(String, &'static str)> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Critical && !f.builtin)
        .map(|f| (f.subject.to_string(), f.slug))
        .collect()
}

fn set(items: &[(&str, &'static str)]) -> BTreeSet<(String, &'static str)> {
    items.iter().map(|(s, p)| ((*s).to_owned(), *p)).collect()
}

/// Argo CD's cluster install, applied in `argocd` as its docs say: the application controller
/// is cluster-admin by design; the server and the ApplicationSet controller read secrets
/// everywhere, and the server manages workloads (it can delete, exec and patch for its UI).
#[test]
fn argo_cd_criticals() {
    let Some(path) = corpus("manifests/realworld/argo-cd/manifests/install.yaml") else {
        return;
    };
    let (findings, rbac) = assess_paths(&[path], "argocd");
    assert!(rbac.problems().is_empty(), "{:?}", rbac.problems());
    let controller = "ServiceAccount argocd/argocd-application-controller";
    let server = "ServiceAccount argocd/argocd-server";
    let mut expected: BTreeSet<(String, &'static str)> = super::PRIMITIVES
        .iter()
        .filter(|p| p.severity == Severity::Critical && p.reach != super::Reach::Namespaced)
        .map(|p| (controller.to_owned(), p.slug))
        .collect();
    expected.extend(set(&[
        (
            "ServiceAccount argocd/argocd-applicationset-controller",
            "secrets-read-cluster-wide",
        ),
        (server, "secrets-read-cluster-wide"),
        (server, "pod-controller-create"),
        (server, "pod-exec"),
        (server, "pod-ephemeral-containers"),
        (server, "node-proxy"),
        (server, "mutating-webhook-write"),
        (server, "apiservice-write"),
    ]));
    let found = criticals(&findings);
    let extra: Vec<_> = found.difference(&expected).collect();
    let missing: Vec<_> = expected.difference(&found).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "extra {extra:?}, missing {missing:?}"
    );
    // The controller's workload is found once the manifest sits in `argocd`.
    let admin = findings
        .iter()
        .find(|f| f.slug == "cluster-admin-equivalent")
        .expect("controller");
    assert_eq!(
        admin
            .workloads
            .iter()
            .map(|w| format!("{} {}", w.kind, w.name))
            .collect::<Vec<_>>(),
        ["StatefulSet argocd-application-controller"]
    );
}

/// cert-manager: the controller reads every secret (certificates are secrets) and creates
/// solver pods; the CA injector patches webhook configurations and APIServices.
#[test]
fn cert_manager_criticals() {
    let Some(path) = corpus("manifests/realworld/cert-manager") else {
        return;
    };
    let (findings, _) = assess_paths(&[path], "default");
    assert_eq!(
        criticals(&findings),
        set(&[
            (
                "ServiceAccount cert-manager/cert-manager",
                "secrets-read-cluster-wide"
            ),
            ("ServiceAccount cert-manager/cert-manager", "pod-create"),
            (
                "ServiceAccount cert-manager/cert-manager-cainjector",
                "secrets-read-cluster-wide"
            ),
            (
                "ServiceAccount cert-manager/cert-manager-cainjector",
                "mutating-webhook-write"
            ),
            (
                "ServiceAccount cert-manager/cert-manager-cainjector",
                "apiservice-write"
            ),
        ])
    );
    let subjects: BTreeSet<String> = findings.iter().map(|f| f.subject.to_string()).collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
}

/// ingress-nginx: the controller lists secrets everywhere (TLS certificates of Ingresses).
#[test]
fn ingress_nginx_criticals() {
    let Some(root) = corpus("manifests/realworld/ingress-nginx/deploy/static/provider") else {
        return;
    };
    for provider in ["aws", "baremetal", "cloud", "kind"] {
        let (findings, _) = assess_paths(&[root.join(provider)], "default");
        assert_eq!(
            criticals(&findings),
            set(&[(
                "ServiceAccount ingress-nginx/ingress-nginx",
                "secrets-read-cluster-wide"
            )]),
            "{provider}"
        );
        let subjects: BTreeSet<String> = findings.iter().map(|f| f.subject.to_string()).collect();
        assert_eq!(
            subjects,
            BTreeSet::from([
                "ServiceAccount ingress-nginx/ingress-nginx".to_owned(),
                "ServiceAccount ingress-nginx/ingress-nginx-admission".to_owned(),
            ]),
            "{provider}"
        );
    }
}

/// kube-prometheus: kube-state-metrics lists secrets everywhere (for their metadata), and the
/// operator writes the StatefulSets of Prometheus and Alertmanager.
#[test]
fn kube_prometheus_criticals() {
    let Some(path) = corpus("manifests/realworld/kube-prometheus") else {
        return;
    };
    let (findings, _) = assess_paths(&[path], "default");
    assert_eq!(
        criticals(&findings),
        set(&[
            (
                "ServiceAccount monitoring/kube-state-metrics",
                "secrets-read-cluster-wide"
            ),
            (
                "ServiceAccount monitoring/prometheus-operator",
                "secrets-read-cluster-wide"
            ),
            (
                "ServiceAccount monitoring/prometheus-operator",
                "pod-controller-create"
            ),
        ])
    );
    assert_eq!(findings.len(), 5);
}
