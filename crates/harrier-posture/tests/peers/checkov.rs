//! checkov: `tests/kubernetes/checks/example_<Check>/` holds inputs for one check (or a few),
//! labelled by a token in the file name: `FAILED` or `PASSED` applies to every object of the
//! file the check reads (`pod-FAILED.yaml`); `UNKNOWN` marks malformed input checkov reports
//! nothing for, so it is not compared; two tokens (`podFAILED-containerPASSED.yaml`) give one
//! verdict per check of the directory, in order. Counted tokens that mix verdicts
//! (`scope-2PASSED-1FAILED.yaml`) and the few files without a token do not say which object is
//! which: [`LABELS`] names them, with checkov's own verdicts. A directory is scanned as a whole,
//! as checkov's runner scans it.
//!
//! Graph checks (`tests/kubernetes/graph/checks/resources/<Check>/`) list the ids of passing and
//! failing objects in `expected.yaml` (`ClusterRoleBinding.default.failing-crb1`; a Pod id of a
//! workload's template carries its labels after the name). Their subjects are bindings, judged by
//! what their role grants: a binding agrees when Harrier reports it or the role it refers to.

use std::collections::BTreeSet;
use std::path::Path;

use harrier_core::yaml::Node;

use crate::common::{
    BINDINGS, Comparison, Difference, ROLES, Report, Scan, Spec, WORKLOADS, compare_sets, count,
    entries, file_name, name, namespace, read_tree, unit,
};

/// `(directory, check id, Harrier checks, kinds checkov reads, note)`; a directory's rows are
/// in the order its two-token file names give verdicts.
type CheckovRow = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
);

const CONTROL_PLANE: &str = "control-plane flags: node benchmark, issue 6";
const PSP: &str = "PodSecurityPolicy: removed API, reported by HRR-API-002";

/// What `CKV_K8S_21` reads.
const NAMESPACED: &[&str] = &[
    "ConfigMap",
    "CronJob",
    "DaemonSet",
    "Deployment",
    "Ingress",
    "Job",
    "Pod",
    "ReplicaSet",
    "ReplicationController",
    "Role",
    "RoleBinding",
    "Secret",
    "Service",
    "ServiceAccount",
    "StatefulSet",
];

