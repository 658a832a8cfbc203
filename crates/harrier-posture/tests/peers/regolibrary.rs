//! Kubescape's regolibrary: `<rule>/test/<case>/` holds the objects of one test case (one per
//! file under `input/`) and `expected.json`, the alerts the rule raises on them. An alert names
//! the object it concerns (`alertObject.k8sApiObjects`), or, for RBAC rules that judge
//! subjects, the subject with the binding and role that give it the permission
//! (`alertObject.externalObjects.relatedObjects`). A case agrees when every alert concerns an
//! object Harrier reports (for subject alerts: the binding or the role) and Harrier reports no
//! object that no alert concerns; `[]` expects no finding. Each case is scanned on its own.
//! Rules take settings from `data.json` (sensitive key names, exempt registries); Harrier has no
//! such settings, and the cases that depend on them are listed as differences.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use harrier_core::yaml::Node;

use crate::common::{
    Comparison, Difference, Mapping, Report, Scan, Spec, compare_sets, count, entries, file_name,
    read_tree, unit,
};

const CONTROL_PLANE: &str = "control-plane flags: node benchmark, issue 6";
const NODE: &str = "host files and kubelet settings: node benchmark, issue 6";
const SENSOR: &str = "cloud or cluster data from Kubescape's sensors, not a manifest";
const PSP: &str = "PodSecurityPolicy: removed API, reported by HRR-API-002";

