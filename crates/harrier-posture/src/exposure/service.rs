//! Services: which pod templates each one reaches, on which ports, and the routes their type
//! opens.

use std::collections::HashMap;

use harrier_core::yaml::Node;
use harrier_core::yaml::de::from_node;
use harrier_core::{FieldPath, Location, Severity};
use harrier_k8s::k8s_openapi::api::core::v1::{ServicePort, ServiceSpec};
use harrier_k8s::{Object, ObjectIndex, Workload};

use super::{Evidence, Found, Route, RouteKind, RoutePort, describe, render_ports};
use crate::checks::pod::PortRef;
use crate::identity::namespace_of;
use crate::selector;

/// Annotations with which cloud providers keep a load balancer on the private network.
pub(crate) const INTERNAL_ANNOTATIONS: &[(&str, &str)] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        "internal",
    ),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        "true",
    ),
    ("networking.gke.io/load-balancer-type", "Internal"),
    ("cloud.google.com/load-balancer-type", "Internal"),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        "true",
    ),
    (
        "service.beta.kubernetes.io/openstack-internal-load-balancer",
        "true",
    ),
    (
        "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type",
        "private",
    ),
];

/// The annotation cloud providers read when `spec.loadBalancerSourceRanges` is unset.
pub(crate) const SOURCE_RANGES_ANNOTATION: &str =
    "service.beta.kubernetes.io/load-balancer-source-ranges";

/// The label the EndpointSlice controller puts on a slice, naming its Service.
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// The internal-load-balancer annotation among `annotations`, if one is set.
pub(crate) fn internal_annotation<'a>(
    annotations: impl Fn(&str) -> Option<&'a str>,
) -> Option<(&'static str, &'static str)> {
    INTERNAL_ANNOTATIONS
        .iter()
        .find(|(key, value)| annotations(key).is_some_and(|v| v.eq_ignore_ascii_case(value)))
        .copied()
}

/// Whether a CIDR admits every address of its family.
pub(crate) fn is_everywhere(cidr: &str) -> bool {
    cidr.split_once('/')
        .is_some_and(|(_, prefix)| prefix.trim() == "0")
}

/// One decoded Service.
pub(super) struct Service<'a> {
    /// Index of its object.
    pub(super) index: usize,
    pub(super) object: &'a Object,
    pub(super) spec: ServiceSpec,
    /// The pod templates it reaches.
    pub(super) targets: Vec<Target>,
}

/// A pod template a Service reaches.
pub(super) struct Target {
    /// Index of the template's object.
    pub(super) workload: usize,
    /// For each Service port (by index in `spec.ports`) that reaches it, the port as routed.
    pub(super) ports: Vec<(usize, RoutePort)>,
    /// How the Service picks it: the selector and the template's labels, or the endpoint that
    /// names it.
    pub(super) evidence: Vec<Evidence>,
}

/// The Services of a scan, by namespace and name.
pub(super) struct Services<'a> {
    list: Vec<Service<'a>>,
    by_name: HashMap<(&'a str, &'a str), usize>,
}

