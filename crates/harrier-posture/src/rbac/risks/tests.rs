//! Per-family cases (fires / does not fire, `resourceNames`, RoleBinding scoping, groups,
//! aggregation) and the catalogue's own invariants.

use std::sync::Arc;

use harrier_k8s::{ObjectIndex, load_text};

use super::*;
use crate::rbac::RbacOptions;

fn index(yaml: &str) -> ObjectIndex {
    let loaded = load_text(Arc::from("test.yaml"), yaml);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    ObjectIndex::build(loaded.objects).0
}

fn findings(yaml: &str) -> Vec<Finding> {
    let index = index(yaml);
    let options = RbacOptions::default();
    let rbac = Rbac::from_index(&index, &options);
    assess(&rbac, &index, &options)
}

/// `(slug, subject)` of every finding, for compact assertions.
fn pairs(findings: &[Finding]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = findings
        .iter()
        .map(|f| (f.slug.to_owned(), f.subject.to_string()))
        .collect();
    out.sort();
    out
}

fn find<'a>(findings: &'a [Finding], slug: &str, subject: &str) -> Option<&'a Finding> {
    findings
        .iter()
        .find(|f| f.slug == slug && f.subject.to_string() == subject)
}

/// ClusterRole `c` with `rules`, bound cluster-wide to ServiceAccount `ns/a`.
fn cluster(rules: &str) -> Vec<Finding> {
    findings(&format!(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: c}}
rules: {rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: b}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}}
subjects: [{{kind: ServiceAccount, name: a, namespace: ns}}]
"#
    ))
}

/// ClusterRole `c` with `rules`, bound by a RoleBinding in `team` to ServiceAccount `team/a`.
fn in_namespace(rules: &str) -> Vec<Finding> {
    findings(&format!(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: c}}
rules: {rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: b, namespace: team}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}}
subjects: [{{kind: ServiceAccount, name: a}}]
"#
    ))
}

const SA: &str = "ServiceAccount ns/a";
const TEAM_SA: &str = "ServiceAccount team/a";

fn slugs(findings: &[Finding]) -> Vec<&'static str> {
    let mut s: Vec<&str> = findings.iter().map(|f| f.slug).collect();
    s.sort_unstable();
    s
}

#[test]
fn catalogue_is_well_formed() {
    assert!(PRIMITIVES.len() >= 25);
    let mut ids = BTreeSet::new();
    let mut slugs = BTreeSet::new();
    let mut previous = "";
    let attack = [
        "T1036",
        "T1046",
        "T1053.007",
        "T1069",
        "T1070",
        "T1078",
        "T1098.006",
        "T1485",
        "T1499",
        "T1528",
        "T1550",
        "T1550.001",
        "T1552",
        "T1552.007",
        "T1562.001",
        "T1609",
        "T1610",
        "T1611",
    ];
    for p in PRIMITIVES {
        assert!(ids.insert(p.id), "{} repeated", p.id);
        assert!(slugs.insert(p.slug), "{} repeated", p.slug);
        assert!(p.id > previous, "{} out of order", p.id);
        previous = p.id;
        let number = p.id.strip_prefix("HRR-RBAC-R").unwrap_or("");
        assert!(
            number.len() == 3 && number.chars().all(|c| c.is_ascii_digit()),
            "{}",
            p.id
        );
        assert!(
            p.slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
        );
        assert!(!p.mitre.is_empty() && !p.why.is_empty() && !p.any_of.is_empty());
        for t in p.mitre {
            assert!(
                attack.contains(t),
                "{}: {t} not a containers technique",
                p.id
            );
        }
        assert!(p.namespaced_severity <= p.severity, "{}", p.id);
        for alternative in p.any_of {
            assert!(!alternative.is_empty());
            for grant in *alternative {
                assert!(
                    Request::parse(grant.verb, grant.target, None, None).is_ok(),
                    "{}: {grant:?}",
                    p.id
                );
            }
        }
        assert_eq!(primitive(p.id).map(|x| x.slug), Some(p.slug));
    }
}

