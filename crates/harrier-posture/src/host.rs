//! What a pod spec gives a container of its node: host paths as the kubelet resolves them,
//! which of them are sensitive or a container runtime's socket, and capability names as the
//! runtime reads them.
//!
//! The pod checks and the attack-path graph (`harrier-graph`) must agree on these readings, so
//! they are the checks' own helpers, re-exported here rather than written twice.

use harrier_k8s::k8s_openapi::api::core::v1::{PodSpec, Volume};

use crate::checks::pod;

/// A host path as the kubelet resolves it (`/var/../etc/` reads as `/etc`).
pub fn normalize_host_path(path: &str) -> String {
    pod::normalize_host_path(path)
}

/// Whether normalised `path` is `dir` or inside it (`/` matches only itself).
pub fn is_at_or_under(path: &str, dir: &str) -> bool {
    pod::is_at_or_under(path, dir)
}

/// The pod's hostPath volumes: index in `volumes`, the volume, and its normalised path.
pub fn host_path_volumes(spec: &PodSpec) -> impl Iterator<Item = (usize, &Volume, String)> {
    pod::host_path_volumes(spec)
}

/// Whether a normalised host path is a container runtime socket or a directory holding one.
pub fn is_runtime_socket(path: &str) -> bool {
    pod::is_runtime_socket(path)
}

/// What a normalised host path exposes when it is one of the sensitive host directories (or
/// inside one), as `sensitive-host-path-mounted` reports it; `None` for other paths.
pub fn sensitive_host_path(path: &str) -> Option<&'static str> {
    pod::sensitive_host_path_mounted::SENSITIVE
        .iter()
        .find(|(dir, _)| pod::is_at_or_under(path, dir))
        .map(|(_, what)| *what)
}

/// A capability name as the runtime reads it: upper case, without `CAP_`.
pub fn capability_name(raw: &str) -> String {
    pod::capability_name(raw)
}
