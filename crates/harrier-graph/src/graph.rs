//! The graph's storage: vertices and edges in flat vectors indexed by `u32`, names interned,
//! adjacency in both directions as sorted offset arrays (compressed sparse rows).
//!
//! A cluster of 10,000 pods gives some 100,000 vertices and a few hundred thousand edges. Each
//! edge is 16 bytes; its evidence is shared by index, since one RBAC grant (one binding
//! answering one request) creates an edge to every pod or account of its scope, all with the
//! same evidence. No graph library is used: the search needs nothing beyond a breadth-first
//! walk over the incoming edges, and owning the layout keeps memory predictable.

use std::collections::HashMap;
use std::fmt;

use harrier_core::Location;
use harrier_posture::rbac::Via;
use serde::Serialize;

use crate::Technique;

/// The index of a vertex in its [`Graph`].
pub type VertexId = u32;

/// What a vertex stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VertexKind {
    /// The entry point "the internet": whatever is reachable from outside the cluster.
    Internet,
    /// A service account identity.
    ServiceAccount,
    /// A user identity (`system:node:<name>` included).
    User,
    /// A group (`system:authenticated` is the entry point "any authenticated user").
    Group,
    /// A pod controller (Deployment, DaemonSet, ...).
    Workload,
    /// A pod, or the pods of a controller's template.
    Pod,
    /// A container of a pod.
    Container,
    /// A node by name, or "any node" when a pod's node is not known.
    Node,
    /// A hostPath or projected token volume of a pod.
    Volume,
    /// The secrets of a namespace.
    Secrets,
    /// A cluster-admin equivalent: every permission in the cluster.
    ClusterAdmin,
    /// Every permission in one namespace.
    NamespaceAdmin,
}

/// The name of the symbolic node every pod whose node is unknown may run on.
pub const ANY_NODE: &str = "*";

/// A vertex: a kind, a namespace and a name, each interned, and where it was defined.
#[derive(Debug, Clone)]
pub struct Vertex {
    /// What it is.
    pub kind: VertexKind,
    namespace: Option<u32>,
    name: u32,
    /// For pods and their containers and volumes: the controller's kind (`Deployment`).
    detail: Option<u32>,
    /// The object that defines it, when there is one.
    pub location: Option<Location>,
}

/// Why an edge exists: the object and field, or the binding, that creates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What was found, in words (`container \`app\` sets securityContext.privileged: true`).
    pub detail: String,
    /// Where: the object or field, or the binding, as file:line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The object (`Deployment default/web`), when one is the evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The field path within it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The bindings granting the permission, for RBAC techniques.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bindings: Vec<Via>,
}

/// An attack technique from one vertex to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// Where the attacker is.
    pub from: VertexId,
    /// Where the technique takes them.
    pub to: VertexId,
    /// The technique.
    pub technique: Technique,
    /// Index into the graph's evidence.
    evidence: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    kind: VertexKind,
    namespace: Option<u32>,
    name: u32,
    detail: Option<u32>,
}

/// Strings stored once, referred to by index.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    strings: Vec<Box<str>>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(s.into());
        self.ids.insert(s.into(), id);
        id
    }

    fn find(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    fn get(&self, id: u32) -> &str {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.strings.get(i))
            .map_or("", |s| s)
    }
}

/// The attack graph.
#[derive(Debug, Default)]
pub struct Graph {
    strings: Interner,
    vertices: Vec<Vertex>,
    lookup: HashMap<Key, VertexId>,
    edges: Vec<Edge>,
    evidence: Vec<Evidence>,
    /// `out[v]..out[v + 1]` are the indices in `edges` (sorted by source) leaving `v`.
    out: Vec<u32>,
    /// Edge indices sorted by target; `incoming_at[v]..incoming_at[v + 1]` index into it.
    incoming: Vec<u32>,
    incoming_at: Vec<u32>,
}

impl Graph {
    /// The vertex of `kind`, `namespace`, `name` (and `detail`), added if new.
    pub(crate) fn vertex(
        &mut self,
        kind: VertexKind,
        namespace: Option<&str>,
        name: &str,
        detail: Option<&str>,
        location: Option<Location>,
    ) -> VertexId {
        let key = Key {
            kind,
            namespace: namespace.map(|n| self.strings.intern(n)),
            name: self.strings.intern(name),
            detail: detail.map(|d| self.strings.intern(d)),
        };
        if let Some(&id) = self.lookup.get(&key) {
            if location.is_some()
                && let Some(v) = self.vertices.get_mut(id as usize)
                && v.location.is_none()
            {
                v.location = location;
            }
            return id;
        }
        let id = VertexId::try_from(self.vertices.len()).unwrap_or(VertexId::MAX);
        self.vertices.push(Vertex {
            kind,
            namespace: key.namespace,
            name: key.name,
            detail: key.detail,
            location,
        });
        self.lookup.insert(key, id);
        id
    }