/// The ids do not clash with the per-object RBAC checks (`HRR-RBAC-001`…).
#[test]
fn ids_do_not_clash_with_checks() {
    for check in crate::checks::rbac::CHECKS {
        assert!(primitive(check.meta.id.as_str()).is_none());
    }
}

#[test]
fn cluster_admin_binding_is_everything_and_collapses_by_subject() {
    let f = findings(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: a, namespace: ns}]
"#,
    );
    assert!(find(&f, "cluster-admin-equivalent", SA).is_some());
    // Every primitive except the namespace-only ones.
    let namespaced = PRIMITIVES
        .iter()
        .filter(|p| p.reach == Reach::Namespaced)
        .count();
    assert_eq!(f.len(), PRIMITIVES.len() - namespaced, "{:?}", slugs(&f));
    assert!(f.iter().all(|x| x.scope.cluster && x.names.is_empty()));
    assert!(find(&f, "secrets-read-namespace", SA).is_none());
}

#[test]
fn wildcards() {
    let f = cluster(r#"[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]"#);
    assert!(find(&f, "cluster-admin-equivalent", SA).is_some());
    assert!(find(&f, "core-wildcard-cluster-wide", SA).is_some());
    let f = cluster(r#"[{apiGroups: [""], resources: ["*"], verbs: ["*"]}]"#);
    assert!(find(&f, "cluster-admin-equivalent", SA).is_none());
    assert!(find(&f, "core-wildcard-cluster-wide", SA).is_some());
    let f = in_namespace(r#"[{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]"#);
    assert!(find(&f, "cluster-admin-equivalent", TEAM_SA).is_none());
    let ns = find(&f, "namespace-wildcard", TEAM_SA).expect("namespace wildcard");
    assert_eq!(ns.scope.namespaces, BTreeSet::from(["team".to_owned()]));
    // `*` verbs on one resource is not a wildcard on everything.
    let f = cluster(r#"[{apiGroups: ["*"], resources: ["pods"], verbs: ["*"]}]"#);
    assert!(find(&f, "cluster-admin-equivalent", SA).is_none());
    assert!(find(&f, "pod-create", SA).is_some());
    assert!(
        find(&f, "pod-exec", SA).is_none(),
        "pods does not match pods/exec"
    );
}

#[test]
fn secrets_cluster_namespace_and_named() {
    for verb in ["get", "list", "watch"] {
        let f = cluster(&format!(
            r#"[{{apiGroups: [""], resources: ["secrets"], verbs: ["{verb}"]}}]"#
        ));
        let s = find(&f, "secrets-read-cluster-wide", SA).expect(verb);
        assert_eq!(s.severity, Severity::Critical);
        assert!(find(&f, "secrets-read-namespace", SA).is_none());
    }
    let f = in_namespace(r#"[{apiGroups: [""], resources: ["secrets"], verbs: ["list"]}]"#);
    assert!(find(&f, "secrets-read-cluster-wide", TEAM_SA).is_none());
    let s = find(&f, "secrets-read-namespace", TEAM_SA).expect("namespaced");
    assert_eq!(s.severity, Severity::High);
    // A named secret: narrower, and said so.
    let f = in_namespace(
        r#"[{apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["one"]}]"#,
    );
    let s = find(&f, "secrets-read-namespace", TEAM_SA).expect("named");
    assert_eq!(s.names, vec!["one".to_owned()]);
    assert_eq!(s.severity, Severity::Low);
    // A named rule next to an unnamed one: held for every object.
    let f = cluster(
        r#"[{apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["one"]},
            {apiGroups: [""], resources: ["secrets"], verbs: ["list"]}]"#,
    );
    let s = find(&f, "secrets-read-cluster-wide", SA).expect("unnamed");
    assert!(s.names.is_empty());
    assert_eq!(s.severity, Severity::Critical);
    // Other verbs and resources do not read secrets.
    let f = cluster(
        r#"[{apiGroups: [""], resources: ["secrets"], verbs: ["create", "delete"]},
            {apiGroups: [""], resources: ["configmaps"], verbs: ["get"]}]"#,
    );
    assert!(find(&f, "secrets-read-cluster-wide", SA).is_none());
    // The wrong group does not either.
    let f = cluster(r#"[{apiGroups: ["apps"], resources: ["secrets"], verbs: ["get"]}]"#);
    assert!(f.is_empty(), "{:?}", pairs(&f));
}

#[test]
fn pod_creation_and_controllers() {
    let f = in_namespace(r#"[{apiGroups: [""], resources: ["pods"], verbs: ["create"]}]"#);
    assert_eq!(
        find(&f, "pod-create", TEAM_SA).map(|x| x.severity),
        Some(Severity::High)
    );
    for (group, resource) in [
        ("apps", "deployments"),
        ("apps", "daemonsets"),
        ("apps", "statefulsets"),
        ("apps", "replicasets"),
        ("batch", "jobs"),
        ("batch", "cronjobs"),
        ("", "replicationcontrollers"),
    ] {
        let f = cluster(&format!(
            r#"[{{apiGroups: ["{group}"], resources: ["{resource}"], verbs: ["create"]}}]"#
        ));
        assert!(
            find(&f, "pod-controller-create", SA).is_some(),
            "{resource}"
        );
    }
    // Deployments in the core group are no Deployments.
    let f = cluster(r#"[{apiGroups: [""], resources: ["deployments"], verbs: ["create"]}]"#);
    assert!(f.is_empty());
    // `create` with resourceNames never grants creation: the request carries no name.
    let f = cluster(
        r#"[{apiGroups: [""], resources: ["pods"], verbs: ["create"], resourceNames: ["x"]}]"#,
    );
    assert!(f.is_empty(), "{:?}", pairs(&f));
    let f = cluster(r#"[{apiGroups: ["apps"], resources: ["deployments"], verbs: ["patch"]}]"#);
    assert_eq!(slugs(&f), vec!["pod-controller-modify"]);
}

#[test]
fn pod_subresources() {
    for verb in ["create", "get"] {
        let f = cluster(&format!(
            r#"[{{apiGroups: [""], resources: ["pods/exec", "pods/attach", "pods/portforward"], verbs: ["{verb}"]}}]"#
        ));
        assert_eq!(
            slugs(&f),
            vec!["pod-attach", "pod-exec", "pod-portforward"],
            "{verb}"
        );
    }
    let f = cluster(r#"[{apiGroups: [""], resources: ["*/exec"], verbs: ["create"]}]"#);
    assert_eq!(slugs(&f), vec!["pod-exec"]);
    let f = cluster(r#"[{apiGroups: [""], resources: ["pods/*"], verbs: ["create"]}]"#);
    assert!(f.is_empty(), "pods/* is no wildcard");
    let f = cluster(r#"[{apiGroups: [""], resources: ["pods/exec"], verbs: ["list"]}]"#);
    assert!(f.is_empty());
    let f = in_namespace(
        r#"[{apiGroups: [""], resources: ["pods/exec"], verbs: ["create"], resourceNames: ["web-0"]}]"#,
    );
    let e = find(&f, "pod-exec", TEAM_SA).expect("named exec");
    assert_eq!(e.names, vec!["web-0".to_owned()]);
    assert_eq!(e.severity, Severity::Medium);
    let f = cluster(
        r#"[{apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["patch"]},
            {apiGroups: [""], resources: ["pods"], verbs: ["update"]}]"#,
    );
    assert_eq!(slugs(&f), vec!["pod-ephemeral-containers", "pod-modify"]);
    let f = cluster(r#"[{apiGroups: [""], resources: ["services/proxy"], verbs: ["get"]}]"#);
    assert_eq!(slugs(&f), vec!["pod-service-proxy"]);
}

#[test]
fn node_proxy_is_cluster_scoped() {
    let f = cluster(r#"[{apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"]}]"#);
    assert_eq!(slugs(&f), vec!["node-proxy"]);
    // A RoleBinding cannot grant a cluster-scoped resource.
    let f = in_namespace(r#"[{apiGroups: [""], resources: ["nodes/proxy"], verbs: ["*"]}]"#);
    assert!(f.is_empty(), "{:?}", pairs(&f));
    let f = cluster(r#"[{apiGroups: [""], resources: ["nodes"], verbs: ["patch"]}]"#);
    assert_eq!(slugs(&f), vec!["node-modify"]);
}

#[test]
fn escalate_bind_and_binding_writes() {
    let f = cluster(
        r#"[{apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["escalate", "bind"]}]"#,
    );
    assert_eq!(slugs(&f), vec!["role-bind", "role-escalate"]);
    let f = cluster(
        r#"[{apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["view"]}]"#,
    );
    let b = find(&f, "role-bind", SA).expect("named bind");
    assert_eq!(b.names, vec!["view".to_owned()]);
    let f = in_namespace(
        r#"[{apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create"]}]"#,
    );
    assert_eq!(slugs(&f), vec!["binding-write"]);
    // `bind` on bindings means nothing to the authorizer.
    let f = cluster(
        r#"[{apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["bind"]}]"#,
    );
    assert!(f.is_empty(), "{:?}", pairs(&f));
}

#[test]
fn impersonation_is_three_primitives() {
    let f = cluster(r#"[{apiGroups: [""], resources: ["users"], verbs: ["impersonate"]}]"#);
    assert_eq!(slugs(&f), vec!["impersonate-users"]);
    let f = cluster(r#"[{apiGroups: [""], resources: ["groups"], verbs: ["impersonate"]}]"#);
    assert_eq!(slugs(&f), vec!["impersonate-groups"]);
    let f =
        cluster(r#"[{apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"]}]"#);
    assert_eq!(slugs(&f), vec!["impersonate-service-accounts"]);
    // Users and groups are cluster-scoped: a RoleBinding grants only service accounts.
    let f = in_namespace(r#"[{apiGroups: [""], resources: ["*"], verbs: ["impersonate"]}]"#);
    assert_eq!(slugs(&f), vec!["impersonate-service-accounts"]);
    // Impersonating a named user is as bad as that user.
    let f = cluster(
        r#"[{apiGroups: [""], resources: ["users"], verbs: ["impersonate"], resourceNames: ["admin"]}]"#,
    );
    let i = find(&f, "impersonate-users", SA).expect("named");
    assert_eq!(i.severity, Severity::Critical);
    assert_eq!(i.names, vec!["admin".to_owned()]);
}

#[test]
fn tokens_and_certificates() {
    let f = in_namespace(
        r#"[{apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"]}]"#,
    );
    assert_eq!(slugs(&f), vec!["service-account-token-create"]);
    // Approval needs both the approval subresource and the signer.
    let f = cluster(
        r#"[{apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"]}]"#,
    );
    assert!(f.is_empty(), "{:?}", pairs(&f));
    let approve = r#"{apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"]},
        {apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"], resourceNames: ["kubernetes.io/kube-apiserver-client"]}"#;
    let f = cluster(&format!("[{approve}]"));
    let a = find(&f, "csr-approve", SA).expect("approve");
    assert_eq!(
        a.names,
        vec!["kubernetes.io/kube-apiserver-client".to_owned()]
    );
    assert!(find(&f, "csr-create-and-approve", SA).is_none());
    let f = cluster(&format!(
        r#"[{approve}, {{apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["create"]}}]"#
    ));
    assert!(find(&f, "csr-create-and-approve", SA).is_some());
}

#[test]
fn conjunction_scopes_intersect() {
    // Approval granted cluster-wide, signer only ... both are cluster-scoped, so a
    // RoleBinding half grants nothing and the conjunction does not hold.
    let f = findings(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: approval}
rules: [{apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: signer}
rules: [{apiGroups: ["certificates.k8s.io"], resources: ["signers"], verbs: ["approve"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: approval}
subjects: [{kind: User, name: u}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: s, namespace: x}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: signer}
subjects: [{kind: User, name: u}]
"#,
    );
    assert!(f.is_empty(), "{:?}", pairs(&f));
    let a = Scope {
        cluster: false,
        namespaces: BTreeSet::from(["a".to_owned(), "b".to_owned()]),
    };
    let b = Scope {
        cluster: false,
        namespaces: BTreeSet::from(["b".to_owned()]),
    };
    assert_eq!(a.intersect(&b), b);
    let everywhere = Scope {
        cluster: true,
        namespaces: BTreeSet::new(),
    };
    assert_eq!(everywhere.intersect(&a), a);
}

#[test]
fn admission_api_and_storage() {
    let f = cluster(
        r#"[{apiGroups: ["admissionregistration.k8s.io"], resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"], verbs: ["patch"]},
            {apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["delete"]},
            {apiGroups: ["apiregistration.k8s.io"], resources: ["apiservices"], verbs: ["update"]},
            {apiGroups: [""], resources: ["persistentvolumes"], verbs: ["create"]}]"#,
    );
    assert_eq!(
        slugs(&f),
        vec![
            "apiservice-write",
            "crd-write",
            "mutating-webhook-write",
            "persistent-volume-create",
            "validating-webhook-write"
        ]
    );
    // Reading them is harmless.
    let f = cluster(
        r#"[{apiGroups: ["admissionregistration.k8s.io", "apiextensions.k8s.io", "apiregistration.k8s.io"], resources: ["*"], verbs: ["get", "list", "watch"]}]"#,
    );
    assert!(f.is_empty(), "{:?}", pairs(&f));
}

#[test]
fn deletions() {
    let f = cluster(
        r#"[{apiGroups: [""], resources: ["namespaces", "events", "pods"], verbs: ["delete"]},
            {apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["delete"]}]"#,
    );
    assert_eq!(
        slugs(&f),
        vec![
            "events-delete",
            "namespace-delete",
            "rbac-delete",
            "workload-delete"
        ]
    );
    let f = in_namespace(
        r#"[{apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["deletecollection"]}]"#,
    );
    assert_eq!(
        find(&f, "events-delete", TEAM_SA).map(|x| x.severity),
        Some(Severity::Low)
    );
}

#[test]
fn service_status() {
    let f = cluster(r#"[{apiGroups: [""], resources: ["services/status"], verbs: ["patch"]}]"#);
    assert_eq!(slugs(&f), vec!["service-status-write"]);
    let f = cluster(
        r#"[{apiGroups: ["rbac.authorization.k8s.io"], resources: ["services/status"], verbs: ["*"]}]"#,
    );
    assert!(f.is_empty(), "only the core group's services");
}

#[test]
fn groups_and_workloads() {
    let f = findings(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c}
rules: [{apiGroups: [""], resources: ["secrets"], verbs: ["get"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects:
- {kind: Group, name: "system:serviceaccounts:team"}
- {kind: Group, name: "system:authenticated"}
- {kind: Group, name: "system:unauthenticated"}
- {kind: ServiceAccount, name: web, namespace: team}
- {kind: User, name: "system:serviceaccount:team:web"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: quiet, namespace: team}
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: quiet, namespace: team}
spec:
  serviceAccountName: quiet
  containers: [{name: c, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: elsewhere}
spec:
  containers: [{name: c, image: nginx}]
"#,
    );
    let names = |f: &Finding| -> Vec<String> {
        f.workloads
            .iter()
            .map(|w| format!("{} {}/{}", w.kind, w.namespace, w.name))
            .collect()
    };
    let sa = find(&f, "secrets-read-cluster-wide", "ServiceAccount team/web").expect("sa");
    assert_eq!(names(sa), vec!["Deployment team/web"]);
    assert!(!sa.every_workload && !sa.builtin);
    let loc = sa.bindings.first().and_then(|b| b.location.as_ref());
    assert_eq!(loc.map(|l| l.line), Some(7));
    let user = find(
        &f,
        "secrets-read-cluster-wide",
        "User system:serviceaccount:team:web",
    )
    .expect("user");
    assert_eq!(names(user), vec!["Deployment team/web"]);
    let ns = find(
        &f,
        "secrets-read-cluster-wide",
        "Group system:serviceaccounts:team",
    )
    .expect("ns group");
    // `quiet` opts out of the token.
    assert_eq!(names(ns), vec!["Deployment team/web"]);
    let all = find(
        &f,
        "secrets-read-cluster-wide",
        "Group system:authenticated",
    )
    .expect("all");
    assert!(all.every_workload && all.workloads.is_empty());
    assert!(!all.builtin);
    // Anonymous access: raised (critical stays critical), never built-in.
    let anon = find(
        &f,
        "secrets-read-cluster-wide",
        "Group system:unauthenticated",
    )
    .expect("anon");
    assert_eq!(anon.severity, Severity::Critical);
    assert!(!anon.builtin);
}

#[test]
fn anonymous_subjects_are_raised() {
    let f = findings(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c}
rules: [{apiGroups: [""], resources: ["events"], verbs: ["delete"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: x}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects:
- {kind: Group, name: "system:unauthenticated"}
- {kind: User, name: "system:anonymous"}
- {kind: User, name: "someone"}
"#,
    );
    let sev = |s: &str| find(&f, "events-delete", s).map(|x| x.severity);
    assert_eq!(sev("Group system:unauthenticated"), Some(Severity::Medium));
    assert_eq!(sev("User system:anonymous"), Some(Severity::Medium));
    assert_eq!(sev("User someone"), Some(Severity::Low));
}

#[test]
fn control_plane_and_bootstrap_subjects_are_builtin() {
    let f = findings(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: "system:controller:replicaset-controller"
  labels: {kubernetes.io/bootstrapping: rbac-defaults}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: replicaset-controller, namespace: kube-system}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:my-own"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: User, name: "system:kube-controller-manager"}
- {kind: Group, name: "system:masters"}
- {kind: ServiceAccount, name: mine, namespace: kube-system}
"#,
    );
    let builtin = |s: &str| find(&f, "cluster-admin-equivalent", s).map(|x| x.builtin);
    assert_eq!(
        builtin("ServiceAccount kube-system/replicaset-controller"),
        Some(true)
    );
    assert_eq!(builtin("User system:kube-controller-manager"), Some(true));
    assert_eq!(builtin("Group system:masters"), Some(true));
    // A binding named like a system one, without the label, is the owners' own.
    assert_eq!(builtin("ServiceAccount kube-system/mine"), Some(false));
}

#[test]
fn aggregation_is_followed() {
    let f = findings(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: parent}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {agg: "yes"}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: child, labels: {agg: "yes"}}
rules: [{apiGroups: [""], resources: ["pods/exec"], verbs: ["create"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: parent}
subjects: [{kind: User, name: dev}]
"#,
    );
    let e = find(&f, "pod-exec", "User dev").expect("through aggregation");
    assert_eq!(e.scope.namespaces, BTreeSet::from(["team".to_owned()]));
    assert!(!e.scope.cluster);
    assert_eq!(e.severity, Severity::High);
    assert_eq!(
        e.bindings
            .iter()
            .map(|b| b.via.role.name.as_str())
            .collect::<Vec<_>>(),
        vec!["parent"]
    );
}

#[test]
fn bindings_are_all_listed_and_scopes_merge() {
    let f = findings(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c}
rules: [{apiGroups: [""], resources: ["pods"], verbs: ["create"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b1, namespace: one}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects: [{kind: User, name: dev}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b2, namespace: two}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects: [{kind: User, name: dev}]
"#,
    );
    let p = find(&f, "pod-create", "User dev").expect("pods");
    assert_eq!(
        p.scope.namespaces,
        BTreeSet::from(["one".to_owned(), "two".to_owned()])
    );
    assert_eq!(p.bindings.len(), 2);
    assert!(p.bindings.iter().all(|b| b.location.is_some()));
}

/// docs/rbac-risks.md lists every primitive as the catalogue has it.
#[test]
fn docs_list_every_primitive() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rbac-risks.md");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = "<!-- primitives:start (generated from PRIMITIVES; a test compares) -->\n";
    let end = "<!-- primitives:end -->";
    let section = text
        .split_once(start)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(section, _)| section);
    let expected = catalogue_markdown();
    if section != Some(expected.as_str()) {
        if std::env::var_os("HARRIER_BLESS").is_some() {
            let (head, tail) = match text.split_once(start) {
                Some((head, rest)) => (
                    head.to_owned(),
                    rest.split_once(end).map_or("", |(_, t)| t).to_owned(),
                ),
                None => (text.clone(), String::new()),
            };
            let _ = std::fs::write(path, format!("{head}{start}{expected}{end}{tail}"));
        }
        panic!("docs/rbac-risks.md is stale: rerun with HARRIER_BLESS=1");
    }
}