/// Every `example_*` directory of the corpus with the checks it tests.
#[rustfmt::skip]
pub const MAPPING: &[CheckovRow] = &[
    ("AllowedCapabilitiesSysAdmin", "CKV_K8S_39", &["HRR-POD-017"], WORKLOADS, ""),
    ("ApiServerAdmissionControlAlwaysAdmit", "CKV_K8S_79", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerAdmissionControlEventRateLimit", "CKV_K8S_78", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerAnonymousAuth", "CKV_K8S_68", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerAuditLog", "CKV_K8S_91", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerAuditLogMaxAge", "CKV_K8S_92", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerAuditLogMaxBackup", "CKV_K8S_93", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerAuditLogMaxSize", "CKV_K8S_94", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerAuthorizationModeNotAlwaysAllow", "CKV_K8S_74", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerAuthorizationModeRBAC", "CKV_K8S_77", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerBasicAuthFile", "CKV_K8S_69", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerEncryptionProviders", "CKV_K8S_104", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerEtcdCaFile", "CKV_K8S_102", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerInsecureBindAddress", "CKV_K8S_86", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerInsecurePort", "CKV_K8S_88", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerKubeletClientCertAndKey", "CKV_K8S_72", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerNodeRestrictionPlugin", "CKV_K8S_85", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerPodSecurityPolicyPlugin", "CKV_K8S_84", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerProfiling", "CKV_K8S_90", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerSecurePort", "CKV_K8S_89", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerSecurityContextDenyPlugin", "CKV_K8S_81", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerServiceAccountKeyFile", "CKV_K8S_97", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerStrongCryptographicCiphers", "CKV_K8S_105", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerTlsCertAndKey", "CKV_K8S_100", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerTokenAuthFile", "CKV_K8S_70", &[], WORKLOADS, CONTROL_PLANE),
    ("ApiServerkubeletCertificateAuthority", "CKV_K8S_73", &[], WORKLOADS, CONTROL_PLANE),
    ("ControllerManagerBindAddress", "CKV_K8S_113", &[], WORKLOADS, CONTROL_PLANE),
    ("DefaultNamespace", "CKV_K8S_21", &["HRR-NS-001"], NAMESPACED, ""),
    ("DefaultServiceAccount", "CKV_K8S_41", &[], &["ServiceAccount"], "Harrier reports the pods that mount the `default` ServiceAccount's token (HRR-POD-015), not the ServiceAccount"),
    ("DefaultServiceAccountBinding", "CKV_K8S_42", &["HRR-RBAC-007"], BINDINGS, ""),
    ("DockerSocketVolume", "CKV_K8S_27", &["HRR-POD-013"], WORKLOADS, "Harrier also knows the containerd and CRI-O sockets"),
    ("DropCapabilities", "CKV_K8S_28", &["HRR-POD-018"], WORKLOADS, ""),
    ("EtcdCertAndKey", "CKV_K8S_116", &[], WORKLOADS, CONTROL_PLANE),
    ("ImageDigest", "CKV_K8S_43", &["HRR-POD-003"], WORKLOADS, "Harrier also requires the digest to be well-formed"),
    ("ImagePullPolicy", "CKV_K8S_15", &["HRR-POD-004"], WORKLOADS, ""),
    ("ImageTagFixed", "CKV_K8S_14", &["HRR-POD-001", "HRR-POD-002"], WORKLOADS, "one checkov check for a missing and a `latest` tag"),
    ("KubeControllerManagerBlockProfiles", "CKV_K8S_107", &[], WORKLOADS, CONTROL_PLANE),
    ("KubeControllerManagerRootCAFile", "CKV_K8S_111", &[], WORKLOADS, CONTROL_PLANE),
    ("KubeControllerManagerServiceAccountCredentials", "CKV_K8S_108", &[], WORKLOADS, CONTROL_PLANE),
    ("KubeControllerManagerServiceAccountPrivateKeyFile", "CKV_K8S_110", &[], WORKLOADS, CONTROL_PLANE),
    ("KubeControllerManagerTerminatedPods", "CKV_K8S_106", &[], WORKLOADS, CONTROL_PLANE),
    ("KubeletAnonymousAuth", "CKV_K8S_138", &[], WORKLOADS, CONTROL_PLANE),
    ("KubeletAuthorizationModeNotAlwaysAllow", "CKV_K8S_139", &[], WORKLOADS, CONTROL_PLANE),
    ("KubeletClientCa", "CKV_K8S_140", &[], WORKLOADS, CONTROL_PLANE),
    ("KubeletKeyFilesSetAppropriate", "CKV_K8S_148", &[], WORKLOADS, CONTROL_PLANE),
    ("KubeletProtectKernelDefaults", "CKV_K8S_144", &[], WORKLOADS, CONTROL_PLANE),
    ("KubeletReadOnlyPort", "CKV_K8S_141", &[], WORKLOADS, CONTROL_PLANE),
    ("KubernetesDashboard", "CKV_K8S_33", &["HRR-POD-044"], WORKLOADS, ""),
    ("LivenessReadiness", "CKV_K8S_8", &["HRR-POD-009"], WORKLOADS, ""),
    ("LivenessReadiness", "CKV_K8S_9", &["HRR-POD-010"], WORKLOADS, ""),
    ("NginxIngressCVE202125742", "CKV_K8S_152", &["HRR-NET-006"], &["Ingress"], "Harrier reports every snippet annotation, with or without Lua code"),
    ("NginxIngressCVE202125742", "CKV_K8S_153", &["HRR-NET-006"], &["Ingress"], ""),
    ("NginxIngressCVE202125742", "CKV_K8S_154", &["HRR-NET-006"], &["Ingress"], "Harrier reports every snippet annotation, with or without `alias`"),
    ("NoDefaultNamespace", "CKV_K8S_21", &["HRR-NS-001"], NAMESPACED, ""),
    ("PeerClientCertAuthTrue", "CKV_K8S_121", &[], WORKLOADS, CONTROL_PLANE),
    ("PrivilegedContainers", "CKV_K8S_16", &["HRR-PSS-001"], WORKLOADS, ""),
    ("RbacApproveCertificateSigningRequests", "CKV_K8S_156", &["HRR-RBAC-014"], &["ClusterRole"], "checkov fails a ClusterRole only when it also grants `approve` on `signers`; Harrier reports the approval alone too, at medium severity"),
    ("RbacBindRoleBindings", "CKV_K8S_157", &["HRR-RBAC-005"], ROLES, "Harrier's check covers `bind`, `escalate` and `impersonate`; `bind` on bindings grants nothing"),
    ("RbacControlWebhooks", "CKV_K8S_155", &["HRR-RBAC-010"], &["ClusterRole"], ""),
    ("RbacEscalateRoles", "CKV_K8S_158", &["HRR-RBAC-005"], ROLES, "Harrier's check covers `bind`, `escalate` and `impersonate`"),
    ("ReadOnlyFilesystem", "CKV_K8S_22", &["HRR-POD-011"], WORKLOADS, ""),
    ("Requests_Limits", "CKV_K8S_10", &["HRR-POD-005"], WORKLOADS, ""),
    ("Requests_Limits", "CKV_K8S_11", &["HRR-POD-006"], WORKLOADS, ""),
    ("Requests_Limits", "CKV_K8S_12", &["HRR-POD-007"], WORKLOADS, ""),
    ("Requests_Limits", "CKV_K8S_13", &["HRR-POD-008"], WORKLOADS, ""),
    ("RootContainers", "CKV_K8S_23", &["HRR-PSS-014"], WORKLOADS, "the restricted standard requires `runAsNonRoot: true`; checkov also accepts a non-zero `runAsUser`"),
    ("RootContainersHighUID", "CKV_K8S_40", &["HRR-POD-020"], WORKLOADS, ""),
    ("RootContainersPSP", "CKV_K8S_6", &[], &["PodSecurityPolicy"], PSP),
    ("RotateKubeletServerCertificate", "CKV_K8S_112", &[], WORKLOADS, CONTROL_PLANE),
    ("SchedulerProfiling", "CKV_K8S_114", &[], WORKLOADS, CONTROL_PLANE),
    ("Seccomp", "CKV_K8S_31", &["HRR-PSS-016"], WORKLOADS, "the restricted standard also accepts `Localhost` profiles and ignores the legacy seccomp annotations"),
    ("SecurityContexts", "CKV_K8S_29", &["HRR-POD-029"], WORKLOADS, "checkov judges the pod's context (29) and each container's (30) apart; Harrier reports containers that neither covers"),
    ("SecurityContexts", "CKV_K8S_30", &["HRR-POD-029"], WORKLOADS, "checkov judges the pod's context (29) and each container's (30) apart; Harrier reports containers that neither covers"),
    ("ServiceAccountTokens", "CKV_K8S_38", &["HRR-POD-015"], WORKLOADS, "Harrier also accepts a ServiceAccount that disables automounting"),
    ("Suppressed", "CKV_K8S_11, CKV_K8S_14, CKV_K8S_20", &[], WORKLOADS, "not a check: checkov's `checkov.io/skip` annotations; Harrier has its own (`ignore.harrier.dev/<check>`)"),
    ("Tiller", "CKV_K8S_34", &["HRR-POD-038"], WORKLOADS, ""),
    ("TillerDeploymentListener", "CKV_K8S_45", &["HRR-POD-038"], WORKLOADS, "Harrier reports every Tiller, whichever address it listens on"),
    ("TillerService", "CKV_K8S_44", &[], &["Service"], "Harrier reports the Tiller workload (HRR-POD-038), not its Service"),
    ("WildcardEntities", "CKV_T_1", &[], WORKLOADS, "not a check: test of checkov's wildcard entity matching"),
    ("WildcardRoles", "CKV_K8S_49", &["HRR-RBAC-001"], ROLES, "checkov reads only a role's first rule; Harrier reads them all"),
];

/// Every graph-check directory of the corpus: `(directory, check id, Harrier checks, note)`.
#[rustfmt::skip]
pub const GRAPH: &[(&str, &str, &[&str], &str)] = &[
    ("AllowPrivilegeEscalation", "CKV_K8S_20", &["HRR-PSS-013"], ""),
    ("AllowedCapabilities", "CKV_K8S_25", &["HRR-PSS-005"], "checkov fails any added capability; the baseline standard allows adding 13 of the runtime's defaults"),
    ("ImpersonatePermissions", "CKV2_K8S_3", &["HRR-RBAC-005"], "Harrier reports the role that grants `impersonate`"),
    ("ModifyServicesStatus", "CKV2_K8S_4", &["HRR-RBAC-015"], "Harrier reports the role that grants the write, whoever holds it; checkov judges bindings to service accounts and nodes, and ignores `apiGroups`"),
    ("NoCreateNodesProxyOrPodsExec", "CKV2_K8S_2", &["HRR-RBAC-004", "HRR-RBAC-009"], "Harrier reports the role that grants `pods/exec` (HRR-RBAC-004) or `nodes/proxy` (HRR-RBAC-009)"),
    ("PodIsPubliclyAccessibleExample", "example", &[], "not a check: example graph check of checkov's own test suite"),
    ("ReadAllSecrets", "CKV2_K8S_5", &["HRR-RBAC-003"], "Harrier reports the role that grants the read"),
    ("RequireAllPodsToHaveNetworkPolicy", "CKV2_K8S_6", &["HRR-NET-009"], ""),
    ("RoleBindingPE", "CKV2_K8S_1", &["HRR-RBAC-005"], "Harrier reports the role that grants `bind`"),
];

/// Labels of objects whose file name does not say their verdict: `(directory, file, check id,
/// object, fails)`, as checkov 3.3.30 judges them.
#[rustfmt::skip]
pub const LABELS: &[(&str, &str, &str, &str, bool)] = &[
    ("DockerSocketVolume", "cloudwatch-agent-1PASSED-1FAILED.yaml", "CKV_K8S_27", "DaemonSet/fluentd-cloudwatch", false),
    ("DockerSocketVolume", "cloudwatch-agent-1PASSED-1FAILED.yaml", "CKV_K8S_27", "DaemonSet/cloudwatch-agent", true),
    ("DockerSocketVolume", "scope-2PASSED-1FAILED.yaml", "CKV_K8S_27", "Deployment/weave-scope-app", false),
    ("DockerSocketVolume", "scope-2PASSED-1FAILED.yaml", "CKV_K8S_27", "Deployment/weave-scope-cluster-agent", false),
    ("DockerSocketVolume", "scope-2PASSED-1FAILED.yaml", "CKV_K8S_27", "DaemonSet/weave-scope-agent", true),
    // Two Pods with one name, which checkov reports as one resource.
    ("KubernetesDashboard", "kubernetes-dashboard-deployment.yaml", "CKV_K8S_33", "Deployment/kubernetes-dashboard", true),
    ("LivenessReadiness", "pod-liveness-readiness-2pods.yaml", "CKV_K8S_8", "Pod/liveness-exec", true),
    ("LivenessReadiness", "pod-liveness-readiness-2pods.yaml", "CKV_K8S_9", "Pod/liveness-exec", true),
    ("NginxIngressCVE202125742", "annotation2-nollua-PASSESONEFAILSONE.yaml", "CKV_K8S_152", "Ingress/app-ingress", false),
    ("NginxIngressCVE202125742", "annotation2-nollua-PASSESONEFAILSONE.yaml", "CKV_K8S_153", "Ingress/app-ingress", true),
    ("NginxIngressCVE202125742", "annotation2-nollua-PASSESONEFAILSONE.yaml", "CKV_K8S_154", "Ingress/app-ingress", false),
    ("NginxIngressCVE202125742", "annotation3-alias.yaml", "CKV_K8S_152", "Ingress/example-ingress", false),
    ("NginxIngressCVE202125742", "annotation3-alias.yaml", "CKV_K8S_153", "Ingress/example-ingress", true),
    ("NginxIngressCVE202125742", "annotation3-alias.yaml", "CKV_K8S_154", "Ingress/example-ingress", true),
    // Counts from when checkov judged each container: one Pod, one of its two containers bare.
    ("Requests_Limits", "pod-requests-limits-1FAILED1PASSED.yaml", "CKV_K8S_10", "Pod/frontend", true),
    ("Requests_Limits", "pod-requests-limits-1FAILED1PASSED.yaml", "CKV_K8S_11", "Pod/frontend", true),
    ("Requests_Limits", "pod-requests-limits-1FAILED1PASSED.yaml", "CKV_K8S_12", "Pod/frontend", true),
    ("Requests_Limits", "pod-requests-limits-1FAILED1PASSED.yaml", "CKV_K8S_13", "Pod/frontend", true),
    ("Seccomp", "template.yaml", "CKV_K8S_31", "Deployment/fdn-svc", false),
    ("Tiller", "tiller-deployment.json", "CKV_K8S_34", "Deployment/tiller-deploy", true),
];

/// Objects on which Harrier deliberately differs: `(check id, "file: Kind/name", reason)`.
#[rustfmt::skip]
pub const DIFFERENCES: &[Difference] = &[
    ("CKV_K8S_39 (AllowedCapabilitiesSysAdmin)", "pod-FAILED2.yaml: Pod/security-context-demo-1", "`containers: null`: the pod has no container to judge (checkov itself reports nothing for it, whatever its file name says)"),
    ("CKV_K8S_43 (ImageDigest)", "imageWithTagAndDigest-PASSED.yaml: StatefulSet/kafka", FAKE_DIGEST),
    ("CKV_K8S_43 (ImageDigest)", "kafka-PASSED.yaml: StatefulSet/kafka", FAKE_DIGEST),
    ("CKV_K8S_43 (ImageDigest)", "kafka-withrepo-PASSED.yaml: StatefulSet/kafka", FAKE_DIGEST),
    ("CKV_K8S_152 (NginxIngressCVE202125742)", "annotation2-nollua-PASSESONEFAILSONE.yaml: Ingress/app-ingress", ANY_SNIPPET),
    ("CKV_K8S_152 (NginxIngressCVE202125742)", "annotation3-alias.yaml: Ingress/example-ingress", ANY_SNIPPET),
    ("CKV_K8S_154 (NginxIngressCVE202125742)", "annotation2-nollua-PASSESONEFAILSONE.yaml: Ingress/app-ingress", ANY_SNIPPET),
    ("CKV_K8S_157 (RbacBindRoleBindings)", "clusterrole-failed-1.yaml: ClusterRole/test-should-fail-1", BIND_ON_BINDINGS),
    ("CKV_K8S_157 (RbacBindRoleBindings)", "role-passed-2.yaml: Role/test-should-pass-2", IMPERSONATE),
    ("CKV_K8S_158 (RbacEscalateRoles)", "role-passed-2.yaml: Role/test-should-pass-2", IMPERSONATE),
    ("CKV_K8S_23 (RootContainers)", "rootContainersFAILED-malformed-spec.yaml: Pod/pod1", MALFORMED),
    ("CKV_K8S_23 (RootContainers)", "rootContainersPASSED.yaml: Pod/pod3", "the restricted standard rejects `runAsNonRoot: false` on the pod even when every container sets `true`"),
    ("CKV_K8S_23 (RootContainers)", "rootContainersPASSED.yaml: Pod/pod4", RUN_AS_USER),
    ("CKV_K8S_23 (RootContainers)", "rootContainersPASSED.yaml: Pod/pod5", RUN_AS_USER),
    ("CKV_K8S_31 (Seccomp)", "cronjob-seccomp-PASSED.yaml: CronJob/cronjob-passed", SECCOMP_ANNOTATION),
    ("CKV_K8S_31 (Seccomp)", "pod-seccomp-PASSED.yaml: Pod/seccomp-passed-metadata-annotations-docker", SECCOMP_ANNOTATION),
    ("CKV_K8S_31 (Seccomp)", "pod-seccomp-PASSED2.yaml: Pod/seccomp-passed-metadata-annotations-runtime", SECCOMP_ANNOTATION),
    ("CKV_K8S_31 (Seccomp)", "pod-seccomp-PASSED6.yaml: Deployment/seccomp-passed-metadata-annotations", SECCOMP_ANNOTATION),
    ("CKV_K8S_29 (SecurityContexts)", "pod-container-FAILED_malformed_spec.yaml: Pod/security-context-demo", MALFORMED),
    ("CKV_K8S_29 (SecurityContexts)", "podFAILED-containerPASSED.yaml: Pod/pod-drop-net-raw-capability", SPLIT_CONTEXTS),
    ("CKV_K8S_30 (SecurityContexts)", "pod-container-FAILED_malformed_spec.yaml: Pod/security-context-demo", MALFORMED),
    ("CKV_K8S_30 (SecurityContexts)", "podPassed-containerFailed.yaml: CronJob/hello", SPLIT_CONTEXTS),
    ("CKV_K8S_45 (TillerDeploymentListener)", "tiller-deployment_PASSED_LOCALHOST.json: Deployment/tiller-deploy", TILLER),
    ("CKV_K8S_45 (TillerDeploymentListener)", "tiller-deployment_PASSED_LOOPBACK.json: Deployment/tiller-deploy", TILLER),
    ("CKV2_K8S_2 (NoCreateNodesProxyOrPodsExec)", "ClusterRoleBinding.default.passing-crb2", "`get` on `nodes/proxy` is enough to run commands through the kubelet API (it upgrades to a websocket); checkov counts only `create`"),
    ("CKV2_K8S_2 (NoCreateNodesProxyOrPodsExec)", "RoleBinding.kube-system.failing-rb3", "a Role cannot grant the cluster-scoped `nodes/proxy`, and the rule grants no `pods/exec`"),
    ("CKV2_K8S_2 (NoCreateNodesProxyOrPodsExec)", "ClusterRoleBinding.default.failing-crb4", "the rule is limited to the `rbac.authorization.k8s.io` group, which has no `pods/exec` or `nodes/proxy`; checkov ignores `apiGroups`"),
    ("CKV2_K8S_4 (ModifyServicesStatus)", "ClusterRoleBinding.default.failing-crb1", STATUS_GROUP),
    ("CKV2_K8S_4 (ModifyServicesStatus)", "ClusterRoleBinding.default.failing-crb2", STATUS_GROUP),
    ("CKV2_K8S_1 (RoleBindingPE)", "ClusterRoleBinding.default.passing-crb2", "checkov judges only bindings to service accounts and nodes; Harrier reports what the role grants, whoever holds it"),
    ("CKV2_K8S_1 (RoleBindingPE)", "ClusterRoleBinding.default.failing-crb1", "writing ClusterRoleBindings does not escalate: the API server also requires `bind` on the role being bound, or holding its permissions"),
    ("CKV2_K8S_1 (RoleBindingPE)", "RoleBinding.kube-system.failing-rb3", BIND_ON_BINDINGS),
];

const STATUS_GROUP: &str = "the rule is limited to the `rbac.authorization.k8s.io` group, which has no `services/status` (a core-group resource); checkov ignores `apiGroups`";
const FAKE_DIGEST: &str = "the image's digest `sha256:123456` is not a digest (64 hex digits), so it pins nothing and Kubernetes rejects it";
const ANY_SNIPPET: &str = "Harrier reports every `*-snippet` annotation (checkov's CKV_K8S_153), not only those with Lua code or `alias`";
const BIND_ON_BINDINGS: &str = "`bind` on `rolebindings` grants nothing: Kubernetes checks the `bind` verb on the role being bound";
const IMPERSONATE: &str = "`*` on `serviceaccounts` includes `impersonate`, which lets holders act as any service account of the namespace (Harrier's check covers `impersonate` as well as `bind` and `escalate`)";
const MALFORMED: &str = "the pod's `spec` is a list, which Kubernetes rejects; Harrier reports the file as invalid instead of judging it";
const RUN_AS_USER: &str = "the restricted standard requires `runAsNonRoot: true`; a non-zero `runAsUser` passes checkov but not Pod Security admission";
const SECCOMP_ANNOTATION: &str = "the `seccomp.security.alpha.kubernetes.io` annotations have had no effect since Kubernetes 1.27; the restricted standard reads `securityContext.seccompProfile`";
const SPLIT_CONTEXTS: &str = "one level (pod or container) sets a security context; Harrier reports only containers that neither level covers";
const TILLER: &str = "Harrier reports every Helm v2 Tiller, whichever address it listens on: Helm v2 is unsupported, and a local listener still answers every container of the pod and anyone allowed to port-forward to it";

/// A verdict in a file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Passed {
        counted: bool,
    },
    Failed {
        counted: bool,
    },
    Unknown,
    /// `PASSESONEFAILSONE`: both, without saying which object.
    Mixed,
}

