//! Exposure: which workloads can be reached from outside the cluster, and how.
//!
//! [`analyse`] resolves every way traffic gets to a pod, from the object that opens it down to
//! the container port that receives it, and keeps the evidence of each step (object and
//! file:line):
//! - a Service of `type: LoadBalancer` (its `loadBalancerSourceRanges`, or the cloud providers'
//!   annotations for an internal load balancer, lower the exposure), `type: NodePort`, or with
//!   `externalIPs`;
//! - an Ingress (`networking.k8s.io/v1`, `v1beta1`, `extensions/v1beta1`): each rule path and
//!   the default backend, through the Service and port it names;
//! - a Gateway API route (`HTTPRoute`, `GRPCRoute`, `TLSRoute`, `TCPRoute`, `UDPRoute`) attached
//!   to a Gateway listener through its `parentRefs`, through the Services of its `backendRefs`
//!   (a Service of another namespace only when a `ReferenceGrant` there allows it);
//! - a pod in the node's network namespace (`hostNetwork: true`) or a container with a
//!   `hostPort`.
//!
//! A Service reaches the pod templates of its namespace that its `selector` matches; a Service
//! without a selector reaches the Pods its `EndpointSlice`s and `Endpoints` name. A Service port
//! reaches a template when its `targetPort` (the `port`, when unset) is a number, or a name one
//! of the template's containers gives a port: the endpoints controller leaves a pod out of a port
//! whose name it does not have.
//!
//! Internal reachability, through the cluster IP or DNS name of any Service that is not
//! `ExternalName`, is reported apart ([`Exposure::internal`]): every pod can use it, but only
//! external routes make a workload an entry point.
//!
//! Objects without `metadata.namespace` are read as being in `default`
//! ([`namespace_of`](crate::identity::namespace_of)), so that a Service and the Deployment of one
//! file meet. What cannot be resolved (a backend naming a Service that is not among the inputs,
//! a cross-namespace reference no ReferenceGrant allows, a spec that does not decode) is a
//! [`Problem`] naming file and line.

mod gateway;
pub(crate) mod ingress;
pub(crate) mod service;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use harrier_core::{FieldPath, Location, Severity};
use harrier_k8s::{Object, ObjectIndex, Workload};
use serde::Serialize;

use crate::identity::namespace_of;
pub use crate::rbac::Problem;

/// What [`analyse`] found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Exposure {
    /// The workloads reachable from outside the cluster, most exposed first (highest route
    /// severity, then input order).
    pub workloads: Vec<ExposedWorkload>,
    /// The workloads reachable from inside the cluster through a Service (routes of kind
    /// [`RouteKind::ClusterIp`]), in input order. Externally exposed workloads are here too
    /// when a Service selects them.
    pub internal: Vec<ExposedWorkload>,
    /// What could not be resolved.
    pub problems: Vec<Problem>,
}

/// One workload and the routes that reach it.
#[derive(Debug, Clone, Serialize)]
pub struct ExposedWorkload {
    /// Index of the workload's object in [`ObjectIndex::objects`].
    #[serde(skip)]
    pub object: usize,
    /// `kind`, `name` and `namespace` of the workload's object.
    #[serde(flatten)]
    pub resource: ObjectRef,
    /// Where the workload's object starts.
    pub location: Location,
    /// How it is reached, most exposed first.
    pub routes: Vec<Route>,
}

impl ExposedWorkload {
    /// The workload's object.
    pub fn object<'a>(&self, index: &'a ObjectIndex) -> Option<&'a Object> {
        index.objects().get(self.object)
    }

    /// The workload's decoded pod template.
    pub fn workload<'a>(&self, index: &'a ObjectIndex) -> Option<&'a Workload> {
        index.workload_for(self.object)
    }

    /// The highest severity of its routes.
    pub fn severity(&self) -> Severity {
        self.routes
            .iter()
            .map(|r| r.severity)
            .max()
            .unwrap_or(Severity::Info)
    }
}

/// The kind, name and namespace of an object, as shown in output.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    /// `kind`.
    pub kind: String,
    /// `metadata.name` (`<unnamed>` when it has none).
    pub name: String,
    /// The namespace it lands in (`default` when unset).
    pub namespace: String,
}

