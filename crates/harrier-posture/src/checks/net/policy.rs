//! Which pods the scan's network policies select, and whether they isolate their ingress.
//!
//! Shared by namespace-without-network-policy (`HRR-NET-005`) and workload-without-network-policy
//! (`HRR-NET-009`) so that the two split the unisolated workloads between them without overlap:
//! a namespace to which no policy of the scan applies is reported once, as a namespace, and in a
//! namespace where some policy applies, each workload that no policy isolates is reported on its
//! own.
//!
//! Policy kinds read, and how their selectors are evaluated:
//! - Kubernetes `NetworkPolicy` (`networking.k8s.io`, the removed `extensions` group):
//!   `podSelector` as the API server evaluates it (missing or empty selects every pod of the
//!   namespace); ingress is isolated when `policyTypes` has `Ingress`, or, without `policyTypes`,
//!   always (the API server's default).
//! - Cilium `CiliumNetworkPolicy` (namespaced) and `CiliumClusterwideNetworkPolicy` (every
//!   namespace), one rule in `spec` or several in `specs`: `endpointSelector` with Cilium's label
//!   sources (`k8s:` and `any:` prefixes read as the plain label, the pod's namespace as
//!   `io.kubernetes.pod.namespace` and its service account as
//!   `io.cilium.k8s.policy.serviceaccount`); a rule isolates ingress when it has an `ingress` or
//!   `ingressDeny` section. Rules with a `nodeSelector` select nodes, not pods.
//! - Calico `NetworkPolicy` (`projectcalico.org`, `crd.projectcalico.org`): Calico's selector
//!   language is not evaluated, so such a policy is taken to select every pod of its namespace;
//!   ingress per its `types`, defaulting as Kubernetes does.
//!
//! A policy whose spec does not decode is still a policy of its namespace (it counts for
//! `HRR-NET-005`) but selects nothing.

use std::collections::BTreeMap;

use harrier_core::yaml::Node;
use harrier_core::yaml::de::from_node;
use harrier_k8s::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use harrier_k8s::{Object, ObjectIndex, Workload};

use crate::selector;

/// The label Cilium gives every endpoint for its namespace.
const CILIUM_NAMESPACE_LABEL: &str = "io.kubernetes.pod.namespace";
/// The label Cilium gives every endpoint for its service account.
const CILIUM_SERVICE_ACCOUNT_LABEL: &str = "io.cilium.k8s.policy.serviceaccount";

/// One network policy of the scan.
pub(super) struct Policy<'a> {
    /// The policy object.
    pub(super) object: &'a Object,
    /// Whether it applies in every namespace rather than its own.
    cluster_wide: bool,
    flavor: Flavor,
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Kubernetes,
    Cilium,
    Calico,
}

/// One selection of a policy: which pods, and whether it isolates their ingress.
struct Rule {
    /// `None` selects every pod in the policy's scope.
    selector: Option<LabelSelector>,
    isolates_ingress: bool,
}

/// How the policies of the scan treat one workload's pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Isolation {
    /// A policy isolates their ingress.
    Isolated,
    /// Policies select them, for egress only.
    EgressOnly,
    /// No policy selects them.
    Unselected,
}

impl<'a> Policy<'a> {
    /// Reads `object` if it is a network policy kind.
    fn of(object: &'a Object) -> Option<Policy<'a>> {
        let (flavor, cluster_wide) = match (object.kind(), object.group()) {
            ("NetworkPolicy", "networking.k8s.io" | "extensions") => (Flavor::Kubernetes, false),
            ("NetworkPolicy", "projectcalico.org" | "crd.projectcalico.org") => {
                (Flavor::Calico, false)
            }
            ("CiliumNetworkPolicy", "cilium.io") => (Flavor::Cilium, false),
            ("CiliumClusterwideNetworkPolicy", "cilium.io") => (Flavor::Cilium, true),
            _ => return None,
        };
        let spec = object.node.get("spec").filter(|n| !n.is_null());
        let rules = match flavor {
            Flavor::Kubernetes => spec.and_then(kubernetes_rule).into_iter().collect(),
            Flavor::Calico => vec![calico_rule(spec)],
            Flavor::Cilium => {
                let specs = object.node.get("specs").and_then(Node::as_seq);
                spec.into_iter()
                    .chain(specs.into_iter().flatten())
                    .filter_map(cilium_rule)
                    .collect()
            }
        };
        Some(Policy {
            object,
            cluster_wide,
            flavor,
            rules,
        })
    }

    /// Whether the policy is a namespaced one of `namespace`.
    fn is_in(&self, namespace: Option<&str>) -> bool {
        !self.cluster_wide
            && super::same_namespace(self.object.resource.namespace.as_deref(), namespace)
    }

    /// Whether the policy applies to pods of `namespace` at all.
    fn reaches(&self, namespace: Option<&str>) -> bool {
        self.cluster_wide || self.is_in(namespace)
    }

    /// Whether a rule selects the workload's pods, and if one does, whether one isolates their
    /// ingress.
    fn isolation_of(&self, namespace: Option<&str>, workload: &Workload) -> Isolation {
        if !self.reaches(namespace) {
            return Isolation::Unselected;
        }
        let labels = match self.flavor {
            Flavor::Cilium => cilium_labels(namespace, workload),
            Flavor::Kubernetes | Flavor::Calico => workload.labels().clone(),
        };
        let mut result = Isolation::Unselected;
        for rule in &self.rules {
            let selected = match &rule.selector {
                None => true,
                Some(s) if self.flavor == Flavor::Cilium => {
                    selector::matches(&cilium_selector(s), &labels) == Ok(true)
                }
                Some(s) => selector::matches(s, &labels) == Ok(true),
            };
            if !selected {
                continue;
            }
            if rule.isolates_ingress {
                return Isolation::Isolated;
            }
            result = Isolation::EgressOnly;
        }
        result
    }
}

/// Every network policy of the scan.
pub(super) fn policies(index: &ObjectIndex) -> Vec<Policy<'_>> {
    index.objects().iter().filter_map(Policy::of).collect()
}

