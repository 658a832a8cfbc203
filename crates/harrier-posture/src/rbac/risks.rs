//! Risky RBAC permissions (`harrier rbac risks`): a catalogue of permission primitives an
//! attacker uses to take over a node or the cluster, steal credentials, persist or hide, and
//! the subjects that hold each of them.
//!
//! Every primitive is data ([`PRIMITIVES`]): a stable id (`HRR-RBAC-R001`…), a title, a
//! severity, MITRE ATT&CK technique ids (containers matrix), why it is dangerous, and the
//! requests that grant it. A primitive is held when *any* of its alternatives is held, and an
//! alternative is held when *every* request in it is granted (approving a CSR needs both
//! `update certificatesigningrequests/approval` and `approve` on the signer). Requests are
//! asked of [`Rbac::who_can`], so wildcards, `resourceNames`, subresources, aggregation,
//! RoleBinding scoping and groups keep the authorizer's semantics; nothing here matches rules
//! by itself, except to list the `resourceNames` worth asking about (see below).
//!
//! Three facts change how bad a held primitive is, and each is a field of the primitive so
//! that the catalogue, the docs and the findings agree:
//! - *where*: a grant through a ClusterRoleBinding holds everywhere, one through RoleBindings
//!   only in their namespaces (`severity` vs `namespaced_severity`; reading secrets is two
//!   primitives, as the issue asks, through [`Reach`]);
//! - *which objects*: a rule limited by `resourceNames` grants only the named objects. The
//!   authorizer only matches such a rule when the request names one of them, so for each name
//!   that some matching rule lists the request is asked again with that name; a subject that
//!   holds the primitive only that way gets `named_severity` and the finding lists the names.
//!   `create` (without a subresource) and `deletecollection` carry no name in the API server,
//!   so a `resourceNames` rule never grants them and they are not asked by name;
//! - *who*: `system:unauthenticated` and `system:anonymous` are anyone who can reach the API
//!   server, so their findings are raised one step.
//!
//! Subjects the control plane itself uses (`system:kube-controller-manager`, `system:nodes`,
//! `system:masters`…) and subjects granted only by bootstrap bindings (labelled
//! `kubernetes.io/bootstrapping: rbac-defaults`, as the API server labels every binding it
//! creates) are marked [`Finding::builtin`]: they hold these permissions by design, and a
//! report shows them only when asked. The broad groups (`system:authenticated`,
//! `system:serviceaccounts[:ns]`, `system:unauthenticated`) are never built-in: a binding to
//! them is exactly what this analysis is for.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use harrier_core::{Location, Severity};
use harrier_k8s::ObjectIndex;
use serde::Serialize;

use super::{BindingKind, Rbac, RbacOptions, Request, SubjectKind, SubjectRef, Via, matching};
use crate::identity::{ServiceAccounts, service_account_name};

/// One request of a primitive, as `harrier rbac who-can VERB TARGET` would take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Grant {
    /// The verb.
    pub verb: &'static str,
    /// `resource.group` or `resource.group/subresource`, the group always written out (`""`
    /// core resources as plain `pods`).
    pub target: &'static str,
}

/// Where a primitive counts: some primitives are split by where they are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// Wherever it is held.
    Anywhere,
    /// Only when held cluster-wide (through a ClusterRoleBinding).
    ClusterWide,
    /// Only when held in some namespaces and not cluster-wide.
    Namespaced,
}

/// A risky permission primitive.
#[derive(Debug, Serialize)]
pub struct Primitive {
    /// Stable id, `HRR-RBAC-R001`…
    pub id: &'static str,
    /// Kebab-case name of the risky condition.
    pub slug: &'static str,
    /// One line.
    pub title: &'static str,
    /// Severity when held cluster-wide.
    pub severity: Severity,
    /// Severity when held only in some namespaces.
    pub namespaced_severity: Severity,
    /// Severity when held only on objects named by `resourceNames`.
    pub named_severity: Severity,
    /// MITRE ATT&CK technique ids (containers matrix).
    pub mitre: &'static [&'static str],
    /// Why it is dangerous.
    pub why: &'static str,
    /// Alternatives: any one of them, with every request in it granted, is the primitive.
    pub any_of: &'static [&'static [Grant]],
    /// Where it counts.
    pub reach: Reach,
}

const fn g(verb: &'static str, target: &'static str) -> Grant {
    Grant { verb, target }
}

use Severity::{Critical, High, Low, Medium};

