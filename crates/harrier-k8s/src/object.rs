use std::collections::BTreeMap;
use std::sync::Arc;

use harrier_core::yaml::{Node, Value};
use harrier_core::{FieldPath, Location, ResourceRef};

/// One Kubernetes object with its source.
#[derive(Debug, Clone)]
pub struct Object {
    /// apiVersion, kind, namespace and name.
    pub resource: ResourceRef,
    /// The whole object, with positions.
    pub node: Node,
    /// The file it came from.
    pub path: Arc<str>,
    /// For Helm-rendered input, the template named by the `# Source:` comment above it.
    pub template: Option<String>,
    /// `metadata.labels`, with non-string values rendered as text.
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations`, with non-string values rendered as text.
    pub annotations: BTreeMap<String, String>,
}

impl Object {
    /// Builds an object from a mapping that has string `apiVersion` and `kind`.
    pub(crate) fn from_node(node: Node, path: Arc<str>, template: Option<String>) -> Object {
        let text = |p: &str| node.get_path(p).and_then(Node::as_str).map(str::to_owned);
        let resource = ResourceRef {
            api_version: text("apiVersion").unwrap_or_default(),
            kind: text("kind").unwrap_or_default(),
            namespace: text("metadata.namespace").filter(|n| !n.is_empty()),
            name: text("metadata.name")
                .filter(|n| !n.is_empty())
                .or_else(|| text("metadata.generateName")),
        };
        let labels = string_map(node.get_path("metadata.labels"));
        let annotations = string_map(node.get_path("metadata.annotations"));
        Object {
            resource,
            node,
            path,
            template,
            labels,
            annotations,
        }
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        &self.resource.kind
    }

    /// The API group: the part of `apiVersion` before `/`, empty for the core group.
    pub fn group(&self) -> &str {
        self.resource
            .api_version
            .split_once('/')
            .map_or("", |(group, _)| group)
    }

    /// Where the object starts.
    pub fn location(&self) -> Location {
        Location::new(self.path.clone(), self.node.pos)
    }

    /// Where the field at `path` is, or the deepest part of it that exists.
    pub fn locate(&self, path: &FieldPath) -> Location {
        Location::new(self.path.clone(), self.node.locate(path))
    }

    /// The node at `path`.
    pub fn at(&self, path: &FieldPath) -> Option<&Node> {
        self.node.at(path)
    }
}

fn string_map(node: Option<&Node>) -> BTreeMap<String, String> {
    let Some(map) = node.and_then(Node::as_map) else {
        return BTreeMap::new();
    };
    map.entries()
        .iter()
        .map(|e| {
            let value = match &e.value.value {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (e.key.clone(), value)
        })
        .collect()
}