impl<'a> Services<'a> {
    /// Decodes every core/v1 Service of `index` and resolves its targets.
    pub(super) fn of(index: &'a ObjectIndex, problems: &mut Vec<super::Problem>) -> Services<'a> {
        let by_namespace = super::workloads_by_namespace(index);
        let pods = PodNames::of(index);
        let endpoints = Endpoints::of(index);
        let mut list = Vec::new();
        let mut by_name = HashMap::new();
        for (i, object) in index.objects().iter().enumerate() {
            if object.kind() != "Service" || !object.group().is_empty() {
                continue;
            }
            let spec: ServiceSpec = match object.node.get("spec") {
                None => ServiceSpec::default(),
                Some(node) => match from_node(node) {
                    Ok(spec) => spec,
                    Err(e) => {
                        let pos = e.pos.unwrap_or(node.pos);
                        problems.push(super::Problem {
                            location: Location::new(object.path.clone(), pos),
                            message: format!(
                                "{}: `spec` does not decode ({}); its routes are not known",
                                describe(object),
                                e.message
                            ),
                        });
                        continue;
                    }
                },
            };
            let namespace = namespace_of(object);
            let name = object.resource.name.as_deref().unwrap_or_default();
            let targets = if spec.type_.as_deref() == Some("ExternalName") {
                // An ExternalName Service is a DNS alias; it forwards to no pod.
                Vec::new()
            } else {
                match spec.selector.as_ref().filter(|s| !s.is_empty()) {
                    Some(wanted) => {
                        let workloads = by_namespace.get(namespace).map(Vec::as_slice);
                        selected(index, i, &spec, wanted, workloads.unwrap_or_default())
                    }
                    None => endpoints.targets(index, namespace, name, &spec, &pods, problems),
                }
            };
            by_name.entry((namespace, name)).or_insert(list.len());
            list.push(Service {
                index: i,
                object,
                spec,
                targets,
            });
        }
        Services { list, by_name }
    }

    /// The Service `name` of `namespace`.
    pub(super) fn get(&self, namespace: &str, name: &str) -> Option<&Service<'a>> {
        self.by_name
            .get(&(namespace, name))
            .and_then(|&i| self.list.get(i))
    }

    /// The routes each Service's type opens: LoadBalancer, NodePort, externalIPs, and the
    /// cluster IP.
    pub(super) fn routes(&self, index: &ObjectIndex, found: &mut Found) {
        for service in &self.list {
            if service.targets.is_empty() {
                continue;
            }
            let object = service.object;
            let spec = &service.spec;
            let name = describe(object);
            let kind_field = FieldPath::root().keys("spec.type");
            let type_ = spec.type_.as_deref().unwrap_or("ClusterIP");
            let mut entries: Vec<Entry> = Vec::new();
            match type_ {
                "LoadBalancer" => entries.push(load_balancer_entry(object, spec)),
                "NodePort" => entries.push(Entry {
                    kind: RouteKind::NodePort,
                    severity: Severity::Medium,
                    field: kind_field.clone(),
                    head: format!("NodePort {name}, on every node's addresses,"),
                    restriction: None,
                    hosts: Vec::new(),
                }),
                _ => {}
            }
            let external_ips: Vec<String> = spec.external_ips.clone().unwrap_or_default();
            if !external_ips.is_empty() {
                entries.push(Entry {
                    kind: RouteKind::ExternalIp,
                    severity: Severity::High,
                    field: FieldPath::root().keys("spec.externalIPs"),
                    head: format!(
                        "{name} with `externalIPs` {}, accepted by every node,",
                        external_ips.join(", ")
                    ),
                    restriction: None,
                    hosts: external_ips,
                });
            }
            let headless = spec.cluster_ip.as_deref() == Some("None");
            entries.push(Entry {
                kind: RouteKind::ClusterIp,
                severity: Severity::Info,
                field: FieldPath::root().keys("spec.ports"),
                head: if headless {
                    format!("headless {name}, by DNS from every pod,")
                } else {
                    format!("{name}, by its cluster IP from every pod,")
                },
                restriction: None,
                hosts: Vec::new(),
            });
            for entry in entries {
                for target in &service.targets {
                    let ports: Vec<RoutePort> =
                        target.ports.iter().map(|(_, p)| p.clone()).collect();
                    let mut evidence: Vec<Evidence> =
                        Evidence::at(index, service.index, &entry.field)
                            .into_iter()
                            .collect();
                    evidence.extend(target.evidence.iter().cloned());
                    let workload = index
                        .objects()
                        .get(target.workload)
                        .map(describe)
                        .unwrap_or_default();
                    found.add(
                        target.workload,
                        Route {
                            kind: entry.kind,
                            severity: entry.severity,
                            summary: format!(
                                "{} {} → {workload}",
                                entry.head,
                                render_ports(&ports)
                            ),
                            restriction: entry.restriction.clone(),
                            hosts: entry.hosts.clone(),
                            tls: None,
                            ports,
                            evidence,
                        },
                    );
                }
            }
        }
    }
}