/// Every primitive, sorted by id. Ids are never reused.
pub static PRIMITIVES: &[Primitive] = &[
    Primitive {
        id: "HRR-RBAC-R001",
        slug: "cluster-admin-equivalent",
        title: "Every verb on every resource of every API group, cluster-wide",
        severity: Critical,
        namespaced_severity: Critical,
        named_severity: Critical,
        mitre: &["T1078", "T1098.006"],
        why: "`*` on `*.*` through a ClusterRoleBinding is `cluster-admin` under any name: the subject can read every secret, run code in every pod and node, and grant itself anything.",
        any_of: &[&[g("*", "*.*")]],
        reach: Reach::ClusterWide,
    },
    Primitive {
        id: "HRR-RBAC-R002",
        slug: "core-wildcard-cluster-wide",
        title: "Every verb on every core resource, cluster-wide",
        severity: Critical,
        namespaced_severity: Critical,
        named_severity: Critical,
        mitre: &["T1078", "T1552.007"],
        why: "`*` on every core resource everywhere covers secrets, pods and their exec subresource, nodes/proxy and service account tokens: each alone is a takeover.",
        any_of: &[&[g("*", "*")]],
        reach: Reach::ClusterWide,
    },
    Primitive {
        id: "HRR-RBAC-R003",
        slug: "namespace-wildcard",
        title: "Every verb on every (core) resource of a namespace",
        severity: High,
        namespaced_severity: High,
        named_severity: High,
        mitre: &["T1078"],
        why: "A wildcard Role or a RoleBinding to a wildcard ClusterRole owns the namespace: its secrets, its pods, and every service account in it, whose permissions may reach further.",
        any_of: &[&[g("*", "*.*")], &[g("*", "*")]],
        reach: Reach::Namespaced,
    },
    Primitive {
        id: "HRR-RBAC-R004",
        slug: "secrets-read-cluster-wide",
        title: "Read secrets in every namespace",
        severity: Critical,
        namespaced_severity: Critical,
        named_severity: Medium,
        mitre: &["T1552.007", "T1528"],
        why: "`get`, `list` and `watch` all return secret contents (`list` and `watch` return whole objects). Cluster-wide this includes every legacy service account token, TLS key and cloud credential of the cluster, including those of controllers that can do anything.",
        any_of: &[
            &[g("get", "secrets")],
            &[g("list", "secrets")],
            &[g("watch", "secrets")],
        ],
        reach: Reach::ClusterWide,
    },
    Primitive {
        id: "HRR-RBAC-R005",
        slug: "secrets-read-namespace",
        title: "Read secrets in a namespace",
        severity: High,
        namespaced_severity: High,
        named_severity: Low,
        mitre: &["T1552.007", "T1528"],
        why: "`get`, `list` and `watch` all return secret contents. In a namespace this exposes the tokens and credentials of every workload there; named secrets (`resourceNames`) expose only those.",
        any_of: &[
            &[g("get", "secrets")],
            &[g("list", "secrets")],
            &[g("watch", "secrets")],
        ],
        reach: Reach::Namespaced,
    },
    Primitive {
        id: "HRR-RBAC-R006",
        slug: "pod-create",
        title: "Create pods",
        severity: Critical,
        namespaced_severity: High,
        named_severity: High,
        mitre: &["T1610", "T1611", "T1528"],
        why: "A new pod can run as any service account of its namespace (and so hold its token and permissions) and, where admission allows it, be privileged, share the host's namespaces or mount its filesystem: a step to the node and to every pod on it.",
        any_of: &[&[g("create", "pods")]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R007",
        slug: "pod-controller-create",
        title: "Create a pod controller (Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, ReplicationController)",
        severity: Critical,
        namespaced_severity: High,
        named_severity: High,
        mitre: &["T1610", "T1053.007", "T1611"],
        why: "Controllers create pods on the subject's behalf from a template it writes: everything `create pods` allows (any service account, privileged, host mounts), and a DaemonSet puts it on every node.",
        any_of: &[
            &[g("create", "deployments.apps")],
            &[g("create", "daemonsets.apps")],
            &[g("create", "statefulsets.apps")],
            &[g("create", "replicasets.apps")],
            &[g("create", "jobs.batch")],
            &[g("create", "cronjobs.batch")],
            &[g("create", "replicationcontrollers")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R008",
        slug: "pod-controller-modify",
        title: "Update or patch a pod controller's template",
        severity: High,
        namespaced_severity: Medium,
        named_severity: Medium,
        mitre: &["T1610", "T1053.007"],
        why: "Changing a controller's pod template replaces its pods with ones of the subject's choosing (image, command, service account, privileges), under a name that already looks legitimate.",
        any_of: &[
            &[g("patch", "deployments.apps")],
            &[g("update", "deployments.apps")],
            &[g("patch", "daemonsets.apps")],
            &[g("update", "daemonsets.apps")],
            &[g("patch", "statefulsets.apps")],
            &[g("update", "statefulsets.apps")],
            &[g("patch", "cronjobs.batch")],
            &[g("update", "cronjobs.batch")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R009",
        slug: "pod-exec",
        title: "Execute commands in pods (pods/exec)",
        severity: Critical,
        namespaced_severity: High,
        named_severity: Medium,
        mitre: &["T1609", "T1528"],
        why: "Exec runs any command in a running container and reads its mounted service account token. The SPDY protocol sends `create pods/exec`; the WebSocket protocol (kubectl's default since 1.31) sends `get pods/exec`, which is enough unless the API server enforces `AuthorizePodWebsocketUpgradeCreatePermission` (1.35+), so either verb is reported.",
        any_of: &[&[g("create", "pods/exec")], &[g("get", "pods/exec")]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R010",
        slug: "pod-attach",
        title: "Attach to pods (pods/attach)",
        severity: High,
        namespaced_severity: Medium,
        named_severity: Medium,
        mitre: &["T1609"],
        why: "Attach connects to a container's main process: with a shell or an interactive process as PID 1 it is exec by another name. As for exec, `get` (WebSocket) or `create` (SPDY) grants it.",
        any_of: &[&[g("create", "pods/attach")], &[g("get", "pods/attach")]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R011",
        slug: "pod-portforward",
        title: "Port-forward to pods (pods/portforward)",
        severity: Medium,
        namespaced_severity: Medium,
        named_severity: Low,
        mitre: &["T1609", "T1046"],
        why: "Port-forwarding reaches any port of a pod through the API server, past NetworkPolicies and without exposing a Service: databases, admin endpoints and debug ports that were meant to be internal.",
        any_of: &[
            &[g("create", "pods/portforward")],
            &[g("get", "pods/portforward")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R012",
        slug: "pod-ephemeral-containers",
        title: "Add ephemeral containers to running pods",
        severity: Critical,
        namespaced_severity: High,
        named_severity: Medium,
        mitre: &["T1609", "T1610"],
        why: "An ephemeral (debug) container joins a running pod with an image and command of the subject's choosing, sharing its network, its volumes and its service account token.",
        any_of: &[
            &[g("update", "pods/ephemeralcontainers")],
            &[g("patch", "pods/ephemeralcontainers")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R013",
        slug: "pod-modify",
        title: "Update or patch pods",
        severity: High,
        namespaced_severity: Medium,
        named_severity: Medium,
        mitre: &["T1609", "T1610"],
        why: "A running pod's container images can be changed in place: the next start runs the subject's image with the pod's service account and volumes.",
        any_of: &[&[g("update", "pods")], &[g("patch", "pods")]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R014",
        slug: "node-proxy",
        title: "Reach the kubelet API (nodes/proxy)",
        severity: Critical,
        namespaced_severity: Critical,
        named_severity: High,
        mitre: &["T1609", "T1611"],
        why: "nodes/proxy reaches the kubelet's API through the API server, bypassing its audit log and admission: `/run`, `/exec` (a WebSocket `get` is enough) and `/pods` on every pod of the node.",
        any_of: &[&[g("get", "nodes/proxy")], &[g("create", "nodes/proxy")]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R015",
        slug: "role-escalate",
        title: "Escalate: write roles with permissions the subject lacks",
        severity: Critical,
        namespaced_severity: High,
        named_severity: High,
        mitre: &["T1098.006"],
        why: "`escalate` switches off RBAC's escalation check for role writes: with `update` or `create` on a role the subject bound to, it grants itself anything.",
        any_of: &[
            &[g("escalate", "clusterroles.rbac.authorization.k8s.io")],
            &[g("escalate", "roles.rbac.authorization.k8s.io")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R016",
        slug: "role-bind",
        title: "Bind: bind roles with permissions the subject lacks",
        severity: Critical,
        namespaced_severity: High,
        named_severity: High,
        mitre: &["T1098.006"],
        why: "`bind` switches off RBAC's escalation check for bindings: with write access to bindings the subject can bind `cluster-admin` (or the named roles) to itself. Named roles narrow it only as far as the named roles are harmless.",
        any_of: &[
            &[g("bind", "clusterroles.rbac.authorization.k8s.io")],
            &[g("bind", "roles.rbac.authorization.k8s.io")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R017",
        slug: "binding-write",
        title: "Create role bindings",
        severity: Medium,
        namespaced_severity: Medium,
        named_severity: Low,
        mitre: &["T1098.006"],
        why: "Creating bindings hands the subject's own permissions to any other subject (persistence through an account it controls); together with `bind` or `escalate` it grants any role.",
        any_of: &[
            &[g("create", "clusterrolebindings.rbac.authorization.k8s.io")],
            &[g("create", "rolebindings.rbac.authorization.k8s.io")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R018",
        slug: "impersonate-users",
        title: "Impersonate users",
        severity: Critical,
        namespaced_severity: Critical,
        named_severity: Critical,
        mitre: &["T1078", "T1550"],
        why: "Impersonating a user acts with its permissions; `system:admin` or any cluster administrator's name is cluster-admin. A named user is as dangerous as that user.",
        any_of: &[&[g("impersonate", "users")]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R019",
        slug: "impersonate-groups",
        title: "Impersonate groups",
        severity: Critical,
        namespaced_severity: Critical,
        named_severity: Critical,
        mitre: &["T1078", "T1550"],
        why: "Impersonating a group acts with its permissions; `system:masters` bypasses RBAC entirely.",
        any_of: &[&[g("impersonate", "groups")]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R020",
        slug: "impersonate-service-accounts",
        title: "Impersonate service accounts",
        severity: Critical,
        namespaced_severity: High,
        named_severity: High,
        mitre: &["T1078", "T1550.001"],
        why: "Impersonating a service account acts with its permissions: in a namespace, every controller account there; cluster-wide, every account of the cluster.",
        any_of: &[&[g("impersonate", "serviceaccounts")]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R021",
        slug: "service-account-token-create",
        title: "Mint service account tokens (serviceaccounts/token)",
        severity: Critical,
        namespaced_severity: High,
        named_severity: High,
        mitre: &["T1528", "T1550.001"],
        why: "The TokenRequest API issues a fresh, long-lived (up to the server's maximum) token for any service account the subject may name, without running anything in a pod.",
        any_of: &[&[g("create", "serviceaccounts/token")]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R022",
        slug: "csr-create-and-approve",
        title: "Create and approve certificate signing requests",
        severity: Critical,
        namespaced_severity: Critical,
        named_severity: Critical,
        mitre: &["T1550", "T1078"],
        why: "Creating a CSR for the `kubernetes.io/kube-apiserver-client` signer and approving it yields a client certificate for any user and group, `system:masters` included, that RBAC cannot revoke. Approval needs both `update certificatesigningrequests/approval` and `approve` on the signer.",
        any_of: &[&[
            g("create", "certificatesigningrequests.certificates.k8s.io"),
            g(
                "update",
                "certificatesigningrequests.certificates.k8s.io/approval",
            ),
            g("approve", "signers.certificates.k8s.io"),
        ]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R023",
        slug: "csr-approve",
        title: "Approve certificate signing requests",
        severity: High,
        namespaced_severity: High,
        named_severity: High,
        mitre: &["T1550", "T1078"],
        why: "Approving CSRs (`update certificatesigningrequests/approval` and `approve` on the signer) lets whoever can create one, or a compromised node, obtain credentials of its choosing.",
        any_of: &[&[
            g(
                "update",
                "certificatesigningrequests.certificates.k8s.io/approval",
            ),
            g("approve", "signers.certificates.k8s.io"),
        ]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R024",
        slug: "mutating-webhook-write",
        title: "Write mutating admission webhook configurations",
        severity: Critical,
        namespaced_severity: Critical,
        named_severity: Critical,
        mitre: &["T1610", "T1562.001"],
        why: "A mutating webhook sees and rewrites every object it selects as it is admitted: it can inject containers into every new pod, read every secret written, or point an existing webhook at the subject's server.",
        any_of: &[
            &[g(
                "create",
                "mutatingwebhookconfigurations.admissionregistration.k8s.io",
            )],
            &[g(
                "update",
                "mutatingwebhookconfigurations.admissionregistration.k8s.io",
            )],
            &[g(
                "patch",
                "mutatingwebhookconfigurations.admissionregistration.k8s.io",
            )],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R025",
        slug: "validating-webhook-write",
        title: "Write or delete validating admission webhook configurations",
        severity: High,
        namespaced_severity: High,
        named_severity: High,
        mitre: &["T1562.001"],
        why: "Validating webhooks enforce policy (Kyverno, Gatekeeper, image signing): changing or deleting one switches that policy off, and a webhook pointed at the subject's server receives every object it selects.",
        any_of: &[
            &[g(
                "create",
                "validatingwebhookconfigurations.admissionregistration.k8s.io",
            )],
            &[g(
                "update",
                "validatingwebhookconfigurations.admissionregistration.k8s.io",
            )],
            &[g(
                "patch",
                "validatingwebhookconfigurations.admissionregistration.k8s.io",
            )],
            &[g(
                "delete",
                "validatingwebhookconfigurations.admissionregistration.k8s.io",
            )],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R026",
        slug: "crd-write",
        title: "Write or delete CustomResourceDefinitions",
        severity: Medium,
        namespaced_severity: Medium,
        named_severity: Medium,
        mitre: &["T1562.001", "T1485"],
        why: "CRDs define the APIs operators and policy engines read: deleting one deletes every object of it (policies, certificates, backups), and changing its schema or conversion webhook changes what controllers act on.",
        any_of: &[
            &[g(
                "create",
                "customresourcedefinitions.apiextensions.k8s.io",
            )],
            &[g(
                "update",
                "customresourcedefinitions.apiextensions.k8s.io",
            )],
            &[g("patch", "customresourcedefinitions.apiextensions.k8s.io")],
            &[g(
                "delete",
                "customresourcedefinitions.apiextensions.k8s.io",
            )],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R027",
        slug: "apiservice-write",
        title: "Write APIServices (aggregated APIs)",
        severity: Critical,
        namespaced_severity: Critical,
        named_severity: High,
        mitre: &["T1552", "T1562.001"],
        why: "An APIService routes a whole API group to a Service: pointing one at the subject's server hands it every request for that group, with the callers' identities, and can make the group (metrics, custom metrics) answer what the subject wants.",
        any_of: &[
            &[g("create", "apiservices.apiregistration.k8s.io")],
            &[g("update", "apiservices.apiregistration.k8s.io")],
            &[g("patch", "apiservices.apiregistration.k8s.io")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R028",
        slug: "persistent-volume-create",
        title: "Create PersistentVolumes",
        severity: High,
        namespaced_severity: High,
        named_severity: High,
        mitre: &["T1611"],
        why: "A PersistentVolume can be a `hostPath` of the node's root; any pod that claims it mounts the node's filesystem, past the Pod Security admission that would refuse a hostPath pod.",
        any_of: &[&[g("create", "persistentvolumes")]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R029",
        slug: "node-modify",
        title: "Update or patch nodes",
        severity: High,
        namespaced_severity: High,
        named_severity: Medium,
        mitre: &["T1610", "T1611"],
        why: "Node labels and taints steer the scheduler: a subject can attract sensitive pods (control-plane components, other tenants) to a node it controls, or cordon and taint nodes to evict workloads.",
        any_of: &[
            &[g("patch", "nodes")],
            &[g("update", "nodes")],
            &[g("patch", "nodes/status")],
            &[g("update", "nodes/status")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R030",
        slug: "namespace-delete",
        title: "Delete namespaces",
        severity: High,
        namespaced_severity: High,
        named_severity: Medium,
        mitre: &["T1485", "T1499"],
        why: "Deleting a namespace deletes everything in it, its secrets, volumes claims and policies included; `kube-system` takes the cluster down.",
        any_of: &[&[g("delete", "namespaces")]],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R031",
        slug: "rbac-delete",
        title: "Delete RBAC roles or bindings",
        severity: Medium,
        namespaced_severity: Medium,
        named_severity: Low,
        mitre: &["T1485", "T1562.001"],
        why: "Deleting roles and bindings locks out administrators and controllers, or removes the deny-by-omission that a narrow role was giving.",
        any_of: &[
            &[g("delete", "clusterroles.rbac.authorization.k8s.io")],
            &[g("delete", "clusterrolebindings.rbac.authorization.k8s.io")],
            &[g("delete", "roles.rbac.authorization.k8s.io")],
            &[g("delete", "rolebindings.rbac.authorization.k8s.io")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R032",
        slug: "events-delete",
        title: "Delete events",
        severity: Medium,
        namespaced_severity: Low,
        named_severity: Low,
        mitre: &["T1070"],
        why: "Events record what happened (pulls, exec, scheduling, failures); deleting them hides an intrusion from anyone not shipping the audit log.",
        any_of: &[
            &[g("delete", "events")],
            &[g("deletecollection", "events")],
            &[g("delete", "events.events.k8s.io")],
            &[g("deletecollection", "events.events.k8s.io")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R033",
        slug: "workload-delete",
        title: "Delete pods, workloads, secrets or services",
        severity: Medium,
        namespaced_severity: Low,
        named_severity: Low,
        mitre: &["T1485", "T1499"],
        why: "Deleting the objects applications run on is a denial of service, and deleting a pod a controller recreates can move it to a node the subject controls.",
        any_of: &[
            &[g("delete", "pods")],
            &[g("delete", "secrets")],
            &[g("delete", "services")],
            &[g("delete", "deployments.apps")],
            &[g("delete", "daemonsets.apps")],
            &[g("delete", "statefulsets.apps")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R034",
        slug: "service-status-write",
        title: "Write Service status (CVE-2020-8554)",
        severity: Medium,
        namespaced_severity: Medium,
        named_severity: Low,
        mitre: &["T1552"],
        why: "Setting `status.loadBalancer.ingress[].ip` of a Service makes kube-proxy on every node send traffic for that IP to the Service (CVE-2020-8554, not fixed): a cluster-wide man-in-the-middle on any address.",
        any_of: &[
            &[g("update", "services/status")],
            &[g("patch", "services/status")],
        ],
        reach: Reach::Anywhere,
    },
    Primitive {
        id: "HRR-RBAC-R035",
        slug: "pod-service-proxy",
        title: "Proxy to pods or services (pods/proxy, services/proxy)",
        severity: Medium,
        namespaced_severity: Medium,
        named_severity: Low,
        mitre: &["T1046"],
        why: "The proxy subresources reach a pod's or Service's HTTP ports through the API server, past NetworkPolicies, with the API server's network position.",
        any_of: &[
            &[g("get", "pods/proxy")],
            &[g("create", "pods/proxy")],
            &[g("get", "services/proxy")],
            &[g("create", "services/proxy")],
        ],
        reach: Reach::Anywhere,
    },
];

/// Looks a primitive up by id or slug.
pub fn primitive(name: &str) -> Option<&'static Primitive> {
    PRIMITIVES
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(name) || p.slug == name)
}

/// Where a primitive is held: everywhere, or in some namespaces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// Held cluster-wide (through a ClusterRoleBinding).
    pub cluster: bool,
    /// The namespaces it is held in through RoleBindings (empty when `cluster`).
    pub namespaces: BTreeSet<String>,
}

impl Scope {
    fn of<'a>(vias: impl IntoIterator<Item = &'a Via>) -> Scope {
        let mut scope = Scope::default();
        for via in vias {
            match &via.scope {
                None => scope.cluster = true,
                Some(ns) => {
                    scope.namespaces.insert(ns.clone());
                }
            }
        }
        if scope.cluster {
            scope.namespaces.clear();
        }
        scope
    }

    fn union(&mut self, other: &Scope) {
        self.cluster |= other.cluster;
        if self.cluster {
            self.namespaces.clear();
        } else {
            self.namespaces.extend(other.namespaces.iter().cloned());
        }
    }

    fn intersect(&self, other: &Scope) -> Scope {
        match (self.cluster, other.cluster) {
            (true, _) => other.clone(),
            (false, true) => self.clone(),
            (false, false) => Scope {
                cluster: false,
                namespaces: self
                    .namespaces
                    .intersection(&other.namespaces)
                    .cloned()
                    .collect(),
            },
        }
    }

    fn is_empty(&self) -> bool {
        !self.cluster && self.namespaces.is_empty()
    }
}

/// A binding that grants a primitive, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Grantor {
    /// The binding and the role it binds.
    #[serde(flatten)]
    pub via: Via,
    /// The binding's file and line.
    pub location: Option<Location>,
}

/// A workload whose pods run as the subject with its token mounted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct WorkloadRef {
    /// `Deployment`, `Pod`, `CronJob`…
    pub kind: String,
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// The ServiceAccount its pods run as.
    pub service_account: String,
    /// Its file and line.
    pub location: Location,
}

/// A subject that holds a risky primitive.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The primitive's id.
    pub id: &'static str,
    /// The primitive's slug.
    pub slug: &'static str,
    /// The primitive's title.
    pub title: &'static str,
    /// This finding's severity: the primitive's for where and how it is held, raised for
    /// anonymous subjects.
    pub severity: Severity,
    /// MITRE ATT&CK technique ids.
    pub mitre: &'static [&'static str],
    /// Who holds it.
    pub subject: SubjectRef,
    /// Where.
    pub scope: Scope,
    /// When the subject holds it only on objects named by `resourceNames`, those names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// Every binding that grants it.
    pub bindings: Vec<Grantor>,
    /// Every workload that runs as the subject with its token mounted.
    pub workloads: Vec<WorkloadRef>,
    /// The subject is a group every workload (with a token) belongs to
    /// (`system:authenticated`, `system:serviceaccounts`); `workloads` is then empty.
    pub every_workload: bool,
    /// A control-plane subject, or one granted only by bootstrap bindings.
    pub builtin: bool,
}

/// Every risky primitive every subject holds: one finding per (subject, primitive), sorted by
/// severity (worst first), subject and id. `options` are those `rbac` was resolved with: a
/// workload without a namespace lands in the same default namespace as the RoleBindings and
/// service account subjects without one, so that `--default-namespace argocd` puts Argo CD's
/// install manifest, applied with `kubectl -n argocd`, where its bindings point.
pub fn assess(rbac: &Rbac, index: &ObjectIndex, options: &RbacOptions) -> Vec<Finding> {
    let context = Context::new(rbac, index, options);
    let mut findings = Vec::new();
    // Several primitives ask the same request (reading secrets cluster-wide and in a
    // namespace; CSR approval alone and with creation): ask each once, and keep an answer
    // only until its last use, since each holds every subject that holds the request.
    let mut asked = Asked::default();
    for grant in PRIMITIVES
        .iter()
        .flat_map(|p| p.any_of.iter().copied().flatten())
    {
        *asked.uses.entry(*grant).or_default() += 1;
    }
    for primitive in PRIMITIVES {
        for (subject, held) in holders_of(rbac, primitive, &mut asked) {
            findings.push(context.finding(primitive, subject, held));
        }
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.id.cmp(b.id))
    });
    findings
}

/// How a subject holds one request or one primitive.
#[derive(Debug, Clone, Default)]
struct Held {
    scope: Scope,
    vias: BTreeSet<Via>,
    /// Names when held only through `resourceNames`; empty when held for every object.
    names: BTreeSet<String>,
}

impl Held {
    fn is_named(&self) -> bool {
        !self.names.is_empty()
    }
}

/// Every subject that holds `primitive`, per its alternatives and reach.
fn holders_of(rbac: &Rbac, primitive: &Primitive, asked: &mut Asked) -> BTreeMap<SubjectRef, Held> {
    let mut out: BTreeMap<SubjectRef, Held> = BTreeMap::new();
    for alternative in primitive.any_of {
        let mut alt: Option<BTreeMap<SubjectRef, Held>> = None;
        for grant in *alternative {
            let holders = asked.get(rbac, grant);
            alt = Some(match alt {
                None => holders,
                Some(so_far) => conjoin(so_far, holders),
            });
        }
        for (subject, held) in alt.unwrap_or_default() {
            match out.get_mut(&subject) {
                None => {
                    out.insert(subject, held);
                }
                Some(existing) => {
                    // Held for every object by one alternative wins over held by name only.
                    if !existing.is_named() || !held.is_named() {
                        existing.names.clear();
                    } else {
                        existing.names.extend(held.names);
                    }
                    existing.scope.union(&held.scope);
                    existing.vias.extend(held.vias);
                }
            }
        }
    }
    out.retain(|_, held| match primitive.reach {
        Reach::Anywhere => true,
        Reach::ClusterWide => held.scope.cluster,
        Reach::Namespaced => !held.scope.cluster,
    });
    out
}

/// The answers of requests that more than one primitive asks.
#[derive(Default)]
struct Asked {
    /// How many more times each request will be asked.
    uses: HashMap<Grant, usize>,
    answers: HashMap<Grant, BTreeMap<SubjectRef, Held>>,
}

impl Asked {
    fn get(&mut self, rbac: &Rbac, grant: &Grant) -> BTreeMap<SubjectRef, Held> {
        let remaining = self.uses.get_mut(grant).map_or(0, |n| {
            *n = n.saturating_sub(1);
            *n
        });
        if remaining == 0 {
            return self
                .answers
                .remove(grant)
                .unwrap_or_else(|| holders_of_grant(rbac, grant));
        }
        self.answers
            .entry(*grant)
            .or_insert_with(|| holders_of_grant(rbac, grant))
            .clone()
    }
}

/// Subjects holding both; the scope is where both hold.
fn conjoin(
    a: BTreeMap<SubjectRef, Held>,
    mut b: BTreeMap<SubjectRef, Held>,
) -> BTreeMap<SubjectRef, Held> {
    let mut out = BTreeMap::new();
    for (subject, mut held) in a {
        let Some(other) = b.remove(&subject) else {
            continue;
        };
        let scope = held.scope.intersect(&other.scope);
        if scope.is_empty() {
            continue;
        }
        held.scope = scope;
        held.vias.extend(other.vias);
        held.names.extend(other.names);
        out.insert(subject, held);
    }
    out
}

/// Every subject granted `grant` anywhere: for every object, or else for the objects that
/// `resourceNames` of matching rules name.
fn holders_of_grant(rbac: &Rbac, grant: &Grant) -> BTreeMap<SubjectRef, Held> {
    let mut out = BTreeMap::new();
    // The catalogue's requests are fixed; a test parses every one, so this never skips.
    let Ok(request) = Request::parse(grant.verb, grant.target, None, None) else {
        return out;
    };
    for holder in rbac.who_can(&request) {
        let subject = SubjectRef {
            kind: holder.kind,
            name: holder.name,
            namespace: holder.namespace,
        };
        out.insert(
            subject,
            Held {
                scope: Scope::of(&holder.bindings),
                vias: holder.bindings.into_iter().collect(),
                names: BTreeSet::new(),
            },
        );
    }
    let Request::Resource(resource) = &request else {
        return out;
    };
    // The API server gives no name to `create` (except on subresources) nor to
    // `deletecollection`: a `resourceNames` rule never grants them.
    let nameless = (resource.verb == "create" && resource.subresource.is_none())
        || resource.verb == "deletecollection";
    if nameless {
        return out;
    }
    for name in candidate_names(rbac, &request) {
        let mut named = resource.clone();
        named.name = Some(name.clone());
        for holder in rbac.who_can(&Request::Resource(named)) {
            let subject = SubjectRef {
                kind: holder.kind,
                name: holder.name,
                namespace: holder.namespace,
            };
            let entry = out.entry(subject).or_insert_with(Held::default);
            // Held for every object already (a matching rule without names also answers a
            // named request): the names add nothing.
            if entry.vias.is_empty() || entry.is_named() {
                entry.names.insert(name.clone());
                entry.scope.union(&Scope::of(&holder.bindings));
                entry.vias.extend(holder.bindings);
            }
        }
    }
    out
}

/// Every name some rule's `resourceNames` lists where that rule grants `request` for it.
fn candidate_names(rbac: &Rbac, request: &Request) -> BTreeSet<String> {
    let Request::Resource(resource) = request else {
        return BTreeSet::new();
    };
    let mut names = BTreeSet::new();
    for role in rbac.roles.values() {
        for rule in &role.rules {
            for name in &rule.resource_names {
                if names.contains(name) {
                    continue;
                }
                let mut named = resource.clone();
                named.name = Some(name.clone());
                if matching::rule_allows(rule, &Request::Resource(named)) {
                    names.insert(name.clone());
                }
            }
        }
    }
    names
}

/// The broad groups a binding to which is never built-in.
fn is_broad_group(name: &str) -> bool {
    matches!(
        name,
        "system:authenticated"
            | "system:unauthenticated"
            | "system:serviceaccounts"
            | "system:anonymous"
    ) || name.starts_with("system:serviceaccounts:")
}

/// Whether the subject is anyone at all, authenticated or not.
fn is_anonymous(subject: &SubjectRef) -> bool {
    match subject.kind {
        SubjectKind::Group => subject.name == "system:unauthenticated",
        SubjectKind::User => subject.name == "system:anonymous",
        SubjectKind::ServiceAccount => false,
    }
}

/// What findings need beyond the RBAC answer: workloads per account and binding locations.
struct Context {
    /// Token-mounting workloads by (namespace, service account).
    workloads: BTreeMap<(String, String), Vec<WorkloadRef>>,
    locations: HashMap<Via, Location>,
    bootstrap: HashSet<(BindingKind, Option<String>, String)>,
}

impl Context {
    fn new(rbac: &Rbac, index: &ObjectIndex, options: &RbacOptions) -> Context {
        let accounts = ServiceAccounts::of(index);
        let mut workloads: BTreeMap<(String, String), Vec<WorkloadRef>> = BTreeMap::new();
        for workload in index.workloads() {
            let object = index.object_of(workload);
            if !accounts.mounts_token(object, workload) {
                continue;
            }
            let namespace = object
                .resource
                .namespace
                .clone()
                .unwrap_or_else(|| options.default_namespace.clone());
            let account = service_account_name(&workload.spec).to_owned();
            workloads
                .entry((namespace.clone(), account.clone()))
                .or_default()
                .push(WorkloadRef {
                    kind: object.kind().to_owned(),
                    namespace,
                    name: object.resource.name.clone().unwrap_or_default(),
                    service_account: account,
                    location: object.location(),
                });
        }
        for list in workloads.values_mut() {
            list.sort();
        }
        let locations = rbac
            .bindings
            .iter()
            .map(|b| (b.via.clone(), b.location.clone()))
            .collect();
        let bootstrap = index
            .objects()
            .iter()
            .filter(|o| {
                o.group() == super::RBAC_GROUP
                    && matches!(o.kind(), "RoleBinding" | "ClusterRoleBinding")
                    && o.labels
                        .get("kubernetes.io/bootstrapping")
                        .is_some_and(|v| v == "rbac-defaults")
            })
            .filter_map(|o| {
                let kind = if o.kind() == "RoleBinding" {
                    BindingKind::RoleBinding
                } else {
                    BindingKind::ClusterRoleBinding
                };
                let namespace = (kind == BindingKind::RoleBinding).then(|| {
                    o.resource
                        .namespace
                        .clone()
                        .unwrap_or_else(|| options.default_namespace.clone())
                });
                Some((kind, namespace, o.resource.name.clone()?))
            })
            .collect();
        Context {
            workloads,
            locations,
            bootstrap,
        }
    }

    fn finding(&self, primitive: &'static Primitive, subject: SubjectRef, held: Held) -> Finding {
        let mut severity = if held.is_named() {
            primitive.named_severity
        } else if held.scope.cluster {
            primitive.severity
        } else {
            primitive.namespaced_severity
        };
        if is_anonymous(&subject) {
            severity = raise(severity);
        }
        let (workloads, every_workload) = self.workloads_of(&subject);
        let builtin = self.is_builtin(&subject, &held.vias);
        Finding {
            id: primitive.id,
            slug: primitive.slug,
            title: primitive.title,
            severity,
            mitre: primitive.mitre,
            scope: held.scope,
            names: held.names.into_iter().collect(),
            bindings: held
                .vias
                .into_iter()
                .map(|via| Grantor {
                    location: self.locations.get(&via).cloned(),
                    via,
                })
                .collect(),
            workloads,
            every_workload,
            builtin,
            subject,
        }
    }

    /// The workloads that act as `subject`: its own pods for a service account (also when
    /// named as the user `system:serviceaccount:NS:NAME`), a namespace's for
    /// `system:serviceaccounts:NS`, and "every workload" for the groups every account is in.
    fn workloads_of(&self, subject: &SubjectRef) -> (Vec<WorkloadRef>, bool) {
        let account = match (subject.kind, &subject.namespace) {
            (SubjectKind::ServiceAccount, Some(ns)) => Some((ns.as_str(), subject.name.as_str())),
            (SubjectKind::User, _) => subject
                .name
                .strip_prefix("system:serviceaccount:")
                .and_then(|rest| rest.split_once(':')),
            _ => None,
        };
        if let Some((ns, name)) = account {
            let list = self
                .workloads
                .get(&(ns.to_owned(), name.to_owned()))
                .cloned()
                .unwrap_or_default();
            return (list, false);
        }
        if subject.kind != SubjectKind::Group {
            return (Vec::new(), false);
        }
        if let Some(ns) = subject.name.strip_prefix("system:serviceaccounts:") {
            let list = self
                .workloads
                .iter()
                .filter(|((wns, _), _)| wns == ns)
                .flat_map(|(_, list)| list.iter().cloned())
                .collect();
            return (list, false);
        }
        // Every workload acts as these groups: `every_workload` says so instead of a list
        // that would repeat the whole cluster in each of the group's findings.
        if matches!(
            subject.name.as_str(),
            "system:serviceaccounts" | "system:authenticated"
        ) {
            return (Vec::new(), true);
        }
        (Vec::new(), false)
    }

    /// A control-plane identity (a `system:` user or group other than the broad groups), or
    /// one granted only through bootstrap bindings.
    fn is_builtin(&self, subject: &SubjectRef, vias: &BTreeSet<Via>) -> bool {
        let control_plane = subject.kind != SubjectKind::ServiceAccount
            && subject.name.starts_with("system:")
            && !is_broad_group(&subject.name)
            && !subject.name.starts_with("system:serviceaccount:");
        control_plane
            || (!vias.is_empty()
                && vias.iter().all(|via| {
                    self.bootstrap
                        .contains(&(via.kind, via.namespace.clone(), via.name.clone()))
                }))
    }
}

/// One step worse, critical staying critical.
fn raise(severity: Severity) -> Severity {
    match severity {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    }
}

#[cfg(test)]
mod corpus;
#[cfg(test)]
mod tests;

/// The catalogue as a Markdown section (docs/rbac-risks.md holds it between markers, and a
/// test keeps the copy in step).
pub fn catalogue_markdown() -> String {
    let mut out = String::new();
    for p in PRIMITIVES {
        let severity = if p.severity == p.namespaced_severity {
            p.severity.to_string()
        } else {
            format!("{} (in a namespace: {})", p.severity, p.namespaced_severity)
        };
        let reach = match p.reach {
            Reach::Anywhere => "",
            Reach::ClusterWide => " Counted only when held cluster-wide.",
            Reach::Namespaced => " Counted only when held in namespaces and not cluster-wide.",
        };
        let alternatives: Vec<String> = p
            .any_of
            .iter()
            .map(|alt| {
                alt.iter()
                    .map(|g| format!("`{} {}`", g.verb, g.target))
                    .collect::<Vec<_>>()
                    .join(" and ")
            })
            .collect();
        out.push_str(&format!(
            "### {} `{}`\n\n{}.\n\n- Severity: {severity}; held only on objects named by `resourceNames`: {}.{reach}\n- MITRE ATT&CK: {}\n- Granted by any of: {}\n\n{}\n\n",
            p.id,
            p.slug,
            p.title,
            p.named_severity,
            p.mitre.join(", "),
            alternatives.join("; "),
            p.why
        ));
    }
    out
}
