//! What a live cluster shows that manifests cannot: the API server's version, the nodes
//! (kubelet and kube-proxy versions, container runtime, OS, conditions), the images actually
//! running (by digest, from pod status), the admission webhooks that see objects, and the Pod
//! Security admission labels of each namespace.
//!
//! Everything but the version is derived from objects already read (the live-cluster reader
//! asks `/version`), so the facts cost no extra request; objects that do not decode are left
//! out of the facts (the load reported them). Manifests carry none of this: the facts are
//! empty for them.

use std::collections::BTreeMap;

use harrier_core::yaml::de::from_node;
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, RuleWithOperations, ServiceReference,
    ValidatingWebhookConfiguration,
};
use k8s_openapi::api::core::v1::{Node, Pod};
use serde::Serialize;

use crate::Object;

/// The API server's build, from `/version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerVersion {
    /// `gitVersion`, such as `v1.29.4-eks-036c24b`.
    pub git_version: String,
    /// The release as a plain version, `1.29.4`: what advisories name.
    pub release: String,
    /// `platform`, such as `linux/amd64`.
    pub platform: String,
}

impl ServerVersion {
    /// From `gitVersion` and `platform`: the release is the part after `v` up to the first
    /// `-` or `+` (provider builds append their own suffixes).
    pub fn new(git_version: &str, platform: &str) -> ServerVersion {
        ServerVersion {
            git_version: git_version.to_owned(),
            release: release_of(git_version),
            platform: platform.to_owned(),
        }
    }
}

/// `v1.29.4-eks-036c24b` → `1.29.4`; `v1.30.0+k3s1` → `1.30.0`.
pub fn release_of(version: &str) -> String {
    let bare = version.trim().trim_start_matches('v');
    bare.split(['-', '+']).next().unwrap_or(bare).to_owned()
}

/// One node, as its status reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeFacts {
    /// The node's name.
    pub name: String,
    /// Roles from `node-role.kubernetes.io/<role>` labels.
    pub roles: Vec<String>,
    /// `status.nodeInfo.kubeletVersion`.
    pub kubelet_version: String,
    /// `status.nodeInfo.kubeProxyVersion` (deprecated upstream, still reported by many).
    pub kube_proxy_version: String,
    /// `status.nodeInfo.containerRuntimeVersion`, such as `containerd://1.7.13`.
    pub container_runtime: String,
    /// `status.nodeInfo.osImage`.
    pub os_image: String,
    /// `status.nodeInfo.kernelVersion`.
    pub kernel_version: String,
    /// Whether the `Ready` condition is `True`; `None` when the node reports none.
    pub ready: Option<bool>,
    /// Pressure and unavailability conditions that are `True` (`MemoryPressure`, …).
    pub problems: Vec<String>,
}

/// An image that runs, with where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunningImage {
    /// The image as the pod spec names it.
    pub image: String,
    /// What the runtime resolved it to (`status.containerStatuses[].imageID`), usually a
    /// digest reference; empty when no container reports it yet.
    pub image_id: String,
    /// Pods running it, `namespace/name`, sorted.
    pub pods: Vec<String>,
}

/// One webhook of an admission webhook configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookFacts {
    /// `MutatingWebhookConfiguration` or `ValidatingWebhookConfiguration`.
    pub kind: String,
    /// The configuration's name.
    pub configuration: String,
    /// The webhook's name.
    pub name: String,
    /// `Fail` or `Ignore` (the API server's default is `Fail`).
    pub failure_policy: String,
    /// The Service (`namespace/name:port`) or URL called.
    pub target: String,
    /// What it intercepts: `CREATE,UPDATE pods`, one entry per rule.
    pub rules: Vec<String>,
}

/// A namespace's Pod Security admission labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamespaceFacts {
    /// The namespace.
    pub name: String,
    /// `pod-security.kubernetes.io/enforce`, when set.
    pub enforce: Option<String>,
    /// `pod-security.kubernetes.io/audit`, when set.
    pub audit: Option<String>,
    /// `pod-security.kubernetes.io/warn`, when set.
    pub warn: Option<String>,
}

/// The facts of one cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClusterFacts {
    /// The kubeconfig context read.
    pub context: String,
    /// The API server's URL.
    pub server: String,
    /// The API server's version, when `/version` answered.
    pub version: Option<ServerVersion>,
    /// Nodes, by name.
    pub nodes: Vec<NodeFacts>,
    /// Running images, by image.
    pub images: Vec<RunningImage>,
    /// Admission webhooks.
    pub webhooks: Vec<WebhookFacts>,
    /// Namespaces with their Pod Security labels.
    pub namespaces: Vec<NamespaceFacts>,
}

impl ClusterFacts {
    /// Derives the facts from the objects read.
    pub fn from_objects(objects: &[Object]) -> ClusterFacts {
        let mut facts = ClusterFacts::default();
        let mut images: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for object in objects {
            match (object.group(), object.kind()) {
                ("", "Node") => facts.nodes.extend(node_facts(object)),
                ("", "Pod") => running_images(object, &mut images),
                ("", "Namespace") => facts.namespaces.extend(namespace_facts(object)),
                ("admissionregistration.k8s.io", "MutatingWebhookConfiguration") => {
                    facts.webhooks.extend(mutating(object));
                }
                ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration") => {
                    facts.webhooks.extend(validating(object));
                }
                _ => {}
            }
        }
        facts.images = images
            .into_iter()
            .map(|((image, image_id), mut pods)| {
                pods.sort();
                pods.dedup();
                RunningImage {
                    image,
                    image_id,
                    pods,
                }
            })
            .collect();
        facts.nodes.sort_by(|a, b| a.name.cmp(&b.name));
        facts.namespaces.sort_by(|a, b| a.name.cmp(&b.name));
        facts
    }
}

