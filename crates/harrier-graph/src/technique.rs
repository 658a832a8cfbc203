//! The attack techniques that are the graph's edges, each with its MITRE ATT&CK id.
//!
//! One table ([`Technique::ALL`] and [`Technique::meta`]) feeds the graph builder, the output
//! (`technique` and `mitre` of each hop) and docs/attack-paths.md, so a technique's name and id
//! are written once. The names follow KubeHound's edge catalogue where one matches
//! (`POD_EXEC`, `TOKEN_STEAL`, `ROLE_BIND`, `IDENTITY_IMPERSONATE`, `EXPLOIT_HOST_WRITE`, ...)
//! so that users of both tools recognise them.

use std::fmt;

use serde::Serialize;

/// One attack technique: an edge of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Technique {
    /// An exposed Service or Ingress reaches the pods behind it.
    ExposedService,
    /// Anonymous requests are granted something by RBAC.
    AnonymousAccess,
    /// A user or service account is a member of a group and holds what the group is granted.
    MemberOf,
    /// Every verb on every resource: a cluster-admin equivalent in its scope. Listed early
    /// so that, of several techniques between the same two vertices, paths show this plainest
    /// one.
    AdminEquivalent,
    /// `create pods/exec`: run commands in any pod of the scope.
    PodExec,
    /// `create pods/attach`: attach to the running process of any pod of the scope.
    PodAttach,
    /// `create pods/portforward`: reach the ports of any pod of the scope.
    PodPortForward,
    /// `patch pods/ephemeralcontainers`: add a container of one's choosing to any pod.
    EphemeralContainer,
    /// Create pods or pod controllers in a namespace: run as any of its service accounts.
    PodCreate,
    /// Create pods in a namespace whose Pod Security admission does not forbid it: run a
    /// privileged pod and take its node.
    PrivilegedPodCreate,
    /// Update or patch a pod controller: change its template and run code in its pods.
    WorkloadPatch,
    /// A controller's pods run its template: changing the controller runs code in them.
    WorkloadTemplate,
    /// Code running in a pod runs in its containers.
    ContainerOfPod,
    /// The service account token mounted into a container is read from its filesystem.
    TokenSteal,
    /// `get`/`list secrets`: read every secret of the scope.
    SecretRead,
    /// A `kubernetes.io/service-account-token` secret holds its account's token.
    SecretToken,
    /// `create serviceaccounts/token`: mint a token for any service account of the scope.
    TokenCreate,
    /// `impersonate` users, groups or service accounts: act as them.
    IdentityImpersonate,
    /// `impersonate groups` without restriction: act as `system:masters`.
    ImpersonateMasters,
    /// `bind` roles plus creating bindings: grant oneself any role, cluster-admin included.
    RoleBind,
    /// `escalate` roles plus updating them: add any permission to a role one holds.
    RoleEscalate,
    /// What an administrator of a namespace can do there.
    NamespaceAdmin,
    /// A privileged container can reach every device of its node and leave the container.
    PrivilegedEscape,
    /// A container mounts a hostPath volume.
    VolumeMount,
    /// A writable sensitive host path (or `/`) lets a container write to its node.
    HostPathEscape,
    /// A container runtime socket controls every container of the node.
    RuntimeSocketEscape,
    /// The host's PID namespace: see and enter the node's processes.
    HostPidEscape,
    /// The host's network namespace: reach the node's local services and sniff its traffic.
    HostNetwork,
    /// The host's IPC namespace: the node's shared memory.
    HostIpc,
    /// A capability that leaves the container (`SYS_ADMIN`, `SYS_PTRACE`, `SYS_MODULE`, ...).
    CapabilityEscape,
    /// Whoever controls a node controls every pod on it.
    NodeRunsPod,
    /// A node's kubelet credentials: the identity `system:node:<name>`.
    NodeCredentials,
    /// `nodes/proxy`: the kubelet API, which runs commands in any pod of the nodes.
    KubeletProxy,
    /// Writing mutating webhook configurations: rewrite every pod created.
    MutatingWebhook,
    /// Writing validating webhook configurations: receive every object admitted, secrets
    /// included.
    ValidatingWebhook,
    /// Creating and approving certificate signing requests: a client certificate for any user
    /// or group.
    CsrSign,
}