/// Every rule of the corpus.
#[rustfmt::skip]
pub const MAPPING: &[Mapping] = &[
    ("CVE-2022-0185", &[], SENSOR),
    ("CVE-2022-3172", &[], SENSOR),
    ("Ensure-that-the-kubeconfig-file-permissions-are-set-to-644-or-more-restrictive", &[], NODE),
    ("access-container-service-account-v1", &[], "lists every ServiceAccount with its roles for review: an inventory, not a finding"),
    ("agent-sandbox-egress-policy", &[], "Agent Sandbox `SandboxTemplate` custom resources: not read yet"),
    ("agent-sandbox-hardened-runtime-class", &[], "Agent Sandbox `SandboxTemplate` custom resources: not read yet"),
    ("agent-sandbox-image-registry-allowlist", &[], "Agent Sandbox `SandboxTemplate` custom resources: not read yet"),
    ("alert-any-hostpath", &["HRR-PSS-003"], "Kubescape alerts once per volume; the comparison is per object"),
    ("alert-rw-hostpath", &["HRR-POD-014"], ""),
    ("anonymous-access-enabled", &["HRR-RBAC-006"], ""),
    ("automount-default-service-account", &[], "Harrier reports the pods that mount the `default` ServiceAccount's token (HRR-POD-015), not the ServiceAccount"),
    ("automount-service-account", &["HRR-POD-015"], ""),
    ("cluster-access-manager-api-eks", &[], SENSOR),
    ("configmap-in-default-namespace", &["HRR-NS-001"], ""),
    ("configured-liveness-probe", &["HRR-POD-009"], ""),
    ("container-hostPort", &["HRR-PSS-004"], ""),
    ("containers-mounting-docker-socket", &["HRR-POD-013"], ""),
    ("csistoragecapacity-in-default-namespace", &["HRR-NS-001"], ""),
    ("dangling-gateway-backend", &[], "Gateway API backend missing from the manifests: deployment correctness, not security"),
    ("dangling-ingress-backend", &["HRR-NET-010"], "Harrier also compares ports, and judges only Ingresses whose namespace has a Service in the scan"),
    ("duplicate-env-var", &["HRR-POD-030"], ""),
    ("encrypt-traffic-to-https-load-balancers-with-tls-certificates", &[], "GKE load balancer annotations: cloud-specific; HRR-NET-004 reports Ingresses without TLS"),
    ("endpoints-in-default-namespace", &["HRR-NS-001"], ""),
    ("endpointslice-in-default-namespace", &["HRR-NS-001"], ""),
    ("ensure-azure-rbac-is-set", &[], SENSOR),
    ("ensure-clusters-are-created-with-private-endpoint-enabled-and-public-access-disabled", &[], SENSOR),
    ("ensure-clusters-are-created-with-private-nodes", &[], SENSOR),
    ("ensure-default-service-accounts-has-only-default-roles", &["HRR-RBAC-007"], ""),
    ("ensure-endpointpublicaccess-is-disabled-on-private-nodes-eks", &[], SENSOR),
    ("ensure-external-secrets-storage-is-in-use", &[], "use of an external secret store: an architecture choice, not a misconfiguration"),
    ("ensure-https-loadbalancers-encrypted-with-tls-aws", &[], "AWS load balancer annotations: cloud-specific"),
    ("ensure-image-vulnerability-scanning-using-azure-defender-image-scanning-or-a-third-party-provider", &[], SENSOR),
    ("ensure-network-policy-is-enabled-eks", &[], SENSOR),
    ("ensure-service-principle-has-read-only-permissions", &[], SENSOR),
    ("ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers", &[], CONTROL_PLANE),
    ("ensure-that-the-API-Server-only-makes-use-of-Strong-Cryptographic-Ciphers-cis1-10", &[], CONTROL_PLANE),
    ("ensure-that-the-API-server-pod-specification-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-API-server-pod-specification-file-permissions-are-set-to-600-or-more-restrictive", &[], NODE),
    ("ensure-that-the-Container-Network-Interface-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-Container-Network-Interface-file-permissions-are-set-to-600-or-more-restrictive", &[], NODE),
    ("ensure-that-the-Kubernetes-PKI-certificate-file-permissions-are-set-to-600-or-more-restrictive", &[], NODE),
    ("ensure-that-the-Kubernetes-PKI-directory-and-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-admin.conf-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-admin.conf-file-permissions-are-set-to-600", &[], NODE),
    ("ensure-that-the-admission-control-plugin-AlwaysAdmit-is-not-set", &[], CONTROL_PLANE),
    ("ensure-that-the-admission-control-plugin-NamespaceLifecycle-is-set", &[], CONTROL_PLANE),
    ("ensure-that-the-admission-control-plugin-NodeRestriction-is-set", &[], CONTROL_PLANE),
    ("ensure-that-the-admission-control-plugin-SecurityContextDeny-is-set-if-PodSecurityPolicy-is-not-used", &[], CONTROL_PLANE),
    ("ensure-that-the-admission-control-plugin-ServiceAccount-is-set", &[], CONTROL_PLANE),
    ("ensure-that-the-api-server-anonymous-auth-argument-is-set-to-false", &[], CONTROL_PLANE),
    ("ensure-that-the-api-server-audit-log-maxage-argument-is-set-to-30-or-as-appropriate", &[], CONTROL_PLANE),
    ("ensure-that-the-api-server-audit-log-path-argument-is-set", &[], CONTROL_PLANE),
    ("ensure-that-the-api-server-authorization-mode-argument-includes-Node", &[], CONTROL_PLANE),
    ("ensure-that-the-api-server-authorization-mode-argument-is-not-set-to-AlwaysAllow", &[], CONTROL_PLANE),
    ("ensure-that-the-api-server-encryption-provider-config-argument-is-set-as-appropriate", &[], NODE),
    ("ensure-that-the-api-server-encryption-providers-are-appropriately-configured", &[], NODE),
    ("ensure-that-the-api-server-etcd-cafile-argument-is-set-as-appropriate", &[], CONTROL_PLANE),
    ("ensure-that-the-api-server-kubelet-client-certificate-and-kubelet-client-key-arguments-are-set-as-appropriate", &[], CONTROL_PLANE),
    ("ensure-that-the-api-server-request-timeout-argument-is-set-as-appropriate", &[], CONTROL_PLANE),
    ("ensure-that-the-api-server-service-account-extend-token-expiration-is-set-to-false", &[], CONTROL_PLANE),
    ("ensure-that-the-api-server-service-account-lookup-argument-is-set-to-true", &[], CONTROL_PLANE),
    ("ensure-that-the-api-server-tls-cert-file-and-tls-private-key-file-arguments-are-set-as-appropriate", &[], CONTROL_PLANE),
    ("ensure-that-the-certificate-authorities-file-permissions-are-set-to-600-or-more-restrictive", &[], NODE),
    ("ensure-that-the-client-certificate-authorities-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-cni-in-use-supports-network-policies", &[], SENSOR),
    ("ensure-that-the-controller-manager-RotateKubeletServerCertificate-argument-is-set-to-true", &[], CONTROL_PLANE),
    ("ensure-that-the-controller-manager-bind-address-argument-is-set-to-127.0.0.1", &[], CONTROL_PLANE),
    ("ensure-that-the-controller-manager-pod-specification-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-controller-manager-pod-specification-file-permissions-are-set-to-600-or-more-restrictive", &[], NODE),
    ("ensure-that-the-controller-manager-service-account-private-key-file-argument-is-set-as-appropriate", &[], CONTROL_PLANE),
    ("ensure-that-the-controller-manager-terminated-pod-gc-threshold-argument-is-set-as-appropriate", &[], CONTROL_PLANE),
    ("ensure-that-the-controller-manager.conf-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-etcd-data-directory-ownership-is-set-to-etcd-etcd", &[], NODE),
    ("ensure-that-the-etcd-data-directory-permissions-are-set-to-700-or-more-restrictive", &[], NODE),
    ("ensure-that-the-etcd-pod-specification-file-permissions-are-set-to-600-or-more-restrictive", &[], NODE),
    ("ensure-that-the-kube-proxy-metrics-service-is-bound-to-localhost", &[], "kube-proxy configuration: node benchmark, issue 6"),
    ("ensure-that-the-kubeconfig-kubelet.conf-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-kubeconfig-kubelet.conf-file-permissions-are-set-to-600-or-more-restrictive", &[], NODE),
    ("ensure-that-the-kubelet-configuration-file-has-permissions-set-to-644-or-more-restrictive", &[], NODE),
    ("ensure-that-the-kubelet-configuration-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-kubelet-service-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-scheduler-bind-address-argument-is-set-to-127.0.0.1", &[], CONTROL_PLANE),
    ("ensure-that-the-scheduler-pod-specification-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-scheduler-pod-specification-file-permissions-are-set-to-600-or-more-restrictive", &[], NODE),
    ("ensure-that-the-scheduler.conf-file-ownership-is-set-to-root-root", &[], NODE),
    ("ensure-that-the-scheduler.conf-file-permissions-are-set-to-600-or-more-restrictive", &[], NODE),
    ("ensure_network_policy_configured_in_labels", &["HRR-NET-005", "HRR-NET-009"], "Kubescape reports each workload no policy selects; Harrier reports their namespace when no policy applies there at all (HRR-NET-005), and each workload whose ingress no policy isolates otherwise (HRR-NET-009)"),
    ("etcd-auto-tls-disabled", &[], CONTROL_PLANE),
    ("etcd-peer-auto-tls-disabled", &[], CONTROL_PLANE),
    ("etcd-unique-ca", &[], CONTROL_PLANE),
    ("exposed-rce-pods", &[], SENSOR),
    ("exposed-sensitive-interfaces-v1", &[], "needs a configured list of sensitive applications; HRR-NET-001 and HRR-NET-002 report the exposing Services"),
    ("exposure-to-internet", &[], "Kubescape reports the exposed workload; Harrier reports the exposing Service (HRR-NET-001, HRR-NET-002)"),
    ("exposure-to-internet-via-gateway-api", &[], "Gateway API routes: not read yet"),
    ("external-secret-storage", &[], SENSOR),
    ("horizontalpodautoscaler-in-default-namespace", &["HRR-NS-001"], ""),
    ("host-ipc-privileges", &["HRR-PSS-002"], ""),
    ("host-network-access", &["HRR-PSS-002"], ""),
    ("if-proxy-kubeconfig-file-exists-ensure-ownership-is-set-to-root-root", &[], NODE),
    ("if-the-kubelet-config.yaml-configuration-file-is-being-used-validate-permissions-set-to-600-or-more-restrictive", &[], NODE),
    ("image-not-pinned-to-digest", &["HRR-POD-003"], ""),
    ("immutable-container-filesystem", &["HRR-POD-011"], ""),
    ("ingress-in-default-namespace", &["HRR-NS-001"], ""),
    ("ingress-no-tls", &["HRR-NET-004"], ""),
    ("insecure-port-flag", &[], "control-plane flags: node benchmark, issue 6"),
    ("instance-metadata-api-access", &[], SENSOR),
    ("k8s-audit-logs-enabled-cloud", &[], SENSOR),
    ("k8s-audit-logs-enabled-native", &[], CONTROL_PLANE),
    ("k8s-common-labels-usage", &[], "organisation labels, not security"),
    ("kubelet-event-qps", &[], NODE),
    ("kubelet-ip-tables", &[], NODE),
    ("kubelet-protect-kernel-defaults", &[], NODE),
    ("label-usage-for-resources", &[], "organisation labels, not security"),
    ("list-all-namespaces", &[], "lists every Namespace for review: an inventory, not a finding"),
    ("list-iam-policies-in-gcp", &[], SENSOR),
    ("list-role-definitions-in-acr", &[], SENSOR),
    ("mismatching-selector", &["HRR-POD-031"], ""),
    ("no-rolling-update-strategy", &["HRR-POD-033"], ""),
    ("non-root-containers", &["HRR-PSS-014", "HRR-POD-021"], "Kubescape also requires a non-zero `runAsGroup`, which HRR-POD-021 reports"),
    ("outdated-k8s-version", &[], "node versions: needs cluster data, not manifests"),
    ("pod-security-admission-baseline-applied-1", &["HRR-NS-002", "HRR-NS-003"], "HRR-NS-002 reports a namespace enforcing no level, HRR-NS-003 one enforcing `privileged`"),
    ("pod-security-admission-baseline-applied-2", &["HRR-NS-002", "HRR-NS-003"], "HRR-NS-002 reports a namespace enforcing no level, HRR-NS-003 one enforcing `privileged`"),
    ("pod-security-admission-restricted-applied-1", &["HRR-NS-002", "HRR-NS-003"], "HRR-NS-002 reports a namespace enforcing no level, HRR-NS-003 one enforcing `privileged`; a namespace enforcing `baseline` passes Harrier"),
    ("pod-security-admission-restricted-applied-2", &["HRR-NS-002", "HRR-NS-003"], "HRR-NS-002 reports a namespace enforcing no level, HRR-NS-003 one enforcing `privileged`; a namespace enforcing `baseline` passes Harrier"),
    ("pods-in-default-namespace", &["HRR-NS-001"], ""),
    ("psp-deny-allowed-capabilities", &[], PSP),
    ("psp-deny-allowprivilegeescalation", &[], PSP),
    ("psp-deny-hostipc", &[], PSP),
    ("psp-deny-privileged-container", &[], PSP),
    ("psp-deny-root-container", &[], PSP),
    ("psp-enabled-native", &[], PSP),
    ("psp-required-drop-capabilities", &[], PSP),
    ("pv-without-encryption", &[], "storage encryption depends on the cloud provider: not judged from manifests"),
    ("rbac-enabled-cloud", &[], SENSOR),
    ("resources-cpu-limit-and-request", &["HRR-POD-005", "HRR-POD-006"], "Kubescape also compares values with configured ranges"),
    ("resources-cpu-requests", &["HRR-POD-005"], ""),
    ("resources-memory-limit-and-request", &["HRR-POD-007", "HRR-POD-008"], "Kubescape also compares values with configured ranges"),
    ("resources-sandbox-cpu-limits", &[], "Agent Sandbox `SandboxTemplate` custom resources: not read yet"),
    ("resources-sandbox-memory-limits", &[], "Agent Sandbox `SandboxTemplate` custom resources: not read yet"),
    ("restrict-access-to-the-control-plane-endpoint", &[], SENSOR),
    ("review-roles-with-aws-iam-authenticator", &[], "cluster-sensor input (EKS IAM mapping), not a manifest"),
    ("role-in-default-namespace", &["HRR-NS-001"], ""),
    ("rolebinding-in-default-namespace", &["HRR-NS-001"], ""),
    ("rule-access-dashboard-subject-v1", &[], "subjects bound to the Dashboard's role: not covered (HRR-RBAC-011 reports the Dashboard bound to cluster-admin)"),
    ("rule-access-dashboard-wl-v1", &[], "workloads using the Dashboard's ServiceAccount: not covered (HRR-RBAC-011 reports the Dashboard bound to cluster-admin)"),
    ("rule-allow-privilege-escalation", &["HRR-PSS-013"], ""),
    ("rule-can-access-proxy-subresource", &["HRR-RBAC-009"], "Kubescape reports each subject; Harrier the role"),
    ("rule-can-approve-cert-signing-request", &["HRR-RBAC-014"], "Kubescape reports each subject; Harrier the role"),
    ("rule-can-bind-escalate", &["HRR-RBAC-005"], "Kubescape reports each subject; Harrier the role"),
    ("rule-can-create-pod", &["HRR-RBAC-008"], "Kubescape reports each subject; Harrier the role"),
    ("rule-can-list-get-secrets-v1", &["HRR-RBAC-003"], "Kubescape reports each subject; Harrier the role"),
    ("rule-can-portforward-v1", &["HRR-RBAC-013"], "Kubescape reports each subject; Harrier the role"),
    ("rule-can-ssh-to-pod-v1", &[], "Kubescape reports workloads behind a Service on port 22 or 2222; HRR-POD-023 reports containers declaring port 22, as kube-linter's ssh-port does"),
    ("rule-can-update-configmap-v1", &[], "write access to the CoreDNS ConfigMap: not covered"),
    ("rule-credentials-configmap", &["HRR-SEC-001"], ""),
    ("rule-credentials-in-env-var", &["HRR-POD-024", "HRR-POD-025"], "literal credentials are HRR-POD-025; Secrets read into the environment are HRR-POD-024"),
    ("rule-excessive-delete-rights-v1", &[], "delete rights on important resources: not covered"),
    ("rule-identify-blocklisted-image-registries", &[], "needs a configured registry list"),
    ("rule-identify-old-k8s-registry", &["HRR-POD-045"], ""),
    ("rule-list-all-cluster-admins-v1", &["HRR-RBAC-002", "HRR-RBAC-001"], "Kubescape reports each subject; Harrier the binding to `cluster-admin` (HRR-RBAC-002) or the role granting `*` on `*` (HRR-RBAC-001)"),
    ("rule-manual", &[], "not a check: placeholder for manual review, without inputs"),
    ("rule-privileged-container", &["HRR-PSS-001", "HRR-POD-017"], "one Kubescape rule for `privileged: true` and an added `SYS_ADMIN`"),
    ("rule-secrets-in-env-var", &["HRR-POD-024"], ""),
    ("secret-etcd-encryption-cloud", &[], SENSOR),
    ("service-in-default-namespace", &["HRR-NS-001"], ""),
    ("service-with-no-workload", &["HRR-NET-007"], ""),
    ("serviceaccount-token-mount", &["HRR-POD-015"], "Kubescape reports only tokens of ServiceAccounts that have a binding"),
    ("set-fsgroup-value", &[], "a missing `fsGroup` is not a risk in itself; HRR-POD-021 reports `fsGroup: 0`"),
    ("set-fsgroupchangepolicy-value", &[], "volume ownership change policy: performance, not security"),
    ("set-gmsacredentialspecname-value", &[], "Windows GMSA credentials: not covered"),
    ("set-seccomp-profile-RuntimeDefault", &["HRR-PSS-016"], "the restricted standard also accepts `Localhost` profiles"),
    ("set-supplementalgroups-values", &["HRR-POD-021"], ""),
    ("sudo-in-container-entrypoint", &["HRR-POD-046"], ""),
    ("system-authenticated-allowed-to-take-over-cluster", &[], "Harrier reports the role's dangerous grants whoever holds them (HRR-RBAC-003, HRR-RBAC-004, HRR-RBAC-009…); HRR-RBAC-006 covers anonymous subjects"),
    ("unauthenticated-service", &[], "cluster-sensor input (service scan results), not a manifest"),
    ("validate-kubelet-tls-configuration-updated", &[], NODE),
    ("workload-mounted-configmap", &[], "lists workloads mounting ConfigMaps for review: an inventory, not a finding"),
    ("workload-mounted-pvc", &[], "lists workloads mounting volumes for review: an inventory, not a finding"),
    ("workload-mounted-secrets", &[], "lists workloads mounting Secrets for review: an inventory, not a finding"),
    ("workload-with-cluster-takeover-roles", &["HRR-RBAC-012"], "Harrier reports workloads holding `cluster-admin` or `*` on `*`"),
];

