//! The CIS Kubernetes Benchmark items for kubeadm nodes, as data: one [`NodeCheck`] per item,
//! in benchmark order, ids as the benchmark numbers them.
//!
//! [`CHECKS`] holds the items that read the same in CIS 1.9 and 1.10; [`VERSIONED`] those that
//! differ (today only 1.2.29's cipher list), and [`for_benchmark`] joins the two for a version.
//! Titles and remediations are Harrier's own words; the kube-bench definitions are read only by
//! the coverage test.

use crate::check::{Benchmark, Combine, FlagTest, NodeCheck, Section, Status, Target, Test};

const APISERVER_MANIFEST: &[&str] = &["/etc/kubernetes/manifests/kube-apiserver.yaml"];
const CONTROLLER_MANAGER_MANIFEST: &[&str] =
    &["/etc/kubernetes/manifests/kube-controller-manager.yaml"];
const SCHEDULER_MANIFEST: &[&str] = &["/etc/kubernetes/manifests/kube-scheduler.yaml"];
const ETCD_MANIFEST: &[&str] = &["/etc/kubernetes/manifests/etcd.yaml"];
const ADMIN_CONFS: &[&str] = &[
    "/etc/kubernetes/admin.conf",
    "/etc/kubernetes/super-admin.conf",
];
const SCHEDULER_CONF: &[&str] = &["/etc/kubernetes/scheduler.conf"];
const CONTROLLER_MANAGER_CONF: &[&str] = &["/etc/kubernetes/controller-manager.conf"];
/// kube-bench's kubelet service files, in its order.
const KUBELET_SERVICE: &[&str] = &[
    "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
    "/etc/systemd/system/kubelet.service",
    "/lib/systemd/system/kubelet.service",
];
/// kube-proxy's kubeconfig when it runs on the host; kubeadm runs it in a DaemonSet with the
/// kubeconfig in a ConfigMap, so on kubeadm nodes it is absent and the item passes.
const PROXY_KUBECONFIG: &[&str] = &[
    "/var/lib/kube-proxy/kubeconfig",
    "/etc/kubernetes/proxy.conf",
];

pub(crate) const fn mode(
    id: &'static str,
    section: Section,
    title: &'static str,
    target: Target,
    max: u32,
    remediation: &'static str,
) -> NodeCheck {
    NodeCheck {
        id,
        section,
        title,
        test: Test::Mode {
            target,
            max,
            missing: Status::Warn,
        },
        remediation,
    }
}

pub(crate) const fn owner(
    id: &'static str,
    section: Section,
    title: &'static str,
    target: Target,
    owner: &'static str,
    remediation: &'static str,
) -> NodeCheck {
    NodeCheck {
        id,
        section,
        title,
        test: Test::Owner {
            target,
            owner,
            missing: Status::Warn,
        },
        remediation,
    }
}

const fn flags_in(
    section: Section,
    id: &'static str,
    component: &'static str,
    title: &'static str,
    combine: Combine,
    tests: &'static [FlagTest],
    remediation: &'static str,
) -> NodeCheck {
    NodeCheck {
        id,
        section,
        title,
        test: Test::Flags {
            component,
            combine,
            tests,
        },
        remediation,
    }
}

const fn flags(
    id: &'static str,
    component: &'static str,
    title: &'static str,
    combine: Combine,
    tests: &'static [FlagTest],
    remediation: &'static str,
) -> NodeCheck {
    flags_in(
        Section::Master,
        id,
        component,
        title,
        combine,
        tests,
        remediation,
    )
}

const fn etcd(
    id: &'static str,
    title: &'static str,
    combine: Combine,
    tests: &'static [FlagTest],
    remediation: &'static str,
) -> NodeCheck {
    flags_in(
        Section::Etcd,
        id,
        "etcd",
        title,
        combine,
        tests,
        remediation,
    )
}

pub(crate) const fn kubelet(
    id: &'static str,
    title: &'static str,
    combine: Combine,
    tests: &'static [(FlagTest, &'static str)],
    remediation: &'static str,
) -> NodeCheck {
    NodeCheck {
        id,
        section: Section::Node,
        title,
        test: Test::Settings {
            component: "kubelet",
            combine,
            tests,
        },
        remediation,
    }
}

