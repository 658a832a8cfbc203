//! Selection, isolation, default-deny and allow-all rules, one case each.

use std::sync::Arc;

use harrier_k8s::load_text;

use super::*;

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn cilium_label_sources() {
    let selector = LabelSelector {
        match_labels: Some(labels(&[
            ("k8s:app", "web"),
            ("any:tier", "front"),
            ("k8s:io.kubernetes.pod.namespace", "shop"),
        ])),
        ..LabelSelector::default()
    };
    let plain = cilium_selector(&selector);
    let pod = labels(&[
        ("app", "web"),
        ("tier", "front"),
        (CILIUM_NAMESPACE_LABEL, "shop"),
    ]);
    assert_eq!(selector::matches(&plain, &pod), Ok(true));
    let reserved = LabelSelector {
        match_labels: Some(labels(&[("reserved:host", "")])),
        ..LabelSelector::default()
    };
    let pod = labels(&[("host", "")]);
    assert_eq!(
        selector::matches(&cilium_selector(&reserved), &pod),
        Ok(false)
    );
}

#[test]
fn unset_namespace_meets_default() {
    use crate::checks::net::same_namespace;
    assert!(same_namespace(None, None));
    assert!(same_namespace(None, Some("default")));
    assert!(same_namespace(Some("default"), None));
    assert!(same_namespace(Some("shop"), Some("shop")));
    assert!(!same_namespace(None, Some("shop")));
    assert!(!same_namespace(Some("default"), Some("shop")));
}

fn coverage(yaml: &str) -> Coverage {
    let loaded = load_text(Arc::from("test.yaml"), yaml);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let (index, _) = ObjectIndex::build(loaded.objects);
    analyse(&index)
}

const PODS: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: node-agent, namespace: shop, labels: {app: web}}
spec: {hostNetwork: true, containers: [{name: c, image: x}]}
"#;

/// `(name, ingress isolated, egress isolated, selecting policies)`.
fn isolation_of(c: &Coverage) -> Vec<(&str, bool, bool, usize)> {
    c.workloads
        .iter()
        .map(|w| {
            (
                w.resource.name.as_str(),
                w.ingress_isolated,
                w.egress_isolated,
                w.policies.len(),
            )
        })
        .collect()
}

#[test]
fn policy_types_default_from_the_rules() {
    let c = coverage(&format!(
        r#"{PODS}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: web-in, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  ingress: [{{from: [{{podSelector: {{matchLabels: {{app: lb}}}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: db-both, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: db}}}}
  egress: [{{to: [{{podSelector: {{matchLabels: {{app: web}}}}}}]}}]
"#
    ));
    assert_eq!(
        isolation_of(&c),
        [
            ("web", true, false, 1),
            ("db", true, true, 1),
            // Policies do not apply in the node's network namespace.
            ("node-agent", false, false, 1),
        ]
    );
    assert!(c.workloads[2].host_network);
    assert!(c.allow_all.is_empty());
    assert!(c.problems.is_empty());
    assert_eq!(c.namespaces.len(), 1);
    assert_eq!(c.namespaces[0].workloads, 3);
    assert_eq!(c.namespaces[0].policies, 2);
    assert!(c.namespaces[0].default_deny_ingress.is_none());
}

#[test]
fn egress_only_policy_leaves_ingress_open_and_unselected_pods_are_reported() {
    let c = coverage(&format!(
        r#"{PODS}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: web-out, namespace: shop}}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  policyTypes: [Egress]
  ingress: [{{}}]
  egress: [{{to: [{{ipBlock: {{cidr: 10.0.0.0/8}}}}]}}]
"#
    ));
    assert_eq!(
        isolation_of(&c),
        [
            ("web", false, true, 1),
            ("db", false, false, 0),
            ("node-agent", false, false, 1),
        ]
    );
    assert!(c.workloads[1].is_unselected());
    // The ingress rule `{}` is ignored: the policy does not isolate ingress.
    assert!(c.allow_all.is_empty(), "{:?}", c.allow_all);
}