/// The verdict tokens of a file name, in order.
fn tokens(file: &str) -> Vec<Token> {
    let lower = file.to_ascii_lowercase();
    let stem = lower.rsplit_once('.').map_or(lower.as_str(), |(s, _)| s);
    let bytes = stem.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < stem.len() {
        let rest = stem.get(i..).unwrap_or_default();
        let counted = i > 0 && bytes.get(i - 1).is_some_and(u8::is_ascii_digit);
        let boundary = |len: usize| !bytes.get(i + len).is_some_and(|b| b.is_ascii_alphabetic());
        let (token, len) = if rest.starts_with("passesonefailsone") {
            (Some(Token::Mixed), 17)
        } else if rest.starts_with("passed") {
            (Some(Token::Passed { counted }), 6)
        } else if rest.starts_with("failed") {
            (Some(Token::Failed { counted }), 6)
        } else if rest.starts_with("unknown") {
            (Some(Token::Unknown), 7)
        } else if rest.starts_with("pass")
            && i > 0
            && bytes.get(i - 1) == Some(&b'-')
            && boundary(4)
        {
            (Some(Token::Passed { counted: false }), 4)
        } else {
            (None, 1)
        };
        out.extend(token);
        i += len;
    }
    out
}

/// What a file's name says about check `k` of its directory's `n` checks: `Some(verdict)` for
/// every object, `None` when it says nothing checkov reports (`UNKNOWN`), or an error when the
/// objects need labels.
fn file_verdict(tokens: &[Token], k: usize, n: usize) -> Result<Option<bool>, &'static str> {
    if tokens.is_empty() {
        return Err("no verdict in the file name");
    }
    if tokens.contains(&Token::Mixed) {
        return Err("the file name mixes verdicts");
    }
    if tokens.iter().all(|t| *t == Token::Unknown) {
        return Ok(None);
    }
    let fails = |t: &Token| matches!(t, Token::Failed { .. });
    let passes = |t: &Token| matches!(t, Token::Passed { .. });
    if tokens.iter().all(fails) {
        return Ok(Some(true));
    }
    if tokens.iter().all(passes) {
        return Ok(Some(false));
    }
    let uncounted = tokens.iter().all(|t| {
        matches!(
            t,
            Token::Passed { counted: false } | Token::Failed { counted: false }
        )
    });
    if uncounted && tokens.len() == n {
        return Ok(tokens.get(k).map(fails));
    }
    Err("the file name's counts do not say which object is which")
}