const KUBELET_CIPHERS: &str = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_256_GCM_SHA384,TLS_RSA_WITH_AES_128_GCM_SHA256";

const fn apiserver(
    id: &'static str,
    title: &'static str,
    combine: Combine,
    tests: &'static [FlagTest],
    remediation: &'static str,
) -> NodeCheck {
    flags(id, "kube-apiserver", title, combine, tests, remediation)
}

const fn controller_manager(
    id: &'static str,
    title: &'static str,
    combine: Combine,
    tests: &'static [FlagTest],
    remediation: &'static str,
) -> NodeCheck {
    flags(
        id,
        "kube-controller-manager",
        title,
        combine,
        tests,
        remediation,
    )
}

const fn scheduler(
    id: &'static str,
    title: &'static str,
    combine: Combine,
    tests: &'static [FlagTest],
    remediation: &'static str,
) -> NodeCheck {
    flags(id, "kube-scheduler", title, combine, tests, remediation)
}

use Combine::{All, Any};
use FlagTest::{Contains, Eq, Gte, Has, NotEq, NotHave, Set, Unset, ValidElements};
use Section::{Master, Node};

/// Every implemented item, sorted by id in benchmark order.
pub const CHECKS: &[NodeCheck] = &[
    // 1.1 Control plane node configuration files.
    mode(
        "1.1.1",
        Master,
        "API server pod specification file permissions are 600 or more restrictive",
        Target::Paths(APISERVER_MANIFEST),
        0o600,
        "chmod 600 /etc/kubernetes/manifests/kube-apiserver.yaml",
    ),
    owner(
        "1.1.2",
        Master,
        "API server pod specification file ownership is root:root",
        Target::Paths(APISERVER_MANIFEST),
        "root:root",
        "chown root:root /etc/kubernetes/manifests/kube-apiserver.yaml",
    ),
    mode(
        "1.1.3",
        Master,
        "Controller manager pod specification file permissions are 600 or more restrictive",
        Target::Paths(CONTROLLER_MANAGER_MANIFEST),
        0o600,
        "chmod 600 /etc/kubernetes/manifests/kube-controller-manager.yaml",
    ),
    owner(
        "1.1.4",
        Master,
        "Controller manager pod specification file ownership is root:root",
        Target::Paths(CONTROLLER_MANAGER_MANIFEST),
        "root:root",
        "chown root:root /etc/kubernetes/manifests/kube-controller-manager.yaml",
    ),
    mode(
        "1.1.5",
        Master,
        "Scheduler pod specification file permissions are 600 or more restrictive",
        Target::Paths(SCHEDULER_MANIFEST),
        0o600,
        "chmod 600 /etc/kubernetes/manifests/kube-scheduler.yaml",
    ),
    owner(
        "1.1.6",
        Master,
        "Scheduler pod specification file ownership is root:root",
        Target::Paths(SCHEDULER_MANIFEST),
        "root:root",
        "chown root:root /etc/kubernetes/manifests/kube-scheduler.yaml",
    ),
    mode(
        "1.1.7",
        Master,
        "etcd pod specification file permissions are 600 or more restrictive",
        Target::Paths(ETCD_MANIFEST),
        0o600,
        "chmod 600 /etc/kubernetes/manifests/etcd.yaml",
    ),
    owner(
        "1.1.8",
        Master,
        "etcd pod specification file ownership is root:root",
        Target::Paths(ETCD_MANIFEST),
        "root:root",
        "chown root:root /etc/kubernetes/manifests/etcd.yaml",
    ),
    mode(
        "1.1.9",
        Master,
        "Container Network Interface file permissions are 600 or more restrictive",
        Target::CniFiles,
        0o600,
        "chmod 600 on the CNI files (/etc/cni/net.d/*, /var/lib/cni/networks/**)",
    ),
    owner(
        "1.1.10",
        Master,
        "Container Network Interface file ownership is root:root",
        Target::CniFiles,
        "root:root",
        "chown root:root on the CNI files (/etc/cni/net.d/*, /var/lib/cni/networks/**)",
    ),
    mode(
        "1.1.11",
        Master,
        "etcd data directory permissions are 700 or more restrictive",
        Target::EtcdDataDir,
        0o700,
        "chmod 700 on etcd's --data-dir (kubeadm: /var/lib/etcd)",
    ),
    owner(
        "1.1.12",
        Master,
        "etcd data directory ownership is etcd:etcd",
        Target::EtcdDataDir,
        "etcd:etcd",
        "create an etcd user and group, then chown etcd:etcd on etcd's --data-dir (kubeadm: /var/lib/etcd)",
    ),
    mode(
        "1.1.13",
        Master,
        "Default administrative credential file permissions are 600",
        Target::Paths(ADMIN_CONFS),
        0o600,
        "chmod 600 /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf",
    ),
    owner(
        "1.1.14",
        Master,
        "Default administrative credential file ownership is root:root",
        Target::Paths(ADMIN_CONFS),
        "root:root",
        "chown root:root /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf",
    ),
    mode(
        "1.1.15",
        Master,
        "scheduler.conf file permissions are 600 or more restrictive",
        Target::Paths(SCHEDULER_CONF),
        0o600,
        "chmod 600 /etc/kubernetes/scheduler.conf",
    ),
    owner(
        "1.1.16",
        Master,
        "scheduler.conf file ownership is root:root",
        Target::Paths(SCHEDULER_CONF),
        "root:root",
        "chown root:root /etc/kubernetes/scheduler.conf",
    ),
    mode(
        "1.1.17",
        Master,
        "controller-manager.conf file permissions are 600 or more restrictive",
        Target::Paths(CONTROLLER_MANAGER_CONF),
        0o600,
        "chmod 600 /etc/kubernetes/controller-manager.conf",
    ),
    owner(
        "1.1.18",
        Master,
        "controller-manager.conf file ownership is root:root",
        Target::Paths(CONTROLLER_MANAGER_CONF),
        "root:root",
        "chown root:root /etc/kubernetes/controller-manager.conf",
    ),
    owner(
        "1.1.19",
        Master,
        "Kubernetes PKI directory and file ownership is root:root",
        Target::Tree("/etc/kubernetes/pki"),
        "root:root",
        "chown -R root:root /etc/kubernetes/pki/",
    ),
    mode(
        "1.1.20",
        Master,
        "Kubernetes PKI certificate file permissions are 600 or more restrictive",
        Target::TreeFiles("/etc/kubernetes/pki", ".crt"),
        0o600,
        "chmod -R 600 /etc/kubernetes/pki/*.crt",
    ),
    mode(
        "1.1.21",
        Master,
        "Kubernetes PKI key file permissions are 600",
        Target::TreeFiles("/etc/kubernetes/pki", ".key"),
        0o600,
        "chmod -R 600 /etc/kubernetes/pki/*.key",
    ),
    // 1.2 API server.
    apiserver(
        "1.2.1",
        "--anonymous-auth is false",
        All,
        &[Eq("--anonymous-auth", "false")],
        "set --anonymous-auth=false in /etc/kubernetes/manifests/kube-apiserver.yaml",
    ),
    apiserver(
        "1.2.2",
        "--token-auth-file is not set",
        All,
        &[Unset("--token-auth-file")],
        "remove --token-auth-file from /etc/kubernetes/manifests/kube-apiserver.yaml and use another authentication mechanism",
    ),
    apiserver(
        "1.2.3",
        "DenyServiceExternalIPs admission plugin is enabled",
        All,
        &[Has("--enable-admission-plugins", "DenyServiceExternalIPs")],
        "add DenyServiceExternalIPs to --enable-admission-plugins",
    ),
    apiserver(
        "1.2.4",
        "--kubelet-client-certificate and --kubelet-client-key are set",
        All,
        &[
            Set("--kubelet-client-certificate"),
            Set("--kubelet-client-key"),
        ],
        "set --kubelet-client-certificate and --kubelet-client-key to the API server's kubelet client certificate and key",
    ),
    apiserver(
        "1.2.5",
        "--kubelet-certificate-authority is set",
        All,
        &[Set("--kubelet-certificate-authority")],
        "set --kubelet-certificate-authority to the CA that signs the kubelets' serving certificates",
    ),
    apiserver(
        "1.2.6",
        "--authorization-mode does not include AlwaysAllow",
        All,
        &[NotHave("--authorization-mode", "AlwaysAllow")],
        "set --authorization-mode to values other than AlwaysAllow, such as Node,RBAC",
    ),
    apiserver(
        "1.2.7",
        "--authorization-mode includes Node",
        All,
        &[Has("--authorization-mode", "Node")],
        "add Node to --authorization-mode",
    ),
    apiserver(
        "1.2.8",
        "--authorization-mode includes RBAC",
        All,
        &[Has("--authorization-mode", "RBAC")],
        "add RBAC to --authorization-mode",
    ),
    apiserver(
        "1.2.9",
        "EventRateLimit admission plugin is enabled",
        All,
        &[Has("--enable-admission-plugins", "EventRateLimit")],
        "add EventRateLimit to --enable-admission-plugins and set --admission-control-config-file",
    ),
    apiserver(
        "1.2.10",
        "AlwaysAdmit admission plugin is not enabled",
        Any,
        &[
            NotHave("--enable-admission-plugins", "AlwaysAdmit"),
            Unset("--enable-admission-plugins"),
        ],
        "remove AlwaysAdmit from --enable-admission-plugins",
    ),
    apiserver(
        "1.2.11",
        "AlwaysPullImages admission plugin is enabled",
        All,
        &[Has("--enable-admission-plugins", "AlwaysPullImages")],
        "add AlwaysPullImages to --enable-admission-plugins",
    ),
    apiserver(
        "1.2.12",
        "ServiceAccount admission plugin is not disabled",
        Any,
        &[
            NotHave("--disable-admission-plugins", "ServiceAccount"),
            Unset("--disable-admission-plugins"),
        ],
        "remove ServiceAccount from --disable-admission-plugins",
    ),
    apiserver(
        "1.2.13",
        "NamespaceLifecycle admission plugin is not disabled",
        Any,
        &[
            NotHave("--disable-admission-plugins", "NamespaceLifecycle"),
            Unset("--disable-admission-plugins"),
        ],
        "remove NamespaceLifecycle from --disable-admission-plugins",
    ),
    apiserver(
        "1.2.14",
        "NodeRestriction admission plugin is enabled",
        All,
        &[Has("--enable-admission-plugins", "NodeRestriction")],
        "add NodeRestriction to --enable-admission-plugins",
    ),
    apiserver(
        "1.2.15",
        "--profiling is false",
        All,
        &[Eq("--profiling", "false")],
        "set --profiling=false",
    ),
    apiserver(
        "1.2.16",
        "--audit-log-path is set",
        All,
        &[Set("--audit-log-path")],
        "set --audit-log-path to a file for the audit log",
    ),
    apiserver(
        "1.2.17",
        "--audit-log-maxage is 30 or more",
        All,
        &[Gte("--audit-log-maxage", 30)],
        "set --audit-log-maxage=30 or more",
    ),
    apiserver(
        "1.2.18",
        "--audit-log-maxbackup is 10 or more",
        All,
        &[Gte("--audit-log-maxbackup", 10)],
        "set --audit-log-maxbackup=10 or more",
    ),
    apiserver(
        "1.2.19",
        "--audit-log-maxsize is 100 or more",
        All,
        &[Gte("--audit-log-maxsize", 100)],
        "set --audit-log-maxsize=100 or more",
    ),
    NodeCheck {
        id: "1.2.20",
        section: Master,
        title: "--request-timeout is set as appropriate",
        test: Test::Manual,
        remediation: "set --request-timeout to suit the cluster, or leave the default of 60s",
    },
    apiserver(
        "1.2.21",
        "--service-account-lookup is true",
        Any,
        &[
            Unset("--service-account-lookup"),
            Eq("--service-account-lookup", "true"),
        ],
        "set --service-account-lookup=true or remove it (true is the default)",
    ),
    apiserver(
        "1.2.22",
        "--service-account-key-file is set",
        All,
        &[Set("--service-account-key-file")],
        "set --service-account-key-file to the public key that verifies service account tokens",
    ),
    apiserver(
        "1.2.23",
        "--etcd-certfile and --etcd-keyfile are set",
        All,
        &[Set("--etcd-certfile"), Set("--etcd-keyfile")],
        "set --etcd-certfile and --etcd-keyfile to the API server's etcd client certificate and key",
    ),
    apiserver(
        "1.2.24",
        "--tls-cert-file and --tls-private-key-file are set",
        All,
        &[Set("--tls-cert-file"), Set("--tls-private-key-file")],
        "set --tls-cert-file and --tls-private-key-file to the API server's serving certificate and key",
    ),
    apiserver(
        "1.2.25",
        "--client-ca-file is set",
        All,
        &[Set("--client-ca-file")],
        "set --client-ca-file to the CA that signs client certificates",
    ),
    apiserver(
        "1.2.26",
        "--etcd-cafile is set",
        All,
        &[Set("--etcd-cafile")],
        "set --etcd-cafile to the CA that signs etcd's serving certificate",
    ),
    apiserver(
        "1.2.27",
        "--encryption-provider-config is set",
        All,
        &[Set("--encryption-provider-config")],
        "write an EncryptionConfiguration and set --encryption-provider-config to it",
    ),
    NodeCheck {
        id: "1.2.28",
        section: Master,
        title: "Encryption providers are appropriately configured",
        test: Test::EncryptionProviders {
            allowed: &["aescbc", "kms", "secretbox"],
        },
        remediation: "make aescbc, kms or secretbox the first provider of every resource in the EncryptionConfiguration",
    },
    // 1.3 Controller manager.
    controller_manager(
        "1.3.1",
        "--terminated-pod-gc-threshold is set",
        All,
        &[Set("--terminated-pod-gc-threshold")],
        "set --terminated-pod-gc-threshold in /etc/kubernetes/manifests/kube-controller-manager.yaml (for example 10)",
    ),
    controller_manager(
        "1.3.2",
        "--profiling is false",
        All,
        &[Eq("--profiling", "false")],
        "set --profiling=false in /etc/kubernetes/manifests/kube-controller-manager.yaml",
    ),
    controller_manager(
        "1.3.3",
        "--use-service-account-credentials is true",
        All,
        &[NotEq("--use-service-account-credentials", "false")],
        "set --use-service-account-credentials=true",
    ),
    controller_manager(
        "1.3.4",
        "--service-account-private-key-file is set",
        All,
        &[Set("--service-account-private-key-file")],
        "set --service-account-private-key-file to the key that signs service account tokens",
    ),
    controller_manager(
        "1.3.5",
        "--root-ca-file is set",
        All,
        &[Set("--root-ca-file")],
        "set --root-ca-file to the cluster's CA certificate",
    ),
    controller_manager(
        "1.3.6",
        "RotateKubeletServerCertificate is not turned off",
        Any,
        &[
            NotHave("--feature-gates", "RotateKubeletServerCertificate=false"),
            Unset("--feature-gates"),
        ],
        "remove RotateKubeletServerCertificate=false from --feature-gates",
    ),
    controller_manager(
        "1.3.7",
        "--bind-address is 127.0.0.1",
        Any,
        &[Eq("--bind-address", "127.0.0.1"), Unset("--bind-address")],
        "set --bind-address=127.0.0.1",
    ),
    // 1.4 Scheduler.
    scheduler(
        "1.4.1",
        "--profiling is false",
        All,
        &[Eq("--profiling", "false")],
        "set --profiling=false in /etc/kubernetes/manifests/kube-scheduler.yaml",
    ),
    scheduler(
        "1.4.2",
        "--bind-address is 127.0.0.1",
        Any,
        &[Eq("--bind-address", "127.0.0.1"), Unset("--bind-address")],
        "set --bind-address=127.0.0.1 in /etc/kubernetes/manifests/kube-scheduler.yaml",
    ),
    // 2 etcd (flags, or their ETCD_* environment variables).
    etcd(
        "2.1",
        "--cert-file and --key-file are set",
        All,
        &[Set("--cert-file"), Set("--key-file")],
        "set --cert-file and --key-file in /etc/kubernetes/manifests/etcd.yaml to etcd's serving certificate and key",
    ),
    etcd(
        "2.2",
        "--client-cert-auth is true",
        All,
        &[Eq("--client-cert-auth", "true")],
        "set --client-cert-auth=true in /etc/kubernetes/manifests/etcd.yaml",
    ),
    etcd(
        "2.3",
        "--auto-tls is not true",
        Any,
        &[Unset("--auto-tls"), Eq("--auto-tls", "false")],
        "remove --auto-tls or set it to false",
    ),
    etcd(
        "2.4",
        "--peer-cert-file and --peer-key-file are set",
        All,
        &[Set("--peer-cert-file"), Set("--peer-key-file")],
        "set --peer-cert-file and --peer-key-file to etcd's peer certificate and key",
    ),
    etcd(
        "2.5",
        "--peer-client-cert-auth is true",
        All,
        &[Eq("--peer-client-cert-auth", "true")],
        "set --peer-client-cert-auth=true",
    ),
    etcd(
        "2.6",
        "--peer-auto-tls is not true",
        Any,
        &[Unset("--peer-auto-tls"), Eq("--peer-auto-tls", "false")],
        "remove --peer-auto-tls or set it to false",
    ),
    etcd(
        "2.7",
        "--trusted-ca-file is set (a CA for etcd)",
        All,
        &[Set("--trusted-ca-file")],
        "set --trusted-ca-file to a CA used for etcd only, not the cluster's CA",
    ),
    // 3.2 Logging.
    flags_in(
        Section::ControlPlane,
        "3.2.1",
        "kube-apiserver",
        "A minimal audit policy is set (--audit-policy-file)",
        All,
        &[Set("--audit-policy-file")],
        "write an audit Policy and set --audit-policy-file to it on the API server",
    ),
    // 4.1 Worker node configuration files.
    mode(
        "4.1.1",
        Node,
        "kubelet service file permissions are 600 or more restrictive",
        Target::FirstOf(KUBELET_SERVICE),
        0o600,
        "chmod 600 on the kubelet service file (kubeadm: /etc/systemd/system/kubelet.service.d/10-kubeadm.conf)",
    ),
    NodeCheck {
        id: "4.1.2",
        section: Node,
        title: "kubelet service file ownership is root:root",
        test: Test::Owner {
            target: Target::FirstOf(KUBELET_SERVICE),
            owner: "root:root",
            missing: Status::Pass,
        },
        remediation: "chown root:root on the kubelet service file (kubeadm: /etc/systemd/system/kubelet.service.d/10-kubeadm.conf)",
    },
    NodeCheck {
        id: "4.1.3",
        section: Node,
        title: "If the proxy kubeconfig file exists, its permissions are 600 or more restrictive",
        test: Test::Mode {
            target: Target::Paths(PROXY_KUBECONFIG),
            max: 0o600,
            missing: Status::Pass,
        },
        remediation: "chmod 600 on kube-proxy's kubeconfig",
    },
    NodeCheck {
        id: "4.1.4",
        section: Node,
        title: "If the proxy kubeconfig file exists, its ownership is root:root",
        test: Test::Owner {
            target: Target::Paths(PROXY_KUBECONFIG),
            owner: "root:root",
            missing: Status::Pass,
        },
        remediation: "chown root:root on kube-proxy's kubeconfig",
    },
    mode(
        "4.1.5",
        Node,
        "--kubeconfig kubelet.conf file permissions are 600 or more restrictive",
        Target::KubeletKubeconfig,
        0o600,
        "chmod 600 on the kubelet's --kubeconfig (kubeadm: /etc/kubernetes/kubelet.conf)",
    ),
    owner(
        "4.1.6",
        Node,
        "--kubeconfig kubelet.conf file ownership is root:root",
        Target::KubeletKubeconfig,
        "root:root",
        "chown root:root on the kubelet's --kubeconfig (kubeadm: /etc/kubernetes/kubelet.conf)",
    ),
    mode(
        "4.1.7",
        Node,
        "Certificate authorities file permissions are 600 or more restrictive",
        Target::KubeletClientCa,
        0o600,
        "chmod 600 on the kubelet's client CA file (kubeadm: /etc/kubernetes/pki/ca.crt)",
    ),
    owner(
        "4.1.8",
        Node,
        "Client certificate authorities file ownership is root:root",
        Target::KubeletClientCa,
        "root:root",
        "chown root:root on the kubelet's client CA file (kubeadm: /etc/kubernetes/pki/ca.crt)",
    ),
    mode(
        "4.1.9",
        Node,
        "kubelet config file permissions are 600 or more restrictive",
        Target::KubeletConfig,
        0o600,
        "chmod 600 on the kubelet's --config file (kubeadm: /var/lib/kubelet/config.yaml)",
    ),
    owner(
        "4.1.10",
        Node,
        "kubelet config file ownership is root:root",
        Target::KubeletConfig,
        "root:root",
        "chown root:root on the kubelet's --config file (kubeadm: /var/lib/kubelet/config.yaml)",
    ),
    // 4.2 Kubelet (flags over the config file).
    kubelet(
        "4.2.1",
        "kubelet --anonymous-auth is false",
        All,
        &[(
            Eq("--anonymous-auth", "false"),
            "authentication.anonymous.enabled",
        )],
        "set authentication.anonymous.enabled: false in the kubelet config file (and drop any --anonymous-auth=true flag)",
    ),
    kubelet(
        "4.2.2",
        "kubelet --authorization-mode is not AlwaysAllow",
        All,
        &[(
            NotHave("--authorization-mode", "AlwaysAllow"),
            "authorization.mode",
        )],
        "set authorization.mode: Webhook in the kubelet config file",
    ),
    kubelet(
        "4.2.3",
        "kubelet --client-ca-file is set",
        All,
        &[(Set("--client-ca-file"), "authentication.x509.clientCAFile")],
        "set authentication.x509.clientCAFile in the kubelet config file",
    ),
    kubelet(
        "4.2.4",
        "kubelet --read-only-port is 0",
        Any,
        &[
            (Eq("--read-only-port", "0"), "readOnlyPort"),
            (Unset("--read-only-port"), "readOnlyPort"),
        ],
        "set readOnlyPort: 0 in the kubelet config file",
    ),
    kubelet(
        "4.2.5",
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
        "set streamingConnectionIdleTimeout to a non-zero duration (for example 4h0m0s)",
    ),
    kubelet(
        "4.2.6",
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
    ),
    kubelet(
        "4.2.7",
        "kubelet --hostname-override is not set",
        All,
        &[(Unset("--hostname-override"), "")],
        "remove --hostname-override from the kubelet's flags",
    ),
    kubelet(
        "4.2.8",
        "kubelet eventRecordQPS captures events",
        Any,
        &[
            (Gte("--event-qps", 0), "eventRecordQPS"),
            (Unset("--event-qps"), "eventRecordQPS"),
        ],
        "set eventRecordQPS to 0 or more in the kubelet config file",
    ),
    kubelet(
        "4.2.9",
        "kubelet --tls-cert-file and --tls-private-key-file are set",
        All,
        &[
            (Set("--tls-cert-file"), "tlsCertFile"),
            (Set("--tls-private-key-file"), "tlsPrivateKeyFile"),
        ],
        "set tlsCertFile and tlsPrivateKeyFile in the kubelet config file",
    ),
    kubelet(
        "4.2.10",
        "kubelet --rotate-certificates is not false",
        Any,
        &[
            (Eq("--rotate-certificates", "true"), "rotateCertificates"),
            (Unset("--rotate-certificates"), "rotateCertificates"),
        ],
        "set rotateCertificates: true in the kubelet config file or remove it",
    ),
    kubelet(
        "4.2.11",
        "kubelet RotateKubeletServerCertificate is not turned off",
        Any,
        &[
            (
                NotEq("RotateKubeletServerCertificate", "false"),
                "featureGates.RotateKubeletServerCertificate",
            ),
            (
                Unset("RotateKubeletServerCertificate"),
                "featureGates.RotateKubeletServerCertificate",
            ),
        ],
        "remove RotateKubeletServerCertificate=false from the kubelet's feature gates (flag or featureGates in the config file)",
    ),
    kubelet(
        "4.2.12",
        "kubelet uses only strong TLS ciphers",
        All,
        &[(
            ValidElements("--tls-cipher-suites", KUBELET_CIPHERS),
            "tlsCipherSuites",
        )],
        "set tlsCipherSuites in the kubelet config file to strong suites only",
    ),
    kubelet(
        "4.2.13",
        "kubelet limits pod PIDs",
        All,
        &[(Set("--pod-max-pids"), "podPidsLimit")],
        "set podPidsLimit in the kubelet config file",
    ),
    // 4.3 kube-proxy.
    NodeCheck {
        id: "4.3.1",
        section: Node,
        title: "kube-proxy metrics service is bound to localhost",
        test: Test::Settings {
            component: "kube-proxy",
            combine: Any,
            tests: &[
                (
                    Contains("--metrics-bind-address", "127.0.0.1"),
                    "metricsBindAddress",
                ),
                (Unset("--metrics-bind-address"), "metricsBindAddress"),
            ],
        },
        remediation: "set metricsBindAddress: 127.0.0.1:10249 in kube-proxy's config (kubeadm: the kube-proxy ConfigMap)",
    },
];