#[test]
fn default_deny_per_direction() {
    let c = coverage(&format!(
        r#"{PODS}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: deny-in, namespace: shop}}
spec: {{podSelector: {{}}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: deny-out, namespace: shop}}
spec: {{podSelector: {{}}, policyTypes: [Egress]}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: not-deny, namespace: other}}
spec: {{podSelector: {{}}, policyTypes: [Ingress, Egress], egress: [{{to: [{{namespaceSelector: {{}}}}]}}]}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: narrow, namespace: third}}
spec: {{podSelector: {{matchLabels: {{app: x}}}}, policyTypes: [Ingress, Egress]}}
"#
    ));
    let deny: Vec<(&str, Option<&str>, Option<&str>)> = c
        .namespaces
        .iter()
        .map(|n| {
            (
                n.namespace.as_str(),
                n.default_deny_ingress
                    .as_ref()
                    .map(|p| p.resource.name.as_str()),
                n.default_deny_egress
                    .as_ref()
                    .map(|p| p.resource.name.as_str()),
            )
        })
        .collect();
    assert_eq!(
        deny,
        [
            // `not-deny` isolates both directions but allows egress to every pod.
            ("other", Some("not-deny"), None),
            ("shop", Some("deny-in"), Some("deny-out")),
            ("third", None, None),
        ]
    );
    assert_eq!(
        without_default_deny(&c, Direction::Egress),
        BTreeSet::from(["other", "third"])
    );
    // Every pod of `shop` is isolated both ways (but the hostNetwork one).
    assert_eq!(
        isolation_of(&c),
        [
            ("web", true, true, 2),
            ("db", true, true, 2),
            ("node-agent", false, false, 2),
        ]
    );
}

#[test]
fn allow_all_rules_name_the_rule_and_its_line() {
    let c = coverage(
        r#"apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress:
  - ports: [{port: 80}, {port: 53, protocol: UDP}]
  - from:
    - podSelector: {matchLabels: {app: a}}
    - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
  - from:
    - namespaceSelector: {}
  egress:
  - {}
  - to: [{ipBlock: {cidr: "::/0"}}]
"#,
    );
    let found: Vec<(Direction, &str, u32, &str, Option<&str>)> = c
        .allow_all
        .iter()
        .map(|a| {
            (
                a.direction,
                a.field.as_str(),
                a.location.line,
                a.peer.as_str(),
                a.ports.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                Direction::Ingress,
                "spec.ingress[0]",
                8,
                "every source (no `from`)",
                Some("80/TCP, 53/UDP")
            ),
            (
                Direction::Ingress,
                "spec.ingress[1].from[1].ipBlock",
                11,
                "`ipBlock` 0.0.0.0/0 except 10.0.0.0/8",
                None
            ),
            (
                Direction::Egress,
                "spec.egress[0]",
                15,
                "every destination (no `to`)",
                None
            ),
            (
                Direction::Egress,
                "spec.egress[1].to[0].ipBlock",
                16,
                "`ipBlock` ::/0",
                None
            ),
        ]
    );
}

#[test]
fn cilium_and_calico_default_deny_and_allow_all() {
    let c = coverage(&format!(
        r#"{PODS}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {{name: deny-ingress}}
spec:
  endpointSelector: {{}}
  ingress: [{{}}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {{name: world, namespace: shop}}
spec:
  endpointSelector: {{matchLabels: {{"k8s:app": web}}}}
  egress: [{{toEntities: [world]}}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {{name: deny-egress, namespace: calico}}
spec: {{selector: all(), types: [Egress]}}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {{name: allow-in, namespace: calico}}
spec:
  selector: role == 'db'
  types: [Ingress]
  ingress: [{{action: Allow, protocol: TCP}}]
"#
    ));
    let deny: Vec<(&str, Option<&str>, Option<&str>)> = c
        .namespaces
        .iter()
        .map(|n| {
            (
                n.namespace.as_str(),
                n.default_deny_ingress
                    .as_ref()
                    .map(|p| p.resource.name.as_str()),
                n.default_deny_egress
                    .as_ref()
                    .map(|p| p.resource.name.as_str()),
            )
        })
        .collect();
    assert_eq!(
        deny,
        [
            ("calico", Some("deny-ingress"), Some("deny-egress")),
            ("shop", Some("deny-ingress"), None),
        ]
    );
    assert_eq!(
        isolation_of(&c),
        [
            ("web", true, true, 2),
            ("db", true, false, 1),
            ("node-agent", false, false, 2),
        ]
    );
    let found: Vec<(&str, Direction, &str, &str)> = c
        .allow_all
        .iter()
        .map(|a| {
            (
                a.policy.resource.name.as_str(),
                a.direction,
                a.field.as_str(),
                a.peer.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "world",
                Direction::Egress,
                "spec.egress[0].toEntities",
                "entity `world`"
            ),
            (
                "allow-in",
                Direction::Ingress,
                "spec.ingress[0]",
                "every source (an `Allow` rule without `source`)"
            ),
        ]
    );
}

#[test]
fn undecodable_policy_is_a_problem_and_selects_nothing() {
    let c = coverage(&format!(
        r#"{PODS}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: broken, namespace: shop}}
spec:
  podSelector: {{}}
  policyTypes: Ingress
"#
    ));
    assert_eq!(c.problems.len(), 1);
    assert_eq!(c.problems[0].location.line, 23);
    assert!(c.problems[0].message.contains("NetworkPolicy `broken`"));
    assert!(c.workloads.iter().all(|w| w.policies.is_empty()));
    // Still a policy of its namespace.
    assert_eq!(c.namespaces[0].policies, 1);
}
