//! Network policy coverage: which pods the scan's network policies select, whether they isolate
//! their ingress and egress, which namespaces have a default-deny policy, and which policy rules
//! allow everything.
//!
//! [`analyse`] answers for `harrier network policies`; the checks namespace-without-network-policy
//! (`HRR-NET-005`) and workload-without-network-policy (`HRR-NET-009`) use [`policies`],
//! [`namespace_has_policy`] and [`isolation`] so that the two split the workloads without
//! ingress isolation between them without overlap: a namespace to which no policy of the scan
//! applies is reported once, as a namespace, and in a namespace where some policy applies, each
//! workload that no policy isolates is reported on its own.
//!
//! Policy kinds read, and how their selectors are evaluated:
//! - Kubernetes `NetworkPolicy` (`networking.k8s.io`, the removed `extensions` group):
//!   `podSelector` as the API server evaluates it (missing or empty selects every pod of the
//!   namespace); ingress is isolated when `policyTypes` has `Ingress`, or, without
//!   `policyTypes`, always; egress when `policyTypes` has `Egress`, or, without `policyTypes`,
//!   when the policy has `egress` rules (the API server's defaults).
//! - Cilium `CiliumNetworkPolicy` (namespaced) and `CiliumClusterwideNetworkPolicy` (every
//!   namespace), one rule in `spec` or several in `specs`: `endpointSelector` with Cilium's label
//!   sources (`k8s:` and `any:` prefixes read as the plain label, the pod's namespace as
//!   `io.kubernetes.pod.namespace` and its service account as
//!   `io.cilium.k8s.policy.serviceaccount`); a rule isolates ingress when it has an `ingress` or
//!   `ingressDeny` section, egress when it has `egress` or `egressDeny`. Rules with a
//!   `nodeSelector` select nodes, not pods.
//! - Calico `NetworkPolicy` (`projectcalico.org`, `crd.projectcalico.org`): Calico's selector
//!   language is not evaluated, so such a policy is taken to select every pod of its namespace;
//!   directions per its `types`, defaulting as Calico does (ingress, and egress when it has
//!   egress rules).
//!
//! A namespace has a default-deny policy for a direction when a policy selects every pod of it
//! (`podSelector: {}`, a Cilium `endpointSelector: {}`, a Calico policy without selector or with
//! `all()`), isolates that direction, and allows nothing in it (no rules, or only Cilium's empty
//! rule `{}`). A rule allows all when it names no peer (`from`/`to` missing or empty), an empty
//! peer `{}`, an `ipBlock` of `0.0.0.0/0` or `::/0`, Cilium's `world` or `all` entities or a `/0`
//! CIDR, or, for Calico, an `Allow` rule without `source` (ingress) or `destination` (egress).
//!
//! A policy whose spec does not decode is still a policy of its namespace (it counts for
//! `HRR-NET-005`) but selects nothing, and [`analyse`] reports it as a [`Problem`].

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use harrier_core::yaml::Node;
use harrier_core::yaml::de::from_node;
use harrier_core::{FieldPath, Location};
use harrier_k8s::k8s_openapi::api::networking::v1::{
    NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec,
};
use harrier_k8s::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use harrier_k8s::k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use harrier_k8s::{Object, ObjectIndex, Workload};
use serde::Serialize;

pub use crate::exposure::ObjectRef;
use crate::identity::namespace_of;
pub use crate::rbac::Problem;
use crate::selector;

/// The label Cilium gives every endpoint for its namespace.
const CILIUM_NAMESPACE_LABEL: &str = "io.kubernetes.pod.namespace";
/// The label Cilium gives every endpoint for its service account.
const CILIUM_SERVICE_ACCOUNT_LABEL: &str = "io.cilium.k8s.policy.serviceaccount";

/// One network policy of the scan.
pub(crate) struct Policy<'a> {
    /// The policy object.
    pub(crate) object: &'a Object,
    /// Its index in the scan.
    index: usize,
    /// Whether it applies in every namespace rather than its own.
    cluster_wide: bool,
    flavor: Flavor,
    rules: Vec<Rule>,
    /// Why the spec could not be read, when it could not.
    problem: Option<Problem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    Kubernetes,
    Cilium,
    Calico,
}

