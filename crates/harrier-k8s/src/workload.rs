//! Pod templates as typed views.
//!
//! Every kind that runs pods carries a pod template somewhere in its tree. [`Workload`] finds it,
//! decodes it into k8s-openapi's `ObjectMeta` and `PodSpec`, and remembers the path so a check on
//! `spec.containers[0].securityContext` can be located in a Deployment at
//! `spec.template.spec.containers[0].securityContext`.

use std::collections::BTreeMap;

use harrier_core::yaml::Node;
use harrier_core::yaml::de::{DeError, from_node};
use harrier_core::{FieldPath, Location};
use k8s_openapi::api::core::v1::{Container, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::{Error, Object};

/// The pod template of one object.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Index of the object in its [`ObjectIndex`](crate::ObjectIndex).
    pub object: usize,
    /// Path to the node holding the template's `metadata` and `spec` (the root, for a Pod).
    pub template_path: FieldPath,
    /// The pod template's metadata (for a Pod, the Pod's own).
    pub metadata: ObjectMeta,
    /// The pod spec.
    pub spec: PodSpec,
    /// `spec.ephemeralContainers`, read as ordinary containers: they share every field checks
    /// look at, and one container type keeps every container check in one place.
    ephemeral: Vec<Container>,
}

/// Which list a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContainerKind {
    /// `initContainers`.
    Init,
    /// `containers`.
    Regular,
    /// `ephemeralContainers`.
    Ephemeral,
}

impl ContainerKind {
    /// The pod spec field holding this kind of container.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// One container of a workload, with its path.
#[derive(Debug, Clone, Copy)]
pub struct ContainerRef<'a> {
    /// Which list it is in.
    pub kind: ContainerKind,
    /// Its index in that list.
    pub index: usize,
    /// The container.
    pub container: &'a Container,
    workload: &'a Workload,
}

impl ContainerRef<'_> {
    /// Path to the container, from the object root.
    pub fn path(&self) -> FieldPath {
        self.workload
            .spec_path()
            .key(self.kind.field())
            .index(self.index)
    }

    /// Path to a field of the container, given as dotted keys (`"securityContext.privileged"`).
    pub fn field(&self, dotted: &'static str) -> FieldPath {
        self.path().keys(dotted)
    }

    /// The container's name.
    pub fn name(&self) -> &str {
        &self.container.name
    }

    /// Whether this is an init container (probes and most resource checks do not apply).
    pub fn is_init(&self) -> bool {
        self.kind == ContainerKind::Init
    }
}

impl Workload {
    /// Finds and decodes the pod template of `object`, if its kind has one. `index` is the
    /// object's position in the index being built.
    pub(crate) fn from_object(
        object: &Object,
        index: usize,
    ) -> Option<(Option<Workload>, Vec<Error>)> {
        let template_path = template_path(object)?;
        let Some(template) = object.at(&template_path) else {
            // A Rollout may reference an existing Deployment's template instead of embedding one.
            if object.kind() == "Rollout" {
                return None;
            }
            let error = Error::Incomplete {
                location: object.locate(&template_path),
                message: format!(
                    "{} has no pod template at `{template_path}`; its pod checks did not run",
                    object.kind()
                ),
            };
            return Some((None, vec![error]));
        };
        let (workload, mut problems) = decode(object, index, template, template_path);
        if object.group().is_empty()
            && !matches!(
                object.kind(),
                "Pod" | "ReplicationController" | "DeploymentConfig"
            )
        {
            problems.push(Error::Unserved {
                location: object.locate(&FieldPath::root().key("apiVersion")),
                api_version: object.resource.api_version.clone(),
                kind: object.kind().to_owned(),
            });
        }
        Some((workload, problems))
    }

    /// Path to the pod spec, from the object root.
    pub fn spec_path(&self) -> FieldPath {
        self.template_path.key("spec")
    }

    /// Path to the pod template's metadata, from the object root.
    pub fn metadata_path(&self) -> FieldPath {
        self.template_path.key("metadata")
    }

    /// Every container, in the order the upstream pod-security-admission visitor uses:
    /// init containers, containers, then ephemeral containers.
    pub fn containers(&self) -> impl Iterator<Item = ContainerRef<'_>> {
        let init = self.spec.init_containers.as_deref().unwrap_or_default();
        let lists = [
            (ContainerKind::Init, init),
            (ContainerKind::Regular, self.spec.containers.as_slice()),
            (ContainerKind::Ephemeral, self.ephemeral.as_slice()),
        ];
        lists.into_iter().flat_map(move |(kind, list)| {
            list.iter()
                .enumerate()
                .map(move |(index, container)| ContainerRef {
                    kind,
                    index,
                    container,
                    workload: self,
                })
        })
    }

    /// The pod template's labels (empty when it has none).
    pub fn labels(&self) -> &BTreeMap<String, String> {
        static NONE: BTreeMap<String, String> = BTreeMap::new();
        self.metadata.labels.as_ref().unwrap_or(&NONE)
    }

    /// An annotation of the pod template.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata
            .annotations
            .as_ref()?
            .get(key)
            .map(String::as_str)
    }
}

/// How many wrong-typed fields one pod template may have before it is given up on.
const MAX_PRUNED_FIELDS: usize = 16;

