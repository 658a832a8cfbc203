//! One case per route kind and rule of attachment.

use std::sync::Arc;

use harrier_k8s::{ObjectIndex, load_text};

use super::*;

fn index(yaml: &str) -> ObjectIndex {
    let loaded = load_text(Arc::from("test.yaml"), yaml);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let (index, errors) = ObjectIndex::build(loaded.objects);
    assert!(errors.is_empty(), "{errors:?}");
    index
}

/// `(workload name, route kind, severity)` of every external route.
fn external(exposure: &Exposure) -> Vec<(String, RouteKind, Severity)> {
    exposure
        .workloads
        .iter()
        .flat_map(|w| {
            w.routes
                .iter()
                .map(|r| (w.resource.name.clone(), r.kind, r.severity))
        })
        .collect()
}

const WEB: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx
        ports: [{name: http, containerPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: pg, image: postgres, ports: [{containerPort: 5432}]}]
"#;

fn with_web(extra: &str) -> Exposure {
    analyse(&index(&format!("{WEB}---\n{extra}")))
}

#[test]
fn load_balancer_without_restriction_is_high() {
    let e = with_web(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n\
         spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: http}]}\n",
    );
    assert_eq!(
        external(&e),
        [("web".to_owned(), RouteKind::LoadBalancer, Severity::High)]
    );
    let route = &e.workloads[0].routes[0];
    assert_eq!(route.ports[0].port, Some(80));
    assert_eq!(route.ports[0].container.as_deref(), Some("nginx"));
    assert_eq!(route.ports[0].container_port, Some(8080));
    assert!(route.restriction.is_none());
    // Evidence: the Service's type, its selector, the template's labels.
    let fields: Vec<&str> = route.evidence.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "spec.type",
            "spec.selector",
            "spec.template.metadata.labels"
        ]
    );
    assert_eq!(route.evidence[0].location.line, 28);
    // The same Service makes the workload reachable inside the cluster.
    assert_eq!(e.internal.len(), 1);
    assert_eq!(e.internal[0].routes[0].kind, RouteKind::ClusterIp);
    assert!(e.problems.is_empty(), "{:?}", e.problems);
}

#[test]
fn load_balancer_source_ranges_and_internal_annotations_lower_exposure() {
    let e = with_web(
        "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: shop}\n\
         spec: {type: LoadBalancer, loadBalancerSourceRanges: [10.0.0.0/8], selector: {app: web}, ports: [{port: 80}]}\n\
         ---\napiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: shop, annotations: {networking.gke.io/load-balancer-type: Internal}}\n\
         spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 81}]}\n\
         ---\napiVersion: v1\nkind: Service\nmetadata: {name: c, namespace: shop, annotations: {service.beta.kubernetes.io/aws-load-balancer-internal: \"true\"}}\n\
         spec: {type: LoadBalancer, selector: {app: db}, ports: [{port: 5432}]}\n\
         ---\napiVersion: v1\nkind: Service\nmetadata: {name: d, namespace: shop, annotations: {service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"}}\n\
         spec: {type: LoadBalancer, selector: {app: db}, ports: [{port: 5433, targetPort: 5432}]}\n\
         ---\napiVersion: v1\nkind: Service\nmetadata: {name: open, namespace: shop}\n\
         spec: {type: LoadBalancer, loadBalancerSourceRanges: [0.0.0.0/0], selector: {app: db}, ports: [{port: 1}]}\n",
    );
    let routes: Vec<(&str, Severity, Option<&str>)> = e
        .workloads
        .iter()
        .flat_map(|w| {
            w.routes.iter().map(move |r| {
                (
                    w.resource.name.as_str(),
                    r.severity,
                    r.restriction.as_deref(),
                )
            })
        })
        .collect();
    assert_eq!(
        routes,
        [
            ("db", Severity::High, None),
            (
                "db",
                Severity::Low,
                Some(
                    "internal load balancer (`service.beta.kubernetes.io/aws-load-balancer-internal: true`)"
                )
            ),
            (
                "db",
                Severity::Low,
                Some(
                    "internal load balancer (`service.beta.kubernetes.io/azure-load-balancer-internal: true`)"
                )
            ),
            (
                "web",
                Severity::Low,
                Some("`loadBalancerSourceRanges` 10.0.0.0/8")
            ),
            (
                "web",
                Severity::Low,
                Some("internal load balancer (`networking.gke.io/load-balancer-type: Internal`)")
            ),
        ]
    );
}

