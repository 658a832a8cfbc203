//! Hand-written cases, one per rule feature, each checked against what the API server's RBAC
//! authorizer answers for the same objects.

use std::sync::Arc;

use harrier_k8s::{ObjectIndex, load_text};

use super::*;

fn rbac(yaml: &str) -> Rbac {
    let loaded = load_text(Arc::from("test.yaml"), yaml);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let (index, _) = ObjectIndex::build(loaded.objects);
    Rbac::from_index(&index, &RbacOptions::default())
}

fn req(verb: &str, target: &str, ns: Option<&str>) -> Request {
    Request::parse(verb, target, None, ns).expect("request parses")
}

fn named(verb: &str, target: &str, name: &str, ns: &str) -> Request {
    Request::parse(verb, target, Some(name), Some(ns)).expect("request parses")
}

fn sa(ns: &str, name: &str) -> Identity {
    Identity::service_account(ns, name)
}

/// `ClusterRole c` with `rules`, bound to ServiceAccount `ns/a` by a ClusterRoleBinding.
fn cluster_grant(rules: &str) -> Rbac {
    rbac(&format!(
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

fn names(holders: &[Holder]) -> Vec<String> {
    holders
        .iter()
        .map(|h| {
            SubjectRef {
                kind: h.kind,
                name: h.name.clone(),
                namespace: h.namespace.clone(),
            }
            .to_string()
        })
        .collect()
}

#[test]
fn verb_and_group_wildcards() {
    let r = cluster_grant(r#"[{apiGroups: ["*"], resources: [deployments], verbs: ["*"]}]"#);
    assert!(r.allows(&sa("ns", "a"), &req("delete", "deployments", Some("x"))));
    assert!(r.allows(&sa("ns", "a"), &req("get", "deployments.example.com", None)));
    assert!(!r.allows(&sa("ns", "a"), &req("get", "pods", Some("x"))));
    assert!(!r.allows(&sa("ns", "b"), &req("get", "deployments", Some("x"))));
}

#[test]
fn exact_group_is_required() {
    let r = cluster_grant(r#"[{apiGroups: [""], resources: [deployments], verbs: [get]}]"#);
    // `deployments` is in `apps`; a core-group rule does not grant it.
    assert!(!r.allows(&sa("ns", "a"), &req("get", "deployments", Some("x"))));
}

#[test]
fn resource_wildcard_covers_subresources() {
    let r = cluster_grant(r#"[{apiGroups: [""], resources: ["*"], verbs: [create]}]"#);
    assert!(r.allows(&sa("ns", "a"), &req("create", "pods/exec", Some("x"))));
    assert!(r.allows(&sa("ns", "a"), &req("create", "pods", Some("x"))));
}

#[test]
fn subresources_match_exactly_or_by_star_slash() {
    let r = cluster_grant(
        r#"[{apiGroups: ["", apps], resources: [pods/exec, "*/scale"], verbs: [create, update]}]"#,
    );
    let a = sa("ns", "a");
    assert!(r.allows(&a, &req("create", "pods/exec", Some("x"))));
    // `pods/exec` does not grant `pods`, nor `pods/attach`.
    assert!(!r.allows(&a, &req("create", "pods", Some("x"))));
    assert!(!r.allows(&a, &req("create", "pods/attach", Some("x"))));
    // `*/scale` grants the scale subresource of anything in the rule's groups…
    assert!(r.allows(&a, &req("update", "deployments/scale", Some("x"))));
    assert!(r.allows(&a, &req("update", "replicasets.apps/scale", Some("x"))));
    // …but not the resource itself.
    assert!(!r.allows(&a, &req("update", "deployments", Some("x"))));
}

#[test]
fn pods_slash_star_is_not_a_wildcard() {
    let r = cluster_grant(r#"[{apiGroups: [""], resources: ["pods/*"], verbs: [create]}]"#);
    assert!(!r.allows(&sa("ns", "a"), &req("create", "pods/exec", Some("x"))));
}

#[test]
fn resource_names_need_a_named_request() {
    let r = cluster_grant(
        r#"[{apiGroups: [""], resources: [secrets], resourceNames: [tls], verbs: [get, list]}]"#,
    );
    let a = sa("ns", "a");
    assert!(r.allows(&a, &named("get", "secrets", "tls", "x")));
    assert!(!r.allows(&a, &named("get", "secrets", "other", "x")));
    // A `list` names no object, so a rule limited to names never grants it.
    assert!(!r.allows(&a, &req("list", "secrets", Some("x"))));
    assert!(r.who_can(&req("get", "secrets", None)).is_empty());
}

#[test]
fn non_resource_urls() {
    let r =
        cluster_grant(r#"[{nonResourceURLs: [/healthz, "/metrics/*", "/api*"], verbs: [get]}]"#);
    let a = sa("ns", "a");
    assert!(r.allows(&a, &req("get", "/healthz", None)));
    assert!(!r.allows(&a, &req("get", "/healthz/etcd", None)));
    assert!(r.allows(&a, &req("get", "/metrics/cadvisor", None)));
    assert!(!r.allows(&a, &req("get", "/metrics", None)));
    assert!(r.allows(&a, &req("get", "/apis/apps", None)));
    assert!(!r.allows(&a, &req("post", "/healthz", None)));
    // A resource rule does not grant URLs, nor the other way round.
    assert!(!r.allows(&a, &req("get", "pods", None)));
}

#[test]
fn role_bindings_do_not_grant_non_resource_urls_or_cluster_resources() {
    let r = rbac(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c}
rules:
- {nonResourceURLs: ["*"], verbs: ["*"]}
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects: [{kind: ServiceAccount, name: a}]
"#,
    );
    let a = sa("team", "a");
    assert!(r.problems().is_empty(), "{:?}", r.problems());
    assert!(r.allows(&a, &req("delete", "secrets", Some("team"))));
    // The ClusterRole is scoped to the RoleBinding's namespace.
    assert!(!r.allows(&a, &req("delete", "secrets", Some("other"))));
    assert!(!r.allows(&a, &req("get", "nodes", None)));
    assert!(!r.allows(&a, &req("get", "/healthz", None)));
    // Impersonated users, groups, uids and extras, and CSR signers, are asked for without a
    // namespace: a RoleBinding cannot grant them. Service accounts are namespaced.
    for target in [
        "users",
        "groups",
        "uids",
        "userextras.authentication.k8s.io",
    ] {
        assert!(
            r.who_can(&req("impersonate", target, None)).is_empty(),
            "{target}"
        );
    }
    assert!(
        r.who_can(&req("approve", "signers.certificates.k8s.io", None))
            .is_empty()
    );
    assert!(r.allows(&a, &req("impersonate", "serviceaccounts", Some("team"))));
    // Binding a ClusterRole is asked in the RoleBinding's namespace: a RoleBinding grants it
    // there (and nowhere else); escalating a ClusterRole is asked cluster-wide.
    assert!(r.allows(&a, &named("bind", "clusterroles", "view", "team")));
    assert!(!r.allows(&a, &named("bind", "clusterroles", "view", "other")));
    assert!(r.who_can(&req("escalate", "clusterroles", None)).is_empty());
    // who-can anywhere reports where the binding grants.
    let holders = r.who_can(&req("delete", "secrets", None));
    assert_eq!(names(&holders), ["ServiceAccount team/a"]);
    assert_eq!(holders[0].bindings[0].scope.as_deref(), Some("team"));
    assert!(
        r.who_can(&req("delete", "secrets", Some("other")))
            .is_empty()
    );
}

#[test]
fn roles_resolve_in_the_binding_namespace() {
    let r = rbac(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: one}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: two}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: User, name: alice}]
"#,
    );
    assert!(!r.allows(&Identity::user("alice"), &req("get", "pods", Some("two"))));
    assert_eq!(r.problems().len(), 1);
    assert!(
        r.problems()[0]
            .message
            .contains("Role `two/r`, which is not among the inputs"),
        "{}",
        r.problems()[0]
    );
    assert_eq!(r.problems()[0].location.line, 7);
}

#[test]
fn missing_roles_are_problems_but_cluster_admin_is_known() {
    let r = rbac(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: Group, name: ops}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: Group, name: everyone}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: wrong}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: Group, name: everyone}]