/// One selection of a policy: which pods, and what it does to them.
struct Rule {
    /// `None` selects every pod in the policy's scope.
    selector: Option<LabelSelector>,
    isolates_ingress: bool,
    isolates_egress: bool,
    /// It selects every pod of its scope and denies this direction entirely.
    denies_ingress: bool,
    denies_egress: bool,
    allow_all: Vec<Allow>,
}

/// A rule that allows everything, before it is tied to its policy.
struct Allow {
    direction: Direction,
    field: FieldPath,
    peer: String,
    ports: Option<String>,
}

/// How the policies of the scan treat one workload's pods' ingress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isolation {
    /// A policy isolates their ingress.
    Isolated,
    /// Policies select them, for egress only.
    EgressOnly,
    /// No policy selects them.
    Unselected,
}

/// Traffic direction of a policy rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Connections to the pods.
    Ingress,
    /// Connections from the pods.
    Egress,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        })
    }
}

impl<'a> Policy<'a> {
    /// Reads `object` if it is a network policy kind.
    fn of(index: usize, object: &'a Object) -> Option<Policy<'a>> {
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
        let mut problem = None;
        let rules = match flavor {
            Flavor::Kubernetes => match spec.map(kubernetes_rule) {
                None => Vec::new(),
                Some(Ok(rule)) => vec![rule],
                Some(Err(e)) => {
                    problem = Some(Problem {
                        location: Location::new(
                            object.path.clone(),
                            e.pos.unwrap_or(object.node.pos),
                        ),
                        message: format!(
                            "{} `{}`: `spec` does not decode ({}); it selects nothing here",
                            object.kind(),
                            object.resource.name.as_deref().unwrap_or("<unnamed>"),
                            e.message
                        ),
                    });
                    Vec::new()
                }
            },
            Flavor::Calico => vec![calico_rule(spec)],
            Flavor::Cilium => {
                let specs = object.node.get("specs").and_then(Node::as_seq);
                let root = FieldPath::root();
                spec.map(|s| (s, root.key("spec")))
                    .into_iter()
                    .chain(
                        specs
                            .into_iter()
                            .flatten()
                            .enumerate()
                            .map(|(i, s)| (s, root.key("specs").index(i))),
                    )
                    .filter_map(|(s, at)| cilium_rule(s, at))
                    .collect()
            }
        };
        Some(Policy {
            object,
            index,
            cluster_wide,
            flavor,
            rules,
            problem,
        })
    }

    /// Whether the policy is a namespaced one of `namespace`.
    fn is_in(&self, namespace: Option<&str>) -> bool {
        !self.cluster_wide
            && crate::checks::net::same_namespace(
                self.object.resource.namespace.as_deref(),
                namespace,
            )
    }

    /// Whether the policy applies to pods of `namespace` at all.
    fn reaches(&self, namespace: Option<&str>) -> bool {
        self.cluster_wide || self.is_in(namespace)
    }

    /// The rules that select the workload's pods.
    fn selecting(&self, namespace: Option<&str>, workload: &Workload) -> Vec<&Rule> {
        if !self.reaches(namespace) {
            return Vec::new();
        }
        let labels = match self.flavor {
            Flavor::Cilium => cilium_labels(namespace, workload),
            Flavor::Kubernetes | Flavor::Calico => workload.labels().clone(),
        };
        self.rules
            .iter()
            .filter(|rule| match &rule.selector {
                None => true,
                Some(s) if self.flavor == Flavor::Cilium => {
                    selector::matches(&cilium_selector(s), &labels) == Ok(true)
                }
                Some(s) => selector::matches(s, &labels) == Ok(true),
            })
            .collect()
    }

    /// Whether a rule selects the workload's pods, and if one does, whether one isolates their
    /// ingress.
    fn isolation_of(&self, namespace: Option<&str>, workload: &Workload) -> Isolation {
        let rules = self.selecting(namespace, workload);
        if rules.iter().any(|r| r.isolates_ingress) {
            Isolation::Isolated
        } else if rules.is_empty() {
            Isolation::Unselected
        } else {
            Isolation::EgressOnly
        }
    }
}

/// Every network policy of the scan.
pub(crate) fn policies(index: &ObjectIndex) -> Vec<Policy<'_>> {
    index
        .objects()
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Policy::of(i, o))
        .collect()
}