#[test]
fn node_port_and_external_ips() {
    let e = with_web(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n\
         spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080, nodePort: 30080}]}\n\
         ---\napiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: shop}\n\
         spec: {externalIPs: [203.0.113.7], selector: {app: db}, ports: [{port: 5432}]}\n",
    );
    assert_eq!(
        external(&e),
        [
            ("db".to_owned(), RouteKind::ExternalIp, Severity::High),
            ("web".to_owned(), RouteKind::NodePort, Severity::Medium),
        ]
    );
    assert_eq!(e.workloads[0].routes[0].hosts, ["203.0.113.7"]);
    assert_eq!(e.workloads[1].routes[0].ports[0].node_port, Some(30080));
}

#[test]
fn cluster_ip_is_internal_only() {
    let e = with_web(
        "apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: shop}\n\
         spec: {selector: {app: db}, ports: [{port: 5432}]}\n",
    );
    assert!(e.workloads.is_empty());
    assert_eq!(e.internal.len(), 1);
    assert_eq!(e.internal[0].resource.name, "db");
}

#[test]
fn selector_must_match_in_the_same_namespace() {
    let e = with_web(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: other}\n\
         spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80}]}\n\
         ---\napiVersion: v1\nkind: Service\nmetadata: {name: none, namespace: shop}\n\
         spec: {type: LoadBalancer, selector: {app: nothing}, ports: [{port: 80}]}\n",
    );
    assert!(e.workloads.is_empty());
}

#[test]
fn named_target_port_the_template_lacks_reaches_nothing() {
    let e = with_web(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n\
         spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: metrics}]}\n",
    );
    assert!(e.workloads.is_empty());
    // A numeric target port reaches the pod even when no container declares it.
    let e = with_web(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n\
         spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, targetPort: 9999}]}\n",
    );
    assert_eq!(e.workloads.len(), 1);
    assert_eq!(e.workloads[0].routes[0].ports[0].container, None);
    assert_eq!(e.workloads[0].routes[0].ports[0].container_port, Some(9999));
}

#[test]
fn service_without_selector_follows_its_endpoint_slices() {
    let e = analyse(&index(
        r#"
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: shop}
spec: {containers: [{name: c, image: x, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: manual, namespace: shop}
spec: {type: LoadBalancer, ports: [{port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: manual-1, namespace: shop, labels: {kubernetes.io/service-name: manual}}
addressType: IPv4
endpoints:
- addresses: [10.0.0.1]
  targetRef: {kind: Pod, name: p1, namespace: shop}
- addresses: [10.0.0.2]
  targetRef: {kind: Pod, name: elsewhere, namespace: shop}
ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: bare, namespace: shop}
spec: {type: LoadBalancer, ports: [{port: 81}]}
"#,
    ));
    assert_eq!(
        external(&e),
        [("p1".to_owned(), RouteKind::LoadBalancer, Severity::High)]
    );
    let fields: Vec<&str> = e.workloads[0].routes[0]
        .evidence
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(
        fields,
        ["spec.type", "endpoints[0].targetRef", "metadata.name"]
    );
    assert_eq!(e.problems.len(), 1);
    assert!(
        e.problems[0].message.contains("`shop/elsewhere`"),
        "{}",
        e.problems[0]
    );
    assert_eq!(e.problems[0].location.line, 20);
}

#[test]
fn ingress_v1_and_v1beta1_resolve_to_pods_with_hosts_and_tls() {
    let e = with_web(
        r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: web, port: 80, targetPort: http}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: shop}
spec:
  tls: [{hosts: [shop.example.com], secretName: cert}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: web}}}}
  - host: plain.example.com
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
      - {path: /gone, pathType: Prefix, backend: {service: {name: missing, port: {number: 80}}}}
      - {path: /bad, pathType: Prefix, backend: {service: {name: web, port: {number: 81}}}}
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: old, namespace: shop}
spec:
  backend: {serviceName: web, servicePort: 80}