/// Cases on which Harrier deliberately differs: `(rule, case, reason)`.
#[rustfmt::skip]
pub const DIFFERENCES: &[Difference] = &[
    ("anonymous-access-enabled", "fail", "the built-in `system:public-info-viewer` binding every cluster has grants only the health and version endpoints; Harrier does not report it"),
    ("csistoragecapacity-in-default-namespace", "csistoragecapacity", "CSIStorageCapacity objects are published by storage drivers, not written by application owners"),
    ("dangling-ingress-backend", "failed_dangling_default_backend", DANGLING_INGRESS),
    ("dangling-ingress-backend", "failed_dangling_path", DANGLING_INGRESS),
    ("dangling-ingress-backend", "failed_wrong_namespace", DANGLING_INGRESS),
    ("ensure-default-service-accounts-has-only-default-roles", "passed_rolebinding_one_subject", "Kubescape exempts bindings labelled `kubernetes.io/bootstrapping: rbac-defaults`; Kubernetes binds no `default` ServiceAccount itself, so Harrier does not trust the label"),
    ("image-not-pinned-to-digest", "pod-exempted-repo", SETTINGS),
    ("resources-cpu-limit-and-request", "pod-only-requests", LIMIT_AS_REQUEST),
    ("resources-cpu-limit-and-request", "workload-exceeded", SETTINGS),
    ("resources-cpu-limit-and-request", "workload-mixed-unit", SETTINGS),
    ("resources-cpu-requests", "pod-only-requests", LIMIT_AS_REQUEST),
    ("resources-memory-limit-and-request", "pod-only-requests", LIMIT_AS_REQUEST),
    ("resources-memory-limit-and-request", "workload-exceeded", SETTINGS),
    ("resources-memory-limit-and-request", "workload-milli-suffix", SETTINGS),
    ("resources-memory-limit-and-request", "workload-mixed-unit", SETTINGS),
    ("rule-can-access-proxy-subresource", "role-rolebinding", "a Role cannot grant the cluster-scoped `nodes/proxy`"),
    ("rule-can-approve-cert-signing-request", "role-rolebinding", "a Role cannot grant the cluster-scoped `certificatesigningrequests/approval`"),
    ("rule-can-portforward-v1", "clusterrole-clusterrolebinding", "`pods/*` is not a wildcard for the Kubernetes authorizer (only `*` and `*/portforward` are), so the rule grants no `pods/portforward`"),
    ("rule-credentials-in-env-var", "deployment", SENSITIVE_VALUES),
    ("rule-credentials-in-env-var", "pod", SENSITIVE_VALUES),
    ("rule-credentials-in-env-var", "pod-value-from-reference", "HRR-POD-024 also reports single keys read from a Secret (`secretKeyRef`), as kube-linter's read-secret-from-env-var does; this Kubescape rule reports only whole Secrets (`envFrom`)"),
    ("service-with-no-workload", "failed_workload_wrong_namespace", "the scan holds no workload of the Service's namespace: Harrier judges a selector only against the workloads of its namespace that the scan holds, so Services kept apart from their workloads are not all reported"),
    ("serviceaccount-token-mount", "both-mount", TOKEN_MOUNT),
    ("serviceaccount-token-mount", "both-mount-default", TOKEN_MOUNT),
    ("serviceaccount-token-mount", "pod-mount", TOKEN_MOUNT),
    ("set-seccomp-profile-RuntimeDefault", "pod", LOCALHOST),
    ("set-seccomp-profile-RuntimeDefault", "workloads", LOCALHOST),
    ("workload-with-cluster-takeover-roles", "fail-wl-creates-pod", TAKEOVER),
    ("workload-with-cluster-takeover-roles", "fail-wl-gets-secrets", TAKEOVER),
];

