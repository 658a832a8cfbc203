use std::collections::BTreeMap;

use harrier_core::yaml::Node;
use harrier_core::yaml::de::from_node;
use harrier_k8s::k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::{autoscaler_of, namespace_of, replicas};
use crate::checks::prelude::*;
use crate::selector;

pub static CHECK: Check = Check {
    meta: CheckMeta {
        id: CheckId::from_static("HRR-POD-047"),
        slug: "pdb-blocks-eviction",
        title: "PodDisruptionBudget allows no voluntary eviction",
        severity: Severity::Low,
        status: SINCE_0_1,
        references: &[
            Cwe(400),
            Url("https://kubernetes.io/docs/tasks/run-application/configure-pdb/"),
        ],
        remediation: "Let at least one pod go at a time: set `maxUnavailable: 1` (or a percentage above 0), or a \
                      `minAvailable` below the workload's replica count (its autoscaler's `minReplicas` when it \
                      has one), and run enough replicas for that.",
        docs: include_str!("pdb_blocks_eviction.md"),
    },
    run: Run::Object {
        kinds: &["PodDisruptionBudget"],
        check,
    },
};

/// A PDB bound: a number of pods, or a percentage of the workload's pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Amount {
    Pods(i64),
    Percent(i64),
}

impl Amount {
    /// Reads an `IntOrString` field. A string of digits is a number, as kube-linter and the
    /// eviction code's `GetScaledValueFromIntOrPercent` read it.
    fn of(node: &Node) -> Option<Amount> {
        if let Some(n) = node.as_i64() {
            return Some(Amount::Pods(n));
        }
        let text = node.as_str()?.trim();
        match text.strip_suffix('%') {
            Some(p) => p.trim().parse().ok().map(Amount::Percent),
            None => text.parse().ok().map(Amount::Pods),
        }
    }

    /// The number of pods, for a workload of `replicas`: percentages round up, as the
    /// disruption controller rounds them.
    fn of_replicas(self, replicas: i64) -> i64 {
        match self {
            Amount::Pods(n) => n,
            Amount::Percent(p) => replicas
                .saturating_mul(p)
                .saturating_add(99)
                .div_euclid(100),
        }
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Amount::Pods(n) => write!(f, "{n}"),
            Amount::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// Controllers whose replica count a budget can be compared with.
fn is_replicated_controller(object: &Object) -> bool {
    match object.kind() {
        "Deployment" | "StatefulSet" | "ReplicaSet" => {
            matches!(object.group(), "apps" | "extensions")
        }
        "ReplicationController" => object.group().is_empty(),
        "DeploymentConfig" => matches!(object.group(), "apps.openshift.io" | ""),
        "Rollout" => object.group() == "argoproj.io",
        _ => false,
    }
}

fn check(object: &Object, index: &ObjectIndex, out: &mut Emitter<'_>) {
    if object.group() != "policy" {
        return;
    }
    let name = format!(
        "PodDisruptionBudget `{}`",
        object.resource.name.as_deref().unwrap_or("<unnamed>")
    );
    let field = |f: &str| {
        object
            .node
            .get("spec")
            .and_then(|s| s.get(f))
            .filter(|n| !n.is_null())
    };
    let blocked = "node drains and cluster upgrades wait on them until someone deletes the budget";
    let never = format!("so none of the pods it selects can ever be evicted: {blocked}");
    if let Some(max) = field("maxUnavailable").and_then(Amount::of)
        && matches!(max, Amount::Pods(0) | Amount::Percent(0))
    {
        out.emit(
            FieldPath::root().keys("spec.maxUnavailable"),
            format!("{name} sets `maxUnavailable: {max}`, {never}"),
        );
    }
    let Some(min) = field("minAvailable").and_then(Amount::of) else {
        return;
    };
    let min_path = FieldPath::root().keys("spec.minAvailable");
    if let Amount::Percent(p) = min
        && p >= 100
    {
        out.emit(
            min_path,
            format!("{name} sets `minAvailable: {min}`, {never}"),
        );
        return;
    }
    let Some(pdb_selector) = budget_selector(object) else {
        return;
    };
    let namespace = namespace_of(object);
    for (i, controller) in index.objects().iter().enumerate() {
        if !is_replicated_controller(controller) || namespace_of(controller) != namespace {
            continue;
        }
        let labels = pod_labels(index, i, controller);
        if selector::matches(&pdb_selector, &labels) != Ok(true) {
            continue;
        }
        // Without an autoscaler or an explicit count, the replicas are set elsewhere (a
        // `kubectl scale`, an overlay): comparing with the default of 1 would mostly be wrong.
        let (replicas, source, when) = match autoscaler_of(controller, index) {
            Some(scaler) => (
                scaler.min_replicas,
                format!(
                    "its {} `{}` may scale it down to {}",
                    scaler.object.kind(),
                    scaler
                        .object
                        .resource
                        .name
                        .as_deref()
                        .unwrap_or("<unnamed>"),
                    scaler.min_replicas
                ),
                "at that size ",
            ),
            None => match replicas(controller) {
                Some(n) => (n, format!("it runs `replicas: {n}`"), ""),
                None => continue,
            },
        };
        // A workload scaled to zero has nothing to evict.
        if replicas <= 0 {
            continue;
        }
        let needed = min.of_replicas(replicas);
        if needed < replicas {
            continue;
        }
        let of = match min {
            Amount::Pods(_) => String::new(),
            Amount::Percent(_) => format!(" of {replicas}"),
        };
        let pods = if needed == 1 { "pod" } else { "pods" };
        out.emit(
            min_path.clone(),
            format!(
                "{name} requires {needed} available {pods} of {} `{}` (`minAvailable: {min}`{of}), and {source}, \
                 so {when}none of its pods can be evicted: {blocked}",
                controller.kind(),
                controller.resource.name.as_deref().unwrap_or("<unnamed>")
            ),
        );
    }
}

/// The budget's selector. In `policy/v1` an empty selector selects every pod of the namespace;
/// in `policy/v1beta1` it selects none, and a missing one selects none in both.
fn budget_selector(object: &Object) -> Option<LabelSelector> {
    let node = object
        .node
        .get_path("spec.selector")
        .filter(|n| !n.is_null())?;
    let selector: LabelSelector = from_node(node).ok()?;
    if selector::is_empty(&selector) && object.resource.api_version == "policy/v1beta1" {
        return None;
    }
    Some(selector)
}

/// The labels of a controller's pods: its template's, or, when the template is missing (a
/// manifest cut down to what a linter reads), those its selector requires.
fn pod_labels(index: &ObjectIndex, i: usize, controller: &Object) -> BTreeMap<String, String> {
    if let Some(w) = index.workload_for(i) {
        return w.labels().clone();
    }
    let selector = controller.node.get_path("spec.selector");
    let pairs = selector
        .and_then(|s| s.get("matchLabels"))
        .or(selector)
        .and_then(Node::as_map);
    pairs
        .map(|m| {
            m.entries()
                .iter()
                .filter_map(|e| Some((e.key.clone(), e.value.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Amount;

    #[test]
    fn percentages_round_up() {
        assert_eq!(Amount::Percent(50).of_replicas(5), 3);
        assert_eq!(Amount::Percent(100).of_replicas(5), 5);
        assert_eq!(Amount::Percent(1).of_replicas(10), 1);
        assert_eq!(Amount::Percent(0).of_replicas(10), 0);
        assert_eq!(Amount::Percent(150).of_replicas(10), 15);
        assert_eq!(Amount::Pods(2).of_replicas(10), 2);
    }
}