impl ObjectRef {
    /// The reference of `object`.
    pub fn of(object: &Object) -> ObjectRef {
        ObjectRef {
            kind: object.kind().to_owned(),
            name: object
                .resource
                .name
                .clone()
                .unwrap_or_else(|| "<unnamed>".to_owned()),
            namespace: namespace_of(object).to_owned(),
        }
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// How a route reaches a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RouteKind {
    /// A Service of `type: LoadBalancer`: a cloud load balancer forwards to it.
    LoadBalancer,
    /// A Service's `externalIPs`: every node accepts its ports on these addresses.
    ExternalIp,
    /// An Ingress rule or default backend, through a Service.
    Ingress,
    /// A Gateway API route attached to a Gateway listener, through a Service.
    Gateway,
    /// A Service of `type: NodePort`: every node opens the port on all its addresses.
    NodePort,
    /// A container `hostPort`: the node forwards that port to the pod.
    HostPort,
    /// A pod in the node's network namespace: whatever it listens on is open on the node.
    HostNetwork,
    /// A Service's cluster IP or DNS name: reachable from every pod of the cluster.
    ClusterIp,
}

impl RouteKind {
    /// Whether the route comes from outside the cluster.
    pub fn is_external(self) -> bool {
        self != RouteKind::ClusterIp
    }

    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteKind::LoadBalancer => "load-balancer",
            RouteKind::ExternalIp => "external-ip",
            RouteKind::Ingress => "ingress",
            RouteKind::Gateway => "gateway",
            RouteKind::NodePort => "node-port",
            RouteKind::HostPort => "host-port",
            RouteKind::HostNetwork => "host-network",
            RouteKind::ClusterIp => "cluster-ip",
        }
    }
}

impl std::fmt::Display for RouteKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One way a workload is reached.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    /// How.
    pub kind: RouteKind,
    /// How exposed it makes the workload: `high` for a route open to any address (a load
    /// balancer without source restriction, `externalIPs`, an Ingress or Gateway), `medium` for
    /// the nodes' addresses (NodePort, hostPort, hostNetwork), `low` for a restricted one (source
    /// ranges, an internal load balancer), `info` for in-cluster reachability.
    pub severity: Severity,
    /// The chain in one line: "Ingress `web` (`shop.example.com/`) → Service `web` port 80 →
    /// container `nginx` port 8080".
    pub summary: String,
    /// What lowers the exposure, when something does: "`loadBalancerSourceRanges`
    /// 10.0.0.0/8", "internal load balancer (`networking.gke.io/load-balancer-type: Internal`)".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restriction: Option<String>,
    /// Host names and addresses it answers on (Ingress hosts, route and listener hostnames,
    /// external IPs, load balancer addresses), when known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// For HTTP and TLS routes, whether the entry terminates TLS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<bool>,
    /// The ports, from the entry down to the container.
    pub ports: Vec<RoutePort>,
    /// The objects and fields that make the route, from the entry to the workload.
    pub evidence: Vec<Evidence>,
}

/// One port of a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutePort {
    /// `TCP`, `UDP` or `SCTP` (or the listener protocol of a Gateway).
    pub protocol: String,
    /// The port at the entry: the Service port, listener port or host port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// The node port, for NodePort and LoadBalancer Services that have one written down.
    #[serde(rename = "nodePort", skip_serializing_if = "Option::is_none")]
    pub node_port: Option<i32>,
    /// The container that declares the target port, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The port in the pod that receives the traffic, when known as a number.
    #[serde(rename = "containerPort", skip_serializing_if = "Option::is_none")]
    pub container_port: Option<i32>,
}

/// One step of a route's evidence: an object and the field that makes the step.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// Index of the object in [`ObjectIndex::objects`].
    #[serde(skip)]
    pub object: usize,
    /// The object.
    #[serde(flatten)]
    pub resource: ObjectRef,
    /// The field, as a path (`spec.rules[0].http.paths[1].backend`).
    pub field: String,
    /// Where the field is.
    pub location: Location,
}

impl Evidence {
    /// The evidence of `field` of `objects()[object]`.
    pub(crate) fn at(index: &ObjectIndex, object: usize, field: &FieldPath) -> Option<Evidence> {
        let o = index.objects().get(object)?;
        Some(Evidence {
            object,
            resource: ObjectRef::of(o),
            field: field.to_string(),
            location: o.locate(field),
        })
    }
}

/// Every route of the scan to every workload.
pub fn analyse(index: &ObjectIndex) -> Exposure {
    let mut found = Found::default();
    let services = service::Services::of(index, &mut found.problems);
    services.routes(index, &mut found);
    ingress::routes(index, &services, &mut found);
    gateway::routes(index, &services, &mut found);
    host_routes(index, &mut found);
    found.finish(index)
}

/// Routes as they are found, by workload object.
#[derive(Default)]
struct Found {
    external: BTreeMap<usize, Vec<Route>>,
    internal: BTreeMap<usize, Vec<Route>>,
    problems: Vec<Problem>,
}

impl Found {
    fn add(&mut self, workload: usize, route: Route) {
        let map = if route.kind.is_external() {
            &mut self.external
        } else {
            &mut self.internal
        };
        map.entry(workload).or_default().push(route);
    }

    fn problem(&mut self, location: Location, message: String) {
        self.problems.push(Problem { location, message });
    }