/// Whether some policy of the scan applies in `namespace`: a namespaced policy of it, or a
/// cluster-wide policy selecting one of its `workloads`. When none does, `HRR-NET-005` reports the
/// namespace and `HRR-NET-009` stays silent about its workloads.
pub(super) fn namespace_has_policy(
    policies: &[Policy<'_>],
    namespace: Option<&str>,
    workloads: &[&Workload],
) -> bool {
    policies.iter().any(|p| {
        p.is_in(namespace)
            || (p.cluster_wide
                && workloads
                    .iter()
                    .any(|w| p.isolation_of(namespace, w) != Isolation::Unselected))
    })
}

/// How the policies treat the pods of `workload`, in `namespace`, and the policies that select
/// them.
pub(super) fn isolation<'p, 'a>(
    policies: &'p [Policy<'a>],
    namespace: Option<&str>,
    workload: &Workload,
) -> (Isolation, Vec<&'p Policy<'a>>) {
    let mut overall = Isolation::Unselected;
    let mut selecting = Vec::new();
    for policy in policies {
        match policy.isolation_of(namespace, workload) {
            Isolation::Unselected => {}
            Isolation::Isolated => return (Isolation::Isolated, vec![policy]),
            Isolation::EgressOnly => {
                overall = Isolation::EgressOnly;
                selecting.push(policy);
            }
        }
    }
    (overall, selecting)
}

fn kubernetes_rule(spec: &Node) -> Option<Rule> {
    let spec: harrier_k8s::k8s_openapi::api::networking::v1::NetworkPolicySpec =
        from_node(spec).ok()?;
    let isolates_ingress = match spec.policy_types.as_deref() {
        Some(types) if !types.is_empty() => types.iter().any(|t| t == "Ingress"),
        _ => true,
    };
    Some(Rule {
        selector: Some(spec.pod_selector.unwrap_or_default()),
        isolates_ingress,
    })
}

fn calico_rule(spec: Option<&Node>) -> Rule {
    let types: Vec<&str> = spec
        .and_then(|s| s.get("types"))
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    Rule {
        selector: None,
        isolates_ingress: types.is_empty() || types.contains(&"Ingress"),
    }
}

fn cilium_rule(spec: &Node) -> Option<Rule> {
    let selector: LabelSelector = match spec.get("endpointSelector") {
        Some(node) if !node.is_null() => from_node(node).ok()?,
        // A rule without an endpoint selector selects nodes (`nodeSelector`) or nothing.
        _ => return None,
    };
    let has = |key: &str| spec.get(key).is_some_and(|n| !n.is_null());
    Some(Rule {
        selector: Some(selector),
        isolates_ingress: has("ingress") || has("ingressDeny"),
    })
}

/// The labels Cilium sees on the workload's pods: the template's, plus its namespace and
/// service account. Objects without `metadata.namespace` are read as being in `default`.
fn cilium_labels(namespace: Option<&str>, workload: &Workload) -> BTreeMap<String, String> {
    let mut labels = workload.labels().clone();
    labels.insert(
        CILIUM_NAMESPACE_LABEL.to_owned(),
        namespace.unwrap_or("default").to_owned(),
    );
    let account = crate::checks::pod::service_account_name(&workload.spec);
    labels.insert(CILIUM_SERVICE_ACCOUNT_LABEL.to_owned(), account.to_owned());
    labels
}

/// A Cilium selector with its keys as plain Kubernetes labels: the `k8s:` and `any:` sources
/// name the pod's own labels; other sources (`reserved:`, `cidr:`…) never match one, and keep
/// their prefix so that they do not.
fn cilium_selector(selector: &LabelSelector) -> LabelSelector {
    let plain = |key: &str| -> String {
        match key.split_once(':') {
            Some(("k8s" | "any", rest)) => rest.to_owned(),
            _ => key.to_owned(),
        }
    };
    LabelSelector {
        match_labels: selector
            .match_labels
            .as_ref()
            .map(|m| m.iter().map(|(k, v)| (plain(k), v.clone())).collect()),
        match_expressions: selector.match_expressions.as_ref().map(|list| {
            list.iter()
                .map(|r| {
                    let mut r = r.clone();
                    r.key = plain(&r.key);
                    r
                })
                .collect()
        }),
    }
}

#[cfg(test)]
mod tests {
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
        use super::super::same_namespace;
        assert!(same_namespace(None, None));
        assert!(same_namespace(None, Some("default")));
        assert!(same_namespace(Some("default"), None));
        assert!(same_namespace(Some("shop"), Some("shop")));
        assert!(!same_namespace(None, Some("shop")));
        assert!(!same_namespace(Some("default"), Some("shop")));
    }
}
