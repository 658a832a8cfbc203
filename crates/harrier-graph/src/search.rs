//! Shortest attack paths: from entry points to critical targets, fewest techniques first.
//!
//! For each target set (cluster-admin, nodes, ...) one breadth-first walk runs backwards
//! from all of the set's vertices at once over the incoming edges, so that every vertex learns
//! its distance to the nearest target and the first hop of a shortest path there. Any number
//! of sources then costs one walk per target set, O(vertices + edges), instead of one search
//! per source: 10,000 pods as sources are as cheap as one. Each (source, target set) pair
//! gives one path, the shortest; ties are broken by edge order (source, target, technique
//! indices), so the output is the same on every run.
//!
//! The walk is bounded: by depth (`max_depth` techniques), by the number of vertices visited
//! over all walks, and by a deadline. The number of paths reported is capped too. Each cap
//! that cut something short is reported in [`Truncated`]; a capped answer is still an answer.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::Technique;
use crate::graph::{Evidence, Graph, VertexId, VertexKind};

/// Where an attacker starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `internet`: whatever is exposed outside the cluster.
    Internet,
    /// `authenticated`: any authenticated user (`system:authenticated`).
    Authenticated,
    /// `pods`: every pod (a compromised container), KubeHound's default.
    AllPods,
    /// `pod:NS/NAME`: the pods of one Pod or controller.
    Pod {
        /// Namespace.
        namespace: String,
        /// Pod or controller name.
        name: String,
    },
    /// `sa:NS/NAME`.
    ServiceAccount {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
    },
    /// `user:NAME`.
    User(String),
    /// `group:NAME`.
    Group(String),
}

/// What an attacker wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `cluster-admin`: every permission in the cluster.
    ClusterAdmin,
    /// `nodes`: any node.
    Nodes,
    /// `kube-system-secrets`: the secrets of `kube-system`.
    KubeSystemSecrets,
    /// `secrets`: the secrets of any namespace.
    Secrets,
    /// `sa:NS/NAME`: one service account.
    ServiceAccount {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
    },
}

/// A source or target that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

fn ns_name(rest: &str, text: &str, what: &str) -> Result<(String, String), ParseError> {
    match rest.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok((ns.to_owned(), name.to_owned()))
        }
        _ => Err(ParseError(format!(
            "`{text}` is not `{what}:NAMESPACE/NAME`"
        ))),
    }
}

impl FromStr for Source {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Source, ParseError> {
        match text {
            "internet" => return Ok(Source::Internet),
            "authenticated" => return Ok(Source::Authenticated),
            "pods" => return Ok(Source::AllPods),
            _ => {}
        }
        if let Some(rest) = text.strip_prefix("pod:") {
            let (namespace, name) = ns_name(rest, text, "pod")?;
            return Ok(Source::Pod { namespace, name });
        }
        if let Some(rest) = text.strip_prefix("sa:") {
            let (namespace, name) = ns_name(rest, text, "sa")?;
            return Ok(Source::ServiceAccount { namespace, name });
        }
        if let Some(name) = text.strip_prefix("user:").filter(|n| !n.is_empty()) {
            return Ok(Source::User(name.to_owned()));
        }
        if let Some(name) = text.strip_prefix("group:").filter(|n| !n.is_empty()) {
            return Ok(Source::Group(name.to_owned()));
        }
        Err(ParseError(format!(
            "`{text}` is not `internet`, `authenticated`, `pods`, `pod:NS/NAME`, `sa:NS/NAME`, `user:NAME` or `group:NAME`"
        )))
    }
}

impl FromStr for Target {
    type Err = ParseError;