/// Compares every file of every covered directory, and every graph check.
pub fn compare(root: &Path) -> Report {
    let mut cmp = Comparison::new(DIFFERENCES);
    let checks = root.join("tests/kubernetes/checks");
    let graph = root.join("tests/kubernetes/graph/checks/resources");
    let mut in_corpus = BTreeSet::new();
    for dir in entries(&checks) {
        if let Some(check) = file_name(&dir).strip_prefix("example_") {
            in_corpus.insert(check.to_owned());
        }
    }
    let listed: BTreeSet<String> = MAPPING.iter().map(|r| r.0.to_owned()).collect();
    compare_sets("checkov", &listed, &in_corpus, &mut cmp.problems);

    let mut rows = Vec::new();
    let mut scanned: Option<(&str, Scan)> = None;
    for (dir, id, harrier, kinds, note) in MAPPING {
        let path = checks.join(format!("example_{dir}"));
        let files: Vec<_> = entries(&path).into_iter().filter(|f| f.is_file()).collect();
        rows.push(Spec {
            key: row_key(dir, id),
            check: (*id).to_owned(),
            fixtures: format!("`example_{dir}/` ({})", count(files.len(), "file")),
            harrier,
            note,
            has_fixtures: !files.is_empty(),
        });
        if harrier.is_empty() {
            continue;
        }
        let siblings: Vec<&str> = MAPPING
            .iter()
            .filter(|r| r.0 == *dir)
            .map(|r| r.1)
            .collect();
        let k = siblings.iter().position(|s| s == id).unwrap_or(0);
        if scanned.as_ref().is_none_or(|(d, _)| d != dir) {
            scanned = Some((dir, Scan::of(std::slice::from_ref(&path))));
        }
        let Some((_, scan)) = &scanned else { continue };
        let key = row_key(dir, id);
        for file in &files {
            let fname = file_name(file);
            let verdict = file_verdict(&tokens(&fname), k, siblings.len());
            for (i, o) in scan.objects().iter().enumerate() {
                if o.path.as_ref() != file.display().to_string() || !kinds.contains(&o.kind()) {
                    continue;
                }
                let labelled = LABELS
                    .iter()
                    .find(|l| l.0 == *dir && l.1 == fname && l.2 == *id && l.3 == unit(o));
                let expected = match (labelled, verdict) {
                    (Some(l), _) => l.4,
                    (None, Ok(Some(v))) => v,
                    (None, Ok(None)) => continue,
                    (None, Err(why)) => {
                        cmp.problems
                            .push(format!("{dir}/{fname}: {why}; label {} in LABELS", unit(o)));
                        continue;
                    }
                };
                let got = scan.fires(i, harrier);
                cmp.record(
                    &key,
                    &format!("{fname}: {}", unit(o)),
                    expected,
                    got,
                    harrier,
                );
            }
        }
    }

    let mut graph_dirs = BTreeSet::new();
    for dir in entries(&graph) {
        if dir.is_dir() {
            graph_dirs.insert(file_name(&dir));
        }
    }
    let listed: BTreeSet<String> = GRAPH.iter().map(|r| r.0.to_owned()).collect();
    compare_sets("checkov graph", &listed, &graph_dirs, &mut cmp.problems);
    for (dir, id, harrier, note) in GRAPH {
        let path = graph.join(dir);
        let key = row_key(dir, id);
        let expected = read_tree(&path.join("expected.yaml"));
        let ids = |field: &str| -> Vec<String> {
            expected
                .as_ref()
                .and_then(|e| e.get(field))
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        };
        let (pass, fail) = (ids("pass"), ids("fail"));
        rows.push(Spec {
            key: key.clone(),
            check: (*id).to_owned(),
            fixtures: format!(
                "graph `{dir}/` ({})",
                count(pass.len() + fail.len(), "object")
            ),
            harrier,
            note,
            has_fixtures: !pass.is_empty() || !fail.is_empty(),
        });
        if harrier.is_empty() {
            continue;
        }
        let scan = Scan::of(std::slice::from_ref(&path));
        for (resource, fails) in pass
            .iter()
            .map(|r| (r, false))
            .chain(fail.iter().map(|r| (r, true)))
        {
            let Some(i) = find(&scan, resource) else {
                cmp.problems.push(format!(
                    "{dir}: {resource} is in expected.yaml but not in the scan"
                ));
                continue;
            };
            let got = scan.fires_with_role(i, harrier, ROLES);
            cmp.record(&key, resource, fails, got, harrier);
        }
    }
    cmp.finish("checkov", "object", rows)
}

/// The tally key of a row: the check id, and the directory when the id alone is ambiguous.
fn row_key(dir: &str, id: &str) -> String {
    format!("{id} ({dir})")
}

/// The object a checkov resource id names: `Kind.namespace.name`, where a Pod of a workload's
/// template is named by the workload and followed by the template's labels.
fn find(scan: &Scan, resource: &str) -> Option<usize> {
    let mut parts = resource.splitn(3, '.');
    let kind = parts.next()?;
    let ns = parts.next()?;
    let rest = parts.next()?;
    scan.objects()
        .iter()
        .position(|o| o.kind() == kind && namespace(o) == ns && name(o) == rest)
        .or_else(|| {
            // `Pod.<ns>.<workload>.<label>-<value>…`: the workload's pod template.
            let workload = rest.split('.').next()?;
            scan.objects().iter().position(|o| {
                kind == "Pod"
                    && namespace(o) == ns
                    && name(o) == workload
                    && WORKLOADS.contains(&o.kind())
            })
        })
}
