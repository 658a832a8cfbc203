//! Building the graph from objects and resolved RBAC.
//!
//! Workload edges come from one pass over the pod templates. RBAC edges come from one
//! [`Rbac::who_can`] per request (about forty requests: one pass over the bindings each), never
//! from asking each identity what it may do, which is quadratic at 2,000 service accounts.
//! A grant in a namespace reaches the pods, accounts, controllers and secrets of that
//! namespace; a cluster-wide grant reaches those of every namespace the inputs mention.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use harrier_core::{FieldPath, Location};
use harrier_k8s::{Object, ObjectIndex, Workload};
use harrier_posture::host;
use harrier_posture::identity::{ServiceAccounts, service_account_name};
use harrier_posture::rbac::{BindingKind, Holder, Rbac, Request, SubjectKind, Via};

use crate::graph::{ANY_NODE, Evidence, Graph, VertexId, VertexKind};
use crate::{Exposure, Technique};

/// `system:authenticated`: the entry point "any authenticated user".
pub const AUTHENTICATED: &str = "system:authenticated";

/// The pod controllers whose create rights amount to creating pods, with their resource.
const CONTROLLERS: [(&str, &str); 7] = [
    ("Deployment", "deployments.apps"),
    ("DaemonSet", "daemonsets.apps"),
    ("StatefulSet", "statefulsets.apps"),
    ("ReplicaSet", "replicasets.apps"),
    ("Job", "jobs.batch"),
    ("CronJob", "cronjobs.batch"),
    ("ReplicationController", "replicationcontrollers"),
];

/// Capabilities that let a container reach its node; `SYS_PTRACE` only with the host's PIDs.
const ESCAPE_CAPABILITIES: [&str; 7] = [
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "DAC_READ_SEARCH",
    "SYS_RAWIO",
    "BPF",
];

/// Where a pod runs.
#[derive(Debug, Clone)]
enum Placement {
    /// `spec.nodeName` or a `kubernetes.io/hostname` nodeSelector.
    Named(String, FieldPath),
    /// A DaemonSet: every node.
    Every,
    /// Unknown: the symbolic "any node".
    Any,
}

/// One permission held by one identity in one scope.
struct Grant {
    holder: VertexId,
    /// `None`: cluster-wide.
    scope: Option<String>,
    vias: Vec<Via>,
}

struct Builder<'a> {
    g: Graph,
    default_ns: &'a str,
    index: &'a ObjectIndex,
    rbac: &'a Rbac,
    namespaces: BTreeSet<String>,
    /// Namespaces whose Pod Security admission forbids privileged pods.
    restricted: BTreeSet<String>,
    binding_locations: HashMap<(BindingKind, Option<String>, String), Location>,
    pods_by_ns: BTreeMap<String, Vec<VertexId>>,
    sas_by_ns: BTreeMap<String, Vec<VertexId>>,
    workloads: HashMap<(String, String), Vec<VertexId>>,
    named_nodes: BTreeMap<String, VertexId>,
    any_node: VertexId,
    cluster_admin: VertexId,
    internet: VertexId,
    authenticated: VertexId,
}

/// How objects are read.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The namespace of objects that name none, as `kubectl apply -n` would set it; the same
    /// as RBAC resolution's (`RbacOptions::default_namespace`), so that a manifest's pods and
    /// its bindings' service accounts land in one namespace.
    pub default_namespace: String,
}

impl Default for BuildOptions {
    fn default() -> BuildOptions {
        BuildOptions {
            default_namespace: "default".to_owned(),
        }
    }
}

/// Builds the attack graph of `index`, with RBAC resolved as `rbac` and the pods exposed
/// outside the cluster as `exposure` says.
pub fn build(
    index: &ObjectIndex,
    rbac: &Rbac,
    exposure: &[Exposure],
    options: &BuildOptions,
) -> Graph {
    let mut g = Graph::default();
    let internet = g.vertex(VertexKind::Internet, None, "internet", None, None);
    let authenticated = g.vertex(VertexKind::Group, None, AUTHENTICATED, None, None);
    let cluster_admin = g.vertex(VertexKind::ClusterAdmin, None, "cluster-admin", None, None);
    let any_node = g.vertex(VertexKind::Node, None, ANY_NODE, None, None);
    let mut b = Builder {
        g,
        default_ns: &options.default_namespace,
        index,
        rbac,
        namespaces: BTreeSet::new(),
        restricted: BTreeSet::new(),
        binding_locations: HashMap::new(),
        pods_by_ns: BTreeMap::new(),
        sas_by_ns: BTreeMap::new(),
        workloads: HashMap::new(),
        named_nodes: BTreeMap::new(),
        any_node,
        cluster_admin,
        internet,
        authenticated,
    };
    b.objects();
    b.identities();
    b.pods();
    b.exposure(exposure);
    b.secrets();
    b.rbac_edges();
    b.memberships();
    b.g.finish();
    b.g
}