"#,
    );
    let ops = Identity::group("ops");
    assert!(r.allows(&ops, &req("escalate", "clusterroles", None)));
    assert!(r.allows(&ops, &req("get", "/anything", None)));
    assert!(!r.allows(&Identity::group("everyone"), &req("get", "pods", Some("x"))));
    let messages: Vec<String> = r.problems().iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("test.yaml:8:1: ClusterRoleBinding `viewers` refers to ClusterRole `view`, which is not among the inputs (a role the API server creates"), "{messages:?}");
    assert!(
        messages[1].contains("ClusterRoleBinding `wrong` refers to Role `r`"),
        "{messages:?}"
    );
}

#[test]
fn aggregation_unions_selected_roles() {
    let r = rbac(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {example.com/aggregate-to-monitoring: "true"}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]  # replaced by the controller
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring-endpoints
  labels: {example.com/aggregate-to-monitoring: "true"}
rules: [{apiGroups: [""], resources: [endpoints], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: outer
aggregationRule:
  clusterRoleSelectors:
  - matchExpressions: [{key: tier, operator: In, values: [outer]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: nested
  labels: {tier: outer}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {example.com/aggregate-to-monitoring: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: unrelated
  labels: {example.com/aggregate-to-monitoring: "false"}
rules: [{apiGroups: [""], resources: [pods], verbs: [delete]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
subjects: [{kind: User, name: prom}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: o}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: outer}
subjects: [{kind: User, name: deep}]
"#,
    );
    let prom = Identity::user("prom");
    assert!(r.allows(&prom, &req("list", "endpoints", Some("x"))));
    assert!(!r.allows(&prom, &req("get", "secrets", Some("x"))));
    assert!(!r.allows(&prom, &req("delete", "pods", Some("x"))));
    // outer picks nested, which picks monitoring-endpoints.
    assert!(r.allows(&Identity::user("deep"), &req("get", "endpoints", Some("x"))));
    assert!(r.problems().is_empty(), "{:?}", r.problems());
}

#[test]
fn implicit_groups_of_service_accounts_and_users() {
    let r = rbac(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: all-sa-in-ns, namespace: x}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects: [{kind: Group, name: "system:serviceaccounts:team"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: all-sa, namespace: yy}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects: [{kind: Group, name: "system:serviceaccounts"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: authenticated, namespace: z}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects: [{kind: Group, name: "system:authenticated"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: anonymous, namespace: w}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects: [{kind: Group, name: "system:unauthenticated"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: as-user, namespace: v}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects: [{kind: User, name: "system:serviceaccount:team:a"}]
"#,
    );
    let get = |ns| req("get", "configmaps", Some(ns));
    let a = sa("team", "a");
    let other = sa("other", "b");
    for ns in ["x", "yy", "z", "v"] {
        assert!(r.allows(&a, &get(ns)), "team/a in {ns}");
    }
    assert!(!r.allows(&a, &get("w")));
    assert!(!r.allows(&other, &get("x")));
    assert!(r.allows(&other, &get("yy")));
    let alice = Identity::user("alice");
    assert!(r.allows(&alice, &get("z")) && !r.allows(&alice, &get("yy")));
    let anonymous = Identity::user("system:anonymous");
    assert!(r.allows(&anonymous, &get("w")) && !r.allows(&anonymous, &get("z")));
    let can = r.can(&a);
    let scopes: Vec<Option<&str>> = can.iter().map(|s| s.namespace).collect();
    assert_eq!(scopes, [Some("v"), Some("x"), Some("yy"), Some("z")]);
}

#[test]
fn who_can_lists_each_subject_with_its_bindings() {
    let r = rbac(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: cluster-readers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: ServiceAccount, name: a, namespace: ns}
- {kind: Group, name: auditors}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: local-readers, namespace: ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: a}, {kind: User, name: bob}]
"#,
    );
    let holders = r.who_can(&req("list", "secrets", Some("ns")));
    assert_eq!(
        names(&holders),
        ["ServiceAccount ns/a", "User bob", "Group auditors"]
    );
    assert_eq!(holders[0].bindings.len(), 2);
    let holders = r.who_can(&req("list", "secrets", Some("elsewhere")));
    assert_eq!(names(&holders), ["ServiceAccount ns/a", "Group auditors"]);
    assert!(r.who_can(&req("delete", "secrets", None)).is_empty());
}

#[test]
fn requests_parse() {
    let Request::Resource(r) = req("create", "deployments.apps/scale", Some("n")) else {
        panic!("a resource request");
    };
    assert_eq!(
        (r.group.as_str(), r.resource.as_str()),
        ("apps", "deployments")
    );
    assert_eq!(r.subresource.as_deref(), Some("scale"));
    let Request::Resource(r) = req("get", "pods/log", None) else {
        panic!("a resource request");
    };
    assert_eq!(
        (r.group.as_str(), r.subresource.as_deref()),
        ("", Some("log"))
    );
    assert!(Request::parse("get", "pods/log/x", None, None).is_err());
    assert!(Request::parse("", "pods", None, None).is_err());
    assert!(matches!(
        req("get", "/healthz", None),
        Request::NonResource { .. }
    ));
}

#[test]
fn identities_parse() {
    let a = Identity::parse("sa:team/a").expect("parses");
    assert_eq!(a, sa("team", "a"));
    assert_eq!(
        Identity::parse("system:serviceaccount:team:a").ok(),
        Some(a)
    );
    assert_eq!(
        Identity::parse("group:ops").ok(),
        Some(Identity::group("ops"))
    );
    assert_eq!(Identity::parse("alice").ok(), Some(Identity::user("alice")));
    assert!(Identity::parse("sa:team").is_err());
    assert!(Identity::parse("group:").is_err());
}

#[test]
fn bad_objects_are_problems_not_panics() {
    let r = rbac(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: c}
rules: "not a list"
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: [1, 2]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: d}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: c}
subjects: [{kind: Robot, name: r2}, {kind: ServiceAccount, name: nons}, 7]
"#,
    );
    assert_eq!(r.problems().len(), 5, "{:?}", r.problems());
    let lines: Vec<u32> = r.problems().iter().map(|p| p.location.line).collect();
    // rules (5), roleRef (10), then the three bad subjects of line 16.
    assert_eq!(lines, [5, 10, 16, 16, 16], "{:?}", r.problems());
    assert!(r.who_can(&req("get", "pods", None)).is_empty());
}

#[test]
fn every_subject_and_its_identity() {
    let r = rbac(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: Group, name: ops}
- {kind: ServiceAccount, name: x, namespace: ns1}
- {kind: User, name: alice}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: x}]
"#,
    );
    let subjects = r.subjects();
    let shown: Vec<String> = subjects.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["ServiceAccount ns1/x", "User alice", "Group ops"]);
    assert_eq!(Identity::of(&subjects[0]), sa("ns1", "x"));
    assert_eq!(Identity::of(&subjects[1]), Identity::user("alice"));
    assert_eq!(Identity::of(&subjects[2]), Identity::group("ops"));
    let scopes: Vec<Option<&str>> = r
        .can(&Identity::of(&subjects[0]))
        .into_iter()
        .map(|s| s.namespace)
        .collect();
    assert_eq!(scopes, [None, Some("ns1")]);
}

