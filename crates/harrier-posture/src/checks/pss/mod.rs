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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use harrier_core::PssLevel;
    use harrier_core::testing::corpus_path;
    use harrier_k8s::{LoadOptions, ObjectIndex, load, load_text};

    use super::CONTROLS;
    use crate::{ScanOptions, WorkloadPosture, scan};

    /// Upstream's override table at policy v1.37: baseline ids a restricted control replaces.
    const OVERRIDDEN: [&str; 4] = [
        "capabilities_baseline",
        "hostPathVolumes",
        "procMount",
        "seccompProfile_baseline",
    ];

    #[test]
    fn controls_are_in_upstream_evaluation_order() {
        let ids = |level: PssLevel| -> Vec<&str> {
            CONTROLS
                .iter()
                .filter(|c| c.level == level)
                .map(|c| c.upstream_id)
                .collect()
        };
        let (baseline, restricted) = (ids(PssLevel::Baseline), ids(PssLevel::Restricted));
        assert_eq!((baseline.len(), restricted.len()), (12, 7));
        // Go sorts check ids by bytes, which `str` ordering is.
        assert!(baseline.is_sorted(), "{baseline:?}");
        assert!(restricted.is_sorted(), "{restricted:?}");
        let first_restricted = CONTROLS
            .iter()
            .position(|c| c.level == PssLevel::Restricted)
            .unwrap_or(CONTROLS.len());
        assert_eq!(
            first_restricted,
            baseline.len(),
            "baseline controls come first"
        );
        for control in CONTROLS {
            let overridden = OVERRIDDEN.contains(&control.upstream_id);
            assert_eq!(
                control.in_restricted, !overridden,
                "{}",
                control.upstream_id
            );
        }
    }

    fn postures(text: &str) -> Vec<WorkloadPosture> {
        let loaded = load_text(Arc::from("test.yaml"), text);
        assert!(
            loaded.errors.iter().all(|e| e.is_warning()),
            "{:?}",
            loaded.errors
        );
        let (index, errors) = ObjectIndex::build(loaded.objects);
        assert!(errors.iter().all(|e| e.is_warning()), "{errors:?}");
        scan(&index, &ScanOptions::default()).workloads
    }

    fn posture(spec: &str) -> (PssLevel, Vec<&'static str>) {
        let text = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n{spec}");
        match postures(&text).as_slice() {
            [one] => (one.level, one.violations.clone()),
            other => panic!("expected one workload, got {other:?}"),
        }
    }

    const RESTRICTED_CONTAINER: &str = "
  containers:
    - name: app
      image: registry.k8s.io/pause
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
";

    #[test]
    fn minimal_restricted_pod_is_restricted() {
        let spec = format!(
            "  securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}{RESTRICTED_CONTAINER}"
        );
        assert_eq!(posture(&spec), (PssLevel::Restricted, vec![]));
    }

    #[test]
    fn unhardened_pod_is_baseline() {
        let spec = "  containers:\n    - {name: app, image: registry.k8s.io/pause}\n";
        assert_eq!(
            posture(spec),
            (
                PssLevel::Baseline,
                vec![
                    "allowPrivilegeEscalation",
                    "capabilities_restricted",
                    "runAsNonRoot",
                    "seccompProfile_restricted"
                ]
            )
        );
    }

    #[test]
    fn user_namespace_relaxes_baseline_proc_mount_and_restricted_root() {
        // Upstream baseline v1.35 pass fixture: Unmasked is fine at baseline in a user
        // namespace, but restricted still requires the default mask. runAsNonRoot and runAsUser
        // are relaxed at restricted.
        let spec = "  hostUsers: false
  securityContext: {runAsUser: 0, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      image: registry.k8s.io/pause
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}
        procMount: Unmasked
";
        assert_eq!(
            posture(spec),
            (PssLevel::Baseline, vec!["procMount_restricted"])
        );
        let host_users = spec.replace("hostUsers: false", "hostUsers: true");
        assert_eq!(
            posture(&host_users),
            (
                PssLevel::Privileged,
                vec![
                    "procMount",
                    "procMount_restricted",
                    "runAsNonRoot",
                    "runAsUser"
                ]
            )
        );
    }

    #[test]
    fn windows_pods_are_exempt_from_three_restricted_controls_only() {
        let spec = "  os: {name: windows}
  securityContext: {runAsNonRoot: true}
  containers:
    - {name: app, image: registry.k8s.io/pause}
";
        assert_eq!(posture(spec), (PssLevel::Restricted, vec![]));
        let linux = spec.replace("windows", "linux");
        assert_eq!(
            posture(&linux),
            (
                PssLevel::Baseline,
                vec![
                    "allowPrivilegeEscalation",
                    "capabilities_restricted",
                    "seccompProfile_restricted"
                ]
            )
        );
    }

    #[test]
    fn each_level_is_evaluated_on_its_own_controls() {
        // API-invalid manifests upstream admits at restricted although baseline rejects them
        // (spec §1.5): the restricted controls that override the baseline ones exempt Windows
        // pods, or check the allowed volume sources first. The level is the highest one whose
        // own controls pass, as upstream evaluates each level separately.
        let windows_unconfined = "  os: {name: windows}
  securityContext: {runAsNonRoot: true, seccompProfile: {type: Unconfined}}
  containers:
    - name: app
      image: registry.k8s.io/pause
      securityContext: {capabilities: {add: [SYS_ADMIN]}}
";
        assert_eq!(
            posture(windows_unconfined),
            (
                PssLevel::Restricted,
                vec!["capabilities_baseline", "seccompProfile_baseline"]
            )
        );
        let mixed_volume = format!(
            "  securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}
  volumes:
    - {{name: v, emptyDir: {{}}, hostPath: {{path: /}}}}{RESTRICTED_CONTAINER}"
        );
        assert_eq!(
            posture(&mixed_volume),
            (PssLevel::Restricted, vec!["hostPathVolumes"])
        );
    }

    /// Every badPods manifest (BishopFox), by the category its directory names: the level
    /// upstream would give it and every control it violates, in upstream evaluation order.
    #[test]
    fn bad_pods_corpus_levels_and_controls() {
        let Some(root) = corpus_path(env!("CARGO_MANIFEST_DIR"), "manifests/insecure/badpods")
        else {
            return;
        };
        // No pod in the corpus hardens anything, so every one fails these restricted controls.
        const UNHARDENED: [&str; 4] = [
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "runAsNonRoot",
            "seccompProfile_restricted",
        ];
        let host_namespaces = (PssLevel::Privileged, &["hostNamespaces"][..], false);
        let expected: BTreeMap<&str, (PssLevel, &[&str], bool)> = BTreeMap::from([
            (
                "everything-allowed",
                (
                    PssLevel::Privileged,
                    &["hostNamespaces", "hostPathVolumes", "privileged"][..],
                    true,
                ),
            ),
            (
                "priv-and-hostpid",
                (
                    PssLevel::Privileged,
                    &["hostNamespaces", "privileged"][..],
                    false,
                ),
            ),
            ("priv", (PssLevel::Privileged, &["privileged"][..], false)),
            (
                "hostpath",
                (PssLevel::Privileged, &["hostPathVolumes"][..], true),
            ),
            ("hostpid", host_namespaces),
            ("hostnetwork", host_namespaces),
            ("hostipc", host_namespaces),
            ("nothing-allowed", (PssLevel::Baseline, &[][..], false)),
        ]);

        let loaded = load(&[root], &LoadOptions::default());
        assert!(
            loaded.errors.iter().all(|e| e.is_warning()),
            "{:?}",
            loaded.errors
        );
        let (index, errors) = ObjectIndex::build(loaded.objects);
        assert!(errors.iter().all(|e| e.is_warning()), "{errors:?}");
        let result = scan(&index, &ScanOptions::default());

        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut problems = Vec::new();
        for posture in &result.workloads {
            let path = posture.location.path.as_ref();
            let category = expected
                .keys()
                .copied()
                .find(|c| path.contains(&format!("/manifests/{c}/")));
            let Some(category) = category else {
                problems.push(format!("{path}: not in a known badPods category"));
                continue;
            };
            *seen.entry(category).or_default() += 1;
            let Some(&(level, baseline, uses_volumes)) = expected.get(category) else {
                continue;
            };
            // Restricted controls in upstream order: restrictedVolumes sorts between
            // procMount_restricted and runAsNonRoot.
            let mut want: Vec<&str> = baseline.to_vec();
            want.extend(&UNHARDENED[..2]);
            if uses_volumes {
                want.push("restrictedVolumes");
            }
            want.extend(&UNHARDENED[2..]);
            if posture.level != level || posture.violations != want {
                problems.push(format!(
                    "{path}: {} {:?}, expected {level} {want:?}",
                    posture.level, posture.violations
                ));
            }
        }
        for category in expected.keys() {
            let n = seen.get(category).copied().unwrap_or(0);
            if n != 10 {
                problems.push(format!("{category}: {n} workloads, expected 10"));
            }
        }
        assert!(
            problems.is_empty(),
            "badPods problems:\n{}",
            problems.join("\n")
        );
    }
}
