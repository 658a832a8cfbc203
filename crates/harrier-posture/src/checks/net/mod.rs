//! Checks on network exposure (`HRR-NET`): Services, Ingresses and NetworkPolicies, alone and
//! against the pod templates they select.
//!
//! Objects are read through k8s-openapi's `spec` types rather than whole-object types, so that
//! an `extensions/v1beta1` Ingress is checked like a `networking.k8s.io/v1` one (the fields these
//! checks read did not change). An object whose `spec` does not decode is skipped: the loader
//! reports malformed objects, and a check guessing at them would only add noise.

use std::collections::BTreeMap;

use harrier_core::yaml::de::from_node;
use harrier_k8s::k8s_openapi::api::core::v1::ServiceSpec;
use harrier_k8s::k8s_openapi::api::networking::v1::{IngressSpec, NetworkPolicySpec};
use harrier_k8s::{Object, ObjectIndex, Workload, pod_template_path};

use crate::Check;
use crate::netpol as policy;

mod dangling_ingress;
mod dangling_network_policy;
mod dangling_service;
mod ingress_nginx_snippet_annotation;
mod ingress_without_tls;
mod namespace_without_network_policy;
mod service_external_ips;
mod service_loadbalancer;
mod service_nodeport;
mod workload_without_network_policy;

/// The group's checks, sorted by id.
pub static CHECKS: &[&Check] = &[
    &service_nodeport::CHECK,
    &service_loadbalancer::CHECK,
    &service_external_ips::CHECK,
    &ingress_without_tls::CHECK,
    &namespace_without_network_policy::CHECK,
    &ingress_nginx_snippet_annotation::CHECK,
    &dangling_service::CHECK,
    &dangling_network_policy::CHECK,
    &workload_without_network_policy::CHECK,
    &dangling_ingress::CHECK,
];

/// The spec of a core-group Service, if it decodes.
fn service_spec(object: &Object) -> Option<ServiceSpec> {
    if !object.group().is_empty() {
        return None;
    }
    from_node(object.node.get("spec")?).ok()
}

/// The spec of an Ingress (`networking.k8s.io` or the removed `extensions` group), if it decodes.
fn ingress_spec(object: &Object) -> Option<IngressSpec> {
    if !matches!(object.group(), "networking.k8s.io" | "extensions") {
        return None;
    }
    from_node(object.node.get("spec")?).ok()
}

/// The spec of a Kubernetes NetworkPolicy (`networking.k8s.io` or the removed `extensions`
/// group), if it decodes. Calico's and Cilium's policies have other shapes.
fn network_policy_spec(object: &Object) -> Option<NetworkPolicySpec> {
    if object.kind() != "NetworkPolicy"
        || !matches!(object.group(), "networking.k8s.io" | "extensions")
    {
        return None;
    }
    from_node(object.node.get("spec")?).ok()
}

/// A pod template that selectors are matched against: its object, its labels, and its typed
/// pod template when that could be decoded.
struct Template<'a> {
    object: &'a Object,
    workload: Option<&'a Workload>,
    labels: BTreeMap<String, String>,
}

/// Whether two objects' namespaces can be the same: equal, or one unset and the other `default`.
/// An object without `metadata.namespace` lands in the namespace `kubectl` is pointed at, most
/// often `default`, so every check that looks for a counterpart (a policy for a workload, pod
/// templates for a Service or a policy, a Service for an Ingress) accepts one in `default` for it,
/// and the other way round, rather than report a pair that is most likely together.
pub(crate) fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    a == b || matches!((a, b), (None, Some("default")) | (Some("default"), None))
}

/// Pod templates grouped by the namespace of their object; objects without `metadata.namespace`
/// form one group under `None` (they land in whatever namespace `kubectl` is pointed at).
/// A template whose pod spec could not be decoded (missing, or of the wrong type) still counts,
/// with its labels read from the manifest: the controller is there, and the Service or policy
/// selecting it is not dangling.
fn templates_by_namespace(index: &ObjectIndex) -> BTreeMap<Option<&str>, Vec<Template<'_>>> {
    let mut by_namespace: BTreeMap<Option<&str>, Vec<Template<'_>>> = BTreeMap::new();
    for (i, object) in index.objects().iter().enumerate() {
        let workload = index.workload_for(i);
        let labels = match workload {
            Some(workload) => workload.labels().clone(),
            None => {
                let Some(path) = pod_template_path(object) else {
                    continue;
                };
                object
                    .at(&path.keys("metadata.labels"))
                    .and_then(|labels| from_node(labels).ok())
                    .unwrap_or_default()
            }
        };
        by_namespace
            .entry(object.resource.namespace.as_deref())
            .or_default()
            .push(Template {
                object,
                workload,
                labels,
            });
    }
    by_namespace
}

/// The pod templates an object of `namespace` can select, by [`same_namespace`]: those of its
/// namespace, and those in `default` for an object without one, and the other way round.
fn templates_in<'m, 'a>(
    by_namespace: &'m BTreeMap<Option<&'a str>, Vec<Template<'a>>>,
    namespace: Option<&str>,
) -> Vec<&'m Template<'a>> {
    by_namespace
        .iter()
        .filter(|(ns, _)| same_namespace(**ns, namespace))
        .flat_map(|(_, templates)| templates)
        .collect()
}

/// "in namespace `shop`", or, for `default` and objects without a namespace, where
/// [`same_namespace`] looks.
fn in_namespace_or_default(namespace: Option<&str>) -> String {
    match namespace {
        Some("default") => "in namespace `default` (or without `metadata.namespace`)".to_owned(),
        Some(ns) => format!("in namespace `{ns}`"),
        None => "among the objects without `metadata.namespace` (or in `default`)".to_owned(),
    }
}

/// "Deployment `web`".
fn describe(object: &Object) -> String {
    format!(
        "{} `{}`",
        object.kind(),
        object.resource.name.as_deref().unwrap_or("<unnamed>")
    )
}

/// `app=web, tier=front`.
fn render_labels(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