/// Whether some policy of the scan applies in `namespace`: a namespaced policy of it, or a
/// cluster-wide policy selecting one of its `workloads`. When none does, `HRR-NET-005` reports the
/// namespace and `HRR-NET-009` stays silent about its workloads.
pub(crate) fn namespace_has_policy(
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
pub(crate) fn isolation<'p, 'a>(
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

/// Network policy coverage of a scan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Every workload, in input order, with how the policies treat its pods.
    pub workloads: Vec<WorkloadCoverage>,
    /// Every namespace that has workloads or policies, by name, with its default-deny policies.
    pub namespaces: Vec<NamespaceCoverage>,
    /// Policy rules that allow all sources (ingress) or destinations (egress), in input order.
    #[serde(rename = "allowAll")]
    pub allow_all: Vec<AllowAll>,
    /// Policies that could not be read.
    pub problems: Vec<Problem>,
}

/// How the scan's policies treat one workload's pods.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadCoverage {
    /// Index of the workload's object in [`ObjectIndex::objects`].
    #[serde(skip)]
    pub object: usize,
    /// The workload's object.
    #[serde(flatten)]
    pub resource: ObjectRef,
    /// Where it starts.
    pub location: Location,
    /// Whether a policy isolates its ingress (only allowed connections reach it).
    #[serde(rename = "ingressIsolated")]
    pub ingress_isolated: bool,
    /// Whether a policy isolates its egress.
    #[serde(rename = "egressIsolated")]
    pub egress_isolated: bool,
    /// Its pods use the node's network namespace, where network policies do not apply; both
    /// directions are then reported unisolated.
    #[serde(rename = "hostNetwork")]
    pub host_network: bool,
    /// The policies that select its pods, in input order.
    pub policies: Vec<PolicyRef>,
}

impl WorkloadCoverage {
    /// Whether no policy selects its pods at all.
    pub fn is_unselected(&self) -> bool {
        self.policies.is_empty()
    }
}

/// A policy, as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyRef {
    /// Index of the policy's object in [`ObjectIndex::objects`].
    #[serde(skip)]
    pub object: usize,
    /// The policy.
    #[serde(flatten)]
    pub resource: ObjectRef,
    /// Where it starts.
    pub location: Location,
}

impl PolicyRef {
    fn of(policy: &Policy<'_>) -> PolicyRef {
        PolicyRef {
            object: policy.index,
            resource: ObjectRef::of(policy.object),
            location: policy.object.location(),
        }
    }
}

/// One namespace's policies.
#[derive(Debug, Clone, Serialize)]
pub struct NamespaceCoverage {
    /// The namespace (`default` for objects without one).
    pub namespace: String,
    /// How many workloads of the scan are in it.
    pub workloads: usize,
    /// How many policies apply in it (its own and cluster-wide ones).
    pub policies: usize,
    /// The first policy that denies all ingress of its pods, if one does.
    #[serde(rename = "defaultDenyIngress")]
    pub default_deny_ingress: Option<PolicyRef>,
    /// The first policy that denies all egress of its pods, if one does.
    #[serde(rename = "defaultDenyEgress")]
    pub default_deny_egress: Option<PolicyRef>,
}

/// A policy rule that allows every source or destination.
#[derive(Debug, Clone, Serialize)]
pub struct AllowAll {
    /// The policy.
    pub policy: PolicyRef,
    /// Which direction the rule allows.
    pub direction: Direction,
    /// The rule or peer, as a path (`spec.ingress[0].from[1]`).
    pub field: String,
    /// Where it is.
    pub location: Location,
    /// What it admits: "every source (no `from`)", "`ipBlock` 0.0.0.0/0".
    pub peer: String,
    /// The ports it is limited to, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<String>,
}