const DANGLING_INGRESS: &str = "the scan holds no Service of the Ingress's namespace: Harrier judges backends only in namespaces whose Services the scan holds, so that an Ingress scanned apart from its Services is not reported";
const SETTINGS: &str = "the verdict depends on the case's `data.json` settings (exempt registries, resource ranges), which Harrier does not have";
const LIMIT_AS_REQUEST: &str =
    "the container sets a limit but no request, so Kubernetes uses the limit as the request";
const SENSITIVE_VALUES: &str = "Kubescape's `sensitiveValues` patterns (`_key_` in `my_key_value`) are configuration; Harrier recognises credentials by their shape and by the variable's name";
const TOKEN_MOUNT: &str = "Kubescape reports automounted tokens only for ServiceAccounts with a binding; Harrier reports every automounted token, as CIS 5.1.6, checkov and Polaris do";
const LOCALHOST: &str =
    "the restricted Pod Security Standard allows `Localhost` profiles as well as `RuntimeDefault`";
const TAKEOVER: &str = "HRR-RBAC-012 reports workloads holding `cluster-admin` or `*` on `*`; creating pods or reading Secrets cluster-wide is reported on the role (HRR-RBAC-008, HRR-RBAC-003)";

/// The objects of a case: the files of `input/`, or of the case directory when a case keeps
/// them there.
fn inputs(case: &Path) -> Vec<PathBuf> {
    let input = case.join("input");
    if input.is_dir() {
        return entries(&input);
    }
    entries(case)
        .into_iter()
        .filter(|f| {
            let n = file_name(f);
            f.is_file()
                && !n.starts_with("expected")
                && n != "data.json"
                && [".yaml", ".yml", ".json"].iter().any(|e| n.ends_with(e))
        })
        .collect()
}