/// The API server's strong cipher suites, as CIS 1.9 lists them (1.10 dropped the 3DES and
/// plain-RSA key exchange suites).
const APISERVER_CIPHERS_1_9: &str = "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_RSA_WITH_3DES_EDE_CBC_SHA,TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_256_CBC_SHA,TLS_RSA_WITH_AES_256_GCM_SHA384";
/// The API server's strong cipher suites, as CIS 1.10 lists them.
const APISERVER_CIPHERS_1_10: &str = "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";

/// Items that differ between benchmark versions, each with the version it belongs to.
pub const VERSIONED: &[(Benchmark, NodeCheck)] = &[
    (
        Benchmark::Cis19,
        apiserver(
            "1.2.29",
            "The API server uses only strong cipher suites",
            All,
            &[ValidElements("--tls-cipher-suites", APISERVER_CIPHERS_1_9)],
            "set --tls-cipher-suites to suites from the benchmark's list",
        ),
    ),
    (
        Benchmark::Cis110,
        apiserver(
            "1.2.29",
            "The API server uses only strong cipher suites",
            All,
            &[ValidElements("--tls-cipher-suites", APISERVER_CIPHERS_1_10)],
            "set --tls-cipher-suites to suites from the benchmark's list (no 3DES, no plain RSA key exchange)",
        ),
    ),
];