    fn from_str(text: &str) -> Result<Target, ParseError> {
        match text {
            "cluster-admin" => Ok(Target::ClusterAdmin),
            "nodes" => Ok(Target::Nodes),
            "kube-system-secrets" => Ok(Target::KubeSystemSecrets),
            "secrets" => Ok(Target::Secrets),
            _ => match text.strip_prefix("sa:") {
                Some(rest) => {
                    let (namespace, name) = ns_name(rest, text, "sa")?;
                    Ok(Target::ServiceAccount { namespace, name })
                }
                None => Err(ParseError(format!(
                    "`{text}` is not `cluster-admin`, `nodes`, `kube-system-secrets`, `secrets` or `sa:NS/NAME`"
                ))),
            },
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::ClusterAdmin => f.write_str("cluster-admin"),
            Target::Nodes => f.write_str("nodes"),
            Target::KubeSystemSecrets => f.write_str("kube-system-secrets"),
            Target::Secrets => f.write_str("secrets"),
            Target::ServiceAccount { namespace, name } => write!(f, "sa:{namespace}/{name}"),
        }
    }
}

/// The default sources: the internet, any authenticated user, and every pod (assume any
/// container may be compromised, as KubeHound does).
pub const DEFAULT_SOURCES: [Source; 3] = [Source::Internet, Source::Authenticated, Source::AllPods];

/// The default targets: cluster-admin, nodes, and the secrets of kube-system.
pub const DEFAULT_TARGETS: [Target; 3] = [
    Target::ClusterAdmin,
    Target::Nodes,
    Target::KubeSystemSecrets,
];

/// The search's bounds.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest path, in techniques.
    pub max_depth: usize,
    /// Most paths reported.
    pub max_paths: usize,
    /// Most vertices visited, over every target set's walk.
    pub max_visits: usize,
    /// Longest time the walks may take.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 6,
            max_paths: 100,
            max_visits: 10_000_000,
            timeout: Duration::from_secs(60),
        }
    }
}

/// Which caps cut the answer short.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Truncated {
    /// Some vertex lies beyond `max_depth`: longer paths may exist.
    pub depth: bool,
    /// More paths were found than `max_paths`; the shortest were kept.
    pub paths: bool,
    /// The walks stopped after `max_visits` vertices.
    pub visits: bool,
    /// The walks stopped at the deadline.
    pub time: bool,
}

impl Truncated {
    /// Whether any cap was hit.
    pub fn any(&self) -> bool {
        self.depth || self.paths || self.visits || self.time
    }
}

/// One step of a path.
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    /// The technique (`POD_EXEC`).
    pub technique: Technique,
    /// What it does, in words.
    pub title: &'static str,
    /// Its ATT&CK id.
    pub mitre: &'static str,
    /// Where the attacker is, readable.
    pub from: String,
    /// Its stable id.
    pub from_id: String,
    /// Where the technique takes them, readable.
    pub to: String,
    /// Its stable id.
    pub to_id: String,
    /// Why the edge exists.
    pub evidence: Evidence,
}

/// A shortest path from a source to the nearest vertex of a target set.
#[derive(Debug, Clone, Serialize)]
pub struct AttackPath {
    /// The source vertex, readable.
    pub source: String,
    /// Its stable id.
    pub source_id: String,
    /// The target reached, readable.
    pub target: String,
    /// Its stable id.
    pub target_id: String,
    /// The target set asked for (`cluster-admin`, `nodes`, ...).
    pub goal: String,
    /// Number of techniques.
    pub length: usize,
    /// The techniques, in order.
    pub hops: Vec<Hop>,
    #[serde(skip)]
    vertices: Vec<VertexId>,
    #[serde(skip)]
    edges: Vec<u32>,
    #[serde(skip)]
    rank: (u8, usize),
}

impl AttackPath {
    /// The edges of the path, as indices into [`Graph::edges`].
    pub fn edge_indices(&self) -> &[u32] {
        &self.edges
    }

    /// The vertices of the path, source first.
    pub fn vertex_ids(&self) -> &[VertexId] {
        &self.vertices
    }
}

