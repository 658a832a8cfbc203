//! The worker-node items of the managed services' own CIS benchmarks (EKS 1.8.0, GKE 1.9.0,
//! AKS 1.8), as data, with those benchmarks' ids (`3.1.1`, `3.2.1`…).
//!
//! They hold only the worker node's share: the control plane belongs to the provider, and
//! their other sections (policies, managed services) are cluster or account checks. The items
//! use the same tests as the CIS Kubernetes tables; where a managed benchmark is stricter than
//! CIS (EKS/AKS 3.2.9 want `RotateKubeletServerCertificate` set to true, AKS 3.2.7 wants
//! `eventRecordQPS` exactly 0) the test says so.

use crate::check::{Combine, FlagTest, NodeCheck, Section, Target};
use crate::checks::{kubelet, mode, owner};

use Combine::{All, Any};
use FlagTest::{Eq, Gte, NotEq, NotHave, Set, Unset};

/// A worker-node file mode item: the managed benchmarks want 644 or stricter.
const fn file_mode(
    id: &'static str,
    title: &'static str,
    target: Target,
    remediation: &'static str,
) -> NodeCheck {
    mode(id, Section::Node, title, target, 0o644, remediation)
}

const fn root_owned(
    id: &'static str,
    title: &'static str,
    target: Target,
    remediation: &'static str,
) -> NodeCheck {
    owner(id, Section::Node, title, target, "root:root", remediation)
}

const KUBECONFIG_MODE: NodeCheck = file_mode(
    "3.1.1",
    "kubelet kubeconfig file permissions are 644 or more restrictive",
    Target::KubeletKubeconfig,
    "chmod 644 on the kubelet's kubeconfig (/var/lib/kubelet/kubeconfig)",
);
const KUBECONFIG_OWNER: NodeCheck = root_owned(
    "3.1.2",
    "kubelet kubeconfig file ownership is root:root",
    Target::KubeletKubeconfig,
    "chown root:root on the kubelet's kubeconfig (/var/lib/kubelet/kubeconfig)",
);
const CONFIG_MODE: NodeCheck = file_mode(
    "3.1.3",
    "kubelet configuration file permissions are 644 or more restrictive",
    Target::KubeletConfig,
    "chmod 644 on the kubelet's --config file",
);
const CONFIG_OWNER: NodeCheck = root_owned(
    "3.1.4",
    "kubelet configuration file ownership is root:root",
    Target::KubeletConfig,
    "chown root:root on the kubelet's --config file",
);

const ANONYMOUS_AUTH: NodeCheck = kubelet(
    "3.2.1",
    "kubelet anonymous authentication is not enabled",
    All,
    &[(
        Eq("--anonymous-auth", "false"),
        "authentication.anonymous.enabled",
    )],
    "set authentication.anonymous.enabled: false in the kubelet config file (or --anonymous-auth=false)",
);
const AUTHORIZATION_MODE: NodeCheck = kubelet(
    "3.2.2",
    "kubelet --authorization-mode is not AlwaysAllow",
    All,
    &[(
        NotHave("--authorization-mode", "AlwaysAllow"),
        "authorization.mode",
    )],
    "set authorization.mode: Webhook in the kubelet config file (and authentication.webhook.enabled: true)",
);
const CLIENT_CA: NodeCheck = kubelet(
    "3.2.3",
    "kubelet client CA file is configured",
    All,
    &[(Set("--client-ca-file"), "authentication.x509.clientCAFile")],
    "set authentication.x509.clientCAFile in the kubelet config file",
);
const READ_ONLY_PORT: NodeCheck = kubelet(
    "3.2.4",
    "kubelet read-only port is disabled",
    All,
    &[(Eq("--read-only-port", "0"), "readOnlyPort")],
    "set readOnlyPort: 0 in the kubelet config file",
);
const STREAMING_TIMEOUT: NodeCheck = kubelet(
    "3.2.5",
    "kubelet --streaming-connection-idle-timeout is not 0",
    Any,
    &[
        (
            NotEq("--streaming-connection-idle-timeout", "0"),
            "streamingConnectionIdleTimeout",
        ),
        (
            Unset("--streaming-connection-idle-timeout"),
            "streamingConnectionIdleTimeout",
        ),
    ],
    "set streamingConnectionIdleTimeout to a non-zero duration (4h0m0s) in the kubelet config file",
);
const IPTABLES_CHAINS: NodeCheck = kubelet(
    "3.2.6",
    "kubelet --make-iptables-util-chains is true",
    Any,
    &[
        (
            Eq("--make-iptables-util-chains", "true"),
            "makeIPTablesUtilChains",
        ),
        (
            Unset("--make-iptables-util-chains"),
            "makeIPTablesUtilChains",
        ),
    ],
    "set makeIPTablesUtilChains: true in the kubelet config file or remove it",
);
const ROTATE_CERTIFICATES: NodeCheck = kubelet(
    "3.2.8",
    "kubelet --rotate-certificates is not false",
    Any,
    &[
        (Eq("--rotate-certificates", "true"), "rotateCertificates"),
        (Unset("--rotate-certificates"), "rotateCertificates"),
    ],
    "set rotateCertificates: true in the kubelet config file or remove it",
);
const ROTATE_SERVER_CERTIFICATE: NodeCheck = kubelet(
    "3.2.9",
    "kubelet RotateKubeletServerCertificate is set to true",
    All,
    &[(
        Eq("RotateKubeletServerCertificate", "true"),
        "featureGates.RotateKubeletServerCertificate",
    )],
    "set featureGates.RotateKubeletServerCertificate: true in the kubelet config file",
);