/// The namespace an object lands in: its own, else the one `kubectl apply -n` would give it.
fn ns_of<'a>(object: &'a Object, default: &'a str) -> &'a str {
    object.resource.namespace.as_deref().unwrap_or(default)
}

fn object_label(object: &Object, default_ns: &str) -> String {
    let name = object.resource.name.as_deref().unwrap_or("<unnamed>");
    match object.resource.namespace.as_deref() {
        Some(_) | None if is_namespaced(object) => {
            format!("{} {}/{name}", object.kind(), ns_of(object, default_ns))
        }
        _ => format!("{} {name}", object.kind()),
    }
}

fn is_namespaced(object: &Object) -> bool {
    !matches!(
        object.kind(),
        "Namespace" | "Node" | "ClusterRole" | "ClusterRoleBinding" | "PersistentVolume"
    )
}

fn field_evidence(
    object: &Object,
    default_ns: &str,
    field: &FieldPath,
    detail: String,
) -> Evidence {
    Evidence {
        detail,
        location: Some(object.locate(field)),
        object: Some(object_label(object, default_ns)),
        field: (!field.is_root()).then(|| field.to_string()),
        bindings: Vec::new(),
    }
}

impl Builder<'_> {
    /// Namespaces, Pod Security labels, binding locations, Node objects.
    fn objects(&mut self) {
        self.namespaces.insert(self.default_ns.to_owned());
        self.namespaces.insert("default".to_owned());
        self.namespaces.insert("kube-system".to_owned());
        for object in self.index.objects() {
            match object.kind() {
                "Namespace" => {
                    if let Some(name) = &object.resource.name {
                        self.namespaces.insert(name.clone());
                        let level = object
                            .labels
                            .get("pod-security.kubernetes.io/enforce")
                            .map(String::as_str);
                        if matches!(level, Some("baseline" | "restricted")) {
                            self.restricted.insert(name.clone());
                        }
                    }
                }
                "Node" => {
                    if let Some(name) = &object.resource.name {
                        let v = self.g.vertex(
                            VertexKind::Node,
                            None,
                            name,
                            None,
                            Some(object.location()),
                        );
                        self.named_nodes.insert(name.clone(), v);
                    }
                }
                "RoleBinding" | "ClusterRoleBinding" => {
                    let kind = if object.kind() == "RoleBinding" {
                        BindingKind::RoleBinding
                    } else {
                        BindingKind::ClusterRoleBinding
                    };
                    if let Some(name) = &object.resource.name {
                        let ns = object.resource.namespace.clone();
                        self.binding_locations
                            .entry((kind, ns, name.clone()))
                            .or_insert_with(|| object.location());
                    }
                }
                _ if is_namespaced(object) => {
                    self.namespaces
                        .insert(ns_of(object, self.default_ns).to_owned());
                }
                _ => {}
            }
        }
    }

    fn sa_vertex(&mut self, ns: &str, name: &str, location: Option<Location>) -> VertexId {
        let existing = self
            .g
            .find(VertexKind::ServiceAccount, Some(ns), name, None);
        let v = self
            .g
            .vertex(VertexKind::ServiceAccount, Some(ns), name, None, location);
        if existing.is_none() {
            self.sas_by_ns.entry(ns.to_owned()).or_default().push(v);
            self.namespaces.insert(ns.to_owned());
        }
        v
    }

    /// Every service account object and every subject a binding names.
    fn identities(&mut self) {
        for object in self.index.of_kind("ServiceAccount") {
            if let Some(name) = &object.resource.name
                && object.group().is_empty()
            {
                self.sa_vertex(
                    ns_of(object, self.default_ns),
                    name,
                    Some(object.location()),
                );
            }
        }
        for subject in self.rbac.subjects() {
            match (subject.kind, &subject.namespace) {
                (SubjectKind::ServiceAccount, Some(ns)) => {
                    self.sa_vertex(ns, &subject.name, None);
                }
                (SubjectKind::Group, _) => {
                    self.g
                        .vertex(VertexKind::Group, None, &subject.name, None, None);
                }
                _ => {
                    self.g
                        .vertex(VertexKind::User, None, &subject.name, None, None);
                }
            }
        }
    }

    fn placement(&self, object: &Object, w: &Workload) -> Placement {
        if let Some(node) = w.spec.node_name.as_deref().filter(|n| !n.is_empty()) {
            return Placement::Named(node.to_owned(), w.spec_path().key("nodeName"));
        }
        if let Some(node) = w
            .spec
            .node_selector
            .as_ref()
            .and_then(|s| s.get("kubernetes.io/hostname"))
        {
            return Placement::Named(
                node.clone(),
                w.spec_path()
                    .key("nodeSelector")
                    .key("kubernetes.io/hostname"),
            );
        }
        if object.kind() == "DaemonSet" {
            return Placement::Every;
        }
        Placement::Any
    }

    /// Pods, their containers, volumes and tokens, escapes to their nodes, and nodes to the
    /// pods they run.
    fn pods(&mut self) {
        let index = self.index;
        let accounts = ServiceAccounts::of(index);
        let placements: Vec<Placement> = index
            .workloads()
            .iter()
            .map(|w| self.placement(index.object_of(w), w))
            .collect();
        for p in &placements {
            if let Placement::Named(name, _) = p
                && !self.named_nodes.contains_key(name)
            {
                let v = self.g.vertex(VertexKind::Node, None, name, None, None);
                self.named_nodes.insert(name.clone(), v);
            }
        }
        for (w, placement) in index.workloads().iter().zip(&placements) {
            let object = index.object_of(w);
            self.pod(object, w, placement, &accounts);
        }
    }

    fn nodes_of(&self, placement: &Placement) -> Vec<VertexId> {
        match placement {
            Placement::Named(name, _) => self.named_nodes.get(name).copied().into_iter().collect(),
            Placement::Any => vec![self.any_node],
            Placement::Every => std::iter::once(self.any_node)
                .chain(self.named_nodes.values().copied())
                .collect(),
        }
    }

    fn pod(
        &mut self,
        object: &Object,
        w: &Workload,
        placement: &Placement,
        accounts: &ServiceAccounts<'_>,
    ) {
        let ns = ns_of(object, self.default_ns);
        let name = object.resource.name.as_deref().unwrap_or("<unnamed>");
        let kind = object.kind();
        let label = object_label(object, self.default_ns);
        let pod = self.g.vertex(
            VertexKind::Pod,
            Some(ns),
            name,
            Some(kind),
            Some(object.locate(&w.template_path)),
        );
        self.pods_by_ns.entry(ns.to_owned()).or_default().push(pod);
        if kind != "Pod" {
            let workload = self.g.vertex(
                VertexKind::Workload,
                Some(ns),
                name,
                Some(kind),
                Some(object.location()),
            );
            self.workloads
                .entry((ns.to_owned(), kind.to_owned()))
                .or_default()
                .push(workload);
            let e = self.g.evidence(field_evidence(
                object,
                self.default_ns,
                &w.template_path,
                format!("{label} runs its pods from its template"),
            ));
            self.g.edge(workload, pod, Technique::WorkloadTemplate, e);
        }
        let nodes = self.nodes_of(placement);
        let placed = match placement {
            Placement::Named(node, field) => field_evidence(
                object,
                self.default_ns,
                field,
                format!("{label} is scheduled on node {node}"),
            ),
            Placement::Every => field_evidence(
                object,
                self.default_ns,
                &FieldPath::root(),
                format!("{label} is a DaemonSet: it runs on every node"),
            ),
            Placement::Any => field_evidence(
                object,
                self.default_ns,
                &w.spec_path(),
                format!("{label} names no node: it may run on any node"),
            ),
        };
        let placed = self.g.evidence(placed);
        for &node in &nodes {
            self.g.edge(node, pod, Technique::NodeRunsPod, placed);
        }

        let sa_name = service_account_name(&w.spec);
        let sa = self.sa_vertex(ns, sa_name, None);
        let mounted = accounts.mounts_token(object, w);
        let token_evidence = mounted.then(|| {
            let (field, why) = match w.spec.automount_service_account_token {
                Some(true) => (
                    w.spec_path().key("automountServiceAccountToken"),
                    "automountServiceAccountToken: true",
                ),
                _ => (
                    w.spec_path().key("serviceAccountName"),
                    "automountServiceAccountToken is not false",
                ),
            };
            self.g.evidence(field_evidence(
                object,
                self.default_ns,
                &field,
                format!("the token of sa {ns}/{sa_name} is mounted ({why})"),
            ))
        });
        // Projected serviceAccountToken volumes put the token in the container even when
        // automounting is off.
        let projected: Vec<(usize, String)> = w
            .spec
            .volumes
            .as_deref()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter(|(_, v)| {
                v.projected.as_ref().is_some_and(|p| {
                    p.sources
                        .as_deref()
                        .unwrap_or_default()
                        .iter()
                        .any(|s| s.service_account_token.is_some())
                })
            })
            .map(|(i, v)| (i, v.name.clone()))
            .collect();
        let host_paths: Vec<(usize, String, String, bool)> = host::host_path_volumes(&w.spec)
            .map(|(i, v, path)| (i, v.name.clone(), path, false))
            .collect();
        let host_pid = w.spec.host_pid == Some(true);
        let pod_flags = [
            (w.spec.host_pid, "hostPID", Technique::HostPidEscape),
            (w.spec.host_network, "hostNetwork", Technique::HostNetwork),
            (w.spec.host_ipc, "hostIPC", Technique::HostIpc),
        ];
        let pod_flag_evidence: Vec<(Technique, u32)> = pod_flags
            .iter()
            .filter(|(set, _, _)| *set == Some(true))
            .map(|(_, field, technique)| {
                let e = self.g.evidence(field_evidence(
                    object,
                    self.default_ns,
                    &w.spec_path().key(*field),
                    format!("{label} sets {field}: true"),
                ));
                (*technique, e)
            })
            .collect();

        for c in w.containers() {
            let cname = format!("{name}/{}", c.name());
            let container = self.g.vertex(
                VertexKind::Container,
                Some(ns),
                &cname,
                Some(kind),
                Some(object.locate(&c.path())),
            );
            let e = self.g.evidence(field_evidence(
                object,
                self.default_ns,
                &c.path(),
                format!("container `{}` runs in {label}", c.name()),
            ));
            self.g.edge(pod, container, Technique::ContainerOfPod, e);
            if let Some(e) = token_evidence {
                self.g.edge(container, sa, Technique::TokenSteal, e);
            }
            let mounts: Vec<(usize, &str, bool)> = c
                .container
                .volume_mounts
                .as_deref()
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, m)| (i, m.name.as_str(), m.read_only == Some(true)))
                .collect();
            let mount_of = |volume: &str| mounts.iter().find(|(_, n, _)| *n == volume).copied();
            for (vi, vname) in &projected {
                let Some((mi, _, _)) = mount_of(vname) else {
                    continue;
                };
                let field = w.spec_path().key("volumes").index(*vi);
                let volume = self.g.vertex(
                    VertexKind::Volume,
                    Some(ns),
                    &format!("{name}/{vname}"),
                    Some(kind),
                    Some(object.locate(&field)),
                );
                let e = self.g.evidence(field_evidence(
                    object,
                    self.default_ns,
                    &c.path().key("volumeMounts").index(mi),
                    format!("container `{}` mounts volume `{vname}`", c.name()),
                ));
                self.g.edge(container, volume, Technique::VolumeMount, e);
                let e = self.g.evidence(field_evidence(
                    object,
                    self.default_ns,
                    &field,
                    format!("volume `{vname}` projects the token of sa {ns}/{sa_name}"),
                ));
                self.g.edge(volume, sa, Technique::TokenSteal, e);
            }
            for (vi, vname, path, _) in &host_paths {
                let Some((mi, _, read_only)) = mount_of(vname) else {
                    continue;
                };
                let (technique, what) = if host::is_runtime_socket(path) {
                    (
                        Technique::RuntimeSocketEscape,
                        "a container runtime socket".to_owned(),
                    )
                } else if let Some(what) = host::sensitive_host_path(path) {
                    (Technique::HostPathEscape, what.to_owned())
                } else {
                    continue;
                };
                let field = w
                    .spec_path()
                    .key("volumes")
                    .index(*vi)
                    .keys("hostPath.path");
                let volume = self.g.vertex(
                    VertexKind::Volume,
                    Some(ns),
                    &format!("{name}/{vname}"),
                    Some(kind),
                    Some(object.locate(&field)),
                );
                let ro = if read_only { " read-only" } else { "" };
                let e = self.g.evidence(field_evidence(
                    object,
                    self.default_ns,
                    &c.path().key("volumeMounts").index(mi),
                    format!(
                        "container `{}` mounts hostPath volume `{vname}`{ro}",
                        c.name()
                    ),
                ));
                self.g.edge(container, volume, Technique::VolumeMount, e);
                let e = self.g.evidence(field_evidence(
                    object,
                    self.default_ns,
                    &field,
                    format!("volume `{vname}` is host path `{path}`: {what}"),
                ));
                for &node in &nodes {
                    self.g.edge(volume, node, technique, e);
                }
            }
            if c.container
                .security_context
                .as_ref()
                .and_then(|s| s.privileged)
                == Some(true)
            {
                let e = self.g.evidence(field_evidence(
                    object,
                    self.default_ns,
                    &c.field("securityContext.privileged"),
                    format!(
                        "container `{}` sets securityContext.privileged: true",
                        c.name()
                    ),
                ));
                for &node in &nodes {
                    self.g.edge(container, node, Technique::PrivilegedEscape, e);
                }
            }
            let added = c
                .container
                .security_context
                .as_ref()
                .and_then(|s| s.capabilities.as_ref())
                .and_then(|caps| caps.add.as_deref())
                .unwrap_or_default();
            for (i, raw) in added.iter().enumerate() {
                let cap = host::capability_name(raw);
                if !ESCAPE_CAPABILITIES.contains(&cap.as_str())
                    || (cap == "SYS_PTRACE" && !host_pid)
                {
                    continue;
                }
                let why = if cap == "SYS_PTRACE" {
                    " with hostPID: true"
                } else {
                    ""
                };
                let e = self.g.evidence(field_evidence(
                    object,
                    self.default_ns,
                    &c.field("securityContext.capabilities.add").index(i),
                    format!("container `{}` adds capability {cap}{why}", c.name()),
                ));
                for &node in &nodes {
                    self.g.edge(container, node, Technique::CapabilityEscape, e);
                }
            }
            for &(technique, e) in &pod_flag_evidence {
                for &node in &nodes {
                    self.g.edge(container, node, technique, e);
                }
            }
        }
    }

    /// Exposed pods: the internet reaches them.
    fn exposure(&mut self, exposure: &[Exposure]) {
        for x in exposure {
            let Some(object) = self.index.objects().get(x.workload) else {
                continue;
            };
            let ns = ns_of(object, self.default_ns);
            let name = object.resource.name.as_deref().unwrap_or("<unnamed>");
            let Some(pod) = self
                .g
                .find(VertexKind::Pod, Some(ns), name, Some(object.kind()))
            else {
                continue;
            };
            let e = self.g.evidence(Evidence {
                detail: x.detail.clone(),
                location: Some(x.location.clone()),
                object: Some(x.via.clone()),
                field: x.field.clone(),
                bindings: Vec::new(),
            });
            self.g
                .edge(self.internet, pod, Technique::ExposedService, e);
        }
    }

    fn secrets_vertex(&mut self, ns: &str) -> VertexId {
        self.g
            .vertex(VertexKind::Secrets, Some(ns), "*", None, None)
    }

    /// Service account token secrets: reading the namespace's secrets gives the account.
    fn secrets(&mut self) {
        for ns in self.namespaces.clone() {
            self.secrets_vertex(&ns);
        }
        for object in self.index.of_kind("Secret") {
            let ty = object.node.get("type").and_then(|n| n.as_str());
            if ty != Some("kubernetes.io/service-account-token") {
                continue;
            }
            let Some(account) = object.annotations.get("kubernetes.io/service-account.name") else {
                continue;
            };
            let ns = ns_of(object, self.default_ns);
            let secrets = self.secrets_vertex(ns);
            let sa = self.sa_vertex(ns, account, None);
            let e = self.g.evidence(field_evidence(
                object,
                self.default_ns,
                &FieldPath::root().keys("metadata.annotations"),
                format!(
                    "{} holds the token of sa {ns}/{account}",
                    object_label(object, self.default_ns)
                ),
            ));
            self.g.edge(secrets, sa, Technique::SecretToken, e);
        }
    }

    /// One who-can, its holders split by scope: a cluster-wide grant stands for all of a
    /// holder's grants, otherwise one grant per namespace.
    fn grants(&mut self, verb: &str, resource: &str, name: Option<&str>) -> Vec<Grant> {
        let Ok(request) = Request::parse(verb, resource, name, None) else {
            return Vec::new();
        };
        let holders = self.rbac.who_can(&request);
        let mut grants = Vec::new();
        for Holder {
            kind,
            name,
            namespace,
            bindings,
        } in holders
        {
            let holder = match (kind, &namespace) {
                (SubjectKind::ServiceAccount, Some(ns)) => self.sa_vertex(ns, &name, None),
                (SubjectKind::Group, _) => {
                    self.g.vertex(VertexKind::Group, None, &name, None, None)
                }
                _ => self.g.vertex(VertexKind::User, None, &name, None, None),
            };
            let (cluster, namespaced): (Vec<Via>, Vec<Via>) =
                bindings.into_iter().partition(|v| v.scope.is_none());
            if !cluster.is_empty() {
                grants.push(Grant {
                    holder,
                    scope: None,
                    vias: cluster,
                });
                continue;
            }
            let mut by_ns: BTreeMap<String, Vec<Via>> = BTreeMap::new();
            for via in namespaced {
                if let Some(ns) = via.scope.clone() {
                    by_ns.entry(ns).or_default().push(via);
                }
            }
            for (ns, vias) in by_ns {
                grants.push(Grant {
                    holder,
                    scope: Some(ns),
                    vias,
                });
            }
        }
        grants
    }

    fn rbac_evidence(&mut self, what: &str, grant: &Grant) -> u32 {
        let scope = match &grant.scope {
            Some(ns) => format!("in namespace {ns}"),
            None => "cluster-wide".to_owned(),
        };
        let location = grant.vias.first().and_then(|via| {
            self.binding_locations
                .get(&(via.kind, via.namespace.clone(), via.name.clone()))
                .cloned()
        });
        let via = grant
            .vias
            .first()
            .map(|v| format!(" through {v}"))
            .unwrap_or_default();
        self.g.evidence(Evidence {
            detail: format!("may {what} {scope}{via}"),
            location,
            object: grant.vias.first().map(|v| match &v.namespace {
                Some(ns) => format!("{} {ns}/{}", v.kind, v.name),
                None => format!("{} {}", v.kind, v.name),
            }),
            field: None,
            bindings: grant.vias.clone(),
        })
    }

    /// The namespaces a grant reaches.
    fn scope_namespaces(&self, scope: &Option<String>) -> Vec<String> {
        match scope {
            Some(ns) => vec![ns.clone()],
            None => self.namespaces.iter().cloned().collect(),
        }
    }

    fn in_scope(map: &BTreeMap<String, Vec<VertexId>>, scope: &Option<String>) -> Vec<VertexId> {
        match scope {
            Some(ns) => map.get(ns).cloned().unwrap_or_default(),
            None => map.values().flatten().copied().collect(),
        }
    }

    /// Grants whose every target is a set of vertices of the scope.
    fn fan_out(
        &mut self,
        requests: &[(&str, &str)],
        technique: Technique,
        targets: impl Fn(&Builder<'_>, &Option<String>) -> Vec<VertexId>,
    ) {
        for (verb, resource) in requests {
            for grant in self.grants(verb, resource, None) {
                let to = targets(self, &grant.scope);
                if to.is_empty() {
                    continue;
                }
                let e = self.rbac_evidence(&format!("{verb} {resource}"), &grant);
                for t in to {
                    self.g.edge(grant.holder, t, technique, e);
                }
            }
        }
    }

    /// The holders (with scope) of all of `requests` at once: each must hold every one, in a
    /// scope covering the result's.
    fn all_of(&mut self, requests: &[(&str, &str)]) -> Vec<Grant> {
        let mut result: Option<Vec<Grant>> = None;
        for (verb, resource) in requests {
            let grants = self.grants(verb, resource, None);
            result = Some(match result {
                None => grants,
                Some(prev) => prev
                    .into_iter()
                    .flat_map(|a| {
                        grants
                            .iter()
                            .filter(|b| b.holder == a.holder)
                            .filter_map(|b| {
                                let scope = match (&a.scope, &b.scope) {
                                    (None, s) | (s, None) => s.clone(),
                                    (Some(x), Some(y)) if x == y => Some(x.clone()),
                                    _ => return None,
                                };
                                let mut vias = a.vias.clone();
                                vias.extend(b.vias.iter().cloned());
                                vias.sort();
                                vias.dedup();
                                Some(Grant {
                                    holder: a.holder,
                                    scope,
                                    vias,
                                })
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect(),
            });
        }
        result.unwrap_or_default()
    }

    fn admin_of(&mut self, grant: &Grant, technique: Technique, what: &str) {
        let e = self.rbac_evidence(what, grant);
        match &grant.scope {
            None => self.g.edge(grant.holder, self.cluster_admin, technique, e),
            Some(ns) => {
                let admin = self
                    .g
                    .vertex(VertexKind::NamespaceAdmin, Some(ns), "*", None, None);
                self.g.edge(grant.holder, admin, technique, e);
            }
        }
    }

    fn rbac_edges(&mut self) {
        // Cluster-admin equivalents.
        for grant in self.grants("*", "*.*", None) {
            self.admin_of(
                &grant,
                Technique::AdminEquivalent,
                "do anything (`*` on `*`)",
            );
        }
        for grant in self.all_of(&[("bind", "clusterroles"), ("create", "clusterrolebindings")]) {
            self.admin_of(
                &grant,
                Technique::RoleBind,
                "bind ClusterRoles and create ClusterRoleBindings",
            );
        }
        for grant in self.all_of(&[("bind", "clusterroles"), ("create", "rolebindings")]) {
            for ns in self.scope_namespaces(&grant.scope) {
                let g = Grant {
                    holder: grant.holder,
                    scope: Some(ns),
                    vias: grant.vias.clone(),
                };
                self.admin_of(
                    &g,
                    Technique::RoleBind,
                    "bind ClusterRoles and create RoleBindings",
                );
            }
        }
        // The authorizer asks for `bind clusterroles` in the RoleBinding's namespace, which
        // `who_can` (treating clusterroles as cluster-scoped) only answers for
        // ClusterRoleBindings; `bind roles` is the namespaced form it can answer.
        for grant in self.all_of(&[("bind", "roles"), ("create", "rolebindings")]) {
            if grant.scope.is_some() {
                self.admin_of(
                    &grant,
                    Technique::RoleBind,
                    "bind Roles and create RoleBindings",
                );
            }
        }
        for grant in self.all_of(&[("escalate", "clusterroles"), ("update", "clusterroles")]) {
            self.admin_of(
                &grant,
                Technique::RoleEscalate,
                "escalate and update ClusterRoles",
            );
        }
        for grant in self.all_of(&[("escalate", "roles"), ("update", "roles")]) {
            if grant.scope.is_some() {
                self.admin_of(&grant, Technique::RoleEscalate, "escalate and update Roles");
            }
        }
        // Namespace administrators read secrets and run pods as any account there.
        let admins: Vec<VertexId> = self
            .g
            .vertex_ids()
            .filter(|&v| self.g.kind(v) == Some(VertexKind::NamespaceAdmin))
            .collect();
        for admin in admins {
            let Some(ns) = self.g.namespace(admin).map(str::to_owned) else {
                continue;
            };
            let e = self.g.evidence(Evidence {
                detail: format!(
                    "an administrator of namespace {ns} reads its secrets and creates pods there"
                ),
                location: None,
                object: None,
                field: None,
                bindings: Vec::new(),
            });
            let secrets = self.secrets_vertex(&ns);
            self.g.edge(admin, secrets, Technique::NamespaceAdmin, e);
            for sa in self.sas_by_ns.get(&ns).cloned().unwrap_or_default() {
                self.g.edge(admin, sa, Technique::NamespaceAdmin, e);
            }
            if !self.restricted.contains(&ns) {
                self.g
                    .edge(admin, self.any_node, Technique::PrivilegedPodCreate, e);
            }
        }

        let pods = |b: &Builder<'_>, s: &Option<String>| Builder::in_scope(&b.pods_by_ns, s);
        let sas = |b: &Builder<'_>, s: &Option<String>| Builder::in_scope(&b.sas_by_ns, s);
        self.fan_out(&[("create", "pods/exec")], Technique::PodExec, pods);
        self.fan_out(&[("create", "pods/attach")], Technique::PodAttach, pods);
        self.fan_out(
            &[("create", "pods/portforward")],
            Technique::PodPortForward,
            pods,
        );
        self.fan_out(
            &[
                ("patch", "pods/ephemeralcontainers"),
                ("update", "pods/ephemeralcontainers"),
            ],
            Technique::EphemeralContainer,
            pods,
        );
        self.fan_out(
            &[("create", "serviceaccounts/token")],
            Technique::TokenCreate,
            sas,
        );
        self.fan_out(
            &[("impersonate", "serviceaccounts")],
            Technique::IdentityImpersonate,
            sas,
        );
        let secrets = |b: &Builder<'_>, s: &Option<String>| {
            b.scope_namespaces(s)
                .iter()
                .filter_map(|ns| b.g.find(VertexKind::Secrets, Some(ns), "*", None))
                .collect()
        };
        self.fan_out(
            &[("get", "secrets"), ("list", "secrets")],
            Technique::SecretRead,
            secrets,
        );

        // Creating pods, or any controller of pods, runs code as any account of the scope
        // and, where Pod Security admission allows it, a privileged pod on a node.
        let mut creators: Vec<(&str, &str)> = vec![("create", "pods")];
        creators.extend(CONTROLLERS.iter().map(|(_, r)| ("create", *r)));
        for (verb, resource) in creators {
            for grant in self.grants(verb, resource, None) {
                let e = self.rbac_evidence(&format!("{verb} {resource}"), &grant);
                for sa in Builder::in_scope(&self.sas_by_ns, &grant.scope) {
                    self.g.edge(grant.holder, sa, Technique::PodCreate, e);
                }
                let open = match &grant.scope {
                    Some(ns) => !self.restricted.contains(ns),
                    None => self
                        .namespaces
                        .iter()
                        .any(|ns| !self.restricted.contains(ns)),
                };
                if open {
                    self.g.edge(
                        grant.holder,
                        self.any_node,
                        Technique::PrivilegedPodCreate,
                        e,
                    );
                }
            }
        }
        for (kind, resource) in CONTROLLERS {
            let targets = |b: &Builder<'_>, s: &Option<String>| -> Vec<VertexId> {
                b.scope_namespaces(s)
                    .into_iter()
                    .flat_map(|ns| {
                        b.workloads
                            .get(&(ns, kind.to_owned()))
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect()
            };
            self.fan_out(
                &[("patch", resource), ("update", resource)],
                Technique::WorkloadPatch,
                targets,
            );
        }

        // Cluster-wide grants only, below: nodes, webhooks, certificates and impersonation of
        // users and groups are not namespaced.
        let nodes: Vec<VertexId> = std::iter::once(self.any_node)
            .chain(self.named_nodes.values().copied())
            .collect();
        for verb in ["get", "create"] {
            for grant in self.grants(verb, "nodes/proxy", None) {
                let e = self.rbac_evidence(&format!("{verb} nodes/proxy"), &grant);
                for &n in &nodes {
                    self.g.edge(grant.holder, n, Technique::KubeletProxy, e);
                }
            }
        }
        let all_sas = Builder::in_scope(&self.sas_by_ns, &None);
        for verb in ["create", "update", "patch"] {
            for grant in self.grants(verb, "mutatingwebhookconfigurations", None) {
                let e =
                    self.rbac_evidence(&format!("{verb} mutatingwebhookconfigurations"), &grant);
                for &sa in &all_sas {
                    self.g.edge(grant.holder, sa, Technique::MutatingWebhook, e);
                }
                self.g
                    .edge(grant.holder, self.any_node, Technique::MutatingWebhook, e);
            }
            for grant in self.grants(verb, "validatingwebhookconfigurations", None) {
                let e =
                    self.rbac_evidence(&format!("{verb} validatingwebhookconfigurations"), &grant);
                for s in secrets(self, &None) {
                    self.g
                        .edge(grant.holder, s, Technique::ValidatingWebhook, e);
                }
            }
        }
        let users_and_groups: Vec<VertexId> = self
            .g
            .vertex_ids()
            .filter(|&v| matches!(self.g.kind(v), Some(VertexKind::User | VertexKind::Group)))
            .collect();
        for grant in self.all_of(&[
            ("create", "certificatesigningrequests"),
            ("update", "certificatesigningrequests/approval"),
            ("approve", "signers.certificates.k8s.io"),
        ]) {
            if grant.scope.is_some() {
                continue;
            }
            let e = self.rbac_evidence("create and approve certificate signing requests", &grant);
            for &id in &users_and_groups {
                self.g.edge(grant.holder, id, Technique::CsrSign, e);
            }
        }
        for (resource, kind) in [("users", VertexKind::User), ("groups", VertexKind::Group)] {
            for grant in self.grants("impersonate", resource, None) {
                if grant.scope.is_some() {
                    continue;
                }
                let e = self.rbac_evidence(&format!("impersonate any of {resource}"), &grant);
                for &id in &users_and_groups {
                    if self.g.kind(id) == Some(kind) {
                        self.g
                            .edge(grant.holder, id, Technique::IdentityImpersonate, e);
                    }
                }
                if kind == VertexKind::Group {
                    self.g.edge(
                        grant.holder,
                        self.cluster_admin,
                        Technique::ImpersonateMasters,
                        e,
                    );
                }
            }
            // Impersonation limited by resourceNames: one question per name some rule lists
            // (asking for every known user and group was one pass over the bindings each).
            let Ok(request) = Request::parse("impersonate", resource, None, None) else {
                continue;
            };
            for name in self.rbac.named_in(&request) {
                let Some(id) = self.g.find(kind, None, &name, None) else {
                    continue;
                };
                for grant in self.grants("impersonate", resource, Some(&name)) {
                    if grant.scope.is_some() {
                        continue;
                    }
                    let e = self.rbac_evidence(&format!("impersonate {name}"), &grant);
                    self.g
                        .edge(grant.holder, id, Technique::IdentityImpersonate, e);
                }
            }
        }
    }

    /// Group memberships, node credentials and anonymous access.
    fn memberships(&mut self) {
        let group = |b: &Builder<'_>, name: &str| b.g.find(VertexKind::Group, None, name, None);
        let all_sas = group(self, "system:serviceaccounts");
        let implicit = self.g.evidence(Evidence {
            detail: "an implicit group of every service account or user, as the API server's authenticators add it".to_owned(),
            location: None,
            object: None,
            field: None,
            bindings: Vec::new(),
        });
        for (ns, sas) in self.sas_by_ns.clone() {
            let ns_group = group(self, &format!("system:serviceaccounts:{ns}"));
            for sa in sas {
                for to in [all_sas, ns_group, Some(self.authenticated)]
                    .into_iter()
                    .flatten()
                {
                    self.g.edge(sa, to, Technique::MemberOf, implicit);
                }
            }
        }
        let nodes_group = group(self, "system:nodes");
        for (name, node) in self.named_nodes.clone() {
            let user_name = format!("system:node:{name}");
            let user = self.g.find(VertexKind::User, None, &user_name, None);
            if user.is_none() && nodes_group.is_none() {
                continue;
            }
            let user = self
                .g
                .vertex(VertexKind::User, None, &user_name, None, None);
            let e = self.g.evidence(Evidence {
                detail: format!(
                    "the kubelet of node {name} authenticates as {user_name} (group system:nodes)"
                ),
                location: None,
                object: None,
                field: None,
                bindings: Vec::new(),
            });
            self.g.edge(node, user, Technique::NodeCredentials, e);
            if let Some(group) = nodes_group {
                self.g.edge(user, group, Technique::MemberOf, implicit);
            }
        }
        let users: Vec<VertexId> = self
            .g
            .vertex_ids()
            .filter(|&v| self.g.kind(v) == Some(VertexKind::User))
            .collect();
        for user in users {
            if self.g.name(user) != "system:anonymous" {
                self.g
                    .edge(user, self.authenticated, Technique::MemberOf, implicit);
            }
        }
        let anonymous = [
            self.g
                .find(VertexKind::User, None, "system:anonymous", None),
            group(self, "system:unauthenticated"),
        ];
        for to in anonymous.into_iter().flatten() {
            let e = self.g.evidence(Evidence {
                detail: format!(
                    "{} is granted permissions; anonymous requests to a reachable API server get them",
                    self.g.label(to)
                ),
                location: None,
                object: None,
                field: None,
                bindings: Vec::new(),
            });
            self.g
                .edge(self.internet, to, Technique::AnonymousAccess, e);
        }
    }
}