    fn finish(self, index: &ObjectIndex) -> Exposure {
        let collect = |map: BTreeMap<usize, Vec<Route>>| -> Vec<ExposedWorkload> {
            map.into_iter()
                .filter_map(|(object, mut routes)| {
                    let o = index.objects().get(object)?;
                    // Most exposed first; the sort is stable, so equal routes keep input order.
                    routes.sort_by_key(|r| std::cmp::Reverse(r.severity));
                    Some(ExposedWorkload {
                        object,
                        resource: ObjectRef::of(o),
                        location: o.location(),
                        routes,
                    })
                })
                .collect()
        };
        let mut workloads = collect(self.external);
        workloads.sort_by_key(|w| std::cmp::Reverse(w.severity()));
        let mut problems = self.problems;
        problems.sort_by(|a, b| a.location.cmp(&b.location));
        problems.dedup_by(|a, b| a.location == b.location && a.message == b.message);
        Exposure {
            workloads,
            internal: collect(self.internal),
            problems,
        }
    }
}

/// The workloads of the scan by namespace, with their object index.
pub(crate) fn workloads_by_namespace(index: &ObjectIndex) -> HashMap<&str, Vec<&Workload>> {
    let mut map: HashMap<&str, Vec<&Workload>> = HashMap::new();
    for workload in index.workloads() {
        map.entry(namespace_of(index.object_of(workload)))
            .or_default()
            .push(workload);
    }
    map
}

/// "Deployment `web`".
pub(crate) fn describe(object: &Object) -> String {
    format!(
        "{} `{}`",
        object.kind(),
        object.resource.name.as_deref().unwrap_or("<unnamed>")
    )
}

/// hostNetwork pods and hostPort containers.
fn host_routes(index: &ObjectIndex, found: &mut Found) {
    for workload in index.workloads() {
        let object = index.object_of(workload);
        let evidence_of = |field: &FieldPath| Evidence::at(index, workload.object, field);
        if workload.spec.host_network == Some(true) {
            let field = workload.spec_path().key("hostNetwork");
            let ports: Vec<RoutePort> = workload
                .containers()
                .flat_map(|c| {
                    c.container.ports.iter().flatten().map(move |p| RoutePort {
                        protocol: p.protocol.clone().unwrap_or_else(|| "TCP".to_owned()),
                        port: Some(p.host_port.unwrap_or(p.container_port)),
                        node_port: None,
                        container: Some(c.name().to_owned()),
                        container_port: Some(p.container_port),
                    })
                })
                .collect();
            let listed = if ports.is_empty() {
                "every port its containers listen on".to_owned()
            } else {
                render_ports(&ports)
            };
            found.add(
                workload.object,
                Route {
                    kind: RouteKind::HostNetwork,
                    severity: Severity::Medium,
                    summary: format!(
                        "{} runs in the node's network namespace (`hostNetwork: true`): {listed} on every \
                         address of its node",
                        describe(object)
                    ),
                    restriction: None,
                    hosts: Vec::new(),
                    tls: None,
                    ports,
                    evidence: evidence_of(&field).into_iter().collect(),
                },
            );
            // Host ports of a hostNetwork pod are its container ports, already listed.
            continue;
        }
        for c in workload.containers() {
            for (i, p) in c.container.ports.iter().flatten().enumerate() {
                let Some(host_port) = p.host_port.filter(|p| *p > 0) else {
                    continue;
                };
                let field = c.path().key("ports").index(i).key("hostPort");
                let protocol = p.protocol.clone().unwrap_or_else(|| "TCP".to_owned());
                let address = p
                    .host_ip
                    .as_deref()
                    .filter(|ip| !ip.is_empty() && *ip != "0.0.0.0" && *ip != "::");
                let (on, hosts) = match address {
                    Some(ip) => (format!("address {ip} of its node"), vec![ip.to_owned()]),
                    None => ("every address of its node".to_owned(), Vec::new()),
                };
                found.add(
                    workload.object,
                    Route {
                        kind: RouteKind::HostPort,
                        severity: Severity::Medium,
                        summary: format!(
                            "{} container `{}` takes host port {host_port}/{protocol} on {on} → container \
                             port {}",
                            describe(object),
                            c.name(),
                            p.container_port
                        ),
                        restriction: None,
                        hosts,
                        tls: None,
                        ports: vec![RoutePort {
                            protocol,
                            port: Some(host_port),
                            node_port: None,
                            container: Some(c.name().to_owned()),
                            container_port: Some(p.container_port),
                        }],
                        evidence: evidence_of(&field).into_iter().collect(),
                    },
                );
            }
        }
    }
}

/// "80/TCP → nginx:8080, 443/TCP".
pub(crate) fn render_ports(ports: &[RoutePort]) -> String {
    ports
        .iter()
        .map(|p| {
            let mut s = match p.port {
                Some(n) => format!("{n}/{}", p.protocol),
                None => p.protocol.clone(),
            };
            if let Some(n) = p.node_port {
                s.push_str(&format!(" (node port {n})"));
            }
            match (&p.container, p.container_port) {
                (Some(c), Some(n)) => s.push_str(&format!(" → {c}:{n}")),
                (None, Some(n)) => s.push_str(&format!(" → port {n}")),
                (Some(c), None) => s.push_str(&format!(" → {c}")),
                (None, None) => {}
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}