/// The coverage of every workload and namespace of the scan.
pub fn analyse(index: &ObjectIndex) -> Coverage {
    let policies = policies(index);
    let mut coverage = Coverage::default();
    let mut namespaces: BTreeMap<String, NamespaceCoverage> = BTreeMap::new();
    let entry = |namespaces: &mut BTreeMap<String, NamespaceCoverage>, ns: &str| {
        if !namespaces.contains_key(ns) {
            namespaces.insert(
                ns.to_owned(),
                NamespaceCoverage {
                    namespace: ns.to_owned(),
                    workloads: 0,
                    policies: 0,
                    default_deny_ingress: None,
                    default_deny_egress: None,
                },
            );
        }
    };
    for workload in index.workloads() {
        let object = index.object_of(workload);
        let namespace = object.resource.namespace.as_deref();
        entry(&mut namespaces, namespace_of(object));
        if let Some(ns) = namespaces.get_mut(namespace_of(object)) {
            ns.workloads += 1;
        }
        let host_network = workload.spec.host_network == Some(true);
        let mut ingress = false;
        let mut egress = false;
        let mut selecting = Vec::new();
        for policy in &policies {
            let rules = policy.selecting(namespace, workload);
            if rules.is_empty() {
                continue;
            }
            ingress |= rules.iter().any(|r| r.isolates_ingress);
            egress |= rules.iter().any(|r| r.isolates_egress);
            selecting.push(PolicyRef::of(policy));
        }
        coverage.workloads.push(WorkloadCoverage {
            object: workload.object,
            resource: ObjectRef::of(object),
            location: object.location(),
            ingress_isolated: ingress && !host_network,
            egress_isolated: egress && !host_network,
            host_network,
            policies: selecting,
        });
    }
    for policy in &policies {
        if let Some(problem) = &policy.problem {
            coverage.problems.push(problem.clone());
        }
        if !policy.cluster_wide {
            entry(&mut namespaces, namespace_of(policy.object));
        }
    }
    for ns in namespaces.values_mut() {
        let name = Some(ns.namespace.as_str());
        for policy in policies.iter().filter(|p| p.reaches(name)) {
            ns.policies += 1;
            let rules = || policy.rules.iter();
            if ns.default_deny_ingress.is_none() && rules().any(|r| r.denies_ingress) {
                ns.default_deny_ingress = Some(PolicyRef::of(policy));
            }
            if ns.default_deny_egress.is_none() && rules().any(|r| r.denies_egress) {
                ns.default_deny_egress = Some(PolicyRef::of(policy));
            }
        }
    }
    coverage.namespaces = namespaces.into_values().collect();
    for policy in &policies {
        for rule in &policy.rules {
            for allow in &rule.allow_all {
                coverage.allow_all.push(AllowAll {
                    policy: PolicyRef::of(policy),
                    direction: allow.direction,
                    field: allow.field.to_string(),
                    location: policy.object.locate(&allow.field),
                    peer: allow.peer.clone(),
                    ports: allow.ports.clone(),
                });
            }
        }
    }
    coverage
}

fn kubernetes_rule(spec: &Node) -> Result<Rule, harrier_core::yaml::de::DeError> {
    let spec: NetworkPolicySpec = from_node(spec)?;
    let types = spec.policy_types.as_deref().filter(|t| !t.is_empty());
    let ingress_rules = spec.ingress.as_deref().unwrap_or_default();
    let egress_rules = spec.egress.as_deref().unwrap_or_default();
    let isolates_ingress = types.is_none_or(|t| t.iter().any(|t| t == "Ingress"));
    let isolates_egress = match types {
        Some(t) => t.iter().any(|t| t == "Egress"),
        None => !egress_rules.is_empty(),
    };
    let selector = spec.pod_selector.unwrap_or_default();
    let all_pods = selector::is_empty(&selector);
    let mut allow_all = Vec::new();
    let root = FieldPath::root().key("spec");
    // Rules of a direction the policy does not isolate are ignored by the API server.
    if isolates_ingress {
        for (i, rule) in ingress_rules.iter().enumerate() {
            let at = root.key("ingress").index(i);
            allow_all.extend(open_peers(
                Direction::Ingress,
                rule.from.as_deref(),
                rule.ports.as_deref(),
                at,
                "from",
            ));
        }
    }
    if isolates_egress {
        for (i, rule) in egress_rules.iter().enumerate() {
            let at = root.key("egress").index(i);
            allow_all.extend(open_peers(
                Direction::Egress,
                rule.to.as_deref(),
                rule.ports.as_deref(),
                at,
                "to",
            ));
        }
    }
    Ok(Rule {
        selector: Some(selector),
        isolates_ingress,
        isolates_egress,
        denies_ingress: all_pods && isolates_ingress && ingress_rules.is_empty(),
        denies_egress: all_pods && isolates_egress && egress_rules.is_empty(),
        allow_all,
    })
}