fn node_facts(object: &Object) -> Option<NodeFacts> {
    let node: Node = from_node(&object.node).ok()?;
    let name = node.metadata.name.clone().unwrap_or_default();
    let roles = node
        .metadata
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
        .map(str::to_owned)
        .collect();
    let status = node.status.unwrap_or_default();
    let info = status.node_info.unwrap_or_default();
    let conditions = status.conditions.unwrap_or_default();
    let ready = conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.status == "True");
    let problems = conditions
        .iter()
        .filter(|c| c.type_ != "Ready" && c.status == "True")
        .map(|c| c.type_.clone())
        .collect();
    Some(NodeFacts {
        name,
        roles,
        kubelet_version: info.kubelet_version,
        kube_proxy_version: info.kube_proxy_version,
        container_runtime: info.container_runtime_version,
        os_image: info.os_image,
        kernel_version: info.kernel_version,
        ready,
        problems,
    })
}

/// Adds the pod's containers' images, matched to the digests its status reports by
/// container name.
fn running_images(object: &Object, images: &mut BTreeMap<(String, String), Vec<String>>) {
    let Ok(pod) = from_node::<Pod>(&object.node) else {
        return;
    };
    let pod_name = format!(
        "{}/{}",
        pod.metadata.namespace.as_deref().unwrap_or("default"),
        pod.metadata.name.as_deref().unwrap_or("")
    );
    let status = pod.status.unwrap_or_default();
    let statuses: Vec<_> = [
        status.init_container_statuses,
        status.container_statuses,
        status.ephemeral_container_statuses,
    ]
    .into_iter()
    .flatten()
    .flatten()
    .collect();
    let spec = pod.spec.unwrap_or_default();
    let containers = spec
        .init_containers
        .iter()
        .flatten()
        .chain(&spec.containers)
        .map(|c| (c.name.as_str(), c.image.as_deref().unwrap_or("")));
    for (name, image) in containers {
        let image_id = statuses
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.image_id.clone())
            .unwrap_or_default();
        images
            .entry((image.to_owned(), image_id))
            .or_default()
            .push(pod_name.clone());
    }
}

fn namespace_facts(object: &Object) -> Option<NamespaceFacts> {
    let name = object.resource.name.clone()?;
    let label = |mode: &str| {
        object
            .node
            .get_path("metadata.labels")
            .and_then(|labels| labels.get(&format!("pod-security.kubernetes.io/{mode}")))
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    Some(NamespaceFacts {
        name,
        enforce: label("enforce"),
        audit: label("audit"),
        warn: label("warn"),
    })
}

fn mutating(object: &Object) -> Vec<WebhookFacts> {
    let Ok(config) = from_node::<MutatingWebhookConfiguration>(&object.node) else {
        return Vec::new();
    };
    let configuration = config.metadata.name.unwrap_or_default();
    config
        .webhooks
        .unwrap_or_default()
        .into_iter()
        .map(|w| WebhookFacts {
            kind: "MutatingWebhookConfiguration".to_owned(),
            configuration: configuration.clone(),
            name: w.name,
            failure_policy: w.failure_policy.unwrap_or_else(|| "Fail".to_owned()),
            target: target(
                w.client_config.service.as_ref(),
                w.client_config.url.as_deref(),
            ),
            rules: rules(w.rules.as_deref()),
        })
        .collect()
}

fn validating(object: &Object) -> Vec<WebhookFacts> {
    let Ok(config) = from_node::<ValidatingWebhookConfiguration>(&object.node) else {
        return Vec::new();
    };
    let configuration = config.metadata.name.unwrap_or_default();
    config
        .webhooks
        .unwrap_or_default()
        .into_iter()
        .map(|w| WebhookFacts {
            kind: "ValidatingWebhookConfiguration".to_owned(),
            configuration: configuration.clone(),
            name: w.name,
            failure_policy: w.failure_policy.unwrap_or_else(|| "Fail".to_owned()),
            target: target(
                w.client_config.service.as_ref(),
                w.client_config.url.as_deref(),
            ),
            rules: rules(w.rules.as_deref()),
        })
        .collect()
}

fn target(service: Option<&ServiceReference>, url: Option<&str>) -> String {
    match (service, url) {
        (Some(s), _) => format!("{}/{}:{}", s.namespace, s.name, s.port.unwrap_or(443)),
        (None, Some(url)) => url.to_owned(),
        (None, None) => String::new(),
    }
}

fn rules(rules: Option<&[RuleWithOperations]>) -> Vec<String> {
    rules
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let list = |items: &Option<Vec<String>>| items.as_deref().unwrap_or_default().join(",");
            format!("{} {}", list(&r.operations), list(&r.resources))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_drop_provider_suffixes() {
        assert_eq!(release_of("v1.29.4-eks-036c24b"), "1.29.4");
        assert_eq!(release_of("v1.30.0+k3s1"), "1.30.0");
        assert_eq!(release_of("v1.31.2"), "1.31.2");
        assert_eq!(release_of("1.28.1-gke.1066000"), "1.28.1");
    }
}