/// The answer: paths, and what was cut short.
#[derive(Debug, Clone, Serialize)]
pub struct PathsResult {
    /// The paths, sorted: internet first, then any authenticated user, then the other sources;
    /// within each, by goal as asked, length, and source.
    pub paths: Vec<AttackPath>,
    /// Caps hit.
    pub truncated: Truncated,
    /// Vertices and edges of the whole graph.
    pub graph: GraphSize,
}

/// The size of the graph searched.
#[derive(Debug, Clone, Serialize)]
pub struct GraphSize {
    /// Vertices.
    pub vertices: usize,
    /// Edges.
    pub edges: usize,
}

/// A named source that is not in the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotFound(pub String);

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not among the inputs", self.0)
    }
}

impl std::error::Error for NotFound {}

/// The vertices of a source, with their rank (the order sources are listed in).
fn source_vertices(g: &Graph, source: &Source) -> Result<Vec<VertexId>, NotFound> {
    let found = |v: Option<VertexId>, what: String| v.map(|v| vec![v]).ok_or(NotFound(what));
    match source {
        Source::Internet => found(
            g.find(VertexKind::Internet, None, "internet", None),
            "the internet".to_owned(),
        ),
        Source::Authenticated => found(
            g.find(VertexKind::Group, None, crate::build::AUTHENTICATED, None),
            "system:authenticated".to_owned(),
        ),
        Source::AllPods => Ok(g
            .vertex_ids()
            .filter(|&v| g.kind(v) == Some(VertexKind::Pod))
            .collect()),
        Source::Pod { namespace, name } => {
            let pods: Vec<VertexId> = g
                .vertex_ids()
                .filter(|&v| {
                    g.kind(v) == Some(VertexKind::Pod)
                        && g.namespace(v) == Some(namespace.as_str())
                        && g.name(v) == name
                })
                .collect();
            if pods.is_empty() {
                Err(NotFound(format!("pod {namespace}/{name}")))
            } else {
                Ok(pods)
            }
        }
        Source::ServiceAccount { namespace, name } => found(
            g.find(VertexKind::ServiceAccount, Some(namespace), name, None),
            format!("service account {namespace}/{name}"),
        ),
        Source::User(name) => found(
            g.find(VertexKind::User, None, name, None),
            format!("user {name} (no binding names it)"),
        ),
        Source::Group(name) => found(
            g.find(VertexKind::Group, None, name, None),
            format!("group {name} (no binding names it)"),
        ),
    }
}

fn target_vertices(g: &Graph, target: &Target) -> Vec<VertexId> {
    g.vertex_ids()
        .filter(|&v| match target {
            Target::ClusterAdmin => g.kind(v) == Some(VertexKind::ClusterAdmin),
            Target::Nodes => g.kind(v) == Some(VertexKind::Node),
            Target::KubeSystemSecrets => {
                g.kind(v) == Some(VertexKind::Secrets) && g.namespace(v) == Some("kube-system")
            }
            Target::Secrets => g.kind(v) == Some(VertexKind::Secrets),
            Target::ServiceAccount { namespace, name } => {
                g.kind(v) == Some(VertexKind::ServiceAccount)
                    && g.namespace(v) == Some(namespace.as_str())
                    && g.name(v) == name
            }
        })
        .collect()
}

const UNSEEN: u32 = u32::MAX;