/// Decodes a pod template. A field of the wrong type is reported, set aside, and the rest of
/// the template decoded again, so one bad value does not hide every other finding of the
/// workload. Returns the workload (if anything could be read) and the problems found.
fn decode(
    object: &Object,
    index: usize,
    template: &Node,
    template_path: FieldPath,
) -> (Option<Workload>, Vec<Error>) {
    if template.get("spec").is_none_or(Node::is_null) {
        let error = Error::Incomplete {
            location: object.locate(&template_path),
            message: format!(
                "{} has a pod template without `spec`; its pod checks did not run",
                object.kind()
            ),
        };
        return (None, vec![error]);
    }
    // The common case decodes at the first try, straight from the object's tree; only a
    // template with a bad field pays for a copy to prune.
    if let Ok((metadata, spec, ephemeral)) = decode_once(template) {
        let workload = Workload {
            object: index,
            template_path,
            metadata,
            spec,
            ephemeral,
        };
        return (Some(workload), Vec::new());
    }
    let mut errors = Vec::new();
    let mut template = template.clone();
    for _ in 0..=MAX_PRUNED_FIELDS {
        match decode_once(&template) {
            Ok((metadata, spec, ephemeral)) => {
                let workload = Workload {
                    object: index,
                    template_path,
                    metadata,
                    spec,
                    ephemeral,
                };
                return (Some(workload), errors);
            }
            Err(e) => {
                let pos = e.pos.unwrap_or(template.pos);
                // Pruning a bad value can expose the same problem again at the same place (a
                // required field now missing); only the first report of a place is news.
                let seen = errors
                    .iter()
                    .any(|prev: &Error| prev.location().is_some_and(|l| l.pos() == pos));
                if !seen {
                    errors.push(Error::Invalid {
                        location: Location::new(object.path.clone(), pos),
                        message: format!("invalid pod template: {}", e.message),
                    });
                }
                let spec_gone = template.get("spec").is_none_or(Node::is_null);
                if spec_gone || !template.prune_at(pos) {
                    break;
                }
                if template.get("spec").is_none_or(Node::is_null) {
                    // The whole spec was the bad value: nothing is left to check, and the
                    // error above already says why.
                    break;
                }
            }
        }
    }
    (None, errors)
}

fn decode_once(template: &Node) -> Result<(ObjectMeta, PodSpec, Vec<Container>), DeError> {
    let metadata = match template.get("metadata") {
        Some(m) if !m.is_null() => from_node::<ObjectMeta>(m)?,
        _ => ObjectMeta::default(),
    };
    let Some(spec_node) = template.get("spec") else {
        return Err(DeError {
            pos: Some(template.pos),
            message: "pod template has no `spec`".to_owned(),
        });
    };
    let spec = from_node::<PodSpec>(spec_node)?;
    let ephemeral = match spec_node.get("ephemeralContainers") {
        Some(list) if !list.is_null() => from_node::<Vec<Container>>(list)?,
        _ => Vec::new(),
    };
    Ok((metadata, spec, ephemeral))
}

/// Where an object's pod template is (the root, for a Pod), if its kind has one. The template
/// is there even when [`Workload`] could not decode it (its `spec` missing or mistyped): its
/// labels still say what Services and NetworkPolicies select.
pub fn pod_template_path(object: &Object) -> Option<FieldPath> {
    template_path(object)
}

/// Where the pod template of each workload kind is. Kinds are matched together with their API
/// group, so a CRD that happens to be called `Deployment` is not mistaken for one. The core
/// group is accepted for every built-in kind: no CRD can live in it, so `apiVersion: v1` on a
/// Deployment is a mistyped version, not another kind, and the template is checked as written.
fn template_path(object: &Object) -> Option<FieldPath> {
    let root = FieldPath::root();
    let group = object.group();
    let path = match (object.kind(), group) {
        ("Pod", "") => root,
        ("ReplicationController", "") => root.keys("spec.template"),
        ("Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet", "apps" | "extensions" | "") => {
            root.keys("spec.template")
        }
        ("Job", "batch" | "") => root.keys("spec.template"),
        ("CronJob", "batch" | "") => root.keys("spec.jobTemplate.spec.template"),
        ("DeploymentConfig", "apps.openshift.io" | "") => root.keys("spec.template"),
        ("Rollout", "argoproj.io") => root.keys("spec.template"),
        _ => return None,
    };
    Some(path)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::{ObjectIndex, load_text};

    fn workload_kinds(text: &str) -> Vec<String> {
        let loaded = load_text(Arc::from("test.yaml"), text);
        let (index, _) = ObjectIndex::build(loaded.objects);
        index
            .workloads()
            .iter()
            .map(|w| index.object_of(w).kind().to_owned())
            .collect()
    }

    #[test]
    fn a_mistyped_core_version_is_still_a_workload() {
        let template = "spec: {template: {spec: {containers: [{name: a, image: nginx}]}}}";
        assert_eq!(
            workload_kinds(&format!("apiVersion: v1\nkind: Deployment\n{template}\n")),
            ["Deployment"]
        );
        assert!(
            workload_kinds(&format!(
                "apiVersion: example.com/v1\nkind: Deployment\n{template}\n"
            ))
            .is_empty()
        );
    }

    #[test]
    fn a_mistyped_core_version_is_a_warning_at_its_line() {
        let text = "kind: Deployment\napiVersion: v1\nspec: {template: {spec: {containers: [{name: a, image: nginx}]}}}\n";
        let loaded = load_text(Arc::from("test.yaml"), text);
        let (_, problems) = ObjectIndex::build(loaded.objects);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].is_warning());
        assert_eq!(problems[0].location().map(|l| l.line), Some(2));
        let pod = "apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, image: nginx}]}\n";
        let (_, problems) = ObjectIndex::build(load_text(Arc::from("p.yaml"), pod).objects);
        assert!(problems.is_empty(), "{problems:?}");
    }
}