/// For each alert of an `expected.json`, the objects it concerns, as `Kind/name`.
fn alerts(expected: &Node) -> Vec<BTreeSet<String>> {
    let name_of = |o: &Node| {
        let kind = o.get("kind").and_then(Node::as_str)?;
        let name = o
            .get_path("metadata.name")
            .or_else(|| o.get("name"))
            .and_then(Node::as_str)?;
        Some(format!("{kind}/{name}"))
    };
    expected
        .as_seq()
        .unwrap_or_default()
        .iter()
        .map(|alert| {
            let mut objects = BTreeSet::new();
            for o in alert
                .get_path("alertObject.k8sApiObjects")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                objects.extend(name_of(o));
            }
            if let Some(external) = alert.get_path("alertObject.externalObjects") {
                objects.extend(name_of(external));
                for o in external
                    .get("relatedObjects")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                {
                    objects.extend(name_of(o));
                }
            }
            objects
        })
        .collect()
}

/// Compares every case of every covered rule.
pub fn compare(root: &Path) -> Report {
    let mut cmp = Comparison::new(DIFFERENCES);
    let present: BTreeSet<String> = entries(root)
        .iter()
        .filter(|d| d.is_dir())
        .map(|d| file_name(d))
        .collect();
    let listed = MAPPING.iter().map(|m| m.0.to_owned()).collect();
    compare_sets("regolibrary", &listed, &present, &mut cmp.problems);

    let mut rows = Vec::new();
    for (rule, harrier, note) in MAPPING {
        let cases: Vec<PathBuf> = entries(&root.join(rule).join("test"))
            .into_iter()
            .filter(|c| c.is_dir())
            .collect();
        rows.push(Spec {
            key: (*rule).to_owned(),
            check: (*rule).to_owned(),
            fixtures: format!("`{rule}/test/` ({})", count(cases.len(), "case")),
            harrier,
            note,
            has_fixtures: !cases.is_empty(),
        });
        if harrier.is_empty() {
            continue;
        }
        for case in cases {
            let name = file_name(&case);
            let Some(expected) = read_tree(&case.join("expected.json")) else {
                cmp.problems.push(format!(
                    "{rule}/{name}: expected.json is missing or unreadable"
                ));
                continue;
            };
            let alerts = alerts(&expected);
            let scan = Scan::of(&inputs(&case));
            let flagged: BTreeSet<String> = scan
                .flagged(harrier)
                .into_iter()
                .filter_map(|i| scan.objects().get(i).map(unit))
                .collect();
            let missed: Vec<String> = alerts
                .iter()
                .filter(|a| a.is_disjoint(&flagged))
                .map(|a| a.iter().cloned().collect::<Vec<_>>().join(" or "))
                .collect();
            let extra: Vec<&String> = flagged
                .iter()
                .filter(|f| !alerts.iter().any(|a| a.contains(*f)))
                .collect();
            let detail = (!missed.is_empty() || !extra.is_empty()).then(|| {
                format!("{harrier:?}: Kubescape alerts on {missed:?} that Harrier does not report; Harrier reports {extra:?} that Kubescape does not")
            });
            cmp.record_detail(rule, &name, detail);
        }
    }
    cmp.finish("regolibrary", "case", rows)
}
