//! Checks on namespaces (`HRR-NS`): objects left in `default`, and the Pod Security Admission
//! level each Namespace enforces.

use harrier_k8s::Object;

use crate::Check;

mod default_namespace_used;
mod namespace_pss_privileged;
mod namespace_without_pss_labels;

/// The group's checks, sorted by id.
pub static CHECKS: &[&Check] = &[
    &default_namespace_used::CHECK,
    &namespace_without_pss_labels::CHECK,
    &namespace_pss_privileged::CHECK,
];

/// The label Pod Security Admission enforces.
const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";

/// Whether the object is a core-group Namespace.
fn is_namespace(object: &Object) -> bool {
    object.kind() == "Namespace" && object.group().is_empty()
}

/// "namespace `shop`".
fn describe(object: &Object) -> String {
    format!(
        "namespace `{}`",
        object.resource.name.as_deref().unwrap_or("<unnamed>")
    )
}
