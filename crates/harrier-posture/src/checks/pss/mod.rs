//! Pod Security Standards, evaluated as the upstream pod-security-admission library does at its
//! latest policy version (v1.37): one Harrier check per upstream check id, so a finding's id maps
//! to exactly one control.
//!
//! Upstream returns one allowed/forbidden result per control with a combined detail string;
//! Harrier emits one finding per offending field instead (per container for container fields),
//! so each finding points at the line to change. Whether a control fails is exactly upstream's
//! answer: a control raises at least one finding if and only if upstream forbids the pod. Where
//! upstream reports only the explicit offenders of a control and stays silent about the
//! implicit ones until those are fixed (`runAsNonRoot`, `seccompProfile_restricted`), Harrier
//! reports both at once.
//!
//! Manifests are read raw, without API defaulting or validation, as upstream sees a pod
//! template: an unset `allowPrivilegeEscalation` or `seccompProfile` is a violation at
//! restricted, not a default to fill in.
//!
//! [`CONTROLS`] is the table `pod_security` computes a workload's level from.

use harrier_core::{CheckId, PssLevel};
use harrier_k8s::k8s_openapi::api::core::v1::PodSpec;

use crate::Check;

mod allow_privilege_escalation;
mod apparmor_profile;
mod capabilities_baseline;
mod capabilities_restricted;
mod host_namespaces;
mod host_path_volumes;
mod host_ports;
mod host_probes_and_host_lifecycle;
mod privileged;
mod proc_mount;
mod proc_mount_restricted;
mod restricted_volumes;
mod run_as_non_root;
mod run_as_user;
mod seccomp_profile_baseline;
mod seccomp_profile_restricted;
mod selinux_options;
mod sysctls;
mod windows_host_process;

/// A Pod Security Standards control as upstream defines it.
#[derive(Debug, Clone, Copy)]
pub struct Control {
    /// The Harrier check that evaluates it.
    pub check: CheckId,
    /// The upstream check id, such as `hostNamespaces`.
    pub upstream_id: &'static str,
    /// The level that requires it.
    pub level: PssLevel,
    /// Whether the restricted level evaluates it. False for the four baseline controls that a
    /// stricter restricted control replaces (`hostPathVolumes`, `seccompProfile_baseline`,
    /// `capabilities_baseline`, `procMount`), as upstream's `OverrideCheckIDs` do.
    pub in_restricted: bool,
}

const fn baseline(check: &'static str, upstream_id: &'static str, in_restricted: bool) -> Control {
    Control {
        check: CheckId::from_static(check),
        upstream_id,
        level: PssLevel::Baseline,
        in_restricted,
    }
}

const fn restricted(check: &'static str, upstream_id: &'static str) -> Control {
    Control {
        check: CheckId::from_static(check),
        upstream_id,
        level: PssLevel::Restricted,
        in_restricted: true,
    }
}

/// Every control, in upstream evaluation order: baseline ids in Go byte order, then restricted
/// ids in Go byte order (so `seLinuxOptions` sorts before `seccompProfile_baseline`, 'L' < 'c').
pub static CONTROLS: &[Control] = &[
    baseline("HRR-PSS-010", "appArmorProfile", true),
    // Overridden by capabilities_restricted.
    baseline("HRR-PSS-005", "capabilities_baseline", false),
    baseline("HRR-PSS-002", "hostNamespaces", true),
    // Overridden by restrictedVolumes.
    baseline("HRR-PSS-003", "hostPathVolumes", false),
    baseline("HRR-PSS-004", "hostPorts", true),
    baseline("HRR-PSS-012", "hostProbesAndHostLifecycle", true),
    baseline("HRR-PSS-001", "privileged", true),
    // Overridden by procMount_restricted (from policy v1.35).
    baseline("HRR-PSS-006", "procMount", false),
    baseline("HRR-PSS-008", "seLinuxOptions", true),
    // Overridden by seccompProfile_restricted.
    baseline("HRR-PSS-007", "seccompProfile_baseline", false),
    baseline("HRR-PSS-009", "sysctls", true),
    baseline("HRR-PSS-011", "windowsHostProcess", true),
    restricted("HRR-PSS-013", "allowPrivilegeEscalation"),
    restricted("HRR-PSS-017", "capabilities_restricted"),
    restricted("HRR-PSS-019", "procMount_restricted"),
    restricted("HRR-PSS-018", "restrictedVolumes"),
    restricted("HRR-PSS-014", "runAsNonRoot"),
    restricted("HRR-PSS-015", "runAsUser"),
    restricted("HRR-PSS-016", "seccompProfile_restricted"),
];

/// The group's checks, sorted by id.
pub static CHECKS: &[&Check] = &[
    &privileged::CHECK,
    &host_namespaces::CHECK,
    &host_path_volumes::CHECK,
    &host_ports::CHECK,
    &capabilities_baseline::CHECK,
    &proc_mount::CHECK,
    &seccomp_profile_baseline::CHECK,
    &selinux_options::CHECK,
    &sysctls::CHECK,
    &apparmor_profile::CHECK,
    &windows_host_process::CHECK,
    &host_probes_and_host_lifecycle::CHECK,
    &allow_privilege_escalation::CHECK,
    &run_as_non_root::CHECK,
    &run_as_user::CHECK,
    &seccomp_profile_restricted::CHECK,
    &capabilities_restricted::CHECK,
    &restricted_volumes::CHECK,
    &proc_mount_restricted::CHECK,
];

/// Whether the pod declares `spec.os.name: windows`, which exempts it from the restricted
/// `allowPrivilegeEscalation`, `seccompProfile_restricted` and `capabilities_restricted`
/// controls (policy v1.25+). The match is exact, as upstream compares with `corev1.Windows`.
pub(super) fn is_windows(spec: &PodSpec) -> bool {
    spec.os.as_ref().is_some_and(|os| os.name == "windows")
}

/// Whether the pod runs in its own user namespace (`spec.hostUsers: false`), which relaxes
/// `procMount`, `runAsNonRoot` and `runAsUser` (policy v1.35+): root and an unmasked /proc
/// inside the namespace map to an unprivileged user on the node. Unset means host users.
pub(super) fn has_user_namespace(spec: &PodSpec) -> bool {
    spec.host_users == Some(false)
}

/// A string value as a message shows it: empty strings are made visible.
pub(super) fn shown(value: &str) -> &str {
    if value.is_empty() { "\"\"" } else { value }
}

/// What a pod or container sets in a profile field such as `securityContext.seccompProfile`:
/// its `type`, or that the type is empty or missing (both read as `""`).
pub(super) fn profile_setting(field: &str, type_: &str) -> String {
    if type_.is_empty() {
        format!("sets `{field}` with an empty or missing `type`")
    } else {
        format!("sets `{field}.type: {type_}`")
    }
}

/// `procMount` values both procMount controls allow: unset or `Default`.
pub(super) fn is_default_proc_mount(value: Option<&str>) -> bool {
    value.is_none_or(|v| v == "Default")
}

/// Seccomp profile types allowed wherever a profile is set.
pub(super) fn is_confining_seccomp(type_: &str) -> bool {
    matches!(type_, "RuntimeDefault" | "Localhost")
}

