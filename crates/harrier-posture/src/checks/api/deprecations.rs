//! Every API version and kind Kubernetes has deprecated or stopped serving, with the release of
//! each step and what replaces it.
//!
//! Sources: the Kubernetes "Deprecated API Migration Guide" for the removals it lists (1.16,
//! 1.22, 1.25, 1.26, 1.27, 1.29, 1.32), release notes for older alpha APIs, and the API
//! definitions each release serves (the k8s-openapi crate, releases 1.33 to 1.37) for what
//! disappeared since. Beta versions introduced since 1.31 carry the API server's default beta
//! lifecycle (deprecated three releases after introduction, removed three releases later), which
//! the served definitions confirm wherever a removal has already happened. Alpha versions are
//! removed without a deprecation period, so they have no deprecation release.
//!
//! [`LATEST`] follows the Kubernetes release whose API definitions Harrier decodes objects with
//! (the `k8s-openapi` feature); bump both together.

use std::fmt;

/// A Kubernetes minor release, such as 1.22.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Release(pub(super) u8, pub(super) u8);

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// The newest Kubernetes release the checks know about.
pub(super) const LATEST: Release = Release(1, 37);

/// What to use instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Replacement {
    /// The same kind in another API version.
    Version(&'static str),
    /// Another kind, in the given API version.
    Kind(&'static str, &'static str),
    /// No API replaces it; the advice says what does.
    Nothing(&'static str),
}

impl fmt::Display for Replacement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Replacement::Version(v) => write!(f, "use `{v}`"),
            Replacement::Kind(v, k) => write!(f, "use {k} from `{v}`"),
            Replacement::Nothing(advice) => f.write_str(advice),
        }
    }
}

/// One deprecated or removed API version of one kind.
#[derive(Debug, Clone, Copy)]
pub(super) struct Deprecation {
    pub(super) api_version: &'static str,
    pub(super) kind: &'static str,
    /// The release that deprecated it; `None` for alpha versions, removed without deprecation.
    pub(super) deprecated: Option<Release>,
    /// The first release that no longer serves it; `None` when no removal is planned.
    pub(super) removed: Option<Release>,
    pub(super) replacement: Replacement,
}

impl Deprecation {
    /// Whether [`LATEST`] no longer serves it.
    pub(super) fn is_removed(&self) -> bool {
        self.removed.is_some_and(|r| r <= LATEST)
    }

    /// Whether [`LATEST`] still serves it but it is deprecated.
    pub(super) fn is_deprecated(&self) -> bool {
        !self.is_removed() && self.deprecated.is_some_and(|d| d <= LATEST)
    }
}

/// The entry for an object's `apiVersion` and `kind`.
pub(super) fn lookup(api_version: &str, kind: &str) -> Option<&'static Deprecation> {
    TABLE
        .iter()
        .find(|d| d.api_version == api_version && d.kind == kind)
}

const fn entry(
    api_version: &'static str,
    kind: &'static str,
    deprecated: Option<Release>,
    removed: Option<Release>,
    replacement: Replacement,
) -> Deprecation {
    Deprecation {
        api_version,
        kind,
        deprecated,
        removed,
        replacement,
    }
}

const fn r(minor: u8) -> Option<Release> {
    Some(Release(1, minor))
}

use Replacement::{Kind, Nothing, Version};

const APPS: Replacement = Version("apps/v1");
const RBAC: Replacement = Version("rbac.authorization.k8s.io/v1");
const NO_PSP: Replacement = Nothing(
    "PodSecurityPolicy has no replacement API: enforce Pod Security Standards with Pod Security Admission",
);