#[test]
fn can_lists_a_repeated_rule_once_and_reaches_every_binding_of_the_subject() {
    let r = rbac(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: ns1}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get]}
- {apiGroups: [""], resources: [pods], verbs: [get]}
- {apiGroups: [""], resources: [secrets], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: direct, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: ServiceAccount, name: a}, {kind: ServiceAccount, name: a}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: by-group, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: Group, name: "system:serviceaccounts:ns1"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: other, namespace: ns1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
subjects: [{kind: ServiceAccount, name: b}]
"#,
    );
    let can = r.can(&sa("ns1", "a"));
    assert_eq!(can.len(), 1);
    let held: Vec<(&str, &str)> = can[0]
        .rules
        .iter()
        .map(|h| (h.binding.name.as_str(), h.rule.resources[0].as_str()))
        .collect();
    assert_eq!(
        held,
        [
            ("direct", "pods"),
            ("direct", "secrets"),
            ("by-group", "pods"),
            ("by-group", "secrets")
        ]
    );
}

#[test]
fn named_in_lists_the_resource_names_of_matching_rules() {
    let rbac = rbac(
        "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: imp}
rules:
- {apiGroups: [\"\"], resources: [users], verbs: [impersonate], resourceNames: [bob, alice]}
- {apiGroups: [\"\"], resources: [groups], verbs: [impersonate], resourceNames: [ops]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: imp}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: imp}
subjects: [{kind: User, name: eve}]
",
    );
    assert_eq!(
        rbac.named_in(&req("impersonate", "users", None)),
        ["alice", "bob"]
    );
    assert!(rbac.named_in(&req("get", "secrets", None)).is_empty());
}