/// The fixed description of a technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TechniqueMeta {
    /// The stable name, `SCREAMING_SNAKE_CASE` as KubeHound writes its edges.
    pub name: &'static str,
    /// What the attacker does, as a short phrase.
    pub title: &'static str,
    /// The MITRE ATT&CK (Containers / Enterprise) technique id.
    pub mitre: &'static str,
    /// When the edge exists.
    pub condition: &'static str,
}

impl Technique {
    /// Every technique, in the order the documentation lists them.
    pub const ALL: [Technique; 36] = [
        Technique::ExposedService,
        Technique::AnonymousAccess,
        Technique::MemberOf,
        Technique::AdminEquivalent,
        Technique::PodExec,
        Technique::PodAttach,
        Technique::PodPortForward,
        Technique::EphemeralContainer,
        Technique::PodCreate,
        Technique::PrivilegedPodCreate,
        Technique::WorkloadPatch,
        Technique::WorkloadTemplate,
        Technique::ContainerOfPod,
        Technique::TokenSteal,
        Technique::SecretRead,
        Technique::SecretToken,
        Technique::TokenCreate,
        Technique::IdentityImpersonate,
        Technique::ImpersonateMasters,
        Technique::RoleBind,
        Technique::RoleEscalate,
        Technique::NamespaceAdmin,
        Technique::PrivilegedEscape,
        Technique::VolumeMount,
        Technique::HostPathEscape,
        Technique::RuntimeSocketEscape,
        Technique::HostPidEscape,
        Technique::HostNetwork,
        Technique::HostIpc,
        Technique::CapabilityEscape,
        Technique::NodeRunsPod,
        Technique::NodeCredentials,
        Technique::KubeletProxy,
        Technique::MutatingWebhook,
        Technique::ValidatingWebhook,
        Technique::CsrSign,
    ];