/// The items of one benchmark version, in benchmark order.
pub fn for_benchmark(benchmark: Benchmark) -> Vec<&'static NodeCheck> {
    let managed = match benchmark {
        Benchmark::Eks180 => Some(crate::managed::EKS_1_8_0),
        Benchmark::Gke190 => Some(crate::managed::GKE_1_9_0),
        Benchmark::Aks18 => Some(crate::managed::AKS_1_8),
        Benchmark::Cis19 | Benchmark::Cis110 => None,
    };
    let mut out: Vec<&'static NodeCheck> = match managed {
        Some(table) => table.iter().collect(),
        None => CHECKS
            .iter()
            .chain(
                VERSIONED
                    .iter()
                    .filter(|(b, _)| *b == benchmark)
                    .map(|(_, c)| c),
            )
            .collect(),
    };
    out.sort_by_key(|c| id_key(c.id));
    out
}

/// The title of a benchmark group (`1.2` → "API server"), as the benchmark names it.
pub fn group_title(benchmark: Benchmark, group: &str) -> Option<&'static str> {
    Some(if benchmark.is_managed() {
        match group {
            "3.1" => "Worker node configuration files",
            "3.2" => "Kubelet",
            _ => return None,
        }
    } else {
        match group {
            "1.1" => "Control plane node configuration files",
            "1.2" => "API server",
            "1.3" => "Controller manager",
            "1.4" => "Scheduler",
            "2" => "etcd",
            "3.2" => "Logging",
            "4.1" => "Worker node configuration files",
            "4.2" => "Kubelet",
            "4.3" => "kube-proxy",
            _ => return None,
        }
    })
}

/// `1.2.10` as `[1, 2, 10]`, so ids sort as the benchmark numbers them.
fn id_key(id: &str) -> Vec<u32> {
    id.split('.').filter_map(|n| n.parse().ok()).collect()
}

/// Evaluates every item of a benchmark version on a node, in benchmark order.
pub fn evaluate(view: &crate::NodeView, benchmark: Benchmark) -> Vec<crate::NodeResult> {
    for_benchmark(benchmark)
        .into_iter()
        .map(|c| c.evaluate(view))
        .collect()
}