/// Finds the shortest path from every source to each target set, within `limits`.
pub fn find_paths(
    g: &Graph,
    sources: &[Source],
    targets: &[Target],
    limits: &Limits,
) -> Result<PathsResult, NotFound> {
    let started = Instant::now();
    let mut truncated = Truncated::default();
    let mut ranked_sources: Vec<(VertexId, u8)> = Vec::new();
    // A source named twice (`pods` and `pod:NS/NAME`) is searched from once, at its first rank.
    let mut seen = vec![false; g.vertex_count()];
    for source in sources {
        let rank = match source {
            Source::Internet => 0,
            Source::Authenticated => 1,
            _ => 2,
        };
        for v in source_vertices(g, source)? {
            if let Some(seen) = seen.get_mut(v as usize)
                && !*seen
            {
                *seen = true;
                ranked_sources.push((v, rank));
            }
        }
    }
    let n = g.vertex_count();
    let mut visits = 0usize;
    let mut paths = Vec::new();
    // One distance array, reused by every target set's walk.
    let mut next_edge: Vec<u32> = vec![UNSEEN; n];
    let mut dist: Vec<u32> = vec![UNSEEN; n];
    'goals: for (goal_index, target) in targets.iter().enumerate() {
        next_edge.fill(UNSEEN);
        dist.fill(UNSEEN);
        let mut queue = VecDeque::new();
        for t in target_vertices(g, target) {
            if let Some(d) = dist.get_mut(t as usize) {
                *d = 0;
                queue.push_back(t);
            }
        }
        let depth = u32::try_from(limits.max_depth).unwrap_or(u32::MAX);
        while let Some(v) = queue.pop_front() {
            visits += 1;
            if visits > limits.max_visits {
                truncated.visits = true;
                break;
            }
            if visits % 1024 == 0 && started.elapsed() > limits.timeout {
                truncated.time = true;
                break;
            }
            let d = dist.get(v as usize).copied().unwrap_or(UNSEEN);
            for &e in g.incoming(v) {
                let Some(edge) = g.edge_at(e) else { continue };
                let u = edge.from as usize;
                if dist.get(u) != Some(&UNSEEN) {
                    continue;
                }
                if d >= depth {
                    truncated.depth = true;
                    continue;
                }
                if let (Some(du), Some(nu)) = (dist.get_mut(u), next_edge.get_mut(u)) {
                    *du = d + 1;
                    *nu = e;
                    queue.push_back(edge.from);
                }
            }
        }
        for &(source, rank) in &ranked_sources {
            let Some(&d) = dist.get(source as usize) else {
                continue;
            };
            if d == UNSEEN || d == 0 {
                continue;
            }
            let mut vertices = vec![source];
            let mut edges = Vec::new();
            let mut at = source;
            while let Some(&e) = next_edge.get(at as usize) {
                if e == UNSEEN {
                    break;
                }
                let Some(edge) = g.edge_at(e) else { break };
                edges.push(e);
                at = edge.to;
                vertices.push(at);
                if edges.len() > n {
                    break;
                }
            }
            paths.push(AttackPath {
                source: g.label(source),
                source_id: g.id_of(source),
                target: g.label(at),
                target_id: g.id_of(at),
                goal: target.to_string(),
                length: edges.len(),
                hops: Vec::new(),
                vertices,
                edges,
                rank: (rank, goal_index),
            });
        }
        if truncated.visits || truncated.time {
            break 'goals;
        }
    }
    paths.sort_by(|a, b| {
        (a.rank, a.length, &a.source_id, &a.target_id).cmp(&(
            b.rank,
            b.length,
            &b.source_id,
            &b.target_id,
        ))
    });
    if paths.len() > limits.max_paths {
        truncated.paths = true;
        paths.truncate(limits.max_paths);
    }
    for path in &mut paths {
        path.hops = path
            .edges
            .iter()
            .filter_map(|&e| g.edge_at(e))
            .map(|edge| Hop {
                technique: edge.technique,
                title: edge.technique.title(),
                mitre: edge.technique.mitre(),
                from: g.label(edge.from),
                from_id: g.id_of(edge.from),
                to: g.label(edge.to),
                to_id: g.id_of(edge.to),
                evidence: g.evidence_of(edge).cloned().unwrap_or(Evidence {
                    detail: String::new(),
                    location: None,
                    object: None,
                    field: None,
                    bindings: Vec::new(),
                }),
            })
            .collect();
    }
    Ok(PathsResult {
        paths,
        truncated,
        graph: GraphSize {
            vertices: g.vertex_count(),
            edges: g.edge_count(),
        },
    })
}