/// Grouped by API group, one line per kind.
#[rustfmt::skip]
pub(super) const TABLE: &[Deprecation] = &[
    // admissionregistration.k8s.io
    entry("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy", r(37), r(40), Version("admissionregistration.k8s.io/v1")),
    entry("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicyBinding", r(37), r(40), Version("admissionregistration.k8s.io/v1")),
    entry("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", r(16), r(22), Version("admissionregistration.k8s.io/v1")),
    entry("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy", r(31), r(34), Version("admissionregistration.k8s.io/v1")),
    entry("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicyBinding", r(31), r(34), Version("admissionregistration.k8s.io/v1")),
    entry("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", r(16), r(22), Version("admissionregistration.k8s.io/v1")),
    // apiextensions.k8s.io, apiregistration.k8s.io
    entry("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", r(16), r(22), Version("apiextensions.k8s.io/v1")),
    entry("apiregistration.k8s.io/v1beta1", "APIService", r(19), r(22), Version("apiregistration.k8s.io/v1")),
    // apps, extensions
    entry("apps/v1beta1", "ControllerRevision", r(9), r(16), APPS),
    entry("apps/v1beta1", "Deployment", r(9), r(16), APPS),
    entry("apps/v1beta1", "ReplicaSet", r(9), r(16), APPS),
    entry("apps/v1beta1", "StatefulSet", r(9), r(16), APPS),
    entry("apps/v1beta2", "ControllerRevision", r(9), r(16), APPS),
    entry("apps/v1beta2", "DaemonSet", r(9), r(16), APPS),
    entry("apps/v1beta2", "Deployment", r(9), r(16), APPS),
    entry("apps/v1beta2", "ReplicaSet", r(9), r(16), APPS),
    entry("apps/v1beta2", "StatefulSet", r(9), r(16), APPS),
    entry("extensions/v1beta1", "DaemonSet", r(9), r(16), APPS),
    entry("extensions/v1beta1", "Deployment", r(9), r(16), APPS),
    entry("extensions/v1beta1", "Ingress", r(14), r(22), Version("networking.k8s.io/v1")),
    entry("extensions/v1beta1", "NetworkPolicy", r(9), r(16), Version("networking.k8s.io/v1")),
    entry("extensions/v1beta1", "PodSecurityPolicy", r(10), r(16), NO_PSP),
    entry("extensions/v1beta1", "ReplicaSet", r(9), r(16), APPS),
    // authentication.k8s.io, authorization.k8s.io
    entry("authentication.k8s.io/v1beta1", "TokenReview", r(19), r(22), Version("authentication.k8s.io/v1")),
    entry("authorization.k8s.io/v1beta1", "LocalSubjectAccessReview", r(19), r(22), Version("authorization.k8s.io/v1")),
    entry("authorization.k8s.io/v1beta1", "SelfSubjectAccessReview", r(19), r(22), Version("authorization.k8s.io/v1")),
    entry("authorization.k8s.io/v1beta1", "SelfSubjectRulesReview", r(19), r(22), Version("authorization.k8s.io/v1")),
    entry("authorization.k8s.io/v1beta1", "SubjectAccessReview", r(19), r(22), Version("authorization.k8s.io/v1")),
    // autoscaling
    entry("autoscaling/v2beta1", "HorizontalPodAutoscaler", r(22), r(25), Version("autoscaling/v2")),
    entry("autoscaling/v2beta2", "HorizontalPodAutoscaler", r(23), r(26), Version("autoscaling/v2")),
    // batch
    entry("batch/v1beta1", "CronJob", r(21), r(25), Version("batch/v1")),
    entry("batch/v2alpha1", "CronJob", None, r(21), Version("batch/v1")),
    // certificates.k8s.io
    entry("certificates.k8s.io/v1alpha1", "ClusterTrustBundle", r(34), r(37), Version("certificates.k8s.io/v1")),
    entry("certificates.k8s.io/v1alpha1", "PodCertificateRequest", None, r(35), Version("certificates.k8s.io/v1")),
    entry("certificates.k8s.io/v1beta1", "CertificateSigningRequest", r(19), r(22), Version("certificates.k8s.io/v1")),
    entry("certificates.k8s.io/v1beta1", "ClusterTrustBundle", r(36), r(39), Version("certificates.k8s.io/v1")),
    // coordination.k8s.io
    entry("coordination.k8s.io/v1beta1", "Lease", r(19), r(22), Version("coordination.k8s.io/v1")),
    // core
    entry("v1", "ComponentStatus", r(19), None, Nothing("query the API server's `/livez` and `/readyz` endpoints instead")),
    entry("v1", "Endpoints", r(33), None, Kind("discovery.k8s.io/v1", "EndpointSlice")),
    // discovery.k8s.io, events.k8s.io
    entry("discovery.k8s.io/v1beta1", "EndpointSlice", r(21), r(25), Version("discovery.k8s.io/v1")),
    entry("events.k8s.io/v1beta1", "Event", r(19), r(25), Version("events.k8s.io/v1")),
    // flowcontrol.apiserver.k8s.io
    entry("flowcontrol.apiserver.k8s.io/v1alpha1", "FlowSchema", None, r(21), Version("flowcontrol.apiserver.k8s.io/v1")),
    entry("flowcontrol.apiserver.k8s.io/v1alpha1", "PriorityLevelConfiguration", None, r(21), Version("flowcontrol.apiserver.k8s.io/v1")),
    entry("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", r(23), r(26), Version("flowcontrol.apiserver.k8s.io/v1")),
    entry("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", r(23), r(26), Version("flowcontrol.apiserver.k8s.io/v1")),
    entry("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", r(26), r(29), Version("flowcontrol.apiserver.k8s.io/v1")),
    entry("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", r(26), r(29), Version("flowcontrol.apiserver.k8s.io/v1")),
    entry("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", r(29), r(32), Version("flowcontrol.apiserver.k8s.io/v1")),
    entry("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", r(29), r(32), Version("flowcontrol.apiserver.k8s.io/v1")),
    // networking.k8s.io
    entry("networking.k8s.io/v1beta1", "IPAddress", r(34), r(37), Version("networking.k8s.io/v1")),
    entry("networking.k8s.io/v1beta1", "Ingress", r(19), r(22), Version("networking.k8s.io/v1")),
    entry("networking.k8s.io/v1beta1", "IngressClass", r(19), r(22), Version("networking.k8s.io/v1")),
    entry("networking.k8s.io/v1beta1", "ServiceCIDR", r(34), r(37), Version("networking.k8s.io/v1")),
    // node.k8s.io
    entry("node.k8s.io/v1beta1", "RuntimeClass", r(22), r(25), Version("node.k8s.io/v1")),
    // policy
    entry("policy/v1beta1", "PodDisruptionBudget", r(21), r(25), Version("policy/v1")),
    entry("policy/v1beta1", "PodSecurityPolicy", r(21), r(25), NO_PSP),
    // rbac.authorization.k8s.io
    entry("rbac.authorization.k8s.io/v1alpha1", "ClusterRole", r(17), r(22), RBAC),
    entry("rbac.authorization.k8s.io/v1alpha1", "ClusterRoleBinding", r(17), r(22), RBAC),
    entry("rbac.authorization.k8s.io/v1alpha1", "Role", r(17), r(22), RBAC),
    entry("rbac.authorization.k8s.io/v1alpha1", "RoleBinding", r(17), r(22), RBAC),
    entry("rbac.authorization.k8s.io/v1beta1", "ClusterRole", r(17), r(22), RBAC),
    entry("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", r(17), r(22), RBAC),
    entry("rbac.authorization.k8s.io/v1beta1", "Role", r(17), r(22), RBAC),
    entry("rbac.authorization.k8s.io/v1beta1", "RoleBinding", r(17), r(22), RBAC),
    // resource.k8s.io (Dynamic Resource Allocation)
    entry("resource.k8s.io/v1alpha2", "PodSchedulingContext", None, r(31), Nothing("scheduling contexts are gone: the scheduler allocates devices from ResourceClaims itself")),
    entry("resource.k8s.io/v1alpha2", "ResourceClaim", None, r(31), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1alpha2", "ResourceClaimParameters", None, r(31), Nothing("claim parameters moved into the ResourceClaim's device requests (`resource.k8s.io/v1`)")),
    entry("resource.k8s.io/v1alpha2", "ResourceClaimTemplate", None, r(31), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1alpha2", "ResourceClass", None, r(31), Kind("resource.k8s.io/v1", "DeviceClass")),
    entry("resource.k8s.io/v1alpha2", "ResourceClassParameters", None, r(31), Kind("resource.k8s.io/v1", "DeviceClass")),
    entry("resource.k8s.io/v1alpha2", "ResourceSlice", None, r(31), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1alpha3", "DeviceClass", None, r(34), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1alpha3", "ResourceClaim", None, r(34), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1alpha3", "ResourceClaimTemplate", None, r(34), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1alpha3", "ResourceSlice", None, r(34), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1beta1", "DeviceClass", r(35), r(38), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1beta1", "ResourceClaim", r(35), r(38), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1beta1", "ResourceClaimTemplate", r(35), r(38), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1beta1", "ResourceSlice", r(35), r(38), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1beta2", "DeviceClass", r(36), r(39), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1beta2", "ResourceClaim", r(36), r(39), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1beta2", "ResourceClaimTemplate", r(36), r(39), Version("resource.k8s.io/v1")),
    entry("resource.k8s.io/v1beta2", "ResourceSlice", r(36), r(39), Version("resource.k8s.io/v1")),
    // scheduling.k8s.io
    entry("scheduling.k8s.io/v1alpha1", "PriorityClass", r(14), r(17), Version("scheduling.k8s.io/v1")),
    entry("scheduling.k8s.io/v1alpha1", "Workload", None, r(36), Version("scheduling.k8s.io/v1beta1")),
    entry("scheduling.k8s.io/v1alpha2", "PodGroup", None, r(37), Version("scheduling.k8s.io/v1beta1")),
    entry("scheduling.k8s.io/v1alpha2", "Workload", None, r(37), Version("scheduling.k8s.io/v1beta1")),
    entry("scheduling.k8s.io/v1beta1", "PriorityClass", r(14), r(22), Version("scheduling.k8s.io/v1")),
    // settings.k8s.io
    entry("settings.k8s.io/v1alpha1", "PodPreset", None, r(20), Nothing("PodPreset has no replacement: set the fields in the pod templates or with a mutating admission policy")),
    // storage.k8s.io
    entry("storage.k8s.io/v1alpha1", "VolumeAttributesClass", None, r(35), Version("storage.k8s.io/v1")),
    entry("storage.k8s.io/v1beta1", "CSIDriver", r(19), r(22), Version("storage.k8s.io/v1")),
    entry("storage.k8s.io/v1beta1", "CSINode", r(17), r(22), Version("storage.k8s.io/v1")),
    entry("storage.k8s.io/v1beta1", "CSIStorageCapacity", r(24), r(27), Version("storage.k8s.io/v1")),
    entry("storage.k8s.io/v1beta1", "StorageClass", r(19), r(22), Version("storage.k8s.io/v1")),
    entry("storage.k8s.io/v1beta1", "VolumeAttachment", r(19), r(22), Version("storage.k8s.io/v1")),
    entry("storage.k8s.io/v1beta1", "VolumeAttributesClass", r(34), r(37), Version("storage.k8s.io/v1")),
    // storagemigration.k8s.io
    entry("storagemigration.k8s.io/v1alpha1", "StorageVersionMigration", None, r(35), Version("storagemigration.k8s.io/v1")),
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn table_is_consistent() {
        let mut seen = HashSet::new();
        for d in TABLE {
            assert!(
                seen.insert((d.api_version, d.kind)),
                "{} {} listed twice",
                d.api_version,
                d.kind
            );
            assert!(
                d.deprecated.is_some() || d.removed.is_some(),
                "{} {}",
                d.api_version,
                d.kind
            );
            if let (Some(dep), Some(rem)) = (d.deprecated, d.removed) {
                assert!(
                    dep < rem,
                    "{} {}: deprecated after removal",
                    d.api_version,
                    d.kind
                );
            }
            match d.replacement {
                Replacement::Version(v) | Replacement::Kind(v, _) => {
                    assert_ne!(v, d.api_version, "{} {}", d.api_version, d.kind);
                    // A replacement must not itself be removed.
                    let kind = match d.replacement {
                        Replacement::Kind(_, k) => k,
                        _ => d.kind,
                    };
                    assert!(
                        lookup(v, kind).is_none_or(|r| !r.is_removed()),
                        "{} {}",
                        d.api_version,
                        d.kind
                    );
                }
                Replacement::Nothing(advice) => assert!(!advice.is_empty()),
            }
        }
    }

    #[test]
    fn classifies_against_the_latest_release() {
        let ingress = lookup("extensions/v1beta1", "Ingress");
        assert!(ingress.is_some_and(Deprecation::is_removed));
        let endpoints = lookup("v1", "Endpoints");
        assert!(endpoints.is_some_and(|d| d.is_deprecated() && !d.is_removed()));
        assert!(lookup("apps/v1", "Deployment").is_none());
    }
}