    /// The technique's name, title, ATT&CK id and condition.
    pub const fn meta(self) -> TechniqueMeta {
        const fn m(
            name: &'static str,
            title: &'static str,
            mitre: &'static str,
            condition: &'static str,
        ) -> TechniqueMeta {
            TechniqueMeta {
                name,
                title,
                mitre,
                condition,
            }
        }
        match self {
            Technique::ExposedService => m(
                "ENDPOINT_EXPLOIT",
                "exploit the exposed service",
                "T1190",
                "the exposure analysis finds an unrestricted route from outside the cluster to the pod: a LoadBalancer or NodePort Service, externalIPs, an Ingress, a Gateway API route, a hostPort or hostNetwork",
            ),
            Technique::AnonymousAccess => m(
                "ANONYMOUS_ACCESS",
                "send anonymous requests",
                "T1078.001",
                "a binding names `system:anonymous` or `system:unauthenticated` (it only matters if the API server allows anonymous authentication and is reachable)",
            ),
            Technique::MemberOf => m(
                "GROUP_MEMBER",
                "use the group's permissions",
                "T1078",
                "a service account is in `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`; a user in `system:authenticated`; a node in `system:nodes`",
            ),
            Technique::PodExec => m(
                "POD_EXEC",
                "exec into the pod",
                "T1609",
                "the identity may `create pods/exec` in the pod's namespace",
            ),
            Technique::PodAttach => m(
                "POD_ATTACH",
                "attach to the pod",
                "T1609",
                "the identity may `create pods/attach` in the pod's namespace",
            ),
            Technique::PodPortForward => m(
                "POD_PORT_FORWARD",
                "port-forward to the pod",
                "T1572",
                "the identity may `create pods/portforward` in the pod's namespace (it reaches the pod's ports, as an exposed service would)",
            ),
            Technique::EphemeralContainer => m(
                "POD_EPHEMERAL_CONTAINER",
                "add an ephemeral container to the pod",
                "T1610",
                "the identity may `patch` or `update` `pods/ephemeralcontainers` in the pod's namespace",
            ),
            Technique::PodCreate => m(
                "POD_CREATE",
                "create a pod running as the service account",
                "T1610",
                "the identity may create pods or a pod controller (Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, ReplicationController) in the account's namespace",
            ),
            Technique::PrivilegedPodCreate => m(
                "POD_CREATE_PRIVILEGED",
                "create a privileged pod on the node",
                "T1611",
                "the identity may create pods or a pod controller in a namespace whose `pod-security.kubernetes.io/enforce` label (when the Namespace is among the inputs) is not `baseline` or `restricted`",
            ),
            Technique::WorkloadPatch => m(
                "WORKLOAD_PATCH",
                "patch the controller's pod template",
                "T1610",
                "the identity may `patch` or `update` the controller's resource in its namespace",
            ),
            Technique::WorkloadTemplate => m(
                "WORKLOAD_ROLLOUT",
                "let the controller roll out the template",
                "T1610",
                "the controller runs pods from its template",
            ),
            Technique::ContainerOfPod => m(
                "CONTAINER_ATTACH",
                "run code in the container",
                "T1609",
                "the container is one of the pod's",
            ),
            Technique::TokenSteal => m(
                "TOKEN_STEAL",
                "steal the mounted service account token",
                "T1528",
                "the account's token is mounted: `automountServiceAccountToken` of the pod, else of the ServiceAccount, is not `false`, or a projected `serviceAccountToken` volume is mounted",
            ),
            Technique::SecretRead => m(
                "SECRET_READ",
                "read the secrets",
                "T1552.007",
                "the identity may `get` or `list` `secrets` in the namespace (cluster-wide: every namespace)",
            ),
            Technique::SecretToken => m(
                "SECRET_TOKEN",
                "use the service account token stored in a secret",
                "T1528",
                "a Secret of type `kubernetes.io/service-account-token` names the account in `kubernetes.io/service-account.name`",
            ),
            Technique::TokenCreate => m(
                "TOKEN_CREATE",
                "request a token for the service account",
                "T1528",
                "the identity may `create serviceaccounts/token` in the account's namespace",
            ),
            Technique::IdentityImpersonate => m(
                "IDENTITY_IMPERSONATE",
                "impersonate the identity",
                "T1078",
                "the identity may `impersonate` `users`, `groups` or `serviceaccounts` (the target's name, or any)",
            ),
            Technique::ImpersonateMasters => m(
                "IMPERSONATE_MASTERS",
                "impersonate the group system:masters",
                "T1078",
                "the identity may `impersonate` any group cluster-wide, `system:masters` included",
            ),
            Technique::RoleBind => m(
                "ROLE_BIND",
                "bind a role to oneself",
                "T1098",
                "the identity may `bind` ClusterRoles and create (Cluster)RoleBindings in the scope",
            ),
            Technique::RoleEscalate => m(
                "ROLE_ESCALATE",
                "escalate a role one holds",
                "T1098",
                "the identity may `escalate` and `update`/`patch` (Cluster)Roles in the scope",
            ),
            Technique::AdminEquivalent => m(
                "ADMIN_EQUIVALENT",
                "use every permission",
                "T1078",
                "the identity holds every verb on every resource of every group (`*`) in the scope",
            ),
            Technique::NamespaceAdmin => m(
                "NAMESPACE_ADMIN",
                "use the namespace administrator's permissions",
                "T1078",
                "an administrator of a namespace reads its secrets and runs pods as any of its service accounts",
            ),
            Technique::PrivilegedEscape => m(
                "CE_PRIV_MOUNT",
                "escape through privileged mode",
                "T1611",
                "the container runs with `securityContext.privileged: true`",
            ),
            Technique::VolumeMount => m(
                "VOLUME_DISCOVER",
                "use the mounted host volume",
                "T1613",
                "the container mounts a hostPath volume that is sensitive or a runtime socket",
            ),
            Technique::HostPathEscape => m(
                "EXPLOIT_HOST_WRITE",
                "write to the host through the mounted path",
                "T1611",
                "the hostPath is `/` or a sensitive host directory (the list of `sensitive-host-path-mounted`)",
            ),
            Technique::RuntimeSocketEscape => m(
                "EXPLOIT_CONTAINERD_SOCK",
                "drive the container runtime through its socket",
                "T1611",
                "the hostPath is a container runtime socket or its directory (Docker, containerd, CRI-O, podman)",
            ),
            Technique::HostPidEscape => m(
                "CE_NSENTER",
                "enter the host's processes",
                "T1611",
                "the pod sets `hostPID: true`",
            ),
            Technique::HostNetwork => m(
                "HOST_NETWORK",
                "use the host's network namespace",
                "T1040",
                "the pod sets `hostNetwork: true` (with `NET_ADMIN` or `NET_RAW` the container also sniffs and forges the node's traffic)",
            ),
            Technique::HostIpc => m(
                "HOST_IPC",
                "use the host's shared memory",
                "T1559",
                "the pod sets `hostIPC: true`",
            ),
            Technique::CapabilityEscape => m(
                "CE_CAPABILITY",
                "escape through an added capability",
                "T1611",
                "the container adds `SYS_ADMIN`, `SYS_PTRACE`, `SYS_MODULE`, `DAC_READ_SEARCH`, `SYS_RAWIO`, `BPF` or `ALL`",
            ),
            Technique::NodeRunsPod => m(
                "NODE_RUNS_POD",
                "take over a pod of the node",
                "T1609",
                "the pod is scheduled on the node (`spec.nodeName` or a `kubernetes.io/hostname` nodeSelector, a DaemonSet on every node, any other pod on \"any node\")",
            ),
            Technique::NodeCredentials => m(
                "NODE_CREDENTIALS",
                "use the kubelet's credentials",
                "T1552.001",
                "a named node's kubelet credentials are the user `system:node:<name>`, when a binding names it or `system:nodes`",
            ),
            Technique::KubeletProxy => m(
                "KUBELET_PROXY",
                "run commands through the kubelet API",
                "T1609",
                "the identity may `get` or `create` `nodes/proxy` cluster-wide",
            ),
            Technique::MutatingWebhook => m(
                "WEBHOOK_MUTATE",
                "rewrite every pod created",
                "T1557",
                "the identity may `create`, `update` or `patch` `mutatingwebhookconfigurations` cluster-wide",
            ),
            Technique::ValidatingWebhook => m(
                "WEBHOOK_INTERCEPT",
                "receive every object admitted",
                "T1557",
                "the identity may `create`, `update` or `patch` `validatingwebhookconfigurations` cluster-wide",
            ),
            Technique::CsrSign => m(
                "CSR_SIGN",
                "issue oneself a client certificate",
                "T1649",
                "the identity may `create` `certificatesigningrequests` and `update` `certificatesigningrequests/approval` and `approve` a signer, cluster-wide",
            ),
        }
    }