impl Service<'_> {
    /// The index in `spec.ports` of the port an Ingress or route backend names, by number
    /// (`port`) or name.
    pub(super) fn port_index(&self, wanted: &PortRef<'_>) -> Option<usize> {
        let ports = self.spec.ports.as_deref().unwrap_or_default();
        ports.iter().position(|p| match wanted {
            PortRef::Number(n) => i64::from(p.port) == *n,
            PortRef::Name(name) => p.name.as_deref() == Some(*name),
        })
    }
}

/// The parts of a route a Service's type decides.
struct Entry {
    kind: RouteKind,
    severity: Severity,
    field: FieldPath,
    head: String,
    restriction: Option<String>,
    hosts: Vec<String>,
}

/// A LoadBalancer Service's entry: open, restricted by source ranges, or internal.
fn load_balancer_entry(object: &Object, spec: &ServiceSpec) -> Entry {
    let name = describe(object);
    let mut hosts: Vec<String> = spec.load_balancer_ip.iter().cloned().collect();
    for ingress in object
        .node
        .get_path("status.loadBalancer.ingress")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        for key in ["ip", "hostname"] {
            if let Some(address) = ingress.get(key).and_then(Node::as_str) {
                hosts.push(address.to_owned());
            }
        }
    }
    let internal = internal_annotation(|k| object.annotations.get(k).map(String::as_str));
    if let Some((key, value)) = internal {
        return Entry {
            kind: RouteKind::LoadBalancer,
            severity: Severity::Low,
            field: FieldPath::root().keys("metadata.annotations").key(key),
            head: format!("internal LoadBalancer {name}"),
            restriction: Some(format!("internal load balancer (`{key}: {value}`)")),
            hosts,
        };
    }
    let (ranges, field, shown) = match spec.load_balancer_source_ranges.as_deref() {
        Some(ranges) if !ranges.is_empty() => (
            ranges.to_vec(),
            FieldPath::root().keys("spec.loadBalancerSourceRanges"),
            "`loadBalancerSourceRanges`",
        ),
        _ => {
            let ranges: Vec<String> = object
                .annotations
                .get(SOURCE_RANGES_ANNOTATION)
                .map(|v| {
                    v.split(',')
                        .map(|r| r.trim().to_owned())
                        .filter(|r| !r.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let field = FieldPath::root()
                .keys("metadata.annotations")
                .key(SOURCE_RANGES_ANNOTATION);
            (ranges, field, "annotation `load-balancer-source-ranges`")
        }
    };
    if ranges.is_empty() || ranges.iter().any(|r| is_everywhere(r)) {
        let why = if ranges.is_empty() {
            "from any address"
        } else {
            "from any address (a source range is `/0`)"
        };
        return Entry {
            kind: RouteKind::LoadBalancer,
            severity: Severity::High,
            field: if ranges.is_empty() {
                FieldPath::root().keys("spec.type")
            } else {
                field
            },
            head: format!("LoadBalancer {name}, {why},"),
            restriction: None,
            hosts,
        };
    }
    Entry {
        kind: RouteKind::LoadBalancer,
        severity: Severity::Low,
        field,
        head: format!("LoadBalancer {name}, from {},", ranges.join(", ")),
        restriction: Some(format!("{shown} {}", ranges.join(", "))),
        hosts,
    }
}

/// The templates of the Service's namespace that its selector matches, with the ports that
/// reach each.
fn selected(
    index: &ObjectIndex,
    service: usize,
    spec: &ServiceSpec,
    wanted: &std::collections::BTreeMap<String, String>,
    workloads: &[&Workload],
) -> Vec<Target> {
    let mut targets = Vec::new();
    for workload in workloads {
        if !selector::matches_map(wanted, workload.labels()) {
            continue;
        }
        let ports = matching_ports(spec, workload);
        // Every port names a container port this template does not have: the endpoints
        // controller gives the Service no endpoint in these pods.
        if ports.is_empty() && !spec.ports.as_deref().unwrap_or_default().is_empty() {
            continue;
        }
        let evidence = [
            Evidence::at(index, service, &FieldPath::root().keys("spec.selector")),
            Evidence::at(
                index,
                workload.object,
                &workload.metadata_path().key("labels"),
            ),
        ];
        targets.push(Target {
            workload: workload.object,
            ports,
            evidence: evidence.into_iter().flatten().collect(),
        });
    }
    targets
}

/// The Service ports that reach `workload`, each with the container port that receives it.
pub(super) fn matching_ports(spec: &ServiceSpec, workload: &Workload) -> Vec<(usize, RoutePort)> {
    spec.ports
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, p)| Some((i, route_port(p, workload)?)))
        .collect()
}