    /// The vertex of `kind`, `namespace`, `name` and `detail`, if the graph has it. The key
    /// must match exactly: a pod's detail is its controller's kind, so `None` finds no pod.
    pub fn find(
        &self,
        kind: VertexKind,
        namespace: Option<&str>,
        name: &str,
        detail: Option<&str>,
    ) -> Option<VertexId> {
        let namespace = match namespace {
            Some(n) => Some(self.strings.find(n)?),
            None => None,
        };
        let detail = match detail {
            Some(d) => Some(self.strings.find(d)?),
            None => None,
        };
        let key = Key {
            kind,
            namespace,
            name: self.strings.find(name)?,
            detail,
        };
        self.lookup.get(&key).copied()
    }

    /// Stores evidence once, for any number of edges.
    pub(crate) fn evidence(&mut self, evidence: Evidence) -> u32 {
        let id = u32::try_from(self.evidence.len()).unwrap_or(u32::MAX);
        self.evidence.push(evidence);
        id
    }

    /// Adds an edge; a loop (an identity granted something over itself) is dropped.
    pub(crate) fn edge(
        &mut self,
        from: VertexId,
        to: VertexId,
        technique: Technique,
        evidence: u32,
    ) {
        if from != to {
            self.edges.push(Edge {
                from,
                to,
                technique,
                evidence,
            });
        }
    }

    /// Sorts the edges, keeps the first of each (from, to, technique), and builds the
    /// adjacency in both directions. Edge order (source, target, technique) makes every
    /// search over the graph deterministic.
    pub(crate) fn finish(&mut self) {
        // A stable sort keeps, for repeated edges, the evidence that was found first.
        self.edges.sort_by_key(|e| (e.from, e.to, e.technique));
        self.edges.dedup_by_key(|e| (e.from, e.to, e.technique));
        let n = self.vertices.len();
        self.out = vec![0; n + 1];
        let mut counts = vec![0u32; n + 1];
        for e in &self.edges {
            if let Some(c) = self.out.get_mut(e.from as usize + 1) {
                *c += 1;
            }
            if let Some(c) = counts.get_mut(e.to as usize + 1) {
                *c += 1;
            }
        }
        for i in 0..n {
            let (a, b) = (self.out[i], self.out[i + 1]);
            self.out[i + 1] = a + b;
            let (a, b) = (counts[i], counts[i + 1]);
            counts[i + 1] = a + b;
        }
        self.incoming_at = counts.clone();
        let mut incoming = vec![0u32; self.edges.len()];
        for (i, e) in self.edges.iter().enumerate() {
            if let Some(slot) = counts.get_mut(e.to as usize)
                && let Some(cell) = incoming.get_mut(*slot as usize)
            {
                *cell = u32::try_from(i).unwrap_or(u32::MAX);
                *slot += 1;
            }
        }
        self.incoming = incoming;
    }

    /// Number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.vertices.len()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Every vertex id.
    pub fn vertex_ids(&self) -> impl Iterator<Item = VertexId> + use<> {
        0..VertexId::try_from(self.vertices.len()).unwrap_or(VertexId::MAX)
    }

    /// The vertex `id`.
    pub fn get(&self, id: VertexId) -> Option<&Vertex> {
        self.vertices.get(id as usize)
    }

    /// Every edge, sorted by source, target and technique.
    pub fn edges(&self) -> &[Edge] {
        &self.edges
    }

    /// The evidence of an edge.
    pub fn evidence_of(&self, edge: &Edge) -> Option<&Evidence> {
        self.evidence.get(edge.evidence as usize)
    }

    /// The edges leaving `v`.
    pub fn outgoing(&self, v: VertexId) -> &[Edge] {
        let i = v as usize;
        match (self.out.get(i), self.out.get(i + 1)) {
            (Some(&a), Some(&b)) => self.edges.get(a as usize..b as usize).unwrap_or_default(),
            _ => &[],
        }
    }