/// The peers of one Kubernetes rule that admit everything: no peers at all, an empty peer, or
/// an `ipBlock` covering every address.
fn open_peers(
    direction: Direction,
    peers: Option<&[NetworkPolicyPeer]>,
    ports: Option<&[NetworkPolicyPort]>,
    at: FieldPath,
    key: &'static str,
) -> Vec<Allow> {
    let ports = render_ports(ports.unwrap_or_default());
    let everyone = match direction {
        Direction::Ingress => "every source",
        Direction::Egress => "every destination",
    };
    let peers = peers.unwrap_or_default();
    if peers.is_empty() {
        return vec![Allow {
            direction,
            field: at,
            peer: format!("{everyone} (no `{key}`)"),
            ports,
        }];
    }
    let mut found = Vec::new();
    for (j, peer) in peers.iter().enumerate() {
        let field = at.key(key).index(j);
        let empty = peer.pod_selector.is_none()
            && peer.namespace_selector.is_none()
            && peer.ip_block.is_none();
        if empty {
            found.push(Allow {
                direction,
                field,
                peer: format!("{everyone} (an empty peer `{{}}`)"),
                ports: ports.clone(),
            });
        } else if let Some(block) = peer.ip_block.as_ref().filter(|b| is_every_address(&b.cidr)) {
            let except = block
                .except
                .as_deref()
                .filter(|e| !e.is_empty())
                .map(|e| format!(" except {}", e.join(", ")))
                .unwrap_or_default();
            found.push(Allow {
                direction,
                field: field.key("ipBlock"),
                peer: format!("`ipBlock` {}{except}", block.cidr),
                ports: ports.clone(),
            });
        }
    }
    found
}

/// Whether a CIDR is every address of its family.
fn is_every_address(cidr: &str) -> bool {
    cidr.split_once('/')
        .is_some_and(|(_, prefix)| prefix.trim() == "0")
}

/// "80/TCP, 53/UDP", or `None` for every port.
fn render_ports(ports: &[NetworkPolicyPort]) -> Option<String> {
    if ports.is_empty() {
        return None;
    }
    Some(
        ports
            .iter()
            .map(|p| {
                let protocol = p.protocol.as_deref().unwrap_or("TCP");
                let port = match &p.port {
                    None => "every port".to_owned(),
                    Some(IntOrString::Int(n)) => match p.end_port {
                        Some(end) => format!("{n}-{end}"),
                        None => n.to_string(),
                    },
                    Some(IntOrString::String(name)) => name.clone(),
                };
                format!("{port}/{protocol}")
            })
            .collect::<Vec<_>>()
            .join(", "),
    )
}

