//! The attack-path graph: how an attacker moves from an entry point (the internet, any
//! authenticated user, a compromised pod) to what they want (cluster-admin, a node, the secrets
//! of kube-system), one technique at a time.
//!
//! Vertices ([`VertexKind`]) are identities (service accounts, users, groups), pod
//! controllers, pods (a template stands for all its pods), containers, nodes (by name when a
//! pod names its node, else one symbolic "any node"), hostPath and projected token volumes,
//! the secrets of each namespace, and the cluster-admin and namespace-admin equivalents. Edges
//! are attack techniques ([`Technique`]), each with its MITRE ATT&CK id and the
//! [`Evidence`] that creates it: the object and field with file:line, or the bindings.
//!
//! [`build`] reads an [`ObjectIndex`](harrier_k8s::ObjectIndex), the RBAC resolved by
//! `harrier_posture::rbac` and the exposed pods; [`find_paths`] answers with the shortest path
//! from each source to each target set, within [`Limits`]. Rendering is `harrier-report`'s.
//! docs/attack-paths.md lists every technique and its condition.
#![warn(missing_docs)]

mod build;
mod graph;
mod search;
mod technique;
#[cfg(test)]
mod tests;

pub use build::{AUTHENTICATED, BuildOptions, build};
pub use graph::{ANY_NODE, Edge, Evidence, Graph, Vertex, VertexId, VertexKind};
pub use search::{
    AttackPath, DEFAULT_SOURCES, DEFAULT_TARGETS, GraphSize, Hop, Limits, NotFound, ParseError,
    PathsResult, Source, Target, Truncated, find_paths,
};
pub use technique::{Technique, TechniqueMeta};

use harrier_core::Location;

/// A pod reachable from outside the cluster, as the exposure analysis found it.
#[derive(Debug, Clone)]
pub struct Exposure {
    /// The index of the pod's object (Pod or controller) in the object index.
    pub workload: usize,
    /// How it is exposed (`Service default/web (LoadBalancer) selects its pods`).
    pub detail: String,
    /// The object exposing it (`Service default/web`).
    pub via: String,
    /// Where that object, or its field, is.
    pub location: Location,
    /// The field, when one is the evidence.
    pub field: Option<String>,
}

/// The entry points of `harrier_posture::exposure::analyse`'s answer: one per external route
/// of each workload, most exposed first. Routes that something restricts (source ranges, an
/// internal load balancer) are left out: they do not start at the internet.
pub fn exposures(found: &harrier_posture::exposure::Exposure) -> Vec<Exposure> {
    let mut out = Vec::new();
    for workload in &found.workloads {
        for route in &workload.routes {
            if !route.kind.is_external() || route.restriction.is_some() {
                continue;
            }
            let entry = route.evidence.first();
            out.push(Exposure {
                workload: workload.object,
                detail: format!("{}: {}", route.kind, route.summary),
                via: entry
                    .map_or_else(|| workload.resource.to_string(), |e| e.resource.to_string()),
                location: entry.map_or_else(|| workload.location.clone(), |e| e.location.clone()),
                field: entry.map(|e| e.field.clone()),
            });
        }
    }
    out
}