    /// The indices (into [`Graph::edges`]) of the edges entering `v`, by source.
    pub fn incoming(&self, v: VertexId) -> &[u32] {
        let i = v as usize;
        match (self.incoming_at.get(i), self.incoming_at.get(i + 1)) {
            (Some(&a), Some(&b)) => self
                .incoming
                .get(a as usize..b as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }

    /// The edge at `index` in [`Graph::edges`].
    pub fn edge_at(&self, index: u32) -> Option<&Edge> {
        self.edges.get(index as usize)
    }

    /// The vertex's kind.
    pub fn kind(&self, v: VertexId) -> Option<VertexKind> {
        self.get(v).map(|v| v.kind)
    }

    /// The vertex's namespace.
    pub fn namespace(&self, v: VertexId) -> Option<&str> {
        self.get(v)?.namespace.map(|n| self.strings.get(n))
    }

    /// The vertex's name.
    pub fn name(&self, v: VertexId) -> &str {
        self.get(v).map_or("", |v| self.strings.get(v.name))
    }

    /// The vertex's detail (a pod's controller kind).
    pub fn detail(&self, v: VertexId) -> Option<&str> {
        self.get(v)?.detail.map(|d| self.strings.get(d))
    }

    /// A stable, unique, parseable id for the vertex (`pod:default/web`,
    /// `container:default/web/nginx`, `sa:kube-system/superadmin`, `node:*`).
    pub fn id_of(&self, v: VertexId) -> String {
        let Some(kind) = self.kind(v) else {
            return String::new();
        };
        let name = self.name(v);
        let ns = self.namespace(v);
        let scoped = |prefix: &str| match ns {
            Some(ns) => format!("{prefix}:{ns}/{name}"),
            None => format!("{prefix}:{name}"),
        };
        match kind {
            VertexKind::Internet => "internet".to_owned(),
            VertexKind::ServiceAccount => scoped("sa"),
            VertexKind::User => format!("user:{name}"),
            VertexKind::Group => format!("group:{name}"),
            VertexKind::Workload => scoped(&format!(
                "workload:{}",
                self.detail(v).unwrap_or("").to_lowercase()
            )),
            VertexKind::Pod => match self.detail(v) {
                Some(d) if d != "Pod" => scoped(&format!("pod:{}", d.to_lowercase())),
                _ => scoped("pod"),
            },
            VertexKind::Container => scoped("container"),
            VertexKind::Node => format!("node:{name}"),
            VertexKind::Volume => scoped("volume"),
            VertexKind::Secrets => scoped("secrets"),
            VertexKind::ClusterAdmin => "cluster-admin".to_owned(),
            VertexKind::NamespaceAdmin => scoped("namespace-admin"),
        }
    }

    /// The vertex as a reader wants it (`pod default/web (Deployment)`).
    pub fn label(&self, v: VertexId) -> String {
        Label { graph: self, v }.to_string()
    }
}

struct Label<'a> {
    graph: &'a Graph,
    v: VertexId,
}

impl fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = self.graph;
        let v = self.v;
        let Some(kind) = g.kind(v) else {
            return Ok(());
        };
        let name = g.name(v);
        let ns = g.namespace(v).unwrap_or("");
        let detail = g.detail(v);
        match kind {
            VertexKind::Internet => f.write_str("internet"),
            VertexKind::ServiceAccount => write!(f, "sa {ns}/{name}"),
            VertexKind::User => write!(f, "user {name}"),
            VertexKind::Group if name == "system:authenticated" => {
                f.write_str("any authenticated user (group system:authenticated)")
            }
            VertexKind::Group => write!(f, "group {name}"),
            VertexKind::Workload => write!(f, "{} {ns}/{name}", detail.unwrap_or("workload")),
            VertexKind::Pod => match detail {
                Some(d) if d != "Pod" => write!(f, "pods of {d} {ns}/{name}"),
                _ => write!(f, "pod {ns}/{name}"),
            },
            VertexKind::Container => match name.rsplit_once('/') {
                Some((pod, c)) => write!(f, "container {c} of {ns}/{pod}"),
                None => write!(f, "container {ns}/{name}"),
            },
            VertexKind::Node if name == ANY_NODE => f.write_str("node (any node the pod lands on)"),
            VertexKind::Node => write!(f, "node {name}"),
            VertexKind::Volume => match name.rsplit_once('/') {
                Some((pod, vol)) => write!(f, "volume {vol} of {ns}/{pod}"),
                None => write!(f, "volume {ns}/{name}"),
            },
            VertexKind::Secrets => write!(f, "secrets of namespace {ns}"),
            VertexKind::ClusterAdmin => f.write_str("cluster-admin"),
            VertexKind::NamespaceAdmin => write!(f, "admin of namespace {ns}"),
        }
    }
}