fn calico_rule(spec: Option<&Node>) -> Rule {
    let list = |key: &str| {
        spec.and_then(|s| s.get(key))
            .and_then(Node::as_seq)
            .unwrap_or_default()
    };
    let types: Vec<&str> = list("types").iter().filter_map(Node::as_str).collect();
    let ingress = list("ingress");
    let egress = list("egress");
    let isolates_ingress = types.is_empty() || types.contains(&"Ingress");
    let isolates_egress = if types.is_empty() {
        !egress.is_empty()
    } else {
        types.contains(&"Egress")
    };
    let all_pods = spec
        .and_then(|s| s.get("selector"))
        .and_then(Node::as_str)
        .is_none_or(|s| matches!(s.trim(), "" | "all()"));
    let root = FieldPath::root().key("spec");
    let mut allow_all = Vec::new();
    for (direction, rules, key, side, isolates) in [
        (
            Direction::Ingress,
            ingress,
            "ingress",
            "source",
            isolates_ingress,
        ),
        (
            Direction::Egress,
            egress,
            "egress",
            "destination",
            isolates_egress,
        ),
    ] {
        if !isolates {
            continue;
        }
        for (i, rule) in rules.iter().enumerate() {
            let allow = rule.get("action").and_then(Node::as_str) == Some("Allow");
            let constrained = rule
                .get(side)
                .and_then(Node::as_map)
                .is_some_and(|m| !m.is_empty());
            if allow && !constrained {
                allow_all.push(Allow {
                    direction,
                    field: root.key(key).index(i),
                    peer: format!("every {side} (an `Allow` rule without `{side}`)"),
                    ports: None,
                });
            }
        }
    }
    Rule {
        selector: None,
        isolates_ingress,
        isolates_egress,
        denies_ingress: all_pods && isolates_ingress && ingress.is_empty(),
        denies_egress: all_pods && isolates_egress && egress.is_empty(),
        allow_all,
    }
}

fn cilium_rule(spec: &Node, at: FieldPath) -> Option<Rule> {
    let selector: LabelSelector = match spec.get("endpointSelector") {
        Some(node) if !node.is_null() => from_node(node).ok()?,
        // A rule without an endpoint selector selects nodes (`nodeSelector`) or nothing.
        _ => return None,
    };
    let has = |key: &str| spec.get(key).is_some_and(|n| !n.is_null());
    let list = |key: &str| spec.get(key).and_then(Node::as_seq).unwrap_or_default();
    // Cilium's empty rule `{}` allows nothing: a section of only such rules denies everything.
    let denies = |allow: &str, deny: &str| {
        has(allow)
            && list(allow)
                .iter()
                .all(|r| r.as_map().is_none_or(|m| m.is_empty()))
            || has(deny)
                && list(deny)
                    .iter()
                    .any(|r| r.as_map().is_some_and(|m| m.is_empty()))
    };
    let all_pods = selector::is_empty(&selector);
    let mut allow_all = Vec::new();
    for (direction, key, entities, cidr, cidr_set) in [
        (
            Direction::Ingress,
            "ingress",
            "fromEntities",
            "fromCIDR",
            "fromCIDRSet",
        ),
        (
            Direction::Egress,
            "egress",
            "toEntities",
            "toCIDR",
            "toCIDRSet",
        ),
    ] {
        for (i, rule) in list(key).iter().enumerate() {
            let field = at.key(key).index(i);
            let texts = |k: &str| -> Vec<&str> {
                rule.get(k)
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::as_str)
                    .collect()
            };
            if let Some(entity) = texts(entities)
                .into_iter()
                .find(|e| matches!(*e, "all" | "world"))
            {
                allow_all.push(Allow {
                    direction,
                    field: field.key(entities),
                    peer: format!("entity `{entity}`"),
                    ports: None,
                });
            }
            let sets: Vec<&str> = rule
                .get(cidr_set)
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s.get("cidr").and_then(Node::as_str))
                .collect();
            if let Some(open) = texts(cidr)
                .into_iter()
                .chain(sets)
                .find(|c| is_every_address(c))
            {
                allow_all.push(Allow {
                    direction,
                    field: field.clone(),
                    peer: format!("CIDR {open}"),
                    ports: None,
                });
            }
        }
    }
    Some(Rule {
        selector: Some(selector),
        isolates_ingress: has("ingress") || has("ingressDeny"),
        isolates_egress: has("egress") || has("egressDeny"),
        denies_ingress: all_pods && denies("ingress", "ingressDeny"),
        denies_egress: all_pods && denies("egress", "egressDeny"),
        allow_all,
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

/// The namespaces in `coverage` without a default-deny policy for `direction`.
pub fn without_default_deny(coverage: &Coverage, direction: Direction) -> BTreeSet<&str> {
    coverage
        .namespaces
        .iter()
        .filter(|n| match direction {
            Direction::Ingress => n.default_deny_ingress.is_none(),
            Direction::Egress => n.default_deny_egress.is_none(),
        })
        .map(|n| n.namespace.as_str())
        .collect()
}