/// CIS Amazon EKS Benchmark 1.8.0, section 3 (worker nodes).
pub const EKS_1_8_0: &[NodeCheck] = &[
    KUBECONFIG_MODE,
    KUBECONFIG_OWNER,
    CONFIG_MODE,
    CONFIG_OWNER,
    ANONYMOUS_AUTH,
    AUTHORIZATION_MODE,
    CLIENT_CA,
    READ_ONLY_PORT,
    STREAMING_TIMEOUT,
    IPTABLES_CHAINS,
    kubelet(
        "3.2.7",
        "kubelet eventRecordQPS captures events",
        Any,
        &[
            (Gte("--event-qps", 0), "eventRecordQPS"),
            (Unset("--event-qps"), "eventRecordQPS"),
        ],
        "set eventRecordQPS to 0 or more in the kubelet config file",
    ),
    ROTATE_CERTIFICATES,
    ROTATE_SERVER_CERTIFICATE,
];

/// CIS Google Kubernetes Engine Benchmark 1.9.0, section 3 (worker nodes): its automated items
/// are the four file items; its kubelet items are manual (GKE manages the kubelet config).
/// 3.1.1 and 3.1.2 read `/var/lib/kubelet/kubeconfig`, which GKE's benchmark calls the proxy
/// kubeconfig.
pub const GKE_1_9_0: &[NodeCheck] = &[
    file_mode(
        "3.1.1",
        "kubeconfig file (/var/lib/kubelet/kubeconfig) permissions are 644 or more restrictive",
        Target::KubeletKubeconfig,
        "chmod 644 /var/lib/kubelet/kubeconfig",
    ),
    root_owned(
        "3.1.2",
        "kubeconfig file (/var/lib/kubelet/kubeconfig) ownership is root:root",
        Target::KubeletKubeconfig,
        "chown root:root /var/lib/kubelet/kubeconfig",
    ),
    file_mode(
        "3.1.3",
        "kubelet configuration file permissions are 644 or more restrictive",
        Target::KubeletConfig,
        "chmod 644 /home/kubernetes/kubelet-config.yaml",
    ),
    root_owned(
        "3.1.4",
        "kubelet configuration file ownership is root:root",
        Target::KubeletConfig,
        "chown root:root /home/kubernetes/kubelet-config.yaml",
    ),
];

const AZURE_JSON: &[&str] = &["/etc/kubernetes/azure.json"];

/// CIS Azure Kubernetes Service Benchmark 1.8, section 3 (worker nodes). 3.1.3 and 3.1.4 are
/// about `/etc/kubernetes/azure.json` (the cloud provider's credentials), not the kubelet
/// config.
pub const AKS_1_8: &[NodeCheck] = &[
    KUBECONFIG_MODE,
    KUBECONFIG_OWNER,
    file_mode(
        "3.1.3",
        "azure.json file permissions are 644 or more restrictive",
        Target::Paths(AZURE_JSON),
        "chmod 644 /etc/kubernetes/azure.json",
    ),
    root_owned(
        "3.1.4",
        "azure.json file ownership is root:root",
        Target::Paths(AZURE_JSON),
        "chown root:root /etc/kubernetes/azure.json",
    ),
    ANONYMOUS_AUTH,
    AUTHORIZATION_MODE,
    CLIENT_CA,
    READ_ONLY_PORT,
    STREAMING_TIMEOUT,
    IPTABLES_CHAINS,
    kubelet(
        "3.2.7",
        "kubelet eventRecordQPS is 0 (every event captured)",
        All,
        &[(Eq("--event-qps", "0"), "eventRecordQPS")],
        "set eventRecordQPS: 0 in the kubelet config file",
    ),
    ROTATE_CERTIFICATES,
    ROTATE_SERVER_CERTIFICATE,
];