    /// The stable name (`POD_EXEC`).
    pub const fn name(self) -> &'static str {
        self.meta().name
    }

    /// The ATT&CK id (`T1609`).
    pub const fn mitre(self) -> &'static str {
        self.meta().mitre
    }

    /// The short phrase (`exec into the pod`).
    pub const fn title(self) -> &'static str {
        self.meta().title
    }
}

impl fmt::Display for Technique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Technique {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::Technique;

    #[test]
    fn names_and_ids_are_unique_and_well_formed() {
        let names: BTreeSet<_> = Technique::ALL.iter().map(|t| t.name()).collect();
        assert_eq!(names.len(), Technique::ALL.len());
        assert!(Technique::ALL.len() >= 20);
        for t in Technique::ALL {
            let id = t.mitre();
            assert!(id.starts_with('T') && id.len() >= 5, "{t}: {id}");
            assert!(id[1..5].chars().all(|c| c.is_ascii_digit()), "{t}: {id}");
            assert!(!t.meta().condition.is_empty());
        }
    }
}

#[cfg(test)]
mod docs_tests {
    use super::Technique;

    /// docs/attack-paths.md lists every technique with its name, ATT&CK id and condition, as
    /// this table writes them; a technique added or changed here must be documented there.
    #[test]
    fn docs_list_every_technique() {
        let docs = include_str!("../../../docs/attack-paths.md");
        for t in Technique::ALL {
            let m = t.meta();
            let row = format!(
                "| `{}` | {} | {} | {} |",
                m.name, m.mitre, m.title, m.condition
            );
            assert!(
                docs.contains(&row),
                "docs/attack-paths.md lacks the row\n{row}"
            );
        }
    }
}