"#,
    );
    let routes = &e.workloads[0].routes;
    assert!(e.workloads.len() == 1 && routes.len() == 3, "{routes:#?}");
    let seen: Vec<(RouteKind, &[String], Option<bool>)> = routes
        .iter()
        .map(|r| (r.kind, r.hosts.as_slice(), r.tls))
        .collect();
    assert_eq!(
        seen,
        [
            (
                RouteKind::Ingress,
                &["shop.example.com".to_owned()][..],
                Some(true)
            ),
            (
                RouteKind::Ingress,
                &["plain.example.com".to_owned()][..],
                Some(false)
            ),
            (RouteKind::Ingress, &["*".to_owned()][..], Some(false)),
        ]
    );
    assert_eq!(
        routes[0].evidence[0].field,
        "spec.rules[0].http.paths[0].backend"
    );
    assert_eq!(routes[0].evidence[1].field, "spec.ports[0]");
    assert_eq!(routes[0].ports[0].container_port, Some(8080));
    let messages: Vec<&str> = e.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("Service `shop/missing`"));
    assert!(messages[1].contains("port 81"));
}

#[test]
fn ingress_allow_list_lowers_exposure() {
    let e = with_web(
        r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
  annotations: {nginx.ingress.kubernetes.io/whitelist-source-range: "10.0.0.0/8, 192.168.0.0/16"}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
"#,
    );
    let route = &e.workloads[0].routes[0];
    assert_eq!(route.severity, Severity::Low);
    assert_eq!(
        route.restriction.as_deref(),
        Some("`nginx.ingress.kubernetes.io/whitelist-source-range`: 10.0.0.0/8, 192.168.0.0/16")
    );
}