/// How Service port `p` reaches `workload`: `None` when its `targetPort` is a name no container
/// of the template gives a port.
fn route_port(p: &ServicePort, workload: &Workload) -> Option<RoutePort> {
    let target = match p.target_port.as_ref() {
        Some(t) => PortRef::of(t),
        None => PortRef::Number(i64::from(p.port)),
    };
    let protocol = p.protocol.clone().unwrap_or_else(|| "TCP".to_owned());
    let declared = workload.containers().find_map(|c| {
        c.container
            .ports
            .iter()
            .flatten()
            .find(|cp| match &target {
                PortRef::Number(n) => i64::from(cp.container_port) == *n,
                PortRef::Name(name) => cp.name.as_deref() == Some(*name),
            })
            .map(|cp| (c.name().to_owned(), cp.container_port))
    });
    let (container, container_port) = match (declared, &target) {
        (Some((c, n)), _) => (Some(c), Some(n)),
        // A numeric target port reaches the pod whether or not a container declares it.
        (None, PortRef::Number(n)) => (None, i32::try_from(*n).ok()),
        (None, PortRef::Name(_)) => return None,
    };
    Some(RoutePort {
        protocol,
        port: Some(p.port),
        node_port: p.node_port,
        container,
        container_port,
    })
}

/// Pods of the scan by namespace and name, for the endpoints that name them.
struct PodNames<'a> {
    by_name: HashMap<(&'a str, &'a str), &'a Workload>,
}

impl<'a> PodNames<'a> {
    fn of(index: &'a ObjectIndex) -> PodNames<'a> {
        let mut by_name = HashMap::new();
        for workload in index.workloads() {
            let object = index.object_of(workload);
            if object.kind() != "Pod" {
                continue;
            }
            if let Some(name) = object.resource.name.as_deref() {
                by_name
                    .entry((namespace_of(object), name))
                    .or_insert(workload);
            }
        }
        PodNames { by_name }
    }
}

/// One `targetRef` of an endpoint object: the object's index, the field, and the reference.
type TargetRef<'a> = (usize, FieldPath, &'a Node);

/// The pods each Service's EndpointSlices and Endpoints name.
struct Endpoints<'a> {
    /// By Service namespace and name: the endpoint object and the path to each `targetRef`.
    by_service: HashMap<(&'a str, &'a str), Vec<TargetRef<'a>>>,
}