const GATEWAY: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: infra}
spec:
  gatewayClassName: external
  addresses: [{type: IPAddress, value: 198.51.100.1}]
  listeners:
  - name: https
    hostname: "*.example.com"
    port: 443
    protocol: HTTPS
    allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {expose: "yes"}}}}
  - name: same
    port: 80
    protocol: HTTP
  - name: tcp
    port: 5432
    protocol: TCP
    allowedRoutes: {namespaces: {from: All}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {expose: "yes"}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec: {selector: {app: db}, ports: [{port: 5432}]}
"#;

#[test]
fn gateway_routes_attach_to_accepting_listeners() {
    let e = with_web(&format!(
        r#"{GATEWAY}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: web, namespace: shop}}
spec:
  parentRefs: [{{name: public, namespace: infra}}]
  hostnames: [shop.example.com, other.test]
  rules: [{{backendRefs: [{{name: web, port: 80}}]}}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {{name: db, namespace: shop}}
spec:
  parentRefs: [{{name: public, namespace: infra, sectionName: tcp}}]
  rules: [{{backendRefs: [{{name: db, port: 5432}}]}}]
"#
    ));
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    assert_eq!(
        external(&e),
        [
            ("web".to_owned(), RouteKind::Gateway, Severity::High),
            ("db".to_owned(), RouteKind::Gateway, Severity::High),
        ]
    );
    let web = &e.workloads[0].routes[0];
    // Only the HTTPS listener admits routes from `shop`; `same` admits only `infra`.
    assert_eq!(web.hosts, ["198.51.100.1", "shop.example.com"]);
    assert_eq!(web.tls, Some(true));
    assert_eq!(web.evidence[0].field, "spec.listeners[0]");
    let db = &e.workloads[1].routes[0];
    assert_eq!(db.tls, None);
    assert_eq!(db.evidence[0].field, "spec.listeners[2]");
}

#[test]
fn gateway_route_refused_by_listeners_or_missing_grant() {
    let e = with_web(&format!(
        r#"{GATEWAY}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: wrong-section, namespace: shop}}
spec:
  parentRefs: [{{name: public, namespace: infra, sectionName: same}}]
  rules: [{{backendRefs: [{{name: web, port: 80}}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: cross, namespace: infra}}
spec:
  parentRefs: [{{name: public, sectionName: same}}]
  rules: [{{backendRefs: [{{name: web, namespace: shop, port: 80}}]}}]
"#
    ));
    assert!(e.workloads.is_empty(), "{:#?}", e.workloads);
    let messages: Vec<&str> = e.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("no listener of it accepts"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("no ReferenceGrant in `shop`"))
    );

    let e = with_web(&format!(
        r#"{GATEWAY}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: cross, namespace: infra}}
spec:
  parentRefs: [{{name: public, sectionName: same}}]
  rules: [{{backendRefs: [{{name: web, namespace: shop, port: 80}}]}}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {{name: from-infra, namespace: shop}}
spec:
  from: [{{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: infra}}]
  to: [{{group: "", kind: Service, name: web}}]
"#
    ));
    assert!(e.problems.is_empty(), "{:?}", e.problems);
    assert_eq!(
        external(&e),
        [("web".to_owned(), RouteKind::Gateway, Severity::High)]
    );
    assert_eq!(e.workloads[0].routes[0].tls, Some(false));
}

#[test]
fn host_network_and_host_port() {
    let e = analyse(&index(
        r#"
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      hostNetwork: true
      containers: [{name: a, image: x, ports: [{containerPort: 9100}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: proxy}
spec:
  containers:
  - name: p
    image: x
    ports: [{containerPort: 80, hostPort: 8080}, {containerPort: 81}, {containerPort: 53, hostPort: 53, protocol: UDP, hostIP: 10.1.2.3}]
"#,
    ));
    assert_eq!(
        external(&e),
        [
            ("agent".to_owned(), RouteKind::HostNetwork, Severity::Medium),
            ("proxy".to_owned(), RouteKind::HostPort, Severity::Medium),
            ("proxy".to_owned(), RouteKind::HostPort, Severity::Medium),
        ]
    );
    assert_eq!(e.workloads[0].routes[0].ports[0].port, Some(9100));
    assert_eq!(
        e.workloads[0].routes[0].evidence[0].field,
        "spec.template.spec.hostNetwork"
    );
    let udp = &e.workloads[1].routes[1];
    assert_eq!(udp.hosts, ["10.1.2.3"]);
    assert_eq!(udp.ports[0].protocol, "UDP");
    assert_eq!(
        udp.evidence[0].field,
        "spec.containers[0].ports[2].hostPort"
    );
    assert_eq!(e.workloads[0].resource.namespace, "kube-system");
    assert_eq!(e.workloads[1].resource.namespace, "default");
}

#[test]
fn workloads_sort_by_their_most_exposed_route() {
    let e = with_web(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n\
         spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}\n\
         ---\napiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: shop}\n\
         spec: {type: LoadBalancer, selector: {app: db}, ports: [{port: 5432}]}\n",
    );
    let names: Vec<&str> = e
        .workloads
        .iter()
        .map(|w| w.resource.name.as_str())
        .collect();
    assert_eq!(names, ["db", "web"]);
    let index = index(WEB);
    // The object index gives the object and the workload back.
    let object = e.workloads[0]
        .object(&index)
        .and_then(|o| o.resource.name.clone());
    assert_eq!(object.as_deref(), Some("db"));
    assert!(e.workloads[0].workload(&index).is_some());
}

#[test]
fn undecodable_service_is_a_problem() {
    let e = with_web(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n\
         spec: {type: LoadBalancer, selector: {app: web}, ports: 80}\n",
    );
    assert!(e.workloads.is_empty());
    assert_eq!(e.problems.len(), 1);
    assert!(
        e.problems[0].message.contains("does not decode"),
        "{}",
        e.problems[0]
    );
    assert_eq!(e.problems[0].location.line, 28);
}