impl<'a> Endpoints<'a> {
    fn of(index: &'a ObjectIndex) -> Endpoints<'a> {
        let mut by_service: HashMap<(&str, &str), Vec<TargetRef<'_>>> = HashMap::new();
        for (i, object) in index.objects().iter().enumerate() {
            let namespace = namespace_of(object);
            match (object.kind(), object.group()) {
                ("EndpointSlice", "discovery.k8s.io") => {
                    let Some(service) = object.labels.get(SERVICE_NAME_LABEL) else {
                        continue;
                    };
                    let list = object.node.get("endpoints").and_then(Node::as_seq);
                    for (j, endpoint) in list.unwrap_or_default().iter().enumerate() {
                        if let Some(target) = endpoint.get("targetRef") {
                            let path = FieldPath::root().key("endpoints").index(j).key("targetRef");
                            by_service
                                .entry((namespace, service.as_str()))
                                .or_default()
                                .push((i, path, target));
                        }
                    }
                }
                ("Endpoints", "") => {
                    let Some(service) = object.resource.name.as_deref() else {
                        continue;
                    };
                    let subsets = object.node.get("subsets").and_then(Node::as_seq);
                    for (j, subset) in subsets.unwrap_or_default().iter().enumerate() {
                        for key in ["addresses", "notReadyAddresses"] {
                            let list = subset.get(key).and_then(Node::as_seq);
                            for (k, address) in list.unwrap_or_default().iter().enumerate() {
                                if let Some(target) = address.get("targetRef") {
                                    let path = FieldPath::root()
                                        .key("subsets")
                                        .index(j)
                                        .key(key)
                                        .index(k)
                                        .key("targetRef");
                                    by_service
                                        .entry((namespace, service))
                                        .or_default()
                                        .push((i, path, target));
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Endpoints { by_service }
    }

    /// The pods the endpoints of Service `namespace/name` name. A named pod that is not among
    /// the inputs is a problem: the route exists, but its workload is unknown.
    fn targets(
        &self,
        index: &ObjectIndex,
        namespace: &str,
        name: &str,
        spec: &ServiceSpec,
        pods: &PodNames<'_>,
        problems: &mut Vec<super::Problem>,
    ) -> Vec<Target> {
        let mut targets: Vec<Target> = Vec::new();
        for (endpoint, path, target) in self
            .by_service
            .get(&(namespace, name))
            .into_iter()
            .flatten()
        {
            let kind = target.get("kind").and_then(Node::as_str).unwrap_or("Pod");
            if kind != "Pod" {
                continue;
            }
            let Some(pod_name) = target.get("name").and_then(Node::as_str) else {
                continue;
            };
            let pod_namespace = target
                .get("namespace")
                .and_then(Node::as_str)
                .unwrap_or(namespace);
            let Some(workload) = pods.by_name.get(&(pod_namespace, pod_name)) else {
                if let Some(o) = index.objects().get(*endpoint) {
                    problems.push(super::Problem {
                        location: o.locate(path),
                        message: format!(
                            "{} names Pod `{pod_namespace}/{pod_name}` as an endpoint of Service `{name}`, \
                             but that Pod is not among the inputs; its routes are not followed",
                            describe(o)
                        ),
                    });
                }
                continue;
            };
            if targets.iter().any(|t| t.workload == workload.object) {
                continue;
            }
            let evidence = [
                Evidence::at(index, *endpoint, path),
                Evidence::at(
                    index,
                    workload.object,
                    &FieldPath::root().keys("metadata.name"),
                ),
            ];
            // The endpoints name the pod for every port of the slice; ports by name that the pod
            // does not declare are still routed as the endpoint object says.
            let mut ports = matching_ports(spec, workload);
            if ports.is_empty() {
                ports = spec
                    .ports
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, p)| {
                        (
                            i,
                            RoutePort {
                                protocol: p.protocol.clone().unwrap_or_else(|| "TCP".to_owned()),
                                port: Some(p.port),
                                node_port: p.node_port,
                                container: None,
                                container_port: None,
                            },
                        )
                    })
                    .collect();
            }
            targets.push(Target {
                workload: workload.object,
                ports,
                evidence: evidence.into_iter().flatten().collect(),
            });
        }
        targets
    }
}
